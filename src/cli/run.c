/* `cohesim run`: loads a scenario (with --seed, -r and --set as overrides,
 * so that the resolved scenario records them), runs its replications on
 * worker threads, and writes the output folder: the summaries, the
 * per-replication CSV files that --keep asks for, scenario.resolved.cfg,
 * the figures and, last, manifest.json. */
#include "cli.h"
#include "cohesim/output.h"
#include "cohesim/mc.h"
#include "cohesim/report.h"
#include "cohesim/sim.h"
#include "core/alloc.h"

#include <errno.h>
#include <inttypes.h>
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
	"                 scenario.resolved.cfg, manifest.json and the figures\n"
	"  with --keep    cohesion.csv, members.csv and events.csv, one row per\n"
	"                 replication and sample time (or event)\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR        output folder (default: out/<scenario name>/)\n"
	"  -r, --replications N    replications to run (overrides the scenario)\n"
	"      --seed S            seed, 0 to 2^63 - 1 (overrides the scenario)\n"
	"  -j, --jobs N            worker threads (default: online CPUs); the\n"
	"                          results never depend on it\n"
	"      --set PATH=VALUE    change one setting before validation, e.g.\n"
	"                          --set members.ARM.freeze=0.3 (repeatable)\n"
	"      --include-root DIR  folder that @include may not leave\n"
	"                          (default: the parent of the scenario's folder)\n"
	"      --plot FORMAT       png (default), svg, pdf, dumb (text on\n"
	"                          stdout) or none\n"
	"      --keep LIST         per-replication files to write, a comma list\n"
	"                          of summary (none of them), cohesion, members,\n"
	"                          events, all (default: all up to 100\n"
	"                          replications, summary above)\n"
	"      --max-memory GB     refuse runs whose summaries would take more\n"
	"                          (default: half of this machine's memory)\n"
	"  -q, --quiet             no progress and no closing message\n"
	"  -h, --help              show this help\n";

enum {
	OPT_OUTPUT = 1, OPT_REPS, OPT_SEED, OPT_JOBS, OPT_SET, OPT_ROOT,
	OPT_PLOT, OPT_KEEP, OPT_MEMORY, OPT_QUIET, OPT_HELP
};

static const cli_option run_options[] = {
	{"output", 'o', 1, OPT_OUTPUT},
	{"replications", 'r', 1, OPT_REPS},
	{"seed", 0, 1, OPT_SEED},
	{"jobs", 'j', 1, OPT_JOBS},
	{"set", 0, 1, OPT_SET},
	{"include-root", 0, 1, OPT_ROOT},
	{"plot", 0, 1, OPT_PLOT},
	{"keep", 0, 1, OPT_KEEP},
	{"max-memory", 0, 1, OPT_MEMORY},
	{"quiet", 'q', 0, OPT_QUIET},
	{"help", 'h', 0, OPT_HELP},
	{NULL, 0, 0, 0},
};

typedef struct run_args {
	const char *scenario;
	const char *output;
	const char *include_root;
	int have_reps, have_seed;
	uint64_t reps, seed, jobs;
	coh_plot_format plot;
	unsigned keep;
	int keep_given;
	double max_memory;      /* bytes */
	int quiet;
	cli_strings overrides;
} run_args;

/* Signal number that asked the run to stop, 0 while none has.  The one
 * piece of process-wide state: a signal handler has nowhere else to put
 * it. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int signo)
{
	stop_signal = signo;
}

/* SA_RESETHAND: the first signal asks for a clean stop after the
 * replication in flight; a second one gets the default action (exit). */
static void catch_stop_signals(struct sigaction *saved_int,
			       struct sigaction *saved_term)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, saved_int);
	sigaction(SIGTERM, &sa, saved_term);
}

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

static int parse_args(run_args *a, int argc, char **argv, int first)
{
	cli_parser p;
	const char *v;
	int id;
	cli_parser_init(&p, "run", run_options, argc, argv, first);
	while ((id = cli_next(&p, &v)) != CLI_NEXT_END) {
		switch (id) {
		case CLI_NEXT_ERROR:
			return CLI_USAGE;
		case CLI_NEXT_POSITIONAL:
			if (a->scenario)
				return cli_usage_error(
					"run",
					"expected one SCENARIO, got '%s' and "
					"'%s'",
					a->scenario, v);
			a->scenario = v;
			break;
		case OPT_OUTPUT:
			if (!v[0])
				return cli_usage_error(
					"run", "-o expects a folder, got \"\"");
			a->output = v;
			break;
		case OPT_REPS:
			if (cli_opt_replications("run", v, &a->reps))
				return CLI_USAGE;
			a->have_reps = 1;
			break;
		case OPT_SEED:
			if (cli_opt_seed("run", v, &a->seed))
				return CLI_USAGE;
			a->have_seed = 1;
			break;
		case OPT_JOBS:
			if (cli_opt_jobs("run", v, &a->jobs))
				return CLI_USAGE;
			break;
		case OPT_SET: {
			int st = cli_opt_set("run", v, &a->overrides);
			if (st)
				return st;
			break;
		}
		case OPT_ROOT:
			a->include_root = v;
			break;
		case OPT_PLOT:
			if (cli_opt_plot("run", v, &a->plot))
				return CLI_USAGE;
			break;
		case OPT_KEEP:
			if (parse_keep(&a->keep, v) != 0)
				return cli_usage_error(
					"run",
					"--keep expects a comma list of "
					"summary, cohesion, members, events or "
					"all, got \"%s\"",
					v);
			a->keep_given = 1;
			break;
		case OPT_MEMORY:
			if (cli_opt_memory("run", v, &a->max_memory))
				return CLI_USAGE;
			break;
		case OPT_QUIET:
			a->quiet = 1;
			break;
		case OPT_HELP:
			fputs(run_help, stdout);
			return -1;
		}
	}
	if (!a->scenario)
		return cli_usage_error("run", "missing SCENARIO");
	return CLI_OK;
}

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
	coh_run_writer *writer;         /* per-replication files, or NULL */
	coh_summary_set *summaries;     /* filled by the workers */
	coh_outcomes *outcomes;
	coh_error err;
} run_sink;

static int prepare_replication(void *ctx, int worker,
			       coh_trace *const *traces, size_t n_models)
{
	(void)n_models;
	run_sink *sink = ctx;
	int rc = coh_summary_set_add(sink->summaries, worker, traces[0],
				     NULL);
	return rc ? rc : coh_outcomes_format(traces[0]);
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
	return coh_outcomes_write(sink->outcomes, t->text, t->text_len,
				  &sink->err);
}


static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)total;
	cli_progress_update(ctx, done);
}

int cli_write_resolved(const char *dir, const coh_scenario *sc,
		       coh_error *err)
{
	coh_atomic_file *f;
	int rc = coh_atomic_open_in(&f, dir, "scenario.resolved.cfg", 0, err);
	if (rc)
		return rc;
	rc = coh_scenario_write_resolved(sc, coh_atomic_stream(f), err);
	if (rc) {
		coh_atomic_abort(f);
		return rc;
	}
	return coh_atomic_commit(f, err);
}

/* The files of a finished run, for the manifest and the closing line. */
typedef struct file_list {
	const char *names[16];
	size_t count;
	char **plot_files;
	size_t n_plot_files;
} file_list;

static const char *const run_figures[] = {"cohesion.gp", "members.gp",
					  "survival.gp"};

/* The whole run once the scenario is loaded; returns an exit status. */
static int run_loaded(const run_args *a, coh_scenario *sc, int argc,
		      char **argv)
{
	const coh_model *model = coh_scenario_model(sc);
	coh_error err = {0};
	char *dir = NULL;
	run_sink sink = {0};
	file_list files = {0};
	struct sigaction saved_int, saved_term;
	int catching = 0;
	int rc;
	unsigned keep = a->keep_given ? a->keep
		      : model->replications <= 100 ? COH_KEEP_ALL : 0;
	coh_plot_format format = a->plot;

	if (a->output) {
		dir = coh_strdup(a->output);
	} else {
		size_t len = strlen(model->name) + sizeof "out/" + 1;
		if ((dir = coh_malloc(len)))
			snprintf(dir, len, "out/%s/", model->name);
	}
	if (!dir) {
		rc = coh_error_set(&err, COH_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	/* The engine first: a model it refuses leaves no empty folder. */
	coh_sim *probe = NULL;
	rc = coh_sim_alloc(&probe, model, &err);
	coh_sim_free(probe);
	if (rc) {
		/* What the engine refuses is in the scenario: name it. */
		if (!err.file[0])
			snprintf(err.file, sizeof err.file, "%s", a->scenario);
		goto fail;
	}
	/* no more workers (and summaries) than replications */
	size_t n_workers = a->jobs < model->replications
			   ? (size_t)a->jobs : (size_t)model->replications;
	if ((rc = cli_check_memory(coh_summary_set_bytes(model, 0,
							 (int)n_workers),
				   a->max_memory, a->scenario, &err)) ||
	    (rc = coh_output_mkdirs(dir, &err)) != 0)
		goto fail;

	/* Caught from before the first temporary is created until the last
	 * file is renamed, so that a signal never leaves temporaries. */
	stop_signal = 0;
	catch_stop_signals(&saved_int, &saved_term);
	catching = 1;
	/* opened even when it keeps nothing: it clears an earlier run's
	 * per-replication files */
	if ((rc = coh_run_writer_open(&sink.writer, dir, model, keep, &err)))
		goto fail;
	if ((rc = coh_summary_set_alloc(&sink.summaries, model, 0,
					(int)n_workers, &err)) ||
	    (rc = coh_outcomes_open(&sink.outcomes, dir, model, &err)))
		goto fail;

	cli_progress progress;
	cli_progress_start(&progress, model->replications, a->quiet);
	coh_mc_options mo = {
		.seed = model->seed, .replications = model->replications,
		.threads = (int)n_workers, .keep_events =
			(keep & COH_KEEP_EVENTS) != 0,
		.prepare = prepare_replication, .prepare_ctx = &sink,
		.progress = show_progress, .progress_ctx = &progress,
		.stop = &stop_signal,
	};
	uint64_t done = 0;
	rc = coh_mc_run(&model, 1, &mo, take_replication, &sink, &done, &err);
	cli_progress_finish(&progress);
	double wall = cli_progress_elapsed(&progress);
	int interrupted = rc == COH_ECANCEL;
	if (rc && !interrupted) {
		if (sink.err.code)
			err = sink.err;
		goto fail;
	}

	/* An earlier run's manifest goes first: from here until the new one
	 * is written, the folder holds a mix, and no manifest says so. */
	char *path = coh_output_path(dir, "manifest.json");
	if (!path) {
		rc = coh_error_set(&err, COH_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		rc = coh_error_set(&err, COH_EIO, path, 0,
				   "cannot remove the old manifest: %s",
				   strerror(errno));
		coh_free(path);
		goto fail;
	}
	coh_free(path);
	if (sink.writer) {
		size_t n_run;
		const char *const *names = coh_run_writer_files(sink.writer,
								&n_run);
		for (size_t i = 0; i < n_run; i++)
			files.names[files.count++] = names[i];
		rc = coh_run_writer_commit(sink.writer, &err);
		sink.writer = NULL;
		if (rc)
			goto fail;
	}
	rc = coh_outcomes_commit(sink.outcomes, &err);
	sink.outcomes = NULL;
	const coh_summary *summary = NULL;
	if (!rc)
		rc = coh_summary_set_merge(sink.summaries, &summary, &err);
	if (rc || (rc = coh_report_summary(dir, summary, model, &err)) ||
	    (rc = coh_report_survival(dir, summary, model, &err)) ||
	    (rc = coh_report_timeline(dir, model, &err)) ||
	    (rc = cli_write_resolved(dir, sc, &err)))
		goto fail;
	static const char *const reports[] = {
		"outcomes.csv", "summary.csv", "survival.csv", "timeline.csv",
		"scenario.resolved.cfg"};
	for (size_t i = 0; i < sizeof reports / sizeof *reports; i++)
		files.names[files.count++] = reports[i];

	if (format != COH_PLOT_NONE && done > 0) {
		if (format == COH_PLOT_DUMB)
			fflush(stdout);
		rc = cli_draw(dir, model, run_figures,
			      sizeof run_figures / sizeof *run_figures, NULL, 0,
			      format,
			      &files.plot_files, &files.n_plot_files, &err);
		if (rc)
			goto fail;
	}
	const char **all = coh_calloc(files.count + files.n_plot_files + 1,
				      sizeof *all);
	if (!all) {
		rc = coh_error_set(&err, COH_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	size_t n_all = 0;
	for (size_t i = 0; i < files.count; i++)
		all[n_all++] = files.names[i];
	for (size_t i = 0; i < files.n_plot_files; i++)
		all[n_all++] = files.plot_files[i];
	coh_manifest manifest = {
		.dir = dir, .argc = argc, .argv = argv,
		.scenario_path = a->scenario, .model = model,
		.replications = done, .requested = model->replications,
		.interrupted = interrupted, .wall_seconds = wall,
		.files = all, .n_files = n_all,
	};
	rc = coh_manifest_write(&manifest, &err);
	if (!rc)
		all[n_all++] = "manifest.json";
	if (!rc && (!a->quiet || interrupted))
		print_wrote(dir, all, n_all, interrupted, done,
			    model->replications);
	coh_free(all);
	if (rc)
		goto fail;

	sigaction(SIGINT, &saved_int, NULL);
	sigaction(SIGTERM, &saved_term, NULL);
	coh_summary_set_free(sink.summaries);
	coh_plot_files_free(files.plot_files, files.n_plot_files);
	coh_free(dir);
	/* Shells report death by signal N as 128 + N; a stopped run says
	 * the same, though it exited cleanly. */
	return interrupted ? 128 + stop_signal : CLI_OK;

fail:
	if (catching) {
		sigaction(SIGINT, &saved_int, NULL);
		sigaction(SIGTERM, &saved_term, NULL);
	}
	cli_print_error(&err);
	coh_run_writer_abort(sink.writer);
	coh_outcomes_abort(sink.outcomes);
	coh_summary_set_free(sink.summaries);
	coh_plot_files_free(files.plot_files, files.n_plot_files);
	coh_free(dir);
	return cli_exit_status(rc);
}

int cli_run(int argc, char **argv, int first)
{
	run_args a;
	memset(&a, 0, sizeof a);
	a.keep = COH_KEEP_ALL;
	a.plot = COH_PLOT_PNG;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	a.jobs = cpus > 0 ? (uint64_t)cpus : 1;
	a.max_memory = cli_default_memory();

	int status = parse_args(&a, argc, argv, first);
	if (status != CLI_OK) {
		cli_strings_free(&a.overrides);
		return status < 0 ? CLI_OK : status;
	}

	/* -r and --seed go in as overrides, after any --set, so that they win
	 * and the resolved scenario records them. */
	/* the overrides point into these until the end */
	/* cppcheck-suppress variableScope */
	char reps[64], seed[64];
	int nomem = 0;
	if (a.have_reps) {
		snprintf(reps, sizeof reps, "scenario.replications=%" PRIu64,
			 a.reps);
		nomem = nomem || cli_strings_push(&a.overrides, reps);
	}
	if (a.have_seed) {
		snprintf(seed, sizeof seed, "scenario.seed=%" PRIu64, a.seed);
		nomem = nomem || cli_strings_push(&a.overrides, seed);
	}
	if (nomem) {
		cli_strings_free(&a.overrides);
		return CLI_ERROR;
	}

	coh_scenario *sc = NULL;
	status = cli_load(&sc, a.scenario, a.include_root, a.overrides.items,
			  a.overrides.count);
	cli_strings_free(&a.overrides);
	if (status != CLI_OK)
		return status;
	status = run_loaded(&a, sc, argc, argv);
	coh_scenario_free(sc);
	return status;
}
