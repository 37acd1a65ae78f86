/*
 * generic_rules.h - the inside of the generic-PTR judgement: how a name
 * is read (struct generic_subject), the rule table and the word and
 * suffix lists (generic_rules.c), and two character tests, inline,
 * that generic.c and generic_address.c share (generic_address.h has the
 * address tests). Only generic*.c include this header.
 *
 * Must not: be used outside generic.c, generic_rules.c and
 * generic_address.c; the rest of the project calls generic_name().
 */
#ifndef EM_GENERIC_RULES_H
#define EM_GENERIC_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"

#define GENERIC_NAME_LIMIT 253
#define GENERIC_MAX_TOKENS 128	/* a 253-byte name has at most 127 */
#define GENERIC_MAX_RUNS 128

struct generic_token {
	size_t start, len;
};

struct generic_run {			/* a maximal run of digits */
	size_t start, len;
	unsigned long value;		/* of the first 8 digits */
};

/* A name as the rules read it (see generic.c for how it is read). */
struct generic_subject {
	char name[GENERIC_NAME_LIMIT + 1];
	size_t len;
	size_t host_len;		/* bytes before ".registrable.domain" */
	size_t nhost_labels;		/* labels in the first host_len bytes */
	struct generic_token token[GENERIC_MAX_TOKENS];
	size_t ntokens;
	size_t nhost_tokens;		/* the first ones, in the host part */
	const struct ip_address *address;
	unsigned long part[8];		/* IPv4 octets or IPv6 groups */
	size_t nparts;			/* 4, 8, or 0 for no address */
};

enum generic_test {
	GENERIC_TEST_SHARED, GENERIC_TEST_CLOUD, GENERIC_TEST_HOSTING,
	GENERIC_TEST_SERVICE, GENERIC_TEST_ADDRESS, GENERIC_TEST_PARTIAL,
	GENERIC_TEST_KEYWORD, GENERIC_TEST_SEQUENCE
};

/* One row of the table: the first row whose test matches decides. */
struct generic_rule {
	const char *id;			/* short name, for tests and docs */
	enum generic_test test;
	bool generic;			/* false: a match means "not generic" */
	const char *reason;		/* what --check says */
};

extern const struct generic_rule generic_rules[];
extern const size_t generic_nrules;

/* A provider suffix; PREFIX: letters the first label must start with,
 * followed by a digit (NULL: a digit anywhere before the suffix). */
struct generic_suffix {
	const char *suffix;
	const char *prefix;
};

extern const struct generic_suffix generic_cloud_suffixes[];
extern const struct generic_suffix generic_hosting_suffixes[];

/* What must stand next to a dynamic-space keyword for it to count. */
enum generic_need {
	GENERIC_NEED_DIGITS,	/* digits run into it, or a number next */
	GENERIC_NEED_NUMBER,	/* a number token next to it */
	GENERIC_NEED_OCTETS	/* two octets of this address next to it */
};

struct generic_keyword {
	const char *word;
	enum generic_need need;
};

extern const struct generic_keyword generic_keywords[];
extern const char *const generic_service_first[];	/* first token */
extern const char *const generic_service_anywhere[];	/* any host token */
extern const char *const generic_shared_names[];	/* whole names */
extern const char *const generic_shared_labels[];	/* the only host label */

/* Character tests shared by generic.c and generic_address.c. */
static inline bool
generic_is_separator(int c)
{
	return c == '.' || c == '-' || c == '_';
}

static inline int
generic_digit_value(int c, int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

#endif
