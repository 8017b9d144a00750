// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest module: the page heap through the exported kmalloc family,
 * large objects (32 KiB + 1 to 4 MiB, and the vmalloc path above), node
 * placement, zeroing, ownership checks, all CPUs at once, and the release
 * of free pages inside partly used blocks (read back from /proc/gomem and
 * from the buddy allocator's free page count).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/vmalloc.h>
#include "kselftest_module.h"
#include "gomem_test.h"
#include "proc_parse.h"

KSTM_MODULE_GLOBALS();

static unsigned int rounds = 2000;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "alloc/free rounds per CPU in the all-CPU stress");

#define MIN_LARGE	(GOMEM_MAX_SMALL_SIZE + 1)

static size_t rand_large(void)
{
	/* log-uniform over 32 KiB + 1 .. 4 MiB */
	unsigned int shift = 15 + prandom_u32_max(8);
	size_t size = (1UL << shift) + prandom_u32_max(1U << shift);

	return clamp_t(size_t, size, MIN_LARGE, GOMEM_MAX_LARGE_SIZE);
}

static int __init test_sizes(void)
{
	static const size_t fixed[] = { MIN_LARGE, 40000, 65536, 65537, 100000, 131072,
					1 << 20, (1 << 20) + 1, 3 << 20, GOMEM_MAX_LARGE_SIZE };
	void *live[16] = { };
	size_t sizes[16];
	int err = 0, i, round;

	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		void *p = gomem_kmalloc(fixed[i], GFP_KERNEL);

		if (!p || gomem_ksize(p) < fixed[i] || !IS_ALIGNED((unsigned long)p, 8192)) {
			pr_err("size %zu: %p, ksize %zu\n", fixed[i], p, gomem_ksize(p));
			err++;
			gomem_kfree(p);
			continue;
		}
		gt_fill(p, fixed[i], i);
		err += gt_check(p, fixed[i], i);
		gomem_kfree(p);
	}
	/* random sizes with overlapping lifetimes */
	for (round = 0; round < 400; round++) {
		i = prandom_u32_max(ARRAY_SIZE(live));
		if (live[i]) {
			err += gt_check(live[i], sizes[i], i);
			gomem_kfree(live[i]);
			live[i] = NULL;
		} else {
			sizes[i] = rand_large();
			live[i] = gomem_kmalloc(sizes[i], GFP_KERNEL);
			if (!live[i]) {
				err++;
				continue;
			}
			gt_fill(live[i], sizes[i], i);
		}
	}
	for (i = 0; i < ARRAY_SIZE(live); i++) {
		if (live[i]) {
			err += gt_check(live[i], sizes[i], i);
			gomem_kfree(live[i]);
		}
	}
	return err;
}

static int __init test_nodes(void)
{
	int node, err = 0, tested = 0;
	unsigned long a;
	void *p;

	for_each_node_state(node, N_MEMORY) {
		size_t size = 256 << 10;

		p = gomem_kmalloc_node(size, GFP_KERNEL | __GFP_THISNODE, node);
		if (!p) {
			pr_err("node %d: no memory\n", node);
			err++;
			continue;
		}
		for (a = (unsigned long)p; a < (unsigned long)p + size; a += PAGE_SIZE) {
			if (page_to_nid(virt_to_page((void *)a)) != node) {
				pr_err("node %d: page of %p is on node %d\n", node, p,
				       page_to_nid(virt_to_page((void *)a)));
				err++;
				break;
			}
		}
		gomem_kfree(p);
		tested++;
	}
	pr_info("node placement checked on %d nodes\n", tested);
	return err;
}

static int __init test_zero_and_owner(void)
{
	size_t size = 200000, i;
	int err = 0;
	u8 *p, *q;
	void *slub;

	p = gomem_kmalloc(size, GFP_KERNEL);
	if (!p)
		return 1;
	memset(p, 0xff, size);
	gomem_kfree(p);
	q = gomem_kzalloc(size, GFP_KERNEL);
	if (!q)
		return 1;
	for (i = 0; i < gomem_ksize(q); i++) {
		if (q[i]) {
			err++;
			break;
		}
	}
	gomem_kfree(q);

	/* memory gomem does not own: ksize 0, free refused */
	slub = kmalloc(64, GFP_KERNEL);
	if (gomem_ksize(slub))
		err++;
	gomem_kfree(slub);	/* reported and refused */
	kfree(slub);

	/* above 4 MiB: not kmalloc memory; kvmalloc vmalloc()s it */
	if (gomem_kmalloc(5 << 20, GFP_KERNEL | __GFP_NOWARN))
		err++;
	p = gomem_kvmalloc(5 << 20, GFP_KERNEL);
	if (!p || gomem_ksize(p) != 5 << 20) {
		err++;
	} else {
		gt_fill(p, 5 << 20, 7);
		err += gt_check(p, 5 << 20, 7);
	}
	gomem_kvfree(p);
	if (gomem_kvmalloc(5 << 20, GFP_ATOMIC | __GFP_NOWARN))
		err++;	/* vmalloc cannot serve an atomic request */
	return err;
}

static int stress_cpu(void *arg, int cpu)
{
	void *live[8] = { };
	size_t sizes[8];
	unsigned int r, i;
	int err = 0;
	unsigned long tag;

	for (r = 0; r < rounds; r++) {
		i = prandom_u32_max(ARRAY_SIZE(live));
		tag = cpu * 100 + i;
		if (live[i]) {
			err += gt_check(live[i], sizes[i], tag);
			gomem_kfree(live[i]);
			live[i] = NULL;
		} else {
			sizes[i] = rand_large() / 4 + MIN_LARGE;
			live[i] = gomem_kmalloc(sizes[i], GFP_KERNEL);
			if (!live[i]) {
				err++;
				continue;
			}
			gt_fill(live[i], sizes[i], tag);
		}
		if (!(r % 64))
			cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(live); i++) {
		if (live[i]) {
			err += gt_check(live[i], sizes[i], cpu * 100 + i);
			gomem_kfree(live[i]);
		}
	}
	return err;
}

#define PROC_SIZE	(512 << 10)

/*
 * Field @key of the "node id=@node" record of /proc/gomem.
 * Return: 0, or 1 with a message.
 */
static int __init proc_node_field(int node, const char *key, unsigned long *val)
{
	unsigned long long v;
	char *buf, sel[32];
	ssize_t n;
	int err = 1;

	buf = vmalloc(PROC_SIZE);
	if (!buf)
		return 1;
	n = gomem_proc_read(buf, PROC_SIZE);
	if (n < 0) {
		pr_err("cannot read /proc/gomem: %zd\n", n);
		goto out;
	}
	snprintf(sel, sizeof(sel), "node id=%d", node);
	err = gomem_proc_get(buf, sel, key, &v) ? 1 : 0;
	if (err)
		pr_err("/proc/gomem: no %s in the record of node %d\n", key, node);
	else
		*val = v;
out:
	vfree(buf);
	return err;
}

/*
 * The buddy allocator's free pages, with those parked on the per-CPU page
 * lists: a freed block of order <= 3 (or a pageblock) may stay on a CPU's
 * list, out of NR_FREE_PAGES, until the list drains. Counting them makes
 * the comparison with what gomem released exact up to concurrent activity.
 */
static unsigned long __init free_ram_pages(void)
{
	unsigned long pages = global_zone_page_state(NR_FREE_PAGES);
	int nid, cpu;

	for_each_online_node(nid) {
		struct zone *zone;

		for (zone = NODE_DATA(nid)->node_zones;
		     zone < NODE_DATA(nid)->node_zones + MAX_NR_ZONES; zone++) {
			if (!populated_zone(zone) || !zone->per_cpu_pageset)
				continue;
			for_each_online_cpu(cpu)
				pages += READ_ONCE(per_cpu_ptr(zone->per_cpu_pageset,
							       cpu)->count);
		}
	}
	return pages;
}

#define REL_OBJ		(64 << 10)	/* 8 gomem pages */
#define REL_NOBJ	512		/* 32 MiB: 8 blocks of 4 MiB */
#define REL_EVERY	16		/* every 16th object stays: 4 per block */

/*
 * Fill 8 blocks of one node with large objects, free all but every 16th,
 * shrink: every block keeps live objects, yet what gomem holds drops to
 * about the live objects, and the buddy allocator's free pages grow by
 * about what gomem released.
 */
static int __init test_release_partial(void)
{
	unsigned long held0, held1, held2, rel0, rel2, split0, split2, free1, free2;
	unsigned long live = 0, gone_kb, gained_kb;
	int node = numa_mem_id(), err = 0, i;
	void **obj;

	obj = kcalloc(REL_NOBJ, sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return 1;
	gomem_cache_shrink(NULL);
	if (proc_node_field(node, "held_bytes", &held0) ||
	    proc_node_field(node, "released_bytes", &rel0) ||
	    proc_node_field(node, "split_blocks", &split0))
		goto fail;
	for (i = 0; i < REL_NOBJ; i++) {
		obj[i] = gomem_kmalloc_node(REL_OBJ, GFP_KERNEL | __GFP_THISNODE, node);
		if (!obj[i])
			goto fail;
		gt_fill(obj[i], REL_OBJ, i);
	}
	if (proc_node_field(node, "held_bytes", &held1))
		goto fail;
	free1 = free_ram_pages();
	for (i = 0; i < REL_NOBJ; i++) {
		if (i % REL_EVERY == REL_EVERY / 2) {
			live += REL_OBJ;
			continue;
		}
		gomem_kfree(obj[i]);
		obj[i] = NULL;
	}
	gomem_cache_shrink(NULL);
	free2 = free_ram_pages();
	if (proc_node_field(node, "held_bytes", &held2) ||
	    proc_node_field(node, "released_bytes", &rel2) ||
	    proc_node_field(node, "split_blocks", &split2))
		goto fail;
	gone_kb = (rel2 - rel0) >> 10;
	gained_kb = free2 > free1 ? (free2 - free1) << (PAGE_SHIFT - 10) : 0;
	pr_info("partial release, node %d: held %lu KiB, %lu KiB after filling, %lu KiB with %lu KiB live after shrink; %lu KiB released, %lu blocks split; buddy free (with per-CPU lists) +%lu KiB\n",
		node, held0 >> 10, held1 >> 10, held2 >> 10, live >> 10, gone_kb,
		split2 - split0, gained_kb);
	if (held1 < held0 + REL_NOBJ * REL_OBJ) {
		pr_err("held %lu bytes after filling, expected at least %lu\n",
		       held1, held0 + REL_NOBJ * REL_OBJ);
		err++;
	}
	/* the live objects, and nothing else of what was filled */
	if (held2 > held0 + live) {
		pr_err("held %lu bytes after shrink, expected at most %lu\n", held2, held0 + live);
		err++;
	}
	if (split2 - split0 < 1) {
		pr_err("no block split\n");
		err++;
	}
	/* the rest of the guest allocates meanwhile: allow a quarter */
	if (gained_kb < gone_kb - gone_kb / 4) {
		pr_err("buddy free pages grew by %lu KiB, gomem released %lu KiB\n", gained_kb, gone_kb);
		err++;
	}
	for (i = 0; i < REL_NOBJ; i++) {
		if (obj[i]) {
			err += gt_check(obj[i], REL_OBJ, i);
			gomem_kfree(obj[i]);
		}
	}
	kfree(obj);
	gomem_cache_shrink(NULL);
	return err;
fail:
	for (i = 0; i < REL_NOBJ; i++)
		gomem_kfree(obj[i]);
	kfree(obj);
	return 1;
}

static void __init selftest(void)
{
	KSTM_CHECK_ZERO(test_sizes());
	KSTM_CHECK_ZERO(test_nodes());
	KSTM_CHECK_ZERO(test_zero_and_owner());
	KSTM_CHECK_ZERO(gt_run_on_each_cpu(stress_cpu, NULL));
	KSTM_CHECK_ZERO(test_release_partial());
}

KSTM_MODULE_LOADERS(test_gomem_pageheap);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kselftest: gomem's page heap");
