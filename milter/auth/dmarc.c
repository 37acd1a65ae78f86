/*
 * dmarc.c - DMARC policy discovery and alignment (RFC 7489).
 *
 * dmarc_org_domain(), dmarc_evaluate().
 *
 * The record is looked up at _dmarc.<From domain>, else at
 * _dmarc.<organizational domain> (then sp= applies when present); a
 * name with several DMARC records has none (RFC 7489 6.6.3). Relaxed
 * alignment compares organizational domains, strict ones the names.
 * The Public Suffix List is read once, from Debian's publicsuffix
 * package when present, else libpsl's built-in copy.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "auth/dmarc.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "util/log.h"
#include "util/util.h"

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

void
dmarc_org_domain(const char *domain, char *out, size_t size)
{
	const char *org = NULL;

	pthread_once(&psl_once, psl_init);
	if (psl != NULL)
		org = psl_registrable_domain(psl, domain);
	if (org == NULL) {	/* a public suffix itself, or no list */
		const char *p = domain + strlen(domain);
		int dots = 0;

		while (p > domain && dots < 2)
			if (*--p == '.')
				dots++;
		org = dots == 2 ? p + 1 : domain;
	}
	copy_bounded(out, size, org);
}

static bool
aligned(const char *a, const char *b, bool strict)
{
	char oa[DNS_NAME_MAX + 1], ob[DNS_NAME_MAX + 1];

	if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0')
		return false;
	if (strcasecmp(a, b) == 0)	/* the same name: aligned either way */
		return true;
	if (strict)
		return false;
	dmarc_org_domain(a, oa, sizeof(oa));
	dmarc_org_domain(b, ob, sizeof(ob));
	return strcasecmp(oa, ob) == 0;
}

/* The value of TAG in RECORD ("p", "sp", ...), into OUT; false if none. */
static bool
tag_value(const char *record, const char *tag, char *out, size_t size)
{
	size_t tl = strlen(tag);

	for (const char *p = record; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, tag, tl) == 0) {
			const char *v = p + tl;

			while (*v == ' ' || *v == '\t')
				v++;
			if (*v == '=') {
				size_t n = 0;

				for (v++; *v == ' ' || *v == '\t'; v++)
					;
				while (v[n] && v[n] != ';' && v[n] != ' ' &&
				    n + 1 < size) {
					out[n] = (char)tolower((unsigned char)v[n]);
					n++;
				}
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

/*
 * The DMARC record at _dmarc.DOMAIN into RECORD. Returns 1 found, 0 none
 * (or several), -1 DNS failure.
 */
static int
fetch_record(const char *domain, char *record, size_t size)
{
	char name[DNS_NAME_MAX + 8];
	struct dns_answer *a;
	int found = 0;

	if (snprintf(name, sizeof(name), "_dmarc.%s", domain) >
	    DNS_NAME_MAX)
		return 0;
	a = dns_lookup(name, DNS_TYPE_TXT);
	if (dns_answer_is_failure(a)) {
		dns_answer_free(a);
		return -1;
	}
	for (size_t i = 0; a->status == DNS_OK && i < a->count; i++)
		if (strncasecmp(a->records[i], "v=DMARC1", 8) == 0 &&
		    (a->records[i][8] == ';' || a->records[i][8] == ' ' ||
		    a->records[i][8] == '\0')) {
			copy_bounded(record, size, a->records[i]);
			found++;
		}
	dns_answer_free(a);
	return found == 1 ? 1 : 0;
}

/* Finds the record that applies; false when none (or a DNS failure). */
static bool
discover(const char *from, char *record, size_t size, bool *at_org,
    struct dmarc_result *out)
{
	char org[DNS_NAME_MAX + 1];
	int r = fetch_record(from, record, size);

	*at_org = false;
	if (r == 0) {
		dmarc_org_domain(from, org, sizeof(org));
		if (strcasecmp(org, from) != 0) {
			r = fetch_record(org, record, size);
			*at_org = true;
			if (r == 1)
				copy_bounded(out->record_domain,
				    sizeof(out->record_domain), org);
		}
	} else if (r == 1) {
		copy_bounded(out->record_domain, sizeof(out->record_domain),
		    from);
	}
	if (r < 0) {
		out->dns_error = true;
		snprintf(out->reason, sizeof(out->reason), "DMARC lookup for "
		    "%.200s failed", from);
	}
	return r == 1;
}

void
dmarc_evaluate(const struct dmarc_input *in, struct dmarc_result *out)
{
	char record[1024], value[16];
	bool at_org, strict_spf, strict_dkim;

	memset(out, 0, sizeof(*out));
	if (in->from_domain == NULL || in->from_domain[0] == '\0' ||
	    !discover(in->from_domain, record, sizeof(record), &at_org, out))
		return;
	out->has_policy = true;
	if (!(at_org && tag_value(record, "sp", out->policy,
	    sizeof(out->policy))) && !tag_value(record, "p", out->policy,
	    sizeof(out->policy)))
		copy_bounded(out->policy, sizeof(out->policy), "none");
	strict_spf = tag_value(record, "aspf", value, sizeof(value)) &&
	    strcmp(value, "s") == 0;
	strict_dkim = tag_value(record, "adkim", value, sizeof(value)) &&
	    strcmp(value, "s") == 0;
	out->spf_aligned = in->spf_pass && aligned(in->spf_domain,
	    in->from_domain, strict_spf);
	for (size_t i = 0; in->dkim != NULL && i < in->dkim->nsignatures; i++)
		if (in->dkim->signatures[i].verdict == DKIMV_PASS &&
		    aligned(in->dkim->signatures[i].domain, in->from_domain,
		    strict_dkim))
			out->dkim_aligned = true;
	out->fail = !out->spf_aligned && !out->dkim_aligned;
	snprintf(out->reason, sizeof(out->reason), "DMARC of %.120s (p=%s): "
	    "%s", in->from_domain, out->policy, out->fail ? "no aligned SPF "
	    "or DKIM pass" : out->spf_aligned ? "SPF aligned" :
	    "DKIM aligned");
}
