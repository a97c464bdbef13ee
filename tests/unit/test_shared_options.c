/* The options that run, compare and sweep share (-o, -r, --seed, -j, --set,
 * --include-root, --plot, -q, --max-memory), through the real binary: every
 * command lists them in its --help and refuses bad values with the same
 * message and exit status 2; compare applies --set and --include-root to
 * both scenarios, and Ctrl-C leaves nothing of it behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>

#include "bin_helpers.h"

#define GEN "tests/scenarios/generator.cfg"

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

/* The command lines that reach each command's option parsing: run and
 * compare need their scenarios, sweep an axis too. */
typedef struct command_line {
	const char *name;
	const char *args[6];
} command_line;

static const command_line commands[] = {
	{"run", {"run", GEN}},
	{"compare", {"compare", GEN, GEN}},
	{"sweep", {"sweep", GEN, "--vary", "model.half_life=100,200"}},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* Runs cmd's arguments followed by extra (NULL-terminated, up to 3). */
static void run_with(bin_result *r, const command_line *cmd,
		     const char *const *extra)
{
	const char *args[16];
	size_t n = 0;
	for (size_t i = 0; cmd->args[i]; i++)
		args[n++] = cmd->args[i];
	for (size_t i = 0; extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	assert_true(bin_run_argv(r, NULL, args) >= 0);
}

/* The number of entries in a folder, "." and ".." aside. */
static size_t count_entries(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void expect_same_file(const char *a, const char *b)
{
	if (!bin_same_file(a, b))
		fail_msg("%s and %s differ", a, b);
}

/*--- Help and usage errors -----------------------------------------------*/

static void test_help_lists_shared_options(void **state)
{
	(void)state;
	static const char *const shared[] = {
		"-o, --output DIR", "-r, --replications N", "--seed S",
		"-j, --jobs N", "--set PATH=VALUE", "--include-root DIR",
		"--plot FORMAT", "--title TEXT", "-q, --quiet",
		"--max-memory GB", "-h, --help",
	};
	for (size_t c = 0; c < N_COMMANDS; c++) {
		bin_result r;
		assert_true(bin_run(&r, commands[c].name, "--help", NULL) >= 0);
		bin_expect_status(&r, 0);
		assert_string_equal(r.err, "");
		for (size_t i = 0; i < sizeof shared / sizeof *shared; i++)
			if (!strstr(r.out, shared[i]))
				fail_msg("'cohesim %s --help' does not list %s",
					 commands[c].name, shared[i]);
		bin_result_free(&r);
	}
}

typedef struct usage_case {
	const char *extra[4];
	const char *message;    /* after "cohesim: COMMAND: " */
} usage_case;

/* The same bad option gets the same message from every command, with the
 * command's name, and exit status 2; nothing is written. */
static void test_shared_usage_errors(void **state)
{
	(void)state;
	static const usage_case cases[] = {
		{{"--bogus"}, "unknown option '--bogus'"},
		{{"-x"}, "unknown option '-x'"},
		{{"--set", "novalue"},
		 "--set expects PATH=VALUE, got \"novalue\""},
		{{"-o", ""}, "-o expects a folder, got \"\""},
		{{"-r", "0"}, "-r expects a whole number >= 1, got \"0\""},
		{{"--seed", "-1"},
		 "--seed expects a whole number from 0 to 9223372036854775807, "
		 "got \"-1\""},
		{{"-j", "2000"},
		 "-j expects a whole number from 1 to 1024, got \"2000\""},
		{{"--plot", "gif"},
		 "--plot expects png, svg, pdf, dumb or none, got \"gif\""},
		{{"--max-memory", "0"},
		 "--max-memory expects a size in GB greater than 0, got \"0\""},
		{{"--include-root"}, "option '--include-root' needs a value"},
		{{"--quiet=yes"}, "option '--quiet' takes no value"},
	};
	for (size_t c = 0; c < N_COMMANDS; c++)
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			bin_result r;
			run_with(&r, &commands[c], cases[i].extra);
			char want[512];
			snprintf(want, sizeof want,
				 "cohesim: %s: %s\nTry 'cohesim %s --help'.\n",
				 commands[c].name, cases[i].message,
				 commands[c].name);
			if (r.status != 2 || strcmp(r.err, want) != 0 ||
			    r.out[0])
				fail_msg("cohesim %s ... %s: exit %d\nstderr:\n%s"
					 "expected:\n%s", commands[c].name,
					 cases[i].extra[0], r.status, r.err,
					 want);
			bin_result_free(&r);
		}
}

/* --max-memory is a limit in sweep too: on what a point holds while it
 * runs, refused before any work. */
static void test_sweep_max_memory(void **state)
{
	(void)state;
	char *out = strdup(bin_path(dir, "sweep"));
	bin_result r;
	assert_true(bin_run(&r, "sweep", GEN, "--vary",
			    "model.half_life=100,200", "-r", "1000",
			    "--max-memory", "0.0001", "-o", out, "-q", NULL)
		    >= 0);
	bin_expect_status(&r, 1);
	assert_string_equal(r.err,
			    "cohesim: " GEN ": a point's results would take "
			    "1 MB of memory, more than the limit of 1 MB; use "
			    "fewer replications per point (-r), or raise the "
			    "limit with --max-memory GB\n");
	assert_false(bin_exists(out));
	bin_result_free(&r);
	assert_true(bin_run(&r, "sweep", GEN, "--vary",
			    "model.half_life=100,200", "-r", "2",
			    "--max-memory", "0.0001", "-o", out, "-q",
			    "--plot", "none", NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	free(out);
}

/*--- compare -------------------------------------------------------------*/

/* A second scenario with the same members: S starts less committed. */
static char *write_alt(void)
{
	char *text = bin_slurp(GEN, NULL);
	assert_non_null(text);
	char *p = strstr(text, "commitment = 0.6;");
	assert_non_null(p);
	p[strlen("commitment = 0.")] = '5';
	char *path = strdup(bin_path(dir, "alt.cfg"));
	assert_int_equal(bin_write_file(path, text), 0);
	free(text);
	return path;
}

/* --set changes both scenarios as it changes each one's run: with it, the
 * two summaries of compare are byte for byte those of `run --set` on each
 * side (the same streams, replication by replication), and they differ
 * from the comparison without it. */
static void test_compare_set(void **state)
{
	(void)state;
	char *alt = write_alt();
	char *cmp = strdup(bin_path(dir, "cmp")), *plain =
		strdup(bin_path(dir, "plain"));
	char *run_base = strdup(bin_path(dir, "run-base")), *run_alt =
		strdup(bin_path(dir, "run-alt"));
	const char *set = "model.half_life=120";
	bin_result r;
	assert_true(bin_run(&r, "compare", GEN, alt, "--set", set, "-r", "30",
			    "-o", cmp, "--plot", "none", "-q", NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_run(&r, "compare", GEN, alt, "-r", "30", "-o", plain,
			    "--plot", "none", "-q", NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	const char *sides[2][2] = {{GEN, run_base}, {alt, run_alt}};
	for (size_t i = 0; i < 2; i++) {
		assert_true(bin_run(&r, "run", sides[i][0], "--set", set, "-r",
				    "30", "-o", sides[i][1], "--plot", "none",
				    "-q", NULL) >= 0);
		bin_expect_status(&r, 0);
		bin_result_free(&r);
	}
	expect_same_file(bin_path(cmp, "summary-base.csv"),
			 bin_path(run_base, "summary.csv"));
	expect_same_file(bin_path(cmp, "summary-alt.csv"),
			 bin_path(run_alt, "summary.csv"));
	assert_false(bin_same_file(bin_path(cmp, "summary-base.csv"),
				   bin_path(plain, "summary-base.csv")));
	assert_false(bin_same_file(bin_path(cmp, "compare.csv"),
				   bin_path(plain, "compare.csv")));
	/* the resolved scenario records the change */
	char *resolved = bin_slurp(bin_path(cmp, "scenario.resolved.cfg"),
				   NULL);
	assert_non_null(resolved);
	assert_non_null(strstr(resolved, "half_life = 120.0;"));
	free(resolved);
	/* a --set that breaks the scenarios: its message, exit 1, no folder */
	char *bad = strdup(bin_path(dir, "bad"));
	assert_true(bin_run(&r, "compare", GEN, alt, "--set",
			    "model.half_life=-1", "-o", bad, "-q", NULL) >= 0);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "cohesim: --set model.half_life=-1: "));
	assert_false(bin_exists(bad));
	bin_result_free(&r);
	free(bad);
	free(alt);
	free(cmp);
	free(plain);
	free(run_base);
	free(run_alt);
}

/* The generator scenario split in two: DIR/a/b/split.cfg includes
 * DIR/part.cfg, outside its default root (DIR/a).  Returns the path of
 * split.cfg. */
static char *write_split(void)
{
	char *text = bin_slurp(GEN, NULL);
	assert_non_null(text);
	char *cut = strstr(text, "generators = (");
	assert_non_null(cut);
	assert_int_equal(bin_write_file(bin_path(dir, "part.cfg"), cut), 0);
	*cut = '\0';
	char *folder = strdup(bin_path(dir, "a/b"));
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", folder);
	assert_int_equal(system(cmd), 0);
	char *split = strdup(bin_path(folder, "split.cfg"));
	size_t len = strlen(text) + 64;
	char *with = malloc(len);
	snprintf(with, len, "%s@include \"../../part.cfg\"\n", text);
	assert_int_equal(bin_write_file(split, with), 0);
	free(with);
	free(text);
	free(folder);
	return split;
}

/* --include-root lets both scenarios include from above their folders;
 * the split scenario is the generator scenario, so the comparison gives
 * the same bytes as the generator's with itself. */
static void test_compare_include_root(void **state)
{
	(void)state;
	char *split = write_split();
	char *out = strdup(bin_path(dir, "cmp"));
	char *ref = strdup(bin_path(dir, "ref"));
	bin_result r;
	/* without it, the include is refused, and that is BASE's error */
	assert_true(bin_run(&r, "compare", split, split, "-r", "20", "-o",
			    out, "--plot", "none", "-q", NULL) >= 0);
	bin_expect_status(&r, 1);
	assert_non_null(strstr(r.err, "is outside the scenario root"));
	assert_false(bin_exists(out));
	bin_result_free(&r);

	assert_true(bin_run(&r, "compare", split, split, "--include-root",
			    dir, "-r", "20", "-o", out, "--plot", "none", "-q",
			    NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_true(bin_run(&r, "compare", GEN, GEN, "-r", "20", "-o", ref,
			    "--plot", "none", "-q", NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	static const char *const files[] = {
		"compare.csv", "compare-members.csv", "summary-base.csv",
		"summary-alt.csv"};
	for (size_t i = 0; i < 4; i++)
		expect_same_file(bin_path(out, files[i]),
				 bin_path(ref, files[i]));
	/* ALT gets the root too: only BASE here is the plain scenario */
	assert_true(bin_run(&r, "compare", GEN, split, "--include-root", dir,
			    "-r", "20", "-o", out, "--plot", "none", "-q",
			    NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	free(split);
	free(out);
	free(ref);
}

/* SIGINT while the pairs run: exit 130 with a message, and nothing of the
 * comparison is left: not the folders it made for its output, nor any
 * file; what was there before stays. */
static void test_compare_interrupt(void **state)
{
	(void)state;
	char *keep = strdup(bin_path(dir, "keep"));
	char *made = strdup(bin_path(keep, "new"));
	char *out = strdup(bin_path(made, "cmp"));
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", keep);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(bin_write_file(bin_path(keep, "marker"), "x\n"), 0);

	const char *args[] = {"compare", GEN, GEN, "-r", "100000000", "-o",
			      out, "--plot", "none", NULL};
	bin_child c;
	assert_int_equal(bin_start(&c, NULL, args), 0);
	/* The folder is made once the signals are caught, just before the
	 * pairs start; then let some pairs run. */
	struct timespec pause = {0, 20 * 1000 * 1000};
	for (int i = 0; i < 1500 && !bin_exists(out); i++)
		nanosleep(&pause, NULL);
	assert_true(bin_exists(out));
	struct timespec settle = {0, 300 * 1000 * 1000};
	nanosleep(&settle, NULL);
	kill(c.pid, SIGINT);
	bin_result r;
	assert_int_equal(bin_wait(&c, &r), 0);
	bin_expect_status(&r, 130);
	assert_non_null(strstr(r.err, "cohesim: interrupted after "));
	assert_non_null(strstr(r.err, " of 100000000 paired replications; "
			       "nothing written\n"));
	assert_string_equal(r.out, "");
	bin_result_free(&r);
	assert_false(bin_exists(made));
	assert_int_equal(count_entries(keep), 1);
	assert_true(bin_exists(bin_path(keep, "marker")));
	free(keep);
	free(made);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_lists_shared_options),
		cmocka_unit_test(test_shared_usage_errors),
		cmocka_unit_test_setup_teardown(test_sweep_max_memory, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compare_set, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compare_include_root,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_compare_interrupt, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
