/*
 * log.h - the project's logging ladder: syslog (LOG_MAIL by default,
 * ident "egress-milter"), and stderr too in the foreground.
 *
 * log_open() chooses the sinks and the threshold; log_debug/info/notice/
 * warn/err() write one line, log_warn_errno() and log_err_errno() the
 * same with ": " and strerror(errno) at its end; log_fatal() (and
 * log_fatal_errno()) writes and exits 1: the operator's problem (a file
 * that cannot be written, a port in use). log_panic() writes and aborts:
 * what cannot happen, a bug.
 * log_escape() makes untrusted text (addresses, header values, DNS
 * names) safe for a key=value log line: printable ASCII only, bounded.
 * Every line is escaped as a whole as well (escape.h's rule).
 * Must not: allocate, or block on anything but syslog/stderr.
 */
#ifndef EM_LOG_H
#define EM_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

void log_open(bool use_syslog, int facility, bool use_stderr, int threshold);
void log_set_threshold(int threshold);
/* stderr lines as "<N>text" for the journal (sd-daemon(3)); see logto.c. */
void log_set_journal(bool journal);
void log_set_stderr(bool use_stderr);
void log_close(void);

void log_write(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_write_errno(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void log_fatal_errno(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void log_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_write(LOG_NOTICE, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARNING, __VA_ARGS__)
#define log_err(...) log_write(LOG_ERR, __VA_ARGS__)
#define log_warn_errno(...) log_write_errno(LOG_WARNING, __VA_ARGS__)
#define log_err_errno(...) log_write_errno(LOG_ERR, __VA_ARGS__)

/*
 * Copies SRC into DST (SIZE bytes) with '"', '\\' and every byte outside
 * printable ASCII written as \xHH; cut short with "..." when too long
 * (escape_text() with ESCAPE_QUOTES). Returns DST.
 */
char *log_escape(char *dst, size_t size, const char *src);

#endif
