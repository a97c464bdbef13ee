/* Drawing a finished run's figures, shared by run, compare and plot: the
 * plot specification from a model, and the warning when gnuplot is absent
 * (the data and the scripts are still written; the exit status stays 0). */
#include "cli.h"
#include "core/alloc.h"

#include <math.h>
#include <stdio.h>

int cli_draw(const char *dir, const coh_model *m, const char *const *figures,
	     size_t n_figures, const char *const *axes, size_t n_axes,
	     coh_plot_format format, char ***files, size_t *n_files,
	     coh_error *err)
{
	const char **ids = coh_calloc(m->n_members, sizeof *ids);
	const char **names = coh_calloc(m->n_members, sizeof *names);
	if (!ids || !names) {
		coh_free(ids);
		coh_free(names);
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < m->n_members; i++) {
		ids[i] = m->members[i].id;
		names[i] = m->members[i].name;
	}
	/* the record ends where the scenario says, or at its last dated
	 * event (events are sorted by day) */
	int has_end = m->has_record_end || m->n_events > 0;
	double end = m->has_record_end ? m->record_end
		   : m->n_events > 0 ? m->events[m->n_events - 1].day : 0.0;
	coh_plot_spec spec = {
		.title = m->title, .start_day = m->start_day,
		.has_record_end = has_end,
		.record_end_day = m->start_day + (int64_t)floor(end),
		.end_day = m->start_day + (int64_t)m->horizon,
		.n_members = m->n_members, .ids = ids, .names = names,
		.axes = axes, .n_axes = n_axes,
		.figures = figures, .n_figures = n_figures,
	};
	int missing = 0;
	int rc = coh_plot_render(dir, &spec, format, &missing, files, n_files,
				 err);
	coh_free(ids);
	coh_free(names);
	if (!rc && missing)
		fprintf(stderr,
			"cohesim: warning: gnuplot is not installed, so no "
			"figures were drawn; the data and the gnuplot scripts "
			"are in %s (install gnuplot, e.g. apt-get install "
			"gnuplot-nox, then run 'cohesim plot %s')\n", dir, dir);
	return rc;
}
