/*
 * policy.h - from the facts of one message to one decision.
 *
 * policy_decide() judges the message against every egress its
 * recipients leave from: that egress's health (from the monitor), SPF
 * of its address, DMARC alignment, and the message's own findings
 * (DKIM, From, domain blocklists); maps every finding to its action
 * (On lines), takes the strongest, and when that is reroute, looks for
 * another egress that is healthy and for which this message's checks
 * pass (SPF evaluated again with that egress's address), else applies
 * Fallback.
 * Must not: touch libmilter (milter.c applies the decision).
 */
#ifndef EM_POLICY_H
#define EM_POLICY_H

#include <stdbool.h>

#include "auth/dkim.h"
#include "auth/from.h"
#include "conf/conf.h"
#include "global/finding.h"
#include "health/egress.h"

struct policy_facts {
	const struct conf *conf;
	const char *sender;		/* MAIL FROM without <>; "" null */
	int from_fields;		/* From header fields seen */
	struct from_result from;	/* of the first From field */
	const struct dkimv_result *dkim;
	/* conf->negress entries, by the recipients; NULL or none set:
	 * the default (the first egress). */
	const bool *egress_used;
	int health_wait_ms;		/* for the first health round */
	unsigned pct_draw;		/* 0..99, DMARC pct= (RFC 7489 6.6.4) */
	struct header_facts headers;	/* for the pre-flight findings */
	bool can_reroute;		/* the MTA acts on the route header */
	bool no_egress_rcpt;		/* no recipient leaves by an egress */
};

struct policy_decision {
	enum action action;
	size_t egress;			/* the egress judged first */
	int route_to;			/* the reroute target, or -1 */
	bool findings[FINDING_COUNT];	/* of every egress judged */
	char reasons[4096];		/* whole, or cut with a visible "…" */
	char advice[EGRESS_ADVICE_MAX];	/* what to do, a line each */
	char dmarc_policy[16];		/* "" when no DMARC record */
	char smtp_reason[200];		/* one line, no CR/LF, no '%' */
	char preflight[2048];		/* the pre-flight findings' words,
					 * with the receivers' codes and the
					 * fix (the first egress judged) */
};

void policy_decide(const struct policy_facts *facts,
    struct policy_decision *out);

/*
 * May a recipient whose {rcpt_mailer} is MAILER leave through an egress?
 * Yes when MAILER is unknown (NULL or "") or an egress's transport=;
 * no for local, relay, lmtp and other local delivery agents, and for
 * any other mailer once some egress names its transport=.
 */
bool policy_mailer_is_egress(const struct conf *conf, const char *mailer);

/*
 * Is MAILER one of Sendmail's mailers that deliver over the Internet
 * (smtp, esmtp, smtp8, dsmtp, relay: the relay mailer is what a
 * SMART_HOST uses)? Only meaningful when the MTA is Sendmail: Postfix's
 * "relay" transport is its delivery to inside hosts.
 */
bool policy_sendmail_mailer_is_outbound(const char *mailer);

#endif
