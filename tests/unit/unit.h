/*
 * unit.h - the smallest test harness: each assertion prints one line,
 * "PASS: name" or "FAIL: name (file:line) detail", which tests/run-tests
 * counts. unit_exit() returns 1 when anything failed.
 */
#ifndef EM_UNIT_H
#define EM_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_load.h"
#include "conf/conf_parse.h"

static int unit_failed;

static inline const char *
unit_text(const char *s)
{
	return s != NULL ? s : "";
}

#define CHECK(cond, name) do { \
	if (cond) { \
		printf("PASS: %s\n", (name)); \
	} else { \
		printf("FAIL: %s (%s:%d) %s\n", (name), __FILE__, __LINE__, \
		    #cond); \
		unit_failed++; \
	} \
	fflush(stdout); \
} while (0)

/* Checks that HAYSTACK contains NEEDLE and shows HAYSTACK when not. */
#define CHECK_CONTAINS(haystack, needle, name) do { \
	const char *h_ = unit_text(haystack); \
	if (strstr(h_, (needle)) != NULL) { \
		printf("PASS: %s\n", (name)); \
	} else { \
		printf("FAIL: %s (%s:%d) expected \"%s\" in \"%s\"\n", \
		    (name), __FILE__, __LINE__, (needle), h_); \
		unit_failed++; \
	} \
	fflush(stdout); \
} while (0)

/*
 * Writes TEXT as DIR/test.conf, after the lines every such test needs
 * (no syslog, a nameserver where nothing answers, egresses a and b),
 * and loads it; a FAIL line and exit 1 when it does not load.
 */
static inline struct conf *
unit_load_conf(const char *dir, const char *text)
{
	char path[300];
	struct conf_errors errors = { NULL, 0, 0 };
	struct conf *conf;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/test.conf", dir);
	if ((fp = fopen(path, "w")) == NULL)
		exit(2);
	fprintf(fp, "Syslog no\nNameservers 127.0.0.1:1\n"
	    "Egress a 203.0.113.210\nEgress b 203.0.113.211\n%s", text);
	fclose(fp);
	conf = conf_load(path, &errors);
	if (conf == NULL) {
		printf("FAIL: configuration loads (%s)\n", errors.text);
		exit(1);
	}
	conf_errors_free(&errors);
	return conf;
}

static inline int
unit_exit(void)
{
	return unit_failed ? 1 : 0;
}

#endif
