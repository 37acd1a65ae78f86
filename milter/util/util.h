/*
 * util.h - small helpers every module uses.
 *
 * xmalloc(), xcalloc(), xrealloc(), xstrdup(): allocate or exit with a
 * log line (an allocator that never returns NULL, as Postfix's does).
 * strlcpy_bounded(): copy with truncation, always terminated.
 * text_append(), text_appendf(): append with a visible mark where it
 * was cut.
 * Must not: do I/O other than the fatal log line.
 */
#ifndef EM_UTIL_H
#define EM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct scratch_pool;

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
/* A block of POOL's size (util/scratch.h), or exits with a log line. */
void *scratch_get(struct scratch_pool *pool);

/* Copies SRC into DST (SIZE bytes); returns 1 when SRC was cut short. */
int copy_bounded(char *dst, size_t size, const char *src);

/*
 * Writes T with strftime FORMAT, in UTC or local time, or "-" when T is
 * 0 or cannot be shown.
 */
void format_time(char *out, size_t size, time_t t, const char *format,
    bool utc);

/*
 * Appends SEP and TEXT to the string in DST (SIZE bytes). When they do
 * not fit, what fits is kept and the string ends with a visible "..."
 * (plain ASCII, so the log's escaping leaves it as it is); returns 1
 * then, else 0.
 */
int text_append(char *dst, size_t size, const char *sep, const char *text);
/* The same with TEXT formatted in place, as printf's FMT gives it. */
int text_appendf(char *dst, size_t size, const char *sep, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
int text_vappendf(char *dst, size_t size, const char *sep, const char *fmt,
    va_list ap) __attribute__((format(printf, 4, 0)));

/* The uid of the peer of unix socket FD (SO_PEERCRED), or -1. */
long unix_peer_uid(int fd);

#endif
