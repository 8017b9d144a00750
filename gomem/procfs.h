/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/gomem. See procfs.c and Documentation/proc-gomem.rst.
 */
#ifndef _GOMEM_PROCFS_H
#define _GOMEM_PROCFS_H

int gomem_procfs_init(void);
void gomem_procfs_exit(void);

#endif /* _GOMEM_PROCFS_H */
