/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection: fail the Nth page-heap growth, metadata allocation or
 * vmalloc. See faultinject.c.
 */
#ifndef _GOMEM_FAULTINJECT_H
#define _GOMEM_FAULTINJECT_H

#include <linux/types.h>
#ifndef GOMEM_HOST
#include <linux/jump_label.h>
#endif

enum gomem_fault {
	GOMEM_FAULT_GROW,	/* heap_grow(): a block from the buddy allocator */
	GOMEM_FAULT_META,	/* kcalloc/kzalloc/alloc_percpu/fixalloc pages */
	GOMEM_FAULT_VMALLOC,	/* the vmalloc of an object above 4 MiB */
	GOMEM_NR_FAULTS
};

bool __gomem_should_fail(enum gomem_fault f);
int gomem_fault_arm(enum gomem_fault f, unsigned long nth, unsigned long times);
unsigned long gomem_fault_injected(enum gomem_fault f);

#ifdef GOMEM_HOST
extern bool gomem_fault_enabled;
#define gomem_fault_active()	unlikely(READ_ONCE(gomem_fault_enabled))
#else
DECLARE_STATIC_KEY_FALSE(gomem_fault_key);
#define gomem_fault_active()	static_branch_unlikely(&gomem_fault_key)
#endif

/*
 * gomem_should_fail() - should this allocation fail?
 * @f: which kind it is
 *
 * A static branch (a plain flag in userspace) until a fault is first armed.
 */
static __always_inline bool gomem_should_fail(enum gomem_fault f)
{
	return gomem_fault_active() && __gomem_should_fail(f);
}

/* @alloc (a metadata allocation), or NULL when the fault says so */
#define gomem_meta_alloc(alloc) \
	(gomem_should_fail(GOMEM_FAULT_META) ? NULL : (alloc))

#endif /* _GOMEM_FAULTINJECT_H */
