/* libFuzzer harness: scenario text in, through libconfig, the include
 * checks and validation.  A scenario that loads must also survive the
 * resolved writer, and the text the writer prints must load again and
 * print the same text (the resolved file is a fixed point). */
#include "fuzz.h"

static char *resolved_text(const coh_scenario *sc)
{
	char *text = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&text, &size);
	if (!fp)
		abort();
	coh_error err = {0};
	int rc = coh_scenario_write_resolved(sc, fp, &err);
	if (fclose(fp) != 0 || rc != 0) {
		fprintf(stderr, "writing the resolved scenario failed: %s\n",
			err.message);
		abort();
	}
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	/* Includes resolve against the current folder (the top of the tree
	 * when `make fuzz` runs) and may not leave it. */
	coh_load_options opts = { .include_root = "." };
	coh_diag diag = COH_DIAG_INIT;
	coh_scenario *sc = NULL;
	int rc = coh_scenario_load_string(&sc, text, "fuzz.cfg", &opts, &diag);
	fuzz_check_result(rc, &diag, text);
	if (rc == 0) {
		char *first = resolved_text(sc);
		coh_scenario *again = NULL;
		coh_diag d2 = COH_DIAG_INIT;
		if (coh_scenario_load_string(&again, first, "fuzz.cfg",
					     &opts, &d2) != 0) {
			fprintf(stderr, "the resolved scenario does not load "
				"(%s):\n%s\n", d2.count ? d2.items[0].message
				: "no message", first);
			abort();
		}
		char *second = resolved_text(again);
		if (strcmp(first, second) != 0) {
			fprintf(stderr, "the resolved text is not a fixed "
				"point:\n%s\n--- then:\n%s\n", first, second);
			abort();
		}
		free(first);
		free(second);
		coh_scenario_free(again);
		coh_scenario_free(sc);
	}
	coh_diag_clear(&diag);
	free(text);
	return 0;
}
