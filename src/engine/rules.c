/* The model's formulas that are not inline in rules.h; see rules.h for
 * what each one means. */
#include "engine/rules.h"

#include <math.h>

double coh_rules_halvings(double half_life)
{
	if (!(half_life > 0) || isinf(half_life))
		return 0.0;
	return 1.0 / half_life;
}

double coh_rules_fulfilment(const double *power, const double *level,
			    const unsigned char *alive, size_t n, size_t i)
{
	double num = 0, den = 0;
	for (size_t j = 0; j < n; j++) {
		if (j == i || !alive[j])
			continue;
		den += power[j];
		if (level[j] >= 0)
			num += power[j] * level[j];
	}
	if (!(den > 0))
		return 0.0;
	double f = num / den;
	return f > 1 ? 1.0 : f < 0 ? 0.0 : f;
}

double coh_rules_response_probability(const coh_response_params *p,
				      double c, double w, double a,
				      int in_scope)
{
	double z = p->base + p->commitment * c + p->tie * w
		   - p->affinity * (a > 0 ? a : 0.0);
	/* 1 / (1 + e^-z), written to avoid overflow for large |z|. */
	double pr = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
	return in_scope ? pr : pr * p->scope_factor;
}

