/*
 * netclass.c - which addresses remote mail servers can see: the classes
 * of special-purpose ranges an egress must not be judged by.
 *
 * An egress address that is private (10/8, 172.16/12, 192.168/16,
 * fc00::/7), loopback (127/8, ::1), link-local (169.254/16, fe80::/10),
 * CGNAT (100.64/10), a documentation range (192.0.2/24, 198.51.100/24,
 * 203.0.113/24, 2001:db8::/32) or unspecified (0/8, ::) is not what
 * remote servers see: behind NAT they see another address, which must be
 * given (Egress ... public=ADDRESS). Its PTR, DNSBL and SPF results
 * would say nothing about the egress, so they are not asked for.
 *
 * The test suite uses documentation addresses as if they were public:
 * with EGRESS_MILTER_DOCUMENTATION_PUBLIC=1 in the environment (set by
 * tests/run-tests and tests/lib.sh, never in production) the
 * documentation ranges count as public; every other class still does
 * not.
 *
 * netclass_of(), netclass_name(), netclass_is_public(),
 * netclass_lab_hint().
 * Must not: look anything up, or touch libmilter.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "util/netclass.h"

struct range4 {
	uint32_t net;
	int bits;
	enum netclass class;
};

static const struct range4 ranges4[] = {
	{ 0x00000000, 8, NETCLASS_UNSPECIFIED },	/* 0.0.0.0/8 */
	{ 0x0a000000, 8, NETCLASS_PRIVATE },		/* 10.0.0.0/8 */
	{ 0x64400000, 10, NETCLASS_CGNAT },		/* 100.64.0.0/10 */
	{ 0x7f000000, 8, NETCLASS_LOOPBACK },		/* 127.0.0.0/8 */
	{ 0xa9fe0000, 16, NETCLASS_LINK_LOCAL },	/* 169.254.0.0/16 */
	{ 0xac100000, 12, NETCLASS_PRIVATE },		/* 172.16.0.0/12 */
	{ 0xc0000200, 24, NETCLASS_DOCUMENTATION },	/* 192.0.2.0/24 */
	{ 0xc0a80000, 16, NETCLASS_PRIVATE },		/* 192.168.0.0/16 */
	{ 0xc6336400, 24, NETCLASS_DOCUMENTATION },	/* 198.51.100.0/24 */
	{ 0xcb007100, 24, NETCLASS_DOCUMENTATION },	/* 203.0.113.0/24 */
};

static enum netclass
netclass_of_v4(const struct in_addr *a)
{
	uint32_t ip = ntohl(a->s_addr);

	for (size_t i = 0; i < sizeof(ranges4) / sizeof(ranges4[0]); i++) {
		uint32_t mask = 0xffffffffu << (32 - ranges4[i].bits);

		if ((ip & mask) == ranges4[i].net)
			return ranges4[i].class;
	}
	return NETCLASS_PUBLIC;
}

static enum netclass
netclass_of_v6(const struct in6_addr *a)
{
	static const unsigned char doc[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	const unsigned char *b = a->s6_addr;

	if (IN6_IS_ADDR_V4MAPPED(a)) {
		struct in_addr v4;

		memcpy(&v4, b + 12, 4);
		return netclass_of_v4(&v4);
	}
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return NETCLASS_UNSPECIFIED;
	if (IN6_IS_ADDR_LOOPBACK(a))
		return NETCLASS_LOOPBACK;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)	/* fe80::/10 */
		return NETCLASS_LINK_LOCAL;
	if ((b[0] & 0xfe) == 0xfc)			/* fc00::/7 */
		return NETCLASS_PRIVATE;
	if (memcmp(b, doc, sizeof(doc)) == 0)		/* 2001:db8::/32 */
		return NETCLASS_DOCUMENTATION;
	return NETCLASS_PUBLIC;
}

enum netclass
netclass_of(const struct ip_address *address)
{
	if (address->family == AF_INET)
		return netclass_of_v4(&address->u.v4);
	if (address->family == AF_INET6)
		return netclass_of_v6(&address->u.v6);
	return NETCLASS_UNSPECIFIED;
}

const char *
netclass_name(enum netclass class)
{
	switch (class) {
	case NETCLASS_PUBLIC: return "public";
	case NETCLASS_PRIVATE: return "private";
	case NETCLASS_LOOPBACK: return "loopback";
	case NETCLASS_LINK_LOCAL: return "link-local";
	case NETCLASS_CGNAT: return "CGNAT (100.64.0.0/10)";
	case NETCLASS_DOCUMENTATION: return "documentation";
	case NETCLASS_UNSPECIFIED: return "unspecified";
	}
	return "unknown";
}

bool
netclass_is_public(const struct ip_address *address)
{
	enum netclass class = netclass_of(address);
	const char *env;

	if (class == NETCLASS_DOCUMENTATION &&
	    (env = getenv("EGRESS_MILTER_DOCUMENTATION_PUBLIC")) != NULL &&
	    strcmp(env, "1") == 0)
		return true;
	return class == NETCLASS_PUBLIC;
}

const char *
netclass_lab_hint(const struct ip_address *address)
{
	return netclass_of(address) == NETCLASS_DOCUMENTATION ? " (a lab "
	    "on documentation addresses: set EGRESS_MILTER_DOCUMENTATION_"
	    "PUBLIC=1 in the environment to check them as public)" : "";
}
