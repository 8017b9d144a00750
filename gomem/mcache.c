// SPDX-License-Identifier: GPL-2.0
/*
 * mcache: the per-CPU allocation and free paths (Go's mcache, one per CPU
 * and class here rather than one per P holding all classes).
 *
 * Allocation, fastest first:
 *   1. pop the CPU's magazine of recently freed objects (LIFO: cache-hot);
 *   2. gomem_span_next_free_fast() on the CPU's span (one ctz);
 *   3. refill: next 64-object window, else a magazine's worth from the
 *      node's transfer cache, else sweep the span under its mcentral lock,
 *      else a partial span, else a new span from the page heap.
 * Free: push on the magazine; when it is full, flush its older half to the
 * mcentral's transfer cache, or to the spans when that is full (one lock
 * round trip). Objects of another node bypass the magazine: they are
 * batched in mc->remote[] and go to their mcentrals GOMEM_REMOTE_MAX at a
 * time, the same way. See mcentral.c for the rules that make this safe.
 *
 * Per-CPU rules: locking.h. No atomic read-modify-write on the fast
 * paths. Refill with a GFP that may sleep re-enables interrupts around the
 * page-heap call and starts over on whichever CPU it then runs.
 *
 * Limits: a magazine holds at most GOMEM_MAG_MAX objects and GOMEM_MAG_BYTES
 * bytes, but always room for 2 objects (so 64 KiB for the 32 KiB class);
 * each CPU caches at most one span per class. Draining (drain.c: the
 * shrinker, gomem_cache_shrink(), hotplug, unload) empties both, through
 * gomem_mcache_drain_cpu().
 *
 * This file calls only mcentral.c, span.c and the leaves (stats, reports).
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/kmemleak.h>
#include <linux/nodemask.h>
#include <linux/random.h>
#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "report.h"
#include "stats.h"
#include "faultinject.h"
#include "debug.h"
#include "trace.h"

struct gomem_free_hint __percpu *gomem_free_hints;
/* the CPU section's lock: see locking.h */
DEFINE_PER_CPU(local_lock_t, gomem_cpu_llock) = INIT_LOCAL_LOCK(gomem_cpu_llock);

/**
 * gomem_mcache_init() - the CPU section's lock and the per-CPU free hints
 *
 * The lock is initialised again here, CPU by CPU: the loader copies a
 * module's per-CPU initialisers without applying their relocations, so
 * INIT_LOCAL_LOCK()'s lockdep name reaches each CPU as NULL and lockdep
 * reports name gomem's CPU section "(null)". local_lock_init() names it
 * "gomem_cpu_section". Nothing takes it before this (core.c's order).
 *
 * Return: 0 or -ENOMEM.
 */
int gomem_mcache_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		local_lock_t *gomem_cpu_section = per_cpu_ptr(&gomem_cpu_llock, cpu);

		local_lock_init(gomem_cpu_section);
	}
	gomem_free_hints = gomem_meta_alloc(alloc_percpu(struct gomem_free_hint));
	return gomem_free_hints ? 0 : -ENOMEM;
}

/**
 * gomem_mcache_exit() - free the per-CPU free hints
 */
void gomem_mcache_exit(void)
{
	free_percpu(gomem_free_hints);
	gomem_free_hints = NULL;
}

/**
 * gomem_free_hint_set_irqoff() - point this CPU's free hint at a span
 * @s: the span of an object just freed, found through the chunk index
 * @gen: gomem_span_gen as read before that lookup (see struct
 *	gomem_free_hint)
 *
 * Only a span of this node whose class allows the inline paths is taken.
 */
void gomem_free_hint_set_irqoff(struct gomem_span *s, long gen)
{
	struct gomem_free_hint *h = this_cpu_ptr(gomem_free_hints);
	struct gomem_class *cls = s->cls;

	gomem_assert_cpu_locked();

	if (!READ_ONCE(cls->fastpath) || s->node != numa_mem_id())
		return;
	h->start = (unsigned long)s->start;
	h->size = (unsigned long)s->nelems * s->elemsize;
	h->span = s;
	h->cls = cls;
	/* kfree() of a private or merged cache's object credits its cache */
	h->kcls = cls->cache || cls->tagged ? NULL : cls;
	h->divmagic = cls->divmagic;
	h->elemsize = cls->elemsize;
	h->link_off = cls->link_off;
	h->gen = gen;
}

/* this CPU's batch for other nodes, full or of another node, to its mcentral */
static noinline void remote_flush_irqoff(struct gomem_class *cls, struct gomem_mcache *mc)
{
	gomem_mcentral_flush_objs(cls, mc->remote, mc->nremote, mc->remote_node);
	WRITE_ONCE(mc->nremote, 0);
}

/*
 * Free an object of another node: into this CPU's batch for other nodes,
 * which goes to their mcentrals when it fills.
 */
static noinline void free_remote_irqoff(struct gomem_class *cls, struct gomem_mcache *mc,
					void *p, int node)
{
	unsigned int n;

	gomem_assert_cpu_locked();
	gomem_count_inc(&mc->frees);
	gomem_stat_add(GOMEM_STAT_REMOTE_NODE_FREES, 1);
	/* a batch holds one node's objects */
	if (unlikely(mc->nremote && mc->remote_node != node))
		remote_flush_irqoff(cls, mc);
	n = mc->nremote;
	mc->remote_node = node;
	mc->remote[n] = p;
	WRITE_ONCE(mc->nremote, n + 1);
	if (unlikely(n + 1 >= min_t(unsigned int, GOMEM_REMOTE_MAX, cls->mag_limit)))
		remote_flush_irqoff(cls, mc);
}

/**
 * gomem_zero_obj() - init_on_alloc's zeroing for the inline fast paths
 * @p: the object
 * @size: its usable size
 *
 * Out of line, and called last, so that the fast paths make it a tail call
 * and need no stack frame of their own.
 *
 * Return: @p.
 */
void *gomem_zero_obj(void *p, unsigned int size)
{
	return memset(p, 0, size);
}

/**
 * gomem_free_indexed_unlock() - the inline free, for a pointer the free
 *	hint missed
 * @want: the class of the cache named by gomem_cache_free(), or NULL for
 *	gomem_kfree()
 * @p: the object (NULL and ZERO_SIZE_PTR are declined)
 * @flags: the CPU section the inline free took (gomem_free_fast() returned
 *	GOMEM_FREE_MISS): called inside it, and leaves it
 *
 * Finds the span through the chunk index, makes the fast path's checks on
 * it, points this CPU's hint at it and pushes the object on the magazine,
 * or, for an object of another node, on this CPU's batch for other nodes.
 * Frees that alternate between spans (mixed sizes, long-lived objects) and
 * frees of other nodes' objects land here, one function call from the
 * inline path and in the same CPU section.
 *
 * Return: true when freed; false to take the full path (nothing done).
 */
bool gomem_free_indexed_unlock(struct gomem_class *want, const void *p, unsigned long flags)
{
	struct gomem_mcache *mc;
	struct gomem_class *cls;
	struct gomem_span *s;
	unsigned long off;
	unsigned int idx, n;
	long gen;

	gomem_assert_cpu_locked();
	s = gomem_span_lookup_gen(p, &gen);
	if (unlikely(!s || READ_ONCE(s->state) != GOMEM_SPAN_SMALL))
		goto slow;
	cls = s->cls;
	if (unlikely(!READ_ONCE(cls->fastpath) ||
		     (want ? cls != want : cls->cache || cls->tagged)))
		goto slow;
	off = (unsigned long)p - (unsigned long)s->start;
	idx = gomem_class_obj_index(cls, off);
	if (unlikely(idx * cls->elemsize != off || idx >= s->nelems))
		goto slow;
	mc = this_cpu_ptr(cls->pcpu);
	if (unlikely(s->node != numa_mem_id())) {
		/* another node's object: its batch, as the full path would */
		if (want_init_on_free())
			goto slow;
		if (unlikely(!gomem_obj_queue(p, cls->link_off)))
			goto slow;
		kmemleak_free(p);
		free_remote_irqoff(cls, mc, (void *)p, s->node);
	} else {
		n = mc->nmag;
		if (unlikely(!gomem_mag_room(mc, n)))
			goto slow;
		if (unlikely(!gomem_obj_queue(p, cls->link_off)))
			goto slow;
		gomem_mag_push_irqoff(mc, n, p);
		gomem_free_hint_set_irqoff(s, gen);
	}
	gomem_cpu_unlock(flags);
	return true;
slow:
	gomem_cpu_unlock(flags);
	return false;
}

/* off by default: it costs a refill from a fresh span ~60 instructions per object */
bool gomem_random_order;

/*
 * A fresh span's first objects, in a random order (the goal of
 * SLAB_FREELIST_RANDOM: which object comes next, and so an object's
 * neighbours, cannot be predicted). Go's span hands objects out in index
 * order (every object below freeindex is allocated: mcentral.c relies on
 * it), so the order is shuffled where it costs the fast path nothing: the
 * magazine. A refill that had to make a new span takes a magazine's worth
 * of its objects in index order, shuffles them (Fisher-Yates, one random
 * seed per fill, xorshift steps), marks them queued as magazine objects are
 * (span.h) and hands out the last; the magazine pops the rest. Only fresh
 * spans: objects freed later come back in LIFO order, as SLUB's freelist
 * randomisation applies to new slabs only. Documentation/debugging.rst.
 */
static void *mag_fill_shuffled_irqoff(struct gomem_class *cls, struct gomem_mcache *mc,
				      struct gomem_span *s)
{
	void **objs = gomem_mag(mc), *p;
	unsigned int n = 0, i, j;
	u64 x;

	while (n < mc->limit) {
		p = gomem_span_next_free(s);
		if (!p)
			break;
		objs[n++] = p;
	}
	if (n < 2)
		return n ? objs[0] : NULL;
	x = get_random_u64() | 1;
	for (i = n - 1; i > 0; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (u32)x % (i + 1);
		swap(objs[i], objs[j]);
	}
	for (i = 0; i < n - 1; i++)
		WRITE_ONCE(*gomem_queued_word(objs[i], cls->link_off), gomem_queued_mark(objs[i]));
	WRITE_ONCE(mc->nmag, n - 1);
	return objs[n - 1];
}

static void *refill_irqoff(struct gomem_class *cls, gfp_t gfp, unsigned long *flags)
{
	struct gomem_mcache *mc = this_cpu_ptr(cls->pcpu);
	int node = numa_mem_id(), cpu = smp_processor_id();
	bool unlock = gfpflags_allow_blocking(gfp) || IS_ENABLED(CONFIG_PREEMPT_RT);
	struct gomem_span *s;
	unsigned int n;
	void *p;

	gomem_assert_cpu_locked();
	if (mc->span) {
		p = gomem_span_next_free(mc->span);
		if (p)
			return p;
	}
	gomem_count(&mc->refills, 1);
	/* objects other CPUs flushed: a magazine's worth, before any sweep */
	if (READ_ONCE(cls->fastpath)) {
		n = gomem_mcentral_take_objs(cls, node, gomem_mag(mc), mc->limit);
		if (n) {
			WRITE_ONCE(mc->nmag, n - 1);
			p = gomem_mag(mc)[n - 1];
			gomem_queued_clear(p, cls->link_off);
			return p;
		}
	}
	s = gomem_mcentral_cache_span(cls, node, mc->span, cpu);
	mc->span = s;
	if (s) {
		p = gomem_span_next_free(s);
		if (likely(p))
			return p;
	}
	/* nothing partial: a new span, outside the CPU section (locking.h) */
	if (unlock)
		gomem_cpu_unlock(*flags);
	s = gomem_mcentral_new_span(cls, node, gfp);
	if (unlock)
		gomem_cpu_lock(*flags);
	if (!s)
		return NULL;
	mc = this_cpu_ptr(cls->pcpu);
	if (mc->span) {
		/* we moved, or an interrupt refilled: leave ours to the class */
		gomem_mcentral_add_span(cls, s);
		return ERR_PTR(-EAGAIN);
	}
	gomem_mcentral_adopt_span(cls, s, smp_processor_id());
	mc->span = s;
	/* (a refill that slept may have moved to a CPU whose magazine is not empty) */
	if (READ_ONCE(gomem_random_order) && !mc->nmag)
		return mag_fill_shuffled_irqoff(cls, mc, s);
	return gomem_span_next_free(s);
}

/**
 * gomem_mcache_alloc_irqoff() - allocate from this CPU's mcache
 * @cls: the class
 * @gfp: allocation context
 * @flags: the caller's saved interrupt state (interrupts are off; a refill
 *	that may sleep re-enables them meanwhile)
 *
 * Return: an object, or NULL.
 */
void *gomem_mcache_alloc_irqoff(struct gomem_class *cls, gfp_t gfp, unsigned long *flags)
{
	struct gomem_mcache *mc;
	void *p;

	gomem_assert_cpu_locked();
again:
	mc = this_cpu_ptr(cls->pcpu);
	if (likely(mc->nmag)) {
		p = mc->slot[mc->nmag];
		gomem_queued_clear(p, cls->link_off);
		WRITE_ONCE(mc->nmag, mc->nmag - 1);	/* stats.c reads it */
	} else {
		p = likely(mc->span) ? gomem_span_next_free_fast(mc->span) : NULL;
		if (likely(p)) {
			gomem_queued_clear(p, cls->link_off);
		} else {
			p = refill_irqoff(cls, gfp, flags);
			if (IS_ERR(p))
				goto again;
			if (unlikely(!p))
				return NULL;
			mc = this_cpu_ptr(cls->pcpu);
		}
	}
	gomem_count(&mc->allocs, 1);
	return p;
}

/* a full magazine: its older half (at least one object) to the mcentral */
static void mag_flush_half_irqoff(struct gomem_class *cls, struct gomem_mcache *mc)
{
	unsigned int half = max(1U, mc->nmag / 2);

	gomem_count(&mc->flushes, 1);
	/* a magazine holds objects of this CPU's node only */
	gomem_mcentral_flush_objs(cls, gomem_mag(mc), half, numa_mem_id());
	WRITE_ONCE(mc->nmag, mc->nmag - half);
	memmove(gomem_mag(mc), gomem_mag(mc) + half, mc->nmag * sizeof(void *));
}

/* free to this CPU's mcache: the magazine, or the batch for other nodes */
static void free_irqoff(struct gomem_class *cls, struct gomem_span *s, void *p)
{
	struct gomem_mcache *mc = this_cpu_ptr(cls->pcpu);

	if (gomem_tracing_on()) {	/* to its span: no magazine fills (trace.c) */
		gomem_count(&mc->frees, 1);
		gomem_mcentral_free_objs(cls, &p, 1);
		return;
	}
	if (unlikely(s->node != numa_mem_id())) {
		free_remote_irqoff(cls, mc, p, s->node);
		return;
	}
	gomem_count(&mc->frees, 1);
	if (unlikely(mc->nmag >= cls->mag_limit))
		mag_flush_half_irqoff(cls, mc);
	mc->slot[mc->nmag + 1] = p;
	WRITE_ONCE(mc->nmag, mc->nmag + 1);
}

/* init_on_free: zero a freed object, all but its queued mark (span.h) */
static void zero_freed(struct gomem_class *cls, char *p)
{
	unsigned int off = cls->link_off, end = off + sizeof(unsigned long);

	if (off >= cls->objsize) {
		memset(p, 0, cls->objsize);
		return;
	}
	memset(p, 0, off);
	memset(p + end, 0, cls->objsize - end);
}

/**
 * gomem_mcache_alloc_run_irqoff() - the bulk allocation's fast part
 * @cls: a class with the inline paths (cls->fastpath)
 * @objs: where to put the objects
 * @n: at most this many
 *
 * Takes objects from this CPU's magazine, newest first, then from its
 * span's current 64-object window, clearing each one's queued mark, and
 * counts them once. Stops when both run dry: the caller allocates the next
 * object with gomem_mcache_alloc_irqoff() (a refill) and comes back.
 *
 * Return: the number of objects taken, possibly 0.
 */
unsigned int gomem_mcache_alloc_run_irqoff(struct gomem_class *cls, void **objs, unsigned int n)
{
	struct gomem_mcache *mc = this_cpu_ptr(cls->pcpu);
	unsigned int i, k = min(n, mc->nmag), off = cls->link_off;
	void *p;

	gomem_assert_cpu_locked();
	for (i = 0; i < k; i++) {
		p = mc->slot[mc->nmag - i];
		gomem_queued_clear(p, off);
		objs[i] = p;
	}
	WRITE_ONCE(mc->nmag, mc->nmag - k);
	if (mc->span) {
		for (; i < n; i++) {
			p = gomem_span_next_free_fast(mc->span);
			if (!p)
				break;
			gomem_queued_clear(p, off);
			objs[i] = p;
		}
	}
	gomem_count(&mc->allocs, i);
	return i;
}

/**
 * gomem_mcache_free_run() - the bulk free's fast part
 * @cls: the class of the cache the caller named
 * @objs: the objects
 * @n: how many
 *
 * Frees objects of this node's spans of @cls into this CPU's magazine, as
 * the inline free does (the free hint, the queued mark), flushing half of
 * the magazine whenever it fills, in one CPU section of at most
 * GOMEM_MAG_MAX objects. Stops at the first object it does not take
 * (another node, class or span state, an interior pointer, a double free,
 * init_on_free, or a class without the inline paths): the caller frees
 * that one with gomem_cache_free() and comes back.
 *
 * Return: the number of objects freed, from the start of @objs.
 */
unsigned int gomem_mcache_free_run(struct gomem_class *cls, void **objs, unsigned int n)
{
	struct gomem_free_hint *h;
	struct gomem_mcache *mc;
	struct gomem_span *s;
	unsigned long flags, off;
	unsigned int i, idx;
	long gen;
	void *p;

	if (!READ_ONCE(cls->fastpath) || want_init_on_free())
		return 0;
	n = min_t(unsigned int, n, GOMEM_MAG_MAX);
	gomem_cpu_lock(flags);
	mc = this_cpu_ptr(cls->pcpu);
	h = this_cpu_ptr(gomem_free_hints);
	for (i = 0; i < n; i++) {
		p = objs[i];
		off = (unsigned long)p - h->start;
		if (unlikely(off >= h->size || h->cls != cls ||
			     h->gen != atomic_long_read(&gomem_span_gen))) {
			/* the chunk index; the hint then points at this span */
			s = gomem_span_lookup_gen(p, &gen);
			if (!s || READ_ONCE(s->state) != GOMEM_SPAN_SMALL || s->cls != cls ||
			    s->node != numa_mem_id())
				break;
			gomem_free_hint_set_irqoff(s, gen);
			off = (unsigned long)p - h->start;
			if (unlikely(off >= h->size))
				break;
		}
		idx = ((u64)(u32)off * h->divmagic) >> 32;
		if (unlikely(idx * h->elemsize != off))
			break;
		if (unlikely(!gomem_obj_queue(p, cls->link_off)))
			break;
		kmemleak_free(p);
		if (unlikely(mc->nmag >= mc->limit))
			mag_flush_half_irqoff(cls, mc);
		mc->slot[mc->nmag + 1] = p;
		WRITE_ONCE(mc->nmag, mc->nmag + 1);
	}
	gomem_count(&mc->frees, i);
	gomem_cpu_unlock(flags);
	return i;
}

/**
 * gomem_class_alloc() - allocate one object of a class
 * @cls: the class
 * @gfp: allocation context
 * @node: NUMA node, or NUMA_NO_NODE
 *
 * Return: the object, or NULL.
 */
void *gomem_class_alloc(struct gomem_class *cls, gfp_t gfp, int node)
{
	unsigned long flags;
	void *p;

	/*
	 * Without the inline paths (fastpath, class.h): a kmalloc class under
	 * gomem.debug= and debug classes (debug.c), or every class while the
	 * tracepoints are on (trace.c): no magazine or cached span is filled,
	 * one object from a span under its mcentral lock
	 */
	if (unlikely(!READ_ONCE(cls->fastpath))) {
		if (cls->redirect)
			cls = cls->redirect;
		if (node == NUMA_NO_NODE || !gomem_node_valid(node) || !node_state(node, N_MEMORY))
			node = numa_mem_id();
		if (cls->debug) {
			p = gomem_debug_alloc(cls, gfp, node);
			goto out;
		}
		goto central;
	}
	if (unlikely(gfp & __GFP_THISNODE) && node == NUMA_NO_NODE)
		node = numa_mem_id();
	/* another node, or one that must be exact: the central lists */
	if (unlikely(node != NUMA_NO_NODE && (node != numa_mem_id() || (gfp & __GFP_THISNODE))) &&
	    gomem_node_valid(node) && node_state(node, N_MEMORY))
		goto central;
	gomem_cpu_lock(flags);
	p = gomem_mcache_alloc_irqoff(cls, gfp, &flags);
	gomem_cpu_unlock(flags);
out:
	if (unlikely(!p)) {
		gomem_stat_add(GOMEM_STAT_FAILED_ALLOCS, 1);
		return NULL;
	}
	return gomem_alloc_hook(cls, p, cls->objsize, gfp, false);
central:
	p = gomem_mcentral_alloc_node(cls, node, gfp);
	if (p) {
		gomem_cpu_lock(flags);
		gomem_count(&this_cpu_ptr(cls->pcpu)->allocs, 1);
		gomem_cpu_unlock(flags);
	}
	goto out;
}

/**
 * gomem_class_free_irqoff() - free one object of a class
 * @cls: the class
 * @s: the object's span
 * @p: the object (checked to be the start of an object)
 * @ip: the caller, for reports
 *
 * Return: false when the free was refused (a double free seen at once).
 */
bool gomem_class_free_irqoff(struct gomem_class *cls, struct gomem_span *s, void *p,
			     unsigned long ip)
{
	unsigned int idx;

	gomem_assert_cpu_locked();
	/*
	 * Every double free, wherever its first copy is (mcentral.c): its
	 * mark, which it keeps in a cache and back in its span; then, for a
	 * first copy whose mark a write after free wiped, or a stray pointer,
	 * whether the span has the object free (decided under the mcentral
	 * lock when the lock-free look says it may be: a sweep may be in
	 * progress). The inline frees leave that second look to this path.
	 */
	if (WARN_ON_ONCE(!gomem_span_obj_index(s, p, &idx)))
		return false;
	if (unlikely(gomem_queued_test_and_set(p, cls->link_off))) {
		gomem_stat_add(GOMEM_STAT_DOUBLE_FREES, 1);
		gomem_report_bad_free(gomem_class_name(cls), p, ip, "double free");
		return false;
	}
	if (unlikely(idx >= READ_ONCE(s->freeindex) && !test_bit(idx, s->alloc_bits))) {
		/* free in its span: the mark stays, as free objects may keep it */
		if (gomem_mcentral_obj_free(cls, s, idx)) {
			gomem_stat_add(GOMEM_STAT_DOUBLE_FREES, 1);
			gomem_report_bad_free(gomem_class_name(cls), p, ip, "double free");
			return false;
		}
	}
	if (!cls->tiny)		/* tiny objects are kmemleak's, not their blocks */
		kmemleak_free(p);
	if (want_init_on_free() && !cls->keep_contents)
		zero_freed(cls, p);
	free_irqoff(cls, s, p);
	return true;
}

/**
 * gomem_mcache_drain_cpu() - empty one CPU's mcache of a class
 * @cls: the class
 * @cpu: the current CPU, or a dead one; interrupts off either way
 *
 * The magazine and the batch for other nodes go to their spans, and the
 * cached span goes back to its mcentral.
 */
void gomem_mcache_drain_cpu(struct gomem_class *cls, int cpu)
{
	struct gomem_mcache *mc = per_cpu_ptr(cls->pcpu, cpu);
	struct gomem_span *s;

	gomem_assert_cpu_locked();
	if (mc->nmag) {
		gomem_mcentral_free_objs(cls, gomem_mag(mc), mc->nmag);
		WRITE_ONCE(mc->nmag, 0);
	}
	if (mc->nremote) {
		gomem_mcentral_free_objs(cls, mc->remote, mc->nremote);
		WRITE_ONCE(mc->nremote, 0);
	}
	s = mc->span;
	if (s) {
		mc->span = NULL;
		gomem_mcentral_uncache_span(cls, s);
	}
}
