/*
 * test_netclass.c - netclass_of() and netclass_is_public(): every range
 * the checks must not judge, its edges, and the test suite's exception
 * for documentation ranges (EGRESS_MILTER_DOCUMENTATION_PUBLIC=1) that
 * leaves every other class alone.
 */
#include "config.h"

#include <stdlib.h>

#include "util/netclass.h"
#include "unit.h"
#include "conf/conf_address.h"

static void
expect(const char *ip, enum netclass class)
{
	struct ip_address a;
	char label[200];

	snprintf(label, sizeof(label), "%s is %s", ip, netclass_name(class));
	CHECK(conf_parse_address(ip, &a) == 0 && netclass_of(&a) == class,
	    label);
}

static bool
is_public(const char *ip)
{
	struct ip_address a;

	return conf_parse_address(ip, &a) == 0 && netclass_is_public(&a);
}

int
main(void)
{
	expect("10.0.0.5", NETCLASS_PRIVATE);
	expect("172.16.0.1", NETCLASS_PRIVATE);
	expect("172.31.255.255", NETCLASS_PRIVATE);
	expect("172.32.0.1", NETCLASS_PUBLIC);
	expect("192.168.1.1", NETCLASS_PRIVATE);
	expect("127.0.0.2", NETCLASS_LOOPBACK);
	expect("169.254.169.254", NETCLASS_LINK_LOCAL);
	expect("100.64.0.1", NETCLASS_CGNAT);
	expect("100.127.255.255", NETCLASS_CGNAT);
	expect("100.128.0.1", NETCLASS_PUBLIC);
	expect("100.63.255.255", NETCLASS_PUBLIC);
	expect("192.0.2.10", NETCLASS_DOCUMENTATION);
	expect("198.51.100.7", NETCLASS_DOCUMENTATION);
	expect("203.0.113.7", NETCLASS_DOCUMENTATION);
	expect("0.0.0.0", NETCLASS_UNSPECIFIED);
	expect("8.8.8.8", NETCLASS_PUBLIC);
	expect("::1", NETCLASS_LOOPBACK);
	expect("::", NETCLASS_UNSPECIFIED);
	expect("fe80::1", NETCLASS_LINK_LOCAL);
	expect("fd00::1", NETCLASS_PRIVATE);
	expect("2001:db8::10", NETCLASS_DOCUMENTATION);
	expect("::ffff:10.0.0.5", NETCLASS_PRIVATE);
	expect("2a00:1450:4001::1", NETCLASS_PUBLIC);

	unsetenv("EGRESS_MILTER_DOCUMENTATION_PUBLIC");
	CHECK(!is_public("192.0.2.10"), "outside tests 192.0.2.10 is not public");
	CHECK(!is_public("2001:db8::10"), "outside tests 2001:db8::10 is not public");
	CHECK(is_public("8.8.8.8"), "8.8.8.8 is public");
	setenv("EGRESS_MILTER_DOCUMENTATION_PUBLIC", "1", 1);
	CHECK(is_public("192.0.2.10"), "in tests 192.0.2.10 counts as public");
	CHECK(is_public("2001:db8::10"), "in tests 2001:db8::10 counts as public");
	CHECK(!is_public("10.0.0.5"), "in tests 10.0.0.5 is still private");
	CHECK(!is_public("127.0.0.2"), "in tests 127.0.0.2 is still loopback");
	CHECK(!is_public("100.64.0.1"), "in tests 100.64.0.1 is still CGNAT");
	setenv("EGRESS_MILTER_DOCUMENTATION_PUBLIC", "yes", 1);
	CHECK(!is_public("192.0.2.10"), "only the value 1 turns the exception on");
	return unit_exit();
}
