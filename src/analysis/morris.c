/* Morris's elementary effects (Morris 1991): trajectories on a P-level
 * grid of the unit cube that move one factor at a time, and mu*, mu and
 * sigma of each factor's effects (mu* after Campolongo et al. 2007), with
 * percentile bootstrap intervals over trajectories. */
#include "analysis/sens_internal.h"
#include "core/alloc.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

struct coh_morris {
	size_t k, r;
	unsigned levels;
	coh_sens_factor *factors;
	/* Trajectory t's base level of factor i (0..P-1) at base[t k + i],
	 * its direction (+1 or -1) at dir[t k + i], and the factor moved at
	 * its step s + 1 at order[t k + s]. */
	unsigned *base;
	int *dir;
	size_t *order;
};

/* A base level from 0 to P - 1, each as likely: the lower half moves up
 * by P / 2 levels (the jump Delta), the upper half down, so every point
 * stays on the grid.  This gives the same base points as Morris's
 * construction (start where the jump fits, direction at random) with
 * every grid level equally likely to be visited. */
static void draw_trajectory(coh_morris *d, size_t t, gsl_rng *r)
{
	size_t k = d->k;
	unsigned half = d->levels / 2;
	for (size_t i = 0; i < k; i++) {
		unsigned l = (unsigned)gsl_rng_uniform_int(r, d->levels);
		d->base[t * k + i] = l;
		d->dir[t * k + i] = l < half ? 1 : -1;
		d->order[t * k + i] = i;
	}
	gsl_ran_shuffle(r, &d->order[t * k], k, sizeof *d->order);
}

int coh_morris_build(coh_morris **out, const coh_sens_factor *factors,
		     size_t k, size_t trajectories, unsigned levels,
		     uint64_t seed, coh_error *err)
{
	int rc = sens_factors_check(factors, k, "the Morris design", err);
	if (rc)
		return rc;
	if (trajectories == 0)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "the Morris design needs at least one "
				     "trajectory");
	if (levels < 2 || levels % 2 != 0 || levels > 1000)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "the Morris design needs an even number "
				     "of levels from 2 to 1000 (the jump "
				     "P / (2 (P - 1)) lands on the grid only "
				     "for even P), got %u", levels);
	if (trajectories > SIZE_MAX / (k + 1) / sizeof(double))
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "%zu trajectories of %zu factors are "
				     "too many", trajectories, k);
	coh_morris *d = coh_calloc(1, sizeof *d);
	if (!d)
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory for the Morris design");
	d->k = k;
	d->r = trajectories;
	d->levels = levels;
	d->factors = coh_calloc(k, sizeof *d->factors);
	d->base = coh_calloc(trajectories, k * sizeof *d->base);
	d->dir = coh_calloc(trajectories, k * sizeof *d->dir);
	d->order = coh_calloc(trajectories, k * sizeof *d->order);
	if (!d->factors || !d->base || !d->dir || !d->order) {
		coh_morris_free(d);
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory for the Morris design "
				     "(%zu trajectories of %zu factors)",
				     trajectories, k);
	}
	memcpy(d->factors, factors, k * sizeof *factors);
	coh_rng_state state;
	gsl_rng r;
	sens_rng(&r, &state, seed, SENS_MORRIS_DESIGN);
	for (size_t t = 0; t < trajectories; t++)
		draw_trajectory(d, t, &r);
	*out = d;
	return 0;
}

void coh_morris_free(coh_morris *d)
{
	if (!d)
		return;
	coh_free(d->factors);
	coh_free(d->base);
	coh_free(d->dir);
	coh_free(d->order);
	coh_free(d);
}

size_t coh_morris_factors(const coh_morris *d) { return d->k; }
size_t coh_morris_trajectories(const coh_morris *d) { return d->r; }
size_t coh_morris_rows(const coh_morris *d) { return d->r * (d->k + 1); }

double coh_morris_delta(const coh_morris *d)
{
	return (double)d->levels / (2.0 * (double)(d->levels - 1));
}

int coh_morris_row(const coh_morris *d, size_t index, coh_sens_row *out,
		   double *values, double *unit, coh_error *err)
{
	if (index >= coh_morris_rows(d))
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "row %zu is outside the design's %zu "
				     "rows", index, coh_morris_rows(d));
	size_t k = d->k, t = index / (k + 1), step = index % (k + 1);
	const unsigned *base = &d->base[t * k];
	const int *dir = &d->dir[t * k];
	const size_t *order = &d->order[t * k];
	/* Levels are integers until the last moment, so a point is on the
	 * grid exactly and two points differ by exactly Delta. */
	int level[COH_SENS_MAX_FACTORS];
	int *lv = k <= COH_SENS_MAX_FACTORS ? level
					    : coh_calloc(k, sizeof *lv);
	if (!lv)
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory for a Morris row");
	for (size_t i = 0; i < k; i++)
		lv[i] = (int)base[i];
	for (size_t s = 0; s < step; s++)
		lv[order[s]] += dir[order[s]] * (int)(d->levels / 2);
	for (size_t i = 0; i < k; i++) {
		double u = (double)lv[i] / (double)(d->levels - 1);
		values[i] = coh_sens_factor_value(&d->factors[i], u);
		if (unit)
			unit[i] = u;
	}
	if (lv != level)
		coh_free(lv);
	out->matrix = COH_SENS_MORRIS;
	out->row = t;
	out->step = step;
	out->factor = step > 0 ? (int)order[step - 1] : -1;
	out->key = t;
	return 0;
}

/* mu*, mu and sigma of the effects ee[idx[0..n-1] * k + i] for each
 * factor i, into stats[3 i .. 3 i + 2]. */
static void statistics(size_t k, const double *ee, const size_t *idx,
		       size_t n, double *stats)
{
	for (size_t i = 0; i < k; i++) {
		double sum = 0.0, abs_sum = 0.0;
		for (size_t t = 0; t < n; t++) {
			double e = ee[idx[t] * k + i];
			sum += e;
			abs_sum += fabs(e);
		}
		double mu = sum / (double)n, ss = 0.0;
		for (size_t t = 0; t < n; t++) {
			double e = ee[idx[t] * k + i] - mu;
			ss += e * e;
		}
		stats[3 * i] = abs_sum / (double)n;
		stats[3 * i + 1] = mu;
		stats[3 * i + 2] = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
	}
}

int coh_morris_effects(const coh_morris *d, const double *f, size_t n_f,
		       uint64_t seed, coh_morris_index *out, coh_error *err)
{
	int rc = sens_values_check(f, n_f, coh_morris_rows(d), err);
	if (rc)
		return rc;
	size_t k = d->k, n = d->r, nb = COH_SENS_RESAMPLES;
	double delta = coh_morris_delta(d);
	double *ee = coh_calloc(n, k * sizeof *ee);
	size_t *idx = coh_calloc(n, sizeof *idx);
	double *stats = coh_calloc(3 * k, sizeof *stats);
	double *draws = coh_calloc(3 * k, nb * sizeof *draws);
	if (!ee || !idx || !stats || !draws) {
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0,
				   "out of memory for the elementary effects");
		goto out;
	}
	/* Step s + 1 of trajectory t moves factor order[s] by dir Delta:
	 * its effect is the paired difference over that move. */
	for (size_t t = 0; t < n; t++) {
		const double *ft = &f[t * (k + 1)];
		for (size_t s = 0; s < k; s++) {
			size_t i = d->order[t * k + s];
			double h = (double)d->dir[t * k + i] * delta;
			ee[t * k + i] = (ft[s + 1] - ft[s]) / h;
		}
		idx[t] = t;
	}
	statistics(k, ee, idx, n, stats);
	for (size_t i = 0; i < k; i++) {
		out[i].mu_star.estimate = stats[3 * i];
		out[i].mu.estimate = stats[3 * i + 1];
		out[i].sigma.estimate = stats[3 * i + 2];
	}
	coh_rng_state state;
	gsl_rng r;
	sens_rng(&r, &state, seed, SENS_MORRIS_BOOTSTRAP);
	for (size_t b = 0; b < nb; b++) {
		for (size_t t = 0; t < n; t++)
			idx[t] = (size_t)gsl_rng_uniform_int(&r, n);
		statistics(k, ee, idx, n, stats);
		for (size_t m = 0; m < 3 * k; m++)
			draws[m * nb + b] = stats[m];
	}
	for (size_t i = 0; i < k; i++) {
		coh_sens_estimate *e[3] = {&out[i].mu_star, &out[i].mu,
					   &out[i].sigma};
		for (size_t m = 0; m < 3; m++)
			sens_interval(e[m], e[m]->estimate,
				      &draws[(3 * i + m) * nb], nb);
	}
out:
	coh_free(ee);
	coh_free(idx);
	coh_free(stats);
	coh_free(draws);
	return rc;
}
