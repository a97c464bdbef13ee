/* libFuzzer harness for the engine: scenario text in, and when it loads
 * and its work is small (few members, samples and expected events), one
 * replication run with every event and sample checked.  Events must come
 * in time order, commitments must stay in [0, 1], and a run that fails
 * must say why (only a numeric error, which names the member, may stop a
 * run of a valid scenario). */
#include <math.h>

#include "fuzz.h"

/* Bounds of the work a fuzzed scenario may ask for, so that an input is
 * a question about correctness, not about patience. */
#define MAX_MEMBERS 64
#define MAX_SAMPLES 2000.0
#define MAX_EVENTS 20000.0

static double expected_work(const coh_model *m)
{
	double work = (double)m->n_events;
	for (size_t g = 0; g < m->n_generators; g++) {
		const coh_generator *gen = &m->generators[g];
		double window = fmin(gen->end, m->horizon) - gen->start;
		double who = gen->member < 0 ? (double)m->n_members : 1.0;
		work += who * gen->rate / 365.25 * fmax(window, 0) *
			exp(fmin(fabs(gen->feedback), 50));
	}
	if (m->consultation_period > 0)
		work += m->horizon / m->consultation_period *
			(double)m->n_members;
	return work;
}

typedef struct checks {
	double last_day;
	size_t n_members;
} checks;

static int check_event(void *ctx, const coh_event_record *e)
{
	checks *c = ctx;
	if (!(e->day >= c->last_day) ||
	    (!isnan(e->after) && !(e->after >= 0 && e->after <= 1))) {
		fprintf(stderr, "event of type %d at day %.17g (after %.17g, "
			"previous day %.17g)\n", (int)e->type, e->day,
			e->after, c->last_day);
		abort();
	}
	c->last_day = e->day;
	return 0;
}

static int check_sample(void *ctx, const coh_sample *s)
{
	checks *c = ctx;
	for (size_t i = 0; i < s->n_members; i++)
		/* a candidate has no commitment yet: NaN, and only then */
		if (s->status[i] == COH_CANDIDATE ? !isnan(s->commitment[i])
		    : !(s->commitment[i] >= 0 && s->commitment[i] <= 1)) {
			fprintf(stderr, "member %zu at %.17g on day %.17g\n", i,
				s->commitment[i], s->day);
			abort();
		}
	if (s->active + s->frozen + s->exited + s->candidates !=
	    (int)c->n_members ||
	    (!isnan(s->cohesion) && !(s->cohesion >= 0 && s->cohesion <= 1)))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	coh_load_options opts = { .include_root = "." };
	coh_diag diag = COH_DIAG_INIT;
	coh_scenario *sc = NULL;
	int rc = coh_scenario_load_string(&sc, text, "fuzz.cfg", &opts, &diag);
	fuzz_check_result(rc, &diag, text);
	coh_diag_clear(&diag);
	const coh_model *m = rc == 0 ? coh_scenario_model(sc) : NULL;
	if (m && m->n_members <= MAX_MEMBERS &&
	    m->horizon / m->sample_every <= MAX_SAMPLES &&
	    expected_work(m) <= MAX_EVENTS) {
		coh_sim *sim = NULL;
		coh_error err = {0};
		rc = coh_sim_alloc(&sim, m, &err);
		if (rc == 0) {
			checks c = { -HUGE_VAL, m->n_members };
			coh_recorder rec = { &c, check_event, check_sample, NULL, NULL };
			coh_stream_key key = { m->seed, 0, 0 };
			rc = coh_sim_run(sim, &key, &rec, &err);
		}
		if (rc != 0 && (!err.message[0] || (rc != COH_ENUMERIC &&
						     rc != COH_EINPUT))) {
			fprintf(stderr, "run failed with status %d: %s\n", rc,
				err.message);
			abort();
		}
		coh_sim_free(sim);
	}
	coh_scenario_free(sc);
	free(text);
	return 0;
}
