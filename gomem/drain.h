/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Draining per-CPU state and giving memory back: see drain.c.
 */
#ifndef _GOMEM_DRAIN_H
#define _GOMEM_DRAIN_H

#include <linux/types.h>

int gomem_drain_init(void);
void gomem_drain_exit(void);
void gomem_drain_cpu(int cpu, bool online);
void gomem_drain_online(void);
void gomem_drain_all(void);
void gomem_release_empty_spans(void);
unsigned long gomem_release_free(void);
unsigned long gomem_shrink_all(void);
unsigned long gomem_shrink_count(void);
unsigned long gomem_shrink_scan(unsigned long nr);

#endif /* _GOMEM_DRAIN_H */
