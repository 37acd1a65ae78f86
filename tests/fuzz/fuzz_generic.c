/*
 * fuzz_generic.c - the generic-PTR matcher (generic.c): the first byte
 * picks IPv4 or IPv6, the next 4 or 16 bytes are the address, the rest
 * is the PTR name.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "conf/conf.h"
#include "fuzz.h"
#include "health/generic.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ip_address a;
	size_t alen;
	char why[200], *name;

	if (size < 1)
		return 0;
	memset(&a, 0, sizeof(a));
	a.family = (data[0] & 1) ? AF_INET6 : AF_INET;
	alen = a.family == AF_INET6 ? 16 : 4;
	if (size < 1 + alen)
		return 0;
	memcpy(a.family == AF_INET6 ? (void *)&a.u.v6 : (void *)&a.u.v4,
	    data + 1, alen);
	inet_ntop(a.family, &a.u, a.text, sizeof(a.text));
	name = fuzz_text(data + 1 + alen, size - 1 - alen);
	generic_name(name, &a, why, sizeof(why));
	free(name);
	return 0;
}
