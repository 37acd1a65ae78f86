/*
 * cause.c - the names of the refusal causes, and the options of one
 * RefusalPattern line (see cause.h).
 *
 * cause_name(), cause_by_name(), cause_pattern_split().
 * Must not: match replies (health/receiver.c and health/refusal.c do).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "global/cause.h"

static const char *const cause_names[CAUSE_COUNT] = {
	[CAUSE_NONE] = "none", [CAUSE_IP] = "ip", [CAUSE_PTR] = "ptr",
	[CAUSE_RATE] = "rate", [CAUSE_AUTH] = "auth",
	[CAUSE_DOMAIN] = "domain", [CAUSE_RECIPIENT] = "recipient",
};

const char *
cause_name(enum refusal_cause cause)
{
	return cause < CAUSE_COUNT ? cause_names[cause] : "none";
}

enum refusal_cause
cause_by_name(const char *name)
{
	for (int c = CAUSE_IP; c < CAUSE_COUNT; c++)
		if (strcasecmp(name, cause_names[c]) == 0)
			return (enum refusal_cause)c;
	return CAUSE_COUNT;
}

int
cause_pattern_split(const char *line, enum refusal_cause *cause,
    long *backoff, const char **regex, char *why, size_t size)
{
	const char *p = line;

	*cause = CAUSE_IP;
	*backoff = 0;
	for (;;) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char word[32];

		if (strncasecmp(p, "cause=", 6) == 0 && end != NULL) {
			if (len - 6 >= sizeof(word) ||
			    (memcpy(word, p + 6, len - 6), word[len - 6] = '\0',
			    (*cause = cause_by_name(word)) == CAUSE_COUNT)) {
				snprintf(why, size, "cause= is one of ip, ptr, "
				    "rate, auth, domain, recipient");
				return -1;
			}
		} else if (strncasecmp(p, "backoff=", 8) == 0 && end != NULL) {
			char *stop;

			*backoff = strtol(p + 8, &stop, 10);
			if (stop != end || *backoff < 1 || *backoff > 86400) {
				snprintf(why, size, "backoff= is a number of "
				    "seconds from 1 to 86400");
				return -1;
			}
		} else
			break;
		p = end + 1;
	}
	if (*p == '\0') {
		snprintf(why, size, "no regular expression after the options");
		return -1;
	}
	*regex = p;
	return 0;
}
