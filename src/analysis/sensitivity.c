/* Global sensitivity analysis: factor ranges, the rows' names, and the
 * pieces the Sobol' (sobol.c) and Morris (morris.c) estimators share. */
#include "analysis/sens_internal.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

/* Names the streams of this module apart from the engine's (which name
 * theirs by a hash of what they belong to). */
#define SENS_UNIT 0x73656e7369746976ULL   /* "sensitiv" */

void sens_rng(gsl_rng *r, coh_rng_state *state, uint64_t seed,
	      uint64_t purpose)
{
	coh_rng_keyed(state, seed, 0, 0, SENS_UNIT, purpose);
	coh_rng_bind(r, state);
}

int coh_sens_factor_check(const coh_sens_factor *f, size_t index,
			  coh_error *err)
{
	if (f->scale != COH_SENS_UNIFORM && f->scale != COH_SENS_LOG)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "factor %zu: unknown scale %d",
				     index + 1, (int)f->scale);
	if (!isfinite(f->lo) || !isfinite(f->hi))
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "factor %zu: range %g:%g is not finite",
				     index + 1, f->lo, f->hi);
	if (!(f->lo < f->hi))
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "factor %zu: range %g:%g is empty or "
				     "reversed; expected LO < HI",
				     index + 1, f->lo, f->hi);
	if (f->scale == COH_SENS_LOG && !(f->lo > 0))
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "factor %zu: a log-uniform range must "
				     "lie above 0, got %g:%g",
				     index + 1, f->lo, f->hi);
	return 0;
}

double coh_sens_factor_value(const coh_sens_factor *f, double u)
{
	/* u = 1 gives hi exactly (a Morris grid reaches it), not within a
	 * rounding of it. */
	if (u >= 1.0)
		return f->hi;
	if (f->scale == COH_SENS_LOG)
		return f->lo * exp(u * log(f->hi / f->lo));
	return f->lo + (f->hi - f->lo) * u;
}

const char *coh_sens_matrix_name(coh_sens_matrix matrix)
{
	switch (matrix) {
	case COH_SENS_A: return "A";
	case COH_SENS_B: return "B";
	case COH_SENS_AB: return "AB";
	case COH_SENS_AB_NOISE: return "AB_noise";
	case COH_SENS_MORRIS: return "morris";
	}
	return "?";
}

int sens_factors_check(const coh_sens_factor *factors, size_t k,
		       const char *what, coh_error *err)
{
	if (k == 0)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "%s needs at least one factor", what);
	for (size_t i = 0; i < k; i++) {
		int rc = coh_sens_factor_check(&factors[i], i, err);
		if (rc)
			return rc;
	}
	return 0;
}

int sens_values_check(const double *f, size_t n_f, size_t rows,
		      coh_error *err)
{
	if (n_f != rows)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "expected one value for each of the "
				     "design's %zu rows, got %zu", rows, n_f);
	for (size_t r = 0; r < n_f; r++)
		if (!isfinite(f[r]))
			return coh_error_set(err, COH_ENUMERIC, NULL, 0,
					     "the value of row %zu is %g; "
					     "expected a finite number",
					     r, f[r]);
	return 0;
}

void sens_interval(coh_sens_estimate *out, double estimate, double *draws,
		   size_t n)
{
	size_t m = 0;
	for (size_t b = 0; b < n; b++)
		if (isfinite(draws[b]))
			draws[m++] = draws[b];
	out->estimate = estimate;
	if (m == 0) {
		out->ci_lo = out->ci_hi = NAN;
		return;
	}
	gsl_sort(draws, 1, m);
	double tail = (1.0 - COH_SENS_LEVEL) / 2.0;
	out->ci_lo = gsl_stats_quantile_from_sorted_data(draws, 1, m, tail);
	out->ci_hi = gsl_stats_quantile_from_sorted_data(draws, 1, m,
							  1.0 - tail);
}
