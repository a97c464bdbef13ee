/* Cohesion metrics; the conventions are stated in metrics.h. */
#include "engine/metrics.h"

#include <math.h>

void coh_metrics_compute(coh_sample *s, const double *power, const double *c,
			 const coh_status *status, size_t n)
{
	double p_all = 0, pc = 0, sum = 0, lo = HUGE_VAL;
	int active = 0, frozen = 0, exited = 0, candidates = 0;
	for (size_t i = 0; i < n; i++) {
		/* a candidate is not a member yet: in no sum, no count but
		 * its own */
		if (status[i] == COH_CANDIDATE) {
			candidates++;
			continue;
		}
		p_all += power[i];
		if (status[i] == COH_EXITED) {
			exited++;
			continue;
		}
		if (status[i] == COH_FROZEN)
			frozen++;
		else
			active++;
		pc += power[i] * c[i];
		sum += c[i];
		if (c[i] < lo)
			lo = c[i];
	}
	int alive = active + frozen;
	s->cohesion = p_all > 0 ? pc / p_all : (double)NAN;
	size_t members = n - (size_t)candidates;
	s->mean = members ? sum / (double)members : (double)NAN;
	s->active = active;
	s->frozen = frozen;
	s->exited = exited;
	s->candidates = candidates;
	if (alive == 0) {
		s->min = NAN;
		s->sd = NAN;
		return;
	}
	/* Two passes: the deviations are small numbers next to the mean. */
	double avg = sum / alive, ss = 0;
	for (size_t i = 0; i < n; i++) {
		if (!coh_status_current(status[i]))
			continue;
		double d = c[i] - avg;
		ss += d * d;
	}
	s->min = lo;
	s->sd = sqrt(ss / alive);
}

double coh_metrics_reliability(uint64_t resolved, uint64_t honoured)
{
	return resolved ? (double)honoured / (double)resolved : (double)NAN;
}
