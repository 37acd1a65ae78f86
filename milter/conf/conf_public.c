/*
 * conf_public.c - egresses behind NAT: the public address an egress
 * leaves as, which the checks judge instead of the address it binds to.
 *
 * "Egress NAME BIND public=PUBLIC" gives it on the egress's own line;
 * "PublicAddress BIND PUBLIC" gives it for the egress bound to BIND
 * wherever that egress comes from (EgressFrom postfix, the built-in
 * primary egress, an Egress line without public=), applied once the
 * whole file is read. The public address must itself be public.
 *
 * conf_egress_public(), conf_key_public_address(),
 * conf_apply_public_addresses().
 * Must not: read files, touch libmilter or the network.
 */
#include "config.h"

#include <string.h>

#include "conf/conf.h"
#include "conf/conf_address.h"
#include "conf/conf_parse.h"
#include "util/log.h"
#include "util/netclass.h"

/* Parses TEXT as a public address into OUT; reports and returns -1. */
static int
parse_public(struct conf_parse *parse, const char *what, const char *text,
    struct ip_address *out)
{
	char shown[80];

	if (conf_parse_address(text, out) != 0) {
		conf_error(parse, "%s: \"%s\" is not an IPv4 or IPv6 address",
		    what, log_escape(shown, sizeof(shown), text));
		return -1;
	}
	if (!netclass_is_public(out)) {
		conf_error(parse, "%s: %s is not a public address either (%s); "
		    "give the address remote servers see%s", what, out->text,
		    netclass_name(netclass_of(out)), netclass_lab_hint(out));
		return -1;
	}
	return 0;
}

int
conf_egress_public(struct conf_parse *parse, struct conf_egress *egress,
    const char *value)
{
	struct ip_address address;

	if (parse_public(parse, "Egress public=", value, &address) != 0)
		return -1;
	egress->address = address;
	egress->has_public = true;
	return 0;
}

void
conf_key_public_address(struct conf_parse *parse,
    const struct conf_key *key, char **values, int nvalues)
{
	struct conf *conf = parse->conf;
	struct conf_public p;
	char shown[80];

	(void)key;
	(void)nvalues;
	if (conf->npublic >= CONF_EGRESS_LIMIT) {
		conf_error(parse, "PublicAddress: %d lines at most",
		    CONF_EGRESS_LIMIT);
		return;
	}
	memset(&p, 0, sizeof(p));
	if (conf_parse_address(values[0], &p.bind) != 0) {
		conf_error(parse, "PublicAddress: \"%s\" is not an IPv4 or "
		    "IPv6 address", log_escape(shown, sizeof(shown), values[0]));
		return;
	}
	for (size_t i = 0; i < conf->npublic; i++)
		if (strcmp(conf->publics[i].bind.text, p.bind.text) == 0) {
			conf_error(parse, "PublicAddress %s given twice (first "
			    "on line %d)", p.bind.text, conf->publics[i].line);
			return;
		}
	if (parse_public(parse, "PublicAddress", values[1],
	    &p.public_address) != 0)
		return;
	p.line = parse->line;
	*conf_public_slot(conf) = p;	/* not NULL: checked above */
	conf->npublic++;
}

void
conf_apply_public_addresses(struct conf_parse *parse)
{
	struct conf *conf = parse->conf;

	for (size_t i = 0; i < conf->npublic; i++) {
		const struct conf_public *p = &conf->publics[i];
		bool used = false;

		for (size_t j = 0; j < conf->negress; j++) {
			struct conf_egress *e = &conf->egress[j];

			if (e->has_public || strcmp(e->address.text,
			    p->bind.text) != 0)
				continue;
			e->bind = e->address;
			e->address = p->public_address;
			e->has_public = true;
			used = true;
		}
		if (!used) {
			parse->line = p->line;
			conf_error(parse, "PublicAddress: no egress binds to %s "
			    "(without public=)", p->bind.text);
		}
	}
}
