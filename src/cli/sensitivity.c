/* `cohesim sensitivity`: which assumptions matter (docs/sensitivity.md).
 * Builds a Saltelli or Morris design over --factor ranges, runs each of
 * its rows as a point of the sweep driver (an explicit design: the row's
 * values as overrides, its stream key as the point's key, so rows that
 * share a key share their random numbers), records each row's evaluation
 * (the mean of every --qoi over -r replications) in design.csv as it
 * finishes, and at the end computes the indices from design.csv into
 * sensitivity.csv, a figure and a table.  Resuming, -j and MPI are the
 * sweep driver's, so they behave as for `cohesim sweep`. */
#include "cli.h"
#include "cohesim/output.h"
#include "cohesim/qoi.h"
#include "cohesim/sensitivity.h"
#include "cohesim/sweep.h"
#include "core/alloc.h"
#include "core/number.h"
#include "core/strbuf.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef COH_MPI
#include <mpi.h>
#endif

static const char sensitivity_help[] =
	"Usage: cohesim sensitivity SCENARIO --factor PATH=LO:HI[:log]...\n"
	"                           --qoi Q... [OPTIONS]\n"
	"\n"
	"Which assumptions matter: varies each factor over its range, with the\n"
	"scenario's randomness as one more factor, (noise), and estimates how\n"
	"much of the variance of each quantity of interest each one explains\n"
	"(sobol: first-order S1 and total ST indices) or screens them by their\n"
	"elementary effects (morris: mu*, mu, sigma), with 95% bootstrap\n"
	"intervals.  One evaluation of a point is the mean of the quantity over\n"
	"-r replications.  Writes design.csv (every evaluated point, appended as\n"
	"it finishes), sensitivity.csv (qoi,factor,method,measure,estimate,\n"
	"ci_lo,ci_hi), a figure, report.html, manifest.json, and a table on\n"
	"stdout, largest\n"
	"first (docs/sensitivity.md).  Without --factor (or --qoi), they come\n"
	"from the scenario's block: sensitivity: { factors = [...]; qoi = [...];\n"
	"method = \"sobol\"; samples = 64; };\n"
	"\n"
	"Options:\n"
	"      --factor PATH=LO:HI[:log]\n"
	"                          a real setting (any that --set accepts),\n"
	"                          uniform on [LO, HI], or log-uniform with\n"
	"                          :log (repeatable; sobol takes at most 20)\n"
	"      --qoi KIND[:MEMBER]@WHEN\n"
	"                          a quantity of interest, as for run, e.g.\n"
	"                          exited:ARM@2025-12-31 (repeatable)\n"
	"      --method M          sobol (default; N (k + 3) evaluations for k\n"
	"                          factors) or morris (R (k + 1))\n"
	"      --samples N         sobol's base rows N (default 64, at least 2)\n"
	"      --trajectories R    morris's trajectories (default 20)\n"
	"      --levels P          morris's grid levels, even (default 4)\n"
	"  -r, --replications N    replications per evaluation (default 1)\n"
	"      --seed S            seed of the design, the bootstrap and the\n"
	"                          runs (default: the scenario's)\n"
	"  -j, --jobs N            worker threads; the results never depend on it\n"
	"  -o, --output DIR        output folder (default:\n"
	"                          out/<scenario name>-sensitivity/)\n"
	"      --resume            finish the analysis already in DIR\n"
	"      --dry-run           print the number of evaluations and runs, an\n"
	"                          estimated time and the disk, then stop\n"
	"      --set PATH=VALUE    change a setting everywhere (repeatable)\n"
	"      --include-root DIR  folder that @include may not leave\n"
	"      --title TEXT        the figures' title (default: the scenario's)\n"
	"      --plot FORMAT       png (default), svg, pdf, dumb or none\n"
	"      --report FORMAT     html (default): report.html, one page with\n"
	"                          the factors, the table of indices with its\n"
	"                          notes and the figure inline, to forward;\n"
	"                          none: no report\n"
	"      --max-memory GB     memory limit (default: half of the memory)\n"
	"  -q, --quiet             no progress and no table\n"
	"  -h, --help              show this help\n";

enum { OPT_FACTOR = 1, OPT_METHOD, OPT_SAMPLES, OPT_TRAJECTORIES,
       OPT_LEVELS, OPT_RESUME, OPT_DRY, OPT_REPORT };

static const cli_option sensitivity_options[] = {
	{"factor", 0, 1, OPT_FACTOR},
	{"method", 0, 1, OPT_METHOD},
	{"samples", 0, 1, OPT_SAMPLES},
	{"trajectories", 0, 1, OPT_TRAJECTORIES},
	{"levels", 0, 1, OPT_LEVELS},
	{"resume", 0, 0, OPT_RESUME},
	{"dry-run", 0, 0, OPT_DRY},
	{"report", 0, 1, OPT_REPORT},
	{NULL, 0, 0, 0},
};

enum { METHOD_SOBOL = 0, METHOD_MORRIS };
#define DEFAULT_SAMPLES 64
#define NOISE "(noise)"
/* The largest design: the sweep driver's limit. */
#define MAX_EVALUATIONS 1000000u

typedef struct sens_args {
	cli_common_opts common;
	const char *scenario;
	cli_strings factors;
	int method, method_given;
	uint64_t samples, trajectories, levels;
	int resume, dry_run;
	int no_report;          /* --report none */
} sens_args;

static int take_arg(void *ctx, int id, const char *v)
{
	sens_args *a = ctx;
	switch (id) {
	case CLI_NEXT_POSITIONAL:
		if (a->scenario)
			return cli_usage_error("sensitivity", "expected one "
					       "SCENARIO, got '%s' and '%s'",
					       a->scenario, v);
		a->scenario = v;
		return CLI_OK;
	case OPT_FACTOR:
		return cli_strings_push(&a->factors, v) ? CLI_ERROR : CLI_OK;
	case OPT_METHOD:
		if (strcmp(v, "sobol") == 0)
			a->method = METHOD_SOBOL;
		else if (strcmp(v, "morris") == 0)
			a->method = METHOD_MORRIS;
		else
			return cli_usage_error("sensitivity", "--method expects "
					       "sobol or morris, got \"%s\"", v);
		a->method_given = 1;
		return CLI_OK;
	case OPT_SAMPLES:
		if (cli_parse_uint(&a->samples, v, 2) || a->samples >
		    MAX_EVALUATIONS)
			return cli_usage_error("sensitivity", "--samples "
					       "expects a whole number from 2 "
					       "to %u, got \"%s\"",
					       MAX_EVALUATIONS, v);
		return CLI_OK;
	case OPT_TRAJECTORIES:
		if (cli_parse_uint(&a->trajectories, v, 2) ||
		    a->trajectories > MAX_EVALUATIONS)
			return cli_usage_error("sensitivity", "--trajectories "
					       "expects a whole number from 2 "
					       "to %u, got \"%s\"",
					       MAX_EVALUATIONS, v);
		return CLI_OK;
	case OPT_LEVELS:
		if (cli_parse_uint(&a->levels, v, 2) || a->levels % 2 ||
		    a->levels > 1000)
			return cli_usage_error("sensitivity", "--levels expects "
					       "an even number from 2 to 1000 "
					       "(the jump lands on the grid "
					       "only then), got \"%s\"", v);
		return CLI_OK;
	case OPT_RESUME:
		a->resume = 1;
		return CLI_OK;
	case OPT_REPORT:
		return cli_opt_report("sensitivity", v, &a->no_report);
	default: /* OPT_DRY */
		a->dry_run = 1;
		return CLI_OK;
	}
}

static const cli_command_args sensitivity_command = {
	"sensitivity", sensitivity_help, sensitivity_options, take_arg, 1,
};

/*--- Factors ------------------------------------------------------------*/

typedef struct sens_factor {
	char *path;
	coh_sens_factor range;
	char lo_text[COH_NUMBER_MAX], hi_text[COH_NUMBER_MAX];
} sens_factor;

static int parse_real(double *out, const char *text)
{
	char *end;
	errno = 0;
	double x = coh_strtod(text, &end);
	if (end == text || *end || errno || !isfinite(x))
		return -1;
	*out = x;
	return 0;
}

/* "PATH=LO:HI" or "PATH=LO:HI:log" into *f: CLI_OK or the usage error. */
static int parse_factor(sens_factor *f, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char lo[64], hi[64], scale[16], extra;
	int n = eq ? sscanf(eq + 1, "%63[^:]:%63[^:]:%15[^:]%c", lo, hi,
			    scale, &extra) : 0;
	if (!eq || eq == spec || strlen(eq + 1) > 120 || n < 2 || n > 3 ||
	    (n == 3 && strcmp(scale, "log") != 0))
		return cli_usage_error("sensitivity", "--factor %s: expected "
				       "PATH=LO:HI or PATH=LO:HI:log", spec);
	f->path = coh_malloc((size_t)(eq - spec) + 1);
	if (!f->path) {
		fputs("cohesim: out of memory\n", stderr);
		return CLI_ERROR;
	}
	memcpy(f->path, spec, (size_t)(eq - spec));
	f->path[eq - spec] = '\0';
	if (parse_real(&f->range.lo, lo) || parse_real(&f->range.hi, hi))
		return cli_usage_error("sensitivity", "--factor %s: LO and HI "
				       "must be finite numbers, got \"%s\"",
				       f->path, eq + 1);
	if (!(f->range.lo < f->range.hi))
		return cli_usage_error("sensitivity", "--factor %s: the range "
				       "%s:%s is empty or reversed, expected "
				       "LO < HI", f->path, lo, hi);
	f->range.scale = n == 3 ? COH_SENS_LOG : COH_SENS_UNIFORM;
	if (n == 3 && !(f->range.lo > 0))
		return cli_usage_error("sensitivity", "--factor %s: a log "
				       "range needs 0 < LO, got %s", f->path,
				       lo);
	coh_format_double(f->lo_text, f->range.lo);
	coh_format_double(f->hi_text, f->range.hi);
	return CLI_OK;
}

/*--- The analysis's state -------------------------------------------------*/

typedef struct sens_state {
	sens_args *a;
	int rank;
	coh_scenario_source *source;
	coh_scenario *base;
	const coh_model *model;
	sens_factor *factors;
	size_t k;
	coh_qoi_set *qoi;       /* the --qoi parsed against the base model */
	size_t n_qoi;
	const char **qoi_texts;
	coh_saltelli *saltelli;
	coh_morris *morris;
	size_t n_rows;
	coh_sens_row *rows;
	double *values;         /* [row][factor] */
	coh_design *design;
	coh_strbuf header;
	char *dir;
	const char **paths;
	coh_error err;
} sens_state;

static void state_free(sens_state *s)
{
	for (size_t i = 0; s->factors && i < s->k; i++)
		coh_free(s->factors[i].path);
	coh_free(s->factors);
	coh_free(s->qoi_texts);
	coh_qoi_set_free(s->qoi);
	coh_saltelli_free(s->saltelli);
	coh_morris_free(s->morris);
	coh_free(s->rows);
	coh_free(s->values);
	coh_design_free(s->design);
	coh_strbuf_free(&s->header);
	coh_free(s->dir);
	coh_free(s->paths);
	coh_scenario_free(s->base);
	coh_scenario_source_free(s->source);
}

/* Prints diag's errors, naming a factor's override as --factor. */
static void print_factor_diag(const sens_state *s, coh_diag *diag, int rc)
{
	for (size_t e = 0; e < diag->count; e++) {
		coh_error *er = &diag->items[e];
		int mine = 0;
		for (size_t i = 0; i < s->k && !mine; i++) {
			size_t len = strlen(s->factors[i].path);
			mine = strncmp(er->file, "--set ", 6) == 0 &&
			       strncmp(er->file + 6, s->factors[i].path,
				       len) == 0 && er->file[6 + len] == '=';
		}
		if (mine) {
			char fixed[COH_ERROR_FILE_MAX];
			snprintf(fixed, sizeof fixed, "--factor %.*s",
				 (int)(sizeof fixed - 10), er->file + 6);
			memcpy(er->file, fixed, sizeof fixed);
		}
	}
	cli_print_diag(diag, rc, s->a->scenario);
}

/* Each factor must name a real setting that takes both ends of its
 * range: the scenario is loaded with every factor at LO, then at HI (a
 * setting's valid values form an interval, so every value between is
 * valid too), then at a point inside, which is no whole number, so that
 * an integer setting is refused now rather than at some row.  The
 * common --set come first, as at every point. */
static int check_factor_paths(sens_state *s)
{
	const cli_common_opts *o = &s->a->common;
	for (size_t i = 0; i < s->k; i++) {
		int kind = coh_scenario_source_setting(s->source,
						       s->factors[i].path);
		/* a whole number in the file may be a real setting written
		 * without a decimal point: the probe below tells */
		if (kind == COH_SETTING_OTHER)
			return cli_usage_error("sensitivity", "--factor %s: "
					       "the setting is not a number, "
					       "expected a real-valued setting "
					       "such as model.half_life",
					       s->factors[i].path);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->factors[i].path, s->factors[j].path) == 0)
				return cli_usage_error("sensitivity", "--factor "
						       "%s is given twice",
						       s->factors[i].path);
	}
	size_t n = o->overrides.count + s->k;
	char **texts = coh_calloc(s->k ? s->k : 1, sizeof *texts);
	const char **ov = coh_calloc(n ? n : 1, sizeof *ov);
	int status = texts && ov ? CLI_OK : CLI_ERROR;
	for (int end = 0; end < 3 && status == CLI_OK; end++) {
		for (size_t i = 0; i < o->overrides.count; i++)
			ov[i] = o->overrides.items[i];
		for (size_t i = 0; i < s->k && status == CLI_OK; i++) {
			const sens_factor *f = &s->factors[i];
			size_t len = strlen(f->path) + COH_NUMBER_MAX + 2;
			coh_free(texts[i]);
			texts[i] = coh_malloc(len);
			if (!texts[i]) {
				status = CLI_ERROR;
				break;
			}
			char inside[COH_NUMBER_MAX];
			coh_format_double(inside, coh_sens_factor_value(
				&f->range, 0.3819660112501051));
			snprintf(texts[i], len, "%s=%s", f->path,
				 end == 0 ? f->lo_text
				 : end == 1 ? f->hi_text : inside);
			ov[o->overrides.count + i] = texts[i];
		}
		if (status != CLI_OK)
			break;
		coh_scenario *probe = NULL;
		coh_diag diag = COH_DIAG_INIT;
		int rc = coh_scenario_load_source(&probe, s->source, ov, n,
						  &diag);
		if (rc) {
			if (s->rank == 0)
				print_factor_diag(s, &diag, rc);
			status = cli_exit_status(rc);
		}
		coh_diag_clear(&diag);
		coh_scenario_free(probe);
	}
	if (!texts || !ov)
		fputs("cohesim: out of memory\n", stderr);
	for (size_t i = 0; texts && i < s->k; i++)
		coh_free(texts[i]);
	coh_free(texts);
	coh_free(ov);
	return status;
}

/*--- The design -----------------------------------------------------------*/

static const char *row_factor(const sens_state *s, const coh_sens_row *r)
{
	if (r->matrix == COH_SENS_AB_NOISE)
		return NOISE;
	if (r->factor >= 0)
		return s->factors[r->factor].path;
	return "";
}

/* design.csv's line of point p: where the row sits in the design, its
 * factor values, its key and its evaluation. */
static int table_line(void *ctx, uint64_t p, const double *means, FILE *fp)
{
	const sens_state *s = ctx;
	const coh_sens_row *r = &s->rows[p];
	char num[COH_NUMBER_MAX];
	fprintf(fp, "%" PRIu64 ",%s,%zu,", p, coh_sens_matrix_name(r->matrix),
		r->row);
	if (r->matrix == COH_SENS_MORRIS)
		fprintf(fp, "%zu", r->step);
	fprintf(fp, ",%s", row_factor(s, r));
	for (size_t i = 0; i < s->k; i++) {
		coh_format_double(num, s->values[p * s->k + i]);
		fprintf(fp, ",%s", num);
	}
	fprintf(fp, ",%" PRIu64, r->key);
	for (size_t q = 0; q < s->n_qoi; q++) {
		coh_format_double(num, means[q]);
		fprintf(fp, ",%s", num);
	}
	return fputc('\n', fp) == EOF ? COH_EIO : 0;
}

static int build_design(sens_state *s)
{
	const sens_args *a = s->a;
	coh_sens_factor *ranges = coh_calloc(s->k, sizeof *ranges);
	if (!ranges)
		return coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	for (size_t i = 0; i < s->k; i++)
		ranges[i] = s->factors[i].range;
	int rc;
	uint64_t seed = s->model->seed;
	if (a->method == METHOD_SOBOL) {
		rc = coh_saltelli_build(&s->saltelli, ranges, s->k,
					(size_t)a->samples, seed, &s->err);
		if (!rc)
			s->n_rows = coh_saltelli_rows(s->saltelli);
	} else {
		rc = coh_morris_build(&s->morris, ranges, s->k,
				      (size_t)a->trajectories,
				      (unsigned)a->levels, seed, &s->err);
		if (!rc)
			s->n_rows = coh_morris_rows(s->morris);
	}
	coh_free(ranges);
	if (rc)
		return rc;
	if (s->n_rows > MAX_EVALUATIONS)
		return coh_error_set(&s->err, COH_EUSAGE, NULL, 0,
				     "the design has %zu evaluations, more "
				     "than %u; use fewer samples or "
				     "trajectories", s->n_rows,
				     MAX_EVALUATIONS);
	s->rows = coh_calloc(s->n_rows, sizeof *s->rows);
	s->values = coh_calloc(s->n_rows * s->k, sizeof *s->values);
	uint64_t *keys = coh_calloc(s->n_rows, sizeof *keys);
	s->paths = coh_calloc(s->k, sizeof *s->paths);
	if (!s->rows || !s->values || !keys || !s->paths) {
		coh_free(keys);
		return coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	}
	for (size_t i = 0; i < s->n_rows && !rc; i++) {
		rc = s->saltelli
		     ? coh_saltelli_row(s->saltelli, i, &s->rows[i],
					&s->values[i * s->k], NULL, &s->err)
		     : coh_morris_row(s->morris, i, &s->rows[i],
				      &s->values[i * s->k], NULL, &s->err);
		keys[i] = s->rows[i].key;
	}
	for (size_t i = 0; i < s->k; i++)
		s->paths[i] = s->factors[i].path;
	if (!rc)
		rc = coh_design_explicit(&s->design, s->paths, s->k, s->values,
					 keys, s->n_rows, &s->err);
	coh_free(keys);
	if (rc)
		return rc;
	coh_strbuf_puts(&s->header, "point,matrix,row,step,factor");
	for (size_t i = 0; i < s->k; i++)
		coh_strbuf_printf(&s->header, ",%s", s->factors[i].path);
	coh_strbuf_puts(&s->header, ",key");
	for (size_t q = 0; q < s->n_qoi; q++)
		coh_strbuf_printf(&s->header, ",%s", s->qoi_texts[q]);
	coh_strbuf_puts(&s->header, "\n");
	if (s->header.failed)
		return coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	return 0;
}

/*--- Running the rows -------------------------------------------------------*/

static void print_plan(const sens_state *s, const coh_sweep_plan *plan)
{
	int jobs = (int)s->a->common.jobs;
	double secs = plan->seconds / (jobs > 0 ? jobs : 1);
	printf("method:       %s, %zu factors\n",
	       s->a->method == METHOD_SOBOL ? "sobol" : "morris", s->k);
	printf("evaluations:  %" PRIu64 "\n", plan->points);
	printf("runs:         %" PRIu64 " (%" PRIu64 " replications per "
	       "evaluation)\n", plan->runs,
	       plan->points ? plan->runs / plan->points : 0);
	printf("time:         about %.0f s with -j %d (from a pilot of %"
	       PRIu64 " replications)\n", secs, jobs,
	       plan->pilot_replications);
	printf("disk:         about %.1f MB\n", plan->bytes / 1e6);
}

/* Runs every row with progress and Ctrl-C caught, as sweep does. */
static int run_rows(sens_state *s, const coh_sweep_options *opts,
		    coh_diag *diag)
{
	/* a copy that holds the progress display, which lives here */
	coh_sweep_options local = *opts, *so = &local;
	cli_progress progress;
	cli_progress_start(&progress, coh_design_points(so->design),
			   s->a->common.quiet || s->rank != 0);
	progress.unit = "evaluations";
	progress.runs_per_item = s->model->replications;
	so->progress = cli_progress_show;
	so->progress_ctx = &progress;
	cli_signals signals = {0};
	cli_signals_catch(&signals);
#ifdef COH_MPI
	int rc = coh_sweep_run_mpi(so, diag);
#else
	int rc = coh_sweep_run(so, diag);
#endif
	cli_progress_finish(&progress);
	cli_signals_restore(&signals);
	if (s->rank == 0 && (rc == COH_ECANCEL || (cli_stop_signal && !rc))) {
		coh_diag_clear(diag);
		fprintf(stderr, "cohesim: interrupted; the finished evaluations "
			"are in %s/design.csv and 'cohesim sensitivity ... "
			"--resume -o %s' finishes the analysis\n", so->dir,
			so->dir);
		rc = COH_ECANCEL;
	}
	return rc;
}

/*--- From design.csv to the indices ------------------------------------------*/

/* f[q * n_rows + p]: QoI q's evaluation at row p, read back from
 * design.csv (its last n_qoi fields), which holds every row once the
 * driver is done; an empty field is NaN. */
static int read_values(sens_state *s, double *f)
{
	char *path = coh_output_path(s->dir, "design.csv");
	FILE *fp = path ? fopen(path, "rb") : NULL;
	if (!fp) {
		coh_error_set(&s->err, path ? COH_EIO : COH_ENOMEM, path, 0,
			      "cannot read: %s", strerror(errno));
		coh_free(path);
		return s->err.code;
	}
	coh_strbuf text = {0};
	char buf[65536];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
		coh_strbuf_add(&text, buf, got);
	fclose(fp);
	int rc = text.failed ? coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
					     "out of memory") : 0;
	size_t p = 0;
	char *line = text.s ? strchr(text.s, '\n') : NULL;
	while (!rc && line && line[1] && p < s->n_rows) {
		line++;
		char *end = strchr(line, '\n');
		if (!end)
			break;
		*end = '\0';
		/* the last n_qoi fields */
		char *cut = end;
		for (size_t q = s->n_qoi; q-- > 0 && cut;) {
			char *comma = cut;
			while (comma > line && comma[-1] != ',')
				comma--;
			f[q * s->n_rows + p] =
				*comma ? coh_strtod(comma, NULL) : NAN;
			cut = comma > line ? comma - 1 : NULL;
		}
		if (strtoull(line, NULL, 10) != p)
			rc = coh_error_set(&s->err, COH_EINPUT, path,
					   (int)p + 2, "expected point %zu",
					   p);
		p++;
		line = end;
	}
	if (!rc && p != s->n_rows)
		rc = coh_error_set(&s->err, COH_EINPUT, path, 0,
				   "holds %zu of the design's %zu evaluations",
				   p, s->n_rows);
	coh_strbuf_free(&text);
	coh_free(path);
	return rc;
}

static void csv_number(coh_strbuf *b, double x)
{
	coh_strbuf_puts(b, ",");
	coh_strbuf_double(b, x);
}

typedef struct sens_out {
	coh_strbuf csv, bars;
	json_t *warnings, *variance;
} sens_out;

/* Rows of the table sorted by `key` (descending, NaN last), factors in
 * their order at ties. */
static void sort_desc(size_t *order, const double *key, size_t n)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = 1; i < n; i++) {
		size_t x = order[i], j = i;
		double kx = isnan(key[x]) ? -INFINITY : key[x];
		for (; j > 0; j--) {
			double kj = isnan(key[order[j - 1]])
				    ? -INFINITY : key[order[j - 1]];
			if (!(kx > kj))
				break;
			order[j] = order[j - 1];
		}
		order[j] = x;
	}
}

/* The table's first column: wide enough for every factor's path. */
static int name_width(const sens_state *s)
{
	int w = 30;
	for (size_t i = 0; i < s->k; i++)
		if ((int)strlen(s->factors[i].path) > w)
			w = (int)strlen(s->factors[i].path);
	return w;
}

static void print_est(const coh_sens_estimate *e)
{
	char iv[64];
	snprintf(iv, sizeof iv, "[%.3f, %.3f]", e->ci_lo, e->ci_hi);
	printf("  %7.3f %-17s", e->estimate, iv);
}

/* Saltelli's (2010) S1 estimator averages f_B (f_AB_i - f_A): its
 * expectation does not depend on a constant added to f, but its variance
 * grows with the square of f's mean, and a quantity such as a
 * commitment near 0.5 that moves by a few hundredths would get S1
 * intervals wider than [0, 1].  So the values are centred first, on
 * their mean over A and B (SALib standardises them likewise). */
static void centre(const sens_state *s, double *f)
{
	size_t n = coh_saltelli_samples(s->saltelli);
	double sum = 0;
	for (size_t i = 0; i < 2 * n; i++)
		sum += f[i];
	double mean = sum / (double)(2 * n);
	if (isfinite(mean))
		for (size_t i = 0; i < s->n_rows; i++)
			f[i] -= mean;
}

/* Every row of A and B gave the same finite value: there is no variance
 * to apportion (a quantity the factors cannot move over their ranges,
 * such as a member that never freezes).  The quantity's indices are
 * then undefined, reported as empty fields with a note, and the other
 * quantities are analysed as usual. */
static int no_variance(sens_state *s, size_t q, const double *f,
		       sens_out *o)
{
	for (size_t i = 0; i < s->n_rows; i++)
		if (f[i] != f[0])
			return 0;
	const char *qt = s->qoi_texts[q];
	for (size_t i = 0; i <= s->k; i++)
		coh_strbuf_printf(&o->csv, "%s,%s,sobol,S1,,,\n%s,%s,sobol,ST,,,"
				  "\n", qt, i < s->k ? s->factors[i].path
						    : NOISE,
				  qt, i < s->k ? s->factors[i].path : NOISE);
	/* the figure's panel lists the factors, without bars */
	for (size_t i = 0; i <= s->k; i++)
		coh_strbuf_printf(&o->bars, "%s,%s,,,,,,\n", qt,
				  i < s->k ? s->factors[i].path : NOISE);
	char msg[512];
	snprintf(msg, sizeof msg, "%s: every evaluation gave %.6g, so there "
		 "is no variance to apportion and no index", qt, f[0]);
	json_array_append_new(o->warnings, json_string(msg));
	if (s->rank == 0)
		fprintf(stderr, "cohesim: warning: %s\n", msg);
	if (s->rank == 0 && !s->a->common.quiet)
		printf("%s%s\n", q ? "\n" : "", msg);
	return 1;
}

static int sobol_qoi(sens_state *s, size_t q, double *f, sens_out *o)
{
	size_t k = s->k;
	if (isfinite(f[0]) && no_variance(s, q, f, o))
		return 0;
	centre(s, f);
	coh_sobol_index *ix = coh_calloc(k + 1, sizeof *ix);
	size_t *order = coh_calloc(k + 1, sizeof *order);
	double *key = coh_calloc(k + 1, sizeof *key);
	double v = 0;
	int rc = ix && order && key ? 0
	       : coh_error_set(&s->err, COH_ENOMEM, NULL, 0, "out of memory");
	if (!rc)
		rc = coh_sobol_indices(s->saltelli, f, s->n_rows,
				       s->model->seed, ix, &v, &s->err);
	if (rc) {
		/* name the quantity whose values the estimator refused */
		char msg[sizeof s->err.message];
		snprintf(msg, sizeof msg, "%.*s", (int)sizeof msg - 1,
			 s->err.message);
		snprintf(s->err.message, sizeof s->err.message,
			 "%.100s: %.*s", s->qoi_texts[q],
			 (int)sizeof s->err.message - 110, msg);
	}
	const char *qt = s->qoi_texts[q];
	for (size_t i = 0; !rc && i <= k; i++) {
		const char *name = i < k ? s->factors[i].path : NOISE;
		const coh_sens_estimate *e[2] = {&ix[i].s1, &ix[i].st};
		static const char *const measures[2] = {"S1", "ST"};
		for (int m = 0; m < 2; m++) {
			coh_strbuf_printf(&o->csv, "%s,%s,sobol,%s", qt, name,
					  measures[m]);
			csv_number(&o->csv, e[m]->estimate);
			csv_number(&o->csv, e[m]->ci_lo);
			csv_number(&o->csv, e[m]->ci_hi);
			coh_strbuf_puts(&o->csv, "\n");
		}
		key[i] = ix[i].st.estimate;
	}
	if (!rc) {
		json_object_set_new(o->variance, qt, json_real(v));
		sort_desc(order, key, k + 1);
		/* the figure's rows: sorted by ST, largest first */
		for (size_t j = 0; j <= k; j++) {
			size_t i = order[j];
			coh_strbuf_printf(&o->bars, "%s,%s", qt,
					  i < k ? s->factors[i].path : NOISE);
			const coh_sens_estimate *e[2] = {&ix[i].s1, &ix[i].st};
			for (int m = 0; m < 2; m++) {
				csv_number(&o->bars, e[m]->estimate);
				csv_number(&o->bars, e[m]->ci_lo);
				csv_number(&o->bars, e[m]->ci_hi);
			}
			coh_strbuf_puts(&o->bars, "\n");
		}
	}
	if (!rc && !s->a->common.quiet && s->rank == 0) {
		printf("%s%s: sobol, N = %zu, %zu evaluations of %" PRIu64
		       " replication%s, variance %.4g\n", q ? "\n" : "", qt,
		       coh_saltelli_samples(s->saltelli), s->n_rows,
		       s->model->replications,
		       s->model->replications == 1 ? "" : "s", v);
		int w = name_width(s);
		printf("  %-*s %7s %-17s  %7s %-17s\n", w, "factor", "S1",
		       " 95% interval", "ST", " 95% interval");
		for (size_t j = 0; j <= k; j++) {
			size_t i = order[j];
			printf("  %-*s", w, i < k ? s->factors[i].path : NOISE);
			print_est(&ix[i].s1);
			print_est(&ix[i].st);
			printf("\n");
		}
	}
	for (size_t i = 0; !rc && i <= k; i++) {
		const char *name = i < k ? s->factors[i].path : NOISE;
		if (ix[i].st_wide) {
			char msg[512];
			snprintf(msg, sizeof msg, "%s: the ST interval of %s "
				 "is %.3g wide (more than %g): raise --samples "
				 "(its width shrinks as 1/sqrt(N))", qt, name,
				 ix[i].st.ci_hi - ix[i].st.ci_lo, COH_SENS_WIDE);
			json_array_append_new(o->warnings, json_string(msg));
			if (s->rank == 0)
				fprintf(stderr, "cohesim: warning: %s\n", msg);
		}
	}
	if (!rc) {
		const coh_sobol_index *n = &ix[k];
		char msg[512];
		snprintf(msg, sizeof msg, "%s: randomness, (noise), takes part "
			 "in %.3g [%.3g, %.3g] of the variance (ST) and "
			 "explains %.3g [%.3g, %.3g] alone (S1)%s", qt,
			 n->st.estimate, n->st.ci_lo, n->st.ci_hi,
			 n->s1.estimate, n->s1.ci_lo, n->s1.ci_hi,
			 n->st.estimate > 0.5 ? "; more replications per "
			 "evaluation (-r) would average it out" : "");
		json_array_append_new(o->warnings, json_string(msg));
		if (s->rank == 0 && !s->a->common.quiet)
			printf("  %s\n", msg + strlen(qt) + 2);
	}
	coh_free(ix);
	coh_free(order);
	coh_free(key);
	return rc;
}

static int morris_qoi(sens_state *s, size_t q, const double *f, sens_out *o)
{
	size_t k = s->k;
	coh_morris_index *ix = coh_calloc(k, sizeof *ix);
	size_t *order = coh_calloc(k, sizeof *order);
	double *key = coh_calloc(k, sizeof *key);
	int rc = ix && order && key ? 0
	       : coh_error_set(&s->err, COH_ENOMEM, NULL, 0, "out of memory");
	if (!rc)
		rc = coh_morris_effects(s->morris, f, s->n_rows,
					s->model->seed, ix, &s->err);
	const char *qt = s->qoi_texts[q];
	for (size_t i = 0; !rc && i < k; i++) {
		const coh_sens_estimate *e[3] = {&ix[i].mu_star, &ix[i].mu,
						 &ix[i].sigma};
		static const char *const measures[3] = {"mu_star", "mu",
							"sigma"};
		for (int m = 0; m < 3; m++) {
			coh_strbuf_printf(&o->csv, "%s,%s,morris,%s", qt,
					  s->factors[i].path, measures[m]);
			csv_number(&o->csv, e[m]->estimate);
			csv_number(&o->csv, e[m]->ci_lo);
			csv_number(&o->csv, e[m]->ci_hi);
			coh_strbuf_puts(&o->csv, "\n");
		}
		key[i] = ix[i].mu_star.estimate;
	}
	if (rc)
		goto out;
	sort_desc(order, key, k);
	for (size_t j = 0; j < k; j++) {
		size_t i = order[j];
		coh_strbuf_printf(&o->bars, "%s,%s", qt, s->factors[i].path);
		const coh_sens_estimate *e[2] = {&ix[i].mu_star, &ix[i].sigma};
		for (int m = 0; m < 2; m++) {
			csv_number(&o->bars, e[m]->estimate);
			csv_number(&o->bars, e[m]->ci_lo);
			csv_number(&o->bars, e[m]->ci_hi);
		}
		coh_strbuf_puts(&o->bars, "\n");
	}
	if (!s->a->common.quiet && s->rank == 0) {
		printf("%s%s: morris, %zu trajectories on %u levels, %zu "
		       "evaluations of %" PRIu64 " replication%s\n",
		       q ? "\n" : "", qt, coh_morris_trajectories(s->morris),
		       (unsigned)s->a->levels, s->n_rows,
		       s->model->replications,
		       s->model->replications == 1 ? "" : "s");
		int w = name_width(s);
		printf("  %-*s %7s %-17s  %7s %-17s  %7s %-17s\n", w, "factor",
		       "mu*", " 95% interval", "mu", " 95% interval", "sigma",
		       " 95% interval");
		for (size_t j = 0; j < k; j++) {
			size_t i = order[j];
			printf("  %-*s", w, s->factors[i].path);
			print_est(&ix[i].mu_star);
			print_est(&ix[i].mu);
			print_est(&ix[i].sigma);
			printf("\n");
		}
	}
out:
	coh_free(ix);
	coh_free(order);
	coh_free(key);
	return rc;
}

/* Adds what the analysis is to the manifest the sweep driver wrote. */
static int finish_manifest(sens_state *s, sens_out *o, char **plot_files,
			   size_t n_plot_files)
{
	char *path = coh_output_path(s->dir, "manifest.json");
	json_t *root = path ? json_load_file(path, 0, NULL) : NULL;
	coh_free(path);
	if (!root)
		return coh_error_set(&s->err, COH_EIO, s->dir, 0,
				     "cannot read back manifest.json");
	const sens_args *a = s->a;
	json_t *factors = json_array(), *qoi = json_array();
	for (size_t i = 0; i < s->k; i++)
		json_array_append_new(factors, json_pack(
			"{s:s, s:f, s:f, s:s}", "path", s->factors[i].path,
			"lo", s->factors[i].range.lo, "hi",
			s->factors[i].range.hi, "scale",
			s->factors[i].range.scale == COH_SENS_LOG ? "log"
								  : "uniform"));
	for (size_t q = 0; q < s->n_qoi; q++)
		json_array_append_new(qoi, json_string(s->qoi_texts[q]));
	json_t *sens = json_pack("{s:s, s:o, s:o, s:I, s:I, s:o}", "method",
				 a->method == METHOD_SOBOL ? "sobol" : "morris",
				 "factors", factors, "qoi", qoi, "evaluations",
				 (json_int_t)s->n_rows,
				 "replications_per_evaluation",
				 (json_int_t)s->model->replications,
				 "notes", json_incref(o->warnings));
	if (a->method == METHOD_SOBOL) {
		json_object_set_new(sens, "samples", json_integer(
			(json_int_t)a->samples));
		json_object_set_new(sens, "variance",
				    json_incref(o->variance));
	} else {
		json_object_set_new(sens, "trajectories", json_integer(
			(json_int_t)a->trajectories));
		json_object_set_new(sens, "levels",
				    json_integer((json_int_t)a->levels));
	}
	json_object_set_new(root, "sensitivity", sens);
	json_t *files = json_object_get(root, "files");
	static const char *const more[] = {"sensitivity.csv",
					   "sensitivity-figure.csv",
					   "scenario.resolved.cfg"};
	for (size_t i = 0; files && i < 3; i++)
		json_array_append_new(files, json_string(more[i]));
	for (size_t i = 0; files && i < n_plot_files; i++)
		json_array_append_new(files, json_string(plot_files[i]));
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(root);
	int rc = text ? coh_output_write_file(s->dir, "manifest.json", text,
					      strlen(text), &s->err)
		      : coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				      "out of memory");
	free(text);
	return rc;
}

/* After every row: the indices, sensitivity.csv, the table, the figure,
 * the resolved scenario, the manifest and report.html. */
static int write_results(sens_state *s)
{
	double *f = coh_calloc(s->n_qoi * s->n_rows, sizeof *f);
	sens_out o = {{0}, {0}, json_array(), json_object()};
	char **plot_files = NULL;
	size_t n_plot_files = 0;
	int sobol = s->a->method == METHOD_SOBOL;
	int rc = f && o.warnings && o.variance ? read_values(s, f)
	       : coh_error_set(&s->err, COH_ENOMEM, NULL, 0, "out of memory");
	coh_strbuf_puts(&o.csv, "qoi,factor,method,measure,estimate,ci_lo,"
			"ci_hi\n");
	coh_strbuf_puts(&o.bars, sobol
			? "qoi,factor,s1,s1_lo,s1_hi,st,st_lo,st_hi\n"
			: "qoi,factor,mu_star,mu_star_lo,mu_star_hi,sigma,"
			  "sigma_lo,sigma_hi\n");
	for (size_t q = 0; q < s->n_qoi && !rc; q++)
		rc = sobol ? sobol_qoi(s, q, &f[q * s->n_rows], &o)
			   : morris_qoi(s, q, &f[q * s->n_rows], &o);
	fflush(stdout);
	if (!rc && (o.csv.failed || o.bars.failed))
		rc = coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				   "out of memory");
	if (!rc)
		rc = coh_output_write_file(s->dir, "sensitivity.csv", o.csv.s,
					   o.csv.len, &s->err);
	if (!rc)
		rc = coh_output_write_file(s->dir, "sensitivity-figure.csv",
					   o.bars.s, o.bars.len, &s->err);
	if (!rc)
		rc = cli_write_resolved(s->dir, s->base, &s->err);
	char title[256];
	snprintf(title, sizeof title, "%s: %s, %zu evaluations",
		 cli_figure_title(&s->a->common, s->model),
		 sobol ? "Sobol' indices" : "Morris screening", s->n_rows);
	coh_model titled = *s->model;
	titled.title = title;
	const char *figure = sobol ? "sensitivity.gp" : "morris.gp";
	if (!rc && s->a->common.plot != COH_PLOT_NONE) {
		if (s->a->common.plot == COH_PLOT_DUMB)
			fflush(stdout);
		rc = cli_draw(s->dir, &titled, &figure, 1, s->qoi_texts,
			      s->n_qoi, s->a->common.plot, &plot_files,
			      &n_plot_files, &s->err);
	}
	if (!rc)
		rc = finish_manifest(s, &o, plot_files, n_plot_files);
	/* report.html reads the finished manifest */
	cli_folder_report report = {
		.dir = s->dir, .kind = CLI_FOLDER_SENSITIVITY,
		.title = cli_figure_title(&s->a->common, s->model),
		.model = &titled,
		.figure = figure, .axes = s->qoi_texts, .n_axes = s->n_qoi,
	};
	if (!rc)
		rc = s->a->no_report
		     ? cli_remove_stale(s->dir, "report.html", &s->err)
		     : cli_report_folder(&report, NULL, &s->err);
	if (!rc && !s->a->common.quiet)
		fprintf(stderr, "cohesim: wrote %s/ (design.csv, "
			"sensitivity.csv, manifest.json%s%s)\n", s->dir,
			n_plot_files ? ", figure" : "",
			s->a->no_report ? "" : ", report.html");
	coh_plot_files_free(plot_files, n_plot_files);
	coh_strbuf_free(&o.csv);
	coh_strbuf_free(&o.bars);
	json_decref(o.warnings);
	json_decref(o.variance);
	coh_free(f);
	return rc;
}

/*--- The command -------------------------------------------------------------*/

/* The factors, QoIs and method from the command line, or else from the
 * scenario's sensitivity block. */
static int take_defaults(sens_state *s)
{
	sens_args *a = s->a;
	const coh_model *m = s->model;
	if (a->factors.count == 0)
		for (size_t i = 0; i < m->n_sens_factors; i++)
			if (cli_strings_push(&a->factors, m->sens_factors[i]))
				return CLI_ERROR;
	if (a->common.qoi.count == 0)
		for (size_t i = 0; i < m->n_sens_qoi; i++)
			if (cli_strings_push(&a->common.qoi, m->sens_qoi[i]))
				return CLI_ERROR;
	if (!a->method_given && m->sens_method)
		a->method = strcmp(m->sens_method, "morris") == 0
			    ? METHOD_MORRIS : METHOD_SOBOL;
	if (!a->samples)
		a->samples = m->sens_samples ? m->sens_samples
					     : DEFAULT_SAMPLES;
	if (!a->trajectories)
		a->trajectories = m->sens_trajectories
				  ? m->sens_trajectories
				  : COH_MORRIS_TRAJECTORIES;
	if (!a->levels)
		a->levels = m->sens_levels ? m->sens_levels
					   : COH_MORRIS_LEVELS;
	if (a->factors.count == 0)
		return cli_usage_error("sensitivity", "expected at least one "
				       "--factor PATH=LO:HI (or a "
				       "sensitivity block in the scenario)");
	if (a->common.qoi.count == 0)
		return cli_usage_error("sensitivity", "expected at least one "
				       "--qoi KIND[:MEMBER]@WHEN (or qoi in "
				       "the scenario's sensitivity block)");
	if (a->method == METHOD_SOBOL &&
	    a->factors.count > COH_SENS_MAX_FACTORS)
		return cli_usage_error("sensitivity", "the Sobol' design takes "
				       "at most %d factors (a 2k-dimensional "
				       "Sobol' sequence, which GSL gives up to "
				       "40 dimensions), got %zu; screen them "
				       "with --method morris first",
				       COH_SENS_MAX_FACTORS, a->factors.count);
	return CLI_OK;
}

/* Reads the scenario once and loads the base from it (common --set, -r
 * defaulting to 1). */
static int read_once(sens_state *s)
{
	int status = cli_common_read_once(&s->source, &s->base, &s->a->common,
					  s->a->scenario, s->rank == 0);
	if (status == CLI_OK)
		s->model = coh_scenario_model(s->base);
	return status;
}

static int sensitivity_main(sens_state *s, int argc, char **argv)
{
	sens_args *a = s->a;
	int status = read_once(s);
	if (status == CLI_OK)
		status = take_defaults(s);
	if (status != CLI_OK)
		return status;
	s->k = a->factors.count;
	s->factors = coh_calloc(s->k, sizeof *s->factors);
	if (!s->factors)
		return CLI_ERROR;
	for (size_t i = 0; i < s->k && status == CLI_OK; i++)
		status = parse_factor(&s->factors[i], a->factors.items[i]);
	if (status == CLI_OK)
		status = cli_common_qoi(&s->qoi, &a->common, "sensitivity",
					s->model);
	if (status == CLI_OK)
		status = check_factor_paths(s);
	if (status != CLI_OK)
		return status;
	s->n_qoi = coh_qoi_set_count(s->qoi);
	s->qoi_texts = coh_calloc(s->n_qoi, sizeof *s->qoi_texts);
	if (!s->qoi_texts)
		return CLI_ERROR;
	for (size_t q = 0; q < s->n_qoi; q++)
		s->qoi_texts[q] = coh_qoi_set_get(s->qoi, q)->text;
	s->dir = cli_output_dir(a->common.output, &s->err,
				"out/%s-sensitivity", s->model->name);
	int rc = s->dir ? build_design(s) : COH_ENOMEM;
	if (rc) {
		if (s->rank == 0)
			cli_print_error(&s->err);
		return cli_exit_status(rc);
	}
	coh_sweep_table table = {
		.file = "design.csv", .header = s->header.s,
		.qoi = s->qoi_texts, .n_qoi = s->n_qoi, .line = table_line,
		.ctx = s,
	};
	coh_sweep_options so = {
		.source = s->source, .overrides = a->common.overrides.items,
		.n_overrides = a->common.overrides.count,
		.design = s->design, .threads = (int)a->common.jobs,
		.dir = s->dir, .resume = a->resume, .stop = &cli_stop_signal,
		.argc = argc, .argv = argv, .table = &table,
	};
	coh_diag diag = COH_DIAG_INIT;
	if (a->dry_run) {
		coh_sweep_plan plan;
		rc = coh_sweep_plan_make(&plan, &so, &diag);
		if (!rc && s->rank == 0)
			print_plan(s, &plan);
	} else {
		double need = (double)s->n_rows * (double)(s->k + s->n_qoi + 8)
			      * 8.0;
		coh_error err = {0};
		rc = cli_check_memory_for(need, a->common.max_memory,
					  "the design and its values",
					  "use fewer samples or trajectories",
					  a->scenario, &err);
		if (rc)
			coh_diag_push(&diag, &err);
		if (!rc)
			rc = run_rows(s, &so, &diag);
		if (!rc && s->rank == 0 && write_results(s)) {
			rc = s->err.code ? s->err.code : COH_ENOMEM;
			coh_diag_push(&diag, &s->err);
		}
	}
	if (rc != COH_ECANCEL && s->rank == 0)
		cli_print_diag(&diag, rc, s->dir);
	coh_diag_clear(&diag);
	if (rc == COH_ECANCEL)
		return cli_stopped_status();
	return cli_exit_status(rc);
}

int cli_sensitivity(int argc, char **argv, int first)
{
	sens_args a;
	memset(&a, 0, sizeof a);
	int rank = 0;
#ifdef COH_MPI
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
#endif
	int status = cli_common_parse(&a.common, &sensitivity_command, &a,
				      argc, argv, first);
	if (status == CLI_OK && !a.scenario)
		status = cli_usage_error("sensitivity", "missing SCENARIO");
	/* one replication per evaluation unless -r says otherwise: the
	 * scenario's count is meant for a run, not for each of N (k + 3)
	 * evaluations */
	if (status == CLI_OK && !a.common.have_reps)
		status = cli_common_default_setting(&a.common,
						    "scenario.replications=1");
	if (status == CLI_OK) {
		sens_state s = {.a = &a, .rank = rank};
		status = sensitivity_main(&s, argc, argv);
		state_free(&s);
	} else if (status == CLI_HELP_SHOWN) {
		status = CLI_OK;
	}
	cli_strings_free(&a.factors);
	cli_common_free(&a.common);
	return status;
}
