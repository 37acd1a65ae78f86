/*
 * mapload.c - route map lookups over one persistent connection, as
 * Postfix's dict_sockmap asks them, for "make bench".
 *
 * Usage: mapload -s HOST:PORT -n LOOKUPS [-t SECONDS] [-m MAP]
 *        [-d DOMAIN-FORMAT] [-k DOMAINS] [-o FIRST] [-K KEY]
 *
 * One connection; lookup i asks map MAP (default "route") for the key
 * alice@ the domain DOMAIN-FORMAT (a printf format with one %d) of
 * (FIRST + i) % DOMAINS, and waits for its reply before the next, as
 * Postfix does (with -K, every lookup asks KEY itself: a status map's
 * "X.Y.Z text"). Prints one line in milterload's form: lookups, seconds,
 * lookups/s, the latency (request written to reply read) p50/p95/p99/max
 * in ms, the replies (accept: OK, tempfail: TEMP, other: NOTFOUND),
 * errors (PERM, TIMEOUT, or a broken reply) and reconnects: like Postfix,
 * mapload connects again when the server closes the connection (it does
 * after 10,000 requests) and asks that lookup again.
 * Must not: contact anything but the given address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REPLY_MAX 100000	/* Postfix's socketmap reply limit */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
usage(void)
{
	fprintf(stderr, "usage: mapload -s HOST:PORT -n LOOKUPS [-t SECONDS] "
	    "[-m MAP] [-d DOMAIN-FORMAT] [-k DOMAINS] [-o FIRST] [-K KEY]\n");
	exit(2);
}

static bool
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static bool
read_byte(int fd, char *c)
{
	return read(fd, c, 1) == 1;
}

/* One netstring reply into OUT (SIZE bytes, terminated); false if broken. */
static bool
read_netstring(int fd, char *out, size_t size)
{
	size_t len = 0, got = 0;
	char c;

	for (;;) {
		if (!read_byte(fd, &c))
			return false;
		if (c == ':')
			break;
		if (c < '0' || c > '9' || len > REPLY_MAX)
			return false;
		len = len * 10 + (size_t)(c - '0');
	}
	if (len + 1 > size)
		return false;
	while (got < len) {
		ssize_t n = read(fd, out + got, len - got);

		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	out[len] = '\0';
	return read_byte(fd, &c) && c == ',';
}

static int
connect_to(const struct sockaddr_in *sin)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)sin,
	    sizeof(*sin)) != 0) {
		perror("mapload: connect");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	const char *map = "route", *format = "d%d.bench.test", *fixed = NULL;
	char *host = NULL, *colon, domain[256], request[600], reply[REPLY_MAX + 1];
	long lookups = 0, domains = 1, first = 0, done = 0;
	long ok = 0, temp = 0, notfound = 0, errors = 0, reconnects = 0;
	double seconds = 0, start, *lat;
	int opt, fd;

	while ((opt = getopt(argc, argv, "s:n:t:m:d:k:o:K:")) != -1) {
		switch (opt) {
		case 's': host = optarg; break;
		case 'n': lookups = atol(optarg); break;
		case 't': seconds = atof(optarg); break;
		case 'm': map = optarg; break;
		case 'd': format = optarg; break;
		case 'k': domains = atol(optarg); break;
		case 'o': first = atol(optarg); break;
		case 'K': fixed = optarg; break;
		default: usage();
		}
	}
	if (host == NULL || lookups <= 0 || domains <= 0 ||
	    (colon = strrchr(host, ':')) == NULL)
		usage();
	*colon = '\0';
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		usage();
	if ((lat = calloc((size_t)lookups, sizeof(*lat))) == NULL) {
		perror("mapload: calloc");
		return 1;
	}
	if ((fd = connect_to(&sin)) < 0)
		return 1;
	start = now_ms();
	while (done < lookups && (seconds <= 0 ||
	    now_ms() - start < seconds * 1000)) {
		double t0;
		int dlen, rlen;

		dlen = snprintf(domain, sizeof(domain), format,
		    (int)((first + done) % domains));
		if (dlen < 0 || (size_t)dlen >= sizeof(domain))
			usage();
		if (fixed != NULL)	/* one key for every lookup */
			rlen = snprintf(request, sizeof(request), "%zu:%s %s,",
			    strlen(map) + 1 + strlen(fixed), map, fixed);
		else
			rlen = snprintf(request, sizeof(request), "%zu:%s "
			    "alice@%s,", strlen(map) + 7 + (size_t)dlen, map,
			    domain);
		if (rlen < 0 || (size_t)rlen >= sizeof(request))
			usage();
		t0 = now_ms();
		if (!write_all(fd, request, (size_t)rlen) ||
		    !read_netstring(fd, reply, sizeof(reply))) {
			/* Closed by the server: connect again, ask again. */
			close(fd);
			reconnects++;
			t0 = now_ms();
			if ((fd = connect_to(&sin)) < 0 ||
			    !write_all(fd, request, (size_t)rlen) ||
			    !read_netstring(fd, reply, sizeof(reply))) {
				errors++;
				break;
			}
		}
		lat[done++] = now_ms() - t0;
		if (strncmp(reply, "OK ", 3) == 0)
			ok++;
		else if (strncmp(reply, "TEMP", 4) == 0)
			temp++;
		else if (strncmp(reply, "NOTFOUND", 8) == 0)
			notfound++;
		else
			errors++;
	}
	seconds = (now_ms() - start) / 1000;
	qsort(lat, (size_t)done, sizeof(*lat), cmp_double);
#define PCT(p) (done ? lat[(long)((done - 1) * (p))] : 0)
	printf("messages=%ld secs=%.2f rate=%.1f p50=%.3f p95=%.3f p99=%.3f "
	    "max=%.3f accept=%ld tempfail=%ld reject=0 other=%ld errors=%ld "
	    "reconnects=%ld\n", done, seconds, seconds > 0 ? done /
	    seconds : 0, PCT(0.50), PCT(0.95), PCT(0.99), PCT(1.0), ok, temp,
	    notfound, errors, reconnects);
	close(fd);
	free(lat);
	return errors > 0;
}
