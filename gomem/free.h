/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From an address to its owner: the full free path and the lookups. See
 * free.c.
 */
#ifndef _GOMEM_FREE_H
#define _GOMEM_FREE_H

#include <linux/types.h>

struct gomem_class;

bool gomem_free_by_address(const char *name, struct gomem_class *want, const void *p,
			   unsigned long ip);
void *gomem_obj_start(const void *p);
size_t gomem_obj_size(const void *p);
bool gomem_heap_owns(const void *p);

#endif /* _GOMEM_FREE_H */
