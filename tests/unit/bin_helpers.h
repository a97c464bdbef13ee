/* Helpers for tests that drive the real cohesim binary: run it (under
 * $COH_WRAP, e.g. valgrind) with output captured, make and remove scratch
 * folders, read files, and parse CSV strictly (RFC 4180, the same number of
 * fields on every row).  bin_helpers.c holds the code, compiled once and
 * linked into every test program.  The system headers below stay here
 * because the tests that include this file use them too. */
#ifndef COH_TEST_BIN_HELPERS_H
#define COH_TEST_BIN_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <math.h>

extern char **environ;

/*--- Files and folders ---------------------------------------------------*/

/* The whole file, NUL-terminated (caller frees); NULL if unreadable.
 * *size (may be NULL) receives its length. */
char *bin_slurp(const char *path, size_t *size);
/* Writes text to path; 0 or -1. */
int bin_write_file(const char *path, const char *text);
int bin_exists(const char *path);
/* "dir/name" in one of eight rotating static buffers. */
const char *bin_path(const char *dir, const char *name);
/* A fresh folder under /tmp (caller frees the name; remove with
 * bin_rmtree, which frees it). */
char *bin_tmpdir(void);
void bin_rmtree(char *dir);
/* cmocka set-up and tear-down of a test that works in a fresh folder
 * (*state: its name). */
int bin_tmp_setup(void **state);
int bin_tmp_teardown(void **state);
/* Whether the binary runs under valgrind (COH_WRAP set): the tests that
 * say so in their comment then run a reduced version. */
int bin_under_valgrind(void);
/* Whether make check runs this test: under valgrind, or built with
 * AddressSanitizer.  The heaviest statistical tests and fault sweeps run
 * reduced then, as each one's comment says; make test runs them whole. */
int bin_reduced(void);
/* path made absolute against the current folder (no symbolic links
 * resolved).  Returns 0 or -1. */
int bin_abspath(char out[PATH_MAX], const char *path);
/* Whether two files hold the same bytes (both readable). */
int bin_same_file(const char *a, const char *b);

/*--- Running the binary --------------------------------------------------*/

typedef struct bin_result {
	int status;     /* exit status; 128 + N if killed by signal N */
	char *out;      /* everything written on stdout (caller frees) */
	char *err;      /* everything written on stderr (caller frees) */
} bin_result;

void bin_result_free(bin_result *r);

/* A started child: its pid and where its output goes. */
typedef struct bin_child {
	pid_t pid;
	char out_path[64], err_path[64];
} bin_child;

/* Starts `cd CWD && exec $COH_WRAP $COH_BIN ARGS...` through /bin/sh
 * (cwd NULL: stay here) with stdin from /dev/null and stdout and stderr
 * going to temporary files; $COH_BIN defaults to build/cohesim.  Returns
 * 0 or -1. */
int bin_start(bin_child *c, const char *cwd, const char *const *args);
/* Waits for the child and collects its status and output into *r. */
int bin_wait(bin_child *c, bin_result *r);
/* Runs the binary with a NULL-terminated argument list (in cwd, or here if
 * cwd is NULL) and returns its exit status (or -1 if it could not run). */
int bin_run_argv(bin_result *r, const char *cwd, const char *const *args);
/* bin_run(&r, "run", "x.cfg", "-o", dir, NULL): at most 64 arguments. */
int bin_run(bin_result *r, const char *first, ...);
int bin_run_in(bin_result *r, const char *cwd, const char *first, ...);
/* Fails the running cmocka test unless the run exited with `want`,
 * showing what it printed. */
void bin_expect_status(const bin_result *r, int want);

/*--- CSV -----------------------------------------------------------------*/

/* A parsed CSV file: the header's fields, then every row's, all as
 * strings.  Rows with a different number of fields than the header make
 * the parse fail. */
typedef struct csv_table {
	size_t n_cols;
	size_t n_rows;          /* excluding the header */
	char **header;
	char **cells;           /* n_rows * n_cols, row by row */
	char error[256];        /* why the parse failed */
} csv_table;

/* Parses the file at path; 0, or -1 with t->error set.  Every line must
 * end with '\n'.  Free with csv_free. */
int csv_load(csv_table *t, const char *path);
void csv_free(csv_table *t);
/* Column index by header name, or -1. */
int csv_col(const csv_table *t, const char *name);
const char *csv_get(const csv_table *t, size_t row, int col);
/* The header as one comma-joined line (a static buffer). */
const char *csv_header_line(const csv_table *t);
/* strtod of a whole field; NaN for an empty or malformed one. */
double csv_num(const char *text);

#endif
