/*
 * conf_keys.h - the table of configuration keys and their handlers.
 *
 * conf_keys[] drives parsing: each key has a name, how many values it
 * takes, whether it may appear only once, and a handler that checks and
 * stores its values. conf_keys_finish() checks what only the whole file
 * can tell (e.g. a route naming no egress).
 * Must not: read files itself (conf.c does), touch the network.
 */
#ifndef EM_CONF_KEYS_H
#define EM_CONF_KEYS_H

#include "conf.h"

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

extern const struct conf_key conf_keys[];

const struct conf_key *conf_key_find(const char *name);
const char *conf_key_suggest(const char *name);
void conf_keys_finish(struct conf_parse *parse);

/* Reads EgressMap's file into the configuration (conf_map.c). */
void conf_load_egress_map(struct conf_parse *parse);

/* EgressFrom postfix[:DIR]: adds the egresses Postfix's config names. */
void conf_discover_postfix(struct conf_parse *parse, const char *dir);
/* Runs ARGS[0] (postconf, postmap) with ARGS: its output lines, or NULL. */
char **conf_run_postconf(const char *const *args, char *error, size_t size);
void conf_free_lines(char **lines);

/* ControlSocket and MetricsListen (conf_ops.c). */
void key_control_socket(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues);
void key_metrics_listen(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues);

/* NAT (conf_public.c): Egress's public=, PublicAddress, and applying it. */
int conf_egress_public(struct conf_parse *parse, struct conf_egress *egress,
    const char *value);
void conf_key_public_address(struct conf_parse *parse,
    const struct conf_key *key, char **values, int nvalues);
void conf_apply_public_addresses(struct conf_parse *parse);

void conf_error(struct conf_parse *parse, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
