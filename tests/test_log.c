/*
 * test_log.c - log_escape() makes hostile text safe for one log line.
 */
#include "config.h"

#include "log.h"
#include "unit.h"

int
main(void)
{
	char out[32], big[300];

	CHECK(strcmp(log_escape(out, sizeof(out), "a@example.test"),
	    "a@example.test") == 0, "escape: plain text unchanged");
	CHECK(strcmp(log_escape(out, sizeof(out), "a\r\nb\"c\\"),
	    "a\\x0d\\x0ab\\\"c\\\\") == 0,
	    "escape: CR, LF, quote and backslash escaped");
	CHECK(strcmp(log_escape(out, sizeof(out), "\xc3\xa9"),
	    "\\xc3\\xa9") == 0, "escape: 8-bit bytes as hex");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_escape(out, sizeof(out), big);
	CHECK(strlen(out) < sizeof(out) && strcmp(out + strlen(out) - 3,
	    "...") == 0, "escape: long text cut with ... inside the buffer");
	return unit_exit();
}
