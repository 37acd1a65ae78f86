/*
 * prefetch.c - the sender's SPF and DMARC records, asked at MAIL FROM.
 *
 * prefetch_sender().
 *
 * A ring of PREFETCH_QUEUE names and PREFETCH_THREADS detached threads
 * that take names from it and look them up through dns_lookup() (the
 * answer is dropped: the cache keeps it). The threads start with the
 * first request. When the ring is full a request is dropped: the
 * message then asks at end-of-message as it would have anyway. A name
 * the cache already holds fresh is not queued (no thread is woken).
 * Must not: block the caller on DNS or on a full queue; talk to the
 * network other than through dns_lookup().
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "auth/prefetch.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "util/log.h"

#define PREFETCH_QUEUE 256
#define PREFETCH_THREADS 2
#define DMARC_PREFIX "_dmarc."

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queued = PTHREAD_COND_INITIALIZER;
static pthread_once_t started = PTHREAD_ONCE_INIT;
static char ring[PREFETCH_QUEUE][DNS_NAME_MAX + 1];
static unsigned head, count;

static void *
prefetch_thread(void *arg)
{
	char name[DNS_NAME_MAX + 1];

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lock);
		while (count == 0)
			pthread_cond_wait(&queued, &lock);
		memcpy(name, ring[head], sizeof(name));
		head = (head + 1) % PREFETCH_QUEUE;
		count--;
		pthread_mutex_unlock(&lock);
		dns_answer_free(dns_lookup(name, DNS_TYPE_TXT));
	}
	return NULL;
}

static void
prefetch_start(void)
{
	for (int i = 0; i < PREFETCH_THREADS; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, prefetch_thread, NULL) != 0) {
			log_warn("cannot start a DNS prefetch thread");
			continue;
		}
		pthread_detach(t);
	}
}

/* Queues NAME unless the cache has it or the ring is full. */
static void
enqueue(const char *name)
{
	if (dnscache_has_fresh(name, DNS_TYPE_TXT))
		return;
	pthread_mutex_lock(&lock);
	if (count < PREFETCH_QUEUE) {
		snprintf(ring[(head + count) % PREFETCH_QUEUE], DNS_NAME_MAX + 1,
		    "%s", name);
		count++;
		pthread_cond_signal(&queued);
	}
	pthread_mutex_unlock(&lock);
}

void
prefetch_sender(const char *domain)
{
	char dmarc[DNS_NAME_MAX + 1];
	size_t len = domain != NULL ? strlen(domain) : 0;

	if (len == 0 || len + sizeof(DMARC_PREFIX) - 1 > DNS_NAME_MAX ||
	    strchr(domain, '.') == NULL)
		return;
	pthread_once(&started, prefetch_start);
	enqueue(domain);
	snprintf(dmarc, sizeof(dmarc), DMARC_PREFIX "%s", domain);
	enqueue(dmarc);
}
