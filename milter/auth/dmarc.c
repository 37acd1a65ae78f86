/*
 * dmarc.c - DMARC policy discovery and alignment (RFC 7489).
 *
 * dmarc_org_domain(), dmarc_evaluate(), dmarc_outcome_name().
 *
 * Policy discovery (6.6.3): the TXT records at _dmarc.<From domain>
 * whose first tag is "v=DMARC1" (white space around '=' allowed, the
 * value exact, 6.4); none there: the same at _dmarc.<organizational
 * domain> (then sp= applies when present); several at a name: no
 * policy, without falling back. A record whose p= (or sp=) is not none,
 * quarantine or reject is p=none when its rua= has a valid URI, else
 * no policy (6.6.3 step 6). pct (6.6.4): a message outside the
 * percentage gets the next lower policy. Relaxed alignment compares
 * organizational domains, strict ones the names (3.1), without case and
 * without a final dot. When nothing is aligned but an aligned
 * candidate's lookup failed (SPF temperror for an aligned domain, an
 * aligned DKIM key that could not be fetched), the result is a DNS
 * error, not a failure. A failure is only where the policy asks for
 * quarantine or reject; p=none with nothing aligned is "unaligned".
 * The Public Suffix List is read once, from Debian's publicsuffix
 * package when present, else libpsl's built-in copy; a name that is a
 * public suffix is its own organizational domain.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "auth/dmarc.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "util/log.h"
#include "util/util.h"

#define RECORD_MAX 1024

static psl_ctx_t *psl;
static pthread_once_t psl_once = PTHREAD_ONCE_INIT;

static void
psl_init(void)
{
	psl = psl_latest(NULL);
	if (psl == NULL)
		psl = (psl_ctx_t *)psl_builtin();
	if (psl == NULL)
		log_warn("dmarc: no Public Suffix List; organizational "
		    "domains fall back to the last two labels");
}

/* DOMAIN in lower case without a final dot, into OUT. */
static void
normalise(const char *domain, char *out, size_t size)
{
	size_t n = 0;

	for (; domain[n] != '\0' && n + 1 < size; n++)
		out[n] = (char)tolower((unsigned char)domain[n]);
	while (n > 0 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

void
dmarc_org_domain(const char *domain, char *out, size_t size)
{
	char name[DNS_NAME_MAX + 2];
	const char *org = NULL;

	pthread_once(&psl_once, psl_init);
	normalise(domain, name, sizeof(name));
	if (psl != NULL) {
		org = psl_registrable_domain(psl, name);
		if (org == NULL)	/* a public suffix: its own (3.2) */
			org = name;
	} else {			/* no list: the last two labels */
		const char *p = name + strlen(name);
		int dots = 0;

		while (p > name && dots < 2)
			if (*--p == '.')
				dots++;
		org = dots == 2 ? p + 1 : name;
	}
	copy_bounded(out, size, org);
}

static bool
aligned(const char *a, const char *b, bool strict)
{
	char na[DNS_NAME_MAX + 2], nb[DNS_NAME_MAX + 2];
	char oa[DNS_NAME_MAX + 1], ob[DNS_NAME_MAX + 1];

	if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0')
		return false;
	normalise(a, na, sizeof(na));
	normalise(b, nb, sizeof(nb));
	if (strcmp(na, nb) == 0)	/* the same name: aligned either way */
		return true;
	if (strict)
		return false;
	dmarc_org_domain(na, oa, sizeof(oa));
	dmarc_org_domain(nb, ob, sizeof(ob));
	return strcmp(oa, ob) == 0;
}

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The value of TAG in RECORD ("p", "sp", ...), white space around it
 * removed, into OUT (lower case unless KEEP_CASE); false if absent.
 */
static bool
tag_value(const char *record, const char *tag, char *out, size_t size,
    bool keep_case)
{
	size_t tl = strlen(tag);

	for (const char *p = record; *p;) {
		while (is_wsp(*p))
			p++;
		if (strncasecmp(p, tag, tl) == 0) {
			const char *v = p + tl;

			while (is_wsp(*v))
				v++;
			if (*v == '=') {
				size_t n = 0, end;

				for (v++; is_wsp(*v); v++)
					;
				for (end = 0; v[end] && v[end] != ';'; end++)
					;
				while (end > 0 && is_wsp(v[end - 1]))
					end--;
				for (; n < end && n + 1 < size; n++)
					out[n] = keep_case ? v[n] :
					    (char)tolower((unsigned char)v[n]);
				out[n] = '\0';
				return true;
			}
		}
		if ((p = strchr(p, ';')) == NULL)
			break;
		p++;
	}
	return false;
}

/* Whether RECORD starts with the version tag: v *WSP = *WSP DMARC1. */
static bool
is_dmarc_record(const char *record)
{
	const char *p = record;

	while (is_wsp(*p))
		p++;
	if (*p != 'v' && *p != 'V')
		return false;
	for (p++; is_wsp(*p); p++)
		;
	if (*p++ != '=')
		return false;
	while (is_wsp(*p))
		p++;
	if (strncmp(p, "DMARC1", 6) != 0)	/* %x44.4d.41.52.43.31 */
		return false;
	for (p += 6; is_wsp(*p); p++)
		;
	return *p == ';' || *p == '\0';
}

/* Whether V is one of the policies (RFC 7489 6.3 p=, sp=). */
static bool
valid_policy(const char *v)
{
	return strcmp(v, "none") == 0 || strcmp(v, "quarantine") == 0 ||
	    strcmp(v, "reject") == 0;
}

/* Whether rua= holds at least one syntactically valid URI (6.2, 6.3). */
static bool
valid_rua(const char *record)
{
	char rua[RECORD_MAX];

	if (!tag_value(record, "rua", rua, sizeof(rua), true))
		return false;
	for (char *uri = rua; *uri;) {
		char *end = strchr(uri, ',');
		char *p = uri;

		if (end != NULL)
			*end = '\0';
		while (is_wsp(*p))
			p++;
		if (isalpha((unsigned char)*p)) {
			while (isalnum((unsigned char)*p) || *p == '+' ||
			    *p == '-' || *p == '.')
				p++;
			if (*p == ':' && p[1] != '\0' && !is_wsp(p[1]))
				return true;
		}
		if (end == NULL)
			break;
		uri = end + 1;
	}
	return false;
}

enum fetch {
	FETCH_NONE,		/* no DMARC record: go on */
	FETCH_ONE,
	FETCH_SEVERAL,		/* several: no policy, stop */
	FETCH_FAILED		/* the lookup failed */
};

/* The DMARC record at _dmarc.DOMAIN into RECORD. */
static enum fetch
fetch_record(const char *domain, char *record, size_t size)
{
	char name[DNS_NAME_MAX + 8];
	struct dns_answer *a;
	int found = 0;

	if (snprintf(name, sizeof(name), "_dmarc.%s", domain) >
	    DNS_NAME_MAX)
		return FETCH_NONE;
	a = dns_lookup(name, DNS_TYPE_TXT);
	if (dns_answer_is_failure(a)) {
		dns_answer_free(a);
		return FETCH_FAILED;
	}
	for (size_t i = 0; a->status == DNS_OK && i < a->count; i++)
		if (is_dmarc_record(a->records[i]) && found++ == 0)
			copy_bounded(record, size, a->records[i]);
	dns_answer_free(a);
	return found == 0 ? FETCH_NONE : found == 1 ? FETCH_ONE :
	    FETCH_SEVERAL;
}

/* One From domain's judgement. */
struct one {
	enum dmarc_outcome outcome;
	char policy[16];
	char record_domain[DNS_NAME_MAX + 1];
	bool spf_aligned, dkim_aligned;
	char why[256];
};

/*
 * Finds the record that applies to FROM (6.6.3) and the policy in
 * force; returns the outcome when discovery ends it (no policy, DNS
 * error), else DMARC_PASS to go on with alignment.
 */
static enum dmarc_outcome
discover(const char *from, char *record, size_t size, struct one *o,
    unsigned *pct, bool *strict_spf, bool *strict_dkim)
{
	char org[DNS_NAME_MAX + 1], value[32];
	const char *at = from;
	enum fetch r = fetch_record(from, record, size);
	bool p_ok, sp_ok = true, has_sp;

	if (r == FETCH_NONE) {
		dmarc_org_domain(from, org, sizeof(org));
		if (strcmp(org, from) != 0) {
			r = fetch_record(org, record, size);
			at = org;
		}
	}
	if (r == FETCH_FAILED) {
		snprintf(o->why, sizeof(o->why), "the DMARC record of %.120s "
		    "could not be looked up", at);
		return DMARC_DNS_ERROR;
	}
	if (r == FETCH_SEVERAL) {
		snprintf(o->why, sizeof(o->why), "several DMARC records at "
		    "_dmarc.%.120s: no policy", at);
		return DMARC_NO_POLICY;
	}
	if (r == FETCH_NONE) {
		snprintf(o->why, sizeof(o->why), "no DMARC record");
		return DMARC_NO_POLICY;
	}
	copy_bounded(o->record_domain, sizeof(o->record_domain), at);
	p_ok = tag_value(record, "p", o->policy, sizeof(o->policy), false) &&
	    valid_policy(o->policy);
	has_sp = tag_value(record, "sp", value, sizeof(value), false);
	if (has_sp)
		sp_ok = valid_policy(value);
	if (!p_ok || !sp_ok) {
		if (!valid_rua(record)) {
			snprintf(o->why, sizeof(o->why), "the DMARC record at "
			    "_dmarc.%.120s has no valid %s and no valid rua=: "
			    "no policy", at, p_ok ? "sp=" : "p=");
			o->policy[0] = '\0';
			return DMARC_NO_POLICY;
		}
		copy_bounded(o->policy, sizeof(o->policy), "none");
	} else if (at != from && has_sp) {
		copy_bounded(o->policy, sizeof(o->policy), value);
	}
	*pct = 100;
	if (tag_value(record, "pct", value, sizeof(value), false)) {
		char *end;
		long n = strtol(value, &end, 10);

		if (value[0] != '\0' && *end == '\0' && n >= 0 && n <= 100)
			*pct = (unsigned)n;
	}
	*strict_spf = tag_value(record, "aspf", value, sizeof(value), false)
	    && strcmp(value, "s") == 0;
	*strict_dkim = tag_value(record, "adkim", value, sizeof(value), false)
	    && strcmp(value, "s") == 0;
	return DMARC_PASS;
}

static void
judge_one(const struct dmarc_input *in, const char *from_raw, struct one *o)
{
	char from[DNS_NAME_MAX + 2], record[RECORD_MAX];
	unsigned pct = 100;
	bool strict_spf = false, strict_dkim = false, candidate_failed;
	enum dmarc_outcome discovered;

	memset(o, 0, sizeof(*o));
	normalise(from_raw, from, sizeof(from));
	discovered = discover(from, record, sizeof(record), o, &pct,
	    &strict_spf, &strict_dkim);
	/* Alignment whatever the policy (the unaligned finding). */
	o->spf_aligned = in->spf_pass && aligned(in->spf_domain, from,
	    strict_spf);
	candidate_failed = !in->spf_pass && in->spf_temperror &&
	    aligned(in->spf_domain, from, strict_spf);
	for (size_t i = 0; in->dkim != NULL && i < in->dkim->nsignatures;
	    i++) {
		const struct dkimv_signature *s = &in->dkim->signatures[i];

		if (!aligned(s->domain, from, strict_dkim))
			continue;
		if (s->verdict == DKIMV_PASS)
			o->dkim_aligned = true;
		else if (s->verdict == DKIMV_TEMPERROR)
			candidate_failed = true;
	}
	if (discovered != DMARC_PASS) {
		o->outcome = discovered;
		return;
	}
	if (o->spf_aligned || o->dkim_aligned) {
		o->outcome = DMARC_PASS;
		snprintf(o->why, sizeof(o->why), "%s aligned", o->spf_aligned ?
		    "SPF" : "DKIM");
		return;
	}
	if (candidate_failed) {
		o->outcome = DMARC_DNS_ERROR;
		snprintf(o->why, sizeof(o->why), "nothing aligned passed, and "
		    "the lookup of an aligned %s failed (DNS)",
		    in->spf_temperror ? "SPF record or DKIM key" : "DKIM key");
		return;
	}
	/* 6.6.4: outside pct, the next lower policy. */
	if (in->pct_draw >= pct) {
		if (strcmp(o->policy, "reject") == 0)
			copy_bounded(o->policy, sizeof(o->policy),
			    "quarantine");
		else if (strcmp(o->policy, "quarantine") == 0)
			copy_bounded(o->policy, sizeof(o->policy), "none");
	}
	o->outcome = strcmp(o->policy, "none") == 0 ? DMARC_UNALIGNED :
	    DMARC_FAIL;
	snprintf(o->why, sizeof(o->why), "no aligned SPF or DKIM pass%s",
	    pct < 100 ? (in->pct_draw < pct ? " (selected by pct)" :
	    " (outside pct: the next lower policy)") : "");
}

/* Whether A is stricter than B: the outcome, then reject > quarantine. */
static bool
stricter(const struct one *a, const struct one *b)
{
	if (a->outcome != b->outcome)
		return a->outcome > b->outcome;
	return a->outcome == DMARC_FAIL && strcmp(a->policy, "reject") == 0 &&
	    strcmp(b->policy, "reject") != 0;
}

void
dmarc_evaluate(const struct dmarc_input *in, struct dmarc_result *out)
{
	struct one best, o;
	const char *best_domain = NULL;

	memset(out, 0, sizeof(*out));
	memset(&best, 0, sizeof(best));
	for (size_t i = 0; i < in->nfrom; i++) {
		const char *d = in->from_domains[i];

		if (d == NULL || d[0] == '\0')
			continue;
		judge_one(in, d, &o);
		if (o.outcome == DMARC_NO_POLICY && !out->missing) {
			out->missing = true;
			normalise(d, out->missing_domain,
			    sizeof(out->missing_domain));
		}
		if (!o.spf_aligned && !o.dkim_aligned && !out->unaligned) {
			out->unaligned = true;
			normalise(d, out->unaligned_domain,
			    sizeof(out->unaligned_domain));
		}
		if (best_domain == NULL || stricter(&o, &best)) {
			best = o;
			best_domain = d;
		}
	}
	if (best_domain == NULL)
		return;
	out->outcome = best.outcome;
	out->has_policy = best.outcome != DMARC_NO_POLICY &&
	    best.policy[0] != '\0';
	out->dns_error = best.outcome == DMARC_DNS_ERROR;
	out->fail = best.outcome == DMARC_FAIL;
	out->spf_aligned = best.spf_aligned;
	out->dkim_aligned = best.dkim_aligned;
	copy_bounded(out->policy, sizeof(out->policy), best.policy);
	normalise(best_domain, out->domain, sizeof(out->domain));
	copy_bounded(out->record_domain, sizeof(out->record_domain),
	    best.record_domain);
	snprintf(out->reason, sizeof(out->reason), "DMARC of %.120s%s%s%s: "
	    "%s", out->domain, best.policy[0] ? " (p=" : "", best.policy,
	    best.policy[0] ? ")" : "", best.why);
}

const char *
dmarc_outcome_name(enum dmarc_outcome outcome)
{
	switch (outcome) {
	case DMARC_NO_POLICY: return "none";
	case DMARC_PASS: return "pass";
	case DMARC_UNALIGNED: return "unaligned";
	case DMARC_DNS_ERROR: return "dns-error";
	case DMARC_FAIL: return "fail";
	}
	return "none";
}
