/* Private interface of the cohesim binary: the commands, the option parser
 * they share, progress display and the helpers that turn errors into
 * messages and exit statuses (design/CLI.md). */
#ifndef COH_CLI_H
#define COH_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cohesim/error.h"
#include "cohesim/plot.h"
#include "cohesim/scenario.h"

/* Exit statuses. */
enum { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2 };

/*--- Commands: each gets the whole command line (for the manifest) and the
 *--- index of its first argument after the command name. ---*/

int cli_run(int argc, char **argv, int first);
int cli_validate(int argc, char **argv, int first);
int cli_describe(int argc, char **argv, int first);
int cli_compare(int argc, char **argv, int first);
int cli_sweep(int argc, char **argv, int first);
int cli_plot(int argc, char **argv, int first);

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

/* A growing list of borrowed strings (--set values). */
typedef struct cli_strings {
	const char **items;
	size_t count, capacity;
} cli_strings;

/* Appends; returns 0, or COH_ENOMEM after saying so on stderr. */
int cli_strings_push(cli_strings *list, const char *text);
void cli_strings_free(cli_strings *list);

/* The options several commands share, checked the same way everywhere:
 * each stores the value and returns CLI_OK, or prints the usage error
 * for `command` and returns CLI_USAGE. */
int cli_opt_replications(const char *command, const char *text,
			 uint64_t *out);     /* -r: >= 1 */
int cli_opt_seed(const char *command, const char *text,
		 uint64_t *out);             /* --seed: 0 .. 2^63 - 1 */
int cli_opt_jobs(const char *command, const char *text,
		 uint64_t *out);             /* -j: 1 .. 1024 */
int cli_opt_plot(const char *command, const char *text,
		 coh_plot_format *out);      /* --plot */
/* --max-memory GB, as bytes. */
int cli_opt_memory(const char *command, const char *text, double *bytes);
/* The default memory limit: half of the machine's memory. */
double cli_default_memory(void);
/* Refuses (COH_EINPUT, naming file) summaries that would take more than
 * limit bytes, saying how to need less. */
int cli_check_memory(double need, double limit, const char *file,
		     coh_error *err);
int cli_opt_set(const char *command, const char *text,
		cli_strings *overrides);     /* --set PATH=VALUE */

/*--- Messages and loading (main.c) ---*/

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



/*--- Figures (figures.c) ---*/

/* Draws the given figures in dir (plot templates by name; a sweep's axes
 * for the sweep figure), appending the files written to *files; a missing
 * gnuplot is a warning on stderr, not an error. */
int cli_draw(const char *dir, const coh_model *model,
	     const char *const *figures, size_t n_figures,
	     const char *const *axes, size_t n_axes, coh_plot_format format,
	     char ***files, size_t *n_files, coh_error *err);

/* Writes dir/scenario.resolved.cfg atomically (run.c). */
int cli_write_resolved(const char *dir, const coh_scenario *scenario,
		       coh_error *err);

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

#endif
