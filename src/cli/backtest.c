/* `cohesim backtest`: how well the model, cut at a date, forecasts the
 * record after it (docs/calibration.md).  The scripted timeline after the
 * cutoff is dropped, generators that start later start at the cutoff,
 * and every milestone dated after the cutoff is scored from the share of
 * replications in which it holds: its probability, the Brier score and
 * the log score, per milestone and summed.  With --posterior each
 * replication draws its parameters, as run --posterior does. */
#include "cli.h"
#include "cohesim/calibrate.h"
#include "cohesim/date.h"
#include "cohesim/output.h"
#include "cohesim/version.h"
#include "core/alloc.h"
#include "core/number.h"
#include "core/strbuf.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char backtest_help[] =
	"Usage: cohesim backtest SCENARIO --cutoff DATE [OPTIONS]\n"
	"\n"
	"How well the scenario, cut at DATE, forecasts the record after it:\n"
	"the timeline after DATE is dropped, generators that start later\n"
	"start at DATE, and each calibration milestone dated after DATE is\n"
	"scored from the share p of replications in which it holds: Brier\n"
	"(1 - p)^2 and log score -ln max(p, 1/(2R)), per milestone and summed.\n"
	"Writes backtest.csv, scenario.resolved.cfg, a figure, report.html and\n"
	"manifest.json, and a table on stdout (docs/calibration.md).\n"
	"\n"
	"Options:\n"
	"      --cutoff DATE       the last day of the record the forecast sees\n"
	"                          (YYYY-MM-DD, required)\n"
	"      --posterior FILE    each replication draws a particle of FILE\n"
	"                          (posterior.csv of cohesim calibrate)\n"
	"  -r, --replications N    replications (default: the scenario's)\n"
	"      --seed S            seed (default: the scenario's)\n"
	"  -j, --jobs N            worker threads; the results never depend on it\n"
	"  -o, --output DIR        output folder (default:\n"
	"                          out/<scenario name>-backtest-DATE/)\n"
	"      --set PATH=VALUE    change a setting (repeatable)\n"
	"      --include-root DIR  folder that @include may not leave\n"
	"      --title TEXT        the figure's title (default: the scenario's)\n"
	"      --plot FORMAT       png (default), svg, pdf, dumb or none\n"
	"      --report FORMAT     html (default): report.html, one page with\n"
	"                          the scores and the figure inline, to\n"
	"                          forward; none: no report\n"
	"      --max-memory GB     memory limit (default: half of the memory)\n"
	"  -q, --quiet             no progress and no table\n"
	"  -h, --help              show this help\n";

enum { OPT_CUTOFF = 1, OPT_POSTERIOR, OPT_REPORT };

static const cli_option backtest_options[] = {
	{"cutoff", 0, 1, OPT_CUTOFF},
	{"posterior", 0, 1, OPT_POSTERIOR},
	{"report", 0, 1, OPT_REPORT},
	{NULL, 0, 0, 0},
};

typedef struct bt_args {
	cli_common_opts common;
	const char *scenario, *cutoff, *posterior;
	int64_t cutoff_day;             /* the date's day number */
	int no_report;                  /* --report none */
} bt_args;

static int take_arg(void *ctx, int id, const char *v)
{
	bt_args *a = ctx;
	switch (id) {
	case CLI_NEXT_POSITIONAL:
		if (a->scenario)
			return cli_usage_error("backtest", "expected one "
					       "SCENARIO, got '%s' and '%s'",
					       a->scenario, v);
		a->scenario = v;
		return CLI_OK;
	case OPT_CUTOFF:
		if (coh_date_parse(&a->cutoff_day, v))
			return cli_usage_error("backtest", "--cutoff expects a "
					       "date YYYY-MM-DD, got \"%s\"", v);
		a->cutoff = v;
		return CLI_OK;
	case OPT_REPORT:
		return cli_opt_report("backtest", v, &a->no_report);
	default: /* OPT_POSTERIOR */
		a->posterior = v;
		return CLI_OK;
	}
}

static const cli_command_args backtest_command = {
	"backtest", backtest_help, backtest_options, take_arg, 0,
};

typedef struct bt_state {
	const bt_args *a;
	const coh_model *model;
	coh_model cut;                  /* the model at the cutoff */
	double cutoff;                  /* days since the start */
	cli_posterior *post;
	coh_model *cuts;                /* per posterior row */
	size_t n_cuts;
	coh_abc_reads reads;
	coh_qoi_set *qoi;
	double *values;
	uint64_t *held;                 /* per milestone */
	uint64_t done;
	coh_error err;
} bt_state;

static const coh_model *cut_for(void *ctx, uint64_t replication,
				size_t slot)
{
	(void)slot;
	const bt_state *s = ctx;
	return &s->cuts[cli_posterior_row(s->post, replication)];
}

static int take(void *ctx, const coh_trace *const *traces, size_t n)
{
	(void)n;
	bt_state *s = ctx;
	int rc = coh_qoi_set_values(s->qoi, traces[0], s->values, &s->err);
	if (rc)
		return rc;
	uint64_t missed = coh_abc_missed(s->model, &s->reads, s->values);
	for (size_t i = 0; i < s->model->n_milestones; i++)
		s->held[i] += !(missed >> i & 1);
	s->done++;
	return 0;
}

static int run_all(bt_state *s)
{
	const cli_common_opts *o = &s->a->common;
	int rc = coh_qoi_set_alloc(&s->qoi, &s->cut, &s->err);
	for (size_t q = 0; !rc && q < s->reads.n_qoi; q++)
		rc = coh_qoi_set_add(s->qoi, s->reads.qoi[q], &s->err);
	s->values = coh_calloc(s->reads.n_qoi + 1, sizeof *s->values);
	s->held = coh_calloc(s->model->n_milestones, sizeof *s->held);
	if (!rc && (!s->values || !s->held))
		rc = coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				   "out of memory");
	if (rc)
		return rc;
	size_t n_reads;
	const double *reads = coh_qoi_set_read_days(s->qoi, &n_reads);
	/* reads only: one sample over the whole horizon spares recording
	 * the scenario's grid */
	coh_model sparse = s->cut;
	if (sparse.horizon > 0 && sparse.sample_every < sparse.horizon)
		sparse.sample_every = sparse.horizon;
	for (size_t i = 0; i < s->n_cuts; i++)
		if (s->cuts[i].horizon > 0)
			s->cuts[i].sample_every = s->cuts[i].horizon;
	const coh_model *run_model = &sparse;
	cli_progress progress;
	cli_progress_start(&progress, s->cut.replications, o->quiet);
	coh_mc_options mo = {
		.seed = s->cut.seed, .replications = s->cut.replications,
		.threads = (int)o->jobs, .read_days = reads,
		.n_read_days = n_reads, .progress = cli_progress_show,
		.progress_ctx = &progress, .stop = &cli_stop_signal,
		.model_for = s->post ? cut_for : NULL, .model_for_ctx = s,
	};
	cli_signals signals = {0};
	cli_signals_catch(&signals);
	rc = coh_mc_run(&run_model, 1, &mo, take, s, NULL, &s->err);
	cli_signals_restore(&signals);
	cli_progress_finish(&progress);
	return rc;
}

static void csv_number(coh_strbuf *b, double x)
{
	char num[COH_NUMBER_MAX];
	coh_format_double(num, x);
	coh_strbuf_printf(b, ",%s", num);
}

/* report.html, from the folder's files as `cohesim plot DIR` writes it
 * again; the figure's model is titled as the command's figure. */
static int write_report(bt_state *s, const char *dir,
			const coh_model *titled)
{
	static const char *const figure[] = {"backtest.gp"};
	cli_folder_report report = {
		.dir = dir, .kind = CLI_FOLDER_BACKTEST,
		.title = cli_figure_title(&s->a->common, s->model),
		.model = titled, .figures = figure, .n_figures = 1,
	};
	return cli_report_folder(&report, NULL, &s->err);
}

static int write_results(bt_state *s, const coh_scenario *sc,
			 const char *dir, int argc, char **argv)
{
	const coh_model *m = s->model;
	const cli_common_opts *o = &s->a->common;
	coh_strbuf b = {0};
	double brier = 0, logs = 0;
	size_t scored = 0;
	coh_strbuf_puts(&b, "id,date,description,probability,brier,"
			"log_score\n");
	if (!o->quiet)
		printf("%-24s %-11s %11s %8s %9s  %s\n", "milestone", "date",
		       "probability", "Brier", "log score", "condition");
	for (size_t i = 0; i < m->n_milestones; i++) {
		const coh_milestone *ms = &m->milestones[i];
		if ((double)ms->day <= s->cutoff)
			continue;
		char date[16], what[256];
		coh_date_format(date, sizeof date, m->start_day + ms->day);
		coh_abc_milestone_text(what, sizeof what, m, ms);
		double p = (double)s->held[i] / (double)s->done;
		double br = coh_abc_brier(p), ls = coh_abc_log_score(p,
								    s->done);
		brier += br;
		logs += ls;
		scored++;
		coh_strbuf_printf(&b, "%s,%s,\"%s\"", ms->id, date, what);
		csv_number(&b, p);
		csv_number(&b, br);
		csv_number(&b, ls);
		coh_strbuf_puts(&b, "\n");
		if (!o->quiet)
			printf("%-24s %-11s %11.3f %8.3f %9.3f  %s\n", ms->id,
			       date, p, br, ls, what);
	}
	coh_strbuf_puts(&b, "(sum),,");
	coh_strbuf_printf(&b, "\"%zu milestone%s\",", scored,
			  scored == 1 ? "" : "s");
	csv_number(&b, brier);
	csv_number(&b, logs);
	coh_strbuf_puts(&b, "\n");
	if (!o->quiet)
		printf("%-24s %-11s %11s %8.3f %9.3f  (%" PRIu64
		       " replications)\n", "sum", "", "", brier, logs,
		       s->done);
	fflush(stdout);
	int rc = b.failed ? coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
					  "out of memory")
			  : coh_output_write_file(dir, "backtest.csv", b.s,
						  b.len, &s->err);
	coh_strbuf_free(&b);
	char **plot_files = NULL;
	size_t n_plot = 0;
	char title[256];
	snprintf(title, sizeof title, "%s: backtest from %s%s",
		 cli_figure_title(o, m), s->a->cutoff,
		 s->post ? " (posterior)" : "");
	coh_model titled = *m;
	titled.title = title;
	if (!rc)
		rc = cli_write_resolved(dir, sc, &s->err);
	if (!rc && o->plot != COH_PLOT_NONE) {
		static const char *const figure[] = {"backtest.gp"};
		rc = cli_draw(dir, &titled, figure, 1, NULL, 0, o->plot,
			      &plot_files, &n_plot, &s->err);
	}
	const char **files = coh_calloc(n_plot + 3, sizeof *files);
	if (!rc && !files)
		rc = coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				   "out of memory");
	if (!rc) {
		size_t n_files = 0;
		files[n_files++] = "backtest.csv";
		files[n_files++] = "scenario.resolved.cfg";
		for (size_t i = 0; i < n_plot; i++)
			files[n_files++] = plot_files[i];
		coh_manifest manifest = {
			.dir = dir, .argc = argc, .argv = argv,
			.scenario_path = s->a->scenario, .model = m,
			.overrides = o->overrides.items,
			.n_overrides = o->n_set, .replications = s->done,
			.requested = s->cut.replications, .files = files,
			.n_files = n_files,
			.posterior_path = s->a->posterior,
			.posterior_drawn = s->post
					   ? cli_posterior_drawn(s->post) : 0,
		};
		rc = coh_manifest_write(&manifest, &s->err);
	}
	/* report.html reads the finished manifest */
	if (!rc && s->a->no_report)
		rc = cli_remove_stale(dir, "report.html", &s->err);
	else if (!rc)
		rc = write_report(s, dir, &titled);
	if (!rc && !o->quiet)
		fprintf(stderr, "cohesim: wrote %s/ (backtest.csv, "
			"scenario.resolved.cfg, %s%smanifest.json)\n", dir,
			n_plot ? "figure, " : "",
			s->a->no_report ? "" : "report.html, ");
	coh_free(files);
	coh_plot_files_free(plot_files, n_plot);
	return rc;
}

/* The cutoff must leave a milestone to score and lie within the
 * scenario. */
static int check_cutoff(const bt_state *s, double cutoff)
{
	const coh_model *m = s->model;
	if (cutoff < 0 || cutoff > m->horizon)
		return cli_usage_error("backtest", "--cutoff %s lies outside "
				       "the scenario's dates", s->a->cutoff);
	size_t later = 0;
	for (size_t i = 0; i < m->n_milestones; i++)
		later += (double)m->milestones[i].day > cutoff;
	if (!m->n_milestones) {
		fprintf(stderr, "cohesim: %s: no calibration milestones to "
			"score, expected a calibration block "
			"(docs/calibration.md)\n", s->a->scenario);
		return CLI_ERROR;
	}
	if (!later)
		return cli_usage_error("backtest", "no milestone is dated after "
				       "--cutoff %s: nothing to score",
				       s->a->cutoff);
	return CLI_OK;
}

static int backtest_loaded(bt_state *s, const coh_scenario *sc, int argc,
			   char **argv)
{
	const bt_args *a = s->a;
	s->model = coh_scenario_model(sc);
	double cutoff = (double)(a->cutoff_day - s->model->start_day);
	s->cutoff = cutoff;
	int status = check_cutoff(s, cutoff);
	if (status != CLI_OK)
		return status;
	if (a->posterior) {
		status = cli_posterior_open(&s->post, a->posterior, &a->common,
					    &a->scenario, &s->model, 1,
					    s->model->replications);
		if (status != CLI_OK)
			return status;
		s->n_cuts = cli_posterior_drawn(s->post);
		s->cuts = coh_calloc(s->n_cuts + 1, sizeof *s->cuts);
		if (!s->cuts)
			return CLI_ERROR;
		for (size_t i = 0; i < s->n_cuts; i++)
			if (coh_abc_cut(&s->cuts[i], cli_posterior_row_model(
					s->post, i, 0), cutoff, &s->err)) {
				cli_print_error(&s->err);
				return CLI_ERROR;
			}
	}
	char *dir = NULL;
	int rc = coh_abc_cut(&s->cut, s->model, cutoff, &s->err);
	if (!rc)
		rc = coh_abc_reads_make(&s->reads, s->model, &s->err);
	if (!rc && !(dir = cli_output_dir(a->common.output, &s->err,
					  "out/%s-backtest-%s",
					  s->model->name, a->cutoff)))
		rc = COH_ENOMEM;
	if (!rc)
		rc = coh_output_mkdirs(dir, &s->err);
	if (!rc)
		rc = run_all(s);
	if (rc == COH_ECANCEL) {
		fprintf(stderr, "cohesim: interrupted after %" PRIu64 " "
			"replications; nothing written\n", s->done);
		coh_free(dir);
		return cli_stopped_status();
	}
	if (!rc)
		rc = write_results(s, sc, dir, argc, argv);
	if (rc)
		cli_print_error(&s->err);
	coh_free(dir);
	return cli_exit_status(rc);
}

int cli_backtest(int argc, char **argv, int first)
{
	bt_args a;
	memset(&a, 0, sizeof a);
	int status = cli_common_parse(&a.common, &backtest_command, &a, argc,
				      argv, first);
	if (status == CLI_OK && !a.scenario)
		status = cli_usage_error("backtest", "missing SCENARIO");
	if (status == CLI_OK && !a.cutoff)
		status = cli_usage_error("backtest", "missing --cutoff DATE");
	coh_scenario *sc = NULL;
	if (status == CLI_OK)
		status = cli_common_load(&sc, &a.common, a.scenario);
	if (status == CLI_OK) {
		bt_state s = {.a = &a};
		status = backtest_loaded(&s, sc, argc, argv);
		for (size_t i = 0; i < s.n_cuts; i++)
			coh_abc_cut_release(&s.cuts[i]);
		coh_free(s.cuts);
		coh_abc_cut_release(&s.cut);
		cli_posterior_free(s.post);
		coh_abc_reads_free(&s.reads);
		coh_qoi_set_free(s.qoi);
		coh_free(s.values);
		coh_free(s.held);
	} else if (status == CLI_HELP_SHOWN) {
		status = CLI_OK;
	}
	coh_scenario_free(sc);
	cli_common_free(&a.common);
	return status;
}
