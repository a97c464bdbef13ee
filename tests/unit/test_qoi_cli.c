/* `cohesim run --qoi` through the real binary: QoIs against closed forms
 * (relaxation at a day that is not a sample day, the threshold crossing's
 * freeze day), an indicator whose probability is known (hazard.cfg), the
 * same qoi.csv bytes at -j 1 and -j 2, the same other files with and
 * without --qoi, and the exact messages of bad values (exit 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "bin_helpers.h"

#define RELAX "tests/scenarios/relaxation.cfg"
#define THRESHOLD "tests/scenarios/threshold.cfg"
#define HAZARD "tests/scenarios/hazard.cfg"
#define GEN "tests/scenarios/generator.cfg"

static void expect_close(double got, double want, double tol,
			 const char *what)
{
	if (!(fabs(got - want) <= tol)) {
		print_error("%s: got %.17g, expected %.17g (tolerance %g)\n",
			    what, got, want, tol);
		fail();
	}
}

/* qoi.csv of dir, with its header checked. */
static void load_qoi(csv_table *t, const char *dir)
{
	if (csv_load(t, bin_path(dir, "qoi.csv")) != 0) {
		print_error("qoi.csv: %s\n", t->error);
		fail();
	}
	assert_string_equal(csv_header_line(t),
			    "qoi,estimate,ci_lo,ci_hi,replications");
}

/* Row k's field col as a number. */
static double field(const csv_table *t, size_t k, const char *col)
{
	return csv_num(csv_get(t, k, csv_col(t, col)));
}

static void test_relaxation_off_the_grid(void **state)
{
	const char *dir = *state;
	bin_result r;
	/* samples every 50 days; 2020-03-15 is day 74, 2020-12-17 day 351 */
	bin_run(&r, "run", RELAX, "-o", dir, "--plot", "none", "-q",
		"--qoi", "commitment:A@2020-03-15",
		"--qoi", "commitment:A@2020-12-17",
		"--qoi", "commitment:A@2020-09-07",   /* day 250, a sample */
		"--qoi", "commitment:A@end",
		"--qoi", "mean@2020-03-15",
		"--qoi", "active:A@2020-03-15", NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.out, "");         /* -q: no table */
	bin_result_free(&r);
	csv_table t;
	load_qoi(&t, dir);
	assert_int_equal(t.n_rows, 6);
	double days[] = {74, 351, 250, 366, 74};
	for (size_t k = 0; k < 5; k++) {
		double want = 0.3 + 0.6 * exp2(-days[k] / 100.0);
		expect_close(field(&t, k, "estimate"), want, 1e-9,
			     csv_get(&t, k, 0));
		/* one replication: no interval */
		assert_string_equal(csv_get(&t, k, csv_col(&t, "ci_lo")), "");
		assert_string_equal(csv_get(&t, k, csv_col(&t, "ci_hi")), "");
		assert_string_equal(csv_get(&t, k, csv_col(&t, "replications")),
				    "1");
	}
	expect_close(field(&t, 2, "estimate"), 0.40606601717798213, 1e-12,
		     "day 250");
	/* an indicator of one replication has a Wilson interval */
	assert_string_equal(csv_get(&t, 5, csv_col(&t, "estimate")), "1");
	assert_string_equal(csv_get(&t, 5, csv_col(&t, "ci_hi")), "1");
	csv_free(&t);
	/* listed in the manifest */
	char *manifest = bin_slurp(bin_path(dir, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"qoi.csv\""));
	free(manifest);
}

static void test_threshold_freeze_day(void **state)
{
	const char *dir = *state;
	bin_result r;
	/* freezes at day 168.49625007211562: during 2020-06-17 (day 168) */
	bin_run(&r, "run", THRESHOLD, "-o", dir, "--plot", "none",
		"--qoi", "freeze_day:A@end",
		"--qoi", "frozen_by:A@2020-06-17",
		"--qoi", "frozen_by:A@2020-06-18",
		"--qoi", "frozen:A@2020-06-18",
		"--qoi", "freeze_day:A@2020-06-17",
		"--qoi", "exit_day:A@end",
		"--qoi", "frozen@end", NULL);
	bin_expect_status(&r, 0);
	/* the table on stdout, after the run's headline: a header and one
	 * line a QoI */
	assert_non_null(strstr(r.out, "freeze_day:A@end"));
	const char *table = strstr(r.out, "\nqoi ");
	assert_non_null(table);
	assert_non_null(strstr(table, "95% interval"));
	size_t lines = 0;
	for (const char *c = table + 1; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 8);
	bin_result_free(&r);
	csv_table t;
	load_qoi(&t, dir);
	expect_close(field(&t, 0, "estimate"), 168.49625007211562, 1e-9,
		     "freeze day");
	assert_true(field(&t, 1, "estimate") == 0.0);
	assert_true(field(&t, 2, "estimate") == 1.0);
	assert_true(field(&t, 3, "estimate") == 1.0);
	/* not frozen by then: censored at the horizon's last day + 1 */
	assert_true(field(&t, 4, "estimate") == 367.0);
	assert_true(field(&t, 5, "estimate") == 367.0);
	assert_true(field(&t, 6, "estimate") == 1.0);
	csv_free(&t);
}

/* hazard.cfg: frozen by day 182 with probability 1 - exp(-182/365.25);
 * the estimate within 4 standard errors, and its interval Wilson's. */
static void test_known_probability(void **state)
{
	const char *dir = *state;
	bin_result r;
	bin_run(&r, "run", HAZARD, "-o", dir, "--plot", "none", "-q",
		"--qoi", "frozen_by:A@2020-07-01",
		"--qoi", "frozen:A@2020-07-01",
		"--qoi", "freeze_day:A@end", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	load_qoi(&t, dir);
	double p = 1 - exp(-182 / 365.25), n = 2000;
	double est = field(&t, 0, "estimate");
	assert_true(field(&t, 0, "replications") == n);
	if (fabs(est - p) > 4 * sqrt(p * (1 - p) / n)) {
		print_error("hazard.cfg, seed 7: %.6f frozen by 2020-07-01, "
			    "expected %.6f\n", est, p);
		fail();
	}
	double z = 1.959963984540054, k = est * n;
	double root = z * sqrt(z * z + 4 * k * (n - k) / n);
	expect_close(field(&t, 0, "ci_lo"),
		     (2 * k + z * z - root) / (2 * (n + z * z)), 1e-12, "lo");
	expect_close(field(&t, 0, "ci_hi"),
		     (2 * k + z * z + root) / (2 * (n + z * z)), 1e-12, "hi");
	/* once frozen, always frozen here */
	assert_string_equal(csv_get(&t, 0, 1), csv_get(&t, 1, 1));
	/* E[first freeze day, censored at 367] */
	double l = 1 / 365.25, T = 366;
	double mean = (1 - exp(-l * T)) / l - T * exp(-l * T) +
		      367 * exp(-l * T);
	double lo = field(&t, 2, "ci_lo"), hi = field(&t, 2, "ci_hi");
	double se = (hi - lo) / (2 * 1.96);
	if (fabs(field(&t, 2, "estimate") - mean) > 4 * se) {
		print_error("hazard.cfg, seed 7: mean freeze day %.6f, "
			    "expected %.6f (se %.3f)\n",
			    field(&t, 2, "estimate"), mean, se);
		fail();
	}
	csv_free(&t);
}

/* qoi.csv is the same at -j 1 and -j 2, and --qoi leaves every other
 * file as it was. */
static void test_jobs_and_other_files(void **state)
{
	const char *dir = *state;
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
	snprintf(a, sizeof a, "%s/j1", dir);
	snprintf(b, sizeof b, "%s/j2", dir);
	snprintf(c, sizeof c, "%s/plain", dir);
	const char *q[] = {"cohesion@2020-05-17", "commitment:S@2021-02-03",
			   "frozen:S@end", "frozen_by:M@2021-06-30",
			   "exit_day:S@end", "reliability@end", "active@end"};
	const char *args[40] = {"run", GEN, "-r", "37", "--plot", "none",
				"-q", "--keep", "all"};
	size_t n = 9;
	for (size_t k = 0; k < sizeof q / sizeof *q; k++) {
		args[n++] = "--qoi";
		args[n++] = q[k];
	}
	args[n++] = "-j";
	args[n++] = "1";
	args[n++] = "-o";
	args[n++] = a;
	args[n] = NULL;
	bin_result r;
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	args[n - 3] = "2";
	args[n - 1] = b;
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_same_file(bin_path(a, "qoi.csv"),
				  bin_path(b, "qoi.csv")));
	csv_table t;
	load_qoi(&t, a);
	assert_int_equal(t.n_rows, sizeof q / sizeof *q);
	csv_free(&t);

	bin_run(&r, "run", GEN, "-r", "37", "--plot", "none", "-q", "--keep",
		"all", "-j", "2", "-o", c, NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	const char *files[] = {"summary.csv", "survival.csv", "outcomes.csv",
			       "cohesion.csv", "members.csv", "events.csv",
			       "timeline.csv", "scenario.resolved.cfg"};
	for (size_t k = 0; k < sizeof files / sizeof *files; k++)
		if (!bin_same_file(bin_path(a, files[k]),
				   bin_path(c, files[k]))) {
			print_error("%s differs with --qoi\n", files[k]);
			fail();
		}
	assert_false(bin_exists(bin_path(c, "qoi.csv")));

	/* a run without --qoi into a folder with an earlier qoi.csv
	 * removes it */
	bin_run(&r, "run", GEN, "-r", "3", "--plot", "none", "-q", "-o", a,
		NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(a, "qoi.csv")));
}

static void test_bad_values(void **state)
{
	const char *dir = *state;
	static const struct {
		const char *cmd, *scenario, *qoi, *message;
	} cases[] = {
		{"run", GEN, "commitment:XYZ@end",
		 "no member XYZ; members are L, S, M"},
		{"run", GEN, "commitment@end",
		 "commitment needs a member, as commitment:ID; members are "
		 "L, S, M"},
		{"run", GEN, "min:L@end",
		 "min is a metric of the whole alliance and takes no member"},
		{"run", GEN, "survival:L@end",
		 "unknown kind \"survival\"; kinds are cohesion, mean, min, "
		 "sd, active, frozen, exited, candidates, reliability, "
		 "commitment:ID, "
		 "frozen:ID, exited:ID, active:ID, frozen_by:ID, "
		 "freeze_day:ID, exit_day:ID"},
		{"run", GEN, "frozen:L",
		 "expected KIND[:MEMBER]@WHEN with WHEN end or YYYY-MM-DD, "
		 "e.g. commitment:L@end"},
		{"run", GEN, "frozen:L@2022-01-01",
		 "2022-01-01 is after the scenario's end 2021-12-31"},
		{"run", GEN, "frozen:L@2019-12-31",
		 "2019-12-31 is before the scenario's start 2020-01-01"},
		{"run", GEN, "frozen:L@2021-02-29",
		 "\"2021-02-29\" is not a time; expected end or a date "
		 "YYYY-MM-DD"},
	};
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/never", dir);
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		bin_result r;
		bin_run(&r, cases[k].cmd, cases[k].scenario, "-o", out,
			"--qoi", "cohesion@end", "--qoi", cases[k].qoi, NULL);
		char want[1024];
		snprintf(want, sizeof want,
			 "cohesim: run: --qoi '%s': %s\n"
			 "Try 'cohesim run --help'.\n",
			 cases[k].qoi, cases[k].message);
		bin_expect_status(&r, 2);
		assert_string_equal(r.err, want);
		assert_string_equal(r.out, "");
		bin_result_free(&r);
		/* refused before any folder is made */
		assert_false(bin_exists(out));
	}
	/* the commands that do not use QoIs yet refuse them */
	bin_result r;
	bin_run(&r, "compare", GEN, GEN, "--qoi", "cohesion@end", NULL);
	bin_expect_status(&r, 2);
	assert_string_equal(r.err, "cohesim: compare: compare does not take "
			    "--qoi yet (run does)\n"
			    "Try 'cohesim compare --help'.\n");
	bin_result_free(&r);
	bin_run(&r, "sweep", GEN, "--vary", "model.freeze=0.3,0.4", "--qoi",
		"cohesion@end", NULL);
	bin_expect_status(&r, 2);
	assert_string_equal(r.err, "cohesim: sweep: sweep does not take "
			    "--qoi yet (run does)\n"
			    "Try 'cohesim sweep --help'.\n");
	bin_result_free(&r);
	/* documented in run's --help */
	bin_run(&r, "run", "--help", NULL);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "--qoi KIND[:MEMBER]@WHEN"));
	bin_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_relaxation_off_the_grid,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_threshold_freeze_day,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_known_probability,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_jobs_and_other_files,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, bin_tmp_setup,
						bin_tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
