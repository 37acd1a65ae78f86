/*
 * freeport.c - prints a TCP port on 127.0.0.1 that is free now (the
 * kernel's choice for a bind to port 0), for tests that start servers.
 * With -u, a port free for both UDP and TCP (for a DNS server).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int
bound_port(int type, int port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, type, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return ntohs(sin.sin_port);
}

int
main(int argc, char **argv)
{
	int both = argc > 1 && strcmp(argv[1], "-u") == 0;

	for (int tries = 0; tries < 50; tries++) {
		int port = bound_port(SOCK_STREAM, 0);

		if (port <= 0)
			continue;
		if (both && bound_port(SOCK_DGRAM, port) != port)
			continue;
		printf("%d\n", port);
		return 0;
	}
	fprintf(stderr, "freeport: no free port found\n");
	return 1;
}
