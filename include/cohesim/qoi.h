/* Quantities of interest (docs/analysis.md): a scalar that each
 * replication yields, named KIND[:MEMBER]@WHEN, and its estimate over
 * replications (the mean, with a 95% interval).  What `run --qoi` reports,
 * and what the analysis commands (sensitivity, calibration, attribution)
 * will evaluate.  The state is read at the QoI's day exactly, after every
 * event dated that day, through the runner's read days
 * (coh_mc_options.read_days), whatever the sample grid is. */
#ifndef COHESIM_QOI_H
#define COHESIM_QOI_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "mc.h"
#include "model.h"

typedef enum coh_qoi_kind {
	/* the metrics of summary.csv at that day */
	COH_QOI_COHESION = 0, COH_QOI_MEAN, COH_QOI_MIN, COH_QOI_SD,
	COH_QOI_ACTIVE, COH_QOI_FROZEN, COH_QOI_EXITED, COH_QOI_RELIABILITY,
	/* one member's */
	COH_QOI_COMMITMENT,             /* commitment at that day */
	COH_QOI_IS_FROZEN,              /* 1 if frozen at that day, else 0 */
	COH_QOI_IS_EXITED,
	COH_QOI_IS_ACTIVE,
	COH_QOI_FROZEN_BY,              /* 1 if frozen at least once by then */
	COH_QOI_FREEZE_DAY,             /* day of the first freeze, censored */
	COH_QOI_EXIT_DAY,               /* day of the exit, censored */
	/* the alliance's again: members whose joins day has not come */
	COH_QOI_CANDIDATES
} coh_qoi_kind;

#define COH_QOI_TEXT_MAX 128

/* One parsed QoI, resolved against a model. */
typedef struct coh_qoi {
	coh_qoi_kind kind;
	int member;             /* member index for member kinds, else -1 */
	double day;             /* days since the start, within [0, horizon] */
	int indicator;          /* its values are 0 or 1 */
	char text[COH_QOI_TEXT_MAX];    /* as given */
} coh_qoi;

/* Parses text, "KIND[:MEMBER]@WHEN" with WHEN `end` (the horizon's last
 * day) or a date YYYY-MM-DD within the scenario, against model: member
 * ids resolved, the date converted to days since the start.  Returns 0
 * with *out filled, or COH_EUSAGE with the reason in err (the message
 * names what is wrong, not the text: callers add where it came from, e.g.
 * "--qoi 'commitment:XYZ@end': no member XYZ; members are A, B"). */
int coh_qoi_parse(coh_qoi *out, const char *text, const coh_model *model,
		  coh_error *err);

/* The QoI's value in one replication, from the trace's read read_index
 * (the read at q->day; unused by frozen_by, freeze_day and exit_day, which
 * come from the trace's first freeze and exit days).  freeze_day and
 * exit_day are the day (since the start, fractional as events.csv gives
 * it) of the first freeze / the exit at or before q->day, or horizon + 1
 * when there is none by then (censored).  NaN for reliability before any
 * request is resolved. */
double coh_qoi_value(const coh_qoi *q, const coh_model *model,
		     const coh_trace *trace, size_t read_index);

/*--- Estimates over replications ----------------------------------------*/

/* A running mean and sum of squared deviations (Welford), plus the count
 * of ones for indicators.  Add values in replication order, and the result
 * is the same bits whatever thread ran which replication. */
typedef struct coh_qoi_acc {
	uint64_t n;             /* values added (NaN is skipped) */
	uint64_t ones;          /* values equal to 1 */
	double mean, m2;
} coh_qoi_acc;

typedef struct coh_qoi_estimate {
	uint64_t n;             /* replications with a value */
	double estimate;        /* their mean (NaN when n = 0) */
	double ci_lo, ci_hi;    /* 95% interval (NaN when undefined) */
} coh_qoi_estimate;

void coh_qoi_acc_add(coh_qoi_acc *acc, double x);

/* The mean with a 95% interval: for an indicator the Wilson score
 * interval of k ones in n (defined for n >= 1, within [0, 1] by
 * construction, 0 and 1 exactly at k = 0 and k = n); otherwise the mean
 * +- t(0.975, n - 1) s / sqrt(n), Student's t with the sample standard
 * deviation s (defined for n >= 2).  Never clamped. */
coh_qoi_estimate coh_qoi_acc_estimate(const coh_qoi_acc *acc, int indicator);

/*--- A set of QoIs ------------------------------------------------------*/

/* Several QoIs on one model, with the read days they need (sorted,
 * distinct) and one accumulator each. */
typedef struct coh_qoi_set coh_qoi_set;

/* model must outlive the set. */
int coh_qoi_set_alloc(coh_qoi_set **out, const coh_model *model,
		      coh_error *err);
/* Accepts NULL. */
void coh_qoi_set_free(coh_qoi_set *set);

/* Parses text (coh_qoi_parse) and adds it; COH_EUSAGE, COH_ENOMEM. */
int coh_qoi_set_add(coh_qoi_set *set, const char *text, coh_error *err);

size_t coh_qoi_set_count(const coh_qoi_set *set);
const coh_qoi *coh_qoi_set_get(const coh_qoi_set *set, size_t k);

/* The days to read, for coh_mc_options.read_days; owned by the set, valid
 * until the next coh_qoi_set_add.  *n may be 0 (no QoI reads a state). */
const double *coh_qoi_set_read_days(const coh_qoi_set *set, size_t *n);

/* Every QoI's value in the replication of trace (recorded with the set's
 * read days) into values[0 .. count - 1]; COH_EUSAGE when the trace does
 * not hold those reads. */
int coh_qoi_set_values(const coh_qoi_set *set, const coh_trace *trace,
		       double *values, coh_error *err);

/* Adds the trace's values to the accumulators; call in replication
 * order. */
int coh_qoi_set_accumulate(coh_qoi_set *set, const coh_trace *trace,
			   coh_error *err);

coh_qoi_estimate coh_qoi_set_estimate(const coh_qoi_set *set, size_t k);

#endif
