/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Caches: the kmem_cache-like API. See cache.c.
 */
#ifndef _GOMEM_CACHE_H
#define _GOMEM_CACHE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include "class.h"

struct gomem_cache {
	const char *name;
	unsigned int size;		/* object size asked for */
	unsigned int align;
	unsigned int objsize;		/* usable size: size rounded to align */
	unsigned long flags;
	void (*ctor)(void *obj);
	struct gomem_class *cls;	/* a global class, or &own */
	struct gomem_class own;
	struct gomem_cache *merged_with;	/* first cache on a shared class */
	u8 tag;				/* its id in a tagged class (class.h), or 0 */
	struct gomem_counts __percpu *pcpu;
	struct list_head list;		/* gomem_caches, under gomem_cache_mutex */
};

/* every cache, under gomem_cache_mutex (cache.c; /proc/gomem reads it) */
extern struct list_head gomem_caches;
extern struct mutex gomem_cache_mutex;

void gomem_cache_counts(struct gomem_cache *c, unsigned long *allocs, unsigned long *frees);
long gomem_cache_active(struct gomem_cache *c);
void gomem_cache_settle(struct gomem_class *cls);

#endif /* _GOMEM_CACHE_H */
