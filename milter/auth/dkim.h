/*
 * dkim.h - DKIM verification of a message with libopendkim, its keys
 * fetched through the project's DNS layer.
 *
 * dkimv_begin() starts a message; dkimv_header(), dkimv_eoh() and
 * dkimv_body() feed it as libmilter hands it over; dkimv_finish() gives
 * one verdict per DKIM-Signature (pass, fail with the reason, key
 * missing, key revoked, temperror when DNS failed) with its d= domain
 * and selector; dkimv_free() ends it. A signature passes only when the
 * signature verifies and the body hash matches, with rsa-sha256 (or
 * ed25519) and a key of at least DKIMV_MIN_KEY_BITS (RFC 8301: rsa-sha1
 * and weaker keys fail, the reason says why). A key lookup that the
 * servers failed (timeout, SERVFAIL, REFUSED) is remembered for
 * DKIMV_KEY_FAILURE_SECONDS: that key name is then a temperror without
 * asking again (not a budget cut-off, not a name that cannot exist).
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#ifndef EM_DKIM_H
#define EM_DKIM_H

#include <stdbool.h>
#include <stddef.h>

#include "dns/dns.h"

/* DKIMMaxSignatures: its default and its ceiling. */
#define DKIMV_DEFAULT_SIGNATURES 10
#define DKIMV_MAX_SIGNATURES 32
#define DKIMV_KEY_FAILURE_SECONDS 30
/* RFC 8301 3.2: shorter RSA keys are not valid. */
#define DKIMV_MIN_KEY_BITS 1024

enum dkimv_verdict {
	DKIMV_PASS,
	DKIMV_FAIL,		/* signature or body hash did not verify */
	DKIMV_KEY_MISSING,	/* no key at selector._domainkey.domain */
	DKIMV_KEY_REVOKED,	/* the key record has an empty p= */
	DKIMV_TEMPERROR		/* the key lookup failed */
};

struct dkimv_signature {
	char domain[DNS_NAME_MAX + 1];	/* d= */
	char selector[64];		/* s= */
	enum dkimv_verdict verdict;
	unsigned key_bits;		/* 0: unknown */
	bool weak;			/* the key is under DKIMV_MIN_KEY_BITS */
	char reason[200];
};

struct dkimv_result {
	size_t nsignatures;		/* at most DKIMV_MAX_SIGNATURES */
	struct dkimv_signature signatures[DKIMV_MAX_SIGNATURES];
};

struct dkimv;

/* A new verification; NULL when libopendkim cannot start one. */
struct dkimv *dkimv_begin(const char *id);
/*
 * At most MAX (1..DKIMV_MAX_SIGNATURES) DKIM-Signature fields are
 * evaluated, the first ones; the others are not reported at all.
 * Call before the first header.
 */
void dkimv_limit(struct dkimv *v, unsigned max);
/*
 * NAME and VALUE as libmilter gives them (no trailing CRLF), folds as
 * "\n" or "\r\n". AS_SENT: VALUE starts with the white space that
 * followed the colon (SMFIP_HDR_LEADSPC was negotiated); otherwise the
 * MTA removed the one space that is put back. The field is verified as
 * "Name:" VALUE with every fold ending in CRLF: the bytes that leave.
 */
void dkimv_header(struct dkimv *v, const char *name, const char *value,
    bool as_sent);
void dkimv_eoh(struct dkimv *v);
void dkimv_body(struct dkimv *v, const unsigned char *chunk, size_t len);
void dkimv_finish(struct dkimv *v, struct dkimv_result *out);
void dkimv_free(struct dkimv *v);

const char *dkimv_verdict_name(enum dkimv_verdict verdict);

/* The shared libopendkim handle (for tests that sign messages). */
void *dkimv_library(void);

#endif
