/*
 * warmup.h - the warm-up of a new egress address: its step, its counts
 * per UTC day and hour, and the rules that move the step (warmup.c).
 *
 * An egress with a Warmup line (conf_warmup.c) is capped: on step S it
 * may be chosen for cap(S) recipients a UTC day (the schedule's S-th
 * daily cap) and conf_warmup_cap_hour(cap(S)) an hour; before its
 * start= day its cap is 0. The status maps count what was sent,
 * deferred and bounced through it (warmup_add()), the route maps what
 * they chose it for (Postfix's smtpd asks them too, at RCPT, before
 * the queue manager asks for the delivery: the milter, which sees the
 * smtpd's choice as {rcpt_mailer}, gives that choice back as PROBED);
 * its load is the larger of the route's choices and
 * the status maps' attempts. At each UTC day's end (seen at the first
 * call of the next day) the rules apply, in this order:
 *   listed   a DNSBL listing that day: back 2 steps (SparkPost: "back
 *            the volume down"; Gmail: reduce, then increase slowly);
 *   hold     a learned refusal (ip or ptr) that day, or deferrals above
 *            5 % of the attempts: the step stays (Gmail: on deferrals
 *            do not increase);
 *   advance  sent at least half the day's cap: one step up (SendGrid
 *            and SparkPost rise a step a day, on a day the volume went
 *            out); less than half: the step stays (a day with little
 *            mail proves nothing to the receivers);
 *   graduate an advancing day on a step whose cap reaches target=, at
 *            least 14 days after start= (Amazon SES: at least 14 days):
 *            no cap any more;
 *   idle     more than 30 days without a delivery: back to step 1,
 *            graduated or not (SendGrid: an IP idle 30 days is warmed
 *            again; most reputation systems keep 30 days of data).
 * Every call takes the time NOW: the clock is the caller's (tests use
 * their own). One short mutex; nothing waits on I/O (one log line when
 * the step moves).
 * With Redis (fleet.c) the counts and the step are the fleet's: the
 * fleet thread takes this relay's increments as a batch of deltas
 * (warmup_fleet_take()), adds them to the fleet's counts of the egress
 * address and hands back the fleet's totals and step
 * (warmup_fleet_done()): sent_day is then the fleet's total plus the
 * increments not yet written. A batch stays until it is written, and is
 * written again as it was (same sequence number: Redis applies it once).
 * Must not: touch libmilter, DNS, Redis or files.
 */
#ifndef EM_WARMUP_H
#define EM_WARMUP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "conf/conf.h"

/* What happened to one recipient through a warming egress. */
enum warmup_event {
	WARMUP_SELECTED,		/* a route map chose it */
	WARMUP_SENT,			/* status 2.x.x */
	WARMUP_DEFERRED,		/* status 4.x.x */
	WARMUP_BOUNCED,			/* status 5.x.x */
	WARMUP_SPILLED,			/* passed over: at its cap */
	WARMUP_PROBED			/* a choice that was the MTA's check */
};

/* An egress's warm-up now, for the route maps and the operators. */
struct warmup_view {
	char egress[CONF_NAME_MAX + 1];
	bool graduated;			/* no cap any more */
	bool started;			/* its start= day has come */
	bool full;			/* at its daily or hourly cap */
	unsigned step, steps;		/* 1-based; of the schedule */
	long cap_day, cap_hour;		/* 0 before start=; -1 graduated */
	long sent_day, deferred_day, bounced_day, selected_day, spilled_day;
	long sent_hour, selected_hour;
	long load_day, load_hour;	/* what the caps are checked against */
	long target;
	long graduation_day;		/* UTC day number, if each day advances */
};

/* The state kept across a restart (the state file, refusal_state.c). */
struct warmup_saved {
	char egress[CONF_NAME_MAX + 1];
	unsigned step;
	bool graduated;
	bool refused, listed;		/* today's */
	long start_day;			/* start= it was counted under */
	long day;			/* UTC day of the day counts */
	long sent_day, deferred_day, bounced_day, selected_day, spilled_day;
	long hour;			/* UTC hours since 1970 */
	long sent_hour, selected_hour;
	long last_sent_day;		/* -1: none yet */
};

#define WARMUP_IDLE_DAYS 30
#define WARMUP_MIN_DAYS 14
#define WARMUP_BACK_STEPS 2

/* Counts N EVENTs through EGRESS (no Warmup line: nothing). */
void warmup_add(const struct conf *conf, const char *egress,
    enum warmup_event event, long n, time_t now);

/* A refusal (ip or ptr) was learned for EGRESS today: the step holds. */
void warmup_refused(const struct conf *conf, const char *egress, time_t now);

/* EGRESS was found listed today: the step goes back at the day's end. */
void warmup_listed(const struct conf *conf, const char *egress, time_t now);

/* EGRESS's warm-up into OUT; false when it has no Warmup line. */
bool warmup_snapshot(const struct conf *conf, const char *egress,
    time_t now, struct warmup_view *out);

/* True when EGRESS is warming and at its daily or hourly cap now. */
bool warmup_at_cap(const struct conf *conf, const char *egress, time_t now);

/* Every egress's state into OUT (at most MAX); the count. */
size_t warmup_export(struct warmup_saved *out, size_t max);

/* Puts back IN (a state file's entry); false when it is unusable. */
bool warmup_restore(const struct warmup_saved *in);

/* A count that grows with every change (the state file's writer). */
unsigned long warmup_changes(void);

/* A batch of one egress's increments for the fleet (fleet.c), or the
 * fleet's totals and step in answer. */
struct warmup_delta {
	long day, hour;			/* UTC day, UTC hours since 1970 */
	unsigned long long seq;		/* the batch's: applied once */
	long sent, deferred, bounced;	/* of the day */
	long sent_hour;			/* of the hour */
	bool refused, listed;		/* today's marks */
	long decided;			/* day whose end set STEP; -1 none */
	unsigned step;
	bool graduated;
	long start_day;			/* start= the step belongs to */
};

/* EGRESS's batch into OUT (the one not yet written, else a new one of
 * the increments since); false when it has no Warmup line. */
bool warmup_fleet_take(const struct conf *conf, const char *egress,
    time_t now, struct warmup_delta *out);

/* TAKEN was written and FLEET holds the fleet's totals and step, or
 * (FLEET NULL) it was not: it is written again next time. */
void warmup_fleet_done(const struct conf *conf, const char *egress,
    const struct warmup_delta *taken, const struct warmup_delta *fleet,
    time_t now);

/* Forgets every count and step. */
void warmup_forget_all(void);

#endif
