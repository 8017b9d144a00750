// SPDX-License-Identifier: GPL-2.0
/*
 * The drop-in layer's runtime: what include/gomem_slab.h maps a module's
 * slab API to, beyond the plain renames.
 *
 * A module built with `include $(GOMEM)/gomem.mk` allocates from gomem, but
 * it lives among core code that allocates and frees with the kernel's
 * allocator. Memory crosses the boundary both ways
 * (Documentation/porting.rst, "Boundary crossings"):
 *
 * - the module frees, measures or resizes memory the kernel allocated
 *   (match_strdup(), kasprintf(), memdup_user(), vmalloc(), an fs_context's
 *   strings): the gomem_*_any() functions here (gomem_kfree_any() is in
 *   malloc.c, beside gomem_kfree()) ask gomem_owns() and hand what is not
 *   gomem's to the kernel's function of the same name, counted as
 *   foreign_frees in /proc/gomem;
 * - the kernel frees memory the module allocated, through a function
 *   pointer the module passed: kfree_link for set_delayed_call(), the
 *   mempool callbacks, kfree_rcu()'s: gomem_kfree_link(), the
 *   gomem_mempool_*() callbacks and gomem_kfree_rcu_any() stand in for
 *   them.
 *
 * Cache creation translates SLAB_* flags (gomem_cache_create_slab()).
 *
 * Context: each function as the kernel function it stands in for.
 * Kernel-only: the userspace builds have no kernel allocator to hand to.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/rcupdate.h>
#include <gomem.h>
#include "stats.h"

/* the kernel's pointer: counted, then handed over */
static bool foreign(const void *p)
{
	if (ZERO_OR_NULL_PTR(p) || gomem_owns(p))
		return false;
	gomem_stat_add(GOMEM_STAT_FOREIGN_FREES, 1);
	return true;
}

/**
 * gomem_kvfree_any() - kvfree() for memory from gomem or the kernel
 * @p: gomem's memory (gomem_kmalloc() or gomem_kvmalloc() families), the
 *	kernel's (kmalloc(), vmalloc(), kvmalloc()), NULL or ZERO_SIZE_PTR
 */
void gomem_kvfree_any(const void *p)
{
	if (likely(!is_vmalloc_addr(p))) {
		gomem_kfree_any(p);
		return;
	}
	if (foreign(p))
		vfree(p);
	else
		gomem_kfree(p);
}
EXPORT_SYMBOL_GPL(gomem_kvfree_any);

/**
 * gomem_kfree_sensitive_any() - kfree_sensitive() for memory from gomem or
 *	the kernel
 * @objp: the object, NULL or ZERO_SIZE_PTR
 */
void gomem_kfree_sensitive_any(const void *objp)
{
	if (foreign(objp))
		kfree_sensitive(objp);
	else
		gomem_kfree_sensitive(objp);
}
EXPORT_SYMBOL_GPL(gomem_kfree_sensitive_any);

/**
 * gomem_kvfree_sensitive_any() - kvfree_sensitive() for memory from gomem
 *	or the kernel
 * @p: the memory, or NULL
 * @len: bytes to zero before the free
 */
void gomem_kvfree_sensitive_any(const void *p, size_t len)
{
	if (foreign(p)) {
		kvfree_sensitive(p, len);
		return;
	}
	if (!ZERO_OR_NULL_PTR(p)) {
		memzero_explicit((void *)p, len);
		gomem_kfree(p);
	}
}
EXPORT_SYMBOL_GPL(gomem_kvfree_sensitive_any);

/**
 * gomem_kfree_const_any() - kfree_const() for memory from gomem or the kernel
 * @x: a string from gomem_kstrdup_const() or the kernel's kstrdup_const()
 *	(which may be in the core kernel's .rodata), or NULL
 */
void gomem_kfree_const_any(const void *x)
{
	if (foreign(x))
		kfree_const(x);	/* the kernel's: .rodata is left alone */
	else
		gomem_kfree(x);
}
EXPORT_SYMBOL_GPL(gomem_kfree_const_any);

/**
 * gomem_kfree_bulk_any() - kfree_bulk() for memory from gomem or the kernel
 * @n: number of objects
 * @p: the objects; each may be gomem's or the kernel's
 */
void gomem_kfree_bulk_any(size_t n, void **p)
{
	size_t i;

	for (i = 0; i < n; i++)
		gomem_kfree_any(p[i]);
}
EXPORT_SYMBOL_GPL(gomem_kfree_bulk_any);

/**
 * gomem_ksize_any() - ksize() for memory from gomem or the kernel
 * @objp: the object, or NULL
 *
 * Return: gomem_ksize() of gomem's memory, the kernel's ksize() of any
 * other object, 0 for NULL and ZERO_SIZE_PTR.
 */
size_t gomem_ksize_any(const void *objp)
{
	if (ZERO_OR_NULL_PTR(objp))
		return 0;
	return gomem_owns(objp) ? gomem_ksize(objp) : ksize(objp);
}
EXPORT_SYMBOL_GPL(gomem_ksize_any);

/**
 * gomem_krealloc_any() - krealloc() for memory from gomem or the kernel
 * @objp: the object (gomem's, the kernel's) or NULL
 * @new_size: bytes required
 * @flags: GFP flags
 *
 * gomem's object (and NULL) is resized by gomem_krealloc(); the kernel's is
 * resized by the kernel's krealloc() and stays the kernel's.
 *
 * Return: as krealloc().
 */
void *gomem_krealloc_any(const void *objp, size_t new_size, gfp_t flags)
{
	if (ZERO_OR_NULL_PTR(objp) || gomem_owns(objp))
		return gomem_krealloc(objp, new_size, flags);
	return krealloc(objp, new_size, flags);
}
EXPORT_SYMBOL_GPL(gomem_krealloc_any);

/**
 * gomem_kvrealloc_any() - kvrealloc() for memory from gomem or the kernel
 * @p: the memory (gomem's, the kernel's) or NULL
 * @oldsize: its size as allocated
 * @newsize: bytes required
 * @flags: GFP flags
 *
 * Return: as kvrealloc(); the kernel's memory is resized by the kernel.
 */
void *gomem_kvrealloc_any(const void *p, size_t oldsize, size_t newsize, gfp_t flags)
{
	if (ZERO_OR_NULL_PTR(p) || gomem_owns(p))
		return gomem_kvrealloc(p, oldsize, newsize, flags);
	return kvrealloc(p, oldsize, newsize, flags);
}
EXPORT_SYMBOL_GPL(gomem_kvrealloc_any);

/**
 * gomem_kfree_link() - kfree_link() for gomem_slab.h modules
 * @p: the link body, from gomem or from the kernel
 *
 * A filesystem's get_link() kmallocs the body and passes kfree_link to
 * set_delayed_call(): the VFS calls it when the walk is done. The drop-in
 * layer maps kfree_link here, so a gomem body comes back to gomem rather
 * than to the kernel's kfree().
 */
void gomem_kfree_link(void *p)
{
	gomem_kfree_any(p);
}
EXPORT_SYMBOL_GPL(gomem_kfree_link);

/**
 * gomem_kfree_rcu_any() - the two-argument kfree_rcu() for memory from
 *	gomem or the kernel
 * @head: the rcu_head inside the object
 * @offset: its offset in the object
 *
 * Use gomem_kvfree_rcu_any(ptr, rhf). Context: any.
 */
void gomem_kfree_rcu_any(struct rcu_head *head, unsigned long offset)
{
	const void *obj = (char *)head - offset;

	if (!gomem_owns(obj)) {
		gomem_stat_add(GOMEM_STAT_FOREIGN_FREES, 1);
		kvfree_call_rcu(head, (rcu_callback_t)offset);
		return;
	}
	__gomem_kfree_rcu(head);
}
EXPORT_SYMBOL_GPL(gomem_kfree_rcu_any);

/**
 * gomem_kvfree_rcu_sync_any() - the one-argument kvfree_rcu() for memory
 *	from gomem or the kernel
 * @ptr: the memory, or NULL
 *
 * gomem's memory is freed after a grace period this call waits for
 * (gomem_kvfree_rcu_sync()); the kernel's goes to kvfree_call_rcu(), as
 * kvfree_rcu(ptr) passes it. Context: process context; may sleep.
 */
void gomem_kvfree_rcu_sync_any(const void *ptr)
{
	if (foreign(ptr)) {
		kvfree_call_rcu(NULL, (rcu_callback_t)ptr);
		return;
	}
	gomem_kvfree_rcu_sync(ptr);
}
EXPORT_SYMBOL_GPL(gomem_kvfree_rcu_sync_any);

/**
 * gomem_mempool_alloc_slab() - mempool_alloc_t for a pool of cache objects
 * @gfp_mask: GFP flags, from mempool_alloc()
 * @pool_data: the struct gomem_cache
 *
 * Return: an object, or NULL.
 */
void *gomem_mempool_alloc_slab(gfp_t gfp_mask, void *pool_data)
{
	return gomem_cache_alloc(pool_data, gfp_mask);
}
EXPORT_SYMBOL_GPL(gomem_mempool_alloc_slab);

/**
 * gomem_mempool_free_slab() - mempool_free_t for a pool of cache objects
 * @element: the object
 * @pool_data: the struct gomem_cache
 */
void gomem_mempool_free_slab(void *element, void *pool_data)
{
	gomem_cache_free(pool_data, element);
}
EXPORT_SYMBOL_GPL(gomem_mempool_free_slab);

/**
 * gomem_mempool_kmalloc() - mempool_alloc_t for a pool of kmalloc'ed buffers
 * @gfp_mask: GFP flags, from mempool_alloc()
 * @pool_data: the element size in bytes, cast to a pointer
 *
 * Return: a buffer, or NULL.
 */
void *gomem_mempool_kmalloc(gfp_t gfp_mask, void *pool_data)
{
	return gomem_kmalloc((size_t)pool_data, gfp_mask);
}
EXPORT_SYMBOL_GPL(gomem_mempool_kmalloc);

/**
 * gomem_mempool_kfree() - mempool_free_t for a pool of kmalloc'ed buffers
 * @element: the buffer
 * @pool_data: the element size (unused)
 */
void gomem_mempool_kfree(void *element, void *pool_data)
{
	gomem_kfree(element);
}
EXPORT_SYMBOL_GPL(gomem_mempool_kfree);

/* SLAB_* flag -> GOMEM_* flag; flags that are 0 in this kernel drop out */
static const struct {
	slab_flags_t slab;
	unsigned long gomem;
} flag_map[] = {
	{ SLAB_HWCACHE_ALIGN,		GOMEM_HWCACHE_ALIGN },
	{ SLAB_TYPESAFE_BY_RCU,		GOMEM_TYPESAFE_BY_RCU },
	{ SLAB_POISON,			GOMEM_POISON },
	{ SLAB_RED_ZONE,		GOMEM_RED_ZONE },
	{ SLAB_STORE_USER,		GOMEM_STORE_USER },
	{ SLAB_CONSISTENCY_CHECKS,	GOMEM_CONSISTENCY_CHECKS },
	{ SLAB_PANIC,			GOMEM_PANIC },
	{ SLAB_ACCOUNT,			GOMEM_ACCOUNT },
	{ SLAB_RECLAIM_ACCOUNT,		GOMEM_RECLAIM_ACCOUNT },
	{ SLAB_MEM_SPREAD,		GOMEM_MEM_SPREAD },
};

/*
 * Dropped: SLUB's own debugging and instrumentation, which gomem's
 * tracepoints, debug flags and fault injection replace (porting.rst).
 */
#define DROPPED_SLAB_FLAGS (SLAB_TRACE | SLAB_NOLEAKTRACE | SLAB_FAILSLAB | \
			    SLAB_KASAN | SLAB_DEBUG_OBJECTS | SLAB_NO_USER_FLAGS | \
			    SLAB_SKIP_KFENCE)

/* refused: gomem's pages come from any zone */
#define REFUSED_SLAB_FLAGS (SLAB_CACHE_DMA | SLAB_CACHE_DMA32)

/**
 * gomem_cache_create_slab() - kmem_cache_create() for gomem_slab.h modules
 * @name: as gomem_cache_create()
 * @size: as gomem_cache_create()
 * @align: as gomem_cache_create()
 * @flags: SLAB_* flags, translated to GOMEM_* ones (porting.rst, "Cache
 *	flags"): SLAB_TRACE, SLAB_NOLEAKTRACE, SLAB_FAILSLAB, SLAB_KASAN,
 *	SLAB_DEBUG_OBJECTS, SLAB_NO_USER_FLAGS and SLAB_SKIP_KFENCE are dropped; SLAB_CACHE_DMA
 *	and SLAB_CACHE_DMA32 are refused, as are unknown bits
 * @ctor: as gomem_cache_create()
 *
 * Context: process context; may sleep.
 * Return: the cache, or NULL with a warning (a panic with SLAB_PANIC).
 */
struct gomem_cache *gomem_cache_create_slab(const char *name, unsigned int size,
					    unsigned int align, slab_flags_t flags,
					    void (*ctor)(void *))
{
	slab_flags_t left = flags & ~DROPPED_SLAB_FLAGS;
	unsigned long gflags = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flag_map); i++) {
		if (flags & flag_map[i].slab) {
			gflags |= flag_map[i].gomem;
			left &= ~flag_map[i].slab;
		}
	}
	if (unlikely(left)) {
		pr_warn("gomem: %pS: cache %s: SLAB flags %#x refused%s\n",
			__builtin_return_address(0), name ?: "(null)", (__force unsigned int)left,
			left & REFUSED_SLAB_FLAGS ? " (DMA zones: keep this cache on the slab allocator)" : "");
		if (flags & SLAB_PANIC)
			panic("gomem: cannot create cache %s\n", name ?: "(null)");
		return NULL;
	}
	return gomem_cache_create(name, size, align, gflags, ctor);
}
EXPORT_SYMBOL_GPL(gomem_cache_create_slab);
