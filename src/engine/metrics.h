/* Cohesion metrics of one sample (docs/model.md section 10). */
#ifndef COH_ENGINE_METRICS_H
#define COH_ENGINE_METRICS_H

#include <stdint.h>
#include "cohesim/sim.h"

/* Fills cohesion, mean, min, sd and the status counts of s from n members'
 * power, commitment and status:
 *   cohesion = sum over non-exited p_i c_i / sum over the p_i of all but
 *              candidates (the members of the moment and those who left);
 *   mean     = sum over non-exited c_i / the number of non-candidates
 *              (exited members count 0);
 *   min, sd  over current members (active or frozen); sd is the
 *            population standard deviation (divided by their count);
 *            both NaN when there is none;
 *   candidates: the members whose `joins` day has not come, in no other
 *            sum or count.
 * Leaves the other fields of s alone. */
void coh_metrics_compute(coh_sample *s, const double *power, const double *c,
			 const coh_status *status, size_t n);

/* Share of resolved requests with fulfilment >= 0.5; NaN before any. */
double coh_metrics_reliability(uint64_t resolved, uint64_t honoured);

#endif
