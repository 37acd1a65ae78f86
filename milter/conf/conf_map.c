/*
 * conf_map.c - EgressMap: which egress mail from a sender domain uses.
 *
 * conf_load_egress_map(), conf_egress_for_domain(),
 * conf_egress_for_transport().
 *
 * The map file has "domain egress-name" lines ('#' comments): a domain
 * matches itself; ".example.com" matches every name below example.com.
 * Problems are reported as "MAPFILE:LINE: ...". Entries are kept sorted
 * so a lookup is a few binary searches (one per label).
 * Must not: touch libmilter or the network.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_parse.h"
#include "conf/conf_value.h"
#include "util/log.h"
#include "util/util.h"

#define MAP_MAX 100000
#define MAP_LINE_MAX 1024

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct conf_map_entry *)a)->domain,
	    ((const struct conf_map_entry *)b)->domain);
}

/* Reads one "domain egress" line into CONF's map; reports problems. */
static void
map_line(struct conf_parse *parse, char *line)
{
	struct conf *conf = parse->conf;
	char *domain = strtok(line, " \t\r\n"), *name, *extra;
	const char *check_name;
	char shown[80];

	if (domain == NULL || domain[0] == '#')
		return;
	name = strtok(NULL, " \t\r\n");
	extra = strtok(NULL, " \t\r\n");
	if (name == NULL || (extra != NULL && extra[0] != '#')) {
		conf_error(parse, "expected \"domain egress-name\"");
		return;
	}
	check_name = domain[0] == '.' ? domain + 1 : domain;
	if (value_hostname(check_name) != NULL) {
		conf_error(parse, "\"%s\" is not a domain",
		    log_escape(shown, sizeof(shown), domain));
		return;
	}
	for (size_t i = 0; i < conf->negress; i++)
		if (strcasecmp(conf->egress[i].name, name) == 0) {
			if (conf->negress_map == MAP_MAX) {
				conf_error(parse, "more than %d entries",
				    MAP_MAX);
				return;
			}
			for (char *p = domain; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			conf->egress_map = xreallocarray(conf->egress_map,
			    conf->negress_map + 1, sizeof(*conf->egress_map));
			conf->egress_map[conf->negress_map].domain =
			    xstrdup(domain);
			conf->egress_map[conf->negress_map++].egress = i;
			return;
		}
	conf_error(parse, "no egress named \"%s\"",
	    log_escape(shown, sizeof(shown), name));
}

void
conf_load_egress_map(struct conf_parse *parse)
{
	const char *saved_path = parse->path;
	int saved_line = parse->line;
	char line[MAP_LINE_MAX];
	FILE *fp = fopen(parse->conf->egress_map_path, "r");

	if (fp == NULL) {
		parse->line = parse->egress_map_line;
		conf_error(parse, "EgressMap: cannot open %s: %s",
		    parse->conf->egress_map_path, strerror(errno));
		parse->line = saved_line;
		return;
	}
	parse->path = parse->conf->egress_map_path;
	parse->line = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		parse->line++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			int c;

			conf_error(parse, "line too long");
			while ((c = getc(fp)) != EOF && c != '\n')
				;
			continue;
		}
		map_line(parse, line);
	}
	fclose(fp);
	parse->path = saved_path;
	parse->line = saved_line;
	if (parse->conf->negress_map > 1)
		qsort(parse->conf->egress_map, parse->conf->negress_map,
		    sizeof(*parse->conf->egress_map), entry_cmp);
}

static const struct conf_map_entry *
map_find(const struct conf *conf, const char *key)
{
	struct conf_map_entry probe = { (char *)key, 0 };

	if (conf->negress_map == 0)
		return NULL;
	return bsearch(&probe, conf->egress_map, conf->negress_map,
	    sizeof(*conf->egress_map), entry_cmp);
}

size_t
conf_egress_for_domain(const struct conf *conf, const char *sender_domain)
{
	char key[256];
	const struct conf_map_entry *e;

	if (sender_domain == NULL || copy_bounded(key, sizeof(key),
	    sender_domain))
		return 0;
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((e = map_find(conf, key)) != NULL)
		return e->egress;
	for (const char *p = strchr(key, '.'); p != NULL;
	    p = strchr(p + 1, '.'))
		if ((e = map_find(conf, p)) != NULL)
			return e->egress;
	return 0;
}

int
conf_egress_for_transport(const struct conf *conf, const char *transport)
{
	for (size_t i = 0; transport != NULL && i < conf->negress; i++)
		if (conf->egress[i].transport != NULL &&
		    strcmp(conf->egress[i].transport, transport) == 0)
			return (int)i;
	return -1;
}
