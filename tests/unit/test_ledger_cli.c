/* `cohesim run --ledger` through the real binary: ledger.csv's header and
 * rows, the same bytes at -j 1 and -j 2, the other files unchanged by
 * asking for it, the manifest, a closed form, and usage errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bin_helpers.h"

#define RELAX "tests/scenarios/relaxation.cfg"
#define LEDGER "tests/scenarios/ledger.cfg"

static char *dir_in(const char *tmp, const char *name)
{
	char *d = strdup(bin_path(tmp, name));
	assert_non_null(d);
	return d;
}

static void test_jobs_same_bytes(void **state)
{
	const char *tmp = *state;
	char *a = dir_in(tmp, "a"), *b = dir_in(tmp, "b"), *c = dir_in(tmp, "c");
	bin_result r;
	bin_run(&r, "run", LEDGER, "-o", a, "-r", "12", "-j", "1", "--plot",
		"none", "-q", "--ledger", "M", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	bin_run(&r, "run", LEDGER, "-o", b, "-r", "12", "-j", "2", "--plot",
		"none", "-q", "--ledger", "M", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_same_file(bin_path(a, "ledger.csv"),
				  bin_path(b, "ledger.csv")));
	/* asking for the ledger changes no other file */
	bin_run(&r, "run", LEDGER, "-o", c, "-r", "12", "-j", "2", "--plot",
		"none", "-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	static const char *const others[] = {
		"cohesion.csv", "members.csv", "events.csv", "summary.csv",
		"outcomes.csv", "survival.csv",
	};
	for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
		char *pa = strdup(bin_path(a, others[i]));
		assert_true(bin_same_file(pa, bin_path(c, others[i])));
		free(pa);
	}
	assert_false(bin_exists(bin_path(c, "ledger.csv")));

	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(a, "ledger.csv")), 0);
	assert_string_equal(csv_header_line(&t),
			    "member,cause,unit,label,mean,ci_lo,ci_hi");
	int cause = csv_col(&t, "cause"), mean = csv_col(&t, "mean");
	double sum = 0;
	for (size_t k = 0; k + 1 < t.n_rows; k++) {
		assert_string_equal(csv_get(&t, k, 0), "M");
		sum += csv_num(csv_get(&t, k, mean));
	}
	assert_string_equal(csv_get(&t, t.n_rows - 1, cause), "(total)");
	assert_true(fabs(sum - csv_num(csv_get(&t, t.n_rows - 1, mean))) <=
		    1e-12);
	csv_free(&t);
	char *manifest = bin_slurp(bin_path(a, "manifest.json"), NULL);
	assert_non_null(strstr(manifest, "\"ledger.csv\""));
	free(manifest);

	/* a run without --ledger removes an earlier run's ledger.csv */
	bin_run(&r, "run", LEDGER, "-o", a, "-r", "2", "--plot", "none", "-q",
		NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(a, "ledger.csv")));
	free(a);
	free(b);
	free(c);
}

/* Relaxation alone, over a window: 0.40606601717798213 - 0.6. */
static void test_relaxation_window(void **state)
{
	const char *tmp = *state;
	char *d = dir_in(tmp, "relax");
	bin_result r;
	bin_run(&r, "run", RELAX, "-o", d, "--plot", "none", "-q", "--ledger",
		"A", "--from", "2020-04-10", "--to", "2020-09-07", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(d, "ledger.csv")), 0);
	assert_int_equal(t.n_rows, 4);
	assert_string_equal(csv_get(&t, 1, 1), "relaxation");
	double want = 0.40606601717798213 - 0.6;
	assert_true(fabs(csv_num(csv_get(&t, 1, 4)) - want) <= 1e-12);
	assert_true(fabs(csv_num(csv_get(&t, 3, 4)) - want) <= 1e-12);
	csv_free(&t);
	free(d);
}

static void test_usage_errors(void **state)
{
	const char *tmp = *state;
	char *d = dir_in(tmp, "bad");
	static const char *const bad[][4] = {
		{"--ledger", "ZZ", NULL, NULL},
		{"--from", "2020-02-01", NULL, NULL},
		{"--ledger", "A", "--from", "2020-13-01"},
		{"--ledger", "A", "--to", "2030-01-01"},
		{"--ledger", "A", "--from", "2020-06-01"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		bin_result r;
		if (i == 4)
			bin_run(&r, "run", RELAX, "-o", d, "-q", bad[i][0],
				bad[i][1], bad[i][2], bad[i][3], "--to",
				"2020-05-01", NULL);
		else
			bin_run(&r, "run", RELAX, "-o", d, "-q", bad[i][0],
				bad[i][1], bad[i][2], bad[i][3], NULL);
		bin_expect_status(&r, 2);
		assert_non_null(strstr(r.err, "cohesim: run: --"));
		bin_result_free(&r);
	}
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_jobs_same_bytes, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_relaxation_window,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_usage_errors, bin_tmp_setup,
						bin_tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
