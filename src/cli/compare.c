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
	"(summary-base.csv, summary-alt.csv), a figure and manifest.json.\n"
	"A short table goes to stdout.  Both scenarios need the same members,\n"
	"dates and sample grid; the seed and replications are BASE's.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR        output folder (default: out/BASE-vs-ALT/)\n"
	"  -r, --replications N    replications (default: BASE's)\n"
	"      --seed S            seed for both (default: BASE's)\n"
	"  -j, --jobs N            worker threads (default: online CPUs)\n"
	"      --plot FORMAT       png (default), svg, pdf, dumb or none\n"
	"      --max-memory GB     refuse comparisons whose summaries would\n"
	"                          take more (default: half of the memory)\n"
	"  -q, --quiet             no progress and no closing message\n"
	"  -h, --help              show this help\n";

enum { OPT_OUTPUT = 1, OPT_REPS, OPT_SEED, OPT_JOBS, OPT_PLOT, OPT_MEMORY,
       OPT_QUIET, OPT_HELP };

static const cli_option compare_options[] = {
	{"output", 'o', 1, OPT_OUTPUT},
	{"replications", 'r', 1, OPT_REPS},
	{"seed", 0, 1, OPT_SEED},
	{"jobs", 'j', 1, OPT_JOBS},
	{"plot", 0, 1, OPT_PLOT},
	{"max-memory", 0, 1, OPT_MEMORY},
	{"quiet", 'q', 0, OPT_QUIET},
	{"help", 'h', 0, OPT_HELP},
	{NULL, 0, 0, 0},
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

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)total;
	cli_progress_update(ctx, done);
}

/* The scenarios must line up member by member and sample by sample. */
static int check_paired(const coh_model *b, const coh_model *a,
			const char *alt_path, coh_error *err)
{
	if (a->n_members != b->n_members)
		return coh_error_set(err, COH_EINPUT, alt_path, 0,
				     "has %zu members and the base %zu; a "
				     "paired comparison needs the same members "
				     "in the same order", a->n_members,
				     b->n_members);
	for (size_t i = 0; i < a->n_members; i++)
		if (strcmp(a->members[i].id, b->members[i].id) != 0)
			return coh_error_set(err, COH_EINPUT, alt_path, 0,
					     "member %zu is %s but %s in the "
					     "base; expected the same members in "
					     "the same order", i + 1,
					     a->members[i].id, b->members[i].id);
	if (a->start_day != b->start_day || a->horizon != b->horizon ||
	    a->sample_every != b->sample_every)
		return coh_error_set(err, COH_EINPUT, alt_path, 0,
				     "its start, end or output.sample_every "
				     "differ from the base's; expected the same "
				     "dates and samples");
	return 0;
}

/* compare-members.csv: each member's chance of having frozen / exited by
 * the end in both scenarios, and the difference. */
static int write_members(const char *dir, const coh_model *m,
			 const coh_summary *b, const coh_summary *a,
			 coh_error *err)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/compare-members.csv",
			     dir) >= sizeof path)
		return coh_error_set(err, COH_EIO, dir, 0, "path too long");
	coh_atomic_file *f;
	int rc = coh_atomic_open(&f, path, 0, err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	size_t last = coh_summary_samples(b) - 1;
	fputs("member,p_freeze_base,p_freeze_alt,p_freeze_diff,p_exit_base,"
	      "p_exit_alt,p_exit_diff\n", fp);
	for (size_t i = 0; i < m->n_members; i++) {
		double fb = coh_summary_frozen_by(b, last, i);
		double fa = coh_summary_frozen_by(a, last, i);
		double eb = coh_summary_exited_by(b, last, i);
		double ea = coh_summary_exited_by(a, last, i);
		fprintf(fp, "%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n",
			m->members[i].id, fb, fa, fa - fb, eb, ea, ea - eb);
	}
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
	char from[4096], to[4096];
	if ((size_t)snprintf(from, sizeof from, "%s/summary.csv", dir) >=
		    sizeof from ||
	    (size_t)snprintf(to, sizeof to, "%s/%s", dir, name) >= sizeof to)
		return coh_error_set(err, COH_EIO, dir, 0, "path too long");
	if (rename(from, to) != 0)
		return coh_error_set(err, COH_EIO, to, 0, "cannot rename %s: %s",
				     from, strerror(errno));
	return 0;
}

static void print_table(const coh_model *m, const coh_summary *b,
			const coh_summary *a, const coh_summary *d)
{
	size_t last = coh_summary_samples(d) - 1;
	char date[16];
	coh_date_format_offset(date, sizeof date, m->start_day,
			       coh_summary_day(d, last));
	printf("At %s, over %" PRIu64 " paired replications (ALT - BASE):\n",
	       date, coh_summary_replications(d));
	printf("  %-16s %10s %10s %10s %22s\n", "metric", "base", "alt",
	       "diff", "95% CI of diff");
	for (size_t metric = 0; metric < coh_summary_metrics(d); metric++) {
		coh_stat sb = coh_summary_stat(b, last, metric);
		coh_stat sa = coh_summary_stat(a, last, metric);
		coh_stat sd = coh_summary_stat(d, last, metric);
		if (sd.n == 0)
			continue;
		double half = sd.n > 1 ? 1.959963984540054 * sd.sd /
						 sqrt((double)sd.n) : 0.0;
		printf("  %-16s %10.4f %10.4f %+10.4f   [%+8.4f, %+8.4f]\n",
		       coh_summary_metric_name(d, metric), sb.mean, sa.mean,
		       sd.mean, sd.mean - half, sd.mean + half);
	}
	printf("  %-16s %10s %10s %10s %10s\n", "member", "freeze b",
	       "freeze a", "exit b", "exit a");
	for (size_t i = 0; i < m->n_members; i++)
		printf("  %-16s %10.3f %10.3f %10.3f %10.3f\n", m->members[i].id,
		       coh_summary_frozen_by(b, last, i),
		       coh_summary_frozen_by(a, last, i),
		       coh_summary_exited_by(b, last, i),
		       coh_summary_exited_by(a, last, i));
}

static const char *const compare_figures[] = {"compare.gp"};

static int compare_loaded(coh_scenario *base, coh_scenario *alt,
			  const char *out, const char *alt_path, int jobs,
			  double max_memory, coh_plot_format format,
			  int quiet, int argc,
			  char **argv)
{
	const coh_model *models[2] = {coh_scenario_model(base),
				      coh_scenario_model(alt)};
	const coh_model *bm = models[0];
	coh_error err = {0};
	pair_sink *sink = coh_calloc(1, sizeof *sink);
	if (!sink) {
		fputs("cohesim: out of memory\n", stderr);
		return CLI_ERROR;
	}
	char **plot_files = NULL;
	size_t n_plot = 0;
	char dir[4096];
	if (out)
		snprintf(dir, sizeof dir, "%s", out);
	else
		snprintf(dir, sizeof dir, "out/%s-vs-%s", bm->name,
			 models[1]->name);
	size_t workers = (size_t)jobs < bm->replications ? (size_t)jobs
		       : (size_t)bm->replications;
	int rc = check_paired(bm, models[1], alt_path, &err);
	if (!rc)
		rc = cli_check_memory(
			coh_summary_set_bytes(bm, 0, (int)workers) +
			coh_summary_set_bytes(models[1], 0, (int)workers) +
			coh_summary_set_bytes(bm, 1, (int)workers),
			max_memory, coh_scenario_path(base), &err);
	if (!rc)
		rc = coh_output_mkdirs(dir, &err);
	if (!rc &&
	    !(rc = coh_summary_set_alloc(&sink->base, bm, 0, (int)workers,
					 &err)) &&
	    !(rc = coh_summary_set_alloc(&sink->alt, models[1], 0,
					 (int)workers, &err)))
		rc = coh_summary_set_alloc(&sink->diff, bm, 1, (int)workers,
					   &err);
	if (rc)
		goto out;

	cli_progress progress;
	cli_progress_start(&progress, bm->replications, quiet);
	coh_mc_options mo = {
		.seed = bm->seed, .replications = bm->replications,
		.threads = (int)workers, .progress = show_progress,
		.progress_ctx = &progress, .prepare = prepare_pair,
		.prepare_ctx = sink,
	};
	rc = coh_mc_run(models, 2, &mo, take_pair, sink, NULL, &err);
	cli_progress_finish(&progress);
	double wall = cli_progress_elapsed(&progress);
	const coh_summary *base_s = NULL, *alt_s = NULL, *diff_s = NULL;
	if (!rc && !(rc = coh_summary_set_merge(sink->base, &base_s, &err)) &&
	    !(rc = coh_summary_set_merge(sink->alt, &alt_s, &err)))
		rc = coh_summary_set_merge(sink->diff, &diff_s, &err);
	if (rc)
		goto out;
	if ((rc = coh_report_compare(dir, base_s, alt_s, diff_s, bm, &err)) ||
	    (rc = write_members(dir, bm, base_s, alt_s, &err)) ||
	    (rc = write_summary_as(dir, "summary-base.csv", base_s, bm,
				   &err)) ||
	    (rc = write_summary_as(dir, "summary-alt.csv", alt_s,
				   models[1], &err)) ||
	    (rc = coh_report_timeline(dir, models[1], &err)) ||
	    (rc = cli_write_resolved(dir, base, &err)))
		goto out;
	if (format != COH_PLOT_NONE &&
	    (rc = cli_draw(dir, bm, compare_figures, 1, NULL, 0, format,
			   &plot_files, &n_plot, &err)))
		goto out;
	const char *files[24] = {"compare.csv", "compare-members.csv",
				 "summary-base.csv", "summary-alt.csv",
				 "timeline.csv", "scenario.resolved.cfg"};
	size_t n_files = 6;
	for (size_t i = 0; i < n_plot && n_files < 23; i++)
		files[n_files++] = plot_files[i];
	coh_manifest manifest = {
		.dir = dir, .argc = argc, .argv = argv,
		.scenario_path = coh_scenario_path(base), .model = bm,
		.replications = bm->replications,
		.requested = bm->replications, .wall_seconds = wall,
		.files = files, .n_files = n_files,
	};
	if ((rc = coh_manifest_write(&manifest, &err)))
		goto out;
	print_table(bm, base_s, alt_s, diff_s);
	if (!quiet)
		fprintf(stderr, "cohesim: wrote %s/ (compare.csv, "
			"compare-members.csv, summaries, %smanifest.json)\n",
			dir, n_plot ? "figure, " : "");
out:
	if (rc)
		cli_print_error(&err);
	free_sink(sink);
	coh_plot_files_free(plot_files, n_plot);
	return cli_exit_status(rc);
}

int cli_compare(int argc, char **argv, int first)
{
	const char *paths[2] = {NULL, NULL}, *out = NULL;
	coh_plot_format plot = COH_PLOT_PNG;
	uint64_t reps = 0, seed = 0, jobs;
	int have_reps = 0, have_seed = 0, quiet = 0, n_paths = 0;
	double max_memory = cli_default_memory();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	jobs = cpus > 0 ? (uint64_t)cpus : 1;
	cli_parser p;
	const char *v;
	int id;
	cli_parser_init(&p, "compare", compare_options, argc, argv, first);
	while ((id = cli_next(&p, &v)) != CLI_NEXT_END) {
		switch (id) {
		case CLI_NEXT_ERROR:
			return CLI_USAGE;
		case CLI_NEXT_POSITIONAL:
			if (n_paths == 2)
				return cli_usage_error("compare", "expected "
						       "BASE and ALT, got a "
						       "third scenario '%s'",
						       v);
			paths[n_paths++] = v;
			break;
		case OPT_OUTPUT:
			out = v;
			break;
		case OPT_REPS:
			if (cli_opt_replications("compare", v, &reps))
				return CLI_USAGE;
			have_reps = 1;
			break;
		case OPT_SEED:
			if (cli_opt_seed("compare", v, &seed))
				return CLI_USAGE;
			have_seed = 1;
			break;
		case OPT_JOBS:
			if (cli_opt_jobs("compare", v, &jobs))
				return CLI_USAGE;
			break;
		case OPT_PLOT:
			if (cli_opt_plot("compare", v, &plot))
				return CLI_USAGE;
			break;
		case OPT_MEMORY:
			if (cli_opt_memory("compare", v, &max_memory))
				return CLI_USAGE;
			break;
		case OPT_QUIET:
			quiet = 1;
			break;
		case OPT_HELP:
			fputs(compare_help, stdout);
			return CLI_OK;
		}
	}
	if (n_paths < 2)
		return cli_usage_error("compare", "expected BASE and ALT "
				       "scenarios");
	char reps_o[64], seed_o[64];
	const char *ov[2];
	size_t n_ov = 0;
	if (have_reps) {
		snprintf(reps_o, sizeof reps_o,
			 "scenario.replications=%" PRIu64, reps);
		ov[n_ov++] = reps_o;
	}
	if (have_seed) {
		snprintf(seed_o, sizeof seed_o, "scenario.seed=%" PRIu64, seed);
		ov[n_ov++] = seed_o;
	}
	coh_scenario *base = NULL, *alt = NULL;
	int status = cli_load(&base, paths[0], NULL, ov, n_ov);
	if (status == CLI_OK)
		status = cli_load(&alt, paths[1], NULL, ov, n_ov);
	if (status == CLI_OK)
		status = compare_loaded(base, alt, out, paths[1], (int)jobs,
					max_memory, plot, quiet, argc, argv);
	coh_scenario_free(base);
	coh_scenario_free(alt);
	return status;
}
