/*
 * dnscache.c - the DNS cache shared by all threads.
 *
 * dnscache_configure(), dns_lookup(),
 * dnscache_has_fresh(), dnscache_fresh(), dnscache_max_ttl(),
 * dnscache_refresh_mode(), dnscache_get_stats(), dnscache_flush().
 *
 * Entries are keyed by (lower-case name, type) in a hash table and kept
 * on a least-recently-used list; past max_entries the least recently
 * used entry that no query is waiting for is dropped. A positive answer
 * lives for its TTL clamped to [min_ttl, max_ttl], NXDOMAIN/NODATA for
 * the SOA negative TTL clamped to [min_ttl, max_negative_ttl]; failures
 * (SERVFAIL, REFUSED, timeout) are not kept. The first thread to miss
 * asks upstream with the lock released; threads asking the same name
 * meanwhile wait for its answer (single flight). When the upstream
 * query fails and the entry expired less than serve_stale seconds ago,
 * the expired answer is served, marked stale, and kept for
 * STALE_HOLD_MS more before the servers are asked again (RFC 8767).
 * A thread in refresh mode (the health monitor) always asks upstream and
 * stores the new answer, so entries are renewed before they expire; if
 * that refresh fails, the still-fresh entry is kept unchanged.
 * A thread with a DNS deadline (dnsdeadline.h) waits for another
 * thread's query only until its deadline; a thread that waited for a
 * query another thread's deadline cut short asks again itself.
 * Must not: talk to the network (resolver.c does); hold the lock while
 * a query is under way.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/dns.h"
#include "dns/dnscache.h"
#include "dns/dnsdeadline.h"
#include "dns/resolver.h"
#include "util/log.h"
#include "util/util.h"

#define STALE_HOLD_MS 30000		/* RFC 8767: 30 s stale TTL */
#define BUCKETS_MAX (1u << 20)

struct entry {
	uint16_t type;
	uint32_t hash;
	struct entry *chain;		/* next in the hash bucket */
	struct entry *newer, *older;	/* LRU list */
	struct dns_answer *answer;	/* NULL until the first answer */
	long long expires_ms;		/* monotonic; served until then */
	long long fresh_until_ms;	/* when the TTL ran out */
	bool pending;			/* a query is under way */
	unsigned waiters;		/* threads waiting for it */
	bool serving_stale;		/* answer is a stale one */
	char name[];			/* lower case; its own length */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t answered;	/* on CLOCK_MONOTONIC */
static pthread_once_t answered_once = PTHREAD_ONCE_INIT;
static struct dnscache_settings limits = { 10000, 10, 86400, 3600, 3600 };
static struct entry **buckets;
static size_t nbuckets;
static struct entry *newest, *oldest;
static struct dnscache_stats stats;
static __thread bool refreshing;	/* this thread skips fresh hits */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t
hash_key(const char *name, uint16_t type)
{
	uint32_t h = 2166136261u ^ type;	/* FNV-1a */

	for (const char *p = name; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 16777619u;
	}
	return h;
}

static void
lru_unlink(struct entry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		oldest = e->newer;
	e->newer = e->older = NULL;
}

static void
lru_push_newest(struct entry *e)
{
	e->older = newest;
	e->newer = NULL;
	if (newest != NULL)
		newest->newer = e;
	newest = e;
	if (oldest == NULL)
		oldest = e;
}

static void
entry_remove(struct entry *e)
{
	struct entry **p = &buckets[e->hash & (nbuckets - 1)];

	while (*p != e)
		p = &(*p)->chain;
	*p = e->chain;
	lru_unlink(e);
	dns_answer_free(e->answer);
	free(e);
	stats.entries--;
}

static struct entry *
entry_find(const char *name, uint16_t type, uint32_t hash)
{
	for (struct entry *e = buckets[hash & (nbuckets - 1)]; e; e = e->chain)
		if (e->hash == hash && e->type == type &&
		    strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* Drops least recently used entries until there is room. */
static void
make_room(void)
{
	struct entry *e = oldest;

	while (stats.entries > limits.max_entries && e != NULL) {
		struct entry *newer = e->newer;

		if (!e->pending && e->waiters == 0) {
			entry_remove(e);
			stats.evictions++;
		}
		e = newer;
	}
}

static struct entry *
entry_add(const char *name, uint16_t type, uint32_t hash)
{
	size_t len = strnlen(name, DNS_NAME_MAX), b = hash & (nbuckets - 1);
	struct entry *e = xcalloc(1, sizeof(*e) + len + 1);

	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->type = type;
	e->hash = hash;
	e->chain = buckets[b];
	buckets[b] = e;
	lru_push_newest(e);
	stats.entries++;
	return e;
}

/* Empties the table; entries with a query under way stay. Lock held. */
static void
flush_locked(void)
{
	struct entry *e = oldest;

	while (e != NULL) {
		struct entry *newer = e->newer;

		if (!e->pending && e->waiters == 0)
			entry_remove(e);
		e = newer;
	}
}

void
dnscache_configure(const struct dnscache_settings *settings)
{
	size_t want = 64;

	while (want < settings->max_entries && want < BUCKETS_MAX)
		want <<= 1;
	pthread_mutex_lock(&lock);
	limits = *settings;
	if (limits.max_entries == 0)
		limits.max_entries = 1;
	if (want != nbuckets) {
		/* Rehash every entry into the new table. */
		struct entry **old = buckets;
		size_t old_n = nbuckets;

		buckets = xcalloc(want, sizeof(*buckets));
		nbuckets = want;
		for (size_t i = 0; i < old_n; i++)
			for (struct entry *e = old[i], *next; e; e = next) {
				next = e->chain;
				e->chain = buckets[e->hash & (want - 1)];
				buckets[e->hash & (want - 1)] = e;
			}
		free(old);
	}
	make_room();
	pthread_mutex_unlock(&lock);
}

static uint32_t
clamp_ttl(const struct dns_answer *answer)
{
	uint32_t ttl = answer->ttl;
	uint32_t ceiling = answer->status == DNS_OK ? limits.max_ttl :
	    limits.max_negative_ttl;

	if (ttl > ceiling)
		ttl = ceiling;
	if (ttl < limits.min_ttl)
		ttl = limits.min_ttl;
	return ttl;
}

/* Keeps what the upstream query gave, or the stale answer. Lock held. */
static void
entry_store(struct entry *e, struct dns_answer *fresh, long long now)
{
	long long stale_until;

	if (!dns_answer_is_failure(fresh)) {
		dns_answer_free(e->answer);
		e->answer = fresh;
		e->expires_ms = now + clamp_ttl(fresh) * 1000LL;
		e->fresh_until_ms = e->expires_ms;
		e->serving_stale = false;
		return;
	}
	if (e->answer != NULL && !dns_answer_is_failure(e->answer) &&
	    now < e->fresh_until_ms) {
		dns_answer_free(fresh);	/* a refresh failed: keep it */
		return;
	}
	stale_until = e->fresh_until_ms + limits.serve_stale * 1000LL;
	if (e->answer != NULL && !dns_answer_is_failure(e->answer) &&
	    now < stale_until) {
		if (!e->serving_stale)
			log_debug("dns: %s %s: %s; serving the expired answer "
			    "(stale) for up to %lld s more", e->name,
			    dns_type_name(e->type), fresh->error[0] ?
			    fresh->error : dns_status_name(fresh->status),
			    (stale_until - now) / 1000);
		e->serving_stale = true;
		e->answer->stale = true;
		e->expires_ms = now + STALE_HOLD_MS < stale_until ?
		    now + STALE_HOLD_MS : stale_until;
		dns_answer_free(fresh);
		return;
	}
	dns_answer_free(e->answer);
	e->answer = fresh;		/* a failure: never fresh */
	e->expires_ms = now;
	e->fresh_until_ms = now;
	e->serving_stale = false;
}

/* A fresh (or held stale) entry's answer, counted. Lock held. */
static struct dns_answer *
serve(struct entry *e)
{
	if (e->serving_stale)
		stats.stale++;
	lru_unlink(e);
	lru_push_newest(e);
	return dns_answer_copy(e->answer);
}

static void
answered_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&answered, &attr);
	pthread_condattr_destroy(&attr);
}

/*
 * Waits for another thread's query of E, no longer than this thread's
 * DNS deadline. Returns its answer, or a timeout. Lock held.
 */
static struct dns_answer *
wait_for_pending(struct entry *e)
{
	struct dns_answer *answer;
	struct timespec until;
	bool timed_out = false;

	stats.coalesced++;
	e->waiters++;
	dns_deadline_timespec(INT_MAX, &until);
	while (e->pending && !timed_out) {
		if (dns_deadline_left_ms(INT_MAX) == INT_MAX)
			pthread_cond_wait(&answered, &lock);
		else
			timed_out = pthread_cond_timedwait(&answered, &lock,
			    &until) == ETIMEDOUT;
	}
	e->waiters--;
	if (!e->pending)
		return dns_answer_copy(e->answer);
	answer = dns_answer_new(e->type, DNS_TIMEOUT);
	answer->cut_short = true;
	snprintf(answer->error, sizeof(answer->error), "the message's DNS "
	    "budget ran out waiting for the answer (MessageDNSBudget)");
	return answer;
}

/* Lower case, without a final dot; false when not a usable name. */
static bool
make_key(const char *name, char *key)
{
	size_t len = strlen(name);

	if (len > 1 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		key[i] = (char)tolower((unsigned char)name[i]);
	key[len] = '\0';
	return true;
}

struct dns_answer *
dns_lookup(const char *name, uint16_t type)
{
	char key[DNS_NAME_MAX + 1];
	struct dns_answer *fresh, *copy;
	struct entry *e;
	uint32_t hash;

	if (!make_key(name, key))
		return resolver_query(name, type);	/* says why */
	hash = hash_key(key, type);
	pthread_once(&answered_once, answered_init);
	pthread_mutex_lock(&lock);
	if (buckets == NULL) {
		nbuckets = 1024;
		buckets = xcalloc(nbuckets, sizeof(*buckets));
	}
	e = entry_find(key, type, hash);
	while (e != NULL && e->pending) {
		copy = wait_for_pending(e);
		if (!copy->cut_short || dns_deadline_left_ms(INT_MAX) == 0) {
			pthread_mutex_unlock(&lock);
			return copy;
		}
		/* Another thread's deadline cut that query short, not ours. */
		dns_answer_free(copy);
		e = entry_find(key, type, hash);
	}
	if (e != NULL && e->answer != NULL && now_ms() < e->expires_ms &&
	    !(refreshing && !e->serving_stale)) {
		if (!e->serving_stale)
			stats.hits++;
		copy = serve(e);
		pthread_mutex_unlock(&lock);
		return copy;
	}
	if (e == NULL)
		e = entry_add(key, type, hash);
	e->pending = true;
	stats.misses++;
	pthread_mutex_unlock(&lock);

	fresh = resolver_query(key, type);

	pthread_mutex_lock(&lock);
	entry_store(e, fresh, now_ms());
	e->pending = false;
	pthread_cond_broadcast(&answered);
	copy = e->serving_stale ? serve(e) : dns_answer_copy(e->answer);
	make_room();
	pthread_mutex_unlock(&lock);
	return copy;
}

/* NAME/TYPE's entry when it holds a fresh answer, else NULL. Lock held. */
static struct entry *
fresh_entry(const char *name, uint16_t type)
{
	char key[DNS_NAME_MAX + 1];
	struct entry *e;

	if (!make_key(name, key) || buckets == NULL ||
	    (e = entry_find(key, type, hash_key(key, type))) == NULL)
		return NULL;
	return !e->pending && e->answer != NULL && !e->serving_stale &&
	    now_ms() < e->expires_ms ? e : NULL;
}

bool
dnscache_has_fresh(const char *name, uint16_t type)
{
	bool fresh;

	pthread_mutex_lock(&lock);
	fresh = fresh_entry(name, type) != NULL;
	pthread_mutex_unlock(&lock);
	return fresh;
}

struct dns_answer *
dnscache_fresh(const char *name, uint16_t type)
{
	struct dns_answer *copy = NULL;
	struct entry *e;

	pthread_mutex_lock(&lock);
	if ((e = fresh_entry(name, type)) != NULL) {
		stats.hits++;
		copy = serve(e);
	}
	pthread_mutex_unlock(&lock);
	return copy;
}

bool
dnscache_refresh_mode(bool on)
{
	bool was = refreshing;

	refreshing = on;
	return was;
}

uint32_t
dnscache_max_ttl(void)
{
	uint32_t ttl;

	pthread_mutex_lock(&lock);
	ttl = limits.max_ttl;
	pthread_mutex_unlock(&lock);
	return ttl;
}

void
dnscache_get_stats(struct dnscache_stats *out)
{
	pthread_mutex_lock(&lock);
	*out = stats;
	pthread_mutex_unlock(&lock);
}

void
dnscache_flush(void)
{
	pthread_mutex_lock(&lock);
	if (buckets != NULL)
		flush_locked();
	pthread_mutex_unlock(&lock);
}
