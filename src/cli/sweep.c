/* `cohesim sweep`: runs a design of parameter values (grid, Latin
 * hypercube or Sobol') with replications at each point.  Finished points
 * are on disk as soon as they finish; --resume finishes an interrupted
 * sweep to the same bytes; --dry-run says what it would cost.  Built with
 * MPI=1, it spreads points over the ranks of mpirun. */
#include "cli.h"
#include "cohesim/output.h"
#include "cohesim/sweep.h"
#include "core/alloc.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>
#ifdef COH_MPI
#include <mpi.h>
#endif

static const char sweep_help[] =
	"Usage: cohesim sweep SCENARIO --vary PATH=SPEC [--vary ...] [OPTIONS]\n"
	"\n"
	"Runs the scenario at every point of a design over the varied\n"
	"settings, with -r replications per point, and writes points.csv (the\n"
	"design), sweep.csv (one row per point and replication),\n"
	"sweep-summary.csv (per point: final cohesion mean, sd, 95% interval,\n"
	"each member's chance of freezing and exiting by the end and median\n"
	"freeze day), manifest.json, a figure and report.html.  Rows are appended as points\n"
	"finish, so an interrupted sweep keeps every finished point.\n"
	"\n"
	"SPEC is lo:hi:n (n evenly spaced values; lo:hi for lhs and sobol,\n"
	"which choose their own) or v1,v2,... ; PATH is any\n"
	"setting --set accepts (model.half_life, members.ARM.freeze, ...).\n"
	"Without --vary, the axes (and design and points) come from the\n"
	"scenario's sweep block: sweep: { vary = [\"PATH=SPEC\", ...]; };\n"
	"\n"
	"Options:\n"
	"      --vary PATH=SPEC    an axis of the design (repeatable)\n"
	"      --design KIND       grid (default: every combination), lhs\n"
	"                          (Latin hypercube) or sobol\n"
	"      --points N          points of an lhs or sobol design\n"
	"  -r, --replications N    per point (default: the scenario's)\n"
	"      --seed S            seed (default: the scenario's)\n"
	"  -j, --jobs N            worker threads (default: online CPUs)\n"
	"  -o, --output DIR        output folder (default: out/<name>-sweep/)\n"
	"      --resume            finish the sweep already in DIR\n"
	"      --dry-run           print the number of runs, an estimated time\n"
	"                          (from a short pilot) and the disk the\n"
	"                          outputs will take, then stop\n"
	"      --metric M          the figure's map besides cohesion: exit (the\n"
	"                          member most likely to exit; default),\n"
	"                          freeze, exit:ID or freeze:ID\n"
	"      --posterior FILE    replication r of every point draws a particle\n"
	"                          of FILE (posterior.csv of cohesim calibrate)\n"
	"                          and runs with its values after the point's\n"
	"      --set PATH=VALUE    change a setting at every point (repeatable)\n"
	"      --include-root DIR  folder that @include may not leave\n"
	"      --title TEXT        the figures' title (default: the scenario's)\n"
	"      --plot FORMAT       png (default), svg, pdf, dumb or none\n"
	"      --report FORMAT     html (default): report.html, one page with\n"
	"                          the design, the table of points and the\n"
	"                          figure inline, to forward; none: no report\n"
	"      --max-memory GB     refuse sweeps whose points' results would\n"
	"                          take more (default: half of the memory)\n"
	"  -q, --quiet             no progress and no closing message\n"
	"  -h, --help              show this help\n";

/* sweep's own options; the shared ones are parsed in args.c */
enum { OPT_VARY = 1, OPT_DESIGN, OPT_POINTS, OPT_RESUME, OPT_DRY, OPT_METRIC,
       OPT_POSTERIOR, OPT_REPORT };

static const cli_option sweep_options[] = {
	{"vary", 0, 1, OPT_VARY},
	{"design", 0, 1, OPT_DESIGN},
	{"points", 0, 1, OPT_POINTS},
	{"resume", 0, 0, OPT_RESUME},
	{"dry-run", 0, 0, OPT_DRY},
	{"metric", 0, 1, OPT_METRIC},
	{"posterior", 0, 1, OPT_POSTERIOR},
	{"report", 0, 1, OPT_REPORT},
	{NULL, 0, 0, 0},
};

typedef struct sweep_args {
	cli_common_opts common;
	const char *scenario;
	cli_strings axes;
	coh_design_kind kind;
	uint64_t points;
	int have_points, resume, dry_run, kind_given;
	const char *metric;             /* --metric, or NULL */
	const char *posterior;          /* --posterior, or NULL */
	int no_report;                  /* --report none */
} sweep_args;

static int take_arg(void *ctx, int id, const char *v)
{
	sweep_args *a = ctx;
	switch (id) {
	case CLI_NEXT_POSITIONAL:
		if (a->scenario)
			return cli_usage_error("sweep", "expected one "
					       "SCENARIO, got '%s' and "
					       "'%s'", a->scenario, v);
		a->scenario = v;
		break;
	case OPT_VARY:
		if (cli_strings_push(&a->axes, v))
			return CLI_ERROR;
		break;
	case OPT_DESIGN:
		if (coh_design_kind_parse(&a->kind, v))
			return cli_usage_error("sweep", "--design "
					       "expects grid, lhs or "
					       "sobol, got \"%s\"", v);
		a->kind_given = 1;
		break;
	case OPT_POINTS:
		if (cli_parse_uint(&a->points, v, 1))
			return cli_usage_error("sweep", "--points "
					       "expects a whole number "
					       ">= 1, got \"%s\"", v);
		a->have_points = 1;
		break;
	case OPT_RESUME:
		a->resume = 1;
		break;
	case OPT_DRY:
		a->dry_run = 1;
		break;
	case OPT_METRIC:
		a->metric = v;
		break;
	case OPT_POSTERIOR:
		a->posterior = v;
		break;
	case OPT_REPORT:
		return cli_opt_report("sweep", v, &a->no_report);
	}
	return CLI_OK;
}

static const cli_command_args sweep_command = {
	"sweep", sweep_help, sweep_options, take_arg, 0,
};

/* The design's settings from the command line, or else from the
 * scenario's sweep block. */
static int take_design_defaults(sweep_args *a, const coh_model *m)
{
	if (a->axes.count == 0)
		for (size_t i = 0; i < m->n_sweep_vary; i++)
			if (cli_strings_push(&a->axes, m->sweep_vary[i]))
				return CLI_ERROR;
	if (!a->kind_given && m->sweep_design)
		coh_design_kind_parse(&a->kind, m->sweep_design);
	if (!a->have_points && m->sweep_points) {
		a->points = m->sweep_points;
		a->have_points = 1;
	}
	if (a->axes.count == 0)
		return cli_usage_error("sweep", "expected at least one --vary "
				       "PATH=SPEC (or a sweep block in the "
				       "scenario)");
	if (a->kind != COH_DESIGN_GRID && !a->have_points)
		return cli_usage_error("sweep", "--design %s needs --points N",
				       a->kind == COH_DESIGN_LHS ? "lhs"
								 : "sobol");
	return CLI_OK;
}

static void print_plan(const coh_sweep_plan *plan, int jobs)
{
	double secs = plan->seconds / (jobs > 0 ? jobs : 1);
	printf("points:       %" PRIu64 "\n", plan->points);
	printf("runs:         %" PRIu64 " (replications at every point)\n",
	       plan->runs);
	printf("time:         about %.0f s with -j %d (from a pilot of %"
	       PRIu64 " replications)\n", secs, jobs,
	       plan->pilot_replications);
	printf("disk:         about %.1f MB\n", plan->bytes / 1e6);
}

/* Refuses a sweep whose rows would not fit on the disk, before any work.
 * The row size is estimated from the members: about 60 bytes each. */
static int check_disk(const char *dir, const coh_model *m, uint64_t points,
		      coh_error *err)
{
	struct statvfs vfs;
	char *probe = coh_strdup(dir);
	if (!probe)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	/* the nearest folder on the way to dir that exists */
	while (statvfs(probe, &vfs) != 0) {
		char *slash = strrchr(probe, '/');
		if (!slash || slash == probe) {
			int found = statvfs(".", &vfs) == 0;
			coh_free(probe);
			if (!found)
				return 0;
			probe = NULL;
			break;
		}
		*slash = '\0';
	}
	coh_free(probe);
	double need = (double)points * (double)m->replications *
		      (90.0 + 60.0 * (double)m->n_members);
	double free_bytes = (double)vfs.f_bavail * (double)vfs.f_frsize;
	if (need > free_bytes)
		return coh_error_set(err, COH_EINPUT, dir, 0,
				     "the sweep needs about %.1f MB and the disk "
				     "has %.1f MB free; use fewer points or "
				     "replications, or another -o", need / 1e6,
				     free_bytes / 1e6);
	return 0;
}

/* Refuses a sweep whose points would not fit in memory: while a point
 * runs, it holds each replication's final cohesion and every member's
 * freeze and exit days, and its rows of sweep.csv (sized as in
 * check_disk). */
static int check_memory(const coh_model *m, double limit, const char *file,
			coh_error *err)
{
	double members = (double)m->n_members;
	double per_replication = 8.0 * (1.0 + 2.0 * members) + 90.0 +
				 60.0 * members;
	return cli_check_memory_for((double)m->replications * per_replication,
				    limit, "a point's results",
				    "use fewer replications per point (-r)",
				    file, err);
}

/* Checks memory and disk, then runs every point with progress and Ctrl-C
 * caught; COH_ECANCEL when a signal stopped it (the message says how to
 * resume). */
static int run_points(const sweep_args *a, const coh_sweep_options *opts,
		      const coh_model *m, int rank, coh_diag *diag)
{
	/* a copy that holds the progress display, which lives here */
	coh_sweep_options local = *opts, *so = &local;
	coh_error err = {0};
	int rc = check_memory(m, a->common.max_memory, a->scenario, &err);
	if (!rc && rank == 0 && !a->resume)
		rc = check_disk(so->dir, m, coh_design_points(so->design),
				&err);
	if (rc) {
		coh_diag_push(diag, &err);
		return rc;
	}
	cli_progress progress;
	cli_progress_start(&progress, coh_design_points(so->design),
			   a->common.quiet || rank != 0);
	progress.unit = "points";
	progress.runs_per_item = m->replications;
	so->progress = cli_progress_show;
	so->progress_ctx = &progress;
	cli_signals signals = {0};
	cli_signals_catch(&signals);
#ifdef COH_MPI
	rc = coh_sweep_run_mpi(so, diag);
#else
	rc = coh_sweep_run(so, diag);
#endif
	cli_progress_finish(&progress);
	cli_signals_restore(&signals);
	if (rank == 0 && (rc == COH_ECANCEL || (cli_stop_signal && !rc))) {
		coh_diag_clear(diag);
		fprintf(stderr, "cohesim: interrupted; the finished points are "
			"in %s/ and 'cohesim sweep ... --resume -o %s' "
			"finishes the sweep\n", so->dir, so->dir);
		rc = COH_ECANCEL;
	}
	return rc;
}

/* After the points: the resolved scenario, the figure (listed in the
 * manifest the sweep driver wrote) and report.html, or with --report none
 * no report, and an earlier one removed. */
static int write_extras(const sweep_args *a, const coh_scenario *base,
			const coh_design *design, const char *dir,
			coh_diag *diag)
{
	coh_error err = {0};
	char **files = NULL;
	size_t n_files = 0;
	const char *paths[64];
	size_t n_paths = 0;
	while (n_paths < 64 && n_paths < coh_design_axes(design)) {
		paths[n_paths] = coh_design_path(design, n_paths);
		n_paths++;
	}
	int rc = cli_write_resolved(dir, base, &err);
	coh_model shown = *coh_scenario_model(base);
	shown.title = cli_figure_title(&a->common, &shown);
	cli_figure_opts chosen = {.metric = a->metric};
	if (!rc && a->common.plot != COH_PLOT_NONE)
		rc = cli_draw_members(dir, &shown, &chosen,
				      (const char *const[]){"sweep.gp"}, 1,
				      paths, n_paths, a->common.plot, &files,
				      &n_files, &err);
	static const char *const resolved[] = {"scenario.resolved.cfg"};
	if (!rc)
		rc = coh_manifest_add_files(dir, resolved, 1, &err);
	if (!rc && n_files > 0)
		rc = coh_manifest_add_files(dir, (const char *const *)files,
					    n_files, &err);
	if (!rc && a->no_report) {
		rc = cli_remove_stale(dir, "report.html", &err);
	} else if (!rc) {
		cli_folder_report report = {
			.dir = dir, .kind = CLI_FOLDER_SWEEP,
			.title = shown.title, .model = &shown,
			.figure = "sweep.gp", .axes = paths,
			.n_axes = n_paths, .opts = &chosen,
		};
		rc = cli_report_folder(&report, NULL, &err);
	}
	coh_plot_files_free(files, n_files);
	if (rc)
		coh_diag_push(diag, &err);
	else if (!a->common.quiet)
		fprintf(stderr, "cohesim: wrote %s/ (points.csv, sweep.csv, "
			"sweep-summary.csv, scenario.resolved.cfg%s%s, "
			"manifest.json)\n", dir, n_files ? ", figure" : "",
			a->no_report ? "" : ", report.html");
	return rc;
}

static int sweep_main(sweep_args *a, int argc, char **argv, int rank)
{
	/* The scenario is read once: the base (no axes: the design's seed,
	 * the resolved file) and every point come from it. */
	coh_scenario_source *source = NULL;
	coh_scenario *base = NULL;
	int status = cli_common_read_once(&source, &base, &a->common,
					  a->scenario, 1);
	if (status != CLI_OK)
		return status;
	const coh_model *m = coh_scenario_model(base);
	status = cli_check_metric("sweep", a->metric, m);
	if (status != CLI_OK || (status = take_design_defaults(a, m)) != CLI_OK) {
		coh_scenario_free(base);
		coh_scenario_source_free(source);
		return status;
	}
	coh_error err = {0};
	coh_design *design = NULL;
	char *dir = cli_output_dir(a->common.output, &err, "out/%s-sweep",
				   m->name);
	int rc = dir ? coh_design_build(&design, a->axes.items, a->axes.count,
				       a->kind, (size_t)a->points, m->seed,
				       &err)
		     : COH_ENOMEM;
	if (rc) {
		cli_print_error(&err);
		coh_free(dir);
		coh_scenario_free(base);
		coh_scenario_source_free(source);
		return cli_exit_status(rc);
	}
	coh_posterior post = {0};
	if (a->posterior) {
		status = cli_posterior_read(&post, a->posterior, m);
		if (status != CLI_OK) {
			coh_design_free(design);
			coh_free(dir);
			coh_scenario_free(base);
			coh_scenario_source_free(source);
			return status;
		}
	}
	coh_sweep_options so = {
		.source = source, .overrides = a->common.overrides.items,
		.n_overrides = a->common.overrides.count, .design = design,
		.threads = (int)a->common.jobs, .dir = dir,
		.resume = a->resume, .stop = &cli_stop_signal, .argc = argc,
		.argv = argv, .posterior = a->posterior ? &post : NULL,
		.posterior_path = a->posterior,
	};
	coh_diag diag = COH_DIAG_INIT;
	if (a->dry_run) {
		coh_sweep_plan plan;
		rc = coh_sweep_plan_make(&plan, &so, &diag);
		if (!rc && rank == 0)
			print_plan(&plan, (int)a->common.jobs);
	} else {
		rc = run_points(a, &so, m, rank, &diag);
		if (!rc && rank == 0)
			rc = write_extras(a, base, design, dir, &diag);
	}
	if (rc != COH_ECANCEL)
		cli_print_diag(&diag, rc, dir);
	coh_diag_clear(&diag);
	coh_posterior_free(&post);
	coh_design_free(design);
	coh_scenario_free(base);
	coh_free(dir);
	coh_scenario_source_free(source);
	if (rc == COH_ECANCEL)
		return cli_stopped_status();
	return cli_exit_status(rc);
}

int cli_sweep(int argc, char **argv, int first)
{
	sweep_args a;
	memset(&a, 0, sizeof a);
	int rank = 0;
#ifdef COH_MPI
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
#endif
	int status = cli_common_parse(&a.common, &sweep_command, &a, argc,
				      argv, first);
	if (status == CLI_OK && !a.scenario)
		status = cli_usage_error("sweep", "missing SCENARIO");
	if (status == CLI_OK)
		status = sweep_main(&a, argc, argv, rank);
	else if (status == CLI_HELP_SHOWN)
		status = CLI_OK;
	cli_strings_free(&a.axes);
	cli_common_free(&a.common);
	return status;
}
