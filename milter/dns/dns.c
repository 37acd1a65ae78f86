/*
 * dns.c - the typed DNS answer's helpers and reverse names (see dns.h).
 *
 * dns_answer_new(), dns_answer_copy(), dns_answer_free(),
 * dns_status_name(), dns_type_name(), dns_answer_is_negative(),
 * dns_answer_is_failure(), dns_reverse_name().
 * Must not: ask the network (resolver.c does).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns/dns.h"
#include "util/util.h"

struct dns_answer *
dns_answer_new(uint16_t type, enum dns_status status)
{
	struct dns_answer *answer = xcalloc(1, sizeof(*answer));

	answer->type = type;
	answer->status = status;
	answer->rcode = -1;
	return answer;
}

void
dns_answer_free(struct dns_answer *answer)
{
	if (answer == NULL)
		return;
	for (size_t i = 0; i < answer->count; i++)
		free(answer->records[i]);
	free(answer->records);
	free(answer->addresses);
	free(answer);
}

struct dns_answer *
dns_answer_copy(const struct dns_answer *answer)
{
	struct dns_answer *copy = xmalloc(sizeof(*copy));

	*copy = *answer;
	copy->records = NULL;
	copy->addresses = NULL;
	if (answer->count > 0) {
		copy->records = xcalloc(answer->count, sizeof(char *));
		for (size_t i = 0; i < answer->count; i++)
			copy->records[i] = xstrdup(answer->records[i]);
	}
	if (answer->addresses != NULL) {
		copy->addresses = xcalloc(answer->count,
		    sizeof(struct dns_address));
		memcpy(copy->addresses, answer->addresses,
		    answer->count * sizeof(struct dns_address));
	}
	return copy;
}

const char *
dns_status_name(enum dns_status status)
{
	switch (status) {
	case DNS_OK: return "answer";
	case DNS_NXDOMAIN: return "NXDOMAIN";
	case DNS_NODATA: return "NODATA";
	case DNS_SERVFAIL: return "SERVFAIL";
	case DNS_REFUSED: return "REFUSED";
	case DNS_TIMEOUT: return "timeout";
	case DNS_ERROR: return "error";
	}
	return "unknown";
}

const char *
dns_type_name(uint16_t type)
{
	switch (type) {
	case DNS_TYPE_A: return "A";
	case DNS_TYPE_NS: return "NS";
	case DNS_TYPE_CNAME: return "CNAME";
	case DNS_TYPE_SOA: return "SOA";
	case DNS_TYPE_PTR: return "PTR";
	case DNS_TYPE_MX: return "MX";
	case DNS_TYPE_TXT: return "TXT";
	case DNS_TYPE_AAAA: return "AAAA";
	}
	return "TYPE?";
}

bool
dns_answer_is_negative(const struct dns_answer *answer)
{
	return answer->status == DNS_NXDOMAIN || answer->status == DNS_NODATA;
}

bool
dns_answer_is_failure(const struct dns_answer *answer)
{
	return answer->status != DNS_OK && !dns_answer_is_negative(answer);
}

int
dns_reverse_name(const struct ip_address *address, char *out,
    size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t used = 0;
	int n;

	if (address->family == AF_INET) {
		const unsigned char *b = (const unsigned char *)&address->u.v4;

		n = snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2],
		    b[1], b[0]);
		return n < 0 || (size_t)n >= size ? -1 : 0;
	}
	if (size < 32 * 2 + sizeof("ip6.arpa"))
		return -1;
	for (int i = 15; i >= 0; i--) {
		unsigned char byte = address->u.v6.s6_addr[i];

		out[used++] = hex[byte & 0xf];
		out[used++] = '.';
		out[used++] = hex[byte >> 4];
		out[used++] = '.';
	}
	memcpy(out + used, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}
