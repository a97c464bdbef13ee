/* coh_model_check on models built by hand: a valid model passes, and each
 * rule gives its exact message, with the file and line of the member,
 * event or generator at fault. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "cohesim/model.h"

typedef struct fixture {
	coh_model m;
	coh_member mem[2];
	coh_outsider out[1];
	coh_affinity aff[1];
	coh_event ev[2];
	coh_generator gen[1];
} fixture;

/* Two members, one outsider, one event and one generator, all valid. */
static void fx_init(fixture *f)
{
	memset(f, 0, sizeof *f);
	coh_model *m = &f->m;
	m->name = "check";
	m->horizon = 100;
	m->sample_every = 10;
	m->leader = -1;
	m->response.scope_factor = 1;
	for (int k = 0; k < COH_W__COUNT; k++) {
		m->weight[k] = coh_default_weight((coh_weight_key)k);
		m->spillover[k] = coh_default_spillover((coh_weight_key)k);
	}
	static const char *ids[2] = {"A", "B"};
	for (int i = 0; i < 2; i++)
		f->mem[i] = (coh_member){
			.id = ids[i], .power = 1, .commitment = 0.5,
			.baseline = 0.5, .half_life = 100, .sensitivity = 1,
			.susceptibility = 0.5, .freeze = 0.3, .exit = 0.1,
			.file = "m.cfg", .line = 10 + i,
		};
	m->members = f->mem;
	m->n_members = 2;
	f->out[0] = (coh_outsider){"X", "X"};
	m->outsiders = f->out;
	m->n_outsiders = 1;
	f->aff[0] = (coh_affinity){0, 0, 0.5};
	m->affinities = f->aff;
	m->n_affinities = 1;
	f->ev[0] = (coh_event){.type = COH_EV_ASSISTANCE_REQUEST, .day = 5,
			       .actor = 0, .target = -1, .outsider = 0,
			       .magnitude = 1, .deadline = 30, .in_scope = 1,
			       .file = "m.cfg", .line = 20};
	f->ev[1] = (coh_event){.type = COH_EV_ASSISTANCE_RESPONSE, .day = 6,
			       .actor = 1, .target = 0, .outsider = -1,
			       .magnitude = 1, .file = "m.cfg", .line = 21};
	m->events = f->ev;
	m->n_events = 2;
	f->gen[0] = (coh_generator){.type = COH_EV_DEFEAT, .member = -1,
				    .outsider = -1, .rate = 1, .magnitude = 0.1,
				    .start = 0, .end = 100, .file = "m.cfg",
				    .line = 30};
	m->generators = f->gen;
	m->n_generators = 1;
}

/* The model fails with exactly this message at this file and line. */
static void fails(const fixture *f, const char *file, int line,
		  const char *message)
{
	coh_error err = {0};
	assert_int_equal(coh_model_check(&f->m, &err), COH_EINPUT);
	assert_int_equal(err.code, COH_EINPUT);
	assert_string_equal(err.file, file);
	assert_int_equal(err.line, line);
	assert_string_equal(err.message, message);
}

static void test_valid_model_passes(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	coh_error err = {0};
	assert_int_equal(coh_model_check(&f.m, &err), 0);
	assert_int_equal(coh_model_check(NULL, &err), COH_EINPUT);
	assert_string_equal(err.message, "no model to check");
}

static void test_thresholds_out_of_order(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	f.mem[1].exit = 0.4;
	fails(&f, "m.cfg", 11, "member B: thresholds out of order, expected "
	      "exit <= freeze, got exit 0.4 and freeze 0.3");
	f.mem[1].exit = 0.3;    /* equal is allowed */
	coh_error err = {0};
	assert_int_equal(coh_model_check(&f.m, &err), 0);
}

static void test_member_ranges(void **state)
{
	(void)state;
	static const char msg[] = "member A has a parameter out of range "
		"(power > 0; commitment, baseline, susceptibility, freeze, "
		"exit in [0, 1]; sensitivity, dwell, recover >= 0; half-lives "
		"0 or at least 1e-06 days)";
	fixture f;
	fx_init(&f);
	f.mem[0].half_life = 1e-7;
	fails(&f, "m.cfg", 10, msg);
	fx_init(&f);
	f.mem[0].adaptation_half_life = 5e-7;
	fails(&f, "m.cfg", 10, msg);
	fx_init(&f);
	f.mem[0].half_life = 1e-6;      /* the shortest allowed */
	f.mem[0].adaptation_half_life = 0;
	coh_error err = {0};
	assert_int_equal(coh_model_check(&f.m, &err), 0);
}

static void test_weight_ranges(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	f.m.weight[COH_W_DEFEAT] = -1.5;
	fails(&f, "", 0, "model.weights.defeat must be in [-1, 1] and "
	      "model.spillover.defeat in [0, 1], got -1.5 and 0");
	fx_init(&f);
	f.m.spillover[COH_W_EXIT] = 1.2;
	fails(&f, "", 0, "model.weights.exit must be in [-1, 1] and "
	      "model.spillover.exit in [0, 1], got -0.7 and 1.2");
}

static void test_rebuke_and_affinity(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	f.m.rebuke.magnitude = -1;
	fails(&f, "", 0, "model.rebuke needs probability in [0, 1], delay >= 0 "
	      "and a finite magnitude >= 0");
	fx_init(&f);
	f.aff[0].value = -1.01;
	fails(&f, "", 0, "affinities.[0] needs a member, an outsider and a "
	      "value in [-1, 1]");
}

static void test_too_many_steps(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	f.m.horizon = 1e6;
	f.gen[0].end = 1e6;
	f.m.sample_every = 0.05;
	fails(&f, "", 0, "output.sample_every = 0.05 days gives more than "
	      "10000000 samples over the horizon");
	f.m.sample_every = 0.1;         /* exactly 10^7: allowed */
	f.m.consultation_period = 0.01;
	fails(&f, "", 0, "model.consultation_period = 0.01 days gives more "
	      "than 10000000 rounds over the horizon");
}

static void test_event_rules(void **state)
{
	(void)state;
	static const char req[] = "events.[0] (assistance_request) cannot be "
		"run: it needs its members and outsiders, values in their ranges "
		"and a day within the horizon, not before the previous event's";
	static const char resp[] = "events.[1] (assistance_response) cannot be "
		"run: it needs its members and outsiders, values in their ranges "
		"and a day within the horizon, not before the previous event's";
	fixture f;
	fx_init(&f);
	f.ev[0].deadline = 0;
	fails(&f, "m.cfg", 20, req);
	fx_init(&f);
	f.ev[1].day = 101;
	fails(&f, "m.cfg", 21, resp);
	fx_init(&f);
	f.ev[1].target = 1;     /* B answering itself */
	fails(&f, "m.cfg", 21, resp);
}

/* The rules that come from each type's entry in the kind table: the
 * parties it requires and the range of its magnitude. */
static void test_event_kind_rules(void **state)
{
	(void)state;
#define EV_MSG(k, name) "events.[" #k "] (" name ") cannot be run: it needs " \
	"its members and outsiders, values in their ranges and a day within " \
	"the horizon, not before the previous event's"
	fixture f;
	fx_init(&f);
	f.ev[0].outsider = -1;          /* a request against no one */
	fails(&f, "m.cfg", 20, EV_MSG(0, "assistance_request"));
	fx_init(&f);
	f.ev[1].magnitude = 1.2;        /* level in [0, 1] */
	fails(&f, "m.cfg", 21, EV_MSG(1, "assistance_response"));
	fx_init(&f);
	f.ev[1].target = -1;            /* an answer to no one */
	fails(&f, "m.cfg", 21, EV_MSG(1, "assistance_response"));
	fx_init(&f);
	f.ev[1] = (coh_event){.type = COH_EV_STATEMENT, .day = 6, .actor = 0,
			      .target = 1, .outsider = -1, .magnitude = -1.5,
			      .file = "m.cfg", .line = 21};
	fails(&f, "m.cfg", 21, EV_MSG(1, "statement"));   /* tone -15 */
	f.ev[1].magnitude = -1;         /* tone -10: allowed */
	coh_error err = {0};
	assert_int_equal(coh_model_check(&f.m, &err), 0);
	f.ev[1].target = -1;            /* about no one */
	fails(&f, "m.cfg", 21, EV_MSG(1, "statement"));
	fx_init(&f);
	f.ev[1] = (coh_event){.type = COH_EV_SHOCK, .day = 6, .actor = 0,
			      .target = -1, .outsider = -1, .magnitude = 1.01,
			      .file = "m.cfg", .line = 21};
	fails(&f, "m.cfg", 21, EV_MSG(1, "shock"));
	fx_init(&f);
	f.ev[1] = (coh_event){.type = COH_EV_DEFEAT, .day = 6, .actor = 0,
			      .target = -1, .outsider = -1, .magnitude = -0.1,
			      .file = "m.cfg", .line = 21};
	fails(&f, "m.cfg", 21, EV_MSG(1, "defeat"));
	fx_init(&f);
	f.ev[1] = (coh_event){.type = COH_EV_SET, .day = 6, .actor = 0,
			      .target = -1, .outsider = -1,
			      .field = COH_FIELD_HALF_LIFE, .magnitude = 1e-9,
			      .file = "m.cfg", .line = 21};
	fails(&f, "m.cfg", 21, EV_MSG(1, "set"));
	f.ev[1].magnitude = 0;          /* half_life 0: never relaxes */
	assert_int_equal(coh_model_check(&f.m, &err), 0);
	f.ev[1].type = COH_EV_EXIT;     /* generated by the engine only */
	fails(&f, "m.cfg", 21, EV_MSG(1, "exit"));
#undef EV_MSG
	/* a response answers a request whose window holds its day */
	fx_init(&f);
	f.ev[1].day = 35.5;             /* the request's window ends at 35 */
	fails(&f, "m.cfg", 21, "events.[1] (assistance_response): B answers no "
	      "assistance_request by A made on or before its day whose "
	      "deadline has not passed");
	f.ev[1].day = 35;
	assert_int_equal(coh_model_check(&f.m, &err), 0);
	/* no member twice in a list */
	fx_init(&f);
	int list[3] = {0, 1, 0};
	f.m.lists = list;
	f.m.n_lists = 3;
	f.ev[1] = (coh_event){.type = COH_EV_SUMMIT, .day = 6, .actor = -1,
			      .target = -1, .outsider = -1, .magnitude = 1,
			      .list_first = 0, .list_count = 3, .file = "m.cfg",
			      .line = 21};
	fails(&f, "m.cfg", 21, "events.[1] (summit) lists A twice");
	f.ev[1].list_count = 2;
	assert_int_equal(coh_model_check(&f.m, &err), 0);
	/* generators: the magnitude as the kind bounds it */
	fx_init(&f);
	f.gen[0].type = COH_EV_STATEMENT;
	f.gen[0].magnitude = 1.1;
	fails(&f, "m.cfg", 30, "generators.[0] (statement) cannot be run: it "
	      "needs a known member and outsider, a rate in [0, 1e+06] a "
	      "year, values in their ranges and 0 <= start <= end <= the "
	      "horizon");
	f.gen[0].type = COH_EV_SHOCK;
	f.gen[0].magnitude = -1;
	assert_int_equal(coh_model_check(&f.m, &err), 0);
}

static void test_generator_rules(void **state)
{
	(void)state;
	static const char msg[] = "generators.[0] (defeat) cannot be run: it "
		"needs a known member and outsider, a rate in [0, 1e+06] a "
		"year, values in their ranges and 0 <= start <= end <= the "
		"horizon";
	fixture f;
	fx_init(&f);
	f.gen[0].rate = 2e6;
	fails(&f, "m.cfg", 30, msg);
	fx_init(&f);
	f.gen[0].end = 101;
	fails(&f, "m.cfg", 30, msg);
	fx_init(&f);
	f.gen[0].start = -1;
	fails(&f, "m.cfg", 30, msg);
	fx_init(&f);
	f.gen[0].type = COH_EV_ASSISTANCE_REQUEST;
	f.gen[0].outsider = 0;
	f.gen[0].deadline = 0;
	fails(&f, "m.cfg", 30, "generators.[0] (assistance_request) cannot be "
	      "run: it needs a known member and outsider, a rate in [0, "
	      "1e+06] a year, values in their ranges and 0 <= start <= end "
	      "<= the horizon");
	f.gen[0].type = COH_EV_SET;
	fails(&f, "m.cfg", 30, "generators.[0]: type set cannot be generated");
}

/* Version 2: a type declared by the scenario is checked like a built-in
 * one (its weight, its target), and generators' targets, drawn
 * magnitudes and drawn absences are held to their ranges. */
static void test_user_kinds_and_v2_generators(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	coh_user_kind uk = {
		.kind = {
			.name = "sanction", .flags = COH_KIND_TIMELINE,
			.actor = {"by", COH_NEED_REQUIRED},
			.target = {"target", COH_NEED_REQUIRED},
			.outsider = {"with", COH_NEED_OPTIONAL},
			.magnitude = {"magnitude", COH_NEED_OPTIONAL},
			.range = COH_RANGE_NONNEG, .per = 1,
			.receives = COH_RECEIVES_TARGET, .weight = -1,
			.generated_as = COH_GEN_BY,
		},
		.weight = -0.5, .file = "m.cfg", .line = 40,
	};
	f.m.user_kinds = &uk;
	f.m.n_user_kinds = 1;
	f.ev[1] = (coh_event){.type = COH_EV_USER(0), .day = 6, .actor = 1,
			      .target = 0, .outsider = -1, .magnitude = 1,
			      .file = "m.cfg", .line = 21};
	coh_error err = {0};
	assert_int_equal(coh_model_check(&f.m, &err), 0);
	assert_string_equal(coh_model_type_name(&f.m, COH_EV_USER(0)),
			    "sanction");
	assert_null(coh_model_kind(&f.m, COH_EV_USER(1)));

	uk.weight = 1.5;
	fails(&f, "m.cfg", 40, "model.weights.sanction must be in [-1, 1] and "
	      "model.spillover.sanction in [0, 1], got 1.5 and 0");
	uk.weight = -0.5;
	uk.kind.name = "defeat";
	fails(&f, "m.cfg", 40, "model.event_types.[0] needs a name no built-in "
	      "type has, receives by, target, both, others or all, and a "
	      "target exactly when it receives target or both");
	uk.kind.name = "sanction";
	f.ev[1].target = -1;
	fails(&f, "m.cfg", 21, "events.[1] (sanction) cannot be run: it needs "
	      "its members and outsiders, values in their ranges and a day "
	      "within the horizon, not before the previous event's");
	f.ev[1].target = 0;

	/* a dispute generator needs its target; draws their bounds */
	f.gen[0] = (coh_generator){.type = COH_EV_DISPUTE, .member = 0,
				   .outsider = -1, .target = 5, .rate = 1,
				   .magnitude = 1, .start = 0, .end = 100,
				   .file = "m.cfg", .line = 30};
	const char *gen_bad = "generators.[0] (dispute) cannot be run: it "
			      "needs a known member and outsider, a rate in "
			      "[0, 1e+06] a year, values in their ranges and 0 "
			      "<= start <= end <= the horizon";
	fails(&f, "m.cfg", 30, gen_bad);
	f.gen[0].target = 1;
	assert_int_equal(coh_model_check(&f.m, &err), 0);
	f.gen[0].draw = COH_DRAW_UNIFORM;
	f.gen[0].low = 2;
	f.gen[0].high = 1;
	fails(&f, "m.cfg", 30, gen_bad);
	f.gen[0].low = 0;
	assert_int_equal(coh_model_check(&f.m, &err), 0);
	f.gen[0].draw = COH_DRAW_NORMAL;
	f.gen[0].high = HUGE_VAL;
	f.gen[0].sd = -1;
	fails(&f, "m.cfg", 30, gen_bad);
	f.gen[0].sd = 0.1;
	assert_int_equal(coh_model_check(&f.m, &err), 0);
	/* drawn absences only for summits, with a slope >= 0 */
	f.gen[0].absences = 1;
	fails(&f, "m.cfg", 30, gen_bad);
	f.gen[0] = (coh_generator){.type = COH_EV_SUMMIT, .member = 0,
				   .outsider = -1, .target = -1, .rate = 1,
				   .magnitude = 1, .start = 0, .end = 100,
				   .absences = 1, .absence_mid = 0.5,
				   .absence_slope = -1, .file = "m.cfg",
				   .line = 30};
	fails(&f, "m.cfg", 30, "generators.[0] (summit) cannot be run: it "
	      "needs a known member and outsider, a rate in [0, 1e+06] a "
	      "year, values in their ranges and 0 <= start <= end <= the "
	      "horizon");
	f.gen[0].absence_slope = 10;
	assert_int_equal(coh_model_check(&f.m, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_model_passes),
		cmocka_unit_test(test_thresholds_out_of_order),
		cmocka_unit_test(test_member_ranges),
		cmocka_unit_test(test_weight_ranges),
		cmocka_unit_test(test_rebuke_and_affinity),
		cmocka_unit_test(test_too_many_steps),
		cmocka_unit_test(test_event_rules),
		cmocka_unit_test(test_event_kind_rules),
		cmocka_unit_test(test_generator_rules),
		cmocka_unit_test(test_user_kinds_and_v2_generators),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
