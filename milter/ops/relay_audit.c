/*
 * relay_audit.c - the open-relay audit of a Postfix configuration
 * (see relay_audit.h).
 *
 * relay_audit_run(), relay_audit_network_too_wide(),
 * relay_audit_print_text(), relay_audit_print_json().
 * The parameters are read with "postconf [-c DIR] -x NAME..." (main.cf,
 * with $names expanded) and "postconf [-c DIR] -x -P" (master.cf -o
 * overrides); the services audited are master.cf's inet services run by
 * smtpd ("postconf -M"). Postfix relays a message when neither
 * smtpd_relay_restrictions nor smtpd_recipient_restrictions refuses it:
 * a list protects when reject_unauth_destination,
 * defer_unauth_destination or a plain reject or defer comes before any
 * plain "permit" and before its end; the configuration is an open
 * relay when neither does.
 * Must not: touch libmilter, do DNS, change the configuration.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_keys.h"
#include "conf/conf_postfix.h"
#include "ops/relay_audit.h"
#include "util/json.h"
#include "util/util.h"

#define VALUE_MAX 1024

static const char *const audited[] = { "smtpd_relay_restrictions",
    "smtpd_recipient_restrictions", "mynetworks", "smtpd_sasl_auth_enable",
    "smtpd_tls_auth_only", "smtpd_tls_security_level" };
#define NAUDITED (sizeof(audited) / sizeof(audited[0]))

struct settings {
	char value[NAUDITED][VALUE_MAX];
};

static void
add_problem(struct relay_audit *a, const char *rule, const char *service,
    const char *problem, const char *fix)
{
	struct relay_problem *p;

	if (a->n == RELAY_AUDIT_MAX)
		return;
	p = &a->problems[a->n++];
	copy_bounded(p->rule, sizeof(p->rule), rule);
	copy_bounded(p->service, sizeof(p->service), service);
	copy_bounded(p->problem, sizeof(p->problem), problem);
	copy_bounded(p->fix, sizeof(p->fix), fix);
}

/* True when the restriction list LIST refuses unauthorised relaying. */
static bool
list_protects(const char *list)
{
	char copy[VALUE_MAX], *save = NULL;

	copy_bounded(copy, sizeof(copy), list);
	for (char *w = strtok_r(copy, ", \t", &save); w != NULL;
	    w = strtok_r(NULL, ", \t", &save)) {
		if (strcmp(w, "reject_unauth_destination") == 0 ||
		    strcmp(w, "defer_unauth_destination") == 0 ||
		    strcmp(w, "reject") == 0 || strcmp(w, "defer") == 0)
			return true;
		if (strcmp(w, "permit") == 0)
			return false;
	}
	return false;
}

static bool
in_prefix(const unsigned char *a, const char *net, int bits, int family)
{
	unsigned char n[16];
	int full = bits / 8, rest = bits % 8;

	if (inet_pton(family, net, n) != 1)
		return false;
	if (memcmp(a, n, (size_t)full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ n[full]) & (0xff << (8 - rest))) == 0;
}

/*
 * Loopback, private, link-local and shared space: never "public". An
 * entry is private only when its whole prefix lies inside one of them
 * (10.0.0.0/7 holds 11.0.0.0/8, 192.168.0.0/15 holds 192.169.0.0/16).
 */
static const struct {
	int family;
	const char *net;
	int bits;
} private_nets[] = {
	{ AF_INET, "10.0.0.0", 8 }, { AF_INET, "172.16.0.0", 12 },
	{ AF_INET, "192.168.0.0", 16 }, { AF_INET, "127.0.0.0", 8 },
	{ AF_INET, "169.254.0.0", 16 }, { AF_INET, "100.64.0.0", 10 },
	{ AF_INET6, "::1", 128 }, { AF_INET6, "fc00::", 7 },
	{ AF_INET6, "fe80::", 10 }, { AF_INET6, "::ffff:127.0.0.0", 104 },
	{ AF_INET6, "::ffff:10.0.0.0", 104 },
	{ AF_INET6, "::ffff:172.16.0.0", 108 },
	{ AF_INET6, "::ffff:192.168.0.0", 112 },
	{ AF_INET6, "::ffff:169.254.0.0", 112 },
	{ AF_INET6, "::ffff:100.64.0.0", 106 },
};

/* True when the prefix A/BITS lies whole inside a private block. */
static bool
is_private(const unsigned char *a, int bits, int family)
{
	for (size_t i = 0; i < sizeof(private_nets) / sizeof(private_nets[0]);
	    i++)
		if (private_nets[i].family == family &&
		    bits >= private_nets[i].bits && in_prefix(a,
		    private_nets[i].net, private_nets[i].bits, family))
			return true;
	return false;
}

bool
relay_audit_network_too_wide(const char *entry, char *why, size_t size)
{
	char addr[INET6_ADDRSTRLEN + 2];
	unsigned char bytes[16];
	const char *slash = strchr(entry, '/');
	size_t len = slash ? (size_t)(slash - entry) : 0;
	int family, bits;

	if (slash == NULL || len == 0 || len >= sizeof(addr))
		return false;			/* a host, or a table */
	if (entry[0] == '[' && len > 2 && entry[len - 1] == ']')
		snprintf(addr, sizeof(addr), "%.*s", (int)len - 2, entry + 1);
	else
		snprintf(addr, sizeof(addr), "%.*s", (int)len, entry);
	family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	/* The prefix length: 1 to 3 digits, at most the address's bits. */
	if (strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    strlen(slash + 1) == 0 || strlen(slash + 1) > 3)
		return false;			/* not a network: Postfix says */
	bits = atoi(slash + 1);
	if (bits > (family == AF_INET ? 32 : 128) ||
	    inet_pton(family, addr, bytes) != 1)
		return false;
	if (bits == 0) {
		snprintf(why, size, "%s is every address: anyone may relay",
		    entry);
		return true;
	}
	if (is_private(bytes, bits, family) ||
	    bits >= (family == AF_INET ? 24 : 48))
		return false;
	snprintf(why, size, "%s is a public range wider than /%d: every host "
	    "in it may relay", entry, family == AF_INET ? 24 : 48);
	return true;
}

static void
audit_settings(struct relay_audit *a, const char *service,
    const struct settings *s)
{
	char problem[512], why[256], copy[VALUE_MAX], *save = NULL;

	if (!list_protects(s->value[0]) && !list_protects(s->value[1])) {
		snprintf(problem, sizeof(problem), "open relay: neither "
		    "smtpd_relay_restrictions (%.150s) nor "
		    "smtpd_recipient_restrictions (%.150s) has "
		    "reject_unauth_destination or defer_unauth_destination "
		    "before a broad permit", s->value[0][0] ? s->value[0] :
		    "empty", s->value[1][0] ? s->value[1] : "empty");
		add_problem(a, "open-relay", service, problem, "set "
		    "`smtpd_relay_restrictions = permit_mynetworks, "
		    "permit_sasl_authenticated, defer_unauth_destination`");
	}
	copy_bounded(copy, sizeof(copy), s->value[2]);
	for (char *w = strtok_r(copy, ", \t", &save); w != NULL;
	    w = strtok_r(NULL, ", \t", &save))
		if (relay_audit_network_too_wide(w, why, sizeof(why))) {
			snprintf(problem, sizeof(problem), "mynetworks: %s",
			    why);
			add_problem(a, "mynetworks", service, problem, "list "
			    "only your own hosts in mynetworks (e.g. "
			    "`mynetworks = 127.0.0.0/8 [::1]/128 "
			    "192.0.2.10/32`); let others authenticate (SASL)");
		}
	if (strcasecmp(s->value[3], "yes") == 0 &&
	    strcasecmp(s->value[4], "yes") != 0 &&
	    strcasecmp(s->value[5], "encrypt") != 0)
		add_problem(a, "sasl-no-tls", service, "smtpd_sasl_auth_enable "
		    "= yes without smtpd_tls_auth_only = yes: passwords may "
		    "cross the network in the clear", "set "
		    "`smtpd_tls_auth_only = yes` (or "
		    "`smtpd_tls_security_level = encrypt` on a submission "
		    "service)");
}

/* ARGS with "-c DIR" put after "postconf" when DIR is not "". */
static char **
postconf(const char *dir, const char **args, size_t nargs, char *error,
    size_t size)
{
	const char *argv[16];
	size_t n = 0;

	argv[n++] = "postconf";
	if (dir[0]) {
		argv[n++] = "-c";
		argv[n++] = dir;
	}
	for (size_t i = 0; i < nargs && n + 1 < 16; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return conf_run_postconf(argv, error, size);
}

/* Sets the value of "NAME = value" lines (PREFIX before NAME) in S. */
static void
read_values(char **lines, const char *prefix, struct settings *s)
{
	size_t plen = strlen(prefix);

	for (int i = 0; lines[i] != NULL; i++) {
		const char *eq = strstr(lines[i], " = "), *name = lines[i] + plen;

		if (eq == NULL || strncmp(lines[i], prefix, plen) != 0)
			continue;
		for (size_t k = 0; k < NAUDITED; k++)
			if ((size_t)(eq - name) == strlen(audited[k]) &&
			    strncmp(name, audited[k], strlen(audited[k])) == 0)
				copy_bounded(s->value[k], sizeof(s->value[k]),
				    eq + 3);
	}
}

/* Each inet smtpd service of master.cf, with its -o overrides. */
static void
audit_services(struct relay_audit *a, char **services, char **overrides,
    const struct settings *main_cf)
{
	for (int i = 0; services[i] != NULL; i++) {
		char name[64], type[16], command[64], prefix[96];
		struct settings s;

		if (sscanf(services[i], "%63s %15s %*s %*s %*s %*s %*s %63s",
		    name, type, command) != 3 || strcmp(type, "inet") != 0 ||
		    strcmp(command, "smtpd") != 0)
			continue;
		s = *main_cf;
		snprintf(prefix, sizeof(prefix), "%s/inet/", name);
		read_values(overrides, prefix, &s);
		audit_settings(a, name, &s);
	}
}

void
relay_audit_run(const char *dir, struct relay_audit *a)
{
	static const char *main_args[NAUDITED + 1] = { "-x" };
	static const char *service_args[] = { "-M" };
	static const char *override_args[] = { "-x", "-P" };
	struct settings *main_cf = xcalloc(1, sizeof(*main_cf));
	char **values = NULL, **services = NULL, **overrides = NULL;

	memset(a, 0, sizeof(*a));
	for (size_t k = 0; k < NAUDITED; k++)
		main_args[k + 1] = audited[k];
	if ((values = postconf(dir, main_args, NAUDITED + 1, a->error,
	    sizeof(a->error))) != NULL &&
	    (services = postconf(dir, service_args, 1, a->error,
	    sizeof(a->error))) != NULL &&
	    (overrides = postconf(dir, override_args, 2, a->error,
	    sizeof(a->error))) != NULL) {
		read_values(values, "", main_cf);
		audit_services(a, services, overrides, main_cf);
		a->ran = true;
	}
	conf_free_lines(values);
	conf_free_lines(services);
	conf_free_lines(overrides);
	free(main_cf);
}

void
relay_audit_print_text(FILE *fp, const struct relay_audit *a)
{
	if (!a->ran) {
		fprintf(fp, "relay audit: not run: %s\n", a->error);
		return;
	}
	fprintf(fp, "relay audit (Postfix): %zu problem%s\n", a->n,
	    a->n == 1 ? "" : "s");
	for (size_t i = 0; i < a->n; i++)
		fprintf(fp, "    %s %s: %s\n    fix: %s\n", a->problems[i].rule,
		    a->problems[i].service, a->problems[i].problem,
		    a->problems[i].fix);
}

void
relay_audit_print_json(FILE *fp, const struct relay_audit *a)
{
	fputs("{\"ran\": ", fp);
	fputs(a->ran ? "true" : "false", fp);
	fputs(", \"error\": ", fp);
	json_string_or_null(fp, a->error);
	fputs(", \"problems\": [", fp);
	for (size_t i = 0; i < a->n; i++) {
		fputs(i ? ", {\"rule\": " : "{\"rule\": ", fp);
		json_string(fp, a->problems[i].rule);
		fputs(", \"service\": ", fp);
		json_string(fp, a->problems[i].service);
		fputs(", \"problem\": ", fp);
		json_string(fp, a->problems[i].problem);
		fputs(", \"fix\": ", fp);
		json_string(fp, a->problems[i].fix);
		fputc('}', fp);
	}
	fputs("]}", fp);
}
