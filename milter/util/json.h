/*
 * json.h - writing JSON text safely.
 *
 * json_string() writes a quoted JSON string: quotes, backslashes and
 * control characters escaped, and bytes over 0x7e written as \u00XX so
 * the output is valid JSON (and ASCII) whatever a DNS answer held.
 * Must not: allocate.
 */
#ifndef EM_JSON_H
#define EM_JSON_H

#include <stdio.h>

void json_string(FILE *fp, const char *s);
/* A string, or null when S is NULL or empty. */
void json_string_or_null(FILE *fp, const char *s);

#endif
