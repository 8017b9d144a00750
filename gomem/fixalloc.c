// SPDX-License-Identifier: GPL-2.0
/*
 * fixalloc: a pool of fixed-size objects carved from kernel pages taken
 * straight from the buddy allocator on the pool's node.
 *
 * Each page starts with a header (its free list and count); objects follow.
 * Pages with a free object sit on ->partial, the rest on ->full. A page whose
 * objects are all free goes back to the buddy allocator unless it is the
 * only page with free objects (one spare page per pool, against thrashing).
 *
 * Locking: ->lock, a leaf lock, irq-safe (frees may come under other gomem
 * locks, from drains). The page allocation happens without it and may sleep
 * when @gfp allows. Callable from any context with a suitable @gfp.
 */
#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include "fixalloc.h"
#include "faultinject.h"

struct fixpage {
	struct list_head link;
	void *free;			/* singly linked through the objects */
	unsigned int nfree;
};

#define FIXPAGE_HDR	ALIGN(sizeof(struct fixpage), 64)

/**
 * gomem_fixalloc_init() - set up an empty pool
 * @fa: the pool
 * @size: object size
 * @node: NUMA node its pages come from
 */
void gomem_fixalloc_init(struct gomem_fixalloc *fa, size_t size, int node)
{
	spin_lock_init(&fa->lock);
	fa->size = ALIGN(size, 8);
	fa->per_page = (PAGE_SIZE - FIXPAGE_HDR) / fa->size;
	fa->node = node;
	INIT_LIST_HEAD(&fa->partial);
	INIT_LIST_HEAD(&fa->full);
	fa->inuse = 0;
	fa->pages = 0;
}

static struct fixpage *fixpage_of(const void *p)
{
	return (struct fixpage *)((unsigned long)p & PAGE_MASK);
}

static struct fixpage *fixpage_new(struct gomem_fixalloc *fa, gfp_t gfp)
{
	struct page *page;
	struct fixpage *fp;
	char *obj;
	unsigned int i;

	page = gomem_meta_alloc(alloc_pages_node(fa->node, (gfp & ~__GFP_ZERO) | __GFP_NOWARN, 0));
	if (!page)
		return NULL;
	fp = page_address(page);
	fp->free = NULL;
	obj = (char *)fp + FIXPAGE_HDR + (fa->per_page - 1) * fa->size;
	for (i = 0; i < fa->per_page; i++, obj -= fa->size) {
		*(void **)obj = fp->free;
		fp->free = obj;
	}
	fp->nfree = fa->per_page;
	return fp;
}

/**
 * gomem_fixalloc_alloc() - take an object, zeroed
 * @fa: the pool
 * @gfp: context for a new page, if one is needed
 *
 * Return: the object, or NULL when no page could be had.
 */
void *gomem_fixalloc_alloc(struct gomem_fixalloc *fa, gfp_t gfp)
{
	struct fixpage *fp, *fresh = NULL;
	unsigned long flags;
	void *p;

retry:
	/* a new page, allocated without the lock, when none has room */
	if (list_empty(&fa->partial)) {
		fresh = fixpage_new(fa, gfp);
		if (!fresh)
			return NULL;
	}
	spin_lock_irqsave(&fa->lock, flags);
	if (fresh && list_empty(&fa->partial)) {
		list_add(&fresh->link, &fa->partial);
		fa->pages++;
		fresh = NULL;
	}
	fp = list_first_entry_or_null(&fa->partial, struct fixpage, link);
	if (!fp) {
		/* emptied by others since we looked */
		spin_unlock_irqrestore(&fa->lock, flags);
		goto retry;
	}
	p = fp->free;
	fp->free = *(void **)p;
	if (--fp->nfree == 0)
		list_move(&fp->link, &fa->full);
	fa->inuse++;
	spin_unlock_irqrestore(&fa->lock, flags);
	if (fresh)
		__free_pages(virt_to_page(fresh), 0);
	memset(p, 0, fa->size);
	return p;
}

/**
 * gomem_fixalloc_free() - return an object to its pool
 * @fa: the pool it came from
 * @p: the object
 */
void gomem_fixalloc_free(struct gomem_fixalloc *fa, void *p)
{
	struct fixpage *fp = fixpage_of(p), *release = NULL;
	unsigned long flags;

	spin_lock_irqsave(&fa->lock, flags);
	*(void **)p = fp->free;
	fp->free = p;
	fa->inuse--;
	if (fp->nfree++ == 0)
		list_move(&fp->link, &fa->partial);
	if (fp->nfree == fa->per_page &&
	    !(fa->partial.next == &fp->link && fa->partial.prev == &fp->link)) {
		list_del(&fp->link);
		fa->pages--;
		release = fp;
	}
	spin_unlock_irqrestore(&fa->lock, flags);
	if (release)
		__free_pages(virt_to_page(release), 0);
}

/**
 * gomem_fixalloc_destroy() - free every page of a pool
 * @fa: the pool
 *
 * A pool with objects still in use (the spans of objects a client leaked,
 * reported already by their class: gomem_classes_exit(), debug.c) keeps its
 * pages, with an error line: leaked objects keep their memory, and their
 * spans go with it.
 */
void gomem_fixalloc_destroy(struct gomem_fixalloc *fa)
{
	struct fixpage *fp, *n;

	if (fa->inuse) {
		pr_err("gomem: %lu span structures of node %d still in use (leaked objects): kept\n",
		       fa->inuse, fa->node);
		return;
	}
	list_for_each_entry_safe(fp, n, &fa->partial, link)
		__free_pages(virt_to_page(fp), 0);
	list_for_each_entry_safe(fp, n, &fa->full, link)
		__free_pages(virt_to_page(fp), 0);
	INIT_LIST_HEAD(&fa->partial);
	INIT_LIST_HEAD(&fa->full);
	fa->pages = 0;
}
