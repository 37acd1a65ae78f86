/*
 * route.c - the route answer from health, learned refusals and SPF.
 *
 * route_lookup(), route_stop().
 *
 * The candidates are every egress in configuration order, the sender
 * domain's default (EgressMap, else the first egress) first; one whose
 * health is not ok or warning, or which is refused (refusal.c), or has
 * no transport= (only the default can be left to default_transport) is
 * passed over. SPF runs for all healthy candidates in one thread of its
 * own, which the lookup waits for at most ROUTE_SPF_WAIT_MS; spf.c
 * caches the verdicts, so a later lookup has them at once. The SPF
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
#include <time.h>

#include "auth/spf.h"
#include "conf/conf_map.h"
#include "dns/resolver.h"
#include "global/stats.h"
#include "health/egress.h"
#include "health/monitor.h"
#include "health/refusal.h"
#include "policy/route.h"
#include "util/log.h"
#include "util/util.h"

/* SPF of one sender for several egresses, shared with its thread. */
struct route_spf_job {
	char sender[512];
	size_t n;
	struct ip_address address[CONF_MAX_EGRESS];
	char helo[CONF_MAX_EGRESS][256];
	bool fails[CONF_MAX_EGRESS];
	size_t done;			/* verdicts known so far */
	int refs;
};

static pthread_mutex_t route_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t route_cond = PTHREAD_COND_INITIALIZER;
static int route_jobs;			/* SPF threads running */
static bool route_stopping;		/* route_stop(): no new threads */

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
		spf_check_host(&job->address[i], job->helo[i][0] ?
		    job->helo[i] : NULL, job->sender, &out);
		pthread_mutex_lock(&route_lock);
		job->fails[i] = out.verdict == SPFV_FAIL;
		job->done = i + 1;
		pthread_cond_broadcast(&route_cond);
		pthread_mutex_unlock(&route_lock);
	}
	spf_thread_cleanup();
	resolver_thread_cleanup();
	pthread_mutex_lock(&route_lock);
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
	int rc;

	if (route_jobs >= ROUTE_SPF_MAX_JOBS || route_stopping)
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
	route_jobs++;
	return true;
}

/*
 * SPF of SENDER from CANDIDATES (N indexes into CONF's egresses) into
 * FAILS; a verdict not known within ROUTE_SPF_WAIT_MS counts as no fail.
 */
static void
route_spf(const struct conf *conf, const char *sender, const int *candidates,
    size_t n, bool *fails)
{
	struct route_spf_job *job = xcalloc(1, sizeof(*job));
	struct timespec until;

	copy_bounded(job->sender, sizeof(job->sender), sender);
	for (size_t i = 0; i < n; i++) {
		const struct conf_egress *e = &conf->egress[candidates[i]];

		job->address[i] = e->address;
		copy_bounded(job->helo[i], sizeof(job->helo[i]), e->helo ?
		    e->helo : "");
	}
	job->n = n;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (ROUTE_SPF_WAIT_MS % 1000) * 1000000L;
	until.tv_sec += ROUTE_SPF_WAIT_MS / 1000 + until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&route_lock);
	if (!route_spf_start(job))
		log_debug("route: SPF of %s not checked (too many lookups "
		    "running)", sender);
	else
		while (job->done < n && pthread_cond_timedwait(&route_cond,
		    &route_lock, &until) != ETIMEDOUT)
			;
	for (size_t i = 0; i < n; i++)
		fails[i] = i < job->done && job->fails[i];
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

/*
 * Is egress E healthy now? Sets *KNOWN false before its first round;
 * adds why not to WHY.
 */
static bool
route_healthy(const struct conf_egress *e, bool *known, char *why,
    size_t size)
{
	struct egress_health h;
	struct refusal_info r;
	char text[700];

	if (monitor_snapshot(e->name, &h, 0) != 0 || !h.checked) {
		*known = false;
		return false;
	}
	if (h.state != EGRESS_OK && h.state != EGRESS_WARNING) {
		snprintf(text, sizeof(text), "%s: %.200s",
		    egress_state_name(h.state), h.reasons);
		route_add_reason(why, size, e->name, text);
		return false;
	}
	if (refusal_active(e->name, &r)) {
		snprintf(text, sizeof(text), "refused by %s for %ld s more",
		    r.destination[0] ? r.destination : "a destination",
		    (long)(r.until - time(NULL)));
		route_add_reason(why, size, e->name, text);
		return false;
	}
	return true;
}

static const char *
route_domain_of(const char *sender)
{
	const char *at = strrchr(sender, '@');

	if (sender[0] == '\0' || strcmp(sender, "<>") == 0)
		return NULL;
	return at ? at + 1 : NULL;
}

enum lookup_status
route_lookup(const struct conf *conf, const char *sender, char *out,
    size_t size)
{
	int candidates[CONF_MAX_EGRESS];
	bool fails[CONF_MAX_EGRESS], known = true;
	size_t n = 0, first;
	char why[600] = "", spf_sender[600];

	stats_count_route_lookup();

	if (conf->negress == 0)
		return LOOKUP_NOTFOUND;
	/* A bare localpart (Postfix's partial lookup): no say. */
	if (strchr(sender, '@') == NULL && sender[0] != '\0' &&
	    strcmp(sender, "<>") != 0)
		return LOOKUP_NOTFOUND;
	first = conf_egress_for_domain(conf, route_domain_of(sender));
	for (size_t k = 0; k < conf->negress; k++) {
		size_t i = k == 0 ? first : k <= first ? k - 1 : k;
		const struct conf_egress *e = &conf->egress[i];

		if (!route_healthy(e, &known, why, sizeof(why)))
			continue;
		if (i != first && e->transport == NULL)
			route_add_reason(why, sizeof(why), e->name,
			    "has no transport=");
		else
			candidates[n++] = (int)i;
	}
	if (!known)
		return LOOKUP_NOTFOUND;	/* before the first health round */
	/* "@domain" (Postfix's partial key): SPF of postmaster@domain. */
	snprintf(spf_sender, sizeof(spf_sender), "%s%s", sender[0] == '@' ?
	    "postmaster" : "", sender);
	route_spf(conf, spf_sender, candidates, n, fails);
	for (size_t c = 0; c < n; c++) {
		const struct conf_egress *e = &conf->egress[candidates[c]];

		if (fails[c]) {
			route_add_reason(why, sizeof(why), e->name,
			    "SPF fails for the sender");
			continue;
		}
		if ((size_t)candidates[c] == first)
			return LOOKUP_NOTFOUND;
		snprintf(out, size, "%s:%s", e->transport, e->nexthop ?
		    e->nexthop : "");
		return LOOKUP_OK;
	}
	if (n > 0)
		return LOOKUP_NOTFOUND;	/* healthy, SPF fails from all: no say */
	snprintf(out, size, "retry:4.7.1 no healthy egress: %s", why[0] ? why :
	    "none configured");
	return LOOKUP_OK;
}
