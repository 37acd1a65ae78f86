/*
 * fuzz.h - what every libFuzzer harness under tests/fuzz/ shares.
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput(); "make fuzz" links
 * it with libFuzzer (clang -fsanitize=fuzzer), and make check links it
 * with replay.c, which feeds it the seed corpus (corpus/NAME/) and every
 * input that once crashed (regress/NAME/). fuzz_text() gives the input
 * as a NUL-terminated string the caller frees.
 */
#ifndef EM_FUZZ_H
#define EM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* DATA as a C string (cut at the first NUL); free() it. */
static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
