/* Command-line option parsing shared by the commands: a small table-driven
 * walker (getopt_long is a GNU extension, and its global state and argument
 * permutation are what this avoids) and strict number parsing. */
#include "cli.h"

#include <errno.h>
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

int cli_opt_replications(const char *command, const char *text,
			 uint64_t *out)
{
	if (cli_parse_uint(out, text, 1) != 0)
		return cli_usage_error(command, "-r expects a whole number "
				       ">= 1, got \"%s\"", text);
	return CLI_OK;
}

int cli_opt_seed(const char *command, const char *text, uint64_t *out)
{
	/* scenario files hold the seed as a libconfig integer, which is
	 * signed 64-bit */
	if (cli_parse_uint(out, text, 0) != 0 || *out > INT64_MAX)
		return cli_usage_error(command, "--seed expects a whole number "
				       "from 0 to 9223372036854775807, got "
				       "\"%s\"", text);
	return CLI_OK;
}

int cli_opt_jobs(const char *command, const char *text, uint64_t *out)
{
	if (cli_parse_uint(out, text, 1) != 0 || *out > 1024)
		return cli_usage_error(command, "-j expects a whole number "
				       "from 1 to 1024, got \"%s\"", text);
	return CLI_OK;
}

int cli_opt_memory(const char *command, const char *text, double *bytes)
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

double cli_default_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	return pages > 0 && size > 0 ? 0.5 * (double)pages * (double)size
				     : 4e9;
}

static const char *bytes_text(char buf[32], double bytes)
{
	if (bytes >= 1e9)
		snprintf(buf, 32, "%.1f GB", bytes / 1e9);
	else
		snprintf(buf, 32, "%.0f MB", bytes < 1e6 ? 1.0 : bytes / 1e6);
	return buf;
}

int cli_check_memory(double need, double limit, const char *file,
		     coh_error *err)
{
	if (need <= limit)
		return 0;
	char a[32], b[32];
	return coh_error_set(err, COH_EINPUT, file, 0,
			     "the summaries would take %s of memory, more "
			     "than the limit of %s; sample less often "
			     "(output.sample_every), use a shorter horizon, "
			     "fewer members or a smaller -j, or raise the "
			     "limit with --max-memory GB", bytes_text(a, need),
			     bytes_text(b, limit));
}

int cli_opt_plot(const char *command, const char *text, coh_plot_format *out)
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
