/* The engine's pending-event set: a 4-ary min-heap of (time, node) entries
 * over a node pool with a free list; the node holds the rest of the key.
 * See queue.h. */
#include "engine/queue.h"

#include "cohesim/error.h"
#include "core/alloc.h"

#define ARITY 4
#define SEQ_BITS 56

/* Whether x comes first: by time, then (rarely needed) by the priority and
 * insertion sequence kept in the nodes. */
static inline int entry_less(const coh_queue *q, const coh_qentry *x,
			     const coh_qentry *y)
{
	if (x->time != y->time)
		return x->time < y->time;
	return q->nodes[x->node].order < q->nodes[y->node].order;
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
		if (!entry_less(q, &e, &q->heap[parent]))
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, e);
}

/* One step of the scan for the earliest child: child k, at time t,
 * against the best so far, with selects rather than branches (which child
 * wins is unpredictable); *tie records that two times compared equal. */
static inline void scan_step(double t, size_t k, size_t *best,
			     double *best_time, int *tie)
{
	size_t earlier = t < *best_time;
	*tie |= t == *best_time;
	*best ^= (*best ^ k) & -earlier;
	*best_time = t < *best_time ? t : *best_time;
}

/* The first of the count children c[0..count) in (time, order).  It looks
 * at the times alone; only when two of them compared equal does the order
 * decide, and then the children are scanned again with the whole key. */
static inline size_t first_child(const coh_queue *q, const coh_qentry *c,
				 size_t count)
{
	size_t best = 0;
	double best_time = c[0].time;
	int tie = 0;
	if (count == ARITY) {   /* the usual case, unrolled */
		scan_step(c[1].time, 1, &best, &best_time, &tie);
		scan_step(c[2].time, 2, &best, &best_time, &tie);
		scan_step(c[3].time, 3, &best, &best_time, &tie);
	} else {
		for (size_t k = 1; k < count; k++)
			scan_step(c[k].time, k, &best, &best_time, &tie);
	}
	if (tie) {
		best = 0;
		for (size_t k = 1; k < count; k++)
			if (entry_less(q, &c[k], &c[best]))
				best = k;
	}
	return best;
}

static void sift_down(coh_queue *q, size_t i)
{
	coh_qentry *heap = q->heap;
	size_t size = q->size;
	coh_qentry e = heap[i];
	for (;;) {
		size_t first = ARITY * i + 1;
		if (first >= size)
			break;
		const coh_qentry *c = heap + first;
		size_t best = first_child(q, c, size - first < ARITY ?
					      size - first : ARITY);
		if (!entry_less(q, &c[best], &e))
			break;
		place(q, i, c[best]);
		i = first + best;
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
	q->nodes[node].order = make_order(q, priority);
	coh_qentry e = {time, node};
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
	if (i > 0 && entry_less(q, &moved, &q->heap[(i - 1) / ARITY]))
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
	coh_qnode *node = &q->nodes[handle];
	size_t i = node->pos;
	double old_time = q->heap[i].time;
	uint64_t old_order = node->order;
	q->heap[i].time = time;
	node->order = make_order(q, priority);
	if (time != old_time ? time < old_time : node->order < old_order)
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
		*priority = (int)(q->nodes[top.node].order >> SEQ_BITS);
	if (item)
		*item = q->nodes[top.node].item;
	remove_at(q, 0);
	release(q, top.node);
}
