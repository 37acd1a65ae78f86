/*
 * stats.c - the daemon's counters (see stats.h).
 *
 * stats_init(), stats_count_decision(), stats_count_refusal(),
 * stats_count_route_lookup(), stats_get().
 * One mutex guards one struct; every call holds it for a few stores.
 * Counters only grow (Prometheus counters); a reload keeps them.
 * Must not: touch libmilter, do I/O, or call into other modules.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "global/stats.h"

const double stats_latency_bounds[STATS_LATENCY_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct stats_snapshot counters;

void
stats_init(void)
{
	pthread_mutex_lock(&lock);
	memset(&counters, 0, sizeof(counters));
	counters.started = time(NULL);
	pthread_mutex_unlock(&lock);
}

void
stats_count_decision(enum action action, const bool *findings, long ms)
{
	double seconds = ms < 0 ? 0 : (double)ms / 1000.0;
	int bucket = 0;

	while (bucket < STATS_LATENCY_BUCKETS &&
	    seconds > stats_latency_bounds[bucket])
		bucket++;
	pthread_mutex_lock(&lock);
	if ((int)action >= 0 && action < ACTION_COUNT)
		counters.messages[action]++;
	for (int f = 0; findings != NULL && f < FINDING_COUNT; f++)
		if (findings[f])
			counters.findings[f]++;
	counters.latency[bucket]++;
	counters.latency_sum += seconds;
	pthread_mutex_unlock(&lock);
}

void
stats_count_refusal(void)
{
	pthread_mutex_lock(&lock);
	counters.refusals++;
	pthread_mutex_unlock(&lock);
}

void
stats_count_route_lookup(void)
{
	pthread_mutex_lock(&lock);
	counters.route_lookups++;
	pthread_mutex_unlock(&lock);
}

void
stats_get(struct stats_snapshot *out)
{
	pthread_mutex_lock(&lock);
	*out = counters;
	pthread_mutex_unlock(&lock);
}
