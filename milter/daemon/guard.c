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
 * Must not: touch libmilter, the network, or the configuration file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/guard.h"
#include "util/log.h"

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

int
guard_refuse_root(const struct conf *conf)
{
	static const char text[] = "not starting as root without UserID: "
	    "set UserID (the milter's own user) or, to run as root anyway, "
	    "AllowRoot yes";

	if (geteuid() != 0 || conf->user != NULL || conf->allow_root)
		return 0;
	fprintf(stderr, "egress-milter: %s\n", text);
	log_err("%s", text);
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
