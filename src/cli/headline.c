/* The few numbers `run` ends with on stdout, so that a reader sees where
 * the projection ends without opening a file: cohesion and each member's
 * commitment at the last sample, and the chances that the member has
 * frozen (ever), is frozen, and has exited by then, each with its 95%
 * interval (Student's t for means, Wilson for shares, as qoi.csv). */
#include "cli.h"
#include "cohesim/date.h"
#include "cohesim/mc.h"
#include "cohesim/qoi.h"

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

/* "0.712 [0.701, 0.723]", or "-" without a value. */
static const char *cell(char buf[48], coh_qoi_estimate e, int digits)
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

void cli_print_headline(const coh_summary *s, const coh_model *m)
{
	uint64_t n = coh_summary_replications(s);
	size_t last = coh_summary_samples(s);
	if (n == 0 || last == 0)
		return;
	last--;
	char date[16], a[48], b[48], c[48], d[48];
	coh_date_format_offset(date, sizeof date, m->start_day,
			       coh_summary_day(s, last));
	int width = (int)strlen("cohesion");
	for (size_t i = 0; i < m->n_members; i++)
		if ((int)strlen(m->members[i].id) > width)
			width = (int)strlen(m->members[i].id);
	printf("At %s, over %" PRIu64 " replications (95%% intervals):\n",
	       date, n);
	printf("  %-*s  %s\n", width, "cohesion",
	       cell(a, mean_estimate(coh_summary_stat(s, last,
						      COH_M_COHESION)), 3));
	printf("  %-*s  %-24s  %-22s  %-22s  %s\n", width, "member",
	       "commitment", "frozen (ever)", "frozen (now)",
	       "exited");
	for (size_t i = 0; i < m->n_members; i++) {
		coh_stat st = coh_summary_stat(s, last, COH_M__FIXED + i);
		printf("  %-*s  %-24s  %-22s  %-22s  %s\n", width,
		       m->members[i].id, cell(a, mean_estimate(st), 3),
		       cell(b, share_estimate(coh_summary_frozen_by(s, last, i),
					      n), 2),
		       cell(c, share_estimate(coh_summary_frozen_now(s, last, i),
					      n), 2),
		       cell(d, share_estimate(coh_summary_exited_by(s, last, i),
					      n), 2));
	}
	fflush(stdout);
}
