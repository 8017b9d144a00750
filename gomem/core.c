// SPDX-License-Identifier: GPL-2.0
/*
 * Bringing gomem's core up and down, in one order, for the module (main.c)
 * and for the userspace test harness alike:
 *
 *   statistics -> chunk index (arena) -> page heaps -> global classes ->
 *   kmalloc debug classes (gomem.debug=) -> free hints (mcache) -> tiny
 *   allocator -> hotplug callback and shrinker
 *
 * and back down in reverse, after every CPU was drained and every free
 * page released. /proc/gomem is the module's own (main.c, procfs.c).
 */
#include <linux/kernel.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include "core.h"
#include "arena.h"
#include "class.h"
#include "drain.h"
#include "mcache.h"
#include "mheap.h"
#include "stats.h"
#include "tiny.h"
#include "debug.h"

/**
 * gomem_core_init() - set every layer up, bottom first
 *
 * Context: process context; may sleep.
 * Return: 0, or a negative errno with nothing left set up.
 */
int gomem_core_init(void)
{
	int err;

	err = gomem_stats_init();
	if (err)
		return err;
	err = gomem_arena_init();
	if (err)
		goto fail_stats;
	err = gomem_heap_init();
	if (err)
		goto fail_arena;
	gomem_queued_init();	/* before the first object is freed */
	err = gomem_classes_init();
	if (err)
		goto fail_heap;
	err = gomem_debug_kmalloc_init();	/* before anything is allocated */
	if (err)
		goto fail_debug;
	err = gomem_mcache_init();
	if (err)
		goto fail_debug;
	err = gomem_tiny_init();
	if (err)
		goto fail_mcache;
	err = gomem_drain_init();
	if (err)
		goto fail_tiny;
	return 0;

fail_tiny:
	gomem_tiny_exit();
fail_mcache:
	gomem_mcache_exit();
fail_debug:
	gomem_debug_kmalloc_exit();
	gomem_classes_exit();
fail_heap:
	gomem_heap_exit();
fail_arena:
	gomem_arena_exit();
fail_stats:
	gomem_stats_exit();
	return err;
}

/**
 * gomem_core_exit() - drain, release and tear every layer down, top first
 * @released: set to the gomem pages given back to the buddy allocator over
 *	gomem's life
 *
 * Context: process context; may sleep. No cache may be in use.
 * Return: gomem pages still held after everything free was released (0
 * unless objects were leaked; those pages stay with the leaked objects).
 */
unsigned long gomem_core_exit(unsigned long *released)
{
	unsigned long held = 0, h_held, h_free;
	struct gomem_heap_stats st;
	int node;

	rcu_barrier();		/* pending gomem_kfree_rcu() frees */
	gomem_drain_exit();	/* no more hotplug callbacks; every CPU drained */
	gomem_release_free();
	rcu_barrier();		/* typesafe-by-RCU spans the release freed */
	gomem_tiny_exit();
	gomem_mcache_exit();
	gomem_debug_kmalloc_exit();
	gomem_classes_exit();
	*released = 0;
	for_each_node(node) {
		if (!gomem_heaps[node])
			continue;
		gomem_heap_release(gomem_heaps[node], 0);
		gomem_heap_snapshot(gomem_heaps[node], &st, &h_held, &h_free);
		held += h_held;
		*released += st.released_pages;
	}
	gomem_heap_exit();
	gomem_arena_exit();
	gomem_stats_exit();
	return held;
}
