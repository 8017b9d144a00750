// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs for debug classes, as SLUB's /sys/kernel/debug/slab/<cache>/:
 *
 *   /sys/kernel/debug/gomem/<name>/validate      read: check every object
 *       of the class (debug.c's gomem_debug_validate(): each fault
 *       reported in the kernel log), then one line of figures:
 *       "spans=N objects=N allocated=N free=N isolated=N errors=N
 *       reported=N" (errors: found by this walk; reported: every fault
 *       reported since the class was created)
 *   /sys/kernel/debug/gomem/<name>/alloc_traces  where the allocated
 *       objects were allocated, by stack, most frequent first
 *   /sys/kernel/debug/gomem/<name>/free_traces   where the free objects
 *       were last freed
 *
 * <name> is the cache's name, or kmalloc-<size>[-noscan] for a kmalloc class
 * under gomem.debug=. Files are root-only (0400). A second cache with a
 * name already present gets no directory (a warning says so).
 *
 * Context: process context (create, remove, reads). debugfs's file proxies
 * keep a class's files from being read after its directory is removed
 * (gomem_debugfs_remove(), before the class is freed).
 */
#include <linux/kernel.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/mutex.h>
#include "class.h"
#include "debug.h"
#include "debugfs.h"

static struct dentry *gomem_debugfs_root;
static DEFINE_MUTEX(gomem_debugfs_mutex);

static int validate_show(struct seq_file *m, void *v)
{
	struct gomem_debug_census c;

	gomem_debug_validate(m->private, &c);
	seq_printf(m, "spans=%lu objects=%lu allocated=%lu free=%lu isolated=%lu errors=%lu reported=%lu\n",
		   c.spans, c.objects, c.allocated, c.free, c.isolated, c.errors,
		   c.reported);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(validate);

static int alloc_traces_show(struct seq_file *m, void *v)
{
	return gomem_debug_traces(m->private, false, m);
}
DEFINE_SHOW_ATTRIBUTE(alloc_traces);

static int free_traces_show(struct seq_file *m, void *v)
{
	return gomem_debug_traces(m->private, true, m);
}
DEFINE_SHOW_ATTRIBUTE(free_traces);

/**
 * gomem_debugfs_add() - a debug class's directory and files
 * @cls: the class (cls->debug set)
 *
 * Failures only cost the files (debugfs is a debugging aid).
 *
 * Context: process context; may sleep.
 */
void gomem_debugfs_add(struct gomem_class *cls)
{
	struct dentry *dir;

	mutex_lock(&gomem_debugfs_mutex);
	if (!gomem_debugfs_root)
		gomem_debugfs_root = debugfs_create_dir("gomem", NULL);
	dir = debugfs_lookup(gomem_class_name(cls), gomem_debugfs_root);
	if (dir) {
		dput(dir);
		pr_warn("gomem: debugfs: %s exists already: no files for this one\n",
			gomem_class_name(cls));
		mutex_unlock(&gomem_debugfs_mutex);
		return;
	}
	dir = debugfs_create_dir(gomem_class_name(cls), gomem_debugfs_root);
	if (!IS_ERR(dir)) {
		debugfs_create_file("validate", 0400, dir, cls, &validate_fops);
		debugfs_create_file("alloc_traces", 0400, dir, cls, &alloc_traces_fops);
		debugfs_create_file("free_traces", 0400, dir, cls, &free_traces_fops);
		cls->debug->dir = dir;
	}
	mutex_unlock(&gomem_debugfs_mutex);
}

/**
 * gomem_debugfs_add_class() - gomem_debugfs_add(), as a class walk's callback
 * @cls: the class
 * @arg: unused
 */
void gomem_debugfs_add_class(struct gomem_class *cls, void *arg)
{
	gomem_debugfs_add(cls);
}

/**
 * gomem_debugfs_remove() - remove a debug class's directory
 * @cls: the class (or any class: nothing happens without a directory)
 *
 * Context: process context; may sleep (waits for readers).
 */
void gomem_debugfs_remove(struct gomem_class *cls)
{
	if (!cls->debug || !cls->debug->dir)
		return;
	mutex_lock(&gomem_debugfs_mutex);
	debugfs_remove_recursive(cls->debug->dir);
	cls->debug->dir = NULL;
	mutex_unlock(&gomem_debugfs_mutex);
}

/**
 * gomem_debugfs_exit() - remove /sys/kernel/debug/gomem
 */
void gomem_debugfs_exit(void)
{
	mutex_lock(&gomem_debugfs_mutex);
	debugfs_remove_recursive(gomem_debugfs_root);
	gomem_debugfs_root = NULL;
	mutex_unlock(&gomem_debugfs_mutex);
}
