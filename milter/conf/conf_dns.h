/*
 * conf_dns.h - the DNS layer's settings from the configuration: the
 * resolver's nameservers, timeout and tries, the cache's size and TTL
 * bounds. The DNS layer sits below the configuration and never reads it.
 */
#ifndef EM_CONF_DNS_H
#define EM_CONF_DNS_H

#include "conf/conf.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"

/* Fills SETTINGS from CONF. */
void conf_resolver_settings(const struct conf *conf,
    struct resolver_settings *settings);
void conf_dnscache_settings(const struct conf *conf,
    struct dnscache_settings *settings);

#endif
