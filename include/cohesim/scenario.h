/* Scenario files: libconfig text in, a validated coh_model out.
 * Includes are checked (confined to the scenario root, no cycles) before
 * libconfig sees them; --set overrides are applied to the parsed tree before
 * validation, so they get the same checks and messages as the file. */
#ifndef COHESIM_SCENARIO_H
#define COHESIM_SCENARIO_H

#include <stdio.h>
#include "error.h"
#include "model.h"

typedef struct coh_scenario coh_scenario;

typedef struct coh_load_options {
	/* Folder that @include may not leave; NULL: the parent of the
	 * scenario file's folder. */
	const char *include_root;
	/* "PATH=VALUE" overrides, applied in order. */
	const char *const *overrides;
	size_t n_overrides;
} coh_load_options;

/* Loads, overrides and validates the scenario at path.  On success *out owns
 * the scenario (free with coh_scenario_free) and 0 is returned.  On failure
 * *out is untouched, every problem found is appended to diag (first one
 * first) and COH_EINPUT (bad file or override), COH_EIO or COH_ENOMEM is
 * returned.  opts may be NULL. */
int coh_scenario_load(coh_scenario **out, const char *path,
		      const coh_load_options *opts, coh_diag *diag);

/* The same for scenario text held in memory; `name` stands for the file name
 * in messages, and includes resolve against the current folder. */
int coh_scenario_load_string(coh_scenario **out, const char *text,
			     const char *name, const coh_load_options *opts,
			     coh_diag *diag);

/* The validated model; owned by the scenario, valid until it is freed. */
const coh_model *coh_scenario_model(const coh_scenario *scenario);

/* The path the scenario was loaded from (or the name given for a string). */
const char *coh_scenario_path(const coh_scenario *scenario);

/* Writes the scenario after includes and overrides as one libconfig file,
 * which loads to the same model (runnable as is). */
int coh_scenario_write_resolved(const coh_scenario *scenario, FILE *fp,
				coh_error *err);

/* Frees everything; accepts NULL. */
void coh_scenario_free(coh_scenario *scenario);

#endif
