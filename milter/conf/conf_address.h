/*
 * conf_address.h - addresses in the configuration, the host's primary
 * address, and the built-in defaults used when no file exists (see
 * conf_address.c).
 */
#ifndef EM_CONF_ADDRESS_H
#define EM_CONF_ADDRESS_H

#include "conf/conf.h"
#include "util/address.h"

/*
 * The built-in defaults: Socket inet:8895@127.0.0.1, the system's
 * nameservers, one egress "primary" on the host's primary address (none
 * when the host has no route; a warning is logged).
 */
struct conf *conf_builtin(void);

/* Adds the shipped DNSBL zones (see egress-milter.conf(5)). */
void conf_add_default_dnsbls(struct conf *conf);

/* Adds the egress "primary" on the host's primary address, if any. */
void conf_add_primary_egress(struct conf *conf);

/* Finds the primary address as the local end of a connected UDP socket. */
int conf_primary_address(int family, struct ip_address *out);

/* Parses "a.b.c.d" or an IPv6 literal into OUT; returns 0 or -1. */
int conf_parse_address(const char *text, struct ip_address *out);

#endif
