/* RFC 4180 CSV fields: text quoted only where needed, numbers in the
 * shortest form that reads back to the same double, NaN as an empty field.
 * Private to the output module (and its tests). */
#ifndef COH_OUTPUT_CSV_H
#define COH_OUTPUT_CSV_H

#include <stddef.h>
#include <stdio.h>

/* Room for any double in the form coh_csv_format_double writes. */
#define COH_CSV_NUMBER_MAX 32

/* A number field: coh_format_double (core/number.h), NaN as "". */
size_t coh_csv_format_double(char *buf, double x);

/* Writes one text field, quoted (quotes doubled) when it holds a comma,
 * a quote, CR or LF.  NULL writes an empty field.  Returns what fputs or
 * fputc returned last (EOF on error); stdio keeps the error flag anyway. */
int coh_csv_write_text(FILE *fp, const char *text);

/* Writes one number field as coh_csv_format_double does. */
int coh_csv_write_double(FILE *fp, double x);

/* Rows formatted on worker threads go into a replication's trace text
 * (coh_trace_append); these append a text or a number field and set
 * *failed when memory runs out, so a row is checked once at its end. */
struct coh_trace;
void coh_csv_put_text(struct coh_trace *trace, const char *text, int *failed);
void coh_csv_put_double(struct coh_trace *trace, double x, int *failed);

#endif
