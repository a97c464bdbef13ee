/* The simulation engine: the coh_sim workspace and its run loop.  It plays
 * one replication of a coh_model exactly (MODEL.md sections 1-10, choices
 * in docs/model.md): members relax lazily between the events that touch
 * them, threshold crossings are solved in closed form and scheduled, and
 * everything that happens is reported to a coh_recorder. */
#include "cohesim/sim.h"

#include <limits.h>
#include <math.h>
#include <string.h>
#include <gsl/gsl_errno.h>

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

/* Random substreams of a replication: drawn responses, rebukes, then one
 * per generator instance, so that a change in one part of a scenario does
 * not shift the numbers another part sees (common random numbers). */
enum { S_RESPONSES, S_REBUKES, S_GENERATORS };

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
	coh_rng_state *stream;  /* its own substream */
	double bound;           /* thinning bound of the pending candidate */
	double stop;            /* last day it may fire: min(end, horizon) */
	double per_day;         /* its plain rate, rate / 365.25 */
	int member;
	int gen;                /* g's index in the model (and gen_events) */
	int actor, target;      /* of the event an accepted candidate becomes */
	uint32_t handle;
	unsigned char started;  /* 0 while waiting for the window to open */
	unsigned char firing;   /* its candidate is being handled */
} gen_inst;

typedef struct request {
	int requester, outsider;
	double opened, deadline, magnitude;
	int in_scope;
	unsigned serial;        /* 0 when the slot is free */
	const char *source;     /* of the timeline request, or NULL */
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

	coh_rng_state *rng_state;
	gsl_rng *rng;
	size_t n_streams;

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
	double now;
	size_t cursor;          /* next timeline event */
	uint64_t sample_k;
	int sample_tail_done;
	double sample_next;     /* next_sample()'s answer, +inf when none */
	uint64_t resolved, honoured;
	const coh_recorder *rec;
	coh_error *err;
	coh_sim_stats stats;
};

/*--- Small helpers ------------------------------------------------------*/

static int nomem(coh_sim *s)
{
	return coh_error_set(s->err, COH_ENOMEM, NULL, 0,
			     "out of memory growing the engine's pools");
}

static const char *member_id(const coh_model *m, int i)
{
	if (i < 0 || (size_t)i >= m->n_members || !m->members[i].id)
		return "?";
	return m->members[i].id;
}

static double weight(const coh_sim *s, coh_weight_key key)
{
	return s->model->weight[key];
}

static double spill_share(const coh_sim *s, coh_weight_key key)
{
	return s->model->spillover[key];
}

/* w_ji: how much j listens to i. */
static double tie(const coh_sim *s, int j, int i)
{
	int r = s->row[j];
	return r < 0 ? s->power[i] : s->ties[(size_t)r * s->n + (size_t)i];
}

/* hat-w_ji for spillover and responses: j's row over its non-exited
 * partners, self excluded (MODEL.md section 10). */
static double tie_share(const coh_sim *s, int j, int i)
{
	double sum = s->wsum[j];
	return sum > 0 ? tie(s, j, i) / sum : 0.0;
}

static double affinity(const coh_sim *s, int i, int k)
{
	if (k < 0 || !s->model->n_outsiders)
		return 0.0;
	return s->affinity[(size_t)i * s->model->n_outsiders + (size_t)k];
}

static void recompute_tie_sums(coh_sim *s)
{
	size_t n = s->n;
	double p = 0; /* power of the non-exited: a default row's sum */
	for (size_t k = 0; k < n; k++)
		if (s->alive[k])
			p += s->power[k];
	for (size_t j = 0; j < n; j++) {
		if (!s->alive[j])
			continue;
		if (s->row[j] < 0) {
			s->wsum[j] = p - s->power[j];
			continue;
		}
		const double *w = s->ties + (size_t)s->row[j] * n;
		double sum = 0;
		for (size_t k = 0; k < n; k++)
			if (k != j && s->alive[k])
				sum += w[k];
		s->wsum[j] = sum;
	}
}

/*--- Recording ----------------------------------------------------------*/

static int emit_record(coh_sim *s, coh_event_type type, int actor,
		       int target, int outsider, int subject, double value,
		       double before, double after, const char *source)
{
	coh_event_record r = {
		.day = s->now, .type = type, .actor = actor, .target = target,
		.outsider = outsider, .subject = subject, .value = value,
		.before = before, .after = after, .source = source,
	};
	int rc = s->rec->event(s->rec->ctx, &r);
	if (rc)
		coh_error_set(s->err, rc, NULL, 0,
			      "the event recorder stopped the run at day %.17g",
			      s->now);
	return rc;
}

/* Reports an event to the recorder, if it wants events (the test inline:
 * runs without an event log pay nothing more). */
static inline int emit(coh_sim *s, coh_event_type type, int actor,
		       int target, int outsider, int subject, double value,
		       double before, double after, const char *source)
{
	if (!s->rec || !s->rec->event)
		return 0;
	return emit_record(s, type, actor, target, outsider, subject, value,
			   before, after, source);
}

/*--- Members: lazy state, condition spells, status watch ----------------*/

/* The thresholds of the three conditions: c < freeze, c > freeze +
 * recover, c < exit.  Kept in theta[] (and set again whenever a `set`
 * changes one of them) because every update of the member reads them. */
static void set_thresholds(member *m)
{
	m->theta[C_BELOW_FREEZE] = m->freeze;
	m->theta[C_ABOVE_RECOVER] = m->freeze + m->recover;
	m->theta[C_BELOW_EXIT] = m->exit;
}

/* Whether condition k holds for value c. */
static int holds(const member *m, int k, double c)
{
	return k == C_ABOVE_RECOVER ? c > m->theta[k] : c < m->theta[k];
}

/* The first test of coh_rules_flip_after, which answers +inf without a
 * logarithm when it fails: whether a trajectory tending to `target` can
 * still change whether condition k holds (it can only if the limit lies
 * on the other side).  The rate must be > 0. */
static int may_flip(const member *m, int k, double target, int inside)
{
	return inside != holds(m, k, target);
}

static double clamp01(double x)
{
	return x < 0 ? 0.0 : x > 1 ? 1.0 : x;
}

/* Commitment of member i at day t >= its last update, without changing
 * anything (samples and rates read the state this way). */
static inline double value_at(const member *m, double t, double *b_out)
{
	if (m->status == COH_EXITED || !(t > m->t)) {
		/* the stored state, which is always within [0, 1] (or NaN,
		 * which clamping would leave as it is) */
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

/* Brings a member not yet at day t > m->t up to it.  A condition whose
 * spell begins or ends on the way is dated by its exact crossing time,
 * computed the same way as the watch that predicted it, so the two always
 * agree. */
static void advance_to(member *m, double t)
{
	double rate = m->rl + m->ra;
	if (rate > 0) {
		/* coh_rules_relax's factor (rate > 0 and t > m->t here),
		 * first: little is live across the call */
		double f = exp2(-rate * (t - m->t));
		double target = coh_rules_target(m->c, m->b, m->rl, m->ra);
		for (int k = 0; k < C__COUNT; k++) {
			int inside = m->since[k] != NOT_HELD;
			/* no crossing ever: coh_rules_flip_after's +inf */
			if (!may_flip(m, k, target, inside))
				continue;
			/* whether t0 + off <= t, where possible from f
			 * rather than from off's logarithm; the crossing's
			 * time itself is needed only when a spell begins */
			int crossed = coh_rules_crossed_within(m->c, target,
							       m->theta[k], f,
							       rate * t);
			double off = 0;
			if (crossed < 0 || (crossed && !inside)) {
				off = coh_rules_crossing_after(m->c, target, rate,
							       m->theta[k]);
				crossed = m->t + off <= t;
			}
			if (crossed)
				m->since[k] = inside ? NOT_HELD : m->t + off;
		}
		double c, b;
		coh_rules_relax_by(m->c, m->b, m->rl, m->ra, f, &c, &b);
		m->c = clamp01(c);
		m->b = clamp01(b);
	}
	m->t = t;
}

/* Brings member i up to the current day (the test inline, as most calls
 * find it there already). */
static inline void advance(coh_sim *s, int i)
{
	member *m = &s->mem[i];
	if (m->status != COH_EXITED && s->now > m->t)
		advance_to(m, s->now);
}

/* After a jump (or a threshold change) the conditions are read from the
 * value itself; a spell that goes on keeps its start. */
static void reread_conditions(member *m, double t)
{
	for (int k = 0; k < C__COUNT; k++) {
		if (!holds(m, k, m->c))
			m->since[k] = NOT_HELD;
		else if (m->since[k] == NOT_HELD)
			m->since[k] = t;
	}
}

/* Sets the commitment of an up-to-date member; returns whether it moved. */
static int set_commitment(coh_sim *s, int i, double c)
{
	member *m = &s->mem[i];
	c = clamp01(c);
	if (c == m->c)
		return 0;
	m->c = c;
	reread_conditions(m, s->now);
	return 1;
}

/* When the dwell of condition k completes on the member's current
 * trajectory (rate and target as coh_rules_target gives them), or +inf
 * when it will not: the condition is not held and never will be, or its
 * spell ends first.  Most calls end at the first tests, with no
 * logarithm. */
static inline double dwell_done(const member *m, int k, double rate,
				double target)
{
	int inside = m->since[k] != NOT_HELD;
	/* coh_rules_flip_after, its first tests inline */
	double off = HUGE_VAL;
	if (rate > 0 && may_flip(m, k, target, inside))
		off = coh_rules_crossing_after(m->c, target, rate, m->theta[k]);
	if (inside) {
		double due = m->since[k] + m->dwell;
		return due < m->t + off ? due : HUGE_VAL;
	}
	return off == HUGE_VAL ? HUGE_VAL : (m->t + off) + m->dwell;
}

static int reschedule_watch_at(coh_sim *s, int i);

/* Schedules the member's one status event at the earliest time a dwell
 * completes on the current trajectory (exit first at equal times), or
 * removes it when none will before the horizon.  The usual case is
 * answered inline: a member with no watch, holding neither condition that
 * its status makes relevant, and tending to a level where neither holds,
 * will never need one (dwell_done would give +inf twice). */
static inline int reschedule_watch(coh_sim *s, int i)
{
	const member *m = &s->mem[i];
	if (m->watch == COH_QUEUE_NONE && m->status != COH_EXITED) {
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

static int reschedule_watch_at(coh_sim *s, int i)
{
	member *m = &s->mem[i];
	double best = HUGE_VAL;
	coh_event_type kind = COH_EV_EXIT;
	if (m->status != COH_EXITED) {
		int frozen = m->status == COH_FROZEN;
		double rate = m->rl + m->ra;
		double target = coh_rules_target(m->c, m->b, m->rl, m->ra);
		double due = dwell_done(m, C_BELOW_EXIT, rate, target);
		if (due < best)
			best = due;
		due = dwell_done(m, frozen ? C_ABOVE_RECOVER : C_BELOW_FREEZE,
				 rate, target);
		if (due < best) {
			best = due;
			kind = frozen ? COH_EV_UNFREEZE : COH_EV_FREEZE;
		}
	}
	if (best < s->now)
		best = s->now;
	if (!(best <= s->model->horizon)) {
		if (m->watch != COH_QUEUE_NONE) {
			coh_queue_cancel(&s->queue, m->watch);
			m->watch = COH_QUEUE_NONE;
		}
		return 0;
	}
	m->watch_kind = kind;
	if (m->watch != COH_QUEUE_NONE) {
		coh_queue_reschedule(&s->queue, m->watch, best, COH_PRIO_STATUS);
		return 0;
	}
	coh_qitem item = {K_WATCH, i, 0, 0};
	if (coh_queue_push(&s->queue, best, COH_PRIO_STATUS, &item, &m->watch))
		return nomem(s);
	return 0;
}

/*--- Generators (MODEL.md section 7) ------------------------------------*/

/* The error of gen_bound, out of its way. */
static int rate_overflow(coh_sim *s, const gen_inst *gi)
{
	const coh_generator *g = gi->g;
	return coh_error_set(s->err, COH_ENUMERIC, g->file, g->line,
			     "generator of %s for %s: its rate overflows at "
			     "day %.17g (feedback %g)",
			     coh_event_type_name(g->type),
			     member_id(s->model, gi->member), s->now,
			     g->feedback);
}

/* The largest rate (per day) the instance can reach on its member's
 * current trajectory: at one of the trajectory's ends, since commitment is
 * monotone between events.  0 when it can no longer fire. */
static int gen_bound(coh_sim *s, const gen_inst *gi, double *out)
{
	const coh_generator *g = gi->g;
	const member *m = &s->mem[gi->member];
	*out = 0;
	if (m->status == COH_EXITED || s->now > gi->stop || !(g->rate > 0))
		return 0;
	double bound = gi->per_day;
	if (g->feedback != 0) {
		double b, c = value_at(m, s->now, &b);
		double e = g->feedback * (b - c);
		/* b - c tends to 0 whenever the member relaxes or adapts, so
		 * the far end of the trajectory has the plain rate */
		if (m->rl + m->ra > 0 && e < 0)
			e = 0;
		if (e != 0)     /* exp(0) is 1: the product would not change */
			bound *= exp(e);
	}
	if (!isfinite(bound))
		return rate_overflow(s, gi);
	*out = bound;
	return 0;
}

/* Draws the instance's next candidate from now, proposing at rate bound
 * (thinning), and schedules it, reusing the instance's queue node when it
 * has one; cancels it when no candidate falls inside the window. */
static int gen_schedule(coh_sim *s, gen_inst *gi, double bound)
{
	double t = HUGE_VAL;
	if (bound > 0) {
		gi->bound = bound;
		/* gsl_ran_exponential's draw, without its indirect calls */
		t = s->now + coh_rng_exponential(gi->stream, 1.0 / bound);
		if (!(t <= gi->stop))
			t = HUGE_VAL;
	}
	if (t == HUGE_VAL) {
		if (gi->handle != COH_QUEUE_NONE) {
			coh_queue_cancel(&s->queue, gi->handle);
			gi->handle = COH_QUEUE_NONE;
		}
		return 0;
	}
	if (gi->handle != COH_QUEUE_NONE) {
		coh_queue_reschedule(&s->queue, gi->handle, t, COH_PRIO_GENERATED);
		return 0;
	}
	coh_qitem item = {K_GENERATOR, (int)(gi - s->gens), 0, 0};
	if (coh_queue_push(&s->queue, t, COH_PRIO_GENERATED, &item, &gi->handle))
		return nomem(s);
	return 0;
}

static int gen_redraw(coh_sim *s, gen_inst *gi)
{
	if (!gi->started)
		return 0;       /* its window-opening event stays as it is */
	double bound;
	int rc = gen_bound(s, gi, &bound);
	return rc ? rc : gen_schedule(s, gi, bound);
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

/*--- Impacts (MODEL.md section 3) ---------------------------------------*/

/* Applies impact x to member i (nothing lands on an exited member);
 * before and after receive its commitment around the impact. */
static inline int land(coh_sim *s, int i, double x, double *before,
		       double *after)
{
	member *m = &s->mem[i];
	advance(s, i);
	double c0 = m->c;
	double c1 = m->status == COH_EXITED ? c0 : coh_rules_apply(c0, x);
	if (!isfinite(c1))
		return coh_error_set(s->err, COH_ENUMERIC, NULL, 0,
				     "member %s: commitment became %g at day "
				     "%.17g (impact %g)", member_id(s->model, i),
				     c1, s->now, x);
	if (before)
		*before = c0;
	if (after)
		*after = clamp01(c1);
	if (set_commitment(s, i, c1))
		return member_changed(s, i);
	return 0;
}

static int spill_all(coh_sim *s, int src, double base, double sigma,
		     const unsigned char *skip);

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

static int spill_all(coh_sim *s, int src, double base, double sigma,
		     const unsigned char *skip)
{
	for (size_t j = 0; j < s->n; j++) {
		if ((int)j == src || !s->alive[j] || (skip && skip[j]))
			continue;
		double share = tie_share(s, (int)j, src);
		if (share == 0)
			continue;
		double x = coh_rules_impact(sigma * share * base, 1.0,
					    s->mem[j].sensitivity);
		if (x == 0)
			continue;
		int rc = land(s, (int)j, x, NULL, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

/* The common case: a weighted impact of magnitude mag on member i with
 * its spillover, then one log record about i. */
static inline int hit(coh_sim *s, coh_event_type type, coh_weight_key key,
		      int i, double mag, int actor, int target, int outsider,
		      double value, const char *source)
{
	double before, after;
	double omega = weight(s, key);
	int rc = land(s, i, coh_rules_impact(omega, mag, s->mem[i].sensitivity),
		      &before, &after);
	if (!rc && s->alive[i])
		rc = spill(s, i, omega * mag, spill_share(s, key), NULL);
	if (!rc)
		rc = emit(s, type, actor, target, outsider, i, value, before,
			  after, source);
	return rc;
}

/* Commitment of member i now, for records that do not move it. */
static double current(const coh_sim *s, int i)
{
	return value_at(&s->mem[i], s->now, NULL);
}

/*--- Influence rounds (MODEL.md section 5) ------------------------------*/

/* One Friedkin-Johnsen round among the members listed in s->idx[0..count),
 * all updated together from the values before the round.  A member whose
 * row has no weight on any attendee keeps its own view. */
static int influence(coh_sim *s, size_t count)
{
	size_t n = s->n;
	double pc = 0, p = 0;
	for (size_t q = 0; q < count; q++) {
		int i = s->idx[q];
		advance(s, i);
		pc += s->power[i] * s->mem[i].c;
		p += s->power[i];
	}
	for (size_t q = 0; q < count; q++) {
		int i = s->idx[q];
		member *m = &s->mem[i];
		double avg;
		if (s->row[i] < 0) {
			avg = pc / p;   /* a default row weighs by power */
		} else {
			const double *w = s->ties + (size_t)s->row[i] * n;
			double num = 0, den = 0;
			for (size_t q2 = 0; q2 < count; q2++) {
				int j = s->idx[q2];
				num += w[j] * s->mem[j].c;
				den += w[j];
			}
			avg = den > 0 ? num / den : m->c;
		}
		s->scratch[i] = m->susceptibility * avg
				+ (1 - m->susceptibility) * m->b;
	}
	int rc = 0;
	for (size_t q = 0; q < count && !rc; q++) {
		int i = s->idx[q];
		if (!isfinite(s->scratch[i]))
			rc = coh_error_set(s->err, COH_ENUMERIC, NULL, 0,
					   "member %s: influence round gave %g "
					   "at day %.17g", member_id(s->model, i),
					   s->scratch[i], s->now);
		else if (set_commitment(s, i, s->scratch[i]))
			rc = member_changed(s, i);
	}
	return rc;
}

/*--- Requests (MODEL.md sections 4 and 10) ------------------------------*/

static int request_slot(coh_sim *s, size_t *out)
{
	for (size_t k = 0; k < s->req_cap; k++)
		if (!s->req[k].serial) {
			*out = k;
			return 0;
		}
	size_t cap = s->req_cap * 2;
	request *req = coh_reallocarray(s->req, cap, sizeof *req);
	if (!req)
		return nomem(s);
	s->req = req;
	double *lv = coh_reallocarray(s->req_level, cap * s->n, sizeof *lv);
	if (!lv)
		return nomem(s);
	s->req_level = lv;
	for (size_t k = s->req_cap; k < cap; k++)
		s->req[k].serial = 0;
	*out = s->req_cap;
	s->req_cap = cap;
	return 0;
}

static int request_open(coh_sim *s, const coh_event *ev, int drawn)
{
	int i = ev->actor;
	double c = current(s, i);
	if (s->mem[i].status != COH_EXITED) {
		size_t slot = 0;
		int rc = request_slot(s, &slot);
		if (rc)
			return rc;
		request *r = &s->req[slot];
		/* serials travel in int fields of queue items */
		if (s->req_serial >= INT_MAX)
			s->req_serial = 0;
		s->req_serial++;
		*r = (request){i, ev->outsider, s->now, ev->deadline,
			       ev->magnitude, ev->in_scope, s->req_serial,
			       ev->source};
		double *level = s->req_level + slot * s->n;
		for (size_t j = 0; j < s->n; j++)
			level[j] = -1;
		double due = s->now + ev->deadline;
		if (due <= s->model->horizon) {
			coh_qitem item = {K_RESOLVE, (int)slot, 0, (int)r->serial};
			if (coh_queue_push(&s->queue, due, COH_PRIO_RESOLUTION,
					   &item, NULL))
				return nomem(s);
		}
		gsl_rng *rng = &s->rng[S_RESPONSES];
		for (size_t j = 0; drawn && j < s->n; j++) {
			if ((int)j == i || s->mem[j].status != COH_ACTIVE)
				continue;
			double pj = coh_rules_response_probability(
				&s->model->response, current(s, (int)j),
				tie_share(s, (int)j, i),
				affinity(s, (int)j, ev->outsider), ev->in_scope);
			if (!(gsl_rng_uniform(rng) < pj))
				continue;
			double at = s->now + ev->deadline * gsl_rng_uniform(rng);
			coh_qitem item = {K_RESPONSE, (int)slot, (int)j,
					  (int)r->serial};
			if (at <= s->model->horizon &&
			    coh_queue_push(&s->queue, at, COH_PRIO_GENERATED,
					   &item, NULL))
				return nomem(s);
		}
	}
	return emit(s, COH_EV_ASSISTANCE_REQUEST, i, -1, ev->outsider, i,
		    ev->magnitude, c, c, ev->source);
}

/* The open request a scripted response answers: the latest one by its
 * target (anyone but the responder when no target is named) whose window
 * [opened, opened + deadline] contains today. */
static long request_find(const coh_sim *s, int responder, int target)
{
	long best = -1;
	for (size_t k = 0; k < s->req_cap; k++) {
		const request *r = &s->req[k];
		if (!r->serial || r->requester == responder)
			continue;
		if (target >= 0 && r->requester != target)
			continue;
		if (s->now < r->opened || s->now > r->opened + r->deadline)
			continue;
		if (best < 0 || r->serial > s->req[best].serial)
			best = (long)k;
	}
	return best;
}

static int response(coh_sim *s, int j, int target, int outsider,
		    double level, const char *source)
{
	return hit(s, COH_EV_ASSISTANCE_RESPONSE, COH_W_ASSISTANCE_RESPONSE, j,
		   level, j, target, outsider, level, source);
}

static int scripted_response(coh_sim *s, const coh_event *ev)
{
	int j = ev->actor;
	long k = request_find(s, j, ev->target);
	int outsider = -1;
	if (k >= 0 && s->mem[j].status != COH_EXITED) {
		s->req_level[(size_t)k * s->n + (size_t)j] = ev->magnitude;
		outsider = s->req[k].outsider;
	}
	return response(s, j, ev->target, outsider, ev->magnitude, ev->source);
}

static int drawn_response(coh_sim *s, const coh_qitem *it)
{
	request *r = &s->req[it->a];
	int j = it->b;
	if (r->serial != (unsigned)it->c || s->mem[j].status != COH_ACTIVE)
		return 0;       /* resolved already, or the responder left */
	s->req_level[(size_t)it->a * s->n + (size_t)j] = 1.0;
	return response(s, j, r->requester, r->outsider, 1.0, NULL);
}

static int resolve(coh_sim *s, const coh_qitem *it)
{
	request *r = &s->req[it->a];
	if (r->serial != (unsigned)it->c)
		return 0;
	r->serial = 0;
	int i = r->requester;
	if (s->mem[i].status == COH_EXITED)
		return 0;       /* it left: no one is there to be let down */
	double f = coh_rules_fulfilment(s->power, s->req_level + (size_t)it->a * s->n,
					s->alive, s->n, (size_t)i);
	double m = r->magnitude;
	double wa = weight(s, COH_W_REQUEST_ANSWERED);
	double wu = weight(s, COH_W_REQUEST_UNANSWERED);
	double before, after;
	int rc = land(s, i, coh_rules_impact(m * (wa * f + wu * (1 - f)), 1.0,
					    s->mem[i].sensitivity),
		      &before, &after);
	if (!rc)
		rc = spill(s, i, m * wu * (1 - f),
			   spill_share(s, COH_W_REQUEST_UNANSWERED), NULL);
	s->resolved++;
	if (f >= 0.5)
		s->honoured++;
	if (!rc)
		rc = emit(s, COH_EV_REQUEST_RESOLVED, i, -1, r->outsider, i, f,
			  before, after, r->source);
	return rc;
}

/*--- Timeline and generated events --------------------------------------*/

static int third_party(coh_sim *s, const coh_event *ev)
{
	int i = ev->actor;
	int rc = hit(s, COH_EV_THIRD_PARTY_EXERCISE, COH_W_THIRD_PARTY_EXERCISE,
		     i, ev->magnitude, i, -1, ev->outsider, ev->magnitude,
		     ev->source);
	int lead = s->model->leader;
	const coh_rebuke_params *rb = &s->model->rebuke;
	if (rc || lead < 0 || lead == i || !s->alive[lead] || !s->alive[i] ||
	    ev->outsider < 0 || !(affinity(s, lead, ev->outsider) < 0) ||
	    !(rb->probability > 0))
		return rc;
	if (!(gsl_rng_uniform(&s->rng[S_REBUKES]) < rb->probability))
		return 0;
	double at = s->now + rb->delay;
	if (!(at <= s->model->horizon))
		return 0;
	coh_qitem item = {K_REBUKE, i, ev->outsider, 0};
	if (coh_queue_push(&s->queue, at, COH_PRIO_GENERATED, &item, NULL))
		return nomem(s);
	return 0;
}

static int rebuke(coh_sim *s, const coh_qitem *it)
{
	int lead = s->model->leader;
	if (!s->alive[it->a] || lead < 0 || !s->alive[lead])
		return 0;
	double mag = s->model->rebuke.magnitude;
	return hit(s, COH_EV_REBUKE, COH_W_REBUKE, it->a, mag, lead, it->a,
		   it->b, mag, NULL);
}

/* Every participant (the host too) receives the impact; spillover from
 * the host reaches the members who took no part. */
static int alliance_exercise(coh_sim *s, const coh_event *ev,
			     const int *list, size_t count)
{
	int host = ev->actor;
	double omega = weight(s, COH_W_ALLIANCE_EXERCISE);
	double before = NAN, after = NAN;
	int rc = 0;
	size_t marked = 0;
	for (size_t q = 0; q <= count && !rc; q++) {
		int j = q < count ? list[q] : host;
		if (j < 0 || s->mark[j])
			continue;
		s->mark[j] = 1;
		s->idx[marked++] = j;
		double b0, a0;
		rc = land(s, j, coh_rules_impact(omega, ev->magnitude,
						 s->mem[j].sensitivity),
			  &b0, &a0);
		if (j == host) {
			before = b0;
			after = a0;
		}
	}
	if (!rc && host >= 0 && s->alive[host])
		rc = spill(s, host, omega * ev->magnitude,
			   spill_share(s, COH_W_ALLIANCE_EXERCISE), s->mark);
	for (size_t q = 0; q < marked; q++)
		s->mark[s->idx[q]] = 0;
	if (!rc)
		rc = emit(s, COH_EV_ALLIANCE_EXERCISE, host, -1, -1, host,
			  ev->magnitude, before, after, ev->source);
	return rc;
}

/* Absence impacts first, then one influence round among the active
 * members who came. */
static int summit(coh_sim *s, const coh_event *ev, const int *list,
		  size_t count)
{
	int rc = 0;
	for (size_t q = 0; q < count && !rc; q++) {
		int i = list[q];
		if (s->mark[i])
			continue;
		s->mark[i] = 1;
		if (s->alive[i])
			rc = hit(s, COH_EV_SUMMIT_ABSENCE, COH_W_SUMMIT_ABSENCE, i,
				 ev->magnitude, i, -1, -1, ev->magnitude,
				 ev->source);
	}
	size_t attending = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->mem[i].status == COH_ACTIVE && !s->mark[i])
			s->idx[attending++] = (int)i;
	for (size_t q = 0; q < count; q++)
		s->mark[list[q]] = 0;
	if (!rc)
		rc = influence(s, attending);
	if (!rc)
		rc = emit(s, COH_EV_SUMMIT, ev->actor, -1, -1, -1,
			  (double)attending, NAN, NAN, ev->source);
	return rc;
}

static int consultation(coh_sim *s, const coh_qitem *it)
{
	size_t attending = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->mem[i].status == COH_ACTIVE)
			s->idx[attending++] = (int)i;
	int rc = influence(s, attending);
	if (!rc)
		rc = emit(s, COH_EV_CONSULTATION, -1, -1, -1, -1,
			  (double)attending, NAN, NAN, NULL);
	/* k * period by multiplication, as for samples */
	double next = ((double)it->a + 1) * s->model->consultation_period;
	if (!rc && it->a < INT_MAX && next <= s->model->horizon) {
		coh_qitem item = {K_CONSULT, it->a + 1, 0, 0};
		if (coh_queue_push(&s->queue, next, COH_PRIO_GENERATED, &item,
				   NULL))
			return nomem(s);
	}
	return rc;
}

static int set_field(coh_sim *s, const coh_event *ev)
{
	int i = ev->actor;
	member *m = &s->mem[i];
	double v = ev->magnitude;
	if (m->status != COH_EXITED) {
		advance(s, i);
		switch (ev->field) {
		case COH_FIELD_BASELINE: m->b = clamp01(v); break;
		case COH_FIELD_SENSITIVITY: m->sensitivity = v; break;
		case COH_FIELD_HALF_LIFE: m->rl = coh_rules_halvings(v); break;
		case COH_FIELD_ADAPTATION_HALF_LIFE:
			m->ra = coh_rules_halvings(v);
			break;
		case COH_FIELD_SUSCEPTIBILITY: m->susceptibility = v; break;
		case COH_FIELD_FREEZE: m->freeze = v; break;
		case COH_FIELD_EXIT: m->exit = v; break;
		case COH_FIELD_DWELL: m->dwell = v; break;
		case COH_FIELD_RECOVER: m->recover = v; break;
		default: break;
		}
		if (ev->field == COH_FIELD_FREEZE || ev->field == COH_FIELD_EXIT ||
		    ev->field == COH_FIELD_RECOVER) {
			set_thresholds(m);
			reread_conditions(m, s->now);
		}
		int rc = member_changed(s, i);
		if (rc)
			return rc;
	}
	double c = current(s, i);
	return emit(s, COH_EV_SET, i, -1, -1, i, v, c, c, ev->source);
}

static coh_weight_key simple_key(coh_event_type type)
{
	switch (type) {
	case COH_EV_EXERCISE_REFUSAL: return COH_W_EXERCISE_REFUSAL;
	case COH_EV_DECLARATION_REFUSAL: return COH_W_DECLARATION_REFUSAL;
	case COH_EV_EXTERNAL_MISSION: return COH_W_EXTERNAL_MISSION;
	default: return COH_W_DEFEAT;
	}
}

/* One event of the catalogue; list/count are a summit's absentees or an
 * exercise's participants. */
static int handle(coh_sim *s, const coh_event *ev, int drawn,
		  const int *list, size_t count)
{
	switch (ev->type) {
	case COH_EV_ASSISTANCE_REQUEST:
		return request_open(s, ev, drawn);
	case COH_EV_ASSISTANCE_RESPONSE:
		return scripted_response(s, ev);
	case COH_EV_THIRD_PARTY_EXERCISE:
		return third_party(s, ev);
	case COH_EV_ALLIANCE_EXERCISE:
		return alliance_exercise(s, ev, list, count);
	case COH_EV_SUMMIT:
		return summit(s, ev, list, count);
	case COH_EV_EXERCISE_REFUSAL:
	case COH_EV_DECLARATION_REFUSAL:
	case COH_EV_EXTERNAL_MISSION:
	case COH_EV_DEFEAT:
		return hit(s, ev->type, simple_key(ev->type), ev->actor,
			   ev->magnitude, ev->actor, -1, ev->outsider,
			   ev->magnitude, ev->source);
	case COH_EV_STATEMENT:
		return hit(s, ev->type, COH_W_STATEMENT, ev->target,
			   ev->magnitude, ev->actor, ev->target, -1,
			   ev->magnitude, ev->source);
	case COH_EV_SHOCK: {
		double before, after, x = ev->magnitude;
		x = x > 1 ? 1.0 : x < -1 ? -1.0 : x;
		int rc = land(s, ev->actor, x, &before, &after);
		return rc ? rc : emit(s, ev->type, ev->actor, -1, -1, ev->actor,
				      ev->magnitude, before, after, ev->source);
	}
	case COH_EV_SET:
		return set_field(s, ev);
	case COH_EV_SUMMIT_ABSENCE:     /* from a generator: the absence alone */
		return hit(s, ev->type, COH_W_SUMMIT_ABSENCE, ev->actor,
			   ev->magnitude, ev->actor, -1, -1, ev->magnitude,
			   ev->source);
	default:
		return 0;
	}
}

static int timeline_event(coh_sim *s, const coh_event *ev)
{
	const int *list = ev->list_count ? s->model->lists + ev->list_first : NULL;
	return handle(s, ev, ev->drawn_answers, list, ev->list_count);
}

/* A generator candidate: accepted with probability rate / bound, then it
 * becomes an event of the generator's type for its member.  It is handled
 * with its queue node still in place (gi->handle), which the next draw
 * moves rather than freeing one node and taking another. */
static int generator_event(coh_sim *s, gen_inst *gi)
{
	if (!gi->started) {
		gi->started = 1;
		return gen_redraw(s, gi);
	}
	const coh_generator *g = gi->g;
	int i = gi->member;
	int accept = s->alive[i];
	if (accept && g->feedback != 0) {
		/* bring the member up to date now: the state the rate needs is
		 * the one the event, if accepted, starts from */
		advance(s, i);
		const member *m = &s->mem[i];
		double p = coh_rng_uniform(gi->stream) * gi->bound;
		accept = coh_rules_below_rate(p, gi->per_day, g->feedback, m->b,
					      m->c);
	}
	int rc = 0;
	if (accept) {
		size_t count = 0;
		const int *list = NULL;
		if (g->type == COH_EV_SUMMIT) {
			list = &gi->member;     /* a summit that i skips */
			count = 1;
		} else if (g->type == COH_EV_ALLIANCE_EXERCISE) {
			for (size_t j = 0; j < s->n; j++)
				if (s->mem[j].status == COH_ACTIVE)
					s->parts[count++] = (int)j;
			list = s->parts;
		}
		/* its own candidate is spent: member_changed leaves it to the
		 * redraw below, from the state the event leaves behind */
		coh_event *ev = &s->gen_events[gi->gen];
		ev->day = s->now;
		ev->actor = gi->actor;
		ev->target = gi->target;
		gi->firing = 1;
		rc = handle(s, ev, 1, list, count);
		gi->firing = 0;
	}
	if (!rc)
		rc = gen_redraw(s, gi);
	return rc;
}

/*--- Status transitions (MODEL.md section 6) ----------------------------*/

static int transition(coh_sim *s, int i)
{
	member *m = &s->mem[i];
	m->watch = COH_QUEUE_NONE;
	if (m->status == COH_EXITED)
		return 0;
	advance(s, i);
	if (m->last_change == s->now) {
		if (++m->burst > MAX_BURST)
			return coh_error_set(s->err, COH_ENUMERIC, NULL,
					     s->model->members[i].line,
					     "member %s keeps changing status at "
					     "day %.17g: check the freeze weight "
					     "and the recover margin",
					     member_id(s->model, i), s->now);
	} else {
		m->last_change = s->now;
		m->burst = 0;
	}
	/* The watch was predicted from the current trajectory and nothing
	 * has moved it since, so its kind is trusted rather than re-derived
	 * from a commitment that may sit an ulp off the threshold. */
	coh_event_type kind = m->watch_kind;
	double c = m->c;
	int rc = 0;
	if (kind == COH_EV_FREEZE) {
		m->status = COH_FROZEN;
		rc = hit(s, COH_EV_FREEZE, COH_W_FREEZE, i, 1.0, i, -1, -1,
			 m->freeze, NULL);
		if (!rc)
			rc = reschedule_watch(s, i);
		return rc;
	}
	if (kind == COH_EV_UNFREEZE) {
		m->status = COH_ACTIVE;
		rc = reschedule_watch(s, i);
		if (!rc)
			rc = emit(s, COH_EV_UNFREEZE, i, -1, -1, i,
				  m->freeze + m->recover, c, c, NULL);
		return rc;
	}
	/* Exit: the others feel it while i still counts among their
	 * partners; then i leaves every later computation. */
	rc = spill(s, i, weight(s, COH_W_EXIT), spill_share(s, COH_W_EXIT), NULL);
	m->status = COH_EXITED;
	s->alive[i] = 0;
	for (size_t k = 0; k < m->gen_count; k++) {
		gen_inst *gi = &s->gens[s->member_gens[m->gen_first + k]];
		if (gi->handle != COH_QUEUE_NONE) {
			coh_queue_cancel(&s->queue, gi->handle);
			gi->handle = COH_QUEUE_NONE;
		}
	}
	recompute_tie_sums(s);
	if (!rc)
		rc = emit(s, COH_EV_EXIT, i, -1, -1, i, m->exit, c, c, NULL);
	return rc;
}

/*--- Samples ------------------------------------------------------------*/

/* The next sample time: k * sample_every while <= T, then T itself when
 * the grid missed it.  Returns 0 when there are no more. */
static int next_sample(const coh_sim *s, double *t)
{
	double T = s->model->horizon;
	double tk = (double)s->sample_k * s->model->sample_every;
	if (tk <= T) {
		*t = tk;
		return 1;
	}
	double last = (double)(s->sample_k - 1) * s->model->sample_every;
	if (s->sample_k > 0 && last < T && !s->sample_tail_done) {
		*t = T;
		return 1;
	}
	return 0;
}

/* Keeps next_sample()'s answer in s->sample_next (+inf when there is
 * none), so the run loop need not work it out before every event. */
static void plan_sample(coh_sim *s)
{
	double t;
	s->sample_next = next_sample(s, &t) ? t : HUGE_VAL;
}

static int emit_sample(coh_sim *s, double t)
{
	if ((double)s->sample_k * s->model->sample_every <= s->model->horizon)
		s->sample_k++;
	else
		s->sample_tail_done = 1;
	plan_sample(s);
	for (size_t i = 0; i < s->n; i++) {
		double c = value_at(&s->mem[i], t, NULL);
		if (!isfinite(c))
			return coh_error_set(s->err, COH_ENUMERIC, NULL, 0,
					     "member %s: commitment is %g at day "
					     "%.17g", member_id(s->model, (int)i),
					     c, t);
		s->sample_c[i] = c;
		s->sample_s[i] = s->mem[i].status;
	}
	s->stats.samples++;
	if (!s->rec || !s->rec->sample)
		return 0;
	coh_sample smp = {.day = t, .n_members = s->n,
			  .commitment = s->sample_c, .status = s->sample_s};
	coh_metrics_compute(&smp, s->power, s->sample_c, s->sample_s, s->n);
	smp.reliability = coh_metrics_reliability(s->resolved, s->honoured);
	int rc = s->rec->sample(s->rec->ctx, &smp);
	if (rc)
		coh_error_set(s->err, rc, NULL, 0,
			      "the sample recorder stopped the run at day %.17g",
			      t);
	return rc;
}

/*--- Checking the model -------------------------------------------------*/

#define BAD(file, line, ...) \
	coh_error_set(err, COH_EINPUT, (file), (line), __VA_ARGS__)

static int in_range(double x, double lo, double hi)
{
	return x >= lo && x <= hi;
}

static int check_index(int i, size_t n, int optional)
{
	return (optional && i == -1) || (i >= 0 && (size_t)i < n);
}

static int check_members(const coh_model *m, coh_error *err)
{
	if (m->n_members == 0 || m->n_members > (size_t)INT32_MAX)
		return BAD(NULL, 0, "the alliance has %zu members, expected at least 1",
			   m->n_members);
	for (size_t i = 0; i < m->n_members; i++) {
		const coh_member *p = &m->members[i];
		const char *id = member_id(m, (int)i);
		int ok = isfinite(p->power) && p->power > 0;
		ok = ok && in_range(p->commitment, 0, 1) && in_range(p->baseline, 0, 1);
		ok = ok && p->half_life >= 0 && p->adaptation_half_life >= 0;
		ok = ok && in_range(p->sensitivity, 0, HUGE_VAL) && isfinite(p->sensitivity);
		ok = ok && in_range(p->susceptibility, 0, 1);
		ok = ok && in_range(p->freeze, 0, 1) && in_range(p->exit, 0, 1);
		ok = ok && isfinite(p->dwell) && p->dwell >= 0;
		ok = ok && isfinite(p->recover) && p->recover >= 0;
		if (!ok)
			return BAD(p->file, p->line, "member %s has a parameter out of "
				   "range (power > 0; commitment, baseline, "
				   "susceptibility, freeze, exit in [0, 1]; "
				   "half-lives, sensitivity, dwell, recover "
				   ">= 0)", id);
	}
	if (!check_index(m->leader, m->n_members, 1))
		return BAD(NULL, 0, "leader index %d is not a member", m->leader);
	return 0;
}

static int check_params(const coh_model *m, coh_error *err)
{
	if (!(isfinite(m->horizon) && m->horizon >= 0))
		return BAD(NULL, 0, "horizon must be a finite number of days >= 0, "
			   "got %g", m->horizon);
	if (!(isfinite(m->sample_every) && m->sample_every > 0))
		return BAD(NULL, 0, "output.sample_every must be > 0 days, got %g",
			   m->sample_every);
	if (!(isfinite(m->consultation_period) && m->consultation_period >= 0))
		return BAD(NULL, 0, "model.consultation_period must be >= 0 days, "
			   "got %g", m->consultation_period);
	for (int k = 0; k < COH_W__COUNT; k++)
		if (!isfinite(m->weight[k]) || !isfinite(m->spillover[k]))
			return BAD(NULL, 0, "model.weights.%s and model.spillover.%s "
				   "must be finite",
				   coh_weight_key_name((coh_weight_key)k),
				   coh_weight_key_name((coh_weight_key)k));
	const coh_response_params *r = &m->response;
	if (!isfinite(r->base) || !isfinite(r->commitment) || !isfinite(r->tie) ||
	    !isfinite(r->affinity) || !in_range(r->scope_factor, 0, 1))
		return BAD(NULL, 0, "model.response parameters must be finite, "
			   "scope_factor in [0, 1]");
	const coh_rebuke_params *b = &m->rebuke;
	if (!in_range(b->probability, 0, 1) || !(isfinite(b->delay) && b->delay >= 0)
	    || !isfinite(b->magnitude))
		return BAD(NULL, 0, "model.rebuke needs probability in [0, 1], "
			   "delay >= 0 and a finite magnitude");
	for (size_t k = 0; k < m->n_ties; k++) {
		const coh_tie *t = &m->ties[k];
		if (!check_index(t->from, m->n_members, 0) ||
		    !check_index(t->to, m->n_members, 0) ||
		    !(isfinite(t->weight) && t->weight >= 0))
			return BAD(NULL, 0, "ties.[%zu] needs two members and a "
				   "weight >= 0", k);
	}
	for (size_t k = 0; k < m->n_affinities; k++) {
		const coh_affinity *a = &m->affinities[k];
		if (!check_index(a->member, m->n_members, 0) ||
		    !check_index(a->outsider, m->n_outsiders, 0) ||
		    !isfinite(a->value))
			return BAD(NULL, 0, "affinities.[%zu] needs a member, an "
				   "outsider and a finite value", k);
	}
	return 0;
}

static int check_events(const coh_model *m, coh_error *err)
{
	size_t n = m->n_members, no = m->n_outsiders;
	for (size_t k = 0; k < m->n_events; k++) {
		const coh_event *e = &m->events[k];
		const char *name = coh_event_type_name(e->type);
		int ok = (unsigned)e->type < COH_EV__TIMELINE_COUNT &&
			 isfinite(e->day) && e->day >= 0 &&
			 (k == 0 || e->day >= m->events[k - 1].day) &&
			 isfinite(e->magnitude) &&
			 check_index(e->outsider, no, 1);
		int need_actor = 1;
		switch (e->type) {
		case COH_EV_ALLIANCE_EXERCISE:
		case COH_EV_SUMMIT:
		case COH_EV_STATEMENT:
			need_actor = 0;
			break;
		default:
			break;
		}
		ok = ok && check_index(e->actor, n, !need_actor);
		ok = ok && check_index(e->target, n,
				       e->type != COH_EV_STATEMENT);
		if (e->type == COH_EV_ASSISTANCE_REQUEST)
			ok = ok && isfinite(e->deadline) && e->deadline >= 0;
		if (e->type == COH_EV_SET)
			ok = ok && (unsigned)e->field < COH_FIELD__COUNT;
		ok = ok && e->list_first <= m->n_lists &&
		     e->list_count <= m->n_lists - e->list_first;
		for (size_t q = 0; ok && q < e->list_count; q++)
			ok = check_index(m->lists[e->list_first + q], n, 0);
		if (!ok)
			return coh_error_set(err, COH_EINPUT, e->file, e->line,
					     "events.[%zu] (%s) cannot be run: "
					     "it needs its members and outsiders, "
					     "finite values and a day >= 0 not "
					     "before the previous event's", k, name);
	}
	return 0;
}

static int generable(coh_event_type type)
{
	switch (type) {
	case COH_EV_ASSISTANCE_REQUEST:
	case COH_EV_THIRD_PARTY_EXERCISE:
	case COH_EV_ALLIANCE_EXERCISE:
	case COH_EV_EXERCISE_REFUSAL:
	case COH_EV_SUMMIT:
	case COH_EV_DECLARATION_REFUSAL:
	case COH_EV_EXTERNAL_MISSION:
	case COH_EV_STATEMENT:
	case COH_EV_DEFEAT:
	case COH_EV_SHOCK:
	case COH_EV_SUMMIT_ABSENCE:
		return 1;
	default:
		return 0;
	}
}

static int check_generators(const coh_model *m, coh_error *err)
{
	for (size_t k = 0; k < m->n_generators; k++) {
		const coh_generator *g = &m->generators[k];
		if (!generable(g->type))
			return BAD(g->file, g->line, "generators.[%zu]: type %s cannot be "
				   "generated", k, coh_event_type_name(g->type));
		int ok = check_index(g->member, m->n_members, 1) &&
			 check_index(g->outsider, m->n_outsiders, 1) &&
			 isfinite(g->rate) && g->rate >= 0 &&
			 isfinite(g->feedback) && isfinite(g->magnitude) &&
			 !isnan(g->start) && !isnan(g->end) && g->start <= g->end;
		if (g->type == COH_EV_ASSISTANCE_REQUEST)
			ok = ok && isfinite(g->deadline) && g->deadline >= 0;
		if (!ok)
			return BAD(g->file, g->line, "generators.[%zu] (%s) cannot be run: "
				   "it needs a known member and outsider, a rate "
				   ">= 0, finite values and start <= end", k,
				   coh_event_type_name(g->type));
	}
	return 0;
}

/*--- Workspace life -----------------------------------------------------*/

void coh_sim_free(coh_sim *s)
{
	if (!s)
		return;
	coh_free(s->mem);
	coh_free(s->power);
	coh_free(s->row);
	coh_free(s->ties);
	coh_free(s->wsum0);
	coh_free(s->wsum);
	coh_free(s->affinity);
	coh_free(s->gens);
	coh_free(s->member_gens);
	coh_free(s->feedback_gens);
	coh_free(s->gen_events);
	coh_free(s->rng_state);
	coh_free(s->rng);
	coh_free(s->req);
	coh_free(s->req_level);
	coh_queue_destroy(&s->queue);
	coh_free(s->scratch);
	coh_free(s->idx);
	coh_free(s->parts);
	coh_free(s->mark);
	coh_free(s->alive);
	coh_free(s->sample_c);
	coh_free(s->sample_s);
	coh_free(s);
}

/* Explicit tie rows, default-row sums and affinities: data that every
 * replication starts from. */
static void setup_ties(coh_sim *s)
{
	const coh_model *m = s->model;
	size_t n = s->n;
	for (size_t k = 0; k < m->n_ties; k++) {
		const coh_tie *t = &m->ties[k];
		s->ties[(size_t)s->row[t->from] * n + (size_t)t->to] = t->weight;
	}
	for (size_t i = 0; i < n; i++)
		s->alive[i] = 1;
	recompute_tie_sums(s);
	memcpy(s->wsum0, s->wsum, n * sizeof *s->wsum);
	for (size_t k = 0; k < m->n_affinities; k++) {
		const coh_affinity *a = &m->affinities[k];
		s->affinity[(size_t)a->member * m->n_outsiders +
			    (size_t)a->outsider] = a->value;
	}
}

/* Generator instances (one per member for `by = *`), grouped by member. */
static void setup_generators(coh_sim *s)
{
	const coh_model *m = s->model;
	size_t k = 0;
	for (size_t g = 0; g < m->n_generators; g++) {
		const coh_generator *gg = &m->generators[g];
		s->gen_events[g] = (coh_event){
			.type = gg->type, .target = -1,
			.outsider = gg->outsider, .magnitude = gg->magnitude,
			.deadline = gg->deadline, .in_scope = gg->in_scope,
			.drawn_answers = 1, .line = gg->line,
		};
		int first = gg->member, last = first;
		if (first < 0) {
			first = 0;
			last = (int)s->n - 1;
		}
		for (int i = first; i <= last; i++) {
			gen_inst *gi = &s->gens[k];
			gi->g = gg;
			gi->gen = (int)g;
			gi->member = i;
			gi->handle = COH_QUEUE_NONE;
			gi->stream = &s->rng_state[S_GENERATORS + k];
			gi->stop = gg->end < m->horizon ? gg->end : m->horizon;
			gi->per_day = gg->rate / COH_DAYS_PER_YEAR;
			gi->actor = i;
			gi->target = -1;
			if (gg->type == COH_EV_SUMMIT) {
				gi->actor = -1;         /* one that i skips */
			} else if (gg->type == COH_EV_STATEMENT) {
				gi->actor = m->leader;  /* about i */
				gi->target = i;
			}
			s->mem[i].gen_count++;
			if (gg->feedback != 0)
				s->mem[i].fb_count++;
			k++;
		}
	}
	size_t at = 0, fb_at = 0;
	for (size_t i = 0; i < s->n; i++) {
		s->mem[i].gen_first = at;
		at += s->mem[i].gen_count;
		s->mem[i].gen_count = 0;
		s->mem[i].fb_first = fb_at;
		fb_at += s->mem[i].fb_count;
		s->mem[i].fb_count = 0;
	}
	for (size_t q = 0; q < s->n_gens; q++) {
		member *mm = &s->mem[s->gens[q].member];
		s->member_gens[mm->gen_first + mm->gen_count++] = q;
		if (s->gens[q].g->feedback != 0)
			s->feedback_gens[mm->fb_first + mm->fb_count++] = q;
	}
}

int coh_sim_alloc(coh_sim **out, const coh_model *model, coh_error *err)
{
	int rc;
	if (!model)
		return BAD(NULL, 0, "no model to simulate");
	if ((rc = check_members(model, err)) || (rc = check_params(model, err)) ||
	    (rc = check_events(model, err)) ||
	    (rc = check_generators(model, err)))
		return rc;
	/* GSL must report, not abort (once per process is enough, and it is
	 * harmless to repeat). */
	gsl_set_error_handler_off();

	coh_sim *s = coh_calloc(1, sizeof *s);
	if (!s)
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory allocating the engine");
	size_t n = model->n_members;
	s->model = model;
	s->n = n;
	s->queue.free_head = COH_QUEUE_NONE;

	/* A member that lists ties (or says it does) gets a dense row of
	 * its own; the others weigh everyone by power. */
	size_t n_rows = 0;
	s->row = coh_calloc(n, sizeof *s->row);
	if (s->row) {
		for (size_t i = 0; i < n; i++)
			s->row[i] = model->members[i].explicit_ties ? 1 : 0;
		for (size_t k = 0; k < model->n_ties; k++)
			s->row[model->ties[k].from] = 1;
		for (size_t i = 0; i < n; i++)
			s->row[i] = s->row[i] ? (int)n_rows++ : -1;
	}
	for (size_t g = 0; g < model->n_generators; g++)
		s->n_gens += model->generators[g].member < 0 ? n : 1;
	s->n_streams = S_GENERATORS + s->n_gens;
	s->req_cap = 4;

	s->mem = coh_calloc(n, sizeof *s->mem);
	s->power = coh_calloc(n, sizeof *s->power);
	s->ties = coh_calloc(n_rows * n, sizeof *s->ties);
	s->wsum0 = coh_calloc(n, sizeof *s->wsum0);
	s->wsum = coh_calloc(n, sizeof *s->wsum);
	s->affinity = coh_calloc(n * model->n_outsiders, sizeof *s->affinity);
	s->gens = coh_calloc(s->n_gens, sizeof *s->gens);
	s->member_gens = coh_calloc(s->n_gens, sizeof *s->member_gens);
	s->feedback_gens = coh_calloc(s->n_gens, sizeof *s->feedback_gens);
	s->gen_events = coh_calloc(model->n_generators, sizeof *s->gen_events);
	s->rng_state = coh_calloc(s->n_streams, sizeof *s->rng_state);
	s->rng = coh_calloc(s->n_streams, sizeof *s->rng);
	s->req = coh_calloc(s->req_cap, sizeof *s->req);
	s->req_level = coh_calloc(s->req_cap * n, sizeof *s->req_level);
	s->scratch = coh_calloc(n, sizeof *s->scratch);
	s->idx = coh_calloc(n, sizeof *s->idx);
	s->parts = coh_calloc(n, sizeof *s->parts);
	s->mark = coh_calloc(n, 1);
	s->alive = coh_calloc(n, 1);
	s->sample_c = coh_calloc(n, sizeof *s->sample_c);
	s->sample_s = coh_calloc(n, sizeof *s->sample_s);
	if (!s->row || !s->mem || !s->power || !s->ties || !s->wsum0 ||
	    !s->wsum || !s->affinity || !s->gens || !s->member_gens ||
	    !s->feedback_gens || !s->gen_events ||
	    !s->rng_state || !s->rng || !s->req || !s->req_level ||
	    !s->scratch || !s->idx || !s->parts || !s->mark || !s->alive ||
	    !s->sample_c || !s->sample_s ||
	    coh_queue_init(&s->queue, 2 * n + s->n_gens + 64)) {
		coh_sim_free(s);
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory allocating the engine");
	}
	for (size_t i = 0; i < n; i++)
		s->power[i] = model->members[i].power;
	for (size_t k = 0; k < s->n_streams; k++)
		coh_rng_bind(&s->rng[k], &s->rng_state[k]);
	setup_ties(s);
	setup_generators(s);
	*out = s;
	return 0;
}

/*--- The run ------------------------------------------------------------*/

static int start(coh_sim *s, const coh_stream_key *key)
{
	const coh_model *model = s->model;
	s->now = 0;
	s->cursor = 0;
	s->sample_k = 0;
	s->sample_tail_done = 0;
	plan_sample(s);
	s->resolved = s->honoured = 0;
	s->req_serial = 0;
	memset(&s->stats, 0, sizeof s->stats);
	coh_queue_clear(&s->queue);
	for (size_t k = 0; k < s->req_cap; k++)
		s->req[k].serial = 0;
	for (size_t k = 0; k < s->n_streams; k++)
		coh_rng_stream(&s->rng_state[k], key->seed, key->point,
			       key->replication, k);
	for (size_t i = 0; i < s->n; i++) {
		const coh_member *p = &model->members[i];
		member *m = &s->mem[i];
		m->c = p->commitment;
		m->b = p->baseline;
		m->t = 0;
		m->rl = coh_rules_halvings(p->half_life);
		m->ra = coh_rules_halvings(p->adaptation_half_life);
		m->sensitivity = p->sensitivity;
		m->susceptibility = p->susceptibility;
		m->freeze = p->freeze;
		m->exit = p->exit;
		m->dwell = p->dwell;
		m->recover = p->recover;
		m->status = COH_ACTIVE;
		m->watch = COH_QUEUE_NONE;
		m->last_change = NAN;
		m->burst = 0;
		for (int k = 0; k < C__COUNT; k++)
			m->since[k] = NOT_HELD;
		set_thresholds(m);
		reread_conditions(m, 0);
		s->alive[i] = 1;
	}
	memcpy(s->wsum, s->wsum0, s->n * sizeof *s->wsum);
	int rc;
	for (size_t i = 0; i < s->n; i++)
		if ((rc = reschedule_watch(s, (int)i)))
			return rc;
	for (size_t k = 0; k < s->n_gens; k++) {
		gen_inst *gi = &s->gens[k];
		gi->handle = COH_QUEUE_NONE;
		gi->started = !(gi->g->start > 0);
		if (gi->started) {
			if ((rc = gen_redraw(s, gi)))
				return rc;
		} else if (gi->g->start <= model->horizon &&
			   gi->g->start <= gi->g->end) {
			coh_qitem item = {K_GENERATOR, (int)k, 0, 0};
			if (coh_queue_push(&s->queue, gi->g->start,
					   COH_PRIO_GENERATED, &item, &gi->handle))
				return nomem(s);
		}
	}
	double period = model->consultation_period;
	if (period > 0 && period <= model->horizon) {
		coh_qitem item = {K_CONSULT, 1, 0, 0};
		if (coh_queue_push(&s->queue, period, COH_PRIO_GENERATED, &item,
				   NULL))
			return nomem(s);
	}
	return 0;
}

static int dispatch(coh_sim *s, const coh_qitem *it)
{
	switch (it->kind) {
	case K_WATCH: return transition(s, it->a);
	case K_RESOLVE: return resolve(s, it);
	case K_RESPONSE: return drawn_response(s, it);
	case K_REBUKE: return rebuke(s, it);
	default: return consultation(s, it);
	}
}

int coh_sim_run(coh_sim *s, const coh_stream_key *key,
		const coh_recorder *recorder, coh_error *err)
{
	if (!s || !key)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "coh_sim_run needs a workspace and a key");
	s->rec = recorder;
	s->err = err;
	const coh_model *model = s->model;
	double T = model->horizon;
	int rc = start(s, key);
	while (!rc) {
		double tl = s->cursor < model->n_events ?
			    model->events[s->cursor].day : HUGE_VAL;
		double tq = coh_queue_next_time(&s->queue);
		double tn = tl <= tq ? tl : tq;
		while (!rc && s->sample_next < tn)
			rc = emit_sample(s, s->sample_next);
		if (rc || !(tn <= T))
			break;
		if (tn < s->now) {
			rc = coh_error_set(err, COH_ENUMERIC, NULL, 0,
					   "internal: time ran backwards from "
					   "day %.17g to %.17g", s->now, tn);
			break;
		}
		s->now = tn;
		s->stats.events++;
		if (tl <= tq) {
			rc = timeline_event(s, &model->events[s->cursor++]);
		} else if (coh_queue_top(&s->queue)->kind == K_GENERATOR) {
			rc = generator_event(s, &s->gens[coh_queue_top(&s->queue)->a]);
		} else {
			coh_qitem it;
			coh_queue_pop(&s->queue, NULL, NULL, &it);
			rc = dispatch(s, &it);
		}
	}
	s->rec = NULL;
	s->err = NULL;
	return rc;
}

coh_sim_stats coh_sim_last_stats(const coh_sim *s)
{
	coh_sim_stats none = {0, 0};
	return s ? s->stats : none;
}
