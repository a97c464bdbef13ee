/* Streaming summaries across replications, fed with hand-made traces whose
 * mean, sd and quantiles are known exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "cohesim/mc.h"

static coh_member members[2] = {
	{.id = "A", .power = 1, .commitment = 0.5},
	{.id = "B", .power = 3, .commitment = 0.5},
};

static coh_model model_with(double horizon, double every)
{
	coh_model m = {.name = "t", .horizon = horizon, .sample_every = every,
		       .members = members, .n_members = 2, .leader = -1};
	return m;
}

static void test_sample_days(void **state)
{
	(void)state;
	double d[8];
	coh_model m = model_with(10, 3);
	assert_int_equal(coh_sample_days(&m, d, 8), 5);
	assert_true(d[3] == 9.0 && d[4] == 10.0);
	m = model_with(9, 3);
	assert_int_equal(coh_sample_days(&m, d, 8), 4);
	assert_true(d[3] == 9.0);
	/* k * dt, not repeated addition: 0.1 * 3 is not 0.1 + 0.1 + 0.1 */
	m = model_with(0.3, 0.1);
	size_t n = coh_sample_days(&m, d, 8);
	assert_true(d[2] == 2 * 0.1);
	assert_true(d[n - 1] == 0.3);
}

/* One replication with every metric equal to x at both samples. */
typedef struct fake {
	coh_sample samples[2];
	double commitment[4];
	coh_status status[4];
	double first_freeze[2], first_exit[2];
	coh_trace trace;
} fake;

static void make_fake(fake *f, uint64_t r, double x, int frozen)
{
	memset(f, 0, sizeof *f);
	for (int k = 0; k < 2; k++) {
		coh_sample *s = &f->samples[k];
		s->day = k * 5.0;
		s->cohesion = s->mean = s->min = x;
		s->sd = x / 2;
		s->active = 2 - frozen;
		s->frozen = frozen;
		s->reliability = k == 0 ? NAN : x;
		s->n_members = 2;
		s->commitment = f->commitment + 2 * k;
		s->status = f->status + 2 * k;
		f->commitment[2 * k] = x;
		f->commitment[2 * k + 1] = 1 - x;
	}
	f->first_freeze[0] = frozen ? 3.0 : NAN;
	f->first_freeze[1] = NAN;
	f->first_exit[0] = f->first_exit[1] = NAN;
	f->trace = (coh_trace){.replication = r, .n_members = 2,
			       .n_samples = 2, .samples = f->samples,
			       .first_freeze = f->first_freeze,
			       .first_exit = f->first_exit};
}

static void test_moments_and_quantiles(void **state)
{
	(void)state;
	coh_model m = model_with(5, 5);
	coh_summary *s;
	coh_error err = {0};
	assert_int_equal(coh_summary_alloc(&s, &m, 0, &err), 0);
	assert_int_equal(coh_summary_metrics(s), COH_M__FIXED + 2);
	assert_string_equal(coh_summary_metric_name(s, COH_M__FIXED + 1),
			    "member:B");
	const int R = 1001;
	double sum = 0, sum2 = 0;
	for (int r = 0; r < R; r++) {
		double x = (double)r / (R - 1);
		sum += x;
		sum2 += x * x;
		fake f;
		make_fake(&f, (uint64_t)r, x, r % 4 == 0);
		/* half of those that froze are still frozen at day 5, the
		 * others recovered */
		if (r % 8 == 0)
			f.status[2] = COH_FROZEN;
		assert_int_equal(coh_summary_add(s, &f.trace, &err), 0);
	}
	double mean = sum / R;
	double sd = sqrt((sum2 - R * mean * mean) / (R - 1));
	coh_stat st = coh_summary_stat(s, 1, COH_M_COHESION);
	assert_int_equal(st.n, R);
	/* values are summed as multiples of 2^-31: within 2.4e-10 */
	assert_true(fabs(st.mean - mean) < 2.4e-10);
	assert_true(fabs(st.sd - sd) < 1e-8);
	double res = coh_summary_resolution(s);
	assert_true(res > 0 && res <= 1.0 / 64);
	for (int i = 0; i < COH_SUMMARY_NQ; i++)
		assert_true(fabs(st.q[i] - coh_summary_quantiles[i]) <= res);
	/* NaN is skipped, not counted */
	assert_int_equal(coh_summary_stat(s, 0, COH_M_RELIABILITY).n, 0);
	assert_int_equal(coh_summary_stat(s, 1, COH_M_RELIABILITY).n, R);
	/* counts: one in four replications has a frozen member */
	coh_stat fr = coh_summary_stat(s, 1, COH_M_FROZEN);
	assert_true(fabs(fr.mean - 251.0 / R) < 1e-12);
	assert_true(fr.q[2] == 0.0 && fr.q[4] == 1.0);
	/* frozen by day 0: nobody; by day 5: the same one in four */
	assert_true(coh_summary_frozen_by(s, 0, 0) == 0.0);
	assert_true(fabs(coh_summary_frozen_by(s, 1, 0) - 251.0 / R) < 1e-15);
	assert_true(coh_summary_exited_by(s, 1, 1) == 0.0);
	/* frozen now: r = 0, 8, ..., 1000, 126 replications */
	assert_true(coh_summary_frozen_now(s, 0, 0) == 0.0);
	assert_true(fabs(coh_summary_frozen_now(s, 1, 0) - 126.0 / R) < 1e-15);
	assert_true(coh_summary_frozen_now(s, 1, 1) == 0.0);
	coh_summary_free(s);
}

static void test_constant_values_are_exact(void **state)
{
	(void)state;
	coh_model m = model_with(5, 5);
	coh_summary *s;
	assert_int_equal(coh_summary_alloc(&s, &m, 0, NULL), 0);
	for (int r = 0; r < 10; r++) {
		fake f;
		make_fake(&f, (uint64_t)r, 0.1234567890123, 0);
		assert_int_equal(coh_summary_add(s, &f.trace, NULL), 0);
	}
	coh_stat st = coh_summary_stat(s, 1, COH_M__FIXED);
	for (int i = 0; i < COH_SUMMARY_NQ; i++)
		assert_true(st.q[i] == 0.1234567890123);
	assert_true(st.sd == 0.0);
	coh_summary_free(s);
}

static void test_difference_of_a_trace_with_itself_is_zero(void **state)
{
	(void)state;
	coh_model m = model_with(5, 5);
	coh_summary *s;
	assert_int_equal(coh_summary_alloc(&s, &m, 1, NULL), 0);
	for (int r = 0; r < 50; r++) {
		fake f;
		make_fake(&f, (uint64_t)r, r / 49.0, r % 2);
		assert_int_equal(coh_summary_add_difference(s, &f.trace,
							    &f.trace, NULL), 0);
	}
	for (size_t metric = 0; metric < coh_summary_metrics(s); metric++) {
		coh_stat st = coh_summary_stat(s, 1, metric);
		assert_true(st.mean == 0.0 && st.sd == 0.0);
		for (int i = 0; i < COH_SUMMARY_NQ; i++)
			assert_true(st.q[i] == 0.0);
	}
	coh_summary_free(s);
}

/* The same replications split between two partial summaries in any way
 * and merged give exactly the summary of adding them all in order. */
static void test_merge_is_exact_in_any_order(void **state)
{
	(void)state;
	coh_model m = model_with(5, 5);
	coh_summary *all, *even, *odd;
	assert_int_equal(coh_summary_alloc(&all, &m, 0, NULL), 0);
	assert_int_equal(coh_summary_alloc(&even, &m, 0, NULL), 0);
	assert_int_equal(coh_summary_alloc(&odd, &m, 0, NULL), 0);
	for (int r = 0; r < 301; r++) {
		fake f;
		/* irregular values, so rounding would show if order mattered */
		make_fake(&f, (uint64_t)r, fmod(r * 0.6180339887498949, 1.0),
			  r % 3 == 0);
		if (r % 6 == 0)
			f.status[2] = COH_FROZEN;
		assert_int_equal(coh_summary_add(all, &f.trace, NULL), 0);
	}
	for (int r = 300; r >= 0; r--) {
		fake f;
		make_fake(&f, (uint64_t)r, fmod(r * 0.6180339887498949, 1.0),
			  r % 3 == 0);
		if (r % 6 == 0)
			f.status[2] = COH_FROZEN;
		assert_int_equal(coh_summary_add(r % 2 ? odd : even, &f.trace,
						 NULL), 0);
	}
	assert_int_equal(coh_summary_merge(odd, even, NULL), 0);
	for (size_t k = 0; k < 2; k++)
		for (size_t metric = 0; metric < coh_summary_metrics(all);
		     metric++) {
			coh_stat a = coh_summary_stat(all, k, metric);
			coh_stat b = coh_summary_stat(odd, k, metric);
			assert_true(a.n == b.n);
			assert_memory_equal(&a.mean, &b.mean, sizeof a.mean);
			assert_memory_equal(&a.sd, &b.sd, sizeof a.sd);
			assert_memory_equal(a.q, b.q, sizeof a.q);
		}
	assert_true(coh_summary_frozen_by(all, 1, 0) ==
		    coh_summary_frozen_by(odd, 1, 0));
	assert_true(coh_summary_frozen_now(all, 1, 0) ==
		    coh_summary_frozen_now(odd, 1, 0));
	assert_true(coh_summary_frozen_now(odd, 1, 0) == 51.0 / 301);
	coh_summary_free(all);
	coh_summary_free(even);
	coh_summary_free(odd);
}

static void test_shape_mismatch_is_an_error(void **state)
{
	(void)state;
	coh_model m = model_with(10, 5); /* three samples, the fake has two */
	coh_summary *s;
	assert_int_equal(coh_summary_alloc(&s, &m, 0, NULL), 0);
	fake f;
	make_fake(&f, 0, 0.5, 0);
	coh_error err = {0};
	assert_int_equal(coh_summary_add(s, &f.trace, &err), COH_EINPUT);
	assert_non_null(strstr(err.message, "expected 3"));
	coh_summary_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_days),
		cmocka_unit_test(test_moments_and_quantiles),
		cmocka_unit_test(test_constant_values_are_exact),
		cmocka_unit_test(test_difference_of_a_trace_with_itself_is_zero),
		cmocka_unit_test(test_merge_is_exact_in_any_order),
		cmocka_unit_test(test_shape_mismatch_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
