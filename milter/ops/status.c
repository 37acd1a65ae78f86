/*
 * status.c - the running daemon's status for --status (see status.h).
 *
 * status_render(), status_note_reload().
 * The overall state is the worst egress state, or critical when no
 * egress is ok (nothing healthy to send from or reroute to), or unknown
 * before the first round of checks has finished.
 * Learned refusals and back-offs (refusal.c): "refusals" lists every
 * back-off and pause in force (egress, receiver, cause, text, until),
 * and every egress has the list of its own. Any of them makes the
 * overall state at least warning (mail avoids an egress somewhere);
 * a receiver toward which no egress is left, or an egress backed off
 * for every receiver with no other ok, makes it critical. An egress
 * backed off for every receiver does not count as ok.
 * With a Redis line, "fleet" says whether Redis is reachable, this
 * relay's name and the relays seen, and each egress says which relay
 * checked it last and when ("checked_by"); without one, "fleet" is null.
 * The sender domains refused for authentication (auth_finding.c) are
 * listed ("auth_refusals") with the receiver's words and advice; they
 * change no state (no egress is at fault).
 * In the text form every text that came from outside (names, reasons,
 * advice, a refusal's receiver, destination and text) is escaped as the
 * log escapes it.
 * Must not: touch libmilter, do DNS.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_warmup.h"
#include "global/cause.h"
#include "global/finding.h"
#include "global/stats.h"
#include "health/advice.h"
#include "health/auth_finding.h"
#include "health/egress.h"
#include "health/fleet.h"
#include "health/fleet_health.h"
#include "health/monitor.h"
#include "health/refusal.h"
#include "health/warmup.h"
#include "ops/nagios.h"
#include "ops/status.h"
#include "util/escape.h"
#include "util/json.h"
#include "util/log.h"
#include "util/util.h"

#define UTC "%Y-%m-%dT%H:%M:%SZ"	/* ISO 8601, UTC */

/* When the last reload failed (0: none since the last good one). */
static atomic_llong reload_failed_at;

void
status_note_reload(bool failed)
{
	atomic_store(&reload_failed_at, failed ? (long long)time(NULL) : 0);
}

struct overview {
	struct egress_health *health;
	size_t n;
	bool first_round_done;
	size_t ok, listed;
	enum egress_state overall;
	struct stats_snapshot stats;
	long long reload_failed_at;
	struct refusal_info *refusals;	/* back-offs and pauses in force */
	size_t nrefusals;
	struct auth_finding *auths;	/* sender domains refused for auth */
	size_t nauths;
	size_t stranded;		/* receivers with no egress left */
	struct conf *conf;		/* a reference: the warm-ups */
	time_t now;
};

/* Is egress NAME usable toward RECEIVER (healthy, no back-off there)? */
static bool
usable_toward(const struct overview *o, const struct egress_health *h,
    const char *receiver)
{
	(void)o;
	return h->checked && (h->state == EGRESS_OK ||
	    h->state == EGRESS_WARNING) &&
	    !refusal_toward(h->name, receiver, NULL);
}

static void
overview_take(struct overview *o)
{
	memset(o, 0, sizeof(*o));
	o->conf = conf_current();
	o->now = time(NULL);
	o->health = monitor_snapshot_all(&o->n, &o->first_round_done);
	o->refusals = xcalloc(REFUSAL_MAX_ENTRIES, sizeof(*o->refusals));
	o->nrefusals = refusal_list(o->refusals, REFUSAL_MAX_ENTRIES);
	o->auths = xcalloc(AUTH_FINDING_MAX, sizeof(*o->auths));
	o->nauths = auth_finding_list(o->auths, AUTH_FINDING_MAX);
	stats_get(&o->stats);
	o->reload_failed_at = atomic_load(&reload_failed_at);
	o->overall = EGRESS_OK;
	for (size_t i = 0; i < o->n; i++) {
		const struct egress_health *h = &o->health[i];

		/* Backed off for every receiver: not ok, whatever its health. */
		o->ok += h->checked && h->state == EGRESS_OK &&
		    !refusal_active(h->name, NULL);
		o->listed += h->findings[FINDING_LISTED];
		if (egress_state_rank(h->state) > egress_state_rank(o->overall))
			o->overall = h->state;
	}
	/* A receiver some egress avoids; one no egress is left for. */
	for (size_t r = 0; r < o->nrefusals; r++) {
		bool seen = false, left = false;

		for (size_t k = 0; k < r && !seen; k++)
			seen = strcasecmp(o->refusals[k].receiver,
			    o->refusals[r].receiver) == 0;
		if (seen)
			continue;
		for (size_t i = 0; i < o->n && !left; i++)
			left = usable_toward(o, &o->health[i],
			    o->refusals[r].receiver);
		o->stranded += !left;
	}
	if (o->nrefusals > 0 && egress_state_rank(EGRESS_WARNING) >
	    egress_state_rank(o->overall))
		o->overall = EGRESS_WARNING;
	if (o->stranded > 0)
		o->overall = EGRESS_CRITICAL;
	if (o->n > 0 && o->ok == 0 && o->overall != EGRESS_UNKNOWN)
		o->overall = EGRESS_CRITICAL;
	if (o->n == 0 || !o->first_round_done)
		o->overall = EGRESS_UNKNOWN;
}

/* One back-off or pause as a JSON object. */
static void
json_refusal(FILE *fp, const struct refusal_info *r)
{
	char since[32], until[32];

	format_time(since, sizeof(since), r->since, UTC, true);
	format_time(until, sizeof(until), r->until, UTC, true);
	fputs("{\"egress\": ", fp);
	json_string(fp, r->egress);
	fputs(", \"receiver\": ", fp);
	json_string(fp, r->receiver);
	fprintf(fp, ", \"cause\": \"%s\", \"global\": %s, \"destination\": ",
	    cause_name(r->cause), r->global ? "true" : "false");
	json_string_or_null(fp, r->destination[0] ? r->destination : NULL);
	fputs(", \"text\": ", fp);
	json_string(fp, r->text);
	fprintf(fp, ", \"since\": \"%s\", \"until\": \"%s\", "
	    "\"backoff\": %ld, \"count\": %u}", since, until,
	    r->backoff, r->count);
}

/* The back-offs in force, of egress NAME (every egress when NULL). */
static void
json_refusals(FILE *fp, const struct overview *o, const char *name)
{
	bool first = true;

	fputs(name ? ", \"refusals\": [" : "\"refusals\": [", fp);
	for (size_t i = 0; i < o->nrefusals; i++) {
		if (name != NULL && strcasecmp(o->refusals[i].egress, name))
			continue;
		fputs(first ? "" : ", ", fp);
		first = false;
		json_refusal(fp, &o->refusals[i]);
	}
	fputc(']', fp);
}

/* The sender domains refused for authentication (auth_finding.c). */
static void
json_auth_refusals(FILE *fp, const struct overview *o)
{
	char first[32], last[32];

	fputs("\"auth_refusals\": [", fp);
	for (size_t i = 0; i < o->nauths; i++) {
		const struct auth_finding *a = &o->auths[i];

		format_time(first, sizeof(first), a->first, UTC, true);
		format_time(last, sizeof(last), a->last, UTC, true);
		fputs(i ? ",\n  {\"domain\": " : "\n  {\"domain\": ", fp);
		json_string_or_null(fp, a->domain[0] ? a->domain : NULL);
		fputs(", \"receiver\": ", fp);
		json_string(fp, a->receiver);
		fputs(", \"egress\": ", fp);
		json_string(fp, a->egress);
		fputs(", \"text\": ", fp);
		json_string(fp, a->text);
		fputs(", \"advice\": ", fp);
		json_string(fp, a->advice);
		fprintf(fp, ", \"count\": %lu, \"first\": \"%s\", "
		    "\"last\": \"%s\"}", a->count, first, last);
	}
	fputc(']', fp);
}

/*
 * Text for the terminal: every byte outside printable ASCII as \xHH,
 * as the log writes it (escape.c). The texts come from outside (remote
 * servers' replies, DNS, the configuration).
 */
#define SHOWN_MAX 8192
static const char *
shown(char *dst, const char *src)
{
	return escape_text(dst, SHOWN_MAX, src, 0);
}

static void
text_refusals(FILE *fp, const struct overview *o, const char *name)
{
	char until[32], *dest = xmalloc(SHOWN_MAX), *text = xmalloc(SHOWN_MAX);
	char *receiver = xmalloc(SHOWN_MAX);
	bool any = false;

	for (size_t i = 0; i < o->nrefusals; i++) {
		const struct refusal_info *r = &o->refusals[i];

		if (strcasecmp(r->egress, name) != 0)
			continue;
		any = true;
		format_time(until, sizeof(until), r->until, UTC, true);
		fprintf(fp, "    %s %s by %s until %s (back-off %ld s, cause "
		    "%s%s): %s\n", r->cause == CAUSE_RATE ? "paused toward" :
		    "refused for", shown(receiver, r->receiver),
		    r->destination[0] ? shown(dest, r->destination) :
		    "a destination", until, r->backoff, cause_name(r->cause),
		    r->global ? ", every receiver" : "", shown(text, r->text));
	}
	if (!any)
		fputs("    refusals: none in force\n", fp);
	free(receiver);
	free(dest);
	free(text);
}

/* The sender domains refused for authentication, with advice. */
static void
text_auth_refusals(FILE *fp, const struct overview *o)
{
	char last[32], *text = xmalloc(SHOWN_MAX), *who = xmalloc(SHOWN_MAX);
	char *egress = xmalloc(SHOWN_MAX);

	if (o->nauths > 0)
		fputs("auth refusals (sender domains the receivers refused for "
		    "SPF, DKIM or DMARC; no egress is at fault):\n", fp);
	for (size_t i = 0; i < o->nauths; i++) {
		const struct auth_finding *a = &o->auths[i];

		format_time(last, sizeof(last), a->last, UTC, true);
		fprintf(fp, "  %s at %s: %lu refusal%s, the last at %s "
		    "(egress %s): %s\n", a->domain[0] ? a->domain :
		    "(domain not named)", shown(who, a->receiver), a->count,
		    a->count == 1 ? "" : "s", last, shown(egress, a->egress),
		    shown(text, a->text));
		fprintf(fp, "    advice: %s\n", a->advice);
	}
	free(text);
	free(who);
	free(egress);
}

/* ADVICE, a line each, escaped, each after PREFIX. */
static void
text_advice(FILE *fp, const char *prefix, const char *advice, char *buf)
{
	char line[EGRESS_ADVICE_MAX];

	for (const char *p = advice; p != NULL && *p; ) {
		size_t len = strcspn(p, "\n");

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		fprintf(fp, "%s%s\n", prefix, shown(buf, line));
		p += strcspn(p, "\n");
		if (*p == '\n')
			p++;
	}
}

/* Which relay checked H last, and when (fleet_health.c). */
static void
json_checked_by(FILE *fp, const struct egress_health *h)
{
	char relay[CONF_NAME_MAX + 1], when[32];
	time_t at;

	fputs(", \"checked_by\": ", fp);
	if (!fleet_checked_by(h->address, relay, sizeof(relay), &at)) {
		fputs("null", fp);
		return;
	}
	format_time(when, sizeof(when), at, UTC, true);
	fputs("{\"relay\": ", fp);
	json_string(fp, relay);
	fputs(", \"at\": ", fp);
	json_string(fp, when);
	fputc('}', fp);
}

/* The fleet: null without a Redis line. */
static void
json_fleet(FILE *fp)
{
	struct fleet_view *v = xmalloc(sizeof(*v));
	char since[32];

	fleet_view(v);
	fputs(", \"fleet\": ", fp);
	if (!v->configured) {
		fputs("null", fp);
		free(v);
		return;
	}
	format_time(since, sizeof(since), v->since, UTC, true);
	fputs("{\"redis\": ", fp);
	json_string(fp, v->target);
	fprintf(fp, ", \"reachable\": %s, \"since\": ", v->reachable ?
	    "true" : "false");
	json_string_or_null(fp, v->since ? since : NULL);
	fputs(", \"relay\": ", fp);
	json_string(fp, v->relay);
	fputs(", \"relays\": [", fp);
	for (size_t i = 0; i < v->nrelays; i++) {
		fputs(i ? ", {\"name\": " : "{\"name\": ", fp);
		json_string(fp, v->relays[i].name);
		fprintf(fp, ", \"seen_seconds_ago\": %ld}",
		    v->relays[i].age_ms / 1000);
	}
	fprintf(fp, "], \"refusals_shared\": %lu, \"refusals_published\": "
	    "%lu, \"checks_shared\": %lu, \"checks_published\": %lu}",
	    v->refusals_shared, v->refusals_published, v->checks_shared,
	    v->checks_published);
	free(v);
}

/* The fleet's line of the text form; nothing without a Redis line. */
static void
text_fleet(FILE *fp, char *buf)
{
	struct fleet_view *v = xmalloc(sizeof(*v));
	char since[32];

	fleet_view(v);
	if (v->configured) {
		format_time(since, sizeof(since), v->since, UTC, true);
		fprintf(fp, "fleet: relay %s, Redis %s %s since %s; relays "
		    "seen:", shown(buf, v->relay), v->target, v->reachable ?
		    "reachable" : "NOT reachable", v->since ? since : "-");
		for (size_t i = 0; i < v->nrelays; i++)
			fprintf(fp, " %s (%ld s ago)", shown(buf,
			    v->relays[i].name), v->relays[i].age_ms / 1000);
		fprintf(fp, "%s\n", v->nrelays ? "" : " none");
	}
	free(v);
}

/* "    checked by RELAY at TIME" under an egress, with a fleet. */
static void
text_checked_by(FILE *fp, const struct egress_health *h, char *buf)
{
	char relay[CONF_NAME_MAX + 1], when[32];
	time_t at;

	if (!fleet_checked_by(h->address, relay, sizeof(relay), &at))
		return;
	format_time(when, sizeof(when), at, UTC, true);
	fprintf(fp, "    checked by relay %s at %s\n", shown(buf, relay),
	    when);
}

/* UTC day DAY as "YYYY-MM-DD" into OUT (32 bytes). */
static void
format_day(char *out, long day)
{
	format_time(out, 32, (time_t)day * 86400, "%Y-%m-%d", true);
}

/* Egress NAME's warm-up as ", \"warmup\": {...}" (null: none). */
static void
json_warmup(FILE *fp, const struct overview *o, const char *name)
{
	struct warmup_view v;
	char day[32];

	fputs(", \"warmup\": ", fp);
	if (o->conf == NULL || !warmup_snapshot(o->conf, name, o->now, &v)) {
		fputs("null", fp);
		return;
	}
	fprintf(fp, "{\"step\": %u, \"steps\": %u, \"graduated\": %s, "
	    "\"started\": %s, ", v.step, v.steps, v.graduated ? "true" :
	    "false", v.started ? "true" : "false");
	if (v.graduated)
		fputs("\"cap_day\": null, \"cap_hour\": null, ", fp);
	else
		fprintf(fp, "\"cap_day\": %ld, \"cap_hour\": %ld, ", v.cap_day,
		    v.cap_hour);
	fprintf(fp, "\"sent_day\": %ld, \"sent_hour\": %ld, "
	    "\"selected_day\": %ld, \"selected_hour\": %ld, "
	    "\"deferred_day\": %ld, \"bounced_day\": %ld, "
	    "\"spilled_day\": %ld, \"at_cap\": %s, \"target\": %ld, "
	    "\"graduation_day\": ", v.sent_day, v.sent_hour, v.selected_day,
	    v.selected_hour, v.deferred_day, v.bounced_day, v.spilled_day,
	    v.full ? "true" : "false", v.target);
	if (v.graduated)
		fputs("null}", fp);
	else {
		format_day(day, v.graduation_day);
		fprintf(fp, "\"%s\"}", day);
	}
}

/* Egress NAME's warm-up, one line (nothing when it has none). */
static void
text_warmup(FILE *fp, const struct overview *o, const char *name)
{
	struct warmup_view v;
	char day[32];

	if (o->conf == NULL || !warmup_snapshot(o->conf, name, o->now, &v))
		return;
	if (v.graduated) {
		fprintf(fp, "    warm-up: graduated (%ld sent today)\n",
		    v.sent_day);
		return;
	}
	format_day(day, v.graduation_day);
	if (!v.started) {
		const struct conf_warmup *w = conf_warmup_of(o->conf, name);

		format_day(day, w ? w->start_day : 0);
		fprintf(fp, "    warm-up: starts on %s (step 1 of %u); until "
		    "then no mail leaves through it\n", day, v.steps);
		return;
	}
	fprintf(fp, "    warm-up: step %u of %u; %ld of %ld today, %ld of %ld "
	    "this hour (sent %ld, deferred %ld, bounced %ld today)%s; %ld "
	    "spilled over today; graduates %s at this pace\n", v.step,
	    v.steps, v.load_day, v.cap_day, v.load_hour, v.cap_hour,
	    v.sent_day, v.deferred_day, v.bounced_day, v.full ?
	    ", at its cap" : "", v.spilled_day, day);
}

static void
json_egress(FILE *fp, const struct overview *o, const struct egress_health *h)
{
	char since[32];

	format_time(since, sizeof(since), h->since, UTC, true);
	fputs("{\"name\": ", fp);
	json_string(fp, h->name);
	fputs(", \"ip\": ", fp);
	json_string(fp, h->address);
	fprintf(fp, ", \"status\": \"%s\", \"since\": ", h->checked ?
	    egress_state_name(h->state) : "unknown");
	json_string_or_null(fp, h->checked ? since : NULL);
	fputs(", \"findings\": ", fp);
	finding_list_write(fp, h->findings, true);
	fputs(", \"reasons\": ", fp);
	json_string_or_null(fp, h->reasons);
	fputs(", \"advice\": ", fp);
	advice_write_json(fp, h->advice);
	json_refusals(fp, o, h->name);
	json_checked_by(fp, h);
	json_warmup(fp, o, h->name);
	fputc('}', fp);
}

static void
json_counters(FILE *fp, const struct stats_snapshot *st)
{
	fputs("\"messages\": {", fp);
	for (int a = 0; a < ACTION_COUNT; a++)
		fprintf(fp, "%s\"%s\": %lu", a ? ", " : "",
		    action_name((enum action)a), st->messages[a]);
	fputs("}, \"findings\": {", fp);
	for (int f = 0; f < FINDING_COUNT; f++)
		fprintf(fp, "%s\"%s\": %lu", f ? ", " : "",
		    finding_name((enum finding)f), st->findings[f]);
	fprintf(fp, "}, \"refusals_learned\": %lu", st->refusals);
}

static void
render_json(FILE *fp, const struct overview *o)
{
	char started[32], reload_failed[32];

	format_time(started, sizeof(started), o->stats.started, UTC, true);
	format_time(reload_failed, sizeof(reload_failed),
	    (time_t)o->reload_failed_at, UTC, true);
	fprintf(fp, "{\"status\": \"%s\", \"pid\": %ld, \"started\": \"%s\", "
	    "\"first_round_done\": %s, \"egress\": [",
	    egress_state_name(o->overall), (long)getpid(), started,
	    o->first_round_done ? "true" : "false");
	for (size_t i = 0; i < o->n; i++) {
		fputs(i ? ",\n  " : "\n  ", fp);
		json_egress(fp, o, &o->health[i]);
	}
	fputs("],\n ", fp);
	json_refusals(fp, o, NULL);
	fprintf(fp, ", \"receivers_without_egress\": %zu,\n ", o->stranded);
	json_auth_refusals(fp, o);
	fputs(",\n ", fp);
	json_counters(fp, &o->stats);
	fputs(", \"last_reload_failed\": ", fp);
	json_string_or_null(fp, o->reload_failed_at ? reload_failed : NULL);
	json_fleet(fp);
	fputs("}\n", fp);
}

static void
render_text(FILE *fp, const struct overview *o)
{
	char since[32], *name = xmalloc(SHOWN_MAX);
	char *address = xmalloc(SHOWN_MAX), *buf = xmalloc(SHOWN_MAX);

	fprintf(fp, "EGRESS %s - %zu of %zu egress%s ok%s (daemon pid %ld)",
	    nagios_label(o->overall), o->ok, o->n, o->n == 1 ? "" : "es",
	    o->first_round_done ? "" : ", first round of checks not done",
	    (long)getpid());
	if (o->nrefusals > 0)
		fprintf(fp, ", %zu back-off%s in force, %zu receiver%s with no "
		    "egress left", o->nrefusals, o->nrefusals == 1 ? "" : "s",
		    o->stranded, o->stranded == 1 ? "" : "s");
	nagios_perfdata(fp, o->ok, o->n, o->listed, -1);
	fputc('\n', fp);
	for (size_t i = 0; i < o->n; i++) {
		const struct egress_health *h = &o->health[i];

		format_time(since, sizeof(since), h->since, UTC, true);
		fprintf(fp, "%-12s %-24s %-8s since %s findings=",
		    shown(name, h->name), shown(address, h->address),
		    h->checked ? egress_state_name(h->state) : "unknown",
		    h->checked ? since : "-");
		finding_list_write(fp, h->findings, false);
		fputc('\n', fp);
		if (h->reasons[0])
			fprintf(fp, "    %s\n", shown(buf, h->reasons));
		text_advice(fp, "    advice: ", h->advice, buf);
		text_refusals(fp, o, h->name);
		text_checked_by(fp, h, buf);
		text_warmup(fp, o, h->name);
	}
	text_fleet(fp, buf);
	free(name);
	free(address);
	free(buf);
	text_auth_refusals(fp, o);
	fputs("messages:", fp);
	for (int a = 0; a < ACTION_COUNT; a++)
		fprintf(fp, " %s=%lu", action_name((enum action)a),
		    o->stats.messages[a]);
	fputs("\nfindings:", fp);
	for (int f = 0; f < FINDING_COUNT; f++)
		if (o->stats.findings[f])
			fprintf(fp, " %s=%lu", finding_name((enum finding)f),
			    o->stats.findings[f]);
	fputc('\n', fp);
	if (o->reload_failed_at) {
		format_time(since, sizeof(since), (time_t)o->reload_failed_at,
		    UTC, true);
		fprintf(fp, "reload: the last one failed at %s (the file has "
		    "errors, egress-milter -t shows them); the configuration "
		    "loaded before stays in force\n", since);
	}
}

int
status_render(FILE *fp, bool json)
{
	struct overview o;
	int rc;

	overview_take(&o);
	if (json)
		render_json(fp, &o);
	else
		render_text(fp, &o);
	rc = egress_state_exit_code(o.overall);
	free(o.health);
	free(o.refusals);
	free(o.auths);
	if (o.conf != NULL)
		conf_release(o.conf);
	return rc;
}
