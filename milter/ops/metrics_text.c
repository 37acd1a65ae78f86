/*
 * metrics_text.c - the Prometheus exposition of the daemon's state
 * (metrics_render(), see metrics.h).
 *
 * Every family has its # HELP and # TYPE lines; names follow the
 * Prometheus conventions (egress_milter_ prefix, _total for counters,
 * _seconds for times). A zone is labelled by its name (name= or the
 * zone with its key removed, conf_keys.c), never by a keyed zone. Label values are escaped as the text format
 * asks (backslash, double quote, newline). Learned refusals and
 * route-map lookups are counted by refusal.c and route.c; an egress
 * with a back-off in force is at least warning in egress_state
 * (critical when backed off for every receiver). Sender domains refused
 * for authentication (auth_finding.c) are counted by domain and receiver.
 * The fleet's families (egress_milter_fleet_*) are there only with a
 * Redis line.
 * Must not: touch libmilter, do DNS.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/conf.h"
#include "dns/dnscache.h"
#include "dns/nshealth.h"
#include "global/cause.h"
#include "global/finding.h"
#include "global/stats.h"
#include "health/fleet.h"
#include "health/fleet_health.h"
#include "health/auth_finding.h"
#include "health/monitor.h"
#include "health/refusal.h"
#include "health/warmup.h"
#include "ops/metrics_text.h"
#include "util/util.h"

static void
family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one sample without labels. */
static void
single(FILE *fp, const char *name, const char *type, const char *help,
    unsigned long long value)
{
	family(fp, name, type, help);
	fprintf(fp, "%s %llu\n", name, value);
}

/* A label value, escaped. */
static void
label(FILE *fp, const char *value)
{
	for (const char *p = value; *p; p++)
		if (*p == '\\' || *p == '"')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else
			fputc(*p, fp);
}

static void
render_messages(FILE *fp, const struct stats_snapshot *st)
{
	family(fp, "egress_milter_messages_total", "counter",
	    "Messages decided, by action.");
	for (int a = 0; a < ACTION_COUNT; a++)
		fprintf(fp, "egress_milter_messages_total{action=\"%s\"} %lu\n",
		    action_name((enum action)a), st->messages[a]);
	family(fp, "egress_milter_message_findings_total", "counter",
	    "Messages decided with each finding.");
	for (int f = 0; f < FINDING_COUNT; f++)
		fprintf(fp, "egress_milter_message_findings_total{finding=\"%s\"}"
		    " %lu\n", finding_name((enum finding)f), st->findings[f]);
	family(fp, "egress_milter_decision_duration_seconds", "histogram",
	    "Time from end-of-message to the decision.");
	unsigned long cumulative = 0;
	for (int b = 0; b < STATS_LATENCY_BUCKETS; b++) {
		cumulative += st->latency[b];
		fprintf(fp, "egress_milter_decision_duration_seconds_bucket"
		    "{le=\"%g\"} %lu\n", stats_latency_bounds[b], cumulative);
	}
	cumulative += st->latency[STATS_LATENCY_BUCKETS];
	fprintf(fp, "egress_milter_decision_duration_seconds_bucket{le=\"+Inf\"}"
	    " %lu\negress_milter_decision_duration_seconds_sum %.6f\n"
	    "egress_milter_decision_duration_seconds_count %lu\n", cumulative,
	    st->latency_sum, cumulative);
	single(fp, "egress_milter_refusals_learned_total", "counter",
	    "Refusals by remote servers learned (none are learned yet).",
	    st->refusals);
	single(fp, "egress_milter_route_map_lookups_total", "counter",
	    "Route-map answers given (no route map is served yet).",
	    st->route_lookups);
	single(fp, "egress_milter_start_time_seconds", "gauge",
	    "When the daemon started, in seconds since the epoch.",
	    (unsigned long long)st->started);
}

/* Is a back-off or pause of egress NAME in force? The first into R. */
static bool
refusal_list_of(const char *name, struct refusal_info *r)
{
	struct refusal_info *all = xcalloc(REFUSAL_MAX_ENTRIES, sizeof(*all));
	size_t n = refusal_list(all, REFUSAL_MAX_ENTRIES);
	bool found = false;

	for (size_t i = 0; i < n && !found; i++)
		if (strcmp(all[i].egress, name) == 0) {
			*r = all[i];
			found = true;
		}
	free(all);
	return found;
}

/* Seconds left of each back-off and pause, by egress, receiver, cause. */
static void
render_refusals(FILE *fp)
{
	struct refusal_info *all = xcalloc(REFUSAL_MAX_ENTRIES, sizeof(*all));
	size_t n = refusal_list(all, REFUSAL_MAX_ENTRIES);
	time_t now = time(NULL);

	family(fp, "egress_milter_refusal_backoff_seconds", "gauge",
	    "Seconds left of each back-off (ip, ptr) or pause (rate) of an "
	    "egress toward a receiver.");
	for (size_t i = 0; i < n; i++) {
		fputs("egress_milter_refusal_backoff_seconds{egress=\"", fp);
		label(fp, all[i].egress);
		fputs("\",receiver=\"", fp);
		label(fp, all[i].receiver);
		fprintf(fp, "\",cause=\"%s\"} %ld\n", cause_name(all[i].cause),
		    (long)(all[i].until - now));
	}
	free(all);
}

/* Each warming egress's step, caps and counts (health/warmup.h). */
static void
render_warmup(FILE *fp, const struct conf *conf)
{
	static const struct {
		const char *name, *help;
		size_t offset;
	} gauges[] = {
		{ "step", "Warm-up step of each warming egress (1 first).",
		    offsetof(struct warmup_view, step) },
		{ "steps", "Steps of the egress's warm-up schedule.",
		    offsetof(struct warmup_view, steps) },
		{ "graduated", "1 when the egress has graduated (no cap).",
		    offsetof(struct warmup_view, graduated) },
		{ "cap_day", "Recipients the egress may be chosen for this UTC "
		    "day (-1: graduated).", offsetof(struct warmup_view,
		    cap_day) },
		{ "cap_hour", "Recipients the egress may be chosen for this "
		    "UTC hour (-1: graduated).", offsetof(struct warmup_view,
		    cap_hour) },
		{ "sent_day", "Recipients sent (2.x.x) this UTC day.",
		    offsetof(struct warmup_view, sent_day) },
		{ "sent_hour", "Recipients sent (2.x.x) this UTC hour.",
		    offsetof(struct warmup_view, sent_hour) },
		{ "load_day", "The egress's load this UTC day, checked against "
		    "cap_day.", offsetof(struct warmup_view, load_day) },
		{ "deferred_day", "Recipients deferred (4.x.x) this UTC day.",
		    offsetof(struct warmup_view, deferred_day) },
		{ "spilled_day", "Route answers that passed the egress over "
		    "at its cap this UTC day.", offsetof(struct warmup_view,
		    spilled_day) },
	};
	struct warmup_view *v;
	size_t n = 0;
	char name[80];
	time_t now = time(NULL);

	if (conf == NULL || conf->nwarmup == 0)
		return;
	v = xcalloc(conf->nwarmup, sizeof(*v));
	for (size_t i = 0; i < conf->nwarmup; i++)
		if (warmup_snapshot(conf, conf->warmup[i].egress, now, &v[n]))
			n++;
	for (size_t g = 0; g < sizeof(gauges) / sizeof(gauges[0]); g++) {
		snprintf(name, sizeof(name), "egress_milter_warmup_%s",
		    gauges[g].name);
		family(fp, name, "gauge", gauges[g].help);
		for (size_t i = 0; i < n; i++) {
			const char *field = (const char *)&v[i] +
			    gauges[g].offset;
			long value;

			if (strcmp(gauges[g].name, "graduated") == 0)
				value = *(const bool *)field;
			else if (strncmp(gauges[g].name, "step", 4) == 0)
				value = (long)*(const unsigned *)field;
			else
				value = *(const long *)field;
			fprintf(fp, "%s{egress=\"", name);
			label(fp, v[i].egress);
			fprintf(fp, "\"} %ld\n", value);
		}
	}
	free(v);
}

/* The sender domains refused for authentication, by receiver. */
static void
render_auth_refusals(FILE *fp)
{
	struct auth_finding *all = xcalloc(AUTH_FINDING_MAX, sizeof(*all));
	size_t n = auth_finding_list(all, AUTH_FINDING_MAX);

	family(fp, "egress_milter_auth_refusals_total", "counter",
	    "Refusals for authentication (SPF, DKIM, DMARC) by sender domain "
	    "(empty when the receiver's text names none) and receiver; no "
	    "egress is at fault.");
	for (size_t i = 0; i < n; i++) {
		fputs("egress_milter_auth_refusals_total{domain=\"", fp);
		label(fp, all[i].domain);
		fputs("\",receiver=\"", fp);
		label(fp, all[i].receiver);
		fprintf(fp, "\"} %lu\n", all[i].count);
	}
	free(all);
}

static void
render_egresses(FILE *fp)
{
	struct conf *conf = conf_current();
	bool done;
	size_t n;
	struct egress_health *h = monitor_snapshot_all(&n, &done);

	family(fp, "egress_milter_egress_state", "gauge", "Health of each "
	    "egress: 0 ok, 1 warning, 2 critical, 3 unknown.");
	for (size_t i = 0; i < n; i++) {
		int state = h[i].checked ? (int)h[i].state : 3;
		struct refusal_info r;

		/* Backed off: warning toward a receiver, critical for all. */
		if (h[i].checked && refusal_active(h[i].name, NULL))
			state = state < 2 ? 2 : state;
		else if (h[i].checked && state == 0 &&
		    refusal_list_of(h[i].name, &r))
			state = 1;
		fputs("egress_milter_egress_state{egress=\"", fp);
		label(fp, h[i].name);
		fprintf(fp, "\"} %d\n", state);
	}
	render_refusals(fp);
	render_auth_refusals(fp);
	family(fp, "egress_milter_dnsbl_listed", "gauge",
	    "1 when the zone lists the egress's address.");
	for (size_t i = 0; conf != NULL && i < n; i++)
		for (size_t k = 0; k < h[i].nzones && k < conf->ndnsbl; k++) {
			fputs("egress_milter_dnsbl_listed{egress=\"", fp);
			label(fp, h[i].name);
			fputs("\",zone=\"", fp);
			label(fp, conf->dnsbl[k].name);
			fprintf(fp, "\"} %d\n", h[i].zone_listed[k] ? 1 : 0);
		}
	render_warmup(fp, conf);
	conf_release(conf);
	free(h);
}

static void
render_dns(FILE *fp)
{
	struct nshealth_server servers[NSHEALTH_MAX];
	size_t n = nshealth_list(servers, NSHEALTH_MAX);
	struct dnscache_stats st;

	dnscache_get_stats(&st);
	single(fp, "egress_milter_dns_cache_hits_total", "counter",
	    "DNS lookups answered from a fresh cache entry.", st.hits);
	single(fp, "egress_milter_dns_cache_misses_total", "counter",
	    "DNS lookups sent to the servers.", st.misses);
	single(fp, "egress_milter_dns_cache_stale_total", "counter",
	    "DNS lookups answered with an expired entry (serve-stale).",
	    st.stale);
	single(fp, "egress_milter_dns_cache_entries", "gauge",
	    "Entries in the DNS cache.", st.entries);
	family(fp, "egress_milter_dns_errors_total", "counter",
	    "DNS tries that failed, by kind and server.");
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < NSHEALTH_ERROR_KINDS; k++) {
			fprintf(fp, "egress_milter_dns_errors_total{kind=\"%s\","
			    "server=\"", nshealth_error_name(k));
			label(fp, servers[i].name);
			fprintf(fp, "\"} %lu\n", servers[i].errors[k]);
		}
	family(fp, "egress_milter_dns_server_up", "gauge",
	    "1 when the nameserver answered its last try.");
	for (size_t i = 0; i < n; i++) {
		fputs("egress_milter_dns_server_up{server=\"", fp);
		label(fp, servers[i].name);
		fprintf(fp, "\"} %d\n", servers[i].down ? 0 : 1);
	}
}

/* The fleet (fleet.c), with a Redis line only. */
static void
render_fleet(FILE *fp)
{
	struct fleet_view *v = xmalloc(sizeof(*v));
	size_t n;
	bool done;
	struct egress_health *h;
	char relay[CONF_NAME_MAX + 1];
	time_t when;

	fleet_view(v);
	if (!v->configured) {
		free(v);
		return;
	}
	single(fp, "egress_milter_fleet_redis_up", "gauge",
	    "1 when this relay reaches the fleet's Redis.", v->reachable);
	family(fp, "egress_milter_fleet_relay_seen_seconds", "gauge",
	    "Seconds since each relay of the fleet last wrote to Redis.");
	for (size_t i = 0; i < v->nrelays; i++) {
		fputs("egress_milter_fleet_relay_seen_seconds{relay=\"", fp);
		label(fp, v->relays[i].name);
		fprintf(fp, "\"} %.3f\n", v->relays[i].age_ms / 1000.0);
	}
	single(fp, "egress_milter_fleet_refusals_shared_total", "counter",
	    "Back-offs learned by other relays and installed here.",
	    v->refusals_shared);
	single(fp, "egress_milter_fleet_refusals_published_total", "counter",
	    "Back-offs learned here and published.", v->refusals_published);
	single(fp, "egress_milter_fleet_checks_shared_total", "counter",
	    "Egress checks taken from another relay instead of asking DNS.",
	    v->checks_shared);
	single(fp, "egress_milter_fleet_checks_published_total", "counter",
	    "Egress checks of this relay published.", v->checks_published);
	family(fp, "egress_milter_fleet_egress_checked_timestamp_seconds",
	    "gauge", "When each egress was last checked, and by which relay.");
	h = monitor_snapshot_all(&n, &done);
	for (size_t i = 0; i < n; i++) {
		if (!fleet_checked_by(h[i].address, relay, sizeof(relay),
		    &when))
			continue;
		fputs("egress_milter_fleet_egress_checked_timestamp_seconds"
		    "{egress=\"", fp);
		label(fp, h[i].name);
		fputs("\",relay=\"", fp);
		label(fp, relay);
		fprintf(fp, "\"} %lld\n", (long long)when);
	}
	free(h);
	free(v);
}

void
metrics_render(FILE *fp)
{
	struct stats_snapshot st;

	stats_get(&st);
	render_messages(fp, &st);
	render_egresses(fp);
	render_dns(fp);
	render_fleet(fp);
}
