/* The files of a Monte Carlo run that summarise across replications:
 * summary.csv, survival.csv and outcomes.csv, the scenario's timeline.csv
 * (the dated events the figures mark), compare.csv for paired
 * counterfactuals, and qoi.csv for quantities of interest.  Each is
 * written atomically into an existing folder. */
#ifndef COHESIM_REPORT_H
#define COHESIM_REPORT_H

#include <stdint.h>
#include "error.h"
#include "mc.h"
#include "model.h"
#include "qoi.h"
#include "attribute.h"

/* summary.csv: day,date,metric,mean,sd,q05,q25,q50,q75,q95 */
int coh_report_summary(const char *dir, const coh_summary *summary,
		       const coh_model *model, coh_error *err);

/* survival.csv: day,date,member,frozen_by,exited_by (shares of
 * replications in which the member had frozen / exited by that day). */
int coh_report_survival(const char *dir, const coh_summary *summary,
			const coh_model *model, coh_error *err);

/* timeline.csv: day,date,type,actor,label,row for each timeline event:
 * the label (the event's own, or "type actor" when the scenario gives
 * none) is free of commas and quotes so gnuplot reads it, and row (0-4)
 * is where the figures write it so that labels never overlap; -1 (and no
 * label) when it fits on no row. */
int coh_report_timeline(const char *dir, const coh_model *model,
			coh_error *err);

/* compare.csv: day,date,metric,base_median,alt_median,diff_mean,
 * diff_lo,diff_hi,diff_q05,diff_q95 where [diff_lo, diff_hi] is the 95%
 * confidence interval of the mean paired difference and q05..q95 the
 * spread of the differences across replications.  Its metrics are diff's
 * (BASE's, members paired by id: coh_summary_alloc_paired); each side's
 * median is read from its own summary by the metric's name, empty where
 * that side lacks it. */
int coh_report_compare(const char *dir, const coh_summary *base,
		       const coh_summary *alt, const coh_summary *diff,
		       const coh_model *model, coh_error *err);

/* qoi.csv: qoi,estimate,ci_lo,ci_hi,replications, one row per QoI of set
 * in the order they were added (coh_qoi_set_estimate; an undefined
 * interval is an empty field, replications counts those with a value). */
int coh_report_qoi(const char *dir, const coh_qoi_set *set,
		   coh_error *err);

/* ledger.csv: member,cause,unit,label,mean,ci_lo,ci_hi, one row per
 * coh_ledger_rows entry in its order.  unit is "event N" for the Nth
 * timeline event (file order, from 1), "generated TYPE" for every
 * generated event of a type, empty for influence, relaxation, adaptation
 * and (total); label is the timeline event's date, type, actor (and
 * target) and short label, or the type.  Written atomically.  The ledger
 * is not changed but for its row cache. */
typedef struct coh_ledger coh_ledger;
int coh_report_ledger(const char *dir, coh_ledger *ledger,
		      const coh_model *model, coh_error *err);

/* outcomes.csv, one row per replication, written as replications arrive:
 * replication,cohesion, then per member <ID>_status,<ID>_commitment (both
 * at the end), <ID>_freeze_day,<ID>_freeze_date (the first freeze),
 * <ID>_exit_day,<ID>_exit_date (empty when none). */
typedef struct coh_outcomes coh_outcomes;

int coh_outcomes_open(coh_outcomes **out, const char *dir,
		      const coh_model *model, coh_error *err);
/* Appends the replication's row to the trace's own text (coh_trace_append),
 * so that rows can be formatted on the threads that ran them; 0,
 * COH_EINPUT (no samples) or COH_ENOMEM. */
int coh_outcomes_format(coh_trace *trace, const coh_model *model);
/* Writes formatted rows, in replication order. */
int coh_outcomes_write(coh_outcomes *outcomes, const char *text, size_t len,
		       coh_error *err);
/* Renames the file into place; always frees. */
int coh_outcomes_commit(coh_outcomes *outcomes, coh_error *err);
/* Drops the temporary; accepts NULL. */
void coh_outcomes_abort(coh_outcomes *outcomes);

/* One row of attribution.csv (docs/analysis.md, "What caused what"). */
typedef struct coh_report_attr_row {
	const char *qoi, *unit, *label, *method;
	coh_attr_estimate e;
	int with_pn;            /* write e.pn (empty when NaN); else empty */
} coh_report_attr_row;

/* attribution.csv: qoi,unit,label,method,effect,ci_lo,ci_hi,pn,pn_lo,pn_hi
 * (the probability of necessity with its Wilson interval), one row
 * per entry of rows in order, numbers in the shortest form that reads
 * back the same, NaN as an empty field; written atomically into dir. */
int coh_report_attribution(const char *dir, const coh_report_attr_row *rows,
			   size_t n_rows, coh_error *err);

/* attribution-bars.csv, the data of the attribution figure:
 * qoi,rank,unit,label,effect,ci_lo,ci_hi, the rows in the order given (the
 * caller sorts them), rank counting from 1 within each run of rows of
 * the same qoi. */
int coh_report_attribution_bars(const char *dir,
				const coh_report_attr_row *rows,
				size_t n_rows, coh_error *err);

#endif
