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

TEST_HARNESS_MAIN
