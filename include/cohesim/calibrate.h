/* Calibration to the record (docs/calibration.md): the pieces of
 * ABC-SMC with a stochastic acceptor that know no files.  A scenario's
 * milestones become quantities of interest read in each replication, a
 * replication's result is the set of milestones it misses, and a
 * population of particles (parameter values with weights) moves from the
 * prior towards the posterior through proposals from a Gaussian kernel.
 * Random numbers are keyed: every draw is a function of (seed, stream,
 * index), so a proposal is the same whoever makes it and whenever. */
#ifndef COHESIM_CALIBRATE_H
#define COHESIM_CALIBRATE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "model.h"

/*--- Milestones as reads ------------------------------------------------*/

/* The QoIs that decide a model's milestones: milestone i reads QoIs
 * first[i] .. first[i] + count[i] - 1 (one per whole day of its
 * tolerance window, clipped to the horizon; one for frozen_by, read at
 * the window's end). */
typedef struct coh_abc_reads {
	char **qoi;             /* "active:ARM@2022-06-30", ... */
	size_t n_qoi;
	size_t *first, *count;  /* per milestone */
} coh_abc_reads;

/* Builds the reads of model's milestones; COH_ENOMEM. */
int coh_abc_reads_make(coh_abc_reads *out, const coh_model *model,
		       coh_error *err);
void coh_abc_reads_free(coh_abc_reads *reads);

/* The milestones one replication misses, bit i for milestone i, from its
 * QoI values (in the order of reads->qoi).  A NaN value never meets a
 * condition. */
uint64_t coh_abc_missed(const coh_model *model, const coh_abc_reads *reads,
			const double *values);

/* The weighted share of milestones missed: sum of the missed ones'
 * weights over the sum of all weights, in [0, 1]; 0 when none is
 * missed. */
double coh_abc_distance(const coh_model *model, uint64_t missed);

/* The milestone's condition in words ("ARM frozen", "active in [5, 5]
 * (+-10 days)"), for tables and describe. */
void coh_abc_milestone_text(char *buf, size_t cap, const coh_model *model,
			    const coh_milestone *ms);

/*--- Keyed random numbers -----------------------------------------------*/

/* A uniform in [0, 1) that depends only on its arguments (SplitMix64 of
 * a mix of them). */
double coh_abc_uniform(uint64_t seed, uint64_t stream, uint64_t index);

/*--- Priors -------------------------------------------------------------*/

/* The kernel works on the prior's own scale: the value itself for a
 * uniform prior, its logarithm for a log-uniform one. */
double coh_abc_to_scale(const coh_prior *prior, double value);
double coh_abc_from_scale(const coh_prior *prior, double z);
/* The value at quantile u of the prior. */
double coh_abc_prior_value(const coh_prior *prior, double u);

/*--- Populations and the kernel -----------------------------------------*/

/* n particles of k values each (theta[i * k + j]) with weights summing to
 * 1. */
typedef struct coh_abc_population {
	size_t n, k;
	double *theta;
	double *weight;
} coh_abc_population;

/* The perturbation kernel of the next generation: a Gaussian on the
 * priors' scales with twice the weighted covariance of the population
 * (Beaumont et al. 2009).  A covariance that is not positive definite
 * (particles that all agree in some direction) falls back to its
 * diagonal, and a zero variance to a hundredth of the prior's range, so
 * that proposals can always move. */
typedef struct coh_abc_kernel coh_abc_kernel;

int coh_abc_kernel_fit(coh_abc_kernel **out, const coh_prior *priors,
		       const coh_abc_population *pop, coh_error *err);
void coh_abc_kernel_free(coh_abc_kernel *kernel);

/* Proposal `index` of a stream: generation 0 (kernel NULL) draws from
 * the prior; later ones draw a particle of pop by weight and perturb it
 * with the kernel, drawing again while the result lies outside a prior's
 * support (at most 10^4 times, then COH_ENUMERIC).  theta receives the
 * k values of the k priors. */
int coh_abc_propose(double *theta, const coh_prior *priors, size_t k,
		    const coh_abc_population *pop,
		    const coh_abc_kernel *kernel, uint64_t seed,
		    uint64_t stream, uint64_t index, coh_error *err);

/* The importance weight of theta before normalisation: the likelihood
 * estimate over the kernel's mixture density sum_j w_j K(theta | theta_j)
 * (the prior's density is constant on its support on the scale the
 * kernel works in); lik itself in generation 0 (kernel NULL). */
double coh_abc_weight(const double *theta, double lik,
		      const coh_prior *priors, const coh_abc_population *pop,
		      const coh_abc_kernel *kernel);

/* The effective sample size 1 / sum w_i^2 of normalised weights. */
double coh_abc_ess(const double *weight, size_t n);

/* The weighted p-quantile of x (n values, weights w >= 0 not all 0):
 * the smallest x_i whose cumulative weight in sorted order reaches p. */
double coh_abc_quantile(const double *x, const double *w, size_t n,
			double p);

/*--- Backtests ------------------------------------------------------------*/

/* The model as it stood at the cutoff (days since the start): a shallow
 * copy whose timeline keeps the events dated on or before the cutoff and
 * whose generators starting after it start at it (the projection begins
 * there).  Everything else is shared with model; release the copy with
 * coh_abc_cut_release.  0 or COH_ENOMEM. */
int coh_abc_cut(coh_model *out, const coh_model *model, double cutoff,
		coh_error *err);
void coh_abc_cut_release(coh_model *cut);

/* The scores of a milestone forecast with probability p from R
 * replications, when it held: Brier (1 - p)^2 and the log score
 * -ln max(p, 1 / (2R)) (a forecast of 0 is scored as half a replication,
 * not as infinity). */
double coh_abc_brier(double p);
double coh_abc_log_score(double p, uint64_t replications);

/*--- A posterior file ----------------------------------------------------*/

/* posterior.csv as calibrate writes it: particle,weight,PATH...,
 * likelihood. */
typedef struct coh_posterior {
	size_t n, k;
	char **paths;           /* k */
	double *theta;          /* n * k */
	double *weight;         /* n, normalised to sum 1 */
	double *cum;            /* n, cumulative weights */
} coh_posterior;

/* Reads and checks a posterior file: its header, a number in every
 * field, weights that are finite and > 0, at least one particle.
 * COH_EINPUT with "file:line: what is wrong" in err, COH_EIO, COH_ENOMEM. */
int coh_posterior_read(coh_posterior *out, const char *path,
		       coh_error *err);
void coh_posterior_free(coh_posterior *post);

/* The particle replication r of a posterior predictive run draws: by
 * weight, from a uniform keyed by the seed and r alone (the same particle
 * whatever the thread, and in each scenario of a compare). */
size_t coh_posterior_draw(const coh_posterior *post, uint64_t seed,
			  uint64_t replication);

#endif
