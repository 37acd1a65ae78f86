/*
 * conf_value.c - validation of single configuration values.
 *
 * value_socket(), value_hostname(), value_name(), value_header_name(),
 * value_nameserver(), value_codes(), value_int(), value_bool(),
 * value_facility(), value_log_level(), value_suggest().
 * Every check is strict: a value the milter could misread is refused
 * here, with a message that says what was expected.
 * Must not: read files, allocate, or touch the network.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "conf/conf_address.h"
#include "conf/conf_value.h"

static int
parse_port(const char *text, uint16_t *out)
{
	char *end;
	long port;

	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	port = strtol(text, &end, 10);
	if (errno || *end != '\0' || port < 1 || port > 65535)
		return -1;
	*out = (uint16_t)port;
	return 0;
}

const char *
value_socket(const char *text)
{
	const char *rest;
	char port[16];
	uint16_t unused;

	if (strncasecmp(text, "unix:", 5) == 0 ||
	    strncasecmp(text, "local:", 6) == 0) {
		rest = strchr(text, ':') + 1;
		if (rest[0] != '/')
			return "a unix socket needs an absolute path "
			    "(unix:/run/egress-milter/egress-milter.sock)";
		if (strlen(rest) > 107)
			return "unix socket path longer than 107 characters";
		return NULL;
	}
	if (strncasecmp(text, "inet:", 5) == 0)
		rest = text + 5;
	else if (strncasecmp(text, "inet6:", 6) == 0)
		rest = text + 6;
	else
		return "expected unix:/path, inet:PORT@HOST or inet6:PORT@HOST";
	size_t len = strcspn(rest, "@");
	if (len == 0 || len >= sizeof(port))
		return "missing or bad port (expected inet:PORT@HOST)";
	memcpy(port, rest, len);
	port[len] = '\0';
	if (parse_port(port, &unused) != 0)
		return "port must be a number from 1 to 65535";
	if (rest[len] == '@' && rest[len + 1] == '\0')
		return "empty host after '@'";
	return NULL;
}

const char *
value_hostname(const char *text)
{
	size_t label = 0, len = strlen(text);

	if (len == 0 || len > 253)
		return "a host name has 1 to 253 characters";
	for (const char *p = text; *p; p++) {
		if (*p == '.') {
			if (label == 0)
				return "empty label in host name";
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return "a host name has only letters, digits, '-', "
			    "'_' and dots";
		if (++label > 63)
			return "a label of a host name has 63 characters "
			    "at most";
	}
	return NULL;
}

const char *
value_name(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > CONF_NAME_MAX)
		return "a name has 1 to 64 characters";
	for (const char *p = text; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._:@[]-", *p))
			return "a name has only letters, digits and . _ : @ "
			    "[ ] -";
	return NULL;
}

const char *
value_header_name(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > 64)
		return "a header name has 1 to 64 characters";
	for (const char *p = text; *p; p++)
		if (*p < 33 || *p > 126 || *p == ':')
			return "a header name has only printable characters "
			    "and no ':'";
	return NULL;
}

const char *
value_nameserver(const char *text, struct dns_nameserver *out, char *msg,
    size_t msgsize)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL;
	size_t len;

	out->port = 53;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL)
			return "missing ']' after an IPv6 address";
		len = (size_t)(close - text - 1);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return "expected [IPv6]:PORT";
		text++;
	} else {
		const char *colon = strchr(text, ':');

		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			len = (size_t)(colon - text);	/* IPv4:port */
			port = colon + 1;
		} else {
			len = strlen(text);		/* IPv4 or bare IPv6 */
		}
	}
	if (len >= sizeof(host))
		return "not an IP address";
	memcpy(host, text, len);
	host[len] = '\0';
	if (conf_parse_address(host, &out->address) != 0) {
		snprintf(msg, msgsize, "\"%.64s\" is not an IP address (a "
		    "nameserver must be given by address)", host);
		return msg;
	}
	if (port != NULL && parse_port(port, &out->port) != 0)
		return "port must be a number from 1 to 65535";
	return NULL;
}

static int
parse_code(const char *text, size_t len, uint32_t *out)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr addr;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &addr) != 1)
		return -1;
	*out = ntohl(addr.s_addr);
	return 0;
}

const char *
value_codes(const char *text, struct conf_dnsbl *out, char *msg,
    size_t msgsize)
{
	const char *p = text;

	out->ncodes = 0;
	if (*p == '\0')
		return "codes= needs at least one address";
	while (*p != '\0') {
		size_t len = strcspn(p, ","), dash;
		struct conf_code_range range;

		if (out->ncodes == CONF_MAX_CODES)
			return "too many codes (32 at most)";
		dash = strcspn(p, "-,");
		if (parse_code(p, dash, &range.first) != 0 ||
		    (dash < len && parse_code(p + dash + 1, len - dash - 1,
		    &range.last) != 0)) {
			snprintf(msg, msgsize, "bad code \"%.*s\" (expected an "
			    "IPv4 address such as 127.0.0.2 or a range such "
			    "as 127.0.0.2-127.0.0.11)", (int)(len > 64 ? 64 :
			    len), p);
			return msg;
		}
		if (dash == len)
			range.last = range.first;
		if (range.last < range.first) {
			snprintf(msg, msgsize, "range \"%.*s\" ends before it "
			    "starts", (int)(len > 64 ? 64 : len), p);
			return msg;
		}
		out->codes[out->ncodes++] = range;
		p += len;
		if (*p == ',' && *++p == '\0')
			return "trailing ',' in codes=";
	}
	return NULL;
}

const char *
value_int(const char *text, long min, long max, long *out, char *msg,
    size_t msgsize)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || end == text || *end != '\0' || value < min ||
	    value > max) {
		snprintf(msg, msgsize, "expected a whole number from %ld to "
		    "%ld, not \"%.32s\"", min, max, text);
		return msg;
	}
	*out = value;
	return NULL;
}

const char *
value_bool(const char *text, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return NULL;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return NULL;
		}
	}
	return "expected yes or no";
}

const char *
value_facility(const char *text, int *out)
{
	static const struct { const char *name; int value; } table[] = {
		{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON },
		{ "user", LOG_USER }, { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcasecmp(text, table[i].name) == 0) {
			*out = table[i].value;
			return NULL;
		}
	return "expected mail, daemon, user or local0 to local7";
}

const char *
value_log_level(const char *text, int *out)
{
	static const struct { const char *name; int value; } table[] = {
		{ "err", LOG_ERR }, { "error", LOG_ERR },
		{ "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcasecmp(text, table[i].name) == 0) {
			*out = table[i].value;
			return NULL;
		}
	return "expected err, warning, notice, info or debug";
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best;
			int same = tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 1]);

			best = diag + !same;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *
value_suggest(const char *text, const char *const *names)
{
	const char *best = NULL;
	size_t best_distance = 3;

	for (size_t i = 0; names[i] != NULL; i++) {
		size_t d = edit_distance(text, names[i]);

		if (d < best_distance) {
			best_distance = d;
			best = names[i];
		}
	}
	return best;
}
