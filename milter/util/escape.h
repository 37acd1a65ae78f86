/*
 * escape.h - the one escaping rule for every text that leaves the
 * process: log lines, SMTP reply text, header values.
 *
 * escape_text() copies text and writes every byte outside printable
 * ASCII (0x20-0x7e) as \xHH (lower-case hex): CR, LF, NUL-free control
 * bytes, ESC, DEL, C1 bytes (0x80-0x9f) and all 8-bit bytes, valid UTF-8
 * or not. ESCAPE_QUOTES also writes '"' and '\' as \" and \\ (for
 * quoted key="value" log fields); ESCAPE_PERCENT writes '%' as \x25 (an
 * SMTP reply through smfi_setreply). The result is bounded by SIZE and
 * cut short with "..." when it does not fit.
 * Must not: allocate or log.
 */
#ifndef EM_ESCAPE_H
#define EM_ESCAPE_H

#include <stddef.h>

#define ESCAPE_QUOTES 1
#define ESCAPE_PERCENT 2

/* Returns DST. */
char *escape_text(char *dst, size_t size, const char *src, int flags);

#endif
