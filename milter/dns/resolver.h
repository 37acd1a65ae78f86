/*
 * resolver.h - every DNS question the project asks goes through here.
 *
 * resolver_configure() sets the nameservers (with ports), the timeout
 * and the number of tries from the configuration; each thread gets its
 * own ldns resolvers, rebuilt when the configuration changes.
 * resolver_query() asks one question and returns a typed answer: the
 * records (addresses, names, TXT strings joined as RFC 7208 says), the
 * rcode and TTL, and whether it was an answer, NXDOMAIN, NODATA, a
 * server failure (SERVFAIL/REFUSED), a timeout or a malformed answer.
 * Callers normally use dns_lookup() (dnscache.h), which adds the cache.
 * Must not: be bypassed; nothing else in the project opens a socket to
 * DNS or calls res_query()/getaddrinfo() for a lookup.
 */
#ifndef EM_RESOLVER_H
#define EM_RESOLVER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns.h"

/* Resolver settings, from the configuration. */
struct resolver_settings {
	struct dns_nameserver nameservers[DNS_MAX_NAMESERVERS];
	size_t nnameservers;	/* 0: /etc/resolv.conf */
	int timeout;		/* seconds per try */
	int tries;		/* tries in all, across the servers */
};

/* Installs SETTINGS for every later query (any thread). 0 or -1. */
int resolver_configure(const struct resolver_settings *settings);


/* Asks NAME/TYPE upstream (no cache). Never returns NULL. */
struct dns_answer *resolver_query(const char *name, uint16_t type);

/* How many questions were sent upstream so far (for tests, stats). */
unsigned long resolver_queries_sent(void);

/*
 * Frees this thread's ldns resolvers and its OpenSSL state (call before
 * a thread that asked DNS exits).
 */
void resolver_thread_cleanup(void);

#endif
