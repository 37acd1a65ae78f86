/*
 * fuzz_codes.c - codes= of Dnsbl/DomainBl (value_codes() in
 * conf_value.c) on any bytes.
 */
#include "config.h"

#include <string.h>

#include "conf/conf.h"
#include "conf/conf_value.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_dnsbl zone;
	char msg[256], *text = fuzz_text(data, size);

	memset(&zone, 0, sizeof(zone));
	value_codes(text, &zone, msg, sizeof(msg));
	if (zone.ncodes > CONF_MAX_CODES)
		abort();
	free(text);
	return 0;
}
