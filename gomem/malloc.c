// SPDX-License-Identifier: GPL-2.0
/*
 * The kmalloc family: Go's mallocgc() size split, for the kernel.
 *
 *   size 0                      ZERO_SIZE_PTR, as kmalloc()
 *   1 B .. 32 KiB               a size class (mcache.c); noscan requests
 *                               under 16 B are tiny-packed (tiny.c)
 *   32 KiB + 1 .. 4 MiB         a large span from the page heap (mheap.c)
 *   above 4 MiB                 vmalloc, one page of header in front
 *
 * gomem_kfree() finds what it frees by address: vmalloc'ed (header), or in
 * a span (the chunk index gives the span in O(1)); anything else is not
 * gomem's, and is reported and refused.
 *
 * Context: every function may be called from any context with a GFP that
 * fits it (GFP_ATOMIC in interrupts); only the vmalloc path needs a
 * sleeping GFP, and fails for an atomic one.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/rcupdate.h>
#include <gomem.h>
#include "gomem_internal.h"

/* vmalloc'ed objects carry their size in a header page in front */
struct gomem_vhdr {
	size_t size;
	unsigned long magic;
	struct gomem_vhdr *self;
};

#define GOMEM_VMAGIC	0x676f6d656d766d61UL	/* "gomemvma" */
#define GOMEM_MAX_ALLOC	((size_t)INT_MAX)

static void *gomem_vmalloc(size_t size, gfp_t flags, unsigned long ip)
{
	struct gomem_vhdr *h;

	if (!gfpflags_allow_blocking(flags)) {
		if (!(flags & __GFP_NOWARN))
			pr_warn("gomem: %pS: %zu bytes need vmalloc, which an atomic GFP forbids\n",
				(void *)ip, size);
		return NULL;
	}
	h = __vmalloc(size + PAGE_SIZE, (flags & GFP_KERNEL) | (flags & __GFP_ZERO) |
		      __GFP_NOWARN);
	if (!h) {
		if (!(flags & __GFP_NOWARN))
			pr_warn("gomem: %pS: vmalloc of %zu bytes failed\n", (void *)ip, size);
		return NULL;
	}
	h->size = size;
	h->magic = GOMEM_VMAGIC;
	h->self = h;
	gomem_stat_add(GOMEM_STAT_VMALLOC_ALLOCS, 1);
	return (char *)h + PAGE_SIZE;
}

/**
 * gomem_vmalloc_start() - the start of a vmalloc'ed object, from inside it
 * @p: an address inside the object
 *
 * Walks back page by page to the header. Used by gomem_kfree_rcu().
 *
 * Return: the object, or NULL.
 */
void *gomem_vmalloc_start(const void *p)
{
	unsigned long a = (unsigned long)p & PAGE_MASK;
	struct gomem_vhdr *h;

	for (;; a -= PAGE_SIZE) {
		if (!is_vmalloc_addr((void *)a) || !vmalloc_to_page((void *)a))
			return NULL;	/* not vmalloc'ed, or a guard page */
		h = (struct gomem_vhdr *)a;
		if (h->magic == GOMEM_VMAGIC && h->self == h &&
		    (unsigned long)p < a + PAGE_SIZE + h->size)
			return (char *)h + PAGE_SIZE;
	}
}

static struct gomem_vhdr *gomem_vhdr(const void *p)
{
	struct gomem_vhdr *h = (struct gomem_vhdr *)((unsigned long)p - PAGE_SIZE);

	/* the page in front may be another area's unmapped guard page */
	if (!PAGE_ALIGNED(p) || !is_vmalloc_addr(h) || !vmalloc_to_page(h) ||
	    h->magic != GOMEM_VMAGIC || h->self != h)
		return NULL;
	return h;
}

/*
 * What the fast path does with an object it got: the caller returns this,
 * so that the zeroing is a tail call and nothing is live across it.
 */
static __always_inline void *kmalloc_fast_done(struct gomem_class *cls, void *p, gfp_t flags)
{
	kmemleak_alloc(p, cls->objsize, 1, flags);
	if (want_init_on_alloc(flags))
		return gomem_zero_obj(p, cls->objsize);
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
		p = gomem_alloc_fast(cls);
		if (likely(p))
			return kmalloc_fast_done(cls, p, flags);
	}
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(size > GOMEM_MAX_LARGE_SIZE && size <= GOMEM_MAX_ALLOC))
		return gomem_vmalloc(size, flags, _RET_IP_);
	if (likely(size <= GOMEM_MAX_SMALL_SIZE))
		p = gomem_small_alloc(gomem_size_to_class(size) << 1, size, flags, node);
	else if (size <= GOMEM_MAX_LARGE_SIZE)
		p = gomem_large_alloc(size, flags, node);
	else
		p = NULL;	/* an impossible size */
	if (unlikely(!p) && !(flags & __GFP_NOWARN))
		pr_warn("gomem: %pS: allocation of %zu bytes (gfp %#x) failed\n",
			__builtin_return_address(0), size, flags);
	return p;
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
	p = gomem_small_alloc(sizeclass << 1, cls->elemsize, flags, NUMA_NO_NODE);
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
		p = gomem_alloc_fast(cls);
		if (likely(p))
			return kmalloc_fast_done(cls, p, flags);
	}
	return kmalloc_class_slow(sizeclass, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(__gomem_kmalloc_class);

static noinline void kfree_slow(const void *objp, unsigned long ip)
{
	struct gomem_vhdr *vh;

	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return;
	if (likely(gomem_free_indexed(NULL, objp)))
		return;
	if (unlikely(is_vmalloc_addr(objp))) {
		vh = gomem_vhdr(objp);
		if (!vh) {
			gomem_report_bad_free(NULL, objp, ip, "not a gomem object");
			return;
		}
		vh->magic = 0;
		gomem_stat_add(GOMEM_STAT_VMALLOC_FREES, 1);
		vfree(vh);
		return;
	}
	gomem_free(NULL, objp, ip);
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
	/* NULL and ZERO_SIZE_PTR never match a free hint */
	if (likely(gomem_free_fast(NULL, objp)))
		return;
	kfree_slow(objp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gomem_kfree);

/**
 * gomem_ksize() - usable size of an allocation
 * @objp: an object from gomem, or NULL
 *
 * Return: the bytes the caller may use (the size class, the span, or the
 * vmalloc'ed size), 0 for NULL, ZERO_SIZE_PTR, a pointer gomem does not own,
 * and a tiny-packed object (whose size is not recorded).
 */
size_t gomem_ksize(const void *objp)
{
	struct gomem_vhdr *vh;

	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return 0;
	if (unlikely(is_vmalloc_addr(objp))) {
		vh = gomem_vhdr(objp);
		return vh ? vh->size : 0;
	}
	return gomem_obj_size(objp);
}
EXPORT_SYMBOL_GPL(gomem_ksize);

/**
 * gomem_krealloc() - resize an allocation, as krealloc()
 * @objp: the object, or NULL (then this is gomem_kmalloc())
 * @new_size: bytes required; 0 frees @objp and returns ZERO_SIZE_PTR
 * @flags: GFP flags
 *
 * The contents up to the smaller of the old and new sizes are kept. When the
 * object already has room, it is returned as is.
 *
 * Return: the object (moved or not), or NULL on failure, when @objp is
 * left untouched.
 */
void *gomem_krealloc(const void *objp, size_t new_size, gfp_t flags)
{
	size_t ks, copy;
	void *p;

	if (unlikely(!new_size)) {
		gomem_kfree(objp);
		return ZERO_SIZE_PTR;
	}
	ks = gomem_ksize(objp);
	copy = ks ?: gomem_tiny_extent(objp);
	if (!copy && !ZERO_OR_NULL_PTR(objp)) {
		gomem_report_bad_free(NULL, objp, _RET_IP_, "krealloc of a pointer gomem does not own");
		return NULL;
	}
	if (ks >= new_size) {
		/* keep the object unless it would waste most of its size */
		if (new_size > GOMEM_MAX_SMALL_SIZE || new_size >= ks / 4 || ks <= 32)
			return (void *)objp;
	}
	p = gomem_kmalloc_node(new_size, flags, NUMA_NO_NODE);
	if (!p)
		return NULL;
	if (copy) {
		/* for a tiny object: to the end of its block (its size is unknown) */
		memcpy(p, objp, min(copy, new_size));
		gomem_kfree(objp);
	}
	return p;
}
EXPORT_SYMBOL_GPL(gomem_krealloc);

/**
 * gomem_kmalloc_noscan() - allocate memory that holds no pointers
 * @size: bytes required
 * @flags: GFP flags
 *
 * For strings and byte buffers: the memory is not scanned by kmemleak, and
 * a request under 16 bytes is packed with other such objects into a 16-byte
 * block (the tiny allocator), which saves memory on small strings. Free it
 * with gomem_kfree(). gomem_ksize() of a tiny-packed object is 0: its size is
 * not recorded.
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
		p = gomem_small_alloc(gomem_noscan_spanclass(gomem_size_to_class(size)), size, flags,
				      NUMA_NO_NODE);
	else
		return gomem_kmalloc_node(size, flags, NUMA_NO_NODE);
	if (unlikely(!p) && !(flags & __GFP_NOWARN))
		pr_warn("gomem: %pS: noscan allocation of %zu bytes (gfp %#x) failed\n",
			__builtin_return_address(0), size, flags);
	return p;
}
EXPORT_SYMBOL_GPL(gomem_kmalloc_noscan);

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
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	p = gomem_kmalloc_noscan(len, flags);
	if (p)
		memcpy(p, s, len);
	return p;
}
EXPORT_SYMBOL_GPL(gomem_kstrdup);
