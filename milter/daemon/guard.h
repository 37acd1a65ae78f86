/*
 * guard.h - the daemon's defences at start-up: open-file limit,
 * connection cap, refusing root, a pid file that follows no link.
 *
 * guard_raise_nofile() lifts RLIMIT_NOFILE's soft limit to the hard
 * limit and returns the soft limit in force. guard_connection_limit()
 * gives the connection cap for CONF under that limit (MaxConnections, or
 * derived from the limit when not set). guard_refuse_root() says in
 * the log (stderr at start-up) why a root start without UserID is
 * refused, unless AllowRoot yes; on the built-in defaults (no file) it
 * sets an unprivileged user instead. guard_write_pidfile() writes the pid file
 * without following a link planted at its path.
 * Must not: touch libmilter, the network, or the configuration file.
 */
#ifndef EM_GUARD_H
#define EM_GUARD_H

#include "conf/conf.h"

/* File descriptors kept back for DNS sockets, logs, the listener. */
#define GUARD_FD_RESERVE 64

long guard_raise_nofile(void);
long guard_connection_limit(const struct conf *conf, long nofile);
/* Returns -1 when the start must be refused (already reported). */
int guard_refuse_root(struct conf *conf);
/* Returns 0, or -1 with errno set. */
int guard_write_pidfile(const char *path);

#endif
