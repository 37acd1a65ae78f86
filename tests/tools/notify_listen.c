/*
 * notify_listen.c - stands in for systemd's notify socket in the tests:
 * binds a unix datagram socket at PATH and prints each datagram it gets
 * on a line of its own (flushed), until SECONDS pass without one.
 * usage: notify_listen PATH SECONDS
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	char buf[4096];
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: notify_listen PATH SECONDS\n");
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, argv[1], strlen(argv[1]));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		perror(argv[1]);
		return 1;
	}
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, atoi(argv[2]) * 1000) <= 0)
			break;
		if ((n = recv(fd, buf, sizeof(buf) - 1, 0)) < 0)
			break;
		buf[n] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
	}
	close(fd);
	unlink(argv[1]);
	return 0;
}
