/* The calibration block: priors over settings and dated milestones of
 * the record, read and checked for form here (docs/calibration.md).
 * Whether `--set` takes a prior's path is the command's check, since it
 * needs the overrides machinery on the whole scenario. */
#include "internal.h"

#include <math.h>
#include <string.h>

/* More would not fit the bit mask of missed milestones that a
 * replication's result is. */
#define MAX_MILESTONES 64

static const char *const metric_names[] = {
	"cohesion", "mean", "min", "sd", "active", "frozen", "exited",
	"reliability", NULL
};

static const char *setting_file(scn_ctx *ctx, const config_setting_t *s)
{
	return scn_strdup(ctx, scn_display_name(ctx,
						config_setting_source_file(s)));
}

static void read_prior(scn_ctx *ctx, const config_setting_t *g,
		       coh_prior *p, const coh_prior *earlier, size_t n_earlier)
{
	static const char *const keys[] = {"path", "min", "max", "log", NULL};
	char where[SCN_PATH_MAX];
	scn_check_keys(ctx, g, keys, NULL);
	scn_path(g, where, sizeof where);
	const char *path = NULL;
	int ok = scn_get_string(ctx, g, "path", "a setting such as "
				"\"model.half_life\"", 1, &path) == SCN_OK;
	ok &= scn_get_number(ctx, g, "min", SCN_ANY, 1, &p->min) == SCN_OK;
	ok &= scn_get_number(ctx, g, "max", SCN_ANY, 1, &p->max) == SCN_OK;
	if (scn_get_bool(ctx, g, "log", &p->log) == SCN_BAD)
		ok = 0;
	if (!ok)
		return;
	for (size_t i = 0; i < n_earlier; i++)
		if (earlier[i].path && strcmp(earlier[i].path, path) == 0) {
			scn_error(ctx, scn_member(g, "path"), "%s: prior on %s "
				  "given twice, expected one prior per setting",
				  where, path);
			return;
		}
	if (!(p->min < p->max)) {
		scn_error(ctx, scn_member(g, "max"), "%s: min %g must be less "
			  "than max %g", where, p->min, p->max);
		return;
	}
	if (p->log && !(p->min > 0)) {
		scn_error(ctx, scn_member(g, "min"), "%s: a log-uniform prior "
			  "needs min > 0, got %g", where, p->min);
		return;
	}
	p->path = scn_strdup(ctx, path);
	p->file = setting_file(ctx, g);
	p->line = config_setting_source_line(g);
}

/* [lo, hi] at g.key: two numbers within `range`, lo <= hi. */
static int read_range(scn_ctx *ctx, const config_setting_t *g,
		      const char *key, scn_range range, double *lo, double *hi)
{
	const config_setting_t *v = scn_member(g, key);
	char where[SCN_PATH_MAX];
	scn_path(v, where, sizeof where);
	if ((!config_setting_is_array(v) && !config_setting_is_list(v)) ||
	    config_setting_length(v) != 2) {
		scn_error(ctx, v, "%s must be [LO, HI], two numbers", where);
		return SCN_BAD;
	}
	if (scn_number(ctx, config_setting_get_elem(v, 0), range, lo) !=
	    SCN_OK || scn_number(ctx, config_setting_get_elem(v, 1), range,
				 hi) != SCN_OK)
		return SCN_BAD;
	if (*lo > *hi) {
		scn_error(ctx, v, "%s is [%g, %g], expected LO <= HI", where,
			  *lo, *hi);
		return SCN_BAD;
	}
	return SCN_OK;
}

/* Which condition a milestone states: exactly one of status,
 * commitment, metric (with range) and frozen_by. */
static int milestone_kind(scn_ctx *ctx, const config_setting_t *g,
			  const char *where)
{
	static const char *const conds[] = {"status", "commitment", "metric",
					    "frozen_by"};
	int kind = -1, count = 0;
	for (int k = 0; k < 4; k++)
		if (scn_member(g, conds[k])) {
			kind = k;
			count++;
		}
	if (count != 1) {
		scn_error(ctx, g, "%s: %s, expected exactly one condition: "
			  "status, commitment, metric (with range) or "
			  "frozen_by", where,
			  count ? "more than one condition" : "no condition");
		return -1;
	}
	return kind;
}

static void read_status(scn_ctx *ctx, const config_setting_t *g,
			coh_milestone *ms)
{
	const char *status;
	if (scn_get_string(ctx, g, "status", "active, frozen or exited", 1,
			   &status) != SCN_OK)
		return;
	for (int s = COH_ACTIVE; s <= COH_EXITED; s++)
		if (strcmp(status, coh_status_name((coh_status)s)) == 0) {
			ms->status = (coh_status)s;
			return;
		}
	char where[SCN_PATH_MAX];
	scn_path(scn_member(g, "status"), where, sizeof where);
	scn_error(ctx, scn_member(g, "status"), "%s must be active, frozen or "
		  "exited, got \"%s\"", where, status);
}

static void read_metric(scn_ctx *ctx, const config_setting_t *g,
			coh_milestone *ms, const char *where)
{
	const char *metric;
	if (scn_get_string(ctx, g, "metric", "a metric such as \"active\"", 1,
			   &metric) != SCN_OK)
		return;
	int known = 0;
	for (size_t i = 0; metric_names[i]; i++)
		known |= strcmp(metric, metric_names[i]) == 0;
	if (!known) {
		scn_error(ctx, scn_member(g, "metric"), "%s: unknown metric "
			  "\"%s\", expected cohesion, mean, min, sd, active, "
			  "frozen, exited or reliability", where, metric);
		return;
	}
	if (!scn_member(g, "range")) {
		scn_error(ctx, g, "%s: metric %s without range, expected "
			  "range = [LO, HI]", where, metric);
		return;
	}
	ms->metric = scn_strdup(ctx, metric);
	read_range(ctx, g, "range", SCN_ANY, &ms->lo, &ms->hi);
}

static void read_milestone(scn_ctx *ctx, const config_setting_t *g,
			   coh_milestone *ms, const coh_milestone *earlier,
			   size_t n_earlier)
{
	static const char *const keys[] = {
		"id", "date", "member", "status", "commitment", "metric",
		"range", "frozen_by", "tolerance", "weight", "source", "note",
		NULL
	};
	char where[SCN_PATH_MAX];
	scn_check_keys(ctx, g, keys, NULL);
	scn_path(g, where, sizeof where);
	ms->member = -1;
	ms->weight = 1.0;
	const char *id = NULL;
	if (scn_get_string(ctx, g, "id", "a short name such as "
			   "\"arm-frozen-minsk\"", 1, &id) == SCN_OK) {
		for (size_t i = 0; i < n_earlier; i++)
			if (earlier[i].id && strcmp(earlier[i].id, id) == 0)
				scn_error(ctx, scn_member(g, "id"), "%s: "
					  "milestone id \"%s\" is used twice, "
					  "expected distinct ids", where, id);
		ms->id = scn_strdup(ctx, id);
	}
	double day = 0;
	if (scn_read_day(ctx, g, "date", 1, &day) == SCN_OK)
		ms->day = (int64_t)day;
	int kind = milestone_kind(ctx, g, where);
	int needs_member = kind >= 0 && kind != COH_MILESTONE_METRIC;
	if (needs_member)
		scn_get_member(ctx, g, "member", 1, 0, &ms->member);
	else if (kind >= 0 && scn_member(g, "member"))
		scn_error(ctx, scn_member(g, "member"), "%s: a metric milestone "
			  "is about the alliance, expected no member", where);
	if (kind != COH_MILESTONE_METRIC && scn_member(g, "range"))
		scn_error(ctx, scn_member(g, "range"), "%s: range goes with "
			  "metric, expected commitment = [LO, HI] for a "
			  "member's commitment", where);
	if (kind >= 0)
		ms->kind = (coh_milestone_kind)kind;
	if (kind == COH_MILESTONE_STATUS)
		read_status(ctx, g, ms);
	else if (kind == COH_MILESTONE_COMMITMENT)
		read_range(ctx, g, "commitment", SCN_UNIT, &ms->lo, &ms->hi);
	else if (kind == COH_MILESTONE_METRIC)
		read_metric(ctx, g, ms, where);
	else if (kind == COH_MILESTONE_FROZEN_BY) {
		int yes = 0;
		if (scn_get_bool(ctx, g, "frozen_by", &yes) == SCN_OK && !yes)
			scn_error(ctx, scn_member(g, "frozen_by"), "%s: "
				  "frozen_by = false states nothing, expected "
				  "frozen_by = true (the member has frozen at "
				  "least once by the date)", where);
	}
	long long tol;
	if (scn_get_integer(ctx, g, "tolerance", 0, 0, &tol) == SCN_OK) {
		if (tol > 3660)
			scn_error(ctx, scn_member(g, "tolerance"), "%s: tolerance "
				  "%lld days, expected at most 3660 (ten "
				  "years)", where, tol);
		ms->tolerance = (int64_t)tol;
	}
	scn_get_number(ctx, g, "weight", SCN_POS, 0, &ms->weight);
	const char *text;
	if (scn_get_string(ctx, g, "source", "text", 0, &text) == SCN_OK)
		ms->source = scn_strdup(ctx, text);
	if (scn_get_string(ctx, g, "note", "text", 0, &text) == SCN_OK)
		ms->note = scn_strdup(ctx, text);
	ms->file = setting_file(ctx, g);
	ms->line = config_setting_source_line(g);
}

void scn_convert_calibration(scn_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = {"priors", "milestones", NULL};
	coh_model *m = &ctx->sc->model;
	const config_setting_t *g = scn_get_group(ctx, root, "calibration", 0);
	if (!g)
		return;
	scn_check_keys(ctx, g, keys, NULL);
	const config_setting_t *priors = scn_get_list(ctx, g, "priors", 1);
	const config_setting_t *milestones = scn_get_list(ctx, g,
							  "milestones", 1);
	size_t np = scn_group_list(ctx, priors, "{ path = ...; min = ...; "
				   "max = ...; }");
	size_t nm = scn_group_list(ctx, milestones, "{ id = ...; date = ...; "
				   "... }");
	if (priors && np == 0)
		scn_error(ctx, priors, "calibration.priors is empty, expected "
			  "at least one prior");
	if (milestones && nm == 0)
		scn_error(ctx, milestones, "calibration.milestones is empty, "
			  "expected at least one milestone");
	if (nm > MAX_MILESTONES) {
		scn_error(ctx, milestones, "calibration.milestones has %zu "
			  "milestones, expected at most %d", nm,
			  MAX_MILESTONES);
		return;
	}
	coh_prior *p = scn_alloc(ctx, np ? np : 1, sizeof *p);
	coh_milestone *ms = scn_alloc(ctx, nm ? nm : 1, sizeof *ms);
	if (!p || !ms)
		return;
	for (size_t i = 0; i < np; i++) {
		const config_setting_t *e =
			config_setting_get_elem(priors, (unsigned)i);
		if (config_setting_is_group(e))
			read_prior(ctx, e, &p[i], p, i);
	}
	for (size_t i = 0; i < nm; i++) {
		const config_setting_t *e =
			config_setting_get_elem(milestones, (unsigned)i);
		if (config_setting_is_group(e))
			read_milestone(ctx, e, &ms[i], ms, i);
	}
	m->priors = p;
	m->n_priors = np;
	m->milestones = ms;
	m->n_milestones = nm;
}
