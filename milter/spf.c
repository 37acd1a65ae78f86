/*
 * spf.c - SPF through libspf2 on the project's DNS layer.
 *
 * spf_check_host(), spf_verdict_name(), spf_thread_cleanup(),
 * spf_cache_flush().
 *
 * libspf2 asks its DNS layer for every record; ours (dns_layer_lookup)
 * answers from dns_lookup(), so SPF uses the configured servers, ports,
 * timeouts and the shared cache. It never returns NULL (libspf2 would
 * abort()): a failure becomes TRY_AGAIN, that is temperror. (libspf2
 * reports a failed lookup of the record itself as "none"; that is
 * turned into temperror here.)
 * Void lookups (RFC 7208 4.6.4): NXDOMAIN/NODATA answers to the
 * mechanisms' own lookups are counted per evaluation; past 2 the
 * verdict is permerror. The address lookups of MX and PTR targets are
 * not mechanism lookups and are not counted.
 * SPF_server_t is not documented as thread-safe: each thread has its
 * own (thread-local, made on first use, freed when the thread exits).
 * Verdicts are kept per (address, sender, HELO of a null sender) for
 * the smallest TTL of the records they used (temperror never).
 * Inputs are bounded before they reach libspf2 (Debian's 1.2.10 lacks
 * a 2023 fix): domains of 253 characters at most, local parts of 64,
 * printable ASCII only.
 * Must not: touch libmilter; talk to DNS except through dns_lookup().
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <spf2/spf.h>
#include <spf2/spf_dns.h>

#include "conf_value.h"
#include "dnscache.h"
#include "log.h"
#include "spf.h"
#include "util.h"

#define VOID_LOOKUP_LIMIT 2
#define MAX_TARGETS 32

/* What one evaluation has seen, for the void-lookup limit. */
struct evaluation {
	uint32_t ttl;			/* smallest TTL of its answers */
	int voids;
	int failures;			/* lookups that got no answer */
	size_t ntargets;
	char targets[MAX_TARGETS][DNS_NAME_MAX + 1];	/* MX/PTR names */
};

struct thread_spf {
	SPF_dns_server_t dns;
	SPF_server_t *server;
	struct evaluation eval;
};

/*
 * Verdicts, by (address, sender, HELO), for the smallest TTL of the
 * answers they came from: a direct-mapped table, so it is bounded and a
 * lookup is one lock and one compare. temperror is never kept.
 */
#define CACHE_SLOTS 4096
#define CACHE_KEY_MAX (INET6_ADDRSTRLEN + 64 + DNS_NAME_MAX * 2 + 8)

struct cached {
	char key[CACHE_KEY_MAX];
	time_t expires;
	struct spf_outcome outcome;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached *cache;

static pthread_key_t thread_key;
/* Written as an SPF macro string: "%_" is a space. */
#define SPF_EXPLANATION "the%_SPF%_record%_of%_%{o}%_does%_not%_allow%_%{i}"

static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static bool
is_target(const struct evaluation *e, const char *name)
{
	for (size_t i = 0; i < e->ntargets; i++)
		if (strcasecmp(e->targets[i], name) == 0)
			return true;
	return false;
}

static void
remember_targets(struct evaluation *e, const struct dns_answer *answer)
{
	for (size_t i = 0; i < answer->count && e->ntargets < MAX_TARGETS; i++)
		copy_bounded(e->targets[e->ntargets++], sizeof(e->targets[0]),
		    answer->records[i]);
}

/* Copies ANSWER's records into RR; returns -1 on allocation failure. */
static int
fill_records(SPF_dns_rr_t *rr, const struct dns_answer *answer)
{
	for (size_t i = 0; i < answer->count && i < 1000; i++) {
		size_t len = answer->type == DNS_TYPE_A ? sizeof(struct in_addr) :
		    answer->type == DNS_TYPE_AAAA ? sizeof(struct in6_addr) :
		    strlen(answer->records[i]) + 1;

		if (SPF_dns_rr_buf_realloc(rr, (int)i, len) != SPF_E_SUCCESS)
			return -1;
		if (answer->type == DNS_TYPE_A)
			rr->rr[i]->a = answer->addresses[i].u.v4;
		else if (answer->type == DNS_TYPE_AAAA)
			rr->rr[i]->aaaa = answer->addresses[i].u.v6;
		else
			memcpy(rr->rr[i]->txt, answer->records[i], len);
		rr->num_rr = (int)i + 1;
	}
	return 0;
}

static SPF_dns_rr_t *
dns_layer_lookup(SPF_dns_server_t *layer, const char *domain,
    ns_type type, int should_cache)
{
	struct thread_spf *ts = layer->hook;
	struct evaluation *e = &ts->eval;
	struct dns_answer *answer;
	SPF_dns_stat_t herrno;
	SPF_dns_rr_t *rr;

	(void)should_cache;
	if (type != ns_t_a && type != ns_t_aaaa && type != ns_t_txt &&
	    type != ns_t_mx && type != ns_t_ptr)
		return SPF_dns_rr_new_init(layer, domain, type, 0, NO_DATA);
	if (e->voids > VOID_LOOKUP_LIMIT)	/* stop asking: permerror */
		return SPF_dns_rr_new_init(layer, domain, type, 0,
		    HOST_NOT_FOUND);
	answer = dns_lookup(domain, (uint16_t)type);
	if (answer->status == DNS_OK)
		herrno = NETDB_SUCCESS;
	else if (answer->status == DNS_NXDOMAIN)
		herrno = HOST_NOT_FOUND;
	else if (answer->status == DNS_NODATA)
		herrno = NO_DATA;
	else
		herrno = TRY_AGAIN;
	if (herrno == TRY_AGAIN)
		e->failures++;
	if (answer->ttl < e->ttl)
		e->ttl = answer->ttl;
	if (dns_answer_is_negative(answer) && !((type == ns_t_a ||
	    type == ns_t_aaaa) && is_target(e, domain)))
		e->voids++;
	if (answer->status == DNS_OK && (type == ns_t_mx || type == ns_t_ptr))
		remember_targets(e, answer);
	rr = SPF_dns_rr_new_init(layer, domain, type, (int)answer->ttl,
	    herrno);
	if (rr != NULL && answer->status == DNS_OK &&
	    fill_records(rr, answer) != 0)
		rr->herrno = TRY_AGAIN;
	dns_answer_free(answer);
	if (rr == NULL)	/* libspf2 abort()s on NULL; it never is here */
		log_fatal("spf: out of memory");
	return rr;
}

static void
thread_spf_free(void *arg)
{
	struct thread_spf *ts = arg;

	if (ts == NULL)
		return;
	SPF_server_free(ts->server);	/* our layer has no destroy hook */
	free(ts);
}

static void
thread_key_create(void)
{
	pthread_key_create(&thread_key, thread_spf_free);
}

/* The explanation of a fail when the domain gives none (RFC 7208 6.2). */
static void
set_explanation(SPF_server_t *server)
{
	SPF_response_t *response = NULL;

	if (SPF_server_set_explanation(server, SPF_EXPLANATION, &response)
	    != SPF_E_SUCCESS)
		log_warn("spf: cannot set the default explanation");
	SPF_response_free(response);
}

static struct thread_spf *
thread_spf(void)
{
	struct thread_spf *ts;

	pthread_once(&thread_key_once, thread_key_create);
	if ((ts = pthread_getspecific(thread_key)) != NULL)
		return ts;
	ts = xcalloc(1, sizeof(*ts));
	ts->dns.lookup = dns_layer_lookup;
	ts->dns.name = "egress-milter";
	ts->dns.hook = ts;
	ts->server = SPF_server_new_dns(&ts->dns, 0);
	if (ts->server == NULL)
		log_fatal("spf: cannot create a libspf2 server");
	/* Never let gethostname() leak into explanations. */
	SPF_server_set_rec_dom(ts->server, "egress-milter.invalid");
	/* libspf2's default explanation points at the defunct openspf.org. */
	set_explanation(ts->server);
	pthread_setspecific(thread_key, ts);
	return ts;
}

void
spf_thread_cleanup(void)
{
	pthread_once(&thread_key_once, thread_key_create);
	thread_spf_free(pthread_getspecific(thread_key));
	pthread_setspecific(thread_key, NULL);
}

const char *
spf_verdict_name(enum spf_verdict verdict)
{
	static const char *const names[] = { "none", "neutral", "pass",
	    "fail", "softfail", "temperror", "permerror" };

	return (unsigned)verdict < 7 ? names[verdict] : "none";
}

static enum spf_verdict
verdict_of(SPF_result_t result)
{
	switch (result) {
	case SPF_RESULT_PASS: return SPFV_PASS;
	case SPF_RESULT_FAIL: return SPFV_FAIL;
	case SPF_RESULT_SOFTFAIL: return SPFV_SOFTFAIL;
	case SPF_RESULT_NEUTRAL: return SPFV_NEUTRAL;
	case SPF_RESULT_TEMPERROR: return SPFV_TEMPERROR;
	case SPF_RESULT_PERMERROR: return SPFV_PERMERROR;
	default: return SPFV_NONE;
	}
}

/* Printable ASCII, no spaces, within LIMIT characters. */
static bool
acceptable(const char *s, size_t limit)
{
	size_t len = strlen(s);

	if (len == 0 || len > limit)
		return false;
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p > '~')
			return false;
	return true;
}

/* Checks the sender's shape; writes the domain to evaluate into OUT. */
static bool
sender_acceptable(const char *sender, const char *helo,
    struct spf_outcome *out)
{
	const char *at = strrchr(sender, '@');

	if (sender[0] == '\0') {
		if (helo == NULL || value_hostname(helo) != NULL) {
			snprintf(out->reason, sizeof(out->reason), "null "
			    "sender and no usable HELO name");
			return false;
		}
		copy_bounded(out->domain, sizeof(out->domain), helo);
		return true;
	}
	if (at == NULL || at == sender || (size_t)(at - sender) > 64 ||
	    !acceptable(sender, 64 + 1 + DNS_NAME_MAX) ||
	    value_hostname(at + 1) != NULL) {
		snprintf(out->reason, sizeof(out->reason), "sender address "
		    "unusable for SPF");
		return false;
	}
	copy_bounded(out->domain, sizeof(out->domain), at + 1);
	return true;
}

static size_t
cache_slot(const char *key)
{
	uint32_t h = 2166136261u;

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h % CACHE_SLOTS;
}

static bool
cache_get(const char *key, struct spf_outcome *out)
{
	bool hit = false;
	struct cached *c;

	pthread_mutex_lock(&cache_lock);
	if (cache != NULL) {
		c = &cache[cache_slot(key)];
		if (strcmp(c->key, key) == 0 && time(NULL) < c->expires) {
			*out = c->outcome;
			hit = true;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

static void
cache_put(const char *key, const struct spf_outcome *outcome, uint32_t ttl)
{
	struct cached *c;

	if (outcome->verdict == SPFV_TEMPERROR || ttl == 0)
		return;
	pthread_mutex_lock(&cache_lock);
	if (cache == NULL)
		cache = xcalloc(CACHE_SLOTS, sizeof(*cache));
	c = &cache[cache_slot(key)];
	copy_bounded(c->key, sizeof(c->key), key);
	c->expires = time(NULL) + (time_t)ttl;
	c->outcome = *outcome;
	pthread_mutex_unlock(&cache_lock);
}

void
spf_cache_flush(void)
{
	pthread_mutex_lock(&cache_lock);
	if (cache != NULL)
		memset(cache, 0, CACHE_SLOTS * sizeof(*cache));
	pthread_mutex_unlock(&cache_lock);
}

/* The text libspf2 gives for a response, or its reason code in words. */
static void
describe(SPF_response_t *response, struct spf_outcome *out)
{
	const char *text = SPF_response_get_smtp_comment(response);

	if (text == NULL || text[0] == '\0')
		text = SPF_response_get_header_comment(response);
	if (text == NULL || text[0] == '\0')
		text = SPF_strreason(SPF_response_reason(response));
	copy_bounded(out->reason, sizeof(out->reason), text ? text : "");
}

void
spf_check_host(const struct conf_address *address, const char *helo,
    const char *mail_from, struct spf_outcome *out)
{
	struct thread_spf *ts = thread_spf();
	SPF_request_t *request;
	SPF_response_t *response = NULL;
	char sender[64 + 1 + DNS_NAME_MAX + 3], key[CACHE_KEY_MAX];
	size_t len;

	memset(out, 0, sizeof(*out));
	out->verdict = SPFV_NONE;
	if (copy_bounded(sender, sizeof(sender), mail_from ? mail_from : "")) {
		snprintf(out->reason, sizeof(out->reason), "sender address "
		    "too long for SPF");
		return;
	}
	len = strlen(sender);
	if (len >= 2 && sender[0] == '<' && sender[len - 1] == '>') {
		memmove(sender, sender + 1, len - 2);
		sender[len - 2] = '\0';
	}
	if (!sender_acceptable(sender, helo, out))
		return;
	snprintf(key, sizeof(key), "%s|%s|%s", address->text, sender,
	    sender[0] ? "" : helo);
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (cache_get(key, out))
		return;
	memset(&ts->eval, 0, sizeof(ts->eval));
	ts->eval.ttl = UINT32_MAX;
	if ((request = SPF_request_new(ts->server)) == NULL)
		log_fatal("spf: out of memory");
	if (address->family == AF_INET)
		SPF_request_set_ipv4(request, address->u.v4);
	else
		SPF_request_set_ipv6(request, address->u.v6);
	if (helo != NULL && value_hostname(helo) == NULL)
		SPF_request_set_helo_dom(request, helo);
	SPF_request_set_env_from(request, sender);
	SPF_request_query_mailfrom(request, &response);
	out->verdict = response ? verdict_of(SPF_response_result(response)) :
	    SPFV_TEMPERROR;
	if (response != NULL)
		describe(response, out);
	/* libspf2 says "none" when the record lookup itself failed. */
	if (ts->eval.failures > 0 && out->verdict == SPFV_NONE) {
		out->verdict = SPFV_TEMPERROR;
		snprintf(out->reason, sizeof(out->reason), "DNS failure while "
		    "looking up the SPF record of %.150s", out->domain);
	}
	if (ts->eval.voids > VOID_LOOKUP_LIMIT) {
		out->verdict = SPFV_PERMERROR;
		snprintf(out->reason, sizeof(out->reason), "more than %d void "
		    "DNS lookups (RFC 7208 4.6.4)", VOID_LOOKUP_LIMIT);
	}
	SPF_response_free(response);
	SPF_request_free(request);
	cache_put(key, out, ts->eval.ttl);
}
