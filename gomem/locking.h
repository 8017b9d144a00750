/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomem's locks, their order, the per-CPU rules and what may be called from
 * atomic context. Written once, here; every other file points here.
 *
 * Lock order (take a lock only while holding locks above it in the list):
 *
 *   1. gomem_cache_mutex (cache.c)        create/destroy, /proc/gomem readers;
 *                                         sleeps
 *   2. gomem_class_lock (class.c)         the registry of class instances;
 *                                         irq-safe spinlock; walked by drains,
 *                                         including in IPIs and in the CPU
 *                                         hotplug callback
 *   3. mcentral->lock (mcentral.c)        one node's spans of one class and
 *                                         its transfer cache; irq-safe
 *   4. gomem_heap->lock (mheap.c)         one node's page heap and its
 *                                         pageAlloc (pagealloc.c); irq-safe
 *   5. gomem_arena_lock (arena.c)         the chunk index, when it grows
 *   6. fixalloc->lock (fixalloc.c)        a leaf below any of them
 *
 * No lock above is held while gomem calls the buddy allocator with a GFP
 * that may sleep, and no page goes back to the buddy allocator with a heap
 * lock held (mheap.c). The cache mutex is never taken on a drain path.
 *
 * Per-CPU rules (the mcache, the free hints, the tiny state, the per-CPU
 * counters): touched only by their own CPU with interrupts disabled
 * (local_irq_save()), which also makes the chunk-index lookups RCU readers;
 * or, once that CPU is dead, by the control CPU in the hotplug callback
 * (also with interrupts disabled). Functions that require it are named
 * *_irqoff and assert it with lockdep_assert_irqs_disabled(); functions
 * that require a lock are named *_locked and assert it with
 * lockdep_assert_held().
 *
 * Atomic context: every allocation and free entry point may be called from
 * any context with a GFP that fits it, hardirq included (GFP_ATOMIC); only
 * the vmalloc path (objects over 4 MiB) needs a GFP that may sleep.
 * Cache create/destroy/shrink, gomem_drain_all() and gomem_shrink_all()
 * sleep (process context).
 */
#ifndef _GOMEM_LOCKING_H
#define _GOMEM_LOCKING_H

#include <linux/lockdep.h>

#endif /* _GOMEM_LOCKING_H */
