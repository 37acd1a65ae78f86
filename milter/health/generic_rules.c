/*
 * generic_rules.c - the tables of the generic-PTR rules: the rows in the
 * order they are tried, and the provider suffixes, keywords, mail-service
 * words and shared names they read. Each row and each list entry names
 * the provider format it covers; docs/generic-ptr.md describes the same
 * rows for operators (keep the two in step).
 *
 * Examples are for 203.0.113.7 unless said otherwise.
 * Must not: hold code; the tests live in generic.c and generic_address.c.
 */
#include "config.h"

#include "health/generic_rules.h"

const struct generic_rule generic_rules[] = {
	/*
	 * shared: one name for a whole range, given to every address the
	 * provider has not named: hosted-by.leaseweb.com (Leaseweb),
	 * unassigned.psychz.net (Psychz), static.vnpt.vn (VNPT),
	 * host.colocrossing.com (ColoCrossing); also any name whose only
	 * host label is such a placeholder word and has no digits
	 * (unassigned.example.net, no-reverse-dns-configured.com).
	 * Names shared with neighbours are found in DNS by rdns.c.
	 */
	{ "shared", GENERIC_TEST_SHARED, true,
	    "one name shared by a whole range" },
	/*
	 * cloud: a cloud provider's default name, by suffix
	 * (generic_cloud_suffixes[]): ec2-203-0-113-7.compute-1.amazonaws.com
	 * (AWS), 7.113.0.203.bc.googleusercontent.com (Google Cloud),
	 * li123-45.members.linode.com (Linode), vm1.cloudapp.net (Azure).
	 */
	{ "cloud", GENERIC_TEST_CLOUD, true,
	    "a cloud provider's default name" },
	/*
	 * hosting: a hosting or VPS provider's default name, by suffix and
	 * the shape of the first label (generic_hosting_suffixes[]):
	 * h2345678.stratoserver.net (Strato), v2202104123456789.megasrv.de
	 * (netcup), s87654321.onlinehome-server.info (IONOS),
	 * ks654321.kimsufi.com (Kimsufi), hwsrv-654321.hostwindsdns.com
	 * (Hostwinds), srv654321.hstgr.cloud (Hostinger).
	 */
	{ "hosting", GENERIC_TEST_HOSTING, true,
	    "a hosting provider's default name" },
	/*
	 * service (not generic): a mail fleet's own name. The first token
	 * is a mail-service word, alone or with digits and one letter
	 * (mail, smtp2, mx0a, mta12b, out-03), or a whole token of the host
	 * part is one (203-0-113-7.mail-mail.example.com,
	 * a113-7.smtp-out.example.com, us-smtp-delivery-7.example.com).
	 * Wins over the address rows (mta-203-0-113-7.mail.example.com is
	 * the operator's choice), unless the address is written in the name
	 * AND a dynamic-space keyword counts too
	 * (mail-203-0-113-7.dyn.example.net).
	 */
	{ "service", GENERIC_TEST_SERVICE, false, "a mail service name" },
	/*
	 * address: the whole address written in the name (see
	 * generic_address.c): dashed, dotted, underscored, zero-padded to
	 * 3 or 5 digits, in order, reversed, rotated or scrambled
	 * (203-0-113-7, 7.113.0.203, 203-000-113-00007, 7.sub-203-0-113,
	 * 113-7-dynamic.0-203), twelve digits (203000113007), hex
	 * (pcb007107, cb.00.71.07); IPv6 as nibbles, groups or compressed
	 * with '-' for ':' (2001-db8--10).
	 */
	{ "address", GENERIC_TEST_ADDRESS, true,
	    "the address is written in the name" },
	/*
	 * partial: some octets written in a pool name: three consecutive
	 * octets (ns3123456.ip-203-0-113.eu, OVH) or, in a name with two
	 * or more host labels, the first two octets or the last two
	 * (lfbn-lyo-1-52-7.w203-0.abo.wanadoo.fr, Orange France;
	 * wifi-113-7.eduroam.example.edu, campus pools).
	 */
	{ "partial", GENERIC_TEST_PARTIAL, true,
	    "part of the address is written in the name" },
	/*
	 * keyword: a dynamic-space word of generic_keywords[] in the host
	 * part (never in the operator's registrable domain:
	 * mailhost2.dynamic-signal.example), where providers put it: next
	 * to a number (dyn-12-34, 113-7.pool), run into digits for the
	 * words that are never server names (adsl12, ppp0), or as a zone
	 * label after a label with digits (ab12cd.dsl.example.net,
	 * cpc1234-lutn5-2-0-cust77.4-3.cable.virginm.net). Words that are
	 * common server names (host, vps, static, client) need a number
	 * token next to them: host2.example-law.com and vps1.example-it.de
	 * are an operator's names.
	 */
	{ "keyword", GENERIC_TEST_KEYWORD, true,
	    "a dynamic-space keyword where providers put one" },
	/*
	 * sequence: a line or MAC identifier instead of the address, in a
	 * name with two or more host labels: a first token of 1-5 letters
	 * and 5 or more digits (p23456-ipngn200osaka.osaka.ocn.ne.jp, OCN;
	 * cpc23456-... Virgin Media), or a token of up to 4 letters and 12
	 * or more hex digits (S0106a0b1c2d3e4f5.vc.shawcable.net, Shaw;
	 * CPE00a0c9000102-CM00a0c9000103...rogers.com, Rogers).
	 */
	{ "sequence", GENERIC_TEST_SEQUENCE, true,
	    "a line or MAC identifier instead of a chosen name" },
};

const size_t generic_nrules = sizeof(generic_rules) / sizeof(generic_rules[0]);

const struct generic_suffix generic_cloud_suffixes[] = {
	{ "compute.amazonaws.com", NULL },	/* AWS EC2, all regions */
	{ "compute-1.amazonaws.com", NULL },	/* AWS EC2 us-east-1 */
	{ "compute.amazonaws.com.cn", NULL },	/* AWS China */
	{ "compute.internal", NULL },		/* AWS inside a VPC */
	{ "bc.googleusercontent.com", NULL },	/* Google Compute Engine */
	{ "cloudapp.net", NULL },		/* Azure classic */
	{ "cloudapp.azure.com", NULL },		/* Azure */
	{ "members.linode.com", NULL },		/* Linode */
	{ "ip.linodeusercontent.com", NULL },	/* Linode / Akamai */
	{ "vultrusercontent.com", NULL },	/* Vultr */
	{ "static.akamaitechnologies.com", NULL }, /* Akamai */
	{ "instances.scw.cloud", NULL },	/* Scaleway */
	{ NULL, NULL }
};

const struct generic_suffix generic_hosting_suffixes[] = {
	{ "vps.ovh.net", NULL },		/* OVH VPS vps-1a2b3c4d */
	{ "vps.ovh.ca", NULL },			/* OVH VPS Canada */
	{ "ovh.net", "ns" },			/* OVH dedicated ns123456 */
	{ "kimsufi.com", "ks" },		/* Kimsufi ks123456 */
	{ "clients.your-server.de", NULL },	/* Hetzner static.x.x.x.x */
	{ "contaboserver.net", "vmi" },		/* Contabo vmi123456 */
	{ "stratoserver.net", "h" },		/* Strato h1234567 */
	{ "megasrv.de", "v" },			/* netcup v2202... */
	{ "powersrv.de", "v" },			/* netcup */
	{ "ultrasrv.de", "v" },			/* netcup */
	{ "quicksrv.de", "v" },			/* netcup */
	{ "bestsrv.de", "v" },			/* netcup */
	{ "supersrv.de", "v" },			/* netcup */
	{ "onlinehome-server.info", NULL },	/* IONOS s1234567 */
	{ "onlinehome-server.com", NULL },	/* IONOS u12345678 */
	{ "hostwindsdns.com", NULL },		/* Hostwinds hwsrv-123456 */
	{ "hstgr.cloud", "srv" },		/* Hostinger srv123456 */
	{ "hstgr.io", "srv" },			/* Hostinger */
	{ "ip.secureserver.net", NULL },		/* GoDaddy ip-x-x-x-x.ip */
	{ "dedicated.hosteurope.de", NULL },	/* Host Europe lvps... */
	{ "bluehost.com", "box" },		/* Bluehost box1234 */
	{ "hostgator.com", "gator" },		/* HostGator gator1234 */
	{ "inmotionhosting.com", "vps" },	/* InMotion vps12345 */
	{ NULL, NULL }
};

const struct generic_keyword generic_keywords[] = {
	/* Words no server is named after: digits run into them count. */
	{ "dyn", GENERIC_NEED_DIGITS }, { "dynamic", GENERIC_NEED_DIGITS },
	{ "dynip", GENERIC_NEED_DIGITS }, { "dynamicip", GENERIC_NEED_DIGITS },
	{ "dip", GENERIC_NEED_DIGITS }, { "dhcp", GENERIC_NEED_DIGITS },
	{ "pool", GENERIC_NEED_DIGITS }, { "pools", GENERIC_NEED_DIGITS },
	{ "dsl", GENERIC_NEED_DIGITS }, { "adsl", GENERIC_NEED_DIGITS },
	{ "vdsl", GENERIC_NEED_DIGITS }, { "xdsl", GENERIC_NEED_DIGITS },
	{ "sdsl", GENERIC_NEED_DIGITS }, { "cable", GENERIC_NEED_DIGITS },
	{ "catv", GENERIC_NEED_DIGITS }, { "cpe", GENERIC_NEED_DIGITS },
	{ "ppp", GENERIC_NEED_DIGITS }, { "pppoe", GENERIC_NEED_DIGITS },
	{ "dialup", GENERIC_NEED_DIGITS }, { "dial", GENERIC_NEED_DIGITS },
	{ "dialin", GENERIC_NEED_DIGITS }, { "broadband", GENERIC_NEED_DIGITS },
	{ "res", GENERIC_NEED_DIGITS }, { "residential", GENERIC_NEED_DIGITS },
	{ "ftth", GENERIC_NEED_DIGITS }, { "fttx", GENERIC_NEED_DIGITS },
	{ "fttb", GENERIC_NEED_DIGITS }, { "modem", GENERIC_NEED_DIGITS },
	{ "subscriber", GENERIC_NEED_DIGITS }, { "hsd", GENERIC_NEED_DIGITS },
	{ "hsd1", GENERIC_NEED_DIGITS }, { "lte", GENERIC_NEED_DIGITS },
	{ "cgnat", GENERIC_NEED_DIGITS }, { "wlan", GENERIC_NEED_DIGITS },
	/* Words that are also servers' names: a number must stand next. */
	{ "static", GENERIC_NEED_NUMBER }, { "host", GENERIC_NEED_NUMBER },
	{ "vps", GENERIC_NEED_NUMBER }, { "client", GENERIC_NEED_NUMBER },
	{ "clients", GENERIC_NEED_NUMBER }, { "user", GENERIC_NEED_NUMBER },
	{ "users", GENERIC_NEED_NUMBER }, { "customer", GENERIC_NEED_NUMBER },
	{ "cust", GENERIC_NEED_NUMBER }, { "nat", GENERIC_NEED_NUMBER },
	{ "mobile", GENERIC_NEED_NUMBER }, { "wireless", GENERIC_NEED_NUMBER },
	{ "wifi", GENERIC_NEED_NUMBER }, { "compute", GENERIC_NEED_NUMBER },
	{ "ec2", GENERIC_NEED_NUMBER }, { "unknown", GENERIC_NEED_NUMBER },
	{ "unassigned", GENERIC_NEED_NUMBER }, { "ip", GENERIC_NEED_OCTETS },
	{ NULL, GENERIC_NEED_DIGITS }
};

/* The first token of a mail fleet's name (with digits and one letter). */
const char *const generic_service_first[] = {
	"mail", "smtp", "smtpout", "mx", "mxout", "out", "outbound", "mta",
	"relay", "mailout", "mout", "mailer", "email", "mailgw", "mailhost",
	"mtaout", NULL
};

/* A whole token anywhere in the host part of a mail fleet's name. */
const char *const generic_service_anywhere[] = {
	"mail", "smtp", "smtpout", "mta", "mx", "relay", "outbound",
	"mailout", "mailer", "email", "mailgw", NULL
};

/* Names given to whole ranges. */
const char *const generic_shared_names[] = {
	"hosted-by.leaseweb.com",		/* Leaseweb */
	"unassigned.psychz.net",		/* Psychz Networks */
	"static.vnpt.vn",			/* VNPT */
	"host.colocrossing.com",		/* ColoCrossing */
	"no-reverse-dns-configured.com",	/* several hosting ranges */
	NULL
};

/* Placeholder words that, as the only host label, name a whole range. */
const char *const generic_shared_labels[] = {
	"hosted-by", "unassigned", "unallocated", "unused", "unused-space",
	"no-reverse-dns", "no-reverse-dns-configured", "reverse-not-set",
	"not-assigned", "static", "dynamic", "unknown", "noname", "customer",
	NULL
};
