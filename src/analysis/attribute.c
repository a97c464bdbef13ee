/* Attribution (docs/analysis.md, "What caused what"): the units of a
 * model, the model surgery that removes them, the coalitions that removal
 * and Shapley values need, and their estimates over paired replications. */
#include "cohesim/attribute.h"
#include "cohesim/date.h"
#include "cohesim/qoi.h"
#include "core/alloc.h"
#include "engine/rng.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/*--- Units ---------------------------------------------------------------*/

static const char *const by_names[] = {"event", "type", "fragment",
				       "generator"};

const char *coh_attr_by_name(coh_attr_by by)
{
	return (unsigned)by < 4 ? by_names[by] : "?";
}

int coh_attr_by_lookup(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, by_names[i]) == 0)
			return i;
	return -1;
}

#define NAME_MAX_LEN 64
#define LABEL_MAX_LEN 256

typedef struct unit {
	char name[NAME_MAX_LEN];
	char label[LABEL_MAX_LEN];
	size_t *events;         /* indices into the model's events */
	size_t n_events;
	size_t *generators;
	size_t n_generators;
} unit;

struct coh_attr_units {
	const coh_model *model;
	unit *units;
	size_t count;
	long *link;             /* per event: the request a response answers */
	long *owner;            /* per event: the unit holding it as its own
				 * (not as a response to its request), or -1 */
};

/* The request each timeline response answers, as the engine links them
 * (request_find in src/engine/sim/requests.inc: the latest open request
 * by the response's target); -1 for everything else. */
static void link_responses(const coh_model *m, long *link)
{
	for (size_t k = 0; k < m->n_events; k++) {
		const coh_event *r = &m->events[k];
		link[k] = -1;
		if (r->type != COH_EV_ASSISTANCE_RESPONSE)
			continue;
		for (size_t i = 0; i < k; i++) {
			const coh_event *q = &m->events[i];
			if (q->type == COH_EV_ASSISTANCE_REQUEST &&
			    q->actor == r->target && r->actor != q->actor &&
			    r->day <= q->day + q->deadline)
				link[k] = (long)i;
		}
	}
}

/* Adds a unit holding the flagged events (with the responses that answer
 * a flagged request) and generators; name and label are set by the
 * caller.  The flags are cleared. */
static int add_unit(coh_attr_units *u, unsigned char *ev, unsigned char *gen,
		    size_t *n_responses)
{
	const coh_model *m = u->model;
	size_t ne = 0, ng = 0, nr = 0;
	for (size_t k = 0; k < m->n_events; k++)
		if (ev[k] && u->owner[k] < 0)
			u->owner[k] = (long)u->count;
	for (size_t k = 0; k < m->n_events; k++) {
		if (!ev[k] && u->link[k] >= 0 && ev[u->link[k]]) {
			ev[k] = 1;
			nr++;
		}
		ne += ev[k] != 0;
	}
	for (size_t g = 0; g < m->n_generators; g++)
		ng += gen[g] != 0;
	unit *grown = coh_reallocarray(u->units, u->count + 1, sizeof *grown);
	if (!grown)
		return COH_ENOMEM;
	u->units = grown;
	unit *t = &u->units[u->count];
	memset(t, 0, sizeof *t);
	t->events = ne ? coh_calloc(ne, sizeof *t->events) : NULL;
	t->generators = ng ? coh_calloc(ng, sizeof *t->generators) : NULL;
	if ((ne && !t->events) || (ng && !t->generators)) {
		coh_free(t->events);
		coh_free(t->generators);
		return COH_ENOMEM;
	}
	for (size_t k = 0; k < m->n_events; k++)
		if (ev[k]) {
			t->events[t->n_events++] = k;
			ev[k] = 0;
		}
	for (size_t g = 0; g < m->n_generators; g++)
		if (gen[g]) {
			t->generators[t->n_generators++] = g;
			gen[g] = 0;
		}
	u->count++;
	if (n_responses)
		*n_responses = nr;
	return 0;
}

static const char *member_id(const coh_model *m, int i)
{
	return i >= 0 && (size_t)i < m->n_members ? m->members[i].id : "*";
}

static void event_label(char *buf, size_t size, const coh_model *m,
			const coh_event *e, size_t n_responses)
{
	char date[32];
	coh_date_format_offset(date, sizeof date, m->start_day, e->day);
	int len = snprintf(buf, size, "%s %s", date,
			   coh_model_type_name(m, e->type));
	if (len < 0 || (size_t)len >= size)
		return;
	if (e->actor >= 0)
		len += snprintf(buf + len, size - (size_t)len, " %s",
				m->members[e->actor].id);
	if ((size_t)len < size && e->target >= 0)
		len += snprintf(buf + len, size - (size_t)len, " -> %s",
				m->members[e->target].id);
	if ((size_t)len < size && e->outsider >= 0)
		len += snprintf(buf + len, size - (size_t)len, " (%s)",
				m->outsiders[e->outsider].id);
	if ((size_t)len < size && e->label)
		len += snprintf(buf + len, size - (size_t)len, ": %s",
				e->label);
	if ((size_t)len < size && n_responses)
		snprintf(buf + len, size - (size_t)len, " (+%zu response%s)",
			 n_responses, n_responses == 1 ? "" : "s");
}

static int by_event(coh_attr_units *u, unsigned char *ev, unsigned char *gen)
{
	const coh_model *m = u->model;
	for (size_t k = 0; k < m->n_events; k++) {
		ev[k] = 1;
		size_t nr;
		if (add_unit(u, ev, gen, &nr))
			return COH_ENOMEM;
		unit *t = &u->units[u->count - 1];
		snprintf(t->name, sizeof t->name, "events.[%zu]", k);
		event_label(t->label, sizeof t->label, m, &m->events[k], nr);
	}
	return 0;
}

static int by_type(coh_attr_units *u, unsigned char *ev, unsigned char *gen)
{
	const coh_model *m = u->model;
	/* the built-in timeline types, then the scenario's own */
	int n_types = COH_EV__COUNT + (int)m->n_user_kinds;
	for (int type = 0; type < n_types; type++) {
		if (!(coh_model_kind(m, (coh_event_type)type)->flags &
		      COH_KIND_TIMELINE))
			continue;
		size_t n = 0;
		for (size_t k = 0; k < m->n_events; k++)
			if (m->events[k].type == (coh_event_type)type) {
				ev[k] = 1;
				n++;
			}
		if (n == 0)
			continue;
		size_t nr;
		if (add_unit(u, ev, gen, &nr))
			return COH_ENOMEM;
		unit *t = &u->units[u->count - 1];
		const char *name = coh_model_type_name(m, (coh_event_type)type);
		snprintf(t->name, sizeof t->name, "%s", name);
		if (nr)
			snprintf(t->label, sizeof t->label,
				 "%zu %s events (+%zu responses)", n, name,
				 nr);
		else
			snprintf(t->label, sizeof t->label, "%zu %s event%s",
				 n, name, n == 1 ? "" : "s");
	}
	return 0;
}

static int same_file(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int by_fragment(coh_attr_units *u, unsigned char *ev,
		       unsigned char *gen)
{
	const coh_model *m = u->model;
	size_t n_all = m->n_events + m->n_generators;
	for (size_t i = 0; i < n_all; i++) {
		const char *file = i < m->n_events
				   ? m->events[i].file
				   : m->generators[i - m->n_events].file;
		if (!file)
			continue;
		int seen = 0; /* an earlier event or generator has it */
		for (size_t j = 0; j < i && !seen; j++)
			seen = same_file(file, j < m->n_events
					 ? m->events[j].file
					 : m->generators[j - m->n_events].file);
		if (seen)
			continue;
		size_t ne = 0, ng = 0;
		for (size_t k = 0; k < m->n_events; k++)
			if (same_file(file, m->events[k].file)) {
				ev[k] = 1;
				ne++;
			}
		for (size_t g = 0; g < m->n_generators; g++)
			if (same_file(file, m->generators[g].file)) {
				gen[g] = 1;
				ng++;
			}
		size_t nr;
		if (add_unit(u, ev, gen, &nr))
			return COH_ENOMEM;
		unit *t = &u->units[u->count - 1];
		snprintf(t->name, sizeof t->name, "%s", file);
		if (strlen(file) >= sizeof t->name) /* keep the file's end */
			snprintf(t->name, sizeof t->name, "...%s",
				 file + strlen(file) - (sizeof t->name - 4));
		snprintf(t->label, sizeof t->label,
			 "%zu event%s, %zu generator%s%s", ne,
			 ne == 1 ? "" : "s", ng, ng == 1 ? "" : "s",
			 nr ? " (+ responses elsewhere)" : "");
	}
	return 0;
}

static int by_generator(coh_attr_units *u, unsigned char *ev,
			unsigned char *gen)
{
	const coh_model *m = u->model;
	for (size_t g = 0; g < m->n_generators; g++) {
		gen[g] = 1;
		if (add_unit(u, ev, gen, NULL))
			return COH_ENOMEM;
		unit *t = &u->units[u->count - 1];
		const coh_generator *G = &m->generators[g];
		snprintf(t->name, sizeof t->name, "generators.[%zu]", g);
		snprintf(t->label, sizeof t->label, "%s %s%s%s%s, %g a year",
			 coh_model_type_name(m, G->type), member_id(m, G->member),
			 G->outsider >= 0 ? " (" : "",
			 G->outsider >= 0 ? m->outsiders[G->outsider].id : "",
			 G->outsider >= 0 ? ")" : "", G->rate);
	}
	return 0;
}

int coh_attr_units_build(coh_attr_units **out, const coh_model *model,
			 coh_attr_by by, coh_error *err)
{
	coh_attr_units *u = coh_calloc(1, sizeof *u);
	unsigned char *ev = coh_calloc(model->n_events + 1, 1);
	unsigned char *gen = coh_calloc(model->n_generators + 1, 1);
	int rc = COH_ENOMEM;
	if (u && ev && gen) {
		u->model = model;
		u->link = coh_calloc(model->n_events + 1, sizeof *u->link);
		u->owner = coh_calloc(model->n_events + 1, sizeof *u->owner);
	}
	if (u && u->link && u->owner && ev && gen) {
		link_responses(model, u->link);
		for (size_t k = 0; k < model->n_events; k++)
			u->owner[k] = -1;
		switch (by) {
		case COH_ATTR_EVENT: rc = by_event(u, ev, gen); break;
		case COH_ATTR_TYPE: rc = by_type(u, ev, gen); break;
		case COH_ATTR_FRAGMENT: rc = by_fragment(u, ev, gen); break;
		case COH_ATTR_GENERATOR: rc = by_generator(u, ev, gen); break;
		}
	}
	coh_free(ev);
	coh_free(gen);
	if (rc) {
		coh_attr_units_free(u);
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	}
	*out = u;
	return 0;
}

void coh_attr_units_free(coh_attr_units *units)
{
	if (!units)
		return;
	for (size_t i = 0; i < units->count; i++) {
		coh_free(units->units[i].events);
		coh_free(units->units[i].generators);
	}
	coh_free(units->units);
	coh_free(units->link);
	coh_free(units->owner);
	coh_free(units);
}

size_t coh_attr_units_count(const coh_attr_units *units)
{
	return units->count;
}

const char *coh_attr_unit_name(const coh_attr_units *units, size_t u)
{
	return units->units[u].name;
}

const char *coh_attr_unit_label(const coh_attr_units *units, size_t u)
{
	return units->units[u].label;
}

long coh_attr_unit_of_event(const coh_attr_units *units, size_t event)
{
	return event < units->model->n_events ? units->owner[event] : -1;
}

int coh_attr_model(coh_model *out, const coh_attr_units *units,
		   const unsigned char *keep, coh_error *err)
{
	const coh_model *m = units->model;
	unsigned char *drop_ev = coh_calloc(m->n_events + 1, 1);
	unsigned char *drop_gen = coh_calloc(m->n_generators + 1, 1);
	coh_event *events = coh_calloc(m->n_events + 1, sizeof *events);
	coh_generator *gens = coh_calloc(m->n_generators + 1, sizeof *gens);
	if (!drop_ev || !drop_gen || !events || !gens) {
		coh_free(drop_ev);
		coh_free(drop_gen);
		coh_free(events);
		coh_free(gens);
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	}
	for (size_t i = 0; i < units->count; i++) {
		if (keep[i])
			continue;
		const unit *t = &units->units[i];
		for (size_t k = 0; k < t->n_events; k++)
			drop_ev[t->events[k]] = 1;
		for (size_t g = 0; g < t->n_generators; g++)
			drop_gen[t->generators[g]] = 1;
	}
	*out = *m;
	out->events = events;
	out->n_events = 0;
	for (size_t k = 0; k < m->n_events; k++)
		if (!drop_ev[k])
			events[out->n_events++] = m->events[k];
	out->generators = gens;
	out->n_generators = 0;
	for (size_t g = 0; g < m->n_generators; g++)
		if (!drop_gen[g])
			gens[out->n_generators++] = m->generators[g];
	coh_free(drop_ev);
	coh_free(drop_gen);
	return 0;
}

void coh_attr_model_release(coh_model *model)
{
	coh_free(model->events);
	coh_free(model->generators);
	model->events = NULL;
	model->generators = NULL;
	model->n_events = model->n_generators = 0;
}

/*--- Plans ---------------------------------------------------------------*/

static const char *const method_names[] = {"removal", "shapley", "ledger"};

const char *coh_attr_method_name(coh_attr_method method)
{
	return (unsigned)method < 3 ? method_names[method] : "?";
}

int coh_attr_method_lookup(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(name, method_names[i]) == 0)
			return i;
	return -1;
}

struct coh_attr_plan {
	coh_attr_method method;
	size_t n;               /* units */
	size_t n_coalitions;
	unsigned char *keep;    /* n_coalitions x n */
	size_t n_perms;         /* 0: exact Shapley (or removal) */
	size_t *perms;          /* n_perms x n */
	double *weight;         /* exact Shapley: s! (n - s - 1)! / n! */
};

/* Coalition indices.  removal: 0 all, 1 + u all without u, n + 1 none.
 * Exact Shapley: the bit mask of the units kept.  Sampled: 0 none, 1 all,
 * then 2 + p (n - 1) + (k - 1) for the first k units of permutation p
 * (k = 1 .. n - 1). */
static size_t prefix_index(const coh_attr_plan *p, size_t perm, size_t k)
{
	if (k == 0)
		return 0;
	if (k == p->n)
		return 1;
	return 2 + perm * (p->n - 1) + (k - 1);
}

static int plan_fill(coh_attr_plan *p, uint64_t seed)
{
	size_t n = p->n;
	if (p->method == COH_ATTR_REMOVAL) {
		p->n_coalitions = n + 2;
	} else if (p->n_perms == 0) {
		p->n_coalitions = (size_t)1 << n;
	} else {
		p->n_coalitions = 2 + p->n_perms * (n - 1);
	}
	p->keep = coh_calloc(p->n_coalitions, n);
	if (!p->keep)
		return COH_ENOMEM;
	if (p->method == COH_ATTR_REMOVAL) {
		for (size_t c = 0; c <= n; c++)
			for (size_t u = 0; u < n; u++)
				p->keep[c * n + u] = c == 0 || u != c - 1;
		return 0;
	}
	if (p->n_perms == 0) {
		p->weight = coh_calloc(n, sizeof *p->weight);
		if (!p->weight)
			return COH_ENOMEM;
		for (size_t s = 0; s < n; s++) {
			/* s! (n - s - 1)! / n! as a product of ratios */
			double w = 1.0 / (double)n;
			for (size_t i = 1; i <= s; i++)
				w *= (double)i / (double)(n - s - 1 + i);
			p->weight[s] = w;
		}
		for (size_t c = 0; c < p->n_coalitions; c++)
			for (size_t u = 0; u < n; u++)
				p->keep[c * n + u] = (c >> u) & 1;
		return 0;
	}
	p->perms = coh_calloc(p->n_perms * n, sizeof *p->perms);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!p->perms || !rng) {
		gsl_rng_free(rng);
		return COH_ENOMEM;
	}
	/* mt19937 takes an unsigned long: fold the 64-bit seed into it, and
	 * keep apart from other uses of the scenario seed */
	gsl_rng_set(rng, (unsigned long)((seed ^ (seed >> 32) ^
					  0x61747472u) & 0xffffffffu));
	for (size_t q = 0; q < p->n_perms; q += 2) {
		size_t *a = &p->perms[q * n], *b = &p->perms[(q + 1) * n];
		for (size_t u = 0; u < n; u++)
			a[u] = u;
		gsl_ran_shuffle(rng, a, n, sizeof *a);
		for (size_t u = 0; u < n; u++)
			b[u] = a[n - 1 - u];
	}
	gsl_rng_free(rng);
	for (size_t u = 0; u < n; u++)
		p->keep[1 * n + u] = 1;
	for (size_t q = 0; q < p->n_perms; q++)
		for (size_t k = 1; k < n; k++) {
			unsigned char *keep = &p->keep[prefix_index(p, q, k) * n];
			for (size_t i = 0; i < k; i++)
				keep[p->perms[q * n + i]] = 1;
		}
	return 0;
}

int coh_attr_plan_alloc(coh_attr_plan **out, coh_attr_method method,
			size_t n_units, uint64_t permutations, uint64_t seed,
			coh_error *err)
{
	if (n_units == 0)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "no units to attribute to");
	if (method != COH_ATTR_REMOVAL && method != COH_ATTR_SHAPLEY)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "only removal and shapley have plans of "
				     "coalitions");
	if (method == COH_ATTR_SHAPLEY && permutations == 0 &&
	    n_units > COH_ATTR_EXACT_MAX)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "%zu units are too many for exact Shapley "
				     "values (at most %d)", n_units,
				     COH_ATTR_EXACT_MAX);
	if (method == COH_ATTR_SHAPLEY && permutations &&
	    (permutations % 2 || permutations > 1000000))
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "permutations must be even (each comes "
				     "with its reverse) and at most 1000000");
	coh_attr_plan *p = coh_calloc(1, sizeof *p);
	if (!p)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	p->method = method;
	p->n = n_units;
	p->n_perms = method == COH_ATTR_SHAPLEY ? (size_t)permutations : 0;
	/* one unit: its only permutation is the exact answer */
	if (n_units == 1)
		p->n_perms = 0;
	if (plan_fill(p, seed)) {
		coh_attr_plan_free(p);
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	}
	*out = p;
	return 0;
}

void coh_attr_plan_free(coh_attr_plan *plan)
{
	if (!plan)
		return;
	coh_free(plan->keep);
	coh_free(plan->perms);
	coh_free(plan->weight);
	coh_free(plan);
}

size_t coh_attr_plan_units(const coh_attr_plan *plan)
{
	return plan->n;
}

size_t coh_attr_plan_coalitions(const coh_attr_plan *plan)
{
	return plan->n_coalitions;
}

const unsigned char *coh_attr_plan_keep(const coh_attr_plan *plan, size_t c)
{
	return &plan->keep[c * plan->n];
}

void coh_attr_plan_values(const coh_attr_plan *plan, const double *v,
			  double *per_unit, double *total)
{
	size_t n = plan->n;
	if (plan->method == COH_ATTR_REMOVAL) {
		for (size_t u = 0; u < n; u++)
			per_unit[u] = v[0] - v[1 + u];
		*total = v[0] - v[n + 1];
		return;
	}
	if (plan->n_perms == 0) {
		size_t full = plan->n_coalitions - 1;
		for (size_t u = 0; u < n; u++) {
			size_t bit = (size_t)1 << u;
			double phi = 0;
			for (size_t c = 0; c <= full; c++) {
				if (c & bit)
					continue;
				int s = __builtin_popcountll(
					(unsigned long long)c);
				phi += plan->weight[s] * (v[c | bit] - v[c]);
			}
			per_unit[u] = phi;
		}
		*total = v[full] - v[0];
		return;
	}
	for (size_t u = 0; u < n; u++)
		per_unit[u] = 0;
	for (size_t q = 0; q < plan->n_perms; q++) {
		const size_t *perm = &plan->perms[q * n];
		for (size_t k = 1; k <= n; k++)
			per_unit[perm[k - 1]] +=
				v[prefix_index(plan, q, k)] -
				v[prefix_index(plan, q, k - 1)];
	}
	for (size_t u = 0; u < n; u++)
		per_unit[u] /= (double)plan->n_perms;
	*total = v[1] - v[0];
}

/*--- Estimates over replications -----------------------------------------*/

struct coh_attr_acc {
	const coh_attr_plan *plan;
	int indicator;
	coh_qoi_acc *unit;      /* n */
	coh_qoi_acc total, rest;
	uint64_t *pn_k;         /* n */
	uint64_t pn_n;
	double *per_unit;       /* scratch */
	/* shapley: each replication's unit values, total and rest,
	 * rows[r * (n + 2) + col], for the bootstrap; and its intervals,
	 * ci[2 col], ci[2 col + 1] once computed */
	double *rows;
	size_t n_rows, cap_rows;
	double *ci;
	int boot_failed;        /* a row could not be kept: no bootstrap */
};

int coh_attr_acc_alloc(coh_attr_acc **out, const coh_attr_plan *plan,
		       int indicator, coh_error *err)
{
	coh_attr_acc *a = coh_calloc(1, sizeof *a);
	if (a) {
		a->unit = coh_calloc(plan->n, sizeof *a->unit);
		a->pn_k = coh_calloc(plan->n, sizeof *a->pn_k);
		a->per_unit = coh_calloc(plan->n, sizeof *a->per_unit);
	}
	if (!a || !a->unit || !a->pn_k || !a->per_unit) {
		coh_attr_acc_free(a);
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	}
	a->plan = plan;
	a->indicator = indicator;
	*out = a;
	return 0;
}

void coh_attr_acc_free(coh_attr_acc *acc)
{
	if (!acc)
		return;
	coh_free(acc->unit);
	coh_free(acc->pn_k);
	coh_free(acc->per_unit);
	coh_free(acc->rows);
	coh_free(acc->ci);
	coh_free(acc);
}

void coh_attr_acc_add(coh_attr_acc *acc, const double *v)
{
	const coh_attr_plan *p = acc->plan;
	for (size_t c = 0; c < p->n_coalitions; c++)
		if (isnan(v[c]))
			return;
	double total, sum = 0;
	coh_attr_plan_values(p, v, acc->per_unit, &total);
	for (size_t u = 0; u < p->n; u++) {
		coh_qoi_acc_add(&acc->unit[u], acc->per_unit[u]);
		sum += acc->per_unit[u];
	}
	coh_qoi_acc_add(&acc->total, total);
	coh_qoi_acc_add(&acc->rest, total - sum);
	if (p->method == COH_ATTR_SHAPLEY && !acc->boot_failed) {
		size_t w = p->n + 2;
		if (acc->n_rows == acc->cap_rows) {
			size_t cap = acc->cap_rows ? 2 * acc->cap_rows : 64;
			double *grown = coh_reallocarray(acc->rows, cap * w,
							 sizeof *grown);
			if (!grown) {
				acc->boot_failed = 1;
				return;
			}
			acc->rows = grown;
			acc->cap_rows = cap;
		}
		double *row = &acc->rows[acc->n_rows++ * w];
		memcpy(row, acc->per_unit, p->n * sizeof *row);
		row[p->n] = total;
		row[p->n + 1] = total - sum;
	}
	if (acc->indicator && p->method == COH_ATTR_REMOVAL && v[0] == 1) {
		acc->pn_n++;
		for (size_t u = 0; u < p->n; u++)
			acc->pn_k[u] += v[1 + u] == 0;
	}
}

/* The stream of the bootstrap's resamples: "attrboot" */
#define ATTR_BOOT_UNIT 0x61747472626f6f74ULL

int coh_attr_acc_bootstrap(coh_attr_acc *acc, uint64_t seed, coh_error *err)
{
	const coh_attr_plan *p = acc->plan;
	if (p->method != COH_ATTR_SHAPLEY || acc->n_rows < 2)
		return 0;
	if (acc->boot_failed)
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory for the bootstrap");
	size_t w = p->n + 2, n = acc->n_rows, B = COH_ATTR_RESAMPLES;
	double *draws = coh_calloc(w * B, sizeof *draws);
	double *sum = coh_calloc(w, sizeof *sum);
	double *ci = coh_calloc(2 * w, sizeof *ci);
	if (!draws || !sum || !ci) {
		coh_free(draws);
		coh_free(sum);
		coh_free(ci);
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory for the bootstrap");
	}
	coh_rng_state state;
	gsl_rng rng;
	coh_rng_keyed(&state, seed, 0, 0, ATTR_BOOT_UNIT, 1);
	coh_rng_bind(&rng, &state);
	for (size_t b = 0; b < B; b++) {
		memset(sum, 0, w * sizeof *sum);
		for (size_t i = 0; i < n; i++) {
			size_t r = (size_t)gsl_rng_uniform_int(&rng,
							       (unsigned long)n);
			const double *row = &acc->rows[r * w];
			for (size_t c = 0; c < w; c++)
				sum[c] += row[c];
		}
		for (size_t c = 0; c < w; c++)
			draws[c * B + b] = sum[c] / (double)n;
	}
	for (size_t c = 0; c < w; c++) {
		double *d = &draws[c * B];
		gsl_sort(d, 1, B);
		ci[2 * c] = gsl_stats_quantile_from_sorted_data(d, 1, B, 0.025);
		ci[2 * c + 1] = gsl_stats_quantile_from_sorted_data(d, 1, B,
								     0.975);
	}
	coh_free(draws);
	coh_free(sum);
	coh_free(acc->ci);
	acc->ci = ci;
	return 0;
}

/* Column col's estimate: the mean, and the bootstrap interval once there
 * is one. */
static coh_attr_estimate estimate(const coh_attr_acc *acc,
				  const coh_qoi_acc *a, size_t col)
{
	coh_qoi_estimate e = coh_qoi_acc_estimate(a, 0);
	coh_attr_estimate out = {.n = e.n, .effect = e.estimate,
				 .ci_lo = e.ci_lo, .ci_hi = e.ci_hi,
				 .pn = NAN, .pn_lo = NAN, .pn_hi = NAN};
	if (acc->ci) {
		out.ci_lo = acc->ci[2 * col];
		out.ci_hi = acc->ci[2 * col + 1];
	}
	return out;
}

coh_attr_estimate coh_attr_acc_unit(const coh_attr_acc *acc, size_t u)
{
	coh_attr_estimate e = estimate(acc, &acc->unit[u], u);
	if (acc->indicator && acc->plan->method == COH_ATTR_REMOVAL) {
		e.pn_n = acc->pn_n;
		e.pn_k = acc->pn_k[u];
		if (acc->pn_n > 0) {
			/* the Wilson interval of k ones in n, as for an
			 * indicator QoI's probability */
			coh_qoi_acc k_of_n = {acc->pn_n, acc->pn_k[u], 0, 0};
			coh_qoi_estimate w = coh_qoi_acc_estimate(&k_of_n, 1);
			e.pn = w.estimate;
			e.pn_lo = w.ci_lo;
			e.pn_hi = w.ci_hi;
		}
	}
	return e;
}

coh_attr_estimate coh_attr_acc_total(const coh_attr_acc *acc)
{
	return estimate(acc, &acc->total, acc->plan->n);
}

coh_attr_estimate coh_attr_acc_rest(const coh_attr_acc *acc)
{
	return estimate(acc, &acc->rest, acc->plan->n + 1);
}
