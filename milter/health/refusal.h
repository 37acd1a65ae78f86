/*
 * refusal.h - learning from remote refusals: the socketmap
 * "status-EGRESSNAME" for Postfix's smtp_delivery_status_filter, and
 * the back-off of each refused egress.
 *
 * refusal_status() gets Postfix's "X.Y.Z text" for a delivery through
 * egress NAME. When the text (with "NNN-X.Y.Z " continuation prefixes
 * removed) matches a refusal pattern (the shipped table of listing and
 * reputation refusals, unless "RefusalPattern none", plus every
 * RefusalPattern line; POSIX extended, case-insensitive), the egress is
 * refused for RefusalBackoff seconds (doubled when it is refused again
 * after a back-off, at most a day; back to RefusalBackoff after a
 * delivery through it succeeds) and the answer is "OK 4.Y.Z text (note)":
 * the message is deferred, not bounced. Anything else is NOTFOUND.
 * refusal_active() says whether an egress is refused now, for the route
 * map and the milter's decisions. One log line when a refusal is
 * learned, one when its back-off ends.
 * Must not: touch libmilter or DNS.
 */
#ifndef EM_REFUSAL_H
#define EM_REFUSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "conf/conf.h"
#include "global/lookup.h"

#define REFUSAL_MAX_BACKOFF 86400	/* seconds */

struct refusal_info {
	char destination[256];		/* "mx.example.test[192.0.2.1]" or "" */
	char text[512];			/* the remote's reply, as Postfix gave it */
	time_t since;			/* the last refusal */
	time_t until;			/* end of the back-off */
	long backoff;			/* seconds */
	unsigned count;			/* refusals learned in a row */
};

/* Answers Postfix's QUERY ("X.Y.Z text") for egress EGRESS into OUT. */
enum lookup_status refusal_status(const struct conf *conf, const char *egress,
    const char *query, char *out, size_t size);

/*
 * True when egress EGRESS is in a refusal's back-off now; fills OUT
 * (may be NULL). Logs, once, the end of a back-off it finds over.
 */
bool refusal_active(const char *egress, struct refusal_info *out);

/* Logs the end of every back-off that is over (called periodically). */
void refusal_tick(void);

/* True when TEXT (a status filter query) matches CONF's patterns. */
bool refusal_matches(const struct conf *conf, const char *text);

/* Forgets every learned refusal. */
void refusal_forget_all(void);

#endif
