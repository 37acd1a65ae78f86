/*
 * dnscache.h - one DNS cache shared by all threads, in front of
 * resolver.c.
 *
 * dns_lookup() answers from the cache while a record's TTL lasts
 * (clamped between a floor and a ceiling), caches NXDOMAIN and NODATA
 * for the SOA's negative TTL (RFC 2308), keeps at most a fixed number
 * of entries (least recently used first out), sends one query for many
 * threads asking the same missing name at once (single flight), and
 * when the servers fail may answer with an expired record for a bounded
 * time (RFC 8767 serve-stale), marking the answer stale.
 * Must not: talk to the network itself (resolver.c does).
 */
#ifndef EM_DNSCACHE_H
#define EM_DNSCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns.h"

struct dnscache_settings {
	size_t max_entries;		/* > 0 */
	uint32_t min_ttl;		/* floor for positive and negative */
	uint32_t max_ttl;		/* ceiling for positive answers */
	uint32_t max_negative_ttl;	/* ceiling for NXDOMAIN/NODATA */
	uint32_t serve_stale;		/* seconds past expiry; 0: never */
};

struct dnscache_stats {
	unsigned long hits;		/* answered from a fresh entry */
	unsigned long misses;		/* went upstream */
	unsigned long coalesced;	/* waited for another thread's query */
	unsigned long stale;		/* answered with an expired entry */
	unsigned long evictions;	/* entries dropped for room */
	size_t entries;
};

/* Sets the limits (keeps entries that fit); call before use. */
void dnscache_configure(const struct dnscache_settings *settings);

/* NAME/TYPE through the cache. Never NULL; free with dns_answer_free(). */
struct dns_answer *dns_lookup(const char *name, uint16_t type);

/*
 * Whether the cache holds a fresh answer for NAME/TYPE (a query under
 * way is not one). Counts nothing, copies nothing, never waits: for a
 * caller deciding whether a lookup is worth starting (prefetch.c).
 */
bool dnscache_has_fresh(const char *name, uint16_t type);

/*
 * The cache's fresh answer for NAME/TYPE (a copy, counted as a hit;
 * free with dns_answer_free()), or NULL when it has none (a miss, an
 * expired entry or a query under way): one look, never a wait, never a
 * query (route-rcpt's MX).
 */
struct dns_answer *dnscache_fresh(const char *name, uint16_t type);

/*
 * In refresh mode this thread's lookups go upstream even when the cache
 * has a fresh answer, and renew the entry (the monitor uses this to
 * refresh answers before they expire). A failed refresh keeps the entry.
 * Returns the mode it replaces.
 */
bool dnscache_refresh_mode(bool on);

/* The ceiling of positive TTLs (DNSMaxTTL), for caches built on it. */
uint32_t dnscache_max_ttl(void);

void dnscache_get_stats(struct dnscache_stats *stats);
void dnscache_flush(void);

#endif
