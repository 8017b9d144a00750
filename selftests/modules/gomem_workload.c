// SPDX-License-Identifier: GPL-2.0
/*
 * gomem_workload: a known workload, kept alive until the module is removed,
 * so that a userspace test (selftests/guest/test_proc.c) can check that
 * /proc/gomem counts exactly what it did.
 *
 * At load, with the parameters' defaults:
 *
 *   cache  object  flags                        allocated
 *   gw_a   40 B    none (merged: 48-byte class) na = 1000, one by one
 *   gw_b   100 B   GOMEM_NO_MERGE (private)     nb = 500, in bulk batches of 50
 *   gw_c   8 B     GOMEM_NOSCAN (tiny-packed)   nc = 2000, one by one
 *   gw_d   1000 B  constructor (private)        nd = 300, one by one
 *   gomem_kmalloc() of each size in ksizes (24,100,500,3000,20000), kcount = 100 each
 *
 * then, in each of these groups, every object whose index i (from 0) has
 * i % every == 0 (every = 3) is freed: frees = ceil(n / every). Then
 * nlarge = 2 large objects of lsize = 100000 bytes per node with memory
 * (gomem_kmalloc_node(), __GFP_THISNODE), and one vmalloc'ed object of
 * vsize = 5 MiB (none when 0). All of it stays allocated until unload, which
 * frees everything and destroys the caches: gomem is then back where it was.
 *
 * churn=1 adds one thread per CPU that allocates and frees (caches, every
 * size class, large objects) until unload: /proc/gomem under load. The
 * counts are then not exact.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/kthread.h>
#include <linux/nodemask.h>
#include <linux/random.h>
#include <linux/cpu.h>
#include <gomem.h>

static unsigned int na = 1000, nb = 500, nc = 2000, nd = 300;
module_param(na, uint, 0444);
MODULE_PARM_DESC(na, "objects allocated from gw_a (40 B, merged)");
module_param(nb, uint, 0444);
MODULE_PARM_DESC(nb, "objects allocated from gw_b (100 B, no-merge), in bulk");
module_param(nc, uint, 0444);
MODULE_PARM_DESC(nc, "objects allocated from gw_c (8 B, noscan: tiny)");
module_param(nd, uint, 0444);
MODULE_PARM_DESC(nd, "objects allocated from gw_d (1000 B, constructor)");

static unsigned int ksizes[16] = { 24, 100, 500, 3000, 20000 };
static int nksizes = 5;
module_param_array(ksizes, uint, &nksizes, 0444);
MODULE_PARM_DESC(ksizes, "gomem_kmalloc() sizes (up to 16)");
static unsigned int kcount = 100;
module_param(kcount, uint, 0444);
MODULE_PARM_DESC(kcount, "gomem_kmalloc() calls per size");

static unsigned int every = 3;
module_param(every, uint, 0444);
MODULE_PARM_DESC(every, "free the objects whose index is a multiple of this (0: none)");

static unsigned int nlarge = 2, lsize = 100000, vsize = 5 << 20;
module_param(nlarge, uint, 0444);
MODULE_PARM_DESC(nlarge, "large objects per node with memory");
module_param(lsize, uint, 0444);
MODULE_PARM_DESC(lsize, "size of the large objects (above 32 KiB)");
module_param(vsize, uint, 0444);
MODULE_PARM_DESC(vsize, "size of one vmalloc'ed object (above 4 MiB; 0: none)");

static bool churn;
module_param(churn, bool, 0444);
MODULE_PARM_DESC(churn, "also allocate and free on every CPU until unload");

#define GW_D_MAGIC	0x67776421

struct gw_group {
	void **objs;
	unsigned int n;
};

static struct gomem_cache *gw_a, *gw_b, *gw_c, *gw_d;
static struct gw_group grp_a, grp_b, grp_c, grp_d, grp_k[16], grp_large;
static void *vobj;
static struct task_struct **churners;

static void gw_d_ctor(void *p)
{
	*(u32 *)p = GW_D_MAGIC;
}

static int group_init(struct gw_group *g, unsigned int n)
{
	g->n = 0;
	g->objs = kcalloc(max(n, 1U), sizeof(void *), GFP_KERNEL);
	return g->objs ? 0 : -ENOMEM;
}

/* free every object whose index is a multiple of @every */
static void group_thin(struct gw_group *g, struct gomem_cache *c)
{
	unsigned int i;

	for (i = 0; every && i < g->n; i += every) {
		if (c)
			gomem_cache_free(c, g->objs[i]);
		else
			gomem_kfree(g->objs[i]);
		g->objs[i] = NULL;
	}
}

static void group_free(struct gw_group *g, struct gomem_cache *c)
{
	unsigned int i;

	for (i = 0; g->objs && i < g->n; i++) {
		if (!g->objs[i])
			continue;
		if (c)
			gomem_cache_free(c, g->objs[i]);
		else
			gomem_kfree(g->objs[i]);
	}
	kfree(g->objs);
	g->objs = NULL;
	g->n = 0;
}

static int fill_cache(struct gw_group *g, struct gomem_cache *c, unsigned int n)
{
	for (g->n = 0; g->n < n; g->n++) {
		g->objs[g->n] = gomem_cache_alloc(c, GFP_KERNEL);
		if (!g->objs[g->n])
			return -ENOMEM;
	}
	return 0;
}

static int fill_bulk(struct gw_group *g, struct gomem_cache *c, unsigned int n)
{
	unsigned int batch;

	for (g->n = 0; g->n < n; g->n += batch) {
		batch = min(n - g->n, 50U);
		if (gomem_cache_alloc_bulk(c, GFP_KERNEL, batch, g->objs + g->n) != batch)
			return -ENOMEM;
	}
	return 0;
}

/* ---------------- churn: every CPU allocates and frees ---------------- */

#define CHURN_LIVE	64

static int churn_fn(void *arg)
{
	void *live[CHURN_LIVE] = { };
	u8 kind[CHURN_LIVE];
	unsigned long n = 0;
	unsigned int i;

	while (!kthread_should_stop()) {
		i = prandom_u32_max(CHURN_LIVE);
		if (live[i]) {
			switch (kind[i]) {
			case 0:
				gomem_cache_free(gw_a, live[i]);
				break;
			case 1:
				gomem_cache_free(gw_b, live[i]);
				break;
			case 2:
				gomem_cache_free(gw_c, live[i]);
				break;
			default:
				gomem_kfree(live[i]);
			}
			live[i] = NULL;
		} else {
			kind[i] = prandom_u32_max(5);
			switch (kind[i]) {
			case 0:
				live[i] = gomem_cache_alloc(gw_a, GFP_KERNEL);
				break;
			case 1:
				live[i] = gomem_cache_alloc(gw_b, GFP_KERNEL);
				break;
			case 2:
				live[i] = gomem_cache_alloc(gw_c, GFP_KERNEL);
				break;
			default:
				/* every size class, and now and then a large object */
				live[i] = gomem_kmalloc(prandom_u32_max(n % 64 ? 32768 : 200000) + 1,
							GFP_KERNEL);
			}
		}
		if (!(++n % 256))
			cond_resched();
	}
	for (i = 0; i < CHURN_LIVE; i++) {
		if (!live[i])
			continue;
		if (kind[i] == 0)
			gomem_cache_free(gw_a, live[i]);
		else if (kind[i] == 1)
			gomem_cache_free(gw_b, live[i]);
		else if (kind[i] == 2)
			gomem_cache_free(gw_c, live[i]);
		else
			gomem_kfree(live[i]);
	}
	return 0;
}

static void churn_stop(void)
{
	int cpu;

	if (!churners)
		return;
	for_each_possible_cpu(cpu)
		if (churners[cpu])
			kthread_stop(churners[cpu]);
	kfree(churners);
	churners = NULL;
}

static int churn_start(void)
{
	struct task_struct *t;
	int cpu;

	churners = kcalloc(nr_cpu_ids, sizeof(*churners), GFP_KERNEL);
	if (!churners)
		return -ENOMEM;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		t = kthread_create_on_cpu(churn_fn, NULL, cpu, "gomem_churn/%u");
		if (IS_ERR(t))
			continue;
		churners[cpu] = t;
		wake_up_process(t);
	}
	cpus_read_unlock();
	return 0;
}

/* ---------------- load and unload ---------------- */

static void gw_cleanup(void)
{
	int i;

	churn_stop();
	group_free(&grp_a, gw_a);
	group_free(&grp_b, gw_b);
	group_free(&grp_c, gw_c);
	group_free(&grp_d, gw_d);
	for (i = 0; i < ARRAY_SIZE(grp_k); i++)
		group_free(&grp_k[i], NULL);
	group_free(&grp_large, NULL);
	gomem_kfree(vobj);
	vobj = NULL;
	gomem_cache_destroy(gw_a);
	gomem_cache_destroy(gw_b);
	gomem_cache_destroy(gw_c);
	gomem_cache_destroy(gw_d);
}

static int __init gw_init(void)
{
	int err = -ENOMEM, i, node, nodes = 0;

	gw_a = gomem_cache_create("gw_a", 40, 0, 0, NULL);
	gw_b = gomem_cache_create("gw_b", 100, 0, GOMEM_NO_MERGE, NULL);
	gw_c = gomem_cache_create("gw_c", 8, 0, GOMEM_NOSCAN, NULL);
	gw_d = gomem_cache_create("gw_d", 1000, 0, 0, gw_d_ctor);
	if (!gw_a || !gw_b || !gw_c || !gw_d)
		goto fail;
	for_each_node_state(node, N_MEMORY)
		nodes++;
	if (group_init(&grp_a, na) || group_init(&grp_b, nb) || group_init(&grp_c, nc) ||
	    group_init(&grp_d, nd) || group_init(&grp_large, nlarge * nodes))
		goto fail;
	for (i = 0; i < nksizes; i++)
		if (group_init(&grp_k[i], kcount))
			goto fail;

	if (fill_cache(&grp_a, gw_a, na) || fill_bulk(&grp_b, gw_b, nb) ||
	    fill_cache(&grp_c, gw_c, nc) || fill_cache(&grp_d, gw_d, nd))
		goto fail;
	for (i = 0; i < nksizes; i++) {
		struct gw_group *g = &grp_k[i];

		for (g->n = 0; g->n < kcount; g->n++) {
			g->objs[g->n] = gomem_kmalloc(ksizes[i], GFP_KERNEL);
			if (!g->objs[g->n])
				goto fail;
		}
	}
	for (i = 0; i < grp_d.n; i++) {
		if (*(u32 *)grp_d.objs[i] != GW_D_MAGIC) {
			pr_err("gw_d object %d not constructed\n", i);
			err = -EINVAL;
			goto fail;
		}
	}
	group_thin(&grp_a, gw_a);
	group_thin(&grp_b, gw_b);
	group_thin(&grp_c, gw_c);
	group_thin(&grp_d, gw_d);
	for (i = 0; i < nksizes; i++)
		group_thin(&grp_k[i], NULL);

	for_each_node_state(node, N_MEMORY) {
		for (i = 0; i < nlarge; i++) {
			void *p = gomem_kmalloc_node(lsize, GFP_KERNEL | __GFP_THISNODE, node);

			if (!p)
				goto fail;
			grp_large.objs[grp_large.n++] = p;
		}
	}
	if (vsize) {
		vobj = gomem_kvmalloc(vsize, GFP_KERNEL);
		if (!vobj)
			goto fail;
	}
	if (churn && churn_start())
		goto fail;
	pr_info("workload loaded: %u/%u/%u/%u cache objects, %d kmalloc sizes x %u, %u large per node on %d nodes%s\n",
		na, nb, nc, nd, nksizes, kcount, nlarge, nodes, churn ? ", churning" : "");
	return 0;
fail:
	pr_err("workload failed to load\n");
	gw_cleanup();
	return err;
}

static void __exit gw_exit(void)
{
	gw_cleanup();
	pr_info("workload unloaded\n");
}

module_init(gw_init);
module_exit(gw_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gomem test client: a known workload, kept until unload");
