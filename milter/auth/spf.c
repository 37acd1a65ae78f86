/*
 * spf.c - SPF (RFC 7208) verdicts for an egress address and a sender:
 * the public API and the verdict cache.
 *
 * spf_check_host(), spf_verdict_name(), spf_cache_flush(),
 * spf_thread_cleanup().
 *
 * The sender (4.3): MAIL FROM, "<>" stripped; the null sender is
 * postmaster@HELO; an empty local part is "postmaster". A domain that
 * is not a multi-label name DNS can hold (labels of 1 to 63, 253 in
 * all, visible ASCII) gives "none" at once; so does a local part with a
 * control character (a long one, VERP or SRS, is evaluated: RFC 7208
 * 4.3 bounds the domain, not the address). An IPv4-mapped IPv6 address is
 * evaluated as IPv4 (5). The evaluation itself is spf_eval.c's; a fail
 * is explained by the domain's exp= (macros expanded, bytes outside
 * visible ASCII replaced) or by our default, which names no web site.
 * Verdicts are kept per (address, sender domain, HELO) for the smallest
 * TTL of the answers they came from, capped by DNSMaxTTL; per (address,
 * whole sender, HELO) when a macro of the evaluation used the local part
 * (%{s}, %{l}), since then another sender of the domain may get another
 * verdict. A lookup tries the domain's key, then the sender's. The
 * table is bounded: two-way set associative (a new verdict replaces the
 * one of its two slots that expires first), one lock; temperror is
 * never kept. spf_cache_flush() empties it (reload does).
 * Must not: touch libmilter; talk to DNS except through spf_eval.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "auth/spf.h"
#include "auth/spf_eval.h"
#include "dns/dnscache.h"
#include "util/util.h"

/*
 * RFC 7208 4.3 bounds the domain, not the address: VERP and SRS senders
 * have local parts far over RFC 5321's 64 bytes, and receivers evaluate
 * them. This is only a bound against hostile input (the milter keeps
 * MAIL FROM up to 1023 bytes).
 */
#define LOCAL_PART_MAX 1024
#define HELO_MAX 255

#define CACHE_SLOTS 16384		/* 40 bytes each, two ways */
#define CACHE_KEY_MAX (INET6_ADDRSTRLEN + LOCAL_PART_MAX + DNS_NAME_MAX + \
    HELO_MAX + 8)

/*
 * A slot holds its strings in one allocation of their own length
 * ("key\0domain\0reason\0"): a slot of fixed buffers was 1.2 KB, and
 * 4,096 of them, touched across the table, 4.7 MB of resident memory.
 */
struct cached {
	char *key;			/* NULL: empty; then domain, reason */
	const char *domain, *reason;
	time_t expires;
	enum spf_verdict verdict;
	bool explained;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached *cache;

/* The sender's parts, as check_host() gets them. */
struct sender {
	char local[LOCAL_PART_MAX + 1];
	char domain[DNS_NAME_MAX + 2];
	char helo[HELO_MAX + 1];
};

const char *
spf_verdict_name(enum spf_verdict verdict)
{
	static const char *const names[] = { "none", "neutral", "pass",
	    "fail", "softfail", "temperror", "permerror" };

	return (unsigned)verdict < 7 ? names[verdict] : "none";
}

void
spf_thread_cleanup(void)
{
	/* Nothing is kept per thread any more; kept for the callers. */
}

/* A multi-label domain DNS can hold (4.3); a final dot is allowed. */
static bool
domain_usable(const char *d)
{
	size_t len = strlen(d), label = 0, labels = 1;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX || d[0] == '[')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (d[i] <= ' ' || d[i] > '~' || d[i] == '\\')
			return false;
		if (d[i] != '.' && ++label > 63)
			return false;
		if (d[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
			labels++;
		}
	}
	return label > 0 && labels >= 2;
}

/* Splits MAIL_FROM (or postmaster@HELO) into S; false gives none. */
static bool
sender_split(const char *mail_from, const char *helo, struct sender *s,
    struct spf_outcome *out)
{
	char copy[LOCAL_PART_MAX + DNS_NAME_MAX + 8], *at;
	size_t len;

	copy_bounded(s->helo, sizeof(s->helo), helo ? helo : "unknown");
	if (copy_bounded(copy, sizeof(copy), mail_from ? mail_from : "")) {
		snprintf(out->reason, sizeof(out->reason), "sender address "
		    "too long for SPF");
		return false;
	}
	len = strlen(copy);
	if (len >= 2 && copy[0] == '<' && copy[len - 1] == '>') {
		memmove(copy, copy + 1, len - 2);
		copy[len - 2] = '\0';
	}
	if (copy[0] == '\0' && helo != NULL)
		snprintf(copy, sizeof(copy), "postmaster@%.*s", DNS_NAME_MAX +
		    1, helo);
	if ((at = strrchr(copy, '@')) == NULL || !domain_usable(at + 1) ||
	    (size_t)(at - copy) > LOCAL_PART_MAX) {
		snprintf(out->reason, sizeof(out->reason), "%s unusable for "
		    "SPF", copy[0] ? "sender address" : "null sender and HELO "
		    "name");
		return false;
	}
	*at = '\0';
	for (const char *p = copy; *p; p++)
		if (*p < ' ' || *p > '~') {
			snprintf(out->reason, sizeof(out->reason), "a control "
			    "character in the sender's local part");
			return false;
		}
	copy_bounded(s->local, sizeof(s->local), copy[0] ? copy :
	    "postmaster");
	copy_bounded(s->domain, sizeof(s->domain), at + 1);
	copy_bounded(out->domain, sizeof(out->domain), at + 1);
	return true;
}

static size_t
cache_slot(const char *key)
{
	uint32_t h = 2166136261u;

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return (h % CACHE_SLOTS) & ~(size_t)1;	/* the first of two */
}

/* KEY's slot among the two of its set, or NULL. Lock held. */
static struct cached *
cache_find(const char *key)
{
	size_t first = cache_slot(key);

	for (size_t i = first; cache != NULL && i < first + 2; i++)
		if (cache[i].key != NULL && strcmp(cache[i].key, key) == 0)
			return &cache[i];
	return NULL;
}

static bool
cache_get(const char *key, struct spf_outcome *out)
{
	bool hit = false;
	struct cached *c;

	pthread_mutex_lock(&cache_lock);
	if ((c = cache_find(key)) != NULL) {
		if (time(NULL) < c->expires) {
			out->verdict = c->verdict;
			out->explained = c->explained;
			copy_bounded(out->domain, sizeof(out->domain),
			    c->domain);
			copy_bounded(out->reason, sizeof(out->reason),
			    c->reason);
			hit = true;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

static void
cache_put(const char *key, const struct spf_outcome *outcome, uint32_t ttl)
{
	struct cached *c;
	uint32_t ceiling = dnscache_max_ttl();
	size_t nkey, ndomain, nreason;
	char *blob, *old;

	if (outcome->verdict == SPFV_TEMPERROR || ttl == 0)
		return;
	if (ttl > ceiling)
		ttl = ceiling;
	nkey = strnlen(key, CACHE_KEY_MAX - 1);
	ndomain = strnlen(outcome->domain, sizeof(outcome->domain) - 1);
	nreason = strnlen(outcome->reason, sizeof(outcome->reason) - 1);
	blob = xcalloc(1, nkey + ndomain + nreason + 3);	/* NULs in place */
	memcpy(blob, key, nkey);
	memcpy(blob + nkey + 1, outcome->domain, ndomain);
	memcpy(blob + nkey + ndomain + 2, outcome->reason, nreason);
	pthread_mutex_lock(&cache_lock);
	if (cache == NULL)
		cache = xcalloc(CACHE_SLOTS, sizeof(*cache));
	if ((c = cache_find(key)) == NULL) {
		c = &cache[cache_slot(key)];
		if (c[1].key == NULL || (c->key != NULL &&
		    c[1].expires < c->expires))
			c++;
	}
	old = c->key;
	c->key = blob;
	c->domain = blob + nkey + 1;
	c->reason = blob + nkey + ndomain + 2;
	c->expires = time(NULL) + (time_t)ttl;
	c->verdict = outcome->verdict;
	c->explained = outcome->explained;
	pthread_mutex_unlock(&cache_lock);
	free(old);
}

void
spf_cache_flush(void)
{
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; cache != NULL && i < CACHE_SLOTS; i++) {
		free(cache[i].key);
		memset(&cache[i], 0, sizeof(cache[i]));
	}
	pthread_mutex_unlock(&cache_lock);
}

/* A fail's reason: the domain's explanation, or ours. */
static void
explain(struct spf_eval *ev, const struct sender *s, struct spf_outcome *out)
{
	char text[512], ip[INET6_ADDRSTRLEN];
	int rc = spf_eval_explain(ev, text, sizeof(text));

	if (rc < 0) {
		out->verdict = SPFV_PERMERROR;
		copy_bounded(out->reason, sizeof(out->reason), ev->reason);
		return;
	}
	if (rc == 0) {
		inet_ntop(ev->ip.family, &ev->ip.u, ip, sizeof(ip));
		snprintf(text, sizeof(text), "the SPF record of %.150s does "
		    "not permit %s to send its mail (%.60s)", s->domain, ip,
		    ev->reason);
	}
	for (char *p = text; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
	out->explained = rc == 1;
	copy_bounded(out->reason, sizeof(out->reason), text);
}

/* The address as evaluated: IPv4-mapped IPv6 is IPv4 (RFC 7208 5). */
static void
client_address(const struct ip_address *address, struct dns_address *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = address->family;
	if (address->family == AF_INET) {
		ip->u.v4 = address->u.v4;
	} else if (IN6_IS_ADDR_V4MAPPED(&address->u.v6)) {
		ip->family = AF_INET;
		memcpy(&ip->u.v4, &address->u.v6.s6_addr[12], 4);
	} else {
		ip->u.v6 = address->u.v6;
	}
}

/* The two cache keys of (ADDRESS, S): per domain and per address. */
static void
cache_keys(const struct ip_address *address, const struct sender *s,
    char *key, char *domain_key)
{
	char where[CACHE_KEY_MAX - LOCAL_PART_MAX - 2];

	/* Address, domain and HELO in lower case; the local part keeps its
	 * case: %{l} gives it as it came. */
	snprintf(where, sizeof(where), "%s|%s|%s", address->text, s->domain,
	    s->helo);
	for (char *p = where; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(domain_key, CACHE_KEY_MAX, "@%s", where);
	snprintf(key, CACHE_KEY_MAX, "%s@%s", s->local, where);
}

bool
spf_cached(const struct ip_address *address, const char *helo,
    const char *mail_from, struct spf_outcome *out)
{
	struct sender s;
	char key[CACHE_KEY_MAX], domain_key[CACHE_KEY_MAX];

	memset(out, 0, sizeof(*out));
	out->verdict = SPFV_NONE;
	if (!sender_split(mail_from, helo, &s, out))
		return true;	/* no SPF to look up: the verdict is none */
	cache_keys(address, &s, key, domain_key);
	return cache_get(domain_key, out) || cache_get(key, out);
}

void
spf_check_host(const struct ip_address *address, const char *helo,
    const char *mail_from, struct spf_outcome *out)
{
	struct sender s;
	struct spf_eval ev;
	struct dns_address ip;
	char key[CACHE_KEY_MAX], domain_key[CACHE_KEY_MAX];

	memset(out, 0, sizeof(*out));
	out->verdict = SPFV_NONE;
	if (!sender_split(mail_from, helo, &s, out))
		return;
	cache_keys(address, &s, key, domain_key);
	if (cache_get(domain_key, out) || cache_get(key, out))
		return;
	client_address(address, &ip);
	spf_eval_init(&ev, &ip, s.local, s.domain, s.helo);
	out->verdict = spf_eval_check_host(&ev, s.domain);
	copy_bounded(out->reason, sizeof(out->reason), ev.reason);
	if (out->verdict == SPFV_FAIL)
		explain(&ev, &s, out);
	cache_put(ev.used_local ? key : domain_key, out, ev.ttl);
}
