/*
 * control.h - the daemon's control socket (ControlSocket) and the
 * client side of "egress-milter --status".
 *
 * control_start() opens the unix socket (mode 0600, owned by the
 * daemon's user) and serves it from a thread of its own; each request
 * is one short line ("status" or "status json"), answered with
 * "exit N\n" and the status (status.c), then the connection closes.
 * control_query() is the --status client.
 * Must not: touch libmilter, do DNS, or let one client hold the thread
 * longer than a few seconds.
 */
#ifndef EM_CONTROL_H
#define EM_CONTROL_H

#include <stdbool.h>
#include <stdio.h>

/* Serves SPEC (unix:/PATH); 0, or -1 with a log line saying why. */
int control_start(const char *spec);
/* Stops the thread and removes the socket. */
void control_stop(void);

/*
 * Asks the daemon at SPEC for its status and prints it to OUT, waiting
 * at most TIMEOUT seconds in all; returns the Nagios exit code the
 * daemon gave, or 3 (with an UNKNOWN line) when it cannot be asked.
 */
int control_query(const char *spec, bool json, int timeout, FILE *out);

#endif
