// SPDX-License-Identifier: GPL-2.0
/*
 * Draining and giving back: the policy that turns cached memory into free
 * pages, and free pages into memory the kernel has again.
 *
 * What gomem holds without using it: objects in per-CPU magazines and
 * batches for other nodes, the CPUs' cached spans and tiny blocks (mcache.c,
 * tiny.c), the transfer caches and empty spans on partial lists
 * (mcentral.c), and free pages the page heaps retain (mheap.c). A drain of
 * a CPU empties the first three into the spans; gomem_release_free()
 * empties the transfer caches, gives empty spans to the page heaps and has
 * the heaps release every wholly free block.
 *
 * Who drains:
 *  - the CPU hotplug "dead" callback, for the CPU that went away (a control
 *    CPU, interrupts off);
 *  - the shrinker, under memory pressure: every online CPU drains itself in
 *    an IPI, or a work item on PREEMPT_RT (no CPU hotplug lock in reclaim:
 *    a hotplug callback that allocates may be what reclaims), then
 *    everything is released;
 *  - gomem_cache_shrink(), "shrink" in /proc/gomem, cache destroy and
 *    unload: gomem_drain_all() (online CPUs and, under the hotplug lock,
 *    offline ones), then a release.
 * Every walk over the classes goes through the class registry
 * (gomem_class_for_each()), never through the cache list: the cache
 * mutex is not taken on any drain path. Locks: locking.h.
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

static void drain_class_cpu(struct gomem_class *cls, void *cpu)
{
	gomem_mcache_drain_cpu(cls, (long)cpu);
}

/**
 * gomem_drain_cpu() - empty one CPU's magazines and cached spans, all classes
 * @cpu: the current CPU, or a dead CPU; interrupts off either way
 *
 * The CPU's tiny block is retired first (its objects may free the block
 * into the tiny class's magazine), then every class's state is drained.
 */
void gomem_drain_cpu(int cpu)
{
	gomem_assert_cpu_locked();
	gomem_tiny_drain_cpu(cpu);
	gomem_class_for_each(drain_class_cpu, (void *)(long)cpu);
}

/*
 * Draining online CPUs. Without PREEMPT_RT, an IPI to each CPU: prompt even
 * when a CPU runs a task that never schedules. On PREEMPT_RT, IPIs run in
 * hard interrupt context, where its sleeping spinlocks may not be taken:
 * a work item per CPU instead, on a WQ_MEM_RECLAIM workqueue (the shrinker
 * waits for them in reclaim), as SLUB flushes its CPU slabs.
 */
struct gomem_drain_work {
	struct work_struct work;
	int cpu;
};

static struct gomem_drain_work __percpu *gomem_drain_works;
static struct workqueue_struct *gomem_drain_wq;

static void drain_this_cpu(void *info)
{
	unsigned long flags;

	gomem_cpu_lock(flags);
	gomem_drain_cpu(smp_processor_id());
	gomem_cpu_unlock(flags);
}

static void drain_work_fn(struct work_struct *work)
{
	struct gomem_drain_work *w = container_of(work, struct gomem_drain_work, work);
	unsigned long flags;

	gomem_cpu_lock(flags);
	/*
	 * A work whose CPU went down runs elsewhere: skip it, the CPU's
	 * hotplug callback drains it.
	 */
	if (w->cpu == smp_processor_id())
		gomem_drain_cpu(w->cpu);
	gomem_cpu_unlock(flags);
}

static void drain_xfer(struct gomem_class *cls, void *arg)
{
	gomem_mcentral_drain_xfer(cls);
}

/**
 * gomem_drain_online() - empty every online CPU's magazines and cached spans
 *
 * An IPI (a work item on PREEMPT_RT) to each online CPU, without the CPU
 * hotplug lock, so the shrinker may call it from reclaim; then the transfer
 * caches. Offline CPUs were drained by the hotplug callback.
 *
 * Context: process context, may sleep.
 */
void gomem_drain_online(void)
{
	int cpu;

	if (!IS_ENABLED(CONFIG_PREEMPT_RT)) {
		on_each_cpu(drain_this_cpu, NULL, 1);
	} else {
		for_each_online_cpu(cpu)
			queue_work_on(cpu, gomem_drain_wq,
				      &per_cpu_ptr(gomem_drain_works, cpu)->work);
		for_each_online_cpu(cpu)
			flush_work(&per_cpu_ptr(gomem_drain_works, cpu)->work);
	}
	gomem_class_for_each(drain_xfer, NULL);
}

/**
 * gomem_drain_all() - empty every CPU's magazines and cached spans
 *
 * Runs a drain on each online CPU (gomem_drain_online()), and drains offline CPUs
 * from here (CPUs that went down while the hotplug callback was not
 * installed).
 *
 * Context: process context, may sleep (CPU hotplug lock).
 */
void gomem_drain_all(void)
{
	unsigned long flags;
	int cpu;

	cpus_read_lock();
	gomem_drain_online();
	for_each_possible_cpu(cpu) {
		if (cpu_online(cpu))
			continue;
		gomem_cpu_lock(flags);
		gomem_drain_cpu(cpu);
		gomem_cpu_unlock(flags);
	}
	cpus_read_unlock();
}

static void release_empty(struct gomem_class *cls, void *arg)
{
	gomem_mcentral_release_empty(cls);
}

/**
 * gomem_release_empty_spans() - give every class's empty spans to the heaps
 *
 * The page heaps keep the pages (up to their retain limit).
 *
 * Context: any context that holds no gomem lock.
 */
void gomem_release_empty_spans(void)
{
	gomem_class_for_each(release_empty, NULL);
}

/**
 * gomem_release_free() - give back empty spans, then wholly free blocks
 *
 * Context: any context that holds no gomem lock and may free pages.
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

static unsigned long gomem_shrink_count(struct shrinker *sh, struct shrink_control *sc)
{
	return gomem_heap_reclaimable() ?: SHRINK_EMPTY;
}

/* drains online CPUs only: no CPU hotplug lock in reclaim */
static unsigned long gomem_shrink_scan(struct shrinker *sh, struct shrink_control *sc)
{
	gomem_drain_online();
	return gomem_release_free() << GOMEM_PAGE_ORDER;
}

static struct shrinker gomem_shrinker = {
	.count_objects = gomem_shrink_count,
	.scan_objects = gomem_shrink_scan,
	.seeks = DEFAULT_SEEKS,
};

static enum cpuhp_state gomem_cpuhp_state;

/* the per-CPU drain works and their workqueue: PREEMPT_RT only */
static int drain_works_init(void)
{
	int cpu;

	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		return 0;
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
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		return;
	destroy_workqueue(gomem_drain_wq);
	free_percpu(gomem_drain_works);
}

static int gomem_cpu_dead(unsigned int cpu)
{
	unsigned long flags;

	gomem_cpu_lock(flags);
	gomem_drain_cpu(cpu);
	gomem_cpu_unlock(flags);
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
