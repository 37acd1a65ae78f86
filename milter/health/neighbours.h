/*
 * neighbours.h - is a PTR name one that a whole range shares? Asks the
 * PTR of a few neighbouring addresses (the same /24; the same /64 for
 * IPv6) through the DNS layer.
 *
 * neighbours_share_name(ADDRESS, NAME, WHY, SIZE): 1 when two or more of
 * the NEIGHBOURS_ASKED nearest neighbours carry NAME too (WHY says how
 * many, of which range), 0 when not, -1 when the lookups failed and
 * nothing is known. The answer is kept for the answers' TTL, between an
 * hour and a day, per address and name, so a monitor round asks again
 * only when it expired. Called by rdns.c (the background monitor and
 * --check), never on the message path.
 * Must not: touch libmilter; talk to DNS except through dns_lookup();
 * ask more than NEIGHBOURS_ASKED questions per call.
 */
#ifndef EM_NEIGHBOURS_H
#define EM_NEIGHBOURS_H

#include <stddef.h>

#include "conf/conf.h"

#define NEIGHBOURS_ASKED 4	/* neighbours asked per name */
#define NEIGHBOURS_SHARED 2	/* of them carrying the name: shared */

int neighbours_share_name(const struct ip_address *address,
    const char *name, char *why, size_t size);

/* Forgets every kept answer (tests; a reload need not call it). */
void neighbours_flush(void);

#endif
