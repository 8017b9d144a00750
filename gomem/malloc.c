// SPDX-License-Identifier: GPL-2.0
/*
 * The kmalloc family: Go's mallocgc() size split, for the kernel.
 *
 *   size 0                      ZERO_SIZE_PTR, as kmalloc()
 *   1 B .. 32 KiB               a size class (mcache.c); noscan requests
 *                               under 16 B are tiny-packed (tiny.c)
 *   32 KiB + 1 .. 4 MiB         a large span from the page heap (mheap.c)
 *   above 4 MiB                 NULL: kmalloc memory is physically
 *                               contiguous, and the kernel's kmalloc() has
 *                               no object above KMALLOC_MAX_SIZE either
 *
 * A power-of-two size is aligned to itself, as the kernel's kmalloc()
 * guarantees: up to 8 KiB the size classes give it (a span starts on a
 * page, and the object size divides the page), the 16 KiB and 32 KiB
 * classes' spans and power-of-two large objects are allocated aligned to
 * their size (mcentral.c, mheap.c).
 *
 * gomem_kvmalloc_node() is kvmalloc_node(): the kmalloc path first (for
 * more than a page, without retrying or warning), then, for a GFP that
 * may sleep, vmalloc (vmalloc.c): objects above 4 MiB, and smaller ones
 * the page heap could not serve. gomem_kfree() (gomem_kvfree()) finds what
 * it frees by address (free.c, vmalloc.c); anything that is not gomem's is
 * reported and refused. krealloc(), kvrealloc(), kstrdup() and kfree_rcu()
 * are here too.
 *
 * Context: every function may be called from any context with a GFP that
 * fits it (GFP_ATOMIC in interrupts); only the vmalloc path needs a
 * sleeping GFP: gomem_kvmalloc_node() with another GFP is
 * gomem_kmalloc_node().
 */
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/rcupdate.h>
#include <gomem.h>
#include "free.h"
#include "mcache.h"
#include "mheap.h"
#include "tiny.h"
#include "vmalloc.h"
#include "report.h"
#include "stats.h"
#include "trace.h"

#define GOMEM_MAX_ALLOC	((size_t)INT_MAX)

/* gomem_kmalloc_node() beyond the inline fast path, for the caller at @ip */
static noinline void *kmalloc_node_slow(size_t size, gfp_t flags, int node, unsigned long ip)
{
	void *p;

	if (unlikely(!size))
		p = ZERO_SIZE_PTR;
	else if (likely(size <= GOMEM_MAX_SMALL_SIZE))
		p = gomem_class_alloc(&gomem_classes[gomem_size_to_class(size) << 1], flags, node);
	else if (size <= GOMEM_MAX_LARGE_SIZE)
		p = gomem_large_alloc(size, flags, node);
	else
		p = NULL;	/* above 4 MiB: not kmalloc memory */
	if (trace_gomem_alloc_enabled())
		trace_gomem_alloc(ip, p, size, gomem_ksize(p), flags, node, "kmalloc");
	if (unlikely(!p) && !(flags & __GFP_NOWARN)) {
		if (size > GOMEM_MAX_LARGE_SIZE)
			pr_warn("gomem: %pS: kmalloc of %zu bytes: above 4 MiB, the largest kmalloc object (gomem_kvmalloc() serves more)\n",
				(void *)ip, size);
		else
			pr_warn("gomem: %pS: allocation of %zu bytes (gfp %#x) failed\n",
				(void *)ip, size, flags);
	}
	return p;
}

/**
 * gomem_kmalloc_node() - allocate memory on a node, as kmalloc_node()
 * @size: bytes required
 * @flags: GFP flags
 * @node: NUMA node to allocate from, or NUMA_NO_NODE for the current CPU's
 *
 * Memory comes from @node whenever @node has memory; with __GFP_THISNODE
 * from no other node.
 *
 * Return: the memory, ZERO_SIZE_PTR for @size 0, or NULL on failure (with
 * a warning unless __GFP_NOWARN).
 */
void *gomem_kmalloc_node(size_t size, gfp_t flags, int node)
{
	struct gomem_class *cls;
	void *p;

	if (likely(size - 1 < GOMEM_MAX_SMALL_SIZE && node == NUMA_NO_NODE &&
		   !(flags & (__GFP_ZERO | __GFP_THISNODE)))) {
		cls = &gomem_classes[gomem_size_to_class(size) << 1];
		p = gomem_alloc_fast(cls, true);
		if (likely(p))
			return gomem_alloc_hook(cls, p, 0, flags & ~__GFP_ZERO, true);
	}
	/* a tail call: the fast path above saves no registers */
	return kmalloc_node_slow(size, flags, node, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gomem_kmalloc_node);

static noinline void *kmalloc_class_slow(unsigned int sizeclass, gfp_t flags,
					 unsigned long ip)
{
	struct gomem_class *cls;
	void *p;

	if (WARN_ON_ONCE(sizeclass - 1 >= GOMEM_NUM_SIZE_CLASSES - 1))
		return NULL;
	cls = &gomem_classes[sizeclass << 1];
	p = gomem_class_alloc(cls, flags, NUMA_NO_NODE);
	/* the size asked for was folded away: the class's stands for it */
	trace_gomem_alloc(ip, p, cls->objsize, cls->objsize, flags, NUMA_NO_NODE, "kmalloc");
	if (unlikely(!p) && !(flags & __GFP_NOWARN))
		pr_warn("gomem: %pS: allocation of %u bytes (gfp %#x) failed\n",
			(void *)ip, cls->elemsize, flags);
	return p;
}

/**
 * __gomem_kmalloc_class() - gomem_kmalloc() of a size known at compile time
 * @sizeclass: gomem_const_size_class() of the size, 1 to 67
 * @flags: GFP flags
 *
 * Called by the inline gomem_kmalloc() only: the class lookup was folded by
 * the compiler.
 *
 * Return: an object of the class's size, or NULL on failure.
 */
void *__gomem_kmalloc_class(unsigned int sizeclass, gfp_t flags)
{
	struct gomem_class *cls;
	void *p;

	/* a valid class is one of 1..67: anything else fails the first test */
	if (likely(sizeclass - 1 < GOMEM_NUM_SIZE_CLASSES - 1 &&
		   !(flags & (__GFP_ZERO | __GFP_THISNODE)))) {
		cls = &gomem_classes[sizeclass << 1];
		p = gomem_alloc_fast(cls, true);
		if (likely(p))
			return gomem_alloc_hook(cls, p, 0, flags & ~__GFP_ZERO, true);
	}
	return kmalloc_class_slow(sizeclass, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(__gomem_kmalloc_class);

/* the full path: what the inline and the indexed frees declined */
static noinline void kfree_slow(const void *objp, unsigned long ip)
{
	trace_gomem_free(ip, objp, "kmalloc");
	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return;
	if (unlikely(is_vmalloc_addr(objp))) {
		if (gomem_vmalloc_free(objp))
			return;
		if (gomem_vmalloc_freed(objp)) {
			gomem_stat_add(GOMEM_STAT_DOUBLE_FREES, 1);
			gomem_report_bad_free("kmalloc", objp, ip, "double free");
		} else {
			gomem_report_bad_free("kmalloc", objp, ip, "not a gomem object");
		}
		return;
	}
	gomem_free_by_address(NULL, NULL, objp, ip);
}

/* a free-hint miss, inside the CPU section the inline free took (@flags) */
static noinline void kfree_miss(const void *objp, unsigned long flags, unsigned long ip)
{
	if (likely(gomem_free_indexed_unlock(NULL, objp, flags)))
		return;
	kfree_slow(objp, ip);
}

/**
 * gomem_kfree() - free memory from the gomem_kmalloc() family
 * @objp: the object, NULL or ZERO_SIZE_PTR (ignored)
 *
 * Objects of gomem caches may be freed here too, as kfree() frees
 * kmem_cache objects. A pointer that gomem does not own, or an object that
 * is already free, is reported with the caller and refused.
 */
void gomem_kfree(const void *objp)
{
	unsigned long flags;

	/* NULL and ZERO_SIZE_PTR never match a free hint: kfree_miss() */
	switch (gomem_free_fast(true, NULL, objp, &flags)) {
	case GOMEM_FREED:
		return;
	case GOMEM_FREE_MISS:
		kfree_miss(objp, flags, _RET_IP_);
		return;
	default:
		kfree_slow(objp, _RET_IP_);
	}
}
EXPORT_SYMBOL_GPL(gomem_kfree);

/**
 * gomem_kfree_any() - free memory from gomem or from the kernel's kmalloc()
 * @objp: the object, NULL or ZERO_SIZE_PTR (ignored)
 *
 * gomem's objects take gomem_kfree()'s path, inline fast path included;
 * a pointer gomem does not own (gomem_owns()) goes to the kernel's kfree().
 * A double free or a pointer into a gomem object is still reported and
 * refused. The drop-in layer's kfree() (gomem_slab.h).
 */
void gomem_kfree_any(const void *objp)
{
	unsigned long flags;

	switch (gomem_free_fast(true, NULL, objp, &flags)) {
	case GOMEM_FREED:
		return;
	case GOMEM_FREE_MISS:
		if (likely(gomem_free_indexed_unlock(NULL, objp, flags)))
			return;
		break;
	default:
		break;
	}
	if (unlikely(!ZERO_OR_NULL_PTR(objp) && !gomem_owns(objp))) {
		gomem_stat_add(GOMEM_STAT_FOREIGN_FREES, 1);
		kfree(objp);
		return;
	}
	kfree_slow(objp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gomem_kfree_any);

/**
 * gomem_ksize() - usable size of an allocation
 * @objp: an object from gomem, or NULL
 *
 * Return: the bytes the caller may use (the size class, the span, or the
 * vmalloc'ed size; for a tiny-packed object, the size it was allocated
 * with), 0 for NULL, ZERO_SIZE_PTR and a pointer gomem does not own.
 */
size_t gomem_ksize(const void *objp)
{
	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return 0;
	if (unlikely(is_vmalloc_addr(objp)))
		return gomem_vmalloc_size(objp);
	return gomem_obj_size(objp);
}
EXPORT_SYMBOL_GPL(gomem_ksize);

/**
 * gomem_owns() - does this pointer belong to gomem?
 * @p: any pointer
 *
 * For code that frees memory from both gomem and the kernel's allocators
 * (a module whose buffers come from either, a layer between a ported module
 * and the core kernel): whether a free of @p is gomem's, gomem_kfree(), or
 * the kernel's, kfree()/kvfree(). True when @p lies anywhere in memory
 * gomem manages: an object of any of its classes, caches or tiny blocks, a
 * large object, a page of gomem's heap that is free at the moment, or a
 * vmalloc'ed gomem object (gomem_kvmalloc() above 4 MiB). False for NULL,
 * ZERO_SIZE_PTR and any other memory: SLUB's objects, the page allocator's
 * pages, vmalloc() memory gomem did not allocate, static data, the stack.
 *
 * It says who owns the memory, not that @p is a live object's start:
 * gomem_kfree() still checks that, and reports a double free or a pointer
 * into an object.
 *
 * Context: any context gomem_kfree() may be called from. Takes no lock,
 * only RCU read sides (the chunk index, the vmalloc'ed objects' index).
 *
 * Return: true when @p is gomem's.
 */
bool gomem_owns(const void *p)
{
	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return false;
	if (unlikely(is_vmalloc_addr(p)))
		return gomem_vmalloc_start(p) != NULL;
	return gomem_heap_owns(p);
}
EXPORT_SYMBOL_GPL(gomem_owns);

/**
 * gomem_kmalloc_size_roundup() - the usable size gomem_kmalloc() gives a
 *	request, as kmalloc_size_roundup()
 * @size: bytes a caller would ask for
 *
 * A caller that can use the whole object asks for this size up front,
 * rather than growing into gomem_ksize()'s answer after the fact.
 *
 * Return: gomem_ksize() of what gomem_kmalloc(@size) returns: 0 for 0, the
 * size class up to 32 KiB, whole 8 KiB gomem pages up to 4 MiB, and @size
 * itself above (vmalloc'ed objects keep their exact size; a size
 * gomem_kmalloc() refuses is returned as it is, as the kernel does).
 */
size_t gomem_kmalloc_size_roundup(size_t size)
{
	if (!size)
		return 0;
	if (size <= GOMEM_MAX_SMALL_SIZE)
		return gomem_class_to_size[gomem_size_to_class(size)];
	if (size <= GOMEM_MAX_LARGE_SIZE)
		return round_up(size, GOMEM_PAGE_SIZE);
	return size;
}
EXPORT_SYMBOL_GPL(gomem_kmalloc_size_roundup);

/**
 * gomem_krealloc() - resize an allocation, as krealloc()
 * @objp: the object, or NULL (then this is gomem_kmalloc())
 * @new_size: bytes required; 0 frees @objp and returns ZERO_SIZE_PTR
 * @flags: GFP flags
 *
 * The contents up to the smaller of the old and new sizes are kept. When the
 * object already has room, it is returned as is, unless that wastes most of
 * it or a power-of-two @new_size is not naturally aligned there (what
 * gomem_kmalloc() of @new_size would guarantee).
 *
 * Return: the object (moved or not), or NULL on failure, when @objp is
 * left untouched.
 */
void *gomem_krealloc(const void *objp, size_t new_size, gfp_t flags)
{
	size_t ks;
	void *p;

	if (unlikely(!new_size)) {
		gomem_kfree(objp);
		return ZERO_SIZE_PTR;
	}
	ks = gomem_ksize(objp);
	if (!ks && !ZERO_OR_NULL_PTR(objp)) {
		gomem_report_bad_free("kmalloc", objp, _RET_IP_,
				      "krealloc of a pointer gomem does not own");
		return NULL;
	}
	/*
	 * Keep the object unless it would waste most of its size, or it is
	 * not aligned as a power-of-two new size must be (gomem_kmalloc()'s
	 * natural alignment: a 24 KiB object shrunk to 16 KiB, say).
	 */
	if (ks >= new_size &&
	    (new_size > GOMEM_MAX_SMALL_SIZE || new_size >= ks / 4 || ks <= 32) &&
	    (!is_power_of_2(new_size) || IS_ALIGNED((unsigned long)objp, new_size)))
		return (void *)objp;
	p = gomem_kmalloc_node(new_size, flags, NUMA_NO_NODE);
	if (!p)
		return NULL;
	if (ks) {
		/* the object's own bytes only: a tiny one's ksize is its size */
		memcpy(p, objp, min(ks, new_size));
		gomem_kfree(objp);
	}
	return p;
}
EXPORT_SYMBOL_GPL(gomem_krealloc);

/**
 * gomem_kvmalloc_node() - allocate memory, contiguous if possible, as
 *	kvmalloc_node()
 * @size: bytes required
 * @flags: GFP flags; GFP_KERNEL-compatible for the vmalloc fallback
 * @node: NUMA node to allocate from, or NUMA_NO_NODE
 *
 * Up to 4 MiB, gomem_kmalloc_node() first: for more than a page without
 * retrying hard or warning (__GFP_NORETRY unless __GFP_RETRY_MAYFAIL,
 * __GFP_NOWARN), since vmalloc is the fallback. Then, when @flags contain
 * GFP_KERNEL, vmalloc: every size above 4 MiB, and smaller ones the page
 * heap did not serve (more than a page only, as the kernel). With flags
 * that may not sleep it is gomem_kmalloc_node(): NULL above 4 MiB. Free
 * with gomem_kvfree() (or gomem_kfree(), which frees both kinds).
 *
 * Return: the memory, ZERO_SIZE_PTR for @size 0, or NULL on failure (with
 * a warning unless __GFP_NOWARN).
 */
void *gomem_kvmalloc_node(size_t size, gfp_t flags, int node)
{
	gfp_t kflags = flags;
	void *p = NULL;

	if ((flags & GFP_KERNEL) != GFP_KERNEL)
		return kmalloc_node_slow(size, flags, node, _RET_IP_);
	if (size > PAGE_SIZE) {
		kflags |= __GFP_NOWARN;
		if (!(kflags & __GFP_RETRY_MAYFAIL))
			kflags |= __GFP_NORETRY;
		kflags &= ~__GFP_NOFAIL;	/* the vmalloc fallback provides it */
	}
	if (size <= GOMEM_MAX_LARGE_SIZE) {
		p = kmalloc_node_slow(size, kflags, node, _RET_IP_);
		if (p || size <= PAGE_SIZE)
			return p;
	}
	if (unlikely(size > GOMEM_MAX_ALLOC)) {
		if (!(flags & __GFP_NOWARN))
			pr_warn("gomem: %pS: kvmalloc of %zu bytes: above INT_MAX\n",
				(void *)_RET_IP_, size);
		return NULL;
	}
	p = gomem_vmalloc_alloc(size, flags, _RET_IP_);
	if (trace_gomem_alloc_enabled())
		trace_gomem_alloc(_RET_IP_, p, size, gomem_ksize(p), flags, node, "kvmalloc");
	if (unlikely(!p) && !(flags & __GFP_NOWARN))
		pr_warn("gomem: %pS: kvmalloc of %zu bytes (gfp %#x) failed\n",
			(void *)_RET_IP_, size, flags);
	return p;
}
EXPORT_SYMBOL_GPL(gomem_kvmalloc_node);

/**
 * gomem_kvrealloc() - resize memory from gomem_kvmalloc(), as kvrealloc()
 * @p: the memory, or NULL
 * @oldsize: its size as allocated
 * @newsize: bytes required
 * @flags: GFP flags, as for gomem_kvmalloc()
 *
 * No larger than @oldsize: @p itself. Larger: new memory from
 * gomem_kvmalloc(), the first @oldsize bytes copied, @p freed.
 *
 * Return: the memory, or NULL on failure (@p is then untouched).
 */
void *gomem_kvrealloc(const void *p, size_t oldsize, size_t newsize, gfp_t flags)
{
	void *n;

	if (oldsize >= newsize)
		return (void *)p;
	n = gomem_kvmalloc_node(newsize, flags, NUMA_NO_NODE);
	if (!n)
		return NULL;
	if (p) {
		memcpy(n, p, oldsize);
		gomem_kvfree(p);
	}
	return n;
}
EXPORT_SYMBOL_GPL(gomem_kvrealloc);

/**
 * gomem_kmalloc_noscan() - allocate memory that holds no pointers
 * @size: bytes required
 * @flags: GFP flags
 *
 * For strings and byte buffers: the memory is not scanned by kmemleak, and
 * a request under 16 bytes is packed with other such objects into a 16-byte
 * block (the tiny allocator), which saves memory on small strings. Free it
 * with gomem_kfree(). gomem_ksize() of a tiny-packed object is the size it
 * was allocated with.
 *
 * Return: the memory, ZERO_SIZE_PTR for @size 0, or NULL on failure.
 */
void *gomem_kmalloc_noscan(size_t size, gfp_t flags)
{
	void *p;

	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (size < GOMEM_TINY_SIZE)
		p = gomem_tiny_alloc(size, flags);
	else if (size <= GOMEM_MAX_SMALL_SIZE)
		p = gomem_class_alloc(&gomem_classes[gomem_noscan_spanclass(gomem_size_to_class(size))],
				      flags, NUMA_NO_NODE);
	else
		return gomem_kmalloc_node(size, flags, NUMA_NO_NODE);
	if (trace_gomem_alloc_enabled())
		trace_gomem_alloc(_RET_IP_, p, size, gomem_ksize(p), flags,
				  NUMA_NO_NODE, "kmalloc-noscan");
	if (unlikely(!p) && !(flags & __GFP_NOWARN))
		pr_warn("gomem: %pS: noscan allocation of %zu bytes (gfp %#x) failed\n",
			__builtin_return_address(0), size, flags);
	return p;
}
EXPORT_SYMBOL_GPL(gomem_kmalloc_noscan);

/**
 * gomem_kmemdup_nul() - a string of @len bytes, NUL-terminated, as
 *	kmemdup_nul()
 * @s: the bytes, or NULL
 * @len: how many to copy (a NUL among them is copied as any byte)
 * @flags: GFP flags
 *
 * The copy is noscan memory (gomem_kmalloc_noscan()): short strings are
 * tiny-packed.
 *
 * Return: the copy, @len bytes and a NUL, or NULL when @s is NULL or on
 * failure.
 */
char *gomem_kmemdup_nul(const char *s, size_t len, gfp_t flags)
{
	char *p;

	if (!s || unlikely(len == SIZE_MAX))
		return NULL;
	p = gomem_kmalloc_noscan(len + 1, flags);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}
EXPORT_SYMBOL_GPL(gomem_kmemdup_nul);

/**
 * gomem_kstrndup() - duplicate at most @max bytes of a string, as kstrndup()
 * @s: the string, or NULL
 * @max: at most this many bytes are copied, then a NUL
 * @flags: GFP flags
 *
 * Return: the copy (noscan memory), or NULL when @s is NULL or on failure.
 */
char *gomem_kstrndup(const char *s, size_t max, gfp_t flags)
{
	return s ? gomem_kmemdup_nul(s, strnlen(s, max), flags) : NULL;
}
EXPORT_SYMBOL_GPL(gomem_kstrndup);

/**
 * gomem_kstrdup() - duplicate a string, as kstrdup()
 * @s: the string, or NULL
 * @flags: GFP flags
 *
 * The copy is noscan memory (gomem_kmalloc_noscan()): short strings are
 * tiny-packed.
 *
 * Return: the copy, or NULL when @s is NULL or on failure.
 */
char *gomem_kstrdup(const char *s, gfp_t flags)
{
	return s ? gomem_kmemdup_nul(s, strlen(s), flags) : NULL;
}
EXPORT_SYMBOL_GPL(gomem_kstrdup);

/**
 * gomem_kmemdup() - duplicate a region of memory, as kmemdup()
 * @src: the bytes
 * @len: how many
 * @flags: GFP flags
 *
 * The copy is ordinary kmalloc memory (scanned by kmemleak), as the
 * kernel's kmemdup() gives.
 *
 * Return: the copy, or NULL on failure.
 */
void *gomem_kmemdup(const void *src, size_t len, gfp_t flags)
{
	void *p = gomem_kmalloc_node(len, flags, NUMA_NO_NODE);

	if (p)
		memcpy(p, src, len);
	return p;
}
EXPORT_SYMBOL_GPL(gomem_kmemdup);

/**
 * gomem_kfree_sensitive() - zero an object, then free it, as kfree_sensitive()
 * @objp: the object, NULL or ZERO_SIZE_PTR (ignored)
 *
 * Zeroes the object's usable size (gomem_ksize(): a tiny object's own bytes
 * only, never its neighbours' in the same block), with memzero_explicit()
 * so that the compiler keeps it, then frees it as gomem_kfree() does. A
 * pointer gomem does not own is not written, and its free is refused. As
 * with the kernel's, the zeroing comes before the free's checks: a double
 * free zeroes the already free object before it is refused (a constructed
 * object then loses its state, a poisoned one is reported at its next
 * allocation).
 */
void gomem_kfree_sensitive(const void *objp)
{
	size_t ks = gomem_ksize(objp);

	if (ks)
		memzero_explicit((void *)objp, ks);
	gomem_kfree(objp);
}
EXPORT_SYMBOL_GPL(gomem_kfree_sensitive);

static void gomem_rcu_free(struct rcu_head *head)
{
	gomem_kfree(gomem_obj_start(head));
}

/**
 * __gomem_kfree_rcu() - free the object around an rcu_head after a grace period
 * @head: the rcu_head inside the object
 *
 * Use gomem_kfree_rcu(ptr, field).
 */
void __gomem_kfree_rcu(struct rcu_head *head)
{
	call_rcu(head, gomem_rcu_free);
}
EXPORT_SYMBOL_GPL(__gomem_kfree_rcu);

/**
 * gomem_kvfree_rcu_sync() - free memory after a grace period, waiting for it
 * @ptr: memory from the gomem_kmalloc() or gomem_kvmalloc() family, or NULL
 *
 * The one-argument gomem_kfree_rcu(ptr): for objects without an rcu_head.
 * Waits for a grace period (synchronize_rcu()), then frees.
 *
 * Context: process context; sleeps.
 */
void gomem_kvfree_rcu_sync(const void *ptr)
{
	if (!ptr)
		return;
	might_sleep();
	synchronize_rcu();
	gomem_kvfree(ptr);
}
EXPORT_SYMBOL_GPL(gomem_kvfree_rcu_sync);

/**
 * __gomem_kmalloc_node_track_caller() - gomem_kmalloc_node() for @caller
 * @size: bytes required
 * @flags: GFP flags
 * @node: NUMA node, or NUMA_NO_NODE
 * @caller: the address failures and the tracepoint name
 *
 * Use gomem_kmalloc_track_caller() or gomem_kmalloc_node_track_caller().
 *
 * Return: as gomem_kmalloc_node().
 */
void *__gomem_kmalloc_node_track_caller(size_t size, gfp_t flags, int node,
					unsigned long caller)
{
	return kmalloc_node_slow(size, flags, node, caller);
}
EXPORT_SYMBOL_GPL(__gomem_kmalloc_node_track_caller);
