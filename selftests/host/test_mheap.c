// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the page heap's release policy (mheap.c) over the shim's
 * page allocator, which tracks every kernel page: free pages of partly used
 * blocks go back (the block is split_page()d once), wholly free blocks go
 * back whole, exactly the released pages leave (a released page is unmapped,
 * so a stray touch faults; a double free aborts), live spans keep their
 * contents, and later allocations use held pages only.
 */
#include "gomem_host.h"
#include "kselftest_harness.h"

#define PG		GOMEM_PAGE_SIZE
#define CHUNK_PAGES	GOMEM_CHUNK_PAGES

static unsigned long long rng_state;

static unsigned long long seed_rng(void)
{
	const char *e = getenv("GOMEM_SEED");

	rng_state = e ? strtoull(e, NULL, 0) : shim_ns();
	return rng_state;
}

static unsigned long rnd_below(unsigned long n)
{
	/* splitmix64 */
	unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) % n;
}

static u64 pat(unsigned long addr, unsigned long i)
{
	return (addr * 0x9e3779b97f4a7c15ULL) ^ (i * 0x100000001b3ULL);
}

static void fill_span(struct gomem_span *s)
{
	u64 *w = s->start;
	unsigned long i, n = s->npages * PG / 8;

	for (i = 0; i < n; i++)
		w[i] = pat(s->base, i);
}

static bool span_intact(struct gomem_span *s)
{
	u64 *w = s->start;
	unsigned long i, n = s->npages * PG / 8;

	for (i = 0; i < n; i++)
		if (w[i] != pat(s->base, i))
			return false;
	return true;
}

/* Are both kernel pages of every gomem page of @s held and allocated? */
static bool span_held(struct gomem_span *s)
{
	unsigned long a, end = s->base + s->npages * PG;
	struct gomem_chunk *c;

	for (a = s->base; a < end; a += PG) {
		c = gomem_chunk_lookup(gomem_chunk_index(a));
		if (!c || !test_bit(gomem_chunk_page(a), c->held) ||
		    !shim_page_allocated(a) || !shim_page_allocated(a + PAGE_SIZE))
			return false;
	}
	return true;
}

/*
 * The heap's invariants beyond pagealloc's: held pages are allocated in the
 * shim; a split page is held and a block of its own; an unsplit block is
 * naturally aligned, a power of two long, and every held page is in a block;
 * a zeroed page is held and free, and h->zeroed_pages counts them.
 */
static int heap_check(struct gomem_heap *h)
{
	unsigned long flags, nzeroed = 0;
	struct gomem_chunk *c;
	unsigned int pg, e, nb, n;
	int err = 0;

	spin_lock_irqsave(&h->lock, flags);
	err = gomem_pagealloc_check(&h->pa);
	list_for_each_entry(c, &h->chunks, link) {
		if (!c->nheld)
			err = -1;
		for_each_set_bit(pg, c->held, CHUNK_PAGES) {
			unsigned long a = c->base + (unsigned long)pg * PG;

			if (!shim_page_allocated(a) || !shim_page_allocated(a + PAGE_SIZE))
				err = -2;
			if (!test_bit(pg, c->block_start)) {
				if (!pg || !test_bit(pg - 1, c->held) || test_bit(pg, c->split))
					err = -3;
				continue;
			}
			nb = find_next_bit(c->block_start, CHUNK_PAGES, pg + 1);
			e = find_next_zero_bit(c->held, CHUNK_PAGES, pg);
			n = min(nb, e) - pg;
			if (test_bit(pg, c->split) ? n != 1 :
			    !is_power_of_2(n) || pg % n || find_next_bit(c->split, pg + n, pg) < pg + n)
				err = -4;
		}
		for_each_set_bit(pg, c->split, CHUNK_PAGES)
			if (!test_bit(pg, c->held))
				err = -5;
		/* zeroed: held free pages only, counted in h->zeroed_pages */
		for_each_set_bit(pg, c->zeroed, CHUNK_PAGES) {
			if (!test_bit(pg, c->held) || test_bit(pg, c->alloc))
				err = -6;
			nzeroed++;
		}
	}
	if (nzeroed != h->zeroed_pages)
		err = -7;
	spin_unlock_irqrestore(&h->lock, flags);
	if (err)
		fprintf(stderr, "heap_check: %d\n", err);
	return err;
}

static void heap_figures(struct gomem_heap *h, struct gomem_heap_stats *st,
			 unsigned long *held, unsigned long *nfree)
{
	gomem_heap_snapshot(h, st, held, nfree);
}

/* Does @s cross a block boundary (adjacent blocks, or adjacent chunks)? */
static bool span_crosses(struct gomem_span *s)
{
	unsigned long a, end = s->base + s->npages * PG, flags;
	struct gomem_heap *h = gomem_heaps[s->node];
	struct gomem_chunk *c;
	bool ret = false;

	spin_lock_irqsave(&h->lock, flags);
	for (a = s->base + PG; a < end && !ret; a += PG) {
		c = gomem_chunk_lookup(gomem_chunk_index(a));
		ret = !gomem_chunk_page(a) || test_bit(gomem_chunk_page(a), c->block_start);
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return ret;
}

/* Does @s hold only zeroes? */
static bool span_zero(struct gomem_span *s)
{
	u64 *w = s->start;
	unsigned long i, n = s->npages * PG / 8;

	for (i = 0; i < n; i++)
		if (w[i])
			return false;
	return true;
}

/*
 * A span, filled with its pattern; a span the heap says needs no zeroing
 * (needzero clear) must hold zeroes before that (counted in zeroed_spans).
 */
static unsigned long zeroed_spans, zeroed_bad;

static struct gomem_span *take(unsigned long npages)
{
	struct gomem_span *s = gomem_heap_alloc_span(0, npages, GFP_KERNEL | __GFP_THISNODE);

	if (s) {
		if (!s->needzero) {
			zeroed_spans++;
			zeroed_bad += !span_zero(s);
		}
		fill_span(s);
	}
	return s;
}

FIXTURE(heap) {
	unsigned long retain;
	struct gomem_heap *h;
};

FIXTURE_SETUP(heap)
{
	shim_pages_max_order = MAX_ORDER - 1;
	shim_pages_fail_after = -1;
	shim_pages_limit = -1;
	self->retain = gomem_retain_pages;
	shim_cpu_id();
	ASSERT_EQ(0, gomem_stats_init());
	ASSERT_EQ(0, gomem_arena_init());
	ASSERT_EQ(0, gomem_heap_init());
	self->h = gomem_heaps[0];
}

FIXTURE_TEARDOWN(heap)
{
	struct shim_page_stats ps;

	gomem_heap_release(self->h, 0);
	EXPECT_EQ(0, self->h->pa.held_pages);
	gomem_heap_exit();
	gomem_arena_exit();
	gomem_stats_exit();
	rcu_barrier();
	shim_pages_stats(&ps);
	EXPECT_EQ(0, ps.blocks);	/* every page went back */
	EXPECT_EQ(0, ps.pages);
	gomem_retain_pages = self->retain;
	shim_pages_max_order = MAX_ORDER - 1;
	shim_init_on_alloc = false;
}

/*
 * One 4 MiB block full of spans, all but a few scattered ones freed: the
 * retained free pages stay until a release, which splits the block and
 * gives back exactly the free pages.
 */
TEST_F(heap, scattered_release)
{
	static const unsigned int sizes[] = { 1, 2, 3, 1, 8, 1, 4, 2, 1, 5 };
	struct gomem_span *sp[CHUNK_PAGES], *more[64];
	unsigned long held, nfree, live = 0, base, a, i, n = 0, pages = 0;
	struct gomem_heap_stats st;
	bool in_live[CHUNK_PAGES] = { };

	gomem_retain_pages = CHUNK_PAGES;
	while (pages < CHUNK_PAGES) {
		unsigned long np = min_t(unsigned long, sizes[n % ARRAY_SIZE(sizes)],
					 CHUNK_PAGES - pages);

		sp[n] = take(np);
		ASSERT_NE(NULL, sp[n]);
		pages += np;
		n++;
	}
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(CHUNK_PAGES, held);
	ASSERT_EQ(0, nfree);
	ASSERT_EQ(1, st.grown_blocks);
	base = sp[0]->base & ~(GOMEM_CHUNK_SIZE - 1);
	for (i = 0; i < n; i++)
		ASSERT_EQ(base, sp[i]->base & ~(GOMEM_CHUNK_SIZE - 1));

	/* keep every 16th span and the last one */
	for (i = 0; i < n; i++) {
		if (i % 16 == 5 || i == n - 1) {
			live += sp[i]->npages;
			for (a = 0; a < sp[i]->npages; a++)
				in_live[gomem_chunk_page(sp[i]->base) + a] = true;
			continue;
		}
		gomem_heap_free_span(sp[i]);
		sp[i] = NULL;
	}
	heap_figures(self->h, &st, &held, &nfree);
	TH_LOG("%lu spans, %lu live pages; before release: held %lu free %lu",
	       n, live, held, nfree);
	ASSERT_EQ(CHUNK_PAGES, held);		/* within the retain limit */
	ASSERT_EQ(CHUNK_PAGES - live, nfree);
	ASSERT_EQ(0, st.released_pages);
	ASSERT_EQ(0, heap_check(self->h));

	ASSERT_EQ(CHUNK_PAGES - live, gomem_heap_release(self->h, 0));
	heap_figures(self->h, &st, &held, &nfree);
	TH_LOG("after release: held %lu free %lu, released %lu, split_blocks %lu",
	       held, nfree, st.released_pages, st.split_blocks);
	ASSERT_EQ(live, held);
	ASSERT_EQ(0, nfree);
	ASSERT_EQ(1, st.split_blocks);
	ASSERT_EQ(0, st.released_blocks);
	ASSERT_EQ(CHUNK_PAGES - live, st.released_pages);
	ASSERT_EQ(CHUNK_PAGES - live, st.split_released_pages);
	/* exactly the free pages went back, both kernel pages of each */
	for (i = 0; i < CHUNK_PAGES; i++) {
		a = base + i * PG;
		ASSERT_EQ(in_live[i], shim_page_allocated(a));
		ASSERT_EQ(in_live[i], shim_page_allocated(a + PAGE_SIZE));
	}
	for (i = 0; i < n; i++)
		if (sp[i])
			ASSERT_TRUE(span_intact(sp[i]));
	ASSERT_EQ(0, heap_check(self->h));
	ASSERT_EQ(0, gomem_heap_release(self->h, 0));	/* nothing left to give */

	/* new spans come from held pages only: a new block */
	for (i = 0; i < ARRAY_SIZE(more); i++) {
		more[i] = take(1 + i % 3);
		ASSERT_NE(NULL, more[i]);
		ASSERT_TRUE(span_held(more[i]));
		ASSERT_NE(base, more[i]->base & ~(GOMEM_CHUNK_SIZE - 1));
	}
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(2, st.grown_blocks);
	ASSERT_EQ(live + CHUNK_PAGES, held);
	for (i = 0; i < n; i++)
		if (sp[i])
			ASSERT_TRUE(span_intact(sp[i]));

	/* the split block's last pages go back one by one, the new block whole */
	gomem_retain_pages = 2 * CHUNK_PAGES;
	for (i = 0; i < n; i++)
		if (sp[i])
			gomem_heap_free_span(sp[i]);
	for (i = 0; i < ARRAY_SIZE(more); i++) {
		ASSERT_TRUE(span_intact(more[i]));
		gomem_heap_free_span(more[i]);
	}
	ASSERT_EQ(0, heap_check(self->h));
	gomem_heap_release(self->h, 0);
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(0, held);
	ASSERT_EQ(1, st.split_blocks);
	ASSERT_EQ(1, st.released_blocks);
	for (i = 0; i < CHUNK_PAGES; i++)
		ASSERT_FALSE(shim_page_allocated(base + i * PG));
}

/*
 * The eager path: with a small retain limit, every free beyond it gives
 * pages back at once, from the block of the freed span.
 */
TEST_F(heap, retain_limit)
{
	struct gomem_span *sp[CHUNK_PAGES];
	unsigned long held, nfree, live, i, j, perm[CHUNK_PAGES];
	struct gomem_heap_stats st;

	TH_LOG("seed %#llx", seed_rng());
	gomem_retain_pages = 16;
	for (i = 0; i < CHUNK_PAGES; i++) {
		sp[i] = take(1);
		ASSERT_NE(NULL, sp[i]);
		perm[i] = i;
	}
	for (i = CHUNK_PAGES - 1; i > 0; i--) {
		j = rnd_below(i + 1);
		swap(perm[i], perm[j]);
	}
	live = CHUNK_PAGES;
	for (i = 0; i < CHUNK_PAGES - 8; i++) {
		gomem_heap_free_span(sp[perm[i]]);
		sp[perm[i]] = NULL;
		live--;
		heap_figures(self->h, &st, &held, &nfree);
		/* partly used blocks give back beyond twice the limit, down to it */
		ASSERT_GE(nfree, min_t(unsigned long, i + 1, 16));
		ASSERT_LE(nfree, 32);
		ASSERT_EQ(i < 32 ? i + 1 : (i - 32) % 17 + 16, nfree);
		ASSERT_EQ(live + nfree, held);
		if (i % 64 == 0)
			ASSERT_EQ(0, heap_check(self->h));
	}
	heap_figures(self->h, &st, &held, &nfree);
	TH_LOG("8 spans left: held %lu free %lu released %lu split_blocks %lu",
	       held, nfree, st.released_pages, st.split_blocks);
	ASSERT_EQ(1, st.split_blocks);
	ASSERT_EQ(CHUNK_PAGES - 8 - nfree, st.released_pages);
	for (i = 0; i < CHUNK_PAGES; i++)
		if (sp[i])
			ASSERT_TRUE(span_intact(sp[i]));
	/* reuse: the retained pages first, no growth */
	for (i = 0; i < nfree; i++) {
		struct gomem_span *s = take(1);

		ASSERT_NE(NULL, s);
		ASSERT_TRUE(span_held(s));
		gomem_heap_free_span(s);
	}
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(1, st.grown_blocks);
	ASSERT_EQ(0, heap_check(self->h));
	for (i = 0; i < CHUNK_PAGES; i++)
		if (sp[i])
			gomem_heap_free_span(sp[i]);
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(nfree, held);
	ASSERT_LE(nfree, 32);
	ASSERT_GE(nfree, 16);
}

/* Wholly free blocks go back whole, never split, at the limit and on release. */
/*
 * Memory freed by someone else: the core's kfree() of a gomem object puts
 * its page (free_large_kmalloc()), here put_page() on a kernel page of a
 * live span and on one of a span freed later. Nothing is freed under gomem
 * (the pages stay allocated, the spans intact); at release the clean pages
 * go back and the two touched gomem pages are kept, counted and reported
 * once, and never given back however often the heap releases.
 */
TEST_F(heap, foreign_put_keeps_page)
{
	struct gomem_span *s1, *s2, *s3;
	struct gomem_heap_stats st;
	unsigned long held, nfree, k1, k2, a;
	struct gomem_chunk *c;

	gomem_retain_pages = CHUNK_PAGES;
	s1 = take(1);
	s2 = take(2);
	s3 = take(1);
	ASSERT_TRUE(s1 && s2 && s3);
	k1 = s1->base;				/* the first kernel page of s1 */
	k2 = s2->base + PG + PAGE_SIZE;		/* the last kernel page of s2 */
	EXPECT_EQ(2, page_ref_count(virt_to_page(k1)));
	EXPECT_EQ(2, page_ref_count(virt_to_page(k2)));
	put_page(virt_to_page(k1));
	put_page(virt_to_page(k2));
	EXPECT_TRUE(shim_page_allocated(k1));
	EXPECT_TRUE(shim_page_allocated(k2));
	EXPECT_TRUE(span_intact(s1));
	EXPECT_TRUE(span_intact(s2));
	gomem_heap_free_span(s1);
	gomem_heap_free_span(s2);
	gomem_heap_free_span(s3);

	shim_log_capture(true);
	EXPECT_EQ(CHUNK_PAGES - 2, gomem_heap_release(self->h, 0));
	heap_figures(self->h, &st, &held, &nfree);
	EXPECT_EQ(2, st.kept_pages);
	EXPECT_EQ(2, held);
	EXPECT_EQ(2, nfree);
	EXPECT_EQ(1, st.split_blocks);
	EXPECT_TRUE(shim_page_allocated(k1));
	EXPECT_TRUE(shim_page_allocated(k2));
	EXPECT_FALSE(shim_page_allocated(s3->base));
	EXPECT_NE(NULL, strstr(shim_log(), "has references gomem did not take"));
	EXPECT_EQ(0, heap_check(self->h));
	/* kept: a second release gives nothing and counts nothing again */
	EXPECT_EQ(0, gomem_heap_release(self->h, 0));
	heap_figures(self->h, &st, &held, &nfree);
	EXPECT_EQ(2, st.kept_pages);
	EXPECT_EQ(2, held);
	shim_log_capture(false);

	/* the test's repair (the fixture wants every page back) */
	c = gomem_chunk_lookup(gomem_chunk_index(k1));
	for (a = k1 & ~(PG - 1); a < (k1 & ~(PG - 1)) + PG; a += PAGE_SIZE)
		set_page_count(virt_to_page(a), 2);
	for (a = k2 & ~(PG - 1); a < (k2 & ~(PG - 1)) + PG; a += PAGE_SIZE)
		set_page_count(virt_to_page(a), 2);
	bitmap_zero(c->kept, CHUNK_PAGES);
}

TEST_F(heap, whole_blocks_stay_whole)
{
	struct gomem_span *a, *b, *c;
	unsigned long held, nfree;
	struct gomem_heap_stats st;

	gomem_retain_pages = CHUNK_PAGES;
	a = take(CHUNK_PAGES);
	b = take(CHUNK_PAGES);
	c = take(CHUNK_PAGES / 2);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, c);
	gomem_heap_free_span(a);	/* 768 free: a's block does not fit above 512 */
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(3 * CHUNK_PAGES, held);
	ASSERT_EQ(0, st.released_pages);
	gomem_heap_free_span(b);	/* 1280 free: b's block goes whole */
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(2 * CHUNK_PAGES, held);
	ASSERT_EQ(1, st.released_blocks);
	ASSERT_EQ(0, st.split_blocks);
	ASSERT_TRUE(span_intact(c));
	/* release: a's block whole, then c's block's free half page by page */
	gomem_heap_release(self->h, 0);
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(CHUNK_PAGES / 2, held);
	ASSERT_EQ(2, st.released_blocks);
	ASSERT_EQ(1, st.split_blocks);
	ASSERT_EQ(CHUNK_PAGES / 2, st.split_released_pages);
	ASSERT_TRUE(span_intact(c));
	ASSERT_TRUE(span_held(c));
	ASSERT_EQ(0, heap_check(self->h));
	gomem_heap_free_span(c);
	gomem_heap_release(self->h, 0);
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(0, held);
}

static struct gomem_span *take_aligned(unsigned long npages, unsigned long align)
{
	struct gomem_span *s = gomem_heap_alloc_span_aligned(0, npages, align,
							     GFP_KERNEL | __GFP_THISNODE);

	if (s)
		fill_span(s);
	return s;
}

/*
 * Aligned spans: aligned to the run's address (so to the direct map's),
 * from held pages when an aligned run is free, else from a block grown for
 * them, which is large enough for the alignment (3 pages aligned to 8 need
 * an 8-page block), also when the buddy allocator has small blocks only.
 */
TEST_F(heap, aligned_spans)
{
	static const unsigned long req[][2] = {
		{ 1, 1 }, { 2, 2 }, { 4, 4 }, { 3, 8 }, { 512, 512 }, { 64, 64 },
		{ 2, 2 }, { 256, 256 }, { 5, 2 }, { 16, 16 },
	};
	struct gomem_span *sp[ARRAY_SIZE(req)], *small[4][8];
	unsigned long held, nfree, i, k;
	struct gomem_heap_stats st;

	for (i = 0; i < ARRAY_SIZE(req); i++) {
		sp[i] = take_aligned(req[i][0], req[i][1]);
		ASSERT_NE(NULL, sp[i]);
		ASSERT_EQ(req[i][0], sp[i]->npages);
		ASSERT_EQ(0, sp[i]->base % (req[i][1] * PG));
		ASSERT_EQ(0, (unsigned long)sp[i]->start % (req[i][1] * PG));
		ASSERT_TRUE(span_held(sp[i]));
	}
	ASSERT_EQ(0, heap_check(self->h));
	for (i = 0; i < ARRAY_SIZE(req); i++) {
		ASSERT_TRUE(span_intact(sp[i]));
		gomem_heap_free_span(sp[i]);
	}
	gomem_heap_release(self->h, 0);

	/* blocks of at most 8 pages: an aligned 8 needs a whole one */
	shim_pages_max_order = GOMEM_PAGE_ORDER + 3;
	for (k = 0; k < 4; k++) {
		for (i = 0; i < ARRAY_SIZE(small[k]); i++) {
			small[k][i] = take(1);
			ASSERT_NE(NULL, small[k][i]);
		}
		sp[k] = take_aligned(8, 8);
		ASSERT_NE(NULL, sp[k]);
		ASSERT_EQ(0, sp[k]->base % (8 * PG));
		ASSERT_TRUE(span_held(sp[k]));
		sp[k + 4] = take_aligned(3, 8);
		ASSERT_NE(NULL, sp[k + 4]);
		ASSERT_EQ(0, sp[k + 4]->base % (8 * PG));
		for (i = 0; i < ARRAY_SIZE(small[k]); i += 2)
			gomem_heap_free_span(small[k][i]);	/* holes of one page */
	}
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(0, st.grow_failures);
	ASSERT_EQ(0, heap_check(self->h));
	for (k = 0; k < 8; k++) {
		ASSERT_TRUE(span_intact(sp[k]));
		gomem_heap_free_span(sp[k]);
	}
	for (k = 0; k < 4; k++)
		for (i = 1; i < ARRAY_SIZE(small[k]); i += 2)
			gomem_heap_free_span(small[k][i]);
	ASSERT_EQ(0, heap_check(self->h));
	shim_pages_max_order = MAX_ORDER - 1;
}

/*
 * What natural alignment costs in memory: the same random workload of
 * large objects (2 to 512 pages; half of them powers of two, as kmalloc
 * sizes often are) and small spans, with and without aligning the powers
 * of two. Figures: the most pages held and their average over the run,
 * against the pages in use. GOMEM_SEED replays another workload.
 */
static void align_workload(struct __test_metadata *_metadata, struct gomem_heap *h,
			   bool align, unsigned long long seed,
			   unsigned long *peak, double *avg_ratio)
{
	enum { NLIVE = 512, OPS = 40000 };
	struct gomem_span **lv = calloc(NLIVE, sizeof(*lv));
	unsigned long held, nfree, live = 0, k, i, n, samples = 0;
	struct gomem_heap_stats st;
	double ratio = 0;

	ASSERT_NE(NULL, lv);
	rng_state = seed;
	*peak = 0;
	for (k = 0; k < OPS; k++) {
		i = rnd_below(NLIVE);
		if (lv[i]) {
			live -= lv[i]->npages;
			gomem_heap_free_span(lv[i]);
			lv[i] = NULL;
			continue;
		}
		switch (rnd_below(4)) {
		case 0:
			n = 1 + rnd_below(4);	/* small-object spans */
			break;
		case 1:
			n = 2 + rnd_below(1 + rnd_below(511));	/* any large size */
			break;
		default:
			n = 1UL << (1 + rnd_below(1 + rnd_below(9)));	/* 16 KiB .. 4 MiB */
		}
		lv[i] = take_aligned(n, align && is_power_of_2(n) ? n : 1);
		ASSERT_NE(NULL, lv[i]);
		if (align && is_power_of_2(n))
			ASSERT_EQ(0, lv[i]->base % (n * PG));
		live += n;
		heap_figures(h, &st, &held, &nfree);
		*peak = max(*peak, held);
		if (k > OPS / 4) {
			ratio += (double)held / live;
			samples++;
		}
	}
	*avg_ratio = ratio / samples;
	ASSERT_EQ(0, heap_check(h));
	for (i = 0; i < NLIVE; i++)
		if (lv[i])
			gomem_heap_free_span(lv[i]);
	free(lv);
	gomem_heap_release(h, 0);
}

TEST_F_TIMEOUT(heap, alignment_cost, 300)
{
	unsigned long long seed = getenv("GOMEM_SEED") ? seed_rng() : 0x616c69676eULL;
	unsigned long peak[2];
	double ratio[2];

	gomem_retain_pages = CHUNK_PAGES;
	align_workload(_metadata, self->h, false, seed, &peak[0], &ratio[0]);
	align_workload(_metadata, self->h, true, seed, &peak[1], &ratio[1]);
	TH_LOG("seed %#llx: most pages held %lu unaligned, %lu aligned (%+.1f%%)",
	       seed, peak[0], peak[1], 100.0 * peak[1] / peak[0] - 100);
	TH_LOG("held / in use, on average: %.3f unaligned, %.3f aligned; %lu aligned searches fell back",
	       ratio[0], ratio[1], self->h->pa.align_fallbacks);
	/* alignment leaves holes, but not many: within an eighth */
	ASSERT_LT(peak[1], peak[0] + peak[0] / 8);
}

/*
 * Under init_on_alloc the buddy allocator zeroes what it hands out: a cold
 * heap grows by the span that is needed (rounded to an order), never by a
 * 4 MiB chunk, so a cold allocation zeroes its own span's pages only; a
 * span that fits in what was grown before takes no new block; a growing
 * heap takes blocks of an eighth of what it uses, so few of them, and
 * never more than an eighth free. Without init_on_alloc, the first growth
 * takes the whole chunk.
 */
#define GROW_SPANS	2000

TEST_F(heap, grow_by_span_under_init_on_alloc)
{
	static struct gomem_span *grown[GROW_SPANS];
	struct gomem_span *s[4];
	unsigned long held, nfree;
	struct gomem_heap_stats st;
	unsigned int i;

	shim_init_on_alloc = true;
	s[0] = take(1);
	s[1] = take(3);			/* order 2: 4 pages, one left free */
	s[2] = take(1);			/* the free page: no growth */
	ASSERT_NE(NULL, s[0]);
	ASSERT_NE(NULL, s[1]);
	ASSERT_NE(NULL, s[2]);
	heap_figures(self->h, &st, &held, &nfree);
	EXPECT_EQ(5, held);
	EXPECT_EQ(0, nfree);
	EXPECT_EQ(2, st.grown_blocks);
	EXPECT_EQ(0, st.fallback_blocks);	/* the size asked for: no fallback */
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(span_intact(s[i]));
	for (i = 0; i < GROW_SPANS; i++) {
		grown[i] = take(1);
		ASSERT_NE(NULL, grown[i]);
		heap_figures(self->h, &st, &held, &nfree);
		/* what is free is at most the last block: an eighth of the use */
		ASSERT_LE(nfree, (held - nfree) / 8 + 1);
	}
	TH_LOG("%u one-page spans: %lu blocks", GROW_SPANS, st.grown_blocks);
	EXPECT_LE(st.grown_blocks, 100);	/* a block per span: 2000 */
	EXPECT_EQ(0, st.fallback_blocks);
	for (i = 0; i < GROW_SPANS; i++)
		gomem_heap_free_span(grown[i]);
	shim_init_on_alloc = false;
	gomem_heap_release(self->h, 0);
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(5, held);
	s[3] = take(1);			/* a chunk again */
	ASSERT_NE(NULL, s[3]);
	heap_figures(self->h, &st, &held, &nfree);
	EXPECT_EQ(5 + CHUNK_PAGES, held);
	for (i = 0; i < 4; i++)
		gomem_heap_free_span(s[i]);
	EXPECT_EQ(0, heap_check(self->h));
}

/*
 * Zeroed pages (mheap.c): under init_on_alloc the spans cut from a block
 * just grown need no zeroing; pages that come back from a span, or a block
 * grown without init_on_alloc, do. Each span's needzero is checked against
 * its contents by take().
 */
TEST_F(heap, zeroed_pages)
{
	struct gomem_span *a, *b, *c, *d;
	unsigned long held, nfree;
	struct gomem_heap_stats st;

	zeroed_spans = zeroed_bad = 0;
	shim_init_on_alloc = true;
	a = take(4);				/* a fresh block of 4 pages */
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, a->needzero);
	gomem_heap_free_span(a);		/* retained, its pages dirty */
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(4, nfree);
	b = take(2);				/* dirty pages */
	c = take(2);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(1, b->needzero);
	EXPECT_EQ(1, c->needzero);
	d = take(8);				/* a new block */
	ASSERT_NE(NULL, d);
	EXPECT_EQ(0, d->needzero);
	heap_figures(self->h, &st, &held, &nfree);
	EXPECT_EQ(st.grown_blocks, 2);
	gomem_heap_free_span(b);
	gomem_heap_free_span(c);
	gomem_heap_free_span(d);
	gomem_heap_release(self->h, 0);

	shim_init_on_alloc = false;		/* 0xa5 from the buddy */
	a = take(4);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(1, a->needzero);
	gomem_heap_free_span(a);
	gomem_heap_release(self->h, 0);

	/* a large object: zero every time, the block regrown or not */
	shim_init_on_alloc = true;
	for (int i = 0; i < 3; i++) {
		size_t size = i == 2 ? GOMEM_CHUNK_SIZE : 3 * PG;
		unsigned long *p = gomem_large_alloc(size, GFP_KERNEL, 0);
		size_t j;

		ASSERT_NE(NULL, p);
		for (j = 0; j < size / sizeof(*p); j++)
			if (p[j])
				break;
		EXPECT_EQ(size / sizeof(*p), j);
		memset(p, 0x5a, size);
		gomem_large_free(gomem_ptr_to_span(p), p);
	}
	shim_init_on_alloc = false;
	EXPECT_EQ(2, zeroed_spans);
	EXPECT_EQ(0, zeroed_bad);
	EXPECT_EQ(0, heap_check(self->h));
}

/*
 * Random spans over blocks of random orders (small ones too, which the
 * shim may place next to each other, so runs cross blocks), random frees,
 * a small retain limit and releases with random @keep: the invariants hold,
 * live spans keep their contents, held pages are allocated.
 */
TEST_F_TIMEOUT(heap, random_ops, 300)
{
	enum { NLIVE = 1024 };
	struct gomem_span **lv = calloc(NLIVE, sizeof(*lv));
	unsigned long held, nfree, live = 0, k, i, n, crossing = 0;
	struct gomem_heap_stats st;

	ASSERT_NE(NULL, lv);
	zeroed_spans = zeroed_bad = 0;
	TH_LOG("seed %#llx", seed_rng());
	gomem_retain_pages = 32;
	for (k = 0; k < 60000; k++) {
		if (k % 4000 == 0) {
			shim_pages_max_order = GOMEM_PAGE_ORDER + rnd_below(GOMEM_CHUNK_ORDER);
			shim_init_on_alloc = rnd_below(2);
		}
		i = rnd_below(NLIVE);
		if (lv[i]) {
			ASSERT_TRUE(span_intact(lv[i]));
			live -= lv[i]->npages;
			gomem_heap_free_span(lv[i]);
			lv[i] = NULL;
		} else {
			n = 1UL << (shim_pages_max_order - GOMEM_PAGE_ORDER);	/* a block */
			n = 1 + rnd_below(rnd_below(32) ? min(n, 4UL) : n);
			lv[i] = take(n);
			ASSERT_NE(NULL, lv[i]);
			ASSERT_TRUE(span_held(lv[i]));
			crossing += span_crosses(lv[i]);
			live += n;
		}
		if (k % 997 == 0)
			gomem_heap_release(self->h, rnd_below(64));
		heap_figures(self->h, &st, &held, &nfree);
		ASSERT_EQ(live + nfree, held);
		if (k % 2000 == 0) {
			ASSERT_EQ(0, heap_check(self->h));
			for (i = 0; i < NLIVE; i++)
				if (lv[i])
					ASSERT_TRUE(span_intact(lv[i]));
		}
	}
	heap_figures(self->h, &st, &held, &nfree);
	TH_LOG("grown %lu (fallback %lu), released %lu pages: %lu blocks whole, %lu pages of %lu split blocks",
	       st.grown_blocks, st.fallback_blocks, st.released_pages, st.released_blocks,
	       st.split_released_pages, st.split_blocks);
	TH_LOG("%lu spans crossed a block boundary; %lu needed no zeroing", crossing,
	       zeroed_spans);
	shim_init_on_alloc = false;
	ASSERT_EQ(0, zeroed_bad);
	ASSERT_GT(zeroed_spans, 0);
	ASSERT_GT(st.split_blocks, 0);
	ASSERT_GT(st.released_blocks, 0);
	gomem_heap_release(self->h, 0);
	heap_figures(self->h, &st, &held, &nfree);
	ASSERT_EQ(live, held);
	ASSERT_EQ(0, heap_check(self->h));
	for (i = 0; i < NLIVE; i++) {
		if (lv[i]) {
			ASSERT_TRUE(span_intact(lv[i]));
			ASSERT_TRUE(span_held(lv[i]));
			gomem_heap_free_span(lv[i]);
		}
	}
	free(lv);
}

TEST_HARNESS_MAIN
