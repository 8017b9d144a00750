// SPDX-License-Identifier: GPL-2.0
/*
 * gomem.ko: module init and exit, the shrinker and CPU hotplug.
 *
 * Memory gomem holds but does not use is bounded by: the per-CPU magazines
 * and cached spans (mcache.c), the pages each node keeps free
 * (retain_kb, mheap.c), and nothing else; the shrinker drains the first and
 * releases the second under memory pressure, writing "shrink" to
 * /proc/gomem does the same on demand, and unloading releases everything.
 *
 * CPU hotplug: a dynamic "dead" state; when a CPU has gone, a control CPU
 * empties its magazines, hands its cached spans back to their mcentral and
 * retires its tiny block.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/cpuhotplug.h>
#include <linux/shrinker.h>
#include <linux/nodemask.h>
#include "gomem_internal.h"

static unsigned int retain_kb = 4096;
module_param(retain_kb, uint, 0444);
MODULE_PARM_DESC(retain_kb, "free memory each node keeps rather than release, KiB (4096)");

static enum cpuhp_state gomem_cpuhp_state;

static unsigned long gomem_shrink_count(struct shrinker *sh, struct shrink_control *sc)
{
	return gomem_heap_reclaimable() ?: SHRINK_EMPTY;
}

static unsigned long gomem_shrink_scan(struct shrinker *sh, struct shrink_control *sc)
{
	return gomem_shrink_reclaim() << GOMEM_PAGE_ORDER;
}

static struct shrinker gomem_shrinker = {
	.count_objects = gomem_shrink_count,
	.scan_objects = gomem_shrink_scan,
	.seeks = DEFAULT_SEEKS,
};

static int gomem_cpu_dead(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	gomem_drain_cpu(cpu);
	local_irq_restore(flags);
	return 0;
}

static int __init gomem_init(void)
{
	int err;

	gomem_retain_pages = ((unsigned long)retain_kb << 10) >> GOMEM_PAGE_SHIFT;
	err = gomem_stats_init();
	if (err)
		return err;
	err = gomem_arena_init();
	if (err)
		goto fail_stats;
	err = gomem_heap_init();
	if (err)
		goto fail_arena;
	err = gomem_classes_init();
	if (err)
		goto fail_heap;
	err = gomem_tiny_init();
	if (err)
		goto fail_classes;
	err = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "gomem:dead", NULL,
					gomem_cpu_dead);
	if (err < 0)
		goto fail_tiny;
	gomem_cpuhp_state = err;
	err = register_shrinker(&gomem_shrinker, "gomem");
	if (err)
		goto fail_cpuhp;
	err = gomem_procfs_init();
	if (err)
		goto fail_shrinker;
	pr_info("gomem: loaded: %u size classes, %u nodes, retaining %u KiB per node\n",
		GOMEM_NUM_SIZE_CLASSES, nr_node_ids, retain_kb);
	return 0;

fail_shrinker:
	unregister_shrinker(&gomem_shrinker);
fail_cpuhp:
	cpuhp_remove_state_nocalls(gomem_cpuhp_state);
fail_tiny:
	gomem_tiny_exit();
fail_classes:
	gomem_classes_exit();
fail_heap:
	gomem_heap_exit();
fail_arena:
	gomem_arena_exit();
fail_stats:
	gomem_stats_exit();
	return err;
}

static void __exit gomem_exit(void)
{
	unsigned long held = 0, released = 0, h_held, h_free;
	struct gomem_heap_stats st;
	int node;

	gomem_procfs_exit();
	unregister_shrinker(&gomem_shrinker);
	rcu_barrier();		/* pending gomem_kfree_rcu() frees */
	gomem_drain_all();	/* online and offline CPUs */
	gomem_release_empty_spans();
	rcu_barrier();		/* typesafe-by-RCU spans the drain released */
	cpuhp_remove_state_nocalls(gomem_cpuhp_state);
	if (!list_empty(&gomem_caches))
		pr_err("gomem: caches still exist at exit (destroyed with live objects)\n");
	gomem_tiny_exit();
	gomem_classes_exit();
	for_each_node(node) {
		if (!gomem_heaps[node])
			continue;
		gomem_heap_release(gomem_heaps[node], 0);
		gomem_heap_snapshot(gomem_heaps[node], &st, &h_held, &h_free);
		held += h_held;
		released += st.released_pages;
	}
	gomem_heap_exit();
	gomem_arena_exit();
	gomem_stats_exit();
	pr_info("gomem: unloaded: %lu KiB given back in all, %lu KiB still held\n",
		released << (GOMEM_PAGE_SHIFT - 10), held << (GOMEM_PAGE_SHIFT - 10));
}

module_init(gomem_init);
module_exit(gomem_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("gomem developers");
MODULE_DESCRIPTION("The Go runtime's memory allocator for kernel modules");
