/*
 * unit.h - the smallest test harness: each assertion prints one line,
 * "PASS: name" or "FAIL: name (file:line) detail", which tests/run-tests
 * counts. unit_exit() returns 1 when anything failed.
 */
#ifndef EM_UNIT_H
#define EM_UNIT_H

#include <stdio.h>
#include <string.h>

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

static inline int
unit_exit(void)
{
	return unit_failed ? 1 : 0;
}

#endif
