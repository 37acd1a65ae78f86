/*
 * dnsdeadline.h - one deadline for a thread's DNS lookups (the
 * per-message budget, MessageDNSBudget).
 *
 * From dns_deadline_set() until dns_deadline_clear() no lookup of this
 * thread waits past the deadline: resolver.c shortens each try to the
 * time left and answers DNS_TIMEOUT at once when none is left, and
 * dnscache.c stops waiting for another thread's query at the deadline.
 * Answers the cache holds are still served. milter.c sets it around the
 * work of a message, so SPF, DKIM, DMARC and domain lists share it
 * without knowing it exists.
 * Must not: do DNS, or keep state other than this thread's deadline.
 */
#ifndef EM_DNSDEADLINE_H
#define EM_DNSDEADLINE_H

#include <stdbool.h>
#include <time.h>

/* CLOCK_MONOTONIC in milliseconds: the clock of every deadline. */
long long dns_deadline_now_ms(void);

/* This thread's lookups end by DEADLINE_MS (dns_deadline_now_ms()). */
void dns_deadline_set(long long deadline_ms);
void dns_deadline_clear(void);

/* True when a deadline is set and has passed. */
bool dns_deadline_passed(void);

/* The milliseconds left, at most CAP; CAP when no deadline is set. */
int dns_deadline_left_ms(int cap);

/* The deadline (or, without one, CAP_MS from now) as a CLOCK_MONOTONIC
 * time for pthread_cond_timedwait. */
void dns_deadline_timespec(int cap_ms, struct timespec *until);

#endif
