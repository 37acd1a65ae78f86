/*
 * dnstest.h - set-up shared by the tests that need the tests' own DNS
 * servers (tests/tools/nsd.sh starts them; the tests/dns-*.sh scripts pass
 * the ports in the environment).
 *
 * dnstest_port(VAR): the port in environment variable VAR, or exit 2.
 * dnstest_use(PORT, TIMEOUT, TRIES): points the resolver at
 * 127.0.0.1:PORT and gives the cache small, test-friendly limits.
 */
#ifndef EM_DNSTEST_H
#define EM_DNSTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_address.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"

static inline int
dnstest_port(const char *var)
{
	const char *value = getenv(var);
	int port = value ? atoi(value) : 0;

	if (port <= 0 || port > 65535) {
		fprintf(stderr, "FAIL: environment variable %s names no port "
		    "(run this test through its tests/dns-*.sh script)\n", var);
		exit(2);
	}
	return port;
}

/* Points every lookup at 127.0.0.1:PORT; cache floor 0, no stale. */
static inline void
dnstest_use(int port, int timeout, int tries)
{
	struct resolver_settings rs;
	struct dnscache_settings cs = { 1000, 0, 86400, 3600, 0 };

	memset(&rs, 0, sizeof(rs));
	conf_parse_address("127.0.0.1", &rs.nameservers[0].address);
	rs.nameservers[0].port = (uint16_t)port;
	rs.nnameservers = 1;
	rs.timeout = timeout;
	rs.tries = tries;
	if (resolver_configure(&rs) != 0) {
		fprintf(stderr, "FAIL: resolver_configure\n");
		exit(2);
	}
	dnscache_configure(&cs);
	dnscache_flush();
}

#endif
