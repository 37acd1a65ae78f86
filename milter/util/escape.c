/*
 * escape.c - the one escaping rule for text leaving the process (see
 * escape.h).
 *
 * escape_text().
 *
 * log.c applies it to every whole log line (and log_escape() to fields
 * with ESCAPE_QUOTES), policy.c to the SMTP reply text, milter.c to the
 * header values it adds; so a byte from DNS, the message or the client
 * shows the same way wherever it ends up.
 * Must not: allocate or log.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "util/escape.h"

/* The escaped form of byte C into BUF (at least 5 bytes); its length. */
static size_t
escape_byte(unsigned char c, int flags, char *buf)
{
	static const char hex[] = "0123456789abcdef";

	if ((flags & ESCAPE_QUOTES) && (c == '"' || c == '\\')) {
		buf[0] = '\\';
		buf[1] = (char)c;
		return 2;
	}
	if (c < 0x20 || c > 0x7e || ((flags & ESCAPE_PERCENT) && c == '%')) {
		buf[0] = '\\';
		buf[1] = 'x';
		buf[2] = hex[c >> 4];
		buf[3] = hex[c & 0xf];
		return 4;
	}
	buf[0] = (char)c;
	return 1;
}

/* Is C written as itself? */
static bool
plain_byte(unsigned char c, int flags)
{
	return c >= 0x20 && c <= 0x7e &&
	    !((flags & ESCAPE_QUOTES) && (c == '"' || c == '\\')) &&
	    !((flags & ESCAPE_PERCENT) && c == '%');
}

char *
escape_text(char *dst, size_t size, const char *src, int flags)
{
	size_t out = 0;

	if (size == 0)
		return dst;
	for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
		char buf[5];
		size_t n, run = 0;

		/*
		 * A run of plain bytes is copied at once while the cut mark
		 * still fits after it (the byte loop below decides the rest,
		 * the same way).
		 */
		while (out + run + 5 <= size && plain_byte(p[run], flags))
			run++;
		if (run > 0) {
			memcpy(dst + out, p, run);
			out += run;
			p += run - 1;
			continue;
		}
		n = escape_byte(*p, flags, buf);

		if (out + n + 4 > size && (p[1] != '\0' || out + n + 1 > size)) {
			if (size >= 4) {	/* room for "..." and NUL */
				while (out + 4 > size)
					out--;
				memcpy(dst + out, "...", 3);
				out += 3;
			}
			break;
		}
		memcpy(dst + out, buf, n);
		out += n;
	}
	dst[out < size ? out : size - 1] = '\0';
	return dst;
}
