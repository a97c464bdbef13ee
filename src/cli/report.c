/* report.html: one self-contained page to forward, written last but for
 * the manifest.  Its figures are the run's, drawn once more as SVG and
 * set inline; its style sheet is inline; it holds no script and loads
 * nothing from elsewhere.  Every string that comes from a scenario or the
 * command line goes through coh_html_escape. */
#include "cli.h"
#include "cohesim/date.h"
#include "cohesim/output.h"
#include "cohesim/version.h"
#include "core/alloc.h"
#include "core/strbuf.h"
#include "output/html.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A word a POSIX shell reads back as it is, or NULL when it needs quotes. */
static int shell_plain(const char *word)
{
	if (!*word)
		return 0;
	return strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_./=:,@%+-") == strlen(word);
}

/* The command line as one could paste it into a shell: words that need
 * it in single quotes (a quote inside as '\''), then escaped for HTML,
 * each word in a span that the style sheet keeps on one line, for a
 * browser would otherwise break "--samples" after its dashes. */
static void command_line(coh_strbuf *b, int argc, const char *const *argv)
{
	for (int i = 0; i < argc; i++) {
		coh_strbuf word = {0};
		if (shell_plain(argv[i])) {
			coh_strbuf_puts(&word, argv[i]);
		} else {
			coh_strbuf_puts(&word, "'");
			for (const char *p = argv[i]; *p; p++) {
				if (*p == '\'')
					coh_strbuf_puts(&word, "'\\''");
				else
					coh_strbuf_add(&word, p, 1);
			}
			coh_strbuf_puts(&word, "'");
		}
		b->failed |= word.failed;
		coh_strbuf_puts(b, i ? " <span>" : "<span>");
		coh_html_escape(b, word.s ? word.s : "");
		coh_strbuf_puts(b, "</span>");
		coh_strbuf_free(&word);
	}
}

static void fact(coh_strbuf *b, const char *name, const char *value)
{
	coh_strbuf_printf(b, "<dt>%s</dt><dd>", name);
	coh_html_escape(b, value);
	coh_strbuf_puts(b, "</dd>\n");
}

/* Title, command line, version, seed, replications and dates. */
static void facts(coh_strbuf *b, const cli_report_page *r)
{
	const coh_model *m = r->model;
	char text[128], start[16], end[16];
	coh_strbuf_puts(b, "<dl class=\"facts\">\n");
	fact(b, r->alt ? "Base scenario" : "Scenario", m->name);
	if (r->alt)
		fact(b, "Alternative", r->alt->name);
	coh_strbuf_puts(b, "<dt>Command line</dt><dd><code class=\"cmd\">");
	command_line(b, r->argc, (const char *const *)r->argv);
	coh_strbuf_puts(b, "</code></dd>\n");
	fact(b, "cohesim version", COH_VERSION);
	snprintf(text, sizeof text, "%" PRIu64, m->seed);
	fact(b, "Seed", text);
	if (r->interrupted)
		snprintf(text, sizeof text, "%" PRIu64 " of %" PRIu64
			 " (stopped by a signal)", r->done, r->requested);
	else
		snprintf(text, sizeof text, "%" PRIu64, r->done);
	fact(b, "Replications", text);
	coh_date_format(start, sizeof start, m->start_day);
	coh_date_format_offset(end, sizeof end, m->start_day, m->horizon);
	snprintf(text, sizeof text, "%s to %s", start, end);
	fact(b, "Dates", text);
	if (m->has_record_end) {
		coh_date_format_offset(end, sizeof end, m->start_day,
				       m->record_end);
		fact(b, "Record ends", end);
	}
	coh_strbuf_puts(b, "</dl>\n");
}

static void cell(coh_strbuf *b, const char *text, int numeric)
{
	coh_strbuf_puts(b, numeric ? "<td class=\"num\">" : "<td>");
	coh_html_escape(b, text);
	coh_strbuf_puts(b, "</td>");
}

/* The numbers run prints last, from the same cli_headline. */
static void headline(coh_strbuf *b, const cli_report_page *r,
		     const cli_headline *h)
{
	coh_strbuf_puts(b, "<h2>Where the projection ends</h2>\n");
	if (!h || h->replications == 0) {
		coh_strbuf_puts(b, "<p>No replication finished: there are no "
				   "numbers to show.</p>\n");
		return;
	}
	char buf[48];
	coh_strbuf_printf(b, "<p>At %s, over %" PRIu64 " replications: the "
			     "mean with its 95%% interval (Student's t for "
			     "commitment and cohesion, Wilson for the shares of "
			     "replications).</p>\n", h->date, h->replications);
	coh_strbuf_puts(b, "<table>\n<tr><th>cohesion</th>");
	cell(b, cli_headline_cell(buf, h->cohesion, 3), 1);
	coh_strbuf_puts(b, "</tr>\n</table>\n");
	coh_strbuf_puts(b, "<table>\n<tr><th>member</th><th>name</th>"
			   "<th>commitment</th><th>frozen (ever)</th>"
			   "<th>frozen (now)</th><th>exited</th></tr>\n");
	for (size_t i = 0; i < h->n_members; i++) {
		const cli_headline_member *hm = &h->members[i];
		coh_strbuf_puts(b, "<tr>");
		cell(b, r->model->members[i].id, 0);
		cell(b, r->model->members[i].name, 0);
		cell(b, cli_headline_cell(buf, hm->commitment, 3), 1);
		cell(b, cli_headline_cell(buf, hm->frozen_ever, 2), 1);
		cell(b, cli_headline_cell(buf, hm->frozen_now, 2), 1);
		cell(b, cli_headline_cell(buf, hm->exited, 2), 1);
		coh_strbuf_puts(b, "</tr>\n");
	}
	coh_strbuf_puts(b, "</table>\n");
}

const char *cli_report_caption(const char *figure)
{
	static const struct {
		const char *figure, *caption;
	} captions[] = {
		{"cohesion.gp", "Cohesion over time: the scenario's events on "
		 "top, cohesion and the mean commitment (medians with 50% and "
		 "90% bands across replications), and the shares of members "
		 "active, frozen and exited."},
		{"members.gp", "Each member's commitment (median with 50% and "
		 "90% bands), with its freeze and exit thresholds."},
		{"survival.gp", "The chance that each member has frozen, and "
		 "has exited, by each date."},
		{"compare.gp", "Cohesion under both scenarios (medians across "
		 "replications), then the paired difference ALT minus BASE of "
		 "cohesion (its mean, the mean's 95% interval and the 5%-95% "
		 "spread of the pairs) and of each member's commitment."},
	};
	for (size_t i = 0; i < sizeof captions / sizeof *captions; i++)
		if (strcmp(captions[i].figure, figure) == 0)
			return captions[i].caption;
	return "";
}

static void figures(coh_strbuf *b, const cli_report_page *r)
{
	coh_strbuf_puts(b, "<h2>Figures</h2>\n");
	if (r->no_figures) {
		coh_strbuf_puts(b, "<p class=\"note\">");
		coh_html_escape(b, r->no_figures);
		coh_strbuf_puts(b, "</p>\n");
		return;
	}
	if (r->gnuplot_missing) {
		coh_strbuf_puts(b, "<p class=\"note\">gnuplot is not installed "
				   "where this report was written, so it holds "
				   "no figures. Install gnuplot (e.g. apt-get "
				   "install gnuplot-nox) and run cohesim plot on "
				   "the output folder to draw them.</p>\n");
		return;
	}
	for (size_t i = 0; i < r->n_figures; i++) {
		char prefix[32];
		snprintf(prefix, sizeof prefix, "f%zu-", i + 1);
		coh_strbuf_puts(b, "<figure>\n");
		if (!r->svg[i] || coh_html_svg(b, r->svg[i], prefix) != 0)
			coh_strbuf_puts(b, "<p class=\"note\">This figure could "
					   "not be set inline.</p>\n");
		coh_strbuf_puts(b, "\n<figcaption>");
		coh_html_escape(b, r->captions[i]);
		coh_strbuf_puts(b, "</figcaption>\n</figure>\n");
	}
}

/* The parties of an event: actor, target, outsider and list, by id. */
static void parties(coh_strbuf *b, const coh_event *ev, const coh_model *m)
{
	coh_strbuf who = {0};
	int any = 0;
	int idx[2] = {ev->actor, ev->target};
	for (int k = 0; k < 2; k++)
		if (idx[k] >= 0 && (size_t)idx[k] < m->n_members) {
			coh_strbuf_printf(&who, "%s%s", any ? ", " : "",
					  m->members[idx[k]].id);
			any = 1;
		}
	if (ev->outsider >= 0 && (size_t)ev->outsider < m->n_outsiders) {
		coh_strbuf_printf(&who, "%s%s", any ? ", " : "",
				  m->outsiders[ev->outsider].id);
		any = 1;
	}
	for (size_t k = 0; k < ev->list_count; k++) {
		size_t at = ev->list_first + k;
		if (at >= m->n_lists || m->lists[at] < 0 ||
		    (size_t)m->lists[at] >= m->n_members)
			continue;
		coh_strbuf_printf(&who, "%s%s", any ? ", " : "",
				  m->members[m->lists[at]].id);
		any = 1;
	}
	b->failed |= who.failed;
	cell(b, who.s ? who.s : "", 0);
	coh_strbuf_free(&who);
}

static void timeline(coh_strbuf *b, const coh_model *m)
{
	coh_strbuf_puts(b, "<h2>Timeline</h2>\n");
	if (m->n_events == 0) {
		coh_strbuf_puts(b, "<p>The scenario has no dated events.</p>\n");
		return;
	}
	coh_strbuf_puts(b, "<table>\n<tr><th>date</th><th>type</th>"
			   "<th>parties</th><th>label</th><th>note</th>"
			   "<th>source</th></tr>\n");
	for (size_t e = 0; e < m->n_events; e++) {
		const coh_event *ev = &m->events[e];
		char date[16];
		coh_date_format_offset(date, sizeof date, m->start_day,
				       ev->day);
		coh_strbuf_puts(b, "<tr>");
		cell(b, date, 1);
		cell(b, coh_model_type_name(m, ev->type), 0);
		parties(b, ev, m);
		cell(b, ev->label ? ev->label : "", 0);
		cell(b, ev->note ? ev->note : "", 0);
		cell(b, ev->source ? ev->source : "", 0);
		coh_strbuf_puts(b, "</tr>\n");
	}
	coh_strbuf_puts(b, "</table>\n");
}

/* The number x with digits decimals (and its sign when signed), or "-"
 * when it is not one. */
static void num_cell(coh_strbuf *b, int digits, int is_signed, double x)
{
	char buf[48];
	if (isnan(x))
		snprintf(buf, sizeof buf, "-");
	else if (is_signed)
		snprintf(buf, sizeof buf, "%+.*f", digits, x);
	else
		snprintf(buf, sizeof buf, "%.*f", digits, x);
	cell(b, buf, 1);
}

/* The paired differences compare prints last, from the same table. */
static void compare_table(coh_strbuf *b, const cli_report_page *r,
			  const cli_compare_table *t)
{
	(void)r;        /* the members' ids are the table's own */
	coh_strbuf_puts(b, "<h2>Paired differences</h2>\n");
	if (t->pairs == 0) {
		coh_strbuf_puts(b, "<p>No paired replication finished.</p>\n");
		return;
	}
	coh_strbuf_printf(b, "<p>At %s, over %" PRIu64 " paired replications "
			     "(the same random streams under both scenarios): "
			     "the means under each, and the mean difference "
			     "ALT &minus; BASE with its 95%% interval.</p>\n",
			  t->date, t->pairs);
	coh_strbuf_puts(b, "<table>\n<tr><th>metric</th><th>base</th>"
			   "<th>alt</th><th>diff</th><th>95% interval of "
			   "diff</th></tr>\n");
	for (size_t k = 0; k < t->n_metrics; k++) {
		const cli_compare_metric *cm = &t->metrics[k];
		char ci[64];
		snprintf(ci, sizeof ci, "[%+.4f, %+.4f]", cm->lo, cm->hi);
		coh_strbuf_puts(b, "<tr>");
		cell(b, cm->name, 0);
		num_cell(b, 4, 0, cm->base);
		num_cell(b, 4, 0, cm->alt);
		num_cell(b, 4, 1, cm->diff);
		cell(b, ci, 1);
		coh_strbuf_puts(b, "</tr>\n");
	}
	coh_strbuf_puts(b, "</table>\n<p>Shares of replications in which "
			   "each member had frozen at least once by that date "
			   "(frozen by), was frozen at that date (frozen now), "
			   "and had exited.</p>\n");
	coh_strbuf_puts(b, "<table>\n<tr><th>member</th><th>frozen by, base"
			   "</th><th>frozen by, alt</th><th>frozen now, base"
			   "</th><th>frozen now, alt</th><th>exited, base"
			   "</th><th>exited, alt</th></tr>\n");
	for (size_t i = 0; i < t->n_members; i++) {
		const cli_compare_member *cm = &t->members[i];
		coh_strbuf_puts(b, "<tr>");
		cell(b, cm->id, 0);
		for (int side = 0; side < 2; side++)
			num_cell(b, 3, 0, cm->frozen_by[side]);
		for (int side = 0; side < 2; side++)
			num_cell(b, 3, 0, cm->frozen_now[side]);
		for (int side = 0; side < 2; side++)
			num_cell(b, 3, 0, cm->exited[side]);
		coh_strbuf_puts(b, "</tr>\n");
	}
	coh_strbuf_puts(b, "</table>\n");
	/* compare pairs members by id: who has no partner is said */
	static const char *const side_name[2] = {"BASE", "ALT"};
	for (int side = 0; side < 2; side++) {
		if (!t->n_only[side])
			continue;
		coh_strbuf_printf(b, "<p>Only in %s, so not paired: ",
				  side_name[side]);
		for (size_t i = 0; i < t->n_only[side]; i++) {
			if (i)
				coh_strbuf_puts(b, ", ");
			coh_html_escape(b, t->only[side][i]);
		}
		coh_strbuf_puts(b, ".</p>\n");
	}
}

/*--- Links to the data ----------------------------------------------------*/

static void data_begin(coh_strbuf *b)
{
	coh_strbuf_puts(b, "<h2>Data</h2>\n<p>The data behind this page, in "
			   "the files beside it:</p>\n<ul>\n");
}

/* A link to the file name beside the page when it holds data (.csv, or
 * the resolved scenario's .cfg). */
static void data_link(coh_strbuf *b, const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len < 4 || (strcmp(name + len - 4, ".csv") != 0 &&
			strcmp(name + len - 4, ".cfg") != 0))
		return;
	coh_strbuf_puts(b, "<li><a href=\"");
	coh_html_escape(b, name);
	coh_strbuf_puts(b, "\">");
	coh_html_escape(b, name);
	coh_strbuf_puts(b, "</a></li>\n");
}

/* The page: its frame, the facts, the command's own table, the figures
 * and the timeline (ALT's for compare, as timeline.csv), then written
 * atomically. */
static int write_page(const cli_report_page *r, const cli_headline *h,
		      const cli_compare_table *t, coh_error *err)
{
	const coh_model *m = r->model;
	const char *title = r->title ? r->title
			  : m->title ? m->title : m->name;
	coh_strbuf b = {0};
	coh_html_begin(&b, title);
	coh_strbuf_puts(&b, "<h1>");
	coh_html_escape(&b, title);
	coh_strbuf_puts(&b, "</h1>\n<p>");
	coh_html_escape(&b, r->intro);
	coh_strbuf_puts(&b, " The data behind it are the CSV files beside "
			    "this page; manifest.json lists them with their "
			    "sizes and the scenario's SHA-256.</p>\n");
	facts(&b, r);
	if (t)
		compare_table(&b, r, t);
	else
		headline(&b, r, h);
	figures(&b, r);
	timeline(&b, r->alt ? r->alt : m);
	if (r->n_data > 0) {
		data_begin(&b);
		for (size_t i = 0; i < r->n_data; i++)
			data_link(&b, r->data[i]);
		coh_strbuf_puts(&b, "</ul>\n");
	}
	coh_html_end(&b);
	int rc = b.failed || !b.s
		 ? coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory")
		 : coh_output_write_file(r->dir, "report.html", b.s, b.len,
					 err);
	coh_strbuf_free(&b);
	return rc;
}

int cli_report_run(const cli_report_page *page, const cli_headline *h,
		   coh_error *err)
{
	return write_page(page, h, NULL, err);
}

int cli_report_compare(const cli_report_page *page,
		       const cli_compare_table *t, coh_error *err)
{
	return write_page(page, NULL, t, err);
}

/*--- Folders whose results are all on disk: sweep, attribute, sensitivity ---*/

/* These pages are built from the folder's files alone (manifest.json and
 * the CSV tables) and the figure drawn once more as SVG, so that the
 * command and `cohesim plot DIR` write the same page. */

/* Rows of a table shown in full up to this many; the CSV file has all. */
#define FOLDER_ROWS 200
/* A sweep's table shows each member's shares up to this many members. */
#define SWEEP_MEMBERS 6

/* A CSV file read whole: cells[row * n_cols + col], row 0 the header;
 * quoted fields unquoted in place. */
typedef struct csv_doc {
	char *text;
	char **cells;
	size_t n_cols, n_rows;          /* n_rows counts the header */
} csv_doc;

static void csv_doc_free(csv_doc *d)
{
	coh_free(d->text);
	coh_free(d->cells);
	memset(d, 0, sizeof *d);
}

/* The whole of dir/name, NUL-terminated, into *out. */
static int read_text(char **out, const char *dir, const char *name,
		     coh_error *err)
{
	char *path = coh_output_path(dir, name);
	if (!path)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	FILE *fp = fopen(path, "rb");
	coh_strbuf b = {0};
	char chunk[8192];
	size_t n;
	while (fp && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		coh_strbuf_add(&b, chunk, n);
	int rc = 0;
	if (!fp || ferror(fp))
		rc = coh_error_set(err, COH_EIO, path, 0, "cannot read: %s",
				   strerror(errno));
	else if (b.failed)
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	if (fp)
		fclose(fp);
	coh_free(path);
	if (rc) {
		coh_strbuf_free(&b);
		return rc;
	}
	*out = b.s ? b.s : coh_strdup("");
	return *out ? 0 : coh_error_set(err, COH_ENOMEM, NULL, 0,
					"out of memory");
}

/* One field starting at *p, unquoted in place and NUL-terminated; *p
 * moves past it and its comma.  Returns what ended it: ',' '\n' or 0. */
static char csv_field(char **p, char **field)
{
	char *r = *p, *w = *p;
	*field = w;
	if (*r == '"') {
		r++;
		/* to the closing quote; "" inside is one quote */
		while (*r && !(r[0] == '"' && r[1] != '"')) {
			if (*r == '"')
				r++;
			*w++ = *r++;
		}
		if (*r == '"')
			r++;
	}
	while (*r && *r != ',' && *r != '\n' && *r != '\r')
		*w++ = *r++;
	if (*r == '\r')
		r++;
	char end = *r;
	if (end)
		r++;
	*w = '\0';
	*p = r;
	return end;
}

static int csv_read(csv_doc *d, const char *dir, const char *name,
		    coh_error *err)
{
	memset(d, 0, sizeof *d);
	int rc = read_text(&d->text, dir, name, err);
	size_t cap = 0, n = 0, line = 0, in_row = 0;
	for (char *p = d->text; !rc && *p;) {
		char *field;
		char end = csv_field(&p, &field);
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			char **cells = coh_reallocarray(d->cells, cap,
							sizeof *cells);
			if (!cells) {
				rc = coh_error_set(err, COH_ENOMEM, NULL, 0,
						   "out of memory");
				break;
			}
			d->cells = cells;
		}
		d->cells[n++] = field;
		in_row++;
		if (end == ',')
			continue;
		line++;
		if (line == 1)
			d->n_cols = in_row;
		else if (in_row != d->n_cols) {
			char *path = coh_output_path(dir, name);
			rc = coh_error_set(err, COH_EINPUT, path ? path : name,
					   (int)line, "%zu fields, expected %zu "
					   "as in the header", in_row,
					   d->n_cols);
			coh_free(path);
		}
		in_row = 0;
	}
	if (!rc && (line == 0 || in_row != 0)) {
		char *path = coh_output_path(dir, name);
		rc = coh_error_set(err, COH_EINPUT, path ? path : name, 0,
				   "no header, or a last line cut short");
		coh_free(path);
	}
	d->n_rows = line;
	if (rc)
		csv_doc_free(d);
	return rc;
}

static const char *csv_at(const csv_doc *d, size_t row, size_t col)
{
	return d->cells[row * d->n_cols + col];
}

/* The column named name, or -1. */
static long csv_column(const csv_doc *d, const char *name)
{
	for (size_t c = 0; c < d->n_cols; c++)
		if (strcmp(csv_at(d, 0, c), name) == 0)
			return (long)c;
	return -1;
}

/* A field as a number: NaN when empty or not one. */
static double field_number(const char *text)
{
	char *end;
	double x = strtod(text, &end);
	return *text && !*end ? x : (double)NAN;
}

/* A number as the tables show it: four significant digits, "-" for
 * none. */
static void num4(coh_strbuf *b, const char *text)
{
	double x = field_number(text);
	char buf[48];
	if (isnan(x))
		snprintf(buf, sizeof buf, "-");
	else
		snprintf(buf, sizeof buf, "%.4g", x);
	cell(b, buf, 1);
}

/* "[lo, hi]", or "-" when either end is missing. */
static void interval(coh_strbuf *b, const char *lo, const char *hi)
{
	double l = field_number(lo), h = field_number(hi);
	char buf[96];
	if (isnan(l) || isnan(h))
		snprintf(buf, sizeof buf, "-");
	else
		snprintf(buf, sizeof buf, "[%.3g, %.3g]", l, h);
	cell(b, buf, 1);
}

/* Before a table cut short: "The table shows the first N of M ...; NAME
 * holds them all." */
static void cut_note(coh_strbuf *b, size_t shown, size_t all,
		     const char *what, const char *name)
{
	if (shown >= all)
		return;
	coh_strbuf_printf(b, "<p class=\"note\">The table shows the first "
			     "%zu of %zu %s; %s holds them all.</p>\n",
			  shown, all, what, name);
}

/* A string member of a JSON object, or NULL. */
static const char *jtext(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A JSON string's text, or "?" when it is not one. */
static const char *jtext_or(const json_t *o)
{
	const char *text = json_string_value(o);
	return text ? text : "?";
}

/* The facts of a calibration, from its manifest's "calibration" entry,
 * then the end of the list and, when it did not reach eps = 0, a warning
 * that says what the posterior is then. */
static void calibrate_facts(coh_strbuf *b, json_t *man)
{
	json_t *cal = json_object_get(man, "calibration");
	char text[256];
	json_int_t reps = json_integer_value(json_object_get(
		cal, "replications_per_particle"));
	snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT " per generation, "
		 "%" JSON_INTEGER_FORMAT " replication%s each",
		 json_integer_value(json_object_get(cal, "particles")), reps,
		 reps == 1 ? "" : "s");
	fact(b, "Particles", text);
	snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT,
		 json_integer_value(json_object_get(cal, "generations")));
	fact(b, "Generations", text);
	snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT,
		 json_integer_value(json_object_get(cal, "simulations")));
	fact(b, "Simulations", text);
	double eps = json_number_value(json_object_get(cal, "final_eps"));
	int converged = json_is_true(json_object_get(cal, "converged"));
	if (converged)
		snprintf(text, sizeof text, "0: converged, every milestone met");
	else
		snprintf(text, sizeof text, "%g: not converged", eps);
	fact(b, "Final eps", text);
	snprintf(text, sizeof text, "%.1f",
		 json_number_value(json_object_get(cal, "final_ess")));
	fact(b, "Final effective sample size", text);
	coh_strbuf_puts(b, "</dl>\n");
	if (converged)
		return;
	const char *why = jtext(cal, "stopped");
	snprintf(text, sizeof text, "%g", eps);
	coh_strbuf_puts(b, "<p class=\"note\"><strong>Warning: the "
			   "calibration did not converge.</strong> Its last "
			   "generation has eps ");
	coh_html_escape(b, text);
	coh_strbuf_puts(b, ", not 0 (");
	coh_html_escape(b, why ? why : "--max-generations was reached");
	coh_strbuf_puts(b, "): the posterior below is only an approximation, "
			   "for the replications that accepted its particles "
			   "could miss up to a share ");
	coh_html_escape(b, text);
	coh_strbuf_puts(b, " of the milestones' weight. More particles, "
			   "replications or generations may take eps to "
			   "0.</p>\n");
}

/* The facts of a backtest: its cutoff, read back from the command line
 * (--cutoff DATE or --cutoff=DATE), and the posterior it drew from. */
static void backtest_facts(coh_strbuf *b, json_t *man, json_t *cmd)
{
	const char *cutoff = NULL;
	for (size_t i = 0; i < json_array_size(cmd); i++) {
		const char *word = json_string_value(json_array_get(cmd, i));
		if (!word)
			continue;
		if (strcmp(word, "--cutoff") == 0)
			cutoff = json_string_value(json_array_get(cmd, i + 1));
		else if (strncmp(word, "--cutoff=", 9) == 0)
			cutoff = word + 9;
	}
	fact(b, "Cutoff", cutoff ? cutoff : "?");
	json_t *post = json_object_get(man, "posterior");
	if (!post) {
		fact(b, "Parameters", "the scenario's own (no --posterior)");
		return;
	}
	coh_strbuf_puts(b, "<dt>Posterior</dt><dd>");
	coh_html_escape(b, jtext(post, "path") ? jtext(post, "path") : "?");
	coh_strbuf_printf(b, " (%" JSON_INTEGER_FORMAT " particles drawn; "
			     "SHA-256 <code>",
			  json_integer_value(json_object_get(
				  post, "particles_drawn")));
	coh_html_escape(b, jtext(post, "sha256") ? jtext(post, "sha256") : "?");
	coh_strbuf_puts(b, "</code>)</dd>\n");
}

/* The facts every such page opens with, from manifest.json: a sweep's
 * (and a sensitivity analysis's, which runs as one) and the others' name
 * them differently. */
static void folder_facts(coh_strbuf *b, const cli_folder_report *r,
			 json_t *man)
{
	const coh_model *m = r->model;
	json_t *sc = json_object_get(man, "scenario");
	/* calibrate's own manifest names the file "file" */
	const char *path = json_is_string(sc) ? json_string_value(sc)
			 : jtext(sc, "path") ? jtext(sc, "path")
			 : jtext(sc, "file");
	const char *sha = json_is_string(sc) ? jtext(man, "scenario_sha256")
			: jtext(sc, "sha256");
	json_t *cmd = json_object_get(man, "command");
	if (!json_is_array(cmd))
		cmd = json_object_get(man, "command_line");
	const char *seed = json_is_string(json_object_get(man, "seed"))
			   ? jtext(man, "seed") : jtext(man, "seed_string");
	coh_strbuf_puts(b, "<dl class=\"facts\">\n");
	fact(b, "Scenario", m->name);
	if (path)
		fact(b, "Scenario file", path);
	/* a sweep hashes the scenario's resolved settings, run and
	 * attribute its file (docs/sweeps.md) */
	if (sha) {
		coh_strbuf_printf(b, "<dt>SHA-256 of its %s</dt><dd><code>",
				  json_is_string(sc) ? "settings" : "file");
		coh_html_escape(b, sha);
		coh_strbuf_puts(b, "</code></dd>\n");
	}
	size_t argc = json_array_size(cmd);
	const char **argv = coh_calloc(argc ? argc : 1, sizeof *argv);
	if (argv) {
		for (size_t i = 0; i < argc; i++) {
			const char *word = json_string_value(
				json_array_get(cmd, i));
			argv[i] = word ? word : "";
		}
		coh_strbuf_puts(b, "<dt>Command line</dt><dd><code "
				   "class=\"cmd\">");
		command_line(b, (int)argc, argv);
		coh_strbuf_puts(b, "</code></dd>\n");
		coh_free(argv);
	} else {
		b->failed = 1;
	}
	const char *version = jtext(man, "version") ? jtext(man, "version")
			    : jtext(man, "cohesim");
	fact(b, "cohesim version", version ? version : COH_VERSION);
	char text[256];
	if (!seed) {
		/* calibrate's manifest: the resolved scenario's seed */
		snprintf(text, sizeof text, "%" PRIu64, m->seed);
		seed = text;
	}
	fact(b, "Seed", seed);
	json_int_t reps = json_integer_value(json_object_get(
		man, "replications_per_point"));
	json_t *design = json_object_get(man, "design");
	if (r->kind == CLI_FOLDER_SWEEP) {
		coh_strbuf axes = {0};
		json_t *list = json_object_get(design, "axes");
		for (size_t i = 0; i < json_array_size(list); i++)
			coh_strbuf_printf(&axes, "%s%s", i ? ", " : "",
					  jtext_or(json_array_get(list, i)));
		b->failed |= axes.failed;
		snprintf(text, sizeof text, "%s over %s",
			 jtext(design, "kind") ? jtext(design, "kind") : "?",
			 axes.s ? axes.s : "?");
		coh_strbuf_free(&axes);
		fact(b, "Design", text);
		snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT " of %"
			 JSON_INTEGER_FORMAT "%s",
			 json_integer_value(json_object_get(man,
							    "points_done")),
			 json_integer_value(json_object_get(man,
							    "points_total")),
			 json_is_true(json_object_get(man, "complete"))
			 ? "" : " (not finished: --resume finishes it)");
		fact(b, "Points", text);
		snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, reps);
		fact(b, "Replications per point", text);
	} else if (r->kind == CLI_FOLDER_SENSITIVITY) {
		json_t *sens = json_object_get(man, "sensitivity");
		const char *method = jtext(sens, "method");
		int sobol = method && strcmp(method, "sobol") == 0;
		if (sobol)
			snprintf(text, sizeof text, "Sobol' indices (Saltelli "
				 "design, N = %" JSON_INTEGER_FORMAT ")",
				 json_integer_value(json_object_get(sens,
								    "samples")));
		else
			snprintf(text, sizeof text, "Morris screening (%"
				 JSON_INTEGER_FORMAT " trajectories, %"
				 JSON_INTEGER_FORMAT " levels)",
				 json_integer_value(json_object_get(
					 sens, "trajectories")),
				 json_integer_value(json_object_get(sens,
								    "levels")));
		fact(b, "Method", text);
		snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT ", each "
			 "the mean of %" JSON_INTEGER_FORMAT " replication%s",
			 json_integer_value(json_object_get(sens,
							    "evaluations")),
			 reps, reps == 1 ? "" : "s");
		fact(b, "Evaluations", text);
	} else if (r->kind == CLI_FOLDER_CALIBRATE) {
		calibrate_facts(b, man);
		return;
	} else {
		snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(man,
							    "replications")));
		fact(b, "Replications", text);
		if (r->kind == CLI_FOLDER_BACKTEST)
			backtest_facts(b, man, cmd);
	}
	coh_strbuf_puts(b, "</dl>\n");
}

/* The factors of a sensitivity analysis and their ranges. */
static void factor_table(coh_strbuf *b, json_t *man)
{
	json_t *factors = json_object_get(json_object_get(man, "sensitivity"),
					  "factors");
	if (!json_array_size(factors))
		return;
	coh_strbuf_puts(b, "<h2>Factors</h2>\n<p>Each factor varies over its "
			   "range, uniformly or on a log scale; (noise), the "
			   "scenario's randomness, is one more factor.</p>\n"
			   "<table>\n<tr><th>factor</th><th>low</th><th>high"
			   "</th><th>scale</th></tr>\n");
	for (size_t i = 0; i < json_array_size(factors); i++) {
		json_t *f = json_array_get(factors, i);
		char lo[48], hi[48];
		snprintf(lo, sizeof lo, "%.6g",
			 json_number_value(json_object_get(f, "lo")));
		snprintf(hi, sizeof hi, "%.6g",
			 json_number_value(json_object_get(f, "hi")));
		const char *path = jtext(f, "path"), *scale = jtext(f, "scale");
		coh_strbuf_puts(b, "<tr>");
		cell(b, path ? path : "", 0);
		cell(b, lo, 1);
		cell(b, hi, 1);
		cell(b, scale ? scale : "", 0);
		coh_strbuf_puts(b, "</tr>\n");
	}
	coh_strbuf_puts(b, "</table>\n");
}

/* sweep-summary.csv: one row per point, its settings and final
 * cohesion, and each member's chances of freezing and exiting by the end
 * when the members are few enough to fit. */
static int sweep_table(coh_strbuf *b, const cli_folder_report *r,
		       coh_error *err)
{
	csv_doc d;
	int rc = csv_read(&d, r->dir, "sweep-summary.csv", err);
	if (rc)
		return rc;
	long reps = csv_column(&d, "replications");
	long mean = csv_column(&d, "cohesion_mean");
	long lo = csv_column(&d, "cohesion_ci_lo");
	long hi = csv_column(&d, "cohesion_ci_hi");
	if (reps < 1 || mean < 0 || lo < 0 || hi < 0) {
		csv_doc_free(&d);
		return coh_error_set(err, COH_EINPUT, r->dir, 0, "sweep-summary"
				     ".csv lacks the columns of a sweep");
	}
	const coh_model *m = r->model;
	int members = m->n_members <= SWEEP_MEMBERS;
	size_t points = d.n_rows - 1;
	coh_strbuf_printf(b, "<h2>Points</h2>\n<p>At each point of the design: "
			     "its settings, the mean final cohesion with its "
			     "95%% interval, and %s.</p>\n",
			  members ? "the share of replications in which each "
				    "member had frozen (at least once) and had "
				    "exited by the end"
				  : "no member columns: the scenario has too "
				    "many members to show them here; "
				    "sweep-summary.csv holds each member's "
				    "chances");
	cut_note(b, FOLDER_ROWS, points, "points", "sweep-summary.csv");
	/* two header rows when there are members: each one's id over its
	 * two columns, which keeps them narrow */
	const char *span = members ? " rowspan=\"2\"" : "";
	/* the replications column is the same on every row: the facts
	 * above give it */
	coh_strbuf_puts(b, "<div class=\"scroll\">\n<table class=\"narrow\">"
			   "\n<tr>");
	for (long c = 0; c < reps; c++) {
		coh_strbuf_printf(b, "<th%s>", span);
		coh_html_escape(b, csv_at(&d, 0, (size_t)c));
		coh_strbuf_puts(b, "</th>");
	}
	coh_strbuf_printf(b, "<th%s>cohesion</th><th%s>95%% interval</th>",
			  span, span);
	for (size_t i = 0; members && i < m->n_members; i++) {
		coh_strbuf_puts(b, "<th colspan=\"2\">");
		coh_html_escape(b, m->members[i].id);
		coh_strbuf_puts(b, "</th>");
	}
	coh_strbuf_puts(b, "</tr>\n");
	if (members && m->n_members > 0) {
		coh_strbuf_puts(b, "<tr>");
		for (size_t i = 0; i < m->n_members; i++)
			coh_strbuf_puts(b, "<th>frozen</th><th>exited</th>");
		coh_strbuf_puts(b, "</tr>\n");
	}
	for (size_t row = 1; row < d.n_rows && row <= FOLDER_ROWS; row++) {
		coh_strbuf_puts(b, "<tr>");
		for (long c = 0; c < reps; c++)
			cell(b, csv_at(&d, row, (size_t)c), 1);
		num4(b, csv_at(&d, row, (size_t)mean));
		interval(b, csv_at(&d, row, (size_t)lo),
			 csv_at(&d, row, (size_t)hi));
		for (size_t i = 0; members && i < m->n_members; i++) {
			char name[160];
			snprintf(name, sizeof name, "%s_p_freeze",
				 m->members[i].id);
			long f = csv_column(&d, name);
			snprintf(name, sizeof name, "%s_p_exit",
				 m->members[i].id);
			long x = csv_column(&d, name);
			num4(b, f >= 0 ? csv_at(&d, row, (size_t)f) : "");
			num4(b, x >= 0 ? csv_at(&d, row, (size_t)x) : "");
		}
		coh_strbuf_puts(b, "</tr>\n");
	}
	coh_strbuf_puts(b, "</table>\n</div>\n");
	csv_doc_free(&d);
	return 0;
}

/* Whether an attribution row sums the others up rather than being one
 * of the parts (as "(generated TYPE)" of the ledger is). */
static int attr_summary(const char *unit)
{
	return strcmp(unit, "(total)") == 0 ||
	       strcmp(unit, "(interactions)") == 0;
}

/* Whether row a goes before row b in an attribution table: the parts by
 * |effect|, largest first (undefined last), the summary rows after them
 * in file order. */
static int attr_before(const csv_doc *d, size_t unit, size_t effect,
		       size_t a, size_t b)
{
	int sa = attr_summary(csv_at(d, a, unit));
	int sb = attr_summary(csv_at(d, b, unit));
	if (sa != sb)
		return sb;
	if (sa)
		return a < b;
	double ea = fabs(field_number(csv_at(d, a, effect)));
	double eb = fabs(field_number(csv_at(d, b, effect)));
	if (isnan(ea))
		ea = -1;
	if (isnan(eb))
		eb = -1;
	return ea != eb ? ea > eb : a < b;
}

/* attribution.csv: per quantity, each unit's effect with its interval
 * and, for 0/1 quantities under removal, the probability of necessity. */
static int attribute_tables(coh_strbuf *b, const cli_folder_report *r,
			    coh_error *err)
{
	csv_doc d;
	int rc = csv_read(&d, r->dir, "attribution.csv", err);
	if (rc)
		return rc;
	static const char *const names[] = {"qoi", "unit", "label", "method",
					    "effect", "ci_lo", "ci_hi", "pn",
					    "pn_lo", "pn_hi"};
	long col[10];
	for (size_t i = 0; i < 10; i++)
		if ((col[i] = csv_column(&d, names[i])) < 0) {
			csv_doc_free(&d);
			return coh_error_set(err, COH_EINPUT, r->dir, 0,
					     "attribution.csv has no column "
					     "%s", names[i]);
		}
	size_t *order = coh_calloc(d.n_rows, sizeof *order);
	if (!order) {
		csv_doc_free(&d);
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	}
	/* what the numbers are depends on the method (one per run) */
	const char *method = d.n_rows > 1 ? csv_at(&d, 1, (size_t)col[3]) : "";
	coh_strbuf_puts(b, "<h2>Effects</h2>\n<p>");
	if (strcmp(method, "ledger") == 0)
		coh_strbuf_puts(b, "The ledger: the member's change over the "
				   "window split into what each cause did to it "
				   "along each replication's path (its events, "
				   "generated events by type, influence, "
				   "relaxation, adaptation); the parts add up to "
				   "(total). Bookkeeping, not causation: nothing "
				   "is rerun without the cause.");
	else if (strcmp(method, "shapley") == 0)
		coh_strbuf_puts(b, "Shapley values over paired replications (the "
				   "same random numbers in every coalition of "
				   "units): each unit's contribution averaged "
				   "over the orders of adding the units; they add "
				   "up to (total), Q(all) &minus; Q(none), in every "
				   "replication.");
	else
		coh_strbuf_puts(b, "Removal: each unit's effect is Q(all) "
				   "&minus; Q(all without the unit), over paired "
				   "replications (the same random numbers with "
				   "and without it); (interactions) is what the "
				   "effects leave of (total), Q(all) &minus; "
				   "Q(none). PN, for quantities that are 0 or 1, "
				   "is the probability of necessity: the share of "
				   "the replications with the outcome that lose it "
				   "without the unit (Wilson interval).");
	coh_strbuf_puts(b, " Each with its 95% interval, largest |effect| "
			   "first.</p>\n");
	for (size_t first = 1; first < d.n_rows;) {
		const char *qoi = csv_at(&d, first, (size_t)col[0]);
		size_t end = first;
		int pn = 0;
		while (end < d.n_rows &&
		       strcmp(csv_at(&d, end, (size_t)col[0]), qoi) == 0) {
			pn |= csv_at(&d, end, (size_t)col[7])[0] != '\0';
			end++;
		}
		size_t n = end - first;
		for (size_t i = 0; i < n; i++) {
			size_t x = first + i, j = i;
			for (; j > 0 && attr_before(&d, (size_t)col[1],
						    (size_t)col[4], x,
						    order[j - 1]); j--)
				order[j] = order[j - 1];
			order[j] = x;
		}
		size_t units = 0;
		for (size_t row = first; row < end; row++)
			units += !attr_summary(csv_at(&d, row,
						      (size_t)col[1]));
		coh_strbuf_puts(b, "<h3>");
		coh_html_escape(b, qoi);
		coh_strbuf_puts(b, " (");
		coh_html_escape(b, csv_at(&d, first, (size_t)col[3]));
		coh_strbuf_puts(b, ")</h3>\n");
		cut_note(b, FOLDER_ROWS, units, "units", "attribution.csv");
		coh_strbuf_puts(b, "<table>\n<tr><th>unit</th><th>what"
				   "</th><th>effect</th><th>95% interval</th>");
		if (pn)
			coh_strbuf_puts(b, "<th>PN</th><th>95% interval of "
					   "PN</th>");
		coh_strbuf_puts(b, "</tr>\n");
		size_t shown = 0;
		for (size_t i = 0; i < n; i++) {
			size_t row = order[i];
			int summary = attr_summary(csv_at(&d, row,
							  (size_t)col[1]));
			if (!summary && shown++ >= FOLDER_ROWS)
				continue;
			coh_strbuf_puts(b, "<tr>");
			cell(b, csv_at(&d, row, (size_t)col[1]), 0);
			cell(b, csv_at(&d, row, (size_t)col[2]), 0);
			num4(b, csv_at(&d, row, (size_t)col[4]));
			interval(b, csv_at(&d, row, (size_t)col[5]),
				 csv_at(&d, row, (size_t)col[6]));
			if (pn) {
				num4(b, csv_at(&d, row, (size_t)col[7]));
				interval(b, csv_at(&d, row, (size_t)col[8]),
					 csv_at(&d, row, (size_t)col[9]));
			}
			coh_strbuf_puts(b, "</tr>\n");
		}
		coh_strbuf_puts(b, "</table>\n");
		first = end;
	}
	coh_free(order);
	csv_doc_free(&d);
	return 0;
}

/* sensitivity-figure.csv: per quantity, the factors by ST (or mu*),
 * largest first, with the analysis's notes on it. */
static int sensitivity_tables(coh_strbuf *b, const cli_folder_report *r,
			      json_t *man, coh_error *err)
{
	csv_doc d;
	int rc = csv_read(&d, r->dir, "sensitivity-figure.csv", err);
	if (rc)
		return rc;
	if (d.n_cols != 8) {
		csv_doc_free(&d);
		return coh_error_set(err, COH_EINPUT, r->dir, 0,
				     "sensitivity-figure.csv: expected 8 "
				     "columns");
	}
	int sobol = strcmp(csv_at(&d, 0, 2), "s1") == 0;
	json_t *notes = json_object_get(json_object_get(man, "sensitivity"),
					"notes");
	coh_strbuf_puts(b, "<h2>Indices</h2>\n<p>");
	coh_strbuf_puts(b, sobol
			? "S1, the first-order index, is the share of the "
			  "quantity's variance a factor explains alone; ST, "
			  "the total index, the share it takes part in, with "
			  "its interactions. Factors with ST near 0 can be "
			  "fixed. Largest ST first; 95% bootstrap intervals."
			: "mu* is the mean size of a factor's elementary "
			  "effects (how much it matters), sigma their spread "
			  "(how much its effect depends on the other factors). "
			  "Largest mu* first; 95% bootstrap intervals.");
	coh_strbuf_puts(b, "</p>\n");
	for (size_t first = 1; first < d.n_rows;) {
		const char *qoi = csv_at(&d, first, 0);
		size_t end = first;
		while (end < d.n_rows && strcmp(csv_at(&d, end, 0), qoi) == 0)
			end++;
		coh_strbuf_puts(b, "<h3>");
		coh_html_escape(b, qoi);
		coh_strbuf_puts(b, "</h3>\n");
		cut_note(b, FOLDER_ROWS, end - first, "factors",
			 "sensitivity.csv");
		coh_strbuf_printf(b, "<table>\n<tr><th>factor</th>"
				     "<th>%s</th><th>95%% interval</th><th>%s"
				     "</th><th>95%% interval</th></tr>\n",
				  sobol ? "S1" : "mu*", sobol ? "ST" : "sigma");
		for (size_t row = first; row < end; row++) {
			if (row - first >= FOLDER_ROWS)
				break;
			coh_strbuf_puts(b, "<tr>");
			cell(b, csv_at(&d, row, 1), 0);
			for (size_t k = 2; k < 8; k += 3) {
				num4(b, csv_at(&d, row, k));
				interval(b, csv_at(&d, row, k + 1),
					 csv_at(&d, row, k + 2));
			}
			coh_strbuf_puts(b, "</tr>\n");
		}
		coh_strbuf_puts(b, "</table>\n");
		/* the notes on this quantity start with its text and ": " */
		size_t len = strlen(qoi);
		for (size_t i = 0; i < json_array_size(notes); i++) {
			const char *note = json_string_value(
				json_array_get(notes, i));
			if (!note || strncmp(note, qoi, len) != 0 ||
			    strncmp(note + len, ": ", 2) != 0)
				continue;
			coh_strbuf_puts(b, "<p class=\"note\">");
			coh_html_escape(b, note + len + 2);
			coh_strbuf_puts(b, "</p>\n");
		}
		first = end;
	}
	csv_doc_free(&d);
	return 0;
}

/* The columns names of d, each in *col, or COH_EINPUT naming file. */
static int need_columns(const csv_doc *d, const char *dir, const char *file,
			const char *const *names, size_t n, long *col,
			coh_error *err)
{
	for (size_t i = 0; i < n; i++)
		if ((col[i] = csv_column(d, names[i])) < 0)
			return coh_error_set(err, COH_EINPUT, dir, 0, "%s has "
					     "no column %s", file, names[i]);
	return 0;
}

/* posterior-summary.csv, milestones.csv and generations.csv: what the
 * record supports, how well the posterior meets each milestone, and how
 * the generations went. */
static int calibrate_tables(coh_strbuf *b, const cli_folder_report *r,
			    coh_error *err)
{
	static const char *const post_cols[] = {"path", "prior_min",
		"prior_max", "scale", "mean", "sd", "q05", "median", "q95"};
	static const char *const ms_cols[] = {"id", "date", "description",
		"weight", "prior_pass_rate", "posterior_pass_rate"};
	static const char *const gen_cols[] = {"generation", "eps",
		"particles", "proposals", "simulations", "acceptance_rate",
		"ess"};
	csv_doc d;
	long col[9];
	int rc = csv_read(&d, r->dir, "posterior-summary.csv", err);
	if (!rc && (rc = need_columns(&d, r->dir, "posterior-summary.csv",
				      post_cols, 9, col, err)))
		csv_doc_free(&d);
	if (rc)
		return rc;
	coh_strbuf_puts(b, "<h2>Posterior</h2>\n<p>Each calibrated setting: "
			   "its prior (uniform, or uniform on a log scale, "
			   "over its range), then the posterior's weighted "
			   "mean, standard deviation and median, and its 90% "
			   "credible interval (the 5% and 95% quantiles). An "
			   "interval much narrower than the prior's range is "
			   "what the milestones pin down.</p>\n");
	coh_strbuf_puts(b, "<table>\n<tr><th>setting</th><th>prior</th>"
			   "<th>mean</th><th>sd</th><th>median</th>"
			   "<th>90% credible interval</th></tr>\n");
	for (size_t row = 1; row < d.n_rows && row <= FOLDER_ROWS; row++) {
		char prior[160];
		const char *scale = csv_at(&d, row, (size_t)col[3]);
		snprintf(prior, sizeof prior, "%s on [%.4g, %.4g]",
			 strcmp(scale, "log") == 0 ? "log-uniform" : scale,
			 field_number(csv_at(&d, row, (size_t)col[1])),
			 field_number(csv_at(&d, row, (size_t)col[2])));
		coh_strbuf_puts(b, "<tr>");
		cell(b, csv_at(&d, row, (size_t)col[0]), 0);
		cell(b, prior, 0);
		num4(b, csv_at(&d, row, (size_t)col[4]));
		num4(b, csv_at(&d, row, (size_t)col[5]));
		num4(b, csv_at(&d, row, (size_t)col[7]));
		interval(b, csv_at(&d, row, (size_t)col[6]),
			 csv_at(&d, row, (size_t)col[8]));
		coh_strbuf_puts(b, "</tr>\n");
	}
	coh_strbuf_puts(b, "</table>\n");
	csv_doc_free(&d);

	rc = csv_read(&d, r->dir, "milestones.csv", err);
	if (!rc && (rc = need_columns(&d, r->dir, "milestones.csv", ms_cols,
				      6, col, err)))
		csv_doc_free(&d);
	if (rc)
		return rc;
	coh_strbuf_puts(b, "<h2>Milestones</h2>\n<p>The record the "
			   "calibration fits: each milestone with its weight, "
			   "and the share of replications that meet it under "
			   "the prior (every replication of the first "
			   "generation) and under the posterior (the final "
			   "particles' replications, weighted).</p>\n");
	cut_note(b, FOLDER_ROWS, d.n_rows - 1, "milestones", "milestones.csv");
	coh_strbuf_puts(b, "<table>\n<tr><th>milestone</th><th>date</th>"
			   "<th>condition</th><th>weight</th><th>prior pass "
			   "rate</th><th>posterior pass rate</th></tr>\n");
	for (size_t row = 1; row < d.n_rows && row <= FOLDER_ROWS; row++) {
		coh_strbuf_puts(b, "<tr>");
		cell(b, csv_at(&d, row, (size_t)col[0]), 0);
		cell(b, csv_at(&d, row, (size_t)col[1]), 1);
		cell(b, csv_at(&d, row, (size_t)col[2]), 0);
		num4(b, csv_at(&d, row, (size_t)col[3]));
		num_cell(b, 3, 0, field_number(csv_at(&d, row,
						      (size_t)col[4])));
		num_cell(b, 3, 0, field_number(csv_at(&d, row,
						      (size_t)col[5])));
		coh_strbuf_puts(b, "</tr>\n");
	}
	coh_strbuf_puts(b, "</table>\n");
	csv_doc_free(&d);

	rc = csv_read(&d, r->dir, "generations.csv", err);
	if (!rc && (rc = need_columns(&d, r->dir, "generations.csv",
				      gen_cols, 7, col, err)))
		csv_doc_free(&d);
	if (rc)
		return rc;
	coh_strbuf_puts(b, "<h2>Generations</h2>\n<p>Each generation's "
			   "tolerance eps (the share of the milestones' weight "
			   "a replication may miss; generation 0 is the "
			   "prior), the particles it kept, the proposals and "
			   "simulations it took, the share of proposals "
			   "accepted and the effective sample size of its "
			   "weights.</p>\n");
	cut_note(b, FOLDER_ROWS, d.n_rows - 1, "generations",
		 "generations.csv");
	coh_strbuf_puts(b, "<table>\n<tr><th>generation</th><th>eps</th>"
			   "<th>particles</th><th>proposals</th>"
			   "<th>simulations</th><th>acceptance</th>"
			   "<th>ESS</th></tr>\n");
	for (size_t row = 1; row < d.n_rows && row <= FOLDER_ROWS; row++) {
		coh_strbuf_puts(b, "<tr>");
		for (size_t k = 0; k < 7; k++)
			if (k == 1 || k >= 5)
				num4(b, csv_at(&d, row, (size_t)col[k]));
			else
				cell(b, csv_at(&d, row, (size_t)col[k]), 1);
		coh_strbuf_puts(b, "</tr>\n");
	}
	coh_strbuf_puts(b, "</table>\n");
	csv_doc_free(&d);
	return 0;
}

/* backtest.csv: each milestone after the cutoff with its forecast
 * probability and scores, and the sums on its last line. */
static int backtest_table(coh_strbuf *b, const cli_folder_report *r,
			  coh_error *err)
{
	static const char *const names[] = {"id", "date", "description",
		"probability", "brier", "log_score"};
	csv_doc d;
	long col[6];
	int rc = csv_read(&d, r->dir, "backtest.csv", err);
	if (!rc && (rc = need_columns(&d, r->dir, "backtest.csv", names, 6,
				      col, err)))
		csv_doc_free(&d);
	if (rc)
		return rc;
	coh_strbuf_puts(b, "<h2>Forecast</h2>\n<p>Each milestone of the "
			   "record after the cutoff: the share p of "
			   "replications in which it held (the forecast "
			   "probability), its Brier score (1 &minus; p)&sup2; "
			   "and its log score &minus;ln max(p, 1/(2R)), R the "
			   "replications. Lower scores are better; 0 is a "
			   "certain, correct forecast. The last line sums "
			   "them.</p>\n");
	coh_strbuf_puts(b, "<table>\n<tr><th>milestone</th><th>date</th>"
			   "<th>condition</th><th>probability</th>"
			   "<th>Brier</th><th>log score</th></tr>\n");
	for (size_t row = 1; row < d.n_rows; row++) {
		int sum = strcmp(csv_at(&d, row, (size_t)col[0]), "(sum)") == 0;
		/* the sums always, the milestones up to the cap */
		if (!sum && row > FOLDER_ROWS)
			continue;
		coh_strbuf_puts(b, sum ? "<tr class=\"sum\">" : "<tr>");
		cell(b, sum ? "sum" : csv_at(&d, row, (size_t)col[0]), 0);
		cell(b, csv_at(&d, row, (size_t)col[1]), 1);
		cell(b, csv_at(&d, row, (size_t)col[2]), 0);
		if (sum)
			cell(b, "", 1);
		else
			num_cell(b, 3, 0, field_number(csv_at(
				&d, row, (size_t)col[3])));
		num_cell(b, 3, 0, field_number(csv_at(&d, row,
						      (size_t)col[4])));
		num_cell(b, 3, 0, field_number(csv_at(&d, row,
						      (size_t)col[5])));
		coh_strbuf_puts(b, "</tr>\n");
	}
	coh_strbuf_puts(b, "</table>\n");
	csv_doc_free(&d);
	return 0;
}

/* Links to the folder's data files that manifest.json lists. */
static void file_links(coh_strbuf *b, json_t *man)
{
	json_t *files = json_object_get(man, "files");
	data_begin(b);
	for (size_t i = 0; i < json_array_size(files); i++) {
		json_t *f = json_array_get(files, i);
		data_link(b, json_is_string(f) ? json_string_value(f)
						: jtext(f, "name"));
	}
	coh_strbuf_puts(b, "</ul>\n");
}

/* A figure's caption: what it shows, which for a sweep depends on its
 * axes (plots/sweep.gp). */
static const char *folder_caption(const cli_folder_report *r,
				  const char *figure)
{
	static const struct {
		const char *figure, *caption;
	} captions[] = {
		{"attribution.gp", "Each unit's effect on each quantity with its "
		 "95% interval, largest |effect| first; beyond the largest 15, "
		 "the rest as one bar."},
		{"morris.gp", "Each factor's mu* against its sigma, with 95% "
		 "intervals: factors near the origin can be fixed; those above "
		 "the dashed line act mostly through interactions."},
		{"sensitivity.gp", "Each factor's first-order (S1) and total "
		 "(ST) Sobol' index for each quantity, with 95% bootstrap "
		 "intervals."},
		{"calibration.gp", "Each calibrated setting's posterior (bars: "
		 "the final particles, weighted) over its whole prior range, "
		 "against the prior (dashed line). Densities are per unit of "
		 "the prior's scale, so a flat prior is a flat line; a "
		 "log-uniform prior is drawn on a log axis."},
		{"generations.gp", "How the calibration went: each generation's "
		 "tolerance eps and effective sample size, and the share of "
		 "proposals it accepted."},
		{"pairs.gp", "The posterior's particles two settings at a time, "
		 "each point sized by its weight: an empty band or corner is a "
		 "combination the milestones rule out even where each value "
		 "alone is allowed."},
		{"backtest.gp", "Each milestone after the cutoff: the forecast "
		 "probability that it holds (the share of replications), "
		 "labelled with its Brier score. A good forecast puts its bars "
		 "near 1."},
	};
	if (r->kind == CLI_FOLDER_SWEEP) {
		if (r->n_axes == 1)
			return "Final cohesion against the setting (the mean "
			       "with its 95% interval, and the 2.5%-97.5% "
			       "spread of the replications), and each "
			       "member's chance of exiting by the end (or of "
			       "freezing, with --metric freeze).";
		if (r->n_axes == 2)
			return "Final cohesion across the design, beside the "
			       "chance that a member exits by the end (or "
			       "freezes, with --metric freeze): the member "
			       "most likely to, or the one --metric names.";
		return "Final cohesion against each varied setting, one panel "
		       "per setting.";
	}
	for (size_t i = 0; i < sizeof captions / sizeof *captions; i++)
		if (strcmp(captions[i].figure, figure) == 0)
			return captions[i].caption;
	return "";
}

/* The figures' section: the SVGs drawn (svg[i], or missing, or why they
 * could not be, in draw_err when drawn is COH_EIO) set inline with their
 * captions. */
static void folder_figures(coh_strbuf *b, const cli_folder_report *r,
			   const char *const *figs, size_t n_figs,
			   char *const *svg, int missing, int drawn,
			   const coh_error *draw_err)
{
	coh_strbuf_puts(b, n_figs > 1 ? "<h2>Figures</h2>\n"
				      : "<h2>Figure</h2>\n");
	if (drawn == COH_EIO) {
		coh_strbuf_printf(b, "<p class=\"note\">The figure%s could not "
				     "be drawn: ", n_figs > 1 ? "s" : "");
		coh_html_escape(b, draw_err->message);
		coh_strbuf_puts(b, "</p>\n");
		return;
	}
	if (missing) {
		coh_strbuf_printf(b, "<p class=\"note\">gnuplot is not "
				     "installed where this report was written, "
				     "so it holds no figure%s. Install gnuplot "
				     "(e.g. apt-get install gnuplot-nox) and "
				     "run cohesim plot on the output folder to "
				     "draw %s.</p>\n", n_figs > 1 ? "s" : "",
				  n_figs > 1 ? "them" : "it");
		return;
	}
	for (size_t i = 0; i < n_figs; i++) {
		char prefix[32];
		snprintf(prefix, sizeof prefix, "f%zu-", i + 1);
		coh_strbuf_puts(b, "<figure>\n");
		if (!svg[i] || coh_html_svg(b, svg[i], prefix) != 0)
			coh_strbuf_puts(b, "<p class=\"note\">This figure could "
					   "not be set inline.</p>\n");
		coh_strbuf_puts(b, "\n<figcaption>");
		coh_html_escape(b, folder_caption(r, figs[i]));
		coh_strbuf_puts(b, "</figcaption>\n</figure>\n");
	}
}

#define FOLDER_FIGURES 3

int cli_report_folder(const cli_folder_report *r, int *written,
		      coh_error *err)
{
	static const char *const intros[] = {
		"A report of cohesim sweep: the scenario run at every point "
		"of a design over its settings.",
		"A report of cohesim attribute: what caused what, each "
		"quantity of interest split among the units of the "
		"scenario.",
		"A report of cohesim sensitivity: which assumptions matter, "
		"and how much of each quantity's variance each one explains.",
		"A report of cohesim calibrate: what the record supports, "
		"the settings of the calibration block drawn by ABC-SMC until "
		"the scenario's replications meet its milestones.",
		"A report of cohesim backtest: how well the scenario, cut at "
		"a date, forecasts the milestones of the record after it.",
	};
	if (written)
		*written = 0;
	/* The figure first: a gnuplot that fails costs the page its figure
	 * (a warning), not the command its results; when plot finds no
	 * gnuplot, the page keeps the figure it has. */
	const char *const *figs = r->n_figures ? r->figures : &r->figure;
	size_t n_figs = r->n_figures ? r->n_figures : 1;
	char *svg[FOLDER_FIGURES] = {NULL, NULL, NULL};
	if (n_figs > FOLDER_FIGURES)
		return coh_error_set(err, COH_EINPUT, r->dir, 0, "more than %d "
				     "figures for report.html", FOLDER_FIGURES);
	int missing = 0;
	coh_error draw_err = {0};
	int drawn = cli_draw_svg(r->dir, r->model, r->opts, figs, n_figs,
				 r->axes, r->n_axes, svg, &missing,
				 &draw_err);
	if (drawn && drawn != COH_EIO) {
		for (size_t i = 0; i < n_figs; i++)
			coh_free(svg[i]);
		*err = draw_err;
		return drawn;
	}
	if (drawn == COH_EIO)
		fprintf(stderr, "cohesim: warning: report.html has no figure: "
			"%s\n", draw_err.message);
	if (missing && r->keep_without_gnuplot)
		return 0;
	char *path = coh_output_path(r->dir, "manifest.json");
	if (!path) {
		for (size_t i = 0; i < n_figs; i++)
			coh_free(svg[i]);
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	}
	json_error_t why;
	json_t *man = json_load_file(path, 0, &why);
	if (!man) {
		int rc = coh_error_set(err, COH_EINPUT, path, why.line,
				       "cannot read the manifest: %s",
				       why.text);
		coh_free(path);
		for (size_t i = 0; i < n_figs; i++)
			coh_free(svg[i]);
		return rc;
	}
	coh_free(path);
	const coh_model *m = r->model;
	const char *title = r->title ? r->title : m->title ? m->title
			  : m->name;
	coh_strbuf b = {0};
	coh_html_begin(&b, title);
	coh_strbuf_puts(&b, "<h1>");
	coh_html_escape(&b, title);
	coh_strbuf_puts(&b, "</h1>\n<p>");
	coh_html_escape(&b, intros[r->kind]);
	/* calibrate's own manifest records no SHA-256 */
	coh_strbuf_puts(&b, r->kind == CLI_FOLDER_CALIBRATE
			? " The data behind it are the CSV files beside this "
			  "page; manifest.json lists them.</p>\n"
			: " The data behind it are the CSV files beside this "
			  "page; manifest.json lists them with the scenario's "
			  "SHA-256.</p>\n");
	folder_facts(&b, r, man);
	/* a sweep's table of points runs long: its figure comes first, the
	 * analyses' short tables before their figures */
	int rc = 0;
	if (r->kind == CLI_FOLDER_SWEEP) {
		folder_figures(&b, r, figs, n_figs, svg, missing, drawn,
			       &draw_err);
		rc = sweep_table(&b, r, err);
	} else if (r->kind == CLI_FOLDER_ATTRIBUTE) {
		rc = attribute_tables(&b, r, err);
	} else if (r->kind == CLI_FOLDER_CALIBRATE) {
		rc = calibrate_tables(&b, r, err);
	} else if (r->kind == CLI_FOLDER_BACKTEST) {
		rc = backtest_table(&b, r, err);
	} else {
		factor_table(&b, man);
		rc = sensitivity_tables(&b, r, man, err);
	}
	if (!rc && r->kind != CLI_FOLDER_SWEEP)
		folder_figures(&b, r, figs, n_figs, svg, missing, drawn,
			       &draw_err);
	for (size_t i = 0; i < n_figs; i++)
		coh_free(svg[i]);
	file_links(&b, man);
	json_decref(man);
	coh_html_end(&b);
	if (!rc)
		rc = b.failed || !b.s
		     ? coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory")
		     : coh_output_write_file(r->dir, "report.html", b.s, b.len,
					     err);
	coh_strbuf_free(&b);
	static const char *const listed[] = {"report.html"};
	if (!rc)
		rc = coh_manifest_add_files(r->dir, listed, 1, err);
	if (!rc && written)
		*written = 1;
	return rc;
}

/*--- plot DIR on the folder of a run or a comparison ---------------------*/

/* The figures' section of a page of run or compare, from its heading to
 * the next one (the timeline's). */
#define FIGURES_START "<h2>Figures</h2>\n"
#define FIGURES_END "<h2>Timeline</h2>\n"

int cli_report_refigure(const cli_report_page *page, coh_error *err)
{
	char *old;
	int rc = read_text(&old, page->dir, "report.html", err);
	if (rc)
		return rc;
	char *start = strstr(old, FIGURES_START);
	char *end = start ? strstr(start, FIGURES_END) : NULL;
	if (!end) {
		coh_free(old);
		char *path = coh_output_path(page->dir, "report.html");
		rc = coh_error_set(err, COH_EINPUT, path ? path : page->dir, 0,
				   "has no figures section where cohesim "
				   "writes one; run the command again to write "
				   "the page");
		coh_free(path);
		return rc;
	}
	coh_strbuf b = {0};
	coh_strbuf_add(&b, old, (size_t)(start - old));
	figures(&b, page);
	coh_strbuf_puts(&b, end);
	coh_free(old);
	rc = b.failed || !b.s
	     ? coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory")
	     : coh_output_write_file(page->dir, "report.html", b.s, b.len,
				     err);
	coh_strbuf_free(&b);
	static const char *const listed[] = {"report.html"};
	if (!rc)
		rc = coh_manifest_add_files(page->dir, listed, 1, err);
	return rc;
}
