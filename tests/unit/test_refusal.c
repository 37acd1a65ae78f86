/*
 * test_refusal.c - what the status map learns from the texts real
 * receivers and Postfix itself write: only the remote's reply counts,
 * each by its cause, toward the receiver that answered.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "health/auth_finding.h"
#include "health/receiver.h"
#include "health/refusal.h"
#include "health/reply.h"
#include "util/log.h"
#include "unit.h"
#include "conf/conf_load.h"
#include "conf/conf_parse.h"
#include "global/cause.h"
#include "mta/socketmap.h"

static char tmpdir[] = "/tmp/em-test-refusal.XXXXXX";

static struct conf *
load(const char *text)
{
	return unit_load_conf(tmpdir, text);
}

/* QUERY through egress EGRESS: never a back-off, never a rewrite. */
static void
untouched(const struct conf *conf, const char *egress, const char *query,
    enum refusal_cause want, const char *name)
{
	char out[SOCKETMAP_MAX_REPLY] = "", label[400];
	struct refusal_info list[8];

	snprintf(label, sizeof(label), "%s: cause %s", name, cause_name(want));
	CHECK(refusal_classify(conf, query, NULL) == want, label);
	snprintf(label, sizeof(label), "%s: the status stays as it is", name);
	CHECK(refusal_status(conf, egress, query, out, sizeof(out)) ==
	    LOOKUP_NOTFOUND, label);
	snprintf(label, sizeof(label), "%s: no back-off of egress %s", name,
	    egress);
	CHECK(refusal_list(list, 8) == 0 && !refusal_active(egress, NULL),
	    label);
}

/* QUERY through EGRESS backs it off toward RECEIVER for SECONDS. */
static void
backs_off(const struct conf *conf, const char *egress, const char *query,
    enum refusal_cause want, const char *receiver, long seconds,
    const char *name)
{
	char out[SOCKETMAP_MAX_REPLY] = "", label[400];
	struct refusal_info r;

	snprintf(label, sizeof(label), "%s: cause %s", name, cause_name(want));
	CHECK(refusal_classify(conf, query, NULL) == want, label);
	snprintf(label, sizeof(label), "%s: deferred as 4.X.X with a note",
	    name);
	CHECK(refusal_status(conf, egress, query, out, sizeof(out)) ==
	    LOOKUP_OK && out[0] == '4' && strstr(out, "egress-milter") != NULL,
	    label);
	snprintf(label, sizeof(label), "%s: backed off toward %s for %ld s",
	    name, receiver, seconds);
	memset(&r, 0, sizeof(r));
	CHECK(refusal_toward(egress, receiver, &r) && r.cause == want &&
	    r.backoff == seconds && strcmp(r.receiver, receiver) == 0, label);
	snprintf(label, sizeof(label), "%s: not toward another receiver", name);
	CHECK(!refusal_toward(egress, "elsewhere.test", NULL), label);
	refusal_forget_all();
}

static void
test_parse(void)
{
	struct reply r;

	CHECK(reply_parse("5.7.1 host gmail-smtp-in.l.google.com[192.0.2.5] "
	    "said: 550-5.7.1 [203.0.113.210] Our system has detected 550-5.7.1 "
	    "that this message is 550 5.7.1 likely unsolicited. - gsmtp (in "
	    "reply to end of DATA command)", &r) == 0 && r.remote &&
	    strcmp(r.text, "550 5.7.1 [203.0.113.210] Our system has detected "
	    "that this message is likely unsolicited. - gsmtp") == 0,
	    "parse: multi-line prefixes and (in reply to) removed");
	CHECK(strcmp(r.host, "gmail-smtp-in.l.google.com") == 0 &&
	    strcmp(r.addr, "192.0.2.5") == 0, "parse: host and address");
	CHECK(strstr(r.match, "203.0.113.210") == NULL,
	    "parse: an IP address in the reply is masked");
	CHECK(reply_parse("5.0.0 host mx0a-001.pphosted.com[192.0.2.9] refused "
	    "to talk to me: 554 Blocked - see https://ipcheck.proofpoint.com/"
	    "?ip=203.0.113.210", &r) == 0 && r.remote && r.greeting &&
	    strncmp(r.text, "554 Blocked", 11) == 0,
	    "parse: the greeting form is the remote's reply");
	CHECK(reply_parse("5.1.1 host mx.dest.test[192.0.2.1] said: 550 5.1.1 "
	    "<spamhaus@dest.test>: user unknown", &r) == 0 &&
	    strstr(r.match, "spamhaus") == NULL,
	    "parse: a mail address in the reply is masked");
	CHECK(reply_parse("4.2.0 host mx1.trendmicro-mail.test[192.0.2.7] said: "
	    "450 4.2.0 mx1.trendmicro-mail.test greylisting", &r) == 0 &&
	    strstr(r.match, "trendmicro") == NULL,
	    "parse: the remote's own host name in the reply is masked");
	CHECK(reply_parse("4.4.1 connect to mx.spamhaus.test[192.0.2.9]:25: "
	    "Connection refused", &r) == 0 && !r.remote,
	    "parse: a connect failure is Postfix's own text");
	CHECK(reply_parse("4.7.1 delivery temporarily suspended: host "
	    "mx.dest.test[192.0.2.1] refused to talk to me: 554 blocked using "
	    "zen.spamhaus.org", &r) == 0 && !r.remote,
	    "parse: \"delivery temporarily suspended\" repeats, it is no reply");
	CHECK(reply_parse("5.7.1234 host x.test[192.0.2.1] said: 554 blocked "
	    "using zen.spamhaus.org", &r) == -1,
	    "parse: a status code with a four-digit part is refused");
}

static void
test_receivers(void)
{
	char out[128];
	static const char *const cases[][2] = {
		{ "gmail-smtp-in.l.google.com", "google" },
		{ "alt1.aspmx.l.google.com.", "google" },
		{ "example-com.mail.protection.outlook.com", "microsoft-365" },
		{ "eur.olc.protection.outlook.com", "microsoft-consumer" },
		{ "mta5.am0.yahoodns.net", "yahoo" },
		{ "mx01.mail.icloud.com", "apple" },
		{ "mx00.gmx.net", "gmx" }, { "mx-ha03.web.de", "gmx" },
		{ "smtp-in.orange.fr", "orange" },
		{ "mx1a1.comcast.net", "comcast" },
		{ "mx0a-0012.pphosted.com", "proofpoint" },
		{ "eu-smtp-inbound-1.mimecast.com", "mimecast" },
		{ "mx2.mail.dest.test", "dest.test" },
	};
	char label[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		receiver_of_host(cases[i][0], "192.0.2.1", out, sizeof(out));
		snprintf(label, sizeof(label), "receiver of MX %s is %s",
		    cases[i][0], cases[i][1]);
		CHECK(strcmp(out, cases[i][1]) == 0, label);
	}
	receiver_of_host("192.0.2.1", "192.0.2.1", out, sizeof(out));
	CHECK(strcmp(out, "[192.0.2.1]") == 0,
	    "receiver of a remote known by its address: [ADDRESS]");
}

static void
test_not_refusals(const struct conf *conf)
{
	untouched(conf, "a", "5.1.1 host mx.dest.test[192.0.2.1] said: 550 "
	    "5.1.1 <cs01@example.test>: Recipient address rejected: User "
	    "unknown in virtual mailbox table (in reply to RCPT TO command)",
	    CAUSE_RECIPIENT, "user unknown echoing the pattern word cs01");
	untouched(conf, "a", "5.1.1 host mx.dest.test[192.0.2.1] said: 550 "
	    "5.1.1 <spamhaus-blocked-using@example.test>: user unknown",
	    CAUSE_RECIPIENT, "user unknown echoing \"spamhaus\"");
	untouched(conf, "a", "4.2.0 host mx1.trendmicro-mail.test[192.0.2.7] "
	    "said: 450 4.2.0 <bob@dest.test>: Recipient address rejected: "
	    "Greylisted, see http://postgrey.schweikert.ch/help/dest.test.html "
	    "(in reply to RCPT TO command)", CAUSE_RECIPIENT,
	    "greylisting by an MX named trendmicro");
	untouched(conf, "a", "4.7.1 host mx1.trendmicro-mail.test[192.0.2.7] "
	    "said: 451 4.7.1 mx1.trendmicro-mail.test: please try again later",
	    CAUSE_RECIPIENT, "try again later naming the trendmicro MX");
	untouched(conf, "a", "5.7.1 host mx.dest.test[192.0.2.1] said: 554 "
	    "5.7.1 Service unavailable; Sender address [alice@spammy.test] "
	    "blocked using dbl.spamhaus.org; https://www.spamhaus.org/query/"
	    "domain/spammy.test (in reply to RCPT TO command)", CAUSE_DOMAIN,
	    "the sender domain on Spamhaus's DBL");
	untouched(conf, "a", "5.7.1 host mx01.mail.icloud.com[192.0.2.9] said: "
	    "554 5.7.1 [HM08] Message rejected: domain present in the Spamhaus "
	    "DBL", CAUSE_DOMAIN, "Apple: a URL domain on the DBL");
	untouched(conf, "a", "5.7.1 host mx.dest.test[192.0.2.1] said: 554 "
	    "5.7.1 Mail for spamhaus-fans.test is not accepted here",
	    CAUSE_NONE, "a domain in the reply named like a list vendor");
	untouched(conf, "a", "5.7.1 host mx.dest.test[192.0.2.1] said: 554 "
	    "5.7.1 Message contains a URL listed on dbl.spamhaus.org",
	    CAUSE_DOMAIN, "a URL listed on the DBL (the list's name stays)");
	untouched(conf, "a", "5.4.4 Host or domain name not found. Name "
	    "service error for name=mx.spamhaus.invalid type=A: Host not found",
	    CAUSE_NONE, "Postfix's own Name service error");
	untouched(conf, "a", "4.4.2 conversation with mx.trendmicro.test"
	    "[192.0.2.9] timed out while receiving the initial server greeting",
	    CAUSE_NONE, "Postfix's own timeout");
	untouched(conf, "a", "4.4.2 lost connection with mx.spamhaus.test"
	    "[192.0.2.9] while receiving the initial server greeting",
	    CAUSE_NONE, "Postfix's own lost connection");
	untouched(conf, "a", "4.7.5 TLS is required, but host mx.spamhaus.test"
	    "[192.0.2.9] refused to start TLS: 454 4.7.0 TLS not available due "
	    "to local problem, blocked using spamhaus", CAUSE_NONE,
	    "Postfix's own TLS failure");
	untouched(conf, "a", "5.7.26 host gmail-smtp-in.l.google.com"
	    "[192.0.2.5] said: 550-5.7.26 This mail has been blocked because the "
	    "sender is 550-5.7.26 unauthenticated. Gmail requires all senders to "
	    "authenticate 550 5.7.26 with either SPF or DKIM. - gsmtp",
	    CAUSE_AUTH, "Gmail 5.7.26 unauthenticated");
	/* SPF naming the egress's own address: deferred, no back-off. */
	{
		char out[SOCKETMAP_MAX_REPLY] = "";
		struct refusal_info list[8];

		CHECK(refusal_status(conf, "a", "5.7.26 host gmail-smtp-in.l."
		    "google.com[192.0.2.5] said: 550-5.7.26 The MAIL FROM "
		    "domain [example.test] has an SPF record with a hard fail "
		    "550-5.7.26 policy (-all) but it fails to pass SPF checks "
		    "with the ip: 550 5.7.26 [203.0.113.210].", out,
		    sizeof(out)) == LOOKUP_OK && out[0] == '4' &&
		    strstr(out, "SPF") != NULL,
		    "SPF failing for the egress's own address: deferred (4.X.X)");
		CHECK(refusal_list(list, 8) == 0,
		    "... and no back-off of the egress for other senders");
		CHECK(refusal_status(conf, "b", "5.7.26 host gmail-smtp-in.l."
		    "google.com[192.0.2.5] said: 550 5.7.26 SPF fails with the "
		    "ip: [203.0.113.210]", out, sizeof(out)) == LOOKUP_NOTFOUND,
		    "SPF failing for another address: the status stays");
	}
	untouched(conf, "a", "5.7.515 host dest-test.mail.protection.outlook."
	    "com[192.0.2.6] said: 550 5.7.515 Access denied, sending domain "
	    "dest.test doesn't meet the required authentication level.",
	    CAUSE_AUTH, "Microsoft 5.7.515");
	untouched(conf, "a", "5.7.1 host mx.dest.test[192.0.2.1] said: 550 "
	    "5.7.1 Message content rejected", CAUSE_NONE, "an unknown text");
	untouched(conf, "a", "2.0.0 host mx.dest.test[192.0.2.1] said: 250 2.0.0 "
	    "Ok: queued as 1234 blocked using", CAUSE_NONE, "a delivery");
}

static void
test_refusals(const struct conf *conf)
{
	char out[SOCKETMAP_MAX_REPLY];
	struct refusal_info r, list[8];

	backs_off(conf, "a", "5.7.1 host mx.dest.test[192.0.2.1] said: 554 "
	    "5.7.1 Service unavailable; Client host [203.0.113.210] blocked "
	    "using zen.spamhaus.org; https://www.spamhaus.org/query/ip/"
	    "203.0.113.210 (in reply to RCPT TO command)", CAUSE_IP,
	    "dest.test", 3600, "Postfix reject_rbl_client");
	backs_off(conf, "a", "5.7.1 host eur.olc.protection.outlook.com"
	    "[192.0.2.6] said: 550 5.7.1 Unfortunately, messages from "
	    "[203.0.113.210] weren't sent. Please contact your Internet service "
	    "provider since part of their network is on our block list (S3150)",
	    CAUSE_IP, "microsoft-consumer", 5400, "Outlook.com S3150");
	backs_off(conf, "a", "4.7.0 host mta5.am0.yahoodns.net[192.0.2.8] said: "
	    "421 4.7.0 [TSS04] Messages from 203.0.113.210 temporarily deferred "
	    "due to unexpected volume or user complaints - 4.16.55.1",
	    CAUSE_IP, "yahoo", 7200, "Yahoo [TSS04]");
	backs_off(conf, "a", "5.0.0 host mx0a-001.pphosted.com[192.0.2.9] "
	    "refused to talk to me: 554 Blocked - see https://ipcheck."
	    "proofpoint.com/?ip=203.0.113.210", CAUSE_IP, "proofpoint", 3600,
	    "Proofpoint at the greeting");
	backs_off(conf, "a", "5.7.25 host gmail-smtp-in.l.google.com"
	    "[192.0.2.5] said: 550-5.7.25 [203.0.113.210] The IP address sending "
	    "this message does not have a 550-5.7.25 PTR record setup",
	    CAUSE_PTR, "google", 3600, "Gmail 5.7.25 no PTR");

	/* Gmail's rate limit: a pause at Google only, the 4xx stays. */
	const char *rate = "4.7.28 host gmail-smtp-in.l.google.com[192.0.2.5] "
	    "said: 421-4.7.28 [203.0.113.211] Our system has detected an "
	    "unusual rate of 421-4.7.28 unsolicited mail originating from your "
	    "IP address. (in reply to end of DATA command)";
	CHECK(refusal_classify(conf, rate, NULL) == CAUSE_RATE,
	    "Gmail 421 4.7.28: cause rate");
	CHECK(refusal_status(conf, "b", rate, out, sizeof(out)) == LOOKUP_NOTFOUND,
	    "Gmail 421 4.7.28: the remote's 4xx stays as it is");
	CHECK(refusal_toward("b", "google", &r) && r.cause == CAUSE_RATE &&
	    r.backoff == 600, "Gmail 421 4.7.28: b paused toward google 600 s");
	CHECK(!refusal_toward("b", "microsoft-365", NULL) &&
	    !refusal_active("b", NULL),
	    "Gmail 421 4.7.28: mail to Microsoft still leaves through b");
	refusal_forget_all();

	/* Three receivers refusing for ip: global. */
	const char *hosts[] = { "mx.one.test", "mx.two.test", "mx.three.test" };
	for (int i = 0; i < 3; i++) {
		char q[300];

		CHECK(!refusal_active("a", NULL), i == 0 ?
		    "before any refusal a is not backed off globally" :
		    "fewer than 3 receivers: not global");
		snprintf(q, sizeof(q), "5.7.1 host %s[192.0.2.%d] said: 554 "
		    "5.7.1 Client host [203.0.113.210] blocked using "
		    "bl.example.test", hosts[i], i + 1);
		refusal_status(conf, "a", q, out, sizeof(out));
	}
	CHECK(refusal_active("a", &r) && r.global,
	    "3 receivers refusing a for ip: the back-off is global");
	CHECK(refusal_list(list, 8) == 3 && list[0].global,
	    "--status lists the 3 back-offs, marked global");
	CHECK(!refusal_active("b", NULL), "... and egress b is untouched");
	refusal_forget_all();

	/* A remote known by its address only (relayhost): global. */
	refusal_status(conf, "a", "5.7.1 host 192.0.2.1[192.0.2.1] said: 554 "
	    "5.7.1 Client host [203.0.113.210] blocked using bl.example.test",
	    out, sizeof(out));
	CHECK(refusal_active("a", &r) && strcmp(r.receiver, "[192.0.2.1]") == 0,
	    "a relayhost known by address refusing: global back-off");

	/* A second refusal in force keeps the first text. */
	refusal_status(conf, "a", "5.7.1 host 192.0.2.1[192.0.2.1] said: 554 "
	    "5.7.1 second text: blocked using other.example.test", out,
	    sizeof(out));
	CHECK(refusal_active("a", &r) && strstr(r.text, "second") == NULL &&
	    r.count == 1, "a refusal while a back-off is in force keeps the "
	    "first text and the back-off");
	refusal_forget_all();
}

static void
test_patterns(void)
{
	struct conf *conf = load("RefusalPattern cause=rate backoff=120 slow "
	    "down now\nRefusalPattern poor reputation [(]code [0-9]+[)]\n"
	    "RefusalBackoff 60\n");
	struct refusal_info r;
	char out[SOCKETMAP_MAX_REPLY];

	refusal_status(conf, "a", "4.7.1 host mx.dest.test[192.0.2.1] said: "
	    "451 4.7.1 slow down now", out, sizeof(out));
	CHECK(refusal_toward("a", "dest.test", &r) && r.cause == CAUSE_RATE &&
	    r.backoff == 120, "RefusalPattern cause=rate backoff=120: a pause "
	    "of 120 s");
	refusal_forget_all();
	refusal_status(conf, "a", "5.7.1 host mx.dest.test[192.0.2.1] said: "
	    "550 5.7.1 POOR reputation (code 17)", out, sizeof(out));
	CHECK(refusal_toward("a", "dest.test", &r) && r.cause == CAUSE_IP &&
	    r.backoff == 60, "a bare RefusalPattern is ip with RefusalBackoff");
	refusal_forget_all();
	refusal_status(conf, "a", "5.7.1 host mx.dest.test[192.0.2.1] said: "
	    "554 5.7.1 Client host [203.0.113.210] blocked using zen", out,
	    sizeof(out));
	CHECK(refusal_toward("a", "dest.test", &r) && r.backoff == 60,
	    "RefusalBackoff given: the shipped ip rules use it");
	refusal_forget_all();
	conf_free(conf);
	conf = load("RefusalPattern none\n");
	CHECK(refusal_classify(conf, "5.7.1 host mx.dest.test[192.0.2.1] said: "
	    "554 5.7.1 blocked using zen.spamhaus.org", NULL) == CAUSE_NONE,
	    "RefusalPattern none drops the shipped table");
	conf_free(conf);
}

/* The sender domain a receiver's auth refusal names, else none. */
static void
test_auth_domains(void)
{
	static const struct {
		const char *text, *want, *name;
	} cases[] = {
		{ "550 5.7.26 Unauthenticated email from Shop.Example is not "
		    "accepted due to domain's DMARC policy", "shop.example",
		    "Gmail DMARC" },
		{ "550 5.7.515 Access denied, sending domain [news.example] "
		    "does not meet the required authentication level.",
		    "news.example", "Microsoft 5.7.515, bracketed" },
		{ "550 5.7.515 Access denied, sending domain news.example "
		    "doesn't meet the required authentication level.",
		    "news.example", "Microsoft 5.7.515, bare" },
		{ "550 5.7.26 The MAIL FROM domain [mail.example] has an SPF "
		    "record with a hard fail policy (-all) but it fails to pass "
		    "SPF checks with the ip: [203.0.113.210].", "mail.example",
		    "Gmail SPF -all" },
		{ "554 5.7.1 Your message was rejected due to example.org's "
		    "DMARC policy", "example.org", "Apple DMARC" },
		{ "550 5.7.9 This mail has been blocked because the sender is "
		    "unauthenticated. Yahoo requires all senders to authenticate "
		    "with either SPF or DKIM.", "", "Yahoo: no domain named" },
		{ "421 4.7.40 sending domain doesn't have a DMARC record", "",
		    "Gmail 4.7.40: no domain named" },
		{ "550 5.7.26 SPF [203.0.113.210] did not pass", "",
		    "an address is never a domain" },
	};
	char got[AUTH_FINDING_DOMAIN_MAX], label[600];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		auth_finding_domain(cases[i].text, got, sizeof(got));
		snprintf(label, sizeof(label), "auth domain of %s: \"%s\" "
		    "(got \"%s\")", cases[i].name, cases[i].want, got);
		CHECK(strcmp(got, cases[i].want) == 0, label);
	}
}

int
main(void)
{
	struct conf *conf;

	log_open(false, 0, false, 0);
	if (mkdtemp(tmpdir) == NULL)
		return 2;
	test_parse();
	test_receivers();
	conf = load("");
	test_not_refusals(conf);
	test_refusals(conf);
	conf_free(conf);
	test_patterns();
	test_auth_domains();
	refusal_forget_all();
	char path[300];
	snprintf(path, sizeof(path), "%s/test.conf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return unit_exit();
}
