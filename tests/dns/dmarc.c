/*
 * dmarc.c - DMARC (RFC 7489) as a table: each case names the
 * section of RFC 7489 it checks, the From domains, what SPF and DKIM
 * found, the message's pct draw, and the outcome and policy expected.
 * DNS from the tests' NSD (zones rfc7489.test and sp7489.test; see
 * tests/fixtures/README.md); organizational domains through the Public
 * Suffix List, names of real suffixes only there (no DNS asked).
 *
 * Environment (set by tests/dns/run.sh): DNS_PORT, DEAD_PORT.
 * scenario: dead
 */
#include "config.h"

#include <stdbool.h>

#include "auth/dkim.h"
#include "auth/dmarc.h"
#include "dnstest.h"
#include "util/log.h"
#include "../unit/unit.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"
#include "util/util.h"

struct sig {
	const char *domain;
	enum dkimv_verdict verdict;
};

struct dmarc_case {
	const char *section;		/* of RFC 7489 */
	const char *label;
	const char *from[3];
	const char *spf_domain;
	int spf;			/* 0 other, 1 pass, 2 temperror */
	struct sig sigs[2];
	unsigned draw;			/* pct draw, 0..99 */
	enum dmarc_outcome outcome;
	const char *policy;		/* in force; "" none applies */
};

#define T "rfc7489.test"
#define FAILED { NULL, DKIMV_FAIL }

static const struct dmarc_case cases[] = {
	/* Policy discovery */
	{ "6.6.3", "record at the From domain", { "rej." T }, "other.test", 1,
	    { FAILED }, 0, DMARC_FAIL, "reject" },
	{ "6.6.3", "no record at the From domain: the organizational one, sp=",
	    { "deep.sub." T }, "other.test", 0, { FAILED }, 0, DMARC_FAIL,
	    "quarantine" },
	{ "6.6.3", "the organizational domain itself: p=, not sp=", { T },
	    "other.test", 0, { FAILED }, 0, DMARC_FAIL, "reject" },
	{ "6.6.3", "no record anywhere: no policy", { "mail.example.test" },
	    "other.test", 0, { FAILED }, 0, DMARC_NO_POLICY, "" },
	{ "6.6.3 step 5", "two DMARC records: no policy, no fallback to the "
	    "organizational record", { "two." T }, "other.test", 0, { FAILED },
	    0, DMARC_NO_POLICY, "" },
	{ "6.6.3 step 2", "a DMARC record beside a non-DMARC TXT: the one",
	    { "onevalid." T }, "other.test", 0, { FAILED }, 0, DMARC_FAIL,
	    "reject" },
	{ "6.6.3 step 6", "p=rejectx without rua=: no policy", { "badp." T },
	    "other.test", 0, { FAILED }, 0, DMARC_NO_POLICY, "" },
	{ "6.6.3 step 6", "p=r without rua=: no policy", { "shortp." T },
	    "other.test", 0, { FAILED }, 0, DMARC_NO_POLICY, "" },
	{ "6.6.3 step 6", "p=rejectx with a valid rua=: p=none",
	    { "badprua." T }, "other.test", 0, { FAILED }, 0, DMARC_UNALIGNED,
	    "none" },
	{ "6.6.3 step 6", "no p= with a valid rua=: p=none", { "nop." T },
	    "other.test", 0, { FAILED }, 0, DMARC_UNALIGNED, "none" },
	{ "6.6.3 step 6", "no p= and no rua=: no policy", { "nopnorua." T },
	    "other.test", 0, { FAILED }, 0, DMARC_NO_POLICY, "" },
	{ "6.6.3 step 6", "p=bogus, rua= not a URI: no policy",
	    { "badrua." T }, "other.test", 0, { FAILED }, 0, DMARC_NO_POLICY,
	    "" },
	{ "6.6.3 step 6", "sp=bogus at the organizational domain, no rua=: "
	    "no policy", { "sub.sp7489.test" }, "other.test", 0, { FAILED }, 0,
	    DMARC_NO_POLICY, "" },
	{ "6.6.3 step 6", "sp=bogus: no policy for the organizational domain "
	    "either", { "sp7489.test" }, "other.test", 0, { FAILED }, 0,
	    DMARC_NO_POLICY, "" },
	{ "6.4", "v=dmarc1 (the value is case-sensitive): not a record, the "
	    "organizational one applies", { "lowerv." T }, "other.test", 0,
	    { FAILED }, 0, DMARC_FAIL, "quarantine" },
	{ "6.4", "v = DMARC1 ; p = reject (white space around =)",
	    { "spacev." T }, "other.test", 0, { FAILED }, 0, DMARC_FAIL,
	    "reject" },
	{ "6.3", "v= not the first tag: not a record", { "notfirst." T },
	    "other.test", 0, { FAILED }, 0, DMARC_FAIL, "quarantine" },
	{ "6.4", "P=REJECT: tag names and values without case",
	    { "upperp." T }, "other.test", 0, { FAILED }, 0, DMARC_FAIL,
	    "reject" },
	{ "6.6.3", "an upper-case From domain finds its record",
	    { "REJ.RFC7489.TEST" }, "other.test", 0, { FAILED }, 0, DMARC_FAIL,
	    "reject" },
	/* Policy in force */
	{ "6.3", "p=none and nothing aligned: unaligned, not a failure",
	    { "none." T }, "other.test", 1, { FAILED }, 0, DMARC_UNALIGNED,
	    "none" },
	{ "6.3", "p=quarantine and nothing aligned: failure", { "quar." T },
	    "other.test", 1, { FAILED }, 0, DMARC_FAIL, "quarantine" },
	{ "6.6.4", "pct=0, p=reject: the next lower policy, quarantine",
	    { "pct0." T }, "other.test", 0, { FAILED }, 0, DMARC_FAIL,
	    "quarantine" },
	{ "6.6.4", "pct=50, p=quarantine, draw 10: selected", { "pct50q." T },
	    "other.test", 0, { FAILED }, 10, DMARC_FAIL, "quarantine" },
	{ "6.6.4", "pct=50, p=quarantine, draw 60: none", { "pct50q." T },
	    "other.test", 0, { FAILED }, 60, DMARC_UNALIGNED, "none" },
	{ "6.3", "pct=150 is invalid: 100", { "pctbad." T }, "other.test", 0,
	    { FAILED }, 99, DMARC_FAIL, "reject" },
	/* Alignment */
	{ "3.1.1", "DKIM d= the organizational domain, relaxed: aligned",
	    { "rej." T }, "other.test", 0, { { T, DKIMV_PASS } }, 0,
	    DMARC_PASS, "reject" },
	{ "3.1.1", "DKIM d= the From domain, strict: aligned",
	    { "strict." T }, "other.test", 0, { { "strict." T, DKIMV_PASS } },
	    0, DMARC_PASS, "reject" },
	{ "3.1.1", "DKIM d= the parent, strict: not aligned",
	    { "strict." T }, "other.test", 0, { { T, DKIMV_PASS } }, 0,
	    DMARC_FAIL, "reject" },
	{ "3.1.1", "DKIM d= another organization: not aligned", { "rej." T },
	    "other.test", 0, { { "other.test", DKIMV_PASS } }, 0, DMARC_FAIL,
	    "reject" },
	{ "3.1.1", "a failing aligned DKIM signature: not a pass",
	    { "rej." T }, "other.test", 0, { { "rej." T, DKIMV_FAIL } }, 0,
	    DMARC_FAIL, "reject" },
	{ "3.1.2", "SPF pass for a sibling, relaxed: aligned", { "rej." T },
	    "bounces." T, 1, { FAILED }, 0, DMARC_PASS, "reject" },
	{ "3.1.2", "SPF pass for a sibling, strict: not aligned",
	    { "strict." T }, "bounces." T, 1, { FAILED }, 0, DMARC_FAIL,
	    "reject" },
	{ "3.1.2", "SPF domain with a final dot: aligned", { "strict." T },
	    "strict." T ".", 1, { FAILED }, 0, DMARC_PASS, "reject" },
	{ "3.1.2", "SPF aligned but not a pass: not aligned", { "rej." T },
	    "rej." T, 0, { FAILED }, 0, DMARC_FAIL, "reject" },
	{ "6.3", "adkim=x is invalid: relaxed", { "badadkim." T },
	    "other.test", 0, { { T, DKIMV_PASS } }, 0, DMARC_PASS, "reject" },
	/* DNS failures */
	{ "6.6.2", "the aligned DKIM key could not be fetched: DNS error, "
	    "not a failure", { "rej." T }, "other.test", 0,
	    { { T, DKIMV_TEMPERROR } }, 0, DMARC_DNS_ERROR, "reject" },
	{ "6.6.2", "an unaligned DKIM key could not be fetched: failure",
	    { "rej." T }, "other.test", 0, { { "other.test",
	    DKIMV_TEMPERROR } }, 0, DMARC_FAIL, "reject" },
	{ "6.6.2", "SPF temperror for an aligned domain: DNS error",
	    { "rej." T }, "bounces." T, 2, { FAILED }, 0, DMARC_DNS_ERROR,
	    "reject" },
	{ "6.6.2", "an aligned key failed but another aligned pass: pass",
	    { "rej." T }, "other.test", 0, { { T, DKIMV_TEMPERROR },
	    { "rej." T, DKIMV_PASS } }, 0, DMARC_PASS, "reject" },
	/* Several From domains (6.6.1: each judged; the strictest wins) */
	{ "6.6.1", "two From domains, p=none and p=reject, nothing aligned: "
	    "reject", { "none." T, "rej." T }, "other.test", 0, { FAILED }, 0,
	    DMARC_FAIL, "reject" },
	{ "6.6.1", "two From domains, one aligned, the other (dmarc.test, "
	    "p=reject) not: failure", { "rej." T, "dmarc.test" }, "other.test",
	    0, { { T, DKIMV_PASS } }, 0, DMARC_FAIL, "reject" },
	{ "6.6.1", "two From domains, both aligned: pass",
	    { "rej." T, "quar." T }, "other.test", 0, { { T, DKIMV_PASS } }, 0,
	    DMARC_PASS, "reject" },
	{ "6.6.1", "a domain without policy beside p=quarantine: failure",
	    { "mail.example.test", "quar." T }, "other.test", 0, { FAILED }, 0,
	    DMARC_FAIL, "quarantine" },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
run(const struct dmarc_case *c)
{
	struct dkimv_result dkim;
	struct dmarc_input in;
	struct dmarc_result r;
	char name[1200];
	size_t n = 0;

	memset(&dkim, 0, sizeof(dkim));
	for (size_t i = 0; i < 2 && c->sigs[i].domain != NULL; i++) {
		copy_bounded(dkim.signatures[i].domain,
		    sizeof(dkim.signatures[i].domain), c->sigs[i].domain);
		dkim.signatures[i].verdict = c->sigs[i].verdict;
		dkim.nsignatures++;
	}
	while (n < 3 && c->from[n] != NULL)
		n++;
	memset(&in, 0, sizeof(in));
	in.from_domains = c->from;
	in.nfrom = n;
	in.spf_domain = c->spf_domain;
	in.spf_pass = c->spf == 1;
	in.spf_temperror = c->spf == 2;
	in.dkim = &dkim;
	in.pct_draw = c->draw;
	dmarc_evaluate(&in, &r);
	snprintf(name, sizeof(name), "RFC 7489 %s: %s: %s, p=%s (got %s, "
	    "p=%s: %s)", c->section, c->label, dmarc_outcome_name(c->outcome),
	    c->policy[0] ? c->policy : "-", dmarc_outcome_name(r.outcome),
	    r.policy[0] ? r.policy : "-", r.reason);
	CHECK(r.outcome == c->outcome && strcmp(r.policy, c->policy) == 0 &&
	    r.fail == (c->outcome == DMARC_FAIL) &&
	    r.dns_error == (c->outcome == DMARC_DNS_ERROR), name);
}

static const char *const orgs[][2] = {
	{ "BOUNCE.D19.CO.UK", "d19.co.uk" },	/* upper case, 2-label suffix */
	{ "a.b.example.co.uk", "example.co.uk" },
	{ "co.uk", "co.uk" },			/* a public suffix itself */
	{ "x.school.pvt.k12.ma.us", "school.pvt.k12.ma.us" },	/* 4 labels */
	{ "pvt.k12.ma.us", "pvt.k12.ma.us" },
	{ "mail.example.com.", "example.com" },	/* a final dot */
	{ "news.example.com", "example.com" },	/* RFC 7489 3.2's own */
	{ "example.com", "example.com" },
	{ "sub." T, T },
};

int
main(void)
{
	char org[DNS_NAME_MAX + 1], name[700];
	struct dmarc_case dead = { "6.6.3", "the DMARC lookup itself failed: "
	    "DNS error", { "rej." T }, "other.test", 0, { FAILED }, 0,
	    DMARC_DNS_ERROR, "" };

	log_open(false, LOG_MAIL, true, LOG_WARNING);
	for (size_t i = 0; i < sizeof(orgs) / sizeof(orgs[0]); i++) {
		dmarc_org_domain(orgs[i][0], org, sizeof(org));
		snprintf(name, sizeof(name), "RFC 7489 3.2: the organizational "
		    "domain of %s is %s (got %s)", orgs[i][0], orgs[i][1], org);
		CHECK(strcmp(org, orgs[i][1]) == 0, name);
	}
	dnstest_use(dnstest_port("DNS_PORT"), 2, 2);
	for (size_t i = 0; i < NCASES; i++)
		run(&cases[i]);
	dnscache_flush();
	dnstest_use(dnstest_port("DEAD_PORT"), 1, 1);
	run(&dead);
	printf("# %zu DMARC cases and %zu organizational domains\n",
	    NCASES + 1, sizeof(orgs) / sizeof(orgs[0]));
	resolver_thread_cleanup();
	dnscache_flush();
	return unit_exit();
}
