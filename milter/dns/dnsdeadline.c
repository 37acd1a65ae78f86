/*
 * dnsdeadline.c - this thread's DNS deadline (see dnsdeadline.h).
 *
 * dns_deadline_now_ms(), dns_deadline_set(), dns_deadline_clear(),
 * dns_deadline_passed(), dns_deadline_left_ms(), dns_deadline_timespec().
 *
 * The deadline is a thread-local CLOCK_MONOTONIC time in milliseconds,
 * 0 when none is set. libmilter may run one connection's callbacks on
 * different threads, so the caller sets it at the start of each
 * callback that looks something up and clears it before returning.
 * Must not: do DNS, lock, or allocate.
 */
#include "config.h"

#include <time.h>

#include "dns/dnsdeadline.h"

static __thread long long deadline_ms;	/* 0: none */

long long
dns_deadline_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
dns_deadline_set(long long when_ms)
{
	deadline_ms = when_ms > 0 ? when_ms : 1;
}

void
dns_deadline_clear(void)
{
	deadline_ms = 0;
}

bool
dns_deadline_passed(void)
{
	return deadline_ms != 0 && dns_deadline_now_ms() >= deadline_ms;
}

int
dns_deadline_left_ms(int cap)
{
	long long left;

	if (deadline_ms == 0)
		return cap;
	left = deadline_ms - dns_deadline_now_ms();
	if (left <= 0)
		return 0;
	return left < cap ? (int)left : cap;
}

void
dns_deadline_timespec(int cap_ms, struct timespec *until)
{
	int ms = dns_deadline_left_ms(cap_ms);

	clock_gettime(CLOCK_MONOTONIC, until);
	until->tv_sec += ms / 1000;
	until->tv_nsec += (ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}
