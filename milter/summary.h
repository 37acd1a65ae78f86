/*
 * summary.h - "egress-milter --summary": the morning report of the
 * daemon's log, as pflogsumm is for Postfix.
 *
 * summary_run() reads log files (plain or gzip'd, as logrotate leaves
 * them; standard input when none) in the stable format described in
 * egress-milter(8), keeps the lines between SINCE and UNTIL, and prints
 * messages by action and by egress, the top findings, the top sender
 * domains tempfailed, rerouted and held, and each egress's state changes
 * (with the zones that listed it) and the nameservers' outages as a
 * timeline. Only lines whose syslog tag is the daemon's own count; at
 * most SUMMARY_KEYS_MAX egresses and sender domains are kept (the
 * decisions of the others are counted as dropped) and
 * SUMMARY_EVENTS_MAX events.
 * summary.c reads and counts; summary_print.c writes the report.
 * Must not: touch libmilter, do DNS, or trust a byte of the input.
 */
#ifndef EM_SUMMARY_H
#define EM_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "finding.h"

#define SUMMARY_KEY_MAX 256
#define SUMMARY_EVENT_MAX 400
#define SUMMARY_KEYS_MAX 100000		/* distinct keys kept per table */
#define SUMMARY_EVENTS_MAX 20000	/* timeline events kept */
#define SUMMARY_AGO_DAYS_MAX 36500	/* "Nd": 100 years at most */

struct summary_entry {
	char key[SUMMARY_KEY_MAX];
	unsigned long count[ACTION_COUNT];
	unsigned long total;
	struct summary_entry *next;	/* hash chain */
};

struct summary_table {
	struct summary_entry **buckets;
	size_t nbuckets, n;
	unsigned long dropped;		/* decisions of keys not kept */
};

struct summary_event {
	time_t when;			/* 0: the line had no time */
	size_t seq;			/* order of reading */
	char text[SUMMARY_EVENT_MAX];
};

struct summary {
	time_t since, until;		/* 0: no bound */
	time_t first, last;		/* of the lines counted */
	unsigned long messages;
	unsigned long by_action[ACTION_COUNT];
	unsigned long findings[FINDING_COUNT];
	struct summary_table egresses, domains;
	struct summary_event *events;
	size_t nevents, events_size;
	unsigned long events_dropped;	/* beyond SUMMARY_EVENTS_MAX */
	unsigned long lines, files_unreadable;
};

/*
 * Parses a time for --since/--until: "YYYY-MM-DD", "YYYY-MM-DD HH:MM",
 * "YYYY-MM-DDTHH:MM:SS" (local time, years 1970 to 9999, each field in
 * its range) or "Nh"/"Nd" (hours/days ago, up to
 * SUMMARY_AGO_DAYS_MAX days). Returns 0 when TEXT is none of them.
 */
time_t summary_parse_time(const char *text, time_t now);

/* Reads every file (stdin when NFILES is 0) and prints the report. */
int summary_run(char **files, int nfiles, const char *since,
    const char *until, FILE *out);

/* Adds one log line to S (exposed for tests). */
void summary_line(struct summary *s, const char *line, time_t now);

void summary_print(const struct summary *s, FILE *out);

#endif
