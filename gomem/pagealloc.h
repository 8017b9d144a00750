/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page allocator: Go's pageAlloc (runtime/mpagealloc.go) over gomem's
 * chunks. One instance per NUMA node heap.
 *
 * Every chunk carries a 512-bit bitmap (chunk->alloc: 1 = in use or not
 * held). A radix tree of summaries sits on top: GOMEM_SUM_LEVELS levels,
 * fan-out 8 below the root level, each entry a pallocSum packing (start,
 * max, end) free-page run lengths in 21 bits each; an all-free entry at the
 * root (2^21 pages) is encoded specially, as in Go. Levels are sparse arrays
 * of summary pages allocated on demand (gomem_pagealloc_prepare()); a missing
 * page reads as all zero, i.e. "no free pages", which is exactly the state
 * of memory gomem does not hold.
 *
 * gomem_pagealloc_alloc() searches top-down for the lowest-address run of N
 * free pages, then updates the chunk bitmaps and every summary above them.
 * A run may cross chunks: adjacent chunks are contiguous memory.
 *
 * Locking: every function except _init(), _destroy() and _prepare() runs
 * under the owning heap's lock. _prepare() runs without it (it may sleep
 * when @gfp allows) and publishes new summary pages with release semantics;
 * a summary page, once published, stays until _destroy().
 *
 * Division of labour with the page heap: the heap allocates blocks, creates
 * and inserts chunk structs (chunk->node = the heap's node: an instance owns
 * exactly the chunks of its node), sets chunk->held[] and block_start[]
 * before gomem_pagealloc_grow() and clears them after
 * gomem_pagealloc_shrink(). The page allocator owns chunk->alloc[],
 * chunk->nheld, chunk->nfree and the summaries. Address 0 is never a valid
 * result: physical page 0 is never handed to gomem.
 *
 * See pagealloc.c and Documentation/pagealloc.rst for the details.
 */
#ifndef _GOMEM_PAGEALLOC_H
#define _GOMEM_PAGEALLOC_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include "arena.h"

#define GOMEM_SUM_LEVELS	5
#define GOMEM_SUM_LEVEL_BITS	3	/* fan-out 8 below the root */
#define GOMEM_SUM_FIELD_BITS	21
#define GOMEM_SUM_MAX_PACKED	(1UL << GOMEM_SUM_FIELD_BITS)
/*
 * chunks without an aligned fit (and dead ends) an aligned allocation
 * probes before it falls back to an overallocated search
 */
#define GOMEM_ALIGN_PROBES	8

typedef u64 gomem_psum_t;	/* pallocSum */

/* Each level is an array of 4 KiB summary pages of 512 entries. */
#define GOMEM_SUM_PAGE_SHIFT	9
#define GOMEM_SUM_PAGE_ENTRIES	(1UL << GOMEM_SUM_PAGE_SHIFT)

static inline gomem_psum_t gomem_psum_pack(unsigned int start, unsigned int max,
					   unsigned int end)
{
	if (max == GOMEM_SUM_MAX_PACKED)
		return 1ULL << 63;
	return (u64)(start & (GOMEM_SUM_MAX_PACKED - 1)) |
	       ((u64)(max & (GOMEM_SUM_MAX_PACKED - 1)) << GOMEM_SUM_FIELD_BITS) |
	       ((u64)(end & (GOMEM_SUM_MAX_PACKED - 1)) << (2 * GOMEM_SUM_FIELD_BITS));
}

static inline unsigned int gomem_psum_start(gomem_psum_t s)
{
	return (s >> 63) ? GOMEM_SUM_MAX_PACKED : s & (GOMEM_SUM_MAX_PACKED - 1);
}

static inline unsigned int gomem_psum_max(gomem_psum_t s)
{
	return (s >> 63) ? GOMEM_SUM_MAX_PACKED :
	       (s >> GOMEM_SUM_FIELD_BITS) & (GOMEM_SUM_MAX_PACKED - 1);
}

static inline unsigned int gomem_psum_end(gomem_psum_t s)
{
	return (s >> 63) ? GOMEM_SUM_MAX_PACKED :
	       (s >> (2 * GOMEM_SUM_FIELD_BITS)) & (GOMEM_SUM_MAX_PACKED - 1);
}

struct gomem_pagealloc {
	/* the lock its owner holds around every change (asserted), or NULL */
	spinlock_t *lock;
	/* summary[l]: directory of summary pages for level l (0 = root) */
	gomem_psum_t **summary[GOMEM_SUM_LEVELS];
	unsigned long sum_dir_len[GOMEM_SUM_LEVELS];
	/* no free page below this address: where searches start */
	unsigned long search_addr;
	/* chunk numbers ever grown into: [lo_chunk, hi_chunk) bounds scans */
	unsigned long lo_chunk, hi_chunk;
	unsigned long free_pages;	/* free pages held */
	unsigned long held_pages;	/* pages held */
	/* aligned allocations that fell back to the overallocated search */
	unsigned long align_fallbacks;
	/* chunk->node of the chunks this instance manages (first grow) */
	int node;
};

/**
 * gomem_pagealloc_sum() - read one stored summary
 * @pa: page allocator
 * @level: 0 (root) .. GOMEM_SUM_LEVELS - 1 (leaf: one entry per chunk)
 * @idx: entry index within the level (address >> that level's shift)
 *
 * For tests and debugging. Caller holds the heap lock.
 *
 * Return: the summary; 0 when its summary page was never prepared.
 */
static inline gomem_psum_t gomem_pagealloc_sum(struct gomem_pagealloc *pa,
					       int level, unsigned long idx)
{
	gomem_psum_t *page;

	/* pairs with cmpxchg() in gomem_pagealloc_prepare() */
	page = smp_load_acquire(&pa->summary[level][idx >> GOMEM_SUM_PAGE_SHIFT]);
	return page ? page[idx & (GOMEM_SUM_PAGE_ENTRIES - 1)] : 0;
}

int gomem_pagealloc_init(struct gomem_pagealloc *pa);
void gomem_pagealloc_destroy(struct gomem_pagealloc *pa);
int gomem_pagealloc_prepare(struct gomem_pagealloc *pa, unsigned long base,
			    unsigned long npages, gfp_t gfp);
void gomem_pagealloc_grow(struct gomem_pagealloc *pa, unsigned long base,
			  unsigned long npages);
void gomem_pagealloc_shrink(struct gomem_pagealloc *pa, unsigned long base,
			    unsigned long npages);
unsigned long gomem_pagealloc_alloc(struct gomem_pagealloc *pa, unsigned long npages);
unsigned long gomem_pagealloc_alloc_aligned(struct gomem_pagealloc *pa,
					    unsigned long npages,
					    unsigned long align,
					    unsigned long hint);
void gomem_pagealloc_free(struct gomem_pagealloc *pa, unsigned long base,
			  unsigned long npages);
int gomem_pagealloc_check(struct gomem_pagealloc *pa);

#endif /* _GOMEM_PAGEALLOC_H */
