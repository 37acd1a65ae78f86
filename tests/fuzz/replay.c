/*
 * replay.c - runs a fuzz harness (tests/fuzz/fuzz_*.c) over files, for
 * make check: the seed corpus and the inputs that once crashed it.
 *
 * usage: replay_NAME DIR|FILE...  Prints one "PASS:" line with the
 * number of inputs; a crash stops it under the sanitizers (and
 * tests/run-tests counts the non-zero exit as a failure).
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long len;
	size_t n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		if (fp != NULL)
			fclose(fp);
		printf("FAIL: cannot read %s\n", path);
		return -1;
	}
	buf = malloc((size_t)len + 1);
	if (buf == NULL)
		abort();
	n = fread(buf, 1, (size_t)len, fp);
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

/* Replays PATH, or every file in it when it is a directory. */
static int
replay_path(const char *path, int *count)
{
	struct stat st;
	struct dirent *e;
	DIR *dir;
	char file[4096];

	if (stat(path, &st) != 0)
		return 0;		/* no regression inputs yet */
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	if ((dir = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		if (replay_file(file) != 0) {
			closedir(dir);
			return -1;
		}
		(*count)++;
	}
	closedir(dir);
	return 0;
}

int
main(int argc, char **argv)
{
	int count = 0, failed = 0;

	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			failed = 1;
	if (count == 0) {
		printf("FAIL: %s: no inputs replayed\n", argv[0]);
		return 1;
	}
	printf("%s: %s replays %d inputs without a crash\n",
	    failed ? "FAIL" : "PASS", strrchr(argv[0], '/') ?
	    strrchr(argv[0], '/') + 1 : argv[0], count);
	return failed;
}
