/* The replication runner: worker threads run replications into a ring of
 * slots; the calling thread hands finished slots to the consumer strictly in
 * replication order.  Each worker keeps one coh_sim per model and reuses its
 * slots' buffers, so nothing is allocated per replication once warm. */
#include "cohesim/mc.h"
#include "core/alloc.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

/* States at a sequence of days (the sample grid, or the read days), with
 * their per-member arrays; buffers grow, never shrink. */
typedef struct state_buf {
	coh_sample *states;
	size_t states_cap;
	double *commitment;     /* [state][member] */
	coh_status *status;
	size_t values_cap;      /* in states */
} state_buf;

/* One model's recording of one replication. */
typedef struct record {
	coh_trace trace;
	state_buf samples, reads;
	coh_event_record *events;
	size_t events_cap;
	double *first_freeze, *first_exit;
	int keep_events;
	int failed;             /* out of memory while recording */
} record;

typedef struct slot {
	record *records;        /* one per model */
	atomic_int ready;       /* set by the worker that filled it */
	int rc;
	coh_error err;
} slot;

/* The counters are atomics, so that a replication costs no lock at all
 * in the common case; the mutex and conditions serve only to sleep when
 * a worker runs too far ahead of the consumer or the consumer waits for a
 * replication still running, and signals go only to a sleeper. */
typedef struct runner {
	const coh_model *const *models;
	size_t n_models;
	const coh_mc_options *opts;
	slot *slots;
	size_t n_slots;
	pthread_mutex_t lock;
	pthread_cond_t work_cv; /* the consumer moved on */
	pthread_cond_t done_cv; /* a replication finished */
	atomic_uint_fast64_t next;      /* next replication offset to claim */
	atomic_uint_fast64_t consumed;  /* replications handed over */
	/* A stop (signal or error) lets no worker claim another
	 * replication, but every one already claimed is run and, unless a
	 * replication failed, handed over: the summaries built on the
	 * workers then hold exactly the replications the files hold. */
	atomic_int stopping;
	atomic_int failed;              /* a replication failed */
	atomic_int active;              /* workers still running */
	atomic_int main_waiting;
	atomic_int workers_waiting;
	/* The consumer, once out of work, sleeps until every replication
	 * from the one it waits for to this one (half a window ahead) is
	 * done, so that it wakes once for a batch. */
	atomic_uint_fast64_t wake_at;
} runner;

/*--- Recording ------------------------------------------------------------*/

static int grow(void **buf, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t cap2 = *cap ? *cap : 16;
	while (cap2 < need)
		cap2 *= 2;
	void *p = coh_reallocarray(*buf, cap2, size);
	if (!p)
		return -1;
	*buf = p;
	*cap = cap2;
	return 0;
}

static int record_event(void *ctx, const coh_event_record *ev)
{
	record *r = ctx;
	coh_trace *t = &r->trace;
	if (ev->subject >= 0) {
		if (ev->type == COH_EV_FREEZE && isnan(r->first_freeze[ev->subject]))
			r->first_freeze[ev->subject] = ev->day;
		/* a withdrawal that took effect (value 1) is an exit too */
		if ((ev->type == COH_EV_EXIT ||
		     (ev->type == COH_EV_WITHDRAWAL && ev->value == 1)) &&
		    isnan(r->first_exit[ev->subject]))
			r->first_exit[ev->subject] = ev->day;
	}
	if (!r->keep_events)
		return 0;
	if (grow((void **)&r->events, &r->events_cap, t->n_events + 1,
		 sizeof *r->events)) {
		r->failed = 1;
		return COH_ENOMEM;
	}
	r->events[t->n_events++] = *ev;
	return 0;
}

/* Appends state s as the k-th of buf; 0, or -1 when out of memory. */
static int keep_state(state_buf *buf, size_t k, const coh_sample *s)
{
	size_t n = s->n_members;
	size_t old_cap = buf->values_cap;
	if (grow((void **)&buf->states, &buf->states_cap, k + 1,
		 sizeof *buf->states) ||
	    grow((void **)&buf->commitment, &buf->values_cap, k + 1,
		 n * sizeof *buf->commitment))
		return -1;
	if (buf->values_cap != old_cap) {
		size_t cap = buf->values_cap;
		void *p = coh_reallocarray(buf->status, cap,
					   n * sizeof *buf->status);
		if (!p) {
			buf->values_cap = old_cap;
			return -1;
		}
		buf->status = p;
	}
	memcpy(buf->commitment + k * n, s->commitment,
	       n * sizeof *s->commitment);
	memcpy(buf->status + k * n, s->status, n * sizeof *s->status);
	buf->states[k] = *s;
	return 0;
}

static int record_sample(void *ctx, const coh_sample *s)
{
	record *r = ctx;
	if (keep_state(&r->samples, r->trace.n_samples, s)) {
		r->failed = 1;
		return COH_ENOMEM;
	}
	r->trace.n_samples++;
	return 0;
}

static int record_read(void *ctx, const coh_sample *s)
{
	record *r = ctx;
	if (keep_state(&r->reads, r->trace.n_reads, s)) {
		r->failed = 1;
		return COH_ENOMEM;
	}
	r->trace.n_reads++;
	return 0;
}

int coh_trace_append(coh_trace *t, const char *text, size_t len)
{
	if (t->text_len + len + 1 > t->text_cap) {
		size_t cap = t->text_cap ? t->text_cap : 256;
		while (t->text_len + len + 1 > cap)
			cap *= 2;
		char *p = coh_realloc(t->text, cap);
		if (!p)
			return COH_ENOMEM;
		t->text = p;
		t->text_cap = cap;
	}
	memcpy(t->text + t->text_len, text, len);
	t->text_len += len;
	t->text[t->text_len] = '\0';
	return 0;
}

static void record_reset(record *r, uint64_t replication, size_t n_members)
{
	r->trace.text_len = 0;
	r->trace.replication = replication;
	r->trace.n_members = n_members;
	r->trace.n_samples = 0;
	r->trace.n_reads = 0;
	r->trace.n_events = 0;
	r->failed = 0;
	for (size_t i = 0; i < n_members; i++)
		r->first_freeze[i] = r->first_exit[i] = NAN;
}

/* Points each state at its arrays, which may have moved while growing. */
static const coh_sample *state_buf_finish(state_buf *buf, size_t count,
					  size_t n)
{
	for (size_t k = 0; k < count; k++) {
		buf->states[k].commitment = buf->commitment + k * n;
		buf->states[k].status = buf->status + k * n;
	}
	return buf->states;
}

static void state_buf_free(state_buf *buf)
{
	coh_free(buf->states);
	coh_free(buf->commitment);
	coh_free(buf->status);
}

/* Points the trace at the buffers, which may have moved while growing. */
static void record_finish(record *r)
{
	coh_trace *t = &r->trace;
	size_t n = t->n_members;
	t->samples = state_buf_finish(&r->samples, t->n_samples, n);
	t->reads = state_buf_finish(&r->reads, t->n_reads, n);
	t->events = r->events;
	t->first_freeze = r->first_freeze;
	t->first_exit = r->first_exit;
}

static void record_free(record *r)
{
	coh_free(r->trace.text);
	state_buf_free(&r->samples);
	state_buf_free(&r->reads);
	coh_free(r->events);
	coh_free(r->first_freeze);
	coh_free(r->first_exit);
}

/*--- Workers ----------------------------------------------------------------*/

/* The most models a run with a prepare callback may pair. */
#define PREPARE_MAX_MODELS 8

typedef struct worker {
	runner *run;
	int index;
	coh_sim **sims;         /* one per model */
	const coh_model **current;      /* the model each was made for */
} worker;

/* With opts->model_for, replication r may run another model of the same
 * shape: the worker's workspace is made again for it when it changes (a
 * cost per replication, never per event). */
static int workspace_for(worker *w, size_t m, uint64_t replication,
			 coh_error *err)
{
	const coh_mc_options *o = w->run->opts;
	if (!o->model_for)
		return 0;
	const coh_model *want = o->model_for(o->model_for_ctx, replication,
					     m);
	if (!want || want == w->current[m])
		return 0;
	coh_sim *sim = NULL;
	int rc = coh_sim_alloc(&sim, want, err);
	if (!rc)
		rc = coh_sim_set_reads(sim, o->read_days, o->n_read_days, err);
	if (rc) {
		coh_sim_free(sim);
		return rc;
	}
	coh_sim_free(w->sims[m]);
	w->sims[m] = sim;
	w->current[m] = want;
	return 0;
}

static void run_one(worker *w, slot *sl, uint64_t replication)
{
	runner *run = w->run;
	sl->rc = 0;
	for (size_t m = 0; m < run->n_models && !sl->rc; m++) {
		record *r = &sl->records[m];
		record_reset(r, replication, run->models[m]->n_members);
		coh_recorder rec = {r, record_event, record_sample,
				    run->opts->n_read_days ? record_read : NULL, NULL};
		coh_stream_key key = {run->opts->seed, run->opts->point,
				      replication};
		sl->rc = workspace_for(w, m, replication, &sl->err);
		if (!sl->rc)
			sl->rc = coh_sim_run(w->sims[m], &key, &rec,
					     &sl->err);
		if (r->failed)
			sl->rc = coh_error_set(&sl->err, COH_ENOMEM, NULL, 0,
					       "out of memory recording "
					       "replication %llu",
					       (unsigned long long)replication);
		record_finish(r);
	}
	const coh_mc_options *o = run->opts;
	if (!sl->rc && o->prepare) {
		coh_trace *traces[PREPARE_MAX_MODELS]; /* coh_mc_run checks */
		for (size_t m = 0; m < run->n_models; m++)
			traces[m] = &sl->records[m].trace;
		sl->rc = o->prepare(o->prepare_ctx, w->index, traces,
				    run->n_models);
		if (sl->rc && !sl->err.code)
			coh_error_set(&sl->err, sl->rc, NULL, 0,
				      "replication %llu: %s its results",
				      (unsigned long long)replication,
				      sl->rc == COH_ENOMEM
				      ? "out of memory preparing"
				      : "failed to prepare");
	}
}

/* The caller has published what the sleeper waits for; taking the lock
 * once orders that with the sleeper's test, made under the lock, so the
 * signal cannot be lost.  It goes after the unlock, so that the thread it
 * wakes does not run straight into the lock still held. */
static void wake(runner *run, pthread_cond_t *cv, int all)
{
	pthread_mutex_lock(&run->lock);
	pthread_mutex_unlock(&run->lock);
	if (all)
		pthread_cond_broadcast(cv);
	else
		pthread_cond_signal(cv);
}

/* Sleeps until replication offset i has a free slot; 0 when it has, -1
 * when a replication failed (nothing more will be handed over). */
static int wait_for_slot(runner *run, uint64_t i)
{
	while (i >= atomic_load(&run->consumed) + run->n_slots) {
		pthread_mutex_lock(&run->lock);
		atomic_fetch_add(&run->workers_waiting, 1);
		while (!atomic_load(&run->failed) &&
		       i >= atomic_load(&run->consumed) + run->n_slots)
			pthread_cond_wait(&run->work_cv, &run->lock);
		atomic_fetch_sub(&run->workers_waiting, 1);
		pthread_mutex_unlock(&run->lock);
		if (atomic_load(&run->failed))
			return -1;
	}
	return 0;
}

/* Whether the batch the sleeping consumer waits for, replications
 * consumed .. wake_at, is all done.  Only the worker that completes its
 * last replication sees it so and wakes the consumer: one wake-up a batch,
 * even with one worker, which finishes replications in order (waking for
 * the one the consumer waits for would mean a wake-up, two context
 * switches and a preempted worker, for every replication). */
static int batch_done(runner *run)
{
	uint64_t from = atomic_load(&run->consumed);
	uint64_t to = atomic_load(&run->wake_at);
	for (uint64_t r = from; r <= to; r++)
		if (!atomic_load(&run->slots[r % run->n_slots].ready))
			return 0;
	return 1;
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	runner *run = w->run;
	uint64_t total = run->opts->replications;
	while (!atomic_load(&run->stopping)) {
		uint64_t i = atomic_fetch_add(&run->next, 1);
		if (i >= total || wait_for_slot(run, i))
			break;
		slot *sl = &run->slots[i % run->n_slots];
		run_one(w, sl, run->opts->first_replication + i);
		if (sl->rc) {
			atomic_store(&run->failed, 1);
			atomic_store(&run->stopping, 1);
		}
		atomic_store(&sl->ready, 1);
		if (atomic_load(&run->main_waiting) &&
		    (sl->rc || i + 1 == total || batch_done(run)))
			wake(run, &run->done_cv, 0);
	}
	/* after its last ready flag, so that a consumer that sees no active
	 * worker also sees every slot they filled */
	atomic_fetch_sub(&run->active, 1);
	if (atomic_load(&run->main_waiting))
		wake(run, &run->done_cv, 0);
	return NULL;
}

/*--- The calling thread -----------------------------------------------------*/

static void free_slots(runner *run)
{
	if (!run->slots)
		return;
	for (size_t s = 0; s < run->n_slots; s++) {
		if (!run->slots[s].records)
			continue;
		for (size_t m = 0; m < run->n_models; m++)
			record_free(&run->slots[s].records[m]);
		coh_free(run->slots[s].records);
	}
	coh_free(run->slots);
}

static int alloc_slots(runner *run, int keep_events)
{
	run->slots = coh_calloc(run->n_slots, sizeof *run->slots);
	if (!run->slots)
		return -1;
	for (size_t s = 0; s < run->n_slots; s++) {
		slot *sl = &run->slots[s];
		atomic_init(&sl->ready, 0);
		sl->records = coh_calloc(run->n_models, sizeof *sl->records);
		if (!sl->records)
			return -1;
		for (size_t m = 0; m < run->n_models; m++) {
			record *r = &sl->records[m];
			size_t n = run->models[m]->n_members;
			r->keep_events = keep_events;
			r->first_freeze = coh_calloc(n, sizeof *r->first_freeze);
			r->first_exit = coh_calloc(n, sizeof *r->first_exit);
			if (!r->first_freeze || !r->first_exit)
				return -1;
		}
	}
	return 0;
}

static void free_workers(worker *workers, int n, size_t n_models)
{
	if (!workers)
		return;
	for (int i = 0; i < n; i++) {
		if (!workers[i].sims)
			continue;
		for (size_t m = 0; m < n_models; m++)
			coh_sim_free(workers[i].sims[m]);
		coh_free(workers[i].sims);
		coh_free(workers[i].current);
	}
	coh_free(workers);
}

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_nsec += ms * 1000000L;
	ts->tv_sec += ts->tv_nsec / 1000000000L;
	ts->tv_nsec %= 1000000000L;
}

/* Whether the monotonic clock has passed deadline. */
static int past(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec &&
		now.tv_nsec >= deadline->tv_nsec);
}

static int check_request(const coh_model *const *models, size_t n_models,
			 const coh_mc_options *opts, coh_error *err)
{
	if (n_models == 0 || opts->threads < 1)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "coh_mc_run needs a model and a thread");
	if (n_models > PREPARE_MAX_MODELS && opts->prepare)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "coh_mc_run prepares at most 8 models");
	/* paired models may have different members: each trace holds its
	 * own model's, and the consumer pairs them by id
	 * (coh_summary_alloc_paired) */
	for (size_t m = 0; m < n_models; m++)
		if (!models[m])
			return coh_error_set(err, COH_EUSAGE, NULL, 0,
					     "coh_mc_run: model %zu is missing",
					     m);
	return 0;
}

static void runner_init(runner *run, const coh_model *const *models,
			size_t n_models, const coh_mc_options *opts,
			int nthreads)
{
	*run = (runner){.models = models, .n_models = n_models, .opts = opts};
	atomic_init(&run->next, 0);
	atomic_init(&run->consumed, 0);
	atomic_init(&run->stopping, 0);
	atomic_init(&run->failed, 0);
	atomic_init(&run->active, 0);
	atomic_init(&run->main_waiting, 0);
	atomic_init(&run->workers_waiting, 0);
	atomic_init(&run->wake_at, 0);
	/* enough slots that workers rarely wait for the consumer */
	run->n_slots = 8 * (size_t)nthreads;
}

/* The workers with one simulation workspace per model each, and the
 * slots; *out is set even on failure (free_workers frees what exists). */
static int alloc_workers(runner *run, int nthreads, worker **out,
			 coh_error *err)
{
	worker *workers = coh_calloc((size_t)nthreads, sizeof *workers);
	*out = workers;
	if (!workers || alloc_slots(run, run->opts->keep_events))
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory preparing %d workers",
				     nthreads);
	int rc = 0;
	for (int i = 0; i < nthreads && !rc; i++) {
		workers[i].run = run;
		workers[i].index = i;
		workers[i].sims = coh_calloc(run->n_models, sizeof(coh_sim *));
		workers[i].current = coh_calloc(run->n_models,
						sizeof(coh_model *));
		if (!workers[i].sims || !workers[i].current)
			return coh_error_set(err, COH_ENOMEM, NULL, 0,
					     "out of memory preparing workers");
		for (size_t m = 0; m < run->n_models && !rc; m++)
			if (!(rc = coh_sim_alloc(&workers[i].sims[m],
						 run->models[m], err)) &&
			    (workers[i].current[m] = run->models[m]))
				rc = coh_sim_set_reads(workers[i].sims[m],
						       run->opts->read_days,
						       run->opts->n_read_days,
						       err);
	}
	return rc;
}

static void sync_init(runner *run)
{
	pthread_mutex_init(&run->lock, NULL);
	pthread_cond_init(&run->work_cv, NULL);
	/* timed waits on the monotonic clock: a clock change never stalls
	 * or hurries the progress display */
	pthread_condattr_t monotonic;
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&run->done_cv, &monotonic);
	pthread_condattr_destroy(&monotonic);
}

/* Starts the worker threads into tids; *started says how many did.  One
 * is enough to go on; none is an error. */
static int start_threads(runner *run, worker *workers, int nthreads,
			 pthread_t *tids, int *started, coh_error *err)
{
	int e = 0;
	*started = 0;
	if (!tids)
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory starting threads");
	atomic_store(&run->active, nthreads);
	for (; *started < nthreads; ++*started)
		if ((e = pthread_create(&tids[*started], NULL, worker_main,
					&workers[*started])))
			break;
	/* the ones that did not start will never finish */
	atomic_fetch_sub(&run->active, nthreads - *started);
	if (*started == 0)
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "cannot start a worker thread: %s",
				     strerror(e));
	return 0;
}

/* The consumer sleeps until slot sl (replication offset done) is ready,
 * reporting progress every 100 ms meanwhile.  Returns whether it is
 * ready: not when every worker is gone without filling it (a stop). */
static int await_slot(runner *run, slot *sl, uint64_t done, uint64_t total,
		      struct timespec *next_report)
{
	const coh_mc_options *opts = run->opts;
	int ready = atomic_load(&sl->ready);
	if (ready)
		return 1;
	uint64_t batch = run->n_slots / 2;
	uint64_t target = done + (batch ? batch : 1) - 1;
	atomic_store(&run->wake_at, target < total ? target : total - 1);
	pthread_mutex_lock(&run->lock);
	atomic_store(&run->main_waiting, 1);
	while (!(ready = atomic_load(&sl->ready))) {
		if (opts->stop && *opts->stop)
			atomic_store(&run->stopping, 1);
		/* every worker is gone: nothing will fill it */
		if (atomic_load(&run->active) == 0) {
			ready = atomic_load(&sl->ready);
			break;
		}
		pthread_cond_timedwait(&run->done_cv, &run->lock, next_report);
		/* woken before the batch was done (time for a report, the
		 * last replication, a failure): from now on, wait for this
		 * one alone */
		atomic_store(&run->wake_at, done);
		if (past(next_report)) {
			pthread_mutex_unlock(&run->lock);
			if (opts->progress)
				opts->progress(opts->progress_ctx, done, total);
			pthread_mutex_lock(&run->lock);
			deadline_in(next_report, 100);
		}
	}
	atomic_store(&run->main_waiting, 0);
	pthread_mutex_unlock(&run->lock);
	return ready;
}

/* Hands every replication to consume in order, as the workers finish
 * them; returns 0 or the status that ended it early. */
static int consume_all(runner *run, uint64_t total, const coh_trace **traces,
		       coh_trace_fn consume, void *ctx, coh_error *err)
{
	const coh_mc_options *opts = run->opts;
	struct timespec next_report;
	deadline_in(&next_report, 100);
	uint64_t done = 0;
	while (done < total) {
		slot *sl = &run->slots[done % run->n_slots];
		if (!await_slot(run, sl, done, total, &next_report))
			return coh_error_set(err, COH_ECANCEL, NULL, 0,
					     "stopped after %llu of %llu "
					     "replications",
					     (unsigned long long)done,
					     (unsigned long long)total);
		if (sl->rc) {
			if (err)
				*err = sl->err;
			return sl->rc;
		}
		for (size_t m = 0; m < run->n_models; m++)
			traces[m] = &sl->records[m].trace;
		int rc = consume(ctx, traces, run->n_models);
		if (rc) {
			if (err && !err->code)
				coh_error_set(err, rc, NULL, 0,
					      "stopped by the consumer");
			return rc;
		}
		atomic_store(&sl->ready, 0);
		atomic_store(&run->consumed, ++done);
		if (atomic_load(&run->workers_waiting))
			wake(run, &run->work_cv, 1);
		if (opts->stop && *opts->stop)
			atomic_store(&run->stopping, 1);
		/* progress also when the consumer never has to wait */
		if (opts->progress && (done & 63) == 0 && past(&next_report)) {
			opts->progress(opts->progress_ctx, done, total);
			deadline_in(&next_report, 100);
		}
	}
	if (opts->progress)
		opts->progress(opts->progress_ctx, done, total);
	return 0;
}

/* Stops the workers (after a failure, also those waiting on a slot) and
 * joins the ones that started. */
static void stop_threads(runner *run, pthread_t *tids, int started,
			 int failed)
{
	atomic_store(&run->stopping, 1);
	if (failed)
		atomic_store(&run->failed, 1);
	wake(run, &run->work_cv, 1);
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
}

int coh_mc_run(const coh_model *const *models, size_t n_models,
	       const coh_mc_options *opts, coh_trace_fn consume, void *ctx,
	       uint64_t *out_done, coh_error *err)
{
	if (out_done)
		*out_done = 0;
	int rc = check_request(models, n_models, opts, err);
	if (rc)
		return rc;
	uint64_t total = opts->replications;
	int nthreads = opts->threads;
	if ((uint64_t)nthreads > total)
		nthreads = total ? (int)total : 1;

	runner run;
	runner_init(&run, models, n_models, opts, nthreads);
	worker *workers = NULL;
	const coh_trace **traces = coh_calloc(n_models,
					      sizeof(const coh_trace *));
	rc = traces ? alloc_workers(&run, nthreads, &workers, err)
		    : coh_error_set(err, COH_ENOMEM, NULL, 0,
				    "out of memory preparing %d workers",
				    nthreads);
	if (!rc) {
		sync_init(&run);
		pthread_t *tids = coh_calloc((size_t)nthreads, sizeof *tids);
		int started = 0;
		rc = start_threads(&run, workers, nthreads, tids, &started,
				   err);
		if (!rc)
			rc = consume_all(&run, total, traces, consume, ctx,
					 err);
		stop_threads(&run, tids, started, rc != 0);
		coh_free(tids);
		pthread_cond_destroy(&run.work_cv);
		pthread_cond_destroy(&run.done_cv);
		pthread_mutex_destroy(&run.lock);
	}
	if (out_done)
		*out_done = atomic_load(&run.consumed);
	free_workers(workers, nthreads, n_models);
	free_slots(&run);
	coh_free(traces);
	return rc;
}
