/* SPDX-License-Identifier: GPL-2.0 */
/* The userspace build: the kernel's slab poison values */
#ifndef _SHIM_LINUX_POISON_H
#define _SHIM_LINUX_POISON_H

#define SLUB_RED_INACTIVE	0xbb
#define SLUB_RED_ACTIVE		0xcc
#define POISON_FREE		0x6b
#define POISON_END		0xa5

#endif
