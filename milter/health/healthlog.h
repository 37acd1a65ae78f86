/*
 * healthlog.h - the log line of an egress's change of state, at the
 * severity an operator filters on.
 *
 * healthlog_change() writes "egress NAME (IP): BEFORE -> AFTER: REASONS;
 * to fix: advice". A change for the worse is logged at warning, or at
 * crit when it is critical and no egress is healthy (ok or warning) any
 * more; a change for the better at notice. The first round's result
 * is always logged, also when it is unknown (with why): at notice when
 * ok, else at warning.
 * Must not: touch libmilter, do DNS.
 */
#ifndef EM_HEALTHLOG_H
#define EM_HEALTHLOG_H

#include <stdbool.h>

#include "health/health.h"

/* The syslog priority of a change (exposed for tests). */
int healthlog_priority(enum egress_state before, enum egress_state after,
    bool first_round, bool none_healthy);

void healthlog_change(const struct egress_health *health,
    enum egress_state before, bool first_round, bool none_healthy);

#endif
