/*
 * route.c - the route answer from health, learned refusals and SPF.
 *
 * route_lookup(), route_rcpt_lookup(), route_stop().
 *
 * The candidates are every egress in configuration order, the sender
 * domain's default (EgressMap, else the first egress) first; one whose
 * health is not ok or warning, or which is refused (refusal.c), or has
 * no transport= (only the default can be left to default_transport) is
 * passed over. SPF runs for the healthy candidates in order, a few at a
 * time (ROUTE_SPF_CHUNK: the first that SPF does not fail is the answer,
 * so a pool of a thousand is not judged whole for each lookup), in one
 * thread of its own, which the lookup waits for at most
 * ROUTE_SPF_WAIT_MS in all; spf.c caches the verdicts, so a later lookup
 * has them at once. An egress
 * counts as refused here only when it is backed off for every receiver;
 * route_rcpt_lookup() acts on the back-offs toward one receiver. The SPF
 * threads are counted: route_stop() starts no more and waits for those
 * running, as monitor_stop() waits for the health rounds.
 * Must not: touch libmilter; wait on DNS beyond ROUTE_SPF_WAIT_MS.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/spf.h"
#include "conf/conf_map.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"
#include "global/cause.h"
#include "global/stats.h"
#include "health/egress.h"
#include "health/monitor.h"
#include "health/receiver.h"
#include "health/refusal.h"
#include "health/warmup.h"
#include "policy/route.h"
#include "util/log.h"
#include "util/util.h"

/* One egress of a job: where from, and its verdict. */
struct route_spf_egress {
	struct ip_address address;
	char helo[256];
	bool fails;
};

/* SPF of one sender for several egresses, shared with its thread. */
struct route_spf_job {
	char sender[512];
	size_t done;			/* verdicts known so far */
	int refs;
	bool running;			/* in route_running[] */
	size_t n;
	struct route_spf_egress egress[];	/* n of them */
};

static pthread_mutex_t route_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t route_cond = PTHREAD_COND_INITIALIZER;
static int route_jobs;			/* SPF threads running */
static bool route_stopping;		/* route_stop(): no new threads */
/* The jobs running, for single flight: one per sender at a time. */
static struct route_spf_job *route_running[ROUTE_SPF_MAX_JOBS];

static void
route_job_unref(struct route_spf_job *job)	/* lock held */
{
	if (--job->refs == 0)
		free(job);
}

static void *
route_spf_thread(void *arg)
{
	struct route_spf_job *job = arg;
	struct spf_outcome out;

	for (size_t i = 0; i < job->n; i++) {
		spf_check_host(&job->egress[i].address, job->egress[i].helo[0] ?
		    job->egress[i].helo : NULL, job->sender, &out);
		pthread_mutex_lock(&route_lock);
		job->egress[i].fails = out.verdict == SPFV_FAIL;
		job->done = i + 1;
		pthread_cond_broadcast(&route_cond);
		pthread_mutex_unlock(&route_lock);
	}
	spf_thread_cleanup();
	resolver_thread_cleanup();
	pthread_mutex_lock(&route_lock);
	for (size_t i = 0; i < ROUTE_SPF_MAX_JOBS; i++)
		if (route_running[i] == job)
			route_running[i] = NULL;
	route_jobs--;
	route_job_unref(job);
	pthread_cond_broadcast(&route_cond);	/* route_stop() waits */
	pthread_mutex_unlock(&route_lock);
	return NULL;
}

/* Starts JOB's thread; false when too many run or it cannot start. */
static bool
route_spf_start(struct route_spf_job *job)	/* lock held */
{
	pthread_attr_t attr;
	pthread_t thread;
	size_t slot = ROUTE_SPF_MAX_JOBS;
	int rc;

	for (size_t i = 0; i < ROUTE_SPF_MAX_JOBS && slot == ROUTE_SPF_MAX_JOBS;
	    i++)
		if (route_running[i] == NULL)
			slot = i;
	if (route_jobs >= ROUTE_SPF_MAX_JOBS || slot == ROUTE_SPF_MAX_JOBS ||
	    route_stopping)
		return false;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	job->refs = 2;
	rc = pthread_create(&thread, &attr, route_spf_thread, job);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		job->refs = 1;
		return false;
	}
	route_running[slot] = job;
	route_jobs++;
	return true;
}

/* A running job for the same sender and egresses as JOB. Lock held. */
static struct route_spf_job *
route_spf_same(const struct route_spf_job *job)
{
	for (size_t i = 0; i < ROUTE_SPF_MAX_JOBS; i++) {
		struct route_spf_job *r = route_running[i];
		bool same;

		if (r == NULL || r->n != job->n ||
		    strcasecmp(r->sender, job->sender) != 0)
			continue;
		same = true;
		for (size_t k = 0; k < job->n && same; k++)
			same = strcmp(r->egress[k].address.text,
			    job->egress[k].address.text) == 0 &&
			    strcmp(r->egress[k].helo, job->egress[k].helo) == 0;
		if (same)
			return r;
	}
	return NULL;
}

/*
 * SPF of SENDER from CANDIDATES (N indexes into CONF's egresses) into
 * FAILS. Cached verdicts count at once, with no thread; otherwise one
 * thread per sender (a lookup of the same sender under way is waited
 * for, not repeated), at most ROUTE_SPF_MAX_JOBS; a verdict not known
 * by UNTIL (CLOCK_REALTIME) counts as no fail.
 */
static void
route_spf(const struct conf *conf, const char *sender, const int *candidates,
    size_t n, bool *fails, const struct timespec *until)
{
	struct route_spf_job *job, *same;
	struct spf_outcome out;
	bool all_cached = true;

	job = xcalloc(1, sizeof(*job) + n * sizeof(job->egress[0]));
	copy_bounded(job->sender, sizeof(job->sender), sender);
	for (size_t i = 0; i < n; i++) {
		const struct conf_egress *e = &conf->egress[candidates[i]];

		job->egress[i].address = e->address;
		copy_bounded(job->egress[i].helo, sizeof(job->egress[i].helo),
		    e->helo ? e->helo : "");
		if (spf_cached(&e->address, e->helo, sender, &out))
			fails[i] = out.verdict == SPFV_FAIL;
		else
			all_cached = fails[i] = false;
	}
	job->n = n;
	if (all_cached) {
		free(job);
		return;
	}
	pthread_mutex_lock(&route_lock);
	if ((same = route_spf_same(job)) != NULL) {
		free(job);
		job = same;
		job->refs++;
	} else if (!route_spf_start(job)) {
		log_debug("route: SPF of %s not looked up (too many lookups "
		    "running); cached verdicts only", sender);
		route_job_unref(job);
		pthread_mutex_unlock(&route_lock);
		return;
	}
	while (job->done < n && pthread_cond_timedwait(&route_cond,
	    &route_lock, until) != ETIMEDOUT)
		;
	for (size_t i = 0; i < n; i++)
		if (i < job->done)
			fails[i] = job->egress[i].fails;
	route_job_unref(job);
	pthread_mutex_unlock(&route_lock);
}

int
route_stop(int wait_ms)
{
	struct timespec until;
	int left;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (wait_ms % 1000) * 1000000L;
	until.tv_sec += wait_ms / 1000 + until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&route_lock);
	route_stopping = true;
	while (route_jobs > 0 && pthread_cond_timedwait(&route_cond,
	    &route_lock, &until) != ETIMEDOUT)
		;
	left = route_jobs;
	pthread_mutex_unlock(&route_lock);
	return left;
}

#define ROUTE_WARMUP_DEFER (-1L)	/* route_warmup_pick(): capped */

/* Appends "NAME why" to the reasons in OUT (printable ASCII only). */
static void
route_add_reason(char *out, size_t size, const char *name, const char *why)
{
	size_t len = strlen(out);

	snprintf(out + len, size - len, "%s%s %s", len ? "; " : "", name, why);
	for (char *p = out + len; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = ' ';
}

/* What the route map makes of an egress now. */
enum route_fitness {
	ROUTE_UNFIT,		/* unhealthy or backed off: WHY says why */
	ROUTE_FIT,		/* healthy */
	ROUTE_DNS_UNKNOWN	/* its checks met DNS errors only: usable */
};

/*
 * Is egress E fit to carry mail now? Sets *KNOWN false before its first
 * round; adds why not to WHY. An egress whose checks met only DNS
 * errors (state unknown) is not known to be bad: it stays usable, after
 * the healthy ones, because a DNS failure never holds mail.
 */
static enum route_fitness
route_healthy(const struct conf_egress *e, bool *known, char *why,
    size_t size)
{
	enum egress_state state;
	struct refusal_info r;
	char text[700], reasons[201];

	if (monitor_state(e->name, &state, reasons, sizeof(reasons)) != 0) {
		*known = false;
		return ROUTE_UNFIT;
	}
	if (state == EGRESS_CRITICAL) {
		snprintf(text, sizeof(text), "%s: %s",
		    egress_state_name(state), reasons);
		route_add_reason(why, size, e->name, text);
		return ROUTE_UNFIT;
	}
	if (refusal_active(e->name, &r)) {
		snprintf(text, sizeof(text), "refused by %s for %ld s more",
		    r.destination[0] ? r.destination : "a destination",
		    (long)(r.until - time(NULL)));
		route_add_reason(why, size, e->name, text);
		return ROUTE_UNFIT;
	}
	return state == EGRESS_UNKNOWN ? ROUTE_DNS_UNKNOWN : ROUTE_FIT;
}

/*
 * Warm-up spill-over (health/warmup.c): of the egresses CANDIDATES (N
 * indexes into CONF's egresses, in order of preference), the first not
 * at its warm-up cap; when all are, WarmupFull send: the least loaded
 * (its day's load over its daily cap), defer: ROUTE_WARMUP_DEFER. The
 * choice counts as selected, each one passed over as spilled; the caps
 * reached are added to WHY.
 */
static long
route_warmup_pick(const struct conf *conf, const int *candidates, size_t n,
    char *why, size_t size)
{
	struct warmup_view v;
	time_t now = time(NULL);
	long pick = -1, best_load = 0, best_cap = 1;
	char text[160];

	for (size_t c = 0; c < n && conf->nwarmup > 0; c++) {
		const char *name = conf->egress[candidates[c]].name;

		if (!warmup_snapshot(conf, name, now, &v) || !v.full) {
			pick = candidates[c];
			break;
		}
		warmup_add(conf, name, WARMUP_SPILLED, 1, now);
		if (v.started)
			snprintf(text, sizeof(text), "at its warm-up cap (step "
			    "%u: %ld of %ld today, %ld of %ld this hour)",
			    v.step, v.load_day, v.cap_day, v.load_hour,
			    v.cap_hour);
		else
			snprintf(text, sizeof(text), "warms up from a later "
			    "day (start=)");
		route_add_reason(why, size, name, text);
		if (c == 0 || v.load_day * best_cap < best_load *
		    (v.cap_day > 0 ? v.cap_day : 1)) {
			best_load = v.load_day;
			best_cap = v.cap_day > 0 ? v.cap_day : 1;
			if (conf->warmup_full == WARMUP_FULL_SEND)
				pick = -2 - (long)c;	/* the least so far */
		}
	}
	if (conf->nwarmup == 0)
		return candidates[0];
	if (pick == -1)
		return ROUTE_WARMUP_DEFER;
	if (pick <= -2)
		pick = candidates[-2 - pick];
	warmup_add(conf, conf->egress[pick].name, WARMUP_SELECTED, 1, now);
	return pick;
}

static const char *
route_domain_of(const char *sender)
{
	const char *at = strrchr(sender, '@');

	if (sender[0] == '\0' || strcmp(sender, "<>") == 0)
		return NULL;
	return at ? at + 1 : NULL;
}

/*
 * No preference for SENDER: "DUNNO" for a whole address or the null
 * sender (it ends Postfix's search, which would otherwise ask again with
 * "@domain", judged as postmaster's SPF), NOTFOUND for a partial key.
 */
static enum lookup_status
route_no_say(const char *sender, char *out, size_t size)
{
	if (sender[0] == '@')
		return LOOKUP_NOTFOUND;
	snprintf(out, size, "DUNNO");
	return LOOKUP_OK;
}

/*
 * route_lookup()'s choice with its working arrays CANDIDATES and FAILS
 * (conf->negress entries each).
 */
static enum lookup_status
route_choose(const struct conf *conf, const char *sender, int *candidates,
    bool *fails, char *out, size_t size)
{
	bool known = true;
	size_t n = 0, unknown = 0, first, allowed = 0;
	char why[600] = "", spf_sender[600];
	struct timespec until;

	first = conf_egress_for_domain(conf, route_domain_of(sender));
	/*
	 * The healthy egresses first, in order; those DNS errors left
	 * unknown are kept from the end of CANDIDATES and follow them.
	 */
	for (size_t k = 0; k < conf->negress; k++) {
		size_t i = k == 0 ? first : k <= first ? k - 1 : k;
		const struct conf_egress *e = &conf->egress[i];
		enum route_fitness fit = route_healthy(e, &known, why,
		    sizeof(why));

		if (fit == ROUTE_UNFIT)
			continue;
		if (i != first && e->transport == NULL)
			route_add_reason(why, sizeof(why), e->name,
			    "has no transport=");
		else if (fit == ROUTE_FIT)
			candidates[n++] = (int)i;
		else
			candidates[conf->negress - ++unknown] = (int)i;
	}
	for (size_t u = 0; u < unknown; u++)
		candidates[n++] = candidates[conf->negress - 1 - u];
	if (!known)
		return LOOKUP_NOTFOUND;	/* before the first health round */
	/* "@domain" (Postfix's partial key): SPF of postmaster@domain. */
	snprintf(spf_sender, sizeof(spf_sender), "%s%s", sender[0] == '@' ?
	    "postmaster" : "", sender);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (ROUTE_SPF_WAIT_MS % 1000) * 1000000L;
	until.tv_sec += ROUTE_SPF_WAIT_MS / 1000 + until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	for (size_t c = 0; c < n; c++) {
		const struct conf_egress *e = &conf->egress[candidates[c]];

		if (c % ROUTE_SPF_CHUNK == 0)
			route_spf(conf, spf_sender, candidates + c, n - c <
			    ROUTE_SPF_CHUNK ? n - c : ROUTE_SPF_CHUNK,
			    fails + c, &until);

		if (fails[c]) {
			route_add_reason(why, sizeof(why), e->name,
			    "SPF fails for the sender");
			continue;
		}
		candidates[allowed++] = candidates[c];
	}
	if (allowed > 0) {
		long pick = route_warmup_pick(conf, candidates, allowed, why,
		    sizeof(why));

		if (pick == ROUTE_WARMUP_DEFER) {
			snprintf(out, size, "retry:4.7.1 every healthy egress "
			    "is at its warm-up cap: %s", why);
			return LOOKUP_OK;
		}
		if ((size_t)pick == first)
			return route_no_say(sender, out, size);
		snprintf(out, size, "%s:%s", conf->egress[pick].transport,
		    conf->egress[pick].nexthop ? conf->egress[pick].nexthop :
		    "");
		return LOOKUP_OK;
	}
	if (n > 0)	/* healthy, SPF fails from all: no say */
		return route_no_say(sender, out, size);
	snprintf(out, size, "retry:4.7.1 no healthy egress: %s", why[0] ? why :
	    "none configured");
	return LOOKUP_OK;
}

enum lookup_status
route_lookup(const struct conf *conf, const char *sender, char *out,
    size_t size)
{
	int *candidates;
	bool *fails;
	enum lookup_status status;

	stats_count_route_lookup();

	if (conf->negress == 0)
		return LOOKUP_NOTFOUND;
	/* A bare localpart (Postfix's partial lookup): no say. */
	if (strchr(sender, '@') == NULL && sender[0] != '\0' &&
	    strcmp(sender, "<>") != 0)
		return LOOKUP_NOTFOUND;
	candidates = xcalloc(conf->negress, sizeof(*candidates));
	fails = xcalloc(conf->negress, sizeof(*fails));
	status = route_choose(conf, sender, candidates, fails, out, size);
	free(candidates);
	free(fails);
	return status;
}

/*
 * route-rcpt: the MX names of recipient domains not in the cache are
 * fetched by one background thread from a ring of ROUTE_MX_QUEUE names
 * (a full ring drops the name: the next lookup asks again).
 */
static pthread_mutex_t route_mx_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t route_mx_cond = PTHREAD_COND_INITIALIZER;
static pthread_once_t route_mx_once = PTHREAD_ONCE_INIT;
static char route_mx_ring[ROUTE_MX_QUEUE][DNS_NAME_MAX + 1];
static unsigned route_mx_head, route_mx_count;
static bool route_mx_running;

static void *
route_mx_thread(void *arg)
{
	char name[DNS_NAME_MAX + 1];

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&route_mx_lock);
		while (route_mx_count == 0)
			pthread_cond_wait(&route_mx_cond, &route_mx_lock);
		memcpy(name, route_mx_ring[route_mx_head], sizeof(name));
		route_mx_head = (route_mx_head + 1) % ROUTE_MX_QUEUE;
		route_mx_count--;
		pthread_mutex_unlock(&route_mx_lock);
		dns_answer_free(dns_lookup(name, DNS_TYPE_MX));
	}
	return NULL;
}

static void
route_mx_start(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, route_mx_thread, NULL) != 0) {
		log_warn("route-rcpt: cannot start the MX fetching thread");
		return;
	}
	pthread_detach(t);
	route_mx_running = true;
}

/* Queues DOMAIN's MX lookup unless it is queued already or no room. */
static void
route_mx_fetch(const char *domain)
{
	pthread_once(&route_mx_once, route_mx_start);
	pthread_mutex_lock(&route_mx_lock);
	for (unsigned i = 0; i < route_mx_count; i++)
		if (strcasecmp(route_mx_ring[(route_mx_head + i) %
		    ROUTE_MX_QUEUE], domain) == 0) {
			pthread_mutex_unlock(&route_mx_lock);
			return;
		}
	if (route_mx_running && route_mx_count < ROUTE_MX_QUEUE) {
		copy_bounded(route_mx_ring[(route_mx_head + route_mx_count) %
		    ROUTE_MX_QUEUE], DNS_NAME_MAX + 1, domain);
		route_mx_count++;
		pthread_cond_signal(&route_mx_cond);
	}
	pthread_mutex_unlock(&route_mx_lock);
}

/*
 * The receiver of mail to DOMAIN from the cached MX (the first name;
 * the domain itself when it has no MX): false on a cache miss, which
 * queues the lookup.
 */
static bool
route_receiver_of(const char *domain, char *out, size_t size)
{
	struct dns_answer *mx;

	if ((mx = dnscache_fresh(domain, DNS_TYPE_MX)) == NULL) {
		route_mx_fetch(domain);
		return false;
	}
	if (mx->status == DNS_OK && mx->count > 0)
		receiver_of_host(mx->records[0], "", out, size);
	else if (mx->status == DNS_NXDOMAIN || mx->status == DNS_NODATA)
		receiver_of_host(domain, "", out, size);
	else
		out[0] = '\0';
	dns_answer_free(mx);
	return out[0] != '\0';
}

enum lookup_status
route_rcpt_lookup(const struct conf *conf, const char *recipient, char *out,
    size_t size)
{
	const char *at = strrchr(recipient, '@');
	const char *domain = at ? at + 1 : recipient;
	char receiver[128], why[600] = "", text[700];
	const struct conf_egress *used = NULL;
	struct refusal_info r;
	bool known = true;
	int *candidates;
	size_t n = 0;
	long pick;

	stats_count_route_lookup();
	/* Postfix's partial keys ".parent" and "*", a bare name: no say. */
	if (conf->negress < 2 || domain[0] == '\0' || domain[0] == '.' ||
	    strchr(domain, '.') == NULL || strlen(domain) > DNS_NAME_MAX)
		return LOOKUP_NOTFOUND;
	if (!route_receiver_of(domain, receiver, sizeof(receiver)))
		return LOOKUP_NOTFOUND;
	/* The egress that would be used: the first healthy one. */
	for (size_t i = 0; i < conf->negress && used == NULL; i++)
		if (route_healthy(&conf->egress[i], &known, why,
		    sizeof(why)) != ROUTE_UNFIT)
			used = &conf->egress[i];
	if (used == NULL || !refusal_toward(used->name, receiver, &r))
		return LOOKUP_NOTFOUND;	/* the route map decides */
	if (r.cause == CAUSE_RATE) {
		/* A pause, not a reroute: mail to that receiver waits. */
		snprintf(out, size, "retry:4.7.1 egress %s is paused toward %s "
		    "for %ld s more (rate limit)", used->name, receiver,
		    (long)(r.until - time(NULL)));
		return LOOKUP_OK;
	}
	snprintf(text, sizeof(text), "refused by %s for %ld s more (cause %s)",
	    receiver, (long)(r.until - time(NULL)), cause_name(r.cause));
	route_add_reason(why, sizeof(why), used->name, text);
	candidates = xcalloc(conf->negress, sizeof(*candidates));
	for (size_t i = 0; i < conf->negress; i++) {
		const struct conf_egress *e = &conf->egress[i];

		if (e == used || e->transport == NULL ||
		    route_healthy(e, &known, why, sizeof(why)) ==
		    ROUTE_UNFIT)
			continue;
		if (refusal_toward(e->name, receiver, &r)) {
			snprintf(text, sizeof(text), "refused by %s", receiver);
			route_add_reason(why, sizeof(why), e->name, text);
			continue;
		}
		candidates[n++] = (int)i;
	}
	pick = n > 0 ? route_warmup_pick(conf, candidates, n, why,
	    sizeof(why)) : ROUTE_WARMUP_DEFER;
	free(candidates);
	if (pick != ROUTE_WARMUP_DEFER) {
		const struct conf_egress *e = &conf->egress[pick];

		snprintf(out, size, "%s:%s", e->transport, e->nexthop ?
		    e->nexthop : "");
		return LOOKUP_OK;
	}
	snprintf(out, size, "retry:4.7.1 no egress left for %s: %s", receiver,
	    why);
	return LOOKUP_OK;
}
