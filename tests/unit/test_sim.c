/* The simulation engine through its public API (cohesim/sim.h), on models
 * built by hand: closed forms of docs/validation.md, event order, status
 * transitions, requests, influence rounds, generators, determinism and
 * invariants. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cohesim/sim.h"
#include "core/alloc.h"

/*--- Fixtures -----------------------------------------------------------*/

#define MAXM 16
#define MAXE 256
#define MAXREC 200000
#define MAXSMP 4096

typedef struct fixture {
	coh_model m;
	coh_member mem[MAXM];
	coh_outsider out[4];
	coh_tie ties[MAXM * MAXM];
	coh_affinity aff[MAXM * 4];
	coh_event ev[MAXE];
	int lists[MAXE];
	coh_generator gen[12];
} fixture;

/* n members of equal power, commitment = baseline = c, no relaxation, no
 * thresholds; default weights, no spillover. */
static void fx_init(fixture *f, size_t n, double c, double horizon)
{
	memset(f, 0, sizeof *f);
	static const char *ids[MAXM] = {"A", "B", "C", "D", "E", "F", "G", "H",
					"I", "J", "K", "L", "M", "N", "O", "P"};
	coh_model *m = &f->m;
	m->name = "test";
	m->horizon = horizon;
	m->seed = 1;
	m->replications = 1;
	for (int k = 0; k < COH_W__COUNT; k++)
		m->weight[k] = coh_default_weight((coh_weight_key)k);
	m->response = (coh_response_params){0, 0, 0, 0, 1};
	m->leader = -1;
	m->members = f->mem;
	m->n_members = n;
	m->outsiders = f->out;
	m->n_outsiders = 2;
	f->out[0] = (coh_outsider){"X", "Outsider X"};
	f->out[1] = (coh_outsider){"Y", "Outsider Y"};
	m->ties = f->ties;
	m->affinities = f->aff;
	m->events = f->ev;
	m->lists = f->lists;
	m->generators = f->gen;
	m->sample_every = horizon > 0 ? horizon : 1;
	for (size_t i = 0; i < n; i++)
		f->mem[i] = (coh_member){
			.id = ids[i], .name = ids[i], .power = 1,
			.commitment = c, .baseline = c, .sensitivity = 1,
			.susceptibility = 1, .line = (int)i + 1,
		};
}

static coh_event *fx_event(fixture *f, coh_event_type type, double day,
			   int actor, double magnitude)
{
	coh_event *e = &f->ev[f->m.n_events++];
	*e = (coh_event){.type = type, .day = day, .actor = actor,
			 .target = -1, .outsider = -1, .magnitude = magnitude,
			 .in_scope = 1, .file = "test.cfg",
			 .line = (int)f->m.n_events};
	return e;
}

static void fx_list(fixture *f, coh_event *e, const int *items, size_t count)
{
	e->list_first = f->m.n_lists;
	e->list_count = count;
	for (size_t k = 0; k < count; k++)
		f->lists[f->m.n_lists++] = items[k];
}

static void fx_tie(fixture *f, int from, int to, double w)
{
	f->ties[f->m.n_ties++] = (coh_tie){from, to, w};
	f->mem[from].explicit_ties = 1;
}

static coh_generator *fx_gen(fixture *f, coh_event_type type, int member,
			     double rate, double feedback)
{
	coh_generator *g = &f->gen[f->m.n_generators++];
	*g = (coh_generator){.type = type, .member = member, .outsider = -1,
			     .rate = rate, .feedback = feedback, .magnitude = 0,
			     .deadline = 0, .in_scope = 1, .start = 0,
			     .end = f->m.horizon, .line = 99};
	return g;
}

/*--- A recorder that keeps everything -----------------------------------*/

typedef struct smp {
	double day, cohesion, mean, min, sd, reliability;
	int active, frozen, exited;
	double c[MAXM];
	coh_status st[MAXM];
} smp;

typedef struct tlog {
	size_t n_rec, n_smp, cap_rec, cap_smp;
	coh_event_record *rec;
	smp *smp;
	int stop_after;         /* > 0: return 7 from that record on */
} tlog;

static int on_event(void *ctx, const coh_event_record *r)
{
	tlog *l = ctx;
	if (l->n_rec == l->cap_rec && l->cap_rec < MAXREC) {
		l->cap_rec = l->cap_rec ? 2 * l->cap_rec : 64;
		l->rec = realloc(l->rec, l->cap_rec * sizeof *l->rec);
		assert_non_null(l->rec);
	}
	if (l->n_rec < l->cap_rec)
		l->rec[l->n_rec] = *r;
	l->n_rec++;
	if (l->stop_after > 0 && l->n_rec >= (size_t)l->stop_after)
		return 7;
	return 0;
}

static int on_sample(void *ctx, const coh_sample *s)
{
	tlog *l = ctx;
	if (l->n_smp == l->cap_smp) {
		if (l->cap_smp >= MAXSMP)
			return 0;
		l->cap_smp = l->cap_smp ? 2 * l->cap_smp : 16;
		l->smp = realloc(l->smp, l->cap_smp * sizeof *l->smp);
		assert_non_null(l->smp);
	}
	smp *o = &l->smp[l->n_smp++];
	memset(o, 0, sizeof *o);
	o->day = s->day;
	o->cohesion = s->cohesion;
	o->mean = s->mean;
	o->min = s->min;
	o->sd = s->sd;
	o->reliability = s->reliability;
	o->active = s->active;
	o->frozen = s->frozen;
	o->exited = s->exited;
	for (size_t i = 0; i < s->n_members && i < MAXM; i++) {
		o->c[i] = s->commitment[i];
		o->st[i] = s->status[i];
	}
	return 0;
}

static tlog *tlog_new(void)
{
	tlog *l = calloc(1, sizeof *l);
	assert_non_null(l);
	return l;
}

static void tlog_free(tlog *l)
{
	free(l->rec);
	free(l->smp);
	free(l);
}

/* Runs replication rep of f's model into a fresh log (allocating the
 * workspace each time: the reuse test reuses one). */
static tlog *run(const fixture *f, uint64_t seed, uint64_t rep)
{
	coh_sim *sim = NULL;
	coh_error err = {0};
	int rc = coh_sim_alloc(&sim, &f->m, &err);
	if (rc)
		print_error("alloc: %s\n", err.message);
	assert_int_equal(rc, 0);
	tlog *l = tlog_new();
	coh_recorder rec = {l, on_event, on_sample, NULL, NULL};
	coh_stream_key key = {seed, 0, rep};
	rc = coh_sim_run(sim, &key, &rec, &err);
	if (rc)
		print_error("run: %s\n", err.message);
	assert_int_equal(rc, 0);
	coh_sim_free(sim);
	return l;
}

/* The nth record of a type about a subject (-1: any); fails the test when
 * there is none. */
static const coh_event_record *find(const tlog *l, coh_event_type type,
				    int subject, size_t nth)
{
	static const coh_event_record missing;
	for (size_t k = 0; k < l->n_rec && k < l->cap_rec; k++)
		if (l->rec[k].type == type &&
		    (subject < 0 || l->rec[k].subject == subject) && nth-- == 0)
			return &l->rec[k];
	print_error("no %s record about member %d\n",
		    coh_event_type_name(type), subject);
	fail();
	return &missing;
}

static size_t count(const tlog *l, coh_event_type type, int subject)
{
	size_t c = 0;
	for (size_t k = 0; k < l->n_rec && k < l->cap_rec; k++)
		c += l->rec[k].type == type &&
		     (subject < 0 || l->rec[k].subject == subject);
	return c;
}

static const smp *sample_at(const tlog *l, double day)
{
	for (size_t k = 0; k < l->n_smp; k++)
		if (l->smp[k].day == day)
			return &l->smp[k];
	static const smp missing;
	print_error("no sample at day %g\n", day);
	fail();
	return &missing;
}

static void near(double got, double want, double rel)
{
	double tol = rel * (fabs(want) > 1 ? fabs(want) : 1.0);
	if (!(fabs(got - want) <= tol))
		print_error("got %.17g, want %.17g (tolerance %g)\n", got, want,
			    tol);
	assert_true(fabs(got - want) <= tol);
}

/*--- Relaxation and thresholds ------------------------------------------*/

/* docs/validation.md: c0 = 0.9, b = 0.3, half-life 100. */
static void relaxing_member(fixture *f, double horizon)
{
	fx_init(f, 1, 0.9, horizon);
	f->mem[0].baseline = 0.3;
	f->mem[0].half_life = 100;
}

static void test_relaxation_samples(void **state)
{
	(void)state;
	fixture f;
	relaxing_member(&f, 260);
	f.m.sample_every = 50;
	tlog *l = run(&f, 1, 0);
	/* grid 0, 50, ..., 250 and the horizon 260 */
	assert_int_equal(l->n_smp, 7);
	assert_true(l->smp[6].day == 260);
	assert_true(sample_at(l, 0)->c[0] == 0.9);
	near(sample_at(l, 100)->c[0], 0.6, 1e-12);
	near(sample_at(l, 250)->c[0], 0.40606601717798213, 1e-12);
	near(sample_at(l, 250)->cohesion, 0.40606601717798213, 1e-12);
	assert_int_equal(l->n_rec, 0);
	tlog_free(l);
}

static void test_freeze_crossing_day(void **state)
{
	(void)state;
	fixture f;
	relaxing_member(&f, 400);
	f.mem[0].freeze = 0.5;
	f.mem[0].dwell = 10;
	f.m.weight[COH_W_FREEZE] = 0;
	tlog *l = run(&f, 1, 0);
	const coh_event_record *r = find(l, COH_EV_FREEZE, 0, 0);
	assert_non_null(r);
	near(r->day, 168.49625007211562, 1e-9 / 168);
	assert_int_equal(count(l, COH_EV_FREEZE, -1), 1);
	assert_true(sample_at(l, 400)->st[0] == COH_FROZEN);
	assert_int_equal(sample_at(l, 400)->frozen, 1);
	tlog_free(l);

	/* the freeze impact lands at the freeze (default weight -0.4) */
	f.m.weight[COH_W_FREEZE] = -0.4;
	l = run(&f, 1, 0);
	r = find(l, COH_EV_FREEZE, 0, 0);
	assert_non_null(r);
	near(r->after, r->before * 0.6, 1e-15);
	near(r->before, 0.3 + 0.6 * pow(2, -1.6849625007211562), 1e-12);
	tlog_free(l);
}

static void test_dwell_interrupted(void **state)
{
	(void)state;
	/* below 0.5 from 158.5; a shock at day 160 lifts it back above, so
	 * the 10-day dwell restarts from the next crossing. */
	fixture f;
	relaxing_member(&f, 400);
	f.mem[0].freeze = 0.5;
	f.mem[0].dwell = 10;
	f.m.weight[COH_W_FREEZE] = 0;
	fx_event(&f, COH_EV_SHOCK, 160, 0, 0.5);
	tlog *l = run(&f, 1, 0);
	const coh_event_record *s = find(l, COH_EV_SHOCK, 0, 0);
	const coh_event_record *r = find(l, COH_EV_FREEZE, 0, 0);
	assert_non_null(s);
	assert_non_null(r);
	/* after the shock c = a, then 0.3 + (a - 0.3) 2^-(t-160)/100 */
	double a = s->after;
	near(a, 1 - (1 - (0.3 + 0.6 * pow(2, -1.6))) * 0.5, 1e-12);
	near(r->day, 160 + 100 * log2((a - 0.3) / 0.2) + 10, 1e-9 / 300);
	tlog_free(l);
}

static void test_adaptation_in_run(void **state)
{
	(void)state;
	fixture f;
	relaxing_member(&f, 300);
	f.mem[0].adaptation_half_life = 50;
	f.m.sample_every = 100;
	tlog *l = run(&f, 1, 0);
	for (int k = 0; k <= 3; k++) {
		double t = 100.0 * k;
		near(sample_at(l, t)->c[0], 0.7 + 0.2 * pow(2, -3 * t / 100),
		     1e-12);
	}
	tlog_free(l);
}

static void test_unfreeze_with_recover(void **state)
{
	(void)state;
	fixture f;
	relaxing_member(&f, 600);
	f.mem[0].freeze = 0.5;
	f.mem[0].recover = 0.1;
	f.mem[0].dwell = 10;
	f.m.weight[COH_W_FREEZE] = 0;
	fx_event(&f, COH_EV_SHOCK, 200, 0, 0.5);
	tlog *l = run(&f, 1, 0);
	const coh_event_record *fr0 = find(l, COH_EV_FREEZE, 0, 0);
	const coh_event_record *uf = find(l, COH_EV_UNFREEZE, 0, 0);
	const coh_event_record *fr1 = find(l, COH_EV_FREEZE, 0, 1);
	assert_non_null(fr0);
	assert_non_null(uf);
	assert_non_null(fr1);
	near(fr0->day, 168.49625007211562, 1e-11);
	/* c(200) = 0.45, the shock gives 0.725 > 0.6: unfrozen 10 days on */
	near(find(l, COH_EV_SHOCK, 0, 0)->after, 0.725, 1e-12);
	near(uf->day, 210, 1e-12);
	assert_true(uf->value == 0.6);
	/* then back below 0.5 at 200 + 100 log2(0.425 / 0.2), plus dwell */
	near(fr1->day, 200 + 100 * log2(0.425 / 0.2) + 10, 1e-11);
	tlog_free(l);
}

static void test_exit_from_frozen(void **state)
{
	(void)state;
	fixture f;
	relaxing_member(&f, 800);
	f.mem[0].baseline = 0;
	f.mem[0].freeze = 0.5;
	f.mem[0].exit = 0.2;
	f.mem[0].dwell = 10;
	f.m.weight[COH_W_FREEZE] = 0;
	f.m.sample_every = 100;
	tlog *l = run(&f, 1, 0);
	const coh_event_record *fr = find(l, COH_EV_FREEZE, 0, 0);
	const coh_event_record *ex = find(l, COH_EV_EXIT, 0, 0);
	assert_non_null(fr);
	assert_non_null(ex);
	near(fr->day, 100 * log2(0.9 / 0.5) + 10, 1e-11);
	near(ex->day, 100 * log2(0.9 / 0.2) + 10, 1e-11);
	assert_true(fr->day < ex->day);
	/* after the exit it no longer moves, and counts 0 in cohesion */
	const smp *last = sample_at(l, 800);
	assert_true(last->st[0] == COH_EXITED);
	near(last->c[0], ex->after, 1e-15);
	assert_true(last->cohesion == 0 && last->exited == 1);
	assert_true(isnan(last->min));
	tlog_free(l);
}

static void test_exit_contagion(void **state)
{
	(void)state;
	/* A drifts out; its exit spills onto B (spillover 0.5, weight -0.7,
	 * hat-w_BA = 1), pushing B below its own exit threshold at once. */
	fixture f;
	fx_init(&f, 3, 0.5, 1000);
	f.mem[0].commitment = 0.9;
	f.mem[0].baseline = 0;
	f.mem[0].half_life = 100;
	/* freeze = exit: at equal times the exit comes first, so A never
	 * freezes on the way (coh_model_check wants exit <= freeze) */
	f.mem[0].freeze = 0.2;
	f.mem[0].exit = 0.2;
	f.mem[1].exit = 0.4;
	f.mem[1].freeze = 0.4;
	/* B listens only to A; C (default row) to everyone by power */
	fx_tie(&f, 1, 0, 1);
	fx_tie(&f, 1, 1, 3);
	f.mem[2].power = 2;
	f.m.spillover[COH_W_EXIT] = 0.5;
	tlog *l = run(&f, 1, 0);
	const coh_event_record *a = find(l, COH_EV_EXIT, 0, 0);
	const coh_event_record *b = find(l, COH_EV_EXIT, 1, 0);
	assert_non_null(a);
	assert_non_null(b);
	double t = 100 * log2(0.9 / 0.2);
	near(a->day, t, 1e-11);
	assert_true(b->day == a->day);
	assert_true(a < b);     /* logged in order */
	near(b->after, 0.5 * (1 - 0.35), 1e-15);
	/* exit wins over freeze when both are due together */
	assert_int_equal(count(l, COH_EV_FREEZE, 1), 0);
	/* C: hat-w_CA = p_A / (p_A + p_B) = 1/2, x = 0.5 * 0.5 * -0.7 */
	const smp *last = sample_at(l, 1000);
	near(last->c[2], 0.5 * (1 - 0.175) * (1 - 0.35 / 1), 1e-12);
	tlog_free(l);
}

/*--- Impacts and spillover ----------------------------------------------*/

static void test_bounded_impacts_commute(void **state)
{
	(void)state;
	double x1 = -0.3, x2 = -0.55, c = 0.8;
	double result[2];
	for (int order = 0; order < 2; order++) {
		fixture f;
		fx_init(&f, 1, c, 10);
		fx_event(&f, COH_EV_SHOCK, 1, 0, order ? x2 : x1);
		fx_event(&f, COH_EV_SHOCK, 2, 0, order ? x1 : x2);
		tlog *l = run(&f, 1, 0);
		result[order] = sample_at(l, 10)->c[0];
		tlog_free(l);
	}
	near(result[0], c * (1 + x1) * (1 + x2), 1e-15);
	near(result[1], result[0], 1e-15);
	/* positive: 1 - (1 - c)(1 - x); beyond 1 clamps to 1 */
	fixture f;
	fx_init(&f, 1, c, 10);
	fx_event(&f, COH_EV_SHOCK, 1, 0, 0.4);
	tlog *l = run(&f, 1, 0);
	near(sample_at(l, 10)->c[0], 1 - (1 - c) * 0.6, 1e-15);
	tlog_free(l);
	fx_init(&f, 1, c, 10);
	fx_event(&f, COH_EV_SHOCK, 1, 0, 1);
	l = run(&f, 1, 0);
	assert_true(sample_at(l, 10)->c[0] == 1);
	tlog_free(l);
	/* a delta beyond [-1, 1] is refused before the run (coh_model_check) */
	fx_init(&f, 1, c, 10);
	fx_event(&f, COH_EV_SHOCK, 1, 0, 7);
	coh_sim *sim = NULL;
	coh_error err = {0};
	assert_int_equal(coh_sim_alloc(&sim, &f.m, &err), COH_EINPUT);
	assert_null(sim);
}

static void test_weighted_impact_and_sensitivity(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, 2, 0.6, 10);
	f.mem[0].sensitivity = 0.5;
	coh_event *e = fx_event(&f, COH_EV_DEFEAT, 1, 0, 1.5);
	(void)e;
	e = fx_event(&f, COH_EV_STATEMENT, 2, -1, -0.8);
	e->actor = 0;
	e->target = 1;
	tlog *l = run(&f, 1, 0);
	double x = -0.56 * 1.5 * 0.5;
	near(find(l, COH_EV_DEFEAT, 0, 0)->after, 0.6 * (1 + x), 1e-15);
	/* statement: omega 1 * tone/10 -0.8 on the member it is about */
	const coh_event_record *st = find(l, COH_EV_STATEMENT, 1, 0);
	assert_non_null(st);
	assert_int_equal(st->actor, 0);
	assert_int_equal(st->target, 1);
	near(st->after, 0.6 * 0.2, 1e-15);
	tlog_free(l);
}

static void test_spillover_normalisation(void **state)
{
	(void)state;
	/* A is defeated; B (default row) and C (explicit ties) learn from
	 * it with share sigma = 0.5. */
	for (int b_exits = 0; b_exits < 2; b_exits++) {
		fixture f;
		fx_init(&f, 4, 0.8, 10);
		f.mem[0].power = 3;
		f.mem[1].power = 1;
		f.mem[2].power = 2;
		f.mem[3].power = 4;
		f.mem[1].sensitivity = 0.5;
		f.mem[3].freeze = 0.5;     /* = exit: exits, never freezes */
		f.mem[3].exit = 0.5;
		fx_tie(&f, 2, 0, 2);
		fx_tie(&f, 2, 3, 1);
		fx_tie(&f, 2, 2, 5);    /* self: excluded from spillover */
		f.m.spillover[COH_W_DEFEAT] = 0.5;
		f.m.spillover[COH_W_EXIT] = 0;
		if (b_exits)            /* D exits first (dwell 0) */
			fx_event(&f, COH_EV_SHOCK, 1, 3, -0.5);
		fx_event(&f, COH_EV_DEFEAT, 2, 0, 1);
		tlog *l = run(&f, 1, 0);
		const smp *s = sample_at(l, 10);
		double base = -0.56;
		double wb = b_exits ? 3.0 / (3 + 2) : 3.0 / (3 + 2 + 4);
		double wc = b_exits ? 2.0 / 2 : 2.0 / 3;
		near(s->c[0], 0.8 * (1 + base), 1e-15);
		near(s->c[1], 0.8 * (1 + 0.5 * wb * base * 0.5), 1e-15);
		near(s->c[2], 0.8 * (1 + 0.5 * wc * base), 1e-15);
		if (b_exits)
			assert_true(s->st[3] == COH_EXITED && s->c[3] == 0.4);
		else
			near(s->c[3], 0.8 * (1 + 0.5 * (3.0 / 6) * base), 1e-15);
		tlog_free(l);
	}
}

/*--- Order at equal times, samples --------------------------------------*/

static void test_order_at_equal_times(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, 2, 0.6, 20);
	f.m.sample_every = 5;
	f.mem[1].freeze = 0.5;
	coh_event *rq = fx_event(&f, COH_EV_ASSISTANCE_REQUEST, 0, 0, 1);
	rq->outsider = 0;       /* a request is against someone */
	rq->deadline = 5;
	/* day 5: timeline shock pushes B below freeze (dwell 0), and the
	 * request is resolved: shock, then resolution, then freeze */
	fx_event(&f, COH_EV_SHOCK, 5, 1, -0.5);
	fx_event(&f, COH_EV_SHOCK, 5, 0, 0.1);
	tlog *l = run(&f, 1, 0);
	assert_int_equal(l->n_rec, 5);
	assert_int_equal(l->rec[0].type, COH_EV_ASSISTANCE_REQUEST);
	assert_int_equal(l->rec[1].type, COH_EV_SHOCK);
	assert_int_equal(l->rec[1].subject, 1);
	assert_int_equal(l->rec[2].type, COH_EV_SHOCK);
	assert_int_equal(l->rec[3].type, COH_EV_REQUEST_RESOLVED);
	assert_int_equal(l->rec[4].type, COH_EV_FREEZE);
	for (int k = 1; k < 5; k++)
		assert_true(l->rec[k].day == 5);
	/* the sample at day 5 sees all of it */
	const smp *s = sample_at(l, 5);
	assert_true(s->st[1] == COH_FROZEN);
	assert_true(s->reliability == 0);
	assert_true(isnan(sample_at(l, 0)->reliability));
	/* grid 0, 5, 10, 15, 20 */
	assert_int_equal(l->n_smp, 5);
	tlog_free(l);
}

static void test_sample_grid(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, 1, 0.5, 10);
	f.m.sample_every = 3;
	tlog *l = run(&f, 1, 0);
	double want[] = {0, 3, 6, 9, 10};
	assert_int_equal(l->n_smp, 5);
	for (int k = 0; k < 5; k++)
		assert_true(l->smp[k].day == want[k]);
	tlog_free(l);
	/* k * 0.1 is not the sum of k tenths; horizon 0 gives one sample */
	fx_init(&f, 1, 0.5, 1);
	f.m.sample_every = 0.1;
	l = run(&f, 1, 0);
	assert_int_equal(l->n_smp, 11);
	assert_true(l->smp[3].day == 3 * 0.1);
	assert_true(l->smp[10].day == 1);
	tlog_free(l);
	fx_init(&f, 1, 0.5, 0);
	fx_event(&f, COH_EV_SHOCK, 0, 0, -0.5);
	l = run(&f, 1, 0);
	assert_int_equal(l->n_smp, 1);
	assert_true(l->smp[0].c[0] == 0.25);
	tlog_free(l);
}

/*--- Requests -----------------------------------------------------------*/

static void test_scripted_fulfilment(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, 4, 0.6, 100);
	double p[4] = {0.5, 0.2, 0.1, 0.3};
	for (int i = 0; i < 4; i++)
		f.mem[i].power = p[i];
	coh_event *rq = fx_event(&f, COH_EV_ASSISTANCE_REQUEST, 10, 0, 2);
	rq->deadline = 30;
	rq->outsider = 0;
	rq->source = "seed: paragraph 5";
	coh_event *r;
	r = fx_event(&f, COH_EV_ASSISTANCE_RESPONSE, 12, 1, 1.0);
	r->target = 0;
	r = fx_event(&f, COH_EV_ASSISTANCE_RESPONSE, 20, 2, 1.0);
	r->target = 0;
	r = fx_event(&f, COH_EV_ASSISTANCE_RESPONSE, 25, 1, 0.2);   /* replaces */
	r->target = 0;
	/* D does not answer in time (an answer after day 40 would answer no
	 * request, which coh_model_check refuses) */
	tlog *l = run(&f, 1, 0);
	const coh_event_record *res = find(l, COH_EV_REQUEST_RESOLVED, 0, 0);
	assert_non_null(res);
	assert_true(res->day == 40);
	assert_int_equal(res->outsider, 0);
	assert_string_equal(res->source, "seed: paragraph 5");
	assert_null(find(l, COH_EV_ASSISTANCE_RESPONSE, 1, 0)->source);
	double F = (0.2 * 0.2 + 0.1 * 1.0) / (0.2 + 0.1 + 0.3);
	near(res->value, F, 1e-15);
	double x = 2 * (0.83 * F - 0.40 * (1 - F));
	near(res->after, 0.6 * (1 + x), 1e-15);
	/* responders gain omega_response * level */
	const coh_event_record *r1 = find(l, COH_EV_ASSISTANCE_RESPONSE, 1, 0);
	near(r1->after, 0.6 + 0.19 * 0.4, 1e-15);
	assert_true(sample_at(l, 100)->reliability == 0);
	tlog_free(l);
}

static void test_unanswered_spillover(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, 3, 0.5, 50);
	f.m.spillover[COH_W_REQUEST_UNANSWERED] = 0.3;
	coh_event *rq = fx_event(&f, COH_EV_ASSISTANCE_REQUEST, 0, 0, 1);
	rq->outsider = 0;       /* a request is against someone */
	rq->deadline = 10;
	coh_event *r = fx_event(&f, COH_EV_ASSISTANCE_RESPONSE, 5, 1, 0.5);
	r->target = 0;
	tlog *l = run(&f, 1, 0);
	double F = 0.25;        /* (1 * 0.5) / (1 + 1) */
	const smp *s = sample_at(l, 50);
	near(s->c[0], 0.5 * (1 + 0.83 * F - 0.4 * (1 - F)), 1e-15);
	/* C: base x_u = -0.4 * 0.75, hat-w_CA = 1/2, share 0.3 */
	near(s->c[2], 0.5 * (1 - 0.3 * 0.5 * 0.4 * 0.75), 1e-15);
	/* B: its response, then the same spillover */
	double b = 0.5 + 0.19 * 0.5 * 0.5;
	near(s->c[1], b * (1 - 0.3 * 0.5 * 0.4 * 0.75), 1e-15);
	tlog_free(l);
}

static double logistic(double z)
{
	return 1 / (1 + exp(-z));
}

static void test_drawn_responses(void **state)
{
	(void)state;
	/* Generated requests by A, answered by B and C with fixed
	 * probabilities: nothing moves anyone's commitment. */
	fixture f;
	fx_init(&f, 3, 0.5, 3652.5);
	f.mem[1].commitment = f.mem[1].baseline = 0.8;
	f.mem[2].commitment = f.mem[2].baseline = 0.3;
	f.mem[2].power = 2;
	f.m.response = (coh_response_params){-1.0, 2.0, 1.5, 2.0, 0.5};
	f.aff[f.m.n_affinities++] = (coh_affinity){2, 0, 0.5};
	for (int k = 0; k < COH_W__COUNT; k++)
		f.m.weight[k] = 0;
	coh_generator *g = fx_gen(&f, COH_EV_ASSISTANCE_REQUEST, 0, 200, 0);
	g->deadline = 5;
	g->outsider = 0;
	g->magnitude = 1;
	const uint64_t seed = 777;
	tlog *l = run(&f, seed, 0);
	size_t n_req = count(l, COH_EV_ASSISTANCE_REQUEST, 0);
	size_t n_res = count(l, COH_EV_REQUEST_RESOLVED, 0);
	size_t nb = count(l, COH_EV_ASSISTANCE_RESPONSE, 1);
	size_t nc = count(l, COH_EV_ASSISTANCE_RESPONSE, 2);
	/* hat-w_BA = 1 / (1 + 2), hat-w_CA = 1 / (1 + 1) */
	double pb = logistic(-1 + 2 * 0.8 + 1.5 / 3);
	double pc = logistic(-1 + 2 * 0.3 + 1.5 / 2 - 2 * 0.5);
	double N = (double)n_req;
	int ok = n_req > 1500 &&
		 fabs((double)nb - N * pb) <= 4 * sqrt(N * pb * (1 - pb)) &&
		 fabs((double)nc - N * pc) <= 4 * sqrt(N * pc * (1 - pc));
	/* every response falls inside its request's window */
	for (size_t k = 0; k < l->n_rec; k++)
		if (l->rec[k].type == COH_EV_ASSISTANCE_RESPONSE)
			ok = ok && l->rec[k].target == 0 && l->rec[k].value == 1;
	/* honoured (F >= 0.5) iff C answered: F is 2/3 with C, 1/3 without */
	size_t honoured = 0;
	for (size_t k = 0; k < l->n_rec; k++)
		if (l->rec[k].type == COH_EV_REQUEST_RESOLVED &&
		    l->rec[k].value >= 0.5)
			honoured++;
	double rel = l->smp[l->n_smp - 1].reliability;
	ok = ok && fabs(rel - (double)honoured / (double)n_res) < 1e-15;
	ok = ok && fabs((double)honoured - n_res * pc) <=
		   4 * sqrt(n_res * pc * (1 - pc));
	if (!ok)
		print_error("seed %llu: %zu requests, B %zu (p %g), C %zu (p %g), "
			    "honoured %zu, reliability %g\n",
			    (unsigned long long)seed, n_req, nb, pb, nc, pc,
			    honoured, rel);
	assert_true(ok);
	tlog_free(l);
}

/*--- Influence rounds ---------------------------------------------------*/

static void three_with_ties(fixture *f, const double w[3][3],
			    const double c0[3], const double mu[3])
{
	fx_init(f, 3, 0.5, 2000);
	for (int i = 0; i < 3; i++) {
		f->mem[i].commitment = f->mem[i].baseline = c0[i];
		f->mem[i].susceptibility = mu[i];
		for (int j = 0; j < 3; j++)
			if (w[i][j] > 0)
				fx_tie(f, i, j, w[i][j]);
	}
	f->m.consultation_period = 1;
}

static void test_degroot(void **state)
{
	(void)state;
	const double w[3][3] = {{1.0 / 3, 1.0 / 3, 1.0 / 3}, {0.5, 0.5, 0},
				{0, 0.25, 0.75}};
	const double c0[3] = {0.2, 0.5, 0.9}, mu[3] = {1, 1, 1};
	fixture f;
	three_with_ties(&f, w, c0, mu);
	tlog *l = run(&f, 1, 0);
	const smp *s = sample_at(l, 2000);
	for (int i = 0; i < 3; i++)
		near(s->c[i], 6.2 / 11, 1e-9);
	assert_int_equal(count(l, COH_EV_CONSULTATION, -1), 2000);
	assert_true(find(l, COH_EV_CONSULTATION, -1, 0)->value == 3);
	/* one round by hand */
	tlog_free(l);
	f.m.horizon = 1;
	l = run(&f, 1, 0);
	s = sample_at(l, 1);
	near(s->c[0], (0.2 + 0.5 + 0.9) / 3, 1e-15);
	near(s->c[1], (0.2 + 0.5) / 2, 1e-15);
	near(s->c[2], 0.25 * 0.5 + 0.75 * 0.9, 1e-15);
	tlog_free(l);
}

static void test_friedkin_johnsen(void **state)
{
	(void)state;
	const double w[3][3] = {{0.5, 0.5, 0}, {0.2, 0.6, 0.2}, {0, 0.3, 0.7}};
	const double c0[3] = {0, 0.5, 1}, mu[3] = {0.8, 0.5, 0.9};
	fixture f;
	three_with_ties(&f, w, c0, mu);
	tlog *l = run(&f, 1, 0);
	const smp *s = sample_at(l, 2000);
	near(s->c[0], 205.0 / 622, 1e-9);
	near(s->c[1], 615.0 / 1244, 1e-9);
	near(s->c[2], 785.0 / 1244, 1e-9);
	tlog_free(l);
}

static void test_summit(void **state)
{
	(void)state;
	/* default rows (by power); C is absent, D is frozen and skips it */
	fixture f;
	fx_init(&f, 4, 0.5, 10);
	double c0[4] = {0.2, 0.6, 0.9, 0.3}, p[4] = {1, 3, 2, 2};
	for (int i = 0; i < 4; i++) {
		f.mem[i].commitment = f.mem[i].baseline = c0[i];
		f.mem[i].power = p[i];
	}
	f.mem[0].susceptibility = 0.5;
	f.mem[3].freeze = 0.4;          /* frozen at day 0 (dwell 0) */
	f.m.weight[COH_W_FREEZE] = 0;
	coh_event *e = fx_event(&f, COH_EV_SUMMIT, 2, -1, 1);
	int absent[] = {2};
	fx_list(&f, e, absent, 1);
	e->source = "minutes";
	tlog *l = run(&f, 1, 0);
	assert_int_equal(count(l, COH_EV_SUMMIT_ABSENCE, -1), 1);
	const coh_event_record *ab = find(l, COH_EV_SUMMIT_ABSENCE, 2, 0);
	near(ab->after, 0.9 * 0.5, 1e-15);
	assert_string_equal(ab->source, "minutes");
	const coh_event_record *su = find(l, COH_EV_SUMMIT, -1, 0);
	assert_true(su->value == 2 && su->subject == -1 && isnan(su->before));
	assert_true(ab < su);
	double avg = (1 * 0.2 + 3 * 0.6) / 4;
	const smp *s = sample_at(l, 10);
	near(s->c[0], 0.5 * avg + 0.5 * 0.2, 1e-15);
	near(s->c[1], avg, 1e-15);
	near(s->c[2], 0.45, 1e-15);
	assert_true(s->c[3] == 0.3);
	tlog_free(l);
}

/*--- Exercises and rebukes ----------------------------------------------*/

static void test_exercises_and_rebuke(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, 3, 0.5, 30);
	f.m.leader = 0;
	f.m.rebuke = (coh_rebuke_params){1.0, 3.0, 2.0};
	f.aff[f.m.n_affinities++] = (coh_affinity){0, 1, -0.5};
	coh_event *e = fx_event(&f, COH_EV_THIRD_PARTY_EXERCISE, 1, 1, 0.5);
	e->outsider = 1;                /* the leader dislikes Y: rebuke */
	e = fx_event(&f, COH_EV_THIRD_PARTY_EXERCISE, 2, 2, 0.5);
	e->outsider = 0;                /* neutral about X: none */
	e = fx_event(&f, COH_EV_ALLIANCE_EXERCISE, 10, 0, 0.5);
	int parts[] = {0, 2};
	fx_list(&f, e, parts, 2);
	tlog *l = run(&f, 1, 0);
	assert_int_equal(count(l, COH_EV_REBUKE, -1), 1);
	const coh_event_record *rb = find(l, COH_EV_REBUKE, 1, 0);
	assert_true(rb->day == 4 && rb->actor == 0 && rb->outsider == 1);
	double b = 0.5 * (1 - 0.74 * 0.5);
	near(rb->before, b, 1e-15);
	near(rb->after, b * (1 - 0.2 * 2), 1e-15);
	const smp *s = sample_at(l, 30);
	double up = 0.74 * 0.5;
	near(s->c[0], 0.5 + up * 0.5, 1e-15);
	near(s->c[2], 1 - (1 - 0.5 * (1 - up)) * (1 - up), 1e-15);
	near(s->c[1], b * 0.6, 1e-15);
	tlog_free(l);
	/* probability 0: never */
	f.m.rebuke.probability = 0;
	l = run(&f, 1, 0);
	assert_int_equal(count(l, COH_EV_REBUKE, -1), 0);
	tlog_free(l);
}

static void test_set_event(void **state)
{
	(void)state;
	fixture f;
	relaxing_member(&f, 300);
	f.m.sample_every = 100;
	coh_event *e = fx_event(&f, COH_EV_SET, 100, 0, 50);
	e->field = COH_FIELD_HALF_LIFE;
	e = fx_event(&f, COH_EV_SET, 200, 0, 0.5);
	e->field = COH_FIELD_BASELINE;
	tlog *l = run(&f, 1, 0);
	near(sample_at(l, 100)->c[0], 0.6, 1e-12);
	/* from 0.6 toward 0.3 with half-life 50: 0.3 + 0.3/4 at day 200 */
	near(sample_at(l, 200)->c[0], 0.375, 1e-12);
	/* then toward 0.5: 0.5 - 0.125/4 at day 300 */
	near(sample_at(l, 300)->c[0], 0.5 - 0.125 / 4, 1e-12);
	assert_true(find(l, COH_EV_SET, 0, 1)->value == 0.5);
	tlog_free(l);
}

/*--- Generators ---------------------------------------------------------*/

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Counts over R replications of a generator of shocks that change
 * nothing: mean and dispersion index against Poisson(expect).  With a
 * constant rate (per day) the first 10 gaps of each replication, which are
 * independent Exp(rate) draws, also pass a Kolmogorov-Smirnov test at
 * p > 0.001. */
static void check_poisson(const fixture *f, uint64_t seed, int R,
			  double expect, double rate_per_day)
{
	enum { GAPS = 10 };
	double sum = 0, sum2 = 0;
	size_t n_gaps = 0;
	double *gaps = malloc(sizeof *gaps * (size_t)R * GAPS);
	assert_non_null(gaps);
	for (int r = 0; r < R; r++) {
		tlog *l = run(f, seed, (uint64_t)r);
		double n = (double)count(l, COH_EV_SHOCK, -1);
		sum += n;
		sum2 += n * n;
		double prev = f->gen[0].start;
		int taken = 0;
		for (size_t k = 0; k < l->n_rec && taken < GAPS; k++) {
			if (l->rec[k].type != COH_EV_SHOCK)
				continue;
			gaps[n_gaps++] = l->rec[k].day - prev;
			prev = l->rec[k].day;
			taken++;
		}
		tlog_free(l);
	}
	double mean = sum / R, var = (sum2 - R * mean * mean) / (R - 1);
	/* Var(s^2) = (mu + 2 mu^2) / R for Poisson counts */
	double disp = var / mean, se_disp = sqrt((1 / mean + 2) / (R - 1));
	int ok = fabs(mean - expect) <= 4 * sqrt(expect / R) &&
		 fabs(disp - 1) <= 4 * se_disp;
	double ks = 0;
	if (rate_per_day > 0) {
		qsort(gaps, n_gaps, sizeof *gaps, cmp_double);
		for (size_t k = 0; k < n_gaps; k++) {
			double F = 1 - exp(-rate_per_day * gaps[k]);
			double lo = F - (double)k / n_gaps;
			double hi = (double)(k + 1) / n_gaps - F;
			ks = fmax(ks, fmax(lo, hi));
		}
		ks *= sqrt((double)n_gaps);
		ok = ok && ks < 1.95;
	}
	if (!ok)
		print_error("seed %llu: mean %g (want %g), dispersion %g, "
			    "KS sqrt(n) D = %g\n", (unsigned long long)seed,
			    mean, expect, disp, ks);
	assert_true(ok);
	free(gaps);
}

static void test_poisson_generator(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, 2, 0.5, 10 * 365.25);
	fx_gen(&f, COH_EV_SHOCK, 1, 10, 0);    /* 10 a year for 10 years */
	check_poisson(&f, 4242, 400, 100, 10 / 365.25);
	/* a window: only inside [start, end] */
	f.gen[0].start = 365.25;
	f.gen[0].end = 3 * 365.25;
	check_poisson(&f, 4243, 400, 20, 10 / 365.25);
	tlog *l = run(&f, 4243, 0);
	for (size_t k = 0; k < l->n_rec; k++)
		assert_true(l->rec[k].day >= 365.25 && l->rec[k].day <= 3 * 365.25);
	tlog_free(l);
}

static void test_generator_feedback_constant(void **state)
{
	(void)state;
	/* c held at 0.4 below b = 0.6: rate 10 exp(2 * 0.2) a year */
	fixture f;
	fx_init(&f, 1, 0.4, 5 * 365.25);
	f.mem[0].baseline = 0.6;
	fx_gen(&f, COH_EV_SHOCK, 0, 10, 2);
	double r = 10 * exp(0.4);
	check_poisson(&f, 99, 400, r * 5, r / 365.25);
}

/* Mean of a Poisson process with rate r exp(fb (b - c(t))) per year while
 * c relaxes from c0 to b with half-life h (Simpson's rule). */
static double relaxing_mean(double rate, double fb, double c0, double b,
			    double h, double T)
{
	int K = 2000;
	double sum = 0;
	for (int k = 0; k <= K; k++) {
		double t = T * k / K;
		double v = rate / 365.25 * exp(fb * (b - c0) * pow(2, -t / h));
		sum += v * (k == 0 || k == K ? 1 : k % 2 ? 4 : 2);
	}
	return sum * T / K / 3;
}

static void test_generator_thinning(void **state)
{
	(void)state;
	/* the rate falls (c rises to b) or rises (c falls to b) along the
	 * way: thinning must bound it at the right end each time */
	double h = 365.25, T = 3 * 365.25;
	double c0[3] = {0.2, 0.9, 0.9}, b[3] = {0.8, 0.3, 0.1};
	double fb[3] = {2, 2, 3}, rate[3] = {20, 20, 2};
	for (int k = 0; k < 3; k++) {
		fixture f;
		fx_init(&f, 1, c0[k], T);
		f.mem[0].baseline = b[k];
		f.mem[0].half_life = h;
		fx_gen(&f, COH_EV_SHOCK, 0, rate[k], fb[k]);
		check_poisson(&f, 31337 + (uint64_t)k, 400,
			      relaxing_mean(rate[k], fb[k], c0[k], b[k], h, T),
			      0);
	}
}

static void test_generator_redrawn_on_change(void **state)
{
	(void)state;
	/* c = b = 0.5 held still; a shock after one year drops c to 0.05
	 * and the rate from 2 to 2 exp(3 * 0.45) a year at once */
	fixture f;
	fx_init(&f, 1, 0.5, 3 * 365.25);
	fx_event(&f, COH_EV_SHOCK, 365.25, 0, -0.9);
	fx_gen(&f, COH_EV_SHOCK, 0, 2, 3);
	f.gen[0].magnitude = 0;
	/* check_poisson counts every shock: the scripted one is 1 more */
	check_poisson(&f, 5150, 400, 1 + 2 + 2 * 2 * exp(1.35), 0);
}

/*--- Determinism and invariants -----------------------------------------*/

/* A busy random scenario: 12 members with random parameters and ties,
 * thresholds, timeline events of every kind, generators with feedback,
 * consultation rounds, a leader with foes. */
static void random_scenario(fixture *f, unsigned seed)
{
	srand(seed);
#define U() ((double)rand() / RAND_MAX)
	size_t n = 12;
	fx_init(f, n, 0.5, 2000);
	f->m.sample_every = 30;
	f->m.consultation_period = 90;
	f->m.leader = 0;
	f->m.rebuke = (coh_rebuke_params){0.7, 5, 1};
	f->m.response = (coh_response_params){-0.5, 2, 1, 1, 0.3};
	for (int k = 0; k < COH_W__COUNT; k++)
		f->m.spillover[k] = coh_default_spillover((coh_weight_key)k);
	f->m.spillover[COH_W_DEFEAT] = 0.2;
	for (size_t i = 0; i < n; i++) {
		coh_member *m = &f->mem[i];
		m->power = 0.05 + U();
		m->commitment = 0.3 + 0.7 * U();
		m->baseline = 0.2 + 0.8 * U();
		m->half_life = i % 5 == 0 ? 0 : 100 + 500 * U();
		m->adaptation_half_life = i % 3 == 0 ? 300 + 500 * U() : 0;
		m->sensitivity = 0.5 + U();
		m->susceptibility = U();
		m->freeze = 0.3 + 0.2 * U();
		m->exit = m->freeze * U();
		m->dwell = i % 4 == 0 ? 0 : 30 * U();
		m->recover = 0.1 * U();
		if (i % 2 == 1)
			for (size_t j = 0; j < n; j++)
				if (rand() % 3 == 0)
					fx_tie(f, (int)i, (int)j, U());
		f->aff[f->m.n_affinities++] = (coh_affinity){(int)i, rand() % 2,
							      2 * U() - 1};
	}
	double day = 0;
	while (f->m.n_events < 150) {
		day += 10 * U();
		coh_event_type t = (coh_event_type)(rand() % COH_EV__TIMELINE_COUNT);
		coh_event *e = fx_event(f, t, day, rand() % (int)n, U());
		e->outsider = rand() % 2;
		switch (t) {
		case COH_EV_ASSISTANCE_REQUEST:
			e->deadline = 60 * U();
			e->drawn_answers = rand() % 2;
			e->in_scope = rand() % 2;
			break;
		case COH_EV_ASSISTANCE_RESPONSE:
			/* an answer to the latest open request by another
			 * member; with none open, a defeat instead */
			e->type = COH_EV_DEFEAT;
			for (size_t q = f->m.n_events - 1; q-- > 0;) {
				const coh_event *rq = &f->ev[q];
				if (rq->type == COH_EV_ASSISTANCE_REQUEST &&
				    rq->actor != e->actor &&
				    day <= rq->day + rq->deadline) {
					e->type = t;
					e->target = rq->actor;
					break;
				}
			}
			break;
		case COH_EV_STATEMENT:
			e->target = rand() % (int)n;
			e->magnitude = 2 * U() - 1;
			break;
		case COH_EV_ALLIANCE_EXERCISE:
		case COH_EV_SUMMIT: {
			int items[3] = {rand() % (int)n, rand() % (int)n,
					rand() % (int)n};
			size_t count = (size_t)(rand() % 4), kept = 0;
			for (size_t q = 0; q < count; q++) {     /* no id twice */
				int dup = 0;
				for (size_t r = 0; r < kept; r++)
					dup |= items[r] == items[q];
				if (!dup)
					items[kept++] = items[q];
			}
			fx_list(f, e, items, kept);
			break;
		}
		case COH_EV_SHOCK:
			e->magnitude = 1.2 * U() - 0.7;
			break;
		case COH_EV_SET:
			e->field = (coh_member_field)(rand() % COH_FIELD__COUNT);
			e->magnitude = e->field == COH_FIELD_HALF_LIFE ||
				       e->field == COH_FIELD_DWELL ? 100 * U() : U();
			break;
		default:
			break;
		}
	}
	coh_generator *g = fx_gen(f, COH_EV_THIRD_PARTY_EXERCISE, -1, 1, 3);
	g->outsider = 1;
	g->magnitude = 0.3;
	g = fx_gen(f, COH_EV_ASSISTANCE_REQUEST, 3, 4, 1);
	g->deadline = 20;
	g->magnitude = 1;
	g->outsider = 0;
	g = fx_gen(f, COH_EV_SUMMIT, 5, 2, 2);
	g = fx_gen(f, COH_EV_SUMMIT_ABSENCE, 7, 3, 2);
	g->magnitude = 0.5;
	g = fx_gen(f, COH_EV_ALLIANCE_EXERCISE, 6, 2, 0);
	g->magnitude = 0.2;
	g = fx_gen(f, COH_EV_STATEMENT, -1, 0.5, 1);
	g->magnitude = -0.3;
	g->start = 500;
	g->end = 1500;
#undef U
}

static int same_records(const tlog *a, const tlog *b)
{
	if (a->n_rec != b->n_rec || a->n_smp != b->n_smp)
		return 0;
	for (size_t k = 0; k < a->n_rec && k < a->cap_rec; k++) {
		const coh_event_record *x = &a->rec[k], *y = &b->rec[k];
		if (x->day != y->day || x->type != y->type ||
		    x->actor != y->actor || x->target != y->target ||
		    x->subject != y->subject || x->outsider != y->outsider ||
		    memcmp(&x->value, &y->value, sizeof x->value) ||
		    memcmp(&x->before, &y->before, sizeof x->before) ||
		    memcmp(&x->after, &y->after, sizeof x->after) ||
		    x->source != y->source)
			return 0;
	}
	return memcmp(a->smp, b->smp, a->n_smp * sizeof *a->smp) == 0;
}

static void test_same_key_same_records(void **state)
{
	(void)state;
	fixture *f = malloc(sizeof *f);
	assert_non_null(f);
	random_scenario(f, 5);
	tlog *a = run(f, 11, 3);
	assert_true(a->n_rec > 200);
	/* one workspace, other replications in between */
	coh_sim *sim;
	coh_error err;
	assert_int_equal(coh_sim_alloc(&sim, &f->m, &err), 0);
	tlog *b = NULL;
	for (uint64_t rep = 0; rep < 4; rep++) {
		if (b)
			tlog_free(b);
		b = tlog_new();
		coh_recorder rec = {b, on_event, on_sample, NULL, NULL};
		coh_stream_key key = {11, 0, rep};
		assert_int_equal(coh_sim_run(sim, &key, &rec, &err), 0);
	}
	coh_sim_free(sim);
	assert_true(same_records(a, b));
	tlog_free(b);
	/* another replication, seed or point differs */
	b = run(f, 11, 4);
	assert_false(same_records(a, b));
	tlog_free(b);
	b = run(f, 12, 3);
	assert_false(same_records(a, b));
	tlog_free(b);
	b = tlog_new();
	assert_int_equal(coh_sim_alloc(&sim, &f->m, &err), 0);
	coh_recorder rec = {b, on_event, on_sample, NULL, NULL};
	coh_stream_key other_point = {11, 1, 3};
	assert_int_equal(coh_sim_run(sim, &other_point, &rec, &err), 0);
	coh_sim_free(sim);
	assert_false(same_records(a, b));
	tlog_free(b);
	tlog_free(a);
	free(f);
}

/*--- Draws keyed by identity (docs/model.md section 11) ------------------*/

/* Whether the records of a and b that pass keep(record, arg) are the same,
 * in the same order, bit for bit. */
static int same_kept(const tlog *a, const tlog *b,
		     int (*keep)(const coh_event_record *, double), double arg)
{
	size_t i = 0, k = 0, kept = 0;
	for (;;) {
		while (i < a->n_rec && i < a->cap_rec && !keep(&a->rec[i], arg))
			i++;
		while (k < b->n_rec && k < b->cap_rec && !keep(&b->rec[k], arg))
			k++;
		int a_end = i >= a->n_rec || i >= a->cap_rec;
		int b_end = k >= b->n_rec || k >= b->cap_rec;
		if (a_end || b_end)
			return a_end && b_end && kept > 0;
		const coh_event_record *x = &a->rec[i++], *y = &b->rec[k++];
		if (x->day != y->day || x->type != y->type ||
		    x->actor != y->actor || x->target != y->target ||
		    x->subject != y->subject ||
		    memcmp(&x->value, &y->value, sizeof x->value) ||
		    memcmp(&x->before, &y->before, sizeof x->before) ||
		    memcmp(&x->after, &y->after, sizeof x->after))
			return 0;
		kept++;
	}
}

static int about_b_or_c(const coh_event_record *r, double unused)
{
	(void)unused;
	return r->subject == 1 || r->subject == 2;
}

/* Not about the first request (days 10 to 14) or the first exercise and
 * its rebuke (days 120 and 120.5) of keyed_events. */
static int not_first(const coh_event_record *r, double unused)
{
	(void)unused;
	return r->day >= 15 && !(r->day >= 120 && r->day < 121);
}

/* Two generators, the first on A alone, the second on every member, with
 * feedback (so its draws depend on the state): without the first, the
 * second's instances on B and C draw the same numbers, although the
 * generator and its instances now come first in the model. */
static void keyed_generators(fixture *f, int with_first)
{
	fx_init(f, 3, 0.6, 4 * 365.25);
	for (int i = 0; i < 3; i++) {
		f->mem[i].half_life = 60;
		f->mem[i].baseline = 0.7;
	}
	if (with_first)
		fx_gen(f, COH_EV_SHOCK, 0, 30, 0)->magnitude = -0.05;
	fx_gen(f, COH_EV_SHOCK, -1, 20, 2)->magnitude = -0.03;
}

/* Drawn requests of A and exercises of B with the leader's foe, with no
 * weight on anything (so no event moves anyone): without the first
 * request and the first exercise, the answers to the later requests and
 * the rebukes of the later exercises are the same. */
static void keyed_events(fixture *f, int with_first)
{
	fx_init(f, 4, 0.6, 200);
	for (int k = 0; k < COH_W__COUNT; k++)
		f->m.weight[k] = 0;
	f->m.response = (coh_response_params){0.2, 0, 0, 0, 1};
	f->m.leader = 3;
	f->m.rebuke = (coh_rebuke_params){0.5, 0.5, 0.1};
	f->aff[f->m.n_affinities++] = (coh_affinity){3, 0, -0.5};
	for (int k = with_first ? 0 : 1; k < 20; k++) {
		coh_event *e = fx_event(f, COH_EV_ASSISTANCE_REQUEST,
					10 + 5.0 * k, 0, 1);
		e->outsider = 0;
		e->deadline = 4;
		e->drawn_answers = 1;
	}
	for (int k = with_first ? 0 : 1; k < 20; k++)
		fx_event(f, COH_EV_THIRD_PARTY_EXERCISE, 120 + 2.0 * k, 1,
			 0.1)->outsider = 0;
}

static void test_keyed_draws(void **state)
{
	(void)state;
	fixture *f = malloc(sizeof *f);
	assert_non_null(f);
	for (uint64_t rep = 0; rep < 3; rep++) {
		keyed_generators(f, 1);
		tlog *a = run(f, 5, rep);
		keyed_generators(f, 0);
		tlog *b = run(f, 5, rep);
		if (!same_kept(a, b, about_b_or_c, 0))
			print_error("generators: B and C differ without A's "
				    "generator (seed 5, replication %llu)\n",
				    (unsigned long long)rep);
		assert_true(same_kept(a, b, about_b_or_c, 0));
		tlog_free(a);
		tlog_free(b);

		keyed_events(f, 1);
		a = run(f, 5, rep);
		assert_true(count(a, COH_EV_ASSISTANCE_RESPONSE, -1) > 10);
		assert_true(count(a, COH_EV_REBUKE, -1) > 3);
		keyed_events(f, 0);
		b = run(f, 5, rep);
		int same = same_kept(a, b, not_first, 0);
		if (!same)
			print_error("events: later answers or rebukes differ "
				    "without the first (seed 5, replication "
				    "%llu)\n", (unsigned long long)rep);
		assert_true(same);
		tlog_free(a);
		tlog_free(b);
	}
	free(f);
}

static void test_invariants_random(void **state)
{
	(void)state;
	fixture *f = malloc(sizeof *f);
	assert_non_null(f);
	size_t transitions = 0, requests = 0;
	for (unsigned sc = 0; sc < 6; sc++) {
		random_scenario(f, 100 + sc);
		for (uint64_t rep = 0; rep < 5; rep++) {
			tlog *l = run(f, 7, rep);
			double last = 0;
			int ok = 1;
			for (size_t k = 0; k < l->n_rec && k < l->cap_rec; k++) {
				const coh_event_record *r = &l->rec[k];
				ok = ok && r->day >= last && r->day <= f->m.horizon;
				last = r->day;
				if (r->subject >= 0)
					ok = ok && r->before >= 0 && r->before <= 1 &&
					     r->after >= 0 && r->after <= 1;
				else
					ok = ok && isnan(r->before) && isnan(r->after);
				transitions += r->type >= COH_EV_FREEZE;
				requests += r->type == COH_EV_REQUEST_RESOLVED;
			}
			last = -1;
			for (size_t k = 0; k < l->n_smp; k++) {
				const smp *s = &l->smp[k];
				ok = ok && s->day > last;
				last = s->day;
				ok = ok && s->active + s->frozen + s->exited == 12;
				ok = ok && s->cohesion >= 0 && s->cohesion <= 1;
				for (int i = 0; i < 12; i++)
					ok = ok && s->c[i] >= 0 && s->c[i] <= 1;
				if (k > 0)      /* exits are absorbing */
					for (int i = 0; i < 12; i++)
						ok = ok && (l->smp[k - 1].st[i] != COH_EXITED ||
							    s->st[i] == COH_EXITED);
			}
			ok = ok && l->n_smp == 68 && last == 2000;
			if (!ok)
				print_error("scenario %u, seed 7, replication %llu\n",
					    100 + sc, (unsigned long long)rep);
			assert_true(ok);
			tlog_free(l);
		}
	}
	/* the scenarios really exercise transitions and requests */
	assert_true(transitions > 20);
	assert_true(requests > 50);
	free(f);
}

/*--- Errors -------------------------------------------------------------*/

static void test_bad_models(void **state)
{
	(void)state;
	fixture f;
	coh_sim *sim = NULL;
	coh_error err = {0};
	fx_init(&f, 2, 0.5, 10);
	f.mem[1].commitment = 1.5;
	assert_int_equal(coh_sim_alloc(&sim, &f.m, &err), COH_EINPUT);
	assert_non_null(strstr(err.message, "member B"));
	assert_null(sim);
	fx_init(&f, 2, 0.5, 10);
	coh_event *e = fx_event(&f, COH_EV_SHOCK, 3, 5, 0.1);
	assert_int_equal(coh_sim_alloc(&sim, &f.m, &err), COH_EINPUT);
	assert_string_equal(err.file, "test.cfg");
	assert_int_equal(err.line, 1);
	e->actor = 0;
	fx_event(&f, COH_EV_SHOCK, 2, 0, 0.1);      /* out of order */
	assert_int_equal(coh_sim_alloc(&sim, &f.m, &err), COH_EINPUT);
	fx_init(&f, 2, 0.5, 10);
	fx_gen(&f, COH_EV_SET, 0, 1, 0);
	assert_int_equal(coh_sim_alloc(&sim, &f.m, &err), COH_EINPUT);
	assert_non_null(strstr(err.message, "cannot be generated"));
	fx_init(&f, 2, 0.5, 10);
	f.m.sample_every = 0;
	assert_int_equal(coh_sim_alloc(&sim, &f.m, &err), COH_EINPUT);
	fx_init(&f, 2, 0.5, 10);
	f.m.weight[COH_W_DEFEAT] = NAN;
	assert_int_equal(coh_sim_alloc(&sim, &f.m, &err), COH_EINPUT);
	/* a generator whose rate overflows is a numeric error, not a hang */
	fx_init(&f, 1, 0.0, 10);
	f.mem[0].baseline = 1;
	fx_gen(&f, COH_EV_SHOCK, 0, 1, 1e6);
	assert_int_equal(coh_sim_alloc(&sim, &f.m, &err), 0);
	coh_stream_key key = {1, 0, 0};
	assert_int_equal(coh_sim_run(sim, &key, NULL, &err), COH_ENUMERIC);
	assert_non_null(strstr(err.message, "overflows"));
	coh_sim_free(sim);
	coh_sim_free(NULL);
}

static void test_recorder_stops_run(void **state)
{
	(void)state;
	fixture *f = malloc(sizeof *f);
	assert_non_null(f);
	random_scenario(f, 9);
	coh_sim *sim;
	coh_error err;
	assert_int_equal(coh_sim_alloc(&sim, &f->m, &err), 0);
	tlog *l = tlog_new();
	l->stop_after = 10;
	coh_recorder rec = {l, on_event, on_sample, NULL, NULL};
	coh_stream_key key = {1, 0, 0};
	assert_int_equal(coh_sim_run(sim, &key, &rec, &err), 7);
	assert_int_equal(l->n_rec, 10);
	/* the workspace is fine afterwards, and NULL recorders are allowed */
	assert_int_equal(coh_sim_run(sim, &key, NULL, &err), 0);
	assert_true(coh_sim_last_stats(sim).events > 150);
	assert_true(coh_sim_last_stats(sim).samples == 68);
	coh_sim_free(sim);
	tlog_free(l);
	free(f);
}

/* Every allocation of alloc and of a run may fail: a clean COH_ENOMEM,
 * no crash, no leak (valgrind and ASan check the leak part). */
static void test_allocation_failures(void **state)
{
	(void)state;
	fixture *f = malloc(sizeof *f);
	assert_non_null(f);
	random_scenario(f, 21);
	coh_stream_key key = {3, 0, 0};
	int failures = 0;
	for (long k = 0; k < 200; k++) {
		coh_sim *sim = NULL;
		coh_error err;
		coh_alloc_fail_after(k);
		int rc = coh_sim_alloc(&sim, &f->m, &err);
		if (rc == 0)
			rc = coh_sim_run(sim, &key, NULL, &err);
		coh_alloc_fail_after(-1);
		coh_sim_free(sim);
		if (rc) {
			assert_int_equal(rc, COH_ENOMEM);
			failures++;
		} else {
			break;
		}
	}
	assert_true(failures > 20);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relaxation_samples),
		cmocka_unit_test(test_freeze_crossing_day),
		cmocka_unit_test(test_dwell_interrupted),
		cmocka_unit_test(test_adaptation_in_run),
		cmocka_unit_test(test_unfreeze_with_recover),
		cmocka_unit_test(test_exit_from_frozen),
		cmocka_unit_test(test_exit_contagion),
		cmocka_unit_test(test_bounded_impacts_commute),
		cmocka_unit_test(test_weighted_impact_and_sensitivity),
		cmocka_unit_test(test_spillover_normalisation),
		cmocka_unit_test(test_order_at_equal_times),
		cmocka_unit_test(test_sample_grid),
		cmocka_unit_test(test_scripted_fulfilment),
		cmocka_unit_test(test_unanswered_spillover),
		cmocka_unit_test(test_drawn_responses),
		cmocka_unit_test(test_degroot),
		cmocka_unit_test(test_friedkin_johnsen),
		cmocka_unit_test(test_summit),
		cmocka_unit_test(test_exercises_and_rebuke),
		cmocka_unit_test(test_set_event),
		cmocka_unit_test(test_poisson_generator),
		cmocka_unit_test(test_generator_feedback_constant),
		cmocka_unit_test(test_generator_thinning),
		cmocka_unit_test(test_generator_redrawn_on_change),
		cmocka_unit_test(test_keyed_draws),
		cmocka_unit_test(test_same_key_same_records),
		cmocka_unit_test(test_invariants_random),
		cmocka_unit_test(test_bad_models),
		cmocka_unit_test(test_recorder_stops_run),
		cmocka_unit_test(test_allocation_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
