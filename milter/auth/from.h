/*
 * from.h - the addresses of an RFC 5322 From header field.
 *
 * from_parse() reads one From field value: display names (quoted or
 * not, encoded words included), comments (nested), quoted local parts,
 * angle addresses, and groups ("team: a@x.test, b@y.test;"). It returns
 * how many mailboxes it found, the domain of the first, lower-cased,
 * and the distinct domains of all (the first FROM_DOMAINS_MAX).
 * Must not: allocate, do I/O or DNS.
 */
#ifndef EM_FROM_H
#define EM_FROM_H

#include <stddef.h>

#include <stdbool.h>

#include "dns/dns.h"

#define FROM_VALUE_MAX 4096		/* longer values do not parse */

/*
 * The scanner's working storage (8 KB), the caller's: not a thread's
 * TLS, which glibc clears for every new thread (a libmilter thread per
 * connection), nor the stack. Only the bytes below len / angled_len are
 * read, so it needs no clearing.
 */
struct from_scan {
	size_t len;
	size_t angled_len;
	bool angle;		/* inside <...> */
	bool had_angle;
	char item[FROM_VALUE_MAX];	/* the current mailbox, comments removed */
	char angled[FROM_VALUE_MAX];	/* what was inside <...> */
};

/* The distinct domains kept of all mailboxes (DMARC judges each). */
#define FROM_DOMAINS_MAX 8

struct from_result {
	int mailboxes;			/* -1: the value does not parse */
	char domain[DNS_NAME_MAX + 1];	/* of the first mailbox */
	unsigned ndomains;		/* distinct, lower-case, in order */
	char domains[FROM_DOMAINS_MAX][DNS_NAME_MAX + 1];
};

void from_parse(const char *value, struct from_result *out,
    struct from_scan *scan);
/* Adds the domains of MORE (another From field) to INTO's. */
void from_merge(struct from_result *into, const struct from_result *more);

/*
 * What the receivers' format rules look at in the header (RFC 5322 3.6,
 * RFC 8058), noted field by field by header_facts_note().
 */
enum header_single {		/* fields that may appear once at most */
	HS_DATE, HS_FROM, HS_SENDER, HS_REPLY_TO, HS_TO, HS_CC, HS_BCC,
	HS_MESSAGE_ID, HS_IN_REPLY_TO, HS_REFERENCES, HS_SUBJECT, HS_COUNT
};

struct header_facts {
	unsigned char count[HS_COUNT];	/* saturating at 255 */
	bool message_id_valid;		/* the first one: <left@right> */
	bool bulk;			/* List-Id, Precedence: bulk or list,
					 * Feedback-ID */
	bool unsubscribe_https;		/* List-Unsubscribe with an https URI */
	bool one_click;		/* List-Unsubscribe-Post: List-Unsubscribe=One-Click */
};

void header_facts_note(struct header_facts *h, const char *name,
    const char *value);
/* The name of a single-instance field. */
const char *header_single_name(enum header_single field);

#endif
