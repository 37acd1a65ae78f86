/*
 * spf.h - SPF (RFC 7208) of an egress address for a sender, evaluated by
 * libspf2 with every DNS lookup going through the project's DNS layer.
 *
 * spf_check_host() evaluates ADDRESS for the MAIL FROM domain, or for
 * postmaster@HELO when MAIL FROM is null, and gives one verdict with the
 * domain checked and a reason in words. Verdicts are cached for the
 * smallest TTL of the records used. libspf2's limit of 10
 * DNS-querying mechanisms is kept; the RFC 7208 limit of 2 void lookups
 * (which libspf2 lacks) is added.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#ifndef EM_SPF_H
#define EM_SPF_H

#include "conf.h"
#include "resolver.h"

enum spf_verdict {
	SPFV_NONE,
	SPFV_NEUTRAL,
	SPFV_PASS,
	SPFV_FAIL,
	SPFV_SOFTFAIL,
	SPFV_TEMPERROR,
	SPFV_PERMERROR
};

struct spf_outcome {
	enum spf_verdict verdict;
	char domain[DNS_NAME_MAX + 1];	/* the domain whose record counted */
	char reason[256];
};

/*
 * Evaluates ADDRESS for MAIL_FROM ("" or "<>" for the null sender, then
 * postmaster@HELO is used). HELO may be NULL when MAIL_FROM is not null.
 */
void spf_check_host(const struct conf_address *address, const char *helo,
    const char *mail_from, struct spf_outcome *out);

/* "pass", "fail", "softfail", "neutral", "none", "temperror", ... */
const char *spf_verdict_name(enum spf_verdict verdict);

/* Forgets every cached verdict. */
void spf_cache_flush(void);

/* Frees this thread's libspf2 server (threads do it at exit anyway). */
void spf_thread_cleanup(void);

#endif
