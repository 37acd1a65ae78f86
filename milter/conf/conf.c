/*
 * conf.c - the configuration model: every key's default, freeing, the
 * action of a finding, and the reference-counted current configuration.
 *
 * conf_init_defaults(), conf_free(), conf_egress_slot(),
 * conf_public_slot(), conf_action(), conf_set_current(), conf_current(),
 * conf_release(), conf_user_uid().
 * Must not: read files (conf_load.c does), touch libmilter or the network.
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

#include "conf/conf.h"
#include "global/finding.h"
#include "paths.h"
#include "util/log.h"
#include "util/util.h"

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
	conf->dnsbl_rate = CONF_DEFAULT_DNSBL_RATE;
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
	conf->state_file = xstrdup(EM_STATE_PATH);
	conf->refcount = 1;
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

/*
 * Grows *ARRAY of *ROOM entries of SIZE bytes so that entry USED exists
 * (doubling: memory stays linear in the entries); false at the limit.
 */
static bool
grow(void **array, size_t *room, size_t used, size_t size)
{
	size_t want;

	if (used >= CONF_EGRESS_LIMIT)
		return false;
	if (used < *room)
		return true;
	want = *room ? *room * 2 : 8;
	if (want > CONF_EGRESS_LIMIT)
		want = CONF_EGRESS_LIMIT;
	*array = xreallocarray(*array, want, size);
	*room = want;
	return true;
}

struct conf_egress *
conf_egress_slot(struct conf *conf)
{
	void *array = conf->egress;
	struct conf_egress *e;

	if (!grow(&array, &conf->egress_room, conf->negress, sizeof(*e)))
		return NULL;
	conf->egress = array;
	e = &conf->egress[conf->negress];
	memset(e, 0, sizeof(*e));
	return e;
}

struct conf_public *
conf_public_slot(struct conf *conf)
{
	void *array = conf->publics;
	struct conf_public *p;

	if (!grow(&array, &conf->public_room, conf->npublic, sizeof(*p)))
		return NULL;
	conf->publics = array;
	p = &conf->publics[conf->npublic];
	memset(p, 0, sizeof(*p));
	return p;
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
	free(conf->egress);
	free(conf->publics);
	for (size_t i = 0; i < conf->ndnsbl; i++) {
		free(conf->dnsbl[i].zone);
		free(conf->dnsbl[i].name);
	}
	for (size_t i = 0; i < conf->ndomainbl; i++) {
		free(conf->domainbl[i].zone);
		free(conf->domainbl[i].name);
	}
	for (size_t i = 0; i < conf->negress_map; i++)
		free(conf->egress_map[i].domain);
	free(conf->egress_map);
	free(conf->egress_map_path);
	for (size_t i = 0; i < conf->nwarmup; i++) {
		free(conf->warmup[i].egress);
		free(conf->warmup[i].caps);
		free(conf->warmup[i].schedule);
	}
	free(conf->warmup);
	free(conf->route_header);
	free(conf->map_socket);
	free(conf->postfix_config);
	for (size_t i = 0; i < conf->nrefusal_patterns; i++)
		free(conf->refusal_patterns[i]);
	free(conf->refusal_patterns);
	free(conf->map_owner);
	free(conf->user);
	free(conf->pidfile);
	free(conf->state_file);
	free(conf->control_socket);
	free(conf->metrics_listen);
	free(conf->postfix_dir);
	free(conf->redis);
	free(conf->redis_user);
	if (conf->redis_password != NULL)
		explicit_bzero(conf->redis_password,
		    strlen(conf->redis_password));
	free(conf->redis_password);
	free(conf->relay_name);
	for (size_t i = 0; i < conf->nbudgets; i++)
		free(conf->budgets[i].zone);
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
