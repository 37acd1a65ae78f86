/*
 * reply.c - Postfix's delivery status text taken apart: the remote's
 * reply or Postfix's own words, the continuation prefixes removed,
 * addresses and the remote's own names masked (see reply.h).
 *
 * reply_parse(), reply_host_is_address().
 * Must not: do DNS.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/dmarc.h"
#include "health/reply.h"
#include "util/util.h"

#define MASK '#'

/* "D.D{1,3}.D{1,3}" at P: its length, or 0. */
static size_t
reply_dsn_len(const char *p)
{
	const char *q = p;

	if (*q < '2' || *q > '5' || q[1] != '.')
		return 0;
	q += 2;
	for (int part = 0; part < 2; part++) {
		size_t n = 0;

		while (isdigit((unsigned char)*q) && n < 4)
			q++, n++;
		if (n == 0 || n > 3)
			return 0;
		if (part == 0 && *q++ != '.')
			return 0;
	}
	return (size_t)(q - p);
}

/* "NNN-X.Y.Z ", "NNN X.Y.Z " or "NNN-" at P: its length, or 0. */
static size_t
reply_prefix_len(const char *p)
{
	size_t n;

	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]) || (p[3] != '-' && p[3] != ' '))
		return 0;
	if ((n = reply_dsn_len(p + 4)) > 0 && (p[4 + n] == ' ' ||
	    p[4 + n] == '\0'))
		return 4 + n + (p[4 + n] == ' ');
	return p[3] == '-' ? 4 : 0;
}

/* The joined reply SRC into DST: prefixes and "(in reply to ...)" gone. */
static void
reply_join(const char *src, char *dst, size_t size)
{
	size_t n = 0, len, skip;
	const char *p = src, *tail;
	char first[24];

	/* The first line's code stays, as "NNN X.Y.Z ". */
	if ((skip = reply_prefix_len(p)) > 0) {
		len = skip < sizeof(first) ? skip : sizeof(first) - 1;
		memcpy(first, p, len);
		first[len] = '\0';
		first[3] = ' ';
		if (len > 4 && first[len - 1] != ' ' && len + 1 < sizeof(first))
			first[len++] = ' ', first[len] = '\0';
		n = copy_bounded(dst, size, first) ? 0 : len;
		p += skip;
	}
	while (*p != '\0' && n + 1 < size) {
		if (p != src && p[-1] == ' ' &&
		    (skip = reply_prefix_len(p)) > 0) {
			p += skip;
			continue;
		}
		dst[n++] = *p++;
	}
	dst[n] = '\0';
	/* Postfix's own "(in reply to ... command)" at the end. */
	len = strlen(dst);
	if ((tail = strstr(dst, " (in reply to ")) != NULL && len >= 8 &&
	    strcmp(dst + len - 8, "command)") == 0) {
		const char *later;

		while ((later = strstr(tail + 1, " (in reply to ")) != NULL)
			tail = later;
		dst[tail - dst] = '\0';
	}
	while ((len = strlen(dst)) > 0 && dst[len - 1] == ' ')
		dst[len - 1] = '\0';
}

static bool
reply_local_char(int c)
{
	return isalnum(c) || (c != '\0' && strchr("._%+=!#$&*/?^`{|}~-'", c));
}

static bool
reply_name_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_';
}

/* Masks S[FROM..TO) with one MASK, closing the gap. Returns FROM + 1. */
static size_t
reply_mask(char *s, size_t from, size_t to)
{
	s[from] = MASK;
	memmove(s + from + 1, s + to, strlen(s + to) + 1);
	return from + 1;
}

/* Mail addresses: the local part and the domain around each '@'. */
static void
reply_mask_addresses(char *s)
{
	char *at;
	size_t pos = 0;

	while ((at = strchr(s + pos, '@')) != NULL) {
		size_t a = (size_t)(at - s), from = a, to = a + 1;

		while (from > 0 && reply_local_char((unsigned char)s[from - 1]))
			from--;
		while (reply_name_char((unsigned char)s[to]))
			to++;
		pos = reply_mask(s, from, to);
	}
}

/* Is S[0..LEN) a dotted quad? */
static bool
reply_is_ipv4(const char *s, size_t len)
{
	int parts = 0, digits = 0;

	for (size_t i = 0; i < len; i++) {
		if (isdigit((unsigned char)s[i])) {
			if (++digits > 3)
				return false;
		} else if (s[i] == '.' && digits > 0) {
			parts++;
			digits = 0;
		} else
			return false;
	}
	return parts == 3 && digits > 0;
}

/* Is S[0..LEN) an IPv6 address (two colons or more, hex and dots)? */
static bool
reply_is_ipv6(const char *s, size_t len)
{
	int colons = 0, hex = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == ':')
			colons++;
		else if (isxdigit((unsigned char)s[i]))
			hex++;
		else if (s[i] != '.')
			return false;
	}
	return colons >= 2 && hex > 0;
}

/* IPv4 and IPv6 addresses. */
static void
reply_mask_ips(char *s)
{
	size_t i = 0;

	while (s[i] != '\0') {
		size_t j = i;

		if (!isxdigit((unsigned char)s[i]) && s[i] != ':') {
			i++;
			continue;
		}
		while (isxdigit((unsigned char)s[j]) || s[j] == '.' ||
		    s[j] == ':')
			j++;
		/* A sentence's full stop after a dotted quad. */
		size_t end = j > i && s[j - 1] == '.' ? j - 1 : j;
		bool bounded = (i == 0 || !isalnum((unsigned char)s[i - 1])) &&
		    !isalnum((unsigned char)s[j]);

		if (bounded && (reply_is_ipv4(s + i, end - i) ||
		    reply_is_ipv6(s + i, end - i)))
			i = reply_mask(s, i, end);
		else
			i = j > i ? j : i + 1;
	}
}

/*
 * The list operators whose zone and host names a refusal may name: their
 * names stay, so that "dbl.spamhaus.org" can tell a domain listing from
 * an address listing. Every other host name is masked.
 */
static const char *const reply_list_domains[] = {
	"spamhaus.org", "spamhaus.net", "spamcop.net", "barracudacentral.org",
	"barracuda.com", "uceprotect.net", "sorbs.net", "mail-abuse.com",
	"mail-abuse.org", "trendmicro.com", "proofpoint.com", "cloudmark.com",
	"abusix.org", "abusix.net", "abusix.com", "uribl.com", "surbl.org",
	"senderscore.com", "mimecast.org", "invaluement.com", NULL
};

static bool
reply_is_list_domain(const char *org)
{
	for (size_t i = 0; reply_list_domains[i] != NULL; i++)
		if (strcasecmp(org, reply_list_domains[i]) == 0)
			return true;
	return false;
}

/* Is S[0..LEN) a host name: two labels or more, the last alphabetic? */
static bool
reply_is_name(const char *s, size_t len)
{
	size_t last = len;

	if (len < 3 || memchr(s, '.', len) == NULL)
		return false;
	while (last > 0 && s[last - 1] != '.')
		last--;
	if (last == 0 || last == len || last == 1)
		return false;
	for (size_t i = last; i < len; i++)
		if (!isalpha((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * Host names: every name but a list operator's is masked, and the
 * remote's own (HOST's organisational domain) always.
 */
static void
reply_mask_names(char *s, const char *host)
{
	char own[256] = "", org[256], name[256];
	size_t i = 0;

	if (host[0] != '\0' && !reply_host_is_address(host))
		dmarc_org_domain(host, own, sizeof(own));
	while (s[i] != '\0') {
		size_t j = i, end, len;

		if (!reply_name_char((unsigned char)s[i])) {
			i++;
			continue;
		}
		while (reply_name_char((unsigned char)s[j]))
			j++;
		end = j;
		while (end > i && s[end - 1] == '.')
			end--;
		len = end - i;
		if (!reply_is_name(s + i, len) || len >= sizeof(name)) {
			i = j;
			continue;
		}
		memcpy(name, s + i, len);
		name[len] = '\0';
		dmarc_org_domain(name, org, sizeof(org));
		if (reply_is_list_domain(org) && strcasecmp(org, own) != 0)
			i = j;
		else
			i = reply_mask(s, i, end);
	}
}

bool
reply_host_is_address(const char *host)
{
	size_t len = strlen(host);

	return len == 0 || strcasecmp(host, "unknown") == 0 ||
	    reply_is_ipv4(host, len) || reply_is_ipv6(host, len) ||
	    host[0] == '[';
}

/* "NAME[ADDR]" at P, followed by " said: " or the greeting form. */
static bool
reply_host(const char *p, struct reply *r, const char **rest)
{
	const char *open = p, *close;
	static const char said[] = " said: ";
	static const char greet[] = " refused to talk to me: ";

	while (*open != '\0' && *open != '[' && *open != ' ')
		open++;
	if (*open != '[' || open == p || (close = strchr(open, ']')) == NULL ||
	    memchr(open, ' ', (size_t)(close - open)) != NULL)
		return false;
	if ((size_t)(open - p) >= sizeof(r->host) ||
	    (size_t)(close - open - 1) >= sizeof(r->addr))
		return false;
	memcpy(r->host, p, (size_t)(open - p));
	r->host[open - p] = '\0';
	memcpy(r->addr, open + 1, (size_t)(close - open - 1));
	r->addr[close - open - 1] = '\0';
	/* Postfix names a port after the brackets in some texts. */
	close++;
	if (*close == ':')
		while (isdigit((unsigned char)*++close))
			;
	if (strncmp(close, said, sizeof(said) - 1) == 0)
		*rest = close + sizeof(said) - 1;
	else if (strncmp(close, greet, sizeof(greet) - 1) == 0) {
		*rest = close + sizeof(greet) - 1;
		r->greeting = true;
	} else
		return false;
	return true;
}

int
reply_parse(const char *query, struct reply *r)
{
	size_t n = reply_dsn_len(query);
	const char *p, *rest;

	memset(r, 0, sizeof(*r));
	if (n == 0 || (query[n] != ' ' && query[n] != '\0') ||
	    n >= sizeof(r->dsn))
		return -1;
	memcpy(r->dsn, query, n);
	r->dsn[n] = '\0';
	r->class = query[0] - '0';
	p = query + n + (query[n] == ' ');
	if (strncmp(p, "host ", 5) != 0 || !reply_host(p + 5, r, &rest)) {
		r->host[0] = r->addr[0] = '\0';
		r->greeting = false;
		copy_bounded(r->text, sizeof(r->text), p);
		return 0;
	}
	/* A reply is a code and words: "said: " and nothing is no reply. */
	if (!isdigit((unsigned char)rest[0]))
		return 0;
	r->remote = true;
	reply_join(rest, r->text, sizeof(r->text));
	copy_bounded(r->match, sizeof(r->match), r->text);
	reply_mask_addresses(r->match);
	reply_mask_names(r->match, r->host);
	reply_mask_ips(r->match);
	return 0;
}
