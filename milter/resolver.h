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

#include "conf.h"

/* Query types used by the project (the DNS numbers). */
#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_SOA 6
#define DNS_TYPE_PTR 12
#define DNS_TYPE_MX 15
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28

#define DNS_NAME_MAX 253

enum dns_status {
	DNS_OK,			/* one or more records of the type */
	DNS_NXDOMAIN,		/* the name does not exist */
	DNS_NODATA,		/* the name exists, no record of the type */
	DNS_SERVFAIL,		/* SERVFAIL or another failure rcode */
	DNS_REFUSED,		/* REFUSED */
	DNS_TIMEOUT,		/* no server answered in time */
	DNS_ERROR		/* bad name, malformed or mismatched answer */
};

struct dns_address {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

struct dns_answer {
	enum dns_status status;
	uint16_t type;
	int rcode;		/* the DNS rcode; -1 when nothing arrived */
	uint32_t ttl;		/* how long this may be cached, seconds */
	bool stale;		/* served by the cache after expiry */
	bool cut_short;		/* failed at the asking thread's deadline
				 * (MessageDNSBudget), not by the servers */
	size_t count;		/* records[] (and addresses[] for A/AAAA) */
	char **records;		/* addresses as text; names in lower case
				 * without the final dot; TXT strings of one
				 * record joined without spaces */
	struct dns_address *addresses;	/* A and AAAA only, else NULL */
	char error[160];	/* what went wrong, for the log */
};

/* Resolver settings, from the configuration. */
struct resolver_settings {
	struct conf_nameserver nameservers[CONF_MAX_NAMESERVERS];
	size_t nnameservers;	/* 0: /etc/resolv.conf */
	int timeout;		/* seconds per try */
	int tries;		/* tries in all, across the servers */
};

/* Installs SETTINGS for every later query (any thread). 0 or -1. */
int resolver_configure(const struct resolver_settings *settings);

/* Fills SETTINGS from CONF. */
void resolver_settings_from_conf(const struct conf *conf,
    struct resolver_settings *settings);

/* Asks NAME/TYPE upstream (no cache). Never returns NULL. */
struct dns_answer *resolver_query(const char *name, uint16_t type);

/* How many questions were sent upstream so far (for tests, stats). */
unsigned long resolver_queries_sent(void);

/*
 * Frees this thread's ldns resolvers and its OpenSSL state (call before
 * a thread that asked DNS exits).
 */
void resolver_thread_cleanup(void);

struct dns_answer *dns_answer_new(uint16_t type, enum dns_status status);
struct dns_answer *dns_answer_copy(const struct dns_answer *answer);
void dns_answer_free(struct dns_answer *answer);
const char *dns_status_name(enum dns_status status);
const char *dns_type_name(uint16_t type);

/* True for NXDOMAIN and NODATA: the DNS said "no such record". */
bool dns_answer_is_negative(const struct dns_answer *answer);
/* True for SERVFAIL, REFUSED, TIMEOUT and ERROR: no usable answer. */
bool dns_answer_is_failure(const struct dns_answer *answer);

#endif
