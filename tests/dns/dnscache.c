/*
 * dnscache.c - the shared DNS cache against the tests' NSD: hits,
 * TTL expiry, floor and ceiling, negative caching, the LRU bound, one
 * upstream query for 50 threads (single flight), and serve-stale after
 * the server is stopped.
 *
 * Environment (set by tests/dns/run.sh): DNS_PORT and NSD_PID (this
 * test stops NSD itself near the end).
 * scenario:
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dnstest.h"
#include "util/log.h"
#include "../unit/unit.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"

static void
settings(size_t entries, uint32_t min_ttl, uint32_t max_ttl,
    uint32_t serve_stale)
{
	struct dnscache_settings cs = { entries, min_ttl, max_ttl, 3600,
	    serve_stale };

	dnscache_configure(&cs);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Looks NAME up; returns how many queries went upstream for it. */
static unsigned long
upstream_for(const char *name, uint16_t type, enum dns_status *status)
{
	unsigned long before = resolver_queries_sent();
	struct dns_answer *a = dns_lookup(name, type);

	if (status != NULL)
		*status = a->status;
	dns_answer_free(a);
	return resolver_queries_sent() - before;
}

static void
test_hits_and_ttl(void)
{
	struct dnscache_stats st;
	enum dns_status status;

	settings(100, 0, 86400, 0);
	CHECK(upstream_for("mail.example.test", DNS_TYPE_A, &status) == 1 &&
	    status == DNS_OK, "a miss goes upstream");
	CHECK(upstream_for("MAIL.example.test.", DNS_TYPE_A, NULL) == 0,
	    "a second lookup is a hit (names compared without case)");
	CHECK(upstream_for("mail.example.test", DNS_TYPE_AAAA, NULL) == 1,
	    "another type is another entry");
	dnscache_get_stats(&st);
	CHECK(st.hits == 1 && st.misses == 2, "hits and misses are counted");
	CHECK(dnscache_has_fresh("Mail.example.test.", DNS_TYPE_A) &&
	    !dnscache_has_fresh("mail.example.test", DNS_TYPE_TXT) &&
	    !dnscache_has_fresh("never.example.test", DNS_TYPE_A),
	    "dnscache_has_fresh: the name and type asked, not others");
	dnscache_get_stats(&st);
	CHECK(st.hits == 1 && st.misses == 2, "dnscache_has_fresh counts no hit");
	{
		struct dns_answer *a = dnscache_fresh("MAIL.example.test",
		    DNS_TYPE_A);

		CHECK(a != NULL && a->status == DNS_OK && a->count > 0,
		    "dnscache_fresh: a copy of the fresh answer");
		if (a != NULL)
			dns_answer_free(a);
		CHECK(dnscache_fresh("never.example.test", DNS_TYPE_A) == NULL &&
		    dnscache_fresh("mail.example.test", DNS_TYPE_TXT) == NULL,
		    "dnscache_fresh: NULL on a miss, without a query");
		dnscache_get_stats(&st);
		CHECK(st.hits == 2 && st.misses == 2,
		    "dnscache_fresh: one hit counted, the misses ask nothing");
	}
	upstream_for("short.example.test", DNS_TYPE_A, NULL);
	CHECK(upstream_for("short.example.test", DNS_TYPE_A, NULL) == 0,
	    "TTL 1: cached at first");
	sleep_ms(1200);
	CHECK(!dnscache_has_fresh("short.example.test", DNS_TYPE_A),
	    "dnscache_has_fresh: not once the TTL ran out");
	CHECK(upstream_for("short.example.test", DNS_TYPE_A, NULL) == 1,
	    "TTL 1: asked again after it expired");
	settings(100, 5, 86400, 0);
	dnscache_flush();
	upstream_for("short.example.test", DNS_TYPE_A, NULL);
	sleep_ms(1200);
	CHECK(upstream_for("short.example.test", DNS_TYPE_A, NULL) == 0,
	    "the TTL floor keeps a TTL-1 answer for 5 s");
	settings(100, 0, 1, 0);
	dnscache_flush();
	upstream_for("ttl300.example.test", DNS_TYPE_A, NULL);
	sleep_ms(1200);
	CHECK(upstream_for("ttl300.example.test", DNS_TYPE_A, NULL) == 1,
	    "the TTL ceiling (1 s) cuts a TTL-300 answer short");
}

static void
test_negative(void)
{
	struct dns_answer *a;
	enum dns_status status;

	settings(100, 0, 86400, 0);
	dnscache_flush();
	CHECK(upstream_for("absent.example.test", DNS_TYPE_A, &status) == 1 &&
	    status == DNS_NXDOMAIN, "NXDOMAIN from upstream");
	a = dns_lookup("absent.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_NXDOMAIN && a->ttl == 30,
	    "NXDOMAIN is cached (RFC 2308), keeping its negative TTL");
	dns_answer_free(a);
	upstream_for("nodata.example.test", DNS_TYPE_A, NULL);
	CHECK(upstream_for("nodata.example.test", DNS_TYPE_A, &status) == 0 &&
	    status == DNS_NODATA, "NODATA is cached");
}

static void
test_lru(void)
{
	struct dnscache_stats before, after;

	settings(3, 0, 86400, 0);
	dnscache_flush();
	dnscache_get_stats(&before);
	upstream_for("mail.example.test", DNS_TYPE_A, NULL);
	upstream_for("mail2.example.test", DNS_TYPE_A, NULL);
	upstream_for("multi.example.test", DNS_TYPE_A, NULL);
	upstream_for("mail.example.test", DNS_TYPE_A, NULL);	/* touch */
	upstream_for("ttl300.example.test", DNS_TYPE_A, NULL);	/* 4th */
	dnscache_get_stats(&after);
	CHECK(after.entries == 3, "LRU: the cache holds at most 3 entries");
	CHECK(after.evictions - before.evictions == 1, "LRU: one eviction");
	CHECK(upstream_for("mail.example.test", DNS_TYPE_A, NULL) == 0,
	    "LRU: a recently used entry stays");
	CHECK(upstream_for("mail2.example.test", DNS_TYPE_A, NULL) == 1,
	    "LRU: the least recently used entry was dropped");
}

#define THREADS 50
static pthread_barrier_t start_line;
static int thread_ok[THREADS];

static void *
asker(void *arg)
{
	int i = (int)(long)arg;
	struct dns_answer *a;

	pthread_barrier_wait(&start_line);
	a = dns_lookup("multi.example.test", DNS_TYPE_A);
	thread_ok[i] = a->status == DNS_OK && a->count == 3;
	dns_answer_free(a);
	resolver_thread_cleanup();
	return NULL;
}

static void
test_single_flight(void)
{
	pthread_t threads[THREADS];
	struct dnscache_stats before, after;
	unsigned long sent;
	int ok = 0;

	settings(100, 0, 86400, 0);
	dnscache_flush();
	dnscache_get_stats(&before);
	sent = resolver_queries_sent();
	pthread_barrier_init(&start_line, NULL, THREADS);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, asker, (void *)i);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		ok += thread_ok[i];
	}
	pthread_barrier_destroy(&start_line);
	dnscache_get_stats(&after);
	CHECK(ok == THREADS, "50 threads all get the answer");
	CHECK(resolver_queries_sent() - sent == 1,
	    "50 threads asking one cold name send exactly one query");
	CHECK((after.coalesced - before.coalesced) + (after.hits - before.hits)
	    == THREADS - 1, "the other 49 waited for it or hit the cache");
	printf("# single flight: %lu coalesced, %lu hits\n",
	    after.coalesced - before.coalesced, after.hits - before.hits);
}

static void
stop_nsd(void)
{
	pid_t pid = (pid_t)dnstest_port("NSD_PID");

	kill(pid, SIGTERM);
	for (int i = 0; i < 40 && kill(pid, 0) == 0; i++)
		sleep_ms(50);
}

static void
test_serve_stale(void)
{
	struct dns_answer *a;
	struct dnscache_stats st;
	enum dns_status status;

	dnstest_use(dnstest_port("DNS_PORT"), 1, 1);
	settings(100, 0, 86400, 60);
	upstream_for("short.example.test", DNS_TYPE_A, NULL);
	settings(100, 0, 1, 60);
	upstream_for("ttl300.example.test", DNS_TYPE_A, NULL);
	sleep_ms(1200);
	stop_nsd();
	a = dns_lookup("short.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_OK && a->stale && a->count == 1 &&
	    strcmp(a->records[0], "192.0.2.99") == 0,
	    "server stopped: the expired answer is served, marked stale");
	dns_answer_free(a);
	dnscache_get_stats(&st);
	CHECK(st.stale == 1, "stale answers are counted");
	CHECK(upstream_for("short.example.test", DNS_TYPE_A, &status) == 0 &&
	    status == DNS_OK, "a stale answer is held a while without asking "
	    "the dead server again");
	settings(100, 0, 1, 0);
	a = dns_lookup("ttl300.example.test", DNS_TYPE_A);
	CHECK(a->status == DNS_TIMEOUT && !a->stale,
	    "without DNSServeStale an expired answer is not served");
	dns_answer_free(a);
	CHECK(upstream_for("ttl300.example.test", DNS_TYPE_A, &status) == 1 &&
	    status == DNS_TIMEOUT, "failures are not cached");
	CHECK(upstream_for("never.example.test", DNS_TYPE_A, &status) == 1 &&
	    status == DNS_TIMEOUT, "a name never cached fails when the "
	    "server is down");
}

int
main(void)
{
	log_open(false, LOG_MAIL, true, LOG_WARNING);
	dnstest_use(dnstest_port("DNS_PORT"), 2, 1);
	test_hits_and_ttl();
	test_negative();
	test_lru();
	test_single_flight();
	test_serve_stale();
	dnscache_flush();
	resolver_thread_cleanup();
	return unit_exit();
}
