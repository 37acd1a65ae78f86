/*
 * address.h - an IP address as the project passes it around: the
 * family, the binary address and its text.
 *
 * A type only, shared by the layers above (the DNS layer's nameservers,
 * the configuration's egresses, the address classes of netclass.c).
 * Must not: declare any file's functions.
 */
#ifndef EM_ADDRESS_H
#define EM_ADDRESS_H

#include <netinet/in.h>

struct ip_address {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
	char text[INET6_ADDRSTRLEN];
};

#endif
