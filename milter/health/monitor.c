/*
 * monitor.c - the background health monitor of every egress.
 *
 * monitor_start(), monitor_stop(), monitor_restart(), monitor_snapshot(),
 * monitor_state(), monitor_snapshot_all(), monitor_apply().
 *
 * Each monitor is one detached thread with its own state, referenced by
 * the thread and by "current". Stopping one (at shutdown or reload) only
 * marks it stopped and drops the current reference: a round stuck in
 * DNS timeouts never delays a stop or a reload; the thread notices at
 * its next step and frees what it owns.
 * The first round after a start or a reload (which may bring new zones),
 * or after a recheck, is prompt: the egresses one after the other,
 * as fast as DnsblRate lets them (dnsbl_pace()), each known to the
 * message path as soon as it is checked. Every later round is spread
 * over its interval: egress i of n is checked at (i+1)/n of it, so a pool
 * of a thousand asks its zones a few questions a second, not all at
 * once. Egresses are found by name through an index sorted by name.
 * Hysteresis is kept per finding: a finding seen takes effect at once;
 * one that disappears is dropped after two consecutive rounds without
 * it. A round with DNS errors says nothing about what it could not see,
 * so it never counts towards recovery.
 * Must not: touch libmilter; block the message path on DNS.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "conf/conf.h"
#include "dns/dnscache.h"
#include "dns/dnsdeadline.h"
#include "dns/resolver.h"
#include "global/finding.h"
#include "health/egress.h"
#include "health/fleet_health.h"
#include "health/healthlog.h"
#include "health/monitor.h"
#include "health/warmup.h"
#include "util/log.h"
#include "util/util.h"

#define SELFTEST_INTERVAL 3600	/* seconds between zone self-tests */
#define MIN_ROUND_INTERVAL 10	/* seconds */
#define RECOVERY_ROUNDS 2

struct monitor {
	struct conf *conf;			/* a reference */
	struct egress_health *health;		/* conf->negress entries */
	size_t *by_name;			/* health indexes, by name */
	bool first_round_done;
	bool stopped;
	bool recheck;				/* a round now (monitor_recheck) */
	int refs;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct monitor *current;
static int running_threads;		/* monitor threads not yet gone */

static void
monitor_unref(struct monitor *m)	/* lock held */
{
	if (--m->refs > 0)
		return;
	conf_release(m->conf);
	free(m->health);
	free(m->by_name);
	free(m);
}

/* The index of egress NAME in M->health, or -1. */
static long
monitor_find(const struct monitor *m, const char *name)
{
	size_t lo = 0, hi = m->conf->negress;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->health[m->by_name[mid]].name, name);

		if (c == 0)
			return (long)m->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static const struct egress_health *sort_health;	/* lock held */

static int
by_name_cmp(const void *a, const void *b)
{
	return strcmp(sort_health[*(const size_t *)a].name,
	    sort_health[*(const size_t *)b].name);
}

/* Builds M->by_name from the names in M->health. Lock held. */
static void
monitor_index(struct monitor *m)
{
	size_t n = m->conf->negress;

	m->by_name = xcalloc(n ? n : 1, sizeof(*m->by_name));
	for (size_t i = 0; i < n; i++)
		m->by_name[i] = i;
	sort_health = m->health;
	qsort(m->by_name, n, sizeof(*m->by_name), by_name_cmp);
	sort_health = NULL;
}

bool
monitor_apply(struct egress_health *health, const struct egress_report *report)
{
	int *absent = health->absent;
	enum egress_state before = health->checked ? health->state :
	    EGRESS_UNKNOWN;
	bool blind = report->findings[FINDING_DNS_ERROR];
	size_t len;

	snprintf(health->reasons, sizeof(health->reasons), "%s",
	    report->reasons);
	snprintf(health->noise, sizeof(health->noise), "%s", report->noise);
	health->nzones = report->ndnsbl;
	for (size_t k = 0; k < report->ndnsbl && k < CONF_MAX_DNSBL; k++)
		health->zone_listed[k] = report->dnsbl[k].listed &&
		    !report->dnsbl[k].suspended;
	for (int f = 0; f < FINDING_COUNT; f++) {
		if (report->findings[f] || !health->checked) {
			health->findings[f] = report->findings[f];
			absent[f] = 0;
		} else if (health->findings[f] && (!blind ||
		    f == FINDING_DNS_ERROR)) {
			if (++absent[f] >= RECOVERY_ROUNDS) {
				health->findings[f] = false;
				absent[f] = 0;
			} else {
				len = strlen(health->reasons);
				snprintf(health->reasons + len,
				    sizeof(health->reasons) - len,
				    "%s%s kept until %d clean rounds (%d so "
				    "far)", len ? "; " : "", finding_name(f),
				    RECOVERY_ROUNDS, absent[f]);
			}
		}
	}
	health->state = egress_state_of(health->findings);
	if (report->advice[0] || health->state == EGRESS_OK)
		copy_bounded(health->advice, sizeof(health->advice),
		    report->advice);	/* a finding kept keeps its advice */
	if (health->state != before || !health->checked)
		health->since = time(NULL);
	health->checked = true;
	return health->state != before;
}

/* FROM plus MS milliseconds (CLOCK_REALTIME times, for timed waits). */
static void
time_after(const struct timespec *from, long long ms, struct timespec *until)
{
	*until = *from;
	until->tv_sec += (time_t)(ms / 1000);
	until->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

/* The CLOCK_REALTIME time MS milliseconds from now, for timed waits. */
static void
deadline_after(int ms, struct timespec *until)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	time_after(&now, ms, until);
}

/*
 * Waits until UNTIL, or until M is stopped or a recheck is asked (then
 * returns false and takes the recheck). Lock held.
 */
static bool
monitor_wait_until(struct monitor *m, const struct timespec *until)
{
	while (!m->stopped && !m->recheck && pthread_cond_timedwait(&changed,
	    &lock, until) != ETIMEDOUT)
		;
	if (m->stopped || m->recheck) {
		m->recheck = false;
		return false;
	}
	return true;
}

void
monitor_recheck(void)
{
	pthread_mutex_lock(&lock);
	if (current != NULL) {
		current->recheck = true;
		pthread_cond_broadcast(&changed);
	}
	pthread_mutex_unlock(&lock);
}

static bool
any_family(const struct conf *conf, int family)
{
	for (size_t i = 0; i < conf->negress; i++)
		if (conf->egress[i].address.family == family)
			return true;
	return false;
}

/* The DNS cache's counters, once a round (LogLevel debug). */
static void
log_cache_stats(void)
{
	struct dnscache_stats st;

	dnscache_get_stats(&st);
	log_debug("dns cache: %zu entries, %lu hits, %lu misses, %lu "
	    "coalesced, %lu stale, %lu evictions", st.entries, st.hits,
	    st.misses, st.coalesced, st.stale, st.evictions);
}

/* True when no checked egress is ok or warning. Lock held. */
static bool
none_healthy(const struct monitor *m)
{
	for (size_t i = 0; i < m->conf->negress; i++)
		if (!m->health[i].checked || m->health[i].state == EGRESS_OK ||
		    m->health[i].state == EGRESS_WARNING)
			return false;
	return true;
}

/*
 * Waits, in a round spread over SPAN seconds from START, until I/N of it
 * (egress i waits for i+1: the last ends the round, and a single egress
 * is checked once an interval, at its end). False when M is stopped or
 * a recheck is asked.
 */
static bool
monitor_turn(struct monitor *m, const struct timespec *start, long span,
    size_t i, size_t n)
{
	struct timespec at;
	bool go;

	time_after(start, span * 1000LL * (long long)i / (long long)n, &at);
	pthread_mutex_lock(&lock);
	go = monitor_wait_until(m, &at);
	pthread_mutex_unlock(&lock);
	return go;
}

/*
 * One round over every egress, spread over SPAN seconds (0: prompt):
 * egress i of n at (i+1)/n of it. Returns the seconds the next round
 * spans: 0 (prompt) when this one was cut short by a recheck.
 */
static long
monitor_round(struct monitor *m, struct zone_status zones[2][CONF_MAX_DNSBL],
    struct egress_report *report, long span)
{
	const struct conf *conf = m->conf;
	long next = conf->check_interval;
	struct timespec start;
	bool go = true;

	clock_gettime(CLOCK_REALTIME, &start);
	dnscache_refresh_mode(true);
	for (size_t i = 0; i < conf->negress && go; i++) {
		const struct conf_egress *e = &conf->egress[i];
		struct egress_health *h = &m->health[i];
		enum egress_state before;
		bool first;

		if (span > 0 && !monitor_turn(m, &start, span, i + 1,
		    conf->negress)) {
			go = false;
			break;
		}
		/* Another relay's check of this round, or our own. */
		if (fleet_health_turn(conf, e, report)) {
			egress_check(conf, e,
			    zones[e->address.family == AF_INET6], report);
			fleet_health_done(conf, e, report);
		}
		if ((long)report->ttl < next)
			next = (long)report->ttl * 9 / 10;
		pthread_mutex_lock(&lock);
		before = h->checked ? h->state : EGRESS_UNKNOWN;
		first = !h->checked;
		if (!m->stopped && (monitor_apply(h, report) || first))
			healthlog_change(h, before, first, none_healthy(m));
		pthread_cond_broadcast(&changed);	/* H is known */
		go = !m->stopped;
		pthread_mutex_unlock(&lock);
		if (report->findings[FINDING_LISTED])
			warmup_listed(conf, e->name, time(NULL));
	}
	dnscache_refresh_mode(false);
	log_cache_stats();
	/* The round fills its span; a prompt one is followed at once. */
	if (go && span > 0 && conf->negress > 0)
		go = monitor_turn(m, &start, span, conf->negress,
		    conf->negress);
	else if (go && span == 0)
		go = monitor_turn(m, &start, 0, 0, 1);	/* a recheck? */
	if (!go)
		return 0;
	next *= fleet_budget_stretch(conf);	/* DnsblBudget */
	return next < MIN_ROUND_INTERVAL ? MIN_ROUND_INTERVAL : next;
}

static void *
monitor_thread(void *arg)
{
	struct monitor *m = arg;
	struct zone_status (*zones)[CONF_MAX_DNSBL] = xcalloc(2,
	    sizeof(*zones));
	struct egress_report *report = xmalloc(sizeof(*report));
	time_t selftest_due = 0;
	long span = 0;			/* the first round is prompt */

	for (;;) {
		if (time(NULL) >= selftest_due) {
			if (any_family(m->conf, AF_INET))
				egress_zone_selftests(m->conf, AF_INET, zones[0]);
			if (any_family(m->conf, AF_INET6))
				egress_zone_selftests(m->conf, AF_INET6,
				    zones[1]);
			selftest_due = time(NULL) + SELFTEST_INTERVAL;
		}
		span = monitor_round(m, zones, report, span);
		pthread_mutex_lock(&lock);
		if (!m->stopped)
			m->first_round_done = true;
		pthread_cond_broadcast(&changed);
		if (m->stopped) {
			monitor_unref(m);
			pthread_mutex_unlock(&lock);
			break;
		}
		pthread_mutex_unlock(&lock);
	}
	free(zones);
	free(report);
	resolver_thread_cleanup();
	pthread_mutex_lock(&lock);
	running_threads--;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Starts a monitor for CONF, carrying over the state in OLD. Lock held. */
static int
monitor_start_locked(struct conf *conf, const struct monitor *old)
{
	struct monitor *m = xcalloc(1, sizeof(*m));
	pthread_attr_t attr;
	pthread_t thread;
	bool all_carried = true;

	m->conf = conf;
	m->health = xcalloc(conf->negress ? conf->negress : 1,
	    sizeof(*m->health));
	for (size_t i = 0; i < conf->negress; i++) {
		struct egress_health *h = &m->health[i];
		bool carried = false;

		long j = old ? monitor_find(old, conf->egress[i].name) : -1;

		if (j >= 0 && strcmp(old->health[j].address,
		    conf->egress[i].address.text) == 0) {
			*h = old->health[j];
			carried = true;
		}
		all_carried = all_carried && carried;
		copy_bounded(h->name, sizeof(h->name), conf->egress[i].name);
		copy_bounded(h->address, sizeof(h->address),
		    conf->egress[i].address.text);
		if (!carried)
			h->state = EGRESS_UNKNOWN;
	}
	monitor_index(m);
	m->first_round_done = old != NULL && all_carried;
	m->refs = 2;			/* the thread's and current's */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attr, monitor_thread, m) != 0) {
		pthread_attr_destroy(&attr);
		free(m->by_name);
		free(m->health);
		free(m);
		return -1;
	}
	pthread_attr_destroy(&attr);
	running_threads++;
	current = m;
	return 0;
}

static void
monitor_stop_locked(void)
{
	if (current == NULL)
		return;
	current->stopped = true;
	pthread_cond_broadcast(&changed);
	monitor_unref(current);
	current = NULL;
}

int
monitor_start(struct conf *conf)
{
	int rc;

	pthread_mutex_lock(&lock);
	monitor_stop_locked();
	rc = monitor_start_locked(conf, NULL);
	pthread_mutex_unlock(&lock);
	if (rc != 0)
		conf_release(conf);
	return rc;
}

int
monitor_restart(struct conf *conf)
{
	struct monitor *old;
	int rc;

	pthread_mutex_lock(&lock);
	old = current;
	if (old != NULL)
		old->refs++;		/* keep its state while copying */
	monitor_stop_locked();
	rc = monitor_start_locked(conf, old);
	if (old != NULL)
		monitor_unref(old);
	pthread_mutex_unlock(&lock);
	if (rc != 0)
		conf_release(conf);
	return rc;
}

int
monitor_stop(int wait_ms)
{
	struct timespec until;
	int left;

	deadline_after(wait_ms, &until);
	pthread_mutex_lock(&lock);
	monitor_stop_locked();
	while (running_threads > 0 && pthread_cond_timedwait(&changed, &lock,
	    &until) != ETIMEDOUT)
		;
	left = running_threads;
	pthread_mutex_unlock(&lock);
	return left;
}

int
monitor_snapshot(const char *name, struct egress_health *out, int wait_ms)
{
	struct timespec until;
	long i = -1;
	int rc = -1;

	/* A message's caller never waits past its DNS deadline. */
	deadline_after(dns_deadline_left_ms(wait_ms), &until);
	pthread_mutex_lock(&lock);
	/* Until this egress is checked, not the whole first round. */
	while (current != NULL && ((i = monitor_find(current, name)) < 0 ||
	    !current->health[i].checked) && !current->first_round_done &&
	    pthread_cond_timedwait(&changed, &lock, &until) != ETIMEDOUT)
		;
	if (current != NULL && (i = monitor_find(current, name)) >= 0) {
		*out = current->health[i];
		rc = 0;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

int
monitor_state(const char *name, enum egress_state *state, char *reasons,
    size_t size)
{
	long i;
	int rc = -1;

	pthread_mutex_lock(&lock);
	if (current != NULL && (i = monitor_find(current, name)) >= 0) {
		rc = current->health[i].checked ? 0 : 1;
		*state = current->health[i].state;
		copy_bounded(reasons, size, current->health[i].reasons);
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

struct egress_health *
monitor_snapshot_all(size_t *n, bool *first_round_done)
{
	struct egress_health *out;
	size_t count;

	/* Allocated outside the lock; a reload between may change N. */
	for (;;) {
		pthread_mutex_lock(&lock);
		count = current != NULL ? current->conf->negress : 0;
		pthread_mutex_unlock(&lock);
		out = xcalloc(count ? count : 1, sizeof(*out));
		pthread_mutex_lock(&lock);
		if ((current != NULL ? current->conf->negress : 0) == count)
			break;
		pthread_mutex_unlock(&lock);
		free(out);
	}
	*first_round_done = current != NULL && current->first_round_done;
	for (size_t i = 0; i < count; i++)
		out[i] = current->health[i];
	pthread_mutex_unlock(&lock);
	*n = count;
	return out;
}
