// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for the page allocator (gomem/pagealloc.c) and the chunk
 * bitmap operations (gomem/pallocbits.c).
 *
 *  - pallocSum packing, and summarize/find/range operations against brute
 *    force on many random bitmaps;
 *  - a reference model: a million random allocations and frees (with
 *    growth, shrinking and full drains) whose every result must be exactly
 *    the lowest-address fit of a plain bitmap, checked with
 *    gomem_pagealloc_check() and a bitmap comparison every 1000 operations;
 *  - partially held and non-adjacent chunks, growth, release, two instances
 *    (NUMA nodes) sharing the arena index, refused bad calls, and concurrent
 *    gomem_pagealloc_prepare().
 *
 * Chunks are built the way the page heap builds them. Most tests take real
 * blocks from the shim's alloc_pages_node(); the reference model and the
 * layout tests need chunks at chosen, adjacent addresses, so they carve them
 * out of a PROT_NONE reservation: the page allocator never touches the
 * memory it manages, only the addresses.
 *
 * GOMEM_SEED=n overrides the random seed (printed by every random test),
 * GOMEM_PA_OPS=n the number of reference model operations.
 */

#include "kselftest_harness.h"

#include <sys/mman.h>

#include "arena.h"
#include "pagealloc.h"
#include "pallocbits.h"

/*
 * Note: ASSERT_*()/EXPECT_*() expand to more than one statement, so a loop
 * or if body holding one must be braced.
 */

#define CHUNK_PAGES	GOMEM_CHUNK_PAGES
#define CHUNK_WORDS	GOMEM_CHUNK_WORDS
#define PG		GOMEM_PAGE_SIZE
#define ALL_FREE_SUM	gomem_psum_pack(CHUNK_PAGES, CHUNK_PAGES, CHUNK_PAGES)
#define DEFAULT_SEED	0x676f6d656d2d7061ULL	/* "gomem-pa" */

/* ---- random numbers ---- */

static u64 rng;

static u64 rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned long rnd_below(unsigned long n)
{
	return rnd() % n;
}

static u64 seed_rng(void)
{
	const char *s = getenv("GOMEM_SEED");
	u64 seed = s ? strtoull(s, NULL, 0) : DEFAULT_SEED;

	rng = seed ? seed : DEFAULT_SEED;
	return seed;
}

/* ---- brute force over one 512-bit bitmap ---- */

static bool bit(const unsigned long *b, unsigned long i)
{
	return (b[i / 64] >> (i % 64)) & 1;
}

static void put_bit(unsigned long *b, unsigned long i, bool v)
{
	if (v)
		b[i / 64] |= 1UL << (i % 64);
	else
		b[i / 64] &= ~(1UL << (i % 64));
}

static gomem_psum_t brute_summarize(const unsigned long *b)
{
	unsigned int start = 0, max = 0, end = 0, cur = 0, i;

	while (start < CHUNK_PAGES && !bit(b, start))
		start++;
	while (end < CHUNK_PAGES && !bit(b, CHUNK_PAGES - 1 - end))
		end++;
	for (i = 0; i < CHUNK_PAGES; i++) {
		cur = bit(b, i) ? 0 : cur + 1;
		if (cur > max)
			max = cur;
	}
	return gomem_psum_pack(start, max, end);
}

/* lowest i with [i, i + n) free, or GOMEM_PALLOC_NONE */
static unsigned int brute_find(const unsigned long *b, unsigned int n)
{
	unsigned int i, run = 0;

	for (i = 0; i < CHUNK_PAGES; i++) {
		run = bit(b, i) ? 0 : run + 1;
		if (run >= n)
			return i + 1 - n;
	}
	return GOMEM_PALLOC_NONE;
}

/* A random bitmap: random density, or alternating runs of random lengths. */
static void random_bitmap(unsigned long *b, unsigned int nbits)
{
	static const unsigned int avg[] = { 1, 2, 3, 8, 30, 64, 100, 250, 600 };
	unsigned int i = 0, len, mode = rnd_below(4), af, au;
	bool used = rnd() & 1;

	memset(b, 0, BITS_TO_LONGS(nbits) * sizeof(long));
	if (mode == 0) {
		/* independent bits of density 1/64 .. 63/64 */
		unsigned int d = 1 + rnd_below(63);

		for (i = 0; i < nbits; i++)
			put_bit(b, i, rnd_below(64) < d);
		return;
	}
	af = avg[rnd_below(ARRAY_SIZE(avg))];
	au = avg[rnd_below(ARRAY_SIZE(avg))];
	while (i < nbits) {
		len = 1 + rnd_below(2 * (used ? au : af));
		for (; len && i < nbits; len--, i++)
			put_bit(b, i, used);
		used = !used;
	}
}

/* ---- chunks, built as the page heap builds them ---- */

static LIST_HEAD(test_chunks);

struct real_block {
	struct page *page;
	unsigned int order;
	unsigned long addr, npages;
	bool grown;
};

/*
 * The chunk struct at @base for node @nid: found, or made and inserted.
 * NULL when it belongs to another node (or on failure).
 */
static struct gomem_chunk *get_chunk(unsigned long base, int nid)
{
	struct gomem_chunk *c = gomem_chunk_lookup(gomem_chunk_index(base));

	if (c)
		return c->node == nid ? c : NULL;
	if (gomem_arena_prepare(base, GFP_KERNEL))
		return NULL;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	bitmap_fill(c->alloc, CHUNK_PAGES);
	c->base = base;
	c->node = nid;
	INIT_LIST_HEAD(&c->link);
	if (gomem_chunk_insert(c)) {
		kfree(c);
		return NULL;
	}
	list_add_tail(&c->link, &test_chunks);
	return c;
}

/* Hold [addr, addr + npages * PG) (within one chunk) and grow @pa by it. */
static int hold(struct gomem_pagealloc *pa, int nid, unsigned long addr,
		unsigned long npages)
{
	struct gomem_chunk *c = get_chunk(addr & ~(GOMEM_CHUNK_SIZE - 1), nid);
	unsigned int first = gomem_chunk_page(addr), i;
	int err;

	if (!c || first + npages > CHUNK_PAGES)
		return -EINVAL;
	for (i = first; i < first + npages; i++)
		__set_bit(i, c->held);
	__set_bit(first, c->block_start);
	err = gomem_pagealloc_prepare(pa, addr, npages, GFP_KERNEL);
	if (err)
		return err;
	gomem_pagealloc_grow(pa, addr, npages);
	return 0;
}

/* The reverse of hold(), for a wholly free block. */
static void release(struct gomem_pagealloc *pa, unsigned long addr,
		    unsigned long npages)
{
	struct gomem_chunk *c = gomem_chunk_lookup(gomem_chunk_index(addr));
	unsigned int first = gomem_chunk_page(addr), i;

	gomem_pagealloc_shrink(pa, addr, npages);
	for (i = first; i < first + npages; i++) {
		__clear_bit(i, c->held);
		__clear_bit(i, c->block_start);
	}
}

/*
 * A real buddy block of kernel order @order from node @nid, grown into @pa.
 * Returns -EEXIST when the block lies in a chunk of another node (as small
 * blocks of two nodes may share 4 MiB here; the heap refuses those too):
 * the block is kept, not grown, and freed at the end.
 */
static int hold_real(struct gomem_pagealloc *pa, int nid, unsigned int order,
		     struct real_block *rb)
{
	struct gomem_chunk *c;

	rb->page = alloc_pages_node(nid, GFP_KERNEL, order);
	if (!rb->page)
		return -ENOMEM;
	rb->order = order;
	rb->addr = __pa(page_address(rb->page));
	rb->npages = 1UL << (order - GOMEM_PAGE_ORDER);
	c = gomem_chunk_lookup(gomem_chunk_index(rb->addr));
	if (c && c->node != nid)
		return -EEXIST;
	rb->grown = !hold(pa, nid, rb->addr, rb->npages);
	return rb->grown ? 0 : -EINVAL;
}

static void free_chunks(void)
{
	struct gomem_chunk *c, *n;

	list_for_each_entry_safe(c, n, &test_chunks, link) {
		gomem_chunk_remove(c);
		list_del(&c->link);
		kfree(c);
	}
}

/*
 * A PROT_NONE reservation of @nchunks chunks whose chunk number @mid falls
 * on a 16 GiB boundary (a root summary entry), so that runs cross entries
 * at every level; or, if that address is taken, anywhere chunk-aligned.
 * Nothing is ever mapped there: only the addresses are used. The hints lie
 * where both ASan and TSan let applications map (TSan's "pie" range).
 */
static unsigned long reserve_chunks(unsigned long nchunks, unsigned long mid)
{
	static unsigned long next_hint = 0x564000000000UL;
	unsigned long size = (nchunks + 1) * GOMEM_CHUNK_SIZE, want;
	void *p;

	want = next_hint - mid * GOMEM_CHUNK_SIZE;
	next_hint += 1UL << 36;
	p = mmap((void *)want, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == (void *)want)
		return want;
	if (p != MAP_FAILED)
		munmap(p, size);
	p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return 0;
	return ALIGN((unsigned long)p, GOMEM_CHUNK_SIZE);
}

/* Every summary at every level covering [base, base + n chunks) is 0. */
static bool summaries_zero(struct gomem_pagealloc *pa, unsigned long base,
			   unsigned long nchunks)
{
	unsigned long last = base + nchunks * GOMEM_CHUNK_SIZE - 1, i;
	int l, shift;

	for (l = 0; l < GOMEM_SUM_LEVELS; l++) {
		shift = GOMEM_CHUNK_SHIFT + (GOMEM_SUM_LEVELS - 1 - l) * GOMEM_SUM_LEVEL_BITS;
		for (i = base >> shift; i <= last >> shift; i++)
			if (gomem_pagealloc_sum(pa, l, i))
				return false;
	}
	return true;
}

/* ---- pallocSum and pallocBits ---- */

TEST(psum_pack)
{
	unsigned int s, m, e, k;
	gomem_psum_t p;

	/* all-free at the root: 2^21 is encoded specially */
	p = gomem_psum_pack(GOMEM_SUM_MAX_PACKED, GOMEM_SUM_MAX_PACKED,
			    GOMEM_SUM_MAX_PACKED);
	ASSERT_EQ(1ULL << 63, p);
	ASSERT_EQ(GOMEM_SUM_MAX_PACKED, gomem_psum_start(p));
	ASSERT_EQ(GOMEM_SUM_MAX_PACKED, gomem_psum_max(p));
	ASSERT_EQ(GOMEM_SUM_MAX_PACKED, gomem_psum_end(p));
	ASSERT_EQ(0, gomem_psum_pack(0, 0, 0));

	p = ALL_FREE_SUM;
	ASSERT_EQ(CHUNK_PAGES, gomem_psum_start(p));
	ASSERT_EQ(CHUNK_PAGES, gomem_psum_max(p));
	ASSERT_EQ(CHUNK_PAGES, gomem_psum_end(p));

	seed_rng();
	for (k = 0; k < 200000; k++) {
		/* edge values often, random ones otherwise */
		m = k < 8 ? (1U << 21) - 1 - k : rnd_below(GOMEM_SUM_MAX_PACKED);
		s = rnd_below(m + 1);
		e = rnd_below(m + 1);
		if (k % 7 == 0)
			s = m;
		if (k % 11 == 0)
			e = m;
		p = gomem_psum_pack(s, m, e);
		ASSERT_EQ(0, p >> 63);
		ASSERT_EQ(s, gomem_psum_start(p));
		ASSERT_EQ(m, gomem_psum_max(p));
		ASSERT_EQ(e, gomem_psum_end(p));
	}
}

TEST(pallocbits_summarize)
{
	unsigned long b[CHUNK_WORDS];
	unsigned int k, i;
	gomem_psum_t want, got;

	TH_LOG("seed %#llx", (unsigned long long)seed_rng());
	memset(b, 0, sizeof(b));
	ASSERT_EQ(ALL_FREE_SUM, gomem_pallocbits_summarize(b));
	memset(b, 0xff, sizeof(b));
	ASSERT_EQ(0, gomem_pallocbits_summarize(b));
	/* every single free page, and every single used page */
	for (i = 0; i < CHUNK_PAGES; i++) {
		memset(b, 0xff, sizeof(b));
		put_bit(b, i, false);
		ASSERT_EQ(gomem_psum_pack(i == 0, 1, i == CHUNK_PAGES - 1),
			  gomem_pallocbits_summarize(b));
		memset(b, 0, sizeof(b));
		put_bit(b, i, true);
		ASSERT_EQ(brute_summarize(b), gomem_pallocbits_summarize(b));
	}
	for (k = 0; k < 50000; k++) {
		random_bitmap(b, CHUNK_PAGES);
		want = brute_summarize(b);
		got = gomem_pallocbits_summarize(b);
		if (want != got)
			TH_LOG("case %u: got (%u,%u,%u) want (%u,%u,%u)", k,
			       gomem_psum_start(got), gomem_psum_max(got), gomem_psum_end(got),
			       gomem_psum_start(want), gomem_psum_max(want),
			       gomem_psum_end(want));
		ASSERT_EQ(want, got);
	}
}

TEST(find_bit_range64)
{
	unsigned int k, n, i, want, got, run;
	u64 c;

	seed_rng();
	for (k = 0; k < 100000; k++) {
		c = k < 64 ? ~0ULL << k : rnd() | rnd();
		if (k % 3 == 0)
			c &= rnd();
		n = 1 + rnd_below(64);
		want = 64;
		run = 0;
		for (i = 0; i < 64; i++) {
			run = (c >> i) & 1 ? run + 1 : 0;
			if (run >= n) {
				want = i + 1 - n;
				break;
			}
		}
		got = gomem_find_bit_range64(c, n);
		if (want == 64 && got > 64)
			got = 64;	/* "64 or more" means none */
		ASSERT_EQ(want, got);
	}
}

TEST(pallocbits_find)
{
	unsigned long b[CHUNK_WORDS];
	unsigned int k, n, s, ff, want, got, first;

	TH_LOG("seed %#llx", (unsigned long long)seed_rng());
	for (k = 0; k < 100000; k++) {
		random_bitmap(b, CHUNK_PAGES);
		/* sizes 1..512, skewed small */
		switch (rnd_below(4)) {
		case 0:
			n = 1;
			break;
		case 1:
			n = 2 + rnd_below(63);
			break;
		case 2:
			n = 65 + rnd_below(CHUNK_PAGES - 64);
			break;
		default:
			n = 1 + rnd_below(1 + rnd_below(CHUNK_PAGES));
		}
		/* the search index respects "no free page below it" */
		first = brute_find(b, 1);
		s = first == GOMEM_PALLOC_NONE ? rnd_below(CHUNK_PAGES) :
						 rnd_below(first + 1);
		want = brute_find(b, n);
		got = gomem_pallocbits_find(b, n, s, &ff);
		if (want != got)
			TH_LOG("case %u: n %u search %u: got %u want %u", k, n, s, got, want);
		ASSERT_EQ(want, got);
		/* the first free page met, when a run was found */
		ASSERT_EQ(first, got == GOMEM_PALLOC_NONE ? first : ff);
	}
	/* out-of-range requests */
	memset(b, 0, sizeof(b));
	ASSERT_EQ(0, gomem_pallocbits_find(b, CHUNK_PAGES, 0, &ff));
	ASSERT_EQ(GOMEM_PALLOC_NONE, gomem_pallocbits_find(b, CHUNK_PAGES + 1, 0, &ff));
	ASSERT_EQ(GOMEM_PALLOC_NONE, gomem_pallocbits_find(b, 0, 0, &ff));
}

/* lowest i, a multiple of @align, with [i, i + n) free in the chunk */
static unsigned int brute_find_aligned(const unsigned long *b, unsigned int n,
				       unsigned int align)
{
	unsigned int i, j;

	for (i = 0; i + n <= CHUNK_PAGES; i += align) {
		for (j = i; j < i + n && !bit(b, j); j++)
			;
		if (j == i + n)
			return i;
	}
	return GOMEM_PALLOC_NONE;
}

/*
 * The aligned search of one bitmap against brute force: every alignment
 * from 2 to 512 pages, run lengths below, at and above it, random
 * bitmaps; and refused arguments.
 */
TEST(pallocbits_find_aligned)
{
	unsigned long b[CHUNK_WORDS];
	unsigned int k, n, align, want, got, found = 0;

	TH_LOG("seed %#llx", (unsigned long long)seed_rng());
	for (k = 0; k < 100000; k++) {
		random_bitmap(b, CHUNK_PAGES);
		align = 1U << (1 + rnd_below(9));
		switch (rnd_below(3)) {
		case 0:
			n = align;	/* kmalloc's power-of-two case */
			break;
		case 1:
			n = 1 + rnd_below(align);
			break;
		default:
			n = 1 + rnd_below(CHUNK_PAGES);
		}
		want = brute_find_aligned(b, n, align);
		got = gomem_pallocbits_find_aligned(b, n, align);
		if (want != got)
			TH_LOG("case %u: n %u align %u: got %u want %u", k, n, align, got, want);
		ASSERT_EQ(want, got);
		found += got != GOMEM_PALLOC_NONE;
	}
	/* both outcomes were exercised */
	ASSERT_GT(found, 10000);
	ASSERT_LT(found, 90000);
	memset(b, 0, sizeof(b));
	ASSERT_EQ(0, gomem_pallocbits_find_aligned(b, CHUNK_PAGES, CHUNK_PAGES));
	ASSERT_EQ(GOMEM_PALLOC_NONE, gomem_pallocbits_find_aligned(b, CHUNK_PAGES + 1, 2));
	ASSERT_EQ(GOMEM_PALLOC_NONE, gomem_pallocbits_find_aligned(b, 0, 2));
	ASSERT_EQ(GOMEM_PALLOC_NONE, gomem_pallocbits_find_aligned(b, 1, 3));
	ASSERT_EQ(GOMEM_PALLOC_NONE, gomem_pallocbits_find_aligned(b, 1, 0));
	ASSERT_EQ(GOMEM_PALLOC_NONE, gomem_pallocbits_find_aligned(b, 1, 1024));
	/* page 0 in use: a 512-aligned run cannot exist, a 256-aligned one can */
	put_bit(b, 0, true);
	ASSERT_EQ(GOMEM_PALLOC_NONE, gomem_pallocbits_find_aligned(b, 1, CHUNK_PAGES));
	ASSERT_EQ(256, gomem_pallocbits_find_aligned(b, 256, 256));
	ASSERT_EQ(GOMEM_PALLOC_NONE, gomem_pallocbits_find_aligned(b, 257, 256));
}

TEST(pallocbits_ranges)
{
	unsigned long b[CHUNK_WORDS], ref[CHUNK_WORDS];
	unsigned int k, i, n, j, cnt;

	seed_rng();
	for (k = 0; k < 50000; k++) {
		random_bitmap(b, CHUNK_PAGES);
		memcpy(ref, b, sizeof(b));
		i = rnd_below(CHUNK_PAGES);
		n = rnd_below(CHUNK_PAGES - i + 1);
		j = 1 + rnd_below(70);	/* min() may evaluate twice */
		if (k & 1)
			n = min(n, j);
		for (cnt = 0, j = i; j < i + n; j++)
			cnt += bit(b, j);
		ASSERT_EQ(cnt, gomem_pallocbits_count_set(b, i, n));
		ASSERT_EQ(n - cnt, gomem_pallocbits_count_free(b, i, n));
		if (rnd() & 1) {
			gomem_pallocbits_set_range(b, i, n);
			for (j = i; j < i + n; j++)
				put_bit(ref, j, true);
		} else {
			gomem_pallocbits_clear_range(b, i, n);
			for (j = i; j < i + n; j++)
				put_bit(ref, j, false);
		}
		ASSERT_EQ(0, memcmp(ref, b, sizeof(b)));
	}
}

/* ---- the reference model ---- */

#define REF_SLOTS	64			/* chunks in the region */
#define REF_BITS	(REF_SLOTS * CHUNK_PAGES)
#define REF_WORDS	(REF_BITS / 64)
#define REF_MAX_BLOCKS	(REF_SLOTS * CHUNK_PAGES / 8)

struct ref_block {
	unsigned int slot, first, n;
	bool grown;
};

struct live {
	unsigned long addr, n;
};

struct ref_state {
	struct gomem_pagealloc pa;
	unsigned long region;			/* address of slot 0 */
	unsigned long bits[REF_WORDS];		/* 1 = in use or not held */
	unsigned long free_pages;
	struct ref_block blocks[REF_MAX_BLOCKS];
	unsigned int nblocks;
	struct live *live;
	unsigned long nlive;
	/* statistics */
	unsigned long allocs, frees, fails, grows, shrinks, spanning, big;
};

FIXTURE(refmodel) {
	struct ref_state *rs;
};

FIXTURE_SETUP(refmodel)
{
	struct ref_state *rs = calloc(1, sizeof(*rs));

	ASSERT_NE(NULL, rs);
	self->rs = rs;
	ASSERT_EQ(0, gomem_arena_init());
	ASSERT_EQ(0, gomem_pagealloc_init(&rs->pa));
	rs->region = reserve_chunks(REF_SLOTS, REF_SLOTS / 2 - 3);
	ASSERT_NE(0, rs->region);
	memset(rs->bits, 0xff, sizeof(rs->bits));
	rs->live = calloc(REF_BITS, sizeof(*rs->live));
	ASSERT_NE(NULL, rs->live);
}

FIXTURE_TEARDOWN(refmodel)
{
	free(self->rs->live);
	gomem_pagealloc_destroy(&self->rs->pa);
	free(self->rs);
	free_chunks();
	gomem_arena_exit();
}

static unsigned long ref_addr(struct ref_state *rs, unsigned long bitno)
{
	return rs->region + bitno * PG;
}

/* The lowest run of @n free pages in the plain bitmap, by runs; 0 if none. */
static unsigned long ref_find(struct ref_state *rs, unsigned long n)
{
	unsigned long run = 0, start = 0, w;
	unsigned int b, e;
	u64 x, mask;

	for (w = 0; w < REF_WORDS; w++) {
		x = rs->bits[w];
		b = 0;
		while (b < 64) {
			mask = ~0ULL << b;
			if (!((x >> b) & 1)) {
				/* a free run from b to the next used bit */
				e = x & mask ? __builtin_ctzll(x & mask) : 64;
				if (!run)
					start = w * 64 + b;
				run += e - b;
				if (run >= n)
					return ref_addr(rs, start);
				b = e;
			} else {
				run = 0;
				if (!(~x & mask))
					break;
				b = __builtin_ctzll(~x & mask);
			}
		}
	}
	return 0;
}

/* The same by brute force, to validate ref_find() itself. */
static unsigned long ref_find_slow(struct ref_state *rs, unsigned long n)
{
	unsigned long i, run = 0;

	for (i = 0; i < REF_BITS; i++) {
		run = bit(rs->bits, i) ? 0 : run + 1;
		if (run >= n)
			return ref_addr(rs, i + 1 - n);
	}
	return 0;
}

static void ref_set(struct ref_state *rs, unsigned long addr,
		    unsigned long n, bool used)
{
	unsigned long i = (addr - rs->region) / PG, end = i + n;

	for (; i < end; i++)
		put_bit(rs->bits, i, used);
	if (used)
		rs->free_pages -= n;
	else
		rs->free_pages += n;
}

static bool ref_range_free(struct ref_state *rs, unsigned long i,
			   unsigned long n)
{
	for (; n; n--, i++)
		if (bit(rs->bits, i))
			return false;
	return true;
}

/*
 * The plan: every slot is a gap (never held), a whole chunk, or a set of
 * buddy-aligned blocks of 8..256 pages, some of them missing.
 */
static void make_plan(struct ref_state *rs)
{
	unsigned int slot, sp, first, n, r;
	unsigned int stack[64][2];

	rs->nblocks = 0;
	for (slot = 0; slot < REF_SLOTS; slot++) {
		r = rnd_below(10);
		if (r == 0)
			continue;
		if (r <= 5) {
			rs->blocks[rs->nblocks++] =
				(struct ref_block){ slot, 0, CHUNK_PAGES, false };
			continue;
		}
		sp = 0;
		stack[sp][0] = 0;
		stack[sp++][1] = CHUNK_PAGES;
		while (sp) {
			sp--;
			first = stack[sp][0];
			n = stack[sp][1];
			if (n > 8 && (n == CHUNK_PAGES || rnd_below(3))) {
				stack[sp][0] = first;
				stack[sp++][1] = n / 2;
				stack[sp][0] = first + n / 2;
				stack[sp++][1] = n / 2;
				continue;
			}
			if (rnd_below(3))
				rs->blocks[rs->nblocks++] =
					(struct ref_block){ slot, first, n, false };
		}
	}
}

static unsigned long block_addr(struct ref_state *rs, struct ref_block *b)
{
	return rs->region + (unsigned long)b->slot * GOMEM_CHUNK_SIZE +
	       (unsigned long)b->first * PG;
}

/* Grow a random block not grown yet; false when all are. */
static bool grow_one(struct __test_metadata *_metadata, struct ref_state *rs)
{
	unsigned int k, i, start = rnd_below(rs->nblocks);
	struct ref_block *b;

	for (k = 0; k < rs->nblocks; k++) {
		i = (start + k) % rs->nblocks;
		b = &rs->blocks[i];
		if (b->grown)
			continue;
		EXPECT_EQ(0, hold(&rs->pa, 0, block_addr(rs, b), b->n));
		b->grown = true;
		ref_set(rs, block_addr(rs, b), b->n, false);
		rs->grows++;
		return true;
	}
	return false;
}

/* Release block @i if it is wholly free; true when it was. */
static bool shrink_block(struct ref_state *rs, unsigned int i)
{
	struct ref_block *b = &rs->blocks[i];
	unsigned long addr = block_addr(rs, b);

	if (!b->grown || !ref_range_free(rs, (addr - rs->region) / PG, b->n))
		return false;
	release(&rs->pa, addr, b->n);
	ref_set(rs, addr, b->n, true);
	b->grown = false;
	rs->shrinks++;
	return true;
}

static unsigned long random_npages(void)
{
	unsigned long r = rnd_below(1000);

	if (r < 500)
		return 1 + rnd_below(4);
	if (r < 750)
		return 5 + rnd_below(28);
	if (r < 900)
		return 33 + rnd_below(96);
	if (r < 975)
		return 129 + rnd_below(384);
	return 513 + rnd_below(1024);		/* always spans chunks */
}

static void free_live(struct ref_state *rs, unsigned long k)
{
	struct live l = rs->live[k];

	gomem_pagealloc_free(&rs->pa, l.addr, l.n);
	ref_set(rs, l.addr, l.n, false);
	rs->live[k] = rs->live[--rs->nlive];
	rs->frees++;
}

/* gomem_pagealloc_check() plus every chunk bitmap against the reference. */
static void verify(struct __test_metadata *_metadata, struct ref_state *rs,
		   unsigned long op)
{
	unsigned long ci = rs->region >> GOMEM_CHUNK_SHIFT;
	struct gomem_chunk *c;
	unsigned int slot, w;

	if (gomem_pagealloc_check(&rs->pa))
		TH_LOG("check failed after op %lu", op);
	ASSERT_EQ(0, gomem_pagealloc_check(&rs->pa));
	ASSERT_EQ(rs->free_pages, rs->pa.free_pages);
	for (slot = 0; slot < REF_SLOTS; slot++) {
		c = gomem_chunk_lookup(ci + slot);
		for (w = 0; w < CHUNK_WORDS; w++) {
			unsigned long want = rs->bits[slot * CHUNK_WORDS + w];

			if (!c) {
				ASSERT_EQ(~0UL, want);
				continue;
			}
			if (want != c->alloc[w])
				TH_LOG("op %lu: slot %u word %u: %#lx, want %#lx",
				       op, slot, w, c->alloc[w], want);
			ASSERT_EQ(want, c->alloc[w]);
		}
	}
}

/* Free everything, release every block, and see that nothing is left. */
static void drain(struct __test_metadata *_metadata, struct ref_state *rs,
		  unsigned long op)
{
	unsigned int i;

	while (rs->nlive)
		free_live(rs, rnd_below(rs->nlive));
	verify(_metadata, rs, op);
	ASSERT_EQ(rs->pa.held_pages, rs->pa.free_pages);
	for (i = 0; i < rs->nblocks; i++) {
		ASSERT_TRUE(!rs->blocks[i].grown || shrink_block(rs, i));
		ASSERT_EQ(0, i % 16 ? 0 : gomem_pagealloc_check(&rs->pa));
	}
	verify(_metadata, rs, op);
	ASSERT_EQ(0, rs->pa.free_pages);
	ASSERT_EQ(0, rs->pa.held_pages);
	ASSERT_TRUE(summaries_zero(&rs->pa, rs->region, REF_SLOTS));
	ASSERT_EQ(0, gomem_pagealloc_alloc(&rs->pa, 1));
}

/*
 * After operation @op: now and then a block released, the whole state
 * verified every 1000 operations, everything drained every @drain_every.
 */
static void housekeeping(struct __test_metadata *_metadata, struct ref_state *rs,
			 unsigned long op, unsigned long drain_every)
{
	if (rnd_below(200) == 0)
		shrink_block(rs, rnd_below(rs->nblocks));
	if (op % 1000 == 999)
		verify(_metadata, rs, op);
	if (op % drain_every == drain_every - 1)
		drain(_metadata, rs, op);
}

TEST_F_TIMEOUT(refmodel, random_ops, 300)
{
	struct ref_state *rs = self->rs;
	unsigned long nops = 1000000, op, n, addr, want, k, held_max = 0, pct = 55;
	const char *s = getenv("GOMEM_PA_OPS");
	u64 t0 = shim_ns();

	if (s)
		nops = strtoul(s, NULL, 0);
	TH_LOG("seed %#llx, %lu operations", (unsigned long long)seed_rng(), nops);

	/* first the reference against brute force */
	for (k = 0; k < 300; k++) {
		random_bitmap(rs->bits, REF_BITS);
		n = 1 + rnd_below(k % 2 ? 64 : 2048);
		ASSERT_EQ(ref_find_slow(rs, n), ref_find(rs, n));
	}
	memset(rs->bits, 0xff, sizeof(rs->bits));

	make_plan(rs);
	TH_LOG("%u blocks in %d chunk slots at %#lx", rs->nblocks, REF_SLOTS,
	       rs->region);
	ASSERT_GT(rs->nblocks, 0);
	for (op = 0; op < nops; op++) {
		/* each epoch its own pressure: sparse, balanced, or full heaps */
		if (op % 100000 == 0)
			pct = 45 + rnd_below(16);
		if (!rs->nlive || rnd_below(100) < pct) {
			n = random_npages();
			addr = gomem_pagealloc_alloc(&rs->pa, n);
			want = ref_find(rs, n);
			if (addr != want)
				TH_LOG("op %lu: alloc(%lu) = %#lx, want %#lx (region %#lx)",
				       op, n, addr, want, rs->region);
			ASSERT_EQ(want, addr);
			if (addr) {
				ref_set(rs, addr, n, true);
				rs->live[rs->nlive++] = (struct live){ addr, n };
				rs->allocs++;
				if (gomem_chunk_index(addr) !=
				    gomem_chunk_index(addr + n * PG - 1))
					rs->spanning++;
				if (n > CHUNK_PAGES)
					rs->big++;
			} else {
				rs->fails++;
				if (!grow_one(_metadata, rs)) {
					/* everything is held: make room */
					for (k = rs->nlive / 8 + 1; k && rs->nlive; k--)
						free_live(rs, rnd_below(rs->nlive));
				}
			}
		} else {
			free_live(rs, rnd_below(rs->nlive));
		}
		held_max = max(held_max, rs->pa.held_pages);
		housekeeping(_metadata, rs, op, 100000);
	}
	verify(_metadata, rs, op);
	TH_LOG("%lu allocs (%lu span chunks, %lu > 512 pages), %lu frees, %lu failed",
	       rs->allocs, rs->spanning, rs->big, rs->frees, rs->fails);
	TH_LOG("%lu grows, %lu shrinks, at most %lu pages held; %.1f s",
	       rs->grows, rs->shrinks, held_max, (shim_ns() - t0) / 1e9);
	/* the run really covered what it is meant to */
	if (nops >= 100000) {
		ASSERT_GT(rs->spanning, 100);
		ASSERT_GT(rs->big, 10);
		ASSERT_GT(rs->shrinks, 100);
		ASSERT_GT(rs->grows, 100);
	}
}

/*
 * The lowest run of @n free pages at a multiple of @align inside one
 * chunk, from the plain bitmap, run by run; 0 if none.
 */
static unsigned long ref_find_aligned(struct ref_state *rs, unsigned long n,
				      unsigned long align)
{
	unsigned long s, e = 0, a, slot;
	unsigned long *b;

	for (slot = 0; slot < REF_SLOTS; slot++) {
		b = rs->bits + slot * CHUNK_WORDS;
		for (s = find_next_zero_bit(b, CHUNK_PAGES, 0); s < CHUNK_PAGES;
		     s = find_next_zero_bit(b, CHUNK_PAGES, e)) {
			e = find_next_bit(b, CHUNK_PAGES, s);
			a = ALIGN(s, align);
			if (a + n <= e)
				return ref_addr(rs, slot * CHUNK_PAGES + a);
		}
	}
	return 0;
}

/* an aligned request: kmalloc's (n == align, 2..512), or any n and align */
static void random_aligned(unsigned long *n, unsigned long *align)
{
	*align = 1UL << (1 + rnd_below(9));
	if (rnd_below(3))
		*n = *align;
	else
		*n = 1 + rnd_below(rnd_below(2) ? *align : CHUNK_PAGES);
}

/*
 * gomem_pagealloc_alloc_aligned() in the reference model, mixed with
 * ordinary allocations, frees, growth and shrinking: every aligned result
 * is exactly the lowest aligned run inside a chunk (the reference's), or,
 * when the allocation fell back (align_fallbacks moved: the probe budget
 * ran out), the aligned start of the lowest run of n + align - 1 pages;
 * 0 only when that does not exist either. The bitmaps and summaries are
 * checked as in random_ops.
 */
TEST_F_TIMEOUT(refmodel, aligned_ops, 300)
{
	struct ref_state *rs = self->rs;
	unsigned long nops = 200000, op, n, align, addr, want, k, fb, pct = 55;
	unsigned long aligned = 0, exact = 0, fallbacks = 0, fails = 0;
	const char *s = getenv("GOMEM_PA_OPS");

	if (s)
		nops = strtoul(s, NULL, 0);
	TH_LOG("seed %#llx, %lu operations", (unsigned long long)seed_rng(), nops);
	make_plan(rs);
	ASSERT_GT(rs->nblocks, 0);
	for (op = 0; op < nops; op++) {
		if (op % 20000 == 0)
			pct = 45 + rnd_below(16);
		if (rs->nlive && rnd_below(100) >= pct) {
			free_live(rs, rnd_below(rs->nlive));
		} else {
			if (rnd_below(2)) {
				n = random_npages();
				addr = gomem_pagealloc_alloc(&rs->pa, n);
				ASSERT_EQ(ref_find(rs, n), addr);
			} else {
				random_aligned(&n, &align);
				fb = rs->pa.align_fallbacks;
				addr = gomem_pagealloc_alloc_aligned(&rs->pa, n, align, 0);
				if (rs->pa.align_fallbacks == fb) {
					want = ref_find_aligned(rs, n, align);
				} else {
					fallbacks++;
					want = ref_find(rs, n + align - 1);
					if (want)
						want = ALIGN(want, align * PG);
				}
				if (addr != want)
					TH_LOG("op %lu: alloc_aligned(%lu, %lu) = %#lx, want %#lx%s",
					       op, n, align, addr, want,
					       rs->pa.align_fallbacks == fb ? "" : " (fallback)");
				ASSERT_EQ(want, addr);
				if (addr) {
					ASSERT_EQ(0, (addr / PG) % align);
					aligned++;
					exact += rs->pa.align_fallbacks == fb;
				}
			}
			if (addr) {
				ref_set(rs, addr, n, true);
				rs->live[rs->nlive++] = (struct live){ addr, n };
				rs->allocs++;
			} else {
				fails++;
				if (!grow_one(_metadata, rs)) {
					for (k = rs->nlive / 8 + 1; k && rs->nlive; k--)
						free_live(rs, rnd_below(rs->nlive));
				}
			}
		}
		housekeeping(_metadata, rs, op, 50000);
	}
	verify(_metadata, rs, op);
	TH_LOG("%lu aligned allocations: %lu exact, %lu after a fallback; %lu failed",
	       aligned, exact, aligned - exact, fails);
	if (nops >= 100000) {
		ASSERT_GT(exact, 1000);
		ASSERT_GT(fallbacks, 10);
	}
}

/* ---- layouts at chosen addresses ---- */

FIXTURE(layout) {
	struct gomem_pagealloc pa[2];
	unsigned long region;
};

FIXTURE_SETUP(layout)
{
	ASSERT_EQ(0, gomem_arena_init());
	ASSERT_EQ(0, gomem_pagealloc_init(&self->pa[0]));
	ASSERT_EQ(0, gomem_pagealloc_init(&self->pa[1]));
	self->region = reserve_chunks(16, 2);
	ASSERT_NE(0, self->region);
}

FIXTURE_TEARDOWN(layout)
{
	gomem_pagealloc_destroy(&self->pa[0]);
	gomem_pagealloc_destroy(&self->pa[1]);
	free_chunks();
	gomem_arena_exit();
}

#define at(self, slot, page)	\
	((self)->region + (slot) * GOMEM_CHUNK_SIZE + (unsigned long)(page) * PG)

/*
 * Partially held chunks: runs never include pages that are not held, and a
 * request larger than every held run fails.
 */
TEST_F(layout, fragmented)
{
	struct gomem_pagealloc *pa = &self->pa[0];
	unsigned long a;
	unsigned int i;

	/* slot 0: [0, 64) and [128, 320) as two adjacent blocks */
	ASSERT_EQ(0, hold(pa, 0, at(self, 0, 0), 64));
	ASSERT_EQ(0, hold(pa, 0, at(self, 0, 128), 128));
	ASSERT_EQ(0, hold(pa, 0, at(self, 0, 256), 64));
	/* slot 0 [448, 512) + slot 1 [0, 64): a run of 128 over the boundary */
	ASSERT_EQ(0, hold(pa, 0, at(self, 0, 448), 64));
	ASSERT_EQ(0, hold(pa, 0, at(self, 1, 0), 64));
	/* slot 3 whole, slot 5 whole: not adjacent */
	ASSERT_EQ(0, hold(pa, 0, at(self, 3, 0), 512));
	ASSERT_EQ(0, hold(pa, 0, at(self, 5, 0), 512));
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	ASSERT_EQ(64 + 192 + 128 + 1024, pa->free_pages);

	/* nothing held is larger than 512 */
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, 513));
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, 1024));
	/* 192 > 128 > 64: the first fit is the adjacent pair of blocks */
	ASSERT_EQ(at(self, 0, 128), gomem_pagealloc_alloc(pa, 150));
	/* 65..128: only the run over the chunk boundary is left below slot 3 */
	ASSERT_EQ(at(self, 0, 448), gomem_pagealloc_alloc(pa, 100));
	/* free: 64 @0:0, 42 @0:278, 28 @1:36, 512 @3:0, 512 @5:0 */
	ASSERT_EQ(at(self, 3, 0), gomem_pagealloc_alloc(pa, 65));
	ASSERT_EQ(at(self, 0, 0), gomem_pagealloc_alloc(pa, 43));
	ASSERT_EQ(at(self, 0, 278), gomem_pagealloc_alloc(pa, 42));
	/* free: 21 @0:43, 28 @1:36, 447 @3:65, 512 @5:0 */
	ASSERT_EQ(at(self, 1, 36), gomem_pagealloc_alloc(pa, 22));
	ASSERT_EQ(at(self, 0, 43), gomem_pagealloc_alloc(pa, 21));
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	/* free: 6 @1:58, 447 @3:65, 512 @5:0 */
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, 513));
	ASSERT_EQ(at(self, 5, 0), gomem_pagealloc_alloc(pa, 448));
	ASSERT_EQ(at(self, 3, 65), gomem_pagealloc_alloc(pa, 447));
	ASSERT_EQ(at(self, 5, 448), gomem_pagealloc_alloc(pa, 7));
	ASSERT_EQ(at(self, 1, 58), gomem_pagealloc_alloc(pa, 6));
	ASSERT_EQ(at(self, 5, 455), gomem_pagealloc_alloc(pa, 57));
	ASSERT_EQ(0, pa->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, 1));
	ASSERT_EQ(0, gomem_pagealloc_check(pa));

	/* hold slot 4: slots 3, 4 and 5 touch; a run over three chunks */
	ASSERT_EQ(0, hold(pa, 0, at(self, 4, 0), 512));
	gomem_pagealloc_free(pa, at(self, 3, 65), 447);
	gomem_pagealloc_free(pa, at(self, 5, 0), 448);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	ASSERT_EQ(447 + 512 + 448, pa->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, 447 + 512 + 448 + 1));
	ASSERT_EQ(at(self, 3, 65), gomem_pagealloc_alloc(pa, 447 + 512 + 448));
	ASSERT_EQ(0, pa->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));

	/* every page one by one: all held, none twice */
	gomem_pagealloc_free(pa, at(self, 3, 65), 447 + 512 + 448);
	for (i = 0; i < 447 + 512 + 448; i++) {
		a = gomem_pagealloc_alloc(pa, 1);
		ASSERT_EQ(at(self, 3, 65 + i), a);
	}
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, 1));
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
}

/*
 * Two instances (two nodes) share the arena index: each sees only its own
 * chunks, even when the chunks of the other are adjacent to its own.
 */
TEST_F(layout, two_nodes_adjacent)
{
	struct gomem_pagealloc *p0 = &self->pa[0], *p1 = &self->pa[1];
	unsigned int i;
	int err = 0;

	for (i = 0; i < 4; i++)
		err |= hold(&self->pa[i % 2], i % 2, at(self, i, 0), 512);
	ASSERT_EQ(0, err);
	ASSERT_EQ(1024, p0->free_pages);
	ASSERT_EQ(1024, p1->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_alloc(p0, 513));
	ASSERT_EQ(0, gomem_pagealloc_alloc(p1, 513));
	ASSERT_EQ(at(self, 1, 0), gomem_pagealloc_alloc(p1, 1));
	ASSERT_EQ(at(self, 0, 0), gomem_pagealloc_alloc(p0, 512));
	ASSERT_EQ(at(self, 2, 0), gomem_pagealloc_alloc(p0, 300));
	ASSERT_EQ(at(self, 1, 1), gomem_pagealloc_alloc(p1, 511));
	ASSERT_EQ(at(self, 2, 300), gomem_pagealloc_alloc(p0, 212));
	ASSERT_EQ(0, gomem_pagealloc_alloc(p0, 1));
	ASSERT_EQ(at(self, 3, 0), gomem_pagealloc_alloc(p1, 2));
	ASSERT_EQ(0, gomem_pagealloc_check(p0));
	ASSERT_EQ(0, gomem_pagealloc_check(p1));

	/* a node's free cannot touch the other node's pages */
	shim_quiet = 1;
	gomem_pagealloc_free(p0, at(self, 1, 0), 1);
	gomem_pagealloc_free(p0, at(self, 0, 511), 2);
	shim_quiet = 0;
	ASSERT_EQ(0, p0->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_check(p0));
	ASSERT_EQ(0, gomem_pagealloc_check(p1));

	gomem_pagealloc_free(p0, at(self, 0, 0), 512);
	gomem_pagealloc_free(p0, at(self, 2, 0), 300);
	gomem_pagealloc_free(p0, at(self, 2, 300), 212);
	gomem_pagealloc_free(p1, at(self, 1, 0), 1);
	gomem_pagealloc_free(p1, at(self, 1, 1), 511);
	gomem_pagealloc_free(p1, at(self, 3, 0), 2);
	ASSERT_EQ(0, gomem_pagealloc_check(p0));
	ASSERT_EQ(0, gomem_pagealloc_check(p1));
	for (i = 0; i < 4; i++)
		release(&self->pa[i % 2], at(self, i, 0), 512);
	ASSERT_EQ(0, p0->held_pages);
	ASSERT_EQ(0, p1->held_pages);
	ASSERT_TRUE(summaries_zero(p0, self->region, 16));
	ASSERT_TRUE(summaries_zero(p1, self->region, 16));
	ASSERT_EQ(0, gomem_pagealloc_check(p0));
	ASSERT_EQ(0, gomem_pagealloc_check(p1));
}

/*
 * Aligned runs: the lowest aligned run in a chunk, every alignment up to a
 * chunk; the pages around it stay free; no aligned run means failure even
 * with enough free pages; a run across two chunks only through the
 * overallocated search (align_fallbacks).
 */
TEST_F(layout, aligned)
{
	struct gomem_pagealloc *pa = &self->pa[0];

	ASSERT_EQ(0, hold(pa, 0, at(self, 0, 0), 512));
	ASSERT_EQ(at(self, 0, 0), gomem_pagealloc_alloc(pa, 1));
	ASSERT_EQ(at(self, 0, 2), gomem_pagealloc_alloc_aligned(pa, 2, 2, 0));
	ASSERT_EQ(at(self, 0, 4), gomem_pagealloc_alloc_aligned(pa, 4, 4, 0));
	ASSERT_EQ(at(self, 0, 8), gomem_pagealloc_alloc_aligned(pa, 1, 8, 0));
	ASSERT_EQ(at(self, 0, 16), gomem_pagealloc_alloc_aligned(pa, 3, 16, 0));
	ASSERT_EQ(at(self, 0, 256), gomem_pagealloc_alloc_aligned(pa, 256, 256, 0));
	ASSERT_EQ(0, gomem_pagealloc_alloc_aligned(pa, 512, 512, 0));
	/* align 1 is the ordinary allocation; bad alignments are refused */
	ASSERT_EQ(at(self, 0, 1), gomem_pagealloc_alloc_aligned(pa, 1, 1, 0));
	ASSERT_EQ(0, gomem_pagealloc_alloc_aligned(pa, 1, 3, 0));
	ASSERT_EQ(0, gomem_pagealloc_alloc_aligned(pa, 1, 1024, 0));
	ASSERT_EQ(0, gomem_pagealloc_alloc_aligned(pa, 513, 2, 0));
	/* the holes stay free: 9..15 and 19..255 */
	ASSERT_EQ(at(self, 0, 9), gomem_pagealloc_alloc(pa, 7));
	ASSERT_EQ(at(self, 0, 19), gomem_pagealloc_alloc(pa, 237));
	ASSERT_EQ(0, pa->free_pages);
	ASSERT_EQ(0, pa->align_fallbacks);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));

	/* slot 14: pages 1..3 free, no 4-aligned page among them */
	ASSERT_EQ(0, hold(pa, 0, at(self, 14, 1), 3));
	ASSERT_EQ(0, gomem_pagealloc_alloc_aligned(pa, 4, 4, 0));
	ASSERT_EQ(0, gomem_pagealloc_alloc_aligned(pa, 2, 4, 0));
	ASSERT_EQ(0, gomem_pagealloc_alloc_aligned(pa, 1, 4, 0));
	ASSERT_EQ(0, gomem_pagealloc_alloc_aligned(pa, 3, 2, 0));
	ASSERT_EQ(3, pa->free_pages);
	ASSERT_EQ(at(self, 14, 2), gomem_pagealloc_alloc_aligned(pa, 2, 2, 0));
	ASSERT_EQ(at(self, 14, 1), gomem_pagealloc_alloc(pa, 1));
	ASSERT_EQ(0, gomem_pagealloc_check(pa));

	/* slots 4 and 5: a run of 128 over the chunk boundary, at page 448 */
	ASSERT_EQ(0, hold(pa, 0, at(self, 4, 448), 64));
	ASSERT_EQ(0, hold(pa, 0, at(self, 5, 0), 64));
	ASSERT_EQ(0, gomem_pagealloc_alloc_aligned(pa, 128, 128, 0));
	pa->align_fallbacks = 0;
	ASSERT_EQ(at(self, 4, 448), gomem_pagealloc_alloc_aligned(pa, 96, 32, 0));
	ASSERT_EQ(1, pa->align_fallbacks);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	gomem_pagealloc_free(pa, at(self, 4, 448), 96);
	ASSERT_EQ(at(self, 4, 448), gomem_pagealloc_alloc_aligned(pa, 64, 64, 0));
	ASSERT_EQ(at(self, 5, 0), gomem_pagealloc_alloc_aligned(pa, 64, 64, 0));
	ASSERT_EQ(1, pa->align_fallbacks);
	ASSERT_EQ(0, pa->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
}

/*
 * A summary entry whose longest run crosses its children, none of which
 * holds the run: the walk leaves it (a dead end) for the next entry with
 * a chunk that fits. The run across the chunks is still found by the
 * overallocated search once nothing else fits.
 */
TEST_F(layout, aligned_dead_end)
{
	struct gomem_pagealloc *pa = &self->pa[0];
	unsigned long ci = self->region >> GOMEM_CHUNK_SHIFT;
	/* slot b starts an entry of level 3 (8 chunks): b + 8 starts the next */
	unsigned int b = (8 - ci % 8) % 8;

	ASSERT_EQ(0, hold(pa, 0, at(self, b, 448), 64));
	ASSERT_EQ(0, hold(pa, 0, at(self, b + 1, 0), 64));
	ASSERT_EQ(0, hold(pa, 0, at(self, b + 8, 0), 512));
	ASSERT_EQ(128, gomem_psum_max(gomem_pagealloc_sum(pa, GOMEM_SUM_LEVELS - 2,
							  (ci + b) >> 3)));
	ASSERT_EQ(at(self, b + 8, 0), gomem_pagealloc_alloc_aligned(pa, 100, 4, 0));
	ASSERT_EQ(0, pa->align_fallbacks);
	ASSERT_EQ(at(self, b + 8, 100), gomem_pagealloc_alloc(pa, 412));
	ASSERT_EQ(at(self, b, 448), gomem_pagealloc_alloc_aligned(pa, 100, 4, 0));
	ASSERT_EQ(1, pa->align_fallbacks);
	ASSERT_EQ(28, pa->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
}

/*
 * The probes are bounded: GOMEM_ALIGN_PROBES chunks whose longest run fits
 * but holds no aligned run, then the overallocated search, which misses an
 * exact aligned fit further on; one such chunk fewer and the probes reach
 * it. The chunk of the hint is probed first.
 */
TEST_F(layout, aligned_probe_budget)
{
	struct gomem_pagealloc *pa = &self->pa[0];
	unsigned int i;

	/* slots 0..7: pages 1 and 2 free; slot 8: 2 and 3; slot 9 whole */
	for (i = 0; i < GOMEM_ALIGN_PROBES; i++)
		ASSERT_EQ(0, hold(pa, 0, at(self, i, 1), 2));
	ASSERT_EQ(0, hold(pa, 0, at(self, GOMEM_ALIGN_PROBES, 2), 2));
	ASSERT_EQ(0, hold(pa, 0, at(self, GOMEM_ALIGN_PROBES + 1, 0), 512));
	ASSERT_EQ(at(self, GOMEM_ALIGN_PROBES + 1, 0),
		  gomem_pagealloc_alloc_aligned(pa, 2, 2, 0));
	ASSERT_EQ(1, pa->align_fallbacks);
	ASSERT_EQ(at(self, GOMEM_ALIGN_PROBES, 2),
		  gomem_pagealloc_alloc_aligned(pa, 2, 2, at(self, GOMEM_ALIGN_PROBES, 0)));
	ASSERT_EQ(1, pa->align_fallbacks);
	gomem_pagealloc_free(pa, at(self, GOMEM_ALIGN_PROBES, 2), 2);
	/* slot 0 used up: the probes now reach slot 8 */
	ASSERT_EQ(at(self, 0, 1), gomem_pagealloc_alloc(pa, 2));
	ASSERT_EQ(at(self, GOMEM_ALIGN_PROBES, 2),
		  gomem_pagealloc_alloc_aligned(pa, 2, 2, 0));
	ASSERT_EQ(1, pa->align_fallbacks);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
}

/* Bad calls are refused with a warning and change nothing. */
TEST_F(layout, refused)
{
	struct gomem_pagealloc *pa = &self->pa[0], *other = &self->pa[1];
	unsigned long warnings, a, idx;
	struct gomem_chunk *c;
	gomem_psum_t *sum;
	int l, err;

	ASSERT_EQ(0, hold(pa, 0, at(self, 0, 0), 256));
	a = gomem_pagealloc_alloc(pa, 10);
	ASSERT_EQ(at(self, 0, 0), a);
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, 0));

	shim_quiet = 1;
	warnings = shim_warnings;
	gomem_pagealloc_free(pa, at(self, 0, 5), 10);	/* half free */
	gomem_pagealloc_free(pa, at(self, 0, 250), 10);	/* half not held */
	gomem_pagealloc_free(pa, at(self, 7, 0), 1);	/* no chunk */
	gomem_pagealloc_free(pa, at(self, 0, 0) + 1, 1);	/* misaligned */
	gomem_pagealloc_shrink(pa, at(self, 0, 0), 256);	/* in use */
	gomem_pagealloc_grow(pa, at(self, 0, 100), 8);	/* already free */
	/* held but never prepared for this instance */
	c = gomem_chunk_lookup(gomem_chunk_index(at(self, 0, 0)));
	__set_bit(300, c->held);
	gomem_pagealloc_grow(other, at(self, 0, 300), 1);
	__clear_bit(300, c->held);
	/* a chunk of another node */
	ASSERT_EQ(0, hold(other, 1, at(self, 2, 0), 64));
	c = gomem_chunk_lookup(gomem_chunk_index(at(self, 2, 0)));
	__set_bit(64, c->held);
	ASSERT_EQ(0, gomem_pagealloc_prepare(pa, at(self, 2, 64), 1, GFP_KERNEL));
	gomem_pagealloc_grow(pa, at(self, 2, 64), 1);
	__clear_bit(64, c->held);
	shim_quiet = 0;
	ASSERT_LE(warnings + 8, shim_warnings);
	ASSERT_EQ(246, pa->free_pages);
	ASSERT_EQ(256, pa->held_pages);
	ASSERT_EQ(64, other->held_pages);
	ASSERT_EQ(64, other->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	ASSERT_EQ(0, gomem_pagealloc_check(other));

	/* check() notices corruption */
	c = gomem_chunk_lookup(gomem_chunk_index(at(self, 0, 0)));
	shim_quiet = 1;
	c->alloc[3] ^= 1;
	ASSERT_EQ(-EINVAL, gomem_pagealloc_check(pa));
	c->alloc[3] ^= 1;
	c->nfree++;
	ASSERT_EQ(-EINVAL, gomem_pagealloc_check(pa));
	c->nfree--;
	pa->search_addr = at(self, 0, 11);
	ASSERT_EQ(-EINVAL, gomem_pagealloc_check(pa));
	pa->search_addr = at(self, 0, 10);
	for (l = 0; l < GOMEM_SUM_LEVELS - 1; l++) {
		/* an upper summary that disagrees with its children */
		idx = at(self, 0, 0) >> (GOMEM_CHUNK_SHIFT +
					 (GOMEM_SUM_LEVELS - 1 - l) * GOMEM_SUM_LEVEL_BITS);
		sum = &self->pa[0].summary[l][idx / GOMEM_SUM_PAGE_ENTRIES]
					      [idx % GOMEM_SUM_PAGE_ENTRIES];
		ASSERT_NE(0, *sum);
		*sum ^= 1ULL << GOMEM_SUM_FIELD_BITS;
		err = gomem_pagealloc_check(pa);
		*sum ^= 1ULL << GOMEM_SUM_FIELD_BITS;
		ASSERT_EQ(-EINVAL, err);
	}
	shim_quiet = 0;
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
}

/*
 * Runs of millions of pages over several root entries (16 GiB each): the
 * all-free root encoding, runs carried across root entries, and exact
 * lowest fits at that scale.
 */
TEST_F_TIMEOUT(layout, huge_runs, 120)
{
	const unsigned long root_pages = 1UL << GOMEM_SUM_FIELD_BITS;
	const unsigned long nchunks = 2 * (root_pages / CHUNK_PAGES) + 8;
	struct gomem_pagealloc *pa = &self->pa[0];
	unsigned long base, total, root, i, a;
	int err = 0;

	base = reserve_chunks(nchunks, 4);
	ASSERT_NE(0, base);
	for (i = 0; i < nchunks; i++)
		err |= hold(pa, 0, base + i * GOMEM_CHUNK_SIZE, CHUNK_PAGES);
	ASSERT_EQ(0, err);
	total = nchunks * CHUNK_PAGES;
	ASSERT_EQ(total, pa->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	root = (base >> (GOMEM_SUM_FIELD_BITS + GOMEM_PAGE_SHIFT)) + 1;
	if (((base + 4 * GOMEM_CHUNK_SIZE) >> (GOMEM_SUM_FIELD_BITS + GOMEM_PAGE_SHIFT)) == root) {
		/* placed as asked: two wholly free root entries */
		ASSERT_EQ(1ULL << 63, gomem_pagealloc_sum(pa, 0, root));
		ASSERT_EQ(1ULL << 63, gomem_pagealloc_sum(pa, 0, root + 1));
		ASSERT_EQ(gomem_psum_pack(0, 4 * CHUNK_PAGES, 4 * CHUNK_PAGES),
			  gomem_pagealloc_sum(pa, 0, root - 1));
	} else {
		TH_LOG("reservation not at a 16 GiB boundary: %#lx", base);
	}

	/* the whole run, over three root entries' worth of summaries */
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, total + 1));
	ASSERT_EQ(base, gomem_pagealloc_alloc(pa, total));
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, 1));
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	gomem_pagealloc_free(pa, base, total);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));

	/* 1, then 2^21 (crosses into the next root entry), then the rest */
	ASSERT_EQ(base, gomem_pagealloc_alloc(pa, 1));
	ASSERT_EQ(base + PG, gomem_pagealloc_alloc(pa, root_pages));
	a = base + (1 + root_pages) * PG;
	ASSERT_EQ(a, gomem_pagealloc_alloc(pa, total - 1 - root_pages));
	ASSERT_EQ(0, pa->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	/* a hole of 2^21 + 1 pages in the middle: only a fit of <= that */
	gomem_pagealloc_free(pa, a + 5 * PG, 4);
	gomem_pagealloc_free(pa, a, 1);
	gomem_pagealloc_free(pa, base + PG, root_pages);
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, root_pages + 2));
	ASSERT_EQ(base + PG, gomem_pagealloc_alloc(pa, root_pages + 1));
	ASSERT_EQ(a + 5 * PG, gomem_pagealloc_alloc(pa, 4));
	ASSERT_EQ(0, pa->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	/* free everything back, in two pieces, and release */
	gomem_pagealloc_free(pa, base, root_pages + 2);
	gomem_pagealloc_free(pa, base + (root_pages + 2) * PG, total - root_pages - 2);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	for (i = 0; i < nchunks; i++)
		release(pa, base + i * GOMEM_CHUNK_SIZE, CHUNK_PAGES);
	ASSERT_EQ(0, pa->held_pages);
	ASSERT_TRUE(summaries_zero(pa, base, nchunks));
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
}

struct prep_arg {
	struct gomem_pagealloc *pa;
	pthread_barrier_t *barrier;
	unsigned long base;
	int err;
};

static void *prep_thread(void *p)
{
	struct prep_arg *a = p;
	unsigned long c;

	pthread_barrier_wait(a->barrier);
	/* chunk by chunk, each racing the other threads for the same pages */
	for (c = 0; c < 64 && !a->err; c++)
		a->err = gomem_pagealloc_prepare(a->pa, a->base + c * GOMEM_CHUNK_SIZE,
						 CHUNK_PAGES, GFP_KERNEL);
	return NULL;
}

/* Concurrent _prepare() of the same summary pages: one page each wins. */
TEST(prepare_race)
{
	struct prep_arg args[8];
	pthread_t th[8];
	pthread_barrier_t barrier;
	struct gomem_pagealloc pa;
	unsigned long base = 0x123400000000UL, n, p;
	int round, i, l;

	for (round = 0; round < 20; round++) {
		ASSERT_EQ(0, gomem_pagealloc_init(&pa));
		pthread_barrier_init(&barrier, NULL, 8);
		for (i = 0; i < 8; i++) {
			args[i] = (struct prep_arg){ &pa, &barrier, base, 0 };
			ASSERT_EQ(0, pthread_create(&th[i], NULL, prep_thread, &args[i]));
		}
		for (i = 0; i < 8; i++) {
			pthread_join(th[i], NULL);
			ASSERT_EQ(0, args[i].err);
		}
		pthread_barrier_destroy(&barrier);
		/* 64 chunks: one summary page per level covers them all */
		for (l = 0; l < GOMEM_SUM_LEVELS; l++) {
			for (n = 0, p = 0; p < pa.sum_dir_len[l]; p++)
				n += !!pa.summary[l][p];
			ASSERT_EQ(1, n);
		}
		ASSERT_EQ(-ERANGE, gomem_pagealloc_prepare(&pa, 1UL << GOMEM_ADDR_BITS,
							   1, GFP_KERNEL));
		ASSERT_EQ(0, gomem_pagealloc_check(&pa));
		gomem_pagealloc_destroy(&pa);
	}
}

/* ---- real blocks from alloc_pages_node() ---- */

FIXTURE(real) {
	struct gomem_pagealloc pa[2];
	struct real_block rb[64];
	int nrb;
};

FIXTURE_SETUP(real)
{
	ASSERT_EQ(0, gomem_arena_init());
	ASSERT_EQ(0, gomem_pagealloc_init(&self->pa[0]));
	ASSERT_EQ(0, gomem_pagealloc_init(&self->pa[1]));
	shim_set_nodes(2);
}

FIXTURE_TEARDOWN(real)
{
	int i;

	for (i = 0; i < self->nrb; i++)
		__free_pages(self->rb[i].page, self->rb[i].order);
	gomem_pagealloc_destroy(&self->pa[0]);
	gomem_pagealloc_destroy(&self->pa[1]);
	free_chunks();
	gomem_arena_exit();
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Are the leaf summaries of the chunks of @n blocks all @want? */
static bool leaf_sums_are(struct gomem_pagealloc *pa, struct real_block *rb,
			  unsigned int n, gomem_psum_t want)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (gomem_pagealloc_sum(pa, GOMEM_SUM_LEVELS - 1,
					gomem_chunk_index(rb[i].addr)) != want)
			return false;
	return true;
}

/* Strictly ascending, so no duplicates? */
static bool ascending(const unsigned long *a, unsigned long n)
{
	unsigned long i;

	for (i = 1; i < n; i++)
		if (a[i - 1] >= a[i])
			return false;
	return true;
}

/* Is [addr, addr + n pages) inside held blocks of node @nid? */
static bool in_blocks(int nid, unsigned long addr, unsigned long n)
{
	struct gomem_chunk *c;
	unsigned long i;

	for (i = 0; i < n; i++, addr += PG) {
		c = gomem_chunk_lookup(gomem_chunk_index(addr));
		if (!c || c->node != nid || !test_bit(gomem_chunk_page(addr), c->held))
			return false;
	}
	return true;
}

/*
 * Growth from whole chunks: fill every page, check the layout, free, and
 * see that the summaries are all-free again.
 */
TEST_F(real, growth)
{
	struct gomem_pagealloc *pa = &self->pa[0];
	unsigned long *got, n = 0, i, a;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, hold_real(pa, 0, GOMEM_CHUNK_ORDER, &self->rb[self->nrb++]));
		ASSERT_EQ((i + 1) * CHUNK_PAGES, pa->free_pages);
		ASSERT_EQ(pa->free_pages, pa->held_pages);
		ASSERT_EQ(ALL_FREE_SUM, gomem_pagealloc_sum(pa, GOMEM_SUM_LEVELS - 1,
							    gomem_chunk_index(self->rb[i].addr)));
		ASSERT_EQ(0, gomem_pagealloc_check(pa));
	}
	got = calloc(4 * CHUNK_PAGES, sizeof(*got));
	ASSERT_NE(NULL, got);
	while ((a = gomem_pagealloc_alloc(pa, 1)))
		got[n++] = a;
	ASSERT_EQ(4 * CHUNK_PAGES, n);
	ASSERT_EQ(0, pa->free_pages);
	/* ascending addresses, every one held, none twice */
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(in_blocks(0, got[i], 1));
		ASSERT_TRUE(!i || got[i - 1] < got[i]);
	}
	ASSERT_TRUE(leaf_sums_are(pa, self->rb, 4, 0));
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	for (i = 0; i < n; i += 2)
		gomem_pagealloc_free(pa, got[i], 1);
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, 2));
	ASSERT_EQ(got[0], gomem_pagealloc_alloc(pa, 1));
	gomem_pagealloc_free(pa, got[0], 1);
	for (i = 1; i < n; i += 2)
		gomem_pagealloc_free(pa, got[i], 1);
	ASSERT_EQ(4 * CHUNK_PAGES, pa->free_pages);
	ASSERT_TRUE(leaf_sums_are(pa, self->rb, 4, ALL_FREE_SUM));
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	free(got);
}

/*
 * Blocks of order < 10 each in a chunk of their own (the shim's blocks are
 * scattered): allocations stay in held pages; a request larger than the
 * longest held run fails; everything is found; release empties the tree.
 */
TEST_F(real, partial_blocks_and_release)
{
	struct gomem_pagealloc *pa = &self->pa[0];
	unsigned long runmax = 0, run = 0, total = 0, n, a, i, k;
	struct { unsigned long addr, end, n; } ends[24];
	unsigned long *got;
	struct live *lv;
	unsigned long nlv = 0;

	TH_LOG("seed %#llx", (unsigned long long)seed_rng());
	for (i = 0; i < 24; i++) {
		unsigned int order = GOMEM_PAGE_ORDER + 2 + rnd_below(GOMEM_CHUNK_ORDER -
								      GOMEM_PAGE_ORDER - 2);

		ASSERT_EQ(0, hold_real(pa, 0, order, &self->rb[self->nrb]));
		ends[i].addr = self->rb[self->nrb].addr;
		ends[i].n = self->rb[self->nrb].npages;
		ends[i].end = ends[i].addr + ends[i].n * PG;
		total += self->rb[self->nrb++].npages;
	}
	ASSERT_EQ(total, pa->free_pages);
	ASSERT_EQ(0, gomem_pagealloc_check(pa));
	/* the longest held run, merging physically adjacent blocks */
	qsort(ends, 24, sizeof(ends[0]), cmp_ulong);
	for (i = 0; i < 24; i++) {
		run = i && ends[i].addr == ends[i - 1].end ? run + ends[i].n : ends[i].n;
		runmax = max(runmax, run);
	}
	TH_LOG("%lu pages held, longest run %lu", total, runmax);
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, runmax + 1));
	a = gomem_pagealloc_alloc(pa, runmax);
	ASSERT_NE(0, a);
	ASSERT_TRUE(in_blocks(0, a, runmax));
	gomem_pagealloc_free(pa, a, runmax);

	/* random sizes until full: all held, no overlap */
	lv = calloc(total, sizeof(*lv));
	got = calloc(total, sizeof(*got));
	ASSERT_NE(NULL, lv);
	ASSERT_NE(NULL, got);
	for (k = 0; k < 100000 && pa->free_pages; k++) {
		n = 1 + rnd_below(rnd_below(2) ? 8 : runmax);
		a = gomem_pagealloc_alloc(pa, n);
		if (!a)
			continue;
		ASSERT_TRUE(in_blocks(0, a, n));
		lv[nlv++] = (struct live){ a, n };
	}
	for (n = 0, i = 0; i < nlv; i++)
		for (k = 0; k < lv[i].n; k++)
			got[n++] = lv[i].addr + k * PG;
	ASSERT_EQ(total - pa->free_pages, n);
	qsort(got, n, sizeof(*got), cmp_ulong);
	ASSERT_TRUE(ascending(got, n));
	ASSERT_EQ(0, gomem_pagealloc_check(pa));

	/* release: free everything, shrink each block */
	for (i = 0; i < nlv; i++)
		gomem_pagealloc_free(pa, lv[i].addr, lv[i].n);
	ASSERT_EQ(total, pa->free_pages);
	for (i = 0; i < self->nrb; i++) {
		release(pa, self->rb[i].addr, self->rb[i].npages);
		ASSERT_EQ(0, gomem_pagealloc_check(pa));
	}
	ASSERT_EQ(0, pa->free_pages);
	ASSERT_EQ(0, pa->held_pages);
	for (n = 0, i = 0; i < self->nrb; i++)
		n += !summaries_zero(pa, self->rb[i].addr & ~(GOMEM_CHUNK_SIZE - 1), 1);
	ASSERT_EQ(0, n);
	ASSERT_EQ(0, gomem_pagealloc_alloc(pa, 1));
	free(lv);
	free(got);
}

/* Two nodes, real blocks, random work on both: no interference. */
TEST_F(real, two_nodes)
{
	unsigned long a, n, k, i;
	struct live *lv[2];
	unsigned long nlv[2] = { 0, 0 };
	int nid, err;

	TH_LOG("seed %#llx", (unsigned long long)seed_rng());
	for (i = 0; i < 6; i++) {
		nid = i % 2;
		do {
			ASSERT_LT(self->nrb, ARRAY_SIZE(self->rb));
			err = hold_real(&self->pa[nid], nid, i < 4 ? GOMEM_CHUNK_ORDER : 6,
					&self->rb[self->nrb++]);
		} while (err == -EEXIST);
		ASSERT_EQ(0, err);
	}
	ASSERT_EQ(2 * CHUNK_PAGES + 32, self->pa[0].free_pages);
	ASSERT_EQ(2 * CHUNK_PAGES + 32, self->pa[1].free_pages);
	lv[0] = calloc(4 * CHUNK_PAGES, sizeof(struct live));
	lv[1] = calloc(4 * CHUNK_PAGES, sizeof(struct live));
	ASSERT_NE(NULL, lv[0]);
	ASSERT_NE(NULL, lv[1]);
	for (k = 0; k < 200000; k++) {
		nid = rnd_below(2);
		if (!nlv[nid] || rnd_below(100) < 52) {
			n = 1 + rnd_below(rnd_below(4) ? 16 : CHUNK_PAGES);
			a = gomem_pagealloc_alloc(&self->pa[nid], n);
			if (!a)
				continue;
			ASSERT_TRUE(in_blocks(nid, a, n));
			lv[nid][nlv[nid]++] = (struct live){ a, n };
		} else {
			i = rnd_below(nlv[nid]);
			gomem_pagealloc_free(&self->pa[nid], lv[nid][i].addr, lv[nid][i].n);
			lv[nid][i] = lv[nid][--nlv[nid]];
		}
		if (k % 5000 == 0) {
			ASSERT_EQ(0, gomem_pagealloc_check(&self->pa[0]));
			ASSERT_EQ(0, gomem_pagealloc_check(&self->pa[1]));
		}
	}
	for (nid = 0; nid < 2; nid++) {
		for (i = 0; i < nlv[nid]; i++)
			gomem_pagealloc_free(&self->pa[nid], lv[nid][i].addr, lv[nid][i].n);
		ASSERT_EQ(self->pa[nid].held_pages, self->pa[nid].free_pages);
		free(lv[nid]);
	}
	for (i = 0; i < self->nrb; i++) {
		struct gomem_chunk *c = gomem_chunk_lookup(gomem_chunk_index(self->rb[i].addr));

		if (self->rb[i].grown)
			release(&self->pa[c->node], self->rb[i].addr, self->rb[i].npages);
	}
	for (nid = 0; nid < 2; nid++) {
		ASSERT_EQ(0, self->pa[nid].held_pages);
		ASSERT_EQ(0, gomem_pagealloc_check(&self->pa[nid]));
	}
}

TEST_HARNESS_MAIN
