/*
 * scratch.h - working storage for the message path, kept for reuse.
 *
 * A libmilter thread lives for one connection, and glibc hands a dead
 * thread's stack pages back to the kernel (MADV_DONTNEED), so every page
 * of stack a message touches is a page fault, and resident memory, for
 * the next connection's thread. Large working buffers of the message path
 * come from a scratch pool instead: a few blocks of one size, kept after
 * use (at most SCRATCH_KEEP; more are freed) and handed out again.
 * Blocks are not cleared.
 * Must not: be used for anything that outlives one callback.
 */
#ifndef EM_SCRATCH_H
#define EM_SCRATCH_H

#include <pthread.h>
#include <stddef.h>

#define SCRATCH_KEEP 16

struct scratch_pool {
	pthread_mutex_t lock;
	size_t size;
	size_t nfree;
	void *free[SCRATCH_KEEP];
};

#define SCRATCH_POOL(size) { PTHREAD_MUTEX_INITIALIZER, (size), 0, { 0 } }

/* A block of POOL's size, or NULL when memory is out (for the log
 * itself; util.h's scratch_get() exits with a log line instead). */
void *scratch_try_get(struct scratch_pool *pool);
/* Gives BLOCK (from scratch_get() on POOL, or NULL) back. */
void scratch_put(struct scratch_pool *pool, void *block);

#endif
