/* ABC-SMC's pieces that know no files (include/cohesim/calibrate.h,
 * docs/calibration.md): milestones as reads, keyed random numbers, prior
 * scales, the perturbation kernel, importance weights and weighted
 * quantiles. */
#include "cohesim/calibrate.h"
#include "cohesim/date.h"
#include "core/alloc.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*--- Milestones as reads ------------------------------------------------*/

static const char *const status_qoi[] = {"active", "frozen", "exited"};

/* The QoI text of milestone ms read at day (since the start). */
static char *milestone_qoi(const coh_model *m, const coh_milestone *ms,
			   int64_t day)
{
	char date[16], buf[256];
	coh_date_format(date, sizeof date, m->start_day + day);
	const char *id = ms->member >= 0 ? m->members[ms->member].id : "";
	switch (ms->kind) {
	case COH_MILESTONE_STATUS:
		snprintf(buf, sizeof buf, "%s:%s@%s", status_qoi[ms->status],
			 id, date);
		break;
	case COH_MILESTONE_COMMITMENT:
		snprintf(buf, sizeof buf, "commitment:%s@%s", id, date);
		break;
	case COH_MILESTONE_METRIC:
		snprintf(buf, sizeof buf, "%s@%s", ms->metric, date);
		break;
	default: /* COH_MILESTONE_FROZEN_BY */
		snprintf(buf, sizeof buf, "frozen_by:%s@%s", id, date);
		break;
	}
	return coh_strdup(buf);
}

void coh_abc_reads_free(coh_abc_reads *r)
{
	if (!r)
		return;
	for (size_t q = 0; r->qoi && q < r->n_qoi; q++)
		coh_free(r->qoi[q]);
	coh_free(r->qoi);
	coh_free(r->first);
	coh_free(r->count);
	*r = (coh_abc_reads){0};
}

int coh_abc_reads_make(coh_abc_reads *out, const coh_model *m,
		       coh_error *err)
{
	coh_abc_reads r = {0};
	size_t n = m->n_milestones, total = 0;
	int64_t last = (int64_t)floor(m->horizon);
	for (size_t i = 0; i < n; i++) {
		const coh_milestone *ms = &m->milestones[i];
		int64_t lo = ms->day - ms->tolerance, hi = ms->day +
			     ms->tolerance;
		lo = lo < 0 ? 0 : lo;
		hi = hi > last ? last : hi;
		total += ms->kind == COH_MILESTONE_FROZEN_BY
			 ? 1 : (size_t)(hi - lo + 1);
	}
	r.qoi = coh_calloc(total ? total : 1, sizeof *r.qoi);
	r.first = coh_calloc(n ? n : 1, sizeof *r.first);
	r.count = coh_calloc(n ? n : 1, sizeof *r.count);
	int ok = r.qoi && r.first && r.count;
	for (size_t i = 0; ok && i < n; i++) {
		const coh_milestone *ms = &m->milestones[i];
		int64_t lo = ms->day - ms->tolerance, hi = ms->day +
			     ms->tolerance;
		lo = lo < 0 ? 0 : lo;
		hi = hi > last ? last : hi;
		if (ms->kind == COH_MILESTONE_FROZEN_BY)
			lo = hi;
		r.first[i] = r.n_qoi;
		for (int64_t d = lo; ok && d <= hi; d++)
			ok = (r.qoi[r.n_qoi++] = milestone_qoi(m, ms, d)) !=
			     NULL;
		r.count[i] = r.n_qoi - r.first[i];
	}
	if (!ok) {
		coh_abc_reads_free(&r);
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	}
	*out = r;
	return 0;
}

static int holds(const coh_milestone *ms, double v)
{
	if (isnan(v))
		return 0;
	if (ms->kind == COH_MILESTONE_COMMITMENT ||
	    ms->kind == COH_MILESTONE_METRIC)
		return ms->lo <= v && v <= ms->hi;
	return v == 1.0;
}

uint64_t coh_abc_missed(const coh_model *m, const coh_abc_reads *r,
			const double *values)
{
	uint64_t missed = 0;
	for (size_t i = 0; i < m->n_milestones; i++) {
		int ok = 0;
		for (size_t q = 0; q < r->count[i] && !ok; q++)
			ok = holds(&m->milestones[i], values[r->first[i] + q]);
		if (!ok)
			missed |= UINT64_C(1) << i;
	}
	return missed;
}

double coh_abc_distance(const coh_model *m, uint64_t missed)
{
	double all = 0, miss = 0;
	for (size_t i = 0; i < m->n_milestones; i++) {
		all += m->milestones[i].weight;
		if (missed >> i & 1)
			miss += m->milestones[i].weight;
	}
	return all > 0 ? miss / all : 0.0;
}

void coh_abc_milestone_text(char *buf, size_t cap, const coh_model *m,
			    const coh_milestone *ms)
{
	const char *id = ms->member >= 0 ? m->members[ms->member].id : "";
	int n = 0;
	switch (ms->kind) {
	case COH_MILESTONE_STATUS:
		n = snprintf(buf, cap, "%s %s", id,
			     coh_status_name(ms->status));
		break;
	case COH_MILESTONE_COMMITMENT:
		n = snprintf(buf, cap, "%s commitment in [%g, %g]", id, ms->lo,
			     ms->hi);
		break;
	case COH_MILESTONE_METRIC:
		n = snprintf(buf, cap, "%s in [%g, %g]", ms->metric, ms->lo,
			     ms->hi);
		break;
	default:
		n = snprintf(buf, cap, "%s has frozen", id);
		break;
	}
	if (ms->tolerance && n > 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, " (+-%" PRId64 " days)",
			 ms->tolerance);
}

/*--- Keyed random numbers -----------------------------------------------*/

static uint64_t splitmix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

double coh_abc_uniform(uint64_t seed, uint64_t stream, uint64_t index)
{
	uint64_t x = splitmix64(splitmix64(splitmix64(seed) ^ stream) ^
				index);
	return (double)(x >> 11) * 0x1.0p-53;
}

/* A standard normal from the uniforms index and index + 1 (Box-Muller,
 * the cosine branch). */
static double keyed_normal(uint64_t seed, uint64_t stream, uint64_t index)
{
	double u1 = coh_abc_uniform(seed, stream, index);
	double u2 = coh_abc_uniform(seed, stream, index + 1);
	return sqrt(-2.0 * log1p(-u1)) * cos(2.0 * M_PI * u2);
}

/*--- Priors -------------------------------------------------------------*/

double coh_abc_to_scale(const coh_prior *p, double value)
{
	return p->log ? log(value) : value;
}

double coh_abc_from_scale(const coh_prior *p, double z)
{
	return p->log ? exp(z) : z;
}

double coh_abc_prior_value(const coh_prior *p, double u)
{
	double lo = coh_abc_to_scale(p, p->min), hi = coh_abc_to_scale(p,
								      p->max);
	double v = coh_abc_from_scale(p, lo + u * (hi - lo));
	/* exp(log(x)) may land an ulp outside */
	return v < p->min ? p->min : v > p->max ? p->max : v;
}

static int in_support(const coh_prior *priors, size_t k, const double *theta)
{
	for (size_t j = 0; j < k; j++)
		if (!(theta[j] >= priors[j].min && theta[j] <= priors[j].max))
			return 0;
	return 1;
}

/*--- The kernel ---------------------------------------------------------*/

struct coh_abc_kernel {
	size_t k;
	double *chol;           /* lower Cholesky factor L, k x k */
	double *inv;            /* (L L^T)^-1, k x k */
};

void coh_abc_kernel_free(coh_abc_kernel *kern)
{
	if (!kern)
		return;
	coh_free(kern->chol);
	coh_free(kern->inv);
	coh_free(kern);
}

int coh_abc_kernel_fit(coh_abc_kernel **out, const coh_prior *priors,
		       const coh_abc_population *pop, coh_error *err)
{
	size_t k = pop->k, n = pop->n;
	coh_abc_kernel *kern = coh_calloc(1, sizeof *kern);
	double *mean = coh_calloc(k, sizeof *mean);
	gsl_matrix *cov = gsl_matrix_calloc(k, k);
	gsl_matrix *inv = gsl_matrix_alloc(k, k);
	if (!kern || !mean || !cov || !inv ||
	    !(kern->chol = coh_calloc(k * k, sizeof *kern->chol)) ||
	    !(kern->inv = coh_calloc(k * k, sizeof *kern->inv))) {
		coh_abc_kernel_free(kern);
		coh_free(mean);
		gsl_matrix_free(cov);
		gsl_matrix_free(inv);
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	}
	kern->k = k;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < k; j++)
			mean[j] += pop->weight[i] *
				   coh_abc_to_scale(&priors[j],
						    pop->theta[i * k + j]);
	for (size_t i = 0; i < n; i++)
		for (size_t a = 0; a < k; a++)
			for (size_t b = 0; b < k; b++) {
				double da = coh_abc_to_scale(&priors[a],
					pop->theta[i * k + a]) - mean[a];
				double db = coh_abc_to_scale(&priors[b],
					pop->theta[i * k + b]) - mean[b];
				*gsl_matrix_ptr(cov, a, b) +=
					2.0 * pop->weight[i] * da * db;
			}
	/* a direction without spread gets a hundredth of the prior's
	 * range, so that the kernel can still move along it */
	for (size_t j = 0; j < k; j++) {
		double range = coh_abc_to_scale(&priors[j], priors[j].max) -
			       coh_abc_to_scale(&priors[j], priors[j].min);
		double floor_var = 1e-4 * range * range;
		if (!(gsl_matrix_get(cov, j, j) > floor_var * 1e-6)) {
			for (size_t b = 0; b < k; b++) {
				gsl_matrix_set(cov, j, b, 0.0);
				gsl_matrix_set(cov, b, j, 0.0);
			}
			gsl_matrix_set(cov, j, j, floor_var);
		}
	}
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	gsl_matrix_memcpy(inv, cov);
	if (gsl_linalg_cholesky_decomp1(inv) != GSL_SUCCESS) {
		/* correlated to the point of singularity: the diagonal */
		gsl_matrix_set_zero(inv);
		for (size_t j = 0; j < k; j++)
			gsl_matrix_set(inv, j, j,
				       sqrt(gsl_matrix_get(cov, j, j)));
	}
	gsl_set_error_handler(old);
	for (size_t a = 0; a < k; a++)
		for (size_t b = 0; b <= a; b++)
			kern->chol[a * k + b] = gsl_matrix_get(inv, a, b);
	/* the inverse from the factor: (L L^T)^-1 */
	gsl_matrix_set_zero(cov);
	for (size_t a = 0; a < k; a++)
		for (size_t b = 0; b <= a; b++)
			gsl_matrix_set(cov, a, b, kern->chol[a * k + b]);
	old = gsl_set_error_handler_off();
	gsl_linalg_cholesky_invert(cov);
	gsl_set_error_handler(old);
	for (size_t a = 0; a < k; a++)
		for (size_t b = 0; b < k; b++)
			kern->inv[a * k + b] = gsl_matrix_get(cov, a, b);
	coh_free(mean);
	gsl_matrix_free(cov);
	gsl_matrix_free(inv);
	*out = kern;
	return 0;
}

#define MAX_REDRAWS 10000
/* Uniforms a proposal draws per attempt: the particle, then two per
 * coordinate of the perturbation. */
#define DRAWS_PER_TRY(k) (1 + 2 * (uint64_t)(k))

int coh_abc_propose(double *theta, const coh_prior *priors, size_t k,
		    const coh_abc_population *pop,
		    const coh_abc_kernel *kern, uint64_t seed, uint64_t stream,
		    uint64_t index, coh_error *err)
{
	/* each proposal owns a block of 2^32 uniforms of its stream */
	uint64_t base = index << 32;
	if (!kern) {
		for (size_t j = 0; j < k; j++)
			theta[j] = coh_abc_prior_value(
				&priors[j], coh_abc_uniform(seed, stream,
							    base + j));
		return 0;
	}
	double z[64];
	if (k > 64)
		return coh_error_set(err, COH_EUSAGE, NULL, 0, "at most 64 "
				     "priors, got %zu", k);
	for (uint64_t t = 0; t < MAX_REDRAWS; t++) {
		uint64_t at = base + t * DRAWS_PER_TRY(k);
		double u = coh_abc_uniform(seed, stream, at);
		size_t pick = pop->n - 1;
		double cum = 0;
		for (size_t i = 0; i < pop->n; i++) {
			cum += pop->weight[i];
			if (u < cum) {
				pick = i;
				break;
			}
		}
		for (size_t j = 0; j < k; j++)
			z[j] = keyed_normal(seed, stream, at + 1 + 2 * j);
		for (size_t a = k; a-- > 0;) {
			double s = 0;
			for (size_t b = 0; b <= a; b++)
				s += kern->chol[a * k + b] * z[b];
			theta[a] = coh_abc_from_scale(&priors[a],
				coh_abc_to_scale(&priors[a],
						 pop->theta[pick * k + a]) + s);
		}
		if (in_support(priors, k, theta))
			return 0;
	}
	return coh_error_set(err, COH_ENUMERIC, NULL, 0, "no proposal inside "
			     "the priors' support after %d draws; the "
			     "particles sit at the edge of a prior",
			     MAX_REDRAWS);
}

double coh_abc_weight(const double *theta, double lik,
		      const coh_prior *priors, const coh_abc_population *pop,
		      const coh_abc_kernel *kern)
{
	if (!kern || lik <= 0)
		return lik;
	size_t k = pop->k;
	double d[64];
	double mix = 0;
	for (size_t i = 0; i < pop->n; i++) {
		for (size_t j = 0; j < k; j++)
			d[j] = coh_abc_to_scale(&priors[j], theta[j]) -
			       coh_abc_to_scale(&priors[j],
						pop->theta[i * k + j]);
		double q = 0;
		for (size_t a = 0; a < k; a++)
			for (size_t b = 0; b < k; b++)
				q += d[a] * kern->inv[a * k + b] * d[b];
		mix += pop->weight[i] * exp(-0.5 * q);
	}
	return mix > 0 ? lik / mix : 0.0;
}

double coh_abc_ess(const double *w, size_t n)
{
	double s = 0, s2 = 0;
	for (size_t i = 0; i < n; i++) {
		s += w[i];
		s2 += w[i] * w[i];
	}
	return s2 > 0 ? s * s / s2 : 0.0;
}

typedef struct wx {
	double x, w;
} wx;

static int by_x(const void *a, const void *b)
{
	double x = ((const wx *)a)->x, y = ((const wx *)b)->x;
	return (x > y) - (x < y);
}

double coh_abc_quantile(const double *x, const double *w, size_t n, double p)
{
	wx *v = coh_calloc(n ? n : 1, sizeof *v);
	if (!v || n == 0) {
		coh_free(v);
		return NAN;
	}
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		v[i].x = x[i];
		v[i].w = w ? w[i] : 1.0;
		total += v[i].w;
	}
	qsort(v, n, sizeof *v, by_x);
	double cum = 0, q = v[n - 1].x;
	for (size_t i = 0; i < n; i++) {
		cum += v[i].w;
		if (cum >= p * total * (1 - 1e-12)) {
			q = v[i].x;
			break;
		}
	}
	coh_free(v);
	return q;
}

/*--- Backtests ------------------------------------------------------------*/

int coh_abc_cut(coh_model *out, const coh_model *m, double cutoff,
		coh_error *err)
{
	coh_event *events = coh_calloc(m->n_events + 1, sizeof *events);
	coh_generator *gens = coh_calloc(m->n_generators + 1, sizeof *gens);
	if (!events || !gens) {
		coh_free(events);
		coh_free(gens);
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	}
	*out = *m;
	out->events = events;
	out->n_events = 0;
	for (size_t i = 0; i < m->n_events; i++)
		if (m->events[i].day <= cutoff)
			events[out->n_events++] = m->events[i];
	out->generators = gens;
	for (size_t g = 0; g < m->n_generators; g++) {
		gens[g] = m->generators[g];
		if (gens[g].start > cutoff)
			gens[g].start = cutoff;
	}
	return 0;
}

void coh_abc_cut_release(coh_model *cut)
{
	coh_free(cut->events);
	coh_free(cut->generators);
	cut->events = NULL;
	cut->generators = NULL;
}

double coh_abc_brier(double p)
{
	return (1 - p) * (1 - p);
}

double coh_abc_log_score(double p, uint64_t replications)
{
	double floor_p = 0.5 / (double)replications;
	return 0.0 - log(p > floor_p ? p : floor_p);   /* +0 at p = 1 */
}
