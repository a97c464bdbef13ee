/* Append-only checkpoints for resumable commands (checkpoint.h). */
#include "checkpoint.h"
#include "cohesim/output.h"
#include "core/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cli_checkpoint {
	char *path;
	FILE *fp;
	size_t header_len, record_size;
	uint64_t count;
};

/* The file's first line, up to max bytes with its newline, into buf
 * (NUL-terminated); 0 when there is none. */
static size_t first_line(FILE *fp, char *buf, size_t max)
{
	size_t n = 0;
	int c;
	while (n + 1 < max && (c = getc(fp)) != EOF) {
		buf[n++] = (char)c;
		if (c == '\n')
			break;
	}
	buf[n] = '\0';
	return n && buf[n - 1] == '\n' ? n : 0;
}

static int start(cli_checkpoint *cp, const char *header, coh_error *err)
{
	cp->fp = fopen(cp->path, "wb");
	if (!cp->fp || fprintf(cp->fp, "%s\n", header) < 0 ||
	    fflush(cp->fp) || fsync(fileno(cp->fp)))
		return coh_error_set(err, COH_EIO, cp->path, 0,
				     "cannot write: %s", strerror(errno));
	cp->count = 0;
	return 0;
}

int cli_checkpoint_open(cli_checkpoint **out, const char *dir,
			const char *name, const char *header,
			size_t record_size, int resume, const char *what,
			coh_error *err)
{
	cli_checkpoint *cp = coh_calloc(1, sizeof *cp);
	size_t hl = strlen(header) + 1;
	char *line = coh_calloc(hl + 2, 1);
	if (cp)
		cp->path = coh_output_path(dir, name);
	if (!cp || !cp->path || !line) {
		coh_free(line);
		cli_checkpoint_close(cp, 0);
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory");
	}
	cp->header_len = hl;
	cp->record_size = record_size;
	int rc = 0;
	struct stat st;
	FILE *old = stat(cp->path, &st) == 0 ? fopen(cp->path, "rb") : NULL;
	size_t got = old ? first_line(old, line, hl + 2) : 0;
	if (old)
		fclose(old);
	int same = got == hl && memcmp(line, header, hl - 1) == 0;
	/* records of this run; another run's file counts as holding some
	 * unless it is no more than its header line */
	uint64_t size = old ? (uint64_t)st.st_size : 0;
	uint64_t whole = same ? (size - got) / record_size
			      : size > got;
	/* a header cut short by a crash as the run started holds nothing */
	if (!same && size < hl && strncmp(line, header, (size_t)size) == 0)
		whole = 0;
	coh_free(line);
	if (whole == 0) {
		rc = start(cp, header, err);
	} else if (!resume) {
		rc = coh_error_set(err, COH_EINPUT, dir, 0,
				   "holds an unfinished %s (%s): add --resume "
				   "to finish it, or choose another -o", what,
				   name);
	} else if (!same) {
		rc = coh_error_set(err, COH_EINPUT, dir, 0,
				   "holds an unfinished %s started with other "
				   "settings (scenario, seed, replications, "
				   "--set or options: %s differs): resume with "
				   "the same ones, or choose another -o", what,
				   name);
	} else if (truncate(cp->path, (off_t)(got + whole * record_size)) ||
		   !(cp->fp = fopen(cp->path, "r+b")) ||
		   fseeko(cp->fp, 0, SEEK_END)) {
		rc = coh_error_set(err, COH_EIO, cp->path, 0,
				   "cannot trim to its whole records: %s",
				   strerror(errno));
	} else {
		cp->count = whole;
	}
	if (rc) {
		cli_checkpoint_close(cp, 0);
		return rc;
	}
	*out = cp;
	return 0;
}

uint64_t cli_checkpoint_count(const cli_checkpoint *cp)
{
	return cp->count;
}

int cli_checkpoint_read(cli_checkpoint *cp, uint64_t first, uint64_t n,
			void *buf, coh_error *err)
{
	off_t at = (off_t)(cp->header_len + first * cp->record_size);
	int ok = first + n <= cp->count && fseeko(cp->fp, at, SEEK_SET) == 0 &&
		 fread(buf, cp->record_size, n, cp->fp) == n &&
		 fseeko(cp->fp, 0, SEEK_END) == 0;
	if (!ok)
		return coh_error_set(err, COH_EIO, cp->path, 0,
				     "cannot read its records back");
	return 0;
}

int cli_checkpoint_append(cli_checkpoint *cp, const void *records, size_t n,
			  coh_error *err)
{
	if (fwrite(records, cp->record_size, n, cp->fp) != n ||
	    fflush(cp->fp) || fsync(fileno(cp->fp)))
		return coh_error_set(err, COH_EIO, cp->path, 0,
				     "cannot append: %s", strerror(errno));
	return 0;
}

void cli_checkpoint_close(cli_checkpoint *cp, int remove)
{
	if (!cp)
		return;
	if (cp->fp)
		fclose(cp->fp);
	if (remove && cp->path)
		unlink(cp->path);
	coh_free(cp->path);
	coh_free(cp);
}
