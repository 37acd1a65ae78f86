/*
 * conf.h - the configuration model: struct conf, every key's default,
 * and the reference-counted "current configuration" that reload swaps.
 *
 * Reading a file is conf_load.c's (conf_load.h), the keys' table and
 * handlers conf_keys.c's, the built-in defaults conf_address.c's
 * (conf_builtin()). conf_current()/conf_release() hand out references so
 * a reload never frees a configuration in use.
 * Must not: touch libmilter or the network (the primary address is found
 * with a connected UDP socket, which sends nothing).
 * The keys are documented in egress-milter.conf(5).
 */
#ifndef EM_CONF_H
#define EM_CONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dns/dns.h"
#include "global/finding.h"
#include "util/address.h"

#define CONF_MAX_NAMESERVERS DNS_MAX_NAMESERVERS
/* Egresses (and PublicAddress lines) are as many as configured, up to
 * this bound, beyond which the configuration is in error. */
#define CONF_EGRESS_LIMIT 65536
#define CONF_MAX_DNSBL 32
#define CONF_MAX_CODES 32
#define CONF_NAME_MAX 64
#define CONF_MAX_KEYS 64		/* entries of conf_keys[] */
#define CONF_DEFAULT_SOCKET "inet:8895@127.0.0.1"
#define CONF_DEFAULT_ROUTE_HEADER "X-Egress-Route"
#define CONF_DEFAULT_DNS_TIMEOUT 2
#define CONF_DEFAULT_DNS_TRIES 2
#define CONF_DEFAULT_MESSAGE_DNS_BUDGET 2000	/* milliseconds */
#define CONF_DEFAULT_DNS_CACHE_SIZE 10000
#define CONF_DEFAULT_DNS_MIN_TTL 10
#define CONF_DEFAULT_DNS_MAX_TTL 86400
#define CONF_DEFAULT_DNS_NEGATIVE_MAX_TTL 3600
#define CONF_DEFAULT_DNS_SERVE_STALE 3600
#define CONF_DEFAULT_CHECK_INTERVAL 300
#define CONF_DEFAULT_DNSBL_RATE 50	/* questions a second per zone */
#define CONF_DEFAULT_CONTROL_SOCKET "unix:/run/egress-milter/control"
#define CONF_DEFAULT_MILTER_TIMEOUT 120
#define CONF_DEFAULT_DKIM_MAX_SIGNATURES 10
#define CONF_DEFAULT_REFUSAL_BACKOFF 3600
#define CONF_DEFAULT_REFUSAL_GLOBAL 3	/* receivers refusing for ip */

struct conf_egress {
	char *name;
	struct ip_address address;
	char *helo;
	char *route;
	char *transport;		/* NULL unless transport= was given */
	char *nexthop;			/* nexthop=, for the route map; or NULL */
	int line;			/* 0 for a built-in egress */
	/* public= / PublicAddress (NAT): address is then the public
	 * address, the one the checks judge; bind the one on the line. */
	struct ip_address bind;
	bool has_public;
};

/* PublicAddress BIND PUBLIC: the egress bound to BIND leaves as PUBLIC. */
struct conf_public {
	struct ip_address bind;
	struct ip_address public_address;
	int line;
};

/* An inclusive range of IPv4 answers, host byte order. */
struct conf_code_range {
	uint32_t first;
	uint32_t last;
};

struct conf_dnsbl {
	char *zone;
	char *name;			/* label for /metrics: never a key */
	bool name_given;		/* name= was on the line */
	struct conf_code_range codes[CONF_MAX_CODES];
	size_t ncodes;			/* 0: any 127/8 answer outside errors */
	int weight;
	int line;			/* of its line; 0: a shipped zone */
};

/* DnsblBudget ZONE QUERIES-PER-DAY: the fleet's daily queries of ZONE. */
struct conf_budget {
	char *zone;
	long per_day;
};

/* Warmup EGRESS start=DAY [target=N] [schedule=FILE]: conf_warmup.c. */
#define CONF_WARMUP_MAX 1024		/* Warmup lines */
#define CONF_WARMUP_MAX_STEPS 366	/* daily caps of one schedule */
struct conf_warmup {
	char *egress;			/* its name, as on the line */
	long start_day;			/* UTC days since 1970-01-01 */
	long target;			/* graduates at this daily cap */
	long *caps;			/* nsteps daily caps, step 1 first */
	size_t nsteps;
	char *schedule;			/* schedule= FILE; NULL: shipped */
	int line;
};

/* WarmupFull: every healthy egress is at its warm-up cap. */
enum conf_warmup_full {
	WARMUP_FULL_SEND,		/* the least-loaded one (default) */
	WARMUP_FULL_DEFER		/* retry:4.7.1 */
};

/* One EgressMap line: mail from DOMAIN (or below it) leaves by EGRESS. */
struct conf_map_entry {
	char *domain;			/* lower case; ".x.test" for below */
	size_t egress;			/* index into conf->egress */
};

struct conf {
	char *path;			/* NULL for the built-in defaults */
	char *socket;
	struct dns_nameserver nameservers[CONF_MAX_NAMESERVERS];
	size_t nnameservers;		/* 0: the system's resolv.conf */
	long dns_timeout;		/* seconds per try */
	long dns_tries;			/* tries in all, across servers */
	/* MessageDNSBudget: one deadline for all of a message's lookups. */
	long message_dns_budget;	/* milliseconds */
	long dns_cache_size;		/* entries */
	long dns_min_ttl;		/* seconds */
	long dns_max_ttl;
	long dns_negative_max_ttl;
	long dns_serve_stale;		/* seconds past expiry; 0: never */
	struct conf_egress *egress;	/* negress entries; conf_egress_slot() */
	size_t negress;
	size_t egress_room;		/* entries allocated */
	struct conf_dnsbl dnsbl[CONF_MAX_DNSBL];
	size_t ndnsbl;
	long dnsbl_threshold;
	bool dnsbl_none;		/* "Dnsbl none": no zones at all */
	long check_interval;		/* seconds between health rounds */
	long dnsbl_rate;		/* DnsblRate: questions/s per zone */
	enum action on[FINDING_COUNT];
	enum action fallback;
	char *route_header;
	/* Routing that follows health: socketmap.c, route.c, refusal.c */
	char *map_socket;		/* MapSocket; NULL: off */
	char **refusal_patterns;	/* RefusalPattern lines (ERE) */
	size_t nrefusal_patterns;
	bool refusal_none;		/* "RefusalPattern none": no shipped */
	long refusal_backoff;		/* RefusalBackoff, seconds */
	bool refusal_backoff_set;	/* ... given: ip, ptr rules use it */
	long refusal_global;		/* RefusalGlobalReceivers */
	char *map_owner;		/* PostfixMailOwner; NULL: postfix */
	long map_owner_uid;		/* its uid; -1: none (root only) */
	int map_socket_line;		/* of the MapSocket line, for -t */
	/* -t checks of the Postfix side (postfix_check.c) */
	bool postfix_check;		/* PostfixConfig or EgressFrom postfix */
	char *postfix_config;		/* its DIR; NULL: Postfix's default */
	bool report_header;		/* add X-Egress-Report */
	struct conf_dnsbl domainbl[CONF_MAX_DNSBL];	/* DomainBl */
	size_t ndomainbl;
	struct conf_public *publics;	/* PublicAddress; npublic entries */
	size_t npublic;
	size_t public_room;		/* entries allocated */
	char *egress_map_path;		/* EgressMap FILE */
	struct conf_map_entry *egress_map;	/* sorted by domain */
	size_t negress_map;
	struct conf_warmup *warmup;	/* Warmup lines; nwarmup entries */
	size_t nwarmup;
	enum conf_warmup_full warmup_full;	/* WarmupFull */
	bool syslog;
	int syslog_facility;
	int log_level;			/* a syslog priority */
	char *user;			/* NULL: keep the current user */
	char *pidfile;			/* NULL: none */
	char *state_file;		/* StateFile; NULL: none */
	mode_t umask;
	bool umask_set;
	/* -t (conf_print.c): the line each value came from; 0: default. */
	int key_line[CONF_MAX_KEYS];	/* by conf_keys[] index, last use */
	int on_line[FINDING_COUNT];	/* each finding's On line */
	/* Operations: --status and /metrics (control.c, metrics.c). */
	char *control_socket;		/* unix:/PATH; NULL: none */
	char *metrics_listen;		/* HOST:PORT; NULL: off */
	char *postfix_dir;		/* EgressFrom postfix: its DIR, "" for
					 * the default; NULL: not Postfix's */
	/* Bounds against hostile peers and load (docs/security.md). */
	long milter_timeout;		/* MilterTimeout, seconds */
	long max_connections;		/* MaxConnections; 0: from RLIMIT_NOFILE */
	long dkim_max_signatures;	/* DKIMMaxSignatures */
	bool allow_root;		/* AllowRoot: run as root without UserID */
	/* The fleet's shared state (health/fleet.c, conf_fleet.c). */
	char *redis;			/* HOST:PORT or unix:/PATH; NULL: none */
	char *redis_user;		/* user=; NULL: none */
	char *redis_password;		/* password=; NULL: none; never shown */
	char *relay_name;		/* RelayName; NULL: the host's name */
	struct conf_budget budgets[CONF_MAX_DNSBL];	/* DnsblBudget */
	size_t nbudgets;
	int refcount;			/* owned by conf_current()/release */
};

/* Fills in the defaults of every key (no egress). */
void conf_init_defaults(struct conf *conf);

/* The uid of user NAME, or -1 when there is none. */
long conf_user_uid(const char *name);

void conf_free(struct conf *conf);

/*
 * Room for one more egress (or PublicAddress line): a zeroed entry at
 * conf->egress[conf->negress] (conf->publics[conf->npublic]), which the
 * caller fills and counts; NULL when CONF_EGRESS_LIMIT are configured.
 */
struct conf_egress *conf_egress_slot(struct conf *conf);
struct conf_public *conf_public_slot(struct conf *conf);

/* The action for FINDING under CONF. */
enum action conf_action(const struct conf *conf, enum finding finding);

/* Reload support: the current configuration, reference-counted. */
void conf_set_current(struct conf *conf);	/* takes ownership */
struct conf *conf_current(void);		/* adds a reference */
void conf_release(struct conf *conf);		/* drops it */

#endif
