/* Files that appear whole or not at all: written to "<path>.tmp.<pid>" in
 * the same folder (so the final rename never crosses file systems), synced,
 * then renamed over the final path.  Also `mkdir -p` for output folders. */
#include "cohesim/output.h"
#include "core/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

struct coh_atomic_file {
	FILE *fp;
	char *path;     /* final name */
	char *tmp;      /* temporary name */
	char *buffer;   /* stdio buffer, freed after fclose */
};

static void atomic_free(coh_atomic_file *file)
{
	coh_free(file->path);
	coh_free(file->tmp);
	coh_free(file->buffer);
	coh_free(file);
}

int coh_atomic_open(coh_atomic_file **out, const char *path,
		    size_t buffer_size, coh_error *err)
{
	coh_atomic_file *file = coh_calloc(1, sizeof *file);
	if (!file)
		return coh_error_set(err, COH_ENOMEM, path, 0, "out of memory");
	size_t len = strlen(path) + 32;
	file->path = coh_strdup(path);
	file->tmp = coh_malloc(len);
	if (buffer_size > 0)
		file->buffer = coh_malloc(buffer_size);
	if (!file->path || !file->tmp || (buffer_size > 0 && !file->buffer)) {
		atomic_free(file);
		return coh_error_set(err, COH_ENOMEM, path, 0, "out of memory");
	}
	snprintf(file->tmp, len, "%s.tmp.%ld", path, (long)getpid());
	file->fp = fopen(file->tmp, "w");
	if (!file->fp) {
		int e = errno;
		coh_error_set(err, COH_EIO, path, 0,
			      "cannot create the temporary file %s: %s",
			      file->tmp, strerror(e));
		atomic_free(file);
		return COH_EIO;
	}
	if (file->buffer &&
	    setvbuf(file->fp, file->buffer, _IOFBF, buffer_size) != 0) {
		/* Not fatal: the stream keeps its default buffer. */
		coh_free(file->buffer);
		file->buffer = NULL;
	}
	*out = file;
	return 0;
}

char *coh_output_path(const char *dir, const char *name)
{
	size_t len = strlen(dir);
	int slash = len > 0 && dir[len - 1] != '/';
	size_t size = len + (size_t)slash + strlen(name) + 1;
	char *path = coh_malloc(size);
	if (path)
		snprintf(path, size, "%s%s%s", dir, slash ? "/" : "", name);
	return path;
}

int coh_atomic_open_in(coh_atomic_file **out, const char *dir,
		       const char *name, size_t buffer_size, coh_error *err)
{
	char *path = coh_output_path(dir, name);
	if (!path)
		return coh_error_set(err, COH_ENOMEM, dir, 0, "out of memory");
	int rc = coh_atomic_open(out, path, buffer_size, err);
	coh_free(path);
	return rc;
}

int coh_output_write_file(const char *dir, const char *name,
			  const char *text, size_t len, coh_error *err)
{
	coh_atomic_file *f = NULL;
	int rc = coh_atomic_open_in(&f, dir, name, 0, err);
	if (rc)
		return rc;
	fwrite(text, 1, len, f->fp);
	return coh_atomic_commit(f, err);
}

FILE *coh_atomic_stream(coh_atomic_file *file)
{
	return file->fp;
}

const char *coh_atomic_path(const coh_atomic_file *file)
{
	return file->path;
}

int coh_atomic_commit(coh_atomic_file *file, coh_error *err)
{
	const char *what = NULL;
	int e = 0;

	/* A write error anywhere earlier stays flagged on the stream. */
	if (fflush(file->fp) != 0 || ferror(file->fp)) {
		what = "cannot write";
		e = errno ? errno : EIO;
	} else if (fsync(fileno(file->fp)) != 0) {
		what = "cannot sync";
		e = errno;
	}
	if (fclose(file->fp) != 0 && !what) {
		what = "cannot close";
		e = errno;
	}
	file->fp = NULL;
	if (!what && rename(file->tmp, file->path) != 0) {
		what = "cannot rename the temporary file over it";
		e = errno;
	}
	if (what) {
		unlink(file->tmp);
		coh_error_set(err, COH_EIO, file->path, 0, "%s: %s", what,
			      strerror(e));
		atomic_free(file);
		return COH_EIO;
	}
	atomic_free(file);
	return 0;
}

void coh_atomic_abort(coh_atomic_file *file)
{
	if (!file)
		return;
	if (file->fp)
		fclose(file->fp);
	unlink(file->tmp);
	atomic_free(file);
}

int coh_output_mkdirs(const char *path, coh_error *err)
{
	if (path[0] == '\0')
		return coh_error_set(err, COH_EIO, NULL, 0,
				     "the output folder name is empty");
	char *copy = coh_strdup(path);
	if (!copy)
		return coh_error_set(err, COH_ENOMEM, path, 0, "out of memory");

	/* Create each prefix ending before a '/', then the whole path; a
	 * prefix that exists (as a folder or not) is left to the next step to
	 * complain about, so the message names the part that failed. */
	int rc = 0;
	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
			rc = coh_error_set(err, COH_EIO, copy, 0,
					   "cannot create folder: %s",
					   strerror(errno));
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	if (rc == 0) {
		struct stat st;
		if (stat(copy, &st) != 0)
			rc = coh_error_set(err, COH_EIO, path, 0,
					   "cannot use output folder: %s",
					   strerror(errno));
		else if (!S_ISDIR(st.st_mode))
			rc = coh_error_set(err, COH_EIO, path, 0,
					   "cannot use output folder: "
					   "it exists and is not a folder");
	}
	coh_free(copy);
	return rc;
}
