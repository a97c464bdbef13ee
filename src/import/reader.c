/* Reading event data as a stream: lines from a fixed buffer refilled in
 * blocks (every byte also goes into the file's SHA-256), and fields split
 * in place.  Nothing here allocates after imp_reader_init, so a file of any
 * size is read in the same memory. */
#include "import/internal.h"
#include "core/alloc.h"

#include <string.h>

int imp_reader_init(imp_reader *r, FILE *fp)
{
	memset(r, 0, sizeof *r);
	r->buf = coh_malloc(IMP_LINE_MAX + 1);
	if (!r->buf)
		return COH_ENOMEM;
	r->fp = fp;
	coh_sha256_init(&r->sha);
	return 0;
}

void imp_reader_free(imp_reader *r)
{
	coh_free(r->buf);
	r->buf = NULL;
}

/* Moves the unread bytes to the front and reads more behind them. */
static int refill(imp_reader *r)
{
	if (r->eof)
		return 0;
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	size_t got = fread(r->buf + r->end, 1, IMP_LINE_MAX - r->end, r->fp);
	if (got == 0) {
		if (ferror(r->fp))
			return COH_EIO;
		r->eof = 1;
		return 0;
	}
	coh_sha256_update(&r->sha, r->buf + r->end, got);
	r->bytes += got;
	r->end += got;
	return 1;
}

int imp_reader_next(imp_reader *r, char **line)
{
	size_t scanned = r->start;
	for (;;) {
		char *nl = memchr(r->buf + scanned, '\n', r->end - scanned);
		if (nl) {
			char *s = r->buf + r->start;
			size_t len = (size_t)(nl - s);
			*nl = '\0';
			if (len && s[len - 1] == '\r')
				s[len - 1] = '\0';
			r->start = (size_t)(nl - r->buf) + 1;
			r->line++;
			*line = s;
			return 1;
		}
		if (r->start == 0 && r->end == IMP_LINE_MAX) {
			/* a line longer than the buffer: skip to its end */
			r->line++;
			for (;;) {
				r->start = r->end;
				int rc = refill(r);
				if (rc < 0)
					return rc;
				if (rc == 0)
					return -1;
				nl = memchr(r->buf, '\n', r->end);
				if (nl) {
					r->start = (size_t)(nl - r->buf) + 1;
					return -1;
				}
			}
		}
		scanned = r->end - r->start;    /* offset after the move */
		int rc = refill(r);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (r->start == r->end)
				return 0;
			/* the last line has no newline */
			char *s = r->buf + r->start;
			size_t len = r->end - r->start;
			s[len] = '\0';
			if (s[len - 1] == '\r')
				s[len - 1] = '\0';
			r->start = r->end;
			r->line++;
			*line = s;
			return 1;
		}
	}
}

int imp_split(char *line, char sep, int quotes, char **fields, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max - 1) {
			fields[n++] = p;        /* the rest, unsplit */
			return n;
		}
		if (quotes && *p == '"') {
			/* unquote in place: "" is one quote */
			char *w = p, *q = p + 1;
			fields[n++] = w;
			for (;;) {
				if (*q == '\0')
					return -1;
				if (*q == '"') {
					if (q[1] == '"') {
						*w++ = '"';
						q += 2;
						continue;
					}
					q++;
					break;
				}
				*w++ = *q++;
			}
			if (*q != sep && *q != '\0')
				return -1;
			char end = *q;
			*w = '\0';
			if (end == '\0')
				return n;
			p = q + 1;
			continue;
		}
		fields[n++] = p;
		char *s = strchr(p, sep);
		if (!s)
			return n;
		*s = '\0';
		p = s + 1;
	}
}
