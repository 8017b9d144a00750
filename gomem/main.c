// SPDX-License-Identifier: GPL-2.0
/*
 * gomem.ko: module init and exit. The core comes up and goes down in
 * core.c (the same order the userspace tests use); /proc/gomem is the
 * module's own.
 *
 * Memory gomem holds but does not use is bounded by: the per-CPU magazines
 * and cached spans (mcache.c), the transfer caches (mcentral.c), the pages
 * each node keeps free (retain_kb, mheap.c), and nothing else; the shrinker
 * (drain.c) drains the first and releases the rest under memory pressure,
 * writing "shrink" to /proc/gomem does the same on demand, and unloading
 * releases everything.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/nodemask.h>
#include "core.h"
#include "cache.h"
#include "mheap.h"
#include "procfs.h"
#include "mcache.h"
#include "debug.h"
#include "debugfs.h"

static unsigned int retain_kb = 4096;
module_param(retain_kb, uint, 0444);
MODULE_PARM_DESC(retain_kb, "free memory each node keeps rather than release, KiB (4096)");

module_param_named(random_order, gomem_random_order, bool, 0644);
MODULE_PARM_DESC(random_order, "hand a fresh span's objects out in a random order (0: off)");

static char *debug;
module_param(debug, charp, 0444);
MODULE_PARM_DESC(debug, "debug options for caches and kmalloc classes, in slub_debug's syntax: flags FZPU[,name...][;...] (Documentation/debugging.rst)");

static int __init gomem_init(void)
{
	int err;

	gomem_retain_pages = ((unsigned long)retain_kb << 10) >> GOMEM_PAGE_SHIFT;
	err = gomem_debug_setup(debug);
	if (err)
		return err;
	err = gomem_core_init();
	if (err)
		goto fail_debug;
	/* the kmalloc classes gomem.debug= made debug classes: their files */
	gomem_debug_kmalloc_for_each(gomem_debugfs_add_class, NULL);
	err = gomem_procfs_init();
	if (err) {
		unsigned long released;

		gomem_debugfs_exit();
		gomem_core_exit(&released);
		goto fail_debug;
	}
	pr_info("gomem: loaded: %u size classes, %u nodes, retaining %u KiB per node\n",
		GOMEM_NUM_SIZE_CLASSES, nr_node_ids, retain_kb);
	return 0;
fail_debug:
	gomem_debugfs_exit();
	gomem_debug_teardown();
	return err;
}

static void __exit gomem_exit(void)
{
	unsigned long held, released;

	gomem_procfs_exit();
	gomem_debugfs_exit();	/* before the kmalloc debug classes go */
	if (!list_empty(&gomem_caches))
		pr_err("gomem: caches still exist at exit (destroyed with live objects)\n");
	held = gomem_core_exit(&released);
	gomem_debug_teardown();
	pr_info("gomem: unloaded: %lu KiB given back in all, %lu KiB still held\n",
		released << (GOMEM_PAGE_SHIFT - 10), held << (GOMEM_PAGE_SHIFT - 10));
}

module_init(gomem_init);
module_exit(gomem_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("gomem developers");
MODULE_DESCRIPTION("The Go runtime's memory allocator for kernel modules");
MODULE_VERSION(GOMEM_VERSION);
