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

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "log.h"

#define LOG_IDENT "egress-milter"
#define LOG_LINE_MAX 16384

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

static void
log_vwrite(int priority, const char *fmt, va_list ap)
{
	char raw[LOG_LINE_MAX], line[LOG_LINE_MAX];

	if (priority > log_threshold)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	escape_text(line, sizeof(line), raw, 0);
	if (log_to_syslog)
		syslog(priority, "%s", line);
	if (log_to_stderr && log_journal)
		fprintf(stderr, "<%d>%s\n", priority, line);
	else if (log_to_stderr)
		fprintf(stderr, LOG_IDENT ": %s: %s\n", priority_name(priority),
		    line);
}

void
log_write(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(priority, fmt, ap);
	va_end(ap);
}

void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

char *
log_escape(char *dst, size_t size, const char *src)
{
	return escape_text(dst, size, src, ESCAPE_QUOTES);
}
