/* `cohesim sensitivity` through the real binary: indices against a
 * response known in closed form, factors without effect, the (noise)
 * factor on a deterministic and on a random scenario, Morris's effects,
 * the same bytes at -j 1 and -j 2 and after kill -9 and --resume, the
 * scenario's sensitivity block, MPI, and the messages of bad input.
 *
 * Every run uses the scenario's fixed seed, which the test prints with its
 * numbers when a check fails.  Under valgrind (COH_WRAP set), to keep
 * this file near 60 s there: the linear case runs at N = 128 instead of
 * 2048 (768 evaluations instead of 12,288) and checks that each exact
 * index lies inside its interval instead of within 0.02; the -j, resume
 * and MPI runs take 2 replications per evaluation instead of 8; and the
 * bad inputs that only test the wording of a refused option (ranges,
 * method, counts) are left to the plain run.  The same code runs, at a fraction of the
 * cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "bin_helpers.h"

/* c(day 100) = b / 2 + c0 / 2 (tests/scenarios/sensitivity.cfg) */
#define LINEAR "tests/scenarios/sensitivity.cfg"
#define HAZARD "tests/scenarios/hazard.cfg"
#define GEN "tests/scenarios/generator.cfg"

/* sensitivity.csv of dir, its header checked. */
static void load_results(csv_table *t, const char *dir)
{
	if (csv_load(t, bin_path(dir, "sensitivity.csv")) != 0) {
		print_error("sensitivity.csv: %s\n", t->error);
		fail();
	}
	assert_string_equal(csv_header_line(t), "qoi,factor,method,measure,"
			    "estimate,ci_lo,ci_hi");
}

/* The row of (factor, measure) for the first QoI; fails if absent. */
static size_t find(const csv_table *t, const char *factor,
		   const char *measure)
{
	for (size_t k = 0; k < t->n_rows; k++)
		if (strcmp(csv_get(t, k, 1), factor) == 0 &&
		    strcmp(csv_get(t, k, 3), measure) == 0)
			return k;
	fail_msg("no row %s %s in sensitivity.csv", factor, measure);
	return 0;
}

/* Checks an estimate: within tol of want, or (tol < 0) with want inside
 * its interval. */
static void expect_index(const csv_table *t, const char *factor,
			 const char *measure, double want, double tol,
			 const char *seed)
{
	size_t k = find(t, factor, measure);
	double e = csv_num(csv_get(t, k, 4)), lo = csv_num(csv_get(t, k, 5));
	double hi = csv_num(csv_get(t, k, 6));
	int ok = tol >= 0 ? fabs(e - want) <= tol : lo <= want && want <= hi;
	if (!ok) {
		print_error("%s %s: got %.6g [%.6g, %.6g], expected %.6g "
			    "(%s%g), seed %s\n", factor, measure, e, lo, hi,
			    want, tol >= 0 ? "tolerance " : "inside the "
			    "interval", tol >= 0 ? tol : 0.0, seed);
		fail();
	}
}

/* A linear response.  At day 100 the scenario's commitment is
 * c = b / 2 + c0 / 2 (tests/scenarios/sensitivity.cfg), b uniform on
 * [0.2, 0.4] and c0 on [0.6, 1.0], independent.  Var c = (1/4) (0.2^2 +
 * 0.4^2) / 12, of which b's share is 0.2^2 / (0.2^2 + 0.4^2) = 0.2 and
 * c0's 0.8; with no interaction S1 = ST for each.  The member's
 * sensitivity only scales events, and there are none: ST = 0.  Nothing
 * is random: (noise) has ST = 0. */
static void test_linear_shares(void **state)
{
	const char *dir = bin_path(*state, "lin");
	const char *n = bin_under_valgrind() ? "128" : "2048";
	double tol = bin_under_valgrind() ? -1 : 0.02;
	bin_result r;
	assert_true(bin_run(&r, "sensitivity", LINEAR, "--samples", n,
			    "--plot", "none", "-o", dir, NULL) >= 0);
	bin_expect_status(&r, 0);
	/* the table: largest ST first */
	const char *c0 = strstr(r.out, "members.A.commitment");
	const char *b = strstr(r.out, "members.A.baseline");
	assert_non_null(c0);
	assert_non_null(b);
	assert_true(c0 < b);
	assert_non_null(strstr(r.out, "randomness, (noise), takes part in 0"));
	bin_result_free(&r);
	csv_table t;
	load_results(&t, dir);
	assert_int_equal(t.n_rows, 8);  /* 3 factors and (noise), S1 and ST */
	expect_index(&t, "members.A.baseline", "S1", 0.2, tol, "11");
	expect_index(&t, "members.A.baseline", "ST", 0.2, tol, "11");
	expect_index(&t, "members.A.commitment", "S1", 0.8, tol, "11");
	expect_index(&t, "members.A.commitment", "ST", 0.8, tol, "11");
	expect_index(&t, "members.A.sensitivity", "ST", 0.0, 0.02, "11");
	expect_index(&t, "(noise)", "ST", 0.0, 0.02, "11");
	assert_string_equal(csv_get(&t, 0, 2), "sobol");
	csv_free(&t);
	/* design.csv: every evaluation, N (k + 3) of them */
	assert_int_equal(csv_load(&t, bin_path(dir, "design.csv")), 0);
	assert_int_equal(t.n_rows, (size_t)atoi(n) * 6);
	assert_string_equal(csv_header_line(&t),
			    "point,matrix,row,step,factor,members.A.baseline,"
			    "members.A.commitment,members.A.sensitivity,key,"
			    "commitment:A@2020-04-10");
	/* each value is the closed form of its row's settings */
	for (size_t k = 0; k < t.n_rows; k += 97) {
		double want = 0.5 * csv_num(csv_get(&t, k, 5)) +
			      0.5 * csv_num(csv_get(&t, k, 6));
		assert_true(fabs(csv_num(csv_get(&t, k, 9)) - want) < 1e-12);
	}
	csv_free(&t);
	char *manifest = bin_slurp(bin_path(dir, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"sensitivity\""));
	assert_non_null(strstr(manifest, "\"scenario_sha256\""));
	free(manifest);
}

/* Morris on the same response: every elementary effect of a factor is
 * its slope (1/2) times its range in unit-scaled inputs, so mu* = mu =
 * 0.1 for b and 0.2 for c0, sigma = 0, and 0 for the sensitivity. */
static void test_morris_linear(void **state)
{
	const char *dir = bin_path(*state, "morris");
	bin_result r;
	assert_true(bin_run(&r, "sensitivity", LINEAR, "--method", "morris",
			    "--trajectories", "10", "--plot", "none", "-q",
			    "-o", dir, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	load_results(&t, dir);
	assert_int_equal(t.n_rows, 9);
	expect_index(&t, "members.A.baseline", "mu_star", 0.1, 1e-9, "11");
	expect_index(&t, "members.A.baseline", "mu", 0.1, 1e-9, "11");
	expect_index(&t, "members.A.baseline", "sigma", 0.0, 1e-9, "11");
	expect_index(&t, "members.A.commitment", "mu_star", 0.2, 1e-9, "11");
	expect_index(&t, "members.A.sensitivity", "mu_star", 0.0, 1e-12,
		     "11");
	csv_free(&t);
	assert_int_equal(csv_load(&t, bin_path(dir, "design.csv")), 0);
	assert_int_equal(t.n_rows, 10 * 4);
	/* a trajectory's points share its key */
	assert_string_equal(csv_get(&t, 4, 1), "morris");
	assert_string_equal(csv_get(&t, 4, 8), "1");
	assert_string_equal(csv_get(&t, 7, 8), "1");
	csv_free(&t);
}

/* A random scenario: A freezes at its first shock, a Poisson process of
 * rate 1 a year, so whether it has frozen by 2020-07-01 is a coin with
 * p = 1 - exp(-182 rate / 365.25), about 0.39.  One replication per
 * evaluation: the coin's variance p (1 - p) = 0.24 dwarfs that of p over
 * rates from 0.5 to 1.5 (about 0.008), so (noise) takes part in most of
 * the variance.  The sample grid changes no draw and no read: ST = 0. */
static void test_noise_share(void **state)
{
	const char *dir = bin_path(*state, "noise");
	bin_result r;
	assert_true(bin_run(&r, "sensitivity", HAZARD, "--factor",
			    "generators.[0].rate=0.5:1.5", "--factor",
			    "output.sample_every=10:40", "--qoi",
			    "frozen_by:A@2020-07-01", "--samples", "128",
			    "--plot", "none", "-o", dir, NULL) >= 0);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "randomness, (noise), takes part in"));
	/* the warning for a wide interval */
	assert_non_null(strstr(r.err, "raise --samples"));
	bin_result_free(&r);
	csv_table t;
	load_results(&t, dir);
	size_t k = find(&t, "(noise)", "ST");
	double st = csv_num(csv_get(&t, k, 4));
	if (!(st > 0.8))
		fail_msg("(noise) ST %g, expected above 0.8 (seed 7)", st);
	expect_index(&t, "output.sample_every", "ST", 0.0, 0.02, "7");
	csv_free(&t);
}

/* -j does not change a byte; nor does kill -9 and --resume. */
static const char *const same_files[] = {"design.csv", "sensitivity.csv",
					 "sensitivity-figure.csv",
					 "points.csv"};

static const char *gen_reps(void)
{
	return bin_under_valgrind() ? "2" : "8";
}

static void run_gen(const char *dir, const char *jobs, int resume,
		    bin_result *r)
{
	const char *args[] = {"sensitivity", GEN, "--factor",
			      "model.half_life=100:300", "--factor",
			      "generators.[0].rate=2:8", "--qoi",
			      "commitment:S@end", "--qoi", "frozen_by:S@end",
			      "--samples", "24", "-r", gen_reps(), "--plot",
			      "none", "-q", "-j", jobs, "-o", dir,
			      resume ? "--resume" : NULL, NULL};
	assert_true(bin_run_argv(r, NULL, args) >= 0);
}

static void test_jobs_and_resume(void **state)
{
	char one[PATH_MAX], two[PATH_MAX], cut[PATH_MAX];
	snprintf(one, sizeof one, "%s/j1", (char *)*state);
	snprintf(two, sizeof two, "%s/j2", (char *)*state);
	snprintf(cut, sizeof cut, "%s/cut", (char *)*state);
	bin_result r;
	run_gen(one, "1", 0, &r);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	run_gen(two, "2", 0, &r);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	for (size_t i = 0; i < 4; i++)
		if (!bin_same_file(bin_path(one, same_files[i]),
				   bin_path(two, same_files[i])))
			fail_msg("%s differs between -j 1 and -j 2",
				 same_files[i]);
	/* a finished analysis is not overwritten by accident */
	run_gen(one, "1", 0, &r);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "--resume"));
	bin_result_free(&r);

	/* kill -9 after a few rows, then --resume */
	const char *args[] = {"sensitivity", GEN, "--factor",
			      "model.half_life=100:300", "--factor",
			      "generators.[0].rate=2:8", "--qoi",
			      "commitment:S@end", "--qoi", "frozen_by:S@end",
			      "--samples", "24", "-r", gen_reps(), "--plot",
			      "none", "-q", "-j", "1", "-o", cut, NULL};
	bin_child c;
	assert_int_equal(bin_start(&c, NULL, args), 0);
	const char *design = bin_path(cut, "design.csv");
	for (int tries = 0; tries < 5000; tries++) {
		size_t n = 0;
		char *text = bin_slurp(design, NULL);
		for (char *p = text; p && *p; p++)
			n += *p == '\n';
		free(text);
		if (n >= 20)
			break;
		struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
	}
	kill(c.pid, SIGKILL);
	assert_int_equal(bin_wait(&c, &r), 0);
	bin_result_free(&r);
	assert_false(bin_same_file(bin_path(one, "design.csv"), design));
	assert_false(bin_exists(bin_path(cut, "sensitivity.csv")));
	run_gen(cut, "2", 1, &r);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	for (size_t i = 0; i < 4; i++)
		if (!bin_same_file(bin_path(one, same_files[i]),
				   bin_path(cut, same_files[i])))
			fail_msg("%s differs after kill -9 and --resume",
				 same_files[i]);
	/* --resume refuses another design */
	const char *other[] = {"sensitivity", GEN, "--factor",
			       "model.half_life=100:300", "--qoi",
			       "commitment:S@end", "--samples", "24", "-r",
			       gen_reps(), "--plot", "none", "-q", "-o", cut,
			       "--resume", NULL};
	assert_true(bin_run_argv(&r, NULL, other) >= 0);
	bin_expect_status(&r, 1);
	bin_result_free(&r);
}

/* The same analysis under mpirun -np 3 writes the same bytes.  Needs the
 * MPI build (COH_MPI_BIN). */
static void test_under_mpi(void **state)
{
	const char *mpi_bin = getenv("COH_MPI_BIN");
	if (!mpi_bin || !bin_exists(mpi_bin)) {
		print_message("no MPI build (COH_MPI_BIN); skipped\n");
		skip();
	}
	char one[PATH_MAX], multi[PATH_MAX];
	snprintf(one, sizeof one, "%s/single", (char *)*state);
	snprintf(multi, sizeof multi, "%s/multi", (char *)*state);
	bin_result r;
	run_gen(one, "1", 0, &r);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char cmd[4096];
	snprintf(cmd, sizeof cmd,
		 "mpirun --oversubscribe %s -np 3 %s sensitivity %s "
		 "--factor model.half_life=100:300 --factor "
		 "'generators.[0].rate=2:8' --qoi commitment:S@end --qoi "
		 "frozen_by:S@end --samples 24 -r %s --plot none -q -j 1 -o %s "
		 "2>&1", geteuid() == 0 ? "--allow-run-as-root" : "", mpi_bin,
		 GEN, gen_reps(), multi);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < 4; i++)
		if (!bin_same_file(bin_path(one, same_files[i]),
				   bin_path(multi, same_files[i])))
			fail_msg("%s differs under mpirun -np 3",
				 same_files[i]);
}

/* Without --factor and --qoi, the scenario's sensitivity block; the
 * figure's script and data beside it. */
static void test_scenario_block(void **state)
{
	const char *dir = bin_path(*state, "block");
	bin_result r;
	assert_true(bin_run(&r, "sensitivity", LINEAR, "--plot", "none", "-q",
			    "-o", dir, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	load_results(&t, dir);
	assert_int_equal(t.n_rows, 8);
	assert_string_equal(csv_get(&t, 0, 0), "commitment:A@2020-04-10");
	csv_free(&t);
	assert_int_equal(csv_load(&t, bin_path(dir, "design.csv")), 0);
	assert_int_equal(t.n_rows, 32 * 6);     /* samples = 32 */
	csv_free(&t);
	/* cohesim plot redraws its figure (as text here: no gnuplot
	 * needed to pass, a warning if it is missing) */
	assert_true(bin_run(&r, "plot", dir, "--format", "dumb", NULL) >= 0);
	bin_expect_status(&r, 0);
	assert_true(strstr(r.out, "members.A.commitment") ||
		    strstr(r.err, "gnuplot is not installed"));
	bin_result_free(&r);
	/* the command line wins over the block */
	const char *d2 = bin_path(*state, "block2");
	assert_true(bin_run(&r, "sensitivity", LINEAR, "--factor",
			    "members.A.baseline=0.2:0.4", "--method", "morris",
			    "--plot", "none", "-q", "-o", d2, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	load_results(&t, d2);
	assert_int_equal(t.n_rows, 3);
	csv_free(&t);
}

/* Bad input: the message, and exit 2 for what only the command line can
 * fix, 1 for what the scenario refuses. */
static void expect_refusal(void **state, int status, const char *message,
			   const char *const *extra)
{
	const char *args[64] = {"sensitivity", LINEAR, "--plot", "none",
				"-o", bin_path(*state, "bad")};
	size_t n = 6;
	for (size_t i = 0; extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, status);
	if (!strstr(r.err, message)) {
		print_error("expected \"%s\" in:\n%s\n", message, r.err);
		fail();
	}
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(*state, "bad/design.csv")));
}

#define REFUSE(status, message, ...)                                        \
	expect_refusal(state, status, message,                              \
		       (const char *const[]){__VA_ARGS__, NULL})

static void test_bad_input(void **state)
{
	REFUSE(2, "--factor scenario.title: the setting is not a number",
	       "--factor", "scenario.title=1:2");
	REFUSE(1, "--factor members.A.baseline=", "--factor",
	       "members.A.baseline=0.5:1.5");
	REFUSE(1, "--factor model.no_such", "--factor",
	       "model.no_such=1:2");
	REFUSE(1, "--factor scenario.replications=", "--factor",
	       "scenario.replications=1:3");
	REFUSE(2, "--factor members.A.baseline is given twice", "--factor",
	       "members.A.baseline=0.2:0.4", "--factor",
	       "members.A.baseline=0.2:0.3");
	REFUSE(2, "--qoi 'foo@end': unknown kind \"foo\"", "--qoi",
	       "foo@end");
	REFUSE(2, "--qoi 'commitment:XYZ@end': no member XYZ", "--qoi",
	       "commitment:XYZ@end");
	REFUSE(2, "2030-01-01 is after the scenario's end", "--qoi",
	       "commitment:A@2030-01-01");
	if (bin_under_valgrind())
		return;         /* the rest check the wording of refusals
				 * of the command line's text; the paths that
				 * load and free scenarios ran above */
	REFUSE(2, "--factor members.A.baseline: the range 0.4:0.2 is empty "
	       "or reversed, expected LO < HI", "--factor",
	       "members.A.baseline=0.4:0.2");
	REFUSE(2, "the range 0.3:0.3 is empty", "--factor",
	       "members.A.baseline=0.3:0.3");
	REFUSE(2, "expected PATH=LO:HI or PATH=LO:HI:log", "--factor",
	       "members.A.baseline=0.2");
	REFUSE(2, "LO and HI must be finite numbers", "--factor",
	       "members.A.baseline=low:0.4");
	REFUSE(2, "a log range needs 0 < LO", "--factor",
	       "members.A.baseline=0:0.4:log");
	REFUSE(2, "--method expects sobol or morris", "--method", "fast");
	REFUSE(2, "--samples expects a whole number from 2", "--samples",
	       "1");
	REFUSE(2, "--levels expects an even number", "--method", "morris",
	       "--levels", "5");
	/* 21 factors: at most 20 for sobol */
	const char *many[48];
	char specs[21][64];
	size_t n = 0;
	for (int i = 0; i < 21; i++) {
		snprintf(specs[i], sizeof specs[i],
			 "members.A.baseline=0.2:0.%d", 30 + i);
		many[n++] = "--factor";
		many[n++] = specs[i];
	}
	many[n] = NULL;
	expect_refusal(state, 2, "at most 20 factors", many);
	/* no factor at all */
	bin_result r;
	assert_true(bin_run(&r, "sensitivity", HAZARD, "--qoi",
			    "frozen:A@end", "-o", bin_path(*state, "bad"),
			    NULL) >= 0);
	bin_expect_status(&r, 2);
	assert_non_null(strstr(r.err, "expected at least one --factor"));
	bin_result_free(&r);
}

static void test_dry_run_writes_nothing(void **state)
{
	const char *dir = bin_path(*state, "dry");
	bin_result r;
	assert_true(bin_run(&r, "sensitivity", LINEAR, "--dry-run", "-o", dir,
			    NULL) >= 0);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "evaluations:  192"));
	bin_result_free(&r);
	assert_false(bin_exists(dir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linear_shares, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_morris_linear, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_noise_share, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_jobs_and_resume,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_under_mpi, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_scenario_block, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_writes_nothing,
						bin_tmp_setup, bin_tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
