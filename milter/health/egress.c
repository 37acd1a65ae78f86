/*
 * egress.c - one round of egress-level checks and what they add up to.
 *
 * egress_check(), egress_zone_selftests(), egress_state_of(),
 * egress_warn_not_public(),
 * egress_state_name(),
 * egress_state_exit_code(), egress_state_rank().
 * Must not: touch libmilter; talk to DNS except through rdns.c/dnsbl.c.
 */
#include "config.h"

#include <stdio.h>
#include <sys/socket.h>
#include <string.h>

#include "health/advice.h"
#include "health/dnsbl.h"
#include "health/egress.h"
#include "health/rdns.h"
#include "util/log.h"
#include "util/netclass.h"
#include "util/util.h"

const char *
egress_state_name(enum egress_state state)
{
	switch (state) {
	case EGRESS_OK: return "ok";
	case EGRESS_WARNING: return "warning";
	case EGRESS_CRITICAL: return "critical";
	case EGRESS_UNKNOWN: return "unknown";
	}
	return "unknown";
}

int
egress_state_exit_code(enum egress_state state)
{
	return (int)state;	/* the enum follows the Nagios numbers */
}

int
egress_state_rank(enum egress_state state)
{
	static const int rank[] = { 0, 2, 3, 1 };

	return rank[state];
}

static void
append(char *buf, size_t size, const char *text)
{
	if (text[0] == '\0')
		return;
	text_append(buf, size, buf[0] ? "; " : "", text);
}

static void
add_reason(struct egress_report *out, const char *text)
{
	append(out->reasons, sizeof(out->reasons), text);
}

/* The resolver the milter asks, for log lines: "Nameservers A:P ...". */
static void
describe_resolver(const struct conf *conf, char *out, size_t size)
{
	size_t len;

	if (conf->nnameservers == 0) {
		snprintf(out, size, "the nameservers of /etc/resolv.conf");
		return;
	}
	snprintf(out, size, "Nameservers");
	for (size_t i = 0; i < conf->nnameservers; i++) {
		const struct dns_nameserver *ns = &conf->nameservers[i];
		bool v6 = ns->address.family == AF_INET6;

		if ((len = strlen(out)) + 1 >= size)
			break;
		snprintf(out + len, size - len, " %s%s%s:%u", v6 ? "[" : "",
		    ns->address.text, v6 ? "]" : "", (unsigned)ns->port);
	}
}

/*
 * Self-tests of every zone. A zone that lists the world, or does not
 * list its test point while the others do, is suspended. When two or
 * more zones are tested and not one of them answers for its test point
 * (errors, or no listing), the resolver is at fault, not the zones (DNS
 * broken, or a resolver the DNSBLs refuse): no zone is suspended for
 * it, and one line names the resolver.
 */
void
egress_zone_selftests(const struct conf *conf, int family,
    struct zone_status *zones)
{
	enum dnsbl_selftest t[CONF_MAX_DNSBL];
	size_t answered = 0;
	char resolver[300];

	describe_resolver(conf, resolver, sizeof(resolver));
	for (size_t i = 0; i < conf->ndnsbl; i++) {
		dnsbl_pace(conf->dnsbl[i].zone, conf->dnsbl_rate);
		dnsbl_pace(conf->dnsbl[i].zone, conf->dnsbl_rate);
		t[i] = dnsbl_zone_selftest(&conf->dnsbl[i], family,
		    zones[i].why, sizeof(zones[i].why));
		answered += t[i] == DNSBL_SELFTEST_OK ||
		    t[i] == DNSBL_SELFTEST_LISTS_WORLD;
	}
	if (conf->ndnsbl >= 2 && answered == 0) {
		char first[sizeof(zones[0].why)], *tail;

		copy_bounded(first, sizeof(first), zones[0].why);
		if ((tail = strstr(first, "; suspended")) != NULL)
			*tail = '\0';
		log_warn("dnsbl: not one of the %zu zones answers for its test "
		    "point through %s (%s): the resolver does not reach the "
		    "DNSBLs (DNS broken, or a resolver they refuse, such as a "
		    "public one); no zone is suspended for it, and each "
		    "round's DNSBL checks end as dns-error until it does",
		    conf->ndnsbl, resolver, first);
		for (size_t i = 0; i < conf->ndnsbl; i++)
			zones[i].suspended = false;
		return;
	}
	for (size_t i = 0; i < conf->ndnsbl; i++) {
		zones[i].suspended = t[i] == DNSBL_SELFTEST_LISTS_WORLD ||
		    t[i] == DNSBL_SELFTEST_NO_TESTPOINT;
		if (zones[i].suspended)
			log_warn("dnsbl: %s (resolver: %s)", zones[i].why,
			    resolver);
	}
}

static void
check_zones(const struct conf *conf, const struct conf_egress *egress,
    const struct zone_status *zones, struct egress_report *out)
{
	char line[600];

	out->ndnsbl = conf->ndnsbl;
	for (size_t i = 0; i < conf->ndnsbl; i++) {
		struct dnsbl_result *r = &out->dnsbl[i];

		if (zones != NULL && zones[i].suspended) {
			memset(r, 0, sizeof(*r));
			r->zone = &conf->dnsbl[i];
			r->suspended = true;
			snprintf(r->error_text, sizeof(r->error_text),
			    "suspended: %s", zones[i].why);
			continue;
		}
		dnsbl_pace(conf->dnsbl[i].zone, conf->dnsbl_rate);
		dnsbl_zone_check(&conf->dnsbl[i], &egress->address, r);
		if (r->listed)	/* its TXT reason was asked too */
			dnsbl_pace(conf->dnsbl[i].zone, conf->dnsbl_rate);
		if (r->ttl < out->ttl)
			out->ttl = r->ttl;
		if (r->error) {
			out->findings[FINDING_DNS_ERROR] = true;
			snprintf(line, sizeof(line), "%s: %s", r->zone->name,
			    r->error_text);
			append(out->noise, sizeof(out->noise), line);
		} else if (r->listed) {
			snprintf(line, sizeof(line), "%s listed on %s (%s%s%s)",
			    egress->address.text, r->zone->name, r->codes[0],
			    r->reason[0] ? ": " : "", r->reason);
			add_reason(out, line);
		}
	}
	out->score = dnsbl_score(out->dnsbl, out->ndnsbl);
	out->findings[FINDING_LISTED] = out->score >= conf->dnsbl_threshold &&
	    out->score > 0;
}

enum egress_state
egress_state_of(const bool *findings)
{
	if (findings[FINDING_LISTED] || findings[FINDING_NO_PTR] ||
	    findings[FINDING_FCRDNS_MISMATCH])
		return EGRESS_CRITICAL;
	if (findings[FINDING_GENERIC_PTR] || findings[FINDING_HELO_MISMATCH] ||
	    findings[FINDING_NOT_PUBLIC])
		return EGRESS_WARNING;
	if (findings[FINDING_DNS_ERROR])
		return EGRESS_UNKNOWN;
	return EGRESS_OK;
}

/*
 * An address remote servers cannot see (netclass.c): no PTR, DNSBL or
 * SPF answer about it says anything of the egress, so none is asked.
 */
static void
not_public_reason(const struct conf_egress *egress, char *out, size_t size)
{
	const char *a = egress->address.text;

	snprintf(out, size, "%s (%s range) is not a "
	    "public address: the checks need the address remote servers see; "
	    "give it as \"Egress %s %s public=203.0.113.7\" (or, for "
	    "EgressFrom postfix, \"PublicAddress %s 203.0.113.7\") with the "
	    "address this egress leaves as. Until then its PTR, DNSBLs, SPF "
	    "and DMARC are not checked and no mail is held for them (DKIM, "
	    "the From field and domain blocklists still are)%s", a,
	    netclass_name(netclass_of(&egress->address)), egress->name, a, a,
	    netclass_lab_hint(&egress->address));
}

static void
not_public(const struct conf_egress *egress, struct egress_report *out)
{
	out->findings[FINDING_NOT_PUBLIC] = true;
	out->ttl = 86400;
	not_public_reason(egress, out->reasons, sizeof(out->reasons));
	out->state = egress_state_of(out->findings);
}

void
egress_warn_not_public(const struct conf *conf)
{
	char reason[1024];

	for (size_t i = 0; i < conf->negress; i++)
		if (!netclass_is_public(&conf->egress[i].address)) {
			not_public_reason(&conf->egress[i], reason,
			    sizeof(reason));
			log_warn("egress %s: %s", conf->egress[i].name, reason);
		}
}

void
egress_check(const struct conf *conf, const struct conf_egress *egress,
    const struct zone_status *zones, struct egress_report *out)
{
	memset(out, 0, sizeof(*out));
	out->egress = egress;
	if (!netclass_is_public(&egress->address)) {
		not_public(egress, out);
		return;
	}
	/* The reverse zones of a pool are few: paced as one zone. */
	dnsbl_pace(egress->address.family == AF_INET ? "in-addr.arpa" :
	    "ip6.arpa", conf->dnsbl_rate);
	rdns_check(egress, &out->rdns);
	out->ttl = out->rdns.ttl;
	out->findings[FINDING_NO_PTR] = out->rdns.no_ptr;
	out->findings[FINDING_FCRDNS_MISMATCH] = out->rdns.fcrdns_mismatch;
	out->findings[FINDING_GENERIC_PTR] = out->rdns.generic;
	out->findings[FINDING_HELO_MISMATCH] = out->rdns.helo_mismatch;
	out->findings[FINDING_DNS_ERROR] = out->rdns.dns_error;
	add_reason(out, out->rdns.reason);
	check_zones(conf, egress, zones, out);
	out->state = egress_state_of(out->findings);
	advice_for_egress(out, out->advice, sizeof(out->advice));
}
