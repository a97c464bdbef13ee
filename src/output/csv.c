/* CSV field writers shared by every output file (RFC 4180, '\n' line
 * ends).  Numbers use the shortest round-trip form so that files stay
 * readable and a value read back is the value the engine computed. */
#include "csv.h"
#include "core/number.h"
#include "cohesim/mc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t coh_csv_format_double(char *buf, double x)
{
	return coh_format_double(buf, x);
}

int coh_csv_write_text(FILE *fp, const char *text)
{
	if (!text || !text[0])
		return 0;
	if (!strpbrk(text, ",\"\r\n"))
		return fputs(text, fp);
	if (fputc('"', fp) == EOF)
		return EOF;
	for (const char *p = text; *p; p++) {
		if (*p == '"' && fputc('"', fp) == EOF)
			return EOF;
		if (fputc(*p, fp) == EOF)
			return EOF;
	}
	return fputc('"', fp);
}

int coh_csv_write_double(FILE *fp, double x)
{
	char buf[COH_CSV_NUMBER_MAX];
	if (coh_csv_format_double(buf, x) == 0)
		return 0;
	return fputs(buf, fp);
}

void coh_csv_put_text(coh_trace *trace, const char *text, int *failed)
{
	if (!*failed && coh_trace_append(trace, text, strlen(text)))
		*failed = 1;
}

void coh_csv_put_double(coh_trace *trace, double x, int *failed)
{
	char buf[COH_CSV_NUMBER_MAX];
	coh_csv_format_double(buf, x);
	coh_csv_put_text(trace, buf, failed);
}
