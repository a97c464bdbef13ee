/* Cohesion metrics of one sample (docs/model.md section 10). */
#ifndef COH_ENGINE_METRICS_H
#define COH_ENGINE_METRICS_H

#include <stdint.h>
#include "cohesim/sim.h"

/* Fills cohesion, mean, min, sd and the status counts of s from n members'
 * power, commitment and status:
 *   cohesion = sum over non-exited p_i c_i / sum over all p_i;
 *   mean     = sum over non-exited c_i / n (exited members count 0);
 *   min, sd  over non-exited members; sd is the population standard
 *            deviation (divided by their count); both NaN when every
 *            member has exited.
 * Leaves the other fields of s alone. */
void coh_metrics_compute(coh_sample *s, const double *power, const double *c,
			 const coh_status *status, size_t n);

/* Share of resolved requests with fulfilment >= 0.5; NaN before any. */
double coh_metrics_reliability(uint64_t resolved, uint64_t honoured);

#endif
