/* `cohesim compare BASE ALT`: a paired counterfactual.  Replication r of
 * both scenarios draws from the same random streams (common random
 * numbers), so their difference shows the effect of what the scenarios
 * change, not the noise of two independent samples; a scenario compared
 * with itself differs by exactly zero. */
#include "cli.h"
#include "cohesim/date.h"
#include "cohesim/mc.h"
#include "cohesim/output.h"
#include "cohesim/report.h"
#include "core/alloc.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char compare_help[] =
	"Usage: cohesim compare BASE ALT [OPTIONS]\n"
	"\n"
	"Runs two scenarios with the same random streams, replication by\n"
	"replication, and writes the paired difference ALT - BASE of every\n"
	"metric over time (compare.csv: mean with its 95% confidence interval\n"
	"and the 5%-95% spread across replications), each member's chance of\n"
	"freezing and exiting in both (compare-members.csv), both summaries\n"
	"(summary-base.csv, summary-alt.csv), a figure, report.html (one\n"
	"page with the table and the figure inline) and manifest.json.\n"
	"A short table goes to stdout.  Both scenarios need the same dates and\n"
	"sample grid; members are paired by id, and a member only one of them\n"
	"has is listed as such (compare-unpaired.csv); the seed and\n"
	"replications are BASE's.\n"
	"Interrupted (Ctrl-C), it stops after the pairs in flight and writes\n"
	"nothing.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR        output folder (default: out/BASE-vs-ALT/)\n"
	"  -r, --replications N    replications (default: BASE's)\n"
	"      --seed S            seed for both (default: BASE's)\n"
	"  -j, --jobs N            worker threads (default: online CPUs)\n"
	"      --set PATH=VALUE    change one setting in both scenarios before\n"
	"                          validation (repeatable)\n"
	"      --include-root DIR  folder that @include may not leave, for both\n"
	"                          (default: the parent of each one's folder)\n"
	"      --title TEXT        the figures' title (default: the scenario's)\n"
	"      --plot FORMAT       png (default), svg, pdf, dumb or none\n"
	"      --report FORMAT     html (default): report.html, one page to\n"
	"                          forward; none: no report\n"
	"      --posterior FILE    each pair draws a particle of FILE (posterior.csv\n"
	"                          of cohesim calibrate) by weight and runs both\n"
	"                          scenarios with its values\n"
	"      --max-memory GB     refuse comparisons whose summaries would\n"
	"                          take more (default: half of the memory)\n"
	"  -q, --quiet             no progress and no closing message\n"
	"  -h, --help              show this help\n";

typedef struct compare_args {
	cli_common_opts common;
	const char *paths[2];           /* BASE and ALT */
	int n_paths;
	int no_report;                  /* --report none */
	const char *posterior;          /* --posterior, or NULL */
} compare_args;

enum { OPT_REPORT = 1, OPT_POSTERIOR };

static const cli_option compare_options[] = {
	{"report", 0, 1, OPT_REPORT},
	{"posterior", 0, 1, OPT_POSTERIOR},
	{NULL, 0, 0, 0},
};

/* compare's own option is --report; the rest are BASE and ALT. */
static int take_arg(void *ctx, int id, const char *v)
{
	compare_args *a = ctx;
	if (id == OPT_POSTERIOR) {
		a->posterior = v;
		return CLI_OK;
	}
	if (id == OPT_REPORT)
		return cli_opt_report("compare", v, &a->no_report);
	if (a->n_paths == 2)
		return cli_usage_error("compare", "expected BASE and ALT, got a "
				       "third scenario '%s'", v);
	a->paths[a->n_paths++] = v;
	return CLI_OK;
}

static const cli_command_args compare_command = {
	"compare", compare_help, compare_options, take_arg, 0,
};

/* The workers add each pair to the three summaries (sets of partial
 * summaries with exact sums: the same bits for any -j). */
typedef struct pair_sink {
	coh_summary_set *base, *alt, *diff;
} pair_sink;

static int prepare_pair(void *ctx, int w, coh_trace *const *t, size_t n)
{
	(void)n;
	pair_sink *s = ctx;
	int rc = coh_summary_set_add(s->base, w, t[0], NULL);
	if (!rc)
		rc = coh_summary_set_add(s->alt, w, t[1], NULL);
	if (!rc)
		rc = coh_summary_set_add_difference(s->diff, w, t[0], t[1],
						    NULL);
	return rc;
}

static int take_pair(void *ctx, const coh_trace *const *t, size_t n)
{
	(void)ctx;
	(void)t;
	(void)n;
	return 0;
}

static void free_sink(pair_sink *s)
{
	coh_summary_set_free(s->base);
	coh_summary_set_free(s->alt);
	coh_summary_set_free(s->diff);
	coh_free(s);
}

/* The index in m of the member called id, or -1. */
static long member_named(const coh_model *m, const char *id)
{
	for (size_t j = 0; j < m->n_members; j++)
		if (strcmp(m->members[j].id, id) == 0)
			return (long)j;
	return -1;
}

/* Whether the two scenarios have the same members (in any order). */
static int same_members(const coh_model *b, const coh_model *a)
{
	if (a->n_members != b->n_members)
		return 0;
	for (size_t i = 0; i < b->n_members; i++)
		if (member_named(a, b->members[i].id) < 0)
			return 0;
	return 1;
}

/* The scenarios must line up sample by sample; members are paired by id,
 * whatever each has. */
static int check_paired(const coh_model *b, const coh_model *a,
			const char *alt_path, coh_error *err)
{
	if (a->start_day != b->start_day || a->horizon != b->horizon ||
	    a->sample_every != b->sample_every)
		return coh_error_set(err, COH_EINPUT, alt_path, 0,
				     "its start, end or output.sample_every "
				     "differ from the base's; expected the same "
				     "dates and samples");
	return 0;
}

/* compare-members.csv: each member's chance of having frozen (ever), of
 * being frozen, and of having exited by the end in both scenarios, and
 * the differences. */
static int write_members(const char *dir, const cli_compare_table *t,
			 coh_error *err)
{
	coh_atomic_file *f;
	int rc = coh_atomic_open_in(&f, dir, "compare-members.csv", 0, err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	fputs("member,p_freeze_base,p_freeze_alt,p_freeze_diff,"
	      "p_frozen_now_base,p_frozen_now_alt,p_frozen_now_diff,"
	      "p_exit_base,p_exit_alt,p_exit_diff\n", fp);
	/* the members both scenarios have, in BASE's order */
	for (size_t i = 0; i < t->n_members; i++) {
		const cli_compare_member *cm = &t->members[i];
		double fb = cm->frozen_by[0], fa = cm->frozen_by[1];
		double nb = cm->frozen_now[0], na = cm->frozen_now[1];
		double eb = cm->exited[0], ea = cm->exited[1];
		fprintf(fp, "%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,"
			"%.17g,%.17g\n", cm->id, fb, fa, fa - fb, nb,
			na, na - nb, eb, ea, ea - eb);
	}
	return coh_atomic_commit(f, err);
}

/* With the same members, a compare-unpaired.csv left by an earlier
 * comparison in the folder goes: it would describe another pair. */
static int drop_unpaired(const char *dir, coh_error *err)
{
	char *path = coh_output_path(dir, "compare-unpaired.csv");
	if (!path)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	int rc = 0;
	if (unlink(path) != 0 && errno != ENOENT)
		rc = coh_error_set(err, COH_EIO, path, 0, "cannot remove an "
				   "earlier compare-unpaired.csv: %s",
				   strerror(errno));
	coh_free(path);
	return rc;
}

/* compare-unpaired.csv, only when the member sets differ: each member
 * that one scenario has and the other lacks, and which has it. */
static int write_unpaired(const char *dir, const cli_compare_table *t,
			  coh_error *err)
{
	coh_atomic_file *f;
	int rc = coh_atomic_open_in(&f, dir, "compare-unpaired.csv", 0, err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	static const char *const side[2] = {"base", "alt"};
	fputs("member,only_in\n", fp);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < t->n_only[k]; i++)
			fprintf(fp, "%s,%s\n", t->only[k][i], side[k]);
	return coh_atomic_commit(f, err);
}

/* summary-base.csv and summary-alt.csv: written as summary.csv in a
 * scratch name, then renamed. */
static int write_summary_as(const char *dir, const char *name,
			    const coh_summary *s, const coh_model *m,
			    coh_error *err)
{
	int rc = coh_report_summary(dir, s, m, err);
	if (rc)
		return rc;
	char *from = coh_output_path(dir, "summary.csv");
	char *to = coh_output_path(dir, name);
	if (!from || !to)
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	else if (rename(from, to) != 0)
		rc = coh_error_set(err, COH_EIO, to, 0, "cannot rename %s: %s",
				   from, strerror(errno));
	coh_free(from);
	coh_free(to);
	return rc;
}

/* The mean of the metric called name in s at sample k (tried at index
 * hint first: the same index when both have the same members), NaN when
 * s has no such metric (but 0 candidates for a model without joins). */
static double mean_named(const coh_summary *s, size_t k, const char *name,
			 size_t hint)
{
	size_t n = coh_summary_metrics(s), m = hint;
	if (!(m < n && strcmp(coh_summary_metric_name(s, m), name) == 0))
		for (m = 0; m < n; m++)
			if (strcmp(coh_summary_metric_name(s, m), name) == 0)
				break;
	if (m < n)
		return coh_summary_stat(s, k, m).mean;
	return strcmp(name, "candidates") == 0 ? 0.0 : (double)NAN;
}

/* The table at the last sample, filled once for compare-members.csv,
 * stdout and the report: members paired by id (BASE's order), and those
 * only one side has.  0, or COH_ENOMEM (err set); free with table_free
 * either way. */
static int table_fill(cli_compare_table *t, const coh_model *m,
		      const coh_model *am, const coh_summary *b,
		      const coh_summary *a, const coh_summary *d,
		      coh_error *err)
{
	memset(t, 0, sizeof *t);
	size_t n_metrics = coh_summary_metrics(d);
	t->metrics = coh_calloc(n_metrics ? n_metrics : 1, sizeof *t->metrics);
	t->members = coh_calloc(m->n_members ? m->n_members : 1,
				sizeof *t->members);
	t->only[0] = coh_calloc(m->n_members ? m->n_members : 1,
				sizeof *t->only[0]);
	t->only[1] = coh_calloc(am->n_members ? am->n_members : 1,
				sizeof *t->only[1]);
	if (!t->metrics || !t->members || !t->only[0] || !t->only[1])
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	size_t last = coh_summary_samples(d) - 1;
	coh_date_format_offset(t->date, sizeof t->date, m->start_day,
			       coh_summary_day(d, last));
	t->pairs = coh_summary_replications(d);
	for (size_t metric = 0; metric < n_metrics; metric++) {
		const char *name = coh_summary_metric_name(d, metric);
		coh_stat sd = coh_summary_stat(d, last, metric);
		if (sd.n == 0)
			continue;
		double half = sd.n > 1 ? 1.959963984540054 * sd.sd /
						 sqrt((double)sd.n) : 0.0;
		t->metrics[t->n_metrics++] = (cli_compare_metric){
			.name = name,
			.base = mean_named(b, last, name, metric),
			.alt = mean_named(a, last, name, metric),
			.diff = sd.mean,
			.lo = sd.mean - half, .hi = sd.mean + half,
		};
	}
	for (size_t i = 0; i < m->n_members; i++) {
		long j = member_named(am, m->members[i].id);
		if (j < 0) {
			t->only[0][t->n_only[0]++] = m->members[i].id;
			continue;
		}
		const coh_summary *side[2] = {b, a};
		size_t at[2] = {i, (size_t)j};
		cli_compare_member *cm = &t->members[t->n_members++];
		cm->id = m->members[i].id;
		for (int k = 0; k < 2; k++) {
			cm->frozen_by[k] =
				coh_summary_frozen_by(side[k], last, at[k]);
			cm->frozen_now[k] =
				coh_summary_frozen_now(side[k], last, at[k]);
			cm->exited[k] =
				coh_summary_exited_by(side[k], last, at[k]);
		}
	}
	for (size_t j = 0; j < am->n_members; j++)
		if (member_named(m, am->members[j].id) < 0)
			t->only[1][t->n_only[1]++] = am->members[j].id;
	return 0;
}

static void table_free(cli_compare_table *t)
{
	coh_free(t->metrics);
	coh_free(t->members);
	coh_free(t->only[0]);
	coh_free(t->only[1]);
	memset(t, 0, sizeof *t);
}

static void print_table(const cli_compare_table *t)
{
	printf("At %s, over %" PRIu64 " paired replications (ALT - BASE):\n",
	       t->date, t->pairs);
	printf("  %-16s %10s %10s %10s %22s\n", "metric", "base", "alt",
	       "diff", "95% CI of diff");
	for (size_t k = 0; k < t->n_metrics; k++) {
		const cli_compare_metric *cm = &t->metrics[k];
		printf("  %-16s %10.4f %10.4f %+10.4f   [%+8.4f, %+8.4f]\n",
		       cm->name, cm->base, cm->alt, cm->diff, cm->lo, cm->hi);
	}
	/* "frozen by": at least once by then; "frozen now": at that date */
	printf("  %-16s %10s %10s %10s %10s %10s %10s\n", "member",
	       "frz-by b", "frz-by a", "frz-now b", "frz-now a", "exit b",
	       "exit a");
	for (size_t i = 0; i < t->n_members; i++) {
		const cli_compare_member *cm = &t->members[i];
		printf("  %-16s %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f\n",
		       cm->id, cm->frozen_by[0], cm->frozen_by[1],
		       cm->frozen_now[0], cm->frozen_now[1], cm->exited[0],
		       cm->exited[1]);
	}
	printf("  (frz-by: frozen at least once by then; frz-now: frozen at "
	       "that date)\n");
	/* members are paired by id: who has no partner is said, not refused */
	static const char *const side[2] = {"BASE", "ALT"};
	for (int k = 0; k < 2; k++) {
		if (!t->n_only[k])
			continue;
		printf("  only in %s (not paired):", side[k]);
		for (size_t i = 0; i < t->n_only[k]; i++)
			printf(" %s", t->only[k][i]);
		printf("\n");
	}
}

static const char *const compare_figures[] = {"compare.gp"};

/* One comparison once both scenarios are loaded: what the steps below
 * share, and what compare_loaded releases whatever happens. */
typedef struct compare_state {
	const compare_args *a;
	const coh_scenario *base;
	const coh_model *models[2];     /* BASE's, ALT's */
	char *dir;                      /* the output folder */
	char *created;                  /* the folders made for it */
	size_t n_workers;
	pair_sink *sink;
	cli_posterior *post;            /* with --posterior */
	const coh_summary *summaries[3];        /* base, alt, alt - base */
	uint64_t done;                  /* pairs finished */
	double wall;                    /* seconds */
	char **plot_files;
	size_t n_plot;
	coh_error err;
} compare_state;

/* What can be refused before the folder is made: scenarios that do not
 * pair, summaries that would not fit in memory. */
static int check_before_writing(compare_state *s)
{
	const coh_model *bm = s->models[0], *am = s->models[1];
	int w = (int)s->n_workers;
	int rc = check_paired(bm, am, s->a->paths[1], &s->err);
	if (!rc)
		rc = cli_check_memory(coh_summary_set_bytes(bm, 0, w) +
				      coh_summary_set_bytes(am, 0, w) +
				      coh_summary_set_bytes(bm, 1, w),
				      s->a->common.max_memory,
				      coh_scenario_path(s->base), &s->err);
	return rc;
}

/* Runs the pairs into the three summaries (nothing is written while they
 * run, so a stop leaves nothing behind); COH_ECANCEL when a signal
 * stopped them. */
static int run_pairs(compare_state *s)
{
	const coh_model *bm = s->models[0];
	int w = (int)s->n_workers;
	pair_sink *sink = s->sink;
	int rc;
	if ((rc = coh_summary_set_alloc(&sink->base, bm, 0, w, &s->err)) ||
	    (rc = coh_summary_set_alloc(&sink->alt, s->models[1], 0, w,
					&s->err)) ||
	    (rc = coh_summary_set_alloc_paired(&sink->diff, bm, s->models[1],
						 w, &s->err)))
		return rc;
	cli_progress progress;
	cli_progress_start(&progress, bm->replications, s->a->common.quiet);
	coh_mc_options mo = {
		.seed = bm->seed, .replications = bm->replications,
		.threads = w, .progress = cli_progress_show,
		.progress_ctx = &progress, .prepare = prepare_pair,
		.prepare_ctx = sink, .stop = &cli_stop_signal,
		.model_for = s->post ? cli_posterior_model : NULL,
		.model_for_ctx = s->post,
	};
	rc = coh_mc_run(s->models, 2, &mo, take_pair, sink, &s->done,
			&s->err);
	cli_progress_finish(&progress);
	s->wall = cli_progress_elapsed(&progress);
	if (rc)
		return rc;
	if ((rc = coh_summary_set_merge(sink->base, &s->summaries[0],
					&s->err)) ||
	    (rc = coh_summary_set_merge(sink->alt, &s->summaries[1],
					&s->err)))
		return rc;
	return coh_summary_set_merge(sink->diff, &s->summaries[2], &s->err);
}

/* The data files of a comparison, as the manifest and the report list
 * them. */
static const char *const compare_data[] = {
	"compare.csv", "compare-members.csv", "summary-base.csv",
	"summary-alt.csv", "timeline.csv", "scenario.resolved.cfg"};

/* report.html, with compare.svg drawn once more into memory whatever
 * --plot says; with --report none, an earlier one is removed.  A gnuplot
 * that fails here costs the report its figure, not the comparison. */
static int write_report(compare_state *s, const cli_compare_table *table,
			const char *const *sides, int argc, char **argv)
{
	const char *const captions[] = {cli_report_caption(compare_figures[0])};
	const coh_model *bm = s->models[0];
	if (s->a->no_report)
		return cli_remove_stale(s->dir, "report.html", &s->err);
	char *svg[1] = {NULL};
	int missing = 0;
	char why[COH_ERROR_MSG_MAX + 64] = "";
	coh_error draw_err = {0};
	coh_model shown = *bm;
	shown.title = cli_figure_title(&s->a->common, bm);
	int rc = cli_draw_svg(s->dir, &shown, NULL, compare_figures, 1, sides,
			      2, svg, &missing, &draw_err);
	if (rc == COH_EIO) {
		fprintf(stderr, "cohesim: warning: report.html has no "
			"figure: %s\n", draw_err.message);
		snprintf(why, sizeof why, "The figure could not be drawn: %s",
			 draw_err.message);
	} else if (rc) {
		s->err = draw_err;
		return rc;
	}
	/* a figure that failed is a warning (above), not a failure */
	cli_report_page page = {
		.dir = s->dir, .model = bm, .alt = s->models[1],
		.title = shown.title,
		.intro = "A report of cohesim compare: two scenarios run on "
			 "the same random streams, and their paired "
			 "difference.",
		.argc = argc, .argv = argv, .done = s->done,
		.requested = bm->replications,
		.svg = svg, .captions = captions, .n_figures = 1,
		.gnuplot_missing = missing,
		.no_figures = why[0] ? why : NULL,
		.data = compare_data,
		.n_data = sizeof compare_data / sizeof *compare_data,
	};
	rc = cli_report_compare(&page, table, &s->err);
	coh_free(svg[0]);
	return rc;
}

/* Every file, manifest.json last, then the table on stdout. */
static int write_comparison(compare_state *s, int argc, char **argv)
{
	const coh_model *bm = s->models[0], *am = s->models[1];
	const coh_summary *const *sum = s->summaries;
	const char *dir = s->dir;
	coh_error *err = &s->err;
	coh_plot_format format = s->a->common.plot;
	int rc;
	cli_compare_table table;
	rc = table_fill(&table, bm, am, sum[0], sum[1], sum[2], err);
	int paired_all = same_members(bm, am);
	if (rc || (rc = coh_report_compare(dir, sum[0], sum[1], sum[2], bm,
					   err)) ||
	    (rc = write_members(dir, &table, err)) ||
	    (rc = paired_all ? drop_unpaired(dir, err)
			     : write_unpaired(dir, &table, err)) ||
	    (rc = write_summary_as(dir, "summary-base.csv", sum[0], bm,
				   err)) ||
	    (rc = write_summary_as(dir, "summary-alt.csv", sum[1], am, err)) ||
	    (rc = coh_report_timeline(dir, am, err)) ||
	    (rc = cli_write_resolved(dir, s->base, err))) {
		table_free(&table);
		return rc;
	}
	/* the figure names both scenarios */
	const char *sides[] = {bm->name, am->name};
	coh_model shown = *bm;
	shown.title = cli_figure_title(&s->a->common, bm);
	if (format != COH_PLOT_NONE)
		rc = cli_draw(dir, &shown, compare_figures, 1, sides, 2, format,
			      &s->plot_files, &s->n_plot, err);
	if (!rc)
		rc = write_report(s, &table, sides, argc, argv);
	if (rc) {
		table_free(&table);
		return rc;
	}
	size_t n_data = sizeof compare_data / sizeof *compare_data, n_files = 0;
	const char **files = coh_calloc(n_data + s->n_plot + 2,
					sizeof *files);
	if (!files) {
		table_free(&table);
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < n_data; i++)
		files[n_files++] = compare_data[i];
	/* only when the member sets differ, so that comparisons of the same
	 * members keep their manifest byte for byte */
	if (!paired_all)
		files[n_files++] = "compare-unpaired.csv";
	for (size_t i = 0; i < s->n_plot; i++)
		files[n_files++] = s->plot_files[i];
	if (!s->a->no_report)
		files[n_files++] = "report.html";
	coh_manifest manifest = {
		.dir = dir, .argc = argc, .argv = argv,
		.scenario_path = coh_scenario_path(s->base), .model = bm,
		.replications = bm->replications,
		.requested = bm->replications, .wall_seconds = s->wall,
		.files = files, .n_files = n_files,
		.posterior_path = s->a->posterior,
		.posterior_drawn = s->post ? cli_posterior_drawn(s->post) : 0,
	};
	rc = coh_manifest_write(&manifest, err);
	coh_free(files);
	if (!rc)
		print_table(&table);
	table_free(&table);
	if (rc)
		return rc;
	if (!s->a->common.quiet)
		fprintf(stderr, "cohesim: wrote %s/ (compare.csv, "
			"compare-members.csv, summaries, %s%smanifest.json)\n",
			dir, s->n_plot ? "figure, " : "",
			s->a->no_report ? "" : "report.html, ");
	return 0;
}

/* The whole comparison once both scenarios are loaded; returns an exit
 * status. */
static int compare_loaded(const compare_args *a, const coh_scenario *base,
			  const coh_scenario *alt, int argc, char **argv)
{
	compare_state s = {
		.a = a, .base = base,
		.models = {coh_scenario_model(base), coh_scenario_model(alt)},
	};
	const coh_model *bm = s.models[0];
	s.n_workers = a->common.jobs < bm->replications
		      ? (size_t)a->common.jobs : (size_t)bm->replications;
	s.sink = coh_calloc(1, sizeof *s.sink);
	s.dir = cli_output_dir(a->common.output, &s.err, "out/%s-vs-%s",
			       bm->name, s.models[1]->name);
	/* Caught from before the folder is made until the last file is in
	 * place: a signal stops the pairs, and what was made for them goes. */
	cli_signals signals = {0};
	int rc;
	if (a->posterior) {
		int st = cli_posterior_open(&s.post, a->posterior, &a->common,
					    a->paths, s.models, 2,
					    bm->replications);
		if (st != CLI_OK) {
			cli_posterior_free(s.post);
			if (s.sink)
				free_sink(s.sink);
			coh_free(s.dir);
			return st;
		}
	}
	if (!s.sink || !s.dir)
		rc = coh_error_set(&s.err, COH_ENOMEM, NULL, 0,
				   "out of memory");
	else if (!(rc = check_before_writing(&s))) {
		cli_signals_catch(&signals);
		if (!(rc = cli_mkdirs(s.dir, &s.created, &s.err)) &&
		    !(rc = run_pairs(&s)))
			rc = write_comparison(&s, argc, argv);
	}
	cli_signals_restore(&signals);
	int status = cli_exit_status(rc);
	if (rc == COH_ECANCEL) {
		fprintf(stderr, "cohesim: interrupted after %" PRIu64 " of %"
			PRIu64 " paired replications; nothing written\n",
			s.done, bm->replications);
		status = cli_stopped_status();
	} else if (rc) {
		cli_print_error(&s.err);
	}
	/* rmdir takes only empty folders: after a failure, what this
	 * comparison made and left empty goes */
	if (rc)
		cli_remove_created(s.dir, s.created);
	else
		coh_free(s.created);
	if (s.sink)
		free_sink(s.sink);
	coh_plot_files_free(s.plot_files, s.n_plot);
	cli_posterior_free(s.post);
	coh_free(s.dir);
	return status;
}

int cli_compare(int argc, char **argv, int first)
{
	compare_args a;
	memset(&a, 0, sizeof a);
	int status = cli_common_parse(&a.common, &compare_command, &a, argc,
				      argv, first);
	if (status == CLI_OK && a.n_paths < 2)
		status = cli_usage_error("compare", "expected BASE and ALT "
					 "scenarios");
	/* --set, -r, --seed and --include-root apply to both */
	coh_scenario *base = NULL, *alt = NULL;
	if (status == CLI_OK)
		status = cli_common_load(&base, &a.common, a.paths[0]);
	if (status == CLI_OK)
		status = cli_common_load(&alt, &a.common, a.paths[1]);
	if (status == CLI_OK)
		status = compare_loaded(&a, base, alt, argc, argv);
	else if (status == CLI_HELP_SHOWN)
		status = CLI_OK;
	coh_scenario_free(base);
	coh_scenario_free(alt);
	cli_common_free(&a.common);
	return status;
}
