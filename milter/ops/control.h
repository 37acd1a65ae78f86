/*
 * control.h - the daemon's control socket (ControlSocket) and the
 * client side of "egress-milter --status".
 *
 * control_start() opens the unix socket (mode 0600, owned by the
 * daemon's user) and serves it from a thread of its own; each request
 * is one short line ("status" or "status json"), answered with
 * "exit N\n" and the status (status.c), then the connection closes;
 * "round" starts a health round of every egress now (monitor.c) and is
 * answered once it is triggered ("exit 0"), or "exit 1" for a peer that
 * is not root, the daemon's user or Postfix's mail owner.
 * control_query() is the --status client, control_round() the --round
 * one.
 * Must not: touch libmilter, do DNS, or let one client hold the thread
 * longer than a few seconds.
 */
#ifndef EM_CONTROL_H
#define EM_CONTROL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Creates the socket of SPEC (unix:/PATH; its directory when missing),
 * mode 0600, owned by UID:GID unless they are -1; called while still
 * root, before the privileges are dropped. 0, or -1 with a log line.
 */
int control_open(const char *spec, uid_t uid, gid_t gid);
/* Serves SPEC (opened by control_open(), or opened now); 0 or -1. */
int control_start(const char *spec);
/* Stops the thread and removes the socket. */
void control_stop(void);

/*
 * Asks the daemon at SPEC for its status and prints it to OUT, waiting
 * at most TIMEOUT seconds in all; returns the Nagios exit code the
 * daemon gave, or 3 (with an UNKNOWN line) when it cannot be asked.
 */
int control_query(const char *spec, bool json, int timeout, FILE *out);

/*
 * Asks the daemon at SPEC for a health round now and prints its answer
 * to OUT: 0 when the round is triggered, 1 when refused, 3 (with an
 * UNKNOWN line) when the daemon cannot be asked.
 */
int control_round(const char *spec, int timeout, FILE *out);

#endif
