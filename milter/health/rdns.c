/*
 * rdns.c - reverse DNS of an egress: PTR, FCrDNS, HELO, generic names.
 *
 * rdns_check().
 *
 * A lookup that fails (timeout, SERVFAIL, REFUSED) makes the result a
 * dns-error and is never read as "no record": an egress is not called
 * broken because the resolver was down. A confirmed name that no rule
 * of generic.c calls generic is still generic-ptr when the neighbours of
 * the address carry it too (neighbours.c).
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dns/dns.h"
#include "dns/dnscache.h"
#include "health/generic.h"
#include "health/neighbours.h"
#include "health/rdns.h"

/* Appends a sentence to OUT->reason ("; " between sentences). */
static void
add_reason(struct rdns_result *out, const char *fmt, const char *a,
    const char *b)
{
	size_t len = strlen(out->reason);
	char sentence[384];

	snprintf(sentence, sizeof(sentence), fmt, a, b);
	snprintf(out->reason + len, sizeof(out->reason) - len, "%s%s",
	    len ? "; " : "", sentence);
}

static void
note_ttl(struct rdns_result *out, const struct dns_answer *answer)
{
	if (answer->ttl < out->ttl)
		out->ttl = answer->ttl;
}

/*
 * Does NAME resolve (A or AAAA, as ADDRESS's family) to ADDRESS?
 * Returns 1 yes, 0 no, -1 when the lookup failed.
 */
static int
resolves_to(const char *name, const struct ip_address *address,
    struct rdns_result *out, char *error, size_t size)
{
	uint16_t type = address->family == AF_INET ? DNS_TYPE_A :
	    DNS_TYPE_AAAA;
	struct dns_answer *answer = dns_lookup(name, type);
	int found = 0;

	note_ttl(out, answer);
	if (dns_answer_is_failure(answer)) {
		snprintf(error, size, "%s", answer->error[0] ? answer->error :
		    dns_status_name(answer->status));
		dns_answer_free(answer);
		return -1;
	}
	for (size_t i = 0; i < answer->count; i++) {
		const struct dns_address *a = &answer->addresses[i];

		if (a->family == address->family && memcmp(&a->u, &address->u,
		    a->family == AF_INET ? 4 : 16) == 0)
			found = 1;
	}
	dns_answer_free(answer);
	return found;
}

/* Reads the PTR names; false when the lookup failed. */
static bool
read_ptr(const struct conf_egress *egress, struct rdns_result *out)
{
	char reverse[128];
	struct dns_answer *answer;

	if (dns_reverse_name(&egress->address, reverse, sizeof(reverse)) != 0)
		return false;
	answer = dns_lookup(reverse, DNS_TYPE_PTR);
	note_ttl(out, answer);
	if (dns_answer_is_failure(answer)) {
		out->dns_error = true;
		add_reason(out, "PTR lookup for %s failed: %s",
		    egress->address.text, answer->error[0] ? answer->error :
		    dns_status_name(answer->status));
		dns_answer_free(answer);
		return false;
	}
	for (size_t i = 0; i < answer->count && out->nptr < RDNS_MAX_NAMES;
	    i++)
		snprintf(out->ptr[out->nptr++], sizeof(out->ptr[0]), "%s",
		    answer->records[i]);
	dns_answer_free(answer);
	if (out->nptr == 0) {
		out->no_ptr = true;
		add_reason(out, "%s has no PTR record%s", egress->address.text,
		    "");
	}
	return true;
}

/* FCrDNS: which PTR names resolve back to the address. */
static void
confirm_names(const struct conf_egress *egress, struct rdns_result *out)
{
	bool failed = false;
	char error[160] = "";

	for (size_t i = 0; i < out->nptr; i++) {
		int r = resolves_to(out->ptr[i], &egress->address, out, error,
		    sizeof(error));

		out->confirmed[i] = r == 1;
		if (r == 1)
			out->fcrdns = true;
		if (r < 0)
			failed = true;
	}
	if (out->fcrdns || out->nptr == 0)
		return;
	if (failed) {
		out->dns_error = true;
		add_reason(out, "cannot confirm the PTR name %s: %s",
		    out->ptr[0], error);
	} else {
		out->fcrdns_mismatch = true;
		add_reason(out, "PTR name %s does not resolve back to %s",
		    out->ptr[0], egress->address.text);
	}
}

static void
check_generic(const struct conf_egress *egress, struct rdns_result *out)
{
	char why[200];

	for (size_t i = 0; i < out->nptr; i++) {
		if (!out->confirmed[i])
			continue;
		if (generic_name(out->ptr[i], &egress->address, why,
		    sizeof(why)) || neighbours_share_name(&egress->address,
		    out->ptr[i], why, sizeof(why)) == 1) {
			out->generic = true;
			add_reason(out, "generic-ptr: %s (PTR name %s); set an "
			    "operator-chosen PTR name (such as mail.<your "
			    "domain>) that resolves back to the address", why,
			    out->ptr[i]);
		}
		return;		/* the first confirmed name is the one used */
	}
}

/* PTR_KNOWN: the PTR names were read, so "among them" can be judged. */
static void
check_helo(const struct conf_egress *egress, struct rdns_result *out,
    bool ptr_known)
{
	char error[160] = "";
	bool among = false;
	int r;

	if (egress->helo == NULL)
		return;
	out->helo_checked = true;
	r = resolves_to(egress->helo, &egress->address, out, error,
	    sizeof(error));
	if (r < 0) {
		out->dns_error = true;
		add_reason(out, "HELO name %s: lookup failed: %s", egress->helo,
		    error);
		return;
	}
	for (size_t i = 0; i < out->nptr; i++)
		if (out->confirmed[i] && strcasecmp(out->ptr[i],
		    egress->helo) == 0)
			among = true;
	out->helo_ok = r == 1 && among;
	if (r == 0) {
		out->helo_mismatch = true;
		add_reason(out, "HELO name %s does not resolve to %s",
		    egress->helo, egress->address.text);
	} else if (!among && ptr_known && !out->dns_error) {
		out->helo_mismatch = true;
		add_reason(out, "HELO name %s is not the confirmed PTR name "
		    "of %s", egress->helo, egress->address.text);
	}
}

void
rdns_check(const struct conf_egress *egress, struct rdns_result *out)
{
	bool ptr_known;

	memset(out, 0, sizeof(*out));
	out->ttl = UINT32_MAX;
	ptr_known = read_ptr(egress, out);

	if (ptr_known) {
		confirm_names(egress, out);
		check_generic(egress, out);
	}
	check_helo(egress, out, ptr_known);
}
