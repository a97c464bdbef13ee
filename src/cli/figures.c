/* Drawing a finished run's figures, shared by run, compare and plot: the
 * plot specification from a model, and the warning when gnuplot is absent
 * (the data and the scripts are still written; the exit status stays 0). */
#include "cli.h"
#include "core/alloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Whether id is in the comma list (NULL: every member is). */
static int listed(const char *list, const char *id)
{
	if (!list)
		return 1;
	size_t len = strlen(id);
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && strncmp(p, id, n) == 0)
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

/* Every id of the comma list is a member, or a usage error naming
 * option (with its full value) and the members. */
static int check_ids(const char *command, const char *option,
		     const char *value, const char *list, const coh_model *m)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		size_t i = 0;
		while (i < m->n_members &&
		       !(strlen(m->members[i].id) == n &&
			 strncmp(p, m->members[i].id, n) == 0))
			i++;
		if (n == 0 || i == m->n_members) {
			char known[256] = "";
			for (size_t k = 0; k < m->n_members; k++) {
				size_t used = strlen(known);
				if (used + strlen(m->members[k].id) + 8 >=
				    sizeof known) {
					snprintf(known + used,
						 sizeof known - used, ", ...");
					break;
				}
				snprintf(known + used, sizeof known - used,
					 "%s%s", k ? ", " : "",
					 m->members[k].id);
			}
			return cli_usage_error(command, "%s %s: no member "
					       "\"%.*s\"; members are %s",
					       option, value, (int)n, p,
					       known);
		}
		p += n + (p[n] == ',');
	}
	return CLI_OK;
}

int cli_check_members(const char *command, const char *list,
		      const coh_model *m)
{
	return list ? check_ids(command, "--members", list, list, m) : CLI_OK;
}

int cli_check_metric(const char *command, const char *metric,
		      const coh_model *m)
{
	if (!metric)
		return CLI_OK;
	size_t kind = strcspn(metric, ":");
	int known = (kind == 4 && strncmp(metric, "exit", 4) == 0) ||
		    (kind == 6 && strncmp(metric, "freeze", 6) == 0);
	if (!known)
		return cli_usage_error(command, "--metric expects exit, freeze, "
				       "exit:ID or freeze:ID, got \"%s\"",
				       metric);
	if (!metric[kind])
		return CLI_OK;
	/* one id, so no comma */
	if (!metric[kind + 1] || strchr(metric + kind + 1, ','))
		return cli_usage_error(command, "--metric takes one member, "
				       "got \"%s\"", metric);
	return check_ids(command, "--metric", metric, metric + kind + 1, m);
}

/* A model's plot specification, with the arrays it points into. */
typedef struct spec_arrays {
	const char **ids, **names;
	double *freeze, *exit_at;
	coh_plot_spec spec;
} spec_arrays;

static void spec_free(spec_arrays *sa)
{
	coh_free(sa->ids);
	coh_free(sa->names);
	coh_free(sa->freeze);
	coh_free(sa->exit_at);
}

/* Fills sa->spec for m with the user's choices (NULL: none). */
static int spec_build(spec_arrays *sa, const coh_model *m,
		      const cli_figure_opts *opts, const char *const *figures,
		      size_t n_figures, const char *const *axes,
		      size_t n_axes, coh_error *err)
{
	const char *members = opts ? opts->members : NULL;
	size_t n = m->n_members ? m->n_members : 1;
	sa->ids = coh_calloc(n, sizeof *sa->ids);
	sa->names = coh_calloc(n, sizeof *sa->names);
	sa->freeze = coh_calloc(n, sizeof *sa->freeze);
	sa->exit_at = coh_calloc(n, sizeof *sa->exit_at);
	if (!sa->ids || !sa->names || !sa->freeze || !sa->exit_at) {
		spec_free(sa);
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	}
	/* the members asked for, in the scenario's order */
	size_t shown = 0;
	for (size_t i = 0; i < m->n_members; i++) {
		if (!listed(members, m->members[i].id))
			continue;
		sa->ids[shown] = m->members[i].id;
		sa->names[shown] = m->members[i].name;
		sa->freeze[shown] = m->members[i].freeze;
		sa->exit_at[shown] = m->members[i].exit;
		shown++;
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
		.n_members = shown, .has_candidates = coh_model_has_joins(m),
		.ids = sa->ids, .names = sa->names,
		.freeze = sa->freeze, .exit = sa->exit_at,
		.metric = opts ? opts->metric : NULL,
		.axes = axes, .n_axes = n_axes,
		.figures = figures, .n_figures = n_figures,
	};
	sa->spec = spec;
	return 0;
}

int cli_draw_members(const char *dir, const coh_model *m,
		     const cli_figure_opts *opts, const char *const *figures,
		     size_t n_figures, const char *const *axes,
		     size_t n_axes, coh_plot_format format, char ***files,
		     size_t *n_files, coh_error *err)
{
	spec_arrays sa = {0};
	int rc = spec_build(&sa, m, opts, figures, n_figures, axes, n_axes,
			    err);
	if (rc)
		return rc;
	int missing = 0;
	rc = coh_plot_render(dir, &sa.spec, format, &missing, files, n_files,
			     err);
	spec_free(&sa);
	if (!rc && missing)
		fprintf(stderr,
			"cohesim: warning: gnuplot is not installed, so no "
			"figures were drawn; the data and the gnuplot scripts "
			"are in %s (install gnuplot, e.g. apt-get install "
			"gnuplot-nox, then run 'cohesim plot %s')\n", dir, dir);
	return rc;
}

int cli_draw_svg(const char *dir, const coh_model *m,
		 const cli_figure_opts *opts, const char *const *figures,
		 size_t n_figures,
		 const char *const *axes, size_t n_axes, char **svg,
		 int *missing, coh_error *err)
{
	spec_arrays sa = {0};
	int rc = spec_build(&sa, m, opts, figures, n_figures, axes, n_axes,
			    err);
	if (rc)
		return rc;
	rc = coh_plot_svg(dir, &sa.spec, missing, svg, err);
	spec_free(&sa);
	return rc;
}

int cli_draw(const char *dir, const coh_model *m, const char *const *figures,
	     size_t n_figures, const char *const *axes, size_t n_axes,
	     coh_plot_format format, char ***files, size_t *n_files,
	     coh_error *err)
{
	return cli_draw_members(dir, m, NULL, figures, n_figures, axes,
				n_axes, format, files, n_files, err);
}
