/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcentral: one NUMA node's spans of one class, the transfer cache and the
 * rules of explicit free. See mcentral.c; locks: locking.h.
 */
#ifndef _GOMEM_MCENTRAL_H
#define _GOMEM_MCENTRAL_H

#include "class.h"

void gomem_mcentral_init(struct gomem_mcentral *c);
struct gomem_span *gomem_mcentral_cache_span(struct gomem_class *cls, int node,
					     struct gomem_span *old, int cpu);
void gomem_mcentral_adopt_span(struct gomem_class *cls, struct gomem_span *s, int cpu);
void gomem_mcentral_uncache_span(struct gomem_class *cls, struct gomem_span *s);
bool gomem_mcentral_obj_free(struct gomem_class *cls, struct gomem_span *s, unsigned int idx);
void gomem_mcentral_free_objs(struct gomem_class *cls, void **objs, unsigned int n);
void gomem_mcentral_flush_objs(struct gomem_class *cls, void **objs, unsigned int n, int node);
unsigned int gomem_mcentral_take_objs(struct gomem_class *cls, int node, void **objs,
				      unsigned int max);
unsigned long gomem_mcentral_drain_xfer(struct gomem_class *cls);
unsigned long gomem_mcentral_transferred(struct gomem_class *cls);
struct gomem_span *gomem_mcentral_new_span(struct gomem_class *cls, int node, gfp_t gfp);
void gomem_mcentral_add_span(struct gomem_class *cls, struct gomem_span *s);
void *gomem_mcentral_alloc_node(struct gomem_class *cls, int node, gfp_t gfp);
unsigned int gomem_mcentral_count(struct gomem_class *cls, unsigned long *spans,
				  unsigned long *objs);
unsigned long gomem_mcentral_release_empty(struct gomem_class *cls, unsigned long max);
unsigned long gomem_mcentral_leftover(struct gomem_class *cls);
unsigned int gomem_mcentral_check(struct gomem_class *cls);

#endif /* _GOMEM_MCENTRAL_H */
