// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure in userspace: what the page heap asks the buddy
 * allocator for when a node runs short (the shim records every
 * alloc_pages_node() call), and the shrinker (shim_shrinker: the one
 * gomem registered) counting and scanning what gomem holds without using
 * it: free heap pages, empty spans, transfer caches, magazines.
 */
#include "gomem_host.h"
#include "kselftest_harness.h"

FIXTURE(gm) {
	int dummy;
};

FIXTURE_SETUP(gm)
{
	shim_pages_max_order = MAX_ORDER - 1;
	shim_pages_fail_after = -1;
	shim_pages_limit = -1;
	shim_pages_fail_node = -1;
	ASSERT_EQ(0, gomem_host_init());
}

FIXTURE_TEARDOWN(gm)
{
	struct shim_page_stats ps;

	shim_pages_fail_node = -1;
	EXPECT_EQ(0, gomem_host_check());	/* as the test left it */
	gomem_drain_all();
	EXPECT_EQ(0, gomem_host_check());	/* every CPU drained */
	EXPECT_EQ(0, gomem_host_exit());
	shim_pages_stats(&ps);
	EXPECT_EQ(0, ps.blocks);	/* every page went back */
}

/*
 * A node whose buddy allocator is empty: the span comes from the other
 * node, and the attempts on the empty one neither warn nor reclaim
 * (__GFP_NOWARN, no __GFP_DIRECT_RECLAIM); only when every node fails does
 * the last attempt carry the caller's flags, warning included.
 */
TEST_F(gm, node_short_of_memory_is_quiet)
{
	int node = numa_mem_id(), other = (node + 1) % nr_node_ids;
	unsigned long warnings;
	long i, n0;
	void *p;

	ASSERT_GE(nr_node_ids, 2);
	/* the node's span-struct pool keeps a spare page: only growth asks */
	p = gomem_kmalloc(100000, GFP_KERNEL);
	ASSERT_EQ(node, page_to_nid(virt_to_page(p)));
	gomem_kfree(p);
	gomem_shrink_all();
	shim_pages_fail_node = node;
	n0 = shim_page_ncalls;
	warnings = shim_warnings;
	p = gomem_kmalloc(100000, GFP_NOFS);	/* a large span: a fresh block */
	ASSERT_NE(NULL, p);
	EXPECT_EQ(other, page_to_nid(virt_to_page(p)));
	EXPECT_EQ(warnings, shim_warnings);
	ASSERT_GT(shim_page_ncalls, n0);
	for (i = n0; i < shim_page_ncalls; i++) {
		struct shim_page_call *c = &shim_page_calls[i % SHIM_PAGE_CALLS];

		if (c->nid != node)
			continue;
		EXPECT_TRUE(c->gfp & __GFP_NOWARN) {
			TH_LOG("call %ld: node %d order %u gfp %#x warns", i, c->nid, c->order, c->gfp);
		}
		EXPECT_FALSE(c->gfp & __GFP_DIRECT_RECLAIM) {
			TH_LOG("call %ld: node %d order %u gfp %#x reclaims", i, c->nid, c->order,
			       c->gfp);
		}
	}
	gomem_kfree(p);

	/* every node fails: the last attempt is the caller's own */
	gomem_shrink_all();	/* no free pages left in the heaps */
	shim_quiet = 1;
	shim_pages_fail_node = -1;
	shim_pages_fail_after = 0;
	n0 = shim_page_ncalls;
	p = gomem_kmalloc(100000, GFP_NOFS);
	EXPECT_EQ(NULL, p);
	gomem_kfree(p);
	shim_pages_fail_after = -1;
	shim_quiet = 0;
	ASSERT_GT(shim_page_ncalls, n0);
	i = (shim_page_ncalls - 1) % SHIM_PAGE_CALLS;
	EXPECT_EQ(GFP_NOFS | __GFP_THISNODE, shim_page_calls[i].gfp);
	EXPECT_EQ(other, shim_page_calls[i].nid);
}


static unsigned long count_pages(void)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };

	return shim_shrinker->count_objects(shim_shrinker, &sc);
}

static unsigned long scan_pages(unsigned long nr)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nr_to_scan = nr };

	return shim_shrinker->scan_objects(shim_shrinker, &sc);
}

/* every node's free heap pages back to the buddy allocator */
static void release_heaps(void)
{
	int node;

	for_each_node(node)
		gomem_heap_release(gomem_heaps[node], 0);
}

static unsigned long heap_free_pages(void)	/* kernel pages */
{
	return gomem_heap_reclaimable();
}

/*
 * Only a magazine holds memory: a span's worth of 1 KiB objects, all freed
 * into this CPU's magazine, the heaps' free pages released. The shrinker
 * counts it, and a scan of that many pages gives the span back.
 */
TEST_F(gm, shrinker_counts_and_frees_magazines)
{
	struct gomem_class *cls = &gomem_classes[gomem_size_to_class(1024) << 1];
	unsigned long span_pages = (unsigned long)cls->npages << GOMEM_PAGE_ORDER;
	unsigned long held, count, freed;
	void *objs[64];
	unsigned int i, n = cls->nelems;

	ASSERT_NE(NULL, shim_shrinker);
	ASSERT_LE(n, cls->mag_limit);
	gomem_shrink_all();
	EXPECT_EQ(SHRINK_EMPTY, count_pages());
	for (i = 0; i < n; i++)
		ASSERT_NE(NULL, objs[i] = gomem_kmalloc(1024, GFP_KERNEL));
	for (i = 0; i < n; i++)
		gomem_kfree(objs[i]);
	ASSERT_EQ(n, this_cpu_ptr(cls->pcpu)->nmag);
	release_heaps();
	ASSERT_EQ(0, heap_free_pages());
	held = gomem_heap_held();
	count = count_pages();
	EXPECT_NE(SHRINK_EMPTY, count);
	EXPECT_GE(count, span_pages);
	TH_LOG("magazine of %u x 1 KiB: count %lu pages", n, count);
	freed = scan_pages(span_pages);
	EXPECT_GE(freed, span_pages);
	EXPECT_EQ(0, this_cpu_ptr(cls->pcpu)->nmag);
	EXPECT_EQ(held - freed, gomem_heap_held());
	EXPECT_EQ(SHRINK_EMPTY, count_pages());
}

/*
 * Only a transfer cache holds memory: 96 objects of 256 B allocated here,
 * freed on another CPU of the node (64 flushed whole into the transfer
 * cache, 32 left in its magazine), both CPUs drained, the heaps released.
 */
TEST_F(gm, shrinker_counts_and_frees_transfer_caches)
{
	struct gomem_class *cls = &gomem_classes[gomem_size_to_class(256) << 1];
	int node = numa_mem_id(), other = NR_CPUS - 1;
	struct gomem_mcentral *c = &cls->central[node];
	unsigned long count, freed, held;
	void *objs[96];
	int i;

	ASSERT_EQ(32, cls->nelems);
	while (cpu_to_node(other) != node)
		other--;
	gomem_shrink_all();
	for (i = 0; i < 96; i++)
		ASSERT_NE(NULL, objs[i] = gomem_kmalloc(256, GFP_KERNEL));
	shim_cpu_impersonate(other);
	for (i = 0; i < 96; i++)
		gomem_kfree(objs[i]);
	shim_cpu_impersonate(-1);
	ASSERT_EQ(64, c->nxfer);
	gomem_drain_cpu(other, false);		/* a CPU no thread uses */
	gomem_drain_cpu(shim_cpu_id(), true);
	release_heaps();
	ASSERT_EQ(0, heap_free_pages());
	ASSERT_EQ(64, c->nxfer);
	held = gomem_heap_held();
	count = count_pages();
	EXPECT_NE(SHRINK_EMPTY, count);
	EXPECT_GE(count, 64 * 256 / PAGE_SIZE);
	TH_LOG("transfer cache of 64 x 256 B: count %lu pages", count);
	freed = scan_pages(4);
	EXPECT_GE(freed, 4);
	EXPECT_EQ(0, c->nxfer);
	EXPECT_EQ(held - freed, gomem_heap_held());
}

/* Only an empty span parked on its central list holds memory */
TEST_F(gm, shrinker_counts_and_frees_empty_spans)
{
	struct gomem_class *cls = &gomem_classes[gomem_size_to_class(4096) << 1];
	unsigned long span_pages = (unsigned long)cls->npages << GOMEM_PAGE_ORDER;
	struct gomem_span *s;
	unsigned long count, freed;

	gomem_shrink_all();
	s = gomem_mcentral_new_span(cls, numa_mem_id(), GFP_KERNEL);
	ASSERT_NE(NULL, s);
	gomem_mcentral_add_span(cls, s);	/* as a refill that lost a race */
	release_heaps();
	ASSERT_EQ(0, heap_free_pages());
	count = count_pages();
	EXPECT_NE(SHRINK_EMPTY, count);
	EXPECT_GE(count, span_pages);
	freed = scan_pages(span_pages);
	EXPECT_GE(freed, span_pages);
	EXPECT_EQ(0, cls->central[numa_mem_id()].nr_empty);
	EXPECT_EQ(SHRINK_EMPTY, count_pages());
}

/*
 * Spans emptied by frees stay on their central empty list, up to
 * keep_empty() of them (64 KiB: eight 8 KiB spans of 4 KiB objects), are
 * taken again before the page heap is asked, are counted as held, and go
 * back to the heaps at gomem_release_empty_spans() and to the shrinker.
 */
TEST_F(gm, emptied_spans_kept_reused_and_released)
{
	struct gomem_class *cls = &gomem_classes[gomem_size_to_class(4096) << 1];
	unsigned long keep = GOMEM_KEEP_EMPTY_BYTES >> GOMEM_PAGE_SHIFT;
	int node = numa_mem_id();
	struct gomem_mcentral *c = &cls->central[node];
	unsigned long made, spans, objs;
	unsigned int i, n = 24;
	void *p[24];

	ASSERT_EQ(1, cls->npages);
	ASSERT_EQ(2, cls->nelems);
	gomem_shrink_all();
	ASSERT_EQ(0, c->nr_empty);
	for (i = 0; i < n; i++)
		ASSERT_NE(NULL, p[i] = gomem_mcentral_alloc_node(cls, node, GFP_KERNEL));
	gomem_mcentral_free_objs(cls, p, n);
	EXPECT_EQ(keep, c->nr_empty);
	gomem_mcentral_count(cls, &spans, &objs);
	EXPECT_EQ(keep, spans);
	EXPECT_EQ(0, objs);
	made = c->spans_made;
	for (i = 0; i < 2 * keep; i++)
		ASSERT_NE(NULL, p[i] = gomem_mcentral_alloc_node(cls, node, GFP_KERNEL));
	EXPECT_EQ(made, c->spans_made);
	EXPECT_EQ(0, c->nr_empty);
	gomem_mcentral_free_objs(cls, p, 2 * keep);
	EXPECT_EQ(keep, c->nr_empty);
	gomem_release_empty_spans();
	EXPECT_EQ(0, c->nr_empty);
	gomem_mcentral_count(cls, &spans, &objs);
	EXPECT_EQ(0, spans);
	release_heaps();
	EXPECT_EQ(SHRINK_EMPTY, count_pages());
}

/*
 * A scan of N gives back about N pages, not everything, and idlest first:
 * with free heap pages (in partly used blocks) and a full magazine, a
 * small scan takes heap pages only and leaves the magazine alone.
 */
TEST_F(gm, shrinker_scan_honours_nr_to_scan)
{
	struct gomem_class *cls = &gomem_classes[gomem_size_to_class(1024) << 1];
	unsigned long retain = gomem_retain_pages, free0, count, freed, held;
	void *big[64], *objs[8];
	unsigned int i, nmag;

	gomem_retain_pages = 16 * GOMEM_CHUNK_PAGES;	/* frees keep their pages */
	for (i = 0; i < 64; i++)
		ASSERT_NE(NULL, big[i] = gomem_kmalloc(64 << 10, GFP_KERNEL));
	for (i = 0; i < 64; i++)
		if (i % 8)
			gomem_kfree(big[i]);
	for (i = 0; i < 8; i++)
		ASSERT_NE(NULL, objs[i] = gomem_kmalloc(1024, GFP_KERNEL));
	for (i = 0; i < 8; i++)
		gomem_kfree(objs[i]);
	nmag = this_cpu_ptr(cls->pcpu)->nmag;
	ASSERT_GE(nmag, 8);
	free0 = heap_free_pages();
	ASSERT_GE(free0, 800);
	count = count_pages();
	EXPECT_GE(count, free0 + 2);
	held = gomem_heap_held();
	freed = scan_pages(64);
	TH_LOG("free heap pages %lu, count %lu; scan of 64 freed %lu", free0, count, freed);
	EXPECT_GE(freed, 64);
	EXPECT_LE(freed, 64 + 16);
	EXPECT_EQ(held - freed, gomem_heap_held());
	EXPECT_EQ(free0 - freed, heap_free_pages());
	EXPECT_EQ(nmag, this_cpu_ptr(cls->pcpu)->nmag);	/* the magazine untouched */
	freed = scan_pages(128);
	EXPECT_GE(freed, 128);
	EXPECT_LE(freed, 128 + 16);
	/* wholly free blocks too: they are cut, not handed over whole */
	for (i = 0; i < 64; i += 8)
		gomem_kfree(big[i]);
	free0 = heap_free_pages();
	freed = scan_pages(32);
	TH_LOG("wholly free blocks, %lu free pages: scan of 32 freed %lu", free0, freed);
	EXPECT_GE(freed, 32);
	EXPECT_LE(freed, 32 + 16);
	EXPECT_EQ(free0 - freed, heap_free_pages());
	gomem_retain_pages = retain;
}

/*
 * Empty spans go back as many as asked for, a bounded batch per lock hold;
 * the partial list never holds them, so counting objects needs no walk.
 */
TEST_F(gm, empty_spans_released_as_asked)
{
	struct gomem_class *cls = &gomem_classes[gomem_size_to_class(512) << 1];
	struct gomem_mcentral *c = &cls->central[numa_mem_id()];
	unsigned long spans, objs;
	struct gomem_span *s;
	void *p;
	int i;

	for (i = 0; i < 40; i++) {
		s = gomem_mcentral_new_span(cls, numa_mem_id(), GFP_KERNEL);
		ASSERT_NE(NULL, s);
		gomem_mcentral_add_span(cls, s);
	}
	EXPECT_EQ(40, c->nr_empty);
	EXPECT_EQ(0, c->nr_partial);
	gomem_mcentral_count(cls, &spans, &objs);
	EXPECT_EQ(40, spans);
	EXPECT_EQ(0, objs);
	EXPECT_EQ(5, gomem_mcentral_release_empty(cls, 5));
	EXPECT_EQ(35, c->nr_empty);
	EXPECT_EQ(0, gomem_host_check());
	/* a refill takes a parked span when no partial one is left */
	ASSERT_NE(NULL, p = gomem_kmalloc(512, GFP_KERNEL));
	EXPECT_EQ(34, c->nr_empty);
	gomem_kfree(p);
	EXPECT_EQ(34, gomem_mcentral_release_empty(cls, ULONG_MAX));
	EXPECT_EQ(0, c->nr_empty);
}

static void walk_irqs(struct gomem_class *cls, void *arg)
{
	unsigned int *n = arg;

	n[0]++;
	n[1] += irqs_disabled();
}

/*
 * The class registry is walked with interrupts on (under a mutex): a
 * drain or a release over every class is not one interrupts-off section.
 */
TEST_F(gm, registry_walk_runs_with_interrupts_on)
{
	unsigned int n[2] = { 0, 0 };

	gomem_class_for_each(walk_irqs, n);
	EXPECT_GE(n[0], GOMEM_NUM_SPAN_CLASSES - 2);
	EXPECT_EQ(0, n[1]) {
		TH_LOG("%u of %u classes visited with interrupts off", n[1], n[0]);
	}
}

TEST_HARNESS_MAIN
