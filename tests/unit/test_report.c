/* report.html: the escaping and SVG functions of src/output/html.c, then
 * `cohesim run` as a user runs it: a scenario whose title and note hold
 * markup, the page checked as text (escaped, no script, nothing fetched
 * from elsewhere, the headline numbers run printed, listed in the
 * manifest), by tidy (no warning and no error: tidy -q -e exits 0), and
 * in a real browser: headless Chromium builds the DOM (title, three
 * figures, no image) and takes a screenshot that must not be blank.
 * compare's page gets the same text and tidy checks.
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

/* Every src and href attribute inside a tag points into the page: no
 * address with a scheme or a host. */
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
			if (src || *v != '#') {
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

	const char *report = bin_path(out, "report.html");
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
	assert_non_null(strstr(html, "--plot none"));
	assert_non_null(strstr(html, "<dd>0.1.0</dd>"));
	assert_non_null(strstr(html, "<dt>Seed</dt><dd>42</dd>"));
	assert_non_null(strstr(html, cohesion));
	assert_int_equal(count(html, "<svg"), 3);
	assert_int_equal(count(html, "<figure>"), 3);
	assert_non_null(strstr(html, "test, line 1"));
	assert_non_null(strstr(html, "Autumn summit"));
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

	if (!under_valgrind) {
		const char *program = browser();
		if (!program) {
			print_error("neither chromium-headless-shell nor "
				    "chromium is installed: 'make deps' "
				    "installs chromium-headless-shell\n");
			fail();
		}
		/* the DOM the browser built */
		char dom_path[PATH_MAX];
		snprintf(dom_path, sizeof dom_path, "%s",
			 bin_path(dir, "dom.html"));
		chromium(program, report, "--dump-dom", dom_path);
		char *dom = bin_slurp(dom_path, NULL);
		assert_non_null(dom);
		assert_non_null(strstr(dom, "<title>&lt;script&gt;alert(1)"
					    "&lt;/script&gt; &amp; 'q'</title>"));
		assert_false(contains_nocase(dom, "<script"));
		assert_false(contains_nocase(dom, "<img"));
		assert_int_equal(count(dom, "<svg"), 3);
		/* each figure was parsed as SVG with its drawing in it */
		const char *p = dom;
		for (int i = 0; i < 3; i++) {
			p = strstr(p, "<svg");
			const char *end = strstr(p, "</svg>");
			assert_non_null(end);
			const char *path = strstr(p, "<path");
			assert_true(path && path < end);
			p = end;
		}
		free(dom);

		/* a screenshot that is not blank, against an empty page */
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
			print_error("screenshot of %zu bytes, blank page "
				    "%zu: looks blank\n", n_report, n_blank);
			fail();
		}
		free(png);
		free(png0);
	}
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

	const char *report = bin_path(out, "report.html");
	char *html = bin_slurp(report, NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "<title>&lt;script&gt;alert(1)&lt;/script"
				     "&gt; &amp; &#39;q&#39;</title>"));
	assert_false(contains_nocase(html, "<script"));
	check_no_external(html);
	assert_non_null(strstr(html, "Paired differences"));
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

	bin_run(&r, "compare", cfg, GEN, "-o", out, "-r", "2", "-q",
		"--plot", "none", "--report", "none", NULL);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_false(bin_exists(report));
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
