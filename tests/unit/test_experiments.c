/* compare, sweep and plot through the real binary: paired comparisons of a
 * scenario with itself are exactly zero, sweeps survive kill -9 and resume
 * to the same bytes (also across MPI ranks), read their scenario once
 * (strace counts the opens) and ignore edits made while they run, every
 * bad axis is refused before work with its name, figures are drawn and
 * redrawn, and a missing gnuplot is a warning, not a failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bin_helpers.h"

#define SCENARIO "tests/scenarios/generator.cfg"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = bin_tmpdir();
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	bin_rmtree(dir); /* frees dir */
	dir = NULL;
	return 0;
}

/*--- compare -----------------------------------------------------------*/

/* compare.png names the alternative and the base, and marks the events
 * (its script reads timeline.csv); a redraw by plot, which does not know
 * the names, still draws. */
static void test_compare_figure_names_both(void **state)
{
	(void)state;
	bin_result r;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, "cmp-fig");
	assert_true(bin_run(&r, "compare", SCENARIO, SCENARIO, "-r", "3",
			    "-o", out, "--plot", "svg", "-q", NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *script = bin_slurp(bin_path(out, "compare.gp"), NULL);
	assert_non_null(script);
	assert_non_null(strstr(script, "array sides[2 + 1] = ['generator', "
				       "'generator']"));
	assert_non_null(strstr(script, "'timeline.csv'"));
	free(script);
	char *svg = bin_slurp(bin_path(out, "compare.svg"), NULL);
	assert_non_null(svg);
	assert_non_null(strstr(svg, "alternative: generator against base: "
				    "generator"));
	free(svg);
	assert_true(bin_run(&r, "plot", out, "--format", "svg", "-q",
			    NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
}

static void test_compare_with_itself_is_zero(void **state)
{
	(void)state;
	bin_result r;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, "cmp");
	assert_true(bin_run(&r, "compare", SCENARIO, SCENARIO, "-r",
				 "40", "-o", out, "--plot", "none", "-q",
				 NULL) >= 0);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "paired replications"));
	bin_result_free(&r);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(out, "compare.csv")), 0);
	assert_string_equal(t.header[5], "diff_mean");
	size_t checked = 0;
	for (size_t i = 0; i < t.n_rows; i++)
		for (size_t c = 5; c < t.n_cols; c++) {
			const char *cell = t.cells[i * t.n_cols + c];
			if (!cell[0])
				continue; /* reliability before any request */
			if (strtod(cell, NULL) != 0.0)
				fail_msg("row %zu %s = %s", i, t.header[c],
					 cell);
			checked++;
		}
	assert_true(checked > 100);
	csv_free(&t);
	assert_int_equal(csv_load(&t, bin_path(out, "compare-members.csv")),
			 0);
	const char *diffs[] = {"p_freeze_diff", "p_frozen_now_diff",
			       "p_exit_diff"};
	for (size_t k = 0; k < 3; k++) {
		int c = csv_col(&t, diffs[k]);
		assert_true(c >= 0);
		for (size_t i = 0; i < t.n_rows; i++)
			assert_true(strtod(csv_get(&t, i, c), NULL) == 0.0);
	}
	csv_free(&t);
}

/* Other dates or another sample grid cannot be paired day by day. */
static void test_compare_refuses_other_dates(void **state)
{
	(void)state;
	bin_result r;
	assert_true(bin_run(&r, "compare", SCENARIO,
				 "tests/scenarios/relaxation.cfg", "-o",
				 "/nonexistent/never-written", "-q", NULL) >= 0);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "tests/scenarios/relaxation.cfg: its "
				      "start, end or output.sample_every"));
	bin_result_free(&r);
}

/* Members are paired by id: membership.cfg has A, B, C and D (who joins),
 * membership-alt.cfg E, A, B and C in another order.  A, B and C are
 * compared; D and E are reported, on stdout and in compare-unpaired.csv,
 * not refused.  C withdraws on day 121 in both, at 0.92 in the base (after
 * D's accession: 1 - 0.4 * 0.2) and at 0.6 in the alternative, so its
 * final difference is -0.32 exactly (up to rounding). */
static void test_compare_pairs_members_by_id(void **state)
{
	(void)state;
	bin_result r;
	const char *out = bin_path(dir, "pair-by-id");
	assert_true(bin_run(&r, "compare", "tests/scenarios/membership.cfg",
			    "tests/scenarios/membership-alt.cfg", "-o", out,
			    "-r", "2", "--plot", "none", "-q", NULL) >= 0);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "only in BASE (not paired): D\n"));
	assert_non_null(strstr(r.out, "only in ALT (not paired): E\n"));
	bin_result_free(&r);

	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(out, "compare-members.csv")), 0);
	assert_int_equal(t.n_rows, 3);
	int mc = csv_col(&t, "member");
	const char *want[] = {"A", "B", "C"};
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(csv_get(&t, i, mc), want[i]);
	csv_free(&t);

	assert_int_equal(csv_load(&t, bin_path(out, "compare-unpaired.csv")),
			 0);
	assert_int_equal(t.n_rows, 2);
	assert_string_equal(csv_get(&t, 0, csv_col(&t, "member")), "D");
	assert_string_equal(csv_get(&t, 0, csv_col(&t, "only_in")), "base");
	assert_string_equal(csv_get(&t, 1, csv_col(&t, "member")), "E");
	assert_string_equal(csv_get(&t, 1, csv_col(&t, "only_in")), "alt");
	csv_free(&t);

	assert_int_equal(csv_load(&t, bin_path(out, "compare.csv")), 0);
	int day = csv_col(&t, "day"), metric = csv_col(&t, "metric");
	int diff = csv_col(&t, "diff_mean"), alt = csv_col(&t, "alt_median");
	int seen = 0;
	for (size_t i = 0; i < t.n_rows; i++) {
		if (strcmp(csv_get(&t, i, day), "365") != 0)
			continue;
		const char *name = csv_get(&t, i, metric);
		if (strcmp(name, "member:C") == 0) {
			assert_true(fabs(strtod(csv_get(&t, i, diff), NULL) +
					 0.32) < 1e-12);
			seen++;
		} else if (strcmp(name, "member:D") == 0) {
			/* the alternative lacks D: no difference */
			assert_string_equal(csv_get(&t, i, diff), "");
			assert_string_equal(csv_get(&t, i, alt), "");
			seen++;
		} else if (strcmp(name, "candidates") == 0) {
			/* a model without joins has no candidates */
			assert_string_equal(csv_get(&t, i, alt), "0");
			seen++;
		}
	}
	assert_int_equal(seen, 3);
	csv_free(&t);
	char *manifest = bin_slurp(bin_path(out, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "compare-unpaired.csv"));
	free(manifest);

	/* the same members again in the folder: the list of unpaired
	 * members goes, and the manifest does not name it */
	assert_true(bin_run(&r, "compare", "tests/scenarios/membership.cfg",
			    "tests/scenarios/membership.cfg", "-o", out, "-r",
			    "2", "--plot", "none", "-q", NULL) >= 0);
	bin_expect_status(&r, 0);
	assert_null(strstr(r.out, "not paired"));
	bin_result_free(&r);
	struct stat st;
	assert_int_not_equal(stat(bin_path(out, "compare-unpaired.csv"), &st),
			     0);
	manifest = bin_slurp(bin_path(out, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_null(strstr(manifest, "compare-unpaired.csv"));
	free(manifest);
}

/*--- sweep -------------------------------------------------------------*/

static const char *const axes[] = {
	"--vary", "model.half_life=100:400:6", "--vary",
	"members.S.freeze=0.3,0.4,0.5",
};

static int sweep_into(bin_result *r, const char *out, const char *extra)
{
	return bin_run(r, "sweep", SCENARIO, axes[0], axes[1], axes[2],
		       axes[3], "-r", "30", "--plot", "none", "-q", "-o", out,
		       extra, NULL);
}

static const char *const sweep_files[] = {"points.csv", "sweep.csv",
					  "sweep-summary.csv"};

static void test_sweep_files_and_design(void **state)
{
	(void)state;
	bin_result r;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, "s");
	assert_true(sweep_into(&r, out, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(out, "points.csv")), 0);
	assert_int_equal(t.n_rows, 18);
	assert_string_equal(t.header[1], "model.half_life");
	assert_string_equal(t.cells[1 * t.n_cols + 1], "100"); /* point 1 */
	assert_string_equal(t.cells[1 * t.n_cols + 2], "0.4");
	assert_string_equal(t.cells[17 * t.n_cols + 1], "400");
	csv_free(&t);
	assert_int_equal(csv_load(&t, bin_path(out, "sweep.csv")), 0);
	assert_int_equal(t.n_rows, 18 * 30);
	csv_free(&t);
	assert_int_equal(csv_load(&t, bin_path(out, "sweep-summary.csv")),
			 0);
	assert_int_equal(t.n_rows, 18);
	csv_free(&t);
	/* a finished sweep is never overwritten by accident */
	assert_true(sweep_into(&r, out, NULL) >= 0);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "already holds a sweep with 18 "
				      "finished points"));
	bin_result_free(&r);
	/* -j does not change a byte */
	char out1[PATH_MAX];
	snprintf(out1, sizeof out1, "%s/%s", dir, "s-j1");
	assert_true(bin_run(&r, "sweep", SCENARIO, axes[0], axes[1],
				 axes[2], axes[3], "-r", "30", "--plot", "none",
				 "-q", "-j", "1", "-o", out1, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	for (size_t i = 0; i < 3; i++)
		assert_true(bin_same_file(bin_path(out, sweep_files[i]),
				      bin_path(out1, sweep_files[i])));
}

/* kill -9 part-way, then --resume: the same bytes as a sweep that was
 * never interrupted. */
static void test_sweep_resume_after_kill(void **state)
{
	(void)state;
	bin_result r;
	char whole[PATH_MAX];
	snprintf(whole, sizeof whole, "%s/%s", dir, "whole");
	char cut[PATH_MAX];
	snprintf(cut, sizeof cut, "%s/%s", dir, "cut");
	const char *args[] = {"sweep", SCENARIO, "--vary",
			      "model.half_life=50:500:40", "-r", "60",
			      "--plot", "none", "-q", "-j", "1", "-o", NULL,
			      NULL};
	args[12] = whole;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);

	args[12] = cut;
	bin_child c;
	assert_int_equal(bin_start(&c, NULL, args), 0);
	/* wait for a few finished points, then kill without warning */
	const char *summary = bin_path(cut, "sweep-summary.csv");
	for (int tries = 0; tries < 3000; tries++) {
		size_t n = 0;
		char *text = bin_slurp(summary, NULL);
		for (char *p = text; p && *p; p++)
			n += *p == '\n';
		free(text);
		if (n >= 4)
			break;
		struct timespec ms = {0, 2000000};
		nanosleep(&ms, NULL);
	}
	kill(c.pid, SIGKILL);
	assert_int_equal(bin_wait(&c, &r), 0);
	bin_result_free(&r);
	assert_false(bin_same_file(bin_path(whole, "sweep.csv"),
			       bin_path(cut, "sweep.csv")));

	const char *more[] = {"sweep", SCENARIO, "--vary",
			      "model.half_life=50:500:40", "-r", "60",
			      "--plot", "none", "-q", "-j", "1", "-o", cut,
			      "--resume", NULL};
	assert_true(bin_run_argv(&r, NULL, more) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	for (size_t i = 0; i < 3; i++)
		if (!bin_same_file(bin_path(whole, sweep_files[i]),
			       bin_path(cut, sweep_files[i])))
			fail_msg("%s differs after resume", sweep_files[i]);
}

static void test_sweep_resume_refuses_another_design(void **state)
{
	(void)state;
	bin_result r;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, "d");
	assert_true(sweep_into(&r, out, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_run(&r, "sweep", SCENARIO, "--vary",
				 "model.half_life=1:2:2", "-o", out,
				 "--resume", "-q", NULL) >= 0);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "another design"));
	bin_result_free(&r);
	/* the same design with other replications is another sweep too */
	assert_true(bin_run(&r, "sweep", SCENARIO, axes[0], axes[1], axes[2],
			    axes[3], "-r", "31", "--plot", "none", "-q", "-o",
			    out, "--resume", NULL) >= 0);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "started with other settings"));
	bin_result_free(&r);
}

/*--- The scenario is read once ----------------------------------------*/

/* A copy of SCENARIO in dir/s/ whose output block comes from an include,
 * so that reading "the scenario" means reading two files.  Returns the
 * main file's path (static). */
static const char *scenario_with_include(void)
{
	static char main_cfg[PATH_MAX];
	char folder[PATH_MAX];
	snprintf(folder, sizeof folder, "%s/s", dir);
	assert_int_equal(mkdir(folder, 0777) == 0 || errno == EEXIST, 1);
	snprintf(main_cfg, sizeof main_cfg, "%s/main.cfg", folder);
	char *text = bin_slurp(SCENARIO, NULL);
	assert_non_null(text);
	const char *block = "output: { sample_every = 30.0; };";
	char *at = strstr(text, block);
	assert_non_null(at);
	FILE *fp = fopen(main_cfg, "w");
	assert_non_null(fp);
	fprintf(fp, "%.*s@include \"output.params\"%s", (int)(at - text), text,
		at + strlen(block));
	fclose(fp);
	free(text);
	assert_int_equal(bin_write_file(bin_path(folder, "output.params"),
					"output: { sample_every = 30.0; };\n"),
			 0);
	return main_cfg;
}

/* Replaces the first `from` in a file by `to`. */
static void edit_file(const char *path, const char *from, const char *to)
{
	char *text = bin_slurp(path, NULL);
	assert_non_null(text);
	char *at = strstr(text, from);
	assert_non_null(at);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	fclose(fp);
	free(text);
}

/* Lines of a file (0 if it cannot be read). */
static size_t count_lines(const char *path)
{
	size_t n = 0;
	char *text = bin_slurp(path, NULL);
	for (char *p = text; p && *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

/* How many times a sweep of n points opens each of the scenario's two
 * files, counted with strace (it replaces $COH_WRAP for this run). */
static void count_opens(const char *scenario, unsigned n, size_t *main_opens,
			size_t *include_opens)
{
	char log[PATH_MAX], wrap[PATH_MAX + 64], vary[64], out[PATH_MAX];
	snprintf(log, sizeof log, "%s/strace-%u.log", dir, n);
	snprintf(wrap, sizeof wrap, "strace -f -qq -e trace=openat -o %s", log);
	snprintf(vary, sizeof vary, "model.half_life=100:400:%u", n);
	snprintf(out, sizeof out, "%s/opens-%u", dir, n);
	const char *saved = getenv("COH_WRAP");
	char *keep = saved ? strdup(saved) : NULL;
	setenv("COH_WRAP", wrap, 1);
	/* LeakSanitizer cannot run under ptrace (make check's build) */
	const char *asan = getenv("ASAN_OPTIONS");
	char *keep_asan = asan ? strdup(asan) : NULL;
	char no_leaks[512];
	snprintf(no_leaks, sizeof no_leaks, "%s%sdetect_leaks=0",
		 asan ? asan : "", asan && asan[0] ? ":" : "");
	setenv("ASAN_OPTIONS", no_leaks, 1);
	bin_result r;
	int rc = bin_run(&r, "sweep", scenario, "--vary", vary, "-r", "1", "-j",
			 "1", "--plot", "none", "-q", "-o", out, NULL);
	if (keep)
		setenv("COH_WRAP", keep, 1);
	else
		unsetenv("COH_WRAP");
	if (keep_asan)
		setenv("ASAN_OPTIONS", keep_asan, 1);
	else
		unsetenv("ASAN_OPTIONS");
	free(keep);
	free(keep_asan);
	assert_true(rc >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_int_equal(count_lines(bin_path(out, "sweep-summary.csv")),
			 n + 1);
	*main_opens = *include_opens = 0;
	char *text = bin_slurp(log, NULL);
	assert_non_null(text);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, "openat("))
			continue;
		*main_opens += strstr(line, "/s/main.cfg\"") != NULL;
		*include_opens += strstr(line, "/s/output.params\"") != NULL;
	}
	free(text);
}

/* A sweep opens its scenario and includes a number of times that does not
 * grow with its points: once for the scenario, and for the include once
 * in the check of includes and once in libconfig. */
static void test_sweep_reads_scenario_once(void **state)
{
	(void)state;
	if (system("strace -qq -o /dev/null true >/dev/null 2>&1") != 0) {
		print_message("strace cannot run here; skipped\n");
		skip();
	}
	const char *scenario = scenario_with_include();
	size_t main2, inc2, main200, inc200;
	count_opens(scenario, 2, &main2, &inc2);
	count_opens(scenario, 200, &main200, &inc200);
	if (main2 != 1 || main200 != 1 || inc2 != inc200 || inc2 == 0)
		fail_msg("opens of the scenario: %zu (2 points), %zu (200 "
			 "points); of its include: %zu, %zu", main2, main200,
			 inc2, inc200);
}

/* The scenario edited while the sweep runs: the later points still use
 * the file as it was when the sweep started. */
static void test_sweep_ignores_edits_during_the_sweep(void **state)
{
	(void)state;
	const char *scenario = scenario_with_include();
	char before[PATH_MAX], during[PATH_MAX], after[PATH_MAX];
	snprintf(before, sizeof before, "%s/before", dir);
	snprintf(during, sizeof during, "%s/during", dir);
	snprintf(after, sizeof after, "%s/after", dir);
	const char *args[] = {"sweep", scenario, "--vary",
			      "model.half_life=50:500:40", "-r", "60",
			      "--plot", "none", "-q", "-j", "1", "-o", NULL,
			      NULL};
	bin_result r;
	args[12] = before;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);

	/* stop the sweep after its first point, edit both files, go on */
	args[12] = during;
	bin_child c;
	assert_int_equal(bin_start(&c, NULL, args), 0);
	const char *summary = bin_path(during, "sweep-summary.csv");
	size_t lines = 0;
	for (int tries = 0; tries < 30000 && lines < 2; tries++) {
		struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
		lines = count_lines(summary);
	}
	kill(c.pid, SIGSTOP);
	lines = count_lines(summary);
	edit_file(scenario, "freeze = 0.4;", "freeze = 0.45;");
	char params[PATH_MAX];
	snprintf(params, sizeof params, "%s/s/output.params", dir);
	assert_int_equal(bin_write_file(params,
					"output: { sample_every = 7.0; };\n"),
			 0);
	kill(c.pid, SIGCONT);
	assert_int_equal(bin_wait(&c, &r), 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	if (lines < 2 || lines >= 41)
		fail_msg("the sweep had %zu summary lines when it was stopped; "
			 "expected a header and 1 to 39 points", lines);
	for (size_t i = 0; i < 3; i++)
		if (!bin_same_file(bin_path(before, sweep_files[i]),
				   bin_path(during, sweep_files[i])))
			fail_msg("%s changed with the edit during the sweep",
				 sweep_files[i]);
	/* the edit itself does change the results */
	args[12] = after;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_same_file(bin_path(before, "sweep.csv"),
				   bin_path(after, "sweep.csv")));
}

/* --resume compares the SHA-256 of the resolved scenario recorded in the
 * manifest: another scenario is refused with its own message, a comment
 * is not another scenario. */
static void test_sweep_resume_refuses_another_scenario(void **state)
{
	(void)state;
	const char *scenario = scenario_with_include();
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/resume", dir);
	const char *args[] = {"sweep", scenario, "--vary",
			      "model.half_life=100:400:3", "-r", "3", "--plot",
			      "none", "-q", "-o", out, NULL, NULL};
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *manifest = bin_slurp(bin_path(out, "manifest.json"), NULL);
	assert_non_null(manifest);
	const char *sha = strstr(manifest, "\"scenario_sha256\": \"");
	assert_non_null(sha);
	sha += strlen("\"scenario_sha256\": \"");
	assert_int_equal(strspn(sha, "0123456789abcdef"), 64);
	free(manifest);

	args[11] = "--resume";
	/* a comment and a blank line change no setting */
	edit_file(scenario, "version = 1;", "version = 1;\n\n# resumed\n");
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);

	/* a setting in an included file does */
	char params[PATH_MAX];
	snprintf(params, sizeof params, "%s/s/output.params", dir);
	assert_int_equal(bin_write_file(params,
					"output: { sample_every = 7.0; };\n"),
			 0);
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 1);
	char want[3 * PATH_MAX];
	snprintf(want, sizeof want, "cohesim: %s: differs from the scenario "
		 "the sweep in %s was started with (the SHA-256 of its "
		 "resolved settings is not the one in manifest.json): resume "
		 "with the scenario as it was, or choose another -o\n",
		 scenario, out);
	assert_string_equal(r.err, want);
	bin_result_free(&r);
}

/* Every bad axis: status and the exact message, before any file. */
static void test_sweep_bad_axes(void **state)
{
	(void)state;
	static const struct {
		const char *vary, *message;
		int status;
	} cases[] = {
		{"model.half_life=400:100:3",
		 "cohesim: --vary model.half_life: the range 400:100 is "
		 "reversed, expected lo <= hi\n", 2},
		{"model.half_life=1:1:3",
		 "cohesim: --vary model.half_life: the range 1:1 is empty but "
		 "asks for 3 values\n", 2},
		{"model.half_life=1:x:3",
		 "cohesim: --vary model.half_life: lo and hi must be finite "
		 "numbers, got \"1:x:3\"\n", 2},
		{"model.half_life=1:2:0",
		 "cohesim: --vary model.half_life: n must be a whole number "
		 "from 1 to 1000000, got \"0\"\n", 2},
		{"model.half_life=1,,2",
		 "cohesim: --vary model.half_life: empty value in the list "
		 "\"1,,2\"\n", 2},
		{"model.half_life",
		 "cohesim: --vary model.half_life: expected PATH=lo:hi:n or "
		 "PATH=v1,v2,...\n", 2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		bin_result r;
		char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, "bad");
		assert_true(bin_run(&r, "sweep", SCENARIO, "--vary",
					 cases[i].vary, "-o", out, "-q", NULL) >= 0);
		if (r.status != cases[i].status ||
		    strcmp(r.err, cases[i].message) != 0)
			fail_msg("--vary %s: exit %d, stderr:\n%s",
				 cases[i].vary, r.status, r.err);
		assert_false(bin_exists(out));
		bin_result_free(&r);
	}
	/* a value out of range for its setting names the axis's override */
	bin_result r;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, "bad2");
	assert_true(bin_run(&r, "sweep", SCENARIO, "--vary",
				 "members.S.freeze=0.2,1.5", "-o", out, "-q",
				 NULL) >= 0);
	bin_expect_status(&r, 1);
	assert_string_equal(r.err, "cohesim: --vary members.S.freeze=1.5: "
			    "members.[1].freeze must be in [0, 1], got 1.5\n");
	assert_false(bin_exists(bin_path(out, "sweep.csv")));
	bin_result_free(&r);
	/* and so does a path that does not exist */
	assert_true(bin_run(&r, "sweep", SCENARIO, "--vary",
				 "members.NOPE.freeze=0.2,0.3", "-o", out, "-q",
				 NULL) >= 0);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "members.NOPE.freeze"));
	bin_result_free(&r);
}

static void test_sweep_dry_run_writes_nothing(void **state)
{
	(void)state;
	bin_result r;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, "dry");
	assert_true(bin_run(&r, "sweep", SCENARIO, axes[0], axes[1],
				 axes[2], axes[3], "-r", "30", "--dry-run",
				 "-o", out, NULL) >= 0);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "points:       18\n"));
	assert_non_null(strstr(r.out, "runs:         540"));
	assert_non_null(strstr(r.out, "disk:"));
	assert_false(bin_exists(out));
	bin_result_free(&r);
}

/* A million points: the check builds every point from the scenario read
 * once, so this takes seconds, not minutes (docs/sweeps.md has the
 * times; a unit test asserts none).  Too slow under valgrind. */
static void test_sweep_dry_run_of_a_million_points(void **state)
{
	(void)state;
	const char *wrap = getenv("COH_WRAP");
	if (wrap && wrap[0]) {
		print_message("under %s: skipped\n", wrap);
		skip();
	}
	bin_result r;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, "million");
	assert_true(bin_run(&r, "sweep", "tests/scenarios/relaxation.cfg",
			    "--vary", "model.half_life=100:400:1000", "--vary",
			    "model.recover=0:0.1:1000", "-r", "2", "--dry-run",
			    "-o", out, NULL) >= 0);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "points:       1000000\n"));
	assert_non_null(strstr(r.out, "runs:         2000000 "));
	assert_false(bin_exists(out));
	bin_result_free(&r);
}

static void test_sweep_designs(void **state)
{
	(void)state;
	const char *kinds[] = {"lhs", "sobol"};
	for (size_t k = 0; k < 2; k++) {
		bin_result r;
		char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, kinds[k]);
		/* n means nothing to a sampled design: lo:hi is enough */
		assert_true(bin_run(&r, "sweep", SCENARIO, "--vary",
					 "model.half_life=100:400", "--vary",
					 "members.S.freeze=0.3:0.5:2",
					 "--design", kinds[k], "--points", "7",
					 "-r", "5", "--plot", "none", "-q", "-o",
					 out, NULL) >= 0);
		bin_expect_status(&r, 0);
		bin_result_free(&r);
		csv_table t;
		assert_int_equal(csv_load(&t, bin_path(out, "points.csv")), 0);
		assert_int_equal(t.n_rows, 7);
		for (size_t i = 0; i < t.n_rows; i++) {
			double h = strtod(t.cells[i * t.n_cols + 1], NULL);
			double f = strtod(t.cells[i * t.n_cols + 2], NULL);
			assert_true(h >= 100 && h <= 400);
			assert_true(f >= 0.3 && f <= 0.5);
		}
		csv_free(&t);
	}
}

/* A grid's values are written as they would be typed: 0.1:0.5:5 gives
 * 0.3, not 0.1 + 0.2 = 0.30000000000000004; a grid needs its n. */
static void test_grid_values_read_as_typed(void **state)
{
	(void)state;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/typed", dir);
	bin_result r;
	assert_true(bin_run(&r, "sweep", SCENARIO, "--vary",
			    "members.S.freeze=0.1:0.5:5", "--vary",
			    "model.half_life=0.7:1:4", "-r", "1", "--plot",
			    "none", "-q", "-o", out, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(out, "points.csv")), 0);
	assert_int_equal(t.n_rows, 20);
	const char *freeze[] = {"0.1", "0.2", "0.3", "0.4", "0.5"};
	const char *half_life[] = {"0.7", "0.8", "0.9", "1"};
	for (size_t i = 0; i < t.n_rows; i++) {
		assert_string_equal(t.cells[i * t.n_cols + 1], freeze[i / 4]);
		assert_string_equal(t.cells[i * t.n_cols + 2],
				    half_life[i % 4]);
	}
	csv_free(&t);
	assert_true(bin_run(&r, "sweep", SCENARIO, "--vary",
			    "model.half_life=100:400", "-q", "-o", out,
			    NULL) >= 0);
	bin_expect_status(&r, 2);
	assert_string_equal(r.err, "cohesim: --vary model.half_life: a range "
			    "is lo:hi:n, got \"100:400\"\n");
	bin_result_free(&r);
}

/* --metric chooses the sweep figure's second map: here S's chance of
 * freezing on a 3 x 2 grid (drawn as tiles); an unknown kind or member is
 * a usage error. */
static void test_sweep_metric(void **state)
{
	(void)state;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/metric", dir);
	bin_result r;
	assert_true(bin_run(&r, "sweep", SCENARIO, "--vary",
			    "members.S.freeze=0.3:0.5:3", "--vary",
			    "model.half_life=100:200:2", "-r", "2", "--plot",
			    "svg", "-q", "--metric", "freeze:S", "--title",
			    "Sweep of S", "-o", out, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *script = bin_slurp(bin_path(out, "sweep.gp"), NULL);
	assert_non_null(strstr(script, "\nmetric = 'freeze:S'\n"));
	free(script);
	char *svg = bin_slurp(bin_path(out, "sweep.svg"), NULL);
	assert_non_null(strstr(svg, "probability that Small, but proud "
				    "freezes by the end"));
	assert_non_null(strstr(svg, "Sweep of S: sweep"));
	free(svg);
	assert_true(bin_run(&r, "sweep", SCENARIO, "--vary",
			    "members.S.freeze=0.3:0.5:3", "--metric", "stay",
			    "-o", out, NULL) >= 0);
	bin_expect_status(&r, 2);
	assert_string_equal(r.err, "cohesim: sweep: --metric expects exit, "
			    "freeze, exit:ID or freeze:ID, got \"stay\"\n"
			    "Try 'cohesim sweep --help'.\n");
	bin_result_free(&r);
	assert_true(bin_run(&r, "sweep", SCENARIO, "--vary",
			    "members.S.freeze=0.3:0.5:3", "--metric", "exit:Q",
			    "-o", out, NULL) >= 0);
	bin_expect_status(&r, 2);
	assert_non_null(strstr(r.err, "--metric exit:Q: no member \"Q\"; "
				      "members are L, S, M"));
	bin_result_free(&r);
}

/* Without --vary the design comes from the scenario's sweep block. */
static void test_sweep_block_in_the_scenario(void **state)
{
	(void)state;
	char cfg[PATH_MAX], out[PATH_MAX];
	snprintf(cfg, sizeof cfg, "%s/with-sweep.cfg", dir);
	snprintf(out, sizeof out, "%s/block", dir);
	char *text = bin_slurp(SCENARIO, NULL);
	assert_non_null(text);
	FILE *fp = fopen(cfg, "w");
	assert_non_null(fp);
	fprintf(fp, "%s\nsweep: { vary = [ \"model.half_life=100:300:3\" ]; "
		"design = \"lhs\"; points = 4; };\n", text);
	fclose(fp);
	free(text);
	bin_result r;
	/* the scenario sits outside the tree: its folder's parent is the
	 * include root, and it includes nothing */
	assert_true(bin_run(&r, "sweep", cfg, "-r", "3", "--plot", "none",
			    "-q", "-o", out, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(out, "points.csv")), 0);
	assert_int_equal(t.n_rows, 4);
	assert_string_equal(t.header[1], "model.half_life");
	csv_free(&t);
	/* --vary on the command line takes precedence */
	snprintf(out, sizeof out, "%s/cli", dir);
	assert_true(bin_run(&r, "sweep", cfg, "--vary",
			    "members.S.freeze=0.3,0.4", "--design", "grid",
			    "-r", "3", "--plot", "none", "-q", "-o", out,
			    NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_int_equal(csv_load(&t, bin_path(out, "points.csv")), 0);
	assert_int_equal(t.n_rows, 2);
	assert_string_equal(t.header[1], "members.S.freeze");
	csv_free(&t);
}

/* The same sweep under mpirun -np 3 writes the same bytes.  Needs the MPI
 * build (make MPI=1, which .ci/run makes); COH_MPI_BIN names it. */
static void test_sweep_under_mpi(void **state)
{
	(void)state;
	const char *mpi_bin = getenv("COH_MPI_BIN");
	if (!mpi_bin || !bin_exists(mpi_bin)) {
		print_message("no MPI build (COH_MPI_BIN); skipped\n");
		skip();
	}
	bin_result r;
	char single[PATH_MAX];
	snprintf(single, sizeof single, "%s/%s", dir, "single");
	char multi[PATH_MAX];
	snprintf(multi, sizeof multi, "%s/%s", dir, "multi");
	assert_true(sweep_into(&r, single, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char cmd[4096];
	snprintf(cmd, sizeof cmd,
		 "mpirun --oversubscribe %s -np 3 %s sweep %s %s %s %s %s "
		 "-r 30 -j 1 --plot none -q -o %s 2>&1",
		 geteuid() == 0 ? "--allow-run-as-root" : "", mpi_bin,
		 SCENARIO, axes[0], axes[1], axes[2], axes[3], multi);
	int status = system(cmd);
	assert_int_equal(status, 0);
	for (size_t i = 0; i < 3; i++)
		if (!bin_same_file(bin_path(single, sweep_files[i]),
			       bin_path(multi, sweep_files[i])))
			fail_msg("%s differs under mpirun -np 3",
				 sweep_files[i]);
}

/*--- plot --------------------------------------------------------------*/

static void test_plot_redraws_and_dumb(void **state)
{
	(void)state;
	bin_result r;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, "run");
	assert_true(bin_run(&r, "run", SCENARIO, "-r", "20", "-q", "-o",
				 out, NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_exists(bin_path(out, "cohesion.png")));
	assert_true(bin_exists(bin_path(out, "members.png")));
	assert_true(bin_exists(bin_path(out, "survival.png")));
	assert_true(bin_run(&r, "plot", out, "--format", "svg", "-q",
				 NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_exists(bin_path(out, "cohesion.svg")));
	/* the manifest records what plot drew, with its size on disk, once
	 * however often it is drawn */
	assert_true(bin_run(&r, "plot", out, "--format", "svg", "-q",
				 NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	json_t *root = json_load_file(bin_path(out, "manifest.json"), 0, NULL);
	assert_non_null(root);
	json_t *files = json_object_get(root, "files");
	int listed = 0;
	for (size_t i = 0; i < json_array_size(files); i++) {
		json_t *f = json_array_get(files, i);
		const char *name = json_string_value(json_object_get(f, "name"));
		if (strcmp(name, "survival.svg") == 0) {
			struct stat st;
			assert_int_equal(stat(bin_path(out, name), &st), 0);
			assert_int_equal(json_integer_value(json_object_get(
						 f, "bytes")), st.st_size);
			listed++;
		}
	}
	assert_int_equal(listed, 1);
	json_decref(root);
	assert_true(bin_run(&r, "plot", out, "--format", "dumb", NULL) >= 0);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "Hedging at random"));
	bin_result_free(&r);
	assert_true(bin_run(&r, "plot", dir, NULL) >= 0);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "expected the folder of a finished "
				      "run"));
	bin_result_free(&r);
}

static void test_missing_gnuplot_is_a_warning(void **state)
{
	(void)state;
	bin_result r;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, "nognuplot");
	setenv("COH_GNUPLOT", "/nonexistent/gnuplot", 1);
	int rc = bin_run(&r, "run", SCENARIO, "-r", "5", "-o", out, NULL);
	unsetenv("COH_GNUPLOT");
	assert_true(rc >= 0);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.err, "warning: gnuplot is not installed"));
	assert_true(bin_exists(bin_path(out, "cohesion.gp")));
	assert_false(bin_exists(bin_path(out, "cohesion.png")));
	assert_true(bin_exists(bin_path(out, "summary.csv")));
	bin_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_compare_with_itself_is_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_compare_figure_names_both, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_compare_refuses_other_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_compare_pairs_members_by_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_files_and_design,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_resume_after_kill,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_resume_refuses_another_design, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_reads_scenario_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_ignores_edits_during_the_sweep, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_resume_refuses_another_scenario, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_sweep_bad_axes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_dry_run_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_dry_run_of_a_million_points, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_grid_values_read_as_typed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_metric, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sweep_designs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_block_in_the_scenario, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_under_mpi, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_plot_redraws_and_dumb,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_missing_gnuplot_is_a_warning, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
