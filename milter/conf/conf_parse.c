/*
 * conf_parse.c - the problems found while reading a configuration file,
 * each one line "FILE:LINE: message" (see conf_parse.h).
 *
 * conf_error(), conf_errors_free(). All problems of a file are reported,
 * up to CONF_MAX_ERRORS lines, not just the first.
 * Must not: read files or know any key.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_parse.h"
#include "util/util.h"

#define CONF_MAX_ERRORS 100

void
conf_error(struct conf_parse *parse, const char *fmt, ...)
{
	struct conf_errors *errors = parse->errors;
	char line[512];
	int n;
	va_list ap;

	if (errors->count++ >= CONF_MAX_ERRORS)
		return;
	n = snprintf(line, sizeof(line), "%s:%d: ", parse->path, parse->line);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	size_t len = strlen(line);
	errors->text = xrealloc(errors->text, errors->len + len + 2);
	memcpy(errors->text + errors->len, line, len);
	errors->len += len;
	errors->text[errors->len++] = '\n';
	errors->text[errors->len] = '\0';
}

void
conf_errors_free(struct conf_errors *errors)
{
	free(errors->text);
	errors->text = NULL;
	errors->len = 0;
	errors->count = 0;
}
