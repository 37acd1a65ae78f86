/*
 * milterproto.h - the MTA side of one milter connection, for the load
 * generator (milterload.c): one message, as Postfix sends it.
 *
 * mp_conn_new() takes a connecting non-blocking socket; mp_conn_io()
 * does what the socket's readiness EVENTS (epoll) allow and returns 1
 * when the connection is finished (result set, socket still open),
 * else 0; want_out tells whether it waits to write.
 * Must not: block, or write anything it did not build here.
 */
#ifndef MP_MILTERPROTO_H
#define MP_MILTERPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mp_result { MP_NONE, MP_ACCEPT, MP_TEMPFAIL, MP_REJECT, MP_OTHER,
	MP_ERROR };

#define MP_MAX_SEGMENTS 24

struct mp_segment {
	unsigned char *data;
	size_t len;
	bool final;		/* end-of-message: read until the verdict */
};

struct mp_conn {
	int fd;
	long id;
	char domain[256];
	bool connected;
	bool want_out;
	bool watching_out;	/* the caller's epoll registration */
	struct mp_segment seg[MP_MAX_SEGMENTS];
	int nseg, next;		/* segments built; the one sent last + 1 */
	unsigned char *out;	/* being written */
	size_t outlen, outoff;
	unsigned char in[65536 + 8];
	size_t inlen;
	bool negotiated;
	double eom_sent;
	double eom_ms;
	enum mp_result result;
};

struct mp_conn *mp_conn_new(int fd, const char *domain, long id);
int mp_conn_io(struct mp_conn *conn, uint32_t events, double now_ms);
void mp_conn_free(struct mp_conn *conn);

#endif
