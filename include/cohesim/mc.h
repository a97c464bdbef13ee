/* Monte Carlo: many replications of one or more models on worker threads,
 * handed back in replication order, plus streaming summaries across
 * replications.  Replication r of point p always draws from the stream
 * (seed, p, r), so what the consumer sees does not depend on the number of
 * threads; with several models, each replication runs every model with the
 * same key (common random numbers, for paired counterfactuals). */
#ifndef COHESIM_MC_H
#define COHESIM_MC_H

#include <signal.h>
#include <stdint.h>
#include "error.h"
#include "model.h"
#include "sim.h"

/* One replication of one model, as recorded.  Owned by the runner; valid
 * only during the callback that receives it. */
typedef struct coh_trace {
	uint64_t replication;
	size_t n_members;
	size_t n_samples;
	const coh_sample *samples;      /* their arrays point into the trace */
	size_t n_reads;                 /* one per read day (coh_mc_options) */
	const coh_sample *reads;
	size_t n_events;
	const coh_event_record *events; /* empty unless keep_events */
	const double *first_freeze;     /* per member: day, or NaN if never */
	const double *first_exit;
	/* Text a prepare callback appended (coh_trace_append), for the
	 * consumer to write out; empty otherwise. */
	char *text;
	size_t text_len, text_cap;
} coh_trace;

/* Appends len bytes to the trace's text; 0 or COH_ENOMEM.  The buffer
 * is kept from one replication to the next, so it stops allocating once
 * warm. */
int coh_trace_append(coh_trace *trace, const char *text, size_t len);

/* Called on the worker thread that ran replication r, right after it,
 * with that worker's index (0 .. threads - 1): the place for work that may
 * run in parallel and in any order, such as adding to a per-worker
 * summary (see coh_summary_merge) or formatting rows into the trace's
 * text.  A non-zero return stops the run and is returned. */
typedef int (*coh_prepare_fn)(void *ctx, int worker,
			      coh_trace *const *traces, size_t n_models);

/* Receives the traces of replication r (one per model, in model order),
 * on the calling thread, for r = first, first + 1, ... in order.  A non-zero
 * return stops the run and is returned. */
typedef int (*coh_trace_fn)(void *ctx, const coh_trace *const *traces,
			    size_t n_models);

/* Called on the calling thread about ten times a second while work goes on,
 * and once at the end. */
typedef void (*coh_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct coh_mc_options {
	uint64_t seed;
	uint64_t point;
	uint64_t first_replication;
	uint64_t replications;
	int threads;                    /* >= 1 */
	int keep_events;                /* record the event log in traces */
	/* Days at which every replication also reads the state into the
	 * trace's reads, as coh_sim_set_reads takes them (sorted, distinct,
	 * within the horizon of every model); NULL and 0: none. */
	const double *read_days;
	size_t n_read_days;
	coh_prepare_fn prepare;         /* may be NULL */
	void *prepare_ctx;
	coh_progress_fn progress;       /* may be NULL */
	void *progress_ctx;
	/* When it becomes non-zero (e.g. from a signal handler), no new
	 * replication starts; those finished are still handed over in order
	 * and the run returns COH_ECANCEL.  May be NULL. */
	volatile sig_atomic_t *stop;
	/* When set, replication r of model slot m runs the model this
	 * returns instead of models[m] (NULL: models[m]): posterior
	 * predictive runs, where each replication draws its parameters.
	 * Every model it returns must have the members, horizon and sample
	 * grid of models[m]; called on worker threads, so it must only
	 * read. */
	const coh_model *(*model_for)(void *ctx, uint64_t replication,
				      size_t slot);
	void *model_for_ctx;
} coh_mc_options;

/* Runs opts->replications replications of each of the n_models models
 * (n_models >= 1; their member sets may differ: each trace holds its own
 * model's members, and coh_summary_alloc_paired pairs them by id) and hands
 * them to consume.  *out_done (may be NULL) receives the
 * number of replications handed over, also on failure. */
int coh_mc_run(const coh_model *const *models, size_t n_models,
	       const coh_mc_options *opts, coh_trace_fn consume, void *ctx,
	       uint64_t *out_done, coh_error *err);

/*--- Streaming summaries ------------------------------------------------*/

/* Per sample time and metric: mean, sd and quantiles across replications,
 * with memory independent of their number.  Quantiles come from histograms
 * over each metric's range (commitment-like metrics lie in [0, 1], counts
 * in 0..n): exact when all values agree, otherwise within one bin width
 * (coh_summary_resolution).  Means and sds come from exact integer sums of
 * the values rounded to multiples of 2^-31 (within 2.4e-10; exact when all
 * values agree), so the order in which replications are added, and how
 * partial summaries are merged, never changes a bit. */
typedef struct coh_summary coh_summary;

/* The metrics, in output order: cohesion, mean, min, sd, active, frozen,
 * exited, reliability, then member:ID for each member. */
enum {
	COH_M_COHESION = 0, COH_M_MEAN, COH_M_MIN, COH_M_SD,
	COH_M_ACTIVE, COH_M_FROZEN, COH_M_EXITED, COH_M_RELIABILITY,
	COH_M__FIXED
};

#define COH_SUMMARY_NQ 5
extern const double coh_summary_quantiles[COH_SUMMARY_NQ]; /* .05 .25 .5 .75 .95 */

typedef struct coh_stat {
	uint64_t n;             /* replications with a value (NaN skipped) */
	double mean, sd;        /* sd: sample standard deviation (n - 1) */
	double q[COH_SUMMARY_NQ];
} coh_stat;

/* With difference = 1 the summary holds paired differences alt - base,
 * whose ranges are symmetric around 0. */
int coh_summary_alloc(coh_summary **out, const coh_model *model,
		      int difference, coh_error *err);
void coh_summary_free(coh_summary *summary);

/* A summary of the differences alt - base paired by member id, for two
 * models whose member sets may differ: its metrics are base's (with
 * `candidates` when either model has joins); a member's difference
 * takes ALT's member of the same id, and is missing (no value, n = 0)
 * when ALT lacks it.  Members only ALT has are not in it.  Add to it
 * with coh_summary_add_difference, base's trace first.  With the same
 * members in the same order it holds what coh_summary_alloc(base, 1)
 * would, bit for bit. */
int coh_summary_alloc_paired(coh_summary **out, const coh_model *base,
			     const coh_model *alt, coh_error *err);

/* Adds one replication (at most 2^31 in a summary). */
int coh_summary_add(coh_summary *summary, const coh_trace *trace,
		    coh_error *err);

/* Adds the partial summary src (same model, same kind) into dst. */
int coh_summary_merge(coh_summary *dst, const coh_summary *src,
		      coh_error *err);

/* Adds the paired difference alt - base of one replication. */
int coh_summary_add_difference(coh_summary *summary, const coh_trace *base,
			       const coh_trace *alt, coh_error *err);

size_t coh_summary_samples(const coh_summary *summary);
size_t coh_summary_metrics(const coh_summary *summary);
uint64_t coh_summary_replications(const coh_summary *summary);
double coh_summary_day(const coh_summary *summary, size_t sample);
/* "cohesion", ..., "member:ARM" */
const char *coh_summary_metric_name(const coh_summary *summary, size_t metric);
double coh_summary_resolution(const coh_summary *summary);
coh_stat coh_summary_stat(const coh_summary *summary, size_t sample,
			  size_t metric);
/* Share of replications in which the member had frozen (ever) / exited by
 * the sample's day. */
double coh_summary_frozen_by(const coh_summary *summary, size_t sample,
			     size_t member);
double coh_summary_exited_by(const coh_summary *summary, size_t sample,
			     size_t member);
/* Share of replications in which the member is frozen at the sample's day
 * (a member that froze and recovered counts in frozen_by, not here). */
double coh_summary_frozen_now(const coh_summary *summary, size_t sample,
			      size_t member);

/* A summary filled by many worker threads at once: at most
 * COH_SUMMARY_SHARDS partial summaries, worker w adding to shard
 * w % shards under that shard's lock, so memory stays bounded however
 * many threads run; merged into one at the end (the same bits for any
 * thread count). */
#define COH_SUMMARY_SHARDS 8
typedef struct coh_summary_set coh_summary_set;

/* The memory coh_summary_set_alloc would take, in bytes (a double: it may
 * exceed what size_t can count on purpose-built absurd models). */
double coh_summary_set_bytes(const coh_model *model, int difference,
			     int workers);
int coh_summary_set_alloc(coh_summary_set **out, const coh_model *model,
			  int difference, int workers, coh_error *err);
/* A set of coh_summary_alloc_paired summaries. */
int coh_summary_set_alloc_paired(coh_summary_set **out,
				 const coh_model *base, const coh_model *alt,
				 int workers, coh_error *err);
int coh_summary_set_add(coh_summary_set *set, int worker,
			const coh_trace *trace, coh_error *err);
int coh_summary_set_add_difference(coh_summary_set *set, int worker,
				   const coh_trace *base,
				   const coh_trace *alt, coh_error *err);
/* Merges the shards; the result belongs to the set.  Call once, after
 * the workers are done. */
int coh_summary_set_merge(coh_summary_set *set, const coh_summary **out,
			  coh_error *err);
void coh_summary_set_free(coh_summary_set *set);

/* The sample days of a model: k * sample_every while <= horizon, plus the
 * horizon itself when it is not on the grid (docs/model.md section 10).  Returns
 * the count; writes at most `cap` days into out (which may be NULL). */
size_t coh_sample_days(const coh_model *model, double *out, size_t cap);

#endif
