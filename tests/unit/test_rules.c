/* The model's pure formulas (engine/rules.h) and the cohesion metrics
 * (engine/metrics.h), against closed forms. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "engine/metrics.h"
#include "engine/rules.h"

static void near(double got, double want, double rel)
{
	double tol = rel * (fabs(want) > 1 ? fabs(want) : 1.0);
	if (!(fabs(got - want) <= tol))
		print_error("got %.17g, want %.17g (tolerance %g)\n", got, want,
			    tol);
	assert_true(fabs(got - want) <= tol);
}

static void test_relaxation(void **state)
{
	(void)state;
	double rl = coh_rules_halvings(100), c, b;
	coh_rules_relax(0.9, 0.3, rl, 0, 100, &c, &b);
	near(c, 0.6, 1e-12);
	assert_true(b == 0.3);
	coh_rules_relax(0.9, 0.3, rl, 0, 250, &c, &b);
	near(c, 0.40606601717798213, 1e-12);
	/* in two steps the same, to rounding */
	double c1, b1;
	coh_rules_relax(0.9, 0.3, rl, 0, 110, &c1, &b1);
	coh_rules_relax(c1, b1, rl, 0, 140, &c, &b);
	near(c, 0.40606601717798213, 1e-12);
	/* half-life 0 and inf: no relaxation */
	assert_true(coh_rules_halvings(0) == 0 && coh_rules_halvings(HUGE_VAL) == 0);
	coh_rules_relax(0.9, 0.3, 0, 0, 1000, &c, &b);
	assert_true(c == 0.9 && b == 0.3);
}

static void test_adaptation_closed_form(void **state)
{
	(void)state;
	/* lambda = ln2/100, kappa = ln2/50: m = (2 * 0.9 + 0.3) / 3 = 0.7,
	 * c(t) = m + lambda/(lambda+kappa) D0 2^(-3t/100),
	 * b(t) = m - kappa/(lambda+kappa) D0 2^(-3t/100) */
	double rl = coh_rules_halvings(100), ra = coh_rules_halvings(50);
	near(coh_rules_target(0.9, 0.3, rl, ra), 0.7, 1e-15);
	for (double t = 0; t <= 400; t += 50) {
		double c, b, f = pow(2, -3 * t / 100);
		coh_rules_relax(0.9, 0.3, rl, ra, t, &c, &b);
		near(c, 0.7 + 0.6 / 3 * f, 1e-13);
		near(b, 0.7 - 0.6 * 2 / 3 * f, 1e-13);
	}
	/* the ODE dc/dt = -lambda (c - b), db/dt = kappa (c - b) by small
	 * Runge-Kutta steps */
	double lam = log(2) / 100, kap = log(2) / 50, c = 0.9, b = 0.3, h = 0.01;
	for (int k = 0; k < 10000; k++) {
		double k1c = -lam * (c - b), k1b = kap * (c - b);
		double c2 = c + h / 2 * k1c, b2 = b + h / 2 * k1b;
		double k2c = -lam * (c2 - b2), k2b = kap * (c2 - b2);
		double c3 = c + h / 2 * k2c, b3 = b + h / 2 * k2b;
		double k3c = -lam * (c3 - b3), k3b = kap * (c3 - b3);
		double c4 = c + h * k3c, b4 = b + h * k3b;
		double k4c = -lam * (c4 - b4), k4b = kap * (c4 - b4);
		c += h / 6 * (k1c + 2 * k2c + 2 * k3c + k4c);
		b += h / 6 * (k1b + 2 * k2b + 2 * k3b + k4b);
	}
	double cc, bb;
	coh_rules_relax(0.9, 0.3, rl, ra, 100, &cc, &bb);
	near(cc, c, 1e-10);
	near(bb, b, 1e-10);
	/* adaptation alone: c stays, b moves to it */
	coh_rules_relax(0.9, 0.3, 0, ra, 50, &cc, &bb);
	assert_true(cc == 0.9);
	near(bb, 0.6, 1e-15);
}

static void test_crossing(void **state)
{
	(void)state;
	double rl = coh_rules_halvings(100);
	/* 0.9 -> 0.3 crosses 0.5 after 100 log2(3) days */
	double t = coh_rules_flip_after(0.9, 0.3, rl, 0.5, 0, 0);
	near(t, 100 * log2(3.0), 1e-12);
	near(t + 10, 168.49625007211562, 1e-12);
	/* already below and heading further down: never leaves */
	assert_true(isinf(coh_rules_flip_after(0.4, 0.3, rl, 0.5, 0, 1)));
	/* target above the threshold: never enters below it */
	assert_true(isinf(coh_rules_flip_after(0.9, 0.6, rl, 0.5, 0, 0)));
	/* target exactly on it: approaches without reaching */
	assert_true(isinf(coh_rules_flip_after(0.9, 0.5, rl, 0.5, 0, 0)));
	/* rising 0.2 -> 0.8 leaves "below 0.5" after 100 log2(2) days */
	near(coh_rules_flip_after(0.2, 0.8, rl, 0.5, 0, 1), 100, 1e-12);
	/* and enters "above 0.6" after 100 log2(3) */
	near(coh_rules_flip_after(0.2, 0.8, rl, 0.6, 1, 0), 100 * log2(3.0), 1e-12);
	/* no relaxation: nothing ever changes */
	assert_true(isinf(coh_rules_flip_after(0.9, 0.3, 0, 0.5, 0, 0)));
	/* starting on the threshold (or an ulp past it): now */
	assert_true(coh_rules_flip_after(0.5, 0.3, rl, 0.5, 0, 0) == 0);
	assert_true(coh_rules_flip_after(0.4999999999, 0.3, rl, 0.5, 0, 0) == 0);
}

static void test_impacts(void **state)
{
	(void)state;
	assert_true(coh_rules_impact(-0.4, 2, 0.5) == -0.4);
	assert_true(coh_rules_impact(0.8, 2, 1) == 1);
	assert_true(coh_rules_impact(-0.8, 2, 1) == -1);
	/* negative impacts compose multiplicatively, in either order */
	double c = 0.7, x1 = -0.3, x2 = -0.55;
	double a = coh_rules_apply(coh_rules_apply(c, x1), x2);
	double b = coh_rules_apply(coh_rules_apply(c, x2), x1);
	near(a, c * (1 + x1) * (1 + x2), 1e-15);
	near(b, a, 1e-15);
	/* positive: 1 - (1 - c)(1 - x) */
	near(coh_rules_apply(0.7, 0.4), 1 - 0.3 * 0.6, 1e-15);
	assert_true(coh_rules_apply(0.7, 1) == 1);
	assert_true(coh_rules_apply(0.7, -1) == 0);
	assert_true(coh_rules_apply(0, 0.5) == 0.5);
}

static void test_fulfilment(void **state)
{
	(void)state;
	double p[4] = {0.5, 0.2, 0.1, 0.3};
	double l[4] = {-1, 0.2, 1, -1};
	unsigned char alive[4] = {1, 1, 1, 1};
	double f = coh_rules_fulfilment(p, l, alive, 4, 0);
	assert_true(f == (0.2 * 0.2 + 0.1 * 1) / (0.2 + 0.1 + 0.3));
	alive[3] = 0;
	near(coh_rules_fulfilment(p, l, alive, 4, 0), (0.04 + 0.1) / 0.3, 1e-15);
	/* the requester's own answer does not count */
	l[0] = 1;
	near(coh_rules_fulfilment(p, l, alive, 4, 0), (0.04 + 0.1) / 0.3, 1e-15);
	/* no one left */
	alive[1] = alive[2] = 0;
	assert_true(coh_rules_fulfilment(p, l, alive, 4, 0) == 0);
}

static void test_response_and_rate(void **state)
{
	(void)state;
	coh_response_params rp = {-1.0, 2.0, 1.0, 3.0, 0.25};
	double z = -1 + 2 * 0.8 + 1 * 0.5 - 3 * 0.2;
	near(coh_rules_response_probability(&rp, 0.8, 0.5, 0.2, 1),
	     1 / (1 + exp(-z)), 1e-15);
	/* a negative affinity to the attacker does not help */
	z = -1 + 2 * 0.8 + 1 * 0.5;
	near(coh_rules_response_probability(&rp, 0.8, 0.5, -0.7, 1),
	     1 / (1 + exp(-z)), 1e-15);
	near(coh_rules_response_probability(&rp, 0.8, 0.5, -0.7, 0),
	     0.25 / (1 + exp(-z)), 1e-15);
	/* no overflow far out */
	coh_response_params big = {-1000, 0, 0, 0, 1};
	assert_true(coh_rules_response_probability(&big, 0, 0, 0, 1) == 0);
	big.base = 1000;
	assert_true(coh_rules_response_probability(&big, 0, 0, 0, 1) == 1);

	near(coh_rules_generator_rate(2, 0, 0.9, 0.1), 2 / 365.25, 1e-15);
	near(coh_rules_generator_rate(2, 3, 0.8, 0.3), 2 / 365.25 * exp(1.5),
	     1e-15);
}

static void test_metrics(void **state)
{
	(void)state;
	double p[4] = {0.5, 0.2, 0.1, 0.2};
	double c[4] = {0.9, 0.4, 0.6, 0.1};
	coh_status st[4] = {COH_ACTIVE, COH_FROZEN, COH_ACTIVE, COH_EXITED};
	coh_sample s = {0};
	coh_metrics_compute(&s, p, c, st, 4);
	near(s.cohesion, (0.45 + 0.08 + 0.06) / 1.0, 1e-15);
	near(s.mean, (0.9 + 0.4 + 0.6) / 4, 1e-15);
	assert_true(s.min == 0.4);
	/* population sd of 0.9, 0.4, 0.6 */
	double m = 1.9 / 3;
	near(s.sd, sqrt(((0.9 - m) * (0.9 - m) + (0.4 - m) * (0.4 - m) +
			 (0.6 - m) * (0.6 - m)) / 3), 1e-15);
	assert_int_equal(s.active, 2);
	assert_int_equal(s.frozen, 1);
	assert_int_equal(s.exited, 1);
	/* everyone gone */
	coh_status gone[4] = {COH_EXITED, COH_EXITED, COH_EXITED, COH_EXITED};
	coh_metrics_compute(&s, p, c, gone, 4);
	assert_true(s.cohesion == 0 && s.mean == 0);
	assert_true(isnan(s.min) && isnan(s.sd));
	assert_true(isnan(coh_metrics_reliability(0, 0)));
	assert_true(coh_metrics_reliability(4, 3) == 0.75);
}

/* A small generator for the shortcut tests (fixed seed, printed on
 * failure): uniform in [0, 1). */
static double unit(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) * 0x1p-53;
}

/* coh_rules_below_rate answers p < rate exactly as the comparison with
 * exp() does: on random draws, and on draws placed within a few ulps and
 * within 1e-12 of the rate, where its shortcuts must defer. */
static void test_below_rate_is_exact(void **state)
{
	(void)state;
	const uint64_t seed = 7;
	uint64_t s = seed;
	long checked = 0;
	for (int k = 0; k < 2000000; k++) {
		double r = k % 5 == 0 ? 0x1p-1010 : exp(-20 * unit(&s));
		double feedback = k % 7 == 0 ? 0 : 8 * unit(&s) - 4;
		double b = unit(&s), c = unit(&s);
		double rate = coh_rules_generator_rate_per_day(r, feedback, b,
								c);
		double p;
		switch (k % 4) {
		case 0: p = unit(&s) * 3 * r; break;
		case 1: p = rate; break;
		case 2: p = nextafter(rate, k % 8 < 4 ? 0 : 1); break;
		default: p = rate * (1 + (unit(&s) - 0.5) * 4e-12); break;
		}
		int want = p < rate;
		if (coh_rules_below_rate(p, r, feedback, b, c) != want)
			fail_msg("seed %llu, case %d: p %.17g r %.17g feedback "
				 "%.17g b %.17g c %.17g", (unsigned long long)
				 seed, k, p, r, feedback, b, c);
		checked++;
	}
	print_message("  %ld thinning tests agree (seed %llu)\n", checked,
		      (unsigned long long)seed);
}

/* coh_rules_crossed_within, when it answers, answers as t0 + off <= t
 * does, off = coh_rules_crossing_after: on random trajectories and on
 * ones whose crossing falls within a hair of t. */
static void test_crossed_within_is_exact(void **state)
{
	(void)state;
	const uint64_t seed = 11;
	uint64_t s = seed;
	long answered = 0, deferred = 0;
	for (int k = 0; k < 2000000; k++) {
		double rate = exp(12 * unit(&s) - 9);
		double m = unit(&s), theta = unit(&s);
		double c0 = unit(&s);
		double t0 = 3000 * unit(&s);
		double off = coh_rules_crossing_after(c0, m, rate, theta);
		double t;
		if (k % 3 == 0 && isfinite(off) && off > 0)
			t = nextafter(t0 + off, k % 2 ? 0 : HUGE_VAL);
		else if (k % 3 == 1 && isfinite(off) && off > 0)
			t = t0 + off;
		else
			t = t0 + 1e-6 + 500 * unit(&s);
		if (!(t > t0))
			continue;
		double f = exp2(-rate * (t - t0));
		int got = coh_rules_crossed_within(c0, m, theta, f, rate * t);
		if (got < 0) {
			deferred++;
			continue;
		}
		answered++;
		if (got != (t0 + off <= t))
			fail_msg("seed %llu, case %d: c0 %.17g m %.17g theta "
				 "%.17g rate %.17g t0 %.17g t %.17g", (unsigned
				 long long)seed, k, c0, m, theta, rate, t0, t);
	}
	print_message("  %ld crossing tests agree, %ld deferred to the "
		      "logarithm (seed %llu)\n", answered, deferred,
		      (unsigned long long)seed);
	assert_true(answered > deferred);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relaxation),
		cmocka_unit_test(test_adaptation_closed_form),
		cmocka_unit_test(test_crossing),
		cmocka_unit_test(test_impacts),
		cmocka_unit_test(test_fulfilment),
		cmocka_unit_test(test_response_and_rate),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_below_rate_is_exact),
		cmocka_unit_test(test_crossed_within_is_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
