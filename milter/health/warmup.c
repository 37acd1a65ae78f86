/*
 * warmup.c - the warm-up of a new egress address: the step of each
 * warming egress, its counts per UTC day and hour, and the day's-end
 * rules (advance, hold, step back, graduate, start again) of warmup.h.
 *
 * warmup_add(), warmup_refused(), warmup_listed(), warmup_snapshot(),
 * warmup_at_cap(), warmup_export(), warmup_restore(), warmup_changes(),
 * warmup_fleet_take(), warmup_fleet_done(), warmup_forget_all().
 *
 * The entries are kept by egress name (a reload may reorder egresses),
 * at most CONF_WARMUP_MAX, under one mutex held for a few comparisons:
 * the status and route maps never wait on anything else here. The day's
 * end is applied lazily, by the first call that sees a later UTC day.
 * Each entry also keeps what the fleet (fleet.c, with Redis) has not
 * seen yet: the increments since the last batch, and the batch taken
 * but not yet written (kept as it is until it is written).
 * Must not: touch libmilter, DNS, Redis or files.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_warmup.h"
#include "health/warmup.h"
#include "util/log.h"
#include "util/util.h"

struct warmup_entry {
	bool used;
	struct warmup_saved s;
	struct warmup_delta pend;	/* increments since the last batch */
	struct warmup_delta batch;	/* taken, not yet written */
	bool in_batch;
	long decided;			/* day whose end set the step */
	unsigned long long seq;		/* the last batch's */
};

static pthread_mutex_t warmup_lock = PTHREAD_MUTEX_INITIALIZER;
static struct warmup_entry warmup_table[CONF_WARMUP_MAX];
static atomic_ulong warmup_changed;

static long
warmup_cap(const struct conf_warmup *w, unsigned step)
{
	if (step < 1)
		step = 1;
	if (step > w->nsteps)
		step = (unsigned)w->nsteps;
	return w->caps[step - 1];
}

/* "YYYY-MM-DD" of UTC day DAY into OUT. */
static void
warmup_date(long day, char *out, size_t size)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%d", &tm);
}

static void
warmup_reset_day(struct warmup_saved *s, long day)
{
	s->day = day;
	s->sent_day = s->deferred_day = s->bounced_day = 0;
	s->selected_day = s->spilled_day = 0;
	s->refused = s->listed = false;
}

/* The rules at the end of day S->day (warmup.h). */
static void
warmup_close_day(struct warmup_saved *s, const struct conf_warmup *w)
{
	long cap = warmup_cap(w, s->step);
	long attempts = s->sent_day + s->deferred_day + s->bounced_day;
	unsigned before = s->step;
	char date[16];
	const char *why;

	if (s->graduated || s->day < w->start_day)
		return;
	warmup_date(s->day, date, sizeof(date));
	if (s->listed) {
		s->step = s->step > WARMUP_BACK_STEPS ? s->step -
		    WARMUP_BACK_STEPS : 1;
		why = "listed on a DNSBL";
	} else if (s->refused) {
		why = "a refusal was learned";
	} else if (s->deferred_day > 0 && s->deferred_day * 20 > attempts) {
		why = "deferrals above 5 % of the attempts";
	} else if (s->sent_day * 2 >= cap) {
		if (cap >= w->target && s->day + 1 - w->start_day >=
		    WARMUP_MIN_DAYS) {
			s->graduated = true;
			log_notice("egress %s: warm-up done: graduated at step "
			    "%u (%ld sent on %s; target %ld)", s->egress,
			    s->step, s->sent_day, date, w->target);
			return;
		}
		if (s->step < w->nsteps)
			s->step++;
		why = "sent at least half its cap";
	} else
		why = "sent less than half its cap";
	if (s->step != before || attempts > 0 || s->selected_day > 0 ||
	    s->spilled_day > 0 || s->listed || s->refused)
		log_notice("egress %s: warm-up step %u -> %u of %zu (%s on %s: "
		    "%ld sent, %ld deferred of a cap of %ld; %ld spilled over)",
		    s->egress, before, s->step, w->nsteps, why, date,
		    s->sent_day, s->deferred_day, cap, s->spilled_day);
}

/* A new batch of E's increments PEND (of day DAY, hour HOUR). */
static void
warmup_batch(struct warmup_entry *e, long day, long hour, time_t now)
{
	unsigned long long base = (unsigned long long)now * 1000000ULL;

	e->batch = e->pend;
	e->batch.day = day;
	e->batch.hour = hour;
	e->seq = e->seq + 1 > base ? e->seq + 1 : base;
	e->batch.seq = e->seq;
	e->in_batch = true;
	memset(&e->pend, 0, sizeof(e->pend));
}

/* Brings E (of W) to NOW: the days' ends, idle restart, a new hour. */
static void
warmup_roll(struct warmup_entry *e, const struct conf_warmup *w, time_t now)
{
	struct warmup_saved *s = &e->s;
	long today = (long)(now / 86400), hour = (long)(now / 3600);

	if (s->start_day != w->start_day) {
		/* A new start= (or a new entry): from step 1. */
		memset(&s->step, 0, sizeof(*s) - offsetof(struct warmup_saved,
		    step));
		s->step = 1;
		s->start_day = w->start_day;
		s->last_sent_day = -1;
		warmup_reset_day(s, today);
		s->hour = hour;
		memset(&e->pend, 0, sizeof(e->pend));
		e->in_batch = false;
		e->decided = -1;
		atomic_fetch_add(&warmup_changed, 1);
	}
	if (today > s->day) {
		warmup_close_day(s, w);
		/* The day's increments the fleet has not seen go as a
		 * batch of their own day (unless one is still unwritten). */
		if (!e->in_batch && (e->pend.sent || e->pend.deferred ||
		    e->pend.bounced || e->pend.refused || e->pend.listed))
			warmup_batch(e, s->day, s->hour, now);
		memset(&e->pend, 0, sizeof(e->pend));
		e->decided = s->day;
		warmup_reset_day(s, today);
		atomic_fetch_add(&warmup_changed, 1);
	}
	if (today >= w->start_day) {
		long since = s->last_sent_day >= 0 ? s->last_sent_day :
		    w->start_day;

		if (today - since > WARMUP_IDLE_DAYS &&
		    (s->step > 1 || s->graduated)) {
			log_notice("egress %s: no delivery for %ld days: the "
			    "warm-up starts again at step 1", s->egress,
			    today - since);
			s->step = 1;
			s->graduated = false;
			s->last_sent_day = today;
			e->decided = today - 1;
			atomic_fetch_add(&warmup_changed, 1);
		}
	}
	if (hour != s->hour) {
		s->hour = hour;
		s->sent_hour = s->selected_hour = 0;
		e->pend.sent_hour = 0;	/* a past hour bounds no cap */
	}
}

/* EGRESS's entry (created when missing), brought to NOW; lock held. */
static struct warmup_entry *
warmup_entry(const struct conf *conf, const char *egress, time_t now,
    const struct conf_warmup **wp)
{
	const struct conf_warmup *w = conf_warmup_of(conf, egress);
	struct warmup_entry *free_slot = NULL;

	if (w == NULL)
		return NULL;
	*wp = w;
	/* Entries are used from the first slot on, never freed one by one
	 * (warmup_forget_all() clears them all): the first free slot ends
	 * the search. */
	for (size_t i = 0; i < CONF_WARMUP_MAX; i++) {
		struct warmup_entry *e = &warmup_table[i];

		if (!e->used) {
			free_slot = e;
			break;
		}
		if (strcasecmp(e->s.egress, w->egress) == 0) {
			warmup_roll(e, w, now);
			return e;
		}
	}
	if (free_slot == NULL)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	copy_bounded(free_slot->s.egress, sizeof(free_slot->s.egress),
	    w->egress);
	free_slot->s.start_day = -1;	/* warmup_roll() starts it */
	free_slot->decided = -1;
	warmup_roll(free_slot, w, now);
	return free_slot;
}

static void
warmup_fill(const struct warmup_saved *s, const struct conf_warmup *w,
    time_t now, struct warmup_view *v)
{
	long today = (long)(now / 86400), attempts;
	size_t k;

	memset(v, 0, sizeof(*v));
	copy_bounded(v->egress, sizeof(v->egress), s->egress);
	v->graduated = s->graduated;
	v->started = today >= w->start_day;
	v->step = s->step;
	v->steps = (unsigned)w->nsteps;
	v->target = w->target;
	v->sent_day = s->sent_day;
	v->deferred_day = s->deferred_day;
	v->bounced_day = s->bounced_day;
	v->selected_day = s->selected_day;
	v->spilled_day = s->spilled_day;
	v->sent_hour = s->sent_hour;
	v->selected_hour = s->selected_hour;
	attempts = s->sent_day + s->deferred_day + s->bounced_day;
	v->load_day = s->selected_day > attempts ? s->selected_day : attempts;
	v->load_hour = s->selected_hour > s->sent_hour ? s->selected_hour :
	    s->sent_hour;
	if (s->graduated) {
		v->cap_day = v->cap_hour = -1;
		v->graduation_day = -1;
		return;
	}
	v->cap_day = v->started ? warmup_cap(w, s->step) : 0;
	v->cap_hour = conf_warmup_cap_hour(v->cap_day);
	v->full = v->load_day >= v->cap_day || v->load_hour >= v->cap_hour;
	/* At this pace: one step a day from today, then one good day on
	 * the step that reaches target=, and at least WARMUP_MIN_DAYS. */
	for (k = s->step; k < w->nsteps && w->caps[k - 1] < w->target; k++)
		;
	v->graduation_day = (v->started ? today : w->start_day) +
	    (long)(k - s->step) + 1;
	if (v->graduation_day < w->start_day + WARMUP_MIN_DAYS)
		v->graduation_day = w->start_day + WARMUP_MIN_DAYS;
}

void
warmup_add(const struct conf *conf, const char *egress,
    enum warmup_event event, long n, time_t now)
{
	const struct conf_warmup *w;
	struct warmup_entry *e;
	struct warmup_saved *s;

	if (conf->nwarmup == 0 || n <= 0)
		return;
	pthread_mutex_lock(&warmup_lock);
	if ((e = warmup_entry(conf, egress, now, &w)) != NULL) {
		s = &e->s;
		switch (event) {
		case WARMUP_SELECTED:
			s->selected_day += n;
			s->selected_hour += n;
			break;
		case WARMUP_SENT:
			s->sent_day += n;
			s->sent_hour += n;
			s->last_sent_day = s->day;
			e->pend.sent += n;
			e->pend.sent_hour += n;
			break;
		case WARMUP_DEFERRED:
			s->deferred_day += n;
			e->pend.deferred += n;
			break;
		case WARMUP_BOUNCED:
			s->bounced_day += n;
			e->pend.bounced += n;
			break;
		case WARMUP_SPILLED:
			if (s->spilled_day == 0) {
				struct warmup_view v;

				warmup_fill(s, w, now, &v);
				log_notice("egress %s: at its warm-up cap (step "
				    "%u of %u: %ld of %ld today, %ld of %ld this "
				    "hour): mail spills over to other egresses",
				    s->egress, v.step, v.steps, v.load_day,
				    v.cap_day, v.load_hour, v.cap_hour);
			}
			s->spilled_day += n;
			break;
		case WARMUP_PROBED:
			s->selected_day -= s->selected_day < n ?
			    s->selected_day : n;
			s->selected_hour -= s->selected_hour < n ?
			    s->selected_hour : n;
			break;
		}
		atomic_fetch_add(&warmup_changed, 1);
	}
	pthread_mutex_unlock(&warmup_lock);
}

/* Sets today's REFUSED or LISTED mark of EGRESS. */
static void
warmup_mark(const struct conf *conf, const char *egress, time_t now,
    bool listed)
{
	const struct conf_warmup *w;
	struct warmup_entry *e;

	if (conf->nwarmup == 0)
		return;
	pthread_mutex_lock(&warmup_lock);
	if ((e = warmup_entry(conf, egress, now, &w)) != NULL) {
		if (listed)
			e->s.listed = e->pend.listed = true;
		else
			e->s.refused = e->pend.refused = true;
		atomic_fetch_add(&warmup_changed, 1);
	}
	pthread_mutex_unlock(&warmup_lock);
}

void
warmup_refused(const struct conf *conf, const char *egress, time_t now)
{
	warmup_mark(conf, egress, now, false);
}

void
warmup_listed(const struct conf *conf, const char *egress, time_t now)
{
	warmup_mark(conf, egress, now, true);
}

bool
warmup_snapshot(const struct conf *conf, const char *egress, time_t now,
    struct warmup_view *out)
{
	const struct conf_warmup *w;
	struct warmup_entry *e;

	if (conf->nwarmup == 0)
		return false;
	pthread_mutex_lock(&warmup_lock);
	if ((e = warmup_entry(conf, egress, now, &w)) != NULL)
		warmup_fill(&e->s, w, now, out);
	pthread_mutex_unlock(&warmup_lock);
	return e != NULL;
}

bool
warmup_at_cap(const struct conf *conf, const char *egress, time_t now)
{
	struct warmup_view v;

	return warmup_snapshot(conf, egress, now, &v) && v.full;
}

size_t
warmup_export(struct warmup_saved *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&warmup_lock);
	for (size_t i = 0; i < CONF_WARMUP_MAX && n < max &&
	    warmup_table[i].used; i++)
		out[n++] = warmup_table[i].s;
	pthread_mutex_unlock(&warmup_lock);
	return n;
}

bool
warmup_restore(const struct warmup_saved *in)
{
	struct warmup_entry *slot = NULL;

	if (in->egress[0] == '\0' || in->step < 1 ||
	    in->step > CONF_WARMUP_MAX_STEPS)
		return false;
	pthread_mutex_lock(&warmup_lock);
	for (size_t i = 0; i < CONF_WARMUP_MAX; i++) {
		struct warmup_entry *e = &warmup_table[i];

		if (!e->used || strcasecmp(e->s.egress, in->egress) == 0) {
			slot = e;
			break;
		}
	}
	if (slot != NULL) {
		memset(slot, 0, sizeof(*slot));
		slot->used = true;
		slot->decided = -1;
		slot->s = *in;
		slot->s.egress[sizeof(slot->s.egress) - 1] = '\0';
		atomic_fetch_add(&warmup_changed, 1);
	}
	pthread_mutex_unlock(&warmup_lock);
	return slot != NULL;
}

bool
warmup_fleet_take(const struct conf *conf, const char *egress, time_t now,
    struct warmup_delta *out)
{
	const struct conf_warmup *w;
	struct warmup_entry *e;

	if (conf->nwarmup == 0)
		return false;
	pthread_mutex_lock(&warmup_lock);
	if ((e = warmup_entry(conf, egress, now, &w)) != NULL) {
		if (!e->in_batch)
			warmup_batch(e, e->s.day, e->s.hour, now);
		*out = e->batch;
		out->decided = e->decided;
		out->step = e->s.step;
		out->graduated = e->s.graduated;
		out->start_day = e->s.start_day;
	}
	pthread_mutex_unlock(&warmup_lock);
	return e != NULL;
}

/* The fleet's step F, decided at the end of day F->decided, for E. */
static void
warmup_fleet_step(struct warmup_entry *e, const struct conf_warmup *w,
    const struct warmup_delta *f)
{
	struct warmup_saved *s = &e->s;
	char date[16];

	if (f->decided < 0 || f->decided < e->decided ||
	    f->start_day != s->start_day || f->step < 1 ||
	    f->step > w->nsteps)
		return;
	e->decided = f->decided;
	if (f->step == s->step && f->graduated == s->graduated)
		return;
	warmup_date(f->decided, date, sizeof(date));
	log_notice("egress %s: warm-up step %u%s -> %u%s: the fleet's, "
	    "decided at the end of %s", s->egress, s->step, s->graduated ?
	    " (graduated)" : "", f->step, f->graduated ? " (graduated)" : "",
	    date);
	s->step = f->step;
	s->graduated = f->graduated;
}

void
warmup_fleet_done(const struct conf *conf, const char *egress,
    const struct warmup_delta *taken, const struct warmup_delta *fleet,
    time_t now)
{
	const struct conf_warmup *w;
	struct warmup_entry *e;
	struct warmup_saved *s;

	if (conf->nwarmup == 0 || fleet == NULL)
		return;			/* not written: the batch stays */
	pthread_mutex_lock(&warmup_lock);
	if ((e = warmup_entry(conf, egress, now, &w)) != NULL &&
	    e->in_batch && e->batch.seq == taken->seq) {
		s = &e->s;
		e->in_batch = false;
		/* The fleet's totals hold this batch; the increments since
		 * are added. Never lower (a Redis that lost its keys). */
		if (taken->day == s->day) {
#define WARMUP_MERGE(field, total, mine) do { \
		long t = (total) + (mine); \
		if (t > (field)) \
			(field) = t; \
	} while (0)
			WARMUP_MERGE(s->sent_day, fleet->sent, e->pend.sent);
			WARMUP_MERGE(s->deferred_day, fleet->deferred,
			    e->pend.deferred);
			WARMUP_MERGE(s->bounced_day, fleet->bounced,
			    e->pend.bounced);
			if (taken->hour == s->hour)
				WARMUP_MERGE(s->sent_hour, fleet->sent_hour,
				    e->pend.sent_hour);
#undef WARMUP_MERGE
			s->refused |= fleet->refused;
			s->listed |= fleet->listed;
			if (s->sent_day > 0)
				s->last_sent_day = s->day;
		}
		warmup_fleet_step(e, w, fleet);
		atomic_fetch_add(&warmup_changed, 1);
	}
	pthread_mutex_unlock(&warmup_lock);
}

unsigned long
warmup_changes(void)
{
	return atomic_load(&warmup_changed);
}

void
warmup_forget_all(void)
{
	pthread_mutex_lock(&warmup_lock);
	memset(warmup_table, 0, sizeof(warmup_table));
	atomic_fetch_add(&warmup_changed, 1);
	pthread_mutex_unlock(&warmup_lock);
}
