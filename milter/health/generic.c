/*
 * generic.c - does a PTR name look generic (dynamic, residential, a
 * cloud or hosting provider's default name) for the address it was
 * looked up for?
 *
 * generic_name(NAME, ADDRESS, WHY, SIZE) walks generic_rules[] (the
 * table, with the provider format each row covers, is in
 * generic_rules.c and docs/generic-ptr.md) from the top; the first row
 * that matches decides. WHY gets the row's reason and, in parentheses,
 * what matched: "the address is written in the name (dashed, reversed)",
 * "a hosting provider's default name (stratoserver.net)". No row: not
 * generic ("no generic pattern").
 *
 * How a name is read: lower case, one trailing dot dropped, each escape
 * (\DDD or \X) read as one '?' so its digits never count. Tokens are the
 * non-empty pieces between '.', '-' and '_'. A "number" is a token that
 * starts with a digit, or 4+ hex digits with a digit among them. The
 * host part is what stands before the registrable domain (the ICANN
 * section of the Public Suffix List, libpsl's built-in copy; without it
 * the last two labels): keywords and mail-service words count only
 * there, never in the operator's own domain (dynamic-signal.example).
 *
 * Must not: do DNS or I/O (libpsl's built-in list is compiled in), or
 * allocate. Names over 253 characters are not judged ("name too long to
 * judge").
 */
#include "config.h"

#include <libpsl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "health/generic.h"
#include "health/generic_address.h"
#include "health/generic_rules.h"

static bool
is_digit(int c)
{
	return generic_digit_value(c, 10) >= 0;
}

/* Bytes of NAME before ".registrable-domain" (0: NAME is registrable). */
static size_t
host_part_length(const char *name)
{
	const psl_ctx_t *psl = psl_builtin();
	size_t at = 0, prev = 0;

	for (;;) {
		const char *label = name + at, *dot = strchr(label, '.');

		if (psl != NULL ? psl_is_public_suffix2(psl, label,
		    PSL_TYPE_ICANN) != 0 : dot == NULL)
			return prev == 0 ? 0 : prev - 1;
		if (dot == NULL)
			return 0;
		prev = at;
		at = (size_t)(dot - name) + 1;
	}
}

static void
read_address(struct generic_subject *s, const struct ip_address *address)
{
	s->address = address;
	s->nparts = 0;
	if (address->family == AF_INET) {
		const unsigned char *o = (const unsigned char *)&address->u.v4;

		for (; s->nparts < 4; s->nparts++)
			s->part[s->nparts] = o[s->nparts];
	} else if (address->family == AF_INET6) {
		const unsigned char *b = address->u.v6.s6_addr;

		for (size_t k = 0; k < 8; k++)
			s->part[k] = (unsigned long)(b[2 * k] << 8 |
			    b[2 * k + 1]);
		s->nparts = 8;
	}
}

/* Reads NAME (LEN <= GENERIC_NAME_LIMIT bytes) and ADDRESS into S. */
static void
subject_read(struct generic_subject *s, const char *name, size_t len,
    const struct ip_address *address)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '\\' && i + 1 < len) {
			i += (i + 3 < len && is_digit(name[i + 1]) &&
			    is_digit(name[i + 2]) && is_digit(name[i + 3])) ?
			    3 : 1;
			c = '?';
		}
		s->name[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	if (n > 0 && s->name[n - 1] == '.')
		n--;
	s->name[n] = '\0';
	s->len = n;
	s->host_len = host_part_length(s->name);
	s->nhost_labels = s->host_len > 0;
	for (size_t i = 0; i < s->host_len; i++)
		s->nhost_labels += s->name[i] == '.';
	s->ntokens = s->nhost_tokens = 0;
	for (size_t i = 0; i < n && s->ntokens < GENERIC_MAX_TOKENS;) {
		size_t tl = strcspn(s->name + i, ".-_");

		if (tl > 0) {
			s->token[s->ntokens++] = (struct generic_token){ i, tl };
			if (i + tl <= s->host_len)
				s->nhost_tokens = s->ntokens;
		}
		i += tl + 1;
	}
	read_address(s, address);
}

/* Token I is WORD, or WORD and digits (then *TRAILING), or with ONE
 * letter after the digits when LETTER. */
static bool
token_is_word(const struct generic_subject *s, size_t i, const char *word,
    bool letter, bool *trailing)
{
	const char *t = s->name + s->token[i].start;
	size_t len = s->token[i].len, wl = strlen(word), k = wl;

	if (len < wl || strncmp(t, word, wl) != 0)
		return false;
	while (k < len && is_digit(t[k]))
		k++;
	if (letter && k > wl && k + 1 == len && t[k] >= 'a' && t[k] <= 'z')
		k++;
	*trailing = len > wl;
	return k == len;
}

/* Token I exists and is a number (see the header). */
static bool
token_is_number(const struct generic_subject *s, size_t i)
{
	const char *t;
	bool digit = false;

	if (i >= s->ntokens)
		return false;
	t = s->name + s->token[i].start;
	if (is_digit(t[0]))
		return true;
	for (size_t k = 0; k < s->token[i].len; k++) {
		if (generic_digit_value(t[k], 16) < 0)
			return false;
		digit = digit || is_digit(t[k]);
	}
	return digit && s->token[i].len >= 4;
}

/* The label holding token I starts at that token. */
static bool
token_starts_label(const struct generic_subject *s, size_t i)
{
	size_t at = s->token[i].start;

	return at == 0 || s->name[at - 1] == '.';
}

/* Token I is a whole label, not the first, after a label with digits. */
static bool
token_is_zone_label(const struct generic_subject *s, size_t i)
{
	size_t at = s->token[i].start, end = at + s->token[i].len;

	if (at == 0 || s->name[at - 1] != '.' || (s->name[end] != '.' &&
	    s->name[end] != '\0'))
		return false;
	for (size_t k = 0; k < at; k++)
		if (is_digit(s->name[k]))
			return true;
	return false;
}

/* Tokens I and I+1 are two consecutive octets, in either order. */
static bool
tokens_are_octets(const struct generic_subject *s, size_t i)
{
	unsigned long v[2];

	if (s->nparts != 4 || i + 1 >= s->ntokens)
		return false;
	for (size_t k = 0; k < 2; k++) {
		const char *t = s->name + s->token[i + k].start;
		size_t len = s->token[i + k].len;

		if (len > 3 || strspn(t, "0123456789") < len)
			return false;
		v[k] = 0;
		for (size_t j = 0; j < len; j++)
			v[k] = v[k] * 10 + (unsigned long)(t[j] - '0');
	}
	for (size_t k = 0; k + 1 < 4; k++)
		if ((v[0] == s->part[k] && v[1] == s->part[k + 1]) ||
		    (v[1] == s->part[k] && v[0] == s->part[k + 1]))
			return true;
	return false;
}

/* Host token I is keyword K where providers put it. */
static bool
keyword_counts(const struct generic_subject *s, size_t i,
    const struct generic_keyword *k)
{
	bool trailing, near;

	if (!token_is_word(s, i, k->word, false, &trailing))
		return false;
	near = token_is_number(s, i + 1) || (i > 0 &&
	    token_is_number(s, i - 1));
	switch (k->need) {
	case GENERIC_NEED_DIGITS:
		return near || trailing || token_is_zone_label(s, i);
	case GENERIC_NEED_NUMBER:
		return near;
	case GENERIC_NEED_OCTETS:
		return !trailing && (tokens_are_octets(s, i + 1) ||
		    (i >= 2 && tokens_are_octets(s, i - 2)));
	}
	return false;
}

static const char *
keyword_found(const struct generic_subject *s)
{
	for (size_t i = 0; i < s->nhost_tokens; i++)
		for (size_t k = 0; generic_keywords[k].word != NULL; k++)
			if (keyword_counts(s, i, &generic_keywords[k]))
				return generic_keywords[k].word;
	return NULL;
}

static const char *
service_word(const struct generic_subject *s)
{
	bool trailing;

	for (size_t k = 0; s->ntokens > 0 && generic_service_first[k]; k++)
		if (token_is_word(s, 0, generic_service_first[k], true,
		    &trailing))
			return generic_service_first[k];
	for (size_t i = 0; i < s->nhost_tokens; i++)
		for (size_t k = 0; generic_service_anywhere[k] != NULL; k++)
			if (token_is_word(s, i, generic_service_anywhere[k],
			    false, &trailing) && !trailing)
				return generic_service_anywhere[k];
	return NULL;
}

/* A mail fleet's name, unless the address AND a keyword are written. */
static const char *
service(const struct generic_subject *s)
{
	const char *word = service_word(s);
	char how[64];

	if (word != NULL && generic_address_written(s, how, sizeof(how)) &&
	    keyword_found(s) != NULL)
		return NULL;
	return word;
}

/* The first label starts with PREFIX and a digit; NULL: a digit stands
 * somewhere in the first LEN bytes (what precedes the suffix). */
static bool
first_label_fits(const struct generic_subject *s, const char *prefix,
    size_t len)
{
	size_t pl = prefix ? strlen(prefix) : 0;
	size_t label = strcspn(s->name, ".");

	if (prefix != NULL)
		return label > pl && strncmp(s->name, prefix, pl) == 0 &&
		    is_digit(s->name[pl]);
	for (size_t i = 0; i < len; i++)
		if (is_digit(s->name[i]))
			return true;
	return false;
}

static const char *
provider_suffix(const struct generic_subject *s,
    const struct generic_suffix *list)
{
	for (size_t i = 0; list[i].suffix != NULL; i++) {
		size_t sl = strlen(list[i].suffix);

		if (s->len > sl + 1 && s->name[s->len - sl - 1] == '.' &&
		    strcmp(s->name + s->len - sl, list[i].suffix) == 0 &&
		    first_label_fits(s, list[i].prefix, s->len - sl - 1))
			return list[i].suffix;
	}
	return NULL;
}

static const char *
shared_name(const struct generic_subject *s)
{
	for (size_t i = 0; generic_shared_names[i] != NULL; i++)
		if (strcmp(s->name, generic_shared_names[i]) == 0)
			return generic_shared_names[i];
	if (s->nhost_labels != 1 || strpbrk(s->name, "0123456789"))
		return NULL;
	for (size_t i = 0; generic_shared_labels[i] != NULL; i++)
		if (strlen(generic_shared_labels[i]) == s->host_len &&
		    strncmp(s->name, generic_shared_labels[i], s->host_len) == 0)
			return generic_shared_labels[i];
	return NULL;
}

/* First token: 1-5 letters and 5+ digits; or a token of <= 4 letters
 * and 12+ hex digits. */
static bool
sequence_token(const struct generic_subject *s, size_t i, bool first)
{
	const char *t = s->name + s->token[i].start;
	size_t len = s->token[i].len, letters = 0, hex, digits = 0;

	while (letters < len && t[letters] >= 'a' && t[letters] <= 'z')
		letters++;
	if (first && letters >= 1 && letters <= 5 && len - letters >= 5 &&
	    strspn(t + letters, "0123456789") == len - letters)
		return true;
	for (letters = 0; letters < 4 && letters < len &&
	    generic_digit_value(t[letters], 16) < 0; letters++)
		;
	hex = 0;
	while (letters + hex < len && generic_digit_value(t[letters + hex],
	    16) >= 0)
		digits += is_digit(t[letters + hex++]);
	return letters + hex == len && hex >= 12 && digits >= 4;
}

static bool
sequence(const struct generic_subject *s)
{
	if (s->nhost_labels < 2)
		return false;
	for (size_t i = 0; i < s->nhost_tokens; i++)
		if (sequence_token(s, i, i == 0 && token_starts_label(s, i)))
			return true;
	return false;
}

/* Runs the test of R; DETAIL gets what matched. */
static bool
rule_matches(const struct generic_rule *r, const struct generic_subject *s,
    char *detail, size_t size)
{
	const char *found = NULL;

	switch (r->test) {
	case GENERIC_TEST_SHARED:
		found = shared_name(s);
		break;
	case GENERIC_TEST_CLOUD:
		found = provider_suffix(s, generic_cloud_suffixes);
		break;
	case GENERIC_TEST_HOSTING:
		found = provider_suffix(s, generic_hosting_suffixes);
		break;
	case GENERIC_TEST_SERVICE:
		found = service(s);
		break;
	case GENERIC_TEST_ADDRESS:
		return generic_address_written(s, detail, size);
	case GENERIC_TEST_PARTIAL:
		return generic_address_partial(s, detail, size);
	case GENERIC_TEST_KEYWORD:
		found = keyword_found(s);
		break;
	case GENERIC_TEST_SEQUENCE:
		found = sequence(s) ? "" : NULL;
		break;
	}
	if (found != NULL)
		snprintf(detail, size, "%s", found);
	return found != NULL;
}

static void __attribute__((format(printf, 3, 4)))
say(char *why, size_t size, const char *format, ...)
{
	va_list ap;

	if (why == NULL || size == 0)
		return;
	va_start(ap, format);
	vsnprintf(why, size, format, ap);
	va_end(ap);
}

bool
generic_name(const char *name, const struct ip_address *address,
    char *why, size_t size)
{
	struct generic_subject s;
	char detail[96];
	size_t len;

	if (name == NULL || address == NULL) {
		say(why, size, "no name to judge");
		return false;
	}
	len = strnlen(name, GENERIC_NAME_LIMIT + 1);
	if (len > GENERIC_NAME_LIMIT) {
		say(why, size, "name too long to judge");
		return false;
	}
	subject_read(&s, name, len, address);
	for (size_t i = 0; i < generic_nrules; i++) {
		const struct generic_rule *r = &generic_rules[i];

		detail[0] = '\0';
		if (!rule_matches(r, &s, detail, sizeof(detail)))
			continue;
		if (detail[0] != '\0' && (!r->generic ||
		    r->test == GENERIC_TEST_KEYWORD))
			say(why, size, "%s (\"%s\")", r->reason, detail);
		else if (detail[0] != '\0')
			say(why, size, "%s (%s)", r->reason, detail);
		else
			say(why, size, "%s", r->reason);
		return r->generic;
	}
	say(why, size, "no generic pattern");
	return false;
}
