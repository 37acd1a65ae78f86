/*
 * auth_finding.h - the sender domains that receivers refused for
 * authentication (cause auth: SPF, DKIM, DMARC, alignment): a finding
 * of the sender's domain, never of the egress.
 *
 * A status filter query (refusal.c) of cause auth is noted here with
 * the receiver that answered, its words and advice on what to fix. The
 * domain is the one the receiver's text names (Gmail "Unauthenticated
 * email from DOMAIN is not accepted", "The MAIL FROM domain [DOMAIN]",
 * "SPF [DOMAIN]", Microsoft "sending domain [DOMAIN]", Apple "due to
 * DOMAIN's DMARC policy"); "" when it names none (the status filter's
 * query has no sender): then the finding is per receiver. At most
 * AUTH_FINDING_MAX (domain, receiver) pairs are kept, each for
 * AUTH_FINDING_KEEP seconds after its last refusal; when the table is
 * full, the pair refused longest ago makes room. --status, /metrics
 * and --summary show them.
 * Must not: touch libmilter or DNS; touch an egress's state.
 */
#ifndef EM_AUTH_FINDING_H
#define EM_AUTH_FINDING_H

#include <stddef.h>
#include <time.h>

#include "conf/conf.h"

#define AUTH_FINDING_MAX 64
#define AUTH_FINDING_KEEP 86400		/* seconds after the last refusal */
#define AUTH_FINDING_DOMAIN_MAX 254

struct auth_finding {
	char domain[AUTH_FINDING_DOMAIN_MAX];	/* "": the text names none */
	char receiver[128];
	char egress[CONF_NAME_MAX + 1];	/* of the latest refusal */
	char text[512];			/* the latest refusal's reply */
	const char *advice;		/* static text */
	time_t first, last;
	unsigned long count;
};

/*
 * The sender domain that TEXT (a receiver's reply) names, lower-cased,
 * into OUT; "" when it names none.
 */
void auth_finding_domain(const char *text, char *out, size_t size);

/* What to fix, for a refusal whose reply is TEXT (static text). */
const char *auth_finding_advice(const char *text);

/*
 * Notes a refusal for authentication of mail through EGRESS by
 * RECEIVER with reply TEXT; the domain it names into DOMAIN (SIZE).
 */
void auth_finding_note(const char *egress, const char *receiver,
    const char *text, char *domain, size_t size);

/* The findings kept, most recent first, into OUT (at most MAX). */
size_t auth_finding_list(struct auth_finding *out, size_t max);

/* Forgets every finding. */
void auth_finding_forget_all(void);

#endif
