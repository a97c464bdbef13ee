/* Writing self-contained HTML (report.html): escaping, the page's frame
 * with its inline style sheet, and SVG figures made fit to sit inline.
 * Everything appends to a coh_strbuf, which remembers running out of
 * memory; the caller checks it once at the end.  Nothing written here
 * loads anything from elsewhere: no script, no external style sheet, no
 * image by address. */
#ifndef COH_OUTPUT_HTML_H
#define COH_OUTPUT_HTML_H

#include "core/strbuf.h"

/* Appends text (NULL: nothing) with & < > " ' written as character
 * references, so that it is safe both as element content and inside a
 * quoted attribute.  Control characters other than tab, newline and
 * carriage return, which HTML does not allow, become U+FFFD. */
void coh_html_escape(coh_strbuf *b, const char *text);

/* The start of a page up to and including <body>: the doctype, the
 * character set, the title (escaped) and the inline style sheet. */
void coh_html_begin(coh_strbuf *b, const char *title);

/* </body></html> */
void coh_html_end(coh_strbuf *b);

/* Appends an SVG file as an inline <svg> element: everything before
 * "<svg" (XML prolog, doctype, comments) is dropped, and every id and
 * every reference to one (href="#...", url(#...)) inside the tags gets
 * the prefix, so that several figures on one page do not share ids.
 * Returns 0, or -1 (nothing appended) when svg holds no <svg element, or
 * holds a <script> or <foreignObject> element or an on... event
 * attribute, which a self-contained report must not carry. */
int coh_html_svg(coh_strbuf *b, const char *svg, const char *prefix);

#endif
