/* Experimental designs over sweep axes: full grids, Latin hypercubes and
 * Sobol' sequences, with each point's values kept as override text. */
#include "cohesim/sweep.h"
#include "core/alloc.h"
#include "core/number.h"

#include <errno.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest design accepted: a grid is a product of axis sizes and is
 * easy to make absurdly large by accident. */
#define MAX_POINTS 1000000u

typedef struct sweep_axis {
	char *path;
	int is_range;           /* lo:hi:n */
	double lo, hi;
	size_t n;               /* values of a range, or of the list */
	char **list;            /* the list's values, as written */
} sweep_axis;

struct coh_design {
	coh_design_kind kind;
	size_t n_axes, n_points;
	sweep_axis *axes;
	/* lhs and sobol: each point's place in [0, 1) on each axis,
	 * [point][axis]; a grid's values follow from the point's number.
	 * Values are formatted when asked for, so a design of a million
	 * points takes 8 bytes a value, not a string. */
	double *u;
	/* explicit: the values themselves, [point][axis], and the keys */
	uint64_t *keys;
};

int coh_design_kind_parse(coh_design_kind *out, const char *text)
{
	static const char *const names[] = {"grid", "lhs", "sobol"};
	for (int k = 0; k < 3; k++)
		if (strcmp(text, names[k]) == 0) {
			*out = (coh_design_kind)k;
			return 0;
		}
	return COH_EUSAGE;
}

static void axis_free(sweep_axis *a)
{
	coh_free(a->path);
	for (size_t i = 0; a->list && i < a->n; i++)
		coh_free(a->list[i]);
	coh_free(a->list);
}

void coh_design_free(coh_design *d)
{
	if (!d)
		return;
	for (size_t i = 0; d->axes && i < d->n_axes; i++)
		axis_free(&d->axes[i]);
	coh_free(d->axes);
	coh_free(d->u);
	coh_free(d->keys);
	coh_free(d);
}

static int parse_number(double *out, const char *text)
{
	char *end;
	errno = 0;
	double x = coh_strtod(text, &end);
	if (end == text || *end || errno || !isfinite(x))
		return -1;
	*out = x;
	return 0;
}

/* "PATH=lo:hi:n" or "PATH=v1,v2,...", and for a sampled design (lhs,
 * sobol, which draw their own points) also "PATH=lo:hi". */
static int parse_axis(sweep_axis *a, const char *spec, int sampled,
		      coh_error *err)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec || !eq[1])
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "--vary %s: expected PATH=lo:hi:n or "
				     "PATH=v1,v2,...", spec);
	a->path = coh_malloc((size_t)(eq - spec) + 1);
	if (!a->path)
		return COH_ENOMEM;
	memcpy(a->path, spec, (size_t)(eq - spec));
	a->path[eq - spec] = '\0';
	const char *val = eq + 1;

	if (strchr(val, ':')) {
		char lo[64], hi[64], n[32] = "1", extra;
		int got = strlen(val) > 150 ? 0 :
			  sscanf(val, "%63[^:]:%63[^:]:%31[^:]%c", lo, hi, n,
				 &extra);
		/* n counts a grid's values; lhs and sobol choose their own */
		if (got != 3 && !(got == 2 && sampled))
			return coh_error_set(err, COH_EUSAGE, NULL, 0,
					     sampled ? "--vary %s: a range is "
					     "lo:hi (or lo:hi:n), got \"%s\"" :
					     "--vary %s: a range is lo:hi:n, "
					     "got \"%s\"", a->path, val);
		char *end;
		errno = 0;
		unsigned long long count = strtoull(n, &end, 10);
		if (parse_number(&a->lo, lo) || parse_number(&a->hi, hi))
			return coh_error_set(err, COH_EUSAGE, NULL, 0,
					     "--vary %s: lo and hi must be "
					     "finite numbers, got \"%s\"",
					     a->path, val);
		if (*end || errno || n[0] == '-' || count < 1 ||
		    count > MAX_POINTS)
			return coh_error_set(err, COH_EUSAGE, NULL, 0,
					     "--vary %s: n must be a whole "
					     "number from 1 to %u, got \"%s\"",
					     a->path, MAX_POINTS, n);
		if (a->hi < a->lo)
			return coh_error_set(err, COH_EUSAGE, NULL, 0,
					     "--vary %s: the range %s:%s is "
					     "reversed, expected lo <= hi",
					     a->path, lo, hi);
		if (count > 1 && a->hi == a->lo && !sampled)
			return coh_error_set(err, COH_EUSAGE, NULL, 0,
					     "--vary %s: the range %s:%s is "
					     "empty but asks for %llu values",
					     a->path, lo, hi, count);
		a->is_range = 1;
		a->n = (size_t)count;
		return 0;
	}
	/* a list: split on commas; empty items are errors */
	size_t n = 1;
	for (const char *p = val; *p; p++)
		n += *p == ',';
	a->list = coh_calloc(n, sizeof *a->list);
	if (!a->list)
		return COH_ENOMEM;
	const char *p = val;
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(p, ",");
		if (len == 0)
			return coh_error_set(err, COH_EUSAGE, NULL, 0,
					     "--vary %s: empty value in the "
					     "list \"%s\"", a->path, val);
		a->list[i] = coh_malloc(len + 1);
		if (!a->list[i])
			return COH_ENOMEM;
		memcpy(a->list[i], p, len);
		a->list[i][len] = '\0';
		a->n = i + 1;
		p += len + 1;
	}
	return 0;
}

/* Shortest text that reads back as x; "1" stays "1": the loader takes an
 * integer where a float is expected, and integer settings can be swept
 * too. */
_Static_assert(COH_DESIGN_VALUE_MAX >= COH_NUMBER_MAX,
	       "a design value holds any formatted double");

static const char *number_text(char buf[COH_DESIGN_VALUE_MAX], double x)
{
	coh_format_double(buf, x);
	return buf;
}

/* A grid value as the user would have typed it: lo + i step computed in
 * binary may land an ulp off a short decimal (0.1 + 0.2 gives
 * 0.30000000000000004), so the shortest decimal within a millionth of a
 * step is taken instead.  The values stay distinct and in order, since
 * they move by far less than half a step. */
static const char *grid_number(char buf[COH_DESIGN_VALUE_MAX], double x,
			       double step)
{
	double tolerance = 1e-6 * step;
	for (int digits = 1; digits < 15; digits++) {
		snprintf(buf, COH_DESIGN_VALUE_MAX, "%.*g", digits, x);
		double y = strtod(buf, NULL);
		if (fabs(y - x) <= tolerance)
			return number_text(buf, y);
	}
	return number_text(buf, x);
}

/* Value number i of n evenly spaced over [lo, hi], or the list's i-th. */
static const char *grid_value(const sweep_axis *a, size_t i,
			      char buf[COH_DESIGN_VALUE_MAX])
{
	if (!a->is_range)
		return a->list[i];
	if (a->n == 1)
		return number_text(buf, a->lo);
	if (i == 0)
		return number_text(buf, a->lo); /* the ends exactly as given */
	if (i == a->n - 1)
		return number_text(buf, a->hi);
	double step = (a->hi - a->lo) / (double)(a->n - 1);
	return grid_number(buf, a->lo + (a->hi - a->lo) * (double)i /
				      (double)(a->n - 1), step);
}

/* A point u in [0, 1) of the unit interval mapped onto an axis. */
static const char *unit_value(const sweep_axis *a, double u,
			      char buf[COH_DESIGN_VALUE_MAX])
{
	if (!a->is_range) {
		size_t i = (size_t)(u * (double)a->n);
		return a->list[i < a->n ? i : a->n - 1];
	}
	return number_text(buf, a->lo + (a->hi - a->lo) * u);
}

static int fill_lhs(coh_design *d, uint64_t seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t *perm = coh_calloc(d->n_points, sizeof *perm);
	int rc = 0;
	if (!r || !perm) {
		rc = COH_ENOMEM;
		goto out;
	}
	gsl_rng_set(r, (unsigned long)(seed ^ (seed >> 32)));
	for (size_t k = 0; k < d->n_axes && !rc; k++) {
		/* one stratum per point, in a random order per axis */
		for (size_t i = 0; i < d->n_points; i++)
			perm[i] = i;
		for (size_t i = d->n_points; i > 1; i--) {
			size_t j = (size_t)gsl_rng_uniform_int(r, i);
			size_t t = perm[i - 1];
			perm[i - 1] = perm[j];
			perm[j] = t;
		}
		for (size_t p = 0; p < d->n_points; p++)
			d->u[p * d->n_axes + k] =
				((double)perm[p] + gsl_rng_uniform(r)) /
				(double)d->n_points;
	}
out:
	gsl_rng_free(r);
	coh_free(perm);
	return rc;
}

static int fill_sobol(coh_design *d, coh_error *err)
{
	if (d->n_axes > 40)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "--design sobol handles at most 40 axes, "
				     "got %zu", d->n_axes);
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d->n_axes);
	double *u = coh_calloc(d->n_axes, sizeof *u);
	int rc = 0;
	if (!q || !u) {
		rc = COH_ENOMEM;
		goto out;
	}
	for (size_t p = 0; p < d->n_points; p++) {
		gsl_qrng_get(q, u);
		memcpy(&d->u[p * d->n_axes], u, d->n_axes * sizeof *u);
	}
out:
	if (q)
		gsl_qrng_free(q);
	coh_free(u);
	return rc;
}

int coh_design_build(coh_design **out, const char *const *specs,
		     size_t n_axes, coh_design_kind kind, size_t n_points,
		     uint64_t seed, coh_error *err)
{
	if (n_axes == 0)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "a sweep needs at least one --vary axis");
	coh_design *d = coh_calloc(1, sizeof *d);
	if (!d)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	d->kind = kind;
	d->axes = coh_calloc(n_axes, sizeof *d->axes);
	int rc = d->axes ? 0 : COH_ENOMEM;
	if (!rc)
		d->n_axes = n_axes;
	for (size_t k = 0; k < n_axes && !rc; k++) {
		rc = parse_axis(&d->axes[k], specs[k],
				kind != COH_DESIGN_GRID, err);
		for (size_t j = 0; j < k && !rc; j++)
			if (strcmp(d->axes[j].path, d->axes[k].path) == 0)
				rc = coh_error_set(err, COH_EUSAGE, NULL, 0,
						   "--vary %s is given twice",
						   d->axes[k].path);
	}
	if (!rc && kind == COH_DESIGN_GRID) {
		size_t total = 1;
		for (size_t k = 0; k < n_axes && !rc; k++) {
			if (total > MAX_POINTS / d->axes[k].n)
				rc = coh_error_set(err, COH_EUSAGE, NULL, 0,
						   "the grid has more than %u "
						   "points; use fewer values or "
						   "--design lhs", MAX_POINTS);
			total *= d->axes[k].n;
		}
		d->n_points = total;
	} else if (!rc) {
		if (n_points < 1 || n_points > MAX_POINTS)
			rc = coh_error_set(err, COH_EUSAGE, NULL, 0,
					   "--design %s needs --points from 1 "
					   "to %u", kind == COH_DESIGN_LHS ?
					   "lhs" : "sobol", MAX_POINTS);
		d->n_points = n_points;
	}
	if (!rc && kind != COH_DESIGN_GRID) {
		d->u = coh_calloc(d->n_points * n_axes, sizeof *d->u);
		if (!d->u)
			rc = COH_ENOMEM;
	}
	if (!rc && kind != COH_DESIGN_GRID)
		rc = kind == COH_DESIGN_LHS ? fill_lhs(d, seed)
					    : fill_sobol(d, err);
	if (rc == COH_ENOMEM)
		coh_error_set(err, rc, NULL, 0, "out of memory building the "
			      "design");
	if (rc) {
		coh_design_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

int coh_design_explicit(coh_design **out, const char *const *paths,
			size_t n_axes, const double *values,
			const uint64_t *keys, size_t n_points, coh_error *err)
{
	if (n_axes == 0 || n_points == 0 || n_points > MAX_POINTS)
		return coh_error_set(err, COH_EUSAGE, NULL, 0,
				     "a design needs at least one axis and "
				     "from 1 to %u points, got %zu axes and "
				     "%zu points", MAX_POINTS, n_axes,
				     n_points);
	for (size_t i = 0; i < n_points * n_axes; i++)
		if (!isfinite(values[i]))
			return coh_error_set(err, COH_EUSAGE, NULL, 0,
					     "point %zu: the value of %s is "
					     "not finite", i / n_axes,
					     paths[i % n_axes]);
	coh_design *d = coh_calloc(1, sizeof *d);
	int rc = d ? 0 : COH_ENOMEM;
	if (!rc) {
		d->kind = COH_DESIGN_EXPLICIT;
		d->n_points = n_points;
		d->axes = coh_calloc(n_axes, sizeof *d->axes);
		d->u = coh_calloc(n_points * n_axes, sizeof *d->u);
		d->keys = coh_calloc(n_points, sizeof *d->keys);
		if (d->axes)
			d->n_axes = n_axes;
		if (!d->axes || !d->u || !d->keys)
			rc = COH_ENOMEM;
	}
	for (size_t a = 0; !rc && a < n_axes; a++) {
		d->axes[a].path = coh_strdup(paths[a]);
		d->axes[a].is_range = 1;
		if (!d->axes[a].path)
			rc = COH_ENOMEM;
	}
	if (rc) {
		coh_design_free(d);
		return coh_error_set(err, rc, NULL, 0, "out of memory building "
				     "the design");
	}
	memcpy(d->u, values, n_points * n_axes * sizeof *d->u);
	for (size_t p = 0; p < n_points; p++)
		d->keys[p] = keys ? keys[p] : (uint64_t)p;
	*out = d;
	return 0;
}

uint64_t coh_design_key(const coh_design *d, size_t point)
{
	return d->keys ? d->keys[point] : (uint64_t)point;
}

size_t coh_design_points(const coh_design *d) { return d->n_points; }
size_t coh_design_axes(const coh_design *d) { return d->n_axes; }
coh_design_kind coh_design_kind_of(const coh_design *d) { return d->kind; }

const char *coh_design_path(const coh_design *d, size_t axis)
{
	return d->axes[axis].path;
}

const char *coh_design_value(const coh_design *d, size_t point, size_t axis,
			     char buf[COH_DESIGN_VALUE_MAX])
{
	if (d->kind == COH_DESIGN_EXPLICIT)
		return number_text(buf, d->u[point * d->n_axes + axis]);
	if (d->kind != COH_DESIGN_GRID)
		return unit_value(&d->axes[axis],
				  d->u[point * d->n_axes + axis], buf);
	/* the last axis varies fastest */
	size_t rest = point;
	for (size_t k = d->n_axes - 1; k > axis; k--)
		rest /= d->axes[k].n;
	return grid_value(&d->axes[axis], rest % d->axes[axis].n, buf);
}
