/* The run writer: a coh_recorder that streams one run's per-replication
 * rows into cohesion.csv, members.csv and events.csv.  Rows go through
 * large stdio buffers into temporaries that are renamed only when the run
 * is complete, so a failed or killed run never leaves a half-written file
 * under a final name. */
#include "cohesim/output.h"
#include "cohesim/date.h"
#include "core/alloc.h"
#include "csv.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { F_COHESION, F_MEMBERS, F_EVENTS, F_COUNT };

static const char *const file_names[F_COUNT] = {
	[F_COHESION] = "cohesion.csv",
	[F_MEMBERS] = "members.csv",
	[F_EVENTS] = "events.csv",
};

static const char *const file_headers[F_COUNT] = {
	[F_COHESION] = "replication,day,date,cohesion,mean,min,sd,active,"
		       "frozen,exited,reliability\n",
	[F_MEMBERS] = "replication,day,date,member,commitment,status\n",
	[F_EVENTS] = "replication,day,date,type,actor,target,member,value,"
		     "commitment_before,commitment_after,source,label\n",
};

/* cohesion.csv of a model with joins: a `candidates` column after
 * `exited` (the header above stays for every other model, byte for
 * byte). */
static const char cohesion_header_joins[] =
	"replication,day,date,cohesion,mean,min,sd,active,frozen,exited,"
	"candidates,reliability\n";

/* Big enough that the kernel sees few, large writes. */
#define WRITE_BUFFER (1u << 20)

struct coh_run_writer {
	const coh_model *model;
	char *dir;
	uint64_t replication;
	coh_atomic_file *file[F_COUNT];   /* NULL: not kept */
	const char *names[F_COUNT];       /* of the kept files, in order */
	size_t n_names;
	int failed;
	int joins;                        /* the model has a member with joins */
	coh_error error;                  /* the first write error */
};

/* Records the first write failure; later ones are consequences of it. */
static int write_failed(coh_run_writer *w, int which)
{
	if (!w->failed) {
		w->failed = 1;
		coh_error_set(&w->error, COH_EIO,
			      coh_atomic_path(w->file[which]), 0,
			      "cannot write: %s",
			      errno ? strerror(errno) : "I/O error");
	}
	return COH_EIO;
}

/* replication,day,date, -- the columns every file starts with. */
static void write_prefix(FILE *fp, uint64_t r, const char *day,
			 const char *date)
{
	fprintf(fp, "%" PRIu64 ",%s,%s,", r, day, date);
}

static int on_sample(void *ctx, const coh_sample *s)
{
	coh_run_writer *w = ctx;
	if (w->failed)
		return COH_EIO;

	char day[COH_CSV_NUMBER_MAX], date[16];
	coh_csv_format_double(day, s->day);
	coh_date_format_offset(date, sizeof date, w->model->start_day, s->day);

	FILE *fp = w->file[F_COHESION] ? coh_atomic_stream(w->file[F_COHESION])
				       : NULL;
	if (fp) {
		write_prefix(fp, w->replication, day, date);
		coh_csv_write_double(fp, s->cohesion);
		fputc(',', fp);
		coh_csv_write_double(fp, s->mean);
		fputc(',', fp);
		coh_csv_write_double(fp, s->min);
		fputc(',', fp);
		coh_csv_write_double(fp, s->sd);
		fprintf(fp, ",%d,%d,%d,", s->active, s->frozen, s->exited);
		if (w->joins)
			fprintf(fp, "%d,", s->candidates);
		coh_csv_write_double(fp, s->reliability);
		if (fputc('\n', fp) == EOF || ferror(fp))
			return write_failed(w, F_COHESION);
	}

	fp = w->file[F_MEMBERS] ? coh_atomic_stream(w->file[F_MEMBERS]) : NULL;
	if (fp) {
		size_t n = s->n_members < w->model->n_members
				   ? s->n_members
				   : w->model->n_members;
		for (size_t i = 0; i < n; i++) {
			write_prefix(fp, w->replication, day, date);
			coh_csv_write_text(fp, w->model->members[i].id);
			fputc(',', fp);
			coh_csv_write_double(fp, s->commitment[i]);
			fputc(',', fp);
			fputs(coh_status_name(s->status[i]), fp);
			fputc('\n', fp);
		}
		if (ferror(fp))
			return write_failed(w, F_MEMBERS);
	}
	return 0;
}

static const char *member_id(const coh_model *m, int i)
{
	return i >= 0 && (size_t)i < m->n_members ? m->members[i].id : NULL;
}

static int on_event(void *ctx, const coh_event_record *e)
{
	coh_run_writer *w = ctx;
	if (w->failed)
		return COH_EIO;
	FILE *fp = coh_atomic_stream(w->file[F_EVENTS]);
	const coh_model *m = w->model;

	char day[COH_CSV_NUMBER_MAX], date[16];
	coh_csv_format_double(day, e->day);
	coh_date_format_offset(date, sizeof date, m->start_day, e->day);
	write_prefix(fp, w->replication, day, date);
	fputs(coh_model_type_name(m, e->type), fp);
	fputc(',', fp);
	coh_csv_write_text(fp, member_id(m, e->actor));
	fputc(',', fp);
	/* The target column names whoever the event was aimed at: a member
	 * if there is one, else the outsider involved. */
	const char *target = member_id(m, e->target);
	if (!target && e->outsider >= 0 && (size_t)e->outsider < m->n_outsiders)
		target = m->outsiders[e->outsider].id;
	coh_csv_write_text(fp, target);
	fputc(',', fp);
	/* whose commitment the before/after columns give: empty for a
	 * summit or consultation round, which moves every attendee */
	coh_csv_write_text(fp, member_id(m, e->subject));
	fputc(',', fp);
	coh_csv_write_double(fp, e->value);
	fputc(',', fp);
	coh_csv_write_double(fp, e->before);
	fputc(',', fp);
	coh_csv_write_double(fp, e->after);
	fputc(',', fp);
	coh_csv_write_text(fp, e->source);
	fputc(',', fp);
	coh_csv_write_text(fp, e->label);
	if (fputc('\n', fp) == EOF || ferror(fp))
		return write_failed(w, F_EVENTS);
	return 0;
}

int coh_run_writer_open(coh_run_writer **out, const char *dir,
			const coh_model *model, unsigned keep,
			coh_error *err)
{
	coh_run_writer *w = coh_calloc(1, sizeof *w);
	if (!w || !(w->dir = coh_strdup(dir))) {
		coh_free(w);
		return coh_error_set(err, COH_ENOMEM, dir, 0, "out of memory");
	}
	w->model = model;
	w->joins = coh_model_has_joins(model);
	for (int f = 0; f < F_COUNT; f++) {
		if (!(keep & (1u << f)))
			continue;
		char *path = coh_output_path(dir, file_names[f]);
		if (!path) {
			coh_run_writer_abort(w);
			return coh_error_set(err, COH_ENOMEM, dir, 0,
					     "out of memory");
		}
		int rc = coh_atomic_open(&w->file[f], path, WRITE_BUFFER, err);
		coh_free(path);
		if (rc) {
			coh_run_writer_abort(w);
			return rc;
		}
		w->names[w->n_names++] = file_names[f];
		FILE *fp = coh_atomic_stream(w->file[f]);
		const char *header = f == F_COHESION && w->joins
					     ? cohesion_header_joins
					     : file_headers[f];
		if (fputs(header, fp) == EOF) {
			rc = write_failed(w, f);
			*err = w->error;
			coh_run_writer_abort(w);
			return rc;
		}
	}
	*out = w;
	return 0;
}

coh_recorder coh_run_writer_recorder(coh_run_writer *writer, uint64_t r)
{
	writer->replication = r;
	coh_recorder rec = {writer, NULL, NULL, NULL, NULL};
	if (writer->file[F_EVENTS])
		rec.event = on_event;
	if (writer->file[F_COHESION] || writer->file[F_MEMBERS])
		rec.sample = on_sample;
	return rec;
}

const coh_error *coh_run_writer_error(const coh_run_writer *writer)
{
	return writer->failed ? &writer->error : NULL;
}

const char *const *coh_run_writer_files(const coh_run_writer *writer,
					size_t *count)
{
	*count = writer->n_names;
	return writer->names;
}

int coh_run_writer_commit(coh_run_writer *writer, coh_error *err)
{
	int rc = 0;
	if (writer->failed) {
		if (err)
			*err = writer->error;
		rc = COH_EIO;
	}
	for (int f = 0; f < F_COUNT; f++) {
		coh_atomic_file *file = writer->file[f];
		writer->file[f] = NULL;
		if (!file)
			continue;
		if (rc)
			coh_atomic_abort(file);
		else
			rc = coh_atomic_commit(file, err);
	}
	/* A file this run chose not to keep must not survive from an earlier
	 * run into the same folder, where it would pass for this run's. */
	for (int f = 0; f < F_COUNT && rc == 0; f++) {
		int kept = 0;
		for (size_t i = 0; i < writer->n_names; i++)
			kept |= writer->names[i] == file_names[f];
		if (kept)
			continue;
		char *path = coh_output_path(writer->dir, file_names[f]);
		if (!path) {
			rc = coh_error_set(err, COH_ENOMEM, writer->dir, 0,
					   "out of memory");
			break;
		}
		if (unlink(path) != 0 && errno != ENOENT)
			rc = coh_error_set(err, COH_EIO, path, 0,
					   "cannot remove the stale file: %s",
					   strerror(errno));
		coh_free(path);
	}
	coh_free(writer->dir);
	coh_free(writer);
	return rc;
}

void coh_run_writer_abort(coh_run_writer *writer)
{
	if (!writer)
		return;
	for (int f = 0; f < F_COUNT; f++)
		coh_atomic_abort(writer->file[f]);
	coh_free(writer->dir);
	coh_free(writer);
}
