/* Writers of the across-replication files: summary, survival, outcomes,
 * timeline, paired comparisons and quantities of interest. */
#include "cohesim/report.h"
#include "cohesim/qoi.h"
#include "cohesim/ledger.h"
#include "cohesim/date.h"
#include "cohesim/output.h"
#include "core/alloc.h"
#include "output/csv.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Opens dir/name atomically with a large buffer. */
static int open_in(coh_atomic_file **out, const char *dir, const char *name,
		   coh_error *err)
{
	return coh_atomic_open_in(out, dir, name, 1 << 16, err);
}

static void day_and_date(FILE *fp, const coh_model *model, double day)
{
	char date[16];
	coh_date_format_offset(date, sizeof date, model->start_day, day);
	coh_csv_write_double(fp, day);
	fprintf(fp, ",%s,", date);
}

static void write_stat(FILE *fp, const coh_stat *st)
{
	coh_csv_write_double(fp, st->mean);
	fputc(',', fp);
	coh_csv_write_double(fp, st->sd);
	for (int i = 0; i < COH_SUMMARY_NQ; i++) {
		fputc(',', fp);
		coh_csv_write_double(fp, st->q[i]);
	}
}

int coh_report_summary(const char *dir, const coh_summary *s,
		       const coh_model *model, coh_error *err)
{
	coh_atomic_file *f;
	int rc = open_in(&f, dir, "summary.csv", err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	fputs("day,date,metric,mean,sd,q05,q25,q50,q75,q95\n", fp);
	for (size_t k = 0; k < coh_summary_samples(s); k++)
		for (size_t m = 0; m < coh_summary_metrics(s); m++) {
			coh_stat st = coh_summary_stat(s, k, m);
			day_and_date(fp, model, coh_summary_day(s, k));
			coh_csv_write_text(fp, coh_summary_metric_name(s, m));
			fputc(',', fp);
			write_stat(fp, &st);
			fputc('\n', fp);
		}
	return coh_atomic_commit(f, err);
}

int coh_report_survival(const char *dir, const coh_summary *s,
			const coh_model *model, coh_error *err)
{
	coh_atomic_file *f;
	int rc = open_in(&f, dir, "survival.csv", err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	fputs("day,date,member,frozen_by,frozen_now,exited_by\n", fp);
	for (size_t k = 0; k < coh_summary_samples(s); k++)
		for (size_t i = 0; i < model->n_members; i++) {
			day_and_date(fp, model, coh_summary_day(s, k));
			coh_csv_write_text(fp, model->members[i].id);
			fputc(',', fp);
			coh_csv_write_double(fp, coh_summary_frozen_by(s, k, i));
			fputc(',', fp);
			coh_csv_write_double(fp, coh_summary_frozen_now(s, k, i));
			fputc(',', fp);
			coh_csv_write_double(fp, coh_summary_exited_by(s, k, i));
			fputc('\n', fp);
		}
	return coh_atomic_commit(f, err);
}

/* Figures mark every timeline event with a tick and write the labels the
 * scenario gives (or, when it gives none, "type actor") on a few rows
 * above the cohesion chart, each label on the first row where it does not
 * run into the one before; labels that fit nowhere are left out.  The
 * width of a label in days is estimated from the figure's size: about 6
 * pixels a character over the 1056-pixel wide plot of a 1200-pixel
 * figure (plots/cohesion.gp). */
#define LABEL_ROWS 5
#define LABEL_PX_PER_CHAR 6.0
#define PLOT_WIDTH_PX 1056.0
/* --plot dumb draws on a 120-character screen, about 108 of them across
 * the plot: a label takes far more of the axis there, so it gets rows of
 * its own (the text_row column). */
#define TEXT_PLOT_CHARS 108.0

/* The first of the rows whose last label ends before day, now taken up
 * to day + width; -1 when none is free. */
static int take_row(double row_end[LABEL_ROWS], double day, double width)
{
	for (int r = 0; r < LABEL_ROWS; r++)
		if (row_end[r] < day) {
			row_end[r] = day + width;
			return r;
		}
	return -1;
}

/* A label gnuplot can read from a comma-separated file: no commas, quotes
 * or control characters, at most ~40 bytes. */
static void plot_label(char *buf, size_t size, const coh_event *ev,
		       const coh_model *model, int use_default)
{
	if (ev->label)
		snprintf(buf, size, "%s", ev->label);
	else if (use_default)
		snprintf(buf, size, "%s %s", coh_model_type_name(model, ev->type),
			 ev->actor >= 0 ? model->members[ev->actor].id : "");
	else
		buf[0] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\'' ||
		    (unsigned char)*p < 0x20 || (*p == '_' && !ev->label))
			*p = ' ';
}

int coh_report_timeline(const char *dir, const coh_model *model,
			coh_error *err)
{
	coh_atomic_file *f;
	int rc = open_in(&f, dir, "timeline.csv", err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	fputs("day,date,type,actor,label,row,text_row\n", fp);
	int any_label = 0;
	for (size_t e = 0; e < model->n_events; e++)
		any_label |= model->events[e].label != NULL;
	double row_end[LABEL_ROWS], text_row_end[LABEL_ROWS];
	for (int r = 0; r < LABEL_ROWS; r++)
		row_end[r] = text_row_end[r] = -INFINITY;
	double horizon = model->horizon > 0 ? model->horizon : 1;
	double days_per_char = LABEL_PX_PER_CHAR / PLOT_WIDTH_PX * horizon;
	double days_per_text_char = horizon / TEXT_PLOT_CHARS;
	for (size_t e = 0; e < model->n_events; e++) {
		const coh_event *ev = &model->events[e];
		char label[64];
		if (ev->type == COH_EV_SET)
			continue; /* parameter changes are not events to mark */
		plot_label(label, sizeof label, ev, model, !any_label);
		int row = -1, text_row = -1;
		if (label[0]) {
			double chars = (double)(strlen(label) + 2);
			row = take_row(row_end, ev->day,
				       chars * days_per_char);
			text_row = take_row(text_row_end, ev->day,
					    chars * days_per_text_char);
		}
		day_and_date(fp, model, ev->day);
		fprintf(fp, "%s,", coh_model_type_name(model, ev->type));
		coh_csv_write_text(fp, ev->actor >= 0
					   ? model->members[ev->actor].id : "");
		fprintf(fp, ",%s,%d,%d\n", row >= 0 || text_row >= 0 ? label
								   : "",
			row, text_row);
	}
	return coh_atomic_commit(f, err);
}

/* The index of the metric called `name` in s, trying `hint` first (the
 * same index whenever both scenarios have the same members), or
 * SIZE_MAX when s has none: a member one scenario lacks. */
static size_t metric_named(const coh_summary *s, const char *name,
			   size_t hint)
{
	size_t n = coh_summary_metrics(s);
	if (hint < n && strcmp(coh_summary_metric_name(s, hint), name) == 0)
		return hint;
	for (size_t m = 0; m < n; m++)
		if (strcmp(coh_summary_metric_name(s, m), name) == 0)
			return m;
	return SIZE_MAX;
}

/* The median of a metric found by name, NaN when the summary lacks it
 * (but 0 candidates for a model without joins: it has none). */
static double median_named(const coh_summary *s, size_t k, const char *name,
			   size_t hint)
{
	size_t m = metric_named(s, name, hint);
	if (m == SIZE_MAX)
		return strcmp(name, "candidates") == 0 ? 0.0 : (double)NAN;
	return coh_summary_stat(s, k, m).q[2];
}

int coh_report_compare(const char *dir, const coh_summary *base,
		       const coh_summary *alt, const coh_summary *diff,
		       const coh_model *model, coh_error *err)
{
	coh_atomic_file *f;
	int rc = open_in(&f, dir, "compare.csv", err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	fputs("day,date,metric,base_median,alt_median,diff_mean,diff_lo,"
	      "diff_hi,diff_q05,diff_q95\n", fp);
	for (size_t k = 0; k < coh_summary_samples(diff); k++)
		for (size_t m = 0; m < coh_summary_metrics(diff); m++) {
			/* the difference's metrics are BASE's (members
			 * paired by id); each side's own summary is read
			 * by name */
			const char *name = coh_summary_metric_name(diff, m);
			double bq = median_named(base, k, name, m);
			double aq = median_named(alt, k, name, m);
			coh_stat d = coh_summary_stat(diff, k, m);
			/* normal interval of the mean; exact zero stays zero */
			double half = d.n > 1 ? 1.959963984540054 * d.sd /
							sqrt((double)d.n)
					      : (double)NAN;
			day_and_date(fp, model, coh_summary_day(diff, k));
			coh_csv_write_text(fp, name);
			double v[] = {bq, aq, d.mean, d.mean - half,
				      d.mean + half, d.q[0], d.q[4]};
			for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
				fputc(',', fp);
				coh_csv_write_double(fp, v[i]);
			}
			fputc('\n', fp);
		}
	return coh_atomic_commit(f, err);
}

/*--- outcomes.csv -----------------------------------------------------------*/

struct coh_outcomes {
	coh_atomic_file *file;
	const coh_model *model;
};

int coh_outcomes_open(coh_outcomes **out, const char *dir,
		      const coh_model *model, coh_error *err)
{
	coh_outcomes *o = coh_calloc(1, sizeof *o);
	if (!o)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	int rc = open_in(&o->file, dir, "outcomes.csv", err);
	if (rc) {
		coh_free(o);
		return rc;
	}
	o->model = model;
	FILE *fp = coh_atomic_stream(o->file);
	fputs("replication,cohesion", fp);
	for (size_t i = 0; i < model->n_members; i++) {
		const char *id = model->members[i].id;
		fprintf(fp, ",%s_status,%s_commitment,%s_freeze_day,"
			"%s_freeze_date,%s_exit_day,%s_exit_date", id, id, id,
			id, id, id);
	}
	fputc('\n', fp);
	*out = o;
	return 0;
}

/* ",day,date" of a first freeze or exit, or ",," when there was none. */
static void put_day_and_date(coh_trace *t, int64_t start_day, double day,
			     int *failed)
{
	coh_csv_put_text(t, ",", failed);
	coh_csv_put_double(t, day, failed);
	char date[16] = "";
	if (!isnan(day))
		coh_date_format_offset(date, sizeof date, start_day, day);
	coh_csv_put_text(t, ",", failed);
	coh_csv_put_text(t, date, failed);
}

int coh_outcomes_format(coh_trace *t, const coh_model *model)
{
	if (t->n_samples == 0)
		return COH_EINPUT;
	const coh_sample *last = &t->samples[t->n_samples - 1];
	int failed = 0;
	char buf[64];
	snprintf(buf, sizeof buf, "%llu,", (unsigned long long)t->replication);
	coh_csv_put_text(t, buf, &failed);
	coh_csv_put_double(t, last->cohesion, &failed);
	for (size_t i = 0; i < t->n_members; i++) {
		snprintf(buf, sizeof buf, ",%s,",
			 coh_status_name(last->status[i]));
		coh_csv_put_text(t, buf, &failed);
		coh_csv_put_double(t, last->commitment[i], &failed);
		put_day_and_date(t, model->start_day, t->first_freeze[i],
				 &failed);
		put_day_and_date(t, model->start_day, t->first_exit[i],
				 &failed);
	}
	coh_csv_put_text(t, "\n", &failed);
	return failed ? COH_ENOMEM : 0;
}

int coh_outcomes_write(coh_outcomes *o, const char *text, size_t len,
		       coh_error *err)
{
	FILE *fp = coh_atomic_stream(o->file);
	if (fwrite(text, 1, len, fp) != len)
		return coh_error_set(err, COH_EIO, coh_atomic_path(o->file), 0,
				     "cannot write: %s", strerror(errno));
	return 0;
}

int coh_outcomes_commit(coh_outcomes *o, coh_error *err)
{
	int rc = coh_atomic_commit(o->file, err);
	coh_free(o);
	return rc;
}

void coh_outcomes_abort(coh_outcomes *o)
{
	if (!o)
		return;
	coh_atomic_abort(o->file);
	coh_free(o);
}

/* A text field and its comma. */
static void put_text(FILE *fp, const char *text)
{
	coh_csv_write_text(fp, text);
	fputc(',', fp);
}

/* An estimate and its interval: three fields, with no comma after. */
static void put_estimate(FILE *fp, double estimate, double lo, double hi)
{
	coh_csv_write_double(fp, estimate);
	fputc(',', fp);
	coh_csv_write_double(fp, lo);
	fputc(',', fp);
	coh_csv_write_double(fp, hi);
}

int coh_report_qoi(const char *dir, const coh_qoi_set *set, coh_error *err)
{
	coh_atomic_file *f;
	int rc = open_in(&f, dir, "qoi.csv", err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	fputs("qoi,estimate,ci_lo,ci_hi,replications\n", fp);
	for (size_t k = 0; k < coh_qoi_set_count(set); k++) {
		coh_qoi_estimate e = coh_qoi_set_estimate(set, k);
		put_text(fp, coh_qoi_set_get(set, k)->text);
		put_estimate(fp, e.estimate, e.ci_lo, e.ci_hi);
		fprintf(fp, ",%llu\n", (unsigned long long)e.n);
	}
	return coh_atomic_commit(f, err);
}

int coh_report_attribution(const char *dir, const coh_report_attr_row *rows,
			   size_t n_rows, coh_error *err)
{
	coh_atomic_file *f;
	int rc = open_in(&f, dir, "attribution.csv", err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	fputs("qoi,unit,label,method,effect,ci_lo,ci_hi,pn,pn_lo,pn_hi\n",
	      fp);
	for (size_t k = 0; k < n_rows; k++) {
		const coh_report_attr_row *r = &rows[k];
		put_text(fp, r->qoi);
		put_text(fp, r->unit);
		put_text(fp, r->label);
		put_text(fp, r->method);
		put_estimate(fp, r->e.effect, r->e.ci_lo, r->e.ci_hi);
		fputc(',', fp);
		if (r->with_pn)
			coh_csv_write_double(fp, r->e.pn);
		fputc(',', fp);
		if (r->with_pn)
			coh_csv_write_double(fp, r->e.pn_lo);
		fputc(',', fp);
		if (r->with_pn)
			coh_csv_write_double(fp, r->e.pn_hi);
		fputc('\n', fp);
	}
	return coh_atomic_commit(f, err);
}

int coh_report_attribution_bars(const char *dir,
				const coh_report_attr_row *rows,
				size_t n_rows, coh_error *err)
{
	coh_atomic_file *f;
	int rc = open_in(&f, dir, "attribution-bars.csv", err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	fputs("qoi,rank,unit,label,effect,ci_lo,ci_hi\n", fp);
	size_t rank = 0;
	for (size_t k = 0; k < n_rows; k++) {
		const coh_report_attr_row *r = &rows[k];
		rank = k > 0 && strcmp(rows[k - 1].qoi, r->qoi) == 0
		       ? rank + 1 : 1;
		coh_csv_write_text(fp, r->qoi);
		fprintf(fp, ",%zu,", rank);
		put_text(fp, r->unit);
		put_text(fp, r->label);
		put_estimate(fp, r->e.effect, r->e.ci_lo, r->e.ci_hi);
		fputc('\n', fp);
	}
	return coh_atomic_commit(f, err);
}

/*--- ledger.csv ---------------------------------------------------------*/

int coh_report_ledger(const char *dir, coh_ledger *ledger,
		      const coh_model *model, coh_error *err)
{
	coh_atomic_file *f;
	int rc = open_in(&f, dir, "ledger.csv", err);
	if (rc)
		return rc;
	FILE *fp = coh_atomic_stream(f);
	const char *member = model->members[coh_ledger_member(ledger)].id;
	fputs("member,cause,unit,label,mean,ci_lo,ci_hi\n", fp);
	size_t n;
	const coh_ledger_row *rows = coh_ledger_rows(ledger, &n);
	for (size_t k = 0; k < n; k++) {
		const coh_ledger_row *r = &rows[k];
		char unit[64] = "", label[512] = "";
		if (r->event >= 0) {
			const coh_event *ev = &model->events[r->event];
			char date[16];
			coh_date_format_offset(date, sizeof date,
					       model->start_day, ev->day);
			const char *actor = ev->actor >= 0 ?
					    model->members[ev->actor].id : NULL;
			const char *target = ev->target >= 0 ?
					     model->members[ev->target].id : NULL;
			snprintf(unit, sizeof unit, "event %ld", r->event + 1);
			snprintf(label, sizeof label, "%s %s%s%s%s%s%s%s", date,
				 coh_model_type_name(model, ev->type),
				 actor ? " " : "", actor ? actor : "",
				 target ? " -> " : "", target ? target : "",
				 ev->label ? ": " : "",
				 ev->label ? ev->label : "");
		} else if (r->generated) {
			snprintf(unit, sizeof unit, "generated %s",
				 coh_model_type_name(model, r->type));
			snprintf(label, sizeof label, "%s",
				 coh_model_type_name(model, r->type));
		}
		put_text(fp, member);
		put_text(fp, r->cause);
		put_text(fp, unit);
		put_text(fp, label);
		put_estimate(fp, r->mean, r->ci_lo, r->ci_hi);
		fputc('\n', fp);
	}
	return coh_atomic_commit(f, err);
}
