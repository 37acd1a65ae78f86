/*
 * fleet.c - the fleet's shared state in Redis, and the one thread that
 * talks to it.
 *
 * fleet_start(), fleet_stop(), fleet_view().
 *
 * Only this file uses hiredis (tests/lint/layering.sh), and only its
 * thread calls it, with bounded connect and command timeouts. Other
 * threads hand it work in memory: refusal.c's back-offs learned here
 * (refusal_learned_since()), fleet_health.c's lease requests and results
 * (the monitor's thread alone waits on an answer, bounded).
 * Every write is a Lua script that takes its time from Redis (TIME) and
 * sets its key's TTL in the same call, in milliseconds (PEXPIRE), so
 * relays' clocks never meet and no key lives on without a TTL. Keys
 * (prefix FLEET_PREFIX, the egress address as hash tag):
 *   {ADDR}:refusal:RECEIVER  HASH, a back-off; TTL = its remaining time;
 *                            the later end wins (refusals, a ZSET, indexes
 *                            them by end)
 *   {ADDR}:lease             STRING relay; SET NX PX the check interval
 *   {ADDR}:health            HASH, the last clean check; TTL 3 intervals;
 *                            the newer check wins
 *   relays                   ZSET relay -> last heartbeat (Redis time)
 *   dnsq:ZONE:YYYYMMDD       STRING, the fleet's DNSBL queries of ZONE
 *                            that UTC day (DnsblBudget); TTL 2 days
 *   {ADDR}:warmup:YYYYMMDD   HASH, the fleet's warm-up counts of the
 *                            address that UTC day (sent, deferred,
 *                            bounced, refused, listed) and each batch's
 *                            sequence number (seq:RELAY:EGRESS: a batch
 *                            sent again is applied once); TTL 2 days
 *   {ADDR}:warmup:YYYYMMDDHH HASH, sent that UTC hour; TTL 2 hours
 *   {ADDR}:warmup:step       HASH, the fleet's step: day (whose end
 *                            decided it), step, graduated, start, relay;
 *                            the first relay to write a later day wins;
 *                            TTL 40 days (past the 30 idle days)
 * What health is taken and published: fleet_health.c.
 * When Redis is lost: one log line, reconnects every FLEET_RETRY_MAX s at
 * most, the relay goes on alone with what it has (refusals stay until
 * they end); when it is back: one log line, and this relay's back-offs
 * in force are published again (merged by the later end).
 * Must not: touch libmilter or DNS; be called by hiredis from any other
 * thread; make the milter or a socketmap answer wait.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "conf/conf.h"
#include "global/cause.h"
#include "global/finding.h"
#include "health/fleet.h"
#include "health/fleet_health.h"
#include "health/refusal.h"
#include "health/warmup.h"
#include "util/log.h"
#include "util/util.h"

#define FLEET_PREFIX "egress-milter:"
#define FLEET_CONNECT_MS 500
#define FLEET_COMMAND_MS 1000
#define FLEET_POLL_MS 1000		/* refusals and heartbeat */
#define FLEET_RETRY_MAX 8		/* seconds between reconnects */
#define FLEET_KEY_MAX 400

enum fleet_script {
	SCRIPT_REFUSAL_PUT,
	SCRIPT_HEALTH_PUT,
	SCRIPT_LEASE,
	SCRIPT_BEAT,
	SCRIPT_QUERIES,
	SCRIPT_WARMUP,
	SCRIPT_COUNT
};

/* Redis's clock, in ms, as "now" (every script starts with it). */
#define LUA_NOW "local t = redis.call('TIME') " \
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "

static const char *const fleet_scripts[SCRIPT_COUNT] = {
	/* KEYS: refusal, index. ARGV: remaining ms, cause, address,
	 * receiver, destination, text, relay, backoff s, count, global. */
	LUA_NOW
	"local ms = tonumber(ARGV[1]) "
	"if not ms or ms <= 0 then return 0 end "
	"local untilms = now + ms "
	"local old = tonumber(redis.call('HGET', KEYS[1], 'until_ms') or '0') "
	"if old and old >= untilms then return 0 end "
	"redis.call('HSET', KEYS[1], 'until_ms', untilms, 'cause', ARGV[2], "
	"'address', ARGV[3], 'receiver', ARGV[4], 'destination', ARGV[5], "
	"'text', ARGV[6], 'relay', ARGV[7], 'backoff', ARGV[8], "
	"'count', ARGV[9], 'global', ARGV[10]) "
	"redis.call('PEXPIRE', KEYS[1], ms) "
	"redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now) "
	"redis.call('ZADD', KEYS[2], untilms, KEYS[1]) "
	"if redis.call('PTTL', KEYS[2]) < ms then "
	"redis.call('PEXPIRE', KEYS[2], ms) end "
	"return 1",
	/* KEYS: health. ARGV: age ms, key TTL ms, relay, fingerprint,
	 * findings, listed, reasons, advice, DNS TTL. */
	LUA_NOW
	"local checked = now - tonumber(ARGV[1]) "
	"local old = tonumber(redis.call('HGET', KEYS[1], 'checked_ms') "
	"or '0') "
	"if old and old > checked then return 0 end "
	"redis.call('HSET', KEYS[1], 'checked_ms', checked, 'relay', ARGV[3], "
	"'fp', ARGV[4], 'findings', ARGV[5], 'listed', ARGV[6], "
	"'reasons', ARGV[7], 'advice', ARGV[8], 'dns_ttl', ARGV[9]) "
	"redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) "
	"return 1",
	/* KEYS: lease, health. ARGV: relay, interval ms. Returns the
	 * holder, the health's age in ms (-1: none) and its fields. */
	LUA_NOW
	"redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', tonumber(ARGV[2])) "
	"local holder = redis.call('GET', KEYS[1]) "
	"local h = redis.call('HGETALL', KEYS[2]) "
	"local age = -1 "
	"for i = 1, #h, 2 do if h[i] == 'checked_ms' then "
	"age = now - tonumber(h[i + 1]) end end "
	"return {holder or '', age, h}",
	/* KEYS: relays. ARGV: relay. Returns relay, age ms, ... */
	LUA_NOW
	"redis.call('ZADD', KEYS[1], now, ARGV[1]) "
	"redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000) "
	"redis.call('PEXPIRE', KEYS[1], 120000) "
	"local r = redis.call('ZRANGE', KEYS[1], 0, 63, 'WITHSCORES') "
	"local out = {} "
	"for i = 1, #r, 2 do out[#out + 1] = r[i] "
	"out[#out + 1] = now - tonumber(r[i + 1]) end "
	"return out",
	/* KEYS: dnsq:ZONE:DAY. ARGV: queries. The count, kept 2 days. */
	"local n = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1])) "
	"if redis.call('PTTL', KEYS[1]) < 0 then "
	"redis.call('PEXPIRE', KEYS[1], 172800000) end "
	"return n",
	/* KEYS: the day's counts, the hour's, the step. ARGV: seq field,
	 * seq, sent, deferred, bounced, sent this hour, refused, listed,
	 * decided day, step, graduated, start day, relay. Returns sent,
	 * deferred, bounced, refused, listed, sent this hour, the step's
	 * day (-1: none), step, graduated, start day. */
	"local seq = tonumber(ARGV[2]) "
	"local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') "
	"if seq > old then "
	"redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
	"local f = {'sent', 'deferred', 'bounced'} "
	"for i = 1, 3 do local n = tonumber(ARGV[2 + i]) "
	"if n ~= 0 then redis.call('HINCRBY', KEYS[1], f[i], n) end end "
	"if ARGV[7] == '1' then redis.call('HSET', KEYS[1], 'refused', 1) end "
	"if ARGV[8] == '1' then redis.call('HSET', KEYS[1], 'listed', 1) end "
	"redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) "
	"redis.call('HINCRBY', KEYS[2], 'sent', tonumber(ARGV[6])) "
	"end "
	"if redis.call('PTTL', KEYS[1]) < 0 then "
	"redis.call('PEXPIRE', KEYS[1], 172800000) end "
	"if redis.call('PTTL', KEYS[2]) < 0 then "
	"redis.call('PEXPIRE', KEYS[2], 7200000) end "
	"local dec = tonumber(ARGV[9]) "
	"local sd = tonumber(redis.call('HGET', KEYS[3], 'day') or '-1') "
	"if dec >= 0 and dec > sd then "
	"redis.call('HSET', KEYS[3], 'day', dec, 'step', ARGV[10], "
	"'graduated', ARGV[11], 'start', ARGV[12], 'relay', ARGV[13]) end "
	"if redis.call('EXISTS', KEYS[3]) == 1 then "
	"redis.call('PEXPIRE', KEYS[3], 3456000000) end "
	"local v = redis.call('HMGET', KEYS[1], 'sent', 'deferred', 'bounced', "
	"'refused', 'listed') "
	"local st = redis.call('HMGET', KEYS[3], 'day', 'step', 'graduated', "
	"'start') "
	"local out = {} "
	"for i = 1, 5 do out[i] = tonumber(v[i] or '0') or 0 end "
	"out[6] = tonumber(redis.call('HGET', KEYS[2], 'sent') or '0') or 0 "
	"out[7] = tonumber(st[1] or '-1') or -1 "
	"for i = 2, 4 do out[6 + i] = tonumber(st[i] or '0') or 0 end "
	"return out",
};

static pthread_mutex_t fleet_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t fleet_thread;
static bool fleet_running;
static atomic_bool fleet_stopping;
static struct fleet_view fleet_state;		/* lock held */

/* The thread's own (no lock: only fleet_thread touches them). */
static redisContext *fleet_ctx;
static char fleet_sha[SCRIPT_COUNT][41];
static char fleet_target_now[300];
static char fleet_relay[CONF_NAME_MAX + 1];
static unsigned long fleet_cursor;		/* refusal_learned_since() */
static bool fleet_error_logged;			/* since the last connect */

/* This relay's name: RelayName, else the host's name. */
static void
fleet_relay_name(const struct conf *conf, char *out, size_t size)
{
	char host[256];

	if (conf->relay_name != NULL) {
		copy_bounded(out, size, conf->relay_name);
		return;
	}
	if (gethostname(host, sizeof(host)) != 0)
		copy_bounded(host, sizeof(host), "relay");
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-", *p)))
			*p = '_';
	copy_bounded(out, size, host);
}

static long
elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000L +
	    (now.tv_nsec - since->tv_nsec) / 1000000L;
}

void
fleet_view(struct fleet_view *out)
{
	pthread_mutex_lock(&fleet_lock);
	*out = fleet_state;
	pthread_mutex_unlock(&fleet_lock);
	fleet_health_counts(&out->checks_shared, &out->checks_published);
}

/* ---- the thread's side: Redis ---- */

/* A command's reply, or NULL (the connection is then dropped). */
static redisReply *
fleet_argv(int argc, const char **argv, const size_t *len)
{
	redisReply *r;

	if (fleet_ctx == NULL)
		return NULL;
	r = redisCommandArgv(fleet_ctx, argc, argv, len);
	if (r == NULL || fleet_ctx->err) {
		if (r != NULL)
			freeReplyObject(r);
		return NULL;
	}
	return r;
}

/* Runs SCRIPT with KEYS and ARGS (NKEYS + NARGS strings): its reply. */
static redisReply *
fleet_eval(enum fleet_script script, int nkeys, const char **words, int n)
{
	const char *argv[24];
	size_t len[24];
	char numkeys[8];
	redisReply *r;

	if (n + 3 > 24)
		return NULL;
	snprintf(numkeys, sizeof(numkeys), "%d", nkeys);
	argv[0] = "EVALSHA";
	argv[1] = fleet_sha[script];
	argv[2] = numkeys;
	for (int i = 0; i < n; i++)
		argv[3 + i] = words[i];
	for (int i = 0; i < n + 3; i++)
		len[i] = strlen(argv[i]);
	r = fleet_argv(n + 3, argv, len);
	if (r != NULL && r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(r);
		argv[0] = "EVAL";
		argv[1] = fleet_scripts[script];
		len[0] = 4;
		len[1] = strlen(argv[1]);
		r = fleet_argv(n + 3, argv, len);
	}
	return r;
}

/* R, a script's reply, is an error: logged once a connection (an ACL
 * that forbids a command would say so at every call). */
static void
fleet_script_error(const char *what, const redisReply *r)
{
	char shown[300];

	if (fleet_error_logged)
		return;
	fleet_error_logged = true;
	log_err("fleet: Redis refused the %s script: %s (the relay goes on "
	    "with what it knows; further errors are not logged until it "
	    "connects again)", what, log_escape(shown, sizeof(shown),
	    r->str));
}

static void
fleet_set_state(bool reachable, const char *why)
{
	char shown[300];
	bool was;

	pthread_mutex_lock(&fleet_lock);
	was = fleet_state.reachable;
	if (was != reachable || fleet_state.since == 0) {
		fleet_state.reachable = reachable;
		fleet_state.since = time(NULL);
		if (!reachable)
			fleet_state.nrelays = 0;
		if (reachable)
			log_notice("fleet: Redis at %s reached (relay %s): "
			    "refusals and health are shared", fleet_target_now,
			    fleet_relay);
		else
			log_warn("fleet: Redis at %s not reachable (%s): this "
			    "relay goes on with its own checks and the shared "
			    "state it has", fleet_target_now,
			    log_escape(shown, sizeof(shown), why));
	}
	pthread_mutex_unlock(&fleet_lock);
	fleet_health_set_up(reachable, fleet_relay);
}

static void
fleet_disconnect(void)
{
	if (fleet_ctx != NULL)
		redisFree(fleet_ctx);
	fleet_ctx = NULL;
}

/* Connects to CONF's Redis, logs in, loads the scripts; 0 when done. */
static int
fleet_connect(const struct conf *conf, char *why, size_t size)
{
	struct timeval ct = { 0, FLEET_CONNECT_MS * 1000 };
	struct timeval cmd = { FLEET_COMMAND_MS / 1000,
	    (FLEET_COMMAND_MS % 1000) * 1000 };
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	redisReply *r;

	if (strncmp(conf->redis, "unix:", 5) == 0)
		fleet_ctx = redisConnectUnixWithTimeout(conf->redis + 5, ct);
	else {
		colon = strrchr(conf->redis, ':');
		snprintf(host, sizeof(host), "%.*s", (int)(colon -
		    conf->redis), conf->redis);
		if (host[0] == '[') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		fleet_ctx = redisConnectWithTimeout(host, atoi(colon + 1), ct);
	}
	if (fleet_ctx == NULL || fleet_ctx->err) {
		snprintf(why, size, "%s", fleet_ctx ? fleet_ctx->errstr :
		    "out of memory");
		fleet_disconnect();
		return -1;
	}
	(void)redisSetTimeout(fleet_ctx, cmd);
	/* TCP only: on a Unix socket it fails and marks the context. */
	if (strncmp(conf->redis, "unix:", 5) != 0)
		(void)redisEnableKeepAlive(fleet_ctx);
	if (conf->redis_password != NULL) {
		const char *argv[3] = { "AUTH", NULL, NULL };
		size_t len[3];
		int argc = 1;

		if (conf->redis_user != NULL)
			argv[argc++] = conf->redis_user;
		argv[argc++] = conf->redis_password;
		for (int i = 0; i < argc; i++)
			len[i] = strlen(argv[i]);
		r = fleet_argv(argc, argv, len);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			/* Redis's text only: it never holds the password. */
			snprintf(why, size, "AUTH: %s", r ? r->str :
			    fleet_ctx->errstr);
			if (r)
				freeReplyObject(r);
			fleet_disconnect();
			return -1;
		}
		freeReplyObject(r);
	}
	for (int s = 0; s < SCRIPT_COUNT; s++) {
		const char *argv[3] = { "SCRIPT", "LOAD", fleet_scripts[s] };
		size_t len[3] = { 6, 4, strlen(fleet_scripts[s]) };

		r = fleet_argv(3, argv, len);
		if (r == NULL || r->type != REDIS_REPLY_STRING ||
		    r->len != 40) {
			snprintf(why, size, "SCRIPT LOAD: %s", r == NULL ?
			    (fleet_ctx ? fleet_ctx->errstr : "lost") :
			    r->type == REDIS_REPLY_ERROR ? r->str :
			    "unexpected reply");
			if (r)
				freeReplyObject(r);
			fleet_disconnect();
			return -1;
		}
		memcpy(fleet_sha[s], r->str, 40);
		fleet_sha[s][40] = '\0';
		freeReplyObject(r);
	}
	return 0;
}

static const char *
reply_field(const redisReply *h, const char *name)
{
	if (h == NULL || h->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (size_t i = 0; i + 1 < h->elements; i += 2)
		if (h->element[i]->type == REDIS_REPLY_STRING &&
		    strcmp(h->element[i]->str, name) == 0 &&
		    h->element[i + 1]->type == REDIS_REPLY_STRING)
			return h->element[i + 1]->str;
	return NULL;
}

/* Publishes this relay's back-offs learned since the cursor; 0: done. */
static int
fleet_publish_refusals(void)
{
	struct refusal_info *list = xcalloc(REFUSAL_MAX_ENTRIES,
	    sizeof(*list));
	unsigned long cursor = fleet_cursor;
	struct conf *conf = conf_current();
	time_t now = time(NULL);
	size_t n = refusal_learned_since(&cursor, list, REFUSAL_MAX_ENTRIES);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct refusal_info *info = &list[i];
		const char *address = NULL;
		char key[FLEET_KEY_MAX], ms[24], backoff[24], count[24];
		const char *words[12];
		redisReply *r;

		for (size_t k = 0; k < conf->negress && address == NULL; k++)
			if (strcasecmp(conf->egress[k].name, info->egress) == 0)
				address = conf->egress[k].address.text;
		if (address == NULL || info->until <= now)
			continue;
		snprintf(key, sizeof(key), FLEET_PREFIX "{%s}:refusal:%s",
		    address, info->receiver);
		snprintf(ms, sizeof(ms), "%lld", (long long)(info->until -
		    now) * 1000LL);
		snprintf(backoff, sizeof(backoff), "%ld", info->backoff);
		snprintf(count, sizeof(count), "%u", info->count);
		words[0] = key;
		words[1] = FLEET_PREFIX "refusals";
		words[2] = ms;
		words[3] = cause_name(info->cause);
		words[4] = address;
		words[5] = info->receiver;
		words[6] = info->destination;
		words[7] = info->text;
		words[8] = fleet_relay;
		words[9] = backoff;
		words[10] = count;
		words[11] = info->global ? "1" : "0";
		if ((r = fleet_eval(SCRIPT_REFUSAL_PUT, 2, words, 12)) == NULL)
			rc = -1;
		else {
			if (r->type == REDIS_REPLY_ERROR)
				fleet_script_error("refusal", r);
			else {
				pthread_mutex_lock(&fleet_lock);
				fleet_state.refusals_published++;
				pthread_mutex_unlock(&fleet_lock);
			}
			freeReplyObject(r);
		}
	}
	if (rc == 0)
		fleet_cursor = cursor;
	conf_release(conf);
	free(list);
	return rc;
}

/* Installs one refusal H (HGETALL) of another relay, REMAINING ms left. */
static void
fleet_install_refusal(const struct conf *conf, const redisReply *h,
    long long remaining)
{
	const char *address = reply_field(h, "address");
	const char *relay = reply_field(h, "relay");
	const char *cause = reply_field(h, "cause");
	const char *receiver = reply_field(h, "receiver");
	const char *v;
	struct refusal_info info;
	enum refusal_cause c;

	if (address == NULL || relay == NULL || cause == NULL ||
	    receiver == NULL || strcmp(relay, fleet_relay) == 0 ||
	    remaining < 1000)
		return;
	c = cause_by_name(cause);
	if (c != CAUSE_IP && c != CAUSE_PTR && c != CAUSE_RATE)
		return;
	memset(&info, 0, sizeof(info));
	copy_bounded(info.receiver, sizeof(info.receiver), receiver);
	if ((v = reply_field(h, "destination")) != NULL)
		copy_bounded(info.destination, sizeof(info.destination), v);
	if ((v = reply_field(h, "text")) != NULL)
		copy_bounded(info.text, sizeof(info.text), v);
	info.cause = c;
	info.global = (v = reply_field(h, "global")) != NULL && v[0] == '1';
	info.since = time(NULL);
	info.until = info.since + (time_t)(remaining / 1000);
	info.backoff = (v = reply_field(h, "backoff")) ? atol(v) : 0;
	if (info.backoff <= 0 || info.backoff > REFUSAL_MAX_BACKOFF)
		info.backoff = (long)(remaining / 1000);
	info.count = (v = reply_field(h, "count")) ? (unsigned)atol(v) : 1;
	for (size_t k = 0; k < conf->negress; k++)
		if (strcmp(conf->egress[k].address.text, address) == 0) {
			copy_bounded(info.egress, sizeof(info.egress),
			    conf->egress[k].name);
			if (refusal_merge(&info, relay)) {
				pthread_mutex_lock(&fleet_lock);
				fleet_state.refusals_shared++;
				pthread_mutex_unlock(&fleet_lock);
			}
		}
}

/* Reads every refusal in force and installs the others'; 0: done. */
static int
fleet_poll_refusals(void)
{
	const char *argv[4] = { "ZRANGE", FLEET_PREFIX "refusals", "0",
	    "4095" };
	size_t len[4];
	redisReply *keys;
	struct conf *conf;
	int rc = 0;

	for (int i = 0; i < 4; i++)
		len[i] = strlen(argv[i]);
	if ((keys = fleet_argv(4, argv, len)) == NULL)
		return -1;
	if (keys->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(keys);
		return 0;
	}
	conf = conf_current();
	for (size_t i = 0; i < keys->elements && rc == 0; i++) {
		if (keys->element[i]->type != REDIS_REPLY_STRING)
			continue;
		redisAppendCommand(fleet_ctx, "HGETALL %b",
		    keys->element[i]->str, keys->element[i]->len);
		redisAppendCommand(fleet_ctx, "PTTL %b",
		    keys->element[i]->str, keys->element[i]->len);
	}
	for (size_t i = 0; i < keys->elements && rc == 0; i++) {
		void *h = NULL, *t = NULL;

		if (keys->element[i]->type != REDIS_REPLY_STRING)
			continue;
		if (redisGetReply(fleet_ctx, &h) != REDIS_OK ||
		    redisGetReply(fleet_ctx, &t) != REDIS_OK) {
			rc = -1;
		} else if (((redisReply *)t)->type == REDIS_REPLY_INTEGER &&
		    ((redisReply *)t)->integer > 0)
			fleet_install_refusal(conf, h,
			    ((redisReply *)t)->integer);
		if (h)
			freeReplyObject(h);
		if (t)
			freeReplyObject(t);
	}
	conf_release(conf);
	freeReplyObject(keys);
	return rc;
}

/* The heartbeat, and the relays seen in the last minute; 0: done. */
static int
fleet_beat(void)
{
	const char *words[2] = { FLEET_PREFIX "relays", fleet_relay };
	redisReply *r = fleet_eval(SCRIPT_BEAT, 1, words, 2);

	if (r == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ARRAY) {
		pthread_mutex_lock(&fleet_lock);
		fleet_state.nrelays = 0;
		for (size_t i = 0; i + 1 < r->elements &&
		    fleet_state.nrelays < FLEET_MAX_RELAYS; i += 2) {
			struct fleet_relay *rel =
			    &fleet_state.relays[fleet_state.nrelays];

			if (r->element[i]->type != REDIS_REPLY_STRING)
				continue;
			copy_bounded(rel->name, sizeof(rel->name),
			    r->element[i]->str);
			rel->age_ms = r->element[i + 1]->type ==
			    REDIS_REPLY_INTEGER ? r->element[i + 1]->integer :
			    0;
			fleet_state.nrelays++;
		}
		pthread_mutex_unlock(&fleet_lock);
	}
	freeReplyObject(r);
	return 0;
}

/* The key of ZONE's count on UTC day DAY (days since 1970). */
static void
fleet_queries_key(char *key, size_t size, const char *zone, long day)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(key, size, FLEET_PREFIX "dnsq:%s:%04d%02d%02d", zone,
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Adds this relay's DNSBL queries to the fleet's counts; 0: done. */
static int
fleet_count_queries(void)
{
	char zone[256], key[FLEET_KEY_MAX], n[24];
	long delta, day;

	while (fleet_budget_take(zone, sizeof(zone), &delta, &day)) {
		const char *words[2] = { key, n };
		redisReply *r;

		fleet_queries_key(key, sizeof(key), zone, day);
		snprintf(n, sizeof(n), "%ld", delta);
		if ((r = fleet_eval(SCRIPT_QUERIES, 1, words, 2)) == NULL) {
			fleet_budget_counted(zone, day, 0, delta);
			return -1;
		}
		if (r->type == REDIS_REPLY_INTEGER)
			fleet_budget_counted(zone, day, (long)r->integer, 0);
		else			/* dropped: later queries are counted */
			fleet_script_error("query count", r);
		freeReplyObject(r);
	}
	return 0;
}

/* Reads the fleet's counts of every budget's zone today; 0: done. */
static int
fleet_read_queries(void)
{
	struct conf *conf = conf_current();
	long day = (long)(time(NULL) / 86400);
	int rc = 0;

	for (size_t i = 0; conf != NULL && i < conf->nbudgets && rc == 0;
	    i++) {
		char key[FLEET_KEY_MAX];
		const char *argv[2] = { "GET", key };
		size_t len[2];
		redisReply *r;

		fleet_queries_key(key, sizeof(key), conf->budgets[i].zone, day);
		len[0] = 3;
		len[1] = strlen(key);
		if ((r = fleet_argv(2, argv, len)) == NULL)
			rc = -1;
		else {
			if (r->type == REDIS_REPLY_STRING)
				fleet_budget_counted(conf->budgets[i].zone, day,
				    atol(r->str), 0);
			freeReplyObject(r);
		}
	}
	if (conf != NULL)
		conf_release(conf);
	return rc;
}

/* The key of ADDRESS's warm-up counts of UTC day DAY (HOUR: of the
 * hour of HOUR, hours since 1970; -1: the day's). */
static void
fleet_warmup_key(char *key, size_t size, const char *address, long day,
    long hour)
{
	time_t t = hour >= 0 ? (time_t)hour * 3600 : (time_t)day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	if (hour >= 0)
		snprintf(key, size, FLEET_PREFIX "{%s}:warmup:%04d%02d%02d%02d",
		    address, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour);
	else
		snprintf(key, size, FLEET_PREFIX "{%s}:warmup:%04d%02d%02d",
		    address, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Adds this relay's warm-up counts to the fleet's, per egress address,
 * and takes back the fleet's totals and step (warmup.c); 0: done. */
static int
fleet_share_warmup(void)
{
	struct conf *conf = conf_current();
	time_t now = time(NULL);
	int rc = 0;

	for (size_t i = 0; conf != NULL && i < conf->nwarmup && rc == 0;
	    i++) {
		const char *egress = conf->warmup[i].egress, *address = NULL;
		char day[FLEET_KEY_MAX], hour[FLEET_KEY_MAX], step[FLEET_KEY_MAX];
		char field[2 * CONF_NAME_MAX + 8], num[11][24];
		const char *words[16];
		struct warmup_delta d, f;
		redisReply *r;

		for (size_t k = 0; k < conf->negress && address == NULL; k++)
			if (strcasecmp(conf->egress[k].name, egress) == 0)
				address = conf->egress[k].address.text;
		if (address == NULL ||
		    !warmup_fleet_take(conf, egress, now, &d))
			continue;
		fleet_warmup_key(day, sizeof(day), address, d.day, -1);
		fleet_warmup_key(hour, sizeof(hour), address, d.day, d.hour);
		snprintf(step, sizeof(step), FLEET_PREFIX "{%s}:warmup:step",
		    address);
		snprintf(field, sizeof(field), "seq:%s:%s", fleet_relay,
		    egress);
		snprintf(num[0], sizeof(num[0]), "%llu", d.seq);
		snprintf(num[1], sizeof(num[1]), "%ld", d.sent);
		snprintf(num[2], sizeof(num[2]), "%ld", d.deferred);
		snprintf(num[3], sizeof(num[3]), "%ld", d.bounced);
		snprintf(num[4], sizeof(num[4]), "%ld", d.sent_hour);
		snprintf(num[5], sizeof(num[5]), "%d", d.refused ? 1 : 0);
		snprintf(num[6], sizeof(num[6]), "%d", d.listed ? 1 : 0);
		snprintf(num[7], sizeof(num[7]), "%ld", d.decided);
		snprintf(num[8], sizeof(num[8]), "%u", d.step);
		snprintf(num[9], sizeof(num[9]), "%d", d.graduated ? 1 : 0);
		snprintf(num[10], sizeof(num[10]), "%ld", d.start_day);
		words[0] = day;
		words[1] = hour;
		words[2] = step;
		words[3] = field;
		for (int k = 0; k < 11; k++)
			words[4 + k] = num[k];
		words[15] = fleet_relay;
		if ((r = fleet_eval(SCRIPT_WARMUP, 3, words, 16)) == NULL) {
			rc = -1;	/* the batch stays, written again */
			break;
		}
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 10) {
			long v[10];

			for (size_t k = 0; k < 10; k++)
				v[k] = r->element[k]->type ==
				    REDIS_REPLY_INTEGER ?
				    (long)r->element[k]->integer : 0;
			memset(&f, 0, sizeof(f));
			f.sent = v[0];
			f.deferred = v[1];
			f.bounced = v[2];
			f.refused = v[3] != 0;
			f.listed = v[4] != 0;
			f.sent_hour = v[5];
			f.decided = r->element[6]->type ==
			    REDIS_REPLY_INTEGER ? v[6] : -1;
			f.step = v[7] > 0 ? (unsigned)v[7] : 0;
			f.graduated = v[8] != 0;
			f.start_day = v[9];
			warmup_fleet_done(conf, egress, &d, &f, now);
		} else if (r->type == REDIS_REPLY_ERROR)
			fleet_script_error("warm-up", r);
		freeReplyObject(r);
	}
	if (conf != NULL)
		conf_release(conf);
	return rc;
}

/* Answers the waiting lease requests; 0: done. */
static int
fleet_serve_leases(void)
{
	char address[INET6_ADDRSTRLEN];
	long interval_ms;

	while (fleet_health_next(address, sizeof(address), &interval_ms)) {
		struct fleet_health h;
		char lease[FLEET_KEY_MAX], health[FLEET_KEY_MAX], ms[24];
		const char *words[4], *v;
		const redisReply *f;
		redisReply *r;
		bool ours = true, shared = false;

		snprintf(lease, sizeof(lease), FLEET_PREFIX "{%s}:lease",
		    address);
		snprintf(health, sizeof(health), FLEET_PREFIX "{%s}:health",
		    address);
		snprintf(ms, sizeof(ms), "%ld", interval_ms);
		words[0] = lease;
		words[1] = health;
		words[2] = fleet_relay;
		words[3] = ms;
		if ((r = fleet_eval(SCRIPT_LEASE, 2, words, 4)) == NULL)
			return -1;
		memset(&h, 0, sizeof(h));
		h.age_ms = -1;
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
		    r->element[0]->type == REDIS_REPLY_STRING &&
		    r->element[1]->type == REDIS_REPLY_INTEGER) {
			ours = strcmp(r->element[0]->str, fleet_relay) == 0;
			h.age_ms = (long)r->element[1]->integer;
			f = r->element[2];
			if (h.age_ms >= 0 && (v = reply_field(f, "findings")) &&
			    strlen(v) == FINDING_COUNT) {
				shared = true;
				copy_bounded(h.findings, sizeof(h.findings), v);
				copy_bounded(h.listed, sizeof(h.listed),
				    (v = reply_field(f, "listed")) ? v : "");
				copy_bounded(h.relay, sizeof(h.relay),
				    (v = reply_field(f, "relay")) ? v : "");
				copy_bounded(h.fp, sizeof(h.fp),
				    (v = reply_field(f, "fp")) ? v : "");
				copy_bounded(h.reasons, sizeof(h.reasons),
				    (v = reply_field(f, "reasons")) ? v : "");
				copy_bounded(h.advice, sizeof(h.advice),
				    (v = reply_field(f, "advice")) ? v : "");
				h.dns_ttl = (v = reply_field(f, "dns_ttl")) ?
				    (unsigned)atol(v) : 0;
			}
		}
		freeReplyObject(r);
		fleet_health_answer(address, ours, shared, &h);
	}
	return 0;
}

/* Publishes the checks in the outbox; 0: done. */
static int
fleet_publish_health(void)
{
	struct fleet_health h;

	while (fleet_health_pop(&h)) {
		char key[FLEET_KEY_MAX], age[24], ttl[24], dns_ttl[24];
		const char *words[10];
		redisReply *r;

		snprintf(key, sizeof(key), FLEET_PREFIX "{%s}:health",
		    h.address);
		snprintf(age, sizeof(age), "%ld", elapsed_ms(&h.taken));
		snprintf(ttl, sizeof(ttl), "%ld", 3 * h.interval_ms);
		snprintf(dns_ttl, sizeof(dns_ttl), "%u", h.dns_ttl);
		words[0] = key;
		words[1] = age;
		words[2] = ttl;
		words[3] = fleet_relay;
		words[4] = h.fp;
		words[5] = h.findings;
		words[6] = h.listed;
		words[7] = h.reasons;
		words[8] = h.advice;
		words[9] = dns_ttl;
		if ((r = fleet_eval(SCRIPT_HEALTH_PUT, 1, words, 10)) == NULL)
			return -1;	/* lost with it: the next round's */
		if (r->type == REDIS_REPLY_ERROR)
			fleet_script_error("health", r);
		else
			fleet_health_published();
		freeReplyObject(r);
	}
	return 0;
}

static void
fleet_configure(const struct conf *conf)
{
	static bool warned;

	if (conf->nbudgets > 0 && !warned) {
		log_notice("DnsblBudget: the fleet's DNSBL queries are counted "
		    "per zone and day; the free use of public blocklists is "
		    "for non-commercial senders only: commercial use (a relay "
		    "service sold to customers) needs a keyed feed, such as "
		    "Spamhaus DQS, whatever the volume");
		warned = true;
	}
	pthread_mutex_lock(&fleet_lock);
	fleet_state.configured = conf->redis != NULL;
	copy_bounded(fleet_state.target, sizeof(fleet_state.target),
	    conf->redis ? conf->redis : "");
	fleet_relay_name(conf, fleet_relay, sizeof(fleet_relay));
	copy_bounded(fleet_state.relay, sizeof(fleet_state.relay),
	    fleet_relay);
	pthread_mutex_unlock(&fleet_lock);
}

static void *
fleet_main(void *arg)
{
	struct timespec last_poll = { 0, 0 };
	time_t retry_at = 0;
	int retry = 1;
	char why[300];

	(void)arg;
	while (!atomic_load(&fleet_stopping)) {
		struct conf *conf;

		fleet_health_wait(200, fleet_ctx != NULL);
		if (atomic_load(&fleet_stopping))
			break;
		if ((conf = conf_current()) == NULL)
			continue;
		fleet_configure(conf);
		if (strcmp(conf->redis ? conf->redis : "",
		    fleet_target_now) != 0) {
			fleet_disconnect();
			copy_bounded(fleet_target_now,
			    sizeof(fleet_target_now), conf->redis ?
			    conf->redis : "");
			retry_at = 0;
			/* Another Redis (or none): its own first line. */
			pthread_mutex_lock(&fleet_lock);
			fleet_state.since = 0;
			fleet_state.reachable = false;
			pthread_mutex_unlock(&fleet_lock);
			fleet_health_set_up(false, fleet_relay);
		}
		if (conf->redis != NULL && fleet_ctx == NULL &&
		    time(NULL) >= retry_at) {
			if (fleet_connect(conf, why, sizeof(why)) == 0) {
				retry = 1;
				fleet_cursor = 0;	/* publish all again */
				fleet_error_logged = false;
				last_poll.tv_sec = 0;
				fleet_set_state(true, "");
			} else {
				fleet_set_state(false, why);
				retry_at = time(NULL) + retry;
				retry = retry * 2 > FLEET_RETRY_MAX ?
				    FLEET_RETRY_MAX : retry * 2;
			}
		}
		if (fleet_ctx == NULL)
			fleet_health_release();
		else if (fleet_serve_leases() != 0 ||
		    fleet_publish_health() != 0 ||
		    fleet_publish_refusals() != 0 ||
		    fleet_count_queries() != 0 ||
		    ((last_poll.tv_sec == 0 || elapsed_ms(&last_poll) >=
		    FLEET_POLL_MS) && (clock_gettime(CLOCK_MONOTONIC,
		    &last_poll), fleet_beat() != 0 ||
		    fleet_poll_refusals() != 0 ||
		    fleet_read_queries() != 0 ||
		    fleet_share_warmup() != 0))) {
			snprintf(why, sizeof(why), "%s", fleet_ctx &&
			    fleet_ctx->err ? fleet_ctx->errstr : "no reply");
			fleet_disconnect();
			fleet_set_state(false, why);
			fleet_health_release();
			retry_at = time(NULL) + retry;
		}
		conf_release(conf);
	}
	fleet_disconnect();
	fleet_health_release();
	return NULL;
}

int
fleet_start(void)
{
	if (fleet_running)
		return 0;
	atomic_store(&fleet_stopping, false);
	if (pthread_create(&fleet_thread, NULL, fleet_main, NULL) != 0)
		return -1;
	fleet_running = true;
	return 0;
}

void
fleet_stop(void)
{
	if (!fleet_running)
		return;
	atomic_store(&fleet_stopping, true);
	fleet_health_kick();
	pthread_join(fleet_thread, NULL);
	fleet_running = false;
	fleet_health_set_up(false, fleet_relay);
}
