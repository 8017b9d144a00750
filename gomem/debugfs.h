/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /sys/kernel/debug/gomem/<cache>/: validate, alloc_traces, free_traces of
 * each debug class. See debugfs.c. The userspace build has no debugfs.
 */
#ifndef _GOMEM_DEBUGFS_H
#define _GOMEM_DEBUGFS_H

struct gomem_class;

#ifdef GOMEM_HOST
static inline void gomem_debugfs_add(struct gomem_class *cls) { }
static inline void gomem_debugfs_remove(struct gomem_class *cls) { }
static inline void gomem_debugfs_exit(void) { }
static inline void gomem_debugfs_add_class(struct gomem_class *cls, void *arg) { }
#else
void gomem_debugfs_add_class(struct gomem_class *cls, void *arg);
void gomem_debugfs_add(struct gomem_class *cls);
void gomem_debugfs_remove(struct gomem_class *cls);
void gomem_debugfs_exit(void);
#endif

#endif /* _GOMEM_DEBUGFS_H */
