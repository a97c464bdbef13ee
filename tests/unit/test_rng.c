/* Counter-based random streams: Philox known answers, determinism by key,
 * independence across keys, and the moments of the uniform draws. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "engine/rng.h"

/* Random123's published known-answer vectors for Philox4x64-10
 * (counter, key -> output). */
static void test_known_answers(void **state)
{
	(void)state;
	coh_rng_state s;
	coh_rng_stream(&s, 0, 0, 0, 0);
	uint64_t want0[4] = {0x16554d9eca36314cULL, 0xdb20fe9d672d0fdcULL,
			     0xd7e772cee186176bULL, 0x7e68b68aec7ba23bULL};
	for (int k = 0; k < 4; k++)
		assert_true(coh_rng_next(&s) == want0[k]);
	/* counter {pi words}, key {pi words} */
	coh_rng_stream(&s, 0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL,
		       0x13198a2e03707344ULL, 0xa4093822299f31d0ULL);
	s.ctr[0] = 0x243f6a8885a308d3ULL;
	s.ctr[3] = 0x082efa98ec4e6c89ULL;
	uint64_t want1[4] = {0xa528f45403e61d95ULL, 0x38c72dbd566e9788ULL,
			     0xa5a1610e72fd18b5ULL, 0x57bd43b5e52b7fe6ULL};
	for (int k = 0; k < 4; k++)
		assert_true(coh_rng_next(&s) == want1[k]);
}

static void fill(uint64_t *out, int n, uint64_t seed, uint64_t point,
		 uint64_t rep, uint64_t sub)
{
	coh_rng_state s;
	coh_rng_stream(&s, seed, point, rep, sub);
	for (int k = 0; k < n; k++)
		out[k] = coh_rng_next(&s);
}

static int same(const uint64_t *a, const uint64_t *b, int n)
{
	int equal = 0;
	for (int k = 0; k < n; k++)
		equal += a[k] == b[k];
	return equal;
}

static void test_same_key_same_numbers(void **state)
{
	(void)state;
	uint64_t a[64], b[64];
	fill(a, 64, 20231123, 3, 7, 2);
	fill(b, 64, 20231123, 3, 7, 2);
	assert_int_equal(same(a, b, 64), 64);
	/* any other key word gives other numbers (no word in common) */
	fill(b, 64, 20231124, 3, 7, 2);
	assert_int_equal(same(a, b, 64), 0);
	fill(b, 64, 20231123, 4, 7, 2);
	assert_int_equal(same(a, b, 64), 0);
	fill(b, 64, 20231123, 3, 8, 2);
	assert_int_equal(same(a, b, 64), 0);
	fill(b, 64, 20231123, 3, 7, 3);
	assert_int_equal(same(a, b, 64), 0);
	/* and restarting a stream starts it over */
	coh_rng_state s;
	coh_rng_stream(&s, 20231123, 3, 7, 2);
	for (int k = 0; k < 10; k++)
		coh_rng_next(&s);
	coh_rng_stream(&s, 20231123, 3, 7, 2);
	assert_true(coh_rng_next(&s) == a[0]);
}

/* Keyed streams: purpose 0 is the plain stream, any block can be computed
 * directly by its position, and the unit and purpose words name other
 * streams; the hash depends on every word and on their order. */
static void test_keyed_streams(void **state)
{
	(void)state;
	uint64_t a[64];
	fill(a, 64, 20231123, 3, 7, 2);
	coh_rng_state s;
	coh_rng_keyed(&s, 20231123, 3, 7, 2, 0);
	for (int k = 0; k < 64; k++)
		assert_true(coh_rng_next(&s) == a[k]);
	for (uint64_t blk = 16; blk-- > 0;) {
		coh_rng_block(&s, blk);
		for (int k = 0; k < 4; k++)
			assert_true(s.out[k] == a[4 * blk + (uint64_t)k]);
	}
	uint64_t b[64];
	coh_rng_keyed(&s, 20231123, 3, 7, 2, UINT64_C(1) << 56);
	for (int k = 0; k < 64; k++)
		b[k] = coh_rng_next(&s);
	assert_int_equal(same(a, b, 64), 0);
	uint64_t h = coh_rng_hash(coh_rng_hash(1, 2), 3);
	assert_true(h != coh_rng_hash(coh_rng_hash(1, 3), 2));
	assert_true(h != coh_rng_hash(coh_rng_hash(1, 2), 4));
	assert_true(h == coh_rng_hash(coh_rng_hash(1, 2), 3));
	assert_true(coh_rng_bits(-0.0) == coh_rng_bits(0.0));
}

static void test_gsl_interface(void **state)
{
	(void)state;
	const uint64_t seed = 42;
	coh_rng_state st;
	gsl_rng r;
	coh_rng_bind(&r, &st);
	coh_rng_stream(&st, seed, 0, 0, 0);
	const int n = 1000000;
	double sum = 0, sum2 = 0;
	unsigned long max_get = 0;
	for (int k = 0; k < n; k++) {
		double u = gsl_rng_uniform(&r);
		assert_true(u >= 0 && u < 1);
		sum += u;
		sum2 += u * u;
	}
	for (int k = 0; k < 1000; k++) {
		unsigned long g = gsl_rng_get(&r);
		assert_true(g <= gsl_rng_max(&r));
		if (g > max_get)
			max_get = g;
	}
	double mean = sum / n, var = sum2 / n - mean * mean;
	/* sd of the mean: sqrt(1/12/n) = 2.9e-4; of the variance about
	 * sqrt(1/180/n) = 7.5e-5 */
	if (fabs(mean - 0.5) > 4 * 2.9e-4 || fabs(var - 1.0 / 12) > 4 * 7.5e-5)
		print_error("seed %llu: mean %g var %g\n",
			    (unsigned long long)seed, mean, var);
	assert_true(fabs(mean - 0.5) < 4 * 2.9e-4);
	assert_true(fabs(var - 1.0 / 12) < 4 * 7.5e-5);
	assert_true(max_get > 0xf0000000UL);   /* 32 bits are used */
	/* GSL distributions work through it */
	double esum = 0;
	for (int k = 0; k < 100000; k++)
		esum += gsl_ran_exponential(&r, 2.0);
	assert_true(fabs(esum / 100000 - 2.0) < 4 * 2.0 / sqrt(100000));
	/* set(seed) selects stream (seed, 0, 0, 0) */
	gsl_rng_set(&r, 7);
	uint64_t a[4], b[4];
	fill(a, 4, 7, 0, 0, 0);
	for (int k = 0; k < 4; k++)
		b[k] = coh_rng_next(&st);
	assert_int_equal(same(a, b, 4), 4);
}

/* The engine's direct draws give the bits GSL gives through the same
 * stream: gsl_rng_uniform and gsl_ran_exponential. */
static void test_direct_draws_match_gsl(void **state)
{
	(void)state;
	const uint64_t seed = 20231123;
	coh_rng_state a, b;
	gsl_rng r;
	coh_rng_bind(&r, &b);
	coh_rng_stream(&a, seed, 3, 5, 1);
	coh_rng_stream(&b, seed, 3, 5, 1);
	for (int k = 0; k < 200000; k++) {
		double mu = 0.001 + (double)(k % 97);
		double x = k % 2 ? coh_rng_uniform(&a)
				 : coh_rng_exponential(&a, mu);
		double y = k % 2 ? gsl_rng_uniform(&r)
				 : gsl_ran_exponential(&r, mu);
		if (memcmp(&x, &y, sizeof x) != 0)
			fail_msg("seed %llu, draw %d: %.17g, GSL %.17g",
				 (unsigned long long)seed, k, x, y);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_same_key_same_numbers),
		cmocka_unit_test(test_keyed_streams),
		cmocka_unit_test(test_gsl_interface),
		cmocka_unit_test(test_direct_draws_match_gsl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
