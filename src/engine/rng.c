/* Philox4x64-10 as a GSL generator type (see rng.h).  The counter's first
 * word counts 4-word blocks; the others name the replication, the unit and
 * the purpose of the stream, the key names the seed and design point. */
#include "engine/rng.h"

#include <Random123/philox.h>

void coh_rng_refill(coh_rng_state *s)
{
	philox4x64_ctr_t ctr = {{s->ctr[0], s->ctr[1], s->ctr[2], s->ctr[3]}};
	philox4x64_key_t key = {{s->key[0], s->key[1]}};
	philox4x64_ctr_t out = philox4x64(ctr, key);
	for (int k = 0; k < 4; k++)
		s->out[k] = out.v[k];
	s->ctr[0]++;
	s->used = 0;
}

void coh_rng_stream(coh_rng_state *s, uint64_t seed, uint64_t point,
		    uint64_t replication, uint64_t substream)
{
	s->key[0] = seed;
	s->key[1] = point;
	s->ctr[0] = 0;
	s->ctr[1] = replication;
	s->ctr[2] = substream;
	s->ctr[3] = 0;
	s->used = 4;    /* nothing buffered: the first draw computes block 0 */
}

void coh_rng_keyed(coh_rng_state *s, uint64_t seed, uint64_t point,
		   uint64_t replication, uint64_t unit, uint64_t purpose)
{
	coh_rng_stream(s, seed, point, replication, unit);
	s->ctr[3] = purpose;
}

void coh_rng_block(coh_rng_state *s, uint64_t block)
{
	s->ctr[0] = block;
	coh_rng_refill(s);
}

/* splitmix64's finaliser (Stafford's mix 13): every input bit affects
 * every output bit. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t coh_rng_hash(uint64_t h, uint64_t x)
{
	return mix64(h ^ mix64(x + 0x9e3779b97f4a7c15ULL));
}

static void philox_set(void *state, unsigned long seed)
{
	coh_rng_stream(state, seed, 0, 0, 0);
}

static unsigned long philox_get(void *state)
{
	return (unsigned long)(coh_rng_next(state) >> 32);
}

static double philox_get_double(void *state)
{
	return coh_rng_uniform(state);
}

static const gsl_rng_type philox_type = {
	"coh-philox4x64-10",
	0xffffffffUL,
	0,
	sizeof(coh_rng_state),
	philox_set,
	philox_get,
	philox_get_double,
};

const gsl_rng_type *const coh_rng_philox = &philox_type;

void coh_rng_bind(gsl_rng *r, coh_rng_state *state)
{
	r->type = coh_rng_philox;
	r->state = state;
}
