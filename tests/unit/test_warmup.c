/*
 * test_warmup.c - the warm-up of a new egress (Warmup, health/warmup.c)
 * on the test's own clock: the configuration (schedule file, its errors
 * with file and line, the shipped schedule, the hourly cap), and each
 * day's-end rule: advance, hold (deferrals, refusals), step back on a
 * listing, graduate at the target after 14 days, start again after 30
 * idle days; a day before start= has no room. With Redis (fleet.c) the
 * batches of deltas and the fleet's totals and step (warmup_fleet_*):
 * a batch not written stays as it is, the totals replace the counts,
 * the step of a later or equal day's end is taken, an older one not.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_load.h"
#include "conf/conf_parse.h"
#include "conf/conf_warmup.h"
#include "global/lookup.h"
#include "health/refusal.h"
#include "health/warmup.h"
#include "unit.h"

static char tmpdir[] = "/tmp/em-test-warmup.XXXXXX";

/* 2026-01-01 00:00 UTC, day 20454; hours and days from there. */
#define DAY0 20454L
#define AT(day, hour) ((time_t)((DAY0 + (day)) * 86400L + (hour) * 3600L))

static void
write_file(const char *name, const char *text)
{
	char path[300];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((fp = fopen(path, "w")) == NULL)
		exit(2);
	fputs(text, fp);
	fclose(fp);
}

/* Loads "Egress a, b" plus LINES; NULL with the errors in ERRS. */
static struct conf *
load(const char *lines, char *errs, size_t size)
{
	char path[300], text[2000];
	struct conf_errors errors = { NULL, 0, 0 };
	struct conf *conf;

	snprintf(text, sizeof(text), "Syslog no\nNameservers 127.0.0.1:1\n"
	    "Egress a 203.0.113.210 transport=smtp-a\n"
	    "Egress b 203.0.113.211 transport=smtp-b\n%s\n", lines);
	write_file("test.conf", text);
	snprintf(path, sizeof(path), "%s/test.conf", tmpdir);
	conf = conf_load(path, &errors);
	if (errs != NULL)
		snprintf(errs, size, "%s", errors.text ? errors.text : "");
	conf_errors_free(&errors);
	return conf;
}

static struct conf *
load_ok(const char *lines)
{
	char errs[2000];
	struct conf *conf = load(lines, errs, sizeof(errs));

	if (conf == NULL) {
		printf("FAIL: configuration loads (%s)\n", errs);
		exit(1);
	}
	return conf;
}

static struct warmup_view
view(const struct conf *conf, time_t now)
{
	struct warmup_view v;

	memset(&v, 0, sizeof(v));
	if (!warmup_snapshot(conf, "a", now, &v))
		v.step = 0;
	return v;
}

/* A day of SENT deliveries and DEFERRED deferrals through a at DAY. */
static void
day_of(const struct conf *conf, long day, long sent, long deferred)
{
	warmup_add(conf, "a", WARMUP_SENT, sent, AT(day, 10));
	warmup_add(conf, "a", WARMUP_DEFERRED, deferred, AT(day, 11));
}

static void
test_conf(void)
{
	char errs[2000], line[600];
	struct conf *conf;
	const struct conf_warmup *w;

	write_file("sched", "# test schedule\n3\n\n6 # step 2\n12\n24\n");
	snprintf(line, sizeof(line), "Warmup a start=2026-01-01 "
	    "schedule=%s/sched", tmpdir);
	conf = load_ok(line);
	w = conf_warmup_of(conf, "a");
	CHECK(w != NULL && w->nsteps == 4 && w->caps[0] == 3 &&
	    w->caps[1] == 6 && w->caps[3] == 24, "schedule file: one cap a "
	    "line, comments and blank lines skipped");
	CHECK(w != NULL && w->target == 24, "target defaults to the last cap");
	CHECK(w != NULL && w->start_day == DAY0, "start= is a UTC day");
	CHECK(conf_warmup_of(conf, "b") == NULL, "b does not warm up");
	CHECK(conf->warmup_full == WARMUP_FULL_SEND,
	    "WarmupFull defaults to send");
	conf_free(conf);

	conf = load_ok("Warmup a start=2026-01-01\nWarmupFull defer");
	w = conf_warmup_of(conf, "a");
	CHECK(w != NULL && w->nsteps == 22 && w->caps[0] == 200 &&
	    w->caps[21] == 200000, "the shipped schedule: 200 to 200,000");
	if (w != NULL) {
		bool ok = true;

		for (size_t i = 1; i < w->nsteps; i++)
			ok = ok && w->caps[i] > w->caps[i - 1] &&
			    w->caps[i] <= 2 * w->caps[i - 1];
		CHECK(ok, "the shipped schedule rises and never doubles");
	}
	CHECK(conf->warmup_full == WARMUP_FULL_DEFER, "WarmupFull defer");
	conf_free(conf);

	CHECK(conf_warmup_cap_hour(200) == 20 &&
	    conf_warmup_cap_hour(1000) == 100 &&
	    conf_warmup_cap_hour(1001) == 101 && conf_warmup_cap_hour(3) == 3,
	    "hourly cap: min(day, max(20, ceil(day/10)))");

	write_file("bad", "3\n6\nmany\n");
	snprintf(line, sizeof(line), "Warmup a start=2026-01-01 "
	    "schedule=%s/bad", tmpdir);
	CHECK(load(line, errs, sizeof(errs)) == NULL,
	    "a bad schedule line is an error");
	snprintf(line, sizeof(line), "%s/bad:3:", tmpdir);
	CHECK_CONTAINS(errs, line, "the error names the schedule file and line");
	CHECK(load("Warmup a start=2026-02-30", errs, sizeof(errs)) == NULL,
	    "start= must be a real date");
	CHECK(load("Warmup c start=2026-01-01", errs, sizeof(errs)) == NULL,
	    "Warmup names an egress");
	CHECK_CONTAINS(errs, "no egress named \"c\"", "... and says which");
	CHECK(load("Warmup a", errs, sizeof(errs)) == NULL,
	    "start= is required");
	CHECK(load("Warmup a start=2026-01-01 target=300000", errs,
	    sizeof(errs)) == NULL, "target= above the last cap is an error");
	CHECK(load("WarmupFull maybe", errs, sizeof(errs)) == NULL,
	    "WarmupFull is defer or send");
}

static struct conf *
test_schedule_conf(const char *extra)
{
	char line[800];

	/* Caps 4, 8, 12, 16, 20, 24 (target 16). */
	write_file("steps", "4\n8\n12\n16\n20\n24\n");
	snprintf(line, sizeof(line), "Warmup a start=2026-01-01 target=16 "
	    "schedule=%s/steps\n%s", tmpdir, extra);
	warmup_forget_all();
	return load_ok(line);
}

static void
test_rules(void)
{
	struct conf *conf = test_schedule_conf("");
	struct warmup_view v;

	v = view(conf, AT(-1, 12));
	CHECK(v.step == 1 && !v.started && v.cap_day == 0 && v.full,
	    "before start=: no room at all");
	v = view(conf, AT(0, 0));
	CHECK(v.step == 1 && v.cap_day == 4 && v.cap_hour == 4 && !v.full,
	    "start= day: step 1, cap 4");
	warmup_add(conf, "a", WARMUP_SELECTED, 4, AT(0, 1));
	v = view(conf, AT(0, 1));
	CHECK(v.full && v.selected_day == 4, "4 chosen: at its cap");
	v = view(conf, AT(0, 2));
	CHECK(v.full && v.selected_hour == 0, "the day's cap holds the next "
	    "hour");

	/* Advance: half the cap sent (2 of 4). */
	day_of(conf, 0, 2, 0);
	v = view(conf, AT(1, 0));
	CHECK(v.step == 2 && v.cap_day == 8 && v.sent_day == 0 && !v.full,
	    "advance: a day with at least half its cap sent");
	/* Not advanced: less than half sent. */
	day_of(conf, 1, 3, 0);
	v = view(conf, AT(2, 0));
	CHECK(v.step == 2, "stay: a day with less than half its cap sent");
	/* Hold: deferrals above 5 %. */
	day_of(conf, 2, 8, 1);
	v = view(conf, AT(3, 0));
	CHECK(v.step == 2, "hold: deferrals above 5 % of the attempts");
	/* Hold: a learned refusal. */
	day_of(conf, 3, 8, 0);
	warmup_refused(conf, "a", AT(3, 15));
	v = view(conf, AT(4, 0));
	CHECK(v.step == 2, "hold: a day with a learned refusal");
	/* Advance twice, then a listing steps back 2. */
	day_of(conf, 4, 8, 0);
	day_of(conf, 5, 12, 0);
	v = view(conf, AT(6, 0));
	CHECK(v.step == 4 && v.cap_day == 16, "advance again: step 4");
	day_of(conf, 6, 16, 0);
	warmup_listed(conf, "a", AT(6, 20));
	v = view(conf, AT(7, 0));
	CHECK(v.step == 2, "step back 2 on a DNSBL listing");
	/* Back to step 4 (cap 16 = target), good days: graduates only
	 * after 14 days from start=. */
	day_of(conf, 7, 8, 0);
	day_of(conf, 8, 12, 0);
	v = view(conf, AT(9, 0));
	CHECK(v.step == 4 && !v.graduated && v.graduation_day == DAY0 + 14,
	    "at the target's step; graduation expected on day 14");
	for (long d = 9; d < 13; d++)
		day_of(conf, d, 16, 0);
	v = view(conf, AT(13, 0));
	CHECK(v.step == 6 && !v.graduated, "before 14 days: no graduation, "
	    "it keeps advancing");
	day_of(conf, 13, 20, 0);
	v = view(conf, AT(14, 0));
	CHECK(v.graduated && !v.full && v.cap_day == -1,
	    "graduate: target reached and 14 days passed");
	warmup_add(conf, "a", WARMUP_SELECTED, 100000, AT(14, 1));
	CHECK(!warmup_at_cap(conf, "a", AT(14, 1)), "graduated: no cap");
	/* Idle 30 days: start again. */
	v = view(conf, AT(13 + 30, 5));
	CHECK(v.graduated, "30 days without delivery: still graduated");
	v = view(conf, AT(13 + 31, 5));
	CHECK(!v.graduated && v.step == 1 && v.cap_day == 4,
	    "more than 30 days without delivery: step 1 again");
	conf_free(conf);
}

static void
test_hour_and_restore(void)
{
	struct conf *conf;
	struct warmup_saved saved[4];
	struct warmup_view v;
	size_t n;
	char line[600];

	/* A daily cap of 400: 40 an hour. */
	write_file("big", "400\n800\n");
	snprintf(line, sizeof(line), "Warmup a start=2026-01-01 "
	    "schedule=%s/big", tmpdir);
	warmup_forget_all();
	conf = load_ok(line);
	warmup_add(conf, "a", WARMUP_SELECTED, 40, AT(0, 9));
	CHECK(warmup_at_cap(conf, "a", AT(0, 9)), "the hourly cap (40 of "
	    "400 a day) is reached");
	CHECK(!warmup_at_cap(conf, "a", AT(0, 10)), "... and the next hour "
	    "has room");
	warmup_add(conf, "a", WARMUP_SENT, 250, AT(0, 12));
	n = warmup_export(saved, 4);
	CHECK(n == 1 && saved[0].sent_day == 250 && saved[0].step == 1,
	    "export: the counts and the step");
	warmup_forget_all();
	v = view(conf, AT(0, 13));
	CHECK(v.sent_day == 0, "forgotten");
	warmup_forget_all();
	CHECK(n == 1 && warmup_restore(&saved[0]), "restore");
	v = view(conf, AT(0, 13));
	CHECK(v.sent_day == 250 && v.selected_day == 40, "restored counts");
	v = view(conf, AT(1, 0));
	CHECK(v.step == 2, "restored counts make the day's end advance");
	warmup_add(conf, "b", WARMUP_SENT, 5, AT(1, 1));
	CHECK(!warmup_snapshot(conf, "b", AT(1, 1), &v),
	    "an egress without Warmup is not counted");
	conf_free(conf);
}

/* The status maps count each recipient; their answers do not change. */
static void
test_status_counting(void)
{
	struct conf *conf;
	struct warmup_view v;
	char out[600], line[600];
	time_t now = time(NULL);

	write_file("st", "1000\n");
	snprintf(line, sizeof(line), "Warmup a start=2026-01-01 "
	    "schedule=%s/st", tmpdir);
	warmup_forget_all();
	conf = load_ok(line);
	CHECK(refusal_status(conf, "a", "2.0.0 250 2.0.0 Ok: queued as 1A2B",
	    out, sizeof(out)) == LOOKUP_NOTFOUND, "2.x.x: the answer is "
	    "NOTFOUND, as without warm-up");
	refusal_status(conf, "a", "2.0.0 250 2.0.0 Ok: queued as 1A2C", out,
	    sizeof(out));
	CHECK(refusal_status(conf, "a", "4.4.1 connect to mx.dest.test"
	    "[192.0.2.1]:25: Connection timed out", out, sizeof(out)) ==
	    LOOKUP_NOTFOUND, "4.x.x (Postfix's own text): NOTFOUND");
	CHECK(refusal_status(conf, "a", "5.1.1 host mx.dest.test[192.0.2.1] "
	    "said: 550 5.1.1 <x@dest.test>: Recipient address rejected: "
	    "User unknown (in reply to RCPT TO command)", out, sizeof(out))
	    == LOOKUP_NOTFOUND, "5.x.x (a recipient refusal): NOTFOUND");
	CHECK(refusal_status(conf, "a", "5.7.1 host mx.dest.test[192.0.2.1] "
	    "said: 554 5.7.1 Service unavailable; Client host [192.0.2.10] "
	    "blocked using zen.spamhaus.org (in reply to RCPT TO command)",
	    out, sizeof(out)) == LOOKUP_OK && out[0] == '4',
	    "a listing refusal: deferred as before");
	CHECK(warmup_snapshot(conf, "a", now, &v) && v.sent_day == 2 &&
	    v.sent_hour == 2 && v.deferred_day == 2 && v.bounced_day == 1,
	    "counted: 2 sent, 2 deferred (one a refusal made 4.x.x), "
	    "1 bounced");
	refusal_status(conf, "b", "2.0.0 250 2.0.0 Ok", out, sizeof(out));
	CHECK(!warmup_snapshot(conf, "b", now, &v),
	    "b, which does not warm up, is not counted");
	refusal_forget_all();
	conf_free(conf);
}

/* The fleet's side: batches of deltas, totals, the shared step. */
static void
test_fleet(void)
{
	struct conf *conf = test_schedule_conf("");
	struct warmup_delta d, d2, f;
	struct warmup_view v;

	day_of(conf, 0, 3, 0);
	CHECK(warmup_fleet_take(conf, "a", AT(0, 12), &d) && d.sent == 3 &&
	    d.day == DAY0 && d.hour == (DAY0 * 24 + 12) && d.decided == -1 &&
	    d.step == 1, "a batch holds the day's 3 deliveries, no decision");
	CHECK(!warmup_fleet_take(conf, "b", AT(0, 12), &d2),
	    "b, which does not warm up, has no batch");
	warmup_add(conf, "a", WARMUP_SENT, 2, AT(0, 12));
	warmup_fleet_done(conf, "a", &d, NULL, AT(0, 12));
	CHECK(warmup_fleet_take(conf, "a", AT(0, 12), &d2) &&
	    d2.seq == d.seq && d2.sent == 3, "not written: the same batch "
	    "(same sequence number) is written again, nothing merged in");
	memset(&f, 0, sizeof(f));
	f.sent = 10;		/* 3 of ours, 7 of other relays */
	f.sent_hour = 10;
	f.decided = -1;
	warmup_fleet_done(conf, "a", &d2, &f, AT(0, 12));
	CHECK(warmup_snapshot(conf, "a", AT(0, 12), &v) && v.sent_day == 12 &&
	    v.sent_hour == 12 && v.full, "written: the fleet's 10 and the 2 "
	    "not yet written; at the cap of 4");
	CHECK(warmup_fleet_take(conf, "a", AT(0, 12), &d) && d.seq > d2.seq &&
	    d.sent == 2, "the next batch: the 2 since, a later sequence");
	f.sent = 5;		/* a Redis that lost its keys */
	warmup_fleet_done(conf, "a", &d, &f, AT(0, 12));
	CHECK(warmup_snapshot(conf, "a", AT(0, 12), &v) && v.sent_day == 12,
	    "the fleet's counts never lower this relay's");
	/* The day's end: this relay advances (12 sent of 4). */
	CHECK(warmup_snapshot(conf, "a", AT(1, 0), &v) && v.step == 2 &&
	    v.sent_day == 0, "the day's end with the fleet's counts: step 2");
	CHECK(warmup_fleet_take(conf, "a", AT(1, 0), &d) && d.decided ==
	    DAY0 && d.step == 2 && d.day == DAY0 + 1, "the decision is "
	    "offered with the day that decided it");
	memset(&f, 0, sizeof(f));
	f.decided = DAY0;
	f.step = 1;		/* another relay wrote it first: a hold */
	f.start_day = DAY0;
	warmup_fleet_done(conf, "a", &d, &f, AT(1, 0));
	CHECK(warmup_snapshot(conf, "a", AT(1, 0), &v) && v.step == 1,
	    "the fleet's step of the same day's end is taken (first writer)");
	warmup_fleet_take(conf, "a", AT(1, 0), &d);
	f.decided = DAY0 - 1;
	f.step = 5;
	warmup_fleet_done(conf, "a", &d, &f, AT(1, 0));
	CHECK(warmup_snapshot(conf, "a", AT(1, 0), &v) && v.step == 1,
	    "an older day's step is not");
	warmup_fleet_take(conf, "a", AT(1, 0), &d);
	f.decided = DAY0;
	f.start_day = DAY0 + 3;
	warmup_fleet_done(conf, "a", &d, &f, AT(1, 0));
	CHECK(warmup_snapshot(conf, "a", AT(1, 0), &v) && v.step == 1,
	    "nor the step of another start=");
	warmup_forget_all();
	conf_free(conf);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 2;
	test_conf();
	test_rules();
	test_hour_and_restore();
	test_status_counting();
	test_fleet();
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			return 2;
	}
	return unit_exit();
}
