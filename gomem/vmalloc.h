/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomem_kvmalloc()'s vmalloc'ed objects. See vmalloc.c.
 */
#ifndef _GOMEM_VMALLOC_H
#define _GOMEM_VMALLOC_H

#include <linux/types.h>
#include <linux/gfp.h>

void *gomem_vmalloc_alloc(size_t size, gfp_t flags, unsigned long ip);
bool gomem_vmalloc_free(const void *p);
size_t gomem_vmalloc_size(const void *p);
void *gomem_vmalloc_start(const void *p);
bool gomem_vmalloc_freed(const void *p);

#endif /* _GOMEM_VMALLOC_H */
