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
 * from gomem_class_init() to gomem_class_destroy(), under gomem_class_lock.
 * Drains (drain.c) walk it with gomem_class_for_each(), including inside
 * the CPU section (drain work items, the CPU hotplug callback), so the lock
 * is an irq-safe spinlock and nothing that sleeps runs under it. Its place in the lock order: locking.h.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/nodemask.h>
#include "class.h"
#include "mcentral.h"
#include "faultinject.h"

struct gomem_class gomem_classes[GOMEM_NUM_SPAN_CLASSES];

static LIST_HEAD(gomem_class_list);
static DEFINE_SPINLOCK(gomem_class_lock);

static unsigned int mag_limit(unsigned int elemsize)
{
	return clamp_t(unsigned int, GOMEM_MAG_BYTES / elemsize, 2, GOMEM_MAG_MAX);
}

/**
 * gomem_class_init() - set up a class instance and register it
 * @cls: zeroed storage
 * @spanclass: Go span class (size class << 1 | noscan)
 * @cache: the cache that owns a private class, or NULL
 * @objsize: bytes a caller may use (at most the class's object size)
 * @link_off: where a free object's link goes (objsize rounded up to 8 for
 *	classes whose free objects must keep their contents, else 0)
 *
 * The caller sets a private class's options (ctor, rcu, poison, ...) before
 * it allocates from it. On failure nothing is left allocated or registered.
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int gomem_class_init(struct gomem_class *cls, unsigned int spanclass,
		     struct gomem_cache *cache, unsigned int objsize, unsigned int link_off)
{
	unsigned int sc = gomem_spanclass_sizeclass(spanclass);
	unsigned long flags;
	int node, cpu;

	BUILD_BUG_ON(sizeof(struct gomem_class) != GOMEM_CLASS_SIZE);
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
	spin_lock_irqsave(&gomem_class_lock, flags);
	list_add_tail(&cls->registry, &gomem_class_list);
	spin_unlock_irqrestore(&gomem_class_lock, flags);
	return 0;
}

/**
 * gomem_class_destroy() - unregister a drained class instance and free it
 * @cls: the class; every CPU drained, every object freed
 *
 * Return: objects still allocated (then nothing is freed and the class
 * stays registered: the spans stay, as SLUB keeps the slabs of a cache
 * destroyed with live objects).
 */
unsigned long gomem_class_destroy(struct gomem_class *cls)
{
	unsigned long left = gomem_mcentral_leftover(cls);
	unsigned long flags;

	if (left)
		return left;
	spin_lock_irqsave(&gomem_class_lock, flags);
	list_del(&cls->registry);
	spin_unlock_irqrestore(&gomem_class_lock, flags);
	free_percpu(cls->pcpu);
	kfree(cls->central);
	cls->pcpu = NULL;
	cls->central = NULL;
	return 0;
}

/**
 * gomem_class_for_each() - call @fn on every registered class instance
 * @fn: the function; called under gomem_class_lock with interrupts off, so
 *	it must not sleep; it may take mcentral and heap locks
 * @arg: passed to @fn
 *
 * The global classes come first, in span class order, then private ones in
 * the order they were created.
 *
 * Context: any context that holds no gomem lock.
 */
void gomem_class_for_each(void (*fn)(struct gomem_class *cls, void *arg), void *arg)
{
	struct gomem_class *cls;
	unsigned long flags;

	spin_lock_irqsave(&gomem_class_lock, flags);
	list_for_each_entry(cls, &gomem_class_list, registry)
		fn(cls, arg);
	spin_unlock_irqrestore(&gomem_class_lock, flags);
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
 * gomem_classes_exit() - free the global classes' structures
 *
 * Every CPU must have been drained. A class with objects still allocated is
 * reported and kept.
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
}
