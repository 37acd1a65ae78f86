/*
 * spf_dns.h - the DNS side of one SPF evaluation (see spf_dns.c): every
 * lookup within the evaluation's limits, the record lookup and selection
 * (RFC 7208 4.4, 4.5), and the validated names of the address (ptr,
 * %{p}).
 */
#ifndef EM_SPF_DNS_H
#define EM_SPF_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"

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
