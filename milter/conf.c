/*
 * conf.c - reading the configuration file, the built-in defaults, and the
 * reference-counted current configuration.
 *
 * conf_load(), conf_builtin(), conf_init_defaults(), conf_free(),
 * conf_errors_free(), conf_action(), conf_set_current(), conf_current(),
 * conf_release().
 *
 * One table (keys[] in conf_keys.c) names every key with its handler;
 * this file splits lines into words, finds the key (suggesting the
 * nearest one for a typo) and reports "FILE:LINE: message" for each
 * problem. All problems of a file are reported, not just the first.
 * Must not: touch libmilter or the network.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_keys.h"
#include "log.h"
#include "util.h"

#define CONF_LINE_MAX 4096
#define CONF_MAX_WORDS 64
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

long
conf_user_uid(const char *name)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &found) != 0 ||
	    found == NULL)
		return -1;
	return (long)pw.pw_uid;
}

void
conf_init_defaults(struct conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->socket = xstrdup(CONF_DEFAULT_SOCKET);
	conf->dns_timeout = CONF_DEFAULT_DNS_TIMEOUT;
	conf->dns_tries = CONF_DEFAULT_DNS_TRIES;
	conf->message_dns_budget = CONF_DEFAULT_MESSAGE_DNS_BUDGET;
	conf->dns_cache_size = CONF_DEFAULT_DNS_CACHE_SIZE;
	conf->dns_min_ttl = CONF_DEFAULT_DNS_MIN_TTL;
	conf->dns_max_ttl = CONF_DEFAULT_DNS_MAX_TTL;
	conf->dns_negative_max_ttl = CONF_DEFAULT_DNS_NEGATIVE_MAX_TTL;
	conf->dns_serve_stale = CONF_DEFAULT_DNS_SERVE_STALE;
	conf->dnsbl_threshold = 1;
	conf->check_interval = CONF_DEFAULT_CHECK_INTERVAL;
	for (int i = 0; i < FINDING_COUNT; i++)
		conf->on[i] = finding_default_action((enum finding)i);
	conf->fallback = ACTION_TEMPFAIL;
	conf->route_header = xstrdup(CONF_DEFAULT_ROUTE_HEADER);
	conf->control_socket = xstrdup(CONF_DEFAULT_CONTROL_SOCKET);
	conf->refusal_backoff = CONF_DEFAULT_REFUSAL_BACKOFF;
	conf->refusal_global = CONF_DEFAULT_REFUSAL_GLOBAL;
	conf->map_owner_uid = conf_user_uid("postfix");
	conf->syslog = true;
	conf->syslog_facility = LOG_MAIL;
	conf->log_level = LOG_INFO;
	conf->milter_timeout = CONF_DEFAULT_MILTER_TIMEOUT;
	conf->dkim_max_signatures = CONF_DEFAULT_DKIM_MAX_SIGNATURES;
	conf->refcount = 1;
}

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

static void
egress_free(struct conf_egress *egress)
{
	free(egress->name);
	free(egress->helo);
	free(egress->route);
	free(egress->transport);
	free(egress->nexthop);
}

void
conf_free(struct conf *conf)
{
	if (conf == NULL)
		return;
	free(conf->path);
	free(conf->socket);
	for (size_t i = 0; i < conf->negress; i++)
		egress_free(&conf->egress[i]);
	for (size_t i = 0; i < conf->ndnsbl; i++)
		free(conf->dnsbl[i].zone);
	for (size_t i = 0; i < conf->ndomainbl; i++)
		free(conf->domainbl[i].zone);
	for (size_t i = 0; i < conf->negress_map; i++)
		free(conf->egress_map[i].domain);
	free(conf->egress_map);
	free(conf->egress_map_path);
	free(conf->route_header);
	free(conf->map_socket);
	free(conf->postfix_config);
	for (size_t i = 0; i < conf->nrefusal_patterns; i++)
		free(conf->refusal_patterns[i]);
	free(conf->refusal_patterns);
	free(conf->map_owner);
	free(conf->user);
	free(conf->pidfile);
	free(conf->control_socket);
	free(conf->metrics_listen);
	free(conf->postfix_dir);
	free(conf);
}

enum action
conf_action(const struct conf *conf, enum finding finding)
{
	if ((unsigned)finding >= FINDING_COUNT)
		return ACTION_ACCEPT;
	return conf->on[finding];
}

/* The current configuration, swapped by reload. */
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conf *current;

void
conf_set_current(struct conf *conf)
{
	struct conf *old;

	pthread_mutex_lock(&current_lock);
	old = current;
	current = conf;
	pthread_mutex_unlock(&current_lock);
	if (old != NULL)
		conf_release(old);
}

struct conf *
conf_current(void)
{
	struct conf *conf;

	pthread_mutex_lock(&current_lock);
	conf = current;
	if (conf != NULL)
		conf->refcount++;
	pthread_mutex_unlock(&current_lock);
	return conf;
}

void
conf_release(struct conf *conf)
{
	int left;

	if (conf == NULL)
		return;
	pthread_mutex_lock(&current_lock);
	left = --conf->refcount;
	pthread_mutex_unlock(&current_lock);
	if (left == 0)
		conf_free(conf);
}
