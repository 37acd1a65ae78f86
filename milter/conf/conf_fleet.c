/*
 * conf_fleet.c - the configuration keys of the fleet's shared state
 * (health/fleet.c): Redis, RelayName and DnsblBudget.
 *
 * key_redis(), key_relay_name(), key_dnsbl_budget().
 * Redis takes HOST:PORT with a literal address (IPv6 in brackets: no
 * name is resolved, hiredis would do it with a blocking lookup),
 * unix:/ABSOLUTE/PATH or "none", then user= and password=. The password
 * is kept for fleet.c alone: -t and the logs never show it.
 * Must not: read files, touch libmilter or the network.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "conf/conf_fleet.h"
#include "conf/conf_ops.h"
#include "conf/conf_parse.h"
#include "conf/conf_value.h"
#include "util/util.h"

#define FLEET_SECRET_MAX 256

/* A user name or password: printable, no spaces, 1..FLEET_SECRET_MAX. */
static bool
fleet_word(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > FLEET_SECRET_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	return true;
}

static bool
fleet_target(const char *v)
{
	struct sockaddr_un sun;
	char addr[INET6_ADDRSTRLEN], buf[sizeof(struct in6_addr)];
	long port;

	if (strncmp(v, "unix:/", 6) == 0)
		return strlen(v + 5) < sizeof(sun.sun_path);
	return conf_split_listen(v, addr, sizeof(addr), &port) == 0 &&
	    (inet_pton(AF_INET, addr, buf) == 1 ||
	    (v[0] == '[' && inet_pton(AF_INET6, addr, buf) == 1));
}

void
key_redis(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues)
{
	struct conf *c = parse->conf;
	char *user = NULL, *password = NULL;

	(void)key;
	if (strcasecmp(values[0], "none") == 0 && nvalues == 1) {
		free(c->redis);
		c->redis = NULL;
		return;
	}
	if (!fleet_target(values[0])) {
		conf_error(parse, "Redis: expected ADDRESS:PORT with a literal "
		    "address (such as 127.0.0.1:6379 or [::1]:6379), "
		    "unix:/PATH or none");
		return;
	}
	for (int i = 1; i < nvalues; i++) {
		char **field = strncasecmp(values[i], "user=", 5) == 0 ? &user :
		    strncasecmp(values[i], "password=", 9) == 0 ? &password :
		    NULL;
		const char *v = field == NULL ? NULL : strchr(values[i], '=') +
		    1;

		if (field == NULL || *field != NULL || !fleet_word(v)) {
			/* The value may be a secret: never repeated. */
			conf_error(parse, "Redis: option %d: expected user=NAME "
			    "or password=SECRET, once each, printable and at "
			    "most %d characters", i, FLEET_SECRET_MAX);
			free(user);
			free(password);
			return;
		}
		*field = xstrdup(v);
	}
	if (user != NULL && password == NULL) {
		conf_error(parse, "Redis: user= needs password=");
		free(user);
		return;
	}
	free(c->redis);
	free(c->redis_user);
	free(c->redis_password);
	c->redis = xstrdup(values[0]);
	c->redis_user = user;
	c->redis_password = password;
}

void
key_relay_name(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues)
{
	const char *v = values[0];
	size_t len = strlen(v);

	(void)key; (void)nvalues;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)v[i]) && strchr("._-", v[i]) == NULL)
			len = 0;
	if (len == 0 || len > CONF_NAME_MAX) {
		conf_error(parse, "RelayName: expected letters, digits, '.', "
		    "'_' or '-', at most %d", CONF_NAME_MAX);
		return;
	}
	free(parse->conf->relay_name);
	parse->conf->relay_name = xstrdup(v);
}

void
key_dnsbl_budget(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues)
{
	struct conf *c = parse->conf;
	const char *why;
	char msg[128];
	long n;

	(void)key; (void)nvalues;
	if ((why = value_hostname(values[0])) != NULL) {
		conf_error(parse, "DnsblBudget: %s", why);
		return;
	}
	if ((why = value_int(values[1], 1, 1000000000L, &n, msg,
	    sizeof(msg))) != NULL) {
		conf_error(parse, "DnsblBudget: %s", why);
		return;
	}
	for (size_t i = 0; i < c->nbudgets; i++)
		if (strcasecmp(c->budgets[i].zone, values[0]) == 0) {
			c->budgets[i].per_day = n;
			return;
		}
	if (c->nbudgets >= CONF_MAX_DNSBL) {
		conf_error(parse, "DnsblBudget: at most %d zones",
		    CONF_MAX_DNSBL);
		return;
	}
	c->budgets[c->nbudgets].zone = xstrdup(values[0]);
	for (char *p = c->budgets[c->nbudgets].zone; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	c->budgets[c->nbudgets++].per_day = n;
}
