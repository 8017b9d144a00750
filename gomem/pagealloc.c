// SPDX-License-Identifier: GPL-2.0
/*
 * The page allocator: Go's pageAlloc (runtime/mpagealloc.go) over the
 * chunks of one NUMA node.
 *
 * Address space. "Addresses" are physical addresses of the direct map
 * (__pa()), below 1 << GOMEM_ADDR_BITS. The address space is cut into 8 KiB
 * gomem pages and 4 MiB chunks of 512 pages. Every chunk in which gomem holds
 * memory has a struct gomem_chunk in the arena index (arena.c) with a
 * 512-bit bitmap, chunk->alloc: 1 = the page is in use or not held by gomem,
 * 0 = the page is held and free. Memory gomem does not hold therefore looks
 * exactly like memory in use, so "growing" the heap is nothing but clearing
 * bits and updating summaries, and shrinking is setting them.
 *
 * Summaries. A radix tree of pallocSums sits on top of the bitmaps. A
 * pallocSum describes a naturally aligned region of the address space with
 * three lengths in pages: the free run at its start, the longest free run
 * inside it, and the free run at its end (21 bits each; a region wholly free
 * at the root, 2^21 pages, has a special encoding). There are
 * GOMEM_SUM_LEVELS = 5 levels. An entry of the leaf level (4) summarises one
 * chunk (2^9 pages); every level above has one entry per 8 entries of the
 * level below: 2^12, 2^15, 2^18 and, at the root (level 0), 2^21 pages =
 * 16 GiB per entry. The root has 2^(GOMEM_ADDR_BITS - 34) entries.
 *
 * Unlike Go, which reserves each level as one huge virtual array, every level
 * here is a sparse array: a directory (allocated at init) of pointers to
 * 4 KiB summary pages of 512 entries, allocated by gomem_pagealloc_prepare()
 * when the heap is about to grow into their range. A missing page reads as
 * all-zero summaries, "no free page", which is the truth for memory this
 * instance never held. The 8 children of an entry always live in one page.
 *
 * Invariants, with the heap lock held and no operation in progress:
 *  - a page is free (alloc bit 0) only if it is held (held bit 1);
 *  - every leaf entry equals the summary of its chunk's bitmap, for the
 *    chunks of this instance (chunk->node == pa->node), and is 0 for any
 *    other chunk; every upper entry equals the merge of its 8 children;
 *  - chunk->nheld and chunk->nfree count held and free pages of the chunk,
 *    pa->held_pages and pa->free_pages sum them over the instance's chunks;
 *  - every chunk this instance ever grew into has its number in
 *    [lo_chunk, hi_chunk) (the range only widens, like Go's start/end);
 *  - no free page lies below search_addr (Go's searchAddr); search_addr is
 *    1 << GOMEM_ADDR_BITS when the instance knows it has no free page.
 *
 * Allocation (Go's find()) walks the tree top-down for the lowest-address run
 * of N free pages: scan the root entries over [lo_chunk, hi_chunk) starting
 * at search_addr, accumulating runs across neighbouring entries from their
 * end and start fields; a run found that way crosses entries and is the
 * answer; otherwise descend into the first entry whose max field fits,
 * search its 8 children the same way, and so on down to a chunk's bitmap.
 * Because a run inside an entry always starts before a run that leaves it,
 * the first fit met is the lowest-address one. A run may cross chunks, as
 * physically adjacent chunks are adjacent in the direct map. A fast path
 * first tries the chunk that holds search_addr, as Go does. Allocating then
 * sets the bits and updates the summaries bottom-up (Go's update()), stopping
 * at the first level where nothing changed.
 *
 * Locking: the summaries, the bitmaps and counters of this instance's chunks
 * and every field of struct gomem_pagealloc change only under the owning
 * heap's lock, which every function except _init(), _destroy() and
 * _prepare() runs under. _prepare() runs without it, may sleep when its gfp
 * allows, and may race with another _prepare() (the loser of the cmpxchg
 * frees its page) and with readers under the lock: directory slots are
 * published with cmpxchg() (a full barrier, so the zeroed page is visible
 * first) and read with smp_load_acquire(). Summary pages live until
 * _destroy(), so a pointer once seen stays valid. Nothing under the lock
 * allocates memory. Chunk structs are reached through the arena index, which
 * is safe under the heap lock (chunks of this node are removed only under
 * it).
 *
 * Cost: an allocation reads at most 8 entries per level below the root plus
 * the root entries between search_addr and hi_chunk (one per 16 GiB), then
 * one chunk bitmap (8 words); the update summarises the touched chunks and
 * merges 8 children per level per touched entry. No recursion, no large
 * stack frames.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/build_bug.h>
#include <linux/log2.h>
#include "pagealloc.h"
#include "locking.h"

/* the heap lock, where the owner registered it (not in standalone tests) */
static inline void pa_assert_locked(struct gomem_pagealloc *pa)
{
	if (pa->lock)
		lockdep_assert_held(pa->lock);
}
#include "pallocbits.h"
#include "faultinject.h"

#define SUM_LEAF		(GOMEM_SUM_LEVELS - 1)
#define SUM_PAGE_MASK		(GOMEM_SUM_PAGE_ENTRIES - 1)
#define SUM_PAGE_BYTES		(GOMEM_SUM_PAGE_ENTRIES * sizeof(gomem_psum_t))
#define SUM_BLOCK		(1UL << GOMEM_SUM_LEVEL_BITS)
/* the end of the address space; search_addr when nothing is free */
#define PA_ADDR_LIMIT		(1UL << GOMEM_ADDR_BITS)
#define PA_MAX_PAGES		(PA_ADDR_LIMIT >> GOMEM_PAGE_SHIFT)

static_assert(GOMEM_SUM_FIELD_BITS - SUM_LEAF * GOMEM_SUM_LEVEL_BITS ==
	      GOMEM_CHUNK_SHIFT - GOMEM_PAGE_SHIFT);
static_assert(GOMEM_ADDR_BITS - GOMEM_PAGE_SHIFT - GOMEM_SUM_FIELD_BITS >= 0);
static_assert(GOMEM_SUM_PAGE_ENTRIES % SUM_BLOCK == 0);

/* log2 of the pages one entry of @level covers: 21 at the root, 9 at leaves */
static inline unsigned int level_log_pages(int level)
{
	return GOMEM_SUM_FIELD_BITS - level * GOMEM_SUM_LEVEL_BITS;
}

/* address >> level_shift(level) is the entry of @level holding it */
static inline unsigned int level_shift(int level)
{
	return level_log_pages(level) + GOMEM_PAGE_SHIFT;
}

static inline unsigned long level_entries(int level)
{
	return 1UL << (GOMEM_ADDR_BITS - level_shift(level));
}

static inline unsigned long level_dir_len(int level)
{
	return DIV_ROUND_UP(level_entries(level), GOMEM_SUM_PAGE_ENTRIES);
}

/* Directory slot @p of @level: NULL, or a published summary page. */
static inline gomem_psum_t *dir_slot(const struct gomem_pagealloc *pa,
				     int level, unsigned long p)
{
	/* pairs with cmpxchg() in _prepare(): the page's zeroes are visible */
	return smp_load_acquire(&pa->summary[level][p]);
}

/* The summary page holding entry @idx of @level, or NULL. */
static inline gomem_psum_t *sum_page(const struct gomem_pagealloc *pa,
				     int level, unsigned long idx)
{
	return dir_slot(pa, level, idx >> GOMEM_SUM_PAGE_SHIFT);
}

static inline gomem_psum_t sum_get(const struct gomem_pagealloc *pa,
				   int level, unsigned long idx)
{
	gomem_psum_t *page = sum_page(pa, level, idx);

	return page ? page[idx & SUM_PAGE_MASK] : 0;
}

/* Returns true when the stored value changed. */
static inline bool sum_set(struct gomem_pagealloc *pa, int level,
			   unsigned long idx, gomem_psum_t v)
{
	gomem_psum_t *page = sum_page(pa, level, idx);

	if (unlikely(!page)) {
		/* grow() checks that every page is there: not reached */
		WARN_ON_ONCE(v);
		return false;
	}
	if (page[idx & SUM_PAGE_MASK] == v)
		return false;
	page[idx & SUM_PAGE_MASK] = v;
	return true;
}

/*
 * Go's mergeSummaries(): the summary of 8 consecutive entries that each
 * cover 2^@log pages.
 */
static gomem_psum_t merge_block(const gomem_psum_t *c, unsigned int log)
{
	unsigned long start, max, end, si, mi, ei, full = 1UL << log;
	unsigned int i;

	start = gomem_psum_start(c[0]);
	max = gomem_psum_max(c[0]);
	end = gomem_psum_end(c[0]);
	for (i = 1; i < SUM_BLOCK; i++) {
		if (!c[i]) {
			/* no free page (or no memory of this node) there */
			end = 0;
			continue;
		}
		si = gomem_psum_start(c[i]);
		mi = gomem_psum_max(c[i]);
		ei = gomem_psum_end(c[i]);
		/* the start run reaches this child only over full children */
		if (start == i * full)
			start += si;
		if (end + si > max)
			max = end + si;
		if (mi > max)
			max = mi;
		if (ei == full)
			end += full;
		else
			end = ei;
	}
	return gomem_psum_pack(start, max, end);
}

/* What entry @idx of @level (not the leaf level) should hold. */
static gomem_psum_t merge_at(const struct gomem_pagealloc *pa, int level,
			     unsigned long idx)
{
	unsigned long child = idx << GOMEM_SUM_LEVEL_BITS;
	gomem_psum_t *page = sum_page(pa, level + 1, child);

	if (!page)
		return 0;
	return merge_block(page + (child & SUM_PAGE_MASK),
			   level_log_pages(level + 1));
}

/* What the leaf entry of chunk number @ci should hold. */
static gomem_psum_t chunk_sum(const struct gomem_pagealloc *pa,
			      unsigned long ci)
{
	struct gomem_chunk *c = gomem_chunk_lookup(ci);

	if (!c || c->node != pa->node)
		return 0;
	return gomem_pallocbits_summarize(c->alloc);
}

/*
 * Go's update(): recompute the leaf summaries of the chunks that hold
 * [base, base + npages) and then every summary above them, level by level,
 * until a level does not change.
 */
static void update(struct gomem_pagealloc *pa, unsigned long base,
		   unsigned long npages)
{
	unsigned long last = base + (npages << GOMEM_PAGE_SHIFT) - 1;
	unsigned long i, hi;
	bool changed = false;
	int l;

	hi = last >> GOMEM_CHUNK_SHIFT;
	for (i = base >> GOMEM_CHUNK_SHIFT; i <= hi; i++)
		changed |= sum_set(pa, SUM_LEAF, i, chunk_sum(pa, i));
	for (l = SUM_LEAF - 1; l >= 0 && changed; l--) {
		changed = false;
		hi = last >> level_shift(l);
		for (i = base >> level_shift(l); i <= hi; i++)
			changed |= sum_set(pa, l, i, merge_at(pa, l, i));
	}
}

/* Is [base, base + npages) a valid, page-aligned range of the address space? */
static bool range_ok(unsigned long base, unsigned long npages)
{
	return npages && npages <= PA_MAX_PAGES &&
	       IS_ALIGNED(base, 1UL << GOMEM_PAGE_SHIFT) &&
	       base < PA_ADDR_LIMIT &&
	       npages <= (PA_ADDR_LIMIT - base) >> GOMEM_PAGE_SHIFT;
}

/*
 * Ranges are walked chunk by chunk, in page numbers (address >> 13): the
 * piece of [pg, end) that lies in pg's chunk has piece_len(pg, end) pages.
 */
static inline unsigned int piece_len(unsigned long pg, unsigned long end)
{
	return min_t(unsigned long, GOMEM_CHUNK_PAGES - pg % GOMEM_CHUNK_PAGES,
		     end - pg);
}

enum range_want {
	RANGE_IN_USE,	/* held and in use: before free, and before grow */
	RANGE_FREE,	/* held and free: before shrink */
};

/*
 * Check that every page of [base, base + npages) lies in an existing chunk of
 * node @node, is held, and is in the state @want. Returns false (and says
 * why) when not.
 */
static bool range_is(int node, unsigned long base, unsigned long npages,
		     enum range_want want)
{
	unsigned long pg, end;
	unsigned int first, n, set;
	struct gomem_chunk *c;

	if (!range_ok(base, npages)) {
		pr_err("gomem: pagealloc: bad range %#lx + %lu pages\n",
		       base, npages);
		return false;
	}
	for (pg = base >> GOMEM_PAGE_SHIFT, end = pg + npages; pg < end; pg += n) {
		n = piece_len(pg, end);
		first = pg % GOMEM_CHUNK_PAGES;
		c = gomem_chunk_lookup(pg / GOMEM_CHUNK_PAGES);
		if (!c || c->node != node) {
			pr_err("gomem: pagealloc: no chunk of node %d at %#lx\n",
			       node, pg << GOMEM_PAGE_SHIFT);
			return false;
		}
		if (gomem_pallocbits_count_set(c->held, first, n) != n) {
			pr_err("gomem: pagealloc: pages not held in %#lx + %u pages\n",
			       pg << GOMEM_PAGE_SHIFT, n);
			return false;
		}
		set = gomem_pallocbits_count_set(c->alloc, first, n);
		if (set != (want == RANGE_FREE ? 0 : n)) {
			pr_err("gomem: pagealloc: %u of %u pages at %#lx are %s\n",
			       want == RANGE_FREE ? set : n - set, n,
			       pg << GOMEM_PAGE_SHIFT,
			       want == RANGE_FREE ? "in use" : "free");
			return false;
		}
	}
	return true;
}

/*
 * Set (@in_use) or clear the bits of [base, base + npages) and adjust the
 * chunk counters: nfree by the pages freed, nheld by @dheld per page.
 */
static void range_apply(unsigned long base, unsigned long npages, bool in_use,
			int dheld)
{
	unsigned long pg, end;
	unsigned int first, n;
	struct gomem_chunk *c;

	for (pg = base >> GOMEM_PAGE_SHIFT, end = pg + npages; pg < end; pg += n) {
		n = piece_len(pg, end);
		first = pg % GOMEM_CHUNK_PAGES;
		c = gomem_chunk_lookup(pg / GOMEM_CHUNK_PAGES);
		if (in_use) {
			gomem_pallocbits_set_range(c->alloc, first, n);
			c->nfree -= n;
		} else {
			gomem_pallocbits_clear_range(c->alloc, first, n);
			c->nfree += n;
		}
		if (dheld > 0)
			c->nheld += n;
		else if (dheld < 0)
			c->nheld -= n;
	}
}

/* Are the summary pages of every level for [base, base + npages) there? */
static bool range_prepared(struct gomem_pagealloc *pa, unsigned long base,
			   unsigned long npages)
{
	unsigned long last = base + (npages << GOMEM_PAGE_SHIFT) - 1, p, hi;
	int l;

	for (l = 0; l < GOMEM_SUM_LEVELS; l++) {
		hi = (last >> level_shift(l)) >> GOMEM_SUM_PAGE_SHIFT;
		for (p = (base >> level_shift(l)) >> GOMEM_SUM_PAGE_SHIFT; p <= hi; p++)
			if (!dir_slot(pa, l, p))
				return false;
	}
	return true;
}

/**
 * gomem_pagealloc_init() - set up an empty page allocator
 * @pa: the instance (one per NUMA node heap)
 *
 * Allocates the summary directories (a few hundred KiB of pointers in all,
 * with kvcalloc(); no summary pages yet). May sleep.
 *
 * Return: 0 or -ENOMEM.
 */
int gomem_pagealloc_init(struct gomem_pagealloc *pa)
{
	int l;

	memset(pa, 0, sizeof(*pa));
	pa->search_addr = PA_ADDR_LIMIT;
	pa->node = NUMA_NO_NODE;
	for (l = 0; l < GOMEM_SUM_LEVELS; l++) {
		pa->sum_dir_len[l] = level_dir_len(l);
		pa->summary[l] = gomem_meta_alloc(kvcalloc(pa->sum_dir_len[l],
							   sizeof(*pa->summary[l]), GFP_KERNEL));
		if (!pa->summary[l]) {
			gomem_pagealloc_destroy(pa);
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * gomem_pagealloc_destroy() - free the summaries
 * @pa: the instance; initialised, or zeroed, or partly initialised
 *
 * The chunks themselves belong to the heap. May sleep.
 */
void gomem_pagealloc_destroy(struct gomem_pagealloc *pa)
{
	unsigned long p;
	int l;

	for (l = 0; l < GOMEM_SUM_LEVELS; l++) {
		if (!pa->summary[l])
			continue;
		for (p = 0; p < pa->sum_dir_len[l]; p++)
			kfree(pa->summary[l][p]);
		kvfree(pa->summary[l]);
		pa->summary[l] = NULL;
	}
}

/**
 * gomem_pagealloc_prepare() - allocate the summary pages for a range
 * @pa: the instance
 * @base: address of the first page that will be grown
 * @npages: number of gomem pages
 * @gfp: allocation context; the call may sleep if @gfp allows
 *
 * Must be called, without the heap lock, before gomem_pagealloc_grow() of
 * the same range. Safe against concurrent calls for overlapping ranges.
 * Pages allocated before a failure stay (they are all-zero, i.e. harmless).
 *
 * Return: 0, -ERANGE for a range outside the address space, or -ENOMEM.
 */
int gomem_pagealloc_prepare(struct gomem_pagealloc *pa, unsigned long base,
			    unsigned long npages, gfp_t gfp)
{
	unsigned long last, p, hi;
	gomem_psum_t *page;
	int l;

	if (!range_ok(base, npages))
		return -ERANGE;
	last = base + (npages << GOMEM_PAGE_SHIFT) - 1;
	for (l = 0; l < GOMEM_SUM_LEVELS; l++) {
		hi = (last >> level_shift(l)) >> GOMEM_SUM_PAGE_SHIFT;
		for (p = (base >> level_shift(l)) >> GOMEM_SUM_PAGE_SHIFT; p <= hi; p++) {
			if (dir_slot(pa, l, p))
				continue;
			page = gomem_meta_alloc(kzalloc(SUM_PAGE_BYTES, gfp & ~__GFP_ZERO));
			if (!page)
				return -ENOMEM;
			/* a full barrier: the zeroes are visible before the page */
			if (cmpxchg(&pa->summary[l][p], NULL, page))
				kfree(page);
		}
	}
	return 0;
}

/**
 * gomem_pagealloc_grow() - add held pages to the free pages
 * @pa: the instance
 * @base: address of the first page
 * @npages: number of gomem pages
 *
 * The pages lie in chunks that are in the arena index, have node == the
 * instance's node, are marked held (chunk->held) and still in use
 * (chunk->alloc), and gomem_pagealloc_prepare() covered them. They become
 * free: the bits are cleared, the chunks' nheld and nfree and the instance's
 * held_pages and free_pages grow, and the summaries are updated. A range
 * that breaks these rules is refused with a warning.
 *
 * Context: heap lock held.
 */
void gomem_pagealloc_grow(struct gomem_pagealloc *pa, unsigned long base,
			  unsigned long npages)
{
	int node = pa->node;
	struct gomem_chunk *c;
	unsigned long ci;

	pa_assert_locked(pa);
	/* the first growth tells the instance its node */
	if (node == NUMA_NO_NODE) {
		c = gomem_chunk_lookup(gomem_chunk_index(base));
		if (c)
			node = c->node;
	}
	if (WARN_ON(!range_is(node, base, npages, RANGE_IN_USE)))
		return;
	if (WARN(!range_prepared(pa, base, npages),
		 "gomem: pagealloc: grow %#lx + %lu pages before prepare\n",
		 base, npages))
		return;
	pa->node = node;

	range_apply(base, npages, false, 1);
	pa->held_pages += npages;
	pa->free_pages += npages;
	ci = base >> GOMEM_CHUNK_SHIFT;
	if (!pa->hi_chunk || ci < pa->lo_chunk)
		pa->lo_chunk = ci;
	ci = ((base + (npages << GOMEM_PAGE_SHIFT) - 1) >> GOMEM_CHUNK_SHIFT) + 1;
	if (ci > pa->hi_chunk)
		pa->hi_chunk = ci;
	if (base < pa->search_addr)
		pa->search_addr = base;
	update(pa, base, npages);
}

/**
 * gomem_pagealloc_shrink() - take free pages out of the heap
 * @pa: the instance
 * @base: address of the first page
 * @npages: number of gomem pages, all free
 *
 * The reverse of gomem_pagealloc_grow(), used before a block goes back to
 * the buddy allocator: the pages stop being free and held (their bits are
 * set; nheld, nfree, held_pages and free_pages drop) and the summaries are
 * updated. The caller clears chunk->held afterwards. A range that is not
 * wholly free and held is refused with a warning.
 *
 * Context: heap lock held.
 */
void gomem_pagealloc_shrink(struct gomem_pagealloc *pa, unsigned long base,
			    unsigned long npages)
{
	pa_assert_locked(pa);
	if (WARN_ON(!range_is(pa->node, base, npages, RANGE_FREE)))
		return;
	range_apply(base, npages, true, -1);
	pa->held_pages -= npages;
	pa->free_pages -= npages;
	update(pa, base, npages);
	/* search_addr stays a lower bound; lo_chunk/hi_chunk only widen */
}

/*
 * Go's foundFree(): narrow [*ff, *ff_last] to a region just found to hold
 * the first free page met by the search, if it lies within it.
 */
static inline void found_free(unsigned long *ff, unsigned long *ff_last,
			      unsigned long addr, unsigned long size)
{
	if (*ff <= addr && addr + size - 1 <= *ff_last) {
		*ff = addr;
		*ff_last = addr + size - 1;
	}
}

/*
 * Go's find(): the address of the lowest run of @npages free pages, or 0.
 * *@first_free gets a lower bound on the address of the first free page,
 * the new search_addr.
 */
static unsigned long find(struct gomem_pagealloc *pa, unsigned long npages,
			  unsigned long *first_free)
{
	unsigned long ff = 0, ff_last = ~0UL, i = 0, j, jlo, jhi, size;
	unsigned long run = 0, sidx, entry_pages, addr;
	struct gomem_chunk *c;
	unsigned int found, cidx;
	gomem_psum_t sum;
	bool descend;
	int l;

	for (l = 0; l < GOMEM_SUM_LEVELS; l++) {
		entry_pages = 1UL << level_log_pages(l);
		sidx = pa->search_addr >> level_shift(l);
		if (!l) {
			/* the root, over [lo_chunk, hi_chunk), from search_addr */
			jlo = max(sidx, pa->lo_chunk >> (level_shift(0) - GOMEM_CHUNK_SHIFT));
			jhi = ((pa->hi_chunk - 1) >> (level_shift(0) - GOMEM_CHUNK_SHIFT)) + 1;
		} else {
			/* the 8 children of entry i of the level above */
			jlo = i << GOMEM_SUM_LEVEL_BITS;
			jhi = jlo + SUM_BLOCK;
			if ((sidx & ~(SUM_BLOCK - 1)) == jlo)
				jlo = sidx;
		}
		descend = false;
		size = 0;	/* free pages in the run before entry j */
		for (j = jlo; j < jhi; j++) {
			sum = sum_get(pa, l, j);
			if (!sum) {
				size = 0;
				continue;
			}
			addr = j << level_shift(l);
			found_free(&ff, &ff_last, addr, entry_pages << GOMEM_PAGE_SHIFT);
			/* the run so far, completed by this entry's start? */
			if (size + gomem_psum_start(sum) >= npages) {
				if (!size)
					run = addr;
				size += gomem_psum_start(sum);
				break;
			}
			/* a fit inside this entry: it is the lowest one */
			if (gomem_psum_max(sum) >= npages) {
				i = j;
				descend = true;
				break;
			}
			/* carry this entry's end run on to the next entry */
			if (!size || gomem_psum_start(sum) < entry_pages) {
				size = gomem_psum_end(sum);
				run = addr + ((entry_pages - size) << GOMEM_PAGE_SHIFT);
				continue;
			}
			size += entry_pages;
		}
		if (descend)
			continue;
		if (size >= npages) {
			*first_free = ff;
			return run;
		}
		if (!l)
			return 0;
		WARN(1, "gomem: pagealloc: bad summary: level %d entry %lu, %lu pages\n",
		     l - 1, i, npages);
		return 0;
	}

	/* i is a chunk whose longest free run fits */
	c = gomem_chunk_lookup(i);
	if (WARN_ON_ONCE(!c))
		return 0;
	found = gomem_pallocbits_find(c->alloc, npages, 0, &cidx);
	if (WARN(found == GOMEM_PALLOC_NONE,
		 "gomem: pagealloc: bad summary: chunk %#lx, %lu pages\n",
		 c->base, npages))
		return 0;
	addr = c->base + ((unsigned long)cidx << GOMEM_PAGE_SHIFT);
	found_free(&ff, &ff_last, addr, c->base + GOMEM_CHUNK_SIZE - addr);
	*first_free = ff;
	return c->base + ((unsigned long)found << GOMEM_PAGE_SHIFT);
}

/**
 * gomem_pagealloc_alloc() - allocate a run of free pages
 * @pa: the instance
 * @npages: number of gomem pages, >= 1; runs may cross chunks
 *
 * Finds the lowest-address run of @npages free pages, marks it in use and
 * updates the summaries and counters.
 *
 * Context: heap lock held.
 * Return: the address of the first page, or 0 when no run fits (the heap
 * then grows).
 */
unsigned long gomem_pagealloc_alloc(struct gomem_pagealloc *pa,
				    unsigned long npages)
{
	unsigned long ci = pa->search_addr >> GOMEM_CHUNK_SHIFT, addr, ff;
	unsigned int pi = gomem_chunk_page(pa->search_addr), found, cidx;
	struct gomem_chunk *c;

	pa_assert_locked(pa);
	if (!npages || npages > pa->free_pages || ci >= pa->hi_chunk)
		return 0;
	/* fast path: the chunk of search_addr, from search_addr on */
	if (GOMEM_CHUNK_PAGES - pi >= npages &&
	    gomem_psum_max(sum_get(pa, SUM_LEAF, ci)) >= npages) {
		c = gomem_chunk_lookup(ci);
		found = gomem_pallocbits_find(c->alloc, npages, pi, &cidx);
		if (WARN(found == GOMEM_PALLOC_NONE,
			 "gomem: pagealloc: bad summary: chunk %#lx, %lu pages\n",
			 c->base, npages))
			return 0;
		addr = c->base + ((unsigned long)found << GOMEM_PAGE_SHIFT);
		ff = c->base + ((unsigned long)cidx << GOMEM_PAGE_SHIFT);
	} else {
		addr = find(pa, npages, &ff);
		if (!addr) {
			/* no single free page at all: remember that */
			if (npages == 1)
				pa->search_addr = PA_ADDR_LIMIT;
			return 0;
		}
	}
	range_apply(addr, npages, true, 0);
	pa->free_pages -= npages;
	update(pa, addr, npages);
	if (ff > pa->search_addr)
		pa->search_addr = ff;
	return addr;
}

/*
 * The lowest chunk number from @ci on whose leaf summary has a run of
 * @npages free pages, walking the tree top-down as find() does but keeping
 * only runs inside an entry (an aligned run of at most a chunk lies in one
 * chunk). An entry whose max fits only through runs that cross its
 * children is a dead end: the walk starts again after it, and every dead
 * end costs one of *@budget. ULONG_MAX when there is none, or the budget
 * ran out.
 */
static unsigned long next_fit_chunk(struct gomem_pagealloc *pa, unsigned long ci,
				    unsigned long npages, unsigned int *budget)
{
	unsigned long i = 0, j, jlo, jhi;
	unsigned int sh;
	int l;

restart:
	if (ci >= pa->hi_chunk)
		return ULONG_MAX;
	for (l = 0; l <= SUM_LEAF; l++) {
		/* entry of level l = chunk number >> sh */
		sh = (SUM_LEAF - l) * GOMEM_SUM_LEVEL_BITS;
		if (!l) {
			jlo = ci >> sh;
			jhi = ((pa->hi_chunk - 1) >> sh) + 1;
		} else {
			jlo = max(i << GOMEM_SUM_LEVEL_BITS, ci >> sh);
			jhi = (i << GOMEM_SUM_LEVEL_BITS) + SUM_BLOCK;
		}
		for (j = jlo; j < jhi; j++)
			if (gomem_psum_max(sum_get(pa, l, j)) >= npages)
				break;
		if (j < jhi) {
			i = j;
			continue;
		}
		if (!l || !*budget)
			return ULONG_MAX;
		(*budget)--;
		/* entry i of level l - 1 was a dead end: after it */
		ci = (i + 1) << (sh + GOMEM_SUM_LEVEL_BITS);
		goto restart;
	}
	return i;
}

/* The lowest aligned run of @npages free pages in chunk number @ci, or 0. */
static unsigned long probe_aligned(struct gomem_pagealloc *pa, unsigned long ci,
				   unsigned long npages, unsigned long align)
{
	struct gomem_chunk *c = gomem_chunk_lookup(ci);
	unsigned int idx;

	if (!c || c->node != pa->node ||
	    gomem_psum_max(sum_get(pa, SUM_LEAF, ci)) < npages)
		return 0;
	idx = gomem_pallocbits_find_aligned(c->alloc, npages, align);
	if (idx == GOMEM_PALLOC_NONE)
		return 0;
	return c->base + ((unsigned long)idx << GOMEM_PAGE_SHIFT);
}

/**
 * gomem_pagealloc_alloc_aligned() - allocate an aligned run of free pages
 * @pa: the instance
 * @npages: number of gomem pages, 1..GOMEM_CHUNK_PAGES
 * @align: alignment of the run's address in gomem pages: a power of two,
 *	1..GOMEM_CHUNK_PAGES; 1 is gomem_pagealloc_alloc()
 * @hint: an address whose chunk is probed first (the block the heap just
 *	grew for this request), or 0
 *
 * First the chunk of @hint, then, from search_addr on, the chunks whose
 * longest free run fits @npages, lowest first: the lowest run in the chunk
 * that starts at a multiple of @align wins. At most GOMEM_ALIGN_PROBES
 * chunks without such a run (and dead ends of the walk) are tried; then,
 * as Go's allocSpan() does for physical page alignment, the lowest run of
 * @npages + @align - 1 pages, which always holds an aligned run of
 * @npages (counted in align_fallbacks). search_addr is not moved (it
 * stays a lower bound). The pages around the run stay free: the cost of
 * alignment is only that a free run may be too badly placed to serve a
 * request.
 *
 * Context: heap lock held.
 * Return: the address of the first page, a multiple of @align pages, or 0
 * when no run was found (the heap then grows).
 */
unsigned long gomem_pagealloc_alloc_aligned(struct gomem_pagealloc *pa,
					    unsigned long npages,
					    unsigned long align,
					    unsigned long hint)
{
	unsigned int budget = GOMEM_ALIGN_PROBES;
	unsigned long ci, addr = 0, ff;

	pa_assert_locked(pa);
	if (align == 1)
		return gomem_pagealloc_alloc(pa, npages);
	if (!npages || npages > GOMEM_CHUNK_PAGES || !is_power_of_2(align) ||
	    align > GOMEM_CHUNK_PAGES || npages > pa->free_pages ||
	    pa->search_addr >= PA_ADDR_LIMIT)
		return 0;
	if (hint && hint < PA_ADDR_LIMIT)
		addr = probe_aligned(pa, hint >> GOMEM_CHUNK_SHIFT, npages, align);
	ci = max(pa->search_addr >> GOMEM_CHUNK_SHIFT, pa->lo_chunk);
	while (!addr && budget) {
		ci = next_fit_chunk(pa, ci, npages, &budget);
		if (ci == ULONG_MAX)
			break;
		addr = probe_aligned(pa, ci, npages, align);
		if (!addr && budget)
			budget--;
		ci++;
	}
	if (!addr) {
		/* Go's way: overallocate the search, then align */
		pa->align_fallbacks++;
		addr = find(pa, npages + align - 1, &ff);
		if (!addr)
			return 0;
		addr = ALIGN(addr, align << GOMEM_PAGE_SHIFT);
	}
	range_apply(addr, npages, true, 0);
	pa->free_pages -= npages;
	update(pa, addr, npages);
	return addr;
}

/**
 * gomem_pagealloc_free() - free a run of pages
 * @pa: the instance
 * @base: an address gomem_pagealloc_alloc() returned (or any run of in-use
 *	held pages of the instance)
 * @npages: number of gomem pages
 *
 * The reverse of gomem_pagealloc_alloc(). A range that is not wholly held
 * and in use is refused with a warning.
 *
 * Context: heap lock held.
 */
void gomem_pagealloc_free(struct gomem_pagealloc *pa, unsigned long base,
			  unsigned long npages)
{
	pa_assert_locked(pa);
	if (WARN_ON(!range_is(pa->node, base, npages, RANGE_IN_USE)))
		return;
	range_apply(base, npages, false, 0);
	pa->free_pages += npages;
	if (base < pa->search_addr)
		pa->search_addr = base;
	update(pa, base, npages);
}

static int check_sum(int level, unsigned long idx, gomem_psum_t have,
		     gomem_psum_t want)
{
	if (have == want)
		return 0;
	pr_err("gomem: pagealloc: summary[%d][%lu] = (%u, %u, %u), want (%u, %u, %u)\n",
	       level, idx, gomem_psum_start(have), gomem_psum_max(have),
	       gomem_psum_end(have), gomem_psum_start(want),
	       gomem_psum_max(want), gomem_psum_end(want));
	return -EINVAL;
}

/* Check one chunk of the instance; add its counters to the totals. */
static int check_chunk(struct gomem_pagealloc *pa, struct gomem_chunk *c,
		       unsigned long *held, unsigned long *free)
{
	unsigned int w, nheld = 0, nfree = 0, below;

	for (w = 0; w < GOMEM_CHUNK_WORDS; w++) {
		if (~c->alloc[w] & ~c->held[w]) {
			pr_err("gomem: pagealloc: chunk %#lx: free pages not held in word %u\n",
			       c->base, w);
			return -EINVAL;
		}
		nheld += hweight_long(c->held[w]);
		nfree += hweight_long(~c->alloc[w]);
	}
	if (nheld != c->nheld || nfree != c->nfree) {
		pr_err("gomem: pagealloc: chunk %#lx: nheld %u nfree %u, bitmaps say %u %u\n",
		       c->base, c->nheld, c->nfree, nheld, nfree);
		return -EINVAL;
	}
	if (c->base < pa->search_addr) {
		below = min_t(unsigned long, GOMEM_CHUNK_PAGES,
			      (pa->search_addr - c->base) >> GOMEM_PAGE_SHIFT);
		if (gomem_pallocbits_count_free(c->alloc, 0, below)) {
			pr_err("gomem: pagealloc: chunk %#lx: free page below search_addr %#lx\n",
			       c->base, pa->search_addr);
			return -EINVAL;
		}
	}
	*held += nheld;
	*free += nfree;
	return 0;
}

/**
 * gomem_pagealloc_check() - verify every summary and counter
 * @pa: the instance
 *
 * Recomputes every leaf summary from the chunk bitmaps and every upper
 * summary from the level below, over every summary page in the range of
 * [lo_chunk, hi_chunk), and checks the chunk counters, the totals, that free
 * pages are held and that no free page lies below search_addr. Chunks whose
 * summary pages were never prepared cannot have been grown and are skipped.
 * For tests and debugging: it costs O(chunks in range).
 *
 * Context: heap lock held.
 * Return: 0, or -EINVAL after a pr_err() describing the first mismatch.
 */
int gomem_pagealloc_check(struct gomem_pagealloc *pa)
{
	unsigned long held = 0, free = 0, lo, hi, p, i, end;
	struct gomem_chunk *c;
	gomem_psum_t *page;
	int l, err;

	if (!pa->hi_chunk) {
		if (pa->held_pages || pa->free_pages) {
			pr_err("gomem: pagealloc: never grown, yet %lu held %lu free\n",
			       pa->held_pages, pa->free_pages);
			return -EINVAL;
		}
		return 0;
	}
	for (l = SUM_LEAF; l >= 0; l--) {
		/* entry range of this level, in whole summary pages */
		lo = pa->lo_chunk >> ((SUM_LEAF - l) * GOMEM_SUM_LEVEL_BITS);
		hi = (pa->hi_chunk - 1) >> ((SUM_LEAF - l) * GOMEM_SUM_LEVEL_BITS);
		for (p = lo >> GOMEM_SUM_PAGE_SHIFT; p <= hi >> GOMEM_SUM_PAGE_SHIFT; p++) {
			page = dir_slot(pa, l, p);
			if (!page)
				continue;
			i = p << GOMEM_SUM_PAGE_SHIFT;
			end = min(i + GOMEM_SUM_PAGE_ENTRIES, level_entries(l));
			for (; i < end; i++) {
				if (l < SUM_LEAF) {
					err = check_sum(l, i, page[i & SUM_PAGE_MASK],
							merge_at(pa, l, i));
					if (err)
						return err;
					continue;
				}
				c = gomem_chunk_lookup(i);
				if (!c || c->node != pa->node) {
					err = check_sum(l, i, page[i & SUM_PAGE_MASK], 0);
					if (err)
						return err;
					continue;
				}
				if (i < pa->lo_chunk || i >= pa->hi_chunk) {
					if (!c->nheld)
						continue;
					pr_err("gomem: pagealloc: chunk %#lx outside [lo_chunk, hi_chunk)\n",
					       c->base);
					return -EINVAL;
				}
				err = check_chunk(pa, c, &held, &free);
				if (!err)
					err = check_sum(l, i, page[i & SUM_PAGE_MASK],
							gomem_pallocbits_summarize(c->alloc));
				if (err)
					return err;
			}
		}
	}
	if (held != pa->held_pages || free != pa->free_pages) {
		pr_err("gomem: pagealloc: held_pages %lu free_pages %lu, chunks say %lu %lu\n",
		       pa->held_pages, pa->free_pages, held, free);
		return -EINVAL;
	}
	return 0;
}
