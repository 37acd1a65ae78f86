/*
 * conf_dns.c - the DNS layer's settings, taken from the configuration
 * (see conf_dns.h).
 *
 * conf_resolver_settings(), conf_dnscache_settings().
 * Must not: install them (resolver_configure() and dnscache_configure()
 * do), or ask the network.
 */
#include "config.h"

#include <string.h>

#include "conf/conf.h"
#include "conf/conf_dns.h"

void
conf_resolver_settings(const struct conf *conf,
    struct resolver_settings *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->nameservers, conf->nameservers,
	    sizeof(out->nameservers));
	out->nnameservers = conf->nnameservers;
	out->timeout = (int)conf->dns_timeout;
	out->tries = (int)conf->dns_tries;
}

void
conf_dnscache_settings(const struct conf *conf,
    struct dnscache_settings *out)
{
	out->max_entries = (size_t)conf->dns_cache_size;
	out->min_ttl = (uint32_t)conf->dns_min_ttl;
	out->max_ttl = (uint32_t)conf->dns_max_ttl;
	out->max_negative_ttl = (uint32_t)conf->dns_negative_max_ttl;
	out->serve_stale = (uint32_t)conf->dns_serve_stale;
}
