/*
 * egress.h - the health of one egress, from one round of checks.
 *
 * egress_check() runs every egress-level check for one egress: reverse
 * DNS (rdns.c) and every DNSBL zone (dnsbl.c), and sums them up as
 * findings (no-ptr, fcrdns-mismatch, generic-ptr, helo-mismatch, listed,
 * dns-error), a state and the reasons in words.
 * States: critical (listed, no-ptr, fcrdns-mismatch), warning
 * (generic-ptr, helo-mismatch), unknown (DNS errors and nothing else),
 * ok. --check and the background monitor both use it.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#ifndef EM_EGRESS_H
#define EM_EGRESS_H

#include <stdbool.h>

#include "conf/conf.h"
#include "health/health.h"


/*
 * One round for EGRESS under CONF. ZONES (CONF->ndnsbl entries, or NULL)
 * says which zones are suspended for the egress's address family.
 */
void egress_check(const struct conf *conf, const struct conf_egress *egress,
    const struct zone_status *zones, struct egress_report *out);

/* Runs every zone's RFC 5782 self-test for FAMILY into ZONES. */
void egress_zone_selftests(const struct conf *conf, int family,
    struct zone_status *zones);

/* Logs a warning, with the fix, for each egress that is not public. */
void egress_warn_not_public(const struct conf *conf);

/* The state FINDINGS (FINDING_COUNT flags) add up to. */
enum egress_state egress_state_of(const bool *findings);

const char *egress_state_name(enum egress_state state);
/* Nagios plugin exit code of a state: 0, 1, 2, 3. */
int egress_state_exit_code(enum egress_state state);
/* How bad: ok 0 < unknown 1 < warning 2 < critical 3. */
int egress_state_rank(enum egress_state state);

#endif
