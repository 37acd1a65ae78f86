/*
 * spf_rfc.c - the project's SPF evaluator, one check per rule
 * of RFC 7208 sections 4 to 7, against the tests' NSD (zones
 * rfc.spf.test and 100.51.198.in-addr.arpa), and hostile records:
 * huge terms and 64 KB answers, thousands of macros and terms, include
 * loops and long redirect chains end in permerror, never a crash.
 *
 * Environment (set by tests/dns/run.sh): DNS_PORT, SERVFAIL_PORT,
 * SLOW_PORT (ldns-testns answering every query after 3 s).
 * scenario: servfail slow-spf
 */
#include "config.h"

#include <time.h>
#include <unistd.h>

#include "dnstest.h"
#include "auth/spf.h"
#include "util/log.h"
#include "../unit/unit.h"
#include "conf/conf_address.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"

static struct ip_address client, client11, mapped, v6;

static void
check(const struct ip_address *ip, const char *helo, const char *from,
    enum spf_verdict verdict, const char *label, struct spf_outcome *out)
{
	char name[600];

	spf_check_host(ip, helo, from, out);
	snprintf(name, sizeof(name), "%s: %s (got %s: %.300s)", label,
	    spf_verdict_name(verdict), spf_verdict_name(out->verdict),
	    out->reason);
	CHECK(out->verdict == verdict, name);
}

static void
expect(const char *from, enum spf_verdict verdict, const char *label)
{
	struct spf_outcome out;

	check(&client, "mail.example.test", from, verdict, label, &out);
}

static void
test_section4(void)
{
	struct spf_outcome out;
	char from[200];

	expect("@pm.rfc.spf.test", SPFV_PASS,
	    "4.3: an empty local part is postmaster");
	check(&client, NULL, "a b@space.rfc.spf.test", SPFV_FAIL,
	    "4.3: a local part with a space is evaluated", &out);
	CHECK(strcmp(out.reason, "local part a b, escaped a%20b") == 0 &&
	    out.explained, "7.3: %{l} as given, %{L} URL-escaped");
	snprintf(from, sizeof(from), "x@%064d.rfc.spf.test", 0);
	expect(from, SPFV_NONE, "4.3: a label over 63 characters: none");
	expect("x@a..rfc.spf.test", SPFV_NONE, "4.3: an empty label: none");
	expect("x@localhost", SPFV_NONE, "4.3: a single-label domain: none");
	expect("x@two.rfc.spf.test", SPFV_PERMERROR,
	    "4.5: two SPF records: permerror");
	expect("x@other.rfc.spf.test", SPFV_PASS,
	    "4.5: other TXT records ignored, v=spf1 in any case");
	expect("x@spf10.rfc.spf.test", SPFV_NONE,
	    "4.5: v=spf10 is not an SPF record");
	expect("x@anywhere.rfc.spf.test", SPFV_PERMERROR,
	    "4.6: a syntax error after the matching term");
	expect("x@ctrl.rfc.spf.test", SPFV_PERMERROR,
	    "4.6.1: a tab is no term separator");
	expect("x@modname.rfc.spf.test", SPFV_PASS,
	    "4.6.1: modifier names may hold . - _");
	expect("x@badmod.rfc.spf.test", SPFV_PERMERROR,
	    "4.6.1: a modifier name must start with a letter");
	expect("x@order.rfc.spf.test", SPFV_FAIL,
	    "4.6.2: the first matching mechanism decides");
}

static void
test_limits(void)
{
	struct spf_outcome out;

	expect("x@incover.rfc.spf.test", SPFV_PERMERROR,
	    "4.6.4: 11 DNS-querying terms across an include:");
	expect("x@incten.rfc.spf.test", SPFV_PASS,
	    "4.6.4: 10 across an include: are allowed");
	check(&client, NULL, "x@voidinc.rfc.spf.test", SPFV_PERMERROR,
	    "4.6.4: 3 void lookups across an include:", &out);
	CHECK_CONTAINS(out.reason, "void", "the reason names void lookups");
	expect("x@mx11.rfc.spf.test", SPFV_PERMERROR,
	    "4.6.4: 11 MX names: permerror");
	check(&client11, NULL, "x@ptr11.rfc.spf.test", SPFV_FAIL,
	    "4.6.4: the 11th PTR name is ignored", &out);
	expect("x@afterall.rfc.spf.test", SPFV_SOFTFAIL,
	    "6.1: redirect= is not followed after a match");
}

static void
test_section5(void)
{
	struct spf_outcome out;

	expect("x@alldot.rfc.spf.test", SPFV_PERMERROR,
	    "5.1: all takes no argument");
	expect("x@incnone.rfc.spf.test", SPFV_PERMERROR,
	    "5.2: include: of a domain without a record");
	expect("x@incfail.rfc.spf.test", SPFV_PASS,
	    "5.2: an include: that fails does not match");
	expect("x@a0.rfc.spf.test", SPFV_PASS, "5.3: a/0 (CIDR /0 is valid)");
	check(&v6, NULL, "x@a6.rfc.spf.test", SPFV_PASS,
	    "5.3: a//0 for an IPv6 client", &out);
	expect("x@a6.rfc.spf.test", SPFV_FAIL,
	    "5.3: a//0 does not match an IPv4 client");
	expect("x@a33.rfc.spf.test", SPFV_PERMERROR, "5.3: a/33");
	expect("x@a032.rfc.spf.test", SPFV_PERMERROR,
	    "5.6: a prefix with a leading zero");
	expect("x@numeric.rfc.spf.test", SPFV_PERMERROR,
	    "7.1: a numeric top label");
	expect("x@mxcidr.rfc.spf.test", SPFV_PASS, "5.4: mx/24");
	expect("x@ptr.rfc.spf.test", SPFV_PASS,
	    "5.5: ptr: a validated name under the target");
	expect("x@host.rfc.spf.test", SPFV_PASS,
	    "5.5: ptr without a target: the domain itself");
	expect("x@ip40.rfc.spf.test", SPFV_PASS, "5.6: ip4:.../0");
	expect("x@ip6bad.rfc.spf.test", SPFV_PERMERROR, "5.6: ip6:.../129");
	check(&mapped, NULL, "x@pass.rfc.spf.test", SPFV_PASS,
	    "5: an IPv4-mapped IPv6 client is IPv4", &out);
	expect("x@exists.rfc.spf.test", SPFV_PASS, "5.7: exists: with %{i}");
}

static void
test_sections6_7(void)
{
	struct spf_outcome out;

	expect("x@redir.rfc.spf.test", SPFV_PASS, "6.1: redirect=");
	expect("x@redirnone.rfc.spf.test", SPFV_PERMERROR,
	    "6.1: redirect= to a domain without a record");
	expect("x@twice.rfc.spf.test", SPFV_PERMERROR, "6: redirect= twice");
	check(&client, "helo.example.test", "x@exp.rfc.spf.test", SPFV_FAIL,
	    "6.2: a fail with exp=", &out);
	CHECK(strcmp(out.reason, "198.51.100.10 is not one of exp.rfc.spf."
	    "test's senders (10.100.51.198.in-addr.arpa, helo "
	    "helo.example.test)") == 0 && out.explained,
	    "6.2: the explanation, macros expanded, not the include's");
	check(&client, NULL, "x@expbad.rfc.spf.test", SPFV_FAIL,
	    "6.2: a bad explanation", &out);
	CHECK(!out.explained && strstr(out.reason, "openspf") == NULL &&
	    strstr(out.reason, "expbad.rfc.spf.test") != NULL,
	    "6.2: the default explanation names the domain, not openspf.org");
	expect("alice-smith@macros.rfc.spf.test", SPFV_PASS,
	    "7.3: %{l1r-}, %{d2}, %{o}");
	check(&client, "host.rfc.spf.test", "x@helo.rfc.spf.test", SPFV_PASS,
	    "7.2: %{h} is the HELO name", &out);
	check(&client, NULL, "x@pmacro.rfc.spf.test", SPFV_FAIL,
	    "7.2: %{p}", &out);
	CHECK(strcmp(out.reason, "validated host.rfc.spf.test") == 0,
	    "7.2: %{p} is the validated PTR name");
	expect("x@badletter.rfc.spf.test", SPFV_PERMERROR,
	    "7.1: an unknown macro letter");
	expect("x@expletter.rfc.spf.test", SPFV_PERMERROR,
	    "7.1: %{r} outside an explanation");
	expect("x@badpct.rfc.spf.test", SPFV_PERMERROR, "7.1: a bare %");
}

static void
test_hostile(void)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect("x@selfloop.rfc.spf.test", SPFV_PERMERROR,
	    "hostile: an include: of itself");
	expect("x@r1.rfc.spf.test", SPFV_PERMERROR,
	    "hostile: 13 redirects in a row");
	expect("x@huge.rfc.spf.test", SPFV_PERMERROR,
	    "hostile: a 62 KB term in a 64 KB answer");
	expect("x@manymacros.rfc.spf.test", SPFV_PERMERROR,
	    "hostile: 15,000 macros in one term");
	expect("x@manyterms.rfc.spf.test", SPFV_NEUTRAL,
	    "hostile: 4,000 terms are parsed and evaluated");
	expect("x@expbig.rfc.spf.test", SPFV_PERMERROR,
	    "hostile: an explanation of 60 KB");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 5, "hostile records take under 5 s");
}

/* True when evaluating FROM again after SECONDS asks the DNS again. */
static bool
asks_again_after(const char *from, unsigned seconds)
{
	unsigned long before;

	expect(from, SPFV_PASS, "a verdict to keep");
	before = resolver_queries_sent();
	expect(from, SPFV_PASS, "the same verdict at once");
	if (resolver_queries_sent() != before)
		return false;		/* not even kept */
	sleep(seconds);
	expect(from, SPFV_PASS, "the same verdict later");
	return resolver_queries_sent() > before;
}

static void
test_cache_ttl(void)
{
	struct dnscache_settings cs = { 1000, 0, 1, 3600, 0 };

	spf_cache_flush();
	CHECK(asks_again_after("x@short.rfc.spf.test", 3),
	    "a verdict is kept for its record's TTL (2 s), then evaluated "
	    "again");
	spf_cache_flush();
	dnscache_configure(&cs);	/* DNSMaxTTL 1 */
	dnscache_flush();
	CHECK(asks_again_after("x@pass.rfc.spf.test", 2),
	    "a verdict is kept at most DNSMaxTTL (1 s) though its record "
	    "has 300 s");
	dnstest_use(dnstest_port("DNS_PORT"), 2, 2);
}

static void
test_cache(void)
{
	struct spf_outcome out;
	unsigned long before;

	spf_cache_flush();
	dnscache_flush();
	expect("x@exp.rfc.spf.test", SPFV_FAIL, "a cold verdict");
	before = resolver_queries_sent();
	dnscache_flush();
	expect("x@exp.rfc.spf.test", SPFV_FAIL, "the same verdict warm");
	CHECK(resolver_queries_sent() == before,
	    "a warm verdict costs no DNS query");
	spf_cache_flush();
	dnstest_use(dnstest_port("SERVFAIL_PORT"), 1, 1);
	check(&client, NULL, "x@pass.rfc.spf.test", SPFV_TEMPERROR,
	    "SERVFAIL: temperror", &out);
	dnstest_use(dnstest_port("DNS_PORT"), 2, 2);
	expect("x@pass.rfc.spf.test", SPFV_PASS,
	    "temperror is never cached: the next evaluation passes");
}

/* RFC 7208 4.6.4: one evaluation is bounded in time (20 s). */
static void
test_time_limit(void)
{
	struct timespec t0, t1;
	struct spf_outcome out;

	spf_cache_flush();
	dnstest_use(dnstest_port("SLOW_PORT"), 5, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	check(&client, NULL, "x@s1.slow.test", SPFV_TEMPERROR,
	    "9 includes answered after 3 s each: temperror", &out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec >= 20 && t1.tv_sec - t0.tv_sec <= 25,
	    "the evaluation stops at its 20 s limit, not after 27 s");
	CHECK_CONTAINS(out.reason, "time limit", "the reason says so");
	dnstest_use(dnstest_port("DNS_PORT"), 2, 2);
}

int
main(void)
{
	log_open(false, LOG_MAIL, true, LOG_WARNING);
	conf_parse_address("198.51.100.10", &client);
	conf_parse_address("198.51.100.11", &client11);
	conf_parse_address("::ffff:198.51.100.10", &mapped);
	conf_parse_address("2001:db8::10", &v6);
	dnstest_use(dnstest_port("DNS_PORT"), 2, 2);
	test_section4();
	test_limits();
	test_section5();
	test_sections6_7();
	test_hostile();
	test_cache();
	test_cache_ttl();
	test_time_limit();
	spf_thread_cleanup();
	resolver_thread_cleanup();
	dnscache_flush();
	return unit_exit();
}
