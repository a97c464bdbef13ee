/* Tests of the cohesim binary itself, run as a user runs it ($COH_WRAP
 * $COH_BIN ...): exit statuses and exact usage messages, help and version,
 * validate and describe, and run: every file written and well-formed, the
 * manifest, reproduction from scenario.resolved.cfg, seeds, --set, -j, -o,
 * --keep, unwritable folders and interruption by a signal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cohesim/version.h"
#include "bin_helpers.h"

#define GEN "tests/scenarios/generator.cfg"

/*--- Shared checks -------------------------------------------------------*/

/* Fails the test with the binary's output when the status is not `want`. */
static const char *const cohesion_header =
	"replication,day,date,cohesion,mean,min,sd,active,frozen,exited,"
	"reliability";
static const char *const members_header =
	"replication,day,date,member,commitment,status";
static const char *const events_header =
	"replication,day,date,type,actor,target,member,value,"
	"commitment_before,commitment_after,source,label";

/* Loads dir/name strictly, checks its header, and returns the table. */
static void load_csv(csv_table *t, const char *dir, const char *name,
		     const char *header)
{
	if (csv_load(t, bin_path(dir, name)) != 0) {
		print_error("%s\n", t->error);
		fail();
	}
	assert_string_equal(csv_header_line(t), header);
}

/* Every commitment in members.csv lies in [0, 1]; every status is known. */
static void check_members_csv(const char *dir)
{
	csv_table t;
	load_csv(&t, dir, "members.csv", members_header);
	int c = csv_col(&t, "commitment"), s = csv_col(&t, "status");
	for (size_t i = 0; i < t.n_rows; i++) {
		double v = csv_num(csv_get(&t, i, c));
		if (!(v >= 0 && v <= 1)) {
			print_error("%s/members.csv row %zu: commitment %s\n",
				    dir, i + 2, csv_get(&t, i, c));
			fail();
		}
		const char *st = csv_get(&t, i, s);
		assert_true(strcmp(st, "active") == 0 ||
			    strcmp(st, "frozen") == 0 ||
			    strcmp(st, "exited") == 0);
	}
	csv_free(&t);
}

/* All three CSV files parse with their headers; returns the rows of
 * cohesion.csv. */
static size_t check_all_csv(const char *dir)
{
	csv_table t;
	load_csv(&t, dir, "cohesion.csv", cohesion_header);
	size_t rows = t.n_rows;
	csv_free(&t);
	load_csv(&t, dir, "events.csv", events_header);
	csv_free(&t);
	check_members_csv(dir);
	return rows;
}

static void expect_same_outputs(const char *dir1, const char *dir2)
{
	static const char *const names[] = {"cohesion.csv", "members.csv",
					    "events.csv"};
	for (size_t i = 0; i < 3; i++)
		if (!bin_same_file(bin_path(dir1, names[i]),
			       bin_path(dir2, names[i]))) {
			print_error("%s differs between %s and %s\n", names[i],
				    dir1, dir2);
			fail();
		}
}

static int no_temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 1;
	struct dirent *e;
	int clean = 1;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp."))
			clean = 0;
	closedir(d);
	return clean;
}

/* Runs the generator scenario quietly into dir with extra arguments. */
static void run_into(const char *dir, const char *a1, const char *a2,
		     const char *a3, const char *a4)
{
	bin_result r;
	const char *args[] = {"run", GEN, "-o", dir, "--quiet",
			      a1, a2, a3, a4, NULL};
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	bin_result_free(&r);
	/* the invariant holds in every run, whatever the options */
	if (bin_exists(bin_path(dir, "members.csv")))
		check_members_csv(dir);
}

/*--- Help, version, usage errors -----------------------------------------*/

static void test_help_and_version(void **state)
{
	(void)state;
	bin_result r;
	bin_run(&r, "--version", NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.out, "cohesim " COH_VERSION "\n");
	assert_string_equal(r.err, "");
	bin_result_free(&r);
	/* CITATION.cff cites the version the program says it is */
	char *cff = bin_slurp("CITATION.cff", NULL);
	assert_non_null(cff);
	assert_non_null(strstr(cff, "\nversion: " COH_VERSION "\n"));
	free(cff);

	bin_run(&r, "--help", NULL);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "Usage: cohesim COMMAND"));
	assert_non_null(strstr(r.out, "validate"));
	assert_string_equal(r.err, "");
	bin_result_free(&r);

	static const char *const commands[] = {"run", "validate", "describe"};
	for (size_t i = 0; i < 3; i++) {
		char usage[64];
		snprintf(usage, sizeof usage, "Usage: cohesim %s SCENARIO",
			 commands[i]);
		bin_run(&r, commands[i], "--help", NULL);
		bin_expect_status(&r, 0);
		assert_non_null(strstr(r.out, usage));
		assert_string_equal(r.err, "");
		bin_result_free(&r);
		/* "help COMMAND" says the same */
		bin_result h;
		bin_run(&h, "help", commands[i], NULL);
		bin_expect_status(&h, 0);
		assert_non_null(strstr(h.out, usage));
		bin_result_free(&h);
	}
	bin_run(&r, "run", "--help", NULL);
	assert_non_null(strstr(r.out, "--seed"));
	assert_non_null(strstr(r.out, "--keep"));
	bin_result_free(&r);
}

typedef struct usage_case {
	const char *args[8];
	const char *message;    /* the first line, after "cohesim: " */
	const char *command;    /* for the "Try" line; NULL: top level */
} usage_case;

static void test_usage_errors(void **state)
{
	(void)state;
	static const usage_case cases[] = {
		{{"run", GEN, "-r", "abc"},
		 "run: -r expects a whole number >= 1, got \"abc\"", "run"},
		{{"run", GEN, "-r", "0"},
		 "run: -r expects a whole number >= 1, got \"0\"", "run"},
		{{"-r", "-5"}, "unknown option '-r'", NULL},
		{{"run", "--replications=1.5", GEN},
		 "run: -r expects a whole number >= 1, got \"1.5\"", "run"},
		{{"run", GEN, "-j", "0"},
		 "run: -j expects a whole number from 1 to 1024, got \"0\"", "run"},
		{{"run", GEN, "--jobs", " 2"},
		 "run: -j expects a whole number from 1 to 1024, got \" 2\"", "run"},
		{{"run", GEN, "--seed", "-1"},
		 "run: --seed expects a whole number from 0 to "
		 "9223372036854775807, got \"-1\"", "run"},
		{{"run", GEN, "--seed=9223372036854775808"},
		 "run: --seed expects a whole number from 0 to "
		 "9223372036854775807, got \"9223372036854775808\"", "run"},
		{{"run", GEN, "--bogus"}, "run: unknown option '--bogus'",
		 "run"},
		{{"run", GEN, "-x"}, "run: unknown option '-x'", "run"},
		{{"run", GEN, "-o"}, "run: option '-o' needs a value", "run"},
		{{"run", GEN, "--seed"}, "run: option '--seed' needs a value",
		 "run"},
		{{"run", GEN, "--quiet=yes"},
		 "run: option '--quiet' takes no value", "run"},
		{{"run"}, "run: missing SCENARIO", "run"},
		{{"run", GEN, GEN},
		 "run: expected one SCENARIO, got '" GEN "' and '" GEN "'",
		 "run"},
		{{"run", GEN, "--plot", "gif"},
		 "run: --plot expects png, svg, pdf, dumb or none, got \"gif\"",
		 "run"},
		{{"run", GEN, "--keep", "members,bogus"},
		 "run: --keep expects a comma list of summary, cohesion, "
		 "members, events or all, got \"members,bogus\"", "run"},
		{{"sweep", GEN},
		 "sweep: expected at least one --vary PATH=SPEC (or a sweep "
		 "block in the scenario)", "sweep"},
		{{"sweep", GEN, "--vary", "model.half_life=1,2", "--design",
		  "lhs"},
		 "sweep: --design lhs needs --points N", "sweep"},
		{{"compare", GEN}, "compare: expected BASE and ALT scenarios",
		 "compare"},
		{{"plot"}, "plot: missing DIR", "plot"},
		{{"plot", ".", "--format", "none"},
		 "plot: --format expects png, svg, pdf or dumb, got \"none\"",
		 "plot"},
		{{"run", GEN, "--set", "novalue"},
		 "run: --set expects PATH=VALUE, got \"novalue\"", "run"},
		{{"validate"}, "validate: missing SCENARIO", "validate"},
		{{"validate", GEN, "--frobnicate"},
		 "validate: unknown option '--frobnicate'", "validate"},
		{{"describe"}, "describe: missing SCENARIO", "describe"},
		{{"describe", GEN, GEN},
		 "describe: expected one SCENARIO, got '" GEN "' and '" GEN
		 "'", "describe"},
		{{"frobnicate"}, "unknown command 'frobnicate'", NULL},
		{{"--frobnicate"}, "unknown option '--frobnicate'", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bin_result r;
		bin_run_argv(&r, NULL, cases[i].args);
		char want[512];
		if (cases[i].command)
			snprintf(want, sizeof want,
				 "cohesim: %s\nTry 'cohesim %s --help'.\n",
				 cases[i].message, cases[i].command);
		else
			snprintf(want, sizeof want,
				 "cohesim: %s\nTry 'cohesim --help'.\n",
				 cases[i].message);
		if (r.status != 2 || strcmp(r.err, want) != 0 || r.out[0]) {
			print_error("case %zu (%s %s ...): exit %d\n"
				    "stderr:\n%s\nexpected:\n%s\n",
				    i, cases[i].args[0],
				    cases[i].args[1] ? cases[i].args[1] : "",
				    r.status, r.err, want);
			fail();
		}
		bin_result_free(&r);
	}

	/* No command at all: the help, on stderr, as a usage error. */
	bin_result r;
	bin_run(&r, NULL);
	bin_expect_status(&r, 2);
	assert_non_null(strstr(r.err, "Usage: cohesim"));
	assert_string_equal(r.out, "");
	bin_result_free(&r);
}


/*--- validate and describe -----------------------------------------------*/

static void test_validate(void **state)
{
	const char *dir = *state;
	bin_result r;

	/* Good files: silent, exit 0; -v says so on stdout. */
	bin_run(&r, "validate", GEN, "tests/scenarios/request.cfg", NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	bin_result_free(&r);
	bin_run(&r, "validate", "-v", GEN, NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.out, GEN ": ok\n");
	bin_result_free(&r);

	/* Two bad files and a good one: every error of every file, each on
	 * its own line as "cohesim: FILE:LINE: message". */
	char *good = bin_slurp(GEN, NULL);
	assert_non_null(good);
	char *bad = malloc(strlen(good) + 64);
	char *p = strstr(good, "commitment = 0.6;");
	assert_non_null(p);
	sprintf(bad, "%.*scommitment = 1.7;%s", (int)(p - good), good,
		p + strlen("commitment = 0.6;"));
	char *bad1 = strdup(bin_path(dir, "bad1.cfg"));
	char *bad2 = strdup(bin_path(dir, "bad2.cfg"));
	assert_int_equal(bin_write_file(bad1, bad), 0);
	assert_int_equal(bin_write_file(bad2, "version = 1;\nscenario: {\n"),
			 0);
	bin_run(&r, "validate", bad1, GEN, bad2, NULL);
	bin_expect_status(&r, 1);
	assert_string_equal(r.out, "");
	char prefix1[PATH_MAX + 16], prefix2[PATH_MAX + 16];
	snprintf(prefix1, sizeof prefix1, "cohesim: %s:", bad1);
	snprintf(prefix2, sizeof prefix2, "cohesim: %s:", bad2);
	int seen1 = 0, seen2 = 0;
	for (char *line = strtok(r.err, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, prefix1, strlen(prefix1)) == 0) {
			/* a line number, then the message */
			char *end;
			long n = strtol(line + strlen(prefix1), &end, 10);
			assert_true(n > 0 && end[0] == ':' && end[1] == ' ');
			seen1 += strstr(line, "1.7") != NULL;
		} else if (strncmp(line, prefix2, strlen(prefix2)) == 0) {
			seen2++;
		} else {
			print_error("unexpected line: %s\n", line);
			fail();
		}
	}
	assert_int_equal(seen1, 1);
	assert_true(seen2 >= 1);
	bin_result_free(&r);

	bin_run(&r, "validate", bin_path(dir, "missing.cfg"), NULL);
	bin_expect_status(&r, 1);
	assert_true(strncmp(r.err, "cohesim: ", 9) == 0);
	assert_non_null(strstr(r.err, "missing.cfg"));
	bin_result_free(&r);

	/* --set errors are the file's errors too. */
	bin_run(&r, "validate", GEN, "--set", "members.S.commitment=2", NULL);
	bin_expect_status(&r, 1);
	assert_true(strncmp(r.err, "cohesim: ", 9) == 0);
	bin_result_free(&r);

	free(bad1);
	free(bad2);
	free(bad);
	free(good);
}

static void test_describe(void **state)
{
	(void)state;
	bin_result r;
	bin_run(&r, "describe", GEN, NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.err, "");
	static const char *const wanted[] = {
		"generator: Hedging at random",
		"2020-01-01 to 2021-12-31",
		"42",
		"Leader", "Small, but proud", "Middle",
		"commitment", "susceptibility", "half_life",
		"Rival", "Friend",
		"request_unanswered",
		"L says \"enough\", loudly", "test, line 1",
		"third_party_exercise by S (Y)",
		/* generator windows as dates, with their day numbers */
		"2020-01-01 to 2021-12-31 (days 0 to 730)",
	};
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
		if (!strstr(r.out, wanted[i])) {
			print_error("describe lacks \"%s\":\n%s\n", wanted[i],
				    r.out);
			fail();
		}
	bin_result_free(&r);

	/* Overrides show in the description. */
	bin_run(&r, "describe", GEN, "--set", "scenario.seed=987654321", NULL);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "987654321"));
	bin_result_free(&r);
}

/*--- run -----------------------------------------------------------------*/

static void test_run_writes_every_file(void **state)
{
	const char *tmp = *state;
	char *dir = strdup(bin_path(tmp, "a/b/out"));  /* parents made too */
	bin_result r;
	bin_run(&r, "run", GEN, "-o", dir, NULL);
	bin_expect_status(&r, 0);
	/* The headline on stdout: in 3 replications S froze in all (Wilson
	 * 95% interval for 3 of 3: [0.44, 1]), is frozen at the end in one
	 * ([0.06, 0.79] for 1 of 3) and exited in two ([0.21, 0.94]). */
	assert_non_null(strstr(r.out, "At 2021-12-31, over 3 replications "
			       "(95% intervals):\n  cohesion  0."));
	assert_non_null(strstr(r.out, "  member    commitment   "));
	assert_non_null(strstr(r.out, "1.00 [0.44, 1.00]       0.33 [0.06, "
			       "0.79]       0.67 [0.21, 0.94]\n"));
	char want[PATH_MAX + 128];
	snprintf(want, sizeof want,
		 "cohesim: wrote %s/ (cohesion.csv, members.csv, events.csv, "
		 "outcomes.csv, summary.csv, survival.csv, timeline.csv, "
		 "scenario.resolved.cfg, common.gp, cohesion.gp, members.gp, "
		 "survival.gp, cohesion.png, members.png, survival.png, "
		 "report.html, manifest.json)\n",
		 dir);
	assert_string_equal(r.err, want);
	bin_result_free(&r);

	static const char *const files[] = {
		"cohesion.csv", "members.csv", "events.csv",
		"scenario.resolved.cfg", "manifest.json",
	};
	for (size_t i = 0; i < 5; i++)
		assert_true(bin_exists(bin_path(dir, files[i])));
	assert_true(no_temporaries(dir));

	/* 3 replications of 25 samples (every 30 days over 730, plus the
	 * end). */
	size_t rows = check_all_csv(dir);
	assert_int_equal(rows, 3 * 26);
	csv_table t;
	load_csv(&t, dir, "members.csv", members_header);
	assert_int_equal(t.n_rows, 3 * 26 * 3);
	csv_free(&t);
	/* The note's commas and quotes survive a round trip. */
	load_csv(&t, dir, "events.csv", events_header);
	int src = csv_col(&t, "source"), found = 0;
	for (size_t i = 0; i < t.n_rows; i++)
		found += strcmp(csv_get(&t, i, src), "test, line 1") == 0;
	assert_int_equal(found, 3);
	/* member names whose commitment before/after give; label is the
	 * timeline event's, carried to the summit's absence too, and empty
	 * for generated events */
	int mem = csv_col(&t, "member"), lab = csv_col(&t, "label"),
	    typ = csv_col(&t, "type"), act = csv_col(&t, "actor");
	size_t summits = 0, absences = 0;
	for (size_t i = 0; i < t.n_rows; i++) {
		const char *type = csv_get(&t, i, typ);
		const char *label = csv_get(&t, i, lab);
		if (!strcmp(type, "summit")) {
			summits++;
			assert_string_equal(csv_get(&t, i, mem), "");
			assert_string_equal(label, "Autumn summit");
		} else if (!strcmp(type, "summit_absence")) {
			absences++;
			assert_string_equal(csv_get(&t, i, mem), "S");
			assert_string_equal(label, "Autumn summit");
		} else if (!strcmp(type, "defeat")) {
			assert_string_equal(label, "");
			assert_string_equal(csv_get(&t, i, mem),
					    csv_get(&t, i, act));
		} else if (!strcmp(type, "statement")) {
			assert_string_equal(csv_get(&t, i, mem), "S");
		}
	}
	assert_int_equal(summits, 3);
	assert_int_equal(absences, 3);
	csv_free(&t);

	/* The manifest: files with their sizes, the seed, the command. */
	json_error_t jerr;
	json_t *root = json_load_file(bin_path(dir, "manifest.json"), 0, &jerr);
	if (!root) {
		print_error("manifest.json:%d: %s\n", jerr.line, jerr.text);
		fail();
	}
	assert_string_equal(json_string_value(json_object_get(root,
							      "seed_string")),
			    "42");
	assert_int_equal(json_integer_value(json_object_get(root, "seed")),
			 42);
	assert_int_equal(json_integer_value(json_object_get(root,
							    "replications")),
			 3);
	assert_true(json_is_false(json_object_get(root, "interrupted")));
	json_t *cl = json_object_get(root, "command_line");
	assert_int_equal(json_array_size(cl), 5);
	assert_string_equal(json_string_value(json_array_get(cl, 1)), "run");
	assert_string_equal(json_string_value(json_array_get(cl, 2)), GEN);
	json_t *sc = json_object_get(root, "scenario");
	assert_string_equal(json_string_value(json_object_get(sc, "path")),
			    GEN);
	assert_int_equal(strlen(json_string_value(json_object_get(sc,
								  "sha256"))),
			 64);
	json_t *list = json_object_get(root, "files");
	/* every file but the manifest itself, with its size */
	assert_int_equal(json_array_size(list), 16);
	for (size_t i = 0; i < 16; i++) {
		json_t *f = json_array_get(list, i);
		const char *name = json_string_value(json_object_get(f, "name"));
		if (i < 3)
			assert_string_equal(name, files[i]);
		struct stat st;
		assert_int_equal(stat(bin_path(dir, name), &st), 0);
		assert_int_equal(json_integer_value(json_object_get(f, "bytes")),
				 st.st_size);
	}
	json_decref(root);
	free(dir);
}

static void test_resolved_reproduces(void **state)
{
	const char *tmp = *state;
	char *first = strdup(bin_path(tmp, "first"));
	char *again = strdup(bin_path(tmp, "again"));
	/* Overrides must be recorded in the resolved scenario. */
	run_into(first, "--seed", "7", "--set", "members.S.commitment=0.55");
	char *resolved = strdup(bin_path(first, "scenario.resolved.cfg"));
	bin_result r;
	bin_run(&r, "run", resolved, "-o", again, "-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	expect_same_outputs(first, again);
	free(resolved);
	free(first);
	free(again);
}

static void test_seeds(void **state)
{
	const char *tmp = *state;
	char *a = strdup(bin_path(tmp, "a"));
	char *b = strdup(bin_path(tmp, "b"));
	char *c = strdup(bin_path(tmp, "c"));
	run_into(a, "--seed", "1", NULL, NULL);
	run_into(b, "--seed", "1", NULL, NULL);
	run_into(c, "--seed", "2", NULL, NULL);
	expect_same_outputs(a, b);
	/* The generators make events.csv (and so the rest) seed-dependent. */
	assert_false(bin_same_file(bin_path(a, "events.csv"),
			       bin_path(c, "events.csv")));
	assert_false(bin_same_file(bin_path(a, "members.csv"),
			       bin_path(c, "members.csv")));

	/* The largest seed a scenario can hold goes through whole. */
	run_into(c, "--seed", "9223372036854775807", NULL, NULL);
	json_t *root = json_load_file(bin_path(c, "manifest.json"), 0, NULL);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root,
							      "seed_string")),
			    "9223372036854775807");
	json_decref(root);
	free(a);
	free(b);
	free(c);
}

static void test_set_changes_result(void **state)
{
	const char *tmp = *state;
	char *a = strdup(bin_path(tmp, "a"));
	char *b = strdup(bin_path(tmp, "b"));
	run_into(a, NULL, NULL, NULL, NULL);
	run_into(b, "--set", "model.half_life=50", NULL, NULL);
	assert_false(bin_same_file(bin_path(a, "members.csv"),
			       bin_path(b, "members.csv")));
	/* and -r is an override too: one replication only */
	char *c = strdup(bin_path(tmp, "c"));
	run_into(c, "-r", "1", NULL, NULL);
	assert_int_equal(check_all_csv(c), 26);
	free(a);
	free(b);
	free(c);
}

static void test_jobs_do_not_matter(void **state)
{
	const char *tmp = *state;
	char *a = strdup(bin_path(tmp, "j1"));
	char *b = strdup(bin_path(tmp, "j2"));
	run_into(a, "-j", "1", NULL, NULL);
	run_into(b, "-j2", NULL, NULL, NULL);
	expect_same_outputs(a, b);
	free(a);
	free(b);
}

static void test_default_output_folder(void **state)
{
	const char *tmp = *state;
	char scenario[PATH_MAX];
	assert_int_equal(bin_abspath(scenario, GEN), 0);
	bin_result r;
	/* Options after the scenario, and before it. */
	bin_run_in(&r, tmp, "run", "-q", scenario, "-r", "1", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_exists(bin_path(tmp, "out/generator/cohesion.csv")));
	assert_true(bin_exists(bin_path(tmp, "out/generator/manifest.json")));
	char *before = bin_slurp(bin_path(tmp, "out/generator/summary.csv"),
				 NULL);
	assert_non_null(before);

	/* With --set, a folder of its own, named by the overrides' hash;
	 * the title of the figures and the manifest say what was set. */
	bin_run_in(&r, tmp, "run", "-q", scenario, "-r", "1", "--plot", "dumb",
		   "--set", "model.half_life=100", NULL);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "(--set model.half_life=100)"));
	bin_result_free(&r);
	DIR *out = opendir(bin_path(tmp, "out"));
	assert_non_null(out);
	struct dirent *e;
	int others = 0;
	char set_dir[64] = "";
	while ((e = readdir(out)))
		if (!strncmp(e->d_name, "generator-set-", 14)) {
			others++;
			snprintf(set_dir, sizeof set_dir, "out/%s/manifest.json",
				 e->d_name);
		}
	closedir(out);
	assert_int_equal(others, 1);
	assert_int_equal(strlen(set_dir), strlen("out/generator-set-") + 8 +
						  strlen("/manifest.json"));
	json_t *root = json_load_file(bin_path(tmp, set_dir), 0, NULL);
	assert_non_null(root);
	json_t *sets = json_object_get(json_object_get(root, "scenario"),
				       "overrides");
	assert_int_equal(json_array_size(sets), 1);
	assert_string_equal(json_string_value(json_array_get(sets, 0)),
			    "model.half_life=100");
	json_decref(root);
	/* the baseline's folder is untouched */
	char *after = bin_slurp(bin_path(tmp, "out/generator/summary.csv"),
				NULL);
	assert_string_equal(before, after);
	free(after);

	/* Another file of the same scenario name is refused the default
	 * folder, and named -o may replace it. */
	char copy[PATH_MAX];
	snprintf(copy, sizeof copy, "%s/copy.cfg", tmp);
	FILE *fp = fopen(copy, "w");
	assert_non_null(fp);
	char *text = bin_slurp(GEN, NULL);
	assert_non_null(text);
	fputs(text, fp);
	fclose(fp);
	free(text);
	bin_run_in(&r, tmp, "run", "-q", copy, "-r", "1", NULL);
	bin_expect_status(&r, 1);
	assert_string_equal(r.err, "cohesim: out/generator/: holds the "
			    "results of another scenario or other --set "
			    "values (see its manifest.json), which a default "
			    "folder never replaces; name a folder with -o "
			    "(this one to replace them)\n");
	bin_result_free(&r);
	after = bin_slurp(bin_path(tmp, "out/generator/summary.csv"), NULL);
	assert_string_equal(before, after);
	free(after);
	bin_run_in(&r, tmp, "run", "-q", copy, "-r", "1", "-o",
		   "out/generator", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	free(before);
}

/* init writes a starter scenario that validates and runs as it is, and
 * never replaces a file. */
static void test_init(void **state)
{
	const char *tmp = *state;
	bin_result r;
	bin_run_in(&r, tmp, "init", "first-try", NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.out, "wrote first-try.cfg: try 'cohesim describe "
			    "first-try.cfg', then 'cohesim run "
			    "first-try.cfg'\n");
	bin_result_free(&r);
	bin_run_in(&r, tmp, "validate", "-v", "first-try.cfg", NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.out, "first-try.cfg: ok\n");
	bin_result_free(&r);
	/* its notes and sources are there, and the generator runs */
	bin_run_in(&r, tmp, "describe", "first-try.cfg", NULL);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "invented: cite the report"));
	assert_non_null(strstr(r.out, "third_party_exercise by SML (RIV)"));
	bin_result_free(&r);
	bin_run_in(&r, tmp, "run", "first-try.cfg", "-r", "5", "-q", "--plot",
		   "none", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_exists(bin_path(tmp, "out/first-try/summary.csv")));

	char *before = bin_slurp(bin_path(tmp, "first-try.cfg"), NULL);
	bin_run_in(&r, tmp, "init", "first-try", NULL);
	bin_expect_status(&r, 1);
	assert_string_equal(r.err, "cohesim: first-try.cfg exists; init never "
			    "replaces a file: choose another NAME or -o "
			    "FILE\n");
	bin_result_free(&r);
	char *after = bin_slurp(bin_path(tmp, "first-try.cfg"), NULL);
	assert_string_equal(before, after);
	free(before);
	free(after);
	bin_run_in(&r, tmp, "init", "First_Try", NULL);
	bin_expect_status(&r, 2);
	assert_non_null(strstr(r.err, "cohesim: init: NAME must be made of "
			       "a-z, 0-9 and - (at most 64), got "
			       "\"First_Try\"\n"));
	bin_result_free(&r);
	bin_run_in(&r, tmp, "init", "other", "-o", "sub.cfg", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_exists(bin_path(tmp, "sub.cfg")));
}

static void test_keep(void **state)
{
	const char *tmp = *state;
	char *dir = strdup(bin_path(tmp, "keep"));
	run_into(dir, NULL, NULL, NULL, NULL);
	/* A second run into the same folder keeping only events replaces
	 * the folder's contents: no stale cohesion.csv or members.csv. */
	run_into(dir, "--keep", "events", "--plot", "none");
	assert_false(bin_exists(bin_path(dir, "cohesion.csv")));
	assert_false(bin_exists(bin_path(dir, "members.csv")));
	assert_true(bin_exists(bin_path(dir, "events.csv")));
	json_t *root = json_load_file(bin_path(dir, "manifest.json"), 0, NULL);
	assert_non_null(root);
	json_t *list = json_object_get(root, "files");
	/* events.csv, the four summaries, the resolved scenario, the
	 * report */
	assert_int_equal(json_array_size(list), 7);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(list, 0), "name")),
			    "events.csv");
	json_decref(root);

	run_into(dir, "--keep=cohesion,members", NULL, NULL, NULL);
	assert_true(bin_exists(bin_path(dir, "cohesion.csv")));
	assert_true(bin_exists(bin_path(dir, "members.csv")));
	assert_false(bin_exists(bin_path(dir, "events.csv")));
	/* summary: none of the per-replication files, the summaries always */
	run_into(dir, "--keep=summary", NULL, NULL, NULL);
	assert_false(bin_exists(bin_path(dir, "cohesion.csv")));
	assert_true(bin_exists(bin_path(dir, "summary.csv")));
	assert_true(bin_exists(bin_path(dir, "outcomes.csv")));
	free(dir);
}

/* outcomes.csv holds each member's final commitment (the last row of
 * members.csv for that replication) and the date of each first freeze
 * and exit beside its day (the start, 2020-01-01, plus the whole days). */
static void test_outcomes_columns(void **state)
{
	const char *tmp = *state;
	bin_result r;
	bin_run(&r, "run", GEN, "-o", tmp, "-r", "3", "--plot", "none", "-q",
		NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	csv_table o, m;
	assert_int_equal(csv_load(&o, bin_path(tmp, "outcomes.csv")), 0);
	assert_int_equal(csv_load(&m, bin_path(tmp, "members.csv")), 0);
	assert_int_equal(o.n_rows, 3);
	int frozen_seen = 0;
	for (size_t rep = 0; rep < 3; rep++) {
		/* members.csv: the last sample's rows come last per replication */
		for (size_t i = 0; i < m.n_rows; i++) {
			if ((size_t)atoi(csv_get(&m, i, 0)) != rep ||
			    strcmp(csv_get(&m, i, 1), "730") != 0)
				continue;
			char col[64];
			snprintf(col, sizeof col, "%s_commitment",
				 csv_get(&m, i, 3));
			assert_string_equal(csv_get(&o, rep, csv_col(&o, col)),
					    csv_get(&m, i, 4));
		}
		const char *day = csv_get(&o, rep, csv_col(&o, "S_freeze_day"));
		const char *date = csv_get(&o, rep,
					   csv_col(&o, "S_freeze_date"));
		if (!day[0]) {
			assert_string_equal(date, "");
			continue;
		}
		frozen_seen = 1;
		/* days since 2020-01-01 -> that calendar day (mktime
		 * normalises the day of the month; noon keeps clear of any
		 * daylight-saving shift) */
		struct tm tm = {.tm_year = 120, .tm_mon = 0,
				.tm_mday = 1 + (int)floor(strtod(day, NULL)),
				.tm_hour = 12, .tm_isdst = -1};
		assert_true(mktime(&tm) != (time_t)-1);
		char want[16];
		strftime(want, sizeof want, "%Y-%m-%d", &tm);
		assert_string_equal(date, want);
	}
	assert_true(frozen_seen);       /* the seed makes S freeze */
	csv_free(&o);
	csv_free(&m);
}

/* --members draws only the members named, and their thresholds; the
 * data keep every member; an unknown id is a usage error. */
static void test_members_option(void **state)
{
	const char *tmp = *state;
	bin_result r;
	bin_run(&r, "run", GEN, "-o", tmp, "-r", "2", "--plot", "svg", "-q",
		"--members", "M,L", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *script = bin_slurp(bin_path(tmp, "members.gp"), NULL);
	assert_non_null(script);
	/* in the scenario's order, with the model's thresholds */
	assert_non_null(strstr(script, "\nids = 'L M'\n"));
	assert_non_null(strstr(script, "\narray freeze[2] = [0.4, 0.4]\n"));
	assert_non_null(strstr(script, "\narray exit[2] = [0.1, 0.1]\n"));
	free(script);
	char *svg = bin_slurp(bin_path(tmp, "survival.svg"), NULL);
	assert_non_null(strstr(svg, "Leader frozen by"));
	assert_null(strstr(svg, "Small, but proud"));
	free(svg);
	char *summary = bin_slurp(bin_path(tmp, "summary.csv"), NULL);
	assert_non_null(strstr(summary, "member:S"));
	free(summary);
	/* plot redraws with another choice, under a title of its own */
	bin_run(&r, "plot", tmp, "--members", "S", "-q", "--format", "svg",
		"--title", "Redrawn for S", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	script = bin_slurp(bin_path(tmp, "members.gp"), NULL);
	assert_non_null(strstr(script, "\nids = 'S'\n"));
	free(script);
	svg = bin_slurp(bin_path(tmp, "members.svg"), NULL);
	assert_non_null(strstr(svg, "Redrawn for S: commitment of each "
				    "member"));
	assert_null(strstr(svg, "Hedging at random"));
	free(svg);
	/* --title on run, with --set after it */
	bin_run(&r, "run", GEN, "-o", tmp, "-r", "2", "--plot", "svg", "-q",
		"--title", "Custom title", "--set", "model.half_life=150",
		NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	svg = bin_slurp(bin_path(tmp, "cohesion.svg"), NULL);
	assert_non_null(strstr(svg, "Custom title (--set model.half_life=150)"));
	free(svg);
	bin_run(&r, "run", GEN, "-o", tmp, "-r", "2", "-q", "--members",
		"L,XYZ", NULL);
	bin_expect_status(&r, 2);
	assert_string_equal(r.err, "cohesim: run: --members L,XYZ: no member "
			    "\"XYZ\"; members are L, S, M\nTry 'cohesim run "
			    "--help'.\n");
	bin_result_free(&r);
}

static void test_plot_formats(void **state)
{
	const char *tmp = *state;
	bin_result r;
	bin_run(&r, "run", GEN, "-o", tmp, "-r", "1", "--plot", "svg", "-q",
		NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.err, "");
	assert_true(bin_exists(bin_path(tmp, "cohesion.svg")));
	assert_false(bin_exists(bin_path(tmp, "cohesion.png")));
	bin_result_free(&r);
	/* dumb draws on stdout, and the figures' titles are in it */
	bin_run(&r, "run", GEN, "-o", tmp, "-r", "1", "--plot", "dumb", "-q",
		NULL);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.out, "Hedging at random"));
	bin_result_free(&r);
}

static void test_unwritable_output(void **state)
{
	const char *tmp = *state;
	/* A regular file where a folder should be: fails for root too. */
	char *file = strdup(bin_path(tmp, "file"));
	assert_int_equal(bin_write_file(file, "x"), 0);
	char *below = strdup(bin_path(file, "out"));
	bin_result r;
	bin_run(&r, "run", GEN, "-o", below, NULL);
	bin_expect_status(&r, 1);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof want, "cohesim: %s: cannot create folder: ",
		 below);
	assert_true(strncmp(r.err, want, strlen(want)) == 0);
	/* one line, nothing else */
	assert_ptr_equal(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
	bin_result_free(&r);

	bin_run(&r, "run", GEN, "-o", file, NULL);
	bin_expect_status(&r, 1);
	snprintf(want, sizeof want, "cohesim: %s: cannot use output folder",
		 file);
	assert_true(strncmp(r.err, want, strlen(want)) == 0);
	bin_result_free(&r);

	/* A scenario error is exit 1 too, with the file's name. */
	bin_run(&r, "run", GEN, "-o", tmp, "--set", "model.half_life=-1",
		NULL);
	bin_expect_status(&r, 1);
	assert_true(strncmp(r.err, "cohesim: ", 9) == 0);
	bin_result_free(&r);
	free(file);
	free(below);
}

/* SIGINT part-way: the replication in flight finishes, what is complete is
 * written (all files consistent with the manifest), exit 130. */
static void test_interrupt(void **state)
{
	const char *tmp = *state;
	char *dir = strdup(bin_path(tmp, "int"));
	const char *args[] = {"run", GEN, "-o", dir, "-r", "100000000",
			      "--keep", "cohesion", "--plot", "none", NULL};
	bin_child c;
	assert_int_equal(bin_start(&c, NULL, args), 0);
	/* Wait until the run is under way (its temporaries exist), then let
	 * it do some replications. */
	struct timespec pause = {0, 20 * 1000 * 1000};
	for (int i = 0; i < 1500; i++) {
		DIR *d = opendir(dir);
		if (d) {
			closedir(d);
			if (!no_temporaries(dir))
				break;
		}
		nanosleep(&pause, NULL);
	}
	struct timespec settle = {0, 300 * 1000 * 1000};
	nanosleep(&settle, NULL);
	kill(c.pid, SIGINT);
	bin_result r;
	assert_int_equal(bin_wait(&c, &r), 0);
	bin_expect_status(&r, 130);
	assert_non_null(strstr(r.err, "cohesim: interrupted: wrote "));
	assert_true(no_temporaries(dir));

	json_t *root = json_load_file(bin_path(dir, "manifest.json"), 0, NULL);
	assert_non_null(root);
	assert_true(json_is_true(json_object_get(root, "interrupted")));
	json_int_t done = json_integer_value(json_object_get(root,
							     "replications"));
	assert_true(done >= 1 && done < 100000000);
	json_decref(root);
	csv_table t;
	load_csv(&t, dir, "cohesion.csv", cohesion_header);
	assert_int_equal(t.n_rows, (size_t)done * 26);
	/* The last row is the last sample of the last complete
	 * replication. */
	char last[32];
	snprintf(last, sizeof last, "%lld", (long long)done - 1);
	assert_string_equal(csv_get(&t, t.n_rows - 1, 0), last);
	assert_string_equal(csv_get(&t, t.n_rows - 1, 1), "730");
	csv_free(&t);
	bin_result_free(&r);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test_setup_teardown(test_validate, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test(test_describe),
		cmocka_unit_test_setup_teardown(test_run_writes_every_file,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_resolved_reproduces,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_seeds, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_set_changes_result,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_jobs_do_not_matter,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_default_output_folder,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_init, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_keep, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_outcomes_columns, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_members_option, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_plot_formats, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_output,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_interrupt, bin_tmp_setup,
						bin_tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
