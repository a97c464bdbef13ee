/* `cohesim import FORMAT FILE --scenario S.cfg [-o FRAGMENT.events]`:
 * machine-coded event data in, a timeline fragment out (docs/import.md).
 * The input is streamed ("-" reads stdin); the fragment is written
 * atomically, or to stdout without -o; the summary goes to stderr. */
#include "cli.h"
#include "cohesim/import.h"
#include "cohesim/output.h"
#include "core/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char import_help[] =
	"Usage: cohesim import FORMAT FILE --scenario S.cfg [-o FRAGMENT.events]\n"
	"\n"
	"Turns machine-coded event data into a timeline fragment for the\n"
	"scenario: rows are matched to its members and outsiders, mapped from\n"
	"their CAMEO code to an event type, and aggregated per window, pair\n"
	"and type.  FORMAT is icews (tab-separated, header line), gdelt (the\n"
	"61-column GDELT 2.0 event export) or csv.  FILE '-' reads stdin.\n"
	"A summary of what was kept and skipped goes to stderr.\n"
	"\n"
	"Options:\n"
	"  -s, --scenario FILE     the scenario the events are for (required)\n"
	"  -o, --output FILE       write the fragment here, atomically\n"
	"                          (default: stdout)\n"
	"      --mapping FILE      CAMEO rules replacing the default mapping\n"
	"      --actors FILE       aliases: lines 'ID alias words'\n"
	"      --against ID        the outsider imported assistance requests\n"
	"                          are against (without it they are skipped)\n"
	"      --window DAYS       days aggregated into one event (default 1)\n"
	"      --cap X             largest count scale, >= 1 (default 2)\n"
	"      --strict            stop at the first malformed row\n"
	"      --print-mapping     print the default mapping and exit\n"
	"      --include-root DIR  folder that the scenario's @include may\n"
	"                          not leave\n"
	"  -q, --quiet             no summary\n"
	"  -h, --help              show this help\n"
	"\n"
	"csv columns (header names; defaults in brackets):\n"
	"      --date COL [date]  --source COL [source]  --target COL [target]\n"
	"      --code COL [code]  --goldstein COL [goldstein, if present]\n"
	"      --id COL [id, if present]  --separator C [,]\n";

enum {
	OPT_SCENARIO = 1, OPT_OUTPUT, OPT_MAPPING, OPT_ACTORS, OPT_AGAINST,
	OPT_WINDOW, OPT_CAP, OPT_STRICT, OPT_PRINT, OPT_ROOT, OPT_QUIET,
	OPT_HELP, OPT_DATE, OPT_SOURCE, OPT_TARGET, OPT_CODE, OPT_GOLDSTEIN,
	OPT_ID, OPT_SEPARATOR
};

static const cli_option import_options[] = {
	{"scenario", 's', 1, OPT_SCENARIO},
	{"output", 'o', 1, OPT_OUTPUT},
	{"mapping", 0, 1, OPT_MAPPING},
	{"actors", 0, 1, OPT_ACTORS},
	{"against", 0, 1, OPT_AGAINST},
	{"window", 0, 1, OPT_WINDOW},
	{"cap", 0, 1, OPT_CAP},
	{"strict", 0, 0, OPT_STRICT},
	{"print-mapping", 0, 0, OPT_PRINT},
	{"include-root", 0, 1, OPT_ROOT},
	{"quiet", 'q', 0, OPT_QUIET},
	{"help", 'h', 0, OPT_HELP},
	{"date", 0, 1, OPT_DATE},
	{"source", 0, 1, OPT_SOURCE},
	{"target", 0, 1, OPT_TARGET},
	{"code", 0, 1, OPT_CODE},
	{"goldstein", 0, 1, OPT_GOLDSTEIN},
	{"id", 0, 1, OPT_ID},
	{"separator", 0, 1, OPT_SEPARATOR},
	{NULL, 0, 0, 0},
};

static void warn_row(void *ctx, const coh_error *err)
{
	(void)ctx;
	char buf[COH_ERROR_FILE_MAX + COH_ERROR_MSG_MAX + 16];
	coh_error_format(err, buf, sizeof buf);
	fprintf(stderr, "cohesim: %s\n", buf);
}

/* The command line as one string for the fragment's header. */
static char *command_line(int argc, char **argv)
{
	size_t len = sizeof "cohesim";
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = coh_malloc(len);
	if (!s)
		return NULL;
	size_t n = 0;
	for (int i = 0; i < argc; i++) {
		/* the program's path says nothing about the data */
		const char *word = i == 0 ? "cohesim" : argv[i];
		size_t w = strlen(word);
		if (i)
			s[n++] = ' ';
		memcpy(s + n, word, w);
		n += w;
	}
	s[n] = '\0';
	return s;
}

typedef struct import_args {
	const char *format, *file, *scenario, *output, *root;
	int quiet, print_mapping, positional;
	coh_import_options opts;
} import_args;

static int take(import_args *a, int id, const char *v)
{
	char *end;
	switch (id) {
	case CLI_NEXT_POSITIONAL:
		if (a->positional == 0)
			a->format = v;
		else if (a->positional == 1)
			a->file = v;
		else
			return cli_usage_error("import",
					       "unexpected argument '%s'", v);
		a->positional++;
		return CLI_OK;
	case OPT_SCENARIO: a->scenario = v; return CLI_OK;
	case OPT_OUTPUT: a->output = v; return CLI_OK;
	case OPT_MAPPING: a->opts.mapping_path = v; return CLI_OK;
	case OPT_ACTORS: a->opts.actors_path = v; return CLI_OK;
	case OPT_AGAINST: a->opts.against = v; return CLI_OK;
	case OPT_ROOT: a->root = v; return CLI_OK;
	case OPT_STRICT: a->opts.strict = 1; return CLI_OK;
	case OPT_QUIET: a->quiet = 1; return CLI_OK;
	case OPT_PRINT: a->print_mapping = 1; return CLI_OK;
	case OPT_DATE: a->opts.col_date = v; return CLI_OK;
	case OPT_SOURCE: a->opts.col_source = v; return CLI_OK;
	case OPT_TARGET: a->opts.col_target = v; return CLI_OK;
	case OPT_CODE: a->opts.col_code = v; return CLI_OK;
	case OPT_GOLDSTEIN: a->opts.col_goldstein = v; return CLI_OK;
	case OPT_ID: a->opts.col_id = v; return CLI_OK;
	case OPT_WINDOW: {
		uint64_t w;
		if (cli_parse_uint(&w, v, 1) != 0 || w > 36500)
			return cli_usage_error("import",
					       "--window must be a whole "
					       "number of days from 1 to "
					       "36500, got '%s'", v);
		a->opts.window = (int)w;
		return CLI_OK;
	}
	case OPT_CAP:
		errno = 0;
		a->opts.cap = strtod(v, &end);
		if (end == v || *end || errno || !(a->opts.cap >= 1.0) ||
		    a->opts.cap > 10.0)
			return cli_usage_error("import",
					       "--cap must be a number in "
					       "[1, 10], got '%s'", v);
		return CLI_OK;
	case OPT_SEPARATOR:
		if (strcmp(v, "\\t") == 0 || strcmp(v, "tab") == 0)
			v = "\t";
		if (strlen(v) != 1 || v[0] == '"' || v[0] == '\n')
			return cli_usage_error("import",
					       "--separator must be one "
					       "character (or 'tab'), got "
					       "'%s'", v);
		a->opts.separator = v[0];
		return CLI_OK;
	default:
		return CLI_OK;
	}
}

static int parse(import_args *a, int argc, char **argv, int first)
{
	cli_parser p;
	const char *v;
	int id, status = CLI_OK;
	cli_parser_init(&p, "import", import_options, argc, argv, first);
	while (status == CLI_OK && (id = cli_next(&p, &v)) != CLI_NEXT_END) {
		if (id == CLI_NEXT_ERROR)
			return CLI_USAGE;
		if (id == OPT_HELP) {
			fputs(import_help, stdout);
			return CLI_HELP_SHOWN;
		}
		status = take(a, id, v);
	}
	if (status != CLI_OK || a->print_mapping)
		return status;
	if (!a->format)
		return cli_usage_error("import", "missing FORMAT (icews, "
					"gdelt or csv)");
	int f = coh_import_format_lookup(a->format);
	if (f < 0)
		return cli_usage_error("import", "unknown format '%s', expected "
					"icews, gdelt or csv", a->format);
	a->opts.format = (coh_import_format)f;
	if (!a->file)
		return cli_usage_error("import", "missing FILE");
	if (!a->scenario)
		return cli_usage_error("import", "missing --scenario S.cfg");
	int csv_only = a->opts.col_date || a->opts.col_source ||
		       a->opts.col_target || a->opts.col_code ||
		       a->opts.col_goldstein || a->opts.col_id ||
		       a->opts.separator;
	if (csv_only && a->opts.format != COH_IMPORT_CSV)
		return cli_usage_error("import", "column options are for the "
					"csv format, not %s", a->format);
	a->opts.input_name = a->file;
	return CLI_OK;
}

int cli_import(int argc, char **argv, int first)
{
	import_args a;
	memset(&a, 0, sizeof a);
	coh_import_options_init(&a.opts);
	int status = parse(&a, argc, argv, first);
	if (status == CLI_HELP_SHOWN)
		return CLI_OK;
	if (status != CLI_OK)
		return status;
	if (a.print_mapping) {
		coh_import_print_default_mapping(stdout);
		return CLI_OK;
	}
	a.opts.warn = warn_row;

	coh_scenario *sc = NULL;
	if (cli_load(&sc, a.scenario, a.root, NULL, 0) != CLI_OK)
		return CLI_ERROR;

	coh_error err = {0};
	coh_import *im = NULL;
	coh_atomic_file *af = NULL;
	FILE *in = NULL;
	char *cmd = NULL;
	int rc = coh_import_open(&im, coh_scenario_model(sc), &a.opts, &err);
	if (rc == 0) {
		in = strcmp(a.file, "-") == 0 ? stdin : fopen(a.file, "rb");
		if (!in)
			rc = coh_error_set(&err, COH_EIO, a.file, 0,
					   "cannot read: %s", strerror(errno));
	}
	if (rc == 0)
		rc = coh_import_read(im, in, &err);
	if (rc == 0 && a.output)
		rc = coh_atomic_open(&af, a.output, 1 << 16, &err);
	if (rc == 0) {
		cmd = command_line(argc, argv);
		rc = coh_import_write(im, af ? coh_atomic_stream(af) : stdout,
				      cmd, &err);
		if (rc == 0 && af) {
			rc = coh_atomic_commit(af, &err);
			af = NULL;
		} else if (rc == 0 && fflush(stdout) != 0) {
			rc = coh_error_set(&err, COH_EIO, "", 0,
					   "cannot write to stdout: %s",
					   strerror(errno));
		}
	}
	coh_atomic_abort(af);
	if (rc == 0 && !a.quiet)
		coh_import_summary(im, stderr);
	if (rc)
		cli_print_error(&err);
	if (in && in != stdin)
		fclose(in);
	coh_free(cmd);
	coh_import_free(im);
	coh_scenario_free(sc);
	return rc ? cli_exit_status(rc) : CLI_OK;
}
