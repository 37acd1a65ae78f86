/*
 * test_generic.c - generic_name(): every row of the rule table in
 * milter/health/generic_rules.c, with names that must and must not count as
 * generic (IPv4 and IPv6), and the reason each answer gives.
 */
#include "config.h"

#include "health/generic.h"
#include "unit.h"
#include "conf/conf_address.h"

struct example {
	const char *name;
	const char *address;
	bool generic;
	const char *why;		/* must appear in the reason */
};

#define V4 "203.0.113.7"
#define OTHER "192.0.2.10"
#define V6 "2001:db8::10"
#define ADDR "the address is written in the name"
#define PART "part of the address is written in the name"
#define KEY "a dynamic-space keyword where providers put one"
#define SEQ "a line or MAC identifier instead of a chosen name"
#define NONE "no generic pattern"

static const struct example examples[] = {
	/* shared: one name for a whole range. */
	{ "hosted-by.leaseweb.com", V4, true,
	    "one name shared by a whole range (hosted-by.leaseweb.com)" },
	{ "unassigned.psychz.net", V4, true, "(unassigned.psychz.net)" },
	{ "static.vnpt.vn", V4, true, "(static.vnpt.vn)" },
	{ "Static.VNPT.vn.", V4, true, "(static.vnpt.vn)" },
	{ "host.colocrossing.com", V6, true, "shared by a whole range" },
	{ "unallocated.example.net", V6, true, "(unallocated)" },
	{ "no-reverse-dns.example.org", V4, true, "(no-reverse-dns)" },
	{ "unassigned.example.co.uk", V4, true, "(unassigned)" },
	{ "unassigned1.example.net", V4, false, NONE },
	{ "unassigned.mail.example.net", V4, false, "mail service" },
	{ "hosted-by-us.example.com", V4, false, NONE },
	/* cloud: a provider's default suffix. */
	{ "ec2-198-51-100-23.compute-1.amazonaws.com", V4, true,
	    "a cloud provider's default name (compute-1.amazonaws.com)" },
	{ "ec2-192-0-2-9.us-west-2.compute.amazonaws.com", V4, true,
	    "(compute.amazonaws.com)" },
	{ "ec2-192-0-2-9.cn-north-1.compute.amazonaws.com.cn", V4, true,
	    "(compute.amazonaws.com.cn)" },
	{ "ip-192-0-2-9.eu-west-1.compute.internal", V4, true,
	    "(compute.internal)" },
	{ "9.2.0.192.bc.googleusercontent.com", V4, true,
	    "(bc.googleusercontent.com)" },
	{ "myvm1.cloudapp.net", V4, true, "(cloudapp.net)" },
	{ "myvm2.westeurope.cloudapp.azure.com", V4, true,
	    "(cloudapp.azure.com)" },
	{ "li123-45.members.linode.com", V4, true, "(members.linode.com)" },
	{ "192-0-2-9.ip.linodeusercontent.com", V4, true,
	    "(ip.linodeusercontent.com)" },
	{ "192.0.2.9.vultrusercontent.com", V4, true,
	    "(vultrusercontent.com)" },
	{ "a192-0-2-9.deploy.static.akamaitechnologies.com", V4, true,
	    "(static.akamaitechnologies.com)" },
	{ "2001-db8-7--3.instances.scw.cloud", V6, true,
	    "(instances.scw.cloud)" },
	{ "compute.amazonaws.com", V4, false, NONE },
	/* hosting: suffix and the shape of the first label. */
	{ "h2981734.stratoserver.net", V4, true,
	    "a hosting provider's default name (stratoserver.net)" },
	{ "v2202209187365420193.megasrv.de", V4, true, "(megasrv.de)" },
	{ "v2202011234512345.powersrv.de", V6, true, "(powersrv.de)" },
	{ "s19283746.onlinehome-server.info", V4, true,
	    "(onlinehome-server.info)" },
	{ "ks398127.kimsufi.com", V4, true, "(kimsufi.com)" },
	{ "ns3187266.ovh.net", V4, true, "(ovh.net)" },
	{ "hwsrv-918273.hostwindsdns.com", V4, true, "(hostwindsdns.com)" },
	{ "srv481923.hstgr.cloud", V6, true, "(hstgr.cloud)" },
	{ "vmi1827364.contaboserver.net", V4, true, "(contaboserver.net)" },
	{ "vps-1a2b3c4d.vps.ovh.net", V4, true, "(vps.ovh.net)" },
	{ "static.9.2.0.192.clients.your-server.de", V4, true,
	    "(clients.your-server.de)" },
	{ "box2231.bluehost.com", V4, true, "(bluehost.com)" },
	{ "ip-192-0-2-9.ip.secureserver.net", V4, true,
	    "(ip.secureserver.net)" },
	{ "p3plsmtpout004.prod.phx3.secureserver.net", V4, false, NONE },
	{ "mo172.mail-out.ovh.net", V4, false, "mail service" },
	{ "www.ovh.net", V4, false, NONE },
	{ "srvmon.hstgr.cloud", V4, false, NONE },
	{ "mail.your-server.de", V4, false, "mail service" },
	{ "www123.your-server.de", V4, false, NONE },
	/* service: a mail fleet's own name, even with the address in it. */
	{ "mail.example.com", OTHER, false, "a mail service name (\"mail\")" },
	{ "smtp2.example.com", OTHER, false, "(\"smtp\")" },
	{ "smtp-out.example.test", OTHER, false, "(\"smtp\")" },
	{ "mx1.example.net", OTHER, false, "(\"mx\")" },
	{ "mx0a-00223344.pphosted.example", OTHER, false, "(\"mx\")" },
	{ "mta12b.mtasv.example", OTHER, false, "(\"mta\")" },
	{ "mx01.dsl.example.net", OTHER, false, "(\"mx\")" },
	{ "out-03.example.org", OTHER, false, "(\"out\")" },
	{ "outbound.example.org", OTHER, false, "(\"outbound\")" },
	{ "mailhost2.dynamic-signal.com", OTHER, false, "(\"mailhost\")" },
	{ "mout.example.de", OTHER, false, "(\"mout\")" },
	{ "198-51-100-14.mail-mail.facebook.com", "198.51.100.14", false,
	    "a mail service name (\"mail\")" },
	{ "mta-198-51-100-14.mail.example.com", "198.51.100.14", false,
	    "(\"mta\")" },
	{ "b113-7.smtp-out.eu-west-1.amazonses.com", V4, false, "(\"smtp\")" },
	{ "us-smtp-delivery-7.mimecast.com", V4, false, "(\"smtp\")" },
	{ "mail-2001-db8--10.example.net", V6, false, "(\"mail\")" },
	{ "mail-203-0-113-7.dyn.example.net", V4, true, ADDR " (dashed)" },
	{ "smtp.203.0.113.7.static.example.net", V4, true, ADDR },
	{ "mailbox-12.dyn.example.net", OTHER, true, KEY " (\"dyn\")" },
	{ "postmaster-1.example.net", OTHER, false, NONE },
	/* address: decimal octets, every separator, padding, order. */
	{ "203-0-113-7.static.example.net", V4, true, ADDR " (dashed)" },
	{ "203.0.113.7.example.net", V4, true, "(dotted)" },
	{ "203_0_113_7.example.net", V4, true, "(underscored)" },
	{ "host203.0.113-7.example.net", V4, true, "(mixed separators)" },
	{ "203-000-113-007.example.net", V4, true, "(dashed, zero-padded)" },
	{ "x203-0-113-00007.tigo.example", V4, true, "(dashed, zero-padded)" },
	{ "7.113.0.203.in-addr.example", V4, true, "(dotted, reversed)" },
	{ "7-113-0-203.example.net", V4, true, ADDR " (dashed, reversed)" },
	{ "d7-113-0-203.example.net", V4, true, "(dashed, reversed)" },
	{ "7.sub-203-0-113.myvzw.example", V4, true,
	    ADDR " (octets in another order)" },
	{ "7.red-203-0-113.dynamicip.rima-tde.net", V4, true,
	    "another order" },
	{ "host7-113-dynamic.0-203-r.retail.example.it", V4, true,
	    "another order" },
	{ "h203000113007.example.net", V4, true, "(as twelve digits)" },
	{ "007113000203.example.net", V4, true, "twelve digits, reversed" },
	{ "host-cb007107.example", V4, true, "(in hex)" },
	{ "HOST-CB007107.EXAMPLE", V4, true, "(in hex)" },
	{ "p077100cb.dip0.example.net", V4, true, "(in hex, reversed)" },
	{ "cb.00.71.07.example.net", V4, true, "(dotted, hex bytes)" },
	/* address: IPv6. */
	{ "2001-db8--10.example.net", V6, true, "compressed, '-' for ':'" },
	{ "2001-DB8--10.EXAMPLE.NET", V6, true, "compressed" },
	{ "host-20010db8000000000000000000000010.example.net", V6, true,
	    "(32 hex digits)" },
	{ "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	    ".ip6.example", V6, true, "(reversed nibbles)" },
	{ "2001-db8-0-0-0-0-0-10.example.net", V6, true, ADDR " (dashed)" },
	{ "2001-db8--100.example.net", V6, false, NONE },
	{ "mx-2001-db8--11.example.net", V6, false, "mail service" },
	/* Not the address: one octet, another address, a neighbour. */
	{ "mail203.example.com", "192.0.2.203", false, "mail service" },
	{ "web203.example.com", "192.0.2.203", false, NONE },
	{ "192-0-2-7.example.net", V4, false, NONE },
	{ "203-0-113-8.example.net", V4, false, NONE },
	{ "cb007108.example.net", V4, false, NONE },
	{ "x203-0-113-12345.example.net", V4, false, NONE },
	{ "www.example.com", V4, false, NONE },
	/* partial: three octets, or two in a name of 2+ host labels. */
	{ "ns3123456.ip-203-0-113.eu", V4, true, PART " (dashed)" },
	{ "7-113-0.pool.example.net", V4, true, "(dashed, reversed)" },
	{ "0.113.7.example.net", V4, true, PART },
	{ "lfbn-lyo-1-52-9.w203-0.abo.wanadoo.fr", V4, true,
	    PART " (dashed)" },
	{ "wifi-113-7.eduroam.example.edu", V4, true, PART },
	{ "wifi-7-113.eduroam.example.edu", V4, true, "(dashed, reversed)" },
	{ "web-113-7.example.edu", V4, false, NONE },
	{ "a113-7.labs.example.edu", V4, true, PART },
	{ "lab-0-203.cs.example.edu", V4, false, NONE },
	{ "mx-0-113-7.example.net", V4, false, "mail service" },
	{ "a2-3-0-113-7.example.net", V4, false, NONE },
	{ "2001-db8-45-12.ipv6.example-isp.net", V6, false, NONE },
	{ "lab-0-10.cs.example.edu", V6, false, NONE },
	/* keyword: in the host part, where providers put it. */
	{ "dyn-12-34.example.net", OTHER, true, KEY " (\"dyn\")" },
	{ "113-7.dyn.example.net", V4, true, PART },
	{ "dynamic-7.example.net", OTHER, true, "(\"dynamic\")" },
	{ "dhcp-12.example.net", OTHER, true, "(\"dhcp\")" },
	{ "pool-98-7.example.net", OTHER, true, "(\"pool\")" },
	{ "Pool-1-2.EXAMPLE.net", OTHER, true, "(\"pool\")" },
	{ "dsl.12.example.net", OTHER, true, "(\"dsl\")" },
	{ "adsl12.example.net", OTHER, true, "(\"adsl\")" },
	{ "ab12cd.dsl.example.net", OTHER, true, "(\"dsl\")" },
	{ "cpc4321-brnt8-2-0-cust66.9-1.cable.virginm.example", OTHER, true,
	    "(\"cust\")" },
	{ "ab12-cd.9.cable.example.net", OTHER, true, "(\"cable\")" },
	{ "cable-7-1.example.net", OTHER, true, "(\"cable\")" },
	{ "cpe-a1b2c3d4e5f6.example.net", OTHER, true, "(\"cpe\")" },
	{ "ppp0-12.example.net", OTHER, true, "(\"ppp\")" },
	{ "dialup-44.example.net", OTHER, true, "(\"dialup\")" },
	{ "client-9.example.net", OTHER, true, "(\"client\")" },
	{ "user-9.example.net", OTHER, true, "(\"user\")" },
	{ "broadband-1.example.net", OTHER, true, "(\"broadband\")" },
	{ "5-7.res.example.net", OTHER, true, "(\"res\")" },
	{ "static-5.example.net", OTHER, true, "(\"static\")" },
	{ "1.static.example.net", OTHER, true, "(\"static\")" },
	{ "host-12.example.net", OTHER, true, "(\"host\")" },
	{ "host198-51-100-9.example.net", OTHER, true, "(\"host\")" },
	{ "vps-4411.example.net", OTHER, true, "(\"vps\")" },
	{ "ip-2-10.example.net", OTHER, true, "(\"ip\")" },
	{ "10-2.ip.example.net", OTHER, true, PART },
	{ "10-2.ip-range.example.net", OTHER, true, PART },
	{ "ip-2-10.example.net", "192.0.2.11", false, NONE },
	{ "dyn-2001-db8-1.example.net", V6, true, "(\"dyn\")" },
	{ "pool-77.dsl.example.net", V6, true, "(\"pool\")" },
	/* keyword: not in the operator's own domain, not a server name. */
	{ "host2.example-law.com", OTHER, false, NONE },
	{ "vps1.example-it.de", OTHER, false, NONE },
	{ "vps42.example.net", V6, false, NONE },
	{ "host1.example.com", OTHER, false, NONE },
	{ "static2.example.com", OTHER, false, NONE },
	{ "www2.dynamic-signal.com", OTHER, false, NONE },
	{ "web1.pool-supplies.example", V6, false, NONE },
	{ "shop.dsl-consulting.example.com", OTHER, false, NONE },
	{ "ip-192-0-2-7.example.net", V4, false, NONE },
	{ "ip-2-11.example.net", OTHER, false, NONE },
	{ "dyn.example.com", OTHER, false, NONE },
	{ "superuser-1.example.com", OTHER, false, NONE },
	{ "cablevision-12.example.net", OTHER, false, NONE },
	{ "node12.example.com", OTHER, false, NONE },
	/* sequence: line or MAC identifiers. */
	{ "p23456-ipngn200osaka.osaka.ocn.ne.jp", V4, true,
	    SEQ },
	{ "S0106a0b1c2d3e4f5.vc.shawcable.net", V4, true, SEQ },
	{ "CPE00a0c9000102-CM00a0c9000103.cpe.net.cable.rogers.com", V6, true,
	    "(\"cpe\")" },
	{ "ab0123456789ef.home.example.net", V4, true, SEQ },
	{ "p23456.example.net", V4, false, NONE },
	{ "build12345.ci.example.net", V4, true, SEQ },
	{ "web12.ci.example.net", V4, false, NONE },
	{ "deadbeefcafe.example.net", V6, false, NONE },
	{ "S0106a0b1c2d3e4f5.vc.shawcable.net", V6, true, SEQ },
	{ "p34567-ipngn300nagoya.aichi.ocn.ne.jp", V6, true, SEQ },
	{ "srv34567.example.net", V6, false, NONE },
	/* Hostile or odd input. */
	{ "\\032\\255.dyn-1.isp.example", OTHER, true, "(\"dyn\")" },
	{ "\\032\\255.dyn-1.example", OTHER, false, NONE },
	{ "\\203\\000\\113\\007.example", V4, false, NONE },
	{ "cable-7.example.net.", OTHER, true, "(\"cable\")" },
	{ "", OTHER, false, NONE },
	{ "..--__..", OTHER, false, NONE },
	{ "...", V6, false, NONE },
};

static void
check_example(const struct example *e)
{
	struct ip_address a;
	char reason[200], label[400];
	bool got;

	if (conf_parse_address(e->address, &a) != 0) {
		CHECK(false, e->address);
		return;
	}
	got = generic_name(e->name, &a, reason, sizeof(reason));
	snprintf(label, sizeof(label), "\"%s\" for %s: %s", e->name,
	    e->address, e->generic ? "generic" : "not generic");
	CHECK(got == e->generic, label);
	snprintf(label, sizeof(label), "\"%s\" for %s: the reason says %s",
	    e->name, e->address, e->why);
	CHECK_CONTAINS(reason, e->why, label);
}

/* Names at and over 253 characters, long labels, small WHY buffers. */
static void
check_limits(void)
{
	struct ip_address a;
	char name[400], why[200], tiny[8];

	conf_parse_address(OTHER, &a);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK(!generic_name(name, &a, why, sizeof(why)), "400 bytes: no");
	CHECK_CONTAINS(why, "name too long to judge", "400 bytes: too long");
	memcpy(name + 200, ".dyn-1.isp.example", 19);
	CHECK(generic_name(name, &a, why, sizeof(why)),
	    "a 200-byte label, then dyn-1: judged, generic");
	memset(name, 0, sizeof(name));
	for (size_t i = 0; i < 254; i += 2)
		memcpy(name + i, i % 4 ? "1-" : "2.", 2);
	name[254] = '\0';
	CHECK(!generic_name(name, &a, why, sizeof(why)) &&
	    strstr(why, "too long") != NULL, "254 bytes of digits: too long");
	name[253] = '\0';
	generic_name(name, &a, why, sizeof(why));
	CHECK(strstr(why, "too long") == NULL, "253 bytes: judged");
	CHECK(generic_name("dyn-12.example.net", &a, tiny, sizeof(tiny)) &&
	    strlen(tiny) == sizeof(tiny) - 1, "small WHY buffer: cut, ended");
	CHECK(generic_name("dyn-12.example.net", &a, NULL, 0),
	    "no WHY buffer at all");
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		check_example(&examples[i]);
	check_limits();
	return unit_exit();
}
