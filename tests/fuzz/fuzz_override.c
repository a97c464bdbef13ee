/* libFuzzer harness for `--set PATH=VALUE`: the input's lines are
 * overrides, applied in order to a small scenario that uses every part of
 * the format, then validated.  The same contract as a file: a clean load
 * or a message. */
#include "fuzz.h"

#define MAX_OVERRIDES 16

static const char base[] =
	"version = 1;\n"
	"scenario: { name = \"fuzz\"; start = \"2021-07-01\"; "
	"end = \"2023-06-30\"; seed = 7; replications = 10; };\n"
	"model: { half_life = 365.0; sensitivity = 0.5; susceptibility = 0.5;\n"
	"  consultation_period = 182.5; freeze = 0.35; exit = 0.10;\n"
	"  dwell = 30.0; recover = 0.05;\n"
	"  weights: { summit_absence = -0.5; };\n"
	"  spillover: { exit = 0.5; };\n"
	"  response: { base = -1.96; commitment = 2.0; tie = 1.0; "
	"affinity = 2.0; scope_factor = 0.2; };\n"
	"  rebuke: { probability = 1.0; delay = 0.0; magnitude = 1.0; }; };\n"
	"alliance: { name = \"CSTO\"; leader = \"RUS\"; };\n"
	"members = (\n"
	"  { id = \"RUS\"; name = \"Russia\"; power = 0.86; commitment = 0.95; "
	"susceptibility = 0.1; },\n"
	"  { id = \"KAZ\"; power = 0.07; commitment = 0.75; },\n"
	"  { id = \"ARM\"; power = 0.01; commitment = 0.70; "
	"adaptation_half_life = 365.0; } );\n"
	"outsiders = ( { id = \"AZE\"; }, { id = \"USA\"; } );\n"
	"ties = ( { from = \"ARM\"; to = \"RUS\"; weight = 0.3; },\n"
	"  { from = \"KAZ\"; to = \"RUS\"; weight = 0.4; } );\n"
	"affinities = ( { member = \"KAZ\"; outsider = \"AZE\"; "
	"value = 0.5; } );\n"
	"events = (\n"
	"  { date = \"2022-01-05\"; type = \"assistance_request\"; "
	"by = \"KAZ\"; against = \"AZE\"; deadline = 10.0; severity = 1.0; "
	"label = \"call\"; source = \"fuzz\"; },\n"
	"  { date = \"2022-01-06\"; type = \"assistance_response\"; "
	"by = \"RUS\"; to = \"KAZ\"; level = 1.0; },\n"
	"  { date = \"2022-09-01\"; type = \"third_party_exercise\"; "
	"by = \"ARM\"; with = \"USA\"; } );\n"
	"generators = (\n"
	"  { type = \"summit_absence\"; by = \"ARM\"; rate = 2.0; "
	"feedback = 2.0; magnitude = 0.5; start = \"2022-11-24\"; "
	"end = \"2023-06-30\"; } );\n"
	"output: { sample_every = 7.0; };\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	const char *sets[MAX_OVERRIDES];
	size_t n = 0;
	for (char *line = text; line && n < MAX_OVERRIDES;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		sets[n++] = line;
		line = next;
	}
	coh_load_options opts = { .include_root = ".", .overrides = sets,
				  .n_overrides = n };
	coh_diag diag = COH_DIAG_INIT;
	coh_scenario *sc = NULL;
	int rc = coh_scenario_load_string(&sc, base, "fuzz.cfg", &opts, &diag);
	fuzz_check_result(rc, &diag, text);
	coh_scenario_free(sc);
	coh_diag_clear(&diag);
	free(text);
	return 0;
}
