/*
 * daemon.c - going to the background, and telling whoever started the
 * milter that it is ready.
 *
 * daemon_detach() forks; the parent waits on a pipe until the child is
 * ready (then exits 0) or has died (then exits with its status), so
 * every start-up error the child logs reaches the terminal through the
 * stderr it still holds. daemon_ready() tells the parent (and then puts
 * /dev/null on fds 0-2 and stops logging to stderr), and sends READY=1
 * to systemd when NOTIFY_SOCKET is set; daemon_notify() sends another
 * state ("STOPPING=1"). The notify protocol is one datagram on a unix
 * socket (sd_notify(3)); it is written here rather than linking
 * libsystemd for one sendto().
 * Must not: log after detaching to a terminal it no longer has, or
 * touch libmilter.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "util/log.h"

static int daemon_pipe = -1;		/* the child's end; -1: not detached */

void
daemon_detach(void)
{
	int fds[2], status;
	pid_t pid;
	char byte;

	if (pipe2(fds, O_CLOEXEC) != 0)
		log_fatal_errno("pipe");
	if ((pid = fork()) < 0)
		log_fatal_errno("fork");
	if (pid > 0) {
		ssize_t n;

		close(fds[1]);
		while ((n = read(fds[0], &byte, 1)) < 0 && errno == EINTR)
			;
		if (n == 1)
			_exit(0);	/* ready */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;		/* died before it was ready */
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	close(fds[0]);
	daemon_pipe = fds[1];
	if (setsid() < 0)
		log_fatal_errno("setsid");
	if (chdir("/") != 0)
		log_fatal_errno("chdir /");
}

int
daemon_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	int fd, rc;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return 0;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0';	/* an abstract socket */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	rc = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) < 0 ? -1 : 0;
	close(fd);
	return rc;
}

void
daemon_ready(void)
{
	int fd;

	if (daemon_notify("READY=1") != 0)
		log_warn_errno("cannot tell systemd the milter is ready "
		    "(NOTIFY_SOCKET %s)", getenv("NOTIFY_SOCKET"));
	if (daemon_pipe < 0)
		return;
	log_set_stderr(false);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	(void)!write(daemon_pipe, "", 1);
	close(daemon_pipe);
	daemon_pipe = -1;
}
