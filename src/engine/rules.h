/* The model's pure formulas (MODEL.md sections 2-4 and 7), one function
 * each, with no state: the run loop in sim.c decides when they apply.
 * Relaxation rates are kept in halvings per day (1 / half-life), so that a
 * member one half-life out is exactly half way home. */
#ifndef COH_ENGINE_RULES_H
#define COH_ENGINE_RULES_H

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
double coh_rules_target(double c, double b, double rl, double ra);

/* Commitment c and baseline b after dt >= 0 days without events:
 * c - b decays at rate rl + ra and both approach the target. */
void coh_rules_relax(double c, double b, double rl, double ra, double dt,
		     double *c_out, double *b_out);

/* For a trajectory starting at c0 and tending monotonically to m with
 * rate rate (halvings per day), whether it is "inside" a condition
 * (below theta, or above it with `above`) changes at most once.  Given
 * whether it is inside now, returns the days until it changes (0 when the
 * start value already sits on or past theta, as rounding can leave it), or
 * +inf when it never changes. */
double coh_rules_flip_after(double c0, double m, double rate, double theta,
			    int above, int inside);

/* The bounded impact x = clamp(omega * m * s, -1, 1). */
double coh_rules_impact(double omega, double magnitude, double sensitivity);

/* Commitment after an impact x in [-1, 1]: c + x (1 - c) for x >= 0,
 * c (1 + x) otherwise; the result stays in [0, 1]. */
double coh_rules_apply(double c, double x);

/* Fulfilment of member i's request: sum_j p_j l_j over the responders
 * (level < 0: no answer) divided by sum_{j != i} p_j, counting only members
 * with alive[j] != 0; 0 when no one else is left.  Clamped to [0, 1]. */
double coh_rules_fulfilment(const double *power, const double *level,
			    const unsigned char *alive, size_t n, size_t i);

/* Probability that a member answers a request (MODEL.md section 4): the
 * logistic of base + commitment c + tie w - affinity max(0, a), times
 * scope_factor when the request is out of scope. */
double coh_rules_response_probability(const coh_response_params *p,
				      double c, double w, double a,
				      int in_scope);

/* Generator rate in events per day: rate_per_year / 365.25 *
 * exp(feedback * (b - c)). */
double coh_rules_generator_rate(double rate_per_year, double feedback,
				double b, double c);

#endif
