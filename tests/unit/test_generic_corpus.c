/*
 * test_generic_corpus.c - precision and recall of generic_name() on the
 * corpus of providers' PTR formats (tests/fixtures/generic/corpus.txt: precision
 * >= 0.98 and recall >= 0.95 asserted) and on the held-out set
 * (tests/fixtures/generic/heldout.txt, never used for tuning: figures printed;
 * a lower bar, precision >= 0.90 and recall >= 0.85, fixed before it
 * was first measured, so that a change that breaks names outside the
 * tuning set still fails).
 *
 * Each line: NAME ADDRESS CLASS SOURCE...; CLASS is generic or static.
 * "generic" is the positive class. Every name judged wrongly is printed
 * (as "miss:" or "false alarm:") so a change to the rules shows what it
 * costs. Run from run-tests (SRCDIR is set) or with the directory as
 * the first argument.
 */
#include "config.h"

#include <stdlib.h>

#include "health/generic.h"
#include "unit.h"
#include "conf/conf_address.h"

struct score {
	unsigned tp, fp, fn, tn, bad_lines;
};

static void
judge_line(char *line, const char *file, unsigned lineno, struct score *sc)
{
	char name[300], ip[64], class[16], why[200];
	struct ip_address a;
	bool want, got;

	if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
		return;
	if (sscanf(line, "%299s %63s %15s", name, ip, class) != 3 ||
	    conf_parse_address(ip, &a) != 0 || (strcmp(class, "generic") != 0
	    && strcmp(class, "static") != 0)) {
		printf("FAIL: %s:%u is a valid corpus line\n", file, lineno);
		sc->bad_lines++;
		return;
	}
	want = strcmp(class, "generic") == 0;
	got = generic_name(name, &a, why, sizeof(why));
	if (got && want)
		sc->tp++;
	else if (got)
		sc->fp++;
	else if (want)
		sc->fn++;
	else
		sc->tn++;
	if (got != want)
		printf("  %s: %s %s (%s)\n", want ? "miss" : "false alarm",
		    name, ip, why);
}

static int
measure(const char *dir, const char *file, struct score *sc)
{
	char path[4096], line[1024];
	unsigned lineno = 0;
	FILE *fp;

	memset(sc, 0, sizeof(*sc));
	snprintf(path, sizeof(path), "%s/tests/fixtures/generic/%s", dir, file);
	if ((fp = fopen(path, "r")) == NULL) {
		printf("FAIL: %s can be read\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL)
		judge_line(line, file, ++lineno, sc);
	fclose(fp);
	return 0;
}

static void
report(const char *file, const struct score *sc, unsigned min_names,
    double min_precision, double min_recall)
{
	unsigned total = sc->tp + sc->fp + sc->fn + sc->tn;
	double precision = sc->tp + sc->fp ? (double)sc->tp /
	    (sc->tp + sc->fp) : 0, recall = sc->tp + sc->fn ?
	    (double)sc->tp / (sc->tp + sc->fn) : 0;
	char label[200];

	printf("%s: %u names (%u generic, %u static): %u right, precision "
	    "%.3f, recall %.3f\n", file, total, sc->tp + sc->fn,
	    sc->fp + sc->tn, sc->tp + sc->tn, precision, recall);
	snprintf(label, sizeof(label), "%s: every line valid", file);
	CHECK(sc->bad_lines == 0, label);
	snprintf(label, sizeof(label), "%s: at least %u names", file,
	    min_names);
	CHECK(total >= min_names, label);
	snprintf(label, sizeof(label), "%s: precision %.3f >= %.2f", file,
	    precision, min_precision);
	CHECK(precision >= min_precision, label);
	snprintf(label, sizeof(label), "%s: recall %.3f >= %.2f", file,
	    recall, min_recall);
	CHECK(recall >= min_recall, label);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("SRCDIR");
	struct score sc;

	if (dir == NULL)
		dir = ".";
	if (measure(dir, "corpus.txt", &sc) == 0)
		report("corpus.txt", &sc, 300, 0.98, 0.95);
	else
		unit_failed++;
	if (measure(dir, "heldout.txt", &sc) == 0)
		report("heldout.txt", &sc, 80, 0.90, 0.85);
	else
		unit_failed++;
	return unit_exit();
}
