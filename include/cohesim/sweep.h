/* Parameter sweeps: experimental designs over `--vary` axes, and a driver
 * that runs every design point's replications and appends its rows as the
 * point finishes, so an interrupted sweep keeps every finished point and
 * `--resume` completes it to the bytes an uninterrupted run writes. */
#ifndef COHESIM_SWEEP_H
#define COHESIM_SWEEP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "mc.h"
#include "scenario.h"

/*--- Designs --------------------------------------------------------------*/

typedef enum coh_design_kind {
	COH_DESIGN_GRID = 0,    /* full factorial */
	COH_DESIGN_LHS,         /* Latin hypercube */
	COH_DESIGN_SOBOL        /* Sobol' sequence (gsl_qrng_sobol) */
} coh_design_kind;

typedef struct coh_design coh_design;

/* "grid", "lhs", "sobol" -> *out; COH_EUSAGE otherwise. */
int coh_design_kind_parse(coh_design_kind *out, const char *text);

/* Builds a design from axes "PATH=lo:hi:n" or "PATH=v1,v2,...".  A grid
 * takes every combination (n_points is ignored); lhs and sobol draw
 * n_points points in the axes' ranges (a list axis is then sampled by
 * index).  The LHS permutations come from `seed`.  Errors name the axis:
 * COH_EUSAGE for a malformed spec, an empty or reversed range. */
int coh_design_build(coh_design **out, const char *const *axes,
		     size_t n_axes, coh_design_kind kind, size_t n_points,
		     uint64_t seed, coh_error *err);
void coh_design_free(coh_design *design);

size_t coh_design_points(const coh_design *design);
size_t coh_design_axes(const coh_design *design);
const char *coh_design_path(const coh_design *design, size_t axis);
/* The value of an axis at a point, as override text ("0.25", "ARM"):
 * a number is formatted into buf, a list's value is returned as it is. */
#define COH_DESIGN_VALUE_MAX 32
const char *coh_design_value(const coh_design *design, size_t point,
			     size_t axis, char buf[COH_DESIGN_VALUE_MAX]);
coh_design_kind coh_design_kind_of(const coh_design *design);

/*--- Running a sweep --------------------------------------------------------*/

typedef struct coh_sweep_options {
	/* The scenario, read once: every point is built from it, and no
	 * file is read again (an edit during the sweep changes nothing). */
	const coh_scenario_source *source;
	const char *const *overrides;   /* applied before each point's axes */
	size_t n_overrides;
	const coh_design *design;
	uint64_t replications;          /* per point; 0: the scenario's */
	int threads;
	const char *dir;                /* output folder (created) */
	int resume;                     /* keep finished points in dir */
	coh_progress_fn progress;       /* points done / total */
	void *progress_ctx;
	volatile sig_atomic_t *stop;
	int argc;                       /* the command line, for the manifest */
	char *const *argv;
} coh_sweep_options;

/* Runs the sweep; see the file header.  Points that fail to load (a value
 * out of range for its setting) stop the sweep with that error before any
 * work when the first point is checked up front, or at that point. */
int coh_sweep_run(const coh_sweep_options *opts, coh_diag *diag);

/* The same over MPI (only in builds made with `make MPI=1`): rank 0
 * writes, the other ranks run points.  Every rank calls it after
 * MPI_Init; ranks other than 0 return 0 when the sweep is over. */
int coh_sweep_run_mpi(const coh_sweep_options *opts, coh_diag *diag);

/* Loads every point once, so that a value out of range for its setting is
 * reported (naming the override) before any work starts. */
int coh_sweep_check(const coh_sweep_options *opts, coh_diag *diag);

/* What a sweep would cost, from a short pilot of its first point. */
typedef struct coh_sweep_plan {
	uint64_t points, runs;          /* runs = points x replications */
	double seconds;                 /* estimated wall time */
	double bytes;                   /* estimated size of the outputs */
	uint64_t pilot_replications;
} coh_sweep_plan;

/* Checks every point's settings and times a pilot of up to 20
 * replications of point 0; runs nothing else and writes nothing. */
int coh_sweep_plan_make(coh_sweep_plan *out, const coh_sweep_options *opts,
			coh_diag *diag);

#endif
