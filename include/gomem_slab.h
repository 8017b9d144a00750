/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomem_slab.h: serve an unmodified module's slab API from gomem.
 *
 * Not included by hand: gomem.mk force-includes it (-include) before the
 * first line of every file of a module whose Kbuild has the one line
 *
 *	include $(GOMEM)/gomem.mk
 *
 * Documentation/porting.rst ("The one line") has the whole story. Two
 * parts, in this order:
 *
 * 1. The kernel's headers whose inline functions and declarations use the
 *    slab allocator (slab.h, mm.h, string.h, fs.h, mempool.h, rcupdate.h)
 *    are included first, as they are. What they compile stays the kernel's:
 *    __getname() on the core's names_cachep, posix_acl_release() of the
 *    core's ACLs.
 * 2. Then the module's own calls are renamed: struct kmem_cache is struct
 *    gomem_cache, kmem_cache_*() and the kmalloc family are gomem's, and
 *    SLAB_* cache flags are translated when the cache is created. A header
 *    parsed after this point (the module's own, or a subsystem header the
 *    module includes, e.g. jbd2.h) sees the renamed API.
 *
 * Every boundary crossing is handled, in both directions:
 *
 * - Memory the kernel allocated and the module frees (match_strdup(),
 *   kasprintf(), memdup_user(), vmalloc(), strings handed over in an
 *   fs_context): kfree() and its kin are the gomem_*_any() functions, which
 *   free gomem's memory through gomem and give the rest to the kernel.
 * - Memory the module allocated and the kernel frees: the known crossings
 *   are routed back to gomem: kfree_link (set_delayed_call()), the mempool
 *   constructors (mempool_alloc_slab() and friends), kfree_rcu() and
 *   alloc_inode_sb(). An unknown one costs one kernel warning and a leaked
 *   page, never a page freed under gomem (gomem holds its own reference on
 *   every page it hands out: Documentation/pageheap.rst).
 * - A core cache used through a macro expanded in the module (__getname(),
 *   __putname()) stays the kernel's; any other core cache the module names
 *   is a compile-time type error (struct kmem_cache * is not struct
 *   gomem_cache *), never a silent mix.
 */
#ifndef _GOMEM_SLAB_H
#define _GOMEM_SLAB_H

#ifdef kmem_cache
#error "gomem_slab.h: included after the renames (twice -include?)"
#endif

/* 1. The kernel's headers, compiled against the kernel's allocator */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/fs.h>
#include <linux/mempool.h>
#include <linux/rcupdate.h>
#include <gomem.h>

/* __getname()/__putname() allocate from the core's names_cachep */
static inline void *__gomem_core_getname(void)
{
	return kmem_cache_alloc(names_cachep, GFP_KERNEL);
}

static inline void __gomem_core_putname(const void *name)
{
	kmem_cache_free(names_cachep, (void *)name);
}

#undef __getname
#define __getname()			__gomem_core_getname()
#undef __putname
#define __putname(name)			__gomem_core_putname(name)

/* 2. The module's calls */
#define kmem_cache			gomem_cache

#define kmem_cache_create		gomem_cache_create_slab
#define kmem_cache_create_usercopy(name, size, align, flags, uoff, usize, ctor) \
	gomem_cache_create_slab(name, size, align, flags, ctor)
#define kmem_cache_destroy		gomem_cache_destroy
#define kmem_cache_alloc		gomem_cache_alloc
#define kmem_cache_alloc_lru		gomem_cache_alloc_lru
#define kmem_cache_zalloc		gomem_cache_zalloc
#define kmem_cache_alloc_node		gomem_cache_alloc_node
#define kmem_cache_free			gomem_cache_free
#define kmem_cache_alloc_bulk		gomem_cache_alloc_bulk
#define kmem_cache_free_bulk		gomem_cache_free_bulk
#define kmem_cache_shrink		gomem_cache_shrink
#define kmem_cache_size			gomem_cache_size

#define kmalloc				gomem_kmalloc
#define kmalloc_node			gomem_kmalloc_node
#define kzalloc				gomem_kzalloc
#define kzalloc_node			gomem_kzalloc_node
#define kcalloc				gomem_kcalloc
#define kcalloc_node			gomem_kcalloc_node
#define kmalloc_array			gomem_kmalloc_array
#define kmalloc_array_node		gomem_kmalloc_array_node
#define krealloc			gomem_krealloc_any
#define krealloc_array			gomem_krealloc_array_any
#define kmalloc_size_roundup		gomem_kmalloc_size_roundup
#undef kmalloc_track_caller
#define kmalloc_track_caller		gomem_kmalloc_track_caller
#undef kmalloc_node_track_caller
#define kmalloc_node_track_caller	gomem_kmalloc_node_track_caller
#define kstrdup				gomem_kstrdup
#define kstrndup			gomem_kstrndup
#define kmemdup				gomem_kmemdup
#define kmemdup_nul			gomem_kmemdup_nul
#define kstrdup_const			gomem_kstrdup_const

#define kvmalloc			gomem_kvmalloc
#define kvmalloc_node			gomem_kvmalloc_node
#define kvzalloc			gomem_kvzalloc
#define kvzalloc_node			gomem_kvzalloc_node
#define kvmalloc_array			gomem_kvmalloc_array
#define kvcalloc			gomem_kvcalloc
#define kvrealloc			gomem_kvrealloc_any

/* frees: gomem's memory to gomem, the kernel's to the kernel */
#define kfree				gomem_kfree_any
#define kvfree				gomem_kvfree_any
#define kfree_sensitive			gomem_kfree_sensitive_any
#define kvfree_sensitive		gomem_kvfree_sensitive_any
#define kfree_const			gomem_kfree_const_any
#define kfree_bulk			gomem_kfree_bulk_any
#define ksize				gomem_ksize_any
#define kfree_link			gomem_kfree_link

#undef kfree_rcu
#define kfree_rcu(ptr, rhf...)		gomem_kvfree_rcu_any(ptr, ## rhf)
#undef kvfree_rcu
#define kvfree_rcu(...)			gomem_kvfree_rcu_any(__VA_ARGS__)
#ifdef kvfree_rcu_mightsleep
#undef kvfree_rcu_mightsleep
#define kvfree_rcu_mightsleep(ptr)	gomem_kvfree_rcu_any(ptr)
#endif
#ifdef kfree_rcu_mightsleep
#undef kfree_rcu_mightsleep
#define kfree_rcu_mightsleep(ptr)	gomem_kvfree_rcu_any(ptr)
#endif

/* __free(kfree) (cleanup.h, where the kernel has it) */
#ifdef DEFINE_FREE
DEFINE_FREE(gomem_kfree_any, void *, if (!IS_ERR_OR_NULL(_T)) gomem_kfree_any(_T))
#define __free_kfree			__free_gomem_kfree_any
#endif

/* fs.h: an inode from the filesystem's own cache */
#define alloc_inode_sb(sb, cache, gfp)					\
	gomem_cache_alloc_lru(cache, &(sb)->s_inode_lru, gfp)

/* mempool.h: pools of gomem objects, allocated and freed by gomem */
#define mempool_alloc_slab		gomem_mempool_alloc_slab
#define mempool_free_slab		gomem_mempool_free_slab
#define mempool_kmalloc			gomem_mempool_kmalloc
#define mempool_kfree			gomem_mempool_kfree
#define mempool_init_slab_pool(pool, min_nr, kc)			\
	mempool_init(pool, min_nr, gomem_mempool_alloc_slab,		\
		     gomem_mempool_free_slab, (void *)(kc))
#define mempool_create_slab_pool(min_nr, kc)				\
	mempool_create(min_nr, gomem_mempool_alloc_slab,		\
		       gomem_mempool_free_slab, (void *)(kc))
#define mempool_init_kmalloc_pool(pool, min_nr, size)			\
	mempool_init(pool, min_nr, gomem_mempool_kmalloc,		\
		     gomem_mempool_kfree, (void *)(size_t)(size))
#define mempool_create_kmalloc_pool(min_nr, size)			\
	mempool_create(min_nr, gomem_mempool_kmalloc,			\
		       gomem_mempool_kfree, (void *)(size_t)(size))

#endif /* _GOMEM_SLAB_H */
