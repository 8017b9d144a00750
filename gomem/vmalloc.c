// SPDX-License-Identifier: GPL-2.0
/*
 * Objects above GOMEM_MAX_LARGE_SIZE (4 MiB): vmalloc'ed, with one page of
 * header in front that records the size, a magic number and the header's
 * own address. The free path recognises them by address (a vmalloc
 * address whose page in front holds a valid header).
 *
 * Context: allocation needs a GFP that may sleep (vmalloc does), and fails
 * with a warning otherwise; the lookups and the free may be called from any
 * context in which vfree() may.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include "vmalloc.h"
#include "stats.h"
#include "faultinject.h"

/* vmalloc'ed objects carry their size in a header page in front */
struct gomem_vhdr {
	size_t size;
	unsigned long magic;
	struct gomem_vhdr *self;
};

#define GOMEM_VMAGIC	0x676f6d656d766d61UL	/* "gomemvma" */

/**
 * gomem_vmalloc_alloc() - a vmalloc'ed object
 * @size: bytes
 * @flags: GFP flags; must allow blocking
 * @ip: the caller, for the warning
 *
 * Return: the object (page aligned), or NULL.
 */
void *gomem_vmalloc_alloc(size_t size, gfp_t flags, unsigned long ip)
{
	struct gomem_vhdr *h;

	if (!gfpflags_allow_blocking(flags)) {
		if (!(flags & __GFP_NOWARN))
			pr_warn("gomem: %pS: %zu bytes need vmalloc, which an atomic GFP forbids\n",
				(void *)ip, size);
		return NULL;
	}
	if (gomem_should_fail(GOMEM_FAULT_VMALLOC))
		h = NULL;
	else
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

static struct gomem_vhdr *vhdr(const void *p)
{
	struct gomem_vhdr *h = (struct gomem_vhdr *)((unsigned long)p - PAGE_SIZE);

	/* the page in front may be another area's unmapped guard page */
	if (!PAGE_ALIGNED(p) || !is_vmalloc_addr(h) || !vmalloc_to_page(h) ||
	    h->magic != GOMEM_VMAGIC || h->self != h)
		return NULL;
	return h;
}

/**
 * gomem_vmalloc_free() - free a vmalloc'ed object
 * @p: a pointer
 *
 * Return: false when @p is not a vmalloc'ed gomem object (nothing done).
 */
bool gomem_vmalloc_free(const void *p)
{
	struct gomem_vhdr *h = vhdr(p);

	if (!h)
		return false;
	h->magic = 0;
	gomem_stat_add(GOMEM_STAT_VMALLOC_FREES, 1);
	vfree(h);
	return true;
}

/**
 * gomem_vmalloc_size() - the size of a vmalloc'ed object
 * @p: a pointer
 *
 * Return: its size, or 0 when @p is not a vmalloc'ed gomem object.
 */
size_t gomem_vmalloc_size(const void *p)
{
	struct gomem_vhdr *h = vhdr(p);

	return h ? h->size : 0;
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
