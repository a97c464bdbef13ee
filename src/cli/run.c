/* `cohesim run`: loads a scenario (with --seed, -r and --set as overrides,
 * so that the resolved scenario records them), runs its replications on
 * worker threads, and writes the output folder: the summaries, the
 * per-replication CSV files that --keep asks for, the estimates of the
 * --qoi quantities, scenario.resolved.cfg, the figures, report.html and,
 * last, manifest.json. */
#include "cli.h"
#include "cohesim/output.h"
#include "cohesim/mc.h"
#include "cohesim/qoi.h"
#include "cohesim/date.h"
#include "cohesim/ledger.h"
#include "cohesim/report.h"
#include "cohesim/sim.h"
#include "core/alloc.h"
#include "core/strbuf.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char run_help[] =
	"Usage: cohesim run SCENARIO [OPTIONS]\n"
	"\n"
	"Runs the scenario's replications and writes into the output folder\n"
	"(existing files there are replaced):\n"
	"  always         summary.csv (mean, sd and quantiles of every metric\n"
	"                 and member per sample time), survival.csv (chance of\n"
	"                 having frozen / exited by each date), outcomes.csv\n"
	"                 (one row per replication), timeline.csv,\n"
	"                 scenario.resolved.cfg, manifest.json, the figures\n"
	"                 and report.html (unless --report none)\n"
	"  with --keep    cohesion.csv, members.csv and events.csv, one row per\n"
	"                 replication and sample time (or event)\n"
	"  with --qoi     qoi.csv (each quantity's mean over replications with\n"
	"                 a 95% interval), also printed as a table on stdout\n"
	"  with --ledger  ledger.csv (a member's change split into what each\n"
	"                 event, influence, relaxation and adaptation added:\n"
	"                 bookkeeping, not causation; docs/analysis.md)\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR        output folder (default: out/<scenario name>/;\n"
	"                          with --set, out/<scenario name>-set-<hash>/)\n"
	"  -r, --replications N    replications to run (overrides the scenario)\n"
	"      --seed S            seed, 0 to 2^63 - 1 (overrides the scenario)\n"
	"  -j, --jobs N            worker threads (default: online CPUs); the\n"
	"                          results never depend on it\n"
	"      --set PATH=VALUE    change one setting before validation, e.g.\n"
	"                          --set members.ARM.freeze=0.3 (repeatable)\n"
	"      --include-root DIR  folder that @include may not leave\n"
	"                          (default: the parent of the scenario's folder)\n"
	"      --title TEXT        the figures' title (default: the scenario's)\n"
	"      --plot FORMAT       png (default), svg, pdf, dumb (text on\n"
	"                          stdout) or none\n"
	"      --keep LIST         per-replication files to write, a comma list\n"
	"                          of summary (none of them), cohesion, members,\n"
	"                          events, all (default: all up to 100\n"
	"                          replications, summary above)\n"
	"      --qoi KIND[:MEMBER]@WHEN\n"
	"                          a quantity of interest to estimate\n"
	"                          (repeatable), read at day WHEN (end or\n"
	"                          YYYY-MM-DD) after that day's events: cohesion,\n"
	"                          mean, min, sd, active, frozen, exited,\n"
	"                          candidates, reliability; commitment:ID;\n"
	"                          frozen:ID,\n"
	"                          exited:ID, active:ID (1 or 0); frozen_by:ID;\n"
	"                          freeze_day:ID, exit_day:ID (the horizon's\n"
	"                          last day + 1 if none), e.g. frozen:ARM@end\n"
	"                          (docs/analysis.md)\n"
	"      --ledger MEMBER     write the ledger of MEMBER's commitment\n"
	"      --from DATE         the ledger's window starts after DATE's events\n"
	"                          (default: before the first event)\n"
	"      --to DATE           and ends after DATE's events (default: end)\n"
	"      --report FORMAT     html (default): report.html, one page with\n"
	"                          the headline numbers, the figures inline and\n"
	"                          the timeline, to forward as it is; none: no\n"
	"                          report\n"
	"      --members ID,ID...  draw only these members in the figures\n"
	"                          (default: all; the data keep every member)\n"
	"      --posterior FILE    posterior predictive: each replication draws\n"
	"                          a particle of FILE (posterior.csv of cohesim\n"
	"                          calibrate) by weight and runs with its values\n"
	"                          (default folder: out/<name>-posterior/)\n"
	"      --max-memory GB     refuse runs whose summaries would take more\n"
	"                          (default: half of this machine's memory)\n"
	"  -q, --quiet             no progress and no closing message\n"
	"  -h, --help              show this help\n";

/* run's own options; the shared ones are parsed in args.c */
enum { OPT_KEEP = 1, OPT_LEDGER, OPT_FROM, OPT_TO, OPT_MEMBERS,
       OPT_REPORT, OPT_POSTERIOR };

static const cli_option run_options[] = {
	{"keep", 0, 1, OPT_KEEP},
	{"ledger", 0, 1, OPT_LEDGER},
	{"from", 0, 1, OPT_FROM},
	{"to", 0, 1, OPT_TO},
	{"members", 0, 1, OPT_MEMBERS},
	{"report", 0, 1, OPT_REPORT},
	{"posterior", 0, 1, OPT_POSTERIOR},
	{NULL, 0, 0, 0},
};

typedef struct run_args {
	cli_common_opts common;
	const char *scenario;
	unsigned keep;
	int keep_given;
	const char *ledger, *from, *to;         /* --ledger, --from, --to */
	const char *members;                    /* --members, or NULL */
	const char *posterior;                  /* --posterior, or NULL */
	int no_report;                          /* --report none */
} run_args;

static int parse_keep(unsigned *out, const char *text)
{
	unsigned keep = 0;
	const char *p = text;
	while (1) {
		size_t len = strcspn(p, ",");
		if (len == 7 && strncmp(p, "summary", len) == 0)
			keep |= 0; /* summaries are always written */
		else if (len == 8 && strncmp(p, "cohesion", len) == 0)
			keep |= COH_KEEP_COHESION;
		else if (len == 7 && strncmp(p, "members", len) == 0)
			keep |= COH_KEEP_MEMBERS;
		else if (len == 6 && strncmp(p, "events", len) == 0)
			keep |= COH_KEEP_EVENTS;
		else if (len == 3 && strncmp(p, "all", len) == 0)
			keep |= COH_KEEP_ALL;
		else
			return -1;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*out = keep;
	return 0;
}

static int take_arg(void *ctx, int id, const char *v)
{
	run_args *a = ctx;
	if (id == CLI_NEXT_POSITIONAL) {
		if (a->scenario)
			return cli_usage_error("run", "expected one SCENARIO, "
					       "got '%s' and '%s'",
					       a->scenario, v);
		a->scenario = v;
		return CLI_OK;
	}
	if (id == OPT_LEDGER || id == OPT_FROM || id == OPT_TO ||
	    id == OPT_MEMBERS || id == OPT_POSTERIOR) {
		const char **slot = id == OPT_LEDGER ? &a->ledger
				  : id == OPT_FROM ? &a->from
				  : id == OPT_TO ? &a->to
				  : id == OPT_POSTERIOR ? &a->posterior
				  : &a->members;
		*slot = v;
		return CLI_OK;
	}
	if (id == OPT_REPORT)
		return cli_opt_report("run", v, &a->no_report);
	/* OPT_KEEP */
	if (parse_keep(&a->keep, v) != 0)
		return cli_usage_error("run", "--keep expects a comma list of "
				       "summary, cohesion, members, events or "
				       "all, got \"%s\"", v);
	a->keep_given = 1;
	return CLI_OK;
}

static const cli_command_args run_command = {
	"run", run_help, run_options, take_arg, 1,
};

/* "cohesim: wrote out/x/ (cohesion.csv, ...)", the folder with one
 * trailing '/' whether or not it was given with one. */
static void print_wrote(const char *dir, const char *const *files,
			size_t n_files, int interrupted, uint64_t done,
			uint64_t total)
{
	size_t len = strlen(dir);
	fprintf(stderr, "cohesim: %swrote %s%s (",
		interrupted ? "interrupted: " : "", dir,
		len > 0 && dir[len - 1] == '/' ? "" : "/");
	for (size_t i = 0; i < n_files; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", files[i]);
	if (interrupted)
		fprintf(stderr, ") with %" PRIu64 " of %" PRIu64
				" replications\n",
			done, total);
	else
		fputs(")\n", stderr);
}

/* Where replications go.  Each worker adds its replications to its own
 * summary and formats their outcome rows (in parallel, in any order: the
 * summaries' sums are exact integers); the calling thread then writes the
 * rows and the per-replication files in replication order. */
typedef struct run_sink {
	const coh_model *model;
	coh_run_writer *writer;         /* per-replication files, or NULL */
	coh_summary_set *summaries;     /* filled by the workers */
	coh_outcomes *outcomes;
	coh_qoi_set *qoi;               /* accumulated in replication order */
	coh_error err;
} run_sink;

static int prepare_replication(void *ctx, int worker,
			       coh_trace *const *traces, size_t n_models)
{
	(void)n_models;
	run_sink *sink = ctx;
	int rc = coh_summary_set_add(sink->summaries, worker, traces[0],
				     NULL);
	return rc ? rc : coh_outcomes_format(traces[0], sink->model);
}

/* Replays one replication's recording into the per-replication files and
 * writes its outcome row. */
static int take_replication(void *ctx, const coh_trace *const *traces,
			    size_t n_models)
{
	(void)n_models;
	run_sink *sink = ctx;
	const coh_trace *t = traces[0];
	if (sink->writer) {
		int rc = 0;
		coh_recorder rec = coh_run_writer_recorder(sink->writer,
							   t->replication);
		for (size_t i = 0; rec.event && i < t->n_events && !rc; i++)
			rc = rec.event(rec.ctx, &t->events[i]);
		for (size_t k = 0; rec.sample && k < t->n_samples && !rc; k++)
			rc = rec.sample(rec.ctx, &t->samples[k]);
		if (rc) {
			const coh_error *werr =
				coh_run_writer_error(sink->writer);
			if (werr)
				sink->err = *werr;
			return rc;
		}
	}
	if (coh_qoi_set_count(sink->qoi) > 0) {
		int rc = coh_qoi_set_accumulate(sink->qoi, t, &sink->err);
		if (rc)
			return rc;
	}
	return coh_outcomes_write(sink->outcomes, t->text, t->text_len,
				  &sink->err);
}


/* The files of a finished run, for the manifest and the closing line. */
typedef struct file_list {
	const char *names[16];
	size_t count;
	char **plot_files;
	size_t n_plot_files;
	int report;                     /* report.html was written */
} file_list;

static const char *const run_figures[] = {"cohesion.gp", "members.gp",
					  "survival.gp"};

/* One run once its scenario is loaded: what the steps below share, and
 * what run_loaded releases whatever happens. */
typedef struct run_state {
	const run_args *a;
	const coh_scenario *sc;
	const coh_model *model;
	char *dir;                      /* the output folder */
	unsigned keep;                  /* COH_KEEP_* */
	size_t n_workers;
	coh_ledger *ledger;             /* with --ledger */
	cli_posterior *post;            /* with --posterior */
	cli_headline headline;          /* for stdout and report.html */
	run_sink sink;
	file_list files;
	cli_signals signals;
	uint64_t done;                  /* replications finished */
	int interrupted;
	double wall;                    /* seconds */
	coh_error err;
} run_state;

/* What can be refused before the folder is made, so that a refusal leaves
 * no empty folder: the engine's checks of the model, and the memory the
 * summaries would take. */
static int check_before_writing(run_state *s)
{
	coh_sim *probe = NULL;
	int rc = coh_sim_alloc(&probe, s->model, &s->err);
	coh_sim_free(probe);
	if (rc) {
		/* What the engine refuses is in the scenario: name it. */
		if (!s->err.file[0])
			snprintf(s->err.file, sizeof s->err.file, "%s",
				 s->a->scenario);
		return rc;
	}
	return cli_check_memory(coh_summary_set_bytes(s->model, 0,
						      (int)s->n_workers),
				s->a->common.max_memory, s->a->scenario,
				&s->err);
}

/* Runs the replications into the open files and the summaries.  A stop
 * signal is not a failure: s->interrupted says so, and what is complete
 * gets written. */
static int run_replications(run_state *s)
{
	/* Caught from before the first temporary is created until the last
	 * file is renamed, so that a signal never leaves temporaries. */
	cli_signals_catch(&s->signals);
	/* opened even when it keeps nothing: it clears an earlier run's
	 * per-replication files */
	s->sink.model = s->model;
	int rc = coh_run_writer_open(&s->sink.writer, s->dir, s->model,
				     s->keep, &s->err);
	if (rc || (rc = coh_summary_set_alloc(&s->sink.summaries, s->model, 0,
					      (int)s->n_workers, &s->err)) ||
	    (rc = coh_outcomes_open(&s->sink.outcomes, s->dir, s->model,
				    &s->err)))
		return rc;

	cli_progress progress;
	cli_progress_start(&progress, s->model->replications,
			   s->a->common.quiet);
	size_t n_reads;
	const double *reads = coh_qoi_set_read_days(s->sink.qoi, &n_reads);
	coh_mc_options mo = {
		.seed = s->model->seed,
		.replications = s->model->replications,
		.threads = (int)s->n_workers,
		.keep_events = (s->keep & COH_KEEP_EVENTS) != 0,
		.read_days = reads, .n_read_days = n_reads,
		.prepare = prepare_replication, .prepare_ctx = &s->sink,
		.progress = cli_progress_show, .progress_ctx = &progress,
		.stop = &cli_stop_signal,
		.model_for = s->post ? cli_posterior_model : NULL,
		.model_for_ctx = s->post,
	};
	rc = coh_mc_run(&s->model, 1, &mo, take_replication, &s->sink,
			&s->done, &s->err);
	cli_progress_finish(&progress);
	s->wall = cli_progress_elapsed(&progress);
	s->interrupted = rc == COH_ECANCEL;
	if (rc && !s->interrupted) {
		if (s->sink.err.code)
			s->err = s->sink.err;
		return rc;
	}
	return 0;
}

/* An earlier run's manifest goes first: from here until the new one is
 * written, the folder holds a mix, and no manifest says so. */
static int remove_old_manifest(const char *dir, coh_error *err)
{
	char *path = coh_output_path(dir, "manifest.json");
	if (!path)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	int rc = 0;
	if (unlink(path) != 0 && errno != ENOENT)
		rc = coh_error_set(err, COH_EIO, path, 0,
				   "cannot remove the old manifest: %s",
				   strerror(errno));
	coh_free(path);
	return rc;
}

/* qoi.csv when QoIs were asked for. */
static int write_qoi(run_state *s)
{
	if (coh_qoi_set_count(s->sink.qoi) == 0)
		return cli_remove_stale(s->dir, "qoi.csv", &s->err);
	int rc = coh_report_qoi(s->dir, s->sink.qoi, &s->err);
	if (!rc)
		s->files.names[s->files.count++] = "qoi.csv";
	return rc;
}

/* ledger.csv with --ledger, over the replications that ran (in
 * replication order, so -j changes nothing). */
static int write_ledger(run_state *s)
{
	if (!s->ledger)
		return cli_remove_stale(s->dir, "ledger.csv", &s->err);
	int rc = coh_ledger_run(s->ledger, s->model->seed, 0, 0, s->done,
				&s->err);
	if (!rc)
		rc = coh_report_ledger(s->dir, s->ledger, s->model, &s->err);
	if (!rc)
		s->files.names[s->files.count++] = "ledger.csv";
	return rc;
}

/* The estimates as a table on stdout. */
static void print_qoi(const coh_qoi_set *set)
{
	size_t width = 3;
	for (size_t k = 0; k < coh_qoi_set_count(set); k++) {
		size_t len = strlen(coh_qoi_set_get(set, k)->text);
		if (len > width)
			width = len;
	}
	printf("%-*s  %12s  %-27s  %s\n", (int)width, "qoi", "estimate",
	       "95% interval", "replications");
	for (size_t k = 0; k < coh_qoi_set_count(set); k++) {
		coh_qoi_estimate e = coh_qoi_set_estimate(set, k);
		char estimate[32], interval[64];
		if (isnan(e.estimate))
			snprintf(estimate, sizeof estimate, "-");
		else
			snprintf(estimate, sizeof estimate, "%.6g", e.estimate);
		if (isnan(e.ci_lo))
			snprintf(interval, sizeof interval, "-");
		else
			snprintf(interval, sizeof interval, "[%.6g, %.6g]",
				 e.ci_lo, e.ci_hi);
		printf("%-*s  %12s  %-27s  %" PRIu64 "\n", (int)width,
		       coh_qoi_set_get(set, k)->text, estimate, interval,
		       e.n);
	}
	fflush(stdout);
}

/* The data files: the per-replication files and outcomes.csv renamed into
 * place, then the summaries, the QoIs, the timeline and the resolved
 * scenario. */
static int write_reports(run_state *s)
{
	int rc;
	file_list *files = &s->files;
	if (s->sink.writer) {
		size_t n_run;
		const char *const *names = coh_run_writer_files(s->sink.writer,
								&n_run);
		for (size_t i = 0; i < n_run; i++)
			files->names[files->count++] = names[i];
		rc = coh_run_writer_commit(s->sink.writer, &s->err);
		s->sink.writer = NULL;
		if (rc)
			return rc;
	}
	rc = coh_outcomes_commit(s->sink.outcomes, &s->err);
	s->sink.outcomes = NULL;
	const coh_summary *summary = NULL;
	if (!rc)
		rc = coh_summary_set_merge(s->sink.summaries, &summary,
					   &s->err);
	if (rc ||
	    (rc = coh_report_summary(s->dir, summary, s->model, &s->err)) ||
	    (rc = coh_report_survival(s->dir, summary, s->model, &s->err)) ||
	    (rc = coh_report_timeline(s->dir, s->model, &s->err)) ||
	    (rc = cli_write_resolved(s->dir, s->sc, &s->err)))
		return rc;
	static const char *const reports[] = {
		"outcomes.csv", "summary.csv", "survival.csv", "timeline.csv",
		"scenario.resolved.cfg"};
	for (size_t i = 0; i < sizeof reports / sizeof *reports; i++)
		files->names[files->count++] = reports[i];
	if ((rc = write_qoi(s)) || (rc = write_ledger(s)) ||
	    (rc = cli_headline_fill(&s->headline, summary, s->model, &s->err)))
		return rc;
	if (!s->a->common.quiet)
		cli_headline_print(&s->headline, s->model);
	if (coh_qoi_set_count(s->sink.qoi) > 0 && !s->a->common.quiet)
		print_qoi(s->sink.qoi);
	return 0;
}

/* The title of the figures and the report: with --set, it says so, for
 * a figure of changed settings must not pass for the scenario's own.
 * NULL (err set) when out of memory; else the caller frees title. */
static const char *shown_title(run_state *s, coh_strbuf *title)
{
	const char *own = cli_figure_title(&s->a->common, s->model);
	if (s->a->common.n_set == 0)
		return own;
	const char *const *sets = s->a->common.overrides.items;
	coh_strbuf_puts(title, own);
	for (size_t i = 0; i < s->a->common.n_set; i++)
		coh_strbuf_printf(title, "%s%s", i ? ", " : " (--set ",
				  sets[i]);
	coh_strbuf_puts(title, ")");
	if (title->failed) {
		coh_error_set(&s->err, COH_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	return title->s;
}

/* report.html, with the figures drawn once more as SVG whatever --plot
 * says; with --report none, an earlier run's report is removed. */
static int write_report(run_state *s, const coh_model *shown, int argc,
			char **argv)
{
	enum { N_FIGURES = sizeof run_figures / sizeof *run_figures };
	const char *captions[N_FIGURES];
	for (size_t i = 0; i < N_FIGURES; i++)
		captions[i] = cli_report_caption(run_figures[i]);
	if (s->a->no_report)
		return cli_remove_stale(s->dir, "report.html", &s->err);
	char *svg[N_FIGURES] = {0};
	int missing = 0, rc = 0;
	char why[COH_ERROR_MSG_MAX + 64] = "";
	if (s->done > 0) {
		coh_error draw_err = {0};
		cli_figure_opts chosen = {.members = s->a->members};
		rc = cli_draw_svg(s->dir, shown, &chosen, run_figures,
				  N_FIGURES, NULL, 0, svg, &missing, &draw_err);
		/* the run's data are written: a gnuplot that fails on the
		 * report's figures costs the report its figures, not the run */
		if (rc == COH_EIO) {
			fprintf(stderr, "cohesim: warning: report.html has no "
				"figures: %s\n", draw_err.message);
			snprintf(why, sizeof why, "The figures could not be "
				 "drawn: %s", draw_err.message);
			rc = 0;
		} else if (rc) {
			s->err = draw_err;
		}
	} else {
		snprintf(why, sizeof why, "No replication finished, so there "
			 "is nothing to draw.");
	}
	if (!rc) {
		cli_report_page r = {
			.dir = s->dir, .model = s->model, .title = shown->title,
			.intro = "A report of cohesim run: the scenario's "
				 "Monte Carlo projection.",
			.argc = argc, .argv = argv, .done = s->done,
			.requested = s->model->replications,
			.interrupted = s->interrupted,
			.svg = svg, .captions = captions,
			.n_figures = N_FIGURES, .gnuplot_missing = missing,
			.no_figures = why[0] ? why : NULL,
			.data = s->files.names, .n_data = s->files.count,
		};
		rc = cli_report_run(&r, &s->headline, &s->err);
	}
	for (size_t i = 0; i < N_FIGURES; i++)
		coh_free(svg[i]);
	s->files.report = rc == 0;
	return rc;
}

/* The figures, report.html, then manifest.json (last: its presence says
 * the folder is complete) and the closing line. */
static int write_figures_and_manifest(run_state *s, int argc, char **argv)
{
	coh_plot_format format = s->a->common.plot;
	file_list *files = &s->files;
	coh_strbuf title = {0};
	coh_model shown = *s->model;
	shown.title = shown_title(s, &title);
	int rc = shown.title || s->a->common.n_set == 0 ? 0 : COH_ENOMEM;
	if (!rc && format != COH_PLOT_NONE && s->done > 0) {
		if (format == COH_PLOT_DUMB)
			fflush(stdout);
		cli_figure_opts chosen = {.members = s->a->members};
		rc = cli_draw_members(s->dir, &shown, &chosen, run_figures,
				      sizeof run_figures / sizeof *run_figures,
				      NULL, 0, format, &files->plot_files,
				      &files->n_plot_files, &s->err);
	}
	if (!rc)
		rc = write_report(s, &shown, argc, argv);
	coh_strbuf_free(&title);
	if (rc)
		return rc;
	const char **all = coh_calloc(files->count + files->n_plot_files + 2,
				      sizeof *all);
	if (!all)
		return coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	size_t n_all = 0;
	for (size_t i = 0; i < files->count; i++)
		all[n_all++] = files->names[i];
	for (size_t i = 0; i < files->n_plot_files; i++)
		all[n_all++] = files->plot_files[i];
	if (files->report)
		all[n_all++] = "report.html";
	coh_manifest manifest = {
		.dir = s->dir, .argc = argc, .argv = argv,
		.scenario_path = s->a->scenario, .model = s->model,
		.overrides = s->a->common.overrides.items,
		.n_overrides = s->a->common.n_set,
		.replications = s->done,
		.requested = s->model->replications,
		.interrupted = s->interrupted, .wall_seconds = s->wall,
		.files = all, .n_files = n_all,
		.posterior_path = s->a->posterior,
		.posterior_drawn = s->post ? cli_posterior_drawn(s->post) : 0,
	};
	rc = coh_manifest_write(&manifest, &s->err);
	if (!rc)
		all[n_all++] = "manifest.json";
	if (!rc && (!s->a->common.quiet || s->interrupted))
		print_wrote(s->dir, all, n_all, s->interrupted, s->done,
			    s->model->replications);
	coh_free(all);
	return rc;
}

/* Each step in turn, until one fails. */
static int run_steps(run_state *s, int argc, char **argv)
{
	int rc;
	if ((rc = check_before_writing(s)) ||
	    (rc = coh_output_mkdirs(s->dir, &s->err)) ||
	    (rc = run_replications(s)) ||
	    (rc = remove_old_manifest(s->dir, &s->err)) ||
	    (rc = write_reports(s)))
		return rc;
	return write_figures_and_manifest(s, argc, argv);
}

/* A day of the window from --from or --to: after that date's events. */
static int window_day(double *out, const char *opt, const char *text,
		      const coh_model *model)
{
	int64_t day;
	if (coh_date_parse(&day, text) != 0)
		return cli_usage_error("run", "--%s expects a date YYYY-MM-DD, "
				       "got \"%s\"", opt, text);
	double d = (double)(day - model->start_day);
	if (!(d >= 0 && d <= model->horizon))
		return cli_usage_error("run", "--%s %s is outside the scenario "
				       "(its start to its end)", opt, text);
	*out = d;
	return CLI_OK;
}

/* The ledger of --ledger MEMBER over --from/--to, ready to run. */
static int ledger_open(coh_ledger **out, const run_args *a,
		       const coh_model *model)
{
	if (!a->ledger) {
		if (a->from || a->to)
			return cli_usage_error("run", "--from and --to set the "
					       "window of --ledger MEMBER");
		return CLI_OK;
	}
	if (a->posterior)
		return cli_usage_error("run", "--ledger runs the scenario's own "
				       "values; it does not go with --posterior");
	int member = -1;
	for (size_t i = 0; i < model->n_members; i++)
		if (!strcmp(model->members[i].id, a->ledger))
			member = (int)i;
	if (member < 0)
		return cli_usage_error("run", "--ledger expects a member id of "
				       "the scenario, got \"%s\"", a->ledger);
	double from = -INFINITY, to = model->horizon;
	int status = CLI_OK;
	if (a->from)
		status = window_day(&from, "from", a->from, model);
	if (status == CLI_OK && a->to)
		status = window_day(&to, "to", a->to, model);
	if (status != CLI_OK)
		return status;
	if (!(from < to))
		return cli_usage_error("run", "--from must come before --to");
	coh_error err = {0};
	if (coh_ledger_alloc(out, model, member, from, to, &err)) {
		cli_print_error(&err);
		return cli_exit_status(err.code);
	}
	return CLI_OK;
}

/* The whole run once the scenario is loaded; returns an exit status. */
static int run_loaded(const run_args *a, const coh_scenario *sc, int argc,
		      char **argv)
{
	run_state s = {.a = a, .sc = sc, .model = coh_scenario_model(sc)};
	const coh_model *model = s.model;
	s.keep = a->keep_given ? a->keep
	       : model->replications <= 100 ? COH_KEEP_ALL : 0;
	/* no more workers (and summaries) than replications */
	s.n_workers = a->common.jobs < model->replications
		      ? (size_t)a->common.jobs : (size_t)model->replications;
	int status = cli_common_qoi(&s.sink.qoi, &a->common, "run", model);
	if (status == CLI_OK)
		status = cli_check_members("run", a->members, model);
	if (status == CLI_OK)
		status = ledger_open(&s.ledger, a, model);
	if (status == CLI_OK && a->posterior)
		status = cli_posterior_open(&s.post, a->posterior, &a->common,
					    &a->scenario, &model, 1,
					    model->replications);
	if (status != CLI_OK) {
		coh_qoi_set_free(s.sink.qoi);
		coh_ledger_free(s.ledger);
		cli_posterior_free(s.post);
		return status;
	}
	const char *const *sets = a->common.overrides.items;
	size_t n_sets = a->common.n_set;
	char name[512];
	snprintf(name, sizeof name, "%s%s", model->name,
		 a->posterior ? "-posterior" : "");
	s.dir = a->common.output
		? cli_output_dir(a->common.output, &s.err, "%s", "")
		: cli_default_dir(name, sets, n_sets, &s.err);
	int rc = s.dir ? 0 : COH_ENOMEM;
	if (!rc && !a->common.output)
		rc = cli_check_default_dir(s.dir, a->scenario, sets, n_sets,
					   &s.err);
	if (!rc)
		rc = run_steps(&s, argc, argv);
	cli_signals_restore(&s.signals);
	if (rc) {
		cli_print_error(&s.err);
		coh_run_writer_abort(s.sink.writer);
		coh_outcomes_abort(s.sink.outcomes);
	}
	coh_summary_set_free(s.sink.summaries);
	coh_qoi_set_free(s.sink.qoi);
	coh_ledger_free(s.ledger);
	cli_posterior_free(s.post);
	cli_headline_free(&s.headline);
	coh_plot_files_free(s.files.plot_files, s.files.n_plot_files);
	coh_free(s.dir);
	if (rc)
		return cli_exit_status(rc);
	/* Shells report death by signal N as 128 + N; a stopped run says
	 * the same, though it exited cleanly. */
	return s.interrupted ? cli_stopped_status() : CLI_OK;
}

int cli_run(int argc, char **argv, int first)
{
	run_args a;
	memset(&a, 0, sizeof a);
	a.keep = COH_KEEP_ALL;
	int status = cli_common_parse(&a.common, &run_command, &a, argc, argv,
				      first);
	if (status == CLI_OK && !a.scenario)
		status = cli_usage_error("run", "missing SCENARIO");
	coh_scenario *sc = NULL;
	if (status == CLI_OK)
		status = cli_common_load(&sc, &a.common, a.scenario);
	if (status == CLI_OK)
		status = run_loaded(&a, sc, argc, argv);
	else if (status == CLI_HELP_SHOWN)
		status = CLI_OK;
	coh_scenario_free(sc);
	cli_common_free(&a.common);
	return status;
}
