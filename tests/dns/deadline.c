/*
 * deadline.c - a thread's DNS deadline (MessageDNSBudget, see
 * milter/dns/dnsdeadline.h) against a server that never answers and the
 * tests' NSD: a lookup ends at the deadline, not after DNSTimeout; after
 * it nothing is sent; cached answers are still served; a thread waiting
 * for another thread's query stops at its own deadline; and a thread
 * without a deadline that waited for a query another thread's deadline
 * cut short asks again itself instead of taking that failure.
 *
 * Environment (set by tests/dns/run.sh): DNS_PORT (NSD) and
 * DEAD_PORT (nothing answers there).
 * scenario: dead
 */
#include "config.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "dns/dnsdeadline.h"
#include "dnstest.h"
#include "util/log.h"
#include "../unit/unit.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"

#define DEAD_NAME "nobody-answers.example.test"

/* Looks NAME up with a deadline MS from now (0: none); times it. */
static struct dns_answer *
timed_lookup(const char *name, long ms, long long *took)
{
	long long start = dns_deadline_now_ms();
	struct dns_answer *a;

	if (ms > 0)
		dns_deadline_set(start + ms);
	a = dns_lookup(name, DNS_TYPE_A);
	dns_deadline_clear();
	*took = dns_deadline_now_ms() - start;
	return a;
}

static void
test_dead_server(void)
{
	long long took;
	unsigned long sent;
	struct dns_answer *a = timed_lookup(DEAD_NAME, 300, &took);

	CHECK(a->status == DNS_TIMEOUT && a->cut_short,
	    "dead server: the lookup fails, cut short by the deadline");
	CHECK(took >= 280 && took <= 400,
	    "dead server: it ends at the 300 ms deadline, not DNSTimeout 2 s");
	printf("# took %lld ms\n", took);
	dns_answer_free(a);
	sent = resolver_queries_sent();
	dns_deadline_set(dns_deadline_now_ms() - 1);
	a = dns_lookup(DEAD_NAME ".", DNS_TYPE_AAAA);
	dns_deadline_clear();
	CHECK(a->status == DNS_TIMEOUT && resolver_queries_sent() == sent,
	    "after the deadline: a failure at once, nothing sent");
	CHECK_CONTAINS(a->error, "MessageDNSBudget",
	    "after the deadline: the error names MessageDNSBudget");
	dns_answer_free(a);
}

static void
test_cached_after_deadline(int nsd_port)
{
	struct dns_answer *a;

	dnstest_use(nsd_port, 2, 1);
	dns_answer_free(dns_lookup("mail.example.test", DNS_TYPE_A));
	dns_deadline_set(dns_deadline_now_ms() - 1);
	a = dns_lookup("mail.example.test", DNS_TYPE_A);
	dns_deadline_clear();
	CHECK(a->status == DNS_OK && a->count == 1,
	    "after the deadline: a cached answer is still served");
	dns_answer_free(a);
}

struct asker {
	long deadline_ms;		/* 0: none */
	long long took;
	struct dns_answer *answer;
};

static void *
asker_thread(void *arg)
{
	struct asker *x = arg;

	x->answer = timed_lookup(DEAD_NAME, x->deadline_ms, &x->took);
	resolver_thread_cleanup();
	return NULL;
}

/* FIRST asks at once; SECOND, the same name, 50 ms later. */
static void
race(struct asker *first, struct asker *second)
{
	pthread_t t1, t2;

	dnscache_flush();
	pthread_create(&t1, NULL, asker_thread, first);
	usleep(50000);
	pthread_create(&t2, NULL, asker_thread, second);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
}

static void
test_waiting(int dead_port)
{
	struct asker monitor = { 0, 0, NULL }, message = { 200, 0, NULL };

	dnstest_use(dead_port, 1, 1);
	race(&monitor, &message);
	CHECK(message.answer->cut_short && message.took <= 300,
	    "waiting for another thread's query: stops at its own deadline");
	printf("# waiter took %lld ms; the asker %lld ms\n", message.took,
	    monitor.took);
	dns_answer_free(message.answer);
	dns_answer_free(monitor.answer);
	message.answer = monitor.answer = NULL;
	race(&message, &monitor);
	CHECK(message.answer->cut_short && message.took <= 300,
	    "a message's query ends at its deadline");
	CHECK(monitor.answer->status == DNS_TIMEOUT &&
	    !monitor.answer->cut_short && monitor.took >= 900,
	    "a thread without a deadline that waited for it asks again "
	    "itself: a real timeout after DNSTimeout, not the cut-short one");
	printf("# the asker took %lld ms; the one without deadline %lld ms\n",
	    message.took, monitor.took);
	dns_answer_free(message.answer);
	dns_answer_free(monitor.answer);
}

int
main(void)
{
	log_open(false, LOG_MAIL, true, LOG_WARNING);
	dnstest_use(dnstest_port("DEAD_PORT"), 2, 1);
	test_dead_server();
	test_cached_after_deadline(dnstest_port("DNS_PORT"));
	test_waiting(dnstest_port("DEAD_PORT"));
	dnscache_flush();
	resolver_thread_cleanup();
	return unit_exit();
}
