/*
 * log.c - one line per event to syslog and, in the foreground, stderr.
 *
 * The threshold is a syslog priority (LOG_ERR .. LOG_DEBUG); lines above
 * it are dropped. stderr lines carry the priority name so a test or an
 * operator reading a terminal sees the same facts syslog gets; for the
 * journal (log_set_journal) they begin with "<N>" instead, the priority
 * as sd-daemon(3) describes, so journald files each at its own level.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/log.h"
#include "util/scratch.h"

#define LOG_IDENT "egress-milter"
#define LOG_LINE_MAX 16384
#define LOG_PREFIX_MAX 40		/* "egress-milter: warning: " */

static bool log_to_syslog;
static bool log_to_stderr = true;
/* set by a reload while other threads log (atomic: ThreadSanitizer) */
static atomic_int log_threshold = LOG_INFO;
static bool log_journal;		/* stderr lines as "<N>text" */

void
log_open(bool use_syslog, int facility, bool use_stderr, int threshold)
{
	if (log_to_syslog)
		closelog();
	log_to_syslog = use_syslog;
	log_to_stderr = use_stderr;
	log_threshold = threshold;
	if (use_syslog)
		openlog(LOG_IDENT, LOG_PID | LOG_NDELAY, facility);
}

void
log_set_threshold(int threshold)
{
	log_threshold = threshold;
}

void
log_set_journal(bool journal)
{
	log_journal = journal;
}

void
log_set_stderr(bool use_stderr)
{
	log_to_stderr = use_stderr;
}

void
log_close(void)
{
	if (log_to_syslog)
		closelog();
	log_to_syslog = false;
}

static const char *
priority_name(int priority)
{
	switch (priority) {
	case LOG_EMERG: case LOG_ALERT: return "fatal";
	case LOG_CRIT: return "crit";
	case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_INFO: return "info";
	default: return "debug";
	}
}

/* Writes LEN bytes of BUF to stderr in one write(2) where it can. */
static void
write_stderr(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * A line's buffers: from a scratch pool (scratch.h), not the stack of
 * the libmilter thread that logs a decision.
 */
struct log_buffers {
	char raw[LOG_LINE_MAX];
	char line[LOG_PREFIX_MAX + LOG_LINE_MAX + 1];
};

static struct scratch_pool log_pool = SCRATCH_POOL(sizeof(struct log_buffers));

/* One line at PRIORITY; ERR >= 0 appends ": " and strerror(ERR). */
static void
log_vwrite(int priority, int err, const char *fmt, va_list ap)
{
	struct log_buffers *b;
	char small_raw[256], small_line[LOG_PREFIX_MAX + 256 + 1];
	char *raw = small_raw, *line = small_line;
	size_t raw_size = sizeof(small_raw), line_size = sizeof(small_line);
	size_t prefix = 0, len;

	if (priority > log_threshold)
		return;
	/* Out of memory (the log line of out_of_memory() itself): short. */
	b = scratch_try_get(&log_pool);
	if (b != NULL) {
		raw = b->raw;
		raw_size = sizeof(b->raw);
		line = b->line;
		line_size = sizeof(b->line);
	}
	vsnprintf(raw, raw_size, fmt, ap);
	if (err >= 0) {
		len = strlen(raw);
		snprintf(raw + len, raw_size - len, ": %s", strerror(err));
	}
	/* stderr: one write(2) per line, no stdio lock shared by threads. */
	if (log_to_stderr && log_journal)
		prefix = (size_t)snprintf(line, LOG_PREFIX_MAX, "<%d>",
		    priority);
	else if (log_to_stderr)
		prefix = (size_t)snprintf(line, LOG_PREFIX_MAX, LOG_IDENT
		    ": %s: ", priority_name(priority));
	escape_text(line + prefix, line_size - prefix - 1, raw, 0);
	if (log_to_syslog)
		syslog(priority, "%s", line + prefix);
	if (log_to_stderr) {
		len = prefix + strlen(line + prefix);
		line[len++] = '\n';
		write_stderr(line, len);
	}
	scratch_put(&log_pool, b);
}

void
log_write(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(priority, -1, fmt, ap);
	va_end(ap);
}

void
log_write_errno(int priority, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(priority, err, fmt, ap);
	va_end(ap);
	errno = err;
}

void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, -1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_fatal_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, err, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, -1, fmt, ap);
	va_end(ap);
	abort();
}

char *
log_escape(char *dst, size_t size, const char *src)
{
	return escape_text(dst, size, src, ESCAPE_QUOTES);
}
