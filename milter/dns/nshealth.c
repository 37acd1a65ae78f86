/*
 * nshealth.c - whether each nameserver answers (see nshealth.h).
 *
 * nshealth_result(), nshealth_list(), nshealth_error_name().
 * A server is down from its first try without any answer (a timeout or
 * network error) until its next answer of any kind; each change is one
 * line: at warning when it goes down, at notice when it is back. A
 * server that answers SERVFAIL or REFUSED is up (it answers), and its
 * errors are counted. At most NSHEALTH_MAX servers are tracked; they
 * are the configured ones, so that is enough.
 * Must not: touch libmilter or the network.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "dns/nshealth.h"
#include "util/log.h"
#include "util/util.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct nshealth_server servers[NSHEALTH_MAX];
static size_t nservers;

const char *
nshealth_error_name(enum nshealth_error kind)
{
	static const char *const names[] = { "timeout", "servfail", "refused",
	    "other" };

	return (unsigned)kind < NSHEALTH_ERROR_KINDS ? names[kind] : "other";
}

/* The entry of NAME, added when new; NULL when the table is full. */
static struct nshealth_server *
find(const char *name)
{
	for (size_t i = 0; i < nservers; i++)
		if (strcmp(servers[i].name, name) == 0)
			return &servers[i];
	if (nservers == NSHEALTH_MAX)
		return NULL;
	copy_bounded(servers[nservers].name, sizeof(servers[nservers].name),
	    name);
	return &servers[nservers++];
}

static int
error_kind(enum dns_status status)
{
	switch (status) {
	case DNS_OK: case DNS_NXDOMAIN: case DNS_NODATA: return -1;
	case DNS_TIMEOUT: return NSHEALTH_TIMEOUT;
	case DNS_SERVFAIL: return NSHEALTH_SERVFAIL;
	case DNS_REFUSED: return NSHEALTH_REFUSED;
	default: return NSHEALTH_OTHER;
	}
}

void
nshealth_result(const char *server, enum dns_status status,
    const char *error)
{
	int kind = error_kind(status);
	struct nshealth_server *s;
	bool went_down = false, came_back = false;
	long down_for = 0;

	pthread_mutex_lock(&lock);
	if ((s = find(server)) != NULL) {
		if (kind >= 0)
			s->errors[kind]++;
		else
			s->answers++;
		if (kind == NSHEALTH_TIMEOUT && !s->down) {
			s->down = went_down = true;
			s->down_since = time(NULL);
		} else if (kind != NSHEALTH_TIMEOUT && s->down) {
			s->down = false;
			came_back = true;
			down_for = (long)(time(NULL) - s->down_since);
		}
	}
	pthread_mutex_unlock(&lock);
	if (went_down)
		log_warn("dns: nameserver %s does not answer (%s): other "
		    "servers are tried, and cached answers are served past "
		    "their TTL (DNSServeStale) until it is back", server,
		    error && error[0] ? error : "timeout");
	if (came_back)
		log_notice("dns: nameserver %s answers again (after %ld s)",
		    server, down_for);
}

size_t
nshealth_list(struct nshealth_server *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&lock);
	n = nservers < max ? nservers : max;
	memcpy(out, servers, n * sizeof(*out));
	pthread_mutex_unlock(&lock);
	return n;
}
