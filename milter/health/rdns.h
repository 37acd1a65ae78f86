/*
 * rdns.h - reverse DNS of an egress: PTR names, forward confirmation
 * (FCrDNS), the HELO name, and whether the name looks generic.
 *
 * rdns_check() asks the PTR of the egress address (no PTR: no-ptr), the
 * A or AAAA of each PTR name (none contains the address:
 * fcrdns-mismatch), the A or AAAA of the HELO name (it must contain the
 * address and be one of the confirmed PTR names, else helo-mismatch),
 * and runs generic_name() on the confirmed name, then, when no rule
 * matched, neighbours_share_name() (generic-ptr). A lookup
 * that fails (timeout, SERVFAIL) is a dns-error, never "no record".
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#ifndef EM_RDNS_H
#define EM_RDNS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"
#include "dns/dns.h"

#define RDNS_MAX_NAMES 8

struct rdns_result {
	size_t nptr;
	char ptr[RDNS_MAX_NAMES][DNS_NAME_MAX + 1];	/* PTR names */
	bool confirmed[RDNS_MAX_NAMES];		/* resolves back */
	bool fcrdns;			/* some PTR name resolves back */
	bool helo_checked;		/* the egress has a HELO name */
	bool helo_ok;
	/* The findings: */
	bool no_ptr;
	bool fcrdns_mismatch;
	bool generic;
	bool helo_mismatch;
	bool dns_error;			/* some lookup failed */
	unsigned ttl;			/* smallest TTL seen (for refresh) */
	char reason[512];		/* the problems, in words */
};

void rdns_check(const struct conf_egress *egress, struct rdns_result *out);


#endif
