/*
 * conf_postfix.c - "EgressFrom postfix[:DIR]": the egress table read
 * from Postfix's own configuration, so a multi-IP Postfix is not
 * configured twice.
 *
 * conf_discover_postfix(), conf_run_postconf(), conf_free_lines().
 *
 * Runs "postconf [-c DIR] -x -h smtp_bind_address smtp_bind_address6
 * smtp_helo_name myhostname" for the default egress (named "smtp", the
 * default transport) and "postconf [-c DIR] -x -P" for every master.cf
 * service with its own -o smtp_bind_address= or smtp_bind_address6=
 * (an egress named after the service, with that service as its
 * transport and route). postconf is run directly (no shell, by
 * posix_spawn with an environment of its own and no descriptor of the
 * daemon's, within POSTCONF_TIMEOUT_S), its output is read with bounded
 * lines.
 * Must not: resolve names; touch libmilter.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_address.h"
#include "conf/conf_parse.h"
#include "util/util.h"

#define POSTCONF_LINE_MAX 1024
#define POSTCONF_LINES_MAX 2000

/*
 * The program ARGS[0] is looked up in POSTCONF_PATH (the daemon's own
 * PATH is not used) and started with posix_spawn(): no fork of the
 * threaded daemon, an environment of its own (POSTCONF_PATH and nothing
 * else), standard input /dev/null, and every descriptor above 2 closed
 * in the child (the daemon's listening sockets, the control socket,
 * the pipes) whether or not it is close-on-exec. It has
 * POSTCONF_TIMEOUT_S to write its output and exit, or it is killed.
 */
#define POSTCONF_PATH "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin"
#define POSTCONF_TIMEOUT_S 10

/* PROGRAM's full name in POSTCONF_PATH into OUT; 0, or -1. */
static int
find_program(const char *program, char *out, size_t size)
{
	const char *p = POSTCONF_PATH;

	if (strchr(program, '/') != NULL)
		return copy_bounded(out, size, program) ? -1 : 0;
	while (*p) {
		size_t len = strcspn(p, ":");

		if ((size_t)snprintf(out, size, "%.*s/%s", (int)len, p,
		    program) < size && access(out, X_OK) == 0)
			return 0;
		p += len + (p[len] == ':');
	}
	return -1;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts PATH with ARGS, its output into the pipe's end OUT_FD. */
static int
spawn(const char *path, const char *const *args, int out_fd, int other_fd,
    pid_t *pid)
{
	static char *const env[] = { "PATH=" POSTCONF_PATH, NULL };
	posix_spawn_file_actions_t fa;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return rc;
	rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
	    0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
	if (rc == 0)
		rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#else
	/* Every descriptor open now, above 2 (the pipe's among them). */
	for (int fd = 3; rc == 0 && fd < 65536 && fd < sysconf(_SC_OPEN_MAX);
	    fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			rc = posix_spawn_file_actions_addclose(&fa, fd);
#endif
	(void)other_fd;
	if (rc == 0)
		rc = posix_spawn(pid, path, &fa, NULL, (char *const *)args, env);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/*
 * Runs ARGS[0] (postconf or postmap, no shell) with ARGS; returns its
 * output lines (NULL-terminated; free with conf_free_lines()).
 */
char **
conf_run_postconf(const char *const *args, char *error, size_t size)
{
	int fds[2], status = 0, n = 0, rc;
	char **lines = xcalloc(POSTCONF_LINES_MAX + 1, sizeof(char *));
	char buf[POSTCONF_LINE_MAX], path[256];
	size_t used = 0;
	long long deadline = mono_ms() + POSTCONF_TIMEOUT_S * 1000LL;
	bool timed_out = false, skipping = false;
	pid_t pid = -1;

	if (find_program(args[0], path, sizeof(path)) != 0) {
		snprintf(error, size, "postconf failed (not installed?)");
		free(lines);
		return NULL;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(error, size, "pipe: %s", strerror(errno));
		free(lines);
		return NULL;
	}
	rc = spawn(path, args, fds[1], fds[0], &pid);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		snprintf(error, size, "postconf failed (%s)", strerror(rc));
		free(lines);
		return NULL;
	}
	/* Lines of at most POSTCONF_LINE_MAX - 1 bytes; longer ones cut. */
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		long long left = deadline - mono_ms();
		ssize_t got;
		int ready;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		ready = poll(&pfd, 1, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			continue;	/* the deadline ends the loop */
		got = read(fds[0], buf + used, sizeof(buf) - 1 - used);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		used += (size_t)got;
		for (;;) {
			char *nl = memchr(buf, '\n', used);
			size_t len = nl ? (size_t)(nl - buf) : used;

			if (nl == NULL && used < sizeof(buf) - 1)
				break;
			if (!skipping && n < POSTCONF_LINES_MAX) {
				lines[n] = xmalloc(len + 1);
				memcpy(lines[n], buf, len);
				lines[n++][len] = '\0';
			}
			skipping = nl == NULL;	/* the rest of a long line */
			len += nl ? 1 : 0;
			memmove(buf, buf + len, used - len);
			used -= len;
		}
	}
	if (used > 0 && !skipping && !timed_out && n < POSTCONF_LINES_MAX) {
		buf[used] = '\0';		/* a last line without newline */
		lines[n++] = xstrdup(buf);
	}
	close(fds[0]);
	if (timed_out)
		(void)kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (timed_out)
			snprintf(error, size, "postconf did not finish within "
			    "%d s (killed)", POSTCONF_TIMEOUT_S);
		else
			snprintf(error, size, "postconf failed (%s)",
			    WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
			    "not installed?" : "see its error above");
		for (int i = 0; i < n; i++)
			free(lines[i]);
		free(lines);
		return NULL;
	}
	return lines;
}

void
conf_free_lines(char **lines)
{
	for (int i = 0; lines != NULL && lines[i] != NULL; i++)
		free(lines[i]);
	free(lines);
}

/* Adds an egress; reports a bad address against the EgressFrom line. */
static void
add_egress(struct conf_parse *parse, const char *name, const char *address,
    const char *helo, const char *transport)
{
	struct conf *conf = parse->conf;
	struct conf_egress *e;

	for (size_t i = 0; i < conf->negress; i++)
		if (strcasecmp(conf->egress[i].name, name) == 0) {
			conf_error(parse, "EgressFrom postfix: egress \"%s\" "
			    "is also configured by an Egress line", name);
			return;
		}
	if ((e = conf_egress_slot(conf)) == NULL) {
		conf_error(parse, "EgressFrom postfix: more than %d egresses",
		    CONF_EGRESS_LIMIT);
		return;
	}
	if (conf_parse_address(address, &e->address) != 0) {
		conf_error(parse, "EgressFrom postfix: %s has bind address "
		    "\"%.64s\", which is not an IP address", name, address);
		return;
	}
	e->name = xstrdup(name);
	e->route = xstrdup(name);
	e->transport = xstrdup(transport);
	e->helo = helo && helo[0] ? xstrdup(helo) : NULL;
	e->line = parse->line;
	conf->negress++;
}

/* One master.cf service: its bind address and HELO overrides. */
static void
add_services(struct conf_parse *parse, char **lines, const char *helo)
{
	for (int i = 0; lines[i] != NULL; i++) {
		char service[CONF_NAME_MAX + 1], *slash, *eq;
		char service_helo[256] = "";

		/* "service/type/parameter = value" */
		if ((eq = strstr(lines[i], " = ")) == NULL ||
		    (slash = strchr(lines[i], '/')) == NULL || slash > eq ||
		    (size_t)(slash - lines[i]) > CONF_NAME_MAX)
			continue;
		if (strstr(lines[i], "/smtp_bind_address = ") == NULL &&
		    strstr(lines[i], "/smtp_bind_address6 = ") == NULL)
			continue;
		snprintf(service, sizeof(service), "%.*s",
		    (int)(slash - lines[i]), lines[i]);
		for (int j = 0; lines[j] != NULL; j++)
			if (strncmp(lines[j], service, strlen(service)) == 0 &&
			    lines[j][strlen(service)] == '/' &&
			    strstr(lines[j], "/smtp_helo_name = ") != NULL)
				snprintf(service_helo, sizeof(service_helo),
				    "%s", strstr(lines[j], " = ") + 3);
		add_egress(parse, service, eq + 3, service_helo[0] ?
		    service_helo : helo, service);
	}
}

void
conf_discover_postfix(struct conf_parse *parse, const char *dir)
{
	const char *main_args[] = { "postconf", "-x", "-h",
	    "smtp_bind_address", "smtp_bind_address6", "smtp_helo_name",
	    "myhostname", NULL, NULL, NULL };
	const char *service_args[] = { "postconf", "-x", "-P", NULL, NULL,
	    NULL };
	char error[256], **values, **services;

	free(parse->conf->postfix_dir);		/* for the relay audit */
	parse->conf->postfix_dir = xstrdup(dir ? dir : "");
	if (dir != NULL) {
		/* "-c DIR" goes first, before the parameter names. */
		memmove(main_args + 3, main_args + 1, 6 * sizeof(char *));
		main_args[1] = "-c";
		main_args[2] = dir;
		service_args[3] = "-c";
		service_args[4] = dir;
	}
	if ((values = conf_run_postconf(main_args, error, sizeof(error))) == NULL) {
		conf_error(parse, "EgressFrom postfix: %s", error);
		return;
	}
	if ((services = conf_run_postconf(service_args, error, sizeof(error))) ==
	    NULL) {
		conf_error(parse, "EgressFrom postfix: %s", error);
		conf_free_lines(values);
		return;
	}
	if (values[0] && values[1] && values[2] && values[3]) {
		const char *helo = values[2][0] ? values[2] : values[3];
		struct ip_address primary;

		if (values[0][0])
			add_egress(parse, "smtp", values[0], helo, "smtp");
		if (values[1][0])
			add_egress(parse, "smtp6", values[1], helo, "smtp");
		/* No bind address: Postfix sends from the primary address. */
		if (!values[0][0] && !values[1][0] &&
		    (conf_primary_address(AF_INET, &primary) == 0 ||
		    conf_primary_address(AF_INET6, &primary) == 0))
			add_egress(parse, "smtp", primary.text, helo, "smtp");
		add_services(parse, services, helo);
	} else {
		conf_error(parse, "EgressFrom postfix: postconf gave no "
		    "values for smtp_bind_address and friends");
	}
	conf_free_lines(values);
	conf_free_lines(services);
}
