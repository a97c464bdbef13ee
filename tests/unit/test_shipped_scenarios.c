/* The scenarios shipped in scenarios/, checked through the real binary:
 * every one validates and runs; the baseline meets its calibration targets
 * (docs/csto-scenario.md) and reproduces its pinned outputs at its fixed
 * seed; the "answers" counterfactual changes one decision and the reactions
 * the sources tie to it, and leaves Armenia more committed than the
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

/* --plot dumb: the event labels of the baseline's strip are whole, each
 * on a text row of its own (they used to be laid out for pictures, and
 * overwrote each other on the text terminal: "Grt. 4 request"). */
static void test_baseline_text_figure_labels(void **state)
{
	(void)state;
	char *dir = bin_tmpdir();
	assert_non_null(dir);
	bin_result r;
	bin_run(&r, "run", BASELINE, "-o", dir, "-r", "2", "-q", "--plot",
		"dumb", NULL);
	bin_expect_status(&r, 0);
	static const char *const labels[] = {
		"Art. 4 request", "Syunik: Art. 2 call", "EU monitors",
		"assessment only", "absent from Minsk", "Eagle Partner (USA)",
	};
	for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
		if (!strstr(r.out, labels[i]))
			fail_msg("the text figure lacks \"%s\" whole:\n%s",
				 labels[i], r.out);
	bin_result_free(&r);
	bin_rmtree(dir);
}

/* Each runs (two replications, so generated events happen too) and writes
 * the three per-replication files, with commitment always in [0, 1], and
 * empty exactly for a candidate (a member that has not joined yet). */
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
			const char *cell = csv_get(&m.t, k, m.commitment);
			int candidate = strcmp(csv_get(&m.t, k, m.status),
					       "candidate") == 0;
			double c = csv_num(cell);
			if (candidate ? *cell != '\0' : !(c >= 0 && c <= 1)) {
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
/* Last changed when every random draw became keyed by the identity of
 * what it belongs to (docs/model.md section 11): the record up to
 * 23 November 2023 is the same; replication 0's projection is a new draw,
 * in which Armenia stays frozen to the end (it had exited on 2025-06-28,
 * at 0.0863, with cohesion 0.9077 at the end).  PIN_ARM_EXIT_DAY is NAN
 * when Armenia does not exit in replication 0. */
#define PIN_ARM_EVE 0.16161986984540774      /* 2023-11-22, frozen */
#define PIN_ARM_AFTER 0.129676729660238      /* 2023-11-29, frozen */
#define PIN_ARM_EXIT_DAY ((double)NAN)       /* no exit */
#define PIN_ARM_STATUS_END "frozen"          /* 2025-12-31 */
#define PIN_ARM_END 0.16020163143935617      /* 2025-12-31 */
#define PIN_COHESION_END 0.9213586850152281  /* 2025-12-31 */

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
	expect_status(status_at(&m, 0, "2025-12-31", "ARM"),
		      PIN_ARM_STATUS_END, "ARM on 2025-12-31");
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
	if (isnan(PIN_ARM_EXIT_DAY)) {
		if (!isnan(exit_day)) {
			print_error("ARM exits on day %.17g, pinned: no exit "
				    "(seed " SEED ")\n", exit_day);
			fail();
		}
	} else {
		expect_rel(exit_day, PIN_ARM_EXIT_DAY, tol, "ARM's exit day");
	}
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

/* One row of timeline.csv reduced to what identifies a scripted event. */
static int same_event(const csv_table *a, size_t i, const csv_table *b,
		      size_t k, const int ca[3], const int cb[3])
{
	for (int c = 0; c < 3; c++)
		if (strcmp(csv_get(a, i, ca[c]), csv_get(b, k, cb[c])) != 0)
			return 0;
	return 1;
}

/* The counterfactual changes one decision of the record and the Armenian
 * steps the sources give as answers to it, nothing else
 * (docs/csto-scenario.md, section 6): its scripted timeline is the
 * baseline's without the refused Yerevan declaration (23 November 2022) and
 * the refused 2023 exercise (10 January 2023), and without Russia's offer of
 * monitors (12 October 2022), which belongs to the bloc's answer that the
 * counterfactual replaces (seeds/csto-armenia-2022-assessment.events; with
 * military help sent, a later answer at the fact-finding level would
 * replace Russia's full one), event for event (date, type, actor), so the
 * EU missions, the 2023 steps back, Eagle Partner, the fall of
 * Nagorno-Karabakh and the Minsk absence all stay; and the five answers to
 * the Article 4 call of September 2022 come at level 1 instead of 0.2. */
static void test_answers_one_decision(void **state)
{
	(void)state;
	static const char *const removed[][3] = {
		{ "2022-10-12", "assistance_response", "RUS" },
		{ "2022-11-23", "declaration_refusal", "ARM" },
		{ "2023-01-10", "exercise_refusal", "ARM" },
	};
	const size_t n_removed = sizeof removed / sizeof removed[0];
	char *base_dir = run_into(BASELINE, "1", NULL);
	char *alt_dir = run_into(ANSWERS, "1", NULL);
	csv_table base, alt;
	load(&base, base_dir, "timeline.csv");
	load(&alt, alt_dir, "timeline.csv");
	int cb[3] = { csv_col(&base, "date"), csv_col(&base, "type"),
		      csv_col(&base, "actor") };
	int ca[3] = { csv_col(&alt, "date"), csv_col(&alt, "type"),
		      csv_col(&alt, "actor") };
	assert_true(cb[0] >= 0 && cb[1] >= 0 && cb[2] >= 0 && ca[0] >= 0 &&
		    ca[1] >= 0 && ca[2] >= 0);
	char *used = calloc(alt.n_rows + 1, 1);
	assert_non_null(used);
	size_t n_gone = 0;
	for (size_t i = 0; i < base.n_rows; i++) {
		int is_removed = 0;
		for (size_t r = 0; r < n_removed && !is_removed; r++)
			is_removed =
				!strcmp(csv_get(&base, i, cb[0]), removed[r][0]) &&
				!strcmp(csv_get(&base, i, cb[1]), removed[r][1]) &&
				!strcmp(csv_get(&base, i, cb[2]), removed[r][2]);
		if (is_removed) {
			n_gone++;
			continue;
		}
		size_t k = 0;
		while (k < alt.n_rows &&
		       (used[k] || !same_event(&base, i, &alt, k, cb, ca)))
			k++;
		if (k == alt.n_rows) {
			print_error("%s: the baseline's %s %s by %s is missing "
				    "from the counterfactual\n", ANSWERS,
				    csv_get(&base, i, cb[0]),
				    csv_get(&base, i, cb[1]),
				    csv_get(&base, i, cb[2]));
			fail();
		}
		used[k] = 1;
	}
	if (n_gone != n_removed) {
		print_error("the baseline has %zu of the %zu events the "
			    "counterfactual leaves out\n", n_gone, n_removed);
		fail();
	}
	for (size_t k = 0; k < alt.n_rows; k++)
		if (!used[k]) {
			print_error("%s: %s %s by %s is not in the baseline\n",
				    ANSWERS, csv_get(&alt, k, ca[0]),
				    csv_get(&alt, k, ca[1]),
				    csv_get(&alt, k, ca[2]));
			fail();
		}
	free(used);
	csv_free(&base);
	csv_free(&alt);

	/* The answers to the call: five at 0.2 in the record, five at 1. */
	const char *dirs[2] = { base_dir, alt_dir };
	const double want[2] = { 0.2, 1.0 };
	for (int s = 0; s < 2; s++) {
		csv_table t;
		load(&t, dirs[s], "events.csv");
		int cd = csv_col(&t, "date"), ct = csv_col(&t, "type"),
		    cg = csv_col(&t, "target"), cv = csv_col(&t, "value");
		assert_true(cd >= 0 && ct >= 0 && cg >= 0 && cv >= 0);
		int n = 0;
		for (size_t i = 0; i < t.n_rows; i++) {
			if (strcmp(csv_get(&t, i, cd), "2022-09-17") != 0 ||
			    strcmp(csv_get(&t, i, ct),
				   "assistance_response") != 0 ||
			    strcmp(csv_get(&t, i, cg), "ARM") != 0)
				continue;
			n++;
			double v = csv_num(csv_get(&t, i, cv));
			if (v != want[s]) {
				print_error("%s: an answer of 2022-09-17 at "
					    "level %g, expected %g\n",
					    s ? ANSWERS : BASELINE, v, want[s]);
				fail();
			}
		}
		if (n != 5) {
			print_error("%s: %d answers to Armenia on 2022-09-17, "
				    "expected 5\n", s ? ANSWERS : BASELINE, n);
			fail();
		}
		csv_free(&t);
	}
	bin_rmtree(base_dir);
	bin_rmtree(alt_dir);
}

/* Paired with the baseline (same seed, so replication r of each draws from
 * the same streams), over 200 replications sampled on the eve of the Minsk
 * summit (day 1421) and at the end (sample_every = 1421 puts exactly those
 * two, and day 0, on the grid; sampling never changes results):
 *   - on the eve, before anything is drawn, Armenia is more committed by at
 *     least 0.05;
 *   - at the end of 2025 it is more committed on average by at least 0.01,
 *     and by more than four standard errors of the paired differences;
 *   - and it has left the alliance in at least 40 fewer replications.
 * What the model gives today (docs/csto-scenario.md, section 6): +0.066 on
 * the eve; +0.0176 at the end (standard error 0.0025, 7.2 standard errors;
 * higher in 141 of 200); 56 exits instead of 109.  The end gain is small in
 * size, and a threshold of 0.05 would not hold: Armenia freezes in
 * October 2023 in both runs (after Eagle Partner and the fall of
 * Nagorno-Karabakh, which the counterfactual keeps), and from then on every
 * blow scales both commitments down by the same factor while nothing lifts
 * a frozen member, so the gap narrows toward the exit threshold.  The
 * lasting difference is the risk of leaving, which halves: that is the
 * substantive threshold here (40 of 200, a fifth of the replications). */
#define ANSWERS_REPS 200
#define ANSWERS_MIN_EVE_GAIN 0.05
#define ANSWERS_MIN_END_GAIN 0.01
#define ANSWERS_MIN_END_SE 4.0
#define ANSWERS_MIN_FEWER_EXITS 40

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
			    "expected >= %g (seed " SEED ")\n", eve,
			    ANSWERS_MIN_EVE_GAIN);
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
	if (!(mean >= ANSWERS_MIN_END_GAIN &&
	      mean > ANSWERS_MIN_END_SE * se)) {
		print_error("ARM on 2025-12-31: answers - baseline = %g on "
			    "average (standard error %g, %d paired "
			    "replications, seed " SEED "), expected >= %g and "
			    "above %g standard errors\n",
			    mean, se, ANSWERS_REPS, ANSWERS_MIN_END_GAIN,
			    ANSWERS_MIN_END_SE);
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
		cmocka_unit_test(test_baseline_text_figure_labels),
		cmocka_unit_test(test_baseline_calibration_targets),
		cmocka_unit_test(test_baseline_pinned),
		cmocka_unit_test(test_answers_one_decision),
		cmocka_unit_test(test_answers_above_baseline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
