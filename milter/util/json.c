/*
 * json.c - JSON strings that stay valid whatever bytes they carry.
 */
#include "config.h"

#include "util/json.h"

void
json_string(FILE *fp, const char *s)
{
	putc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p < 0x20 || *p > 0x7e)
			fprintf(fp, "\\u%04x", *p);
		else
			putc(*p, fp);
	}
	putc('"', fp);
}

void
json_string_or_null(FILE *fp, const char *s)
{
	if (s == NULL || s[0] == '\0')
		fputs("null", fp);
	else
		json_string(fp, s);
}
