/*
 * resolver.c - all DNS of the project: one question, one typed answer.
 *
 * resolver_configure(), resolver_query(), resolver_queries_sent(),
 * resolver_thread_cleanup(). The answer it returns and its helpers are
 * dns.c's (dns.h).
 *
 * ldns resolvers are not safe to share between threads, and one ldns
 * resolver has one port for all its servers: each thread keeps one
 * resolver per configured nameserver, rebuilt when resolver_configure()
 * installs new settings. A query tries the servers in turn, DNSTries
 * times in all, each try waiting DNSTimeout seconds; ldns retries over
 * TCP when a UDP answer is truncated. Query ids are random (ldns) and
 * source ports are the kernel's random ephemeral ports. An answer whose
 * id or question does not match ours is thrown away, never believed.
 * CNAME chains are followed (8 links at most).
 * Must not: cache (dnscache.c does), log at more than debug level on the
 * message path, or be bypassed.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>
#include <openssl/crypto.h>

#include "dns/dns.h"
#include "dns/dnsdeadline.h"
#include "dns/nshealth.h"
#include "dns/resolver.h"
#include "util/log.h"
#include "util/util.h"

#define MAX_RECORDS 256
#define MAX_CNAME_LINKS 8
#define EDNS_UDP_SIZE 1232		/* the DNS flag day 2020 size */

static pthread_mutex_t settings_lock = PTHREAD_MUTEX_INITIALIZER;
static struct resolver_settings settings = { .timeout = 2, .tries = 2 };
static unsigned settings_generation = 1;
static atomic_ulong queries_sent;
static atomic_uint next_server;

/* This thread's resolvers, one per nameserver. */
struct thread_resolvers {
	unsigned generation;
	size_t count;
	ldns_resolver *resolvers[DNS_MAX_NAMESERVERS];
	int timeout;
	int tries;
};

static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static void
thread_resolvers_free(void *arg)
{
	struct thread_resolvers *tr = arg;

	if (tr == NULL)
		return;
	for (size_t i = 0; i < tr->count; i++)
		ldns_resolver_deep_free(tr->resolvers[i]);
	free(tr);
}

static void
thread_key_create(void)
{
	pthread_key_create(&thread_key, thread_resolvers_free);
}

void
resolver_thread_cleanup(void)
{
	pthread_once(&thread_key_once, thread_key_create);
	thread_resolvers_free(pthread_getspecific(thread_key));
	pthread_setspecific(thread_key, NULL);
	/*
	 * ldns draws query ids from OpenSSL, which keeps per-thread state
	 * freed by a thread-key destructor when the thread ends. A thread
	 * ending while the process exits would free it a second time after
	 * OpenSSL's exit handler did (AddressSanitizer: double-free in
	 * __nptl_deallocate_tsd, a monitor thread at stop): hand it back now.
	 */
	OPENSSL_thread_stop();
}

int
resolver_configure(const struct resolver_settings *new_settings)
{
	if (new_settings->timeout < 1 || new_settings->tries < 1 ||
	    new_settings->nnameservers > DNS_MAX_NAMESERVERS)
		return -1;
	pthread_mutex_lock(&settings_lock);
	settings = *new_settings;
	settings_generation++;
	pthread_mutex_unlock(&settings_lock);
	return 0;
}

unsigned long
resolver_queries_sent(void)
{
	return atomic_load(&queries_sent);
}

/* One ldns resolver for one server: no retries, no sleeping, EDNS0. */
static ldns_resolver *
resolver_new_one(ldns_rdf *address, uint16_t port, int timeout)
{
	ldns_resolver *r = ldns_resolver_new();
	struct timeval tv = { timeout, 0 };

	if (r == NULL)
		return NULL;
	if (ldns_resolver_push_nameserver(r, address) != LDNS_STATUS_OK) {
		ldns_resolver_deep_free(r);
		return NULL;
	}
	ldns_resolver_set_port(r, port);
	ldns_resolver_set_timeout(r, tv);
	ldns_resolver_set_retry(r, 1);
	ldns_resolver_set_retrans(r, 0);
	ldns_resolver_set_recursive(r, true);
	ldns_resolver_set_random(r, false);
	ldns_resolver_set_fallback(r, true);
	ldns_resolver_set_usevc(r, false);
	ldns_resolver_set_edns_udp_size(r, EDNS_UDP_SIZE);
	ldns_resolver_set_dnssec(r, false);
	ldns_resolver_set_defnames(r, false);
	ldns_resolver_set_dnsrch(r, false);
	return r;
}

/* The nameservers of /etc/resolv.conf, as (address, port 53) pairs. */
static size_t
system_nameservers(ldns_rdf **out, size_t max)
{
	ldns_resolver *sys = NULL;
	size_t n = 0;

	if (ldns_resolver_new_frm_file(&sys, NULL) != LDNS_STATUS_OK)
		return 0;
	for (size_t i = 0; i < ldns_resolver_nameserver_count(sys) && n < max;
	    i++)
		out[n++] = ldns_rdf_clone(ldns_resolver_nameservers(sys)[i]);
	ldns_resolver_deep_free(sys);
	return n;
}

static ldns_rdf *
address_rdf(const struct ip_address *address)
{
	if (address->family == AF_INET)
		return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4,
		    &address->u.v4);
	return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, &address->u.v6);
}

/* Rebuilds this thread's resolvers when the settings have changed. */
static struct thread_resolvers *
thread_resolvers_get(void)
{
	struct thread_resolvers *tr;
	struct resolver_settings now;
	unsigned generation;
	ldns_rdf *addresses[DNS_MAX_NAMESERVERS];
	uint16_t ports[DNS_MAX_NAMESERVERS];
	size_t n;

	pthread_once(&thread_key_once, thread_key_create);
	tr = pthread_getspecific(thread_key);
	pthread_mutex_lock(&settings_lock);
	now = settings;
	generation = settings_generation;
	pthread_mutex_unlock(&settings_lock);
	if (tr != NULL && tr->generation == generation)
		return tr;
	thread_resolvers_free(tr);
	tr = xcalloc(1, sizeof(*tr));
	tr->generation = generation;
	tr->timeout = now.timeout;
	tr->tries = now.tries;
	if (now.nnameservers > 0) {
		n = now.nnameservers;
		for (size_t i = 0; i < n; i++) {
			addresses[i] = address_rdf(&now.nameservers[i].address);
			ports[i] = now.nameservers[i].port;
		}
	} else {
		n = system_nameservers(addresses, DNS_MAX_NAMESERVERS);
		for (size_t i = 0; i < n; i++)
			ports[i] = 53;
	}
	for (size_t i = 0; i < n; i++) {
		ldns_resolver *r = addresses[i] ? resolver_new_one(addresses[i],
		    ports[i], now.timeout) : NULL;

		if (r != NULL)
			tr->resolvers[tr->count++] = r;
		ldns_rdf_deep_free(addresses[i]);
	}
	pthread_setspecific(thread_key, tr);
	return tr;
}

/* A name in lower case without the final dot ("." stays "."). */
static char *
name_text(const ldns_rdf *rdf)
{
	char *text = ldns_rdf2str(rdf), *copy;
	size_t len;

	if (text == NULL)
		return xstrdup("");
	len = strlen(text);
	if (len > 1 && text[len - 1] == '.')
		text[--len] = '\0';
	for (char *p = text; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	copy = xstrdup(text);
	free(text);
	return copy;
}

/* The character-strings of one TXT record joined (RFC 7208 3.3). */
static char *
txt_text(const ldns_rr *rr)
{
	size_t total = 0, used = 0;
	char *text;

	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		total += ldns_rdf_size(ldns_rr_rdf(rr, i));
	text = xmalloc(total + 1);
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
		const uint8_t *data = ldns_rdf_data(rdf);
		size_t size = ldns_rdf_size(rdf), len;

		if (size == 0)
			continue;
		len = data[0];
		if (len > size - 1)
			len = size - 1;
		for (size_t j = 0; j < len; j++)	/* NUL would cut it */
			text[used++] = data[1 + j] ? (char)data[1 + j] : '?';
	}
	text[used] = '\0';
	return text;
}

/* Adds the data of RR (of the queried type) to ANSWER. */
static void
answer_add(struct dns_answer *answer, const ldns_rr *rr)
{
	const ldns_rdf *rdf = ldns_rr_rdf(rr, 0);
	struct dns_address address;
	char text[INET6_ADDRSTRLEN];
	char *record = NULL;

	if (answer->count >= MAX_RECORDS || rdf == NULL)
		return;
	memset(&address, 0, sizeof(address));
	switch (answer->type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		address.family = answer->type == DNS_TYPE_A ? AF_INET :
		    AF_INET6;
		if (ldns_rdf_size(rdf) != (address.family == AF_INET ? 4 : 16))
			return;
		memcpy(&address.u, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
		inet_ntop(address.family, &address.u, text, sizeof(text));
		record = xstrdup(text);
		break;
	case DNS_TYPE_TXT:
		record = txt_text(rr);
		break;
	case DNS_TYPE_MX:
		if ((rdf = ldns_rr_rdf(rr, 1)) == NULL)
			return;
		record = name_text(rdf);
		break;
	default:
		record = name_text(rdf);
		break;
	}
	answer->records = xreallocarray(answer->records, answer->count + 1,
	    sizeof(char *));
	if (answer->type == DNS_TYPE_A || answer->type == DNS_TYPE_AAAA) {
		answer->addresses = xreallocarray(answer->addresses,
		    answer->count + 1, sizeof(struct dns_address));
		answer->addresses[answer->count] = address;
	}
	answer->records[answer->count++] = record;
}

/* RFC 2308: the negative TTL is min(SOA TTL, SOA MINIMUM). */
static uint32_t
negative_ttl(const ldns_pkt *pkt)
{
	ldns_rr_list *authority = ldns_pkt_authority(pkt);

	for (size_t i = 0; i < ldns_rr_list_rr_count(authority); i++) {
		ldns_rr *rr = ldns_rr_list_rr(authority, i);
		uint32_t ttl = ldns_rr_ttl(rr), minimum;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA ||
		    ldns_rr_rd_count(rr) < 7)
			continue;
		minimum = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
		return minimum < ttl ? minimum : ttl;
	}
	return 0;
}

/* True when REPLY answers QUERY: same id, same question. */
static bool
reply_matches(const ldns_pkt *query, const ldns_pkt *reply, char *why,
    size_t size)
{
	ldns_rr_list *asked = ldns_pkt_question(query);
	ldns_rr_list *got = ldns_pkt_question(reply);
	ldns_rr *q, *r;

	if (ldns_pkt_id(query) != ldns_pkt_id(reply)) {
		snprintf(why, size, "answer with the wrong id (%u, not %u) "
		    "thrown away", ldns_pkt_id(reply), ldns_pkt_id(query));
		return false;
	}
	/* An error answer may come without the question (RFC 1035 4.1.1). */
	if (ldns_rr_list_rr_count(got) == 0 &&
	    ldns_pkt_get_rcode(reply) != LDNS_RCODE_NOERROR)
		return true;
	if (ldns_rr_list_rr_count(got) != 1 ||
	    ldns_rr_list_rr_count(asked) != 1) {
		snprintf(why, size, "answer without our question");
		return false;
	}
	q = ldns_rr_list_rr(asked, 0);
	r = ldns_rr_list_rr(got, 0);
	if (ldns_rr_get_type(q) != ldns_rr_get_type(r) ||
	    ldns_dname_compare(ldns_rr_owner(q), ldns_rr_owner(r)) != 0) {
		snprintf(why, size, "answer to another question thrown away");
		return false;
	}
	return true;
}

/*
 * Reads a NOERROR answer: the records of TYPE at NAME or at the end of
 * its CNAME chain. Returns the chain's last name when the chain leaves
 * the answer (to be asked again), else NULL.
 */
static ldns_rdf *
read_records(const ldns_pkt *pkt, const ldns_rdf *name,
    struct dns_answer *answer)
{
	ldns_rr_list *section = ldns_pkt_answer(pkt);
	const ldns_rdf *owner = name;
	uint32_t ttl = UINT32_MAX;

	for (int link = 0; link <= MAX_CNAME_LINKS; link++) {
		const ldns_rdf *next = NULL;

		for (size_t i = 0; i < ldns_rr_list_rr_count(section); i++) {
			ldns_rr *rr = ldns_rr_list_rr(section, i);

			if (ldns_dname_compare(ldns_rr_owner(rr), owner) != 0)
				continue;
			if (ldns_rr_get_type(rr) == answer->type) {
				answer_add(answer, rr);
				if (ldns_rr_ttl(rr) < ttl)
					ttl = ldns_rr_ttl(rr);
			} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    ldns_rr_rdf(rr, 0) != NULL) {
				next = ldns_rr_rdf(rr, 0);
				if (ldns_rr_ttl(rr) < ttl)
					ttl = ldns_rr_ttl(rr);
			}
		}
		if (answer->count > 0 || next == NULL)
			break;
		owner = next;
	}
	if (answer->count > 0) {
		answer->status = DNS_OK;
		answer->ttl = ttl;
		return NULL;
	}
	answer->status = DNS_NODATA;
	answer->ttl = negative_ttl(pkt);
	if (owner != name)
		return ldns_rdf_clone(owner);
	return NULL;
}

/* Sends QUERY to one server; fills ANSWER (status, error) on failure. */
static ldns_pkt *
send_once(ldns_resolver *r, ldns_pkt *query, struct dns_answer *answer)
{
	ldns_pkt *reply = NULL;
	ldns_status status;

	ldns_resolver_set_nameserver_rtt(r, 0, LDNS_RESOLV_RTT_MIN);
	atomic_fetch_add(&queries_sent, 1);
	status = ldns_resolver_send_pkt(&reply, r, query);
	if (status != LDNS_STATUS_OK || reply == NULL) {
		answer->status = DNS_TIMEOUT;
		snprintf(answer->error, sizeof(answer->error), "no answer (%s)",
		    ldns_get_errorstr_by_id(status));
		ldns_pkt_free(reply);
		return NULL;
	}
	if (!reply_matches(query, reply, answer->error,
	    sizeof(answer->error))) {
		answer->status = DNS_ERROR;
		ldns_pkt_free(reply);
		return NULL;
	}
	if (ldns_pkt_tc(reply)) {
		answer->status = DNS_ERROR;
		snprintf(answer->error, sizeof(answer->error), "answer "
		    "truncated and no TCP answer");
		ldns_pkt_free(reply);
		return NULL;
	}
	return reply;
}

/*
 * Reads REPLY into ANSWER. Returns 1 when the next server should be
 * tried (SERVFAIL, REFUSED, another failure rcode), else 0. *CHASE gets
 * a CNAME target to ask next, if any.
 */
static int
read_reply(ldns_pkt *reply, const ldns_rdf *name, struct dns_answer *answer,
    ldns_rdf **chase)
{
	ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply);

	answer->rcode = (int)rcode;
	switch (rcode) {
	case LDNS_RCODE_NOERROR:
		*chase = read_records(reply, name, answer);
		return 0;
	case LDNS_RCODE_NXDOMAIN:
		answer->status = DNS_NXDOMAIN;
		answer->ttl = negative_ttl(reply);
		return 0;
	case LDNS_RCODE_REFUSED:
		answer->status = DNS_REFUSED;
		snprintf(answer->error, sizeof(answer->error), "the server "
		    "refused the query (REFUSED)");
		return 1;
	default:
		answer->status = DNS_SERVFAIL;
		snprintf(answer->error, sizeof(answer->error), "the server "
		    "failed (rcode %d)", (int)rcode);
		return 1;
	}
}

/* Tells nshealth.c how one try at R's server ended. */
static void
report_try(ldns_resolver *r, const struct dns_answer *answer)
{
	ldns_rdf **ns = ldns_resolver_nameservers(r);
	char *address = ns != NULL && ns[0] != NULL ? ldns_rdf2str(ns[0]) :
	    NULL;
	char server[64];

	snprintf(server, sizeof(server), "%s:%u", address ? address : "?",
	    (unsigned)ldns_resolver_port(r));
	free(address);
	nshealth_result(server, answer->status, answer->error);
}

/*
 * Gives R's next try the time this thread's deadline leaves (at most
 * TIMEOUT seconds). Returns -1, with ANSWER saying so, when none is
 * left; 1 when the try was shortened; 0 when it has the whole TIMEOUT.
 */
static int
try_within_deadline(ldns_resolver *r, int timeout, struct dns_answer *answer)
{
	int ms = dns_deadline_left_ms(timeout * 1000);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (ms <= 0) {
		answer->status = DNS_TIMEOUT;
		answer->cut_short = true;
		snprintf(answer->error, sizeof(answer->error), "not asked: "
		    "the message's DNS budget is spent (MessageDNSBudget)");
		return -1;
	}
	ldns_resolver_set_timeout(r, tv);
	return ms < timeout * 1000;
}

/* Asks NAME (an ldns dname) of TYPE, trying the servers in turn. */
static struct dns_answer *
query_servers(struct thread_resolvers *tr, const ldns_rdf *name,
    uint16_t type, ldns_rdf **chase)
{
	struct dns_answer *answer = dns_answer_new(type, DNS_TIMEOUT);
	ldns_pkt *query = NULL;
	unsigned first = atomic_fetch_add(&next_server, 1);

	*chase = NULL;
	if (tr->count == 0) {
		answer->status = DNS_ERROR;
		snprintf(answer->error, sizeof(answer->error), "no nameserver "
		    "configured (Nameservers, or /etc/resolv.conf)");
		return answer;
	}
	for (int try = 0; try < tr->tries; try++) {
		ldns_resolver *r = tr->resolvers[(first + (unsigned)try) %
		    tr->count];
		ldns_pkt *reply;
		int next, shortened = try_within_deadline(r, tr->timeout, answer);

		if (shortened < 0)
			break;
		if (ldns_resolver_prepare_query_pkt(&query, r, name,
		    (ldns_rr_type)type, LDNS_RR_CLASS_IN, LDNS_RD) !=
		    LDNS_STATUS_OK) {
			answer->status = DNS_ERROR;
			snprintf(answer->error, sizeof(answer->error),
			    "cannot build the query");
			break;
		}
		reply = send_once(r, query, answer);
		ldns_pkt_free(query);
		query = NULL;
		answer->cut_short = reply == NULL && shortened;
		if (reply == NULL) {
			if (!answer->cut_short)	/* not the server's fault */
				report_try(r, answer);
			continue;
		}
		answer->error[0] = '\0';
		next = read_reply(reply, name, answer, chase);
		report_try(r, answer);
		ldns_pkt_free(reply);
		if (!next)
			break;
	}
	return answer;
}

struct dns_answer *
resolver_query(const char *name, uint16_t type)
{
	struct thread_resolvers *tr = thread_resolvers_get();
	struct dns_answer *answer = NULL;
	ldns_rdf *dname = NULL, *chase = NULL;
	uint32_t ttl = UINT32_MAX;
	char shown[300];

	if (strlen(name) > DNS_NAME_MAX || name[0] == '\0' ||
	    ldns_str2rdf_dname(&dname, name) != LDNS_STATUS_OK) {
		answer = dns_answer_new(type, DNS_ERROR);
		snprintf(answer->error, sizeof(answer->error), "not a valid "
		    "DNS name: \"%s\"", log_escape(shown, sizeof(shown), name));
		return answer;
	}
	for (int link = 0; link <= MAX_CNAME_LINKS; link++) {
		dns_answer_free(answer);
		answer = query_servers(tr, dname, type, &chase);
		if (answer->status == DNS_OK || dns_answer_is_negative(answer))
			if (answer->ttl < ttl)
				ttl = answer->ttl;
		ldns_rdf_deep_free(dname);
		dname = chase;
		if (chase == NULL)
			break;
	}
	if (dname != NULL && answer->count == 0) {
		/* The chain did not end (a CNAME loop): an error, never
		 * "no such record" (an SPF record would read as none). */
		answer->status = DNS_ERROR;
		snprintf(answer->error, sizeof(answer->error), "a CNAME chain "
		    "of more than %d links (a loop?)", MAX_CNAME_LINKS);
	}
	ldns_rdf_deep_free(dname);
	if (answer->status == DNS_OK || dns_answer_is_negative(answer))
		answer->ttl = ttl;
	log_debug("dns: %s %s: %s%s%s (%zu records, ttl %u)",
	    log_escape(shown, sizeof(shown), name),
	    dns_type_name(type), dns_status_name(answer->status),
	    answer->error[0] ? ": " : "", answer->error, answer->count,
	    answer->ttl);
	return answer;
}
