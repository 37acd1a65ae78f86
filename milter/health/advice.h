/*
 * advice.h - what to do about each finding, with the names filled in.
 *
 * advice_for_egress() turns one round's egress report into advice, one
 * line per problem: whom to ask for a PTR (the reverse zone and its
 * SOA), the A record to add, the smtp_helo_name to set on which
 * transport, where to ask for delisting (the URL in the zone's TXT
 * record). advice_spf_everywhere() is the advice when the sender's SPF
 * refuses every egress. Advice is kept as lines separated by '\n';
 * advice_write_json() writes them as a JSON array of strings and
 * advice_first() gives the first line, for a short SMTP reply.
 * advice_preflight() is the fix for a pre-flight finding (a receiver's
 * published rule the message breaks).
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#ifndef EM_ADVICE_H
#define EM_ADVICE_H

#include <stddef.h>
#include <stdio.h>

#include "health/health.h"

#define ADVICE_MAX EGRESS_ADVICE_MAX

/* Advice for REPORT's findings into OUT (SIZE bytes; "" when none). */
void advice_for_egress(const struct egress_report *report, char *out,
    size_t size);

/*
 * Advice when DOMAIN's SPF allows none of the N addresses IPS (text):
 * the addresses and the ip4:/ip6: terms to add.
 */
void advice_spf_everywhere(const char *domain, const char *const *ips,
    size_t n, char *out, size_t size);

void advice_write_json(FILE *fp, const char *advice);
/* Each line of ADVICE after PREFIX, or nothing when there is none. */
void advice_write_text(FILE *fp, const char *prefix, const char *advice);
/* The lines of ADVICE joined with "; " into OUT. */
void advice_join(const char *advice, char *out, size_t size);
/* The first line of ADVICE into OUT. */
void advice_first(const char *advice, char *out, size_t size);

/*
 * What to do about the pre-flight finding FINDING (finding.h) for the
 * domain DOMAIN (the From domain; may be ""), into OUT.
 */
void advice_preflight(int finding, const char *domain, char *out,
    size_t size);

#endif
