/* libFuzzer harness for `cohesim import`: the first byte picks the format
 * (icews, gdelt, csv), the window (1 to 64 days) and --strict; the rest is
 * the event data, imported into the example alliance of
 * scenarios/examples/import/.  Whatever the bytes: the import succeeds or
 * says what was wrong, and a fragment it writes loads inside the
 * scenario without an error (run from the top of the tree). */
#define _GNU_SOURCE     /* fmemopen, open_memstream */
#include "fuzz.h"
#include "cohesim/import.h"

#define SCENARIO "scenarios/examples/import/alliance.cfg"

static coh_scenario *scenario;
static char *before, *after;    /* the scenario's text around its events */

static void setup(void)
{
	coh_diag diag = COH_DIAG_INIT;
	if (coh_scenario_load(&scenario, SCENARIO, NULL, &diag) != 0)
		abort();
	coh_diag_clear(&diag);
	FILE *fp = fopen(SCENARIO, "rb");
	if (!fp)
		abort();
	static char text[16384];
	size_t n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[n] = '\0';
	/* the fragment replaces the hand-written timeline */
	char *inc = strstr(text, "@include \"timeline.events\"");
	if (!inc)
		abort();
	*inc = '\0';
	before = text;
	after = inc + strlen("@include \"timeline.events\"");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!scenario)
		setup();
	if (size < 1)
		return 0;
	coh_import_options o;
	coh_import_options_init(&o);
	o.format = (coh_import_format)(data[0] % 3);
	o.window = 1 + (data[0] >> 2) % 64;
	o.strict = (data[0] & 0x80) != 0;
	o.against = "AZE";
	o.input_name = "fuzz";
	coh_import *im = NULL;
	coh_error err = {0};
	if (coh_import_open(&im, coh_scenario_model(scenario), &o, &err) != 0)
		abort();
	/* fmemopen refuses a size of 0 */
	FILE *in = size > 1 ? fmemopen((void *)(uintptr_t)(data + 1), size - 1,
				       "rb")
			    : fopen("/dev/null", "rb");
	if (!in)
		abort();
	int rc = coh_import_read(im, in, &err);
	fclose(in);
	if (rc != 0) {
		if (rc != COH_EINPUT || !err.message[0]) {
			fprintf(stderr, "status %d, message \"%s\"\n", rc,
				err.message);
			abort();
		}
		coh_import_free(im);
		return 0;
	}
	char *frag = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&frag, &len);
	if (!out || coh_import_write(im, out, "fuzz", &err) != 0)
		abort();
	fclose(out);
	coh_import_free(im);

	size_t total = strlen(before) + len + strlen(after) + 1;
	char *text = malloc(total);
	if (!text)
		abort();
	snprintf(text, total, "%s%s%s", before, frag, after);
	coh_scenario *sc = NULL;
	coh_diag diag = COH_DIAG_INIT;
	if (coh_scenario_load_string(&sc, text, "fuzz.cfg", NULL, &diag)
	    != 0) {
		for (size_t i = 0; i < diag.count; i++)
			fprintf(stderr, "%s:%d: %s\n", diag.items[i].file,
				diag.items[i].line, diag.items[i].message);
		fprintf(stderr, "the fragment does not load:\n%s\n", frag);
		abort();
	}
	coh_scenario_free(sc);
	coh_diag_clear(&diag);
	free(text);
	free(frag);
	return 0;
}
