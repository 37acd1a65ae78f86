/*
 * fuzz_dmarc.c - the DMARC record parser (tag_value(), is_dmarc_record()
 * and valid_rua() in dmarc.c, which this file includes to reach them) on
 * any record text, for every tag the milter reads and with small and
 * large output buffers.
 */
#include "auth/dmarc.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tags[] = { "p", "sp", "aspf", "adkim", "v",
	    "pct", "rua" };
	char *record = fuzz_text(data, size), small[2], value[16];

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		if (tag_value(record, tags[i], value, sizeof(value), false) &&
		    strlen(value) >= sizeof(value))
			abort();
		tag_value(record, tags[i], small, sizeof(small), true);
	}
	(void)is_dmarc_record(record);
	(void)valid_rua(record);
	free(record);
	return 0;
}
