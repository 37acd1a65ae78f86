/*
 * main.c - egress-milter: command line, daemon life cycle, signals and
 * configuration reload.
 *
 * Order of start-up: read and check the configuration, open the milter
 * socket (so a busy port is reported on the terminal), go to the
 * background, write the pid file, drop to UserID, start the reload
 * thread, then hand control to libmilter. libmilter's own signal thread
 * treats SIGHUP and SIGTERM as "stop" and SIGINT as "abort"; the main
 * thread takes the signals first (see reload.c): SIGHUP and SIGUSR1
 * re-read the configuration for new connections, keeping the old one
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
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <libmilter/mfapi.h>

#include "auth/spf.h"
#include "conf/conf.h"
#include "conf/conf_dns.h"
#include "conf/conf_print.h"
#include "conf/conf_value.h"
#include "daemon/daemon.h"
#include "daemon/guard.h"
#include "daemon/reload.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"
#include "global/stats.h"
#include "health/egress.h"
#include "health/fleet.h"
#include "health/monitor.h"
#include "health/refusal_state.h"
#include "mta/connlimit.h"
#include "mta/milter.h"
#include "mta/socketmap.h"
#include "ops/check.h"
#include "ops/control.h"
#include "ops/metrics.h"
#include "ops/nagios.h"
#include "ops/postfix_check.h"
#include "ops/postfix_init.h"
#include "ops/status.h"
#include "ops/summary.h"
#include "policy/route.h"
#include "util/log.h"
#include "util/logto.h"
#include "util/util.h"

#include "paths.h"
#include "conf/conf_address.h"
#include "conf/conf_load.h"
#include "conf/conf_parse.h"

#define DEFAULT_CONF_PATH EM_CONF_PATH

struct options {
	const char *conf_path;		/* -c, or the default if it exists */
	bool conf_given;
	const char *socket;		/* -p */
	bool foreground;		/* -f */
	bool test_only;			/* -t */
	bool check;			/* --check */
	bool json;			/* --json */
	enum logto log_to;		/* --log-to (logto.c) */
	bool status;			/* --status */
	bool round;			/* --round */
	bool summary;			/* --summary */
	bool init;			/* --init [POSTFIX_CONFIG_DIR] */
	const char *since, *until;	/* --since, --until */
	int timeout;			/* -T: bound of --check/--status */
};

static struct options opts;
static long open_file_limit;		/* RLIMIT_NOFILE after raising it */

/* Postfix's header_size_limit is 102400: a header that size must pass. */
#define EM_MILTER_DATA_SIZE (256 * 1024 - 1)

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: egress-milter [-f] [-c FILE] [-p SOCKET] [--log-to=WHERE]\n"
	    "       egress-milter -t [-c FILE]\n"
	    "       egress-milter --check [--json] [-T SECONDS] [-c FILE]\n"
	    "       egress-milter --status [--json] [-T SECONDS] [-c FILE]\n"
	    "       egress-milter --round [-T SECONDS] [-c FILE]\n"
	    "       egress-milter --summary [--since T] [--until T] [FILE...]\n"
	    "       egress-milter --init [POSTFIX_CONFIG_DIR]\n"
	    "       egress-milter -V | -h\n"
	    "\n"
	    "  -c FILE    configuration file (default %s;\n"
	    "             built-in defaults when it does not exist)\n"
	    "  -p SOCKET  milter socket: unix:/PATH, inet:PORT@HOST or\n"
	    "             inet6:PORT@HOST (overrides Socket)\n"
	    "  -f         stay in the foreground and log to stderr too (under\n"
	    "             systemd: to the journal only, each line once)\n"
	    "  --log-to=auto|syslog|stderr|journal\n"
	    "             where the log goes (default auto)\n"
	    "  -t         check the configuration and exit (0 good, 1 bad)\n"
	    "  --check    report every egress's health and exit 0 OK,\n"
	    "             1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	    "  --status   ask the running daemon (ControlSocket) for its\n"
	    "             health and counters; exit codes as --check\n"
	    "  --round    ask the running daemon (ControlSocket) for a health\n"
	    "             round of every egress now (root or Postfix's mail\n"
	    "             owner); exit 0 when it starts\n"
	    "  --json     with --check or --status: print one JSON document\n"
	    "  -T SECONDS with --check or --status: give up after SECONDS\n"
	    "             in all and exit 3 (default: 60 and 10)\n"
	    "  --summary  report on log FILEs (plain or gzip'd; stdin when\n"
	    "             none): messages by action and egress, top findings\n"
	    "             and sender domains, a timeline of state changes\n"
	    "  --since T, --until T  with --summary: only lines from/before\n"
	    "             T (YYYY-MM-DD[ HH:MM[:SS]], or Nh / Nd ago)\n"
	    "  --init     print a configuration for map mode from a Postfix's\n"
	    "             main.cf and master.cf (default: postconf's own\n"
	    "             config_directory), with the postconf commands that\n"
	    "             wire it\n"
	    "  -V         print the version and exit\n"
	    "  -h         print this help and exit\n"
	    "\n"
	    "Signals: SIGHUP and SIGUSR1 re-read the configuration; SIGTERM\n"
	    "stops.\n"
	    "See egress-milter(8) and egress-milter.conf(5).\n",
	    DEFAULT_CONF_PATH);
}

/* -T SECONDS: 1 to 86400, else the usage error of a Nagios plugin. */
static int
parse_timeout(const char *text)
{
	char *end;
	long seconds = strtol(text, &end, 10);

	if (*text == '\0' || *end != '\0' || seconds < 1 || seconds > 86400) {
		printf("EGRESS UNKNOWN - -T wants whole seconds from 1 to "
		    "86400, not \"%s\"\n", text);
		exit(3);
	}
	return (int)seconds;
}

static void
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'J' },
		{ "status", no_argument, NULL, 'S' },
		{ "round", no_argument, NULL, 'R' },
		{ "summary", no_argument, NULL, 'M' },
		{ "init", no_argument, NULL, 'I' },
		{ "since", required_argument, NULL, 'a' },
		{ "until", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "log-to", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	const char *bad;
	int c;

	opts.conf_path = DEFAULT_CONF_PATH;
	while ((c = getopt_long(argc, argv, "c:p:ftVhT:", longopts, NULL)) != -1)
		switch (c) {
		case 'c': opts.conf_path = optarg; opts.conf_given = true; break;
		case 'p':
			/* The checks of the Socket key: no "bogus" socket
			 * in the working directory, no port 99999. */
			if ((bad = value_socket(optarg)) != NULL) {
				fprintf(stderr, "egress-milter: -p %s: %s\n",
				    optarg, bad);
				exit(1);
			}
			opts.socket = optarg;
			break;
		case 'f': opts.foreground = true; break;
		case 't': opts.test_only = true; break;
		case 'C': opts.check = true; break;
		case 'J': opts.json = true; break;
		case 'L':
			if (logto_parse(optarg, &opts.log_to) != 0) {
				fprintf(stderr, "egress-milter: --log-to: "
				    "expected auto, syslog, stderr or journal\n");
				exit(1);
			}
			break;
		case 'S': opts.status = true; break;
		case 'R': opts.round = true; break;
		case 'M': opts.summary = true; break;
		case 'I': opts.init = true; break;
		case 'a': opts.since = optarg; break;
		case 'b': opts.until = optarg; break;
		case 'T': opts.timeout = parse_timeout(optarg); break;
		case 'V': printf("egress-milter %s\n", PACKAGE_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(opts.check || opts.status ? 3 :
		    1);
		}
	if ((opts.since || opts.until) && !opts.summary) {
		fprintf(stderr, "egress-milter: --since and --until go with "
		    "--summary\n");
		exit(1);
	}
	if (optind < argc && !opts.summary && !(opts.init &&
	    optind + 1 == argc)) {
		fprintf(stderr, "egress-milter: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		exit(1);
	}
	if ((opts.json && !opts.check && !opts.status) ||
	    (opts.timeout && !opts.check && !opts.status && !opts.round)) {
		fprintf(stderr, "egress-milter: --json goes with --check or "
		    "--status, -T with --check, --status or --round\n");
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

	conf_resolver_settings(conf, &rs);
	conf_dnscache_settings(conf, &cs);
	if (resolver_configure(&rs) != 0)
		log_err("DNS settings refused; the old ones stay in force");
	dnscache_configure(&cs);
}

/* Equal strings, NULL equal to NULL only. */
static bool
same_text(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* SIGHUP, SIGUSR1: re-reads the configuration; a bad file keeps the old. */
static void
reload(int sig)
{
	struct conf *old = conf_current(), *conf;

	log_notice("%s: re-reading %s", sig == SIGHUP ? "SIGHUP" : "SIGUSR1",
	    old && old->path ? old->path : "the built-in defaults");
	conf = read_configuration(false);
	if (conf == NULL) {
		log_err("configuration not reloaded: the running configuration "
		    "stays in force");
		status_note_reload(true);
	} else {
		status_note_reload(false);
		if (old && strcmp(old->socket, conf->socket) != 0)
			log_warn("Socket changed to %s: this takes a restart; "
			    "still listening on %s", conf->socket, old->socket);
		if (old && (!same_text(old->control_socket,
		    conf->control_socket) || !same_text(old->metrics_listen,
		    conf->metrics_listen)))
			log_warn("ControlSocket or MetricsListen changed: this "
			    "takes a restart; the old ones stay in use");
		log_set_threshold(conf->log_level);
		apply_dns_settings(conf);
		spf_cache_flush();	/* verdicts made with the old DNS */
		connlimit_set(guard_connection_limit(conf,
		    open_file_limit));
		conf_set_current(conf);
		if (monitor_restart(conf_current()) != 0)
			log_err("cannot restart the egress monitor");
		log_notice("configuration reloaded (%zu egress%s); new "
		    "connections use it", conf->negress, conf->negress == 1 ?
		    "" : "es");
		egress_warn_not_public(conf);
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

/*
 * Stops libmilter by handing signal SIG on to libmilter's own signal
 * thread, then wakes the listener until it has gone (5 seconds at most,
 * libmilter's own poll interval). Not smfi_stop() from a thread of ours:
 * it locks libmilter mutexes that smfi_main() initialises and, once the
 * listener returns, destroys in another thread with nothing ordering the
 * two (ThreadSanitizer reported it); libmilter's signal thread is
 * started by smfi_main() itself after those mutexes exist. Once this
 * thread no longer waits in sigwait(), a process-directed SIG can only
 * go to libmilter's signal thread (every other thread blocks it).
 * libmilter's own stop path still races with itself (its mi_closener()
 * may lock the listener's mutex after mi_listener() destroyed it, and
 * its signal thread is never joined); see docs/security.md.
 * Returns false when libmilter has not returned after STOP_WAIT_TICKS:
 * its worker pool can hang in its own stop (every worker and the
 * listener waiting on a mutex nobody holds, seen about once in 30 stops
 * with 500 connections just closed), and a stop must never hang.
 */
#define STOP_WAIT_TICKS 150		/* of 20 ms: 3 seconds */

static bool
stop_listener(const char *socket_spec, int sig)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };

	kill(getpid(), sig == SIGINT ? SIGINT : SIGTERM);
	for (int i = 0; i < STOP_WAIT_TICKS &&
	    !atomic_load(&milter_returned); i++) {
		nanosleep(&tick, NULL);
		wake_listener(socket_spec);
	}
	return atomic_load(&milter_returned);
}

/*
 * The main thread waits for signals while libmilter runs in its own
 * thread. Linux gives a process-directed signal to the main thread
 * when it is waiting for it, so SIGTERM reaches us rather than
 * libmilter's signal thread; either way the milter stops.
 */
static bool
wait_for_signals(const char *socket_spec)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigwait(&set, &sig) == 0 && !atomic_load(&milter_returned)) {
		log_notice("%s: stopping", strsignal(sig));
		return stop_listener(socket_spec, sig);
	}
	return true;
}

static void
remove_pidfile(const struct conf *conf)
{
	if (conf->pidfile != NULL && unlink(conf->pidfile) != 0)
		log_debug("cannot remove pid file %s: %s", conf->pidfile,
		    strerror(errno));
}

static void
write_pidfile(const char *path)
{
	if (guard_write_pidfile(path) != 0)
		log_fatal_errno("cannot write pid file %s", path);
}

/* USER[:GROUP] of UserID: its uid and gid; fatal when unknown. */
static void
resolve_user(const char *spec, uid_t *uid, gid_t *gid)
{
	char user[256], *group;
	struct passwd *pw;

	copy_bounded(user, sizeof(user), spec);
	if ((group = strchr(user, ':')) != NULL)
		*group++ = '\0';
	if ((pw = getpwnam(user)) == NULL)
		log_fatal("UserID: no such user \"%s\"", user);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (group != NULL) {
		struct group *gr = getgrnam(group);

		if (gr == NULL)
			log_fatal("UserID: no such group \"%s\"", group);
		*gid = gr->gr_gid;
	}
}

/* Drops to USER[:GROUP]; hands a unix socket to that user first. */
static void
drop_privileges(const char *spec, uid_t uid, gid_t gid, const char *socket)
{
	if (getuid() == uid)
		return;
	if (geteuid() != 0)
		log_fatal("UserID %s: only root can change user", spec);
	if (strncmp(socket, "unix:", 5) == 0 || strncmp(socket, "local:", 6)
	    == 0) {
		const char *path = strchr(socket, ':') + 1;

		if (chown(path, uid, gid) != 0)
			log_warn_errno("cannot hand socket %s to %s", path,
			    spec);
	}
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
		log_fatal_errno("cannot change to user %s", spec);
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

/*
 * Every thread's stack, libmilter's workers' too (they are created with
 * default attributes): THREAD_STACK instead of RLIMIT_STACK's 8 MB.
 * libmilter's pool starts and ends workers as load changes, and glibc
 * keeps freed stacks for reuse only up to 40 MB in all: 5 stacks of
 * 8 MB, so most workers cost an mmap, an munmap and the TLB shootdowns
 * they send to every CPU. The deepest path of the milter's own code
 * (SPF at its include depth limit) needs well under 64 KB; the
 * libraries it calls (libopendkim, OpenSSL, ldns) no more than that.
 * AddressSanitizer's red zones make frames larger: four times as much.
 */
#ifdef __SANITIZE_ADDRESS__
#define THREAD_STACK (2048 * 1024)
#else
#define THREAD_STACK (512 * 1024)
#endif

static void
set_thread_stack(void)
{
	pthread_attr_t attr;

	if (pthread_attr_init(&attr) != 0)
		return;
	if (pthread_attr_setstacksize(&attr, THREAD_STACK) != 0 ||
	    pthread_setattr_default_np(&attr) != 0)
		log_warn("cannot set the threads' stack size to %d KB; they "
		    "keep the default", THREAD_STACK / 1024);
	pthread_attr_destroy(&attr);
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

/*
 * libmilter sets no TCP_NODELAY: at end-of-message two small replies
 * (progress or a header change, then the verdict) meet Nagle's algorithm
 * and the MTA's delayed ACK, about 40 ms per message. libmilter does not
 * give out its listening socket, so it is found among our descriptors
 * (the only listening TCP sockets at this point); on Linux the accepted
 * connections inherit the option. Unix sockets need nothing.
 */
static void
set_nodelay_on_listeners(void)
{
	int one = 1, listening, fd, max = (int)sysconf(_SC_OPEN_MAX);
	struct sockaddr_storage ss;
	socklen_t len;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 0; fd < max; fd++) {
		len = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		    &len) != 0 || !listening)
			continue;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one)) != 0)
			log_warn_errno("cannot set TCP_NODELAY on the milter "
			    "socket");
		else
			log_info("TCP_NODELAY set on the milter socket");
	}
}

static int
run_milter(struct conf *conf)
{
	pthread_t milter;
	struct conf *last;
	char *socket_spec = xstrdup(conf->socket);	/* outlives reloads */
	int rounds, lookups, rc;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (guard_refuse_root(conf) != 0)
		return 1;
	/*
	 * Before the milter socket exists: a SIGHUP sent as soon as the
	 * socket answers (a test, logrotate) stays pending until the reload
	 * handler takes it instead of ending the process.
	 */
	block_signals();
	if (conf->umask_set)
		umask(conf->umask);
	open_file_limit = guard_raise_nofile();
	connlimit_set(guard_connection_limit(conf,
	    open_file_limit));
	if (smfi_setconn(conf->socket) != MI_SUCCESS ||
	    milter_register() != 0 ||
	    smfi_settimeout((int)conf->milter_timeout) != MI_SUCCESS)
		log_fatal("cannot set up libmilter on %s", conf->socket);
	smfi_setmaxdatasize(EM_MILTER_DATA_SIZE);
	if (smfi_opensocket(true) != MI_SUCCESS)
		log_fatal("cannot open milter socket %s (in use, or no "
		    "permission?)", conf->socket);
	set_nodelay_on_listeners();
	if (!opts.foreground)
		daemon_detach();
	if (conf->pidfile != NULL)
		write_pidfile(conf->pidfile);
	if (conf->user != NULL)
		resolve_user(conf->user, &uid, &gid);
	/* While still root: the socket's directory may be root's. */
	(void)control_open(conf->control_socket, uid, gid);
	(void)refusal_state_prepare(conf->state_file, uid, gid);
	if (conf->user != NULL)
		drop_privileges(conf->user, uid, gid, conf->socket);
	set_thread_stack();
	stats_init();
	(void)control_start(conf->control_socket);
	(void)metrics_start(conf->metrics_listen);
	apply_dns_settings(conf);
	conf_set_current(conf);
	/* Before the first answer: the learned refusals still in force. */
	(void)refusal_state_read(conf->state_file);
	if (refusal_state_start() != 0)
		log_fatal("cannot start the state file thread");
	if (fleet_start() != 0)
		log_fatal("cannot start the fleet thread");
	if (monitor_start(conf_current()) != 0)
		log_fatal("cannot start the egress monitor thread");
	if (reload_start(reload) != 0)
		log_fatal("cannot start the reload thread");
	/* Before libmilter's signal thread exists: see reload.c. */
	reload_take_signals();
	if (socketmap_start(conf) != 0)
		log_fatal("cannot start the socketmap server (MapSocket)");
	log_notice("starting on %s with %zu egress%s (%s)", conf->socket,
	    conf->negress, conf->negress == 1 ? "" : "es",
	    conf->path ? conf->path : "built-in defaults");
	egress_warn_not_public(conf);
	if (conf->path == NULL)
		log_notice("no configuration file (%s): \"egress-milter -t\" "
		    "prints these defaults as one to start from; \"egress-milter "
		    "--status\" asks this daemon once its first round is done",
		    opts.conf_path);
	log_info("at most %ld connections (open-file limit %ld), idle ones "
	    "closed after %ld s", guard_connection_limit(conf,
	    open_file_limit), open_file_limit, conf->milter_timeout);
	main_thread = pthread_self();
	if (pthread_create(&milter, NULL, milter_thread, NULL) != 0)
		log_fatal("cannot start the milter thread");
	daemon_ready();
	if (!wait_for_signals(socket_spec)) {
		/* libmilter hangs in its own stop: leave without it. The MTA
		 * treats the closed connections as a milter failure (Postfix
		 * milter_default_action, Sendmail F=T: tempfail). */
		last = conf_current();
		remove_pidfile(last);
		log_warn("libmilter did not stop within %d s (its worker pool "
		    "hangs at times when it stops); leaving without it",
		    STOP_WAIT_TICKS / 50);
		log_notice("stopped");
		log_close();
		_exit(0);
	}
	daemon_notify("STOPPING=1");
	reload_stop();
	free(socket_spec);
	pthread_join(milter, NULL);
	control_stop();
	metrics_stop();
	last = conf_current();
	socketmap_stop(1000);
	refusal_state_stop();
	fleet_stop();
	lookups = route_stop(1000);
	rounds = monitor_stop(1000);
	wait_for_callbacks((int)last->dns_timeout * 3 + 2);
	remove_pidfile(last);
	rc = milter_status == MI_SUCCESS ? 0 : 1;
	if (rounds > 0 || lookups > 0) {
		/* A detached monitor or route SPF thread is still inside a
		 * DNS lookup: the libraries' exit handlers (OpenSSL's, which
		 * ldns's query ids use) must not run under it. */
		log_notice("stopped (%d health round%s and %d route SPF "
		    "lookup%s still waiting on DNS left behind)", rounds,
		    rounds == 1 ? "" : "s", lookups, lookups == 1 ? "" : "s");
		log_close();
		_exit(rc);
	}
	log_notice("stopped");
	conf_release(last);
	conf_set_current(NULL);
	return rc;
}

/* The configuration for --check/--status; NULL after an UNKNOWN line. */
static struct conf *
read_configuration_for_report(void)
{
	struct conf *conf;

	log_open(false, LOG_MAIL, true, LOG_WARNING);
	if ((conf = read_configuration(true)) == NULL)
		printf("EGRESS UNKNOWN - the configuration has errors\n");
	return conf;
}

/* --check: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
static int
run_check(void)
{
	struct conf *conf;
	int rc;

	nagios_bound(opts.timeout ? opts.timeout : 60, opts.json);
	if ((conf = read_configuration_for_report()) == NULL)
		return 3;
	apply_dns_settings(conf);
	rc = check_run(conf, opts.json, stdout);
	fflush(stdout);
	resolver_thread_cleanup();
	dnscache_flush();
	conf_free(conf);
	return rc;
}

/*
 * The ControlSocket PATH names (its last such line), for --status when
 * the file has errors: the running daemon is asked all the same. The
 * built-in default when the file names none; NULL for "none". Free it.
 */
static char *
control_socket_of_file(const char *path)
{
	char line[1024], key[64], value[256];
	char *found = xstrdup(CONF_DEFAULT_CONTROL_SOCKET);
	FILE *fp = fopen(path, "r");

	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, " %63s %255s", key, value) != 2 ||
		    strcasecmp(key, "ControlSocket") != 0)
			continue;
		free(found);
		found = strcasecmp(value, "none") == 0 ? NULL : xstrdup(value);
	}
	if (fp != NULL)
		fclose(fp);
	return found;
}

/*
 * --status: the running daemon's view, through its control socket,
 * whatever the file on disk says: with errors in it, its ControlSocket
 * line is still followed and a note goes to stderr. --round: the same
 * socket, asking for a health round now.
 */
static int
run_status(void)
{
	struct conf *conf;
	char *socket;
	int rc;

	log_open(false, LOG_MAIL, true, LOG_WARNING);
	if ((conf = read_configuration(true)) != NULL) {
		socket = conf->control_socket ? xstrdup(conf->control_socket) :
		    NULL;
		conf_free(conf);
	} else {
		socket = control_socket_of_file(opts.conf_path);
		fprintf(stderr, "egress-milter: %s has errors (egress-milter -t "
		    "shows them); asking the running daemon all the same\n",
		    opts.conf_path);
	}
	rc = opts.round ? control_round(socket, opts.timeout ? opts.timeout :
	    10, stdout) : control_query(socket, opts.json, opts.timeout ?
	    opts.timeout : 10, stdout);
	free(socket);
	return rc;
}

int
main(int argc, char **argv)
{
	struct conf *conf;
	int rc;

	parse_args(argc, argv);
	log_open(false, LOG_MAIL, true, LOG_INFO);
	if (!opts.test_only && !opts.check)
		logto_start(opts.log_to, opts.foreground, LOG_INFO);
	if (opts.test_only) {
		if ((conf = read_configuration(true)) == NULL)
			return 1;
		conf_print(conf, opts.conf_path, stdout);
		/* The Postfix side: problems as FILE:LINE: on stderr, so the
		 * printed configuration still reads back as a file. */
		rc = postfix_check(conf, stderr) > 0;
		conf_free(conf);
		return rc;
	}
	if (opts.init)
		return postfix_init(optind < argc ? argv[optind] : NULL,
		    stdout, stderr);
	if (opts.summary)
		return summary_run(argv + optind, argc - optind, opts.since,
		    opts.until, stdout);
	if (opts.status || opts.round)
		return run_status();
	if (opts.check)
		return run_check();
	if ((conf = read_configuration(false)) == NULL) {
		log_err("not starting: fix the configuration "
		    "(egress-milter -t shows every problem)");
		return 1;
	}
	logto_apply(opts.log_to, opts.foreground, conf->syslog,
	    conf->syslog_facility, conf->log_level);
	return run_milter(conf);
}
