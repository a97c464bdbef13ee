/* The scenarios shipped in scenarios/, checked through the real binary:
 * every one validates and runs; the baseline meets its calibration targets
 * (docs/csto-scenario.md) and reproduces its pinned outputs at its fixed
 * seed; the "answers" counterfactual leaves Armenia more committed than the
 * baseline.  Run from the project root, as tests/run.sh does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <math.h>

#include "bin_helpers.h"

#define BASELINE "scenarios/csto-armenia.cfg"
#define ANSWERS "scenarios/csto-armenia-answers-2022.cfg"
/* The seed every CSTO-Armenia scenario fixes (scenario.seed); printed with
 * any failure of a stochastic comparison. */
#define SEED "20231123"

/*--- Helpers -------------------------------------------------------------*/

/* Runs `cohesim run SCENARIO -o DIR -r REPS [--set SET]` into a fresh
 * folder, keeping the per-replication files, and returns the folder
 * (remove with bin_rmtree).  set may be NULL. */
static char *run_into(const char *scenario, const char *reps, const char *set)
{
	char *dir = bin_tmpdir();
	assert_non_null(dir);
	bin_result r;
	if (set)
		bin_run(&r, "run", scenario, "-o", dir, "-r", reps, "-j", "1",
			"--keep", "all", "--plot", "none", "--quiet", "--set",
			set, NULL);
	else
		bin_run(&r, "run", scenario, "-o", dir, "-r", reps, "-j", "1",
			"--keep", "all", "--plot", "none", "--quiet", NULL);
	if (r.status != 0) {
		print_error("cohesim run %s -r %s: exit %d\n%s\n", scenario,
			    reps, r.status, r.err);
		fail();
	}
	bin_result_free(&r);
	return dir;
}

static void load(csv_table *t, const char *dir, const char *name)
{
	if (csv_load(t, bin_path(dir, name)) != 0) {
		print_error("%s\n", t->error);
		fail();
	}
}

/* A members.csv with its columns looked up once. */
typedef struct members {
	csv_table t;
	int rep, date, member, commitment, status;
} members;

static void members_load(members *m, const char *dir)
{
	load(&m->t, dir, "members.csv");
	m->rep = csv_col(&m->t, "replication");
	m->date = csv_col(&m->t, "date");
	m->member = csv_col(&m->t, "member");
	m->commitment = csv_col(&m->t, "commitment");
	m->status = csv_col(&m->t, "status");
	assert_true(m->rep >= 0 && m->date >= 0 && m->member >= 0 &&
		    m->commitment >= 0 && m->status >= 0);
}

/* The row of member `id` at sample `date` of replication `rep`; fails the
 * test if there is none. */
static size_t members_row(const members *m, long rep, const char *date,
			  const char *id)
{
	for (size_t i = 0; i < m->t.n_rows; i++)
		if (strcmp(csv_get(&m->t, i, m->date), date) == 0 &&
		    strcmp(csv_get(&m->t, i, m->member), id) == 0 &&
		    strtol(csv_get(&m->t, i, m->rep), NULL, 10) == rep) {
			return i;
		}
	print_error("members.csv has no row for %s on %s, replication %ld\n",
		    id, date, rep);
	fail();
	return 0;
}

static double commitment_at(const members *m, long rep, const char *date,
			    const char *id)
{
	return csv_num(csv_get(&m->t, members_row(m, rep, date, id),
			       m->commitment));
}

static const char *status_at(const members *m, long rep, const char *date,
			     const char *id)
{
	return csv_get(&m->t, members_row(m, rep, date, id), m->status);
}

/* |got - want| <= tol * |want|. */
static void expect_rel(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol * fabs(want))) {
		print_error("%s: got %.17g, pinned %.17g (relative tolerance "
			    "%g, seed " SEED ")\n",
			    what, got, want, tol);
		fail();
	}
}

static void expect_status(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) != 0) {
		print_error("%s: status %s, expected %s (seed " SEED ")\n", what,
			    got, want);
		fail();
	}
}

/* Every .cfg file in scenarios/, sorted; at least the five shipped ones. */
static void shipped(glob_t *g)
{
	assert_int_equal(glob("scenarios/*.cfg", 0, NULL, g), 0);
	if (g->gl_pathc < 5) {
		print_error("found %zu scenarios in scenarios/, expected at "
			    "least 5 (run from the project root)\n",
			    (size_t)g->gl_pathc);
		fail();
	}
}

/*--- Every shipped scenario -----------------------------------------------*/

static void test_every_scenario_validates(void **state)
{
	(void)state;
	glob_t g;
	shipped(&g);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		bin_result r;
		bin_run(&r, "validate", g.gl_pathv[i], NULL);
		if (r.status != 0 || r.err[0]) {
			print_error("cohesim validate %s: exit %d\n%s\n",
				    g.gl_pathv[i], r.status, r.err);
			fail();
		}
		bin_result_free(&r);
	}
	globfree(&g);
}

/* Each runs (two replications, so generated events happen too) and writes
 * the three per-replication files, with commitment always in [0, 1]. */
static void test_every_scenario_runs(void **state)
{
	(void)state;
	glob_t g;
	shipped(&g);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *dir = run_into(g.gl_pathv[i], "2", NULL);
		csv_table t;
		load(&t, dir, "cohesion.csv");
		assert_true(t.n_rows > 1);
		csv_free(&t);
		load(&t, dir, "events.csv");
		assert_true(t.n_rows > 1);
		csv_free(&t);
		members m;
		members_load(&m, dir);
		assert_true(m.t.n_rows > 1);
		for (size_t k = 0; k < m.t.n_rows; k++) {
			double c = csv_num(csv_get(&m.t, k, m.commitment));
			if (!(c >= 0 && c <= 1)) {
				print_error("%s: members.csv line %zu: "
					    "commitment %s\n", g.gl_pathv[i],
					    k + 2,
					    csv_get(&m.t, k, m.commitment));
				fail();
			}
		}
		csv_free(&m.t);
		bin_rmtree(dir);
	}
	globfree(&g);
}

/*--- The baseline ---------------------------------------------------------*/

/* The calibration targets of docs/csto-scenario.md, on the record (before
 * 24 November 2023 nothing is drawn at random, so replication 0 is the
 * record's only trajectory): Armenia active until it hosts the Yerevan
 * summit of November 2022, frozen but not exited by the Minsk summit of
 * November 2023; every other member active and engaged throughout. */
static void test_baseline_calibration_targets(void **state)
{
	(void)state;
	char *dir = run_into(BASELINE, "1", NULL);
	members m;
	members_load(&m, dir);
	for (size_t i = 0; i < m.t.n_rows; i++) {
		const char *date = csv_get(&m.t, i, m.date);
		if (strcmp(date, "2023-11-29") > 0)
			break;
		const char *id = csv_get(&m.t, i, m.member);
		const char *st = csv_get(&m.t, i, m.status);
		double c = csv_num(csv_get(&m.t, i, m.commitment));
		if (strcmp(id, "ARM") == 0) {
			if (strcmp(date, "2022-11-30") <= 0)
				expect_status(st, "active", date);
			if (strcmp(st, "exited") == 0) {
				print_error("ARM exited by %s, expected no exit "
					    "before the Minsk summit\n", date);
				fail();
			}
			continue;
		}
		if (strcmp(st, "active") != 0 || !(c >= 0.6)) {
			print_error("%s on %s: %s at %g, expected active at "
				    ">= 0.6\n", id, date, st, c);
			fail();
		}
	}
	expect_status(status_at(&m, 0, "2023-11-22", "ARM"), "frozen",
		      "ARM on the eve of Minsk");
	expect_status(status_at(&m, 0, "2023-11-29", "ARM"), "frozen",
		      "ARM after Minsk");
	double arm = commitment_at(&m, 0, "2023-11-29", "ARM");
	if (!(arm > 0.10 && arm < 0.35)) {
		print_error("ARM after Minsk at %g, expected between the exit "
			    "(0.10) and freeze (0.35) thresholds\n", arm);
		fail();
	}
	csv_free(&m.t);
	bin_rmtree(dir);
}

/* Regression pins of the baseline at its fixed seed, replication 0 (the
 * record up to 23 November 2023 is the same in every replication; the
 * projection after it is this replication's draw).
 * Update them only on purpose: when the scenario, its timeline, the
 * default weights or the engine's rules change.  Then rerun
 *   build/cohesim run scenarios/csto-armenia.cfg -r 1 --keep all -o /tmp/x
 * take the new values from /tmp/x/members.csv, events.csv and
 * cohesion.csv, check that docs/csto-scenario.md still describes them (and
 * that test_baseline_calibration_targets passes), and paste them here,
 * giving the reason in the commit. */
#define PIN_ARM_EVE 0.17560231944626753      /* 2023-11-22, frozen */
#define PIN_ARM_AFTER 0.13879656857433392    /* 2023-11-29, frozen */
#define PIN_ARM_EXIT_DAY 2014.3666720131757  /* 2025-07-07 */
#define PIN_ARM_END 0.08702151412647338      /* 2025-12-31, exited */
#define PIN_COHESION_END 0.908173107049603   /* 2025-12-31 */

static void test_baseline_pinned(void **state)
{
	(void)state;
	const double tol = 1e-9;
	char *dir = run_into(BASELINE, "1", NULL);
	members m;
	members_load(&m, dir);
	expect_rel(commitment_at(&m, 0, "2023-11-22", "ARM"), PIN_ARM_EVE,
		   tol, "ARM on 2023-11-22");
	expect_rel(commitment_at(&m, 0, "2023-11-29", "ARM"), PIN_ARM_AFTER,
		   tol, "ARM on 2023-11-29");
	expect_status(status_at(&m, 0, "2025-12-31", "ARM"), "exited",
		      "ARM on 2025-12-31");
	expect_rel(commitment_at(&m, 0, "2025-12-31", "ARM"), PIN_ARM_END,
		   tol, "ARM on 2025-12-31");
	csv_free(&m.t);

	csv_table t;
	load(&t, dir, "events.csv");
	int ct = csv_col(&t, "type"), ca = csv_col(&t, "actor"),
	    cd = csv_col(&t, "day");
	assert_true(ct >= 0 && ca >= 0 && cd >= 0);
	double exit_day = (double)NAN;
	for (size_t i = 0; i < t.n_rows && isnan(exit_day); i++)
		if (strcmp(csv_get(&t, i, ct), "exit") == 0 &&
		    strcmp(csv_get(&t, i, ca), "ARM") == 0)
			exit_day = csv_num(csv_get(&t, i, cd));
	expect_rel(exit_day, PIN_ARM_EXIT_DAY, tol, "ARM's exit day");
	csv_free(&t);

	load(&t, dir, "cohesion.csv");
	int cdate = csv_col(&t, "date"), cc = csv_col(&t, "cohesion");
	assert_true(cdate >= 0 && cc >= 0 && t.n_rows > 0);
	assert_string_equal(csv_get(&t, t.n_rows - 1, cdate), "2025-12-31");
	expect_rel(csv_num(csv_get(&t, t.n_rows - 1, cc)), PIN_COHESION_END,
		   tol, "cohesion on 2025-12-31");
	csv_free(&t);
	bin_rmtree(dir);
}

/*--- The "answers" counterfactual -------------------------------------------*/

/* Paired with the baseline (same seed, so replication r of each draws from
 * the same streams), over 200 replications sampled on the eve of the Minsk
 * summit (day 1421) and at the end (sample_every = 1421 puts exactly those
 * two, and day 0, on the grid; sampling never changes results):
 *   - on the eve, before anything is drawn, Armenia is more committed;
 *   - at the end of 2025 it is more committed on average, by more than
 *     three standard errors of the paired differences;
 *   - and it has left the alliance in at least 20 fewer replications.
 * The margins are about half of what the model gives today
 * (docs/csto-scenario.md): +0.018, +0.008 (4.6 standard errors), 31 fewer
 * exits. */
#define ANSWERS_REPS 200
#define ANSWERS_MIN_EVE_GAIN 0.01
#define ANSWERS_MIN_END_GAIN 0.004
#define ANSWERS_MIN_FEWER_EXITS 20

static void test_answers_above_baseline(void **state)
{
	(void)state;
	const char *set = "output.sample_every=1421";
	char *base_dir = run_into(BASELINE, "200", set);
	char *alt_dir = run_into(ANSWERS, "200", set);
	members base, alt;
	members_load(&base, base_dir);
	members_load(&alt, alt_dir);

	double eve = commitment_at(&alt, 0, "2023-11-22", "ARM") -
		     commitment_at(&base, 0, "2023-11-22", "ARM");
	if (!(eve >= ANSWERS_MIN_EVE_GAIN)) {
		print_error("ARM on 2023-11-22: answers - baseline = %g, "
			    "expected >= %g\n", eve, ANSWERS_MIN_EVE_GAIN);
		fail();
	}

	double sum = 0, sum2 = 0;
	int base_exits = 0, alt_exits = 0;
	for (long r = 0; r < ANSWERS_REPS; r++) {
		double d = commitment_at(&alt, r, "2025-12-31", "ARM") -
			   commitment_at(&base, r, "2025-12-31", "ARM");
		sum += d;
		sum2 += d * d;
		base_exits += !strcmp(status_at(&base, r, "2025-12-31", "ARM"),
				      "exited");
		alt_exits += !strcmp(status_at(&alt, r, "2025-12-31", "ARM"),
				     "exited");
	}
	const double n = ANSWERS_REPS;
	double mean = sum / n;
	double var = (sum2 - n * mean * mean) / (n - 1);
	double se = sqrt(var > 0 ? var : 0) / sqrt(n);
	if (!(mean >= ANSWERS_MIN_END_GAIN && mean > 3 * se)) {
		print_error("ARM on 2025-12-31: answers - baseline = %g on "
			    "average (standard error %g, %d paired "
			    "replications, seed " SEED "), expected >= %g and "
			    "above 3 standard errors\n",
			    mean, se, ANSWERS_REPS, ANSWERS_MIN_END_GAIN);
		fail();
	}
	if (!(alt_exits + ANSWERS_MIN_FEWER_EXITS <= base_exits)) {
		print_error("ARM exited in %d of %d replications with the "
			    "answer and %d without (seed " SEED "), expected "
			    "at least %d fewer\n",
			    alt_exits, ANSWERS_REPS, base_exits,
			    ANSWERS_MIN_FEWER_EXITS);
		fail();
	}
	csv_free(&base.t);
	csv_free(&alt.t);
	bin_rmtree(base_dir);
	bin_rmtree(alt_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_scenario_validates),
		cmocka_unit_test(test_every_scenario_runs),
		cmocka_unit_test(test_baseline_calibration_targets),
		cmocka_unit_test(test_baseline_pinned),
		cmocka_unit_test(test_answers_above_baseline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
