/* Error records: what went wrong, where (file and line), and what was expected.
 * Every fallible function returns 0 or a negative COH_E* status and fills a
 * caller-provided coh_error; loaders that can find several problems at once
 * collect them in a coh_diag. */
#ifndef COHESIM_ERROR_H
#define COHESIM_ERROR_H

#include <stddef.h>

enum {
	COH_OK = 0,
	COH_EINPUT = -1,  /* bad scenario, option value or data: exit status 1 */
	COH_ENOMEM = -2,  /* allocation failed */
	COH_EIO = -3,     /* file system or gnuplot pipe */
	COH_EUSAGE = -4,  /* bad command line: exit status 2 */
	COH_ENUMERIC = -5,/* a computation produced a non-finite value */
	COH_ECANCEL = -6  /* stopped on request (signal, recorder) */
};

#define COH_ERROR_FILE_MAX 512
#define COH_ERROR_MSG_MAX 512

typedef struct coh_error {
	int code;                       /* one of COH_E*, 0 when unset */
	char file[COH_ERROR_FILE_MAX];  /* "" when the error has no file */
	int line;                       /* 0 when unknown */
	char message[COH_ERROR_MSG_MAX];
} coh_error;

/* Fills err (if not NULL) and returns code, so callers can write
 * `return coh_error_set(err, COH_EINPUT, file, line, "...", ...);`. */
int coh_error_set(coh_error *err, int code, const char *file, int line,
		  const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#ifdef __clang_analyzer__
/* The static analyser sees one file at a time: tell it that the status is
 * the code given, or it follows error paths as if they succeeded. */
#define coh_error_set(err, code, ...) \
	(coh_error_set(err, code, __VA_ARGS__), (code))
#endif

/* Writes "file:line: message" (or "file: message", or "message") into buf,
 * always NUL-terminated; returns the length it wanted, as snprintf. */
int coh_error_format(const coh_error *err, char *buf, size_t size);

/* A growing list of errors, for loaders that report every problem. */
typedef struct coh_diag {
	size_t count;
	size_t capacity;
	coh_error *items;
} coh_diag;

#define COH_DIAG_INIT {0, 0, NULL}

/* Appends an error; returns code (or COH_ENOMEM if the list cannot grow, in
 * which case the error is still counted in the last slot if there is one). */
int coh_diag_add(coh_diag *diag, int code, const char *file, int line,
		 const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Appends a copy of an existing error. */
int coh_diag_push(coh_diag *diag, const coh_error *err);

/* Frees the list's storage and empties it; accepts NULL. */
void coh_diag_clear(coh_diag *diag);

#endif
