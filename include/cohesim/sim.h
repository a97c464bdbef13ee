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
	double reliability;     /* NaN before any request is resolved */
	size_t n_members;
	const double *commitment;   /* per member, up to date at `day` */
	const coh_status *status;
} coh_sample;

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
