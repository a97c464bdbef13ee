/* The simulation engine: one replication of a model at a time, exact
 * between events, with every outcome reported to a recorder.  A coh_sim is
 * a reusable workspace: allocate one per thread and run many replications
 * through it without further allocation. */
#ifndef COHESIM_SIM_H
#define COHESIM_SIM_H

#include <stdint.h>
#include "error.h"
#include "model.h"

typedef struct coh_sim coh_sim;

/* Which random stream a replication draws from: replication r of design
 * point p under a seed.  Same key, same numbers, in any thread. */
typedef struct coh_stream_key {
	uint64_t seed;
	uint64_t point;
	uint64_t replication;
} coh_stream_key;

/* One entry of the event log.  Member and outsider indices are -1 when
 * unused.  `before` and `after` are the commitment of the member the event
 * landed on (`subject`), NaN when it landed on no one in particular. */
typedef struct coh_event_record {
	double day;
	coh_event_type type;
	int actor;              /* member who acted */
	int target;             /* member acted upon or about */
	int outsider;           /* outsider involved */
	int subject;            /* member whose commitment before/after is given */
	double value;           /* magnitude, fulfilment, delta, ... */
	double before, after;
	const char *source;     /* provenance of timeline events, else NULL */
	const char *label;      /* the timeline event's short label (also on
				 * its absences and its request's resolution),
				 * NULL for generated events or none */
} coh_event_record;

/* State of the alliance at a sample time or read day (docs/model.md
 * section 10), after every event dated that day. */
typedef struct coh_sample {
	double day;
	double cohesion, mean, min, sd;
	int active, frozen, exited;
	int candidates;         /* members whose joins day has not come */
	double reliability;     /* NaN before any request is resolved */
	size_t n_members;
	const double *commitment;   /* per member, up to date at `day` */
	const coh_status *status;
} coh_sample;

/* The ledger (docs/analysis.md): every move of a member's commitment,
 * with its cause.  The deltas of one member add up, exactly but for
 * rounding, to its change: impacts and spillover as they land, influence
 * rounds, and the drift between them booked whenever the member is
 * brought up to date and at every read day (coh_sim_set_reads), so that
 * a read day cuts the drift at that day.  Drift is split into relaxation
 * (the move toward the baseline the member had at its last jump, held
 * fixed) and adaptation (the rest: what the baseline's own drift added). */
typedef enum coh_ledger_cause {
	COH_LEDGER_DIRECT,      /* the event's impact on the member */
	COH_LEDGER_SPILLOVER,   /* the event's spillover onto the member */
	COH_LEDGER_INFLUENCE,   /* a summit's or consultation's round */
	COH_LEDGER_RELAXATION,
	COH_LEDGER_ADAPTATION
} coh_ledger_cause;

typedef struct coh_ledger_entry {
	double day;
	int member;
	coh_ledger_cause cause;
	/* the event credited (direct, spillover, influence): the index of
	 * a timeline event in coh_model.events, or -1 for a generated event
	 * (then `type` says which); -1 for relaxation and adaptation.  A
	 * request's resolution is credited to the timeline request, a
	 * summit's absences and round to the summit. */
	long event;
	coh_event_type type;
	double delta;           /* change of the member's commitment */
} coh_ledger_entry;

/* Where results go.  Any callback may be NULL; a non-zero return stops the
 * run, which then returns that value.  `sample` receives the sample grid
 * (output.sample_every), `read` the extra read days of coh_sim_set_reads
 * (a day on both goes to both, sample first), so that reads never enter
 * what is made of samples. */
typedef struct coh_recorder {
	void *ctx;
	int (*event)(void *ctx, const coh_event_record *record);
	int (*sample)(void *ctx, const coh_sample *sample);
	int (*read)(void *ctx, const coh_sample *state);
	/* Optional.  When set, the run books every move of every member's
	 * commitment here (coh_ledger_entry).  Such a run goes through a
	 * second copy of the engine compiled with the bookkeeping in
	 * (sim_ledger.c), so runs without it execute exactly the code they
	 * did before; the trajectory is the same bit for bit either way. */
	int (*ledger)(void *ctx, const coh_ledger_entry *entry);
} coh_recorder;

typedef struct coh_sim_stats {
	uint64_t events;        /* events taken from the queue */
	uint64_t samples;
} coh_sim_stats;

/* Allocates a workspace for model, which must outlive it. */
int coh_sim_alloc(coh_sim **out, const coh_model *model, coh_error *err);

/* Runs one replication from time 0 to the horizon. */
int coh_sim_run(coh_sim *sim, const coh_stream_key *key,
		const coh_recorder *recorder, coh_error *err);

/* Days (since the start) at which every later run also reads the state
 * for the recorder's `read` callback, after every event dated that day as
 * samples are, whatever the sample grid is: n days, strictly increasing,
 * within [0, horizon]; n = 0 removes them.  The days are copied.  Runs
 * without read days cost what they did before (one test per sample, none
 * per event).  Returns 0, COH_EUSAGE (days out of order or out of range,
 * nothing changed) or COH_ENOMEM. */
int coh_sim_set_reads(coh_sim *sim, const double *days, size_t n,
		      coh_error *err);

/* Counters of the last run (samples: grid samples only). */
coh_sim_stats coh_sim_last_stats(const coh_sim *sim);

/* Frees the workspace; accepts NULL. */
void coh_sim_free(coh_sim *sim);

#endif
