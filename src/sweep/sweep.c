/* The sweep driver: for each design point, build the scenario (read once)
 * with the point's values as overrides, run its replications, append its rows
 * to sweep.csv and sweep-summary.csv, made durable before the next point.
 * Files grow only by whole points, so --resume can trim a partial tail and
 * carry on to exactly the bytes of an uninterrupted sweep. */
#include "internal.h"
#include "cohesim/output.h"
#include "cohesim/qoi.h"
#include "cohesim/version.h"
#include "core/alloc.h"
#include "core/number.h"
#include "core/strbuf.h"
#include "output/csv.h"
#include "output/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h> /* median and quantiles: plain double */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*--- Loading a point --------------------------------------------------------*/

/* Loads the scenario with the base overrides, then the replications when
 * given (the pilot of --dry-run), then the point's axis values, then
 * particle's values when it is not SIZE_MAX (sweep --posterior). */
static int load_particle(coh_scenario **out, const coh_sweep_options *o,
			 uint64_t p, size_t particle, coh_diag *diag)
{
	const coh_design *d = o->design;
	size_t n_axes = coh_design_axes(d);
	const coh_posterior *post = particle != SIZE_MAX ? o->posterior : NULL;
	size_t n_post = post ? post->k : 0;
	size_t n = o->n_overrides + 1 + n_axes + n_post;
	const char **ov = coh_calloc(n, sizeof *ov);
	char **owned = coh_calloc(n, sizeof *owned);
	int rc = 0;
	size_t k = 0, n_owned = 0;
	if (!ov || !owned) {
		rc = coh_diag_add(diag, COH_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < o->n_overrides; i++)
		ov[k++] = o->overrides[i];
	char buf[64];
	if (o->replications) {
		snprintf(buf, sizeof buf, "scenario.replications=%llu",
			 (unsigned long long)o->replications);
		ov[k++] = owned[n_owned++] = coh_strdup(buf);
	}
	for (size_t a = 0; a < n_axes; a++) {
		const char *path = coh_design_path(d, a);
		char vbuf[COH_DESIGN_VALUE_MAX];
		const char *val = coh_design_value(d, p, a, vbuf);
		size_t len = strlen(path) + strlen(val) + 2;
		char *s = coh_malloc(len);
		if (s)
			snprintf(s, len, "%s=%s", path, val);
		ov[k++] = owned[n_owned++] = s;
	}
	for (size_t j = 0; j < n_post; j++) {
		char num[COH_NUMBER_MAX];
		coh_format_double(num, post->theta[particle * post->k + j]);
		size_t len = strlen(post->paths[j]) + strlen(num) + 2;
		char *s = coh_malloc(len);
		if (s)
			snprintf(s, len, "%s=%s", post->paths[j], num);
		ov[k++] = owned[n_owned++] = s;
	}
	for (size_t i = 0; i < n_owned; i++)
		if (!owned[i]) {
			rc = coh_diag_add(diag, COH_ENOMEM, NULL, 0,
					  "out of memory");
			goto out;
		}
	size_t first_error = diag->count;
	rc = coh_scenario_load_source(out, o->source, ov, k, diag);
	/* an axis's value is an override the user wrote as --vary */
	for (size_t e = first_error; e < diag->count; e++) {
		coh_error *er = &diag->items[e];
		for (size_t a = 0; a < n_axes; a++) {
			const char *path = coh_design_path(d, a);
			size_t len = strlen(path);
			if (strncmp(er->file, "--set ", 6) == 0 &&
			    strncmp(er->file + 6, path, len) == 0 &&
			    er->file[6 + len] == '=') {
				char fixed[COH_ERROR_FILE_MAX];
				snprintf(fixed, sizeof fixed, "--vary %s",
					 er->file + 6);
				memcpy(er->file, fixed, sizeof fixed);
				break;
			}
		}
	}
out:
	for (size_t i = 0; owned && i < n_owned; i++)
		coh_free(owned[i]);
	coh_free(owned);
	coh_free(ov);
	return rc;
}

static int load_point(coh_scenario **out, const coh_sweep_options *o,
		      uint64_t p, coh_diag *diag)
{
	return load_particle(out, o, p, SIZE_MAX, diag);
}

/*--- A point's particles (sweep --posterior) -----------------------------------*/

/* Replication r of every point draws the same particle (keyed by the seed
 * and r), so the points of a posterior sweep stay paired; each particle
 * drawn is loaded once with the point's values. */
typedef struct point_particles {
	size_t *row_of_rep;             /* [replication] */
	coh_scenario **scenarios;       /* [row] */
	size_t n_rows;
} point_particles;

static void point_particles_free(point_particles *pp)
{
	for (size_t i = 0; pp->scenarios && i < pp->n_rows; i++)
		coh_scenario_free(pp->scenarios[i]);
	coh_free(pp->scenarios);
	coh_free(pp->row_of_rep);
}

static const coh_model *particle_model(void *ctx, uint64_t r, size_t slot)
{
	(void)slot;
	const point_particles *pp = ctx;
	return coh_scenario_model(pp->scenarios[pp->row_of_rep[r]]);
}

static int point_particles_load(point_particles *pp,
				const coh_sweep_options *o, uint64_t p,
				const coh_model *m, coh_diag *diag)
{
	const coh_posterior *post = o->posterior;
	size_t reps = (size_t)m->replications;
	size_t *row_of = coh_calloc(post->n, sizeof *row_of);
	pp->row_of_rep = coh_calloc(reps ? reps : 1, sizeof *pp->row_of_rep);
	pp->scenarios = coh_calloc(reps ? reps : 1, sizeof(coh_scenario *));
	if (!row_of || !pp->row_of_rep || !pp->scenarios) {
		coh_free(row_of);
		return coh_diag_add(diag, COH_ENOMEM, NULL, 0, "out of memory");
	}
	int rc = 0;
	for (size_t i = 0; i < post->n; i++)
		row_of[i] = SIZE_MAX;
	for (size_t r = 0; !rc && r < reps; r++) {
		size_t particle = coh_posterior_draw(post, m->seed, r);
		if (row_of[particle] == SIZE_MAX) {
			row_of[particle] = pp->n_rows;
			rc = load_particle(&pp->scenarios[pp->n_rows++], o, p,
					   particle, diag);
			const coh_model *pm = rc ? NULL : coh_scenario_model(
				pp->scenarios[pp->n_rows - 1]);
			if (pm && (pm->n_members != m->n_members ||
				   pm->horizon != m->horizon ||
				   pm->sample_every != m->sample_every))
				rc = coh_diag_add(diag, COH_EINPUT, NULL, 0,
						  "particle %zu changes the "
						  "members, dates or sample "
						  "grid of point %llu", particle,
						  (unsigned long long)p);
		}
		pp->row_of_rep[r] = row_of[particle];
	}
	coh_free(row_of);
	return rc;
}

/*--- Running a point ----------------------------------------------------------*/

typedef struct point_run {
	const coh_model *model;
	uint64_t point, reps;
	coh_strbuf rows;
	double *final_cohesion;         /* [replication] */
	double *freeze_days, *exit_days;/* [member][replication]; inf: never */
	uint64_t n;                     /* replications taken so far */
} point_run;

static const char *const row_header =
	"point,replication,seed,cohesion,mean,min,sd,active,frozen,exited,"
	"reliability";
/* ... and of a model with joins: a `candidates` column after `exited` */
static const char *const row_header_joins =
	"point,replication,seed,cohesion,mean,min,sd,active,frozen,exited,"
	"candidates,reliability";

/* On the worker that ran replication r: its sweep.csv row, formatted
 * into the trace's text, and its final values, stored at index r (each
 * replication has its own slots, so workers never share one). */
static int prepare_replication(void *ctx, int worker, coh_trace *const *traces,
			       size_t n_models)
{
	(void)worker;
	(void)n_models;
	point_run *pr = ctx;
	coh_trace *t = traces[0];
	const coh_sample *s = &t->samples[t->n_samples - 1];
	uint64_t r = t->replication;
	int failed = 0;
	char buf[96];
	snprintf(buf, sizeof buf, "%llu,%llu,%llu,",
		 (unsigned long long)pr->point, (unsigned long long)r,
		 (unsigned long long)pr->model->seed);
	coh_csv_put_text(t, buf, &failed);
	const double v[] = {s->cohesion, s->mean, s->min, s->sd};
	for (size_t i = 0; i < 4; i++) {
		coh_csv_put_double(t, v[i], &failed);
		coh_csv_put_text(t, ",", &failed);
	}
	snprintf(buf, sizeof buf, "%d,%d,%d,", s->active, s->frozen,
		 s->exited);
	coh_csv_put_text(t, buf, &failed);
	if (coh_model_has_joins(pr->model)) {
		snprintf(buf, sizeof buf, "%d,", s->candidates);
		coh_csv_put_text(t, buf, &failed);
	}
	coh_csv_put_double(t, s->reliability, &failed);
	for (size_t i = 0; i < t->n_members; i++) {
		coh_csv_put_text(t, ",", &failed);
		coh_csv_put_double(t, s->commitment[i], &failed);
		snprintf(buf, sizeof buf, ",%s,", coh_status_name(s->status[i]));
		coh_csv_put_text(t, buf, &failed);
		coh_csv_put_double(t, t->first_freeze[i], &failed);
		coh_csv_put_text(t, ",", &failed);
		coh_csv_put_double(t, t->first_exit[i], &failed);
		double fz = t->first_freeze[i], ex = t->first_exit[i];
		pr->freeze_days[i * pr->reps + r] = isnan(fz) ? INFINITY : fz;
		pr->exit_days[i * pr->reps + r] = isnan(ex) ? INFINITY : ex;
	}
	coh_csv_put_text(t, "\n", &failed);
	pr->final_cohesion[r] = s->cohesion;
	return failed ? COH_ENOMEM : 0;
}

/* In replication order: the prepared row goes to the point's rows. */
static int take_replication(void *ctx, const coh_trace *const *traces,
			    size_t n_models)
{
	(void)n_models;
	point_run *pr = ctx;
	coh_strbuf_add(&pr->rows, traces[0]->text, traces[0]->text_len);
	pr->n++;
	return pr->rows.failed ? COH_ENOMEM : 0;
}

/* Median of n values where inf stands for "never": NaN (an empty field)
 * when the median itself is never. */
static double median_day(double *x, size_t n)
{
	gsl_sort(x, 1, n);
	double m = gsl_stats_median_from_sorted_data(x, 1, n);
	return isfinite(m) ? m : NAN;
}

static size_t count_finite(const double *x, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += isfinite(x[i]) != 0;
	return c;
}

static void summary_line(coh_strbuf *b, const coh_sweep_options *o,
			 point_run *pr)
{
	size_t R = (size_t)pr->n, nm = pr->model->n_members;
	const coh_design *d = o->design;
	coh_strbuf_printf(b, "%llu", (unsigned long long)pr->point);
	for (size_t a = 0; a < coh_design_axes(d); a++) {
		char vbuf[COH_DESIGN_VALUE_MAX];
		coh_strbuf_puts(b, ",");
		coh_strbuf_puts(b, coh_design_value(d, pr->point, a, vbuf));
	}
	coh_strbuf_printf(b, ",%zu,", R);
	double *c = pr->final_cohesion;
	/* Welford in plain doubles, in replication order: GSL's mean sums in
	 * long double, whose precision is not the same everywhere (valgrind
	 * runs it as double), and these bytes must be */
	double mean = 0, m2 = 0;
	for (size_t r = 0; r < R; r++) {
		double delta = c[r] - mean;
		mean += delta / (double)(r + 1);
		m2 += delta * (c[r] - mean);
	}
	double sd = R > 1 ? sqrt(m2 / (double)(R - 1)) : 0.0;
	double half = R > 1 ? 1.959963984540054 * sd / sqrt((double)R) : NAN;
	gsl_sort(c, 1, R);
	const double v[] = {mean, sd, mean - half, mean + half,
			    gsl_stats_quantile_from_sorted_data(c, 1, R, 0.025),
			    gsl_stats_quantile_from_sorted_data(c, 1, R, 0.975)};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		if (i)
			coh_strbuf_puts(b, ",");
		coh_strbuf_double(b, v[i]);
	}
	for (size_t i = 0; i < nm; i++) {
		double *fz = pr->freeze_days + i * pr->reps;
		double *ex = pr->exit_days + i * pr->reps;
		coh_strbuf_puts(b, ",");
		coh_strbuf_double(b, (double)count_finite(fz, R) / (double)R);
		coh_strbuf_puts(b, ",");
		coh_strbuf_double(b, (double)count_finite(ex, R) / (double)R);
		coh_strbuf_puts(b, ",");
		coh_strbuf_double(b, median_day(fz, R));
	}
	coh_strbuf_puts(b, "\n");
}

void swp_point_result_free(swp_point_result *r)
{
	if (!r)
		return;
	coh_free(r->rows);
	coh_free(r->summary);
	*r = (swp_point_result){0};
}

/*--- Running a point of an analysis command's table --------------------------*/

typedef struct qoi_take {
	coh_qoi_set *set;
	coh_error *err;
	double *values;         /* [replication * n_qoi + q], or NULL */
	uint64_t first;
	size_t n_qoi;
} qoi_take;

static int take_qoi(void *ctx, const coh_trace *const *traces,
		    size_t n_models)
{
	(void)n_models;
	qoi_take *c = ctx;
	if (c->values)
		return coh_qoi_set_values(c->set, traces[0], &c->values[
			(traces[0]->replication - c->first) * c->n_qoi],
			c->err);
	return coh_qoi_set_accumulate(c->set, traces[0], c->err);
}

/* The point's QoIs, parsed against its own model, averaged over its
 * replications in replication order (so the same bits for any -j), and
 * its table line. */
static int table_point_run(const coh_sweep_options *o, uint64_t p,
			   const coh_model *m, swp_point_result *out,
			   coh_error *err)
{
	const coh_sweep_table *t = o->table;
	coh_qoi_set *set = NULL;
	uint64_t reps = m->replications;
	size_t n_values = t->n_qoi ? t->n_qoi : 1;
	if (t->line_reps)
		n_values *= reps;
	double *means = coh_calloc(n_values, sizeof *means);
	char *text = NULL;
	size_t len = 0;
	int rc = means ? coh_qoi_set_alloc(&set, m, err)
		       : coh_error_set(err, COH_ENOMEM, NULL, 0,
				       "out of memory");
	for (size_t q = 0; !rc && q < t->n_qoi; q++) {
		rc = coh_qoi_set_add(set, t->qoi[q], err);
		if (rc == COH_EUSAGE) {
			char msg[sizeof err->message + 256];
			snprintf(msg, sizeof msg, "point %llu: --qoi '%s': %s",
				 (unsigned long long)p, t->qoi[q],
				 err->message);
			/* cut to fit (msg may be longer) */
			size_t n = strlen(msg);
			if (n >= sizeof err->message)
				n = sizeof err->message - 1;
			memcpy(err->message, msg, n);
			err->message[n] = '\0';
		}
	}
	/* A table needs the reads at its QoIs' days alone, which do not
	 * depend on the sample grid (docs/analysis.md): one sample over the
	 * whole horizon instead of the scenario's grid spares recording,
	 * and allocating room for, hundreds of samples per replication. */
	coh_model sparse = *m;
	if (m->horizon > 0 && sparse.sample_every < m->horizon)
		sparse.sample_every = m->horizon;
	const coh_model *run_model = &sparse;
	if (!rc) {
		size_t n_reads = 0;
		const double *reads = coh_qoi_set_read_days(set, &n_reads);
		qoi_take ctx = {set, err, t->line_reps ? means : NULL, 0,
				t->n_qoi};
		coh_mc_options mo = {
			.seed = m->seed, .point = coh_design_key(o->design, p),
			.replications = m->replications, .threads = o->threads,
			.stop = o->stop, .read_days = reads,
			.n_read_days = n_reads,
		};
		rc = coh_mc_run(&run_model, 1, &mo, take_qoi, &ctx, NULL,
				err);
	}
	for (size_t q = 0; !rc && !t->line_reps && q < t->n_qoi; q++)
		means[q] = coh_qoi_set_estimate(set, q).estimate;
	FILE *fp = rc ? NULL : open_memstream(&text, &len);
	if (!rc && !fp)
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	if (fp) {
		int lrc = t->line_reps
			  ? t->line_reps(t->ctx, p, means, reps, fp)
			  : t->line(t->ctx, p, means, fp);
		if (fclose(fp) || lrc)
			rc = coh_error_set(err, lrc ? lrc : COH_ENOMEM, NULL, 0,
					   "cannot format point %llu of %s",
					   (unsigned long long)p, t->file);
	}
	/* into memory of the project's allocator, which the result frees */
	if (!rc && !(out->summary = coh_malloc(len + 1)))
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	if (!rc) {
		memcpy(out->summary, text, len + 1);
		out->summary_len = len;
	}
	free(text);
	coh_free(means);
	coh_qoi_set_free(set);
	return rc;
}

int swp_point_run(const coh_sweep_options *o, uint64_t p,
		    swp_point_result *out, coh_diag *diag)
{
	coh_scenario *sc = NULL;
	int rc = load_point(&sc, o, p, diag);
	if (rc)
		return rc;
	if (o->table) {
		coh_error terr = {0};
		rc = table_point_run(o, p, coh_scenario_model(sc), out, &terr);
		if (rc)
			coh_diag_push(diag, &terr);
		coh_scenario_free(sc);
		return rc;
	}
	const coh_model *m = coh_scenario_model(sc);
	point_particles pp = {0};
	if (o->posterior && (rc = point_particles_load(&pp, o, p, m, diag))) {
		point_particles_free(&pp);
		coh_scenario_free(sc);
		return rc;
	}
	point_run pr = {.model = m, .point = p, .reps = m->replications};
	size_t cells = (size_t)pr.reps * m->n_members;
	pr.final_cohesion = coh_calloc((size_t)pr.reps, sizeof(double));
	pr.freeze_days = coh_calloc(cells, sizeof(double));
	pr.exit_days = coh_calloc(cells, sizeof(double));
	coh_strbuf line = {0};
	coh_error err = {0};
	if (!pr.final_cohesion || !pr.freeze_days || !pr.exit_days) {
		rc = coh_error_set(&err, COH_ENOMEM, NULL, 0,
				   "out of memory for %llu replications",
				   (unsigned long long)pr.reps);
	} else {
		coh_mc_options mo = {
			.seed = m->seed, .point = coh_design_key(o->design, p),
			.replications = pr.reps, .threads = o->threads,
			.stop = o->stop, .prepare = prepare_replication,
			.prepare_ctx = &pr,
			.model_for = o->posterior ? particle_model : NULL,
			.model_for_ctx = &pp,
		};
		rc = coh_mc_run(&m, 1, &mo, take_replication, &pr, NULL, &err);
	}
	if (!rc) {
		summary_line(&line, o, &pr);
		if (line.failed || pr.rows.failed)
			rc = coh_error_set(&err, COH_ENOMEM, NULL, 0,
					   "out of memory");
	}
	if (rc) {
		coh_diag_push(diag, &err);
		coh_strbuf_free(&pr.rows);
		coh_strbuf_free(&line);
	} else {
		*out = (swp_point_result){pr.rows.s, pr.rows.len, line.s,
					  line.len};
	}
	coh_free(pr.final_cohesion);
	coh_free(pr.freeze_days);
	coh_free(pr.exit_days);
	point_particles_free(&pp);
	coh_scenario_free(sc);
	return rc;
}

/*--- Files --------------------------------------------------------------------*/

struct swp_files {
	const coh_sweep_options *opts;
	char *dir;
	FILE *rows, *summary;
	uint64_t total_points;
	const coh_model *model;         /* of point 0, for the manifest */
	coh_scenario *scenario;
	char sha256[65];                /* of the resolved scenario */
	double synced;                  /* when the table was last synced */
};

static void headers(coh_strbuf *rows, coh_strbuf *summary,
		    const coh_sweep_options *o, const coh_model *m)
{
	if (o->table) {
		coh_strbuf_puts(summary, o->table->header);
		return;
	}
	coh_strbuf_puts(rows, coh_model_has_joins(m) ? row_header_joins
						     : row_header);
	for (size_t i = 0; i < m->n_members; i++) {
		const char *id = m->members[i].id;
		coh_strbuf_printf(rows, ",%s_commitment,%s_status,"
				  "%s_freeze_day,%s_exit_day", id, id, id, id);
	}
	coh_strbuf_puts(rows, "\n");
	coh_strbuf_puts(summary, "point");
	for (size_t a = 0; a < coh_design_axes(o->design); a++)
		coh_strbuf_printf(summary, ",%s", coh_design_path(o->design, a));
	coh_strbuf_puts(summary, ",replications,cohesion_mean,cohesion_sd,"
			"cohesion_ci_lo,cohesion_ci_hi,cohesion_q025,"
			"cohesion_q975");
	for (size_t i = 0; i < m->n_members; i++) {
		const char *id = m->members[i].id;
		coh_strbuf_printf(summary, ",%s_p_freeze,%s_p_exit,"
				  "%s_median_freeze_day", id, id, id);
	}
	coh_strbuf_puts(summary, "\n");
}

/* The design; an explicit one with each point's stream key. */
static void points_text(coh_strbuf *b, const coh_design *d)
{
	int keyed = coh_design_kind_of(d) == COH_DESIGN_EXPLICIT;
	coh_strbuf_puts(b, "point");
	for (size_t a = 0; a < coh_design_axes(d); a++)
		coh_strbuf_printf(b, ",%s", coh_design_path(d, a));
	coh_strbuf_puts(b, keyed ? ",key\n" : "\n");
	for (size_t p = 0; p < coh_design_points(d); p++) {
		coh_strbuf_printf(b, "%zu", p);
		for (size_t a = 0; a < coh_design_axes(d); a++) {
			char vbuf[COH_DESIGN_VALUE_MAX];
			coh_strbuf_printf(b, ",%s",
					  coh_design_value(d, p, a, vbuf));
		}
		if (keyed)
			coh_strbuf_printf(b, ",%llu", (unsigned long long)
					  coh_design_key(d, p));
		coh_strbuf_puts(b, "\n");
	}
}

/* The file whose lines mark finished points. */
static const char *summary_name(const coh_sweep_options *o)
{
	return o->table ? o->table->file : "sweep-summary.csv";
}

/* Reads a whole (small) file; NULL with errno ENOENT if it is missing. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	coh_strbuf b = {0};
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		coh_strbuf_add(&b, buf, n);
	int bad = ferror(fp) || b.failed;
	fclose(fp);
	if (bad) {
		coh_strbuf_free(&b);
		errno = EIO;
		return NULL;
	}
	*len = b.len;
	if (!b.s)
		return coh_calloc(1, 1);
	return b.s;
}

/* Keeps the header and the whole lines of a file whose first field (the
 * point) is below `done`; returns how many points' lines it kept (for the
 * summary file: the count of finished points). */
static int trim_file(const char *path, const char *header, uint64_t done,
		     uint64_t *kept_points, coh_error *err)
{
	size_t len = 0;
	char *text = slurp(path, &len);
	if (!text)
		return coh_error_set(err, COH_EIO, path, 0, "cannot read: %s",
				     strerror(errno));
	size_t hl = strlen(header);
	if (len < hl || memcmp(text, header, hl) != 0) {
		coh_free(text);
		return coh_error_set(err, COH_EINPUT, path, 1,
				     "this is not the header of this sweep; "
				     "resume with the same scenario and axes, "
				     "or choose another -o");
	}
	size_t keep = hl;
	uint64_t points = 0;
	for (size_t at = hl; at < len;) {
		char *nl = memchr(text + at, '\n', len - at);
		if (!nl)
			break;                  /* a partial last line */
		unsigned long long p = strtoull(text + at, NULL, 10);
		if (p >= done)
			break;
		if (p + 1 > points)
			points = p + 1;
		at = (size_t)(nl - text) + 1;
		keep = at;
	}
	coh_free(text);
	if (truncate(path, (off_t)keep))
		return coh_error_set(err, COH_EIO, path, 0, "cannot trim: %s",
				     strerror(errno));
	*kept_points = points;
	return 0;
}

static FILE *open_append(const char *dir, const char *name, coh_error *err)
{
	char *path = coh_output_path(dir, name);
	if (!path) {
		coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	FILE *fp = fopen(path, "ab");
	if (!fp)
		coh_error_set(err, COH_EIO, path, 0, "cannot open: %s",
			      strerror(errno));
	coh_free(path);
	return fp;
}

/* The resolved scenario of point 0 as text: it holds the seed, the
 * replications and every --set, so a resume can check that it continues
 * the same sweep.  NULL when out of memory. */
static char *resolved_text(const coh_scenario *sc, size_t *len,
			   coh_error *err)
{
	char *text = NULL;
	FILE *fp = open_memstream(&text, len);
	if (!fp) {
		coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	int rc = coh_scenario_write_resolved(sc, fp, err);
	if (fclose(fp) || rc) {
		free(text);
		if (!rc)
			coh_error_set(err, COH_ENOMEM, NULL, 0,
				      "out of memory");
		return NULL;
	}
	return text;
}

static void files_free(swp_files *f)
{
	if (!f)
		return;
	if (f->rows)
		fclose(f->rows);
	if (f->summary)
		fclose(f->summary);
	coh_scenario_free(f->scenario);
	coh_free(f->dir);
	coh_free(f);
}

/* The SHA-256 of the scenario's resolved settings (includes applied, no
 * override), which the manifest records and --resume compares. */
static int scenario_sha256(char hex[65], const coh_scenario_source *src,
			   coh_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	if (!fp)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	int rc = coh_scenario_source_write(src, fp, err);
	if (fclose(fp) && !rc)
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	if (!rc) {
		coh_sha256 ctx;
		unsigned char digest[32];
		coh_sha256_init(&ctx);
		coh_sha256_update(&ctx, text, len);
		coh_sha256_final(&ctx, digest);
		coh_sha256_hex(hex, digest);
	}
	free(text);
	return rc;
}

/* What a sweep's files start with: their headers, and the design. */
typedef struct start_texts {
	coh_strbuf rows, summary, points;
} start_texts;

static void start_texts_free(start_texts *t)
{
	coh_strbuf_free(&t->rows);
	coh_strbuf_free(&t->summary);
	coh_strbuf_free(&t->points);
}

/* Without --resume, a folder may hold a sweep that never finished a
 * point (it is started again), but not one with finished points.  *have
 * says whether the folder holds a sweep to resume. */
static int check_fresh(const coh_sweep_options *o, const char *summary_path,
		       int *have, coh_error *err)
{
	struct stat st;
	*have = stat(summary_path, &st) == 0;
	if (!*have || o->resume)
		return 0;
	uint64_t n = 0;
	size_t len = 0;
	char *existing = slurp(summary_path, &len);
	for (size_t i = 0; existing && i < len; i++)
		n += existing[i] == '\n';
	coh_free(existing);
	*have = 0;
	if (n > 1)
		return coh_error_set(err, COH_EINPUT, o->dir, 0,
				     "already holds a sweep with %llu finished "
				     "points: add --resume to finish it, or "
				     "choose another -o",
				     (unsigned long long)(n - 1));
	return 0;
}

/* The design must be the one that was started. */
static int check_same_design(const coh_sweep_options *o,
			     const coh_strbuf *points, coh_error *err)
{
	size_t len = 0;
	char *pp = coh_output_path(o->dir, "points.csv");
	char *old = pp ? slurp(pp, &len) : NULL;
	int same = old && len == points->len &&
		   memcmp(old, points->s, len) == 0;
	coh_free(old);
	coh_free(pp);
	if (same)
		return 0;
	return coh_error_set(err, COH_EINPUT, o->dir, 0,
			     "holds a sweep of another design (points.csv "
			     "differs): resume with the same axes and design, "
			     "or choose another -o");
}

/* And the same scenario: its manifest (written when the sweep starts)
 * records the SHA-256 of the resolved scenario.  A folder from a version
 * that did not record it is left to check_same_settings. */
static int check_same_scenario(const swp_files *f, coh_error *err)
{
	const coh_sweep_options *o = f->opts;
	char *mp = coh_output_path(o->dir, "manifest.json");
	if (!mp)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	json_t *root = json_load_file(mp, 0, NULL);
	coh_free(mp);
	const char *then = json_string_value(json_object_get(root,
							     "scenario_sha256"));
	int differs = then && strcmp(then, f->sha256) != 0;
	json_decref(root);
	if (!differs)
		return 0;
	return coh_error_set(err, COH_EINPUT,
			     coh_scenario_source_path(o->source), 0,
			     "differs from the scenario the sweep in %s was "
			     "started with (the SHA-256 of its resolved "
			     "settings is not the one in manifest.json): resume "
			     "with the scenario as it was, or choose another -o",
			     o->dir);
}

/* And the same seed, replications and --set: the resolved scenario of
 * point 0 holds them all. */
static int check_same_settings(const swp_files *f, coh_error *err)
{
	const coh_sweep_options *o = f->opts;
	size_t now_len = 0, old_len = 0;
	char *now = resolved_text(f->scenario, &now_len, err);
	if (!now)
		return err->code ? err->code : COH_ENOMEM;
	char *sp = coh_output_path(o->dir, "sweep-scenario.cfg");
	char *then = sp ? slurp(sp, &old_len) : NULL;
	int same = then && now_len == old_len &&
		   memcmp(now, then, now_len) == 0;
	free(now);
	coh_free(then);
	coh_free(sp);
	if (!same)
		return coh_error_set(err, COH_EINPUT, o->dir, 0,
				     "holds a sweep started with other settings "
				     "(its sweep-scenario.cfg differs: scenario, "
				     "seed, replications or --set): resume with "
				     "the same ones, or choose another -o");
	/* and the same posterior, or none as before */
	char *kept_path = coh_output_path(o->dir, "posterior.csv");
	size_t a_len = 0, b_len = 0;
	char *kept = kept_path ? slurp(kept_path, &a_len) : NULL;
	char *given = o->posterior_path ? slurp(o->posterior_path, &b_len)
					: NULL;
	same = (!kept && !given) || (kept && given && a_len == b_len &&
				     memcmp(kept, given, a_len) == 0);
	coh_free(kept_path);
	coh_free(kept);
	coh_free(given);
	if (same)
		return 0;
	return coh_error_set(err, COH_EINPUT, o->dir, 0,
			     "holds a sweep started with %s: resume with the "
			     "same --posterior, or choose another -o",
			     o->posterior_path ? "another posterior or none"
					       : "--posterior");
}

/* Checks that the folder holds this sweep, and trims its files to the
 * points that finished; their number goes to *done. */
static int resume_files(swp_files *f, const start_texts *t,
			const char *summary_path, uint64_t *done,
			coh_error *err)
{
	const coh_sweep_options *o = f->opts;
	int rc = check_same_design(o, &t->points, err);
	if (!rc)
		rc = check_same_scenario(f, err);
	if (!rc)
		rc = check_same_settings(f, err);
	if (rc)
		return rc;
	uint64_t finished = 0, kept = 0;
	rc = trim_file(summary_path, t->summary.s, UINT64_MAX, &finished, err);
	if (rc)
		return rc;
	if (o->table) {
		*done = finished;
		return 0;
	}
	char *rp = coh_output_path(o->dir, "sweep.csv");
	rc = rp ? trim_file(rp, t->rows.s, finished, &kept, err)
		: coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	coh_free(rp);
	if (!rc)
		*done = finished;
	return rc;
}

static int write_manifest(const swp_files *f, uint64_t points_done,
			  int argc, char *const *argv, double wall_seconds,
			  coh_error *err);

/* A new sweep: the resolved scenario of point 0, the design, the
 * headers, and a manifest that already records the scenario (a sweep
 * killed before its end can still be checked when it is resumed). */
static int start_files(swp_files *f, const start_texts *t, coh_error *err)
{
	const char *dir = f->opts->dir;
	size_t len = 0;
	char *text = resolved_text(f->scenario, &len, err);
	int rc = text ? coh_output_write_file(dir, "sweep-scenario.cfg", text,
					      len, err)
		      : COH_ENOMEM;
	free(text);
	if (!rc)
		rc = coh_output_write_file(dir, "points.csv", t->points.s,
					   t->points.len, err);
	if (!rc && !f->opts->table)
		rc = coh_output_write_file(dir, "sweep.csv", t->rows.s,
					   t->rows.len, err);
	if (!rc)
		rc = coh_output_write_file(dir, summary_name(f->opts),
					   t->summary.s, t->summary.len, err);
	if (!rc && f->opts->posterior_path) {
		/* the posterior goes with the sweep: what it drew from, and
		 * what --resume checks */
		size_t plen = 0;
		char *post = slurp(f->opts->posterior_path, &plen);
		rc = post ? coh_output_write_file(dir, "posterior.csv", post,
						  plen, err)
			  : coh_error_set(err, COH_EIO, f->opts->posterior_path,
					  0, "cannot read: %s",
					  strerror(errno));
		coh_free(post);
	}
	if (!rc)
		rc = write_manifest(f, 0, f->opts->argc, f->opts->argv, 0.0,
				    err);
	return rc;
}

int swp_files_open(swp_files **out, const coh_sweep_options *o,
		   uint64_t *done, coh_diag *diag)
{
	coh_error err = {0};
	swp_files *f = coh_calloc(1, sizeof *f);
	start_texts t = {{0}, {0}, {0}};
	char *summary_path = NULL;
	int rc = 0, have = 0;
	*done = 0;
	if (!f || !(f->dir = coh_strdup(o->dir))) {
		rc = coh_error_set(&err, COH_ENOMEM, NULL, 0, "out of memory");
		goto fail_err;
	}
	f->opts = o;
	f->total_points = coh_design_points(o->design);
	rc = load_point(&f->scenario, o, 0, diag);
	if (rc)
		goto fail;
	f->model = coh_scenario_model(f->scenario);
	rc = scenario_sha256(f->sha256, o->source, &err);
	if (!rc)
		rc = coh_output_mkdirs(o->dir, &err);
	if (rc)
		goto fail_err;
	headers(&t.rows, &t.summary, o, f->model);
	points_text(&t.points, o->design);
	summary_path = coh_output_path(o->dir, summary_name(o));
	if (t.rows.failed || t.summary.failed || t.points.failed ||
	    !summary_path) {
		rc = coh_error_set(&err, COH_ENOMEM, NULL, 0, "out of memory");
		goto fail_err;
	}
	rc = check_fresh(o, summary_path, &have, &err);
	if (!rc)
		rc = have ? resume_files(f, &t, summary_path, done, &err)
			  : start_files(f, &t, &err);
	if (rc)
		goto fail_err;
	f->rows = o->table ? NULL : open_append(o->dir, "sweep.csv", &err);
	f->summary = f->rows || o->table
		     ? open_append(o->dir, summary_name(o), &err) : NULL;
	if (!f->summary) {
		rc = err.code ? err.code : COH_EIO;
		goto fail_err;
	}
	start_texts_free(&t);
	coh_free(summary_path);
	*out = f;
	return 0;
fail_err:
	coh_diag_push(diag, &err);
fail:
	start_texts_free(&t);
	coh_free(summary_path);
	files_free(f);
	return rc;
}

static int sync_file(FILE *fp)
{
	return fflush(fp) || fsync(fileno(fp)) ? -1 : 0;
}

static double now_seconds(void);

/* A table's points are often a few milliseconds of work each, less than
 * an fsync costs: its lines are flushed to the kernel at once (they
 * survive the process being killed) and synced to the disk at most every
 * TABLE_SYNC seconds (a power cut may lose the last of them; --resume
 * trims a partial line and runs them again). */
#define TABLE_SYNC 1.0

static int sync_table(swp_files *f)
{
	if (fflush(f->summary))
		return -1;
	double t = now_seconds();
	if (t - f->synced < TABLE_SYNC)
		return 0;
	f->synced = t;
	return fsync(fileno(f->summary)) ? -1 : 0;
}

int swp_files_append(swp_files *f, const swp_point_result *r,
			   coh_error *err)
{
	/* rows first, then the summary line that marks the point finished */
	if (f->rows && (fwrite(r->rows, 1, r->rows_len, f->rows) != r->rows_len ||
	    sync_file(f->rows)))
		return coh_error_set(err, COH_EIO, f->dir, 0,
				     "cannot append to sweep.csv: %s",
				     strerror(errno));
	if (fwrite(r->summary, 1, r->summary_len, f->summary) !=
		    r->summary_len ||
	    (f->opts->table ? sync_table(f) : sync_file(f->summary)))
		return coh_error_set(err, COH_EIO, f->dir, 0,
				     "cannot append to %s: %s",
				     summary_name(f->opts), strerror(errno));
	return 0;
}

static json_t *design_json(const coh_sweep_options *o)
{
	static const char *const kinds[] = {"grid", "lhs", "sobol",
					    "explicit"};
	const coh_design *d = o->design;
	json_t *axes = json_array();
	for (size_t a = 0; a < coh_design_axes(d); a++)
		json_array_append_new(axes, json_string(coh_design_path(d, a)));
	return json_pack("{s:s, s:o, s:I}", "kind",
			 kinds[coh_design_kind_of(d)], "axes", axes, "points",
			 (json_int_t)coh_design_points(d));
}

/* manifest.json: what the sweep is (command, scenario and its SHA-256,
 * seed, design) and how far it got. */
static int write_manifest(const swp_files *f, uint64_t points_done,
			  int argc, char *const *argv, double wall_seconds,
			  coh_error *err)
{
	const coh_model *m = f->model;
	char seed[32];
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->seed);
	json_t *cmd = json_array();
	for (int i = 0; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	json_t *files = json_array();
	const char *names[] = {"points.csv", "sweep.csv", "sweep-summary.csv",
			       "sweep-scenario.cfg"};
	if (f->opts->table) {
		names[1] = f->opts->table->file;
		names[2] = names[3];
	}
	for (size_t i = 0; i < (f->opts->table ? 3u : 4u); i++)
		json_array_append_new(files, json_string(names[i]));
	if (f->opts->posterior_path)
		json_array_append_new(files, json_string("posterior.csv"));
	json_t *root = json_pack(
		"{s:s, s:s, s:o, s:s, s:s, s:s, s:I, s:o, s:I, s:I, s:b, s:f, "
		"s:o}",
		"program", "cohesim", "version", COH_VERSION, "command", cmd,
		"scenario", coh_scenario_source_path(f->opts->source),
		"scenario_sha256", f->sha256, "seed", seed,
		"replications_per_point", (json_int_t)m->replications,
		"design", design_json(f->opts),
		"points_done", (json_int_t)points_done,
		"points_total", (json_int_t)f->total_points,
		"complete", points_done == f->total_points,
		"wall_seconds", wall_seconds, "files", files);
	int rc = 0;
	char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS)
			  : NULL;
	json_decref(root);
	if (!text)
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0,
				   "out of memory writing manifest.json");
	else
		rc = coh_output_write_file(f->dir, "manifest.json", text,
					   strlen(text), err);
	free(text);
	return rc;
}

int swp_files_close(swp_files *f, uint64_t points_done, int argc,
		    char *const *argv, double wall_seconds, coh_error *err)
{
	int rc = write_manifest(f, points_done, argc, argv, wall_seconds, err);
	/* closed whatever happened above: this function always frees */
	int closed = (f->rows ? fclose(f->rows) : 0) |
		     (f->opts->table ? sync_file(f->summary) : 0) |
		     fclose(f->summary);
	if (!rc && closed)
		rc = coh_error_set(err, COH_EIO, f->dir, 0,
				   "cannot close the sweep files: %s",
				   strerror(errno));
	f->rows = f->summary = NULL;
	files_free(f);
	return rc;
}

/*--- The single-process driver ----------------------------------------------*/

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int coh_sweep_check(const coh_sweep_options *o, coh_diag *diag)
{
	for (uint64_t p = 0; p < coh_design_points(o->design); p++) {
		coh_scenario *sc = NULL;
		int rc = load_point(&sc, o, p, diag);
		coh_scenario_free(sc);
		if (rc)
			return rc;
	}
	return 0;
}

/*--- A table's points in parallel --------------------------------------------*/

/* An analysis command's points are often a few replications each, too
 * few to keep -j threads busy inside one point, and a point's own cost
 * (its scenario built, the runner started) is then most of its time.  So
 * with -j N a table runs N points at once, each on one thread, and the
 * calling thread appends them in point order: the same bytes as one
 * point after another, since a point's results depend on nothing else. */
typedef struct table_pool {
	coh_sweep_options worker_opts;  /* threads = 1, no progress */
	pthread_mutex_t lock;
	pthread_cond_t cv;
	uint64_t next, total;
	swp_point_result *results;      /* [point] */
	unsigned char *ready;           /* [point] */
	int active;                     /* workers still running */
	int failed_rc;                  /* of the earliest failed point */
	uint64_t failed_point;
	coh_diag failed_diag;
} table_pool;

static void *table_worker(void *arg)
{
	table_pool *tp = arg;
	const coh_sweep_options *o = &tp->worker_opts;
	pthread_mutex_lock(&tp->lock);
	for (;;) {
		if (tp->failed_rc || tp->next >= tp->total ||
		    (o->stop && *o->stop))
			break;
		uint64_t p = tp->next++;
		pthread_mutex_unlock(&tp->lock);
		swp_point_result r = {0};
		coh_diag d = COH_DIAG_INIT;
		int rc = swp_point_run(o, p, &r, &d);
		pthread_mutex_lock(&tp->lock);
		if (rc) {
			if (!tp->failed_rc || p < tp->failed_point) {
				coh_diag_clear(&tp->failed_diag);
				tp->failed_diag = d;
				d = (coh_diag)COH_DIAG_INIT;
				tp->failed_rc = rc;
				tp->failed_point = p;
			}
			coh_diag_clear(&d);
		} else {
			tp->results[p] = r;
			tp->ready[p] = 1;
		}
		pthread_cond_broadcast(&tp->cv);
	}
	tp->active--;
	pthread_cond_broadcast(&tp->cv);
	pthread_mutex_unlock(&tp->lock);
	return NULL;
}

/* Runs points done.. of a table on o->threads threads, appending each
 * to f in order; *done is updated as they are written. */
static int table_run_parallel(const coh_sweep_options *o, swp_files *f,
			      uint64_t *done, coh_diag *diag)
{
	uint64_t total = coh_design_points(o->design);
	table_pool tp = {.next = *done, .total = total,
			 .failed_diag = COH_DIAG_INIT};
	tp.worker_opts = *o;
	tp.worker_opts.threads = 1;
	tp.worker_opts.progress = NULL;
	tp.results = coh_calloc(total, sizeof *tp.results);
	tp.ready = coh_calloc(total, 1);
	int n = o->threads;
	pthread_t *tids = coh_calloc((size_t)n, sizeof *tids);
	if (!tp.results || !tp.ready || !tids) {
		coh_free(tp.results);
		coh_free(tp.ready);
		coh_free(tids);
		return coh_diag_add(diag, COH_ENOMEM, NULL, 0, "out of memory");
	}
	pthread_mutex_init(&tp.lock, NULL);
	pthread_cond_init(&tp.cv, NULL);
	int started = 0;
	pthread_mutex_lock(&tp.lock);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&tids[started], NULL, table_worker, &tp))
			break;
		started++;
		tp.active++;
	}
	pthread_mutex_unlock(&tp.lock);
	int rc = started ? 0 : coh_diag_add(diag, COH_ENOMEM, NULL, 0,
					    "cannot start a thread");
	coh_error err = {0};
	while (!rc && *done < total) {
		pthread_mutex_lock(&tp.lock);
		while (!tp.ready[*done] && tp.active > 0)
			pthread_cond_wait(&tp.cv, &tp.lock);
		int ready = tp.ready[*done];
		pthread_mutex_unlock(&tp.lock);
		if (!ready)
			break;          /* a failure or a stop */
		uint64_t p = *done;
		rc = swp_files_append(f, &tp.results[p], &err);
		swp_point_result_free(&tp.results[p]);
		if (rc) {
			coh_diag_push(diag, &err);
			/* the workers stop at their next point */
			pthread_mutex_lock(&tp.lock);
			tp.failed_rc = rc;
			pthread_mutex_unlock(&tp.lock);
			break;
		}
		*done = p + 1;
		if (o->progress)
			o->progress(o->progress_ctx, *done, total);
	}
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	if (!rc && tp.failed_rc) {
		rc = tp.failed_rc;
		for (size_t e = 0; e < tp.failed_diag.count; e++)
			coh_diag_push(diag, &tp.failed_diag.items[e]);
	} else if (!rc && *done < total) {
		rc = coh_diag_add(diag, COH_ECANCEL, NULL, 0,
				  "stopped after %llu of %llu points",
				  (unsigned long long)*done,
				  (unsigned long long)total);
	}
	for (uint64_t p = 0; p < total; p++)
		swp_point_result_free(&tp.results[p]);
	coh_diag_clear(&tp.failed_diag);
	pthread_cond_destroy(&tp.cv);
	pthread_mutex_destroy(&tp.lock);
	coh_free(tp.results);
	coh_free(tp.ready);
	coh_free(tids);
	return rc;
}

int coh_sweep_run(const coh_sweep_options *o, coh_diag *diag)
{
	double t0 = now_seconds();
	int rc = coh_sweep_check(o, diag);
	if (rc)
		return rc;
	swp_files *f = NULL;
	uint64_t done = 0;
	rc = swp_files_open(&f, o, &done, diag);
	if (rc)
		return rc;
	uint64_t total = coh_design_points(o->design);
	coh_error err = {0};
	if (o->table && o->threads > 1) {
		if (o->progress)
			o->progress(o->progress_ctx, done, total);
		rc = table_run_parallel(o, f, &done, diag);
	}
	for (uint64_t p = done; p < total && !rc; p++) {
		if (o->progress)
			o->progress(o->progress_ctx, p, total);
		swp_point_result r = {0};
		rc = swp_point_run(o, p, &r, diag);
		if (!rc) {
			rc = swp_files_append(f, &r, &err);
			if (rc)
				coh_diag_push(diag, &err);
			else
				done = p + 1;
		}
		swp_point_result_free(&r);
	}
	if (o->progress)
		o->progress(o->progress_ctx, done, total);
	int crc = swp_files_close(f, done, o->argc, o->argv,
					now_seconds() - t0, &err);
	if (crc && !rc) {
		coh_diag_push(diag, &err);
		rc = crc;
	}
	return rc;
}

int coh_sweep_plan_make(coh_sweep_plan *out, const coh_sweep_options *o,
			coh_diag *diag)
{
	int rc = coh_sweep_check(o, diag);
	if (rc)
		return rc;
	coh_scenario *sc = NULL;
	rc = load_point(&sc, o, 0, diag);
	if (rc)
		return rc;
	uint64_t reps = coh_scenario_model(sc)->replications;
	coh_scenario_free(sc);
	coh_sweep_options pilot = *o;
	pilot.replications = reps < 20 ? reps : 20;
	swp_point_result r = {0};
	double t0 = now_seconds();
	rc = swp_point_run(&pilot, 0, &r, diag);
	double dt = now_seconds() - t0;
	if (rc)
		return rc;
	uint64_t points = coh_design_points(o->design);
	double per_rep = dt / (double)pilot.replications;
	double row_bytes = (double)r.rows_len / (double)pilot.replications;
	*out = (coh_sweep_plan){
		.points = points, .runs = points * reps,
		.seconds = per_rep * (double)(points * reps),
		.bytes = (row_bytes * (double)reps + (double)r.summary_len) *
			 (double)points,
		.pilot_replications = pilot.replications,
	};
	swp_point_result_free(&r);
	return 0;
}
