/*
 * refusal.c - the cause of a remote's refusal, and the back-off of an
 * egress toward the receiver that refused it.
 *
 * refusal_status(), refusal_classify(), refusal_active(),
 * refusal_toward(), refusal_list(), refusal_tick(), refusal_forget_all(),
 * refusal_changes(), refusal_snapshot(), refusal_restore(),
 * refusal_learned_since(), refusal_merge().
 *
 * The patterns are compiled once per set (the configuration's
 * RefusalPattern lines, then the shipped table of receiver.c) and
 * matched under one lock against the remote's reply as reply.c gives it
 * (prefixes removed, addresses and the remote's names masked). The
 * state is one entry per (egress, receiver), at most
 * REFUSAL_MAX_ENTRIES, kept across reloads (and restarts: refusal_state.c
 * writes the ones in force out and puts them back); an entry whose back-off is
 * over stays (with its back-off) so that a new refusal doubles it,
 * until a delivery through the egress to that receiver succeeds; when
 * the table is full, the entry that ended longest ago makes room. A
 * refusal while a back-off is in force keeps the back-off and its first
 * text (Postfix's deferrals of the same message must not extend it).
 * Each back-off learned here gets a number of a growing sequence, so
 * that the fleet (fleet.c) publishes what this relay learned and not what
 * it took from the others (refusal_merge(): the later end wins).
 * Must not: touch libmilter or DNS.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "global/cause.h"
#include "global/stats.h"
#include "health/auth_finding.h"
#include "health/monitor.h"
#include "health/receiver.h"
#include "health/refusal.h"
#include "health/reply.h"
#include "health/warmup.h"
#include "util/log.h"
#include "util/util.h"

struct refusal_entry {
	struct refusal_info info;
	bool used;
	bool ended_logged;		/* the end of the back-off was logged */
	unsigned long seq;		/* learned here (refusal_learned_since) */
};

struct refusal_rule {
	regex_t re;
	enum refusal_cause cause;
	long seconds;
	bool shipped;
};

static pthread_mutex_t refusal_lock = PTHREAD_MUTEX_INITIALIZER;
static struct refusal_entry refusal_entries[REFUSAL_MAX_ENTRIES];
static atomic_long refusal_global_after = CONF_DEFAULT_REFUSAL_GLOBAL;
/* Counts the back-offs learned and ended (the state file's writer). */
static atomic_ulong refusal_changed;
static unsigned long refusal_seq;	/* lock held: the last learned here */
/* The compiled set and what it was compiled from. */
static struct refusal_rule *refusal_rules;
static size_t refusal_nrules;
static char **refusal_sources;		/* the operator's lines */
static size_t refusal_nsources;
static bool refusal_compiled, refusal_compiled_none;
static bool refusal_compiled_set;	/* RefusalBackoff given */
static long refusal_compiled_backoff;

static void
refusal_free_set(void)			/* lock held */
{
	for (size_t i = 0; i < refusal_nrules; i++)
		regfree(&refusal_rules[i].re);
	free(refusal_rules);
	for (size_t i = 0; i < refusal_nsources; i++)
		free(refusal_sources[i]);
	free(refusal_sources);
	refusal_rules = NULL;
	refusal_sources = NULL;
	refusal_nrules = refusal_nsources = 0;
	refusal_compiled = false;
}

static bool
refusal_set_is(const struct conf *conf)	/* lock held */
{
	if (!refusal_compiled || refusal_compiled_none != conf->refusal_none ||
	    refusal_nsources != conf->nrefusal_patterns ||
	    refusal_compiled_set != conf->refusal_backoff_set ||
	    refusal_compiled_backoff != conf->refusal_backoff)
		return false;
	for (size_t i = 0; i < refusal_nsources; i++)
		if (strcmp(refusal_sources[i], conf->refusal_patterns[i]) != 0)
			return false;
	return true;
}

static void
refusal_add_rule(const char *regex, enum refusal_cause cause, long seconds,
    bool shipped)			/* lock held */
{
	struct refusal_rule *r = &refusal_rules[refusal_nrules];

	if (regcomp(&r->re, regex, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
		log_err("refusal pattern \"%.100s\" does not compile", regex);
		return;
	}
	r->cause = cause;
	r->seconds = seconds;
	r->shipped = shipped;
	refusal_nrules++;
}

/* Compiles CONF's set when it is not the one compiled. Lock held. */
static void
refusal_compile(const struct conf *conf)
{
	size_t nshipped = 0;

	if (refusal_set_is(conf))
		return;
	refusal_free_set();
	while (receiver_rules[nshipped].regex != NULL)
		nshipped++;
	refusal_rules = xcalloc(nshipped + conf->nrefusal_patterns + 1,
	    sizeof(*refusal_rules));
	refusal_sources = xcalloc(conf->nrefusal_patterns + 1,
	    sizeof(char *));
	/* The operator's lines first: they decide before the table. */
	for (size_t i = 0; i < conf->nrefusal_patterns; i++) {
		enum refusal_cause cause;
		long seconds;
		const char *regex;
		char why[128];

		refusal_sources[i] = xstrdup(conf->refusal_patterns[i]);
		if (cause_pattern_split(conf->refusal_patterns[i], &cause,
		    &seconds, &regex, why, sizeof(why)) != 0)
			continue;
		if (seconds == 0)
			seconds = cause == CAUSE_RATE ? REFUSAL_RATE_DEFAULT :
			    conf->refusal_backoff;
		refusal_add_rule(regex, cause, seconds, false);
	}
	for (size_t i = 0; !conf->refusal_none && i < nshipped; i++) {
		const struct receiver_rule *s = &receiver_rules[i];
		long seconds = s->seconds;

		if (conf->refusal_backoff_set && (s->cause == CAUSE_IP ||
		    s->cause == CAUSE_PTR))
			seconds = conf->refusal_backoff;
		refusal_add_rule(s->regex, s->cause, seconds, true);
	}
	refusal_nsources = conf->nrefusal_patterns;
	refusal_compiled_none = conf->refusal_none;
	refusal_compiled_set = conf->refusal_backoff_set;
	refusal_compiled_backoff = conf->refusal_backoff;
	refusal_compiled = true;
}

/* The cause of parsed reply R (remote or not). */
static enum refusal_cause
refusal_cause_of(const struct conf *conf, const struct reply *r,
    long *seconds)
{
	enum refusal_cause cause = CAUSE_NONE;

	if (seconds != NULL)
		*seconds = 0;
	if (!r->remote || r->class == 2)
		return CAUSE_NONE;
	pthread_mutex_lock(&refusal_lock);
	refusal_compile(conf);
	for (size_t i = 0; i < refusal_nrules; i++)
		if (regexec(&refusal_rules[i].re, r->match, 0, NULL, 0) == 0) {
			cause = refusal_rules[i].cause;
			if (seconds != NULL)
				*seconds = refusal_rules[i].seconds;
			break;
		}
	pthread_mutex_unlock(&refusal_lock);
	return cause;
}

enum refusal_cause
refusal_classify(const struct conf *conf, const char *query, long *seconds)
{
	struct reply *r = xmalloc(sizeof(*r));
	enum refusal_cause cause = CAUSE_NONE;

	if (seconds != NULL)
		*seconds = 0;
	if (reply_parse(query, r) == 0)
		cause = refusal_cause_of(conf, r, seconds);
	free(r);
	return cause;
}

/* The entry of (EGRESS, RECEIVER), created when CREATE. Lock held. */
static struct refusal_entry *
refusal_entry(const char *egress, const char *receiver, bool create,
    time_t now)
{
	struct refusal_entry *spare = NULL, *e;

	for (size_t i = 0; i < REFUSAL_MAX_ENTRIES; i++) {
		e = &refusal_entries[i];
		if (!e->used) {
			if (spare == NULL || spare->used)
				spare = e;
			continue;
		}
		if (strcasecmp(e->info.egress, egress) == 0 &&
		    strcasecmp(e->info.receiver, receiver) == 0)
			return e;
		/* Room: the entry that ended longest ago. */
		if (e->info.until <= now && e->ended_logged && (spare == NULL ||
		    (spare->used && e->info.until < spare->info.until)))
			spare = e;
	}
	if (!create || spare == NULL)
		return NULL;
	memset(spare, 0, sizeof(*spare));
	spare->used = true;
	copy_bounded(spare->info.egress, sizeof(spare->info.egress), egress);
	copy_bounded(spare->info.receiver, sizeof(spare->info.receiver),
	    receiver);
	spare->ended_logged = true;
	return spare;
}

static bool
refusal_in_force(const struct refusal_entry *e, time_t now)
{
	return e->used && e->info.until > now && e->info.cause != CAUSE_NONE;
}

/*
 * Is EGRESS backed off globally? An address-only receiver's back-off,
 * or ip/ptr back-offs toward RefusalGlobalReceivers receivers. The
 * latest such entry into *LATEST. Lock held.
 */
static bool
refusal_global(const char *egress, time_t now, struct refusal_entry **latest)
{
	size_t receivers = 0;
	bool global = false;

	*latest = NULL;
	for (size_t i = 0; i < REFUSAL_MAX_ENTRIES; i++) {
		struct refusal_entry *e = &refusal_entries[i];

		if (!refusal_in_force(e, now) || e->info.cause == CAUSE_RATE ||
		    strcasecmp(e->info.egress, egress) != 0)
			continue;
		receivers++;
		global = global || e->info.global;
		/* The address-only receiver's first, else the latest. */
		if (*latest == NULL || (e->info.global &&
		    !(*latest)->info.global) || (e->info.global ==
		    (*latest)->info.global && e->info.since >=
		    (*latest)->info.since))
			*latest = e;
	}
	return global || (receivers > 0 &&
	    receivers >= (size_t)atomic_load(&refusal_global_after));
}

/*
 * Records a refusal of EGRESS by the remote of R with CAUSE for SECONDS.
 * Logs it when it is new. Returns the receiver's back-off in force.
 */
static void
refusal_learn(const char *egress, const struct reply *r,
    enum refusal_cause cause, long seconds, const char *receiver)
{
	time_t now = time(NULL);
	struct refusal_entry *e, *latest;
	char shown[600], destination[330];
	bool was_global, upgrade;

	snprintf(destination, sizeof(destination), "%s[%s]", r->host, r->addr);
	pthread_mutex_lock(&refusal_lock);
	was_global = refusal_global(egress, now, &latest);
	if ((e = refusal_entry(egress, receiver, true, now)) == NULL) {
		pthread_mutex_unlock(&refusal_lock);
		log_warn("egress %s: refusal by %s not kept: %d (egress, "
		    "receiver) back-offs are in force", egress, receiver,
		    REFUSAL_MAX_ENTRIES);
		return;
	}
	upgrade = e->info.until > now && e->info.cause == CAUSE_RATE &&
	    cause != CAUSE_RATE;
	if (e->info.until > now && !upgrade) {
		/* In force: keep the back-off and its first text. */
		pthread_mutex_unlock(&refusal_lock);
		return;
	}
	copy_bounded(e->info.text, sizeof(e->info.text), r->text);
	copy_bounded(e->info.destination, sizeof(e->info.destination),
	    destination);
	e->info.global = reply_host_is_address(r->host) && cause != CAUSE_RATE;
	e->info.since = now;
	if (cause == CAUSE_RATE || e->info.backoff == 0 ||
	    e->info.cause != cause)
		e->info.backoff = seconds;
	else
		e->info.backoff *= 2;
	if (e->info.backoff > REFUSAL_MAX_BACKOFF)
		e->info.backoff = REFUSAL_MAX_BACKOFF;
	e->info.cause = cause;
	e->info.until = now + e->info.backoff;
	e->info.count++;
	e->ended_logged = false;
	e->seq = ++refusal_seq;
	atomic_fetch_add(&refusal_changed, 1);
	stats_count_refusal();
	if (cause == CAUSE_RATE)
		log_notice("egress %s: rate limited by %s, paused for %ld s "
		    "toward %s (cause rate): \"%s\"", egress, destination,
		    e->info.backoff, receiver,
		    log_escape(shown, sizeof(shown), r->text));
	else
		log_notice("egress %s: refused by %s, not used for %ld s "
		    "(cause %s, receiver %s%s): \"%s\"", egress, destination,
		    e->info.backoff, cause_name(cause), receiver,
		    e->info.global ? ", every receiver: the remote is known "
		    "only by its address" : "",
		    log_escape(shown, sizeof(shown), r->text));
	if (cause == CAUSE_PTR)
		monitor_recheck();	/* a fresh look at its rDNS now */
	if (!was_global && cause != CAUSE_RATE &&
	    refusal_global(egress, now, &latest) && !e->info.global)
		log_notice("egress %s: refused by %ld receivers for ip or ptr: "
		    "not used for any receiver while their back-offs last",
		    egress, (long)atomic_load(&refusal_global_after));
	pthread_mutex_unlock(&refusal_lock);
}

/* A delivery through EGRESS to RECEIVER succeeded: start anew. */
static void
refusal_delivered(const char *egress, const char *receiver)
{
	struct refusal_entry *e;
	time_t now = time(NULL);

	pthread_mutex_lock(&refusal_lock);
	if ((e = refusal_entry(egress, receiver, false, now)) != NULL &&
	    e->info.until <= now) {
		e->info.backoff = 0;
		e->info.count = 0;
	}
	pthread_mutex_unlock(&refusal_lock);
}

/* Logs the end of E's back-off once it is over. Lock held. */
static void
refusal_check_end(struct refusal_entry *e, time_t now)
{
	if (!e->used || e->ended_logged || e->info.until > now)
		return;
	e->ended_logged = true;
	atomic_fetch_add(&refusal_changed, 1);
	log_notice("egress %s: refusal back-off of %ld s is over (cause %s, "
	    "receiver %s); the egress is tried again", e->info.egress,
	    e->info.backoff, cause_name(e->info.cause), e->info.receiver);
}

bool
refusal_active(const char *egress, struct refusal_info *out)
{
	time_t now = time(NULL);
	struct refusal_entry *latest;
	bool active;

	pthread_mutex_lock(&refusal_lock);
	for (size_t i = 0; i < REFUSAL_MAX_ENTRIES; i++)
		if (refusal_entries[i].used && strcasecmp(
		    refusal_entries[i].info.egress, egress) == 0)
			refusal_check_end(&refusal_entries[i], now);
	active = refusal_global(egress, now, &latest);
	if (active && out != NULL) {
		*out = latest->info;
		out->global = true;
	}
	pthread_mutex_unlock(&refusal_lock);
	return active;
}

bool
refusal_toward(const char *egress, const char *receiver,
    struct refusal_info *out)
{
	time_t now = time(NULL);
	struct refusal_entry *e;
	bool active;

	if (refusal_active(egress, out))
		return true;
	pthread_mutex_lock(&refusal_lock);
	e = refusal_entry(egress, receiver, false, now);
	active = e != NULL && refusal_in_force(e, now);
	if (active && out != NULL)
		*out = e->info;
	pthread_mutex_unlock(&refusal_lock);
	return active;
}

size_t
refusal_list(struct refusal_info *out, size_t max)
{
	time_t now = time(NULL);
	size_t n = 0;

	pthread_mutex_lock(&refusal_lock);
	for (size_t i = 0; i < REFUSAL_MAX_ENTRIES && n < max; i++) {
		struct refusal_entry *e = &refusal_entries[i], *latest;

		refusal_check_end(e, now);
		if (!refusal_in_force(e, now))
			continue;
		out[n] = e->info;
		if (e->info.cause != CAUSE_RATE &&
		    refusal_global(e->info.egress, now, &latest))
			out[n].global = true;
		n++;
	}
	pthread_mutex_unlock(&refusal_lock);
	return n;
}

void
refusal_tick(void)
{
	time_t now = time(NULL);

	pthread_mutex_lock(&refusal_lock);
	for (size_t i = 0; i < REFUSAL_MAX_ENTRIES; i++)
		refusal_check_end(&refusal_entries[i], now);
	pthread_mutex_unlock(&refusal_lock);
}

void
refusal_forget_all(void)
{
	pthread_mutex_lock(&refusal_lock);
	memset(refusal_entries, 0, sizeof(refusal_entries));
	refusal_free_set();
	atomic_fetch_add(&refusal_changed, 1);
	pthread_mutex_unlock(&refusal_lock);
}

unsigned long
refusal_changes(void)
{
	return atomic_load(&refusal_changed);
}

size_t
refusal_snapshot(struct refusal_info *out, size_t max)
{
	time_t now = time(NULL);
	size_t n = 0;

	pthread_mutex_lock(&refusal_lock);
	for (size_t i = 0; i < REFUSAL_MAX_ENTRIES && n < max; i++)
		if (refusal_in_force(&refusal_entries[i], now))
			out[n++] = refusal_entries[i].info;
	pthread_mutex_unlock(&refusal_lock);
	return n;
}

bool
refusal_restore(const struct refusal_info *info)
{
	time_t now = time(NULL);
	struct refusal_entry *e;

	if (info->until <= now || (info->cause != CAUSE_IP &&
	    info->cause != CAUSE_PTR && info->cause != CAUSE_RATE))
		return false;
	pthread_mutex_lock(&refusal_lock);
	e = refusal_entry(info->egress, info->receiver, true, now);
	/* One learned since the start is newer: it stays. */
	if (e == NULL || e->info.until > now) {
		pthread_mutex_unlock(&refusal_lock);
		return false;
	}
	e->info = *info;
	e->ended_logged = false;
	e->seq = ++refusal_seq;
	pthread_mutex_unlock(&refusal_lock);
	return true;
}

size_t
refusal_learned_since(unsigned long *cursor, struct refusal_info *out,
    size_t max)
{
	time_t now = time(NULL);
	size_t n = 0;

	pthread_mutex_lock(&refusal_lock);
	for (size_t i = 0; i < REFUSAL_MAX_ENTRIES && n < max; i++)
		if (refusal_entries[i].seq > *cursor &&
		    refusal_in_force(&refusal_entries[i], now))
			out[n++] = refusal_entries[i].info;
	*cursor = refusal_seq;
	pthread_mutex_unlock(&refusal_lock);
	return n;
}

bool
refusal_merge(const struct refusal_info *info, const char *relay)
{
	time_t now = time(NULL);
	struct refusal_entry *e;
	char shown[600];

	if (info->until <= now || (info->cause != CAUSE_IP &&
	    info->cause != CAUSE_PTR && info->cause != CAUSE_RATE))
		return false;
	pthread_mutex_lock(&refusal_lock);
	e = refusal_entry(info->egress, info->receiver, true, now);
	/* The later end wins; a second of clock rounding is no news. */
	if (e == NULL || (e->info.until > now && e->info.until + 2 >=
	    info->until)) {
		pthread_mutex_unlock(&refusal_lock);
		return false;
	}
	e->info = *info;
	e->ended_logged = false;
	e->seq = 0;			/* not ours to publish */
	atomic_fetch_add(&refusal_changed, 1);
	log_notice("egress %s: refused by %s, not used for %ld s (cause %s, "
	    "receiver %s%s; learned by relay %s): \"%s\"", info->egress,
	    info->destination, (long)(info->until - now),
	    cause_name(info->cause), info->receiver, info->global ?
	    ", every receiver" : "", relay, log_escape(shown, sizeof(shown),
	    info->text));
	pthread_mutex_unlock(&refusal_lock);
	return true;
}

static bool
refusal_known_egress(const struct conf *conf, const char *egress)
{
	for (size_t i = 0; i < conf->negress; i++)
		if (strcasecmp(conf->egress[i].name, egress) == 0)
			return true;
	return false;
}

/*
 * Does R, an auth refusal, say that SPF does not permit EGRESS's own
 * address (the address as a word of the reply, and SPF failing)?
 */
static bool
refusal_spf_names(const struct conf *conf, const char *egress,
    const struct reply *r)
{
	static const char *const failing[] = { "not permitted", "not allowed",
	    "not authorized", "not authorised", "did not pass", "fail" };
	const char *address = NULL, *p;
	char lower[REPLY_TEXT_MAX];
	size_t alen;
	bool fails = false;

	for (size_t i = 0; i < conf->negress && address == NULL; i++)
		if (strcasecmp(conf->egress[i].name, egress) == 0)
			address = conf->egress[i].address.text;
	if (address == NULL || (alen = strlen(address)) == 0)
		return false;
	copy_bounded(lower, sizeof(lower), r->text);
	for (char *q = lower; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	if (strstr(lower, "spf") == NULL)
		return false;
	for (size_t i = 0; i < sizeof(failing) / sizeof(failing[0]); i++)
		fails = fails || strstr(lower, failing[i]) != NULL;
	for (p = strstr(lower, address); fails && p != NULL;
	    p = strstr(p + 1, address))
		if ((p == lower || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[alen]) &&
		    !(p[alen] == '.' && isdigit((unsigned char)p[alen + 1])))
			return true;
	return false;
}

/* "OK 4.Y.Z text (note)" for R's refusal of EGRESS into OUT. */
static enum lookup_status
refusal_defer(const char *query, const struct reply *r, const char *egress,
    const char *receiver, enum refusal_cause cause, char *out, size_t size)
{
	const char *text = query + strlen(r->dsn);
	char code[sizeof(r->dsn)];

	while (*text == ' ')
		text++;
	copy_bounded(code, sizeof(code), r->dsn);
	code[0] = '4';
	snprintf(out, size, "%s %.*s (egress-milter: egress %s is %s %s; "
	    "the message stays queued%s)", code,
	    (int)(size > 300 ? size - 300 : 0), text, egress,
	    cause == CAUSE_RATE ? "paused toward" : cause == CAUSE_AUTH ?
	    "not permitted by the sender's SPF at" : "refused by", receiver,
	    cause == CAUSE_RATE ? " and is tried again after the pause" :
	    cause == CAUSE_AUTH ? " and leaves through an egress the SPF "
	    "permits" : " and leaves through a healthy egress");
	return LOOKUP_OK;
}

static enum lookup_status refusal_answer(const struct conf *conf,
    const char *egress, const char *query, char *out, size_t size);

/*
 * Counts QUERY's recipient for EGRESS's warm-up (warmup.c) by its status
 * as Postfix will log it: the answer ST/OUT when it changes it (a 5xx
 * made a 4xx is deferred), else the query's own class.
 */
static void
refusal_count(const struct conf *conf, const char *egress, const char *query,
    enum lookup_status st, const char *out)
{
	const char *code = st == LOOKUP_OK ? out : query;

	if (conf->nwarmup == 0 || code[0] == '\0' || code[1] != '.')
		return;
	if (code[0] == '2')
		warmup_add(conf, egress, WARMUP_SENT, 1, time(NULL));
	else if (code[0] == '4')
		warmup_add(conf, egress, WARMUP_DEFERRED, 1, time(NULL));
	else if (code[0] == '5')
		warmup_add(conf, egress, WARMUP_BOUNCED, 1, time(NULL));
}

enum lookup_status
refusal_status(const struct conf *conf, const char *egress,
    const char *query, char *out, size_t size)
{
	enum lookup_status st = refusal_answer(conf, egress, query, out,
	    size);

	if (refusal_known_egress(conf, egress))
		refusal_count(conf, egress, query, st, out);
	return st;
}

/* refusal_status()'s answer, before counting. */
static enum lookup_status
refusal_answer(const struct conf *conf, const char *egress,
    const char *query, char *out, size_t size)
{
	struct reply *r;
	enum refusal_cause cause;
	enum lookup_status st = LOOKUP_NOTFOUND;
	char receiver[128], shown[600], domain[AUTH_FINDING_DOMAIN_MAX];
	long seconds;

	atomic_store(&refusal_global_after, conf->refusal_global);
	if (!refusal_known_egress(conf, egress))
		return LOOKUP_NOTFOUND;
	r = xmalloc(sizeof(*r));
	/* A malformed code is never learned (checked before anything). */
	if (reply_parse(query, r) != 0 || !r->remote) {
		free(r);
		return LOOKUP_NOTFOUND;
	}
	receiver_of_host(r->host, r->addr, receiver, sizeof(receiver));
	if (r->class == 2) {
		refusal_delivered(egress, receiver);
		free(r);
		return LOOKUP_NOTFOUND;
	}
	cause = refusal_cause_of(conf, r, &seconds);
	switch (cause) {
	case CAUSE_IP:
	case CAUSE_PTR:
		refusal_learn(egress, r, cause, seconds, receiver);
		warmup_refused(conf, egress, time(NULL));
		st = refusal_defer(query, r, egress, receiver, cause, out,
		    size);
		break;
	case CAUSE_RATE:
		refusal_learn(egress, r, cause, seconds, receiver);
		if (r->class == 5)
			st = refusal_defer(query, r, egress, receiver, cause,
			    out, size);
		break;
	case CAUSE_AUTH:
		if (refusal_spf_names(conf, egress, r)) {
			/* The egress's fault for this sender only: no
			 * back-off; the retry is routed again, by SPF. */
			log_notice("egress %s: %s[%s] refused it for SPF, naming "
			    "its address (cause auth, receiver %s): deferred, "
			    "the retry leaves through an egress the sender's "
			    "SPF permits: \"%s\"", egress, r->host, r->addr,
			    receiver, log_escape(shown, sizeof(shown),
			    r->text));
			st = refusal_defer(query, r, egress, receiver, cause,
			    out, size);
			break;
		}
		auth_finding_note(egress, receiver, r->text, domain,
		    sizeof(domain));
		log_notice("egress %s: %s[%s] refused for authentication "
		    "(cause auth, receiver %s, sender domain %s): the sender's "
		    "domain fails the receiver's SPF, DKIM or DMARC checks; the "
		    "egress is not at fault; advice: %s: \"%s\"", egress,
		    r->host, r->addr, receiver, domain[0] ? domain :
		    "not named", auth_finding_advice(r->text),
		    log_escape(shown, sizeof(shown), r->text));
		break;
	default:
		log_debug("egress %s: reply of %s[%s] is no refusal of the "
		    "egress (cause %s)", egress, r->host, r->addr,
		    cause_name(cause));
		break;
	}
	free(r);
	return st;
}
