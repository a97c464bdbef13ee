/* Counter-based random streams: Philox4x64-10 (Random123) exposed as a GSL
 * generator, so every GSL distribution can draw from it.  A stream is named
 * by (seed, point, replication, and two words that say what it is for) and
 * its numbers depend on nothing else: not on threads, not on what other
 * streams drew.  Word k of a stream is word k % 4 of the Philox block
 * k / 4, so any draw can be computed directly from its position. */
#ifndef COH_ENGINE_RNG_H
#define COH_ENGINE_RNG_H

#include <math.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

typedef struct coh_rng_state {
	uint64_t key[2];        /* seed, design point */
	uint64_t ctr[4];        /* block, replication, unit, purpose */
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
 * (seed, point, replication, substream): coh_rng_keyed with unit =
 * substream and purpose 0 (the engine itself draws only keyed streams). */
void coh_rng_stream(coh_rng_state *state, uint64_t seed, uint64_t point,
		    uint64_t replication, uint64_t substream);

/* Restarts the state at the first number of the stream
 * (seed, point, replication, unit, purpose): the keyed streams the engine
 * draws from, unit naming what the numbers belong to (a hash, see
 * coh_rng_hash) and purpose what they are for. */
void coh_rng_keyed(coh_rng_state *state, uint64_t seed, uint64_t point,
		   uint64_t replication, uint64_t unit, uint64_t purpose);

/* Computes the stream's next block of four words (the Philox call). */
void coh_rng_refill(coh_rng_state *state);

/* Computes block `block` of the stream (words 4 block to 4 block + 3) into
 * state->out, without drawing from it: for callers that read the words
 * they need by position. */
void coh_rng_block(coh_rng_state *state, uint64_t block);

/* Word h extended by word x: a 64-bit hash of a sequence of words,
 * (((h0, x1), x2), ...), for naming a unit by what it is.  Not
 * cryptographic; different sequences collide with chance about 2^-64. */
uint64_t coh_rng_hash(uint64_t h, uint64_t x);

/* The bits of a double, for hashing it (-0 as 0). */
static inline uint64_t coh_rng_bits(double x)
{
	union { double d; uint64_t u; } v = {x + 0.0};
	return v.u;
}

/* A random word as a double in [0, 1): its 53 high bits, as
 * gsl_rng_uniform gives them from this generator. */
static inline double coh_rng_unit_double(uint64_t word)
{
	return (double)(word >> 11) * 0x1p-53;
}

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
	return coh_rng_unit_double(coh_rng_next(state));
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
