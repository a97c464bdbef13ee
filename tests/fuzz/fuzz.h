/* Shared by the libFuzzer harnesses: the entry point, the input as a C
 * string, and the contract every loader call must keep whatever the input:
 * success with no error, or a failure that says what was wrong. */
#ifndef COH_FUZZ_H
#define COH_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohesim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input with a terminating NUL (the loaders take C strings; an
 * embedded NUL simply ends the text early, as it would in a file name or
 * an argument). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* A refused input must come with at least one message that is not empty;
 * an accepted one with none.  Running out of memory is not an answer to a
 * small input. */
static inline void fuzz_check_result(int rc, const coh_diag *diag,
				     const char *input)
{
	int ok = rc == 0 ? diag->count == 0
		: (rc == COH_EINPUT || rc == COH_EIO || rc == COH_EUSAGE) &&
		  diag->count > 0 && diag->items[0].message[0];
	if (ok)
		return;
	fprintf(stderr, "broken contract: status %d with %zu messages for "
		"input:\n%s\n", rc, diag->count, input);
	abort();
}

#endif
