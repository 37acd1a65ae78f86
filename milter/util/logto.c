/*
 * logto.c - where the log goes: syslog, stderr, or the journal, chosen
 * so that each line is written once.
 *
 * Under systemd, stderr is a stream to the journal and systemd sets
 * JOURNAL_STREAM to its "device:inode"; when that matches fd 2, the
 * milter in the foreground writes each line once, to stderr, as
 * "<N>text" (sd-daemon(3)), and not to syslog too (the journal would
 * get both, the stderr copy at priority info). --log-to chooses by hand:
 * syslog (only), stderr (only, plain), journal (stderr with priorities).
 * Without -f, stderr stays open for start-up errors until the milter is
 * ready (daemon.c), then only syslog is used.
 *
 * logto_parse() reads --log-to's value; logto_start() sets up stderr
 * before the configuration is read; logto_apply() opens the sinks the
 * configuration asks for; logto_journal_stream() tells whether fd 2 is
 * the journal. When syslog is to be used but nothing listens on
 * /dev/log, a warning says so (with --log-to as the way out) while
 * stderr is still open: syslog(3) drops lines without a word.
 * Must not: write log lines itself (log.c does), or touch libmilter.
 */
#include "config.h"

#include <errno.h>
#include <paths.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.h"
#include "util/logto.h"

int
logto_parse(const char *text, enum logto *out)
{
	static const char *const names[] = { "auto", "syslog", "stderr",
	    "journal" };

	for (int i = 0; i < 4; i++)
		if (strcmp(text, names[i]) == 0) {
			*out = (enum logto)i;
			return 0;
		}
	return -1;
}

bool
logto_journal_stream(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;

	if (env == NULL || sscanf(env, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return false;
	if (fstat(2, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/* What AUTO means here: the journal for -f under systemd. */
static enum logto
logto_resolve(enum logto to, bool foreground)
{
	if (to != LOGTO_AUTO)
		return to;
	return foreground && logto_journal_stream() ? LOGTO_JOURNAL :
	    LOGTO_AUTO;
}

void
logto_start(enum logto to, bool foreground, int threshold)
{
	to = logto_resolve(to, foreground);
	/* Without -f, errors go to the terminal and the log alike. */
	log_open(to == LOGTO_SYSLOG || (to == LOGTO_AUTO && !foreground),
	    LOG_MAIL, to != LOGTO_SYSLOG, threshold);
	log_set_journal(to == LOGTO_JOURNAL);
}

/* 0 when a syslog daemon takes datagrams (or a stream) on _PATH_LOG. */
static int
syslog_reachable(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int types[] = { SOCK_DGRAM, SOCK_STREAM }, err = 0;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", _PATH_LOG);
	for (int i = 0; i < 2; i++) {
		int fd = socket(AF_UNIX, types[i], 0);

		if (fd < 0)
			return errno;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(fd);
			return 0;
		}
		err = errno;
		close(fd);
		if (err != EPROTOTYPE)
			break;
	}
	return err;
}

void
logto_apply(enum logto to, bool foreground, bool use_syslog, int facility,
    int threshold)
{
	bool syslog_on, stderr_on;
	int err;

	to = logto_resolve(to, foreground);
	switch (to) {
	case LOGTO_SYSLOG: syslog_on = true; stderr_on = false; break;
	case LOGTO_STDERR: case LOGTO_JOURNAL:
		syslog_on = false; stderr_on = true; break;
	default:
		/* stderr until ready (daemon.c turns it off without -f). */
		syslog_on = use_syslog; stderr_on = true; break;
	}
	log_open(syslog_on, facility, stderr_on, threshold);
	log_set_journal(to == LOGTO_JOURNAL);
	log_info("logging to %s", to == LOGTO_JOURNAL ? "the journal "
	    "(stderr with priorities), not syslog" : to == LOGTO_SYSLOG ?
	    "syslog only" : to == LOGTO_STDERR ? "stderr only" : syslog_on ?
	    (foreground ? "syslog and stderr" : "syslog") : foreground ?
	    "stderr (Syslog no)" : "nowhere after start-up (Syslog no)");
	if (syslog_on && (err = syslog_reachable()) != 0)
		log_warn("syslog is unreachable (%s: %s): %s; start a syslog "
		    "daemon, or run with -f --log-to stderr (or --log-to "
		    "journal under systemd)", _PATH_LOG, strerror(err),
		    stderr_on && foreground ? "log lines go to stderr only" :
		    "everything logged after start-up is lost");
}
