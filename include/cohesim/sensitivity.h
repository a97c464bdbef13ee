/* Global sensitivity analysis, the statistical core of `cohesim sensitivity`
 * (docs/analysis.md, "Sensitivity: the estimators"): Saltelli's design and
 * the Sobol' indices estimated from it, and Morris's elementary effects.
 * These functions know nothing of scenarios: a design hands out rows
 * (factor values and a stream key), the caller evaluates each row however
 * it likes, and hands the values back, in row order, to the estimator. */
#ifndef COHESIM_SENSITIVITY_H
#define COHESIM_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

/*--- Factors ------------------------------------------------------------*/

/* At most this many factors in a Saltelli design: it draws from a
 * 2k-dimensional Sobol' sequence and GSL's goes to 40 dimensions. */
#define COH_SENS_MAX_FACTORS 20
/* Bootstrap resamples behind every interval, and the intervals' level. */
#define COH_SENS_RESAMPLES 1000
#define COH_SENS_LEVEL 0.95
/* An ST interval wider than this is flagged (coh_sobol_index.st_wide). */
#define COH_SENS_WIDE 0.1

typedef enum coh_sens_scale {
	COH_SENS_UNIFORM = 0,   /* uniform on [lo, hi] */
	COH_SENS_LOG            /* log-uniform on [lo, hi], 0 < lo */
} coh_sens_scale;

typedef struct coh_sens_factor {
	double lo, hi;          /* lo < hi, both finite */
	coh_sens_scale scale;
} coh_sens_factor;

/* Checks a factor's range: COH_EUSAGE, naming the factor as "factor N"
 * with N = index + 1, for an unknown scale, a non-finite, empty or
 * reversed range, or a log range that does not lie above 0. */
int coh_sens_factor_check(const coh_sens_factor *factor, size_t index,
			  coh_error *err);

/* The factor's value at unit value u in [0, 1]: lo + (hi - lo) u, or
 * lo (hi / lo)^u for a log-uniform factor; u = 0 gives lo and u = 1 hi. */
double coh_sens_factor_value(const coh_sens_factor *factor, double u);

/*--- Rows of a design ---------------------------------------------------*/

typedef enum coh_sens_matrix {
	COH_SENS_A = 0,
	COH_SENS_B,
	COH_SENS_AB,            /* A with column `factor` from B, A's keys */
	COH_SENS_AB_NOISE,      /* A's values with B's keys */
	COH_SENS_MORRIS         /* a point of a Morris trajectory */
} coh_sens_matrix;

/* "A", "B", "AB", "AB_noise", "morris". */
const char *coh_sens_matrix_name(coh_sens_matrix matrix);

/* One point to evaluate.  `key` names its random streams: the caller
 * runs the point's replications under it (as a design point or
 * replication key), so rows with the same key share their random
 * numbers and rows with different keys do not. */
typedef struct coh_sens_row {
	coh_sens_matrix matrix;
	size_t row;             /* Saltelli: 0..N-1; Morris: the trajectory */
	size_t step;            /* Morris: 0..k, the point in its trajectory */
	int factor;             /* AB: the column from B; Morris: the factor
	                         * moved to reach this point; otherwise -1 */
	uint64_t key;
} coh_sens_row;

/* A point estimate and its percentile bootstrap interval at
 * COH_SENS_LEVEL from COH_SENS_RESAMPLES resamples.  Never clamped. */
typedef struct coh_sens_estimate {
	double estimate, ci_lo, ci_hi;
} coh_sens_estimate;

/*--- Saltelli design and Sobol' indices ---------------------------------*/

typedef struct coh_saltelli coh_saltelli;

/* Builds the design for k factors and N base rows (Saltelli et al. 2010):
 * A and B are the first and last k columns of the first N points of a
 * 2k-dimensional Sobol' sequence, every coordinate shifted by a random
 * amount modulo 1 drawn from `seed` (the same seed gives the same design).
 * Row j of A has key j and row j of B key N + j.  Rows, in index order:
 * A (N rows), B, AB_0 .. AB_{k-1}, AB_noise, N (k + 3) in all.  The
 * factors are copied.  Errors: COH_EUSAGE for k = 0, k > 20
 * ("at most 20 factors"), N < 2 or a bad range; COH_ENOMEM. */
int coh_saltelli_build(coh_saltelli **out, const coh_sens_factor *factors,
		       size_t k, size_t n, uint64_t seed, coh_error *err);
/* Accepts NULL. */
void coh_saltelli_free(coh_saltelli *design);

size_t coh_saltelli_factors(const coh_saltelli *design);   /* k */
size_t coh_saltelli_samples(const coh_saltelli *design);   /* N */
size_t coh_saltelli_rows(const coh_saltelli *design);      /* N (k + 3) */

/* Row `index` (< coh_saltelli_rows): fills *out and the k factor values
 * into `values`, and, unless NULL, their unit values in [0, 1) into
 * `unit`.  COH_EUSAGE if index is out of range. */
int coh_saltelli_row(const coh_saltelli *design, size_t index,
		     coh_sens_row *out, double *values, double *unit,
		     coh_error *err);

/* A factor's indices; entry k of the estimator's output is (noise). */
typedef struct coh_sobol_index {
	coh_sens_estimate s1;   /* first order, Saltelli 2010 */
	coh_sens_estimate st;   /* total, Jansen 1999 */
	int st_wide;            /* ST's interval wider than COH_SENS_WIDE */
} coh_sobol_index;

/* Estimates S1 and ST of every factor and of (noise) from f, the value of
 * every row in row order (n_f = coh_saltelli_rows), into out[0..k], with
 * bootstrap intervals over the N base rows drawn from `seed`.  *variance
 * (unless NULL) gets V, the variance of f over A and B.  Errors:
 * COH_EUSAGE if n_f is not the design's row count; COH_ENUMERIC for a
 * non-finite value (naming its row) or V = 0; COH_ENOMEM. */
int coh_sobol_indices(const coh_saltelli *design, const double *f,
		      size_t n_f, uint64_t seed, coh_sobol_index *out,
		      double *variance, coh_error *err);

/*--- Morris's elementary effects ----------------------------------------*/

typedef struct coh_morris coh_morris;

#define COH_MORRIS_LEVELS 4
#define COH_MORRIS_TRAJECTORIES 20

/* Builds R trajectories of k + 1 points on a P-level grid in the unit
 * cube (Morris 1991), drawn from `seed`: each starts at a random grid
 * point and moves one factor at a time, in a random order, by
 * Delta = P / (2 (P - 1)) up or down.  Every point of trajectory r has
 * key r.  Rows, in index order: trajectory 0's points 0..k, then
 * trajectory 1's, R (k + 1) in all.  Errors: COH_EUSAGE for k = 0, R = 0,
 * P odd or below 2 (the jump lands on the grid only for even P), a bad
 * range; COH_ENOMEM. */
int coh_morris_build(coh_morris **out, const coh_sens_factor *factors,
		     size_t k, size_t trajectories, unsigned levels,
		     uint64_t seed, coh_error *err);
/* Accepts NULL. */
void coh_morris_free(coh_morris *design);

size_t coh_morris_factors(const coh_morris *design);
size_t coh_morris_trajectories(const coh_morris *design);
size_t coh_morris_rows(const coh_morris *design);      /* R (k + 1) */
double coh_morris_delta(const coh_morris *design);

/* As coh_saltelli_row. */
int coh_morris_row(const coh_morris *design, size_t index,
		   coh_sens_row *out, double *values, double *unit,
		   coh_error *err);

/* A factor's statistics of its elementary effects
 * (f(x + Delta e_i) - f(x)) / Delta in unit-scaled inputs. */
typedef struct coh_morris_index {
	coh_sens_estimate mu_star;  /* mean |effect|, Campolongo et al. 2007 */
	coh_sens_estimate mu;       /* mean effect */
	coh_sens_estimate sigma;    /* standard deviation (n - 1); NaN if R = 1 */
} coh_morris_index;

/* Elementary effects of every factor from f, the value of every row in
 * row order, into out[0..k-1], with bootstrap intervals over trajectories
 * drawn from `seed`.  Errors as coh_sobol_indices (no variance check). */
int coh_morris_effects(const coh_morris *design, const double *f,
		       size_t n_f, uint64_t seed, coh_morris_index *out,
		       coh_error *err);

#endif
