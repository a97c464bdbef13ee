/* The few numbers `run` ends with on stdout, so that a reader sees where
 * the projection ends without opening a file: cohesion and each member's
 * commitment at the last sample, and the chances that the member has
 * frozen (ever), is frozen, and has exited by then, each with its 95%
 * interval (Student's t for means, Wilson for shares, as qoi.csv).  The
 * numbers are computed once (cli_headline_fill) and shown twice: on
 * stdout and in report.html. */
#include "cli.h"
#include "cohesim/date.h"
#include "cohesim/mc.h"
#include "cohesim/qoi.h"
#include "core/alloc.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A mean's estimate from the summary's statistics. */
static coh_qoi_estimate mean_estimate(coh_stat st)
{
	coh_qoi_acc acc = {.n = st.n, .mean = st.mean,
			   .m2 = st.n > 1 ? st.sd * st.sd * (double)(st.n - 1)
					  : 0.0};
	return coh_qoi_acc_estimate(&acc, 0);
}

/* A share's estimate: share of n replications, a count over n. */
static coh_qoi_estimate share_estimate(double share, uint64_t n)
{
	coh_qoi_acc acc = {.n = n, .ones = (uint64_t)llround(share * (double)n),
			   .mean = share};
	return coh_qoi_acc_estimate(&acc, 1);
}

const char *cli_headline_cell(char buf[48], coh_qoi_estimate e, int digits)
{
	if (isnan(e.estimate))
		snprintf(buf, 48, "-");
	else if (isnan(e.ci_lo))
		snprintf(buf, 48, "%.*f", digits, e.estimate);
	else
		snprintf(buf, 48, "%.*f [%.*f, %.*f]", digits, e.estimate,
			 digits, e.ci_lo, digits, e.ci_hi);
	return buf;
}

int cli_headline_fill(cli_headline *h, const coh_summary *s,
		      const coh_model *m, coh_error *err)
{
	memset(h, 0, sizeof *h);
	uint64_t n = coh_summary_replications(s);
	size_t last = coh_summary_samples(s);
	if (n == 0 || last == 0)
		return 0;
	last--;
	h->members = coh_calloc(m->n_members ? m->n_members : 1,
				sizeof *h->members);
	if (!h->members)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	h->replications = n;
	h->n_members = m->n_members;
	coh_date_format_offset(h->date, sizeof h->date, m->start_day,
			       coh_summary_day(s, last));
	h->cohesion = mean_estimate(coh_summary_stat(s, last, COH_M_COHESION));
	for (size_t i = 0; i < m->n_members; i++) {
		cli_headline_member *hm = &h->members[i];
		hm->commitment = mean_estimate(coh_summary_stat(s, last,
							       COH_M__FIXED + i));
		hm->frozen_ever = share_estimate(coh_summary_frozen_by(s, last,
								       i), n);
		hm->frozen_now = share_estimate(coh_summary_frozen_now(s, last,
								       i), n);
		hm->exited = share_estimate(coh_summary_exited_by(s, last, i),
					    n);
	}
	return 0;
}

void cli_headline_free(cli_headline *h)
{
	coh_free(h->members);
	h->members = NULL;
	h->n_members = 0;
}

void cli_headline_print(const cli_headline *h, const coh_model *m)
{
	if (h->replications == 0)
		return;
	char a[48], b[48], c[48], d[48];
	int width = (int)strlen("cohesion");
	for (size_t i = 0; i < m->n_members; i++)
		if ((int)strlen(m->members[i].id) > width)
			width = (int)strlen(m->members[i].id);
	printf("At %s, over %" PRIu64 " replications (95%% intervals):\n",
	       h->date, h->replications);
	printf("  %-*s  %s\n", width, "cohesion",
	       cli_headline_cell(a, h->cohesion, 3));
	printf("  %-*s  %-24s  %-22s  %-22s  %s\n", width, "member",
	       "commitment", "frozen (ever)", "frozen (now)",
	       "exited");
	for (size_t i = 0; i < h->n_members; i++) {
		const cli_headline_member *hm = &h->members[i];
		printf("  %-*s  %-24s  %-22s  %-22s  %s\n", width,
		       m->members[i].id,
		       cli_headline_cell(a, hm->commitment, 3),
		       cli_headline_cell(b, hm->frozen_ever, 2),
		       cli_headline_cell(c, hm->frozen_now, 2),
		       cli_headline_cell(d, hm->exited, 2));
	}
	fflush(stdout);
}
