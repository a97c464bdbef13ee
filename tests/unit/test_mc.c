/* The Monte Carlo runner: replications arrive in order whatever the
 * threads, identical for any thread count, stoppable, and paired runs share
 * random numbers (common random numbers shrink the variance of a small
 * difference).  Fixed seeds, printed on failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <string.h>

#include "cohesim/mc.h"
#include "cohesim/scenario.h"

#define SCENARIO "tests/scenarios/generator.cfg"

static coh_scenario *load(const char *const *overrides, size_t n)
{
	coh_scenario *sc = NULL;
	coh_diag diag = COH_DIAG_INIT;
	coh_load_options o = {NULL, overrides, n};
	if (coh_scenario_load(&sc, SCENARIO, &o, &diag)) {
		char msg[1200];
		coh_error_format(&diag.items[0], msg, sizeof msg);
		fail_msg("%s", msg);
	}
	coh_diag_clear(&diag);
	return sc;
}

/* Final cohesion of each replication, and a hash of everything seen. */
typedef struct collect {
	uint64_t next;
	double final[2][400];
	uint64_t hash;
	volatile sig_atomic_t *stop_at_50;
} collect;

static uint64_t mix(uint64_t h, double x)
{
	uint64_t bits;
	memcpy(&bits, &x, sizeof bits);
	return (h ^ bits) * 0x100000001b3ULL;
}

static int take(void *ctx, const coh_trace *const *t, size_t n)
{
	collect *c = ctx;
	assert_int_equal(t[0]->replication, c->next);
	for (size_t m = 0; m < n; m++) {
		const coh_trace *tr = t[m];
		c->final[m][c->next] = tr->samples[tr->n_samples - 1].cohesion;
		for (size_t k = 0; k < tr->n_samples; k++)
			for (size_t i = 0; i < tr->n_members; i++)
				c->hash = mix(c->hash,
					      tr->samples[k].commitment[i]);
		for (size_t e = 0; e < tr->n_events; e++)
			c->hash = mix(c->hash, tr->events[e].day);
	}
	c->next++;
	if (c->stop_at_50 && c->next == 50)
		*c->stop_at_50 = 1;
	return 0;
}

static void test_same_results_for_any_thread_count(void **state)
{
	(void)state;
	coh_scenario *sc = load(NULL, 0);
	const coh_model *m = coh_scenario_model(sc);
	uint64_t hashes[3];
	const int threads[3] = {1, 2, 5};
	for (int i = 0; i < 3; i++) {
		collect c = {0};
		coh_mc_options o = {.seed = 42, .replications = 200,
				    .threads = threads[i], .keep_events = 1};
		uint64_t done = 0;
		assert_int_equal(coh_mc_run(&m, 1, &o, take, &c, &done, NULL),
				 0);
		assert_int_equal(done, 200);
		hashes[i] = c.hash;
	}
	if (hashes[0] != hashes[1] || hashes[0] != hashes[2])
		fail_msg("seed 42: results differ across -j 1, 2, 5");
	coh_scenario_free(sc);
}

static void test_stop_hands_over_finished_replications(void **state)
{
	(void)state;
	coh_scenario *sc = load(NULL, 0);
	const coh_model *m = coh_scenario_model(sc);
	volatile sig_atomic_t stop = 0;
	collect c = {.stop_at_50 = &stop};
	coh_mc_options o = {.seed = 42, .replications = 100000, .threads = 2,
			    .stop = &stop};
	uint64_t done = 0;
	coh_error err = {0};
	assert_int_equal(coh_mc_run(&m, 1, &o, take, &c, &done, &err),
			 COH_ECANCEL);
	assert_int_equal(done, c.next);
	assert_true(done >= 50 && done < 100000);
	coh_scenario_free(sc);
}

static double variance_of_difference(const collect *c, size_t n)
{
	double mean = 0, m2 = 0;
	for (size_t r = 0; r < n; r++) {
		double d = c->final[1][r] - c->final[0][r];
		double delta = d - mean;
		mean += delta / (double)(r + 1);
		m2 += delta * (d - mean);
	}
	return m2 / (double)(n - 1);
}

/* A small change (S a little more sensitive) compared with the same keys
 * and with independent keys: pairing must cut the variance of the
 * difference several times over. */
static void test_common_random_numbers_shrink_variance(void **state)
{
	(void)state;
	const char *alt_set[] = {"members.S.sensitivity=1.1"};
	coh_scenario *base = load(NULL, 0);
	coh_scenario *alt = load(alt_set, 1);
	const coh_model *paired[2] = {coh_scenario_model(base),
				      coh_scenario_model(alt)};
	const size_t R = 400;
	collect same = {0};
	coh_mc_options o = {.seed = 42, .replications = R, .threads = 2};
	assert_int_equal(coh_mc_run(paired, 2, &o, take, &same, NULL, NULL),
			 0);
	/* independent: the alternative's replication r from another seed */
	collect b = {0}, a = {0}, indep = {0};
	coh_mc_options ob = o, oa = o;
	oa.seed = 4242;
	assert_int_equal(coh_mc_run(&paired[0], 1, &ob, take, &b, NULL, NULL),
			 0);
	assert_int_equal(coh_mc_run(&paired[1], 1, &oa, take, &a, NULL, NULL),
			 0);
	memcpy(indep.final[0], b.final[0], sizeof indep.final[0]);
	memcpy(indep.final[1], a.final[0], sizeof indep.final[1]);
	double v_crn = variance_of_difference(&same, R);
	double v_ind = variance_of_difference(&indep, R);
	print_message("seeds 42 / 4242: var(diff) paired %.3g, independent "
		      "%.3g\n", v_crn, v_ind);
	if (!(v_crn * 2 < v_ind))
		fail_msg("seeds 42 and 4242: paired variance %g is not well "
			 "below the independent %g", v_crn, v_ind);
	coh_scenario_free(base);
	coh_scenario_free(alt);
}

/* Paired models may have different members (compare pairs them by id):
 * each trace holds its own model's, and a replication of the smaller one
 * is what it is when run alone. */
static void test_paired_models_may_differ(void **state)
{
	(void)state;
	coh_scenario *a = load(NULL, 0);
	coh_scenario *b = NULL;
	coh_diag diag = COH_DIAG_INIT;
	assert_int_equal(coh_scenario_load(&b, "tests/scenarios/relaxation.cfg",
					   NULL, &diag), 0);
	const coh_model *pair[2] = {coh_scenario_model(a),
				    coh_scenario_model(b)};
	assert_int_not_equal(pair[0]->n_members, pair[1]->n_members);
	collect c = {0}, alone = {0};
	coh_mc_options o = {.seed = 1, .replications = 3, .threads = 1};
	coh_error err = {0};
	assert_int_equal(coh_mc_run(pair, 2, &o, take, &c, NULL, &err), 0);
	assert_int_equal(c.next, 3);
	assert_int_equal(coh_mc_run(pair + 1, 1, &o, take, &alone, NULL, &err),
			 0);
	for (int r = 0; r < 3; r++)
		assert_true(c.final[1][r] == alone.final[0][r]);
	coh_scenario_free(a);
	coh_scenario_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_results_for_any_thread_count),
		cmocka_unit_test(test_stop_hands_over_finished_replications),
		cmocka_unit_test(test_common_random_numbers_shrink_variance),
		cmocka_unit_test(test_paired_models_may_differ),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
