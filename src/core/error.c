/* Error records and lists of them. */
#include "cohesim/error.h"
#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void fill(coh_error *err, int code, const char *file, int line,
		 const char *fmt, va_list ap)
{
	err->code = code;
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->line = line;
	vsnprintf(err->message, sizeof err->message, fmt, ap);
}

/* In parentheses: error.h may define a macro of the same name. */
int (coh_error_set)(coh_error *err, int code, const char *file, int line,
		    const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		fill(err, code, file, line, fmt, ap);
		va_end(ap);
	}
	return code;
}

int coh_error_format(const coh_error *err, char *buf, size_t size)
{
	if (err->file[0] && err->line > 0)
		return snprintf(buf, size, "%s:%d: %s", err->file, err->line,
				err->message);
	if (err->file[0])
		return snprintf(buf, size, "%s: %s", err->file, err->message);
	return snprintf(buf, size, "%s", err->message);
}

static coh_error *next_slot(coh_diag *diag)
{
	if (diag->count == diag->capacity) {
		size_t cap = diag->capacity ? 2 * diag->capacity : 8;
		coh_error *items = coh_reallocarray(diag->items, cap,
						    sizeof *items);
		if (!items)
			return NULL;
		diag->items = items;
		diag->capacity = cap;
	}
	return &diag->items[diag->count++];
}

int coh_diag_add(coh_diag *diag, int code, const char *file, int line,
		 const char *fmt, ...)
{
	coh_error *slot = next_slot(diag);
	if (!slot)
		return COH_ENOMEM;
	va_list ap;
	va_start(ap, fmt);
	fill(slot, code, file, line, fmt, ap);
	va_end(ap);
	return code;
}

int coh_diag_push(coh_diag *diag, const coh_error *err)
{
	coh_error *slot = next_slot(diag);
	if (!slot)
		return COH_ENOMEM;
	*slot = *err;
	return err->code;
}

void coh_diag_clear(coh_diag *diag)
{
	if (!diag)
		return;
	coh_free(diag->items);
	diag->items = NULL;
	diag->count = diag->capacity = 0;
}
