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
 * stream cannot be resynchronised. The maps: "route" (route.c) and
 * "status-EGRESSNAME" (refusal.c); any other name is PERM. Each request
 * uses the configuration current when it arrives.
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
	else if (strncasecmp(name, "status-", 7) == 0)
		st = refusal_status(conf, name + 7, space + 1, data,
		    sizeof(data));
	else {
		snprintf(data, sizeof(data), "unknown map \"%s\" (egress-milter "
		    "serves route and status-EGRESSNAME)",
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

static void *
socketmap_connection(void *arg)
{
	int fd = (int)(intptr_t)arg;
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
		if ((conf = conf_current()) == NULL) {
			socketmap_send(fd, "TEMP egress-milter is stopping");
			break;
		}
		socketmap_answer(conf, request, reply, sizeof(reply));
		conf_release(conf);
		log_debug("map: \"%.200s\" -> \"%.200s\"", request, reply);
		if (socketmap_send(fd, reply) != 0)
			break;
	}
	close(fd);
	free(request);
	atomic_fetch_sub(&socketmap_threads, 1);
	return NULL;
}

/* Starts a detached thread for FD, or closes it when there are too many. */
static void
socketmap_serve(int fd)
{
	pthread_attr_t attr;
	pthread_t thread;

	if (atomic_load(&socketmap_threads) > SOCKETMAP_MAX_CONNECTIONS) {
		socketmap_send(fd, "TEMP too many socketmap connections");
		close(fd);
		return;
	}
	atomic_fetch_add(&socketmap_threads, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attr, socketmap_connection,
	    (void *)(intptr_t)fd) != 0) {
		atomic_fetch_sub(&socketmap_threads, 1);
		close(fd);
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
		refusal_tick();
		if (poll(&p, 1, SOCKETMAP_POLL_MS) <= 0)
			continue;
		if ((fd = accept(socketmap_listen_fd, NULL, NULL)) < 0) {
			if (errno != EINTR && errno != EAGAIN &&
			    errno != ECONNABORTED)
				log_warn("map: accept: %s", strerror(errno));
			continue;
		}
		socketmap_serve(fd);
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
		log_err("MapSocket %s: %s", spec, strerror(errno));
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
		log_err("cannot open MapSocket %s (in use, or no permission?): "
		    "%s", spec, strerror(errno));
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
	log_info("socketmap server on %s (maps route and status-EGRESSNAME)",
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
