/*
 * policy.c - findings to one action; the reroute target.
 *
 * policy_decide(), policy_mailer_is_egress(),
 * policy_sendmail_mailer_is_outbound().
 *
 * The strongest action of all findings wins (accept < tag < reroute <
 * quarantine < tempfail < reject). reroute picks the first other egress
 * whose health is ok or warning and whose own verdict for this message
 * (its health, SPF with its address, DMARC) is below reroute; without
 * one, or when the MTA cannot act on the route header (not Postfix),
 * Fallback applies. reject comes only from an On line.
 * Must not: touch libmilter; talk to DNS except through the check
 * modules (spf.c, dmarc.c, dnsbl.c) and the monitor's snapshots.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/dmarc.h"
#include "auth/from.h"
#include "auth/spf.h"
#include "conf/conf.h"
#include "conf/conf_map.h"
#include "global/finding.h"
#include "health/advice.h"
#include "health/dnsbl.h"
#include "health/monitor.h"
#include "health/refusal.h"
#include "policy/policy.h"
#include "util/escape.h"
#include "util/netclass.h"
#include "util/scratch.h"
#include "util/util.h"

struct verdict {
	bool findings[FINDING_COUNT];
	enum action action;
	char reasons[4096];
	char noise[512];		/* zone DNS errors: the log's, not 451's */
	char dmarc_policy[16];
	char advice[EGRESS_ADVICE_MAX];	/* the egress's, from the monitor */
	bool spf_refused;		/* SPF fail or softfail from it */
	char spf_domain[256];
	char preflight[2048];		/* the pre-flight findings' words */
};

/*
 * The working storage of one decision, from a scratch pool (scratch.h:
 * not on the stack of a libmilter thread).
 */
struct policy_work {
	struct verdict message;		/* the message's own findings */
	struct verdict v;		/* of the egress being judged */
	struct verdict candidate;	/* of a possible reroute target */
	struct egress_health health;	/* the monitor's copy */
	char smtp[4096], reply[4096];
	char first_advice[EGRESS_ADVICE_MAX];
};

/* Clears V (the strings to "": not all of their bytes). */
static void
verdict_clear(struct verdict *v)
{
	memset(v->findings, 0, sizeof(v->findings));
	v->action = ACTION_ACCEPT;
	v->reasons[0] = v->noise[0] = v->dmarc_policy[0] = '\0';
	v->advice[0] = v->spf_domain[0] = v->preflight[0] = '\0';
	v->spf_refused = false;
}

/* *DST = *SRC, copying the strings' used bytes only. */
static void
verdict_copy(struct verdict *dst, const struct verdict *src)
{
	memcpy(dst->findings, src->findings, sizeof(dst->findings));
	dst->action = src->action;
	copy_bounded(dst->reasons, sizeof(dst->reasons), src->reasons);
	copy_bounded(dst->noise, sizeof(dst->noise), src->noise);
	copy_bounded(dst->dmarc_policy, sizeof(dst->dmarc_policy),
	    src->dmarc_policy);
	copy_bounded(dst->advice, sizeof(dst->advice), src->advice);
	dst->spf_refused = src->spf_refused;
	copy_bounded(dst->spf_domain, sizeof(dst->spf_domain),
	    src->spf_domain);
	copy_bounded(dst->preflight, sizeof(dst->preflight), src->preflight);
}

static void add_reason(struct verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends one sentence to V's reasons ("; " between sentences). */
static void
add_reason(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vappendf(v->reasons, sizeof(v->reasons), v->reasons[0] ? "; " :
	    "", fmt, ap);
	va_end(ap);
}

static void add_preflight(const struct conf *conf, struct verdict *v,
    enum finding finding, const char *domain, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * A pre-flight finding: "name: what (the receivers' codes): the fix" in
 * V's preflight words (the log's preflight= field). When an On line
 * makes it act, its words and fix join the reasons and advice too, so
 * the reply says why.
 */
static void
add_preflight(const struct conf *conf, struct verdict *v,
    enum finding finding, const char *domain, const char *fmt, ...)
{
	char what[600], fix[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	advice_preflight(finding, domain, fix, sizeof(fix));
	v->findings[finding] = true;
	text_appendf(v->preflight, sizeof(v->preflight), v->preflight[0] ?
	    "; " : "", "%s: %s: %s", finding_name(finding), what, fix);
	if (conf_action(conf, finding) > ACTION_ACCEPT) {
		add_reason(v, "%s", what);
		text_append(v->advice, sizeof(v->advice), v->advice[0] ? "\n" :
		    "", fix);
	}
}

static const char *
sender_domain(const char *sender)
{
	const char *at = strrchr(sender, '@');

	return at ? at + 1 : NULL;
}

/* Whether a DKIM signature of DOMAIN's organization passes; *SEEN: one
 * of that organization is there at all. */
static bool
org_signature_passes(const struct dkimv_result *dkim, const char *domain,
    bool *seen)
{
	char org[DNS_NAME_MAX + 1], sorg[DNS_NAME_MAX + 1];
	bool pass = false;

	*seen = false;
	dmarc_org_domain(domain, org, sizeof(org));
	for (size_t i = 0; dkim != NULL && i < dkim->nsignatures; i++) {
		dmarc_org_domain(dkim->signatures[i].domain, sorg, sizeof(sorg));
		if (strcmp(org, sorg) != 0)
			continue;
		*seen = true;
		pass = pass || dkim->signatures[i].verdict == DKIMV_PASS;
	}
	return pass;
}

/*
 * The pre-flight rules of the message itself, whatever the egress:
 * header-invalid, unsubscribe-missing, dkim-weak, dkim-missing.
 */
static void
judge_preflight_message(const struct policy_facts *f, struct verdict *v)
{
	const struct conf *conf = f->conf;
	const struct header_facts *h = &f->headers;
	const char *from = f->from.ndomains ? f->from.domains[0] : "";
	char what[600] = "";

	if (f->from_fields != 1)
		text_appendf(what, sizeof(what), "", f->from_fields ?
		    "%d From fields" : "no From field", f->from_fields);
	else if (f->from.mailboxes < 0)
		text_append(what, sizeof(what), "", "an unreadable From field");
	else if (f->from.mailboxes != 1)
		text_appendf(what, sizeof(what), "", "%d addresses in From",
		    f->from.mailboxes);
	if (h->count[HS_MESSAGE_ID] == 0)
		text_append(what, sizeof(what), what[0] ? ", " : "",
		    "no Message-ID");
	else if (!h->message_id_valid)
		text_append(what, sizeof(what), what[0] ? ", " : "",
		    "an invalid Message-ID");
	for (int i = 0; i < HS_COUNT; i++)
		if (i != HS_FROM && h->count[i] > 1)
			text_appendf(what, sizeof(what), what[0] ? ", " : "",
			    "%s %u times", header_single_name(
			    (enum header_single)i), h->count[i]);
	if (what[0])
		add_preflight(conf, v, FINDING_HEADER_INVALID, from, "%s "
		    "(Gmail 550 5.7.1: not RFC 5322 compliant)", what);
	if (h->bulk && !(h->unsubscribe_https && h->one_click))
		add_preflight(conf, v, FINDING_UNSUBSCRIBE_MISSING, from,
		    "bulk mail (List-Id, Precedence or Feedback-ID) without %s "
		    "(Gmail and Yahoo bulk-sender rules, RFC 8058)",
		    !h->unsubscribe_https ? "List-Unsubscribe with an https "
		    "URI and List-Unsubscribe-Post: List-Unsubscribe=One-Click"
		    : "List-Unsubscribe-Post: List-Unsubscribe=One-Click");
	for (size_t i = 0; f->dkim && i < f->dkim->nsignatures; i++) {
		const struct dkimv_signature *s = &f->dkim->signatures[i];

		if (!s->weak)
			continue;
		add_preflight(conf, v, FINDING_DKIM_WEAK, s->domain, "the DKIM "
		    "key %s of %s has %u bits (Gmail, Yahoo: under 1024 bits "
		    "counts as no DKIM; RFC 8301)", s->selector, s->domain,
		    s->key_bits);
		break;
	}
	for (unsigned i = 0; i < f->from.ndomains; i++) {
		bool seen;

		if (org_signature_passes(f->dkim, f->from.domains[i], &seen))
			continue;
		add_preflight(conf, v, FINDING_DKIM_MISSING, f->from.domains[i],
		    "no DKIM signature of %s's organization%s (Gmail 550 "
		    "5.7.30 for bulk senders; Yahoo 5.7.9; Apple iCloud 554 "
		    "5.7.1 [HME1] when SPF fails too)", f->from.domains[i],
		    seen ? " passes" : "");
		break;
	}
}

/* DKIM, From and domain blocklists: the same whatever the egress. */
static void
judge_message(const struct policy_facts *f, struct verdict *v)
{
	const char *domains[2] = { sender_domain(f->sender), f->from.domain };
	struct dnsbl_result r;

	if (f->from_fields != 1 || f->from.mailboxes != 1) {
		v->findings[FINDING_FROM_INVALID] = true;
		add_reason(v, "the message has %s", f->from_fields == 0 ?
		    "no From field" : f->from_fields > 1 ? "several From "
		    "fields" : f->from.mailboxes < 0 ? "an unreadable From "
		    "field" : "not exactly one From address");
	}
	for (size_t i = 0; f->dkim && i < f->dkim->nsignatures; i++) {
		const struct dkimv_signature *s = &f->dkim->signatures[i];

		if (s->verdict == DKIMV_TEMPERROR) {
			v->findings[FINDING_DNS_ERROR] = true;
			add_reason(v, "DKIM key of %s: %s", s->domain, s->reason);
		} else if (s->verdict != DKIMV_PASS) {
			v->findings[FINDING_DKIM_FAIL] = true;
			add_reason(v, "DKIM signature of %s fails: %s",
			    s->domain, s->reason);
		}
	}
	judge_preflight_message(f, v);
	for (size_t z = 0; z < f->conf->ndomainbl; z++)
		for (int d = 0; d < 2; d++) {
			if (domains[d] == NULL || domains[d][0] == '\0' ||
			    (d == 1 && domains[0] != NULL &&
			    strcasecmp(domains[0], domains[1]) == 0))
				continue;
			dnsbl_domain_check(&f->conf->domainbl[z], domains[d],
			    &r);
			if (r.listed) {
				v->findings[FINDING_DOMAIN_LISTED] = true;
				add_reason(v, "%s is listed on %s", domains[d],
				    r.zone->name);
			} else if (r.error) {
				v->findings[FINDING_DNS_ERROR] = true;
				add_reason(v, "%s: %s", r.zone->name,
				    r.error_text);
			}
		}
}

static const enum finding spf_findings[] = {
	[SPFV_NONE] = FINDING_SPF_NONE, [SPFV_NEUTRAL] = FINDING_SPF_NEUTRAL,
	[SPFV_PASS] = FINDING_COUNT, [SPFV_FAIL] = FINDING_SPF_FAIL,
	[SPFV_SOFTFAIL] = FINDING_SPF_SOFTFAIL,
	[SPFV_TEMPERROR] = FINDING_SPF_TEMPERROR,
	[SPFV_PERMERROR] = FINDING_SPF_PERMERROR,
};

/* The egress's health from the monitor: its findings and reasons. */
static bool
judge_health(const struct policy_facts *f, const struct conf_egress *e,
    struct verdict *v, struct egress_health *h)
{
	struct refusal_info refused;
	static const enum finding egress_findings[] = { FINDING_NO_PTR,
	    FINDING_FCRDNS_MISMATCH, FINDING_GENERIC_PTR,
	    FINDING_HELO_MISMATCH, FINDING_LISTED, FINDING_DNS_ERROR,
	    FINDING_NOT_PUBLIC };

	if (monitor_snapshot(e->name, h, f->health_wait_ms) != 0 ||
	    !h->checked) {
		v->findings[FINDING_DNS_ERROR] = true;
		add_reason(v, "the health of egress %s is not known yet",
		    e->name);
		return false;
	}
	for (size_t i = 0; i < sizeof(egress_findings) /
	    sizeof(egress_findings[0]); i++)
		if (h->findings[egress_findings[i]])
			v->findings[egress_findings[i]] = true;
	if (h->state != EGRESS_OK && h->reasons[0])
		add_reason(v, "%s", h->reasons);
	if (h->noise[0])
		copy_bounded(v->noise, sizeof(v->noise), h->noise);
	if (h->state != EGRESS_OK)
		copy_bounded(v->advice, sizeof(v->advice), h->advice);
	if (refusal_active(e->name, &refused)) {
		v->findings[FINDING_REFUSED] = true;
		add_reason(v, "refused by %s until %ld: %.200s",
		    refused.destination[0] ? refused.destination :
		    "a destination", (long)refused.until, refused.text);
		if (v->advice[0] == '\0')
			snprintf(v->advice, sizeof(v->advice), "%s refused "
			    "egress %s (%.200s): ask for delisting where the "
			    "text says; until then mail leaves from another "
			    "egress", refused.destination[0] ?
			    refused.destination : "a destination", e->name,
			    refused.text);
		return false;
	}
	return h->state == EGRESS_OK || h->state == EGRESS_WARNING;
}

/* SPF and DMARC of the message leaving from E. */
static void
judge_spf_dmarc(const struct policy_facts *f, const struct conf_egress *e,
    struct verdict *v)
{
	struct spf_outcome spf;
	struct dmarc_result dmarc;
	struct dmarc_input in;
	const char *from_domains[FROM_DOMAINS_MAX];

	spf_check_host(&e->address, e->helo, f->sender, &spf);
	if (spf_findings[spf.verdict] != FINDING_COUNT) {
		v->findings[spf_findings[spf.verdict]] = true;
		add_reason(v, "SPF %s for %s from %s (%s)",
		    spf_verdict_name(spf.verdict), spf.domain[0] ? spf.domain :
		    "the sender", e->address.text, spf.reason);
	}
	v->spf_refused = spf.verdict == SPFV_FAIL ||
	    spf.verdict == SPFV_SOFTFAIL;
	copy_bounded(v->spf_domain, sizeof(v->spf_domain), spf.domain);
	for (unsigned i = 0; i < f->from.ndomains && i < FROM_DOMAINS_MAX; i++)
		from_domains[i] = f->from.domains[i];
	in.from_domains = from_domains;
	in.nfrom = f->from.ndomains;
	in.spf_domain = spf.domain;
	in.spf_pass = spf.verdict == SPFV_PASS;
	in.spf_temperror = spf.verdict == SPFV_TEMPERROR;
	in.dkim = f->dkim;
	in.pct_draw = f->pct_draw;
	dmarc_evaluate(&in, &dmarc);
	copy_bounded(v->dmarc_policy, sizeof(v->dmarc_policy), dmarc.policy);
	if (dmarc.missing)
		add_preflight(f->conf, v, FINDING_DMARC_MISSING,
		    dmarc.missing_domain, "%s and its organizational domain "
		    "publish no DMARC policy (Gmail 550 5.7.40 for bulk senders; "
		    "Apple iCloud 554 5.7.1; Outlook.com 550 5.7.515)",
		    dmarc.missing_domain);
	if (dmarc.unaligned)
		add_preflight(f->conf, v, FINDING_UNALIGNED,
		    dmarc.unaligned_domain, "neither SPF (%s) nor a passing DKIM "
		    "signature is aligned with the From domain %s (Gmail 421 "
		    "4.7.32 / 550 5.7.32; Outlook.com 550 5.7.515; Yahoo 554 "
		    "5.7.9 for bulk)", spf.domain[0] ? spf.domain : "no domain",
		    dmarc.unaligned_domain);
	if (dmarc.fail) {
		v->findings[FINDING_DMARC_FAIL] = true;
		add_reason(v, "%s", dmarc.reason);
	} else if (dmarc.dns_error) {
		v->findings[FINDING_DNS_ERROR] = true;
		add_reason(v, "%s", dmarc.reason);
	}
}

static enum action
strongest(const struct conf *conf, const bool *findings)
{
	enum action action = ACTION_ACCEPT;

	for (int i = 0; i < FINDING_COUNT; i++)
		if (findings[i] && conf_action(conf, (enum finding)i) > action)
			action = conf_action(conf, (enum finding)i);
	return action;
}

/* The whole verdict for the message leaving from egress INDEX. */
static bool
judge_egress(const struct policy_facts *f, size_t index,
    struct policy_work *w, struct verdict *v)
{
	const struct conf_egress *e = &f->conf->egress[index];
	bool healthy;

	verdict_copy(v, &w->message);
	healthy = judge_health(f, e, v, &w->health);
	/* Not what servers see: SPF and DMARC cannot be known; no target. */
	if (!netclass_is_public(&e->address))
		healthy = false;
	else
		judge_spf_dmarc(f, e, v);
	v->action = strongest(f->conf, v->findings);
	return healthy;
}

/* Does egress INDEX carry some of the message? */
static bool
is_used(const struct policy_facts *f, size_t index)
{
	return f->egress_used == NULL ? index == 0 : f->egress_used[index];
}

/* The first other egress that is healthy and passes: its index, or -1. */
static int
reroute_target(const struct policy_facts *f, struct policy_work *w)
{
	for (size_t j = 0; j < f->conf->negress; j++) {
		if (is_used(f, j))
			continue;
		if (judge_egress(f, j, w, &w->candidate) &&
		    w->candidate.action < ACTION_REROUTE)
			return (int)j;
	}
	return -1;
}

/*
 * When every egress is healthy but the sender's SPF refuses each of
 * them, the advice that says so into OUT (and true); else false.
 */
static bool
spf_refuses_every_egress(const struct policy_facts *f,
    struct policy_work *w, char *out, size_t size)
{
	const char **ips;
	struct verdict *v = &w->candidate;
	char domain[256] = "";

	if (f->conf->negress == 0)
		return false;
	ips = xcalloc(f->conf->negress, sizeof(*ips));
	for (size_t j = 0; j < f->conf->negress; j++) {
		if (!judge_egress(f, j, w, v) || !v->spf_refused) {
			free(ips);
			return false;
		}
		ips[j] = f->conf->egress[j].address.text;
		copy_bounded(domain, sizeof(domain), v->spf_domain);
	}
	advice_spf_everywhere(domain, ips, f->conf->negress, out, size);
	free(ips);
	return true;
}

/*
 * One line for the SMTP reply: bytes outside printable ASCII and '%' as
 * \xHH (escape.h's rule, as in the log), bounded.
 */
static void
smtp_reason(const char *text, char *out, size_t size)
{
	escape_text(out, size, text, ESCAPE_PERCENT);
}

static void appendf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends to BUF (SIZE bytes), cut short when full. */
static void
appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/*
 * Adds V's reasons to OUT (the log line) and to SMTP (the reply), after
 * the name of the egress they concern. Zone DNS errors go to the log, and
 * to the reply only when dns-error can decide (On dns-error reroute or
 * stronger).
 */
static void
add_egress_reasons(const struct conf *conf, struct policy_decision *out,
    char *smtp, size_t smtp_size, const struct conf_egress *e,
    const struct verdict *v)
{
	bool noise_decides = v->findings[FINDING_DNS_ERROR] &&
	    conf_action(conf, FINDING_DNS_ERROR) >= ACTION_REROUTE;

	if (v->reasons[0] == '\0' && v->noise[0] == '\0')
		return;
	appendf(out->reasons, sizeof(out->reasons),
	    "%segress %s (%s): %s%s%s", out->reasons[0] ? "; " : "", e->name,
	    e->address.text, v->reasons, v->reasons[0] && v->noise[0] ? "; " :
	    "", v->noise);
	if (v->reasons[0] || noise_decides)
		appendf(smtp, smtp_size, "%segress %s (%s): "
		    "%s%s%s", smtp[0] ? "; " : "", e->name, e->address.text,
		    v->reasons, v->reasons[0] && noise_decides ? "; " : "",
		    noise_decides ? v->noise : "");
}

/*
 * The reply: the findings that decided ACTION first (those whose action
 * is ACTION's, or reroute and up when a reroute ended in Fallback), then
 * DETAIL.
 */
static void
deciding_reply(const struct conf *conf, const struct policy_decision *out,
    const char *detail, char *reply, size_t size)
{
	size_t n = 0;

	reply[0] = '\0';
	for (int f = 0; f < FINDING_COUNT && n + 2 < size; f++) {
		enum action a = conf_action(conf, (enum finding)f);

		if (!out->findings[f] || (out->action >= ACTION_REROUTE ?
		    a < ACTION_REROUTE : a != out->action))
			continue;
		appendf(reply, size, "%s%s", n ? ", " : "",
		    finding_name((enum finding)f));
		n = strlen(reply);
	}
	appendf(reply, size, "%s%s", n ? ": " : "", detail);
}

/* Without Reroute target or with one: the action, and why in words. */
static enum action
settle_reroute(struct policy_facts *g, struct policy_work *w,
    enum action action, struct policy_decision *out)
{
	int target = g->can_reroute ? reroute_target(g, w) : -1;
	size_t len = strlen(out->reasons);
	enum action fallback = g->conf->fallback;

	out->route_to = target;
	if (!g->can_reroute) {
		snprintf(out->reasons + len, sizeof(out->reasons) - len,
		    "; this MTA cannot reroute (only Postfix acts on the route "
		    "header): Fallback %s", action_name(fallback));
		return action > fallback ? action : fallback;
	}
	if (target >= 0) {
		snprintf(out->reasons + len, sizeof(out->reasons) - len,
		    "; rerouted to egress %s", g->conf->egress[target].name);
		return action > ACTION_REROUTE ? action : ACTION_REROUTE;
	}
	if (spf_refuses_every_egress(g, w, out->advice,
	    sizeof(out->advice)))
		snprintf(out->reasons + len, sizeof(out->reasons) - len, "; "
		    "every egress is healthy, but %s (Fallback %s)",
		    out->advice, action_name(fallback));
	else
		snprintf(out->reasons + len, sizeof(out->reasons) - len, "; no "
		    "healthy egress to reroute to (Fallback %s)",
		    action_name(fallback));
	return action > fallback ? action : fallback;
}

/* policy_decide() with its working storage W. */
static void
decide(const struct policy_facts *f, struct policy_work *w,
    struct policy_decision *out)
{
	struct policy_facts g = *f;
	struct verdict *const message = &w->message, *const v = &w->v;
	enum action action = ACTION_ACCEPT;
	bool any = false, reroute = false, first = true;
	char *const smtp = w->smtp, *const reply = w->reply;
	size_t settled;

	smtp[0] = '\0';
	out->route_to = -1;
	if (f->conf->negress == 0) {
		snprintf(out->reasons, sizeof(out->reasons), "no egress "
		    "configured");
		return;
	}
	if (f->no_egress_rcpt) {
		snprintf(out->reasons, sizeof(out->reasons), "no recipient "
		    "leaves through an egress");
		return;
	}
	for (size_t i = 0; g.egress_used != NULL && i < f->conf->negress; i++)
		any = any || g.egress_used[i];
	if (!any)
		g.egress_used = NULL;	/* the default: the first egress */
	judge_message(&g, message);
	for (size_t i = 0; i < f->conf->negress; i++) {
		if (!is_used(&g, i))
			continue;
		judge_egress(&g, i, w, v);
		if (first) {
			out->egress = i;
			copy_bounded(out->dmarc_policy,
			    sizeof(out->dmarc_policy), v->dmarc_policy);
			copy_bounded(out->preflight, sizeof(out->preflight),
			    v->preflight);
			first = false;
		}
		for (int k = 0; k < FINDING_COUNT; k++)
			out->findings[k] = out->findings[k] || v->findings[k];
		add_egress_reasons(f->conf, out, smtp, sizeof(w->smtp),
		    &f->conf->egress[i], v);
		if (v->advice[0])
			text_append(out->advice, sizeof(out->advice),
			    out->advice[0] ? "\n" : "", v->advice);
		if (v->action == ACTION_REROUTE)
			reroute = true;
		else if (v->action > action)
			action = v->action;
	}
	settled = strlen(out->reasons);
	if (reroute)
		action = settle_reroute(&g, w, action, out);
	out->action = action;
	/* settle_reroute's words ("; no healthy egress ...") end both. */
	appendf(smtp, sizeof(w->smtp), "%s", out->reasons + settled +
	    (smtp[0] ? 0 : 2 * (out->reasons[settled] == ';')));
	/* The deciding findings, then the first advice line (it names the
	 * problem and its fix) or, without advice, the reasons. */
	advice_first(out->advice, w->first_advice, sizeof(w->first_advice));
	deciding_reply(f->conf, out, w->first_advice[0] ? w->first_advice :
	    smtp, reply, sizeof(w->reply));
	smtp_reason(reply, out->smtp_reason, sizeof(out->smtp_reason));
}

static struct scratch_pool work_pool = SCRATCH_POOL(sizeof(struct policy_work));

void
policy_decide(const struct policy_facts *f, struct policy_decision *out)
{
	struct policy_work *w = scratch_get(&work_pool);

	/* Only what is read before it is written is cleared. */
	verdict_clear(&w->message);
	out->action = ACTION_ACCEPT;
	out->egress = 0;
	memset(out->findings, 0, sizeof(out->findings));
	out->reasons[0] = out->advice[0] = '\0';
	out->dmarc_policy[0] = out->smtp_reason[0] = '\0';
	out->preflight[0] = '\0';
	decide(f, w, out);
	scratch_put(&work_pool, w);
}

bool
policy_mailer_is_egress(const struct conf *conf, const char *mailer)
{
	static const char *const local_agents[] = { "local", "relay", "lmtp",
	    "virtual", "error", "retry", "discard", "pipe", "prog", "*file*",
	    "*include*", "procmail", NULL };

	if (mailer == NULL || mailer[0] == '\0' ||
	    conf_egress_for_transport(conf, mailer) >= 0)
		return true;
	for (size_t i = 0; i < conf->negress; i++)
		if (conf->egress[i].transport != NULL)
			return false;
	for (size_t i = 0; local_agents[i] != NULL; i++)
		if (strcasecmp(mailer, local_agents[i]) == 0)
			return false;
	return true;
}

bool
policy_sendmail_mailer_is_outbound(const char *mailer)
{
	static const char *const outbound[] = { "smtp", "esmtp", "smtp8",
	    "dsmtp", "relay", NULL };

	for (size_t i = 0; mailer != NULL && outbound[i] != NULL; i++)
		if (strcasecmp(mailer, outbound[i]) == 0)
			return true;
	return false;
}
