/*
 * dmarc.h - DMARC (RFC 7489) of a message: the From domain's policy and
 * whether an SPF or DKIM pass is aligned with it.
 *
 * dmarc_org_domain() gives the organizational domain (the Public Suffix
 * List through libpsl and Debian's publicsuffix data). dmarc_evaluate()
 * looks up _dmarc.<from-domain>, then _dmarc.<organizational domain>,
 * parses p, sp, adkim, aspf, and says whether the message fails.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#ifndef EM_DMARC_H
#define EM_DMARC_H

#include <stdbool.h>

#include "auth/dkim.h"
#include "dns/dns.h"

struct dmarc_input {
	const char *from_domain;	/* the RFC5322.From domain */
	const char *spf_domain;		/* the domain SPF checked */
	bool spf_pass;
	const struct dkimv_result *dkim;
};

struct dmarc_result {
	bool has_policy;		/* a DMARC record applies */
	bool dns_error;			/* the lookup failed */
	bool fail;			/* published, and nothing aligned */
	char policy[16];		/* p= (or sp=) in force: none, ... */
	char record_domain[DNS_NAME_MAX + 1];
	bool spf_aligned, dkim_aligned;
	char reason[256];
};

/* Writes the organizational domain of DOMAIN into OUT. */
void dmarc_org_domain(const char *domain, char *out, size_t size);

void dmarc_evaluate(const struct dmarc_input *in, struct dmarc_result *out);

#endif
