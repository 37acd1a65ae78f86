/*
 * spf_suite.c - the C half of tests/tools/spf-suite (a developer tool, not a
 * test of "make check"): evaluates SPF cases read from standard input
 * against the DNS server on 127.0.0.1:PORT, one case a line:
 *
 *	ID <tab> ADDRESS <tab> MAIL FROM <tab> HELO
 *
 * and prints, one line each: ID <tab> VERDICT <tab> 1 when a fail was
 * explained by the domain's exp= (else 0) <tab> reason. Caches are
 * emptied before each case.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dns/dnstest.h"
#include "auth/spf.h"
#include "conf/conf_address.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"
#include "util/log.h"

int
main(int argc, char **argv)
{
	char line[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: spf_suite PORT <cases\n");
		return 2;
	}
	log_open(false, LOG_MAIL, true, LOG_WARNING);
	dnstest_use(atoi(argv[1]), 1, 1);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *fields[4], *p = line;
		struct ip_address address;
		struct spf_outcome out;

		line[strcspn(line, "\n")] = '\0';
		for (int i = 0; i < 4; i++)
			fields[i] = strsep(&p, "\t");
		if (fields[3] == NULL)
			continue;
		spf_cache_flush();
		dnscache_flush();
		if (conf_parse_address(fields[1], &address) != 0) {
			printf("%s\tbad-address\t0\t%s\n", fields[0], fields[1]);
			continue;
		}
		spf_check_host(&address, fields[3], fields[2], &out);
		printf("%s\t%s\t%d\t%s\n", fields[0],
		    spf_verdict_name(out.verdict), out.explained ? 1 : 0,
		    out.reason);
		fflush(stdout);
	}
	resolver_thread_cleanup();
	return 0;
}
