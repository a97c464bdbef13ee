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
		       double before, double after, const char *source)
{
	coh_event_record r = {
		.day = s->now, .type = type, .actor = actor, .target = target,
		.outsider = outsider, .subject = subject, .value = value,
		.before = before, .after = after, .source = source,
		.label = s->label,
	};
	int rc = s->rec->event(s->rec->ctx, &r);
	if (rc)
		coh_error_set(s->err, rc, NULL, 0,
			      "the event recorder stopped the run at day %.17g",
			      s->now);
	return rc;
}

/*--- The parts ----------------------------------------------------------*/

#include "engine/sim/members.inc"
#include "engine/sim/generators.inc"
#include "engine/sim/impacts.inc"
#include "engine/sim/influence.inc"
#include "engine/sim/requests.inc"
#include "engine/sim/events.inc"
#include "engine/sim/transitions.inc"
#include "engine/sim/samples.inc"
#include "engine/sim/setup.inc"
#include "engine/sim/run.inc"
