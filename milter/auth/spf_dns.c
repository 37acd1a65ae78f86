/*
 * spf_dns.c - the DNS side of one SPF evaluation.
 *
 * spf_dns_now_ms(), spf_dns_lookup(), spf_dns_record(),
 * spf_dns_ptr_match(), spf_dns_validated_name(), spf_dns_in_network().
 *
 * Every lookup goes through dns_lookup() (the shared cache) and notes
 * the answer's TTL. Past the evaluation's time limit a lookup is not
 * sent and counts as a timeout (temperror). A name DNS cannot hold (an
 * empty label, a label over 63, over 253 characters, a control or
 * non-ASCII byte, a backslash) is not asked: it does not exist (RFC 7208 4.3, 4.8).
 * The record (4.4, 4.5): a failed TXT lookup is temperror, no TXT or
 * no "v=spf1" record none, more than one permerror. Validated names
 * (5.5): at most 10 PTR names, the rest ignored; a name is validated
 * when one of its addresses is the client's; lookup errors skip it.
 * Must not: evaluate terms (spf_eval.c), cache anything itself.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "auth/spf_dns.h"
#include "auth/spf_macro.h"
#include "auth/spf_record.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "util/util.h"

long long
spf_dns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A name DNS can hold (a final dot allowed). */
static bool
name_usable(const char *name)
{
	size_t len = strlen(name), label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < ' ' || name[i] > '~' || name[i] == '\\')
			return false;
		if (name[i] != '.')
			label++;
		else if (label == 0)
			return false;
		else
			label = 0;
		if (label > 63)
			return false;
	}
	return label > 0;
}

struct dns_answer *
spf_dns_lookup(struct spf_eval *ev, const char *name, uint16_t type)
{
	struct dns_answer *answer;

	if (spf_dns_now_ms() > ev->deadline_ms) {
		answer = dns_answer_new(type, DNS_TIMEOUT);
		snprintf(answer->error, sizeof(answer->error), "the SPF "
		    "evaluation ran over its time limit of %d s",
		    SPF_TIME_LIMIT_MS / 1000);
		return answer;
	}
	if (!name_usable(name))
		return dns_answer_new(type, DNS_NXDOMAIN);
	answer = dns_lookup(name, type);
	if ((answer->status == DNS_OK || dns_answer_is_negative(answer)) &&
	    answer->ttl < ev->ttl)
		ev->ttl = answer->ttl;
	return answer;
}

enum spf_verdict
spf_dns_record(struct spf_eval *ev, const char *domain, char **txt)
{
	struct dns_answer *answer = spf_dns_lookup(ev, domain, DNS_TYPE_TXT);
	enum spf_verdict verdict = SPFV_NONE;
	size_t found = 0;

	*txt = NULL;
	if (dns_answer_is_failure(answer)) {
		snprintf(ev->reason, sizeof(ev->reason), "DNS failure while "
		    "looking up the SPF record of %.150s: %.60s", domain,
		    answer->error[0] ? answer->error :
		    dns_status_name(answer->status));
		dns_answer_free(answer);
		return SPFV_TEMPERROR;
	}
	for (size_t i = 0; answer->status == DNS_OK && i < answer->count; i++)
		if (spf_record_is_spf1(answer->records[i]) && found++ == 0)
			*txt = xstrdup(answer->records[i]);
	if (found == 1)
		verdict = SPFV_PASS;
	else if (found > 1) {
		verdict = SPFV_PERMERROR;
		snprintf(ev->reason, sizeof(ev->reason), "%.150s publishes %zu "
		    "SPF records (RFC 7208 4.5: one at most)", domain, found);
		free(*txt);
		*txt = NULL;
	} else
		snprintf(ev->reason, sizeof(ev->reason), "%.150s publishes no "
		    "SPF record", domain);
	dns_answer_free(answer);
	return verdict;
}

bool
spf_dns_in_network(const struct dns_address *address,
    const struct dns_address *network, int prefix)
{
	const uint8_t *a = (const uint8_t *)&address->u;
	const uint8_t *n = (const uint8_t *)&network->u;
	int bytes = prefix / 8, bits = prefix % 8;

	if (address->family != network->family)
		return false;
	if (memcmp(a, n, (size_t)bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	return ((a[bytes] ^ n[bytes]) & (0xff << (8 - bits))) == 0;
}

/* True when one of NAME's addresses is the client's. */
static bool
validated(struct spf_eval *ev, const char *name)
{
	struct dns_answer *answer = spf_dns_lookup(ev, name,
	    ev->ip.family == AF_INET ? DNS_TYPE_A : DNS_TYPE_AAAA);
	bool match = false;

	for (size_t i = 0; answer->status == DNS_OK && i < answer->count &&
	    !match; i++)
		match = spf_dns_in_network(&ev->ip, &answer->addresses[i],
		    ev->ip.family == AF_INET ? 32 : 128);
	dns_answer_free(answer);
	return match;
}

/* NAME is DOMAIN or a subdomain of it (no final dots). */
static bool
under(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	if (d > 0 && domain[d - 1] == '.')
		d--;
	if (n < d || strncasecmp(name + n - d, domain, d) != 0)
		return false;
	return n == d || name[n - d - 1] == '.';
}

/* The PTR names of the client (at most SPF_NAMES_MAX), or NULL. */
static struct dns_answer *
ptr_names(struct spf_eval *ev)
{
	char dotted[80], name[100];
	struct dns_answer *answer;
	size_t len;

	spf_macro_ip_dotted(&ev->ip, dotted, sizeof(dotted));
	if (ev->ip.family == AF_INET) {
		unsigned a, b, c, d;

		sscanf(dotted, "%u.%u.%u.%u", &a, &b, &c, &d);
		snprintf(name, sizeof(name), "%u.%u.%u.%u.in-addr.arpa", d, c,
		    b, a);
	} else {
		len = strlen(dotted);
		for (size_t i = 0; i < len; i++)	/* reverse the nibbles */
			name[i] = dotted[len - 1 - i];
		snprintf(name + len, sizeof(name) - len, ".ip6.arpa");
	}
	answer = spf_dns_lookup(ev, name, DNS_TYPE_PTR);
	if (answer->status != DNS_OK) {	/* errors: no match (5.5) */
		dns_answer_free(answer);
		return NULL;
	}
	return answer;
}

bool
spf_dns_ptr_match(struct spf_eval *ev, const char *target)
{
	struct dns_answer *names = ptr_names(ev);
	bool match = false;

	for (size_t i = 0; names != NULL && i < names->count &&
	    i < SPF_NAMES_MAX && !match; i++)
		match = under(names->records[i], target) &&
		    validated(ev, names->records[i]);
	dns_answer_free(names);
	return match;
}

void
spf_dns_validated_name(void *arg, const char *domain, char *out,
    size_t size)
{
	struct spf_eval *ev = arg;
	struct dns_answer *names = ptr_names(ev);
	const char *best = NULL;

	for (size_t i = 0; names != NULL && i < names->count &&
	    i < SPF_NAMES_MAX; i++) {
		if (!validated(ev, names->records[i]))
			continue;
		if (under(names->records[i], domain)) {
			best = names->records[i];
			break;
		}
		if (best == NULL)
			best = names->records[i];
	}
	snprintf(out, size, "%s", best ? best : "unknown");
	dns_answer_free(names);
}
