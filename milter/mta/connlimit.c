/*
 * connlimit.c - the cap on concurrent milter connections (see
 * connlimit.h).
 *
 * connlimit_set(), connlimit_enter(), connlimit_leave(),
 * connlimit_count().
 *
 * Counters are atomics: every libmilter worker thread calls in. The
 * notice when the cap is reached is rate-limited so that a flood of
 * connections cannot flood the log.
 * Must not: touch libmilter or the network.
 */
#include "config.h"

#include <stdatomic.h>
#include <time.h>

#include "mta/connlimit.h"
#include "util/log.h"

static atomic_long limit = 1000000;
static atomic_long count;
static atomic_long refused;		/* since the last notice */
static atomic_long last_notice;		/* CLOCK_MONOTONIC seconds */

void
connlimit_set(long max)
{
	atomic_store(&limit, max > 0 ? max : 1);
}

static long
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

/* Logs the refusal unless a notice went out less than a while ago. */
static void
notice_refused(long max)
{
	long now = now_seconds(), last = atomic_load(&last_notice);
	long n;

	atomic_fetch_add(&refused, 1);
	if (last != 0 && now - last < CONNLIMIT_NOTICE_SECONDS)
		return;
	if (!atomic_compare_exchange_strong(&last_notice, &last, now))
		return;
	n = atomic_exchange(&refused, 0);
	log_warn("connection limit reached: MaxConnections %ld connections "
	    "are open; new connections are tempfailed (%ld refused since "
	    "the last notice)", max, n);
}

bool
connlimit_enter(void)
{
	long max = atomic_load(&limit);

	if (atomic_fetch_add(&count, 1) >= max) {
		atomic_fetch_sub(&count, 1);
		notice_refused(max);
		return false;
	}
	return true;
}

void
connlimit_leave(void)
{
	atomic_fetch_sub(&count, 1);
}

long
connlimit_count(void)
{
	return atomic_load(&count);
}
