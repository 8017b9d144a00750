// SPDX-License-Identifier: GPL-2.0
/*
 * mcentral: one NUMA node's spans of one class, and explicit free.
 *
 * Go never frees explicitly: its GC marks, then sweeps each span, turning
 * the mark bits into the next allocBits. gomem frees explicitly, from any
 * CPU, in any context, without a global lock. This file owns the rules.
 *
 * Span states (the span's node's mcentral lock protects the transitions):
 *
 *   cached    owned by one CPU's mcache (s->cpu >= 0), on no list
 *   partial   uncached, 0 < alloc_count < nelems
 *   full      uncached, alloc_count == nelems
 *   empty     uncached, alloc_count == 0: a fresh span a refill that slept
 *             could not use (gomem_mcentral_add_span()), or a span whose
 *             last object was freed while the list held fewer than
 *             keep_empty() spans (SLUB's min_partial: the larger of
 *             GOMEM_KEEP_EMPTY_MIN spans and GOMEM_KEEP_EMPTY_BYTES per
 *             class and node); past that it goes back to the page heap at
 *             once. Refills take an empty span when no partial one is left,
 *             before asking the page heap; the shrinker and gomem_shrink_all()
 *             (cache shrink and destroy, "shrink" in /proc/gomem, unload)
 *             give empty spans back (gomem_mcentral_release_empty())
 *
 * Who may touch what:
 *  - The owning CPU, with interrupts off, allocates from a cached span with
 *    no lock: freeindex, alloc_cache, alloc_count are its alone (others
 *    only read freeindex, in the double-free check, so it is written with
 *    WRITE_ONCE()). It never sets alloc_bits while allocating: every
 *    object below freeindex counts as allocated (Go's rule).
 *  - Everybody else changes a span only under its mcentral lock:
 *      * a free into an uncached span clears the object's alloc bit at once
 *        (a clear bit is a double free: reported, refused), moves a full span
 *        to partial, and gives a span whose last object was freed back to
 *        the page heap;
 *      * a free into a cached span (its owner may be allocating right now)
 *        sets the object's bit in s->remote_bits, to be applied by the
 *        owner's next sweep (a bit already set is a double free).
 *  - Sweeping: when its span runs out, the owner takes the lock and sweeps:
 *    alloc_bits gets the objects below freeindex set (they were allocated),
 *    then every pending remote free clears its bit (or is reported as a
 *    double free), and freeindex restarts at 0. A span that still has a
 *    free object stays cached; otherwise it goes to the full list and the
 *    owner takes a partial span. Uncaching (CPU hotplug, draining) sweeps
 *    the same way. So a span is swept before it is handed out again, and no
 *    free is lost: it is either applied under the lock or queued on a span
 *    whose owner will apply it under the lock.
 *
 * Frees reach an mcentral in batches: a CPU keeps recently freed objects in
 * its mcache's magazine (mcache.c) and flushes half of it here when it
 * fills, one lock round trip per batch. Objects of another node wait in a
 * per-CPU batch and come here GOMEM_REMOTE_MAX at a time, so magazines hold
 * local memory only.
 *
 * The transfer cache (tcmalloc's TransferCache, and Bonwick's magazine
 * depot): a flushed batch is first kept whole, as pointers, in its node's
 * mcentral, up to GOMEM_XFER_MAGS magazines' worth; a CPU whose magazine
 * and span have run dry takes a magazine's worth back before it sweeps or
 * takes another span. When one CPU allocates and another frees (a producer
 * and a consumer, or an object passed across nodes), each batch costs one
 * lock round trip and a copy on each side, instead of a per-object index
 * walk and remote-free push on one side and a per-object sweep on the
 * other. Objects in the transfer cache are free for the callers but still
 * allocated for their spans (bits set, counted in alloc_count), as objects
 * in magazines are. The flush paths of classes that check frees strictly
 * (poison, tiny) skip it, and draining (shrinker, gomem_drain_all(),
 * destroy) frees it to the spans.
 *
 * Locking: the mcentral lock is irq-safe; its place in the order is in
 * locking.h. Functions that take it with plain spin_lock() require
 * interrupts off (the mcache paths) and assert it; the rest use the irqsave
 * form. This file calls only span.c and the page heap (mheap.c).
 */
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/bitops.h>
#include <linux/rcupdate.h>
#include "cache.h"
#include "mcentral.h"
#include "mheap.h"
#include "report.h"
#include "stats.h"
#include "faultinject.h"

static void span_release_rcu(struct rcu_head *head)
{
	gomem_heap_put_span(container_of(head, struct gomem_span, rcu));
}

/*
 * An empty span goes back to the page heap, which may keep it hot for the
 * next span of its size (mheap.c); after a grace period for a
 * typesafe-by-RCU class, whose readers may still be looking at its objects.
 */
static void span_release(struct gomem_class *cls, struct gomem_span *s)
{
	if (cls->rcu)
		call_rcu(&s->rcu, span_release_rcu);
	else
		gomem_heap_put_span(s);
}

/* Release empty spans chained through list.next; returns how many. */
static unsigned long release_chain(struct gomem_class *cls, struct gomem_span *empty)
{
	unsigned long n = 0;
	struct gomem_span *s;

	while (empty) {
		s = empty;
		empty = (struct gomem_span *)s->list.next;
		span_release(cls, s);
		n++;
	}
	return n;
}

/*
 * How many empty spans a class keeps per node: without them a class whose
 * spans hold few objects (4 KiB: two per 8 KiB span) would take a page-heap
 * round trip per span at every bulk free and allocation past the magazine
 * and the transfer cache.
 */
static unsigned long keep_empty(const struct gomem_span *s)
{
	return max_t(unsigned long, GOMEM_KEEP_EMPTY_MIN,
		     GOMEM_KEEP_EMPTY_BYTES / ((unsigned long)s->npages << GOMEM_PAGE_SHIFT));
}

/*
 * A span whose last object was freed (off every list, under the lock):
 * true when the caller must give it back to the page heap, false when it
 * stays on the empty list for the next refill.
 */
static bool keep_or_free_locked(struct gomem_mcentral *c, struct gomem_span *s)
{
	lockdep_assert_held(&c->lock);
	if (c->nr_empty < keep_empty(s)) {
		list_add(&s->list, &c->empty);
		WRITE_ONCE(c->nr_empty, c->nr_empty + 1);
		return false;
	}
	c->spans_freed++;
	return true;
}

/*
 * A double free found at a flush or sweep: it was counted as a free when
 * the magazine took it; take that back, so that in use = allocs - frees.
 */
static void double_free_found(struct gomem_class *cls, void *p)
{
	/* one instruction: may run outside the CPU section (drain_xfer) */
	this_cpu_sub(cls->pcpu->frees, 1);
	if (cls->cache_counts)	/* a private class: its cache counted it too */
		this_cpu_dec(cls->cache_counts->frees);
	gomem_stat_add(GOMEM_STAT_DOUBLE_FREES, 1);
	gomem_report_bad_free(gomem_class_name(cls), p, 0, "double free");
}

/*
 * Free one object to its span. Returns true when the span became empty,
 * was taken off its list and not kept on the empty list (the caller
 * releases it).
 */
static bool free_locked(struct gomem_class *cls, struct gomem_mcentral *c,
			struct gomem_span *s, void *p)
{
	unsigned int idx;

	lockdep_assert_held(&c->lock);
	if (unlikely(!gomem_span_obj_index(s, p, &idx))) {
		gomem_report_bad_free(gomem_class_name(cls), p, 0, "not the start of an object");
		return false;
	}
	if (s->cpu >= 0) {
		/* pending until the owner sweeps; the object keeps its mark */
		if (unlikely(__test_and_set_bit(idx, s->remote_bits)))
			double_free_found(cls, p);
		else
			s->remote_count++;
		return false;
	}
	/* back in the span, keeping its mark until it is handed out again */
	if (unlikely(!gomem_span_bit_test_and_clear(s, idx))) {
		double_free_found(cls, p);
		return false;
	}
	if (s->alloc_count == s->nelems) {
		list_move(&s->list, &c->partial);
		c->nr_full--;
		c->nr_partial++;
		c->partial_objs += s->nelems;
	}
	c->partial_objs--;
	if (--s->alloc_count)
		return false;
	list_del(&s->list);
	c->nr_partial--;
	return keep_or_free_locked(c, s);
}

/* Apply the owner's allocations and the pending remote frees */
static void sweep_locked(struct gomem_class *cls, struct gomem_mcentral *c,
			 struct gomem_span *s)
{
	unsigned int idx;

	lockdep_assert_held(&c->lock);

	/* the owner's allocations first, then freeindex 0, then the remote frees */
	if (s->freeindex)
		gomem_span_bits_set_below(s, s->freeindex);
	WRITE_ONCE(s->freeindex, 0);
	s->alloc_cache = 0;
	if (!s->remote_count)
		return;
	for_each_set_bit(idx, s->remote_bits, s->nelems) {
		if (unlikely(!gomem_span_bit_test_and_clear(s, idx)))
			double_free_found(cls, (char *)s->start + idx * s->elemsize);
		else
			s->alloc_count--;
	}
	bitmap_zero(s->remote_bits, s->nelems);
	s->remote_count = 0;
}

/* the first partial span, else an empty one, off its list; or NULL */
static struct gomem_span *take_span_locked(struct gomem_mcentral *c)
{
	struct gomem_span *s;

	lockdep_assert_held(&c->lock);
	s = list_first_entry_or_null(&c->partial, struct gomem_span, list);
	if (s) {
		c->nr_partial--;
		c->partial_objs -= s->alloc_count;
	} else {
		s = list_first_entry_or_null(&c->empty, struct gomem_span, list);
		if (!s)
			return NULL;
		WRITE_ONCE(c->nr_empty, c->nr_empty - 1);
	}
	list_del_init(&s->list);
	return s;
}

/**
 * gomem_mcentral_cache_span() - sweep an exhausted span, or replace it
 * @cls: the class
 * @node: node to take a new span from
 * @old: the CPU's exhausted span, or NULL
 * @cpu: the owning CPU
 *
 * Context: interrupts off. When sweeping @old frees an object, @old stays cached
 * and is returned; otherwise @old goes to its full list and a partial span
 * of @node, if any, becomes the CPU's.
 *
 * Return: the span to allocate from, or NULL when @node has no partial span.
 */
struct gomem_span *gomem_mcentral_cache_span(struct gomem_class *cls, int node,
					     struct gomem_span *old, int cpu)
{
	struct gomem_mcentral *c;
	struct gomem_span *s;

	gomem_assert_cpu_locked();
	if (old) {
		c = &cls->central[old->node];
		spin_lock(&c->lock);
		sweep_locked(cls, c, old);
		if (old->alloc_count < old->nelems) {
			spin_unlock(&c->lock);
			return old;
		}
		smp_store_release(&old->cpu, -1);	/* after the sweep set its bits */
		list_add(&old->list, &c->full);
		c->nr_full++;
		c->nr_cached--;
		spin_unlock(&c->lock);
	}
	c = &cls->central[node];
	spin_lock(&c->lock);
	s = take_span_locked(c);
	if (s) {
		c->nr_cached++;
		WRITE_ONCE(s->cpu, cpu);
		WRITE_ONCE(s->freeindex, 0);
		s->alloc_cache = 0;
	}
	spin_unlock(&c->lock);
	return s;
}

/**
 * gomem_mcentral_adopt_span() - make a fresh span a CPU's
 * @cls: the class
 * @s: a span from gomem_mcentral_new_span()
 * @cpu: the owning CPU
 *
 * Context: interrupts off.
 */
void gomem_mcentral_adopt_span(struct gomem_class *cls, struct gomem_span *s, int cpu)
{
	struct gomem_mcentral *c = &cls->central[s->node];

	gomem_assert_cpu_locked();
	spin_lock(&c->lock);
	WRITE_ONCE(s->cpu, cpu);
	c->nr_cached++;
	spin_unlock(&c->lock);
}

/**
 * gomem_mcentral_uncache_span() - take a span away from its CPU
 * @cls: the class
 * @s: the span (its CPU is offline, or is the current one with interrupts
 *	off)
 */
void gomem_mcentral_uncache_span(struct gomem_class *cls, struct gomem_span *s)
{
	struct gomem_mcentral *c = &cls->central[s->node];
	unsigned long flags;
	bool empty = false;

	spin_lock_irqsave(&c->lock, flags);
	sweep_locked(cls, c, s);
	smp_store_release(&s->cpu, -1);	/* after the sweep set its bits */
	c->nr_cached--;
	if (!s->alloc_count) {
		empty = keep_or_free_locked(c, s);
	} else if (s->alloc_count == s->nelems) {
		list_add(&s->list, &c->full);
		c->nr_full++;
	} else {
		list_add(&s->list, &c->partial);
		c->nr_partial++;
		c->partial_objs += s->alloc_count;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty)
		span_release(cls, s);
}

/**
 * gomem_mcentral_obj_free() - whether an object is free in its span
 * @cls: its class
 * @s: its span
 * @idx: its index
 *
 * The double-free check's last word (gomem_class_free_irqoff()), under the span's
 * mcentral lock, which no sweep holds meanwhile: the owner has not
 * allocated that far (freeindex, 0 in an uncached span, which only the
 * owner advances: a caller that got the object from the owner sees its
 * advance) and the object's alloc bit is clear.
 *
 * Context: interrupts off.
 * Return: true when the object is free in its span.
 */
bool gomem_mcentral_obj_free(struct gomem_class *cls, struct gomem_span *s, unsigned int idx)
{
	struct gomem_mcentral *c = &cls->central[s->node];
	bool free;

	gomem_assert_cpu_locked();
	spin_lock(&c->lock);
	free = idx >= READ_ONCE(s->freeindex) && !test_bit(idx, s->alloc_bits);
	spin_unlock(&c->lock);
	return free;
}

/**
 * gomem_mcentral_free_objs() - free a batch of objects to their spans
 * @cls: their class
 * @objs: the objects (any nodes; runs of one node share a lock round trip)
 * @n: how many
 *
 * Callable with interrupts on or off. Spans left empty go back to the page
 * heap after the lock is dropped.
 */
void gomem_mcentral_free_objs(struct gomem_class *cls, void **objs, unsigned int n)
{
	struct gomem_span *s, *empty = NULL;
	struct gomem_mcentral *c;
	unsigned long flags;
	unsigned int i = 0;
	int node;

	while (i < n) {
		/* one lock round trip per run of objects of one node */
		s = gomem_ptr_to_span(objs[i]);
		node = s->node;
		c = &cls->central[node];
		spin_lock_irqsave(&c->lock, flags);
		for (; i < n; i++) {
			/* a batch's neighbours share spans: the chunk index only on a change */
			if ((unsigned long)objs[i] - (unsigned long)s->start >=
			    (unsigned long)s->npages << GOMEM_PAGE_SHIFT)
				s = gomem_ptr_to_span(objs[i]);
			if (s->node != node)
				break;
			if (free_locked(cls, c, s, objs[i])) {
				/* chain empty spans through their list field */
				s->list.next = (struct list_head *)empty;
				empty = s;
			}
		}
		spin_unlock_irqrestore(&c->lock, flags);
	}
	release_chain(cls, empty);
}

/* the transfer cache's capacity for a class */
static unsigned int xfer_max(struct gomem_class *cls)
{
	return min_t(unsigned int, GOMEM_XFER_MAGS * cls->mag_limit, GOMEM_XFER_MAX);
}

/**
 * gomem_mcentral_flush_objs() - a CPU's flushed batch, to the transfer cache
 * @cls: their class
 * @objs: the objects, all of @node, each marked queued
 * @n: how many
 * @node: their node
 *
 * The batch goes whole to @node's transfer cache when it fits there, else
 * to its spans (gomem_mcentral_free_objs()). Classes without the fast paths
 * (poison, tiny) always free to the spans, where every free is checked.
 * Callable with interrupts on or off.
 */
void gomem_mcentral_flush_objs(struct gomem_class *cls, void **objs, unsigned int n, int node)
{
	struct gomem_mcentral *c = &cls->central[node];
	unsigned int max = xfer_max(cls);
	unsigned long flags;

	/* a full transfer cache costs no extra lock round trip */
	if (cls->fastpath && READ_ONCE(c->nxfer) + n <= max) {
		spin_lock_irqsave(&c->lock, flags);
		if (likely(c->nxfer + n <= max)) {
			memcpy(&c->xfer[c->nxfer], objs, n * sizeof(void *));
			WRITE_ONCE(c->nxfer, c->nxfer + n);
			spin_unlock_irqrestore(&c->lock, flags);
			return;
		}
		spin_unlock_irqrestore(&c->lock, flags);
	}
	gomem_mcentral_free_objs(cls, objs, n);
}

/* the top @max objects of @c's transfer cache, into @objs */
static unsigned int xfer_take(struct gomem_mcentral *c, void **objs, unsigned int max,
			      bool for_cpu)
{
	unsigned long flags;
	unsigned int k;

	if (!READ_ONCE(c->nxfer))
		return 0;
	spin_lock_irqsave(&c->lock, flags);
	k = min(c->nxfer, max);
	memcpy(objs, &c->xfer[c->nxfer - k], k * sizeof(void *));
	WRITE_ONCE(c->nxfer, c->nxfer - k);
	if (for_cpu)
		WRITE_ONCE(c->xfer_taken, c->xfer_taken + k);
	spin_unlock_irqrestore(&c->lock, flags);
	return k;
}

/**
 * gomem_mcentral_take_objs() - refill a magazine from the transfer cache
 * @cls: the class
 * @node: the node whose objects to take
 * @objs: where to put them (they stay marked queued)
 * @max: at most this many
 *
 * Takes the most recently flushed objects (the warmest). Callable with
 * interrupts on or off.
 *
 * Return: the number of objects taken, 0 when the transfer cache is empty.
 */
unsigned int gomem_mcentral_take_objs(struct gomem_class *cls, int node, void **objs,
				      unsigned int max)
{
	return xfer_take(&cls->central[node], objs, max, true);
}

/**
 * gomem_mcentral_transferred() - objects CPUs took from a class's transfer
 *	caches
 * @cls: the class
 *
 * Return: the cumulative count, over every node.
 */
unsigned long gomem_mcentral_transferred(struct gomem_class *cls)
{
	unsigned long n = 0;
	int node;

	for (node = 0; node < nr_node_ids; node++)
		n += READ_ONCE(cls->central[node].xfer_taken);
	return n;
}

/**
 * gomem_mcentral_drain_xfer() - free a class's transfer caches to the spans
 * @cls: the class
 *
 * Context: any context without gomem locks.
 * Return: the number of objects freed.
 */
unsigned long gomem_mcentral_drain_xfer(struct gomem_class *cls)
{
	void *objs[GOMEM_MAG_MAX];	/* a magazine's worth per lock round trip */
	unsigned long done = 0;
	unsigned int k;
	int node;

	for (node = 0; node < nr_node_ids; node++) {
		while ((k = xfer_take(&cls->central[node], objs, GOMEM_MAG_MAX, false))) {
			gomem_mcentral_free_objs(cls, objs, k);
			done += k;
		}
	}
	return done;
}

/*
 * The alignment of a class's spans, in gomem pages: objects of a
 * power-of-two size above a page (the 16 KiB and 32 KiB classes) are
 * naturally aligned, as the kernel's kmalloc() guarantees, when their span
 * is aligned to the object size. Smaller powers of two divide the page and
 * need nothing more than the span's page alignment.
 */
static unsigned long span_align(const struct gomem_class *cls)
{
	unsigned long align = 1;

	if (cls->elemsize > GOMEM_PAGE_SIZE && is_power_of_2(cls->elemsize))
		align = cls->elemsize >> GOMEM_PAGE_SHIFT;
	/* a private cache aligned above a page: its slot is a multiple of it */
	if (cls->cache && cls->cache->align > GOMEM_PAGE_SIZE)
		align = max_t(unsigned long, align, cls->cache->align >> GOMEM_PAGE_SHIFT);
	return align;
}

/* a tagged span's tags: the caller's reclaim rules, quietly */
static gfp_t tags_gfp(gfp_t gfp)
{
	return (gfp & (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH)) | __GFP_NOWARN;
}

/**
 * gomem_mcentral_new_span() - a fresh span for a class, from the page heap
 * @cls: the class
 * @node: preferred node
 * @gfp: allocation context (may sleep when it allows; call without locks
 *	then)
 *
 * Return: the span, set up and on no list (s->cpu == -1), or NULL.
 */
struct gomem_span *gomem_mcentral_new_span(struct gomem_class *cls, int node, gfp_t gfp)
{
	struct gomem_span *s;
	unsigned long flags;

	s = gomem_heap_alloc_span_aligned(node, cls->npages, span_align(cls), gfp);
	if (!s)
		return NULL;
	/* a hot span (mheap.c) has its last class's nelems and tags, if any */
	if (cls->tagged && s->tags && s->nelems >= cls->nelems) {
		memset(s->tags, 0, cls->nelems);
	} else {
		kfree(s->tags);
		s->tags = NULL;
	}
	if (cls->tagged && !s->tags) {
		s->tags = gomem_meta_alloc(kzalloc_node(cls->nelems, tags_gfp(gfp), s->node));
		if (!s->tags) {
			gomem_heap_free_span(s);
			return NULL;
		}
	}
	gomem_span_prepare(s, cls);
	spin_lock_irqsave(&cls->central[s->node].lock, flags);
	cls->central[s->node].spans_made++;
	spin_unlock_irqrestore(&cls->central[s->node].lock, flags);
	return s;
}

/**
 * gomem_mcentral_add_span() - put an unused fresh span on its empty list
 * @cls: the class
 * @s: a span from gomem_mcentral_new_span() that nobody allocated from
 *
 * The next refill that finds no partial span takes it; a shrink, the
 * shrinker or the class's destruction gives it back to the page heap.
 */
void gomem_mcentral_add_span(struct gomem_class *cls, struct gomem_span *s)
{
	struct gomem_mcentral *c = &cls->central[s->node];
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	list_add_tail(&s->list, &c->empty);
	WRITE_ONCE(c->nr_empty, c->nr_empty + 1);
	spin_unlock_irqrestore(&c->lock, flags);
}

/**
 * gomem_mcentral_alloc_node() - allocate on a given node, bypassing mcaches
 * @cls: the class
 * @node: the node
 * @gfp: allocation context
 *
 * The slow path for a node other than the current CPU's: one object from a
 * partial span of @node, under its lock.
 *
 * Return: the object, or NULL.
 */
void *gomem_mcentral_alloc_node(struct gomem_class *cls, int node, gfp_t gfp)
{
	struct gomem_mcentral *c = &cls->central[node];
	struct gomem_span *s;
	unsigned long flags;
	unsigned int idx;
	void *p;

	spin_lock_irqsave(&c->lock, flags);
	s = take_span_locked(c);
	if (!s) {
		spin_unlock_irqrestore(&c->lock, flags);
		s = gomem_mcentral_new_span(cls, node, gfp);
		if (!s)
			return NULL;
		c = &cls->central[s->node];	/* node may have had no memory */
		spin_lock_irqsave(&c->lock, flags);
	}
	idx = find_first_zero_bit(s->alloc_bits, s->nelems);
	gomem_span_bit_set(s, idx);
	if (++s->alloc_count == s->nelems) {
		list_add(&s->list, &c->full);
		c->nr_full++;
	} else {
		list_add(&s->list, &c->partial);
		c->nr_partial++;
		c->partial_objs += s->alloc_count;
	}
	p = (char *)s->start + idx * s->elemsize;
	gomem_queued_clear(p, cls->link_off);	/* a free object may keep its mark */
	spin_unlock_irqrestore(&c->lock, flags);
	return p;
}

/**
 * gomem_mcentral_count() - spans and allocated objects of a class
 * @cls: the class
 * @spans: set to the spans it holds (cached, partial, full and empty)
 * @objs: set to the objects allocated in uncached spans (cached spans are
 *	not counted: their owners allocate without the lock)
 *
 * From the counters: one lock hold per node, constant work each.
 *
 * Return: the number of spans cached by CPUs.
 */
unsigned int gomem_mcentral_count(struct gomem_class *cls, unsigned long *spans,
				  unsigned long *objs)
{
	struct gomem_mcentral *c;
	unsigned long flags, cached = 0;
	int node;

	*spans = 0;
	*objs = 0;
	for (node = 0; node < nr_node_ids; node++) {
		c = &cls->central[node];
		spin_lock_irqsave(&c->lock, flags);
		*spans += c->nr_partial + c->nr_full + c->nr_cached + c->nr_empty;
		cached += c->nr_cached;
		*objs += c->nr_full * cls->nelems + c->partial_objs;
		spin_unlock_irqrestore(&c->lock, flags);
	}
	return cached;
}

/**
 * gomem_mcentral_release_empty() - give a class's empty spans back
 * @cls: the class
 * @max: give back at most this many spans
 *
 * A span sits empty on an empty list when a refill that slept lost a race
 * and parked its fresh span there, or when its last object was freed and
 * the class kept it (keep_empty()); shrinking, the shrinker, draining and
 * destroying release it. At most GOMEM_RELEASE_BATCH spans are taken per lock hold.
 *
 * Return: spans released.
 */
unsigned long gomem_mcentral_release_empty(struct gomem_class *cls, unsigned long max)
{
	struct gomem_span *s, *empty;
	struct gomem_mcentral *c;
	unsigned long flags, done = 0;
	unsigned int k;
	int node;

	for (node = 0; node < nr_node_ids && done < max; node++) {
		c = &cls->central[node];
		while (done < max && READ_ONCE(c->nr_empty)) {
			empty = NULL;
			spin_lock_irqsave(&c->lock, flags);
			for (k = 0; k < GOMEM_RELEASE_BATCH && done + k < max; k++) {
				s = list_first_entry_or_null(&c->empty, struct gomem_span, list);
				if (!s)
					break;
				list_del(&s->list);
				WRITE_ONCE(c->nr_empty, c->nr_empty - 1);
				c->spans_freed++;
				s->list.next = (struct list_head *)empty;
				empty = s;
			}
			spin_unlock_irqrestore(&c->lock, flags);
			if (!k)
				break;
			done += release_chain(cls, empty);
		}
	}
	return done;
}

/**
 * gomem_mcentral_init() - set up one node's central lists
 * @c: the mcentral
 */
void gomem_mcentral_init(struct gomem_mcentral *c)
{
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->partial);
	INIT_LIST_HEAD(&c->full);
	INIT_LIST_HEAD(&c->empty);
	c->nr_partial = 0;
	c->nr_full = 0;
	c->nr_cached = 0;
	c->nr_empty = 0;
	c->partial_objs = 0;
	c->spans_made = 0;
	c->spans_freed = 0;
	c->xfer_taken = 0;
	c->nxfer = 0;
}

/**
 * gomem_mcentral_leftover() - objects still allocated in a class's spans
 * @cls: the class (every CPU and its transfer caches drained)
 *
 * Return: the number of objects the class's uncached spans still hold.
 */
unsigned long gomem_mcentral_leftover(struct gomem_class *cls)
{
	unsigned long spans, objs;

	gomem_mcentral_release_empty(cls, ULONG_MAX);
	gomem_mcentral_count(cls, &spans, &objs);
	return objs;
}

/* what gomem_mcentral_check() found wrong, counted and named */
#define CHECK(cond, fmt, ...) do {						\
	if (unlikely(!(cond))) {						\
		pr_err("gomem: mcentral check: %s (class %u, node %d): " fmt "\n",	\
		       gomem_class_name(cls), cls->spanclass, node, ##__VA_ARGS__); \
		bad++;								\
	}									\
} while (0)

static unsigned int span_bits(struct gomem_span *s)
{
	return bitmap_weight(s->alloc_bits, s->nelems);
}


/**
 * gomem_mcentral_check() - check a class's span-state table
 * @cls: the class
 *
 * The invariants of the table at the top of this file, for every node:
 * list lengths match nr_partial, nr_full and nr_empty, and partial_objs
 * the objects of the partial spans; every span on a list is uncached, of
 * this class and node, has no pending remote frees, and its alloc_bits
 * count alloc_count, which is between 0 and nelems on the partial list,
 * equal to nelems on the full list and 0 on the empty list; nr_cached
 * counts the CPUs' spans of the node; the transfer cache is within its
 * capacity and holds allocated objects of the class and node, each marked
 * queued. For tests and debugging only: the per-CPU state is read without
 * its CPU's cooperation, so no other CPU may be inside gomem for this
 * class meanwhile, and the lists are walked whole under the lock, with
 * interrupts off (the one unbounded section, locking.h).
 *
 * Return: the number of violations found (each is printed), 0 when none.
 */
unsigned int gomem_mcentral_check(struct gomem_class *cls)
{
	struct gomem_mcentral *c;
	unsigned long n, flags, ncached;
	struct gomem_span *s;
	unsigned int bad = 0, i, idx;
	int node, cpu;

	for (node = 0; node < nr_node_ids; node++) {
		c = &cls->central[node];
		ncached = 0;
		for_each_possible_cpu(cpu) {
			s = per_cpu_ptr(cls->pcpu, cpu)->span;
			if (!s || s->node != node)
				continue;
			ncached++;
			CHECK(s->cpu == cpu, "span cached by CPU %d says cpu=%d", cpu, s->cpu);
			CHECK(s->cls == cls, "CPU %d caches a span of another class", cpu);
			CHECK(bitmap_weight(s->remote_bits, s->nelems) == s->remote_count,
			      "CPU %d's span: %u remote frees pending, remote_count %u", cpu,
			      bitmap_weight(s->remote_bits, s->nelems), s->remote_count);
		}
		spin_lock_irqsave(&c->lock, flags);
		CHECK(c->nr_cached == ncached, "nr_cached=%lu, CPUs cache %lu",
		      c->nr_cached, ncached);
		n = 0;
		list_for_each_entry(s, &c->partial, list) {
			n++;
			CHECK(s->cpu < 0, "partial span owned by CPU %d", s->cpu);
			CHECK(s->alloc_count && s->alloc_count < s->nelems,
			      "partial span empty or full (%u of %u)", s->alloc_count, s->nelems);
		}
		CHECK(n == c->nr_partial, "%lu partial spans, nr_partial=%lu", n, c->nr_partial);
		n = 0;
		list_for_each_entry(s, &c->partial, list)
			n += s->alloc_count;
		CHECK(n == c->partial_objs, "partial spans hold %lu objects, partial_objs=%lu", n,
		      c->partial_objs);
		n = 0;
		list_for_each_entry(s, &c->empty, list) {
			n++;
			CHECK(s->cpu < 0, "empty span owned by CPU %d", s->cpu);
			CHECK(s->cls == cls && s->node == node && s->state == GOMEM_SPAN_SMALL,
			      "empty span of another class, node or state");
			CHECK(!s->alloc_count && !span_bits(s) && !s->remote_count,
			      "empty span has %u objects, %u bits", s->alloc_count, span_bits(s));
		}
		CHECK(n == c->nr_empty, "%lu empty spans, nr_empty=%lu", n, c->nr_empty);
		n = 0;
		list_for_each_entry(s, &c->full, list) {
			n++;
			CHECK(s->cpu < 0, "full span owned by CPU %d", s->cpu);
			CHECK(s->alloc_count == s->nelems, "full span has %u of %u",
			      s->alloc_count, s->nelems);
		}
		CHECK(n == c->nr_full, "%lu full spans, nr_full=%lu", n, c->nr_full);
		list_for_each_entry(s, &c->partial, list) {
			CHECK(s->cls == cls && s->node == node && s->state == GOMEM_SPAN_SMALL,
			      "partial span of another class, node or state");
			CHECK(!s->remote_count, "uncached span with pending remote frees");
			CHECK(span_bits(s) == s->alloc_count, "partial span: %u bits, alloc_count %u",
			      span_bits(s), s->alloc_count);
		}
		list_for_each_entry(s, &c->full, list) {
			CHECK(s->cls == cls && s->node == node && s->state == GOMEM_SPAN_SMALL,
			      "full span of another class, node or state");
			CHECK(!s->remote_count, "uncached span with pending remote frees");
			CHECK(span_bits(s) == s->alloc_count, "full span: %u bits, alloc_count %u",
			      span_bits(s), s->alloc_count);
		}
		CHECK(c->nxfer <= xfer_max(cls), "transfer cache holds %u, capacity %u",
		      c->nxfer, xfer_max(cls));
		for (i = 0; i < c->nxfer && i < GOMEM_XFER_MAX; i++) {
			s = gomem_ptr_to_span(c->xfer[i]);
			CHECK(s && s->cls == cls && s->node == node,
			      "transfer cache object %u not of this class and node", i);
			if (!s || s->cls != cls || !gomem_span_obj_index(s, c->xfer[i], &idx))
				continue;
			if (s->cpu < 0)
				CHECK(test_bit(idx, s->alloc_bits),
				      "transfer cache object %u is free in its span", i);
			CHECK(gomem_queued_test(c->xfer[i], cls->link_off),
			      "transfer cache object %u is not marked queued", i);
		}
		spin_unlock_irqrestore(&c->lock, flags);
	}
	return bad;
}
