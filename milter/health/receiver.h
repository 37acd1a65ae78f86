/*
 * receiver.h - who answered and what its words mean: the provider
 * behind an MX host name, and the shipped table of refusal texts with
 * a cause and a default duration for each (RECEIVERS facts, written in
 * the project's own words; documented in egress-milter.conf(5)).
 *
 * Causes: ip (the egress address or its netblock: listings and
 * reputation), ptr (missing, mismatched or generic rDNS or HELO), rate
 * (volume or connection limits), auth (SPF, DKIM, DMARC, alignment),
 * domain (the sender's or a URL's domain, content), recipient (mailbox,
 * recipient policy, allowlists, greylisting).
 * Must not: do DNS.
 */
#ifndef EM_RECEIVER_H
#define EM_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "global/cause.h"

struct receiver_rule {
	enum refusal_cause cause;
	long seconds;			/* default duration (ip, ptr, rate) */
	const char *regex;		/* POSIX extended, case-insensitive */
};

/* The shipped table, first match wins; ends with a NULL regex. */
extern const struct receiver_rule receiver_rules[];

/*
 * The receiver behind MX host HOST into OUT: a provider's name
 * ("google", "microsoft-consumer", "microsoft-365", "yahoo", "apple",
 * "gmx", "orange", "comcast", "proofpoint", "mimecast"), else HOST's
 * organisational domain, lower-cased; "[ADDR]" when HOST is no name.
 */
void receiver_of_host(const char *host, const char *addr, char *out,
    size_t size);

#endif
