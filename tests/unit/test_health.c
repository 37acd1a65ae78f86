/*
 * test_health.c - the parts of egress health that need no DNS: DNSBL
 * query names (IPv4 reversed octets, IPv6 32 reversed nibbles), the
 * state a set of findings adds up to, the monitor's hysteresis, the
 * Nagios exit codes, and JSON strings that stay valid.
 */
#include "config.h"

#include <stdlib.h>

#include "health/dnsbl.h"
#include "health/egress.h"
#include "health/monitor.h"
#include "health/rdns.h"
#include "util/json.h"
#include "util/log.h"
#include "unit.h"
#include "conf/conf_address.h"
#include "dns/dns.h"

static void
test_query_names(void)
{
	struct ip_address a;
	char name[300];

	conf_parse_address("192.0.2.20", &a);
	CHECK(dnsbl_query_name(&a, "bl.test", name, sizeof(name)) == 0 &&
	    strcmp(name, "20.2.0.192.bl.test") == 0,
	    "DNSBL name: IPv4 octets reversed");
	conf_parse_address("2001:db8::20", &a);
	dnsbl_query_name(&a, "bl.test", name, sizeof(name));
	CHECK(strcmp(name, "0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "8.b.d.0.1.0.0.2.bl.test") == 0,
	    "DNSBL name: IPv6 as 32 reversed nibbles, not 16-bit groups");
	conf_parse_address("::ffff:7f00:2", &a);
	dnsbl_query_name(&a, "bl.test", name, sizeof(name));
	CHECK(strcmp(name, "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.bl.test") == 0,
	    "DNSBL name: the RFC 5782 IPv6 test point");
	dns_reverse_name(&a, name, sizeof(name));
	CHECK(strcmp(name + strlen(name) - 9, ".ip6.arpa") == 0,
	    "reverse name: ip6.arpa");
	conf_parse_address("192.0.2.20", &a);
	dns_reverse_name(&a, name, sizeof(name));
	CHECK(strcmp(name, "20.2.0.192.in-addr.arpa") == 0,
	    "reverse name: in-addr.arpa");
	char zone[250];
	memset(zone, 'z', sizeof(zone) - 1);
	zone[sizeof(zone) - 1] = '\0';
	CHECK(dnsbl_query_name(&a, zone, name, sizeof(name)) == -1,
	    "DNSBL name: a query name over 253 characters is refused");
}

static void
test_states(void)
{
	bool f[FINDING_COUNT] = { false };

	CHECK(egress_state_of(f) == EGRESS_OK, "state: no findings is ok");
	f[FINDING_DNS_ERROR] = true;
	CHECK(egress_state_of(f) == EGRESS_UNKNOWN,
	    "state: DNS errors and nothing else is unknown");
	f[FINDING_GENERIC_PTR] = true;
	CHECK(egress_state_of(f) == EGRESS_WARNING,
	    "state: generic-ptr warns");
	f[FINDING_GENERIC_PTR] = false;
	f[FINDING_HELO_MISMATCH] = true;
	CHECK(egress_state_of(f) == EGRESS_WARNING,
	    "state: helo-mismatch warns");
	f[FINDING_LISTED] = true;
	CHECK(egress_state_of(f) == EGRESS_CRITICAL, "state: listed is critical");
	memset(f, 0, sizeof(f));
	f[FINDING_NO_PTR] = true;
	CHECK(egress_state_of(f) == EGRESS_CRITICAL, "state: no-ptr is critical");
	memset(f, 0, sizeof(f));
	f[FINDING_FCRDNS_MISMATCH] = true;
	CHECK(egress_state_of(f) == EGRESS_CRITICAL,
	    "state: fcrdns-mismatch is critical");
	CHECK(egress_state_exit_code(EGRESS_OK) == 0 &&
	    egress_state_exit_code(EGRESS_WARNING) == 1 &&
	    egress_state_exit_code(EGRESS_CRITICAL) == 2 &&
	    egress_state_exit_code(EGRESS_UNKNOWN) == 3,
	    "Nagios exit codes 0 1 2 3");
	CHECK(egress_state_rank(EGRESS_CRITICAL) >
	    egress_state_rank(EGRESS_WARNING) &&
	    egress_state_rank(EGRESS_WARNING) >
	    egress_state_rank(EGRESS_UNKNOWN) &&
	    egress_state_rank(EGRESS_UNKNOWN) > egress_state_rank(EGRESS_OK),
	    "the worst egress decides: critical, warning, unknown, ok");
}

static struct egress_report *
round_with(int finding1, int finding2)
{
	static struct egress_report r;

	memset(&r, 0, sizeof(r));
	if (finding1 >= 0)
		r.findings[finding1] = true;
	if (finding2 >= 0)
		r.findings[finding2] = true;
	r.state = egress_state_of(r.findings);
	snprintf(r.reasons, sizeof(r.reasons), "round");
	return &r;
}

static void
test_hysteresis(void)
{
	struct egress_health h;

	memset(&h, 0, sizeof(h));
	CHECK(monitor_apply(&h, round_with(-1, -1)) && h.state == EGRESS_OK,
	    "first round: ok");
	CHECK(monitor_apply(&h, round_with(FINDING_LISTED, -1)) &&
	    h.state == EGRESS_CRITICAL, "a new listing takes effect at once");
	CHECK(!monitor_apply(&h, round_with(-1, -1)) &&
	    h.state == EGRESS_CRITICAL && h.findings[FINDING_LISTED],
	    "one clean round is not enough to recover");
	CHECK_CONTAINS(h.reasons, "listed kept until 2 clean rounds",
	    "the reasons say why the state is kept");
	CHECK(monitor_apply(&h, round_with(-1, -1)) && h.state == EGRESS_OK,
	    "two consecutive clean rounds recover");
	monitor_apply(&h, round_with(FINDING_NO_PTR, -1));
	monitor_apply(&h, round_with(-1, -1));
	monitor_apply(&h, round_with(FINDING_NO_PTR, -1));
	CHECK(h.state == EGRESS_CRITICAL && h.absent[FINDING_NO_PTR] == 0,
	    "a finding that comes back resets the count");
	monitor_apply(&h, round_with(-1, -1));
	monitor_apply(&h, round_with(FINDING_DNS_ERROR, -1));
	CHECK(h.findings[FINDING_NO_PTR] && h.state == EGRESS_CRITICAL,
	    "a round with DNS errors never counts towards recovery");
	monitor_apply(&h, round_with(-1, -1));
	CHECK(!h.findings[FINDING_NO_PTR] && h.findings[FINDING_DNS_ERROR],
	    "the second clean round clears no-ptr; dns-error waits its turn");
	monitor_apply(&h, round_with(-1, -1));
	CHECK(h.state == EGRESS_OK, "and then the egress is ok");
	monitor_apply(&h, round_with(FINDING_GENERIC_PTR, -1));
	CHECK(h.state == EGRESS_WARNING, "generic-ptr: warning at once");
}

static void
test_json(void)
{
	char buf[256] = "";
	FILE *fp = fmemopen(buf, sizeof(buf) - 1, "w");

	json_string(fp, "a\"b\\c\n\x01\xe9");
	fputc(' ', fp);
	json_string_or_null(fp, "");
	fclose(fp);
	CHECK(strcmp(buf, "\"a\\\"b\\\\c\\n\\u0001\\u00e9\" null") == 0,
	    "JSON: quotes, backslashes, controls and 8-bit bytes escaped");
}

int
main(void)
{
	log_open(false, LOG_MAIL, false, LOG_ERR);
	test_query_names();
	test_states();
	test_hysteresis();
	test_json();
	return unit_exit();
}
