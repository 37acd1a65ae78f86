/*
 * fuzz_map.c - the socketmap request parser (socketmap_read_request() and
 * socketmap_answer() in mta/socketmap.c, which this file includes to reach them): any
 * bytes as what a client sends on one connection, read through a pipe
 * request by request until the stream ends or is refused, each request
 * answered for a configuration with two egresses (before any health
 * round, so no "route" answer asks DNS).
 */
#include "mta/socketmap.c"

#include <fcntl.h>
#include <sys/mman.h>

#include "conf/conf.h"
#include "fuzz.h"
#include "conf/conf_address.h"
#include "conf/conf_load.h"
#include "conf/conf_parse.h"
#include "mta/socketmap.h"
#include "util/log.h"

static const char config[] =
    "Egress a 203.0.113.210 helo=mail-a.route.test transport=smtp-a\n"
    "Egress b 203.0.113.211 helo=mail-b.route.test transport=smtp-b\n";

static struct conf *
fuzz_conf(void)
{
	static struct conf *conf;
	struct conf_errors errors = { NULL, 0, 0 };
	char path[64];
	int fd;

	if (conf != NULL)
		return conf;
	log_open(false, LOG_MAIL, false, LOG_ERR);
	if ((fd = memfd_create("conf", 0)) < 0 ||
	    write(fd, config, sizeof(config) - 1) != sizeof(config) - 1)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((conf = conf_load(path, &errors)) == NULL)
		abort();
	conf_errors_free(&errors);
	close(fd);
	return conf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct conf *conf = fuzz_conf();
	char request[SOCKETMAP_MAX_REQUEST + 1], reply[SOCKETMAP_MAX_REPLY];
	int fds[2];
	long len;

	if (size > 65536 || pipe(fds) != 0)
		return 0;
	if (write(fds[1], data, size) != (ssize_t)size)
		abort();
	close(fds[1]);
	for (int served = 0; served < SOCKETMAP_MAX_REQUESTS; served++) {
		if ((len = socketmap_read_request(fds[0], request, served)) < 0)
			break;
		if ((size_t)len != strlen(request))
			abort();
		socketmap_answer(conf, request, reply, sizeof(reply));
		if (strlen(reply) >= sizeof(reply))
			abort();
	}
	close(fds[0]);
	return 0;
}
