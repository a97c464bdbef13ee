/* The engine's event queue: order by (time, priority, insertion), cancel
 * and reschedule by handle, growth, and a long random run against a
 * sorted reference. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "engine/queue.h"

static coh_qitem item(int a)
{
	coh_qitem it = {0, a, 0, 0};
	return it;
}

static int pop_a(coh_queue *q, double *t, int *prio)
{
	coh_qitem it;
	coh_queue_pop(q, t, prio, &it);
	return it.a;
}

static void test_order_time_priority_sequence(void **state)
{
	(void)state;
	coh_queue q;
	assert_int_equal(coh_queue_init(&q, 2), 0);   /* forces growth */
	/* (time, priority) pairs; a = expected pop position */
	struct { double t; int p; int rank; } in[] = {
		{5.0, 0, 6}, {1.0, 3, 3}, {1.0, 0, 0}, {1.0, 2, 2},
		{1.0, 0, 1}, {2.5, 1, 5}, {2.5, 0, 4}, {9.0, 3, 8},
		{5.0, 0, 7},
	};
	size_t n = sizeof in / sizeof in[0];
	for (size_t k = 0; k < n; k++) {
		coh_qitem it = item(in[k].rank);
		assert_int_equal(coh_queue_push(&q, in[k].t, in[k].p, &it, NULL), 0);
	}
	assert_int_equal(q.size, n);
	double last = -1;
	for (size_t k = 0; k < n; k++) {
		double t;
		int p;
		assert_true(coh_queue_next_time(&q) >= last);
		int a = pop_a(&q, &t, &p);
		assert_int_equal(a, (int)k);
		assert_true(t >= last);
		last = t;
	}
	assert_int_equal(q.size, 0);
	assert_true(isinf(coh_queue_next_time(&q)));
	coh_queue_destroy(&q);
}

static void test_cancel_and_reschedule(void **state)
{
	(void)state;
	coh_queue q;
	assert_int_equal(coh_queue_init(&q, 4), 0);
	uint32_t h[6];
	for (int k = 0; k < 6; k++) {
		coh_qitem it = item(k);
		assert_int_equal(coh_queue_push(&q, (double)k, 0, &it, &h[k]), 0);
	}
	coh_queue_cancel(&q, h[0]);             /* the top */
	coh_queue_cancel(&q, h[3]);             /* the middle */
	coh_queue_reschedule(&q, h[5], 0.5, 0); /* to the front */
	coh_queue_reschedule(&q, h[1], 4.0, 0); /* behind 4 (later insert) */
	coh_queue_reschedule(&q, h[2], 2.0, 0); /* same time: no move */
	int want[] = {5, 2, 4, 1};
	for (int k = 0; k < 4; k++)
		assert_int_equal(pop_a(&q, NULL, NULL), want[k]);
	assert_int_equal(q.size, 0);
	/* freed handles are reused and clear() restarts everything */
	coh_qitem it = item(9);
	assert_int_equal(coh_queue_push(&q, 1, 0, &it, &h[0]), 0);
	coh_queue_clear(&q);
	assert_int_equal(q.size, 0);
	assert_int_equal(coh_queue_push(&q, 3, 1, &it, &h[0]), 0);
	assert_int_equal(pop_a(&q, NULL, NULL), 9);
	coh_queue_destroy(&q);
}

/* The engine handles generator events in place: it reads the top, then
 * moves that same node later (or cancels it). */
static void test_top_moved_in_place(void **state)
{
	(void)state;
	coh_queue q;
	assert_int_equal(coh_queue_init(&q, 8), 0);
	uint32_t h[3];
	for (int k = 0; k < 3; k++) {
		coh_qitem it = item(k);
		assert_int_equal(coh_queue_push(&q, 1.0 + k, 2, &it, &h[k]), 0);
	}
	assert_int_equal(coh_queue_top(&q)->a, 0);
	coh_queue_reschedule(&q, h[0], 2.5, 2);
	assert_int_equal(coh_queue_top(&q)->a, 1);
	assert_true(coh_queue_next_time(&q) == 2.0);
	coh_queue_cancel(&q, h[1]);
	assert_int_equal(coh_queue_top(&q)->a, 0);
	coh_queue_reschedule(&q, h[0], 3.0, 2);     /* behind 2: inserted later */
	int want[] = {2, 0};
	for (int k = 0; k < 2; k++)
		assert_int_equal(pop_a(&q, NULL, NULL), want[k]);
	coh_queue_destroy(&q);
}

/* Reference: the live events as an unsorted list; the minimum by
 * (time, priority, sequence) must be what the heap pops. */
typedef struct ref {
	double t;
	int p;
	uint64_t seq;
	uint32_t handle;
	int id;
} ref;

static int ref_less(const ref *x, const ref *y)
{
	if (x->t != y->t)
		return x->t < y->t;
	if (x->p != y->p)
		return x->p < y->p;
	return x->seq < y->seq;
}

static void test_random_against_reference(void **state)
{
	(void)state;
	const unsigned seed = 12345;
	srand(seed);
	coh_queue q;
	assert_int_equal(coh_queue_init(&q, 1), 0);
	enum { OPS = 100000, LIVE = 2000 };
	ref *live = malloc(sizeof *live * LIVE);
	assert_non_null(live);
	size_t n = 0;
	uint64_t seq = 0;
	int next_id = 0, errors = 0;
	for (int op = 0; op < OPS; op++) {
		int r = rand() % 10;
		if ((r < 5 && n < LIVE) || n == 0) {
			ref e = {(double)(rand() % 500), rand() % 4, seq++, 0,
				 next_id++};
			coh_qitem it = item(e.id);
			assert_int_equal(coh_queue_push(&q, e.t, e.p, &it,
							&e.handle), 0);
			live[n++] = e;
		} else if (r < 8) {
			size_t best = 0;
			for (size_t k = 1; k < n; k++)
				if (ref_less(&live[k], &live[best]))
					best = k;
			double t;
			int p;
			int id = pop_a(&q, &t, &p);
			if (id != live[best].id || t != live[best].t ||
			    p != live[best].p)
				errors++;
			live[best] = live[--n];
		} else if (r < 9) {
			size_t k = (size_t)rand() % n;
			coh_queue_cancel(&q, live[k].handle);
			live[k] = live[--n];
		} else {
			size_t k = (size_t)rand() % n;
			live[k].t = (double)(rand() % 500);
			live[k].p = rand() % 4;
			live[k].seq = seq++;
			coh_queue_reschedule(&q, live[k].handle, live[k].t,
					     live[k].p);
		}
		if (q.size != n)
			errors++;
	}
	/* drain: fully sorted */
	while (n) {
		size_t best = 0;
		for (size_t k = 1; k < n; k++)
			if (ref_less(&live[k], &live[best]))
				best = k;
		if (pop_a(&q, NULL, NULL) != live[best].id)
			errors++;
		live[best] = live[--n];
	}
	if (errors)
		print_error("random queue test failed with srand seed %u\n", seed);
	assert_int_equal(errors, 0);
	free(live);
	coh_queue_destroy(&q);
}

static void test_growth_failure_is_clean(void **state)
{
	(void)state;
	coh_queue q;
	assert_int_equal(coh_queue_init(&q, 1), 0);
	coh_qitem it = item(1);
	assert_int_equal(coh_queue_push(&q, 1, 0, &it, NULL), 0);
	coh_alloc_fail_after(0);
	int rc = coh_queue_push(&q, 2, 0, &it, NULL);
	coh_alloc_fail_after(-1);
	assert_int_not_equal(rc, 0);
	assert_int_equal(q.size, 1);
	assert_int_equal(coh_queue_push(&q, 2, 0, &it, NULL), 0);
	assert_int_equal(q.size, 2);
	coh_queue_destroy(&q);
	/* init failing leaves a destroyable queue */
	coh_alloc_fail_after(0);
	assert_int_not_equal(coh_queue_init(&q, 8), 0);
	coh_alloc_fail_after(-1);
	coh_queue_destroy(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_time_priority_sequence),
		cmocka_unit_test(test_cancel_and_reschedule),
		cmocka_unit_test(test_top_moved_in_place),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_growth_failure_is_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
