/*
 * milter.h - the libmilter callbacks and the per-connection context.
 *
 * milter_register() hands libmilter every callback; milter_inflight()
 * tells how many callbacks are running (main waits for 0 at shutdown).
 * Must not: do DNS on the message path; keep callbacks thin: gather
 * facts, ask for the decision, apply it.
 */
#ifndef EM_MILTER_H
#define EM_MILTER_H

/* Registers the filter with libmilter; returns 0 or -1. */
int milter_register(void);

/* The number of callbacks running now. */
int milter_inflight(void);

#endif
