// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection, for tests: make the Nth allocation of one kind fail, as
 * the kernel's per-task fail-nth does (the kernel's should_failslab() is
 * not exported to modules, hence our own). Three kinds, counted apart:
 *
 *   grow      a page-heap growth (heap_grow(): the block from the buddy
 *             allocator, whatever its order)
 *   meta      a metadata allocation: the kcalloc/kzalloc/kvcalloc/
 *             alloc_percpu of classes, caches, heaps, the chunk index and
 *             summaries, and fixalloc's pages (span structs)
 *   vmalloc   the vmalloc of gomem_kvmalloc()'s fallback
 *
 * Arming a kind with (nth, times) resets its counts: the calls numbered
 * nth .. nth + times - 1, counted from 1 at arming, fail; the others
 * succeed. nth 0 disarms. Each kind counts the calls it saw and the
 * failures it injected since it was armed.
 *
 * The module parameters fail_grow, fail_meta and fail_vmalloc (root only,
 * /sys/module/gomem/parameters/) take "N" or "N,T"; given at insmod they
 * act on module init itself. Reading one gives "N,T calls injected".
 *
 * Zero-cost while nothing was ever armed: callers test a static key (a
 * plain flag in the userspace build, where tests call gomem_fault_arm()).
 */
#include <linux/kernel.h>
#include <linux/atomic.h>
#ifndef GOMEM_HOST
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#endif
#include "faultinject.h"

struct gomem_fault_state {
	unsigned long nth, times;
	atomic_long_t calls, injected;
};

static struct gomem_fault_state gomem_faults[GOMEM_NR_FAULTS];

#ifdef GOMEM_HOST
bool gomem_fault_enabled;
#define fault_enable()	WRITE_ONCE(gomem_fault_enabled, true)
#else
DEFINE_STATIC_KEY_FALSE(gomem_fault_key);
#define fault_enable()	static_branch_enable(&gomem_fault_key)
#endif

/**
 * __gomem_should_fail() - count one call of kind @f; fail it when armed so
 * @f: the kind
 *
 * Context: any.
 * Return: true when this call must fail.
 */
bool __gomem_should_fail(enum gomem_fault f)
{
	struct gomem_fault_state *s = &gomem_faults[f];
	unsigned long nth = READ_ONCE(s->nth), c;

	if (!nth)
		return false;
	c = atomic_long_inc_return(&s->calls);
	if (c < nth || c - nth >= READ_ONCE(s->times))
		return false;
	atomic_long_inc(&s->injected);
	return true;
}

/**
 * gomem_fault_arm() - fail calls nth .. nth + times - 1 of kind @f from now
 * @f: the kind
 * @nth: the first call to fail, counted from 1; 0 disarms
 * @times: how many calls fail from there (at least 1)
 *
 * Resets the kind's counts. Not for concurrent use with itself.
 *
 * Context: process context (enables a static key).
 * Return: 0, or -EINVAL for an unknown kind.
 */
int gomem_fault_arm(enum gomem_fault f, unsigned long nth, unsigned long times)
{
	struct gomem_fault_state *s;

	if (f >= GOMEM_NR_FAULTS)
		return -EINVAL;
	s = &gomem_faults[f];
	WRITE_ONCE(s->nth, 0);
	atomic_long_set(&s->calls, 0);
	atomic_long_set(&s->injected, 0);
	WRITE_ONCE(s->times, max(times, 1UL));
	if (nth)
		fault_enable();
	WRITE_ONCE(s->nth, nth);
	return 0;
}

/**
 * gomem_fault_injected() - failures injected into kind @f since it was armed
 * @f: the kind
 *
 * Return: that count.
 */
unsigned long gomem_fault_injected(enum gomem_fault f)
{
	return f < GOMEM_NR_FAULTS ? atomic_long_read(&gomem_faults[f].injected) : 0;
}

#ifndef GOMEM_HOST
static int fault_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned long nth, times = 1;
	char buf[48];
	char *comma;
	int err;

	strscpy(buf, val, sizeof(buf));
	comma = strchr(buf, ',');
	if (comma) {
		*comma = 0;
		err = kstrtoul(comma + 1, 0, &times);
		if (err)
			return err;
	}
	err = kstrtoul(strim(buf), 0, &nth);
	if (err)
		return err;
	return gomem_fault_arm((enum gomem_fault)(unsigned long)kp->arg, nth, times);
}

static int fault_param_get(char *buf, const struct kernel_param *kp)
{
	struct gomem_fault_state *s = &gomem_faults[(unsigned long)kp->arg];

	return sysfs_emit(buf, "%lu,%lu %ld %ld\n", READ_ONCE(s->nth), READ_ONCE(s->times),
			  atomic_long_read(&s->calls), atomic_long_read(&s->injected));
}

static const struct kernel_param_ops fault_param_ops = {
	.set = fault_param_set,
	.get = fault_param_get,
};

module_param_cb(fail_grow, &fault_param_ops, (void *)GOMEM_FAULT_GROW, 0600);
MODULE_PARM_DESC(fail_grow, "fail page-heap growths N..N+T-1 from now: \"N[,T]\" (tests)");
module_param_cb(fail_meta, &fault_param_ops, (void *)GOMEM_FAULT_META, 0600);
MODULE_PARM_DESC(fail_meta, "fail metadata allocations N..N+T-1 from now: \"N[,T]\" (tests)");
module_param_cb(fail_vmalloc, &fault_param_ops, (void *)GOMEM_FAULT_VMALLOC, 0600);
MODULE_PARM_DESC(fail_vmalloc, "fail vmallocs N..N+T-1 from now: \"N[,T]\" (tests)");
#endif
