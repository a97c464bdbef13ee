/* Saltelli's design and the Sobol' indices estimated from it: first order
 * after Saltelli et al. (2010), total after Jansen (1999), the intrinsic
 * noise as one more factor, and percentile bootstrap intervals over the
 * base rows (docs/analysis.md, "Sensitivity: the estimators"). */
#include "analysis/sens_internal.h"
#include "core/alloc.h"

#include <gsl/gsl_qrng.h>
#include <math.h>
#include <string.h>

struct coh_saltelli {
	size_t k, n;
	coh_sens_factor *factors;
	double *u;              /* n rows of 2k shifted unit values: A | B */
};

/*--- The design ---------------------------------------------------------*/

static int fill_sequence(coh_saltelli *d, uint64_t seed)
{
	size_t dim = 2 * d->k;
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)dim);
	if (!q)
		return COH_ENOMEM;
	/* One shift per coordinate (a Cranley-Patterson rotation): the
	 * points stay as evenly spread as the sequence's, and the seed
	 * decides where they fall. */
	double shift[2 * COH_SENS_MAX_FACTORS] = {0};
	coh_rng_state state;
	gsl_rng r;
	sens_rng(&r, &state, seed, SENS_SALTELLI_SHIFT);
	for (size_t c = 0; c < dim; c++)
		shift[c] = gsl_rng_uniform(&r);
	for (size_t j = 0; j < d->n; j++) {
		double *row = &d->u[j * dim];
		gsl_qrng_get(q, row);
		for (size_t c = 0; c < dim; c++) {
			double v = row[c] + shift[c];
			row[c] = v >= 1.0 ? v - 1.0 : v;
		}
	}
	gsl_qrng_free(q);
	return 0;
}

int coh_saltelli_build(coh_saltelli **out, const coh_sens_factor *factors,
		       size_t k, size_t n, uint64_t seed, coh_error *err)
{
	if (k > COH_SENS_MAX_FACTORS)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "the Sobol' design takes at most %d "
				     "factors (it draws from a 2k-dimensional "
				     "Sobol' sequence, which GSL gives up to "
				     "40 dimensions), got %zu; use Morris for "
				     "more", COH_SENS_MAX_FACTORS, k);
	int rc = sens_factors_check(factors, k, "the Sobol' design", err);
	if (rc)
		return rc;
	/* GSL's sequence has 2^30 points; N (k + 3) rows must be countable. */
	if (n < 2 || n > ((size_t)1 << 30))
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "the Sobol' design needs between 2 and "
				     "2^30 base rows, got %zu", n);
	coh_saltelli *d = coh_calloc(1, sizeof *d);
	if (!d)
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory for the Sobol' design");
	d->k = k;
	d->n = n;
	d->factors = coh_calloc(k, sizeof *d->factors);
	d->u = coh_calloc(n, 2 * k * sizeof *d->u);
	if (!d->factors || !d->u || fill_sequence(d, seed)) {
		coh_saltelli_free(d);
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory for the Sobol' design "
				     "(%zu rows of %zu factors)", n, k);
	}
	memcpy(d->factors, factors, k * sizeof *factors);
	*out = d;
	return 0;
}

void coh_saltelli_free(coh_saltelli *d)
{
	if (!d)
		return;
	coh_free(d->factors);
	coh_free(d->u);
	coh_free(d);
}

size_t coh_saltelli_factors(const coh_saltelli *d) { return d->k; }
size_t coh_saltelli_samples(const coh_saltelli *d) { return d->n; }
size_t coh_saltelli_rows(const coh_saltelli *d) { return d->n * (d->k + 3); }

int coh_saltelli_row(const coh_saltelli *d, size_t index, coh_sens_row *out,
		     double *values, double *unit, coh_error *err)
{
	if (index >= coh_saltelli_rows(d))
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "row %zu is outside the design's %zu "
				     "rows", index, coh_saltelli_rows(d));
	size_t block = index / d->n, j = index % d->n;
	const double *a = &d->u[j * 2 * d->k], *b = a + d->k;
	coh_sens_row row = {COH_SENS_A, j, 0, -1, j};
	if (block == 1) {
		row.matrix = COH_SENS_B;
		row.key = d->n + j;
	} else if (block == d->k + 2) {
		row.matrix = COH_SENS_AB_NOISE;
		row.key = d->n + j;
	} else if (block >= 2) {
		row.matrix = COH_SENS_AB;
		row.factor = (int)(block - 2);
	}
	for (size_t i = 0; i < d->k; i++) {
		int from_b = row.matrix == COH_SENS_B ||
			     (row.matrix == COH_SENS_AB &&
			      (size_t)row.factor == i);
		double u = from_b ? b[i] : a[i];
		values[i] = coh_sens_factor_value(&d->factors[i], u);
		if (unit)
			unit[i] = u;
	}
	*out = row;
	return 0;
}

/*--- The estimators -----------------------------------------------------*/

/* The estimates from the base rows idx[0..n-1] (all rows, or a bootstrap
 * resample): s1[c] and st[c] for c = 0..k, column k being (noise).
 * Returns V, the population variance of f over these rows of A and B. */
static double estimate(const coh_saltelli *d, const double *f,
		       const size_t *idx, double *s1, double *st)
{
	size_t n = d->n, k = d->k;
	const double *fa = f, *fb = f + n;
	double sum = 0.0;
	for (size_t t = 0; t < n; t++)
		sum += fa[idx[t]] + fb[idx[t]];
	double mean = sum / (double)(2 * n), ss = 0.0;
	for (size_t t = 0; t < n; t++) {
		double ea = fa[idx[t]] - mean, eb = fb[idx[t]] - mean;
		ss += ea * ea + eb * eb;
	}
	double v = ss / (double)(2 * n);
	for (size_t c = 0; c <= k; c++) {
		/* AB_c's block; (noise)'s follows the factors' */
		const double *fab = f + (2 + c) * n;
		double first = 0.0, total = 0.0;
		for (size_t t = 0; t < n; t++) {
			size_t j = idx[t];
			double delta = fab[j] - fa[j];
			first += fb[j] * delta;
			total += delta * delta;
		}
		/* A resample with V = 0 has no indices: NaN, left out of
		 * the interval by sens_interval. */
		s1[c] = v > 0 ? first / (double)n / v : NAN;
		st[c] = v > 0 ? total / (double)(2 * n) / v : NAN;
	}
	return v;
}

int coh_sobol_indices(const coh_saltelli *d, const double *f, size_t n_f,
		      uint64_t seed, coh_sobol_index *out, double *variance,
		      coh_error *err)
{
	int rc = sens_values_check(f, n_f, coh_saltelli_rows(d), err);
	if (rc)
		return rc;
	size_t n = d->n, cols = d->k + 1, nb = COH_SENS_RESAMPLES;
	size_t *idx = coh_calloc(n, sizeof *idx);
	double *s1 = coh_calloc(cols, sizeof *s1);
	double *st = coh_calloc(cols, sizeof *st);
	/* draws[c * nb + b]: column c's S1 in resample b; ST's follow. */
	double *draws = coh_calloc(2 * cols, nb * sizeof *draws);
	if (!idx || !s1 || !st || !draws) {
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0,
				   "out of memory for the bootstrap");
		goto out;
	}
	for (size_t t = 0; t < n; t++)
		idx[t] = t;
	double v = estimate(d, f, idx, s1, st);
	if (!(v > 0)) {
		rc = coh_error_set(err, COH_ENUMERIC, NULL, 0,
				   "the values are the same on every row of "
				   "A and B: there is no variance to "
				   "apportion");
		goto out;
	}
	for (size_t c = 0; c < cols; c++) {
		out[c].s1.estimate = s1[c];
		out[c].st.estimate = st[c];
	}
	coh_rng_state state;
	gsl_rng r;
	sens_rng(&r, &state, seed, SENS_SOBOL_BOOTSTRAP);
	for (size_t b = 0; b < nb; b++) {
		for (size_t t = 0; t < n; t++)
			idx[t] = (size_t)gsl_rng_uniform_int(&r, n);
		estimate(d, f, idx, s1, st);
		for (size_t c = 0; c < cols; c++) {
			draws[c * nb + b] = s1[c];
			draws[(cols + c) * nb + b] = st[c];
		}
	}
	for (size_t c = 0; c < cols; c++) {
		sens_interval(&out[c].s1, out[c].s1.estimate,
			      &draws[c * nb], nb);
		sens_interval(&out[c].st, out[c].st.estimate,
			      &draws[(cols + c) * nb], nb);
		out[c].st_wide = out[c].st.ci_hi - out[c].st.ci_lo >
				 COH_SENS_WIDE;
	}
	if (variance)
		*variance = v;
out:
	coh_free(idx);
	coh_free(s1);
	coh_free(st);
	coh_free(draws);
	return rc;
}
