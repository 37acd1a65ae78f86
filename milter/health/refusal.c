/*
 * refusal.c - refusal patterns, learning a refusal, and its back-off.
 *
 * refusal_status(), refusal_active(), refusal_tick(), refusal_matches(),
 * refusal_forget_all().
 *
 * The patterns are compiled once per set (the shipped table and the
 * configuration's RefusalPattern lines) and matched under one lock
 * against "X.Y.Z text" with the continuation prefixes removed. The
 * state is one entry per egress name, kept across reloads; an entry
 * whose back-off is over stays (with its back-off) so that a new
 * refusal doubles it, until a delivery through the egress succeeds.
 * Must not: touch libmilter or DNS.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "global/stats.h"
#include "health/refusal.h"
#include "util/log.h"
#include "util/util.h"

/*
 * The shipped refusal patterns: listings and reputation blocks of the
 * sending address, as the big receivers word them. Documented in
 * egress-milter.conf(5); keep the two equal.
 */
static const char *const refusal_shipped[] = {
	"blocked using [^ ;]+",				/* Postfix, many */
	"(ip|address|host|client|sender)[^;]{0,80} (is|are|was|has been) "
	    "(currently )?(black|block)?listed",
	"(black|block)?listed (on|in|at|by) [^ ;]*(rbl|bl|blacklist|blocklist"
	    "|dnsbl|spamhaus|spamcop|barracuda|sorbs|uceprotect)",
	"spamhaus",
	"trend ?micro|mail-abuse\\.(com|org)|ers\\.trendmicro",
	"(^|[^a-z0-9])dul([^a-z0-9]|$)",
	"(^|[^0-9])[45]\\.7\\.28([^0-9]|$)|unusual rate of unsolicited",
	"(^|[^0-9])[45]\\.7\\.25([^0-9]|$)|does not have a ptr record",
	"(^|[^a-z0-9])s31[45]0([^0-9]|$)",
	"(^|[^0-9])[45]\\.7\\.(606|511|708)([^0-9]|$)",
	"(^|[^a-z0-9])(tss04|ts0[1-3]|bl21)([^0-9]|$)",
	"(^|[^a-z0-9])cs01([^0-9]|$)",
	"ipcheck\\.proofpoint\\.com|proofpoint[^;]{0,60}(block|reputation)",
	NULL
};

struct refusal_entry {
	char egress[CONF_NAME_MAX + 1];
	struct refusal_info info;
	bool ended_logged;		/* the end of the back-off was logged */
};

static pthread_mutex_t refusal_lock = PTHREAD_MUTEX_INITIALIZER;
static struct refusal_entry refusal_entries[CONF_MAX_EGRESS];
static size_t refusal_nentries;
/* The compiled set and what it was compiled from. */
static regex_t *refusal_regex;
static size_t refusal_nregex;
static char **refusal_sources;		/* the operator's lines */
static size_t refusal_nsources;
static bool refusal_compiled, refusal_compiled_none;

static void
refusal_free_set(void)			/* lock held */
{
	for (size_t i = 0; i < refusal_nregex; i++)
		regfree(&refusal_regex[i]);
	free(refusal_regex);
	for (size_t i = 0; i < refusal_nsources; i++)
		free(refusal_sources[i]);
	free(refusal_sources);
	refusal_regex = NULL;
	refusal_sources = NULL;
	refusal_nregex = refusal_nsources = 0;
	refusal_compiled = false;
}

static bool
refusal_set_is(const struct conf *conf)	/* lock held */
{
	if (!refusal_compiled || refusal_compiled_none != conf->refusal_none ||
	    refusal_nsources != conf->nrefusal_patterns)
		return false;
	for (size_t i = 0; i < refusal_nsources; i++)
		if (strcmp(refusal_sources[i], conf->refusal_patterns[i]) != 0)
			return false;
	return true;
}

static void
refusal_add_regex(const char *source)	/* lock held */
{
	if (regcomp(&refusal_regex[refusal_nregex], source, REG_EXTENDED |
	    REG_ICASE | REG_NOSUB) == 0)
		refusal_nregex++;
	else
		log_err("refusal pattern \"%.100s\" does not compile", source);
}

/* Compiles CONF's set when it is not the one compiled. Lock held. */
static void
refusal_compile(const struct conf *conf)
{
	size_t nshipped = 0;

	if (refusal_set_is(conf))
		return;
	refusal_free_set();
	while (refusal_shipped[nshipped] != NULL)
		nshipped++;
	refusal_regex = xcalloc(nshipped + conf->nrefusal_patterns + 1,
	    sizeof(regex_t));
	for (size_t i = 0; !conf->refusal_none && i < nshipped; i++)
		refusal_add_regex(refusal_shipped[i]);
	refusal_sources = xcalloc(conf->nrefusal_patterns + 1,
	    sizeof(char *));
	for (size_t i = 0; i < conf->nrefusal_patterns; i++) {
		refusal_sources[i] = xstrdup(conf->refusal_patterns[i]);
		refusal_add_regex(conf->refusal_patterns[i]);
	}
	refusal_nsources = conf->nrefusal_patterns;
	refusal_compiled_none = conf->refusal_none;
	refusal_compiled = true;
}

/*
 * TEXT without "NNN-X.Y.Z " and "NNN X.Y.Z " reply prefixes (those
 * after the first word: Postfix's query starts with its own X.Y.Z).
 */
static void
refusal_strip(const char *text, char *out, size_t size)
{
	size_t n = 0;
	const char *p = text;

	while (*p != '\0' && n + 1 < size) {
		const char *q = p;

		if (p != text && p[-1] == ' ' && isdigit((unsigned char)q[0])
		    && isdigit((unsigned char)q[1]) &&
		    isdigit((unsigned char)q[2]) && (q[3] == '-' || q[3] == ' ')) {
			q += 4;
			if (isdigit((unsigned char)q[0]) && q[1] == '.') {
				q += 2;
				while (isdigit((unsigned char)*q) || *q == '.')
					q++;
			}
			if (*q == ' ') {
				p = q + 1;
				continue;
			}
		}
		out[n++] = *p++;
	}
	out[n] = '\0';
}

bool
refusal_matches(const struct conf *conf, const char *text)
{
	size_t size = strlen(text) + 1;	/* stripping only shortens */
	char *clean = xmalloc(size);
	bool hit = false;

	refusal_strip(text, clean, size);
	pthread_mutex_lock(&refusal_lock);
	refusal_compile(conf);
	for (size_t i = 0; !hit && i < refusal_nregex; i++)
		hit = regexec(&refusal_regex[i], clean, 0, NULL, 0) == 0;
	pthread_mutex_unlock(&refusal_lock);
	free(clean);
	return hit;
}

/* The entry of EGRESS, created when CREATE. Lock held. */
static struct refusal_entry *
refusal_entry(const char *egress, bool create)
{
	for (size_t i = 0; i < refusal_nentries; i++)
		if (strcasecmp(refusal_entries[i].egress, egress) == 0)
			return &refusal_entries[i];
	if (!create || refusal_nentries == CONF_MAX_EGRESS)
		return NULL;
	struct refusal_entry *e = &refusal_entries[refusal_nentries++];

	memset(e, 0, sizeof(*e));
	copy_bounded(e->egress, sizeof(e->egress), egress);
	e->ended_logged = true;
	return e;
}

/* "host NAME[ADDR] said:" in Postfix's text: NAME[ADDR] into OUT. */
static void
refusal_destination(const char *text, char *out, size_t size)
{
	const char *p = strstr(text, "host "), *end;

	out[0] = '\0';
	if (p == NULL || (end = strstr(p, " said:")) == NULL)
		return;
	p += 5;
	if ((size_t)(end - p) >= size || memchr(p, ' ', (size_t)(end - p)))
		return;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
}

/* Records a refusal of EGRESS with TEXT; logs it when it is new. */
static void
refusal_learn(const struct conf *conf, const char *egress, const char *text)
{
	time_t now = time(NULL);
	struct refusal_entry *e;
	char shown[600];

	pthread_mutex_lock(&refusal_lock);
	if ((e = refusal_entry(egress, true)) == NULL) {
		pthread_mutex_unlock(&refusal_lock);
		return;
	}
	copy_bounded(e->info.text, sizeof(e->info.text), text);
	refusal_destination(text, e->info.destination,
	    sizeof(e->info.destination));
	e->info.since = now;
	if (e->info.until <= now) {
		e->info.backoff = e->info.backoff == 0 ? conf->refusal_backoff :
		    e->info.backoff * 2;
		if (e->info.backoff > REFUSAL_MAX_BACKOFF)
			e->info.backoff = REFUSAL_MAX_BACKOFF;
		e->info.until = now + e->info.backoff;
		e->info.count++;
		e->ended_logged = false;
		stats_count_refusal();
		log_notice("egress %s: refused by %s, not used for %ld s: "
		    "\"%s\"", egress, e->info.destination[0] ?
		    e->info.destination : "the destination", e->info.backoff,
		    log_escape(shown, sizeof(shown), text));
	}
	pthread_mutex_unlock(&refusal_lock);
}

/* A delivery through EGRESS succeeded: the next back-off starts anew. */
static void
refusal_delivered(const char *egress)
{
	struct refusal_entry *e;

	pthread_mutex_lock(&refusal_lock);
	if ((e = refusal_entry(egress, false)) != NULL &&
	    e->info.until <= time(NULL)) {
		e->info.backoff = 0;
		e->info.count = 0;
	}
	pthread_mutex_unlock(&refusal_lock);
}

/* Logs the end of E's back-off once it is over. Lock held. */
static void
refusal_check_end(struct refusal_entry *e, time_t now)
{
	if (e->ended_logged || e->info.until > now)
		return;
	e->ended_logged = true;
	log_notice("egress %s: refusal back-off of %ld s is over; the egress "
	    "is tried again", e->egress, e->info.backoff);
}

bool
refusal_active(const char *egress, struct refusal_info *out)
{
	time_t now = time(NULL);
	struct refusal_entry *e;
	bool active = false;

	pthread_mutex_lock(&refusal_lock);
	if ((e = refusal_entry(egress, false)) != NULL) {
		refusal_check_end(e, now);
		active = e->info.until > now;
		if (active && out != NULL)
			*out = e->info;
	}
	pthread_mutex_unlock(&refusal_lock);
	return active;
}

void
refusal_tick(void)
{
	time_t now = time(NULL);

	pthread_mutex_lock(&refusal_lock);
	for (size_t i = 0; i < refusal_nentries; i++)
		refusal_check_end(&refusal_entries[i], now);
	pthread_mutex_unlock(&refusal_lock);
}

void
refusal_forget_all(void)
{
	pthread_mutex_lock(&refusal_lock);
	refusal_nentries = 0;
	refusal_free_set();
	pthread_mutex_unlock(&refusal_lock);
}

static bool
refusal_known_egress(const struct conf *conf, const char *egress)
{
	for (size_t i = 0; i < conf->negress; i++)
		if (strcasecmp(conf->egress[i].name, egress) == 0)
			return true;
	return false;
}

/* Is QUERY "D.D{1,3}.D{1,3} text" with class 2, 4 or 5? The class. */
static int
refusal_class(const char *query, const char **text)
{
	const char *p = query;

	if ((*p != '2' && *p != '4' && *p != '5') || p[1] != '.')
		return -1;
	p += 2;
	for (int part = 0; part < 2; part++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
		if (part == 0 && *p++ != '.')
			return -1;
	}
	if (*p != ' ' && *p != '\0')
		return -1;
	*text = *p == ' ' ? p + 1 : p;
	return query[0] - '0';
}

enum lookup_status
refusal_status(const struct conf *conf, const char *egress,
    const char *query, char *out, size_t size)
{
	const char *text = query;
	int class = refusal_class(query, &text);
	size_t codelen = (size_t)(text - query);
	char code[16];

	if (!refusal_known_egress(conf, egress) || class < 0)
		return LOOKUP_NOTFOUND;
	if (class == 2) {
		refusal_delivered(egress);
		return LOOKUP_NOTFOUND;
	}
	if (text[0] == '\0' || !refusal_matches(conf, query))
		return LOOKUP_NOTFOUND;
	refusal_learn(conf, egress, text);
	if (codelen >= sizeof(code))
		return LOOKUP_NOTFOUND;
	memcpy(code, query, codelen);
	code[codelen] = '\0';
	code[0] = '4';
	while (codelen > 0 && code[codelen - 1] == ' ')
		code[--codelen] = '\0';
	snprintf(out, size, "%s %.*s (egress-milter: egress %s is refused; "
	    "the message stays queued and leaves through a healthy egress)",
	    code, (int)(size > 200 ? size - 200 : 0), text, egress);
	return LOOKUP_OK;
}
