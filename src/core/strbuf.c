/* Growing text buffers. */
#include "strbuf.h"
#include "alloc.h"
#include "number.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(coh_strbuf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (b->len + extra + 1 > cap)
		cap *= 2;
	char *p = coh_realloc(b->s, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->s = p;
	b->cap = cap;
	return 0;
}

void coh_strbuf_add(coh_strbuf *b, const char *text, size_t n)
{
	if (reserve(b, n))
		return;
	memcpy(b->s + b->len, text, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void coh_strbuf_puts(coh_strbuf *b, const char *text)
{
	coh_strbuf_add(b, text, strlen(text));
}

void coh_strbuf_printf(coh_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void coh_strbuf_double(coh_strbuf *b, double x)
{
	char buf[COH_NUMBER_MAX];
	size_t n = coh_format_double(buf, x);
	coh_strbuf_add(b, buf, n);
}

void coh_strbuf_free(coh_strbuf *b)
{
	coh_free(b->s);
	*b = (coh_strbuf){0};
}
