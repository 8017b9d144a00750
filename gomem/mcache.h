/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcache: the per-CPU allocation and free paths, with the inline fast
 * paths the exported entry points (cache.c, malloc.c) are built from, and
 * the one post-allocation hook every allocation path ends with. See
 * mcache.c; locks and per-CPU rules: locking.h.
 */
#ifndef _GOMEM_MCACHE_H
#define _GOMEM_MCACHE_H

#include <linux/percpu.h>
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include "class.h"
#include "arena.h"

extern bool gomem_random_order;

int gomem_mcache_init(void);
void gomem_mcache_exit(void);
void *gomem_class_alloc(struct gomem_class *cls, gfp_t gfp, int node);
void *gomem_mcache_alloc_irqoff(struct gomem_class *cls, gfp_t gfp, unsigned long *flags);
bool gomem_class_free_irqoff(struct gomem_class *cls, struct gomem_span *s, void *p,
			     unsigned long ip);
void gomem_mcache_drain_cpu(struct gomem_class *cls, int cpu);
void *gomem_zero_obj(void *p, unsigned int size);
bool gomem_free_indexed_unlock(struct gomem_class *want, const void *p, unsigned long flags);
unsigned int gomem_mcache_alloc_run_irqoff(struct gomem_class *cls, void **objs, unsigned int n);
unsigned int gomem_mcache_free_run(struct gomem_class *cls, void **objs, unsigned int n);

/*
 * The free hint: each CPU remembers the span it last freed a small object
 * into, with what the inline free needs to check a pointer against it, so
 * that a run of frees into one span skips the chunk-index walk (three
 * dependent loads). A hint is taken only for a span of the CPU's own node
 * whose class allows the inline paths, by the full free path
 * (gomem_free_hint_set_irqoff()).
 *
 * Validity: gomem_span_gen counts spans given back to the page heap.
 * gomem_heap_free_span() unmaps a span and then bumps it, before the pages
 * can be reused; a hint records the generation read before its chunk-index
 * lookup. So a hint whose generation is current names a span that was still
 * mapped after the last release, and a legitimate free of an object in a
 * later span at the same address (allocated after the release, so after the
 * bump) never matches a stale hint. A stray pointer is no worse off than
 * with the index walk (the span is read, never freed through).
 *
 * Per-CPU rules: read and written by its own CPU, interrupts off.
 */
struct gomem_free_hint {
	unsigned long start;		/* the span's first object */
	unsigned long size;		/* nelems * elemsize: valid offsets are below */
	long gen;			/* gomem_span_gen when taken */
	struct gomem_span *span;
	struct gomem_class *cls;	/* its class */
	struct gomem_class *kcls;	/* the class if gomem_kfree() may free inline */
	u32 divmagic;			/* offset -> index: (offset * divmagic) >> 32 */
	u32 elemsize;
	u32 link_off;			/* the class's: where queued marks go */
};

extern struct gomem_free_hint __percpu *gomem_free_hints;
void gomem_free_hint_set_irqoff(struct gomem_span *s, long gen);

/* the span of @p, and the span generation read before the lookup */
static inline struct gomem_span *gomem_span_lookup_gen(const void *p, long *gen)
{
	*gen = atomic_long_read(&gomem_span_gen);
	smp_rmb();	/* the generation before the span map: see gomem_free_hint */
	return gomem_ptr_to_span(p);
}

/* the magazine's objects, oldest first */
static inline void **gomem_mag(struct gomem_mcache *mc)
{
	return &mc->slot[1];
}

/**
 * gomem_obj_queue() - the inline frees' double-free check
 * @p: the object
 * @off: its class's link offset
 *
 * Marks the object queued (span.h) with one atomic exchange. A mark
 * already there is a double free: the object sits in a cache since its
 * last free, whichever CPU's or node's, or back in its span (a free object
 * keeps its mark until it is handed out again). The full path decides
 * and reports it (gomem_class_free_irqoff()).
 *
 * Return: true when queued; false to take the full path (nothing done).
 */
static __always_inline bool gomem_obj_queue(const void *p, unsigned int off)
{
	return likely(!gomem_queued_test_and_set(p, off));
}

/**
 * gomem_alloc_hook() - what every allocation path does with its object
 * @cls: the object's class
 * @p: the object
 * @size: the bytes the caller may use, or a constant 0 for the class's objsize
 * @gfp: the caller's GFP flags (a fast path that excluded __GFP_ZERO
 *	passes them without it, so that the test folds away)
 * @plain: true when @cls is known to be a global class (no constructor,
 *	contents not kept): a constant, so the tests of those fold away
 *
 * kmemleak learns of the object (noscan classes are not scanned), and the
 * object is zeroed when the caller asked for it (__GFP_ZERO, refused for
 * classes with a constructor, whose objects are constructed) or
 * init_on_alloc wants it (except for classes whose free objects keep their
 * contents: constructed and typesafe-by-RCU ones). The zeroing is a tail
 * call, so that fast paths that return this need no stack frame.
 *
 * Return: @p.
 */
static __always_inline void *gomem_alloc_hook(struct gomem_class *cls, void *p,
					      unsigned int size, gfp_t gfp, const bool plain)
{
	kmemleak_alloc(p, size, 1, gfp);
	if (gomem_spanclass_noscan(cls->spanclass))
		kmemleak_no_scan(p);
	/*
	 * A constant @size 0 means the class's objsize, read only on the
	 * zeroing path (READ_ONCE() keeps the compiler from hoisting it above
	 * the init_on_alloc static branch onto the common path).
	 */
	if (unlikely(gfp & __GFP_ZERO) ? plain || !cls->ctor :
	    want_init_on_alloc(gfp) && (plain || !cls->keep_contents))
		return gomem_zero_obj(p, __builtin_constant_p(size) && !size ?
					 READ_ONCE(cls->objsize) : size);
	return p;
}

/*
 * The fast paths, inlined into the exported entry points: a magazine pop
 * (or one ctz in the CPU's span) to allocate, a magazine push to free.
 * Everything else (refills, flushes, other nodes, misuse, debug features)
 * falls through to the full paths in mcache.c. Interrupts are off inside.
 * Each operation counts itself once, with one per-CPU increment. @plain
 * (a constant) says @cls is a global class: its link offset, where a
 * queued object's mark is cleared, is 0 without a load.
 */
static __always_inline void *gomem_alloc_fast(struct gomem_class *cls, const bool plain)
{
	struct gomem_mcache *mc;
	unsigned long flags;
	unsigned int n;
	void *p;

	gomem_cpu_lock(flags);
	mc = this_cpu_ptr(cls->pcpu);
	n = mc->nmag;
	if (likely(n)) {
		p = mc->slot[n];
		gomem_queued_clear(p, plain ? 0 : READ_ONCE(cls->link_off));
		WRITE_ONCE(mc->nmag, n - 1);
	} else if (likely(mc->span)) {
		p = gomem_span_next_free_fast(mc->span);
		if (unlikely(!p))
			goto out;
		gomem_queued_clear(p, plain ? 0 : READ_ONCE(cls->link_off));
	} else {
		p = NULL;
		goto out;
	}
	gomem_count_inc(&mc->allocs);
out:
	gomem_cpu_unlock(flags);
	return p;
}

/*
 * The inline free's last steps: whether this CPU's magazine, holding @n
 * objects, takes one more (not full, and init_on_free does not want the
 * full path), and the push of an object gomem_obj_queue() marked.
 */
static __always_inline bool gomem_mag_room(struct gomem_mcache *mc, unsigned int n)
{
	return likely(n < mc->limit && !want_init_on_free());
}

static __always_inline void gomem_mag_push_irqoff(struct gomem_mcache *mc, unsigned int n,
						  const void *p)
{
	kmemleak_free(p);
	mc->slot[n + 1] = (void *)p;
	WRITE_ONCE(mc->nmag, n + 1);
	gomem_count_inc(&mc->frees);
}

/* what the inline free did with an object */
enum gomem_free_result {
	GOMEM_FREED,		/* freed */
	GOMEM_FREE_FULL,	/* declined: the full path decides (nothing done) */
	GOMEM_FREE_MISS,	/* the free hint missed: still inside the CPU section */
};

/*
 * Return: what was done. On GOMEM_FREE_MISS the CPU section is still held,
 * with @flagsp, and the caller hands it to gomem_free_indexed_unlock(): a
 * miss (frees that alternate between spans, other nodes' objects) costs
 * one section, not two. @any is true for gomem_kfree(), false for
 * gomem_cache_free(), whose cache's class is @want: a constant at each
 * call site, so one of the two class checks remains.
 */
static __always_inline enum gomem_free_result
gomem_free_fast(const bool any, struct gomem_class *want, const void *p, unsigned long *flagsp)
{
	struct gomem_free_hint *h;
	struct gomem_mcache *mc;
	struct gomem_class *cls;
	unsigned long flags, off;
	unsigned int idx, n;

	gomem_cpu_lock(flags);
	h = this_cpu_ptr(gomem_free_hints);
	off = (unsigned long)p - h->start;
	/* a miss takes gomem_free_indexed_unlock(), which points the hint here */
	if (unlikely(off >= h->size || h->gen != atomic_long_read(&gomem_span_gen))) {
		*flagsp = flags;
		return GOMEM_FREE_MISS;
	}
	/*
	 * Fast only for plain classes, freed through a matching entry point:
	 * the cache's own class, or kfree() of a shared class (a private
	 * class's objects freed by kfree() must be credited to their cache).
	 * Whatever is declined here, the indexed free would decline too (the
	 * same span, the same checks): it goes to the full path.
	 */
	if (!any) {
		cls = h->cls;
		if (unlikely(cls != want))
			goto full;
	} else {
		cls = h->kcls;
		if (unlikely(!cls))
			goto full;
	}
	idx = ((u64)(u32)off * h->divmagic) >> 32;
	if (unlikely(idx * h->elemsize != off))
		goto full;
	mc = this_cpu_ptr(cls->pcpu);
	n = mc->nmag;
	if (unlikely(!gomem_mag_room(mc, n)))
		goto full;
	/* kfree()'s classes are global ones: their link offset is 0 */
	if (unlikely(!gomem_obj_queue(p, any ? 0 : h->link_off)))
		goto full;
	gomem_mag_push_irqoff(mc, n, p);
	gomem_cpu_unlock(flags);
	return GOMEM_FREED;
full:
	gomem_cpu_unlock(flags);
	return GOMEM_FREE_FULL;
}

#endif /* _GOMEM_MCACHE_H */
