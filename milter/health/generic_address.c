/*
 * generic_address.c - is the address, or part of it, written in a PTR
 * name? The "address" and "partial" rows of generic_rules.c.
 *
 * generic_address_written(), generic_address_partial().
 *
 * Digits are read as maximal runs; runs are "joined" when exactly one
 * '.', '-' or '_' stands between them. An IPv4 octet is a run of at most
 * 3 digits, or up to 5 with leading zeros (00045). IPv4, whole address:
 * four joined runs in order or reversed; four consecutive runs in any
 * other order, whatever stands between them (7.sub-203-0-113, Verizon
 * Wireless; 113-7-dynamic.0-203, Telecom Italia); twelve digits; eight
 * hex digits (either byte order); four joined hex bytes when the hex has
 * a letter. IPv6: the 32 nibbles in order or reversed (separators
 * ignored), the eight groups joined, or the compressed text with '-'
 * for ':'. Partial (IPv4): three joined octets in order or reversed,
 * not part of a longer chain (first three or last three); in a name of
 * two or more host labels, two joined octets (the first two in order,
 * the last two either way), not part of a longer chain.
 * HOW gets the form: "dashed, zero-padded, reversed", "in hex", ...
 * Must not: do DNS, I/O or allocate.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "health/generic_address.h"
#include "health/generic_rules.h"

static size_t
find_runs(const char *name, int base, struct generic_run *run, size_t max)
{
	size_t n = 0, i = 0;

	while (name[i] != '\0' && n < max) {
		unsigned long value = 0;
		size_t len = 0;
		int d;

		while ((d = generic_digit_value(name[i + len], base)) >= 0) {
			if (len < 8)
				value = value * (unsigned)base + (unsigned)d;
			len++;
		}
		if (len == 0) {
			i++;
			continue;
		}
		run[n++] = (struct generic_run){ i, len, value };
		i += len;
	}
	return n;
}

/* RUN and the run after it have exactly one separator between them. */
static bool
runs_joined(const char *name, const struct generic_run *run)
{
	size_t end = run[0].start + run[0].len;

	return run[1].start == end + 1 && generic_is_separator(name[end]);
}

/* RUN is a whole token: separators (or the ends) on both sides. */
static bool
run_is_token(const char *name, const struct generic_run *run)
{
	return (run->start == 0 || generic_is_separator(name[run->start - 1]))
	    && (name[run->start + run->len] == '\0' ||
	    generic_is_separator(name[run->start + run->len]));
}

/* RUN[AT..AT+N-1] is not joined to a whole-token run on either side. */
static bool
chain_alone(const char *name, const struct generic_run *run, size_t nrun,
    size_t at, size_t n)
{
	if (at > 0 && runs_joined(name, run + at - 1) &&
	    run_is_token(name, run + at - 1))
		return false;
	return !(at + n < nrun && runs_joined(name, run + at + n - 1) &&
	    run_is_token(name, run + at + n));
}

/* An octet-sized run: up to MAXLEN digits, or up to 5 zero-padded. */
static bool
part_sized(const struct generic_run *run, size_t maxlen, int base)
{
	return run->len <= maxlen || (base == 10 && run->len <= 5 &&
	    run->value <= 255);
}

/*
 * Finds WANT[0..N-1] as N joined runs: 1 in order, -1 reversed, 0 not
 * found. ALONE: see chain_alone(). *AT gets the first run.
 */
static int
find_parts(const char *name, const struct generic_run *run, size_t nrun,
    const unsigned long *want, size_t n, size_t maxlen, int base,
    bool alone, size_t *at)
{
	for (size_t i = 0; i + n <= nrun; i++) {
		bool fwd = true, rev = true;

		for (size_t k = 0; k < n && (fwd || rev); k++) {
			if (!part_sized(run + i + k, maxlen, base) ||
			    (k + 1 < n && !runs_joined(name, run + i + k)))
				fwd = rev = false;
			fwd = fwd && run[i + k].value == want[k];
			rev = rev && run[i + k].value == want[n - 1 - k];
		}
		if ((fwd || rev) &&
		    (!alone || chain_alone(name, run, nrun, i, n))) {
			*at = i;
			return fwd ? 1 : -1;
		}
	}
	return 0;
}

/* "dashed", "dotted, zero-padded", "mixed separators, reversed". */
static void
describe_runs(const char *name, const struct generic_run *run, size_t n,
    int base, int order, char *out, size_t size)
{
	char sep = name[run[0].start + run[0].len];
	bool same = true, padded = false;

	for (size_t k = 0; k < n; k++) {
		if (k + 1 < n && name[run[k].start + run[k].len] != sep)
			same = false;
		if (base == 10 && run[k].len > 1 && name[run[k].start] == '0')
			padded = true;
	}
	snprintf(out, size, "%s%s%s%s", !same ? "mixed separators" :
	    sep == '.' ? "dotted" : sep == '-' ? "dashed" : "underscored",
	    padded ? ", zero-padded" : "", order < 0 ? ", reversed" : "",
	    base == 16 && n == 4 ? ", hex bytes" : "");
}

/* N parts of the address from FIRST as joined runs in BASE. */
static bool
address_chain(const struct generic_subject *s, int base, size_t first,
    size_t n, char *how, size_t size)
{
	struct generic_run run[GENERIC_MAX_RUNS];
	size_t nrun = find_runs(s->name, base, run, GENERIC_MAX_RUNS), at;
	size_t maxlen = base == 10 ? 3 : s->nparts == 4 ? 2 : 4;
	int order;

	if (first + n > s->nparts)
		return false;
	order = find_parts(s->name, run, nrun, s->part + first, n, maxlen,
	    base, n < s->nparts, &at);
	if (order == 0)
		return false;
	describe_runs(s->name, run + at, n, base, order, how, size);
	return true;
}

/* Four consecutive decimal runs holding the four octets in any order. */
static bool
v4_scrambled(const struct generic_subject *s, char *how, size_t size)
{
	struct generic_run run[GENERIC_MAX_RUNS];
	size_t nrun = find_runs(s->name, 10, run, GENERIC_MAX_RUNS);

	for (size_t i = 0; i + 4 <= nrun; i++) {
		bool used[4] = { false, false, false, false }, all = true;

		for (size_t k = 0; k < 4 && all; k++) {
			bool found = false;

			for (size_t j = 0; j < 4 && !found; j++)
				if (!used[j] && part_sized(run + i + k, 3, 10)
				    && run[i + k].value == s->part[j])
					used[j] = found = true;
			all = found;
		}
		if (all) {
			snprintf(how, size, "octets in another order");
			return true;
		}
	}
	return false;
}

/* One whole run in BASE that spells FWD or REV. */
static bool
address_run(const struct generic_subject *s, int base, const char *fwd,
    const char *rev, const char *what, char *how, size_t size)
{
	struct generic_run run[GENERIC_MAX_RUNS];
	size_t len = strlen(fwd), nrun;

	nrun = find_runs(s->name, base, run, GENERIC_MAX_RUNS);
	for (size_t i = 0; i < nrun; i++) {
		const char *p = s->name + run[i].start;
		bool in_order = strncmp(p, fwd, len) == 0;

		if (run[i].len != len || (!in_order && strncmp(p, rev, len)))
			continue;
		snprintf(how, size, "%s%s", what, in_order ? "" : ", reversed");
		return true;
	}
	return false;
}

static bool
v4_packed(const struct generic_subject *s, bool hex, char *how, size_t size)
{
	char fwd[16], rev[16];

	for (size_t k = 0; k < 4; k++) {
		unsigned long f = s->part[k], r = s->part[3 - k];

		if (hex) {
			snprintf(fwd + 2 * k, 3, "%02lx", f);
			snprintf(rev + 2 * k, 3, "%02lx", r);
		} else {
			snprintf(fwd + 3 * k, 4, "%03lu", f);
			snprintf(rev + 3 * k, 4, "%03lu", r);
		}
	}
	return address_run(s, hex ? 16 : 10, fwd, rev,
	    hex ? "in hex" : "as twelve digits", how, size);
}

static bool
v4_written(const struct generic_subject *s, char *how, size_t size)
{
	bool letter = false;

	for (size_t k = 0; k < 4; k++)
		letter = letter || s->part[k] % 16 > 9 || s->part[k] / 16 > 9;
	return address_chain(s, 10, 0, 4, how, size) ||
	    v4_packed(s, false, how, size) || v4_packed(s, true, how, size) ||
	    (letter && address_chain(s, 16, 0, 4, how, size)) ||
	    v4_scrambled(s, how, size);
}

static bool
v6_nibbles(const struct generic_subject *s, char *how, size_t size)
{
	char squashed[GENERIC_NAME_LIMIT + 1], fwd[33], rev[33];
	size_t n = 0;

	for (const char *p = s->name; *p != '\0'; p++)
		if (!generic_is_separator(*p))
			squashed[n++] = *p;
	squashed[n] = '\0';
	for (size_t k = 0; k < 8; k++)
		snprintf(fwd + 4 * k, 5, "%04lx", s->part[k]);
	for (size_t k = 0; k < 32; k++)
		rev[k] = fwd[31 - k];
	rev[32] = '\0';
	if (strstr(squashed, fwd) == NULL && strstr(squashed, rev) == NULL)
		return false;
	snprintf(how, size, "%s", strstr(squashed, fwd) ? "32 hex digits" :
	    "reversed nibbles");
	return true;
}

static bool
v6_compressed(const struct generic_subject *s, char *how, size_t size)
{
	char text[64];
	size_t len;

	snprintf(text, sizeof(text), "%s", s->address->text);
	for (char *p = text; *p != '\0'; p++)
		if (*p == ':')
			*p = '-';
	len = strlen(text);
	for (const char *p = s->name; (p = strstr(p, text)) != NULL; p++)
		if ((p == s->name || generic_digit_value(p[-1], 16) < 0) &&
		    generic_digit_value(p[len], 16) < 0) {
			snprintf(how, size, "compressed, '-' for ':'");
			return true;
		}
	return false;
}

bool
generic_address_written(const struct generic_subject *s, char *how,
    size_t size)
{
	if (s->nparts == 4)
		return v4_written(s, how, size);
	if (s->nparts == 8)
		return v6_nibbles(s, how, size) ||
		    address_chain(s, 16, 0, 8, how, size) ||
		    v6_compressed(s, how, size);
	return false;
}

bool
generic_address_partial(const struct generic_subject *s, char *how,
    size_t size)
{
	char form[64];
	bool found = false;

	if (s->nparts != 4)
		return false;
	if (address_chain(s, 10, 0, 3, form, sizeof(form)) ||
	    address_chain(s, 10, 1, 3, form, sizeof(form)))
		found = true;
	else if (s->nhost_labels >= 2) {
		struct generic_run run[GENERIC_MAX_RUNS];
		size_t nrun = find_runs(s->name, 10, run, GENERIC_MAX_RUNS), at;
		int order = find_parts(s->name, run, nrun, s->part, 2, 3, 10,
		    true, &at);

		if (order != 1)
			order = find_parts(s->name, run, nrun, s->part + 2, 2,
			    3, 10, true, &at);
		if (order != 0)
			describe_runs(s->name, run + at, 2, 10, order, form,
			    sizeof(form));
		found = order != 0;
	}
	if (found)
		snprintf(how, size, "%s", form);
	return found;
}
