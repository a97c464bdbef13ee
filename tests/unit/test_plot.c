/* Figures through the real gnuplot: each figure is drawn, the dumb terminal
 * prints the title, and no scenario string can make gnuplot run a command. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cohesim/date.h"
#include "cohesim/plot.h"
#include "bin_helpers.h"

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Two sample times, two members: enough data for every figure. */
static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/coh-plot-XXXXXX");
	assert_non_null(mkdtemp(dir));
	const char *metrics[] = {"cohesion", "mean", "min", "sd", "active",
				 "frozen", "exited", "reliability",
				 "member:A", "member:B"};
	char buf[8192] = "day,date,metric,mean,sd,q05,q25,q50,q75,q95\n";
	const char *dates[] = {"2020-01-01", "2020-06-01"};
	for (int k = 0; k < 2; k++)
		for (size_t m = 0; m < sizeof metrics / sizeof *metrics; m++) {
			char row[256];
			snprintf(row, sizeof row,
				 "%d,%s,%s,0.5,0.1,0.3,0.4,0.5,0.6,0.7\n",
				 k * 152, dates[k], metrics[m]);
			strcat(buf, row);
		}
	write_file("summary.csv", buf);
	write_file("survival.csv", "day,date,member,frozen_by,frozen_now,"
		   "exited_by\n0,2020-01-01,A,0,0,0\n0,2020-01-01,B,0,0,0\n"
		   "152,2020-06-01,A,0.5,0.3,0.1\n"
		   "152,2020-06-01,B,0.2,0.2,0\n");
	write_file("timeline.csv", "day,date,type,actor,label,row\n"
		   "10,2020-01-11,shock,A,shock A,0\n"
		   "12,2020-01-13,shock,B,,-1\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static const char *const figures[] = {"cohesion.gp", "members.gp",
				      "survival.gp"};

static coh_plot_spec spec_with(const char *title, const char *const *names)
{
	static const char *const ids[] = {"A", "B"};
	coh_plot_spec spec = {
		.title = title, .n_members = 2, .ids = ids, .names = names,
		.figures = figures, .n_figures = 3,
	};
	assert_int_equal(coh_date_parse(&spec.start_day, "2020-01-01"), 0);
	assert_int_equal(coh_date_parse(&spec.end_day, "2020-06-01"), 0);
	return spec;
}

static int exists_nonempty(const char *name)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &st) == 0 && st.st_size > 0;
}

static void test_png_figures_are_drawn(void **state)
{
	(void)state;
	const char *names[] = {"Alpha", "Beta"};
	coh_plot_spec spec = spec_with("Test alliance", names);
	char **files = NULL;
	size_t n = 0;
	int missing = -1;
	coh_error err = {0};
	int rc = coh_plot_render(dir, &spec, COH_PLOT_PNG, &missing, &files,
				 &n, &err);
	if (rc)
		fail_msg("render failed: %s", err.message);
	assert_int_equal(missing, 0);
	assert_true(exists_nonempty("cohesion.png"));
	assert_true(exists_nonempty("members.png"));
	assert_true(exists_nonempty("survival.png"));
	assert_true(exists_nonempty("cohesion.gp"));
	assert_true(exists_nonempty("common.gp"));
	assert_int_equal(n, 7); /* common + 3 scripts + 3 figures */
	coh_plot_files_free(files, n);
	/* no record's end given: none marked */
	char path[256];
	snprintf(path, sizeof path, "%s/common.gp", dir);
	char *common = bin_slurp(path, NULL);
	assert_non_null(strstr(common, "\nrecord_end = ''\n"));
	free(common);
}

/* Where the record ends is marked on the time figures (gnuplot draws
 * them with it; the script carries the date). */
static void test_record_end_is_marked(void **state)
{
	(void)state;
	const char *names[] = {"Alpha", "Beta"};
	coh_plot_spec spec = spec_with("Test alliance", names);
	spec.has_record_end = 1;
	assert_int_equal(coh_date_parse(&spec.record_end_day, "2020-03-15"),
			 0);
	char **files = NULL;
	size_t n = 0;
	coh_error err = {0};
	int rc = coh_plot_render(dir, &spec, COH_PLOT_SVG, NULL, &files, &n,
				 &err);
	if (rc)
		fail_msg("render failed: %s", err.message);
	coh_plot_files_free(files, n);
	char path[256];
	snprintf(path, sizeof path, "%s/common.gp", dir);
	char *common = bin_slurp(path, NULL);
	assert_non_null(strstr(common, "\nrecord_end = '2020-03-15'\n"));
	free(common);
	snprintf(path, sizeof path, "%s/survival.svg", dir);
	char *svg = bin_slurp(path, NULL);
	assert_non_null(svg);
	assert_non_null(strstr(svg, "record | projection"));
	free(svg);
}

static void test_dumb_prints_title(void **state)
{
	(void)state;
	const char *names[] = {"Alpha", "Beta"};
	coh_plot_spec spec = spec_with("Dumb terminal title", names);
	spec.n_figures = 1;
	char **files = NULL;
	size_t n = 0;
	coh_error err = {0};
	/* gnuplot inherits stdout: point it at a file for the check */
	char out[256];
	snprintf(out, sizeof out, "%s/dumb.txt", dir);
	fflush(stdout);
	int saved = dup(1);
	FILE *fp = fopen(out, "w");
	assert_non_null(fp);
	dup2(fileno(fp), 1);
	int rc = coh_plot_render(dir, &spec, COH_PLOT_DUMB, NULL, &files, &n,
				 &err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	fclose(fp);
	if (rc)
		fail_msg("render failed: %s", err.message);
	coh_plot_files_free(files, n);
	fp = fopen(out, "r");
	char text[65536];
	size_t len = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[len] = '\0';
	assert_non_null(strstr(text, "Dumb terminal title"));
}

/* Quotes, backquotes, newlines and system() in scenario strings: gnuplot
 * must draw them as text and run nothing. */
static void test_injection_runs_nothing(void **state)
{
	(void)state;
	char marker[128], title[512], name[512];
	snprintf(marker, sizeof marker, "%s/pwned", dir);
	snprintf(title, sizeof title,
		 "a'b `touch %s` \"c\"\nsystem(\"touch %s\")\n!touch %s",
		 marker, marker, marker);
	snprintf(name, sizeof name, "x'; system('touch %s'); y = '", marker);
	const char *names[] = {name, "@ARG0 `touch x`"};
	coh_plot_spec spec = spec_with(title, names);
	char **files = NULL;
	size_t n = 0;
	coh_error err = {0};
	int rc = coh_plot_render(dir, &spec, COH_PLOT_PNG, NULL, &files, &n,
				 &err);
	coh_plot_files_free(files, n);
	if (rc)
		fail_msg("render failed: %s", err.message);
	assert_int_equal(access(marker, F_OK), -1);
	assert_true(exists_nonempty("cohesion.png"));
}

static void test_quote(void **state)
{
	(void)state;
	char buf[64];
	coh_plot_quote(buf, sizeof buf, "it's\n`x`");
	assert_string_equal(buf, "'it''s `x`'");
	coh_plot_quote(buf, 8, "abcdefghij");  /* truncated, still closed */
	assert_int_equal(buf[strlen(buf) - 1], '\'');
	coh_plot_format f;
	assert_int_equal(coh_plot_format_parse(&f, "svg"), 0);
	assert_int_equal(f, COH_PLOT_SVG);
	assert_int_not_equal(coh_plot_format_parse(&f, "gif"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test_setup_teardown(test_png_figures_are_drawn,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_end_is_marked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dumb_prints_title, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_injection_runs_nothing,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
