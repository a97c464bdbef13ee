/* The ledger: the parts add up to the change in every replication, for
 * every member, on stochastic scenarios with every cause and on the
 * shipped CSTO scenario; closed forms (relaxation alone, one shock, one
 * spillover); the bookkeeping run leaves the trajectory as it was.  Fixed
 * seeds, printed on failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "cohesim/date.h"
#include "cohesim/ledger.h"
#include "cohesim/scenario.h"

static coh_scenario *load(const char *path)
{
	coh_scenario *sc = NULL;
	coh_diag diag = COH_DIAG_INIT;
	if (coh_scenario_load(&sc, path, NULL, &diag)) {
		char msg[1200];
		coh_error_format(&diag.items[0], msg, sizeof msg);
		fail_msg("%s", msg);
	}
	coh_diag_clear(&diag);
	return sc;
}

static coh_ledger *ledger_of(const coh_model *m, int member, double from,
			     double to, uint64_t seed, uint64_t reps)
{
	coh_ledger *l = NULL;
	coh_error err = {0};
	if (coh_ledger_alloc(&l, m, member, from, to, &err) ||
	    coh_ledger_run(l, seed, 0, 0, reps, &err))
		fail_msg("ledger: %s", err.message);
	return l;
}

/* The row of a cause (and timeline event, or -1 for any): its mean. */
static double row_mean(coh_ledger *l, const char *cause, long event)
{
	size_t n;
	const coh_ledger_row *r = coh_ledger_rows(l, &n);
	for (size_t k = 0; k < n; k++)
		if (!strcmp(r[k].cause, cause) &&
		    (event < 0 || r[k].event == event))
			return r[k].mean;
	return 0.0;
}

/* Every replication, every member, the whole horizon and a window: the
 * parts add up to the change within 1e-12. */
static void check_adds_up(const char *path, uint64_t seed, uint64_t reps)
{
	coh_scenario *sc = load(path);
	const coh_model *m = coh_scenario_model(sc);
	double T = m->horizon;
	double windows[][2] = {{-INFINITY, T}, {T / 3, 2 * T / 3}, {0, T}};
	for (size_t w = 0; w < 3; w++)
		for (size_t i = 0; i < m->n_members; i++) {
			coh_ledger *l = ledger_of(m, (int)i, windows[w][0],
						  windows[w][1], seed, reps);
			double res = coh_ledger_max_residual(l);
			if (!(res <= 1e-12))
				fail_msg("%s seed %llu member %zu window %zu: "
					 "parts miss the change by %g", path,
					 (unsigned long long)seed, i, w, res);
			/* and the rows' means add up to the total's */
			size_t n;
			const coh_ledger_row *r = coh_ledger_rows(l, &n);
			double sum = 0;
			for (size_t k = 0; k + 1 < n; k++)
				sum += r[k].mean;
			assert_string_equal(r[n - 1].cause, "(total)");
			assert_true(fabs(sum - r[n - 1].mean) <= 1e-12);
			coh_ledger_free(l);
		}
	coh_scenario_free(sc);
}

static void test_adds_up_stochastic(void **state)
{
	(void)state;
	check_adds_up("tests/scenarios/ledger.cfg", 7, 20);
	check_adds_up("tests/scenarios/ledger.cfg", 12345, 20);
	check_adds_up("tests/scenarios/generator.cfg", 42, 10);
}

static void test_adds_up_csto(void **state)
{
	(void)state;
	check_adds_up("scenarios/csto-armenia.cfg", 1, 5);
}

/* A stochastic ledger.cfg has every cause: each books something. */
static void test_every_cause_books(void **state)
{
	(void)state;
	coh_scenario *sc = load("tests/scenarios/ledger.cfg");
	const coh_model *m = coh_scenario_model(sc);
	coh_ledger *l = ledger_of(m, 0, -INFINITY, m->horizon, 7, 20);
	assert_true(row_mean(l, "influence", -1) != 0);
	assert_true(row_mean(l, "relaxation", -1) != 0);
	assert_true(row_mean(l, "adaptation", -1) != 0);
	assert_true(row_mean(l, "spillover", -1) != 0);
	assert_true(row_mean(l, "direct", -1) != 0);
	coh_ledger_free(l);
	/* S has no adaptation: nothing is booked to it */
	l = ledger_of(m, 1, -INFINITY, m->horizon, 7, 20);
	assert_true(row_mean(l, "adaptation", -1) == 0);
	coh_ledger_free(l);
	coh_scenario_free(sc);
}

/* Relaxation alone: all of the change is relaxation, the closed form. */
static void test_relaxation_closed_form(void **state)
{
	(void)state;
	coh_scenario *sc = load("tests/scenarios/relaxation.cfg");
	const coh_model *m = coh_scenario_model(sc);
	coh_ledger *l = ledger_of(m, 0, 100, 250, 1, 1);
	assert_true(fabs(row_mean(l, "relaxation", -1) -
			 (0.40606601717798213 - 0.6)) <= 1e-12);
	assert_true(fabs(row_mean(l, "(total)", -1) -
			 (0.40606601717798213 - 0.6)) <= 1e-12);
	size_t n;
	coh_ledger_rows(l, &n);
	assert_int_equal(n, 4);         /* influence, relaxation, adaptation,
					 * total: no event rows */
	assert_true(row_mean(l, "adaptation", -1) == 0);
	assert_true(row_mean(l, "influence", -1) == 0);
	coh_ledger_free(l);
	/* the whole horizon, from the initial commitment */
	l = ledger_of(m, 0, -INFINITY, m->horizon, 1, 1);
	double want = 0.3 + 0.6 * exp2(-m->horizon / 100) - 0.9;
	assert_true(fabs(row_mean(l, "relaxation", -1) - want) <= 1e-12);
	coh_ledger_free(l);
	coh_scenario_free(sc);
}

/* One shock and no relaxation: the change is that event's direct
 * impact, 0.8 * (1 - 0.2) - 0.8. */
static void test_one_shock(void **state)
{
	(void)state;
	coh_scenario *sc = load("tests/scenarios/shocks.cfg");
	const coh_model *m = coh_scenario_model(sc);
	/* a window holding only the first shock on A (day 31) */
	coh_ledger *l = ledger_of(m, 0, 10, 45, 1, 1);
	assert_true(fabs(row_mean(l, "direct", 0) - (0.8 * 0.8 - 0.8)) <= 1e-15);
	assert_true(fabs(row_mean(l, "(total)", -1) - (0.8 * 0.8 - 0.8)) <= 1e-15);
	size_t n;
	const coh_ledger_row *r = coh_ledger_rows(l, &n);
	assert_int_equal(n, 5);
	assert_int_equal(r[0].event, 0);
	assert_string_equal(r[0].cause, "direct");
	assert_true(row_mean(l, "relaxation", -1) == 0);
	coh_ledger_free(l);
	coh_scenario_free(sc);
}

/* Spillover: B's whole change is the defeat of A's spillover, A's its
 * direct impact. */
static void test_spillover(void **state)
{
	(void)state;
	coh_scenario *sc = load("tests/scenarios/ledger-spill.cfg");
	const coh_model *m = coh_scenario_model(sc);
	coh_ledger *l = ledger_of(m, 1, -INFINITY, m->horizon, 1, 1);
	assert_true(fabs(row_mean(l, "spillover", 0) - (0.8 * 0.72 - 0.8)) <= 1e-15);
	assert_true(row_mean(l, "direct", -1) == 0);
	assert_true(fabs(row_mean(l, "(total)", -1) - (0.8 * 0.72 - 0.8)) <= 1e-15);
	coh_ledger_free(l);
	l = ledger_of(m, 0, -INFINITY, m->horizon, 1, 1);
	assert_true(fabs(row_mean(l, "direct", 0) - (0.8 * 0.44 - 0.8)) <= 1e-15);
	assert_true(row_mean(l, "spillover", -1) == 0);
	coh_ledger_free(l);
	coh_scenario_free(sc);
}

/* The bookkeeping run computes the same trajectory, bit for bit: the
 * (total) row equals the mean change of plain runs read at the end. */
typedef struct ends {
	int member;
	double c;
} ends;

static int on_read(void *ctx, const coh_sample *s)
{
	ends *e = ctx;
	e->c = s->commitment[e->member];
	return 0;
}

static void test_same_trajectory(void **state)
{
	(void)state;
	coh_scenario *sc = load("tests/scenarios/ledger.cfg");
	const coh_model *m = coh_scenario_model(sc);
	coh_sim *sim = NULL;
	coh_error err = {0};
	assert_int_equal(coh_sim_alloc(&sim, m, &err), 0);
	double T = m->horizon;
	assert_int_equal(coh_sim_set_reads(sim, &T, 1, &err), 0);
	for (int i = 0; i < (int)m->n_members; i++) {
		ends e = {i, NAN};
		coh_recorder rec = {&e, NULL, NULL, on_read, NULL};
		double mean = 0;
		for (uint64_t r = 0; r < 20; r++) {
			coh_stream_key key = {7, 0, r};
			assert_int_equal(coh_sim_run(sim, &key, &rec, &err), 0);
			double x = e.c - m->members[i].commitment;
			mean += (x - mean) / (double)(r + 1);
		}
		coh_ledger *l = ledger_of(m, i, -INFINITY, T, 7, 20);
		assert_true(row_mean(l, "(total)", -1) == mean);
		coh_ledger_free(l);
	}
	coh_sim_free(sim);
	coh_scenario_free(sc);
}

static void test_bad_window(void **state)
{
	(void)state;
	coh_scenario *sc = load("tests/scenarios/relaxation.cfg");
	const coh_model *m = coh_scenario_model(sc);
	coh_ledger *l = NULL;
	coh_error err = {0};
	assert_int_equal(coh_ledger_alloc(&l, m, 0, 200, 100, &err), COH_EUSAGE);
	assert_int_equal(coh_ledger_alloc(&l, m, 0, 0, m->horizon + 1, &err),
			 COH_EUSAGE);
	assert_int_equal(coh_ledger_alloc(&l, m, 1, 0, 100, &err), COH_EUSAGE);
	assert_null(l);
	coh_ledger_free(NULL);
	coh_scenario_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adds_up_stochastic),
		cmocka_unit_test(test_adds_up_csto),
		cmocka_unit_test(test_every_cause_books),
		cmocka_unit_test(test_relaxation_closed_form),
		cmocka_unit_test(test_one_shock),
		cmocka_unit_test(test_spillover),
		cmocka_unit_test(test_same_trajectory),
		cmocka_unit_test(test_bad_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
