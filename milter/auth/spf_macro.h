/*
 * spf_macro.h - SPF macros (RFC 7208 section 7): checking a
 * macro-string's syntax and expanding it.
 *
 * spf_macro_check() checks a domain-spec (7.1: macro letters s, l, o,
 * d, i, p, h, v; the end a macro or "." and a top label) or an
 * explanation (letters c, r, t as well; spaces allowed), and counts the
 * macros. spf_macro_expand() expands one: transformers (a count of
 * right-hand parts, "r" for reversal), the delimiters . - + , / _ =,
 * %% %_ %-, URL escaping (upper case hex) for upper-case macro letters,
 * and for a domain the 253-character truncation from the left (7.3)
 * and the removal of a final dot.
 * Must not: talk to DNS; %{p} comes from the caller's callback.
 */
#ifndef EM_SPF_MACRO_H
#define EM_SPF_MACRO_H

#include <stdbool.h>
#include <stddef.h>

#include "dns/dns.h"

enum spf_macro_use {
	SPF_MACRO_DOMAIN,	/* a domain-spec (mechanism, redirect=, exp=) */
	SPF_MACRO_UNKNOWN,	/* an unknown modifier's macro-string */
	SPF_MACRO_EXPLANATION	/* the TXT of an exp= target */
};

struct spf_macro_input {
	const char *local;		/* local part of the sender */
	const char *sender_domain;	/* domain of the sender */
	const char *domain;		/* the <domain> being checked */
	const struct dns_address *ip;	/* IPv4 for IPv4-mapped clients */
	const char *helo;		/* the HELO as given */
	const char *receiver;		/* %{r} */
	/* %{p}: the validated name of the address, "unknown" if none. */
	void (*validated_name)(void *arg, const char *domain, char *out,
	    size_t size);
	void *arg;
	/* Set when %{s} or %{l} is expanded (the local part used); may be
	 * NULL. */
	bool *used_local;
};

/* The number of macros in S (0 or more), or -1 with WHY. */
int spf_macro_check(const char *s, enum spf_macro_use use, char *why,
    size_t size);

/*
 * Expands S (already checked) into OUT of SIZE bytes. 0, or -1 when
 * the expansion does not fit.
 */
int spf_macro_expand(const char *s, enum spf_macro_use use,
    const struct spf_macro_input *in, char *out, size_t size);

/* The address as %{i} gives it (dotted quad, or 32 dotted nibbles). */
void spf_macro_ip_dotted(const struct dns_address *ip, char *out,
    size_t size);

#endif
