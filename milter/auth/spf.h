/*
 * spf.h - SPF (RFC 7208) of an egress address for a sender, evaluated by
 * the project's own evaluator (spf_record.c, spf_macro.c, spf_eval.c,
 * spf_dns.c) with every DNS lookup going through the project's DNS
 * layer.
 *
 * spf_check_host() evaluates ADDRESS for the MAIL FROM domain, or for
 * postmaster@HELO when MAIL FROM is null, and gives one verdict with the
 * domain checked and a reason in words. Verdicts are cached for the
 * smallest TTL of the records used (at most DNSMaxTTL). The limits are
 * RFC 7208 4.6.4's: 10 DNS-querying terms across include: and
 * redirect=, 2 void lookups, 10 MX and PTR names, and a time limit.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#ifndef EM_SPF_H
#define EM_SPF_H

#include "auth/auth.h"
#include "conf/conf.h"
#include "dns/dns.h"

struct spf_outcome {
	enum spf_verdict verdict;
	char domain[DNS_NAME_MAX + 1];	/* the domain whose record counted */
	char reason[256];		/* for a fail: the explanation */
	bool explained;			/* a fail explained by its exp= */
};

/*
 * Evaluates ADDRESS for MAIL_FROM ("" or "<>" for the null sender, then
 * postmaster@HELO is used). HELO may be NULL when MAIL_FROM is not null.
 */
void spf_check_host(const struct ip_address *address, const char *helo,
    const char *mail_from, struct spf_outcome *out);

/*
 * The cached verdict of the same evaluation into OUT, without any DNS:
 * true when there is one (or when the sender gives no SPF to look up).
 */
bool spf_cached(const struct ip_address *address, const char *helo,
    const char *mail_from, struct spf_outcome *out);

/* "pass", "fail", "softfail", "neutral", "none", "temperror", ... */
const char *spf_verdict_name(enum spf_verdict verdict);

/* Forgets every cached verdict. */
void spf_cache_flush(void);

/* Kept for callers: nothing is held per thread any more. */
void spf_thread_cleanup(void);

#endif
