/*
 * conf_address.c - addresses in the configuration, and the built-in
 * defaults that depend on the host.
 *
 * conf_parse_address(), conf_primary_address(), conf_add_primary_egress(),
 * conf_add_default_dnsbls(), conf_builtin().
 *
 * The primary address is the local address the kernel picks for a UDP
 * socket connected towards a documentation address (192.0.2.1, or
 * 2001:db8::1): connect() on UDP sends no packet, it only chooses the
 * route, so this works on a host with no network at all.
 * Must not: send a packet, resolve a name.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/conf.h"
#include "util/log.h"
#include "util/util.h"

int
conf_parse_address(const char *text, struct ip_address *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, &out->u.v4) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, text, &out->u.v6) == 1)
		out->family = AF_INET6;
	else
		return -1;
	/* Store the canonical form, so "2001:DB8::0:1" logs as 2001:db8::1. */
	inet_ntop(out->family, &out->u, out->text, sizeof(out->text));
	return 0;
}

int
conf_primary_address(int family, struct ip_address *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, rc = -1;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(53);
		inet_pton(AF_INET, "192.0.2.1", &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(53);
		inet_pton(AF_INET6, "2001:db8::1", &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	if ((fd = socket(family, SOCK_DGRAM, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		memset(out, 0, sizeof(*out));
		out->family = family;
		if (family == AF_INET)
			out->u.v4 = ((struct sockaddr_in *)&ss)->sin_addr;
		else
			out->u.v6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
		inet_ntop(family, &out->u, out->text, sizeof(out->text));
		rc = 0;
	}
	close(fd);
	return rc;
}

void
conf_add_primary_egress(struct conf *conf)
{
	struct conf_egress *egress;
	struct ip_address address;

	if (conf_primary_address(AF_INET, &address) != 0 &&
	    conf_primary_address(AF_INET6, &address) != 0) {
		log_warn("no Egress configured and no primary address found "
		    "(this host has no route); configure an Egress line");
		return;
	}
	if ((egress = conf_egress_slot(conf)) == NULL)
		return;		/* not reached: called with no egress */
	conf->negress++;
	egress->name = xstrdup("primary");
	egress->route = xstrdup("primary");
	egress->address = address;
}

/*
 * The shipped DNSBL zones, used when no Dnsbl line is given. Keyed zones
 * (Spamhaus DQS, Trend Micro) need a key and are documented instead.
 */
static const struct {
	const char *zone;
	struct conf_code_range codes[2];
	size_t ncodes;
} default_dnsbls[] = {
	{ "zen.spamhaus.org", { { 0x7f000002, 0x7f00000b } }, 1 },
	{ "b.barracudacentral.org", { { 0x7f000002, 0x7f000002 } }, 1 },
	{ "bl.spamcop.net", { { 0x7f000002, 0x7f000002 } }, 1 },
	{ "psbl.surriel.com", { { 0x7f000002, 0x7f000002 } }, 1 },
	{ "bl.mailspike.net", { { 0x7f000002, 0x7f000002 },
	    { 0x7f00000a, 0x7f00000c } }, 2 },
	{ "all.s5h.net", { { 0, 0 } }, 0 },
};

void
conf_add_default_dnsbls(struct conf *conf)
{
	size_t n = sizeof(default_dnsbls) / sizeof(default_dnsbls[0]);

	for (size_t i = 0; i < n && conf->ndnsbl < CONF_MAX_DNSBL; i++) {
		struct conf_dnsbl *d = &conf->dnsbl[conf->ndnsbl++];

		memset(d, 0, sizeof(*d));
		d->zone = xstrdup(default_dnsbls[i].zone);
		d->name = xstrdup(default_dnsbls[i].zone);
		d->weight = 1;
		d->ncodes = default_dnsbls[i].ncodes;
		memcpy(d->codes, default_dnsbls[i].codes,
		    sizeof(default_dnsbls[i].codes));
	}
}

struct conf *
conf_builtin(void)
{
	struct conf *conf = xmalloc(sizeof(*conf));

	conf_init_defaults(conf);
	conf_add_primary_egress(conf);
	conf_add_default_dnsbls(conf);
	return conf;
}
