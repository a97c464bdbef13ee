/* `cohesim calibrate`: what the record supports (docs/calibration.md).
 * ABC-SMC with a stochastic acceptor over the scenario's calibration
 * block.  Each generation proposes particles in batches; a batch is an
 * explicit design run by the sweep driver (the particles' values as
 * overrides, a stream key of their own), whose table records, for every
 * particle, the milestones each of its replications missed.  A batch's
 * folder under populations/ is its checkpoint: --resume replays the
 * algorithm, finds the finished batches and runs only what is missing, so
 * that the result is the same bytes as an uninterrupted run.  -j and MPI
 * are the sweep driver's. */
#include "cli.h"
#include "cohesim/calibrate.h"
#include "cohesim/date.h"
#include "cohesim/version.h"
#include "cohesim/output.h"
#include "cohesim/sweep.h"
#include "core/alloc.h"
#include "core/number.h"
#include "core/strbuf.h"
#include "output/sha256.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef COH_MPI
#include <mpi.h>
#endif

static const char calibrate_help[] =
	"Usage: cohesim calibrate SCENARIO [OPTIONS]\n"
	"\n"
	"What the record supports: ABC-SMC over the priors and milestones of\n"
	"the scenario's calibration block.  Each particle (a value for every\n"
	"prior) runs -r replications; its likelihood is the share of them that\n"
	"miss no more than the generation's tolerance eps of the milestones'\n"
	"weight.  Generations move from the prior to eps = 0 (every milestone\n"
	"met).  Writes posterior.csv (particle, weight, one column per prior,\n"
	"likelihood), posterior-summary.csv, generations.csv, milestones.csv\n"
	"(each milestone's pass rate under the prior and the posterior),\n"
	"populations/ (every generation and batch), figures, report.html and\n"
	"manifest.json (docs/calibration.md).\n"
	"\n"
	"Options:\n"
	"  -p, --particles N       particles per generation (default 1000)\n"
	"  -r, --replications N    replications per particle (default 10)\n"
	"      --min-acceptance A  stop when a generation accepts fewer than\n"
	"                          this share of its proposals (default 0.01)\n"
	"      --budget N          stop after N simulations (checked after each\n"
	"                          batch of a generation; default: none)\n"
	"      --max-generations G at most G generations (default 30)\n"
	"      --seed S            seed of the proposals and the runs\n"
	"                          (default: the scenario's)\n"
	"  -j, --jobs N            worker threads; the results never depend on it\n"
	"  -o, --output DIR        output folder (default:\n"
	"                          out/<scenario name>-calibration/)\n"
	"      --resume            finish the calibration already in DIR\n"
	"      --dry-run           print the cost of a generation, an estimated\n"
	"                          time and the disk, then stop\n"
	"      --set PATH=VALUE    change a setting everywhere (repeatable)\n"
	"      --include-root DIR  folder that @include may not leave\n"
	"      --title TEXT        the figures' title (default: the scenario's)\n"
	"      --plot FORMAT       png (default), svg, pdf, dumb or none\n"
	"      --report FORMAT     html (default): report.html, one page with\n"
	"                          the posterior, the milestones and the\n"
	"                          figures inline, to forward; none: no report\n"
	"      --max-memory GB     memory limit (default: half of the memory)\n"
	"  -q, --quiet             no progress and no table\n"
	"  -h, --help              show this help\n";

enum { OPT_PARTICLES = 1, OPT_MIN_ACCEPT, OPT_BUDGET, OPT_MAX_GEN,
       OPT_RESUME, OPT_DRY, OPT_REPORT };

static const cli_option calibrate_options[] = {
	{"particles", 'p', 1, OPT_PARTICLES},
	{"min-acceptance", 0, 1, OPT_MIN_ACCEPT},
	{"budget", 0, 1, OPT_BUDGET},
	{"max-generations", 0, 1, OPT_MAX_GEN},
	{"resume", 0, 0, OPT_RESUME},
	{"dry-run", 0, 0, OPT_DRY},
	{"report", 0, 1, OPT_REPORT},
	{NULL, 0, 0, 0},
};

#define DEFAULT_PARTICLES 1000
#define DEFAULT_REPLICATIONS "scenario.replications=10"
#define DEFAULT_MIN_ACCEPT 0.01
#define DEFAULT_MAX_GEN 30
#define MAX_PARTICLES 1000000u

typedef struct cal_args {
	cli_common_opts common;
	const char *scenario;
	uint64_t particles, budget, max_gen;
	double min_accept;
	int min_accept_given, resume, dry_run;
	int no_report;                  /* --report none */
} cal_args;

static int take_arg(void *ctx, int id, const char *v)
{
	cal_args *a = ctx;
	char *end;
	switch (id) {
	case CLI_NEXT_POSITIONAL:
		if (a->scenario)
			return cli_usage_error("calibrate", "expected one "
					       "SCENARIO, got '%s' and '%s'",
					       a->scenario, v);
		a->scenario = v;
		return CLI_OK;
	case OPT_PARTICLES:
		if (cli_parse_uint(&a->particles, v, 2) ||
		    a->particles > MAX_PARTICLES)
			return cli_usage_error("calibrate", "--particles "
					       "expects a whole number from 2 "
					       "to %u, got \"%s\"",
					       MAX_PARTICLES, v);
		return CLI_OK;
	case OPT_MIN_ACCEPT:
		errno = 0;
		a->min_accept = strtod(v, &end);
		if (errno || end == v || *end || !(a->min_accept >= 0) ||
		    a->min_accept >= 1)
			return cli_usage_error("calibrate", "--min-acceptance "
					       "expects a share in [0, 1), got "
					       "\"%s\"", v);
		a->min_accept_given = 1;
		return CLI_OK;
	case OPT_BUDGET:
		if (cli_parse_uint(&a->budget, v, 1))
			return cli_usage_error("calibrate", "--budget expects a "
					       "whole number of simulations >= "
					       "1, got \"%s\"", v);
		return CLI_OK;
	case OPT_MAX_GEN:
		if (cli_parse_uint(&a->max_gen, v, 1) || a->max_gen > 1000)
			return cli_usage_error("calibrate", "--max-generations "
					       "expects a whole number from 1 "
					       "to 1000, got \"%s\"", v);
		return CLI_OK;
	case OPT_RESUME:
		a->resume = 1;
		return CLI_OK;
	case OPT_REPORT:
		return cli_opt_report("calibrate", v, &a->no_report);
	default: /* OPT_DRY */
		a->dry_run = 1;
		return CLI_OK;
	}
}

static const cli_command_args calibrate_command = {
	"calibrate", calibrate_help, calibrate_options, take_arg, 0,
};

/*--- State ------------------------------------------------------------------*/

/* One generation's accepted particles, in proposal order. */
typedef struct cal_generation {
	double eps;
	coh_abc_population pop;         /* weights normalised */
	double *lik;                    /* per particle */
	uint64_t *pass;                 /* [particle * n_ms + i]: replications
					 * of the particle meeting milestone i */
	uint64_t proposals, simulations;
	uint64_t likely;                /* proposals with a likelihood > 0,
					 * kept or beyond the n needed */
	double acceptance, ess;
	double *accepted_d;             /* distances of accepted replications */
	size_t n_accepted_d;
} cal_generation;

typedef struct cal_state {
	cal_args *a;
	int rank;
	coh_scenario_source *source;
	coh_scenario *base;
	const coh_model *model;
	const coh_prior *priors;
	size_t k, n_ms;
	uint64_t reps, particles;
	coh_abc_reads reads;
	char *dir;
	const char **paths;
	/* the batch being run, read by the table's worker threads */
	double *batch_theta;
	uint64_t *batch_keys;
	size_t batch_n;
	coh_strbuf header;
	/* generations done */
	cal_generation *gens;
	size_t n_gens;
	uint64_t simulations;
	/* the prior's pass rates, from every replication of generation 0 */
	uint64_t *prior_pass, prior_reps;
	const char *stopped;            /* why it ended early, or NULL */
	coh_error err;
} cal_state;

/* Frees a generation's particles; its line of generations.csv stays.
 * Only the last two generations keep theirs, so that memory does not
 * grow with the number of generations. */
static void generation_free(cal_generation *g)
{
	coh_free(g->pop.theta);
	coh_free(g->pop.weight);
	coh_free(g->lik);
	coh_free(g->pass);
	coh_free(g->accepted_d);
	g->pop.theta = g->pop.weight = g->lik = g->accepted_d = NULL;
	g->pass = NULL;
}

static void state_free(cal_state *s)
{
	for (size_t g = 0; g < s->n_gens; g++)
		generation_free(&s->gens[g]);
	coh_free(s->gens);
	coh_free(s->prior_pass);
	coh_free(s->batch_theta);
	coh_free(s->batch_keys);
	coh_strbuf_free(&s->header);
	coh_free(s->paths);
	coh_free(s->dir);
	coh_abc_reads_free(&s->reads);
	coh_scenario_free(s->base);
	coh_scenario_source_free(s->source);
}

static int nomem(cal_state *s)
{
	return coh_error_set(&s->err, COH_ENOMEM, NULL, 0, "out of memory");
}

/*--- Checks ---------------------------------------------------------------*/

/* Every prior must name a real setting that takes both ends of its range
 * (a setting's valid values form an interval) and a value inside that is
 * no whole number, so that an integer setting is refused now.  Messages
 * name the prior where the file wrote it. */
static int check_priors(cal_state *s)
{
	const cli_common_opts *o = &s->a->common;
	size_t n = o->overrides.count + 1;
	const char **ov = coh_calloc(n, sizeof *ov);
	if (!ov)
		return CLI_ERROR;
	for (size_t i = 0; i < o->overrides.count; i++)
		ov[i] = o->overrides.items[i];
	int status = CLI_OK;
	for (size_t j = 0; j < s->k && status == CLI_OK; j++) {
		const coh_prior *p = &s->priors[j];
		int kind = coh_scenario_source_setting(s->source, p->path);
		if (kind == COH_SETTING_OTHER) {
			fprintf(stderr, "cohesim: %s:%d: calibration prior on "
				"%s: the setting is not a number, expected a "
				"real-valued setting such as model.half_life\n",
				p->file, p->line, p->path);
			status = CLI_ERROR;
			break;
		}
		double inside = coh_abc_prior_value(p, 0.3819660112501051);
		double values[3] = {p->min, p->max, inside};
		for (int e = 0; e < 3 && status == CLI_OK; e++) {
			char num[COH_NUMBER_MAX], text[1024];
			coh_format_double(num, values[e]);
			snprintf(text, sizeof text, "%s=%s", p->path, num);
			ov[n - 1] = text;
			coh_scenario *probe = NULL;
			coh_diag diag = COH_DIAG_INIT;
			int rc = coh_scenario_load_source(&probe, s->source, ov,
							  n, &diag);
			if (rc && s->rank == 0) {
				const coh_error *er = diag.count
						      ? &diag.items[0] : NULL;
				fprintf(stderr, "cohesim: %s:%d: calibration "
					"prior on %s: --set %s is refused: "
					"%s\n", p->file, p->line, p->path, text,
					er ? er->message : "cannot load");
			}
			if (rc)
				status = cli_exit_status(rc) == CLI_USAGE
					 ? CLI_ERROR : cli_exit_status(rc);
			coh_diag_clear(&diag);
			coh_scenario_free(probe);
		}
	}
	coh_free(ov);
	return status;
}

/*--- A batch ----------------------------------------------------------------*/

/* The stream of generation g's batch b: proposals, and the keys that
 * their replications run under, come from it. */
static uint64_t batch_stream(size_t g, size_t b)
{
	return (uint64_t)g << 32 | (uint64_t)b;
}

/* A particle's replications run under a key of its own: the top bit keeps
 * them apart from the points of a sweep or run of the same seed. */
static uint64_t particle_key(size_t g, size_t b, size_t i)
{
	return UINT64_C(1) << 63 | (uint64_t)g << 44 | (uint64_t)b << 24 |
	       (uint64_t)i;
}

/* The table line of one particle: its point, key and values, then the
 * milestones each replication missed, as hexadecimal masks. */
static int batch_line(void *ctx, uint64_t p, const double *values,
		      uint64_t reps, FILE *fp)
{
	const cal_state *s = ctx;
	char num[COH_NUMBER_MAX];
	fprintf(fp, "%" PRIu64 ",%" PRIu64, p, s->batch_keys[p]);
	for (size_t j = 0; j < s->k; j++) {
		coh_format_double(num, s->batch_theta[p * s->k + j]);
		fprintf(fp, ",%s", num);
	}
	fputc(',', fp);
	for (uint64_t r = 0; r < reps; r++)
		fprintf(fp, "%s%" PRIx64, r ? " " : "",
			coh_abc_missed(s->model, &s->reads,
				       &values[r * s->reads.n_qoi]));
	return fputc('\n', fp) == EOF ? COH_EIO : 0;
}

/* Reads the masks of a finished batch back from its table: masks[p * reps
 * + r]. */
static int read_masks(cal_state *s, const char *dir, uint64_t *masks)
{
	char *path = coh_output_path(dir, "particles.csv");
	FILE *fp = path ? fopen(path, "rb") : NULL;
	if (!fp) {
		coh_error_set(&s->err, path ? COH_EIO : COH_ENOMEM, path, 0,
			      "cannot read: %s", strerror(errno));
		coh_free(path);
		return s->err.code;
	}
	char *line = NULL;
	size_t cap = 0;
	size_t row = 0;
	int rc = 0;
	int header = 1;
	while (!rc && getline(&line, &cap, fp) > 0) {
		if (header) {
			header = 0;
			continue;
		}
		char *field = strrchr(line, ',');
		if (!field || row >= s->batch_n) {
			rc = coh_error_set(&s->err, COH_EIO, path, 0,
					   "damaged line %zu", row + 2);
			break;
		}
		char *at = field + 1;
		for (uint64_t r = 0; r < s->reps && !rc; r++) {
			char *end;
			errno = 0;
			masks[row * s->reps + r] = strtoull(at, &end, 16);
			if (errno || end == at)
				rc = coh_error_set(&s->err, COH_EIO, path, 0,
						   "damaged line %zu",
						   row + 2);
			at = end;
		}
		row++;
	}
	if (!rc && row != s->batch_n)
		rc = coh_error_set(&s->err, COH_EIO, path, 0, "holds %zu of %zu "
				   "particles", row, s->batch_n);
	free(line);
	fclose(fp);
	coh_free(path);
	return rc;
}

/* Rank 0's view of a condition, on every rank (under MPI, the other
 * ranks must take the same branch, or the next collective call waits for
 * ever). */
static int rank0_says(int value)
{
#ifdef COH_MPI
	MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
#endif
	return value;
}

/* Runs the batch in s->batch_* into populations/gGG-bBB/ through the
 * sweep driver, resuming a finished or partial one, and reads its masks
 * back. */
static int run_batch(cal_state *s, size_t g, size_t b, uint64_t *masks,
		     int argc, char **argv)
{
	char sub[64];
	snprintf(sub, sizeof sub, "populations/g%02zu-b%02zu", g, b);
	char *dir = coh_output_path(s->dir, sub);
	coh_design *design = NULL;
	if (!dir)
		return nomem(s);
	int rc = coh_design_explicit(&design, s->paths, s->k, s->batch_theta,
				     s->batch_keys, s->batch_n, &s->err);
	if (rc) {
		coh_free(dir);
		return rc;
	}
	coh_sweep_table table = {
		.file = "particles.csv", .header = s->header.s,
		.qoi = (const char *const *)s->reads.qoi,
		.n_qoi = s->reads.n_qoi, .line_reps = batch_line, .ctx = s,
	};
	struct stat st;
	char *probe = coh_output_path(dir, "particles.csv");
	int exists = rank0_says(probe && stat(probe, &st) == 0);
	coh_free(probe);
	const cli_common_opts *o = &s->a->common;
	cli_progress bar;
	cli_progress_start(&bar, s->batch_n, o->quiet || s->rank != 0);
	bar.unit = "particles";
	bar.runs_per_item = s->reps;
	coh_sweep_options so = {
		.source = s->source, .overrides = o->overrides.items,
		.n_overrides = o->overrides.count, .design = design,
		.threads = (int)o->jobs, .dir = dir, .resume = exists,
		.stop = &cli_stop_signal, .argc = argc, .argv = argv,
		.table = &table, .progress = cli_progress_show,
		.progress_ctx = &bar,
	};
	coh_diag diag = COH_DIAG_INIT;
#ifdef COH_MPI
	rc = coh_sweep_run_mpi(&so, &diag);
	/* every rank reads the batch once rank 0 has written all of it */
	MPI_Barrier(MPI_COMM_WORLD);
	int bad = rc != 0, any = 0;
	MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	if (any && !rc)
		rc = COH_ECANCEL;
#else
	rc = coh_sweep_run(&so, &diag);
#endif
	cli_progress_finish(&bar);
	if (rc && rc != COH_ECANCEL && s->rank == 0)
		cli_print_diag(&diag, rc, dir);
	coh_diag_clear(&diag);
	coh_design_free(design);
	if (!rc)
		rc = read_masks(s, dir, masks);
	else if (rc != COH_ECANCEL)
		rc = coh_error_set(&s->err, rc, NULL, 0, "%s",
				   "the batch failed (above)");
	coh_free(dir);
	return rc;
}

/*--- Generations ------------------------------------------------------------*/

/* The tolerance after a generation: the median distance of its accepted
 * replications, or, when that is no lower than eps, the largest distance
 * below eps; 0 when there is none. */
static double next_eps(const cal_generation *gen)
{
	double e = coh_abc_quantile(gen->accepted_d, NULL, gen->n_accepted_d,
				    0.5);
	if (e < gen->eps && !isnan(e))
		return e;
	double best = 0.0;
	for (size_t i = 0; i < gen->n_accepted_d; i++)
		if (gen->accepted_d[i] < gen->eps && gen->accepted_d[i] > best)
			best = gen->accepted_d[i];
	return best;
}

/* Appends what batch's particles add to the generation being built:
 * the accepted ones while there is room for them, and, in generation 0,
 * every replication's milestones for the prior's pass rates. */
static void take_batch(cal_state *s, cal_generation *gen,
		       const cal_generation *prev, const uint64_t *masks)
{
	size_t k = s->k;
	for (size_t p = 0; p < s->batch_n; p++) {
		const uint64_t *m = &masks[p * s->reps];
		uint64_t hits = 0;
		for (uint64_t r = 0; r < s->reps; r++) {
			double d = coh_abc_distance(s->model, m[r]);
			hits += d <= gen->eps;
			if (s->n_gens == 0)
				for (size_t i = 0; i < s->n_ms; i++)
					s->prior_pass[i] += !(m[r] >> i & 1);
		}
		if (s->n_gens == 0)
			s->prior_reps += s->reps;
		gen->proposals++;
		gen->likely += hits > 0;
		if (!hits || gen->pop.n >= s->particles)
			continue;
		size_t at = gen->pop.n++;
		double lik = (double)hits / (double)s->reps;
		memcpy(&gen->pop.theta[at * k], &s->batch_theta[p * k],
		       k * sizeof *gen->pop.theta);
		gen->lik[at] = lik;
		/* later generations: the kernel's weight, set by the caller */
		gen->pop.weight[at] = prev ? 0.0 : lik;
		for (uint64_t r = 0; r < s->reps; r++) {
			double d = coh_abc_distance(s->model, m[r]);
			for (size_t i = 0; i < s->n_ms; i++)
				gen->pass[at * s->n_ms + i] +=
					!(m[r] >> i & 1);
			if (d <= gen->eps)
				gen->accepted_d[gen->n_accepted_d++] = d;
		}
	}
}

static void print_generation(const cal_state *s, const cal_generation *gen,
			     size_t g)
{
	if (s->a->common.quiet || s->rank != 0)
		return;
	fprintf(stderr, "cohesim: generation %zu: eps %.4g, %zu particles "
		"from %" PRIu64 " proposals (acceptance %.3f), ESS %.1f, "
		"%" PRIu64 " simulations so far\n", g, gen->eps, gen->pop.n,
		gen->proposals, gen->acceptance, gen->ess, s->simulations);
}

/* Runs generation g at tolerance eps from the previous population (NULL
 * for generation 0, which samples the prior).  Returns 0 with the
 * generation appended to s->gens when it is complete; 0 with s->stopped
 * set when the budget or the acceptance floor ended it first. */
static int run_generation(cal_state *s, size_t g, double eps, int argc,
			  char **argv)
{
	const cal_generation *prev = g ? &s->gens[g - 1] : NULL;
	size_t k = s->k, n = s->particles;
	cal_generation gen = {.eps = eps};
	gen.pop.k = k;
	gen.pop.theta = coh_calloc(n * k, sizeof *gen.pop.theta);
	gen.pop.weight = coh_calloc(n, sizeof *gen.pop.weight);
	gen.lik = coh_calloc(n, sizeof *gen.lik);
	gen.pass = coh_calloc(n * s->n_ms, sizeof *gen.pass);
	gen.accepted_d = coh_calloc(n * s->reps, sizeof *gen.accepted_d);
	uint64_t *masks = coh_calloc(n * s->reps, sizeof *masks);
	coh_abc_kernel *kernel = NULL;
	int rc = 0;
	if (!gen.pop.theta || !gen.pop.weight || !gen.lik || !gen.pass ||
	    !gen.accepted_d || !masks)
		rc = nomem(s);
	if (!rc && prev)
		rc = coh_abc_kernel_fit(&kernel, s->priors, &prev->pop,
					&s->err);
	for (size_t b = 0; !rc && gen.pop.n < n; b++) {
		uint64_t left = s->a->budget ? (s->a->budget > s->simulations
						? s->a->budget - s->simulations
						: 0) : UINT64_MAX;
		size_t size = n;
		if (left / s->reps < size)
			size = (size_t)(left / s->reps);
		if (size == 0) {
			s->stopped = "the budget of simulations is spent";
			break;
		}
		if (b >= 1u << 20) {    /* the particles' keys hold 20 bits */
			s->stopped = "a generation ran 2^20 batches without "
				     "filling up";
			break;
		}
		s->batch_n = size;
		for (size_t i = 0; i < size && !rc; i++) {
			rc = coh_abc_propose(&s->batch_theta[i * k], s->priors, k,
					     prev ? &prev->pop : NULL, kernel,
					     s->model->seed,
					     batch_stream(g, b), i, &s->err);
			s->batch_keys[i] = particle_key(g, b, i);
		}
		if (!rc)
			rc = run_batch(s, g, b, masks, argc, argv);
		if (rc)
			break;
		s->simulations += (uint64_t)size * s->reps;
		gen.simulations += (uint64_t)size * s->reps;
		size_t before = gen.pop.n;
		take_batch(s, &gen, prev, masks);
		for (size_t i = before; prev && i < gen.pop.n; i++)
			gen.pop.weight[i] = coh_abc_weight(
				&gen.pop.theta[i * k], gen.lik[i], s->priors,
				&prev->pop, kernel);
		gen.acceptance = (double)gen.likely / (double)gen.proposals;
		if (!s->a->common.quiet && s->rank == 0)
			fprintf(stderr, "cohesim: generation %zu, batch %zu: "
				"%zu of %zu particles accepted (eps %.4g)\n",
				g, b, gen.pop.n, n, eps);
		if (gen.pop.n < n && gen.acceptance < s->a->min_accept) {
			s->stopped = "the acceptance rate fell below "
				     "--min-acceptance";
			break;
		}
	}
	coh_abc_kernel_free(kernel);
	coh_free(masks);
	if (rc || s->stopped) {
		generation_free(&gen);
		return rc;
	}
	double total = 0;
	for (size_t i = 0; i < gen.pop.n; i++)
		total += gen.pop.weight[i];
	if (!(total > 0)) {
		generation_free(&gen);
		return coh_error_set(&s->err, COH_ENUMERIC, NULL, 0,
				     "generation %zu: the weights sum to 0", g);
	}
	for (size_t i = 0; i < gen.pop.n; i++)
		gen.pop.weight[i] /= total;
	gen.ess = coh_abc_ess(gen.pop.weight, gen.pop.n);
	s->gens[s->n_gens++] = gen;
	if (s->n_gens >= 2)
		generation_free(&s->gens[s->n_gens - 2]);
	print_generation(s, &s->gens[s->n_gens - 1], g);
	return 0;
}

/*--- Files --------------------------------------------------------------------*/

static void csv_number(coh_strbuf *b, double x)
{
	char num[COH_NUMBER_MAX];
	coh_format_double(num, x);
	coh_strbuf_printf(b, ",%s", num);
}

/* A population as CSV: particle, weight, the priors' values, likelihood. */
static int write_population(cal_state *s, const cal_generation *gen,
			    const char *name)
{
	coh_strbuf b = {0};
	coh_strbuf_puts(&b, "particle,weight");
	for (size_t j = 0; j < s->k; j++)
		coh_strbuf_printf(&b, ",%s", s->priors[j].path);
	coh_strbuf_puts(&b, ",likelihood\n");
	for (size_t i = 0; i < gen->pop.n; i++) {
		coh_strbuf_printf(&b, "%zu", i);
		csv_number(&b, gen->pop.weight[i]);
		for (size_t j = 0; j < s->k; j++)
			csv_number(&b, gen->pop.theta[i * s->k + j]);
		csv_number(&b, gen->lik[i]);
		coh_strbuf_puts(&b, "\n");
	}
	int rc = b.failed ? nomem(s)
			  : coh_output_write_file(s->dir, name, b.s, b.len,
						  &s->err);
	coh_strbuf_free(&b);
	return rc;
}

static int write_generations(cal_state *s)
{
	coh_strbuf b = {0};
	coh_strbuf_puts(&b, "generation,eps,particles,proposals,simulations,"
			"acceptance_rate,ess\n");
	for (size_t g = 0; g < s->n_gens; g++) {
		const cal_generation *gen = &s->gens[g];
		coh_strbuf_printf(&b, "%zu", g);
		csv_number(&b, gen->eps);
		coh_strbuf_printf(&b, ",%zu,%" PRIu64 ",%" PRIu64, gen->pop.n,
				  gen->proposals, gen->simulations);
		csv_number(&b, gen->acceptance);
		csv_number(&b, gen->ess);
		coh_strbuf_puts(&b, "\n");
	}
	int rc = b.failed ? nomem(s)
			  : coh_output_write_file(s->dir, "generations.csv",
						  b.s, b.len, &s->err);
	coh_strbuf_free(&b);
	return rc;
}

/* Each milestone's share of replications that meet it: under the prior
 * (every replication of generation 0) and under the posterior (the
 * replications of the final particles, weighted by theirs). */
static int write_milestones(cal_state *s, const cal_generation *post,
			    double *posterior_rate)
{
	coh_strbuf b = {0};
	coh_strbuf_puts(&b, "id,date,description,weight,prior_pass_rate,"
			"posterior_pass_rate\n");
	for (size_t i = 0; i < s->n_ms; i++) {
		const coh_milestone *ms = &s->model->milestones[i];
		char date[16], what[256];
		coh_date_format(date, sizeof date, s->model->start_day +
				ms->day);
		coh_abc_milestone_text(what, sizeof what, s->model, ms);
		double rate = 0;
		for (size_t p = 0; p < post->pop.n; p++)
			rate += post->pop.weight[p] *
				(double)post->pass[p * s->n_ms + i] /
				(double)s->reps;
		posterior_rate[i] = rate;
		coh_strbuf_printf(&b, "%s,%s,\"%s\"", ms->id, date, what);
		csv_number(&b, ms->weight);
		csv_number(&b, (double)s->prior_pass[i] /
			       (double)s->prior_reps);
		csv_number(&b, rate);
		coh_strbuf_puts(&b, "\n");
	}
	int rc = b.failed ? nomem(s)
			  : coh_output_write_file(s->dir, "milestones.csv",
						  b.s, b.len, &s->err);
	coh_strbuf_free(&b);
	return rc;
}

/* Weighted mean, sd and the 5%, 50% and 95% quantiles of each prior's
 * values under the posterior: the table and posterior-summary.csv. */
static int write_summary(cal_state *s, const cal_generation *post)
{
	coh_strbuf b = {0};
	double *x = coh_calloc(post->pop.n, sizeof *x);
	if (!x)
		return nomem(s);
	coh_strbuf_puts(&b, "path,prior_min,prior_max,scale,mean,sd,q05,"
			"median,q95\n");
	int show = !s->a->common.quiet && s->rank == 0;
	if (show)
		printf("%-34s %12s %12s %12s %12s\n", "posterior", "mean",
		       "5%", "median", "95%");
	for (size_t j = 0; j < s->k; j++) {
		double mean = 0, var = 0;
		for (size_t i = 0; i < post->pop.n; i++) {
			x[i] = post->pop.theta[i * s->k + j];
			mean += post->pop.weight[i] * x[i];
		}
		for (size_t i = 0; i < post->pop.n; i++)
			var += post->pop.weight[i] * (x[i] - mean) *
			       (x[i] - mean);
		double q[3];
		static const double at[3] = {0.05, 0.5, 0.95};
		for (int t = 0; t < 3; t++)
			q[t] = coh_abc_quantile(x, post->pop.weight,
						post->pop.n, at[t]);
		const coh_prior *p = &s->priors[j];
		coh_strbuf_puts(&b, p->path);
		csv_number(&b, p->min);
		csv_number(&b, p->max);
		coh_strbuf_puts(&b, p->log ? ",log" : ",uniform");
		csv_number(&b, mean);
		csv_number(&b, sqrt(var));
		for (int t = 0; t < 3; t++)
			csv_number(&b, q[t]);
		coh_strbuf_puts(&b, "\n");
		if (show)
			printf("%-34s %12.5g %12.5g %12.5g %12.5g\n", p->path,
			       mean, q[0], q[1], q[2]);
	}
	coh_free(x);
	int rc = b.failed ? nomem(s)
			  : coh_output_write_file(s->dir,
						  "posterior-summary.csv",
						  b.s, b.len, &s->err);
	coh_strbuf_free(&b);
	return rc;
}

static int write_manifest(cal_state *s, const cal_generation *post,
			  char **plot_files, size_t n_plot_files, int argc,
			  char **argv)
{
	char sha[65];
	if (coh_sha256_file(sha, s->a->scenario, &s->err))
		return s->err.code;
	json_t *root = json_object(), *priors = json_array(),
	       *files = json_array(), *cmd = json_array();
	for (int i = 0; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	for (size_t j = 0; j < s->k; j++)
		json_array_append_new(priors, json_pack(
			"{s:s, s:f, s:f, s:s}", "path", s->priors[j].path,
			"min", s->priors[j].min, "max", s->priors[j].max,
			"scale", s->priors[j].log ? "log" : "uniform"));
	static const char *const names[] = {
		"posterior.csv", "posterior-summary.csv", "generations.csv",
		"milestones.csv", "posterior-figure.csv",
		"scenario.resolved.cfg", "populations/"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		json_array_append_new(files, json_string(names[i]));
	for (size_t i = 0; i < n_plot_files; i++)
		json_array_append_new(files, json_string(plot_files[i]));
	json_object_set_new(root, "command", cmd);
	json_object_set_new(root, "cohesim", json_string(COH_VERSION));
	json_object_set_new(root, "scenario", json_pack(
		"{s:s, s:s, s:s, s:I}", "file", s->a->scenario, "name",
		s->model->name, "sha256", sha, "seed",
		(json_int_t)s->model->seed));
	json_object_set_new(root, "calibration", json_pack(
		"{s:o, s:I, s:I, s:f, s:I, s:I, s:f, s:b, s:s?}", "priors",
		priors, "particles", (json_int_t)s->particles,
		"replications_per_particle", (json_int_t)s->reps,
		"final_eps", post->eps, "generations", (json_int_t)s->n_gens,
		"simulations", (json_int_t)s->simulations, "final_ess",
		post->ess, "converged", post->eps == 0.0, "stopped",
		s->stopped));
	json_object_set_new(root, "files", files);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(root);
	int rc = text ? coh_output_write_file(s->dir, "manifest.json", text,
					      strlen(text), &s->err)
		      : nomem(s);
	free(text);
	return rc;
}

/* The weighted marginals' data: per prior, a histogram of 30 bins over
 * its range (on its scale), with the prior's own density as reference. */
static int write_figure_data(cal_state *s, const cal_generation *post)
{
	enum { BINS = 30 };
	coh_strbuf b = {0};
	coh_strbuf_puts(&b, "path,bin_lo,bin_hi,centre,posterior_density,"
			"prior_density,log_scale\n");
	for (size_t j = 0; j < s->k; j++) {
		const coh_prior *p = &s->priors[j];
		double lo = coh_abc_to_scale(p, p->min),
		       hi = coh_abc_to_scale(p, p->max);
		double h[BINS] = {0}, width = (hi - lo) / BINS;
		for (size_t i = 0; i < post->pop.n; i++) {
			double z = coh_abc_to_scale(p, post->pop.theta[
				i * s->k + j]);
			int bin = (int)((z - lo) / width);
			bin = bin < 0 ? 0 : bin >= BINS ? BINS - 1 : bin;
			h[bin] += post->pop.weight[i];
		}
		for (int t = 0; t < BINS; t++) {
			double a = coh_abc_from_scale(p, lo + t * width),
			       c = coh_abc_from_scale(p, lo + (t + 1) * width);
			coh_strbuf_printf(&b, "%s", p->path);
			csv_number(&b, a);
			csv_number(&b, c);
			csv_number(&b, coh_abc_from_scale(p, lo + (t + 0.5) *
							  width));
			/* density per unit of the scale, so that the prior
			 * is flat on it */
			csv_number(&b, h[t] / width);
			csv_number(&b, 1.0 / (hi - lo));
			coh_strbuf_puts(&b, p->log ? ",1\n" : ",0\n");
		}
	}
	int rc = b.failed ? nomem(s)
			  : coh_output_write_file(s->dir, "posterior-figure.csv",
						  b.s, b.len, &s->err);
	coh_strbuf_free(&b);
	return rc;
}

/* The figures' title: the scenario's (or --title) with the particles
 * and the final eps; `cohesim plot DIR` composes the same one from the
 * manifest. */
static void figure_title(char *title, size_t size, const cal_state *s,
			 const cal_generation *post)
{
	snprintf(title, size, "%s: calibration, %zu particles, eps %g",
		 cli_figure_title(&s->a->common, s->model), post->pop.n,
		 post->eps);
}

/* report.html, from the folder's files as `cohesim plot DIR` writes it
 * again: the figures drawn once more as SVG. */
static int write_report(cal_state *s, const cal_generation *post)
{
	char title[256];
	figure_title(title, sizeof title, s, post);
	coh_model titled = *s->model;
	titled.title = title;
	static const char *const figures[] = {"calibration.gp",
					      "generations.gp", "pairs.gp"};
	cli_folder_report report = {
		.dir = s->dir, .kind = CLI_FOLDER_CALIBRATE,
		.title = cli_figure_title(&s->a->common, s->model),
		.model = &titled, .figures = figures,
		.n_figures = s->k > 1 ? 3 : 2, .axes = s->paths,
		.n_axes = s->k,
	};
	return cli_report_folder(&report, NULL, &s->err);
}

static int write_results(cal_state *s, int argc, char **argv)
{
	const cal_generation *post = &s->gens[s->n_gens - 1];
	double *rate = coh_calloc(s->n_ms, sizeof *rate);
	char **plot_files = NULL;
	size_t n_plot_files = 0;
	int rc = rate ? write_population(s, post, "posterior.csv") : nomem(s);
	if (!rc)
		rc = write_generations(s);
	if (!rc)
		rc = write_milestones(s, post, rate);
	if (!rc)
		rc = write_summary(s, post);
	if (!rc)
		rc = write_figure_data(s, post);
	if (!rc)
		rc = cli_write_resolved(s->dir, s->base, &s->err);
	if (!rc && s->a->common.plot != COH_PLOT_NONE) {
		char title[256];
		figure_title(title, sizeof title, s, post);
		coh_model titled = *s->model;
		titled.title = title;
		/* pairs need two priors */
		static const char *const figures[] = {"calibration.gp",
						      "generations.gp",
						      "pairs.gp"};
		if (s->a->common.plot == COH_PLOT_DUMB)
			fflush(stdout);
		rc = cli_draw(s->dir, &titled, figures, s->k > 1 ? 3 : 2,
			      s->paths, s->k,
			      s->a->common.plot, &plot_files, &n_plot_files,
			      &s->err);
	}
	if (!rc)
		rc = write_manifest(s, post, plot_files, n_plot_files, argc,
				    argv);
	/* report.html reads the finished manifest */
	if (!rc && s->a->no_report)
		rc = cli_remove_stale(s->dir, "report.html", &s->err);
	else if (!rc)
		rc = write_report(s, post);
	if (!rc && !s->a->common.quiet) {
		printf("\n%-24s %-11s %10s %10s  %s\n", "milestone", "date",
		       "prior", "posterior", "condition");
		for (size_t i = 0; i < s->n_ms; i++) {
			const coh_milestone *ms = &s->model->milestones[i];
			char date[16], what[256];
			coh_date_format(date, sizeof date,
					s->model->start_day + ms->day);
			coh_abc_milestone_text(what, sizeof what, s->model, ms);
			printf("%-24s %-11s %10.3f %10.3f  %s\n", ms->id, date,
			       (double)s->prior_pass[i] /
			       (double)s->prior_reps, rate[i], what);
		}
		fflush(stdout);
		fprintf(stderr, "cohesim: wrote %s/ (posterior.csv, "
			"generations.csv, milestones.csv%s%s, manifest.json)"
			"\n", s->dir, n_plot_files ? ", figures" : "",
			s->a->no_report ? "" : ", report.html");
	}
	coh_plot_files_free(plot_files, n_plot_files);
	coh_free(rate);
	return rc;
}

/*--- The command -------------------------------------------------------------*/

static int read_once(cal_state *s)
{
	if (cli_common_read_once(&s->source, &s->base, &s->a->common,
				 s->a->scenario, s->rank == 0) != CLI_OK)
		return CLI_ERROR;
	s->model = coh_scenario_model(s->base);
	s->priors = s->model->priors;
	s->k = s->model->n_priors;
	if (!s->model->n_priors || !s->model->n_milestones) {
		if (s->rank == 0)
			fprintf(stderr, "cohesim: %s: no calibration block, "
				"expected calibration: { priors = (...); "
				"milestones = (...); } (docs/calibration.md)\n",
				s->a->scenario);
		return CLI_ERROR;
	}
	return CLI_OK;
}

/* A folder that holds another run's files is not written over unless
 * --resume says to finish it. */
static int check_folder(cal_state *s)
{
	struct stat st;
	char *p = coh_output_path(s->dir, "populations");
	int there = rank0_says(p && stat(p, &st) == 0);
	coh_free(p);
	if (there && !s->a->resume) {
		if (s->rank == 0)
			fprintf(stderr, "cohesim: %s holds a calibration "
				"already; add --resume to finish it, or choose "
				"another folder with -o\n", s->dir);
		return CLI_ERROR;
	}
	return CLI_OK;
}

static int prepare(cal_state *s)
{
	s->n_ms = s->model->n_milestones;
	s->reps = s->model->replications;
	s->particles = s->a->particles ? s->a->particles : DEFAULT_PARTICLES;
	if (!s->a->max_gen)
		s->a->max_gen = DEFAULT_MAX_GEN;
	if (!s->a->min_accept && !s->a->min_accept_given)
		s->a->min_accept = DEFAULT_MIN_ACCEPT;
	if (coh_abc_reads_make(&s->reads, s->model, &s->err))
		return s->err.code;
	s->paths = coh_calloc(s->k, sizeof *s->paths);
	s->gens = coh_calloc(s->a->max_gen, sizeof *s->gens);
	s->prior_pass = coh_calloc(s->n_ms, sizeof *s->prior_pass);
	s->batch_theta = coh_calloc(s->particles * s->k,
				    sizeof *s->batch_theta);
	s->batch_keys = coh_calloc(s->particles, sizeof *s->batch_keys);
	if (!s->paths || !s->gens || !s->prior_pass || !s->batch_theta ||
	    !s->batch_keys)
		return nomem(s);
	coh_strbuf_puts(&s->header, "point,key");
	for (size_t j = 0; j < s->k; j++) {
		s->paths[j] = s->priors[j].path;
		coh_strbuf_printf(&s->header, ",%s", s->paths[j]);
	}
	coh_strbuf_puts(&s->header, ",missed\n");
	return s->header.failed ? nomem(s) : 0;
}

static int write_generation_files(cal_state *s, size_t g)
{
	char name[64];
	snprintf(name, sizeof name, "populations/gen-%02zu.csv", g);
	int rc = write_population(s, &s->gens[g], name);
	return rc ? rc : write_generations(s);
}

/* What a generation costs, from a pilot of the prior's first batch. */
static int dry_run(cal_state *s, int argc, char **argv)
{
	const cli_common_opts *o = &s->a->common;
	coh_design *design = NULL;
	for (size_t i = 0; i < s->particles; i++) {
		coh_abc_propose(&s->batch_theta[i * s->k], s->priors, s->k, NULL,
				NULL, s->model->seed, batch_stream(0, 0), i,
				&s->err);
		s->batch_keys[i] = particle_key(0, 0, i);
	}
	int rc = coh_design_explicit(&design, s->paths, s->k, s->batch_theta,
				     s->batch_keys, s->particles, &s->err);
	coh_sweep_table table = {
		.file = "particles.csv", .header = s->header.s,
		.qoi = (const char *const *)s->reads.qoi,
		.n_qoi = s->reads.n_qoi, .line_reps = batch_line, .ctx = s,
	};
	coh_sweep_options so = {
		.source = s->source, .overrides = o->overrides.items,
		.n_overrides = o->overrides.count, .design = design,
		.threads = (int)o->jobs, .dir = s->dir, .argc = argc,
		.argv = argv, .table = &table,
	};
	coh_sweep_plan plan = {0};
	coh_diag diag = COH_DIAG_INIT;
	if (!rc)
		rc = coh_sweep_plan_make(&plan, &so, &diag);
	if (rc && s->rank == 0)
		cli_print_diag(&diag, rc, s->a->scenario);
	coh_diag_clear(&diag);
	coh_design_free(design);
	if (rc || s->rank != 0)
		return rc;
	int jobs = o->jobs > 0 ? (int)o->jobs : 1;
	printf("priors:       %zu\n", s->k);
	printf("milestones:   %zu (%zu reads per replication)\n", s->n_ms,
	       s->reads.n_qoi);
	printf("particles:    %" PRIu64 " per generation, %" PRIu64
	       " replications each\n", s->particles, s->reps);
	printf("generation:   at least %" PRIu64 " simulations, about %.0f s "
	       "with -j %d (more when few proposals are accepted)\n",
	       plan.runs, plan.seconds / jobs, jobs);
	printf("generations:  at least 2 (the prior, then eps = 0), at most "
	       "%" PRIu64 "\n", s->a->max_gen);
	if (s->a->budget)
		printf("budget:       %" PRIu64 " simulations, about %.0f s\n",
		       s->a->budget, plan.seconds / jobs *
		       (double)s->a->budget / (double)(plan.runs ? plan.runs
								  : 1));
	printf("disk:         about %.1f MB per generation\n",
	       plan.bytes / 1e6);
	return 0;
}

static int calibrate_main(cal_state *s, int argc, char **argv)
{
	int status = read_once(s);
	if (status == CLI_OK)
		status = check_priors(s);
	if (status != CLI_OK)
		return status;
	s->dir = cli_output_dir(s->a->common.output, &s->err,
				"out/%s-calibration", s->model->name);
	int rc = s->dir ? prepare(s) : COH_ENOMEM;
	if (!rc && !s->a->dry_run) {
		double need = (double)s->particles * (double)(3 * s->k +
			s->n_ms + 3 * s->reps + 8) * 8.0 * 3;
		rc = cli_check_memory_for(need, s->a->common.max_memory,
					  "the populations",
					  "use fewer particles or replications",
					  s->a->scenario, &s->err);
	}
	if (!rc && s->a->dry_run)
		return cli_exit_status(dry_run(s, argc, argv));
	if (!rc && check_folder(s) != CLI_OK)
		return CLI_ERROR;
	if (!rc && s->rank == 0)
		rc = coh_output_mkdirs(s->dir, &s->err);
	if (!rc && s->rank == 0) {
		char *pop = coh_output_path(s->dir, "populations");
		rc = pop ? coh_output_mkdirs(pop, &s->err) : nomem(s);
		coh_free(pop);
	}
	cli_signals signals = {0};
	cli_signals_catch(&signals);
	double eps = 1.0;
	for (size_t g = 0; !rc && g < s->a->max_gen && !s->stopped; g++) {
		rc = run_generation(s, g, eps, argc, argv);
		if (rc || s->stopped)
			break;
		if (s->rank == 0)
			rc = write_generation_files(s, g);
		if (eps == 0.0)
			break;
		eps = next_eps(&s->gens[g]);
	}
	cli_signals_restore(&signals);
	if (rc == COH_ECANCEL || (cli_stop_signal && !rc)) {
		if (s->rank == 0)
			fprintf(stderr, "cohesim: interrupted; the finished "
				"particles are in %s/populations/ and "
				"'cohesim calibrate ... --resume -o %s' "
				"finishes the calibration\n", s->dir, s->dir);
		return cli_stopped_status();
	}
	if (!rc && s->n_gens == 0)
		rc = coh_error_set(&s->err, COH_EINPUT, s->a->scenario, 0,
				   "no generation completed: %s",
				   s->stopped ? s->stopped : "no particles");
	if (!rc && s->rank == 0) {
		const cal_generation *last = &s->gens[s->n_gens - 1];
		if (last->eps > 0)
			fprintf(stderr, "cohesim: warning: the last complete "
				"generation has eps %g, not 0: %s; the "
				"posterior is an approximation that lets a "
				"share %g of the milestones' weight be missed\n",
				last->eps, s->stopped ? s->stopped
				: "--max-generations was reached", last->eps);
		rc = write_results(s, argc, argv);
	}
	if (rc && s->rank == 0)
		cli_print_error(&s->err);
	return cli_exit_status(rc);
}

int cli_calibrate(int argc, char **argv, int first)
{
	cal_args a;
	memset(&a, 0, sizeof a);
	int rank = 0;
#ifdef COH_MPI
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
#endif
	int status = cli_common_parse(&a.common, &calibrate_command, &a,
				      argc, argv, first);
	if (status == CLI_OK && !a.scenario)
		status = cli_usage_error("calibrate", "missing SCENARIO");
	/* ten replications per particle unless -r says otherwise: the
	 * scenario's count is meant for a run, not for each particle */
	if (status == CLI_OK && !a.common.have_reps)
		status = cli_common_default_setting(&a.common,
						    DEFAULT_REPLICATIONS);
	if (status == CLI_OK) {
		cal_state s = {.a = &a, .rank = rank};
		status = calibrate_main(&s, argc, argv);
		state_free(&s);
	} else if (status == CLI_HELP_SHOWN) {
		status = CLI_OK;
	}
	cli_common_free(&a.common);
	return status;
}
