/*
 * spf_record.c - strict parser of one SPF record (RFC 7208 4.5, 4.6.1,
 * 5, 6 and the ABNF of 12).
 *
 * spf_record_is_spf1(), spf_record_parse(), spf_record_free().
 *
 * Terms are separated by spaces (0x20) only; every byte of a term must
 * be visible ASCII (a control character or a non-ASCII byte is a syntax
 * error). A term is a modifier when it starts with name "=" (name =
 * ALPHA *(ALPHA / DIGIT / "-" / "_" / ".")), else a directive: an
 * optional qualifier and one of the eight mechanisms, with exactly the
 * arguments its ABNF allows. CIDR lengths: 0-32 and 0-128, no leading
 * zero. redirect= and exp= at most once each, with a non-empty valid
 * domain-spec; unknown modifiers need a valid macro-string.
 * Must not: expand macros or talk to DNS.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "auth/spf_macro.h"
#include "auth/spf_record.h"
#include "util/util.h"

bool
spf_record_is_spf1(const char *txt)
{
	return strncasecmp(txt, "v=spf1", 6) == 0 &&
	    (txt[6] == ' ' || txt[6] == '\0');
}

/* A CIDR length: 1 to 3 digits, no leading zero, at most MAX. */
static int
parse_length(const char *s, int max)
{
	size_t len = strlen(s);
	int value = 0;

	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		value = value * 10 + (s[i] - '0');
	}
	return value <= max ? value : -1;
}

static bool
all_digits(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

/* Cuts a trailing [ "/" ip4 ] [ "//" ip6 ] off ARG (a, mx). */
static int
cut_dual_cidr(char *arg, struct spf_term *t)
{
	char *slash = strrchr(arg, '/');

	if (slash == NULL || !all_digits(slash + 1))
		return 0;
	if (slash > arg && slash[-1] == '/') {
		if ((t->cidr6 = parse_length(slash + 1, 128)) < 0)
			return -1;
		*--slash = '\0';
		if ((slash = strrchr(arg, '/')) == NULL ||
		    !all_digits(slash + 1))
			return 0;
	}
	if ((t->cidr4 = parse_length(slash + 1, 32)) < 0)
		return -1;
	*slash = '\0';
	return 0;
}

/* A strict dotted quad (RFC 7208 ip4-network: no leading zeros). */
static bool
parse_ip4(const char *s, struct dns_address *out)
{
	int parts = 0;
	const char *p = s;
	uint8_t bytes[4];

	while (parts < 4) {
		size_t n = 0;
		int value = 0;

		while (isdigit((unsigned char)p[n]) && n < 4)
			value = value * 10 + (p[n++] - '0');
		if (n == 0 || n > 3 || (n > 1 && p[0] == '0') || value > 255)
			return false;
		bytes[parts++] = (uint8_t)value;
		p += n;
		if (parts < 4 && *p++ != '.')
			return false;
	}
	if (*p != '\0')
		return false;
	out->family = AF_INET;
	memcpy(&out->u.v4, bytes, 4);
	return true;
}

static int
parse_ip(char *arg, struct spf_term *t)
{
	char *slash = strchr(arg, '/');
	bool v4 = t->mechanism == SPF_MECH_IP4;

	if (slash != NULL) {
		*slash = '\0';
		if (v4 && (t->cidr4 = parse_length(slash + 1, 32)) < 0)
			return -1;
		if (!v4 && (t->cidr6 = parse_length(slash + 1, 128)) < 0)
			return -1;
	}
	if (v4)
		return parse_ip4(arg, &t->network) ? 0 : -1;
	if (strspn(arg, "0123456789abcdefABCDEF:.") != strlen(arg) ||
	    inet_pton(AF_INET6, arg, &t->network.u.v6) != 1)
		return -1;
	t->network.family = AF_INET6;
	return 0;
}

static const struct {
	const char *name;
	enum spf_mechanism mechanism;
	char argument;		/* 'n'one, 'o'ptional domain, 'r'equired */
	bool cidr;		/* dual-cidr-length allowed */
} mechanisms[] = {
	{ "all", SPF_MECH_ALL, 'n', false },
	{ "include", SPF_MECH_INCLUDE, 'r', false },
	{ "a", SPF_MECH_A, 'o', true },
	{ "mx", SPF_MECH_MX, 'o', true },
	{ "ptr", SPF_MECH_PTR, 'o', false },
	{ "ip4", SPF_MECH_IP4, 'i', false },
	{ "ip6", SPF_MECH_IP6, 'i', false },
	{ "exists", SPF_MECH_EXISTS, 'r', false },
};

/* A valid domain-spec, else -1 with WHY. */
static int
check_domain(const char *spec, char *why, size_t size)
{
	return spf_macro_check(spec, SPF_MACRO_DOMAIN, why, size) < 0 ? -1 : 0;
}

static int
parse_directive(char *term, struct spf_term *t, char *why, size_t size)
{
	size_t n;
	char *arg;

	memset(t, 0, sizeof(*t));
	t->qualifier = '+';
	t->cidr4 = 32;
	t->cidr6 = 128;
	if (strchr("+-~?", *term) != NULL)
		t->qualifier = *term++;
	n = strspn(term, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789");
	arg = term + n;
	for (size_t i = 0; i < sizeof(mechanisms) / sizeof(mechanisms[0]);
	    i++) {
		if (strlen(mechanisms[i].name) != n ||
		    strncasecmp(term, mechanisms[i].name, n) != 0)
			continue;
		t->mechanism = mechanisms[i].mechanism;
		if (mechanisms[i].cidr && cut_dual_cidr(arg, t) != 0)
			break;
		if (*arg == '\0' && mechanisms[i].argument != 'r' &&
		    mechanisms[i].argument != 'i')
			return 0;
		if (*arg != ':' || mechanisms[i].argument == 'n')
			break;
		if (mechanisms[i].argument == 'i')
			return parse_ip(arg + 1, t) == 0 ? 0 :
			    (snprintf(why, size, "bad address or prefix length"
			    " in \"%.40s\"", term), -1);
		t->domain = arg + 1;
		return check_domain(t->domain, why, size);
	}
	snprintf(why, size, "unknown mechanism or bad syntax: \"%.60s\"",
	    term);
	return -1;
}

/* NAME=VALUE; the value of redirect= and exp= is kept. */
static int
parse_modifier(char *term, char *equals, struct spf_record *r, char *why,
    size_t size)
{
	const char **slot = NULL;

	*equals = '\0';
	if (strcasecmp(term, "redirect") == 0)
		slot = &r->redirect;
	else if (strcasecmp(term, "exp") == 0)
		slot = &r->exp;
	if (slot == NULL)
		return spf_macro_check(equals + 1, SPF_MACRO_UNKNOWN, why,
		    size) < 0 ? -1 : 0;
	if (*slot != NULL) {
		snprintf(why, size, "%s= given twice", term);
		return -1;
	}
	*slot = equals + 1;
	if (**slot == '\0') {
		snprintf(why, size, "%s= without a domain", term);
		return -1;
	}
	return check_domain(*slot, why, size);
}

/* Bytes and macros of one term, before anything else looks at it. */
static int
term_bounded(const char *term, char *why, size_t size)
{
	size_t len = strlen(term), macros = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)term[i];

		if (c < 0x21 || c > 0x7e) {
			snprintf(why, size, "a control character or non-ASCII "
			    "byte (0x%02x) in the record", c);
			return -1;
		}
		if (c == '%' && term[i + 1] == '{')
			macros++;
	}
	if (len > SPF_TERM_MAX || macros > SPF_MACROS_MAX) {
		snprintf(why, size, "a term of %zu bytes with %zu macros (at "
		    "most %d and %d are evaluated)", len, macros,
		    SPF_TERM_MAX, SPF_MACROS_MAX);
		return -1;
	}
	return 0;
}

static int
parse_term(char *term, struct spf_record *r, char *why, size_t size)
{
	size_t n;

	if (term_bounded(term, why, size) != 0)
		return -1;
	if (isalpha((unsigned char)term[0])) {
		n = strspn(term, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
		    "QRSTUVWXYZ0123456789-_.");
		if (term[n] == '=')
			return parse_modifier(term, term + n, r, why, size);
	}
	r->terms = xreallocarray(r->terms, r->count + 1, sizeof(*r->terms));
	if (parse_directive(term, &r->terms[r->count], why, size) != 0)
		return -1;
	r->count++;
	return 0;
}

int
spf_record_parse(const char *txt, struct spf_record *r, char *why,
    size_t size)
{
	char *p, *term;

	memset(r, 0, sizeof(*r));
	if (!spf_record_is_spf1(txt)) {
		snprintf(why, size, "not an SPF record");
		return -1;
	}
	r->text = xstrdup(txt + 6);
	for (p = r->text; *p != '\0';) {
		if (*p == ' ') {
			p++;
			continue;
		}
		term = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (*p == ' ')
			*p++ = '\0';
		if (parse_term(term, r, why, size) != 0) {
			spf_record_free(r);
			return -1;
		}
	}
	return 0;
}

void
spf_record_free(struct spf_record *r)
{
	free(r->text);
	free(r->terms);
	memset(r, 0, sizeof(*r));
}
