/* Attribution (docs/analysis.md, "What caused what"): which parts of a
 * scenario caused a quantity of interest.  The parts are *units* (a
 * timeline event with the responses that answer it, all events of a type,
 * the events and generators of one file, a generator); a *coalition* is a
 * set of units kept, and its model is the scenario with every other unit
 * removed.  Because every random draw is keyed by the identity of what it
 * belongs to (docs/model.md section 11), running the coalitions' models on
 * the same stream keys pairs them: a removal changes nothing else.
 *
 * A *plan* lists the coalitions a method needs (removal: all, all without
 * each unit, none; shapley: all 2^n, or the prefixes of sampled
 * permutations); the caller runs each coalition's model and hands the
 * values of one replication, in replication order, to an accumulator,
 * which gives each unit's effect with a 95% interval. */
#ifndef COHESIM_ATTRIBUTE_H
#define COHESIM_ATTRIBUTE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "model.h"

/*--- Units ---------------------------------------------------------------*/

typedef enum coh_attr_by {
	COH_ATTR_EVENT = 0,     /* each timeline event, with its responses */
	COH_ATTR_TYPE,          /* all timeline events of one type */
	COH_ATTR_FRAGMENT,      /* the events and generators of one file */
	COH_ATTR_GENERATOR      /* each generator */
} coh_attr_by;

/* "event", "type", "fragment", "generator"; lookup returns -1 for
 * anything else. */
const char *coh_attr_by_name(coh_attr_by by);
int coh_attr_by_lookup(const char *name);

typedef struct coh_attr_units coh_attr_units;

/* The units of model by `by`, in the model's order (events and
 * generators as they are stored, types in catalogue order, files in the
 * order they first appear).  Removing an assistance request removes the
 * responses that answer it (the latest earlier request by the response's
 * target whose window holds the response's day, as the engine links
 * them), so every coalition's model passes coh_model_check.  The model
 * must outlive the units.  *out may hold no unit (count 0).  Returns 0 or
 * COH_ENOMEM. */
int coh_attr_units_build(coh_attr_units **out, const coh_model *model,
			 coh_attr_by by, coh_error *err);
/* Accepts NULL. */
void coh_attr_units_free(coh_attr_units *units);

size_t coh_attr_units_count(const coh_attr_units *units);
/* The unit's name for attribution.csv's `unit` column: "events.[3]",
 * "shock", "scenarios/csto/2023.cfg", "generators.[0]". */
const char *coh_attr_unit_name(const coh_attr_units *units, size_t u);
/* A few words on it: for an event its date, type, actors and label
 * ("2023-11-22 summit_absence ARM: Minsk summit"); for the others what
 * and how many it holds. */
const char *coh_attr_unit_label(const coh_attr_units *units, size_t u);

/* The unit that holds timeline event `event` as its own, or -1 (none
 * does, as under --by generator, or the event is only a response held by
 * its request's unit).  Under --by event unit k is event k. */
long coh_attr_unit_of_event(const coh_attr_units *units, size_t event);

/* Fills *out with the units' model restricted to the coalition keep
 * (keep[u] non-zero: unit u stays): a shallow copy of the model whose
 * events and generators arrays are new, without those of the removed
 * units; everything else is shared with the original.  Release it with
 * coh_attr_model_release.  Returns 0 or COH_ENOMEM. */
int coh_attr_model(coh_model *out, const coh_attr_units *units,
		   const unsigned char *keep, coh_error *err);
/* Frees the arrays coh_attr_model made; accepts a zeroed model. */
void coh_attr_model_release(coh_model *model);

/*--- Plans ---------------------------------------------------------------*/

typedef enum coh_attr_method {
	COH_ATTR_REMOVAL = 0,
	COH_ATTR_SHAPLEY,
	/* no coalitions and no plan: the ledger's bookkeeping of a member's
	 * change (cohesim/ledger.h), summed per unit */
	COH_ATTR_LEDGER
} coh_attr_method;

/* "removal", "shapley", "ledger"; lookup returns -1 for anything else. */
const char *coh_attr_method_name(coh_attr_method method);
int coh_attr_method_lookup(const char *name);

/* The most units exact Shapley values enumerate (2^10 coalitions). */
#define COH_ATTR_EXACT_MAX 10

typedef struct coh_attr_plan coh_attr_plan;

/* A plan for n_units >= 1 units (removal or shapley; the ledger has
 * none: COH_EUSAGE).  removal: the coalitions all, all
 * without unit u (u = 0 .. n - 1), none.  shapley with permutations 0:
 * every coalition (n_units <= COH_ATTR_EXACT_MAX, else COH_EUSAGE);
 * with permutations N (even, >= 2): N / 2 permutations drawn from a
 * Mersenne Twister seeded with seed, each followed by its reverse
 * (antithetic pairs), and the coalitions none, all and every proper
 * prefix of each permutation.  Returns 0, COH_EUSAGE or COH_ENOMEM. */
int coh_attr_plan_alloc(coh_attr_plan **out, coh_attr_method method,
			size_t n_units, uint64_t permutations, uint64_t seed,
			coh_error *err);
/* Accepts NULL. */
void coh_attr_plan_free(coh_attr_plan *plan);

size_t coh_attr_plan_units(const coh_attr_plan *plan);
size_t coh_attr_plan_coalitions(const coh_attr_plan *plan);
/* Coalition c as n_units flags (1: the unit is kept); owned by the plan. */
const unsigned char *coh_attr_plan_keep(const coh_attr_plan *plan,
					size_t c);

/* From the values v[c] of every coalition in one replication: each
 * unit's value in that replication into per_unit[0 .. n - 1] and the
 * total change v(all) - v(none) into *total.  removal: v(all) - v(all
 * without u).  shapley: the Shapley value (exact: the weighted mean of the
 * unit's marginal contributions over all coalitions; sampled: the mean of
 * its marginal contribution over the plan's permutations), so that the
 * per_unit values add up to *total (up to rounding). */
void coh_attr_plan_values(const coh_attr_plan *plan, const double *v,
			  double *per_unit, double *total);

/*--- Estimates over replications -----------------------------------------*/

/* One row of attribution.csv. */
typedef struct coh_attr_estimate {
	uint64_t n;             /* replications used */
	double effect;          /* mean over replications */
	double ci_lo, ci_hi;    /* 95%: removal (and ledger): mean +- t(0.975,
				 * n - 1) s / sqrt(n) of the paired
				 * differences; shapley after
				 * coh_attr_acc_bootstrap: the percentile
				 * bootstrap interval over replications;
				 * NaN when n < 2 */
	/* removal with an indicator QoI: the probability of necessity
	 * P(Q without u = 0 | Q with all = 1), pn_k of pn_n, with its 95%
	 * Wilson score interval [pn_lo, pn_hi]; NaN when pn_n = 0 or not
	 * defined */
	double pn, pn_lo, pn_hi;
	uint64_t pn_k, pn_n;
} coh_attr_estimate;

/* Resamples of the Shapley intervals' bootstrap. */
#define COH_ATTR_RESAMPLES 1000

typedef struct coh_attr_acc coh_attr_acc;

/* An accumulator for one QoI under the plan; indicator: the QoI's values
 * are 0 or 1 (for PN).  The plan must outlive it. */
int coh_attr_acc_alloc(coh_attr_acc **out, const coh_attr_plan *plan,
		       int indicator, coh_error *err);
/* Accepts NULL. */
void coh_attr_acc_free(coh_attr_acc *acc);

/* Adds one replication's coalition values v[0 .. coalitions - 1].  A
 * replication in which any value is NaN (reliability before any
 * resolved request) is skipped.  Call in replication order: the result
 * is then the same bits however the replications were run. */
void coh_attr_acc_add(coh_attr_acc *acc, const double *v);

/* Shapley: sets the intervals of the units, the total and the rest to
 * 95% percentile bootstrap intervals over the replications added so far:
 * COH_ATTR_RESAMPLES resamples of them with replacement, drawn from a
 * stream keyed by seed alone (so the same for every QoI, and the same
 * bits however the replications were run).  A t interval would assume
 * the values are near normal; Shapley values of 0/1 QoIs are far from it.
 * Removal: nothing changes (its t intervals stay).  Returns 0 or
 * COH_ENOMEM. */
int coh_attr_acc_bootstrap(coh_attr_acc *acc, uint64_t seed,
			   coh_error *err);

/* Unit u's estimate. */
coh_attr_estimate coh_attr_acc_unit(const coh_attr_acc *acc, size_t u);
/* The total change Q(all) - Q(none). */
coh_attr_estimate coh_attr_acc_total(const coh_attr_acc *acc);
/* The total minus the sum of the units' values, per replication: for
 * removal, what single removals leave unexplained (interactions); for
 * shapley 0 up to rounding. */
coh_attr_estimate coh_attr_acc_rest(const coh_attr_acc *acc);

#endif
