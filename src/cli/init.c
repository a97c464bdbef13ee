/* `cohesim init NAME`: writes NAME.cfg, a commented starter scenario that
 * validates and runs as it is: three members of an invented alliance, one
 * outsider, a few dated events with their notes and sources, and a
 * generator for the projection.  A new user edits it rather than writing a
 * file from the format's reference; every key it uses is explained where
 * it stands.  It never replaces an existing file. */
#include "cli.h"
#include "cohesim/output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char init_help[] =
	"Usage: cohesim init NAME [OPTIONS]\n"
	"\n"
	"Writes NAME.cfg, a commented starter scenario (three members, an\n"
	"outsider, dated events with notes and sources, a generator) that\n"
	"validates and runs as it is; edit it into your own.  NAME is made of\n"
	"a-z, 0-9 and - (it becomes scenario.name and the output folder's\n"
	"name).  An existing file is never replaced.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE       where to write (default: NAME.cfg)\n"
	"  -h, --help              show this help\n";

enum { OPT_OUTPUT = 1, OPT_HELP };

static const cli_option init_options[] = {
	{"output", 'o', 1, OPT_OUTPUT},
	{"help", 'h', 0, OPT_HELP},
	{NULL, 0, 0, 0},
};

/* The starter scenario; %s is the name, the only thing that changes. */
static const char starter[] =
"# A starter scenario written by `cohesim init`.  Everything below is\n"
"# invented: replace the members, the events and their sources with your\n"
"# own.  docs/scenario-format.md lists every key; `cohesim validate` checks\n"
"# the file and `cohesim describe` shows it as the engine reads it.\n"
"\n"
"version = 1;\n"
"\n"
"scenario: {\n"
"  name  = \"%s\";           # a-z, 0-9 and -: names the output folder\n"
"  title = \"A starter alliance of three, 2024-2026\";\n"
"  start = \"2024-01-01\";\n"
"  end   = \"2026-12-31\";   # after the last dated event: a projection\n"
"  seed  = 1;              # the same seed gives the same results\n"
"  replications = 200;\n"
"};\n"
"\n"
"model: {\n"
"  half_life = 365.0;  # days for commitment to fall halfway back to baseline\n"
"  freeze = 0.35;      # below this for `dwell` days, a member freezes\n"
"  exit   = 0.10;      # below this for `dwell` days, a member leaves\n"
"  dwell  = 30.0;\n"
"  recover = 0.05;     # a frozen member thaws this far above `freeze`\n"
"};\n"
"\n"
"# The leading state speaks for the alliance (statements) and answers\n"
"# first when a member asks for help.\n"
"alliance: { name = \"Starter Pact\"; leader = \"BIG\"; };\n"
"\n"
"# power: share of the alliance's capabilities (they need not add up to\n"
"# 1); commitment: where each member starts, between 0 and 1.\n"
"members = (\n"
"  { id = \"BIG\"; name = \"Bigland\";   power = 0.80; commitment = 0.95; },\n"
"  { id = \"MID\"; name = \"Midland\";   power = 0.15; commitment = 0.80; },\n"
"  { id = \"SML\"; name = \"Smalland\";  power = 0.05; commitment = 0.70; }\n"
");\n"
"\n"
"# States outside the alliance that events name.\n"
"outsiders = ( { id = \"RIV\"; name = \"Rivalia\"; } );\n"
"\n"
"# Who listens to whom (rows are normalised): Smalland follows Bigland.\n"
"ties = (\n"
"  { from = \"SML\"; to = \"SML\"; weight = 0.7; },\n"
"  { from = \"SML\"; to = \"BIG\"; weight = 0.3; }\n"
");\n"
"\n"
"# The record: dated events, each with a note and its source.\n"
"events = (\n"
"  { date = \"2024-03-10\"; type = \"assistance_request\"; by = \"SML\";\n"
"    against = \"RIV\"; deadline = 30.0; severity = 1.0; answers = \"drawn\";\n"
"    note = \"Smalland asks its allies for help after a border clash\";\n"
"    source = \"invented: cite the report, its date and page\"; },\n"
"  { date = \"2024-09-20\"; type = \"summit\"; absent = [\"SML\"];\n"
"    label = \"Autumn summit\";\n"
"    note = \"Smalland stays away from the summit\";\n"
"    source = \"invented: cite the communique or the news report\"; },\n"
"  { date = \"2025-02-01\"; type = \"statement\"; by = \"BIG\"; about = \"SML\";\n"
"    tone = -4.0;        # a Goldstein-style score, -10 to 10\n"
"    note = \"Bigland's minister criticises Smalland in public\";\n"
"    source = \"invented: cite the statement\"; }\n"
");\n"
"\n"
"# The projection: random events at a yearly rate, made likelier as the\n"
"# member's commitment falls (feedback).\n"
"generators = (\n"
"  { type = \"third_party_exercise\"; by = \"SML\"; with = \"RIV\";\n"
"    rate = 1.0; feedback = 2.0; magnitude = 0.3; start = \"2025-02-02\"; }\n"
");\n";

/* a-z, 0-9 and -, as scenario.name takes */
static int good_name(const char *name)
{
	if (!name[0] || strlen(name) > 64)
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
	       strlen(name);
}

int cli_init(int argc, char **argv, int first)
{
	const char *name = NULL, *output = NULL;
	int status = CLI_OK;
	cli_parser p;
	const char *v;
	int id;
	cli_parser_init(&p, "init", init_options, argc, argv, first);
	while (status == CLI_OK && (id = cli_next(&p, &v)) != CLI_NEXT_END) {
		switch (id) {
		case CLI_NEXT_ERROR:
			status = CLI_USAGE;
			break;
		case CLI_NEXT_POSITIONAL:
			if (name)
				status = cli_usage_error("init", "expected one "
							 "NAME, got '%s' "
							 "too", v);
			name = v;
			break;
		case OPT_OUTPUT:
			output = v;
			break;
		case OPT_HELP:
			fputs(init_help, stdout);
			return CLI_OK;
		}
	}
	if (status != CLI_OK)
		return status;
	if (!name)
		return cli_usage_error("init", "missing NAME");
	if (!good_name(name))
		return cli_usage_error("init", "NAME must be made of a-z, 0-9 "
				       "and - (at most 64), got \"%s\"", name);
	char path[4096];
	if (output)
		snprintf(path, sizeof path, "%s", output);
	else
		snprintf(path, sizeof path, "%s.cfg", name);
	struct stat st;
	if (stat(path, &st) == 0) {
		fprintf(stderr, "cohesim: %s exists; init never replaces a "
			"file: choose another NAME or -o FILE\n", path);
		return CLI_ERROR;
	}
	coh_error err = {0};
	coh_atomic_file *f;
	int rc = coh_atomic_open(&f, path, 0, &err);
	if (!rc) {
		fprintf(coh_atomic_stream(f), starter, name);
		rc = coh_atomic_commit(f, &err);
	}
	if (rc) {
		cli_print_error(&err);
		return cli_exit_status(rc);
	}
	printf("wrote %s: try 'cohesim describe %s', then 'cohesim run %s'\n",
	       path, path, path);
	return CLI_OK;
}
