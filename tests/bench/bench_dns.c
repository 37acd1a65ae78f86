/*
 * bench_dns.c - figures for the shared DNS cache: lookups per second
 * answered from memory by 1 and 2 threads, the cost of a miss against a
 * local NSD, and the memory an entry takes. Not a test: it prints
 * figures. Run it with "make bench" (tests/bench.sh starts the tests'
 * NSD; nothing leaves the machine).
 */
#include "config.h"

#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../dns/dnstest.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "util/log.h"

#define HITS_PER_THREAD 1000000
#define FILL 10000

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) used by this process so far. */
static double
cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static long
rss_kib(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = atol(line + 6);
	if (fp != NULL)
		fclose(fp);
	return kib;
}

static void *
hitter(void *arg)
{
	(void)arg;
	for (int i = 0; i < HITS_PER_THREAD; i++)
		dns_answer_free(dns_lookup("multi.example.test", DNS_TYPE_A));
	return NULL;
}

static void
hits(int threads)
{
	pthread_t t[8];
	double start = now(), took;

	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, hitter, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	took = now() - start;
	printf("cache hits, %d thread%s: %.0f lookups/s (%.2f us each)\n",
	    threads, threads == 1 ? "" : "s",
	    threads * HITS_PER_THREAD / took,
	    took * 1e6 / HITS_PER_THREAD);
}

int
main(void)
{
	struct dnscache_settings cs = { FILL + 100, 60, 86400, 3600, 0 };
	char name[64];
	double start, cpu_start;
	long before;

	log_open(false, LOG_MAIL, true, LOG_ERR);
	dnstest_use(dnstest_port("DNS_PORT"), 2, 2);
	dnscache_configure(&cs);
	dns_answer_free(dns_lookup("multi.example.test", DNS_TYPE_A));
	hits(1);
	hits(2);
	before = rss_kib();
	start = now();
	cpu_start = cpu();
	for (int i = 0; i < FILL; i++) {
		snprintf(name, sizeof(name), "n%d.example.test", i);
		dns_answer_free(dns_lookup(name, DNS_TYPE_A));
	}
	printf("misses against local NSD: %.0f us each wall clock, %.0f us "
	    "CPU (%d names)\n", (now() - start) * 1e6 / FILL,
	    (cpu() - cpu_start) * 1e6 / FILL, FILL);
	printf("memory: %.0f bytes per cached entry (RSS grew %ld KiB for "
	    "%d entries)\n", (rss_kib() - before) * 1024.0 / FILL,
	    rss_kib() - before, FILL);
	return 0;
}
