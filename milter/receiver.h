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

enum refusal_cause {
	CAUSE_NONE,			/* an unknown text: nothing */
	CAUSE_IP,
	CAUSE_PTR,
	CAUSE_RATE,
	CAUSE_AUTH,
	CAUSE_DOMAIN,
	CAUSE_RECIPIENT,
	CAUSE_COUNT
};

struct receiver_rule {
	enum refusal_cause cause;
	long seconds;			/* default duration (ip, ptr, rate) */
	const char *regex;		/* POSIX extended, case-insensitive */
};

/* The shipped table, first match wins; ends with a NULL regex. */
extern const struct receiver_rule receiver_rules[];

/* "ip", "ptr", ... ; CAUSE_NONE is "none". */
const char *cause_name(enum refusal_cause cause);

/* The cause named NAME (case-insensitive); CAUSE_COUNT when none. */
enum refusal_cause cause_by_name(const char *name);

/*
 * Splits an operator's RefusalPattern line "[cause=CAUSE]
 * [backoff=SECONDS] REGEX": *CAUSE (CAUSE_IP when not given), *BACKOFF
 * (0 when not given), *REGEX (into LINE). -1 with WHY when an option is
 * wrong or no REGEX follows.
 */
int receiver_pattern_split(const char *line, enum refusal_cause *cause,
    long *backoff, const char **regex, char *why, size_t size);

/*
 * The receiver behind MX host HOST into OUT: a provider's name
 * ("google", "microsoft-consumer", "microsoft-365", "yahoo", "apple",
 * "gmx", "orange", "comcast", "proofpoint", "mimecast"), else HOST's
 * organisational domain, lower-cased; "[ADDR]" when HOST is no name.
 */
void receiver_of_host(const char *host, const char *addr, char *out,
    size_t size);

#endif
