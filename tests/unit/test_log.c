/*
 * test_log.c - log_escape() makes hostile text safe for one log line;
 * escape_text() is the same rule for SMTP replies; a whole log line is
 * escaped even when a caller passed raw bytes; the _errno calls end the
 * line with errno's text and leave errno as it was.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/log.h"
#include "unit.h"

/*
 * Logs TEXT raw through log_write() (with errno's text when WITH_ERRNO)
 * and reads back what stderr got.
 */
static int errno_after;

static void
logged_as(const char *text, bool with_errno, char *out, size_t size)
{
	char path[] = "/tmp/em-test-log.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	if (fd < 0 || saved < 0) {
		printf("FAIL: cannot capture stderr\n");
		exit(1);
	}
	dup2(fd, 2);
	log_open(false, LOG_MAIL, true, LOG_INFO);
	if (with_errno) {
		errno = ENOENT;
		log_warn_errno("notice: %s", text);
		errno_after = errno;
	} else
		log_info("notice: %s", text);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, size - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

static void
logged(const char *text, char *out, size_t size)
{
	logged_as(text, false, out, size);
}

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
	CHECK(strcmp(escape_text(out, sizeof(out), "50%\x9b\x1b[2J",
	    ESCAPE_PERCENT), "50\\x25\\x9b\\x1b[2J") == 0,
	    "SMTP reply text: '%', C1 and ESC bytes as \\xHH");
	CHECK(strcmp(escape_text(out, sizeof(out), "\xff\xfe\\", 0),
	    "\\xff\\xfe\\") == 0, "invalid UTF-8 as \\xHH, the same way");
	logged("x\nFAKE\r\x1b[2J\x85", big, sizeof(big));
	CHECK(strcmp(big, "egress-milter: info: notice: "
	    "x\\x0aFAKE\\x0d\\x1b[2J\\x85\n") == 0,
	    "a raw field in a log line is escaped: one line, no ESC, no C1");
	{
		char line[256];

		logged_as("x.conf", true, line, sizeof(line));
		CHECK(strstr(line, "warning: notice: x.conf: No such file or "
		    "directory\n") != NULL,
		    "log_warn_errno() ends the line with errno's text");
		CHECK(errno_after == ENOENT, "log_warn_errno() leaves errno as it was");
		logged_as("x.conf", false, line, sizeof(line));
		CHECK(strstr(line, "No such file") == NULL,
		    "log_info() adds no errno text");
	}
	return unit_exit();
}
