/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bringing gomem's core up and down in userspace tests: gomem_core_init()
 * and gomem_core_exit() (core.c), the module's own order; the module adds
 * only /proc/gomem. The shim records the shrinker and the CPU hotplug
 * callback (shim_shrinker, shim_cpu_dead) so that tests can call them.
 */
#ifndef _GOMEM_HOST_H
#define _GOMEM_HOST_H

#include "shim.h"
#include <gomem.h>
#include "gomem_internal.h"

static inline int gomem_host_init(void)
{
	shim_cpu_id();
	return gomem_core_init();
}

/* Return: gomem pages still held after everything was released */
static inline unsigned long gomem_host_exit(void)
{
	unsigned long released;

	return gomem_core_exit(&released);
}

static inline void gomem_host_check_class(struct gomem_class *cls, void *bad)
{
	*(unsigned int *)bad += gomem_mcentral_check(cls);
}

/*
 * The span-state table of every class instance (gomem_mcentral_check()).
 * Only while no other thread is inside gomem. Return: violations found.
 */
static inline unsigned int gomem_host_check(void)
{
	unsigned int bad = 0;

	gomem_class_for_each(gomem_host_check_class, &bad);
	return bad;
}

/* CPU @cpu goes offline: the module's CPU hotplug callback runs for it */
static inline void gomem_host_cpu_dead(int cpu)
{
	BUG_ON(!shim_cpu_dead);
	shim_cpu_dead(cpu);
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
		if (gomem_classes[spc].merged) {	/* merged caches' objects */
			gomem_class_sum(gomem_classes[spc].merged, &a, &f, &c);
			n += a - f;
		}
	}
	return n;
}

#endif /* _GOMEM_HOST_H */
