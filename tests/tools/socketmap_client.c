/*
 * socketmap_client.c - a socketmap client for the tests, speaking to
 * egress-milter's MapSocket as Postfix's dict_sockmap does, and as a
 * broken client would.
 *
 *   socketmap_client PORT query "NAME KEY" ...
 *       sends each request on one connection, prints each reply's data
 *       on a line of its own (exit 1 when a reply does not come).
 *   socketmap_client PORT abuse
 *       malformed, oversized and many requests and a half-open
 *       connection; prints one PASS/FAIL line for each.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int failed;

static void
result(bool ok, const char *what)
{
	printf("%s: socketmap: %s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		failed = 1;
}

static int
connect_to(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("connect");
		exit(2);
	}
	return fd;
}

static bool
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* One netstring in one send(), as Postfix's buffered stream writes it. */
static bool
send_request(int fd, const char *data)
{
	size_t len = strlen(data);
	char *buf = malloc(len + 32);
	int n;
	bool ok;

	if (buf == NULL)
		return false;
	n = snprintf(buf, len + 32, "%zu:%s,", len, data);
	ok = n > 0 && send_all(fd, buf, (size_t)n);
	free(buf);
	return ok;
}

/* One byte within MS milliseconds: 1, 0 at EOF, -1 on timeout/error. */
static int
read_byte(int fd, char *c, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, ms) != 1)
		return -1;
	ssize_t n = read(fd, c, 1);

	return n == 1 ? 1 : n == 0 ? 0 : -1;
}

/* Reads one netstring reply into OUT; false on EOF, timeout or junk. */
static bool
read_reply(int fd, char *out, size_t size, int ms)
{
	size_t len = 0, i;
	char c;

	while (read_byte(fd, &c, ms) == 1 && c != ':') {
		if (c < '0' || c > '9' || len > 100000)
			return false;
		len = len * 10 + (size_t)(c - '0');
	}
	if (c != ':' || len + 1 > size)
		return false;
	for (i = 0; i < len; i++)
		if (read_byte(fd, &out[i], ms) != 1)
			return false;
	out[len] = '\0';
	return read_byte(fd, &c, ms) == 1 && c == ',';
}

/* True when the daemon closes FD within MS (EOF or reset). */
static bool
closed_within(int fd, int ms)
{
	char c;

	for (;;) {
		int rc = read_byte(fd, &c, ms);

		if (rc == 0)
			return true;
		if (rc < 0)
			return errno == ECONNRESET;
	}
}

/* Sends RAW, expects a reply starting with WANT and then a close. */
static void
expect_perm_close(int port, const char *raw, size_t len, const char *want,
    const char *what)
{
	int fd = connect_to(port);
	char reply[4200] = "";
	bool ok = send_all(fd, raw, len) && read_reply(fd, reply,
	    sizeof(reply), 3000) && strncmp(reply, want, strlen(want)) == 0;

	result(ok && closed_within(fd, 3000), what);
	if (!ok)
		printf("#   reply \"%s\"\n", reply);
	close(fd);
}

static bool
still_serving(int port)
{
	int fd = connect_to(port);
	char reply[4200];
	bool ok = send_request(fd, "route alice@pass.spf.test") &&
	    read_reply(fd, reply, sizeof(reply), 3000) &&
	    (strncmp(reply, "OK ", 3) == 0 || strcmp(reply, "NOTFOUND ") == 0);

	close(fd);
	return ok;
}

static void
abuse_many(int port)
{
	int fd = connect_to(port), answered = 0;
	char reply[4200];

	for (int i = 0; i < 2000; i++) {
		if (!send_request(fd, i % 2 ? "route <>" :
		    "status-a 5.1.1 host x.test[192.0.2.1] said: 550 5.1.1 no "
		    "such user"))
			break;
		if (!read_reply(fd, reply, sizeof(reply), 3000))
			break;
		answered++;
	}
	result(answered == 2000, "2000 requests on one connection are all "
	    "answered");
	close(fd);
}

static void
abuse(int port)
{
	char big[20100];
	int half;

	expect_perm_close(port, "abc,", 4, "PERM malformed",
	    "a netstring without a length gets PERM and a close");
	expect_perm_close(port, "5:route!", 8, "PERM malformed",
	    "a netstring without its comma gets PERM and a close");
	expect_perm_close(port, "99999999999:", 12, "PERM request longer",
	    "an absurd length gets PERM and a close before any data");
	memset(big, 'x', sizeof(big));
	memcpy(big, "20000:route ", 12);
	expect_perm_close(port, big, sizeof(big), "PERM request longer",
	    "a 20000-byte request gets PERM and a close");
	expect_perm_close(port, "3:a\0b,", 6, "PERM malformed",
	    "a request with a NUL byte gets PERM and a close");
	{
		int fd = connect_to(port);
		char reply[4200] = "";

		result(send_request(fd, "nosuchmap key") && read_reply(fd,
		    reply, sizeof(reply), 3000) && strncmp(reply,
		    "PERM unknown map", 16) == 0, "an unknown map name gets "
		    "PERM unknown map");
		result(send_request(fd, "nospace") && read_reply(fd, reply,
		    sizeof(reply), 3000) && strncmp(reply, "PERM malformed "
		    "request", 20) == 0, "a request without a key gets PERM "
		    "and the connection stays usable");
		close(fd);
	}
	abuse_many(port);
	half = connect_to(port);
	send_all(half, "30:route alice", 14);
	result(still_serving(port), "the daemon serves others while a "
	    "request is half sent");
	shutdown(half, SHUT_WR);
	result(closed_within(half, 3000), "a half-open connection is closed");
	close(half);
	result(still_serving(port), "the daemon keeps serving after all that");
}

int
main(int argc, char **argv)
{
	char reply[4200];
	int port, fd;

	if (argc < 3) {
		fprintf(stderr, "usage: socketmap_client PORT query REQ... | "
		    "abuse\n");
		return 2;
	}
	port = atoi(argv[1]);
	if (strcmp(argv[2], "abuse") == 0) {
		abuse(port);
		return failed;
	}
	fd = connect_to(port);
	for (int i = 3; i < argc; i++) {
		if (!send_request(fd, argv[i]) || !read_reply(fd, reply,
		    sizeof(reply), 5000)) {
			printf("(no reply)\n");
			return 1;
		}
		printf("%s\n", reply);
	}
	close(fd);
	return 0;
}
