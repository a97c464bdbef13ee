/* The engine's pending-event set: a 4-ary min-heap of (time, order, node)
 * entries over a node pool with a free list.  See queue.h. */
#include "engine/queue.h"

#include "cohesim/error.h"
#include "core/alloc.h"

#define ARITY 4
#define SEQ_BITS 56

static int entry_less(const coh_qentry *x, const coh_qentry *y)
{
	if (x->time != y->time)
		return x->time < y->time;
	return x->order < y->order;
}

/* Puts entry e at heap index i and tells its node where it lives. */
static void place(coh_queue *q, size_t i, coh_qentry e)
{
	q->heap[i] = e;
	q->nodes[e.node].pos = (uint32_t)i;
}

static void sift_up(coh_queue *q, size_t i)
{
	coh_qentry e = q->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / ARITY;
		if (!entry_less(&e, &q->heap[parent]))
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, e);
}

static void sift_down(coh_queue *q, size_t i)
{
	coh_qentry e = q->heap[i];
	for (;;) {
		size_t first = ARITY * i + 1;
		if (first >= q->size)
			break;
		size_t last = first + ARITY < q->size ? first + ARITY : q->size;
		size_t best = first;
		for (size_t k = first + 1; k < last; k++)
			if (entry_less(&q->heap[k], &q->heap[best]))
				best = k;
		if (!entry_less(&q->heap[best], &e))
			break;
		place(q, i, q->heap[best]);
		i = best;
	}
	place(q, i, e);
}

/* Threads nodes [from, to) onto the free list, lowest index first. */
static void free_range(coh_queue *q, size_t from, size_t to)
{
	for (size_t k = to; k > from; k--) {
		q->nodes[k - 1].pos = q->free_head;
		q->free_head = (uint32_t)(k - 1);
	}
}

int coh_queue_init(coh_queue *q, size_t capacity)
{
	if (capacity < 1)
		capacity = 1;
	q->heap = NULL;
	q->nodes = NULL;
	q->size = 0;
	q->capacity = 0;
	q->free_head = COH_QUEUE_NONE;
	q->seq = 0;
	if (capacity >= COH_QUEUE_NONE)
		return COH_ENOMEM;
	q->heap = coh_calloc(capacity, sizeof *q->heap);
	q->nodes = coh_calloc(capacity, sizeof *q->nodes);
	if (!q->heap || !q->nodes) {
		coh_queue_destroy(q);
		return COH_ENOMEM;
	}
	q->capacity = capacity;
	free_range(q, 0, capacity);
	return 0;
}

void coh_queue_destroy(coh_queue *q)
{
	coh_free(q->heap);
	coh_free(q->nodes);
	q->heap = NULL;
	q->nodes = NULL;
	q->size = q->capacity = 0;
	q->free_head = COH_QUEUE_NONE;
}

void coh_queue_clear(coh_queue *q)
{
	q->size = 0;
	q->seq = 0;
	q->free_head = COH_QUEUE_NONE;
	free_range(q, 0, q->capacity);
}

static int grow(coh_queue *q)
{
	size_t cap = q->capacity * 2;
	if (cap >= COH_QUEUE_NONE)
		return COH_ENOMEM;
	coh_qentry *heap = coh_reallocarray(q->heap, cap, sizeof *heap);
	if (!heap)
		return COH_ENOMEM;
	q->heap = heap;
	coh_qnode *nodes = coh_reallocarray(q->nodes, cap, sizeof *nodes);
	if (!nodes)
		return COH_ENOMEM;  /* the larger heap array is harmless */
	q->nodes = nodes;
	free_range(q, q->capacity, cap);
	q->capacity = cap;
	return 0;
}

static uint64_t make_order(coh_queue *q, int priority)
{
	return (uint64_t)(priority & 0xff) << SEQ_BITS | q->seq++;
}

int coh_queue_push(coh_queue *q, double time, int priority,
		   const coh_qitem *item, uint32_t *handle)
{
	if (q->free_head == COH_QUEUE_NONE) {
		int rc = grow(q);
		if (rc)
			return rc;
	}
	uint32_t node = q->free_head;
	q->free_head = q->nodes[node].pos;
	q->nodes[node].item = *item;
	coh_qentry e = {time, make_order(q, priority), node};
	q->heap[q->size] = e;
	q->nodes[node].pos = (uint32_t)q->size;
	q->size++;
	sift_up(q, q->size - 1);
	if (handle)
		*handle = node;
	return 0;
}

/* Fills the hole at heap index i with the last entry and restores order. */
static void remove_at(coh_queue *q, size_t i)
{
	q->size--;
	if (i == q->size)
		return;
	coh_qentry moved = q->heap[q->size];
	place(q, i, moved);
	if (i > 0 && entry_less(&moved, &q->heap[(i - 1) / ARITY]))
		sift_up(q, i);
	else
		sift_down(q, i);
}

static void release(coh_queue *q, uint32_t node)
{
	q->nodes[node].pos = q->free_head;
	q->free_head = node;
}

void coh_queue_cancel(coh_queue *q, uint32_t handle)
{
	remove_at(q, q->nodes[handle].pos);
	release(q, handle);
}

void coh_queue_reschedule(coh_queue *q, uint32_t handle, double time,
			  int priority)
{
	size_t i = q->nodes[handle].pos;
	coh_qentry old = q->heap[i];
	q->heap[i].time = time;
	q->heap[i].order = make_order(q, priority);
	if (entry_less(&q->heap[i], &old))
		sift_up(q, i);
	else
		sift_down(q, i);
}

void coh_queue_pop(coh_queue *q, double *time, int *priority,
		   coh_qitem *item)
{
	coh_qentry top = q->heap[0];
	if (time)
		*time = top.time;
	if (priority)
		*priority = (int)(top.order >> SEQ_BITS);
	if (item)
		*item = q->nodes[top.node].item;
	remove_at(q, 0);
	release(q, top.node);
}
