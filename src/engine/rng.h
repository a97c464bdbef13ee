/* Counter-based random streams: Philox4x64-10 (Random123) exposed as a GSL
 * generator, so every GSL distribution can draw from it.  A stream is named
 * by (seed, point, replication, substream) and its numbers depend on nothing
 * else: not on threads, not on what other streams drew. */
#ifndef COH_ENGINE_RNG_H
#define COH_ENGINE_RNG_H

#include <math.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

typedef struct coh_rng_state {
	uint64_t key[2];        /* seed, design point */
	uint64_t ctr[4];        /* block, replication, substream, 0 */
	uint64_t out[4];        /* the current block's random words */
	unsigned used;          /* words of out already handed out */
} coh_rng_state;

/* The GSL generator type.  get() returns 32 random bits; get_double()
 * returns 53 random bits as a double in [0, 1).  Its set(seed) selects the
 * stream (seed, 0, 0, 0). */
extern const gsl_rng_type *const coh_rng_philox;

/* Makes r a GSL generator drawing from state (no allocation: both live in
 * the caller's storage, which must outlive r's use). */
void coh_rng_bind(gsl_rng *r, coh_rng_state *state);

/* Restarts the state at the first number of stream
 * (seed, point, replication, substream). */
void coh_rng_stream(coh_rng_state *state, uint64_t seed, uint64_t point,
		    uint64_t replication, uint64_t substream);

/* Computes the stream's next block of four words (the Philox call). */
void coh_rng_refill(coh_rng_state *state);

/* The next 64 random bits of the stream. */
static inline uint64_t coh_rng_next(coh_rng_state *state)
{
	if (state->used >= 4)
		coh_rng_refill(state);
	return state->out[state->used++];
}

/* What the GSL generator's get_double gives (gsl_rng_uniform): 53 random
 * bits as a double in [0, 1).  The engine's hot paths draw through these
 * instead of the generator's function pointers; the numbers are the same. */
static inline double coh_rng_uniform(coh_rng_state *state)
{
	return (double)(coh_rng_next(state) >> 11) * 0x1p-53;
}

/* An exponential variate of mean mu, computed exactly as GSL's
 * gsl_ran_exponential does it (-mu log1p(-u), u = gsl_rng_uniform), so the
 * same stream gives the same bits either way. */
static inline double coh_rng_exponential(coh_rng_state *state, double mu)
{
	double u = coh_rng_uniform(state);
	return -mu * log1p(-u);
}

#endif
