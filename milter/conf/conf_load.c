/*
 * conf_load.c - reading a configuration file (see conf_load.h).
 *
 * conf_load(). One table (conf_keys[] in conf_keys.c) names every key
 * with its handler; this file splits lines into words, finds the key
 * (suggesting the nearest one for a typo) and hands its values to the
 * handler, which reports each problem through conf_error().
 * Must not: touch libmilter or the network.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "conf/conf_keys.h"
#include "conf/conf_load.h"
#include "conf/conf_parse.h"
#include "util/log.h"
#include "util/util.h"

#define CONF_LINE_MAX 4096
#define CONF_MAX_WORDS 64

/* Splits LINE in place into words; '#' starts a comment. */
static int
split_words(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max)
			return -1;
		words[n++] = p;
		while (*p != '\0' && !isspace((unsigned char)*p) && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			return n;
		}
		if (*p != '\0')
			*p++ = '\0';
	}
}

static void
parse_line(struct conf_parse *parse, char *line)
{
	char *words[CONF_MAX_WORDS];
	int nwords = split_words(line, words, CONF_MAX_WORDS);
	const struct conf_key *key;

	if (nwords == 0)
		return;
	if (nwords < 0) {
		conf_error(parse, "too many words on one line (%d at most)",
		    CONF_MAX_WORDS);
		return;
	}
	key = conf_key_find(words[0]);
	if (key == NULL) {
		char name[80];
		const char *hint = conf_key_suggest(words[0]);

		log_escape(name, sizeof(name), words[0]);
		if (hint != NULL)
			conf_error(parse, "unknown key \"%s\" (did you mean "
			    "\"%s\"?)", name, hint);
		else
			conf_error(parse, "unknown key \"%s\"", name);
		return;
	}
	if (nwords - 1 < key->min_values) {
		conf_error(parse, "%s: missing value (expected: %s %s)",
		    key->name, key->name, key->usage);
		return;
	}
	if (key->max_values >= 0 && nwords - 1 > key->max_values) {
		conf_error(parse, "%s: too many values (expected: %s %s)",
		    key->name, key->name, key->usage);
		return;
	}
	if (key->single) {
		int *seen = &parse->seen[key - conf_keys];

		if (*seen) {
			conf_error(parse, "%s given twice (first on line %d)",
			    key->name, *seen);
			return;
		}
		*seen = parse->line;
	}
	if (key - conf_keys < CONF_MAX_KEYS)	/* for -t: conf_print.c */
		parse->conf->key_line[key - conf_keys] = parse->line;
	key->handler(parse, key, words + 1, nwords - 1);
}

static void
parse_stream(struct conf_parse *parse, FILE *fp)
{
	char line[CONF_LINE_MAX + 2];

	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);

		parse->line++;
		if (len > 0 && line[len - 1] != '\n' && !feof(fp)) {
			int c;

			conf_error(parse, "line longer than %d characters",
			    CONF_LINE_MAX);
			while ((c = getc(fp)) != EOF && c != '\n')
				;
			continue;
		}
		parse_line(parse, line);
	}
}

struct conf *
conf_load(const char *path, struct conf_errors *errors)
{
	struct conf_parse parse;
	struct conf *conf = xmalloc(sizeof(*conf));
	FILE *fp;
	int before = errors->count;

	conf_init_defaults(conf);
	conf->path = xstrdup(path);
	memset(&parse, 0, sizeof(parse));
	parse.conf = conf;
	parse.path = path;
	parse.errors = errors;
	fp = fopen(path, "r");
	if (fp == NULL) {
		conf_error(&parse, "cannot open: %s", strerror(errno));
		conf_free(conf);
		return NULL;
	}
	parse_stream(&parse, fp);
	if (ferror(fp))
		conf_error(&parse, "read error: %s", strerror(errno));
	fclose(fp);
	if (errors->count == before)
		conf_keys_finish(&parse);
	if (errors->count != before) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}
