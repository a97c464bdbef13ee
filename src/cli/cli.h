/* Private interface of the cohesim binary: the commands, the option parser
 * they share, the helpers every command uses to load scenarios, report
 * errors and write their folders, and progress display (README.md has the tour). */
#ifndef COH_CLI_H
#define COH_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cohesim/error.h"
#include "cohesim/plot.h"
#include "cohesim/qoi.h"
#include "cohesim/scenario.h"

/* Exit statuses. */
enum { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2 };

/*--- Commands: each gets the whole command line (for the manifest) and the
 *--- index of its first argument after the command name (main.c holds
 *--- the table that dispatches to them). ---*/

int cli_run(int argc, char **argv, int first);
int cli_validate(int argc, char **argv, int first);
int cli_describe(int argc, char **argv, int first);
int cli_compare(int argc, char **argv, int first);
int cli_sweep(int argc, char **argv, int first);
int cli_plot(int argc, char **argv, int first);
int cli_attribute(int argc, char **argv, int first);
int cli_sensitivity(int argc, char **argv, int first);
int cli_calibrate(int argc, char **argv, int first);
int cli_backtest(int argc, char **argv, int first);
int cli_init(int argc, char **argv, int first);
int cli_import(int argc, char **argv, int first);

/*--- Options (args.c) ---*/

typedef struct cli_option {
	const char *long_name;  /* without the dashes; NULL ends a table */
	char short_name;        /* 0: none */
	int takes_value;
	int id;                 /* > 0, returned by cli_next */
} cli_option;

/* Walks one command's arguments: options may come before or after the
 * positional ones, "--opt=value", "--opt value", "-o value" and "-ovalue"
 * all work, and "--" ends the options. */
typedef struct cli_parser {
	const char *command;            /* "run", for messages */
	const cli_option *options;
	const cli_option *more;         /* a second table, or NULL */
	int argc;
	char **argv;
	int index;
	int options_done;               /* after "--" */
} cli_parser;

enum {
	CLI_NEXT_END = 0,               /* no arguments left */
	CLI_NEXT_POSITIONAL = -1,       /* *value is a positional argument */
	CLI_NEXT_ERROR = -2             /* usage error, already printed */
};

void cli_parser_init(cli_parser *p, const char *command,
		     const cli_option *options, int argc, char **argv,
		     int first);

/* The next option's id (its value, if it takes one, in *value),
 * CLI_NEXT_POSITIONAL, CLI_NEXT_END or CLI_NEXT_ERROR. */
int cli_next(cli_parser *p, const char **value);

/* Prints "cohesim: COMMAND: message" and "Try 'cohesim COMMAND --help'."
 * on stderr and returns CLI_USAGE.  command NULL: the top level. */
int cli_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A whole number (decimal digits only, no sign) >= min that fits 64 bits,
 * into *out; -1 for anything else. */
int cli_parse_uint(uint64_t *out, const char *text, uint64_t min);

/* A growing list of borrowed strings (--set values; common.c). */
typedef struct cli_strings {
	const char **items;
	size_t count, capacity;
} cli_strings;

/* Appends; returns 0, or COH_ENOMEM after saying so on stderr. */
int cli_strings_push(cli_strings *list, const char *text);
void cli_strings_free(cli_strings *list);

/* --set PATH=VALUE, checked and appended to overrides: CLI_OK, or
 * CLI_USAGE / CLI_ERROR after saying why (for commands that take --set
 * without the other shared options: validate, describe). */
int cli_opt_set(const char *command, const char *text,
		cli_strings *overrides);

/*--- The shared options (args.c) ---*/

/* What run, compare, sweep and the analysis commands to come
 * (sensitivity, calibration, attribution) all take, parsed in one place,
 * with the same checks and messages for every command:
 *   -o DIR, -r N, --seed S, -j N, --set PATH=VALUE..., --include-root DIR,
 *   --plot FORMAT, -q, --max-memory GB, --qoi Q... (for the commands that
 *   say they take it), and -h. */
typedef struct cli_common_opts {
	const char *output;             /* -o; NULL: the command's default */
	const char *include_root;       /* NULL: the scenario's default */
	int have_reps, have_seed;       /* -r and --seed were given */
	uint64_t reps, seed;
	uint64_t jobs;                  /* default: the online CPUs */
	coh_plot_format plot;           /* default: png */
	double max_memory;              /* bytes; default: half the memory */
	int quiet;
	const char *title;              /* --title for the figures, or NULL */
	/* Every --set in order, then -r and --seed as the settings
	 * scenario.replications and scenario.seed, so that they win and the
	 * resolved scenario records them: ready for cli_common_load. */
	cli_strings overrides;
	size_t n_set;                   /* of which the first n_set are --set */
	char reps_setting[64], seed_setting[64];  /* what those point to */
	/* --qoi texts in order, parsed against the model once it is loaded
	 * (cli_common_qoi) */
	cli_strings qoi;
} cli_common_opts;

/* The ids of the shared options; a command's own options take ids below
 * CLI_OPT_COMMON. */
enum { CLI_OPT_COMMON = 1000 };

/* One command's part of its command line. */
typedef struct cli_command_args {
	const char *name;               /* "compare", for messages */
	const char *help;               /* what --help prints on stdout */
	const cli_option *options;      /* its own options, or NULL */
	/* Takes one of its own options (id and value, "" for a flag) or a
	 * positional argument (id CLI_NEXT_POSITIONAL); returns CLI_OK, or
	 * the exit status after printing why not. */
	int (*take)(void *ctx, int id, const char *value);
	/* whether it takes --qoi (docs/analysis.md); the
	 * others refuse it rather than ignore it */
	int takes_qoi;
} cli_command_args;

/* cli_common_parse's answer after --help: the help is printed, the command
 * ends with exit status 0. */
enum { CLI_HELP_SHOWN = -1 };

/* Parses argv[first..] for the command: fills *o (defaults first), hands
 * its own options and positional arguments to cmd->take(ctx, ...).
 * Returns CLI_OK, CLI_HELP_SHOWN, or CLI_USAGE / CLI_ERROR after printing
 * the message.  *o owns memory in every case: cli_common_free it. */
int cli_common_parse(cli_common_opts *o, const cli_command_args *cmd,
		     void *ctx, int argc, char **argv, int first);
void cli_common_free(cli_common_opts *o);
/* Reads path once (*source, from which every point or particle is built)
 * and loads the base from it with the shared overrides (*base), printing
 * every problem when print is set (rank 0 under MPI).  CLI_OK, or
 * CLI_ERROR with both NULL. */
int cli_common_read_once(coh_scenario_source **source, coh_scenario **base,
			 const cli_common_opts *o, const char *path,
			 int print);
/* Puts setting ("scenario.replications=1") first among the overrides, so
 * that it is the command's default and a --set of it still wins: for the
 * analysis commands, whose replications count per point.  CLI_OK or
 * CLI_ERROR (out of memory, said). */
int cli_common_default_setting(cli_common_opts *o, const char *setting);
/* The figures' title: --title, else the scenario's title, else its name. */
const char *cli_figure_title(const cli_common_opts *o, const coh_model *m);

/* Loads path with the shared options' overrides and include root: as
 * cli_load. */
int cli_common_load(coh_scenario **out, const cli_common_opts *o,
		    const char *path);

/* run's default output folder: out/NAME/, and with --set overrides
 * out/NAME-set-H/, H the first 8 hex digits of their SHA-256, so that
 * results with other settings never land in the folder of the scenario's
 * own.  NULL (err set) when out of memory. */
char *cli_default_dir(const char *name, const char *const *sets,
		      size_t n_sets, coh_error *err);
/* Before writing into a default folder: refuses (COH_EINPUT, naming -o)
 * when its manifest.json says it holds the results of another scenario
 * file or of other --set values (or cannot be read); 0 when it holds
 * none, or these. */
int cli_check_default_dir(const char *dir, const char *path,
			  const char *const *sets, size_t n_sets,
			  coh_error *err);

/* The numbers `run` ends with (headline.c), computed once for stdout and
 * report.html: cohesion and each member's commitment and status shares
 * at the last sample, with their 95% intervals. */
typedef struct cli_headline_member {
	coh_qoi_estimate commitment;
	coh_qoi_estimate frozen_ever, frozen_now, exited;  /* shares */
} cli_headline_member;

typedef struct cli_headline {
	uint64_t replications;  /* 0: nothing to show */
	char date[16];          /* of the last sample */
	coh_qoi_estimate cohesion;
	size_t n_members;       /* the model's, in its order */
	cli_headline_member *members;
} cli_headline;

/* Fills *h from a merged summary (h->replications 0 when it holds no
 * replication or sample).  0, or COH_ENOMEM with err set.  Free with
 * cli_headline_free (also after a failure). */
struct coh_summary;
int cli_headline_fill(cli_headline *h, const struct coh_summary *summary,
		      const coh_model *model, coh_error *err);
void cli_headline_free(cli_headline *h);
/* The headline as lines on stdout. */
void cli_headline_print(const cli_headline *h, const coh_model *model);
/* "0.712 [0.701, 0.723]", or "-" without a value, in buf (48 bytes);
 * returns buf. */
const char *cli_headline_cell(char buf[48], coh_qoi_estimate e, int digits);

/* report.html (report.c): what every command's page shows.  Borrowed. */
typedef struct cli_report_page {
	const char *dir;
	const coh_model *model;         /* run's, or compare's BASE */
	const coh_model *alt;           /* compare's ALT, or NULL */
	const char *title;              /* the figures' title (with --set) */
	const char *intro;              /* what the page is, plain text */
	int argc;
	char *const *argv;
	uint64_t done, requested;       /* replications */
	int interrupted;
	/* the figures as SVG texts (NULL where none), and their captions */
	char *const *svg;
	const char *const *captions;
	size_t n_figures;
	int gnuplot_missing;
	const char *no_figures;         /* why there are none, or NULL */
	/* the files beside the page, by name; those with data (.csv, .cfg)
	 * are linked */
	const char *const *data;
	size_t n_data;
} cli_report_page;

/* Writes dir/report.html for run atomically: self-contained (CSS and
 * figures inline, no script, no external reference), every scenario
 * string escaped.  0, COH_EIO or COH_ENOMEM with err set. */
int cli_report_run(const cli_report_page *page, const cli_headline *h,
		   coh_error *err);

/* The caption of a figure of run or compare, by its template's name
 * (cohesion.gp, members.gp, survival.gp, compare.gp); "" for another. */
const char *cli_report_caption(const char *figure);

/* For `cohesim plot DIR` on the folder of a run or a comparison: writes
 * dir/report.html again with page's figures in place of its figures'
 * section (page->dir and the figure fields are used; the tables stay as
 * the command wrote them, for the data did not change), atomically, and
 * updates its size in the manifest.  0, or COH_EINPUT (the page has no
 * such section), COH_EIO, COH_ENOMEM with err set. */
int cli_report_refigure(const cli_report_page *page, coh_error *err);

/* The numbers compare ends with, computed once for stdout and
 * report.html: at the last sample, each metric's mean under BASE and ALT
 * and the mean paired difference with its 95% interval; each member's
 * shares of replications frozen (by then, and then) and exited. */
typedef struct cli_compare_metric {
	const char *name;               /* the summary's */
	double base, alt, diff, lo, hi;
} cli_compare_metric;

typedef struct cli_compare_member {
	const char *id;         /* a member both scenarios have */
	double frozen_by[2], frozen_now[2], exited[2];  /* BASE, ALT */
} cli_compare_member;

typedef struct cli_compare_table {
	char date[16];
	uint64_t pairs;
	size_t n_metrics;
	cli_compare_metric *metrics;
	size_t n_members;
	cli_compare_member *members;
	/* members that only one scenario has (compare pairs by id) */
	size_t n_only[2];       /* BASE's, ALT's */
	const char **only[2];
} cli_compare_table;

/* report.html for compare, as cli_report_run. */
int cli_report_compare(const cli_report_page *page,
		       const cli_compare_table *t, coh_error *err);

/* report.html of a folder whose results are all on disk: a sweep's, an
 * attribution's, a sensitivity analysis's, a calibration's or a
 * backtest's.  The page is built from the
 * folder's files alone (manifest.json, the CSV tables) and the figure
 * drawn once more as SVG, so that the command and `cohesim plot DIR`
 * write the same page.  Borrowed. */
typedef enum cli_folder_kind {
	CLI_FOLDER_SWEEP, CLI_FOLDER_ATTRIBUTE, CLI_FOLDER_SENSITIVITY,
	CLI_FOLDER_CALIBRATE, CLI_FOLDER_BACKTEST
} cli_folder_kind;

struct cli_figure_opts;
typedef struct cli_folder_report {
	const char *dir;
	cli_folder_kind kind;
	/* the page's title: --title, or the scenario's */
	const char *title;
	/* the resolved scenario, its title the figure's (which may say
	 * more: the method of an analysis) */
	const coh_model *model;
	/* the figure as the command draws it: its template (sweep.gp,
	 * attribution.gp, sensitivity.gp or morris.gp), its axes (a
	 * sweep's paths, the QoIs) and the user's choices (or NULL) */
	const char *figure;
	/* or, when n_figures > 0, these templates (a calibration's:
	 * calibration.gp, generations.gp and, with two priors or more,
	 * pairs.gp), in this order on the page */
	const char *const *figures;
	size_t n_figures;
	const char *const *axes;
	size_t n_axes;
	const struct cli_figure_opts *opts;
	/* plot's: without gnuplot, leave the page as it is */
	int keep_without_gnuplot;
} cli_folder_report;

/* Writes dir/report.html atomically (a headline from manifest.json, the
 * command's table from its CSV file, capped with a note, the figure
 * inline, links to the data) and lists it in dir/manifest.json; *written
 * (may be NULL) says whether it did, which it does not only under
 * keep_without_gnuplot.  A figure gnuplot fails on is a warning on
 * stderr and a note on the page.  0, or COH_EINPUT (a file of the folder
 * is missing or malformed), COH_EIO, COH_ENOMEM with err set. */
int cli_report_folder(const cli_folder_report *r, int *written,
		      coh_error *err);

/* The --qoi values parsed against model into a new set (*out, free with
 * coh_qoi_set_free; empty when none was given): CLI_OK, or CLI_USAGE
 * after "cohesim: COMMAND: --qoi 'Q': what is wrong", or CLI_ERROR. */
struct coh_qoi_set;
struct coh_model;
int cli_common_qoi(struct coh_qoi_set **out, const cli_common_opts *o,
		   const char *command, const struct coh_model *model);

/*--- Helpers every command uses (common.c) ---*/

/* "cohesim: file:line: message" on stderr. */
void cli_print_error(const coh_error *err);

/* The exit status for a COH_E* status. */
int cli_exit_status(int code);

/* Prints every error of diag; when it holds none though rc says the call
 * failed (the list could not grow), a line for rc naming file. */
void cli_print_diag(const coh_diag *diag, int rc, const char *file);

/* Loads path with the given overrides and include root, printing every
 * problem; returns CLI_OK with *out set, or CLI_ERROR. */
int cli_load(coh_scenario **out, const char *path, const char *include_root,
	     const char *const *overrides, size_t n_overrides);

/* The output folder, a new string (the caller coh_frees it): a copy of
 * given, or else the default that fmt and its arguments format, of any
 * length.  Sets err and returns NULL when out of memory. */
char *cli_output_dir(const char *given, coh_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Creates dir and its missing parents, as coh_output_mkdirs; *created
 * receives the topmost folder this made (a new string), or NULL when dir
 * was already there, so that cli_remove_created can undo it. */
int cli_mkdirs(const char *dir, char **created, coh_error *err);

/* Removes dir and its parents up to created (from cli_mkdirs), as long as
 * they are empty; created NULL: nothing.  Frees created. */
void cli_remove_created(const char *dir, char *created);

/* Writes dir/scenario.resolved.cfg atomically. */
int cli_write_resolved(const char *dir, const coh_scenario *scenario,
		       coh_error *err);

/* --report html|none for command: CLI_OK with *none set, or CLI_USAGE
 * after saying what it expects. */
int cli_opt_report(const char *command, const char *value, int *none);

/* Removes an earlier run's dir/name, if there is one, so that the folder
 * holds only what this run wrote (an optional file: qoi.csv, or
 * report.html under --report none).  0, or COH_EIO / COH_ENOMEM with err
 * set. */
int cli_remove_stale(const char *dir, const char *name, coh_error *err);

/* The default memory limit: half of the machine's memory. */
double cli_default_memory(void);
/* Refuses (COH_EINPUT, naming file) what would take more than limit bytes
 * of memory: "WHAT would take N of memory, more than the limit of M;
 * ADVICE, or raise the limit with --max-memory GB". */
int cli_check_memory_for(double need, double limit, const char *what,
			 const char *advice, const char *file,
			 coh_error *err);
/* The same for the summaries of run and compare, with what to change. */
int cli_check_memory(double need, double limit, const char *file,
		     coh_error *err);

/* Ctrl-C clean-up.  Between cli_signals_catch and cli_signals_restore, the
 * first SIGINT or SIGTERM only sets cli_stop_signal (the runner stops
 * after the replications in flight, and the command finishes or removes
 * its files: never a temporary left behind); a second one gets the default
 * action. */
typedef struct cli_signals {
	struct sigaction saved_int, saved_term;
	int catching;
} cli_signals;

/* The signal that asked the work to stop, 0 while none has.  The one piece
 * of process-wide state: a signal handler has nowhere else to put it. */
extern volatile sig_atomic_t cli_stop_signal;

/* Clears cli_stop_signal and installs the handler. */
void cli_signals_catch(cli_signals *s);
/* Puts the saved handlers back; nothing if s is not catching. */
void cli_signals_restore(cli_signals *s);
/* The exit status of work stopped by a signal: 128 + its number, as shells
 * report death by that signal. */
int cli_stopped_status(void);

/*--- Posterior predictive runs (posterior.c) ---*/

/* The particles of a posterior file that replications 0 .. replications
 * - 1 draw, each applied to every scenario (slot) with the shared
 * overrides.  Checks the file, that its parameters are the priors of a
 * scenario with a calibration block, and that no particle changes a
 * scenario's members, dates or sample grid.  CLI_OK, or the exit status
 * after printing why; *out is set in every case (free it). */
typedef struct cli_posterior cli_posterior;
/* Reads a posterior file and checks its columns against model's priors
 * (when it has a calibration block); CLI_OK, or the exit status after
 * printing why.  *out owns memory in every case (coh_posterior_free). */
struct coh_posterior;
int cli_posterior_read(struct coh_posterior *out, const char *file,
		       const coh_model *model);
int cli_posterior_open(cli_posterior **out, const char *file,
		       const cli_common_opts *o,
		       const char *const *scenario_paths,
		       const coh_model *const *bases, size_t n_slots,
		       uint64_t replications);
void cli_posterior_free(cli_posterior *cp);
/* A coh_mc_options.model_for callback; ctx is the cli_posterior. */
const coh_model *cli_posterior_model(void *ctx, uint64_t replication,
				     size_t slot);
/* How many distinct particles the replications drew (rows 0 .. drawn -
 * 1), the row replication r runs, and a row's model in a slot. */
size_t cli_posterior_drawn(const cli_posterior *cp);
size_t cli_posterior_row(const cli_posterior *cp, uint64_t replication);
const coh_model *cli_posterior_row_model(const cli_posterior *cp,
					 size_t row, size_t slot);

/*--- Figures (figures.c) ---*/

/* Draws the given figures in dir (plot templates by name; a sweep's axes
 * for the sweep figure), appending the files written to *files; a missing
 * gnuplot is a warning on stderr, not an error. */
int cli_draw(const char *dir, const coh_model *model,
	     const char *const *figures, size_t n_figures,
	     const char *const *axes, size_t n_axes, coh_plot_format format,
	     char ***files, size_t *n_files, coh_error *err);

/* What the user chose to see in the figures (NULL: the defaults). */
typedef struct cli_figure_opts {
	const char *members;    /* --members ID,ID... */
	const char *metric;     /* --metric of the sweep figure */
} cli_figure_opts;

/* The same, with the user's choices (NULL: none), which
 * cli_check_members and cli_check_metric have accepted. */
int cli_draw_members(const char *dir, const coh_model *model,
		     const cli_figure_opts *opts, const char *const *figures,
		     size_t n_figures, const char *const *axes,
		     size_t n_axes, coh_plot_format format, char ***files,
		     size_t *n_files, coh_error *err);
/* The same figures once more as SVG in memory, for report.html, whatever
 * --plot says: nothing is written in dir (coh_plot_svg).  svg has room
 * for n_figures pointers, each set to a new SVG text (free()) or NULL;
 * *missing is 1 when gnuplot is not installed. */
int cli_draw_svg(const char *dir, const coh_model *model,
		 const cli_figure_opts *opts, const char *const *figures,
		 size_t n_figures, const char *const *axes, size_t n_axes,
		 char **svg, int *missing, coh_error *err);
/* --members LIST for command: CLI_OK when NULL or every id is a member,
 * else CLI_USAGE after naming the unknown one and the members. */
int cli_check_members(const char *command, const char *list,
		      const coh_model *model);
/* --metric M for command: CLI_OK when NULL or one of exit, freeze,
 * exit:ID, freeze:ID with ID a member, else CLI_USAGE. */
int cli_check_metric(const char *command, const char *metric,
		     const coh_model *model);

/*--- Progress on stderr (progress.c) ---*/

typedef struct cli_progress {
	int mode;               /* 0 none, 1 redrawn bar (terminal), 2 lines */
	uint64_t total;
	struct timespec start;
	double last_shown;      /* seconds since start */
	int shown;              /* something is on the terminal line */
	const char *unit;       /* what is counted; NULL: "replications" */
	uint64_t runs_per_item; /* > 0: show the rate in runs (a sweep) */
} cli_progress;

/* Chooses the mode: nothing when quiet, a bar when stderr is a terminal,
 * else an occasional line. */
void cli_progress_start(cli_progress *p, uint64_t total, int quiet);
void cli_progress_update(cli_progress *p, uint64_t done);
/* Clears the bar, leaving the line free for the final message. */
void cli_progress_finish(cli_progress *p);
/* Seconds since cli_progress_start. */
double cli_progress_elapsed(const cli_progress *p);
/* A coh_mc_options progress callback: ctx is a cli_progress. */
void cli_progress_show(void *ctx, uint64_t done, uint64_t total);

#endif
