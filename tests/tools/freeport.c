/*
 * freeport.c - prints a TCP port on 127.0.0.1 that is free now (the
 * kernel's choice for a bind to port 0), for tests that start servers.
 * With -u, a port free for both UDP and TCP (for a DNS server).
 *
 * A port is free until its server binds it, so two calls in a row may
 * be given the same port. Ports handed out in the last RECENT_SECONDS
 * are kept in RECENT_FILE (under an flock) and never handed out again
 * in that time; the file keeps RECENT_MAX ports at most.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RECENT_FILE "/tmp/em-freeport.recent"
#define RECENT_SECONDS 900
#define RECENT_MAX 4096

static int recent_port[RECENT_MAX];
static long recent_when[RECENT_MAX];
static int nrecent;

/* Reads the ports handed out lately (FP at its start). */
static void
recent_read(FILE *fp, long now)
{
	int port;
	long when;

	nrecent = 0;
	while (nrecent < RECENT_MAX &&
	    fscanf(fp, "%d %ld", &port, &when) == 2)
		if (now - when < RECENT_SECONDS && now >= when) {
			recent_port[nrecent] = port;
			recent_when[nrecent++] = when;
		}
}

static int
recent_has(int port)
{
	for (int i = 0; i < nrecent; i++)
		if (recent_port[i] == port)
			return 1;
	return 0;
}

/* Writes the kept ports and PORT back (FP truncated first). */
static void
recent_write(FILE *fp, int port, long now)
{
	int first = nrecent >= RECENT_MAX ? 1 : 0;

	rewind(fp);
	if (ftruncate(fileno(fp), 0) != 0)
		return;
	for (int i = first; i < nrecent; i++)
		fprintf(fp, "%d %ld\n", recent_port[i], recent_when[i]);
	fprintf(fp, "%d %ld\n", port, now);
	fflush(fp);
}

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
	int fd = open(RECENT_FILE, O_RDWR | O_CREAT | O_NOFOLLOW, 0666);
	FILE *fp = fd >= 0 ? fdopen(fd, "r+") : NULL;
	long now = (long)time(NULL);

	if (fp != NULL && flock(fd, LOCK_EX) == 0)
		recent_read(fp, now);
	for (int tries = 0; tries < 200; tries++) {
		int port = bound_port(SOCK_STREAM, 0);

		if (port <= 0 || recent_has(port))
			continue;
		if (both && bound_port(SOCK_DGRAM, port) != port)
			continue;
		if (fp != NULL)
			recent_write(fp, port, now);
		printf("%d\n", port);
		if (fp != NULL)
			fclose(fp);	/* and its lock */
		return 0;
	}
	if (fp != NULL)
		fclose(fp);
	fprintf(stderr, "freeport: no free port found\n");
	return 1;
}
