/* Sensitivity estimators (src/analysis/sobol.c, morris.c): the Saltelli
 * and Morris designs' structure and determinism, the Sobol' indices on
 * functions whose indices are known in closed form (Ishigami, Sobol's
 * g-function, a linear sum, a factor with no effect, noise as a factor),
 * a negative S1 reported as computed, Morris on linear functions, and
 * every error.  Every stochastic check prints its seed when it fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cohesim.h"
#include "core/alloc.h"
#include "engine/rng.h"

typedef double (*test_fn)(const double *x, uint64_t key);

/* cmocka's float check rounds to float: this one keeps the double and
 * prints both numbers. */
#define assert_double_equal(a, b, tol) \
	assert_close((a), (b), (tol), #a, __FILE__, __LINE__)

static void assert_close(double a, double b, double tol, const char *what,
			 const char *file, int line)
{
	if (!(fabs(a - b) <= tol)) {
		print_error("%s:%d: %s = %.17g, expected %.17g (+- %g)\n",
			    file, line, what, a, b, tol);
		fail();
	}
}

/* Evaluates fn on every row of a Saltelli design. */
static double *evaluate(const coh_saltelli *d, test_fn fn)
{
	size_t rows = coh_saltelli_rows(d), k = coh_saltelli_factors(d);
	double *f = calloc(rows, sizeof *f), x[COH_SENS_MAX_FACTORS];
	assert_non_null(f);
	for (size_t r = 0; r < rows; r++) {
		coh_sens_row row;
		assert_int_equal(coh_saltelli_row(d, r, &row, x, NULL, NULL),
				 0);
		f[r] = fn(x, row.key);
	}
	(void)k;
	return f;
}

/* The design and indices of fn over factors at N rows and seed; out has
 * k + 1 entries. */
static void sobol_of(test_fn fn, const coh_sens_factor *factors, size_t k,
		     size_t n, uint64_t seed, coh_sobol_index *out)
{
	coh_saltelli *d = NULL;
	coh_error err = {0};
	assert_int_equal(coh_saltelli_build(&d, factors, k, n, seed, &err), 0);
	double *f = evaluate(d, fn);
	int rc = coh_sobol_indices(d, f, coh_saltelli_rows(d), seed, out,
				   NULL, &err);
	if (rc)
		print_error("%s\n", err.message);
	assert_int_equal(rc, 0);
	free(f);
	coh_saltelli_free(d);
}

/* exact inside [ci_lo, ci_hi] (if `inside`) and |estimate - exact| <= tol;
 * on failure, prints what, the numbers and the seed. */
static int check(const char *what, const coh_sens_estimate *e, double exact,
		 double tol, int inside, uint64_t seed)
{
	int ok = fabs(e->estimate - exact) <= tol &&
		 (!inside || (e->ci_lo <= exact && exact <= e->ci_hi));
	if (!ok)
		print_error("%s at seed %llu: estimate %.4f [%.4f, %.4f], "
			    "exact %.4f (tolerance %.3f)\n", what,
			    (unsigned long long)seed, e->estimate, e->ci_lo,
			    e->ci_hi, exact, tol);
	return ok;
}

/*--- Known functions ----------------------------------------------------*/

static double ishigami(const double *x, uint64_t key)
{
	(void)key;
	double s = sin(x[0]), t = sin(x[1]);
	return s + 7.0 * t * t + 0.1 * pow(x[2], 4) * s;
}

static const coh_sens_factor pi_range[3] = {
	{-M_PI, M_PI, COH_SENS_UNIFORM},
	{-M_PI, M_PI, COH_SENS_UNIFORM},
	{-M_PI, M_PI, COH_SENS_UNIFORM}};

static void test_ishigami(void **state)
{
	(void)state;
	const uint64_t seed = 20261201;
	const double s1[3] = {0.3139, 0.4424, 0.0};
	const double st[3] = {0.5576, 0.4424, 0.2437};
	coh_sobol_index out[4];
	sobol_of(ishigami, pi_range, 3, 4096, seed, out);
	int ok = 1;
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof name, "S1 of x%d", i + 1);
		ok &= check(name, &out[i].s1, s1[i], 0.05, 1, seed);
		snprintf(name, sizeof name, "ST of x%d", i + 1);
		ok &= check(name, &out[i].st, st[i], 0.05, 1, seed);
		print_message("ishigami x%d: S1 %.4f [%.4f, %.4f] ST %.4f "
			      "[%.4f, %.4f]\n", i + 1, out[i].s1.estimate,
			      out[i].s1.ci_lo, out[i].s1.ci_hi,
			      out[i].st.estimate, out[i].st.ci_lo,
			      out[i].st.ci_hi);
	}
	/* The function ignores its key, so AB_noise's rows are A's values
	 * and (noise) has no share at all. */
	assert_true(out[3].s1.estimate == 0.0 && out[3].st.estimate == 0.0);
	assert_true(ok);
}

/* Sobol's g-function, with a_i = 0, 1, 4.5, 9, 99: V_i = 1 / (3 (1 +
 * a_i)^2), V = prod (1 + V_i) - 1, S1_i = V_i / V, ST_i = V_i prod_{j != i}
 * (1 + V_j) / V. */
static const double g_a[5] = {0.0, 1.0, 4.5, 9.0, 99.0};

static double g_function(const double *x, uint64_t key)
{
	(void)key;
	double g = 1.0;
	for (int i = 0; i < 5; i++)
		g *= (fabs(4.0 * x[i] - 2.0) + g_a[i]) / (1.0 + g_a[i]);
	return g;
}

static void test_g_function(void **state)
{
	(void)state;
	const uint64_t seed = 7;
	coh_sens_factor unit[5];
	double vi[5], prod = 1.0;
	for (int i = 0; i < 5; i++) {
		unit[i] = (coh_sens_factor){0.0, 1.0, COH_SENS_UNIFORM};
		vi[i] = 1.0 / (3.0 * (1.0 + g_a[i]) * (1.0 + g_a[i]));
		prod *= 1.0 + vi[i];
	}
	double v = prod - 1.0;
	coh_sobol_index out[6];
	sobol_of(g_function, unit, 5, 4096, seed, out);
	int ok = 1;
	for (int i = 0; i < 5; i++) {
		char name[32];
		snprintf(name, sizeof name, "g S1 of x%d", i + 1);
		ok &= check(name, &out[i].s1, vi[i] / v, 0.05, 1, seed);
		snprintf(name, sizeof name, "g ST of x%d", i + 1);
		ok &= check(name, &out[i].st, vi[i] * prod / (1.0 + vi[i]) / v,
			    0.05, 1, seed);
		print_message("g x%d: S1 %.4f [%.4f, %.4f] (exact %.4f) ST "
			      "%.4f [%.4f, %.4f] (exact %.4f)\n", i + 1,
			      out[i].s1.estimate, out[i].s1.ci_lo,
			      out[i].s1.ci_hi, vi[i] / v, out[i].st.estimate,
			      out[i].st.ci_lo, out[i].st.ci_hi,
			      vi[i] * prod / (1.0 + vi[i]) / v);
	}
	assert_true(ok);
}

/* x3 has no effect: its ST is 0 (and so is its S1). */
static double dummy_third(const double *x, uint64_t key)
{
	(void)key;
	return x[0] + x[1] * x[1] + x[0] * x[1];
}

static void test_no_effect(void **state)
{
	(void)state;
	const uint64_t seed = 99;
	coh_sobol_index out[4];
	sobol_of(dummy_third, pi_range, 3, 1024, seed, out);
	assert_true(check("ST of a factor with no effect", &out[2].st, 0.0,
			  0.02, 1, seed));
	assert_true(check("S1 of a factor with no effect", &out[2].s1, 0.0,
			  0.02, 1, seed));
	/* and the others share all of it */
	assert_true(out[0].st.estimate > 0.1 && out[1].st.estimate > 0.1);
}

/* f = sum c_i x_i with x_i uniform on [lo_i, hi_i]: S1_i = ST_i =
 * c_i^2 (hi_i - lo_i)^2 / sum_j c_j^2 (hi_j - lo_j)^2. */
static const double lin_c[4] = {1.0, -2.0, 0.5, 3.0};
static const coh_sens_factor lin_range[4] = {
	{0.0, 1.0, COH_SENS_UNIFORM}, {-1.0, 1.0, COH_SENS_UNIFORM},
	{10.0, 14.0, COH_SENS_UNIFORM}, {0.0, 0.5, COH_SENS_UNIFORM}};

static double linear(const double *x, uint64_t key)
{
	(void)key;
	double f = 0.0;
	for (int i = 0; i < 4; i++)
		f += lin_c[i] * x[i];
	return f;
}

static void test_linear_shares(void **state)
{
	(void)state;
	const uint64_t seed = 3;
	double share[4], total = 0.0;
	for (int i = 0; i < 4; i++) {
		double w = lin_c[i] * (lin_range[i].hi - lin_range[i].lo);
		share[i] = w * w;
		total += share[i];
	}
	coh_sobol_index out[5];
	sobol_of(linear, lin_range, 4, 4096, seed, out);
	int ok = 1;
	for (int i = 0; i < 4; i++) {
		char name[32];
		snprintf(name, sizeof name, "linear S1 of x%d", i + 1);
		ok &= check(name, &out[i].s1, share[i] / total, 0.02, 1, seed);
		snprintf(name, sizeof name, "linear ST of x%d", i + 1);
		ok &= check(name, &out[i].st, share[i] / total, 0.02, 1, seed);
	}
	assert_true(ok);
}

/* f = x1 + eps(key), x1 uniform on [0, 1] (variance 1/12) and eps normal
 * with variance 1/12 drawn from the row's key: half the variance is the
 * noise's, and it has no interaction with x1. */
static uint64_t noise_seed = 424242;    /* test_coverage varies it */

static double with_noise(const double *x, uint64_t key)
{
	coh_rng_state s;
	gsl_rng r;
	coh_rng_keyed(&s, noise_seed, 0, key, 0, 0);
	coh_rng_bind(&r, &s);
	return x[0] + gsl_ran_gaussian(&r, sqrt(1.0 / 12.0));
}

static void test_noise_factor(void **state)
{
	(void)state;
	const uint64_t seed = 11;
	const coh_sens_factor f[1] = {{0.0, 1.0, COH_SENS_UNIFORM}};
	coh_sobol_index out[2];
	sobol_of(with_noise, f, 1, 4096, seed, out);
	int ok = check("S1 of x1 beside noise", &out[0].s1, 0.5, 0.05, 1, seed);
	ok &= check("ST of x1 beside noise", &out[0].st, 0.5, 0.05, 1, seed);
	ok &= check("S1 of (noise)", &out[1].s1, 0.5, 0.05, 1, seed);
	ok &= check("ST of (noise)", &out[1].st, 0.5, 0.05, 1, seed);
	print_message("noise: x1 S1 %.4f ST %.4f, (noise) S1 %.4f [%.4f, "
		      "%.4f] ST %.4f [%.4f, %.4f]\n", out[0].s1.estimate,
		      out[0].st.estimate, out[1].s1.estimate, out[1].s1.ci_lo,
		      out[1].s1.ci_hi, out[1].st.estimate, out[1].st.ci_lo,
		      out[1].st.ci_hi);
	assert_true(ok);
}

/* How often the intervals cover the truth, over 100 seeds at N = 256.
 * With noise the rows are as good as independent draws and coverage is
 * near its nominal 95% (at least 88 of 100, over 3 binomial standard
 * deviations below 95); Ishigami's quasi-random rows give wider-than-
 * needed intervals, so at least 95% of its 600. */
static void test_coverage(void **state)
{
	(void)state;
	const coh_sens_factor f[1] = {{0.0, 1.0, COH_SENS_UNIFORM}};
	const double s1[3] = {0.3139, 0.4424, 0.0};
	const double st[3] = {0.5576, 0.4424, 0.2437};
	int noise_s1 = 0, noise_st = 0, ish = 0;
	for (uint64_t seed = 1; seed <= 100; seed++) {
		coh_sobol_index out[4];
		/* a new draw of the noise each time, or the 100 cases would
		 * share one realisation of it */
		noise_seed = 7919 * seed + 1;
		sobol_of(with_noise, f, 1, 256, seed, out);
		noise_s1 += out[1].s1.ci_lo <= 0.5 && 0.5 <= out[1].s1.ci_hi;
		noise_st += out[1].st.ci_lo <= 0.5 && 0.5 <= out[1].st.ci_hi;
		sobol_of(ishigami, pi_range, 3, 256, seed, out);
		for (int i = 0; i < 3; i++) {
			ish += out[i].s1.ci_lo <= s1[i] && s1[i] <= out[i].s1.ci_hi;
			ish += out[i].st.ci_lo <= st[i] && st[i] <= out[i].st.ci_hi;
		}
	}
	noise_seed = 424242;
	print_message("coverage, seeds 1 to 100 at N = 256: (noise) S1 %d, "
		      "ST %d of 100; Ishigami %d of 600\n", noise_s1,
		      noise_st, ish);
	assert_true(noise_s1 >= 88 && noise_st >= 88);
	assert_true(ish >= 570);
}

/* Values given by hand for N = 2, k = 1: A = (0, 1), B = (1, 0),
 * AB_0 = (-1, 1), AB_noise = (0, 1).  V = 1/4 over A and B, S1 =
 * (1/2)(1 (-1 - 0) + 0 (1 - 1)) / V = -2, ST = (1/4)(1 + 0) / V = 1.  An
 * estimator that clamped would report 0. */
static void test_negative_s1_kept(void **state)
{
	(void)state;
	const coh_sens_factor f[1] = {{0.0, 1.0, COH_SENS_UNIFORM}};
	coh_saltelli *d = NULL;
	assert_int_equal(coh_saltelli_build(&d, f, 1, 2, 5, NULL), 0);
	assert_int_equal(coh_saltelli_rows(d), 8);
	const double values[8] = {0, 1, 1, 0, -1, 1, 0, 1};
	coh_sobol_index out[2];
	double v = 0.0;
	assert_int_equal(coh_sobol_indices(d, values, 8, 5, out, &v, NULL), 0);
	assert_double_equal(v, 0.25, 1e-15);
	assert_double_equal(out[0].s1.estimate, -2.0, 1e-15);
	assert_double_equal(out[0].st.estimate, 1.0, 1e-15);
	assert_true(out[0].s1.ci_lo < 0.0);
	assert_true(out[1].s1.estimate == 0.0 && out[1].st.estimate == 0.0);
	coh_saltelli_free(d);

	/* And from a function: x3 of Ishigami has S1 = 0; at N = 64 and
	 * this seed its estimate is -0.19, reported as it is, with an
	 * interval that still covers the true 0. */
	coh_sobol_index ish[4];
	sobol_of(ishigami, pi_range, 3, 64, 2, ish);
	print_message("ishigami N = 64 seed 2: S1 of x3 %.4f [%.4f, %.4f]\n",
		      ish[2].s1.estimate, ish[2].s1.ci_lo, ish[2].s1.ci_hi);
	assert_true(ish[2].s1.estimate < -0.1);
	assert_true(ish[2].s1.ci_lo < 0.0 && ish[2].s1.ci_hi > 0.0);
}

static void test_wide_flag(void **state)
{
	(void)state;
	coh_sobol_index small[4], big[4];
	sobol_of(ishigami, pi_range, 3, 32, 2, small);
	sobol_of(ishigami, pi_range, 3, 4096, 2, big);
	int any_small = 0, any_big = 0;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(small[i].st_wide,
				 small[i].st.ci_hi - small[i].st.ci_lo > 0.1);
		any_small |= small[i].st_wide;
		any_big |= big[i].st_wide;
	}
	assert_true(any_small);
	assert_false(any_big);
}

/*--- The Saltelli design ------------------------------------------------*/

static void test_saltelli_structure(void **state)
{
	(void)state;
	const size_t n = 64, k = 3;
	const coh_sens_factor f[3] = {{0.0, 1.0, COH_SENS_UNIFORM},
				      {-5.0, 5.0, COH_SENS_UNIFORM},
				      {0.01, 100.0, COH_SENS_LOG}};
	coh_saltelli *d = NULL;
	assert_int_equal(coh_saltelli_build(&d, f, k, n, 17, NULL), 0);
	assert_int_equal(coh_saltelli_samples(d), n);
	assert_int_equal(coh_saltelli_factors(d), k);
	assert_int_equal(coh_saltelli_rows(d), n * (k + 3));
	for (size_t j = 0; j < n; j++) {
		double a[3], b[3], ua[3], ub[3], x[3], u[3];
		coh_sens_row ra, rb, r;
		assert_int_equal(coh_saltelli_row(d, j, &ra, a, ua, NULL), 0);
		assert_int_equal(coh_saltelli_row(d, n + j, &rb, b, ub, NULL),
				 0);
		assert_int_equal(ra.matrix, COH_SENS_A);
		assert_int_equal(rb.matrix, COH_SENS_B);
		assert_int_equal(ra.row, j);
		assert_int_equal(ra.key, j);
		assert_int_equal(rb.key, n + j);
		for (size_t i = 0; i < k; i++) {
			assert_true(ua[i] >= 0.0 && ua[i] < 1.0);
			assert_true(ub[i] >= 0.0 && ub[i] < 1.0);
			assert_true(a[i] >= f[i].lo && a[i] <= f[i].hi);
			assert_double_equal(a[i],
					    coh_sens_factor_value(&f[i], ua[i]),
					    0.0);
		}
		for (size_t c = 0; c <= k; c++) {
			assert_int_equal(coh_saltelli_row(d, (2 + c) * n + j,
							  &r, x, u, NULL), 0);
			assert_int_equal(r.row, j);
			if (c == k) {   /* AB_noise: A's values, B's key */
				assert_int_equal(r.matrix, COH_SENS_AB_NOISE);
				assert_int_equal(r.key, rb.key);
				assert_int_equal(r.factor, -1);
				assert_memory_equal(x, a, sizeof a);
				continue;
			}
			assert_int_equal(r.matrix, COH_SENS_AB);
			assert_int_equal(r.factor, (int)c);
			assert_int_equal(r.key, ra.key);
			for (size_t i = 0; i < k; i++)
				assert_true(x[i] == (i == c ? b[i] : a[i]));
		}
	}
	coh_sens_row r;
	double x[3];
	coh_error err = {0};
	assert_int_equal(coh_saltelli_row(d, n * (k + 3), &r, x, NULL, &err),
			 COH_EUSAGE);
	coh_saltelli_free(d);
	coh_saltelli_free(NULL);
}

/* Every row of two designs, values and keys, compared bit for bit. */
static int same_design(const coh_saltelli *d1, const coh_saltelli *d2)
{
	if (coh_saltelli_rows(d1) != coh_saltelli_rows(d2))
		return 0;
	for (size_t r = 0; r < coh_saltelli_rows(d1); r++) {
		double x1[2], x2[2];
		coh_sens_row r1, r2;
		coh_saltelli_row(d1, r, &r1, x1, NULL, NULL);
		coh_saltelli_row(d2, r, &r2, x2, NULL, NULL);
		if (memcmp(x1, x2, sizeof x1) || r1.key != r2.key)
			return 0;
	}
	return 1;
}

static void test_saltelli_deterministic(void **state)
{
	(void)state;
	const coh_sens_factor f[2] = {{0.0, 1.0, COH_SENS_UNIFORM},
				      {1.0, 10.0, COH_SENS_LOG}};
	coh_saltelli *d1 = NULL, *d2 = NULL, *d3 = NULL;
	assert_int_equal(coh_saltelli_build(&d1, f, 2, 128, 42, NULL), 0);
	assert_int_equal(coh_saltelli_build(&d2, f, 2, 128, 42, NULL), 0);
	assert_int_equal(coh_saltelli_build(&d3, f, 2, 128, 43, NULL), 0);
	assert_true(same_design(d1, d2));
	assert_false(same_design(d1, d3));

	/* the intervals too: same seed, same bootstrap */
	size_t rows = coh_saltelli_rows(d1);
	double *y = calloc(rows, sizeof *y), x[2];
	assert_non_null(y);
	for (size_t r = 0; r < rows; r++) {
		coh_sens_row row;
		coh_saltelli_row(d1, r, &row, x, NULL, NULL);
		y[r] = x[0] * x[0] + log(x[1]);
	}
	coh_sobol_index i1[3], i2[3], i3[3];
	assert_int_equal(coh_sobol_indices(d1, y, rows, 9, i1, NULL, NULL), 0);
	assert_int_equal(coh_sobol_indices(d1, y, rows, 9, i2, NULL, NULL), 0);
	assert_int_equal(coh_sobol_indices(d1, y, rows, 10, i3, NULL, NULL), 0);
	/* field by field: the structs' padding is not part of the result */
	for (int c = 0; c < 3; c++) {
		const coh_sens_estimate *e1[2] = {&i1[c].s1, &i1[c].st};
		const coh_sens_estimate *e2[2] = {&i2[c].s1, &i2[c].st};
		for (int m = 0; m < 2; m++)
			assert_memory_equal(e1[m], e2[m], sizeof *e1[m]);
		assert_int_equal(i1[c].st_wide, i2[c].st_wide);
	}
	assert_true(i1[0].s1.estimate == i3[0].s1.estimate);
	assert_true(i1[0].s1.ci_lo != i3[0].s1.ci_lo);
	free(y);
	coh_saltelli_free(d1);
	coh_saltelli_free(d2);
	coh_saltelli_free(d3);
}

static void test_factor_values(void **state)
{
	(void)state;
	const coh_sens_factor u = {2.0, 6.0, COH_SENS_UNIFORM};
	const coh_sens_factor l = {0.1, 1000.0, COH_SENS_LOG};
	assert_true(coh_sens_factor_value(&u, 0.0) == 2.0);
	assert_true(coh_sens_factor_value(&u, 1.0) == 6.0);
	assert_double_equal(coh_sens_factor_value(&u, 0.25), 3.0, 1e-15);
	assert_true(coh_sens_factor_value(&l, 0.0) == 0.1);
	assert_true(coh_sens_factor_value(&l, 1.0) == 1000.0);
	assert_double_equal(coh_sens_factor_value(&l, 0.5), 10.0, 1e-12);
	assert_double_equal(coh_sens_factor_value(&l, 0.25), 1.0, 1e-13);
}

/*--- Errors -------------------------------------------------------------*/

static void expect_error(int rc, const coh_error *err, int code,
			 const char *message)
{
	assert_int_equal(rc, code);
	assert_int_equal(err->code, code);
	assert_string_equal(err->message, message);
}

static void test_errors(void **state)
{
	(void)state;
	coh_sens_factor f[21];
	for (int i = 0; i < 21; i++)
		f[i] = (coh_sens_factor){0.0, 1.0, COH_SENS_UNIFORM};
	coh_saltelli *d = NULL;
	coh_morris *m = NULL;
	coh_error err = {0};
	expect_error(coh_saltelli_build(&d, f, 21, 64, 1, &err), &err,
		     COH_EUSAGE,
		     "the Sobol' design takes at most 20 factors (it draws "
		     "from a 2k-dimensional Sobol' sequence, which GSL gives "
		     "up to 40 dimensions), got 21; use Morris for more");
	assert_null(d);
	/* 20 is allowed */
	assert_int_equal(coh_saltelli_build(&d, f, 20, 8, 1, &err), 0);
	coh_saltelli_free(d);
	d = NULL;
	expect_error(coh_saltelli_build(&d, f, 0, 64, 1, &err), &err,
		     COH_EUSAGE, "the Sobol' design needs at least one factor");
	expect_error(coh_saltelli_build(&d, f, 2, 1, 1, &err), &err,
		     COH_EUSAGE,
		     "the Sobol' design needs between 2 and 2^30 base rows, "
		     "got 1");
	f[1] = (coh_sens_factor){1.0, 1.0, COH_SENS_UNIFORM};
	expect_error(coh_saltelli_build(&d, f, 2, 64, 1, &err), &err,
		     COH_EUSAGE,
		     "factor 2: range 1:1 is empty or reversed; expected "
		     "LO < HI");
	f[1] = (coh_sens_factor){0.0, 1.0, COH_SENS_LOG};
	expect_error(coh_saltelli_build(&d, f, 2, 64, 1, &err), &err,
		     COH_EUSAGE,
		     "factor 2: a log-uniform range must lie above 0, got 0:1");
	f[1] = (coh_sens_factor){0.0, INFINITY, COH_SENS_UNIFORM};
	expect_error(coh_saltelli_build(&d, f, 2, 64, 1, &err), &err,
		     COH_EUSAGE, "factor 2: range 0:inf is not finite");
	f[1] = (coh_sens_factor){0.0, 1.0, COH_SENS_UNIFORM};
	assert_null(d);

	assert_int_equal(coh_saltelli_build(&d, f, 1, 4, 1, NULL), 0);
	double y[16] = {0};
	coh_sobol_index out[2];
	expect_error(coh_sobol_indices(d, y, 15, 1, out, NULL, &err), &err,
		     COH_EUSAGE,
		     "expected one value for each of the design's 16 rows, "
		     "got 15");
	expect_error(coh_sobol_indices(d, y, 16, 1, out, NULL, &err), &err,
		     COH_ENUMERIC,
		     "the values are the same on every row of A and B: there "
		     "is no variance to apportion");
	y[5] = NAN;
	expect_error(coh_sobol_indices(d, y, 16, 1, out, NULL, &err), &err,
		     COH_ENUMERIC,
		     "the value of row 5 is nan; expected a finite number");
	coh_saltelli_free(d);

	expect_error(coh_morris_build(&m, f, 2, 10, 5, 1, &err), &err,
		     COH_EUSAGE,
		     "the Morris design needs an even number of levels from 2 "
		     "to 1000 (the jump P / (2 (P - 1)) lands on the grid "
		     "only for even P), got 5");
	expect_error(coh_morris_build(&m, f, 2, 0, 4, 1, &err), &err,
		     COH_EUSAGE,
		     "the Morris design needs at least one trajectory");
	expect_error(coh_morris_build(&m, f, 0, 10, 4, 1, &err), &err,
		     COH_EUSAGE, "the Morris design needs at least one factor");
	assert_null(m);
	coh_morris_free(NULL);
}

/* Every allocation of building and estimating, made to fail in turn:
 * each failure is a clean COH_ENOMEM (and nothing leaks, under make
 * check). */
static void test_out_of_memory(void **state)
{
	(void)state;
	const coh_sens_factor f[2] = {{0.0, 1.0, COH_SENS_UNIFORM},
				      {0.0, 1.0, COH_SENS_UNIFORM}};
	int done = 0;
	for (long n = 0; !done && n < 100; n++) {
		coh_saltelli *d = NULL;
		coh_morris *m = NULL;
		coh_error err = {0};
		coh_alloc_fail_after(n);
		int rc = coh_saltelli_build(&d, f, 2, 8, 1, &err);
		if (rc == 0) {
			double y[40];
			for (int r = 0; r < 40; r++)
				y[r] = r % 7;
			coh_sobol_index out[3];
			rc = coh_sobol_indices(d, y, 40, 1, out, NULL, &err);
		}
		if (rc == 0)
			rc = coh_morris_build(&m, f, 2, 4, 4, 1, &err);
		if (rc == 0) {
			double y[12];
			for (int r = 0; r < 12; r++)
				y[r] = r % 5;
			coh_morris_index out[2];
			rc = coh_morris_effects(m, y, 12, 1, out, &err);
		}
		coh_alloc_fail_after(-1);
		if (rc == 0)
			done = 1;
		else
			assert_int_equal(rc, COH_ENOMEM);
		coh_saltelli_free(d);
		coh_morris_free(m);
	}
	assert_true(done);
}

/*--- Morris -------------------------------------------------------------*/

static void test_morris_structure(void **state)
{
	(void)state;
	const size_t k = 4, r = 30;
	const unsigned p = 6;
	coh_morris *d = NULL;
	assert_int_equal(coh_morris_build(&d, lin_range, k, r, p, 8, NULL), 0);
	assert_int_equal(coh_morris_rows(d), r * (k + 1));
	assert_int_equal(coh_morris_trajectories(d), r);
	assert_int_equal(coh_morris_factors(d), k);
	double delta = coh_morris_delta(d);
	assert_double_equal(delta, 6.0 / 10.0, 1e-15);
	for (size_t t = 0; t < r; t++) {
		double prev[4] = {0}, u[4], x[4];
		int moved[4] = {0};
		for (size_t s = 0; s <= k; s++) {
			coh_sens_row row;
			assert_int_equal(coh_morris_row(d, t * (k + 1) + s,
							&row, x, u, NULL), 0);
			assert_int_equal(row.matrix, COH_SENS_MORRIS);
			assert_int_equal(row.row, t);
			assert_int_equal(row.step, s);
			assert_int_equal(row.key, t);
			for (size_t i = 0; i < k; i++) {
				/* on the grid, in [0, 1] */
				double l = u[i] * (p - 1);
				assert_double_equal(l, round(l), 1e-12);
				assert_true(u[i] >= 0.0 && u[i] <= 1.0);
			}
			if (s == 0) {
				assert_int_equal(row.factor, -1);
			} else {
				size_t i = (size_t)row.factor;
				assert_true(i < k && !moved[i]);
				moved[i] = 1;
				for (size_t j = 0; j < k; j++)
					assert_double_equal(
						fabs(u[j] - prev[j]),
						j == i ? delta : 0.0, 1e-12);
			}
			memcpy(prev, u, sizeof u);
		}
	}
	coh_morris_free(d);
}

static void test_morris_linear(void **state)
{
	(void)state;
	const uint64_t seed = 31;
	coh_morris *d = NULL;
	assert_int_equal(coh_morris_build(&d, lin_range, 4, 20, 4, seed, NULL),
			 0);
	size_t rows = coh_morris_rows(d);
	double *y = calloc(rows, sizeof *y), x[4];
	assert_non_null(y);
	for (size_t r = 0; r < rows; r++) {
		coh_sens_row row;
		coh_morris_row(d, r, &row, x, NULL, NULL);
		y[r] = linear(x, row.key);
	}
	coh_morris_index out[4];
	assert_int_equal(coh_morris_effects(d, y, rows, seed, out, NULL), 0);
	for (int i = 0; i < 4; i++) {
		/* an effect in unit-scaled inputs is c_i (hi - lo) */
		double e = lin_c[i] * (lin_range[i].hi - lin_range[i].lo);
		assert_double_equal(out[i].mu_star.estimate, fabs(e), 1e-12);
		assert_double_equal(out[i].mu.estimate, e, 1e-12);
		assert_double_equal(out[i].sigma.estimate, 0.0, 1e-12);
		assert_double_equal(out[i].mu_star.ci_lo, fabs(e), 1e-12);
		assert_double_equal(out[i].mu_star.ci_hi, fabs(e), 1e-12);
		assert_double_equal(out[i].sigma.ci_hi, 0.0, 1e-12);
	}
	free(y);
	coh_morris_free(d);

	/* log-uniform: f = ln x on [1, e^2] is 2 u, every effect 2 */
	const coh_sens_factor lf[1] = {{1.0, exp(2.0), COH_SENS_LOG}};
	assert_int_equal(coh_morris_build(&d, lf, 1, 10, 4, seed, NULL), 0);
	double z[20];
	for (size_t r = 0; r < 20; r++) {
		coh_sens_row row;
		coh_morris_row(d, r, &row, x, NULL, NULL);
		z[r] = log(x[0]);
	}
	assert_int_equal(coh_morris_effects(d, z, 20, seed, out, NULL), 0);
	assert_double_equal(out[0].mu_star.estimate, 2.0, 1e-12);
	assert_double_equal(out[0].sigma.estimate, 0.0, 1e-12);
	coh_morris_free(d);
}

/* A non-linear function: x1 x2 has effects that vary with the other
 * factor (sigma > 0), and a factor with no effect has mu* = 0. */
static void test_morris_interaction(void **state)
{
	(void)state;
	const uint64_t seed = 5;
	const coh_sens_factor f[3] = {{-1.0, 1.0, COH_SENS_UNIFORM},
				      {-1.0, 1.0, COH_SENS_UNIFORM},
				      {0.0, 1.0, COH_SENS_UNIFORM}};
	coh_morris *d = NULL, *d2 = NULL;
	assert_int_equal(coh_morris_build(&d, f, 3, 40, 4, seed, NULL), 0);
	assert_int_equal(coh_morris_build(&d2, f, 3, 40, 4, seed, NULL), 0);
	size_t rows = coh_morris_rows(d);
	double y[160], x[3], x2[3];
	for (size_t r = 0; r < rows; r++) {
		coh_sens_row row, row2;
		coh_morris_row(d, r, &row, x, NULL, NULL);
		coh_morris_row(d2, r, &row2, x2, NULL, NULL);
		assert_memory_equal(x, x2, sizeof x);   /* deterministic */
		y[r] = x[0] * x[1];
	}
	coh_morris_index out[3];
	assert_int_equal(coh_morris_effects(d, y, rows, seed, out, NULL), 0);
	if (!(out[0].sigma.estimate > 0.1 && out[2].mu_star.estimate == 0.0 &&
	      out[0].mu_star.ci_lo <= out[0].mu_star.estimate &&
	      out[0].mu_star.estimate <= out[0].mu_star.ci_hi))
		print_error("morris x1 x2 at seed %llu: mu* %.4f [%.4f, "
			    "%.4f] sigma %.4f\n", (unsigned long long)seed,
			    out[0].mu_star.estimate, out[0].mu_star.ci_lo,
			    out[0].mu_star.ci_hi, out[0].sigma.estimate);
	assert_true(out[0].sigma.estimate > 0.1);
	assert_true(out[0].mu_star.ci_lo <= out[0].mu_star.estimate);
	assert_true(out[0].mu_star.estimate <= out[0].mu_star.ci_hi);
	assert_true(out[2].mu_star.estimate == 0.0);
	coh_morris_free(d);
	coh_morris_free(d2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ishigami),
		cmocka_unit_test(test_g_function),
		cmocka_unit_test(test_no_effect),
		cmocka_unit_test(test_linear_shares),
		cmocka_unit_test(test_noise_factor),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_negative_s1_kept),
		cmocka_unit_test(test_wide_flag),
		cmocka_unit_test(test_saltelli_structure),
		cmocka_unit_test(test_saltelli_deterministic),
		cmocka_unit_test(test_factor_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_morris_structure),
		cmocka_unit_test(test_morris_linear),
		cmocka_unit_test(test_morris_interaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
