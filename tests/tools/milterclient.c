/*
 * milterclient.c - a small milter-protocol client (an MTA stand-in) for
 * the fault and load tests: many concurrent connections, each dropped
 * abruptly at a chosen stage, big header fields, idle connections.
 *
 * usage: milterclient -p PORT MODE [options]
 *   message [-n N] [-c CONNS] [-H BYTES] [-s SENDER] [-f FROM] [-h HELO]
 *            N complete messages (default 1) over CONNS concurrent
 *            connections (default 1), each header field "X-Big" BYTES
 *            long when -H is given; prints "verdicts a=.. t=.. r=..
 *            y4=.. y5=.. other=.. dropped=.." and "reply: TEXT" for the
 *            first SMFIR_REPLYCODE seen, "header: NAME: VALUE" for the
 *            first header added.
 *   drop -c CONNS  CONNS concurrent connections, connection i dropped
 *            after stage i % STAGES (options, connect, helo, mail, rcpt,
 *            header, half a packet, body, eom not read), half of them
 *            with a TCP reset; prints "dropped N".
 *   hold -c CONNS  opens CONNS connections up to MAIL FROM and keeps them
 *            open; then one more connection: prints "extra: X" with X
 *            the reply character to its CONNECT (c, t, ... or "closed").
 *   idle     negotiates, sends half a HELO command and stalls: prints
 *            "closed after S s" when the milter closes the connection
 *            (60 s at most).
 * Exit status 0 when the run went as the mode expects, 1 otherwise.
 * Only 127.0.0.1 is ever contacted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STAGES 9
#define REPLY_MAX 70000

static int port;
static int header_bytes;
static const char *sender = "<alice@pass.spf.test>";
static const char *from = "Alice <alice@pass.spf.test>";
static atomic_int nv_accept, nv_temp, nv_reject, nv_y4, nv_y5, nv_other;
static atomic_int nv_dropped, messages_left;
static pthread_mutex_t reply_lock = PTHREAD_MUTEX_INITIALIZER;
static char first_reply[1024], first_header[2100];
static const char *helo_name = "client.example.test";

static int
dial(void)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Writes (WRITING) or reads LEN bytes; -1 on error or end of file. */
static int
transfer(int fd, void *buf, size_t len, bool writing)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = writing ? write(fd, p, len) : read(fd, p, len);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends command CMD with LEN bytes of DATA; PARTIAL: only half of it. */
static int
send_cmd(int fd, char cmd, const void *data, size_t len, bool partial)
{
	uint32_t n = htonl((uint32_t)len + 1);
	char *buf = malloc(len + 5);
	int rc;

	if (buf == NULL)
		return -1;
	memcpy(buf, &n, 4);
	buf[4] = cmd;
	if (len)
		memcpy(buf + 5, data, len);
	rc = transfer(fd, buf, partial ? (len + 5) / 2 : len + 5, true);
	free(buf);
	return rc;
}

/* Reads one reply; its command character, or -1 when closed. */
static int
read_reply(int fd, char *data, size_t size)
{
	uint32_t n;
	char cmd;
	size_t len;

	if (transfer(fd, &n, 4, false) != 0)
		return -1;
	len = ntohl(n);
	if (len == 0 || len > REPLY_MAX || transfer(fd, &cmd, 1, false) != 0)
		return -1;
	len--;
	{
		char *tmp = malloc(len + 1);

		if (tmp == NULL || transfer(fd, tmp, len, false) != 0) {
			free(tmp);
			return -1;
		}
		tmp[len] = '\0';
		if (data != NULL && size > 0) {	/* raw, NULs kept */
			size_t n = len < size - 1 ? len : size - 1;

			memcpy(data, tmp, n);
			data[n] = '\0';
		}
		free(tmp);
	}
	return (unsigned char)cmd;
}

/* Sends a command built of NUL-terminated words; reads its reply. */
static int
command(int fd, char cmd, const char *const *words, int nwords)
{
	char buf[2048];
	size_t len = 0;

	for (int i = 0; i < nwords; i++) {
		/* A macro list starts with its stage letter, no NUL after. */
		size_t w = strlen(words[i]) + (cmd == 'D' && i == 0 ? 0 : 1);

		if (len + w > sizeof(buf))
			return -1;
		memcpy(buf + len, words[i], w);
		len += w;
	}
	if (send_cmd(fd, cmd, buf, len, false) != 0)
		return -1;
	return cmd == 'D' ? 'c' : read_reply(fd, NULL, 0);
}

static int
negotiate(int fd)
{
	uint32_t v[3] = { htonl(6), htonl(0x1ff), htonl(0x300 | 0x400 |
	    0x800 | 0x10000000) };

	if (send_cmd(fd, 'O', v, sizeof(v), false) != 0)
		return -1;
	return read_reply(fd, NULL, 0);
}

/* The stages of one message; a drop happens before stage STOP. */
static int
converse(int fd, int stop, bool partial)
{
	static const char *const cmacros[] = { "C", "{client_addr}",
	    "198.51.100.7", "v", "Postfix 3.7.11" };
	static const char *const conn[] = { "client.example.test" };
	const char *helo[] = { helo_name };
	static const char *const mmacros[] = { "M", "i", "4XTEST" };
	const char *mail[] = { sender };
	static const char *const rcpt[] = { "<bob@example.net>" };
	static const char *const body = "Hello Bob\r\n";
	if (stop == 0 || negotiate(fd) != 'O')
		return -1;
	if (stop == 1)
		return -1;
	command(fd, 'D', cmacros, 5);
	{
		char buf[128];
		size_t n = strlen(conn[0]) + 1;
		uint16_t p = htons(25);

		memcpy(buf, conn[0], n);
		buf[n++] = '4';
		memcpy(buf + n, &p, 2);
		n += 2;
		memcpy(buf + n, "198.51.100.7", 13);
		n += 13;
		if (send_cmd(fd, 'C', buf, n, false) != 0 ||
		    read_reply(fd, NULL, 0) != 'c')
			return -1;
	}
	if (stop == 2 || command(fd, 'H', helo, 1) != 'c' || stop == 3)
		return -1;
	command(fd, 'D', mmacros, 3);
	if (command(fd, 'M', mail, 1) != 'c' || stop == 4)
		return -1;
	if (command(fd, 'R', rcpt, 1) != 'c' || stop == 5)
		return -1;
	{
		const char *h[] = { "From", from };
		const char *t[] = { "To", "Bob <bob@example.net>" };

		if (command(fd, 'L', h, 2) != 'c' || command(fd, 'L', t, 2)
		    != 'c')
			return -1;
	}
	if (header_bytes > 0) {
		size_t n = (size_t)header_bytes;
		char *big = malloc(n + 8);

		if (big == NULL)
			return -1;
		memcpy(big, "X-Big", 6);
		memset(big + 6, 'x', n);
		big[6 + n] = '\0';
		if (send_cmd(fd, 'L', big, n + 7, false) != 0 ||
		    read_reply(fd, NULL, 0) != 'c') {
			free(big);
			return -1;
		}
		free(big);
	}
	if (stop == 6)
		return -1;
	if (stop == 7 || partial) {
		send_cmd(fd, 'N', NULL, 0, true);
		return -1;
	}
	if (send_cmd(fd, 'N', NULL, 0, false) != 0 ||
	    read_reply(fd, NULL, 0) != 'c' ||
	    send_cmd(fd, 'B', body, strlen(body), false) != 0 ||
	    read_reply(fd, NULL, 0) != 'c')
		return -1;
	if (send_cmd(fd, 'E', NULL, 0, false) != 0 || stop == 8)
		return -1;
	return 0;
}

/* Reads EOM's replies up to the verdict and counts it. */
static int
read_verdict(int fd)
{
	char data[1024];
	int c;

	while ((c = read_reply(fd, data, sizeof(data))) >= 0) {
		switch (c) {
		case 'a': case 'c': nv_accept++; return 0;
		case 't': nv_temp++; return 0;
		case 'r': nv_reject++; return 0;
		case 'y':
			pthread_mutex_lock(&reply_lock);
			if (first_reply[0] == '\0')
				snprintf(first_reply, sizeof(first_reply), "%s",
				    data);
			pthread_mutex_unlock(&reply_lock);
			if (data[0] == '4')
				nv_y4++;
			else
				nv_y5++;
			return 0;
		case 'h':		/* SMFIR_ADDHEADER */
			pthread_mutex_lock(&reply_lock);
			if (first_header[0] == '\0')
				snprintf(first_header, sizeof(first_header),
				    "%s: %s", data, data + strlen(data) + 1);
			pthread_mutex_unlock(&reply_lock);
			continue;
		case 'p': case 'm': case 'q': case '+': case 'i':
			continue;
		default:
			nv_other++;
			return 0;
		}
	}
	nv_dropped++;
	return -1;
}

static void
abrupt_close(int fd, bool reset)
{
	if (reset) {
		struct linger l = { 1, 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(fd);
}

static void *
message_worker(void *arg)
{
	(void)arg;
	while (atomic_fetch_sub(&messages_left, 1) > 0) {
		int fd = dial();

		if (fd < 0) {
			nv_dropped++;
			continue;
		}
		if (converse(fd, STAGES, false) != 0)
			nv_dropped++;
		else if (read_verdict(fd) == 0)
			send_cmd(fd, 'Q', NULL, 0, false);
		close(fd);
	}
	return NULL;
}

static void *
drop_worker(void *arg)
{
	long i = (long)arg;
	int fd = dial();

	if (fd < 0)
		return NULL;
	converse(fd, (int)(i % STAGES), i % STAGES == 7);
	abrupt_close(fd, i % 2 == 0);
	nv_dropped++;
	return NULL;
}

static int
run_threads(int n, void *(*fn)(void *))
{
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	pthread_attr_t attr;
	int started = 0;

	if (t == NULL)
		return -1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], &attr, fn, (void *)i) == 0)
			started++;
		else
			t[i] = 0;
	for (int i = 0; i < n; i++)
		if (t[i])
			pthread_join(t[i], NULL);
	pthread_attr_destroy(&attr);
	free(t);
	return started == n ? 0 : -1;
}

static int
mode_hold(int conns)
{
	int *fds = calloc((size_t)conns, sizeof(int)), fd, c = -1, held = 0;

	for (int i = 0; fds && i < conns; i++) {
		fds[i] = dial();
		if (fds[i] >= 0 && converse(fds[i], 5, false) == -1)
			held++;
	}
	printf("held %d\n", held);
	if ((fd = dial()) >= 0 && negotiate(fd) == 'O') {
		char buf[64] = "client.example.test\0" "4\0\0" "198.51.100.8";

		if (send_cmd(fd, 'C', buf, 20 + 3 + 13, false) == 0)
			c = read_reply(fd, NULL, 0);
	}
	if (c < 0)
		printf("extra: closed\n");
	else
		printf("extra: %c\n", c);
	for (int i = 0; fds && i < conns; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return held == conns ? 0 : 1;
}

static int
mode_idle(void)
{
	struct timespec t0, t1;
	struct pollfd p;
	int fd = dial();
	char b;

	if (fd < 0 || negotiate(fd) != 'O' ||
	    send_cmd(fd, 'H', "client.example.test", 20, true) != 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, 60000) == 1 && read(fd, &b, 1) <= 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("closed after %ld s\n", (long)(t1.tv_sec - t0.tv_sec));
		return 0;
	}
	printf("not closed\n");
	return 1;
}

int
main(int argc, char **argv)
{
	const char *mode;
	int c, n = 1, conns = 1;

	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt(argc, argv, "p:n:c:H:s:f:h:")) != -1)
		switch (c) {
		case 'p': port = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'c': conns = atoi(optarg); break;
		case 'H': header_bytes = atoi(optarg); break;
		case 's': sender = optarg; break;
		case 'f': from = optarg; break;
		case 'h': helo_name = optarg; break;
		default: return 2;
		}
	if (optind >= argc || port <= 0 || conns < 1 || n < 1)
		return 2;
	mode = argv[optind];
	if (strcmp(mode, "message") == 0) {
		messages_left = n;
		run_threads(conns, message_worker);
		printf("verdicts a=%d t=%d r=%d y4=%d y5=%d other=%d "
		    "dropped=%d\n", nv_accept, nv_temp, nv_reject, nv_y4,
		    nv_y5, nv_other, nv_dropped);
		if (first_reply[0])
			printf("reply: %s\n", first_reply);
		if (first_header[0])
			printf("header: %s\n", first_header);
		return nv_dropped == 0 && nv_other == 0 ? 0 : 1;
	}
	if (strcmp(mode, "drop") == 0) {
		int rc = run_threads(conns, drop_worker);

		printf("dropped %d\n", nv_dropped);
		return rc == 0 ? 0 : 1;
	}
	if (strcmp(mode, "hold") == 0)
		return mode_hold(conns);
	if (strcmp(mode, "idle") == 0)
		return mode_idle();
	return 2;
}
