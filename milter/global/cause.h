/*
 * cause.h - why a remote refused a delivery, as the refusal table and the
 * RefusalPattern lines name it: ip, ptr, rate, auth, domain, recipient
 * (see cause.c and egress-milter.conf(5), REFUSALS).
 */
#ifndef EM_CAUSE_H
#define EM_CAUSE_H

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
int cause_pattern_split(const char *line, enum refusal_cause *cause,
    long *backoff, const char **regex, char *why, size_t size);

#endif
