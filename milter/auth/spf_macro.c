/*
 * spf_macro.c - SPF macros (RFC 7208 section 7).
 *
 * spf_macro_check(), spf_macro_expand(), spf_macro_ip_dotted().
 *
 * macro-expand = "%{" letter *DIGIT ["r"] *delimiter "}" / "%%" / "%_"
 * / "%-"; any other "%" is a syntax error, as is a letter the use does
 * not allow (c, r, t only in explanations), a count of 0, and for a
 * domain-spec an end that is neither a macro nor "." and a top label
 * (toplabel = alphanumerics with a letter, or with inner dashes).
 * Expansion splits a value on its delimiters (default "."), reverses,
 * keeps the right-hand parts and joins them with "."; an upper-case
 * letter URL-escapes the result (RFC 3986 unreserved characters kept,
 * others as %XX in upper case). Outputs are bounded by the caller's
 * buffer; a domain longer than 253 loses labels from the left.
 * Must not: talk to DNS (%{p} is the caller's callback).
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "auth/spf_macro.h"

#define DELIMITERS ".-+,/_="
#define VALUE_MAX 1024		/* one macro's value before escaping */

static bool
letter_allowed(char letter, enum spf_macro_use use)
{
	letter = (char)tolower((unsigned char)letter);
	if (strchr("slodiphv", letter) != NULL)
		return true;
	return use == SPF_MACRO_EXPLANATION && strchr("crt", letter) != NULL;
}

/* The length of the %{...} at S (S[0] is '%', S[1] '{'), or 0. */
static size_t
macro_length(const char *s, enum spf_macro_use use)
{
	size_t i = 2;

	if (s[i] == '\0' || !letter_allowed(s[i], use))
		return 0;
	i++;
	if (s[i] == '0')
		return 0;	/* "the value MUST be at least one" */
	while (isdigit((unsigned char)s[i]))
		i++;
	if (s[i] == 'r' || s[i] == 'R')
		i++;
	while (s[i] != '\0' && strchr(DELIMITERS, s[i]) != NULL)
		i++;
	return s[i] == '}' ? i + 1 : 0;
}

static bool
is_toplabel(const char *s, size_t len)
{
	bool alpha = false, dash = false;

	if (len == 0 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '-')
			dash = true;
		else if (isalpha((unsigned char)s[i]))
			alpha = true;
		else if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return alpha || dash;
}

/* domain-end = ( "." toplabel [ "." ] ) / macro-expand (7.1). */
static bool
domain_end_ok(const char *s, size_t len, size_t last_macro_end)
{
	const char *dot;

	if (last_macro_end == len && len > 0)
		return true;
	if (len > 0 && s[len - 1] == '.')
		len--;
	for (dot = s + len; dot > s && dot[-1] != '.'; dot--)
		;
	if (dot == s || (size_t)(dot - s) <= last_macro_end)
		return false;
	return is_toplabel(dot, (size_t)(s + len - dot));
}

int
spf_macro_check(const char *s, enum spf_macro_use use, char *why,
    size_t size)
{
	size_t len = strlen(s), i = 0, n, last_end = 0;
	int macros = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c != '%') {
			if (c < 0x20 || c > 0x7e || (c == ' ' &&
			    use != SPF_MACRO_EXPLANATION)) {
				snprintf(why, size, "a byte 0x%02x that a "
				    "macro-string cannot hold", c);
				return -1;
			}
			i++;
			continue;
		}
		if (s[i + 1] == '%' || s[i + 1] == '_' || s[i + 1] == '-') {
			i += 2;
			last_end = i;
			continue;
		}
		if (s[i + 1] != '{' || (n = macro_length(s + i, use)) == 0) {
			snprintf(why, size, "bad macro at \"%.20s\"", s + i);
			return -1;
		}
		i += n;
		last_end = i;
		macros++;
	}
	if (use == SPF_MACRO_DOMAIN && !domain_end_ok(s, len, last_end)) {
		snprintf(why, size, "\"%.60s\" does not end in a macro or a "
		    "top label", s);
		return -1;
	}
	return macros;
}

void
spf_macro_ip_dotted(const struct dns_address *ip, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	const uint8_t *b = (const uint8_t *)&ip->u;
	size_t used = 0;

	if (ip->family == AF_INET) {
		snprintf(out, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		return;
	}
	for (int i = 0; i < 16 && used + 4 < size; i++) {
		out[used++] = hex[b[i] >> 4];
		out[used++] = '.';
		out[used++] = hex[b[i] & 15];
		out[used++] = '.';
	}
	out[used > 0 ? used - 1 : 0] = '\0';
}

/* The raw value of one macro letter into OUT. */
static void
letter_value(char letter, const struct spf_macro_input *in, char *out,
    size_t size)
{
	switch (tolower((unsigned char)letter)) {
	case 's':
		snprintf(out, size, "%s@%s", in->local, in->sender_domain);
		if (in->used_local != NULL)
			*in->used_local = true;
		break;
	case 'l':
		snprintf(out, size, "%s", in->local);
		if (in->used_local != NULL)
			*in->used_local = true;
		break;
	case 'o': snprintf(out, size, "%s", in->sender_domain); break;
	case 'd': snprintf(out, size, "%s", in->domain); break;
	case 'h': snprintf(out, size, "%s", in->helo); break;
	case 'r': snprintf(out, size, "%s", in->receiver); break;
	case 'i': spf_macro_ip_dotted(in->ip, out, size); break;
	case 'v':
		snprintf(out, size, "%s", in->ip->family == AF_INET ?
		    "in-addr" : "ip6");
		break;
	case 'c':
		if (inet_ntop(in->ip->family, &in->ip->u, out,
		    (socklen_t)size) == NULL)
			snprintf(out, size, "unknown");
		break;
	case 't': snprintf(out, size, "%lld", (long long)time(NULL)); break;
	case 'p': in->validated_name(in->arg, in->domain, out, size); break;
	default: snprintf(out, size, "unknown"); break;
	}
}

/* Appends LEN bytes of S to OUT; false when they do not fit. */
static bool
append(char *out, size_t size, size_t *used, const char *s, size_t len)
{
	if (*used + len >= size)
		return false;
	memcpy(out + *used, s, len);
	*used += len;
	out[*used] = '\0';
	return true;
}

/* Split, reverse, keep the right-hand parts, join with ".". */
static void
transform(char *value, size_t keep, bool reverse, const char *delimiters)
{
	char *parts[VALUE_MAX / 2 + 1], copy[VALUE_MAX];
	size_t n = 0, first, used = 0;
	char *p = copy;

	snprintf(copy, sizeof(copy), "%s", value);
	parts[n++] = p;
	for (; *p; p++)
		if (strchr(delimiters, *p) != NULL && n < VALUE_MAX / 2) {
			*p = '\0';
			parts[n++] = p + 1;
		}
	for (size_t i = 0; reverse && i < n / 2; i++) {
		char *t = parts[i];

		parts[i] = parts[n - 1 - i];
		parts[n - 1 - i] = t;
	}
	first = keep > 0 && keep < n ? n - keep : 0;
	value[0] = '\0';
	for (size_t i = first; i < n; i++)
		used += (size_t)snprintf(value + used, VALUE_MAX - used, "%s%s",
		    i > first ? "." : "", parts[i]);
}

/* Expands the %{...} at S (of length LEN) and appends it to OUT. */
static bool
expand_one(const char *s, size_t len, const struct spf_macro_input *in,
    char *out, size_t size, size_t *used)
{
	char value[VALUE_MAX], delimiters[16] = "";
	size_t i = 3, keep = 0, nd = 0;
	bool reverse = false, escape = isupper((unsigned char)s[2]);

	letter_value(s[2], in, value, sizeof(value));
	while (isdigit((unsigned char)s[i])) {
		keep = keep * 10 + (size_t)(s[i++] - '0');
		if (keep > VALUE_MAX)
			keep = VALUE_MAX;	/* more parts than any value */
	}
	if (s[i] == 'r' || s[i] == 'R') {
		reverse = true;
		i++;
	}
	while (i < len - 1 && nd < sizeof(delimiters) - 1)
		delimiters[nd++] = s[i++];
	delimiters[nd] = '\0';
	transform(value, keep, reverse, nd ? delimiters : ".");
	for (const char *p = value; *p; p++) {
		char hex[4];

		if (!escape || isalnum((unsigned char)*p) ||
		    strchr("-._~", *p) != NULL) {
			if (!append(out, size, used, p, 1))
				return false;
			continue;
		}
		snprintf(hex, sizeof(hex), "%%%02X", (unsigned char)*p);
		if (!append(out, size, used, hex, 3))
			return false;
	}
	return true;
}

/* 7.3: over 253 characters, labels go from the left; no final dot. */
static void
fit_domain(char *out)
{
	size_t len = strlen(out);
	char *p = out;

	if (len > 0 && out[len - 1] == '.')
		out[--len] = '\0';
	while (len > DNS_NAME_MAX) {
		char *dot = strchr(p, '.');

		if (dot == NULL)
			break;
		len -= (size_t)(dot + 1 - p);
		p = dot + 1;
	}
	memmove(out, p, len + 1);
}

int
spf_macro_expand(const char *s, enum spf_macro_use use,
    const struct spf_macro_input *in, char *out, size_t size)
{
	size_t used = 0, n;
	bool ok = true;

	if (size == 0)
		return -1;
	out[0] = '\0';
	for (size_t i = 0; s[i] != '\0' && ok;) {
		if (s[i] != '%') {
			ok = append(out, size, &used, s + i++, 1);
			continue;
		}
		if (s[i + 1] == '%' || s[i + 1] == '_' || s[i + 1] == '-') {
			ok = append(out, size, &used, s[i + 1] == '%' ? "%" :
			    s[i + 1] == '_' ? " " : "%20", s[i + 1] == '-' ?
			    3 : 1);
			i += 2;
			continue;
		}
		if ((n = macro_length(s + i, use)) == 0)
			return -1;
		ok = expand_one(s + i, n, in, out, size, &used);
		i += n;
	}
	if (!ok)
		return -1;
	if (use == SPF_MACRO_DOMAIN)
		fit_domain(out);
	return 0;
}
