/*
 * summary_print.c - the report of --summary (summary_print(), see
 * summary.h).
 *
 * Sections: the time span, messages by action, by egress (with each
 * action), the top findings, the top sender domains tempfailed,
 * rerouted and held (TOP_N each), the sender domains refused for
 * authentication by receiver (TOP_N), and the timeline of egress state
 * changes and nameserver outages in time order (local time).
 * Must not: touch libmilter, do DNS, read files.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "global/finding.h"
#include "ops/summary_print.h"
#include "util/escape.h"
#include "util/util.h"

#define TOP_N 10
#define LOCAL "%Y-%m-%d %H:%M:%S"	/* local time */

/* Most counted first, then by key (keys are unique: a total order). */
static int
entry_order(const void *a, const void *b)
{
	const struct summary_entry *x = *(struct summary_entry *const *)a;
	const struct summary_entry *y = *(struct summary_entry *const *)b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The entries of T, most counted (under ACTION, or in all) first. */
static struct summary_entry **
sorted(const struct summary_table *t, int action, size_t *n)
{
	struct summary_entry **v = xcalloc(t->n ? t->n : 1, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct summary_entry *e = t->buckets[i]; e; e = e->next) {
			e->total = 0;
			for (int a = 0; a < ACTION_COUNT; a++)
				e->total += action < 0 || a == action ?
				    e->count[a] : 0;
			if (e->total > 0)
				v[k++] = e;
		}
	if (k > 1)
		qsort(v, k, sizeof(*v), entry_order);
	*n = k;
	return v;
}

static void
print_egresses(const struct summary *s, FILE *out)
{
	size_t n;
	struct summary_entry **v = sorted(&s->egresses, -1, &n);

	fprintf(out, "\nMessages by egress\n  %-16s %8s", "egress", "total");
	for (int a = 0; a < ACTION_COUNT; a++)
		fprintf(out, " %10s", action_name((enum action)a));
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  %-16s %8lu", v[i]->key, v[i]->total);
		for (int a = 0; a < ACTION_COUNT; a++)
			fprintf(out, " %10lu", v[i]->count[a]);
		fputc('\n', out);
	}
	free(v);
	if (s->egresses.dropped > 0)
		fprintf(out, "  (%lu decisions of egresses beyond the first %d "
		    "not counted by egress)\n", s->egresses.dropped,
		    SUMMARY_KEYS_MAX);
}

static void
print_domains(const struct summary *s, enum action action,
    const char *title, FILE *out)
{
	size_t n;
	struct summary_entry **v = sorted(&s->domains, (int)action, &n);

	fprintf(out, "\nTop sender domains %s\n", title);
	if (n == 0)
		fputs("  none\n", out);
	for (size_t i = 0; i < n && i < TOP_N; i++)
		fprintf(out, "  %-32s %8lu\n", v[i]->key, v[i]->total);
	free(v);
	if (s->domains.dropped > 0)
		fprintf(out, "  (%lu decisions of sender domains beyond the "
		    "first %d not counted by domain)\n", s->domains.dropped,
		    SUMMARY_KEYS_MAX);
}

static void
print_findings(const struct summary *s, FILE *out)
{
	bool shown[FINDING_COUNT] = { false };
	bool any = false;

	fputs("\nTop findings\n", out);
	for (int k = 0; k < FINDING_COUNT; k++) {
		int best = -1;

		for (int f = 0; f < FINDING_COUNT; f++)
			if (!shown[f] && s->findings[f] > 0 && (best < 0 ||
			    s->findings[f] > s->findings[best]))
				best = f;
		if (best < 0)
			break;
		shown[best] = any = true;
		fprintf(out, "  %-32s %8lu\n", finding_name((enum finding)best),
		    s->findings[best]);
	}
	if (!any)
		fputs("  none\n", out);
}

/* The sender domains refused for authentication, by receiver. */
static void
print_auths(const struct summary *s, FILE *out)
{
	size_t n;
	struct summary_entry **v = sorted(&s->auths, -1, &n);
	char domain[SUMMARY_KEY_MAX * 4], receiver[SUMMARY_KEY_MAX * 4];

	fputs("\nSender domains refused for authentication (SPF, DKIM, DMARC; "
	    "no egress at fault)\n", out);
	if (n == 0)
		fputs("  none\n", out);
	for (size_t i = 0; i < n && i < TOP_N; i++) {
		char key[SUMMARY_KEY_MAX], *space;

		copy_bounded(key, sizeof(key), v[i]->key);
		if ((space = strrchr(key, ' ')) == NULL)
			continue;
		*space = '\0';
		fprintf(out, "  %-32s %-20s %8lu\n",
		    escape_text(domain, sizeof(domain), key, 0),
		    escape_text(receiver, sizeof(receiver), space + 1, 0),
		    v[i]->total);
	}
	free(v);
}

static int
event_order(const void *a, const void *b)
{
	const struct summary_event *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
print_timeline(const struct summary *s, FILE *out)
{
	char when[32];

	fputs("\nTimeline (egress state changes, nameservers)\n", out);
	if (s->nevents == 0)
		fputs("  none\n", out);
	if (s->nevents > 0)
		qsort(s->events, s->nevents, sizeof(*s->events), event_order);
	for (size_t i = 0; i < s->nevents; i++) {
		format_time(when, sizeof(when), s->events[i].when, LOCAL, false);
		fprintf(out, "  %-19s  %s\n", when, s->events[i].text);
	}
	if (s->events_dropped > 0)
		fprintf(out, "  (%lu later events not kept: %d at most)\n",
		    s->events_dropped, SUMMARY_EVENTS_MAX);
}

void
summary_print(const struct summary *s, FILE *out)
{
	char first[32], last[32];

	format_time(first, sizeof(first), s->first, LOCAL, false);
	format_time(last, sizeof(last), s->last, LOCAL, false);
	fprintf(out, "egress-milter summary: %s to %s, %lu log lines\n",
	    first, last, s->lines);
	fprintf(out, "\nMessages: %lu\n", s->messages);
	for (int a = 0; a < ACTION_COUNT; a++)
		fprintf(out, "  %-16s %8lu\n", action_name((enum action)a),
		    s->by_action[a]);
	print_egresses(s, out);
	print_findings(s, out);
	print_domains(s, ACTION_TEMPFAIL, "tempfailed", out);
	print_domains(s, ACTION_REROUTE, "rerouted", out);
	print_domains(s, ACTION_QUARANTINE, "held", out);
	print_auths(s, out);
	print_timeline(s, out);
}
