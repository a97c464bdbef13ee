/* Figures: gnuplot scripts made from the templates of plots/ (embedded in
 * the library), written next to the data they read, and run through a pipe
 * to a gnuplot child process.  Every string that comes from a scenario is
 * quoted so that gnuplot can only ever print it. */
#ifndef COHESIM_PLOT_H
#define COHESIM_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"

typedef enum coh_plot_format {
	COH_PLOT_NONE = 0,
	COH_PLOT_PNG,
	COH_PLOT_SVG,
	COH_PLOT_PDF,
	COH_PLOT_DUMB       /* text, drawn on standard output */
} coh_plot_format;

/* "png", "svg", "pdf", "dumb", "none" -> *out; COH_EUSAGE otherwise. */
int coh_plot_format_parse(coh_plot_format *out, const char *text);
const char *coh_plot_format_name(coh_plot_format format);

/* What the figures need to know beyond their data files.  Borrowed. */
typedef struct coh_plot_spec {
	const char *title;
	int64_t start_day, end_day;     /* the x range (date.h day numbers) */
	/* where the record ends and the projection begins (a day number),
	 * marked on every time figure; has_record_end 0: no mark */
	int has_record_end;
	int64_t record_end_day;
	size_t n_members;
	/* the model has members who join late: summary.csv has a
	 * `candidates` count, drawn in the status panel */
	int has_candidates;
	const char *const *ids;
	const char *const *names;
	/* each member's freeze and exit thresholds, drawn on its panel;
	 * NULL: none drawn */
	const double *freeze, *exit;
	/* what the sweep figure maps besides cohesion: "exit" (the member
	 * most likely to exit; NULL means this), "freeze", or "exit:ID",
	 * "freeze:ID" for one member */
	const char *metric;
	/* Sweep axes (setting paths) for the sweep figures, or the QoIs of
	 * the attribution figure (one panel each); may be empty. */
	const char *const *axes;
	size_t n_axes;
	/* Template names to render, e.g. {"cohesion.gp", "members.gp"};
	 * common.gp is always written. */
	const char *const *figures;
	size_t n_figures;
} coh_plot_spec;

/* Writes the scripts into dir and, unless format is COH_PLOT_NONE, runs
 * gnuplot on them in dir.  When gnuplot is not installed the scripts are
 * still written, *missing (may be NULL) is set to 1, and 0 is returned.
 * Names of the files written (scripts and figures, relative to dir) are
 * appended to *files / *n_files, which the caller frees with
 * coh_plot_files_free.  COH_EIO if a file cannot be written or gnuplot
 * fails (its first error line in err). */
int coh_plot_render(const char *dir, const coh_plot_spec *spec,
		    coh_plot_format format, int *missing, char ***files,
		    size_t *n_files, coh_error *err);

void coh_plot_files_free(char **files, size_t n_files);

/* Draws spec's figures once more, as SVG into memory, for a report that
 * holds them inline: the data files are read from dir, and nothing is
 * written there (the scripts and figures go to a temporary folder under
 * $TMPDIR or /tmp, removed before returning).  svg has room for
 * spec->n_figures pointers; on success svg[i] is figure i's SVG file as
 * gnuplot wrote it (XML prolog included), newly allocated, freed by the
 * caller with free().  When gnuplot is not installed every svg[i] is NULL,
 * *missing (may be NULL) is 1 and 0 is returned.  On failure (COH_EIO,
 * COH_ENOMEM) every svg[i] is NULL. */
int coh_plot_svg(const char *dir, const coh_plot_spec *spec, int *missing,
		 char **svg, coh_error *err);

/* Writes text as a gnuplot single-quoted string literal into buf (size
 * bytes, always terminated): quotes doubled, control characters turned into
 * spaces.  Single-quoted strings are never expanded by gnuplot (no
 * backquote commands, no macros). */
void coh_plot_quote(char *buf, size_t size, const char *text);

#endif
