/* HTML for report.html: escaping, the page's frame, inline SVG figures.
 * See html.h for the contracts. */
#include "output/html.h"

#include <ctype.h>
#include <string.h>

void coh_html_escape(coh_strbuf *b, const char *text)
{
	if (!text)
		return;
	const char *run = text;  /* bytes copied as they are */
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		const char *ref;
		switch (c) {
		case '&': ref = "&amp;"; break;
		case '<': ref = "&lt;"; break;
		case '>': ref = "&gt;"; break;
		case '"': ref = "&quot;"; break;
		case '\'': ref = "&#39;"; break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
			    c == 0x7f)
				ref = "\xef\xbf\xbd"; /* U+FFFD */
			else
				ref = NULL;
		}
		if (!ref)
			continue;
		coh_strbuf_add(b, run, (size_t)(p - run));
		coh_strbuf_puts(b, ref);
		run = p + 1;
	}
	coh_strbuf_puts(b, run);
}

/* One style sheet for every report: readable without it, tidy with it. */
static const char style[] =
	"body{font-family:sans-serif;max-width:1240px;margin:1.5em auto;"
	"padding:0 1em;color:#222;line-height:1.4}\n"
	"h1{font-size:1.5em;margin-bottom:.2em}\n"
	"h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}\n"
	"table{border-collapse:collapse;margin:.5em 0;font-size:.92em}\n"
	"th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;"
	"vertical-align:top}\n"
	"th{background:#f2f2f2}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}\n"
	"dl.facts{display:grid;grid-template-columns:max-content auto;"
	"gap:.2em 1em}\n"
	"dl.facts dt{font-weight:bold}\n"
	"dl.facts dd{margin:0}\n"
	"code{font-family:monospace;overflow-wrap:anywhere}\n"
	"code.cmd span{white-space:nowrap}\n"
	"figure{margin:1em 0}\n"
	"figure svg{width:100%;height:auto;display:block}\n"
	"figcaption{font-size:.9em;color:#555}\n"
	"p.note{background:#fff4d6;border:1px solid #e6c36a;"
	"padding:.5em}\n"
	"div.scroll{overflow-x:auto}\n"
	"table.narrow th,table.narrow td{padding:.2em .35em}\n"
	"tr.sum td{font-weight:bold;border-top:2px solid #999}\n";

void coh_html_begin(coh_strbuf *b, const char *title)
{
	coh_strbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			   "<meta charset=\"utf-8\">\n"
			   "<meta name=\"viewport\" content=\"width=device-"
			   "width, initial-scale=1\">\n<title>");
	coh_html_escape(b, title);
	coh_strbuf_puts(b, "</title>\n<style>\n");
	coh_strbuf_puts(b, style);
	coh_strbuf_puts(b, "</style>\n</head>\n<body>\n");
}

void coh_html_end(coh_strbuf *b)
{
	coh_strbuf_puts(b, "</body>\n</html>\n");
}

/* Whether the text at p starts with word, ignoring case. */
static int starts_nocase(const char *p, const char *word)
{
	for (; *word; p++, word++)
		if (tolower((unsigned char)*p) != *word)
			return 0;
	return 1;
}

/* What an inline figure may not hold: active content (scripts, event
 * handlers, foreign HTML).  Checked inside tags only: text such as a
 * title that reads "<script>" is escaped by gnuplot, so it is not a tag. */
static int tag_is_unsafe(const char *tag, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		const char *p = tag + i;
		if (i == 1 && (starts_nocase(p, "script") ||
			       starts_nocase(p, "foreignobject")))
			return 1;
		/* an attribute whose name begins with "on" */
		if (i > 0 && isspace((unsigned char)tag[i - 1]) &&
		    starts_nocase(p, "on") && i + 2 < len &&
		    isalpha((unsigned char)p[2])) {
			size_t k = i + 2;
			while (k < len && isalpha((unsigned char)tag[k]))
				k++;
			while (k < len && isspace((unsigned char)tag[k]))
				k++;
			if (k < len && tag[k] == '=')
				return 1;
		}
	}
	return 0;
}

/* Copies one tag, adding the prefix to ids and to references to ids. */
static void copy_tag(coh_strbuf *b, const char *tag, size_t len,
		     const char *prefix)
{
	static const char *const marks[] = {"id='", "id=\"", "href='#",
					    "href=\"#", "url(#"};
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		for (size_t k = 0; k < sizeof marks / sizeof *marks; k++) {
			size_t m = strlen(marks[k]);
			/* "id=" must be a whole attribute name */
			int whole = marks[k][0] != 'i' ||
				    (i > 0 && (isspace((unsigned char)tag[i - 1])));
			if (whole && i + m <= len &&
			    memcmp(tag + i, marks[k], m) == 0) {
				coh_strbuf_add(b, tag + run, i + m - run);
				coh_strbuf_puts(b, prefix);
				run = i + m;
				i += m - 1;
				break;
			}
		}
	}
	coh_strbuf_add(b, tag + run, len - run);
}

int coh_html_svg(coh_strbuf *b, const char *svg, const char *prefix)
{
	const char *start = svg;
	while ((start = strstr(start, "<svg")) &&
	       !(isspace((unsigned char)start[4]) || start[4] == '>'))
		start += 4;
	if (!start)
		return -1;
	/* first pass: refuse active content */
	for (const char *p = start; (p = strchr(p, '<'));) {
		const char *end = strchr(p, '>');
		if (!end)
			return -1;
		if (tag_is_unsafe(p, (size_t)(end - p)))
			return -1;
		p = end + 1;
	}
	const char *p = start;
	while (*p) {
		const char *lt = strchr(p, '<');
		if (!lt) {
			coh_strbuf_puts(b, p);
			break;
		}
		coh_strbuf_add(b, p, (size_t)(lt - p));
		const char *gt = strchr(lt, '>');
		copy_tag(b, lt, (size_t)(gt - lt) + 1, prefix);
		p = gt + 1;
	}
	return 0;
}
