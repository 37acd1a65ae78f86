/*
 * dkim.c - DKIM verification (libopendkim) with keys fetched
 * through the project's DNS layer from the tests' NSD (zone dkim.test).
 * Messages are signed here with libopendkim and the test key
 * tests/fixtures/dkim-test.private, then verified: pass, a changed body, a
 * changed header, a missing key, a revoked key, rsa-sha1 and a 512-bit
 * key (RFC 8301), a dead DNS server.
 *
 * Environment (set by tests/dns/run.sh): DNS_PORT, DEAD_PORT, DKIM_KEY
 * and DKIM_WEAK_KEY (the paths of the private keys).
 * scenario: dead dkim-key
 */
#include "config.h"

#include <stdbool.h>
#include <time.h>

#include <opendkim/dkim.h>

#include "auth/dkim.h"
#include "dnstest.h"
#include "util/log.h"
#include "../unit/unit.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"

static const char *const headers[][2] = {
	{ "From", "Alice <alice@dkim.test>" },
	{ "To", "bob@example.net" },
	{ "Subject", "quarterly figures" },
	{ "Message-ID", "<1@dkim.test>" },
};
#define NHEADERS (sizeof(headers) / sizeof(headers[0]))
static const char body[] = "Hello Bob,\r\nthe figures are attached.\r\n";
static char key[8192], weak_key[8192];

/* The PEM key in the file named by environment variable VAR, to KEY. */
static void
load_key_from(const char *var, char *buf, size_t size)
{
	const char *path = getenv(var);
	FILE *fp = path ? fopen(path, "r") : NULL;
	size_t n;
	char *begin;

	if (fp == NULL) {
		printf("FAIL: %s names a readable key file\n", var);
		exit(1);
	}
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	if ((begin = strstr(buf, "-----BEGIN")) != NULL)	/* skip notes */
		memmove(buf, begin, strlen(begin) + 1);
}

/*
 * Signs the message as SELECTOR of dkim.test with KEY and ALG; the
 * header value to OUT.
 */
static void
sign_with(const char *pem, dkim_alg_t alg, const char *selector, char *out,
    size_t size)
{
	DKIM_STAT st;
	DKIM *d = dkim_sign(dkimv_library(), (const u_char *)"sign", NULL,
	    (dkim_sigkey_t)pem, (const u_char *)selector,
	    (const u_char *)"dkim.test", DKIM_CANON_RELAXED, DKIM_CANON_SIMPLE,
	    alg, -1, &st);
	char field[512];

	if (d == NULL) {
		printf("FAIL: dkim_sign: %s\n", dkim_getresultstr(st));
		exit(1);
	}
	for (size_t i = 0; i < NHEADERS; i++) {
		snprintf(field, sizeof(field), "%s: %s", headers[i][0],
		    headers[i][1]);
		dkim_header(d, (u_char *)field, strlen(field));
	}
	dkim_eoh(d);
	dkim_body(d, (u_char *)body, strlen(body));
	dkim_eom(d, NULL);
	st = dkim_getsighdr(d, (u_char *)out, size,
	    strlen("DKIM-Signature: "));
	dkim_free(d);
	if (st != DKIM_STAT_OK) {
		printf("FAIL: dkim_getsighdr: %s\n", dkim_getresultstr(st));
		exit(1);
	}
}

/* Signs with the good key and rsa-sha256. */
static void
sign(const char *selector, char *out, size_t size)
{
	sign_with(key, DKIM_SIGN_RSASHA256, selector, out, size);
}

/* Verifies the message with SIGNATURE; CHANGE alters a part of it. */
static void
verify(const char *signature, const char *change, struct dkimv_result *r)
{
	struct dkimv *v = dkimv_begin("verify");

	if (signature != NULL)
		dkimv_header(v, "DKIM-Signature", signature, false);
	for (size_t i = 0; i < NHEADERS; i++)
		dkimv_header(v, headers[i][0], change && strcmp(change,
		    "subject") == 0 && i == 2 ? "changed figures" :
		    headers[i][1], false);
	dkimv_eoh(v);
	if (change && strcmp(change, "body") == 0)
		dkimv_body(v, (const u_char *)"Hello Mallory\r\n", 15);
	else
		dkimv_body(v, (const u_char *)body, strlen(body));
	dkimv_finish(v, r);
	dkimv_free(v);
}

static void
expect(const char *signature, const char *change, enum dkimv_verdict want,
    const char *reason, const char *label)
{
	struct dkimv_result r;
	char name[200];

	verify(signature, change, &r);
	snprintf(name, sizeof(name), "%s: one signature, %s", label,
	    dkimv_verdict_name(want));
	CHECK(r.nsignatures == 1 && r.signatures[0].verdict == want, name);
	snprintf(name, sizeof(name), "%s: the reason", label);
	CHECK_CONTAINS(r.nsignatures ? r.signatures[0].reason : "", reason,
	    name);
}

/* More than 1000 header fields: still verified (no dmarc-fail). */
static void
many_fields(const char *good)
{
	struct dkimv_result r;
	struct dkimv *v = dkimv_begin("many");

	dkimv_header(v, "DKIM-Signature", good, false);
	for (int i = 0; i < 1200; i++)
		dkimv_header(v, "X-Filler", "x", false);
	for (size_t i = 0; i < NHEADERS; i++)
		dkimv_header(v, headers[i][0], headers[i][1], false);
	dkimv_eoh(v);
	dkimv_body(v, (const u_char *)body, strlen(body));
	dkimv_finish(v, &r);
	dkimv_free(v);
	CHECK(r.nsignatures == 1 && r.signatures[0].verdict == DKIMV_PASS,
	    "1200 header fields: the signature is still verified");
}

/* Verifies NBAD copies of BAD then GOOD, at most LIMIT signatures. */
static void
verify_many(const char *bad, int nbad, const char *good, unsigned limit,
    struct dkimv_result *r)
{
	struct dkimv *v = dkimv_begin("signatures");

	dkimv_limit(v, limit);
	for (int i = 0; i < nbad; i++)
		dkimv_header(v, "DKIM-Signature", bad, false);
	dkimv_header(v, "DKIM-Signature", good, false);
	for (size_t i = 0; i < NHEADERS; i++)
		dkimv_header(v, headers[i][0], headers[i][1], false);
	dkimv_eoh(v);
	dkimv_body(v, (const u_char *)body, strlen(body));
	dkimv_finish(v, r);
	dkimv_free(v);
}

static bool
has_pass(const struct dkimv_result *r)
{
	for (size_t i = 0; i < r->nsignatures; i++)
		if (r->signatures[i].verdict == DKIMV_PASS)
			return true;
	return false;
}

/* DKIMMaxSignatures: a pass among any evaluated one counts. */
static void
many_signatures(const char *good, const char *bad)
{
	struct dkimv_result r;

	verify_many(bad, 8, good, 10, &r);
	CHECK(r.nsignatures == 9 && has_pass(&r),
	    "8 failing signatures then a good one: the good one passes");
	verify_many(bad, 30, good, 10, &r);
	CHECK(r.nsignatures == 10 && !has_pass(&r),
	    "31 signatures, limit 10: only the first 10 are evaluated");
	verify_many(bad, 2, good, 2, &r);
	CHECK(r.nsignatures == 2, "limit 2: the third signature is not "
	    "reported (not evaluated is not a failure)");
}

/* A failed key lookup is remembered: the next message asks no server. */
static void
failed_lookup_cached(const char *good)
{
	struct dkimv_result r;
	unsigned long before = resolver_queries_sent();
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	verify(good, NULL, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(r.nsignatures == 1 && r.signatures[0].verdict == DKIMV_TEMPERROR,
	    "the failed key lookup again: temperror");
	CHECK(resolver_queries_sent() == before &&
	    t1.tv_sec - t0.tv_sec < 1,
	    "the failed key lookup is negatively cached (no query, no wait)");
}

int
main(void)
{
	char good[2048], missing[2048], revoked[2048], sha1[2048], weak[2048];
	char longsel[2048];
	struct dkimv_result r;
	unsigned long before;

	log_open(false, LOG_MAIL, true, LOG_WARNING);
	load_key_from("DKIM_KEY", key, sizeof(key));
	load_key_from("DKIM_WEAK_KEY", weak_key, sizeof(weak_key));
	dnstest_use(dnstest_port("DNS_PORT"), 2, 2);
	sign("sel", good, sizeof(good));
	sign("missing", missing, sizeof(missing));
	sign("revoked", revoked, sizeof(revoked));
	before = resolver_queries_sent();
	verify(good, NULL, &r);
	CHECK(r.nsignatures == 1 && r.signatures[0].verdict == DKIMV_PASS,
	    "a signed message verifies");
	CHECK(strcmp(r.signatures[0].domain, "dkim.test") == 0 &&
	    strcmp(r.signatures[0].selector, "sel") == 0,
	    "the signing domain and selector are kept (for DMARC)");
	CHECK(resolver_queries_sent() == before + 1,
	    "the key was fetched through the project's resolver");
	before = resolver_queries_sent();
	verify(good, NULL, &r);
	CHECK(r.signatures[0].verdict == DKIMV_PASS &&
	    resolver_queries_sent() == before,
	    "the second time the key comes from the shared cache");
	expect(good, "body", DKIMV_FAIL, "body hash mismatch",
	    "changed body");
	expect(good, "subject", DKIMV_FAIL, "did not verify",
	    "changed signed header");
	expect(missing, NULL, DKIMV_KEY_MISSING,
	    "no key at missing._domainkey.dkim.test", "missing key");
	expect(revoked, NULL, DKIMV_KEY_REVOKED, "revoked", "revoked key");
	/* RFC 8301: intact signatures, yet not valid ones. */
	sign_with(key, DKIM_SIGN_RSASHA1, "sel", sha1, sizeof(sha1));
	expect(sha1, NULL, DKIMV_FAIL, "rsa-sha1 signature: not valid since "
	    "RFC 8301", "rsa-sha1 (RFC 8301 3.1)");
	sign_with(weak_key, DKIM_SIGN_RSASHA256, "weak", weak, sizeof(weak));
	expect(weak, NULL, DKIMV_FAIL, "has 512 bits: under 1024 is not valid",
	    "512-bit key (RFC 8301 3.2)");
	verify(weak, NULL, &r);
	CHECK(r.nsignatures == 1 && r.signatures[0].weak &&
	    r.signatures[0].key_bits == 512, "the weak key is marked weak, "
	    "with its size (for dkim-weak)");
	/* A selector no DNS name can hold spoils nothing for d=dkim.test. */
	sign("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    longsel, sizeof(longsel));
	verify(longsel, NULL, &r);
	CHECK(r.nsignatures == 1 && r.signatures[0].verdict ==
	    DKIMV_KEY_MISSING, "a 71-byte selector label: key-missing, not "
	    "a temperror");
	verify(good, NULL, &r);
	CHECK(r.nsignatures == 1 && r.signatures[0].verdict == DKIMV_PASS,
	    "after it, the genuine signature of the same d= still passes "
	    "(no failure remembered)");
	verify(NULL, NULL, &r);
	CHECK(r.nsignatures == 0, "an unsigned message has no signatures");
	many_fields(good);
	many_signatures(good, missing);
	dnscache_flush();
	dnstest_use(dnstest_port("DEAD_PORT"), 1, 1);
	expect(good, NULL, DKIMV_TEMPERROR, "key lookup failed",
	    "dead DNS server");
	failed_lookup_cached(good);
	resolver_thread_cleanup();
	dnscache_flush();
	return unit_exit();
}
