/* Private interface of the sweep driver: the pieces the single-process
 * driver (sweep.c) shares with the MPI one (mpi.c).  Nothing here leaves
 * src/sweep/. */
#ifndef COH_SWEEP_INTERNAL_H
#define COH_SWEEP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cohesim/sweep.h"

/* One point's finished rows: its sweep.csv rows and its sweep-summary.csv
 * line, as text. */
typedef struct swp_point_result {
	char *rows;
	size_t rows_len;
	char *summary;
	size_t summary_len;
} swp_point_result;

/* Runs point p (all its replications) into *out, which the caller frees
 * with swp_point_result_free. */
int swp_point_run(const coh_sweep_options *opts, uint64_t p,
		  swp_point_result *out, coh_diag *diag);
void swp_point_result_free(swp_point_result *result);

/* The sweep's output files. */
typedef struct swp_files swp_files;

/* Opens the sweep's files: a new sweep writes its design, headers,
 * resolved scenario and a first manifest; with resume, the folder is
 * checked to hold this very sweep (design, scenario, settings) and its
 * files are trimmed to whole points.  *done receives the number of points
 * already finished. */
int swp_files_open(swp_files **out, const coh_sweep_options *opts,
		   uint64_t *done, coh_diag *diag);
/* Appends a finished point and makes it durable (fsync). */
int swp_files_append(swp_files *files, const swp_point_result *result,
		     coh_error *err);
/* Writes manifest.json and closes; always frees. */
int swp_files_close(swp_files *files, uint64_t points_done, int argc,
		    char *const *argv, double wall_seconds, coh_error *err);

#endif
