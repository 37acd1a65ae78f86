/*
 * syslog_sink.c - a test helper: receives syslog datagrams on a unix
 * socket and appends each one, as one line, to a file, so that a test
 * can read what a real MTA logs (tests/tools/sendmail.sh runs it on
 * /dev/log inside the private Sendmail's mount namespace).
 *
 * Usage: syslog_sink SOCKET FILE. It returns (status 0) once SOCKET is
 * bound and keeps receiving in a child until it is killed; status 1 and
 * a message on stderr when the socket cannot be made.
 *
 * It never listens anywhere but SOCKET and never writes anywhere but
 * FILE; bytes outside printable ASCII are written as '?'.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int
sink_bind(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "syslog_sink: %s: path too long\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0) {
		perror("syslog_sink: socket");
		return -1;
	}
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0666) < 0) {
		perror(path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Receives until killed; one line per datagram. */
static void
sink_run(int fd, FILE *out)
{
	char buf[8192];
	ssize_t n, i;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			continue;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
			n--;
		for (i = 0; i < n; i++)
			if (buf[i] < 0x20 || buf[i] > 0x7e)
				buf[i] = '?';
		fwrite(buf, 1, (size_t)n, out);
		fputc('\n', out);
		fflush(out);
	}
}

int
main(int argc, char **argv)
{
	FILE *out;
	pid_t pid;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: syslog_sink SOCKET FILE\n");
		return 2;
	}
	if ((out = fopen(argv[2], "a")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	if ((fd = sink_bind(argv[1])) < 0)
		return 1;
	if ((pid = fork()) < 0) {
		perror("syslog_sink: fork");
		return 1;
	}
	if (pid > 0)
		return 0;
	sink_run(fd, out);
	return 0;
}
