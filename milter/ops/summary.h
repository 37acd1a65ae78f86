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

#include "ops/ops.h"

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

#endif
