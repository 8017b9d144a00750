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
	u8 needzero;			/* its pages may hold old data (mheap.c) */
	u64 alloc_cache;
	struct gomem_class *cls;	/* the class it serves (small spans) */
	/*
	 * A tagged class's span (class.h): per object, the id of the cache
	 * that allocated it last (written at every allocation, read by
	 * gomem_kfree()); else NULL. Freed with the span (mheap.c).
	 */
	u8 *tags;
	union {
		struct list_head list;	/* mcentral partial/full list */
		struct rcu_head rcu;	/* typesafe-by-RCU release */
		struct gomem_span *hot_next;	/* a hot span's (mheap.c) */
	};
	unsigned int remote_count;	/* bits set in remote_bits */
	unsigned long alloc_bits[GOMEM_SPAN_MAX_ELEMS / BITS_PER_LONG];
	/* objects freed by others while an mcache owns it (mcentral lock) */
	unsigned long remote_bits[GOMEM_SPAN_MAX_ELEMS / BITS_PER_LONG];
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
 * Queued marks: an object is marked queued from the moment a caller frees
 * it until it is handed out again. In between it sits in a cache (a
 * magazine, a CPU's batch for other nodes, a transfer cache, the span's
 * remote list) or back in its span. The object says so itself: the word at
 * its class's link offset (the first word, or the word after the object in
 * a private class) holds its mark, the object's address XOR a per-boot
 * secret. Every free path sets the mark with an atomic exchange on that
 * word, so a second free is seen at once, wherever the first copy sits,
 * even when both frees race on two CPUs; every path that hands an object
 * out (magazine pop, span, node path) clears the word with a plain store.
 *
 * The mark lives in the object, not in a per-span bitmap: the CPU freeing
 * one object and the CPU handing out its neighbour never write the same
 * word. The freeing CPU writes the line its caller was using, the
 * allocating CPU the line its caller is about to write.
 *
 * Only gomem writes marks, and a caller's data equals one only by guessing
 * the secret. A caller's write after free can wipe a mark: a second free of
 * that object is then caught only by the full free path's look at the
 * span's alloc bits (gomem_class_free_irqoff()), once the first copy is
 * back in its span; the inline frees trust the mark alone.
 *
 * The secret is chosen at load (gomem_queued_init()) so that every mark has
 * bit 63 clear and bit 62 set: no mark is 0 or a kernel pointer, the
 * values a free object's first word most often holds.
 */
extern unsigned long gomem_queued_secret;

void gomem_queued_init(void);

/* the word that holds a queued object's mark */
static __always_inline unsigned long *gomem_queued_word(const void *p, unsigned int off)
{
	return (unsigned long *)((char *)p + off);
}

/* the mark of the object at @p */
static __always_inline unsigned long gomem_queued_mark(const void *p)
{
	return (unsigned long)p ^ READ_ONCE(gomem_queued_secret);
}

/* whether the object at @p (link offset @off) is marked queued */
static __always_inline bool gomem_queued_test(const void *p, unsigned int off)
{
	return READ_ONCE(*gomem_queued_word(p, off)) == gomem_queued_mark(p);
}

/*
 * Mark the object at @p queued (the free paths): one exchange on its word,
 * a full barrier. Return: true when it was marked already (a double free;
 * the exchange then rewrote the same mark).
 */
static __always_inline bool gomem_queued_test_and_set(const void *p, unsigned int off)
{
	unsigned long m = gomem_queued_mark(p);

	return unlikely(xchg(gomem_queued_word(p, off), m) == m);
}

/* the object at @p is handed out: clear its mark (a plain store) */
static __always_inline void gomem_queued_clear(const void *p, unsigned int off)
{
	WRITE_ONCE(*gomem_queued_word(p, off), 0);
}

/*
 * Tiny spans (tiny.c): nelems 16-byte blocks, then three arrays in the
 * span's tail, one entry per block: the end masks (bit i: byte i is the
 * last byte of an object placed in the block, which gives a tiny object
 * its size: gomem_ksize(), gomem_krealloc()), the freed masks (bit k: the
 * object at byte k was freed since the block was handed out: a second free
 * is refused) and the count bytes. The two 16-bit arrays come first, so
 * they are 2-byte aligned without padding. Tiny spans give up 5/21 of their
 * bytes for them: 390 blocks in an 8 KiB span.
 */
#define GOMEM_TINY_META		5	/* tail bytes per block: ends, freed, count */

static inline unsigned int gomem_tiny_nelems(unsigned int npages)
{
	return ((unsigned long)npages << GOMEM_PAGE_SHIFT) / (GOMEM_TINY_SIZE + GOMEM_TINY_META);
}

static inline unsigned long gomem_tiny_block_index(struct gomem_span *s, const void *block)
{
	return ((unsigned long)block - (unsigned long)s->start) / GOMEM_TINY_SIZE;
}

/* the end mask of the tiny block at @block */
static inline u16 *gomem_tiny_ends(struct gomem_span *s, const void *block)
{
	return (u16 *)((u8 *)s->start + s->nelems * GOMEM_TINY_SIZE) +
	       gomem_tiny_block_index(s, block);
}

/* the freed mask of the tiny block at @block */
static inline u16 *gomem_tiny_freed(struct gomem_span *s, const void *block)
{
	return (u16 *)((u8 *)s->start + s->nelems * (GOMEM_TINY_SIZE + 2)) +
	       gomem_tiny_block_index(s, block);
}

/* the count byte of the tiny block at @block */
static inline u8 *gomem_tiny_count(struct gomem_span *s, const void *block)
{
	return (u8 *)s->start + s->nelems * (GOMEM_TINY_SIZE + 4) +
	       gomem_tiny_block_index(s, block);
}

void gomem_span_prepare(struct gomem_span *s, struct gomem_class *cls);
void *gomem_span_next_free(struct gomem_span *s);
bool gomem_span_obj_index(struct gomem_span *s, const void *p, unsigned int *idx);

/**
 * gomem_span_next_free_fast() - Go's nextFreeFast: one ctz, no lock
 * @s: a span owned by this CPU's mcache
 *
 * A free object may keep its queued mark: the caller clears it (after the
 * span's updates, so that the class's link offset is loaded late).
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
	WRITE_ONCE(s->freeindex, idx + 1);	/* read by others: gomem_mcentral_obj_free() */
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
