/*
 * fleet_health.c - the health rounds' side of the fleet: lease requests,
 * the results to publish, who checked each egress address.
 *
 * fleet_health_turn(), fleet_health_done(), fleet_checked_by(),
 * fleet_health_set_up(), fleet_health_next(), fleet_health_answer(),
 * fleet_health_release(), fleet_health_pop(), fleet_health_published(),
 * fleet_health_counts(), fleet_health_wait(), fleet_health_kick(),
 * fleet_budget_stretch(), fleet_budget_take(), fleet_budget_counted().
 *
 * The monitor's thread asks, per egress, whether to check it
 * (fleet_health_turn()): the request waits in a list here until the
 * fleet thread (fleet.c) answers it from Redis, FLEET_WAIT_MS at most;
 * unanswered, the monitor checks, and asks no lease for FLEET_SLOW_PAUSE
 * seconds (a slow Redis costs a round one wait, not one per egress). Another relay's result is taken only
 * when it is fresh (under two intervals) and of the same checks (a
 * fingerprint of the version, findings, zones, weights, threshold and
 * HELO); a check that met a DNS error is never published (error answers
 * describe one resolver). Results wait in an outbox, one per address,
 * FLEET_OUTBOX_MAX at most.
 * DnsblBudget: each check this relay makes counts one query per zone
 * (not suspended) with a budget; the fleet thread adds them to the
 * fleet's count of the UTC day in Redis (without Redis they stay here,
 * and this relay paces on its own count). The rounds stretch (x2, x4 ...
 * up to BUDGET_STRETCH_MAX) as the count passes 80% of the day's share
 * so far, and to the most once the budget is spent.
 * Must not: touch libmilter, DNS or Redis.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conf/conf.h"
#include "global/finding.h"
#include "health/egress.h"
#include "health/fleet_health.h"
#include "util/log.h"
#include "util/util.h"

#define FLEET_WAIT_MS 1500		/* the monitor's wait for a lease */
#define FLEET_OUTBOX_MAX 4096
#define FLEET_SLOW_PAUSE 30		/* s without leases after a timeout */
#define BUDGET_STRETCH_MAX 16

struct fleet_budget {
	char zone[256];
	long day;			/* UTC day: time / 86400 */
	long total;			/* the fleet's count (Redis) */
	long pending;			/* ours, not yet in total */
	long stretch;			/* the last one logged */
};

/* A lease request of the monitor's thread, on its stack. */
struct fleet_req {
	struct fleet_req *next;
	char address[INET6_ADDRSTRLEN];
	long interval_ms;
	bool done;
	bool ours;			/* check it: our lease, or no answer */
	bool shared;			/* *health is another relay's */
	struct fleet_health *health;	/* the caller's */
};

struct fleet_checked {
	char address[INET6_ADDRSTRLEN];
	char relay[CONF_NAME_MAX + 1];
	time_t when;
};

static pthread_mutex_t fh_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fh_cond = PTHREAD_COND_INITIALIZER;
static struct fleet_req *fh_reqs;
static struct fleet_health *fh_outbox;
static size_t fh_nout;
static struct fleet_checked *fh_checked;
static size_t fh_nchecked, fh_checked_room;
static char fh_relay[CONF_NAME_MAX + 1];
static unsigned long fh_shared, fh_published;
static bool fh_kicked;
static struct fleet_budget fh_budget[CONF_MAX_DNSBL];
static size_t fh_nbudget;
static atomic_bool fh_up;
static time_t fh_slow_until;		/* a lease went unanswered: none till */

/* The CLOCK_REALTIME time MS milliseconds from now, for timed waits. */
static void
deadline_in(int ms, struct timespec *until)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += ms / 1000;
	until->tv_nsec += (ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

/* CONF's checks of E, as a word: shared health is taken only when equal. */
static void
fleet_fingerprint(const struct conf *conf, const struct conf_egress *e,
    char *out, size_t size)
{
	unsigned long long h = 1469598103934665603ULL;
	char buf[64];

#define FP_ADD(s) for (const char *q = (s); *q; q++) \
	{ h ^= (unsigned char)*q; h *= 1099511628211ULL; } \
	h ^= 0xff; h *= 1099511628211ULL
	FP_ADD(PACKAGE_VERSION);
	snprintf(buf, sizeof(buf), "%d %ld", FINDING_COUNT,
	    conf->dnsbl_threshold);
	FP_ADD(buf);
	FP_ADD(e->helo ? e->helo : "");
	for (size_t i = 0; i < conf->ndnsbl; i++) {
		FP_ADD(conf->dnsbl[i].zone);
		snprintf(buf, sizeof(buf), "%d %zu", conf->dnsbl[i].weight,
		    conf->dnsbl[i].ncodes);
		FP_ADD(buf);
	}
#undef FP_ADD
	snprintf(out, size, "%016llx", h);
}

/* RELAY (NULL: this relay) checked ADDRESS at WHEN. Lock held. */
static void
fleet_note_checked(const char *address, const char *relay, time_t when)
{
	size_t i;

	for (i = 0; i < fh_nchecked; i++)
		if (strcmp(fh_checked[i].address, address) == 0)
			break;
	if (i == fh_nchecked) {
		if (fh_nchecked == fh_checked_room) {
			fh_checked_room = fh_checked_room ? fh_checked_room * 2 :
			    64;
			fh_checked = xreallocarray(fh_checked, fh_checked_room,
			    sizeof(*fh_checked));
		}
		copy_bounded(fh_checked[i].address,
		    sizeof(fh_checked[i].address), address);
		fh_nchecked++;
	}
	copy_bounded(fh_checked[i].relay, sizeof(fh_checked[i].relay),
	    relay ? relay : fh_relay);
	fh_checked[i].when = when;
}

bool
fleet_checked_by(const char *address, char *relay, size_t size,
    time_t *when)
{
	bool found = false;

	pthread_mutex_lock(&fh_lock);
	for (size_t i = 0; i < fh_nchecked && !found; i++)
		if (strcmp(fh_checked[i].address, address) == 0) {
			copy_bounded(relay, size, fh_checked[i].relay);
			*when = fh_checked[i].when;
			found = true;
		}
	pthread_mutex_unlock(&fh_lock);
	return found;
}

/* Fills REPORT for E from H, another relay's check. */
static void
fleet_report_of(const struct conf *conf, const struct conf_egress *e,
    const struct fleet_health *h, struct egress_report *report)
{
	memset(report, 0, sizeof(*report));
	report->egress = e;
	report->ndnsbl = conf->ndnsbl;
	for (size_t k = 0; k < conf->ndnsbl && k < CONF_MAX_DNSBL; k++) {
		report->dnsbl[k].zone = &conf->dnsbl[k];
		report->dnsbl[k].listed = h->listed[k] == '1';
		if (report->dnsbl[k].listed)
			report->score += conf->dnsbl[k].weight;
	}
	for (int f = 0; f < FINDING_COUNT; f++)
		report->findings[f] = h->findings[f] == '1';
	report->state = egress_state_of(report->findings);
	copy_bounded(report->reasons, sizeof(report->reasons), h->reasons);
	copy_bounded(report->advice, sizeof(report->advice), h->advice);
	report->ttl = h->dns_ttl;
}

bool
fleet_health_turn(const struct conf *conf, const struct conf_egress *e,
    struct egress_report *report)
{
	struct fleet_health *h;
	struct fleet_req req;
	struct timespec until;
	char fp[24];
	bool check = true;

	if (conf->redis == NULL || !atomic_load(&fh_up))
		return true;
	pthread_mutex_lock(&fh_lock);
	check = time(NULL) < fh_slow_until;
	pthread_mutex_unlock(&fh_lock);
	if (check)			/* Redis is slow: the round goes alone */
		return true;
	h = xcalloc(1, sizeof(*h));
	memset(&req, 0, sizeof(req));
	copy_bounded(req.address, sizeof(req.address), e->address.text);
	req.interval_ms = conf->check_interval * 1000L;
	req.health = h;
	deadline_in(FLEET_WAIT_MS, &until);
	pthread_mutex_lock(&fh_lock);
	req.next = fh_reqs;
	fh_reqs = &req;
	pthread_cond_broadcast(&fh_cond);
	while (!req.done && pthread_cond_timedwait(&fh_cond, &fh_lock,
	    &until) != ETIMEDOUT)
		;
	if (!req.done) {		/* unhook: nobody answers it now */
		for (struct fleet_req **p = &fh_reqs; *p; p = &(*p)->next)
			if (*p == &req) {
				*p = req.next;
				break;
			}
		/* A slow Redis must not slow the round down egress by
		 * egress: the rest of it goes alone. */
		fh_slow_until = time(NULL) + FLEET_SLOW_PAUSE;
	}
	check = true;
	fleet_fingerprint(conf, e, fp, sizeof(fp));
	if (req.done && !req.ours && req.shared && strcmp(h->fp, fp) == 0 &&
	    h->age_ms >= 0 && h->age_ms < 2 * req.interval_ms) {
		fleet_report_of(conf, e, h, report);
		fleet_note_checked(e->address.text, h->relay,
		    time(NULL) - h->age_ms / 1000);
		fh_shared++;
		check = false;
	}
	pthread_mutex_unlock(&fh_lock);
	free(h);
	return check;
}

/* Would another resolver see REPORT the same? Not with an error answer. */
static bool
fleet_clean(const struct egress_report *report)
{
	if (report->findings[FINDING_DNS_ERROR] || report->noise[0])
		return false;
	for (size_t k = 0; k < report->ndnsbl; k++)
		if (report->dnsbl[k].error || report->dnsbl[k].suspended)
			return false;
	return true;
}

/* ZONE's budget entry for today, made when missing. Lock held. */
static struct fleet_budget *
budget_of(const char *zone, long day)
{
	struct fleet_budget *b = NULL;

	for (size_t i = 0; i < fh_nbudget && b == NULL; i++)
		if (strcmp(fh_budget[i].zone, zone) == 0)
			b = &fh_budget[i];
	if (b == NULL) {
		if (fh_nbudget >= CONF_MAX_DNSBL)
			return NULL;
		b = &fh_budget[fh_nbudget++];
		memset(b, 0, sizeof(*b));
		copy_bounded(b->zone, sizeof(b->zone), zone);
		b->stretch = 1;
		b->day = day;
	}
	if (b->day < day) {		/* a new UTC day: a new count */
		b->day = day;
		b->total = b->pending = 0;
	}
	return b;
}

/* One query per zone of REPORT that has a budget. */
static void
budget_count(const struct conf *conf, const struct egress_report *report)
{
	long day = (long)(time(NULL) / 86400);

	if (conf->nbudgets == 0)
		return;
	pthread_mutex_lock(&fh_lock);
	for (size_t k = 0; k < report->ndnsbl && k < conf->ndnsbl; k++) {
		struct fleet_budget *b;

		if (report->dnsbl[k].suspended)
			continue;
		for (size_t j = 0; j < conf->nbudgets; j++)
			if (strcasecmp(conf->budgets[j].zone,
			    conf->dnsbl[k].zone) == 0 &&
			    (b = budget_of(conf->budgets[j].zone, day)) != NULL)
				b->pending++;
	}
	pthread_mutex_unlock(&fh_lock);
}

long
fleet_budget_stretch(const struct conf *conf)
{
	time_t now = time(NULL);
	long day = (long)(now / 86400), elapsed = (long)(now % 86400);
	long most = 1;

	if (elapsed < 3600)
		elapsed = 3600;
	pthread_mutex_lock(&fh_lock);
	for (size_t j = 0; j < conf->nbudgets; j++) {
		struct fleet_budget *b = budget_of(conf->budgets[j].zone, day);
		long budget = conf->budgets[j].per_day, spent, stretch = 1;
		double share = (double)budget * (double)elapsed / 86400.0;

		if (b == NULL)
			continue;
		spent = b->total + b->pending;
		if (spent >= budget * 8 / 10)
			stretch = BUDGET_STRETCH_MAX;
		while (stretch < BUDGET_STRETCH_MAX &&
		    (double)spent > 0.8 * share * (double)stretch)
			stretch *= 2;
		if (stretch != b->stretch) {
			if (stretch > 1)
				log_warn("DnsblBudget %s: %ld of %ld queries "
				    "spent today by the fleet: health rounds "
				    "stretched %ld times (commercial use needs "
				    "a keyed feed, such as Spamhaus DQS, "
				    "whatever the volume)", b->zone, spent,
				    budget, stretch);
			else
				log_notice("DnsblBudget %s: %ld of %ld queries "
				    "spent today: health rounds at their "
				    "interval again", b->zone, spent, budget);
			b->stretch = stretch;
		}
		if (stretch > most)
			most = stretch;
	}
	pthread_mutex_unlock(&fh_lock);
	return most;
}

bool
fleet_budget_take(char *zone, size_t size, long *delta, long *day)
{
	bool found = false;

	pthread_mutex_lock(&fh_lock);
	for (size_t i = 0; i < fh_nbudget && !found; i++)
		if (fh_budget[i].pending > 0) {
			copy_bounded(zone, size, fh_budget[i].zone);
			*delta = fh_budget[i].pending;
			*day = fh_budget[i].day;
			fh_budget[i].pending = 0;
			found = true;
		}
	pthread_mutex_unlock(&fh_lock);
	return found;
}

void
fleet_budget_counted(const char *zone, long day, long total, long uncounted)
{
	struct fleet_budget *b;

	pthread_mutex_lock(&fh_lock);
	if ((b = budget_of(zone, day)) != NULL && b->day == day) {
		if (total > b->total)
			b->total = total;
		b->pending += uncounted;
	}
	pthread_mutex_unlock(&fh_lock);
}

void
fleet_health_done(const struct conf *conf, const struct conf_egress *e,
    const struct egress_report *report)
{
	struct fleet_health *h;
	size_t i;

	budget_count(conf, report);
	if (conf->redis == NULL)
		return;
	pthread_mutex_lock(&fh_lock);
	fleet_note_checked(e->address.text, NULL, time(NULL));
	for (i = 0; i < fh_nout; i++)
		if (strcmp(fh_outbox[i].address, e->address.text) == 0)
			break;
	if (!fleet_clean(report) || (i == fh_nout &&
	    fh_nout >= FLEET_OUTBOX_MAX)) {
		pthread_mutex_unlock(&fh_lock);
		return;			/* the next round publishes */
	}
	if (fh_outbox == NULL)
		fh_outbox = xcalloc(FLEET_OUTBOX_MAX, sizeof(*fh_outbox));
	if (i == fh_nout)
		fh_nout++;
	h = &fh_outbox[i];
	memset(h, 0, sizeof(*h));
	copy_bounded(h->address, sizeof(h->address), e->address.text);
	fleet_fingerprint(conf, e, h->fp, sizeof(h->fp));
	for (int f = 0; f < FINDING_COUNT; f++)
		h->findings[f] = report->findings[f] ? '1' : '0';
	for (size_t k = 0; k < conf->ndnsbl && k < CONF_MAX_DNSBL; k++)
		h->listed[k] = k < report->ndnsbl &&
		    report->dnsbl[k].listed ? '1' : '0';
	copy_bounded(h->reasons, sizeof(h->reasons), report->reasons);
	copy_bounded(h->advice, sizeof(h->advice), report->advice);
	h->dns_ttl = report->ttl;
	h->interval_ms = conf->check_interval * 1000L;
	clock_gettime(CLOCK_MONOTONIC, &h->taken);
	pthread_cond_broadcast(&fh_cond);
	pthread_mutex_unlock(&fh_lock);
}

void
fleet_health_set_up(bool up, const char *relay)
{
	pthread_mutex_lock(&fh_lock);
	copy_bounded(fh_relay, sizeof(fh_relay), relay);
	pthread_mutex_unlock(&fh_lock);
	atomic_store(&fh_up, up);
}

bool
fleet_health_next(char *address, size_t size, long *interval_ms)
{
	bool found = false;

	pthread_mutex_lock(&fh_lock);
	for (struct fleet_req *q = fh_reqs; q && !found; q = q->next)
		if (!q->done) {
			copy_bounded(address, size, q->address);
			*interval_ms = q->interval_ms;
			found = true;
		}
	pthread_mutex_unlock(&fh_lock);
	return found;
}

void
fleet_health_answer(const char *address, bool ours, bool shared,
    const struct fleet_health *h)
{
	pthread_mutex_lock(&fh_lock);
	for (struct fleet_req **p = &fh_reqs; *p;) {
		struct fleet_req *q = *p;

		if (strcmp(q->address, address) != 0) {
			p = &q->next;
			continue;
		}
		q->ours = ours;
		q->shared = shared;
		*q->health = *h;
		q->done = true;
		*p = q->next;		/* answered: its caller goes on */
	}
	pthread_cond_broadcast(&fh_cond);
	pthread_mutex_unlock(&fh_lock);
}

void
fleet_health_release(void)
{
	pthread_mutex_lock(&fh_lock);
	for (struct fleet_req *q = fh_reqs; q; q = q->next) {
		q->ours = true;
		q->done = true;
	}
	fh_reqs = NULL;
	pthread_cond_broadcast(&fh_cond);
	pthread_mutex_unlock(&fh_lock);
}

bool
fleet_health_pop(struct fleet_health *out)
{
	bool found = false;

	pthread_mutex_lock(&fh_lock);
	if (fh_nout > 0) {
		*out = fh_outbox[--fh_nout];
		found = true;
	}
	pthread_mutex_unlock(&fh_lock);
	return found;
}

void
fleet_health_published(void)
{
	pthread_mutex_lock(&fh_lock);
	fh_published++;
	pthread_mutex_unlock(&fh_lock);
}

void
fleet_health_counts(unsigned long *shared, unsigned long *published)
{
	pthread_mutex_lock(&fh_lock);
	*shared = fh_shared;
	*published = fh_published;
	pthread_mutex_unlock(&fh_lock);
}

void
fleet_health_wait(int ms, bool outbox)
{
	struct timespec until;

	deadline_in(ms, &until);
	pthread_mutex_lock(&fh_lock);
	while (!fh_kicked && fh_reqs == NULL && (!outbox || fh_nout == 0) &&
	    pthread_cond_timedwait(&fh_cond, &fh_lock, &until) != ETIMEDOUT)
		;
	fh_kicked = false;
	pthread_mutex_unlock(&fh_lock);
}

void
fleet_health_kick(void)
{
	pthread_mutex_lock(&fh_lock);
	fh_kicked = true;
	pthread_cond_broadcast(&fh_cond);
	pthread_mutex_unlock(&fh_lock);
}
