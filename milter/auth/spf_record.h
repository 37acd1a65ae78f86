/*
 * spf_record.h - one SPF record (RFC 7208 section 4.5, 4.6, 5, 6, 12)
 * parsed strictly into its terms.
 *
 * spf_record_is_spf1() tells an SPF record ("v=spf1" then a space or
 * the end, any case) from other TXT records. spf_record_parse() checks
 * the whole record against RFC 7208's ABNF before anything is
 * evaluated (4.6: syntax errors anywhere are permerror) and gives the
 * mechanisms in order and the redirect= and exp= modifiers.
 * Hostile records: a term over SPF_TERM_MAX bytes or with more than
 * SPF_MACROS_MAX macros is refused (permerror) before anything else.
 * Must not: expand macros or talk to DNS (spf_macro.c, spf_eval.c do).
 */
#ifndef EM_SPF_RECORD_H
#define EM_SPF_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "dns/dns.h"

#define SPF_TERM_MAX 511	/* bytes in one term, and in one exp word */
#define SPF_MACROS_MAX 100	/* macros in one term or explanation */

enum spf_mechanism {
	SPF_MECH_ALL,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS
};

struct spf_term {
	enum spf_mechanism mechanism;
	char qualifier;			/* '+', '-', '~' or '?' */
	const char *domain;		/* its domain-spec, or NULL */
	int cidr4, cidr6;		/* prefix lengths (32, 128 if none) */
	struct dns_address network;	/* ip4: and ip6: */
};

struct spf_record {
	char *text;			/* our copy, cut into the strings */
	size_t count;
	struct spf_term *terms;		/* the mechanisms, in order */
	const char *redirect;		/* redirect= domain-spec, or NULL */
	const char *exp;		/* exp= domain-spec, or NULL */
};

bool spf_record_is_spf1(const char *txt);

/* Fills RECORD from TXT; 0, or -1 with the syntax error in WHY. */
int spf_record_parse(const char *txt, struct spf_record *record, char *why,
    size_t size);

void spf_record_free(struct spf_record *record);

#endif
