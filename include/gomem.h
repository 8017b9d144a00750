/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomem: the Go runtime's memory allocator for kernel modules.
 *
 * The one header client modules include. The calls mirror kmalloc() and
 * kmem_cache_*(): a module ports by renaming. Documentation/api.rst has the
 * reference; every function is also documented at its definition.
 */
#ifndef _GOMEM_H
#define _GOMEM_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/numa.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>

/* Largest object served by size classes; larger ones are page spans. */
#define GOMEM_MAX_SMALL_SIZE	32768
/* Largest object served by the page heap; larger ones are vmalloc()ed. */
#define GOMEM_MAX_LARGE_SIZE	(4UL << 20)

void *gomem_kmalloc_node(size_t size, gfp_t flags, int node);
void gomem_kfree(const void *objp);
size_t gomem_ksize(const void *objp);
void *gomem_krealloc(const void *objp, size_t new_size, gfp_t flags);

/**
 * gomem_kmalloc() - allocate memory, as kmalloc()
 * @size: bytes required
 * @flags: GFP flags: GFP_KERNEL may sleep, GFP_ATOMIC never sleeps,
 *	__GFP_ZERO zeroes, __GFP_NOWARN silences the failure warning
 *
 * Return: a pointer aligned to at least 8 bytes (to the object size for
 * power-of-two sizes up to 8 KiB), or NULL on failure.
 */
static inline void *gomem_kmalloc(size_t size, gfp_t flags)
{
	return gomem_kmalloc_node(size, flags, NUMA_NO_NODE);
}

/**
 * gomem_kzalloc() - allocate zeroed memory, as kzalloc()
 * @size: bytes required
 * @flags: GFP flags
 *
 * Return: the memory, zeroed, or NULL.
 */
static inline void *gomem_kzalloc(size_t size, gfp_t flags)
{
	return gomem_kmalloc_node(size, flags | __GFP_ZERO, NUMA_NO_NODE);
}

/**
 * gomem_kzalloc_node() - allocate zeroed memory on a node
 * @size: bytes required
 * @flags: GFP flags
 * @node: NUMA node, or NUMA_NO_NODE
 *
 * Return: the memory, zeroed, or NULL.
 */
static inline void *gomem_kzalloc_node(size_t size, gfp_t flags, int node)
{
	return gomem_kmalloc_node(size, flags | __GFP_ZERO, node);
}

/**
 * gomem_kmalloc_array() - allocate an array, as kmalloc_array()
 * @n: number of elements
 * @size: element size
 * @flags: GFP flags
 *
 * Return: the memory, or NULL (also when @n * @size overflows).
 */
static inline void *gomem_kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gomem_kmalloc_node(bytes, flags, NUMA_NO_NODE);
}

/**
 * gomem_kcalloc() - allocate a zeroed array, as kcalloc()
 * @n: number of elements
 * @size: element size
 * @flags: GFP flags
 *
 * Return: the memory, zeroed, or NULL (also on overflow).
 */
static inline void *gomem_kcalloc(size_t n, size_t size, gfp_t flags)
{
	return gomem_kmalloc_array(n, size, flags | __GFP_ZERO);
}


/* Cache flags, in the spirit of SLAB_* */
#define GOMEM_HWCACHE_ALIGN	0x00000001UL	/* align objects on cache lines */
#define GOMEM_NOSCAN		0x00000002UL	/* objects hold no pointers */
#define GOMEM_NO_MERGE		0x00000004UL	/* never share spans with others */
#define GOMEM_TYPESAFE_BY_RCU	0x00000008UL	/* span pages reused after a GP */
#define GOMEM_POISON		0x00000010UL	/* poison free objects, check them */
#define GOMEM_CACHE_FLAGS	0x0000001fUL

struct gomem_cache;

struct gomem_cache *gomem_cache_create(const char *name, unsigned int size,
				       unsigned int align, unsigned long flags,
				       void (*ctor)(void *));
void gomem_cache_destroy(struct gomem_cache *cache);
void *gomem_cache_alloc_node(struct gomem_cache *cache, gfp_t flags, int node);
void gomem_cache_free(struct gomem_cache *cache, void *objp);
int gomem_cache_alloc_bulk(struct gomem_cache *cache, gfp_t flags, size_t size,
			   void **p);
void gomem_cache_free_bulk(struct gomem_cache *cache, size_t size, void **p);
int gomem_cache_shrink(struct gomem_cache *cache);
unsigned int gomem_cache_size(struct gomem_cache *cache);

/**
 * gomem_cache_alloc() - allocate an object from a cache
 * @cache: the cache
 * @flags: GFP flags
 *
 * Return: the object, or NULL on failure.
 */
static inline void *gomem_cache_alloc(struct gomem_cache *cache, gfp_t flags)
{
	return gomem_cache_alloc_node(cache, flags, NUMA_NO_NODE);
}

/**
 * gomem_cache_zalloc() - allocate a zeroed object from a cache
 * @cache: the cache (without a constructor)
 * @flags: GFP flags
 *
 * Return: the object, zeroed, or NULL on failure.
 */
static inline void *gomem_cache_zalloc(struct gomem_cache *cache, gfp_t flags)
{
	return gomem_cache_alloc_node(cache, flags | __GFP_ZERO, NUMA_NO_NODE);
}

void *gomem_kmalloc_noscan(size_t size, gfp_t flags);
char *gomem_kstrdup(const char *s, gfp_t flags);
void __gomem_kfree_rcu(struct rcu_head *head);

/**
 * gomem_kfree_rcu() - free an object after an RCU grace period
 * @ptr: the object, from the gomem_kmalloc() family or a gomem cache
 * @rhf: the name of its struct rcu_head member
 *
 * As kfree_rcu(): callable from any context; the object is freed by
 * gomem_kfree() once every RCU reader that may see it has finished. Objects
 * of private caches are credited to their cache; objects of merged caches
 * are not (free those with gomem_cache_free() after synchronize_rcu(), or
 * accept that the cache's figures count them as live).
 */
#define gomem_kfree_rcu(ptr, rhf)	__gomem_kfree_rcu(&(ptr)->rhf)

#endif /* _GOMEM_H */
