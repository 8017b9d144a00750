// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the core kernel's kfree() of gomem objects (a client that hands
 * a gomem buffer to core code that frees it, as xfs does with
 * kfree_link). The kernel's kfree() finds a page that is neither slab nor
 * compound and puts it (free_large_kmalloc(): one WARNING per boot); gomem's
 * own references (mheap.c, "Page references") keep it: nothing is freed
 * under gomem, every object and its neighbours keep their contents, and
 * gomem goes on using the memory. The guest test (47-foreign) then checks
 * that the touched pages are kept at release (/proc/gomem kept_bytes) and
 * that the kernel log has no "Bad page state".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include "kselftest_module.h"
#include "gomem_test.h"

KSTM_MODULE_GLOBALS();

#define NOBJ	32
#define BIG	(100 << 10)

/* the kernel's count of the page of @p: gomem's 2, less the stray put */
static int count_of(const void *p)
{
	return page_ref_count(virt_to_page(p));
}

static int __init foreign_kfree(void)
{
	struct gomem_cache *c;
	void *o[NOBJ], *k, *big;
	int i, bad = 0;

	c = gomem_cache_create("tgf_records", 200, 0, 0, NULL);
	if (!c)
		return 1;
	for (i = 0; i < NOBJ; i++) {
		o[i] = gomem_cache_alloc(c, GFP_KERNEL);
		if (!o[i])
			return 1;
		gt_fill(o[i], 200, i);
	}
	k = gomem_kmalloc(300, GFP_KERNEL);
	big = gomem_kmalloc(BIG, GFP_KERNEL);
	if (!k || !big)
		return 1;
	gt_fill(k, 300, 100);
	gt_fill(big, BIG, 101);
	pr_info("counts before: cache object %d, kmalloc %d, large %d\n",
		count_of(o[7]), count_of(k), count_of(big));
	bad += count_of(o[7]) != 2 || count_of(k) != 2 || count_of(big) != 2;

	/* the core's kfree(), as core code that frees a client's buffer */
	kfree(o[7]);
	kfree(k);
	kfree(big);

	pr_info("counts after the core's kfree(): cache object %d, kmalloc %d, large %d\n",
		count_of(o[7]), count_of(k), count_of(big));
	bad += count_of(o[7]) != 1 || count_of(k) != 1 || count_of(big) != 1;
	for (i = 0; i < NOBJ; i++)
		bad += gt_check(o[i], 200, i);
	bad += gt_check(k, 300, 100) + gt_check(big, BIG, 101);

	/* gomem still owns them: its own frees work, reuse is sound */
	for (i = 0; i < NOBJ; i++)
		gomem_cache_free(c, o[i]);
	gomem_kfree(k);
	gomem_kfree(big);
	gomem_cache_destroy(c);
	for (i = 0; i < 2000; i++) {
		size_t n = 16 + (i * 37) % 4000;
		void *p = gomem_kmalloc(n, GFP_KERNEL);

		if (!p)
			return 1;
		gt_fill(p, n, i);
		bad += gt_check(p, n, i);
		gomem_kfree(p);
	}
	if (bad)
		pr_err("%d faults\n", bad);
	return bad;
}

static void __init selftest(void)
{
	KSTM_CHECK_ZERO(foreign_kfree());
}

KSTM_MODULE_LOADERS(test_gomem_foreign);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kselftest: the core's kfree() of gomem objects is warned and contained");
