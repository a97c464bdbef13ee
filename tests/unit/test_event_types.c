/* Version 2 event types through the real binary (docs/model.md sections 4
 * and 8): types declared in model.event_types received by `by`,
 * `target`, `both`, `others` and `all`, a dispute with spillover from
 * both sides, model.weights.NAME overridden with --set, and the
 * generators of version 2 (a declared type's count over a Poisson
 * interval, drawn summit absences against their logistic, drawn tones and
 * deltas against their means).  Every expected number is computed here
 * from the rules of docs/model.md section 3, not read from a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "bin_helpers.h"

/*--- Helpers -------------------------------------------------------------*/

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

/* Runs `cohesim run PATH -o DIR --quiet --plot none [--set SET] [-r R]`;
 * set and reps may be NULL. */
static void run_into(const char *dir, const char *path, const char *set,
		     const char *reps)
{
	bin_result r;
	if (set)
		bin_run(&r, "run", path, "-o", dir, "--quiet", "--plot", "none",
			"--set", set, NULL);
	else if (reps)
		bin_run(&r, "run", path, "-o", dir, "--quiet", "--plot", "none",
			"-r", reps, "-j", "1", "--keep", "all", NULL);
	else
		bin_run(&r, "run", path, "-o", dir, "--quiet", "--plot", "none",
			NULL);
	if (r.status != 0) {
		print_error("cohesim run %s: exit %d\n%s\n", path, r.status,
			    r.err);
		fail();
	}
	bin_result_free(&r);
}

static void load(csv_table *t, const char *dir, const char *name)
{
	if (csv_load(t, bin_path(dir, name)) != 0) {
		print_error("%s\n", t->error);
		fail();
	}
}

/* The bounded impact rule of docs/model.md section 3. */
static double apply_impact(double c, double x)
{
	if (x > 1)
		x = 1;
	if (x < -1)
		x = -1;
	return x >= 0 ? c + x * (1 - c) : c * (1 + x);
}

/* Member index of an id of tests/scenarios/user-types.cfg. */
static int idx(const char *id)
{
	return id[0] - 'A';
}

/* Checks one row of events.csv: its type, the member it is about and
 * the commitment after; the model's state c[] is advanced to it. */
static void expect_row(const csv_table *t, size_t row, const char *type,
		       const char *member, double *c, double want)
{
	const char *got_type = csv_get(t, row, csv_col(t, "type"));
	const char *got_member = csv_get(t, row, csv_col(t, "member"));
	if (strcmp(got_type, type) != 0 || strcmp(got_member, member) != 0) {
		print_error("events.csv row %zu: got %s on %s, expected %s on "
			    "%s\n", row + 2, got_type, got_member, type, member);
		fail();
	}
	double before = csv_num(csv_get(t, row, csv_col(t, "commitment_before")));
	double after = csv_num(csv_get(t, row, csv_col(t, "commitment_after")));
	char what[96];
	snprintf(what, sizeof what, "%s on %s: before", type, member);
	expect_close(before, c[idx(member)], 1e-12, what);
	snprintf(what, sizeof what, "%s on %s: after", type, member);
	expect_close(after, want, 1e-12, what);
	c[idx(member)] = want;
}

/* Spillover of base impact `base` from member src with share sigma onto
 * every other member of the four (equal powers: hat-w = 1/3), as
 * docs/model.md section 3 has it. */
static void spill(double *c, const double *s, int src, double base,
		  double sigma)
{
	for (int j = 0; j < 4; j++)
		if (j != src)
			c[j] = apply_impact(c[j], sigma / 3.0 * base * s[j]);
}

/*--- Closed forms --------------------------------------------------------*/

#define USER_TYPES "tests/scenarios/user-types.cfg"

/* tests/scenarios/user-types.cfg: one event per way of receiving, then a
 * dispute with spillover from both sides; no relaxation. */
static void test_receivers_and_dispute(void **state)
{
	const char *dir = *state;
	run_into(dir, USER_TYPES, NULL, NULL);
	csv_table t;
	load(&t, dir, "events.csv");
	assert_int_equal(t.n_rows, 13);
	double c[4] = {0.8, 0.6, 0.5, 0.4};
	const double s[4] = {1.0, 0.5, 2.0, 1.0};
	size_t r = 0;
	/* arms_purchase, receives by: A takes -0.6 * 0.5 * 1 */
	expect_row(&t, r++, "arms_purchase", "A", c, apply_impact(0.8, -0.3));
	expect_close(c[0], 0.56, 1e-15, "A after the arms purchase");
	/* sanction, receives target: B takes -0.5 * 1 * 0.5 */
	expect_row(&t, r++, "sanction", "B", c, apply_impact(c[1], -0.25));
	/* quarrel, receives both: C then D, magnitude 0.5 */
	expect_row(&t, r++, "quarrel", "C", c,
		   apply_impact(c[2], -0.4 * 0.5 * s[2]));
	expect_row(&t, r++, "quarrel", "D", c,
		   apply_impact(c[3], -0.4 * 0.5 * s[3]));
	/* favour, receives others (not A), magnitude 0.4 */
	for (int j = 1; j < 4; j++) {
		char id[2] = {(char)('A' + j), 0};
		expect_row(&t, r++, "favour", id, c,
			   apply_impact(c[j], 0.5 * 0.4 * s[j]));
	}
	/* crisis, receives all (D acts, D receives too) */
	for (int j = 0; j < 4; j++) {
		char id[2] = {(char)('A' + j), 0};
		expect_row(&t, r++, "crisis", id, c,
			   apply_impact(c[j], -0.2 * s[j]));
	}
	/* dispute A -> C, magnitude 2, omega -0.2 (the default), spillover
	 * share 0.5: A takes its impact and spills, then C (already moved
	 * by A's spillover) takes its own and spills */
	double base = -0.2 * 2;
	double a_after = apply_impact(c[0], base * s[0]);
	expect_row(&t, r++, "dispute", "A", c, a_after);
	spill(c, s, 0, base, 0.5);
	double c_after = apply_impact(c[2], base * s[2]);
	expect_row(&t, r++, "dispute", "C", c, c_after);
	spill(c, s, 2, base, 0.5);
	csv_free(&t);

	/* the samples at the horizon hold every member's final value */
	load(&t, dir, "members.csv");
	int cd = csv_col(&t, "day"), cm = csv_col(&t, "member"),
	    cc = csv_col(&t, "commitment");
	double last = csv_num(csv_get(&t, t.n_rows - 1, cd));
	int seen = 0;
	for (size_t i = 0; i < t.n_rows; i++) {
		if (csv_num(csv_get(&t, i, cd)) != last)
			continue;
		int j = idx(csv_get(&t, i, cm));
		expect_close(csv_num(csv_get(&t, i, cc)), c[j], 1e-12,
			     "final commitment after both spillovers");
		seen++;
	}
	assert_int_equal(seen, 4);
	csv_free(&t);
}

/* --set model.weights.sanction replaces the declared weight. */
static void test_set_overrides_user_weight(void **state)
{
	const char *dir = *state;
	run_into(dir, USER_TYPES, "model.weights.sanction=-0.1", NULL);
	csv_table t;
	load(&t, dir, "events.csv");
	assert_string_equal(csv_get(&t, 1, csv_col(&t, "type")), "sanction");
	double after = csv_num(csv_get(&t, 1, csv_col(&t, "commitment_after")));
	expect_close(after, apply_impact(0.6, -0.1 * 1 * 0.5), 1e-15,
		     "B after a sanction of weight -0.1");
	csv_free(&t);
}

/*--- Generators ---------------------------------------------------------*/

#define REPS 50
#define GEN_DRAWS "tests/scenarios/gen-draws.cfg"
#define GEN_ABSENCES "tests/scenarios/gen-absences.cfg"

/* |got - want| within z standard errors; prints the scenario's seed (its
 * scenario.seed) on failure. */
static void expect_within(double got, double want, double se, double z,
			  const char *what, const char *seed)
{
	if (!(fabs(got - want) <= z * se)) {
		print_error("%s: got %.6g, expected %.6g +- %g (%g standard "
			    "errors; seed %s)\n", what, got, want, z * se, z,
			    seed);
		fail();
	}
}

/* Count and mean of the value column of the rows of one type (and, if
 * member is not NULL, about that member). */
static void type_stats(const csv_table *t, const char *type,
		       const char *member, double *count, double *mean,
		       double *mean_sq)
{
	int ct = csv_col(t, "type"), cm = csv_col(t, "member"),
	    cv = csv_col(t, "value");
	double n = 0, sum = 0, sq = 0;
	for (size_t i = 0; i < t->n_rows; i++) {
		if (strcmp(csv_get(t, i, ct), type) != 0 ||
		    (member && strcmp(csv_get(t, i, cm), member) != 0))
			continue;
		double v = csv_num(csv_get(t, i, cv));
		n++;
		sum += v;
		sq += v * v;
	}
	*count = n;
	*mean = n > 0 ? sum / n : NAN;
	*mean_sq = n > 0 ? sq / n : NAN;
}

/* A declared type's count over REPS replications is Poisson with mean
 * REPS * rate * T / 365.25; drawn tones and deltas have the means of
 * their distributions. */
static void test_generated_counts_and_draws(void **state)
{
	const char *dir = *state;
	char reps[16];
	snprintf(reps, sizeof reps, "%d", REPS);
	run_into(dir, GEN_DRAWS, NULL, reps);
	csv_table t;
	load(&t, dir, "events.csv");
	double n, mean, sq;
	const double years = 365.0 / 365.25;

	type_stats(&t, "arms_purchase", "B", &n, &mean, &sq);
	double lambda = REPS * 12.0 * years;
	expect_within(n, lambda, sqrt(lambda), 4, "arms_purchase count",
		      "20261201");
	assert_true(mean == 0.5);

	/* tone uniform in [-6, 2]: magnitude tone / 10, mean -0.2, sd
	 * 0.8 / sqrt(12); every draw inside the bounds */
	type_stats(&t, "statement", "B", &n, &mean, &sq);
	expect_within(n, REPS * 24.0 * years, sqrt(REPS * 24.0 * years), 4,
		      "statement count", "20261201");
	expect_within(mean, -0.2, 0.8 / sqrt(12.0) / sqrt(n), 4,
		      "mean drawn tone / 10", "20261201");
	int ct = csv_col(&t, "type"), cv = csv_col(&t, "value");
	for (size_t i = 0; i < t.n_rows; i++)
		if (strcmp(csv_get(&t, i, ct), "statement") == 0) {
			double v = csv_num(csv_get(&t, i, cv));
			assert_true(v >= -0.6 && v <= 0.2);
		}

	/* delta normal, mean -0.05, sd 0.02 */
	type_stats(&t, "shock", "C", &n, &mean, &sq);
	expect_within(mean, -0.05, 0.02 / sqrt(n), 4, "mean drawn delta",
		      "20261201");
	double sd = sqrt(sq - mean * mean);
	expect_within(sd, 0.02, 0.02 / sqrt(2 * n), 5, "sd of drawn delta",
		      "20261201");
	csv_free(&t);
}

/* At a fixed commitment, the share of summits a member skips is a
 * binomial proportion with p = 1 / (1 + exp(slope (c - mid))); the host
 * never stays away. */
static void test_summit_absence_rate(void **state)
{
	const char *dir = *state;
	char reps[16];
	snprintf(reps, sizeof reps, "%d", REPS);
	run_into(dir, GEN_ABSENCES, NULL, reps);
	csv_table t;
	load(&t, dir, "events.csv");
	double summits, absent, mean, sq;
	type_stats(&t, "summit", NULL, &summits, &mean, &sq);
	assert_true(summits > 500);
	static const struct { const char *id; double c; } m[] = {
		{"B", 0.4}, {"C", 0.7},
	};
	for (size_t k = 0; k < 2; k++) {
		type_stats(&t, "summit_absence", m[k].id, &absent, &mean, &sq);
		double p = 1.0 / (1.0 + exp(10.0 * (m[k].c - 0.5)));
		char what[64];
		snprintf(what, sizeof what, "absences of %s in %g summits",
			 m[k].id, summits);
		expect_within(absent, summits * p,
			      sqrt(summits * p * (1 - p)), 4, what, "20261202");
	}
	type_stats(&t, "summit_absence", "A", &absent, &mean, &sq);
	assert_true(absent == 0);
	csv_free(&t);
}

/* Draws are keyed by identity (docs/model.md section 11): silencing the
 * declared type's generator (rate 0) leaves every drawn tone and delta,
 * and every event time of the other generators, as it was. */
static void test_draws_are_paired(void **state)
{
	const char *dir = *state;
	char *other = bin_tmpdir();
	assert_non_null(other);
	bin_result r;
	bin_run(&r, "run", GEN_DRAWS, "-o", dir, "--quiet", "--plot", "none",
		"-r", "5", "-j", "1", "--keep", "all", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	bin_run(&r, "run", GEN_DRAWS, "-o", other, "--quiet", "--plot", "none",
		"-r", "5", "-j", "1", "--keep", "all", "--set",
		"generators.[0].rate=0.0", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table a, b;
	load(&a, dir, "events.csv");
	load(&b, other, "events.csv");
	int ta = csv_col(&a, "type"), tb = csv_col(&b, "type");
	size_t j = 0, compared = 0;
	for (size_t i = 0; i < a.n_rows; i++) {
		if (strcmp(csv_get(&a, i, ta), "arms_purchase") == 0)
			continue;
		assert_true(j < b.n_rows);
		for (int col = 0; col < 4; col++)
			assert_string_equal(csv_get(&a, i, col),
					    csv_get(&b, j, col));
		assert_string_equal(csv_get(&a, i, csv_col(&a, "value")),
				    csv_get(&b, j, csv_col(&b, "value")));
		j++;
		compared++;
	}
	assert_int_equal(j, b.n_rows);
	for (size_t i = 0; i < b.n_rows; i++)
		assert_string_not_equal(csv_get(&b, i, tb), "arms_purchase");
	assert_true(compared > 100);
	csv_free(&a);
	csv_free(&b);
	bin_rmtree(other);
}

/* describe shows the declared types, who receives them and their
 * weights (after model.weights), and the generators' drawn parts. */
static void test_describe_shows_types(void **state)
{
	(void)state;
	bin_result r;
	bin_run(&r, "describe", USER_TYPES, "--set",
		"model.weights.favour=0.25", NULL);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "Event types of the scenario (5)"));
	assert_non_null(strstr(r.out, "sanction               received by "
				      "target, weight -0.5, spillover 0"));
	assert_non_null(strstr(r.out, "favour                 received by "
				      "others, weight 0.25"));
	assert_non_null(strstr(r.out, "dispute                      -0.2 *"));
	assert_non_null(strstr(r.out, "dispute              by A target C, "
				      "magnitude 2"));
	bin_result_free(&r);
	bin_run(&r, "describe", GEN_DRAWS, NULL);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "tone uniform in [-6, 2]"));
	assert_non_null(strstr(r.out, "delta normal (mean -0.05, sd 0.02) "
				      "within [-1, 1]"));
	bin_result_free(&r);
	bin_run(&r, "describe", GEN_ABSENCES, NULL);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "absences drawn (absence_mid 0.5, "
				      "absence_slope 10)"));
	bin_result_free(&r);
}

/* The ledger of `attribute --method ledger` books a generated event of a
 * declared type (with the other events in no unit), so its parts still
 * add up to the change. */
static void test_ledger_books_declared_types(void **state)
{
	const char *dir = *state;
	bin_result r;
	bin_run(&r, "attribute", GEN_DRAWS, "--qoi", "commitment:B@end",
		"--method", "ledger", "--set", "model.weights.arms_purchase=-0.3",
		"-r", "5", "-o", dir, "--plot", "none", "--quiet", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	load(&t, dir, "attribution.csv");
	int cu = csv_col(&t, "unit"), ce = csv_col(&t, "effect");
	double parts = 0, total = NAN, other = 0;
	for (size_t i = 0; i < t.n_rows; i++) {
		double e = csv_num(csv_get(&t, i, ce));
		if (strcmp(csv_get(&t, i, cu), "(total)") == 0)
			total = e;
		else
			parts += e;
		if (strcmp(csv_get(&t, i, cu), "(other events)") == 0)
			other = e;
	}
	expect_close(parts, total, 1e-9, "ledger parts against the change");
	assert_true(other < -0.1);      /* the purchases, at -0.3 each */
	csv_free(&t);
}

/* `others` and `all` reach the current members only: a member who has
 * exited takes nothing and gets no row. */
static void test_receivers_skip_exited(void **state)
{
	const char *dir = *state;
	static const char text[] =
		"version = 1;\n"
		"scenario: { name = \"exited\"; start = \"2020-01-01\"; "
		"end = \"2020-12-31\"; };\n"
		"model: { half_life = 0.0; event_types = (\n"
		"  { name = \"crisis\"; weight = -0.2; receives = \"all\"; },\n"
		"  { name = \"favour\"; weight = 0.5; receives = \"others\"; }\n"
		"); };\n"
		"members = (\n"
		"  { id = \"A\"; name = \"A\"; power = 1.0; commitment = 0.8; },\n"
		"  { id = \"B\"; name = \"B\"; power = 1.0; commitment = 0.5; "
		"freeze = 0.3; exit = 0.3; },\n"
		"  { id = \"C\"; name = \"C\"; power = 1.0; commitment = 0.6; }\n"
		");\n"
		"events = (\n"
		"  { date = \"2020-02-01\"; type = \"shock\"; member = \"B\"; "
		"delta = -0.9; },\n"
		"  { date = \"2020-03-01\"; type = \"crisis\"; by = \"A\"; },\n"
		"  { date = \"2020-04-01\"; type = \"favour\"; by = \"C\"; }\n"
		");\n";
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/exited.cfg", dir);
	assert_int_equal(bin_write_file(path, text), 0);
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/out", dir);
	run_into(out, path, NULL, NULL);
	csv_table t;
	load(&t, out, "events.csv");
	int ct = csv_col(&t, "type"), cm = csv_col(&t, "member");
	int crisis = 0, favour = 0, exits = 0;
	for (size_t i = 0; i < t.n_rows; i++) {
		const char *type = csv_get(&t, i, ct);
		const char *m = csv_get(&t, i, cm);
		if (strcmp(type, "exit") == 0) {
			exits++;
			assert_string_equal(m, "B");
			assert_string_equal(csv_get(&t, i, csv_col(&t, "date")),
					    "2020-02-01");
		} else if (strcmp(type, "crisis") == 0) {
			crisis++;
			assert_string_not_equal(m, "B");
		} else if (strcmp(type, "favour") == 0) {
			favour++;
			assert_string_equal(m, "A");
		}
	}
	assert_int_equal(exits, 1);     /* B left before the crisis */
	assert_int_equal(crisis, 2);    /* A and C, not the exited B */
	assert_int_equal(favour, 1);    /* A: C acts, B has exited */
	csv_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_receivers_and_dispute,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_set_overrides_user_weight,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_generated_counts_and_draws,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_summit_absence_rate,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_draws_are_paired,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test(test_describe_shows_types),
		cmocka_unit_test_setup_teardown(test_ledger_books_declared_types,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_receivers_skip_exited,
						bin_tmp_setup, bin_tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
