/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bringing gomem's core up and down: see core.c.
 */
#ifndef _GOMEM_CORE_H
#define _GOMEM_CORE_H

int gomem_core_init(void);
unsigned long gomem_core_exit(unsigned long *released);

#endif /* _GOMEM_CORE_H */
