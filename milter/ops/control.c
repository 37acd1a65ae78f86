/*
 * control.c - the control socket and the --status client (control.h).
 *
 * control_open(), control_start(), control_stop(), control_query(),
 * control_round().
 * control_open() runs before the daemon drops its privileges: it
 * creates a missing directory and hands the socket to the daemon's user.
 * One thread accepts one client at a time. A request is at most
 * REQUEST_MAX bytes up to a newline, and the whole exchange (reading it
 * and writing the answer) has one deadline, REQUEST_DEADLINE_MS after
 * the accept, however the client trickles its bytes; the
 * answer is rendered from in-memory snapshots (status.c), so nothing
 * here waits on DNS. "round" (state-changing: a health round now) is
 * served only to root, the daemon's user and Postfix's mail owner, known
 * by SO_PEERCRED. A socket file left by a dead daemon is replaced;
 * one a live daemon answers on is left alone.
 * Must not: touch libmilter, do DNS.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "health/monitor.h"
#include "ops/control.h"
#include "ops/status.h"
#include "util/log.h"
#include "util/util.h"

#define REQUEST_MAX 256
#define REQUEST_DEADLINE_MS 2000
#define ANSWER_MAX (4 * 1024 * 1024)

static int listen_fd = -1;
static pthread_t thread;
static atomic_bool stopping;
static char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* Fills SUN from "unix:/PATH"; 0 or -1. */
static int
control_address(const char *spec, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (spec == NULL || strncmp(spec, "unix:", 5) != 0)
		return -1;
	return copy_bounded(sun->sun_path, sizeof(sun->sun_path), spec + 5)
	    ? -1 : 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until FD is ready for EVENTS, before DEADLINE (ms); 0 or -1. */
static int
wait_ready(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return -1;
		n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* Writes BUF whole before DEADLINE (ms); 0 or -1. */
static int
write_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len > 0) {
		ssize_t n;

		if (wait_ready(fd, POLLOUT, deadline) != 0)
			return -1;
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN ||
		    errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Reads one request line into BUF before DEADLINE (ms); 0, or -1 (too
 * long, too slow, closed).
 */
static int
read_request(int fd, char *buf, size_t size, long long deadline)
{
	size_t used = 0;

	while (used + 1 < size) {
		ssize_t n;

		if (wait_ready(fd, POLLIN, deadline) != 0)
			return -1;
		n = recv(fd, buf + used, size - 1 - used, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN ||
		    errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			return -1;
		used += (size_t)n;
		buf[used] = '\0';
		if (strchr(buf, '\n') != NULL) {
			buf[strcspn(buf, "\r\n")] = '\0';
			return 0;
		}
	}
	return -1;
}

/*
 * "round": a health round of every egress now (monitor_recheck()). It
 * changes state: only root, the daemon's own user and Postfix's mail
 * owner (PostfixMailOwner) may ask; anyone else is answered "exit 1"
 * and logged (once per uid in a row).
 */
static void
serve_round(int fd, long long deadline)
{
	static long last_refused = -2;
	struct conf *conf = conf_current();
	long uid = unix_peer_uid(fd);
	bool allowed = uid == 0 || (uid >= 0 && ((uid_t)uid == geteuid() ||
	    (conf != NULL && uid == conf->map_owner_uid)));
	char answer[300];

	conf_release(conf);
	if (!allowed) {
		if (uid != last_refused)
			log_notice("control: round request from uid %ld refused: "
			    "only root, the daemon's user and Postfix's mail "
			    "owner may ask for one", uid);
		last_refused = uid;
		snprintf(answer, sizeof(answer), "exit 1\nrefused: only root, "
		    "the daemon's user and Postfix's mail owner may ask for a "
		    "health round; nothing changed\n");
	} else {
		monitor_recheck();
		log_notice("control: health round of every egress started now "
		    "(asked by uid %ld)", uid);
		snprintf(answer, sizeof(answer), "exit 0\na health round of "
		    "every egress starts now; egress-milter --status shows its "
		    "result once it is over (a few seconds, DNSTimeout at "
		    "most per lookup)\n");
	}
	(void)write_all(fd, answer, strlen(answer), deadline);
}

static void
serve_client(int fd)
{
	char request[REQUEST_MAX], *answer = NULL, head[32];
	size_t len = 0;
	FILE *mem;
	int rc;
	long long deadline = now_ms() + REQUEST_DEADLINE_MS;

	if (read_request(fd, request, sizeof(request), deadline) != 0)
		return;
	if (strcmp(request, "round") == 0) {
		serve_round(fd, deadline);
		return;
	}
	if (strcmp(request, "status") != 0 &&
	    strcmp(request, "status json") != 0) {
		(void)write_all(fd, "error unknown request\n", 22, deadline);
		return;
	}
	if ((mem = open_memstream(&answer, &len)) == NULL)
		return;
	rc = status_render(mem, strcmp(request, "status json") == 0);
	if (fclose(mem) == 0) {
		snprintf(head, sizeof(head), "exit %d\n", rc);
		if (write_all(fd, head, strlen(head), deadline) == 0)
			(void)write_all(fd, answer, len, deadline);
	}
	free(answer);
}

static void *
control_thread(void *arg)
{
	struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };

	(void)arg;
	while (!atomic_load(&stopping)) {
		int fd;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((fd = accept(listen_fd, NULL, NULL)) < 0)
			continue;
		serve_client(fd);
		close(fd);
	}
	return NULL;
}

/* True when a live daemon answers on SUN. */
static bool
socket_in_use(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bool used;

	if (fd < 0)
		return false;
	used = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return used;
}

/*
 * Creates the directory of PATH when it is missing (one level, mode
 * 0755, handed to UID:GID so the daemon can remove its socket there
 * after dropping privileges); 0 or -1 with errno.
 */
static int
make_socket_directory(const char *path, uid_t uid, gid_t gid)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	copy_bounded(dir, sizeof(dir), path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) != 0)
		return errno == EEXIST ? 0 : -1;
	if (uid != (uid_t)-1 && (uid != getuid() || gid != getgid()) &&
	    chown(dir, uid, gid) != 0)
		log_warn_errno("cannot hand directory %s to the daemon's user",
		    dir);
	log_info("created directory %s for the control socket", dir);
	return 0;
}

int
control_open(const char *spec, uid_t uid, gid_t gid)
{
	struct sockaddr_un sun;
	mode_t old_mask;
	int fd, rc;

	if (spec == NULL || listen_fd >= 0)
		return 0;
	if (control_address(spec, &sun) != 0) {
		log_err("ControlSocket %s: not a unix:/PATH", spec);
		return -1;
	}
	if (socket_in_use(&sun)) {
		log_warn("ControlSocket %s: another daemon answers there; "
		    "--status will not reach this one", spec);
		return -1;
	}
	if (make_socket_directory(sun.sun_path, uid, gid) != 0) {
		log_warn("ControlSocket %s: cannot create its directory: %s "
		    "(--status will not work)", spec, strerror(errno));
		return -1;
	}
	(void)unlink(sun.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	old_mask = umask(0177);		/* 0600: the daemon's user only */
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_mask);
	if (rc != 0 || listen(fd, 8) != 0) {
		log_warn("ControlSocket %s: %s (--status will not work)", spec,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (uid != (uid_t)-1 && (uid != getuid() || gid != getgid()) &&
	    chown(sun.sun_path, uid, gid) != 0)
		log_warn_errno("ControlSocket %s: cannot hand it to the "
		    "daemon's user", spec);
	listen_fd = fd;
	copy_bounded(socket_path, sizeof(socket_path), sun.sun_path);
	return 0;
}

int
control_start(const char *spec)
{
	if (spec == NULL)
		return 0;
	if (listen_fd < 0 && control_open(spec, (uid_t)-1, (gid_t)-1) != 0)
		return -1;
	atomic_store(&stopping, false);
	if (pthread_create(&thread, NULL, control_thread, NULL) != 0) {
		close(listen_fd);
		(void)unlink(socket_path);
		listen_fd = -1;
		return -1;
	}
	log_info("control socket %s (egress-milter --status)", spec);
	return 0;
}

void
control_stop(void)
{
	if (listen_fd < 0)
		return;
	atomic_store(&stopping, true);
	pthread_join(thread, NULL);
	close(listen_fd);
	listen_fd = -1;
	(void)unlink(socket_path);
}

/* Reads the whole answer within DEADLINE (monotonic seconds). */
static char *
read_answer(int fd, time_t deadline)
{
	size_t size = 8192, used = 0;
	char *buf = xmalloc(size);

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec now;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= deadline || poll(&pfd, 1, (int)(deadline -
		    now.tv_sec) * 1000) <= 0)
			break;
		if (used + 1 >= size) {
			if (size >= ANSWER_MAX)
				break;
			buf = xrealloc(buf, size *= 2);
		}
		n = recv(fd, buf + used, size - 1 - used, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			buf[used] = '\0';
			return buf;
		}
		used += (size_t)n;
	}
	free(buf);
	return NULL;
}

/*
 * Sends REQUEST to the daemon at SPEC and prints the answer's body to
 * OUT; the exit code it gave, or 3 with an UNKNOWN line.
 */
static int
control_ask(const char *spec, const char *request, int timeout, FILE *out)
{
	struct sockaddr_un sun;
	struct timespec now;
	char *answer, *body;
	int fd, rc = 3;

	if (control_address(spec, &sun) != 0) {
		fprintf(out, "EGRESS UNKNOWN - no ControlSocket configured\n");
		return 3;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(out, "EGRESS UNKNOWN - cannot reach the daemon at %s: "
		    "%s\n", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 3;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	answer = write_all(fd, request, strlen(request), now_ms() +
	    timeout * 1000LL) == 0 ?
	    read_answer(fd, now.tv_sec + timeout) : NULL;
	close(fd);
	if (answer == NULL || sscanf(answer, "exit %d", &rc) != 1 ||
	    rc < 0 || rc > 3 || (body = strchr(answer, '\n')) == NULL) {
		fprintf(out, "EGRESS UNKNOWN - no answer from the daemon at %s "
		    "within %d s\n", spec, timeout);
		free(answer);
		return 3;
	}
	fputs(body + 1, out);
	free(answer);
	return rc;
}

int
control_query(const char *spec, bool json, int timeout, FILE *out)
{
	return control_ask(spec, json ? "status json\n" : "status\n", timeout,
	    out);
}

int
control_round(const char *spec, int timeout, FILE *out)
{
	return control_ask(spec, "round\n", timeout, out);
}
