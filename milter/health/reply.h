/*
 * reply.h - Postfix's delivery status text, as smtp_delivery_status_filter
 * gives it ("X.Y.Z text"), taken apart: who answered and what the remote
 * itself said, or that Postfix wrote the text on its own.
 *
 * Only two forms carry a remote's words: "host NAME[ADDR] said: REPLY"
 * and the greeting form "host NAME[ADDR] refused to talk to me: REPLY",
 * at the very start of the text. Everything else (DNS errors, connect
 * failures, timeouts, lost connections, TLS failures, "delivery
 * temporarily suspended: ..." repeating an earlier reason) is Postfix's
 * own and never a refusal. In REPLY the "NNN-X.Y.Z " and "NNN X.Y.Z "
 * prefixes Postfix keeps when it joins a multi-line reply are removed
 * (the first line's code stays, as "NNN X.Y.Z "), and so is the
 * trailing "(in reply to ... command)". For matching, every mail
 * address, IP address and host name is masked with '#' (a recipient
 * address, a domain or an MX host name is never matched as a word),
 * except the names of the list operators a refusal may cite
 * (spamhaus.org, spamcop.net, ...: "dbl.spamhaus.org" tells a domain
 * listing from an address listing), unless the remote is one of them.
 * Must not: do DNS.
 */
#ifndef EM_REPLY_H
#define EM_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#define REPLY_TEXT_MAX 2048

struct reply {
	int class;			/* 2, 4 or 5 (Postfix's X of X.Y.Z) */
	char dsn[16];			/* Postfix's "X.Y.Z" */
	bool remote;			/* the remote's reply is in TEXT */
	bool greeting;			/* "refused to talk to me" form */
	char host[256];			/* NAME of "host NAME[ADDR]" */
	char addr[64];			/* ADDR */
	char text[REPLY_TEXT_MAX];	/* the remote's reply, joined */
	char match[REPLY_TEXT_MAX];	/* TEXT masked, for the patterns */
};

/*
 * Parses QUERY into R. Returns -1 when QUERY does not start with a
 * status code "D.D{1,3}.D{1,3}" of class 2, 4 or 5; 0 otherwise (with
 * R->remote false when the text is Postfix's own).
 */
int reply_parse(const char *query, struct reply *r);

/* True when HOST is no name but an address (or "unknown"). */
bool reply_host_is_address(const char *host);

#endif
