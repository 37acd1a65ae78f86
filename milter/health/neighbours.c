/*
 * neighbours.c - a PTR name shared by a whole range: the PTR of the
 * nearest neighbours of an egress, through the DNS layer, bounded and
 * kept.
 *
 * neighbours_share_name(), neighbours_flush().
 *
 * The neighbours are the addresses 1, 2, 3, ... above and below the
 * egress (alternating, nearest first) inside its /24, or inside its /64
 * with only the last 16 bits changed for IPv6; network and broadcast
 * addresses (.0, .255) and ::0 are skipped; NEIGHBOURS_ASKED of them are
 * asked. A lookup that fails stops the asking (a DNS outage costs one
 * timeout, not four) and counts for nothing; when nothing was learnt the
 * answer is -1 and is not kept. Kept answers live in a small table
 * (KEPT_SLOTS, the oldest replaced first), for the smallest TTL of the
 * answers, clamped between KEEP_MIN and KEEP_MAX seconds.
 * Must not: touch libmilter; talk to DNS except through dns_lookup();
 * ask more than NEIGHBOURS_ASKED questions per call.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "dns/dns.h"
#include "dns/dnscache.h"
#include "health/neighbours.h"

#define KEPT_SLOTS 64
#define KEEP_MIN 3600
#define KEEP_MAX 86400

struct kept {
	char address[INET6_ADDRSTRLEN];
	char name[DNS_NAME_MAX + 1];
	time_t expires;			/* 0: a free slot */
	unsigned carried, asked;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept kept[KEPT_SLOTS];

/* The K-th neighbour of ADDRESS (K from 0) into OUT; false: none. */
static bool
neighbour(const struct ip_address *address, unsigned k,
    struct ip_address *out)
{
	long step = (long)(k / 2 + 1) * (k % 2 ? -1 : 1), last;

	*out = *address;
	if (address->family == AF_INET) {
		unsigned char *o = (unsigned char *)&out->u.v4;

		last = (long)o[3] + step;
		if (last < 1 || last > 254)
			return false;
		o[3] = (unsigned char)last;
		return true;
	}
	last = ((long)out->u.v6.s6_addr[14] << 8 | out->u.v6.s6_addr[15]) +
	    step;
	if (last < 1 || last > 0xffff)
		return false;
	out->u.v6.s6_addr[14] = (unsigned char)(last >> 8);
	out->u.v6.s6_addr[15] = (unsigned char)(last & 0xff);
	return true;
}

/* Asks the neighbours; counts in *CARRIED and *ASKED; returns the TTL. */
static unsigned
ask_neighbours(const struct ip_address *address, const char *name,
    unsigned *carried, unsigned *asked)
{
	unsigned ttl = KEEP_MAX;
	struct ip_address n;
	char reverse[128];

	*carried = *asked = 0;
	for (unsigned k = 0; k < 2 * 254 && *asked < NEIGHBOURS_ASKED; k++) {
		struct dns_answer *answer;

		if (!neighbour(address, k, &n) ||
		    dns_reverse_name(&n, reverse, sizeof(reverse)) != 0)
			continue;
		answer = dns_lookup(reverse, DNS_TYPE_PTR);
		if (dns_answer_is_failure(answer)) {
			dns_answer_free(answer);
			break;
		}
		(*asked)++;
		if (answer->ttl < ttl)
			ttl = answer->ttl;
		for (size_t i = 0; i < answer->count; i++)
			if (strcasecmp(answer->records[i], name) == 0) {
				(*carried)++;
				break;
			}
		dns_answer_free(answer);
	}
	return ttl < KEEP_MIN ? KEEP_MIN : ttl;
}

/* The kept answer for ADDRESS and NAME, or NULL. Lock held. */
static struct kept *
find_kept(const char *address, const char *name, time_t now)
{
	for (size_t i = 0; i < KEPT_SLOTS; i++)
		if (kept[i].expires > now && strcmp(kept[i].address,
		    address) == 0 && strcasecmp(kept[i].name, name) == 0)
			return &kept[i];
	return NULL;
}

static void
keep(const char *address, const char *name, unsigned carried,
    unsigned asked, time_t expires)
{
	size_t oldest = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 1; i < KEPT_SLOTS; i++)
		if (kept[i].expires < kept[oldest].expires)
			oldest = i;
	snprintf(kept[oldest].address, sizeof(kept[oldest].address), "%s",
	    address);
	snprintf(kept[oldest].name, sizeof(kept[oldest].name), "%s", name);
	kept[oldest].carried = carried;
	kept[oldest].asked = asked;
	kept[oldest].expires = expires;
	pthread_mutex_unlock(&lock);
}

int
neighbours_share_name(const struct ip_address *address, const char *name,
    char *why, size_t size)
{
	time_t now = time(NULL);
	unsigned carried = 0, asked = 0, keep_for;
	struct kept *k;

	pthread_mutex_lock(&lock);
	k = find_kept(address->text, name, now);
	if (k != NULL) {
		carried = k->carried;
		asked = k->asked;
	}
	pthread_mutex_unlock(&lock);
	if (k == NULL) {
		keep_for = ask_neighbours(address, name, &carried, &asked);
		if (asked == 0)
			return -1;
		keep(address->text, name, carried, asked, now + keep_for);
	}
	if (carried < NEIGHBOURS_SHARED)
		return 0;
	snprintf(why, size, "one name shared by a whole range (%u of %u "
	    "neighbours in the same %s carry it)", carried, asked,
	    address->family == AF_INET ? "/24" : "/64");
	return 1;
}

void
neighbours_flush(void)
{
	pthread_mutex_lock(&lock);
	memset(kept, 0, sizeof(kept));
	pthread_mutex_unlock(&lock);
}
