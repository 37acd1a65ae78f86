/*
 * dnsbl.h - DNS blocklists: is an egress address listed, and can a zone
 * be trusted at all?
 *
 * dnsbl_query_name() builds the name to ask (IPv4: reversed octets;
 * IPv6: 32 reversed nibbles). dnsbl_zone_check() asks one zone about one
 * address and judges the answer: a listing counts only when its code
 * matches the zone's codes= (without codes=, any 127.0.0.0/8 answer
 * outside 127.255.255.0/24); answers in 127.255.255.0/24 (Spamhaus's
 * "you queried through a public resolver" and friends), answers outside
 * 127.0.0.0/8, SERVFAIL, REFUSED and timeouts are errors, never
 * listings. The TXT reason of a listing is fetched. dnsbl_zone_selftest()
 * asks the RFC 5782 test points (127.0.0.2 must be listed, 127.0.0.1
 * must not; ::FFFF:7F00:2 and ::FFFF:7F00:1 for IPv6).
 * dnsbl_score() adds up the weights of the listing zones.
 * dnsbl_pace() keeps the monitor's (and --check's) questions to one
 * zone at most DnsblRate a second.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#ifndef EM_DNSBL_H
#define EM_DNSBL_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"

#define DNSBL_MAX_CODES 8

struct dnsbl_result {
	const struct conf_dnsbl *zone;
	bool listed;			/* a counting code came back */
	size_t ncodes;			/* answers seen, as text */
	char codes[DNSBL_MAX_CODES][16];
	char reason[256];		/* TXT of the listing, "" if none */
	bool error;			/* no trustworthy answer */
	char error_text[256];		/* what it means and what to do */
	bool suspended;			/* zone failed its self-test */
	unsigned ttl;			/* of the answer (for refresh) */
};

enum dnsbl_selftest {
	DNSBL_SELFTEST_OK,		/* lists 127.0.0.2, not 127.0.0.1 */
	DNSBL_SELFTEST_LISTS_WORLD,	/* lists 127.0.0.1: suspend */
	DNSBL_SELFTEST_NO_TESTPOINT,	/* does not list 127.0.0.2 */
	DNSBL_SELFTEST_ERROR		/* DNS failed; try again later */
};

/* Writes the query name for ADDRESS under ZONE; -1 when it won't fit. */
int dnsbl_query_name(const struct ip_address *address, const char *zone,
    char *out, size_t size);

/* Asks ZONE about ADDRESS and judges the answer into OUT. */
void dnsbl_zone_check(const struct conf_dnsbl *zone,
    const struct ip_address *address, struct dnsbl_result *out);

/* Asks a domain blocklist ZONE about DOMAIN ("DOMAIN.ZONE"). */
void dnsbl_domain_check(const struct conf_dnsbl *zone, const char *domain,
    struct dnsbl_result *out);

/* Asks ZONE's RFC 5782 test points for FAMILY (AF_INET or AF_INET6). */
enum dnsbl_selftest dnsbl_zone_selftest(const struct conf_dnsbl *zone,
    int family, char *why, size_t size);

/*
 * Waits, when needed, so that this process asks ZONE (a zone name, or
 * any key) at most RATE questions a second (RATE <= 0: no bound); call
 * it before each question. Never on the message path (it sleeps).
 */
void dnsbl_pace(const char *zone, long rate);

/* The sum of the weights of the listing, unsuspended RESULTS. */
int dnsbl_score(const struct dnsbl_result *results, size_t n);

#endif
