/*
 * health.h - the types the health files share: an egress's state, the
 * report of one round of checks on it (egress.c), and the health the
 * monitor keeps of it between rounds (monitor.c).
 *
 * egress.c fills a report, advice.c reads it, monitor.c turns it into
 * health, healthlog.c logs health's changes: each declares its own
 * functions in its own header, and these types are here so that none of
 * them needs another's header for a type.
 * Must not: declare any file's functions.
 */
#ifndef EM_HEALTH_H
#define EM_HEALTH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "conf/conf.h"
#include "global/finding.h"
#include "health/dnsbl.h"
#include "health/rdns.h"

#define EGRESS_ADVICE_MAX 2048

enum egress_state {
	EGRESS_OK,
	EGRESS_WARNING,
	EGRESS_CRITICAL,
	EGRESS_UNKNOWN
};

/* What a zone's self-test said, per address family. */
struct zone_status {
	bool suspended;
	char why[256];
};

struct egress_report {
	const struct conf_egress *egress;
	struct rdns_result rdns;
	size_t ndnsbl;
	struct dnsbl_result dnsbl[CONF_MAX_DNSBL];
	int score;			/* sum of weights of listing zones */
	bool findings[FINDING_COUNT];	/* egress-level findings only */
	enum egress_state state;
	char reasons[2048];		/* every problem, "; "-separated */
	char noise[1024];		/* zone DNS errors: logged, not in 451s */
	char advice[EGRESS_ADVICE_MAX];	/* what to do, a line each (advice.c) */
	unsigned ttl;			/* smallest TTL seen, seconds */
};

struct egress_health {
	char name[CONF_NAME_MAX + 1];
	char address[INET6_ADDRSTRLEN];
	enum egress_state state;
	bool findings[FINDING_COUNT];
	char reasons[2048];
	char noise[1024];		/* zone DNS errors (egress.h) */
	char advice[EGRESS_ADVICE_MAX];	/* what to do, a line each */
	size_t nzones;			/* the last round's DNSBL zones */
	bool zone_listed[CONF_MAX_DNSBL];	/* by conf->dnsbl index */
	bool checked;			/* at least one round done */
	time_t since;			/* when the state last changed */
	int absent[FINDING_COUNT];	/* rounds in a row without each */
};

#endif
