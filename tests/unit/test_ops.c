/*
 * test_ops.c - the pieces of the operations interfaces that need no
 * server: texts cut with a visible mark, the advice list as JSON and
 * for an SMTP reply, the SPF advice, the severity of state changes, the
 * ControlSocket and MetricsListen keys, the width of mynetworks entries,
 * and the times --summary reads.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "health/advice.h"
#include "health/healthlog.h"
#include "ops/relay_audit.h"
#include "ops/summary.h"
#include "util/log.h"
#include "unit.h"
#include "conf/conf_address.h"
#include "conf/conf_load.h"
#include "conf/conf_parse.h"
#include "util/util.h"

static void
test_text_append(void)
{
	char buf[16] = "", big[32] = "", esc[64];

	CHECK(text_append(buf, sizeof(buf), "", "short") == 0 &&
	    strcmp(buf, "short") == 0, "text_append: a text that fits");
	CHECK(text_append(buf, sizeof(buf), "; ", "and a long one") == 1,
	    "text_append: a text that does not fit says so");
	CHECK(strlen(buf) == sizeof(buf) - 1 &&
	    strcmp(buf + strlen(buf) - 3, "...") == 0,
	    "text_append: the cut text ends with a visible \"...\" mark");
	CHECK(text_append(buf, sizeof(buf), "; ", "x") == 1 &&
	    strcmp(buf + strlen(buf) - 3, "...") == 0,
	    "text_append: nothing is added after the mark");
	text_append(big, sizeof(big), "", "dmarc-fail: a reason of exactly this many bytes and more");
	CHECK_CONTAINS(log_escape(esc, sizeof(esc), big), "...",
	    "log_escape keeps the cut mark");
	CHECK_CONTAINS(log_escape(esc, sizeof(esc), "a\x01" "b\xff"), "a\\x01b\\xff",
	    "log_escape still escapes control and 8-bit bytes");
}

static void
test_advice_text(void)
{
	const char *ips[] = { "198.51.100.20", "203.0.113.7", "2001:db8::7" };
	char out[512], first[64], joined[128];
	FILE *fp;
	char *json = NULL;
	size_t len = 0;

	advice_spf_everywhere("customer.example", ips, 3, out, sizeof(out));
	CHECK(strcmp(out, "SPF of customer.example does not allow "
	    "198.51.100.20, 203.0.113.7 or 2001:db8::7: add `ip4:198.51.100.20 "
	    "ip4:203.0.113.7 ip6:2001:db8::7` (or the include of the egresses' "
	    "provider) to its SPF record") == 0,
	    "SPF advice: every address and the ip4:/ip6: terms to add");
	fp = open_memstream(&json, &len);
	advice_write_json(fp, "first \"one\"\nsecond");
	fclose(fp);
	CHECK(strcmp(json, "[\"first \\\"one\\\"\", \"second\"]") == 0,
	    "advice as a JSON list of strings");
	free(json);
	advice_first("first\nsecond", first, sizeof(first));
	CHECK(strcmp(first, "first") == 0, "the first advice line (451 text)");
	advice_join("first\nsecond", joined, sizeof(joined));
	CHECK(strcmp(joined, "first; second") == 0, "advice joined for a log line");
}

static void
test_severity(void)
{
	CHECK(healthlog_priority(EGRESS_OK, EGRESS_CRITICAL, false, false) ==
	    LOG_WARNING, "ok -> critical is logged at warning");
	CHECK(healthlog_priority(EGRESS_OK, EGRESS_CRITICAL, false, true) ==
	    LOG_CRIT, "critical with no egress healthy is logged at crit");
	CHECK(healthlog_priority(EGRESS_CRITICAL, EGRESS_OK, false, false) ==
	    LOG_NOTICE, "a recovery is logged at notice");
	CHECK(healthlog_priority(EGRESS_OK, EGRESS_WARNING, false, false) ==
	    LOG_WARNING, "ok -> warning is logged at warning");
	CHECK(healthlog_priority(EGRESS_UNKNOWN, EGRESS_UNKNOWN, true, false) ==
	    LOG_WARNING, "a first round that ends unknown is logged at warning");
	CHECK(healthlog_priority(EGRESS_UNKNOWN, EGRESS_OK, true, false) ==
	    LOG_NOTICE, "a first round that ends ok is logged at notice");
}

/* Loads TEXT as a configuration file; NULL (ERRORS set) when refused. */
static struct conf *
load_text(const char *text, struct conf_errors *errors)
{
	char path[] = "/tmp/em-test-ops.XXXXXX";
	int fd = mkstemp(path);
	struct conf *conf;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return NULL;
	close(fd);
	conf = conf_load(path, errors);
	unlink(path);
	return conf;
}

static void
test_keys(void)
{
	struct conf_errors errors = { NULL, 0, 0 };
	struct conf *conf = load_text("Dnsbl none\n", &errors);

	CHECK(conf != NULL && strcmp(conf->control_socket,
	    "unix:/run/egress-milter/control") == 0,
	    "ControlSocket: the default");
	CHECK(conf != NULL && conf->metrics_listen == NULL,
	    "MetricsListen: off by default");
	conf_free(conf);
	conf = load_text("ControlSocket none\nMetricsListen [::1]:9155\n",
	    &errors);
	CHECK(conf != NULL && conf->control_socket == NULL,
	    "ControlSocket none: no control socket");
	CHECK(conf != NULL && strcmp(conf->metrics_listen, "[::1]:9155") == 0,
	    "MetricsListen: an IPv6 literal in brackets");
	conf_free(conf);
	conf = load_text("ControlSocket /run/x\n", &errors);
	CHECK(conf == NULL, "ControlSocket without unix: is refused");
	CHECK_CONTAINS(errors.text, "ControlSocket: expected unix:/PATH",
	    "ControlSocket: the error says what it wants");
	conf_errors_free(&errors);
	conf = load_text("MetricsListen localhost:9155\n", &errors);
	CHECK(conf == NULL, "MetricsListen with a name is refused (no DNS)");
	conf_errors_free(&errors);
	conf = load_text("MetricsListen 127.0.0.1:0\n", &errors);
	CHECK(conf == NULL, "MetricsListen with port 0 is refused");
	conf_errors_free(&errors);
}

static void
test_networks(void)
{
	char why[256];

	CHECK(relay_audit_network_too_wide("0.0.0.0/0", why, sizeof(why)),
	    "mynetworks: 0.0.0.0/0 is too wide");
	CHECK(relay_audit_network_too_wide("[::]/0", why, sizeof(why)),
	    "mynetworks: [::]/0 is too wide");
	CHECK(relay_audit_network_too_wide("203.0.113.0/23", why, sizeof(why)),
	    "mynetworks: a public /23 is too wide");
	CHECK(!relay_audit_network_too_wide("203.0.113.0/24", why,
	    sizeof(why)), "mynetworks: a public /24 is fine");
	CHECK(!relay_audit_network_too_wide("10.0.0.0/8", why, sizeof(why)),
	    "mynetworks: private space is fine however wide");
	CHECK(relay_audit_network_too_wide("[2001:db8::]/47", why,
	    sizeof(why)), "mynetworks: a public IPv6 /47 is too wide");
	CHECK(!relay_audit_network_too_wide("[2001:db8::]/48", why,
	    sizeof(why)), "mynetworks: a public IPv6 /48 is fine");
	CHECK(!relay_audit_network_too_wide("hash:/etc/postfix/networks", why,
	    sizeof(why)), "mynetworks: a table is not judged");
	/* Private only when the whole prefix lies inside a private block. */
	CHECK(relay_audit_network_too_wide("10.0.0.0/7", why, sizeof(why)),
	    "mynetworks: 10.0.0.0/7 holds 11.0.0.0/8: too wide");
	CHECK(relay_audit_network_too_wide("192.168.0.0/15", why, sizeof(why)),
	    "mynetworks: 192.168.0.0/15 holds 192.169.0.0/16: too wide");
	CHECK(relay_audit_network_too_wide("172.16.0.0/11", why, sizeof(why)),
	    "mynetworks: 172.16.0.0/11 reaches beyond 172.16.0.0/12");
	CHECK(relay_audit_network_too_wide("100.64.0.0/9", why, sizeof(why)),
	    "mynetworks: 100.64.0.0/9 reaches beyond shared space");
	CHECK(!relay_audit_network_too_wide("172.16.0.0/12", why, sizeof(why)),
	    "mynetworks: 172.16.0.0/12 is private");
	CHECK(!relay_audit_network_too_wide("192.168.0.0/16", why,
	    sizeof(why)), "mynetworks: 192.168.0.0/16 is private");
	CHECK(relay_audit_network_too_wide("[fc00::]/6", why, sizeof(why)),
	    "mynetworks: [fc00::]/6 holds public fc00::/7's neighbour");
	CHECK(!relay_audit_network_too_wide("[fc00::]/7", why, sizeof(why)),
	    "mynetworks: [fc00::]/7 is private");
	CHECK(relay_audit_network_too_wide("[fe80::]/9", why, sizeof(why)),
	    "mynetworks: [fe80::]/9 reaches beyond link-local");
	CHECK(relay_audit_network_too_wide("[fc00::1]/1", why, sizeof(why)),
	    "mynetworks: [fc00::1]/1 is half of every address");
	CHECK(!relay_audit_network_too_wide("[::ffff:10.0.0.0]/104", why,
	    sizeof(why)), "mynetworks: mapped 10.0.0.0/8 is private");
	CHECK(!relay_audit_network_too_wide("10.0.0.0/x", why, sizeof(why)),
	    "mynetworks: a prefix length that is not a number is not judged");
	CHECK(!relay_audit_network_too_wide("10.0.0.0/33", why, sizeof(why)),
	    "mynetworks: a prefix length over 32 is not judged");
}

static void
test_summary_times(void)
{
	time_t now = 1764633600;	/* 2025-12-02 00:00:00 UTC */

	setenv("TZ", "UTC", 1);
	tzset();
	CHECK(summary_parse_time("2025-12-01", now) == now - 86400,
	    "--since: a date");
	CHECK(summary_parse_time("2025-12-01 12:30", now) == now - 41400,
	    "--since: a date and time");
	CHECK(summary_parse_time("2025-12-01T12:30:15", now) == now - 41385,
	    "--since: ISO 8601 with seconds");
	CHECK(summary_parse_time("24h", now) == now - 86400,
	    "--since: hours ago");
	CHECK(summary_parse_time("2d", now) == now - 2 * 86400,
	    "--since: days ago");
	CHECK(summary_parse_time("yesterday", now) == 0 &&
	    summary_parse_time("2025-12-01 12", now) == 0,
	    "--since: other forms are refused");
}

int
main(void)
{
	test_text_append();
	test_advice_text();
	test_severity();
	test_keys();
	test_networks();
	test_summary_times();
	return unit_failed ? 1 : 0;
}
