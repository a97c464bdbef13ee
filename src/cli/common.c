/* The helpers every command uses: error messages and exit statuses,
 * loading a scenario with every problem printed, lists of strings, output
 * paths built on the heap, output folders made (and unmade after an
 * interruption), scenario.resolved.cfg, the memory limit, and the signal
 * handling that lets Ctrl-C stop work cleanly. */
#include "cli.h"
#include "cohesim/output.h"
#include "core/alloc.h"
#include "output/sha256.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*--- Errors and loading --------------------------------------------------*/

void cli_print_error(const coh_error *err)
{
	char buf[COH_ERROR_FILE_MAX + COH_ERROR_MSG_MAX + 32];
	coh_error_format(err, buf, sizeof buf);
	fprintf(stderr, "cohesim: %s\n", buf);
}

int cli_exit_status(int code)
{
	if (code == 0)
		return CLI_OK;
	return code == COH_EUSAGE ? CLI_USAGE : CLI_ERROR;
}

void cli_print_diag(const coh_diag *diag, int rc, const char *file)
{
	for (size_t i = 0; i < diag->count; i++)
		cli_print_error(&diag->items[i]);
	if (diag->count == 0 && rc != 0) {
		/* Every failure explains itself, except when the list of
		 * explanations could not grow. */
		coh_error err;
		coh_error_set(&err, rc, file, 0, "%s",
			      rc == COH_ENOMEM ? "out of memory" : "failed");
		cli_print_error(&err);
	}
}

int cli_load(coh_scenario **out, const char *path, const char *include_root,
	     const char *const *overrides, size_t n_overrides)
{
	coh_load_options opts = {include_root, overrides, n_overrides};
	coh_diag diag = COH_DIAG_INIT;
	int rc = coh_scenario_load(out, path, &opts, &diag);
	if (rc == 0) {
		coh_diag_clear(&diag);
		return CLI_OK;
	}
	cli_print_diag(&diag, rc, path);
	coh_diag_clear(&diag);
	return CLI_ERROR;
}

/*--- Strings and paths ---------------------------------------------------*/

int cli_strings_push(cli_strings *list, const char *text)
{
	if (list->count == list->capacity) {
		size_t cap = list->capacity ? 2 * list->capacity : 8;
		const char **items = coh_reallocarray(list->items, cap,
						      sizeof *items);
		if (!items) {
			fputs("cohesim: out of memory\n", stderr);
			return COH_ENOMEM;
		}
		list->items = items;
		list->capacity = cap;
	}
	list->items[list->count++] = text;
	return 0;
}

void cli_strings_free(cli_strings *list)
{
	coh_free(list->items);
	list->items = NULL;
	list->count = list->capacity = 0;
}

/* printf into a new string (the caller coh_frees it); NULL when out of
 * memory. */
static char *vprintf_new(const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	int len = vsnprintf(NULL, 0, fmt, ap);
	char *text = len >= 0 ? coh_malloc((size_t)len + 1) : NULL;
	if (text)
		vsnprintf(text, (size_t)len + 1, fmt, again);
	va_end(again);
	return text;
}

char *cli_output_dir(const char *given, coh_error *err, const char *fmt, ...)
{
	char *dir;
	if (given) {
		dir = coh_strdup(given);
	} else {
		va_list ap;
		va_start(ap, fmt);
		dir = vprintf_new(fmt, ap);
		va_end(ap);
	}
	if (!dir)
		coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	return dir;
}

/*--- Output folders ------------------------------------------------------*/

char *cli_default_dir(const char *name, const char *const *sets,
		      size_t n_sets, coh_error *err)
{
	if (n_sets == 0)
		return cli_output_dir(NULL, err, "out/%s/", name);
	/* the --set texts, hashed: the same overrides, the same folder */
	coh_sha256 h;
	coh_sha256_init(&h);
	for (size_t i = 0; i < n_sets; i++)
		coh_sha256_update(&h, sets[i], strlen(sets[i]) + 1);
	unsigned char digest[32];
	char hex[65];
	coh_sha256_final(&h, digest);
	coh_sha256_hex(hex, digest);
	hex[8] = '\0';
	return cli_output_dir(NULL, err, "out/%s-set-%s/", name, hex);
}

/* Whether the manifest's scenario is path with exactly these overrides. */
static int same_results(json_t *manifest, const char *path,
			const char *const *sets, size_t n_sets)
{
	json_t *sc = json_object_get(manifest, "scenario");
	const char *was = json_string_value(json_object_get(sc, "path"));
	if (!was)
		return 0;
	if (strcmp(was, path) != 0) {
		/* the same file by another name (./x.cfg, x.cfg) */
		char *a = realpath(was, NULL), *b = realpath(path, NULL);
		int same = a && b && strcmp(a, b) == 0;
		free(a);
		free(b);
		if (!same)
			return 0;
	}
	/* manifests of version 0.1 list no overrides: take them as none */
	json_t *list = json_object_get(sc, "overrides");
	size_t n = json_is_array(list) ? json_array_size(list) : 0;
	if (n != n_sets)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = json_string_value(json_array_get(list, i));
		if (!v || strcmp(v, sets[i]) != 0)
			return 0;
	}
	return 1;
}

int cli_check_default_dir(const char *dir, const char *path,
			  const char *const *sets, size_t n_sets,
			  coh_error *err)
{
	char *file = coh_output_path(dir, "manifest.json");
	if (!file)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	struct stat st;
	int rc = 0;
	if (stat(file, &st) == 0) {
		json_t *manifest = json_load_file(file, 0, NULL);
		if (!manifest || !same_results(manifest, path, sets, n_sets))
			rc = coh_error_set(err, COH_EINPUT, dir, 0,
					   "holds the results of another "
					   "scenario or other --set values "
					   "(see its manifest.json), which a "
					   "default folder never replaces; "
					   "name a folder with -o (this one "
					   "to replace them)");
		json_decref(manifest);
	}
	coh_free(file);
	return rc;
}

/* The length of path's parent in path ("a/b/" -> 1, "a" -> 0, "/a" -> 1:
 * the root stays). */
static size_t parent_len(const char *path, size_t len)
{
	while (len > 1 && path[len - 1] == '/')
		len--;
	while (len > 0 && path[len - 1] != '/')
		len--;
	while (len > 1 && path[len - 1] == '/')
		len--;
	return len;
}

int cli_mkdirs(const char *dir, char **created, coh_error *err)
{
	*created = NULL;
	char *probe = coh_strdup(dir);
	if (!probe)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	/* the topmost missing folder on the way to dir */
	size_t len = strlen(probe), top = 0;
	struct stat st;
	while (len > 0 && stat(probe, &st) != 0 && errno == ENOENT) {
		top = len;
		len = parent_len(probe, len);
		probe[len] = '\0';
	}
	coh_free(probe);
	if (top > 0 && !(*created = coh_malloc(top + 1)))
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	if (*created) {
		memcpy(*created, dir, top);
		(*created)[top] = '\0';
	}
	int rc = coh_output_mkdirs(dir, err);
	if (rc) {
		/* what it made before failing */
		cli_remove_created(dir, *created);
		*created = NULL;
	}
	return rc;
}

void cli_remove_created(const char *dir, char *created)
{
	if (!created)
		return;
	size_t top = strlen(created);
	char *path = coh_strdup(dir);
	size_t len = path ? strlen(path) : 0;
	/* rmdir removes only empty folders: nothing of anyone else's goes */
	while (len >= top && len > 0) {
		path[len] = '\0';
		if (rmdir(path) != 0)
			break;
		len = parent_len(path, len);
	}
	coh_free(path);
	coh_free(created);
}

int cli_write_resolved(const char *dir, const coh_scenario *sc,
		       coh_error *err)
{
	coh_atomic_file *f;
	int rc = coh_atomic_open_in(&f, dir, "scenario.resolved.cfg", 0, err);
	if (rc)
		return rc;
	rc = coh_scenario_write_resolved(sc, coh_atomic_stream(f), err);
	if (rc) {
		coh_atomic_abort(f);
		return rc;
	}
	return coh_atomic_commit(f, err);
}

int cli_opt_report(const char *command, const char *value, int *none)
{
	if (strcmp(value, "html") != 0 && strcmp(value, "none") != 0)
		return cli_usage_error(command, "--report expects html or "
				       "none, got \"%s\"", value);
	*none = strcmp(value, "none") == 0;
	return CLI_OK;
}

int cli_remove_stale(const char *dir, const char *name, coh_error *err)
{
	char *path = coh_output_path(dir, name);
	if (!path)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	int rc = 0;
	if (unlink(path) != 0 && errno != ENOENT)
		rc = coh_error_set(err, COH_EIO, path, 0,
				   "cannot remove an earlier run's file: %s",
				   strerror(errno));
	coh_free(path);
	return rc;
}

/*--- Memory --------------------------------------------------------------*/

double cli_default_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	return pages > 0 && size > 0 ? 0.5 * (double)pages * (double)size
				     : 4e9;
}

static const char *bytes_text(char buf[32], double bytes)
{
	if (bytes >= 1e9)
		snprintf(buf, 32, "%.1f GB", bytes / 1e9);
	else
		snprintf(buf, 32, "%.0f MB", bytes < 1e6 ? 1.0 : bytes / 1e6);
	return buf;
}

int cli_check_memory_for(double need, double limit, const char *what,
			 const char *advice, const char *file,
			 coh_error *err)
{
	if (need <= limit)
		return 0;
	char a[32], b[32];
	return coh_error_set(err, COH_EINPUT, file, 0,
			     "%s would take %s of memory, more than the limit "
			     "of %s; %s, or raise the limit with --max-memory "
			     "GB", what, bytes_text(a, need),
			     bytes_text(b, limit), advice);
}

int cli_check_memory(double need, double limit, const char *file,
		     coh_error *err)
{
	return cli_check_memory_for(need, limit, "the summaries",
				    "sample less often "
				    "(output.sample_every), use a shorter "
				    "horizon, fewer members or a smaller -j",
				    file, err);
}

/*--- Signals -------------------------------------------------------------*/

volatile sig_atomic_t cli_stop_signal;

static void on_stop_signal(int signo)
{
	cli_stop_signal = signo;
}

void cli_signals_catch(cli_signals *s)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* SA_RESETHAND: the first signal asks for a clean stop; a second
	 * one gets the default action (exit). */
	sa.sa_flags = SA_RESETHAND;
	cli_stop_signal = 0;
	sigaction(SIGINT, &sa, &s->saved_int);
	sigaction(SIGTERM, &sa, &s->saved_term);
	s->catching = 1;
}

void cli_signals_restore(cli_signals *s)
{
	if (!s->catching)
		return;
	sigaction(SIGINT, &s->saved_int, NULL);
	sigaction(SIGTERM, &s->saved_term, NULL);
	s->catching = 0;
}

int cli_stopped_status(void)
{
	return 128 + (cli_stop_signal ? cli_stop_signal : SIGINT);
}
