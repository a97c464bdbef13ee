/* A growing text buffer that remembers allocation failure, so callers can
 * append freely and check once at the end. */
#ifndef COH_STRBUF_H
#define COH_STRBUF_H

#include <stddef.h>

typedef struct coh_strbuf {
	char *s;                /* NUL-terminated when len > 0 */
	size_t len, cap;
	int failed;             /* an append ran out of memory */
} coh_strbuf;

void coh_strbuf_add(coh_strbuf *b, const char *text, size_t n);
void coh_strbuf_puts(coh_strbuf *b, const char *text);
void coh_strbuf_printf(coh_strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends x in the shortest form that reads back exactly; NaN adds
 * nothing (an empty CSV field). */
void coh_strbuf_double(coh_strbuf *b, double x);
void coh_strbuf_free(coh_strbuf *b);

#endif
