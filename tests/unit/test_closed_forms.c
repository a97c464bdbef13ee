/* Closed-form results (docs/validation.md) checked through
 * the real binary: each scenario of tests/scenarios/ is run with
 * `cohesim run`, and the values are read back from members.csv and
 * events.csv, so the whole path (loader, engine, CSV numbers) is tested.
 * Every members.csv must also keep commitment within [0, 1]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "bin_helpers.h"

/*--- Helpers -------------------------------------------------------------*/

/* |got - want| <= tol * max(1, |want|): relative, but absolute near 0. */
static void expect_close(double got, double want, double tol,
			 const char *what)
{
	double scale = fabs(want) > 1 ? fabs(want) : 1;
	if (!(fabs(got - want) <= tol * scale)) {
		print_error("%s: got %.17g, expected %.17g (tolerance %g)\n",
			    what, got, want, tol);
		fail();
	}
}

/* Runs tests/scenarios/NAME.cfg into dir. */
static void run_scenario(const char *dir, const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "tests/scenarios/%s.cfg", name);
	bin_result r;
	bin_run(&r, "run", path, "-o", dir, "--quiet", NULL);
	if (r.status != 0) {
		print_error("cohesim run %s: exit %d\n%s\n", path, r.status,
			    r.err);
		fail();
	}
	bin_result_free(&r);
}

/* Each test's own folder, removed by the teardown even when the test
 * fails part-way. */
static void load(csv_table *t, const char *dir, const char *name)
{
	if (csv_load(t, bin_path(dir, name)) != 0) {
		print_error("%s\n", t->error);
		fail();
	}
}

/* The invariant of docs/model.md section 3: commitment never leaves [0, 1]. */
static void check_commitment_range(const char *dir)
{
	csv_table t;
	load(&t, dir, "members.csv");
	int c = csv_col(&t, "commitment");
	assert_true(c >= 0);
	assert_true(t.n_rows > 0);
	for (size_t i = 0; i < t.n_rows; i++) {
		double v = csv_num(csv_get(&t, i, c));
		if (!(v >= 0 && v <= 1)) {
			print_error("members.csv line %zu: commitment %s\n",
				    i + 2, csv_get(&t, i, c));
			fail();
		}
	}
	csv_free(&t);
}

/* Commitment of `member` at sample `day` of replication 0 (NaN if the
 * row is missing). */
static double member_at(const csv_table *t, const char *member, double day)
{
	int cd = csv_col(t, "day"), cm = csv_col(t, "member"),
	    cc = csv_col(t, "commitment"), cr = csv_col(t, "replication");
	for (size_t i = 0; i < t->n_rows; i++)
		if (strcmp(csv_get(t, i, cr), "0") == 0 &&
		    strcmp(csv_get(t, i, cm), member) == 0 &&
		    csv_num(csv_get(t, i, cd)) == day)
			return csv_num(csv_get(t, i, cc));
	return (double)NAN;
}

/* The last sample's day in members.csv. */
static double last_day(const csv_table *t)
{
	return csv_num(csv_get(t, t->n_rows - 1, csv_col(t, "day")));
}

/* The rows of events.csv of one type, as indices (at most cap). */
static size_t events_of_type(const csv_table *t, const char *type,
			     size_t *rows, size_t cap)
{
	int ct = csv_col(t, "type");
	size_t n = 0;
	for (size_t i = 0; i < t->n_rows; i++)
		if (strcmp(csv_get(t, i, ct), type) == 0 && n < cap)
			rows[n++] = i;
	return n;
}

/* The bounded impact rule of docs/model.md section 3. */
static double apply_impact(double c, double x)
{
	return x >= 0 ? c + x * (1 - c) : c * (1 + x);
}

/*--- Closed forms --------------------------------------------------------*/

static void test_relaxation(void **state)
{
	const char *dir = *state;
	run_scenario(dir, "relaxation");
	check_commitment_range(dir);
	csv_table t;
	load(&t, dir, "members.csv");
	expect_close(member_at(&t, "A", 100), 0.6, 1e-12, "c(100)");
	expect_close(member_at(&t, "A", 250), 0.40606601717798213, 1e-12,
		     "c(250)");
	/* and at every other sample, the end (day 366) included */
	size_t checked = 0;
	int cd = csv_col(&t, "day"), cc = csv_col(&t, "commitment");
	for (size_t i = 0; i < t.n_rows; i++) {
		double day = csv_num(csv_get(&t, i, cd));
		double want = 0.3 + 0.6 * pow(2, -day / 100);
		expect_close(csv_num(csv_get(&t, i, cc)), want, 1e-12,
			     "c(t) at a sample");
		checked++;
	}
	assert_int_equal(checked, 9);   /* 0, 50, ..., 350, 366 */
	assert_true(last_day(&t) == 366);
	csv_free(&t);
}

static void test_threshold_crossing(void **state)
{
	const char *dir = *state;
	run_scenario(dir, "threshold");
	check_commitment_range(dir);
	csv_table t;
	load(&t, dir, "events.csv");
	size_t rows[4];
	assert_int_equal(events_of_type(&t, "freeze", rows, 4), 1);
	double day = csv_num(csv_get(&t, rows[0], csv_col(&t, "day")));
	expect_close(day, 168.49625007211562, 1e-9, "freeze day");
	assert_string_equal(csv_get(&t, rows[0], csv_col(&t, "actor")), "A");
	csv_free(&t);

	/* Frozen from then on, active before. */
	load(&t, dir, "members.csv");
	int cd = csv_col(&t, "day"), cs = csv_col(&t, "status");
	for (size_t i = 0; i < t.n_rows; i++) {
		double d = csv_num(csv_get(&t, i, cd));
		assert_string_equal(csv_get(&t, i, cs),
				    d < day ? "active" : "frozen");
	}
	csv_free(&t);
}

static void test_degroot(void **state)
{
	const char *dir = *state;
	run_scenario(dir, "degroot");
	check_commitment_range(dir);
	csv_table t;
	load(&t, dir, "members.csv");
	double end = last_day(&t);
	static const char *const ids[] = {"A", "B", "C"};
	for (size_t i = 0; i < 3; i++)
		expect_close(member_at(&t, ids[i], end), 6.2 / 11, 1e-9,
			     ids[i]);
	csv_free(&t);
}

static void test_friedkin_johnsen(void **state)
{
	const char *dir = *state;
	run_scenario(dir, "friedkin-johnsen");
	check_commitment_range(dir);
	csv_table t;
	load(&t, dir, "members.csv");
	double end = last_day(&t);
	expect_close(member_at(&t, "A", end), 205.0 / 622, 1e-9, "A");
	expect_close(member_at(&t, "B", end), 615.0 / 1244, 1e-9, "B");
	expect_close(member_at(&t, "C", end), 785.0 / 1244, 1e-9, "C");
	csv_free(&t);
}

static void test_bounded_impacts(void **state)
{
	const char *dir = *state;
	run_scenario(dir, "shocks");
	check_commitment_range(dir);
	csv_table t;
	load(&t, dir, "members.csv");
	double end = last_day(&t);
	/* either order of two negative shocks: c (1 + x1)(1 + x2) */
	expect_close(member_at(&t, "A", end), 0.8 * 0.8 * 0.7, 1e-12,
		     "A: -0.2 then -0.3");
	expect_close(member_at(&t, "B", end), 0.8 * 0.7 * 0.8, 1e-12,
		     "B: -0.3 then -0.2");
	/* a positive shock: 1 - (1 - c)(1 - x) */
	expect_close(member_at(&t, "C", end), 1 - (1 - 0.6) * (1 - 0.4),
		     1e-12, "C: +0.4");
	csv_free(&t);

	/* Each shock in the log obeys the rule, from its own before. */
	load(&t, dir, "events.csv");
	size_t rows[8];
	assert_int_equal(events_of_type(&t, "shock", rows, 8), 5);
	int cv = csv_col(&t, "value"), cb = csv_col(&t, "commitment_before"),
	    ca = csv_col(&t, "commitment_after");
	for (size_t i = 0; i < 5; i++) {
		double x = csv_num(csv_get(&t, rows[i], cv));
		double before = csv_num(csv_get(&t, rows[i], cb));
		expect_close(csv_num(csv_get(&t, rows[i], ca)),
			     apply_impact(before, x), 1e-15, "shock rule");
	}
	csv_free(&t);
}

static void test_scripted_fulfilment(void **state)
{
	const char *dir = *state;
	run_scenario(dir, "request");
	check_commitment_range(dir);
	csv_table t;
	load(&t, dir, "events.csv");
	size_t rows[4];
	assert_int_equal(events_of_type(&t, "request_resolved", rows, 4), 1);
	size_t r = rows[0];
	/* resolved at the deadline: day 10 + 30 */
	assert_true(csv_num(csv_get(&t, r, csv_col(&t, "day"))) == 40);
	assert_string_equal(csv_get(&t, r, csv_col(&t, "actor")), "A");

	/* F = sum_j p_j l_j / sum_{j != i} p_j.  The powers and levels are
	 * short binary fractions, so the sum is exact in any order. */
	double F = (0.25 * 1.0 + 0.25 * 0.5) / (0.25 + 0.25);
	double value = csv_num(csv_get(&t, r, csv_col(&t, "value")));
	if (value != F) {
		print_error("fulfilment %.17g, expected exactly %.17g\n", value,
			    F);
		fail();
	}

	/* The requester takes one impact x = m (w_answered F +
	 * w_unanswered (1 - F)) with m = 1 and sensitivity 1 (docs/model.md
	 * section 5); nothing else moved it (no relaxation). */
	double before = csv_num(csv_get(&t, r, csv_col(&t, "commitment_before")));
	double after = csv_num(csv_get(&t, r, csv_col(&t, "commitment_after")));
	double x = 1.0 * (0.5 * F + -0.25 * (1 - F));
	assert_true(before == 0.5);
	expect_close(after, apply_impact(before, x), 1e-15,
		     "requester after");
	assert_true(after == 0.65625);
	csv_free(&t);
}

/*--- Membership over time (docs/model.md section 15) --------------------*/

/* The value in column `col` of cohesion.csv at `day` (replication 0). */
static const char *cohesion_at(const csv_table *t, const char *col,
			       double day)
{
	int cd = csv_col(t, "day"), cc = csv_col(t, col);
	assert_true(cc >= 0);
	for (size_t i = 0; i < t->n_rows; i++)
		if (csv_num(csv_get(t, i, cd)) == day)
			return csv_get(t, i, cc);
	fail_msg("cohesion.csv has no row for day %g", day);
	return NULL;
}

/* The status of `member` at sample `day` of replication 0. */
static const char *status_at(const csv_table *t, const char *member,
			     double day)
{
	int cd = csv_col(t, "day"), cm = csv_col(t, "member"),
	    cs = csv_col(t, "status");
	for (size_t i = 0; i < t->n_rows; i++)
		if (strcmp(csv_get(t, i, cm), member) == 0 &&
		    csv_num(csv_get(t, i, cd)) == day)
			return csv_get(t, i, cs);
	fail_msg("members.csv has no row for %s on day %g", member, day);
	return NULL;
}

/* tests/scenarios/membership.cfg: D is a candidate until day 60, C
 * withdraws on day 121. */
static void test_membership(void **state)
{
	const char *dir = *state;
	run_scenario(dir, "membership");
	csv_table t;
	load(&t, dir, "cohesion.csv");
	/* before D joins: the metrics of A, B and C alone */
	for (double day = 0; day <= 30; day += 30) {
		expect_close(csv_num(cohesion_at(&t, "cohesion", day)),
			     (1 * 0.8 + 2 * 0.5 + 1 * 0.6) / 4, 1e-15,
			     "cohesion before D joins");
		expect_close(csv_num(cohesion_at(&t, "mean", day)),
			     (0.8 + 0.5 + 0.6) / 3, 1e-15, "mean before D joins");
		expect_close(csv_num(cohesion_at(&t, "min", day)), 0.5, 0,
			     "min before D joins");
		assert_string_equal(cohesion_at(&t, "active", day), "3");
		assert_string_equal(cohesion_at(&t, "candidates", day), "1");
	}
	/* D joined: accession 0.8 * s_j on each of the others */
	double a = apply_impact(0.8, 0.8), b = apply_impact(0.5, 0.8 * 0.5);
	double c = apply_impact(0.6, 0.8), d = 0.9;
	expect_close(csv_num(cohesion_at(&t, "cohesion", 60)),
		     (a + 2 * b + c + 4 * d) / 8, 1e-15, "cohesion on day 60");
	assert_string_equal(cohesion_at(&t, "candidates", 60), "0");
	assert_string_equal(cohesion_at(&t, "active", 60), "4");
	/* C withdrew: exit spillover 0.5 * hat-w_jC * -0.7 * s_j, with
	 * default rows (w_jk = p_k, C still counted) */
	double a2 = apply_impact(a, 0.5 * (1.0 / 7) * -0.7);
	double b2 = apply_impact(b, 0.5 * (1.0 / 6) * -0.7 * 0.5);
	double d2 = apply_impact(d, 0.5 * (1.0 / 4) * -0.7);
	expect_close(csv_num(cohesion_at(&t, "cohesion", 365)),
		     (a2 + 2 * b2 + 4 * d2) / 8, 1e-15, "cohesion at the end");
	assert_string_equal(cohesion_at(&t, "exited", 365), "1");
	assert_string_equal(cohesion_at(&t, "active", 365), "3");
	csv_free(&t);

	load(&t, dir, "members.csv");
	assert_string_equal(status_at(&t, "D", 30), "candidate");
	/* a candidate has no commitment yet, and the shock of day 31 did
	 * not reach it */
	assert_true(isnan(member_at(&t, "D", 30)));
	expect_close(member_at(&t, "D", 60), d, 0, "D on joining");
	expect_close(member_at(&t, "A", 60), a, 1e-15, "A on day 60");
	expect_close(member_at(&t, "B", 60), b, 1e-15, "B on day 60");
	expect_close(member_at(&t, "C", 60), c, 1e-15, "C on day 60");
	expect_close(member_at(&t, "A", 150), a2, 1e-15, "A after C left");
	expect_close(member_at(&t, "B", 150), b2, 1e-15, "B after C left");
	expect_close(member_at(&t, "D", 150), d2, 1e-15, "D after C left");
	expect_close(member_at(&t, "C", 150), c, 0, "C keeps its value");
	assert_string_equal(status_at(&t, "C", 120), "active");
	assert_string_equal(status_at(&t, "C", 150), "exited");
	csv_free(&t);

	load(&t, dir, "events.csv");
	size_t rows[4];
	assert_int_equal(events_of_type(&t, "accession", rows, 4), 1);
	assert_string_equal(csv_get(&t, rows[0], csv_col(&t, "actor")), "D");
	assert_true(csv_num(csv_get(&t, rows[0], csv_col(&t, "day"))) == 60);
	assert_int_equal(events_of_type(&t, "withdrawal", rows, 4), 1);
	assert_true(csv_num(csv_get(&t, rows[0], csv_col(&t, "day"))) == 121);
	assert_string_equal(csv_get(&t, rows[0], csv_col(&t, "value")), "1");
	assert_int_equal(events_of_type(&t, "exit", rows, 4), 0);
	csv_free(&t);
}

/* What the QoIs read of a candidate: 1 candidate, D not active and no
 * commitment (NaN: no replication has a value) before it joins; D's
 * commitment after C's withdrawal at the end. */
static void test_membership_qoi(void **state)
{
	const char *dir = *state;
	bin_result r;
	bin_run(&r, "run", "tests/scenarios/membership.cfg", "-o", dir,
		"--quiet", "--plot", "none", "--qoi", "candidates@2020-02-01",
		"--qoi", "active:D@2020-02-01", "--qoi",
		"commitment:D@2020-02-01", "--qoi", "candidates@end", "--qoi",
		"commitment:D@end", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	load(&t, dir, "qoi.csv");
	int ce = csv_col(&t, "estimate"), cn = csv_col(&t, "replications");
	assert_int_equal(t.n_rows, 5);
	assert_string_equal(csv_get(&t, 0, ce), "1");
	assert_string_equal(csv_get(&t, 1, ce), "0");
	assert_string_equal(csv_get(&t, 2, ce), "");
	assert_string_equal(csv_get(&t, 2, cn), "0");
	assert_string_equal(csv_get(&t, 3, ce), "0");
	expect_close(csv_num(csv_get(&t, 4, ce)),
		     apply_impact(0.9, 0.5 * (1.0 / 4) * -0.7), 1e-15,
		     "D at the end");
	csv_free(&t);
}

/* The ledger of a member that joins late: it moves only by the exit
 * spillover of C's withdrawal (credited to the withdrawal), nothing while
 * it waits as a candidate, and its total is its change from the initial
 * commitment. */
static void test_membership_ledger(void **state)
{
	const char *dir = *state;
	bin_result r;
	bin_run(&r, "run", "tests/scenarios/membership.cfg", "-o", dir,
		"--quiet", "--plot", "none", "--ledger", "D", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	load(&t, dir, "ledger.csv");
	int cc = csv_col(&t, "cause"), cm = csv_col(&t, "mean"),
	    cl = csv_col(&t, "label");
	double spill = apply_impact(0.9, 0.5 * (1.0 / 4) * -0.7) - 0.9;
	int seen = 0;
	for (size_t i = 0; i < t.n_rows; i++) {
		const char *cause = csv_get(&t, i, cc);
		double v = csv_num(csv_get(&t, i, cm));
		if (strcmp(cause, "spillover") == 0) {
			assert_non_null(strstr(csv_get(&t, i, cl),
					       "withdrawal C"));
			expect_close(v, spill, 1e-15, "D's spillover");
			seen++;
		} else if (strcmp(cause, "(total)") == 0) {
			expect_close(v, spill, 1e-15, "D's total");
			seen++;
		} else {
			expect_close(v, 0, 0, cause);
		}
	}
	assert_int_equal(seen, 2);
	csv_free(&t);
}

/* tests/scenarios/membership-gen.cfg: a candidate is in no summit and its
 * generator does not fire before it joins; after, it does. */
static void test_membership_generated(void **state)
{
	const char *dir = *state;
	run_scenario(dir, "membership-gen");
	csv_table t;
	load(&t, dir, "events.csv");
	size_t rows[2];
	assert_int_equal(events_of_type(&t, "summit", rows, 2), 2);
	int cv = csv_col(&t, "value"), cd = csv_col(&t, "day");
	assert_string_equal(csv_get(&t, rows[0], cv), "3");
	assert_string_equal(csv_get(&t, rows[1], cv), "4");
	int ct = csv_col(&t, "type"), ca = csv_col(&t, "actor");
	size_t before = 0, after = 0, others = 0;
	for (size_t i = 0; i < t.n_rows; i++) {
		if (strcmp(csv_get(&t, i, ct), "defeat") != 0)
			continue;
		if (strcmp(csv_get(&t, i, ca), "D") != 0)
			others++;
		else if (csv_num(csv_get(&t, i, cd)) < 60)
			before++;
		else
			after++;
	}
	assert_int_equal(before, 0);
	/* 50 a year: about 41 after day 60, about 8 before it for each of
	 * the others */
	assert_true(after > 10);
	assert_true(others > 30);
	csv_free(&t);
}

/* tests/scenarios/membership-dwell.cfg: relaxation, spells and watches
 * start on the joining day. */
static void test_membership_dwell(void **state)
{
	const char *dir = *state;
	run_scenario(dir, "membership-dwell");
	csv_table t;
	load(&t, dir, "events.csv");
	size_t rows[8];
	int cd = csv_col(&t, "day"), ca = csv_col(&t, "actor");
	assert_int_equal(events_of_type(&t, "freeze", rows, 8), 2);
	assert_string_equal(csv_get(&t, rows[0], ca), "F");
	assert_true(csv_num(csv_get(&t, rows[0], cd)) == 230);
	assert_string_equal(csv_get(&t, rows[1], ca), "E");
	expect_close(csv_num(csv_get(&t, rows[1], cd)),
		     100 + 168.49625007211562, 1e-9, "E's freeze day");
	/* H left by threshold on day 0; its withdrawal finds it gone */
	assert_int_equal(events_of_type(&t, "withdrawal", rows, 8), 1);
	assert_string_equal(csv_get(&t, rows[0], csv_col(&t, "value")), "0");
	csv_free(&t);

	load(&t, dir, "members.csv");
	for (double day = 0; day <= 365; day += 50) {
		double e = member_at(&t, "E", day);
		if (day < 100) {
			assert_true(isnan(e));
			assert_string_equal(status_at(&t, "E", day),
					    "candidate");
			continue;
		}
		expect_close(e, 0.3 + 0.6 * pow(2, -(day - 100) / 100), 1e-12,
			     "E relaxing from its joining day");
	}
	assert_string_equal(status_at(&t, "F", 150), "candidate");
	assert_string_equal(status_at(&t, "F", 200), "active");
	assert_string_equal(status_at(&t, "F", 250), "frozen");
	expect_close(member_at(&t, "F", 250), apply_impact(0.4, -0.4), 1e-15,
		     "F after its freeze impact");
	expect_close(member_at(&t, "G", 50), 0.5, 0, "G before the accessions");
	expect_close(member_at(&t, "G", 150), apply_impact(0.5, 0.8), 1e-15,
		     "G after E's accession");
	expect_close(member_at(&t, "G", 200),
		     apply_impact(apply_impact(0.5, 0.8), 0.8), 1e-15,
		     "G after F's accession");
	assert_string_equal(status_at(&t, "H", 300), "exited");
	csv_free(&t);

	load(&t, dir, "cohesion.csv");
	/* day 0: G at 0.5 and H exited (0, but in the denominator); E and F
	 * in neither */
	expect_close(csv_num(cohesion_at(&t, "cohesion", 0)), 0.25, 1e-15,
		     "cohesion on day 0");
	assert_string_equal(cohesion_at(&t, "candidates", 0), "2");
	expect_close(csv_num(cohesion_at(&t, "cohesion", 100)), 0.6, 1e-15,
		     "cohesion on day 100");
	assert_string_equal(cohesion_at(&t, "candidates", 100), "1");
	assert_string_equal(cohesion_at(&t, "candidates", 200), "0");
	csv_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_relaxation,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_threshold_crossing,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_degroot,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_friedkin_johnsen,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_bounded_impacts,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_membership, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_membership_ledger,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_membership_generated,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_membership_qoi,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_membership_dwell,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_scripted_fulfilment,
						bin_tmp_setup, bin_tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
