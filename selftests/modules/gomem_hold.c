// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal client for lifecycle tests: allocates hold_kb of large and
 * small objects from gomem at load, checks and frees them at unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "gomem_test.h"

static unsigned int hold_kb = 16384;
module_param(hold_kb, uint, 0444);

#define OBJ_SIZE	(256 << 10)
#define NSMALL		4096

static void **objs;
static unsigned int nobjs;
static void *small[NSMALL];

static int __init gomem_hold_init(void)
{
	unsigned int i;

	nobjs = DIV_ROUND_UP(hold_kb, OBJ_SIZE >> 10);
	objs = kcalloc(nobjs, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	for (i = 0; i < nobjs; i++) {
		objs[i] = gomem_kmalloc(OBJ_SIZE, GFP_KERNEL);
		if (!objs[i])
			return -ENOMEM;		/* exit is not called: leak is reported */
		gt_fill(objs[i], OBJ_SIZE, i);
	}
	for (i = 0; i < NSMALL; i++)
		small[i] = gomem_kmalloc(8 + i % 2000, GFP_KERNEL);
	pr_info("holding %u KiB\n", nobjs * (OBJ_SIZE >> 10));
	return 0;
}

static void __exit gomem_hold_exit(void)
{
	unsigned int i, bad = 0;

	for (i = 0; i < nobjs; i++) {
		bad += gt_check(objs[i], OBJ_SIZE, i);
		gomem_kfree(objs[i]);
	}
	for (i = 0; i < NSMALL; i++)
		gomem_kfree(small[i]);
	kfree(objs);
	if (bad)
		pr_err("%u objects corrupted\n", bad);
}

module_init(gomem_hold_init);
module_exit(gomem_hold_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gomem test client that holds memory");
