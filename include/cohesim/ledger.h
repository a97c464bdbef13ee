/* The ledger of a member's commitment: over a window, its change split
 * exactly into what each event did to it directly and by spillover, the
 * influence rounds, relaxation and adaptation, averaged over replications
 * with 95% t intervals (docs/analysis.md, "ledger").  Bookkeeping, not
 * causation: `attribute --method removal|shapley` answer what caused what.
 * The replications are run here, one after another in replication order,
 * on one workspace; results depend on the seed and the replications, never
 * on threads. */
#ifndef COHESIM_LEDGER_H
#define COHESIM_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "model.h"
#include "sim.h"

typedef struct coh_ledger coh_ledger;

/* One row: a cause and its estimate over the replications. */
typedef struct coh_ledger_row {
	const char *cause;      /* direct, spillover, influence, relaxation,
				 * adaptation or (total) */
	long event;             /* timeline event index, or -1 */
	coh_event_type type;    /* the event's type (direct, spillover) */
	int generated;          /* 1: every generated event of `type` */
	double mean, ci_lo, ci_hi;      /* ci: NaN with one replication */
} coh_ledger_row;

/* A ledger of member `member` (an index into model->members) over the
 * window (from, to]: the change is c(to) - c(from), each read after the
 * events of its day; from = -INFINITY starts before the first event, from
 * the member's initial commitment.  -INFINITY < from < to <= horizon, and
 * from >= 0 when finite.  The model must outlive the ledger.  Returns 0,
 * COH_EUSAGE (member or window out of range, *out untouched) or an error
 * of coh_sim_alloc. */
int coh_ledger_alloc(coh_ledger **out, const coh_model *model, int member,
		     double from, double to, coh_error *err);

/* Runs replications first .. first + count - 1 of design point `point`
 * under `seed` and adds them, in that order, to the ledger's estimates
 * (it may be called again to add more).  Returns 0 or the engine's
 * error. */
int coh_ledger_run(coh_ledger *ledger, uint64_t seed, uint64_t point,
		   uint64_t first, uint64_t count, coh_error *err);

/* The last replication run (by coh_ledger_run; 0 before any): the sum
 * of the member's moves within the window from cause `cause` credited to
 * timeline event `event` (direct, spillover; -1 with `type` for every
 * generated event of that type), or the influence, relaxation or
 * adaptation total (event and type ignored).  Callers that need the
 * parts of each replication run one replication at a time. */
double coh_ledger_last_part(const coh_ledger *ledger, coh_ledger_cause cause,
			    long event, coh_event_type type);
/* The last replication's change c(to) - c(from) (NaN before any). */
double coh_ledger_last_change(const coh_ledger *ledger);

/* Replications added so far. */
uint64_t coh_ledger_replications(const coh_ledger *ledger);

/* The largest |sum of the parts - change| over the replications added:
 * what rounding left of the identity. */
double coh_ledger_max_residual(const coh_ledger *ledger);

/* The rows, in a fixed order: each timeline event that moved the member
 * in any replication (direct, then spillover), each generated type that
 * did, then influence, relaxation, adaptation and (total), which is the
 * mean change.  A row's mean counts 0 for the replications where the
 * cause did nothing.  The pointer stays valid until the next
 * coh_ledger_run or coh_ledger_free. */
const coh_ledger_row *coh_ledger_rows(coh_ledger *ledger, size_t *n);

/* The member and window the ledger was made for. */
int coh_ledger_member(const coh_ledger *ledger);
void coh_ledger_window(const coh_ledger *ledger, double *from, double *to);

/* Frees the ledger; accepts NULL. */
void coh_ledger_free(coh_ledger *ledger);

#endif
