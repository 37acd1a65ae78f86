/*
 * route.h - the socketmap "route": which egress a message leaves from,
 * asked by Postfix (sender_dependent_default_transport_maps) each time a
 * message enters the active queue.
 *
 * route_lookup() takes the envelope sender ("<>" for the null sender)
 * and answers the "transport:nexthop" of the first egress, in
 * configuration order (the sender domain's EgressMap egress first),
 * that is healthy (the monitor's state ok or warning, no learned
 * refusal) and from whose address SPF of the sender's domain (of the
 * egress's HELO name for the null sender) does not fail. "DUNNO" (for
 * "@domain", Postfix's partial key, NOTFOUND) when that egress is the
 * default one (Postfix then uses default_transport and asks no more)
 * and when SPF fails from every healthy egress (the milter judged that
 * at submission); NOTFOUND before the first health round. With no healthy egress:
 * "retry:4.7.1 no healthy egress: REASON" (the error(8) transport
 * "retry" defers the message, which stays queued and is routed again at
 * its next attempt).
 * Must not: touch libmilter; wait on DNS longer than ROUTE_SPF_WAIT_MS
 * (SPF comes from spf.c's cache or a bounded lookup in a thread of its
 * own; a verdict not known in time counts as "does not fail").
 */
#ifndef EM_ROUTE_H
#define EM_ROUTE_H

#include <stddef.h>

#include "conf/conf.h"
#include "global/lookup.h"

#define ROUTE_SPF_WAIT_MS 1000		/* per lookup, all egresses */
#define ROUTE_SPF_MAX_JOBS 16		/* SPF lookups running at once */
#define ROUTE_SPF_CHUNK 8		/* candidates judged by SPF at once */
#define ROUTE_MX_QUEUE 64		/* route-rcpt MX names to fetch */

/*
 * Starts no more SPF threads and waits up to WAIT_MS for those running;
 * returns how many are still running (inside a DNS lookup).
 */
int route_stop(int wait_ms);

/* Answers the route of mail from SENDER into OUT (SIZE bytes). */
enum lookup_status route_lookup(const struct conf *conf, const char *sender,
    char *out, size_t size);

/*
 * route-rcpt, for transport_maps: the key is the recipient (or its
 * domain, Postfix's partial key). The receiver of the recipient domain
 * comes from its MX in the DNS cache (the first name's provider, else
 * its organisational domain); a miss answers NOTFOUND and fetches the
 * MX in the background, never waiting on DNS. When the egress that would
 * be used (the first healthy one not backed off for every receiver) is
 * backed off toward that receiver for ip or ptr, the answer is the
 * transport:nexthop of the first other healthy egress (with transport=)
 * that is not, else "retry:4.7.1 no egress left for RECEIVER: ..."; a
 * rate pause answers "retry:4.7.1 ... paused ..." (the mail waits, it is
 * not rerouted). NOTFOUND otherwise: the route map decides.
 */
enum lookup_status route_rcpt_lookup(const struct conf *conf,
    const char *recipient, char *out, size_t size);

#endif
