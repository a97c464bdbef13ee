/* cohesim import (src/import/, src/cli/import.c): CAMEO codes without their
 * zeros, quoted fields, the default mapping against docs/import.md, every
 * message of a bad mapping or actors file, the three formats on the
 * synthetic samples of scenarios/examples/import/ (the exact summary and
 * the events made), --strict, usage errors, the fragment validating and
 * running inside a scenario with validate's duplicate warning, and memory
 * that does not grow with the input (a stream of tens of MB through a
 * pipe, peak RSS checked). */
#define _DEFAULT_SOURCE /* wait4: the child's peak memory */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bin_helpers.h"
#include "cohesim/import.h"
#include "cohesim/scenario.h"
#include "import/internal.h"

#include <sys/resource.h>

#define EX "scenarios/examples/import/"
#define SCENARIO EX "alliance.cfg"
#define ACTORS EX "actors.txt"

/*--- Codes and fields ----------------------------------------------------*/

static void test_codes_get_their_zeros_back(void **state)
{
	(void)state;
	static const struct { const char *in, *out; } cases[] = {
		{"42", "042"}, {"10", "010"}, {"62", "062"},
		{"211", "0211"}, {"232", "0232"}, {"861", "0861"},
		{"111", "111"}, {"190", "190"}, {"204", "204"},
		{"1212", "1212"}, {"0232", "0232"}, {"062", "062"},
		{" 72 ", "072"}, {"2", "02"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[IMP_CODE_MAX];
		assert_int_equal(imp_cameo_normalize(out, cases[i].in), 0);
		assert_string_equal(out, cases[i].out);
	}
	static const char *const bad[] = {"", "1x1", "12345", "-12", "6 2",
					  "abc"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char out[IMP_CODE_MAX];
		assert_int_equal(imp_cameo_normalize(out, bad[i]), -1);
	}
	double g;
	assert_int_equal(imp_goldstein("130", &g), 0);
	assert_true(g == -4.4);
	assert_int_equal(imp_goldstein("0232", &g), 0);
	assert_true(g == 3.4);
	assert_int_equal(imp_goldstein("999", &g), -1);
}

static void test_split_quoted_fields(void **state)
{
	(void)state;
	char *f[8];
	char a[] = "2022-01-01,\"Kazakhstan, Republic of\",\"a \"\"b\"\"\",,x";
	assert_int_equal(imp_split(a, ',', 1, f, 8), 5);
	assert_string_equal(f[1], "Kazakhstan, Republic of");
	assert_string_equal(f[2], "a \"b\"");
	assert_string_equal(f[3], "");
	assert_string_equal(f[4], "x");
	char b[] = "1,\"open";
	assert_int_equal(imp_split(b, ',', 1, f, 8), -1);
	char c[] = "1,\"closed\"junk,2";
	assert_int_equal(imp_split(c, ',', 1, f, 8), -1);
	char d[] = "a\tb\t\tc";
	assert_int_equal(imp_split(d, '\t', 1, f, 8), 4);
	assert_string_equal(f[2], "");
	char e[] = "a,b,c,d";
	assert_int_equal(imp_split(e, ',', 1, f, 2), 2);
	assert_string_equal(f[1], "b,c,d");
}

/*--- The mapping ---------------------------------------------------------*/

/* Every rule of the default mapping is a row of docs/import.md's table,
 * in order, with the same reason; and every rule's type can take its
 * parties. */
static void test_default_mapping_matches_the_doc(void **state)
{
	(void)state;
	char *doc = bin_slurp("docs/import.md", NULL);
	assert_non_null(doc);
	size_t n;
	const imp_rule *r = imp_default_rules(&n);
	assert_true(n >= 10);
	char *p = strstr(doc, "| code | parties | type | reason |");
	assert_non_null(p);
	p = strchr(p, '\n') + 1;        /* the header's line */
	p = strchr(p, '\n') + 1;        /* |---| */
	size_t i = 0;
	while (strncmp(p, "| `", 3) == 0) {
		char *end = strchr(p, '\n');
		assert_non_null(end);
		*end = '\0';
		char want[512];
		assert_true(i < n);
		snprintf(want, sizeof want, "| `%s` | %s | `%s` | %s |",
			 r[i].code, imp_parties_name(r[i].parties),
			 coh_event_type_name(r[i].type), r[i].why);
		assert_string_equal(p, want);
		assert_true(imp_type_accepts(r[i].type, r[i].parties));
		i++;
		p = end + 1;
	}
	assert_int_equal(i, n);
	free(doc);

	/* the longest prefix wins, and parties choose among rules */
	imp_mapping m;
	coh_error err = {0};
	assert_int_equal(imp_mapping_load(&m, NULL, &err), 0);
	const imp_rule *got = imp_mapping_find(&m, "114", IMP_MEMBER_MEMBER);
	assert_non_null(got);
	assert_string_equal(got->code, "114");
	got = imp_mapping_find(&m, "1123", IMP_MEMBER_MEMBER);
	assert_string_equal(got->code, "11");
	assert_null(imp_mapping_find(&m, "111", IMP_MEMBER_OUTSIDER));
	got = imp_mapping_find(&m, "062", IMP_OUTSIDER_MEMBER);
	assert_int_equal(got->type, COH_EV_THIRD_PARTY_EXERCISE);
	assert_true(imp_mapping_knows(&m, "1311"));
	assert_false(imp_mapping_knows(&m, "042"));
	imp_mapping_free(&m);
}

/* The message a mapping file's text gives. */
static void expect_mapping_error(const char *dir, const char *text,
				 const char *want)
{
	const char *path = bin_path(dir, "mapping.txt");
	assert_int_equal(bin_write_file(path, text), 0);
	imp_mapping m;
	coh_error err = {0};
	int rc = imp_mapping_load(&m, path, &err);
	assert_int_equal(rc, COH_EINPUT);
	char buf[1200], full[1200];
	coh_error_format(&err, buf, sizeof buf);
	snprintf(full, sizeof full, "%s:%s", path, want);
	assert_string_equal(buf, full);
}

static void test_mapping_file_errors(void **state)
{
	const char *dir = *state;
	expect_mapping_error(dir, "062 member>outsider\n",
			     "1: a rule needs CODE PARTIES TYPE REASON, got "
			     "only 2 of them");
	expect_mapping_error(dir, "# c\n62 member>outsider "
			     "third_party_exercise hedging\n",
			     "2: CAMEO code \"62\" must be 2 to 4 digits "
			     "beginning with a root from 01 to 20 (write "
			     "\"062\", not \"62\")");
	expect_mapping_error(dir, "2101 member>member statement x\n",
			     "1: CAMEO code \"2101\" must be 2 to 4 digits "
			     "beginning with a root from 01 to 20 (write "
			     "\"062\", not \"62\")");
	expect_mapping_error(dir, "062 member-outsider third_party_exercise "
			     "hedging\n",
			     "1: unknown parties \"member-outsider\", "
			     "expected member>member, member>outsider or "
			     "outsider>member");
	expect_mapping_error(dir, "062 member>member summit meeting\n",
			     "1: event type \"summit\" cannot be imported, "
			     "expected third_party_exercise, "
			     "alliance_exercise, assistance_request, "
			     "assistance_response, exercise_refusal, "
			     "declaration_refusal, external_mission, "
			     "statement or defeat");
	expect_mapping_error(dir, "111 member>outsider statement words\n",
			     "1: statement cannot come from member>outsider "
			     "rows, expected member>member");
	expect_mapping_error(dir, "062 member>member third_party_exercise "
			     "x\n",
			     "1: third_party_exercise cannot come from "
			     "member>member rows, expected member>outsider "
			     "or outsider>member");
	expect_mapping_error(dir, "111 member>member statement   # none\n",
			     "1: rule 111 member>member statement has no "
			     "reason, expected a few words on why after the "
			     "type");
	expect_mapping_error(dir, "111 member>member statement a\n\n"
			     "111 member>member statement b\n",
			     "3: a second rule for 111 member>member, "
			     "expected one rule per code and parties");

	/* a good file: comments, blank lines, CRLF */
	const char *path = bin_path(dir, "mapping.txt");
	assert_int_equal(bin_write_file(path, "# mine\r\n\r\n111 member>member "
					"statement criticism  \r\n"), 0);
	imp_mapping m;
	coh_error err = {0};
	assert_int_equal(imp_mapping_load(&m, path, &err), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.rules[0].why, "criticism");
	assert_int_equal(strlen(m.sha256), 64);
	imp_mapping_free(&m);
}

static void expect_actors_error(const coh_model *model, const char *dir,
				const char *text, const char *want)
{
	const char *path = bin_path(dir, "actors.txt");
	assert_int_equal(bin_write_file(path, text), 0);
	imp_actors a;
	char sha[65];
	coh_error err = {0};
	assert_int_equal(imp_actors_build(&a, model, path, sha, &err),
			 COH_EINPUT);
	char buf[1200], full[1200];
	coh_error_format(&err, buf, sizeof buf);
	snprintf(full, sizeof full, "%s:%s", path, want);
	assert_string_equal(buf, full);
}

static void test_actors(void **state)
{
	const char *dir = *state;
	coh_scenario *sc = NULL;
	coh_diag diag = COH_DIAG_INIT;
	assert_int_equal(coh_scenario_load(&sc, SCENARIO, NULL, &diag), 0);
	const coh_model *m = coh_scenario_model(sc);
	imp_actors a;
	char sha[65];
	coh_error err = {0};
	assert_int_equal(imp_actors_build(&a, m, ACTORS, sha, &err), 0);
	assert_int_equal(imp_actors_find(&a, "ARM"), 1);
	assert_int_equal(imp_actors_find(&a, "armenia"), 1);
	assert_int_equal(imp_actors_find(&a, "  ARMENIA "), 1);
	assert_int_equal(imp_actors_find(&a, "Russian   federation"), 0);
	assert_int_equal(imp_actors_find(&a, "United States"), 4);
	assert_int_equal(imp_actors_find(&a, "aze"), 5);
	assert_int_equal(imp_actors_find(&a, "Georgia"), -1);
	assert_int_equal(imp_actors_find(&a, ""), -1);
	imp_actors_free(&a);

	expect_actors_error(m, dir, "XYZ Somewhere\n",
			    "1: \"XYZ\" is no member or outsider of the "
			    "scenario, expected an id followed by an alias");
	expect_actors_error(m, dir, "# x\nRUS\n",
			    "2: no alias after RUS, expected \"ID alias "
			    "words\"");
	expect_actors_error(m, dir, "RUS Moscow\nARM moscow\n",
			    "2: alias \"moscow\" already stands for RUS, "
			    "expected each name to mean one party");
	expect_actors_error(m, dir, "ARM Azerbaijan\n",
			    "1: alias \"Azerbaijan\" already stands for AZE, "
			    "expected each name to mean one party");
	coh_scenario_free(sc);
	coh_diag_clear(&diag);

	/* the scenario's own aliases: one that names another party */
	static const char text[] =
		"version = 1;\n"
		"scenario: { name = \"a\"; start = \"2022-01-01\"; "
		"end = \"2022-12-31\"; };\n"
		"members = ( { id = \"RUS\"; power = 1.0; commitment = 0.9; "
		"aliases = [\"Russian Federation\", \"armenia\"]; },\n"
		"  { id = \"ARM\"; name = \"Armenia\"; power = 0.1; "
		"commitment = 0.8; } );\n";
	assert_int_equal(coh_scenario_load_string(&sc, text, "a.cfg", NULL,
						  &diag), 0);
	assert_int_equal(coh_scenario_model(sc)->n_aliases, 2);
	assert_int_equal(imp_actors_build(&a, coh_scenario_model(sc), NULL,
					  sha, &err), COH_EINPUT);
	char buf[600];
	coh_error_format(&err, buf, sizeof buf);
	assert_string_equal(buf, "a: the alias \"armenia\" of RUS already "
			    "stands for ARM, expected each name to mean one "
			    "party");
	coh_scenario_free(sc);
	coh_diag_clear(&diag);
}

/*--- The formats, through the binary ------------------------------------*/

/* Everything of text after its first line that starts with `from`. */
static const char *after(const char *text, const char *from)
{
	const char *p = strstr(text, from);
	if (!p) {
		print_error("no \"%s\" in:\n%s\n", from, text);
		fail();
	}
	return p;
}

/* The fragment at frag, included alone in the example alliance, loads
 * without an error or warning. */
static void expect_loads(const char *dir, const char *frag)
{
	char *base = bin_slurp(SCENARIO, NULL);
	assert_non_null(base);
	char *at = strstr(base, "@include \"timeline.events\"");
	assert_non_null(at);
	*at = '\0';
	char text[8192];
	snprintf(text, sizeof text, "%s@include \"%s\"\n);\n", base,
		 strrchr(frag, '/') + 1);
	free(base);
	const char *scen = bin_path(dir, "s.cfg");
	assert_int_equal(bin_write_file(scen, text), 0);
	bin_result r;
	bin_run(&r, "validate", scen, NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.err, "");
	bin_result_free(&r);
}

/* The ICEWS sample gives the committed fragment (the example of
 * docs/import.md) byte for byte, but for the command line in its header. */
static void test_icews_sample(void **state)
{
	const char *dir = *state;
	const char *out = bin_path(dir, "icews.events");
	bin_result r;
	bin_run(&r, "import", "icews", EX "icews.tsv", "--scenario", SCENARIO,
		"--actors", ACTORS, "--against", "AZE", "-o", out, NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(
		r.err,
		"cohesim: " EX "icews.tsv:21: 5 fields, expected at least 11 "
		"(up to the last column the import reads) (row skipped)\n"
		"cohesim: " EX "icews.tsv:27: bad date \"2022-02-30\", "
		"expected YYYY-MM-DD (row skipped)\n"
		"cohesim: " EX "icews.tsv:29: bad CAMEO code \"1x1\", expected "
		"1 to 4 digits (row skipped)\n"
		"cohesim: import: " EX "icews.tsv: 30 rows read, 16 kept in 11 "
		"events\n"
		"  3 malformed\n"
		"  1 outside the scenario's horizon\n"
		"  2 CAMEO code not in the mapping\n"
		"  3 an actor matches no member or outsider\n"
		"  3 parties fit no rule\n"
		"  1 duplicate row ids\n"
		"  1 responses to no open request\n"
		"  unmatched actors (rows): Georgia (2), Turkey (2)\n"
		"  codes not mapped (rows): 010 (1), 042 (1)\n");
	bin_result_free(&r);
	char *got = bin_slurp(out, NULL);
	char *want = bin_slurp(EX "icews.events", NULL);
	assert_non_null(got);
	assert_non_null(want);
	assert_string_equal(after(got, "# source:"), after(want, "# source:"));
	/* the header records the input's hash */
	char hex[65];
	coh_error err = {0};
	assert_int_equal(coh_sha256_file(hex, EX "icews.tsv", &err), 0);
	char line[100];
	snprintf(line, sizeof line, "# sha256:  %s\n", hex);
	assert_non_null(strstr(got, line));
	free(got);
	free(want);
}

/* The GDELT sample: the exact summary, events checked in the fragment,
 * which loads inside the example alliance. */
static void test_gdelt_sample(void **state)
{
	const char *dir = *state;
	const char *frag = bin_path(dir, "gdelt.events");
	bin_result r;
	bin_run(&r, "import", "gdelt", EX "gdelt.tsv", "--scenario", SCENARIO,
		"--actors", ACTORS, "--against", "AZE", "-o", frag, NULL);
	bin_expect_status(&r, 0);
	free(r.out);
	r.out = bin_slurp(frag, NULL);
	assert_non_null(r.out);
	assert_string_equal(
		r.err,
		"cohesim: " EX "gdelt.tsv:14: bad date \"20220230\", expected "
		"YYYY-MM-DD or YYYYMMDD (row skipped)\n"
		"cohesim: " EX "gdelt.tsv:17: 58 tab-separated fields, "
		"expected the 61 of a GDELT 2.0 event export (row skipped)\n"
		"cohesim: " EX "gdelt.tsv:18: bad Goldstein score \"high\", "
		"expected a number in [-10, 10] (row skipped)\n"
		"cohesim: import: " EX "gdelt.tsv: 19 rows read, 10 kept in 7 "
		"events\n"
		"  3 malformed\n"
		"  1 outside the scenario's horizon\n"
		"  1 CAMEO code not in the mapping\n"
		"  3 an actor matches no member or outsider\n"
		"  1 duplicate row ids\n"
		"  unmatched actors (rows): (empty) (1), GEO (1), TUR (1)\n"
		"  codes not mapped (rows): 042 (1)\n");
	/* both directions of one exercise are one event; a name found by
	 * its alias in upper case joins the country code's rows */
	assert_non_null(strstr(r.out,
		"{ date = \"2022-04-05\"; type = \"third_party_exercise\"; "
		"by = \"ARM\"; with = \"USA\";\n  magnitude = 1.30;"));
	assert_non_null(strstr(r.out,
		"tone = -2.95;\n  note = \"Imported: 3 GDELT rows (CAMEO 111 "
		"x1, 112 x1, 1123 x1); tone = mean Goldstein -2.00 x 1.48\";\n"
		"  source = \"" EX "gdelt.tsv, GLOBALEVENTID 5005, 5006, "
		"5007\" }"));
	assert_non_null(strstr(r.out,
		"type = \"external_mission\"; by = \"ARM\"; from = \"FRA\";"));
	bin_result_free(&r);
	expect_loads(dir, frag);
}

/* The CSV sample, likewise, with its columns named by options. */
static void test_csv_sample(void **state)
{
	const char *dir = *state;
	const char *frag = bin_path(dir, "csv.events");
	bin_result r;
	bin_run(&r, "import", "csv", EX "events.csv", "--scenario", SCENARIO,
		"--actors", ACTORS, "--against", "AZE", "--date", "when",
		"--source", "actor_a", "--target", "actor_b", "--code",
		"cameo", "--goldstein", "score", "--id", "ref", "-o", frag,
		NULL);
	bin_expect_status(&r, 0);
	free(r.out);
	r.out = bin_slurp(frag, NULL);
	assert_non_null(r.out);
	assert_string_equal(
		r.err,
		"cohesim: " EX "events.csv:10: unterminated quote or text "
		"after a closing quote, expected each quoted field to end with "
		"'\"' before the separator (row skipped)\n"
		"cohesim: " EX "events.csv:12: bad date \"2022-13-01\", "
		"expected YYYY-MM-DD or YYYYMMDD (row skipped)\n"
		"cohesim: import: " EX "events.csv: 12 rows read, 7 kept in 7 "
		"events\n"
		"  2 malformed\n"
		"  1 CAMEO code not in the mapping\n"
		"  1 an actor matches no member or outsider\n"
		"  1 duplicate row ids\n"
		"  unmatched actors (rows): Georgia (1)\n"
		"  codes not mapped (rows): 042 (1)\n");
	/* the quoted actor with a comma, through its alias */
	assert_non_null(strstr(r.out,
		"type = \"statement\"; by = \"KAZ\"; about = \"ARM\";"));
	/* no score: the code's Goldstein score from the table */
	assert_non_null(strstr(r.out,
		"Imported: 1 CSV row (CAMEO 062 x1); magnitude = 1.00 for the "
		"count; mean Goldstein 7.40\";\n  source = \"" EX
		"events.csv, ref c2\""));
	bin_result_free(&r);
	expect_loads(dir, frag);

	/* a column the header lacks */
	bin_run(&r, "import", "csv", EX "events.csv", "--scenario", SCENARIO,
		"--date", "day", NULL);
	bin_expect_status(&r, 1);
	assert_string_equal(r.err,
			    "cohesim: " EX "events.csv:1: the header has no "
			    "column \"day\", expected one named so (or name "
			    "the column with --date)\n");
	bin_result_free(&r);
}

/* A week's window gathers statements of different days into one event,
 * dated by its first row; stdin works as the input; with no id column an
 * identical row is the duplicate. */
static void test_window_and_stdin(void **state)
{
	const char *dir = *state;
	const char *in = bin_path(dir, "w.csv");
	assert_int_equal(bin_write_file(in,
		"date,source,target,code,goldstein\n"
		"2022-01-05,RUS,ARM,111,-2\n"
		"2022-01-03,RUS,ARM,111,-4\n"
		"2022-01-07,RUS,ARM,111,-3\n"
		"2022-01-08,RUS,ARM,111,-1\n"
		"2022-01-08,RUS,ARM,111,-1\n"), 0);
	char scen[PATH_MAX], cmd[3 * PATH_MAX];
	assert_int_equal(bin_abspath(scen, SCENARIO), 0);
	const char *bin = getenv("COH_BIN") ? getenv("COH_BIN")
					    : "build/cohesim";
	const char *wrap = getenv("COH_WRAP") ? getenv("COH_WRAP") : "";
	snprintf(cmd, sizeof cmd,
		 "%s %s import csv - --scenario %s --window 7 -q < %s", wrap,
		 bin, scen, in);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char out[8192];
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	assert_non_null(strstr(out, "# window:  7 days"));
	/* without an id column, a row identical to a kept one repeats it */
	assert_non_null(strstr(out, "#          1 duplicates,"));
	/* days 2..8 of the year are window 0: three rows (mean -3, scale
	 * 1 + log10 3); the 8th is window 1 */
	assert_non_null(strstr(out,
		"{ date = \"2022-01-03\"; type = \"statement\"; by = \"RUS\"; "
		"about = \"ARM\";\n  tone = -4.43;\n  note = \"Imported: 3 CSV "
		"rows (CAMEO 111 x3) in its window, dated by the first; tone "
		"= mean Goldstein -3.00 x 1.48\";\n  source = \"-, line 2, line 3, "
		"line 4\" }"));
	assert_non_null(strstr(out, "{ date = \"2022-01-08\"; type = "
			       "\"statement\"; by = \"RUS\"; about = \"ARM\";\n"
			       "  tone = -1.00;"));
}

/* A mapping file replaces the defaults: visits become statements, the
 * default rules are gone, and the header names the file and its hash. */
static void test_mapping_file_replaces_the_default(void **state)
{
	const char *dir = *state;
	const char *map = bin_path(dir, "visits.txt");
	assert_int_equal(bin_write_file(map, "# only visits\n042 member>member "
					"statement a visit is a warm word\n"),
			 0);
	bin_result r;
	bin_run(&r, "import", "icews", EX "icews.tsv", "--scenario", SCENARIO,
		"--mapping", map, "-q", NULL);
	bin_expect_status(&r, 0);
	char hex[65], line[PATH_MAX + 100];
	coh_error err = {0};
	assert_int_equal(coh_sha256_file(hex, map, &err), 0);
	snprintf(line, sizeof line, "# mapping: %s (sha256 %s)\n", map, hex);
	assert_non_null(strstr(r.out, line));
	assert_non_null(strstr(r.out,
		"{ date = \"2022-06-01\"; type = \"statement\"; by = "
		"\"ARM\"; about = \"RUS\";\n  tone = 1.90;"));
	/* one event: nothing else is mapped */
	assert_null(strstr(strstr(r.out, "tone = 1.90;"), "{ date"));
	bin_result_free(&r);

	/* a bad one stops the import before reading */
	assert_int_equal(bin_write_file(map, "042 member>member statment x\n"),
			 0);
	bin_run(&r, "import", "icews", EX "icews.tsv", "--scenario", SCENARIO,
		"--mapping", map, NULL);
	bin_expect_status(&r, 1);
	char want[PATH_MAX + 300];
	snprintf(want, sizeof want, "cohesim: %s:1: event type \"statment\" "
		 "cannot be imported, expected third_party_exercise, "
		 "alliance_exercise, assistance_request, assistance_response, "
		 "exercise_refusal, declaration_refusal, external_mission, "
		 "statement or defeat\n", map);
	assert_string_equal(r.err, want);
	bin_result_free(&r);
}

/*--- Errors -------------------------------------------------------------*/

static void test_strict_stops_and_writes_nothing(void **state)
{
	const char *dir = *state;
	const char *out = bin_path(dir, "x.events");
	bin_result r;
	bin_run(&r, "import", "icews", EX "icews.tsv", "--scenario", SCENARIO,
		"--strict", "-q", "-o", out, NULL);
	bin_expect_status(&r, 1);
	assert_string_equal(r.err, "cohesim: " EX "icews.tsv:21: 5 fields, "
			    "expected at least 11 (up to the last column the "
			    "import reads)\n");
	assert_false(bin_exists(out));
	bin_result_free(&r);
}

static void test_bad_files_and_usage(void **state)
{
	const char *dir = *state;
	const char *hdr = bin_path(dir, "h.tsv");
	assert_int_equal(bin_write_file(hdr, "Event ID\tEvent Date\tSource "
					"Name\tSource Country\tTarget Name\t"
					"Target Country\n"), 0);
	static const struct {
		const char *args[12];
		int status;
		const char *err;
	} cases[] = {
		{{"import", "icews", "@H", "--scenario", SCENARIO, NULL}, 1,
		 "cohesim: @H:1: the header has no \"CAMEO Code\" column, "
		 "expected an ICEWS event file (a tab-separated header with "
		 "Event Date, Source Name, Source Country, CAMEO Code, Target "
		 "Name, Target Country)\n"},
		{{"import", "icews", "@E", "--scenario", SCENARIO, "-q", NULL},
		 1, "cohesim: @E:1: empty, expected a header line with the "
		 "column names\n"},
		{{"import", "icews", EX "icews.tsv", "--scenario", SCENARIO,
		  "--against", "XYZ", NULL}, 1,
		 "cohesim: --against XYZ: no outsider of the scenario has that "
		 "id, expected the outsider the requests are against\n"},
		{{"import", "icews", EX "nothing.tsv", "--scenario", SCENARIO,
		  "-q", NULL}, 1,
		 "cohesim: " EX "nothing.tsv: cannot read: No such file or "
		 "directory\n"},
		{{"import", "icews", EX "icews.tsv", NULL}, 2,
		 "cohesim: import: missing --scenario S.cfg\n"
		 "Try 'cohesim import --help'.\n"},
		{{"import", "xml", EX "icews.tsv", "--scenario", SCENARIO,
		  NULL}, 2,
		 "cohesim: import: unknown format 'xml', expected icews, gdelt "
		 "or csv\nTry 'cohesim import --help'.\n"},
		{{"import", "icews", EX "icews.tsv", "--scenario", SCENARIO,
		  "--date", "d", NULL}, 2,
		 "cohesim: import: column options are for the csv format, not "
		 "icews\nTry 'cohesim import --help'.\n"},
		{{"import", "csv", EX "events.csv", "--scenario", SCENARIO,
		  "--window", "0", NULL}, 2,
		 "cohesim: import: --window must be a whole number of days "
		 "from 1 to 36500, got '0'\nTry 'cohesim import --help'.\n"},
		{{"import", "csv", EX "events.csv", "--scenario", SCENARIO,
		  "--cap", "0.5", NULL}, 2,
		 "cohesim: import: --cap must be a number in [1, 10], got "
		 "'0.5'\nTry 'cohesim import --help'.\n"},
	};
	const char *empty = bin_path(dir, "e.tsv");
	assert_int_equal(bin_write_file(empty, "\n\n"), 0);
	/* under valgrind, only the cases that get past the option parser:
	 * the usage errors allocate nothing worth checking, and each run
	 * costs a second there */
	const char *wrap = getenv("COH_WRAP");
	int valgrind = wrap && *wrap;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (valgrind && cases[i].status == 2)
			continue;
		const char *args[12];
		char want[1024];
		const char *sub = NULL;
		size_t k;
		for (k = 0; cases[i].args[k]; k++) {
			args[k] = cases[i].args[k];
			if (strcmp(args[k], "@H") == 0)
				args[k] = sub = hdr;
			else if (strcmp(args[k], "@E") == 0)
				args[k] = sub = empty;
		}
		args[k] = NULL;
		/* put the scratch file's name into the expected message */
		const char *at = strchr(cases[i].err, '@');
		if (at && sub)
			snprintf(want, sizeof want, "%.*s%s%s",
				 (int)(at - cases[i].err), cases[i].err, sub,
				 at + 2);
		else
			snprintf(want, sizeof want, "%s", cases[i].err);
		bin_result r;
		bin_run_argv(&r, NULL, args);
		bin_expect_status(&r, cases[i].status);
		assert_string_equal(r.err, want);
		bin_result_free(&r);
	}
}

/* Allocation n failing, for every n until the import succeeds: exit 1
 * with "out of memory" and no fragment or temporary left.  Not under
 * valgrind, where the hundreds of runs would take minutes. */
static void test_out_of_memory(void **state)
{
	const char *dir = *state;
	const char *wrap = getenv("COH_WRAP");
	if (wrap && *wrap) {
		print_message("  skipped under valgrind\n");
		return;
	}
	const char *out = bin_path(dir, "oom.events");
	const char *args[] = {"import", "icews", EX "icews.tsv",
			      "--scenario", SCENARIO, "--actors", ACTORS,
			      "--against", "AZE", "-q", "-o", out, NULL};
	long n;
	for (n = 0; n < 100000; n++) {
		char value[32];
		snprintf(value, sizeof value, "%ld", n);
		setenv("COH_ALLOC_FAIL_AFTER", value, 1);
		bin_result r;
		int rc = bin_run_argv(&r, NULL, args);
		unsetenv("COH_ALLOC_FAIL_AFTER");
		assert_true(rc >= 0);
		if (r.status == 0) {
			bin_result_free(&r);
			break;
		}
		if (r.status != 1 || !strstr(r.err, "out of memory"))
			fail_msg("allocation %ld failing: exit %d, stderr:\n%s",
				 n, r.status, r.err);
		bin_result_free(&r);
		/* nothing written: no fragment, no temporary */
		char cmd[PATH_MAX + 64];
		snprintf(cmd, sizeof cmd, "ls '%s' | grep -q .", dir);
		assert_int_not_equal(system(cmd), 0);
	}
	print_message("  import: failed at each of the first %ld allocations, "
		      "then succeeded\n", n);
	assert_true(n > 20);
	assert_true(bin_exists(out));
}

/*--- Inside a scenario ---------------------------------------------------*/

/* The committed example validates, with the one warning about the
 * statement both files hold, and runs. */
static void test_fragment_validates_and_runs(void **state)
{
	const char *dir = *state;
	bin_result r;
	bin_run(&r, "validate", EX "imported.cfg", NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.err,
		"cohesim: warning: " EX "icews.events:39: the statement of "
		"2022-09-14 (by RUS, about ARM) repeats the one at " EX
		"timeline.events:10 (same date, type and parties), expected "
		"each event once\n");
	bin_result_free(&r);
	bin_run(&r, "validate", SCENARIO, NULL);
	bin_expect_status(&r, 0);
	assert_string_equal(r.err, "");
	bin_result_free(&r);
	const char *out = bin_path(dir, "run");
	bin_run(&r, "run", EX "imported.cfg", "-r", "2", "-q", "--plot",
		"none", "-o", out, NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	/* the imported events are in the run's timeline */
	char *tl = bin_slurp(bin_path(out, "timeline.csv"), NULL);
	assert_non_null(tl);
	assert_non_null(strstr(tl, "declaration_refusal"));
	assert_non_null(strstr(tl, "third_party_exercise"));
	free(tl);
}

/*--- Memory --------------------------------------------------------------*/

/* Writes rows ICEWS rows to fd: most about states outside the scenario,
 * some between members (statements over the whole year), as a year of
 * world-wide event data looks to a small alliance. */
static void write_stream(int fd, uint64_t bytes)
{
	static const char *const countries[] = {
		"Russia", "Armenia", "Kazakhstan", "Belarus", "Georgia",
		"Turkey", "Iran", "India", "Brazil", "Japan", "Azerbaijan",
		"United States"};
	static const char *const codes[] = {"111", "42", "51", "62", "10",
					    "1212", "36", "112"};
	char buf[1 << 16];
	size_t used = (size_t)snprintf(buf, sizeof buf,
		"Event ID\tEvent Date\tSource Name\tSource Sectors\tSource "
		"Country\tEvent Text\tCAMEO Code\tIntensity\tTarget Name\t"
		"Target Sectors\tTarget Country\tStory ID\tSentence Number\t"
		"Publisher\n");
	uint64_t written = 0, x = 88172645463325252ULL;
	for (uint64_t id = 1; written < bytes; id++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		const char *s = countries[x % 12], *t = countries[(x >> 8) % 12];
		const char *c = codes[(x >> 16) % 8];
		int day = 1 + (int)((x >> 24) % 28);
		int month = 1 + (int)((x >> 32) % 12);
		used += (size_t)snprintf(buf + used, sizeof buf - used,
			"%llu\t2022-%02d-%02d\t%s\tGovernment\t%s\tSynthetic "
			"event text for the memory test\t%s\t-2.0\t%s\t"
			"Government\t%s\t%llu\t1\tSynthetic Wire\n",
			(unsigned long long)id, month, day, s, s, c, t, t,
			(unsigned long long)(id * 7));
		if (used > sizeof buf - 512) {
			if (write(fd, buf, used) != (ssize_t)used)
				return;
			written += used;
			used = 0;
		}
	}
	if (used && write(fd, buf, used) == (ssize_t)used)
		written += used;
}

/* AddressSanitizer's shadow memory and quarantine would be measured too. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* Imports a synthetic stream through a pipe and checks the child's peak
 * resident memory.  64 MB normally; under valgrind ($COH_WRAP set) only
 * 256 KB and no memory bound (valgrind's own memory is what it would
 * measure), to keep the suite's valgrind run short; under AddressSanitizer
 * 16 MB and no bound either (its shadow memory would be measured). */
static void test_memory_does_not_grow(void **state)
{
	(void)state;
	const char *wrap = getenv("COH_WRAP");
	int valgrind = wrap && *wrap;
	uint64_t bytes = valgrind ? (256u << 10)
				  : UNDER_ASAN ? (16u << 20) : (64u << 20);
	char scen[PATH_MAX];
	assert_int_equal(bin_abspath(scen, SCENARIO), 0);
	const char *bin = getenv("COH_BIN") ? getenv("COH_BIN")
					    : "build/cohesim";
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		char cmd[2 * PATH_MAX];
		snprintf(cmd, sizeof cmd,
			 "exec %s %s import icews - --scenario %s -q",
			 valgrind ? wrap : "", bin, scen);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	write_stream(fds[1], bytes);
	close(fds[1]);
	int status;
	struct rusage ru;
	assert_int_equal(wait4(pid, &status, 0, &ru), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	if (!valgrind && !UNDER_ASAN) {
		/* ru_maxrss is in KiB; the program itself takes a few MB,
		 * the import's tables a few more */
		if (ru.ru_maxrss > 32 * 1024) {
			print_error("peak memory %ld KiB importing %llu MB, "
				    "expected under 32 MiB\n", ru.ru_maxrss,
				    (unsigned long long)(bytes >> 20));
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_get_their_zeros_back),
		cmocka_unit_test(test_split_quoted_fields),
		cmocka_unit_test(test_default_mapping_matches_the_doc),
		cmocka_unit_test_setup_teardown(test_mapping_file_errors,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_actors, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_icews_sample, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_gdelt_sample, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_csv_sample, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_window_and_stdin,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_mapping_file_replaces_the_default, bin_tmp_setup,
			bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_strict_stops_and_writes_nothing, bin_tmp_setup,
			bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_bad_files_and_usage,
						bin_tmp_setup, bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory, bin_tmp_setup,
						bin_tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_fragment_validates_and_runs, bin_tmp_setup,
			bin_tmp_teardown),
		cmocka_unit_test(test_memory_does_not_grow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
