/*
 * fuzz_conf.c - the configuration parser (conf.c, conf_keys.c,
 * conf_value.c) on any file contents. Inputs naming EgressFrom or
 * EgressMap are skipped: those read other files (the Postfix
 * configuration, a map), which is not the parser under test.
 */
#include "config.h"

#include <stdio.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf/conf.h"
#include "fuzz.h"
#include "conf/conf_address.h"
#include "conf/conf_load.h"
#include "conf/conf_parse.h"
#include "util/log.h"

static int
names_other_files(const char *text)
{
	for (const char *p = text; *p; p++)
		if (strncasecmp(p, "egressfrom", 10) == 0 ||
		    strncasecmp(p, "egressmap", 9) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct conf_errors errors = { NULL, 0, 0 };
	struct conf *conf;
	char path[64], *text = fuzz_text(data, size);
	int fd;

	if (!quiet++)
		log_open(false, LOG_MAIL, false, LOG_ERR);
	if (names_other_files(text) || (fd = memfd_create("conf", 0)) < 0) {
		free(text);
		return 0;
	}
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		conf = conf_load(path, &errors);
		if (conf != NULL)
			conf_free(conf);
		conf_errors_free(&errors);
	}
	close(fd);
	free(text);
	return 0;
}
