/* `cohesim attribute`: what caused what (docs/analysis.md,
 * docs/attribution.md).  Splits the scenario into units (events, types,
 * files or generators), runs the models of the coalitions the method
 * needs on the same stream keys (paired replications), or, for the
 * ledger, replays the engine with its bookkeeping, and writes each unit's
 * effect on every --qoi into attribution.csv, with the figure,
 * manifest.json and a table on stdout.  While it runs, the finished
 * blocks of values go to an append-only checkpoint in the output folder,
 * which --resume continues and a finished run removes; an interruption
 * before the first block leaves no folder behind. */
#include "cli.h"
#include "cohesim/attribute.h"
#include "cohesim/date.h"
#include "cohesim/ledger.h"
#include "cohesim/mc.h"
#include "cohesim/output.h"
#include "cohesim/qoi.h"
#include "cohesim/report.h"
#include "cohesim/sim.h"
#include "checkpoint.h"
#include "cohesim/version.h"
#include "core/alloc.h"
#include "output/sha256.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef COH_MPI
#include <mpi.h>
#endif

static const char attribute_help[] =
	"Usage: cohesim attribute SCENARIO --qoi Q... [OPTIONS]\n"
	"\n"
	"What caused what: splits the scenario into units, removes them from\n"
	"the model and reruns it on the same random numbers (paired\n"
	"replications; every draw is keyed by what it belongs to), and writes\n"
	"each unit's effect on every quantity of interest to attribution.csv\n"
	"(qoi,unit,label,method,effect,ci_lo,ci_hi,pn,pn_lo,pn_hi), the\n"
	"figure's data attribution-bars.csv, the figure, report.html and\n"
	"manifest.json, and a table on stdout, largest |effect| first (docs/attribution.md,\n"
	"docs/analysis.md).\n"
	"\n"
	"Options:\n"
	"      --qoi KIND[:MEMBER]@WHEN\n"
	"                          the quantity to explain (repeatable, at least\n"
	"                          one), as for run, e.g. exited:ARM@end\n"
	"      --by UNIT           event (each timeline event, a request with\n"
	"                          its responses; default), type (all events of\n"
	"                          a type), fragment (the events and generators\n"
	"                          of each file), generator (each generator)\n"
	"      --method M          removal (default): effect = Q(all) - Q(all\n"
	"                          without the unit), with the probability of\n"
	"                          necessity for 0/1 quantities; shapley: values\n"
	"                          that add up to Q(all) - Q(none) in every\n"
	"                          replication, exact up to 10 units; ledger:\n"
	"                          no reruns, the bookkeeping of a member's\n"
	"                          change (--qoi commitment:ID@WHEN) split\n"
	"                          into what each unit's events did to it,\n"
	"                          generated events by type, influence,\n"
	"                          relaxation and adaptation (bookkeeping, not\n"
	"                          causation; one thread)\n"
	"      --permutations N    shapley over N sampled permutations (even:\n"
	"                          each with its reverse) instead of all\n"
	"                          coalitions; needed above 10 units (200 is a\n"
	"                          good start)\n"
	"      --from DATE         ledger: the window starts after DATE's\n"
	"                          events (default: the start); it ends at the\n"
	"                          QoI's day\n"
	"  -o, --output DIR        output folder (default:\n"
	"                          out/<scenario name>-attribute/)\n"
	"  -r, --replications N    replications per coalition (overrides the\n"
	"                          scenario)\n"
	"      --seed S            seed, 0 to 2^63 - 1 (overrides the scenario)\n"
	"  -j, --jobs N            worker threads; the results never depend on it\n"
	"      --set PATH=VALUE    change one setting first (repeatable)\n"
	"      --include-root DIR  folder that @include may not leave\n"
	"      --title TEXT        the figures' title (default: the scenario's)\n"
	"      --plot FORMAT       png (default), svg, pdf, dumb (text on\n"
	"                          stdout) or none: attribution.png, bars\n"
	"                          sorted by |effect| with their intervals, the\n"
	"                          largest 15 and the rest as one bar\n"
	"      --report FORMAT     html (default): report.html, one page with\n"
	"                          the tables of effects and the figure\n"
	"                          inline, to forward; none: no report\n"
	"      --max-memory GB     refuse attributions whose values would take\n"
	"                          more (default: half of this machine's memory)\n"
	"      --resume            finish the attribution interrupted in DIR\n"
	"                          (its finished groups of coalitions, or the\n"
	"                          ledger's replications, are kept in\n"
	"                          attribution.checkpoint as they finish),\n"
	"                          to the bytes of an uninterrupted run\n"
	"      --dry-run           print the runs, an estimated time, disk and\n"
	"                          memory, and write nothing\n"
	"  -q, --quiet             no progress and no table\n"
	"  -h, --help              show this help\n"
	"\n"
	"In the MPI build, under mpirun, rank 0 hands out the groups of\n"
	"coalitions to the other ranks and writes the files: the same bytes\n"
	"as one process (the ledger and --dry-run run on rank 0 alone).\n";

enum { OPT_BY = 1, OPT_METHOD, OPT_PERMUTATIONS, OPT_FROM, OPT_RESUME,
       OPT_DRY, OPT_REPORT };

static const cli_option attribute_options[] = {
	{"by", 0, 1, OPT_BY},
	{"method", 0, 1, OPT_METHOD},
	{"permutations", 0, 1, OPT_PERMUTATIONS},
	{"from", 0, 1, OPT_FROM},
	{"resume", 0, 0, OPT_RESUME},
	{"dry-run", 0, 0, OPT_DRY},
	{"report", 0, 1, OPT_REPORT},
	{NULL, 0, 0, 0},
};

typedef struct attr_args {
	cli_common_opts common;
	const char *scenario;
	coh_attr_by by;
	coh_attr_method method;
	uint64_t permutations;  /* 0: not given */
	const char *from;       /* --from DATE (ledger), or NULL */
	int resume, dry_run;
	int no_report;          /* --report none */
} attr_args;

static int take_arg(void *ctx, int id, const char *v)
{
	attr_args *a = ctx;
	int k;
	switch (id) {
	case CLI_NEXT_POSITIONAL:
		if (a->scenario)
			return cli_usage_error("attribute", "expected one "
					       "SCENARIO, got '%s' and '%s'",
					       a->scenario, v);
		a->scenario = v;
		return CLI_OK;
	case OPT_BY:
		if ((k = coh_attr_by_lookup(v)) < 0)
			return cli_usage_error("attribute", "--by expects "
					       "event, type, fragment or "
					       "generator, got \"%s\"", v);
		a->by = (coh_attr_by)k;
		return CLI_OK;
	case OPT_METHOD:
		if ((k = coh_attr_method_lookup(v)) < 0)
			return cli_usage_error("attribute", "--method expects "
					       "removal, shapley or ledger, got "
					       "\"%s\"", v);
		a->method = (coh_attr_method)k;
		return CLI_OK;
	case OPT_FROM:
		a->from = v;
		return CLI_OK;
	case OPT_RESUME:
		a->resume = 1;
		return CLI_OK;
	case OPT_DRY:
		a->dry_run = 1;
		return CLI_OK;
	case OPT_REPORT:
		return cli_opt_report("attribute", v, &a->no_report);
	default: /* OPT_PERMUTATIONS */
		if (cli_parse_uint(&a->permutations, v, 2) != 0 ||
		    a->permutations % 2 != 0 || a->permutations > 1000000)
			return cli_usage_error("attribute", "--permutations "
					       "expects an even number from 2 "
					       "to 1000000 (each permutation "
					       "comes with its reverse), got "
					       "\"%s\"", v);
		return CLI_OK;
	}
}

static const cli_command_args attribute_command = {
	"attribute", attribute_help, attribute_options, take_arg, 1,
};

/* The coalitions run together in one pass of the runner. */
#define GROUP 8

/* Everything one attribution holds; released by attr_state_free. */
typedef struct attr_state {
	const attr_args *a;
	const coh_scenario *sc;
	const coh_model *model;
	coh_qoi_set *qoi;
	coh_attr_units *units;
	coh_attr_plan *plan;
	size_t n_units, n_coalitions, n_qoi;
	uint64_t reps;
	size_t n_workers;
	/* values[(q * reps + r) * n_coalitions + c]: QoI q in replication r
	 * of coalition c */
	double *values;
	size_t group_first;     /* coalition of the running group's model 0 */
	double *scratch;        /* n_qoi */
	/* --method ledger: ledger[(q * reps + r) * n_cols + col], the parts
	 * of QoI q's change in replication r by column (the units, then
	 * L_X_COUNT others, then the change itself); the parts shown are
	 * the columns cols[0 .. n_parts - 1] (the units, and the others any
	 * replication used or that are always shown) */
	double *ledger;
	size_t n_cols;
	size_t *cols;
	double from;            /* the ledger window's start, -inf: none */
	/* the rows that are parts of the total (sorted in the table and the
	 * figure): the units, plus the ledger's other causes */
	size_t n_parts;
	coh_ledger **ledgers;   /* --method ledger: one per QoI */
	cli_checkpoint *checkpoint;
	uint64_t done;          /* blocks whose values are in (run_all) */
	char *created;          /* the folder this run made (cli_mkdirs) */
	int rank;               /* this process's MPI rank (0 without MPI) */
	int ranks;              /* MPI ranks sharing the groups (1: none) */
	cli_progress progress;
	uint64_t progress_done; /* replications of the groups finished */
	double wall;
	char *dir;
	coh_error err;
} attr_state;

static int take_group(void *ctx, const coh_trace *const *traces,
		      size_t n_models)
{
	attr_state *s = ctx;
	uint64_t r = traces[0]->replication;
	for (size_t m = 0; m < n_models; m++) {
		int rc = coh_qoi_set_values(s->qoi, traces[m], s->scratch,
					    &s->err);
		if (rc)
			return rc;
		for (size_t q = 0; q < s->n_qoi; q++)
			s->values[(q * s->reps + r) * s->n_coalitions +
				  s->group_first + m] = s->scratch[q];
	}
	return 0;
}

static void group_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)total;
	attr_state *s = ctx;
	cli_progress_update(&s->progress, s->progress_done + done);
}

/* Runs every replication of the models of group g's coalitions (GROUP
 * of them, the last group fewer) together, on the same keys, so that all
 * coalitions are paired.  A group is the unit of work a checkpoint keeps:
 * each call of the runner sets up a workspace per model and worker, so
 * the groups run every replication at once. */
static int run_group(attr_state *s, size_t g)
{
	size_t n_reads;
	const double *reads = coh_qoi_set_read_days(s->qoi, &n_reads);
	coh_model models[GROUP];
	const coh_model *ptrs[GROUP];
	size_t c0 = g * GROUP, n = 0;
	int rc = 0;
	memset(models, 0, sizeof models);
	for (; n < GROUP && c0 + n < s->n_coalitions && !rc; n++) {
		rc = coh_attr_model(&models[n], s->units,
				    coh_attr_plan_keep(s->plan, c0 + n),
				    &s->err);
		ptrs[n] = &models[n];
	}
	if (!rc) {
		s->group_first = c0;
		coh_mc_options mo = {
			.seed = s->model->seed,
			.replications = s->reps,
			.threads = (int)s->n_workers,
			.read_days = reads, .n_read_days = n_reads,
			.progress = group_progress, .progress_ctx = s,
			.stop = &cli_stop_signal,
		};
		rc = coh_mc_run(ptrs, n, &mo, take_group, s, NULL, &s->err);
	}
	for (size_t m = 0; m < GROUP; m++)
		coh_attr_model_release(&models[m]);
	s->progress_done += s->reps;
	return rc;
}

/*--- The ledger (--method ledger) ---------------------------------------*/

/* The ledger's columns after the units: one per generated type, then
 * timeline events that no unit holds, influence, relaxation and
 * adaptation; the change comes last. */
enum { L_GENERATED = 0, L_OTHER = COH_EV__COUNT, L_INFLUENCE, L_RELAXATION,
       L_ADAPTATION, L_X_COUNT };

/* Column col's unit name and label (col >= n_units); names of generated
 * types are made into buf. */
static void ledger_col_text(const attr_state *s, size_t col, char *buf,
			    size_t size, const char **unit,
			    const char **label)
{
	size_t x = col - s->n_units;
	if (x < L_OTHER) {
		snprintf(buf, size, "(generated %s)",
			 coh_event_type_name((coh_event_type)x));
		*unit = buf;
		*label = "every generated event of the type, its direct "
			 "impact and spillover";
		return;
	}
	static const char *const names[][2] = {
		{"(other events)", "timeline events in no unit"},
		{"influence", "summit and consultation rounds"},
		{"relaxation", "drift toward the baseline between events"},
		{"adaptation", "the baseline's own move"},
	};
	*unit = names[x - L_OTHER][0];
	*label = names[x - L_OTHER][1];
	/* generated events of the scenario's own types are booked there
	 * too: the columns of generated types are the built-in ones */
	if (x == L_OTHER && s->model->n_user_kinds)
		*label = "timeline events in no unit, and generated events "
			 "of the scenario's own types";
}

/* Books the last replication's parts of ledger l into row v. */
static void ledger_take(const attr_state *s, const coh_ledger *l, double *v)
{
	const coh_model *m = s->model;
	for (size_t c = 0; c < s->n_cols; c++)
		v[c] = 0;
	static const coh_ledger_cause hits[] = {COH_LEDGER_DIRECT,
						COH_LEDGER_SPILLOVER};
	for (size_t k = 0; k < m->n_events; k++) {
		long u = coh_attr_unit_of_event(s->units, k);
		size_t col = u >= 0 ? (size_t)u : s->n_units + L_OTHER;
		for (size_t h = 0; h < 2; h++)
			v[col] += coh_ledger_last_part(l, hits[h], (long)k,
						       m->events[k].type);
	}
	for (int t = 0; t < COH_EV__COUNT; t++)
		for (size_t h = 0; h < 2; h++)
			v[s->n_units + L_GENERATED + (size_t)t] +=
				coh_ledger_last_part(l, hits[h], -1,
						     (coh_event_type)t);
	for (size_t k = 0; k < m->n_user_kinds; k++)
		for (size_t h = 0; h < 2; h++)
			v[s->n_units + L_OTHER] +=
				coh_ledger_last_part(l, hits[h], -1,
						     COH_EV_USER(k));
	v[s->n_units + L_INFLUENCE] =
		coh_ledger_last_part(l, COH_LEDGER_INFLUENCE, -1, COH_EV_SET);
	v[s->n_units + L_RELAXATION] =
		coh_ledger_last_part(l, COH_LEDGER_RELAXATION, -1, COH_EV_SET);
	v[s->n_units + L_ADAPTATION] =
		coh_ledger_last_part(l, COH_LEDGER_ADAPTATION, -1, COH_EV_SET);
	v[s->n_cols - 1] = coh_ledger_last_change(l);
}

/* Runs replications first .. first + count - 1 of the ledger of each
 * QoI's member over (from, the QoI's day], one after another in
 * replication order (one thread: the ledger replays the engine with its
 * bookkeeping on). */
static int run_chunk_ledgers(attr_state *s, uint64_t first, uint64_t count)
{
	int rc = 0;
	for (uint64_t r = first; r < first + count && !rc; r++) {
		if (cli_stop_signal)
			return COH_ECANCEL;
		for (size_t q = 0; q < s->n_qoi && !rc; q++) {
			coh_ledger *l = s->ledgers[q];
			rc = coh_ledger_run(l, s->model->seed, 0, r, 1,
					    &s->err);
			if (!rc)
				ledger_take(s, l, &s->ledger[(q * s->reps + r) *
							     s->n_cols]);
		}
		s->progress_done += s->n_qoi;
		cli_progress_update(&s->progress, s->progress_done);
	}
	return rc;
}

/* The ledger's columns shown: every unit, the generated types and other
 * events that moved the member in some replication of some QoI, and
 * influence, relaxation and adaptation always. */
static void ledger_columns(attr_state *s)
{
	s->n_parts = 0;
	for (size_t c = 0; c + 1 < s->n_cols; c++) {
		int show = c < s->n_units || c >= s->n_units + L_INFLUENCE;
		for (size_t i = 0; !show && i < s->n_qoi * s->reps; i++)
			show = s->ledger[i * s->n_cols + c] != 0;
		if (show)
			s->cols[s->n_parts++] = c;
	}
}

/*--- Checkpoints and the whole run --------------------------------------*/

/* The checkpoint in the output folder while an attribution runs: after
 * a header that names the run, one record per finished block, its index
 * and then its values.  A block of removal or shapley is a group of
 * coalitions: every QoI's values of its GROUP coalitions (zeros past the
 * last) in every replication; a block of the ledger is a replication:
 * every QoI's columns. */
#define CHECKPOINT "attribution.checkpoint"

static int is_ledger(const attr_state *s)
{
	return s->a->method == COH_ATTR_LEDGER;
}

static uint64_t n_blocks(const attr_state *s)
{
	return is_ledger(s) ? s->reps : (s->n_coalitions + GROUP - 1) / GROUP;
}

static size_t record_size(const attr_state *s)
{
	size_t values = is_ledger(s) ? s->n_qoi * s->n_cols
				     : s->n_qoi * (size_t)s->reps * GROUP;
	return sizeof(uint64_t) + values * sizeof(double);
}

/* The checkpoint's header: a SHA-256 of everything the values depend
 * on, the resolved scenario (seed, replications, every --set) and the
 * options, so that a resume continues only the run it belongs to. */
static int checkpoint_header(attr_state *s, char *out, size_t size)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	if (!fp)
		return coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	coh_error err = {0};
	int rc = coh_scenario_write_resolved(s->sc, fp, &err);
	fprintf(fp, "\nversion %s\nmethod %s\nby %s\npermutations %" PRIu64
		"\nfrom %s\nseed %" PRIu64 "\nreplications %" PRIu64
		"\nunits %zu\ncoalitions %zu\ndouble %zu\n", COH_VERSION,
		coh_attr_method_name(s->a->method), coh_attr_by_name(s->a->by),
		s->a->permutations, s->a->from ? s->a->from : "-",
		s->model->seed, s->reps, s->n_units, s->n_coalitions,
		sizeof(double));
	for (size_t q = 0; q < s->n_qoi; q++)
		fprintf(fp, "qoi %s\n", coh_qoi_set_get(s->qoi, q)->text);
	if (fclose(fp) || rc) {
		free(text);
		return coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	}
	coh_sha256 ctx;
	unsigned char digest[32];
	char hex[65];
	coh_sha256_init(&ctx);
	coh_sha256_update(&ctx, text, len);
	coh_sha256_final(&ctx, digest);
	coh_sha256_hex(hex, digest);
	free(text);
	snprintf(out, size, "cohesim attribute checkpoint 1 %s", hex);
	return 0;
}

/* The ledger's replications per append: about 20 appends in all. */
static uint64_t chunk_size(const attr_state *s)
{
	if (!is_ledger(s))
		return 1;
	uint64_t c = s->reps / 20;
	return c < 8 ? 8 : c;
}

/* Where value i of block b's record lives in values, or NULL (a
 * coalition past the last). */
static double *block_value(attr_state *s, uint64_t b, size_t i)
{
	if (is_ledger(s)) {
		size_t q = i / s->n_cols, col = i % s->n_cols;
		return &s->values[(q * s->reps + b) * s->n_cols + col];
	}
	size_t m = i % GROUP, rest = i / GROUP;
	uint64_t r = rest % s->reps;
	size_t q = rest / (size_t)s->reps, c = (size_t)b * GROUP + m;
	if (c >= s->n_coalitions)
		return NULL;
	return &s->values[(q * s->reps + r) * s->n_coalitions + c];
}

/* Puts block b's values into a record, or back. */
static void record_pack(attr_state *s, uint64_t b, unsigned char *rec)
{
	size_t n = (record_size(s) - sizeof b) / sizeof(double);
	memcpy(rec, &b, sizeof b);
	for (size_t i = 0; i < n; i++) {
		const double *v = block_value(s, b, i);
		double x = v ? *v : 0.0;
		memcpy(rec + sizeof b + i * sizeof x, &x, sizeof x);
	}
}

static int record_unpack(attr_state *s, uint64_t b, const unsigned char *rec)
{
	uint64_t got;
	memcpy(&got, rec, sizeof got);
	if (got != b)
		return -1;
	size_t n = (record_size(s) - sizeof b) / sizeof(double);
	for (size_t i = 0; i < n; i++) {
		double *v = block_value(s, b, i);
		if (v)
			memcpy(v, rec + sizeof b + i * sizeof *v, sizeof *v);
	}
	return 0;
}

/* The blocks the checkpoint holds, back into values. */
static int checkpoint_load(attr_state *s, unsigned char *buf, uint64_t *done)
{
	uint64_t have = cli_checkpoint_count(s->checkpoint);
	if (have > n_blocks(s))
		have = n_blocks(s); /* cannot happen: the header names reps */
	for (uint64_t b = 0; b < have; b++) {
		if (cli_checkpoint_read(s->checkpoint, b, 1, buf, &s->err))
			return s->err.code;
		if (record_unpack(s, b, buf))
			return coh_error_set(&s->err, COH_EINPUT, CHECKPOINT, 0,
					     "block %" PRIu64 " is not where "
					     "it belongs", b);
	}
	*done = have;
	return 0;
}

/*--- Over MPI ranks -------------------------------------------------------*/

#ifdef COH_MPI
/* As for sweeps (src/sweep/mpi.c): rank 0 hands out groups of coalitions
 * one at a time, the other ranks run every replication of theirs and send
 * back the group's record, and rank 0 appends the records to the
 * checkpoint strictly in group order, so the files are the bytes of a
 * single process. */
enum { TAG_WORK = 1, TAG_STOP, TAG_HEAD, TAG_BLOCK, TAG_ERROR };

typedef struct mpi_head {
	unsigned long long block;
	long long rc;
	unsigned long long error_len;
} mpi_head;

static void mpi_worker(attr_state *s)
{
	size_t rs = record_size(s);
	unsigned char *buf = coh_calloc(1, rs);
	cli_progress_start(&s->progress, 1, 1);
	for (;;) {
		unsigned long long g;
		MPI_Status st;
		MPI_Recv(&g, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_ANY_TAG,
			 MPI_COMM_WORLD, &st);
		if (st.MPI_TAG == TAG_STOP)
			break;
		int rc = buf ? run_group(s, (size_t)g)
			     : coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
					     "out of memory");
		char msg[1200] = "";
		if (rc)
			coh_error_format(&s->err, msg, sizeof msg);
		mpi_head h = {g, rc, strlen(msg)};
		MPI_Send(&h, sizeof h, MPI_BYTE, 0, TAG_HEAD, MPI_COMM_WORLD);
		if (rc) {
			MPI_Send(msg, (int)h.error_len, MPI_CHAR, 0, TAG_ERROR,
				 MPI_COMM_WORLD);
		} else {
			record_pack(s, g, buf);
			MPI_Send(buf, (int)rs, MPI_BYTE, 0, TAG_BLOCK,
				 MPI_COMM_WORLD);
		}
	}
	coh_free(buf);
}

/* Rank 0's part: the groups from `done` on; buf holds one record. */
static int mpi_coordinate(attr_state *s, uint64_t done, unsigned char *buf)
{
	uint64_t blocks = n_blocks(s), next = done, written = done;
	size_t rs = record_size(s);
	unsigned char *have = coh_calloc((size_t)blocks, 1);
	int rc = have ? 0 : coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
					  "out of memory");
	int busy = 0;
	for (int w = 1; w < s->ranks; w++)
		if (!rc && next < blocks && !cli_stop_signal) {
			unsigned long long g = next++;
			MPI_Send(&g, 1, MPI_UNSIGNED_LONG_LONG, w, TAG_WORK,
				 MPI_COMM_WORLD);
			busy++;
		}
	while (busy > 0) {
		mpi_head h;
		MPI_Status st;
		MPI_Recv(&h, sizeof h, MPI_BYTE, MPI_ANY_SOURCE, TAG_HEAD,
			 MPI_COMM_WORLD, &st);
		int from = st.MPI_SOURCE;
		busy--;
		if (h.rc) {
			char msg[1200];
			MPI_Recv(msg, (int)h.error_len, MPI_CHAR, from,
				 TAG_ERROR, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			msg[h.error_len < sizeof msg ? h.error_len
						     : sizeof msg - 1] = '\0';
			if (!rc && h.rc == COH_ECANCEL)
				rc = COH_ECANCEL;
			else if (!rc)
				rc = coh_error_set(&s->err, (int)h.rc, NULL, 0,
						   "rank %d: %s", from, msg);
		} else {
			MPI_Recv(buf, (int)rs, MPI_BYTE, from, TAG_BLOCK,
				 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			if (h.block >= blocks || record_unpack(s, h.block, buf)) {
				if (!rc)
					rc = coh_error_set(&s->err, COH_EINPUT,
							   NULL, 0, "rank %d sent "
							   "a block out of place",
							   from);
			} else {
				have[h.block] = 1;
			}
		}
		while (!rc && written < blocks && have[written]) {
			record_pack(s, written, buf);
			rc = cli_checkpoint_append(s->checkpoint, buf, 1,
						   &s->err);
			if (!rc) {
				s->done = ++written;
				cli_progress_update(&s->progress,
						    written * s->reps);
			}
		}
		if (!rc && next < blocks && !cli_stop_signal) {
			unsigned long long g = next++;
			MPI_Send(&g, 1, MPI_UNSIGNED_LONG_LONG, from, TAG_WORK,
				 MPI_COMM_WORLD);
			busy++;
		}
	}
	coh_free(have);
	if (!rc && written < blocks)
		rc = COH_ECANCEL;
	return rc;
}

/* Sends every worker home. */
static void mpi_stop_workers(const attr_state *s)
{
	for (int w = 1; w < s->ranks; w++) {
		unsigned long long zero = 0;
		MPI_Send(&zero, 1, MPI_UNSIGNED_LONG_LONG, w, TAG_STOP,
			 MPI_COMM_WORLD);
	}
}
#endif

/* Runs the blocks the checkpoint does not hold yet, appending each (the
 * ledger's replications a chunk at a time) to the checkpoint once it is
 * complete.  COH_ECANCEL when a signal stopped it. */
static int run_all(attr_state *s)
{
	uint64_t chunk = chunk_size(s), done = 0, blocks = n_blocks(s);
	unsigned char *buf = coh_calloc((size_t)chunk, record_size(s));
	if (!buf)
		return coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	int ledger = is_ledger(s);
	int rc = checkpoint_load(s, buf, &done);
	s->done = done;
	for (size_t q = 0; q < s->n_qoi && ledger && !rc; q++) {
		const coh_qoi *qi = coh_qoi_set_get(s->qoi, q);
		rc = coh_ledger_alloc(&s->ledgers[q], s->model, qi->member,
				      s->from, qi->day, &s->err);
	}
	/* progress counts ledger replays, or replications of groups */
	uint64_t step = ledger ? s->n_qoi : s->reps;
	cli_signals signals;
	cli_signals_catch(&signals);
	cli_progress_start(&s->progress, blocks * step, s->a->common.quiet);
	s->progress_done = done * step;
	cli_progress_update(&s->progress, s->progress_done);
#ifdef COH_MPI
	if (!rc && s->ranks > 1) {
		rc = mpi_coordinate(s, done, buf);
		done = blocks;  /* nothing left for this rank to run */
	}
#endif
	for (uint64_t first = done; first < blocks && !rc; first += chunk) {
		uint64_t n = blocks - first < chunk ? blocks - first : chunk;
		rc = ledger ? run_chunk_ledgers(s, first, n)
			    : run_group(s, (size_t)first);
		if (!rc && cli_stop_signal)
			rc = COH_ECANCEL;
		for (uint64_t i = 0; i < n && !rc; i++)
			record_pack(s, first + i, buf + i * record_size(s));
		if (!rc)
			rc = cli_checkpoint_append(s->checkpoint, buf,
						   (size_t)n, &s->err);
		if (!rc)
			s->done = first + n;
	}
	cli_progress_finish(&s->progress);
	s->wall = cli_progress_elapsed(&s->progress);
	cli_signals_restore(&signals);
	coh_free(buf);
	if (!rc && ledger)
		ledger_columns(s);
	return rc;
}

/* The parts of QoI q's total in replication r into per_part[0 ..
 * n_parts - 1], and the total; 0 when the replication has them all, -1
 * when it is skipped (a coalition's value is NaN). */
static int part_values(const attr_state *s, size_t q, uint64_t r,
		       double *per_part, double *total)
{
	if (s->a->method == COH_ATTR_LEDGER) {
		const double *v = &s->ledger[(q * s->reps + r) * s->n_cols];
		for (size_t p = 0; p < s->n_parts; p++)
			per_part[p] = v[s->cols[p]];
		*total = v[s->n_cols - 1];
		return 0;
	}
	const double *v = &s->values[(q * s->reps + r) * s->n_coalitions];
	for (size_t c = 0; c < s->n_coalitions; c++)
		if (isnan(v[c]))
			return -1;
	coh_attr_plan_values(s->plan, v, per_part, total);
	return 0;
}

/* One table row as the terminal shows it. */
static void print_row(int width, const char *unit,
		      const coh_attr_estimate *e, int with_pn,
		      const char *label)
{
	char effect[32] = "-", interval[64] = "-", pn[96] = "";
	if (!isnan(e->effect))
		snprintf(effect, sizeof effect, "%.6g", e->effect);
	if (!isnan(e->ci_lo))
		snprintf(interval, sizeof interval, "[%.4g, %.4g]", e->ci_lo,
			 e->ci_hi);
	if (with_pn && e->pn_n > 0)
		snprintf(pn, sizeof pn, "%.3f [%.3f, %.3f] (%" PRIu64 "/%"
			 PRIu64 ")", e->pn, e->pn_lo, e->pn_hi, e->pn_k,
			 e->pn_n);
	else if (with_pn)
		snprintf(pn, sizeof pn, "-");
	printf("  %-*s %12s  %-24s", width, unit, effect, interval);
	if (with_pn)
		printf("  %-32s", pn);
	printf("  %s\n", label ? label : "");
}

/* Whether row a goes before row b: larger |effect| first (undefined
 * last), then the units' order. */
static int goes_before(const coh_report_attr_row *r, size_t a, size_t b)
{
	double ea = fabs(r[a].e.effect), eb = fabs(r[b].e.effect);
	if (isnan(ea))
		ea = -1;
	if (isnan(eb))
		eb = -1;
	return ea != eb ? ea > eb : a < b;
}

/* order[0 .. n - 1] sorted by goes_before (insertion sort: stable, and
 * the tables are short) */
static void sort_by_size(size_t *order, size_t n,
			 const coh_report_attr_row *r)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = 1; i < n; i++) {
		size_t x = order[i], j = i;
		for (; j > 0 && goes_before(r, x, order[j - 1]); j--)
			order[j] = order[j - 1];
		order[j] = x;
	}
}

static void print_table(const attr_state *s, const coh_report_attr_row *rows,
			size_t per_qoi)
{
	size_t *order = coh_calloc(s->n_parts, sizeof *order);
	if (!order)
		return;
	for (size_t q = 0; q < s->n_qoi; q++) {
		const coh_report_attr_row *r = &rows[q * per_qoi];
		int with_pn = r[0].with_pn;
		printf("%s%s by %s, %s, %" PRIu64 " replications\n",
		       q ? "\n" : "", r[0].qoi, coh_attr_by_name(s->a->by),
		       r[0].method, r[0].e.n);
		int width = 14; /* "(interactions)" */
		for (size_t u = 0; u < s->n_parts; u++)
			if ((int)strlen(r[u].unit) > width)
				width = (int)strlen(r[u].unit);
		printf("  %-*s %12s  %-24s", width, "unit", "effect",
		       "95% interval");
		if (with_pn)
			printf("  %-32s", "PN (95% interval)");
		printf("  label\n");
		sort_by_size(order, s->n_parts, r);
		for (size_t u = 0; u < s->n_parts; u++)
			print_row(width, r[order[u]].unit, &r[order[u]].e,
				  with_pn, r[order[u]].label);
		for (size_t k = s->n_parts; k < per_qoi; k++)
			print_row(width, r[k].unit, &r[k].e, 0, r[k].label);
	}
	coh_free(order);
	fflush(stdout);
}

/* The figure shows the largest BARS units of each QoI, the rest as one
 * bar. */
#define BARS 15

/* The figure's rows: per QoI the units sorted by |effect|, the largest
 * BARS, then "(N others)", whose effect and interval come from the sum of
 * the others' values in each replication.  others holds room for a name
 * per QoI. */
static int bar_rows(const attr_state *s, const coh_report_attr_row *rows,
		    size_t per_qoi, coh_report_attr_row *bars, size_t *n_bars,
		    char (*others)[32])
{
	size_t n = s->n_parts;
	size_t *order = coh_calloc(n, sizeof *order);
	unsigned char *rest = coh_calloc(n, 1);
	double *per_unit = coh_calloc(n, sizeof *per_unit);
	int rc = order && rest && per_unit ? 0 : COH_ENOMEM;
	*n_bars = 0;
	for (size_t q = 0; q < s->n_qoi && !rc; q++) {
		const coh_report_attr_row *r = &rows[q * per_qoi];
		sort_by_size(order, n, r);
		/* the figure labels an event by what it was, the other
		 * units by their names */
		for (size_t k = 0; k < n && k < BARS; k++) {
			bars[*n_bars] = r[order[k]];
			if (s->a->by != COH_ATTR_EVENT)
				bars[*n_bars].label = r[order[k]].unit;
			(*n_bars)++;
		}
		if (n <= BARS)
			continue;
		memset(rest, 0, n);
		for (size_t k = BARS; k < n; k++)
			rest[order[k]] = 1;
		coh_qoi_acc acc = {0};
		for (uint64_t i = 0; i < s->reps; i++) {
			double total, sum = 0;
			if (part_values(s, q, i, per_unit, &total))
				continue;
			for (size_t u = 0; u < n; u++)
				if (rest[u])
					sum += per_unit[u];
			coh_qoi_acc_add(&acc, sum);
		}
		coh_qoi_estimate e = coh_qoi_acc_estimate(&acc, 0);
		snprintf(others[q], sizeof others[q], "(%zu others)",
			 n - BARS);
		bars[(*n_bars)++] = (coh_report_attr_row){
			r[0].qoi, others[q], others[q], r[0].method,
			{.n = e.n, .effect = e.estimate, .ci_lo = e.ci_lo,
			 .ci_hi = e.ci_hi, .pn = NAN}, 0};
	}
	coh_free(order);
	coh_free(rest);
	coh_free(per_unit);
	return rc;
}

/* The figure's title, and the report's: it names the method and the
 * units. */
static const char *figure_title(const attr_state *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s: %s by %s%s",
		 cli_figure_title(&s->a->common, s->model),
		 coh_attr_method_name(s->a->method),
		 coh_attr_by_name(s->a->by),
		 s->a->method == COH_ATTR_LEDGER
		 ? " (bookkeeping, not causation)" : "");
	return buf;
}

/* report.html after the manifest (the page reads it), or with --report
 * none no report, and an earlier one removed. */
static int write_report(attr_state *s)
{
	if (s->a->no_report)
		return cli_remove_stale(s->dir, "report.html", &s->err);
	const char **qois = coh_calloc(s->n_qoi, sizeof *qois);
	if (!qois)
		return coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	for (size_t q = 0; q < s->n_qoi; q++)
		qois[q] = coh_qoi_set_get(s->qoi, q)->text;
	char title[256];
	coh_model titled = *s->model;
	titled.title = figure_title(s, title, sizeof title);
	cli_folder_report report = {
		.dir = s->dir, .kind = CLI_FOLDER_ATTRIBUTE,
		.title = cli_figure_title(&s->a->common, s->model),
		.model = &titled,
		.figure = "attribution.gp", .axes = qois, .n_axes = s->n_qoi,
	};
	int rc = cli_report_folder(&report, NULL, &s->err);
	coh_free(qois);
	return rc;
}

/* attribution-bars.csv and, unless --plot none, the figure; the files
 * written are appended to files[*n_files]. */
static int write_figure(attr_state *s, const coh_report_attr_row *rows,
			size_t per_qoi, const char **files, size_t *n_files,
			char ***plot_files, size_t *n_plot_files)
{
	size_t cap = s->n_qoi * (BARS + 1);
	coh_report_attr_row *bars = coh_calloc(cap, sizeof *bars);
	char (*others)[32] = coh_calloc(s->n_qoi, sizeof *others);
	const char **qois = coh_calloc(s->n_qoi, sizeof *qois);
	size_t n_bars = 0;
	int rc = bars && others && qois
		 ? bar_rows(s, rows, per_qoi, bars, &n_bars, others)
		 : COH_ENOMEM;
	if (rc)
		coh_error_set(&s->err, COH_ENOMEM, NULL, 0, "out of memory");
	if (!rc)
		rc = coh_report_attribution_bars(s->dir, bars, n_bars,
						 &s->err);
	if (!rc)
		files[(*n_files)++] = "attribution-bars.csv";
	coh_plot_format format = s->a->common.plot;
	if (!rc && format != COH_PLOT_NONE) {
		/* its panels, one per QoI, are the plot's axes */
		char title[256];
		coh_model titled = *s->model;
		titled.title = figure_title(s, title, sizeof title);
		for (size_t q = 0; q < s->n_qoi; q++)
			qois[q] = coh_qoi_set_get(s->qoi, q)->text;
		static const char *const figures[] = {"attribution.gp"};
		if (format == COH_PLOT_DUMB)
			fflush(stdout);
		rc = cli_draw(s->dir, &titled, figures, 1, qois, s->n_qoi,
			      format, plot_files, n_plot_files, &s->err);
	}
	coh_free(bars);
	coh_free(others);
	coh_free(qois);
	return rc;
}

/* The rows of QoI q under --method ledger: each part's mean over the
 * replications with its 95% t interval, then (total), the mean change.
 * names holds room for the parts' names. */
static void ledger_rows(const attr_state *s, size_t q,
			coh_report_attr_row *row, char (*names)[48])
{
	const coh_qoi *qi = coh_qoi_set_get(s->qoi, q);
	for (size_t p = 0; p <= s->n_parts; p++) {
		size_t col = p < s->n_parts ? s->cols[p] : s->n_cols - 1;
		coh_qoi_acc acc = {0};
		for (uint64_t r = 0; r < s->reps; r++)
			coh_qoi_acc_add(&acc, s->ledger[(q * s->reps + r) *
							s->n_cols + col]);
		coh_qoi_estimate e = coh_qoi_acc_estimate(&acc, 0);
		const char *unit = "(total)";
		const char *label = "the change over the window";
		if (col < s->n_units) {
			unit = coh_attr_unit_name(s->units, col);
			label = coh_attr_unit_label(s->units, col);
		} else if (p < s->n_parts) {
			ledger_col_text(s, col, names[p], sizeof names[p],
					&unit, &label);
		}
		row[p] = (coh_report_attr_row){
			qi->text, unit, label, "ledger",
			{.n = e.n, .effect = e.estimate, .ci_lo = e.ci_lo,
			 .ci_hi = e.ci_hi, .pn = NAN}, 0};
	}
}

/* The estimates, attribution.csv, the table, the figure, the resolved
 * scenario, manifest.json and report.html, which reads it. */
static int write_results(attr_state *s, int argc, char **argv)
{
	int removal = s->a->method == COH_ATTR_REMOVAL;
	int ledger = s->a->method == COH_ATTR_LEDGER;
	size_t per_qoi = s->n_parts + 1 + (size_t)removal;
	size_t n_rows = per_qoi * s->n_qoi;
	coh_report_attr_row *rows = coh_calloc(n_rows, sizeof *rows);
	coh_attr_acc **accs = coh_calloc(s->n_qoi, sizeof(coh_attr_acc *));
	char (*names)[48] = coh_calloc(s->n_parts + 1, sizeof *names);
	char *created = NULL;
	char **plot_files = NULL;
	size_t n_plot_files = 0;
	const char *files[4];
	size_t n_files = 0;
	const char **all = NULL;
	int rc = rows && accs && names ? 0
	       : coh_error_set(&s->err, COH_ENOMEM, NULL, 0, "out of memory");
	const char *method = coh_attr_method_name(s->a->method);
	for (size_t q = 0; q < s->n_qoi && !rc && ledger; q++)
		ledger_rows(s, q, &rows[q * per_qoi], names);
	for (size_t q = 0; q < s->n_qoi && !rc && !ledger; q++) {
		const coh_qoi *qi = coh_qoi_set_get(s->qoi, q);
		rc = coh_attr_acc_alloc(&accs[q], s->plan, qi->indicator,
					&s->err);
		for (uint64_t r = 0; r < s->reps && !rc; r++)
			coh_attr_acc_add(accs[q], &s->values[(q * s->reps + r) *
							    s->n_coalitions]);
		if (!rc)
			rc = coh_attr_acc_bootstrap(accs[q], s->model->seed,
						    &s->err);
		coh_report_attr_row *row = &rows[q * per_qoi];
		for (size_t u = 0; u < s->n_units && !rc; u++)
			row[u] = (coh_report_attr_row){
				qi->text, coh_attr_unit_name(s->units, u),
				coh_attr_unit_label(s->units, u), method,
				coh_attr_acc_unit(accs[q], u),
				qi->indicator && removal};
		if (rc)
			break;
		row[s->n_units] = (coh_report_attr_row){
			qi->text, "(total)", "Q(all) - Q(none)", method,
			coh_attr_acc_total(accs[q]), 0};
		if (removal)
			row[s->n_units + 1] = (coh_report_attr_row){
				qi->text, "(interactions)",
				"total minus the sum of the effects", method,
				coh_attr_acc_rest(accs[q]), 0};
	}
	if (!rc)
		rc = cli_mkdirs(s->dir, &created, &s->err);
	if (!rc)
		rc = coh_report_attribution(s->dir, rows, n_rows, &s->err);
	if (!rc)
		files[n_files++] = "attribution.csv";
	if (!rc && !s->a->common.quiet)
		print_table(s, rows, per_qoi);
	if (!rc)
		rc = write_figure(s, rows, per_qoi, files, &n_files,
				  &plot_files, &n_plot_files);
	if (!rc)
		rc = cli_write_resolved(s->dir, s->sc, &s->err);
	if (!rc) {
		files[n_files++] = "scenario.resolved.cfg";
		all = coh_calloc(n_files + n_plot_files + 1, sizeof *all);
		if (!all)
			rc = coh_error_set(&s->err, COH_ENOMEM, NULL, 0,
					   "out of memory");
	}
	size_t n_all = 0;
	if (!rc) {
		for (size_t i = 0; i < n_files; i++)
			all[n_all++] = files[i];
		for (size_t i = 0; i < n_plot_files; i++)
			all[n_all++] = plot_files[i];
		coh_manifest manifest = {
			.dir = s->dir, .argc = argc, .argv = argv,
			.scenario_path = s->a->scenario, .model = s->model,
			.replications = s->reps, .requested = s->reps,
			.wall_seconds = s->wall, .files = all, .n_files = n_all,
		};
		rc = coh_manifest_write(&manifest, &s->err);
	}
	if (!rc)
		rc = write_report(s);
	if (!rc && !s->a->common.quiet) {
		size_t len = strlen(s->dir);
		fprintf(stderr, "cohesim: wrote %s%s (", s->dir,
			len && s->dir[len - 1] == '/' ? "" : "/");
		for (size_t i = 0; i < n_all; i++)
			fprintf(stderr, "%s, ", all[i]);
		fprintf(stderr, "%smanifest.json)\n",
			s->a->no_report ? "" : "report.html, ");
	}
	if (rc)
		cli_remove_created(s->dir, created);
	else
		coh_free(created);
	for (size_t q = 0; accs && q < s->n_qoi; q++)
		coh_attr_acc_free(accs[q]);
	coh_free(all);
	coh_plot_files_free(plot_files, n_plot_files);
	coh_free(accs);
	coh_free(names);
	coh_free(rows);
	return rc;
}

/* --from DATE as days since the start into *out. */
static int window_start(double *out, const char *text, const coh_model *model)
{
	int64_t day;
	if (coh_date_parse(&day, text) != 0)
		return cli_usage_error("attribute", "--from expects a date "
				       "YYYY-MM-DD, got \"%s\"", text);
	double d = (double)(day - model->start_day);
	if (!(d >= 0 && d <= model->horizon))
		return cli_usage_error("attribute", "--from %s is outside the "
				       "scenario (its start to its end)", text);
	*out = d;
	return CLI_OK;
}

/* What nothing but the command line can fix: exit status 2. */
static int check_usage(attr_state *s)
{
	const attr_args *a = s->a;
	if (s->n_qoi == 0)
		return cli_usage_error("attribute", "missing --qoi: attribute "
				       "explains at least one quantity of "
				       "interest, e.g. --qoi exited:ID@end");
	if (a->permutations && a->method != COH_ATTR_SHAPLEY)
		return cli_usage_error("attribute", "--permutations goes with "
				       "--method shapley");
	if (a->from && a->method != COH_ATTR_LEDGER)
		return cli_usage_error("attribute", "--from goes with --method "
				       "ledger");
	if (a->method == COH_ATTR_LEDGER && a->by == COH_ATTR_GENERATOR)
		return cli_usage_error("attribute", "--method ledger: the "
				       "ledger credits a generated event to "
				       "its type, not to the generator that "
				       "made it; use --by event, type or "
				       "fragment");
	for (size_t q = 0; q < s->n_qoi && a->method == COH_ATTR_LEDGER;
	     q++) {
		const coh_qoi *qi = coh_qoi_set_get(s->qoi, q);
		if (qi->kind == COH_QOI_COMMITMENT && !(s->from >= qi->day))
			continue;
		if (qi->kind == COH_QOI_COMMITMENT)
			return cli_usage_error("attribute", "--from %s is not "
					       "before the day of --qoi '%s'",
					       a->from, qi->text);
		return cli_usage_error("attribute", "--method ledger: --qoi "
				       "'%s' %s; the ledger splits one "
				       "member's change of commitment, so it "
				       "needs commitment:ID@WHEN", qi->text,
				       qi->member < 0 ? "names no member"
				       : "is not a commitment");
	}
	if (s->n_units == 0 && a->method != COH_ATTR_LEDGER) {
		static const char *const what[] = {
			"timeline events", "timeline events",
			"events or generators", "generators"};
		return cli_usage_error("attribute", "--by %s: the scenario "
				       "has no %s, so there is nothing to "
				       "attribute", coh_attr_by_name(a->by),
				       what[a->by]);
	}
	if (a->method == COH_ATTR_SHAPLEY && !a->permutations &&
	    s->n_units > COH_ATTR_EXACT_MAX)
		return cli_usage_error("attribute", "--method shapley: %zu "
				       "units are too many to enumerate every "
				       "coalition (at most %d); sample "
				       "permutations with --permutations N, "
				       "e.g. 200", s->n_units,
				       COH_ATTR_EXACT_MAX);
	return CLI_OK;
}

/*--- --dry-run ----------------------------------------------------------*/

static double seconds_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int count_trace(void *ctx, const coh_trace *const *traces, size_t n)
{
	(void)traces;
	(void)n;
	(void)ctx;
	return 0;
}

/* What the attribution would cost, from a pilot of the whole scenario
 * (up to 20 replications on one thread; the coalitions hold fewer units
 * and run no slower), on stdout; writes nothing. */
static int dry_run(attr_state *s)
{
	int ledger = s->a->method == COH_ATTR_LEDGER;
	uint64_t pilot = s->reps < 20 ? s->reps : 20;
	size_t n_reads;
	const double *reads = coh_qoi_set_read_days(s->qoi, &n_reads);
	double t0 = seconds_now();
	int rc = 0;
	if (ledger) {
		const coh_qoi *qi = coh_qoi_set_get(s->qoi, 0);
		coh_ledger *l = NULL;
		rc = coh_ledger_alloc(&l, s->model, qi->member, s->from,
				      qi->day, &s->err);
		if (!rc)
			rc = coh_ledger_run(l, s->model->seed, 0, 0, pilot,
					    &s->err);
		coh_ledger_free(l);
	} else {
		const coh_model *m = s->model;
		coh_mc_options mo = {.seed = m->seed, .replications = pilot,
				     .threads = 1, .read_days = reads,
				     .n_read_days = n_reads};
		rc = coh_mc_run(&m, 1, &mo, count_trace, NULL, NULL, &s->err);
	}
	if (rc)
		return rc;
	double per_rep = (seconds_now() - t0) / (double)pilot;
	/* runs: coalition-replications, or ledger replays */
	uint64_t per = ledger ? s->n_qoi : s->n_coalitions;
	uint64_t runs = per * s->reps;
	size_t workers = ledger ? 1 : s->n_workers;
	double secs = per_rep * (double)runs / (double)workers;
	size_t rows = s->n_qoi * (s->n_units + (ledger ? L_X_COUNT : 2) + 1);
	double results = 200.0 * (double)rows + 150.0 * 16.0 *
			 (double)s->n_qoi + 20e3 +
			 (s->a->common.plot == COH_PLOT_NONE ? 0 : 150e3);
	double checkpoint = 100.0 + (double)n_blocks(s) *
			    (double)record_size(s);
	if (ledger)
		printf("ledgers:      %zu (one per --qoi), %zu units by %s\n",
		       s->n_qoi, s->n_units, coh_attr_by_name(s->a->by));
	else
		printf("coalitions:   %zu (%s, %zu units by %s)\n",
		       s->n_coalitions, coh_attr_method_name(s->a->method),
		       s->n_units, coh_attr_by_name(s->a->by));
	printf("runs:         %" PRIu64 " (%" PRIu64 " replications of each "
	       "%s)\n", runs, s->reps, ledger ? "ledger" : "coalition");
	printf("time:         about %.*f s with -j %zu (from a pilot of %"
	       PRIu64 " replications of the whole scenario)\n",
	       secs < 10 ? 1 : 0, secs, workers,
	       pilot);
	printf("disk:         about %.2f MB of results; %.2f MB of "
	       "checkpoint while it runs\n", results / 1e6, checkpoint / 1e6);
	printf("memory:       about %.1f MB of values\n",
	       (double)s->n_qoi * (double)s->reps * (double)s->n_coalitions *
	       sizeof(double) / 1e6);
	fflush(stdout);
	return 0;
}

static int attribute_loaded(attr_state *s, int argc, char **argv)
{
	int status = cli_common_qoi(&s->qoi, &s->a->common, "attribute",
				    s->model);
	if (status != CLI_OK)
		return status;
	s->n_qoi = coh_qoi_set_count(s->qoi);
	if (coh_attr_units_build(&s->units, s->model, s->a->by, &s->err))
		goto failed;
	s->n_units = coh_attr_units_count(s->units);
	s->from = -INFINITY;
	if (s->a->from &&
	    (status = window_start(&s->from, s->a->from, s->model)) != CLI_OK)
		return status;
	if ((status = check_usage(s)) != CLI_OK)
		return status;
	int ledger = s->a->method == COH_ATTR_LEDGER;
	if (!ledger && coh_attr_plan_alloc(&s->plan, s->a->method, s->n_units,
					   s->a->permutations, s->model->seed,
					   &s->err))
		goto failed;
	/* the ledger's one "coalition" is its row of columns */
	s->n_cols = s->n_units + L_X_COUNT + 1;
	s->n_coalitions = ledger ? s->n_cols
				 : coh_attr_plan_coalitions(s->plan);
	s->n_parts = s->n_units;
	s->reps = s->model->replications;
	s->n_workers = s->a->common.jobs < s->reps ? (size_t)s->a->common.jobs
						   : (size_t)s->reps;
	/* the values, and the buffer of the checkpoint's records (a group
	 * of coalitions over every replication, or the ledger's chunk) */
	double record = is_ledger(s)
		      ? (double)chunk_size(s) * (double)s->n_qoi *
			(double)s->n_cols * sizeof(double)
		      : (double)s->n_qoi * (double)s->reps * GROUP *
			sizeof(double);
	double need = (double)s->n_qoi * (double)s->reps *
		      (double)s->n_coalitions * sizeof(double) + record;
	coh_sim *probe = NULL;
	if (coh_sim_alloc(&probe, s->model, &s->err)) {
		if (!s->err.file[0])
			snprintf(s->err.file, sizeof s->err.file, "%s",
				 s->a->scenario);
		goto failed;
	}
	coh_sim_free(probe);
	if (cli_check_memory_for(need, s->a->common.max_memory,
				 "the values of every coalition",
				 "use fewer replications, units or "
				 "permutations", s->a->scenario, &s->err))
		goto failed;
	s->values = coh_calloc((size_t)s->n_qoi * (size_t)s->reps *
			       s->n_coalitions, sizeof *s->values);
	s->cols = coh_calloc(s->n_cols, sizeof *s->cols);
	if (ledger)
		s->ledger = s->values;
	s->scratch = coh_calloc(s->n_qoi, sizeof *s->scratch);
	s->dir = cli_output_dir(s->a->common.output, &s->err,
				"out/%s-attribute/", s->model->name);
	if (!s->values || !s->scratch || !s->cols || !s->dir) {
		coh_error_set(&s->err, COH_ENOMEM, NULL, 0, "out of memory");
		goto failed;
	}
	if (ledger)
		s->ledgers = coh_calloc(s->n_qoi, sizeof(coh_ledger *));
	if (ledger && !s->ledgers) {
		coh_error_set(&s->err, COH_ENOMEM, NULL, 0, "out of memory");
		goto failed;
	}
	int rank = s->rank;
	s->ranks = 1;
#ifdef COH_MPI
	MPI_Comm_size(MPI_COMM_WORLD, &s->ranks);
	/* the ledger, dry runs and records MPI cannot send in one message
	 * are rank 0's alone; every rank decides this alike */
	if (s->ranks > 1 && (ledger || s->a->dry_run ||
			     record_size(s) > (size_t)INT_MAX)) {
		if (rank != 0)
			return CLI_OK;
		s->ranks = 1;
	}
#endif
	if (s->a->dry_run)
		return dry_run(s) ? (cli_print_error(&s->err),
				     cli_exit_status(s->err.code))
				  : CLI_OK;
	char header[128];
	int ok = 1;
	if (rank == 0 &&
	    (checkpoint_header(s, header, sizeof header) ||
	     cli_mkdirs(s->dir, &s->created, &s->err) ||
	     cli_checkpoint_open(&s->checkpoint, s->dir, CHECKPOINT, header,
				 record_size(s), s->a->resume, "attribution",
				 &s->err)))
		ok = 0;
#ifdef COH_MPI
	/* the workers wait for rank 0's folder and checkpoint */
	if (s->ranks > 1) {
		MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
		if (rank != 0) {
			if (ok)
				mpi_worker(s);
			return CLI_OK;
		}
	}
#endif
	if (!ok)
		goto failed;
	int rc = run_all(s);
#ifdef COH_MPI
	if (s->ranks > 1)
		mpi_stop_workers(s);
#endif
	if (rc == COH_ECANCEL && s->done > 0) {
		fprintf(stderr, "cohesim: attribute: interrupted; %" PRIu64
			" of %" PRIu64 " %s are kept in %s/%s, and 'cohesim "
			"attribute ... --resume -o %s' finishes the "
			"attribution\n", s->done, n_blocks(s),
			is_ledger(s) ? "replications" : "groups of coalitions",
			s->dir, CHECKPOINT, s->dir);
		return cli_stopped_status();
	}
	if (rc == COH_ECANCEL) {
		fprintf(stderr, "cohesim: attribute: interrupted; nothing "
				"written\n");
		return cli_stopped_status();
	}
	if (rc || write_results(s, argc, argv))
		goto failed;
	/* the results are on the disk: the checkpoint has done its work */
	cli_checkpoint_close(s->checkpoint, 1);
	s->checkpoint = NULL;
	return CLI_OK;
failed:
	cli_print_error(&s->err);
	return cli_exit_status(s->err.code ? s->err.code : COH_ENOMEM);
}

int cli_attribute(int argc, char **argv, int first)
{
	int rank = 0;
#ifdef COH_MPI
	/* every rank parses and loads alike; rank 0 alone speaks (the
	 * others send their errors to it) */
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	if (rank != 0 && (!freopen("/dev/null", "w", stdout) ||
			  !freopen("/dev/null", "w", stderr)))
		return CLI_ERROR;
#endif
	attr_args a;
	memset(&a, 0, sizeof a);
	int status = cli_common_parse(&a.common, &attribute_command, &a,
				      argc, argv, first);
	if (status == CLI_OK && !a.scenario)
		status = cli_usage_error("attribute", "missing SCENARIO");
	coh_scenario *sc = NULL;
	if (status == CLI_OK)
		status = cli_common_load(&sc, &a.common, a.scenario);
	if (status == CLI_OK) {
		attr_state s = {.a = &a, .sc = sc,
				.model = coh_scenario_model(sc), .rank = rank};
		status = attribute_loaded(&s, argc, argv);
		/* a run that kept no replication leaves nothing behind */
		int had = s.checkpoint != NULL, keep = had && s.done > 0;
		cli_checkpoint_close(s.checkpoint, !keep);
		if (had && !keep)
			cli_remove_created(s.dir, s.created);
		else
			coh_free(s.created);
		for (size_t q = 0; s.ledgers && q < s.n_qoi; q++)
			coh_ledger_free(s.ledgers[q]);
		coh_free(s.ledgers);
		coh_free(s.values);
		coh_free(s.cols);
		coh_free(s.scratch);
		coh_free(s.dir);
		coh_attr_plan_free(s.plan);
		coh_attr_units_free(s.units);
		coh_qoi_set_free(s.qoi);
	} else if (status == CLI_HELP_SHOWN) {
		status = CLI_OK;
	}
	coh_scenario_free(sc);
	cli_common_free(&a.common);
	return status;
}
