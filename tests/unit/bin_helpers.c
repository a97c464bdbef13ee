/* Helpers for the tests that drive the real cohesim binary (declared in
 * bin_helpers.h): run it under $COH_WRAP with its output captured, make and
 * remove scratch folders, read files, parse CSV strictly.  Compiled once
 * and linked into every test program. */
#include "bin_helpers.h"

#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#define BIN_MAX_ARGS 64

/*--- Files and folders ---------------------------------------------------*/

/* The whole file, NUL-terminated (caller frees); NULL if unreadable.
 * *size (may be NULL) receives its length. */
char *bin_slurp(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 1 << 16, len = 0, n;
	char *text = malloc(cap);
	while (text && (n = fread(text + len, 1, cap - len - 1, fp)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *bigger = realloc(text, cap * 2);
			if (!bigger) {
				free(text);
				text = NULL;
				break;
			}
			text = bigger;
			cap *= 2;
		}
	}
	fclose(fp);
	if (text) {
		text[len] = '\0';
		if (size)
			*size = len;
	}
	return text;
}

int bin_write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	fputs(text, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

int bin_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* "dir/name" in one of a few rotating static buffers. */
const char *bin_path(const char *dir, const char *name)
{
	static char buf[8][PATH_MAX];
	static unsigned next;
	char *p = buf[next++ % 8];
	snprintf(p, PATH_MAX, "%s/%s", dir, name);
	return p;
}

/* A fresh folder under /tmp (caller frees the name; remove with
 * bin_rmtree). */
char *bin_tmpdir(void)
{
	char *dir = strdup("/tmp/cohesim-test-XXXXXX");
	if (dir && !mkdtemp(dir)) {
		free(dir);
		dir = NULL;
	}
	return dir;
}

/* Shell single quotes around text (' written as '\''), appended to buf. */
static void bin_quote(char *buf, size_t size, const char *text)
{
	size_t len = strlen(buf);
	if (len + 2 >= size)
		return;
	buf[len++] = '\'';
	for (; *text && len + 5 < size; text++) {
		if (*text == '\'') {
			memcpy(buf + len, "'\\''", 4);
			len += 4;
		} else {
			buf[len++] = *text;
		}
	}
	buf[len++] = '\'';
	buf[len] = '\0';
}

void bin_rmtree(char *dir)
{
	if (!dir)
		return;
	char cmd[PATH_MAX + 16] = "rm -rf ";
	bin_quote(cmd, sizeof cmd, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", dir);
	free(dir);
}

/* path made absolute against the current folder (no symbolic links
 * resolved: realpath is XSI, not plain POSIX).  Returns 0 or -1. */
int bin_abspath(char out[PATH_MAX], const char *path)
{
	if (path[0] == '/') {
		if (strlen(path) >= PATH_MAX)
			return -1;
		strcpy(out, path);
		return 0;
	}
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		return -1;
	int n = snprintf(out, PATH_MAX, "%s/%s", cwd, path);
	return n > 0 && n < PATH_MAX ? 0 : -1;
}

/*--- Running the binary --------------------------------------------------*/


void bin_result_free(bin_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* The binary to test and the wrapper to run it under, from tests/run.sh;
 * build/cohesim and no wrapper when run by hand. */
static const char *bin_program(void)
{
	const char *bin = getenv("COH_BIN");
	return bin && bin[0] ? bin : "build/cohesim";
}


/* Starts `cd CWD && exec $COH_WRAP $COH_BIN ARGS...` through /bin/sh
 * (cwd NULL: stay here) with stdin from /dev/null and stdout and stderr
 * going to temporary files.  The binary's path is made absolute first, so
 * that it is found from any cwd.  Returns 0 or -1. */
int bin_start(bin_child *c, const char *cwd, const char *const *args)
{
	static char cmd[1 << 16];
	char program[PATH_MAX];
	const char *bin = bin_program();
	if (bin_abspath(program, bin) != 0 || access(program, X_OK) != 0) {
		fprintf(stderr, "cannot find the binary %s: %s\n", bin,
			strerror(errno));
		return -1;
	}
	strcpy(c->out_path, "/tmp/cohesim-out-XXXXXX");
	strcpy(c->err_path, "/tmp/cohesim-err-XXXXXX");
	int fo = mkstemp(c->out_path), fe = mkstemp(c->err_path);
	if (fo < 0 || fe < 0)
		return -1;
	close(fo);
	close(fe);

	cmd[0] = '\0';
	if (cwd) {
		strcat(cmd, "cd ");
		bin_quote(cmd, sizeof cmd, cwd);
		strcat(cmd, " && ");
	}
	strcat(cmd, "exec ");
	const char *wrap = getenv("COH_WRAP");
	if (wrap && wrap[0]) {
		/* Unquoted on purpose: the wrapper is a command with its own
		 * arguments ("valgrind -q ..."). */
		strncat(cmd, wrap, sizeof cmd - strlen(cmd) - 2);
		strcat(cmd, " ");
	}
	bin_quote(cmd, sizeof cmd, program);
	for (size_t i = 0; args[i]; i++) {
		strcat(cmd, " ");
		bin_quote(cmd, sizeof cmd, args[i]);
	}
	strcat(cmd, " </dev/null >");
	bin_quote(cmd, sizeof cmd, c->out_path);
	strcat(cmd, " 2>");
	bin_quote(cmd, sizeof cmd, c->err_path);

	char sh[] = "/bin/sh", dash_c[] = "-c";
	char *argv[] = {sh, dash_c, cmd, NULL};
	int rc = posix_spawn(&c->pid, "/bin/sh", NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "posix_spawn: %s\n", strerror(rc));
		return -1;
	}
	return 0;
}

/* Waits for the child and collects its status and output. */
int bin_wait(bin_child *c, bin_result *r)
{
	int ws;
	while (waitpid(c->pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -1;
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws)
		  : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : -1;
	r->out = bin_slurp(c->out_path, NULL);
	r->err = bin_slurp(c->err_path, NULL);
	unlink(c->out_path);
	unlink(c->err_path);
	if (!r->out)
		r->out = strdup("");
	if (!r->err)
		r->err = strdup("");
	return 0;
}

/* Runs the binary with a NULL-terminated argument list (in cwd, or here if
 * cwd is NULL) and returns its exit status (or -1 if it could not run). */
int bin_run_argv(bin_result *r, const char *cwd,
			const char *const *args)
{
	bin_child c;
	r->out = r->err = NULL;
	r->status = -1;
	if (bin_start(&c, cwd, args) != 0 || bin_wait(&c, r) != 0)
		return -1;
	return r->status;
}

static int bin_vrun(bin_result *r, const char *cwd, const char *first,
		    va_list ap)
{
	const char *args[BIN_MAX_ARGS + 1];
	size_t n = 0;
	for (const char *a = first; a && n < BIN_MAX_ARGS;
	     a = va_arg(ap, const char *))
		args[n++] = a;
	args[n] = NULL;
	return bin_run_argv(r, cwd, args);
}

/* bin_run(&r, "run", "x.cfg", "-o", dir, NULL) */
int bin_run(bin_result *r, const char *first, ...)
{
	va_list ap;
	va_start(ap, first);
	int rc = bin_vrun(r, NULL, first, ap);
	va_end(ap);
	return rc;
}

int bin_run_in(bin_result *r, const char *cwd, const char *first,
			  ...)
{
	va_list ap;
	va_start(ap, first);
	int rc = bin_vrun(r, cwd, first, ap);
	va_end(ap);
	return rc;
}

/* Whether two files hold the same bytes (both readable). */
int bin_same_file(const char *a, const char *b)
{
	size_t na, nb;
	char *x = bin_slurp(a, &na), *y = bin_slurp(b, &nb);
	int same = x && y && na == nb && memcmp(x, y, na) == 0;
	free(x);
	free(y);
	return same;
}

/* Fails the test (cmocka) unless the run exited with `want`, showing what
 * it printed. */
void bin_expect_status(const bin_result *r, int want)
{
	if (r->status != want) {
		print_error("exit status %d, expected %d\nstdout:\n%s\n"
			    "stderr:\n%s\n", r->status, want, r->out, r->err);
		fail();
	}
}

/*--- CSV -----------------------------------------------------------------*/


void csv_free(csv_table *t)
{
	for (size_t i = 0; i < t->n_cols; i++)
		free(t->header ? t->header[i] : NULL);
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->header);
	free(t->cells);
	t->header = t->cells = NULL;
	t->n_rows = t->n_cols = 0;
}

/* Reads one field starting at *p; returns it (malloc'd) and leaves *p on
 * the ',' or '\n' or NUL after it.  NULL on a malformed quoted field. */
static char *csv_field(const char **p)
{
	const char *s = *p;
	size_t cap = 64, len = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	if (*s == '"') {
		s++;
		for (;;) {
			if (*s == '\0') {
				free(out);
				return NULL;    /* unterminated */
			}
			if (*s == '"') {
				if (s[1] != '"')
					break;
				s++;
			}
			if (len + 2 > cap && !(out = realloc(out, cap *= 2)))
				return NULL;
			out[len++] = *s++;
		}
		s++;
		if (*s != ',' && *s != '\n' && *s != '\0') {
			free(out);
			return NULL;    /* text after the closing quote */
		}
	} else {
		while (*s && *s != ',' && *s != '\n') {
			if (*s == '"' || *s == '\r') {
				free(out);
				return NULL;    /* must have been quoted */
			}
			if (len + 2 > cap && !(out = realloc(out, cap *= 2)))
				return NULL;
			out[len++] = *s++;
		}
	}
	out[len] = '\0';
	*p = s;
	return out;
}

/* Parses the file at path; 0, or -1 with t->error set.  Every line must
 * end with '\n'. */
int csv_load(csv_table *t, const char *path)
{
	memset(t, 0, sizeof *t);
	char *text = bin_slurp(path, NULL);
	if (!text) {
		snprintf(t->error, sizeof t->error, "%s: cannot read", path);
		return -1;
	}
	size_t cap_rows = 0, line = 0;
	char **row = NULL;
	size_t n = 0, cap = 0;
	const char *p = text;
	int rc = 0;
	while (*p) {
		line++;
		n = 0;
		for (;;) {
			char *f = csv_field(&p);
			if (!f) {
				snprintf(t->error, sizeof t->error,
					 "%s:%zu: malformed field", path, line);
				rc = -1;
				goto done;
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				row = realloc(row, cap * sizeof *row);
			}
			row[n++] = f;
			if (*p == ',') {
				p++;
				continue;
			}
			break;
		}
		if (*p != '\n') {
			snprintf(t->error, sizeof t->error,
				 "%s:%zu: the last line does not end with "
				 "a newline",
				 path, line);
			rc = -1;
			goto done;
		}
		p++;
		if (!t->header) {
			t->header = row;
			t->n_cols = n;
			row = NULL;
			cap = 0;
			continue;
		}
		if (n != t->n_cols) {
			snprintf(t->error, sizeof t->error,
				 "%s:%zu: %zu fields, the header has %zu",
				 path, line, n, t->n_cols);
			rc = -1;
			goto done;
		}
		if (t->n_rows == cap_rows) {
			cap_rows = cap_rows ? 2 * cap_rows : 256;
			t->cells = realloc(t->cells,
					   cap_rows * t->n_cols * sizeof(char *));
		}
		memcpy(t->cells + t->n_rows * t->n_cols, row,
		       n * sizeof(char *));
		t->n_rows++;
		n = 0;
	}
	if (!t->header) {
		snprintf(t->error, sizeof t->error, "%s: empty file", path);
		rc = -1;
	}
done:
	for (size_t i = 0; i < n; i++)
		free(row[i]);
	if (row != t->header)
		free(row);
	free(text);
	if (rc != 0)
		csv_free(t);
	return rc;
}

/* Column index by header name, or -1. */
int csv_col(const csv_table *t, const char *name)
{
	for (size_t i = 0; i < t->n_cols; i++)
		if (strcmp(t->header[i], name) == 0)
			return (int)i;
	return -1;
}

const char *csv_get(const csv_table *t, size_t row, int col)
{
	return t->cells[row * t->n_cols + (size_t)col];
}

/* The header as one comma-joined line, for comparing with the spec. */
const char *csv_header_line(const csv_table *t)
{
	static char buf[1024];
	buf[0] = '\0';
	for (size_t i = 0; i < t->n_cols; i++) {
		if (i)
			strncat(buf, ",", sizeof buf - strlen(buf) - 1);
		strncat(buf, t->header[i], sizeof buf - strlen(buf) - 1);
	}
	return buf;
}

/* strtod of a whole field; NaN for an empty or malformed one. */
double csv_num(const char *text)
{
	char *end;
	if (!text || !text[0])
		return (double)NAN;
	double v = strtod(text, &end);
	return *end ? (double)NAN : v;
}

int bin_tmp_setup(void **state)
{
	*state = bin_tmpdir();
	return *state ? 0 : -1;
}

int bin_tmp_teardown(void **state)
{
	bin_rmtree(*state);
	return 0;
}

int bin_under_valgrind(void)
{
	const char *w = getenv("COH_WRAP");
	return w && *w;
}

int bin_reduced(void)
{
#ifdef __SANITIZE_ADDRESS__
	return 1;
#else
	return bin_under_valgrind();
#endif
}
