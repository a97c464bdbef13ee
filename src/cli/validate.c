/* `cohesim validate`: loads each file and prints every error of every file
 * on stderr, one per line; good files print nothing unless -v. */
#include "cli.h"
#include "cohesim/date.h"
#include "cohesim/import.h"

#include <stdio.h>
#include <string.h>

static const char validate_help[] =
	"Usage: cohesim validate SCENARIO... [OPTIONS]\n"
	"\n"
	"Checks scenario files and prints every error of every file on stderr\n"
	"as 'cohesim: FILE:LINE: message'.  Exits with 1 if any file has an\n"
	"error.  Events that repeat one of another file (same date, type and\n"
	"parties: an imported fragment overlapping the timeline) are warnings.\n"
	"\n"
	"Options:\n"
	"      --set PATH=VALUE    change one setting before validation\n"
	"                          (repeatable; applies to every file)\n"
	"      --include-root DIR  folder that @include may not leave\n"
	"  -v, --verbose           print 'FILE: ok' on stdout for good files\n"
	"  -h, --help              show this help\n";

enum { OPT_SET = 1, OPT_ROOT, OPT_VERBOSE, OPT_HELP };

static const cli_option validate_options[] = {
	{"set", 0, 1, OPT_SET},
	{"include-root", 0, 1, OPT_ROOT},
	{"verbose", 'v', 0, OPT_VERBOSE},
	{"help", 'h', 0, OPT_HELP},
	{NULL, 0, 0, 0},
};

/* The parties of an event as its keys name them: "by RUS, about ARM". */
static void parties_text(char *buf, size_t size, const coh_model *m,
			 const coh_event *e)
{
	const coh_event_kind *k = coh_model_kind(m, e->type);
	size_t n = 0;
	buf[0] = '\0';
	const struct { const char *key; int index; int outsider; } part[] = {
		{k->actor.key, e->actor, 0},
		{k->target.key, e->target, 0},
		{k->outsider.key, e->outsider, 1},
	};
	for (size_t i = 0; i < 3 && n < size; i++)
		if (part[i].key && part[i].index >= 0)
			n += (size_t)snprintf(buf + n, size - n, "%s%s %s",
					      n ? ", " : "", part[i].key,
					      part[i].outsider
						? m->outsiders[part[i].index].id
						: m->members[part[i].index].id);
	for (size_t i = 0; i < e->list_count && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
				      i ? " " : n ? ", with " : "with ",
				      m->members[m->lists[e->list_first + i]].id);
}

/* A warning, not an error: both events may be meant, but an import that
 * repeats the hand-written timeline counts the same news twice. */
static void warn_duplicate(void *ctx, const coh_model *m, const coh_event *a,
			   const coh_event *b)
{
	(void)ctx;
	char date[16], who[160];
	coh_date_format_offset(date, sizeof date, m->start_day, b->day);
	parties_text(who, sizeof who, m, b);
	fprintf(stderr, "cohesim: warning: %s:%d: the %s of %s (%s) repeats "
		"the one at %s:%d (same date, type and parties), expected "
		"each event once\n", b->file ? b->file : "?", b->line,
		coh_model_type_name(m, b->type), date, who,
		a->file ? a->file : "?", a->line);
}

int cli_validate(int argc, char **argv, int first)
{
	cli_strings files = {0}, overrides = {0};
	const char *root = NULL;
	int verbose = 0, status = CLI_OK;
	cli_parser p;
	const char *v;
	int id;

	cli_parser_init(&p, "validate", validate_options, argc, argv, first);
	while (status == CLI_OK && (id = cli_next(&p, &v)) != CLI_NEXT_END) {
		switch (id) {
		case CLI_NEXT_ERROR:
			status = CLI_USAGE;
			break;
		case CLI_NEXT_POSITIONAL:
			if (cli_strings_push(&files, v) != 0)
				status = CLI_ERROR;
			break;
		case OPT_SET:
			status = cli_opt_set("validate", v, &overrides);
			break;
		case OPT_ROOT:
			root = v;
			break;
		case OPT_VERBOSE:
			verbose = 1;
			break;
		case OPT_HELP:
			fputs(validate_help, stdout);
			cli_strings_free(&files);
			cli_strings_free(&overrides);
			return CLI_OK;
		}
	}
	if (status == CLI_ERROR)
		fputs("cohesim: out of memory\n", stderr);
	if (status == CLI_OK && files.count == 0)
		status = cli_usage_error("validate", "missing SCENARIO");
	if (status != CLI_OK) {
		cli_strings_free(&files);
		cli_strings_free(&overrides);
		return status;
	}

	/* Every file is checked even after one fails: the point is to see
	 * all the problems at once. */
	for (size_t i = 0; i < files.count; i++) {
		coh_scenario *sc = NULL;
		if (cli_load(&sc, files.items[i], root, overrides.items,
			     overrides.count) != CLI_OK) {
			status = CLI_ERROR;
			continue;
		}
		coh_import_duplicates(coh_scenario_model(sc), warn_duplicate,
				      NULL);
		coh_scenario_free(sc);
		if (verbose)
			printf("%s: ok\n", files.items[i]);
	}
	cli_strings_free(&files);
	cli_strings_free(&overrides);
	return status;
}
