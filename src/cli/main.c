/* The cohesim binary: the table of commands, the top-level help and
 * version, and dispatch.  What the commands share is in common.c (helpers)
 * and args.c (the shared options).  Results go to stdout, everything else
 * to stderr. */
#ifdef COH_FP_TRAPS
#define _GNU_SOURCE     /* feenableexcept */
#include <fenv.h>
#endif
#include "cli.h"
#include "cohesim/version.h"
#include "core/alloc.h"

#include <gsl/gsl_errno.h>
#include <stdlib.h>
#ifdef COH_MPI
#include <mpi.h>
#endif
#include <stdio.h>
#include <string.h>

/* Every command: its name, the function that runs it, and the line the
 * top-level help shows for it.  A new command is one more row. */
typedef struct cli_command {
	const char *name;
	int (*main)(int argc, char **argv, int first);
	const char *usage;      /* "run SCENARIO" */
	const char *summary;    /* one line of help */
} cli_command;

static const cli_command commands[] = {
	{"run", cli_run, "run SCENARIO",
	 "simulate and write the results to a folder"},
	{"validate", cli_validate, "validate SCENARIO...",
	 "check files, print every error"},
	{"describe", cli_describe, "describe SCENARIO",
	 "print members, parameters and timeline as resolved"},
	{"sweep", cli_sweep, "sweep SCENARIO --vary PATH=SPEC...",
	 "run a design of parameter values"},
	{"compare", cli_compare, "compare BASE ALT",
	 "paired counterfactual (same random numbers)"},
	{"attribute", cli_attribute, "attribute SCENARIO --qoi Q...",
	 "what caused what: each event's, type's, file's or generator's "
	 "effect on a quantity (removal, Shapley)"},
	{"sensitivity", cli_sensitivity, "sensitivity SCENARIO --factor "
	 "PATH=LO:HI... --qoi Q...",
	 "which assumptions matter: Sobol' indices (with randomness as a "
	 "factor) or Morris screening"},
	{"calibrate", cli_calibrate, "calibrate SCENARIO",
	 "what the record supports: a posterior over the calibration "
	 "block's priors (ABC-SMC)"},
	{"backtest", cli_backtest, "backtest SCENARIO --cutoff DATE",
	 "how well the scenario cut at DATE forecasts the milestones after "
	 "it (Brier and log scores)"},
	{"plot", cli_plot, "plot DIR", "redraw the figures of a finished run"},
	{"init", cli_init, "init NAME",
	 "write NAME.cfg, a commented starter scenario"},
	{"import", cli_import, "import FORMAT FILE --scenario S",
	 "event data (ICEWS, GDELT, CSV) to a timeline fragment"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])
#define HELP_COLUMN 26          /* where the summaries start */
#define HELP_WIDTH 72           /* where they wrap */

/* text from column HELP_COLUMN, wrapped at spaces within HELP_WIDTH */
static void print_wrapped(FILE *fp, const char *text)
{
	size_t room = HELP_WIDTH - HELP_COLUMN;
	while (strlen(text) > room) {
		size_t cut = room;
		while (cut > 0 && text[cut] != ' ')
			cut--;
		if (cut == 0)
			break;
		fprintf(fp, "%.*s\n%*s", (int)cut, text, HELP_COLUMN, "");
		text += cut + 1;
	}
	fprintf(fp, "%s\n", text);
}

static void print_top_help(FILE *fp)
{
	fputs("Usage: cohesim COMMAND [OPTIONS] [ARGUMENTS]\n"
	      "\n"
	      "Simulates the cohesion of an alliance: how each member's "
	      "commitment\n"
	      "moves with events, influence and time, and when members freeze "
	      "or\n"
	      "leave.  Scenarios are libconfig files (see docs/).\n"
	      "\n"
	      "Commands:\n", fp);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		/* a usage too long for its column gets a line of its own */
		if (strlen(commands[i].usage) + 4 > HELP_COLUMN)
			fprintf(fp, "  %s\n%*s", commands[i].usage,
				HELP_COLUMN, "");
		else
			fprintf(fp, "  %-*s", HELP_COLUMN - 2,
				commands[i].usage);
		print_wrapped(fp, commands[i].summary);
	}
	fputs("\n"
	      "Options:\n"
	      "  -h, --help              show this help; 'cohesim COMMAND "
	      "--help'\n"
	      "                          shows a command's options\n"
	      "  -V, --version           show the version\n"
	      "\n"
	      "Exit status: 0 success, 1 error (scenario, I/O, numeric), 2 "
	      "usage error.\n", fp);
}

static int is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Everything after the program name; separate from main so that
 * "cohesim help COMMAND" can re-enter it as "cohesim COMMAND --help". */
static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		print_top_help(stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	if (is_help(cmd)) {
		print_top_help(stdout);
		return CLI_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("cohesim %s\n", COH_VERSION);
		return CLI_OK;
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc < 3 || strcmp(argv[2], "help") == 0) {
			print_top_help(stdout);
			return CLI_OK;
		}
		char help[] = "--help";
		char *args[] = {argv[0], argv[2], help};
		return dispatch(3, args);
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].main(argc, argv, 2);
	if (cmd[0] == '-')
		return cli_usage_error(NULL, "unknown option '%s'", cmd);
	return cli_usage_error(NULL, "unknown command '%s'", cmd);
}

/* Checks for tests, not options: COH_ALLOC_FAIL_AFTER=n makes every
 * allocation after the first n fail (tests/unit/test_faults.c runs whole
 * commands that way, for every n); builds with FP_TRAPS=1 (make check) stop
 * at the first NaN, infinity or division by zero computed anywhere, which
 * would otherwise be caught only where a value is checked. */
static void test_hooks(void)
{
	const char *n = getenv("COH_ALLOC_FAIL_AFTER");
	if (n && *n)
		coh_alloc_fail_after(strtol(n, NULL, 10));
#ifdef COH_FP_TRAPS
	feenableexcept(FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW);
#endif
}

int main(int argc, char **argv)
{
	/* GSL's default handler aborts the process; every GSL call in the
	 * library checks its status instead. */
	gsl_set_error_handler_off();
	test_hooks();
#ifdef COH_MPI
	/* Under mpirun every rank runs the command; only the commands that
	 * share their work over the ranks (sweep, sensitivity and calibrate
	 * through the sweep driver, attribute) use the other ranks, and only rank 0
	 * writes files or prints. */
	MPI_Init(&argc, &argv);
	int rank = 0;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	int shared = argc > 1 && (strcmp(argv[1], "sweep") == 0 ||
				  strcmp(argv[1], "attribute") == 0 ||
				  strcmp(argv[1], "sensitivity") == 0 ||
				  strcmp(argv[1], "calibrate") == 0);
	int status = rank == 0 || shared ? dispatch(argc, argv) : CLI_OK;
	MPI_Finalize();
	return status;
#else
	return dispatch(argc, argv);
#endif
}
