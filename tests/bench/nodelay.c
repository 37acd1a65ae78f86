/*
 * nodelay.c - an LD_PRELOAD shim for "make bench": every socket a
 * program listens on gets TCP_NODELAY (accepted sockets inherit it on
 * Linux), so a milter can be measured with and without Nagle's
 * algorithm in the same run, whatever its own code does.
 * Must not: change anything but that one option on listening sockets.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/socket.h>

int
listen(int fd, int backlog)
{
	static int (*real_listen)(int, int);
	int one = 1;

	if (real_listen == NULL)
		real_listen = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return real_listen(fd, backlog);
}
