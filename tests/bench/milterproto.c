/*
 * milterproto.c - one milter connection as Postfix (milter_protocol =
 * 6) drives it: negotiate, then connect ... end-of-message, quit.
 *
 * mp_conn_new(), mp_conn_io(), mp_conn_free().
 *
 * After the option negotiation the rest of the session is built as
 * segments: everything up to and including a command that needs a
 * reply (macros, commands the milter said it will not answer, such as
 * headers with SMFIP_NR_HDR) is one segment, sent with one write as
 * Postfix's buffered stream does. Stages the milter negotiated away
 * (SMFIP_NO*) are not sent; their macros are, as Postfix does.
 * Must not: block; trust a length from the peer beyond its buffer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "milterproto.h"

/* The protocol numbers (libmilter/mfdef.h). */
#define SMFIP_NOCONNECT 0x1
#define SMFIP_NOHELO 0x2
#define SMFIP_NOMAIL 0x4
#define SMFIP_NORCPT 0x8
#define SMFIP_NOBODY 0x10
#define SMFIP_NOHDRS 0x20
#define SMFIP_NOEOH 0x40
#define SMFIP_NR_HDR 0x80
#define SMFIP_NODATA 0x200
#define SMFIP_NR_CONN 0x1000
#define SMFIP_NR_HELO 0x2000
#define SMFIP_NR_MAIL 0x4000
#define SMFIP_NR_RCPT 0x8000
#define SMFIP_NR_DATA 0x10000
#define SMFIP_NR_EOH 0x40000
#define SMFIP_NR_BODY 0x80000
#define SMFIP_HDR_LEADSPC 0x100000
#define POSTFIX_ACTIONS 0x1ff		/* every SMFIF_ Postfix supports */
#define POSTFIX_EVENTS 0x1fffff		/* every SMFIP_ of protocol 6 */
#define BODY_SIZE 4096

struct buf {
	unsigned char *data;
	size_t len, size;
};

static void
buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->size) {
		b->size = (b->len + len) * 2 + 256;
		b->data = realloc(b->data, b->size);
		if (b->data == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

/* One packet: length, command, then LEN bytes of DATA. */
static void
packet(struct buf *b, char cmd, const void *data, size_t len)
{
	uint32_t n = htonl((uint32_t)(len + 1));

	buf_add(b, &n, 4);
	buf_add(b, &cmd, 1);
	buf_add(b, data, len);
}

/* A packet of NUL-terminated strings (NULL ends the list). */
static void
packet_strings(struct buf *b, char cmd, const char *first, ...)
{
	struct buf d = { 0 };
	__builtin_va_list ap;

	__builtin_va_start(ap, first);
	for (const char *s = first; s != NULL; s = __builtin_va_arg(ap,
	    const char *))
		buf_add(&d, s, strlen(s) + 1);
	__builtin_va_end(ap);
	packet(b, cmd, d.data, d.len);
	free(d.data);
}

/* The macros for STAGE: its command byte, then name/value strings. */
static void
packet_macros(struct buf *b, char stage, const char *first, ...)
{
	struct buf d = { 0 };
	__builtin_va_list ap;

	buf_add(&d, &stage, 1);
	__builtin_va_start(ap, first);
	for (const char *s = first; s != NULL; s = __builtin_va_arg(ap,
	    const char *))
		buf_add(&d, s, strlen(s) + 1);
	__builtin_va_end(ap);
	packet(b, 'D', d.data, d.len);
	free(d.data);
}

static void
segment_end(struct mp_conn *c, struct buf *b, bool final)
{
	c->seg[c->nseg].data = b->data;
	c->seg[c->nseg].len = b->len;
	c->seg[c->nseg].final = final;
	c->nseg++;
	memset(b, 0, sizeof(*b));
}

/* A command with a reply unless NOREPLY: it ends a segment. */
static void
command_done(struct mp_conn *c, struct buf *b, uint32_t flags,
    uint32_t noreply)
{
	if ((flags & noreply) == 0)
		segment_end(c, b, false);
}

static void
build_envelope(struct mp_conn *c, struct buf *b, uint32_t f, const char *qid)
{
	char from[300], mail_addr[300];
	unsigned char conn_data[128];
	size_t n;

	packet_macros(b, 'C', "j", "mx.example.test", "{daemon_name}",
	    "smtpd", "{daemon_addr}", "192.0.2.10", "v", "Postfix 3.7.11",
	    "_", "client.example.test [198.51.100.7]", "{client_addr}",
	    "198.51.100.7", NULL);
	if ((f & SMFIP_NOCONNECT) == 0) {
		n = (size_t)snprintf((char *)conn_data, 64,
		    "client.example.test") + 1;
		conn_data[n++] = '4';
		conn_data[n++] = 0xc3;		/* port 50000 */
		conn_data[n++] = 0x50;
		memcpy(conn_data + n, "198.51.100.7", 13);
		packet(b, 'C', conn_data, n + 13);
		command_done(c, b, f, SMFIP_NR_CONN);
	}
	if ((f & SMFIP_NOHELO) == 0) {
		packet_strings(b, 'H', "client.example.test", NULL);
		command_done(c, b, f, SMFIP_NR_HELO);
	}
	snprintf(mail_addr, sizeof(mail_addr), "alice@%s", c->domain);
	snprintf(from, sizeof(from), "<alice@%s>", c->domain);
	packet_macros(b, 'M', "i", qid, "{mail_addr}", mail_addr,
	    "{mail_mailer}", "smtp", NULL);
	if ((f & SMFIP_NOMAIL) == 0) {
		packet_strings(b, 'M', from, "SIZE=5000", NULL);
		command_done(c, b, f, SMFIP_NR_MAIL);
	}
	packet_macros(b, 'R', "{rcpt_addr}", "bob@example.net",
	    "{rcpt_host}", "example.net", "{rcpt_mailer}", "smtp", NULL);
	if ((f & SMFIP_NORCPT) == 0) {
		packet_strings(b, 'R', "<bob@example.net>", NULL);
		command_done(c, b, f, SMFIP_NR_RCPT);
	}
	packet_macros(b, 'T', "i", qid, NULL);
	if ((f & SMFIP_NODATA) == 0) {
		packet(b, 'T', NULL, 0);
		command_done(c, b, f, SMFIP_NR_DATA);
	}
}

static void
build_content(struct mp_conn *c, struct buf *b, uint32_t f, const char *qid)
{
	char v[12][300];
	static const char *names[12] = { "Received", "Received", "From",
	    "To", "Subject", "Date", "Message-ID", "MIME-Version",
	    "Content-Type", "Content-Transfer-Encoding", "X-Mailer",
	    "Reply-To" };
	const char *sp = (f & SMFIP_HDR_LEADSPC) ? " " : "";
	static unsigned char body[BODY_SIZE];

	snprintf(v[0], 300, "%sfrom client.example.test (client.example.test "
	    "[198.51.100.7]) by mx.example.test (Postfix) with ESMTP id %s "
	    "for <bob@example.net>; Tue,  1 Dec 2026 22:00:00 +0000", sp, qid);
	snprintf(v[1], 300, "%sfrom [192.0.2.99] by client.example.test "
	    "with ESMTPSA; Tue,  1 Dec 2026 21:59:59 +0000", sp);
	snprintf(v[2], 300, "%sAlice <alice@%s>", sp, c->domain);
	snprintf(v[3], 300, "%sBob <bob@example.net>", sp);
	snprintf(v[4], 300, "%sbench message %ld", sp, c->id);
	snprintf(v[5], 300, "%sTue, 01 Dec 2026 22:00:00 +0000", sp);
	snprintf(v[6], 300, "%s<%ld.bench@%s>", sp, c->id, c->domain);
	snprintf(v[7], 300, "%s1.0", sp);
	snprintf(v[8], 300, "%stext/plain; charset=us-ascii", sp);
	snprintf(v[9], 300, "%s7bit", sp);
	snprintf(v[10], 300, "%smilterload", sp);
	snprintf(v[11], 300, "%salice@%s", sp, c->domain);
	for (int i = 0; i < 12 && (f & SMFIP_NOHDRS) == 0; i++) {
		packet_strings(b, 'L', names[i], v[i], NULL);
		command_done(c, b, f, SMFIP_NR_HDR);
	}
	if ((f & SMFIP_NOEOH) == 0) {
		packet(b, 'N', NULL, 0);
		command_done(c, b, f, SMFIP_NR_EOH);
	}
	if ((f & SMFIP_NOBODY) == 0) {
		for (size_t i = 0; i < BODY_SIZE; i++)
			body[i] = (i % 66 == 64) ? '\r' : (i % 66 == 65) ?
			    '\n' : (unsigned char)('a' + i % 26);
		packet(b, 'B', body, BODY_SIZE);
		command_done(c, b, f, SMFIP_NR_BODY);
	}
	packet_macros(b, 'E', "i", qid, NULL);
	packet(b, 'E', NULL, 0);
	segment_end(c, b, true);
}

static void
build_session(struct mp_conn *c, uint32_t flags)
{
	struct buf b = { 0 };
	char qid[32];

	snprintf(qid, sizeof(qid), "B%08lX", c->id);
	build_envelope(c, &b, flags, qid);
	build_content(c, &b, flags, qid);
}

static void
send_segment(struct mp_conn *c, const unsigned char *data, size_t len)
{
	c->out = (unsigned char *)data;
	c->outlen = len;
	c->outoff = 0;
}

struct mp_conn *
mp_conn_new(int fd, const char *domain, long id)
{
	struct mp_conn *c = calloc(1, sizeof(*c));
	static unsigned char optneg[17];
	uint32_t v[3] = { htonl(6), htonl(POSTFIX_ACTIONS),
	    htonl(POSTFIX_EVENTS) };

	if (c == NULL) {
		perror("calloc");
		exit(1);
	}
	c->fd = fd;
	c->id = id;
	snprintf(c->domain, sizeof(c->domain), "%s", domain);
	optneg[0] = optneg[1] = optneg[2] = 0;
	optneg[3] = 13;
	optneg[4] = 'O';
	memcpy(optneg + 5, v, 12);
	send_segment(c, optneg, sizeof(optneg));
	return c;
}

void
mp_conn_free(struct mp_conn *c)
{
	close(c->fd);
	for (int i = 0; i < c->nseg; i++)
		free(c->seg[i].data);
	free(c);
}

/* Writes what is pending; -1 on error. */
static int
flush_out(struct mp_conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = write(c->fd, c->out + c->outoff,
		    c->outlen - c->outoff);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0)
			return -1;
		c->outoff += (size_t)n;
	}
	c->want_out = c->outoff < c->outlen;
	return 0;
}

/* The verdict a reply command means at end-of-message, or MP_NONE. */
static enum mp_result
verdict_of(unsigned char cmd, const unsigned char *data, size_t len)
{
	switch (cmd) {
	case 'a': case 'c': return MP_ACCEPT;
	case 't': return MP_TEMPFAIL;
	case 'r': return MP_REJECT;
	case 'd': return MP_OTHER;
	case 'y': return len > 0 && data[0] == '4' ? MP_TEMPFAIL :
	    MP_REJECT;
	default: return MP_NONE;	/* a modification or progress */
	}
}

/* Handles one reply packet; 1 when the connection is finished. */
static int
reply(struct mp_conn *c, unsigned char cmd, const unsigned char *data,
    size_t len, double now)
{
	enum mp_result v = verdict_of(cmd, data, len);
	uint32_t flags;

	if (!c->negotiated) {
		if (cmd != 'O' || len < 12)
			return c->result = MP_ERROR, 1;
		memcpy(&flags, data + 8, 4);
		build_session(c, ntohl(flags));
		c->negotiated = true;
	} else if (c->seg[c->next - 1].final) {
		if (v == MP_NONE)
			return 0;
		c->eom_ms = now - c->eom_sent;
		c->result = v;
		return 1;
	} else if (cmd == 'p') {
		return 0;
	} else if (cmd != 'c') {
		c->result = v == MP_NONE ? MP_ERROR : v;
		c->eom_ms = 0;
		return 1;			/* decided before the end */
	}
	if (c->next >= c->nseg)
		return c->result = MP_ERROR, 1;
	if (c->seg[c->next].final)
		c->eom_sent = now;
	send_segment(c, c->seg[c->next].data, c->seg[c->next].len);
	c->next++;
	return flush_out(c) != 0 ? (c->result = MP_ERROR, 1) : 0;
}

/* Reads and handles every complete packet; 1 when finished. */
static int
read_in(struct mp_conn *c, double now)
{
	ssize_t n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	size_t off = 0;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return c->result = MP_ERROR, 1;
	c->inlen += (size_t)n;
	while (c->inlen - off >= 5) {
		uint32_t len;

		memcpy(&len, c->in + off, 4);
		len = ntohl(len);
		if (len < 1 || len > sizeof(c->in) - 4)
			return c->result = MP_ERROR, 1;
		if (c->inlen - off < 4 + (size_t)len)
			break;
		if (reply(c, c->in[off + 4], c->in + off + 5, len - 1, now))
			return 1;
		off += 4 + len;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	return 0;
}

int
mp_conn_io(struct mp_conn *c, uint32_t events, double now)
{
	int rc = 0;

	if (!c->connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		int err = 0;
		socklen_t elen = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 ||
		    err != 0)
			return c->result = MP_ERROR, 1;
		c->connected = true;
	}
	if (!c->connected)
		return 0;
	if ((events & EPOLLOUT) && flush_out(c) != 0)
		return c->result = MP_ERROR, 1;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		rc = read_in(c, now);
	if (rc == 1 && c->result != MP_ERROR) {
		static const unsigned char quit[5] = { 0, 0, 0, 1, 'Q' };

		(void)!write(c->fd, quit, sizeof(quit));
	}
	return rc;
}
