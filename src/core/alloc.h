/* The one allocation wrapper.  Everything in cohesim allocates through it so
 * that tests can make the n-th allocation fail and check that every caller
 * reports a clean error and leaks nothing. */
#ifndef COH_ALLOC_H
#define COH_ALLOC_H

#include <stddef.h>

void *coh_malloc(size_t size);
void *coh_calloc(size_t count, size_t size);   /* checks count * size */
void *coh_realloc(void *ptr, size_t size);
void *coh_reallocarray(void *ptr, size_t count, size_t size);
char *coh_strdup(const char *text);
void coh_free(void *ptr);

/* Fault injection for tests: after `n` more successful allocations, every
 * allocation fails until reset with n < 0.  Process-wide on purpose (it
 * stands for the system allocator running out), and off by default. */
void coh_alloc_fail_after(long n);

/* Allocations that succeeded since the process started (for tests that
 * sweep the fault over every allocation of a scenario). */
unsigned long coh_alloc_count(void);

#endif
