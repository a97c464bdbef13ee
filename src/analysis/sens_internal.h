/* What the sensitivity estimators share (src/analysis/sensitivity.c):
 * their seed-keyed random streams, percentile intervals and input checks.
 * Private to src/analysis. */
#ifndef COH_ANALYSIS_SENS_INTERNAL_H
#define COH_ANALYSIS_SENS_INTERNAL_H

#include <gsl/gsl_rng.h>
#include "cohesim/sensitivity.h"
#include "engine/rng.h"

/* What a stream is for: each draws from its own stream of the seed, so
 * the design does not change when the bootstrap draws more, or less. */
enum {
	SENS_SALTELLI_SHIFT = 1,
	SENS_SOBOL_BOOTSTRAP,
	SENS_MORRIS_DESIGN,
	SENS_MORRIS_BOOTSTRAP
};

/* Makes r (bound to state, both the caller's) the stream of `seed` kept
 * for `purpose`. */
void sens_rng(gsl_rng *r, coh_rng_state *state, uint64_t seed,
	      uint64_t purpose);

/* Checks that there is a factor, and every factor's range. */
int sens_factors_check(const coh_sens_factor *factors, size_t k,
		       const char *what, coh_error *err);

/* COH_EUSAGE unless n_f == rows; COH_ENUMERIC naming the first row whose
 * value is not finite. */
int sens_values_check(const double *f, size_t n_f, size_t rows,
		      coh_error *err);

/* Sets out to the estimate and the percentile interval at COH_SENS_LEVEL
 * of the n draws (reordered).  Non-finite draws (a resample where the
 * statistic is undefined) are left out; with none left the interval is
 * NaN. */
void sens_interval(coh_sens_estimate *out, double estimate, double *draws,
		   size_t n);

#endif
