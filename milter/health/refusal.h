/*
 * refusal.h - learning from remote refusals: the socketmap
 * "status-EGRESSNAME" for Postfix's smtp_delivery_status_filter, and
 * the back-off of each refused egress toward each receiver.
 *
 * refusal_status() gets Postfix's "X.Y.Z text" for a delivery through
 * egress NAME. Only the remote's own reply counts (reply.c): Postfix's
 * own texts are never refusals. The reply (addresses and the remote's
 * names masked) is matched against the operator's RefusalPattern lines,
 * then the shipped table (receiver.c) unless "RefusalPattern none"; the
 * first match gives the cause, and the reaction follows it:
 *   ip, ptr  the egress is backed off toward the receiver (the provider
 *            of the MX host, else its organisational domain) for the
 *            rule's duration (RefusalBackoff when given; doubled when
 *            refused again after a back-off, at most a day; back to the
 *            start after a delivery succeeds); the answer is "OK 4.Y.Z
 *            text (note)": the message is deferred, not bounced; a ptr
 *            refusal also starts a health round at once.
 *   rate     a pause of the egress toward the receiver (the rule's
 *            minutes); a 4xx stays as it is, a 5xx becomes a 4xx.
 *   auth     one log line and a finding of the sender's domain
 *            (auth_finding.c); the egress is not touched (an SPF failure
 *            naming the egress's own address: deferred, no back-off).
 *   domain, recipient, no match: nothing.
 * A back-off is global (every receiver) when the remote is known only
 * by its address (a relayhost or [address] nexthop: all mail goes
 * there), or when RefusalGlobalReceivers receivers refuse the egress
 * for ip or ptr within their back-offs. refusal_active() says whether
 * an egress is backed off globally (the route map, the milter);
 * refusal_toward() whether it is toward one receiver (route-rcpt). One
 * log line when a refusal is learned, one when its back-off ends.
 * Must not: touch libmilter or DNS.
 */
#ifndef EM_REFUSAL_H
#define EM_REFUSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "conf/conf.h"
#include "global/lookup.h"
#include "health/receiver.h"

#define REFUSAL_MAX_BACKOFF 86400	/* seconds */
#define REFUSAL_MAX_ENTRIES 512		/* (egress, receiver) pairs */
#define REFUSAL_RATE_DEFAULT 600	/* an operator's cause=rate line */

struct refusal_info {
	char egress[CONF_NAME_MAX + 1];
	char receiver[128];		/* "google", "dest.test", "[192.0.2.1]" */
	char destination[256];		/* "mx.example.test[192.0.2.1]" */
	char text[512];			/* the remote's reply (the first) */
	enum refusal_cause cause;	/* ip, ptr or rate */
	bool global;			/* every receiver */
	time_t since;			/* the first refusal of this back-off */
	time_t until;			/* end of the back-off */
	long backoff;			/* seconds */
	unsigned count;			/* refusals learned in a row */
};

/* Answers Postfix's QUERY ("X.Y.Z text") for egress EGRESS into OUT. */
enum lookup_status refusal_status(const struct conf *conf, const char *egress,
    const char *query, char *out, size_t size);

/*
 * The cause of QUERY (a status filter query) under CONF's patterns, and
 * the duration into *SECONDS (may be NULL); CAUSE_NONE for Postfix's
 * own texts and unknown replies.
 */
enum refusal_cause refusal_classify(const struct conf *conf,
    const char *query, long *seconds);

/*
 * True when egress EGRESS is backed off globally now; fills OUT (may be
 * NULL) with the latest refusal. Logs, once, the end of a back-off it
 * finds over.
 */
bool refusal_active(const char *egress, struct refusal_info *out);

/* True when EGRESS is backed off or paused toward RECEIVER (or globally). */
bool refusal_toward(const char *egress, const char *receiver,
    struct refusal_info *out);

/* Every back-off and pause in force into OUT (at most MAX); the count. */
size_t refusal_list(struct refusal_info *out, size_t max);

/* Logs the end of every back-off that is over (called periodically). */
void refusal_tick(void);

/* Forgets every learned refusal. */
void refusal_forget_all(void);

/* A count that grows when a back-off is learned or ends. */
unsigned long refusal_changes(void);

/* Every back-off and pause in force, as learned, into OUT (at most MAX). */
size_t refusal_snapshot(struct refusal_info *out, size_t max);

/*
 * Puts back INFO (a state file's entry): false when it is over, of no
 * back-off cause, or its (egress, receiver) has a newer one or no room.
 */
bool refusal_restore(const struct refusal_info *info);

/*
 * The back-offs in force learned here (or restored) since *CURSOR into
 * OUT (at most MAX); moves *CURSOR on (0: every one). For the fleet.
 */
size_t refusal_learned_since(unsigned long *cursor, struct refusal_info *out,
    size_t max);

/*
 * Installs INFO, a back-off another relay (RELAY) learned, when it ends
 * later than the one in force for its (egress, receiver); logs it. True
 * when it was installed.
 */
bool refusal_merge(const struct refusal_info *info, const char *relay);

#endif
