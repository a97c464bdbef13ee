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

/*--- Reading once, loading many times -------------------------------------*/

/* A scenario file and its includes, read, checked and parsed once, from
 * which any number of scenarios are built with their own overrides (the
 * points of a sweep) without reading a file again: an edit to the files
 * during a sweep changes nothing in it. */
typedef struct coh_scenario_source coh_scenario_source;

/* Reads the scenario at path and every file it includes (confined to
 * include_root; NULL: the parent of the scenario file's folder), checks
 * the includes and parses; nothing is validated yet.  On success *out owns
 * the source (free with coh_scenario_source_free).  On failure *out is
 * untouched, the problems are appended to diag and COH_EINPUT, COH_EIO or
 * COH_ENOMEM is returned. */
int coh_scenario_source_read(coh_scenario_source **out, const char *path,
			     const char *include_root, coh_diag *diag);

/* Builds a scenario from the source with "PATH=VALUE" overrides applied in
 * order, and validates it, exactly as coh_scenario_load would from the
 * files; reads no file.  The scenario does not refer to the source, which
 * may be freed first.  Errors as for coh_scenario_load. */
int coh_scenario_load_source(coh_scenario **out,
			     const coh_scenario_source *source,
			     const char *const *overrides, size_t n_overrides,
			     coh_diag *diag);

/* The path the source was read from; owned by the source. */
const char *coh_scenario_source_path(const coh_scenario_source *source);

/* Writes the source's settings, includes resolved and no override, as
 * libconfig text without a header: the same settings give the same bytes
 * whatever their comments and layout (a sweep hashes them).  The source
 * is not validated, so a number too large for a double (which an
 * override may replace) is written as inf or -inf, which libconfig
 * cannot read back: the text is for comparing. */
int coh_scenario_source_write(const coh_scenario_source *source, FILE *fp,
			      coh_error *err);

/* What the source holds at PATH (as --set names it; "PATH=VALUE" is
 * taken too): a real number, a whole number, another kind of value (a
 * string, a boolean, a group...), or nothing (a setting the file leaves
 * to its default, which --set may still create).  For commands that
 * vary a setting over a real range: a string setting would take the
 * number's text without complaint. */
enum { COH_SETTING_ABSENT = 0, COH_SETTING_NUMBER, COH_SETTING_INTEGER,
       COH_SETTING_OTHER };
int coh_scenario_source_setting(const coh_scenario_source *source,
				const char *path);

/* Frees everything; accepts NULL. */
void coh_scenario_source_free(coh_scenario_source *source);

/*--- A loaded scenario ------------------------------------------------------*/

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
