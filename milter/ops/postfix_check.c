/*
 * postfix_check.c - "egress-milter -t" looks at the Postfix side too,
 * when the configuration has PostfixConfig DIR or EgressFrom postfix.
 *
 * postfix_check().
 *
 * Finds Postfix's config_directory with postconf, reads master.cf itself
 * (for line numbers; a transport is a service of type unix, matched
 * by name and type) and asks postconf for main.cf values and postmap
 * for milter_header_checks answers; no shell. Checks: every transport=
 * is a master.cf service; with MapSocket, main.cf's
 * sender_dependent_default_transport_maps uses the route map, every
 * egress transport has its smtp_delivery_status_filter status map and
 * master.cf has the retry service; without it, every route= but the
 * default transport's gets a FILTER from milter_header_checks, with a
 * nexthop when relayhost is set (an empty one bypasses it). Each problem
 * is one "FILE:LINE: what" line.
 * Must not: change any file; resolve names; touch libmilter.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_keys.h"
#include "conf/conf_postfix.h"
#include "ops/postfix_check.h"
#include "util/util.h"

#define PFC_MAX_SERVICES 256

struct pfc_service {
	char name[128];
	char type[16];			/* inet, unix, unix-dgram, fifo, pass */
	char options[2048];		/* the continuation lines, joined */
	char command[64];
	int line;
};

struct pfc {
	const struct conf *conf;
	const char *path;		/* egress-milter.conf, for messages */
	char dir[512];			/* Postfix's config_directory */
	struct pfc_service *services;
	size_t nservices;
	FILE *out;
	int problems;
};

static void pfc_problem(struct pfc *p, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
pfc_problem(struct pfc *p, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(p->out, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
	fputc('\n', p->out);
	p->problems++;
}

/* postconf [-c DIR] -x -h PARAM: its value, or NULL (free it). */
static char *
pfc_postconf(const struct pfc *p, const char *param)
{
	const char *args[] = { "postconf", "-x", "-h", param, NULL, NULL,
	    NULL };
	char error[256], **lines, *value;

	if (p->conf->postfix_config != NULL) {
		args[3] = "-c";
		args[4] = p->conf->postfix_config;
		args[5] = param;
	}
	if ((lines = conf_run_postconf(args, error, sizeof(error))) == NULL)
		return NULL;
	value = xstrdup(lines[0] ? lines[0] : "");
	conf_free_lines(lines);
	return value;
}

/* Adds one master.cf service line ("name type ... command args"). */
static void
pfc_add_service(struct pfc *p, const char *text, int line)
{
	struct pfc_service *s;
	char fields[8][128];
	int n;

	if (p->nservices == PFC_MAX_SERVICES)
		return;
	n = sscanf(text, "%127s %127s %127s %127s %127s %127s %127s %127s",
	    fields[0], fields[1], fields[2], fields[3], fields[4], fields[5],
	    fields[6], fields[7]);
	if (n < 8)
		return;
	s = &p->services[p->nservices++];
	copy_bounded(s->name, sizeof(s->name), fields[0]);
	copy_bounded(s->type, sizeof(s->type), fields[1]);
	copy_bounded(s->command, sizeof(s->command), fields[7]);
	copy_bounded(s->options, sizeof(s->options), text);
	s->line = line;
}

/* Reads DIR/master.cf; false when it cannot be read. */
static bool
pfc_read_master(struct pfc *p)
{
	char path[600], buf[1024];
	FILE *fp;
	int line = 0;
	struct pfc_service *last = NULL;

	snprintf(path, sizeof(path), "%s/master.cf", p->dir);
	if ((fp = fopen(path, "r")) == NULL)
		return false;
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		line++;
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0] == '#' || buf[strspn(buf, " \t")] == '\0')
			continue;
		if (isspace((unsigned char)buf[0]) && last != NULL) {
			size_t len = strlen(last->options);

			snprintf(last->options + len, sizeof(last->options) -
			    len, " %s", buf + strspn(buf, " \t"));
			continue;
		}
		pfc_add_service(p, buf, line);
		last = p->nservices ? &p->services[p->nservices - 1] : NULL;
	}
	fclose(fp);
	return true;
}

/*
 * The master.cf service a transport name means: NAME of type "unix",
 * the only type qmgr delivers through. Debian's stock master.cf has
 * "smtp inet ... smtpd" before "smtp unix ... smtp"; the first is the
 * SMTP server, never a transport.
 */
static const struct pfc_service *
pfc_service(const struct pfc *p, const char *name)
{
	for (size_t i = 0; i < p->nservices; i++)
		if (strcmp(p->services[i].name, name) == 0 &&
		    strcmp(p->services[i].type, "unix") == 0)
			return &p->services[i];
	return NULL;
}

/* The line of "PARAM =" in DIR/main.cf, or 0. */
static int
pfc_main_line(const struct pfc *p, const char *param)
{
	char path[600], buf[1024];
	size_t len = strlen(param);
	int line = 0, found = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/main.cf", p->dir);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		line++;
		if (strncmp(buf, param, len) == 0 && (buf[len] == ' ' ||
		    buf[len] == '\t' || buf[len] == '='))
			found = line;
	}
	fclose(fp);
	return found;
}

/* MapSocket in Postfix's words: "socketmap:inet:HOST:PORT" and so on. */
static void
pfc_map_name(const char *spec, char *out, size_t size)
{
	const char *rest = strchr(spec, ':') + 1, *at = strchr(rest, '@');
	bool v6 = strncasecmp(spec, "inet6:", 6) == 0;

	if (strncasecmp(spec, "unix:", 5) == 0 ||
	    strncasecmp(spec, "local:", 6) == 0)
		snprintf(out, size, "socketmap:unix:%s", rest);
	else
		snprintf(out, size, "socketmap:inet:%s%s%s:%.*s", v6 ? "[" : "",
		    at ? at + 1 : v6 ? "::1" : "127.0.0.1", v6 ? "]" : "",
		    (int)(at ? (size_t)(at - rest) : strlen(rest)), rest);
}

/* MapSocket mode: the route map, the status maps, the retry service. */
static void
pfc_check_maps(struct pfc *p)
{
	const struct conf *conf = p->conf;
	char map[600], want[700], main_cf[600], master_cf[600];
	char *value = pfc_postconf(p, "sender_dependent_default_transport_maps");
	const struct pfc_service *s;
	int line;

	pfc_map_name(conf->map_socket, map, sizeof(map));
	snprintf(main_cf, sizeof(main_cf), "%s/main.cf", p->dir);
	snprintf(master_cf, sizeof(master_cf), "%s/master.cf", p->dir);
	snprintf(want, sizeof(want), "%s:route", map);
	if (value == NULL || strstr(value, want) == NULL) {
		line = pfc_main_line(p, "sender_dependent_default_transport_maps");
		if (line > 0)
			pfc_problem(p, main_cf, line, "sender_dependent_default_"
			    "transport_maps does not use %s (MapSocket)", want);
		else
			pfc_problem(p, p->path, conf->map_socket_line, "MapSocket: "
			    "%s has no sender_dependent_default_transport_maps "
			    "= %s", main_cf, want);
	}
	free(value);
	for (size_t i = 0; i < conf->negress; i++) {
		const struct conf_egress *e = &conf->egress[i];

		if (e->transport == NULL || (s = pfc_service(p, e->transport)) ==
		    NULL)
			continue;
		snprintf(want, sizeof(want), "smtp_delivery_status_filter=%s:"
		    "status-%s", map, e->name);
		if (strstr(s->options, want) == NULL)
			pfc_problem(p, master_cf, s->line, "service %s (egress "
			    "%s) has no -o %s", s->name, e->name, want);
	}
	if ((s = pfc_service(p, "retry")) == NULL || strcmp(s->command,
	    "error") != 0)
		pfc_problem(p, p->path, conf->map_socket_line, "MapSocket: %s "
		    "has no \"retry unix - - n - - error\" service for the "
		    "route map's deferrals", master_cf);
}

/* postmap -q "HEADER: ROUTE" MAP: the answer, or "" (free it). */
static char *
pfc_postmap(const struct pfc *p, const char *query, const char *map)
{
	const char *args[] = { "postmap", "-q", query, map, NULL, NULL, NULL };
	char error[256], **lines, *answer;

	if (p->conf->postfix_config != NULL) {
		args[1] = "-c";
		args[2] = p->conf->postfix_config;
		args[3] = "-q";
		args[4] = query;
		args[5] = map;
	}
	lines = conf_run_postconf(args, error, sizeof(error));
	answer = xstrdup(lines && lines[0] ? lines[0] : "");
	conf_free_lines(lines);
	return answer;
}

/*
 * Header mode: ROUTE of E must become "FILTER transport:nexthop", unless
 * E's transport is the default_transport (no rule: the default route).
 * An empty nexthop means default_filter_nexthop, else the recipient
 * domain's MX (Postfix 2.7 and later), which bypasses relayhost: a
 * problem only when relayhost is set and default_filter_nexthop is not.
 */
static void
pfc_check_route(struct pfc *p, const struct conf_egress *e, const char *maps,
    const char *default_transport, const char *relayhost)
{
	char query[300], map[512], *answer = NULL;
	const char *q = maps;
	size_t len;

	snprintf(query, sizeof(query), "%s: %s", p->conf->route_header,
	    e->route);
	while (*q != '\0' && (answer == NULL || answer[0] == '\0')) {
		q += strspn(q, " ,\t");
		if ((len = strcspn(q, " ,\t")) == 0 || len >= sizeof(map))
			break;
		memcpy(map, q, len);
		map[len] = '\0';
		q += len;
		free(answer);
		answer = pfc_postmap(p, query, map);
	}
	const char *colon = answer ? strchr(answer, ':') : NULL;

	if ((answer == NULL || answer[0] == '\0') && e->transport != NULL &&
	    strcmp(e->transport, default_transport) == 0)
		;	/* no FILTER: the default transport, as wanted */
	else if (answer == NULL || strncasecmp(answer, "FILTER ", 7) != 0)
		pfc_problem(p, p->path, e->line, "Egress %s: route=%s has no "
		    "milter_header_checks rule (\"/^%s$/ FILTER transport:"
		    "[host]:port\")", e->name, e->route, query);
	else if ((colon == NULL || colon[1] == '\0') && relayhost[0] != '\0')
		pfc_problem(p, p->path, e->line, "Egress %s: route=%s gives "
		    "\"%s\" with an empty nexthop: it goes to the recipient "
		    "domain's MX and bypasses relayhost = %s; give it as the "
		    "nexthop (\"%s%s%s\")", e->name, e->route, answer,
		    relayhost, answer, colon ? "" : ":", relayhost);
	free(answer);
}

static void
pfc_check_transports(struct pfc *p)
{
	char master_cf[600];

	snprintf(master_cf, sizeof(master_cf), "%s/master.cf", p->dir);
	for (size_t i = 0; i < p->conf->negress; i++) {
		const struct conf_egress *e = &p->conf->egress[i];

		if (e->transport != NULL && pfc_service(p, e->transport) == NULL)
			pfc_problem(p, p->path, e->line, "Egress %s: transport=%s "
			    "is not a \"%s unix\" service in %s", e->name,
			    e->transport, e->transport, master_cf);
	}
}

int
postfix_check(const struct conf *conf, FILE *out)
{
	struct pfc p;
	char *dir, *maps;

	memset(&p, 0, sizeof(p));
	p.conf = conf;
	p.out = out;
	p.path = conf->path ? conf->path : "built-in defaults";
	if (!conf->postfix_check)
		return 0;
	if ((dir = pfc_postconf(&p, "config_directory")) == NULL) {
		pfc_problem(&p, p.path, 0, "cannot ask postconf for Postfix's "
		    "configuration (PostfixConfig, EgressFrom postfix)");
		return p.problems;
	}
	copy_bounded(p.dir, sizeof(p.dir), conf->postfix_config ?
	    conf->postfix_config : dir);
	free(dir);
	p.services = xcalloc(PFC_MAX_SERVICES, sizeof(*p.services));
	if (!pfc_read_master(&p))
		pfc_problem(&p, p.path, 0, "cannot read %s/master.cf", p.dir);
	pfc_check_transports(&p);
	if (conf->map_socket != NULL) {
		pfc_check_maps(&p);
	} else if ((maps = pfc_postconf(&p, "milter_header_checks")) != NULL) {
		char *transport = pfc_postconf(&p, "default_transport");
		char *relayhost = pfc_postconf(&p, "relayhost");
		char *filter_nexthop = pfc_postconf(&p,
		    "default_filter_nexthop");

		/* default_filter_nexthop fills an empty nexthop: fine. */
		if (relayhost != NULL && filter_nexthop != NULL &&
		    filter_nexthop[0] != '\0')
			relayhost[0] = '\0';
		free(filter_nexthop);

		if (maps[0] == '\0' && conf->negress > 1)
			pfc_problem(&p, p.path, conf->egress[0].line, "neither "
			    "MapSocket here nor milter_header_checks in %s/main.cf: "
			    "a reroute would change nothing", p.dir);
		for (size_t i = 0; maps[0] && conf->negress > 1 &&
		    i < conf->negress; i++)
			pfc_check_route(&p, &conf->egress[i], maps, transport ?
			    transport : "smtp", relayhost ? relayhost : "");
		free(transport);
		free(relayhost);
		free(maps);
	}
	free(p.services);
	return p.problems;
}
