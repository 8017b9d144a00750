// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection in userspace (gomem/faultinject.c): gomem's own
 * allocations fail at the Nth call of a kind, and every caller backs out
 * cleanly: init fails with nothing left allocated (ASan's leak check, the
 * shim's page count), a cache create fails with nothing registered, an
 * allocation fails and the heap stays balanced. Each sweep runs N = 1, 2,
 * ... until the step succeeds with no fault left to inject.
 */
#include "gomem_host.h"
#include "faultinject.h"
#include "drain.h"
#include "kselftest_harness.h"

#define SWEEP_MAX	2000

static long shim_blocks(void)
{
	struct shim_page_stats ps;

	shim_pages_stats(&ps);
	return ps.blocks;
}

/*
 * Item 2 of issue 14: a class whose kcalloc() fails after its alloc_percpu()
 * succeeded must not keep the freed pointers (a double free_percpu() and a
 * NULL central at exit). Metadata allocation 2k + 2 of init is the second
 * one of some class (stats, arena, heaps and summaries come first): the
 * sweep below hits it; this case names it.
 */
TEST(class_init_kcalloc_fails)
{
	struct gomem_class cls;

	memset(&cls, 0, sizeof(cls));
	gomem_fault_arm(GOMEM_FAULT_META, 2, 1);	/* alloc_percpu ok, kcalloc fails */
	ASSERT_EQ(-ENOMEM, gomem_class_init(&cls, 4, NULL, 32, 0));
	ASSERT_EQ(1, gomem_fault_injected(GOMEM_FAULT_META));
	gomem_fault_arm(GOMEM_FAULT_META, 0, 0);
	EXPECT_EQ(NULL, cls.pcpu);
	EXPECT_EQ(NULL, cls.central);
}

/* init with the Nth metadata allocation failing, for every N */
TEST(sweep_init_meta)
{
	unsigned long n, held;
	int err;

	for (n = 1; n < SWEEP_MAX; n++) {
		gomem_fault_arm(GOMEM_FAULT_META, n, 1);
		err = gomem_host_init();
		if (!gomem_fault_injected(GOMEM_FAULT_META)) {
			ASSERT_EQ(0, err);
			held = gomem_host_exit();
			ASSERT_EQ(0, held);
			break;
		}
		if (!err) {
			/* a failure init survives (a fallback): must still work */
			void *p = gomem_kmalloc(100, GFP_KERNEL);

			ASSERT_NE(NULL, p);
			gomem_kfree(p);
			ASSERT_EQ(0, gomem_host_exit());
		} else {
			ASSERT_EQ(-ENOMEM, err) TH_LOG("N=%lu", n);
		}
		ASSERT_EQ(0, shim_blocks()) TH_LOG("N=%lu: page blocks left", n);
	}
	gomem_fault_arm(GOMEM_FAULT_META, 0, 0);
	TH_LOG("init: %lu metadata allocations", n - 1);
	ASSERT_LT(1, n);
	ASSERT_LT(n, SWEEP_MAX);
}

/* cache create with the Nth metadata allocation failing */
TEST(sweep_cache_create)
{
	static const unsigned long flags[] = { 0, GOMEM_NO_MERGE, GOMEM_POISON | GOMEM_NO_MERGE };
	struct gomem_cache *c;
	unsigned int f;
	unsigned long n;
	void *p;

	ASSERT_EQ(0, gomem_host_init());
	for (f = 0; f < ARRAY_SIZE(flags); f++) {
		for (n = 1; n < SWEEP_MAX; n++) {
			gomem_fault_arm(GOMEM_FAULT_META, n, 1);
			c = gomem_cache_create("fi cache", 200, 0, flags[f], NULL);
			if (!gomem_fault_injected(GOMEM_FAULT_META))
				break;
			ASSERT_EQ(NULL, c) TH_LOG("flags %#lx N=%lu", flags[f], n);
			ASSERT_TRUE(list_empty(&gomem_caches));
		}
		gomem_fault_arm(GOMEM_FAULT_META, 0, 0);
		ASSERT_NE(NULL, c);
		p = gomem_cache_alloc(c, GFP_KERNEL);
		ASSERT_NE(NULL, p);
		gomem_cache_free(c, p);
		gomem_cache_destroy(c);
	}
	ASSERT_EQ(0, gomem_host_check());
	ASSERT_EQ(0, gomem_host_exit());
	ASSERT_EQ(0, shim_blocks());
}

/*
 * A mixed workload with the Nth fault of one kind (T at once): whatever
 * fails returns NULL, nothing is counted twice, and once everything is
 * freed the heap is balanced and gives every page back.
 */
static int workload(struct __test_metadata *_metadata)
{
	static const size_t sizes[] = { 8, 100, 3000, 40000, 300000, 5 << 20 };
	struct gomem_cache *c;
	void *p[64], *b[16];
	int i, n = 0, fails = 0, got;

	c = gomem_cache_create("fi work", 72, 0, GOMEM_NO_MERGE, NULL);
	if (!c)
		fails++;
	for (i = 0; i < 48; i++) {
		size_t size = sizes[i % ARRAY_SIZE(sizes)] + i;

		/* kvmalloc above 4 MiB, and for every other size */
		if (size > GOMEM_MAX_LARGE_SIZE || (i & 1))
			p[n] = gomem_kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		else
			p[n] = gomem_kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		if (p[n])
			memset(p[n++], i, 8);
		else
			fails++;
		if (c && (i & 3) == 0) {
			p[n] = gomem_cache_alloc(c, GFP_KERNEL | __GFP_NOWARN);
			if (p[n])
				n++;
			else
				fails++;
		}
	}
	if (c) {
		got = gomem_cache_alloc_bulk(c, GFP_KERNEL | __GFP_NOWARN, 16, b);
		if (got)
			gomem_cache_free_bulk(c, got, b);
		else
			fails++;
		/* two: one object at a time, the first given back if the second fails */
		got = gomem_cache_alloc_bulk(c, GFP_KERNEL | __GFP_NOWARN, 2, b);
		if (got)
			gomem_cache_free_bulk(c, got, b);
		else
			fails++;
	}
	for (i = 0; i < n; i++)
		gomem_kfree(p[i]);
	if (c)
		gomem_cache_destroy(c);
	return fails;
}

static void sweep_workload(struct __test_metadata *_metadata, enum gomem_fault f,
			   unsigned long times)
{
	unsigned long n, live;
	int fails;

	ASSERT_EQ(0, gomem_host_init());
	gomem_retain_pages = 0;
	for (n = 1; n < SWEEP_MAX; n++) {
		gomem_fault_arm(f, n, times);
		shim_quiet = 1;
		fails = workload(_metadata);
		shim_quiet = 0;
		gomem_drain_all();
		gomem_shrink_all();	/* nothing retained: the next step grows again */
		ASSERT_EQ(0, gomem_host_held_pages()) TH_LOG("N=%lu", n);
		ASSERT_EQ(0, gomem_host_check()) TH_LOG("N=%lu", n);
		live = gomem_host_small_inuse();
		ASSERT_EQ(0, live) TH_LOG("N=%lu", n);
		ASSERT_TRUE(list_empty(&gomem_caches)) TH_LOG("N=%lu", n);
		if (!gomem_fault_injected(f)) {
			ASSERT_EQ(0, fails);
			break;
		}
	}
	gomem_fault_arm(f, 0, 0);
	TH_LOG("kind %d x%lu: clean after %lu steps", f, times, n);
	ASSERT_LT(n, SWEEP_MAX);
	ASSERT_EQ(0, gomem_host_exit());
	ASSERT_EQ(0, shim_blocks());
}

/*
 * kvmalloc's fallback: with the page heap unable to grow, a 300000-byte
 * kvmalloc is vmalloc'ed (kmalloc fails), freed by gomem_kvfree(); with
 * an atomic GFP there is no fallback.
 */
TEST(kvmalloc_falls_back_to_vmalloc)
{
	void *p;

	ASSERT_EQ(0, gomem_host_init());
	gomem_retain_pages = 0;
	gomem_fault_arm(GOMEM_FAULT_GROW, 1, 1000);
	shim_quiet = 1;
	ASSERT_EQ(NULL, gomem_kmalloc(300000, GFP_KERNEL | __GFP_NOWARN));
	ASSERT_EQ(NULL, gomem_kvmalloc(300000, GFP_ATOMIC | __GFP_NOWARN));
	p = gomem_kvmalloc(300000, GFP_KERNEL);
	shim_quiet = 0;
	ASSERT_NE(NULL, p);
	EXPECT_TRUE(is_vmalloc_addr(p));
	EXPECT_EQ(300000, gomem_ksize(p));
	memset(p, 7, 300000);
	gomem_kvfree(p);
	/* a page or less: no fallback, as the kernel's kvmalloc() */
	shim_quiet = 1;
	EXPECT_EQ(NULL, gomem_kvmalloc(4000, GFP_KERNEL | __GFP_NOWARN));
	shim_quiet = 0;
	gomem_fault_arm(GOMEM_FAULT_GROW, 0, 0);
	gomem_shrink_all();
	ASSERT_EQ(0, gomem_host_check());
	ASSERT_EQ(0, gomem_host_exit());
	ASSERT_EQ(0, shim_blocks());
}

TEST(sweep_workload_grow)
{
	sweep_workload(_metadata, GOMEM_FAULT_GROW, 1);
	sweep_workload(_metadata, GOMEM_FAULT_GROW, 1000);
}

TEST(sweep_workload_meta)
{
	sweep_workload(_metadata, GOMEM_FAULT_META, 1);
	sweep_workload(_metadata, GOMEM_FAULT_META, 1000);
}

TEST(sweep_workload_vmalloc)
{
	sweep_workload(_metadata, GOMEM_FAULT_VMALLOC, 1);
}

TEST_HARNESS_MAIN
