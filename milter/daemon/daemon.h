/*
 * daemon.h - detaching with start-up errors still on the terminal, and
 * telling the parent or systemd (NOTIFY_SOCKET) that the milter is
 * ready (see daemon.c).
 * Must not: touch libmilter.
 */
#ifndef EM_DAEMON_H
#define EM_DAEMON_H

/* Forks; the parent exits once the child is ready or has died. */
void daemon_detach(void);

/* READY=1 to systemd; after daemon_detach(), frees the parent. */
void daemon_ready(void);

/* Sends STATE (e.g. "STOPPING=1") to NOTIFY_SOCKET if set; 0 or -1. */
int daemon_notify(const char *state);

#endif
