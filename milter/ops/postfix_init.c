/*
 * postfix_init.c - "egress-milter --init [DIR]": from a Postfix's
 * main.cf and master.cf, a ready egress-milter.conf for map mode and the
 * exact postconf commands that wire it (see postfix_init.h).
 *
 * postfix_init().
 *
 * The egresses are read as "EgressFrom postfix:DIR" reads them
 * (conf_postfix.c), through a configuration file of one line in a
 * private temporary file; they are then printed as Egress lines, so the
 * file says what it runs. The postconf commands come as comment lines
 * ("#   postconf ..."), so that the output is itself a valid
 * configuration: they add the milter to smtpd_milters and
 * non_smtpd_milters (keeping the milters already there), the route map,
 * a status filter on each egress's transport, and the retry service
 * when master.cf lacks it.
 * Must not: change Postfix's files; resolve names; touch libmilter.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_keys.h"
#include "conf/conf_load.h"
#include "conf/conf_parse.h"
#include "conf/conf_postfix.h"
#include "ops/postfix_init.h"
#include "util/util.h"

#define INIT_SOCKET "inet:127.0.0.1:8895"
#define INIT_MAP "socketmap:inet:127.0.0.1:8896"

/* postconf [-c DIR] ARG1 [ARG2]: its first output line, or NULL. */
static char *
init_postconf(const char *dir, const char *a1, const char *a2)
{
	const char *args[7] = { "postconf", NULL };
	char error[256], **lines, *value = NULL;
	int n = 1;

	if (dir != NULL) {
		args[n++] = "-c";
		args[n++] = dir;
	}
	args[n++] = a1;
	args[n++] = a2;
	args[n] = NULL;
	if ((lines = conf_run_postconf(args, error, sizeof(error))) == NULL)
		return NULL;
	if (lines[0] != NULL)
		value = xstrdup(lines[0]);
	conf_free_lines(lines);
	return value;
}

/* "postconf -c DIR" or "postconf": the start of each printed command. */
static void
postconf_prefix(char *out, size_t size, const char *dir, bool explicit_dir)
{
	if (explicit_dir)
		snprintf(out, size, "#   postconf -c %s", dir);
	else
		snprintf(out, size, "#   postconf");
}

/* One "PARAM = VALUE, INIT_SOCKET" argument, keeping VALUE's milters. */
static void
print_milters(FILE *out, const char *dir, const char *param)
{
	char *value = init_postconf(dir, "-h", param);

	if (value != NULL && strstr(value, "127.0.0.1:8895") != NULL)
		fprintf(out, " '%s = %s'", param, value);
	else
		fprintf(out, " '%s = %s%s" INIT_SOCKET "'", param,
		    value ? value : "", value && value[0] ? ", " : "");
	free(value);
}

int
postfix_init(const char *dir, FILE *out, FILE *err)
{
	char path[] = "/tmp/egress-milter-init.XXXXXX", prefix[600];
	struct conf_errors errors = { NULL, 0, 0 };
	char *found = NULL, *retry;
	bool explicit_dir = dir != NULL;
	struct conf *conf;
	FILE *fp;
	int fd;

	if (dir == NULL && (found = init_postconf(NULL, "-h",
	    "config_directory")) == NULL) {
		fprintf(err, "egress-milter --init: cannot ask postconf for "
		    "Postfix's config_directory (is Postfix installed?)\n");
		return 1;
	}
	if (dir == NULL)
		dir = found;
	if (dir[0] != '/' || strpbrk(dir, "'\n") != NULL) {
		fprintf(err, "egress-milter --init: %s: not an absolute "
		    "directory\n", dir);
		free(found);
		return 1;
	}
	if ((fd = mkstemp(path)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		fprintf(err, "egress-milter --init: cannot write a temporary "
		    "file in /tmp\n");
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(found);
		return 1;
	}
	fprintf(fp, "EgressFrom postfix:%s\n", dir);
	fclose(fp);
	conf = conf_load(path, &errors);
	unlink(path);
	if (conf == NULL) {
		fprintf(err, "egress-milter --init: cannot read the Postfix "
		    "in %s:\n%s", dir, errors.text ? errors.text : "");
		conf_errors_free(&errors);
		free(found);
		return 1;
	}
	conf_errors_free(&errors);

	fprintf(out, "# egress-milter.conf for the Postfix in %s, written by "
	    "\"egress-milter --init\".\n# Map mode: Postfix asks the route "
	    "map for a healthy egress at every delivery.\n# Run the postconf "
	    "commands at the end, then check with\n#     egress-milter -t -c "
	    "THIS-FILE\n", dir);
	fprintf(out, "Socket          inet:8895@127.0.0.1\n"
	    "MapSocket       inet:8896@127.0.0.1\n"
	    "PostfixConfig   %s\n"
	    "# Your own recursive resolver (several DNS blocklists refuse "
	    "public ones):\n#Nameservers    127.0.0.1\n", dir);
	for (size_t i = 0; i < conf->negress; i++) {
		const struct conf_egress *e = &conf->egress[i];

		fprintf(out, "Egress          %s %s", e->name, e->address.text);
		if (e->helo != NULL)
			fprintf(out, " helo=%s", e->helo);
		if (e->transport != NULL)
			fprintf(out, " transport=%s", e->transport);
		fputc('\n', out);
	}
	fprintf(out, "On              listed reroute\n"
	    "Fallback        tempfail\n#\n"
	    "# Wire Postfix (each command changes one parameter or one "
	    "service; nothing\n# is defined twice), then \"postfix reload\":"
	    "\n");
	postconf_prefix(prefix, sizeof(prefix), dir, explicit_dir);
	fprintf(out, "%s -e", prefix);
	print_milters(out, dir, "smtpd_milters");
	print_milters(out, dir, "non_smtpd_milters");
	fprintf(out, " 'milter_default_action = tempfail'"
	    " 'milter_protocol = 6'"
	    " 'sender_dependent_default_transport_maps = " INIT_MAP
	    ":route'\n");
	for (size_t i = 0; i < conf->negress; i++) {
		const struct conf_egress *e = &conf->egress[i];
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= strcmp(conf->egress[j].transport ?
			    conf->egress[j].transport : "", e->transport ?
			    e->transport : "") == 0;
		if (e->transport == NULL || seen)
			continue;
		fprintf(out, "%s -P '%s/unix/smtp_delivery_status_filter="
		    INIT_MAP ":status-%s'\n", prefix, e->transport, e->name);
	}
	retry = init_postconf(dir, "-M", "retry/unix");
	if (retry == NULL || retry[0] == '\0')
		fprintf(out, "%s -M 'retry/unix=retry unix - - n - - error'\n",
		    prefix);
	else
		fprintf(out, "# (master.cf has the retry service the route map "
		    "uses already)\n");
	free(retry);
	conf_free(conf);
	free(found);
	return 0;
}
