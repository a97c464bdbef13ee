/* The engine's insides, shared by the parts of sim.c: the coh_sim workspace,
 * the prototypes of the functions one part calls in another, and the small
 * functions every event runs through, inline.  sim.c and its parts
 * (src/engine/sim/….inc) are ONE translation unit, so that these stay
 * inlined across parts exactly as they were in one file; nothing else may
 * include this header. */
#ifndef COH_ENGINE_SIM_INTERNAL_H
#define COH_ENGINE_SIM_INTERNAL_H

#include "cohesim/sim.h"

#include <limits.h>
#include <math.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "core/alloc.h"
#include "engine/metrics.h"
#include "engine/queue.h"
#include "engine/rng.h"
#include "engine/rules.h"

/*--- Workspace ----------------------------------------------------------*/

/* What a queued event is (coh_qitem.kind) and what its a, b, c mean. */
enum {
	K_WATCH,        /* a: member whose status may change */
	K_RESOLVE,      /* a: request slot, c: its serial */
	K_RESPONSE,     /* a: request slot, b: responder, c: serial */
	K_REBUKE,       /* a: rebuked member, b: outsider */
	K_GENERATOR,    /* a: generator instance */
	K_CONSULT       /* a: round number k (at k * period) */
};

/* The conditions whose spells the dwell rule times. */
enum { C_BELOW_FREEZE, C_ABOVE_RECOVER, C_BELOW_EXIT, C__COUNT };

#define NOT_HELD HUGE_VAL

/* Every random draw is keyed by the identity of what it belongs to
 * (docs/model.md section 11): the stream (seed, point, replication, unit,
 * purpose), where unit is a hash naming a timeline event or a generator
 * instance, and purpose is one of these in the top byte, with the
 * occurrence of a generated event (0 for a timeline event) below it.  So
 * removing one event or generator shifts no number that another sees. */
#define P_PROPOSALS (UINT64_C(1) << 56)  /* a generator instance's draws */
#define P_ANSWERS   (UINT64_C(2) << 56)  /* drawn answers to a request */
#define P_REBUKE    (UINT64_C(3) << 56)  /* the leader's rebuke */
#define P_MAGNITUDE (UINT64_C(4) << 56)  /* a generated event's magnitude */
#define P_ABSENCE   (UINT64_C(5) << 56)  /* a generated summit's absences */
#define P_OCCURRENCE (P_PROPOSALS - 1)   /* the bits left for occurrences */

/* More status changes of one member at one instant than this is a
 * freeze/unfreeze loop that would never end. */
#define MAX_BURST 8

/* The fields every event reads come first, so that bringing a member up
 * to date and re-timing its watch touch as few cache lines as possible. */
typedef struct member {
	double c, b, t;         /* commitment and baseline (within [0, 1],
				 * clamped wherever they are set), valid
				 * at day t */
	double rl, ra;          /* relaxation, adaptation: halvings per day */
	double since[C__COUNT]; /* start of each condition's spell, NOT_HELD */
	double theta[C__COUNT]; /* each condition's threshold (set_thresholds) */
	coh_status status;
	uint32_t watch;         /* the member's one status event */
	coh_event_type watch_kind;  /* what that event will do */
	double dwell, sensitivity, susceptibility;
	double freeze, exit, recover;
	double last_change;     /* day of the last status change */
	int burst;              /* status changes at that day */
	size_t gen_first, gen_count;    /* into coh_sim.member_gens */
	size_t fb_first, fb_count;      /* into coh_sim.feedback_gens */
} member;

/* 64 bytes: one cache line for everything an event of the instance reads. */
typedef struct gen_inst {
	const coh_generator *g;
	coh_rng_state *stream;  /* its own stream (P_PROPOSALS) */
	double bound;           /* thinning bound of the pending candidate */
	double stop;            /* last day it may fire: min(end, horizon) */
	double per_day;         /* its plain rate, rate / 365.25 */
	int member;
	int gen;                /* g's index in the model (and gen_events) */
	int actor, target;      /* of the event an accepted candidate becomes */
	uint32_t handle;
	unsigned char started;  /* 0 while waiting for the window to open */
	unsigned char firing;   /* its candidate is being handled */
	unsigned char as;       /* coh_generated_as: the member's part */
} gen_inst;

_Static_assert(sizeof(gen_inst) <= 64,
	       "a generator instance is one cache line");

/* A generator instance's identity and how many events it has generated
 * in this replication: what names the draws of those events.  Apart from
 * gen_inst, as only accepted events read it. */
typedef struct gen_unit {
	uint64_t id;
	uint64_t fired;
} gen_unit;

typedef struct request {
	int requester, outsider;
	double opened, deadline, magnitude;
	int in_scope;
	unsigned serial;        /* 0 when the slot is free */
	const coh_event *origin;        /* the event that opened it: its
					 * source and label go to the log */
} request;

struct coh_sim {
	const coh_model *model;
	size_t n;
	member *mem;
	double *power;
	int *row;               /* explicit tie row of a member, or -1 */
	double *ties;           /* explicit rows, n entries each */
	double *wsum0, *wsum;   /* sum_{k != j, not exited} w_jk; at day 0, now */
	double *affinity;       /* n x n_outsiders */

	gen_inst *gens;
	size_t n_gens;
	/* per model generator, the event its accepted candidates become:
	 * built once; actor, target and day are set for each */
	coh_event *gen_events;
	size_t *member_gens;    /* instance ids grouped by member */
	size_t *feedback_gens;  /* the same, only those with feedback != 0 */

	coh_rng_state *rng_state;       /* one per generator instance */
	gen_unit *gen_units;            /* one per generator instance */
	uint64_t *event_units;          /* identity of each timeline event */

	request *req;
	double *req_level;      /* req_cap x n, -1: no answer */
	size_t req_cap;
	unsigned req_serial;

	coh_queue queue;

	double *scratch;        /* n values */
	int *idx;               /* n member indices */
	int *parts;             /* n member indices: generated participants */
	unsigned char *mark, *alive;
	double *sample_c;
	coh_status *sample_s;

	/* state of the current run */
	coh_stream_key key;
	uint64_t unit, occurrence;      /* identity of the event being handled */
	double now;
	size_t cursor;          /* next timeline event */
	uint64_t sample_k;
	int sample_tail_done;
	double sample_next;     /* the next grid sample or read, +inf: none */
	double grid_next;       /* next_sample()'s answer, +inf when none */
	/* extra read days (coh_sim_set_reads): sorted, distinct, within
	 * [0, horizon]; read_at is the next one in this run */
	double *reads;
	size_t n_reads, read_at;
	/* members with a `joins` day, in the order they join (day, then
	 * index); join_at is the next one in this run */
	int *joiners;
	size_t n_joiners, join_at;
	uint64_t resolved, honoured;
	const coh_recorder *rec;
	coh_error *err;
	coh_sim_stats stats;

	/* The ledger's bookkeeping, used only by the copy of the engine in
	 * sim_ledger.c.  Per member, LG_FIELDS values: the origin of its
	 * current drift (c, b and day after its last jump), the relaxation
	 * booked since that origin, and the commitment booked so far. */
	double *lg;
	long lg_event;          /* the event being handled (as in the entry) */
	coh_event_type lg_type;
	int lg_spill;           /* landing spillover rather than a direct hit */
	int lg_rc;              /* the ledger callback's first non-zero */
};

enum { LG_C0, LG_B0, LG_T0, LG_RELAX, LG_BOOKED, LG_FIELDS };

/*--- Functions of the parts ---------------------------------------------*/

/* sim_ledger.c: coh_sim_run for a recorder with a ledger callback */
int coh_sim_run_ledger(coh_sim *s, const coh_stream_key *key,
		       const coh_recorder *recorder, coh_error *err);

/* sim.c */
static int nomem(coh_sim *s);
static const char *member_id(const coh_model *m, int i);
static int emit_record(coh_sim *s, coh_event_type type, int actor,
		       int target, int outsider, int subject, double value,
		       double before, double after, const coh_event *origin);

/* sim/members.inc */
static void advance_to(member *m, double t);
static void reread_conditions(member *m, double t);
static int set_commitment(coh_sim *s, int i, double c);
static int reschedule_watch_at(coh_sim *s, int i);

/* sim/generators.inc */
static int gen_bound(coh_sim *s, const gen_inst *gi, double *out);
static int gen_schedule(coh_sim *s, gen_inst *gi, double bound);
static int gen_redraw(coh_sim *s, gen_inst *gi);

/* sim/impacts.inc */
static void recompute_tie_sums(coh_sim *s);
static int spill_all(coh_sim *s, int src, double base, double sigma,
		     const unsigned char *skip);

/* sim/influence.inc */
static int influence(coh_sim *s, size_t count);

/* sim/requests.inc */
static int request_open(coh_sim *s, const coh_event *ev, int drawn);
static int scripted_response(coh_sim *s, const coh_event *ev);
static int drawn_response(coh_sim *s, const coh_qitem *it);
static int resolve(coh_sim *s, const coh_qitem *it);

/* sim/events.inc */
static int rebuke(coh_sim *s, const coh_qitem *it);
static int consultation(coh_sim *s, const coh_qitem *it);
static int timeline_event(coh_sim *s, const coh_event *ev);
static int generator_event(coh_sim *s, gen_inst *gi);

/* sim/transitions.inc */
static int transition(coh_sim *s, int i);
static int leave(coh_sim *s, int i);
static int join(coh_sim *s, int i);
static int withdrawal(coh_sim *s, const coh_event *ev);

/* sim/samples.inc */
static void plan_sample(coh_sim *s);
static int emit_sample(coh_sim *s, double t);

/* The ledger's hooks (sim.c).  The plain engine is compiled with
 * SIM_LEDGER 0, where every hook is empty and costs nothing; sim_ledger.c
 * compiles the same source again with SIM_LEDGER 1 into the run that
 * coh_sim_run hands a recorder with a ledger callback. */
#ifndef SIM_LEDGER
#define SIM_LEDGER 0
#endif
#if SIM_LEDGER
static void lg_start(coh_sim *s, int i);
static void lg_drift(coh_sim *s, int i, double t, double c);
static void lg_moved(coh_sim *s, int i, coh_ledger_cause cause);
static void lg_origin(coh_sim *s, int i);
#define LG_EVENT(s, idx, ty) ((s)->lg_event = (idx), (s)->lg_type = (ty))
/* the index of a timeline event, or -1 for a generator's (gen_events) */
static inline long lg_timeline(const coh_sim *s, const coh_event *ev)
{
	uintptr_t p = (uintptr_t)ev, first = (uintptr_t)s->model->events;
	uintptr_t end = (uintptr_t)(s->model->events + s->model->n_events);
	return p >= first && p < end ? (long)(ev - s->model->events) : -1;
}
#define LG_START(s, i) lg_start((s), (i))
#define LG_ADVANCED(s, i) lg_drift((s), (i), (s)->now, (s)->mem[i].c)
#define LG_MOVED(s, i, cause) lg_moved((s), (i), (cause))
#define LG_ORIGIN(s, i) lg_origin((s), (i))
#define LG_SPILL(s, on) ((s)->lg_spill = (on))
#else
#define LG_EVENT(s, idx, ty) ((void)0)
#define LG_START(s, i) ((void)0)
#define LG_ADVANCED(s, i) ((void)0)
#define LG_MOVED(s, i, cause) ((void)0)
#define LG_ORIGIN(s, i) ((void)0)
#define LG_SPILL(s, on) ((void)0)
#endif

/*--- Small helpers ------------------------------------------------------*/

static inline double weight(const coh_sim *s, coh_weight_key key)
{
	return s->model->weight[key];
}

static inline double spill_share(const coh_sim *s, coh_weight_key key)
{
	return s->model->spillover[key];
}

/* w_ji: how much j listens to i. */
static inline double tie(const coh_sim *s, int j, int i)
{
	int r = s->row[j];
	return r < 0 ? s->power[i] : s->ties[(size_t)r * s->n + (size_t)i];
}

/* hat-w_ji for spillover and responses: j's row over its non-exited
 * partners, self excluded (docs/model.md section 3). */
static inline double tie_share(const coh_sim *s, int j, int i)
{
	double sum = s->wsum[j];
	return sum > 0 ? tie(s, j, i) / sum : 0.0;
}

static inline double affinity(const coh_sim *s, int i, int k)
{
	if (k < 0 || !s->model->n_outsiders)
		return 0.0;
	return s->affinity[(size_t)i * s->model->n_outsiders + (size_t)k];
}

/* The thresholds of the three conditions: c < freeze, c > freeze +
 * recover, c < exit.  Kept in theta[] (and set again whenever a `set`
 * changes one of them) because every update of the member reads them. */
static inline void set_thresholds(member *m)
{
	m->theta[C_BELOW_FREEZE] = m->freeze;
	m->theta[C_ABOVE_RECOVER] = m->freeze + m->recover;
	m->theta[C_BELOW_EXIT] = m->exit;
}

/* Whether condition k holds for value c. */
static inline int holds(const member *m, int k, double c)
{
	return k == C_ABOVE_RECOVER ? c > m->theta[k] : c < m->theta[k];
}

/* The first test of coh_rules_flip_after, which answers +inf without a
 * logarithm when it fails: whether a trajectory tending to `target` can
 * still change whether condition k holds (it can only if the limit lies
 * on the other side).  The rate must be > 0. */
static inline int may_flip(const member *m, int k, double target, int inside)
{
	return inside != holds(m, k, target);
}

static inline double clamp01(double x)
{
	return x < 0 ? 0.0 : x > 1 ? 1.0 : x;
}

/* Commitment of member i at day t >= its last update, without changing
 * anything (samples and rates read the state this way). */
static inline double value_at(const member *m, double t, double *b_out)
{
	if (!coh_status_current(m->status) || !(t > m->t)) {
		/* the stored state, which is always within [0, 1] (or NaN,
		 * which clamping would leave as it is); a candidate's stays
		 * as it was given until it joins */
		if (b_out)
			*b_out = m->b;
		return m->c;
	}
	double c, b;
	coh_rules_relax(m->c, m->b, m->rl, m->ra, t - m->t, &c, &b);
	if (b_out)
		*b_out = clamp01(b);
	return clamp01(c);
}

/* Commitment of member i now, for records that do not move it. */
static inline double current(const coh_sim *s, int i)
{
	return value_at(&s->mem[i], s->now, NULL);
}

/*--- The hot path -------------------------------------------------------*/

/* What nearly every event runs through: recording, bringing a member up
 * to date, its watch, its generators, and landing an impact with its
 * spillover.  Each is a test inline and a call to its part's slow path. */

/* Reports an event to the recorder, if it wants events (the test inline:
 * runs without an event log pay nothing more). */
static inline int emit(coh_sim *s, coh_event_type type, int actor,
		       int target, int outsider, int subject, double value,
		       double before, double after, const coh_event *origin)
{
	if (!s->rec || !s->rec->event)
		return 0;
	return emit_record(s, type, actor, target, outsider, subject, value,
			   before, after, origin);
}

/* Brings member i up to the current day (the test inline, as most calls
 * find it there already). */
static inline void advance(coh_sim *s, int i)
{
	member *m = &s->mem[i];
	if (coh_status_current(m->status) && s->now > m->t) {
		advance_to(m, s->now);
		LG_ADVANCED(s, i);
	}
}

/* Schedules the member's one status event at the earliest time a dwell
 * completes on the current trajectory (exit first at equal times), or
 * removes it when none will before the horizon.  The usual case is
 * answered inline: a member with no watch, holding neither condition that
 * its status makes relevant, and tending to a level where neither holds,
 * will never need one (dwell_done would give +inf twice). */
static inline int reschedule_watch(coh_sim *s, int i)
{
	const member *m = &s->mem[i];
	if (m->watch == COH_QUEUE_NONE && coh_status_current(m->status)) {
		int k = m->status == COH_FROZEN ? C_ABOVE_RECOVER : C_BELOW_FREEZE;
		if (m->since[C_BELOW_EXIT] == NOT_HELD &&
		    m->since[k] == NOT_HELD) {
			double target = coh_rules_target(m->c, m->b, m->rl,
							 m->ra);
			if (!(m->rl + m->ra > 0) ||
			    (!holds(m, C_BELOW_EXIT, target) &&
			     !holds(m, k, target)))
				return 0;
		}
	}
	return reschedule_watch_at(s, i);
}

/* The member's trajectory changed: move its watch, and see to the
 * generators whose rate depends on it.  A pending candidate proposed at a
 * bound that still covers the new trajectory stays valid (the proposals
 * are a Poisson process at that bound, memoryless from now); it is redrawn
 * when the bound no longer covers the rate, or is twice what is needed. */
static inline int member_changed(coh_sim *s, int i)
{
	int rc = reschedule_watch(s, i);
	if (rc)
		return rc;
	const member *m = &s->mem[i];
	/* only the generators whose rate depends on the member */
	for (size_t k = 0; k < m->fb_count; k++) {
		gen_inst *gi = &s->gens[s->feedback_gens[m->fb_first + k]];
		if (!gi->started || gi->firing)
			continue;
		double bound;
		if ((rc = gen_bound(s, gi, &bound)))
			return rc;
		if (gi->handle != COH_QUEUE_NONE && bound <= gi->bound &&
		    2 * bound >= gi->bound)
			continue;
		if ((rc = gen_schedule(s, gi, bound)))
			return rc;
	}
	return 0;
}

/* Applies impact x to member i (nothing lands on an exited member or a
 * candidate);
 * before and after receive its commitment around the impact. */
static inline int land(coh_sim *s, int i, double x, double *before,
		       double *after)
{
	member *m = &s->mem[i];
	advance(s, i);
	double c0 = m->c;
	double c1 = !coh_status_current(m->status) ? c0
						   : coh_rules_apply(c0, x);
	if (!isfinite(c1))
		return coh_error_set(s->err, COH_ENUMERIC, NULL, 0,
				     "member %s: commitment became %g at day "
				     "%.17g (impact %g)", member_id(s->model, i),
				     c1, s->now, x);
	if (before)
		*before = c0;
	if (after)
		*after = clamp01(c1);
	if (set_commitment(s, i, c1)) {
		LG_MOVED(s, i, s->lg_spill ? COH_LEDGER_SPILLOVER
					   : COH_LEDGER_DIRECT);
		return member_changed(s, i);
	}
	return 0;
}

/* Spillover of an event on member src with base impact omega * m: every
 * other non-exited member j (not marked in skip) receives
 * clamp(sigma * hat-w_ji * base * s_j).  Most event types have no
 * spillover: that test is inline. */
static inline int spill(coh_sim *s, int src, double base, double sigma,
			const unsigned char *skip)
{
	if (sigma == 0 || base == 0)
		return 0;
	return spill_all(s, src, base, sigma, skip);
}

/* A weighted impact omega * mag on member i with its spillover (share
 * sigma), then one log record about i. */
static inline int hit_with(coh_sim *s, coh_event_type type, double omega,
			   double sigma, int i, double mag, int actor,
			   int target, int outsider, double value,
			   const coh_event *origin)
{
	double before, after;
	int rc = land(s, i, coh_rules_impact(omega, mag, s->mem[i].sensitivity),
		      &before, &after);
	if (!rc && s->alive[i])
		rc = spill(s, i, omega * mag, sigma, NULL);
	if (!rc)
		rc = emit(s, type, actor, target, outsider, i, value, before,
			  after, origin);
	return rc;
}

/* The common case: the weight and spillover share of a weight key. */
static inline int hit(coh_sim *s, coh_event_type type, coh_weight_key key,
		      int i, double mag, int actor, int target, int outsider,
		      double value, const coh_event *origin)
{
	return hit_with(s, type, weight(s, key), spill_share(s, key), i, mag,
			actor, target, outsider, value, origin);
}

/* Whether member j is one of the alliance's current members, the ones a
 * type received by `others` or `all` reaches.  Today that is every member
 * who has not exited; a status of members yet to join would be asked
 * here, and only here. */
static inline int current_member(const coh_sim *s, int j)
{
	return s->alive[j] != 0;
}

#endif
