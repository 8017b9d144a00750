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
 * Per-CPU rules: an mcache is touched only by its CPU with interrupts
 * disabled (local_irq_save), which also makes the chunk-index lookups RCU
 * readers; or by a control CPU once its CPU is dead (hotplug). No atomic
 * read-modify-write on the fast paths. Refill with a GFP that may sleep
 * re-enables interrupts around the page-heap call and starts over on
 * whichever CPU it then runs.
 *
 * Limits: a magazine holds at most GOMEM_MAG_MAX objects and GOMEM_MAG_BYTES
 * bytes, but always room for 2 objects (so 64 KiB for the 32 KiB class);
 * each CPU caches at most one span per class. Draining (shrinker,
 * gomem_cache_shrink(), hotplug, unload) empties both.
 *
 * Context: gomem_class_alloc()/gomem_free() may be called from any context
 * with a GFP that fits it, including hardirq with GFP_ATOMIC.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/kmemleak.h>
#include <linux/nodemask.h>
#include <linux/cpu.h>
#include "gomem_internal.h"

struct gomem_class gomem_classes[GOMEM_NUM_SPAN_CLASSES];
struct gomem_free_hint __percpu *gomem_free_hints;

/**
 * gomem_free_hint_set() - point this CPU's free hint at a span
 * @s: the span of an object just freed, found through the chunk index
 * @gen: gomem_span_gen as read before that lookup (see struct
 *	gomem_free_hint)
 *
 * Only a span of this node whose class allows the inline paths is taken.
 * Interrupts are off.
 */
void gomem_free_hint_set(struct gomem_span *s, long gen)
{
	struct gomem_free_hint *h = this_cpu_ptr(gomem_free_hints);
	struct gomem_class *cls = s->cls;

	if (!cls->fastpath || s->node != numa_mem_id())
		return;
	h->start = (unsigned long)s->start;
	h->size = (unsigned long)s->nelems * s->elemsize;
	h->span = s;
	h->cls = cls;
	h->kcls = cls->cache ? NULL : cls;
	h->divmagic = gomem_class_to_divmagic[cls->sizeclass];
	h->elemsize = cls->elemsize;
	h->gen = gen;
}

/*
 * Free an object of another node: into this CPU's batch for other nodes,
 * which goes to their mcentrals when it fills. Interrupts are off.
 */
static void mcache_free_remote(struct gomem_class *cls, struct gomem_mcache *mc, void *p,
			       int node)
{
	gomem_count(&mc->frees, 1);
	gomem_stat_add(GOMEM_STAT_REMOTE_NODE_FREES, 1);
	/* a batch holds one node's objects */
	if (mc->nremote && mc->remote_node != node) {
		gomem_mcentral_flush_objs(cls, mc->remote, mc->nremote, mc->remote_node);
		WRITE_ONCE(mc->nremote, 0);
	}
	mc->remote_node = node;
	mc->remote[mc->nremote] = p;
	WRITE_ONCE(mc->nremote, mc->nremote + 1);
	if (mc->nremote >= min_t(unsigned int, GOMEM_REMOTE_MAX, cls->mag_limit)) {
		gomem_mcentral_flush_objs(cls, mc->remote, mc->nremote, node);
		WRITE_ONCE(mc->nremote, 0);
	}
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

/* the span of @p, and the span generation read before the lookup */
static struct gomem_span *span_lookup_gen(const void *p, long *gen)
{
	*gen = atomic_long_read(&gomem_span_gen);
	smp_rmb();	/* the generation before the span map: see gomem_free_hint */
	return gomem_ptr_to_span(p);
}

/**
 * gomem_free_indexed() - the inline free, for a pointer the free hint missed
 * @cache: the cache named by gomem_cache_free(), or NULL for gomem_kfree()
 * @p: the object
 *
 * Finds the span through the chunk index, makes the fast path's checks on
 * it, points this CPU's hint at it and pushes the object on the magazine,
 * or, for an object of another node, on this CPU's batch for other nodes.
 * Frees that alternate between spans (mixed sizes, long-lived objects) and
 * frees of other nodes' objects land here, one function call from the
 * inline path.
 *
 * Return: true when freed; false to take the full path (nothing done).
 */
bool gomem_free_indexed(struct gomem_cache *cache, const void *p)
{
	struct gomem_mcache *mc;
	struct gomem_class *cls;
	struct gomem_span *s;
	unsigned long flags, off;
	unsigned int idx;
	long gen;

	local_irq_save(flags);
	s = span_lookup_gen(p, &gen);
	if (unlikely(!s || READ_ONCE(s->state) != GOMEM_SPAN_SMALL))
		goto slow;
	cls = s->cls;
	if (unlikely(!cls->fastpath || (cache ? cls != cache->cls : cls->cache != NULL)))
		goto slow;
	off = (unsigned long)p - (unsigned long)s->start;
	idx = gomem_obj_index(off, cls->sizeclass);
	if (unlikely(idx * cls->elemsize != off || idx >= s->nelems))
		goto slow;
	/* acquire: pairs with the release after an uncaching sweep */
	if (unlikely(smp_load_acquire(&s->cpu) < 0 && !test_bit(idx, s->alloc_bits)))
		goto slow;
	mc = this_cpu_ptr(cls->pcpu);
	if (unlikely(s->node != numa_mem_id())) {
		/* another node's object: its batch, as the full path would */
		if (want_init_on_free())
			goto slow;
		kmemleak_free(p);
		mcache_free_remote(cls, mc, (void *)p, s->node);
	} else {
		if (unlikely(!gomem_mag_push(mc, p)))
			goto slow;
		gomem_free_hint_set(s, gen);
	}
	local_irq_restore(flags);
	return true;
slow:
	local_irq_restore(flags);
	return false;
}

static void *mcache_refill(struct gomem_class *cls, gfp_t gfp, unsigned long *flags)
{
	struct gomem_mcache *mc = this_cpu_ptr(cls->pcpu);
	int node = numa_mem_id(), cpu = smp_processor_id();
	bool blocking = gfpflags_allow_blocking(gfp);
	struct gomem_span *s;
	unsigned int n;
	void *p;

	if (mc->span) {
		p = gomem_span_next_free(mc->span);
		if (p)
			return p;
	}
	gomem_count(&mc->refills, 1);
	/* objects other CPUs flushed: a magazine's worth, before any sweep */
	if (cls->fastpath) {
		n = gomem_mcentral_take_objs(cls, node, gomem_mag(mc), mc->limit);
		if (n) {
			WRITE_ONCE(mc->nmag, n - 1);
			return gomem_mag(mc)[n - 1];
		}
	}
	s = gomem_mcentral_cache_span(cls, node, mc->span, cpu);
	mc->span = s;
	if (s) {
		p = gomem_span_next_free(s);
		if (likely(p))
			return p;
	}
	/* nothing partial: a new span, with interrupts on if we may sleep */
	if (blocking)
		local_irq_restore(*flags);
	s = gomem_mcentral_new_span(cls, node, gfp);
	if (blocking)
		local_irq_save(*flags);
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
	return gomem_span_next_free(s);
}

/**
 * gomem_mcache_alloc_locked() - allocate from this CPU's mcache
 * @cls: the class
 * @gfp: allocation context
 * @flags: the caller's saved interrupt state (interrupts are off; a refill
 *	that may sleep re-enables them meanwhile)
 *
 * Return: an object, or NULL.
 */
void *gomem_mcache_alloc_locked(struct gomem_class *cls, gfp_t gfp, unsigned long *flags)
{
	struct gomem_mcache *mc;
	void *p;

again:
	mc = this_cpu_ptr(cls->pcpu);
	if (likely(mc->nmag)) {
		p = mc->slot[mc->nmag--];
	} else {
		p = likely(mc->span) ? gomem_span_next_free_fast(mc->span) : NULL;
		if (unlikely(!p)) {
			p = mcache_refill(cls, gfp, flags);
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

/**
 * gomem_mcache_free_locked() - free to this CPU's mcache
 * @cls: the object's class
 * @s: the object's span
 * @p: the object
 *
 * Interrupts are off.
 */
void gomem_mcache_free_locked(struct gomem_class *cls, struct gomem_span *s, void *p)
{
	struct gomem_mcache *mc = this_cpu_ptr(cls->pcpu);
	unsigned int half;

	if (unlikely(s->node != numa_mem_id())) {
		mcache_free_remote(cls, mc, p, s->node);
		return;
	}
	gomem_count(&mc->frees, 1);
	if (unlikely(mc->nmag >= cls->mag_limit)) {
		half = max(1U, mc->nmag / 2);
		gomem_count(&mc->flushes, 1);
		/* a magazine holds objects of this CPU's node only */
		gomem_mcentral_flush_objs(cls, gomem_mag(mc), half, numa_mem_id());
		mc->nmag -= half;
		memmove(gomem_mag(mc), gomem_mag(mc) + half, mc->nmag * sizeof(void *));
	}
	mc->slot[++mc->nmag] = p;
}

/* GOMEM_POISON: a free object must still hold the poison */
static void poison_check(struct gomem_class *cls, u8 *p)
{
	unsigned int i;

	for (i = 0; i < cls->objsize; i++) {
		if (p[i] != GOMEM_POISON_FREE) {
			pr_warn("gomem: %s: object %p was written after free (byte %u is %#x)\n",
				cls->cache ? gomem_cache_name(cls->cache) : "kmalloc", p, i, p[i]);
			break;
		}
	}
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

	if (unlikely(gfp & __GFP_THISNODE) && node == NUMA_NO_NODE)
		node = numa_mem_id();
	/* another node, or one that must be exact: the central lists */
	if (unlikely(node != NUMA_NO_NODE && (node != numa_mem_id() || (gfp & __GFP_THISNODE))) &&
	    gomem_node_valid(node) && node_state(node, N_MEMORY)) {
		p = gomem_mcentral_alloc_node(cls, node, gfp);
		if (p) {
			local_irq_save(flags);
			gomem_count(&this_cpu_ptr(cls->pcpu)->allocs, 1);
			local_irq_restore(flags);
		}
	} else {
		local_irq_save(flags);
		p = gomem_mcache_alloc_locked(cls, gfp, &flags);
		local_irq_restore(flags);
	}
	if (unlikely(!p)) {
		gomem_stat_add(GOMEM_STAT_FAILED_ALLOCS, 1);
		return NULL;
	}
	if (unlikely(cls->poison))
		poison_check(cls, p);
	/* __GFP_ZERO is the caller's wish (not with a ctor); init_on_alloc is not */
	if (unlikely(gfp & __GFP_ZERO) ? !cls->ctor :
	    want_init_on_alloc(gfp) && !cls->keep_contents)
		memset(p, 0, cls->objsize);
	kmemleak_alloc(p, cls->objsize, 1, gfp);
	if (gomem_spanclass_noscan(cls->spanclass))
		kmemleak_no_scan(p);
	return p;
}

/**
 * gomem_class_free() - free one object of a class
 * @cls: the class
 * @s: the object's span
 * @p: the object (checked to be the start of an object)
 * @ip: the caller, for reports
 *
 * Interrupts are off.
 *
 * Return: false when the free was refused (a double free seen at once).
 */
bool gomem_class_free(struct gomem_class *cls, struct gomem_span *s, void *p,
		      unsigned long ip)
{
	struct gomem_mcache *mc = this_cpu_ptr(cls->pcpu);
	unsigned int idx;

	/*
	 * The naive double-free check SLUB makes on its freelist head, and
	 * one SLUB cannot make: in a span no CPU owns, the object's bit is the
	 * truth (the owner's allocations are materialised before s->cpu is
	 * cleared, under the mcentral lock).
	 */
	if (unlikely(mc->slot[mc->nmag] == p ||
		     /* acquire: pairs with the release after an uncaching sweep */
		     (smp_load_acquire(&s->cpu) < 0 && gomem_span_obj_index(s, p, &idx) &&
		      !test_bit(idx, s->alloc_bits)))) {
		gomem_stat_add(GOMEM_STAT_DOUBLE_FREES, 1);
		gomem_report_bad_free(cls->cache, p, ip, "double free");
		return false;
	}
	kmemleak_free(p);
	if (unlikely(cls->poison))
		memset(p, GOMEM_POISON_FREE, cls->objsize);
	else if (want_init_on_free() && !cls->keep_contents)
		memset(p, 0, cls->objsize);
	gomem_mcache_free_locked(cls, s, p);
	return true;
}

/*
 * Empty one CPU's magazine and hand its span back. Interrupts are off, or
 * @cpu is dead.
 */
void gomem_class_drain_cpu(struct gomem_class *cls, int cpu)
{
	struct gomem_mcache *mc = per_cpu_ptr(cls->pcpu, cpu);
	struct gomem_span *s;

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

/**
 * gomem_drain_cpu() - empty one CPU's magazines and cached spans, all classes
 * @cpu: the current CPU with interrupts off, or a dead CPU
 */
void gomem_drain_cpu(int cpu)
{
	unsigned int spc;

	gomem_tiny_drain_cpu(cpu);
	for (spc = 2; spc < GOMEM_NUM_SPAN_CLASSES; spc++)
		gomem_class_drain_cpu(&gomem_classes[spc], cpu);
	gomem_caches_drain_cpu(cpu);
}

static void drain_this_cpu(void *info)
{
	gomem_drain_cpu(smp_processor_id());
}

static unsigned long gomem_release_free(void);

/**
 * gomem_drain_online() - empty every online CPU's magazines and cached spans
 *
 * An IPI to each online CPU, without the CPU hotplug lock, so the shrinker
 * may call it from reclaim (a hotplug callback that allocates may be what
 * reclaims); then the transfer caches. Offline CPUs were drained by the
 * hotplug callback.
 */
void gomem_drain_online(void)
{
	on_each_cpu(drain_this_cpu, NULL, 1);
	gomem_drain_transfer();
}

/**
 * gomem_drain_all() - empty every CPU's magazines and cached spans
 *
 * Runs a drain on each online CPU (an IPI), and drains offline CPUs from
 * here. Context: process context, may sleep (CPU hotplug lock).
 */
void gomem_drain_all(void)
{
	unsigned long flags;
	int cpu;

	cpus_read_lock();
	gomem_drain_online();
	/* CPUs that went down while our hotplug callback was not installed */
	for_each_possible_cpu(cpu) {
		if (cpu_online(cpu))
			continue;
		local_irq_save(flags);
		gomem_drain_cpu(cpu);
		local_irq_restore(flags);
	}
	cpus_read_unlock();
}

/**
 * gomem_shrink_all() - drain every CPU and release every wholly free block
 *
 * Context: process context, interrupts enabled.
 * Return: gomem pages given back to the buddy allocator.
 */
unsigned long gomem_shrink_all(void)
{
	gomem_drain_all();
	return gomem_release_free();
}

/**
 * gomem_shrink_reclaim() - the shrinker's work: as gomem_shrink_all(), but
 * draining online CPUs only (no CPU hotplug lock in reclaim)
 *
 * Return: gomem pages given back to the buddy allocator.
 */
unsigned long gomem_shrink_reclaim(void)
{
	gomem_drain_online();
	return gomem_release_free();
}

/* empty spans, then wholly free blocks, go back */
static unsigned long gomem_release_free(void)
{
	unsigned long done = 0;
	int node;

	gomem_release_empty_spans();
	for_each_node(node)
		if (gomem_heaps[node])
			done += gomem_heap_release(gomem_heaps[node], 0);
	return done;
}

static unsigned int mag_limit(unsigned int elemsize)
{
	return clamp_t(unsigned int, GOMEM_MAG_BYTES / elemsize, 2, GOMEM_MAG_MAX);
}

/**
 * gomem_class_init() - set up a class instance
 * @cls: zeroed storage
 * @spanclass: Go span class (size class << 1 | noscan)
 * @cache: the cache that owns a private class, or NULL
 * @objsize: bytes a caller may use (at most the class's object size)
 * @link_off: where a free object's link goes (objsize rounded up to 8 for
 *	classes whose free objects must keep their contents, else 0)
 *
 * Return: 0 or -ENOMEM.
 */
int gomem_class_init(struct gomem_class *cls, unsigned int spanclass,
		     struct gomem_cache *cache, unsigned int objsize, unsigned int link_off)
{
	unsigned int sc = gomem_spanclass_sizeclass(spanclass);
	int node, cpu;

	cls->spanclass = spanclass;
	cls->sizeclass = sc;
	cls->npages = gomem_class_to_npages[sc];
	cls->elemsize = gomem_class_to_size[sc];
	cls->nelems = gomem_class_to_nelems[sc];
	cls->objsize = objsize;
	cls->link_off = link_off;
	cls->cache = cache;
	cls->tiny = !cache && spanclass == GOMEM_TINY_SPANCLASS;
	if (cls->tiny)
		cls->nelems = gomem_tiny_nelems(cls->npages);
	cls->mag_limit = mag_limit(cls->elemsize);
	cls->fastpath = !cls->tiny;	/* cache.c clears it for poison classes */
	cls->pcpu = alloc_percpu(struct gomem_mcache);
	cls->central = kcalloc(nr_node_ids, sizeof(*cls->central), GFP_KERNEL);
	if (!cls->pcpu || !cls->central) {
		free_percpu(cls->pcpu);
		kfree(cls->central);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu)
		per_cpu_ptr(cls->pcpu, cpu)->limit = cls->mag_limit;
	for (node = 0; node < nr_node_ids; node++)
		gomem_mcentral_init(&cls->central[node]);
	return 0;
}

/**
 * gomem_class_destroy() - free a drained class instance's structures
 * @cls: the class; every CPU drained, every object freed
 *
 * Return: objects still allocated (then nothing is freed: the spans stay,
 * as SLUB keeps the slabs of a cache destroyed with live objects).
 */
unsigned long gomem_class_destroy(struct gomem_class *cls)
{
	unsigned long left = gomem_mcentral_leftover(cls);

	if (left)
		return left;
	free_percpu(cls->pcpu);
	kfree(cls->central);
	cls->pcpu = NULL;
	cls->central = NULL;
	return 0;
}

/**
 * gomem_classes_init() - the 136 global classes of the kmalloc family
 *
 * Return: 0 or -ENOMEM.
 */
int gomem_classes_init(void)
{
	unsigned int spc, size;
	int err;

	gomem_free_hints = alloc_percpu(struct gomem_free_hint);
	if (!gomem_free_hints)
		return -ENOMEM;
	for (spc = 2; spc < GOMEM_NUM_SPAN_CLASSES; spc++) {
		size = gomem_class_to_size[gomem_spanclass_sizeclass(spc)];
		err = gomem_class_init(&gomem_classes[spc], spc, NULL, size, 0);
		if (err) {
			gomem_classes_exit();
			return err;
		}
	}
	return 0;
}

/**
 * gomem_classes_exit() - free the global classes' structures
 *
 * Every CPU must have been drained.
 */
void gomem_classes_exit(void)
{
	unsigned long left;
	unsigned int spc;

	for (spc = 2; spc < GOMEM_NUM_SPAN_CLASSES; spc++) {
		if (!gomem_classes[spc].pcpu)
			continue;
		left = gomem_class_destroy(&gomem_classes[spc]);
		if (left)
			pr_err("gomem: class %u (%u B): %lu objects still allocated at exit\n",
			       spc, gomem_classes[spc].elemsize, left);
	}
	free_percpu(gomem_free_hints);
	gomem_free_hints = NULL;
}

/**
 * gomem_small_alloc() - a kmalloc-family object of a span class
 * @spanclass: the span class
 * @size: the request (for the tiny allocator)
 * @gfp: allocation context
 * @node: NUMA node or NUMA_NO_NODE
 *
 * Return: the object, or NULL.
 */
void *gomem_small_alloc(unsigned int spanclass, size_t size, gfp_t gfp, int node)
{
	return gomem_class_alloc(&gomem_classes[spanclass], gfp, node);
}

/**
 * gomem_free() - free any small or large gomem object
 * @cache: the cache the caller names, or NULL (kfree)
 * @p: the object
 * @ip: the caller, for reports
 *
 * Finds the span from the address; refuses, with a report, a pointer that
 * gomem does not own, a pointer into the middle of an object, an object of
 * another cache and a double free it can see.
 *
 * Return: true when the object was freed, false when the free was refused.
 */
bool gomem_free(struct gomem_cache *cache, const void *p, unsigned long ip)
{
	struct gomem_span *s = NULL;
	struct gomem_class *cls;
	unsigned long flags;
	const char *bad;
	long gen;
	unsigned int idx;
	bool ok;

	local_irq_save(flags);
	s = span_lookup_gen(p, &gen);
	if (unlikely(!s)) {
		bad = "not a gomem object";
		goto refuse;
	}
	if (likely(READ_ONCE(s->state) == GOMEM_SPAN_SMALL)) {
		cls = s->cls;
		if (unlikely(cache && cls != gomem_cache_class(cache))) {
			bad = "object of another cache";
			goto refuse;
		}
		if (cls->tiny) {
			ok = gomem_tiny_free(cache, s, (void *)p, ip);
		} else if (likely(gomem_span_obj_index(s, p, &idx))) {
			/* before the free, which may release the span */
			gomem_free_hint_set(s, gen);
			ok = gomem_class_free(cls, s, (void *)p, ip);
			if (ok && !cache && cls->cache)	/* kfree() of a private cache's object */
				this_cpu_inc(cls->cache->pcpu->frees);
		} else {
			bad = "not the start of an object";
			goto refuse;
		}
		local_irq_restore(flags);
		return ok;
	}
	local_irq_restore(flags);
	if (s->state == GOMEM_SPAN_LARGE && p == s->start && !cache &&
	    cmpxchg(&s->state, GOMEM_SPAN_LARGE, GOMEM_SPAN_FREEING) == GOMEM_SPAN_LARGE) {
		gomem_large_free(s, p);
		return true;
	}
	gomem_report_bad_free(cache, p, ip, s->state != GOMEM_SPAN_LARGE ? "object already free" :
			      cache ? "a large object, not of this cache" :
			      "not the start of an object");
	return false;
refuse:
	local_irq_restore(flags);
	gomem_report_bad_free(cache, p, ip, bad);
	return false;
}

/**
 * gomem_obj_start() - the start of the object that contains an address
 * @p: an address inside a live gomem object
 *
 * Return: the object's start, or NULL when gomem does not own @p.
 */
void *gomem_obj_start(const void *p)
{
	struct gomem_span *s = NULL;
	unsigned long flags, off;
	void *start = NULL;

	local_irq_save(flags);
	s = gomem_ptr_to_span(p);
	if (s && s->state == GOMEM_SPAN_SMALL && !s->cls->tiny) {
		off = (unsigned long)p - (unsigned long)s->start;
		start = (char *)s->start +
			gomem_obj_index(off, s->cls->sizeclass) * s->elemsize;
	} else if (s && s->state == GOMEM_SPAN_LARGE) {
		start = s->start;
	}
	local_irq_restore(flags);
	if (!start && is_vmalloc_addr(p))
		start = gomem_vmalloc_start(p);
	return start;
}

/**
 * gomem_obj_size() - usable size of a small or large object
 * @p: the object
 *
 * Return: its usable size; 0 when gomem does not own @p, and for a
 * tiny-packed object (whose size is not recorded).
 */
size_t gomem_obj_size(const void *p)
{
	struct gomem_span *s = NULL;
	unsigned long flags;
	unsigned int idx;
	size_t size = 0;

	local_irq_save(flags);
	s = gomem_ptr_to_span(p);
	if (s && s->state == GOMEM_SPAN_SMALL && !s->cls->tiny &&
	    gomem_span_obj_index(s, p, &idx))
		size = s->cls->objsize;
	else if (s && s->state == GOMEM_SPAN_LARGE && p == s->start)
		size = s->elemsize;
	local_irq_restore(flags);
	return size;
}
