/*
 * neighbours.c - neighbours_share_name() against the tests' NSD
 * (203.0.113.0/24 and 2001:db8:113::/48 in tests/fixtures/zones): shared and
 * not shared names on IPv4 and IPv6, the edge of a /24, at most
 * NEIGHBOURS_ASKED questions, kept answers asked again never, and a dead
 * server giving "unknown" after one question. Run by tests/daemon/generic-shared.sh
 * (DNS_PORT, DEAD_PORT).
 * scenario: dead
 */
#include "config.h"

#include "dnstest.h"
#include "health/neighbours.h"
#include "../unit/unit.h"
#include "conf/conf_address.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"

static int
share(const char *ip, const char *name, char *why, size_t size)
{
	struct ip_address a;

	why[0] = '\0';
	if (conf_parse_address(ip, &a) != 0)
		return -2;
	return neighbours_share_name(&a, name, why, size);
}

int
main(void)
{
	char why[200];
	unsigned long before;

	dnstest_use(dnstest_port("DNS_PORT"), 1, 1);
	before = resolver_queries_sent();
	CHECK(share("203.0.113.10", "range.shared.test", why, sizeof(why))
	    == 1, "203.0.113.10: range.shared.test is shared");
	CHECK_CONTAINS(why, "4 of 4 neighbours in the same /24",
	    "203.0.113.10: the reason counts the neighbours");
	CHECK(resolver_queries_sent() - before <= NEIGHBOURS_ASKED,
	    "at most NEIGHBOURS_ASKED questions for one name");
	before = resolver_queries_sent();
	dnscache_flush();
	CHECK(share("203.0.113.10", "RANGE.shared.test", why, sizeof(why))
	    == 1 && resolver_queries_sent() == before,
	    "the answer is kept: asked again, no question sent");
	CHECK(share("203.0.113.40", "mail.shared.test", why, sizeof(why))
	    == 0, "203.0.113.40: one neighbour with the same name is not "
	    "a shared name");
	CHECK(share("203.0.113.70", "smtp.shared.test", why, sizeof(why))
	    == 0, "203.0.113.70: neighbours named otherwise: not shared");
	CHECK(share("203.0.113.1", "edge.shared.test", why, sizeof(why))
	    == 1, "203.0.113.1: neighbours above only, two share: shared");
	CHECK_CONTAINS(why, "2 of 4", "203.0.113.1: 2 of 4 neighbours");
	CHECK(share("203.0.113.200", "nothing.shared.test", why, sizeof(why))
	    == 0, "no PTR around it: not shared");
	CHECK(share("2001:db8:113::10", "range6.shared.test", why,
	    sizeof(why)) == 1, "2001:db8:113::10: range6 is shared");
	CHECK_CONTAINS(why, "in the same /64", "IPv6: the /64 is named");
	CHECK(share("2001:db8:113::20", "mail6.shared.test", why,
	    sizeof(why)) == 0, "2001:db8:113::20: its own name");
	dnstest_use(dnstest_port("DEAD_PORT"), 1, 1);
	neighbours_flush();
	before = resolver_queries_sent();
	CHECK(share("203.0.113.10", "range.shared.test", why, sizeof(why))
	    == -1, "DNS down: unknown, not \"not shared\"");
	CHECK(resolver_queries_sent() - before == 1,
	    "DNS down: the first failure stops the asking");
	return unit_exit();
}
