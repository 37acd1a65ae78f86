/*
 * generic.c - generic (dynamic, residential, cloud default) PTR names.
 *
 * generic_name().
 *
 * The rules, in the order they are tried (documented in
 * egress-milter.conf(5) under generic-ptr; keep the two equal):
 *
 *  1. The address is written in the name. IPv4: the four octets as four
 *     consecutive numbers in order or reversed, with any separators and
 *     zero padding (ec2-203-0-113-7..., 203-000-113-007...,
 *     7.113.0.203.in-addr.example, ip-203-0-113-7...), the twelve digits
 *     run together (203000113007), or the 8 hex digits (cb007107, either
 *     byte order). IPv6: the 32 hex digits in order or reversed (nibble
 *     names), or the compressed form with '-' for ':' (2001-db8--10).
 *     This rule wins over the exceptions of rule 2.
 *  2. Exceptions: a name whose first label starts with a mail-service
 *     word (mail, smtp, mx, out, outbound, mta, relay, mailout, smtpout,
 *     email, mailer, post), digits allowed after it (smtp2, mx01,
 *     mail-3, out-03), is not generic.
 *  3. A cloud provider's default name: the suffixes in cloud_suffixes[]
 *     (compute.amazonaws.com, compute-1.amazonaws.com, compute.internal,
 *     bc.googleusercontent.com, cloudapp.net, cloudapp.azure.com,
 *     members.linode.com, vps.ovh.net, your-server.de, ...).
 *  4. A dynamic-space keyword (keywords[]: dyn, dynamic, dhcp, pool,
 *     dsl, cable, cpe, ppp, dialup, client, user, broadband, vps, ...)
 *     as a whole token (labels split at '.', '-', '_'), alone or followed
 *     by digits (dsl123), in a name that has digits before its last two
 *     labels ("dyn.example.com" alone is not enough).
 *
 * Must not: do DNS or I/O. Names over 253 characters are not judged.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "generic.h"

#define NAME_BUF 256
#define MAX_RUNS 64

static const char *const service_words[] = {
	"mail", "smtp", "mx", "out", "outbound", "mta", "relay", "mailout",
	"smtpout", "email", "mailer", "post", NULL
};

static const char *const cloud_suffixes[] = {
	".compute.amazonaws.com", ".compute-1.amazonaws.com",
	".compute.amazonaws.com.cn", ".compute.internal",
	".bc.googleusercontent.com", ".cloudapp.net", ".cloudapp.azure.com",
	".members.linode.com", ".ip.linodeusercontent.com", ".vps.ovh.net",
	".vps.ovh.ca", ".your-server.de", ".static.akamaitechnologies.com",
	".vultrusercontent.com", ".contaboserver.net", NULL
};

static const char *const keywords[] = {
	"dyn", "dynamic", "dynip", "dhcp", "pool", "dsl", "adsl", "vdsl",
	"xdsl", "cable", "cpe", "ppp", "pppoe", "dialup", "dial", "client",
	"clients", "user", "users", "broadband", "vps", "static",
	"host", "ip", "customer", "cust", "residential", "nat",
	"unassigned", "ec2", "compute", "wireless", "mobile", "fttx",
	"ftth", "catv", "modem", "subscriber", "unknown", "noname", NULL
};

struct runs {
	unsigned long value[MAX_RUNS];	/* maximal digit runs, in order */
	size_t len[MAX_RUNS];
	size_t n;
};

static void
digit_runs(const char *name, struct runs *r)
{
	r->n = 0;
	for (const char *p = name; *p && r->n < MAX_RUNS;) {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		size_t len = strspn(p, "0123456789");
		r->value[r->n] = len > 6 ? 999999 : strtoul(p, NULL, 10);
		r->len[r->n++] = len;
		p += len;
	}
}

/* Four consecutive runs equal to OCTETS, forwards or backwards. */
static const char *
octets_in_runs(const struct runs *r, const unsigned char *o)
{
	for (size_t i = 0; i + 4 <= r->n; i++) {
		bool fwd = true, rev = true;

		for (int k = 0; k < 4; k++) {
			fwd = fwd && r->value[i + k] == o[k] && r->len[i + k] <= 3;
			rev = rev && r->value[i + k] == o[3 - k] &&
			    r->len[i + k] <= 3;
		}
		if (fwd)
			return "written in the name";
		if (rev)
			return "written in the name, octets reversed";
	}
	return NULL;
}

static const char *
ipv4_in_name(const char *name, const struct in_addr *addr)
{
	const unsigned char *o = (const unsigned char *)addr;
	char text[16];
	struct runs r;
	const char *how;

	digit_runs(name, &r);
	if ((how = octets_in_runs(&r, o)) != NULL)
		return how;
	snprintf(text, sizeof(text), "%03u%03u%03u%03u", o[0], o[1], o[2],
	    o[3]);
	if (strstr(name, text))
		return "written in the name as twelve digits";
	snprintf(text, sizeof(text), "%03u%03u%03u%03u", o[3], o[2], o[1],
	    o[0]);
	if (strstr(name, text))
		return "written in the name as twelve digits, reversed";
	snprintf(text, sizeof(text), "%02x%02x%02x%02x", o[0], o[1], o[2],
	    o[3]);
	if (strstr(name, text))
		return "written in the name in hex";
	snprintf(text, sizeof(text), "%02x%02x%02x%02x", o[3], o[2], o[1],
	    o[0]);
	if (strstr(name, text))
		return "written in the name in hex, bytes reversed";
	return NULL;
}

static const char *
ipv6_in_name(const char *name, const struct in6_addr *addr)
{
	char squashed[NAME_BUF], hex[33], rev[33], text[INET6_ADDRSTRLEN];
	size_t n = 0;

	for (const char *p = name; *p && n + 1 < sizeof(squashed); p++)
		if (!strchr(".-_:", *p))
			squashed[n++] = *p;
	squashed[n] = '\0';
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", addr->s6_addr[i]);
	for (int i = 0; i < 32; i++)
		rev[i] = hex[31 - i];
	rev[32] = '\0';
	if (strstr(squashed, hex))
		return "written in the name as 32 hex digits";
	if (strstr(squashed, rev))
		return "written in the name as reversed nibbles";
	inet_ntop(AF_INET6, addr, text, sizeof(text));
	for (char *p = text; *p; p++)
		if (*p == ':')
			*p = '-';
	if (strstr(name, text))
		return "written in the name with '-' for ':'";
	return NULL;
}

/* WORD, optionally followed by digits and separators, starts LABEL. */
static bool
starts_with_word(const char *label, size_t len, const char *word)
{
	size_t wl = strlen(word);

	if (len < wl || strncmp(label, word, wl) != 0)
		return false;
	for (size_t i = wl; i < len; i++)
		if (!isdigit((unsigned char)label[i]))
			return label[i] == '-' || label[i] == '_';
	return true;
}

static const char *
service_name(const char *name)
{
	size_t len = strcspn(name, ".");

	for (size_t i = 0; service_words[i]; i++)
		if (starts_with_word(name, len, service_words[i]))
			return service_words[i];
	return NULL;
}

static const char *
cloud_suffix(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; cloud_suffixes[i]; i++) {
		size_t sl = strlen(cloud_suffixes[i]);

		if (len > sl && strcmp(name + len - sl, cloud_suffixes[i]) == 0)
			return cloud_suffixes[i] + 1;
	}
	return NULL;
}

/* Digits anywhere before the last two labels. */
static bool
digits_in_host_part(const char *name)
{
	const char *end = name + strlen(name);
	int dots = 0;

	while (end > name && dots < 2)
		if (*--end == '.')
			dots++;
	for (const char *p = name; p < end; p++)
		if (isdigit((unsigned char)*p))
			return true;
	return false;
}

/* TOKEN (LEN bytes) is KEYWORD, or KEYWORD followed by digits. */
static bool
token_is_keyword(const char *token, size_t len, const char *keyword)
{
	size_t kl = strlen(keyword);

	if (len < kl || strncmp(token, keyword, kl) != 0)
		return false;
	for (size_t i = kl; i < len; i++)
		if (!isdigit((unsigned char)token[i]))
			return false;
	return true;
}

static const char *
keyword_token(const char *name)
{
	for (const char *p = name; *p;) {
		size_t len = strcspn(p, ".-_");

		for (size_t i = 0; len > 0 && keywords[i]; i++)
			if (token_is_keyword(p, len, keywords[i]))
				return keywords[i];
		p += len;
		if (*p)
			p++;
	}
	return NULL;
}

bool
generic_name(const char *name, const struct conf_address *address,
    char *why, size_t size)
{
	char lower[NAME_BUF];
	size_t len = strlen(name);
	const char *how;

	if (len > 253) {
		snprintf(why, size, "name too long to judge");
		return false;
	}
	for (size_t i = 0; i <= len; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	how = address->family == AF_INET ? ipv4_in_name(lower,
	    &address->u.v4) : ipv6_in_name(lower, &address->u.v6);
	if (how != NULL) {
		snprintf(why, size, "the address %s is %s", address->text, how);
		return true;
	}
	if ((how = service_name(lower)) != NULL) {
		snprintf(why, size, "a mail service name (\"%s\")", how);
		return false;
	}
	if ((how = cloud_suffix(lower)) != NULL) {
		snprintf(why, size, "a cloud provider's default name (%s)", how);
		return true;
	}
	if ((how = keyword_token(lower)) != NULL && digits_in_host_part(lower)) {
		snprintf(why, size, "keyword \"%s\" next to digits", how);
		return true;
	}
	snprintf(why, size, "no generic pattern");
	return false;
}
