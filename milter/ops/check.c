/*
 * check.c - "egress-milter --check [--json]": one round of checks for
 * every egress, a report for a person or a monitoring system, and the
 * Nagios plugin exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 *
 * check_run().
 * Text output starts with one Nagios-style status line; the JSON
 * document follows the schema in egress-milter(8).
 * Must not: touch libmilter.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "global/finding.h"
#include "health/advice.h"
#include "health/egress.h"
#include "health/refusal_state.h"
#include "health/warmup.h"
#include "ops/check.h"
#include "ops/nagios.h"
#include "ops/relay_audit.h"
#include "util/json.h"
#include "util/util.h"

static void
print_json_zone(FILE *fp, const struct dnsbl_result *r)
{
	fputs("{\"zone\": ", fp);
	json_string(fp, r->zone->zone);
	fprintf(fp, ", \"listed\": %s, \"weight\": %d, \"suspended\": %s, "
	    "\"codes\": [", r->listed ? "true" : "false", r->zone->weight,
	    r->suspended ? "true" : "false");
	for (size_t k = 0; k < r->ncodes; k++) {
		fputs(k ? ", " : "", fp);
		json_string(fp, r->codes[k]);
	}
	fputs("], \"reason\": ", fp);
	json_string_or_null(fp, r->reason);
	fputs(", \"error\": ", fp);
	json_string_or_null(fp, r->error || r->suspended ? r->error_text :
	    NULL);
	fputc('}', fp);
}

static void
print_json_egress(FILE *fp, const struct egress_report *r)
{
	const struct conf_egress *e = r->egress;
	bool first = true;

	fputs("{\"name\": ", fp);
	json_string(fp, e->name);
	fputs(", \"ip\": ", fp);
	json_string(fp, e->address.text);
	fputs(", \"helo\": ", fp);
	json_string_or_null(fp, e->helo);
	fputs(", \"route\": ", fp);
	json_string(fp, e->route);
	fprintf(fp, ", \"status\": \"%s\", \"ptr\": [",
	    egress_state_name(r->state));
	for (size_t k = 0; k < r->rdns.nptr; k++) {
		fputs(k ? ", " : "", fp);
		json_string(fp, r->rdns.ptr[k]);
	}
	fprintf(fp, "], \"fcrdns\": %s, \"generic_ptr\": %s, \"helo_ok\": %s, "
	    "\"dnsbl_score\": %d, \"dnsbl\": [", r->rdns.fcrdns ? "true" :
	    "false", r->rdns.generic ? "true" : "false",
	    !r->rdns.helo_checked ? "null" : r->rdns.helo_ok ? "true" :
	    "false", r->score);
	for (size_t k = 0; k < r->ndnsbl; k++) {
		fputs(k ? ", " : "", fp);
		print_json_zone(fp, &r->dnsbl[k]);
	}
	fputs("], \"findings\": [", fp);
	for (int f = 0; f < FINDING_COUNT; f++)
		if (r->findings[f]) {
			fprintf(fp, "%s\"%s\"", first ? "" : ", ",
			    finding_name((enum finding)f));
			first = false;
		}
	fputs("], \"reasons\": ", fp);
	if (r->noise[0]) {		/* zone errors too, after the rest */
		char all[sizeof(r->reasons) + sizeof(r->noise) + 2];

		snprintf(all, sizeof(all), "%s%s%s", r->reasons,
		    r->reasons[0] ? "; " : "", r->noise);
		json_string_or_null(fp, all);
	} else
		json_string_or_null(fp, r->reasons);
	fputs(", \"advice\": ", fp);
	advice_write_json(fp, r->advice);
	fputc('}', fp);
}

static void
print_json(FILE *fp, enum egress_state overall,
    const struct egress_report *reports, size_t n,
    const struct relay_audit *audit)
{
	fprintf(fp, "{\"status\": \"%s\", \"egress\": [",
	    egress_state_name(overall));
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n  " : "\n  ", fp);
		print_json_egress(fp, &reports[i]);
	}
	fputc(']', fp);
	if (audit != NULL) {
		fputs(",\n \"relay_audit\": ", fp);
		relay_audit_print_json(fp, audit);
	}
	fputs("}\n", fp);
}

static void
print_findings(FILE *fp, const struct egress_report *r)
{
	finding_list_write(fp, r->findings, false);
}

static void
print_text(FILE *fp, enum egress_state overall,
    const struct egress_report *reports, size_t n, double elapsed,
    const struct relay_audit *audit)
{
	size_t bad = 0, listed = 0;

	for (size_t i = 0; i < n; i++) {
		bad += reports[i].state != EGRESS_OK;
		listed += reports[i].findings[FINDING_LISTED];
	}
	fprintf(fp, "EGRESS %s - %zu of %zu egress%s not ok",
	    nagios_label(n ? overall : EGRESS_UNKNOWN), bad, n,
	    n == 1 ? "" : "es");
	if (audit != NULL && audit->n > 0)
		fprintf(fp, ", %zu relay problem%s", audit->n,
		    audit->n == 1 ? "" : "s");
	nagios_perfdata(fp, n - bad, n, listed, elapsed);
	fputc('\n', fp);
	if (n == 0)
		fputs("no egress configured and no primary address found\n",
		    fp);
	for (size_t i = 0; i < n; i++) {
		const struct egress_report *r = &reports[i];

		fprintf(fp, "%-12s %-24s %-8s ptr=%s fcrdns=%s findings=",
		    r->egress->name, r->egress->address.text,
		    egress_state_name(r->state), r->rdns.nptr ?
		    r->rdns.ptr[0] : "-", r->rdns.fcrdns ? "yes" : "no");
		print_findings(fp, r);
		fputc('\n', fp);
		if (r->reasons[0])
			fprintf(fp, "    %s\n", r->reasons);
		if (r->noise[0])
			fprintf(fp, "    %s\n", r->noise);
		advice_write_text(fp, "    advice: ", r->advice);
		for (size_t k = 0; k < r->ndnsbl; k++)
			fprintf(fp, "    %-28s %s\n", r->dnsbl[k].zone->name,
			    r->dnsbl[k].suspended ? "suspended" :
			    r->dnsbl[k].error ? "error" : r->dnsbl[k].listed ?
			    "LISTED" : "not listed");
	}
	if (audit != NULL)
		relay_audit_print_text(fp, audit);
}

/*
 * Egress E's warm-up (as the daemon's StateFile has it) as a line of
 * advice in R: its step, today's count against the cap, and what to
 * expect.
 */
static void
warmup_advice(const struct conf *conf, const struct conf_egress *e,
    struct egress_report *r, time_t now)
{
	struct warmup_view v;
	char line[400], day[32];
	size_t len = strlen(r->advice);

	if (!warmup_snapshot(conf, e->name, now, &v))
		return;
	format_time(day, sizeof(day), (time_t)(v.graduated ? 0 :
	    v.graduation_day) * 86400, "%Y-%m-%d", true);
	if (v.graduated)
		snprintf(line, sizeof(line), "egress %s has graduated from its "
		    "warm-up: no cap", e->name);
	else if (!v.started)
		snprintf(line, sizeof(line), "egress %s starts its warm-up "
		    "later (start=): no mail leaves through it until then",
		    e->name);
	else
		snprintf(line, sizeof(line), "egress %s is at step %u of %u; "
		    "%ld of %ld today%s: mail above the cap leaves through the "
		    "other healthy egresses (WarmupFull %s when all are at "
		    "their caps); graduates %s at the earliest",
		    e->name, v.step, v.steps, v.load_day, v.cap_day, v.full ?
		    " (at its cap)" : "", conf->warmup_full == WARMUP_FULL_DEFER
		    ? "defer: deferred" : "send: the least loaded", day);
	snprintf(r->advice + len, sizeof(r->advice) - len, "%s%s",
	    len ? "\n" : "", line);
}

int
check_run(const struct conf *conf, bool json, FILE *fp)
{
	struct zone_status (*zones)[CONF_MAX_DNSBL] = xcalloc(2,
	    sizeof(*zones));
	struct egress_report *reports = xcalloc(conf->negress ? conf->negress :
	    1, sizeof(*reports));
	enum egress_state overall = conf->negress ? EGRESS_OK : EGRESS_UNKNOWN;
	bool tested[2] = { false, false };
	double started = nagios_now();
	struct relay_audit *audit = NULL;
	time_t now = time(NULL);

	/* The warm-up's steps and counts, as the daemon last wrote them. */
	if (conf->nwarmup > 0)
		(void)refusal_state_read(conf->state_file);
	for (size_t i = 0; i < conf->negress; i++) {
		const struct conf_egress *e = &conf->egress[i];
		int v6 = e->address.family == AF_INET6;

		if (!tested[v6]) {
			egress_zone_selftests(conf, e->address.family,
			    zones[v6]);
			tested[v6] = true;
		}
		egress_check(conf, e, zones[v6], &reports[i]);
		warmup_advice(conf, e, &reports[i], now);
		if (egress_state_rank(reports[i].state) >
		    egress_state_rank(overall))
			overall = reports[i].state;
	}
	if (conf->postfix_dir != NULL) {	/* EgressFrom postfix */
		audit = xmalloc(sizeof(*audit));
		relay_audit_run(conf->postfix_dir, audit);
		if (audit->n > 0 && egress_state_rank(overall) <
		    egress_state_rank(EGRESS_WARNING))
			overall = EGRESS_WARNING;
	}
	if (json)
		print_json(fp, overall, reports, conf->negress, audit);
	else
		print_text(fp, overall, reports, conf->negress,
		    nagios_now() - started, audit);
	free(audit);
	free(reports);
	free(zones);
	return egress_state_exit_code(overall);
}
