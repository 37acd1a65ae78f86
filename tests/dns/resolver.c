/*
 * resolver.c - resolver.c against the tests' NSD and ldns-testns:
 * every kind of result, CNAME chains, TXT joining, TCP fallback, faults,
 * a server that never answers, and fail-over between servers.
 *
 * Environment (set by tests/dns/run.sh): DNS_PORT (NSD),
 * SERVFAIL_PORT, REFUSED_PORT, TRUNCATED_PORT, WRONGID_PORT (ldns-testns
 * with the files in tests/fixtures/faults/), DEAD_PORT (nothing answers).
 * scenario: servfail refused truncated wrongid dead
 */
#include "config.h"

#include <arpa/inet.h>
#include <time.h>

#include "dnstest.h"
#include "util/log.h"
#include "../unit/unit.h"
#include "conf/conf_address.h"
#include "dns/dns.h"
#include "dns/resolver.h"

static double
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool
has_record(const struct dns_answer *a, const char *text)
{
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->records[i], text) == 0)
			return true;
	return false;
}

static void
test_answers(void)
{
	struct dns_answer *a;

	a = resolver_query("mail.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_OK && a->rcode == 0 && a->count == 1 &&
	    strcmp(a->records[0], "192.0.2.10") == 0, "A: one address");
	CHECK(a->addresses != NULL && a->addresses[0].family == AF_INET &&
	    a->addresses[0].u.v4.s_addr == htonl(0xc000020a),
	    "A: the address also in binary");
	dns_answer_free(a);
	a = resolver_query("MAIL.Example.TEST.", DNS_TYPE_AAAA);
	CHECK(a->status == DNS_OK && a->count == 1 &&
	    strcmp(a->records[0], "2001:db8::10") == 0,
	    "AAAA: mixed case and a final dot");
	dns_answer_free(a);
	a = resolver_query("multi.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_OK && a->count == 3 &&
	    has_record(a, "192.0.2.1") && has_record(a, "192.0.2.3"),
	    "A: three records");
	dns_answer_free(a);
	a = resolver_query("alias.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_OK && a->count == 1 &&
	    strcmp(a->records[0], "192.0.2.10") == 0, "CNAME chain followed");
	dns_answer_free(a);
	a = resolver_query("txt.example.test", DNS_TYPE_TXT);
	CHECK(a->status == DNS_OK && a->count == 2 &&
	    has_record(a, "v=spf1 -all") && has_record(a, "hello"),
	    "TXT: strings of one record joined, records kept apart");
	dns_answer_free(a);
	a = resolver_query("mx.example.test", DNS_TYPE_MX);
	CHECK(a->status == DNS_OK && a->count == 1 &&
	    strcmp(a->records[0], "mail.example.test") == 0, "MX: exchange");
	dns_answer_free(a);
	a = resolver_query("10.2.0.192.in-addr.arpa", DNS_TYPE_PTR);
	CHECK(a->status == DNS_OK && a->count == 1 &&
	    strcmp(a->records[0], "mail.example.test") == 0,
	    "PTR: IPv4 name without the final dot");
	dns_answer_free(a);
	a = resolver_query("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "8.b.d.0.1.0.0.2.ip6.arpa", DNS_TYPE_PTR);
	CHECK(a->status == DNS_OK && a->count == 1 &&
	    strcmp(a->records[0], "mail.example.test") == 0, "PTR: IPv6");
	dns_answer_free(a);
	a = resolver_query("ttl300.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_OK && a->ttl == 300, "TTL: as published");
	dns_answer_free(a);
}

static void
test_negative(void)
{
	struct dns_answer *a;

	a = resolver_query("no-such-name.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_NXDOMAIN && a->rcode == 3 && a->count == 0,
	    "NXDOMAIN: rcode 3, no records");
	CHECK(a->ttl == 30, "NXDOMAIN: TTL from the SOA minimum");
	CHECK(dns_answer_is_negative(a) && !dns_answer_is_failure(a),
	    "NXDOMAIN is negative, not a failure");
	dns_answer_free(a);
	a = resolver_query("nodata.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_NODATA && a->rcode == 0 && a->ttl == 30,
	    "NODATA: NOERROR without records, negative TTL");
	dns_answer_free(a);
	char longname[400];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	a = resolver_query(longname, DNS_TYPE_A);
	CHECK(a->status == DNS_ERROR && strstr(a->error, "not a valid"),
	    "a name over 253 characters is refused before sending");
	dns_answer_free(a);
}

static void
test_tcp_fallback(void)
{
	struct dns_answer *a = resolver_query("big.example.test", DNS_TYPE_TXT);

	CHECK(a->status == DNS_OK && a->count == 12,
	    "TCP fallback: a truncated UDP answer is asked again over TCP");
	dns_answer_free(a);
}

static void
test_faults(void)
{
	struct dns_answer *a;
	double start;

	dnstest_use(dnstest_port("SERVFAIL_PORT"), 1, 1);
	a = resolver_query("mail.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_SERVFAIL && a->rcode == 2 &&
	    dns_answer_is_failure(a), "SERVFAIL is a failure, not an answer");
	dns_answer_free(a);
	dnstest_use(dnstest_port("REFUSED_PORT"), 1, 1);
	a = resolver_query("mail.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_REFUSED && a->rcode == 5, "REFUSED");
	dns_answer_free(a);
	dnstest_use(dnstest_port("TRUNCATED_PORT"), 1, 1);
	a = resolver_query("tc.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_OK && a->count == 1 &&
	    strcmp(a->records[0], "192.0.2.77") == 0,
	    "TC bit over UDP: the TCP answer is used");
	dns_answer_free(a);
	dnstest_use(dnstest_port("WRONGID_PORT"), 1, 1);
	a = resolver_query("wrongid.example.test", DNS_TYPE_A);
	CHECK(a->status != DNS_OK && a->count == 0,
	    "an answer with the wrong id is not believed");
	CHECK_CONTAINS(a->error, "wrong id", "the wrong id is reported");
	dns_answer_free(a);
	dnstest_use(dnstest_port("DEAD_PORT"), 1, 2);
	start = seconds_now();
	a = resolver_query("mail.example.test", DNS_TYPE_A);
	double took = seconds_now() - start;
	CHECK(a->status == DNS_TIMEOUT && dns_answer_is_failure(a),
	    "a server that never answers gives a timeout");
	CHECK(took < 1 * 2 + 1, "the timeout is bounded by DNSTimeout x tries "
	    "+ 1 s");
	printf("# timeout took %.2f s (DNSTimeout 1, DNSTries 2)\n", took);
	dns_answer_free(a);
}

static void
test_failover(void)
{
	struct resolver_settings rs;
	struct dns_answer *a;
	unsigned long before;

	memset(&rs, 0, sizeof(rs));
	conf_parse_address("127.0.0.1", &rs.nameservers[0].address);
	rs.nameservers[0].port = (uint16_t)dnstest_port("DEAD_PORT");
	conf_parse_address("127.0.0.1", &rs.nameservers[1].address);
	rs.nameservers[1].port = (uint16_t)dnstest_port("DNS_PORT");
	rs.nnameservers = 2;
	rs.timeout = 1;
	rs.tries = 2;
	resolver_configure(&rs);
	for (int i = 0; i < 2; i++) {
		before = resolver_queries_sent();
		a = resolver_query("mail.example.test", DNS_TYPE_A);
		CHECK(a->status == DNS_OK, "two servers, one dead: answered");
		CHECK(resolver_queries_sent() - before >= 1,
		    "every query is counted");
		dns_answer_free(a);
	}
}

int
main(void)
{
	log_open(false, LOG_MAIL, true, LOG_WARNING);
	dnstest_use(dnstest_port("DNS_PORT"), 2, 2);
	test_answers();
	test_negative();
	test_tcp_fallback();
	test_faults();
	test_failover();
	resolver_thread_cleanup();
	return unit_exit();
}
