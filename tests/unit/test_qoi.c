/* Quantities of interest (src/analysis/qoi.c): the parser on every kind,
 * member lookup, dates and each error message; values on hand-made traces;
 * the estimators' intervals on known values and their coverage on draws
 * with a printed seed; and the engine's read days (coh_sim_set_reads). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cohesim.h"

/* Two members, 2020-01-01 to 2021-01-01 (366 days), samples every 50. */
static const char scenario_text[] =
	"version = 1;\n"
	"scenario: { name = \"q\"; start = \"2020-01-01\"; end = \"2021-01-01\";\n"
	"  seed = 1; replications = 1; };\n"
	"members = (\n"
	"  { id = \"ARM\"; name = \"A\"; power = 1.0; commitment = 0.9;\n"
	"    baseline = 0.3; half_life = 100.0; freeze = 0.0; exit = 0.0; },\n"
	"  { id = \"BLR\"; name = \"B\"; power = 1.0; commitment = 0.5;\n"
	"    baseline = 0.5; half_life = 100.0; freeze = 0.0; exit = 0.0; }\n"
	");\n"
	"output: { sample_every = 50.0; };\n";

static int load_setup(void **state)
{
	coh_scenario *sc = NULL;
	coh_diag diag = COH_DIAG_INIT;
	int rc = coh_scenario_load_string(&sc, scenario_text, "q.cfg", NULL,
					  &diag);
	if (rc) {
		for (size_t i = 0; i < diag.count; i++)
			fprintf(stderr, "%s\n", diag.items[i].message);
		coh_diag_clear(&diag);
		return -1;
	}
	*state = sc;
	return 0;
}

static int load_teardown(void **state)
{
	coh_scenario_free(*state);
	return 0;
}

static const coh_model *model_of(void **state)
{
	return coh_scenario_model(*state);
}

/*--- Parsing -------------------------------------------------------------*/

static void expect_parse(const coh_model *m, const char *text,
			 coh_qoi_kind kind, int member, double day,
			 int indicator)
{
	coh_qoi q;
	coh_error err = {0};
	int rc = coh_qoi_parse(&q, text, m, &err);
	if (rc) {
		print_error("%s: %s\n", text, err.message);
		fail();
	}
	assert_int_equal(q.kind, kind);
	assert_int_equal(q.member, member);
	assert_true(q.day == day);
	assert_int_equal(q.indicator, indicator);
	assert_string_equal(q.text, text);
}

static void test_every_kind(void **state)
{
	const coh_model *m = model_of(state);
	expect_parse(m, "cohesion@end", COH_QOI_COHESION, -1, 366, 0);
	expect_parse(m, "mean@end", COH_QOI_MEAN, -1, 366, 0);
	expect_parse(m, "min@end", COH_QOI_MIN, -1, 366, 0);
	expect_parse(m, "sd@end", COH_QOI_SD, -1, 366, 0);
	expect_parse(m, "active@end", COH_QOI_ACTIVE, -1, 366, 0);
	expect_parse(m, "frozen@end", COH_QOI_FROZEN, -1, 366, 0);
	expect_parse(m, "exited@end", COH_QOI_EXITED, -1, 366, 0);
	expect_parse(m, "reliability@end", COH_QOI_RELIABILITY, -1, 366, 0);
	expect_parse(m, "commitment:ARM@end", COH_QOI_COMMITMENT, 0, 366, 0);
	expect_parse(m, "frozen:BLR@end", COH_QOI_IS_FROZEN, 1, 366, 1);
	expect_parse(m, "exited:ARM@end", COH_QOI_IS_EXITED, 0, 366, 1);
	expect_parse(m, "active:BLR@end", COH_QOI_IS_ACTIVE, 1, 366, 1);
	expect_parse(m, "frozen_by:ARM@end", COH_QOI_FROZEN_BY, 0, 366, 1);
	expect_parse(m, "freeze_day:BLR@end", COH_QOI_FREEZE_DAY, 1, 366, 0);
	expect_parse(m, "exit_day:ARM@end", COH_QOI_EXIT_DAY, 0, 366, 0);
}

static void test_dates(void **state)
{
	const coh_model *m = model_of(state);
	expect_parse(m, "mean@2020-01-01", COH_QOI_MEAN, -1, 0, 0);
	/* 2020 is a leap year: 31 + 29 + 14 days */
	expect_parse(m, "commitment:ARM@2020-03-15", COH_QOI_COMMITMENT, 0, 74,
		     0);
	expect_parse(m, "mean@2021-01-01", COH_QOI_MEAN, -1, 366, 0);
	expect_parse(m, "mean@2020-12-31", COH_QOI_MEAN, -1, 365, 0);
}

static void expect_error(const coh_model *m, const char *text,
			 const char *message)
{
	coh_qoi q;
	memset(&q, 0x5a, sizeof q);
	coh_qoi before = q;
	coh_error err = {0};
	assert_int_equal(coh_qoi_parse(&q, text, m, &err), COH_EUSAGE);
	assert_int_equal(err.code, COH_EUSAGE);
	assert_string_equal(err.message, message);
	/* *out is set only on success */
	assert_memory_equal(&q, &before, sizeof q);
}

static void test_error_messages(void **state)
{
	const coh_model *m = model_of(state);
	expect_error(m, "commitment:XYZ@end",
		     "no member XYZ; members are ARM, BLR");
	expect_error(m, "commitment:@end",
		     "no member after ':'; members are ARM, BLR");
	expect_error(m, "commitment:arm@end",
		     "no member arm; members are ARM, BLR");
	expect_error(m, "commitment@end",
		     "commitment needs a member, as commitment:ID; members "
		     "are ARM, BLR");
	expect_error(m, "freeze_day@end",
		     "freeze_day needs a member, as freeze_day:ID; members "
		     "are ARM, BLR");
	expect_error(m, "cohesion:ARM@end",
		     "cohesion is a metric of the whole alliance and takes "
		     "no member");
	expect_error(m, "foo:ARM@end",
		     "unknown kind \"foo\"; kinds are cohesion, mean, min, sd, "
		     "active, frozen, exited, candidates, reliability, "
		     "commitment:ID, "
		     "frozen:ID, exited:ID, active:ID, frozen_by:ID, "
		     "freeze_day:ID, exit_day:ID");
	const char *syntax = "expected KIND[:MEMBER]@WHEN with WHEN end or "
			     "YYYY-MM-DD, e.g. commitment:ARM@end";
	expect_error(m, "frozen:ARM", syntax);
	expect_error(m, "", syntax);
	expect_error(m, "@end", syntax);
	expect_error(m, "mean@", "\"\" is not a time; expected end or a date "
		     "YYYY-MM-DD");
	expect_error(m, "mean@END", "\"END\" is not a time; expected end or a "
		     "date YYYY-MM-DD");
	expect_error(m, "mean@2020-02-30", "\"2020-02-30\" is not a time; "
		     "expected end or a date YYYY-MM-DD");
	expect_error(m, "mean@2020-1-5", "\"2020-1-5\" is not a time; "
		     "expected end or a date YYYY-MM-DD");
	expect_error(m, "mean@2019-12-31",
		     "2019-12-31 is before the scenario's start 2020-01-01");
	expect_error(m, "mean@2021-01-02",
		     "2021-01-02 is after the scenario's end 2021-01-01");
	char longer[200];
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	expect_error(m, longer, "longer than 127 characters");
}

/*--- Values and sets -----------------------------------------------------*/

static void test_values_on_a_trace(void **state)
{
	const coh_model *m = model_of(state);
	coh_qoi_set *set = NULL;
	coh_error err = {0};
	assert_int_equal(coh_qoi_set_alloc(&set, m, &err), 0);
	const char *texts[] = {
		"commitment:BLR@2020-06-01", "frozen:ARM@2020-03-01",
		"mean@2020-03-01", "frozen_by:ARM@2020-02-11",
		"frozen_by:ARM@2020-02-10", "freeze_day:ARM@end",
		"freeze_day:ARM@2020-02-10", "exit_day:BLR@end",
		"reliability@2020-03-01", "active@2020-06-01",
	};
	size_t n = sizeof texts / sizeof *texts;
	for (size_t k = 0; k < n; k++)
		assert_int_equal(coh_qoi_set_add(set, texts[k], &err), 0);
	assert_int_equal(coh_qoi_set_count(set), n);
	/* distinct read days, sorted; frozen_by, freeze_day and exit_day
	 * need none */
	size_t n_days;
	const double *days = coh_qoi_set_read_days(set, &n_days);
	assert_int_equal(n_days, 2);
	assert_true(days[0] == 60 && days[1] == 152);

	double c0[2] = {0.25, 0.75}, c1[2] = {0.125, 0.625};
	coh_status s0[2] = {COH_FROZEN, COH_ACTIVE};
	coh_status s1[2] = {COH_FROZEN, COH_ACTIVE};
	coh_sample reads[2] = {
		{.day = 60, .mean = 0.5, .reliability = NAN, .active = 1,
		 .frozen = 1, .n_members = 2, .commitment = c0, .status = s0},
		{.day = 152, .mean = 0.375, .reliability = 1, .active = 1,
		 .frozen = 1, .n_members = 2, .commitment = c1, .status = s1},
	};
	double first_freeze[2] = {40.5, NAN}, first_exit[2] = {NAN, NAN};
	coh_trace t = {.replication = 7, .n_members = 2, .n_reads = 2,
		       .reads = reads, .first_freeze = first_freeze,
		       .first_exit = first_exit};
	double v[10];
	assert_int_equal(coh_qoi_set_values(set, &t, v, &err), 0);
	assert_true(v[0] == 0.625);     /* BLR at day 152 */
	assert_true(v[1] == 1.0);       /* ARM frozen at day 60 */
	assert_true(v[2] == 0.5);
	/* froze at 40.5: by day 41, not by day 40 (the read at day 40 is
	 * the state at time 40.0, as samples are) */
	assert_true(v[3] == 1.0);
	assert_true(v[4] == 0.0);
	assert_true(v[5] == 40.5);
	assert_true(v[6] == 367.0);     /* censored: horizon + 1 */
	assert_true(v[7] == 367.0);
	assert_true(isnan(v[8]));
	assert_true(v[9] == 1.0);

	/* a trace without the reads is refused */
	t.n_reads = 1;
	assert_int_equal(coh_qoi_set_values(set, &t, v, &err), COH_EUSAGE);
	assert_string_equal(err.message,
			    "replication 7 holds 1 reads, the QoIs need 2");
	t.n_reads = 2;

	/* NaN values are skipped: reliability counts no replication */
	assert_int_equal(coh_qoi_set_accumulate(set, &t, &err), 0);
	assert_int_equal(coh_qoi_set_accumulate(set, &t, &err), 0);
	coh_qoi_estimate e = coh_qoi_set_estimate(set, 8);
	assert_int_equal(e.n, 0);
	assert_true(isnan(e.estimate) && isnan(e.ci_lo) && isnan(e.ci_hi));
	e = coh_qoi_set_estimate(set, 0);
	assert_int_equal(e.n, 2);
	assert_true(e.estimate == 0.625);
	assert_true(e.ci_lo == 0.625 && e.ci_hi == 0.625); /* no spread */
	coh_qoi_set_free(set);
	coh_qoi_set_free(NULL);
}

/*--- Estimates -----------------------------------------------------------*/

static void test_wilson_known_values(void **state)
{
	(void)state;
	coh_qoi_acc a = {0};
	for (int i = 0; i < 10; i++)
		coh_qoi_acc_add(&a, i < 3 ? 1.0 : 0.0);
	coh_qoi_estimate e = coh_qoi_acc_estimate(&a, 1);
	/* 3 of 10: Wilson 95% (z = 1.959964) = [0.10779, 0.60322] */
	assert_int_equal(e.n, 10);
	assert_true(e.estimate == 0.3);
	assert_float_equal(e.ci_lo, 0.1077913, 1e-6);
	assert_float_equal(e.ci_hi, 0.6032219, 1e-6);

	/* none and all: the ends are exactly 0 and 1, the others open */
	coh_qoi_acc none = {0}, all = {0};
	for (int i = 0; i < 20; i++) {
		coh_qoi_acc_add(&none, 0.0);
		coh_qoi_acc_add(&all, 1.0);
	}
	e = coh_qoi_acc_estimate(&none, 1);
	assert_true(e.estimate == 0.0 && e.ci_lo == 0.0);
	assert_float_equal(e.ci_hi, 0.1611252, 1e-6);
	e = coh_qoi_acc_estimate(&all, 1);
	assert_true(e.estimate == 1.0 && e.ci_hi == 1.0);
	assert_float_equal(e.ci_lo, 1 - 0.1611252, 1e-6);

	coh_qoi_acc empty = {0};
	e = coh_qoi_acc_estimate(&empty, 1);
	assert_int_equal(e.n, 0);
	assert_true(isnan(e.estimate) && isnan(e.ci_lo));
}

static void test_t_interval_known_values(void **state)
{
	(void)state;
	coh_qoi_acc a = {0};
	double x[] = {1, 2, 3, 4, 5};
	for (int i = 0; i < 5; i++)
		coh_qoi_acc_add(&a, x[i]);
	coh_qoi_estimate e = coh_qoi_acc_estimate(&a, 0);
	/* mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445 */
	assert_true(e.estimate == 3.0);
	double half = 2.7764451051977987 * sqrt(2.5) / sqrt(5.0);
	assert_float_equal(e.ci_lo, 3 - half, 1e-12);
	assert_float_equal(e.ci_hi, 3 + half, 1e-12);

	/* one value: a mean, no interval */
	coh_qoi_acc one = {0};
	coh_qoi_acc_add(&one, 0.4);
	e = coh_qoi_acc_estimate(&one, 0);
	assert_true(e.estimate == 0.4 && isnan(e.ci_lo) && isnan(e.ci_hi));

	/* never clamped: values near 0 give an interval below 0 */
	coh_qoi_acc low = {0};
	coh_qoi_acc_add(&low, 0.0);
	coh_qoi_acc_add(&low, 0.0);
	coh_qoi_acc_add(&low, 0.01);
	e = coh_qoi_acc_estimate(&low, 0);
	assert_true(e.ci_lo < 0);
}

/* Share of 2000 intervals that cover the truth: within 3.5 binomial
 * standard errors of 0.95 (Wilson's coverage at n = 60, p = 0.3 is
 * 0.95 within 0.01; the t interval's on normal draws is 0.95 exactly). */
static void test_coverage(void **state)
{
	(void)state;
	const unsigned long seed = 20261201;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	const int trials = 2000;
	int wilson = 0, t = 0;
	for (int k = 0; k < trials; k++) {
		coh_qoi_acc b = {0}, g = {0};
		for (int i = 0; i < 60; i++)
			coh_qoi_acc_add(&b, gsl_rng_uniform(rng) < 0.3);
		for (int i = 0; i < 8; i++)
			coh_qoi_acc_add(&g, 2.0 + gsl_ran_gaussian(rng, 0.5));
		coh_qoi_estimate eb = coh_qoi_acc_estimate(&b, 1);
		coh_qoi_estimate eg = coh_qoi_acc_estimate(&g, 0);
		wilson += eb.ci_lo <= 0.3 && 0.3 <= eb.ci_hi;
		t += eg.ci_lo <= 2.0 && 2.0 <= eg.ci_hi;
	}
	gsl_rng_free(rng);
	double se = sqrt(0.95 * 0.05 / trials);
	double cw = (double)wilson / trials, ct = (double)t / trials;
	if (fabs(cw - 0.95) > 0.01 + 3.5 * se ||
	    fabs(ct - 0.95) > 3.5 * se) {
		print_error("coverage at seed %lu: Wilson %.4f, t %.4f\n",
			    seed, cw, ct);
		fail();
	}
}

/*--- The engine's read days ----------------------------------------------*/

typedef struct read_log {
	double sample_days[32], read_days[32], read_c[32];
	int n_samples, n_reads;
} read_log;

static int on_sample(void *ctx, const coh_sample *s)
{
	read_log *l = ctx;
	if (l->n_samples < 32)
		l->sample_days[l->n_samples] = s->day;
	l->n_samples++;
	return 0;
}

static int on_read(void *ctx, const coh_sample *s)
{
	read_log *l = ctx;
	if (l->n_reads < 32) {
		l->read_days[l->n_reads] = s->day;
		l->read_c[l->n_reads] = s->commitment[0];
	}
	l->n_reads++;
	return 0;
}

static void test_engine_reads(void **state)
{
	const coh_model *m = model_of(state);
	coh_sim *sim = NULL;
	coh_error err = {0};
	assert_int_equal(coh_sim_alloc(&sim, m, &err), 0);
	coh_stream_key key = {1, 0, 0};
	coh_recorder rec;
	read_log plain = {0}, with = {0};
	rec = (coh_recorder){&plain, NULL, on_sample, on_read, NULL};
	assert_int_equal(coh_sim_run(sim, &key, &rec, &err), 0);
	assert_int_equal(plain.n_reads, 0);

	/* 0, a sample day (100), days off the grid, the horizon */
	double days[] = {0, 74, 100, 251.5, 366};
	assert_int_equal(coh_sim_set_reads(sim, days, 5, &err), 0);
	rec = (coh_recorder){&with, NULL, on_sample, on_read, NULL};
	assert_int_equal(coh_sim_run(sim, &key, &rec, &err), 0);
	/* the samples are those of the plain run */
	assert_int_equal(with.n_samples, plain.n_samples);
	assert_memory_equal(with.sample_days, plain.sample_days,
			    sizeof plain.sample_days);
	assert_int_equal(coh_sim_last_stats(sim).samples,
			 (uint64_t)plain.n_samples);
	assert_int_equal(with.n_reads, 5);
	for (int k = 0; k < 5; k++) {
		assert_true(with.read_days[k] == days[k]);
		double want = 0.3 + 0.6 * exp2(-days[k] / 100.0);
		assert_float_equal(with.read_c[k], want, 1e-12);
	}

	/* bad days change nothing */
	double backwards[] = {5, 5};
	assert_int_equal(coh_sim_set_reads(sim, backwards, 2, &err),
			 COH_EUSAGE);
	assert_string_equal(err.message, "read days must increase: 5 follows 5");
	double outside[] = {367};
	assert_int_equal(coh_sim_set_reads(sim, outside, 1, &err), COH_EUSAGE);
	assert_string_equal(err.message,
			    "read day 367 is outside the horizon [0, 366]");
	read_log again = {0};
	rec = (coh_recorder){&again, NULL, on_sample, on_read, NULL};
	assert_int_equal(coh_sim_run(sim, &key, &rec, &err), 0);
	assert_int_equal(again.n_reads, 5);

	/* none again */
	assert_int_equal(coh_sim_set_reads(sim, NULL, 0, &err), 0);
	read_log none = {0};
	rec = (coh_recorder){&none, NULL, on_sample, on_read, NULL};
	assert_int_equal(coh_sim_run(sim, &key, &rec, &err), 0);
	assert_int_equal(none.n_reads, 0);
	coh_sim_free(sim);
}

/* Through the runner: the trace holds the reads, the samples are the same
 * with and without them. */
static int count_reads(void *ctx, const coh_trace *const *traces, size_t n)
{
	(void)n;
	size_t *seen = ctx;
	seen[0] = traces[0]->n_reads;
	seen[1] = traces[0]->n_samples;
	if (traces[0]->n_reads == 2)
		seen[2] = traces[0]->reads[1].day == 74.0 &&
			  traces[0]->reads[0].day == 3.0;
	return 0;
}

static void test_runner_reads(void **state)
{
	const coh_model *m = model_of(state);
	double days[] = {3, 74};
	size_t with[3] = {0}, without[3] = {0};
	coh_error err = {0};
	coh_mc_options o = {.seed = 1, .replications = 3, .threads = 2,
			    .read_days = days, .n_read_days = 2};
	assert_int_equal(coh_mc_run(&m, 1, &o, count_reads, with, NULL, &err),
			 0);
	o.read_days = NULL;
	o.n_read_days = 0;
	assert_int_equal(coh_mc_run(&m, 1, &o, count_reads, without, NULL,
				    &err), 0);
	assert_int_equal(with[0], 2);
	assert_int_equal(with[2], 1);
	assert_int_equal(without[0], 0);
	assert_int_equal(with[1], without[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_kind, load_setup,
						load_teardown),
		cmocka_unit_test_setup_teardown(test_dates, load_setup,
						load_teardown),
		cmocka_unit_test_setup_teardown(test_error_messages, load_setup,
						load_teardown),
		cmocka_unit_test_setup_teardown(test_values_on_a_trace,
						load_setup, load_teardown),
		cmocka_unit_test(test_wilson_known_values),
		cmocka_unit_test(test_t_interval_known_values),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test_setup_teardown(test_engine_reads, load_setup,
						load_teardown),
		cmocka_unit_test_setup_teardown(test_runner_reads, load_setup,
						load_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
