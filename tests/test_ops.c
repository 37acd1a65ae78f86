/*
 * test_ops.c - the pieces of the operations interfaces that need no
 * server: texts cut with a visible mark, the advice list as JSON and
 * for an SMTP reply, the SPF advice, and the severity of state changes.
 */
#include "config.h"

#include <stdlib.h>

#include "advice.h"
#include "healthlog.h"
#include "log.h"
#include "unit.h"
#include "util.h"

static void
test_text_append(void)
{
	char buf[16] = "", big[32] = "", esc[64];

	CHECK(text_append(buf, sizeof(buf), "", "short") == 0 &&
	    strcmp(buf, "short") == 0, "text_append: a text that fits");
	CHECK(text_append(buf, sizeof(buf), "; ", "and a long one") == 1,
	    "text_append: a text that does not fit says so");
	CHECK(strlen(buf) == sizeof(buf) - 1 &&
	    strcmp(buf + strlen(buf) - 3, "\xe2\x80\xa6") == 0,
	    "text_append: the cut text ends with a visible \"...\" mark (U+2026)");
	CHECK(text_append(buf, sizeof(buf), "; ", "x") == 1 &&
	    strcmp(buf + strlen(buf) - 3, "\xe2\x80\xa6") == 0,
	    "text_append: nothing is added after the mark");
	text_append(big, sizeof(big), "", "dmarc-fail: a reason of exactly this many bytes and more");
	CHECK_CONTAINS(log_escape(esc, sizeof(esc), big), "\xe2\x80\xa6",
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

int
main(void)
{
	test_text_append();
	test_advice_text();
	test_severity();
	return unit_failed ? 1 : 0;
}
