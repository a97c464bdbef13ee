/* Output writers: files that appear whole or not at all, the per-replication
 * CSV files of a run (a coh_recorder), and the run's manifest.json.
 * Nothing here exposes jansson or stdio buffering details. */
#ifndef COHESIM_OUTPUT_H
#define COHESIM_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"
#include "model.h"
#include "sim.h"

/*--- Atomic files --------------------------------------------------------*/

/* A file written under a temporary name ("<path>.tmp.<pid>", same folder)
 * and renamed to its final path only once it is complete and on disk. */
typedef struct coh_atomic_file coh_atomic_file;

/* Creates the temporary file for path.  buffer_size > 0 gives the stream a
 * buffer of that many bytes (0: stdio's default).  On success *out owns the
 * file; finish it with coh_atomic_commit or coh_atomic_abort.  Fails with
 * COH_EIO (path and strerror in err) or COH_ENOMEM. */
int coh_atomic_open(coh_atomic_file **out, const char *path,
		    size_t buffer_size, coh_error *err);

/* The stream to write to; owned by the file. */
FILE *coh_atomic_stream(coh_atomic_file *file);

/* The final path, as given to coh_atomic_open. */
const char *coh_atomic_path(const coh_atomic_file *file);

/* Flushes, syncs and closes the temporary, then renames it over the final
 * path.  Always frees file.  On any failure the temporary is removed, the
 * final path is left as it was, and COH_EIO is returned with the path and
 * the system's reason in err. */
int coh_atomic_commit(coh_atomic_file *file, coh_error *err);

/* Closes and removes the temporary, leaving the final path untouched.
 * Accepts NULL. */
void coh_atomic_abort(coh_atomic_file *file);

/* "dir/name" (no doubled '/' when dir ends with one), newly allocated:
 * the caller owns it and frees it with free().  NULL when out of
 * memory. */
char *coh_output_path(const char *dir, const char *name);

/* coh_atomic_open on dir/name. */
int coh_atomic_open_in(coh_atomic_file **out, const char *dir,
		       const char *name, size_t buffer_size, coh_error *err);

/* Writes len bytes of text as dir/name, atomically. */
int coh_output_write_file(const char *dir, const char *name,
			  const char *text, size_t len, coh_error *err);

/*--- Folders -------------------------------------------------------------*/

/* Creates path and any missing parents (mode 0777 before the umask), like
 * `mkdir -p`.  Existing folders are fine; anything else in the way is
 * COH_EIO with the path in err. */
int coh_output_mkdirs(const char *path, coh_error *err);

/*--- Per-replication CSV files of a run ----------------------------------*/

/* Which per-replication files a run keeps (`--keep`). */
enum {
	COH_KEEP_COHESION = 1 << 0,  /* cohesion.csv ("summary") */
	COH_KEEP_MEMBERS = 1 << 1,   /* members.csv */
	COH_KEEP_EVENTS = 1 << 2,    /* events.csv */
	COH_KEEP_ALL = COH_KEEP_COHESION | COH_KEEP_MEMBERS | COH_KEEP_EVENTS
};

/* Streams cohesion.csv, members.csv and events.csv (those selected by
 * `keep`) into temporaries in one folder, renamed at commit. */
typedef struct coh_run_writer coh_run_writer;

/* Opens the selected files in dir (which must exist) and writes their
 * header lines.  model must outlive the writer.  On success *out owns the
 * writer: finish with coh_run_writer_commit or coh_run_writer_abort. */
int coh_run_writer_open(coh_run_writer **out, const char *dir,
			const coh_model *model, unsigned keep,
			coh_error *err);

/* A recorder that writes rows tagged with replication number r.  It stays
 * valid until the writer is finished; each call re-targets it.  When a
 * write fails the recorder returns COH_EIO (stopping the run) and the
 * writer keeps the error (coh_run_writer_error). */
coh_recorder coh_run_writer_recorder(coh_run_writer *writer, uint64_t r);

/* The first write error met, or NULL. */
const coh_error *coh_run_writer_error(const coh_run_writer *writer);

/* Names (not paths) of the files this writer produces, in a fixed order;
 * *count receives how many.  The array is owned by the writer. */
const char *const *coh_run_writer_files(const coh_run_writer *writer,
					size_t *count);

/* Completes every file (or none: if one fails, the ones not yet renamed
 * are removed and the error returned).  Always frees writer. */
int coh_run_writer_commit(coh_run_writer *writer, coh_error *err);

/* Removes every temporary; accepts NULL. */
void coh_run_writer_abort(coh_run_writer *writer);

/*--- manifest.json -------------------------------------------------------*/

/* What a run leaves on record.  Borrowed pointers, read only. */
typedef struct coh_manifest {
	const char *dir;            /* output folder */
	int argc;                   /* the command line, as given */
	char *const *argv;
	const char *scenario_path;  /* hashed with SHA-256 */
	/* the --set PATH=VALUE texts applied to it, in order (may be 0) */
	const char *const *overrides;
	size_t n_overrides;
	const coh_model *model;     /* seed, dates, name */
	uint64_t replications;      /* completed */
	uint64_t requested;         /* asked for */
	int interrupted;            /* stopped early by a signal */
	double wall_seconds;
	const char *const *files;   /* names inside dir; sizes are read back */
	size_t n_files;
	/* run --posterior: the file, hashed with SHA-256, and how many of
	 * its particles the replications drew (NULL: none) */
	const char *posterior_path;
	uint64_t posterior_drawn;
} coh_manifest;

/* Writes dir/manifest.json atomically.  Fails with COH_EIO (a file cannot be
 * read or written), COH_ENOMEM. */
int coh_manifest_write(const coh_manifest *manifest, coh_error *err);

/* Adds the files names (inside dir) to dir/manifest.json, or updates the
 * size of those it lists already (as {name, bytes}, or as a bare name the
 * way a sweep's manifest lists them: that entry is replaced), and writes
 * it back atomically: what
 * `cohesim plot` draws later joins the folder's record.  Fails with
 * COH_EINPUT (no readable manifest), COH_EIO, COH_ENOMEM. */
int coh_manifest_add_files(const char *dir, const char *const *names,
			   size_t n, coh_error *err);

#endif
