/*
 * dns.h - the DNS layer's vocabulary: query types, the typed answer
 * every lookup returns, a nameserver, and the reverse name of an address.
 *
 * The answer helpers (dns_answer_new/copy/free, dns_status_name,
 * dns_type_name, dns_answer_is_negative/is_failure) and
 * dns_reverse_name() are dns.c's. Questions are asked by resolver.c
 * (upstream) and dnscache.c (dns_lookup(), with the cache).
 * Must not: ask the network; know the configuration.
 */
#ifndef EM_DNS_H
#define EM_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/address.h"

#define DNS_MAX_NAMESERVERS 8

/* A nameserver to ask: its address and port (53 unless configured). */
struct dns_nameserver {
	struct ip_address address;
	uint16_t port;
};

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

/* A new answer of TYPE with STATUS and no records. Never NULL. */
struct dns_answer *dns_answer_new(uint16_t type, enum dns_status status);
struct dns_answer *dns_answer_copy(const struct dns_answer *answer);
void dns_answer_free(struct dns_answer *answer);
const char *dns_status_name(enum dns_status status);
const char *dns_type_name(uint16_t type);

/* True for NXDOMAIN and NODATA: the DNS said "no such record". */
bool dns_answer_is_negative(const struct dns_answer *answer);
/* True for SERVFAIL, REFUSED, TIMEOUT and ERROR: no usable answer. */
bool dns_answer_is_failure(const struct dns_answer *answer);

/*
 * Writes the reverse name of ADDRESS (in-addr.arpa or ip6.arpa, no
 * final dot) into OUT. Returns 0, or -1 when SIZE is too small.
 */
int dns_reverse_name(const struct ip_address *address, char *out,
    size_t size);

#endif
