/*
 * util.c - allocation wrappers that never return NULL (scratch_get()
 * among them), bounded copies, the uid of a unix socket's peer.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/log.h"
#include "util/scratch.h"
#include "util/util.h"

static void
out_of_memory(size_t size)
{
	log_fatal("out of memory allocating %zu bytes", size);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(count * size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *
xreallocarray(void *ptr, size_t count, size_t size)
{
	if (size != 0 && count > (size_t)-1 / size)
		out_of_memory((size_t)-1);
	return xrealloc(ptr, count * size);
}

void *
scratch_get(struct scratch_pool *pool)
{
	void *block = scratch_try_get(pool);

	return block != NULL ? block : xmalloc(pool->size);
}

char *
xstrdup(const char *s)
{
	size_t len = strlen(s) + 1;

	return memcpy(xmalloc(len), s, len);
}

int
copy_bounded(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (size == 0)
		return len != 0;
	if (len >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return 1;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

int
text_vappendf(char *dst, size_t size, const char *sep, const char *fmt,
    va_list ap)
{
	static const char mark[] = "...";	/* ASCII: log and SMTP alike */
	size_t len = strnlen(dst, size), at;
	int n;

	if (size < sizeof(mark) || len >= size)
		return 1;
	if (len >= sizeof(mark) - 1 &&
	    strcmp(dst + len - (sizeof(mark) - 1), mark) == 0)
		return 1;			/* already cut */
	n = snprintf(dst + len, size - len, "%s", sep);
	if (n >= 0 && (size_t)n < size - len) {
		at = len + (size_t)n;
		n = vsnprintf(dst + at, size - at, fmt, ap);
		if (n < 0) {
			dst[len] = '\0';	/* nothing added */
			return 1;
		}
		if ((size_t)n < size - at)
			return 0;
	}
	/* Cut: what fits is kept, the mark and NUL end the buffer. */
	memcpy(dst + size - sizeof(mark), mark, sizeof(mark));
	return 1;
}

int
text_appendf(char *dst, size_t size, const char *sep, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = text_vappendf(dst, size, sep, fmt, ap);
	va_end(ap);
	return rc;
}

int
text_append(char *dst, size_t size, const char *sep, const char *text)
{
	return text_appendf(dst, size, sep, "%s", text);
}

void
format_time(char *out, size_t size, time_t t, const char *format, bool utc)
{
	struct tm tm;

	if (t == 0 || (utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) ==
	    NULL || strftime(out, size, format, &tm) == 0)
		copy_bounded(out, size, "-");
}

long
unix_peer_uid(int fd)
{
#ifdef SO_PEERCRED
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		return (long)cred.uid;
#else
	(void)fd;
#endif
	return -1;
}
