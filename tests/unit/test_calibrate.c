/* `cohesim calibrate` and the pieces of ABC-SMC (cohesim/calibrate.h):
 * weighted quantiles and ESS by hand; a deterministic scenario whose
 * posterior is known in closed form (uniform on an interval of one
 * parameter); coverage of the 90% credible interval over synthetic
 * truths drawn from the prior (binomial test); the same bytes at -j 1 and
 * -j 2, after kill -9 and --resume, and under mpirun; the messages of bad
 * input.
 *
 * Seeds are fixed and printed with any failure.  In make check (under
 * valgrind or AddressSanitizer: bin_reduced), to keep this file near a
 * minute there: the closed form
 * runs 400 particles instead of 4000 and checks the span and a mean
 * within 5% instead of 1%; the coverage study runs 3 truths and checks
 * only that each interval is well formed (the binomial test needs the
 * 50 of the plain run); the -j, resume and MPI runs are unchanged in kind
 * with fewer particles.  The same code runs, at a fraction of the cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <time.h>

#include "bin_helpers.h"
#include "cohesim/calibrate.h"
#include "cohesim/date.h"

#define CLOSED "tests/scenarios/calibration.cfg"
#define COVER "tests/scenarios/coverage.cfg"

/*--- The pieces -------------------------------------------------------------*/

static void test_quantile_and_ess(void **state)
{
	(void)state;
	double x[] = {3, 1, 2, 4};
	double w[] = {0.1, 0.2, 0.3, 0.4};
	/* sorted: 1 (0.2), 2 (0.3), 3 (0.1), 4 (0.4): cumulative 0.2, 0.5,
	 * 0.6, 1.0 */
	assert_true(coh_abc_quantile(x, w, 4, 0.2) == 1);
	assert_true(coh_abc_quantile(x, w, 4, 0.5) == 2);
	assert_true(coh_abc_quantile(x, w, 4, 0.55) == 3);
	assert_true(coh_abc_quantile(x, w, 4, 0.61) == 4);
	assert_true(coh_abc_quantile(x, NULL, 4, 0.5) == 2);
	double even[] = {0.25, 0.25, 0.25, 0.25};
	assert_true(fabs(coh_abc_ess(even, 4) - 4) < 1e-12);
	double one[] = {1, 0, 0, 0};
	assert_true(fabs(coh_abc_ess(one, 4) - 1) < 1e-12);
	/* keyed uniforms: the same arguments, the same number */
	assert_true(coh_abc_uniform(1, 2, 3) == coh_abc_uniform(1, 2, 3));
	assert_true(coh_abc_uniform(1, 2, 3) != coh_abc_uniform(1, 2, 4));
	/* a log-uniform prior's median is the geometric mean */
	coh_prior p = {.path = "x", .min = 1, .max = 100, .log = 1};
	assert_true(fabs(coh_abc_prior_value(&p, 0.5) - 10) < 1e-12);
	assert_true(coh_abc_prior_value(&p, 0) == 1);
}

/* Weighted misses: milestones of weight 1 and 3, the second missed. */
static void test_distance(void **state)
{
	(void)state;
	coh_member a = {.id = "A"};
	coh_milestone ms[2] = {
		{.id = "m1", .kind = COH_MILESTONE_STATUS, .day = 10,
		 .member = 0, .status = COH_ACTIVE, .weight = 1},
		{.id = "m2", .kind = COH_MILESTONE_COMMITMENT, .day = 20,
		 .member = 0, .lo = 0.2, .hi = 0.4, .tolerance = 2,
		 .weight = 3},
	};
	coh_model m = {.members = &a, .n_members = 1, .horizon = 365,
		       .milestones = ms, .n_milestones = 2};
	coh_date_parse(&m.start_day, "2020-01-01");
	coh_abc_reads r;
	coh_error err = {0};
	assert_int_equal(coh_abc_reads_make(&r, &m, &err), 0);
	assert_int_equal(r.n_qoi, 6);   /* one, then days 18 .. 22 */
	assert_string_equal(r.qoi[0], "active:A@2020-01-11");
	assert_string_equal(r.qoi[1], "commitment:A@2020-01-19");
	double v[6] = {1, 0.5, 0.5, 0.5, 0.5, 0.5};
	uint64_t missed = coh_abc_missed(&m, &r, v);
	assert_int_equal(missed, 2);
	assert_true(fabs(coh_abc_distance(&m, missed) - 0.75) < 1e-15);
	v[4] = 0.3;     /* met on one day of the window */
	assert_int_equal(coh_abc_missed(&m, &r, v), 0);
	v[0] = NAN;
	assert_int_equal(coh_abc_missed(&m, &r, v), 1);
	coh_abc_reads_free(&r);
}

/*--- Through the binary ------------------------------------------------------*/

/* The weighted mean, 5% and 95% quantiles of a one-prior posterior.csv,
 * and its smallest and largest particle. */
typedef struct post_stats {
	double mean, q05, q95, min, max;
	size_t n;
} post_stats;

static post_stats read_posterior(const char *dir)
{
	csv_table t;
	if (csv_load(&t, bin_path(dir, "posterior.csv")) != 0)
		fail_msg("posterior.csv: %s", t.error);
	size_t n = t.n_rows;
	double *x = calloc(n, sizeof *x), *w = calloc(n, sizeof *w);
	assert_non_null(x);
	assert_non_null(w);
	post_stats s = {0, 0, 0, INFINITY, -INFINITY, n};
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		w[i] = csv_num(csv_get(&t, i, 1));
		x[i] = csv_num(csv_get(&t, i, 2));
		assert_true(w[i] > 0);
		total += w[i];
		s.mean += w[i] * x[i];
		s.min = fmin(s.min, x[i]);
		s.max = fmax(s.max, x[i]);
	}
	assert_true(fabs(total - 1) < 1e-9);
	s.q05 = coh_abc_quantile(x, w, n, 0.05);
	s.q95 = coh_abc_quantile(x, w, n, 0.95);
	free(x);
	free(w);
	csv_free(&t);
	return s;
}

/* c(100) in [0.5, 0.7] exactly for h in [100 / log2 3, 100 / log2 1.5]
 * (tests/scenarios/calibration.cfg). */
static void test_closed_form(void **state)
{
	const char *dir = *state;
	const char *particles = bin_reduced() ? "400" : "4000";
	const char *args[] = {"calibrate", CLOSED, "-p", particles, "-r", "1",
			      "--plot", "none", "-q", "-o", dir, NULL};
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	double lo = 100 / log2(3.0), hi = 100 / log2(1.5), mid = (lo + hi) / 2;
	post_stats s = read_posterior(dir);
	print_message("closed form (seed 7, %s particles): particles in "
		      "[%.4f, %.4f], mean %.4f; exact [%.4f, %.4f], mean "
		      "%.4f\n", particles, s.min, s.max, s.mean, lo, hi, mid);
	/* every particle is admissible ... */
	assert_true(s.min >= lo && s.max <= hi);
	/* ... they span the interval ... */
	double width = hi - lo, gap = bin_reduced() ? 0.05 : 0.01;
	assert_true(s.min - lo < gap * width && hi - s.max < gap * width);
	/* ... and weigh it evenly: the mean is the midpoint */
	double tol = bin_reduced() ? 0.05 : 0.01;
	if (fabs(s.mean - mid) > tol * mid)
		fail_msg("mean %.4f, expected %.4f within %g%% (seed 7)",
			 s.mean, mid, 100 * tol);
	/* the last generation ran at eps = 0 */
	csv_table g;
	assert_int_equal(csv_load(&g, bin_path(dir, "generations.csv")), 0);
	assert_true(csv_num(csv_get(&g, g.n_rows - 1, 1)) == 0);
	csv_free(&g);
}

/* One replication's commitment of A at the end under a given rate. */
static double observe(const char *dir, double rate, unsigned seed)
{
	char set[64], sd[32], out[PATH_MAX];
	snprintf(set, sizeof set, "generators.[0].rate=%.17g", rate);
	snprintf(sd, sizeof sd, "%u", seed);
	snprintf(out, sizeof out, "%s/obs", dir);
	const char *args[] = {"run", COVER, "--set", set, "--seed", sd, "-r",
			      "1", "--qoi", "commitment:A@end", "--plot",
			      "none", "--report", "none", "-q", "-o", out,
			      NULL};
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(out, "qoi.csv")), 0);
	double x = csv_num(csv_get(&t, 0, 1));
	csv_free(&t);
	bin_rmtree(strdup(out));
	return x;
}

/* P(X <= k) for X ~ Binomial(n, p). */
static double binom_cdf(int k, int n, double p)
{
	double sum = 0;
	for (int i = 0; i <= k; i++)
		sum += exp(lgamma(n + 1.0) - lgamma(i + 1.0) -
			   lgamma(n - i + 1.0) + i * log(p) +
			   (n - i) * log1p(-p));
	return sum;
}

/* Truths drawn from the prior, a record simulated from each, calibrated:
 * the 90% credible interval must cover the truth at its nominal rate. */
static void test_coverage(void **state)
{
	const char *dir = *state;
	int truths = bin_reduced() ? 3 : 50, covered = 0;
	unsigned seed = 20261201;
	print_message("coverage: %d truths, seed %u\n", truths, seed);
	char cfg[PATH_MAX];
	snprintf(cfg, sizeof cfg, "%s/truth.cfg", dir);
	char *base = bin_slurp(COVER, NULL);
	assert_non_null(base);
	char *block = strstr(base, "calibration:");
	assert_non_null(block);
	*block = '\0';
	for (int t = 0; t < truths; t++) {
		double u = coh_abc_uniform(seed, 0, (uint64_t)t);
		double truth = 2 + 18 * u;
		double x = observe(dir, truth, seed + (unsigned)t);
		double lo = floor(x / 0.05) * 0.05, hi = lo + 0.05;
		char text[8192], out[PATH_MAX], sd[32];
		snprintf(text, sizeof text, "%scalibration: {\n  priors = ( { "
			 "path = \"generators.[0].rate\"; min = 2.0; max = "
			 "20.0; } );\n  milestones = ( { id = \"end\"; date = "
			 "\"2020-12-31\"; member = \"A\"; commitment = [%.17g, "
			 "%.17g]; } );\n};\n", base, fmax(lo, 0), fmin(hi, 1));
		assert_int_equal(bin_write_file(cfg, text), 0);
		snprintf(out, sizeof out, "%s/cal%d", dir, t);
		snprintf(sd, sizeof sd, "%u", seed + 1000 + (unsigned)t);
		const char *args[] = {"calibrate", cfg, "-p", "200", "-r", "4",
				      "--seed", sd, "--plot", "none", "-q",
				      "-o", out, NULL};
		bin_result r;
		assert_true(bin_run_argv(&r, NULL, args) >= 0);
		if (r.status != 0)
			fail_msg("truth %d (rate %g, record [%g, %g]): exit "
				 "%d: %s", t, truth, lo, hi, r.status, r.err);
		bin_result_free(&r);
		post_stats s = read_posterior(out);
		assert_true(s.q05 <= s.q95 && s.q05 >= 2 && s.q95 <= 20);
		covered += s.q05 <= truth && truth <= s.q95;
		bin_rmtree(strdup(out));
	}
	free(base);
	print_message("coverage: %d of %d 90%% intervals hold the truth\n",
		      covered, truths);
	if (bin_reduced())
		return;
	/* two-sided at 1%: neither tail may be below 0.005 */
	double below = binom_cdf(covered, truths, 0.9);
	double above = 1 - binom_cdf(covered - 1, truths, 0.9);
	if (below < 0.005 || above < 0.005)
		fail_msg("coverage %d of %d is not consistent with 0.9 "
			 "(P(X <= k) = %.4g, P(X >= k) = %.4g; seed %u)",
			 covered, truths, below, above, seed);
}

/* -j, kill -9 and --resume, MPI: the same bytes. */
static const char *const same_files[] = {
	"posterior.csv", "generations.csv", "milestones.csv",
	"posterior-summary.csv", "populations/gen-00.csv",
	"populations/g01-b00/particles.csv"};
#define N_SAME (sizeof same_files / sizeof *same_files)

static void run_cover(const char *dir, const char *jobs, int resume,
		      bin_result *r)
{
	const char *args[] = {"calibrate", COVER, "-p",
			      bin_reduced() ? "40" : "150", "-r", "3",
			      "--plot", "none", "-q", "-j", jobs, "-o", dir,
			      resume ? "--resume" : NULL, NULL};
	assert_true(bin_run_argv(r, NULL, args) >= 0);
}

static void expect_same(const char *a, const char *b, const char *what)
{
	for (size_t i = 0; i < N_SAME; i++)
		if (!bin_same_file(bin_path(a, same_files[i]),
				   bin_path(b, same_files[i])))
			fail_msg("%s differs %s", same_files[i], what);
}

static void test_jobs_and_resume(void **state)
{
	char one[PATH_MAX], two[PATH_MAX], cut[PATH_MAX];
	snprintf(one, sizeof one, "%s/j1", (char *)*state);
	snprintf(two, sizeof two, "%s/j2", (char *)*state);
	snprintf(cut, sizeof cut, "%s/cut", (char *)*state);
	bin_result r;
	run_cover(one, "1", 0, &r);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	run_cover(two, "2", 0, &r);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	expect_same(one, two, "between -j 1 and -j 2");
	/* a finished calibration is not overwritten by accident */
	run_cover(one, "1", 0, &r);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "--resume"));
	bin_result_free(&r);

	/* kill -9 inside generation 1, then --resume */
	const char *args[] = {"calibrate", COVER, "-p",
			      bin_reduced() ? "40" : "150", "-r", "3",
			      "--plot", "none", "-q", "-j", "1", "-o", cut,
			      NULL};
	bin_child c;
	assert_int_equal(bin_start(&c, NULL, args), 0);
	char probe[PATH_MAX];
	snprintf(probe, sizeof probe, "%s/populations/g01-b00/particles.csv",
		 cut);
	for (int tries = 0; tries < 20000; tries++) {
		size_t n = 0;
		char *text = bin_slurp(probe, NULL);
		for (char *p = text; p && *p; p++)
			n += *p == '\n';
		free(text);
		if (n >= 10)
			break;
		struct timespec ms = {0, 500000};
		nanosleep(&ms, NULL);
	}
	kill(c.pid, SIGKILL);
	assert_int_equal(bin_wait(&c, &r), 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(cut, "posterior.csv")));
	run_cover(cut, "2", 1, &r);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	expect_same(one, cut, "after kill -9 and --resume");
}

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
	run_cover(one, "1", 0, &r);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char cmd[4096];
	snprintf(cmd, sizeof cmd,
		 "mpirun --oversubscribe %s -np 3 %s calibrate %s -p %s -r 3 "
		 "--plot none -q -j 1 -o %s 2>&1",
		 geteuid() == 0 ? "--allow-run-as-root" : "", mpi_bin, COVER,
		 bin_reduced() ? "40" : "150", multi);
	assert_int_equal(system(cmd), 0);
	expect_same(one, multi, "under mpirun -np 3");
}

static void expect_refusal(const char *dir, const char *text, int status,
			   const char *message, const char *const *extra)
{
	char cfg[PATH_MAX];
	snprintf(cfg, sizeof cfg, "%s/bad.cfg", dir);
	assert_int_equal(bin_write_file(cfg, text), 0);
	const char *args[16] = {"calibrate", cfg, "--plot", "none", "-q",
				"-p", "10", "-o", dir};
	size_t n = 9;
	for (size_t i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, status);
	if (!strstr(r.err, message))
		fail_msg("expected \"%s\" in: %s", message, r.err);
	bin_result_free(&r);
}

#define HEAD "version = 1;\n" \
	"scenario: { name = \"bad\"; start = \"2020-01-01\"; " \
	"end = \"2020-12-31\"; };\n" \
	"members = ( { id = \"A\"; name = \"A\"; power = 1.0; " \
	"commitment = 0.9; } );\n"
#define MILESTONE "milestones = ( { id = \"m\"; date = \"2020-06-01\"; " \
	"member = \"A\"; status = \"active\"; } );"

static void test_bad_input(void **state)
{
	const char *dir = *state;
	expect_refusal(dir, HEAD, 1, "no calibration block", NULL);
	/* 5: the line of the prior */
	expect_refusal(dir, HEAD "calibration: {\n priors = ( { path = "
		       "\"model.nope\"; min = 1.0; max = 2.0; } );\n "
		       MILESTONE " };\n", 1, "bad.cfg:5: calibration prior on "
		       "model.nope", NULL);
	expect_refusal(dir, HEAD "calibration: {\n priors = ( { path = "
		       "\"members.[0].commitment\"; min = 0.5; max = 2.0; } "
		       ");\n " MILESTONE " };\n", 1, "--set members.[0].commitment=2 is refused",
		       NULL);
	const char *ma[] = {"--min-acceptance", "1.5", NULL};
	expect_refusal(dir, HEAD, 2, "--min-acceptance expects a share", ma);
	const char *budget[] = {"--budget", "0", NULL};
	expect_refusal(dir, HEAD, 2, "--budget expects", budget);
}

/* A budget smaller than a generation stops inside it, with a message;
 * the dry run writes nothing. */
static void test_budget_and_dry_run(void **state)
{
	const char *dir = *state;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/b", dir);
	const char *args[] = {"calibrate", COVER, "-p", "50", "-r", "2",
			      "--budget", "150", "--plot", "none", "-o", out,
			      NULL};
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	/* 100 simulations in generation 0, then a batch of 25 particles:
	 * the budget ends generation 1 inside, and the posterior is
	 * generation 0's, said loudly */
	assert_non_null(strstr(r.err, "budget"));
	assert_non_null(strstr(r.err, "warning"));
	bin_result_free(&r);
	csv_table g;
	assert_int_equal(csv_load(&g, bin_path(out, "generations.csv")), 0);
	assert_int_equal(g.n_rows, 1);
	csv_free(&g);
	char dry[PATH_MAX];
	snprintf(dry, sizeof dry, "%s/dry", dir);
	const char *d[] = {"calibrate", COVER, "--dry-run", "-o", dry, NULL};
	assert_true(bin_run_argv(&r, NULL, d) >= 0);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "particles:"));
	assert_false(bin_exists(dry));
	bin_result_free(&r);
}

/*--- Posterior predictive runs and backtests --------------------------------*/

#define BACKTEST "tests/scenarios/backtest.cfg"

/* Two particles of the closed-form scenario, weights 1 and 3: every
 * replication ends at one of their exact commitments, the first in a
 * quarter of them (binomial, 4 sd), and -j does not change a byte. */
static void test_posterior_predictive(void **state)
{
	const char *dir = *state;
	char post[PATH_MAX], one[PATH_MAX], two[PATH_MAX];
	snprintf(post, sizeof post, "%s/posterior.csv", dir);
	snprintf(one, sizeof one, "%s/j1", dir);
	snprintf(two, sizeof two, "%s/j2", dir);
	assert_int_equal(bin_write_file(post, "particle,weight,members.[0]."
					"half_life,likelihood\n0,0.5,80,1\n"
					"1,1.5,150,1\n"), 0);
	int reps = bin_reduced() ? 200 : 2000;
	char r_text[16];
	snprintf(r_text, sizeof r_text, "%d", reps);
	const char *args[] = {"run", CLOSED, "--posterior", post, "-r",
			      r_text, "--plot", "none", "--report", "none",
			      "-q", "-j", "1", "-o", one, NULL};
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	args[12] = "2";
	args[14] = two;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_same_file(bin_path(one, "outcomes.csv"),
				  bin_path(two, "outcomes.csv")));
	assert_true(bin_same_file(bin_path(one, "summary.csv"),
				  bin_path(two, "summary.csv")));
	double c80 = 0.3 + 0.6 * pow(2, -365.0 / 80);
	double c150 = 0.3 + 0.6 * pow(2, -365.0 / 150);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(one, "outcomes.csv")), 0);
	int col = csv_col(&t, "A_commitment");
	assert_true(col >= 0);
	int first = 0;
	for (size_t i = 0; i < t.n_rows; i++) {
		double c = csv_num(csv_get(&t, i, col));
		int is80 = fabs(c - c80) < 1e-9, is150 = fabs(c - c150) < 1e-9;
		if (!is80 && !is150)
			fail_msg("replication %zu ends at %.12f, neither "
				 "particle's %.12f nor %.12f", i, c, c80, c150);
		first += is80;
	}
	csv_free(&t);
	double sd = sqrt(reps * 0.25 * 0.75);
	print_message("posterior predictive: %d of %d replications drew the "
		      "particle of weight 1/4 (seed 7)\n", first, reps);
	assert_true(fabs(first - 0.25 * reps) < 4 * sd);
	char *manifest = bin_slurp(bin_path(one, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"posterior\""));
	assert_non_null(strstr(manifest, "\"sha256\""));
	free(manifest);
}

static void expect_posterior_refused(const char *dir, const char *text,
				     const char *message)
{
	char post[PATH_MAX], out[PATH_MAX];
	snprintf(post, sizeof post, "%s/bad-posterior.csv", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	assert_int_equal(bin_write_file(post, text), 0);
	const char *args[] = {"run", CLOSED, "--posterior", post, "-r", "3",
			      "--plot", "none", "-q", "-o", out, NULL};
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 1);
	if (!strstr(r.err, message))
		fail_msg("expected \"%s\" in: %s", message, r.err);
	assert_false(bin_exists(out));
	bin_result_free(&r);
}

static void test_posterior_bad_input(void **state)
{
	const char *dir = *state;
	expect_posterior_refused(dir, "particle,weight,members.[0].half_life,"
				 "likelihood\n0,-1,80,1\n",
				 "bad-posterior.csv:2: weight \"-1\", expected "
				 "a number > 0");
	expect_posterior_refused(dir, "particle,weight,members.[0].half_life,"
				 "likelihood\n0,0,80,1\n",
				 "weight \"0\", expected a number > 0");
	expect_posterior_refused(dir, "particle,weight,model.half_life,"
				 "likelihood\n0,1,80,1\n",
				 "its parameters are model.half_life; the "
				 "priors of calibration are "
				 "members.[0].half_life");
	expect_posterior_refused(dir, "a,b,c\n1,2,3\n",
				 "bad-posterior.csv:1: not a posterior file");
	expect_posterior_refused(dir, "particle,weight,members.[0].half_life,"
				 "likelihood\n", "no particles");
	expect_posterior_refused(dir, "particle,weight,members.[0].half_life,"
				 "likelihood\n0,1,-5,1\n",
				 "particle 0 does not apply");
}

/* tests/scenarios/backtest.cfg: cut before the record's defeat, the
 * moved generator gives 1 - exp(-2 * 93 / 365.25); cut after it, 1. */
static void test_backtest(void **state)
{
	const char *dir = *state;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/early", dir);
	int reps = bin_reduced() ? 400 : 4000;
	char r_text[16];
	snprintf(r_text, sizeof r_text, "%d", reps);
	const char *args[] = {"backtest", BACKTEST, "--cutoff", "2020-03-31",
			      "-r", r_text, "--plot", "none", "-q", "-o", out,
			      NULL};
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(out, "backtest.csv")), 0);
	/* one milestone after the cutoff, then the sums */
	assert_int_equal(t.n_rows, 2);
	assert_string_equal(csv_get(&t, 0, 0), "frozen");
	double p = csv_num(csv_get(&t, 0, 3));
	double want = 1 - exp(-2 * 93 / 365.25);
	double sd = sqrt(want * (1 - want) / reps);
	print_message("backtest: p = %.4f, exact %.4f, sd %.4f (seed 5)\n", p,
		      want, sd);
	assert_true(fabs(p - want) < 4 * sd);
	assert_true(fabs(csv_num(csv_get(&t, 0, 4)) - (1 - p) * (1 - p)) <
		    1e-12);
	assert_true(fabs(csv_num(csv_get(&t, 0, 5)) + log(p)) < 1e-12);
	assert_string_equal(csv_get(&t, 1, 0), "(sum)");
	csv_free(&t);

	snprintf(out, sizeof out, "%s/late", dir);
	args[3] = "2020-07-01";
	args[10] = out;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_int_equal(csv_load(&t, bin_path(out, "backtest.csv")), 0);
	assert_true(csv_num(csv_get(&t, 0, 3)) == 1);
	assert_true(csv_num(csv_get(&t, 0, 4)) == 0);
	assert_true(csv_num(csv_get(&t, 0, 5)) == 0);
	csv_free(&t);

	/* a cutoff after every milestone leaves nothing to score */
	args[3] = "2020-12-01";
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 2);
	assert_non_null(strstr(r.err, "no milestone is dated after"));
	bin_result_free(&r);
	/* the log score of a forecast of 0 is -ln(1 / (2R)), not infinity */
	assert_true(fabs(coh_abc_log_score(0, 10) - log(20)) < 1e-12);
}

/* sweep --posterior: the same bytes at -j 1 and -j 2, the posterior kept
 * beside the results, and --resume refuses another posterior; compare
 * --posterior of a scenario with itself differs by exactly zero. */
static void test_sweep_and_compare_posterior(void **state)
{
	const char *dir = *state;
	char post[PATH_MAX], one[PATH_MAX], two[PATH_MAX], cmp[PATH_MAX];
	snprintf(post, sizeof post, "%s/posterior.csv", dir);
	snprintf(one, sizeof one, "%s/s1", dir);
	snprintf(two, sizeof two, "%s/s2", dir);
	snprintf(cmp, sizeof cmp, "%s/cmp", dir);
	assert_int_equal(bin_write_file(post, "particle,weight,generators.[0]."
					"rate,likelihood\n0,1,3,1\n1,1,12,1\n"),
			 0);
	const char *args[] = {"sweep", COVER, "--vary",
			      "model.half_life=60:240:3", "-r", "20",
			      "--posterior", post, "--plot", "none", "-q",
			      "-j", "1", "-o", one, NULL};
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	args[12] = "2";
	args[14] = two;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_same_file(bin_path(one, "sweep.csv"),
				  bin_path(two, "sweep.csv")));
	assert_true(bin_same_file(bin_path(one, "posterior.csv"), post));
	/* the posterior moves the results: the rate differs from the file's */
	const char *plain[] = {"sweep", COVER, "--vary",
			       "model.half_life=60:240:3", "-r", "20",
			       "--plot", "none", "-q", "-o", cmp, NULL};
	assert_true(bin_run_argv(&r, NULL, plain) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_same_file(bin_path(one, "sweep.csv"),
				   bin_path(cmp, "sweep.csv")));
	assert_int_equal(bin_write_file(post, "particle,weight,generators.[0]."
					"rate,likelihood\n0,1,4,1\n"), 0);
	const char *again[] = {"sweep", COVER, "--vary",
			       "model.half_life=60:240:3", "-r", "20",
			       "--posterior", post, "--plot", "none", "-q",
			       "--resume", "-o", one, NULL};
	assert_true(bin_run_argv(&r, NULL, again) >= 0);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "resume with the same --posterior"));
	bin_result_free(&r);

	snprintf(cmp, sizeof cmp, "%s/pair", dir);
	const char *pair[] = {"compare", COVER, COVER, "--posterior", post,
			      "-r", "30", "--plot", "none", "--report", "none",
			      "-q", "-o", cmp, NULL};
	assert_true(bin_run_argv(&r, NULL, pair) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(cmp, "compare.csv")), 0);
	int col = csv_col(&t, "diff_mean");
	assert_true(col >= 0);
	for (size_t i = 0; i < t.n_rows; i++) {
		const char *cell = csv_get(&t, i, col);
		/* reliability has no value without a request */
		assert_true(!*cell || csv_num(cell) == 0);
	}
	/* and the pairs did draw particles: the base moved off the file's
	 * rate of 8 a year */
	char *manifest = bin_slurp(bin_path(cmp, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"particles_drawn\": 1"));
	free(manifest);
	csv_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantile_and_ess),
		cmocka_unit_test(test_distance),
		cmocka_unit_test_setup_teardown(test_closed_form, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_coverage, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_jobs_and_resume,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_under_mpi, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_budget_and_dry_run,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_posterior_predictive,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_posterior_bad_input,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_backtest, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_and_compare_posterior, bin_tmp_setup,
			bin_tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
