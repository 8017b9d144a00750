// SPDX-License-Identifier: GPL-2.0
/*
 * Draining and giving back: the policy that turns cached memory into free
 * pages, and free pages into memory the kernel has again.
 *
 * What gomem holds without using it: objects in per-CPU magazines and
 * batches for other nodes, the CPUs' cached spans and tiny blocks (mcache.c,
 * tiny.c), the transfer caches and empty spans on the central lists
 * (mcentral.c), and free pages the page heaps retain (mheap.c). A drain of
 * a CPU empties the first three into the spans; gomem_release_free()
 * empties the transfer caches, gives empty spans to the page heaps and has
 * the heaps release every wholly free block.
 *
 * Who drains:
 *  - the CPU hotplug "dead" callback, for the CPU that went away (a control
 *    CPU, class by class);
 *  - the shrinker, under memory pressure: it counts what it could give back
 *    from counters (gomem_shrink_count()) and gives back about what reclaim
 *    asks for, idlest first (gomem_shrink_scan()): the heaps' free pages,
 *    then empty spans, then the transfer caches, then the CPUs' state, one
 *    CPU at a time, only CPUs that hold anything, each in a work item on
 *    that CPU (no CPU hotplug lock in reclaim: a hotplug callback that
 *    allocates may be what reclaims);
 *  - gomem_cache_shrink(), "shrink" in /proc/gomem, cache destroy and
 *    unload: gomem_drain_all() (online CPUs and, under the hotplug lock,
 *    offline ones), then a release.
 * Every walk over the classes goes through the class registry
 * (gomem_class_for_each(), under its mutex, in process context), never
 * through the cache list: the cache mutex is not taken on any drain path.
 *
 * Bounded sections: a CPU is drained one class at a time, each class in a
 * CPU section of its own (its magazine, its batch for other nodes, its
 * cached span: locking.h states the bound), never all classes with
 * interrupts off; releases take at most GOMEM_RELEASE_BATCH spans or one
 * chunk per lock hold. Locks: locking.h.
 */
#include <linux/kernel.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/shrinker.h>
#include <linux/nodemask.h>
#include <linux/smp.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include "drain.h"
#include "class.h"
#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "tiny.h"
#include "faultinject.h"

/* the argument of drain_class_cpu(): a CPU, and whether it is online */
#define DRAIN_ONLINE	(1L << 30)

/* drain @cpu's state of one class, in a CPU section; skip if we moved off @cpu */
static void drain_class_cpu(struct gomem_class *cls, void *arg)
{
	int cpu = (long)arg & ~DRAIN_ONLINE;
	unsigned long flags;

	gomem_cpu_lock(flags);
	if (!((long)arg & DRAIN_ONLINE) || cpu == smp_processor_id())
		gomem_mcache_drain_cpu(cls, cpu);
	gomem_cpu_unlock(flags);
}

/**
 * gomem_drain_cpu() - empty one CPU's magazines and cached spans, all classes
 * @cpu: the CPU
 * @online: @cpu is online and this runs on it (a drain work item): each
 *	section checks that it still does; else @cpu is offline (dead, or
 *	kept offline by the CPU hotplug lock) and this runs on any CPU
 *
 * The CPU's tiny block is retired first (its objects may free the block
 * into the tiny class's magazine), then every class's state is drained,
 * each class in a CPU section of its own.
 *
 * Context: process context, may sleep; not inside the CPU section.
 */
void gomem_drain_cpu(int cpu, bool online)
{
	unsigned long flags;

	gomem_cpu_lock(flags);
	if (!online || cpu == smp_processor_id())
		gomem_tiny_drain_cpu(cpu);
	gomem_cpu_unlock(flags);
	gomem_class_for_each(drain_class_cpu, (void *)((long)cpu | (online ? DRAIN_ONLINE : 0)));
}

/*
 * Draining online CPUs: a work item per CPU, on a WQ_MEM_RECLAIM workqueue
 * (the shrinker waits for them in reclaim), as SLUB flushes its CPU slabs:
 * the drain runs in process context on its CPU, class by class, instead of
 * all classes in one interrupts-off IPI; and only CPUs that hold anything
 * get one.
 */
struct gomem_drain_work {
	struct work_struct work;
	int cpu;
};

static struct gomem_drain_work __percpu *gomem_drain_works;
static struct workqueue_struct *gomem_drain_wq;

static void drain_work_fn(struct work_struct *work)
{
	struct gomem_drain_work *w = container_of(work, struct gomem_drain_work, work);

	/*
	 * A work whose CPU went down runs elsewhere: each section skips it,
	 * the CPU's hotplug callback drains it.
	 */
	gomem_drain_cpu(w->cpu, true);
}

struct cpu_holds {
	int cpu;
	bool any;
};

static void class_holds(struct gomem_class *cls, void *arg)
{
	struct cpu_holds *h = arg;
	struct gomem_mcache *mc = per_cpu_ptr(cls->pcpu, h->cpu);

	if (READ_ONCE(mc->nmag) || READ_ONCE(mc->nremote) || READ_ONCE(mc->span))
		h->any = true;
}

/* does @cpu hold anything a drain would give back? (a racy hint) */
static bool cpu_holds_anything(int cpu)
{
	struct cpu_holds h = { .cpu = cpu };

	if (gomem_tiny_cpu_holds(cpu))
		return true;
	gomem_class_for_each(class_holds, &h);
	return h.any;
}

/* drain @cpu (online) in its work item, if it holds anything; wait for it */
static bool drain_online_cpu(int cpu)
{
	struct work_struct *work = &per_cpu_ptr(gomem_drain_works, cpu)->work;

	if (!cpu_holds_anything(cpu))
		return false;
	queue_work_on(cpu, gomem_drain_wq, work);
	flush_work(work);
	return true;
}

static void drain_xfer(struct gomem_class *cls, void *arg)
{
	gomem_mcentral_drain_xfer(cls);
}

/**
 * gomem_drain_online() - empty every online CPU's magazines and cached spans
 *
 * A work item on each online CPU that holds anything, without the CPU
 * hotplug lock, so the shrinker may call it from reclaim; then the transfer
 * caches. Offline CPUs were drained by the hotplug callback.
 *
 * Context: process context, may sleep.
 */
void gomem_drain_online(void)
{
	int cpu;

	/* queue them all, then wait: the CPUs drain in parallel */
	for_each_online_cpu(cpu)
		if (cpu_holds_anything(cpu))
			queue_work_on(cpu, gomem_drain_wq,
				      &per_cpu_ptr(gomem_drain_works, cpu)->work);
	for_each_online_cpu(cpu)	/* an idle work returns at once */
		flush_work(&per_cpu_ptr(gomem_drain_works, cpu)->work);
	gomem_class_for_each(drain_xfer, NULL);
}

/**
 * gomem_drain_all() - empty every CPU's magazines and cached spans
 *
 * Runs a drain on each online CPU (gomem_drain_online()), and drains offline
 * CPUs from here (CPUs that went down while the hotplug callback was not
 * installed).
 *
 * Context: process context, may sleep (CPU hotplug lock).
 */
void gomem_drain_all(void)
{
	int cpu;

	cpus_read_lock();
	gomem_drain_online();
	for_each_possible_cpu(cpu)
		if (!cpu_online(cpu))
			gomem_drain_cpu(cpu, false);
	cpus_read_unlock();
}

struct release_ctl {
	unsigned long max;		/* spans still wanted */
	unsigned long done;		/* spans released */
};

static void release_empty(struct gomem_class *cls, void *arg)
{
	struct release_ctl *rc = arg;
	unsigned long n;

	if (rc->done >= rc->max)
		return;
	n = gomem_mcentral_release_empty(cls, rc->max - rc->done);
	rc->done += n;
}

/* give up to @max empty spans to the heaps; Return: how many */
static unsigned long release_empty_spans(unsigned long max)
{
	struct release_ctl rc = { .max = max };

	gomem_class_for_each(release_empty, &rc);
	return rc.done;
}

/**
 * gomem_release_empty_spans() - give every class's empty spans to the heaps
 *
 * The page heaps keep the pages (up to their retain limit).
 *
 * Context: process context, holds no gomem lock.
 */
void gomem_release_empty_spans(void)
{
	release_empty_spans(ULONG_MAX);
}

/**
 * gomem_release_free() - give back empty spans, then wholly free blocks
 *
 * Context: process context, holds no gomem lock.
 * Return: gomem pages given back to the buddy allocator.
 */
unsigned long gomem_release_free(void)
{
	unsigned long done = 0;
	int node;

	gomem_release_empty_spans();
	for_each_node(node)
		if (gomem_heaps[node])
			done += gomem_heap_release(gomem_heaps[node], 0);
	return done;
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
 * gomem_shrink_count() - what the shrinker could give back
 *
 * The heaps' free pages, and the memory of the free objects and empty spans
 * that gomem keeps (gomem_classes_idle_bytes()): from counters, without a
 * lock and without walking a span list.
 *
 * Return: kernel pages (0 when gomem holds nothing idle).
 */
unsigned long gomem_shrink_count(void)
{
	return gomem_heap_reclaimable() + (gomem_classes_idle_bytes() >> PAGE_SHIFT);
}

/* kernel pages given back since @held0 (gomem_heap_held()), never negative */
static unsigned long given_back(unsigned long held0)
{
	unsigned long held = gomem_heap_held();

	return held < held0 ? held0 - held : 0;
}

/* release about @nr kernel pages of the heaps' free pages, node by node */
static void shrink_heaps(unsigned long nr)
{
	unsigned long want = DIV_ROUND_UP(nr, 1UL << GOMEM_PAGE_ORDER), done = 0;
	int node;

	for_each_node(node)
		if (gomem_heaps[node] && done < want)
			done += gomem_heap_shrink(gomem_heaps[node], want - done);
}

struct xfer_ctl {
	unsigned long want;		/* kernel pages free in the heaps */
};

static void drain_xfer_some(struct gomem_class *cls, void *arg)
{
	struct xfer_ctl *xc = arg;

	if (gomem_heap_reclaimable() < xc->want)
		gomem_mcentral_drain_xfer(cls);
}

/**
 * gomem_shrink_scan() - give about @nr kernel pages back, idlest first
 * @nr: kernel pages wanted (the shrinker's nr_to_scan)
 *
 * In order, stopping as soon as @nr pages went back to the buddy
 * allocator: the heaps' free pages; the empty spans on the central lists;
 * the transfer caches, class by class; then the CPUs' magazines, batches
 * and cached spans, one online CPU at a time (only CPUs that hold
 * anything, each in a work item on it). Each step that frees objects or
 * spans is followed by a release of the heaps' free pages. The last heap
 * release may exceed @nr by less than one buddy block.
 *
 * Context: process context, may sleep; no CPU hotplug lock.
 * Return: kernel pages given back.
 */
unsigned long gomem_shrink_scan(unsigned long nr)
{
	unsigned long held0 = gomem_heap_held(), freed;
	struct xfer_ctl xc;
	int cpu;

	shrink_heaps(nr);
	freed = given_back(held0);
	if (freed >= nr)
		return freed;
	release_empty_spans(DIV_ROUND_UP(nr - freed, 1UL << GOMEM_PAGE_ORDER));
	shrink_heaps(nr - freed);
	freed = given_back(held0);
	if (freed >= nr)
		return freed;
	xc.want = nr - freed;
	gomem_class_for_each(drain_xfer_some, &xc);
	/* spans the drain emptied may stay on the empty lists (keep_empty()) */
	release_empty_spans(DIV_ROUND_UP(nr - freed, 1UL << GOMEM_PAGE_ORDER));
	shrink_heaps(nr - freed);
	freed = given_back(held0);
	for_each_online_cpu(cpu) {
		if (freed >= nr)
			break;
		if (!drain_online_cpu(cpu))
			continue;
		release_empty_spans(DIV_ROUND_UP(nr - freed, 1UL << GOMEM_PAGE_ORDER));
		shrink_heaps(nr - freed);
		freed = given_back(held0);
	}
	return freed;
}

static unsigned long shrinker_count(struct shrinker *sh, struct shrink_control *sc)
{
	return gomem_shrink_count() ?: SHRINK_EMPTY;
}

/* drains online CPUs only: no CPU hotplug lock in reclaim */
static unsigned long shrinker_scan(struct shrinker *sh, struct shrink_control *sc)
{
	unsigned long freed = gomem_shrink_scan(sc->nr_to_scan);

	sc->nr_scanned = sc->nr_to_scan;
	return freed;
}

static struct shrinker gomem_shrinker = {
	.count_objects = shrinker_count,
	.scan_objects = shrinker_scan,
	.seeks = DEFAULT_SEEKS,
};

static enum cpuhp_state gomem_cpuhp_state;

/* the per-CPU drain works and their workqueue */
static int drain_works_init(void)
{
	int cpu;

	gomem_drain_works = gomem_meta_alloc(alloc_percpu(struct gomem_drain_work));
	if (!gomem_drain_works)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		INIT_WORK(&per_cpu_ptr(gomem_drain_works, cpu)->work, drain_work_fn);
		per_cpu_ptr(gomem_drain_works, cpu)->cpu = cpu;
	}
	gomem_drain_wq = alloc_workqueue("gomem_drain", WQ_MEM_RECLAIM, 0);
	if (!gomem_drain_wq) {
		free_percpu(gomem_drain_works);
		return -ENOMEM;
	}
	return 0;
}

static void drain_works_exit(void)
{
	destroy_workqueue(gomem_drain_wq);
	free_percpu(gomem_drain_works);
}

static int gomem_cpu_dead(unsigned int cpu)
{
	gomem_drain_cpu(cpu, false);
	return 0;
}

/**
 * gomem_drain_init() - install the CPU hotplug callback and the shrinker
 *
 * Return: 0 or a negative errno (then neither is installed).
 */
int gomem_drain_init(void)
{
	int err;

	err = drain_works_init();
	if (err)
		return err;
	err = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "gomem:dead", NULL,
					gomem_cpu_dead);
	if (err < 0)
		goto fail_works;
	gomem_cpuhp_state = err;
	err = register_shrinker(&gomem_shrinker, "gomem");
	if (err)
		goto fail_cpuhp;
	return 0;

fail_cpuhp:
	cpuhp_remove_state_nocalls(gomem_cpuhp_state);
fail_works:
	drain_works_exit();
	return err;
}

/**
 * gomem_drain_exit() - remove the shrinker and the hotplug callback, then
 *	drain every CPU, online or not
 *
 * The callback goes before the drain: a CPU that dies after it is removed
 * is still drained here (gomem_drain_all() covers offline CPUs).
 *
 * Context: process context, may sleep.
 */
void gomem_drain_exit(void)
{
	unregister_shrinker(&gomem_shrinker);
	cpuhp_remove_state_nocalls(gomem_cpuhp_state);
	gomem_drain_all();
	drain_works_exit();
}
