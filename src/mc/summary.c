/* Streaming summaries across replications: means and variances from exact
 * integer sums, histogram quantiles, and freeze / exit shares per sample
 * time.  Memory depends on samples x metrics, never on the number of
 * replications.
 *
 * Every accumulator is an integer (values are rounded to multiples of
 * 2^-31, counts kept as they are), so adding replications in any order and
 * merging the partial summaries of several threads gives the same bits:
 * the summary can be built where the replications are run, in parallel,
 * and still not depend on the thread count.  Sums use the 128-bit integers
 * of GCC and Clang (__int128). */
#include "cohesim/mc.h"
#include "core/alloc.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

const double coh_summary_quantiles[COH_SUMMARY_NQ] = {
	0.05, 0.25, 0.50, 0.75, 0.95
};

/* Histograms take at most this many counters in all; finer bins for small
 * models, coarser ones for huge ones (the resolution is reported). */
#define HIST_BUDGET (64u * 1024u * 1024u)
#define HIST_MAX_BINS 1024u
#define HIST_MIN_BINS 64u

/* Values are kept as multiples of 2^-31, so that a square fits 63 bits
 * (|q| <= 2^31 for values in [-1, 1]); replications are limited so that
 * n * sum of squares fits 127 bits. */
#define MAX_REPLICATIONS (1ull << 31)
#define FIXED_SCALE 2147483648.0 /* 2^31 */

typedef __int128 wide;

typedef struct accum {
	uint64_t n;
	wide s1, s2;            /* sums of q and q^2, q = round(x * scale) */
	double min, max;
} accum;

struct coh_summary {
	size_t n_samples, n_members, n_metrics;
	int difference;
	uint64_t replications;
	double *days;
	char **names;
	double *lo, *hi;       /* range of each metric */
	double *scale;         /* FIXED_SCALE, or 1 for counts */
	double *per_width;     /* bins / (hi - lo), or 1 for counts */
	unsigned *bins;        /* per metric: count of histogram bins */
	size_t *hist_offset;   /* per metric: offset of sample 0's histogram */
	accum *acc;            /* [sample][metric] */
	uint32_t *hist;
	uint64_t *frozen_by, *exited_by; /* [sample][member] */
	uint64_t *frozen_now;           /* frozen at the sample */
	/* a difference paired by member id (coh_summary_alloc_paired):
	 * ALT's index of each member, -1 where ALT lacks it, and ALT's
	 * member count; NULL and n_members otherwise */
	int *alt_index;
	size_t alt_members;
};

size_t coh_sample_days(const coh_model *model, double *out, size_t cap)
{
	size_t n = 0;
	double T = model->horizon, dt = model->sample_every;
	for (uint64_t k = 0;; k++) {
		double t = (double)k * dt;
		if (t > T)
			break;
		if (out && n < cap)
			out[n] = t;
		n++;
	}
	if (n == 0 || (double)(n - 1) * dt != T) {
		if (out && n < cap)
			out[n] = T;
		n++;
	}
	return n;
}

/* The value of a metric in a sample of a model with n members: the fixed
 * metrics, each member's commitment, then (with joins) the candidates. */
static double metric_value(const coh_sample *s, size_t metric)
{
	switch (metric) {
	case COH_M_COHESION: return s->cohesion;
	case COH_M_MEAN: return s->mean;
	case COH_M_MIN: return s->min;
	case COH_M_SD: return s->sd;
	case COH_M_ACTIVE: return s->active;
	case COH_M_FROZEN: return s->frozen;
	case COH_M_EXITED: return s->exited;
	case COH_M_RELIABILITY: return s->reliability;
	default:
		return metric - COH_M__FIXED < s->n_members
			       ? s->commitment[metric - COH_M__FIXED]
			       : (double)s->candidates;
	}
}

void coh_summary_free(coh_summary *s)
{
	if (!s)
		return;
	if (s->names)
		for (size_t m = 0; m < s->n_metrics; m++)
			coh_free(s->names[m]);
	coh_free(s->names);
	coh_free(s->days);
	coh_free(s->lo);
	coh_free(s->hi);
	coh_free(s->scale);
	coh_free(s->per_width);
	coh_free(s->bins);
	coh_free(s->hist_offset);
	coh_free(s->acc);
	coh_free(s->hist);
	coh_free(s->frozen_by);
	coh_free(s->exited_by);
	coh_free(s->alt_index);
	coh_free(s->frozen_now);
	coh_free(s);
}

static unsigned pick_bins(size_t cells)
{
	unsigned bins = HIST_MAX_BINS;
	while (bins > HIST_MIN_BINS && (size_t)bins * cells > HIST_BUDGET)
		bins /= 2;
	return bins;
}

/* The count metrics; n_members places the candidates after the members'
 * commitments. */
static int is_count(size_t metric, size_t n_members)
{
	return metric == COH_M_ACTIVE || metric == COH_M_FROZEN ||
	       metric == COH_M_EXITED || metric == COH_M__FIXED + n_members;
}

/* Histogram bins of a metric: one per integer for the counts, so that
 * their quantiles are exact; `fine` over [0, 1] (or [-1, 1] for a
 * difference) for the rest. */
static unsigned metric_bins(const coh_model *model, size_t metric,
			    int difference, unsigned fine)
{
	if (is_count(metric, model->n_members))
		return (unsigned)model->n_members * (difference ? 2u : 1u) + 1u;
	return fine * (difference ? 2u : 1u);
}

/* Partial summaries of a set for `workers` threads. */
static int shards_for(int workers)
{
	return workers < 1 ? 1 : workers > COH_SUMMARY_SHARDS
					  ? COH_SUMMARY_SHARDS : workers;
}

/* What coh_summary_alloc takes, from the same sizes, so that a model
 * whose summaries would not fit is refused before work starts. */
static double summary_bytes(const coh_model *model, int difference)
{
	size_t ns = coh_sample_days(model, NULL, 0);
	size_t extra = (size_t)coh_model_has_joins(model);
	size_t nm = COH_M__FIXED + model->n_members + extra;
	unsigned fine = pick_bins(ns * nm);
	/* the fixed metrics, then every member's commitment, then the
	 * candidates */
	double bins = (double)model->n_members *
		      metric_bins(model, COH_M__FIXED, difference, fine);
	for (size_t m = 0; m < COH_M__FIXED; m++)
		bins += metric_bins(model, m, difference, fine);
	if (extra)
		bins += metric_bins(model, COH_M__FIXED + model->n_members,
				    difference, fine);
	return (double)ns * (double)nm * sizeof(accum) +        /* acc */
	       3.0 * (double)ns * (double)model->n_members *
		       sizeof(uint64_t) +   /* frozen_by, exited_by, now */
	       (double)ns * bins * sizeof(unsigned) +          /* hist */
	       (double)nm * 64.0;                              /* names */
}

double coh_summary_set_bytes(const coh_model *model, int difference,
			     int workers)
{
	return shards_for(workers) * summary_bytes(model, difference);
}

/* A summary of model's members; `counts` is the largest member count a
 * count metric (or its difference) can reach, and `candidates` whether
 * it has the candidates metric. */
static int summary_alloc(coh_summary **out, const coh_model *model,
			 int difference, size_t counts, int candidates,
			 coh_error *err)
{
	coh_summary *s = coh_calloc(1, sizeof *s);
	if (!s)
		goto nomem;
	s->difference = difference;
	s->n_members = model->n_members;
	s->alt_members = model->n_members;
	s->n_metrics = COH_M__FIXED + model->n_members + (size_t)candidates;
	s->n_samples = coh_sample_days(model, NULL, 0);
	size_t ns = s->n_samples, nm = s->n_metrics;
	s->days = coh_calloc(ns, sizeof *s->days);
	s->names = coh_calloc(nm, sizeof *s->names);
	s->lo = coh_calloc(nm, sizeof *s->lo);
	s->hi = coh_calloc(nm, sizeof *s->hi);
	s->scale = coh_calloc(nm, sizeof *s->scale);
	s->per_width = coh_calloc(nm, sizeof *s->per_width);
	s->bins = coh_calloc(nm, sizeof *s->bins);
	s->hist_offset = coh_calloc(nm, sizeof *s->hist_offset);
	s->acc = coh_calloc(ns * nm, sizeof *s->acc);
	s->frozen_by = coh_calloc(ns * s->n_members, sizeof *s->frozen_by);
	s->exited_by = coh_calloc(ns * s->n_members, sizeof *s->exited_by);
	s->frozen_now = coh_calloc(ns * s->n_members, sizeof *s->frozen_now);
	if (!s->days || !s->names || !s->lo || !s->hi || !s->scale ||
	    !s->per_width || !s->bins ||
	    !s->hist_offset || !s->acc || !s->frozen_by || !s->exited_by ||
	    !s->frozen_now)
		goto nomem;
	coh_sample_days(model, s->days, ns);

	static const char *const fixed[COH_M__FIXED] = {
		"cohesion", "mean", "min", "sd", "active", "frozen", "exited",
		"reliability"
	};
	unsigned fine = pick_bins(ns * nm);
	size_t total = 0;
	for (size_t m = 0; m < nm; m++) {
		if (m < COH_M__FIXED) {
			s->names[m] = coh_strdup(fixed[m]);
		} else if (m == COH_M__FIXED + model->n_members) {
			s->names[m] = coh_strdup("candidates");
		} else {
			const char *id = model->members[m - COH_M__FIXED].id;
			size_t len = strlen(id) + 8;
			s->names[m] = coh_malloc(len);
			if (s->names[m])
				snprintf(s->names[m], len, "member:%s", id);
		}
		if (!s->names[m])
			goto nomem;
		int count = is_count(m, model->n_members);
		s->hi[m] = count ? (double)counts : 1.0;
		s->lo[m] = difference ? -s->hi[m] : 0.0;
		s->bins[m] = count ? (unsigned)counts * (difference ? 2u : 1u) + 1u
				   : metric_bins(model, m, difference, fine);
		s->scale[m] = count ? 1.0 : FIXED_SCALE;
		s->per_width[m] = count ? 1.0
				 : s->bins[m] / (s->hi[m] - s->lo[m]);
		s->hist_offset[m] = total;
		total += (size_t)s->bins[m] * ns;
	}
	s->hist = coh_calloc(total, sizeof *s->hist);
	if (!s->hist)
		goto nomem;
	for (size_t i = 0; i < ns * nm; i++) {
		s->acc[i].min = INFINITY;
		s->acc[i].max = -INFINITY;
	}
	*out = s;
	return 0;
nomem:
	coh_summary_free(s);
	return coh_error_set(err, COH_ENOMEM, NULL, 0,
			     "out of memory allocating the summary");
}

int coh_summary_alloc(coh_summary **out, const coh_model *model,
		      int difference, coh_error *err)
{
	/* a `candidates` metric only for a model with joins: the others
	 * keep their outputs byte for byte */
	return summary_alloc(out, model, difference, model->n_members,
			     coh_model_has_joins(model), err);
}

int coh_summary_alloc_paired(coh_summary **out, const coh_model *base,
			     const coh_model *alt, coh_error *err)
{
	size_t counts = base->n_members > alt->n_members ? base->n_members
							 : alt->n_members;
	coh_summary *s = NULL;
	int rc = summary_alloc(&s, base, 1, counts,
			       coh_model_has_joins(base) ||
			       coh_model_has_joins(alt), err);
	if (rc)
		return rc;
	s->alt_members = alt->n_members;
	s->alt_index = coh_calloc(base->n_members ? base->n_members : 1,
				  sizeof *s->alt_index);
	if (!s->alt_index) {
		coh_summary_free(s);
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory allocating the summary");
	}
	for (size_t i = 0; i < base->n_members; i++) {
		s->alt_index[i] = -1;
		for (size_t j = 0; j < alt->n_members; j++)
			if (strcmp(base->members[i].id, alt->members[j].id) == 0)
				s->alt_index[i] = (int)j;
	}
	*out = s;
	return 0;
}

static unsigned bin_of(const coh_summary *s, size_t metric, double x)
{
	unsigned bins = s->bins[metric];
	double u = (x - s->lo[metric]) * s->per_width[metric];
	if (!(u > 0))
		return 0;
	if (u >= bins)
		return bins - 1;
	return (unsigned)u;
}

static void add_value(coh_summary *s, size_t k, size_t metric, double x)
{
	if (isnan(x))
		return;
	accum *a = &s->acc[k * s->n_metrics + metric];
	a->n++;
	/* rounded half away from zero, without a call into libm */
	double v = x * s->scale[metric];
	int64_t q = (int64_t)(v >= 0 ? v + 0.5 : v - 0.5);
	a->s1 += q;
	a->s2 += q * q;
	if (x < a->min)
		a->min = x;
	if (x > a->max)
		a->max = x;
	size_t h = s->hist_offset[metric] + k * s->bins[metric];
	s->hist[h + bin_of(s, metric, x)]++;
}

static int check_shape(const coh_summary *s, const coh_trace *t,
		       size_t n_members, coh_error *err)
{
	if (t->n_samples != s->n_samples || t->n_members != n_members)
		return coh_error_set(err, COH_EINPUT, NULL, 0,
				     "replication %llu has %zu samples of %zu "
				     "members, expected %zu of %zu",
				     (unsigned long long)t->replication,
				     t->n_samples, t->n_members, s->n_samples,
				     n_members);
	return 0;
}

static int check_room(const coh_summary *s, coh_error *err)
{
	if (s->replications >= MAX_REPLICATIONS)
		return coh_error_set(err, COH_EINPUT, NULL, 0,
				     "a summary holds at most %llu "
				     "replications", MAX_REPLICATIONS);
	return 0;
}

int coh_summary_add(coh_summary *s, const coh_trace *t, coh_error *err)
{
	int rc = check_shape(s, t, s->n_members, err);
	if (!rc)
		rc = check_room(s, err);
	if (rc)
		return rc;
	for (size_t k = 0; k < s->n_samples; k++) {
		const coh_sample *smp = &t->samples[k];
		for (size_t m = 0; m < s->n_metrics; m++)
			add_value(s, k, m, metric_value(smp, m));
		for (size_t i = 0; i < s->n_members; i++) {
			uint64_t *fz = &s->frozen_by[k * s->n_members + i];
			uint64_t *ex = &s->exited_by[k * s->n_members + i];
			*fz += islessequal(t->first_freeze[i], smp->day);
			*ex += islessequal(t->first_exit[i], smp->day);
			s->frozen_now[k * s->n_members + i] +=
				smp->status[i] == COH_FROZEN;
		}
	}
	s->replications++;
	return 0;
}

int coh_summary_add_difference(coh_summary *s, const coh_trace *base,
			       const coh_trace *alt, coh_error *err)
{
	int rc = check_shape(s, base, s->n_members, err);
	if (!rc)
		rc = check_shape(s, alt, s->alt_members, err);
	if (!rc)
		rc = check_room(s, err);
	if (rc)
		return rc;
	for (size_t k = 0; k < s->n_samples; k++) {
		const coh_sample *a = &alt->samples[k];
		for (size_t m = 0; m < s->n_metrics; m++) {
			double va;
			size_t i = m - COH_M__FIXED;
			if (!s->alt_index || m < COH_M__FIXED)
				va = metric_value(a, m);
			else if (i >= s->n_members)
				va = a->candidates;
			else if (s->alt_index[i] < 0)
				va = NAN;       /* ALT lacks the member */
			else
				va = a->commitment[s->alt_index[i]];
			add_value(s, k, m, va - metric_value(&base->samples[k], m));
		}
	}
	s->replications++;
	return 0;
}

int coh_summary_merge(coh_summary *dst, const coh_summary *src,
		      coh_error *err)
{
	if (dst->n_samples != src->n_samples ||
	    dst->n_metrics != src->n_metrics ||
	    dst->difference != src->difference)
		return coh_error_set(err, COH_EINPUT, NULL, 0,
				     "cannot merge summaries of different "
				     "shapes");
	if (dst->replications + src->replications > MAX_REPLICATIONS)
		return coh_error_set(err, COH_EINPUT, NULL, 0,
				     "a summary holds at most %llu "
				     "replications", MAX_REPLICATIONS);
	size_t cells = dst->n_samples * dst->n_metrics;
	for (size_t i = 0; i < cells; i++) {
		accum *a = &dst->acc[i];
		const accum *b = &src->acc[i];
		a->n += b->n;
		a->s1 += b->s1;
		a->s2 += b->s2;
		if (b->min < a->min)
			a->min = b->min;
		if (b->max > a->max)
			a->max = b->max;
	}
	size_t total = dst->hist_offset[dst->n_metrics - 1] +
		       (size_t)dst->bins[dst->n_metrics - 1] * dst->n_samples;
	for (size_t i = 0; i < total; i++)
		dst->hist[i] += src->hist[i];
	for (size_t i = 0; i < dst->n_samples * dst->n_members; i++) {
		dst->frozen_by[i] += src->frozen_by[i];
		dst->exited_by[i] += src->exited_by[i];
		dst->frozen_now[i] += src->frozen_now[i];
	}
	dst->replications += src->replications;
	return 0;
}

size_t coh_summary_samples(const coh_summary *s) { return s->n_samples; }
size_t coh_summary_metrics(const coh_summary *s) { return s->n_metrics; }
uint64_t coh_summary_replications(const coh_summary *s)
{
	return s->replications;
}

double coh_summary_day(const coh_summary *s, size_t sample)
{
	return s->days[sample];
}

const char *coh_summary_metric_name(const coh_summary *s, size_t metric)
{
	return s->names[metric];
}

double coh_summary_resolution(const coh_summary *s)
{
	/* width of a bin of the [0, 1] metrics */
	return (s->hi[COH_M_COHESION] - s->lo[COH_M_COHESION]) /
	       s->bins[COH_M_COHESION];
}

/* The q-quantile: the bin where the cumulative count reaches q * n, with
 * linear interpolation inside it, clamped to the observed [min, max]. */
static double quantile(const coh_summary *s, size_t k, size_t metric,
		       const accum *a, double q)
{
	if (a->min == a->max)
		return a->min;
	const uint32_t *h = s->hist + s->hist_offset[metric] +
			    k * s->bins[metric];
	double target = q * (double)a->n, cum = 0;
	unsigned bins = s->bins[metric];
	for (unsigned b = 0; b < bins; b++) {
		if (h[b] == 0)
			continue;
		if (cum + h[b] >= target) {
			double x;
			if (is_count(metric, s->n_members)) {
				x = s->lo[metric] + b;
			} else {
				double w = (s->hi[metric] - s->lo[metric]) /
					   bins;
				double frac = (target - cum) / h[b];
				x = s->lo[metric] + w * (b + frac);
			}
			return x < a->min ? a->min : x > a->max ? a->max : x;
		}
		cum += h[b];
	}
	return a->max;
}

coh_stat coh_summary_stat(const coh_summary *s, size_t sample, size_t metric)
{
	const accum *a = &s->acc[sample * s->n_metrics + metric];
	coh_stat st = {.n = a->n, .mean = NAN, .sd = NAN};
	for (int i = 0; i < COH_SUMMARY_NQ; i++)
		st.q[i] = NAN;
	if (a->n == 0)
		return st;
	double scale = s->scale[metric];
	if (a->min == a->max) {
		/* all alike: exact, without the rounding of the sums */
		st.mean = a->min;
		st.sd = 0.0;
	} else {
		st.mean = (double)a->s1 / (double)a->n / scale;
		/* n sum q^2 - (sum q)^2 is exact in 128 bits */
		wide num = (wide)a->n * a->s2 - a->s1 * a->s1;
		double den = (double)a->n * (double)(a->n - 1) * scale * scale;
		st.sd = a->n > 1 ? sqrt((double)num / den) : 0.0;
	}
	for (int i = 0; i < COH_SUMMARY_NQ; i++)
		st.q[i] = quantile(s, sample, metric, a,
				   coh_summary_quantiles[i]);
	return st;
}

double coh_summary_frozen_by(const coh_summary *s, size_t sample,
			     size_t member)
{
	if (s->replications == 0)
		return NAN;
	return (double)s->frozen_by[sample * s->n_members + member] /
	       (double)s->replications;
}

double coh_summary_frozen_now(const coh_summary *s, size_t sample,
			      size_t member)
{
	if (s->replications == 0)
		return NAN;
	return (double)s->frozen_now[sample * s->n_members + member] /
	       (double)s->replications;
}

double coh_summary_exited_by(const coh_summary *s, size_t sample,
			     size_t member)
{
	if (s->replications == 0)
		return NAN;
	return (double)s->exited_by[sample * s->n_members + member] /
	       (double)s->replications;
}

/*--- Sets of partial summaries for worker threads -------------------------*/

struct coh_summary_set {
	int shards;
	coh_summary *part[COH_SUMMARY_SHARDS];
	pthread_mutex_t lock[COH_SUMMARY_SHARDS];
};

void coh_summary_set_free(coh_summary_set *set)
{
	if (!set)
		return;
	for (int i = 0; i < set->shards; i++) {
		coh_summary_free(set->part[i]);
		pthread_mutex_destroy(&set->lock[i]);
	}
	coh_free(set);
}

/* A set of coh_summary_alloc (alt NULL) or of coh_summary_alloc_paired. */
static int set_alloc(coh_summary_set **out, const coh_model *model,
		     const coh_model *alt, int difference, int workers,
		     coh_error *err)
{
	coh_summary_set *set = coh_calloc(1, sizeof *set);
	if (!set)
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory allocating summaries");
	int n = shards_for(workers);
	for (int i = 0; i < n; i++) {
		int rc = alt ? coh_summary_alloc_paired(&set->part[i], model,
							alt, err)
			     : coh_summary_alloc(&set->part[i], model,
						 difference, err);
		if (rc) {
			coh_summary_set_free(set);
			return rc;
		}
		pthread_mutex_init(&set->lock[i], NULL);
		set->shards = i + 1;
	}
	*out = set;
	return 0;
}

int coh_summary_set_alloc(coh_summary_set **out, const coh_model *model,
			  int difference, int workers, coh_error *err)
{
	return set_alloc(out, model, NULL, difference, workers, err);
}

int coh_summary_set_alloc_paired(coh_summary_set **out,
				 const coh_model *base, const coh_model *alt,
				 int workers, coh_error *err)
{
	return set_alloc(out, base, alt, 1, workers, err);
}

int coh_summary_set_add(coh_summary_set *set, int worker,
			const coh_trace *trace, coh_error *err)
{
	int k = worker % set->shards;
	pthread_mutex_lock(&set->lock[k]);
	int rc = coh_summary_add(set->part[k], trace, err);
	pthread_mutex_unlock(&set->lock[k]);
	return rc;
}

int coh_summary_set_add_difference(coh_summary_set *set, int worker,
				   const coh_trace *base,
				   const coh_trace *alt, coh_error *err)
{
	int k = worker % set->shards;
	pthread_mutex_lock(&set->lock[k]);
	int rc = coh_summary_add_difference(set->part[k], base, alt, err);
	pthread_mutex_unlock(&set->lock[k]);
	return rc;
}

int coh_summary_set_merge(coh_summary_set *set, const coh_summary **out,
			  coh_error *err)
{
	for (int i = 1; i < set->shards; i++) {
		int rc = coh_summary_merge(set->part[0], set->part[i], err);
		if (rc)
			return rc;
	}
	/* the merged shards go, so a second call cannot count them twice */
	int n = set->shards;
	for (int i = 1; i < n; i++) {
		coh_summary_free(set->part[i]);
		set->part[i] = NULL;
		pthread_mutex_destroy(&set->lock[i]);
	}
	set->shards = 1;
	*out = set->part[0];
	return 0;
}
