/*
 * fuzz_dmarc.c - the DMARC record parser (tag_value() in dmarc.c, which
 * this file includes to reach it) on any record text, for every tag the
 * milter reads and with small and large output buffers.
 */
#include "auth/dmarc.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tags[] = { "p", "sp", "aspf", "adkim", "v" };
	char *record = fuzz_text(data, size), small[2], value[16];

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		if (tag_value(record, tags[i], value, sizeof(value)) &&
		    strlen(value) >= sizeof(value))
			abort();
		tag_value(record, tags[i], small, sizeof(small));
	}
	free(record);
	return 0;
}
