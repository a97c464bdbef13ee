/* The allocation wrapper, with a fault-injection switch for tests. */
#include "alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Atomic because worker threads allocate too (a run's fault may land on
 * any of them). */
static _Atomic long fail_after = -1;    /* < 0: never fail */
static atomic_ulong allocations;

static int should_fail(void)
{
	long n = atomic_load_explicit(&fail_after, memory_order_relaxed);
	while (n > 0)
		if (atomic_compare_exchange_weak_explicit(&fail_after, &n, n - 1,
				memory_order_relaxed, memory_order_relaxed))
			return 0;
	return n == 0;
}

void coh_alloc_fail_after(long n)
{
	atomic_store(&fail_after, n);
}

unsigned long coh_alloc_count(void)
{
	return atomic_load(&allocations);
}

void *coh_malloc(size_t size)
{
	if (should_fail())
		return NULL;
	void *p = malloc(size ? size : 1);
	if (p)
		allocations++;
	return p;
}

void *coh_calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	if (should_fail())
		return NULL;
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (p)
		allocations++;
	return p;
}

void *coh_realloc(void *ptr, size_t size)
{
	if (should_fail())
		return NULL;
	void *p = realloc(ptr, size ? size : 1);
	if (p)
		allocations++;
	return p;
}

void *coh_reallocarray(void *ptr, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	return coh_realloc(ptr, count * size);
}

char *coh_strdup(const char *text)
{
	size_t n = strlen(text) + 1;
	char *p = coh_malloc(n);
	if (p)
		memcpy(p, text, n);
	return p;
}

void coh_free(void *ptr)
{
	free(ptr);
}
