/*
 * nshealth.h - is each nameserver answering? One log line when one
 * stops answering and one when it answers again, instead of a line per
 * name; and the count of DNS errors by kind and server (for /metrics).
 *
 * nshealth_result() is told the outcome of every try resolver.c makes;
 * nshealth_list() copies the state of every server seen.
 * Must not: touch libmilter or the network; block longer than a short
 * lock (it may run on the message path).
 */
#ifndef EM_NSHEALTH_H
#define EM_NSHEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "dns/dns.h"

#define NSHEALTH_MAX 16

/* Kinds of errors counted per server. */
enum nshealth_error {
	NSHEALTH_TIMEOUT,		/* no answer at all */
	NSHEALTH_SERVFAIL,
	NSHEALTH_REFUSED,
	NSHEALTH_OTHER,			/* bad id, truncated, ... */
	NSHEALTH_ERROR_KINDS
};

struct nshealth_server {
	char name[64];			/* "ADDRESS:PORT" */
	bool down;			/* last try got no answer */
	time_t down_since;
	unsigned long answers;
	unsigned long errors[NSHEALTH_ERROR_KINDS];
};

/* One try at SERVER ended with STATUS (ERROR in words, for the log). */
void nshealth_result(const char *server, enum dns_status status,
    const char *error);
size_t nshealth_list(struct nshealth_server *out, size_t max);
const char *nshealth_error_name(enum nshealth_error kind);

#endif
