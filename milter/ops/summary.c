/*
 * summary.c - reading and counting the log for --summary (summary.h).
 *
 * summary_parse_time(), summary_run(), summary_line().
 * A line counts when the program that wrote it is egress-milter: the
 * syslog tag "egress-milter[PID]:" (or "egress-milter:") in the tag's
 * place, the word after the time and the host name (plain syslog,
 * rsyslog's ISO times, journalctl -o short and short-iso), or
 * "egress-milter: LEVEL: " at the start of a line without a time
 * (--log-to stderr). The text anywhere else (a Postfix reject line
 * quoting a client's "egress-milter: ...") is never the daemon's. Its time is read from an ISO 8601 prefix (rsyslog,
 * journalctl -o short-iso) or a traditional "Mmm dd hh:mm:ss" (the year
 * taken as the one that puts it in the past year); a line without a time
 * is counted whatever --since and --until say. Decision lines are
 * "QUEUEID action=... key=value ..."; values in double quotes have \" and
 * \\ escaped. Lines longer than LINE_MAX are skipped whole. A refusal for
 * authentication (refusal.c) counts under the sender domain its text
 * names; when it names none, Postfix's lines of the same log give it
 * one: its status line of the same remote ("QID: to=... (host
 * NAME[ADDR] said: ...") the queue id, and the queue id's "from=<...>"
 * the domain ("(not named)" when they are not there).
 * Must not: touch libmilter, do DNS.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <zlib.h>

#include "global/finding.h"
#include "ops/summary.h"
#include "ops/summary_print.h"
#include "util/util.h"

#define LINE_MAX_BYTES 65536
#define VALUE_MAX 8192

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The entry of KEY in T, added when new. */
static struct summary_entry *
table_get(struct summary_table *t, const char *key)
{
	struct summary_entry *e;
	unsigned h;

	if (t->buckets == NULL) {
		t->nbuckets = 65536;
		t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	}
	h = hash(key) % t->nbuckets;
	for (e = t->buckets[h]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	if (t->n >= SUMMARY_KEYS_MAX)
		return NULL;		/* the caller counts it as dropped */
	e = xcalloc(1, sizeof(*e));
	copy_bounded(e->key, sizeof(e->key), key);
	e->next = t->buckets[h];
	t->buckets[h] = e;
	t->n++;
	return e;
}

static void
table_free(struct summary_table *t)
{
	for (size_t i = 0; i < t->nbuckets; i++)
		while (t->buckets[i] != NULL) {
			struct summary_entry *e = t->buckets[i];

			t->buckets[i] = e->next;
			free(e);
		}
	free(t->buckets);
}

/* The time at the start of LINE, or 0; *REST gets what follows it. */
static time_t
line_time(const char *line, time_t now, const char **rest)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	char mon[4], sign = '+';
	int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(line, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
	    &sec, &n) == 6) {
		p = line + n;
		while (*p == '.' || isdigit((unsigned char)*p))
			p++;
		tm = (struct tm){ .tm_year = y - 1900, .tm_mon = mo - 1,
		    .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec };
		if ((*p == '+' || *p == '-') && sscanf(p, "%c%2d:%2d", &sign,
		    &oh, &om) == 3)
			p += 6;		/* +HH:MM (rsyslog) */
		else if ((*p == '+' || *p == '-') && sscanf(p, "%c%2d%2d",
		    &sign, &oh, &om) == 3)
			p += 5;		/* +HHMM (journalctl -o short-iso) */
		else if (*p == 'Z')
			p++;
		else
			oh = om = 0;
		*rest = p;
		return timegm(&tm) - (sign == '-' ? -1 : 1) * (oh * 3600 +
		    om * 60);
	}
	if (sscanf(line, "%3s %2d %2d:%2d:%2d%n", mon, &d, &h, &mi, &sec, &n)
	    == 5 && (p = strstr(months, mon)) != NULL && strlen(mon) == 3) {
		struct tm nowtm;
		time_t t;

		localtime_r(&now, &nowtm);
		tm = (struct tm){ .tm_year = nowtm.tm_year, .tm_mon =
		    (int)(p - months) / 3, .tm_mday = d, .tm_hour = h,
		    .tm_min = mi, .tm_sec = sec, .tm_isdst = -1 };
		if ((t = mktime(&tm)) > now + 86400) {
			tm.tm_year--;
			tm.tm_isdst = -1;
			t = mktime(&tm);
		}
		*rest = line + n;
		return t;
	}
	*rest = line;
	return 0;
}

/* After "LEVEL: " of standard error's lines, or NULL. */
static const char *
after_level(const char *p)
{
	static const char *const levels[] = { "debug: ", "info: ",
	    "notice: ", "warning: ", "error: ", "crit: " };

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strncmp(p, levels[i], strlen(levels[i])) == 0)
			return p + strlen(levels[i]);
	return NULL;
}

/*
 * Where egress-milter's own message starts in REST (what follows the
 * line's time; TIMED when it had one), or NULL: the tag must stand in
 * the tag's place.
 */
static const char *
own_message(const char *rest, bool timed)
{
	static const char tag[] = "egress-milter";
	const char *p = rest;

	if (timed) {		/* " HOST TAG: message" */
		if (*p != ' ')
			return NULL;
		p += strspn(p, " ");
		p += strcspn(p, " ");
		if (*p++ != ' ')
			return NULL;
	}
	if (strncmp(p, tag, sizeof(tag) - 1) != 0)
		return NULL;
	p += sizeof(tag) - 1;
	if (*p == '[') {
		size_t digits = strspn(p + 1, "0123456789");

		if (digits == 0 || p[1 + digits] != ']')
			return NULL;
		p += digits + 2;
	}
	if (p[0] != ':' || p[1] != ' ')
		return NULL;
	p += 2;
	if (!timed)		/* standard error: "egress-milter: LEVEL: " */
		return after_level(p);
	return p;
}

/* The next key=value of *P into KEY and VALUE; false at the end. */
static bool
next_pair(const char **p, char *key, size_t ksize, char *value,
    size_t vsize)
{
	const char *s = *p + strspn(*p, " ");
	size_t klen = strcspn(s, "= "), v = 0;

	if (*s == '\0' || s[klen] != '=' || klen >= ksize)
		return false;
	memcpy(key, s, klen);
	key[klen] = '\0';
	s += klen + 1;
	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			if (v + 1 < vsize)
				value[v++] = *s;
		}
		if (*s == '"')
			s++;
	} else {
		for (; *s && *s != ' '; s++)
			if (v + 1 < vsize)
				value[v++] = *s;
	}
	value[v] = '\0';
	*p = s;
	return true;
}

/* The sender domain of "<local@domain>", lower case, or "<>". */
static void
sender_domain(const char *sender, char *out, size_t size)
{
	const char *at = strrchr(sender, '@');
	size_t n;

	if (strcmp(sender, "<>") == 0 || sender[0] == '\0') {
		copy_bounded(out, size, "<>");
		return;
	}
	copy_bounded(out, size, at ? at + 1 : "(no domain)");
	n = strlen(out);
	if (n > 0 && out[n - 1] == '>')
		out[n - 1] = '\0';
	for (char *c = out; *c; c++)
		*c = (char)tolower((unsigned char)*c);
}

static void
count_findings(struct summary *s, const char *list)
{
	char name[64];

	while (*list) {
		size_t len = strcspn(list, ",");
		int f;

		if (len < sizeof(name)) {
			memcpy(name, list, len);
			name[len] = '\0';
			if ((f = finding_from_name(name)) >= 0)
				s->findings[f]++;
		}
		list += len + (list[len] == ',');
	}
}

/* One decision with ACTION for KEY in T (dropped when T is full). */
static void
count_key(struct summary_table *t, const char *key, int action)
{
	struct summary_entry *e = table_get(t, key);

	if (e != NULL)
		e->count[action]++;
	else
		t->dropped++;
}

/* "QID action=... ..." */
static void
count_decision(struct summary *s, const char *fields)
{
	char key[32], *value = xmalloc(VALUE_MAX), domain[SUMMARY_KEY_MAX];
	int action = -1;
	char egress[SUMMARY_KEY_MAX] = "none";

	domain[0] = '\0';
	while (next_pair(&fields, key, sizeof(key), value, VALUE_MAX)) {
		if (strcmp(key, "action") == 0)
			action = action_from_name(value);
		else if (strcmp(key, "egress") == 0)
			copy_bounded(egress, sizeof(egress), value);
		else if (strcmp(key, "findings") == 0 ||
		    strcmp(key, "preflight") == 0)
			count_findings(s, value);
		else if (strcmp(key, "sender") == 0)
			sender_domain(value, domain, sizeof(domain));
	}
	free(value);
	if (action < 0)
		return;
	s->messages++;
	s->by_action[action]++;
	count_key(&s->egresses, egress, action);
	if (domain[0])
		count_key(&s->domains, domain, action);
}

#define NOT_NAMED "(not named)"

/* One refusal for authentication of DOMAIN's mail by RECEIVER. */
static void
auth_count(struct summary *s, const char *domain, const char *receiver)
{
	char key[SUMMARY_KEY_MAX];

	snprintf(key, sizeof(key), "%.150s %.100s", domain, receiver);
	count_key(&s->auths, key, 0);
}

/*
 * "egress NAME: HOST[ADDR] refused for authentication (cause auth,
 * receiver R, sender domain D): ...": counted under D, or, when the
 * text named none, kept until Postfix's status line of the same remote
 * gives the queue id, whose from= gives the domain.
 */
static void
auth_event(struct summary *s, const char *m)
{
	char egress[64], dest[330], receiver[128], domain[254];
	struct summary_auth_pending *p;

	if (sscanf(m, "egress %63[^:]: %329s refused for authentication "
	    "(cause auth, receiver %127[^,], sender domain %253[^)])", egress,
	    dest, receiver, domain) != 4)
		return;
	if (strcmp(domain, "not named") != 0) {
		auth_count(s, domain, receiver);
		return;
	}
	p = &s->pending[s->next_pending];
	s->next_pending = (s->next_pending + 1) % SUMMARY_AUTH_PENDING;
	if (p->used)		/* no status line came for it */
		auth_count(s, NOT_NAMED, p->receiver);
	copy_bounded(p->destination, sizeof(p->destination), dest);
	copy_bounded(p->receiver, sizeof(p->receiver), receiver);
	p->used = true;
}

/* The sender domain of queue id QID (Postfix's from=), or NULL. */
static const char *
sender_of(const struct summary *s, const char *qid)
{
	for (size_t k = 1; s->senders != NULL && k <= SUMMARY_SENDERS; k++) {
		const struct summary_sender *e = &s->senders[(s->next_sender +
		    SUMMARY_SENDERS - k) % SUMMARY_SENDERS];

		if (e->queue_id[0] && strcmp(e->queue_id, qid) == 0)
			return e->domain;
	}
	return NULL;
}

/*
 * A Postfix line of REST (after the time): "QID: from=<...>" keeps the
 * queue id's sender domain; "QID: to=<...>, ... status=... (host
 * NAME[ADDR] said: ...)" gives a waiting auth refusal of that remote
 * its sender domain.
 */
static void
postfix_line(struct summary *s, const char *rest)
{
	char qid[32], dest[330], value[SUMMARY_KEY_MAX];
	const char *p = rest + strspn(rest, " "), *h;
	size_t n;

	p += strcspn(p, " ");		/* the host name */
	p += strspn(p, " ");
	if (strncmp(p, "postfix", 7) != 0 || (p = strstr(p, "]: ")) == NULL)
		return;
	p += 3;
	n = strspn(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz");
	if (n == 0 || n >= sizeof(qid) || p[n] != ':' || p[n + 1] != ' ')
		return;
	memcpy(qid, p, n);
	qid[n] = '\0';
	p += n + 2;
	if (strncmp(p, "from=<", 6) == 0) {
		struct summary_sender *e;

		if (s->senders == NULL)
			s->senders = xcalloc(SUMMARY_SENDERS,
			    sizeof(*s->senders));
		e = &s->senders[s->next_sender];
		s->next_sender = (s->next_sender + 1) % SUMMARY_SENDERS;
		n = strcspn(p + 5, ",");
		if (n >= sizeof(value))
			n = sizeof(value) - 1;
		memcpy(value, p + 5, n);
		value[n] = '\0';
		copy_bounded(e->queue_id, sizeof(e->queue_id), qid);
		sender_domain(value, e->domain, sizeof(e->domain));
		return;
	}
	if (strncmp(p, "to=<", 4) != 0 || strstr(p, " status=") == NULL ||
	    (h = strstr(p, "(host ")) == NULL ||
	    sscanf(h + 6, "%329s", dest) != 1)
		return;
	for (size_t k = 1; k <= SUMMARY_AUTH_PENDING; k++) {
		struct summary_auth_pending *w = &s->pending[(s->next_pending +
		    SUMMARY_AUTH_PENDING - k) % SUMMARY_AUTH_PENDING];
		const char *domain;

		if (!w->used || strcmp(w->destination, dest) != 0)
			continue;
		domain = sender_of(s, qid);
		auth_count(s, domain != NULL ? domain : NOT_NAMED, w->receiver);
		w->used = false;
		return;
	}
}

/* The auth refusals no status line came for: their domain unknown. */
static void
auth_flush(struct summary *s)
{
	for (size_t i = 0; i < SUMMARY_AUTH_PENDING; i++)
		if (s->pending[i].used) {
			auth_count(s, NOT_NAMED, s->pending[i].receiver);
			s->pending[i].used = false;
		}
}

/* A state change or a nameserver line becomes an event of the timeline. */
static void
add_event(struct summary *s, time_t when, const char *text)
{
	if (s->nevents == SUMMARY_EVENTS_MAX) {
		s->events_dropped++;
		return;
	}
	if (s->nevents == s->events_size) {
		s->events_size = s->events_size ? s->events_size * 2 : 64;
		s->events = xreallocarray(s->events, s->events_size,
		    sizeof(*s->events));
	}
	s->events[s->nevents].when = when;
	s->events[s->nevents].seq = s->nevents;
	copy_bounded(s->events[s->nevents].text,
	    sizeof(s->events[0].text), text);
	s->nevents++;
}

/*
 * The warm-up's lines (health/warmup.c): an egress at its cap, whose
 * mail spills over to others; the day's end, with the step and what
 * spilled over; graduation; a new start after idle days.
 */
static void
warmup_event(struct summary *s, time_t when, const char *m)
{
	char name[64], text[SUMMARY_EVENT_MAX], day[16];
	unsigned before, after, steps;
	long sent, cap, spilled, load;
	const char *p;

	if (sscanf(m, "egress %63[^:]: at its warm-up cap (step %u of %u: "
	    "%ld of %ld today", name, &after, &steps, &load, &cap) == 5)
		snprintf(text, sizeof(text), "%-12s warm-up cap reached (step "
		    "%u of %u: %ld of %ld today): spills over", name, after,
		    steps, load, cap);
	else if (sscanf(m, "egress %63[^:]: warm-up step %u -> %u of %u", name,
	    &before, &after, &steps) == 4 && (p = strstr(m, " on ")) != NULL &&
	    sscanf(p, " on %15[0-9-]: %ld sent, %*d deferred of a cap of %ld; "
	    "%ld spilled over", day, &sent, &cap, &spilled) == 4)
		snprintf(text, sizeof(text), "%-12s warm-up %s: %ld of %ld sent, "
		    "%ld spilled over; step %u -> %u of %u", name, day, sent,
		    cap, spilled, before, after, steps);
	else if (sscanf(m, "egress %63[^:]: warm-up done", name) == 1)
		snprintf(text, sizeof(text), "%-12s warm-up done: graduated",
		    name);
	else if (sscanf(m, "egress %63[^:]: no delivery for %ld days", name,
	    &load) == 2)
		snprintf(text, sizeof(text), "%-12s warm-up starts again (%ld "
		    "days without delivery)", name, load);
	else
		return;
	add_event(s, when, text);
}

/*
 * "egress NAME: refused by DEST, not used for N s: ..." and "egress
 * NAME: refusal back-off of N s is over ...": the refusals learned
 * (refusal.c) and the ends of their back-offs.
 */
static void
refusal_event(struct summary *s, time_t when, const char *m)
{
	char name[64], dest[256], text[SUMMARY_EVENT_MAX];
	long seconds;

	if (sscanf(m, "egress %63[^:]: refused by %255[^,], not used for %ld s",
	    name, dest, &seconds) == 3)
		snprintf(text, sizeof(text), "%-12s refused by %s for %ld s",
		    name, dest, seconds);
	else if (sscanf(m, "egress %63[^:]: refusal back-off of %ld s is over",
	    name, &seconds) == 2)
		snprintf(text, sizeof(text), "%-12s refusal back-off over",
		    name);
	else {
		warmup_event(s, when, m);
		return;
	}
	add_event(s, when, text);
}

/* "egress NAME (IP): A -> B[: reasons]": NAME A -> B, and its zones. */
static void
state_event(struct summary *s, time_t when, const char *m)
{
	char name[64], before[16], after[16];
	char text[SUMMARY_EVENT_MAX], zones[200] = "";
	const char *p;
	int n = 0;

	if (sscanf(m, "egress %63s (%*[^)]): %15[a-z] -> %15[a-z]%n", name,
	    before, after, &n) != 3 || n == 0) {
		refusal_event(s, when, m);
		return;
	}
	for (p = strstr(m + n, "listed on "); p != NULL;
	    p = strstr(p, "listed on ")) {
		char zone[100];

		p += strlen("listed on ");
		if (sscanf(p, "%99[^ ;(]", zone) == 1 && strstr(zones, zone)
		    == NULL)
			text_append(zones, sizeof(zones), zones[0] ? ", " : "",
			    zone);
	}
	snprintf(text, sizeof(text), "%-12s %s -> %s%s%s", name, before,
	    after, zones[0] ? "  listed on " : "", zones);
	add_event(s, when, text);
}

/* "nameserver ADDR does not answer (why)...": up to the why. */
static void
nameserver_event(struct summary *s, time_t when, const char *m)
{
	char text[SUMMARY_EVENT_MAX];
	size_t len = strcspn(m, "(");

	if (len >= sizeof(text))
		len = sizeof(text) - 1;
	memcpy(text, m, len);
	while (len > 0 && text[len - 1] == ' ')
		len--;
	text[len] = '\0';
	add_event(s, when, text);
}

void
summary_line(struct summary *s, const char *line, time_t now)
{
	const char *rest, *m, *action;
	time_t when = line_time(line, now, &rest);

	if (when != 0 && ((s->since && when < s->since) ||
	    (s->until && when >= s->until)))
		return;
	if ((m = own_message(rest, rest != line)) == NULL) {
		if (rest != line)
			postfix_line(s, rest);
		return;
	}
	s->lines++;
	if (when != 0 && (s->first == 0 || when < s->first))
		s->first = when;
	if (when > s->last)
		s->last = when;
	action = strstr(m, " action=");
	if (action != NULL && (size_t)(action - m) == strcspn(m, " "))
		count_decision(s, action);
	else if (strncmp(m, "egress ", 7) == 0 &&
	    strstr(m, " refused for authentication (cause auth,") != NULL)
		auth_event(s, m);
	else if (strncmp(m, "egress ", 7) == 0)
		state_event(s, when, m);
	else if (strncmp(m, "dns: nameserver ", 16) == 0)
		nameserver_event(s, when, m + 5);
}

/* Reads one file (NULL: standard input) into S; -1 when unreadable. */
static int
read_file(struct summary *s, const char *path, char *buf, time_t now)
{
	gzFile gz = path ? gzopen(path, "rb") : gzdopen(dup(0), "rb");
	bool skipping = false;

	if (gz == NULL)
		return -1;
	while (gzgets(gz, buf, LINE_MAX_BYTES) != NULL) {
		size_t len = strlen(buf);
		bool whole = len > 0 && buf[len - 1] == '\n';

		if (!skipping && whole) {
			buf[--len] = '\0';
			summary_line(s, buf, now);
		}
		skipping = !whole;	/* the rest of a long line follows */
	}
	gzclose(gz);
	return 0;
}

int
summary_run(char **files, int nfiles, const char *since, const char *until,
    FILE *out)
{
	struct summary s;
	time_t now = time(NULL);
	char *buf = xmalloc(LINE_MAX_BYTES);

	memset(&s, 0, sizeof(s));
	if ((since && (s.since = summary_parse_time(since, now)) == 0) ||
	    (until && (s.until = summary_parse_time(until, now)) == 0)) {
		fprintf(stderr, "egress-milter: --since/--until want "
		    "YYYY-MM-DD[ HH:MM[:SS]] (years 1970 to 9999), or Nh or "
		    "Nd (ago, N up to %d days)\n", SUMMARY_AGO_DAYS_MAX);
		free(buf);
		return 1;
	}
	if (since && until && s.since >= s.until) {
		fprintf(stderr, "egress-milter: --since is not before "
		    "--until: no line could count\n");
		free(buf);
		return 1;
	}
	for (int i = 0; i < (nfiles ? nfiles : 1); i++)
		if (read_file(&s, nfiles ? files[i] : NULL, buf, now) != 0) {
			fprintf(stderr, "egress-milter: cannot read %s\n",
			    nfiles ? files[i] : "standard input");
			s.files_unreadable++;
		}
	free(buf);
	auth_flush(&s);
	summary_print(&s, out);
	table_free(&s.egresses);
	table_free(&s.domains);
	table_free(&s.auths);
	free(s.senders);
	free(s.events);
	return s.files_unreadable ? 1 : 0;
}

time_t
summary_parse_time(const char *text, time_t now)
{
	struct tm tm;
	char unit;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	long amount;
	const char *p;

	time_t t;

	/* "Nh", "Nd": digits only, read without overflow. */
	n = (int)strspn(text, "0123456789");
	if (n > 0 && n <= 9 && (text[n] == 'h' || text[n] == 'd') &&
	    text[n + 1] == '\0') {
		unit = text[n];
		amount = strtol(text, NULL, 10);
		if (amount > (unit == 'h' ? SUMMARY_AGO_DAYS_MAX * 24L :
		    SUMMARY_AGO_DAYS_MAX))
			return 0;
		return now - (time_t)amount * (unit == 'h' ? 3600 : 86400);
	}
	if (n > 0 && (text[n] == 'h' || text[n] == 'd'))
		return 0;		/* too many digits */
	n = 0;
	if (!isdigit((unsigned char)text[0]) || sscanf(text, "%4d-%2d-%2d%n",
	    &y, &mo, &d, &n) != 3 || n == 0)
		return 0;
	p = text + n;
	if (*p == ' ' || *p == 'T') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n == 0)
			return 0;
		p += 1 + n;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &sec, &n) != 1 || n == 0)
				return 0;
			p += 1 + n;
		}
	}
	if (*p != '\0' || y < 1970 || y > 9999 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 60)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1 || tm.tm_mday != d)
		return 0;		/* or a day the month has not */
	return t;
}
