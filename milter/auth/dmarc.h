/*
 * dmarc.h - DMARC (RFC 7489) of a message: each From domain's policy and
 * whether an SPF or DKIM pass is aligned with it.
 *
 * dmarc_org_domain() gives the organizational domain (RFC 7489 3.2: the
 * Public Suffix List through libpsl and Debian's publicsuffix data, any
 * suffix length, names compared without case). dmarc_evaluate() judges
 * every From domain: policy discovery (6.6.3: _dmarc.<From domain>,
 * else _dmarc.<organizational domain>; several records mean no policy;
 * an invalid p= or sp= is p=none when rua= holds a valid URI, otherwise
 * no policy), alignment (3.1), pct (6.6.4) and the policy in force; the
 * strictest result of all the domains decides (several From mailboxes
 * or fields: each is judged, as receivers do).
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#ifndef EM_DMARC_H
#define EM_DMARC_H

#include <stdbool.h>

#include "auth/dkim.h"
#include "dns/dns.h"

struct dmarc_input {
	const char *const *from_domains;	/* the RFC5322.From domains */
	size_t nfrom;
	const char *spf_domain;		/* the domain SPF checked */
	bool spf_pass;
	bool spf_temperror;		/* SPF's DNS failed */
	const struct dkimv_result *dkim;
	unsigned pct_draw;		/* 0..99: this message's draw for pct */
};

/* What one From domain's DMARC says, weakest first. */
enum dmarc_outcome {
	DMARC_NO_POLICY,	/* no record (or several): not applied */
	DMARC_PASS,		/* SPF or DKIM aligned */
	DMARC_UNALIGNED,	/* nothing aligned, the policy asks nothing */
	DMARC_DNS_ERROR,	/* a lookup failed: the record, or an aligned
				 * candidate's (SPF, a DKIM key) */
	DMARC_FAIL		/* nothing aligned; quarantine or reject */
};

struct dmarc_result {
	enum dmarc_outcome outcome;	/* the strictest of the domains */
	bool has_policy;		/* a DMARC record applies */
	bool dns_error;			/* outcome == DMARC_DNS_ERROR */
	bool fail;			/* outcome == DMARC_FAIL */
	bool missing;			/* a From domain has no policy */
	bool unaligned;			/* a From domain has no aligned pass
					 * (whatever its policy) */
	char missing_domain[DNS_NAME_MAX + 1];	/* the first such */
	char unaligned_domain[DNS_NAME_MAX + 1];
	char policy[16];		/* in force: none, quarantine, reject */
	char domain[DNS_NAME_MAX + 1];	/* the From domain that decided */
	char record_domain[DNS_NAME_MAX + 1];
	bool spf_aligned, dkim_aligned;	/* for that domain */
	char reason[512];
};

/* Writes the organizational domain of DOMAIN (lower case) into OUT. */
void dmarc_org_domain(const char *domain, char *out, size_t size);

void dmarc_evaluate(const struct dmarc_input *in, struct dmarc_result *out);

const char *dmarc_outcome_name(enum dmarc_outcome outcome);

#endif
