/*
 * main.c - egress-milter: command line, daemon life cycle, signals and
 * configuration reload.
 *
 * Order of start-up: read and check the configuration, open the milter
 * socket (so a busy port is reported on the terminal), go to the
 * background, write the pid file, drop to UserID, start the reload
 * thread, then hand control to libmilter. libmilter's own signal thread
 * treats SIGHUP and SIGTERM as "stop" and SIGINT as "abort"; SIGUSR1
 * re-reads the configuration for new connections, keeping the old one
 * when the new file has errors.
 * Must not: do message work (milter.c) or DNS.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <libmilter/mfapi.h>

#include "check.h"
#include "conf.h"
#include "dnscache.h"
#include "log.h"
#include "map.h"
#include "milter.h"
#include "monitor.h"
#include "postfix_check.h"
#include "resolver.h"
#include "util.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONF_PATH SYSCONFDIR "/egress-milter.conf"

struct options {
	const char *conf_path;		/* -c, or the default if it exists */
	bool conf_given;
	const char *socket;		/* -p */
	bool foreground;		/* -f */
	bool test_only;			/* -t */
	bool check;			/* --check */
	bool json;			/* --json */
};

static struct options opts;

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: egress-milter [-f] [-c FILE] [-p SOCKET]\n"
	    "       egress-milter -t [-c FILE]\n"
	    "       egress-milter --check [--json] [-c FILE]\n"
	    "       egress-milter -V | -h\n"
	    "\n"
	    "  -c FILE    configuration file (default %s;\n"
	    "             built-in defaults when it does not exist)\n"
	    "  -p SOCKET  milter socket: unix:/PATH, inet:PORT@HOST or\n"
	    "             inet6:PORT@HOST (overrides Socket)\n"
	    "  -f         stay in the foreground and log to stderr too\n"
	    "  -t         check the configuration and exit (0 good, 1 bad)\n"
	    "  --check    report every egress's health and exit 0 OK,\n"
	    "             1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	    "  --json     with --check: print one JSON document\n"
	    "  -V         print the version and exit\n"
	    "  -h         print this help and exit\n"
	    "\n"
	    "Signals: SIGUSR1 re-reads the configuration; SIGTERM stops.\n"
	    "See egress-milter(8) and egress-milter.conf(5).\n",
	    DEFAULT_CONF_PATH);
}

static void
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	opts.conf_path = DEFAULT_CONF_PATH;
	while ((c = getopt_long(argc, argv, "c:p:ftVh", longopts, NULL)) != -1)
		switch (c) {
		case 'c': opts.conf_path = optarg; opts.conf_given = true; break;
		case 'p': opts.socket = optarg; break;
		case 'f': opts.foreground = true; break;
		case 't': opts.test_only = true; break;
		case 'C': opts.check = true; break;
		case 'J': opts.json = true; break;
		case 'V': printf("egress-milter %s\n", PACKAGE_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(opts.check ? 3 : 1);
		}
	if (optind < argc) {
		fprintf(stderr, "egress-milter: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		exit(1);
	}
	if (opts.json && !opts.check) {
		fprintf(stderr, "egress-milter: --json goes with --check\n");
		exit(1);
	}
}

/*
 * Reads the configuration: the -c file, else the default file if it
 * exists, else the built-in defaults. Returns NULL after printing the
 * errors through the log.
 */
static struct conf *
read_configuration(bool quiet_errors)
{
	struct conf_errors errors = { NULL, 0, 0 };
	struct conf *conf;

	if (!opts.conf_given && access(opts.conf_path, F_OK) != 0)
		conf = conf_builtin();
	else
		conf = conf_load(opts.conf_path, &errors);
	if (conf == NULL && !quiet_errors) {
		char *line = errors.text, *end;

		while (line != NULL && (end = strchr(line, '\n')) != NULL) {
			*end = '\0';
			log_err("%s", line);
			line = end + 1;
		}
		if (errors.count > 100)
			log_err("%d more errors not shown", errors.count - 100);
	}
	if (conf == NULL && quiet_errors)
		fputs(errors.text ? errors.text : "", stderr);
	conf_errors_free(&errors);
	if (conf != NULL && opts.socket != NULL) {
		free(conf->socket);
		conf->socket = xstrdup(opts.socket);
	}
	return conf;
}

/* Points the DNS layer at CONF's servers, timeouts and cache limits. */
static void
apply_dns_settings(const struct conf *conf)
{
	struct resolver_settings rs;
	struct dnscache_settings cs;

	resolver_settings_from_conf(conf, &rs);
	dnscache_settings_from_conf(conf, &cs);
	if (resolver_configure(&rs) != 0)
		log_err("DNS settings refused; the old ones stay in force");
	dnscache_configure(&cs);
}

/* SIGUSR1: re-reads the configuration; a bad file keeps the old one. */
static void
reload(void)
{
	struct conf *old = conf_current(), *conf;

	log_notice("SIGUSR1: re-reading %s", old && old->path ? old->path :
	    "the built-in defaults");
	conf = read_configuration(false);
	if (conf == NULL) {
		log_err("configuration not reloaded: the running configuration "
		    "stays in force");
	} else {
		if (old && strcmp(old->socket, conf->socket) != 0)
			log_warn("Socket changed to %s: this takes a restart; "
			    "still listening on %s", conf->socket, old->socket);
		log_set_threshold(conf->log_level);
		apply_dns_settings(conf);
		conf_set_current(conf);
		if (monitor_restart(conf_current()) != 0)
			log_err("cannot restart the egress monitor");
		log_notice("configuration reloaded; new connections use it");
	}
	conf_release(old);
}

static pthread_t main_thread;
static atomic_bool milter_returned;
static int milter_status;

/* Runs libmilter; wakes the main thread when it returns. */
static void *
milter_thread(void *arg)
{
	(void)arg;
	milter_status = smfi_main();
	atomic_store(&milter_returned, true);
	pthread_kill(main_thread, SIGTERM);
	return NULL;
}

/*
 * libmilter's listener looks at its stop flag only when a connection
 * arrives or every 5 seconds; one connection to our own socket makes
 * it see the flag at once. Only literal addresses are used: this never
 * resolves a name.
 */
static void
wake_listener(const char *socket_spec)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char port[16] = "", host[INET6_ADDRSTRLEN] = "";
	const char *rest;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if ((rest = strchr(socket_spec, ':')) == NULL)
		return;
	rest++;
	if (strncmp(socket_spec, "unix:", 5) == 0 ||
	    strncmp(socket_spec, "local:", 6) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;

		sun->sun_family = AF_UNIX;
		if (copy_bounded(sun->sun_path, sizeof(sun->sun_path), rest))
			return;
		len = sizeof(*sun);
	} else {
		bool v6 = strncmp(socket_spec, "inet6:", 6) == 0;
		size_t plen = strcspn(rest, "@");

		if (plen >= sizeof(port))
			return;
		memcpy(port, rest, plen);
		if (rest[plen] == '@')
			copy_bounded(host, sizeof(host), rest + plen + 1);
		if (host[0] == '\0' || strcmp(host, "0.0.0.0") == 0 ||
		    strcmp(host, "::") == 0)
			copy_bounded(host, sizeof(host), v6 ? "::1" :
			    "127.0.0.1");
		if (!v6) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)atoi(port));
			if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
				return;
			len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)atoi(port));
			if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
				return;
			len = sizeof(*sin6);
		}
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		return;
	(void)connect(fd, (struct sockaddr *)&ss, len);
	close(fd);
}

static void *
stopper_thread(void *arg)
{
	(void)arg;
	smfi_stop();
	return NULL;
}

/*
 * smfi_stop() raises libmilter's stop flag at once but then waits for
 * the listener's lock, which the listener holds while it polls; so it
 * runs in a thread of its own while we wake the listener until it has
 * gone (5 seconds at most, libmilter's own poll interval).
 */
static void
stop_listener(const char *socket_spec)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	pthread_t stopper;

	if (pthread_create(&stopper, NULL, stopper_thread, NULL) != 0) {
		smfi_stop();
		return;
	}
	for (int i = 0; i < 250 && !atomic_load(&milter_returned); i++) {
		nanosleep(&tick, NULL);
		wake_listener(socket_spec);
	}
	pthread_join(stopper, NULL);
}

/*
 * The main thread waits for signals while libmilter runs in its own
 * thread. Linux gives a process-directed signal to the main thread
 * when it is waiting for it, so SIGTERM reaches us rather than
 * libmilter's signal thread; either way the milter stops.
 */
static void
wait_for_signals(const char *socket_spec)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	while (sigwait(&set, &sig) == 0) {
		if (sig == SIGUSR1) {
			reload();
			continue;
		}
		if (!atomic_load(&milter_returned)) {
			log_notice("%s: stopping", strsignal(sig));
			stop_listener(socket_spec);
		}
		return;
	}
}

static void
daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		log_fatal("fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		log_fatal("setsid: %s", strerror(errno));
	if (chdir("/") != 0)
		log_fatal("chdir /: %s", strerror(errno));
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

static void
write_pidfile(const char *path)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		log_fatal("cannot write pid file %s: %s", path, strerror(errno));
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) != 0)
		log_fatal("cannot write pid file %s: %s", path, strerror(errno));
}

/* Drops to USER[:GROUP]; hands a unix socket to that user first. */
static void
drop_privileges(const char *spec, const char *socket)
{
	char user[256], *group;
	struct passwd *pw;
	gid_t gid;

	copy_bounded(user, sizeof(user), spec);
	if ((group = strchr(user, ':')) != NULL)
		*group++ = '\0';
	if ((pw = getpwnam(user)) == NULL)
		log_fatal("UserID: no such user \"%s\"", user);
	gid = pw->pw_gid;
	if (group != NULL) {
		struct group *gr = getgrnam(group);

		if (gr == NULL)
			log_fatal("UserID: no such group \"%s\"", group);
		gid = gr->gr_gid;
	}
	if (getuid() == pw->pw_uid)
		return;
	if (geteuid() != 0)
		log_fatal("UserID %s: only root can change user", spec);
	if (strncmp(socket, "unix:", 5) == 0 || strncmp(socket, "local:", 6)
	    == 0) {
		const char *path = strchr(socket, ':') + 1;

		if (chown(path, pw->pw_uid, gid) != 0)
			log_warn("cannot hand socket %s to %s: %s", path, user,
			    strerror(errno));
	}
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 ||
	    setuid(pw->pw_uid) != 0)
		log_fatal("cannot change to user %s: %s", spec,
		    strerror(errno));
	log_info("running as user %s", spec);
}

static void
wait_for_callbacks(int seconds)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };

	for (int i = 0; i < seconds * 20 && milter_inflight() > 0; i++)
		nanosleep(&tick, NULL);
	if (milter_inflight() > 0)
		log_warn("stopping with %d callbacks still running",
		    milter_inflight());
}

static void
block_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	/* Blocked in every thread: the main thread takes them by sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static int
run_milter(struct conf *conf)
{
	pthread_t milter;
	struct conf *last;
	char *socket_spec = xstrdup(conf->socket);	/* outlives reloads */

	if (conf->umask_set)
		umask(conf->umask);
	if (smfi_setconn(conf->socket) != MI_SUCCESS ||
	    milter_register() != 0)
		log_fatal("cannot set up libmilter on %s", conf->socket);
	if (smfi_opensocket(true) != MI_SUCCESS)
		log_fatal("cannot open milter socket %s (in use, or no "
		    "permission?)", conf->socket);
	if (!opts.foreground)
		daemonize();
	if (conf->pidfile != NULL)
		write_pidfile(conf->pidfile);
	if (conf->user != NULL)
		drop_privileges(conf->user, conf->socket);
	block_signals();
	apply_dns_settings(conf);
	conf_set_current(conf);
	if (monitor_start(conf_current()) != 0)
		log_fatal("cannot start the egress monitor thread");
	if (map_start(conf) != 0)
		log_fatal("cannot start the socketmap server (MapSocket)");
	log_notice("starting on %s with %zu egress%s (%s)", conf->socket,
	    conf->negress, conf->negress == 1 ? "" : "es",
	    conf->path ? conf->path : "built-in defaults");
	main_thread = pthread_self();
	if (pthread_create(&milter, NULL, milter_thread, NULL) != 0)
		log_fatal("cannot start the milter thread");
	wait_for_signals(socket_spec);
	free(socket_spec);
	pthread_join(milter, NULL);
	last = conf_current();
	map_stop(1000);
	monitor_stop(1000);
	wait_for_callbacks((int)last->dns_timeout * 3 + 2);
	if (last->pidfile != NULL && unlink(last->pidfile) != 0)
		log_debug("cannot remove pid file %s: %s", last->pidfile,
		    strerror(errno));
	log_notice("stopped");
	conf_release(last);
	conf_set_current(NULL);
	return milter_status == MI_SUCCESS ? 0 : 1;
}

/* -t shows what the configuration means: egresses and zones. */
static void
print_egresses(const struct conf *conf)
{
	for (size_t i = 0; i < conf->negress; i++) {
		const struct conf_egress *e = &conf->egress[i];

		printf("egress %s %s helo=%s route=%s transport=%s%s\n", e->name,
		    e->address.text, e->helo ? e->helo : "-", e->route,
		    e->transport ? e->transport : "-", i == 0 ?
		    " (default)" : "");
	}
	for (size_t i = 0; i < conf->ndnsbl; i++)
		printf("dnsbl %s weight=%d%s\n", conf->dnsbl[i].zone,
		    conf->dnsbl[i].weight, conf->dnsbl[i].ncodes ? "" :
		    " codes=any");
}

/* --check: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
static int
run_check(void)
{
	struct conf *conf;
	int rc;

	log_open(false, LOG_MAIL, true, LOG_WARNING);
	if ((conf = read_configuration(true)) == NULL) {
		printf("EGRESS UNKNOWN - the configuration has errors\n");
		return 3;
	}
	apply_dns_settings(conf);
	rc = check_run(conf, opts.json, stdout);
	fflush(stdout);
	resolver_thread_cleanup();
	dnscache_flush();
	conf_free(conf);
	return rc;
}

int
main(int argc, char **argv)
{
	struct conf *conf;
	int rc;

	parse_args(argc, argv);
	log_open(false, LOG_MAIL, true, LOG_INFO);
	if (opts.test_only) {
		if ((conf = read_configuration(true)) == NULL)
			return 1;
		printf("%s: configuration OK (%zu egress%s)\n",
		    conf->path ? conf->path : "built-in defaults",
		    conf->negress, conf->negress == 1 ? "" : "es");
		print_egresses(conf);
		rc = postfix_check(conf, stdout) > 0;
		conf_free(conf);
		return rc;
	}
	if (opts.check)
		return run_check();
	if ((conf = read_configuration(false)) == NULL) {
		log_err("not starting: fix the configuration "
		    "(egress-milter -t shows every problem)");
		return 1;
	}
	log_open(conf->syslog, conf->syslog_facility, opts.foreground,
	    conf->log_level);
	return run_milter(conf);
}
