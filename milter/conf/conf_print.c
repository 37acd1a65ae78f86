/*
 * conf_print.c - "egress-milter -t": the effective configuration, every
 * key of conf_keys[] as "Key value" lines in the file's own syntax, each
 * after a "# FILE:LINE" or "# default" comment line naming its source.
 * The output less its '#' lines reads back as a file that gives the same
 * configuration (EgressFrom's egresses are printed as Egress lines, so
 * EgressFrom itself is a comment; a key with no value to print, such as
 * PidFile unset, is a "#Key" comment).
 *
 * conf_print(conf, looked_for, fp) prints it; looked_for is the file
 * read, or the one looked for when the built-in defaults run.
 * Must not: change the configuration, read files, or touch the network.
 */
#include "config.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "conf/conf.h"
#include "conf/conf_keys.h"
#include "conf/conf_print.h"
#include "conf/conf_value.h"
#include "global/finding.h"
#include "util/netclass.h"

_Static_assert(CONF_MAX_KEYS <= 64, "key_line[] holds CONF_MAX_KEYS");

struct printer {
	const struct conf *conf;
	const struct conf_key *key;
	FILE *fp;
};

/* The "# FILE:LINE" or "# default" line before a value. */
static void
print_source(const struct printer *p, int line, const char *note)
{
	if (line > 0 && p->conf->path != NULL)
		fprintf(p->fp, "# %s:%d%s%s\n", p->conf->path, line,
		    note ? " " : "", note ? note : "");
	else
		fprintf(p->fp, "# default%s%s\n", note ? " " : "",
		    note ? note : "");
}

static int
key_line(const struct printer *p)
{
	return p->conf->key_line[p->key - conf_keys];
}

/* "Key value" after the key's own source line. */
static void
print_value(const struct printer *p, const char *value)
{
	print_source(p, key_line(p), NULL);
	fprintf(p->fp, "%s %s\n", p->key->name, value);
}

/* A key without a value: its source and a "#Key" line saying why. */
static void
print_unset(const struct printer *p, const char *why)
{
	print_source(p, key_line(p), NULL);
	fprintf(p->fp, "#%s (%s)\n", p->key->name, why);
}

static void
print_egresses(const struct printer *p)
{
	const struct conf *conf = p->conf;
	const struct conf_key *from = conf_key_find("EgressFrom");
	int from_line = from ? conf->key_line[from - conf_keys] : 0;

	for (size_t i = 0; i < conf->negress; i++) {
		const struct conf_egress *e = &conf->egress[i];
		char note[80];

		snprintf(note, sizeof(note), "(%s%s%s)", e->line == 0 ?
		    "the host's primary address" : e->line == from_line ?
		    "EgressFrom" : "", e->line == 0 || e->line == from_line ?
		    "; " : "", i == 0 ? "the default egress" : "an egress");
		print_source(p, e->line, note);
		if (!netclass_is_public(&e->address))
			fprintf(p->fp, "# warning: %s is not a public address "
			    "(%s): the checks need the address remote servers "
			    "see; give it with public=ADDRESS (or PublicAddress "
			    "%s ADDRESS)%s\n", e->address.text,
			    netclass_name(netclass_of(&e->address)),
			    e->address.text, netclass_lab_hint(&e->address));
		fprintf(p->fp, "Egress %s %s", e->name, e->has_public ?
		    e->bind.text : e->address.text);
		if (e->helo)
			fprintf(p->fp, " helo=%s", e->helo);
		fprintf(p->fp, " route=%s", e->route);
		if (e->transport)
			fprintf(p->fp, " transport=%s", e->transport);
		if (e->has_public)
			fprintf(p->fp, " public=%s", e->address.text);
		fputc('\n', p->fp);
	}
}

/* Applied to the egresses as public=; shown for their sources. */
static void
print_publics(const struct printer *p)
{
	for (size_t i = 0; i < p->conf->npublic; i++) {
		const struct conf_public *pub = &p->conf->publics[i];

		print_source(p, pub->line, NULL);
		fprintf(p->fp, "#PublicAddress %s %s (the egress bound to it "
		    "shows it as public=)\n", pub->bind.text,
		    pub->public_address.text);
	}
	if (p->conf->npublic == 0)
		print_unset(p, "none");
}

static void
print_zones(const struct printer *p, const struct conf_dnsbl *zones,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct conf_dnsbl *z = &zones[i];

		print_source(p, z->line, z->line ? NULL : "(a shipped zone)");
		fprintf(p->fp, "%s %s", p->key->name, z->zone);
		for (size_t c = 0; c < z->ncodes; c++) {
			struct in_addr a;
			char first[INET_ADDRSTRLEN], last[INET_ADDRSTRLEN];

			a.s_addr = htonl(z->codes[c].first);
			inet_ntop(AF_INET, &a, first, sizeof(first));
			a.s_addr = htonl(z->codes[c].last);
			inet_ntop(AF_INET, &a, last, sizeof(last));
			fprintf(p->fp, "%s%s", c ? "," : " codes=", first);
			if (z->codes[c].last != z->codes[c].first)
				fprintf(p->fp, "-%s", last);
		}
		fprintf(p->fp, " weight=%d", z->weight);
		if (z->name_given)
			fprintf(p->fp, " name=%s", z->name);
		fputc('\n', p->fp);
	}
}

static void
print_nameservers(const struct printer *p)
{
	const struct conf *conf = p->conf;

	if (conf->nnameservers == 0) {
		print_unset(p, "the servers of /etc/resolv.conf");
		return;
	}
	print_source(p, key_line(p), NULL);
	fputs("Nameservers", p->fp);
	for (size_t i = 0; i < conf->nnameservers; i++) {
		const struct dns_nameserver *ns = &conf->nameservers[i];
		bool v6 = ns->address.family == AF_INET6;

		fprintf(p->fp, " %s%s%s:%u", v6 ? "[" : "", ns->address.text,
		    v6 ? "]" : "", (unsigned)ns->port);
	}
	fputc('\n', p->fp);
}

/* Warmup lines as written (the date from its day number). */
static void
print_warmups(const struct printer *p)
{
	const struct conf *conf = p->conf;

	if (conf->nwarmup == 0)
		print_unset(p, "no egress warms up");
	for (size_t i = 0; i < conf->nwarmup; i++) {
		const struct conf_warmup *w = &conf->warmup[i];
		time_t start = (time_t)w->start_day * 86400;
		struct tm tm;
		char day[16];

		gmtime_r(&start, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		print_source(p, w->line, NULL);
		fprintf(p->fp, "Warmup %s start=%s target=%ld", w->egress, day,
		    w->target);
		if (w->schedule)
			fprintf(p->fp, " schedule=%s", w->schedule);
		fprintf(p->fp, "\n");
	}
}

static void
print_on(const struct printer *p)
{
	for (int f = 0; f < FINDING_COUNT; f++) {
		print_source(p, p->conf->on_line[f], NULL);
		fprintf(p->fp, "On %s %s\n", finding_name((enum finding)f),
		    action_name(p->conf->on[f]));
	}
}

/* The name value_facility()/value_log_level() reads back as VALUE. */
static const char *
name_of(const char *(*parse)(const char *, int *), int value,
    const char *const *names)
{
	int v;

	for (; *names; names++)
		if (parse(*names, &v) == NULL && v == value)
			return *names;
	return "?";
}

static void
print_logging(const struct printer *p, const char *name)
{
	static const char *const facilities[] = { "mail", "daemon", "user",
	    "local0", "local1", "local2", "local3", "local4", "local5",
	    "local6", "local7", NULL };
	static const char *const levels[] = { "err", "warning", "notice",
	    "info", "debug", NULL };

	if (strcasecmp(name, "SyslogFacility") == 0)
		print_value(p, name_of(value_facility,
		    p->conf->syslog_facility, facilities));
	else
		print_value(p, name_of(value_log_level, p->conf->log_level,
		    levels));
}

/* Redis (never its password), RelayName, DnsblBudget; 0 when NAME is one. */
static int
print_fleet(const struct printer *p, const char *name)
{
	const struct conf *c = p->conf;
	char buf[600];

	if (strcasecmp(name, "Redis") == 0) {
		if (c->redis == NULL) {
			print_unset(p, "none: this relay keeps its state alone");
			return 0;
		}
		snprintf(buf, sizeof(buf), "%s%s%s%s", c->redis,
		    c->redis_user ? " user=" : "",
		    c->redis_user ? c->redis_user : "",
		    c->redis_password ? " password=(not shown)" : "");
		print_value(p, buf);
	} else if (strcasecmp(name, "RelayName") == 0) {
		if (c->relay_name) print_value(p, c->relay_name);
		else print_unset(p, "the host's name");
	} else if (strcasecmp(name, "DnsblBudget") == 0) {
		for (size_t i = 0; i < c->nbudgets; i++) {
			snprintf(buf, sizeof(buf), "%s %ld",
			    c->budgets[i].zone, c->budgets[i].per_day);
			print_value(p, buf);
		}
		if (c->nbudgets == 0)
			print_unset(p, "no budget");
	} else
		return -1;
	return 0;
}

/* Keys with a value of their own type; returns 0 when NAME is one. */
static int
print_special(const struct printer *p, const char *name)
{
	const struct conf *c = p->conf;
	char buf[16];

	if (strcasecmp(name, "Socket") == 0) print_value(p, c->socket);
	else if (strcasecmp(name, "Nameservers") == 0) print_nameservers(p);
	else if (strcasecmp(name, "Egress") == 0) print_egresses(p);
	else if (strcasecmp(name, "PublicAddress") == 0)
		print_publics(p);
	else if (strcasecmp(name, "EgressFrom") == 0)
		print_unset(p, key_line(p) ? "its egresses are the Egress "
		    "lines marked (EgressFrom)" : "not used");
	else if (strcasecmp(name, "Dnsbl") == 0) {
		if (c->dnsbl_none)
			print_value(p, "none");
		print_zones(p, c->dnsbl, c->ndnsbl);
	} else if (strcasecmp(name, "DomainBl") == 0) {
		if (c->ndomainbl == 0)
			print_unset(p, "no zones");
		print_zones(p, c->domainbl, c->ndomainbl);
	} else if (strcasecmp(name, "On") == 0) print_on(p);
	else if (strcasecmp(name, "Fallback") == 0)
		print_value(p, action_name(c->fallback));
	else if (strcasecmp(name, "ControlSocket") == 0)
		print_value(p, c->control_socket ? c->control_socket : "none");
	else if (strcasecmp(name, "MetricsListen") == 0) {
		if (c->metrics_listen)
			print_value(p, c->metrics_listen);
		else
			print_unset(p, "off");
	} else if (strcasecmp(name, "RouteHeader") == 0)
		print_value(p, c->route_header);
	else if (strcasecmp(name, "ReportHeader") == 0)
		print_value(p, c->report_header ? "yes" : "no");
	else if (strcasecmp(name, "EgressMap") == 0) {
		if (c->egress_map_path) print_value(p, c->egress_map_path);
		else print_unset(p, "none");
	} else if (strcasecmp(name, "Syslog") == 0)
		print_value(p, c->syslog ? "yes" : "no");
	else if (strcasecmp(name, "SyslogFacility") == 0 ||
	    strcasecmp(name, "LogLevel") == 0) print_logging(p, name);
	else if (strcasecmp(name, "UserID") == 0) {
		if (c->user) print_value(p, c->user);
		else print_unset(p, "keep the user it starts as");
	} else if (strcasecmp(name, "PidFile") == 0) {
		if (c->pidfile) print_value(p, c->pidfile);
		else print_unset(p, "none");
	} else if (strcasecmp(name, "StateFile") == 0) {
		if (c->state_file) print_value(p, c->state_file);
		else print_value(p, "none");
	} else if (strcasecmp(name, "UMask") == 0) {
		snprintf(buf, sizeof(buf), "%03o", (unsigned)c->umask);
		if (c->umask_set) print_value(p, buf);
		else print_unset(p, "inherited");
	} else if (strcasecmp(name, "MapSocket") == 0) {
		if (c->map_socket) print_value(p, c->map_socket);
		else print_unset(p, "off");
	} else if (strcasecmp(name, "RefusalPattern") == 0) {
		if (c->refusal_none)
			print_value(p, "none");
		for (size_t i = 0; i < c->nrefusal_patterns; i++)
			print_value(p, c->refusal_patterns[i]);
		if (!c->refusal_none && c->nrefusal_patterns == 0)
			print_unset(p, "the shipped patterns only");
	} else if (strcasecmp(name, "PostfixMailOwner") == 0) {
		if (c->map_owner) print_value(p, c->map_owner);
		else print_unset(p, c->map_owner_uid >= 0 ? "postfix" :
		    "no user postfix: root only");
	} else if (strcasecmp(name, "PostfixConfig") == 0) {
		if (c->postfix_config) print_value(p, c->postfix_config);
		else print_unset(p, "not set");
	} else if (strcasecmp(name, "MaxConnections") == 0) {
		snprintf(buf, sizeof(buf), "%ld", c->max_connections);
		if (c->max_connections > 0) print_value(p, buf);
		else print_unset(p, "derived from the open-file limit");
	} else if (strcasecmp(name, "Warmup") == 0)
		print_warmups(p);
	else if (strcasecmp(name, "WarmupFull") == 0)
		print_value(p, c->warmup_full == WARMUP_FULL_DEFER ? "defer" :
		    "send");
	else if (strcasecmp(name, "AllowRoot") == 0)
		print_value(p, c->allow_root ? "yes" : "no");
	else if (print_fleet(p, name) != 0)
		return -1;
	return 0;
}

void
conf_print(const struct conf *conf, const char *looked_for, FILE *fp)
{
	struct printer p = { conf, NULL, fp };
	char buf[32];

	if (conf->path != NULL)
		fprintf(fp, "# %s: configuration OK (%zu egress%s)\n",
		    conf->path, conf->negress, conf->negress == 1 ? "" : "es");
	else
		fprintf(fp, "# %s does not exist: the built-in defaults, "
		    "configuration OK (%zu egress%s)\n", looked_for,
		    conf->negress, conf->negress == 1 ? "" : "es");
	for (p.key = conf_keys; p.key->name; p.key++) {
		if (print_special(&p, p.key->name) == 0)
			continue;
		if (strcmp(p.key->usage, "N") == 0 && p.key->offset > 0) {
			snprintf(buf, sizeof(buf), "%ld", *(const long *)
			    ((const char *)conf + p.key->offset));
			print_value(&p, buf);
		} else
			fprintf(fp, "# %s: not shown by -t\n", p.key->name);
	}
}
