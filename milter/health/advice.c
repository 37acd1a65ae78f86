/*
 * advice.c - what to do about each finding (see advice.h).
 *
 * advice_for_egress(), advice_spf_everywhere(), advice_write_json(),
 * advice_write_text(), advice_join(), advice_first().
 * The holder of a reverse zone is found by asking for the SOA of the
 * address's reverse name and then of each parent in turn (at most
 * SOA_STEPS names, all through the cache); the SOA's primary server
 * names who runs it. A delisting address is the first http:// or
 * https:// word of the listing's TXT record.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dns/dns.h"
#include "dns/dnscache.h"
#include "health/advice.h"
#include "util/json.h"
#include "util/util.h"

#define SOA_STEPS 40

/* Adds one line of advice. */
static void
add_line(char *out, size_t size, const char *line)
{
	text_append(out, size, out[0] ? "\n" : "", line);
}

/* The reverse zone of ADDRESS and its SOA's primary server, or "". */
static void
reverse_zone(const struct ip_address *address, char *zone, size_t zsize,
    char *mname, size_t msize)
{
	char name[DNS_NAME_MAX + 1];
	const char *p = name;
	bool refreshing;

	zone[0] = mname[0] = '\0';
	if (dns_reverse_name(address, name, sizeof(name)) != 0)
		return;
	/*
	 * Through the cache even in the monitor's refresh mode: the parents
	 * are the same for a whole pool, and asking them all upstream for
	 * each egress (30 names for an IPv6 address without a PTR) is a
	 * burst that servers' rate limits drop.
	 */
	refreshing = dnscache_refresh_mode(false);
	for (int step = 0; step < SOA_STEPS && p != NULL && *p; step++) {
		struct dns_answer *a = dns_lookup(p, DNS_TYPE_SOA);
		bool found = a->status == DNS_OK && a->count > 0;

		if (found) {
			copy_bounded(zone, zsize, p);
			copy_bounded(mname, msize, a->records[0]);
		}
		dns_answer_free(a);
		if (found)
			break;
		if ((p = strchr(p, '.')) != NULL)
			p++;
	}
	dnscache_refresh_mode(refreshing);
}

/* "the holder of ZONE (SOA: MNAME)", or of the reverse zone in general. */
static void
zone_holder(const struct ip_address *address, char *out, size_t size)
{
	char zone[DNS_NAME_MAX + 1], mname[DNS_NAME_MAX + 1];

	reverse_zone(address, zone, sizeof(zone), mname, sizeof(mname));
	if (zone[0])
		snprintf(out, size, "the holder of %s (SOA: %s)", zone, mname);
	else
		snprintf(out, size, "the holder of the reverse zone of %s "
		    "(your hosting or cloud provider)", address->text);
}

/* The name the egress should be known by: HELO, a confirmed PTR, or "". */
static const char *
wanted_name(const struct egress_report *r)
{
	for (size_t i = 0; i < r->rdns.nptr; i++)
		if (r->rdns.confirmed[i] && !r->rdns.generic)
			return r->rdns.ptr[i];
	return r->egress->helo ? r->egress->helo : "";
}

static void
advise_ptr(const struct egress_report *r, char *out, size_t size)
{
	const struct conf_egress *e = r->egress;
	const char *name = e->helo ? e->helo : "a name of your domain";
	char holder[2 * DNS_NAME_MAX + 64], line[4 * DNS_NAME_MAX + 256];

	zone_holder(&e->address, holder, sizeof(holder));
	if (r->findings[FINDING_NO_PTR])
		snprintf(line, sizeof(line), "ask %s to set the PTR of %s to "
		    "%s, which resolves back to it", holder, e->address.text,
		    name);
	else
		snprintf(line, sizeof(line), "the PTR name %s looks generic: "
		    "ask %s to set the PTR of %s to %s, which resolves back to "
		    "it", r->rdns.ptr[0], holder, e->address.text, name);
	add_line(out, size, line);
}

static void
advise_fcrdns(const struct egress_report *r, char *out, size_t size)
{
	const struct conf_egress *e = r->egress;
	char line[2 * DNS_NAME_MAX + 200];

	snprintf(line, sizeof(line), "add `%s %s %s` (the PTR name must "
	    "resolve back to the address), or have the PTR of %s changed to "
	    "a name that does", r->rdns.ptr[0], e->address.family == AF_INET6
	    ? "AAAA" : "A", e->address.text, e->address.text);
	add_line(out, size, line);
}

/* True when NAME has an address record of ADDRESS. */
static bool
resolves_to(const char *name, const struct ip_address *address)
{
	struct dns_answer *a = dns_lookup(name, address->family == AF_INET6 ?
	    DNS_TYPE_AAAA : DNS_TYPE_A);
	bool found = false;

	for (size_t i = 0; a->status == DNS_OK && i < a->count; i++)
		found = found || strcmp(a->records[i], address->text) == 0;
	dns_answer_free(a);
	return found;
}

static void
advise_helo(const struct egress_report *r, char *out, size_t size)
{
	const struct conf_egress *e = r->egress;
	const char *name = wanted_name(r);
	char line[3 * DNS_NAME_MAX + 300], transport[CONF_NAME_MAX + 64];
	bool other = name[0] && strcasecmp(name, e->helo) != 0;

	if (e->transport)
		snprintf(transport, sizeof(transport), "transport %s",
		    e->transport);
	else
		snprintf(transport, sizeof(transport), "the transport of "
		    "egress %s", e->name);
	if (other)
		snprintf(line, sizeof(line), "set `-o smtp_helo_name=%s` on %s "
		    "in master.cf (and helo=%s on its Egress line)", name,
		    transport, name);
	if (!resolves_to(e->helo, &e->address))
		snprintf(line + (other ? strlen(line) : 0), sizeof(line) -
		    (other ? strlen(line) : 0), "%sadd `%s %s %s`", other ?
		    ", or " : "", e->helo, e->address.family == AF_INET6 ?
		    "AAAA" : "A", e->address.text);
	else if (!other)
		snprintf(line, sizeof(line), "have the PTR of %s set to %s (its "
		    "HELO name), as asked above", e->address.text, e->helo);
	add_line(out, size, line);
}

/* The first http:// or https:// word of TEXT into OUT, or "". */
static void
find_url(const char *text, char *out, size_t size)
{
	const char *p = strstr(text, "http://"), *q = strstr(text, "https://");
	size_t len;

	if (p == NULL || (q != NULL && q < p))
		p = q;
	out[0] = '\0';
	if (p == NULL)
		return;
	len = strcspn(p, " \t\"'<>");
	while (len > 0 && strchr(".,;)", p[len - 1]) != NULL)
		len--;
	if (len < size) {
		memcpy(out, p, len);
		out[len] = '\0';
	}
}

static void
advise_listed(const struct egress_report *r, char *out, size_t size)
{
	char url[256], line[700];

	for (size_t i = 0; i < r->ndnsbl; i++) {
		const struct dnsbl_result *z = &r->dnsbl[i];

		if (!z->listed || z->suspended)
			continue;
		find_url(z->reason, url, sizeof(url));
		if (url[0])
			snprintf(line, sizeof(line), "%s lists %s (%s): ask for "
			    "delisting at %s once the cause is fixed",
			    z->zone->name, r->egress->address.text, z->codes[0],
			    url);
		else
			snprintf(line, sizeof(line), "%s lists %s (%s): follow "
			    "the zone's delisting procedure on its web site "
			    "(its TXT record gives no address)", z->zone->name,
			    r->egress->address.text, z->codes[0]);
		add_line(out, size, line);
	}
}

void
advice_for_egress(const struct egress_report *r, char *out, size_t size)
{
	out[0] = '\0';
	if (r->findings[FINDING_NO_PTR] || r->findings[FINDING_GENERIC_PTR])
		advise_ptr(r, out, size);
	if (r->findings[FINDING_FCRDNS_MISMATCH] && r->rdns.nptr > 0)
		advise_fcrdns(r, out, size);
	if (r->findings[FINDING_HELO_MISMATCH])
		advise_helo(r, out, size);
	if (r->findings[FINDING_LISTED])
		advise_listed(r, out, size);
	if (r->findings[FINDING_DNS_ERROR])
		add_line(out, size, "make sure the Nameservers answer (and, for "
		    "DNSBLs, that they are resolvers of your own): until they "
		    "do, this egress's health is not known");
}

void
advice_spf_everywhere(const char *domain, const char *const *ips, size_t n,
    char *out, size_t size)
{
	/* Neither needs more than OUT's SIZE, where both go. */
	size_t room = size ? size : 1;
	char *list = xcalloc(1, room), *terms = xcalloc(1, room);

	for (size_t i = 0; i < n; i++) {
		text_append(list, room, i == 0 ? "" : i + 1 == n ?
		    " or " : ", ", ips[i]);
		text_append(terms, room, i ? " " : "",
		    strchr(ips[i], ':') ? "ip6:" : "ip4:");
		text_append(terms, room, "", ips[i]);
	}
	snprintf(out, size, "SPF of %s does not allow %s: add `%s` (or the "
	    "include of the egresses' provider) to its SPF record", domain,
	    list, terms);
	free(list);
	free(terms);
}

void
advice_write_json(FILE *fp, const char *advice)
{
	char line[ADVICE_MAX];
	const char *p = advice;
	bool first = true;

	fputc('[', fp);
	while (p != NULL && *p) {
		size_t len = strcspn(p, "\n");

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		fputs(first ? "" : ", ", fp);
		json_string(fp, line);
		first = false;
		p += strcspn(p, "\n");
		if (*p == '\n')
			p++;
	}
	fputc(']', fp);
}

void
advice_first(const char *advice, char *out, size_t size)
{
	size_t len = strcspn(advice, "\n");

	if (size == 0)
		return;
	if (len >= size)
		len = size - 1;
	memcpy(out, advice, len);
	out[len] = '\0';
}

void
advice_write_text(FILE *fp, const char *prefix, const char *advice)
{
	const char *p = advice;

	while (p != NULL && *p) {
		int len = (int)strcspn(p, "\n");

		fprintf(fp, "%s%.*s\n", prefix, len, p);
		p += len;
		if (*p == '\n')
			p++;
	}
}

void
advice_join(const char *advice, char *out, size_t size)
{
	const char *p = advice;
	char line[ADVICE_MAX];

	if (size == 0)
		return;
	out[0] = '\0';
	while (p != NULL && *p) {
		advice_first(p, line, sizeof(line));
		text_append(out, size, out[0] ? "; " : "", line);
		p += strcspn(p, "\n");
		if (*p == '\n')
			p++;
	}
}

void
advice_preflight(int finding, const char *domain, char *out, size_t size)
{
	const char *d = domain != NULL && domain[0] ? domain : "the From domain";

	switch (finding) {
	case FINDING_DMARC_MISSING:
		snprintf(out, size, "publish a DMARC record at _dmarc.%.200s "
		    "(\"v=DMARC1; p=none; rua=mailto:...\" is enough to start)",
		    d);
		break;
	case FINDING_UNALIGNED:
		snprintf(out, size, "sign with d=%.200s (or a domain of its "
		    "organization), or send with a MAIL FROM in it whose SPF "
		    "allows the egress", d);
		break;
	case FINDING_DKIM_MISSING:
		snprintf(out, size, "sign the mail with DKIM as d=%.200s (or "
		    "its organizational domain), rsa-sha256, a key of 2048 "
		    "bits", d);
		break;
	case FINDING_DKIM_WEAK:
		snprintf(out, size, "publish a 2048-bit DKIM key for %.200s and "
		    "sign with it (keys under 1024 bits do not count)", d);
		break;
	case FINDING_HEADER_INVALID:
		snprintf(out, size, "have the sending application write one "
		    "From with one address, one valid Message-ID and each "
		    "single-instance field once (RFC 5322 3.6)");
		break;
	case FINDING_UNSUBSCRIBE_MISSING:
		snprintf(out, size, "add List-Unsubscribe: <https://...> and "
		    "List-Unsubscribe-Post: List-Unsubscribe=One-Click to bulk "
		    "mail (RFC 8058)");
		break;
	default:
		if (size > 0)
			out[0] = '\0';
	}
}
