/*
 * monitor.c - the background health monitor of every egress.
 *
 * monitor_start(), monitor_stop(), monitor_restart(), monitor_snapshot(),
 * monitor_snapshot_all(), monitor_apply().
 *
 * Each monitor is one detached thread with its own state, referenced by
 * the thread and by "current". Stopping one (at shutdown or reload) only
 * marks it stopped and drops the current reference: a round stuck in
 * DNS timeouts never delays a stop or a reload; the thread notices at
 * its next step and frees what it owns.
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
	free(m);
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

/* The CLOCK_REALTIME time MS milliseconds from now, for timed waits. */
static void
deadline_after(int ms, struct timespec *until)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += ms / 1000;
	until->tv_nsec += (ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

/* Waits up to SECONDS or until M is stopped. Lock held. */
static void
monitor_sleep(struct monitor *m, long seconds)
{
	struct timespec until;

	deadline_after((int)(seconds * 1000), &until);
	while (!m->stopped && !m->recheck && pthread_cond_timedwait(&changed,
	    &lock, &until) != ETIMEDOUT)
		;
	m->recheck = false;
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

/* One round over every egress; returns the seconds until the next. */
static long
monitor_round(struct monitor *m, struct zone_status zones[2][CONF_MAX_DNSBL],
    struct egress_report *report)
{
	const struct conf *conf = m->conf;
	long next = conf->check_interval;

	dnscache_refresh_mode(true);
	for (size_t i = 0; i < conf->negress; i++) {
		const struct conf_egress *e = &conf->egress[i];
		struct egress_health *h = &m->health[i];
		enum egress_state before;
		bool first;

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
		pthread_mutex_unlock(&lock);
		if (report->findings[FINDING_LISTED])
			warmup_listed(conf, e->name, time(NULL));
	}
	dnscache_refresh_mode(false);
	log_cache_stats();
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
	long next;

	for (;;) {
		if (time(NULL) >= selftest_due) {
			if (any_family(m->conf, AF_INET))
				egress_zone_selftests(m->conf, AF_INET, zones[0]);
			if (any_family(m->conf, AF_INET6))
				egress_zone_selftests(m->conf, AF_INET6,
				    zones[1]);
			selftest_due = time(NULL) + SELFTEST_INTERVAL;
		}
		next = monitor_round(m, zones, report);
		pthread_mutex_lock(&lock);
		m->first_round_done = true;
		pthread_cond_broadcast(&changed);
		if (!m->stopped)
			monitor_sleep(m, next);
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

		for (size_t j = 0; old && j < old->conf->negress; j++)
			if (strcmp(old->health[j].name, conf->egress[i].name)
			    == 0 && strcmp(old->health[j].address,
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
	m->first_round_done = old != NULL && all_carried;
	m->refs = 2;			/* the thread's and current's */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attr, monitor_thread, m) != 0) {
		pthread_attr_destroy(&attr);
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
	int rc = -1;

	/* A message's caller never waits past its DNS deadline. */
	deadline_after(dns_deadline_left_ms(wait_ms), &until);
	pthread_mutex_lock(&lock);
	while (current != NULL && !current->first_round_done &&
	    pthread_cond_timedwait(&changed, &lock, &until) != ETIMEDOUT)
		;
	for (size_t i = 0; current != NULL && i < current->conf->negress; i++)
		if (strcmp(current->health[i].name, name) == 0) {
			*out = current->health[i];
			rc = 0;
			break;		/* names are unique */
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
