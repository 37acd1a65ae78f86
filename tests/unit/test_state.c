/*
 * test_state.c - the state file (StateFile): learned refusals written
 * and read back with their back-offs; a damaged, truncated, too large,
 * hostile or unknown-version file is one log line and nothing restored;
 * entries already over are dropped.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_load.h"
#include "conf/conf_parse.h"
#include "global/cause.h"
#include "health/refusal.h"
#include "health/refusal_state.h"
#include "health/warmup.h"
#include "mta/socketmap.h"
#include "util/log.h"
#include "unit.h"

static char tmpdir[] = "/tmp/em-test-state.XXXXXX";
static char logpath[300], statepath[300];

static struct conf *
load(void)
{
	char text[400];

	snprintf(text, sizeof(text), "StateFile %s\n", statepath);
	return unit_load_conf(tmpdir, text);
}

/* The lines of the log (stderr) that name the state file. */
static int
log_lines(void)
{
	char line[2000];
	int n = 0;
	FILE *fp;

	fflush(stderr);
	if ((fp = fopen(logpath, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, "state file") != NULL)
			n++;
	fclose(fp);
	return n;
}

static void
log_clear(void)
{
	fflush(stderr);
	if (truncate(logpath, 0) != 0)
		exit(2);
}

static void
write_text(const char *text)
{
	FILE *fp = fopen(statepath, "w");

	if (fp == NULL)
		exit(2);
	fputs(text, fp);
	fclose(fp);
}

/* TEXT as the state file is ignored: -1, one log line, nothing back. */
static void
ignored(const char *text, const char *why, const char *name)
{
	char label[300], line[2000] = "";
	struct refusal_info list[4];
	FILE *fp;

	refusal_forget_all();
	write_text(text);
	log_clear();
	snprintf(label, sizeof(label), "%s: the file is ignored (-1)", name);
	CHECK(refusal_state_read(statepath) == -1, label);
	snprintf(label, sizeof(label), "%s: one log line", name);
	CHECK(log_lines() == 1, label);
	if ((fp = fopen(logpath, "r")) != NULL) {
		if (fgets(line, sizeof(line), fp) == NULL)
			line[0] = '\0';
		fclose(fp);
	}
	snprintf(label, sizeof(label), "%s: the line says why (%s)", name, why);
	CHECK_CONTAINS(line, why, label);
	snprintf(label, sizeof(label), "%s: nothing is restored", name);
	CHECK(refusal_list(list, 4) == 0 && !refusal_active("a", NULL), label);
}

int
main(void)
{
	static const char refusal[] = "5.7.1 host 192.0.2.1[192.0.2.1] said: "
	    "554 5.7.1 Service unavailable; Client host [203.0.113.210] "
	    "blocked using remote-bl.route.test (in reply to RCPT TO command)";
	char out[SOCKETMAP_MAX_REPLY], text[8000], big[600], line[5000];
	struct refusal_info list[8], before, hostile;
	struct conf *conf;
	time_t now = time(NULL);
	size_t n;
	FILE *fp;

	if (mkdtemp(tmpdir) == NULL)
		return 2;
	snprintf(logpath, sizeof(logpath), "%s/log", tmpdir);
	snprintf(statepath, sizeof(statepath), "%s/lib/egress-milter/state",
	    tmpdir);
	if (freopen(logpath, "a", stderr) == NULL)
		return 2;
	log_open(false, 0, true, 6);
	conf = load();
	CHECK(conf->state_file != NULL && strcmp(conf->state_file, statepath)
	    == 0, "StateFile PATH is the configuration's state file");

	/* Missing: nothing, no line. */
	log_clear();
	CHECK(refusal_state_read(statepath) == 0 && log_lines() == 0,
	    "a missing state file: nothing restored, nothing logged");
	snprintf(text, sizeof(text), "%s/lib/egress-milter", tmpdir);
	CHECK(refusal_state_prepare(statepath, (uid_t)-1, (gid_t)-1) == 0 &&
	    access(text, W_OK) == 0,
	    "the state file's directory is created (and its parents)");

	/* Round trip. */
	CHECK(refusal_status(conf, "a", refusal, out, sizeof(out)) ==
	    LOOKUP_OK, "a refusal of egress a is learned");
	CHECK(refusal_active("a", &before), "egress a is backed off");
	CHECK(refusal_state_write(statepath) == 0, "the state file is written");
	snprintf(text, sizeof(text), "%s.tmp", statepath);
	CHECK(access(text, F_OK) != 0, "no temporary file is left behind");
	if ((fp = fopen(statepath, "r")) != NULL) {
		if (fgets(line, sizeof(line), fp) == NULL)
			line[0] = '\0';
		fclose(fp);
	}
	CHECK(strcmp(line, "egress-milter-state 2\n") == 0,
	    "the first line is the format and its version (2: with warm-up)");
	refusal_forget_all();
	CHECK(!refusal_active("a", NULL), "forgotten (as after a restart)");
	log_clear();
	CHECK(refusal_state_read(statepath) == 1, "read back: one back-off");
	CHECK(log_lines() == 1, "one log line says what was restored");
	n = refusal_list(list, 8);
	CHECK(n == 1 && refusal_active("a", NULL),
	    "egress a is backed off again after the read");
	CHECK(n == 1 && strcmp(list[0].egress, "a") == 0 &&
	    strcmp(list[0].receiver, before.receiver) == 0 &&
	    list[0].cause == CAUSE_IP && list[0].until == before.until &&
	    list[0].since == before.since &&
	    list[0].backoff == before.backoff &&
	    list[0].count == before.count &&
	    strcmp(list[0].destination, before.destination) == 0 &&
	    strcmp(list[0].text, before.text) == 0,
	    "... with its receiver, cause, until, back-off, count, "
	    "destination and text");

	/* Hostile text: escaped in the file, the same when read back. */
	refusal_forget_all();
	memset(&hostile, 0, sizeof(hostile));
	strcpy(hostile.egress, "b");
	strcpy(hostile.receiver, "dest.test");
	strcpy(hostile.destination, "mx.dest.test[192.0.2.9]");
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	snprintf(hostile.text, sizeof(hostile.text), "a\\x41 b\tc\nend 0\n"
	    "refusal \x01\xff %%s %.400s", big);
	hostile.cause = CAUSE_PTR;
	hostile.since = now;
	hostile.until = now + 300;
	hostile.backoff = 300;
	hostile.count = 2;
	CHECK(refusal_restore(&hostile), "a back-off with a hostile text");
	CHECK(refusal_state_write(statepath) == 0, "... is written");
	n = 0;
	if ((fp = fopen(statepath, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL)
			n++;
		fclose(fp);
	}
	CHECK(n == 3, "... on one line (newlines in the text are escaped)");
	refusal_forget_all();
	CHECK(refusal_state_read(statepath) == 1 && refusal_list(list, 8) == 1
	    && strcmp(list[0].text, hostile.text) == 0 &&
	    list[0].cause == CAUSE_PTR && list[0].count == 2,
	    "... and read back byte for byte");

	/* The warm-up's steps and counts (version 2). */
	{
		struct warmup_saved w, got[2];

		memset(&w, 0, sizeof(w));
		snprintf(w.egress, sizeof(w.egress), "b");
		w.step = 4;
		w.start_day = 20454;
		w.day = (long)(now / 86400);
		w.sent_day = 380;
		w.deferred_day = 3;
		w.selected_day = 390;
		w.hour = (long)(now / 3600);
		w.sent_hour = 21;
		w.selected_hour = 22;
		w.last_sent_day = w.day;
		w.refused = true;
		warmup_forget_all();
		CHECK(warmup_restore(&w), "a warm-up to save");
		CHECK(refusal_state_write(statepath) == 0,
		    "written with the warm-up");
		warmup_forget_all();
		CHECK(refusal_state_read(statepath) >= 0 &&
		    warmup_export(got, 2) == 1 && got[0].step == 4 &&
		    got[0].sent_day == 380 && got[0].deferred_day == 3 &&
		    got[0].selected_day == 390 && got[0].sent_hour == 21 &&
		    got[0].selected_hour == 22 && got[0].refused &&
		    got[0].last_sent_day == w.day && got[0].day == w.day &&
		    strcmp(got[0].egress, "b") == 0,
		    "read back: the step and the day's and hour's counts");
		warmup_forget_all();
	}

	/* Over: dropped. */
	refusal_forget_all();
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test ip 0 %lld %lld 60 1 mx.dest.test[192.0.2.1] "
	    "blocked\nend 1\n", (long long)now - 100, (long long)now - 40);
	write_text(text);
	CHECK(refusal_state_read(statepath) == 0 && refusal_list(list, 8) == 0,
	    "an entry already over is dropped on read");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a old.test ip 0 %lld %lld 60 1 mx.old.test[192.0.2.1] x\n"
	    "refusal a dest.test rate 0 %lld %lld 600 1 mx.dest.test[192.0.2.1] "
	    "slow\\x20down\nend 2\n", (long long)now - 100,
	    (long long)now - 40, (long long)now, (long long)now + 600);
	write_text(text);
	CHECK(refusal_state_read(statepath) == 1 && refusal_list(list, 8) == 1 &&
	    strcmp(list[0].receiver, "dest.test") == 0 &&
	    strcmp(list[0].text, "slow down") == 0,
	    "... the one in force beside it is restored");

	/* Damaged, truncated, too large, hostile: ignored. */
	ignored("\x7f" "ELF garbage\n", "not a state file", "garbage");
	ignored("", "no end", "an empty file");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test ip 0 %lld %lld 600 1 mx.dest.test[192.0.2.1] "
	    "bl", (long long)now, (long long)now + 600);
	ignored(text, "truncated", "a file cut in the middle of a line");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test ip 0 %lld %lld 600 1 mx.dest.test[192.0.2.1] "
	    "bl\n", (long long)now, (long long)now + 600);
	ignored(text, "truncated", "a file with no end line");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test ip 0 %lld %lld 600 1 mx.dest.test[192.0.2.1] "
	    "bl\nend 2\n", (long long)now, (long long)now + 600);
	ignored(text, "does not count", "an end that does not count the lines");
	ignored("egress-milter-state 3\nend 0\n", "version",
	    "a format version this daemon does not know");
	ignored("egress-milter-state 2\nwarmup a 0 0 0 0 20454 20454 1 0 0 1 "
	    "0 490896 1 1 20455\nend 1\n", "out of range",
	    "a warm-up at step 0");
	ignored("egress-milter-state 2\nwarmup a 1 0 0 0 20454 20454 1 0 0 1 "
	    "0 490896 1 1\nend 1\n", "not a warmup line",
	    "a warm-up line with a field too few");
	ignored("egress-milter-state 2\nwarmup a 1 0 0 0 20454 20454 1 0 0 1 "
	    "0 490896 1 1 20455\nend 0\n", "does not count",
	    "an end that does not count the warm-up lines");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test ip 0 %lld %lld 600 1 mx.dest.test[192.0.2.1] "
	    "b\x01l\nend 1\n", (long long)now, (long long)now + 600);
	ignored(text, "malformed", "a control byte in a field");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test ip 0 %lld %lld 600 1 mx.dest.test[192.0.2.1] "
	    "b\\x00l\nend 1\n", (long long)now, (long long)now + 600);
	ignored(text, "malformed", "an escaped NUL");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test ip 0 %lld %lld 600 1 mx.dest.test[192.0.2.1] "
	    "%s%s\nend 1\n", (long long)now, (long long)now + 600, big, big);
	ignored(text, "too long", "a text longer than a refusal's");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test ip 0 %lld %lld 600 1 mx.dest.test[192.0.2.1] "
	    "bl\nend 1\n", (long long)now, (long long)now + 10 * 86400);
	ignored(text, "out of range", "a back-off ending in ten days");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test auth 0 %lld %lld 600 1 mx.dest.test[192.0.2.1] "
	    "bl\nend 1\n", (long long)now, (long long)now + 600);
	ignored(text, "cause", "a cause that backs nothing off");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test ip 0 %lld -5 600 1 mx.dest.test[192.0.2.1] "
	    "bl extra\nend 1\n", (long long)now);
	ignored(text, "not a refusal line", "a line with a field too many");
	snprintf(text, sizeof(text), "egress-milter-state 1\n"
	    "refusal a dest.test ip 0 %lld -5 600 1 mx.dest.test[192.0.2.1] "
	    "bl\nend 1\n", (long long)now);
	ignored(text, "out of range", "a negative number");
	ignored("egress-milter-state 1\nend 0\nrefusal\n", "after its end",
	    "lines after the end");
	{
		size_t size = REFUSAL_STATE_MAX_BYTES + 100;
		char *huge = malloc(size + 1);

		if (huge == NULL)
			return 2;
		memset(huge, '#', size);
		memcpy(huge, "egress-milter-state 1\n", 22);
		huge[size - 1] = '\n';
		huge[size] = '\0';
		ignored(huge, "too large", "a file too large");
		free(huge);
	}
	refusal_forget_all();
	conf_free(conf);
	(void)unlink(statepath);
	snprintf(text, sizeof(text), "%s/lib/egress-milter", tmpdir);
	(void)rmdir(text);
	snprintf(text, sizeof(text), "%s/lib", tmpdir);
	(void)rmdir(text);
	snprintf(text, sizeof(text), "%s/test.conf", tmpdir);
	(void)unlink(text);
	(void)unlink(logpath);
	(void)rmdir(tmpdir);
	return unit_exit();
}
