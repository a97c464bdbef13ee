/* manifest.json: what produced a run folder and what is in it (program
 * version, command line, scenario and its SHA-256, seed, replications,
 * wall time, every file with its size), written last and atomically so
 * that its presence means the run's files are complete. */
#include "cohesim/output.h"
#include "cohesim/date.h"
#include "cohesim/version.h"
#include "core/alloc.h"
#include "sha256.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* json_object_set_new and json_array_append_new take ownership even when
 * they fail, so building only needs to remember that something failed. */
static void set(json_t *obj, const char *key, json_t *value, int *bad)
{
	if (!value || json_object_set_new(obj, key, value) != 0)
		*bad = 1;
}

static void append(json_t *arr, json_t *value, int *bad)
{
	if (!value || json_array_append_new(arr, value) != 0)
		*bad = 1;
}

/* Adds {"name", "bytes"} for each file; sizes are read back from disk so
 * they are what a reader will find. */
static int add_files(json_t *arr, const coh_manifest *m, int *bad,
		     coh_error *err)
{
	size_t dirlen = strlen(m->dir);
	int slash = dirlen > 0 && m->dir[dirlen - 1] != '/';
	for (size_t i = 0; i < m->n_files; i++) {
		size_t len = dirlen + 1 + strlen(m->files[i]) + 1;
		char *path = coh_malloc(len);
		if (!path)
			return coh_error_set(err, COH_ENOMEM, m->dir, 0,
					     "out of memory");
		snprintf(path, len, "%s%s%s", m->dir, slash ? "/" : "",
			 m->files[i]);
		struct stat st;
		if (stat(path, &st) != 0) {
			int rc = coh_error_set(err, COH_EIO, path, 0,
					       "cannot read its size: %s",
					       strerror(errno));
			coh_free(path);
			return rc;
		}
		coh_free(path);
		json_t *entry = json_object();
		if (entry) {
			set(entry, "name", json_string(m->files[i]), bad);
			set(entry, "bytes", json_integer((json_int_t)st.st_size),
			    bad);
		}
		append(arr, entry, bad);
	}
	return 0;
}

static json_t *build(const coh_manifest *m, int *bad, coh_error *err,
		     int *rc)
{
	const coh_model *model = m->model;
	char hex[65], seed[24], start[16], end[16];

	*rc = coh_sha256_file(hex, m->scenario_path, err);
	if (*rc)
		return NULL;
	snprintf(seed, sizeof seed, "%" PRIu64, model->seed);
	coh_date_format(start, sizeof start, model->start_day);
	coh_date_format(end, sizeof end,
			model->start_day + (int64_t)llround(model->horizon));

	json_t *root = json_object();
	json_t *argv = json_array();
	json_t *scenario = json_object();
	json_t *files = json_array();
	if (!root || !argv || !scenario || !files) {
		json_decref(root);
		json_decref(argv);
		json_decref(scenario);
		json_decref(files);
		*rc = coh_error_set(err, COH_ENOMEM, m->dir, 0,
				    "out of memory");
		return NULL;
	}

	set(root, "program", json_string("cohesim"), bad);
	set(root, "version", json_string(COH_VERSION), bad);
	for (int i = 0; i < m->argc; i++)
		append(argv, json_string(m->argv[i]), bad);
	set(root, "command_line", argv, bad);

	set(scenario, "path", json_string(m->scenario_path), bad);
	set(scenario, "sha256", json_string(hex), bad);
	set(scenario, "name", json_string(model->name ? model->name : ""),
	    bad);
	json_t *overrides = json_array();
	for (size_t i = 0; overrides && i < m->n_overrides; i++)
		append(overrides, json_string(m->overrides[i]), bad);
	set(scenario, "overrides", overrides, bad);
	set(root, "scenario", scenario, bad);
	if (m->posterior_path) {
		char post[65];
		*rc = coh_sha256_file(post, m->posterior_path, err);
		if (*rc) {
			json_decref(root);      /* holds argv and scenario */
			json_decref(files);
			return NULL;
		}
		json_t *p = json_object();
		set(p, "path", json_string(m->posterior_path), bad);
		set(p, "sha256", json_string(post), bad);
		set(p, "particles_drawn",
		    json_integer((json_int_t)m->posterior_drawn), bad);
		set(root, "posterior", p, bad);
	}

	/* JSON readers commonly hold numbers as doubles, exact only up to
	 * 2^53: the string is the authoritative copy of the seed. */
	set(root, "seed", model->seed <= INT64_MAX
				  ? json_integer((json_int_t)model->seed)
				  : json_null(),
	    bad);
	set(root, "seed_string", json_string(seed), bad);
	set(root, "replications", json_integer((json_int_t)m->replications),
	    bad);
	set(root, "replications_requested",
	    json_integer((json_int_t)m->requested), bad);
	set(root, "interrupted", json_boolean(m->interrupted), bad);
	/* The only real in the file: six significant digits (the dump's
	 * precision) are more than a wall clock can vouch for. */
	set(root, "wall_time_seconds", json_real(m->wall_seconds), bad);
	set(root, "start", json_string(start), bad);
	set(root, "end", json_string(end), bad);

	*rc = add_files(files, m, bad, err);
	set(root, "files", files, bad);
	if (*rc) {
		json_decref(root);
		return NULL;
	}
	return root;
}

/* Writes root as dir/manifest.json, atomically; takes root. */
static int write_json(const char *dir, json_t *root, coh_error *err)
{
	char *path = coh_output_path(dir, "manifest.json");
	if (!path) {
		json_decref(root);
		return coh_error_set(err, COH_ENOMEM, dir, 0, "out of memory");
	}
	coh_atomic_file *file;
	int rc = coh_atomic_open(&file, path, 0, err);
	coh_free(path);
	if (rc) {
		json_decref(root);
		return rc;
	}
	FILE *fp = coh_atomic_stream(file);
	if (json_dumpf(root, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) !=
		    0 ||
	    fputc('\n', fp) == EOF) {
		/* Commit sees the stream's error flag and reports the cause;
		 * if the flag is not set, jansson itself failed. */
		if (!ferror(fp)) {
			coh_atomic_abort(file);
			json_decref(root);
			return coh_error_set(err, COH_ENOMEM, dir, 0,
					     "cannot encode manifest.json");
		}
	}
	json_decref(root);
	return coh_atomic_commit(file, err);
}

int coh_manifest_write(const coh_manifest *m, coh_error *err)
{
	int bad = 0, rc = 0;
	json_t *root = build(m, &bad, err, &rc);
	if (!root)
		return rc;
	if (bad) {
		json_decref(root);
		return coh_error_set(err, COH_ENOMEM, m->dir, 0,
				     "out of memory");
	}
	return write_json(m->dir, root, err);
}

int coh_manifest_add_files(const char *dir, const char *const *names,
			   size_t n, coh_error *err)
{
	char *path = coh_output_path(dir, "manifest.json");
	if (!path)
		return coh_error_set(err, COH_ENOMEM, dir, 0, "out of memory");
	json_error_t why;
	json_t *root = json_load_file(path, 0, &why);
	if (!root) {
		int rc = coh_error_set(err, COH_EINPUT, path, why.line,
				       "cannot read the manifest: %s",
				       why.text);
		coh_free(path);
		return rc;
	}
	coh_free(path);
	json_t *files = json_object_get(root, "files");
	if (!json_is_array(files)) {
		json_decref(root);
		return coh_error_set(err, COH_EINPUT, dir, 0, "manifest.json "
				     "has no list of files");
	}
	/* the new sizes, read back as add_files does */
	coh_manifest m = {.dir = dir, .files = names, .n_files = n};
	json_t *fresh = json_array();
	int bad = !fresh;
	int rc = bad ? 0 : add_files(fresh, &m, &bad, err);
	for (size_t i = 0; !rc && !bad && i < n; i++) {
		json_t *entry = json_array_get(fresh, i);
		size_t k = 0;
		for (; k < json_array_size(files); k++) {
			/* a sweep's manifest names its own files as
			 * strings, the others as {name, bytes} */
			json_t *old = json_array_get(files, k);
			const char *name = json_is_string(old)
					   ? json_string_value(old)
					   : json_string_value(json_object_get(
						     old, "name"));
			if (name && strcmp(name, names[i]) == 0)
				break;
		}
		if (k < json_array_size(files))
			bad |= json_array_set(files, k, entry) != 0;
		else
			bad |= json_array_append(files, entry) != 0;
	}
	json_decref(fresh);
	if (!rc && bad)
		rc = coh_error_set(err, COH_ENOMEM, dir, 0, "out of memory");
	if (rc) {
		json_decref(root);
		return rc;
	}
	return write_json(dir, root, err);
}
