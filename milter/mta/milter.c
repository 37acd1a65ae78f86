/*
 * milter.c - libmilter callbacks: a context per connection, a message
 * context per MAIL transaction, and the end-of-message decision.
 *
 * Each connection takes a reference to the configuration current when it
 * connects (a reload changes new connections only). The message context
 * is reset on a new MAIL, on abort, at end-of-message and at close, so
 * nothing leaks on any path. At end-of-message every copy of the route
 * header that arrived with the message is deleted: a client must never
 * choose its own route. Then policy.c decides and this file applies
 * the decision: 451 4.7.1 (tempfail), 550 5.7.1 (reject), the hold
 * queue (quarantine), the route header (reroute), an optional
 * X-Egress-Report header, and one log line.
 * Must not: decide policy itself; do DNS outside the check modules.
 */
#include "config.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "auth/dkim.h"
#include "auth/from.h"
#include "auth/prefetch.h"
#include "conf/conf.h"
#include "conf/conf_map.h"
#include "dns/dnsdeadline.h"
#include "global/finding.h"
#include "global/stats.h"
#include "health/advice.h"
#include "health/monitor.h"
#include "health/warmup.h"
#include "mta/connlimit.h"
#include "mta/milter.h"
#include "policy/policy.h"
#include "util/escape.h"
#include "util/log.h"
#include "util/scratch.h"
#include "util/util.h"

#define SENDER_MAX 1024		/* VERP and SRS senders are long */
#define HELO_MAX 256
#define ADDR_MAX 64

struct message {
	bool active;
	char sender[SENDER_MAX];	/* without <>, "" for the null sender */
	unsigned rcpts;
	unsigned egress_rcpts;		/* those leaving through an egress */
	unsigned route_headers;		/* copies of RouteHeader received */
	bool *egress_used;		/* by the recipients: NULL, or
					 * conn->conf->negress entries */
	int from_fields;
	struct header_facts headers;	/* for the pre-flight findings */
	struct from_result from;	/* of the first From field, with
					 * the domains of all */
	struct dkimv *dkim;		/* NULL until MAIL FROM */
	long long dns_deadline_ms;	/* MessageDNSBudget; 0: not begun */
};

struct connection {
	struct conf *conf;		/* NULL until connect */
	bool leadspc;			/* SMFIP_HDR_LEADSPC negotiated */
	bool can_reroute;		/* the MTA is Postfix (macro v) */
	bool sendmail;			/* the MTA is Sendmail (macro v) */
	char client[ADDR_MAX];
	char helo[HELO_MAX];
	struct message msg;
};

static atomic_int inflight;

int
milter_inflight(void)
{
	return atomic_load(&inflight);
}

/* Every callback counts itself in and out, so shutdown can wait. */
#define ENTER() atomic_fetch_add(&inflight, 1)
#define LEAVE(status) do { atomic_fetch_sub(&inflight, 1); \
	return (status); } while (0)

static void
message_reset(struct message *msg)
{
	dkimv_free(msg->dkim);
	free(msg->egress_used);
	memset(msg, 0, sizeof(*msg));
}

/*
 * This thread's lookups for the message end at its deadline, which the
 * first callback that looks something up starts: MessageDNSBudget less
 * DECISION_RESERVE_MS (a tenth of a budget under 200 ms), the time the
 * decision, the log line and the reply take after the last lookup, so
 * that the MTA has its answer within the budget even when fifty
 * messages reach their deadlines at once on a busy machine.
 * Each callback that calls dns_begin() calls dns_end() before it returns.
 */
#define DECISION_RESERVE_MS 20

static void
dns_begin(struct connection *conn)
{
	if (conn->msg.dns_deadline_ms == 0) {
		long long budget = conn->conf->message_dns_budget;
		long long reserve = budget / 10 < DECISION_RESERVE_MS ?
		    budget / 10 : DECISION_RESERVE_MS;

		conn->msg.dns_deadline_ms = dns_deadline_now_ms() + budget -
		    reserve;
	}
	dns_deadline_set(conn->msg.dns_deadline_ms);
}

static void
dns_end(void)
{
	dns_deadline_clear();
}

static void
connection_free(struct connection *conn)
{
	if (conn == NULL)
		return;
	message_reset(&conn->msg);
	if (conn->conf != NULL) {
		conf_release(conn->conf);
		connlimit_leave();	/* connect counted it in */
	}
	free(conn);
}

static sfsistat
mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	unsigned long wanted = SMFIF_ADDHDRS | SMFIF_CHGHDRS |
	    SMFIF_QUARANTINE;

	struct connection *conn;

	(void)f2; (void)f3;
	ENTER();
	if ((f0 & SMFIF_CHGHDRS) == 0)
		log_warn("the MTA does not let milters change headers: "
		    "a client-supplied route header cannot be removed, so "
		    "such messages will be tempfailed");
	*pf0 = f0 & wanted;
	if (f0 & SMFIF_SETSYMLIST) {
		*pf0 |= SMFIF_SETSYMLIST;
		smfi_setsymlist(ctx, SMFIM_ENVFROM,
		    "i {auth_authen} {mail_mailer} v");
		/* v: Sendmail sends it only when asked (see mta_is_sendmail()) */
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, "{rcpt_mailer} {rcpt_host} v");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	/* libmilter has already set SMFIP_NO* for the callbacks we lack. */
	*pf1 |= f1 & (SMFIP_NOUNKNOWN | SMFIP_NODATA);
	/*
	 * Header values with the white space after the colon as sent, so
	 * that DKIM verifies the bytes that leave ("Subject:x" is not
	 * "Subject: x"). Its connection context is made here to remember
	 * it; connect completes it.
	 */
	if (f1 & SMFIP_HDR_LEADSPC) {
		*pf1 |= SMFIP_HDR_LEADSPC;
		conn = smfi_getpriv(ctx);
		if (conn == NULL) {
			conn = xcalloc(1, sizeof(*conn));
			if (smfi_setpriv(ctx, conn) != MI_SUCCESS) {
				free(conn);
				*pf1 &= ~SMFIP_HDR_LEADSPC;
				conn = NULL;
			}
		}
		if (conn != NULL)
			conn->leadspc = true;
	}
	*pf2 = 0;
	*pf3 = 0;
	LEAVE(SMFIS_CONTINUE);
}

static sfsistat
mlfi_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *addr)
{
	struct connection *conn = smfi_getpriv(ctx);	/* negotiate's */
	char *address = smfi_getsymval(ctx, "{client_addr}");
	char *mta = smfi_getsymval(ctx, "v");
	bool leadspc = conn != NULL && conn->leadspc;

	(void)addr;
	ENTER();
	if (conn != NULL && conn->conf != NULL) {	/* a second connect */
		smfi_setpriv(ctx, NULL);
		connection_free(conn);
		conn = NULL;
	}
	if (!connlimit_enter()) {	/* MaxConnections; logged there */
		if (conn != NULL) {
			smfi_setpriv(ctx, NULL);
			free(conn);
		}
		LEAVE(SMFIS_TEMPFAIL);
	}
	if (conn == NULL)
		conn = xcalloc(1, sizeof(*conn));
	conn->leadspc = leadspc;
	conn->conf = conf_current();
	/*
	 * Only Postfix turns the route header into a FILTER; it sends its
	 * name in the v macro (Sendmail does not by default).
	 */
	conn->can_reroute = mta != NULL && strncmp(mta, "Postfix", 7) == 0;
	log_escape(conn->client, sizeof(conn->client),
	    address ? address : (hostname ? hostname : "unknown"));
	if (smfi_setpriv(ctx, conn) != MI_SUCCESS) {
		connection_free(conn);
		log_err("smfi_setpriv failed; accepting the connection "
		    "unchecked");
		LEAVE(SMFIS_ACCEPT);
	}
	LEAVE(SMFIS_CONTINUE);
}

static sfsistat
mlfi_helo(SMFICTX *ctx, char *helo)
{
	struct connection *conn = smfi_getpriv(ctx);

	ENTER();
	if (conn != NULL && helo != NULL)
		log_escape(conn->helo, sizeof(conn->helo), helo);
	LEAVE(SMFIS_CONTINUE);
}

/* Strips one pair of angle brackets; the rest is kept as sent. */
static void
store_sender(struct message *msg, const char *arg)
{
	size_t len = strlen(arg);

	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>') {
		arg++;
		len -= 2;
	}
	if (len >= sizeof(msg->sender))
		len = sizeof(msg->sender) - 1;
	memcpy(msg->sender, arg, len);
	msg->sender[len] = '\0';
}

static bool mta_is_sendmail(const char *v);

/*
 * Postfix's smtpd resolves the MAIL FROM address (the route map is asked
 * with "<>") and each RCPT TO address (asked with the sender) before the
 * milter hears of them; MAILER ({mail_mailer}, {rcpt_mailer}) is the
 * answer it got. Those are checks, not the choice of a delivery, which
 * the queue manager asks for again: the warm-up gives them back (an
 * egress's count of choices would otherwise be twice its deliveries).
 * DOMAIN is the route map key's domain (NULL for "<>").
 */
static void
give_back_probe(const struct conf *conf, const char *mailer,
    const char *domain)
{
	int index;

	if (conf->map_socket == NULL || conf->nwarmup == 0 ||
	    conf->negress == 0 || mailer == NULL || mailer[0] == '\0' ||
	    !policy_mailer_is_egress(conf, mailer))
		return;
	if ((index = conf_egress_for_transport(conf, mailer)) < 0)
		index = (int)conf_egress_for_domain(conf, domain);
	warmup_add(conf, conf->egress[index].name, WARMUP_PROBED, 1,
	    time(NULL));
}

static sfsistat
mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct connection *conn = smfi_getpriv(ctx);

	ENTER();
	if (conn == NULL)
		LEAVE(SMFIS_CONTINUE);
	message_reset(&conn->msg);
	conn->msg.active = true;
	store_sender(&conn->msg, argv[0] ? argv[0] : "");
	if (!mta_is_sendmail(smfi_getsymval(ctx, "v")))
		give_back_probe(conn->conf, smfi_getsymval(ctx, "{mail_mailer}"),
		    NULL);
	/* The sender's SPF and DMARC records, while the MTA sends the rest. */
	if (strrchr(conn->msg.sender, '@') != NULL)
		prefetch_sender(strrchr(conn->msg.sender, '@') + 1);
	conn->msg.dkim = dkimv_begin(smfi_getsymval(ctx, "i"));
	if (conn->msg.dkim != NULL)
		dkimv_limit(conn->msg.dkim,
		    (unsigned)conn->conf->dkim_max_signatures);
	LEAVE(SMFIS_CONTINUE);
}

/*
 * Sendmail's v macro is its version ("8.17.1.9"); Postfix's is
 * "Postfix 3.7.11". Sendmail sends v only when the milter asks for it
 * (mlfi_negotiate() does, with the recipient's macros).
 */
static bool
mta_is_sendmail(const char *v)
{
	return v != NULL && isdigit((unsigned char)v[0]) &&
	    strchr(v, '.') != NULL;
}

/*
 * The egress a recipient leaves from: the one whose transport= is the
 * MTA's {rcpt_mailer} for it, else the sender's (EgressMap, else the
 * first egress); none when the mailer is no egress's (local, relay,
 * lmtp...: see policy_mailer_is_egress()). Under Sendmail its outbound
 * mailers (esmtp, relay for a SMART_HOST...) always leave through one.
 */
static void
note_recipient_egress(SMFICTX *ctx, struct connection *conn)
{
	const struct conf *conf = conn->conf;
	char *mailer = smfi_getsymval(ctx, "{rcpt_mailer}");
	const char *at = strrchr(conn->msg.sender, '@');
	int index = conf_egress_for_transport(conf, mailer);

	if (!conn->sendmail)
		conn->sendmail = mta_is_sendmail(smfi_getsymval(ctx, "v"));
	if (conf->negress == 0 || (!policy_mailer_is_egress(conf, mailer) &&
	    !(conn->sendmail && policy_sendmail_mailer_is_outbound(mailer))))
		return;		/* local, relay, lmtp...: not ours */
	conn->msg.egress_rcpts++;
	if (index < 0)
		index = (int)conf_egress_for_domain(conf, at ? at + 1 : NULL);
	if (conn->msg.egress_used == NULL)
		conn->msg.egress_used = xcalloc(conf->negress,
		    sizeof(*conn->msg.egress_used));
	conn->msg.egress_used[index] = true;
	if (!conn->sendmail)
		give_back_probe(conf, mailer, at ? at + 1 : NULL);
}

static sfsistat
mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct connection *conn = smfi_getpriv(ctx);

	(void)argv;
	ENTER();
	if (conn != NULL && conn->msg.rcpts < (unsigned)-1) {
		conn->msg.rcpts++;
		note_recipient_egress(ctx, conn);
	}
	LEAVE(SMFIS_CONTINUE);
}

static struct scratch_pool from_pool = SCRATCH_POOL(sizeof(struct from_scan));
static struct scratch_pool more_pool =
    SCRATCH_POOL(sizeof(struct from_result));

static sfsistat
mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct connection *conn = smfi_getpriv(ctx);

	ENTER();
	if (conn == NULL || name == NULL || value == NULL)
		LEAVE(SMFIS_CONTINUE);
	if (strcasecmp(name, conn->conf->route_header) == 0 &&
	    conn->msg.route_headers < (unsigned)-1)
		conn->msg.route_headers++;
	if (strcasecmp(name, "From") == 0 && conn->msg.from_fields < 1000) {
		struct from_scan *scan = scratch_get(&from_pool);

		if (conn->msg.from_fields++ == 0) {
			from_parse(value, &conn->msg.from, scan);
		} else {	/* DMARC judges every From field's domains */
			struct from_result *more = scratch_get(&more_pool);

			from_parse(value, more, scan);
			from_merge(&conn->msg.from, more);
			scratch_put(&more_pool, more);
		}
		scratch_put(&from_pool, scan);
	}
	header_facts_note(&conn->msg.headers, name, value);
	if (conn->msg.dkim != NULL)
		dkimv_header(conn->msg.dkim, name, value, conn->leadspc);
	LEAVE(SMFIS_CONTINUE);
}

static sfsistat
mlfi_eoh(SMFICTX *ctx)
{
	struct connection *conn = smfi_getpriv(ctx);

	ENTER();
	if (conn != NULL && conn->msg.dkim != NULL) {
		dns_begin(conn);
		dkimv_eoh(conn->msg.dkim);	/* fetches keys (cached DNS) */
		dns_end();
	}
	LEAVE(SMFIS_CONTINUE);
}

static sfsistat
mlfi_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct connection *conn = smfi_getpriv(ctx);

	ENTER();
	if (conn != NULL && conn->msg.dkim != NULL)
		dkimv_body(conn->msg.dkim, chunk, len);
	LEAVE(SMFIS_CONTINUE);
}

/* Deletes every received copy of the route header, last first. */
static int
strip_route_headers(SMFICTX *ctx, struct connection *conn)
{
	for (unsigned i = conn->msg.route_headers; i >= 1; i--)
		if (smfi_chgheader(ctx, conn->conf->route_header, (int)i,
		    NULL) != MI_SUCCESS)
			return -1;
	return 0;
}

/*
 * The findings as "a,b,c", or "-": the pre-flight ones (PREFLIGHT) or
 * the others.
 */
static void
findings_text(const bool *findings, bool preflight, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (int f = 0; f < FINDING_COUNT; f++)
		if (findings[f] && finding_is_preflight((enum finding)f) ==
		    preflight) {
			int n = snprintf(out + used, size - used, "%s%s",
			    used ? "," : "", finding_name((enum finding)f));

			if (n < 0 || (size_t)n >= size - used)
				break;
			used += (size_t)n;
		}
	if (used == 0)
		snprintf(out, size, "-");
}

/*
 * The DKIM verdicts as "d=DOMAIN:VERDICT,...", or "-": which signatures
 * passed, as the receivers will judge the same bytes.
 */
static void
dkim_text(const struct dkimv_result *r, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < r->nsignatures; i++) {
		char domain[4 * 64 + 1];
		int n;

		log_escape(domain, sizeof(domain), r->signatures[i].domain);
		n = snprintf(out + used, size - used, "%s%s:%s", used ? "," :
		    "", domain, dkimv_verdict_name(r->signatures[i].verdict));
		if (n < 0 || (size_t)n >= size - used) {
			out[used] = '\0';
			break;
		}
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(out, size, "-");
}

/*
 * End-of-message's working storage, from a scratch pool (scratch.h: not
 * on the stack of the libmilter thread).
 */
struct eom_state {
	struct policy_facts facts;
	struct policy_decision d;
	struct dkimv_result dkim;
	/* the log line's escaped fields */
	char reasons[4 * sizeof(((struct policy_decision *)0)->reasons)];
	char advice[4 * EGRESS_ADVICE_MAX];
	char joined[EGRESS_ADVICE_MAX];
	char reply[4 * sizeof(((struct policy_decision *)0)->smtp_reason)];
	char dkim_verdicts[1024];
	char preflight_names[200];
	char preflight[4 * sizeof(((struct policy_decision *)0)->preflight)];
};

static struct scratch_pool eom_pool = SCRATCH_POOL(sizeof(struct eom_state));

static void
log_decision(SMFICTX *ctx, struct connection *conn, enum action action,
    struct eom_state *st, long ms)
{
	const struct policy_decision *d = &st->d;
	char *queue_id = smfi_getsymval(ctx, "i");
	char qid[64], sender[SENDER_MAX + 16], findings[400];
	char *const reasons = st->reasons, *const advice = st->advice;
	char *const joined = st->joined, *const reply = st->reply;
	char policy[4 * sizeof(d->dmarc_policy) + 4];
	const struct conf *conf = conn->conf;
	const char *egress = conf->negress ? conf->egress[d->egress].name :
	    "none";
	const char *route = d->route_to >= 0 && action == ACTION_REROUTE ?
	    conf->egress[d->route_to].route : "-";

	log_escape(qid, sizeof(qid), queue_id ? queue_id : "NOQUEUE");
	log_escape(sender, sizeof(sender), conn->msg.sender);
	log_escape(reasons, sizeof(st->reasons), d->reasons);
	advice_join(d->advice, joined, sizeof(st->joined));
	log_escape(advice, sizeof(st->advice), joined);
	log_escape(reply, sizeof(st->reply), action >= ACTION_QUARANTINE ?
	    d->smtp_reason : "");
	log_escape(policy, sizeof(policy), d->dmarc_policy);
	findings_text(d->findings, false, findings, sizeof(findings));
	findings_text(d->findings, true, st->preflight_names,
	    sizeof(st->preflight_names));
	log_escape(st->preflight, sizeof(st->preflight), d->preflight);
	dkim_text(&st->dkim, st->dkim_verdicts, sizeof(st->dkim_verdicts));
	log_info("%s action=%s egress=%s route=%s findings=%s sender=<%s> "
	    "rcpts=%u client=%s dmarc=%s%s dkim=%s route_headers_removed=%u "
	    "ms=%ld "
	    "reasons=\"%s\"%s%s%s%s%s%s preflight=%s%s%s%s", qid, action_name(action), egress,
	    route, findings, sender, conn->msg.rcpts, conn->client,
	    policy[0] ? "p=" : "", policy[0] ? policy : "-",
	    st->dkim_verdicts, conn->msg.route_headers, ms, reasons,
	    advice[0] ? " advice=\"" : "", advice, advice[0] ? "\"" : "",
	    reply[0] ? " reply=\"" : "", reply, reply[0] ? "\"" : "",
	    st->preflight_names, st->preflight[0] ? " preflight_reasons=\"" :
	    "", st->preflight, st->preflight[0] ? "\"" : "");
}

/*
 * Adds the field NAME: VALUE. With SMFIP_HDR_LEADSPC negotiated the MTA
 * takes the value as is, so the space after the colon is ours to add.
 */
static int
add_header(SMFICTX *ctx, const struct connection *conn, const char *name,
    const char *value)
{
	char spaced[1024];

	if (!conn->leadspc)
		return smfi_addheader(ctx, (char *)name, (char *)value);
	if ((size_t)snprintf(spaced, sizeof(spaced), " %s", value) >=
	    sizeof(spaced))
		return MI_FAILURE;
	return smfi_addheader(ctx, (char *)name, spaced);
}

/* The report header (ReportHeader yes) on an accepted message. */
static void
add_report(SMFICTX *ctx, const struct connection *conn,
    const struct policy_decision *d)
{
	char findings[400], raw[600], value[600];

	findings_text(d->findings, false, findings, sizeof(findings));
	snprintf(raw, sizeof(raw), "action=%s; egress=%s; findings=%s",
	    action_name(d->action), conn->conf->egress[d->egress].name,
	    findings);
	escape_text(value, sizeof(value), raw, 0);
	if (add_header(ctx, conn, "X-Egress-Report", value) != MI_SUCCESS)
		log_warn("cannot add X-Egress-Report");
}

/* Applies D through libmilter; returns the callback's status. */
static sfsistat
apply(SMFICTX *ctx, struct connection *conn, struct policy_decision *d)
{
	const struct conf *conf = conn->conf;

	switch (d->action) {
	case ACTION_REJECT:
		smfi_setreply(ctx, "550", "5.7.1", d->smtp_reason);
		return SMFIS_REJECT;
	case ACTION_TEMPFAIL:
		smfi_setreply(ctx, "451", "4.7.1", d->smtp_reason);
		return SMFIS_TEMPFAIL;
	case ACTION_QUARANTINE:
		if (smfi_quarantine(ctx, d->smtp_reason) != MI_SUCCESS) {
			smfi_setreply(ctx, "451", "4.7.1", "cannot hold the "
			    "message; try again later");
			d->action = ACTION_TEMPFAIL;
			return SMFIS_TEMPFAIL;
		}
		break;
	case ACTION_REROUTE:
		if (conf->map_socket != NULL)
			break;		/* the route map routes it (route.c) */
		if (add_header(ctx, conn, conf->route_header,
		    conf->egress[d->route_to].route) != MI_SUCCESS) {
			smfi_setreply(ctx, "451", "4.7.1", "cannot set the "
			    "egress route; try again later");
			d->action = ACTION_TEMPFAIL;
			return SMFIS_TEMPFAIL;
		}
		break;
	default:
		break;
	}
	if (conf->report_header && conf->negress > 0)
		add_report(ctx, conn, d);
	return SMFIS_ACCEPT;
}

static long
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

static sfsistat
mlfi_eom(SMFICTX *ctx)
{
	struct connection *conn = smfi_getpriv(ctx);
	struct eom_state *st;
	struct policy_facts *facts;
	struct policy_decision *d;
	struct timespec start;
	sfsistat status;
	long ms;

	ENTER();
	if (conn == NULL)
		LEAVE(SMFIS_ACCEPT);
	clock_gettime(CLOCK_MONOTONIC, &start);
	st = scratch_get(&eom_pool);
	facts = &st->facts;
	d = &st->d;
	dns_begin(conn);
	memset(facts, 0, sizeof(*facts));
	facts->conf = conn->conf;
	facts->can_reroute = conn->can_reroute || conn->conf->map_socket != NULL;
	facts->no_egress_rcpt = conn->msg.rcpts > 0 &&
	    conn->msg.egress_rcpts == 0;
	facts->sender = conn->msg.sender;
	facts->from_fields = conn->msg.from_fields;
	facts->from = conn->msg.from;
	facts->pct_draw = arc4random_uniform(100);
	facts->headers = conn->msg.headers;
	st->dkim.nsignatures = 0;
	if (conn->msg.dkim != NULL)
		dkimv_finish(conn->msg.dkim, &st->dkim);
	facts->dkim = &st->dkim;
	facts->egress_used = conn->msg.egress_used;
	/* The first health round is waited for within the message's budget. */
	facts->health_wait_ms = dns_deadline_left_ms(
	    (int)conn->conf->message_dns_budget);
	/*
	 * No smfi_progress() here: the MTA's timer for this reply has just
	 * started, and the decision is bounded by MessageDNSBudget, far
	 * below its timeout; one more reply would only be a packet that
	 * Nagle's algorithm holds back with the verdict behind it.
	 */
	policy_decide(facts, d);
	dns_end();
	if (strip_route_headers(ctx, conn) != 0) {
		smfi_setreply(ctx, "451", "4.7.1", "could not remove a "
		    "client-supplied egress route header; try again later");
		d->action = ACTION_TEMPFAIL;
		status = SMFIS_TEMPFAIL;
	} else {
		status = apply(ctx, conn, d);
	}
	ms = elapsed_ms(&start);
	log_decision(ctx, conn, d->action, st, ms);
	stats_count_decision(d->action, d->findings, ms);
	message_reset(&conn->msg);
	scratch_put(&eom_pool, st);
	LEAVE(status);
}

static sfsistat
mlfi_abort(SMFICTX *ctx)
{
	struct connection *conn = smfi_getpriv(ctx);

	ENTER();
	if (conn != NULL)
		message_reset(&conn->msg);
	LEAVE(SMFIS_CONTINUE);
}

static sfsistat
mlfi_close(SMFICTX *ctx)
{
	struct connection *conn = smfi_getpriv(ctx);

	ENTER();
	if (conn != NULL) {
		smfi_setpriv(ctx, NULL);
		connection_free(conn);	/* and connlimit_leave() if counted */
	}
	LEAVE(SMFIS_CONTINUE);
}

int
milter_register(void)
{
	struct smfiDesc desc = {
		.xxfi_name = "egress-milter",
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE |
		    SMFIF_SETSYMLIST,
		.xxfi_connect = mlfi_connect,
		.xxfi_helo = mlfi_helo,
		.xxfi_envfrom = mlfi_envfrom,
		.xxfi_envrcpt = mlfi_envrcpt,
		.xxfi_header = mlfi_header,
		.xxfi_eoh = mlfi_eoh,
		.xxfi_body = mlfi_body,
		.xxfi_eom = mlfi_eom,
		.xxfi_abort = mlfi_abort,
		.xxfi_close = mlfi_close,
		.xxfi_negotiate = mlfi_negotiate,
	};

	return smfi_register(desc) == MI_SUCCESS ? 0 : -1;
}
