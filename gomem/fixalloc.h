/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fixed-size object pool over whole kernel pages: Go's fixalloc, used for
 * span structs so that span metadata never comes from SLUB. See fixalloc.c.
 */
#ifndef _GOMEM_FIXALLOC_H
#define _GOMEM_FIXALLOC_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/list.h>

struct gomem_fixalloc {
	spinlock_t lock;
	unsigned int size;		/* object size, rounded to 8 */
	unsigned int per_page;
	int node;
	struct list_head partial;	/* pages with a free object */
	struct list_head full;
	unsigned long inuse;		/* objects handed out */
	unsigned long pages;		/* kernel pages held */
};

void gomem_fixalloc_init(struct gomem_fixalloc *fa, size_t size, int node);
void *gomem_fixalloc_alloc(struct gomem_fixalloc *fa, gfp_t gfp);
void gomem_fixalloc_free(struct gomem_fixalloc *fa, void *p);
void gomem_fixalloc_destroy(struct gomem_fixalloc *fa);

#endif /* _GOMEM_FIXALLOC_H */
