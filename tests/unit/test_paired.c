/* Paired runs of the stochastic CSTO baseline through the real binary:
 * every random draw is keyed by the identity of what it belongs to
 * (docs/model.md section 11), so adding an event that changes no state
 * changes no output but that event's own lines, even when the event draws
 * random numbers itself; and `compare` of the scenario with itself gives
 * exactly zero.  Run from the project root, as tests/run.sh does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bin_helpers.h"

#define BASELINE "scenarios/csto-armenia.cfg"
#define SEED "20231123"         /* the baseline's scenario.seed */
#define MARK "keyed-test"       /* label and source of the added event */

/* Files that must keep every byte.  events.csv keeps every byte but the
 * added event's rows; timeline.csv, scenario.resolved.cfg and
 * manifest.json describe the scenario that ran (the timeline's figure rows
 * move to make room, the manifest has times and paths), so they change. */
static const char *const same_files[] = {
	"cohesion.csv", "members.csv", "summary.csv", "outcomes.csv",
	"survival.csv",
};

/* Added to the baseline's resolved scenario, one at a time.  The
 * statement of tone 0 comes on the day of the first event, after it, about
 * the same member (who is up to date already, so the statement moves
 * nothing, not even the rounding of a relaxation split in two).  The
 * request draws its answers at random, as the generated requests after
 * November 2023 do, but its deadline puts every answer and its resolution
 * after the horizon: it changes nothing, yet with one shared stream for
 * answers it shifted the numbers of every later request. */
static const char *const statement =
	"  {\n    date = \"2020-10-08\";\n    type = \"statement\";\n"
	"    by = \"RUS\";\n    about = \"ARM\";\n    tone = 0.0;\n"
	"    label = \"" MARK "\";\n    source = \"" MARK "\";\n  },\n";
static const char *const request =
	"  {\n    date = \"2024-03-01\";\n    type = \"assistance_request\";\n"
	"    by = \"KAZ\";\n    against = \"AZE\";\n    deadline = 1e9;\n"
	"    severity = 0.5;\n    answers = \"drawn\";\n"
	"    label = \"" MARK "\";\n    source = \"" MARK "\";\n  },\n";

/* 300 replications; 30 under valgrind (make check, COH_WRAP set), where
 * the point is the memory checks along the same code paths and 300 CSTO
 * replications cost minutes. */
static const char *reps(void)
{
	const char *wrap = getenv("COH_WRAP");
	return wrap && wrap[0] ? "30" : "300";
}

static void run_into(const char *scenario, const char *dir, const char *jobs)
{
	bin_result r;
	bin_run(&r, "run", scenario, "-o", dir, "-r", reps(), "-j", jobs,
		"--keep", "all", "--plot", "none", "--quiet", NULL);
	if (r.status != 0) {
		print_error("cohesim run %s: exit %d\n%s\n", scenario,
			    r.status, r.err);
		fail();
	}
	bin_result_free(&r);
}

/* text with the block that opens the events list's first entry, or the
 * one after it when after_first, preceded by add (caller frees). */
static char *with_event(const char *text, const char *add, int after_first)
{
	const char *at = strstr(text, "\nevents = (\n");
	assert_non_null(at);
	at += strlen("\nevents = (\n");
	if (after_first) {
		at = strstr(at, "\n  },\n");
		assert_non_null(at);
		at += strlen("\n  },\n");
	}
	size_t head = (size_t)(at - text), n = strlen(text), k = strlen(add);
	char *out = malloc(n + k + 1);
	assert_non_null(out);
	memcpy(out, text, head);
	memcpy(out + head, add, k);
	memcpy(out + head + k, at, n - head + 1);
	return out;
}

/* The file without its lines that contain MARK (caller frees); *lines
 * receives how many were left out. */
static char *without_mark(const char *path, size_t *lines)
{
	char *text = bin_slurp(path, NULL);
	assert_non_null(text);
	char *w = text;
	*lines = 0;
	for (char *line = text; *line;) {
		char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
		char after = line[len];
		line[len] = '\0';
		int marked = strstr(line, MARK) != NULL;
		line[len] = after;
		if (marked)
			(*lines)++;
		else {
			memmove(w, line, len);
			w += len;
		}
		line += len;
	}
	*w = '\0';
	return text;
}

static void expect_same_run(const char *base, const char *alt,
			    const char *what)
{
	for (size_t k = 0; k < sizeof same_files / sizeof *same_files; k++)
		if (!bin_same_file(bin_path(base, same_files[k]),
				   bin_path(alt, same_files[k]))) {
			print_error("with %s, %s differs (seed " SEED ", "
				    "%s replications)\n", what, same_files[k],
				    reps());
			fail();
		}
	size_t marked, none;
	char *a = without_mark(bin_path(alt, "events.csv"), &marked);
	char *b = without_mark(bin_path(base, "events.csv"), &none);
	/* the event is recorded in every replication, nothing else moves */
	assert_int_equal(none, 0);
	assert_int_equal(marked, (size_t)atoi(reps()));
	if (strcmp(a, b) != 0) {
		print_error("with %s, events.csv differs beyond the event's "
			    "own rows (seed " SEED ")\n", what);
		fail();
	}
	free(a);
	free(b);
}

static void test_event_without_effect_changes_nothing(void **state)
{
	(void)state;
	char *dir = bin_tmpdir();
	assert_non_null(dir);
	char base[PATH_MAX], cfg[PATH_MAX], alt[PATH_MAX];
	snprintf(base, sizeof base, "%s/base", dir);
	run_into(BASELINE, base, "1");
	char *text = bin_slurp(bin_path(base, "scenario.resolved.cfg"), NULL);
	assert_non_null(text);
	/* the resolved scenario runs as the scenario did, at -j 2 too */
	snprintf(cfg, sizeof cfg, "%s/resolved.cfg", dir);
	assert_int_equal(bin_write_file(cfg, text), 0);
	snprintf(alt, sizeof alt, "%s/resolved", dir);
	run_into(cfg, alt, "2");
	for (size_t k = 0; k < sizeof same_files / sizeof *same_files; k++)
		assert_true(bin_same_file(bin_path(base, same_files[k]),
					  bin_path(alt, same_files[k])));
	assert_true(bin_same_file(bin_path(base, "events.csv"),
				  bin_path(alt, "events.csv")));
	static const struct {
		const char *const *add;
		int after_first;
		const char *what;
	} cases[] = {
		{&statement, 1, "a statement of tone 0"},
		{&request, 0, "a drawn request answered after the horizon"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		char *t = with_event(text, *cases[c].add, cases[c].after_first);
		snprintf(cfg, sizeof cfg, "%s/added%zu.cfg", dir, c);
		assert_int_equal(bin_write_file(cfg, t), 0);
		free(t);
		snprintf(alt, sizeof alt, "%s/added%zu", dir, c);
		run_into(cfg, alt, "2");
		expect_same_run(base, alt, cases[c].what);
	}
	free(text);
	bin_rmtree(dir);
}

/* compare pairs replication r of one scenario with replication r of the
 * other, on the same streams: with itself, every difference is 0. */
static void test_compare_baseline_with_itself(void **state)
{
	(void)state;
	char *dir = bin_tmpdir();
	assert_non_null(dir);
	bin_result r;
	assert_true(bin_run(&r, "compare", BASELINE, BASELINE, "-r", reps(),
			    "-o", dir, "--plot", "none", "-q", NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(dir, "compare.csv")), 0);
	assert_string_equal(t.header[5], "diff_mean");
	size_t checked = 0;
	for (size_t i = 0; i < t.n_rows; i++)
		for (size_t c = 5; c < t.n_cols; c++) {
			const char *cell = t.cells[i * t.n_cols + c];
			if (!cell[0])
				continue; /* reliability before any request */
			if (strtod(cell, NULL) != 0.0)
				fail_msg("row %zu %s = %s (seed " SEED ")", i,
					 t.header[c], cell);
			checked++;
		}
	assert_true(checked > 100);
	csv_free(&t);
	bin_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_without_effect_changes_nothing),
		cmocka_unit_test(test_compare_baseline_with_itself),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
