/*
 * healthlog.c - egress state changes in the log (see healthlog.h).
 *
 * healthlog_priority(), healthlog_change().
 * Must not: touch libmilter, do DNS.
 */
#include "config.h"

#include <stdio.h>

#include "health/advice.h"
#include "health/egress.h"
#include "health/healthlog.h"
#include "util/log.h"

int
healthlog_priority(enum egress_state before, enum egress_state after,
    bool first_round, bool none_healthy)
{
	bool worse = egress_state_rank(after) > egress_state_rank(before);

	if (first_round)
		worse = after != EGRESS_OK;
	if (!worse)
		return LOG_NOTICE;
	return none_healthy && after == EGRESS_CRITICAL ? LOG_CRIT :
	    LOG_WARNING;
}

void
healthlog_change(const struct egress_health *h, enum egress_state before,
    bool first_round, bool none_healthy)
{
	char advice[EGRESS_ADVICE_MAX];

	advice_join(h->advice, advice, sizeof(advice));
	log_write(healthlog_priority(before, h->state, first_round,
	    none_healthy), "egress %s (%s): %s -> %s%s%s%s%s%s%s%s", h->name,
	    h->address, egress_state_name(before), egress_state_name(h->state),
	    h->reasons[0] ? ": " : "", h->reasons, h->noise[0] ?
	    (h->reasons[0] ? "; " : ": ") : "", h->noise,
	    advice[0] ? "; to fix: " :
	    "", advice, none_healthy && h->state == EGRESS_CRITICAL ?
	    "; no egress is healthy" : "");
}
