// SPDX-License-Identifier: GPL-2.0
/*
 * Class instances: set-up, tear-down and the registry of every instance.
 *
 * A class instance (class.h) is what the per-CPU paths (mcache.c) and the
 * central lists (mcentral.c) of one span class share: its geometry, its
 * per-CPU mcaches and its per-node mcentrals. The 136 global instances,
 * gomem_classes[], serve the kmalloc family and the caches merged onto them;
 * a private cache (cache.c) owns one more.
 *
 * The registry: every instance, global or private, is on gomem_class_list
 * from gomem_class_init() to gomem_class_destroy(), under gomem_class_mutex.
 * Drains, releases and the shrinker (drain.c) walk it with
 * gomem_class_for_each(), in process context, holding the mutex: nothing
 * is held with interrupts off across a walk; the callback takes the CPU
 * section and the spinlocks for one class's bounded work at a time. The
 * list is also an RCU list, for the shrinker's count
 * (gomem_classes_idle_bytes()), which must not block reclaim: a class is
 * freed only a grace period after it left the list. Its place in the lock
 * order: locking.h.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/nodemask.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include "class.h"
#include "mcentral.h"
#include "faultinject.h"
#include "fit.h"

struct gomem_class gomem_classes[GOMEM_NUM_SPAN_CLASSES];

static LIST_HEAD(gomem_class_list);
static DEFINE_MUTEX(gomem_class_mutex);
/* gomem_classes_set_fastpath(false) is in force (under the mutex) */
static bool fastpath_off;

static unsigned int mag_limit(unsigned int elemsize)
{
	return clamp_t(unsigned int, GOMEM_MAG_BYTES / elemsize, 2, GOMEM_MAG_MAX);
}

/**
 * gomem_class_init_geom() - set up a class instance and register it
 * @cls: zeroed storage
 * @spanclass: Go span class (size class << 1 | noscan); for an exact-fit
 *	class (fit.c) only the noscan bit
 * @geom: the span geometry of an exact-fit class, or NULL for the size
 *	class's own (Go's table)
 * @cache: the cache that owns a private class, or NULL
 * @objsize: bytes a caller may use (at most the slot size)
 * @link_off: where a free object's link goes (objsize rounded up to 8 for
 *	classes whose free objects must keep their contents, else 0)
 *
 * The caller sets a private class's options (ctor, rcu, debug, ...) before
 * it allocates from it. On failure nothing is left allocated or registered.
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int gomem_class_init_geom(struct gomem_class *cls, unsigned int spanclass,
			  const struct gomem_geom *geom, struct gomem_cache *cache,
			  unsigned int objsize, unsigned int link_off)
{
	unsigned int sc = geom ? 0 : gomem_spanclass_sizeclass(spanclass);
	int node, cpu;

	BUILD_BUG_ON(sizeof(struct gomem_class) != GOMEM_CLASS_SIZE);
	cls->spanclass = spanclass;
	cls->sizeclass = sc;
	cls->npages = geom ? geom->npages : gomem_class_to_npages[sc];
	cls->elemsize = geom ? geom->elemsize : gomem_class_to_size[sc];
	cls->nelems = geom ? geom->nelems : gomem_class_to_nelems[sc];
	cls->divmagic = geom ? gomem_fit_divmagic(geom->elemsize) : gomem_class_to_divmagic[sc];
	cls->objsize = objsize;
	cls->link_off = link_off;
	cls->cache = cache;
	cls->tiny = !cache && spanclass == GOMEM_TINY_SPANCLASS;
	if (cls->tiny)
		cls->nelems = gomem_tiny_nelems(cls->npages);
	cls->mag_limit = mag_limit(cls->elemsize);
	cls->pcpu = gomem_meta_alloc(alloc_percpu(struct gomem_mcache));
	cls->central = gomem_meta_alloc(kcalloc(nr_node_ids, sizeof(*cls->central), GFP_KERNEL));
	if (!cls->pcpu || !cls->central) {
		free_percpu(cls->pcpu);
		kfree(cls->central);
		cls->pcpu = NULL;
		cls->central = NULL;
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu)
		per_cpu_ptr(cls->pcpu, cpu)->limit = cls->mag_limit;
	for (node = 0; node < nr_node_ids; node++)
		gomem_mcentral_init(&cls->central[node]);
	mutex_lock(&gomem_class_mutex);
	/* debug.c clears it for debug classes; trace.c for all, while on */
	WRITE_ONCE(cls->fastpath, !cls->tiny && !fastpath_off);
	list_add_tail_rcu(&cls->registry, &gomem_class_list);
	mutex_unlock(&gomem_class_mutex);
	return 0;
}

/**
 * gomem_class_init() - set up a class instance of a Go size class
 * @cls: zeroed storage
 * @spanclass: Go span class (size class << 1 | noscan)
 * @cache: the cache that owns a private class, or NULL
 * @objsize: bytes a caller may use (at most the class's object size)
 * @link_off: where a free object's link goes
 *
 * As gomem_class_init_geom() with the size class's geometry.
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int gomem_class_init(struct gomem_class *cls, unsigned int spanclass,
		     struct gomem_cache *cache, unsigned int objsize, unsigned int link_off)
{
	return gomem_class_init_geom(cls, spanclass, NULL, cache, objsize, link_off);
}

/**
 * gomem_classes_set_fastpath() - turn every class's inline paths off or on
 * @on: false: off for every class (the tracepoints' switch, trace.c); true:
 *	back on for each class that has them (not tiny, not a debug class,
 *	not redirected to one)
 *
 * Classes created meanwhile read the switch themselves (gomem_class_init()).
 *
 * Context: process context; may sleep.
 */
void gomem_classes_set_fastpath(bool on)
{
	struct gomem_class *cls;

	mutex_lock(&gomem_class_mutex);
	fastpath_off = !on;
	list_for_each_entry(cls, &gomem_class_list, registry)
		WRITE_ONCE(cls->fastpath, on && !cls->tiny && !cls->debug && !cls->redirect);
	mutex_unlock(&gomem_class_mutex);
}

/* take a drained class off the registry unless objects are left: how many */
static unsigned long class_unregister(struct gomem_class *cls)
{
	unsigned long left = gomem_mcentral_leftover(cls);

	if (left)
		return left;
	mutex_lock(&gomem_class_mutex);
	list_del_rcu(&cls->registry);
	mutex_unlock(&gomem_class_mutex);
	return 0;
}

/* free an unregistered class's structures, a grace period later */
static void class_free(struct gomem_class *cls)
{
	free_percpu(cls->pcpu);
	kfree(cls->central);
	cls->pcpu = NULL;
	cls->central = NULL;
}

/**
 * gomem_class_destroy() - unregister a drained class instance and free it
 * @cls: the class; every CPU drained, every object freed
 *
 * Waits for a grace period after the class leaves the registry (RCU
 * readers: the shrinker's count), before it frees the class's structures.
 *
 * Context: process context; may sleep.
 * Return: objects still allocated (then nothing is freed and the class
 * stays registered: the spans stay, as SLUB keeps the slabs of a cache
 * destroyed with live objects).
 */
unsigned long gomem_class_destroy(struct gomem_class *cls)
{
	unsigned long left = class_unregister(cls);

	if (left)
		return left;
	synchronize_rcu();
	class_free(cls);
	return 0;
}

/**
 * gomem_class_for_each() - call @fn on every registered class instance
 * @fn: the function; called under gomem_class_mutex, with interrupts on;
 *	it may take the CPU section and the mcentral and heap locks (for a
 *	bounded piece of work: locking.h), but must not allocate memory (the
 *	shrinker walks the registry in reclaim)
 * @arg: passed to @fn
 *
 * The global classes come first, in span class order, then private ones in
 * the order they were created. Reschedules between classes.
 *
 * Context: process context, may sleep; holds no gomem lock, not inside the
 * CPU section.
 */
void gomem_class_for_each(void (*fn)(struct gomem_class *cls, void *arg), void *arg)
{
	struct gomem_class *cls;

	mutex_lock(&gomem_class_mutex);
	list_for_each_entry(cls, &gomem_class_list, registry) {
		fn(cls, arg);
		cond_resched();
	}
	mutex_unlock(&gomem_class_mutex);
}

/* the bytes of free objects @cls keeps in magazines, batches and transfer caches */
static unsigned long class_idle_bytes(struct gomem_class *cls)
{
	unsigned long objs = 0, bytes = 0;
	struct gomem_mcache *mc;
	int cpu, node;

	for_each_possible_cpu(cpu) {
		mc = per_cpu_ptr(cls->pcpu, cpu);
		objs += READ_ONCE(mc->nmag) + READ_ONCE(mc->nremote);
	}
	for (node = 0; node < nr_node_ids; node++) {
		objs += READ_ONCE(cls->central[node].nxfer);
		bytes += READ_ONCE(cls->central[node].nr_empty) *
			 ((unsigned long)cls->npages << GOMEM_PAGE_SHIFT);
	}
	return bytes + objs * cls->elemsize;
}

/**
 * gomem_classes_idle_bytes() - what every class keeps without using it
 *
 * Free objects in the CPUs' magazines and batches for other nodes and in
 * the transfer caches, and empty spans on the central lists: the memory a
 * drain and a release could give back (an estimate: the objects' spans
 * empty only when every object in them is free). Read from counters,
 * without a lock: an RCU walk of the registry, one read per class and CPU
 * and per class and node.
 *
 * Context: any context that may enter an RCU read-side section.
 * Return: bytes.
 */
unsigned long gomem_classes_idle_bytes(void)
{
	struct gomem_class *cls;
	unsigned long bytes = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(cls, &gomem_class_list, registry)
		bytes += class_idle_bytes(cls);
	rcu_read_unlock();
	return bytes;
}

/**
 * gomem_classes_init() - the 136 global classes of the kmalloc family
 *
 * Return: 0 or -ENOMEM (then none is left set up).
 */
int gomem_classes_init(void)
{
	unsigned int spc, size;
	int err;

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
 * gomem_class_merged() - the merged caches' class of a span class
 * @spanclass: a span class of the kmalloc family (not the tiny one)
 *
 * Merged caches (no constructor, no flag that forbids sharing) of one span
 * class share one class instance, apart from the kmalloc family's: the
 * caches' objects carry the id of the cache that allocated them
 * (span->tags, set by cache.c), and gomem_kfree(), which takes the full
 * path for them, credits that cache. Made at the first merged cache of
 * the span class, kept until gomem_classes_exit(); the global class points
 * at it (->merged), and /proc/gomem counts it with it.
 *
 * Context: process context, may sleep; the caller serialises calls
 * (gomem_cache_mutex).
 * Return: the class, or NULL (no memory).
 */
struct gomem_class *gomem_class_merged(unsigned int spanclass)
{
	struct gomem_class *g = gomem_classes[spanclass].merged, *cls;

	if (g)
		return g;
	if (WARN_ON_ONCE(spanclass < 2 || spanclass >= GOMEM_NUM_SPAN_CLASSES ||
			 spanclass == GOMEM_TINY_SPANCLASS))
		return NULL;
	cls = &gomem_classes[spanclass];
	g = gomem_meta_alloc(kzalloc(sizeof(*g), GFP_KERNEL));
	if (!g)
		return NULL;
	g->tag_counts = gomem_meta_alloc(kcalloc(GOMEM_TAGS, sizeof(*g->tag_counts),
						 GFP_KERNEL));
	g->tagged = true;
	if (!g->tag_counts || gomem_class_init(g, spanclass, NULL, cls->objsize, 0)) {
		kfree(g->tag_counts);
		kfree(g);
		return NULL;
	}
	WRITE_ONCE(cls->merged, g);
	return g;
}

/**
 * gomem_classes_exit() - free the global classes' structures
 *
 * Every CPU must have been drained. A class with objects still allocated is
 * reported and kept.
 */
void gomem_classes_exit(void)
{
	bool gone[GOMEM_NUM_SPAN_CLASSES] = { };
	struct gomem_class *g;
	unsigned long left;
	unsigned int spc;

	/* the merged caches' classes first: every cache is gone */
	for (spc = 2; spc < GOMEM_NUM_SPAN_CLASSES; spc++) {
		g = gomem_classes[spc].merged;
		if (!g)
			continue;
		left = gomem_class_destroy(g);
		if (left) {
			pr_err("gomem: merged caches' class %u (%u B): %lu objects still allocated at exit\n",
			       spc, g->elemsize, left);
			continue;
		}
		gomem_classes[spc].merged = NULL;
		kfree(g->tag_counts);
		kfree(g);
	}
	for (spc = 2; spc < GOMEM_NUM_SPAN_CLASSES; spc++) {
		if (!gomem_classes[spc].pcpu)
			continue;
		left = class_unregister(&gomem_classes[spc]);
		gone[spc] = !left;
		if (left)
			pr_err("gomem: class %u (%u B): %lu objects still allocated at exit\n",
			       spc, gomem_classes[spc].elemsize, left);
	}
	synchronize_rcu();	/* one grace period for all of them */
	for (spc = 2; spc < GOMEM_NUM_SPAN_CLASSES; spc++)
		if (gone[spc])
			class_free(&gomem_classes[spc]);
}
