/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tiny allocator: noscan objects under 16 bytes packed into 16-byte
 * blocks. See tiny.c.
 */
#ifndef _GOMEM_TINY_H
#define _GOMEM_TINY_H

#include <linux/types.h>
#include <linux/gfp.h>

struct gomem_span;

int gomem_tiny_init(void);
void gomem_tiny_exit(void);
void *gomem_tiny_alloc(size_t size, gfp_t gfp);
bool gomem_tiny_free_irqoff(const char *name, struct gomem_span *s, void *p,
			    unsigned long ip);
void gomem_tiny_drain_cpu(int cpu);
bool gomem_tiny_cpu_holds(int cpu);

#endif /* _GOMEM_TINY_H */
