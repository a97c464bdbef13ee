/* Tests of the scenario loader: defaults, every event type, ties, sorting,
 * overrides, includes, a source read once and loaded many times, dates,
 * the resolved writer (load -> write -> load must give the same model bit
 * for bit) and clean failure when memory runs out at any allocation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cohesim.h"
#include "core/alloc.h"

/*--- Helpers ---*/

#define HEAD \
	"version = 1;\n" \
	"scenario: { name = \"t\"; start = \"2020-01-01\"; end = \"2020-12-31\"; };\n"
#define MEMBERS \
	"members = (\n" \
	"  { id = \"RUS\"; name = \"Russia\"; power = 0.8; commitment = 0.9; },\n" \
	"  { id = \"ARM\"; power = 0.1; commitment = 0.6; freeze = 0.3; exit = 0.1; },\n" \
	"  { id = \"KAZ\"; power = 0.1; commitment = 0.7; }\n" \
	");\n" \
	"outsiders = ( { id = \"AZE\"; name = \"Azerbaijan\"; }, { id = \"USA\"; } );\n"
#define BASE HEAD MEMBERS

static void print_diag(const coh_diag *d)
{
	for (size_t i = 0; i < d->count; i++) {
		char buf[1200];
		coh_error_format(&d->items[i], buf, sizeof buf);
		print_message("  diag: %s\n", buf);
	}
}

static coh_scenario *load_with(const char *text, const char *const *sets,
			       size_t n_sets)
{
	coh_load_options o = {NULL, sets, n_sets};
	coh_diag d = COH_DIAG_INIT;
	coh_scenario *sc = NULL;
	int rc = coh_scenario_load_string(&sc, text, "test.cfg", &o, &d);
	if (rc)
		print_diag(&d);
	coh_diag_clear(&d);
	assert_int_equal(rc, 0);
	assert_non_null(sc);
	return sc;
}

static coh_scenario *load(const char *text)
{
	return load_with(text, NULL, 0);
}

/* Loads text (or the file `path` when text is NULL) expecting exactly the
 * given error lines, in order. */
static void expect_errors_opts(const char *text, const char *path,
			       const coh_load_options *o,
			       const char *const *want, size_t n_want)
{
	coh_diag d = COH_DIAG_INIT;
	coh_scenario *sc = NULL;
	int rc = text ? coh_scenario_load_string(&sc, text, "test.cfg", o, &d)
		      : coh_scenario_load(&sc, path, o, &d);
	assert_int_equal(rc, COH_EINPUT);
	assert_null(sc);
	if (d.count != n_want)
		print_diag(&d);
	assert_int_equal(d.count, n_want);
	for (size_t i = 0; i < n_want; i++) {
		char buf[1200];
		coh_error_format(&d.items[i], buf, sizeof buf);
		assert_string_equal(buf, want[i]);
		assert_int_equal(d.items[i].code, COH_EINPUT);
	}
	coh_diag_clear(&d);
}

static void expect_errors(const char *text, const char *const *sets,
			  size_t n_sets, const char *const *want, size_t n_want)
{
	coh_load_options o = {NULL, sets, n_sets};
	expect_errors_opts(text, NULL, &o, want, n_want);
}

static void expect_error(const char *text, const char *want)
{
	expect_errors(text, NULL, 0, &want, 1);
}

static void same_double(double a, double b)
{
	if (memcmp(&a, &b, sizeof a) != 0)
		fail_msg("%.17g and %.17g differ", a, b);
}

static void same_string(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* Every field of two models, doubles bit for bit; lines and file names
 * are where things were written, so they may differ. */
static void same_model(const coh_model *a, const coh_model *b)
{
	same_string(a->name, b->name);
	same_string(a->title, b->title);
	assert_true(a->start_day == b->start_day);
	same_double(a->horizon, b->horizon);
	assert_true(a->seed == b->seed);
	assert_true(a->replications == b->replications);
	same_double(a->consultation_period, b->consultation_period);
	for (int k = 0; k < COH_W__COUNT; k++) {
		same_double(a->weight[k], b->weight[k]);
		same_double(a->spillover[k], b->spillover[k]);
	}
	assert_memory_equal(&a->response, &b->response, sizeof a->response);
	assert_memory_equal(&a->rebuke, &b->rebuke, sizeof a->rebuke);
	same_string(a->alliance_name, b->alliance_name);
	assert_int_equal(a->leader, b->leader);
	assert_int_equal(a->n_members, b->n_members);
	for (size_t i = 0; i < a->n_members; i++) {
		const coh_member *x = &a->members[i], *y = &b->members[i];
		same_string(x->id, y->id);
		same_string(x->name, y->name);
		same_double(x->power, y->power);
		same_double(x->commitment, y->commitment);
		same_double(x->baseline, y->baseline);
		same_double(x->half_life, y->half_life);
		same_double(x->adaptation_half_life, y->adaptation_half_life);
		same_double(x->sensitivity, y->sensitivity);
		same_double(x->susceptibility, y->susceptibility);
		same_double(x->freeze, y->freeze);
		same_double(x->exit, y->exit);
		same_double(x->dwell, y->dwell);
		same_double(x->recover, y->recover);
		assert_int_equal(x->explicit_ties, y->explicit_ties);
	}
	assert_int_equal(a->n_outsiders, b->n_outsiders);
	for (size_t i = 0; i < a->n_outsiders; i++) {
		same_string(a->outsiders[i].id, b->outsiders[i].id);
		same_string(a->outsiders[i].name, b->outsiders[i].name);
	}
	assert_int_equal(a->n_ties, b->n_ties);
	for (size_t i = 0; i < a->n_ties; i++) {
		assert_int_equal(a->ties[i].from, b->ties[i].from);
		assert_int_equal(a->ties[i].to, b->ties[i].to);
		same_double(a->ties[i].weight, b->ties[i].weight);
	}
	assert_int_equal(a->n_affinities, b->n_affinities);
	for (size_t i = 0; i < a->n_affinities; i++) {
		assert_int_equal(a->affinities[i].member,
				 b->affinities[i].member);
		assert_int_equal(a->affinities[i].outsider,
				 b->affinities[i].outsider);
		same_double(a->affinities[i].value, b->affinities[i].value);
	}
	assert_int_equal(a->n_events, b->n_events);
	for (size_t i = 0; i < a->n_events; i++) {
		const coh_event *x = &a->events[i], *y = &b->events[i];
		assert_int_equal(x->type, y->type);
		same_double(x->day, y->day);
		assert_int_equal(x->actor, y->actor);
		assert_int_equal(x->target, y->target);
		assert_int_equal(x->outsider, y->outsider);
		same_double(x->magnitude, y->magnitude);
		same_double(x->deadline, y->deadline);
		assert_int_equal(x->in_scope, y->in_scope);
		assert_int_equal(x->drawn_answers, y->drawn_answers);
		assert_int_equal(x->field, y->field);
		assert_int_equal(x->list_count, y->list_count);
		for (size_t j = 0; j < x->list_count; j++)
			assert_int_equal(a->lists[x->list_first + j],
					 b->lists[y->list_first + j]);
		same_string(x->note, y->note);
		same_string(x->source, y->source);
	}
	assert_int_equal(a->n_generators, b->n_generators);
	for (size_t i = 0; i < a->n_generators; i++) {
		const coh_generator *x = &a->generators[i];
		const coh_generator *y = &b->generators[i];
		assert_int_equal(x->type, y->type);
		assert_int_equal(x->member, y->member);
		assert_int_equal(x->outsider, y->outsider);
		same_double(x->rate, y->rate);
		same_double(x->feedback, y->feedback);
		same_double(x->magnitude, y->magnitude);
		same_double(x->deadline, y->deadline);
		assert_int_equal(x->in_scope, y->in_scope);
		same_double(x->start, y->start);
		same_double(x->end, y->end);
	}
	same_double(a->sample_every, b->sample_every);
}

/* The resolved text of a scenario (free with free()). */
static char *resolved(const coh_scenario *sc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	coh_error err;
	assert_int_equal(coh_scenario_write_resolved(sc, fp, &err), 0);
	fclose(fp);
	return buf;
}

/* Writes the scenario out and loads what was written: same model. */
static void round_trip(const coh_scenario *sc)
{
	char *text = resolved(sc);
	coh_scenario *again = load(text);
	same_model(coh_scenario_model(sc), coh_scenario_model(again));
	coh_scenario_free(again);
	free(text);
}

/* A scratch folder of files for include and file tests. */
typedef struct scratch {
	char dir[64];
	char paths[32][256];
	int n;
} scratch;

static void scratch_open(scratch *s)
{
	snprintf(s->dir, sizeof s->dir, "/tmp/coh-scenario-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	s->n = 0;
}

/* Writes dir/rel (its folder must exist or be made with scratch_mkdir);
 * returns the full path. */
/* The next free path slot, set to dir/rel. */
static char *scratch_path(scratch *s, const char *rel)
{
	char dir[sizeof s->dir];
	memcpy(dir, s->dir, sizeof dir);
	char *p = s->paths[s->n++];
	snprintf(p, sizeof s->paths[0], "%s/%s", dir, rel);
	return p;
}

static const char *scratch_file(scratch *s, const char *rel, const char *text)
{
	char *p = scratch_path(s, rel);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return p;
}

static void scratch_mkdir(scratch *s, const char *rel)
{
	char *p = scratch_path(s, rel);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", p);
	assert_int_equal(system(cmd), 0);
}

static void scratch_close(scratch *s)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
	assert_int_equal(system(cmd), 0);
}

/*--- Dates ---*/

/* Found by fuzzing: a NaN or huge time reached a double-to-integer cast. */
static void test_date_format_out_of_range(void **state)
{
	(void)state;
	char buf[16];
	coh_date_format_offset(buf, sizeof buf, 19684, 0.5);
	assert_string_equal(buf, "2023-11-23");
	coh_date_format_offset(buf, sizeof buf, 19684, -1.5);
	assert_string_equal(buf, "2023-11-21");
	coh_date_format_offset(buf, sizeof buf, 19684, NAN);
	assert_string_equal(buf, "invalid");
	coh_date_format_offset(buf, sizeof buf, 19684, 1e300);
	assert_string_equal(buf, "invalid");
	coh_date_format(buf, sizeof buf, INT64_MIN);
	assert_string_equal(buf, "invalid");
	/* the last day still formatted: a year of ten digits */
	coh_date_format(buf, sizeof buf, 1000000000000LL);
	assert_int_equal(strspn(buf, "0123456789"), 10);
	assert_int_equal(buf[10], '-');
}

/*--- Defaults and plain values ---*/

static void test_defaults(void **state)
{
	(void)state;
	coh_scenario *sc = load(BASE);
	const coh_model *m = coh_scenario_model(sc);
	assert_string_equal(m->name, "t");
	assert_string_equal(m->title, "t");
	int64_t d;
	assert_int_equal(coh_date_parse(&d, "2020-01-01"), 0);
	assert_true(m->start_day == d);
	same_double(m->horizon, 365.0);   /* 2020 is a leap year */
	assert_true(m->seed == 1);
	assert_true(m->replications == 1);
	same_double(m->consultation_period, 0.0);
	for (int k = 0; k < COH_W__COUNT; k++) {
		same_double(m->weight[k], coh_default_weight(k));
		same_double(m->spillover[k], coh_default_spillover(k));
	}
	same_double(m->response.base, -0.73);
	same_double(m->response.commitment, 2.0);
	same_double(m->response.tie, 1.0);
	same_double(m->response.affinity, 2.0);
	same_double(m->response.scope_factor, 0.2);
	same_double(m->rebuke.probability, 0.5);
	same_double(m->rebuke.delay, 7.0);
	same_double(m->rebuke.magnitude, 1.0);
	assert_string_equal(m->alliance_name, "alliance");
	assert_int_equal(m->leader, -1);
	same_double(m->sample_every, 7.0);

	assert_int_equal(m->n_members, 3);
	const coh_member *rus = &m->members[0], *arm = &m->members[1];
	assert_string_equal(rus->id, "RUS");
	assert_string_equal(rus->name, "Russia");
	assert_string_equal(arm->name, "ARM");      /* name defaults to id */
	same_double(rus->power, 0.8);
	same_double(rus->commitment, 0.9);
	same_double(rus->baseline, 0.9);            /* baseline = commitment */
	same_double(rus->half_life, 365.0);
	same_double(rus->adaptation_half_life, 0.0);
	same_double(rus->sensitivity, 1.0);
	same_double(rus->susceptibility, 0.5);
	same_double(rus->freeze, 0.0);
	same_double(rus->exit, 0.0);
	same_double(rus->dwell, 0.0);
	same_double(rus->recover, 0.0);
	same_double(arm->freeze, 0.3);
	same_double(arm->exit, 0.1);
	assert_int_equal(rus->explicit_ties, 0);
	assert_int_equal(rus->line, 4);

	assert_int_equal(m->n_outsiders, 2);
	assert_string_equal(m->outsiders[0].name, "Azerbaijan");
	assert_string_equal(m->outsiders[1].name, "USA");
	assert_int_equal(m->n_ties, 0);
	assert_int_equal(m->n_affinities, 0);
	assert_int_equal(m->n_events, 0);
	assert_int_equal(m->n_generators, 0);
	assert_string_equal(coh_scenario_path(sc), "test.cfg");
	coh_scenario_free(sc);
}

static void test_model_block(void **state)
{
	(void)state;
	coh_scenario *sc = load(
		"version = 1;\n"
		"scenario: { name = \"csto-2\"; title = \"T\"; start = \"2020-01-01\";\n"
		"  end = \"2021-01-01\"; seed = 7000000000L; replications = 250; };\n"
		"model: { half_life = 540; adaptation_half_life = 90.5;\n"
		"  susceptibility = 0.25; sensitivity = 2; freeze = 0.4; exit = 0.2;\n"
		"  dwell = 14; recover = 0.05; consultation_period = 30;\n"
		"  weights: { statement = 0.5; exit = -1; };\n"
		"  spillover: { request_unanswered = 0; defeat = 1; };\n"
		"  response: { base = 1; commitment = -2.5; tie = 0; affinity = 3;\n"
		"    scope_factor = 1; };\n"
		"  rebuke: { probability = 1; delay = 0; magnitude = 2.5; }; };\n"
		"alliance: { name = \"CSTO\"; leader = \"ARM\"; };\n"
		"members = ( { id = \"A1\"; power = 1; commitment = 1; },\n"
		"  { id = \"ARM\"; power = 2; commitment = 0; baseline = 0.5;\n"
		"    half_life = 0; susceptibility = 1; freeze = 0.5; exit = 0.5; } );\n"
		"output: { sample_every = 0.5; };\n");
	const coh_model *m = coh_scenario_model(sc);
	assert_string_equal(m->title, "T");
	assert_true(m->seed == 7000000000ULL);
	assert_true(m->replications == 250);
	same_double(m->horizon, 366.0);
	same_double(m->consultation_period, 30.0);
	same_double(m->weight[COH_W_STATEMENT], 0.5);
	same_double(m->weight[COH_W_EXIT], -1.0);
	same_double(m->weight[COH_W_DEFEAT], coh_default_weight(COH_W_DEFEAT));
	same_double(m->spillover[COH_W_REQUEST_UNANSWERED], 0.0);
	same_double(m->spillover[COH_W_DEFEAT], 1.0);
	same_double(m->response.base, 1.0);
	same_double(m->response.commitment, -2.5);
	same_double(m->response.tie, 0.0);
	same_double(m->response.affinity, 3.0);
	same_double(m->response.scope_factor, 1.0);
	same_double(m->rebuke.probability, 1.0);
	same_double(m->rebuke.delay, 0.0);
	same_double(m->rebuke.magnitude, 2.5);
	assert_string_equal(m->alliance_name, "CSTO");
	assert_int_equal(m->leader, 1);
	same_double(m->sample_every, 0.5);

	/* The first member takes every default of the model block. */
	const coh_member *a = &m->members[0], *b = &m->members[1];
	same_double(a->half_life, 540.0);
	same_double(a->adaptation_half_life, 90.5);
	same_double(a->susceptibility, 0.25);
	same_double(a->sensitivity, 2.0);
	same_double(a->freeze, 0.4);
	same_double(a->exit, 0.2);
	same_double(a->dwell, 14.0);
	same_double(a->recover, 0.05);
	same_double(a->baseline, 1.0);
	/* The second overrides some, keeps the rest. */
	same_double(b->baseline, 0.5);
	same_double(b->half_life, 0.0);
	same_double(b->susceptibility, 1.0);
	same_double(b->freeze, 0.5);
	same_double(b->exit, 0.5);
	same_double(b->sensitivity, 2.0);
	same_double(b->dwell, 14.0);
	round_trip(sc);
	coh_scenario_free(sc);
}

static void test_ties_and_affinities(void **state)
{
	(void)state;
	coh_scenario *sc = load(BASE
		"ties = ( { from = \"ARM\"; to = \"RUS\"; weight = 0.6; },\n"
		"  { from = \"ARM\"; to = \"ARM\"; weight = 1; },\n"
		"  { from = \"KAZ\"; to = \"RUS\"; weight = 0; } );\n"
		"affinities = ( { member = \"RUS\"; outsider = \"AZE\"; value = 0.4; },\n"
		"  { member = \"RUS\"; outsider = \"USA\"; value = -1; } );\n");
	const coh_model *m = coh_scenario_model(sc);
	assert_int_equal(m->n_ties, 3);
	assert_int_equal(m->ties[0].from, 1);
	assert_int_equal(m->ties[0].to, 0);
	same_double(m->ties[0].weight, 0.6);
	assert_int_equal(m->ties[1].to, 1);
	same_double(m->ties[2].weight, 0.0);
	/* Listing a tie, even of weight 0, makes a member's row explicit. */
	assert_int_equal(m->members[0].explicit_ties, 0);
	assert_int_equal(m->members[1].explicit_ties, 1);
	assert_int_equal(m->members[2].explicit_ties, 1);
	assert_int_equal(m->n_affinities, 2);
	assert_int_equal(m->affinities[1].member, 0);
	assert_int_equal(m->affinities[1].outsider, 1);
	same_double(m->affinities[1].value, -1.0);
	coh_scenario_free(sc);
}

/*--- Events ---*/

static void test_event_types(void **state)
{
	(void)state;
	coh_scenario *sc = load(BASE "events = (\n"
		"{ date = \"2020-01-01\"; type = \"assistance_request\"; by = \"ARM\";\n"
		"  against = \"AZE\"; note = \"n\"; source = \"s\"; },\n"
		"{ date = \"2020-01-02\"; type = \"assistance_request\"; by = \"KAZ\";\n"
		"  against = \"USA\"; deadline = 10; severity = 2.5; in_scope = false;\n"
		"  answers = \"drawn\"; },\n"
		"{ date = \"2020-01-31\"; type = \"assistance_response\"; by = \"RUS\";\n"
		"  to = \"ARM\"; level = 0.2; },\n"
		"{ date = \"2020-02-01\"; type = \"third_party_exercise\"; by = \"ARM\";\n"
		"  with = \"USA\"; magnitude = 0.5; },\n"
		"{ date = \"2020-02-02\"; type = \"alliance_exercise\"; host = \"RUS\";\n"
		"  participants = [\"KAZ\", \"ARM\"]; },\n"
		"{ date = \"2020-02-03\"; type = \"alliance_exercise\"; host = \"KAZ\";\n"
		"  participants = (\"KAZ\"); magnitude = 2; },\n"
		"{ date = \"2020-02-04\"; type = \"exercise_refusal\"; by = \"ARM\"; },\n"
		"{ date = \"2020-02-05\"; type = \"summit\"; absent = [\"ARM\", \"KAZ\"]; },\n"
		"{ date = \"2020-02-06\"; type = \"summit\"; host = \"KAZ\"; magnitude = 0; },\n"
		"{ date = \"2020-02-07\"; type = \"declaration_refusal\"; by = \"ARM\"; },\n"
		"{ date = \"2020-02-08\"; type = \"external_mission\"; by = \"ARM\"; from = \"USA\"; },\n"
		"{ date = \"2020-02-09\"; type = \"statement\"; by = \"RUS\"; about = \"ARM\"; tone = -4; },\n"
		"{ date = \"2020-02-10\"; type = \"defeat\"; member = \"ARM\"; magnitude = 3; },\n"
		"{ date = \"2020-02-11\"; type = \"shock\"; member = \"KAZ\"; delta = -0.25; },\n"
		"{ date = \"2020-12-31\"; type = \"set\"; member = \"ARM\"; field = \"dwell\"; value = 30; }\n"
		");\n");
	const coh_model *m = coh_scenario_model(sc);
	assert_int_equal(m->n_events, 15);
	const coh_event *e = m->events;

	assert_int_equal(e[0].type, COH_EV_ASSISTANCE_REQUEST);
	same_double(e[0].day, 0.0);
	assert_int_equal(e[0].actor, 1);
	assert_int_equal(e[0].outsider, 0);
	assert_int_equal(e[0].target, -1);
	same_double(e[0].deadline, 30.0);
	same_double(e[0].magnitude, 1.0);
	assert_int_equal(e[0].in_scope, 1);
	assert_int_equal(e[0].drawn_answers, 0);
	assert_string_equal(e[0].note, "n");
	assert_string_equal(e[0].source, "s");
	assert_string_equal(e[0].file, "test.cfg");
	assert_int_equal(e[0].line, 10);

	same_double(e[1].deadline, 10.0);
	same_double(e[1].magnitude, 2.5);
	assert_int_equal(e[1].in_scope, 0);
	assert_int_equal(e[1].drawn_answers, 1);
	assert_null(e[1].note);

	assert_int_equal(e[2].type, COH_EV_ASSISTANCE_RESPONSE);
	same_double(e[2].day, 30.0);   /* on the deadline: still counts */
	assert_int_equal(e[2].actor, 0);
	assert_int_equal(e[2].target, 1);
	same_double(e[2].magnitude, 0.2);

	assert_int_equal(e[3].outsider, 1);
	same_double(e[3].magnitude, 0.5);

	/* The host joins its exercise if it is not listed, once if it is. */
	assert_int_equal(e[4].actor, 0);
	assert_int_equal(e[4].list_count, 3);
	assert_int_equal(m->lists[e[4].list_first], 2);
	assert_int_equal(m->lists[e[4].list_first + 1], 1);
	assert_int_equal(m->lists[e[4].list_first + 2], 0);
	assert_int_equal(e[5].list_count, 1);
	assert_int_equal(m->lists[e[5].list_first], 2);
	same_double(e[5].magnitude, 2.0);

	assert_int_equal(e[6].type, COH_EV_EXERCISE_REFUSAL);
	assert_int_equal(e[6].actor, 1);

	assert_int_equal(e[7].type, COH_EV_SUMMIT);
	assert_int_equal(e[7].actor, -1);
	assert_int_equal(e[7].list_count, 2);
	assert_int_equal(m->lists[e[7].list_first + 1], 2);
	assert_int_equal(e[8].actor, 2);
	assert_int_equal(e[8].list_count, 0);
	same_double(e[8].magnitude, 0.0);

	assert_int_equal(e[9].type, COH_EV_DECLARATION_REFUSAL);
	assert_int_equal(e[10].type, COH_EV_EXTERNAL_MISSION);
	assert_int_equal(e[10].outsider, 1);

	assert_int_equal(e[11].actor, 0);
	assert_int_equal(e[11].target, 1);
	same_double(e[11].magnitude, -0.4);

	assert_int_equal(e[12].type, COH_EV_DEFEAT);
	assert_int_equal(e[12].actor, 1);
	same_double(e[12].magnitude, 3.0);

	assert_int_equal(e[13].actor, 2);
	same_double(e[13].magnitude, -0.25);

	/* An event on the end date is inside the scenario. */
	assert_int_equal(e[14].type, COH_EV_SET);
	same_double(e[14].day, 365.0);
	assert_int_equal(e[14].field, COH_FIELD_DWELL);
	same_double(e[14].magnitude, 30.0);
	round_trip(sc);
	coh_scenario_free(sc);
}

static void test_events_sorted_stably(void **state)
{
	(void)state;
	coh_scenario *sc = load(BASE "events = (\n"
		"{ date = \"2020-03-01\"; type = \"shock\"; member = \"RUS\"; delta = 0.1; },\n"
		"{ date = \"2020-02-01\"; type = \"shock\"; member = \"RUS\"; delta = 0.2; },\n"
		"{ date = \"2020-03-01\"; type = \"shock\"; member = \"RUS\"; delta = 0.3; },\n"
		"{ date = \"2020-01-15\"; type = \"shock\"; member = \"RUS\"; delta = 0.4; },\n"
		"{ date = \"2020-03-01\"; type = \"shock\"; member = \"RUS\"; delta = 0.5; },\n"
		"{ date = \"2020-02-01\"; type = \"shock\"; member = \"RUS\"; delta = 0.6; }\n"
		");\n");
	const coh_model *m = coh_scenario_model(sc);
	static const double want[] = {0.4, 0.2, 0.6, 0.1, 0.3, 0.5};
	static const double days[] = {14, 31, 31, 60, 60, 60};
	assert_int_equal(m->n_events, 6);
	for (int i = 0; i < 6; i++) {
		same_double(m->events[i].magnitude, want[i]);
		same_double(m->events[i].day, days[i]);
	}
	coh_scenario_free(sc);
}

static void test_response_window(void **state)
{
	(void)state;
	/* Same day as the request but written before it: the engine would
	 * see the response first, so it answers nothing. */
	expect_error(BASE "events = (\n"
		"{ date = \"2020-05-01\"; type = \"assistance_response\"; by = \"RUS\"; to = \"ARM\"; },\n"
		"{ date = \"2020-05-01\"; type = \"assistance_request\"; by = \"ARM\"; against = \"AZE\"; }\n"
		");\n",
		"test.cfg:10: events.[0]: the assistance_response by RUS to ARM "
		"on 2020-05-01 answers no assistance_request by ARM, expected "
		"one made on or before that day whose deadline has not passed");
	/* A request written later in the file but dated earlier counts. */
	coh_scenario *sc = load(BASE "events = (\n"
		"{ date = \"2020-05-03\"; type = \"assistance_response\"; by = \"RUS\"; to = \"ARM\"; },\n"
		"{ date = \"2020-05-01\"; type = \"assistance_request\"; by = \"ARM\"; against = \"AZE\"; deadline = 2; }\n"
		");\n");
	coh_scenario_free(sc);
	/* A request by someone else does not. */
	expect_error(BASE "events = (\n"
		"{ date = \"2020-05-01\"; type = \"assistance_request\"; by = \"KAZ\"; against = \"AZE\"; },\n"
		"{ date = \"2020-05-02\"; type = \"assistance_response\"; by = \"RUS\"; to = \"ARM\"; }\n"
		");\n",
		"test.cfg:11: events.[1]: the assistance_response by RUS to ARM "
		"on 2020-05-02 answers no assistance_request by ARM, expected "
		"one made on or before that day whose deadline has not passed");
}

static void test_generators(void **state)
{
	(void)state;
	coh_scenario *sc = load(BASE "generators = (\n"
		"{ type = \"third_party_exercise\"; by = \"ARM\"; with = \"USA\"; rate = 0.5; feedback = 3; },\n"
		"{ type = \"assistance_request\"; by = \"*\"; against = \"AZE\"; rate = 2;\n"
		"  severity = 0.5; deadline = 14; in_scope = false;\n"
		"  start = \"2020-02-01\"; end = \"2020-03-01\"; },\n"
		"{ type = \"summit_absence\"; by = \"KAZ\"; rate = 0; magnitude = 0.25; },\n"
		"{ type = \"external_mission\"; by = \"KAZ\"; from = \"USA\"; rate = 1; }\n"
		");\n");
	const coh_model *m = coh_scenario_model(sc);
	assert_int_equal(m->n_generators, 4);
	const coh_generator *g = m->generators;
	assert_int_equal(g[0].type, COH_EV_THIRD_PARTY_EXERCISE);
	assert_int_equal(g[0].member, 1);
	assert_int_equal(g[0].outsider, 1);
	same_double(g[0].rate, 0.5);
	same_double(g[0].feedback, 3.0);
	same_double(g[0].magnitude, 1.0);
	same_double(g[0].start, 0.0);
	same_double(g[0].end, 365.0);
	assert_int_equal(g[1].member, -1);
	assert_int_equal(g[1].outsider, 0);
	same_double(g[1].magnitude, 0.5);
	same_double(g[1].deadline, 14.0);
	assert_int_equal(g[1].in_scope, 0);
	same_double(g[1].start, 31.0);
	same_double(g[1].end, 60.0);
	assert_int_equal(g[2].type, COH_EV_SUMMIT_ABSENCE);
	assert_int_equal(g[2].outsider, -1);
	same_double(g[2].magnitude, 0.25);
	same_double(g[2].feedback, 0.0);
	assert_int_equal(g[3].outsider, 1);
	assert_int_equal(g[3].line, 15);
	round_trip(sc);
	coh_scenario_free(sc);
}

/* The types the engine could always generate, now reachable from a file:
 * each with the keys its kind gives a generator. */
static void test_generators_of_every_kind(void **state)
{
	(void)state;
	coh_scenario *sc = load(BASE "generators = (\n"
		"{ type = \"summit\"; by = \"ARM\"; rate = 1; magnitude = 0.5; },\n"
		"{ type = \"alliance_exercise\"; by = \"KAZ\"; rate = 2; },\n"
		"{ type = \"statement\"; by = \"*\"; rate = 3; tone = -3; },\n"
		"{ type = \"shock\"; by = \"ARM\"; rate = 4; delta = -0.2;\n"
		"  feedback = 1; }\n"
		");\n");
	const coh_model *m = coh_scenario_model(sc);
	assert_int_equal(m->n_generators, 4);
	const coh_generator *g = m->generators;
	assert_int_equal(g[0].type, COH_EV_SUMMIT);
	same_double(g[0].magnitude, 0.5);
	assert_int_equal(g[1].type, COH_EV_ALLIANCE_EXERCISE);
	same_double(g[1].magnitude, 1.0);
	assert_int_equal(g[2].type, COH_EV_STATEMENT);
	assert_int_equal(g[2].member, -1);
	same_double(g[2].magnitude, -3 / 10.0);      /* tone / 10 */
	assert_int_equal(g[3].type, COH_EV_SHOCK);
	same_double(g[3].magnitude, -0.2);
	same_double(g[3].feedback, 1.0);
	/* the engine takes them, and every type fires in a year */
	coh_sim *sim = NULL;
	coh_error err = {0};
	assert_int_equal(coh_sim_alloc(&sim, m, &err), 0);
	coh_stream_key key = {m->seed, 0, 0};
	assert_int_equal(coh_sim_run(sim, &key, NULL, &err), 0);
	assert_true(coh_sim_last_stats(sim).events > 10);
	coh_sim_free(sim);
	round_trip(sc);
	coh_scenario_free(sc);
	/* a statement's tone and a shock's delta are required, in range */
	expect_error(BASE "generators = ( { type = \"statement\"; by = \"ARM\"; "
		     "rate = 1; tone = 10.5; } );\n",
		     "test.cfg:9: generators.[0].tone must be in [-10, 10], "
		     "got 10.5");
	expect_error(BASE "generators = ( { type = \"shock\"; by = \"ARM\"; "
		     "rate = 1; } );\n",
		     "test.cfg:9: generators.[0]: missing delta, expected a "
		     "number in [-1, 1]");
}

/*--- Dates ---*/

static void test_dates(void **state)
{
	(void)state;
	coh_scenario *sc = load(
		"version = 1;\n"
		"scenario: { name = \"leap\"; start = \"2023-12-31\"; end = \"2024-03-01\"; };\n"
		"members = ( { id = \"A\"; power = 1; commitment = 0.5; } );\n"
		"events = ( { date = \"2024-02-29\"; type = \"shock\"; member = \"A\"; delta = 0; } );\n");
	const coh_model *m = coh_scenario_model(sc);
	same_double(m->horizon, 61.0);
	same_double(m->events[0].day, 60.0);
	coh_scenario_free(sc);

	static const char *const want[] = {
		"test.cfg:2: scenario.start: 2023-02-29 is not a day of the "
		"calendar, expected a real date",
		"test.cfg:2: scenario.end must be a date \"YYYY-MM-DD\", got "
		"\"2024-3-1\"",
	};
	expect_errors("version = 1;\n"
		"scenario: { name = \"x\"; start = \"2023-02-29\"; end = \"2024-3-1\"; };\n"
		"members = ( { id = \"A\"; power = 1; commitment = 0.5; } );\n",
		NULL, 0, want, 2);
	expect_error("version = 1;\n"
		"scenario: { name = \"x\"; start = \"2020-01-01\"; end = \"2020-01-01\"; };\n"
		"members = ( { id = \"A\"; power = 1; commitment = 0.5; } );\n",
		"test.cfg:2: scenario.end 2020-01-01 must be after "
		"scenario.start 2020-01-01");
}

/*--- Errors ---*/

static void test_errors_in_file_order(void **state)
{
	(void)state;
	/* Checked in a different order than they are written: members are
	 * read before the events that refer to them, whatever the file
	 * says, and the report still follows the file. */
	static const char *const want[] = {
		"test.cfg:4: events.[0].by: unknown member \"XX\", expected one "
		"of RUS, ARM",
		"test.cfg:5: unknown key \"colour\" in events.[1] (a shock), "
		"expected one of date, type, note, source, label, member, delta",
		"test.cfg:7: members.[0]: missing power, expected a number > 0",
		"test.cfg:7: members.[0].commitment must be in [0, 1], got 2",
		"test.cfg:8: members.[1].commitment must be a number, got a "
		"string",
		"test.cfg:8: unknown key \"powr\" in members.[1] (did you mean "
		"\"power\"?)",
		"test.cfg:9: model.half_life must be 0 (never) or at least 1e-06 days, got -1",
	};
	expect_errors(HEAD
		"events = (\n"
		"  { date = \"2020-02-01\"; type = \"exercise_refusal\"; by = \"XX\"; },\n"
		"  { date = \"2020-02-01\"; type = \"shock\"; member = \"RUS\"; delta = 0.1; colour = 1; }\n"
		");\n"
		"members = ( { id = \"RUS\"; commitment = 2; },\n"
		"  { id = \"ARM\"; power = 1; commitment = \"high\"; powr = 1; } );\n"
		"model: { half_life = -1; };\n",
		NULL, 0, want, 7);
}

static void test_type_checks(void **state)
{
	(void)state;
	static const char *const want[] = {
		"test.cfg:2: scenario.seed must be an integer, got the float "
		"1.5",
		"test.cfg:2: scenario.replications must be >= 1, got 0",
		"test.cfg:3: model must be a group { ... }, got a list",
		"test.cfg:4: members.[0].sensitivity must be a number, got a "
		"boolean",
	};
	expect_errors("version = 1;\n"
		"scenario: { name = \"x\"; start = \"2020-01-01\"; end = \"2021-01-01\"; seed = 1.5; replications = 0; };\n"
		"model = ( 1 );\n"
		"members = ( { id = \"A\"; power = 1; commitment = 0.5; sensitivity = true; } );\n",
		NULL, 0, want, 4);
	/* An integer is welcome where a float is expected. */
	coh_scenario *sc = load(HEAD "members = ( { id = \"A\"; power = 3; commitment = 1; } );\n");
	same_double(coh_scenario_model(sc)->members[0].power, 3.0);
	coh_scenario_free(sc);
	/* 32-bit literals: libconfig 1.5 would wrap these silently; digits
	 * in strings and comments are not numbers. */
	expect_error(HEAD "# 99999999999 in a comment\n"
		"members = ( { id = \"A\"; name = \"9999999999\"; power = 3000000000; commitment = 1; } );\n",
		"test.cfg:4: integer 3000000000 does not fit in 32 bits, "
		"expected 3000000000L (a 64-bit integer)");
	sc = load(HEAD "members = ( { id = \"A\"; power = 3000000000L; commitment = 1; } );\n");
	same_double(coh_scenario_model(sc)->members[0].power, 3e9);
	coh_scenario_free(sc);
	/* 1e999 is the only way to write a non-finite number in libconfig
	 * 1.5 (it has no nan or inf); it is refused like any other. */
	expect_error(HEAD "members = ( { id = \"A\"; power = -1e999; commitment = 1; } );\n",
		     "test.cfg:3: members.[0].power must be a finite number, "
		     "got -inf");
}

static void test_syntax_error(void **state)
{
	(void)state;
	/* libconfig says only "syntax error"; the loader says what is
	 * probably wrong and shows where (tests/bad/syntax_*.cfg hold the
	 * other cases) */
	expect_error(HEAD "members = ( { id = \"A\"; power = ; commitment = 1; } );\n",
		     "test.cfg:3: syntax error: a setting has no value after "
		     "its '=' (write one, e.g. power = 0.5;)\n"
		     "  3 | members = ( { id = \"A\"; power = ; commitment = 1; } );\n"
		     "    |                                 ^");
	static const char *const want[] = {
		"test.cfg:1: missing version, expected version = 1 (the format "
		"version) at the top of the file",
		"test.cfg:1: missing scenario, expected a group { ... }",
		"test.cfg:1: missing members, expected a list ( ... )",
	};
	expect_errors("", NULL, 0, want, 3);
}

/*--- Overrides ---*/

static void test_overrides(void **state)
{
	(void)state;
	static const char *const sets[] = {
		"model.half_life=400",             /* creates model and the key */
		"members.ARM.freeze=0.25",         /* a member by id */
		"members.[2].commitment=1",        /* a member by index, int for float */
		"generators.[0].rate=1.5",
		"generators.[0].in_scope=false",
		"scenario.end=2021-12-31",
		"scenario.seed=12345678901",       /* int64 */
		"scenario.title=A new title",
		"output.sample_every=3.5",
		"events.[0].participants.[1]=KAZ",
		"outsiders.USA.name=United States",
	};
	coh_scenario *sc = load_with(BASE
		"events = ( { date = \"2020-02-02\"; type = \"alliance_exercise\";\n"
		"  host = \"RUS\"; participants = [\"RUS\", \"ARM\"]; } );\n"
		"generators = ( { type = \"assistance_request\"; by = \"ARM\"; against = \"AZE\"; rate = 1; } );\n",
		sets, sizeof sets / sizeof *sets);
	const coh_model *m = coh_scenario_model(sc);
	same_double(m->members[0].half_life, 400.0);
	same_double(m->members[1].freeze, 0.25);
	same_double(m->members[2].commitment, 1.0);
	same_double(m->members[2].baseline, 1.0);
	same_double(m->generators[0].rate, 1.5);
	assert_int_equal(m->generators[0].in_scope, 0);
	same_double(m->horizon, 730.0);
	same_double(m->generators[0].end, 730.0);
	assert_true(m->seed == 12345678901ULL);
	assert_string_equal(m->title, "A new title");
	same_double(m->sample_every, 3.5);
	assert_int_equal(m->lists[m->events[0].list_first + 1], 2);
	assert_string_equal(m->outsiders[1].name, "United States");

	/* The resolved file carries the overrides. */
	char *text = resolved(sc);
	assert_non_null(strstr(text, "seed = 12345678901L;"));
	assert_non_null(strstr(text, "title = \"A new title\";"));
	coh_scenario *again = load(text);
	same_model(m, coh_scenario_model(again));
	coh_scenario_free(again);
	free(text);
	coh_scenario_free(sc);

	/* An integer setting given a fraction becomes a float... */
	static const char *const frac[] = {"members.RUS.power=0.5"};
	sc = load_with(HEAD "members = ( { id = \"RUS\"; power = 2; commitment = 1; } );\n",
		       frac, 1);
	same_double(coh_scenario_model(sc)->members[0].power, 0.5);
	coh_scenario_free(sc);
	/* ...and where an integer is needed, validation says so, naming
	 * the override. */
	static const char *const reps[] = {"scenario.replications=2.5"};
	static const char *const want_reps[] = {
		"--set scenario.replications=2.5: scenario.replications must "
		"be an integer, got the float 2.5"};
	expect_errors(BASE, reps, 1, want_reps, 1);
}

static void test_override_errors(void **state)
{
	(void)state;
	static const char *const sets[] = {
		"members.ARM.freeze=1.5",
		"members.XYZ.freeze=0.1",
		"generators.[0].rate=1",
		"members.[7].power=1",
		"members.[x].power=1",
		"scenario.name.first=a",
		"members=3",
		"model.half_life=abc",
		"members.ARM.freeze=true",
		"novalue",
		"=3",
		"model.1bad=3",
		"members.RUS.colour=red",
	};
	static const char *const want[] = {
		"--set members.XYZ.freeze=0.1: members has no element with id "
		"\"XYZ\"",
		"--set generators.[0].rate=1: the top level has no generators, "
		"expected a list",
		"--set members.[7].power=1: members has no element [7] (it has 3)",
		"--set members.[x].power=1: bad index \"[x]\", expected [0], "
		"[1], ...",
		"--set scenario.name.first=a: scenario.name is a string, so "
		"scenario.name.first does not exist",
		"--set members=3: members is a list, expected the path of a "
		"single value",
		"--set model.half_life=abc: model.half_life must be a number, "
		"got \"abc\"",
		"--set members.ARM.freeze=true: members.[1].freeze must be a "
		"number, got \"true\"",
		"--set novalue: expected PATH=VALUE, e.g. members.ARM.freeze=0.3",
		"--set =3: expected PATH=VALUE, e.g. members.ARM.freeze=0.3",
		"--set model.1bad=3: cannot create \"1bad\" in model, expected a "
		"name of letters, digits, - and _",
		/* then validation, in file order, naming the overrides */
		"--set members.RUS.colour=red: unknown key \"colour\" in "
		"members.[0], expected one of id, name, power, commitment, "
		"baseline, half_life, adaptation_half_life, sensitivity, "
		"susceptibility, freeze, exit, dwell, recover, aliases, joins",
		"--set members.ARM.freeze=1.5: members.[1].freeze must be in "
		"[0, 1], got 1.5",
	};
	expect_errors(BASE "model: { half_life = 10.0; };\n", sets,
		      sizeof sets / sizeof *sets, want,
		      sizeof want / sizeof *want);
}

/*--- Includes and files ---*/

static void test_includes(void **state)
{
	(void)state;
	scratch s;
	scratch_open(&s);
	scratch_mkdir(&s, "scenarios");
	scratch_mkdir(&s, "seeds");
	scratch_file(&s, "seeds/a.events",
		"events = (\n"
		"  { date = \"2020-06-01\"; type = \"shock\"; member = \"ARM\"; delta = -0.5; }\n"
		");\n"
		"@include \"../seeds/b.inc\"\n");
	scratch_file(&s, "seeds/b.inc",
		"# a nested include resolves against the scenario's folder too\n"
		"outsiders = ( { id = \"AZE\"; } );\n");
	const char *path = scratch_file(&s, "scenarios/x.cfg",
		"version = 1;\n"
		"scenario: { name = \"inc\"; start = \"2020-01-01\"; end = \"2020-12-31\"; };\n"
		"members = ( { id = \"ARM\"; power = 1; commitment = 0.5; } );\n"
		"/* commented out, so neither checked nor read:\n"
		"@include \"/etc/passwd\"\n"
		"*/\n"
		"@include \"../seeds/a.events\"\n"
		"note = \"\n@include \\\"/etc/passwd\\\"\";\n");
	path = scratch_file(&s, "scenarios/y.cfg",
		"version = 1;\n"
		"scenario: { name = \"inc\"; start = \"2020-01-01\"; end = \"2020-12-31\"; };\n"
		"members = ( { id = \"ARM\"; power = 1; commitment = 0.5; } );\n"
		"/* commented out, so neither checked nor read:\n"
		"@include \"/etc/passwd\"\n"
		"*/\n"
		"@include \"../seeds/a.events\"\n");
	coh_diag d = COH_DIAG_INIT;
	coh_scenario *sc = NULL;
	int rc = coh_scenario_load(&sc, path, NULL, &d);
	if (rc)
		print_diag(&d);
	assert_int_equal(rc, 0);
	const coh_model *m = coh_scenario_model(sc);
	assert_int_equal(m->n_events, 1);
	assert_int_equal(m->n_outsiders, 1);
	/* The event knows the file it was written in. */
	char want[300];
	snprintf(want, sizeof want, "%s/scenarios/../seeds/a.events", s.dir);
	assert_string_equal(m->events[0].file, want);
	assert_int_equal(m->events[0].line, 2);
	round_trip(sc);
	coh_scenario_free(sc);

	/* The hidden @include inside a string is not one either, but the
	 * key it sits in is unknown. */
	char msg[400];
	snprintf(msg, sizeof msg, "%s/scenarios/x.cfg:8: unknown key \"note\" "
		 "in the top level, expected one of version, scenario, model, "
		 "alliance, members, outsiders, ties, affinities, events, "
		 "generators, output, sweep, sensitivity, calibration", s.dir);
	const char *one = msg;
	snprintf(want, sizeof want, "%s/scenarios/x.cfg", s.dir);
	expect_errors_opts(NULL, want, NULL, &one, 1);

	/* A narrower root refuses the same include. */
	snprintf(want, sizeof want, "%s/scenarios", s.dir);
	coh_load_options narrow = {want, NULL, 0};
	snprintf(msg, sizeof msg, "%s:7: @include \"../seeds/a.events\": "
		 "%s/scenarios/../seeds/a.events is outside the scenario root "
		 "%s/scenarios, expected a file inside it", path, s.dir, s.dir);
	expect_errors_opts(NULL, path, &narrow, &one, 1);
	scratch_close(&s);
}

/* A source read once builds any number of scenarios, each with its own
 * overrides, without touching the files again; they share nothing with
 * the source or each other, and their errors name the file and line of
 * an included setting as a load from the files does. */
static void test_source_loads_many_times(void **state)
{
	(void)state;
	scratch s;
	scratch_open(&s);
	scratch_mkdir(&s, "sc");
	scratch_file(&s, "sc/t.events",
		"events = (\n"
		"  { date = \"2020-06-01\"; type = \"shock\"; member = \"ARM\"; delta = -0.5; }\n"
		");\n");
	const char *path = scratch_file(&s, "sc/x.cfg", BASE
		"@include \"t.events\"\n");
	char main_path[300], events_path[300];
	snprintf(main_path, sizeof main_path, "%s", path);
	snprintf(events_path, sizeof events_path, "%s/sc/t.events", s.dir);

	/* what a load from the files says about a bad override */
	static const char *const late[] = {"scenario.start=2020-07-01"};
	coh_load_options o = {NULL, late, 1};
	coh_diag from_files = COH_DIAG_INIT;
	coh_scenario *sc = NULL;
	assert_int_equal(coh_scenario_load(&sc, main_path, &o, &from_files),
			 COH_EINPUT);
	assert_int_equal(from_files.count, 1);
	char where[320];
	snprintf(where, sizeof where, "%s:2: events.[0].date", events_path);
	char first[1200];
	coh_error_format(&from_files.items[0], first, sizeof first);
	assert_int_equal(strncmp(first, where, strlen(where)), 0);

	coh_diag d = COH_DIAG_INIT;
	coh_scenario_source *src = NULL;
	int rc = coh_scenario_source_read(&src, main_path, NULL, &d);
	if (rc)
		print_diag(&d);
	assert_int_equal(rc, 0);
	assert_string_equal(coh_scenario_source_path(src), main_path);
	/* from here on no file is needed */
	assert_int_equal(unlink(events_path), 0);
	assert_int_equal(unlink(main_path), 0);

	static const char *const low[] = {"members.ARM.freeze=0.2"};
	coh_scenario *a = NULL, *b = NULL;
	assert_int_equal(coh_scenario_load_source(&a, src, low, 1, &d), 0);
	assert_int_equal(coh_scenario_load_source(&b, src, NULL, 0, &d), 0);
	assert_int_equal(d.count, 0);
	sc = NULL;
	assert_int_equal(coh_scenario_load_source(&sc, src, late, 1, &d),
			 COH_EINPUT);
	assert_null(sc);
	assert_int_equal(d.count, from_files.count);
	for (size_t i = 0; i < d.count; i++) {
		char x[1200], y[1200];
		coh_error_format(&from_files.items[i], x, sizeof x);
		coh_error_format(&d.items[i], y, sizeof y);
		assert_string_equal(y, x);
	}
	coh_diag_clear(&d);
	coh_diag_clear(&from_files);
	coh_scenario_source_free(src);

	/* each scenario has its own values and owns its file names */
	const coh_model *ma = coh_scenario_model(a);
	const coh_model *mb = coh_scenario_model(b);
	assert_true(ma->members[1].freeze == 0.2);
	assert_true(mb->members[1].freeze == 0.3);
	assert_int_equal(mb->n_events, 1);
	assert_string_equal(mb->events[0].file, events_path);
	assert_int_equal(mb->events[0].line, 2);
	assert_string_equal(coh_scenario_path(a), main_path);
	round_trip(a);
	coh_scenario_free(a);
	coh_scenario_free(b);
	scratch_close(&s);
}

static void test_include_errors(void **state)
{
	(void)state;
	scratch s;
	scratch_open(&s);
	scratch_mkdir(&s, "sc");
	scratch_file(&s, "sc/self.inc", "@include \"self.inc\"\n");
	scratch_file(&s, "sc/err.inc",
		"events = ( { date = \"2020-06-01\"; type = \"shock\";\n"
		"  member = \"ARM\"; delta = 5; } );\n");
	scratch_file(&s, "outside.inc", "x = 1;\n");
	const char *path = scratch_file(&s, "sc/x.cfg",
		"version = 1;\n"
		"scenario: { name = \"inc\"; start = \"2020-01-01\"; end = \"2020-12-31\"; };\n"
		"members = ( { id = \"ARM\"; power = 1; commitment = 0.5; } );\n"
		"@include \"self.inc\"\n"
		"  @include \"x.cfg\"\n"
		"@include \"/etc/passwd\"\n"
		"@include \"missing.inc\"\n"
		"@include \"../outside.inc\"\n");
	char w[5][600];
	snprintf(w[0], 600, "%s/sc/self.inc:1: @include \"self.inc\": include "
		 "cycle, %s/sc/self.inc is already being included", s.dir, s.dir);
	snprintf(w[1], 600, "%s:5: @include \"x.cfg\": include cycle, "
		 "%s/sc/x.cfg is already being included", path, s.dir);
	snprintf(w[2], 600, "%s:6: @include \"/etc/passwd\": absolute paths "
		 "are not allowed, expected a path relative to %s/sc", path,
		 s.dir);
	snprintf(w[3], 600, "%s:7: @include \"missing.inc\": cannot open "
		 "%s/sc/missing.inc: No such file or directory", path, s.dir);
	snprintf(w[4], 600, "%s:8: @include \"../outside.inc\": "
		 "%s/sc/../outside.inc is outside the scenario root %s/sc, "
		 "expected a file inside it", path, s.dir, s.dir);
	const char *want[5] = {w[0], w[1], w[2], w[3], w[4]};
	char root[300];
	snprintf(root, sizeof root, "%s/sc", s.dir);
	coh_load_options narrow = {root, NULL, 0};
	expect_errors_opts(NULL, path, &narrow, want, 5);

	/* A symbolic link inside the root that points out of it is
	 * followed, then refused like the path it leads to. */
	char link[400], target[400];
	snprintf(link, sizeof link, "%s/sc/link.inc", s.dir);
	snprintf(target, sizeof target, "%s/outside.inc", s.dir);
	assert_int_equal(symlink(target, link), 0);
	path = scratch_file(&s, "sc/z.cfg",
		"version = 1;\n"
		"scenario: { name = \"inc\"; start = \"2020-01-01\"; end = \"2020-12-31\"; };\n"
		"members = ( { id = \"ARM\"; power = 1; commitment = 0.5; } );\n"
		"@include \"link.inc\"\n");
	snprintf(w[0], 600, "%s:4: @include \"link.inc\": %s/sc/link.inc is "
		 "outside the scenario root %s/sc, expected a file inside it",
		 path, s.dir, s.dir);
	expect_errors_opts(NULL, path, &narrow, want, 1);
	unlink(link);

	/* An error inside an included file names that file. */
	path = scratch_file(&s, "sc/y.cfg",
		"version = 1;\n"
		"scenario: { name = \"inc\"; start = \"2020-01-01\"; end = \"2020-12-31\"; };\n"
		"members = ( { id = \"ARM\"; power = 1; commitment = 0.5; } );\n"
		"@include \"err.inc\"\n");
	snprintf(w[0], 600, "%s/sc/err.inc:2: events.[0].delta must be in "
		 "[-1, 1], got 5", s.dir);
	expect_errors_opts(NULL, path, NULL, want, 1);

	/* Eight levels are fine, nine are not. */
	for (int i = 1; i <= 9; i++) {
		char name[32], text[64];
		snprintf(name, sizeof name, "sc/d%d.inc", i);
		if (i < 9)
			snprintf(text, sizeof text, "@include \"d%d.inc\"\n", i + 1);
		else
			snprintf(text, sizeof text, "deep = 1;\n");
		scratch_file(&s, name, text);
	}
	path = scratch_file(&s, "sc/deep.cfg", "@include \"d2.inc\"\n");
	snprintf(w[0], 600, "%s:1: missing version, expected version = 1 (the "
		 "format version) at the top of the file", path);
	snprintf(w[1], 600, "%s/sc/d9.inc:1: unknown key \"deep\" in the top "
		 "level, expected one of version, scenario, model, alliance, "
		 "members, outsiders, ties, affinities, events, generators, "
		 "output", s.dir);
	/* (the rest of the errors are about the scenario being empty) */
	coh_diag d = COH_DIAG_INIT;
	coh_scenario *sc = NULL;
	assert_int_equal(coh_scenario_load(&sc, path, NULL, &d), COH_EINPUT);
	char buf[1200];
	coh_error_format(&d.items[0], buf, sizeof buf);
	assert_string_equal(buf, w[0]);
	coh_diag_clear(&d);
	path = scratch_file(&s, "sc/deeper.cfg", "@include \"d1.inc\"\n");
	snprintf(w[0], 600, "%s/sc/d8.inc:1: @include \"d9.inc\": includes "
		 "nest more than 8 levels deep", s.dir);
	expect_errors_opts(NULL, path, NULL, want, 1);
	scratch_close(&s);
}

static void test_missing_file(void **state)
{
	(void)state;
	coh_diag d = COH_DIAG_INIT;
	coh_scenario *sc = NULL;
	int rc = coh_scenario_load(&sc, "/nonexistent/x.cfg", NULL, &d);
	assert_int_equal(rc, COH_EIO);
	assert_null(sc);
	assert_int_equal(d.count, 1);
	char buf[1200];
	coh_error_format(&d.items[0], buf, sizeof buf);
	assert_string_equal(buf, "/nonexistent/x.cfg: cannot read the "
			    "scenario: No such file or directory");
	assert_int_equal(d.items[0].code, COH_EIO);
	coh_diag_clear(&d);
}

/*--- The resolved writer ---*/

static void test_write_exact(void **state)
{
	(void)state;
	/* Values libconfig's own writer would round (0.1 + 0.2 comes out
	 * as 0.3 there), extreme magnitudes, int64, awkward strings. */
	static const char *const sets[] = {
		"model.response.base=0.30000000000000004",
		"model.response.tie=-2.2250738585072014e-308",
		"model.response.affinity=4.9406564584124654e-324",
		"members.RUS.power=1.7976931348623157e308",
		"members.ARM.power=1e22",
		"scenario.seed=9223372036854775807",
		"alliance.name=tab\there \"quoted\" back\\slash \xc3\xa9",
	};
	coh_scenario *sc = load_with(BASE
		"events = ( { date = \"2020-01-05\"; type = \"shock\"; member = \"RUS\";\n"
		"  delta = -0.0; note = \"line\\nbreak\\x01\"; } );\n",
		sets, sizeof sets / sizeof *sets);
	const coh_model *m = coh_scenario_model(sc);
	same_double(m->response.base, 0.1 + 0.2);
	assert_true(m->seed == 9223372036854775807ULL);
	assert_string_equal(m->alliance_name,
			    "tab\there \"quoted\" back\\slash \xc3\xa9");
	assert_string_equal(m->events[0].note, "line\nbreak\x01");
	assert_true(signbit(m->events[0].magnitude));
	char *text = resolved(sc);
	assert_non_null(strstr(text, "base = 0.30000000000000004;"));
	assert_non_null(strstr(text, "delta = -0.0;"));
	assert_non_null(strstr(text, "power = 1e+22;"));
	free(text);
	round_trip(sc);
	coh_scenario_free(sc);
}

/* Many random doubles through the writer: each must come back exactly. */
static void test_write_random_floats(void **state)
{
	(void)state;
	const unsigned seed = 20231123;
	srand(seed);
	size_t cap = 200000, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text, cap, HEAD "members = (\n");
	for (int i = 0; i < 300; i++) {
		/* power over many magnitudes, commitment anywhere in [0, 1] */
		double p = ldexp((double)rand() / RAND_MAX + 0.5,
				 rand() % 200 - 100);
		double c = (double)rand() / RAND_MAX;
		len += (size_t)snprintf(text + len, cap - len,
			"{ id = \"M%d\"; power = %.17e; commitment = %.17e; },\n",
			i, p, c);
	}
	snprintf(text + len - 2, cap - len + 2, "\n);\n");
	coh_scenario *sc = load(text);
	char *out = resolved(sc);
	coh_scenario *again = load(out);
	const coh_model *a = coh_scenario_model(sc);
	const coh_model *b = coh_scenario_model(again);
	for (size_t i = 0; i < a->n_members; i++)
		if (memcmp(&a->members[i].power, &b->members[i].power,
			   sizeof(double)) != 0 ||
		    memcmp(&a->members[i].commitment, &b->members[i].commitment,
			   sizeof(double)) != 0)
			fail_msg("member %zu differs after writing (seed %u)", i,
				 seed);
	coh_scenario_free(again);
	coh_scenario_free(sc);
	free(out);
	free(text);
}

/*--- Running out of memory ---*/

/* A mid-size scenario: every part of the format, an include and an
 * override, so that every allocation of a load is on the path. */
static void test_alloc_failure(void **state)
{
	(void)state;
	scratch s;
	scratch_open(&s);
	scratch_mkdir(&s, "sc");
	scratch_file(&s, "sc/t.events",
		"events = (\n"
		"{ date = \"2020-01-01\"; type = \"assistance_request\"; by = \"ARM\"; against = \"AZE\"; },\n"
		"{ date = \"2020-01-05\"; type = \"assistance_response\"; by = \"RUS\"; to = \"ARM\"; },\n"
		"{ date = \"2020-02-02\"; type = \"alliance_exercise\"; host = \"RUS\"; participants = [\"KAZ\"]; },\n"
		"{ date = \"2020-02-05\"; type = \"summit\"; absent = [\"ARM\"]; },\n"
		"{ date = \"2020-02-01\"; type = \"statement\"; by = \"RUS\"; about = \"ARM\"; tone = -4; }\n"
		");\n");
	const char *path = scratch_file(&s, "sc/x.cfg", BASE
		"model: { weights: { statement = 0.5; }; response: { base = 0; }; };\n"
		"alliance: { name = \"CSTO\"; leader = \"RUS\"; };\n"
		"ties = ( { from = \"ARM\"; to = \"RUS\"; weight = 0.6; } );\n"
		"affinities = ( { member = \"RUS\"; outsider = \"AZE\"; value = 0.4; } );\n"
		"@include \"t.events\"\n"
		"generators = ( { type = \"defeat\"; by = \"*\"; rate = 0.5; } );\n");
	static const char *const sets[] = {"members.ARM.freeze=0.2",
					   "output.sample_every=1"};
	coh_load_options o = {NULL, sets, 2};
	int done = 0;
	long n;
	for (n = 0; n < 5000 && !done; n++) {
		coh_diag d = COH_DIAG_INIT;
		coh_scenario *sc = NULL;
		coh_alloc_fail_after(n);
		int rc = coh_scenario_load(&sc, path, &o, &d);
		coh_alloc_fail_after(-1);
		if (rc == 0) {
			done = 1;
			assert_int_equal(coh_scenario_model(sc)->n_events, 5);
			coh_scenario_free(sc);
		} else {
			if (rc != COH_ENOMEM)
				print_diag(&d);
			assert_int_equal(rc, COH_ENOMEM);
			assert_null(sc);
		}
		coh_diag_clear(&d);
	}
	assert_true(done);
	print_message("  loads succeed from %ld allocations on\n", n - 1);
	/* The same with a scenario that has errors: ENOMEM or the errors. */
	path = scratch_file(&s, "sc/bad.cfg", BASE
		"events = ( { date = \"2019-01-01\"; type = \"sumit\"; } );\n");
	done = 0;
	for (n = 0; n < 5000 && !done; n++) {
		coh_diag d = COH_DIAG_INIT;
		coh_scenario *sc = NULL;
		coh_alloc_fail_after(n);
		int rc = coh_scenario_load(&sc, path, NULL, &d);
		coh_alloc_fail_after(-1);
		assert_null(sc);
		if (rc == COH_EINPUT) {
			done = 1;
			assert_int_equal(d.count, 2);
		} else {
			assert_int_equal(rc, COH_ENOMEM);
		}
		coh_diag_clear(&d);
	}
	assert_true(done);
	scratch_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_model_block),
		cmocka_unit_test(test_ties_and_affinities),
		cmocka_unit_test(test_event_types),
		cmocka_unit_test(test_events_sorted_stably),
		cmocka_unit_test(test_response_window),
		cmocka_unit_test(test_generators),
		cmocka_unit_test(test_generators_of_every_kind),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_errors_in_file_order),
		cmocka_unit_test(test_type_checks),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_override_errors),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_source_loads_many_times),
		cmocka_unit_test(test_include_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_write_exact),
		cmocka_unit_test(test_write_random_floats),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_date_format_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
