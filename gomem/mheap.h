/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page heap: one per NUMA node. See mheap.c.
 */
#ifndef _GOMEM_MHEAP_H
#define _GOMEM_MHEAP_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <linux/nodemask.h>
#include "arena.h"
#include "pagealloc.h"
#include "span.h"
#include "fixalloc.h"

struct gomem_heap_stats {
	unsigned long grown_blocks;	/* alloc_pages_node() successes */
	unsigned long fallback_blocks;	/* of which below order 10 */
	unsigned long grow_failures;
	unsigned long released_blocks;	/* blocks given back to the buddy allocator */
	unsigned long released_pages;	/* gomem pages given back */
	unsigned long split_blocks;	/* blocks split to give back part of them */
	unsigned long split_released_pages;	/* of released_pages, from split blocks */
	unsigned long kept_pages;	/* held pages never given back: foreign references */
	unsigned long large_allocs, large_frees;
	unsigned long large_pages_inuse;
	unsigned long spans_inuse;	/* small and large */
	unsigned long hot_hits;		/* span allocations served by a hot span */
	unsigned long hot_pages;	/* pages in hot spans (a copy: snapshots only) */
	unsigned long span_pages_inuse;	/* pages in small-object spans */
};

/*
 * Hot spans (mheap.c): the largest a node keeps (256 KiB), their pages
 * together (1 MiB), and how many of one size an aligned allocation looks at
 */
#define GOMEM_HOT_MAX_PAGES	32	/* a list and a bit in hot_sizes each */
#define GOMEM_HOT_PAGES		128
#define GOMEM_HOT_SCAN		4

struct gomem_heap {
	spinlock_t lock;
	int node;
	struct gomem_pagealloc pa;
	struct list_head chunks;	/* every chunk of this node */
	unsigned long nr_chunks;	/* on it */
	struct gomem_fixalloc spanalloc;	/* struct gomem_span */
	unsigned long zeroed_pages;	/* chunk->zeroed bits set (mheap.c) */
	/* freed spans kept whole for reuse (mheap.c, "Hot spans"), by size */
	struct gomem_span *hot[GOMEM_HOT_MAX_PAGES];	/* chained by hot_next */
	unsigned int nhot;
	u32 hot_sizes;			/* bit n - 1: hot[n - 1] is not empty */
	unsigned long hot_pages;	/* their pages: free, outside h->pa */
	struct gomem_heap_stats st;
};

/* chunks without free pages a release skips per heap lock hold */
#define GOMEM_RELEASE_SKIP	16

extern struct gomem_heap *gomem_heaps[];
extern unsigned long gomem_retain_pages;

int gomem_heap_init(void);
void gomem_heap_exit(void);
struct gomem_span *gomem_heap_alloc_span(int node, unsigned long npages, gfp_t gfp);
struct gomem_span *gomem_heap_alloc_span_aligned(int node, unsigned long npages,
						 unsigned long align, gfp_t gfp);
void gomem_heap_free_span(struct gomem_span *s);
void gomem_heap_put_span(struct gomem_span *s);
unsigned long gomem_heap_release(struct gomem_heap *h, unsigned long keep);
unsigned long gomem_heap_shrink(struct gomem_heap *h, unsigned long nr);
unsigned long gomem_heap_reclaimable(void);
unsigned long gomem_heap_held(void);
void *gomem_large_alloc(size_t size, gfp_t gfp, int node);
void gomem_large_free(struct gomem_span *s, const void *p);
void gomem_heap_snapshot(struct gomem_heap *h, struct gomem_heap_stats *st,
			 unsigned long *held, unsigned long *free);

static inline int gomem_node_valid(int node)
{
	return node >= 0 && node < nr_node_ids && gomem_heaps[node];
}

#endif /* _GOMEM_MHEAP_H */
