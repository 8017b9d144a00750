/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event counters and per-class figures, summed on read. See stats.c.
 */
#ifndef _GOMEM_STATS_H
#define _GOMEM_STATS_H

#include <linux/percpu.h>

enum gomem_stat_item {
	GOMEM_STAT_TINY_ALLOCS,
	GOMEM_STAT_TINY_FREES,
	GOMEM_STAT_TINY_BLOCKS,		/* blocks taken for tiny packing */
	GOMEM_STAT_VMALLOC_ALLOCS,
	GOMEM_STAT_VMALLOC_FREES,
	GOMEM_STAT_REMOTE_NODE_FREES,
	GOMEM_STAT_BAD_FREES,
	GOMEM_STAT_DOUBLE_FREES,
	GOMEM_STAT_FAILED_ALLOCS,
	GOMEM_STAT_FOREIGN_FREES,	/* gomem_*_any(): given to the kernel */
	GOMEM_NR_STATS
};

struct gomem_stats {
	unsigned long v[GOMEM_NR_STATS];
};

extern struct gomem_stats __percpu *gomem_pcpu_stats;

static inline void gomem_stat_add(enum gomem_stat_item item, long n)
{
	this_cpu_add(gomem_pcpu_stats->v[item], n);
}

struct gomem_class;

int gomem_stats_init(void);
void gomem_stats_exit(void);
unsigned long gomem_stat_sum(enum gomem_stat_item item);
void gomem_class_sum(struct gomem_class *cls, unsigned long *allocs, unsigned long *frees,
		     unsigned long *cached);

#endif /* _GOMEM_STATS_H */
