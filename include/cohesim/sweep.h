/* Parameter sweeps: experimental designs over `--vary` axes, and a driver
 * that runs every design point's replications and appends its rows as the
 * point finishes, so an interrupted sweep keeps every finished point and
 * `--resume` completes it to the bytes an uninterrupted run writes. */
#ifndef COHESIM_SWEEP_H
#define COHESIM_SWEEP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"
#include "calibrate.h"
#include "mc.h"
#include "scenario.h"

/*--- Designs --------------------------------------------------------------*/

typedef enum coh_design_kind {
	COH_DESIGN_GRID = 0,    /* full factorial */
	COH_DESIGN_LHS,         /* Latin hypercube */
	COH_DESIGN_SOBOL,       /* Sobol' sequence (gsl_qrng_sobol) */
	COH_DESIGN_EXPLICIT     /* points and keys given (coh_design_explicit) */
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

/* A design whose points the caller lists (an analysis command's rows):
 * values[p * n_axes + a] is axis a at point p, and keys[p] (NULL: p)
 * the point's stream key, which its replications run under in place of
 * its number (points with the same key share their random numbers).
 * Paths, values and keys are copied.  COH_EUSAGE for no axes or points,
 * a non-finite value or more than 10^6 points; COH_ENOMEM. */
int coh_design_explicit(coh_design **out, const char *const *paths,
			size_t n_axes, const double *values,
			const uint64_t *keys, size_t n_points, coh_error *err);

size_t coh_design_points(const coh_design *design);
size_t coh_design_axes(const coh_design *design);
const char *coh_design_path(const coh_design *design, size_t axis);
/* The value of an axis at a point, as override text ("0.25", "ARM"):
 * a number is formatted into buf, a list's value is returned as it is. */
#define COH_DESIGN_VALUE_MAX 32
const char *coh_design_value(const coh_design *design, size_t point,
			     size_t axis, char buf[COH_DESIGN_VALUE_MAX]);
coh_design_kind coh_design_kind_of(const coh_design *design);
/* The stream key point p runs under: p, or the key an explicit design
 * gives it. */
uint64_t coh_design_key(const coh_design *design, size_t point);

/*--- Running a sweep --------------------------------------------------------*/

/* What an analysis command writes in place of sweep.csv and
 * sweep-summary.csv: one line per point in `file`, made from the means
 * over the point's replications of each QoI (parsed against the point's
 * own scenario, so a QoI's day follows the point's dates).  Files then
 * grow one line per finished point, and --resume works as for a sweep. */
typedef struct coh_sweep_table {
	const char *file;               /* "design.csv" */
	const char *header;             /* its first line, ending in "\n" */
	const char *const *qoi;         /* KIND[:MEMBER]@WHEN texts */
	size_t n_qoi;
	/* Writes point p's line to fp, ending in "\n" and starting with
	 * p and a comma (--resume reads the point back from there); means
	 * holds n_qoi values, NaN for a QoI without a value in any
	 * replication.  Returns 0, or non-zero to stop the sweep.  Called
	 * on the process that runs the point (a worker rank under MPI). */
	int (*line)(void *ctx, uint64_t point, const double *means, FILE *fp);
	/* In place of line when set: every replication's values instead
	 * of their means, values[r * n_qoi + q] for r < replications (in
	 * replication order), for a command that needs more than means
	 * (calibrate counts the replications that meet every milestone). */
	int (*line_reps)(void *ctx, uint64_t point, const double *values,
			 uint64_t replications, FILE *fp);
	void *ctx;
} coh_sweep_table;

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
	/* NULL: a sweep's files; else an analysis command's table */
	const coh_sweep_table *table;
	/* sweep --posterior: replication r of every point draws a particle
	 * of it (keyed by the seed and r) and runs with the point's values
	 * and then the particle's; NULL: none.  Not with a table. */
	const coh_posterior *posterior;
	const char *posterior_path;     /* its file, copied into dir */
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
