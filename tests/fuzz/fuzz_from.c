/*
 * fuzz_from.c - the From field parser (from.c) on any bytes.
 */
#include "config.h"

#include "auth/from.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct from_scan scan;
	struct from_result r;
	char *text = fuzz_text(data, size);

	from_parse(text, &r, &scan);
	free(text);
	return 0;
}
