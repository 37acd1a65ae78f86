/*
 * spf_eval.h - check_host() of RFC 7208 (sections 4 to 6) on the
 * project's DNS layer, with its processing limits.
 *
 * spf_eval_check_host() evaluates one domain's record for an address
 * and a sender, following include: and redirect=. One struct spf_eval
 * is one evaluation: its counters hold across includes and redirects
 * (10 DNS-querying terms, 2 void lookups), it has a time limit, and it
 * keeps the smallest TTL of the answers used. spf_eval_explain() gives
 * the explanation of a fail (6.2). spf_dns_*() (spf_dns.c) are its DNS
 * helpers: every lookup, the record lookup and selection (4.4, 4.5),
 * and the validated names of the address (ptr, %{p}).
 * Must not: cache verdicts (spf.c does); talk to DNS except through
 * dns_lookup().
 */
#ifndef EM_SPF_EVAL_H
#define EM_SPF_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "resolver.h"
#include "spf.h"
#include "spf_record.h"

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

/* Starts an evaluation (limits, time) for IP and the sender. */
void spf_eval_init(struct spf_eval *ev, const struct dns_address *ip,
    const char *local, const char *sender_domain, const char *helo);

enum spf_verdict spf_eval_check_host(struct spf_eval *ev,
    const char *domain);

/*
 * The explanation of a fail into OUT: 1 from the record's exp=, 0 the
 * default, -1 permerror (an explanation over the term limits).
 */
int spf_eval_explain(struct spf_eval *ev, char *out, size_t size);

/* spf_dns.c */
long long spf_dns_now_ms(void);
struct dns_answer *spf_dns_lookup(struct spf_eval *ev, const char *name,
    uint16_t type);
/* The record of DOMAIN into *TXT (caller frees): SPFV_PASS when found. */
enum spf_verdict spf_dns_record(struct spf_eval *ev, const char *domain,
    char **txt);
/* True when a validated name of the address is TARGET or under it. */
bool spf_dns_ptr_match(struct spf_eval *ev, const char *target);
/* %{p}: a validated name, preferring DOMAIN and its subdomains. */
void spf_dns_validated_name(void *ev, const char *domain, char *out,
    size_t size);
/* True when ADDRESS is in NETWORK/PREFIX (same family). */
bool spf_dns_in_network(const struct dns_address *address,
    const struct dns_address *network, int prefix);

#endif
