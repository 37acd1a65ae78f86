/*
 * conf_value.h - checks for single configuration values.
 *
 * Each function validates one kind of value and returns NULL when it is
 * good, or a static/explained message (written into MSG) when not.
 * Must not: read files, allocate, or touch the network.
 */
#ifndef EM_CONF_VALUE_H
#define EM_CONF_VALUE_H

#include <stddef.h>

#include "conf/conf.h"

/* A milter socket: unix:/path, local:/path, inet:PORT[@HOST], inet6:... */
const char *value_socket(const char *text);

/* A DNS host name (letters, digits, '-', '_', dots; 253 chars at most). */
const char *value_hostname(const char *text);

/* An egress or route name: [A-Za-z0-9._:@[]-], 1..64 characters. */
const char *value_name(const char *text);

/* A header field name (RFC 5322 ftext), 1..64 characters. */
const char *value_header_name(const char *text);

/* A nameserver: IPv4[:port], [IPv6]:port, or a bare IPv6 address. */
const char *value_nameserver(const char *text, struct dns_nameserver *out,
    char *msg, size_t msgsize);

/* A code list: "127.0.0.2", "127.0.0.2-127.0.0.11", comma-separated. */
const char *value_codes(const char *text, struct conf_dnsbl *out,
    char *msg, size_t msgsize);

/* A decimal integer in [MIN, MAX]. */
const char *value_int(const char *text, long min, long max, long *out,
    char *msg, size_t msgsize);

/* yes/no, true/false, on/off, 1/0. */
const char *value_bool(const char *text, bool *out);

/* A syslog facility name: mail, daemon, user, local0..local7. */
const char *value_facility(const char *text, int *out);

/* A log level: err, warning, notice, info, debug. */
const char *value_log_level(const char *text, int *out);

/* The closest name in NAMES (NULL-terminated) within 2 edits, or NULL. */
const char *value_suggest(const char *text, const char *const *names);

#endif
