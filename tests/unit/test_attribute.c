/* Attribution (src/analysis/attribute.c, src/cli/attribute.c): units and
 * the model surgery; removal effects and exact Shapley values on the
 * deterministic shocks scenario against closed forms and an enumeration
 * written here; the efficiency identity in every replication of a
 * stochastic scenario, exact and sampled; and, through the binary, the
 * same bytes at -j 1 and -j 2 and the exact message of each bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bin_helpers.h"
#include "cohesim/attribute.h"
#include "cohesim/mc.h"
#include "cohesim/qoi.h"
#include "cohesim/scenario.h"
#include "core/alloc.h"

#define SHOCKS "tests/scenarios/shocks.cfg"
#define GEN "tests/scenarios/generator.cfg"
#define CSTO "scenarios/csto-armenia.cfg"
#define LEDGER "tests/scenarios/ledger.cfg"

static coh_scenario *load(const char *path, const char *reps)
{
	coh_scenario *sc = NULL;
	coh_diag diag = COH_DIAG_INIT;
	char setting[64];
	snprintf(setting, sizeof setting, "scenario.replications=%s",
		 reps ? reps : "1");
	const char *overrides[] = {setting};
	coh_load_options o = {NULL, overrides, reps ? 1 : 0};
	if (coh_scenario_load(&sc, path, &o, &diag)) {
		char msg[1200];
		coh_error_format(&diag.items[0], msg, sizeof msg);
		fail_msg("%s", msg);
	}
	coh_diag_clear(&diag);
	return sc;
}

/*--- Running a plan -----------------------------------------------------*/

typedef struct plan_run {
	const coh_qoi_set *qoi;
	size_t n_coalitions, first;
	double *values;         /* [r * n_coalitions + c], the first QoI */
} plan_run;

static int take(void *ctx, const coh_trace *const *traces, size_t n)
{
	plan_run *p = ctx;
	double v[4];
	for (size_t m = 0; m < n; m++) {
		coh_error err = {0};
		assert_int_equal(coh_qoi_set_values(p->qoi, traces[m], v,
						    &err), 0);
		p->values[traces[m]->replication * p->n_coalitions + p->first +
			  m] = v[0];
	}
	return 0;
}

/* Every coalition of plan on model, eight at a time with the same keys,
 * at `threads` threads: values[r * coalitions + c] of the QoI q (a new
 * array). */
static double *run_plan(const coh_model *model, const coh_attr_units *units,
			const coh_attr_plan *plan, const char *q,
			uint64_t reps, int threads)
{
	coh_qoi_set *set;
	coh_error err = {0};
	assert_int_equal(coh_qoi_set_alloc(&set, model, &err), 0);
	assert_int_equal(coh_qoi_set_add(set, q, &err), 0);
	size_t nc = coh_attr_plan_coalitions(plan);
	plan_run p = {set, nc, 0, calloc(reps * nc, sizeof(double))};
	assert_non_null(p.values);
	size_t n_reads;
	const double *reads = coh_qoi_set_read_days(set, &n_reads);
	for (size_t first = 0; first < nc; first += 8) {
		coh_model models[8];
		const coh_model *ptrs[8];
		size_t n = 0;
		for (; n < 8 && first + n < nc; n++) {
			assert_int_equal(coh_attr_model(&models[n], units,
				coh_attr_plan_keep(plan, first + n), &err), 0);
			ptrs[n] = &models[n];
		}
		coh_mc_options mo = {.seed = model->seed,
				     .replications = reps, .threads = threads,
				     .read_days = reads,
				     .n_read_days = n_reads};
		p.first = first;
		assert_int_equal(coh_mc_run(ptrs, n, &mo, take, &p, NULL,
					    &err), 0);
		for (size_t m = 0; m < n; m++)
			coh_attr_model_release(&models[m]);
	}
	coh_qoi_set_free(set);
	return p.values;
}

static void expect_close(double got, double want, double tol,
			 const char *what)
{
	if (!(fabs(got - want) <= tol)) {
		print_error("%s: got %.17g, expected %.17g (tolerance %g)\n",
			    what, got, want, tol);
		fail();
	}
}

/*--- Units --------------------------------------------------------------*/

static void test_units(void **state)
{
	(void)state;
	coh_error err = {0};
	coh_scenario *sc = load(SHOCKS, NULL);
	const coh_model *m = coh_scenario_model(sc);
	coh_attr_units *u;
	assert_int_equal(coh_attr_units_build(&u, m, COH_ATTR_EVENT, &err), 0);
	assert_int_equal(coh_attr_units_count(u), 5);
	assert_string_equal(coh_attr_unit_name(u, 2), "events.[2]");
	assert_string_equal(coh_attr_unit_label(u, 2), "2020-03-01 shock A");
	for (size_t k = 0; k < 5; k++)
		assert_int_equal(coh_attr_unit_of_event(u, k), (long)k);
	assert_int_equal(coh_attr_unit_of_event(u, 5), -1);
	coh_attr_units_free(u);
	assert_int_equal(coh_attr_units_build(&u, m, COH_ATTR_TYPE, &err), 0);
	assert_int_equal(coh_attr_units_count(u), 1);
	assert_string_equal(coh_attr_unit_name(u, 0), "shock");
	assert_string_equal(coh_attr_unit_label(u, 0), "5 shock events");
	coh_attr_units_free(u);
	assert_int_equal(coh_attr_units_build(&u, m, COH_ATTR_GENERATOR,
					      &err), 0);
	assert_int_equal(coh_attr_units_count(u), 0);
	assert_int_equal(coh_attr_unit_of_event(u, 0), -1);
	coh_attr_units_free(u);
	assert_int_equal(coh_attr_units_build(&u, m, COH_ATTR_FRAGMENT,
					      &err), 0);
	assert_int_equal(coh_attr_units_count(u), 1);
	assert_string_equal(coh_attr_unit_name(u, 0), SHOCKS);
	coh_attr_units_free(u);
	coh_scenario_free(sc);
	assert_int_equal(coh_attr_by_lookup("fragment"), COH_ATTR_FRAGMENT);
	assert_int_equal(coh_attr_by_lookup("events"), -1);
	assert_int_equal(coh_attr_method_lookup("shapley"), COH_ATTR_SHAPLEY);
	assert_int_equal(coh_attr_method_lookup("ledger"), COH_ATTR_LEDGER);
	assert_int_equal(coh_attr_method_lookup("banzhaf"), -1);
	coh_attr_plan *plan = NULL;
	assert_int_equal(coh_attr_plan_alloc(&plan, COH_ATTR_LEDGER, 3, 0, 1,
					     &err), COH_EUSAGE);
	assert_null(plan);
}

/* A request goes with the responses that answer it: removing any one
 * unit of the CSTO baseline leaves a model the engine accepts, and a
 * request's unit holds more events than the request. */
static void test_requests_take_their_responses(void **state)
{
	(void)state;
	coh_error err = {0};
	coh_scenario *sc = load(CSTO, NULL);
	const coh_model *m = coh_scenario_model(sc);
	coh_attr_units *u;
	assert_int_equal(coh_attr_units_build(&u, m, COH_ATTR_EVENT, &err), 0);
	size_t n = coh_attr_units_count(u);
	assert_int_equal(n, m->n_events);
	unsigned char *keep = malloc(n);
	size_t with_responses = 0;
	for (size_t k = 0; k < n; k++) {
		memset(keep, 1, n);
		keep[k] = 0;
		coh_model without;
		assert_int_equal(coh_attr_model(&without, u, keep, &err), 0);
		if (coh_model_check(&without, &err) != 0)
			fail_msg("without %s: %s", coh_attr_unit_name(u, k),
				 err.message);
		if (m->events[k].type == COH_EV_ASSISTANCE_REQUEST &&
		    without.n_events < m->n_events - 1)
			with_responses++;
		if (m->events[k].type != COH_EV_ASSISTANCE_REQUEST)
			assert_int_equal(without.n_events, m->n_events - 1);
		coh_attr_model_release(&without);
	}
	assert_true(with_responses > 0);
	/* removing every request removes every response */
	coh_attr_units_free(u);
	assert_int_equal(coh_attr_units_build(&u, m, COH_ATTR_TYPE, &err), 0);
	n = coh_attr_units_count(u);
	for (size_t k = 0; k < n; k++) {
		memset(keep, 1, n);
		keep[k] = strcmp(coh_attr_unit_name(u, k),
				 "assistance_request") != 0;
		if (keep[k])
			continue;
		coh_model without;
		assert_int_equal(coh_attr_model(&without, u, keep, &err), 0);
		for (size_t e = 0; e < without.n_events; e++)
			assert_true(without.events[e].type !=
				    COH_EV_ASSISTANCE_RESPONSE);
		/* ... yet a response is the response type's own, as the
		 * ledger credits it */
		for (size_t e = 0; e < m->n_events; e++) {
			long o = coh_attr_unit_of_event(u, e);
			assert_true(o >= 0);
			assert_string_equal(coh_attr_unit_name(u, (size_t)o),
				coh_event_type_name(m->events[e].type));
		}
		assert_int_equal(coh_model_check(&without, &err), 0);
		coh_attr_model_release(&without);
	}
	free(keep);
	coh_attr_units_free(u);
	coh_scenario_free(sc);
}

/*--- Closed forms on shocks.cfg -----------------------------------------*/

/* The shocks of shocks.cfg, in file order: member and delta.  No
 * relaxation, no thresholds, no spillover: a negative delta multiplies
 * the commitment by 1 + delta, a positive one moves it delta of the way
 * to 1 (the bounded impact rule). */
static const struct { int member; double delta; } shocks[] = {
	{0, -0.2}, {1, -0.3}, {0, -0.3}, {1, -0.2}, {2, 0.4}};
static const double initial[] = {0.8, 0.8, 0.6};

/* mean commitment at the end with only the shocks in mask */
static double closed_mean(unsigned mask)
{
	double c[3] = {initial[0], initial[1], initial[2]};
	for (int k = 0; k < 5; k++) {
		if (!(mask >> k & 1))
			continue;
		double *x = &c[shocks[k].member], d = shocks[k].delta;
		*x = d < 0 ? *x * (1 + d) : *x + (1 - *x) * d;
	}
	return (c[0] + c[1] + c[2]) / 3;
}

static void test_removal_closed_form(void **state)
{
	(void)state;
	coh_error err = {0};
	coh_scenario *sc = load(SHOCKS, NULL);
	const coh_model *m = coh_scenario_model(sc);
	coh_attr_units *u;
	coh_attr_plan *plan;
	assert_int_equal(coh_attr_units_build(&u, m, COH_ATTR_EVENT, &err), 0);
	assert_int_equal(coh_attr_plan_alloc(&plan, COH_ATTR_REMOVAL, 5, 0, 1,
					     &err), 0);
	assert_int_equal(coh_attr_plan_coalitions(plan), 7);
	double *v = run_plan(m, u, plan, "mean@end", 1, 1);
	coh_attr_acc *acc;
	assert_int_equal(coh_attr_acc_alloc(&acc, plan, 0, &err), 0);
	coh_attr_acc_add(acc, v);
	double sum = 0;
	for (unsigned k = 0; k < 5; k++) {
		double want = closed_mean(31) - closed_mean(31 & ~(1u << k));
		coh_attr_estimate e = coh_attr_acc_unit(acc, k);
		expect_close(e.effect, want, 1e-12, coh_attr_unit_name(u, k));
		assert_true(isnan(e.ci_lo) && isnan(e.pn));
		sum += want;
	}
	/* A: 0.8 * 0.8 * 0.7 = 0.448; without its first shock 0.56 */
	expect_close(coh_attr_acc_unit(acc, 0).effect, (0.448 - 0.56) / 3,
		     1e-12, "A's first shock");
	double total = closed_mean(31) - closed_mean(0);
	expect_close(coh_attr_acc_total(acc).effect, total, 1e-12, "total");
	expect_close(coh_attr_acc_rest(acc).effect, total - sum, 1e-12,
		     "interactions");
	/* the multiplicative shocks interact: the rest is not 0 */
	assert_true(fabs(total - sum) > 1e-3);
	coh_attr_acc_free(acc);
	coh_attr_plan_free(plan);
	coh_attr_units_free(u);
	free(v);
	coh_scenario_free(sc);
}

static void test_exact_shapley_enumeration(void **state)
{
	(void)state;
	coh_error err = {0};
	coh_scenario *sc = load(SHOCKS, NULL);
	const coh_model *m = coh_scenario_model(sc);
	coh_attr_units *u;
	coh_attr_plan *plan;
	assert_int_equal(coh_attr_units_build(&u, m, COH_ATTR_EVENT, &err), 0);
	assert_int_equal(coh_attr_plan_alloc(&plan, COH_ATTR_SHAPLEY, 5, 0, 1,
					     &err), 0);
	assert_int_equal(coh_attr_plan_coalitions(plan), 32);
	double *v = run_plan(m, u, plan, "mean@end", 1, 2);
	coh_attr_acc *acc;
	assert_int_equal(coh_attr_acc_alloc(&acc, plan, 0, &err), 0);
	coh_attr_acc_add(acc, v);
	/* the Shapley value by its definition, over the 5! orders */
	static const double fact[] = {1, 1, 2, 6, 24, 120};
	for (unsigned k = 0; k < 5; k++) {
		double phi = 0;
		for (unsigned s = 0; s < 32; s++) {
			if (s >> k & 1)
				continue;
			int size = __builtin_popcount(s);
			phi += fact[size] * fact[4 - size] / fact[5] *
			       (closed_mean(s | 1u << k) - closed_mean(s));
		}
		expect_close(coh_attr_acc_unit(acc, k).effect, phi, 1e-9,
			     coh_attr_unit_name(u, k));
	}
	/* two shocks on A: the halves of the interaction, hand-computed:
	 * phi = ((0.64 - 0.8) + (0.448 - 0.56)) / 2 / 3 */
	expect_close(coh_attr_acc_unit(acc, 0).effect,
		     (-0.16 - 0.112) / 2 / 3, 1e-12, "A's first shock");
	expect_close(coh_attr_acc_rest(acc).effect, 0, 1e-12, "efficiency");
	coh_attr_acc_free(acc);
	coh_attr_plan_free(plan);
	coh_attr_units_free(u);
	free(v);
	coh_scenario_free(sc);
}

/* sum phi = Q(all) - Q(none) in every replication of generator.cfg, by
 * generator exactly and by event over sampled permutations; and the
 * values are the same bits at 1 and 3 threads. */
static void check_efficiency(coh_attr_by by, uint64_t perms, const char *q)
{
	coh_error err = {0};
	coh_scenario *sc = load(GEN, "30");
	const coh_model *m = coh_scenario_model(sc);
	coh_attr_units *u;
	coh_attr_plan *plan;
	assert_int_equal(coh_attr_units_build(&u, m, by, &err), 0);
	size_t n = coh_attr_units_count(u);
	assert_int_equal(n, 3);
	assert_int_equal(coh_attr_plan_alloc(&plan, COH_ATTR_SHAPLEY, n, perms,
					     m->seed, &err), 0);
	size_t nc = coh_attr_plan_coalitions(plan);
	double *v = run_plan(m, u, plan, q, 30, 1);
	double *v3 = run_plan(m, u, plan, q, 30, 3);
	assert_memory_equal(v, v3, 30 * nc * sizeof(double));
	size_t varied = 0;
	for (size_t r = 0; r < 30; r++) {
		double phi[3], total, sum = 0;
		coh_attr_plan_values(plan, &v[r * nc], phi, &total);
		for (size_t k = 0; k < n; k++)
			sum += phi[k];
		if (!(fabs(sum - total) <= 1e-12)) {
			print_error("replication %zu (seed %llu): sum %.17g, "
				    "total %.17g\n", r,
				    (unsigned long long)m->seed, sum, total);
			fail();
		}
		varied += total != 0;
	}
	assert_true(varied > 0);        /* the identity is not 0 = 0 */
	coh_attr_plan_free(plan);
	coh_attr_units_free(u);
	free(v);
	free(v3);
	coh_scenario_free(sc);
}

static void test_efficiency_every_replication(void **state)
{
	(void)state;
	check_efficiency(COH_ATTR_GENERATOR, 0, "commitment:S@end");
	check_efficiency(COH_ATTR_EVENT, 4, "commitment:S@end");
	check_efficiency(COH_ATTR_GENERATOR, 6, "cohesion@end");
}

/* Each permutation is followed by its reverse, and the draw depends on
 * the seed alone. */
static void test_permutations(void **state)
{
	(void)state;
	coh_error err = {0};
	coh_attr_plan *a, *b, *c;
	assert_int_equal(coh_attr_plan_alloc(&a, COH_ATTR_SHAPLEY, 12, 20, 7,
					     &err), 0);
	assert_int_equal(coh_attr_plan_alloc(&b, COH_ATTR_SHAPLEY, 12, 20, 7,
					     &err), 0);
	assert_int_equal(coh_attr_plan_alloc(&c, COH_ATTR_SHAPLEY, 12, 20, 8,
					     &err), 0);
	size_t nc = coh_attr_plan_coalitions(a);
	assert_int_equal(nc, 2 + 20 * 11);
	int differ = 0;
	for (size_t k = 0; k < nc; k++) {
		assert_memory_equal(coh_attr_plan_keep(a, k),
				    coh_attr_plan_keep(b, k), 12);
		differ |= memcmp(coh_attr_plan_keep(a, k),
				 coh_attr_plan_keep(c, k), 12) != 0;
	}
	assert_true(differ);
	/* the first k of a permutation and the first 12 - k of its reverse
	 * are complements */
	for (size_t k = 1; k < 12; k++) {
		const unsigned char *x = coh_attr_plan_keep(a, 2 + (k - 1));
		const unsigned char *y = coh_attr_plan_keep(a, 2 + 11 +
							    (12 - k - 1));
		for (size_t i = 0; i < 12; i++)
			assert_int_equal(x[i] + y[i], 1);
	}
	coh_attr_plan_free(a);
	coh_attr_plan_free(b);
	coh_attr_plan_free(c);
	assert_int_equal(coh_attr_plan_alloc(&a, COH_ATTR_SHAPLEY, 11, 0, 7,
					     &err), COH_EUSAGE);
	assert_int_equal(coh_attr_plan_alloc(&a, COH_ATTR_SHAPLEY, 5, 3, 7,
					     &err), COH_EUSAGE);
	assert_int_equal(coh_attr_plan_alloc(&a, COH_ATTR_REMOVAL, 0, 0, 7,
					     &err), COH_EUSAGE);
}

/* Every allocation failing in turn: COH_ENOMEM, nothing half made, no
 * leak (make check runs this under AddressSanitizer). */
static void test_out_of_memory(void **state)
{
	(void)state;
	coh_scenario *sc = load(CSTO, NULL);
	const coh_model *m = coh_scenario_model(sc);
	int done = 0;
	for (long n = 0; !done; n++) {
		coh_error err = {0};
		coh_attr_units *u = NULL;
		coh_attr_plan *plan = NULL;
		coh_attr_acc *acc = NULL;
		coh_model without = {0};
		unsigned char keep[64];
		coh_alloc_fail_after(n);
		int rc = coh_attr_units_build(&u, m, COH_ATTR_EVENT, &err);
		if (!rc)
			rc = coh_attr_plan_alloc(&plan, COH_ATTR_SHAPLEY,
						 coh_attr_units_count(u), 4, 1,
						 &err);
		if (!rc)
			rc = coh_attr_acc_alloc(&acc, plan, 1, &err);
		if (!rc) {
			assert_true(coh_attr_units_count(u) <= sizeof keep);
			memset(keep, 1, sizeof keep);
			keep[0] = 0;
			rc = coh_attr_model(&without, u, keep, &err);
		}
		coh_alloc_fail_after(-1);
		if (rc)
			assert_int_equal(rc, COH_ENOMEM);
		else
			done = 1;
		coh_attr_model_release(&without);
		coh_attr_acc_free(acc);
		coh_attr_plan_free(plan);
		coh_attr_units_free(u);
		assert_true(n < 10000);
	}
	coh_scenario_free(sc);
}

/*--- Through the binary -------------------------------------------------*/

/*--- Intervals ----------------------------------------------------------*/

/* PN's interval is Wilson's score interval of pn_k of pn_n, checked here
 * against its textbook form (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) /
 * (1 + z^2/n) on hand-made removal values. */
static void test_pn_wilson(void **state)
{
	(void)state;
	coh_error err = {0};
	coh_attr_plan *plan;
	coh_attr_acc *acc;
	assert_int_equal(coh_attr_plan_alloc(&plan, COH_ATTR_REMOVAL, 2, 0, 1,
					     &err), 0);
	assert_int_equal(coh_attr_acc_alloc(&acc, plan, 1, &err), 0);
	/* coalitions: all, without 0, without 1, none.  Q(all) = 1 in 13
	 * of 17 replications; unit 0 is necessary in 5 of those 13 */
	for (int r = 0; r < 17; r++) {
		double v[4] = {r < 13, r < 5 ? 0 : 1, 1, 0};
		if (r >= 13)
			v[1] = 0;
		coh_attr_acc_add(acc, v);
	}
	double z = 1.959963984540054, n = 13, k = 5, p = k / n;
	double mid = (p + z * z / (2 * n)) / (1 + z * z / n);
	double half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) /
		      (1 + z * z / n);
	coh_attr_estimate e = coh_attr_acc_unit(acc, 0);
	assert_int_equal(e.pn_n, 13);
	assert_int_equal(e.pn_k, 5);
	expect_close(e.pn, p, 1e-15, "PN");
	expect_close(e.pn_lo, mid - half, 1e-12, "PN's Wilson low end");
	expect_close(e.pn_hi, mid + half, 1e-12, "PN's Wilson high end");
	e = coh_attr_acc_unit(acc, 1);  /* never necessary: [0, upper] */
	assert_int_equal(e.pn_k, 0);
	expect_close(e.pn_lo, 0, 0, "PN 0 of 13, low end");
	expect_close(e.pn_hi, z * z / (n + z * z), 1e-12,
		     "PN 0 of 13, high end");
	/* removal keeps its t interval: the bootstrap changes nothing */
	coh_attr_estimate before = coh_attr_acc_unit(acc, 0);
	assert_int_equal(coh_attr_acc_bootstrap(acc, 1, &err), 0);
	e = coh_attr_acc_unit(acc, 0);
	assert_true(e.ci_lo == before.ci_lo && e.ci_hi == before.ci_hi);
	coh_attr_acc_free(acc);
	coh_attr_plan_free(plan);
}

/* Shapley's bootstrap interval: percentiles of resampled means, so within
 * the range of the values, around the mean, close to the t interval for
 * values spread evenly, degenerate for a constant, the same bits for the
 * same seed and other bits for another. */
static void test_shapley_bootstrap(void **state)
{
	(void)state;
	coh_error err = {0};
	coh_attr_plan *plan;
	assert_int_equal(coh_attr_plan_alloc(&plan, COH_ATTR_SHAPLEY, 2, 0, 1,
					     &err), 0);
	coh_attr_acc *a[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(coh_attr_acc_alloc(&a[i], plan, 0, &err), 0);
	/* exact coalitions by bit mask: none, {0}, {1}, all.  Additive:
	 * phi_0 = x_r, phi_1 = 0.25 in every replication */
	for (int r = 0; r < 200; r++) {
		double x = (double)((r * 37) % 100) / 100.0;
		double v[4] = {0, x, 0.25, x + 0.25};
		for (int i = 0; i < 3; i++)
			coh_attr_acc_add(a[i], v);
	}
	coh_attr_estimate t = coh_attr_acc_unit(a[0], 0);
	assert_int_equal(coh_attr_acc_bootstrap(a[0], 11, &err), 0);
	assert_int_equal(coh_attr_acc_bootstrap(a[1], 11, &err), 0);
	assert_int_equal(coh_attr_acc_bootstrap(a[2], 12, &err), 0);
	coh_attr_estimate b = coh_attr_acc_unit(a[0], 0);
	coh_attr_estimate same = coh_attr_acc_unit(a[1], 0);
	coh_attr_estimate other = coh_attr_acc_unit(a[2], 0);
	print_message("bootstrap seeds 11 and 12: [%.6f, %.6f] and "
		      "[%.6f, %.6f]; t: [%.6f, %.6f]\n", b.ci_lo, b.ci_hi,
		      other.ci_lo, other.ci_hi, t.ci_lo, t.ci_hi);
	expect_close(b.effect, 0.495, 1e-12, "the mean");
	assert_true(b.ci_lo < b.effect && b.effect < b.ci_hi);
	assert_true(b.ci_lo != t.ci_lo);
	/* 1000 resamples: each end within 15% of the t interval's width */
	double width = t.ci_hi - t.ci_lo;
	expect_close(b.ci_lo, t.ci_lo, 0.15 * width, "low end, seed 11");
	expect_close(b.ci_hi, t.ci_hi, 0.15 * width, "high end, seed 11");
	assert_true(same.ci_lo == b.ci_lo && same.ci_hi == b.ci_hi);
	assert_true(other.ci_lo != b.ci_lo || other.ci_hi != b.ci_hi);
	coh_attr_estimate c = coh_attr_acc_unit(a[0], 1);
	expect_close(c.ci_lo, 0.25, 1e-15, "a constant's low end");
	expect_close(c.ci_hi, 0.25, 1e-15, "a constant's high end");
	coh_attr_estimate rest = coh_attr_acc_rest(a[0]);
	expect_close(rest.ci_lo, 0, 1e-15, "efficiency's rest");
	for (int i = 0; i < 3; i++)
		coh_attr_acc_free(a[i]);
	coh_attr_plan_free(plan);
}

/*--- Through the binary --------------------------------------------------*/

static void test_cli_jobs_same_bytes(void **state)
{
	const char *dir = *state;
	static const char *const methods[] = {"removal", "shapley"};
	for (size_t k = 0; k < 2; k++) {
		char a[PATH_MAX], b[PATH_MAX];
		snprintf(a, sizeof a, "%s/j1-%zu", dir, k);
		snprintf(b, sizeof b, "%s/j2-%zu", dir, k);
		bin_result r;
		bin_run(&r, "attribute", GEN, "--by", "generator", "--method",
			methods[k], "-r", "40", "-j", "1", "-o", a, "--qoi",
			"frozen_by:S@end", "--qoi", "commitment:S@2021-06-01",
			NULL);
		bin_expect_status(&r, 0);
		assert_non_null(strstr(r.out, "frozen_by:S@end by generator"));
		bin_result_free(&r);
		bin_run(&r, "attribute", GEN, "--by", "generator", "--method",
			methods[k], "-r", "40", "-j", "2", "-o", b, "--qoi",
			"frozen_by:S@end", "--qoi", "commitment:S@2021-06-01",
			"-q", NULL);
		bin_expect_status(&r, 0);
		assert_string_equal(r.out, "");
		bin_result_free(&r);
		char *x = bin_slurp(bin_path(a, "attribution.csv"), NULL);
		char *y = bin_slurp(bin_path(b, "attribution.csv"), NULL);
		assert_non_null(x);
		assert_non_null(y);
		assert_string_equal(x, y);
		char *bx = bin_slurp(bin_path(a, "attribution-bars.csv"), NULL);
		char *by = bin_slurp(bin_path(b, "attribution-bars.csv"), NULL);
		assert_non_null(bx);
		assert_non_null(by);
		assert_string_equal(bx, by);
		free(bx);
		free(by);
		assert_true(strncmp(x, "qoi,unit,label,method,effect,ci_lo,"
				    "ci_hi,pn,pn_lo,pn_hi\n", 53) == 0);
		/* 3 units, the total and (removal) the interactions, per QoI */
		size_t lines = 0;
		for (const char *p = x; *p; p++)
			lines += *p == '\n';
		assert_int_equal(lines, 1 + 2 * (3 + 1 + (k == 0)));
		assert_true((strstr(x, "(interactions)") != NULL) == (k == 0));
		/* PN only for the indicator under removal: S freezes in
		 * every replication of the whole scenario (PN = the effect),
		 * and the other generators are never necessary */
		assert_true((strstr(x, ",0.45,0.30705307810904") != NULL) ==
			    (k == 0));
		/* 0 of 40: Wilson's upper end z^2 / (40 + z^2) */
		assert_true((strstr(x, "2 a year\",removal,0,0,0,0,0,"
				    "0.0876216011972866") != NULL) == (k == 0));
		assert_null(strstr(x, "commitment:S@2021-06-01,generators"
				      ".[0],\"third_party_exercise S (Y), "
				      "6 a year\",removal,-0.3284512032628735,"
				      "-0.3558960404885252,-0.30100636603722186,"
				      "0"));
		free(x);
		free(y);
		char *manifest = bin_slurp(bin_path(a, "manifest.json"), NULL);
		assert_non_null(manifest);
		assert_non_null(strstr(manifest, "\"attribution.csv\""));
		free(manifest);
	}
}

static void test_cli_bad_input(void **state)
{
	const char *dir = *state;
	char many[PATH_MAX], out[PATH_MAX];
	/* eleven shocks: too many units for exact Shapley */
	snprintf(many, sizeof many, "%s/many.cfg", dir);
	char text[4096];
	int len = snprintf(text, sizeof text,
		"version = 1;\n"
		"scenario: { name = \"many\"; start = \"2020-01-01\"; "
		"end = \"2020-12-31\"; seed = 1; replications = 1; };\n"
		"model: { half_life = 0.0; freeze = 0.0; exit = 0.0; };\n"
		"members = ( { id = \"A\"; power = 1.0; commitment = 0.8; } );\n"
		"events = (\n");
	for (int k = 0; k < 11; k++)
		len += snprintf(text + len, sizeof text - (size_t)len,
				"%s{ date = \"2020-02-%02d\"; type = \"shock\"; "
				"member = \"A\"; delta = -0.01; }\n",
				k ? ", " : "", k + 1);
	snprintf(text + len, sizeof text - (size_t)len, ");\n");
	assert_int_equal(bin_write_file(many, text), 0);
	snprintf(out, sizeof out, "%s/never", dir);
	static const struct {
		const char *scenario, *a1, *a2, *qoi, *message;
	} cases[] = {
		{SHOCKS, "--by", "generator", "mean@end",
		 "--by generator: the scenario has no generators, so there "
		 "is nothing to attribute"},
		{SHOCKS, "--by", "event", "commitment@end",
		 "--qoi 'commitment@end': commitment needs a member, as "
		 "commitment:ID; members are A, B, C"},
		{NULL, "--method", "shapley", "commitment:A@end",
		 "--method shapley: 11 units are too many to enumerate every "
		 "coalition (at most 10); sample permutations with "
		 "--permutations N, e.g. 200"},
		{SHOCKS, "--by", "member", "mean@end",
		 "--by expects event, type, fragment or generator, got "
		 "\"member\""},
		{SHOCKS, "--method", "banzhaf", "mean@end",
		 "--method expects removal, shapley or ledger, got "
		 "\"banzhaf\""},
		{SHOCKS, "--method", "ledger", "mean@end",
		 "--method ledger: --qoi 'mean@end' names no member; the "
		 "ledger splits one member's change of commitment, so it "
		 "needs commitment:ID@WHEN"},
		{SHOCKS, "--method", "ledger", "exited:A@end",
		 "--method ledger: --qoi 'exited:A@end' is not a commitment; "
		 "the ledger splits one member's change of commitment, so it "
		 "needs commitment:ID@WHEN"},
		{SHOCKS, "--from", "2020-03-01", "commitment:A@end",
		 "--from goes with --method ledger"},
		{SHOCKS, "--permutations", "7", "mean@end",
		 "--permutations expects an even number from 2 to 1000000 "
		 "(each permutation comes with its reverse), got \"7\""},
		{SHOCKS, "--permutations", "8", "mean@end",
		 "--permutations goes with --method shapley"},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		bin_result r;
		bin_run(&r, "attribute", cases[k].scenario ? cases[k].scenario
			: many, cases[k].a1, cases[k].a2, "--qoi",
			cases[k].qoi, "-o", out, NULL);
		char want[1024];
		snprintf(want, sizeof want, "cohesim: attribute: %s\n"
			 "Try 'cohesim attribute --help'.\n",
			 cases[k].message);
		bin_expect_status(&r, 2);
		assert_string_equal(r.err, want);
		assert_string_equal(r.out, "");
		bin_result_free(&r);
		assert_false(bin_exists(out));
	}
	bin_result r;
	bin_run(&r, "attribute", SHOCKS, "-o", out, NULL);
	bin_expect_status(&r, 2);
	assert_string_equal(r.err, "cohesim: attribute: missing --qoi: "
			    "attribute explains at least one quantity of "
			    "interest, e.g. --qoi exited:ID@end\n"
			    "Try 'cohesim attribute --help'.\n");
	bin_result_free(&r);
	/* with permutations, eleven units are fine */
	bin_run(&r, "attribute", many, "--method", "shapley",
		"--permutations", "4", "--qoi", "commitment:A@end", "-o", out,
		"-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_exists(bin_path(out, "attribution.csv")));
}

/* The figure's data: the largest 15 units by |effect|, then the others as
 * one bar whose effect is the sum of theirs; and the figure itself. */
static void test_cli_figure_data(void **state)
{
	const char *dir = *state;
	bin_result r;
	bin_run(&r, "attribute", CSTO, "--by", "event", "-r", "4", "-o", dir,
		"--qoi", "commitment:ARM@2024-06-01", "--plot", "svg", "-q",
		NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table all, bars;
	assert_int_equal(csv_load(&all, bin_path(dir, "attribution.csv")), 0);
	assert_int_equal(csv_load(&bars, bin_path(dir,
						  "attribution-bars.csv")), 0);
	assert_string_equal(csv_header_line(&bars),
			    "qoi,rank,unit,label,effect,ci_lo,ci_hi");
	size_t n_units = all.n_rows - 2;        /* (total), (interactions) */
	assert_true(n_units > 15);
	assert_int_equal(bars.n_rows, 16);
	int eff = csv_col(&all, "effect"), beff = csv_col(&bars, "effect");
	double shown = 0, sum = 0, last = INFINITY;
	for (size_t k = 0; k < 15; k++) {
		double e = csv_num(csv_get(&bars, k, beff));
		assert_true(fabs(e) <= last);   /* sorted by |effect| */
		last = fabs(e);
		shown += e;
		assert_int_equal(atoi(csv_get(&bars, k, 1)), (int)k + 1);
	}
	for (size_t k = 0; k < n_units; k++)
		sum += csv_num(csv_get(&all, k, eff));
	char others[32];
	snprintf(others, sizeof others, "(%zu others)", n_units - 15);
	assert_string_equal(csv_get(&bars, 15, 2), others);
	expect_close(csv_num(csv_get(&bars, 15, beff)), sum - shown, 1e-12,
		     "the others' bar");
	csv_free(&all);
	csv_free(&bars);
	char *manifest = bin_slurp(bin_path(dir, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"attribution-bars.csv\""));
	assert_non_null(strstr(manifest, "\"attribution.gp\""));
	free(manifest);
	assert_true(bin_exists(bin_path(dir, "attribution.gp")));
}

/* --method ledger: the closed form of ledger-spill.cfg (B's whole change,
 * 0.8 * 0.72 - 0.8, is the defeat's spillover), the rows adding up to
 * the total row on a stochastic scenario, the same bytes at -j 1 and -j 2,
 * and the usage errors only the ledger has (the last two not under
 * valgrind). */
static double row_effect(const csv_table *t, const char *unit)
{
	int eff = csv_col(t, "effect"), col = csv_col(t, "unit");
	for (size_t k = 0; k < t->n_rows; k++)
		if (strcmp(csv_get(t, k, col), unit) == 0)
			return csv_num(csv_get(t, k, eff));
	fail_msg("no row %s", unit);
	return NAN;
}

/* Under valgrind (COH_WRAP set: bin_under_valgrind) the checks that only
 * compare messages or repeat a run at another -j are left out, to keep the
 * suite's valgrind pass short: the plain and ASan passes make them. */

static void test_cli_ledger(void **state)
{
	const char *dir = *state;
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
	snprintf(a, sizeof a, "%s/spill", dir);
	snprintf(b, sizeof b, "%s/j1", dir);
	snprintf(c, sizeof c, "%s/j2", dir);
	bin_result r;
	bin_run(&r, "attribute", "tests/scenarios/ledger-spill.cfg", "--method",
		"ledger", "--qoi", "commitment:B@end", "-o", a, "--plot",
		"none", "-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(a, "attribution.csv")), 0);
	assert_string_equal(csv_header_line(&t), "qoi,unit,label,method,"
			    "effect,ci_lo,ci_hi,pn,pn_lo,pn_hi");
	assert_string_equal(csv_get(&t, 0, csv_col(&t, "method")), "ledger");
	expect_close(row_effect(&t, "events.[0]"), 0.8 * 0.72 - 0.8, 1e-15,
		     "the defeat's spillover onto B");
	expect_close(row_effect(&t, "(total)"), 0.8 * 0.72 - 0.8, 1e-15,
		     "B's change");
	expect_close(row_effect(&t, "relaxation"), 0, 0, "relaxation");
	expect_close(row_effect(&t, "influence"), 0, 0, "influence");
	csv_free(&t);

	/* seed 7 of the scenario; M is moved by every kind of cause */
	const char *qoi[] = {"commitment:M@end", "commitment:S@2021-06-01"};
	bin_run(&r, "attribute", LEDGER, "--method", "ledger", "--by", "type",
		"--qoi", qoi[0], "--qoi", qoi[1], "--from", "2020-02-01",
		"-r", "12", "-j", "1", "-o", b, "--plot", "none", "-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	if (!bin_under_valgrind()) {
		bin_run(&r, "attribute", LEDGER, "--method", "ledger", "--by",
			"type", "--qoi", qoi[0], "--qoi", qoi[1], "--from",
			"2020-02-01", "-r", "12", "-j", "2", "-o", c, "--plot",
			"none", "-q", NULL);
		bin_expect_status(&r, 0);
		bin_result_free(&r);
		char *x = strdup(bin_path(b, "attribution.csv"));
		assert_true(bin_same_file(x, bin_path(c, "attribution.csv")));
		free(x);
	}
	assert_int_equal(csv_load(&t, bin_path(b, "attribution.csv")), 0);
	int q = csv_col(&t, "qoi"), unit = csv_col(&t, "unit");
	int eff = csv_col(&t, "effect");
	for (size_t k = 0; k < 2; k++) {
		double sum = 0, total = NAN;
		int seen_relax = 0, seen_generated = 0;
		for (size_t i = 0; i < t.n_rows; i++) {
			if (strcmp(csv_get(&t, i, q), qoi[k]) != 0)
				continue;
			const char *u = csv_get(&t, i, unit);
			double e = csv_num(csv_get(&t, i, eff));
			seen_relax |= strcmp(u, "relaxation") == 0;
			seen_generated |= strncmp(u, "(generated ", 11) == 0;
			if (strcmp(u, "(total)") == 0)
				total = e;
			else
				sum += e;
		}
		assert_true(seen_relax && seen_generated);
		assert_true(fabs(total) > 0.01);
		/* means of parts that add up in every replication add up to
		 * the mean change, up to rounding */
		expect_close(sum, total, 1e-12, "the rows' sum (seed 7)");
	}
	csv_free(&t);

	snprintf(a, sizeof a, "%s/never", dir);
	static const struct {
		const char *args[6], *message;
	} cases[] = {
		{{"--method", "ledger", "--by", "generator", "--qoi",
		  "commitment:M@end"},
		 "--method ledger: the ledger credits a generated event to "
		 "its type, not to the generator that made it; use --by "
		 "event, type or fragment"},
		{{"--method", "ledger", "--from", "2021-01-01", "--qoi",
		  "commitment:M@2020-06-01"},
		 "--from 2021-01-01 is not before the day of --qoi "
		 "'commitment:M@2020-06-01'"},
		{{"--method", "ledger", "--from", "2019-01-01", "--qoi",
		  "commitment:M@end"},
		 "--from 2019-01-01 is outside the scenario (its start to its "
		 "end)"},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases &&
			   !bin_under_valgrind(); k++) {
		const char *const *x = cases[k].args;
		bin_run(&r, "attribute", LEDGER, x[0], x[1], x[2], x[3], x[4],
			x[5], "-o", a, NULL);
		char want[1024];
		snprintf(want, sizeof want, "cohesim: attribute: %s\n"
			 "Try 'cohesim attribute --help'.\n",
			 cases[k].message);
		bin_expect_status(&r, 2);
		assert_string_equal(r.err, want);
		bin_result_free(&r);
		assert_false(bin_exists(a));
	}
}

/* kill -9 part-way, a torn last record, then --resume: the bytes of a run
 * never interrupted (that one at -j 2, the killed one at -j 1), and the
 * checkpoint gone.  Without --resume, or with other settings, the folder
 * is refused.  Under valgrind (COH_WRAP set) fewer replications and
 * permutations (5 groups of coalitions instead of 23), and no refusals. */
static void test_cli_resume_after_kill(void **state)
{
	const char *dir = *state;
	const char *reps = bin_under_valgrind() ? "4" : "60";
	const char *perms = bin_under_valgrind() ? "4" : "20";
	char whole[PATH_MAX], cut[PATH_MAX], ckpt[PATH_MAX];
	snprintf(whole, sizeof whole, "%s/whole", dir);
	snprintf(cut, sizeof cut, "%s/cut", dir);
	snprintf(ckpt, sizeof ckpt, "%s/attribution.checkpoint", cut);
	const char *args[] = {"attribute", CSTO, "--method", "shapley",
			      "--permutations", perms, "--by", "type",
			      "--qoi", "commitment:ARM@2023-11-23", "--qoi",
			      "exited:ARM@end", "-r", reps, "--plot", "none",
			      "-q", "-j", "2", "-o", whole, NULL, NULL};
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(whole, "attribution.checkpoint")));

	args[18] = "1";
	args[20] = cut;
	bin_child c;
	assert_int_equal(bin_start(&c, NULL, args), 0);
	/* wait for a finished group of coalitions past the header line,
	 * then kill without warning */
	for (int tries = 0; tries < 20000; tries++) {
		struct stat st;
		if (stat(ckpt, &st) == 0 && st.st_size > 200)
			break;
		struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
	}
	kill(c.pid, SIGKILL);
	assert_int_equal(bin_wait(&c, &r), 0);
	bin_result_free(&r);
	assert_true(bin_exists(ckpt));
	assert_false(bin_exists(bin_path(cut, "attribution.csv")));
	/* a record cut short by the crash */
	FILE *fp = fopen(ckpt, "ab");
	assert_non_null(fp);
	fputs("torn", fp);
	fclose(fp);

	const char *more[32];
	size_t n = 0;
	for (; args[n]; n++)
		more[n] = args[n];
	more[n++] = "--resume";
	more[n] = NULL;
	/* not without --resume, not with other replications */
	if (!bin_under_valgrind()) {
		assert_true(bin_run_argv(&r, NULL, args) >= 0);
		bin_expect_status(&r, 1);
		char want[PATH_MAX + 200];
		snprintf(want, sizeof want, "cohesim: %s: holds an "
			 "unfinished attribution (attribution.checkpoint): add "
			 "--resume to finish it, or choose another -o\n", cut);
		assert_string_equal(r.err, want);
		bin_result_free(&r);
		more[13] = "7";
		assert_true(bin_run_argv(&r, NULL, more) >= 0);
		bin_expect_status(&r, 1);
		assert_non_null(strstr(r.err, "holds an unfinished attribution "
				       "started with other settings"));
		bin_result_free(&r);
	}

	more[13] = reps;
	more[18] = "2";
	assert_true(bin_run_argv(&r, NULL, more) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	static const char *const files[] = {"attribution.csv",
					    "attribution-bars.csv"};
	for (size_t i = 0; i < 2; i++) {
		char *a = strdup(bin_path(whole, files[i]));
		if (!bin_same_file(a, bin_path(cut, files[i])))
			fail_msg("%s differs after --resume", files[i]);
		free(a);
	}
	assert_false(bin_exists(ckpt));
}

/* --dry-run: the count of runs and the estimates on stdout, nothing on
 * the disk. */
static void test_cli_dry_run(void **state)
{
	const char *dir = *state;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/dry", dir);
	bin_result r;
	/* removal of 5 events: 7 coalitions of 12 replications */
	bin_run(&r, "attribute", SHOCKS, "--qoi", "mean@end", "-r", "12",
		"-j", "2", "-o", out, "--dry-run", NULL);
	bin_expect_status(&r, 0);
	assert_true(strncmp(r.out, "coalitions:   7 (removal, 5 units by "
			    "event)\nruns:         84 (12 replications of "
			    "each coalition)\ntime:         about ", 111) == 0);
	assert_non_null(strstr(r.out, "\ndisk:         about "));
	assert_string_equal(r.err, "");
	bin_result_free(&r);
	bin_run(&r, "attribute", LEDGER, "--qoi", "commitment:M@end",
		"--method", "ledger", "-r", "12", "-o", out, "--dry-run",
		NULL);
	bin_expect_status(&r, 0);
	assert_true(strncmp(r.out, "ledgers:      1 (one per --qoi), 5 "
			    "units by event\nruns:         12 (12 "
			    "replications of each ledger)\n", 87) == 0);
	bin_result_free(&r);
	assert_false(bin_exists(out));
}

/* Under mpirun -np 3 (rank 0 hands out groups of coalitions, two ranks
 * run them) the same bytes as one process.  Needs the MPI build (make
 * MPI=1, which .ci/run makes); COH_MPI_BIN names it.  Not under valgrind
 * (mpirun would not be wrapped anyway). */
static void test_cli_under_mpi(void **state)
{
	const char *dir = *state;
	const char *mpi_bin = getenv("COH_MPI_BIN");
	if (!mpi_bin || !bin_exists(mpi_bin) || bin_under_valgrind()) {
		print_message("no MPI build (COH_MPI_BIN), or valgrind; "
			      "skipped\n");
		skip();
	}
	char single[PATH_MAX], multi[PATH_MAX];
	snprintf(single, sizeof single, "%s/single", dir);
	snprintf(multi, sizeof multi, "%s/multi", dir);
	bin_result r;
	bin_run(&r, "attribute", CSTO, "--method", "shapley",
		"--permutations", "4", "--by", "type", "--qoi",
		"exited:ARM@end", "--qoi", "commitment:ARM@2024-06-01", "-r",
		"20", "-j", "1", "--plot", "none", "-q", "-o", single, NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char cmd[4096];
	snprintf(cmd, sizeof cmd,
		 "mpirun --oversubscribe %s -np 3 %s attribute %s --method "
		 "shapley --permutations 4 --by type --qoi exited:ARM@end "
		 "--qoi commitment:ARM@2024-06-01 -r 20 -j 1 --plot none -q "
		 "-o %s 2>&1", geteuid() == 0 ? "--allow-run-as-root" : "",
		 mpi_bin, CSTO, multi);
	assert_int_equal(system(cmd), 0);
	static const char *const files[] = {"attribution.csv",
					    "attribution-bars.csv"};
	for (size_t i = 0; i < 2; i++) {
		char *a = strdup(bin_path(single, files[i]));
		if (!bin_same_file(a, bin_path(multi, files[i])))
			fail_msg("%s differs under mpirun -np 3", files[i]);
		free(a);
	}
	assert_false(bin_exists(bin_path(multi, "attribution.checkpoint")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_requests_take_their_responses),
		cmocka_unit_test(test_removal_closed_form),
		cmocka_unit_test(test_exact_shapley_enumeration),
		cmocka_unit_test(test_efficiency_every_replication),
		cmocka_unit_test(test_permutations),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_pn_wilson),
		cmocka_unit_test(test_shapley_bootstrap),
		cmocka_unit_test_setup_teardown(test_cli_jobs_same_bytes,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_cli_bad_input, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_cli_figure_data,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_cli_ledger, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_cli_resume_after_kill,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_cli_dry_run, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_cli_under_mpi, bin_tmp_setup,
						bin_tmp_teardown),
	};
	/* COH_TEST_FILTER=test_cli_* runs only the tests it matches */
	if (getenv("COH_TEST_FILTER"))
		cmocka_set_test_filter(getenv("COH_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
