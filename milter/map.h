/*
 * map.h - the socketmap server: Postfix asks the daemon which egress a
 * message leaves from (map "route") and whether a refusal was a listing
 * (maps "status-EGRESSNAME"), over the protocol of socketmap_table(5).
 *
 * map_start() opens MapSocket (unix:/PATH, inet:PORT@HOST or
 * inet6:PORT@HOST, literal addresses only) and serves it from threads of
 * its own: one accepting thread, one thread per connection (at most
 * MAP_MAX_CONNECTIONS, MAP_MAX_PER_PEER for a peer other than root
 * and PostfixMailOwner, which also cannot change state). A request is one netstring "NAME KEY"; a reply
 * is one netstring "OK data", "NOTFOUND ", "TEMP reason" or "PERM
 * reason". Every request is bounded: MAP_MAX_REQUEST bytes, answered
 * within MAP_REQUEST_SECONDS of its first byte, MAP_MAX_REQUESTS per
 * connection; an idle connection is closed after MAP_IDLE_SECONDS.
 * Must not: touch libmilter; answer from anything but route.c and
 * refusal.c.
 */
#ifndef EM_MAP_H
#define EM_MAP_H

#include <stddef.h>

#include "conf.h"

#define MAP_MAX_REQUEST 16384		/* bytes of one request's data */
#define MAP_MAX_REPLY 4096		/* bytes of one reply's data */
#define MAP_MAX_REQUESTS 10000		/* per connection, then closed */
#define MAP_MAX_CONNECTIONS 64
#define MAP_MAX_PER_PEER 8		/* of a peer that is not trusted */
#define MAP_LOGGED_UIDS 32		/* ignored peers logged once each */
#define MAP_REQUEST_SECONDS 10		/* from a request's first byte */
#define MAP_IDLE_SECONDS 300		/* between requests */

enum map_status {
	MAP_OK,
	MAP_NOTFOUND,
	MAP_TEMP,
	MAP_PERM
};

/*
 * Opens CONF's MapSocket and starts serving it. Returns 0, or -1 with a
 * log line (the address is in use, or not a literal address).
 */
int map_start(const struct conf *conf);

/* Stops serving: closes the socket, waits up to WAIT_MS for the threads. */
void map_stop(int wait_ms);

/*
 * Answers one request's data REQUEST ("NAME KEY") into REPLY (without
 * the netstring framing), e.g. "OK smtp-b:" or "NOTFOUND ". Exposed for
 * tests; the server calls it for every request.
 */
void map_answer(const struct conf *conf, const char *request, char *reply,
    size_t size);

/*
 * The same for a peer that is TRUSTED (root or PostfixMailOwner) or not:
 * a status-* request of an untrusted peer is NOTFOUND and has no effect.
 */
void map_answer_as(const struct conf *conf, const char *request,
    bool trusted, char *reply, size_t size);

#endif
