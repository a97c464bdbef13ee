/* Quantities of interest: parsing KIND[:MEMBER]@WHEN against a model, a
 * QoI's value in one recorded replication, and its estimate over
 * replications (docs/analysis.md). */
#include "cohesim/qoi.h"
#include "cohesim/date.h"
#include "core/alloc.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/*--- Parsing ------------------------------------------------------------*/

typedef struct kind_info {
	const char *name;
	coh_qoi_kind kind;
	int member;             /* 1: needs a member, 0: takes none */
	int indicator;
} kind_info;

/* A name may appear twice, with and without a member (frozen, frozen:ID). */
static const kind_info kinds[] = {
	{"cohesion", COH_QOI_COHESION, 0, 0},
	{"mean", COH_QOI_MEAN, 0, 0},
	{"min", COH_QOI_MIN, 0, 0},
	{"sd", COH_QOI_SD, 0, 0},
	{"active", COH_QOI_ACTIVE, 0, 0},
	{"frozen", COH_QOI_FROZEN, 0, 0},
	{"exited", COH_QOI_EXITED, 0, 0},
	{"candidates", COH_QOI_CANDIDATES, 0, 0},
	{"reliability", COH_QOI_RELIABILITY, 0, 0},
	{"commitment", COH_QOI_COMMITMENT, 1, 0},
	{"frozen", COH_QOI_IS_FROZEN, 1, 1},
	{"exited", COH_QOI_IS_EXITED, 1, 1},
	{"active", COH_QOI_IS_ACTIVE, 1, 1},
	{"frozen_by", COH_QOI_FROZEN_BY, 1, 1},
	{"freeze_day", COH_QOI_FREEZE_DAY, 1, 0},
	{"exit_day", COH_QOI_EXIT_DAY, 1, 0},
};
#define N_KINDS (sizeof kinds / sizeof *kinds)

#define KIND_LIST "cohesion, mean, min, sd, active, frozen, exited, " \
	"candidates, reliability, commitment:ID, frozen:ID, exited:ID, active:ID, " \
	"frozen_by:ID, freeze_day:ID, exit_day:ID"

/* "A, B, C" into buf: as many ids as fit, then ", ...". */
static void member_list(char *buf, size_t size, const coh_model *model)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < model->n_members; i++) {
		const char *id = model->members[i].id;
		size_t need = strlen(id) + (i ? 2 : 0);
		/* room for this id and a closing ", ..." */
		if (len + need + 6 >= size) {
			snprintf(buf + len, size - len, "%s...", i ? ", " : "");
			return;
		}
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i ? ", " : "", id);
	}
}

/* The member index of id, or -1. */
static int find_member(const coh_model *model, const char *id, size_t len)
{
	for (size_t i = 0; i < model->n_members; i++) {
		const char *m = model->members[i].id;
		if (m && strlen(m) == len && strncmp(m, id, len) == 0)
			return (int)i;
	}
	return -1;
}

/* WHEN: "end" or a date within the scenario, as days since the start. */
static int parse_when(double *out, const char *when, const coh_model *model,
		      coh_error *err)
{
	if (strcmp(when, "end") == 0) {
		*out = model->horizon;
		return 0;
	}
	int64_t day;
	if (coh_date_parse(&day, when) != 0)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "\"%s\" is not a time; expected end or a "
				     "date YYYY-MM-DD", when);
	int64_t end = model->start_day + (int64_t)model->horizon;
	if (day < model->start_day || day > end) {
		char a[16], b[16];
		coh_date_format(a, sizeof a, day);
		coh_date_format(b, sizeof b, day < model->start_day
					     ? model->start_day : end);
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "%s is %s the scenario's %s %s", a,
				     day < model->start_day ? "before" : "after",
				     day < model->start_day ? "start" : "end",
				     b);
	}
	*out = (double)(day - model->start_day);
	return 0;
}

int coh_qoi_parse(coh_qoi *out, const char *text, const coh_model *model,
		  coh_error *err)
{
	if (!out || !text || !model)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "coh_qoi_parse needs a QoI and a model");
	size_t len = strlen(text);
	if (len >= COH_QOI_TEXT_MAX)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "longer than %d characters",
				     COH_QOI_TEXT_MAX - 1);
	const char *at = strrchr(text, '@');
	if (!at || at == text)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "expected KIND[:MEMBER]@WHEN with WHEN end "
				     "or YYYY-MM-DD, e.g. commitment:%s@end",
				     model->n_members ? model->members[0].id
						      : "ID");
	const char *colon = memchr(text, ':', (size_t)(at - text));
	size_t kind_len = (size_t)((colon ? colon : at) - text);
	int wants_member = colon != NULL;
	const kind_info *k = NULL;
	int known_name = 0;
	for (size_t i = 0; i < N_KINDS; i++) {
		if (strlen(kinds[i].name) != kind_len ||
		    strncmp(kinds[i].name, text, kind_len) != 0)
			continue;
		known_name = 1;
		if (kinds[i].member == wants_member)
			k = &kinds[i];
	}
	char members[256];
	member_list(members, sizeof members, model);
	if (!known_name)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "unknown kind \"%.*s\"; kinds are "
				     KIND_LIST, (int)kind_len, text);
	if (!k && wants_member)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "%.*s is a metric of the whole alliance "
				     "and takes no member", (int)kind_len, text);
	if (!k)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "%.*s needs a member, as %.*s:ID; members "
				     "are %s", (int)kind_len, text,
				     (int)kind_len, text, members);
	int member = -1;
	if (wants_member) {
		const char *id = colon + 1;
		size_t id_len = (size_t)(at - id);
		member = find_member(model, id, id_len);
		if (member < 0 && id_len == 0)
			return coh_error_set(err, COH_EUSAGE, NULL, 0,
					     "no member after ':'; members are "
					     "%s", members);
		if (member < 0)
			return coh_error_set(err, COH_EUSAGE, NULL, 0,
					     "no member %.*s; members are %s",
					     (int)id_len, id, members);
	}
	double day = 0;
	int rc = parse_when(&day, at + 1, model, err);
	if (rc)
		return rc;
	out->kind = k->kind;
	out->member = member;
	out->day = day;
	out->indicator = k->indicator;
	memcpy(out->text, text, len + 1);
	return 0;
}

/*--- Values -------------------------------------------------------------*/

/* Whether a first freeze or exit day (NaN: none) came by day `by`; NaN
 * is tested first, as an ordered comparison with it would raise the
 * invalid-operation flag (a trap under FP_TRAPS=1). */
static int came_by(double first, double by)
{
	return !isnan(first) && first <= by;
}

/* The day of a first freeze or exit if it came by `by`, else the
 * censoring value horizon + 1. */
static double day_by(double first, double by, const coh_model *model)
{
	return came_by(first, by) ? first : model->horizon + 1.0;
}

double coh_qoi_value(const coh_qoi *q, const coh_model *model,
		     const coh_trace *t, size_t read_index)
{
	int i = q->member;
	switch (q->kind) {
	case COH_QOI_FROZEN_BY:
		return came_by(t->first_freeze[i], q->day) ? 1.0 : 0.0;
	case COH_QOI_FREEZE_DAY:
		return day_by(t->first_freeze[i], q->day, model);
	case COH_QOI_EXIT_DAY:
		return day_by(t->first_exit[i], q->day, model);
	default:
		break;
	}
	const coh_sample *s = &t->reads[read_index];
	switch (q->kind) {
	case COH_QOI_COHESION: return s->cohesion;
	case COH_QOI_MEAN: return s->mean;
	case COH_QOI_MIN: return s->min;
	case COH_QOI_SD: return s->sd;
	case COH_QOI_ACTIVE: return (double)s->active;
	case COH_QOI_FROZEN: return (double)s->frozen;
	case COH_QOI_EXITED: return (double)s->exited;
	case COH_QOI_CANDIDATES: return (double)s->candidates;
	case COH_QOI_RELIABILITY: return s->reliability;
	case COH_QOI_COMMITMENT: return s->commitment[i];
	case COH_QOI_IS_FROZEN: return s->status[i] == COH_FROZEN;
	case COH_QOI_IS_EXITED: return s->status[i] == COH_EXITED;
	case COH_QOI_IS_ACTIVE: return s->status[i] == COH_ACTIVE;
	default: return NAN;
	}
}

/* Whether the QoI is read from the state at its day (the others come from
 * the first freeze and exit days every trace carries). */
static int reads_state(const coh_qoi *q)
{
	return q->kind != COH_QOI_FROZEN_BY && q->kind != COH_QOI_FREEZE_DAY &&
	       q->kind != COH_QOI_EXIT_DAY;
}

/*--- Estimates ----------------------------------------------------------*/

/* The 0.975 quantile of the standard normal. */
#define Z975 1.959963984540054

void coh_qoi_acc_add(coh_qoi_acc *acc, double x)
{
	if (isnan(x))
		return;
	acc->n++;
	acc->ones += x == 1.0;
	double delta = x - acc->mean;
	acc->mean += delta / (double)acc->n;
	acc->m2 += delta * (x - acc->mean);
}

coh_qoi_estimate coh_qoi_acc_estimate(const coh_qoi_acc *acc, int indicator)
{
	coh_qoi_estimate e = {acc->n, NAN, NAN, NAN};
	if (acc->n == 0)
		return e;
	double n = (double)acc->n;
	if (indicator) {
		/* Wilson: (2k + z^2 -+ z sqrt(z^2 + 4k(n - k)/n)) / 2(n + z^2),
		 * whose ends are exactly 0 at k = 0 and 1 at k = n */
		double k = (double)acc->ones;
		double z2 = Z975 * Z975;
		double root = Z975 * sqrt(z2 + 4.0 * k * (n - k) / n);
		double den = 2.0 * (n + z2);
		e.estimate = k / n;
		e.ci_lo = acc->ones == 0 ? 0.0 : (2.0 * k + z2 - root) / den;
		e.ci_hi = acc->ones == acc->n ? 1.0
			: (2.0 * k + z2 + root) / den;
		return e;
	}
	e.estimate = acc->mean;
	if (acc->n < 2)
		return e;
	double sd = sqrt(acc->m2 / (n - 1.0));
	double half = gsl_cdf_tdist_Pinv(0.975, n - 1.0) * sd / sqrt(n);
	e.ci_lo = acc->mean - half;
	e.ci_hi = acc->mean + half;
	return e;
}

/*--- Sets ---------------------------------------------------------------*/

struct coh_qoi_set {
	const coh_model *model;
	coh_qoi *qois;
	size_t *read_of;        /* per QoI: index of its day in days */
	coh_qoi_acc *acc;
	double *values;         /* per QoI: scratch for accumulate */
	size_t count, cap;
	double *days;           /* sorted, distinct */
	size_t n_days;
};

int coh_qoi_set_alloc(coh_qoi_set **out, const coh_model *model,
		      coh_error *err)
{
	coh_qoi_set *set = coh_calloc(1, sizeof *set);
	if (!set)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	set->model = model;
	*out = set;
	return 0;
}

void coh_qoi_set_free(coh_qoi_set *set)
{
	if (!set)
		return;
	coh_free(set->qois);
	coh_free(set->read_of);
	coh_free(set->acc);
	coh_free(set->values);
	coh_free(set->days);
	coh_free(set);
}

/* Room for one more QoI and one more day. */
static int reserve(coh_qoi_set *set)
{
	if (set->count < set->cap)
		return 0;
	size_t cap = set->cap ? 2 * set->cap : 8;
	coh_qoi *q = coh_reallocarray(set->qois, cap, sizeof *q);
	if (!q)
		return -1;
	set->qois = q;
	size_t *r = coh_reallocarray(set->read_of, cap, sizeof *r);
	if (!r)
		return -1;
	set->read_of = r;
	coh_qoi_acc *a = coh_reallocarray(set->acc, cap, sizeof *a);
	if (!a)
		return -1;
	set->acc = a;
	double *v = coh_reallocarray(set->values, cap, sizeof *v);
	if (!v)
		return -1;
	set->values = v;
	double *d = coh_reallocarray(set->days, cap, sizeof *d);
	if (!d)
		return -1;
	set->days = d;
	set->cap = cap;
	return 0;
}

int coh_qoi_set_add(coh_qoi_set *set, const char *text, coh_error *err)
{
	coh_qoi q;
	int rc = coh_qoi_parse(&q, text, set->model, err);
	if (rc)
		return rc;
	if (reserve(set))
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	set->qois[set->count] = q;
	memset(&set->acc[set->count], 0, sizeof *set->acc);
	set->read_of[set->count] = 0;
	set->count++;
	if (!reads_state(&q))
		return 0;
	/* insert q.day into the sorted days unless it is there */
	size_t at = 0;
	while (at < set->n_days && set->days[at] < q.day)
		at++;
	if (at == set->n_days || set->days[at] != q.day) {
		memmove(set->days + at + 1, set->days + at,
			(set->n_days - at) * sizeof *set->days);
		set->days[at] = q.day;
		set->n_days++;
	}
	/* indices of the days may have shifted */
	for (size_t k = 0; k < set->count; k++)
		for (size_t d = 0; d < set->n_days; d++)
			if (set->days[d] == set->qois[k].day)
				set->read_of[k] = d;
	return 0;
}

size_t coh_qoi_set_count(const coh_qoi_set *set)
{
	return set ? set->count : 0;
}

const coh_qoi *coh_qoi_set_get(const coh_qoi_set *set, size_t k)
{
	return k < set->count ? &set->qois[k] : NULL;
}

const double *coh_qoi_set_read_days(const coh_qoi_set *set, size_t *n)
{
	*n = set->n_days;
	return set->days;
}

int coh_qoi_set_values(const coh_qoi_set *set, const coh_trace *trace,
		       double *values, coh_error *err)
{
	if (trace->n_reads != set->n_days)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "replication %llu holds %zu reads, the "
				     "QoIs need %zu",
				     (unsigned long long)trace->replication,
				     trace->n_reads, set->n_days);
	for (size_t k = 0; k < set->count; k++)
		values[k] = coh_qoi_value(&set->qois[k], set->model, trace,
					  set->read_of[k]);
	return 0;
}

int coh_qoi_set_accumulate(coh_qoi_set *set, const coh_trace *trace,
			   coh_error *err)
{
	int rc = coh_qoi_set_values(set, trace, set->values, err);
	if (rc)
		return rc;
	for (size_t k = 0; k < set->count; k++)
		coh_qoi_acc_add(&set->acc[k], set->values[k]);
	return 0;
}

coh_qoi_estimate coh_qoi_set_estimate(const coh_qoi_set *set, size_t k)
{
	return coh_qoi_acc_estimate(&set->acc[k], set->qois[k].indicator);
}
