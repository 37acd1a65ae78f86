/*
 * conf_keys.c - one table of every configuration key, and the handlers
 * that check and store each key's values.
 *
 * Keys: Socket, Nameservers, DNSTimeout, DNSTries, MessageDNSBudget,
 * DNSCacheSize,
 * DNSMinTTL, DNSMaxTTL, DNSNegativeMaxTTL, DNSServeStale, CheckInterval,
 * Egress, PublicAddress, EgressFrom, EgressMap, DomainBl, ReportHeader, Dnsbl,
 * DnsblThreshold,
 * On, Fallback, RouteHeader, MapSocket, RefusalPattern, RefusalBackoff,
 * PostfixConfig, Syslog, SyslogFacility, LogLevel, UserID,
 * AllowRoot, PidFile, StateFile, UMask, MilterTimeout, MaxConnections,
 * DKIMMaxSignatures, ControlSocket, MetricsListen (conf_ops.c), Redis,
 * RelayName, DnsblBudget (conf_fleet.c).
 * egress-milter.conf(5) documents them; keep it equal.
 * Must not: read files (conf.c does), touch libmilter or the network.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "conf/conf_address.h"
#include "conf/conf_fleet.h"
#include "conf/conf_keys.h"
#include "conf/conf_map.h"
#include "conf/conf_ops.h"
#include "conf/conf_parse.h"
#include "conf/conf_postfix.h"
#include "conf/conf_public.h"
#include "conf/conf_value.h"
#include "conf/conf_warmup.h"
#include "global/cause.h"
#include "global/finding.h"
#include "util/log.h"
#include "util/util.h"

#define MSG_MAX 256
#define UNUSED __attribute__((unused))

/* Reports MSG for KEY when it is not NULL; returns 1 when it reported. */
static int
check(struct conf_parse *parse, const char *key, const char *msg)
{
	if (msg == NULL)
		return 0;
	conf_error(parse, "%s: %s", key, msg);
	return 1;
}

/* Socket and MapSocket: a socket address, stored at the key's offset. */
static void
key_socket(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues)
{
	char **field = (char **)((char *)parse->conf + key->offset);

	(void)nvalues;
	if (check(parse, key->name, value_socket(values[0])))
		return;
	free(*field);
	*field = xstrdup(values[0]);
	if (field == &parse->conf->map_socket)
		parse->conf->map_socket_line = parse->line;
}

/* Stores VALUE, which must be absolute, in *FIELD; false if it is not. */
static bool
store_absolute(struct conf_parse *parse, const char *key, const char *what,
    const char *value, char **field)
{
	if (value[0] != '/') {
		conf_error(parse, "%s: needs an absolute %s", key, what);
		return false;
	}
	free(*field);
	*field = xstrdup(value);
	return true;
}

/* PostfixConfig DIR: -t checks the Postfix side (postfix_check.c). */
static void
key_postfix_config(struct conf_parse *parse,
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	(void)nvalues;
	if (store_absolute(parse, "PostfixConfig", "directory", values[0],
	    &parse->conf->postfix_config))
		parse->conf->postfix_check = true;
}

/*
 * RefusalPattern [cause=CAUSE] [backoff=SECONDS] REGEX (the words joined
 * by one space, kept as written; refusal.c splits them again with
 * cause_pattern_split()), or "none": the shipped refusal table is not
 * used (receiver.c).
 */
static void
key_refusal_pattern(struct conf_parse *parse,
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	struct conf *conf = parse->conf;
	char text[1024] = "", msg[MSG_MAX];
	size_t len = 0;
	const char *regex;
	enum refusal_cause cause;
	long backoff;
	regex_t re;
	int rc;

	if (nvalues == 1 && strcasecmp(values[0], "none") == 0) {
		conf->refusal_none = true;
		return;
	}
	for (int i = 0; i < nvalues; i++) {
		size_t n = strlen(values[i]);

		if (len + n + 2 > sizeof(text)) {
			conf_error(parse, "RefusalPattern: longer than %zu "
			    "characters", sizeof(text) - 1);
			return;
		}
		if (i > 0)
			text[len++] = ' ';
		memcpy(text + len, values[i], n + 1);
		len += n;
	}
	if (cause_pattern_split(text, &cause, &backoff, &regex, msg,
	    sizeof(msg)) != 0) {
		conf_error(parse, "RefusalPattern: %s", msg);
		return;
	}
	if ((rc = regcomp(&re, regex, REG_EXTENDED | REG_ICASE | REG_NOSUB))
	    != 0) {
		regerror(rc, &re, msg, sizeof(msg));
		conf_error(parse, "RefusalPattern: not a POSIX extended "
		    "regular expression: %s", msg);
		return;
	}
	regfree(&re);
	conf->refusal_patterns = xreallocarray(conf->refusal_patterns,
	    conf->nrefusal_patterns + 1, sizeof(char *));
	conf->refusal_patterns[conf->nrefusal_patterns++] = xstrdup(text);
}

static void
key_nameservers(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	struct conf *conf = parse->conf;
	char msg[MSG_MAX];

	if (nvalues > CONF_MAX_NAMESERVERS) {
		conf_error(parse, "Nameservers: %d servers at most",
		    CONF_MAX_NAMESERVERS);
		return;
	}
	conf->nnameservers = 0;
	for (int i = 0; i < nvalues; i++) {
		struct dns_nameserver *ns = &conf->nameservers[i];

		if (check(parse, "Nameservers", value_nameserver(values[i],
		    ns, msg, sizeof(msg))))
			return;
	}
	conf->nnameservers = (size_t)nvalues;
}

/* A whole-number key: the range and the field are in its table entry. */
static void
key_number(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues)
{
	char msg[MSG_MAX];
	long value;

	(void)nvalues;
	if (!check(parse, key->name, value_int(values[0], key->min, key->max,
	    &value, msg, sizeof(msg))))
		*(long *)((char *)parse->conf + key->offset) = value;
}

/* PostfixMailOwner USER: who may change state through status-*. */
static void
key_map_owner(struct conf_parse *parse, const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	char shown[80];
	long uid = conf_user_uid(values[0]);

	(void)nvalues;
	if (uid < 0) {
		conf_error(parse, "PostfixMailOwner: no such user \"%s\"",
		    log_escape(shown, sizeof(shown), values[0]));
		return;
	}
	free(parse->conf->map_owner);
	parse->conf->map_owner = xstrdup(values[0]);
	parse->conf->map_owner_uid = uid;
}

/* RefusalBackoff N: also says that it was given (refusal.c). */
static void
key_refusal_backoff(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues)
{
	key_number(parse, key, values, nvalues);
	parse->conf->refusal_backoff_set = true;
}

/* Splits "key=value"; returns the value or NULL when WORD is not KEY=. */
static const char *
option_value(const char *word, const char *key)
{
	size_t len = strlen(key);

	if (strncasecmp(word, key, len) == 0 && word[len] == '=')
		return word + len + 1;
	return NULL;
}

static int
egress_option(struct conf_parse *parse, struct conf_egress *egress,
    const char *word)
{
	const char *value;
	char shown[80];

	if ((value = option_value(word, "helo")) != NULL) {
		if (check(parse, "Egress helo=", value_hostname(value)))
			return -1;
		free(egress->helo);
		egress->helo = xstrdup(value);
	} else if ((value = option_value(word, "route")) != NULL) {
		if (check(parse, "Egress route=", value_name(value)))
			return -1;
		free(egress->route);
		egress->route = xstrdup(value);
	} else if ((value = option_value(word, "transport")) != NULL) {
		if (check(parse, "Egress transport=", value_name(value)))
			return -1;
		free(egress->transport);
		egress->transport = xstrdup(value);
	} else if ((value = option_value(word, "public")) != NULL) {
		return conf_egress_public(parse, egress, value);
	} else if ((value = option_value(word, "nexthop")) != NULL) {
		if (check(parse, "Egress nexthop=", value_name(value)))
			return -1;
		free(egress->nexthop);
		egress->nexthop = xstrdup(value);
	} else {
		conf_error(parse, "Egress: unknown option \"%s\" (expected "
		    "helo=, route=, transport=, public= or nexthop=)",
		    log_escape(shown, sizeof(shown), word));
		return -1;
	}
	return 0;
}

static void
key_egress(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	struct conf *conf = parse->conf;
	struct conf_egress egress;
	char shown[80];

	if (conf->negress >= CONF_EGRESS_LIMIT) {
		conf_error(parse, "Egress: %d egresses at most",
		    CONF_EGRESS_LIMIT);
		return;
	}
	if (check(parse, "Egress name", value_name(values[0])))
		return;
	for (size_t i = 0; i < conf->negress; i++)
		if (strcasecmp(conf->egress[i].name, values[0]) == 0) {
			conf_error(parse, "Egress: duplicate egress name "
			    "\"%s\" (first on line %d)", values[0],
			    conf->egress[i].line);
			return;
		}
	memset(&egress, 0, sizeof(egress));
	if (conf_parse_address(values[1], &egress.address) != 0) {
		conf_error(parse, "Egress %s: \"%s\" is not an IPv4 or IPv6 "
		    "address", values[0], log_escape(shown, sizeof(shown),
		    values[1]));
		return;
	}
	egress.name = xstrdup(values[0]);
	egress.line = parse->line;
	egress.bind = egress.address;
	for (int i = 2; i < nvalues; i++)
		if (egress_option(parse, &egress, values[i]) != 0) {
			free(egress.name);
			free(egress.helo);
			free(egress.route);
			free(egress.transport);
			free(egress.nexthop);
			return;
		}
	if (egress.route == NULL)
		egress.route = xstrdup(egress.name);
	*conf_egress_slot(conf) = egress;	/* not NULL: checked above */
	conf->negress++;
}

static void
key_egress_from(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	const char *dir = NULL;

	(void)nvalues;
	if (strncasecmp(values[0], "postfix:", 8) == 0)
		dir = values[0] + 8;
	else if (strcasecmp(values[0], "postfix") != 0) {
		conf_error(parse, "EgressFrom: expected postfix or "
		    "postfix:/path/to/config-directory");
		return;
	}
	if (dir != NULL && dir[0] != '/') {
		conf_error(parse, "EgressFrom postfix: needs an absolute "
		    "directory");
		return;
	}
	conf_discover_postfix(parse, dir);
	parse->conf->postfix_check = true;
	if (dir != NULL && parse->conf->postfix_config == NULL)
		parse->conf->postfix_config = xstrdup(dir);
}

/*
 * Keyed lists: the key is a label of its own left of the list's name
 * (KEY.zen.dq.spamhaus.net); LABELS is how many labels the list's name
 * has left of SUFFIX once the key is gone.
 */
static const struct {
	const char *suffix;
	int labels;
} keyed_lists[] = {
	{ "dq.spamhaus.net", 1 },	/* Spamhaus DQS */
	{ "mail-abuse.com", 1 },	/* Trend Micro (MAPS) */
	{ "abusix.zone", 2 },		/* Abusix Mail Intelligence */
};

/* True when the label P (LEN bytes) looks like a key, not a word. */
static bool
key_like(const char *p, size_t len)
{
	bool digit = false, alpha = false;

	for (size_t i = 0; i < len; i++) {
		if (isdigit((unsigned char)p[i]))
			digit = true;
		else if (isalpha((unsigned char)p[i]))
			alpha = true;
	}
	return len >= 32 || (len >= 16 && digit && alpha);
}

/*
 * The name /metrics shows ZONE by without name=: ZONE with its key
 * labels removed (the labels left of a keyed list's name, and any label
 * that looks like a key); "dnsblN" (N = INDEX + 1) when nothing is left.
 */
static char *
zone_public_name(const char *zone, size_t index)
{
	char *out = xcalloc(1, strlen(zone) + 16);
	const char *p = zone, *end = zone + strlen(zone);
	size_t n = 0;

	for (size_t k = 0; k < sizeof(keyed_lists) / sizeof(keyed_lists[0]);
	    k++) {
		size_t slen = strlen(keyed_lists[k].suffix), zlen = strlen(zone);
		const char *q;
		int labels = 0;

		if (zlen <= slen + 1 || zone[zlen - slen - 1] != '.' ||
		    strcasecmp(zone + zlen - slen, keyed_lists[k].suffix) != 0)
			continue;
		/* Keep only the list's own labels left of the suffix. */
		for (q = zone + zlen - slen - 1; q > zone; q--)
			if (q[-1] == '.' && ++labels == keyed_lists[k].labels)
				break;
		if (labels == keyed_lists[k].labels)
			p = q;
		break;
	}
	while (p < end) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		size_t len = dot ? (size_t)(dot - p) : (size_t)(end - p);

		if (!key_like(p, len)) {
			if (n > 0)
				out[n++] = '.';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len + (dot ? 1 : 0);
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, strlen(zone) + 16, "dnsbl%zu", index + 1);
	return out;
}

/* A name= value: 1 to 63 of [A-Za-z0-9._-]. */
static const char *
value_zone_name(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > 63)
		return "a name has 1 to 63 characters";
	for (const char *p = text; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != '_')
			return "a name has only letters, digits, '.', '-' "
			    "and '_'";
	return NULL;
}

/*
 * One zone line of KEY ("Dnsbl" or "DomainBl"): ZONE [codes=] [weight=]
 * [name=]
 * appended to ZONES (*N of them). Returns 0, or -1 after reporting.
 */
static int
parse_zone(struct conf_parse *parse, const char *key, char **values,
    int nvalues, struct conf_dnsbl *zones, size_t *n)
{
	struct conf_dnsbl zone;
	char msg[MSG_MAX], shown[80], what[40];
	const char *value;
	long weight;

	if (*n == CONF_MAX_DNSBL) {
		conf_error(parse, "%s: %d zones at most", key, CONF_MAX_DNSBL);
		return -1;
	}
	snprintf(what, sizeof(what), "%s zone", key);
	if (check(parse, what, value_hostname(values[0])))
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp(zones[i].zone, values[0]) == 0) {
			conf_error(parse, "%s: zone \"%s\" given twice", key,
			    values[0]);
			return -1;
		}
	memset(&zone, 0, sizeof(zone));
	zone.weight = 1;
	for (int i = 1; i < nvalues; i++) {
		if ((value = option_value(values[i], "codes")) != NULL) {
			snprintf(what, sizeof(what), "%s codes=", key);
			if (check(parse, what, value_codes(value, &zone, msg,
			    sizeof(msg))))
				return -1;
		} else if ((value = option_value(values[i], "weight")) !=
		    NULL) {
			snprintf(what, sizeof(what), "%s weight=", key);
			if (check(parse, what, value_int(value, 1, 1000,
			    &weight, msg, sizeof(msg))))
				return -1;
			zone.weight = (int)weight;
		} else if ((value = option_value(values[i], "name")) !=
		    NULL) {
			snprintf(what, sizeof(what), "%s name=", key);
			if (check(parse, what, value_zone_name(value)))
				return -1;
			zone.name = (char *)value;
			zone.name_given = true;
		} else {
			conf_error(parse, "%s: unknown option \"%s\" (expected "
			    "codes=, weight= or name=)", key, log_escape(shown,
			    sizeof(shown), values[i]));
			return -1;
		}
	}
	zone.name = zone.name_given ? xstrdup(zone.name) :
	    zone_public_name(values[0], *n);
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp(zones[i].name, zone.name) == 0) {
			conf_error(parse, "%s: the name \"%s\"%s is the name of "
			    "the zone on line %d: give one of them another "
			    "with name=", key, zone.name, zone.name_given ? "" :
			    " (the zone with its key removed)", zones[i].line);
			free(zone.name);
			return -1;
		}
	zone.zone = xstrdup(values[0]);
	zone.line = parse->line;
	zones[(*n)++] = zone;
	return 0;
}

static void
key_dnsbl(struct conf_parse *parse,
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	struct conf *conf = parse->conf;

	if (strcasecmp(values[0], "none") == 0) {
		if (nvalues > 1 || conf->ndnsbl > 0 || conf->dnsbl_none)
			conf_error(parse, "Dnsbl none: turns every zone off, "
			    "so it stands alone");
		conf->dnsbl_none = true;
		return;
	}
	if (conf->dnsbl_none) {
		conf_error(parse, "Dnsbl: zones given after \"Dnsbl none\"");
		return;
	}
	parse_zone(parse, "Dnsbl", values, nvalues, conf->dnsbl,
	    &conf->ndnsbl);
}

static void
key_domainbl(struct conf_parse *parse,
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	parse_zone(parse, "DomainBl", values, nvalues, parse->conf->domainbl,
	    &parse->conf->ndomainbl);
}

static void
key_report_header(struct conf_parse *parse,
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	(void)nvalues;
	check(parse, "ReportHeader", value_bool(values[0],
	    &parse->conf->report_header));
}

static void
key_egress_map(struct conf_parse *parse,
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	(void)nvalues;
	if (store_absolute(parse, "EgressMap", "path", values[0],
	    &parse->conf->egress_map_path))
		parse->egress_map_line = parse->line;
}

static int
parse_action(struct conf_parse *parse, const char *key, const char *text)
{
	static const char *const names[] = { "accept", "tag", "reroute",
	    "quarantine", "tempfail", "reject", NULL };
	int action = action_from_name(text);
	char shown[80];

	if (action < 0) {
		const char *hint = value_suggest(text, names);

		conf_error(parse, "%s: unknown action \"%s\" (expected accept, "
		    "tag, reroute, quarantine, tempfail or reject%s%s%s)", key,
		    log_escape(shown, sizeof(shown), text),
		    hint ? "; did you mean \"" : "", hint ? hint : "",
		    hint ? "\"?" : "");
	}
	return action;
}

static void
key_on(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	int finding = finding_from_name(values[0]), action;
	char shown[80];

	(void)nvalues;
	if (finding < 0) {
		conf_error(parse, "On: unknown finding \"%s\" (see "
		    "egress-milter.conf(5) for the list)",
		    log_escape(shown, sizeof(shown), values[0]));
		return;
	}
	if ((action = parse_action(parse, "On", values[1])) < 0)
		return;
	if (parse->on_seen[finding]) {
		conf_error(parse, "On %s given twice (first on line %d)",
		    finding_name((enum finding)finding),
		    parse->on_seen[finding]);
		return;
	}
	parse->on_seen[finding] = parse->line;
	parse->conf->on_line[finding] = parse->line;
	parse->conf->on[finding] = (enum action)action;
}

static void
key_fallback(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	int action;

	(void)nvalues;
	if ((action = parse_action(parse, "Fallback", values[0])) < 0)
		return;
	if (action == ACTION_REROUTE) {
		conf_error(parse, "Fallback: reroute cannot be its own "
		    "fallback (use tempfail, quarantine, accept or tag)");
		return;
	}
	parse->conf->fallback = (enum action)action;
}

static void
key_route_header(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	(void)nvalues;
	if (check(parse, "RouteHeader", value_header_name(values[0])))
		return;
	free(parse->conf->route_header);
	parse->conf->route_header = xstrdup(values[0]);
}

static void
key_syslog(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	(void)nvalues;
	check(parse, "Syslog", value_bool(values[0], &parse->conf->syslog));
}

static void
key_syslog_facility(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	(void)nvalues;
	check(parse, "SyslogFacility", value_facility(values[0],
	    &parse->conf->syslog_facility));
}

static void
key_log_level(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	(void)nvalues;
	check(parse, "LogLevel", value_log_level(values[0],
	    &parse->conf->log_level));
}

static void
key_user_id(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	char user[256], shown[80], *group;

	(void)nvalues;
	if (copy_bounded(user, sizeof(user), values[0])) {
		conf_error(parse, "UserID: name too long");
		return;
	}
	group = strchr(user, ':');
	if (group != NULL)
		*group++ = '\0';
	if (getpwnam(user) == NULL) {
		conf_error(parse, "UserID: no such user \"%s\"",
		    log_escape(shown, sizeof(shown), user));
		return;
	}
	if (group != NULL && getgrnam(group) == NULL) {
		conf_error(parse, "UserID: no such group \"%s\"",
		    log_escape(shown, sizeof(shown), group));
		return;
	}
	free(parse->conf->user);
	parse->conf->user = xstrdup(values[0]);
}

static void
key_allow_root(struct conf_parse *parse,
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	(void)nvalues;
	check(parse, "AllowRoot", value_bool(values[0],
	    &parse->conf->allow_root));
}

static void
key_pid_file(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	(void)nvalues;
	if (values[0][0] != '/') {
		conf_error(parse, "PidFile: needs an absolute path");
		return;
	}
	free(parse->conf->pidfile);
	parse->conf->pidfile = xstrdup(values[0]);
}

static void
key_state_file(struct conf_parse *parse,
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	(void)nvalues;
	free(parse->conf->state_file);
	parse->conf->state_file = NULL;
	if (strcasecmp(values[0], "none") == 0)
		return;
	if (values[0][0] != '/' || strlen(values[0]) > 1000) {
		conf_error(parse, "StateFile: needs an absolute path or none");
		return;
	}
	parse->conf->state_file = xstrdup(values[0]);
}

static void
key_umask(struct conf_parse *parse, 
    const struct conf_key *key UNUSED,
    char **values, int nvalues)
{
	char *end;
	long value;

	(void)nvalues;
	value = strtol(values[0], &end, 8);
	if (*values[0] == '\0' || *end != '\0' || value < 0 || value > 0777) {
		conf_error(parse, "UMask: expected an octal mask such as 007");
		return;
	}
	parse->conf->umask = (mode_t)value;
	parse->conf->umask_set = true;
}

#define NUMBER(name, field, min, max) \
	{ name, "N", 1, 1, true, key_number, offsetof(struct conf, field), \
	    min, max }

const struct conf_key conf_keys[] = {
	{ "Socket", "unix:/PATH | inet:PORT@HOST | inet6:PORT@HOST", 1, 1,
	    true, key_socket, offsetof(struct conf, socket), 0, 0 },
	{ "Nameservers", "HOST[:PORT] ...", 1, -1, true, key_nameservers,
	    0, 0, 0 },
	NUMBER("DNSTimeout", dns_timeout, 1, 60),
	NUMBER("DNSTries", dns_tries, 1, 10),
	NUMBER("MessageDNSBudget", message_dns_budget, 1, 60000),
	NUMBER("DNSCacheSize", dns_cache_size, 1, 10000000),
	NUMBER("DNSMinTTL", dns_min_ttl, 0, 86400),
	NUMBER("DNSMaxTTL", dns_max_ttl, 1, 604800),
	NUMBER("DNSNegativeMaxTTL", dns_negative_max_ttl, 0, 86400),
	NUMBER("DNSServeStale", dns_serve_stale, 0, 604800),
	{ "Egress", "NAME IP [helo=HOST] [route=NAME] [transport=NAME] "
	    "[public=IP] [nexthop=NEXTHOP]", 2, 7, false, key_egress, 0, 0, 0 },
	{ "PublicAddress", "BIND-IP PUBLIC-IP", 2, 2, false,
	    conf_key_public_address, 0, 0, 0 },
	{ "EgressFrom", "postfix[:DIR]", 1, 1, true, key_egress_from,
	    0, 0, 0 },
	{ "Dnsbl", "ZONE [codes=LIST] [weight=N] [name=LABEL] | none", 1, 4,
	    false,
	    key_dnsbl, 0, 0, 0 },
	{ "DomainBl", "ZONE [codes=LIST] [weight=N] [name=LABEL]", 1, 4, false,
	    key_domainbl, 0, 0, 0 },
	NUMBER("DnsblThreshold", dnsbl_threshold, 1, 100000),
	NUMBER("CheckInterval", check_interval, 10, 86400),
	NUMBER("DnsblRate", dnsbl_rate, 1, 100000),
	{ "On", "FINDING ACTION", 2, 2, false, key_on, 0, 0, 0 },
	{ "Fallback", "ACTION", 1, 1, true, key_fallback, 0, 0, 0 },
	{ "RouteHeader", "NAME", 1, 1, true, key_route_header, 0, 0, 0 },
	{ "MapSocket", "unix:/PATH | inet:PORT@HOST | inet6:PORT@HOST", 1, 1,
	    true, key_socket, offsetof(struct conf, map_socket), 0, 0 },
	{ "RefusalPattern", "[cause=CAUSE] [backoff=SECONDS] REGEX | none", 1,
	    -1, false, key_refusal_pattern, 0, 0, 0 },
	{ "RefusalBackoff", "N", 1, 1, true, key_refusal_backoff,
	    offsetof(struct conf, refusal_backoff), 1, 86400 },
	NUMBER("RefusalGlobalReceivers", refusal_global, 1, 64),
	{ "PostfixMailOwner", "USER", 1, 1, true, key_map_owner, 0, 0, 0 },
	{ "PostfixConfig", "DIR", 1, 1, true, key_postfix_config, 0, 0, 0 },
	{ "ReportHeader", "yes|no", 1, 1, true, key_report_header, 0, 0, 0 },
	{ "EgressMap", "FILE", 1, 1, true, key_egress_map, 0, 0, 0 },
	{ "Warmup", "EGRESS start=YYYY-MM-DD [target=N] [schedule=FILE]", 2,
	    4, false, conf_key_warmup, 0, 0, 0 },
	{ "WarmupFull", "defer|send", 1, 1, true, conf_key_warmup_full,
	    0, 0, 0 },
	{ "Syslog", "yes|no", 1, 1, true, key_syslog, 0, 0, 0 },
	{ "SyslogFacility", "FACILITY", 1, 1, true, key_syslog_facility,
	    0, 0, 0 },
	{ "LogLevel", "err|warning|notice|info|debug", 1, 1, true,
	    key_log_level, 0, 0, 0 },
	{ "UserID", "USER[:GROUP]", 1, 1, true, key_user_id, 0, 0, 0 },
	{ "AllowRoot", "yes|no", 1, 1, true, key_allow_root, 0, 0, 0 },
	{ "PidFile", "PATH", 1, 1, true, key_pid_file, 0, 0, 0 },
	{ "StateFile", "PATH | none", 1, 1, true, key_state_file, 0, 0, 0 },
	{ "UMask", "OCTAL", 1, 1, true, key_umask, 0, 0, 0 },
	{ "ControlSocket", "unix:/PATH | none", 1, 1, true,
	    key_control_socket, 0, 0, 0 },
	{ "MetricsListen", "HOST:PORT | none", 1, 1, true,
	    key_metrics_listen, 0, 0, 0 },
	NUMBER("MilterTimeout", milter_timeout, 1, 7200),
	NUMBER("MaxConnections", max_connections, 1, 1000000),
	NUMBER("DKIMMaxSignatures", dkim_max_signatures, 1, 32),
	{ "Redis", "HOST:PORT | unix:/PATH | none [user=NAME] "
	    "[password=SECRET]", 1, 3, true, key_redis, 0, 0, 0 },
	{ "RelayName", "NAME", 1, 1, true, key_relay_name, 0, 0, 0 },
	{ "DnsblBudget", "ZONE QUERIES-PER-DAY", 2, 2, false,
	    key_dnsbl_budget, 0, 0, 0 },
	{ NULL, NULL, 0, 0, false, NULL, 0, 0, 0 }
};

const struct conf_key *
conf_key_find(const char *name)
{
	for (const struct conf_key *key = conf_keys; key->name; key++)
		if (strcasecmp(key->name, name) == 0)
			return key;
	return NULL;
}

const char *
conf_key_suggest(const char *name)
{
	const char *names[sizeof(conf_keys) / sizeof(conf_keys[0])];
	size_t n = 0;

	for (const struct conf_key *key = conf_keys; key->name; key++)
		names[n++] = key->name;
	names[n] = NULL;
	return value_suggest(name, names);
}

_Static_assert(sizeof(conf_keys) / sizeof(conf_keys[0]) <=
    sizeof(((struct conf_parse *)0)->seen) / sizeof(int),
    "conf_parse.seen[] is too small for conf_keys[]");

void
conf_keys_finish(struct conf_parse *parse)
{
	/* A file without Egress lines sends from the primary address. */
	if (parse->conf->negress == 0)
		conf_add_primary_egress(parse->conf);
	/* PublicAddress lines name egresses of the whole file. */
	conf_apply_public_addresses(parse);
	/* The map is read last: it names egresses of the whole file. */
	if (parse->conf->egress_map_path != NULL)
		conf_load_egress_map(parse);
	/* Warmup lines name egresses of the whole file. */
	conf_warmup_finish(parse);
	/* Without Dnsbl lines the shipped zones are used. */
	if (parse->conf->ndnsbl == 0 && !parse->conf->dnsbl_none)
		conf_add_default_dnsbls(parse->conf);
}
