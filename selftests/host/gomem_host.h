/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bringing gomem's core up and down in userspace tests: what main.c does
 * in the kernel, minus procfs, the shrinker and cpuhp (tests call
 * gomem_drain_cpu() themselves when a thread, their "CPU", goes away).
 */
#ifndef _GOMEM_HOST_H
#define _GOMEM_HOST_H

#include "shim.h"
#include <gomem.h>
#include "gomem_internal.h"

static inline int gomem_host_init(void)
{
	int err;

	shim_cpu_id();
	err = gomem_stats_init();
	err = err ?: gomem_arena_init();
	err = err ?: gomem_heap_init();
	err = err ?: gomem_classes_init();
	err = err ?: gomem_tiny_init();
	return err;
}

/* Return: gomem pages still held after everything was released */
static inline unsigned long gomem_host_exit(void)
{
	unsigned long held = 0, h, f;
	struct gomem_heap_stats st;
	int node;

	rcu_barrier();
	gomem_shrink_all();
	for_each_node(node) {
		gomem_heap_snapshot(gomem_heaps[node], &st, &h, &f);
		held += h;
	}
	gomem_tiny_exit();
	gomem_classes_exit();
	gomem_heap_exit();
	gomem_arena_exit();
	gomem_stats_exit();
	return held;
}


static inline unsigned long gomem_host_held_pages(void)
{
	unsigned long held = 0, h, f;
	struct gomem_heap_stats st;
	int node;

	for_each_node(node) {
		gomem_heap_snapshot(gomem_heaps[node], &st, &h, &f);
		held += h;
	}
	return held;
}

static inline long gomem_host_small_inuse(void)
{
	unsigned long a, f, c;
	long n = 0;
	unsigned int spc;

	for (spc = 2; spc < GOMEM_NUM_SPAN_CLASSES; spc++) {
		gomem_class_sum(&gomem_classes[spc], &a, &f, &c);
		n += a - f;
	}
	return n;
}

#endif /* _GOMEM_HOST_H */
