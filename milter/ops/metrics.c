/*
 * metrics.c - the HTTP side of /metrics (see metrics.h).
 *
 * metrics_start(), metrics_stop().
 * libmicrohttpd runs its own polling thread; at most CONNECTIONS_MAX
 * connections at once and CLIENT_MAX from one address, each closed
 * after TIMEOUT_S of silence and, however busy, DEADLINE_MS after it
 * was accepted: a watchdog thread shuts down the socket of a
 * connection past its deadline (libmicrohttpd's own timeout is reset
 * by every byte, so a client sending one byte a second would hold its
 * slot for ever). Only
 * GET /metrics is answered (200, text/plain; version=0.0.4); any other
 * path is 404 and any other method 405. The address is a literal
 * (conf_ops.c checked it): nothing is resolved.
 * Must not: touch libmilter, do DNS.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "ops/metrics.h"
#include "ops/metrics_text.h"
#include "util/log.h"
#include "util/util.h"

#define CONNECTIONS_MAX 16
#define CLIENT_MAX 4
#define TIMEOUT_S 5
#define DEADLINE_MS 5000
#define WATCH_MS 200

/* A connection the watchdog keeps an eye on. */
struct watched {
	bool used;
	bool cut;
	int fd;
	long long opened;		/* ms, CLOCK_MONOTONIC */
};

static struct MHD_Daemon *daemon_handle;
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cond = PTHREAD_COND_INITIALIZER;
static struct watched watched[CONNECTIONS_MAX * 2];
static bool watch_stop;
static bool watch_running;
static pthread_t watch_thread;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * libmicrohttpd's word that a connection opened or closed (called in
 * its thread, before the socket is closed: a slot's fd is never a
 * reused number while the slot is in use).
 */
static void
notify(void *cls, struct MHD_Connection *connection, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	pthread_mutex_lock(&watch_lock);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		    connection, MHD_CONNECTION_INFO_CONNECTION_FD);

		*socket_context = NULL;
		for (size_t i = 0; info != NULL &&
		    i < sizeof(watched) / sizeof(watched[0]); i++)
			if (!watched[i].used) {
				watched[i].used = true;
				watched[i].cut = false;
				watched[i].fd = info->connect_fd;
				watched[i].opened = now_ms();
				*socket_context = &watched[i];
				break;
			}
		if (*socket_context == NULL && info != NULL)
			shutdown(info->connect_fd, SHUT_RDWR);	/* unwatched */
	} else if (*socket_context != NULL) {
		((struct watched *)*socket_context)->used = false;
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&watch_lock);
}

/* Shuts down every connection past its deadline, every WATCH_MS. */
static void *
watchdog(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&watch_lock);
	while (!watch_stop) {
		struct timespec until;
		long long now = now_ms();

		for (size_t i = 0; i < sizeof(watched) / sizeof(watched[0]);
		    i++)
			if (watched[i].used && !watched[i].cut &&
			    now - watched[i].opened >= DEADLINE_MS) {
				shutdown(watched[i].fd, SHUT_RDWR);
				watched[i].cut = true;
			}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += WATCH_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&watch_cond, &watch_lock, &until);
	}
	pthread_mutex_unlock(&watch_lock);
	return NULL;
}

static enum MHD_Result
reply(struct MHD_Connection *connection, unsigned status, const char *type,
    char *body, size_t len)
{
	struct MHD_Response *response = MHD_create_response_from_buffer(len,
	    body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (response == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(response, "Content-Type", type);
	rc = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return rc;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *connection, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **state)
{
	char *body = NULL;
	size_t len = 0;
	FILE *fp;

	(void)cls; (void)version; (void)upload_data; (void)state;
	if (*upload_size != 0)
		*upload_size = 0;	/* no request body is read */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(connection, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "text/plain", xstrdup("only GET\n"), 9);
	if (strcmp(url, "/metrics") != 0)
		return reply(connection, MHD_HTTP_NOT_FOUND, "text/plain",
		    xstrdup("see /metrics\n"), 13);
	if ((fp = open_memstream(&body, &len)) == NULL)
		return MHD_NO;
	metrics_render(fp);
	if (fclose(fp) != 0) {
		free(body);
		return MHD_NO;
	}
	return reply(connection, MHD_HTTP_OK,
	    "text/plain; version=0.0.4; charset=utf-8", body, len);
}

/* Fills SS from "ADDR:PORT" or "[ADDR6]:PORT"; returns the port or 0. */
static unsigned
listen_address(const char *spec, struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : 0;
	unsigned port = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (len == 0 || len >= sizeof(host) || port == 0 || port > 65535)
		return 0;
	if (spec[0] == '[' && len >= 2) {
		memcpy(host, spec + 1, len - 2);
		host[len - 2] = '\0';
	} else {
		memcpy(host, spec, len);
		host[len] = '\0';
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
	} else {
		return 0;
	}
	return port;
}

int
metrics_start(const char *spec)
{
	struct sockaddr_storage ss;
	unsigned port, flags = MHD_USE_INTERNAL_POLLING_THREAD;

	if (spec == NULL)
		return 0;
	if ((port = listen_address(spec, &ss)) == 0) {
		log_err("MetricsListen %s: not ADDRESS:PORT", spec);
		return -1;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon_handle = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
	    answer, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)CLIENT_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TIMEOUT_S,
	    MHD_OPTION_NOTIFY_CONNECTION, notify, NULL,
	    MHD_OPTION_END);
	if (daemon_handle == NULL) {
		log_err("MetricsListen %s: cannot listen (in use, or no "
		    "permission?); /metrics is off", spec);
		return -1;
	}
	watch_stop = false;
	if ((errno = pthread_create(&watch_thread, NULL, watchdog, NULL))
	    != 0) {
		log_err("MetricsListen %s: no thread for the deadlines (%s); "
		    "/metrics is off", spec, strerror(errno));
		MHD_stop_daemon(daemon_handle);
		daemon_handle = NULL;
		return -1;
	}
	watch_running = true;
	log_info("metrics on http://%s/metrics", spec);
	return 0;
}

void
metrics_stop(void)
{
	if (watch_running) {
		pthread_mutex_lock(&watch_lock);
		watch_stop = true;
		pthread_cond_signal(&watch_cond);
		pthread_mutex_unlock(&watch_lock);
		pthread_join(watch_thread, NULL);
		watch_running = false;
	}
	if (daemon_handle != NULL)
		MHD_stop_daemon(daemon_handle);
	daemon_handle = NULL;
}
