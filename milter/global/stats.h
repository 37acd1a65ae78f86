/*
 * stats.h - the daemon's counters: messages by action and by finding,
 * the decision latency histogram, and hooks for counters of modules
 * that report into it (learned refusals, route-map lookups).
 *
 * stats_count_decision() is called once per message by milter.c;
 * stats_get() copies every counter for --status and /metrics.
 * Must not: touch libmilter, do I/O, or block longer than a short lock.
 */
#ifndef EM_STATS_H
#define EM_STATS_H

#include <stdbool.h>
#include <time.h>

#include "global/finding.h"

/* Upper bounds of the decision latency buckets, in seconds (+Inf last). */
#define STATS_LATENCY_BUCKETS 10
extern const double stats_latency_bounds[STATS_LATENCY_BUCKETS];

struct stats_snapshot {
	time_t started;				/* stats_init() */
	unsigned long messages[ACTION_COUNT];	/* by action */
	unsigned long findings[FINDING_COUNT];	/* messages with each */
	unsigned long latency[STATS_LATENCY_BUCKETS + 1];	/* not cumulative */
	double latency_sum;			/* seconds */
	unsigned long refusals;			/* learned refusals */
	unsigned long route_lookups;		/* route-map answers */
};

/* Starts counting from zero now. */
void stats_init(void);
/* One message's decision: its action, findings and time taken. */
void stats_count_decision(enum action action, const bool *findings,
    long ms);
/* Hooks for the refusal learner (refusal.c) and the route map (route.c). */
void stats_count_refusal(void);
void stats_count_route_lookup(void);
void stats_get(struct stats_snapshot *out);

#endif
