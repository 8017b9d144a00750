/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomem's locks, their order, the per-CPU rules, what may be called from
 * atomic context and how long interrupts stay off. Written once, here;
 * every other file points here.
 *
 * Lock order (take a lock only while holding locks above it in the list):
 *
 *   1. gomem_cache_mutex (cache.c)        create/destroy, /proc/gomem readers;
 *                                         sleeps
 *      cpu_hotplug_lock                   gomem_drain_all() (read), the
 *                                         hotplug "dead" callback (write)
 *   2. gomem_class_mutex (class.c)        the registry of class instances;
 *                                         sleeps; held across a walk
 *                                         (drains, releases, the shrinker),
 *                                         never inside the CPU section; no
 *                                         memory is allocated under it (the
 *                                         shrinker takes it in reclaim)
 *      gomem_debug_lock (debug.c)         the debug classes' checks, state
 *                                         changes, walks and reports;
 *                                         irq-safe; never inside the CPU
 *                                         section; takes mcentral locks
 *   3. gomem_cpu_llock (mcache.c)         the CPU section: per-CPU local lock
 *                                         (interrupts off without PREEMPT_RT);
 *                                         "gomem_cpu_section" in lockdep's
 *                                         reports
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
 * lock held (mheap.c). The cache mutex is never taken on a drain path. The
 * drain work items (drain.c) take the class mutex; whoever waits for them
 * (flush_work()) holds neither it nor the CPU section.
 *
 * Bounded sections: every CPU section and every spinlock hold does work
 * bounded by a constant, never by how much memory gomem holds or how many
 * caches exist. The largest (N = a span's objects, at most 1024):
 *  - a fast path, a magazine flush or refill: O(1), or one batch of at
 *    most GOMEM_XFER_MAX (128) pointers under one mcentral lock;
 *  - a sweep (mcentral.c): one span's pending remote frees, N / 64 words;
 *  - a refill or a drain of one class on one CPU (gomem_mcache_drain_cpu()):
 *    at most GOMEM_MAG_MAX + GOMEM_REMOTE_MAX objects freed in runs of one
 *    node, one span uncached (a sweep), and the spans this empties given to
 *    the heap;
 *  - an aligned span from the heap (gomem_pagealloc_alloc_aligned()): at
 *    most GOMEM_ALIGN_PROBES + 1 chunk bitmaps and as many walks down the
 *    summary tree, then one ordinary search;
 *  - giving a span to the heap (gomem_heap_free_span()): the span's pages
 *    and at most two chunks' (2 x 512 pages) worth of release bookkeeping;
 *  - a heap release (gomem_heap_release(), gomem_heap_shrink()): one chunk
 *    per heap lock hold, or GOMEM_RELEASE_SKIP chunks without free pages;
 *  - releasing empty spans: GOMEM_RELEASE_BATCH (16) spans per mcentral
 *    lock hold;
 *  - gomem_cache_alloc_bulk(), gomem_cache_free_bulk(): GOMEM_MAG_MAX
 *    objects per CPU section, each as a single allocation or free;
 *  - counting (/proc/gomem, cache destroy): counters, one lock per node.
 * Walks over every class, every CPU or every chunk take a lock per piece:
 * the class registry is walked under its mutex with interrupts on, a CPU is
 * drained class by class in a work item on it (or, once dead, by the
 * hotplug callback), never in one interrupts-off IPI. The exceptions are
 * for tests and debugging: gomem_mcentral_check() walks a class's lists
 * whole under the lock, and so do a debug class's walks (debug.c: its
 * debugfs files validate, alloc_traces and free_traces, and its leak report
 * at destroy), one node's lock across that node's spans of the class.
 *
 * Per-CPU rules (the mcache, the free hints, the tiny state, the per-CPU
 * counters): touched only by their own CPU inside the CPU section,
 * gomem_cpu_lock() .. gomem_cpu_unlock(): the per-CPU local lock
 * gomem_cpu_llock (local_lock_irqsave(), as SLUB's cpu_slab->lock). Without
 * PREEMPT_RT that is local_irq_save() and nothing more (lockdep tracks it
 * in a debug kernel); it also makes the chunk-index lookups RCU readers.
 * Once a CPU is dead, the control CPU drains its state in the hotplug
 * callback, one class per CPU section of its own. Functions that require
 * the section are named *_irqoff and assert it with
 * gomem_assert_cpu_locked(); functions that require a lock are named
 * *_locked and assert it with lockdep_assert_held(). One function leaves a
 * section it did not take: gomem_free_indexed_unlock(), to which an inline
 * free hands its section on a free-hint miss (mcache.h), on the same CPU.
 *
 * PREEMPT_RT: spinlock_t sleeps there, so interrupts are never disabled
 * around one. The local lock is then a per-CPU spinlock_t taken with
 * migration disabled (which also makes its holder an RCU reader), every
 * other lock stays a spinlock_t: gomem is never called from hard interrupt
 * context on RT (interrupt handlers are threads, and allocating under a
 * raw_spinlock_t is forbidden there as it is for SLUB), so no lock needs to
 * be raw. A refill leaves the CPU section around the page heap, which may
 * call the page allocator (on RT always; otherwise when the GFP may
 * sleep). Drains run in per-CPU work items (drain.c), on every kernel: no
 * IPI, which would run in hard interrupt context even on RT.
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
