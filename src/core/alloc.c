/* The allocation wrapper, with a fault-injection switch for tests. */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long fail_after = -1;          /* < 0: never fail */
static unsigned long allocations;

static int should_fail(void)
{
	if (fail_after < 0)
		return 0;
	if (fail_after == 0)
		return 1;
	fail_after--;
	return 0;
}

void coh_alloc_fail_after(long n)
{
	fail_after = n;
}

unsigned long coh_alloc_count(void)
{
	return allocations;
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
