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
/*
 * Largest object served by the page heap, and by gomem_kmalloc():
 * gomem_kvmalloc() vmalloc()s larger ones.
 */
#define GOMEM_MAX_LARGE_SIZE	(4UL << 20)

void *gomem_kmalloc_node(size_t size, gfp_t flags, int node);
void gomem_kfree(const void *objp);
size_t gomem_ksize(const void *objp);
bool gomem_owns(const void *p);
size_t gomem_kmalloc_size_roundup(size_t size);
void *gomem_krealloc(const void *objp, size_t new_size, gfp_t flags);
void *gomem_kvmalloc_node(size_t size, gfp_t flags, int node);
void *gomem_kvrealloc(const void *p, size_t oldsize, size_t newsize, gfp_t flags);
void *__gomem_kmalloc_node_track_caller(size_t size, gfp_t flags, int node,
					unsigned long caller);

void *__gomem_kmalloc_class(unsigned int sizeclass, gfp_t flags);

/*
 * The size class of a small request, for sizes known at compile time: as
 * the kernel's kmalloc_index(), the compiler folds it to a constant, so
 * gomem_kmalloc() of a constant size goes straight to its class. It must
 * match gomem's table (gomem/sizeclasses.c); the host tests compare the two
 * for every size. Not for run-time sizes: a chain of compares.
 */
static __always_inline unsigned int gomem_const_size_class(size_t size)
{
	if (size <= 8)
		return 1;
	if (size <= 16)
		return 2;
	if (size <= 24)
		return 3;
	if (size <= 32)
		return 4;
	if (size <= 48)
		return 5;
	if (size <= 64)
		return 6;
	if (size <= 80)
		return 7;
	if (size <= 96)
		return 8;
	if (size <= 112)
		return 9;
	if (size <= 128)
		return 10;
	if (size <= 144)
		return 11;
	if (size <= 160)
		return 12;
	if (size <= 176)
		return 13;
	if (size <= 192)
		return 14;
	if (size <= 208)
		return 15;
	if (size <= 224)
		return 16;
	if (size <= 240)
		return 17;
	if (size <= 256)
		return 18;
	if (size <= 288)
		return 19;
	if (size <= 320)
		return 20;
	if (size <= 352)
		return 21;
	if (size <= 384)
		return 22;
	if (size <= 416)
		return 23;
	if (size <= 448)
		return 24;
	if (size <= 480)
		return 25;
	if (size <= 512)
		return 26;
	if (size <= 576)
		return 27;
	if (size <= 640)
		return 28;
	if (size <= 704)
		return 29;
	if (size <= 768)
		return 30;
	if (size <= 896)
		return 31;
	if (size <= 1024)
		return 32;
	if (size <= 1152)
		return 33;
	if (size <= 1280)
		return 34;
	if (size <= 1408)
		return 35;
	if (size <= 1536)
		return 36;
	if (size <= 1792)
		return 37;
	if (size <= 2048)
		return 38;
	if (size <= 2304)
		return 39;
	if (size <= 2688)
		return 40;
	if (size <= 3072)
		return 41;
	if (size <= 3200)
		return 42;
	if (size <= 3456)
		return 43;
	if (size <= 4096)
		return 44;
	if (size <= 4864)
		return 45;
	if (size <= 5376)
		return 46;
	if (size <= 6144)
		return 47;
	if (size <= 6528)
		return 48;
	if (size <= 6784)
		return 49;
	if (size <= 6912)
		return 50;
	if (size <= 8192)
		return 51;
	if (size <= 9472)
		return 52;
	if (size <= 9728)
		return 53;
	if (size <= 10240)
		return 54;
	if (size <= 10880)
		return 55;
	if (size <= 12288)
		return 56;
	if (size <= 13568)
		return 57;
	if (size <= 14336)
		return 58;
	if (size <= 16384)
		return 59;
	if (size <= 18432)
		return 60;
	if (size <= 19072)
		return 61;
	if (size <= 20480)
		return 62;
	if (size <= 21760)
		return 63;
	if (size <= 24576)
		return 64;
	if (size <= 27264)
		return 65;
	if (size <= 28672)
		return 66;
	if (size <= 32768)
		return 67;
	return 0;
}

/**
 * gomem_kmalloc() - allocate memory, as kmalloc()
 * @size: bytes required
 * @flags: GFP flags: GFP_KERNEL may sleep, GFP_ATOMIC never sleeps,
 *	__GFP_ZERO zeroes, __GFP_NOWARN silences the failure warning
 *
 * Return: a pointer aligned to at least 8 bytes (to the object size for
 * power-of-two sizes up to 8 KiB), or NULL on failure.
 */
static __always_inline void *gomem_kmalloc(size_t size, gfp_t flags)
{
	if (__builtin_constant_p(size) && size && size <= GOMEM_MAX_SMALL_SIZE)
		return __gomem_kmalloc_class(gomem_const_size_class(size), flags);
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
 * gomem_kmalloc_array_node() - allocate an array on a node, as
 *	kmalloc_array_node()
 * @n: number of elements
 * @size: element size
 * @flags: GFP flags
 * @node: NUMA node, or NUMA_NO_NODE
 *
 * Return: the memory, or NULL (also when @n * @size overflows).
 */
static inline void *gomem_kmalloc_array_node(size_t n, size_t size, gfp_t flags, int node)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gomem_kmalloc_node(bytes, flags, node);
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
	return gomem_kmalloc_array_node(n, size, flags, NUMA_NO_NODE);
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
	return gomem_kmalloc_array_node(n, size, flags | __GFP_ZERO, NUMA_NO_NODE);
}

/**
 * gomem_kcalloc_node() - allocate a zeroed array on a node, as kcalloc_node()
 * @n: number of elements
 * @size: element size
 * @flags: GFP flags
 * @node: NUMA node, or NUMA_NO_NODE
 *
 * Return: the memory, zeroed, or NULL (also on overflow).
 */
static inline void *gomem_kcalloc_node(size_t n, size_t size, gfp_t flags, int node)
{
	return gomem_kmalloc_array_node(n, size, flags | __GFP_ZERO, node);
}

/**
 * gomem_krealloc_array() - resize an array, as krealloc_array()
 * @p: the array, or NULL
 * @n: new number of elements
 * @size: element size
 * @flags: GFP flags
 *
 * Return: as gomem_krealloc(); NULL, with @p untouched, when @n * @size
 * overflows.
 */
static inline void *gomem_krealloc_array(void *p, size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gomem_krealloc(p, bytes, flags);
}

/**
 * gomem_kvmalloc() - allocate memory, contiguous if possible, as kvmalloc()
 * @size: bytes required
 * @flags: GFP flags (GFP_KERNEL-compatible for the vmalloc fallback)
 *
 * Return: as gomem_kvmalloc_node().
 */
static inline void *gomem_kvmalloc(size_t size, gfp_t flags)
{
	return gomem_kvmalloc_node(size, flags, NUMA_NO_NODE);
}

/**
 * gomem_kvzalloc() - gomem_kvmalloc(), zeroed, as kvzalloc()
 * @size: bytes required
 * @flags: GFP flags
 *
 * Return: the memory, zeroed, or NULL.
 */
static inline void *gomem_kvzalloc(size_t size, gfp_t flags)
{
	return gomem_kvmalloc_node(size, flags | __GFP_ZERO, NUMA_NO_NODE);
}

/**
 * gomem_kvzalloc_node() - gomem_kvmalloc_node(), zeroed, as kvzalloc_node()
 * @size: bytes required
 * @flags: GFP flags
 * @node: NUMA node, or NUMA_NO_NODE
 *
 * Return: the memory, zeroed, or NULL.
 */
static inline void *gomem_kvzalloc_node(size_t size, gfp_t flags, int node)
{
	return gomem_kvmalloc_node(size, flags | __GFP_ZERO, node);
}

/**
 * gomem_kvmalloc_array() - gomem_kvmalloc() of an array, as kvmalloc_array()
 * @n: number of elements
 * @size: element size
 * @flags: GFP flags
 *
 * Return: the memory, or NULL (also when @n * @size overflows).
 */
static inline void *gomem_kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gomem_kvmalloc_node(bytes, flags, NUMA_NO_NODE);
}

/**
 * gomem_kvcalloc() - gomem_kvmalloc_array(), zeroed, as kvcalloc()
 * @n: number of elements
 * @size: element size
 * @flags: GFP flags
 *
 * Return: the memory, zeroed, or NULL.
 */
static inline void *gomem_kvcalloc(size_t n, size_t size, gfp_t flags)
{
	return gomem_kvmalloc_array(n, size, flags | __GFP_ZERO);
}

/**
 * gomem_kvfree() - free memory from gomem_kvmalloc(), as kvfree()
 * @p: the memory, NULL or ZERO_SIZE_PTR
 *
 * gomem_kfree() frees both kinds (it finds vmalloc'ed objects by address);
 * the name is kvfree()'s. Context: as vfree() for vmalloc'ed memory.
 */
static inline void gomem_kvfree(const void *p)
{
	gomem_kfree(p);
}

/* Cache flags, in the spirit of SLAB_* */
#define GOMEM_HWCACHE_ALIGN	0x00000001UL	/* align objects on cache lines */
#define GOMEM_NOSCAN		0x00000002UL	/* objects hold no pointers */
#define GOMEM_NO_MERGE		0x00000004UL	/* never share spans with others */
#define GOMEM_TYPESAFE_BY_RCU	0x00000008UL	/* span pages reused after a GP */
/*
 * Debug flags (Documentation/debugging.rst), as SLUB's F, Z, P and U: any of
 * them gives the cache spans of its own and takes its objects off the fast
 * paths. gomem.debug= sets them at load time for caches and kmalloc classes.
 */
#define GOMEM_POISON		0x00000010UL	/* poison free objects, check them (P) */
#define GOMEM_RED_ZONE		0x00000020UL	/* red zones around objects (Z) */
#define GOMEM_STORE_USER	0x00000040UL	/* last alloc and free owner (U) */
#define GOMEM_CONSISTENCY_CHECKS 0x00000080UL	/* state checks at alloc, free (F) */
#define GOMEM_DEBUG_FLAGS	(GOMEM_POISON | GOMEM_RED_ZONE | GOMEM_STORE_USER | \
				 GOMEM_CONSISTENCY_CHECKS)
/* as SLAB_PANIC: gomem_cache_create() panics instead of returning NULL */
#define GOMEM_PANIC		0x00000100UL
/*
 * Accepted for the slab API's sake and ignored (Documentation/porting.rst,
 * "Cache flags"): gomem charges no memory cgroup and has no cpuset
 * spreading of page cache objects.
 */
#define GOMEM_ACCOUNT		0x00000200UL	/* SLAB_ACCOUNT */
#define GOMEM_RECLAIM_ACCOUNT	0x00000400UL	/* SLAB_RECLAIM_ACCOUNT */
#define GOMEM_MEM_SPREAD	0x00000800UL	/* SLAB_MEM_SPREAD */
#define GOMEM_IGNORED_FLAGS	(GOMEM_ACCOUNT | GOMEM_RECLAIM_ACCOUNT | GOMEM_MEM_SPREAD)
#define GOMEM_CACHE_FLAGS	0x00000fffUL

struct gomem_cache;

struct gomem_cache *gomem_cache_create(const char *name, unsigned int size,
				       unsigned int align, unsigned long flags,
				       void (*ctor)(void *));
void gomem_cache_destroy(struct gomem_cache *cache);
void *gomem_cache_alloc(struct gomem_cache *cache, gfp_t flags);
void *gomem_cache_alloc_node(struct gomem_cache *cache, gfp_t flags, int node);
void gomem_cache_free(struct gomem_cache *cache, void *objp);
int gomem_cache_alloc_bulk(struct gomem_cache *cache, gfp_t flags, size_t size,
			   void **p);
void gomem_cache_free_bulk(struct gomem_cache *cache, size_t size, void **p);
int gomem_cache_shrink(struct gomem_cache *cache);
unsigned int gomem_cache_size(struct gomem_cache *cache);

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
char *gomem_kstrndup(const char *s, size_t max, gfp_t flags);
char *gomem_kmemdup_nul(const char *s, size_t len, gfp_t flags);
void *gomem_kmemdup(const void *src, size_t len, gfp_t flags);
void gomem_kfree_sensitive(const void *objp);
void __gomem_kfree_rcu(struct rcu_head *head);
void gomem_kvfree_rcu_sync(const void *ptr);

struct list_lru;

/**
 * gomem_cache_alloc_lru() - allocate from a cache, as kmem_cache_alloc_lru()
 * @cache: the cache
 * @lru: the list_lru the object will go on (unused)
 * @flags: GFP flags
 *
 * The kernel uses @lru to charge the object's memory cgroup (6.1,
 * memcg-aware list_lrus); gomem does no memcg accounting, so this is
 * gomem_cache_alloc(). alloc_inode_sb() calls it.
 *
 * Return: as gomem_cache_alloc().
 */
static inline void *gomem_cache_alloc_lru(struct gomem_cache *cache, struct list_lru *lru,
					  gfp_t flags)
{
	return gomem_cache_alloc(cache, flags);
}

/**
 * gomem_cache_create_usercopy() - create a cache, as
 *	kmem_cache_create_usercopy()
 * @name: as gomem_cache_create()
 * @size: as gomem_cache_create()
 * @align: as gomem_cache_create()
 * @flags: as gomem_cache_create()
 * @useroffset: start of the region copy_to/from_user() may touch (unused)
 * @usersize: its size (unused)
 * @ctor: as gomem_cache_create()
 *
 * gomem has no hardened-usercopy checks (CONFIG_HARDENED_USERCOPY checks
 * slab pages only): the region is accepted and not enforced.
 *
 * Return: as gomem_cache_create().
 */
static inline struct gomem_cache *
gomem_cache_create_usercopy(const char *name, unsigned int size, unsigned int align,
			    unsigned long flags, unsigned int useroffset,
			    unsigned int usersize, void (*ctor)(void *))
{
	return gomem_cache_create(name, size, align, flags, ctor);
}

/**
 * gomem_kstrdup_const() - duplicate a string, as kstrdup_const()
 * @s: the string, or NULL
 * @flags: GFP flags
 *
 * The kernel returns @s itself when it is in the core kernel's .rodata,
 * which a module cannot tell: gomem always copies. Free with
 * gomem_kfree_const().
 *
 * Return: the copy, or NULL.
 */
static inline const char *gomem_kstrdup_const(const char *s, gfp_t flags)
{
	return gomem_kstrdup(s, flags);
}

/**
 * gomem_kfree_const() - free a string from gomem_kstrdup_const()
 * @x: the string, or NULL
 */
static inline void gomem_kfree_const(const void *x)
{
	gomem_kfree(x);
}

/**
 * gomem_kfree_rcu() - free an object after an RCU grace period
 * @ptr: the object, from the gomem_kmalloc() family or a gomem cache, or
 *	NULL (then nothing happens, as with kfree_rcu())
 * @rhf: the name of its struct rcu_head member
 *
 * As kfree_rcu(): callable from any context; the object is freed by
 * gomem_kfree() once every RCU reader that may see it has finished. @ptr is
 * evaluated once. Objects of private and merged caches are credited to
 * their cache (tiny caches' are not: Documentation/api.rst).
 */
#define gomem_kfree_rcu(...)						\
	__GOMEM_KFREE_RCU_PICK(__VA_ARGS__, __gomem_kfree_rcu2,		\
			       __gomem_kfree_rcu1)(__VA_ARGS__)
#define __GOMEM_KFREE_RCU_PICK(_1, _2, name, ...) name

#define __gomem_kfree_rcu2(ptr, rhf)					\
do {									\
	typeof(ptr) ___gomem_p = (ptr);					\
									\
	if (___gomem_p)							\
		__gomem_kfree_rcu(&___gomem_p->rhf);			\
} while (0)

/*
 * gomem_kfree_rcu(ptr), one argument, as the kernel's kfree_rcu(ptr): for
 * an object without an rcu_head. It may sleep: it waits for a grace period
 * (gomem_kvfree_rcu_sync()), which the kernel does too when it cannot
 * queue the pointer.
 */
#define __gomem_kfree_rcu1(ptr)		gomem_kvfree_rcu_sync(ptr)

/**
 * gomem_kvfree_rcu() - gomem_kfree_rcu() for gomem_kvmalloc() memory, as
 *	kvfree_rcu()
 *
 * gomem_kvfree_rcu(ptr, rhf) or gomem_kvfree_rcu(ptr): as gomem_kfree_rcu(),
 * which frees vmalloc'ed objects as well.
 */
#define gomem_kvfree_rcu(...)		gomem_kfree_rcu(__VA_ARGS__)

/**
 * gomem_kmalloc_track_caller() - gomem_kmalloc() on behalf of the caller's
 *	caller, as kmalloc_track_caller()
 * @size: bytes required
 * @flags: GFP flags
 *
 * For helpers that allocate for their callers (a strdup of one's own):
 * allocation failures and the gomem:gomem_alloc tracepoint name the
 * helper's caller.
 */
#define gomem_kmalloc_track_caller(size, flags)				\
	__gomem_kmalloc_node_track_caller(size, flags, NUMA_NO_NODE, _RET_IP_)
#define gomem_kmalloc_node_track_caller(size, flags, node)		\
	__gomem_kmalloc_node_track_caller(size, flags, node, _RET_IP_)

/*
 * Memory from either allocator: for code that frees pointers which may be
 * gomem's or the kernel's (strings from match_strdup() or kasprintf(),
 * buffers handed over by core code), and for the drop-in layer
 * (gomem_slab.h), which maps kfree() and its kin here. Each frees (or
 * measures, or resizes) gomem's memory through gomem and gives anything
 * else to the kernel's function of the same name; gomem_owns() decides.
 * Documentation/porting.rst, "Boundary crossings".
 */
void gomem_kfree_any(const void *objp);
void gomem_kvfree_any(const void *p);
void gomem_kfree_sensitive_any(const void *objp);
void gomem_kvfree_sensitive_any(const void *p, size_t len);
void gomem_kfree_const_any(const void *x);
void gomem_kfree_bulk_any(size_t n, void **p);
size_t gomem_ksize_any(const void *objp);
void *gomem_krealloc_any(const void *objp, size_t new_size, gfp_t flags);
void *gomem_kvrealloc_any(const void *p, size_t oldsize, size_t newsize, gfp_t flags);
void gomem_kfree_link(void *p);
void gomem_kfree_rcu_any(struct rcu_head *head, unsigned long offset);
void gomem_kvfree_rcu_sync_any(const void *ptr);

/**
 * gomem_krealloc_array_any() - gomem_krealloc_array() for memory from
 *	either allocator
 * @p: the array (gomem's, the kernel's, or NULL)
 * @n: number of elements
 * @size: element size
 * @flags: GFP flags
 *
 * Return: as krealloc_array(); the kernel's memory is resized by the kernel.
 */
static inline void *gomem_krealloc_array_any(void *p, size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gomem_krealloc_any(p, bytes, flags);
}

/**
 * gomem_kvfree_rcu_any() - kvfree_rcu() for memory from either allocator
 *
 * gomem_kvfree_rcu_any(ptr, rhf) queues the object around @ptr->rhf (from
 * any context); gomem_kvfree_rcu_any(ptr) waits for a grace period and then
 * frees (it may sleep). Either way gomem's memory goes back to gomem and the
 * kernel's to kvfree_call_rcu(), as kfree_rcu() would.
 */
#define gomem_kvfree_rcu_any(...)					\
	__GOMEM_KFREE_RCU_PICK(__VA_ARGS__, __gomem_kvfree_rcu_any2,	\
			       __gomem_kvfree_rcu_any1)(__VA_ARGS__)

#define __gomem_kvfree_rcu_any2(ptr, rhf)				\
do {									\
	typeof(ptr) ___gomem_p = (ptr);					\
									\
	if (___gomem_p)							\
		gomem_kfree_rcu_any(&___gomem_p->rhf,			\
				    offsetof(typeof(*___gomem_p), rhf));	\
} while (0)

#define __gomem_kvfree_rcu_any1(ptr)	gomem_kvfree_rcu_sync_any(ptr)

/*
 * A mempool of gomem objects: pass these to mempool_create() or
 * mempool_init() with the cache (the slab pair) or the element size in
 * bytes (the kmalloc pair) as pool_data, as mempool_create_slab_pool() and
 * mempool_create_kmalloc_pool() pass the kernel's.
 */
void *gomem_mempool_alloc_slab(gfp_t gfp_mask, void *pool_data);
void gomem_mempool_free_slab(void *element, void *pool_data);
void *gomem_mempool_kmalloc(gfp_t gfp_mask, void *pool_data);
void gomem_mempool_kfree(void *element, void *pool_data);

/* kmem_cache_create() with SLAB_* flags, for the drop-in layer */
struct gomem_cache *gomem_cache_create_slab(const char *name, unsigned int size,
					    unsigned int align, slab_flags_t flags,
					    void (*ctor)(void *));

/**
 * GOMEM_KMEM_CACHE() - a cache for a struct, as KMEM_CACHE()
 * @__struct: the struct; its name, size and alignment make the cache
 * @__flags: GOMEM_* cache flags
 */
#define GOMEM_KMEM_CACHE(__struct, __flags)				\
	gomem_cache_create(#__struct, sizeof(struct __struct),		\
			   __alignof__(struct __struct), (__flags), NULL)

#endif /* _GOMEM_H */
