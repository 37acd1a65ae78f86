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
 * transport and route). postconf is run directly (no shell), its output
 * is read with bounded lines.
 * Must not: resolve names; touch libmilter.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/conf_address.h"
#include "conf/conf_parse.h"
#include "util/util.h"

#define POSTCONF_LINE_MAX 1024
#define POSTCONF_LINES_MAX 2000

/*
 * Runs ARGS[0] (postconf or postmap, no shell) with ARGS; returns its
 * output lines (NULL-terminated; free with conf_free_lines()).
 */
char **
conf_run_postconf(const char *const *args, char *error, size_t size)
{
	int fds[2], status, n = 0;
	char **lines = xcalloc(POSTCONF_LINES_MAX + 1, sizeof(char *));
	char buf[POSTCONF_LINE_MAX];
	FILE *fp;
	pid_t pid;

	if (pipe(fds) != 0) {
		snprintf(error, size, "pipe: %s", strerror(errno));
		free(lines);
		return NULL;
	}
	if ((pid = fork()) == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin",
		    1);
		execvp(args[0], (char *const *)args);
		_exit(127);
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	while (fp != NULL && fgets(buf, sizeof(buf), fp) != NULL)
		if (n < POSTCONF_LINES_MAX) {
			buf[strcspn(buf, "\n")] = '\0';
			lines[n++] = xstrdup(buf);
		}
	if (fp != NULL)
		fclose(fp);
	else
		close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		snprintf(error, size, "postconf failed (%s)", pid < 0 ?
		    strerror(errno) : WIFEXITED(status) && WEXITSTATUS(status)
		    == 127 ? "not installed?" : "see its error above");
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

	if (conf->negress == CONF_MAX_EGRESS) {
		conf_error(parse, "EgressFrom postfix: more than %d egresses",
		    CONF_MAX_EGRESS);
		return;
	}
	for (size_t i = 0; i < conf->negress; i++)
		if (strcasecmp(conf->egress[i].name, name) == 0) {
			conf_error(parse, "EgressFrom postfix: egress \"%s\" "
			    "is also configured by an Egress line", name);
			return;
		}
	e = &conf->egress[conf->negress];
	memset(e, 0, sizeof(*e));
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
