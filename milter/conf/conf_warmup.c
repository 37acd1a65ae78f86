/*
 * conf_warmup.c - Warmup and WarmupFull: which egress is a new address
 * that earns its volume step by step, and its schedule of daily caps.
 *
 * conf_key_warmup(), conf_key_warmup_full(), conf_warmup_finish(),
 * conf_warmup_of(), conf_warmup_cap_hour().
 *
 * A schedule is one daily cap (recipients per UTC day) per step, step 1
 * first. schedule=FILE holds one cap a line ('#' comments, blank lines
 * skipped); its problems are reported as "FILE:LINE: ...". Without
 * schedule= the shipped one applies: it starts at SparkPost's published
 * 200 a day and rises about x1.4 a step (SendGrid's automated warm-up),
 * never doubling from one step to the next (Gmail: doubling volume
 * suddenly can trigger rate limiting), to 200,000 on step 22.
 * The hourly cap spreads a day's cap over at least 10 hours, with
 * SendGrid's floor of 20 an hour, and is never above the daily cap.
 * Must not: touch libmilter or the network; keep counts (health/warmup.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "conf/conf_parse.h"
#include "conf/conf_value.h"
#include "conf/conf_warmup.h"
#include "util/log.h"
#include "util/util.h"

#define WARMUP_LINE_MAX 256
#define WARMUP_CAP_MAX 100000000L	/* recipients a day */

/* The shipped schedule "standard": daily caps, step 1 first. */
static const long warmup_standard[] = {
	200, 300, 400, 550, 750, 1000, 1500, 2000, 3000, 4000, 5500, 8000,
	11000, 15000, 20000, 30000, 40000, 55000, 75000, 100000, 140000,
	200000
};

long
conf_warmup_cap_hour(long cap_day)
{
	long hour = (cap_day + 9) / 10;

	if (hour < 20)
		hour = 20;
	return hour < cap_day ? hour : cap_day;
}

/* Days since 1970-01-01 of "YYYY-MM-DD"; -1 when it is not a date. */
static long
warmup_day(const char *text)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, used = 0;
	long days = 0;
	bool leap;

	if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d,
	    &used) != 3 || used != 10 || text[4] != '-' || text[7] != '-' ||
	    y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	for (int year = 1970; year < y; year++)
		days += 365 + (((year % 4 == 0 && year % 100 != 0) ||
		    year % 400 == 0) ? 1 : 0);
	for (int month = 1; month < m; month++)
		days += mdays[month - 1] + (month == 2 && leap);
	return days + d - 1;
}

/* Reads schedule FILE into W's caps; reports "FILE:LINE: ..."; -1. */
static int
warmup_read_schedule(struct conf_parse *parse, struct conf_warmup *w)
{
	const char *saved_path = parse->path;
	int saved_line = parse->line, errors = 0;
	char line[WARMUP_LINE_MAX], msg[160];
	FILE *fp = fopen(w->schedule, "r");

	if (fp == NULL) {
		conf_error(parse, "Warmup: cannot open schedule %s: %s",
		    w->schedule, strerror(errno));
		return -1;
	}
	w->caps = xcalloc(CONF_WARMUP_MAX_STEPS, sizeof(*w->caps));
	parse->path = w->schedule;
	parse->line = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *word, *extra, *hash;
		long cap;

		parse->line++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			int c;

			conf_error(parse, "line too long");
			errors++;
			while ((c = getc(fp)) != EOF && c != '\n')
				;
			continue;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		if ((word = strtok(line, " \t\r\n")) == NULL)
			continue;
		extra = strtok(NULL, " \t\r\n");
		if (extra != NULL) {
			conf_error(parse, "expected one daily cap a line");
			errors++;
			continue;
		}
		if (value_int(word, 1, WARMUP_CAP_MAX, &cap, msg,
		    sizeof(msg)) != NULL) {
			conf_error(parse, "daily cap: %s", msg);
			errors++;
			continue;
		}
		if (w->nsteps == CONF_WARMUP_MAX_STEPS) {
			conf_error(parse, "more than %d steps",
			    CONF_WARMUP_MAX_STEPS);
			errors++;
			break;
		}
		w->caps[w->nsteps++] = cap;
	}
	fclose(fp);
	if (errors == 0 && w->nsteps == 0) {
		conf_error(parse, "no daily cap in the schedule");
		errors++;
	}
	parse->path = saved_path;
	parse->line = saved_line;
	return errors ? -1 : 0;
}

void
conf_key_warmup(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues)
{
	struct conf *conf = parse->conf;
	struct conf_warmup w;
	char shown[80], msg[160];
	bool target_set = false;

	(void)key;
	memset(&w, 0, sizeof(w));
	w.start_day = -1;
	w.line = parse->line;
	if (value_name(values[0]) != NULL) {
		conf_error(parse, "Warmup: \"%s\" is not an egress name",
		    log_escape(shown, sizeof(shown), values[0]));
		return;
	}
	for (int i = 1; i < nvalues; i++) {
		const char *v = values[i];

		if (strncasecmp(v, "start=", 6) == 0) {
			if ((w.start_day = warmup_day(v + 6)) < 0) {
				conf_error(parse, "Warmup: start= wants a "
				    "date YYYY-MM-DD, not \"%s\"",
				    log_escape(shown, sizeof(shown), v + 6));
				goto out;
			}
		} else if (strncasecmp(v, "target=", 7) == 0) {
			if (value_int(v + 7, 1, WARMUP_CAP_MAX, &w.target, msg,
			    sizeof(msg)) != NULL) {
				conf_error(parse, "Warmup: target=: %s", msg);
				goto out;
			}
			target_set = true;
		} else if (strncasecmp(v, "schedule=", 9) == 0) {
			if (v[9] != '/') {
				conf_error(parse, "Warmup: schedule= needs an "
				    "absolute path");
				goto out;
			}
			free(w.schedule);
			w.schedule = xstrdup(v + 9);
		} else {
			conf_error(parse, "Warmup: unknown \"%s\" (start=, "
			    "target=, schedule=)",
			    log_escape(shown, sizeof(shown), v));
			goto out;
		}
	}
	if (w.start_day < 0) {
		conf_error(parse, "Warmup: start=YYYY-MM-DD is required");
		goto out;
	}
	for (size_t i = 0; i < conf->nwarmup; i++)
		if (strcasecmp(conf->warmup[i].egress, values[0]) == 0) {
			conf_error(parse, "Warmup: egress %s has a Warmup line "
			    "already (line %d)", conf->warmup[i].egress,
			    conf->warmup[i].line);
			goto out;
		}
	if (conf->nwarmup == CONF_WARMUP_MAX) {
		conf_error(parse, "Warmup: more than %d lines",
		    CONF_WARMUP_MAX);
		goto out;
	}
	if (w.schedule != NULL) {
		if (warmup_read_schedule(parse, &w) != 0)
			goto out;
	} else {
		w.nsteps = sizeof(warmup_standard) / sizeof(warmup_standard[0]);
		w.caps = xcalloc(w.nsteps, sizeof(*w.caps));
		memcpy(w.caps, warmup_standard, sizeof(warmup_standard));
	}
	if (!target_set)
		w.target = w.caps[w.nsteps - 1];
	else if (w.target > w.caps[w.nsteps - 1]) {
		conf_error(parse, "Warmup: target=%ld is above the schedule's "
		    "last daily cap (%ld)", w.target, w.caps[w.nsteps - 1]);
		goto out;
	}
	w.egress = xstrdup(values[0]);
	conf->warmup = xreallocarray(conf->warmup, conf->nwarmup + 1,
	    sizeof(*conf->warmup));
	conf->warmup[conf->nwarmup++] = w;
	return;
out:
	free(w.caps);
	free(w.schedule);
}

void
conf_key_warmup_full(struct conf_parse *parse,
    const struct conf_key *key, char **values, int nvalues)
{
	(void)key;
	(void)nvalues;
	if (strcasecmp(values[0], "defer") == 0)
		parse->conf->warmup_full = WARMUP_FULL_DEFER;
	else if (strcasecmp(values[0], "send") == 0)
		parse->conf->warmup_full = WARMUP_FULL_SEND;
	else
		conf_error(parse, "WarmupFull: expected defer or send");
}

void
conf_warmup_finish(struct conf_parse *parse)
{
	struct conf *conf = parse->conf;
	int saved_line = parse->line;

	for (size_t i = 0; i < conf->nwarmup; i++) {
		bool found = false;

		for (size_t k = 0; k < conf->negress && !found; k++)
			found = strcasecmp(conf->egress[k].name,
			    conf->warmup[i].egress) == 0;
		if (!found) {
			parse->line = conf->warmup[i].line;
			conf_error(parse, "Warmup: no egress named \"%s\"",
			    conf->warmup[i].egress);
		}
	}
	parse->line = saved_line;
}

const struct conf_warmup *
conf_warmup_of(const struct conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->nwarmup; i++)
		if (strcasecmp(conf->warmup[i].egress, name) == 0)
			return &conf->warmup[i];
	return NULL;
}
