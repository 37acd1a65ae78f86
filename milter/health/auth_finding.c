/*
 * auth_finding.c - the sender domains receivers refused for
 * authentication, with the receiver's words and advice (see
 * auth_finding.h).
 *
 * auth_finding_domain(), auth_finding_advice(), auth_finding_note(),
 * auth_finding_list(), auth_finding_forget_all().
 *
 * The domain is read after the words receivers put before it ("email
 * from ", "domain ", "spf ", "due to "), an optional '[' or '<' skipped;
 * it must look like a domain name (letters, digits, '-', '.', at least
 * one dot and one letter: never an address). One table under one lock.
 * Must not: touch libmilter or DNS; touch an egress's state.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "health/auth_finding.h"
#include "util/util.h"

static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;
static struct auth_finding auth_table[AUTH_FINDING_MAX];

/* A domain name at P (lower case) into OUT; false when none. */
static bool
domain_at(const char *p, char *out, size_t size)
{
	size_t len = 0;
	bool dot = false, letter = false;

	if (*p == '[' || *p == '<')
		p++;
	while (isalnum((unsigned char)*p) || *p == '-' || *p == '.' ||
	    *p == '_') {
		if (len + 1 >= size || len + 1 >= AUTH_FINDING_DOMAIN_MAX)
			return false;
		dot = dot || *p == '.';
		letter = letter || isalpha((unsigned char)*p);
		out[len++] = *p++;
	}
	while (len > 0 && out[len - 1] == '.')
		len--;
	out[len] = '\0';
	return len > 0 && dot && letter && out[0] != '.' && out[0] != '-' &&
	    strchr(out, '.') != NULL && strstr(out, "..") == NULL &&
	    out[len - 1] != '-';
}

void
auth_finding_domain(const char *text, char *out, size_t size)
{
	static const char *const before[] = { "email from ", "domain ",
	    "spf ", "due to " };
	char lower[1024];

	if (size == 0)
		return;
	out[0] = '\0';
	copy_bounded(lower, sizeof(lower), text);
	for (char *q = lower; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++)
		for (const char *p = strstr(lower, before[i]); p != NULL;
		    p = strstr(p + 1, before[i]))
			if ((p == lower || !isalnum((unsigned char)p[-1])) &&
			    domain_at(p + strlen(before[i]), out, size))
				return;
	out[0] = '\0';
}

const char *
auth_finding_advice(const char *text)
{
	char lower[1024];
	bool spf, dkim;

	copy_bounded(lower, sizeof(lower), text);
	for (char *q = lower; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	spf = strstr(lower, "spf") != NULL;
	dkim = strstr(lower, "dkim") != NULL;
	if (strstr(lower, "authentication level") != NULL)
		return "the receiver wants SPF and DKIM to pass and a DMARC "
		    "record (p=none or stronger) aligned with the From domain";
	if (strstr(lower, "dmarc") != NULL)
		return "make SPF or DKIM pass aligned with the From domain, "
		    "whose DMARC policy the receiver applies, and publish a "
		    "DMARC record";
	if (strstr(lower, "aligned") != NULL)
		return "align the From domain with the domain of the SPF "
		    "(MAIL FROM) or DKIM (d=) that passes";
	if (spf && !dkim)
		return "the domain's SPF record must permit every egress's "
		    "address (egress-milter --check prints the SPF advice)";
	if (dkim && !spf)
		return "sign the domain's mail with DKIM (a key of at least "
		    "1024 bits, d= aligned with From)";
	return "authenticate the domain's mail: SPF permitting every "
	    "egress, DKIM aligned with From, a DMARC record";
}

void
auth_finding_note(const char *egress, const char *receiver, const char *text,
    char *domain, size_t size)
{
	struct auth_finding *slot = NULL;
	char found[AUTH_FINDING_DOMAIN_MAX];
	time_t now = time(NULL);

	auth_finding_domain(text, found, sizeof(found));
	copy_bounded(domain, size, found);
	pthread_mutex_lock(&auth_lock);
	for (size_t i = 0; i < AUTH_FINDING_MAX; i++) {
		struct auth_finding *a = &auth_table[i];

		if (a->count > 0 && a->last + AUTH_FINDING_KEEP <= now)
			memset(a, 0, sizeof(*a));	/* over */
		if (a->count > 0 && strcmp(a->domain, found) == 0 &&
		    strcmp(a->receiver, receiver) == 0) {
			slot = a;
			break;
		}
		/* Room: a free one, else the one refused longest ago. */
		if (slot == NULL || (slot->count > 0 && (a->count == 0 ||
		    a->last < slot->last)))
			slot = a;
	}
	if (slot->count == 0 || strcmp(slot->domain, found) != 0 ||
	    strcmp(slot->receiver, receiver) != 0) {
		memset(slot, 0, sizeof(*slot));
		copy_bounded(slot->domain, sizeof(slot->domain), found);
		copy_bounded(slot->receiver, sizeof(slot->receiver), receiver);
		slot->first = now;
	}
	copy_bounded(slot->egress, sizeof(slot->egress), egress);
	copy_bounded(slot->text, sizeof(slot->text), text);
	slot->advice = auth_finding_advice(text);
	slot->last = now;
	slot->count++;
	pthread_mutex_unlock(&auth_lock);
}

static int
latest_first(const void *a, const void *b)
{
	const struct auth_finding *x = a, *y = b;

	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return strcmp(x->domain, y->domain);
}

size_t
auth_finding_list(struct auth_finding *out, size_t max)
{
	time_t now = time(NULL);
	size_t n = 0;

	pthread_mutex_lock(&auth_lock);
	for (size_t i = 0; i < AUTH_FINDING_MAX && n < max; i++)
		if (auth_table[i].count > 0 &&
		    auth_table[i].last + AUTH_FINDING_KEEP > now)
			out[n++] = auth_table[i];
	pthread_mutex_unlock(&auth_lock);
	if (n > 1)
		qsort(out, n, sizeof(*out), latest_first);
	return n;
}

void
auth_finding_forget_all(void)
{
	pthread_mutex_lock(&auth_lock);
	memset(auth_table, 0, sizeof(auth_table));
	pthread_mutex_unlock(&auth_lock);
}
