/*
 * monitor.h - the background health monitor of every egress.
 *
 * monitor_start() starts a thread that checks each egress at once (as
 * fast as DnsblRate lets it), then again before its answers' TTLs run
 * out (at most CheckInterval apart, a round spread over its interval),
 * and keeps a state per egress with hysteresis: a worse state takes
 * effect at once, a better one only after two consecutive rounds agree.
 * Every state change is one log line with the reasons. DNSBL zones run
 * their RFC 5782 self-test first and again every hour; a zone that fails
 * it is suspended with a warning.
 * monitor_snapshot() hands the message path a copy of an egress's health
 * (no DNS, a short lock); before the egress's first check it waits,
 * bounded.
 * Must not: touch libmilter; block the message path on DNS.
 */
#ifndef EM_MONITOR_H
#define EM_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "conf/conf.h"
#include "health/health.h"

/* Starts monitoring CONF's egresses (takes a reference to CONF). */
int monitor_start(struct conf *conf);
/*
 * Stops the monitor and forgets the state; waits up to WAIT_MS for its
 * threads to finish a round in progress (a stop never waits longer).
 * Returns how many are still inside a round (0: all gone).
 */
int monitor_stop(int wait_ms);

/* Starts the next health round now (a remote refused an egress's PTR). */
void monitor_recheck(void);
/*
 * Monitors NEW_CONF instead, keeping the state of egresses whose name
 * and address did not change.
 */
int monitor_restart(struct conf *new_conf);

/*
 * Copies the health of egress NAME into OUT. Waits up to WAIT_MS for
 * the first round, and never past this thread's DNS deadline
 * (dnsdeadline.h); OUT->checked is false when the round has not ended.
 * Returns 0, or -1 when there is no such egress.
 */
int monitor_snapshot(const char *name, struct egress_health *out,
    int wait_ms);

/*
 * The state of egress NAME and the first SIZE-1 bytes of its reasons,
 * without waiting (the route map asks it for every egress of a lookup:
 * no copy of the whole health). Returns 0, 1 when the egress is not
 * checked yet, or -1 when there is no such egress.
 */
int monitor_state(const char *name, enum egress_state *state, char *reasons,
    size_t size);

/*
 * A copy of the health of every egress, without waiting: an array of
 * *N entries (at least one allocated) that the caller frees.
 * *FIRST_ROUND_DONE tells whether the first round has finished. For
 * --status and /metrics.
 */
struct egress_health *monitor_snapshot_all(size_t *n,
    bool *first_round_done);

/*
 * Feeds one round's REPORT into HEALTH with hysteresis; returns true
 * when the state changed (exposed for tests).
 */
bool monitor_apply(struct egress_health *health,
    const struct egress_report *report);

#endif
