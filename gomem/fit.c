// SPDX-License-Identifier: GPL-2.0
/*
 * Exact-fit span geometry: how a private cache cuts its spans when none of
 * Go's size classes is as thrifty as SLUB.
 *
 * Go's 67 classes round an object up to the next class size and cut spans
 * of a fixed number of pages; for the kmalloc family that rounding is the
 * price of sharing. A private cache (a constructor, GOMEM_NO_MERGE,
 * typesafe-by-RCU or debug flags: cache.c) shares nothing, so its slot can
 * be the object's own size rounded to its alignment, and its span any
 * number of gomem pages. SLUB makes a slab of 2^order 4 KiB pages for such
 * a cache (mm/slub.c: calculate_order(), calc_slab_order()); gomem_fit()
 * takes the smallest span of 8 KiB pages that holds objects at no more
 * bytes per object than that slab. One always exists: for an order of 1 or
 * more, the span of the slab's size holds the same objects; for order 0, one
 * 8 KiB page holds at least twice the 4 KiB slab's objects.
 *
 * gomem_slub_slab() is SLUB's choice, computed as 6.1's mm/slub.c does with
 * its defaults (slub_min_order 0, slub_max_order PAGE_ALLOC_COSTLY_ORDER,
 * slub_min_objects 0, MAX_ORDER 11) for nr_cpus present CPUs (SLUB's
 * min_objects is 4 * (fls(nr_cpus) + 1)): the target, not a copy of SLUB's
 * layout. The guest tests compare it with the kernel's own caches.
 *
 * Spans keep Go's object index: offset * divmagic >> 32, with divmagic =
 * 2^32 / elemsize rounded up (gomem_fit_divmagic()). For an offset k *
 * elemsize it gives k exactly whenever the span is under 4 GiB (the error
 * is k * (divmagic * elemsize - 2^32) / 2^32 < nelems * elemsize / 2^32),
 * which is all the free paths ask: is this pointer an object's start. The
 * object containing an interior pointer (reports, gomem_obj_start()) is
 * found by a division for these classes (class.h).
 */
#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include "fit.h"
#include "span.h"

/* SLUB's defaults and limits, 6.1 on x86-64 */
#define SLUB_PAGE_SIZE		4096U
#define SLUB_MAX_ORDER		3	/* slub_max_order: PAGE_ALLOC_COSTLY_ORDER */
#define SLUB_BUDDY_MAX_ORDER	11	/* MAX_ORDER */
#define SLUB_MAX_OBJS		32767	/* MAX_OBJS_PER_PAGE */

static unsigned int slub_objects(unsigned int order, unsigned int size)
{
	return (SLUB_PAGE_SIZE << order) / size;
}

/* get_order(): the smallest order of 4 KiB pages that holds @bytes */
static unsigned int slub_get_order(unsigned long bytes)
{
	unsigned int order = 0;

	while (((unsigned long)SLUB_PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* calc_slab_order() with slub_min_order 0 */
static unsigned int slub_calc_order(unsigned int size, unsigned int min_objects,
				    unsigned int max_order, unsigned int fract_leftover)
{
	unsigned int order, slab;

	if (slub_objects(0, size) > SLUB_MAX_OBJS)
		return slub_get_order((unsigned long)size * SLUB_MAX_OBJS) - 1;
	for (order = slub_get_order((unsigned long)min_objects * size); order <= max_order;
	     order++) {
		slab = SLUB_PAGE_SIZE << order;
		if (slab % size <= slab / fract_leftover)
			break;
	}
	return order;
}

/**
 * gomem_slub_slab() - the slab SLUB 6.1 makes for a slot size
 * @slot: SLUB's object stride (its s->size: the object rounded to its
 *	alignment, with the free pointer after it where SLUB puts it there)
 * @nr_cpus: present CPUs, as calculate_order() counts them
 * @out: the order and objects per slab
 *
 * Return: 0, or -ENOSPC when SLUB refuses the size (its slab would need
 * MAX_ORDER pages or more: slots above 4 MiB).
 */
int gomem_slub_slab(unsigned int slot, unsigned int nr_cpus, struct gomem_slub_slab *out)
{
	unsigned int min_objects, max_objects, fraction, order;

	if (!slot)
		return -EINVAL;
	min_objects = 4 * (fls(nr_cpus) + 1);
	max_objects = slub_objects(SLUB_MAX_ORDER, slot);
	min_objects = min(min_objects, max_objects);
	for (; min_objects > 1; min_objects--) {
		for (fraction = 16; fraction >= 4; fraction /= 2) {
			order = slub_calc_order(slot, min_objects, SLUB_MAX_ORDER, fraction);
			if (order <= SLUB_MAX_ORDER)
				goto found;
		}
	}
	order = slub_calc_order(slot, 1, SLUB_MAX_ORDER, 1);
	if (order <= SLUB_MAX_ORDER)
		goto found;
	order = slub_calc_order(slot, 1, SLUB_BUDDY_MAX_ORDER, 1);
	if (order >= SLUB_BUDDY_MAX_ORDER)
		return -ENOSPC;
found:
	out->order = order;
	out->objects = slub_objects(order, slot);
	return 0;
}

/**
 * gomem_fit_divmagic() - Go's divMagic for any object size
 * @elemsize: the slot size, at least 2
 *
 * Return: 2^32 / @elemsize rounded up (exact at object starts: see above).
 */
u32 gomem_fit_divmagic(unsigned int elemsize)
{
	return U32_MAX / elemsize + 1;
}

/**
 * gomem_fit() - the smallest span as thrifty as SLUB's slab for a slot
 * @slot: the slot size (object, link, alignment: cache.c), 8 to 4 MiB
 * @nr_cpus: present CPUs (SLUB's choice depends on them)
 * @g: the geometry chosen
 *
 * Return: 0, or -ENOSPC for a slot SLUB refuses too, -EINVAL for 0.
 */
int gomem_fit(unsigned int slot, unsigned int nr_cpus, struct gomem_geom *g)
{
	struct gomem_slub_slab sl;
	unsigned long slab, span;
	unsigned int n, maxn, nel;
	int err;

	if (!slot)
		return -EINVAL;
	if (slot > GOMEM_FIT_MAX_SLOT)
		return -ENOSPC;
	err = gomem_slub_slab(slot, nr_cpus, &sl);
	if (err)
		return err;
	slab = (unsigned long)SLUB_PAGE_SIZE << sl.order;
	maxn = max_t(unsigned long, 1, DIV_ROUND_UP(slab, GOMEM_PAGE_SIZE));
	for (n = 1; n <= maxn; n++) {
		span = (unsigned long)n << GOMEM_PAGE_SHIFT;
		nel = min_t(unsigned long, span / slot, GOMEM_SPAN_MAX_ELEMS);
		/* span / nel <= slab / objects, without rounding */
		if (nel && (u64)span * sl.objects <= (u64)slab * nel) {
			g->elemsize = slot;
			g->npages = n;
			g->nelems = nel;
			return 0;
		}
	}
	/* the span of the slab's size (or one page, for order 0) always fits */
	WARN_ON_ONCE(1);
	return -ERANGE;
}
