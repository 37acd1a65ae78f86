/*
 * fleet_health.h - the health rounds' side of the fleet: which relay
 * checks an egress address this round, the results to publish, and who
 * checked each address (see fleet_health.c). fleet.c is the other side,
 * the thread that carries these to and from Redis.
 * Must not: touch libmilter, DNS or Redis.
 */
#ifndef EM_FLEET_HEALTH_H
#define EM_FLEET_HEALTH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "conf/conf.h"
#include "global/finding.h"
#include "health/health.h"

/* One egress address's health as relays share it. */
struct fleet_health {
	char address[INET6_ADDRSTRLEN];
	char relay[CONF_NAME_MAX + 1];
	char fp[24];				/* fleet_fingerprint() */
	char findings[FINDING_COUNT + 1];	/* '0'/'1' per finding */
	char listed[CONF_MAX_DNSBL + 1];	/* '0'/'1' per zone */
	char reasons[2048];
	char advice[EGRESS_ADVICE_MAX];
	unsigned dns_ttl;
	long interval_ms;
	long age_ms;				/* of the check; -1: none */
	struct timespec taken;			/* monotonic, when checked */
};

/*
 * A health round is about to check egress E: false when another relay
 * holds this round's lease on its address and its published result is
 * fresh and of the same checks; that result is then in REPORT and the
 * caller skips the check. True at once without a reachable Redis; else
 * waits on the fleet thread, FLEET_WAIT_MS at most (the monitor only).
 */
bool fleet_health_turn(const struct conf *conf, const struct conf_egress *e,
    struct egress_report *report);

/* REPORT is this relay's own check of E: published unless it met a DNS error. */
void fleet_health_done(const struct conf *conf, const struct conf_egress *e,
    const struct egress_report *report);

/* Who checked ADDRESS last (RELAY, SIZE bytes) and when; false: unknown. */
bool fleet_checked_by(const char *address, char *relay, size_t size,
    time_t *when);

/*
 * DnsblBudget: how many times longer than the monitor's own choice the
 * next round waits (1: as usual), from the fleet's DNSBL queries today
 * against each zone's budget (the budget spent evenly over the day, at
 * least an hour's share); logs each change once.
 */
long fleet_budget_stretch(const struct conf *conf);

/*
 * The thread's side of the budget: ZONE's queries not yet counted in
 * Redis (taken: *DELTA, for UTC day *DAY); false when none is left.
 */
bool fleet_budget_take(char *zone, size_t size, long *delta, long *day);

/* The fleet's count of ZONE's queries on DAY is TOTAL (Redis); or, put
 * back: DELTA was not counted. */
void fleet_budget_counted(const char *zone, long day, long total,
    long uncounted);

/* The thread's side (fleet.c). Redis is reachable or not; our name. */
void fleet_health_set_up(bool up, const char *relay);

/* The next unanswered lease request (ADDRESS, INTERVAL_MS); false: none. */
bool fleet_health_next(char *address, size_t size, long *interval_ms);

/* Answers ADDRESS's requests: OURS (the lease), or H (SHARED: fresh). */
void fleet_health_answer(const char *address, bool ours, bool shared,
    const struct fleet_health *h);

/* Every request answered "check yourself". */
void fleet_health_release(void);

/* The next check to publish into OUT; false: none. */
bool fleet_health_pop(struct fleet_health *out);

/* One result published. */
void fleet_health_published(void);

/* Rounds that took another relay's result, and results published. */
void fleet_health_counts(unsigned long *shared, unsigned long *published);

/*
 * Waits up to MS for work: a request, or a result to publish when OUTBOX;
 * fleet_health_kick() wakes it.
 */
void fleet_health_wait(int ms, bool outbox);
void fleet_health_kick(void);

#endif
