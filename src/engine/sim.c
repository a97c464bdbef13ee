/* The simulation engine: the coh_sim workspace and its run loop.  It plays
 * one replication of a coh_model exactly (docs/model.md, with every
 * formula and choice): members relax lazily between the events that touch
 * them, threshold crossings are solved in closed form and scheduled, and
 * everything that happens is reported to a coh_recorder.
 *
 * The engine is one translation unit built from parts, as SQLite's
 * amalgamation is: the workspace and the small functions every event runs
 * through are in sim_internal.h (inline), each concern in a part under
 * sim/, included below in an order where each part follows those it calls
 * the most.  One unit keeps the hot path as fast as in one file. */
#include "engine/sim_internal.h"

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

/*--- Recording ----------------------------------------------------------*/

static int emit_record(coh_sim *s, coh_event_type type, int actor,
		       int target, int outsider, int subject, double value,
		       double before, double after, const coh_event *origin)
{
	coh_event_record r = {
		.day = s->now, .type = type, .actor = actor, .target = target,
		.outsider = outsider, .subject = subject, .value = value,
		.before = before, .after = after,
		.source = origin ? origin->source : NULL,
		.label = origin ? origin->label : NULL,
	};
	int rc = s->rec->event(s->rec->ctx, &r);
	if (rc)
		coh_error_set(s->err, rc, NULL, 0,
			      "the event recorder stopped the run at day %.17g",
			      s->now);
	return rc;
}

/*--- The ledger (compiled into sim_ledger.c's copy only) ----------------*/

#if SIM_LEDGER
static void lg_book(coh_sim *s, int i, double day, coh_ledger_cause cause,
		    long event, coh_event_type type, double delta)
{
	if (delta == 0 || s->lg_rc)
		return;
	coh_ledger_entry e = {day, i, cause, event, type, delta};
	s->lg_rc = s->rec->ledger(s->rec->ctx, &e);
}

/* Where member i's drift starts again: after a jump or a `set`. */
static void lg_origin(coh_sim *s, int i)
{
	double *L = s->lg + (size_t)i * LG_FIELDS;
	const member *m = &s->mem[i];
	L[LG_C0] = m->c;
	L[LG_B0] = m->b;
	L[LG_T0] = m->t;
	L[LG_RELAX] = 0;
}

static void lg_start(coh_sim *s, int i)
{
	lg_origin(s, i);
	s->lg[(size_t)i * LG_FIELDS + LG_BOOKED] = s->mem[i].c;
}

/* Books member i's drift up to day t, where its commitment is c.
 * Relaxation is the move toward the baseline b0 it had at the drift's
 * origin (c0, t0), held fixed: (b0 - c0)(1 - 2^(-r_l (t - t0))), less
 * what earlier bookings of this drift took; adaptation is the rest.
 * Both are measured from the origin rather than from the last booking,
 * so where the drift is cut (the engine's lazy updates, read days)
 * changes nothing but rounding.  Without adaptation all of it is
 * relaxation. */
static void lg_drift(coh_sim *s, int i, double t, double c)
{
	double *L = s->lg + (size_t)i * LG_FIELDS;
	const member *m = &s->mem[i];
	double total = c - L[LG_BOOKED];
	double relax = total;
	if (m->ra > 0) {
		double cum = (L[LG_B0] - L[LG_C0]) *
			     -expm1(-M_LN2 * m->rl * (t - L[LG_T0]));
		relax = cum - L[LG_RELAX];
		L[LG_RELAX] = cum;
	}
	L[LG_BOOKED] = c;
	lg_book(s, i, t, COH_LEDGER_RELAXATION, -1, COH_EV_SET, relax);
	lg_book(s, i, t, COH_LEDGER_ADAPTATION, -1, COH_EV_SET, total - relax);
}

/* Member i's commitment jumped (an impact, spillover or influence). */
static void lg_moved(coh_sim *s, int i, coh_ledger_cause cause)
{
	double *L = s->lg + (size_t)i * LG_FIELDS;
	double delta = s->mem[i].c - L[LG_BOOKED];
	L[LG_BOOKED] = s->mem[i].c;
	lg_book(s, i, s->now, cause, s->lg_event, s->lg_type, delta);
	lg_origin(s, i);
}
#endif

/*--- The parts ----------------------------------------------------------*/

#include "engine/sim/members.inc"
#include "engine/sim/generators.inc"
#include "engine/sim/impacts.inc"
#include "engine/sim/influence.inc"
#include "engine/sim/requests.inc"
#include "engine/sim/events.inc"
#include "engine/sim/transitions.inc"
#include "engine/sim/samples.inc"
#if !SIM_LEDGER
#include "engine/sim/setup.inc"
#endif
#include "engine/sim/run.inc"
