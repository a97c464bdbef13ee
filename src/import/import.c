/* `cohesim import`: rows of event data in, a timeline fragment out.  Each
 * row goes through the same steps: split into fields, date and code read,
 * horizon checked, code looked up in the mapping, actors matched, rule
 * chosen by the parties, duplicate check, then it is added to its
 * aggregate: one per (window, type, party, party).  The aggregates live in
 * a hash table whose size is bounded by the scenario (windows in the
 * horizon x pairs x types), not by the file; they are sorted and written
 * when the input ends, because event data is not sorted by date. */
#include "cohesim/import.h"
#include "cohesim/date.h"
#include "import/internal.h"
#include "core/alloc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Row ids kept per event for its `source`; the rest are counted. */
#define IDS_KEPT 5
#define ID_MAX 24
/* Distinct CAMEO codes named in an event's note. */
#define CODES_KEPT 4
/* Distinct names kept for the summary's unmatched actors and unmapped
 * codes; rows beyond that are counted under "other". */
#define NAMES_KEPT 4096
/* Row ids remembered to find duplicates: 256Ki ids, 4 MiB of table at most.
 * Past that, rows are kept unchecked and the header says how many. */
#define SEEN_MAX (1u << 18)

static const char *const format_names[] = {"icews", "gdelt", "csv"};

const char *coh_import_format_name(coh_import_format format)
{
	return (unsigned)format < 3 ? format_names[format] : "?";
}

int coh_import_format_lookup(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(name, format_names[i]) == 0)
			return i;
	return -1;
}

void coh_import_options_init(coh_import_options *opts)
{
	memset(opts, 0, sizeof *opts);
	opts->format = COH_IMPORT_ICEWS;
	opts->input_name = "-";
	opts->window = 1;
	opts->cap = 2.0;
}

/*--- State ---------------------------------------------------------------*/

typedef struct agg {
	int64_t window;
	int type;
	int a, b;               /* parties: source-side and target-side */
	int64_t first_day;      /* earliest row */
	uint64_t count;
	double sum_score;
	char codes[CODES_KEPT][IMP_CODE_MAX];
	uint64_t code_count[CODES_KEPT];
	uint64_t other_codes;
	char ids[IDS_KEPT][ID_MAX];
	int n_ids;
	int dropped;            /* a response with no open request */
} agg;

/* A name and how many rows it stood for (unmatched actors, codes). */
typedef struct tally {
	char **names;           /* open addressing, NAMES_KEPT * 2 slots */
	uint64_t *counts;
	size_t n;
	uint64_t other;
} tally;

struct coh_import {
	const coh_model *model;
	coh_import_options opts;
	imp_mapping mapping;
	imp_actors actors;
	char actors_sha[65];
	int against;            /* outsider party, or -1 */
	char sha256[65];
	coh_import_counts counts;

	agg *aggs;              /* open addressing */
	size_t agg_cap, agg_n;

	uint64_t *seen;         /* row fingerprints; 0 = empty */
	size_t seen_cap, seen_n;

	tally unmatched, unmapped;

	/* columns of the current format */
	int c_id, c_date, c_code, c_score;
	int c_src[2], c_tgt[2];         /* first name tried, then the other */
	int n_cols;                     /* fields a row must have */
};

/*--- Small tables --------------------------------------------------------*/

static int tally_add(tally *t, const char *name)
{
	if (!t->names) {
		t->names = coh_calloc(NAMES_KEPT * 2, sizeof *t->names);
		t->counts = coh_calloc(NAMES_KEPT * 2, sizeof *t->counts);
		if (!t->names || !t->counts)
			return COH_ENOMEM;
	}
	size_t cap = NAMES_KEPT * 2;
	size_t i = (size_t)imp_hash(name, strlen(name), 7) & (cap - 1);
	while (t->names[i] && strcmp(t->names[i], name) != 0)
		i = (i + 1) & (cap - 1);
	if (!t->names[i]) {
		if (t->n >= NAMES_KEPT) {
			t->other++;
			return 0;
		}
		t->names[i] = coh_strdup(name);
		if (!t->names[i])
			return COH_ENOMEM;
		t->n++;
	}
	t->counts[i]++;
	return 0;
}

static void tally_free(tally *t)
{
	if (t->names)
		for (size_t i = 0; i < NAMES_KEPT * 2; i++)
			coh_free(t->names[i]);
	coh_free(t->names);
	coh_free(t->counts);
	memset(t, 0, sizeof *t);
}

typedef struct tally_entry {
	const char *name;
	uint64_t count;
} tally_entry;

/* Most rows first, then by name. */
static int by_count(const void *x, const void *y)
{
	const tally_entry *a = x, *b = y;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* "  WHAT: name (N), name (N), ..., and N more rows" with the `most` most
 * frequent names. */
static void tally_print(const tally *t, FILE *fp, const char *what,
			size_t most)
{
	if (t->n == 0)
		return;
	tally_entry *e = coh_calloc(t->n, sizeof *e);
	if (!e)
		return;
	size_t k = 0;
	for (size_t i = 0; i < NAMES_KEPT * 2; i++)
		if (t->names[i])
			e[k++] = (tally_entry){t->names[i], t->counts[i]};
	qsort(e, k, sizeof *e, by_count);
	fprintf(fp, "  %s:", what);
	uint64_t rest = t->other;
	for (size_t i = 0; i < k; i++) {
		if (i < most)
			fprintf(fp, "%s %s (%llu)", i ? "," : "", e[i].name,
				(unsigned long long)e[i].count);
		else
			rest += e[i].count;
	}
	if (rest)
		fprintf(fp, ", and %llu more rows", (unsigned long long)rest);
	fputc('\n', fp);
	coh_free(e);
}

/*--- Duplicates: fingerprints of the rows kept ---------------------------*/

/* Whether the row with fingerprint h was kept before; remembers it if not.
 * Returns 1 (duplicate), 0 (new), or -1 when the table is full (the row
 * is kept unchecked) and COH_ENOMEM. */
static int seen_before(coh_import *im, uint64_t h)
{
	if (h == 0)
		h = 1;          /* 0 marks an empty slot */
	if ((im->seen_n + 1) * 2 > im->seen_cap) {
		if (im->seen_n >= SEEN_MAX)
			goto full;
		size_t cap = im->seen_cap ? im->seen_cap * 2 : 1024;
		uint64_t *t = coh_calloc(cap, sizeof *t);
		if (!t)
			return COH_ENOMEM;
		for (size_t i = 0; i < im->seen_cap; i++) {
			uint64_t v = im->seen[i];
			if (!v)
				continue;
			size_t j = (size_t)v & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = v;
		}
		coh_free(im->seen);
		im->seen = t;
		im->seen_cap = cap;
	}
	size_t j = (size_t)h & (im->seen_cap - 1);
	while (im->seen[j]) {
		if (im->seen[j] == h)
			return 1;
		j = (j + 1) & (im->seen_cap - 1);
	}
	im->seen[j] = h;
	im->seen_n++;
	return 0;
full:
	/* still look: a row seen before the table filled is a duplicate */
	for (size_t j2 = (size_t)h & (im->seen_cap - 1); im->seen[j2];
	     j2 = (j2 + 1) & (im->seen_cap - 1))
		if (im->seen[j2] == h)
			return 1;
	return -1;
}

/*--- Aggregates ----------------------------------------------------------*/

static uint64_t agg_hash(int64_t window, int type, int a, int b)
{
	int64_t key[4] = {window, type, a, b};
	return imp_hash(key, sizeof key, 3);
}

/* The aggregate of the key, created empty if new; NULL when out of
 * memory. */
static agg *agg_get(coh_import *im, int64_t window, int type, int a, int b)
{
	if ((im->agg_n + 1) * 2 > im->agg_cap) {
		size_t cap = im->agg_cap ? im->agg_cap * 2 : 256;
		agg *t = coh_calloc(cap, sizeof *t);
		if (!t)
			return NULL;
		for (size_t i = 0; i < im->agg_cap; i++) {
			agg *g = &im->aggs[i];
			if (!g->count)
				continue;
			size_t j = (size_t)agg_hash(g->window, g->type, g->a,
						    g->b) & (cap - 1);
			while (t[j].count)
				j = (j + 1) & (cap - 1);
			t[j] = *g;
		}
		coh_free(im->aggs);
		im->aggs = t;
		im->agg_cap = cap;
	}
	size_t j = (size_t)agg_hash(window, type, a, b) & (im->agg_cap - 1);
	for (;;) {
		agg *g = &im->aggs[j];
		if (!g->count) {
			g->window = window;
			g->type = type;
			g->a = a;
			g->b = b;
			im->agg_n++;
			return g;
		}
		if (g->window == window && g->type == type && g->a == a &&
		    g->b == b)
			return g;
		j = (j + 1) & (im->agg_cap - 1);
	}
}

static void agg_add(agg *g, int64_t day, double score, const char *code,
		    const char *id)
{
	if (g->count == 0 || day < g->first_day)
		g->first_day = day;
	g->count++;
	g->sum_score += score;
	int k;
	for (k = 0; k < CODES_KEPT && g->codes[k][0]; k++)
		if (strcmp(g->codes[k], code) == 0)
			break;
	if (k < CODES_KEPT) {
		if (!g->codes[k][0])
			memcpy(g->codes[k], code, strlen(code) + 1);
		g->code_count[k]++;
	} else {
		g->other_codes++;
	}
	if (g->n_ids < IDS_KEPT) {
		/* a longer id is cut (ICEWS and GDELT ids have ~10 digits) */
		size_t l = strlen(id);
		l = l < ID_MAX ? l : ID_MAX - 1;
		memcpy(g->ids[g->n_ids], id, l);
		g->ids[g->n_ids][l] = '\0';
		g->n_ids++;
	}
}

/*--- Opening -------------------------------------------------------------*/

int coh_import_open(coh_import **out, const coh_model *model,
		    const coh_import_options *opts, coh_error *err)
{
	coh_import *im = coh_calloc(1, sizeof *im);
	if (!im)
		return coh_error_set(err, COH_ENOMEM, "", 0, "out of memory");
	im->model = model;
	im->opts = *opts;
	if (im->opts.window < 1)
		im->opts.window = 1;
	if (!(im->opts.cap >= 1.0))
		im->opts.cap = 1.0;
	if (!im->opts.separator)
		im->opts.separator = ',';
	im->against = -1;
	int rc = imp_mapping_load(&im->mapping, opts->mapping_path, err);
	if (rc == 0)
		rc = imp_actors_build(&im->actors, model, opts->actors_path,
				      im->actors_sha, err);
	if (rc == 0 && opts->against) {
		for (size_t i = 0; i < model->n_outsiders; i++)
			if (strcmp(model->outsiders[i].id, opts->against) == 0)
				im->against = (int)(model->n_members + i);
		if (im->against < 0)
			rc = coh_error_set(err, COH_EINPUT, "", 0,
					   "--against %s: no outsider of the "
					   "scenario has that id, expected "
					   "the outsider the requests are "
					   "against", opts->against);
	}
	if (rc) {
		coh_import_free(im);
		return rc;
	}
	*out = im;
	return 0;
}

void coh_import_free(coh_import *im)
{
	if (!im)
		return;
	imp_mapping_free(&im->mapping);
	imp_actors_free(&im->actors);
	coh_free(im->aggs);
	coh_free(im->seen);
	tally_free(&im->unmatched);
	tally_free(&im->unmapped);
	coh_free(im);
}

const coh_import_counts *coh_import_get_counts(const coh_import *im)
{
	return &im->counts;
}

const char *coh_import_sha256(const coh_import *im)
{
	return im->sha256;
}

/*--- Columns -------------------------------------------------------------*/

/* GDELT 2.0 event export (its codebook numbers columns from 0). */
enum {
	GDELT_ID = 0, GDELT_SQLDATE = 1,
	GDELT_A1_NAME = 6, GDELT_A1_COUNTRY = 7,
	GDELT_A2_NAME = 16, GDELT_A2_COUNTRY = 17,
	GDELT_EVENTCODE = 26, GDELT_GOLDSTEIN = 30,
	GDELT_COLUMNS = 61
};

static const char *const icews_required[] = {
	"Event Date", "Source Name", "Source Country", "CAMEO Code",
	"Target Name", "Target Country", NULL
};

static int column(char **fields, int n, const char *name)
{
	for (int i = 0; i < n; i++) {
		const char *f = fields[i];
		while (*f == ' ')
			f++;
		size_t len = strlen(f);
		while (len && f[len - 1] == ' ')
			len--;
		if (len == strlen(name) && strncmp(f, name, len) == 0)
			return i;
	}
	return -1;
}

static int read_header(coh_import *im, char *line, long no, coh_error *err)
{
	const char *file = im->opts.input_name;
	char *fields[IMP_FIELDS_MAX];
	int csv = im->opts.format == COH_IMPORT_CSV;
	int n = imp_split(line, csv ? im->opts.separator : '\t', 1, fields,
			  IMP_FIELDS_MAX);
	if (n < 0)
		return coh_error_set(err, COH_EINPUT, file, (int)no,
				     "header has an unterminated quote, "
				     "expected column names");
	if (!csv) {
		for (int i = 0; icews_required[i]; i++)
			if (column(fields, n, icews_required[i]) < 0)
				return coh_error_set(
					err, COH_EINPUT, file, (int)no,
					"the header has no \"%s\" column, "
					"expected an ICEWS event file (a "
					"tab-separated header with Event "
					"Date, Source Name, Source Country, "
					"CAMEO Code, Target Name, Target "
					"Country)", icews_required[i]);
		im->c_date = column(fields, n, "Event Date");
		im->c_src[0] = column(fields, n, "Source Name");
		im->c_src[1] = column(fields, n, "Source Country");
		im->c_tgt[0] = column(fields, n, "Target Name");
		im->c_tgt[1] = column(fields, n, "Target Country");
		im->c_code = column(fields, n, "CAMEO Code");
		im->c_score = column(fields, n, "Intensity");
		im->c_id = column(fields, n, "Event ID");
	} else {
		const coh_import_options *o = &im->opts;
		const char *need[4] = {
			o->col_date ? o->col_date : "date",
			o->col_source ? o->col_source : "source",
			o->col_target ? o->col_target : "target",
			o->col_code ? o->col_code : "code"};
		int *where[4] = {&im->c_date, &im->c_src[0], &im->c_tgt[0],
				 &im->c_code};
		static const char *const opt[4] = {"--date", "--source",
						    "--target", "--code"};
		for (int i = 0; i < 4; i++) {
			*where[i] = column(fields, n, need[i]);
			if (*where[i] < 0)
				return coh_error_set(
					err, COH_EINPUT, file, (int)no,
					"the header has no column \"%s\", "
					"expected one named so (or name "
					"the column with %s)", need[i],
					opt[i]);
		}
		im->c_src[1] = im->c_tgt[1] = -1;
		const char *sc = o->col_goldstein ? o->col_goldstein
						  : "goldstein";
		const char *ic = o->col_id ? o->col_id : "id";
		im->c_score = column(fields, n, sc);
		im->c_id = column(fields, n, ic);
		if (o->col_goldstein && im->c_score < 0)
			return coh_error_set(err, COH_EINPUT, file, (int)no,
					     "the header has no column "
					     "\"%s\" (--goldstein), expected "
					     "one named so", sc);
		if (o->col_id && im->c_id < 0)
			return coh_error_set(err, COH_EINPUT, file, (int)no,
					     "the header has no column "
					     "\"%s\" (--id), expected one "
					     "named so", ic);
	}
	int most = 0;
	int cols[] = {im->c_date, im->c_src[0], im->c_src[1], im->c_tgt[0],
		      im->c_tgt[1], im->c_code, im->c_score, im->c_id};
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		if (cols[i] > most)
			most = cols[i];
	im->n_cols = most + 1;
	return 0;
}

/*--- Rows ----------------------------------------------------------------*/

/* A malformed row: under strict it ends the import, else it is reported
 * and counted. */
static int malformed(coh_import *im, long no, coh_error *err,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int malformed(coh_import *im, long no, coh_error *err,
		     const char *fmt, ...)
{
	coh_error e = {0};
	va_list ap;
	va_start(ap, fmt);
	char msg[COH_ERROR_MSG_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	coh_error_set(&e, COH_EINPUT, im->opts.input_name, (int)no, "%s%s",
		      msg, im->opts.strict ? "" : " (row skipped)");
	im->counts.malformed++;
	if (im->opts.strict) {
		*err = e;
		return COH_EINPUT;
	}
	if (im->opts.warn)
		im->opts.warn(im->opts.warn_ctx, &e);
	return 0;
}

/* "YYYY-MM-DD" or "YYYYMMDD" (GDELT's SQLDATE). */
static int parse_day(int64_t *day, const char *text)
{
	char buf[11];
	if (strlen(text) == 8 && strspn(text, "0123456789") == 8) {
		memcpy(buf, text, 4);
		buf[4] = '-';
		memcpy(buf + 5, text + 4, 2);
		buf[7] = '-';
		memcpy(buf + 8, text + 6, 2);
		buf[10] = '\0';
		text = buf;
	}
	return coh_date_parse(day, text);
}

/* The party a side of the row names (first the more specific field, then
 * the other), or -1; *shown receives the text to count it under. */
static int match_side(const coh_import *im, char **f, const int c[2],
		      const char **shown)
{
	int p = -1;
	*shown = "(empty)";
	for (int k = 0; k < 2; k++) {
		if (c[k] < 0)
			continue;
		const char *name = f[c[k]];
		if (*name && p < 0)
			p = imp_actors_find(&im->actors, name);
	}
	/* count an unknown actor under its country when the format has one
	 * (ICEWS: "Source Country"; GDELT: the country code), else its name */
	int show = im->opts.format == COH_IMPORT_ICEWS ? 1 : 0;
	if (c[show] >= 0 && *f[c[show]])
		*shown = f[c[show]];
	else if (c[1 - show] >= 0 && *f[c[1 - show]])
		*shown = f[c[1 - show]];
	return p;
}

static int is_member(const coh_import *im, int party)
{
	return (size_t)party < im->model->n_members;
}

static int row(coh_import *im, char *line, long no, coh_error *err)
{
	char *f[IMP_FIELDS_MAX];
	int csv = im->opts.format == COH_IMPORT_CSV;
	int n = imp_split(line, csv ? im->opts.separator : '\t', 1, f,
			  IMP_FIELDS_MAX);
	im->counts.rows++;
	if (n < 0)
		return malformed(im, no, err,
				 "unterminated quote or text after a closing "
				 "quote, expected each quoted field to end "
				 "with '\"' before the separator");
	if (im->opts.format == COH_IMPORT_GDELT && n != GDELT_COLUMNS)
		return malformed(im, no, err,
				 "%d tab-separated fields, expected the %d of "
				 "a GDELT 2.0 event export", n, GDELT_COLUMNS);
	if (n < im->n_cols)
		return malformed(im, no, err,
				 "%d fields, expected at least %d (up to the "
				 "last column the import reads)", n,
				 im->n_cols);
	int64_t day;
	if (parse_day(&day, f[im->c_date]) != 0)
		return malformed(im, no, err,
				 "bad date \"%s\", expected YYYY-MM-DD%s",
				 f[im->c_date],
				 im->opts.format == COH_IMPORT_ICEWS ? ""
								    : " or YYYYMMDD");
	char code[IMP_CODE_MAX];
	if (imp_cameo_normalize(code, f[im->c_code]) != 0)
		return malformed(im, no, err,
				 "bad CAMEO code \"%s\", expected 1 to 4 "
				 "digits", f[im->c_code]);
	double score = 0;
	const char *st = im->c_score >= 0 ? f[im->c_score] : "";
	if (*st) {
		char *end;
		errno = 0;
		score = strtod(st, &end);
		while (*end == ' ')
			end++;
		if (*end || errno || !(score >= -10 && score <= 10))
			return malformed(im, no, err,
					 "bad Goldstein score \"%s\", "
					 "expected a number in [-10, 10]",
					 st);
	} else if (imp_goldstein(code, &score) != 0) {
		score = 0;      /* used only for the note; see statements */
	}

	const coh_model *m = im->model;
	if (day < m->start_day || (double)(day - m->start_day) > m->horizon) {
		im->counts.outside++;
		return 0;
	}
	if (!imp_mapping_knows(&im->mapping, code)) {
		im->counts.unmapped++;
		return tally_add(&im->unmapped, code) ? COH_ENOMEM : 0;
	}
	const char *src_name, *tgt_name;
	int src = match_side(im, f, im->c_src, &src_name);
	int tgt = match_side(im, f, im->c_tgt, &tgt_name);
	if (src < 0 || tgt < 0) {
		/* each unknown name is counted, a name on both sides once */
		im->counts.unmatched++;
		if (src < 0 && tally_add(&im->unmatched, src_name))
			return COH_ENOMEM;
		if (tgt < 0 && !(src < 0 && strcmp(src_name, tgt_name) == 0) &&
		    tally_add(&im->unmatched, tgt_name))
			return COH_ENOMEM;
		return 0;
	}
	imp_parties parties;
	if (src == tgt || (!is_member(im, src) && !is_member(im, tgt))) {
		im->counts.parties++;
		return 0;
	}
	parties = is_member(im, src)
		? (is_member(im, tgt) ? IMP_MEMBER_MEMBER : IMP_MEMBER_OUTSIDER)
		: IMP_OUTSIDER_MEMBER;
	const imp_rule *rule = imp_mapping_find(&im->mapping, code, parties);
	if (!rule) {
		im->counts.parties++;
		return 0;
	}
	if (rule->type == COH_EV_ASSISTANCE_REQUEST && im->against < 0) {
		im->counts.no_against++;
		return 0;
	}
	char idbuf[32];
	const char *id;
	uint64_t h;
	if (im->c_id >= 0 && *f[im->c_id]) {
		id = f[im->c_id];
		h = imp_hash(id, strlen(id), 11);
	} else {
		/* no id: the row is its own fingerprint, field by field */
		snprintf(idbuf, sizeof idbuf, "line %ld", no);
		id = idbuf;
		h = 11;
		for (int k = 0; k < n; k++)
			h = imp_hash(f[k], strlen(f[k]) + 1, h);
	}
	int dup = seen_before(im, h);
	if (dup == COH_ENOMEM)
		return COH_ENOMEM;
	if (dup == 1) {
		im->counts.duplicates++;
		return 0;
	}
	if (dup < 0)
		im->counts.dedup_full++;

	/* the sides' roles in the event (docs/import.md) */
	int a, b;
	int member = is_member(im, src) ? src : tgt;
	int other = member == src ? tgt : src;
	switch (rule->type) {
	case COH_EV_THIRD_PARTY_EXERCISE:
	case COH_EV_EXTERNAL_MISSION:
		a = member;
		b = other;
		break;
	case COH_EV_ASSISTANCE_REQUEST:
		a = src;
		b = im->against;
		break;
	case COH_EV_EXERCISE_REFUSAL:
	case COH_EV_DECLARATION_REFUSAL:
		a = src;
		b = -1;
		break;
	case COH_EV_DEFEAT:
		a = tgt;
		b = -1;
		break;
	default:
		a = src;
		b = tgt;
	}
	int64_t window = (day - m->start_day) / im->opts.window;
	agg *g = agg_get(im, window, (int)rule->type, a, b);
	if (!g)
		return COH_ENOMEM;
	agg_add(g, day, score, code, id);
	im->counts.kept++;
	return 0;
}

int coh_import_read(coh_import *im, FILE *in, coh_error *err)
{
	imp_reader r;
	const char *file = im->opts.input_name;
	if (imp_reader_init(&r, in) != 0)
		return coh_error_set(err, COH_ENOMEM, file, 0, "out of memory");
	int rc = 0, header = im->opts.format != COH_IMPORT_GDELT;
	if (!header) {
		im->c_id = GDELT_ID;
		im->c_date = GDELT_SQLDATE;
		im->c_src[0] = GDELT_A1_COUNTRY;
		im->c_src[1] = GDELT_A1_NAME;
		im->c_tgt[0] = GDELT_A2_COUNTRY;
		im->c_tgt[1] = GDELT_A2_NAME;
		im->c_code = GDELT_EVENTCODE;
		im->c_score = GDELT_GOLDSTEIN;
		im->n_cols = GDELT_COLUMNS;
	}
	for (;;) {
		char *line;
		int got = imp_reader_next(&r, &line);
		if (got == 0)
			break;
		if (got == COH_EIO) {
			rc = coh_error_set(err, COH_EIO, file, 0,
					   "cannot read: %s", strerror(errno));
			break;
		}
		if (got < 0) {
			if (header) {
				rc = coh_error_set(err, COH_EINPUT, file,
						   (int)r.line,
						   "header longer than %d "
						   "bytes, expected column "
						   "names", IMP_LINE_MAX);
				break;
			}
			im->counts.rows++;
			rc = malformed(im, r.line, err,
				       "line longer than %d bytes, expected "
				       "one event a line", IMP_LINE_MAX);
			if (rc)
				break;
			continue;
		}
		if (strspn(line, " \t") == strlen(line))
			continue;       /* blank lines are no rows */
		if (header) {
			rc = read_header(im, line, r.line, err);
			if (rc)
				break;
			header = 0;
			continue;
		}
		rc = row(im, line, r.line, err);
		if (rc == COH_ENOMEM)
			coh_error_set(err, rc, file, (int)r.line,
				      "out of memory");
		if (rc)
			break;
	}
	if (rc == 0 && header)
		rc = coh_error_set(err, COH_EINPUT, file, 1,
				   "empty, expected a header line with the "
				   "column names");
	unsigned char digest[32];
	coh_sha256_final(&r.sha, digest);
	coh_sha256_hex(im->sha256, digest);
	imp_reader_free(&r);
	return rc;
}

/*--- The fragment --------------------------------------------------------*/

static const char *party_id(const coh_model *m, int party)
{
	return (size_t)party < m->n_members
		       ? m->members[party].id
		       : m->outsiders[(size_t)party - m->n_members].id;
}

/* A libconfig string: quotes, backslashes and control bytes escaped. */
static void put_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

/* prefix, text, suffix on one comment line: a control byte in a file
 * name or an argument (a newline would end the comment) becomes '?'. */
static void put_comment(FILE *fp, const char *prefix, const char *text,
			const char *suffix)
{
	fputs(prefix, fp);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, fp);
	fputs(suffix, fp);
}

/* How much the count of rows scales an event: 1 + log10(rows), at most the
 * cap (1 row: 1; 10 rows: 2; docs/import.md). */
static double count_scale(uint64_t count, double cap)
{
	double s = 1.0 + log10((double)count);
	return s < cap ? s : cap;
}

/* An aggregate in the sorted list. */
typedef struct agg_ref {
	agg *g;
} agg_ref;

static int agg_order(const void *x, const void *y)
{
	const agg *a = ((const agg_ref *)x)->g, *b = ((const agg_ref *)y)->g;
	if (a->first_day != b->first_day)
		return a->first_day < b->first_day ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->b > b->b) - (a->b < b->b);
}

/* Whether requester has a request open on day: one imported, or one in
 * the scenario's own timeline (its date and deadline). */
static int request_open(const coh_import *im, const agg_ref *list,
			size_t n, int requester, int64_t day)
{
	const double deadline = 30.0;   /* the request's default */
	for (size_t i = 0; i < n; i++) {
		const agg *g = list[i].g;
		if (g->type == COH_EV_ASSISTANCE_REQUEST && g->a == requester &&
		    g->first_day <= day &&
		    (double)(day - g->first_day) <= deadline)
			return 1;
	}
	const coh_model *m = im->model;
	double t = (double)(day - m->start_day);
	for (size_t i = 0; i < m->n_events; i++) {
		const coh_event *e = &m->events[i];
		if (e->type == COH_EV_ASSISTANCE_REQUEST &&
		    e->actor == requester && e->day <= t &&
		    t <= e->day + e->deadline)
			return 1;
	}
	return 0;
}

static void write_event(const coh_import *im, FILE *fp, const agg *g)
{
	const coh_model *m = im->model;
	const coh_event_kind *k = coh_event_kind_info((coh_event_type)g->type);
	char date[16];
	coh_date_format(date, sizeof date, g->first_day);
	double mean = g->sum_score / (double)g->count;
	double scale = count_scale(g->count, im->opts.cap);

	fprintf(fp, "{ date = \"%s\"; type = \"%s\"; %s = \"%s\";", date,
		k->name, k->actor.key, party_id(m, g->a));
	if (k->target.key)
		fprintf(fp, " %s = \"%s\";", k->target.key,
			party_id(m, g->b));
	if (k->outsider.key)
		fprintf(fp, " %s = \"%s\";", k->outsider.key,
			party_id(m, g->b));
	if (k->list.key)
		fprintf(fp, " %s = [\"%s\"];", k->list.key,
			party_id(m, g->b));
	char what[96];
	if (g->type == COH_EV_STATEMENT) {
		double tone = mean * scale;
		tone = tone > 10 ? 10 : tone < -10 ? -10 : tone;
		fprintf(fp, "\n  tone = %.2f;", tone);
		snprintf(what, sizeof what,
			 "tone = mean Goldstein %.2f x %.2f", mean, scale);
	} else if (g->type == COH_EV_ASSISTANCE_REQUEST ||
		   g->type == COH_EV_ASSISTANCE_RESPONSE) {
		snprintf(what, sizeof what,
			 "mean Goldstein %.2f; severity and level left at "
			 "their defaults", mean);
	} else {
		fprintf(fp, "\n  %s = %.2f;", k->magnitude.key, scale);
		snprintf(what, sizeof what,
			 "%s = %.2f for the count; mean Goldstein %.2f",
			 k->magnitude.key, scale, mean);
	}

	/* note: how many rows, which codes, how the number was made */
	char note[512];
	int len = snprintf(note, sizeof note, "Imported: %llu %s row%s (CAMEO",
			   (unsigned long long)g->count,
			   im->opts.format == COH_IMPORT_ICEWS ? "ICEWS"
			   : im->opts.format == COH_IMPORT_GDELT ? "GDELT"
								 : "CSV",
			   g->count == 1 ? "" : "s");
	for (int i = 0; i < CODES_KEPT && g->codes[i][0]; i++)
		len += snprintf(note + len, sizeof note - (size_t)len,
				"%s %s x%llu", i ? "," : "", g->codes[i],
				(unsigned long long)g->code_count[i]);
	if (g->other_codes)
		len += snprintf(note + len, sizeof note - (size_t)len,
				", others x%llu",
				(unsigned long long)g->other_codes);
	snprintf(note + len, sizeof note - (size_t)len, ")%s; %s",
		 im->opts.window > 1 ? " in its window, dated by the first"
				     : "", what);
	fputs("\n  note = ", fp);
	put_string(fp, note);

	const char *label = im->opts.format == COH_IMPORT_ICEWS ? "Event ID"
			  : im->opts.format == COH_IMPORT_GDELT
				  ? "GLOBALEVENTID"
			  : im->c_id >= 0 ? (im->opts.col_id ? im->opts.col_id
							     : "id")
					  : NULL;    /* ids are "line N" */
	char source[1024];
	len = snprintf(source, sizeof source, "%s, %s%s", im->opts.input_name,
		       label ? label : "", label ? " " : "");
	for (int i = 0; i < g->n_ids && len < (int)sizeof source; i++)
		len += snprintf(source + len, sizeof source - (size_t)len,
				"%s%s", i ? ", " : "", g->ids[i]);
	if (g->count > (uint64_t)g->n_ids && len < (int)sizeof source)
		snprintf(source + len, sizeof source - (size_t)len,
			 " and %llu more",
			 (unsigned long long)(g->count - (uint64_t)g->n_ids));
	fputs(";\n  source = ", fp);
	put_string(fp, source);
	fputs(" }", fp);
}

int coh_import_write(coh_import *im, FILE *fp, const char *command,
		     coh_error *err)
{
	const coh_import_options *o = &im->opts;
	size_t n = 0;
	agg_ref *list = coh_calloc(im->agg_n ? im->agg_n : 1, sizeof *list);
	if (!list)
		return coh_error_set(err, COH_ENOMEM, "", 0, "out of memory");
	for (size_t i = 0; i < im->agg_cap; i++)
		if (im->aggs[i].count)
			list[n++].g = &im->aggs[i];
	qsort(list, n, sizeof *list, agg_order);

	/* responses need an open request, or the fragment would not load */
	im->counts.no_request = 0;
	for (size_t i = 0; i < n; i++) {
		agg *g = list[i].g;
		g->dropped = g->type == COH_EV_ASSISTANCE_RESPONSE &&
			     !request_open(im, list, n, g->b, g->first_day);
		if (g->dropped)
			im->counts.no_request += g->count;
	}
	const coh_import_counts *c = &im->counts;
	uint64_t events = 0;
	for (size_t i = 0; i < n; i++)
		events += !list[i].g->dropped;
	im->counts.events = events;

	fprintf(fp, "# Timeline fragment written by cohesim import from %s "
		    "event data: do not edit by\n# hand, run the command "
		    "again (docs/import.md).\n",
		coh_import_format_name(o->format));
	if (command)
		put_comment(fp, "# command: ", command, "\n");
	put_comment(fp, "# source:  ", o->input_name, "\n");
	fprintf(fp, "# sha256:  %s\n", im->sha256);
	if (im->mapping.is_default)
		fputs("# mapping: the default (docs/import.md)\n", fp);
	else {
		put_comment(fp, "# mapping: ", o->mapping_path, " ");
		fprintf(fp, "(sha256 %s)\n", im->mapping.sha256);
	}
	if (o->actors_path) {
		put_comment(fp, "# actors:  ids and names of the scenario, and ",
			    o->actors_path, " ");
		fprintf(fp, "(sha256 %s)\n", im->actors_sha);
	} else {
		fputs("# actors:  ids and names of the scenario\n", fp);
	}
	fprintf(fp, "# window:  %d day%s; count scale min(1 + log10(rows), "
		    "%g)\n", o->window, o->window == 1 ? "" : "s", o->cap);
	fprintf(fp, "# rows:    %llu read, %llu kept in %llu events\n"
		    "# skipped: %llu malformed, %llu outside the horizon, %llu "
		    "code not mapped,\n#          %llu actor not matched, %llu "
		    "parties fit no rule, %llu without --against,\n#          "
		    "%llu duplicates, %llu in responses to no open request\n",
		(unsigned long long)c->rows,
		(unsigned long long)(c->kept - c->no_request),
		(unsigned long long)c->events,
		(unsigned long long)c->malformed,
		(unsigned long long)c->outside,
		(unsigned long long)c->unmapped,
		(unsigned long long)c->unmatched,
		(unsigned long long)c->parties,
		(unsigned long long)c->no_against,
		(unsigned long long)c->duplicates,
		(unsigned long long)c->no_request);
	if (c->dedup_full)
		fprintf(fp, "# %llu rows kept without the duplicate check "
			    "(more than %u rows kept)\n",
			(unsigned long long)c->dedup_full, SEEN_MAX);
	fputs("# A run of list elements: include it inside "
	      "`events = ( ... );`.\n", fp);

	int first = 1;
	for (size_t i = 0; i < n; i++) {
		if (list[i].g->dropped)
			continue;
		fputs(first ? "\n" : ",\n\n", fp);
		write_event(im, fp, list[i].g);
		first = 0;
	}
	if (!first)
		fputc('\n', fp);
	coh_free(list);
	if (ferror(fp))
		return coh_error_set(err, COH_EIO, "", 0,
				     "cannot write the fragment");
	return 0;
}

void coh_import_summary(const coh_import *im, FILE *fp)
{
	const coh_import_counts *c = &im->counts;
	fprintf(fp, "cohesim: import: %s: %llu rows read, %llu kept in %llu "
		    "events\n",
		im->opts.input_name, (unsigned long long)c->rows,
		(unsigned long long)(c->kept - c->no_request),
		(unsigned long long)c->events);
	struct {
		uint64_t n;
		const char *what;
	} skipped[] = {
		{c->malformed, "malformed"},
		{c->outside, "outside the scenario's horizon"},
		{c->unmapped, "CAMEO code not in the mapping"},
		{c->unmatched, "an actor matches no member or outsider"},
		{c->parties, "parties fit no rule"},
		{c->no_against, "assistance requests without --against"},
		{c->duplicates, "duplicate row ids"},
		{c->no_request, "responses to no open request"},
		{c->dedup_full, "kept without the duplicate check"},
	};
	for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++)
		if (skipped[i].n)
			fprintf(fp, "  %llu %s\n",
				(unsigned long long)skipped[i].n,
				skipped[i].what);
	tally_print(&im->unmatched, fp, "unmatched actors (rows)", 10);
	tally_print(&im->unmapped, fp, "codes not mapped (rows)", 10);
}

void coh_import_print_default_mapping(FILE *fp)
{
	size_t n;
	const imp_rule *r = imp_default_rules(&n);
	fputs("# The default mapping of cohesim import (docs/import.md).\n"
	      "# CODE  PARTIES          TYPE                  REASON\n", fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%-6s %-16s %-21s %s\n", r[i].code,
			imp_parties_name(r[i].parties),
			coh_event_type_name(r[i].type), r[i].why);
}

/*--- Duplicates in a timeline --------------------------------------------*/

static int same_parties(const coh_model *m, const coh_event *a,
			const coh_event *b)
{
	if (a->actor != b->actor || a->target != b->target ||
	    a->outsider != b->outsider || a->list_count != b->list_count)
		return 0;
	for (size_t i = 0; i < a->list_count; i++)
		if (m->lists[a->list_first + i] != m->lists[b->list_first + i])
			return 0;
	return 1;
}

size_t coh_import_duplicates(const coh_model *m,
			     void (*fn)(void *ctx, const coh_model *model,
					const coh_event *a, const coh_event *b),
			     void *ctx)
{
	size_t found = 0;
	/* the timeline is sorted by day: compare within each day */
	for (size_t i = 0; i < m->n_events; i++) {
		const coh_event *a = &m->events[i];
		for (size_t j = i + 1;
		     j < m->n_events && m->events[j].day == a->day; j++) {
			const coh_event *b = &m->events[j];
			if (a->type != b->type || !same_parties(m, a, b))
				continue;
			if (a->file && b->file && strcmp(a->file, b->file) == 0)
				continue;
			found++;
			if (fn)
				fn(ctx, m, a, b);
		}
	}
	return found;
}
