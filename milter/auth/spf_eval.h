/*
 * spf_eval.h - check_host() of RFC 7208 (sections 4 to 6) on the
 * project's DNS layer, with its processing limits.
 *
 * spf_eval_check_host() evaluates one domain's record for an address
 * and a sender, following include: and redirect=. One struct spf_eval
 * is one evaluation: its counters hold across includes and redirects
 * (10 DNS-querying terms, 2 void lookups), it has a time limit, and it
 * keeps the smallest TTL of the answers used. spf_eval_explain() gives
 * the explanation of a fail (6.2). Its DNS helpers are spf_dns.c's
 * (spf_dns.h); struct spf_eval is auth.h's, as both files use it.
 * Must not: cache verdicts (spf.c does); talk to DNS except through
 * dns_lookup().
 */
#ifndef EM_SPF_EVAL_H
#define EM_SPF_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"

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

#endif
