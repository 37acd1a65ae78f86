/*
 * milter.c - libmilter callbacks: a context per connection, a message
 * context per MAIL transaction, and the end-of-message decision.
 *
 * Each connection takes a reference to the configuration current when it
 * connects (a reload changes new connections only). The message context
 * is reset on a new MAIL, on abort, at end-of-message and at close, so
 * nothing leaks on any path. At end-of-message every copy of the route
 * header that arrived with the message is deleted: a client must never
 * choose its own route.
 * Must not: do DNS or block; decide policy itself (policy.c will).
 */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libmilter/mfapi.h>

#include "conf.h"
#include "finding.h"
#include "log.h"
#include "milter.h"
#include "monitor.h"
#include "util.h"

#define SENDER_MAX 512
#define HELO_MAX 256
#define ADDR_MAX 64

struct message {
	bool active;
	char sender[SENDER_MAX];	/* without <>, "" for the null sender */
	unsigned rcpts;
	unsigned route_headers;		/* copies of RouteHeader received */
};

struct connection {
	struct conf *conf;
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
	memset(msg, 0, sizeof(*msg));
}

static void
connection_free(struct connection *conn)
{
	if (conn == NULL)
		return;
	conf_release(conn->conf);
	free(conn);
}

static sfsistat
mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	unsigned long wanted = SMFIF_ADDHDRS | SMFIF_CHGHDRS |
	    SMFIF_QUARANTINE;

	(void)f1; (void)f2; (void)f3;
	ENTER();
	if ((f0 & SMFIF_CHGHDRS) == 0)
		log_warn("the MTA does not let milters change headers: "
		    "a client-supplied route header cannot be removed, so "
		    "such messages will be tempfailed");
	*pf0 = f0 & wanted;
	if (f0 & SMFIF_SETSYMLIST) {
		*pf0 |= SMFIF_SETSYMLIST;
		smfi_setsymlist(ctx, SMFIM_ENVFROM, "i {auth_authen}");
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, "{rcpt_mailer} {rcpt_host}");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	/* libmilter has already set SMFIP_NO* for the callbacks we lack. */
	*pf1 |= f1 & (SMFIP_NOUNKNOWN | SMFIP_NODATA);
	*pf2 = 0;
	*pf3 = 0;
	LEAVE(SMFIS_CONTINUE);
}

static sfsistat
mlfi_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *addr)
{
	struct connection *conn = xcalloc(1, sizeof(*conn));
	char *address = smfi_getsymval(ctx, "{client_addr}");

	(void)addr;
	ENTER();
	conn->conf = conf_current();
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
	LEAVE(SMFIS_CONTINUE);
}

static sfsistat
mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct connection *conn = smfi_getpriv(ctx);

	(void)argv;
	ENTER();
	if (conn != NULL && conn->msg.rcpts < (unsigned)-1)
		conn->msg.rcpts++;
	LEAVE(SMFIS_CONTINUE);
}

static sfsistat
mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct connection *conn = smfi_getpriv(ctx);

	(void)value;
	ENTER();
	if (conn != NULL && name != NULL &&
	    strcasecmp(name, conn->conf->route_header) == 0 &&
	    conn->msg.route_headers < (unsigned)-1)
		conn->msg.route_headers++;
	LEAVE(SMFIS_CONTINUE);
}

static sfsistat
mlfi_eoh(SMFICTX *ctx)
{
	(void)ctx;
	ENTER();
	LEAVE(SMFIS_CONTINUE);
}

static sfsistat
mlfi_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)ctx; (void)chunk; (void)len;
	ENTER();
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
 * The health of the egress the message leaves from (the first egress
 * for now), from the monitor's snapshot: no DNS here. Before the first
 * round this waits, at most one DNS question's worth of time.
 */
static const char *
egress_health_of(const struct conf *conf, const char **name)
{
	struct egress_health health;
	int wait_ms = (int)(conf->dns_timeout * conf->dns_tries * 1000);

	*name = conf->negress ? conf->egress[0].name : "none";
	if (conf->negress == 0 ||
	    monitor_snapshot(conf->egress[0].name, &health, wait_ms) != 0 ||
	    !health.checked)
		return "unknown";
	return egress_state_name(health.state);
}

static void
log_decision(SMFICTX *ctx, struct connection *conn, enum action action,
    const char *note)
{
	char *queue_id = smfi_getsymval(ctx, "i");
	char qid[64], sender[SENDER_MAX + 16];
	const char *egress, *health = egress_health_of(conn->conf, &egress);

	log_escape(qid, sizeof(qid), queue_id ? queue_id : "NOQUEUE");
	log_escape(sender, sizeof(sender), conn->msg.sender);
	log_info("%s action=%s egress=%s health=%s sender=<%s> rcpts=%u "
	    "client=%s route_headers_removed=%u%s%s", qid, action_name(action),
	    egress, health, sender, conn->msg.rcpts, conn->client,
	    conn->msg.route_headers, note ? " reasons=" : "", note ? note : "");
}

static sfsistat
mlfi_eom(SMFICTX *ctx)
{
	struct connection *conn = smfi_getpriv(ctx);
	sfsistat status = SMFIS_ACCEPT;

	ENTER();
	if (conn == NULL)
		LEAVE(SMFIS_ACCEPT);
	if (strip_route_headers(ctx, conn) != 0) {
		smfi_setreply(ctx, "451", "4.7.1", "could not remove a "
		    "client-supplied egress route header; try again later");
		log_decision(ctx, conn, ACTION_TEMPFAIL,
		    "\"cannot delete the client's route header\"");
		status = SMFIS_TEMPFAIL;
	} else {
		log_decision(ctx, conn, ACTION_ACCEPT, NULL);
	}
	message_reset(&conn->msg);
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
		connection_free(conn);
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
