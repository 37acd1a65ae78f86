/*
 * reload.h - SIGHUP and SIGUSR1 reload the configuration in a thread of
 * their own (see reload.c for why the main thread must take them).
 * Must not: read the configuration (the caller's function does).
 */
#ifndef EM_RELOAD_H
#define EM_RELOAD_H

/*
 * Installs the SIGHUP/SIGUSR1 handlers and starts the thread that runs
 * FN(signal) per request; call with the signals blocked. 0 or -1.
 */
int reload_start(void (*fn)(int sig));

/* Unblocks SIGHUP and SIGUSR1 in the calling (main) thread only. */
void reload_take_signals(void);

/* Blocks them again, waits for a running reload, ends the thread. */
void reload_stop(void);

#endif
