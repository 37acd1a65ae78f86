/*
 * socketmap.c - the socketmap server (socketmap_table(5)): netstrings, bounds,
 * dispatch by map name.
 *
 * socketmap_start(), socketmap_stop(), socketmap_answer().
 *
 * One accepting thread polls the listening socket and a stop flag; each
 * connection gets a detached thread that reads netstrings "LEN:DATA,",
 * answers each with one netstring and keeps the connection open for the
 * next (Postfix's dict_sockmap keeps it). A malformed or oversized
 * request gets "PERM why" and the connection is closed: a netstring
 * stream cannot be resynchronised. The maps: "route" and "route-rcpt"
 * (route.c) and "status-EGRESSNAME" (refusal.c); any other name is PERM. Each request
 * uses the configuration current when it arrives.
 * The peer of each connection is known by its uid (SO_PEERCRED on a
 * unix socket, the owner of the peer's socket in /proc/net/tcp on
 * loopback TCP); only root and PostfixMailOwner change state: a status-*
 * request of anyone else is answered NOTFOUND and has no effect. The
 * connections are slots: a peer that is not trusted keeps at most
 * SOCKETMAP_MAX_PER_PEER, and when the table is full the connection idle
 * longest makes room (never a trusted one for an untrusted peer), so
 * Postfix's client always gets a slot.
 * Must not: touch libmilter; wait on DNS itself (route.c bounds its SPF
 * lookups, refusal.c does none).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "health/refusal.h"
#include "mta/socketmap.h"
#include "policy/route.h"
#include "util/log.h"
#include "util/util.h"

#define SOCKETMAP_POLL_MS 250			/* how often threads see a stop */

static atomic_bool socketmap_stopping;
static atomic_int socketmap_threads;		/* the acceptor and connections */
static int socketmap_listen_fd = -1;
static char socketmap_unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* SPEC ("inet:PORT@HOST", "inet6:...", "unix:/PATH") to an address. */
static int
socketmap_address(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *rest = strchr(spec, ':') + 1;
	bool v6 = strncasecmp(spec, "inet6:", 6) == 0;
	char host[INET6_ADDRSTRLEN] = "";
	long port = strtol(rest, NULL, 10);
	const char *at = strchr(rest, '@');

	memset(ss, 0, sizeof(*ss));
	if (strncasecmp(spec, "unix:", 5) == 0 ||
	    strncasecmp(spec, "local:", 6) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;

		sun->sun_family = AF_UNIX;
		if (copy_bounded(sun->sun_path, sizeof(sun->sun_path), rest))
			return -1;
		*len = sizeof(*sun);
		return 0;
	}
	if (at != NULL && copy_bounded(host, sizeof(host), at + 1))
		return -1;
	if (host[0] == '\0')
		copy_bounded(host, sizeof(host), v6 ? "::1" : "127.0.0.1");
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	*len = sizeof(*sin);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

void
socketmap_answer(const struct conf *conf, const char *request, char *reply,
    size_t size)
{
	socketmap_answer_as(conf, request, true, reply, size);
}

/* Logs, once per uid (of the last MAP_LOGGED_UIDS), an ignored request. */
static void
socketmap_log_untrusted(long uid, const char *map)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static long logged[MAP_LOGGED_UIDS];
	static size_t nlogged, next;
	bool seen = false;
	char shown[80];

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nlogged && !seen; i++)
		seen = logged[i] == uid;
	if (!seen) {
		logged[next] = uid;
		next = (next + 1) % MAP_LOGGED_UIDS;
		nlogged += nlogged < MAP_LOGGED_UIDS;
	}
	pthread_mutex_unlock(&lock);
	if (!seen)
		log_warn("map: %s from %s %ld ignored: only root and Postfix's "
		    "mail owner (PostfixMailOwner) change state (logged once "
		    "per user)", log_escape(shown, sizeof(shown), map),
		    uid < 0 ? "an unknown peer, uid" : "uid", uid);
}

void
socketmap_answer_as(const struct conf *conf, const char *request, bool trusted,
    char *reply, size_t size)
{
	const char *space = strchr(request, ' ');
	char name[CONF_NAME_MAX + 16], shown[80];
	size_t nlen = space ? (size_t)(space - request) : 0;
	enum lookup_status st;
	char data[SOCKETMAP_MAX_REPLY];
	static const char *const words[] = { "OK ", "NOTFOUND ", "TEMP ",
	    "PERM " };

	data[0] = '\0';
	if (space == NULL || nlen == 0 || nlen >= sizeof(name)) {
		snprintf(reply, size, "PERM malformed request: expected "
		    "\"NAME KEY\"");
		return;
	}
	memcpy(name, request, nlen);
	name[nlen] = '\0';
	if (strcasecmp(name, "route") == 0)
		st = route_lookup(conf, space + 1, data, sizeof(data));
	else if (strcasecmp(name, "route-rcpt") == 0)
		st = route_rcpt_lookup(conf, space + 1, data, sizeof(data));
	else if (strncasecmp(name, "status-", 7) == 0 && !trusted)
		st = LOOKUP_NOTFOUND;	/* no effect; the status stays */
	else if (strncasecmp(name, "status-", 7) == 0)
		st = refusal_status(conf, name + 7, space + 1, data,
		    sizeof(data));
	else {
		snprintf(data, sizeof(data), "unknown map \"%s\" (egress-milter "
		    "serves route, route-rcpt and status-EGRESSNAME)",
		    log_escape(shown, sizeof(shown), name));
		st = LOOKUP_PERM;
	}
	snprintf(reply, size, "%s%s", words[st], st == LOOKUP_NOTFOUND ? "" :
	    data);
}

/* Waits until FD is readable, the stop flag, or DEADLINE: 1, 0, -1. */
static int
socketmap_wait_readable(int fd, time_t deadline)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int rc;

	while (!atomic_load(&socketmap_stopping) && time(NULL) < deadline) {
		rc = poll(&p, 1, SOCKETMAP_POLL_MS);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}

/* Reads one byte into C; 1, 0 at EOF, -1 on error, stop or timeout. */
static int
socketmap_read_byte(int fd, char *c, time_t deadline)
{
	ssize_t n;

	if (socketmap_wait_readable(fd, deadline) != 1)
		return -1;
	n = read(fd, c, 1);
	return n == 1 ? 1 : n == 0 ? 0 : -1;
}

/* Reads exactly LEN bytes before DEADLINE; 0 or -1. */
static int
socketmap_read_exact(int fd, char *buf, size_t len, time_t deadline)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (socketmap_wait_readable(fd, deadline) != 1)
			return -1;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Sends REPLY as one netstring; 0 or -1. */
static int
socketmap_send(int fd, const char *reply)
{
	char frame[SOCKETMAP_MAX_REPLY + 32];
	int len = snprintf(frame, sizeof(frame), "%zu:%s,", strlen(reply),
	    reply);
	size_t sent = 0;
	ssize_t n;

	if (len < 0 || (size_t)len >= sizeof(frame))
		return -1;
	while (sent < (size_t)len) {
		n = send(fd, frame + sent, (size_t)len - sent, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		sent += (size_t)n;
	}
	return 0;
}

/*
 * Reads one request into BUF (SOCKETMAP_MAX_REQUEST + 1 bytes). Returns its
 * length; -1 at a clean end or on a timeout (closed silently); -2 when
 * malformed and -3 when too long (WHY says so in a PERM).
 */
static long
socketmap_read_request(int fd, char *buf, int served)
{
	time_t deadline = time(NULL) + (served ? SOCKETMAP_IDLE_SECONDS :
	    SOCKETMAP_REQUEST_SECONDS);
	size_t len = 0;
	int digits = 0, rc;
	char c;

	for (;;) {
		if ((rc = socketmap_read_byte(fd, &c, deadline)) != 1)
			return rc == 0 && digits == 0 ? -1 : digits ? -2 : -1;
		if (digits == 0)
			deadline = time(NULL) + SOCKETMAP_REQUEST_SECONDS;
		if (c == ':' && digits > 0)
			break;
		if (c < '0' || c > '9' || (digits == 1 && len == 0))
			return -2;
		len = len * 10 + (size_t)(c - '0');
		if (++digits > 6 || len > SOCKETMAP_MAX_REQUEST)
			return -3;
	}
	if (socketmap_read_exact(fd, buf, len, deadline) != 0 ||
	    socketmap_read_exact(fd, &c, 1, deadline) != 0)
		return -1;
	if (c != ',' || memchr(buf, '\0', len) != NULL)
		return -2;
	buf[len] = '\0';
	return (long)len;
}

/* One served connection: its peer and when it last finished a request. */
struct socketmap_slot {
	int fd;				/* -1: free */
	long uid;			/* the peer's uid; -1: unknown */
	bool trusted;			/* root or PostfixMailOwner */
	bool busy;			/* answering a request */
	time_t idle_since;
};

static pthread_mutex_t socketmap_slots_lock = PTHREAD_MUTEX_INITIALIZER;
static struct socketmap_slot socketmap_slots[SOCKETMAP_MAX_CONNECTIONS];
static bool socketmap_slots_ready;

/*
 * The uid of the local socket at HEX_PEER connected to HEX_US, from
 * /proc/net/tcp or tcp6 (FILE): -1 when not found.
 */
static long
socketmap_proc_uid(const char *file, const char *hex_peer, const char *hex_us)
{
	FILE *fp = fopen(file, "r");
	char line[512], local[64], remote[64];
	unsigned long uid;
	long found = -1;

	if (fp == NULL)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, " %*s %63s %63s %*s %*s %*s %*s %lu", local,
		    remote, &uid) == 3 && strcasecmp(local, hex_peer) == 0 &&
		    strcasecmp(remote, hex_us) == 0)
			found = (long)uid;
	fclose(fp);
	return found;
}

/* ADDR (AF_INET or AF_INET6) as /proc/net/tcp writes it, into OUT. */
static void
socketmap_proc_hex(const struct sockaddr_storage *ss, char *out, size_t size)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		snprintf(out, size, "%08X:%04X", (unsigned)in->sin_addr.s_addr,
		    (unsigned)ntohs(in->sin_port));
	} else {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)ss;
		uint32_t w[4];

		memcpy(w, &in6->sin6_addr, sizeof(w));
		snprintf(out, size, "%08X%08X%08X%08X:%04X", (unsigned)w[0],
		    (unsigned)w[1], (unsigned)w[2], (unsigned)w[3],
		    (unsigned)ntohs(in6->sin6_port));
	}
}

/*
 * The uid of FD's peer: SO_PEERCRED on a unix socket; on TCP, the owner
 * of the peer's socket in /proc/net/tcp(6), which only a local peer
 * has. -1 when it cannot be known.
 */
static long
socketmap_peer_uid(int fd)
{
	struct sockaddr_storage us, peer;
	socklen_t ulen = sizeof(us), plen = sizeof(peer);
	char hex_us[64], hex_peer[64];

	if (getsockname(fd, (struct sockaddr *)&us, &ulen) != 0)
		return -1;
	if (us.ss_family == AF_UNIX)
		return unix_peer_uid(fd);
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) != 0 ||
	    peer.ss_family != us.ss_family)
		return -1;
	socketmap_proc_hex(&peer, hex_peer, sizeof(hex_peer));
	socketmap_proc_hex(&us, hex_us, sizeof(hex_us));
	return socketmap_proc_uid(us.ss_family == AF_INET ? "/proc/net/tcp" :
	    "/proc/net/tcp6", hex_peer, hex_us);
}

/*
 * A slot for FD of UID, making room when needed: a peer that is not
 * trusted keeps at most SOCKETMAP_MAX_PER_PEER connections, and a full table
 * closes the connection idle longest (one of an untrusted peer first),
 * so Postfix's client always gets a slot. NULL when every connection is
 * busy (or every one of an untrusted peer at its bound). Lock held.
 */
static struct socketmap_slot *
socketmap_slot_take(int fd, long uid, bool trusted)
{
	struct socketmap_slot *free_slot = NULL, *victim = NULL, *own = NULL;
	size_t mine = 0;
	time_t now = time(NULL);

	if (!socketmap_slots_ready) {
		for (size_t i = 0; i < SOCKETMAP_MAX_CONNECTIONS; i++)
			socketmap_slots[i].fd = -1;
		socketmap_slots_ready = true;
	}
	for (size_t i = 0; i < SOCKETMAP_MAX_CONNECTIONS; i++) {
		struct socketmap_slot *sl = &socketmap_slots[i];

		if (sl->fd < 0) {
			if (free_slot == NULL)
				free_slot = sl;
			continue;
		}
		if (!trusted && sl->uid == uid)
			mine++;
		if (sl->busy)
			continue;
		if (!trusted && sl->uid == uid && (own == NULL ||
		    sl->idle_since < own->idle_since))
			own = sl;
		if (victim == NULL || (!sl->trusted && victim->trusted) ||
		    (sl->trusted == victim->trusted &&
		    sl->idle_since < victim->idle_since))
			victim = sl;
	}
	/* An untrusted peer's own oldest goes first; else the table's. */
	if (!trusted && mine >= SOCKETMAP_MAX_PER_PEER) {
		if ((victim = own) == NULL)
			return NULL;	/* all of them busy: no more */
	}
	else if (free_slot != NULL || (!trusted && victim != NULL &&
	    victim->trusted))
		victim = NULL;		/* never Postfix's for another */
	if (victim != NULL) {
		/* Its thread sees the end and closes; the slot is FD's. */
		(void)shutdown(victim->fd, SHUT_RDWR);
		free_slot = victim;
	}
	if (free_slot == NULL)
		return NULL;
	free_slot->fd = fd;
	free_slot->uid = uid;
	free_slot->trusted = trusted;
	free_slot->busy = false;
	free_slot->idle_since = now;
	return free_slot;
}

struct socketmap_conn {
	int fd;
	long uid;
	bool trusted;
	struct socketmap_slot *slot;
};

/* Marks SLOT busy or idle, unless it was taken over. False if it was. */
static bool
socketmap_slot_mark(struct socketmap_conn *c, bool busy)
{
	bool mine;

	pthread_mutex_lock(&socketmap_slots_lock);
	mine = c->slot->fd == c->fd;
	if (mine) {
		c->slot->busy = busy;
		c->slot->idle_since = time(NULL);
	}
	pthread_mutex_unlock(&socketmap_slots_lock);
	return mine;
}

static void *
socketmap_connection(void *arg)
{
	struct socketmap_conn *c = arg;
	int fd = c->fd;
	char *request = xmalloc(SOCKETMAP_MAX_REQUEST + 1);
	char reply[SOCKETMAP_MAX_REPLY];
	long len;

	for (int served = 0; served < SOCKETMAP_MAX_REQUESTS; served++) {
		struct conf *conf;

		if ((len = socketmap_read_request(fd, request, served)) < 0) {
			if (len == -2)
				socketmap_send(fd, "PERM malformed netstring");
			else if (len == -3)
				socketmap_send(fd, "PERM request longer than "
				    "16384 bytes");
			break;
		}
		if (!socketmap_slot_mark(c, true))
			break;		/* evicted meanwhile */
		if ((conf = conf_current()) == NULL) {
			socketmap_send(fd, "TEMP egress-milter is stopping");
			break;
		}
		if (!c->trusted && strncasecmp(request, "status-", 7) == 0)
			socketmap_log_untrusted(c->uid, "status-* request");
		socketmap_answer_as(conf, request, c->trusted, reply, sizeof(reply));
		conf_release(conf);
		log_debug("map: \"%.200s\" -> \"%.200s\"", request, reply);
		if (socketmap_send(fd, reply) != 0 || !socketmap_slot_mark(c, false))
			break;
	}
	pthread_mutex_lock(&socketmap_slots_lock);
	if (c->slot->fd == fd)
		c->slot->fd = -1;	/* else another connection has it */
	pthread_mutex_unlock(&socketmap_slots_lock);
	close(fd);
	free(request);
	free(c);
	atomic_fetch_sub(&socketmap_threads, 1);
	return NULL;
}

/*
 * Starts a detached thread for FD, or closes it when every slot is busy
 * answering.
 */
static void
socketmap_serve(int fd, const struct conf *conf)
{
	pthread_attr_t attr;
	pthread_t thread;
	struct socketmap_conn *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	c->uid = socketmap_peer_uid(fd);
	c->trusted = c->uid == 0 || (c->uid >= 0 && conf != NULL &&
	    c->uid == conf->map_owner_uid);
	pthread_mutex_lock(&socketmap_slots_lock);
	c->slot = socketmap_slot_take(fd, c->uid, c->trusted);
	pthread_mutex_unlock(&socketmap_slots_lock);
	if (c->slot == NULL) {
		socketmap_send(fd, "TEMP too many socketmap connections");
		close(fd);
		free(c);
		return;
	}
	atomic_fetch_add(&socketmap_threads, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attr, socketmap_connection, c) != 0) {
		atomic_fetch_sub(&socketmap_threads, 1);
		pthread_mutex_lock(&socketmap_slots_lock);
		c->slot->fd = -1;
		pthread_mutex_unlock(&socketmap_slots_lock);
		close(fd);
		free(c);
	}
	pthread_attr_destroy(&attr);
}

static void *
socketmap_acceptor(void *arg)
{
	struct pollfd p = { socketmap_listen_fd, POLLIN, 0 };
	int fd;

	(void)arg;
	while (!atomic_load(&socketmap_stopping)) {
		struct conf *conf;

		refusal_tick();
		if (poll(&p, 1, SOCKETMAP_POLL_MS) <= 0)
			continue;
		if ((fd = accept(socketmap_listen_fd, NULL, NULL)) < 0) {
			if (errno != EINTR && errno != EAGAIN &&
			    errno != ECONNABORTED)
				log_warn_errno("map: accept");
			continue;
		}
		conf = conf_current();
		socketmap_serve(fd, conf);
		if (conf != NULL)
			conf_release(conf);
	}
	atomic_fetch_sub(&socketmap_threads, 1);
	return NULL;
}

/* Opens the listening socket for SPEC; the fd or -1 with a log line. */
static int
socketmap_listen(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1;

	if (socketmap_address(spec, &ss, &len) != 0) {
		log_err("MapSocket %s: needs a literal IP address or an "
		    "absolute path", spec);
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0) {
		log_err_errno("MapSocket %s", spec);
		return -1;
	}
	if (ss.ss_family == AF_UNIX) {
		copy_bounded(socketmap_unix_path, sizeof(socketmap_unix_path),
		    ((struct sockaddr_un *)&ss)->sun_path);
		(void)unlink(socketmap_unix_path);
	} else
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(fd, 64) != 0) {
		log_err_errno("cannot open MapSocket %s (in use, or no "
		    "permission?)", spec);
		close(fd);
		return -1;
	}
	return fd;
}

int
socketmap_start(const struct conf *conf)
{
	pthread_attr_t attr;
	pthread_t thread;
	int rc;

	if (conf->map_socket == NULL)
		return 0;
	if ((socketmap_listen_fd = socketmap_listen(conf->map_socket)) < 0)
		return -1;
	atomic_store(&socketmap_stopping, false);
	atomic_fetch_add(&socketmap_threads, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&thread, &attr, socketmap_acceptor, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		atomic_fetch_sub(&socketmap_threads, 1);
		close(socketmap_listen_fd);
		socketmap_listen_fd = -1;
		log_err("cannot start the socketmap thread");
		return -1;
	}
	log_info("socketmap server on %s (maps route, route-rcpt and "
	    "status-EGRESSNAME)",
	    conf->map_socket);
	return 0;
}

void
socketmap_stop(int wait_ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (socketmap_listen_fd < 0)
		return;
	atomic_store(&socketmap_stopping, true);
	for (int i = 0; i < wait_ms / 10 && atomic_load(&socketmap_threads) > 0; i++)
		nanosleep(&tick, NULL);
	close(socketmap_listen_fd);
	socketmap_listen_fd = -1;
	if (socketmap_unix_path[0] != '\0')
		(void)unlink(socketmap_unix_path);
}
