/*
 * status.h - the running daemon's status, as --status prints it.
 *
 * status_render() writes every egress's state (from the monitor's
 * snapshots), its findings, since when, its reasons and advice, the
 * learned refusals (none until a refusal learner reports them) and the
 * message counters (stats.c), as text with a Nagios first line and
 * perfdata, or as one JSON document (schema in egress-milter(8)).
 * Must not: touch libmilter, do DNS, or block on anything but the
 * monitor's and the counters' short locks.
 */
#ifndef EM_STATUS_H
#define EM_STATUS_H

#include <stdbool.h>
#include <stdio.h>

/* Writes the status to FP; returns the Nagios exit code (0..3). */
int status_render(FILE *fp, bool json);

/*
 * A reload has just failed (FAILED) or succeeded: the status says when
 * the last one failed until one succeeds.
 */
void status_note_reload(bool failed);

#endif
