/* The model's formulas; see rules.h for what each one means. */
#include "engine/rules.h"

#include <math.h>

double coh_rules_halvings(double half_life)
{
	if (!(half_life > 0) || isinf(half_life))
		return 0.0;
	return 1.0 / half_life;
}

double coh_rules_target(double c, double b, double rl, double ra)
{
	/* The special cases are exact, so the plain model (no adaptation)
	 * relaxes to b itself and not to a rounded copy of it. */
	if (ra == 0)
		return b;
	if (rl == 0)
		return c;
	return (ra * c + rl * b) / (rl + ra);
}

void coh_rules_relax(double c, double b, double rl, double ra, double dt,
		     double *c_out, double *b_out)
{
	double rate = rl + ra;
	if (rate == 0 || dt <= 0) {
		*c_out = c;
		*b_out = b;
		return;
	}
	double f = exp2(-rate * dt);
	if (ra == 0) {
		*c_out = b + (c - b) * f;
		*b_out = b;
		return;
	}
	if (rl == 0) {
		*c_out = c;
		*b_out = c - (c - b) * f;
		return;
	}
	/* kappa c + lambda b is conserved; c - b shrinks by f. */
	double m = (ra * c + rl * b) / rate;
	double d = (c - b) * f;
	*c_out = m + (rl / rate) * d;
	*b_out = m - (ra / rate) * d;
}

double coh_rules_flip_after(double c0, double m, double rate, double theta,
			    int above, int inside)
{
	if (!(rate > 0))
		return HUGE_VAL;
	int inside_at_limit = above ? m > theta : m < theta;
	if (inside == inside_at_limit)
		return HUGE_VAL;
	double den = theta - m;
	if (den == 0)
		return HUGE_VAL;        /* tends to theta without reaching it */
	double ratio = (c0 - m) / den;
	if (!(ratio > 1))
		return 0.0;
	return log2(ratio) / rate;
}

double coh_rules_impact(double omega, double magnitude, double sensitivity)
{
	double x = omega * magnitude * sensitivity;
	if (x > 1)
		return 1.0;
	if (x < -1)
		return -1.0;
	return x;
}

double coh_rules_apply(double c, double x)
{
	double r = x >= 0 ? c + x * (1 - c) : c * (1 + x);
	if (r > 1)
		return 1.0;
	if (r < 0)
		return 0.0;
	return r;
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

double coh_rules_generator_rate(double rate_per_year, double feedback,
				double b, double c)
{
	double r = rate_per_year / COH_DAYS_PER_YEAR;
	return feedback == 0 ? r : r * exp(feedback * (b - c));
}
