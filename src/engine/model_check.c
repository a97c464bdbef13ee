/* The checks a coh_model passes before anything runs it: every rule the
 * scenario loader enforces on the values it builds, so that a model built
 * by hand (tests, library users) and one loaded from a file are held to
 * the same contract, and the engine can trust what it reads. */
#include "cohesim/model.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/*--- Helpers ------------------------------------------------------------*/

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

static const char *member_id(const coh_model *m, int i)
{
	if (i < 0 || (size_t)i >= m->n_members || !m->members[i].id)
		return "?";
	return m->members[i].id;
}

static int required(coh_event_slot slot)
{
	return slot.need == COH_NEED_REQUIRED;
}

/* Half-lives shorter than this overflow the rate 1 / h. */
static int half_life_ok(double h)
{
	return h == 0 || (h >= COH_MIN_HALF_LIFE && !isnan(h));
}

/*--- Members and parameters ---------------------------------------------*/

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
		ok = ok && half_life_ok(p->half_life) &&
		     half_life_ok(p->adaptation_half_life);
		ok = ok && in_range(p->sensitivity, 0, HUGE_VAL) && isfinite(p->sensitivity);
		ok = ok && in_range(p->susceptibility, 0, 1);
		ok = ok && in_range(p->freeze, 0, 1) && in_range(p->exit, 0, 1);
		ok = ok && isfinite(p->dwell) && p->dwell >= 0;
		ok = ok && isfinite(p->recover) && p->recover >= 0;
		if (!ok)
			return BAD(p->file, p->line, "member %s has a parameter out of "
				   "range (power > 0; commitment, baseline, "
				   "susceptibility, freeze, exit in [0, 1]; "
				   "sensitivity, dwell, recover >= 0; "
				   "half-lives 0 or at least 1e-06 days)", id);
		if (!(p->exit <= p->freeze))
			return BAD(p->file, p->line, "member %s: thresholds out of "
				   "order, expected exit <= freeze, got exit %g "
				   "and freeze %g", id, p->exit, p->freeze);
		if (!(isfinite(p->joins) && p->joins >= 0 &&
		      p->joins <= m->horizon))
			return BAD(p->file, p->line, "member %s: joins must be 0 "
				   "(a founding member) or a day in (0, %g], got "
				   "%g", id, m->horizon, p->joins);
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
	if (m->horizon / m->sample_every > COH_MAX_STEPS)
		return BAD(NULL, 0, "output.sample_every = %g days gives more than "
			   "%d samples over the horizon", m->sample_every,
			   COH_MAX_STEPS);
	if (!(isfinite(m->consultation_period) && m->consultation_period >= 0))
		return BAD(NULL, 0, "model.consultation_period must be >= 0 days, "
			   "got %g", m->consultation_period);
	if (m->consultation_period > 0 &&
	    m->horizon / m->consultation_period > COH_MAX_STEPS)
		return BAD(NULL, 0, "model.consultation_period = %g days gives more "
			   "than %d rounds over the horizon",
			   m->consultation_period, COH_MAX_STEPS);
	for (int k = 0; k < COH_W__COUNT; k++)
		if (!in_range(m->weight[k], -1, 1) || !in_range(m->spillover[k], 0, 1))
			return BAD(NULL, 0, "model.weights.%s must be in [-1, 1] and "
				   "model.spillover.%s in [0, 1], got %g and %g",
				   coh_weight_key_name((coh_weight_key)k),
				   coh_weight_key_name((coh_weight_key)k),
				   m->weight[k], m->spillover[k]);
	for (size_t k = 0; k < m->n_user_kinds; k++) {
		const coh_user_kind *u = &m->user_kinds[k];
		const coh_event_kind *kd = &u->kind;
		if (!kd->name || coh_event_type_lookup(kd->name) >= 0 ||
		    !(kd->flags & COH_KIND_TIMELINE) || kd->weight != -1 ||
		    kd->receives < COH_RECEIVES_BY ||
		    kd->receives > COH_RECEIVES_ALL ||
		    kd->receives == COH_RECEIVES_LIST ||
		    (kd->receives == COH_RECEIVES_TARGET ||
		     kd->receives == COH_RECEIVES_BOTH) != required(kd->target))
			return BAD(u->file, u->line, "model.event_types.[%zu] needs "
				   "a name no built-in type has, receives by, "
				   "target, both, others or all, and a target "
				   "exactly when it receives target or both", k);
		for (size_t j = 0; j < k; j++)
			if (strcmp(m->user_kinds[j].kind.name, kd->name) == 0)
				return BAD(u->file, u->line, "model.event_types "
					   "declares %s twice", kd->name);
		if (!in_range(u->weight, -1, 1) || !in_range(u->spillover, 0, 1))
			return BAD(u->file, u->line, "model.weights.%s must be in "
				   "[-1, 1] and model.spillover.%s in [0, 1], got "
				   "%g and %g", kd->name, kd->name, u->weight,
				   u->spillover);
	}
	const coh_response_params *r = &m->response;
	if (!isfinite(r->base) || !isfinite(r->commitment) || !isfinite(r->tie) ||
	    !isfinite(r->affinity) || !in_range(r->scope_factor, 0, 1))
		return BAD(NULL, 0, "model.response parameters must be finite, "
			   "scope_factor in [0, 1]");
	const coh_rebuke_params *b = &m->rebuke;
	if (!in_range(b->probability, 0, 1) || !(isfinite(b->delay) && b->delay >= 0)
	    || !(isfinite(b->magnitude) && b->magnitude >= 0))
		return BAD(NULL, 0, "model.rebuke needs probability in [0, 1], "
			   "delay >= 0 and a finite magnitude >= 0");
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
		    !in_range(a->value, -1, 1))
			return BAD(NULL, 0, "affinities.[%zu] needs a member, an "
				   "outsider and a value in [-1, 1]", k);
	}
	return 0;
}

/*--- Events and generators ----------------------------------------------*/

/* A member listed twice in an event's list, or -1. */
static int listed_twice(const coh_model *m, const coh_event *e)
{
	const int *list = m->lists + e->list_first;
	for (size_t q = 1; q < e->list_count; q++)
		for (size_t r = 0; r < q; r++)
			if (list[r] == list[q])
				return list[q];
	return -1;
}

/* Whether the response events[k] answers a request: one by its target,
 * earlier in the (sorted) timeline, whose window [day, day + deadline]
 * contains the response's day. */
static int answers(const coh_model *m, size_t k)
{
	const coh_event *r = &m->events[k];
	for (size_t i = 0; i < k; i++) {
		const coh_event *q = &m->events[i];
		if (q->type == COH_EV_ASSISTANCE_REQUEST &&
		    q->actor == r->target && r->day <= q->day + q->deadline)
			return 1;
	}
	return 0;
}

static int check_events(const coh_model *m, coh_error *err)
{
	size_t n = m->n_members, no = m->n_outsiders;
	for (size_t k = 0; k < m->n_events; k++) {
		const coh_event *e = &m->events[k];
		const char *name = coh_model_type_name(m, e->type);
		const coh_event_kind *kd = coh_model_kind(m, e->type);
		int ok = kd && (kd->flags & COH_KIND_TIMELINE) &&
			 in_range(e->day, 0, m->horizon) &&
			 (k == 0 || e->day >= m->events[k - 1].day);
		/* the parties the kind requires, and no others out of range */
		ok = ok && check_index(e->actor, n, !required(kd->actor)) &&
		     check_index(e->target, n, !required(kd->target)) &&
		     check_index(e->outsider, no, !required(kd->outsider));
		if (ok && (kd->flags & COH_KIND_SET))
			ok = (unsigned)e->field < COH_FIELD__COUNT &&
			     coh_range_holds(coh_member_field_range(e->field),
					     e->magnitude);
		else if (ok)
			ok = coh_range_holds(kd->range, e->magnitude * kd->per);
		if (ok && (kd->flags & COH_KIND_REQUEST))
			ok = isfinite(e->deadline) && e->deadline > 0;
		if (e->type == COH_EV_ASSISTANCE_RESPONSE)
			ok = ok && e->actor != e->target;
		ok = ok && e->list_first <= m->n_lists &&
		     e->list_count <= m->n_lists - e->list_first;
		for (size_t q = 0; ok && q < e->list_count; q++)
			ok = check_index(m->lists[e->list_first + q], n, 0);
		if (!ok)
			return coh_error_set(err, COH_EINPUT, e->file, e->line,
					     "events.[%zu] (%s) cannot be run: "
					     "it needs its members and outsiders, "
					     "values in their ranges and a day "
					     "within the horizon, not before the "
					     "previous event's", k, name);
		int twice = listed_twice(m, e);
		if (twice >= 0)
			return coh_error_set(err, COH_EINPUT, e->file, e->line,
					     "events.[%zu] (%s) lists %s twice",
					     k, name, member_id(m, twice));
		if (e->type == COH_EV_ASSISTANCE_RESPONSE && !answers(m, k))
			return coh_error_set(err, COH_EINPUT, e->file, e->line,
					     "events.[%zu] (assistance_response): "
					     "%s answers no assistance_request by "
					     "%s made on or before its day whose "
					     "deadline has not passed", k,
					     member_id(m, e->actor),
					     member_id(m, e->target));
	}
	return 0;
}

static int check_generators(const coh_model *m, coh_error *err)
{
	for (size_t k = 0; k < m->n_generators; k++) {
		const coh_generator *g = &m->generators[k];
		const coh_event_kind *kd = coh_model_kind(m, g->type);
		if (!kd || kd->generated_as == COH_GEN_NEVER)
			return BAD(g->file, g->line, "generators.[%zu]: type %s cannot be "
				   "generated", k, coh_model_type_name(m, g->type));
		int ok = check_index(g->member, m->n_members, 1) &&
			 check_index(g->outsider, m->n_outsiders,
				     !required(kd->outsider)) &&
			 in_range(g->rate, 0, COH_MAX_RATE) &&
			 isfinite(g->feedback) &&
			 coh_range_holds(kd->range, g->magnitude * kd->per) &&
			 in_range(g->start, 0, g->end) &&
			 in_range(g->end, g->start, m->horizon);
		if (kd->flags & COH_KIND_REQUEST)
			ok = ok && isfinite(g->deadline) && g->deadline > 0;
		/* version 2: a target where the kind needs one, the magnitude's
		 * distribution within the kind's range, a summit's absences */
		if (kd->generated_as == COH_GEN_BY && required(kd->target))
			ok = ok && check_index(g->target, m->n_members, 0);
		if (g->draw != COH_DRAW_FIXED)
			ok = ok && (g->draw == COH_DRAW_UNIFORM ||
				    g->draw == COH_DRAW_NORMAL) &&
			     !isnan(g->low) && !isnan(g->high) &&
			     g->low <= g->high &&
			     coh_range_holds(kd->range, g->low * kd->per) &&
			     (g->high == HUGE_VAL ?
				      kd->range == COH_RANGE_NONNEG ||
					      kd->range == COH_RANGE_ANY :
				      coh_range_holds(kd->range,
						      g->high * kd->per)) &&
			     (g->draw == COH_DRAW_NORMAL ?
				      isfinite(g->sd) && g->sd >= 0 :
				      isfinite(g->high));
		if (g->absences)
			ok = ok && g->type == COH_EV_SUMMIT &&
			     isfinite(g->absence_mid) &&
			     isfinite(g->absence_slope) && g->absence_slope >= 0;
		if (!ok)
			return BAD(g->file, g->line, "generators.[%zu] (%s) cannot be run: "
				   "it needs a known member and outsider, a rate "
				   "in [0, %g] a year, values in their ranges and 0 <= "
				   "start <= end <= the horizon", k,
				   coh_model_type_name(m, g->type), COH_MAX_RATE);
	}
	return 0;
}

/*--- The check ----------------------------------------------------------*/

int coh_model_check(const coh_model *model, coh_error *err)
{
	int rc;
	if (!model)
		return BAD(NULL, 0, "no model to check");
	if ((rc = check_members(model, err)) || (rc = check_params(model, err)) ||
	    (rc = check_events(model, err)) ||
	    (rc = check_generators(model, err)))
		return rc;
	return 0;
}

int coh_model_has_joins(const coh_model *model)
{
	for (size_t i = 0; model && i < model->n_members; i++)
		if (model->members[i].joins > 0)
			return 1;
	return 0;
}
