/*
 * test_generic.c - generic_name(): every rule of the table in
 * milter/generic.c, with names that must and must not count as generic.
 */
#include "config.h"

#include "generic.h"
#include "unit.h"

static void
expect(const char *name, const char *ip, bool generic, const char *why)
{
	struct conf_address a;
	char reason[200], label[300];
	bool got;

	conf_parse_address(ip, &a);
	got = generic_name(name, &a, reason, sizeof(reason));
	snprintf(label, sizeof(label), "%s for %s: %s", name, ip,
	    generic ? "generic" : "not generic");
	CHECK(got == generic, label);
	if (why != NULL) {
		snprintf(label, sizeof(label), "%s: the reason names the rule",
		    name);
		CHECK_CONTAINS(reason, why, label);
	}
}

int
main(void)
{
	/* Rule 1: the address written in the name. */
	expect("ec2-203-0-113-7.compute-1.amazonaws.com", "203.0.113.7", true,
	    "203.0.113.7 is written in the name");
	expect("203-0-113-7.static.example.net", "203.0.113.7", true,
	    "written in the name");
	expect("7.113.0.203.in-addr.example", "203.0.113.7", true,
	    "octets reversed");
	expect("7-113-0-203.example.net", "203.0.113.7", true, "reversed");
	expect("host-cb007107.example", "203.0.113.7", true, "in hex");
	expect("host-CB007107.example", "203.0.113.7", true, "in hex");
	expect("x07710 0cb.example", "203.0.113.7", false, NULL);
	expect("c-077100cb.example", "203.0.113.7", true, "bytes reversed");
	expect("ip-203-0-113-7.ec2.internal", "203.0.113.7", true, "written");
	expect("203-000-113-007.example.net", "203.0.113.7", true, "written");
	expect("203_0_113_7.example.net", "203.0.113.7", true, "written");
	expect("203.0.113.7.example.net", "203.0.113.7", true, "written");
	expect("h203000113007.example.net", "203.0.113.7", true,
	    "twelve digits");
	expect("mail-203-0-113-7.example.net", "203.0.113.7", true,
	    "written in the name");	/* rule 1 wins over the exception */
	expect("static.7.113.0.203.clients.your-server.de", "203.0.113.7",
	    true, "reversed");
	expect("2001-db8--10.example.net", "2001:db8::10", true, "'-' for ':'");
	expect("host-20010db8000000000000000000000010.example.net",
	    "2001:db8::10", true, "32 hex digits");
	expect("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0."
	    "2.ip6.example", "2001:db8::10", true, "reversed nibbles");
	/* Not the address: other numbers, other addresses. */
	expect("mail203.example.com", "192.0.2.203", false, NULL);
	expect("host-192-0-2-7.example.net", "203.0.113.7", true, "keyword");
	expect("web-192-0-2-7.example.net", "203.0.113.7", false, NULL);
	expect("www.example.com", "203.0.113.7", false, "no generic pattern");
	/* Rule 2: mail-service names. */
	expect("mail.example.com", "192.0.2.10", false, "mail service");
	expect("smtp2.example.com", "192.0.2.10", false, "\"smtp\"");
	expect("mx1.example.net", "192.0.2.10", false, "\"mx\"");
	expect("mx01.dsl.example.net", "192.0.2.10", false, "mail service");
	expect("out.example.org", "192.0.2.10", false, "\"out\"");
	expect("out-03.example.org", "192.0.2.10", false, "\"out\"");
	expect("mail-3.example.org", "192.0.2.10", false, "\"mail\"");
	expect("relay.example.test", "192.0.2.10", false, "\"relay\"");
	expect("smtp-out.example.test", "192.0.2.10", false, "\"smtp\"");
	expect("mailbox-12.dyn.example.net", "192.0.2.10", true, "dyn");
	/* Rule 3: cloud providers' default names. */
	expect("li123-45.members.linode.com", "192.0.2.10", true,
	    "members.linode.com");
	expect("foo.bc.googleusercontent.com", "192.0.2.10", true,
	    "googleusercontent");
	expect("vm1.cloudapp.net", "192.0.2.10", true, "cloudapp.net");
	expect("vps-1a2b3c.vps.ovh.net", "192.0.2.10", true, "vps.ovh.net");
	/* Rule 4: keywords next to digits. */
	expect("dyn-12-34.example.net", "192.0.2.10", true, "\"dyn\"");
	expect("dynamic-7.example.net", "192.0.2.10", true, "\"dynamic\"");
	expect("dhcp-12.example.net", "192.0.2.10", true, "\"dhcp\"");
	expect("pool-98-7.example.net", "192.0.2.10", true, "\"pool\"");
	expect("adsl12.example.net", "192.0.2.10", true, "\"adsl\"");
	expect("dsl.12.example.net", "192.0.2.10", true, "\"dsl\"");
	expect("cable-7-1.example.net", "192.0.2.10", true, "\"cable\"");
	expect("cpe-12-3.example.net", "192.0.2.10", true, "\"cpe\"");
	expect("ppp0-12.example.net", "192.0.2.10", true, "\"ppp\"");
	expect("dialup-44.example.net", "192.0.2.10", true, "\"dialup\"");
	expect("client-9.example.net", "192.0.2.10", true, "\"client\"");
	expect("user-9.example.net", "192.0.2.10", true, "\"user\"");
	expect("broadband-1.example.net", "192.0.2.10", true, "\"broadband\"");
	expect("vps42.example.net", "192.0.2.10", true, "\"vps\"");
	expect("dyn.example.com", "192.0.2.10", false, NULL);
	expect("superuser-1.example.com", "192.0.2.10", false, NULL);
	expect("cablevision.example.com", "192.0.2.10", false, NULL);
	expect("Pool-1-2.EXAMPLE.net", "192.0.2.10", true, "\"pool\"");
	/* Hostile input. */
	char longname[400];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	expect(longname, "192.0.2.10", false, "too long");
	expect("\\032\\255.dyn-1.example", "192.0.2.10", true, "\"dyn\"");
	return unit_exit();
}
