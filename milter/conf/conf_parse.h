/*
 * conf_parse.h - the state of reading one configuration file, the table
 * entry of a key, and the "FILE:LINE: message" list of its problems.
 *
 * conf_error() and conf_errors_free() are conf_parse.c's; the loader
 * (conf_load.c) and every key handler (conf_keys.c, conf_map.c,
 * conf_ops.c, conf_postfix.c, conf_public.c) share these types.
 * Must not: read files or know any key.
 */
#ifndef EM_CONF_PARSE_H
#define EM_CONF_PARSE_H

#include "conf/conf.h"

/* A list of "FILE:LINE: message" lines. */
struct conf_errors {
	char *text;			/* NUL-terminated, lines end in '\n' */
	size_t len;
	int count;
};

struct conf_parse {
	struct conf *conf;
	const char *path;
	int line;
	struct conf_errors *errors;
	int seen[64];			/* line of a single key's first use */
	int on_seen[FINDING_COUNT];	/* line of each finding's On */
	int egress_map_line;		/* of the EgressMap line */
};

struct conf_key {
	const char *name;
	const char *usage;
	int min_values;
	int max_values;			/* -1: no limit */
	bool single;
	void (*handler)(struct conf_parse *, const struct conf_key *,
	    char **values, int nvalues);
	/* For whole-number keys (handler key_number): where and range. */
	size_t offset;
	long min, max;
};

void conf_error(struct conf_parse *parse, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void conf_errors_free(struct conf_errors *errors);

#endif
