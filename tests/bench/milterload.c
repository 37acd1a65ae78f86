/*
 * milterload.c - a load generator that speaks the milter protocol as
 * Postfix does with milter_protocol = 6, for "make bench".
 *
 * Usage: milterload -s HOST:PORT -n MESSAGES [-c CONCURRENCY]
 *        [-t SECONDS] [-d DOMAIN-FORMAT] [-k DOMAINS] [-o FIRST] [-p PID]
 *
 * One message per connection: option negotiation (version 6, every
 * action and protocol extension Postfix offers), then connect, HELO,
 * MAIL, RCPT, DATA, 12 headers, end of headers, a 4 KB body and
 * end-of-message, each preceded by the macros Postfix sends, skipping
 * the stages the milter negotiated away and not waiting for replies it
 * said it would not send. Like Postfix, everything up to a command that
 * needs a reply goes out in one write, and the socket keeps Nagle's
 * algorithm (Postfix does not set TCP_NODELAY on milter sockets).
 * Message i comes from alice@ the domain DOMAIN-FORMAT (a printf format
 * with one %d) of (FIRST + i) % DOMAINS. CONCURRENCY connections are
 * kept open at once (one thread, epoll); with -t no connection starts
 * after SECONDS.
 * Prints one line: messages, seconds, msgs/s, the end-of-message
 * latency (EOM sent to final reply) p50/p95/p99/max in ms, the final
 * replies seen, errors, and with -p the peak RSS (VmHWM) and the most
 * threads the milter process PID had while it ran.
 * Must not: contact anything but the given address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "milterproto.h"

struct options {
	struct sockaddr_in addr;
	long messages;
	int concurrency;
	const char *domain_format;
	long domains;
	long first;
	int pid;
	double seconds;		/* 0: no limit */
};

struct counts {
	long done, errors, accept, tempfail, reject, other, started;
	double *eom_ms;
	long peak_threads;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
usage(void)
{
	fprintf(stderr, "usage: milterload -s HOST:PORT -n MESSAGES "
	    "[-c CONCURRENCY] [-t SECONDS] [-d DOMAIN-FORMAT] [-k DOMAINS] [-o FIRST] "
	    "[-p PID]\n");
	exit(2);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	int ch;
	char host[64];
	unsigned port;

	memset(o, 0, sizeof(*o));
	o->concurrency = 1;
	o->domain_format = "d%d.bench.test";
	o->domains = 1;
	while ((ch = getopt(argc, argv, "s:n:c:t:d:k:o:p:")) != -1) {
		switch (ch) {
		case 's':
			if (sscanf(optarg, "%63[^:]:%u", host, &port) != 2 ||
			    inet_pton(AF_INET, host, &o->addr.sin_addr) != 1 ||
			    port == 0 || port > 65535)
				usage();
			o->addr.sin_family = AF_INET;
			o->addr.sin_port = htons((uint16_t)port);
			break;
		case 'n': o->messages = atol(optarg); break;
		case 'c': o->concurrency = atoi(optarg); break;
		case 't': o->seconds = atof(optarg); break;
		case 'd': o->domain_format = optarg; break;
		case 'k': o->domains = atol(optarg); break;
		case 'o': o->first = atol(optarg); break;
		case 'p': o->pid = atoi(optarg); break;
		default: usage();
		}
	}
	if (o->addr.sin_family == 0 || o->messages < 1 ||
	    o->concurrency < 1 || o->domains < 1)
		usage();
}

/* One value ("VmHWM:", "Threads:") of /proc/PID/status, or -1. */
static long
proc_status(int pid, const char *key)
{
	char path[64], line[256];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0) {
			value = atol(line + strlen(key));
			break;
		}
	fclose(f);
	return value;
}

/* Asks epoll for writability only while output is pending. */
static void
watch(int ep, struct mp_conn *conn)
{
	struct epoll_event ev;
	bool out = conn->want_out || !conn->connected;

	if (out == conn->watching_out)
		return;
	ev.events = EPOLLIN | (out ? EPOLLOUT : 0);
	ev.data.ptr = conn;
	epoll_ctl(ep, EPOLL_CTL_MOD, conn->fd, &ev);
	conn->watching_out = out;
}

static int
start_connection(int ep, const struct options *o, struct counts *c)
{
	struct mp_conn *conn;
	char domain[256];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct epoll_event ev;

	if (fd < 0)
		return -1;
	snprintf(domain, sizeof(domain), o->domain_format,
	    (int)((o->first + c->started) % o->domains));
	conn = mp_conn_new(fd, domain, c->started);
	conn->watching_out = true;
	c->started++;
	if (connect(fd, (const struct sockaddr *)&o->addr, sizeof(o->addr))
	    != 0 && errno != EINPROGRESS) {
		mp_conn_free(conn);
		return -1;
	}
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.ptr = conn;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		mp_conn_free(conn);
		return -1;
	}
	return 0;
}

/* Counts a finished connection. */
static void
account(struct mp_conn *conn, struct counts *c)
{
	switch (conn->result) {
	case MP_ACCEPT: c->accept++; break;
	case MP_TEMPFAIL: c->tempfail++; break;
	case MP_REJECT: c->reject++; break;
	case MP_ERROR: c->errors++; break;
	default: c->other++; break;
	}
	if (conn->result != MP_ERROR)
		c->eom_ms[c->done++] = conn->eom_ms;
}

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
percentile(const double *sorted, long n, double p)
{
	long i = (long)(p * (double)n + 0.999999) - 1;

	if (n == 0)
		return 0;
	if (i < 0)
		i = 0;
	if (i >= n)
		i = n - 1;
	return sorted[i];
}

static void
run(const struct options *o, struct counts *c)
{
	struct epoll_event events[256];
	int ep = epoll_create1(0), open = 0;
	double last_sample = 0, stop = now_ms() + o->seconds * 1000;
	long limit = o->messages;

	while (c->started < limit || open > 0) {
		if (o->seconds > 0 && now_ms() > stop)
			limit = c->started;
		while (open < o->concurrency && c->started < limit) {
			if (start_connection(ep, o, c) != 0) {
				c->errors++;
				continue;
			}
			open++;
		}
		int n = epoll_wait(ep, events, 256, 100);

		for (int i = 0; i < n; i++) {
			struct mp_conn *conn = events[i].data.ptr;

			if (mp_conn_io(conn, events[i].events, now_ms()) == 0) {
				watch(ep, conn);
				continue;
			}
			epoll_ctl(ep, EPOLL_CTL_DEL, conn->fd, NULL);
			account(conn, c);
			mp_conn_free(conn);
			open--;
		}
		if (o->pid > 0 && now_ms() - last_sample > 100) {
			long t = proc_status(o->pid, "Threads:");

			if (t > c->peak_threads)
				c->peak_threads = t;
			last_sample = now_ms();
		}
	}
	close(ep);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct counts c;
	double start, secs;

	parse_options(argc, argv, &o);
	memset(&c, 0, sizeof(c));
	c.eom_ms = calloc((size_t)o.messages, sizeof(double));
	if (c.eom_ms == NULL)
		return 1;
	start = now_ms();
	run(&o, &c);
	secs = (now_ms() - start) / 1000.0;
	qsort(c.eom_ms, (size_t)c.done, sizeof(double), compare_double);
	printf("messages=%ld secs=%.2f rate=%.1f p50=%.2f p95=%.2f p99=%.2f "
	    "max=%.2f accept=%ld tempfail=%ld reject=%ld other=%ld "
	    "errors=%ld rss_kb=%ld threads=%ld\n", c.done, secs,
	    c.done / (secs > 0 ? secs : 1), percentile(c.eom_ms, c.done, .5),
	    percentile(c.eom_ms, c.done, .95),
	    percentile(c.eom_ms, c.done, .99),
	    percentile(c.eom_ms, c.done, 1), c.accept, c.tempfail, c.reject,
	    c.other, c.errors, o.pid > 0 ? proc_status(o.pid, "VmHWM:") : -1,
	    c.peak_threads);
	free(c.eom_ms);
	return c.errors > 0 ? 1 : 0;
}
