// SPDX-License-Identifier: GPL-2.0
/*
 * Spans of small objects: their preparation for a class, and object
 * allocation inside them (Go's allocBits / freeindex / allocCache).
 *
 * The owner (the CPU whose mcache holds the span) allocates with
 * gomem_span_next_free_fast() and, when the 64-object window runs out,
 * gomem_span_next_free(), which loads the next window that has a free
 * object. Neither takes a lock: only the owner touches freeindex,
 * alloc_cache and alloc_count while the span is cached. The window
 * invariant: bit k of alloc_cache stands for object freeindex + k, up to
 * the end of the 64-bit word of alloc_bits that holds freeindex; bits for
 * objects past nelems are zero. alloc_cache == 0 with freeindex on a word
 * boundary means that word is not loaded yet.
 */
#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/string.h>
#include <linux/random.h>
#include "class.h"
#include "debug.h"
#include "trace_heap.h"

/* read by every inline free, written by span releases: a line of its own */
atomic_long_t gomem_span_gen ____cacheline_aligned_in_smp;

/* span.h: a queued object's mark is its address XOR this */
unsigned long gomem_queued_secret __read_mostly;

/**
 * gomem_queued_init() - choose this load's secret for the queued marks
 *
 * Random, except bits 63 and 62, chosen so that every object's mark has
 * bit 63 clear and bit 62 set (span.h): never 0 nor a kernel pointer.
 * Objects share those two bits with the address of this variable: both are
 * in the kernel's upper half (in the userspace build, both in the lower
 * half).
 */
void gomem_queued_init(void)
{
	unsigned long top = 3UL << (BITS_PER_LONG - 2);
	unsigned long want = 1UL << (BITS_PER_LONG - 2);

	gomem_queued_secret = (get_random_long() & ~top) |
			      ((((unsigned long)&gomem_queued_secret) & top) ^ want);
}

/**
 * gomem_span_prepare() - set a fresh span up for a class's objects
 * @s: span from the page heap
 * @cls: the class it will serve
 *
 * Everything a span needs before its first object is handed out: the
 * allocation state, a debug class's red zones and poison (debug.c), the cleared
 * block end masks, freed masks and counts of a tiny span, and the
 * constructor run over every object of a class that has one (objects are
 * constructed once, when their span is made, as SLUB constructs them when
 * it makes a slab).
 */
void gomem_span_prepare(struct gomem_span *s, struct gomem_class *cls)
{
	unsigned int i;

	s->spanclass = cls->spanclass;
	s->elemsize = cls->elemsize;
	s->nelems = cls->nelems;
	s->freeindex = 0;
	s->alloc_cache = 0;
	s->alloc_count = 0;
	s->cls = cls;
	s->remote_count = 0;
	bitmap_zero(s->alloc_bits, GOMEM_SPAN_MAX_ELEMS);
	bitmap_zero(s->remote_bits, GOMEM_SPAN_MAX_ELEMS);
	s->state = GOMEM_SPAN_SMALL;
	trace_gomem_span_alloc(s);
	if (cls->debug)		/* debug.c lays the slots out */
		cls->debug->prepare_span(cls, s);
	if (cls->tiny)
		memset(gomem_tiny_ends(s, s->start), 0, s->nelems * GOMEM_TINY_META);
	if (cls->ctor) {
		/* a debug class's object starts after its left red zone */
		char *obj = (char *)s->start + (cls->debug ? cls->debug->left : 0);

		for (i = 0; i < s->nelems; i++)
			cls->ctor(obj + i * s->elemsize);
	}
}

/**
 * gomem_span_next_free() - Go's nextFree within one span
 * @s: a span owned by this CPU's mcache
 *
 * Return: the next free object, its queued mark cleared (span.h), or NULL
 * when every object from freeindex on is allocated (the mcache then sweeps
 * or replaces the span).
 */
void *gomem_span_next_free(struct gomem_span *s)
{
	unsigned int w, nwords = DIV_ROUND_UP(s->nelems, 64);
	u64 c;
	void *p;

	p = gomem_span_next_free_fast(s);
	if (p)
		goto out;
	w = s->freeindex / 64;
	if (s->freeindex % 64)
		w++;		/* the rest of this word is allocated */
	for (; w < nwords; w++) {
		c = ~(u64)s->alloc_bits[w];
		if (w == nwords - 1 && s->nelems % 64)
			c &= (1ULL << (s->nelems % 64)) - 1;
		if (c) {
			WRITE_ONCE(s->freeindex, w * 64);
			s->alloc_cache = c;
			p = gomem_span_next_free_fast(s);
			goto out;
		}
	}
	WRITE_ONCE(s->freeindex, s->nelems);
	s->alloc_cache = 0;
	return NULL;
out:
	gomem_queued_clear(p, s->cls->link_off);	/* a free object may keep its mark */
	return p;
}

/**
 * gomem_span_obj_index() - the index of the object that starts at @p
 * @s: a small-object span
 * @p: a pointer into it
 * @idx: set to the object index
 *
 * Return: false when @p is not the start of an object.
 */
bool gomem_span_obj_index(struct gomem_span *s, const void *p, unsigned int *idx)
{
	unsigned long off = (unsigned long)p - (unsigned long)s->start;

	if (off >= (unsigned long)s->npages << GOMEM_PAGE_SHIFT)
		return false;
	*idx = gomem_class_obj_index(s->cls, off);
	return *idx < s->nelems && off == (unsigned long)*idx * s->elemsize;
}
