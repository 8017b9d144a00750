/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Spans: Go's mspan. A span is a run of gomem pages handed out by a node's
 * page heap, either as one large object (size class 0) or cut into
 * nelems objects of one size class.
 *
 * Object allocation inside a span is Go's: alloc_bits (1 = allocated, as of
 * the last sweep), freeindex (every object below it is allocated) and
 * alloc_cache, the complement of the 64 alloc_bits from freeindex rounded
 * down to 64, shifted so that bit 0 stands for freeindex; the next free
 * object is found with one count-trailing-zeros (span_next_free_fast()).
 *
 * Explicit frees are gomem's departure from Go (which sweeps after marking):
 * see mcentral.c for who may touch which field when.
 */
#ifndef _GOMEM_SPAN_H
#define _GOMEM_SPAN_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include "sizeclasses.h"

#define GOMEM_SPAN_MAX_ELEMS	(GOMEM_PAGE_SIZE / 8)	/* class 1: 8 B in one page */

enum gomem_span_state {
	GOMEM_SPAN_DEAD = 0,	/* on the fixalloc free list */
	GOMEM_SPAN_SMALL,	/* small objects of one span class */
	GOMEM_SPAN_LARGE,	/* one large object */
	GOMEM_SPAN_FREEING,	/* a large object being freed */
};

struct gomem_class;

struct gomem_span {
	void *start;			/* first byte (direct-map address) */
	unsigned long base;		/* heap address: __pa(start) */
	u32 npages;			/* gomem pages */
	u32 elemsize;			/* object size; npages * 8 KiB if large */
	u8 state;			/* enum gomem_span_state */
	u8 spanclass;
	u16 node;
	u16 nelems;
	u16 freeindex;
	u16 alloc_count;		/* objects allocated, as of the last sweep */
	s16 cpu;			/* CPU whose mcache owns it, or -1 */
	u64 alloc_cache;
	struct gomem_class *cls;	/* the class it serves (small spans) */
	union {
		struct list_head list;	/* mcentral partial/full list */
		struct rcu_head rcu;	/* typesafe-by-RCU release */
	};
	/* objects freed by others while an mcache owns it (mcentral lock) */
	void *remote_free;
	unsigned int remote_count;
	unsigned long alloc_bits[GOMEM_SPAN_MAX_ELEMS / BITS_PER_LONG];
};

/*
 * alloc_bits of a span no CPU owns change under its mcentral lock but are
 * read without it by the free path's double-free check: whole-word stores,
 * so a reader never sees a torn word (the bit a legitimate free reads is
 * not the one changing).
 */
static inline bool gomem_span_bit_test_and_clear(struct gomem_span *s, unsigned int idx)
{
	unsigned long *w = &s->alloc_bits[idx / BITS_PER_LONG], m = BIT(idx % BITS_PER_LONG);

	if (!(*w & m))
		return false;
	WRITE_ONCE(*w, *w & ~m);
	return true;
}

static inline void gomem_span_bit_set(struct gomem_span *s, unsigned int idx)
{
	unsigned long *w = &s->alloc_bits[idx / BITS_PER_LONG];

	WRITE_ONCE(*w, *w | BIT(idx % BITS_PER_LONG));
}

/* set bits [0, n): the objects an owner allocated below freeindex */
static inline void gomem_span_bits_set_below(struct gomem_span *s, unsigned int n)
{
	unsigned int w;

	for (w = 0; w < n / BITS_PER_LONG; w++)
		WRITE_ONCE(s->alloc_bits[w], ~0UL);
	if (n % BITS_PER_LONG)
		WRITE_ONCE(s->alloc_bits[w], s->alloc_bits[w] | (BIT(n % BITS_PER_LONG) - 1));
}

/*
 * Tiny spans (tiny.c): nelems 16-byte blocks, then one count byte per block,
 * then (2-byte aligned) one end mask per block, in the span's tail: bit i of
 * a block's mask is set when byte i is the last byte of an object, which
 * gives a tiny object its size (gomem_ksize(), gomem_krealloc()). Tiny
 * spans give up 3/19 of their bytes for them: 431 blocks in an 8 KiB span.
 */
static inline unsigned int gomem_tiny_nelems(unsigned int npages)
{
	return (((unsigned long)npages << GOMEM_PAGE_SHIFT) - 1) / (GOMEM_TINY_SIZE + 3);
}

/* the count byte of the tiny block at @block */
static inline u8 *gomem_tiny_count(struct gomem_span *s, const void *block)
{
	unsigned long idx = ((unsigned long)block - (unsigned long)s->start) / GOMEM_TINY_SIZE;

	return (u8 *)s->start + s->nelems * GOMEM_TINY_SIZE + idx;
}

/* the end mask of the tiny block at @block */
static inline u16 *gomem_tiny_ends(struct gomem_span *s, const void *block)
{
	unsigned long idx = ((unsigned long)block - (unsigned long)s->start) / GOMEM_TINY_SIZE;
	unsigned long ends = ALIGN((unsigned long)s->start + s->nelems * (GOMEM_TINY_SIZE + 1), 2);

	return (u16 *)ends + idx;
}

void gomem_span_prepare(struct gomem_span *s, struct gomem_class *cls);
void *gomem_span_next_free(struct gomem_span *s);
bool gomem_span_obj_index(struct gomem_span *s, const void *p, unsigned int *idx);

/**
 * gomem_span_next_free_fast() - Go's nextFreeFast: one ctz, no lock
 * @s: a span owned by this CPU's mcache
 *
 * Return: the next free object, or NULL when the 64-object cache window is
 * exhausted (gomem_span_next_free() moves on).
 */
static __always_inline void *gomem_span_next_free_fast(struct gomem_span *s)
{
	unsigned int bit, idx;

	if (!s->alloc_cache)
		return NULL;
	bit = __ffs64(s->alloc_cache);
	idx = s->freeindex + bit;
	s->alloc_cache = (s->alloc_cache >> bit) >> 1;
	s->freeindex = idx + 1;
	s->alloc_count++;
	return (char *)s->start + idx * s->elemsize;
}

/*
 * Spans given back to the page heap so far: bumped by gomem_heap_free_span()
 * after the span's pages are unmapped (the free hints depend on it, see
 * mcache.h).
 */
extern atomic_long_t gomem_span_gen;

#endif /* _GOMEM_SPAN_H */
