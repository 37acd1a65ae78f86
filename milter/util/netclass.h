/*
 * netclass.h - whether remote mail servers can see an address: private,
 * loopback, link-local, CGNAT, documentation and unspecified ranges are
 * not public (see netclass.c, also for the test suite's exception).
 * Must not: look anything up.
 */
#ifndef EM_NETCLASS_H
#define EM_NETCLASS_H

#include <stdbool.h>

#include "util/address.h"

enum netclass {
	NETCLASS_PUBLIC,
	NETCLASS_PRIVATE,
	NETCLASS_LOOPBACK,
	NETCLASS_LINK_LOCAL,
	NETCLASS_CGNAT,
	NETCLASS_DOCUMENTATION,
	NETCLASS_UNSPECIFIED
};

/* The class of ADDRESS's range. */
enum netclass netclass_of(const struct ip_address *address);

/* "private", "loopback", "CGNAT (100.64.0.0/10)", ... */
const char *netclass_name(enum netclass class);

/*
 * true when remote servers can see ADDRESS; documentation ranges count
 * as public only with EGRESS_MILTER_DOCUMENTATION_PUBLIC=1 (tests).
 */
bool netclass_is_public(const struct ip_address *address);

/*
 * For a documentation address, a sentence (starting with a space) that
 * names EGRESS_MILTER_DOCUMENTATION_PUBLIC=1, the way to run a lab on
 * such addresses; "" for any other.
 */
const char *netclass_lab_hint(const struct ip_address *address);

#endif
