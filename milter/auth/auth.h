/*
 * auth.h - the types the SPF files share: a verdict, and the state of
 * one check_host() evaluation with its processing limits (RFC 7208).
 *
 * spf.c caches verdicts, spf_eval.c evaluates, spf_dns.c asks the DNS
 * for it; each declares its own functions in its own header.
 * Must not: declare any file's functions.
 */
#ifndef EM_AUTH_H
#define EM_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/spf_record.h"
#include "dns/dns.h"

enum spf_verdict {
	SPFV_NONE,
	SPFV_NEUTRAL,
	SPFV_PASS,
	SPFV_FAIL,
	SPFV_SOFTFAIL,
	SPFV_TEMPERROR,
	SPFV_PERMERROR
};

#define SPF_DNS_TERMS_MAX 10	/* RFC 7208 4.6.4 */
#define SPF_VOIDS_MAX 2
#define SPF_NAMES_MAX 10	/* MX and PTR names looked at */
#define SPF_TIME_LIMIT_MS 20000	/* RFC 7208 4.6.4: at least 20 s */
#define SPF_RECEIVER "unknown"	/* %{r} (RFC 7208 7.2) */

struct spf_eval {
	struct dns_address ip;		/* IPv4 for IPv4-mapped clients */
	const char *local;		/* "postmaster" when there is none */
	const char *sender_domain;
	const char *helo;		/* as given; "unknown" when none */
	int dns_terms;
	int voids;
	int depth;
	long long deadline_ms;
	uint32_t ttl;			/* smallest TTL of the answers */
	bool used_local;		/* a macro used the local part */
	char reason[400];
	/* the exp= of the record that decided, and its <domain> */
	bool has_exp;
	char exp[SPF_TERM_MAX + 1];
	char exp_domain[DNS_NAME_MAX + 1];
};

#endif
