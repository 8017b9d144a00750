// SPDX-License-Identifier: GPL-2.0
/*
 * Event counters: per-CPU, incremented by their CPU (this_cpu_add, no
 * atomics, no locks) and summed over the possible CPUs on read, so reading
 * /proc/gomem under full load is safe and cheap. Sums are snapshots: a
 * counter may move while the others are read.
 *
 * In use = allocs - frees must never read negative, even under load: an
 * object allocated on CPU A after A's allocs were read and freed on CPU B
 * before B's frees were read would be counted freed and not allocated.
 * So every reader sums the frees first, then smp_rmb(), then the allocs:
 * a free it counted follows its alloc (the object reached the freeing CPU
 * after the allocating CPU counted it), so that alloc is counted too.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/nodemask.h>
#include "stats.h"
#include "class.h"
#include "faultinject.h"

struct gomem_stats __percpu *gomem_pcpu_stats;

/**
 * gomem_stats_init() - allocate the per-CPU counters
 *
 * Return: 0 or -ENOMEM.
 */
int gomem_stats_init(void)
{
	gomem_pcpu_stats = gomem_meta_alloc(alloc_percpu(struct gomem_stats));
	return gomem_pcpu_stats ? 0 : -ENOMEM;
}

/**
 * gomem_stats_exit() - free the per-CPU counters
 */
void gomem_stats_exit(void)
{
	free_percpu(gomem_pcpu_stats);
	gomem_pcpu_stats = NULL;
}

/**
 * gomem_stat_sum() - one counter summed over every CPU
 * @item: the counter
 *
 * Return: the sum.
 */
unsigned long gomem_stat_sum(enum gomem_stat_item item)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(gomem_pcpu_stats, cpu)->v[item]);
	return sum;
}

/**
 * gomem_class_sum() - a class's per-CPU figures summed
 * @cls: the class
 * @allocs: objects allocated
 * @frees: objects freed
 * @cached: objects sitting in magazines, remote-free batches and transfer
 *	caches
 */
void gomem_class_sum(struct gomem_class *cls, unsigned long *allocs, unsigned long *frees,
		     unsigned long *cached)
{
	struct gomem_mcache *mc;
	int cpu, node;

	*allocs = 0;
	*frees = 0;
	*cached = 0;
	for_each_possible_cpu(cpu)
		*frees += READ_ONCE(per_cpu_ptr(cls->pcpu, cpu)->frees);
	smp_rmb();	/* the frees before the allocs: see the top of this file */
	for_each_possible_cpu(cpu) {
		mc = per_cpu_ptr(cls->pcpu, cpu);
		*allocs += READ_ONCE(mc->allocs);
		*cached += READ_ONCE(mc->nmag) + READ_ONCE(mc->nremote);
	}
	for (node = 0; node < nr_node_ids; node++)
		*cached += READ_ONCE(cls->central[node].nxfer);
}
