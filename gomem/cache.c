// SPDX-License-Identifier: GPL-2.0
/*
 * Caches: the kmem_cache-like API.
 *
 * A cache is a name, an object size and alignment, flags and an optional
 * constructor over a class instance (class.h). Its objects live in spans of
 * the smallest Go size class whose size fits the object and is a multiple of
 * its alignment, or, for a private cache whose objects that class holds
 * less thriftily than SLUB's slab would, of an exact-fit class (fit.c): a
 * slot of the object's own size, spans of as many pages as that takes. A
 * cache no Go class fits (above 32 KiB) is private and exact-fit. Like SLUB's merging, a cache without a constructor and
 * without flags that forbid sharing uses the global class of that span class
 * (the one the kmalloc family uses): it costs no memory of its own. A cache
 * with a constructor, GOMEM_NO_MERGE, GOMEM_TYPESAFE_BY_RCU or a debug flag
 * gets a class of its own: spans of its own, whose objects are constructed
 * once, when the span is made; and free objects of a constructor or
 * typesafe-by-RCU cache keep their contents (the free-list link goes after
 * the object, where SLUB puts its free pointer for them), as constructed
 * objects and typesafe-by-RCU readers require. A debug flag, given at creation or by
 * gomem.debug= for the cache's name, makes it a debug class (debug.c):
 * red zones, poison and owners around each object, every allocation and
 * free checked, off the fast paths. A cache that would merge onto a kmalloc
 * class that gomem.debug= made a debug class merges onto that debug class.
 *
 * Merged caches of one span class share a class of their own, apart from
 * the kmalloc family's (class.c: gomem_class_merged()), in which every
 * object carries the id of the cache that allocated it (span->tags; ids
 * 1..255 per span class, round-robin, so that an id is reused late): the
 * allocation paths write it, and gomem_kfree() of the object (its full
 * path: the inline kfree() declines tagged classes) credits that cache, as
 * SLUB's kfree() of an alias's object is its kmem_cache's. When no id is
 * left, or the merged class cannot be made, a cache merges onto the kmalloc
 * class as before, and kfree() of its objects is not credited to it.
 *
 * An alignment above a gomem page is kept by the spans: the slot is a
 * multiple of the alignment (ALIGN(size, align)), and the page heap gives
 * the class's spans at a multiple of it (mcentral.c: span_align()), as
 * SLUB's slabs of 2^order pages are naturally aligned.
 *
 * A noscan cache of objects under 16 bytes that asks for no alignment packs
 * them with the tiny allocator (aligned by size, as Go aligns tiny objects:
 * 8, 4, 2 or 1 bytes).
 *
 * Locking (locking.h): gomem_cache_mutex serialises create and destroy,
 * and /proc/gomem readers; no drain takes it (drains walk the class
 * registry, class.c). Allocation and free are the class's lock-free paths.
 * gomem_cache_create() and gomem_cache_destroy() may sleep.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/mm.h>
#include <gomem.h>
#include "cache.h"
#include "drain.h"
#include "free.h"
#include "mcache.h"
#include "mcentral.h"
#include "tiny.h"
#include "faultinject.h"
#include "debug.h"
#include "debugfs.h"
#include "trace.h"
#include "fit.h"

LIST_HEAD(gomem_caches);
DEFINE_MUTEX(gomem_cache_mutex);	/* serialises create and destroy */

static bool cache_private(unsigned long flags, void (*ctor)(void *))
{
	return ctor || (flags & (GOMEM_NO_MERGE | GOMEM_TYPESAFE_BY_RCU | GOMEM_DEBUG_FLAGS));
}

/* smallest size class >= @need whose size is a multiple of @align */
static unsigned int pick_sizeclass(unsigned int need, unsigned int align)
{
	unsigned int sc;

	for (sc = gomem_size_to_class(need); sc && sc < GOMEM_NUM_SIZE_CLASSES; sc++)
		if (!(gomem_class_to_size[sc] % align))
			return sc;
	return 0;
}

/* where the round-robin search for a free id starts, per span class */
static u8 tag_next[GOMEM_NUM_SPAN_CLASSES];

/*
 * Merge @c onto the merged caches' class of span class @spc, with an id of
 * its own. Under gomem_cache_mutex. Return: 0; -ENOSPC when no id is free
 * (@c then merges onto the kmalloc class, untagged); -ENOMEM when the
 * merged caches' class cannot be made.
 */
static int merge_tagged(struct gomem_cache *c, unsigned int spc)
{
	struct gomem_class *g;
	unsigned int i, t;

	lockdep_assert_held(&gomem_cache_mutex);
	g = gomem_class_merged(spc);
	if (!g)
		return -ENOMEM;
	for (i = 0; i < GOMEM_TAGS - 1; i++) {
		t = 1 + (tag_next[spc] + i) % (GOMEM_TAGS - 1);
		if (g->tag_counts[t])
			continue;
		tag_next[spc] = t;
		c->tag = t;
		c->cls = g;
		WRITE_ONCE(g->tag_counts[t], c->pcpu);
		return 0;
	}
	return -ENOSPC;
}

/*
 * Record in its span which cache allocated @p, an object of a tagged class
 * (cache.c's top). The object is live: its span and chunk stay.
 */
static noinline void cache_tag(struct gomem_cache *cache, void *p)
{
	struct gomem_span *s;
	unsigned long off;

	/*
	 * @p was just allocated from @cache's class and is ours: its span
	 * stays in use (mapped, its tags in place) while @p is, so neither
	 * RCU nor a check of @p is needed, and the index is the class's
	 * multiply-shift at an object's start.
	 */
	s = gomem_ptr_to_span(p);
	if (unlikely(!s || !s->tags))
		return;
	off = (unsigned long)p - (unsigned long)s->start;
	WRITE_ONCE(s->tags[gomem_class_obj_index(cache->cls, off)], cache->tag);
}

/*
 * cache_tag() for the @n objects a bulk allocation of @cache returned: the
 * magazine hands out runs of objects of one span, so the span is looked up
 * once per run, and each object of the run only costs its index.
 */
static noinline void cache_tag_bulk(struct gomem_cache *cache, void **p, size_t n)
{
	struct gomem_span *s = NULL;
	unsigned long start = 0, end = 0, a;
	size_t i;

	for (i = 0; i < n; i++) {
		a = (unsigned long)p[i];
		if (a - start >= end - start) {
			s = gomem_ptr_to_span(p[i]);
			if (unlikely(!s || !s->tags)) {
				s = NULL;
				start = end = 0;
				continue;
			}
			start = (unsigned long)s->start;
			end = start + ((unsigned long)s->npages << GOMEM_PAGE_SHIFT);
		}
		WRITE_ONCE(s->tags[gomem_class_obj_index(cache->cls, a - start)], cache->tag);
	}
}

static struct gomem_cache *cache_merge_target(struct gomem_class *cls)
{
	struct gomem_cache *c;

	list_for_each_entry(c, &gomem_caches, list)
		if (c->cls == cls)
			return c;
	return NULL;
}

/* SLUB's count of CPUs for its slab orders (calculate_order()) */
static unsigned int slub_nr_cpus(void)
{
	unsigned int n = num_present_cpus();

	return n <= 1 ? nr_cpu_ids : n;
}

/*
 * A private cache's span geometry for slots of @need bytes: Go's class @sc
 * when its spans hold objects at no more bytes each than the exact fit
 * (fit.c), else the exact fit (@geom filled, true returned).
 */
static bool cache_exact_fit(unsigned int need, unsigned int sc, struct gomem_geom *geom)
{
	if (gomem_fit(need, slub_nr_cpus(), geom))
		return false;
	return !sc || (u64)gomem_class_to_npages[sc] * geom->nelems >
		      (u64)geom->npages * gomem_class_to_nelems[sc];
}

static struct gomem_cache *create_cache(const char *name, unsigned int size,
					unsigned int align, unsigned long flags,
					void (*ctor)(void *), void *caller)
{
	unsigned int ralign, need, link_off = 0, sc = 0, spc;
	struct gomem_geom geom, *fit = NULL;
	struct gomem_debug_layout dl;
	struct gomem_cache *c;
	const char *bad = NULL;
	bool private;

	if (!name)
		bad = "no name";
	else if (!size || size > GOMEM_FIT_MAX_SLOT)
		bad = "impossible size";
	else if (align && (!is_power_of_2(align) || align > GOMEM_FIT_MAX_SLOT))
		bad = "bad alignment";
	else if (flags & ~GOMEM_CACHE_FLAGS)
		bad = "unknown flags";
	if (bad)
		goto refuse;
	flags &= ~(GOMEM_PANIC | GOMEM_IGNORED_FLAGS);
	flags |= gomem_debug_flags_for(name);
	ralign = max(align, 8U);
	if (flags & GOMEM_HWCACHE_ALIGN) {	/* as SLUB's calculate_alignment() */
		unsigned int cl = cache_line_size();

		while (size <= cl / 2)
			cl /= 2;
		ralign = max(ralign, cl);
	}
	need = ALIGN(size, ralign);
	if (flags & GOMEM_DEBUG_FLAGS) {
		gomem_debug_layout(size, ralign, flags, &dl);
		link_off = dl.meta;
		need = ALIGN(dl.need, ralign);
	} else if (ctor || (flags & GOMEM_TYPESAFE_BY_RCU)) {
		/* free objects keep their contents: the link after them, as SLUB's */
		link_off = ALIGN(size, 8);
		need = ALIGN(link_off + (unsigned int)sizeof(void *), ralign);
	}
	if (need <= GOMEM_MAX_SMALL_SIZE)
		sc = pick_sizeclass(need, ralign);
	/* no Go class fits: spans of its own, as SLUB gives such a cache */
	private = cache_private(flags, ctor) || !sc;
	if (private && cache_exact_fit(need, sc, &geom))
		fit = &geom;
	if (!sc && !fit) {
		/* over 4 MiB with its link or red zones: SLUB's slab would be too */
		bad = "no span fits";
		goto refuse;
	}
	if (fit)	/* an exact-fit class: only the noscan bit */
		spc = !!(flags & GOMEM_NOSCAN);
	else
		spc = (flags & GOMEM_NOSCAN) ? gomem_noscan_spanclass(sc) : sc << 1;

	c = gomem_meta_alloc(kzalloc(sizeof(*c), GFP_KERNEL));
	if (!c)
		return NULL;
	c->name = gomem_meta_alloc(kstrdup(name, GFP_KERNEL));
	c->pcpu = gomem_meta_alloc(alloc_percpu(struct gomem_counts));
	if (!c->name || !c->pcpu)
		goto fail;
	c->size = size;
	c->align = ralign;
	c->objsize = private ? size : ALIGN(size, ralign);
	c->flags = flags;
	c->ctor = ctor;
	if (private) {
		if (gomem_class_init_geom(&c->own, spc, fit, c, c->objsize, link_off))
			goto fail;
		c->own.name = c->name;
		c->own.cache_counts = c->pcpu;
		c->own.ctor = ctor;
		c->own.rcu = !!(flags & GOMEM_TYPESAFE_BY_RCU);
		/* constructed and RCU-visible objects keep their contents */
		c->own.keep_contents = ctor || c->own.rcu;
		if ((flags & GOMEM_DEBUG_FLAGS) && gomem_debug_class_init(&c->own, flags, &dl)) {
			gomem_class_destroy(&c->own);
			goto fail;
		}
		c->cls = &c->own;
	} else if ((flags & GOMEM_NOSCAN) && size < GOMEM_TINY_SIZE && !align &&
		   !(flags & GOMEM_HWCACHE_ALIGN)) {
		/* packed: aligned as Go aligns tiny objects, by their size */
		c->cls = &gomem_classes[GOMEM_TINY_SPANCLASS];
		c->objsize = size;
		c->align = size & 7 ? (size & 3 ? (size & 1 ? 1 : 2) : 4) : 8;
	} else {
		/* onto the kmalloc class, or the debug class gomem.debug= gave it */
		c->cls = gomem_classes[spc].redirect ?: &gomem_classes[spc];
	}
	mutex_lock(&gomem_cache_mutex);
	/* a plain merged cache: onto the merged caches' class, tagged */
	if (c->cls == &gomem_classes[spc] && !c->cls->tiny &&
	    merge_tagged(c, spc) == -ENOMEM) {
		mutex_unlock(&gomem_cache_mutex);
		goto fail;
	}
	if (c->cls != &c->own)
		c->merged_with = cache_merge_target(c->cls);
	list_add_tail(&c->list, &gomem_caches);
	mutex_unlock(&gomem_cache_mutex);
	if (c->cls == &c->own && c->own.debug)
		gomem_debugfs_add(&c->own);
	return c;
fail:
	free_percpu(c->pcpu);
	kfree(c->name);
	kfree(c);
	return NULL;
refuse:
	pr_warn("gomem: cache_create(%s, %u, %u, %#lx) by %pS: %s, refused\n",
		name ?: "(null)", size, align, flags, caller, bad);
	return NULL;
}

/**
 * gomem_cache_create() - create a cache, as kmem_cache_create()
 * @name: name shown in /proc/gomem and in reports (copied)
 * @size: object size, 1 byte to 4 MiB (4 MiB - 8 for a cache with a
 *	constructor or GOMEM_TYPESAFE_BY_RCU, whose free objects keep an
 *	8-byte link after the object, as SLUB's free pointer; less with debug
 *	flags, whose red zones and owners take room in the slot:
 *	Documentation/debugging.rst)
 * @align: required alignment: 0, or a power of two up to 4 MiB (above a
 *	page, the cache's spans start at a multiple of it)
 * @flags: GOMEM_* cache flags; gomem.debug= may add debug flags.
 *	GOMEM_PANIC panics where NULL would be returned; GOMEM_ACCOUNT,
 *	GOMEM_RECLAIM_ACCOUNT and GOMEM_MEM_SPREAD are accepted and ignored.
 * @ctor: constructor, run once per object when its span is made, or NULL
 *
 * Context: process context; may sleep.
 * Return: the cache, or NULL (with a warning naming the problem and the
 * caller) for a NULL name, an impossible size, a bad alignment, unknown flags
 * or lack of memory.
 */
struct gomem_cache *gomem_cache_create(const char *name, unsigned int size,
				       unsigned int align, unsigned long flags,
				       void (*ctor)(void *))
{
	struct gomem_cache *c;

	c = create_cache(name, size, align, flags, ctor, __builtin_return_address(0));
	if (unlikely(!c && (flags & GOMEM_PANIC)))
		panic("gomem: cannot create cache %s\n", name ?: "(null)");
	return c;
}
EXPORT_SYMBOL_GPL(gomem_cache_create);

static bool cache_tiny(struct gomem_cache *c)
{
	return c->cls->tiny;
}

static noinline void *null_cache_alloc(void *caller)
{
	pr_warn("gomem: cache_alloc on a NULL cache by %pS, refused\n", caller);
	return NULL;
}

/* the full allocation path, for the caller at @ip */
static noinline void *cache_alloc_ip(struct gomem_cache *cache, gfp_t flags, int node,
				     unsigned long ip)
{
	void *p;

	if (unlikely(!cache))
		return null_cache_alloc((void *)ip);
	if (cache_tiny(cache))
		p = gomem_tiny_alloc(cache->size, flags);
	else
		p = gomem_class_alloc(cache->cls, flags, node);
	trace_gomem_alloc(ip, p, cache->size, cache_tiny(cache) ? cache->size : cache->cls->objsize,
			  flags, node, cache->name);
	if (unlikely(!p)) {
		if (!(flags & __GFP_NOWARN))
			pr_warn("gomem: %s: allocation (gfp %#x) by %pS failed\n",
				cache->name, flags, (void *)ip);
		return NULL;
	}
	this_cpu_inc(cache->pcpu->allocs);
	if (cache->cls->tagged)
		cache_tag(cache, p);
	return p;
}

/**
 * gomem_cache_alloc_node() - allocate an object, as kmem_cache_alloc_node()
 * @cache: the cache
 * @flags: GFP flags
 * @node: NUMA node, or NUMA_NO_NODE
 *
 * Return: the object, or NULL on failure (and for a NULL cache, with a
 * warning).
 */
void *gomem_cache_alloc_node(struct gomem_cache *cache, gfp_t flags, int node)
{
	return cache_alloc_ip(cache, flags, node, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gomem_cache_alloc_node);

/**
 * gomem_cache_alloc() - allocate an object from a cache, as kmem_cache_alloc()
 * @cache: the cache
 * @flags: GFP flags
 *
 * The per-CPU fast path is inline here; anything it cannot serve (an empty
 * magazine and span, __GFP_ZERO, tiny or debug caches) goes through
 * gomem_cache_alloc_node().
 *
 * Return: the object, or NULL on failure (and for a NULL cache, with a
 * warning).
 */
void *gomem_cache_alloc(struct gomem_cache *cache, gfp_t flags)
{
	struct gomem_class *cls;
	void *p;

	if (unlikely(!cache))
		return null_cache_alloc(__builtin_return_address(0));
	cls = cache->cls;
	/* the slow path is a tail call: no registers to save on the fast one */
	/*
	 * fastpath changes at run time (trace.c); a plain byte read keeps this
	 * one cmpb (READ_ONCE() makes it two instructions), and a stale value
	 * only takes the fast path once more before trace.c's drain
	 */
	if (likely(data_race(cls->fastpath) && !(flags & (__GFP_ZERO | __GFP_THISNODE)))) {
		p = gomem_alloc_fast(cls, false);
		if (likely(p)) {
			this_cpu_inc(cache->pcpu->allocs);
			/* a merged cache: which cache allocated it (one byte test) */
			if (unlikely(cls->tagged))
				cache_tag(cache, p);
			return gomem_alloc_hook(cls, p, 0, flags & ~__GFP_ZERO,
						false);
		}
	}
	return cache_alloc_ip(cache, flags, NUMA_NO_NODE, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gomem_cache_alloc);

/* the full path: what the inline and the indexed frees declined */
static noinline void cache_free_slow(struct gomem_cache *cache, void *objp,
				     unsigned long ip)
{
	trace_gomem_free(ip, objp, cache ? cache->name : "(null)");
	if (unlikely(!cache)) {
		pr_warn("gomem: cache_free to a NULL cache by %pS, refused\n", (void *)ip);
		return;
	}
	if (unlikely(!objp))
		return;
	if (gomem_free_by_address(cache->name, cache->cls, objp, ip))
		this_cpu_inc(cache->pcpu->frees);
}

/* a free-hint miss, inside the CPU section the inline free took (@flags) */
static noinline void cache_free_miss(struct gomem_cache *cache, void *objp,
				     unsigned long flags, unsigned long ip)
{
	if (likely(gomem_free_indexed_unlock(cache->cls, objp, flags)))
		this_cpu_inc(cache->pcpu->frees);
	else
		cache_free_slow(cache, objp, ip);
}

/**
 * gomem_cache_free() - free an object, as kmem_cache_free()
 * @cache: the cache it came from
 * @objp: the object, or NULL
 *
 * Freeing to the wrong cache, a pointer gomem does not own, a pointer into
 * an object, or a double free that reaches a span is reported and refused.
 */
void gomem_cache_free(struct gomem_cache *cache, void *objp)
{
	unsigned long flags;

	if (unlikely(!cache)) {
		cache_free_slow(cache, objp, _RET_IP_);
		return;
	}
	/* NULL never matches a free hint: cache_free_miss() */
	switch (gomem_free_fast(false, cache->cls, objp, &flags)) {
	case GOMEM_FREED:
		this_cpu_inc(cache->pcpu->frees);
		return;
	case GOMEM_FREE_MISS:
		cache_free_miss(cache, objp, flags, _RET_IP_);
		return;
	default:
		cache_free_slow(cache, objp, _RET_IP_);
	}
}
EXPORT_SYMBOL_GPL(gomem_cache_free);

/**
 * gomem_cache_alloc_bulk() - allocate several objects, all or nothing
 * @cache: the cache
 * @flags: GFP flags
 * @size: number of objects
 * @p: array that receives them
 *
 * In CPU sections of at most GOMEM_MAG_MAX objects: the magazine and the
 * span's window are taken in one run (gomem_mcache_alloc_run_irqoff()),
 * a refill when they run dry; then, outside the section, each object gets
 * what a single allocation gives it (kmemleak, __GFP_ZERO, init_on_alloc).
 * Debug and tiny caches allocate one object at a time, and so does a bulk of
 * one or two objects, through the single allocation's inline path.
 *
 * Return: @size, or 0 when they could not all be allocated (then none is).
 */
int gomem_cache_alloc_bulk(struct gomem_cache *cache, gfp_t flags, size_t size, void **p)
{
	struct gomem_class *cls;
	unsigned long irqflags;
	size_t i = 0, end;

	if (unlikely(!cache))
		return 0;
	cls = cache->cls;
	/* the single allocation's inline path: cheaper than a run below 3 */
	if (size == 1) {
		p[0] = gomem_cache_alloc(cache, flags | __GFP_NOWARN);
		if (likely(p[0]))
			return 1;
		goto undo;
	}
	if (size == 2) {
		p[0] = gomem_cache_alloc(cache, flags | __GFP_NOWARN);
		if (unlikely(!p[0]))
			goto undo;
		i = 1;
		p[1] = gomem_cache_alloc(cache, flags | __GFP_NOWARN);
		if (likely(p[1]))
			return 2;
		goto undo;
	}
	if (!READ_ONCE(cls->fastpath)) {
		/* each object counted (and traced) by the full path */
		for (; i < size; i++) {
			p[i] = cache_alloc_ip(cache, flags | __GFP_NOWARN, NUMA_NO_NODE, _RET_IP_);
			if (!p[i])
				goto undo;
		}
		return size;
	}
	while (i < size) {
		/* a bounded CPU section: at most a magazine's worth per hold */
		end = min_t(size_t, size, i + GOMEM_MAG_MAX);
		gomem_cpu_lock(irqflags);
		while (i < end) {
			i += gomem_mcache_alloc_run_irqoff(cls, p + i, end - i);
			if (i == end)
				break;
			p[i] = gomem_mcache_alloc_irqoff(cls, flags, &irqflags);
			if (unlikely(!p[i]))
				break;
			i++;
		}
		gomem_cpu_unlock(irqflags);
		if (i < end)
			goto fail;
	}
	if (cls->tagged)
		cache_tag_bulk(cache, p, size);
	for (i = 0; i < size; i++)
		gomem_alloc_hook(cls, p[i], 0, flags, false);
	this_cpu_add(cache->pcpu->allocs, size);
	return size;
fail:
	/* the inline path's objects are counted once, here, as they go back */
	this_cpu_add(cache->pcpu->allocs, i);
undo:
	if (!(flags & __GFP_NOWARN))
		pr_warn("gomem: %s: bulk allocation of %zu objects by %pS failed\n",
			cache->name, size, __builtin_return_address(0));
	/* the ones we have go back through the ordinary free */
	gomem_cache_free_bulk(cache, i, p);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_cache_alloc_bulk);

/**
 * gomem_cache_free_bulk() - free several objects of a cache
 * @cache: the cache
 * @size: number of objects
 * @p: the objects
 *
 * Runs of objects of this node's spans go to the magazine in CPU sections
 * of at most GOMEM_MAG_MAX objects (gomem_mcache_free_run()); any object
 * such a run does not take goes through the full free path, with every
 * check and report of a single free (naming the caller of this function).
 * NULL entries are skipped.
 */
void gomem_cache_free_bulk(struct gomem_cache *cache, size_t size, void **p)
{
	unsigned int want, done;
	size_t i = 0;

	if (unlikely(!cache) || size <= 2) {	/* the inline free: cheaper below 3 */
		for (; i < size; i++)
			gomem_cache_free(cache, p[i]);
		return;
	}
	while (i < size) {
		want = min_t(size_t, size - i, GOMEM_MAG_MAX);
		done = gomem_mcache_free_run(cache->cls, p + i, want);
		if (done)
			this_cpu_add(cache->pcpu->frees, done);
		i += done;
		/* the one the run did not take: the full path, reports naming our caller */
		if (done < want)
			cache_free_slow(cache, p[i++], _RET_IP_);
	}
}
EXPORT_SYMBOL_GPL(gomem_cache_free_bulk);

/**
 * gomem_cache_shrink() - give cached memory back, as kmem_cache_shrink()
 * @cache: the cache (every CPU's caches of every class are emptied)
 *
 * Context: process context; may sleep.
 * Return: 0.
 */
int gomem_cache_shrink(struct gomem_cache *cache)
{
	gomem_shrink_all();
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_cache_shrink);

/**
 * gomem_cache_size() - object size of a cache, as kmem_cache_size()
 * @cache: the cache
 *
 * Return: the size asked for at creation.
 */
unsigned int gomem_cache_size(struct gomem_cache *cache)
{
	return cache ? cache->size : 0;
}
EXPORT_SYMBOL_GPL(gomem_cache_size);

/**
 * gomem_cache_counts() - a cache's allocs and frees summed over the CPUs
 * @c: the cache
 * @allocs: objects allocated
 * @frees: objects freed
 *
 * Frees are summed first (see the top of stats.c), so that a snapshot
 * taken under load never shows more frees than allocs.
 */
void gomem_cache_counts(struct gomem_cache *c, unsigned long *allocs, unsigned long *frees)
{
	int cpu;

	*allocs = 0;
	*frees = 0;
	for_each_possible_cpu(cpu)
		*frees += READ_ONCE(per_cpu_ptr(c->pcpu, cpu)->frees);
	smp_rmb();	/* the frees before the allocs: see stats.c */
	for_each_possible_cpu(cpu)
		*allocs += READ_ONCE(per_cpu_ptr(c->pcpu, cpu)->allocs);
}

/**
 * gomem_cache_active() - objects of a cache allocated and not freed
 * @c: the cache
 *
 * Return: the count (a snapshot).
 */
long gomem_cache_active(struct gomem_cache *c)
{
	unsigned long a, f;

	gomem_cache_counts(c, &a, &f);
	return (long)(a - f);
}

/**
 * gomem_cache_settle() - credit frees between the merged caches of a class
 * @cls: a shared class
 *
 * Merged caches share their class's objects with each other and with the
 * kmalloc family, so a free through gomem_cache_free() is counted for the
 * cache it names: an object allocated through cache A and freed through
 * cache B (both merged on @cls) leaves A one object up and B one down.
 * Nothing at the free can tell (that is what merging shares), and the
 * memory is handled right either way; only the per-cache counts are off.
 * Here each cache whose frees exceed its allocations has the surplus taken
 * back from its frees and credited to the frees of caches of @cls that
 * show live objects, with a warning naming the cache. A surplus nobody
 * shows (kmalloc objects freed through the cache) is dropped. The class's
 * own counts were right all along. Adjustments go to this CPU's counters:
 * the figures are sums over CPUs.
 *
 * Context: gomem_cache_mutex held (destroy and /proc/gomem call it).
 */
void gomem_cache_settle(struct gomem_class *cls)
{
	struct gomem_cache *c, *o;
	long surplus, live, m;

	lockdep_assert_held(&gomem_cache_mutex);
	list_for_each_entry(c, &gomem_caches, list) {
		if (c->cls != cls || c->cls == &c->own)
			continue;
		surplus = -gomem_cache_active(c);
		if (surplus <= 0)
			continue;
		pr_warn("gomem: cache %s: %ld more frees than allocations: objects of other caches merged on its class freed through it; credited to them\n",
			c->name, surplus);
		this_cpu_sub(c->pcpu->frees, surplus);
		list_for_each_entry(o, &gomem_caches, list) {
			if (o == c || o->cls != cls)
				continue;
			live = gomem_cache_active(o);
			if (live <= 0)
				continue;
			m = min(live, surplus);
			this_cpu_add(o->pcpu->frees, m);
			surplus -= m;
			if (!surplus)
				break;
		}
	}
}

/* another cache merged on @cache's class, or NULL */
static struct gomem_cache *merged_sibling(struct gomem_cache *cache)
{
	struct gomem_cache *c;

	lockdep_assert_held(&gomem_cache_mutex);
	list_for_each_entry(c, &gomem_caches, list)
		if (c != cache && c->cls == cache->cls)
			return c;
	return NULL;
}

/**
 * gomem_cache_destroy() - destroy a cache, as kmem_cache_destroy()
 * @cache: the cache, or NULL
 *
 * A cache with objects still allocated is reported with their number and
 * kept, with its memory, as SLUB does. A merged cache's counts are settled
 * first (gomem_cache_settle()). A merged cache that still shows objects
 * while another cache is merged on its class cannot be judged: its objects
 * may have been freed through that cache, whose own live objects hide the
 * surplus (its count may even read 0 while it holds one). It is destroyed
 * with a warning naming the count (its objects are the class's, so keeping
 * it would keep no memory).
 *
 * Context: process context; may sleep.
 */
void gomem_cache_destroy(struct gomem_cache *cache)
{
	struct gomem_cache *sibling = NULL;
	long live;

	if (!cache)
		return;
	if (cache->flags & GOMEM_TYPESAFE_BY_RCU)
		rcu_barrier();
	gomem_drain_all();
	if (cache->cls != &cache->own) {
		mutex_lock(&gomem_cache_mutex);
		gomem_cache_settle(cache->cls);
		live = gomem_cache_active(cache);
		sibling = live > 0 ? merged_sibling(cache) : NULL;
		if (sibling)
			pr_warn("gomem: cache %s: destroyed showing %ld objects allocated; merged with %s, whose frees cannot be told apart from its own\n",
				cache->name, live, sibling->name);
		mutex_unlock(&gomem_cache_mutex);
	}
	live = sibling ? 0 : gomem_cache_active(cache);
	if (cache->cls == &cache->own && !live) {
		/* nothing live: the objects a debug cache isolated go back */
		gomem_debug_release_isolated(&cache->own);
		live = gomem_mcentral_leftover(&cache->own);
	}
	if (live) {
		pr_err("gomem: cache %s: destroyed with %ld objects still allocated; cache and memory kept\n",
		       cache->name, live);
		if (cache->cls == &cache->own && cache->own.debug)
			gomem_debug_report_leaks(&cache->own);
		return;
	}
	mutex_lock(&gomem_cache_mutex);
	list_del(&cache->list);
	if (cache->cls != &cache->own) {
		struct gomem_cache *c;

		/* re-point caches merged with this one */
		list_for_each_entry(c, &gomem_caches, list)
			if (c->merged_with == cache)
				c->merged_with = cache_merge_target(c->cls) == c ?
						 NULL : cache_merge_target(c->cls);
	}
	/* its id is free again; kfree()s that read it are done after a GP */
	if (cache->tag)
		WRITE_ONCE(cache->cls->tag_counts[cache->tag], NULL);
	mutex_unlock(&gomem_cache_mutex);
	if (cache->cls == &cache->own) {
		gomem_debugfs_remove(&cache->own);
		gomem_class_destroy(&cache->own);
		gomem_debug_class_exit(&cache->own);
	} else if (cache->tag) {
		synchronize_rcu();
	}
	free_percpu(cache->pcpu);
	kfree(cache->name);
	kfree(cache);
}
EXPORT_SYMBOL_GPL(gomem_cache_destroy);
