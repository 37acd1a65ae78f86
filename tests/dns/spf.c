/*
 * spf.c - SPF through the project's evaluator and DNS layer, against
 * the tests' NSD (zone spf.test): every verdict, the 10-lookup and
 * void-lookup limits, the null sender, and DNS failures (temperror).
 *
 * Environment (set by tests/dns/run.sh): DNS_PORT, SERVFAIL_PORT,
 * DEAD_PORT.
 * scenario: servfail dead
 */
#include "config.h"

#include <time.h>

#include "dnstest.h"
#include "auth/spf.h"
#include "util/log.h"
#include "../unit/unit.h"
#include "conf/conf_address.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"

static struct ip_address v4, v4b, v6;

static void
expect(const struct ip_address *ip, const char *helo, const char *from,
    enum spf_verdict verdict, const char *label)
{
	struct spf_outcome out;
	char name[300];

	spf_check_host(ip, helo, from, &out);
	snprintf(name, sizeof(name), "%s: %s (got %s: %s)", label,
	    spf_verdict_name(verdict), spf_verdict_name(out.verdict),
	    out.reason);
	CHECK(out.verdict == verdict, name);
}

static void
test_verdicts(void)
{
	struct spf_outcome out;

	expect(&v4, NULL, "alice@pass.spf.test", SPFV_PASS, "ip4 match");
	expect(&v6, NULL, "alice@pass.spf.test", SPFV_PASS, "ip6 match");
	expect(&v4b, NULL, "alice@pass.spf.test", SPFV_FAIL,
	    "another egress address fails");
	expect(&v4, NULL, "<alice@fail.spf.test>", SPFV_FAIL, "-all");
	expect(&v4, NULL, "alice@softfail.spf.test", SPFV_SOFTFAIL, "~all");
	expect(&v4, NULL, "alice@neutral.spf.test", SPFV_NEUTRAL, "?all");
	expect(&v4, NULL, "alice@none.spf.test", SPFV_NONE, "no SPF record");
	expect(&v4, NULL, "alice@nowhere.spf.test", SPFV_NONE,
	    "a domain that does not exist");
	/* RFC 7208 4.3 bounds the domain, not the local part (VERP, SRS). */
	expect(&v4, NULL, "bounce-news-2026-12-06-0123456789abcdef0123456789"
	    "abcdef-alice=example.net-0123456789@pass.spf.test", SPFV_PASS,
	    "a VERP local part of 99 bytes is evaluated");
	expect(&v4, NULL, "SRS1=Hx4F=forwarder.example.net==AbCd=12=relay."
	    "example.org=SRS0=aBcD=3Z=origin.example.com=bounces+list-"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "=alice=example.net@pass.spf.test", SPFV_PASS,
	    "an SRS MAIL FROM of over 325 bytes is evaluated");
	expect(&v4b, NULL, "bounce-news-2026-12-06-0123456789abcdef0123456789"
	    "abcdef-alice=example.net-0123456789@pass.spf.test", SPFV_FAIL,
	    "a long local part fails where the address is not allowed");
	expect(&v4, NULL, "alice@multi.spf.test", SPFV_PASS,
	    "a record in two strings is joined");
	expect(&v4, NULL, "alice@include.spf.test", SPFV_PASS, "include:");
	expect(&v4, NULL, "alice@a.spf.test", SPFV_PASS, "a mechanism");
	expect(&v4, NULL, "alice@mx.spf.test", SPFV_PASS, "mx mechanism");
	expect(&v4, NULL, "alice@loop.spf.test", SPFV_PERMERROR,
	    "an include loop");
	expect(&v4, NULL, "alice@many.spf.test", SPFV_PERMERROR,
	    "11 DNS-querying mechanisms");
	expect(&v4, NULL, "alice@ten.spf.test", SPFV_PASS,
	    "10 DNS-querying mechanisms are allowed");
	spf_check_host(&v4, NULL, "alice@void.spf.test", &out);
	CHECK(out.verdict == SPFV_PERMERROR,
	    "3 void lookups: permerror (RFC 7208 4.6.4)");
	CHECK_CONTAINS(out.reason, "void", "the reason names void lookups");
	expect(&v4, NULL, "alice@twovoid.spf.test", SPFV_PASS,
	    "2 void lookups are allowed");
	expect(&v6, NULL, "alice@mxv6.spf.test", SPFV_FAIL,
	    "MX hosts without AAAA are not void lookups");
	expect(&v4b, "helo.spf.test", "", SPFV_PASS,
	    "null sender: postmaster@HELO is checked");
	expect(&v4, "helo.spf.test", "<>", SPFV_FAIL,
	    "null sender written <>: HELO record, other address");
	expect(&v4, NULL, "no-at-sign", SPFV_NONE, "a sender without a domain");
	expect(&v4, NULL, "a@b@\x01" "bad.spf.test", SPFV_NONE,
	    "a sender with control characters is not evaluated");
}

static void
test_through_the_layer(void)
{
	unsigned long before = resolver_queries_sent();
	struct spf_outcome out;

	dnscache_flush();
	spf_check_host(&v4, NULL, "bob@include.spf.test", &out);
	CHECK(resolver_queries_sent() > before,
	    "SPF lookups go through the project's resolver");
	before = resolver_queries_sent();
	spf_check_host(&v4, NULL, "carol@include.spf.test", &out);
	CHECK(out.verdict == SPFV_PASS && resolver_queries_sent() == before,
	    "a second evaluation is answered from the shared cache");
	dnscache_flush();
	before = resolver_queries_sent();
	spf_check_host(&v4, NULL, "carol@include.spf.test", &out);
	CHECK(out.verdict == SPFV_PASS && resolver_queries_sent() == before,
	    "the verdict itself is cached per (address, sender)");
	spf_check_host(&v4b, NULL, "carol@include.spf.test", &out);
	CHECK(out.verdict == SPFV_FAIL && resolver_queries_sent() > before,
	    "another address is evaluated afresh");
	dnscache_flush();
	before = resolver_queries_sent();
	spf_check_host(&v4, NULL, "dave@include.spf.test", &out);
	CHECK(out.verdict == SPFV_PASS && resolver_queries_sent() == before,
	    "a record without %{l} or %{s}: the verdict is the domain's, "
	    "for every sender of it");
}

/* A record whose verdict depends on the local part (%{l}). */
static void
test_local_part_cache(void)
{
	struct spf_outcome out;
	struct ip_address rfc;

	conf_parse_address("198.51.100.10", &rfc);
	spf_cache_flush();
	spf_check_host(&rfc, NULL, "postmaster@pm.rfc.spf.test", &out);
	CHECK(out.verdict == SPFV_PASS, "exists:%{l}...: postmaster passes");
	spf_check_host(&rfc, NULL, "alice@pm.rfc.spf.test", &out);
	CHECK(out.verdict == SPFV_FAIL, "exists:%{l}...: alice fails after "
	    "postmaster passed (the verdict is cached per sender)");
	spf_check_host(&rfc, NULL, "postmaster@pm.rfc.spf.test", &out);
	CHECK(out.verdict == SPFV_PASS, "exists:%{l}...: postmaster still "
	    "passes from the cache");
}

static void
test_failures(void)
{
	struct timespec t0, t1;
	struct spf_outcome out;

	spf_cache_flush();
	dnstest_use(dnstest_port("SERVFAIL_PORT"), 1, 1);
	expect(&v4, NULL, "alice@pass.spf.test", SPFV_TEMPERROR,
	    "SERVFAIL: temperror, never pass");
	spf_cache_flush();
	dnstest_use(dnstest_port("DEAD_PORT"), 1, 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	spf_check_host(&v4, NULL, "alice@pass.spf.test", &out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(out.verdict == SPFV_TEMPERROR,
	    "a dead nameserver: temperror, never pass");
	CHECK(t1.tv_sec - t0.tv_sec < 1 * 2 + 1,
	    "a dead nameserver: bounded by DNSTimeout x DNSTries + 1 s");
}

int
main(void)
{
	log_open(false, LOG_MAIL, true, LOG_WARNING);
	conf_parse_address("192.0.2.10", &v4);
	conf_parse_address("192.0.2.20", &v4b);
	conf_parse_address("2001:db8::10", &v6);
	dnstest_use(dnstest_port("DNS_PORT"), 2, 2);
	test_verdicts();
	test_local_part_cache();
	test_through_the_layer();
	test_failures();
	spf_thread_cleanup();
	resolver_thread_cleanup();
	dnscache_flush();
	return unit_exit();
}
