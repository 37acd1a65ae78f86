/*
 * connlimit.h - the cap on concurrent milter connections
 * (MaxConnections).
 *
 * connlimit_set() sets the cap (main, at start and on reload);
 * connlimit_enter() counts a new connection in and returns false when
 * the cap is reached (the connection is then tempfailed and not counted;
 * a notice is logged at most every CONNLIMIT_NOTICE_SECONDS, saying how
 * many were refused); connlimit_leave() counts one out;
 * connlimit_count() tells how many are in.
 * Must not: touch libmilter (milter.c does) or the network.
 */
#ifndef EM_CONNLIMIT_H
#define EM_CONNLIMIT_H

#include <stdbool.h>

#define CONNLIMIT_NOTICE_SECONDS 10

void connlimit_set(long max);
bool connlimit_enter(void);
void connlimit_leave(void);
long connlimit_count(void);

#endif
