/*
 * socketmap.h - the socketmap server: Postfix asks the daemon which egress a
 * message leaves from (map "route") and whether a refusal was a listing
 * (maps "status-EGRESSNAME"), over the protocol of socketmap_table(5).
 *
 * socketmap_start() opens MapSocket (unix:/PATH, inet:PORT@HOST or
 * inet6:PORT@HOST, literal addresses only) and serves it from threads of
 * its own: one accepting thread, one thread per connection (at most
 * SOCKETMAP_MAX_CONNECTIONS, SOCKETMAP_MAX_PER_PEER for a peer other than root
 * and PostfixMailOwner, which also cannot change state). A request is one netstring "NAME KEY"; a reply
 * is one netstring "OK data", "NOTFOUND ", "TEMP reason" or "PERM
 * reason". Every request is bounded: SOCKETMAP_MAX_REQUEST bytes, answered
 * within SOCKETMAP_REQUEST_SECONDS of its first byte, SOCKETMAP_MAX_REQUESTS per
 * connection; an idle connection is closed after SOCKETMAP_IDLE_SECONDS.
 * Must not: touch libmilter; answer from anything but route.c and
 * refusal.c.
 */
#ifndef EM_SOCKETMAP_H
#define EM_SOCKETMAP_H

#include <stddef.h>

#include "conf/conf.h"
#include "global/lookup.h"

#define SOCKETMAP_MAX_REQUEST 16384		/* bytes of one request's data */
#define SOCKETMAP_MAX_REPLY 4096		/* bytes of one reply's data */
#define SOCKETMAP_MAX_REQUESTS 10000		/* per connection, then closed */
#define SOCKETMAP_MAX_CONNECTIONS 64
#define SOCKETMAP_MAX_PER_PEER 8		/* of a peer that is not trusted */
#define MAP_LOGGED_UIDS 32		/* ignored peers logged once each */
#define SOCKETMAP_REQUEST_SECONDS 10		/* from a request's first byte */
#define SOCKETMAP_IDLE_SECONDS 300		/* between requests */

/*
 * Opens CONF's MapSocket and starts serving it. Returns 0, or -1 with a
 * log line (the address is in use, or not a literal address).
 */
int socketmap_start(const struct conf *conf);

/* Stops serving: closes the socket, waits up to WAIT_MS for the threads. */
void socketmap_stop(int wait_ms);

/*
 * Answers one request's data REQUEST ("NAME KEY") into REPLY (without
 * the netstring framing), e.g. "OK smtp-b:" or "NOTFOUND ". Exposed for
 * tests; the server calls it for every request.
 */
void socketmap_answer(const struct conf *conf, const char *request, char *reply,
    size_t size);

/*
 * The same for a peer that is TRUSTED (root or PostfixMailOwner) or not:
 * a status-* request of an untrusted peer is NOTFOUND and has no effect.
 */
void socketmap_answer_as(const struct conf *conf, const char *request,
    bool trusted, char *reply, size_t size);

#endif
