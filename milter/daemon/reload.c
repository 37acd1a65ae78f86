/*
 * reload.c - SIGHUP and SIGUSR1: configuration reloads in a thread of
 * their own.
 *
 * libmilter's signal thread waits for SIGHUP and takes it as "stop".
 * Linux hands a process-directed signal to the main thread whenever that
 * thread does not block it, so the main thread keeps SIGHUP and SIGUSR1
 * unblocked (every other thread blocks them) with a handler that only
 * writes the signal's number into a pipe; this module's thread reads the
 * pipe and runs the slow part (reading the file, EgressFrom's postconf,
 * restarting the monitor). Signals that arrive during a reload fold into
 * one more reload.
 *
 * reload_start(fn) opens the pipe, installs the handlers and starts the
 * thread (call it with the signals blocked, before other threads are
 * made); reload_take_signals() unblocks them in the calling (main)
 * thread; reload_stop() blocks them again, waits for a running reload
 * and ends the thread.
 * Must not: read the configuration itself (fn does), do anything but
 * write(2) in the handler, or touch libmilter.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "daemon/reload.h"

static int reload_pipe[2] = { -1, -1 };
static pthread_t reload_tid;
static bool reload_running;
static void (*reload_fn)(int);

static void
reload_handler(int sig)
{
	int saved = errno;
	unsigned char byte = (unsigned char)sig;

	(void)!write(reload_pipe[1], &byte, 1);	/* full pipe: one is queued */
	errno = saved;
}

/* Reads requests; a 0 byte ends the thread. */
static void *
reload_thread(void *arg)
{
	unsigned char buf[64];
	ssize_t n;

	(void)arg;
	while ((n = read(reload_pipe[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == 0)
				return NULL;
		reload_fn(buf[n - 1]);
	}
	return NULL;
}

static void
reload_mask(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(how, &set, NULL);
}

int
reload_start(void (*fn)(int sig))
{
	struct sigaction sa;

	reload_fn = fn;
	if (pipe2(reload_pipe, O_CLOEXEC) != 0)
		return -1;
	if (fcntl(reload_pipe[1], F_SETFL, O_NONBLOCK) != 0)
		return -1;
	/*
	 * SA_NODEFER and an empty mask: the signals stay unblocked in the
	 * main thread while the handler runs, or the next SIGHUP would go
	 * to libmilter's thread.
	 */
	sa.sa_handler = reload_handler;
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGHUP, &sa, NULL) != 0 ||
	    sigaction(SIGUSR1, &sa, NULL) != 0)
		return -1;
	reload_mask(SIG_BLOCK);
	if (pthread_create(&reload_tid, NULL, reload_thread, NULL) != 0)
		return -1;
	reload_running = true;
	return 0;
}

void
reload_take_signals(void)
{
	reload_mask(SIG_UNBLOCK);
}

void
reload_stop(void)
{
	unsigned char quit = 0;

	if (!reload_running)
		return;
	reload_mask(SIG_BLOCK);
	while (write(reload_pipe[1], &quit, 1) != 1 && errno == EAGAIN)
		usleep(10000);		/* the thread is emptying the pipe */
	pthread_join(reload_tid, NULL);
	reload_running = false;
	close(reload_pipe[0]);
	close(reload_pipe[1]);
	reload_pipe[0] = reload_pipe[1] = -1;
}
