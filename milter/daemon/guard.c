/*
 * guard.c - the daemon's defences at start-up (see guard.h).
 *
 * guard_raise_nofile(), guard_connection_limit(), guard_refuse_root(),
 * guard_write_pidfile().
 *
 * The pid file is written while still root, in a directory another user
 * may be able to write (the unit's RuntimeDirectory belongs to the
 * milter's user): whatever is at the path is removed (a symlink itself,
 * never its target) and the file is created with O_CREAT|O_EXCL|
 * O_NOFOLLOW, so a link planted before or during the start is never
 * followed and never written through.
 * As root without UserID or AllowRoot, the built-in defaults (no file)
 * run as the user egress-milter (the package's) or else nobody; with a
 * file, the start is refused in one line that says what to add.
 * Must not: touch libmilter, the network, or the configuration file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/guard.h"
#include "util/log.h"
#include "util/util.h"

long
guard_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t old = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn_errno("cannot raise the open-file limit from "
			    "%llu to %llu", (unsigned long long)old,
			    (unsigned long long)rl.rlim_max);
			rl.rlim_cur = old;
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1000000)
		return 1000000;
	return (long)rl.rlim_cur;
}

long
guard_connection_limit(const struct conf *conf, long nofile)
{
	long room = nofile - GUARD_FD_RESERVE;

	if (room < 8)
		room = 8;
	if (conf->max_connections <= 0)
		return room;
	if (conf->max_connections > room) {
		log_warn("MaxConnections %ld: the open-file limit %ld leaves "
		    "room for %ld connections; using %ld",
		    conf->max_connections, nofile, room, room);
		return room;
	}
	return conf->max_connections;
}

/* The user of the built-in defaults as root: the package's, or nobody. */
static const char *
default_user(void)
{
	static const char *const users[] = { "egress-milter", "nobody" };

	for (size_t i = 0; i < 2; i++)
		if (getpwnam(users[i]) != NULL)
			return users[i];
	return NULL;
}

int
guard_refuse_root(struct conf *conf)
{
	const char *user;

	if (geteuid() != 0 || conf->user != NULL || conf->allow_root)
		return 0;
	/* No file: the built-in defaults run as an unprivileged user. */
	if (conf->path == NULL && (user = default_user()) != NULL) {
		conf->user = xstrdup(user);
		log_notice("root with the built-in defaults: running as user "
		    "%s (set UserID in a configuration file to choose)", user);
		return 0;
	}
	/* One line, on stderr through the log (it is open there). */
	log_err("not starting as root without UserID: add \"UserID %s\" "
	    "(the milter's own user) to %s, or \"AllowRoot yes\" to run "
	    "as root", default_user() ? default_user() : "USER",
	    conf->path ? conf->path : "the configuration file");
	return -1;
}

int
guard_write_pidfile(const char *path)
{
	char line[32];
	int fd = -1, len, saved;

	for (int tries = 0; fd < 0 && tries < 3; tries++) {
		if (unlink(path) != 0 && errno != ENOENT)
			return -1;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd < 0)
		return -1;
	len = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (write(fd, line, (size_t)len) != len) {
		saved = errno;
		close(fd);
		errno = saved ? saved : EIO;
		return -1;
	}
	return close(fd);
}
