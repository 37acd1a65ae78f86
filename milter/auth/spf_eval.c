/*
 * spf_eval.c - check_host() (RFC 7208 sections 4.6 to 6).
 *
 * spf_eval_init(), spf_eval_check_host(), spf_eval_explain().
 *
 * The record is parsed whole first (a syntax error anywhere is
 * permerror), then its mechanisms are tried in order; the first that
 * matches gives its qualifier's verdict. None matching: redirect= if
 * there is one (its "none" is permerror), else neutral. include: is a
 * match on pass, no match on fail, softfail and neutral, temperror on
 * temperror, permerror on permerror and none.
 * Limits (4.6.4), one count for the whole evaluation across include:
 * and redirect=: include, a, mx, ptr, exists and redirect each count
 * one DNS-querying term, past 10 permerror; NXDOMAIN/NODATA of a term's
 * own lookup is a void lookup, past 2 permerror (MX hosts' and PTR
 * names' address lookups, the client's PTR lookup, exp= are not
 * counted); more than 10 MX names permerror. A DNS failure of a term's
 * lookup is temperror (section 5), except in ptr (no match). The
 * explanation (6.2) comes from the exp= of the record that decided,
 * never of an include's.
 * Must not: cache verdicts; talk to DNS except through spf_dns.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "auth/spf_dns.h"
#include "auth/spf_eval.h"
#include "auth/spf_macro.h"
#include "auth/spf_record.h"
#include "dns/dns.h"
#include "util/util.h"

#define EXPAND_MAX 16384	/* an expansion before the 253 truncation */

void
spf_eval_init(struct spf_eval *ev, const struct dns_address *ip,
    const char *local, const char *sender_domain, const char *helo)
{
	memset(ev, 0, sizeof(*ev));
	ev->ip = *ip;
	ev->local = local;
	ev->sender_domain = sender_domain;
	ev->helo = helo;
	ev->ttl = UINT32_MAX;
	ev->deadline_ms = spf_dns_now_ms() + SPF_TIME_LIMIT_MS;
}

static void
macro_input(struct spf_eval *ev, const char *domain,
    struct spf_macro_input *in)
{
	in->local = ev->local;
	in->sender_domain = ev->sender_domain;
	in->domain = domain;
	in->ip = &ev->ip;
	in->helo = ev->helo;
	in->receiver = SPF_RECEIVER;
	in->validated_name = spf_dns_validated_name;
	in->arg = ev;
	in->used_local = &ev->used_local;
}

/* The target name of SPEC (NULL: DOMAIN itself) into OUT. */
static int
target_name(struct spf_eval *ev, const char *spec, const char *domain,
    char *out, size_t size)
{
	struct spf_macro_input in;
	char *buf;
	int rc;

	if (spec == NULL)
		return copy_bounded(out, size, domain) ? -1 : 0;
	macro_input(ev, domain, &in);
	buf = xmalloc(EXPAND_MAX);
	rc = spf_macro_expand(spec, SPF_MACRO_DOMAIN, &in, buf, EXPAND_MAX);
	if (rc == 0)
		copy_bounded(out, size, buf);	/* long: not a usable name */
	free(buf);
	if (rc != 0)
		snprintf(ev->reason, sizeof(ev->reason), "the expansion of "
		    "\"%.60s\" is too long", spec);
	return rc;
}

static int
count_term(struct spf_eval *ev, enum spf_verdict *verdict)
{
	if (++ev->dns_terms <= SPF_DNS_TERMS_MAX)
		return 0;
	snprintf(ev->reason, sizeof(ev->reason), "more than %d DNS-querying "
	    "terms (RFC 7208 4.6.4)", SPF_DNS_TERMS_MAX);
	*verdict = SPFV_PERMERROR;
	return -1;
}

/* 1 when ANSWER has records, 0 when void, -1 (verdict set) else. */
static int
answered(struct spf_eval *ev, const struct dns_answer *answer,
    const char *name, bool term_lookup, enum spf_verdict *verdict)
{
	if (answer->status == DNS_OK)
		return 1;
	if (dns_answer_is_failure(answer)) {
		snprintf(ev->reason, sizeof(ev->reason), "DNS failure for "
		    "%.150s %s: %.60s", name, dns_type_name(answer->type),
		    answer->error[0] ? answer->error :
		    dns_status_name(answer->status));
		*verdict = SPFV_TEMPERROR;
		return -1;
	}
	if (term_lookup && ++ev->voids > SPF_VOIDS_MAX) {
		snprintf(ev->reason, sizeof(ev->reason), "more than %d void "
		    "DNS lookups (RFC 7208 4.6.4), the last %.150s",
		    SPF_VOIDS_MAX, name);
		*verdict = SPFV_PERMERROR;
		return -1;
	}
	return 0;
}

/* a, and each MX host: an address of NAME in the CIDR range. */
static int
address_match(struct spf_eval *ev, const char *name,
    const struct spf_term *t, bool term_lookup, enum spf_verdict *verdict)
{
	bool v4 = ev->ip.family == AF_INET;
	struct dns_answer *answer = spf_dns_lookup(ev, name,
	    v4 ? DNS_TYPE_A : DNS_TYPE_AAAA);
	int rc = answered(ev, answer, name, term_lookup, verdict);

	for (size_t i = 0; rc == 1 && i < answer->count; i++)
		if (spf_dns_in_network(&ev->ip, &answer->addresses[i],
		    v4 ? t->cidr4 : t->cidr6)) {
			dns_answer_free(answer);
			return 1;
		}
	dns_answer_free(answer);
	return rc < 0 ? -1 : 0;
}

static int
mx_match(struct spf_eval *ev, const char *name, const struct spf_term *t,
    enum spf_verdict *verdict)
{
	struct dns_answer *answer = spf_dns_lookup(ev, name, DNS_TYPE_MX);
	int rc = answered(ev, answer, name, true, verdict);

	if (rc == 1 && answer->count > SPF_NAMES_MAX) {
		snprintf(ev->reason, sizeof(ev->reason), "%.150s has %zu MX "
		    "names (RFC 7208 4.6.4: 10 at most)", name, answer->count);
		*verdict = SPFV_PERMERROR;
		rc = -1;
	}
	for (size_t i = 0; rc == 1 && i < answer->count; i++) {
		int m = address_match(ev, answer->records[i], t, false,
		    verdict);

		if (m != 0) {
			dns_answer_free(answer);
			return m;
		}
	}
	dns_answer_free(answer);
	return rc < 0 ? -1 : 0;
}

static int
exists_match(struct spf_eval *ev, const char *name,
    enum spf_verdict *verdict)
{
	struct dns_answer *answer = spf_dns_lookup(ev, name, DNS_TYPE_A);
	int rc = answered(ev, answer, name, true, verdict);

	dns_answer_free(answer);
	return rc;
}

static int
include_match(struct spf_eval *ev, const char *name,
    enum spf_verdict *verdict)
{
	enum spf_verdict inner;

	ev->depth++;
	inner = spf_eval_check_host(ev, name);
	ev->depth--;
	switch (inner) {
	case SPFV_PASS:
		return 1;
	case SPFV_FAIL:
	case SPFV_SOFTFAIL:
	case SPFV_NEUTRAL:
		return 0;
	case SPFV_TEMPERROR:
		*verdict = SPFV_TEMPERROR;
		return -1;
	default:
		if (inner == SPFV_NONE)
			snprintf(ev->reason, sizeof(ev->reason), "include:"
			    "%.150s has no SPF record", name);
		*verdict = SPFV_PERMERROR;
		return -1;
	}
}

/* One mechanism: 1 match, 0 no match, -1 the evaluation ends. */
static int
term_match(struct spf_eval *ev, const struct spf_term *t,
    const char *domain, enum spf_verdict *verdict)
{
	char name[DNS_NAME_MAX * 2 + 2];

	switch (t->mechanism) {
	case SPF_MECH_ALL:
		return 1;
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		return spf_dns_in_network(&ev->ip, &t->network,
		    t->mechanism == SPF_MECH_IP4 ? t->cidr4 : t->cidr6);
	default:
		break;
	}
	if (count_term(ev, verdict) != 0)
		return -1;
	if (target_name(ev, t->domain, domain, name, sizeof(name)) != 0) {
		*verdict = SPFV_PERMERROR;
		return -1;
	}
	switch (t->mechanism) {
	case SPF_MECH_A:
		return address_match(ev, name, t, true, verdict);
	case SPF_MECH_MX:
		return mx_match(ev, name, t, verdict);
	case SPF_MECH_PTR:
		return spf_dns_ptr_match(ev, name) ? 1 : 0;
	case SPF_MECH_EXISTS:
		return exists_match(ev, name, verdict);
	default:
		return include_match(ev, name, verdict);
	}
}

static enum spf_verdict
qualifier_verdict(char qualifier)
{
	switch (qualifier) {
	case '-': return SPFV_FAIL;
	case '~': return SPFV_SOFTFAIL;
	case '?': return SPFV_NEUTRAL;
	default: return SPFV_PASS;
	}
}

/* This record decided: its exp= (if any) explains a fail. */
static void
decided_here(struct spf_eval *ev, const struct spf_record *r,
    const char *domain)
{
	ev->has_exp = r->exp != NULL;
	copy_bounded(ev->exp, sizeof(ev->exp), r->exp ? r->exp : "");
	copy_bounded(ev->exp_domain, sizeof(ev->exp_domain), domain);
}

static enum spf_verdict
redirect(struct spf_eval *ev, const struct spf_record *r,
    const char *domain)
{
	char name[DNS_NAME_MAX * 2 + 2];
	enum spf_verdict verdict = SPFV_PERMERROR;

	if (count_term(ev, &verdict) != 0)
		return verdict;
	if (target_name(ev, r->redirect, domain, name, sizeof(name)) != 0)
		return SPFV_PERMERROR;
	ev->depth++;
	verdict = spf_eval_check_host(ev, name);
	ev->depth--;
	if (verdict == SPFV_NONE) {
		snprintf(ev->reason, sizeof(ev->reason), "redirect=%.150s has "
		    "no SPF record", name);
		return SPFV_PERMERROR;
	}
	return verdict;
}

static const char *const mechanism_names[] = { "all", "include", "a",
    "mx", "ptr", "ip4", "ip6", "exists" };

static enum spf_verdict
evaluate(struct spf_eval *ev, const struct spf_record *r,
    const char *domain)
{
	enum spf_verdict verdict = SPFV_NEUTRAL;

	for (size_t i = 0; i < r->count; i++) {
		int m = term_match(ev, &r->terms[i], domain, &verdict);

		if (m < 0)
			return verdict;
		if (m == 0)
			continue;
		decided_here(ev, r, domain);
		snprintf(ev->reason, sizeof(ev->reason), "%c%s matched in the "
		    "SPF record of %.150s", r->terms[i].qualifier,
		    mechanism_names[r->terms[i].mechanism], domain);
		return qualifier_verdict(r->terms[i].qualifier);
	}
	if (r->redirect != NULL)
		return redirect(ev, r, domain);
	decided_here(ev, r, domain);
	snprintf(ev->reason, sizeof(ev->reason), "no mechanism of the SPF "
	    "record of %.150s matched", domain);
	return SPFV_NEUTRAL;
}

enum spf_verdict
spf_eval_check_host(struct spf_eval *ev, const char *domain)
{
	struct spf_record record;
	enum spf_verdict verdict;
	char *txt, why[160];

	if (ev->depth > SPF_DNS_TERMS_MAX + 1) {	/* the count stops it */
		snprintf(ev->reason, sizeof(ev->reason), "too deep");
		return SPFV_PERMERROR;
	}
	if ((verdict = spf_dns_record(ev, domain, &txt)) != SPFV_PASS)
		return verdict;
	if (spf_record_parse(txt, &record, why, sizeof(why)) != 0) {
		snprintf(ev->reason, sizeof(ev->reason), "syntax error in the "
		    "SPF record of %.100s: %s", domain, why);
		free(txt);
		return SPFV_PERMERROR;
	}
	verdict = evaluate(ev, &record, domain);
	spf_record_free(&record);
	free(txt);
	return verdict;
}

/* An explanation within the term limits (the lead's stopgap rule). */
static bool
explanation_bounded(const char *text)
{
	size_t macros = 0, run = 0;

	for (const char *p = text; *p; p++) {
		run = *p == ' ' ? 0 : run + 1;
		if (run > SPF_TERM_MAX)
			return false;
		if (p[0] == '%' && p[1] == '{' && ++macros > SPF_MACROS_MAX)
			return false;
	}
	return true;
}

int
spf_eval_explain(struct spf_eval *ev, char *out, size_t size)
{
	struct spf_macro_input in;
	struct dns_answer *answer;
	char name[DNS_NAME_MAX * 2 + 2], why[160], *buf;
	int rc = 0;

	if (!ev->has_exp || target_name(ev, ev->exp, ev->exp_domain, name,
	    sizeof(name)) != 0)
		return 0;
	answer = spf_dns_lookup(ev, name, DNS_TYPE_TXT);
	if (answer->status != DNS_OK || answer->count != 1) {
		dns_answer_free(answer);
		return 0;
	}
	if (!explanation_bounded(answer->records[0])) {
		snprintf(ev->reason, sizeof(ev->reason), "the explanation at "
		    "%.150s is over %d bytes or %d macros", name,
		    SPF_TERM_MAX, SPF_MACROS_MAX);
		dns_answer_free(answer);
		return -1;
	}
	macro_input(ev, ev->exp_domain, &in);
	buf = xmalloc(EXPAND_MAX);
	if (spf_macro_check(answer->records[0], SPF_MACRO_EXPLANATION, why,
	    sizeof(why)) >= 0 && spf_macro_expand(answer->records[0],
	    SPF_MACRO_EXPLANATION, &in, buf, EXPAND_MAX) == 0) {
		copy_bounded(out, size, buf);
		rc = 1;
	}
	free(buf);
	dns_answer_free(answer);
	return rc;
}
