/* report.html: one self-contained page to forward, written last but for
 * the manifest.  Its figures are the run's, drawn once more as SVG and
 * set inline; its style sheet is inline; it holds no script and loads
 * nothing from elsewhere.  Every string that comes from a scenario or the
 * command line goes through coh_html_escape. */
#include "cli.h"
#include "cohesim/date.h"
#include "cohesim/output.h"
#include "cohesim/version.h"
#include "core/strbuf.h"
#include "output/html.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
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
 * it in single quotes (a quote inside as '\''), then escaped for HTML. */
static void command_line(coh_strbuf *b, int argc, char *const *argv)
{
	coh_strbuf cmd = {0};
	for (int i = 0; i < argc; i++) {
		if (i)
			coh_strbuf_puts(&cmd, " ");
		if (shell_plain(argv[i])) {
			coh_strbuf_puts(&cmd, argv[i]);
			continue;
		}
		coh_strbuf_puts(&cmd, "'");
		for (const char *p = argv[i]; *p; p++) {
			if (*p == '\'')
				coh_strbuf_puts(&cmd, "'\\''");
			else
				coh_strbuf_add(&cmd, p, 1);
		}
		coh_strbuf_puts(&cmd, "'");
	}
	b->failed |= cmd.failed;
	coh_html_escape(b, cmd.s ? cmd.s : "");
	coh_strbuf_free(&cmd);
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
	coh_strbuf_puts(b, "<dt>Command line</dt><dd><code>");
	command_line(b, r->argc, r->argv);
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
