/* report.html: the escaping and SVG functions of src/output/html.c, then
 * `cohesim run` as a user runs it: a scenario whose title and note hold
 * markup, the page checked as text (escaped, no script, nothing fetched
 * from elsewhere, the headline numbers run printed, listed in the
 * manifest), by tidy (no warning and no error: tidy -q -e exits 0), and
 * in a real browser: headless Chromium builds the DOM (title, three
 * figures, no image) and takes a screenshot that must not be blank.
 * `cohesim plot DIR` gives run's page new figures and keeps its tables,
 * and leaves it alone without gnuplot.  compare's page gets the same text
 * and tidy checks.  The pages of
 * sweep, attribute and sensitivity get all of them, and each must show a
 * number of its CSV table, come back from `cohesim plot DIR`, and go with
 * --report none.
 *
 * The screenshot criterion, since decoding a PNG here would need zlib:
 * Chromium's PNG of the report must be at least four times the size of
 * its PNG of an empty page at the same window size.  A blank or nearly
 * blank page compresses to a few kilobytes; text, tables and figures do
 * not.
 *
 * Under valgrind (COH_WRAP set) the browser part is skipped: Chromium is
 * not what is under test, and it takes seconds.  The checks of the HTML
 * text and tidy's still run.  Without Chromium or tidy, the test fails and
 * says that `make deps` installs them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bin_helpers.h"
#include "cohesim/version.h"
#include "core/strbuf.h"
#include "output/html.h"

#define GEN "tests/scenarios/generator.cfg"

/*--- html.c --------------------------------------------------------------*/

static char *escaped(const char *text)
{
	coh_strbuf b = {0};
	coh_html_escape(&b, text);
	assert_false(b.failed);
	if (!b.s)
		return strdup("");
	return b.s;
}

static void test_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"", ""},
		{"plain text, 1 < 2", "plain text, 1 &lt; 2"},
		{"<script>alert(1)</script>",
		 "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"a & b", "a &amp; b"},
		{"&amp;", "&amp;amp;"},
		{"\"double\" 'single'", "&quot;double&quot; &#39;single&#39;"},
		{"tab\tnew\nline\r", "tab\tnew\nline\r"},
		{"bell\a del\x7f", "bell\xef\xbf\xbd del\xef\xbf\xbd"},
		{"caf\xc3\xa9 \xe2\x80\x94", "caf\xc3\xa9 \xe2\x80\x94"},
		{"<<>>", "&lt;&lt;&gt;&gt;"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = escaped(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
	/* NULL appends nothing */
	coh_strbuf b = {0};
	coh_html_escape(&b, NULL);
	assert_int_equal(b.len, 0);
	coh_strbuf_free(&b);
}

static void test_page_frame(void **state)
{
	(void)state;
	coh_strbuf b = {0};
	coh_html_begin(&b, "<b>T</b>");
	coh_html_end(&b);
	assert_false(b.failed);
	assert_non_null(strstr(b.s, "<title>&lt;b&gt;T&lt;/b&gt;</title>"));
	assert_non_null(strstr(b.s, "<!DOCTYPE html>"));
	assert_null(strstr(b.s, "<b>"));
	assert_null(strstr(b.s, "http"));
	coh_strbuf_free(&b);
}

static void test_svg_inline(void **state)
{
	(void)state;
	const char *svg =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n"
		"<svg viewBox=\"0 0 10 10\">\n"
		"<defs><path id='gpPt1' d='M0,0'/></defs>\n"
		"<g clip-path=\"url(#gpClip)\"><use xlink:href='#gpPt1'/>"
		"<text>id='not a tag' &lt;script></text></g></svg>\n";
	coh_strbuf b = {0};
	assert_int_equal(coh_html_svg(&b, svg, "f2-"), 0);
	assert_false(b.failed);
	assert_int_equal(strncmp(b.s, "<svg viewBox", 12), 0);
	assert_null(strstr(b.s, "<?xml"));
	assert_null(strstr(b.s, "DOCTYPE"));
	assert_non_null(strstr(b.s, "<path id='f2-gpPt1'"));
	assert_non_null(strstr(b.s, "xlink:href='#f2-gpPt1'"));
	assert_non_null(strstr(b.s, "url(#f2-gpClip)"));
	/* text between tags is left as it is */
	assert_non_null(strstr(b.s, "<text>id='not a tag' &lt;script></text>"));
	coh_strbuf_free(&b);

	/* active content and non-SVG are refused, and nothing is added */
	static const char *const bad[] = {
		"<svg><script>alert(1)</script></svg>",
		"<svg><SCRIPT>alert(1)</SCRIPT></svg>",
		"<svg><rect onclick=\"alert(1)\"/></svg>",
		"<svg><rect\nonload = 'x'/></svg>",
		"<svg><foreignObject><p>x</p></foreignObject></svg>",
		"<html>no figure</html>",
		"<svgfoo></svgfoo>",
		"<svg><rect",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		coh_strbuf c = {0};
		if (coh_html_svg(&c, bad[i], "f1-") != -1) {
			print_error("accepted: %s\n", bad[i]);
			fail();
		}
		assert_int_equal(c.len, 0);
		coh_strbuf_free(&c);
	}
}

/*--- The binary ------------------------------------------------------------*/

static int tmp_setup(void **state)
{
	*state = bin_tmpdir();
	return *state ? 0 : -1;
}

static int tmp_teardown(void **state)
{
	bin_rmtree(*state);
	return 0;
}

static const char *const hostile_title = "<script>alert(1)</script> & 'q'";

/* generator.cfg with a title and a note that hold markup, as dir/x.cfg. */
static const char *write_hostile(const char *dir)
{
	char *text = bin_slurp(GEN, NULL);
	assert_non_null(text);
	coh_strbuf b = {0};
	const char *title = strstr(text, "  title = ");
	const char *note = strstr(text, "note = ");
	assert_non_null(title);
	assert_non_null(note);
	assert_true(title < note);
	coh_strbuf_add(&b, text, (size_t)(title - text));
	coh_strbuf_printf(&b, "  title = \"%s\";", hostile_title);
	const char *p = strchr(title, '\n');
	coh_strbuf_add(&b, p, (size_t)(note - p));
	coh_strbuf_puts(&b, "note = \"<img src=x onerror=alert(2)>\";");
	p = strchr(note, ';') + 1;
	coh_strbuf_puts(&b, p);
	assert_false(b.failed);
	const char *path = bin_path(dir, "x.cfg");
	assert_int_equal(bin_write_file(path, b.s), 0);
	coh_strbuf_free(&b);
	free(text);
	return path;
}

static size_t count(const char *text, const char *word)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, word)); p += strlen(word))
		n++;
	return n;
}

static int contains_nocase(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; *p; p++)
		if (strncasecmp(p, word, n) == 0)
			return 1;
	return 0;
}

/* Every src attribute inside a tag points into the page, and every href
 * too or to a file beside it (the data files a page links to): no
 * address with a scheme or a host, nothing fetched to show the page. */
static void check_no_external(const char *html)
{
	for (const char *p = html; (p = strchr(p, '<'));) {
		const char *end = strchr(p, '>');
		assert_non_null(end);
		for (const char *a = p; a < end; a++) {
			int src = strncasecmp(a, " src=", 5) == 0 ||
				  strncasecmp(a, "\nsrc=", 5) == 0;
			int href = strncasecmp(a, "href=", 5) == 0;
			if (!src && !href)
				continue;
			const char *v = a + 5;
			if (*v == '"' || *v == '\'')
				v++;
			size_t len = strcspn(v, "\"' >");
			int beside = href && len > 0 &&
				     !memchr(v, ':', len) && !memchr(v, '/', len);
			if (src || (*v != '#' && !beside)) {
				print_error("external reference: %.*s\n",
					    (int)(end - p + 1), p);
				fail();
			}
		}
		p = end + 1;
	}
	assert_false(contains_nocase(html, "<link"));
	assert_false(contains_nocase(html, "@import"));
	assert_false(contains_nocase(html, "url(http"));
}

/* The number after "cohesion" in run's closing lines, with its interval:
 * "0.726 [0.704, 0.748]". */
static void headline_cohesion(char *buf, size_t size, const char *out)
{
	const char *p = strstr(out, "\n  cohesion");
	assert_non_null(p);
	p += strlen("\n  cohesion");
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, "\n");
	assert_true(n > 0 && n < size);
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* Runs a shell command; its exit status, or -1. */
static int shell(const char *cmd)
{
	int st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The headless browser on this machine, or NULL. */
static const char *browser(void)
{
	if (shell("command -v chromium-headless-shell >/dev/null 2>&1") == 0)
		return "chromium-headless-shell --headless";
	if (shell("command -v chromium >/dev/null 2>&1") == 0)
		return "chromium --headless=new";
	return NULL;
}

/* Chromium on the page: --dump-dom into dom (a file), or a screenshot.
 * --no-sandbox because tests run as root in CI. */
static void chromium(const char *program, const char *html_path,
		     const char *what, const char *to)
{
	char abs[PATH_MAX];
	assert_int_equal(bin_abspath(abs, html_path), 0);
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof cmd,
		 "%s --no-sandbox --disable-gpu --hide-scrollbars "
		 "--window-size=1280,2400 %s 'file://%s' >%s 2>/dev/null",
		 program, what, abs, to);
	if (shell(cmd) != 0) {
		print_error("failed: %s\n", cmd);
		fail();
	}
}

/* The page in a real browser: the DOM Chromium builds holds title (as
 * the DOM serialises it), no script and no image, and n_svg figures each
 * parsed as SVG with a drawing in it; and a screenshot of it is not
 * blank, against an empty page's.  Scratch files go in dir. */
static void check_in_browser(const char *dir, const char *report,
			     int n_svg, const char *title)
{
	const char *program = browser();
	if (!program) {
		print_error("neither chromium-headless-shell nor chromium is "
			    "installed: 'make deps' installs "
			    "chromium-headless-shell\n");
		fail();
	}
	char dom_path[PATH_MAX];
	snprintf(dom_path, sizeof dom_path, "%s", bin_path(dir, "dom.html"));
	chromium(program, report, "--dump-dom", dom_path);
	char *dom = bin_slurp(dom_path, NULL);
	assert_non_null(dom);
	assert_non_null(strstr(dom, title));
	assert_false(contains_nocase(dom, "<script"));
	assert_false(contains_nocase(dom, "<img"));
	assert_int_equal(count(dom, "<svg"), n_svg);
	const char *p = dom;
	for (int i = 0; i < n_svg; i++) {
		p = strstr(p, "<svg");
		const char *end = strstr(p, "</svg>");
		assert_non_null(end);
		const char *path = strstr(p, "<path");
		assert_true(path && path < end);
		p = end;
	}
	free(dom);

	const char *blank = bin_path(dir, "blank.html");
	assert_int_equal(bin_write_file(blank, "<!DOCTYPE html><html "
		"lang=\"en\"><head><meta charset=\"utf-8\"><title>"
		"blank</title></head><body></body></html>\n"), 0);
	char shot[PATH_MAX + 32], blank_shot[PATH_MAX + 32];
	snprintf(shot, sizeof shot, "--screenshot=%s",
		 bin_path(dir, "report.png"));
	snprintf(blank_shot, sizeof blank_shot, "--screenshot=%s",
		 bin_path(dir, "blank.png"));
	chromium(program, report, shot, "/dev/null");
	chromium(program, blank, blank_shot, "/dev/null");
	size_t n_report = 0, n_blank = 0;
	char *png = bin_slurp(bin_path(dir, "report.png"), &n_report);
	char *png0 = bin_slurp(bin_path(dir, "blank.png"), &n_blank);
	assert_non_null(png);
	assert_non_null(png0);
	assert_int_equal(memcmp(png, "\x89PNG", 4), 0);
	assert_int_equal(memcmp(png0, "\x89PNG", 4), 0);
	if (!(n_blank > 0 && n_report >= 4 * n_blank)) {
		print_error("screenshot of %zu bytes, blank page %zu: looks "
			    "blank\n", n_report, n_blank);
		fail();
	}
	free(png);
	free(png0);
}

static void test_run_report(void **state)
{
	const char *dir = *state;
	const char *wrap = getenv("COH_WRAP");
	int under_valgrind = wrap && wrap[0];
	const char *cfg = write_hostile(dir);
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", bin_path(dir, "out"));
	bin_result r;
	bin_run(&r, "run", cfg, "-o", out, "-r", "20", "--plot", "none",
		NULL);
	bin_expect_status(&r, 0);
	char cohesion[64];
	headline_cohesion(cohesion, sizeof cohesion, r.out);
	bin_result_free(&r);

	/* a copy: bin_path's buffers rotate */
	char report[PATH_MAX];
	snprintf(report, sizeof report, "%s", bin_path(out, "report.html"));
	char *html = bin_slurp(report, NULL);
	assert_non_null(html);

	/* escaped, never markup */
	assert_non_null(strstr(html, "<title>&lt;script&gt;alert(1)&lt;/script"
				     "&gt; &amp; &#39;q&#39;</title>"));
	assert_non_null(strstr(html, "<h1>&lt;script&gt;alert(1)"));
	assert_false(contains_nocase(html, "<script"));
	assert_non_null(strstr(html, "&lt;img src=x onerror=alert(2)&gt;"));
	assert_false(contains_nocase(html, "<img"));
	check_no_external(html);
	/* what the page must hold: the command line, version, seed, the
	 * number run printed, three figures, and the timeline's source */
	assert_non_null(strstr(html, "<span>--plot</span> <span>none</span>"));
	assert_non_null(strstr(html, "<dd>" COH_VERSION "</dd>"));
	assert_non_null(strstr(html, "<dt>Seed</dt><dd>42</dd>"));
	assert_non_null(strstr(html, cohesion));
	assert_int_equal(count(html, "<svg"), 3);
	assert_int_equal(count(html, "<figure>"), 3);
	assert_non_null(strstr(html, "test, line 1"));
	assert_non_null(strstr(html, "Autumn summit"));
	assert_non_null(strstr(html, "<a href=\"summary.csv\">"));
	/* the manifest lists it */
	char *manifest = bin_slurp(bin_path(out, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"report.html\""));
	free(manifest);
	/* the scratch folder of the SVG figures is gone, and the output
	 * folder holds no figure, as --plot none says */
	assert_false(bin_exists(bin_path(out, "cohesion.svg")));

	/* valid HTML: tidy finds neither errors nor warnings */
	if (shell("command -v tidy >/dev/null 2>&1") != 0) {
		print_error("tidy is not installed: 'make deps' installs it\n");
		fail();
	}
	char cmd[2 * PATH_MAX];
	snprintf(cmd, sizeof cmd, "tidy -q -e '%s' 2>'%s'", report,
		 bin_path(dir, "tidy.txt"));
	int tidy = shell(cmd);
	if (tidy != 0) {
		char *msg = bin_slurp(bin_path(dir, "tidy.txt"), NULL);
		print_error("tidy -q -e exit %d:\n%s\n", tidy, msg ? msg : "");
		free(msg);
		fail();
	}

	if (!under_valgrind)
		check_in_browser(dir, report, 3,
				 "<title>&lt;script&gt;alert(1)&lt;/script&gt; "
				 "&amp; 'q'</title>");

	/* plot DIR gives the page the figures it draws (here of one member)
	 * and keeps the rest; drawn as run drew them, the page is run's */
	bin_run(&r, "plot", out, "--members", "S", "-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *one = bin_slurp(report, NULL);
	assert_non_null(one);
	assert_int_equal(count(one, "<svg"), 3);
	assert_non_null(strstr(one, cohesion));
	assert_non_null(strstr(one, "Autumn summit"));
	assert_true(strcmp(one, html) != 0);
	free(one);
	bin_run(&r, "plot", out, "-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	one = bin_slurp(report, NULL);
	assert_non_null(one);
	assert_string_equal(one, html);
	free(one);
	/* without gnuplot, plot leaves the page as it is */
	setenv("COH_GNUPLOT", "/nonexistent/gnuplot", 1);
	bin_run(&r, "plot", out, "-q", NULL);
	unsetenv("COH_GNUPLOT");
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	one = bin_slurp(report, NULL);
	assert_non_null(one);
	assert_string_equal(one, html);
	free(one);
	free(html);
}

/* --report none writes none and removes an earlier run's; without gnuplot
 * the page says so instead of showing figures. */
static void test_report_options(void **state)
{
	const char *dir = *state;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", bin_path(dir, "out"));
	bin_result r;
	setenv("COH_GNUPLOT", "/nonexistent/gnuplot", 1);
	bin_run(&r, "run", GEN, "-o", out, "-q", "--plot", "none", NULL);
	unsetenv("COH_GNUPLOT");
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *html = bin_slurp(bin_path(out, "report.html"), NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "gnuplot is not installed"));
	assert_int_equal(count(html, "<svg"), 0);
	free(html);

	bin_run(&r, "run", GEN, "-o", out, "-q", "--plot", "none",
		"--report", "none", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(out, "report.html")));
	char *manifest = bin_slurp(bin_path(out, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_null(strstr(manifest, "report.html"));
	free(manifest);

	bin_run(&r, "run", GEN, "-o", out, "--report", "pdf", NULL);
	bin_expect_status(&r, 2);
	assert_non_null(strstr(r.err, "--report expects html or none, got "
				      "\"pdf\""));
	bin_result_free(&r);
}

/* compare's page: the table of paired differences with the numbers
 * compare printed, one figure, valid HTML, the title escaped; --report
 * none removes it.  The browser checks are run's alone: both pages come
 * from the same code, and each Chromium start costs seconds. */
static void test_compare_report(void **state)
{
	const char *dir = *state;
	const char *cfg = write_hostile(dir);
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", bin_path(dir, "cmp"));
	bin_result r;
	bin_run(&r, "compare", cfg, GEN, "-o", out, "-r", "10", "--plot",
		"none", NULL);
	bin_expect_status(&r, 0);
	/* "  cohesion   0.7263   0.7263   +0.0000   [...]": the base mean */
	const char *line = strstr(r.out, "\n  cohesion ");
	assert_non_null(line);
	char base[32], want[64];
	assert_int_equal(sscanf(line, " cohesion %31s", base), 1);
	snprintf(want, sizeof want, "<td>cohesion</td><td class=\"num\">%s"
		 "</td>", base);
	bin_result_free(&r);

	char report[PATH_MAX];
	snprintf(report, sizeof report, "%s", bin_path(out, "report.html"));
	char *html = bin_slurp(report, NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "<title>&lt;script&gt;alert(1)&lt;/script"
				     "&gt; &amp; &#39;q&#39;</title>"));
	assert_false(contains_nocase(html, "<script"));
	check_no_external(html);
	assert_non_null(strstr(html, "Paired differences"));
	assert_non_null(strstr(html, "<a href=\"compare.csv\">"));
	assert_non_null(strstr(html, want));
	assert_int_equal(count(html, "<svg"), 1);
	free(html);
	char *manifest = bin_slurp(bin_path(out, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"report.html\""));
	free(manifest);
	char cmd[2 * PATH_MAX];
	snprintf(cmd, sizeof cmd, "tidy -q -e '%s' 2>/dev/null", report);
	assert_int_equal(shell(cmd), 0);
	/* plot DIR draws its figure into it again, the table kept */
	bin_run(&r, "plot", out, "-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	html = bin_slurp(report, NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, want));
	assert_int_equal(count(html, "<svg"), 1);
	free(html);
	assert_int_equal(shell(cmd), 0);

	bin_run(&r, "compare", cfg, GEN, "-o", out, "-r", "2", "-q",
		"--plot", "none", "--report", "none", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(report));
}

/*--- sweep, attribute, sensitivity ------------------------------------------*/

/* What every folder's page must be: there, escaped, self-contained, with
 * n_svg figures, listed in the manifest, valid for tidy and, but under
 * valgrind, sound in a browser (dom_title as the DOM serialises the
 * title).  Returns the page's text (the caller frees it). */
static char *check_page(const char *dir, const char *out, int n_svg,
			const char *dom_title)
{
	const char *wrap = getenv("COH_WRAP");
	char report[PATH_MAX];
	snprintf(report, sizeof report, "%s", bin_path(out, "report.html"));
	char *html = bin_slurp(report, NULL);
	assert_non_null(html);
	assert_false(contains_nocase(html, "<script"));
	check_no_external(html);
	assert_int_equal(count(html, "<svg"), n_svg);
	char *manifest = bin_slurp(bin_path(out, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"report.html\""));
	free(manifest);
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof cmd, "tidy -q -e '%s' 2>'%s'", report,
		 bin_path(dir, "tidy.txt"));
	int tidy = shell(cmd);
	if (tidy != 0) {
		char *msg = bin_slurp(bin_path(dir, "tidy.txt"), NULL);
		print_error("tidy -q -e exit %d:\n%s\n", tidy, msg ? msg : "");
		free(msg);
		fail();
	}
	if (!(wrap && wrap[0]))
		check_in_browser(dir, report, n_svg, dom_title);
	return html;
}

/* The number in column name of the CSV file's row (from 0) as the
 * report's tables show it: a cell of four significant digits. */
static void table_cell(char *buf, size_t size, const char *csv,
		       size_t row, const char *name)
{
	csv_table t;
	if (csv_load(&t, csv) != 0) {
		print_error("%s: %s\n", csv, t.error);
		fail();
	}
	int col = csv_col(&t, name);
	assert_true(col >= 0);
	assert_true(row < t.n_rows);
	double x = csv_num(csv_get(&t, row, col));
	assert_false(isnan(x));
	snprintf(buf, size, "<td class=\"num\">%.4g</td>", x);
	csv_free(&t);
}

/* `cohesim plot DIR` writes the page again (here over a spoilt one);
 * returns the new text. */
static char *replot(const char *out)
{
	const char *report = bin_path(out, "report.html");
	assert_int_equal(bin_write_file(report, "stale"), 0);
	bin_result r;
	bin_run(&r, "plot", out, NULL);
	bin_expect_status(&r, 0);
	assert_non_null(strstr(r.err, "report.html"));
	bin_result_free(&r);
	char *html = bin_slurp(bin_path(out, "report.html"), NULL);
	assert_non_null(html);
	assert_null(strstr(html, "stale"));
	return html;
}

static const char *const hostile_dom_title =
	"<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; 'q'</title>";

/* sweep's page: the design, the table of points with sweep-summary.csv's
 * numbers, the figure, links to the data; plot DIR writes the same page
 * again; --report none removes it, and plot then writes none. */
static void test_sweep_report(void **state)
{
	const char *dir = *state;
	/* a copy: bin_path's buffers rotate */
	char cfg[PATH_MAX];
	snprintf(cfg, sizeof cfg, "%s", write_hostile(dir));
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", bin_path(dir, "sweep"));
	const char *args[] = {"sweep", cfg, "--vary", "model.freeze=0.3:0.5:3",
			      "--vary", "model.exit=0.05,0.15", "-r", "4",
			      "-o", out, "-q", "--plot", "none", NULL, NULL,
			      NULL, NULL, NULL};
	bin_result r;
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *html = check_page(dir, out, 1, hostile_dom_title);
	assert_non_null(strstr(html, "<title>&lt;script&gt;alert(1)"));
	assert_non_null(strstr(html, "A report of cohesim sweep"));
	assert_non_null(strstr(html, "<dd>grid over model.freeze, "
				     "model.exit</dd>"));
	assert_non_null(strstr(html, "<dt>Points</dt><dd>6 of 6</dd>"));
	assert_non_null(strstr(html, "<dt>Seed</dt><dd>42</dd>"));
	char want[128];
	const char *summary = bin_path(out, "sweep-summary.csv");
	table_cell(want, sizeof want, summary, 0, "cohesion_mean");
	assert_non_null(strstr(html, want));
	table_cell(want, sizeof want, summary, 5, "cohesion_mean");
	assert_non_null(strstr(html, want));
	/* two header rows (each member's id over frozen and exited), six
	 * points, and the note on a cut table only when one is cut */
	assert_int_equal(count(html, "<tr>"), 8);
	assert_non_null(strstr(html, "<th colspan=\"2\">S</th>"));
	assert_non_null(strstr(html, "<th>frozen</th><th>exited</th>"));
	assert_null(strstr(html, "The table shows the first"));
	assert_non_null(strstr(html, "<a href=\"sweep-summary.csv\">"));
	/* the scenario's SHA-256 as the manifest records it */
	char *manifest = bin_slurp(bin_path(out, "manifest.json"), NULL);
	const char *sha = strstr(manifest, "\"scenario_sha256\": \"");
	assert_non_null(sha);
	char code[80];
	snprintf(code, sizeof code, "<code>%.64s</code>", sha + 20);
	assert_non_null(strstr(html, code));
	free(manifest);

	/* plot DIR: the same page, its figure drawn again */
	char *again = replot(out);
	assert_string_equal(again, html);
	free(again);
	free(html);

	/* --report none (finishing the finished sweep) removes it */
	args[13] = "--resume";
	args[14] = "--report";
	args[15] = "none";
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(out, "report.html")));
	manifest = bin_slurp(bin_path(out, "manifest.json"), NULL);
	assert_null(strstr(manifest, "\"report.html\""));
	free(manifest);
	bin_run(&r, "plot", out, "-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(out, "report.html")));
}

/* A sweep of 201 points: the table stops at 200, and says so before it
 * starts. */
static void test_sweep_report_cut(void **state)
{
	const char *dir = *state;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", bin_path(dir, "long"));
	bin_result r;
	bin_run(&r, "sweep", GEN, "--vary", "model.freeze=0.2:0.6:201", "-r",
		"1", "-o", out, "-q", "--plot", "none", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *html = bin_slurp(bin_path(out, "report.html"), NULL);
	assert_non_null(html);
	const char *note = strstr(html, "The table shows the first 200 of 201 "
				  "points; sweep-summary.csv holds them all.");
	assert_non_null(note);
	assert_true(note < strstr(html, "<table"));
	assert_int_equal(count(html, "<tr>"), 202);
	free(html);
}

/* attribute's page: a table per quantity with attribution.csv's effects
 * and, for a 0/1 quantity, the probability of necessity; plot DIR writes
 * it again; --report none removes it. */
static void test_attribute_report(void **state)
{
	const char *dir = *state;
	/* a copy: bin_path's buffers rotate */
	char cfg[PATH_MAX];
	snprintf(cfg, sizeof cfg, "%s", write_hostile(dir));
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", bin_path(dir, "attr"));
	bin_result r;
	bin_run(&r, "attribute", cfg, "--qoi", "frozen:S@end", "--qoi",
		"cohesion@end", "-r", "16", "-o", out, "-q", "--plot", "none",
		NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *html = check_page(dir, out, 1, hostile_dom_title);
	assert_non_null(strstr(html, "A report of cohesim attribute"));
	assert_non_null(strstr(html, "<h3>frozen:S@end (removal)</h3>"));
	assert_non_null(strstr(html, "<h3>cohesion@end (removal)</h3>"));
	assert_non_null(strstr(html, "<th>PN</th>"));
	assert_int_equal(count(html, "<th>PN</th>"), 1);
	assert_non_null(strstr(html, "<dt>Replications</dt><dd>16</dd>"));
	assert_non_null(strstr(html, "Removal: each unit's effect is"));
	assert_non_null(strstr(html, "Autumn summit"));
	const char *csv = bin_path(out, "attribution.csv");
	char want[128];
	/* row 1: frozen:S@end's second event, with a PN */
	table_cell(want, sizeof want, csv, 1, "effect");
	assert_non_null(strstr(html, want));
	table_cell(want, sizeof want, csv, 1, "pn");
	assert_non_null(strstr(html, want));
	assert_non_null(strstr(html, "<a href=\"attribution.csv\">"));

	/* plot DIR: the table again, and the figure */
	char *again = replot(out);
	assert_non_null(strstr(again, want));
	assert_int_equal(count(again, "<svg"), 1);
	free(again);
	free(html);

	bin_run(&r, "attribute", cfg, "--qoi", "frozen:S@end", "-r", "4",
		"-o", out, "-q", "--plot", "none", "--report", "none", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(out, "report.html")));

	/* the ledger's page says what it is, and its generated types are
	 * parts sorted with the rest, not summaries: (total) comes last */
	bin_run(&r, "attribute", cfg, "--qoi", "commitment:S@end", "--method",
		"ledger", "-r", "4", "-o", out, "-q", "--plot", "none", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	html = bin_slurp(bin_path(out, "report.html"), NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "Bookkeeping, not causation"));
	const char *generated = strstr(html, "<tr><td>(generated ");
	const char *total = strstr(html, "<tr><td>(total)</td>");
	assert_non_null(generated);
	assert_non_null(total);
	assert_true(generated < total);
	assert_null(strstr(total + 1, "<tr><td>"));
	free(html);
}

/* sensitivity's page: the factors, the indices of
 * sensitivity-figure.csv with their notes, the figure; Morris's table
 * names its measures; plot DIR writes it again; --report none removes
 * it. */
static void test_sensitivity_report(void **state)
{
	const char *dir = *state;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", bin_path(dir, "sens"));
	const char *args[] = {"sensitivity", "tests/scenarios/sensitivity.cfg",
			      "-r", "2", "--samples", "8", "-o", out, "-q",
			      "--plot", "none", NULL, NULL, NULL, NULL};
	bin_result r;
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	const char *title = "<title>A linear response: relaxation from c0 "
			    "toward b</title>";
	char *html = check_page(dir, out, 1, title);
	assert_non_null(strstr(html, title));
	assert_non_null(strstr(html, "A report of cohesim sensitivity"));
	assert_non_null(strstr(html, "<td>members.A.sensitivity</td>"
				     "<td class=\"num\">0.1</td>"
				     "<td class=\"num\">1</td><td>log</td>"));
	assert_non_null(strstr(html, "<th>S1</th>"));
	assert_non_null(strstr(html, "<td>(noise)</td>"));
	const char *csv = bin_path(out, "sensitivity-figure.csv");
	char want[128];
	table_cell(want, sizeof want, csv, 0, "st");
	assert_non_null(strstr(html, want));
	table_cell(want, sizeof want, csv, 1, "s1");
	assert_non_null(strstr(html, want));
	/* the analysis's warnings, on the quantity they concern */
	assert_non_null(strstr(html, "<p class=\"note\">the ST interval of "));
	assert_non_null(strstr(html, "raise --samples"));

	char *again = replot(out);
	assert_non_null(strstr(again, want));
	assert_int_equal(count(again, "<svg"), 1);
	free(again);
	free(html);

	args[11] = "--resume";
	args[12] = "--report";
	args[13] = "none";
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(out, "report.html")));

	/* Morris: mu* and sigma */
	snprintf(out, sizeof out, "%s", bin_path(dir, "morris"));
	bin_run(&r, "sensitivity", "tests/scenarios/sensitivity.cfg",
		"--method", "morris", "--trajectories", "4", "-o", out, "-q",
		"--plot", "none", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	html = bin_slurp(bin_path(out, "report.html"), NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "<th>mu*</th>"));
	assert_non_null(strstr(html, "<th>sigma</th>"));
	assert_non_null(strstr(html, "Morris screening (4 trajectories"));
	table_cell(want, sizeof want, bin_path(out, "sensitivity-figure.csv"),
		   0, "mu_star");
	assert_non_null(strstr(html, want));
	assert_int_equal(count(html, "<svg"), 1);
	free(html);
}

#define COVERAGE "tests/scenarios/coverage.cfg"

/* coverage.cfg with a second prior, and a title with markup: its page
 * has the pairs too, and escapes the title. */
static const char *write_two_priors(const char *dir)
{
	char *text = bin_slurp(COVERAGE, NULL);
	assert_non_null(text);
	coh_strbuf b = {0};
	const char *name = strstr(text, "  name = ");
	const char *prior = strstr(text, "min = 2.0; max = 20.0; }");
	assert_non_null(name);
	assert_non_null(prior);
	coh_strbuf_add(&b, text, (size_t)(name - text));
	coh_strbuf_puts(&b, "  title = \"<b>Two & priors</b>\";\n");
	prior += strlen("min = 2.0; max = 20.0; }");
	coh_strbuf_add(&b, name, (size_t)(prior - name));
	coh_strbuf_puts(&b, ",\n    { path = \"members.[0].half_life\"; "
			    "min = 60.0; max = 240.0; }");
	coh_strbuf_puts(&b, prior);
	assert_false(b.failed);
	const char *path = bin_path(dir, "two.cfg");
	assert_int_equal(bin_write_file(path, b.s), 0);
	coh_strbuf_free(&b);
	free(text);
	return path;
}

/* calibrate's page: the facts of its own manifest, the posterior with
 * its 90% credible interval, the milestones' pass rates, the generations,
 * two figures (one prior: no pairs); plot DIR writes the same page again;
 * --report none removes it; a calibration stopped before eps = 0 says so
 * in a warning; two priors bring the pairs. */
static void test_calibrate_report(void **state)
{
	const char *dir = *state;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", bin_path(dir, "cal"));
	const char *args[] = {"calibrate", COVERAGE, "-p", "50", "-r", "2",
			      "-o", out, "-q", "--plot", "none", NULL, NULL,
			      NULL, NULL};
	bin_result r;
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *html = check_page(dir, out, 2, "<title>coverage</title>");
	assert_non_null(strstr(html, "A report of cohesim calibrate"));
	assert_non_null(strstr(html, "<dt>Seed</dt><dd>11</dd>"));
	assert_non_null(strstr(html, "<dd>50 per generation, 2 replications "
				     "each</dd>"));
	assert_non_null(strstr(html, "<dt>Final eps</dt><dd>0: converged"));
	assert_null(strstr(html, "did not converge"));
	assert_non_null(strstr(html, "<dd>tests/scenarios/coverage.cfg</dd>"));
	assert_non_null(strstr(html, "<th>90% credible interval</th>"));
	assert_non_null(strstr(html, "<td>generators.[0].rate</td><td>uniform "
				     "on [2, 20]</td>"));
	const char *csv = bin_path(out, "posterior-summary.csv");
	char want[128];
	table_cell(want, sizeof want, csv, 0, "mean");
	assert_non_null(strstr(html, want));
	table_cell(want, sizeof want, csv, 0, "median");
	assert_non_null(strstr(html, want));
	/* the milestones and their pass rates */
	assert_non_null(strstr(html, "<td>a-end</td><td class=\"num\">"
				     "2020-12-31</td>"));
	assert_non_null(strstr(html, "<th>posterior pass rate</th>"));
	table_cell(want, sizeof want, bin_path(out, "generations.csv"), 1,
		   "ess");
	assert_non_null(strstr(html, want));
	assert_non_null(strstr(html, "<a href=\"posterior-summary.csv\">"));
	assert_non_null(strstr(html, "<a href=\"milestones.csv\">"));
	assert_non_null(strstr(html, "<a href=\"generations.csv\">"));
	assert_null(strstr(html, "href=\"populations/\""));

	/* plot DIR: the same page, its figures drawn again */
	char *again = replot(out);
	assert_string_equal(again, html);
	free(again);
	free(html);

	/* --report none (finishing the finished calibration) removes it */
	args[11] = "--resume";
	args[12] = "--report";
	args[13] = "none";
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(out, "report.html")));
	char *manifest = bin_slurp(bin_path(out, "manifest.json"), NULL);
	assert_non_null(manifest);
	assert_null(strstr(manifest, "\"report.html\""));
	free(manifest);
	bin_run(&r, "plot", out, "-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(out, "report.html")));

	/* one generation: the prior, eps 1, not converged */
	snprintf(out, sizeof out, "%s", bin_path(dir, "cal1"));
	bin_run(&r, "calibrate", COVERAGE, "-p", "20", "-r", "2",
		"--max-generations", "1", "-o", out, "-q", "--plot", "none",
		NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	html = bin_slurp(bin_path(out, "report.html"), NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "<dd>1: not converged</dd>"));
	assert_non_null(strstr(html, "<strong>Warning: the calibration did "
				     "not converge.</strong>"));
	free(html);

	/* two priors: the pairs as well, and the title escaped */
	char cfg[PATH_MAX];
	snprintf(cfg, sizeof cfg, "%s", write_two_priors(dir));
	snprintf(out, sizeof out, "%s", bin_path(dir, "cal2"));
	bin_run(&r, "calibrate", cfg, "-p", "20", "-r", "2", "-o", out, "-q",
		"--plot", "none", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	html = check_page(dir, out, 3, "<title>&lt;b&gt;Two &amp; "
				       "priors&lt;/b&gt;</title>");
	assert_null(strstr(html, "<b>Two"));
	assert_non_null(strstr(html, "<td>members.[0].half_life</td>"));
	free(html);
}

/* backtest's page: the cutoff, the replications, backtest.csv's
 * probabilities and its sums; plot DIR writes the same page again;
 * --report none removes it; with --posterior it names the file. */
static void test_backtest_report(void **state)
{
	const char *dir = *state;
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", bin_path(dir, "bt"));
	const char *reps = getenv("COH_WRAP") && getenv("COH_WRAP")[0]
			   ? "20" : "200";
	const char *args[] = {"backtest", "tests/scenarios/backtest.cfg",
			      "--cutoff", "2020-03-31", "-r", reps, "-o", out,
			      "-q", "--plot", "none", NULL, NULL, NULL};
	bin_result r;
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	char *html = check_page(dir, out, 1, "<title>backtest</title>");
	assert_non_null(strstr(html, "A report of cohesim backtest"));
	assert_non_null(strstr(html, "<dt>Cutoff</dt><dd>2020-03-31</dd>"));
	char want[160];
	snprintf(want, sizeof want, "<dt>Replications</dt><dd>%s</dd>", reps);
	assert_non_null(strstr(html, want));
	assert_non_null(strstr(html, "(no --posterior)"));
	/* the probability of the first milestone, and the sums */
	csv_table t;
	assert_int_equal(csv_load(&t, bin_path(out, "backtest.csv")), 0);
	int p = csv_col(&t, "probability"), br = csv_col(&t, "brier");
	assert_true(p >= 0 && br >= 0);
	snprintf(want, sizeof want, "<td class=\"num\">%.3f</td>",
		 csv_num(csv_get(&t, 0, p)));
	assert_non_null(strstr(html, want));
	snprintf(want, sizeof want, "<tr class=\"sum\"><td>sum</td>");
	assert_non_null(strstr(html, want));
	snprintf(want, sizeof want, "<td class=\"num\">%.3f</td>",
		 csv_num(csv_get(&t, t.n_rows - 1, br)));
	assert_non_null(strstr(strstr(html, "<tr class=\"sum\">"), want));
	csv_free(&t);
	assert_non_null(strstr(html, "<a href=\"backtest.csv\">"));

	char *again = replot(out);
	assert_string_equal(again, html);
	free(again);
	free(html);

	args[11] = "--report";
	args[12] = "none";
	bin_run_argv(&r, NULL, args);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(out, "report.html")));
	bin_run(&r, "plot", out, "-q", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(bin_path(out, "report.html")));

	/* a posterior of one particle: the page names it */
	const char *post = bin_path(dir, "post.csv");
	assert_int_equal(bin_write_file(post, "particle,weight,"
					"generators.[0].rate,likelihood\n"
					"0,1,2,1\n"), 0);
	char post_path[PATH_MAX];
	snprintf(post_path, sizeof post_path, "%s", post);
	bin_run(&r, "backtest", "tests/scenarios/backtest.cfg", "--cutoff",
		"2020-03-31", "-r", "20", "--posterior", post_path, "-o", out,
		"-q", "--plot", "none", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	html = bin_slurp(bin_path(out, "report.html"), NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "<dt>Posterior</dt><dd>"));
	assert_non_null(strstr(html, "post.csv (1 particles drawn"));
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_page_frame),
		cmocka_unit_test(test_svg_inline),
		cmocka_unit_test_setup_teardown(test_run_report, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_report_options, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_compare_report, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_sweep_report, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_sweep_report_cut,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_attribute_report,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_sensitivity_report,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_calibrate_report,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_backtest_report,
						tmp_setup, tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
