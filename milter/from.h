/*
 * from.h - the addresses of an RFC 5322 From header field.
 *
 * from_parse() reads one From field value: display names (quoted or
 * not, encoded words included), comments (nested), quoted local parts,
 * angle addresses, and groups ("team: a@x.test, b@y.test;"). It returns
 * how many mailboxes it found and the domain of the first, lower-cased.
 * Must not: allocate, do I/O or DNS.
 */
#ifndef EM_FROM_H
#define EM_FROM_H

#include <stddef.h>

#include "resolver.h"

struct from_result {
	int mailboxes;			/* -1: the value does not parse */
	char domain[DNS_NAME_MAX + 1];	/* of the first mailbox */
};

void from_parse(const char *value, struct from_result *out);

#endif
