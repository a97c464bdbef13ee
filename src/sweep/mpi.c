/* The sweep over MPI: rank 0 hands out points one at a time (dynamic load
 * balancing), the other ranks run them and send back their rows, and rank
 * 0 writes finished points strictly in point order, so the files are the
 * bytes a single-process sweep writes.  Built only with `make MPI=1`. */
#include "internal.h"

#ifdef COH_MPI
#include "core/alloc.h"

#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { TAG_WORK = 1, TAG_STOP, TAG_HEAD, TAG_ROWS, TAG_SUMMARY, TAG_ERROR };

/* What a worker reports first: which point, how it went, how much follows. */
typedef struct head {
	unsigned long long point;
	long long rc;
	unsigned long long rows_len, summary_len, error_len;
} head;

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void worker(const coh_sweep_options *o)
{
	for (;;) {
		unsigned long long p;
		MPI_Status st;
		MPI_Recv(&p, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_ANY_TAG,
			 MPI_COMM_WORLD, &st);
		if (st.MPI_TAG == TAG_STOP)
			return;
		swp_point_result r = {0};
		coh_diag diag = COH_DIAG_INIT;
		int rc = swp_point_run(o, p, &r, &diag);
		char msg[1200] = "";
		if (rc && diag.count)
			coh_error_format(&diag.items[0], msg, sizeof msg);
		head h = {p, rc, rc ? 0 : r.rows_len, rc ? 0 : r.summary_len,
			  strlen(msg)};
		MPI_Send(&h, sizeof h, MPI_BYTE, 0, TAG_HEAD, MPI_COMM_WORLD);
		if (rc) {
			MPI_Send(msg, (int)h.error_len, MPI_CHAR, 0, TAG_ERROR,
				 MPI_COMM_WORLD);
		} else {
			MPI_Send(r.rows, (int)r.rows_len, MPI_CHAR, 0, TAG_ROWS,
				 MPI_COMM_WORLD);
			MPI_Send(r.summary, (int)r.summary_len, MPI_CHAR, 0,
				 TAG_SUMMARY, MPI_COMM_WORLD);
		}
		swp_point_result_free(&r);
		coh_diag_clear(&diag);
	}
}

/* Receives one worker's report into *r; returns its status. */
static int receive(int *from, head *h, swp_point_result *r, coh_diag *diag)
{
	MPI_Status st;
	MPI_Recv(h, sizeof *h, MPI_BYTE, MPI_ANY_SOURCE, TAG_HEAD,
		 MPI_COMM_WORLD, &st);
	*from = st.MPI_SOURCE;
	if (h->rc) {
		char msg[1200];
		MPI_Recv(msg, (int)h->error_len, MPI_CHAR, *from, TAG_ERROR,
			 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		msg[h->error_len] = '\0';
		coh_diag_add(diag, (int)h->rc, NULL, 0, "%s", msg);
		return (int)h->rc;
	}
	r->rows = coh_malloc(h->rows_len + 1);
	r->summary = coh_malloc(h->summary_len + 1);
	int ok = r->rows && r->summary;
	/* receive even without memory, into nothing, to keep the protocol */
	MPI_Recv(ok ? r->rows : NULL, ok ? (int)h->rows_len : 0, MPI_CHAR,
		 *from, TAG_ROWS, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	MPI_Recv(ok ? r->summary : NULL, ok ? (int)h->summary_len : 0,
		 MPI_CHAR, *from, TAG_SUMMARY, MPI_COMM_WORLD,
		 MPI_STATUS_IGNORE);
	if (!ok) {
		swp_point_result_free(r);
		return coh_diag_add(diag, COH_ENOMEM, NULL, 0, "out of memory");
	}
	r->rows_len = h->rows_len;
	r->summary_len = h->summary_len;
	return 0;
}

static int coordinator(const coh_sweep_options *o, int ranks, coh_diag *diag)
{
	double t0 = now_seconds();
	swp_files *f = NULL;
	uint64_t done = 0;
	int rc = coh_sweep_check(o, diag);
	if (!rc)
		rc = swp_files_open(&f, o, &done, diag);
	uint64_t total = coh_design_points(o->design);
	/* finished points waiting for an earlier one, indexed by point */
	swp_point_result *pending = NULL;
	unsigned char *have = NULL;
	if (!rc) {
		pending = coh_calloc(total ? total : 1, sizeof *pending);
		have = coh_calloc(total ? total : 1, 1);
		if (!pending || !have)
			rc = coh_diag_add(diag, COH_ENOMEM, NULL, 0,
					  "out of memory");
	}
	uint64_t next = done, written = done;
	int busy = 0;
	for (int w = 1; w < ranks; w++) {
		if (!rc && next < total && !(o->stop && *o->stop)) {
			unsigned long long p = next++;
			MPI_Send(&p, 1, MPI_UNSIGNED_LONG_LONG, w, TAG_WORK,
				 MPI_COMM_WORLD);
			busy++;
		}
	}
	coh_error err = {0};
	while (busy > 0) {
		int from;
		head h;
		swp_point_result r = {0};
		int rrc = receive(&from, &h, &r, diag);
		busy--;
		if (rrc && !rc)
			rc = rrc;
		if (!rrc) {
			pending[h.point] = r;
			have[h.point] = 1;
		}
		while (!rc && written < total && have[written]) {
			rc = swp_files_append(f, &pending[written], &err);
			if (rc)
				coh_diag_push(diag, &err);
			swp_point_result_free(&pending[written]);
			have[written] = 0;
			written++;
			if (o->progress)
				o->progress(o->progress_ctx, written, total);
		}
		if (!rc && next < total && !(o->stop && *o->stop)) {
			unsigned long long p = next++;
			MPI_Send(&p, 1, MPI_UNSIGNED_LONG_LONG, from, TAG_WORK,
				 MPI_COMM_WORLD);
			busy++;
		}
	}
	for (int w = 1; w < ranks; w++) {
		unsigned long long zero = 0;
		MPI_Send(&zero, 1, MPI_UNSIGNED_LONG_LONG, w, TAG_STOP,
			 MPI_COMM_WORLD);
	}
	for (uint64_t p = 0; pending && p < total; p++)
		swp_point_result_free(&pending[p]);
	coh_free(pending);
	coh_free(have);
	if (f) {
		int crc = swp_files_close(f, written, o->argc, o->argv,
						now_seconds() - t0, &err);
		if (crc && !rc) {
			coh_diag_push(diag, &err);
			rc = crc;
		}
	}
	if (!rc && written < total)
		rc = coh_diag_add(diag, COH_ECANCEL, NULL, 0,
				  "stopped after %llu of %llu points",
				  (unsigned long long)written,
				  (unsigned long long)total);
	return rc;
}

int coh_sweep_run_mpi(const coh_sweep_options *o, coh_diag *diag)
{
	int rank, ranks;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &ranks);
	if (ranks < 2)
		return rank == 0 ? coh_sweep_run(o, diag) : 0;
	if (rank != 0) {
		worker(o);
		return 0;
	}
	return coordinator(o, ranks, diag);
}

#else
/* Without MPI this file is empty; ISO C wants a declaration. */
typedef int coh_sweep_mpi_unused;
#endif
