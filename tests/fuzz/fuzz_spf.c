/*
 * fuzz_spf.c - the SPF record parser (spf_record.c), the macro checker
 * and expander (spf_macro.c) and the evaluator (spf_eval.c) against a
 * canned DNS. The input is a zone, one "NAME TEXT" line per TXT record;
 * the first line's NAME is the domain checked. This file includes
 * spf_dns.c with dns_lookup() renamed to canned_lookup() below: TXT from
 * the lines, A 192.0.2.1 and AAAA 2001:db8::1 for any name, MX
 * "mx.NAME", PTR "mail.example.test"; a name whose first label is "nx"
 * does not exist, one whose first label is "fail" gives SERVFAIL.
 */
#define dns_lookup canned_lookup
#include "auth/spf_dns.c"
#undef dns_lookup

#include <arpa/inet.h>

#include "fuzz.h"
#include "auth/spf_eval.h"
#include "auth/spf_macro.h"
#include "auth/spf_record.h"
#include "dns/dns.h"
#include "util/util.h"

#define ZONE_MAX 64

static struct {
	size_t count;
	char *name[ZONE_MAX];
	char *text[ZONE_MAX];
} zone;

static void
answer_push(struct dns_answer *answer, const char *record)
{
	answer->records = xreallocarray(answer->records, answer->count + 1,
	    sizeof(char *));
	if (answer->type == DNS_TYPE_A || answer->type == DNS_TYPE_AAAA) {
		struct dns_address *a;

		answer->addresses = xreallocarray(answer->addresses,
		    answer->count + 1, sizeof(struct dns_address));
		a = &answer->addresses[answer->count];
		memset(a, 0, sizeof(*a));
		a->family = answer->type == DNS_TYPE_A ? AF_INET : AF_INET6;
		if (inet_pton(a->family, record, &a->u) != 1)
			abort();
	}
	answer->records[answer->count++] = xstrdup(record);
}

struct dns_answer *
canned_lookup(const char *name, uint16_t type)
{
	struct dns_answer *answer;
	char mx[DNS_NAME_MAX + 8];

	if (strncasecmp(name, "fail.", 5) == 0)
		return dns_answer_new(type, DNS_SERVFAIL);
	if (strncasecmp(name, "nx.", 3) == 0)
		return dns_answer_new(type, DNS_NXDOMAIN);
	answer = dns_answer_new(type, DNS_OK);
	answer->ttl = 300;
	switch (type) {
	case DNS_TYPE_TXT:
		for (size_t i = 0; i < zone.count; i++)
			if (strcasecmp(zone.name[i], name) == 0)
				answer_push(answer, zone.text[i]);
		break;
	case DNS_TYPE_A:
		answer_push(answer, "192.0.2.1");
		break;
	case DNS_TYPE_AAAA:
		answer_push(answer, "2001:db8::1");
		break;
	case DNS_TYPE_MX:
		snprintf(mx, sizeof(mx), "mx.%s", name);
		answer_push(answer, mx);
		break;
	case DNS_TYPE_PTR:
		answer_push(answer, "mail.example.test");
		break;
	}
	if (answer->count == 0)
		answer->status = DNS_NODATA;
	return answer;
}

static void
fixed_name(void *arg, const char *domain, char *out, size_t size)
{
	(void)arg;
	(void)domain;
	snprintf(out, size, "mail.example.test");
}

/* Every way spf_record.c and spf_macro.c can see TEXT. */
static void
parse_alone(const char *text, const struct dns_address *ip)
{
	static const enum spf_macro_use uses[] = { SPF_MACRO_DOMAIN,
	    SPF_MACRO_UNKNOWN, SPF_MACRO_EXPLANATION };
	struct spf_macro_input in = { "alice", "example.test",
	    "example.test", ip, "helo.example.test", SPF_RECEIVER,
	    fixed_name, NULL, NULL };
	struct spf_record record;
	char why[200], out[DNS_NAME_MAX + 1], small[8];

	spf_record_is_spf1(text);
	if (spf_record_parse(text, &record, why, sizeof(why)) == 0)
		spf_record_free(&record);
	for (size_t u = 0; u < sizeof(uses) / sizeof(uses[0]); u++) {
		if (spf_macro_check(text, uses[u], why, sizeof(why)) < 0)
			continue;
		if (spf_macro_expand(text, uses[u], &in, out, sizeof(out)) ==
		    0 && strlen(out) >= sizeof(out))
			abort();
		spf_macro_expand(text, uses[u], &in, small, sizeof(small));
	}
}

static void
zone_load(char *text)
{
	char *line, *next, *space;

	zone.count = 0;
	for (line = text; line != NULL && zone.count < ZONE_MAX; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((space = strchr(line, ' ')) == NULL)
			continue;
		*space = '\0';
		zone.name[zone.count] = line;
		zone.text[zone.count++] = space + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), explanation[1024];
	struct dns_address ip;
	struct spf_eval ev;

	memset(&ip, 0, sizeof(ip));
	ip.family = size % 2 ? AF_INET6 : AF_INET;
	inet_pton(ip.family, size % 2 ? "2001:db8::1" : "192.0.2.1", &ip.u);
	zone_load(text);
	for (size_t i = 0; i < zone.count; i++)
		parse_alone(zone.text[i], &ip);
	if (zone.count > 0) {
		spf_eval_init(&ev, &ip, "alice", zone.name[0],
		    "helo.example.test");
		if (spf_eval_check_host(&ev, zone.name[0]) == SPFV_FAIL &&
		    spf_eval_explain(&ev, explanation, sizeof(explanation)) >=
		    0 && strlen(explanation) >= sizeof(explanation))
			abort();
	}
	free(text);
	return 0;
}
