/*
 * ops.h - the types the operator's surfaces share: the counts of
 * --summary, which summary.c fills from the log and summary_print.c
 * reports.
 * Must not: declare any file's functions.
 */
#ifndef EM_OPS_H
#define EM_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "global/finding.h"

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

#define SUMMARY_AUTH_PENDING 64		/* auth refusals awaiting a sender */
#define SUMMARY_SENDERS 4096		/* queue ids' senders remembered */

/* A refusal for authentication whose text names no domain. */
struct summary_auth_pending {
	char destination[330];		/* "host[addr]" of the remote */
	char receiver[128];
	bool used;
};

/* Postfix's "QUEUEID: from=<...>": the queue id's sender domain. */
struct summary_sender {
	char queue_id[32];
	char domain[SUMMARY_KEY_MAX];
};

struct summary {
	time_t since, until;		/* 0: no bound */
	time_t first, last;		/* of the lines counted */
	unsigned long messages;
	unsigned long by_action[ACTION_COUNT];
	unsigned long findings[FINDING_COUNT];
	struct summary_table egresses, domains;
	struct summary_table auths;	/* "DOMAIN RECEIVER": count[0] */
	struct summary_auth_pending pending[SUMMARY_AUTH_PENDING];
	size_t next_pending;
	struct summary_sender *senders;	/* SUMMARY_SENDERS, a ring */
	size_t next_sender;
	struct summary_event *events;
	size_t nevents, events_size;
	unsigned long events_dropped;	/* beyond SUMMARY_EVENTS_MAX */
	unsigned long lines, files_unreadable;
};

#endif
