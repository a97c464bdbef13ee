/* The ledger: runs replications with the engine's bookkeeping on
 * (coh_recorder.ledger), sums the moves of one member per cause within a
 * window, and averages the sums over replications (docs/analysis.md). */
#include "cohesim/ledger.h"
#include "cohesim/qoi.h"
#include "core/alloc.h"

#include <math.h>
#include <string.h>

/* Slots: per timeline event direct and spillover, per generated type
 * direct and spillover, then influence, relaxation, adaptation. */
enum { S_INFLUENCE, S_RELAXATION, S_ADAPTATION, S__FIXED };

typedef struct running {
	coh_qoi_acc acc;        /* over replications, as a QoI's estimate */
	int used;               /* moved the member in some replication */
} running;

struct coh_ledger {
	const coh_model *model;
	int member;
	double from, to;
	coh_sim *sim;
	size_t n_slots, fixed;  /* fixed: index of S_INFLUENCE */
	double *rep;            /* this replication's sum per slot */
	running *acc;           /* per slot, plus the change last */
	uint64_t n;
	double c_from, c_to, max_residual;
	double last_change;     /* c_to - c_from of the last replication */
	coh_ledger_row *rows;
	size_t n_rows;
};

static size_t slot_of(const coh_ledger *l, const coh_ledger_entry *e)
{
	switch (e->cause) {
	case COH_LEDGER_INFLUENCE: return l->fixed + S_INFLUENCE;
	case COH_LEDGER_RELAXATION: return l->fixed + S_RELAXATION;
	case COH_LEDGER_ADAPTATION: return l->fixed + S_ADAPTATION;
	default: break;
	}
	size_t spill = e->cause == COH_LEDGER_SPILLOVER;
	if (e->event >= 0)
		return 2 * (size_t)e->event + spill;
	return 2 * (l->model->n_events + (size_t)e->type) + spill;
}

static int on_entry(void *ctx, const coh_ledger_entry *e)
{
	coh_ledger *l = ctx;
	if (e->member == l->member && e->day > l->from && e->day <= l->to)
		l->rep[slot_of(l, e)] += e->delta;
	return 0;
}

static int on_read(void *ctx, const coh_sample *s)
{
	coh_ledger *l = ctx;
	if (s->day == l->from)
		l->c_from = s->commitment[l->member];
	if (s->day == l->to)
		l->c_to = s->commitment[l->member];
	return 0;
}

int coh_ledger_alloc(coh_ledger **out, const coh_model *model, int member,
		     double from, double to, coh_error *err)
{
	if (!model || member < 0 || (size_t)member >= model->n_members)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "the ledger needs a member of the model");
	if (!(from < to) || !(to <= model->horizon) || !(to >= 0) ||
	    (isfinite(from) && !(from >= 0)) || (isinf(from) && from > 0))
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "the ledger's window must have "
				     "start < from < to <= end");
	coh_ledger *l = coh_calloc(1, sizeof *l);
	if (!l)
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory allocating a ledger");
	l->model = model;
	l->member = member;
	l->from = from;
	l->to = to;
	/* one pair per timeline event, then per type (built-in or the
	 * scenario's own) for generated events */
	l->fixed = 2 * (model->n_events + COH_EV__COUNT + model->n_user_kinds);
	l->n_slots = l->fixed + S__FIXED;
	l->rep = coh_calloc(l->n_slots, sizeof *l->rep);
	l->acc = coh_calloc(l->n_slots + 1, sizeof *l->acc);
	l->rows = coh_calloc(l->n_slots + 1, sizeof *l->rows);
	int rc = 0;
	if (!l->rep || !l->acc || !l->rows)
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0,
				   "out of memory allocating a ledger");
	if (!rc)
		rc = coh_sim_alloc(&l->sim, model, err);
	if (!rc) {
		/* the window's ends are read days: the drift is cut there */
		double days[2] = {from, to};
		rc = isfinite(from) ? coh_sim_set_reads(l->sim, days, 2, err)
				    : coh_sim_set_reads(l->sim, days + 1, 1, err);
	}
	if (rc) {
		coh_ledger_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

int coh_ledger_run(coh_ledger *l, uint64_t seed, uint64_t point,
		   uint64_t first, uint64_t count, coh_error *err)
{
	coh_recorder rec = {l, NULL, NULL, on_read, on_entry};
	for (uint64_t r = 0; r < count; r++) {
		memset(l->rep, 0, l->n_slots * sizeof *l->rep);
		l->c_from = l->model->members[l->member].commitment;
		l->c_to = NAN;
		coh_stream_key key = {seed, point, first + r};
		int rc = coh_sim_run(l->sim, &key, &rec, err);
		if (rc)
			return rc;
		double change = l->c_to - l->c_from, sum = 0;
		l->last_change = change;
		l->n++;
		for (size_t k = 0; k < l->n_slots; k++) {
			sum += l->rep[k];
			l->acc[k].used |= l->rep[k] != 0;
			coh_qoi_acc_add(&l->acc[k].acc, l->rep[k]);
		}
		coh_qoi_acc_add(&l->acc[l->n_slots].acc, change);
		double residual = fabs(sum - change);
		if (!(residual <= l->max_residual))
			l->max_residual = residual;
	}
	return 0;
}

static coh_ledger_row row_of(const running *r, const char *cause)
{
	coh_qoi_estimate e = coh_qoi_acc_estimate(&r->acc, 0);
	coh_ledger_row row = {cause, -1, COH_EV_SET, 0, e.estimate, e.ci_lo,
			      e.ci_hi};
	return row;
}

const coh_ledger_row *coh_ledger_rows(coh_ledger *l, size_t *n)
{
	static const char *const fixed[S__FIXED] = {
		"influence", "relaxation", "adaptation",
	};
	size_t m = 0;
	for (size_t k = 0; k < l->fixed; k++) {
		if (!l->acc[k].used)
			continue;
		coh_ledger_row row = row_of(&l->acc[k],
					    k % 2 ? "spillover" : "direct");
		size_t pair = k / 2;
		if (pair < l->model->n_events) {
			row.event = (long)pair;
			row.type = l->model->events[pair].type;
		} else {
			row.generated = 1;
			row.type = (coh_event_type)(pair - l->model->n_events);
		}
		l->rows[m++] = row;
	}
	for (size_t k = 0; k < S__FIXED; k++)
		l->rows[m++] = row_of(&l->acc[l->fixed + k], fixed[k]);
	l->rows[m++] = row_of(&l->acc[l->n_slots], "(total)");
	l->n_rows = m;
	*n = m;
	return l->rows;
}

double coh_ledger_last_part(const coh_ledger *l, coh_ledger_cause cause,
			    long event, coh_event_type type)
{
	if (event >= 0 && (size_t)event >= l->model->n_events)
		return 0;
	if ((unsigned)type >= COH_EV__COUNT + l->model->n_user_kinds)
		return 0;
	coh_ledger_entry e = {0, l->member, cause, event, type, 0};
	return l->rep[slot_of(l, &e)];
}

double coh_ledger_last_change(const coh_ledger *l)
{
	return l->n ? l->last_change : NAN;
}

uint64_t coh_ledger_replications(const coh_ledger *l)
{
	return l->n;
}

double coh_ledger_max_residual(const coh_ledger *l)
{
	return l->max_residual;
}

int coh_ledger_member(const coh_ledger *l)
{
	return l->member;
}

void coh_ledger_window(const coh_ledger *l, double *from, double *to)
{
	*from = l->from;
	*to = l->to;
}

void coh_ledger_free(coh_ledger *l)
{
	if (!l)
		return;
	coh_sim_free(l->sim);
	coh_free(l->rep);
	coh_free(l->acc);
	coh_free(l->rows);
	coh_free(l);
}
