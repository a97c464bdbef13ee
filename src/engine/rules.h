/* The model's pure formulas (docs/model.md sections 2-5 and 8), one function
 * each, with no state: the run loop in sim.c decides when they apply.
 * Relaxation rates are kept in halvings per day (1 / half-life), so that a
 * member one half-life out is exactly half way home.  The ones the engine
 * calls on every event are defined here, inline, so that a call costs no
 * more than the arithmetic. */
#ifndef COH_ENGINE_RULES_H
#define COH_ENGINE_RULES_H

#include <math.h>

#include "cohesim/model.h"

/* Days in the year that generator rates are quoted in. */
#define COH_DAYS_PER_YEAR 365.25

/* 1 / half_life, or 0 when half_life is 0 or infinite (no relaxation, no
 * adaptation). */
double coh_rules_halvings(double half_life);

/* The level that commitment and baseline both approach:
 * m = (kappa c + lambda b) / (lambda + kappa), with rl ~ lambda and
 * ra ~ kappa in halvings per day; b when there is no adaptation, c when
 * there is no relaxation. */
static inline double coh_rules_target(double c, double b, double rl,
				      double ra)
{
	/* The special cases are exact, so the plain model (no adaptation)
	 * relaxes to b itself and not to a rounded copy of it. */
	if (ra == 0)
		return b;
	if (rl == 0)
		return c;
	return (ra * c + rl * b) / (rl + ra);
}

/* The second half of coh_rules_relax (below), for a caller that has
 * computed f = exp2(-(rl + ra) dt) itself, with rl + ra > 0 and dt > 0. */
static inline void coh_rules_relax_by(double c, double b, double rl,
				      double ra, double f, double *c_out,
				      double *b_out)
{
	double rate = rl + ra;
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

/* Commitment c and baseline b after dt >= 0 days without events:
 * c - b decays at rate rl + ra and both approach the target. */
static inline void coh_rules_relax(double c, double b, double rl, double ra,
				   double dt, double *c_out, double *b_out)
{
	double rate = rl + ra;
	if (rate == 0 || dt <= 0) {
		*c_out = c;
		*b_out = b;
		return;
	}
	coh_rules_relax_by(c, b, rl, ra, exp2(-rate * dt), c_out, b_out);
}

/* The second half of coh_rules_flip_after (below), for a caller that has
 * made its first tests (rate > 0, and the limit m lies on the other side
 * of theta from where the trajectory is now): the days until it crosses
 * theta (0 when c0 already sits on or past it, +inf when m is theta). */
static inline double coh_rules_crossing_after(double c0, double m,
					      double rate, double theta)
{
	double den = theta - m;
	if (den == 0)
		return HUGE_VAL;        /* tends to theta without reaching it */
	double ratio = (c0 - m) / den;
	if (!(ratio > 1))
		return 0.0;
	return log2(ratio) / rate;
}

/* Whether the crossing of coh_rules_crossing_after(c0, m, rate, theta) =
 * off comes within the dt days from t0 to t, that is whether t0 + off <=
 * t as computed, told without the logarithm when the answer is clear:
 * 1 yes, 0 no, -1 too close to call (compute off).  f = exp2(-rate dt)
 * as coh_rules_relax computes it, rate_t = rate t, and 0 <= t0 < t.
 * The crossing comes by t exactly when ratio f <= 1 (ratio as in
 * coh_rules_crossing_after, off = log2(ratio) / rate); the rounding of
 * log2, exp2, the products and t0 + off moves that boundary by less than
 * 1e-12 + 4e-16 rate t in log2(ratio f) (log2(ratio) <= 1024), which
 * delta = 1e-9 (1 + rate t) covers as long as rate t < 1e12. */
static inline int coh_rules_crossed_within(double c0, double m, double theta,
					   double f, double rate_t)
{
	double den = theta - m;
	if (den == 0)
		return 0;               /* off is +inf */
	double ratio = (c0 - m) / den;
	if (!(ratio > 1))
		return 1;               /* off is 0 */
	if (!(rate_t < 1e12))
		return -1;
	double delta = 1e-9 * (1 + rate_t);
	double p = ratio * f;
	if (p > 1 + delta)
		return 0;
	if (p < 1 - delta)
		return 1;
	return -1;
}

/* For a trajectory starting at c0 and tending monotonically to m with
 * rate rate (halvings per day), whether it is "inside" a condition
 * (below theta, or above it with `above`) changes at most once.  Given
 * whether it is inside now, returns the days until it changes (0 when the
 * start value already sits on or past theta, as rounding can leave it), or
 * +inf when it never changes. */
static inline double coh_rules_flip_after(double c0, double m, double rate,
					  double theta, int above,
					  int inside)
{
	if (!(rate > 0))
		return HUGE_VAL;
	int inside_at_limit = above ? m > theta : m < theta;
	if (inside == inside_at_limit)
		return HUGE_VAL;
	return coh_rules_crossing_after(c0, m, rate, theta);
}

/* The bounded impact x = clamp(omega * m * s, -1, 1). */
static inline double coh_rules_impact(double omega, double magnitude,
				      double sensitivity)
{
	double x = omega * magnitude * sensitivity;
	if (x > 1)
		return 1.0;
	if (x < -1)
		return -1.0;
	return x;
}

/* Commitment after an impact x in [-1, 1]: c + x (1 - c) for x >= 0,
 * c (1 + x) otherwise; the result stays in [0, 1]. */
static inline double coh_rules_apply(double c, double x)
{
	double r = x >= 0 ? c + x * (1 - c) : c * (1 + x);
	if (r > 1)
		return 1.0;
	if (r < 0)
		return 0.0;
	return r;
}

/* Fulfilment of member i's request: sum_j p_j l_j over the responders
 * (level < 0: no answer) divided by sum_{j != i} p_j, counting only members
 * with alive[j] != 0; 0 when no one else is left.  Clamped to [0, 1]. */
double coh_rules_fulfilment(const double *power, const double *level,
			    const unsigned char *alive, size_t n, size_t i);

/* Probability that a member answers a request (docs/model.md section 5): the
 * logistic of base + commitment c + tie w - affinity max(0, a), times
 * scope_factor when the request is out of scope. */
double coh_rules_response_probability(const coh_response_params *p,
				      double c, double w, double a,
				      int in_scope);

/* Generator rate in events per day: rate_per_year / 365.25 *
 * exp(feedback * (b - c)). */
static inline double coh_rules_generator_rate(double rate_per_year,
					      double feedback, double b,
					      double c)
{
	double r = rate_per_year / COH_DAYS_PER_YEAR;
	return feedback == 0 ? r : r * exp(feedback * (b - c));
}

/* The same from the plain rate already in events per day (r =
 * rate_per_year / 365.25, which a caller can keep instead of dividing on
 * every event): r * exp(feedback * (b - c)). */
static inline double coh_rules_generator_rate_per_day(double r,
						      double feedback,
						      double b, double c)
{
	return feedback == 0 ? r : r * exp(feedback * (b - c));
}

/* The thinning test p < coh_rules_generator_rate_per_day(r, feedback, b,
 * c), answered exactly as that comparison would answer it, but without
 * exp() unless p lies within a hair of the rate.  For |x| <= 1 (x =
 * feedback (b - c)): first 1 + x <= exp(x), which settles most
 * acceptances (the rounding of 1 + x, at most 2.2e-16, is under 6e-16
 * exp(x) there, and the other roundings smaller still: the margin's 1e-12
 * covers them); then the Taylor polynomial T of degree 7, with
 * |exp(x) - T| <= |x|^8 / 8! e^max(x, 0), under 6.8e-5 |x|^8 exp(x); the
 * rounding of T, of exp() itself (within an ulp or so) and of the
 * products is below 1e-13 relative, which the margin's 1e-12 covers.  So
 * p below est (1 - margin) is below the computed rate, and p at or above
 * est (1 + margin) is not.  r must be normal for relative errors to hold:
 * rates below 2^-1000 a day take exp(). */
static inline int coh_rules_below_rate(double p, double r, double feedback,
				       double b, double c)
{
	double x = feedback * (b - c);
	if (fabs(x) <= 1 && r >= 0x1p-1000) {
		if (p < r * (1 + x) * (1 - 1e-12))
			return 1;
		double t = 1 + x * (1 + x * (1.0 / 2 + x * (1.0 / 6 +
			   x * (1.0 / 24 + x * (1.0 / 120 + x * (1.0 / 720 +
			   x * (1.0 / 5040)))))));
		double x4 = (x * x) * (x * x);
		double margin = 6.8e-5 * (x4 * x4) + 1e-12;
		double est = r * t;
		if (p < est * (1 - margin))
			return 1;
		if (p >= est * (1 + margin))
			return 0;
	}
	return p < coh_rules_generator_rate_per_day(r, feedback, b, c);
}

#endif
