/* --posterior FILE for run and compare (docs/calibration.md): every
 * replication draws a particle of a calibration's posterior by weight and
 * runs each scenario with the particle's values as overrides.  The
 * particles drawn are loaded once each, before the run, and handed to
 * the runner per replication (coh_mc_options.model_for). */
#include "cli.h"
#include "cohesim/calibrate.h"
#include "core/alloc.h"
#include "core/number.h"
#include "output/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cli_posterior {
	coh_posterior post;
	char sha256[65];        /* checked readable before any work */
	size_t n_slots;
	uint64_t seed;
	size_t *slot_of;        /* particle -> its row in models, or SIZE_MAX */
	coh_scenario **scenarios;       /* [row * n_slots + slot] */
	size_t n_rows;
	size_t *particle;       /* the particle of each replication */
	uint64_t n_reps;
};

void cli_posterior_free(cli_posterior *cp)
{
	if (!cp)
		return;
	for (size_t i = 0; i < cp->n_rows * cp->n_slots; i++)
		coh_scenario_free(cp->scenarios[i]);
	coh_free(cp->scenarios);
	coh_free(cp->slot_of);
	coh_free(cp->particle);
	coh_posterior_free(&cp->post);
	coh_free(cp);
}

/* The posterior's columns must be the scenario's priors, when it has a
 * calibration block: another scenario's posterior is refused. */
static int check_paths(const coh_posterior *post, const char *file,
		       const coh_model *m)
{
	if (!m->n_priors)
		return CLI_OK;
	int same = m->n_priors == post->k;
	for (size_t j = 0; same && j < m->n_priors; j++)
		same = strcmp(m->priors[j].path, post->paths[j]) == 0;
	if (same)
		return CLI_OK;
	fprintf(stderr, "cohesim: %s: its parameters are", file);
	for (size_t j = 0; j < post->k; j++)
		fprintf(stderr, "%s %s", j ? "," : "", post->paths[j]);
	fprintf(stderr, "; the priors of %s are", m->name);
	for (size_t j = 0; j < m->n_priors; j++)
		fprintf(stderr, "%s %s", j ? "," : "", m->priors[j].path);
	fprintf(stderr, ": expected the posterior of this scenario's "
		"calibration\n");
	return CLI_ERROR;
}

int cli_posterior_read(coh_posterior *out, const char *file,
		       const coh_model *model)
{
	coh_error err = {0};
	if (coh_posterior_read(out, file, &err)) {
		cli_print_error(&err);
		return cli_exit_status(err.code);
	}
	return check_paths(out, file, model);
}

/* Particle p applied to one scenario: the shared overrides, then its
 * values. */
static int load_particle(coh_scenario **out, const cli_posterior *cp,
			 size_t p, const coh_scenario_source *src,
			 const cli_common_opts *o, const coh_model *base,
			 const char *file)
{
	size_t k = cp->post.k, n = o->overrides.count + k;
	const char **ov = coh_calloc(n, sizeof *ov);
	char (*texts)[1024] = coh_calloc(k ? k : 1, sizeof *texts);
	int status = ov && texts ? CLI_OK : CLI_ERROR;
	for (size_t i = 0; status == CLI_OK && i < o->overrides.count; i++)
		ov[i] = o->overrides.items[i];
	for (size_t j = 0; status == CLI_OK && j < k; j++) {
		char num[COH_NUMBER_MAX];
		coh_format_double(num, cp->post.theta[p * k + j]);
		snprintf(texts[j], sizeof texts[j], "%s=%s", cp->post.paths[j],
			 num);
		ov[o->overrides.count + j] = texts[j];
	}
	coh_diag diag = COH_DIAG_INIT;
	int rc = status == CLI_OK
		 ? coh_scenario_load_source(out, src, ov, n, &diag) : COH_ENOMEM;
	if (rc) {
		fprintf(stderr, "cohesim: %s: particle %zu does not apply to "
			"%s:\n", file, p, base->name);
		cli_print_diag(&diag, rc, file);
		status = CLI_ERROR;
	}
	coh_diag_clear(&diag);
	if (status == CLI_OK) {
		const coh_model *m = coh_scenario_model(*out);
		if (m->n_members != base->n_members ||
		    m->horizon != base->horizon ||
		    m->sample_every != base->sample_every) {
			fprintf(stderr, "cohesim: %s: particle %zu changes the "
				"members, dates or sample grid of %s, expected "
				"parameters that leave them as they are\n",
				file, p, base->name);
			status = CLI_ERROR;
		}
	}
	coh_free(ov);
	coh_free(texts);
	return status;
}

int cli_posterior_open(cli_posterior **out, const char *file,
		       const cli_common_opts *o,
		       const char *const *scenario_paths,
		       const coh_model *const *bases, size_t n_slots,
		       uint64_t replications)
{
	cli_posterior *cp = coh_calloc(1, sizeof *cp);
	coh_error err = {0};
	if (!cp)
		return CLI_ERROR;
	*out = cp;
	cp->n_slots = n_slots;
	cp->seed = bases[0]->seed;
	cp->n_reps = replications;
	if (coh_sha256_file(cp->sha256, file, &err)) {
		cli_print_error(&err);
		return cli_exit_status(err.code);
	}
	for (size_t s = 0; s < n_slots; s++) {
		if (s)
			coh_posterior_free(&cp->post);
		int status = cli_posterior_read(&cp->post, file, bases[s]);
		if (status != CLI_OK)
			return status;
	}
	cp->slot_of = coh_calloc(cp->post.n, sizeof *cp->slot_of);
	cp->particle = coh_calloc(replications ? replications : 1,
				  sizeof *cp->particle);
	if (!cp->slot_of || !cp->particle)
		return CLI_ERROR;
	for (size_t p = 0; p < cp->post.n; p++)
		cp->slot_of[p] = SIZE_MAX;
	for (uint64_t r = 0; r < replications; r++) {
		size_t p = coh_posterior_draw(&cp->post, cp->seed, r);
		cp->particle[r] = p;
		if (cp->slot_of[p] == SIZE_MAX)
			cp->slot_of[p] = cp->n_rows++;
	}
	cp->scenarios = coh_calloc(cp->n_rows * n_slots + 1,
				   sizeof(coh_scenario *));
	if (!cp->scenarios)
		return CLI_ERROR;
	for (size_t s = 0; s < n_slots; s++) {
		coh_scenario_source *src = NULL;
		coh_diag diag = COH_DIAG_INIT;
		int rc = coh_scenario_source_read(&src, scenario_paths[s],
						  o->include_root, &diag);
		if (rc)
			cli_print_diag(&diag, rc, scenario_paths[s]);
		coh_diag_clear(&diag);
		int status = rc ? CLI_ERROR : CLI_OK;
		for (size_t p = 0; status == CLI_OK && p < cp->post.n; p++)
			if (cp->slot_of[p] != SIZE_MAX)
				status = load_particle(
					&cp->scenarios[cp->slot_of[p] * n_slots +
						       s], cp, p, src, o,
					bases[s], file);
		coh_scenario_source_free(src);
		if (status != CLI_OK)
			return status;
	}
	return CLI_OK;
}

size_t cli_posterior_row(const cli_posterior *cp, uint64_t replication)
{
	return cp->slot_of[cp->particle[replication]];
}

const coh_model *cli_posterior_row_model(const cli_posterior *cp,
					 size_t row, size_t slot)
{
	return coh_scenario_model(cp->scenarios[row * cp->n_slots + slot]);
}

const coh_model *cli_posterior_model(void *ctx, uint64_t replication,
				     size_t slot)
{
	const cli_posterior *cp = ctx;
	if (replication >= cp->n_reps)
		return NULL;
	return cli_posterior_row_model(cp, cli_posterior_row(cp, replication),
				       slot);
}

size_t cli_posterior_drawn(const cli_posterior *cp)
{
	return cp->n_rows;
}
