/*
 * dkim.c - DKIM verification with libopendkim; keys through dns_lookup().
 *
 * dkimv_begin(), dkimv_limit(), dkimv_header(), dkimv_eoh(), dkimv_body(),
 * dkimv_finish(), dkimv_free(), dkimv_verdict_name(), dkimv_library().
 *
 * One libopendkim library handle serves all threads (made once); its
 * key lookups go through key_lookup(), which asks TXT
 * selector._domainkey.domain of the project's cache. Bounds against a
 * hostile message: HEADER_BYTES_MAX bytes of header in all (beyond that
 * the message is not verified and no signature is reported), and the
 * first dkimv_limit() DKIM-Signature fields only (DKIMMaxSignatures; the
 * others are neither verified nor reported, so never a failure). A key
 * lookup the servers failed (timeout, SERVFAIL, REFUSED) is remembered
 * per key name (selector._domainkey.domain) for
 * DKIMV_KEY_FAILURE_SECONDS (key_failures[]), so a dead key costs one
 * lookup, not one per signature and message; a name that cannot exist
 * or a lookup cut off by the message's budget is not remembered, so one
 * hostile signature cannot make the genuine ones of its d= a temperror. A signature passes
 * only when libopendkim marks it passed and the body hash matches
 * (DKIM_SIG_CHECK).
 * The fields are held until the end of the headers and libopendkim is
 * started only when one of them is a DKIM-Signature: a message without
 * one costs a copy of its header, not a verification handle and its
 * hashing.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <opendkim/dkim.h>

#include "auth/dkim.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "util/log.h"
#include "util/util.h"

#define HEADER_BYTES_MAX (1024 * 1024)
#define KEY_FAILURES_MAX 256

struct dkimv {
	DKIM *dkim;		/* NULL until a signature is seen at eoh */
	char id[64];		/* the queue id, for libopendkim */
	char *held;		/* the fields, "Name: value" NUL-ended */
	size_t held_len, held_size;
	bool signed_;		/* a DKIM-Signature field was seen */
	unsigned max_signatures;	/* DKIMMaxSignatures */
	unsigned signature_fields;	/* DKIM-Signature fields seen */
	size_t header_bytes;
	bool broken;		/* libopendkim refused something */
	bool past_eoh;
	bool key_tryagain;	/* a key lookup failed: DNS trouble */
};

static DKIM_LIB *library;
static pthread_once_t library_once = PTHREAD_ONCE_INIT;

/* Key names whose lookup failed lately (a small ring). */
static struct key_failure {
	char name[DNS_NAME_MAX + 1];
	time_t until;			/* CLOCK_MONOTONIC seconds */
} key_failures[KEY_FAILURES_MAX];
static unsigned key_failures_next;
static pthread_mutex_t key_failures_lock = PTHREAD_MUTEX_INITIALIZER;

static time_t
monotonic_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

/* Whether the lookup of key NAME failed less than a while ago. */
static bool
key_failed_lately(const char *name)
{
	time_t now = monotonic_seconds();
	bool found = false;

	pthread_mutex_lock(&key_failures_lock);
	for (size_t i = 0; i < KEY_FAILURES_MAX && !found; i++)
		found = key_failures[i].until > now &&
		    strcasecmp(key_failures[i].name, name) == 0;
	pthread_mutex_unlock(&key_failures_lock);
	return found;
}

static void
key_failure_note(const char *name)
{
	struct key_failure *f;

	pthread_mutex_lock(&key_failures_lock);
	f = &key_failures[key_failures_next++ % KEY_FAILURES_MAX];
	copy_bounded(f->name, sizeof(f->name), name);
	f->until = monotonic_seconds() + DKIMV_KEY_FAILURE_SECONDS;
	pthread_mutex_unlock(&key_failures_lock);
}

/* Whether NAME can be asked: labels of 1 to 63 bytes, 253 in all. */
static bool
name_is_valid(const char *name)
{
	size_t label = 0, total = strlen(name);

	if (total == 0 || total > DNS_NAME_MAX)
		return false;
	for (const char *p = name; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63)
				return false;
			if (*p == '\0')
				return true;
			label = 0;
		} else {
			label++;
		}
	}
}

/*
 * The key record of the signature. A name that cannot exist (a label
 * over 63 bytes, an empty one) is no key, for this signature only. A
 * lookup the servers failed (SERVFAIL, REFUSED, timeout) is remembered
 * for that one key name; one cut off by the message's DNS budget is
 * not (the next message has its own budget).
 */
static DKIM_CBSTAT
key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	const char *selector = (const char *)dkim_sig_getselector(sig);
	const char *domain = (const char *)dkim_sig_getdomain(sig);
	char name[DNS_NAME_MAX + 2];
	struct dns_answer *answer;
	DKIM_CBSTAT status = DKIM_CBSTAT_NOTFOUND;
	int n;

	(void)dkim;
	if (selector == NULL || domain == NULL)
		return DKIM_CBSTAT_NOTFOUND;
	n = snprintf(name, sizeof(name), "%s._domainkey.%s", selector, domain);
	if (n < 0 || n > DNS_NAME_MAX || !name_is_valid(name))
		return DKIM_CBSTAT_NOTFOUND;
	if (key_failed_lately(name))
		return DKIM_CBSTAT_TRYAGAIN;
	answer = dns_lookup(name, DNS_TYPE_TXT);
	if (dns_answer_is_failure(answer)) {
		if (!answer->cut_short && (answer->status == DNS_SERVFAIL ||
		    answer->status == DNS_REFUSED ||
		    answer->status == DNS_TIMEOUT))
			key_failure_note(name);
		status = DKIM_CBSTAT_TRYAGAIN;
	}
	for (size_t i = 0; answer->status == DNS_OK && i < answer->count; i++)
		if (i == 0 || strstr(answer->records[i], "p=") != NULL) {
			copy_bounded((char *)buf, buflen, answer->records[i]);
			status = DKIM_CBSTAT_CONTINUE;
		}
	dns_answer_free(answer);
	return status;
}

static void
library_init(void)
{
	unsigned int min_bits = 1;	/* weak keys: judged in judge() */

	library = dkim_init(NULL, NULL);
	if (library == NULL)
		log_fatal("dkim: libopendkim cannot start");
	/* Weak keys are verified, so a weak but intact signature says so. */
	(void)dkim_options(library, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS,
	    &min_bits, sizeof(min_bits));
	if (dkim_set_key_lookup(library, key_lookup) != DKIM_STAT_OK)
		log_fatal("dkim: cannot set the key lookup callback");
}

void *
dkimv_library(void)
{
	pthread_once(&library_once, library_init);
	return library;
}

struct dkimv *
dkimv_begin(const char *id)
{
	struct dkimv *v = xcalloc(1, sizeof(*v));

	pthread_once(&library_once, library_init);
	v->max_signatures = DKIMV_DEFAULT_SIGNATURES;
	copy_bounded(v->id, sizeof(v->id), id ? id : "NOQUEUE");
	return v;
}

/*
 * The bytes of one field as it leaves, without its final CRLF:
 * "Name:" and VALUE, with the one space after the colon that the MTA
 * took away when it hands values without their leading white space
 * (AS_SENT false), and each bare LF of a fold as CRLF (Postfix and
 * Sendmail hand folds as "\n"). Returns how many bytes that is.
 */
static size_t
rebuilt_length(const char *name, const char *value, bool as_sent)
{
	size_t len = strlen(name) + 1 + (as_sent ? 0 : 1);

	for (const char *p = value; *p != '\0'; p++, len++)
		if (*p == '\n' && (p == value || p[-1] != '\r'))
			len++;
	return len;
}

/* Keeps one field, LEN bytes as rebuilt, until the end of the headers. */
static void
hold(struct dkimv *v, const char *name, const char *value, bool as_sent,
    size_t len)
{
	char *at;
	size_t nlen;

	if (v->held_size - v->held_len < len + 1) {
		size_t size = v->held_size ? v->held_size : 2048;

		while (size - v->held_len < len + 1)
			size *= 2;
		v->held = xrealloc(v->held, size);
		v->held_size = size;
	}
	at = v->held + v->held_len;	/* "Name:[ ]value\0", len + 1 bytes */
	nlen = strlen(name);
	memcpy(at, name, nlen);
	at[nlen++] = ':';
	if (!as_sent)
		at[nlen++] = ' ';
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '\n' && (p == value || p[-1] != '\r'))
			at[nlen++] = '\r';
		at[nlen++] = *p;
	}
	at[nlen] = '\0';
	v->held_len += len + 1;
}

/* Starts libopendkim and gives it the held fields; false when it fails. */
static bool
start(struct dkimv *v)
{
	DKIM_STAT status;

	v->dkim = dkim_verify(library, (const unsigned char *)v->id, NULL,
	    &status);
	if (v->dkim == NULL) {
		log_warn("dkim: cannot start a verification: %s",
		    dkim_getresultstr(status));
		return false;
	}
	for (size_t at = 0; at < v->held_len;) {
		size_t len = strlen(v->held + at);

		if (dkim_header(v->dkim, (u_char *)v->held + at, len) !=
		    DKIM_STAT_OK)
			log_debug("dkim: header %.40s not taken", v->held + at);
		at += len + 1;
	}
	return true;
}

void
dkimv_limit(struct dkimv *v, unsigned max)
{
	if (max < 1)
		max = 1;
	v->max_signatures = max < DKIMV_MAX_SIGNATURES ? max :
	    DKIMV_MAX_SIGNATURES;
}

void
dkimv_header(struct dkimv *v, const char *name, const char *value,
    bool as_sent)
{
	size_t len;

	if (v->broken || v->past_eoh)
		return;
	len = rebuilt_length(name, value, as_sent);
	if ((v->header_bytes += len) > HEADER_BYTES_MAX) {
		log_debug("dkim: over %d bytes of header: not verified",
		    HEADER_BYTES_MAX);
		v->broken = true;
		return;
	}
	if (strcasecmp(name, "DKIM-Signature") == 0) {
		if (++v->signature_fields > v->max_signatures)
			return;		/* neither verified nor reported */
		v->signed_ = true;
	}
	hold(v, name, value, as_sent, len);
}

void
dkimv_eoh(struct dkimv *v)
{
	DKIM_STAT status;

	if (v->broken || v->past_eoh)
		return;
	v->past_eoh = true;
	if (v->signed_ && !start(v))
		v->broken = true;
	free(v->held);
	v->held = NULL;
	v->held_len = v->held_size = 0;
	if (v->dkim == NULL)
		return;		/* unsigned: nothing to verify */
	status = dkim_eoh(v->dkim);	/* NOSIG etc. show per signature */
	v->key_tryagain = status == DKIM_STAT_CBTRYAGAIN ||
	    status == DKIM_STAT_KEYFAIL;
}

void
dkimv_body(struct dkimv *v, const unsigned char *chunk, size_t len)
{
	if (v->broken || v->dkim == NULL)
		return;
	dkim_body(v->dkim, (u_char *)chunk, len);
}

const char *
dkimv_verdict_name(enum dkimv_verdict verdict)
{
	switch (verdict) {
	case DKIMV_PASS: return "pass";
	case DKIMV_FAIL: return "fail";
	case DKIMV_KEY_MISSING: return "key-missing";
	case DKIMV_KEY_REVOKED: return "key-revoked";
	case DKIMV_TEMPERROR: return "temperror";
	}
	return "fail";
}

/*
 * The verdict on one signature, and why, in words. KEY_TRYAGAIN: a key
 * lookup failed, so a signature left unprocessed is a temperror.
 */
static void
judge(DKIM_SIGINFO *sig, bool key_tryagain, struct dkimv_signature *out)
{
	int error = dkim_sig_geterror(sig);
	const char *text;
	char line[300];

	dkim_alg_t alg = DKIM_SIGN_UNKNOWN;
	unsigned int bits = 0;

	if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK)
		out->key_bits = bits;
	if (DKIM_SIG_CHECK(sig)) {
		/* RFC 8301: rsa-sha1 and keys under 1024 bits are not valid. */
		if (dkim_sig_getsignalg(sig, &alg) == DKIM_STAT_OK &&
		    alg == DKIM_SIGN_RSASHA1) {
			out->verdict = DKIMV_FAIL;
			snprintf(out->reason, sizeof(out->reason), "rsa-sha1 "
			    "signature: not valid since RFC 8301 (sign with "
			    "rsa-sha256)");
			return;
		}
		if (bits > 0 && bits < DKIMV_MIN_KEY_BITS) {
			error = DKIM_SIGERROR_KEYTOOSMALL;
		} else {
			out->verdict = DKIMV_PASS;
			snprintf(out->reason, sizeof(out->reason), "verified");
			return;
		}
	}
	if (error == DKIM_SIGERROR_KEYTOOSMALL) {
		out->verdict = DKIMV_FAIL;
		out->weak = true;
		snprintf(line, sizeof(line), "key %.63s of %.100s has %u bits: "
		    "under 1024 is not valid since RFC 8301 (publish a 2048-bit "
		    "key)", out->selector, out->domain, bits);
		copy_bounded(out->reason, sizeof(out->reason), line);
		return;
	}
	switch (error) {
	case DKIM_SIGERROR_NOKEY:
		out->verdict = DKIMV_KEY_MISSING;
		snprintf(line, sizeof(line), "no key at %.63s._domainkey.%.200s",
		    out->selector, out->domain);
		copy_bounded(out->reason, sizeof(out->reason), line);
		return;
	case DKIM_SIGERROR_KEYREVOKED:
		out->verdict = DKIMV_KEY_REVOKED;
		snprintf(line, sizeof(line), "key %.63s of %.200s is revoked "
		    "(empty p=)", out->selector, out->domain);
		copy_bounded(out->reason, sizeof(out->reason), line);
		return;
	case DKIM_SIGERROR_UNKNOWN:
		if (!key_tryagain)
			break;
		/* FALLTHROUGH */
	case DKIM_SIGERROR_KEYFAIL:
		out->verdict = DKIMV_TEMPERROR;
		snprintf(out->reason, sizeof(out->reason), "key lookup failed "
		    "(DNS)");
		return;
	}
	out->verdict = DKIMV_FAIL;
	if (dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH)
		text = "body hash mismatch (the body was changed)";
	else if (error == DKIM_SIGERROR_BADSIG || error == DKIM_SIGERROR_OK)
		text = "signature did not verify (a signed header was changed)";
	else if ((text = dkim_sig_geterrorstr(error)) == NULL)
		text = "signature did not verify";
	snprintf(out->reason, sizeof(out->reason), "%s", text);
}

void
dkimv_finish(struct dkimv *v, struct dkimv_result *out)
{
	DKIM_SIGINFO **sigs = NULL;
	int nsigs = 0;

	out->nsignatures = 0;	/* not all 15 KB: a signature is cleared when used */
	if (v->broken || v->dkim == NULL)
		return;
	dkim_eom(v->dkim, NULL);
	if (dkim_getsiglist(v->dkim, &sigs, &nsigs) != DKIM_STAT_OK)
		return;
	for (int i = 0; i < nsigs && out->nsignatures < DKIMV_MAX_SIGNATURES;
	    i++) {
		struct dkimv_signature *s = &out->signatures[out->nsignatures++];
		const char *domain = (const char *)dkim_sig_getdomain(sigs[i]);
		const char *selector = (const char *)dkim_sig_getselector(
		    sigs[i]);

		memset(s, 0, sizeof(*s));

		copy_bounded(s->domain, sizeof(s->domain), domain ? domain : "");
		copy_bounded(s->selector, sizeof(s->selector), selector ?
		    selector : "");
		judge(sigs[i], v->key_tryagain, s);
	}
}

void
dkimv_free(struct dkimv *v)
{
	if (v == NULL)
		return;
	if (v->dkim != NULL)
		dkim_free(v->dkim);
	free(v->held);
	free(v);
}
