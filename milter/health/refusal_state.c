/*
 * refusal_state.c - the state file that keeps the learned refusals in
 * force across a restart: its format, its atomic write, its careful
 * read, and the thread that writes it.
 *
 * refusal_state_prepare(), refusal_state_read(), refusal_state_write(),
 * refusal_state_start(), refusal_state_stop().
 *
 * The back-offs come from refusal.c (refusal_snapshot(), taken under its
 * lock, which is let go before any disk work) and go back through
 * refusal_restore(). A file is used whole or not at all: every line is
 * checked (fields, numbers, lengths, the entries' count on "end N")
 * before the first entry is put back.
 * Must not: touch libmilter or DNS; write on a socketmap answer's path.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "global/cause.h"
#include "health/refusal.h"
#include "health/refusal_state.h"
#include "health/warmup.h"
#include "util/log.h"
#include "util/util.h"

#define STATE_MAGIC "egress-milter-state"
#define STATE_FIELDS 11			/* of a "refusal" line */
#define STATE_WARMUP_FIELDS 17		/* of a "warmup" line */
#define STATE_COUNT_MAX 1000000000000LL	/* a day's or an hour's count */

/* Appends S escaped (a byte outside '!'..'~' and '\' as \xHH) and SEP. */
static void
state_put(char *line, size_t size, size_t *len, const char *s, char sep)
{
	static const char hex[] = "0123456789abcdef";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*len + 5 >= size)
			break;
		if (*p > ' ' && *p < 0x7f && *p != '\\')
			line[(*len)++] = (char)*p;
		else {
			line[(*len)++] = '\\';
			line[(*len)++] = 'x';
			line[(*len)++] = hex[*p >> 4];
			line[(*len)++] = hex[*p & 15];
		}
	}
	if (*len + 1 < size)
		line[(*len)++] = sep;
	line[*len] = '\0';
}

/* One "refusal ..." line for I into LINE. */
static void
state_line(char *line, size_t size, const struct refusal_info *i)
{
	char numbers[160];
	size_t len = 0;

	line[0] = '\0';
	state_put(line, size, &len, "refusal", ' ');
	state_put(line, size, &len, i->egress, ' ');
	state_put(line, size, &len, i->receiver, ' ');
	state_put(line, size, &len, cause_name(i->cause), ' ');
	snprintf(numbers, sizeof(numbers), "%d %lld %lld %ld %u", i->global ?
	    1 : 0, (long long)i->since, (long long)i->until, i->backoff,
	    i->count);
	/* Numbers need no escape: copied as they are. */
	if (len + strlen(numbers) + 2 < size) {
		memcpy(line + len, numbers, strlen(numbers));
		len += strlen(numbers);
		line[len++] = ' ';
		line[len] = '\0';
	}
	state_put(line, size, &len, i->destination, ' ');
	state_put(line, size, &len, i->text, '\n');
}

/* One "warmup ..." line for W into LINE. */
static void
state_warmup_line(char *line, size_t size, const struct warmup_saved *w)
{
	size_t len = 0;

	line[0] = '\0';
	state_put(line, size, &len, "warmup", ' ');
	state_put(line, size, &len, w->egress, ' ');
	snprintf(line + len, size - len, "%u %d %d %d %ld %ld %ld %ld %ld %ld "
	    "%ld %ld %ld %ld %ld\n", w->step, w->graduated ? 1 : 0,
	    w->refused ? 1 : 0, w->listed ? 1 : 0, w->start_day, w->day,
	    w->sent_day, w->deferred_day, w->bounced_day, w->selected_day,
	    w->spilled_day, w->hour, w->sent_hour, w->selected_hour,
	    w->last_sent_day + 1);
}

int
refusal_state_write(const char *path)
{
	struct refusal_info *all;
	struct warmup_saved *warm;
	char tmp[PATH_MAX], *line;
	size_t n, nw = 0;
	int fd, rc = -1;
	FILE *f;

	if (path == NULL)
		return 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		log_warn("state file %s: path too long", path);
		return -1;
	}
	all = xcalloc(REFUSAL_MAX_ENTRIES, sizeof(*all));
	warm = xcalloc(CONF_WARMUP_MAX, sizeof(*warm));
	line = xmalloc(REFUSAL_STATE_LINE_MAX);
	n = refusal_snapshot(all, REFUSAL_MAX_ENTRIES);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0640);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		log_warn("state file %s: cannot write %s: %s", path, tmp,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	fprintf(f, "%s %d\n", STATE_MAGIC, REFUSAL_STATE_VERSION);
	for (size_t i = 0; i < n; i++) {
		state_line(line, REFUSAL_STATE_LINE_MAX, &all[i]);
		fputs(line, f);
	}
	nw = warmup_export(warm, CONF_WARMUP_MAX);
	for (size_t i = 0; i < nw; i++) {
		state_warmup_line(line, REFUSAL_STATE_LINE_MAX, &warm[i]);
		fputs(line, f);
	}
	fprintf(f, "end %zu\n", n + nw);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		log_warn("state file %s: cannot write %s: %s", path, tmp,
		    strerror(errno));
		fclose(f);
		(void)unlink(tmp);
		goto out;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		log_warn("state file %s: cannot put it in place: %s", path,
		    strerror(errno));
		(void)unlink(tmp);
		goto out;
	}
	log_debug("state file %s: %zu refusal back-off%s and %zu warm-up%s "
	    "written", path, n, n == 1 ? "" : "s", nw, nw == 1 ? "" : "s");
	rc = 0;
out:
	free(line);
	free(warm);
	free(all);
	return rc;
}

/* Decodes field SRC (escaped) into DST; -1 when bad or too long. */
static int
state_get(char *dst, size_t size, const char *src)
{
	size_t len = 0;

	for (const char *p = src; *p; p++) {
		int c = (unsigned char)*p;

		if (c == '\\') {
			char hex[3] = { 0, 0, 0 };
			char *end;

			if (p[1] != 'x' || p[2] == '\0' || p[3] == '\0')
				return -1;
			hex[0] = p[2];
			hex[1] = p[3];
			c = (int)strtol(hex, &end, 16);
			if (*end != '\0' || hex[0] == '-' || hex[0] == '+' ||
			    c == 0)
				return -1;
			p += 3;
		} else if (c <= ' ' || c >= 0x7f)
			return -1;
		if (len + 1 >= size)
			return -1;
		dst[len++] = (char)c;
	}
	dst[len] = '\0';
	return 0;
}

/* A decimal number in [MIN, MAX] from S; -1 when not. */
static int
state_number(const char *s, long long min, long long max, long long *out)
{
	char *end;

	if (*s < '0' || *s > '9' || strlen(s) > 19)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || *out < min || *out > max)
		return -1;
	return 0;
}

/*
 * Splits LINE (changed) at spaces into FIELD (room for MAX + 1); the
 * count, MAX + 1 when there are more.
 */
static int
state_split(char *line, char **field, int max)
{
	int n = 0;

	for (char *p = line; n <= max; n++) {
		field[n] = p;
		if ((p = strchr(p, ' ')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	return n;
}

/* Parses a "refusal" line LINE (changed) into I; NULL or why not. */
static const char *
state_parse(char *line, struct refusal_info *i, time_t now)
{
	char *field[STATE_FIELDS + 1], cause[16];
	long long global, since, until, backoff, count;
	int n = 0;

	n = state_split(line, field, STATE_FIELDS);
	if (n != STATE_FIELDS || strcmp(field[0], "refusal") != 0)
		return "not a refusal line";
	memset(i, 0, sizeof(*i));
	if (state_get(i->egress, sizeof(i->egress), field[1]) != 0 ||
	    i->egress[0] == '\0' ||
	    state_get(i->receiver, sizeof(i->receiver), field[2]) != 0 ||
	    i->receiver[0] == '\0' ||
	    state_get(cause, sizeof(cause), field[3]) != 0 ||
	    state_get(i->destination, sizeof(i->destination), field[9]) != 0 ||
	    state_get(i->text, sizeof(i->text), field[10]) != 0)
		return "a field is malformed or too long";
	i->cause = cause_by_name(cause);
	if (i->cause != CAUSE_IP && i->cause != CAUSE_PTR &&
	    i->cause != CAUSE_RATE)
		return "an unknown cause";
	if (state_number(field[4], 0, 1, &global) != 0 ||
	    state_number(field[5], 0, (long long)now + REFUSAL_MAX_BACKOFF,
	    &since) != 0 ||
	    state_number(field[6], 0, (long long)now + REFUSAL_MAX_BACKOFF,
	    &until) != 0 ||
	    state_number(field[7], 1, REFUSAL_MAX_BACKOFF, &backoff) != 0 ||
	    state_number(field[8], 1, 1000000, &count) != 0 ||
	    until < since)
		return "a number is malformed or out of range";
	i->global = global == 1;
	i->since = (time_t)since;
	i->until = (time_t)until;
	i->backoff = (long)backoff;
	i->count = (unsigned)count;
	return NULL;
}

/* Parses a "warmup" line LINE (changed) into W; NULL or why not. */
static const char *
state_parse_warmup(char *line, struct warmup_saved *w)
{
	char *field[STATE_WARMUP_FIELDS + 1];
	long long v[STATE_WARMUP_FIELDS];
	/* The bounds of the numbers, from field 2 on. */
	static const long long max[STATE_WARMUP_FIELDS] = { 0, 0,
	    CONF_WARMUP_MAX_STEPS, 1, 1, 1, 3000000, 3000000,
	    STATE_COUNT_MAX, STATE_COUNT_MAX, STATE_COUNT_MAX, STATE_COUNT_MAX,
	    STATE_COUNT_MAX, 72000000, STATE_COUNT_MAX, STATE_COUNT_MAX,
	    3000001 };
	int n = 0;

	n = state_split(line, field, STATE_WARMUP_FIELDS);
	if (n != STATE_WARMUP_FIELDS || strcmp(field[0], "warmup") != 0)
		return "not a warmup line";
	memset(w, 0, sizeof(*w));
	if (state_get(w->egress, sizeof(w->egress), field[1]) != 0 ||
	    w->egress[0] == '\0')
		return "a field is malformed or too long";
	for (int i = 2; i < STATE_WARMUP_FIELDS; i++)
		if (state_number(field[i], i == 2 ? 1 : 0, max[i], &v[i]) != 0)
			return "a number is malformed or out of range";
	w->step = (unsigned)v[2];
	w->graduated = v[3] == 1;
	w->refused = v[4] == 1;
	w->listed = v[5] == 1;
	w->start_day = (long)v[6];
	w->day = (long)v[7];
	w->sent_day = (long)v[8];
	w->deferred_day = (long)v[9];
	w->bounced_day = (long)v[10];
	w->selected_day = (long)v[11];
	w->spilled_day = (long)v[12];
	w->hour = (long)v[13];
	w->sent_hour = (long)v[14];
	w->selected_hour = (long)v[15];
	w->last_sent_day = (long)v[16] - 1;
	return NULL;
}

/* Reads file FD (PATH) whole into a new string; NULL with *WHY. */
static char *
state_slurp(int fd, const char **why)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t got;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return NULL;
	}
	if (st.st_size > REFUSAL_STATE_MAX_BYTES) {
		*why = "too large";
		return NULL;
	}
	buf = xmalloc(REFUSAL_STATE_MAX_BYTES + 2);
	while ((got = read(fd, buf + len, REFUSAL_STATE_MAX_BYTES + 1 - len))
	    > 0 && len < REFUSAL_STATE_MAX_BYTES + 1)
		len += (size_t)got;
	if (got < 0) {
		*why = strerror(errno);
		free(buf);
		return NULL;
	}
	if (len > REFUSAL_STATE_MAX_BYTES) {
		*why = "too large";
		free(buf);
		return NULL;
	}
	if (memchr(buf, '\0', len) != NULL) {
		*why = "a NUL byte";
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

int
refusal_state_read(const char *path)
{
	struct refusal_info *all = NULL;
	struct warmup_saved *warm = NULL;
	const char *why = NULL;
	char *buf, *line, *next, shown[160];
	size_t n = 0, lineno = 0, expired = 0, nw = 0, warmed = 0;
	long long declared;
	bool header = false, ended = false;
	time_t now = time(NULL);
	int fd, restored = 0;

	if (path == NULL)
		return 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 0;
		log_warn("state file %s ignored: %s; the daemon starts with "
		    "no learned refusal", path, strerror(errno));
		return -1;
	}
	buf = state_slurp(fd, &why);
	close(fd);
	if (buf == NULL)
		goto bad;
	all = xcalloc(REFUSAL_MAX_ENTRIES, sizeof(*all));
	warm = xcalloc(CONF_WARMUP_MAX, sizeof(*warm));
	for (line = buf; *line != '\0' && why == NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) == NULL) {
			why = "truncated (its last line has no end)";
			break;
		}
		*next++ = '\0';
		if (next - line > REFUSAL_STATE_LINE_MAX)
			why = "a line is too long";
		else if (!header) {
			char want[64], old[64];

			snprintf(want, sizeof(want), "%s %d", STATE_MAGIC,
			    REFUSAL_STATE_VERSION);
			/* Version 1 (refusals only) is read as it is. */
			snprintf(old, sizeof(old), "%s 1", STATE_MAGIC);
			if (strcmp(line, want) != 0 && strcmp(line, old) != 0)
				why = strncmp(line, STATE_MAGIC " ",
				    sizeof(STATE_MAGIC)) == 0 ? "a format "
				    "version this daemon does not know" :
				    "not a state file (no first line \""
				    STATE_MAGIC " 1\")";
			header = true;
		} else if (ended)
			why = "lines after its end";
		else if (strncmp(line, "end ", 4) == 0) {
			if (state_number(line + 4, 0, REFUSAL_MAX_ENTRIES +
			    CONF_WARMUP_MAX, &declared) != 0 ||
			    (size_t)declared != n + expired + nw)
				why = "its end does not count its entries";
			ended = true;
		} else if (strncmp(line, "warmup ", 7) == 0) {
			if (nw >= CONF_WARMUP_MAX)
				why = "too many warm-up entries";
			else if ((why = state_parse_warmup(line, &warm[nw])) ==
			    NULL)
				nw++;
		} else if (n + expired >= REFUSAL_MAX_ENTRIES)
			why = "too many entries";
		else if ((why = state_parse(line, &all[n], now)) == NULL) {
			if (all[n].until <= now)
				expired++;
			else
				n++;
		}
	}
	if (why == NULL && !ended)
		why = "truncated (no end line)";
	if (why != NULL)
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (refusal_restore(&all[i]))
			restored++;
	for (size_t i = 0; i < nw; i++)
		if (warmup_restore(&warm[i]))
			warmed++;
	if (restored > 0 || expired > 0)
		log_notice("state file %s: %d learned refusal back-off%s in "
		    "force again (%zu over, dropped)", path, restored,
		    restored == 1 ? "" : "s", expired);
	if (warmed > 0)
		log_notice("state file %s: the warm-up of %zu egress%s (steps "
		    "and counts) restored", path, warmed, warmed == 1 ? "" :
		    "es");
	free(warm);
	free(all);
	free(buf);
	return restored;
bad:
	if (lineno > 0)
		snprintf(shown, sizeof(shown), " at line %zu", lineno);
	else
		shown[0] = '\0';
	log_warn("state file %s ignored: %s%s; the daemon starts with no "
	    "learned refusal", path, why, shown);
	free(warm);
	free(all);
	free(buf);
	return -1;
}

int
refusal_state_prepare(const char *path, uid_t uid, gid_t gid)
{
	char dir[PATH_MAX], *slash;

	if (path == NULL)
		return 0;
	if (copy_bounded(dir, sizeof(dir), path) != 0 ||
	    (slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	/* Its parents too (/usr/local/var/lib under a local prefix). */
	for (char *p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			*p = '/';
			break;
		}
		*p = '/';
	}
	if (mkdir(dir, 0750) != 0) {
		if (errno == EEXIST)
			return 0;
		log_warn("state file %s: cannot create %s: %s; learned "
		    "refusals are not kept across a restart", path, dir,
		    strerror(errno));
		return -1;
	}
	if (uid != (uid_t)-1 && geteuid() == 0 && chown(dir, uid, gid) != 0)
		log_warn("state file %s: cannot hand %s to the daemon's user: "
		    "%s", path, dir, strerror(errno));
	log_info("state file %s: created %s", path, dir);
	return 0;
}

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t state_cond = PTHREAD_COND_INITIALIZER;
static pthread_t state_thread;
static bool state_running, state_stopping;
static unsigned long state_written;	/* refusal_changes() when written */

/* Writes when something changed since the last write. */
static void
state_write_changed(void)
{
	unsigned long changes = refusal_changes() + warmup_changes();
	struct conf *conf;

	if (changes == state_written)
		return;
	conf = conf_current();
	if (conf == NULL)
		return;
	/* A failed write is tried again at the next change only: its log
	 * line is not repeated every second. */
	(void)refusal_state_write(conf->state_file);
	state_written = changes;
	conf_release(conf);
}

static void *
state_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&state_lock);
	while (!state_stopping) {
		struct timespec when;

		clock_gettime(CLOCK_REALTIME, &when);
		when.tv_sec += 1;
		(void)pthread_cond_timedwait(&state_cond, &state_lock, &when);
		if (state_stopping)
			break;
		pthread_mutex_unlock(&state_lock);
		state_write_changed();
		pthread_mutex_lock(&state_lock);
	}
	pthread_mutex_unlock(&state_lock);
	return NULL;
}

int
refusal_state_start(void)
{
	state_written = refusal_changes() + warmup_changes();
	state_stopping = false;
	if (pthread_create(&state_thread, NULL, state_main, NULL) != 0)
		return -1;
	state_running = true;
	return 0;
}

void
refusal_state_stop(void)
{
	if (!state_running)
		return;
	pthread_mutex_lock(&state_lock);
	state_stopping = true;
	pthread_cond_signal(&state_cond);
	pthread_mutex_unlock(&state_lock);
	pthread_join(state_thread, NULL);
	state_running = false;
	state_write_changed();
}
