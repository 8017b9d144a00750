/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exact-fit span geometry for private caches: see fit.c.
 */
#ifndef _GOMEM_FIT_H
#define _GOMEM_FIT_H

#include <linux/types.h>
#include "sizeclasses.h"

/* the largest slot: one span of a whole chunk, as SLUB's largest slab (4 MiB) */
#define GOMEM_FIT_MAX_SLOT	(4UL << 20)

/* a span geometry: npages gomem pages cut into nelems slots of elemsize bytes */
struct gomem_geom {
	u32 elemsize;
	u32 npages;
	u32 nelems;
};

/* the slab SLUB 6.1 makes for a slot of this size with nr_cpus present CPUs */
struct gomem_slub_slab {
	unsigned int order;	/* of 4 KiB pages */
	unsigned int objects;
};

int gomem_slub_slab(unsigned int slot, unsigned int nr_cpus, struct gomem_slub_slab *out);
int gomem_fit(unsigned int slot, unsigned int nr_cpus, struct gomem_geom *g);
u32 gomem_fit_divmagic(unsigned int elemsize);

/* the bytes of one span */
static inline u64 gomem_geom_bytes(const struct gomem_geom *g)
{
	return (u64)g->npages << GOMEM_PAGE_SHIFT;
}

#endif /* _GOMEM_FIT_H */
