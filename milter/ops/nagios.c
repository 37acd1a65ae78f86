/*
 * nagios.c - the Nagios plugin conventions --check and --status share
 * (see nagios.h).
 *
 * nagios_label(), nagios_perfdata(), nagios_bound(), nagios_now().
 * The bound is an alarm whose handler only write()s a message made in
 * advance and calls _exit(3): nothing in it is unsafe in a signal
 * handler, whatever DNS wait the run was stuck in.
 * Must not: touch libmilter, do DNS.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ops/nagios.h"

static char bound_message[256];
static size_t bound_length;

const char *
nagios_label(enum egress_state state)
{
	switch (state) {
	case EGRESS_OK: return "OK";
	case EGRESS_WARNING: return "WARNING";
	case EGRESS_CRITICAL: return "CRITICAL";
	default: return "UNKNOWN";
	}
}

void
nagios_perfdata(FILE *fp, size_t ok, size_t total, size_t listed,
    double elapsed)
{
	fprintf(fp, " | egresses_ok=%zu;;;0;%zu dnsbl_listed=%zu", ok, total,
	    listed);
	if (elapsed >= 0)
		fprintf(fp, " time=%.3fs", elapsed);
}

static void
on_alarm(int sig)
{
	(void)sig;
	(void)!write(STDOUT_FILENO, bound_message, bound_length);
	_exit(3);
}

void
nagios_bound(int seconds, bool json)
{
	struct sigaction sa;
	int n;

	if (seconds <= 0)
		return;
	n = json ? snprintf(bound_message, sizeof(bound_message),
	    "{\"status\": \"unknown\", \"error\": \"no result within %d s "
	    "(-T): are the DNS servers answering?\", \"egress\": []}\n",
	    seconds) : snprintf(bound_message, sizeof(bound_message),
	    "EGRESS UNKNOWN - no result within %d s (-T): are the DNS "
	    "servers answering? | time=%d.000s\n", seconds, seconds);
	bound_length = n > 0 && (size_t)n < sizeof(bound_message) ?
	    (size_t)n : 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)seconds);
}

double
nagios_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
