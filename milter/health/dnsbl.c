/*
 * dnsbl.c - DNS blocklists: query names, judging answers, TXT reasons,
 * RFC 5782 self-tests, scores, and the shipped default zones.
 *
 * dnsbl_query_name(), dnsbl_zone_check(), dnsbl_domain_check(),
 * dnsbl_zone_selftest(), dnsbl_pace(),
 * dnsbl_score().
 *
 * Only an answer that is an address in 127.0.0.0/8, outside
 * 127.255.255.0/24, and (when the zone has codes=) among its codes is a
 * listing. Everything else that is not NXDOMAIN/NODATA is an error with
 * a sentence that says what it means and what to do about it.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "conf/conf_address.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "health/dnsbl.h"
#include "health/rdns.h"
#include "util/util.h"

int
dnsbl_query_name(const struct ip_address *address, const char *zone,
    char *out, size_t size)
{
	char reverse[128];
	size_t len;
	int n;

	/* The reverse name without its .in-addr.arpa / .ip6.arpa tail. */
	if (dns_reverse_name(address, reverse, sizeof(reverse)) != 0)
		return -1;
	len = strlen(reverse) - (address->family == AF_INET ?
	    strlen(".in-addr.arpa") : strlen(".ip6.arpa"));
	n = snprintf(out, size, "%.*s.%s", (int)len, reverse, zone);
	return n < 0 || (size_t)n >= size || n > DNS_NAME_MAX ? -1 : 0;
}

static bool
code_counts(const struct conf_dnsbl *zone, uint32_t code)
{
	if (zone->ncodes == 0)
		return true;	/* any 127/8 outside the error range */
	for (size_t i = 0; i < zone->ncodes; i++)
		if (code >= zone->codes[i].first && code <= zone->codes[i].last)
			return true;
	return false;
}

/* What a 127.255.255.x answer means (Spamhaus's return codes). */
static const char *
sentinel_meaning(uint32_t code)
{
	switch (code & 0xff) {
	case 252:
		return "the query was malformed (a typo in the zone name or "
		    "a DQS key?)";
	case 254:
		return "the zone refuses queries from public or shared "
		    "resolvers: use a recursive resolver of your own "
		    "(Nameservers) or a Spamhaus DQS key";
	case 255:
		return "excessive queries: the zone rate-limits this resolver; "
		    "use your own resolver or a paid data feed";
	default:
		return "an error code, not a listing";
	}
}

static void
set_error(struct dnsbl_result *out, const char *fmt, const char *a,
    const char *b)
{
	out->error = true;
	snprintf(out->error_text, sizeof(out->error_text), fmt, a, b);
}

/* Judges one A answer of ZONE into OUT. */
static void
judge_code(const struct conf_dnsbl *zone, const struct dns_address *a,
    const char *text, struct dnsbl_result *out)
{
	uint32_t code;

	if (out->ncodes < DNSBL_MAX_CODES)
		copy_bounded(out->codes[out->ncodes++], sizeof(out->codes[0]),
		    text);
	if (a->family != AF_INET)
		return;
	code = ntohl(a->u.v4.s_addr);
	if ((code & 0xffffff00u) == 0x7fffff00u)
		set_error(out, "answer %s is an error code: %s", text,
		    sentinel_meaning(code));
	else if (code == 0x7f0001ffu)
		set_error(out, "answer %s is an error code: %s", text,
		    "the domain list refuses this query (IP addresses are "
		    "not queried here)");
	else if ((code & 0xff000000u) != 0x7f000000u)
		set_error(out, "answer %s is outside 127.0.0.0/8: the zone or "
		    "the resolver answers everything (expired zone, "
		    "redirecting resolver?)%s", text, "");
	else if (code_counts(zone, code))
		out->listed = true;
}

static void
fetch_reason(const char *name, struct dnsbl_result *out)
{
	struct dns_answer *txt = dns_lookup(name, DNS_TYPE_TXT);

	/* Kept as published: every output escapes it (escape.h). */
	if (txt->status == DNS_OK && txt->count > 0)
		copy_bounded(out->reason, sizeof(out->reason), txt->records[0]);
	dns_answer_free(txt);
}

/* Asks NAME under ZONE and judges the answer into OUT. */
static void
check_name(const struct conf_dnsbl *zone, const char *name,
    struct dnsbl_result *out)
{
	struct dns_answer *answer = dns_lookup(name, DNS_TYPE_A);

	out->ttl = answer->ttl;
	if (dns_answer_is_failure(answer)) {
		set_error(out, "no answer from %s: %s (the zone may refuse "
		    "this resolver, or DNS is down)", dns_status_name(
		    answer->status), answer->error[0] ? answer->error : "");
	} else {
		for (size_t i = 0; i < answer->count; i++)
			judge_code(zone, &answer->addresses[i],
			    answer->records[i], out);
	}
	dns_answer_free(answer);
	if (out->error)
		out->listed = false;	/* an error is never a listing */
	if (out->listed)
		fetch_reason(name, out);
}

void
dnsbl_zone_check(const struct conf_dnsbl *zone,
    const struct ip_address *address, struct dnsbl_result *out)
{
	char name[DNS_NAME_MAX + 1];

	memset(out, 0, sizeof(*out));
	out->zone = zone;
	if (dnsbl_query_name(address, zone->zone, name, sizeof(name)) != 0) {
		set_error(out, "zone name %s too long for a query%s",
		    zone->name, "");
		return;
	}
	check_name(zone, name, out);
}

void
dnsbl_domain_check(const struct conf_dnsbl *zone, const char *domain,
    struct dnsbl_result *out)
{
	char name[DNS_NAME_MAX + 2];
	int n;

	memset(out, 0, sizeof(*out));
	out->zone = zone;
	n = snprintf(name, sizeof(name), "%s.%s", domain, zone->zone);
	if (n < 0 || n > DNS_NAME_MAX) {
		set_error(out, "%s under %s is too long for a query", domain,
		    zone->name);
		return;
	}
	check_name(zone, name, out);
}

enum dnsbl_selftest
dnsbl_zone_selftest(const struct conf_dnsbl *zone, int family, char *why,
    size_t size)
{
	struct ip_address listed, unlisted;
	struct dnsbl_result r2, r1;
	struct conf_dnsbl any = *zone;

	/* Test points count with any 127/8 answer, whatever codes= says. */
	any.ncodes = 0;
	conf_parse_address(family == AF_INET ? "127.0.0.2" : "::ffff:7f00:2",
	    &listed);
	conf_parse_address(family == AF_INET ? "127.0.0.1" : "::ffff:7f00:1",
	    &unlisted);
	dnsbl_zone_check(&any, &unlisted, &r1);
	dnsbl_zone_check(&any, &listed, &r2);
	if (r1.listed) {
		snprintf(why, size, "%s lists its test point %s that must never "
		    "be listed: it lists the world; suspended", zone->name,
		    unlisted.text);
		return DNSBL_SELFTEST_LISTS_WORLD;
	}
	if (r1.error || r2.error) {
		snprintf(why, size, "%s self-test failed: %s", zone->name,
		    r1.error ? r1.error_text : r2.error_text);
		return DNSBL_SELFTEST_ERROR;
	}
	if (!r2.listed) {
		snprintf(why, size, "%s does not list its test point %s: it "
		    "may be dead or not answering this resolver; suspended",
		    zone->name, listed.text);
		return DNSBL_SELFTEST_NO_TESTPOINT;
	}
	snprintf(why, size, "%s passed its self-test", zone->name);
	return DNSBL_SELFTEST_OK;
}

/*
 * dnsbl_pace(): each zone's next free time on the monotonic clock; the
 * questions are spaced 1/RATE s apart, so no second holds more than
 * RATE + 1 of them. PACE_ZONES zones are tracked (the least recently
 * asked is forgotten first; a zone forgotten starts again free).
 */
#define PACE_ZONES 64

struct pace_zone {
	char zone[DNS_NAME_MAX + 1];
	long long next_ns;		/* CLOCK_MONOTONIC */
};

static pthread_mutex_t pace_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pace_zone pace_zones[PACE_ZONES];

static long long
pace_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
dnsbl_pace(const char *zone, long rate)
{
	struct pace_zone *z = NULL, *oldest = &pace_zones[0];
	long long now, slot;
	struct timespec wait;

	if (rate <= 0)
		return;
	pthread_mutex_lock(&pace_lock);
	now = pace_now_ns();
	for (size_t i = 0; i < PACE_ZONES && z == NULL; i++)
		if (strcmp(pace_zones[i].zone, zone) == 0)
			z = &pace_zones[i];
		else if (pace_zones[i].next_ns < oldest->next_ns)
			oldest = &pace_zones[i];
	if (z == NULL) {
		z = oldest;
		copy_bounded(z->zone, sizeof(z->zone), zone);
		z->next_ns = 0;
	}
	slot = z->next_ns > now ? z->next_ns : now;
	z->next_ns = slot + 1000000000LL / rate;
	pthread_mutex_unlock(&pace_lock);
	if (slot <= now)
		return;
	wait.tv_sec = (time_t)((slot - now) / 1000000000LL);
	wait.tv_nsec = (long)((slot - now) % 1000000000LL);
	while (nanosleep(&wait, &wait) != 0 && errno == EINTR)
		;
}

int
dnsbl_score(const struct dnsbl_result *results, size_t n)
{
	int score = 0;

	for (size_t i = 0; i < n; i++)
		if (results[i].listed && !results[i].suspended)
			score += results[i].zone->weight;
	return score;
}
