/* Command-line option parsing shared by the commands: a small table-driven
 * walker (getopt_long is a GNU extension, and its global state and argument
 * permutation are what this avoids), strict number parsing, and the one
 * parser of the options that run, compare, sweep and the analysis commands
 * share. */
#include "cli.h"
#include "cohesim/qoi.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	fputs("cohesim: ", stderr);
	if (command)
		fprintf(stderr, "%s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (command)
		fprintf(stderr, "\nTry 'cohesim %s --help'.\n", command);
	else
		fputs("\nTry 'cohesim --help'.\n", stderr);
	return CLI_USAGE;
}

void cli_parser_init(cli_parser *p, const char *command,
		     const cli_option *options, int argc, char **argv,
		     int first)
{
	p->command = command;
	p->options = options;
	p->more = NULL;
	p->argc = argc;
	p->argv = argv;
	p->index = first;
	p->options_done = 0;
}

static const cli_option *find_long(const cli_option *opts, const char *name,
				   size_t len)
{
	for (; opts->long_name; opts++)
		if (strlen(opts->long_name) == len &&
		    strncmp(opts->long_name, name, len) == 0)
			return opts;
	return NULL;
}

static const cli_option *find_short(const cli_option *opts, char c)
{
	for (; opts->long_name; opts++)
		if (opts->short_name && opts->short_name == c)
			return opts;
	return NULL;
}

/* "--name=value" or "--name [value]". */
static int next_long(cli_parser *p, const char *arg, const char **value)
{
	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const cli_option *opt = find_long(p->options, name, len);
	if (!opt && p->more)
		opt = find_long(p->more, name, len);
	if (!opt) {
		cli_usage_error(p->command, "unknown option '--%.*s'",
				(int)len, name);
		return CLI_NEXT_ERROR;
	}
	if (!opt->takes_value) {
		if (eq) {
			cli_usage_error(p->command,
					"option '--%s' takes no value",
					opt->long_name);
			return CLI_NEXT_ERROR;
		}
		*value = NULL;
		return opt->id;
	}
	if (eq) {
		*value = eq + 1;
		return opt->id;
	}
	if (p->index >= p->argc) {
		cli_usage_error(p->command, "option '--%s' needs a value",
				opt->long_name);
		return CLI_NEXT_ERROR;
	}
	*value = p->argv[p->index++];
	return opt->id;
}

/* "-x", "-x value" or "-xvalue" (one short option per argument). */
static int next_short(cli_parser *p, const char *arg, const char **value)
{
	const cli_option *opt = find_short(p->options, arg[1]);
	if (!opt && p->more)
		opt = find_short(p->more, arg[1]);
	if (!opt) {
		cli_usage_error(p->command, "unknown option '%s'", arg);
		return CLI_NEXT_ERROR;
	}
	if (!opt->takes_value) {
		if (arg[2]) {
			cli_usage_error(p->command, "unknown option '%s'",
					arg);
			return CLI_NEXT_ERROR;
		}
		*value = NULL;
		return opt->id;
	}
	if (arg[2]) {
		*value = arg + 2;
		return opt->id;
	}
	if (p->index >= p->argc) {
		cli_usage_error(p->command, "option '-%c' needs a value",
				opt->short_name);
		return CLI_NEXT_ERROR;
	}
	*value = p->argv[p->index++];
	return opt->id;
}

int cli_next(cli_parser *p, const char **value)
{
	if (p->index >= p->argc)
		return CLI_NEXT_END;
	const char *arg = p->argv[p->index++];
	/* "-" alone is a positional argument by convention (standard input). */
	if (p->options_done || arg[0] != '-' || arg[1] == '\0') {
		*value = arg;
		return CLI_NEXT_POSITIONAL;
	}
	if (strcmp(arg, "--") == 0) {
		p->options_done = 1;
		return cli_next(p, value);
	}
	if (arg[1] == '-')
		return next_long(p, arg, value);
	return next_short(p, arg, value);
}

int cli_parse_uint(uint64_t *out, const char *text, uint64_t min)
{
	/* strtoull alone would accept " 5", "+5" and "-5" (as 2^64 - 5). */
	if (!text || text[0] < '0' || text[0] > '9')
		return -1;
	for (const char *c = text; *c; c++)
		if (*c < '0' || *c > '9')
			return -1;
	errno = 0;
	unsigned long long v = strtoull(text, NULL, 10);
	if (errno == ERANGE || v < min)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int opt_replications(const char *command, const char *text,
			    uint64_t *out)
{
	if (cli_parse_uint(out, text, 1) != 0)
		return cli_usage_error(command, "-r expects a whole number "
				       ">= 1, got \"%s\"", text);
	return CLI_OK;
}

static int opt_seed(const char *command, const char *text, uint64_t *out)
{
	/* scenario files hold the seed as a libconfig integer, which is
	 * signed 64-bit */
	if (cli_parse_uint(out, text, 0) != 0 || *out > INT64_MAX)
		return cli_usage_error(command, "--seed expects a whole number "
				       "from 0 to 9223372036854775807, got "
				       "\"%s\"", text);
	return CLI_OK;
}

static int opt_jobs(const char *command, const char *text, uint64_t *out)
{
	if (cli_parse_uint(out, text, 1) != 0 || *out > 1024)
		return cli_usage_error(command, "-j expects a whole number "
				       "from 1 to 1024, got \"%s\"", text);
	return CLI_OK;
}

static int opt_memory(const char *command, const char *text,
		      double *bytes)
{
	char *end;
	errno = 0;
	double gb = strtod(text, &end);
	if (end == text || *end || errno || !(gb > 0) || gb > 1e9)
		return cli_usage_error(command, "--max-memory expects a size in "
				       "GB greater than 0, got \"%s\"", text);
	*bytes = gb * 1e9;
	return CLI_OK;
}

static int opt_plot(const char *command, const char *text,
		    coh_plot_format *out)
{
	if (coh_plot_format_parse(out, text) != 0)
		return cli_usage_error(command, "--plot expects png, svg, pdf, "
				       "dumb or none, got \"%s\"", text);
	return CLI_OK;
}

int cli_opt_set(const char *command, const char *text,
		cli_strings *overrides)
{
	if (!strchr(text, '=') || text[0] == '=')
		return cli_usage_error(command, "--set expects PATH=VALUE, got "
				       "\"%s\"", text);
	return cli_strings_push(overrides, text) ? CLI_ERROR : CLI_OK;
}

/*--- The shared options --------------------------------------------------*/

enum {
	OPT_OUTPUT = CLI_OPT_COMMON, OPT_REPS, OPT_SEED, OPT_JOBS, OPT_SET,
	OPT_ROOT, OPT_PLOT, OPT_MEMORY, OPT_QUIET, OPT_QOI, OPT_TITLE, OPT_HELP
};

static const cli_option common_options[] = {
	{"output", 'o', 1, OPT_OUTPUT},
	{"replications", 'r', 1, OPT_REPS},
	{"seed", 0, 1, OPT_SEED},
	{"jobs", 'j', 1, OPT_JOBS},
	{"set", 0, 1, OPT_SET},
	{"include-root", 0, 1, OPT_ROOT},
	{"plot", 0, 1, OPT_PLOT},
	{"max-memory", 0, 1, OPT_MEMORY},
	{"quiet", 'q', 0, OPT_QUIET},
	{"qoi", 0, 1, OPT_QOI},
	{"title", 0, 1, OPT_TITLE},
	{"help", 'h', 0, OPT_HELP},
	{NULL, 0, 0, 0},
};

static void common_defaults(cli_common_opts *o)
{
	memset(o, 0, sizeof *o);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = cpus > 0 ? (uint64_t)cpus : 1;
	o->plot = COH_PLOT_PNG;
	o->max_memory = cli_default_memory();
}

/* One shared option into *o: CLI_OK, CLI_HELP_SHOWN or the usage error. */
static int take_common(cli_common_opts *o, const cli_command_args *cmd,
		       int id, const char *v)
{
	const char *name = cmd->name;
	switch (id) {
	case OPT_OUTPUT:
		if (!v[0])
			return cli_usage_error(name, "-o expects a folder, got "
					       "\"\"");
		o->output = v;
		return CLI_OK;
	case OPT_REPS:
		o->have_reps = 1;
		return opt_replications(name, v, &o->reps);
	case OPT_SEED:
		o->have_seed = 1;
		return opt_seed(name, v, &o->seed);
	case OPT_JOBS:
		return opt_jobs(name, v, &o->jobs);
	case OPT_SET:
		return cli_opt_set(name, v, &o->overrides);
	case OPT_ROOT:
		o->include_root = v;
		return CLI_OK;
	case OPT_PLOT:
		return opt_plot(name, v, &o->plot);
	case OPT_MEMORY:
		return opt_memory(name, v, &o->max_memory);
	case OPT_QUIET:
		o->quiet = 1;
		return CLI_OK;
	case OPT_TITLE:
		o->title = v;
		return CLI_OK;
	case OPT_QOI:
		if (!cmd->takes_qoi)
			return cli_usage_error(name, "%s does not take --qoi "
					       "yet (run does)", name);
		return cli_strings_push(&o->qoi, v) ? CLI_ERROR : CLI_OK;
	default: /* OPT_HELP */
		fputs(cmd->help, stdout);
		return CLI_HELP_SHOWN;
	}
}

int cli_common_parse(cli_common_opts *o, const cli_command_args *cmd,
		     void *ctx, int argc, char **argv, int first)
{
	common_defaults(o);
	cli_parser p;
	const char *v = NULL;
	int id, status = CLI_OK;
	cli_parser_init(&p, cmd->name, common_options, argc, argv, first);
	p.more = cmd->options;
	while (status == CLI_OK && (id = cli_next(&p, &v)) != CLI_NEXT_END) {
		/* A flag's value is "": every option that needs one has it
		 * (cli_next sees to that), but the analysers cannot tell. */
		const char *value = v ? v : "";
		if (id == CLI_NEXT_ERROR)
			status = CLI_USAGE;
		else if (id >= CLI_OPT_COMMON)
			status = take_common(o, cmd, id, value);
		else
			status = cmd->take(ctx, id, value);
	}
	if (status != CLI_OK)
		return status;
	/* -r and --seed after every --set, so that they win */
	o->n_set = o->overrides.count;
	if (o->have_reps) {
		snprintf(o->reps_setting, sizeof o->reps_setting,
			 "scenario.replications=%" PRIu64, o->reps);
		if (cli_strings_push(&o->overrides, o->reps_setting))
			return CLI_ERROR;
	}
	if (o->have_seed) {
		snprintf(o->seed_setting, sizeof o->seed_setting,
			 "scenario.seed=%" PRIu64, o->seed);
		if (cli_strings_push(&o->overrides, o->seed_setting))
			return CLI_ERROR;
	}
	return CLI_OK;
}

void cli_common_free(cli_common_opts *o)
{
	cli_strings_free(&o->overrides);
	cli_strings_free(&o->qoi);
}

int cli_common_qoi(coh_qoi_set **out, const cli_common_opts *o,
		   const char *command, const coh_model *model)
{
	coh_error err = {0};
	*out = NULL;
	if (coh_qoi_set_alloc(out, model, &err)) {
		cli_print_error(&err);
		return CLI_ERROR;
	}
	for (size_t k = 0; k < o->qoi.count; k++) {
		int rc = coh_qoi_set_add(*out, o->qoi.items[k], &err);
		if (rc == COH_EUSAGE)
			return cli_usage_error(command, "--qoi '%s': %s",
					       o->qoi.items[k], err.message);
		if (rc) {
			cli_print_error(&err);
			return CLI_ERROR;
		}
	}
	return CLI_OK;
}

int cli_common_load(coh_scenario **out, const cli_common_opts *o,
		    const char *path)
{
	return cli_load(out, path, o->include_root, o->overrides.items,
			o->overrides.count);
}

int cli_common_read_once(coh_scenario_source **source, coh_scenario **base,
			 const cli_common_opts *o, const char *path,
			 int print)
{
	coh_diag diag = COH_DIAG_INIT;
	*source = NULL;
	*base = NULL;
	int rc = coh_scenario_source_read(source, path, o->include_root,
					  &diag);
	if (!rc)
		rc = coh_scenario_load_source(base, *source, o->overrides.items,
					      o->overrides.count, &diag);
	if (rc && print)
		cli_print_diag(&diag, rc, path);
	coh_diag_clear(&diag);
	if (rc) {
		coh_scenario_source_free(*source);
		*source = NULL;
	}
	return rc ? CLI_ERROR : CLI_OK;
}

int cli_common_default_setting(cli_common_opts *o, const char *setting)
{
	cli_strings *ov = &o->overrides;
	if (cli_strings_push(ov, setting))
		return CLI_ERROR;
	memmove(ov->items + 1, ov->items, (ov->count - 1) * sizeof *ov->items);
	ov->items[0] = setting;
	return CLI_OK;
}

const char *cli_figure_title(const cli_common_opts *o, const coh_model *m)
{
	if (o->title)
		return o->title;
	return m->title ? m->title : m->name;
}
