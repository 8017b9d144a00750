/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Chunks and the chunk index: gomem's heapArena.
 *
 * gomem holds memory from the buddy allocator in naturally aligned blocks of
 * up to 4 MiB (order 10). The address space is cut into 4 MiB *chunks*
 * (GOMEM_CHUNK_PAGES gomem pages of 8 KiB); every chunk in which gomem holds
 * at least one block has a struct gomem_chunk, found from any address in
 * O(1) through a two-level sparse index keyed by the chunk number (the
 * address, a physical address in the kernel, shifted right by 22). An address
 * whose chunk has no struct, or whose page the chunk does not hold, is not
 * gomem's.
 *
 * "Address" throughout the page heap is __pa() of the direct-map address:
 * physically contiguous is virtually contiguous in the direct map, so a run
 * of free pages may span adjacent held blocks and even adjacent chunks, as a
 * run spans heap arenas in Go.
 *
 * Locking: a chunk's bitmaps and counters belong to the page heap of its
 * node and change only under that heap's lock. chunk->spans[] is written
 * under the same lock and read locklessly (READ_ONCE) by free paths, which
 * only look up pages of objects they own. The index itself is written under
 * gomem_arena_lock (a spinlock, irq-safe: growth may happen in atomic
 * context); lookups are lockless and must run in an RCU read-side critical
 * section (or with the owning heap's lock held): chunk structs are freed
 * after a grace period. Index pages are allocated by gomem_arena_prepare()
 * outside every lock and kept until module exit, so inserting a chunk (under
 * the heap lock; lock order: heap lock -> gomem_arena_lock) allocates
 * nothing.
 */
#ifndef _GOMEM_ARENA_H
#define _GOMEM_ARENA_H

#include <linux/types.h>
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <asm/page.h>
#include "sizeclasses.h"

#ifndef GOMEM_ADDR_BITS
#define GOMEM_ADDR_BITS		46	/* 64 TiB of physical address space */
#endif
#define GOMEM_CHUNK_PAGES	512
#define GOMEM_CHUNK_SHIFT	(GOMEM_PAGE_SHIFT + 9)
#define GOMEM_CHUNK_SIZE	(1UL << GOMEM_CHUNK_SHIFT)
#define GOMEM_CHUNK_ORDER	(GOMEM_CHUNK_SHIFT - PAGE_SHIFT)	/* buddy order */
#define GOMEM_PAGE_ORDER	(GOMEM_PAGE_SHIFT - PAGE_SHIFT)
#define GOMEM_NCHUNKS_BITS	(GOMEM_ADDR_BITS - GOMEM_CHUNK_SHIFT)
#define GOMEM_CHUNK_WORDS	(GOMEM_CHUNK_PAGES / BITS_PER_LONG)

struct gomem_span;

struct gomem_chunk {
	struct rcu_head rcu;		/* first: kfree_rcu() wants it in the first 4 KiB */
	/* pallocBits: 1 = page in use, or not held by gomem */
	unsigned long alloc[GOMEM_CHUNK_WORDS];
	/* 1 = page held from the buddy allocator */
	unsigned long held[GOMEM_CHUNK_WORDS];
	/* 1 = first page of a buddy block (a block ends where the next starts) */
	unsigned long block_start[GOMEM_CHUNK_WORDS];
	/*
	 * 1 = held page of a block that was split_page()d to release part of
	 * it: each such page is a block of its own (block_start is set too)
	 * and goes back as two order-0 kernel pages
	 */
	unsigned long split[GOMEM_CHUNK_WORDS];
	/*
	 * 1 = held page gomem never gives back: one of its kernel pages had a
	 * reference count other than gomem's own (mheap.c, "Page references")
	 */
	unsigned long kept[GOMEM_CHUNK_WORDS];
	/*
	 * 1 = held free page known to hold zeroes: of a block the buddy
	 * allocator zeroed (init_on_alloc), not in any span since
	 * (mheap.c, "Zeroed pages")
	 */
	unsigned long zeroed[GOMEM_CHUNK_WORDS];
	/* page -> the in-use span that contains it (NULL when free) */
	struct gomem_span *spans[GOMEM_CHUNK_PAGES];
	unsigned long base;		/* address of page 0 */
	int node;
	unsigned int nheld;		/* pages held */
	unsigned int nfree;		/* held pages that are free */
	struct list_head link;		/* on its heap's chunk list */
};

static inline unsigned long gomem_chunk_index(unsigned long addr)
{
	return addr >> GOMEM_CHUNK_SHIFT;
}

static inline unsigned int gomem_chunk_page(unsigned long addr)
{
	return (addr >> GOMEM_PAGE_SHIFT) & (GOMEM_CHUNK_PAGES - 1);
}

int gomem_arena_init(void);
void gomem_arena_exit(void);
int gomem_arena_prepare(unsigned long base, gfp_t gfp);
int gomem_chunk_insert(struct gomem_chunk *chunk);
void gomem_chunk_remove(struct gomem_chunk *chunk);

#define GOMEM_ARENA_L2_BITS	9
#define GOMEM_ARENA_L2_ENTRIES	(1UL << GOMEM_ARENA_L2_BITS)
#define GOMEM_ARENA_L1_ENTRIES	(1UL << (GOMEM_NCHUNKS_BITS - GOMEM_ARENA_L2_BITS))

extern struct gomem_chunk __rcu ***gomem_arena_l1;

/**
 * gomem_chunk_lookup() - find the chunk struct of a chunk number
 * @chunk_index: address >> GOMEM_CHUNK_SHIFT, below 1 << GOMEM_NCHUNKS_BITS
 *
 * Return: the chunk, or NULL when gomem holds nothing there.
 */
static inline struct gomem_chunk *gomem_chunk_lookup(unsigned long chunk_index)
{
	struct gomem_chunk __rcu **l2;

	/* pairs with the cmpxchg that publishes a zeroed index page */
	l2 = smp_load_acquire(&gomem_arena_l1[chunk_index >> GOMEM_ARENA_L2_BITS]);
	if (!l2)
		return NULL;
	return rcu_dereference_check(l2[chunk_index & (GOMEM_ARENA_L2_ENTRIES - 1)], 1);
}

/**
 * gomem_heap_addr() - the heap address of a pointer, if it can be gomem's
 * @p: any pointer
 *
 * gomem's memory lies in the direct map, where the heap address is the
 * physical address: one subtraction. Anything else (vmalloc, module and
 * kernel-image addresses, user pointers, garbage) cannot be gomem's.
 *
 * Return: the heap address, or ~0UL.
 */
static inline unsigned long gomem_heap_addr(const void *p)
{
	unsigned long a = (unsigned long)p - PAGE_OFFSET;

	return likely(a < (1UL << GOMEM_ADDR_BITS)) ? a : ~0UL;
}

/**
 * gomem_addr_to_span() - the in-use span that contains an address
 * @addr: heap address (from gomem_heap_addr(), ~0UL allowed)
 *
 * Return: the span, or NULL when gomem holds no in-use span there. Lockless;
 * the caller is in an RCU read-side critical section (interrupts off count).
 */
static inline struct gomem_span *gomem_addr_to_span(unsigned long addr)
{
	struct gomem_chunk *c;

	if (unlikely(addr >> GOMEM_ADDR_BITS))
		return NULL;
	c = gomem_chunk_lookup(gomem_chunk_index(addr));
	if (!c)
		return NULL;
	return READ_ONCE(c->spans[gomem_chunk_page(addr)]);
}

/*
 * Whether gomem holds the page at a heap address (from gomem_heap_addr(),
 * ~0UL allowed) from the buddy allocator, in a span or free in its page
 * heap. Lockless, as above: the held bit may change meanwhile (the page
 * heap's lock), so the answer is a hint, for reports.
 */
static inline bool gomem_page_held(unsigned long addr)
{
	struct gomem_chunk *c;

	if (addr >> GOMEM_ADDR_BITS)
		return false;
	c = gomem_chunk_lookup(gomem_chunk_index(addr));
	return c && test_bit(gomem_chunk_page(addr), c->held);
}

/* the span of a pointer, or NULL when it is not in an in-use span of gomem */
static inline struct gomem_span *gomem_ptr_to_span(const void *p)
{
	return gomem_addr_to_span(gomem_heap_addr(p));
}

#endif /* _GOMEM_ARENA_H */
