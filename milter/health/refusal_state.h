/*
 * refusal_state.h - the state file (StateFile): the learned refusals in
 * force, with their back-offs, kept across a restart.
 *
 * The file is text: a first line "egress-milter-state 2" (the format's
 * version; a version 1 file, refusals only, is read too), one line
 * "refusal EGRESS RECEIVER CAUSE GLOBAL SINCE UNTIL BACKOFF COUNT
 * DESTINATION TEXT" per back-off in force (every field escaped: a byte
 * outside '!'..'~' and '\' as \xHH), one line "warmup EGRESS STEP
 * GRADUATED REFUSED LISTED START_DAY DAY SENT DEFERRED BOUNCED SELECTED
 * SPILLED HOUR SENT_HOUR SELECTED_HOUR LAST_SENT_DAY+1" per warming
 * egress (health/warmup.h), and a last line "end N" (N entries). At most
 * REFUSAL_MAX_ENTRIES refusal and CONF_WARMUP_MAX warm-up entries and
 * REFUSAL_STATE_MAX_BYTES bytes. It is written whole (a temporary file
 * beside it, fsync, rename) by a thread of its own, at most once a
 * second after a back-off is learned or ends, and once more at stop:
 * never on a socketmap answer's path. At start, a file that is damaged,
 * truncated, too large or hostile is reported in one log line and
 * ignored; entries already over are dropped.
 * Must not: touch libmilter or DNS; stop the daemon for a bad file.
 */
#ifndef EM_REFUSAL_STATE_H
#define EM_REFUSAL_STATE_H

#include <sys/types.h>

#define REFUSAL_STATE_VERSION 2
#define REFUSAL_STATE_LINE_MAX 4096	/* bytes of one line, escaped */
#define REFUSAL_STATE_MAX_BYTES (REFUSAL_STATE_LINE_MAX * 520)

/*
 * Creates PATH's directory when missing (mode 0750), owned by UID:GID
 * when they are not -1 (while root: the daemon writes it after it drops
 * to UserID). PATH NULL: nothing. -1 with a log line when it cannot.
 */
int refusal_state_prepare(const char *path, uid_t uid, gid_t gid);

/*
 * Reads PATH and puts its entries in force back: their count, 0 when
 * the file is missing, -1 (one log line) when it is damaged, truncated,
 * too large or hostile (then nothing of it is used).
 */
int refusal_state_read(const char *path);

/* Writes the back-offs in force to PATH, atomically; -1 with a log line. */
int refusal_state_write(const char *path);

/*
 * Starts the writer thread: it writes to the current configuration's
 * StateFile when a back-off was learned or ended. 0, or -1.
 */
int refusal_state_start(void);

/* Stops the writer thread after a last write of what changed. */
void refusal_state_stop(void);

#endif
