/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomem's locks, their order, the per-CPU rules and what may be called from
 * atomic context. Written once, here; every other file points here.
 *
 * Lock order (take a lock only while holding locks above it in the list):
 *
 *   1. gomem_cache_mutex (cache.c)        create/destroy, /proc/gomem readers;
 *                                         sleeps
 *   2. gomem_cpu_llock (mcache.c)         the CPU section: per-CPU local lock
 *                                         (interrupts off without PREEMPT_RT)
 *   3. gomem_class_lock (class.c)         the registry of class instances;
 *                                         irq-safe spinlock; walked by drains,
 *                                         also inside the CPU section (drain
 *                                         IPI or work, hotplug callback)
 *   4. mcentral->lock (mcentral.c)        one node's spans of one class and
 *                                         its transfer cache; irq-safe
 *   5. gomem_heap->lock (mheap.c)         one node's page heap and its
 *                                         pageAlloc (pagealloc.c); irq-safe
 *   6. gomem_arena_lock (arena.c)         the chunk index, when it grows
 *   7. fixalloc->lock (fixalloc.c)        a leaf below any of them
 *      gomem_vobj_lock (vmalloc.c)        the list of vmalloc'ed objects: a
 *                                         leaf, taken alone, irq-safe
 *
 * No lock above is held while gomem calls the buddy allocator with a GFP
 * that may sleep, and no page goes back to the buddy allocator with a heap
 * lock held (mheap.c). The cache mutex is never taken on a drain path.
 *
 * Per-CPU rules (the mcache, the free hints, the tiny state, the per-CPU
 * counters): touched only by their own CPU inside the CPU section,
 * gomem_cpu_lock() .. gomem_cpu_unlock(): the per-CPU local lock
 * gomem_cpu_llock (local_lock_irqsave(), as SLUB's cpu_slab->lock). Without
 * PREEMPT_RT that is local_irq_save() and nothing more (lockdep tracks it
 * in a debug kernel); it also makes the chunk-index lookups RCU readers.
 * Once a CPU is dead, the control CPU drains its state in the hotplug
 * callback, inside its own CPU section. Functions that require the section
 * are named *_irqoff and assert it with gomem_assert_cpu_locked();
 * functions that require a lock are named *_locked and assert it with
 * lockdep_assert_held().
 *
 * PREEMPT_RT: spinlock_t sleeps there, so interrupts are never disabled
 * around one. The local lock is then a per-CPU spinlock_t taken with
 * migration disabled (which also makes its holder an RCU reader), every
 * other lock stays a spinlock_t: gomem is never called from hard interrupt
 * context on RT (interrupt handlers are threads, and allocating under a
 * raw_spinlock_t is forbidden there as it is for SLUB), so no lock needs to
 * be raw. A refill leaves the CPU section around the page heap, which may
 * call the page allocator (on RT always; otherwise when the GFP may
 * sleep). Drains run in per-CPU work items on RT (drain.c), not in IPIs,
 * which run in hard interrupt context even there.
 *
 * Atomic context: every allocation and free entry point may be called from
 * any context with a GFP that fits it, hardirq included (GFP_ATOMIC,
 * without PREEMPT_RT); only the vmalloc path (objects over 4 MiB) needs a
 * GFP that may sleep. Cache create/destroy/shrink, gomem_drain_all() and
 * gomem_shrink_all() sleep (process context).
 */
#ifndef _GOMEM_LOCKING_H
#define _GOMEM_LOCKING_H

#include <linux/lockdep.h>
#include <linux/local_lock.h>
#include <linux/percpu.h>

DECLARE_PER_CPU(local_lock_t, gomem_cpu_llock);

#define gomem_cpu_lock(flags)	local_lock_irqsave(&gomem_cpu_llock, flags)
#define gomem_cpu_unlock(flags)	local_unlock_irqrestore(&gomem_cpu_llock, flags)

/* the caller is inside the CPU section */
#ifdef CONFIG_PREEMPT_RT
#define gomem_assert_cpu_locked() lockdep_assert_held(this_cpu_ptr(&gomem_cpu_llock))
#else
#define gomem_assert_cpu_locked() lockdep_assert_irqs_disabled()
#endif

#endif /* _GOMEM_LOCKING_H */
