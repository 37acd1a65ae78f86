/*
 * from.c - mailboxes of a From header field (RFC 5322 3.4, with the
 * obsolete forms mail really carries).
 *
 * from_parse(), from_merge(), header_facts_note(), header_single_name().
 *
 * A small scanner: comments "(...)" (nested, with quoted pairs) are
 * skipped; quoted strings are kept whole; ',' and ';' end a mailbox
 * (outside angle brackets); ':' opens a group whose name is not an
 * address. Each mailbox is the text inside "<...>" if any, else the
 * whole item; its domain is what follows the last '@' outside quotes.
 * header_facts_note() notes, field by field, what the receivers' format
 * rules look at: single-instance fields seen twice, the Message-ID's
 * form, the marks of bulk mail and of one-click unsubscribe (RFC 8058).
 * Must not: allocate, do I/O or DNS. Input is bounded to 4096 bytes.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "auth/from.h"

#define VALUE_MAX FROM_VALUE_MAX

/* Skips a comment at P ('('); returns the byte after it or NULL. */
static const char *
skip_comment(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	return NULL;
}

static void
put(struct from_scan *s, char c)
{
	if (s->angle) {
		if (s->angled_len + 1 < sizeof(s->angled))
			s->angled[s->angled_len++] = c;
	} else if (s->len + 1 < sizeof(s->item)) {
		s->item[s->len++] = c;
	}
}

/* The domain of ADDR (after the last '@' outside quotes), or "". */
static bool
address_domain(const char *addr, size_t len, char *domain, size_t size)
{
	const char *at = NULL;
	bool quoted = false;
	size_t dl = 0;

	for (size_t i = 0; i < len; i++) {
		if (addr[i] == '"')
			quoted = !quoted;
		else if (addr[i] == '\\' && i + 1 < len)
			i++;
		else if (addr[i] == '@' && !quoted)
			at = addr + i;
	}
	if (at == NULL || at == addr)
		return false;
	for (const char *p = at + 1; p < addr + len; p++) {
		if (isspace((unsigned char)*p))
			continue;
		if (dl + 1 >= size || *p == '@' || *p == '<' || *p == '>')
			return false;
		domain[dl++] = (char)tolower((unsigned char)*p);
	}
	domain[dl] = '\0';
	if (dl > 0 && domain[dl - 1] == '.')
		domain[--dl] = '\0';
	return dl > 0;
}

/* Adds DOMAIN to OUT's distinct domains (while there is room). */
static void
add_domain(struct from_result *out, const char *domain)
{
	for (unsigned i = 0; i < out->ndomains; i++)
		if (strcmp(out->domains[i], domain) == 0)
			return;
	if (out->ndomains < FROM_DOMAINS_MAX)
		memcpy(out->domains[out->ndomains++], domain,
		    strlen(domain) + 1);
}

void
from_merge(struct from_result *into, const struct from_result *more)
{
	for (unsigned i = 0; i < more->ndomains; i++)
		add_domain(into, more->domains[i]);
}

/* Ends the current item: counts it when it is a mailbox. */
static int
finish_item(struct from_scan *s, struct from_result *out)
{
	const char *addr = s->had_angle ? s->angled : s->item;
	size_t len = s->had_angle ? s->angled_len : s->len;
	char domain[DNS_NAME_MAX + 1];
	bool blank = true;

	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)addr[i]))
			blank = false;
	if (!blank) {
		if (!address_domain(addr, len, domain, sizeof(domain)))
			return -1;
		if (out->mailboxes++ == 0)
			memcpy(out->domain, domain, strlen(domain) + 1);
		add_domain(out, domain);
	}
	s->len = s->angled_len = 0;
	s->had_angle = s->angle = false;
	return 0;
}

void
from_parse(const char *value, struct from_result *out,
    struct from_scan *scan)
{
	struct from_scan *const s = scan;
	const char *p = value;

	out->mailboxes = 0;
	out->domain[0] = '\0';
	out->ndomains = 0;
	s->len = s->angled_len = 0;
	s->angle = s->had_angle = false;
	if (strlen(value) >= VALUE_MAX) {
		out->mailboxes = -1;
		return;
	}
	while (*p) {
		if (*p == '(') {
			if ((p = skip_comment(p)) == NULL)
				break;
			put(s, ' ');
			continue;
		}
		if (*p == '"') {	/* a quoted string, kept whole */
			put(s, *p++);
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					put(s, *p++);
				put(s, *p++);
			}
			if (*p)
				put(s, *p++);
			continue;
		}
		if (*p == '<' && !s->angle) {
			s->angle = s->had_angle = true;
			s->angled_len = 0;
		} else if (*p == '>' && s->angle) {
			s->angle = false;
		} else if (*p == ':' && !s->angle) {
			s->len = 0;	/* a group name: not an address */
		} else if ((*p == ',' || *p == ';') && !s->angle) {
			if (finish_item(s, out) != 0)
				goto bad;
		} else {
			put(s, *p);
		}
		p++;
	}
	if (p == NULL || s->angle || finish_item(s, out) != 0)
		goto bad;
	return;
bad:
	out->mailboxes = -1;
	out->domain[0] = '\0';
}

static const char *const single_names[HS_COUNT] = {
	[HS_DATE] = "Date", [HS_FROM] = "From", [HS_SENDER] = "Sender",
	[HS_REPLY_TO] = "Reply-To", [HS_TO] = "To", [HS_CC] = "Cc",
	[HS_BCC] = "Bcc", [HS_MESSAGE_ID] = "Message-ID",
	[HS_IN_REPLY_TO] = "In-Reply-To", [HS_REFERENCES] = "References",
	[HS_SUBJECT] = "Subject",
};

const char *
header_single_name(enum header_single field)
{
	return (unsigned)field < HS_COUNT ? single_names[field] : "?";
}

/* Whether VALUE is one msg-id, "<left@right>" (RFC 5322 3.6.4). */
static bool
message_id_valid(const char *value)
{
	const char *p = value, *at = NULL, *close;

	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != '<' || (close = strchr(p, '>')) == NULL)
		return false;
	for (const char *q = p; q < close; q++) {
		if (*q == '@') {
			if (at != NULL)
				return false;
			at = q;
		} else if (isspace((unsigned char)*q) || *q == '<' ||
		    (unsigned char)*q < 33 || (unsigned char)*q > 126) {
			return false;
		}
	}
	if (at == NULL || at == p || at + 1 == close)
		return false;
	for (p = close + 1; isspace((unsigned char)*p); p++)
		;
	return *p == '\0';
}

/* Whether VALUE, spaces aside, is TEXT (without case). */
static bool
value_is(const char *value, const char *text)
{
	size_t n = strlen(text);

	while (isspace((unsigned char)*value))
		value++;
	if (strncasecmp(value, text, n) != 0)
		return false;
	for (value += n; isspace((unsigned char)*value); value++)
		;
	return *value == '\0';
}

/* Whether a List-Unsubscribe value holds an https URI. */
static bool
has_https_uri(const char *value)
{
	for (const char *p = value; (p = strchr(p, '<')) != NULL; p++) {
		while (isspace((unsigned char)p[1]))
			p++;
		if (strncasecmp(p + 1, "https:", 6) == 0)
			return true;
	}
	return false;
}

void
header_facts_note(struct header_facts *h, const char *name,
    const char *value)
{
	for (int i = 0; i < HS_COUNT; i++)
		if (strcasecmp(name, single_names[i]) == 0) {
			if (i == HS_MESSAGE_ID && h->count[i] == 0)
				h->message_id_valid = message_id_valid(value);
			if (h->count[i] < 255)
				h->count[i]++;
			return;
		}
	if (strncasecmp(name, "List-", 5) == 0) {
		if (strcasecmp(name + 5, "Id") == 0)
			h->bulk = true;
		else if (strcasecmp(name + 5, "Unsubscribe") == 0)
			h->unsubscribe_https |= has_https_uri(value);
		else if (strcasecmp(name + 5, "Unsubscribe-Post") == 0)
			h->one_click |= value_is(value,
			    "List-Unsubscribe=One-Click");
	} else if (strcasecmp(name, "Feedback-ID") == 0) {
		h->bulk = true;
	} else if (strcasecmp(name, "Precedence") == 0) {
		h->bulk |= value_is(value, "bulk") || value_is(value, "list");
	}
}
