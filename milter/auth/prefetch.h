/*
 * prefetch.h - asks the DNS early, so a message's answers are in the
 * cache (or on their way) when its end-of-message needs them.
 *
 * prefetch_sender() queues the lookups of a sender domain's SPF record
 * (TXT of the domain) and DMARC record (TXT of _dmarc.domain) and
 * returns at once; background threads make them through dns_lookup(),
 * so the answers land in the shared cache while the MTA sends the
 * message. A lookup at end-of-message of a name being prefetched waits
 * for that query (single flight) within its own MessageDNSBudget.
 * Must not: block the caller; queue without bound; keep answers itself.
 */
#ifndef EM_PREFETCH_H
#define EM_PREFETCH_H

/* DOMAIN is copied; a full queue drops the request. */
void prefetch_sender(const char *domain);

#endif
