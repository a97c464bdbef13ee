/* A posterior file read back for posterior predictive runs
 * (include/cohesim/calibrate.h, docs/calibration.md). */
#include "cohesim/calibrate.h"
#include "core/alloc.h"
#include "core/strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The stream of the draws, apart from the proposals' (generation <<
 * 32 | batch). */
#define POSTERIOR_STREAM UINT64_C(0x706f737465726f72)

void coh_posterior_free(coh_posterior *p)
{
	if (!p)
		return;
	for (size_t j = 0; p->paths && j < p->k; j++)
		coh_free(p->paths[j]);
	coh_free(p->paths);
	coh_free(p->theta);
	coh_free(p->weight);
	coh_free(p->cum);
	*p = (coh_posterior){0};
}

/* Splits line (its newline removed) at commas in place; returns the
 * number of fields, at most cap. */
static size_t split(char *line, char **fields, size_t cap)
{
	size_t n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	for (char *at = line; n < cap;) {
		fields[n++] = at;
		char *comma = strchr(at, ',');
		if (!comma)
			break;
		*comma = '\0';
		at = comma + 1;
	}
	return n;
}

static int number(const char *text, double *out)
{
	char *end;
	errno = 0;
	*out = strtod(text, &end);
	return !errno && end != text && *end == '\0' && isfinite(*out);
}

#define MAX_FIELDS 66

static int read_header(coh_posterior *p, char *line, const char *path,
		       coh_error *err)
{
	char *f[MAX_FIELDS + 1];
	size_t n = split(line, f, MAX_FIELDS + 1);
	if (n < 4 || n > MAX_FIELDS || strcmp(f[0], "particle") != 0 ||
	    strcmp(f[1], "weight") != 0 || strcmp(f[n - 1], "likelihood") != 0)
		return coh_error_set(err, COH_EINPUT, path, 1, "not a posterior "
				     "file, expected the header particle,weight,"
				     "PATH...,likelihood that cohesim "
				     "calibrate writes in posterior.csv");
	p->k = n - 3;
	p->paths = coh_calloc(p->k, sizeof *p->paths);
	if (!p->paths)
		return coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	for (size_t j = 0; j < p->k; j++)
		if (!(p->paths[j] = coh_strdup(f[2 + j])))
			return coh_error_set(err, COH_ENOMEM, NULL, 0,
					     "out of memory");
	return 0;
}

/* Appends a row's values; grows the arrays as needed. */
static int read_row(coh_posterior *p, char *line, size_t *cap, int lineno,
		    const char *path, coh_error *err)
{
	char *f[MAX_FIELDS + 1];
	size_t n = split(line, f, MAX_FIELDS + 1);
	if (n != p->k + 3)
		return coh_error_set(err, COH_EINPUT, path, lineno, "%zu fields, "
				     "expected %zu as in the header", n,
				     p->k + 3);
	if (p->n == *cap) {
		size_t grown = *cap ? 2 * *cap : 64;
		double *w = coh_realloc(p->weight, grown * sizeof *w);
		if (w)
			p->weight = w;
		double *t = coh_realloc(p->theta, grown * p->k * sizeof *t);
		if (t)
			p->theta = t;
		if (!w || !t)
			return coh_error_set(err, COH_ENOMEM, NULL, 0,
					     "out of memory");
		*cap = grown;
	}
	double w, x;
	if (!number(f[1], &w) || !(w > 0))
		return coh_error_set(err, COH_EINPUT, path, lineno, "weight "
				     "\"%s\", expected a number > 0", f[1]);
	p->weight[p->n] = w;
	for (size_t j = 0; j < p->k; j++) {
		if (!number(f[2 + j], &x))
			return coh_error_set(err, COH_EINPUT, path, lineno,
					     "%s \"%s\", expected a number",
					     p->paths[j], f[2 + j]);
		p->theta[p->n * p->k + j] = x;
	}
	p->n++;
	return 0;
}

int coh_posterior_read(coh_posterior *out, const char *path, coh_error *err)
{
	coh_posterior p = {0};
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return coh_error_set(err, COH_EINPUT, path, 0, "cannot read the "
				     "posterior file: %s", strerror(errno));
	char *line = NULL;
	size_t line_cap = 0, cap = 0;
	int lineno = 0, rc = 0;
	while (!rc && getline(&line, &line_cap, fp) > 0) {
		lineno++;
		rc = lineno == 1 ? read_header(&p, line, path, err)
				 : read_row(&p, line, &cap, lineno, path, err);
	}
	if (!rc && lineno == 0)
		rc = coh_error_set(err, COH_EINPUT, path, 0, "the posterior file "
				   "is empty, expected posterior.csv of "
				   "cohesim calibrate");
	if (!rc && p.n == 0)
		rc = coh_error_set(err, COH_EINPUT, path, 1, "no particles, "
				   "expected at least one line after the "
				   "header");
	free(line);
	fclose(fp);
	double total = 0;
	for (size_t i = 0; !rc && i < p.n; i++)
		total += p.weight[i];
	if (!rc && !(p.cum = coh_calloc(p.n, sizeof *p.cum)))
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	double cum = 0;
	for (size_t i = 0; !rc && i < p.n; i++) {
		p.weight[i] /= total;
		cum += p.weight[i];
		p.cum[i] = cum;
	}
	if (rc) {
		coh_posterior_free(&p);
		return rc;
	}
	*out = p;
	return 0;
}

size_t coh_posterior_draw(const coh_posterior *p, uint64_t seed,
			  uint64_t replication)
{
	double u = coh_abc_uniform(seed, POSTERIOR_STREAM, replication) *
		   p->cum[p->n - 1];
	/* the first particle whose cumulative weight exceeds u */
	size_t lo = 0, hi = p->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}
