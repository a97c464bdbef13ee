/* Checks a scenario's @include lines before libconfig reads the file.
 * libconfig 1.5 has one include folder per load and no hook, so the checks
 * happen here, on the text: every include must be a relative path that
 * stays inside the scenario root, exists, forms no cycle and nests at most
 * SCN_MAX_INCLUDE_DEPTH deep.  The same pass refuses integer literals that
 * libconfig 1.5 would silently wrap to 32 bits. */

/* realpath needs _XOPEN_SOURCE, which the Makefile defines for every file. */
#include "internal.h"
#include "core/alloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

typedef struct inc_state {
	scn_ctx *ctx;
	char (*stack)[PATH_MAX];  /* real paths of the files being read */
	int depth;                /* entries in stack */
	int level;                /* includes open below the scenario */
	char root_real[PATH_MAX];
	int root_state;           /* 0 unknown, 1 resolved, -1 failed */
} inc_state;

#define SCN_MAX_FILE_BYTES (64u << 20)

int scn_read_text(const char *path, char **out, int *err_no)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		*err_no = errno;
		return COH_EIO;
	}
	size_t cap = 4096, len = 0;
	char *buf = coh_malloc(cap);
	int rc = buf ? 0 : COH_ENOMEM;
	while (rc == 0) {
		/* a scenario is text a person wrote: refuse /dev/zero and the
		 * like instead of reading until memory runs out */
		if (len >= SCN_MAX_FILE_BYTES) {
			*err_no = EFBIG;
			rc = COH_EIO;
			break;
		}
		if (len + 1 == cap) {
			char *p = coh_realloc(buf, cap * 2);
			if (!p) {
				rc = COH_ENOMEM;
				break;
			}
			buf = p;
			cap *= 2;
		}
		size_t n = fread(buf + len, 1, cap - 1 - len, fp);
		len += n;
		if (n == 0) {
			if (ferror(fp)) {
				*err_no = errno ? errno : EIO;
				rc = COH_EIO;
			}
			break;
		}
	}
	fclose(fp);
	if (rc) {
		coh_free(buf);
		return rc;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* "dir/raw", or raw itself when includes resolve against the current
 * folder: the name libconfig opens, as the user would type it. */
static char *display_name(scn_ctx *ctx, const char *raw)
{
	if (!ctx->folder[0])
		return scn_strdup(ctx, raw);
	size_t n = strlen(ctx->folder) + strlen(raw) + 2;
	char *p = scn_alloc(ctx, n, 1);
	if (p)
		snprintf(p, n, "%s/%s", ctx->folder, raw);
	return p;
}

/* Remembers an included file; returns 1 if it is new, 0 if it was already
 * known, -1 when out of memory. */
static int note_file(scn_ctx *ctx, const char *raw, const char *display)
{
	coh_scenario *sc = ctx->sc;
	for (size_t i = 0; i < sc->n_files; i++)
		if (strcmp(sc->files[i].raw, raw) == 0)
			return 0;
	scn_file *p = coh_reallocarray(sc->files, sc->n_files + 1, sizeof *p);
	char *copy = scn_strdup(ctx, raw);
	if (!p || !copy) {
		if (p)
			sc->files = p;
		ctx->nomem = 1;
		return -1;
	}
	sc->files = p;
	p[sc->n_files].raw = copy;
	p[sc->n_files].display = display;
	sc->n_files++;
	return 1;
}

static int resolve_root(inc_state *st)
{
	if (st->root_state == 0)
		st->root_state = realpath(st->ctx->root, st->root_real) ? 1 : -1;
	return st->root_state == 1;
}

static int inside_root(const inc_state *st, const char *real)
{
	size_t n = strlen(st->root_real);
	if (strcmp(st->root_real, "/") == 0)
		return 1;
	return strncmp(real, st->root_real, n) == 0 && real[n] == '/';
}

static int scan(inc_state *st, const char *text, const char *name,
		int numbers);

/* One @include line of file `from` (line `line`) naming `raw`. */
static int follow(inc_state *st, const char *from, int line, const char *raw)
{
	scn_ctx *ctx = st->ctx;
	if (!raw[0]) {
		scn_error_at(ctx, from, line,
			     "@include \"\": expected a file name");
		return 0;
	}
	if (raw[0] == '/') {
		scn_error_at(ctx, from, line,
			     "@include \"%s\": absolute paths are not allowed, "
			     "expected a path relative to %s", raw,
			     ctx->folder[0] ? ctx->folder : "the current folder");
		return 0;
	}
	const char *display = display_name(ctx, raw);
	if (!display)
		return COH_ENOMEM;
	char real[PATH_MAX];
	if (!realpath(display, real)) {
		scn_error_at(ctx, from, line, "@include \"%s\": cannot open %s: %s",
			     raw, display, strerror(errno));
		return 0;
	}
	if (!resolve_root(st)) {
		scn_error_at(ctx, from, line,
			     "@include \"%s\": the include root %s cannot be "
			     "resolved: %s", raw, ctx->root, strerror(errno));
		return 0;
	}
	if (!inside_root(st, real)) {
		scn_error_at(ctx, from, line,
			     "@include \"%s\": %s is outside the scenario root %s, "
			     "expected a file inside it", raw, display, ctx->root);
		return 0;
	}
	for (int i = 0; i < st->depth; i++)
		if (strcmp(st->stack[i], real) == 0) {
			scn_error_at(ctx, from, line,
				     "@include \"%s\": include cycle, %s is "
				     "already being included", raw, display);
			return 0;
		}
	if (st->level >= SCN_MAX_INCLUDE_DEPTH) {
		scn_error_at(ctx, from, line,
			     "@include \"%s\": includes nest more than %d "
			     "levels deep", raw, SCN_MAX_INCLUDE_DEPTH);
		return 0;
	}
	char *text = NULL;
	int err_no = 0;
	int rc = scn_read_text(display, &text, &err_no);
	if (rc == COH_ENOMEM)
		return rc;
	if (rc) {
		scn_error_at(ctx, from, line, "@include \"%s\": cannot read %s: %s",
			     raw, display, strerror(err_no));
		return 0;
	}
	int fresh = note_file(ctx, raw, display);
	if (fresh < 0) {
		coh_free(text);
		return COH_ENOMEM;
	}
	memcpy(st->stack[st->depth++], real, PATH_MAX);
	st->level++;
	/* A file included twice is checked twice (its depth may differ),
	 * but its numbers are reported once. */
	rc = scan(st, text, display, fresh);
	st->level--;
	st->depth--;
	coh_free(text);
	return rc;
}

/* An integer literal at p (sign included) that ends at end: does it fit
 * the 32 bits libconfig 1.5 gives it? */
static void check_integer(inc_state *st, const char *name, int line,
			  const char *p, const char *end)
{
	char lit[64];
	size_t n = (size_t)(end - p);
	if (n >= sizeof lit)
		n = sizeof lit - 1;
	memcpy(lit, p, n);
	lit[n] = '\0';
	int hex = strchr(lit, 'x') || strchr(lit, 'X');
	errno = 0;
	char *stop;
	int too_big;
	if (hex) {
		unsigned long long v = strtoull(lit, &stop, 16);
		too_big = errno == ERANGE || v > 0xffffffffULL;
	} else {
		long long v = strtoll(lit, &stop, 10);
		too_big = errno == ERANGE || v > INT_MAX || v < INT_MIN;
	}
	if (too_big)
		scn_error_at(st->ctx, name, line,
			     "integer %s does not fit in 32 bits, expected %sL "
			     "(a 64-bit integer)", lit, lit);
}

static int is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Walks the text as libconfig 1.5's scanner does: comments and strings
 * hide their contents, and @include counts only at the start of a line. */
static int scan(inc_state *st, const char *text, const char *name, int numbers)
{
	int line = 1;
	int line_start = 1;
	const char *p = text;
	while (*p) {
		if (line_start) {
			line_start = 0;
			const char *q = p;
			while (*q == ' ' || *q == '\t')
				q++;
			if (strncmp(q, "@include", 8) == 0 &&
			    (q[8] == ' ' || q[8] == '\t')) {
				q += 8;
				while (*q == ' ' || *q == '\t')
					q++;
				if (*q == '"') {
					const char *s = ++q;
					while (*q && *q != '"' && *q != '\n')
						q++;
					if (*q != '"')
						return 0;  /* libconfig reports it */
					char raw[PATH_MAX];
					size_t n = (size_t)(q - s);
					if (n >= sizeof raw)
						n = sizeof raw - 1;
					memcpy(raw, s, n);
					raw[n] = '\0';
					int rc = follow(st, name, line, raw);
					if (rc)
						return rc;
					p = q + 1;
					continue;
				}
			}
		}
		char c = *p;
		if (c == '\n') {
			line++;
			line_start = 1;
			p++;
		} else if (c == '#' || (c == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
		} else if (c == '/' && p[1] == '*') {
			p += 2;
			while (*p && !(p[0] == '*' && p[1] == '/')) {
				line += *p == '\n';
				p++;
			}
			if (*p)
				p += 2;
		} else if (c == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				line += *p == '\n';
				p++;
			}
			if (*p)
				p++;
		} else if (is_name_start(c)) {
			while (is_name_start(*p) || is_digit(*p) || *p == '-' ||
			       *p == '_')
				p++;
		} else if (is_digit(c) || ((c == '-' || c == '+' || c == '.') &&
					   is_digit(p[1]))) {
			const char *s = p;
			int is_float = 0, int64 = 0;
			p++;
			for (;;) {
				if (is_digit(*p) || is_name_start(*p) ||
				    *p == '.') {
					if (*p == '.' || *p == 'e' || *p == 'E')
						is_float = 1;
					if (*p == 'L')
						int64 = 1;
					p++;
				} else if ((*p == '-' || *p == '+') &&
					   (p[-1] == 'e' || p[-1] == 'E')) {
					p++;
				} else {
					break;
				}
			}
			int hex = (p - s > 2) && (s[1] == 'x' || s[1] == 'X');
			if (hex)
				is_float = 0;   /* 'e' is a hex digit there */
			if (numbers && !is_float && !int64)
				check_integer(st, name, line, s, p);
		} else {
			p++;
		}
	}
	return 0;
}

int scn_check_includes(scn_ctx *ctx, const char *text)
{
	inc_state st;
	memset(&st, 0, sizeof st);
	st.ctx = ctx;
	st.stack = coh_calloc(SCN_MAX_INCLUDE_DEPTH + 2, sizeof *st.stack);
	if (!st.stack)
		return COH_ENOMEM;
	/* The scenario file itself heads the chain, so that including it
	 * back is a cycle (a string has no file to include). */
	if (ctx->file_path && realpath(ctx->file_path, st.stack[0]))
		st.depth = 1;
	size_t before = ctx->n_msgs;
	int rc = scan(&st, text, ctx->main_name, 1);
	coh_free(st.stack);
	if (rc)
		return rc;
	if (ctx->nomem)
		return COH_ENOMEM;
	return ctx->n_msgs > before ? COH_EINPUT : 0;
}
