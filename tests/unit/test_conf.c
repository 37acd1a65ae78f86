/*
 * test_conf.c - the configuration parser: every key, every error message
 * with its file and line, and the built-in defaults.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "conf/conf.h"
#include "util/log.h"
#include "unit.h"
#include "conf/conf_address.h"
#include "conf/conf_load.h"
#include "conf/conf_map.h"
#include "conf/conf_print.h"
#include "conf/conf_parse.h"

static char tmpdir[] = "/tmp/em-test-conf.XXXXXX";
static char path[256];

/* Writes TEXT to a file named NAME and loads it; ERRORS gets problems. */
static struct conf *
load(const char *name, const char *text, struct conf_errors *errors)
{
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	if (fp == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, fp);
	fclose(fp);
	conf_errors_free(errors);
	return conf_load(path, errors);
}

/* Loads TEXT, expects failure, and checks the error names FILE:LINE. */
static void
expect_error(const char *text, int line, const char *message,
    const char *name)
{
	struct conf_errors errors = { NULL, 0, 0 };
	struct conf *conf = load("bad.conf", text, &errors);
	char where[300], label[200];

	snprintf(label, sizeof(label), "%s: refused", name);
	CHECK(conf == NULL, label);
	conf_free(conf);
	snprintf(where, sizeof(where), "%s:%d: %s", path, line, message);
	snprintf(label, sizeof(label), "%s: message names file:line", name);
	CHECK_CONTAINS(errors.text, where, label);
	conf_errors_free(&errors);
}

static void
test_full_file(void)
{
	struct conf_errors errors = { NULL, 0, 0 };
	struct conf *conf = load("full.conf",
	    "# every key\n"
	    "socket       unix:/run/egress-milter/egress.sock\n"
	    "Nameservers  127.0.0.1:5353 [::1]:5300 192.0.2.53 2001:db8::53\n"
	    "DNSTimeout   3   # seconds\n"
	    "DNSTries 3\nMessageDNSBudget 750\n"
	    "DNSCacheSize 500\nDNSMinTTL 0\nDNSMaxTTL 600\n"
	    "DNSNegativeMaxTTL 120\nDNSServeStale 0\n"
	    "Egress primary 192.0.2.10 helo=mail.example.test route=primary\n"
	    "EGRESS backup  2001:DB8::0:20 helo=mail2.example.test "
	    "route=backup transport=smtp-ip2\n"
	    "Dnsbl zen.example.test codes=127.0.0.2-127.0.0.11,127.0.0.20 "
	    "weight=2\n"
	    "Dnsbl bl.example.test\n"
	    "DnsblThreshold 2\n"
	    "CheckInterval 60\n"
	    "On listed quarantine\n"
	    "on SPF-FAIL Tempfail\n"
	    "Fallback quarantine\n"
	    "RouteHeader X-Route\n"
	    "Syslog no\n"
	    "SyslogFacility local3\n"
	    "LogLevel debug\n"
	    "UserID root:root\n"
	    "PidFile /run/egress-milter/pid\n"
	    "UMask 007\n"
	    "AllowRoot yes\nMilterTimeout 60\nMaxConnections 500\n"
	    "DKIMMaxSignatures 4\n", &errors);

	CHECK(conf != NULL, "full file: loads");
	if (conf == NULL) {
		printf("# %s", errors.text ? errors.text : "");
		return;
	}
	CHECK(strcmp(conf->socket, "unix:/run/egress-milter/egress.sock") == 0,
	    "Socket: unix path kept");
	CHECK(conf->nnameservers == 4, "Nameservers: four servers");
	CHECK(conf->nameservers[0].port == 5353 &&
	    strcmp(conf->nameservers[0].address.text, "127.0.0.1") == 0,
	    "Nameservers: IPv4 with port");
	CHECK(conf->nameservers[1].port == 5300 &&
	    conf->nameservers[1].address.family == AF_INET6,
	    "Nameservers: [IPv6]:port");
	CHECK(conf->nameservers[2].port == 53, "Nameservers: default port 53");
	CHECK(conf->nameservers[3].address.family == AF_INET6 &&
	    conf->nameservers[3].port == 53, "Nameservers: bare IPv6");
	CHECK(conf->dns_timeout == 3, "DNSTimeout: 3 with a comment after it");
	CHECK(conf->dns_tries == 3, "DNSTries");
	CHECK(conf->message_dns_budget == 750, "MessageDNSBudget");
	CHECK(conf->dns_cache_size == 500, "DNSCacheSize");
	CHECK(conf->dns_min_ttl == 0 && conf->dns_max_ttl == 600,
	    "DNSMinTTL and DNSMaxTTL");
	CHECK(conf->dns_negative_max_ttl == 120, "DNSNegativeMaxTTL");
	CHECK(conf->dns_serve_stale == 0, "DNSServeStale 0 turns it off");
	CHECK(conf->negress == 2, "Egress: two egresses");
	CHECK(strcmp(conf->egress[0].helo, "mail.example.test") == 0 &&
	    strcmp(conf->egress[0].route, "primary") == 0 &&
	    conf->egress[0].transport == NULL, "Egress: helo= and route=");
	CHECK(strcmp(conf->egress[1].address.text, "2001:db8::20") == 0,
	    "Egress: IPv6 address in canonical form");
	CHECK(conf->egress[1].transport != NULL &&
	    strcmp(conf->egress[1].transport, "smtp-ip2") == 0,
	    "Egress: transport=");
	CHECK(conf->ndnsbl == 2 && conf->dnsbl[0].ncodes == 2 &&
	    conf->dnsbl[0].codes[0].first == 0x7f000002 &&
	    conf->dnsbl[0].codes[0].last == 0x7f00000b &&
	    conf->dnsbl[0].codes[1].first == 0x7f000014 &&
	    conf->dnsbl[0].weight == 2, "Dnsbl: code range, list and weight");
	CHECK(conf->dnsbl[1].ncodes == 0 && conf->dnsbl[1].weight == 1,
	    "Dnsbl: defaults without codes= and weight=");
	CHECK(conf->dnsbl_threshold == 2, "DnsblThreshold: 2");
	CHECK(conf->check_interval == 60, "CheckInterval: 60");
	CHECK(conf_action(conf, FINDING_LISTED) == ACTION_QUARANTINE,
	    "On: listed quarantine");
	CHECK(conf_action(conf, FINDING_SPF_FAIL) == ACTION_TEMPFAIL,
	    "On: names and actions are case-insensitive");
	CHECK(conf_action(conf, FINDING_NO_PTR) == ACTION_REROUTE,
	    "On: findings not named keep their defaults");
	CHECK(conf->fallback == ACTION_QUARANTINE, "Fallback: quarantine");
	CHECK(strcmp(conf->route_header, "X-Route") == 0, "RouteHeader");
	CHECK(conf->syslog == false, "Syslog: no");
	CHECK(conf->syslog_facility == LOG_LOCAL3, "SyslogFacility: local3");
	CHECK(conf->log_level == LOG_DEBUG, "LogLevel: debug");
	CHECK(strcmp(conf->user, "root:root") == 0, "UserID: user:group");
	CHECK(strcmp(conf->pidfile, "/run/egress-milter/pid") == 0, "PidFile");
	CHECK(conf->umask_set && conf->umask == 007, "UMask: octal");
	CHECK(conf->allow_root, "AllowRoot: yes");
	CHECK(conf->milter_timeout == 60, "MilterTimeout");
	CHECK(conf->max_connections == 500, "MaxConnections");
	CHECK(conf->dkim_max_signatures == 4, "DKIMMaxSignatures");
	conf_free(conf);
	conf_errors_free(&errors);
}

static void
test_errors(void)
{
	expect_error("Socket inet:8895@127.0.0.1\nDNSTimeout 2\nEgres x\n", 3,
	    "unknown key \"Egres\" (did you mean \"Egress\"?)",
	    "unknown key on line 3");
	expect_error("DKIMMaxSignatures 33\n", 1, "DKIMMaxSignatures",
	    "DKIMMaxSignatures above 32");
	expect_error("MilterTimeout 0\n", 1, "MilterTimeout",
	    "MilterTimeout 0");
	expect_error("Frobnicate yes\n", 1, "unknown key \"Frobnicate\"",
	    "unknown key without a close match");
	expect_error("\n\nEgress primary 192.0.2.300\n", 3,
	    "Egress primary: \"192.0.2.300\" is not an IPv4 or IPv6 address",
	    "bad egress IP");
	expect_error("Egress a 192.0.2.10\n# c\nEgress A 192.0.2.11\n", 3,
	    "Egress: duplicate egress name \"A\" (first on line 1)",
	    "duplicate egress name");
	expect_error("Egress a 192.0.2.10 mtu=1500\n", 1,
	    "Egress: unknown option \"mtu=1500\"", "unknown egress option");
	expect_error("Egress a 192.0.2.10 helo=bad..name\n", 1,
	    "Egress helo=: empty label in host name", "bad HELO name");
	expect_error("On listd reroute\n", 1, "On: unknown finding \"listd\"",
	    "unknown finding");
	expect_error("On listed bounce\n", 1,
	    "On: unknown action \"bounce\"", "unknown action");
	expect_error("On listed rerout\n", 1, "On: unknown action \"rerout\" "
	    "(expected accept, tag, reroute, quarantine, tempfail or reject; "
	    "did you mean \"reroute\"?",
	    "action typo suggests the right one");
	expect_error("On listed tag\nOn listed reroute\n", 2,
	    "On listed given twice (first on line 1)", "finding given twice");
	expect_error("Dnsbl zen.example.test codes=127.0.0.11-127.0.0.2\n", 1,
	    "Dnsbl codes=: range \"127.0.0.11-127.0.0.2\" ends before it starts",
	    "reversed codes= range");
	expect_error("Dnsbl zen.example.test codes=127.0.0.x\n", 1,
	    "Dnsbl codes=: bad code \"127.0.0.x\"", "malformed codes= address");
	expect_error("Dnsbl zen.example.test codes=127.0.0.2,\n", 1,
	    "Dnsbl codes=: trailing ',' in codes=", "codes= with a trailing comma");
	expect_error("Dnsbl zen.example.test weight=0\n", 1,
	    "Dnsbl weight=: expected a whole number from 1 to 1000",
	    "weight out of range");
	expect_error("Dnsbl a.test\nDnsbl A.TEST\n", 2,
	    "Dnsbl: zone \"A.TEST\" given twice", "zone given twice");
	expect_error("Dnsbl a.test\nDnsbl none\n", 2,
	    "Dnsbl none: turns every zone off, so it stands alone",
	    "Dnsbl none after a zone");
	expect_error("Dnsbl none\nDnsbl a.test\n", 2,
	    "Dnsbl: zones given after \"Dnsbl none\"", "a zone after none");
	expect_error("CheckInterval 5\n", 1,
	    "CheckInterval: expected a whole number from 10 to 86400",
	    "CheckInterval too short");
	expect_error("DnsblThreshold many\n", 1,
	    "DnsblThreshold: expected a whole number", "threshold not a number");
	expect_error("Socket 8895\n", 1, "Socket: expected unix:/path",
	    "socket without a type");
	expect_error("Socket inet:99999@127.0.0.1\n", 1,
	    "Socket: port must be a number from 1 to 65535", "socket port");
	expect_error("Socket unix:relative.sock\n", 1,
	    "Socket: a unix socket needs an absolute path",
	    "relative unix socket");
	expect_error("Nameservers 127.0.0.1:0\n", 1,
	    "Nameservers: port must be a number", "nameserver port 0");
	expect_error("Nameservers ns.example.test\n", 1,
	    "Nameservers: \"ns.example.test\" is not an IP address",
	    "nameserver given by name");
	expect_error("DNSTimeout 0\n", 1,
	    "DNSTimeout: expected a whole number from 1 to 60",
	    "DNSTimeout zero");
	expect_error("DNSTries 11\n", 1,
	    "DNSTries: expected a whole number from 1 to 10", "DNSTries range");
	expect_error("MessageDNSBudget 60001\n", 1,
	    "MessageDNSBudget: expected a whole number from 1 to 60000",
	    "MessageDNSBudget range");
	expect_error("DNSCacheSize 0\n", 1, "DNSCacheSize: expected a whole "
	    "number from 1", "DNSCacheSize zero");
	expect_error("DNSMaxTTL forever\n", 1, "DNSMaxTTL: expected a whole "
	    "number", "DNSMaxTTL not a number");
	expect_error("DNSServeStale -1\n", 1, "DNSServeStale: expected a "
	    "whole number from 0", "DNSServeStale negative");
	expect_error("Fallback reroute\n", 1,
	    "Fallback: reroute cannot be its own fallback",
	    "Fallback reroute refused");
	expect_error("RouteHeader X-Route:\n", 1,
	    "RouteHeader: a header name has only printable characters",
	    "RouteHeader with a colon");
	expect_error("Syslog maybe\n", 1, "Syslog: expected yes or no",
	    "Syslog not a boolean");
	expect_error("SyslogFacility kern\n", 1, "SyslogFacility: expected",
	    "unknown syslog facility");
	expect_error("LogLevel verbose\n", 1, "LogLevel: expected err",
	    "unknown log level");
	expect_error("UserID no-such-user-em\n", 1,
	    "UserID: no such user \"no-such-user-em\"", "unknown user");
	expect_error("PidFile run/em.pid\n", 1,
	    "PidFile: needs an absolute path", "relative pid file");
	expect_error("UMask 089\n", 1, "UMask: expected an octal mask",
	    "UMask not octal");
	expect_error("Socket inet:1@127.0.0.1\nSocket inet:2@127.0.0.1\n", 2,
	    "Socket given twice (first on line 1)", "single key twice");
	expect_error("DNSTimeout\n", 1, "DNSTimeout: missing value",
	    "key without a value");
	expect_error("DNSTimeout 2 3\n", 1, "DNSTimeout: too many values",
	    "key with too many values");
}

static void
test_many_errors_and_long_lines(void)
{
	struct conf_errors errors = { NULL, 0, 0 };
	char *text = calloc(1, 10000);
	struct conf *conf;
	size_t len;

	strcpy(text, "Egres x\nDNSTimeout 2\nOn nothing accept\nRouteHeader ");
	len = strlen(text);
	memset(text + len, 'A', 5000);
	strcpy(text + len + 5000, "\nLogLevel loud\n");
	conf = load("many.conf", text, &errors);
	CHECK(conf == NULL && errors.count == 4,
	    "every problem of a file is reported");
	CHECK_CONTAINS(errors.text, "many.conf:1: unknown key",
	    "first of several errors");
	CHECK_CONTAINS(errors.text, "many.conf:3: On: unknown finding",
	    "second of several errors");
	CHECK_CONTAINS(errors.text, "many.conf:4: line longer than 4096",
	    "an overlong line is refused, not cut");
	CHECK_CONTAINS(errors.text, "many.conf:5: LogLevel",
	    "line numbers stay right after an overlong line");
	conf_errors_free(&errors);
	free(text);
	conf = load("missing.conf", "", &errors);
	conf_free(conf);
	unlink(path);
	conf = conf_load(path, &errors);
	CHECK(conf == NULL, "a missing file is an error");
	CHECK_CONTAINS(errors.text, "missing.conf:0: cannot open",
	    "a missing file is named");
	conf_errors_free(&errors);
}

static void
test_policy_keys(void)
{
	struct conf_errors errors = { NULL, 0, 0 };
	struct conf *conf;
	char text[600], map[300];
	FILE *fp;

	snprintf(map, sizeof(map), "%s/egress.map", tmpdir);
	fp = fopen(map, "w");
	fputs("# domain egress\nexample.test b\n.example.net a\n"
	    "Mixed.Example.ORG b # comment\n", fp);
	fclose(fp);
	snprintf(text, sizeof(text), "Egress a 192.0.2.10\nEgress b "
	    "192.0.2.20\nEgressMap %s\nDomainBl dbl.example.test "
	    "codes=127.0.1.2-127.0.1.99\nReportHeader yes\n", map);
	conf = load("policy.conf", text, &errors);
	CHECK(conf != NULL, "EgressMap, DomainBl, ReportHeader: loaded");
	if (conf == NULL) {
		printf("# %s", errors.text ? errors.text : "");
		return;
	}
	CHECK(conf->negress_map == 3, "EgressMap: three entries");
	CHECK(conf_egress_for_domain(conf, "example.test") == 1,
	    "EgressMap: an exact domain");
	CHECK(conf_egress_for_domain(conf, "sub.example.test") == 0,
	    "EgressMap: a plain domain does not cover its subdomains");
	CHECK(conf_egress_for_domain(conf, "a.b.Example.NET") == 0 &&
	    conf_egress_for_domain(conf, "example.net") == 0,
	    "EgressMap: .example.net covers names below it");
	CHECK(conf_egress_for_domain(conf, "mixed.example.org") == 1,
	    "EgressMap: domains are compared without case");
	CHECK(conf_egress_for_domain(conf, "other.test") == 0,
	    "EgressMap: other domains use the first egress");
	CHECK(conf->ndomainbl == 1 && conf->domainbl[0].ncodes == 1,
	    "DomainBl: zone and codes");
	CHECK(conf->report_header, "ReportHeader yes");
	conf_free(conf);
	fp = fopen(map, "w");
	fputs("example.test a\nexample.net nosuch\nbad..domain a\n", fp);
	fclose(fp);
	conf = load("policy.conf", text, &errors);
	CHECK(conf == NULL, "EgressMap: a bad map refuses the configuration");
	snprintf(text, sizeof(text), "%s:2: no egress named \"nosuch\"", map);
	CHECK_CONTAINS(errors.text, text, "EgressMap: unknown egress, map "
	    "file and line");
	snprintf(text, sizeof(text), "%s:3: \"bad..domain\" is not a domain",
	    map);
	CHECK_CONTAINS(errors.text, text, "EgressMap: bad domain, map file "
	    "and line");
	conf_errors_free(&errors);
	unlink(map);
	expect_error("EgressMap /nonexistent/egress.map\n", 1,
	    "EgressMap: cannot open /nonexistent/egress.map",
	    "EgressMap: a missing file names the EgressMap line");
	expect_error("DomainBl dbl.test codes=1\n", 1,
	    "DomainBl codes=: bad code \"1\"", "DomainBl: bad codes");
	expect_error("ReportHeader perhaps\n", 1,
	    "ReportHeader: expected yes or no", "ReportHeader not a boolean");
	snprintf(path, sizeof(path), "%s/policy.conf", tmpdir);
	unlink(path);
}

static void
test_defaults(void)
{
	struct conf *conf = conf_builtin();
	struct ip_address primary;
	struct conf_errors errors = { NULL, 0, 0 };

	CHECK(conf->path == NULL, "defaults: no file");
	CHECK(strcmp(conf->socket, "inet:8895@127.0.0.1") == 0,
	    "defaults: socket inet:8895@127.0.0.1");
	CHECK(conf->nnameservers == 0, "defaults: the system's nameservers");
	CHECK(conf->dns_timeout == 2 && conf->dns_tries == 2,
	    "defaults: DNSTimeout 2, DNSTries 2");
	CHECK(conf->message_dns_budget == 2000,
	    "defaults: MessageDNSBudget 2000 ms");
	CHECK(conf->dns_cache_size == 10000 && conf->dns_min_ttl == 10 &&
	    conf->dns_max_ttl == 86400 && conf->dns_negative_max_ttl == 3600 &&
	    conf->dns_serve_stale == 3600, "defaults: DNS cache limits");
	CHECK(strcmp(conf->route_header, "X-Egress-Route") == 0,
	    "defaults: RouteHeader X-Egress-Route");
	CHECK(conf->fallback == ACTION_TEMPFAIL, "defaults: Fallback tempfail");
	CHECK(conf->milter_timeout == 120 && conf->max_connections == 0 &&
	    conf->dkim_max_signatures == 10 && !conf->allow_root,
	    "defaults: MilterTimeout 120, MaxConnections from the file limit, "
	    "DKIMMaxSignatures 10, AllowRoot no");
	CHECK(conf_action(conf, FINDING_LISTED) == ACTION_REROUTE &&
	    conf_action(conf, FINDING_DNS_ERROR) == ACTION_ACCEPT &&
	    conf_action(conf, FINDING_SPF_TEMPERROR) == ACTION_ACCEPT,
	    "defaults: listed reroutes, DNS errors accept");
	for (int i = 0; i < FINDING_COUNT; i++)
		if (conf_action(conf, (enum finding)i) == ACTION_REJECT)
			CHECK(0, "defaults: no finding rejects");
	CHECK(conf->syslog && conf->syslog_facility == LOG_MAIL,
	    "defaults: syslog to LOG_MAIL");
	if (conf_primary_address(AF_INET, &primary) == 0 ||
	    conf_primary_address(AF_INET6, &primary) == 0) {
		CHECK(conf->negress == 1 &&
		    strcmp(conf->egress[0].name, "primary") == 0 &&
		    strcmp(conf->egress[0].address.text, primary.text) == 0,
		    "defaults: one egress on the primary address");
	} else {
		CHECK(conf->negress == 0,
		    "defaults: no egress on a host without a route");
	}
	CHECK(conf->ndnsbl == 6 && strcmp(conf->dnsbl[0].zone,
	    "zen.spamhaus.org") == 0 && conf->dnsbl[0].codes[0].last ==
	    0x7f00000b && strcmp(conf->dnsbl[5].zone, "all.s5h.net") == 0 &&
	    conf->dnsbl[5].ncodes == 0 && conf->dnsbl[4].ncodes == 2,
	    "defaults: the six shipped DNSBL zones");
	CHECK(conf->check_interval == 300, "defaults: CheckInterval 300");
	conf_free(conf);
	conf = load("nodnsbl.conf", "Dnsbl none\n", &errors);
	CHECK(conf != NULL && conf->ndnsbl == 0 && conf->dnsbl_none,
	    "Dnsbl none: no zones at all");
	conf_free(conf);
	conf = load("noegress.conf", "Socket inet:9999@127.0.0.1\n", &errors);
	CHECK(conf != NULL && (conf->negress == 0 ||
	    (conf->egress[0].line == 0 && strcmp(conf->egress[0].name,
	    "primary") == 0)), "a file without Egress sends from the primary "
	    "address");
	conf_free(conf);
	conf_errors_free(&errors);
}

static void
test_current(void)
{
	struct conf *a = conf_builtin(), *b = conf_builtin(), *held;

	conf_set_current(a);
	held = conf_current();
	CHECK(held == a, "current: a reference to the installed config");
	conf_set_current(b);
	CHECK(held->refcount == 1 && strcmp(held->socket,
	    "inet:8895@127.0.0.1") == 0,
	    "current: a swapped-out config lives while referenced");
	conf_release(held);
	held = conf_current();
	CHECK(held == b, "current: new references get the new config");
	conf_release(held);
	conf_set_current(NULL);
}

/* Removes every file the tests wrote, then the directory. */
static void
remove_tmpdir(void)
{
	DIR *dir = opendir(tmpdir);
	struct dirent *d;

	while (dir != NULL && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (strlen(tmpdir) + 1 + strlen(d->d_name) < sizeof(path)) {
			memcpy(path, tmpdir, strlen(tmpdir));
			path[strlen(tmpdir)] = '/';
			strcpy(path + strlen(tmpdir) + 1, d->d_name);
			unlink(path);
		}
	}
	if (dir != NULL)
		closedir(dir);
	rmdir(tmpdir);
}

/* A zone's label for /metrics: name=, or the zone without its key. */
static void
test_zone_names(void)
{
	struct conf_errors errors = { NULL, 0, 0 };
	struct conf *conf = load("names.conf",
	    "Egress a 192.0.2.10\n"
	    "Dnsbl abcdefghijklmnopqrstuvwxyz.zen.dq.spamhaus.net\n"
	    "Dnsbl a1b2c3d4e5.r.mail-abuse.com\n"
	    "Dnsbl k3yk3yk3yk3yk3yk3y.bl.example.test\n"
	    "Dnsbl s3cr3t.example.test name=mine\n"
	    "Dnsbl b.barracudacentral.org\n", &errors);

	CHECK(conf != NULL && conf->ndnsbl == 5, "name=: the file loads");
	if (conf != NULL && conf->ndnsbl == 5) {
		CHECK(strcmp(conf->dnsbl[0].name, "zen.dq.spamhaus.net") == 0,
		    "name: Spamhaus DQS without its key");
		CHECK(strcmp(conf->dnsbl[1].name, "r.mail-abuse.com") == 0,
		    "name: MAPS without its key");
		CHECK(strcmp(conf->dnsbl[2].name, "bl.example.test") == 0,
		    "name: a key-like label removed");
		CHECK(strcmp(conf->dnsbl[3].name, "mine") == 0, "name: name= given");
		CHECK(strcmp(conf->dnsbl[4].name, "b.barracudacentral.org") == 0,
		    "name: a long word is not a key");
	}
	conf_free(conf);
	conf_errors_free(&errors);
	expect_error("Egress a 192.0.2.10\nDnsbl bl.example.test\n"
	    "Dnsbl k3yk3yk3yk3yk3yk3y.bl.example.test\n", 3,
	    "Dnsbl: the name \"bl.example.test\" (the zone with its key "
	    "removed) is the name of the zone on line 2", "name: a clash");
	expect_error("Egress a 192.0.2.10\nDnsbl bl.example.test "
	    "name=a\"b\n", 2, "Dnsbl name=: a name has only",
	    "name: a quote refused");
}

/* Redis, RelayName, DnsblBudget: values, errors, and -t never shows a
 * password (not even in an error). */
static void
test_fleet_keys(void)
{
	struct conf_errors errors = { NULL, 0, 0 };
	struct conf *conf;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	conf = load("fleet.conf", "Redis [::1]:6379 user=relay "
	    "password=pw-7f3a\nRelayName relay-1\nDnsblBudget Zen.Test 250000\n"
	    "DnsblBudget zen.test 1000\nDnsblBudget bl.test 5\n", &errors);
	CHECK(conf != NULL, "fleet keys: accepted");
	if (conf == NULL)
		return;
	CHECK(strcmp(conf->redis, "[::1]:6379") == 0, "Redis: the address");
	CHECK(strcmp(conf->redis_user, "relay") == 0, "Redis: user=");
	CHECK(strcmp(conf->redis_password, "pw-7f3a") == 0, "Redis: password=");
	CHECK(strcmp(conf->relay_name, "relay-1") == 0, "RelayName");
	CHECK(conf->nbudgets == 2 && strcmp(conf->budgets[0].zone, "zen.test")
	    == 0 && conf->budgets[0].per_day == 1000,
	    "DnsblBudget: lower case, the last line of a zone counts");
	fp = open_memstream(&out, &len);
	conf_print(conf, path, fp);
	fclose(fp);
	CHECK_CONTAINS(out, "\nRedis [::1]:6379 user=relay password=(not shown)\n",
	    "-t: the Redis line, its password not shown");
	CHECK(strstr(out, "pw-7f3a") == NULL, "-t: the password nowhere");
	free(out);
	conf_free(conf);
	conf = load("nofleet.conf", "Redis none\n",
	    &errors);
	CHECK(conf != NULL && conf->redis == NULL, "Redis none: no fleet");
	conf_free(conf);
	conf = load("unix.conf", "Redis unix:/run/redis/redis.sock "
	    "password=x\n", &errors);
	CHECK(conf != NULL && strcmp(conf->redis, "unix:/run/redis/redis.sock")
	    == 0 && conf->redis_user == NULL, "Redis unix: and a password alone");
	conf_free(conf);
	expect_error("Redis redis.example.test:6379\n", 1, "Redis: expected "
	    "ADDRESS:PORT with a literal address", "Redis: no host names");
	expect_error("Redis ::1:6379\n", 1, "Redis: expected",
	    "Redis: IPv6 without brackets");
	expect_error("Redis 127.0.0.1:0\n", 1, "Redis: expected",
	    "Redis: port 0");
	expect_error("Redis unix:relative\n", 1, "Redis: expected",
	    "Redis: a relative socket");
	expect_error("Redis 127.0.0.1:6379 user=relay\n", 1,
	    "Redis: user= needs password=", "Redis: user= alone");
	expect_error("Redis 127.0.0.1:6379 passwd=s3cr3t-9\n", 1,
	    "Redis: option 1: expected user=NAME or password=SECRET",
	    "Redis: unknown option");
	conf = load("bad.conf", "Redis 127.0.0.1:6379 password=a "
	    "password=s3cr3t-9\n", &errors);
	CHECK(conf == NULL && strstr(errors.text, "s3cr3t-9") == NULL &&
	    strstr(errors.text, "option 2") != NULL,
	    "Redis: a repeated password is refused without being shown");
	conf_free(conf);
	conf_errors_free(&errors);
	expect_error("RelayName relay/1\n", 1, "RelayName: expected",
	    "RelayName: no slash");
	expect_error("DnsblBudget zen.test 0\n", 1, "DnsblBudget: expected a "
	    "whole number from 1", "DnsblBudget: 0 queries");
	expect_error("DnsblBudget zen..test 10\n", 1, "DnsblBudget:",
	    "DnsblBudget: a bad zone");
}

int
main(void)
{
	log_open(false, LOG_MAIL, false, LOG_ERR);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_full_file();
	test_errors();
	test_many_errors_and_long_lines();
	test_policy_keys();
	test_defaults();
	test_current();
	test_zone_names();
	test_fleet_keys();
	remove_tmpdir();
	return unit_exit();
}
