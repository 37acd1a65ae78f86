/*
 * logto.h - choosing the log's sinks so each line is written once:
 * syslog, stderr, or the journal (stderr with "<N>" priorities) when
 * JOURNAL_STREAM names fd 2 (see logto.c).
 * Must not: write log lines itself.
 */
#ifndef EM_LOGTO_H
#define EM_LOGTO_H

#include <stdbool.h>

enum logto { LOGTO_AUTO, LOGTO_SYSLOG, LOGTO_STDERR, LOGTO_JOURNAL };

/* --log-to auto|syslog|stderr|journal; 0, or -1 for another word. */
int logto_parse(const char *text, enum logto *out);

/* true when JOURNAL_STREAM's device:inode is that of fd 2. */
bool logto_journal_stream(void);

/* Before the configuration is read: stderr, in the journal's format. */
void logto_start(enum logto to, bool foreground, int threshold);

/* With the configuration: the sinks it and --log-to ask for. */
void logto_apply(enum logto to, bool foreground, bool use_syslog,
    int facility, int threshold);

#endif
