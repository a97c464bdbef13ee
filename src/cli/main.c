/* The cohesim binary: dispatches to a command, prints the top-level help
 * and version, and holds the helpers every command uses to load scenarios
 * and report errors.  Results go to stdout, everything else to stderr. */
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

static const char top_help[] =
	"Usage: cohesim COMMAND [OPTIONS] [ARGUMENTS]\n"
	"\n"
	"Simulates the cohesion of an alliance: how each member's commitment\n"
	"moves with events, influence and time, and when members freeze or\n"
	"leave.  Scenarios are libconfig files (see docs/).\n"
	"\n"
	"Commands:\n"
	"  run SCENARIO            simulate and write the results to a folder\n"
	"  validate SCENARIO...    check files, print every error\n"
	"  describe SCENARIO       print members, parameters and timeline as\n"
	"                          resolved\n"
	"  sweep SCENARIO --vary PATH=SPEC...\n"
	"                          run a design of parameter values\n"
	"  compare BASE ALT        paired counterfactual (same random numbers)\n"
	"  plot DIR                redraw the figures of a finished run\n"
	"\n"
	"Options:\n"
	"  -h, --help              show this help; 'cohesim COMMAND --help'\n"
	"                          shows a command's options\n"
	"  -V, --version           show the version\n"
	"\n"
	"Exit status: 0 success, 1 error (scenario, I/O, numeric), 2 usage "
	"error.\n";

void cli_print_error(const coh_error *err)
{
	char buf[COH_ERROR_FILE_MAX + COH_ERROR_MSG_MAX + 32];
	coh_error_format(err, buf, sizeof buf);
	fprintf(stderr, "cohesim: %s\n", buf);
}

int cli_exit_status(int code)
{
	if (code == 0)
		return CLI_OK;
	return code == COH_EUSAGE ? CLI_USAGE : CLI_ERROR;
}

void cli_print_diag(const coh_diag *diag, int rc, const char *file)
{
	for (size_t i = 0; i < diag->count; i++)
		cli_print_error(&diag->items[i]);
	if (diag->count == 0 && rc != 0) {
		/* Every failure explains itself, except when the list of
		 * explanations could not grow. */
		coh_error err;
		coh_error_set(&err, rc, file, 0, "%s",
			      rc == COH_ENOMEM ? "out of memory" : "failed");
		cli_print_error(&err);
	}
}

int cli_load(coh_scenario **out, const char *path, const char *include_root,
	     const char *const *overrides, size_t n_overrides)
{
	coh_load_options opts = {include_root, overrides, n_overrides};
	coh_diag diag = COH_DIAG_INIT;
	int rc = coh_scenario_load(out, path, &opts, &diag);
	if (rc == 0) {
		coh_diag_clear(&diag);
		return CLI_OK;
	}
	cli_print_diag(&diag, rc, path);
	coh_diag_clear(&diag);
	return CLI_ERROR;
}

int cli_strings_push(cli_strings *list, const char *text)
{
	if (list->count == list->capacity) {
		size_t cap = list->capacity ? 2 * list->capacity : 8;
		const char **items = coh_reallocarray(list->items, cap,
						      sizeof *items);
		if (!items) {
			fputs("cohesim: out of memory\n", stderr);
			return COH_ENOMEM;
		}
		list->items = items;
		list->capacity = cap;
	}
	list->items[list->count++] = text;
	return 0;
}

void cli_strings_free(cli_strings *list)
{
	coh_free(list->items);
	list->items = NULL;
	list->count = list->capacity = 0;
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
		fputs(top_help, stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	if (is_help(cmd)) {
		fputs(top_help, stdout);
		return CLI_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("cohesim %s\n", COH_VERSION);
		return CLI_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cli_run(argc, argv, 2);
	if (strcmp(cmd, "validate") == 0)
		return cli_validate(argc, argv, 2);
	if (strcmp(cmd, "describe") == 0)
		return cli_describe(argc, argv, 2);
	if (strcmp(cmd, "help") == 0) {
		if (argc < 3 || strcmp(argv[2], "help") == 0) {
			fputs(top_help, stdout);
			return CLI_OK;
		}
		char help[] = "--help";
		char *args[] = {argv[0], argv[2], help};
		return dispatch(3, args);
	}
	if (strcmp(cmd, "sweep") == 0)
		return cli_sweep(argc, argv, 2);
	if (strcmp(cmd, "compare") == 0)
		return cli_compare(argc, argv, 2);
	if (strcmp(cmd, "plot") == 0)
		return cli_plot(argc, argv, 2);
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
	/* Under mpirun every rank runs the command; only sweeps use the
	 * other ranks, and only rank 0 writes files or prints. */
	MPI_Init(&argc, &argv);
	int rank = 0;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	int status = rank == 0 || (argc > 1 && strcmp(argv[1], "sweep") == 0)
			     ? dispatch(argc, argv) : CLI_OK;
	MPI_Finalize();
	return status;
#else
	return dispatch(argc, argv);
#endif
}
