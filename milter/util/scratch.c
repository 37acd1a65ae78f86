/*
 * scratch.c - working storage for the message path, kept for reuse.
 *
 * scratch_try_get(), scratch_put() (scratch.h says why); scratch_get(),
 * which exits when memory is out, is util.c's, so this file needs
 * nothing but libc and the log can use it.
 */
#include "config.h"

#include <stdlib.h>

#include "util/scratch.h"

void *
scratch_try_get(struct scratch_pool *pool)
{
	void *block = NULL;

	pthread_mutex_lock(&pool->lock);
	if (pool->nfree > 0)
		block = pool->free[--pool->nfree];
	pthread_mutex_unlock(&pool->lock);
	return block != NULL ? block : malloc(pool->size);
}

void
scratch_put(struct scratch_pool *pool, void *block)
{
	if (block == NULL)
		return;
	pthread_mutex_lock(&pool->lock);
	if (pool->nfree < SCRATCH_KEEP) {
		pool->free[pool->nfree++] = block;
		block = NULL;
	}
	pthread_mutex_unlock(&pool->lock);
	free(block);
}
