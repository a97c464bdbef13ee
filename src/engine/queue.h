/* The pending-event set of the engine: a 4-ary min-heap over a pool of
 * nodes, ordered by (time, priority, insertion sequence) so that equal times
 * never depend on memory layout.  Every node knows its heap position, so an
 * event can be cancelled or moved in O(log n) through its handle. */
#ifndef COH_ENGINE_QUEUE_H
#define COH_ENGINE_QUEUE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* A handle that names no node. */
#define COH_QUEUE_NONE UINT32_MAX

/* What an event is about; the queue only carries it. */
typedef struct coh_qitem {
	int kind;
	int a, b, c;
} coh_qitem;

/* Heap entries are 16 bytes, four to a cache line: the time, which
 * decides almost every comparison, next to the node index.  The rest of
 * the key (priority and insertion sequence) lives in the node and is read
 * only when two times are equal. */
typedef struct coh_qentry {
	double time;
	uint32_t node;
} coh_qentry;

typedef struct coh_qnode {
	uint64_t order;         /* priority << 56 | insertion sequence */
	uint32_t pos;           /* heap index when live, next free node when not */
	coh_qitem item;
} coh_qnode;

typedef struct coh_queue {
	coh_qentry *heap;
	coh_qnode *nodes;
	size_t size;            /* live events */
	size_t capacity;        /* nodes (and heap slots) allocated */
	uint32_t free_head;     /* first free node or COH_QUEUE_NONE */
	uint64_t seq;           /* next insertion sequence number */
} coh_queue;

/* Priorities at equal times (docs/model.md section 11). */
enum {
	COH_PRIO_TIMELINE = 0,
	COH_PRIO_RESOLUTION = 1,
	COH_PRIO_GENERATED = 2,
	COH_PRIO_STATUS = 3
};

/* Prepares an empty queue with room for `capacity` events (at least 1).
 * Returns 0 or COH_ENOMEM; on failure q is left empty and safe to destroy. */
int coh_queue_init(coh_queue *q, size_t capacity);

/* Frees the storage; the queue may be initialised again. */
void coh_queue_destroy(coh_queue *q);

/* Drops every event and restarts the insertion sequence, keeping the
 * storage (used between replications). */
void coh_queue_clear(coh_queue *q);

/* Adds an event; *handle (if not NULL) receives its handle, valid until the
 * event is popped or cancelled.  Grows the pool (doubling) only when it is
 * full.  Priority must be in [0, 255].  Returns 0 or COH_ENOMEM. */
int coh_queue_push(coh_queue *q, double time, int priority,
		   const coh_qitem *item, uint32_t *handle);

/* Removes a live event. */
void coh_queue_cancel(coh_queue *q, uint32_t handle);

/* Moves a live event to a new time and priority; it counts as inserted
 * now (a fresh sequence number). */
void coh_queue_reschedule(coh_queue *q, uint32_t handle, double time,
			  int priority);

/* Time of the next event, or +inf when the queue is empty. */
static inline double coh_queue_next_time(const coh_queue *q)
{
	return q->size ? q->heap[0].time : HUGE_VAL;
}

/* The item of the next event, left in place (its handle stays valid).
 * The queue must not be empty. */
static inline const coh_qitem *coh_queue_top(const coh_queue *q)
{
	return &q->nodes[q->heap[0].node].item;
}

/* Removes the next event, returning its time, priority and item.  The
 * queue must not be empty. */
void coh_queue_pop(coh_queue *q, double *time, int *priority,
		   coh_qitem *item);

#endif
