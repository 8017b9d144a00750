// SPDX-License-Identifier: GPL-2.0
/*
 * The page heap: Go's mheap, one per NUMA node.
 *
 * A node's heap holds buddy blocks of its node's memory (4 MiB, order 10,
 * when the buddy allocator has them; down to the size of the request when it
 * is fragmented, and the size of the request under init_on_alloc, where the
 * buddy allocator zeroes what it hands out), tracks their pages with a pageAlloc radix tree
 * (pagealloc.c) and hands out runs of pages as spans: cut into small objects
 * by mcentral, or whole, as large objects (> 32 KiB, up to one chunk).
 *
 * Invariants, under h->lock:
 *  - a page of a chunk of this node is in exactly one state: not held
 *    (alloc=1, held=0), free (alloc=0, held=1) or in a span (alloc=1,
 *    held=1, spans[] points at the span);
 *  - chunk->nheld/nfree count its held and free pages; h->pa.free_pages and
 *    h->pa.held_pages sum them over the node's chunks;
 *  - a chunk struct exists while it holds a page, and is in the chunk index
 *    and on h->chunks exactly then.
 *
 * Growth never allocates under a spinlock with a sleeping gfp: the block,
 * the chunk struct, the index page and the summary pages are all obtained
 * before h->lock is taken; only bookkeeping happens under it.
 *
 * Release policy: memory that gomem holds but does not use stays bounded.
 *  - when a free leaves the node with more than gomem_retain_pages free
 *    pages, free pages near the freed span go back to the buddy allocator
 *    at once, down to that limit (the retained pages absorb alloc/free
 *    ping-pong): the blocks it touched if they are wholly free and the
 *    excess covers them (a wholly free block is never cut for the limit),
 *    whole; and, once the node has more than twice the limit free, every
 *    free page of the chunks it touched, partly used blocks page by page.
 *    The hysteresis matters: when free pages are too scattered for a
 *    request, the heap grows by a block, and releasing at the next free
 *    would shuttle blocks between gomem and the buddy allocator (the host
 *    stress test grew 50 times as many blocks that way);
 *  - gomem_heap_release(h, keep) (the shrinker, "shrink" in /proc/gomem,
 *    unload) releases every free page, whole blocks and partial, chunk by
 *    chunk, while more than @keep pages are free.
 * Blocks are split lazily: a block goes back whole with __free_pages() while
 * it can; the first time only part of it must go, split_page() turns it
 * into order-0 kernel pages (chunk->split[]: every page of it becomes a
 * block of one gomem page), and the free pages go back with
 * free_pages_exact(), one run at a time. Pages are taken out of the heap
 * under h->lock (gomem_pagealloc_shrink(): "not held") and collected in a
 * struct release_batch; they reach the buddy allocator after the lock is
 * dropped, so no page is freed with h->lock held, and a release over many
 * chunks drops the lock after each chunk.
 *
 * Page references: every kernel page of a block gomem holds has a reference
 * count of GOMEM_PAGE_REFS (2), whatever it is used for; the buddy
 * allocator's own count is 1 for the first page of a block and 0 for the
 * others (1 for each page once split). A kernel that frees gomem memory by
 * mistake (the core's kfree() of a gomem object: free_large_kmalloc()
 * puts the page; put_page() of a page it never took) so drops a count
 * from 2 to 1, and never frees a page gomem still uses (one such put per
 * page: a second on the same page would free it). Before a page goes
 * back to the buddy allocator its count is checked: exactly 2, it goes back
 * (the counts set to the buddy allocator's first); anything else, it is
 * never given back, counted in kept_pages and reported once: its memory
 * is leaked rather than freed under whoever else holds it.
 *
 * Zeroed pages (Go's needzero): under init_on_alloc the buddy allocator
 * zeroes every block it hands out, and gomem_large_alloc() zeroes its
 * object again. chunk->zeroed marks the free pages of a block grown that
 * way that no span has used since; a span made of such pages only has
 * needzero clear, and its large object skips the memset. A bit is cleared
 * when its page goes into a span or back to the buddy allocator, so pages
 * that come back from a span are never taken for zeroed, and only held
 * free pages have it; h->zeroed_pages counts the bits set, and a heap
 * without any (init_on_alloc=0) skips the bitmap. A node whose every free
 * goes past gomem_retain_pages (a 4 MiB object: its block back to the
 * buddy allocator at each free, a new one at each allocation) zeroes each
 * allocation once, not twice.
 *
 * Hot spans (Go's per-P page cache, per node): a span of up to
 * GOMEM_HOT_MAX_PAGES pages that is freed, a large object's or an empty
 * span a class gives back (gomem_heap_put_span()), stays whole and mapped
 * on h->hot[npages - 1] (LIFO), while the node's hot pages stay within
 * GOMEM_HOT_PAGES and its free pages and hot pages together within
 * gomem_retain_pages; later frees trim the page heap to that limit without
 * counting the hot pages, so a node's idle memory is bounded by the limit
 * plus GOMEM_HOT_PAGES (1 MiB). The next span allocation of the same page
 * count and an alignment it has, on that node, takes it back: no
 * page-heap search, no summary updates, no mapping, no struct allocation.
 * A class's span turns GOMEM_SPAN_FREEING when it goes hot and the span
 * generation is bumped (free hints that name it are stale); a large one
 * is FREEING already. So a free of an old object is a double free and
 * nothing reads the span as live. A tagged class's span keeps its tags and
 * nelems for the next class (gomem_mcentral_new_span() reuses or replaces
 * them). Hot pages count as free (gomem_heap_snapshot(), the shrinker's
 * count), and every release (gomem_heap_release(), gomem_heap_shrink(),
 * exit) first gives the hot spans back to the page heap, as does a span
 * allocation that would otherwise grow the heap (a 4 MiB object then takes
 * the chunk that only hot spans held, instead of a new block at every
 * allocation).
 *
 * Locking: h->lock is irq-safe (gomem may be called from hardirq context
 * with GFP_ATOMIC); its place in the lock order is in locking.h. Functions
 * that run under it assert it.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/log2.h>
#include "mheap.h"
#include "pallocbits.h"
#include "locking.h"
#include "faultinject.h"
#include "trace_heap.h"

struct gomem_heap *gomem_heaps[MAX_NUMNODES];
/* free pages a node keeps rather than release (one chunk) */
unsigned long gomem_retain_pages = GOMEM_CHUNK_PAGES;

#define GOMEM_PAGE_REFS		2	/* references on each kernel page held */

static struct page *kpage(unsigned long addr)
{
	return virt_to_page(__va(addr));
}

/* the kernel pages of [addr, addr + len) to @count references each */
static void refs_set(unsigned long addr, unsigned long len, int count)
{
	unsigned long a;

	for (a = addr; a < addr + len; a += PAGE_SIZE)
		set_page_count(kpage(a), count);
}

/*
 * A block [addr, addr + len) that goes back to the buddy allocator whole:
 * the counts it had when it came (1 on its first page, 0 on the others).
 */
static void refs_unhold_block(unsigned long addr, unsigned long len)
{
	set_page_count(kpage(addr), 1);
	refs_set(addr + PAGE_SIZE, len - PAGE_SIZE, 0);
}

/* whether every kernel page of [addr, addr + len) has gomem's count alone */
static bool refs_clean(unsigned long addr, unsigned long len)
{
	unsigned long a;

	for (a = addr; a < addr + len; a += PAGE_SIZE)
		if (page_ref_count(kpage(a)) != GOMEM_PAGE_REFS)
			return false;
	return true;
}

static unsigned long chunk_addr(struct gomem_chunk *c, unsigned int pg)
{
	return c->base + ((unsigned long)pg << GOMEM_PAGE_SHIFT);
}

/*
 * Mark the pages of [start, end) of @c whose kernel pages have foreign
 * references as kept: never given back. h->lock held. Returns how many it
 * marked.
 */
static unsigned int keep_foreign(struct gomem_heap *h, struct gomem_chunk *c,
				 unsigned int start, unsigned int end)
{
	unsigned int i, n = 0;
	unsigned long a;

	lockdep_assert_held(&h->lock);
	for (i = start; i < end; i++) {
		a = chunk_addr(c, i);
		if (test_bit(i, c->kept) || refs_clean(a, GOMEM_PAGE_SIZE))
			continue;
		__set_bit(i, c->kept);
		h->st.kept_pages++;
		n++;
		pr_warn_ratelimited("gomem: node %d: page %#lx has references gomem did not take (count %d, %d; a kfree() or put_page() of gomem memory?): never given back\n",
				    h->node, a, page_ref_count(kpage(a)),
				    page_ref_count(kpage(a + PAGE_SIZE)));
	}
	return n;
}

static gfp_t meta_gfp(gfp_t gfp)
{
	return (gfp & (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH)) | __GFP_NOWARN;
}

/**
 * gomem_heap_init() - create the page heap of every possible node
 *
 * Return: 0 or -ENOMEM.
 */
int gomem_heap_init(void)
{
	struct gomem_heap *h;
	int node, err;

	for_each_node(node) {
		h = gomem_meta_alloc(kzalloc_node(sizeof(*h), GFP_KERNEL,
						  node_state(node, N_MEMORY) ? node : NUMA_NO_NODE));
		if (!h)
			goto fail;
		spin_lock_init(&h->lock);
		h->node = node;
		INIT_LIST_HEAD(&h->chunks);
		gomem_fixalloc_init(&h->spanalloc, sizeof(struct gomem_span),
				    node_state(node, N_MEMORY) ? node : NUMA_NO_NODE);
		err = gomem_pagealloc_init(&h->pa);
		if (err) {
			kfree(h);
			goto fail;
		}
		h->pa.lock = &h->lock;
		gomem_heaps[node] = h;
	}
	return 0;
fail:
	gomem_heap_exit();
	return -ENOMEM;
}

/* the buddy block of @c that contains chunk page @pg: [*start, *end) */
static void chunk_block(struct gomem_chunk *c, unsigned int pg,
			unsigned int *start, unsigned int *end)
{
	unsigned int s = pg, nb, ne;

	while (!test_bit(s, c->block_start))
		s--;
	nb = find_next_bit(c->block_start, GOMEM_CHUNK_PAGES, s + 1);
	ne = find_next_zero_bit(c->held, GOMEM_CHUNK_PAGES, s);
	*start = s;
	*end = min(nb, ne);
}

static bool chunk_range_free(struct gomem_chunk *c, unsigned int start, unsigned int end)
{
	return find_next_bit(c->alloc, end, start) >= end;
}

/*
 * Pages of one chunk taken out of the heap under h->lock, to be given back
 * to the buddy allocator once it is dropped (release_flush()).
 */
struct release_batch {
	unsigned long base;		/* the chunk's address */
	unsigned int n;			/* pages collected; 0 = nothing to do */
	/* pages of whole blocks, and the first page of each of those blocks */
	DECLARE_BITMAP(whole, GOMEM_CHUNK_PAGES);
	DECLARE_BITMAP(whole_start, GOMEM_CHUNK_PAGES);
	/* pages of split blocks */
	DECLARE_BITMAP(single, GOMEM_CHUNK_PAGES);
};

static void batch_init(struct release_batch *rb, struct gomem_chunk *c)
{
	rb->base = c->base;
	rb->n = 0;
	bitmap_zero(rb->whole, GOMEM_CHUNK_PAGES);
	bitmap_zero(rb->whole_start, GOMEM_CHUNK_PAGES);
	bitmap_zero(rb->single, GOMEM_CHUNK_PAGES);
}

/* Take the free pages [start, end) of @c out of the heap. h->lock held. */
static void take_pages(struct gomem_heap *h, struct gomem_chunk *c,
		       unsigned int start, unsigned int end)
{
	unsigned int i;

	lockdep_assert_held(&h->lock);
	gomem_pagealloc_shrink(&h->pa, c->base + ((unsigned long)start << GOMEM_PAGE_SHIFT),
			       end - start);
	for (i = start; i < end; i++) {
		__clear_bit(i, c->held);
		__clear_bit(i, c->block_start);
	}
	h->zeroed_pages -= gomem_pallocbits_count_set(c->zeroed, start, end - start);
	bitmap_clear(c->zeroed, start, end - start);
	h->st.released_pages += end - start;
}

/* Take the wholly free, unsplit block [start, end) of @c. h->lock held. */
static void take_block(struct gomem_heap *h, struct gomem_chunk *c,
		       unsigned int start, unsigned int end, struct release_batch *rb)
{
	lockdep_assert_held(&h->lock);
	take_pages(h, c, start, end);
	bitmap_set(rb->whole, start, end - start);
	__set_bit(start, rb->whole_start);
	rb->n += end - start;
	h->st.released_blocks++;
}

/*
 * Take the free pages of the split pages [start, end) of @c while the node
 * has more than @keep free pages. h->lock held.
 */
static void take_split(struct gomem_heap *h, struct gomem_chunk *c,
		       unsigned int start, unsigned int end, unsigned long keep,
		       struct release_batch *rb)
{
	unsigned int a, b, i, run;

	lockdep_assert_held(&h->lock);
	for (a = find_next_zero_bit(c->alloc, end, start);
	     a < end && h->pa.free_pages > keep;
	     a = find_next_zero_bit(c->alloc, end, b)) {
		/* the free run [a, run), less its kept pages */
		run = find_next_bit(c->alloc, end, a);
		keep_foreign(h, c, a, run);
		a = find_next_zero_bit(c->kept, run, a);
		b = run;
		if (a >= run)
			continue;
		b = min_t(unsigned long, find_next_bit(c->kept, run, a),
			  a + (h->pa.free_pages - keep));
		take_pages(h, c, a, b);
		for (i = a; i < b; i++)
			__clear_bit(i, c->split);
		bitmap_set(rb->single, a, b - a);
		rb->n += b - a;
		h->st.split_released_pages += b - a;
	}
}

/*
 * Split the block [start, end) of @c into order-0 kernel pages: from now on
 * each of its gomem pages is a block of its own. Pages with foreign
 * references are marked kept first: split_page() wants the counts the
 * buddy allocator gave (0 after the first page) and sets its own, and
 * gomem's go back on after it. h->lock held.
 */
static void split_block(struct gomem_heap *h, struct gomem_chunk *c,
			unsigned int start, unsigned int end)
{
	unsigned long addr = chunk_addr(c, start);
	unsigned long len = (unsigned long)(end - start) << GOMEM_PAGE_SHIFT;
	unsigned int i;

	lockdep_assert_held(&h->lock);
	keep_foreign(h, c, start, end);
	refs_unhold_block(addr, len);
	split_page(kpage(addr), ilog2(end - start) + GOMEM_PAGE_ORDER);
	refs_set(addr, len, GOMEM_PAGE_REFS);
	for (i = start; i < end; i++) {
		__set_bit(i, c->block_start);
		__set_bit(i, c->split);
	}
	h->st.split_blocks++;
}

/*
 * Take free pages out of the blocks of @c in [lo, hi) (block boundaries)
 * while the node has more than @keep free pages: wholly free blocks whole,
 * when they fit above @keep, and, if @partial, the free pages of partly used
 * blocks, which are split for it. With @cut, a wholly free block that does
 * not fit above @keep is split too, and only what is above @keep goes (the
 * shrinker: exactly what reclaim asked for). Frees @c when it holds nothing
 * more. h->lock held. Returns pages taken.
 */
static unsigned long release_range(struct gomem_heap *h, struct gomem_chunk *c,
				   unsigned int lo, unsigned int hi, unsigned long keep,
				   bool partial, bool cut, struct release_batch *rb)
{
	unsigned int pg, s, e, n0 = rb->n;

	lockdep_assert_held(&h->lock);
	for (pg = find_next_bit(c->held, hi, lo); pg < hi && h->pa.free_pages > keep;
	     pg = find_next_bit(c->held, hi, e)) {
		chunk_block(c, pg, &s, &e);
		if (test_bit(s, c->split)) {
			/* a stretch of split pages: their free runs go */
			e = min(find_next_zero_bit(c->split, hi, s),
				find_next_zero_bit(c->held, hi, s));
			if (partial)
				take_split(h, c, s, e, keep, rb);
			continue;
		}
		if (chunk_range_free(c, s, e)) {
			if (!refs_clean(chunk_addr(c, s),
					(unsigned long)(e - s) << GOMEM_PAGE_SHIFT)) {
				/* its clean pages go, split; the others stay */
				split_block(h, c, s, e);
				take_split(h, c, s, e, keep, rb);
			} else if (h->pa.free_pages >= keep + (e - s)) {
				take_block(h, c, s, e, rb);
			} else if (cut) {
				split_block(h, c, s, e);
				take_split(h, c, s, e, keep, rb);
			}
			continue;
		}
		if (!partial || e - s == 1 || find_next_zero_bit(c->alloc, e, s) >= e)
			continue;	/* nothing free in it, or not now */
		split_block(h, c, s, e);
		take_split(h, c, s, e, keep, rb);
	}
	if (!c->nheld) {
		list_del(&c->link);
		h->nr_chunks--;
		gomem_chunk_remove(c);
		kfree_rcu(c, rcu);
	}
	return rb->n - n0;
}

/* Give the pages of @rb to the buddy allocator. Without h->lock. */
static void release_flush(struct release_batch *rb)
{
	unsigned int s, e, nw, nz;
	unsigned long a;

	if (!rb->n)
		return;
	for_each_set_bit(s, rb->whole_start, GOMEM_CHUNK_PAGES) {
		nw = find_next_bit(rb->whole_start, GOMEM_CHUNK_PAGES, s + 1);
		nz = find_next_zero_bit(rb->whole, GOMEM_CHUNK_PAGES, s);
		e = min(nw, nz);
		a = rb->base + ((unsigned long)s << GOMEM_PAGE_SHIFT);
		refs_unhold_block(a, (unsigned long)(e - s) << GOMEM_PAGE_SHIFT);
		__free_pages(kpage(a), ilog2(e - s) + GOMEM_PAGE_ORDER);
	}
	for (s = find_next_bit(rb->single, GOMEM_CHUNK_PAGES, 0); s < GOMEM_CHUNK_PAGES;
	     s = find_next_bit(rb->single, GOMEM_CHUNK_PAGES, e)) {
		e = find_next_zero_bit(rb->single, GOMEM_CHUNK_PAGES, s);
		a = rb->base + ((unsigned long)s << GOMEM_PAGE_SHIFT);
		refs_set(a, (unsigned long)(e - s) << GOMEM_PAGE_SHIFT, 1);
		free_pages_exact(__va(a), (unsigned long)(e - s) << GOMEM_PAGE_SHIFT);
	}
	rb->n = 0;
}

/*
 * After a free of [base, base + npages) (at most one chunk long, so in at
 * most two chunks): while the node keeps more than @keep free pages, take
 * the wholly free blocks it touched, and, when the node has more than twice
 * @keep free pages, the free pages of the chunks it touched, into @rb[0]
 * and @rb[1]. h->lock held.
 */
static void trim_range(struct gomem_heap *h, unsigned long base,
		       unsigned long npages, unsigned long keep,
		       struct release_batch rb[2])
{
	unsigned long addr = base, end = base + (npages << GOMEM_PAGE_SHIFT), next;
	bool partial = h->pa.free_pages > 2 * keep;
	unsigned int lo, hi, s, e;
	struct gomem_chunk *c;
	int i;

	lockdep_assert_held(&h->lock);
	for (i = 0; i < 2 && addr < end && h->pa.free_pages > keep; i++, addr = next) {
		c = gomem_chunk_lookup(gomem_chunk_index(addr));
		next = min(end, c->base + GOMEM_CHUNK_SIZE);
		if (partial) {
			lo = 0;
			hi = GOMEM_CHUNK_PAGES;
		} else {
			chunk_block(c, gomem_chunk_page(addr), &lo, &e);
			chunk_block(c, gomem_chunk_page(next - 1), &s, &hi);
		}
		batch_init(&rb[i], c);
		release_range(h, c, lo, hi, keep, partial, false, &rb[i]);
	}
}

static unsigned int flush_hot(struct gomem_heap *h, struct gomem_span **out);
static void free_flushed(struct gomem_heap *h, struct gomem_span *spans);

/*
 * Give the hot spans back to the page heap, then release free pages chunk
 * by chunk while more than @keep are free (see release_range() for @cut).
 * Each chunk is visited once, head first, and moved to the tail. h->lock
 * is dropped after the hot spans, after every chunk that gave
 * pages (to hand them to the buddy allocator) and after every
 * GOMEM_RELEASE_SKIP chunks without free pages: a lock hold covers at
 * most one chunk's release or that many skips.
 */
static unsigned long heap_release(struct gomem_heap *h, unsigned long keep, bool cut)
{
	unsigned long flags, done = 0, n, i, skipped = 0;
	struct release_batch rb;
	struct gomem_chunk *c;
	struct gomem_span *hot = NULL;

	spin_lock_irqsave(&h->lock, flags);
	if (flush_hot(h, &hot)) {
		spin_unlock_irqrestore(&h->lock, flags);
		free_flushed(h, hot);
		spin_lock_irqsave(&h->lock, flags);
	}
	n = h->nr_chunks;
	for (i = 0; i < n && h->pa.free_pages > keep && !list_empty(&h->chunks); i++) {
		c = list_first_entry(&h->chunks, struct gomem_chunk, link);
		list_move_tail(&c->link, &h->chunks);
		if (!c->nfree) {
			if (++skipped % GOMEM_RELEASE_SKIP == 0) {
				spin_unlock_irqrestore(&h->lock, flags);
				spin_lock_irqsave(&h->lock, flags);
			}
			continue;
		}
		batch_init(&rb, c);
		done += release_range(h, c, 0, GOMEM_CHUNK_PAGES, keep, true, cut, &rb);
		spin_unlock_irqrestore(&h->lock, flags);
		release_flush(&rb);
		spin_lock_irqsave(&h->lock, flags);
	}
	spin_unlock_irqrestore(&h->lock, flags);
	if (done)
		trace_gomem_heap_release(h->node, done);
	return done;
}

/**
 * gomem_heap_release() - give free pages back to the buddy allocator
 * @h: the node's heap
 * @keep: free pages to keep
 *
 * Wholly free blocks go back whole, the free pages of partly used blocks
 * page by page, chunk by chunk, while more than @keep pages are free.
 * Drops h->lock between chunks. Context: any, but it may take a while.
 *
 * Return: gomem pages released.
 */
unsigned long gomem_heap_release(struct gomem_heap *h, unsigned long keep)
{
	return heap_release(h, keep, false);
}

/**
 * gomem_heap_shrink() - give about @nr free pages back to the buddy allocator
 * @h: the node's heap
 * @nr: gomem pages wanted
 *
 * First what can go without cutting a wholly free block (free pages of
 * partly used blocks, page by page; wholly free blocks that fit in @nr);
 * then, if that was not enough, wholly free blocks are split and only the
 * pages still wanted go: reclaim gets what it asked for, not a whole 4 MiB
 * block per request.
 *
 * Return: gomem pages released.
 */
unsigned long gomem_heap_shrink(struct gomem_heap *h, unsigned long nr)
{
	unsigned long free, done;

	free = READ_ONCE(h->pa.free_pages) + READ_ONCE(h->hot_pages);
	if (!nr || !free)
		return 0;
	done = heap_release(h, free > nr ? free - nr : 0, false);
	if (done >= nr)
		return done;
	free = READ_ONCE(h->pa.free_pages);
	return done + heap_release(h, free > nr - done ? free - (nr - done) : 0, true);
}

/**
 * gomem_heap_reclaimable() - free pages held over all nodes, in kernel pages
 *
 * Return: an estimate for the shrinker's count callback.
 */
unsigned long gomem_heap_reclaimable(void)
{
	unsigned long n = 0;
	int node;

	for_each_node(node)
		if (gomem_heaps[node])
			n += READ_ONCE(gomem_heaps[node]->pa.free_pages) +
			     READ_ONCE(gomem_heaps[node]->hot_pages);
	return n << GOMEM_PAGE_ORDER;
}

/**
 * gomem_heap_held() - pages held from the buddy allocator over all nodes
 *
 * Return: kernel pages, read without a lock.
 */
unsigned long gomem_heap_held(void)
{
	unsigned long n = 0;
	int node;

	for_each_node(node)
		if (gomem_heaps[node])
			n += READ_ONCE(gomem_heaps[node]->pa.held_pages);
	return n << GOMEM_PAGE_ORDER;
}

/*
 * The largest order heap_grow() tries under init_on_alloc. The buddy
 * allocator then zeroes every page it hands out (and gomem zeroes each
 * object again as it is allocated), so a 4 MiB block would make the
 * allocation that grows the heap zero 4 MiB, most of it for objects nobody
 * has asked for yet: a cold start (a first allocation, or one after a
 * shrink) would cost 40,000 instructions. The heap grows instead by an
 * eighth of the pages the node has in use, at least the request: a cold
 * allocation zeroes its own span, and a growing heap still takes few, ever
 * larger blocks (a page at a time would cost 10 % more instructions per
 * object at a million objects).
 */
static unsigned int grow_order_zeroed(struct gomem_heap *h)
{
	unsigned long used = READ_ONCE(h->pa.held_pages) - READ_ONCE(h->pa.free_pages);

	return ilog2(used / 8 + 1) + GOMEM_PAGE_ORDER;
}

/*
 * Take a block of at least @npages pages from the buddy allocator and add it
 * to the heap; *@grown gets its address. A buddy block is naturally
 * aligned: a block of order_base_2(n) pages holds a run of n pages aligned
 * to any power of two up to n. Called without h->lock; may sleep when @gfp
 * allows.
 */
static int heap_grow(struct gomem_heap *h, unsigned long npages, gfp_t gfp,
		     unsigned long *grown)
{
	unsigned int min_order = order_base_2(npages) + GOMEM_PAGE_ORDER, order, top;
	struct gomem_chunk *c, *fresh = NULL;
	unsigned long flags, addr, base, n;
	struct page *page = NULL;
	unsigned int first, i;
	int err;

	if (min_order > GOMEM_CHUNK_ORDER)
		return -E2BIG;
	gfp = (gfp & ~(__GFP_ZERO | __GFP_COMP)) | __GFP_THISNODE;
	top = GOMEM_CHUNK_ORDER;
	if (want_init_on_alloc(gfp))
		top = clamp(grow_order_zeroed(h), min_order, top);
	/* an injected failure fails the whole growth, whatever the order */
	if (gomem_should_fail(GOMEM_FAULT_GROW))
		min_order = top + 1;
	for (order = top; order >= min_order; order--) {
		gfp_t g = gfp;

		/* opportunistic large blocks: no retrying, no warning */
		if (order > min_order)
			g = (gfp | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_NOFAIL;
		page = alloc_pages_node(h->node, g, order);
		if (page)
			break;
	}
	if (!page) {
		spin_lock_irqsave(&h->lock, flags);
		h->st.grow_failures++;
		spin_unlock_irqrestore(&h->lock, flags);
		return -ENOMEM;
	}
	addr = __pa(page_address(page));
	base = addr & ~(GOMEM_CHUNK_SIZE - 1);
	n = 1UL << (order - GOMEM_PAGE_ORDER);
	/* gomem's references, before h->lock (interrupts off under it) */
	refs_set(addr, n << GOMEM_PAGE_SHIFT, GOMEM_PAGE_REFS);
	err = gomem_arena_prepare(base, meta_gfp(gfp));
	if (!err)
		err = gomem_pagealloc_prepare(&h->pa, addr, n, meta_gfp(gfp));
	/* a chunk struct, unless one exists (we only test the pointer) */
	if (!err && !gomem_chunk_lookup(gomem_chunk_index(base)))
		fresh = gomem_meta_alloc(kzalloc_node(sizeof(*fresh), meta_gfp(gfp), h->node));
	if (err)
		goto fail;

	spin_lock_irqsave(&h->lock, flags);
	c = gomem_chunk_lookup(gomem_chunk_index(base));
	if (!c) {
		err = -EAGAIN;	/* the chunk we saw was released meanwhile: retry */
		if (!fresh)
			goto fail_unlock;
		c = fresh;
		fresh = NULL;
		bitmap_fill(c->alloc, GOMEM_CHUNK_PAGES);
		c->base = base;
		c->node = h->node;
		err = gomem_chunk_insert(c);
		if (err) {	/* another node's memory in the same 4 MiB */
			fresh = c;
			goto fail_unlock;
		}
		list_add_tail(&c->link, &h->chunks);
		h->nr_chunks++;
	} else if (c->node != h->node) {
		err = -EEXIST;
		goto fail_unlock;
	}
	first = gomem_chunk_page(addr);
	for (i = first; i < first + n; i++) {
		__set_bit(i, c->held);
		__clear_bit(i, c->kept);
	}
	/* the buddy allocator zeroed it: see "Zeroed pages" */
	if (want_init_on_alloc(gfp)) {
		bitmap_set(c->zeroed, first, n);
		h->zeroed_pages += n;
	}
	__set_bit(first, c->block_start);
	gomem_pagealloc_grow(&h->pa, addr, n);
	h->st.grown_blocks++;
	if (order < top)
		h->st.fallback_blocks++;
	spin_unlock_irqrestore(&h->lock, flags);
	kfree(fresh);
	trace_gomem_heap_grow(h->node, n);
	*grown = addr;
	return 0;

fail_unlock:
	h->st.grow_failures++;
	spin_unlock_irqrestore(&h->lock, flags);
fail:
	kfree(fresh);
	refs_unhold_block(addr, n << GOMEM_PAGE_SHIFT);
	__free_pages(page, order);
	return err;
}

/* Point every page of @s at it (or at NULL). h->lock held. */
static void map_span(struct gomem_span *s, struct gomem_span *val)
{
	unsigned long addr = s->base, end = s->base + ((unsigned long)s->npages << GOMEM_PAGE_SHIFT);
	struct gomem_chunk *c = NULL;

	lockdep_assert_held(&gomem_heaps[s->node]->lock);
	for (; addr < end; addr += GOMEM_PAGE_SIZE) {
		if (!c || gomem_chunk_page(addr) == 0)
			c = gomem_chunk_lookup(gomem_chunk_index(addr));
		WRITE_ONCE(c->spans[gomem_chunk_page(addr)], val);
	}
}

/*
 * Unmap @s and give its pages back to the page heap (the struct stays for
 * span_release()). h->lock held.
 */
static void span_pages_back(struct gomem_heap *h, struct gomem_span *s)
{
	lockdep_assert_held(&h->lock);
	map_span(s, NULL);
	/* after the unmap, before the pages can be reused: see gomem_free_hint */
	smp_mb__before_atomic();
	atomic_long_inc(&gomem_span_gen);
	gomem_pagealloc_free(&h->pa, s->base, s->npages);
}

/* Free the struct of @s, whose pages went back. Without h->lock. */
static void span_release(struct gomem_heap *h, struct gomem_span *s)
{
	s->state = GOMEM_SPAN_DEAD;
	kfree(s->tags);		/* a tagged class's (mcentral.c) */
	s->tags = NULL;
	gomem_fixalloc_free(&h->spanalloc, s);
}

/*
 * An allocation of @npages pages at @align pages from a hot span of @h, or
 * NULL; @large: for a large object (its counters). Looks at the
 * GOMEM_HOT_SCAN most recently freed spans of that size. Takes h->lock.
 */
static struct gomem_span *take_hot(struct gomem_heap *h, unsigned long npages,
				   unsigned long align, bool large)
{
	struct gomem_span **link = &h->hot[npages - 1], *s;
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&h->lock, flags);
	for (n = 0; (s = *link) && n < GOMEM_HOT_SCAN; n++, link = &s->hot_next) {
		if (IS_ALIGNED(s->base, align << GOMEM_PAGE_SHIFT))
			break;
	}
	if (s && n < GOMEM_HOT_SCAN) {
		*link = s->hot_next;
		if (!h->hot[npages - 1])
			WRITE_ONCE(h->hot_sizes, h->hot_sizes & ~BIT(npages - 1));
		h->nhot--;
		WRITE_ONCE(h->hot_pages, h->hot_pages - npages);
		h->st.hot_hits++;
		h->st.spans_inuse++;
		if (large) {
			h->st.large_allocs++;
			h->st.large_pages_inuse += npages;
		}
	} else {
		s = NULL;
	}
	spin_unlock_irqrestore(&h->lock, flags);
	if (s) {
		s->needzero = 1;
		WRITE_ONCE(s->cpu, -1);
		INIT_LIST_HEAD(&s->list);
		if (large && s->tags) {	/* a class's, kept for its next class */
			kfree(s->tags);
			s->tags = NULL;
		}
	}
	return s;
}

/*
 * Keep the freed span @s hot, if it fits. A tagged class's span keeps its
 * tags and nelems for the next class (gomem_mcentral_new_span()). h->lock
 * held.
 */
static bool keep_hot(struct gomem_heap *h, struct gomem_span *s)
{
	lockdep_assert_held(&h->lock);
	if (s->npages > GOMEM_HOT_MAX_PAGES || h->hot_pages + s->npages > GOMEM_HOT_PAGES ||
	    h->pa.free_pages + h->hot_pages + s->npages > gomem_retain_pages)
		return false;
	if (s->state != GOMEM_SPAN_FREEING) {
		/* a class's span: frees through it are double frees from now on */
		WRITE_ONCE(s->state, GOMEM_SPAN_FREEING);
		/* and the free hints that name it are stale: see gomem_free_hint */
		smp_mb__before_atomic();
		atomic_long_inc(&gomem_span_gen);
	}
	s->hot_next = h->hot[s->npages - 1];
	h->hot[s->npages - 1] = s;
	h->nhot++;
	WRITE_ONCE(h->hot_pages, h->hot_pages + s->npages);
	WRITE_ONCE(h->hot_sizes, h->hot_sizes | BIT(s->npages - 1));
	return true;
}

/*
 * Give every hot span's pages back to the page heap; the spans are chained
 * onto *@out, for free_flushed() once h->lock is dropped. Return: how
 * many. h->lock held.
 */
static unsigned int flush_hot(struct gomem_heap *h, struct gomem_span **out)
{
	unsigned int n = h->nhot, i;
	struct gomem_span *s;

	lockdep_assert_held(&h->lock);
	if (!n)
		return 0;
	for (i = 0; i < GOMEM_HOT_MAX_PAGES; i++) {
		while ((s = h->hot[i])) {
			h->hot[i] = s->hot_next;
			span_pages_back(h, s);
			s->hot_next = *out;
			*out = s;
		}
	}
	h->nhot = 0;
	WRITE_ONCE(h->hot_pages, 0);
	WRITE_ONCE(h->hot_sizes, 0);
	return n;
}

/* span_release() each span of a chain from flush_hot(). Without h->lock. */
static void free_flushed(struct gomem_heap *h, struct gomem_span *spans)
{
	struct gomem_span *s;

	while ((s = spans)) {
		spans = s->hot_next;
		span_release(h, s);
	}
}

/*
 * Clear the zeroed bits of the pages of @s, just taken from the heap.
 * Return: whether every one was set (the span holds zeroes). h->lock held.
 */
static bool take_zeroed(struct gomem_heap *h, struct gomem_span *s)
{
	unsigned long addr = s->base, end = s->base + ((unsigned long)s->npages << GOMEM_PAGE_SHIFT);
	unsigned int first, n, set;
	struct gomem_chunk *c;
	bool zeroed = true;

	lockdep_assert_held(&h->lock);
	if (!h->zeroed_pages)	/* no init_on_alloc, or none left */
		return false;
	while (addr < end) {
		c = gomem_chunk_lookup(gomem_chunk_index(addr));
		first = gomem_chunk_page(addr);
		n = min_t(unsigned long, GOMEM_CHUNK_PAGES - first, (end - addr) >> GOMEM_PAGE_SHIFT);
		set = gomem_pallocbits_count_set(c->zeroed, first, n);
		if (set) {
			h->zeroed_pages -= set;
			bitmap_clear(c->zeroed, first, n);
		}
		zeroed &= set == n;
		addr += (unsigned long)n << GOMEM_PAGE_SHIFT;
	}
	return zeroed;
}

/*
 * @large: the span is a large object's (gomem_large_alloc()): its counters
 * are bumped in the same h->lock section that maps it.
 */
static struct gomem_span *heap_alloc_span_node(struct gomem_heap *h, unsigned long npages,
					       unsigned long align, gfp_t gfp, bool large)
{
	unsigned long flags, base, grown = 0;
	struct gomem_span *s, *hot = NULL;
	int tries, err;

	/* a lockless look first: a span of this size is (or just was) hot */
	if (npages <= GOMEM_HOT_MAX_PAGES && (READ_ONCE(h->hot_sizes) & BIT(npages - 1))) {
		s = take_hot(h, npages, align, large);
		if (s)
			return s;
	}
	s = gomem_fixalloc_alloc(&h->spanalloc, meta_gfp(gfp));
	if (!s)
		return NULL;
	for (tries = 0;; tries++) {
		spin_lock_irqsave(&h->lock, flags);
		base = gomem_pagealloc_alloc_aligned(&h->pa, npages, align, grown);
		if (!base && flush_hot(h, &hot)) {
			/* before the heap grows: the hot spans' pages may do */
			base = gomem_pagealloc_alloc_aligned(&h->pa, npages, align, 0);
		}
		if (base) {
			s->base = base;
			s->start = __va(base);
			s->npages = npages;
			s->node = h->node;
			WRITE_ONCE(s->cpu, -1);
			INIT_LIST_HEAD(&s->list);
			map_span(s, s);
			s->needzero = !take_zeroed(h, s);
			h->st.spans_inuse++;
			if (large) {
				h->st.large_allocs++;
				h->st.large_pages_inuse += npages;
			}
			spin_unlock_irqrestore(&h->lock, flags);
			free_flushed(h, hot);
			return s;
		}
		spin_unlock_irqrestore(&h->lock, flags);
		free_flushed(h, hot);
		hot = NULL;
		/* others may take what we grow: a few rounds, then give up */
		if (tries == 4)
			break;
		err = heap_grow(h, max(npages, align), gfp, &grown);
		if (err && err != -EAGAIN)
			break;
	}
	gomem_fixalloc_free(&h->spanalloc, s);
	return NULL;
}

/* the @i-th node gomem_heap_alloc_span() tries after @node, or -1 to skip */
static int fallback_node(int node, int i)
{
	int n = (node + i) % nr_node_ids;

	if (i && (!gomem_heaps[n] || !node_state(n, N_MEMORY)))
		return -1;
	return n;
}

/* gomem_heap_alloc_span_aligned(); @large as for heap_alloc_span_node() */
static struct gomem_span *heap_alloc_span(int node, unsigned long npages,
					  unsigned long align, gfp_t gfp, bool large)
{
	gfp_t quick = (gfp | __GFP_NOWARN | __GFP_NORETRY) & ~(__GFP_DIRECT_RECLAIM | __GFP_NOFAIL);
	struct gomem_span *s;
	int i, n, last = 0;

	if (WARN_ON_ONCE(!npages || npages > GOMEM_CHUNK_PAGES ||
			 !is_power_of_2(align) || align > GOMEM_CHUNK_PAGES))
		return NULL;
	if (node == NUMA_NO_NODE || !gomem_node_valid(node))
		node = numa_mem_id();
	if (gfp & __GFP_THISNODE)
		return heap_alloc_span_node(gomem_heaps[node], npages, align, gfp, large);
	for (i = 0; i < nr_node_ids; i++) {
		n = fallback_node(node, i);
		if (n < 0)
			continue;
		last = i;
		s = heap_alloc_span_node(gomem_heaps[n], npages, align, quick, large);
		if (s)
			return s;
	}
	for (i = 0; i <= last; i++) {
		n = fallback_node(node, i);
		if (n < 0)
			continue;
		s = heap_alloc_span_node(gomem_heaps[n], npages, align,
					 i < last ? gfp | __GFP_NOWARN : gfp, large);
		if (s)
			return s;
	}
	return NULL;
}

/**
 * gomem_heap_alloc_span_aligned() - take an aligned run of pages as a span
 * @node: preferred node, or NUMA_NO_NODE for the current CPU's
 * @npages: gomem pages, 1 to GOMEM_CHUNK_PAGES
 * @align: the span's address is a multiple of @align gomem pages: a power
 *	of two, 1 to GOMEM_CHUNK_PAGES (gomem_pagealloc_alloc_aligned())
 * @gfp: allocation context; with __GFP_THISNODE, no other node is tried
 *
 * Memory comes from @node whenever @node has memory to give; otherwise from
 * the other nodes in turn, unless @gfp has __GFP_THISNODE. Two passes over
 * the nodes: the first asks each node's free lists only (no direct reclaim,
 * __GFP_NORETRY, __GFP_NOWARN), so that a node short of memory neither
 * reclaims nor warns while another has memory to give; the second asks
 * with @gfp, quietly for every node but the last, which keeps @gfp's
 * warning: the buddy allocator warns only when every node failed and the
 * caller did not pass __GFP_NOWARN. With __GFP_THISNODE, one attempt with
 * @gfp.
 *
 * Return: the span (state still GOMEM_SPAN_DEAD: the caller sets it up), or
 * NULL.
 */
struct gomem_span *gomem_heap_alloc_span_aligned(int node, unsigned long npages,
						 unsigned long align, gfp_t gfp)
{
	return heap_alloc_span(node, npages, align, gfp, false);
}

/**
 * gomem_heap_alloc_span() - take a run of pages as a span
 * @node: preferred node, or NUMA_NO_NODE for the current CPU's
 * @npages: gomem pages, 1 to GOMEM_CHUNK_PAGES
 * @gfp: allocation context, as for gomem_heap_alloc_span_aligned()
 *
 * Return: the span (8 KiB aligned, state GOMEM_SPAN_DEAD), or NULL.
 */
struct gomem_span *gomem_heap_alloc_span(int node, unsigned long npages, gfp_t gfp)
{
	return gomem_heap_alloc_span_aligned(node, npages, 1, gfp);
}

/*
 * gomem_heap_free_span(); @large: a large object's span, whose counters are
 * dropped in the same h->lock section that unmaps it; @hot: the span may be
 * kept hot.
 */
static void heap_free_span(struct gomem_span *s, bool large, bool hot)
{
	struct gomem_heap *h = gomem_heaps[s->node];
	struct release_batch rb[2];
	unsigned long flags;
	bool trim;

	trace_gomem_span_free(s);
	spin_lock_irqsave(&h->lock, flags);
	if (large) {
		h->st.large_frees++;
		h->st.large_pages_inuse -= s->npages;
	}
	if (hot && keep_hot(h, s)) {
		h->st.spans_inuse--;
		spin_unlock_irqrestore(&h->lock, flags);
		return;
	}
	span_pages_back(h, s);
	h->st.spans_inuse--;
	/*
	 * Hot pages are not counted: a 4 MiB object's block, which the
	 * limit keeps, would go back at every free while a few hot spans
	 * sit elsewhere (they were within the limit when kept, and add at
	 * most GOMEM_HOT_PAGES to it)
	 */
	trim = h->pa.free_pages > gomem_retain_pages;
	if (trim) {
		rb[0].n = 0;
		rb[1].n = 0;
		trim_range(h, s->base, s->npages, gomem_retain_pages, rb);
	}
	spin_unlock_irqrestore(&h->lock, flags);
	if (trim) {
		release_flush(&rb[0]);
		release_flush(&rb[1]);
	}
	span_release(h, s);
}

/**
 * gomem_heap_free_span() - give a span's pages back to its node's heap
 * @s: a span from gomem_heap_alloc_span(), no longer in use
 */
void gomem_heap_free_span(struct gomem_span *s)
{
	heap_free_span(s, false, false);
}

/**
 * gomem_heap_put_span() - give a class's empty span back to its node's heap
 * @s: a span from gomem_heap_alloc_span(), no longer in use
 *
 * As gomem_heap_free_span(), but the span may be kept hot (see the top of
 * mheap.c) for the next span of its size on its node.
 */
void gomem_heap_put_span(struct gomem_span *s)
{
	heap_free_span(s, false, true);
}

/**
 * gomem_large_alloc() - a large object straight from the page heap
 * @size: bytes, above GOMEM_MAX_SMALL_SIZE and at most GOMEM_CHUNK_SIZE
 * @gfp: allocation context
 * @node: preferred node or NUMA_NO_NODE
 *
 * A power-of-two @size is aligned to itself, as the kernel's kmalloc()
 * guarantees (64 KiB to 4 MiB: 8 to 512 pages, within one chunk).
 *
 * Return: the object (8 KiB aligned; @size aligned for a power of two),
 * or NULL.
 */
void *gomem_large_alloc(size_t size, gfp_t gfp, int node)
{
	unsigned long npages = DIV_ROUND_UP(size, GOMEM_PAGE_SIZE);
	struct gomem_span *s;

	if (!size || npages > GOMEM_CHUNK_PAGES)
		return NULL;
	s = heap_alloc_span(node, npages, is_power_of_2(size) ? npages : 1, gfp, true);
	if (!s)
		return NULL;
	s->elemsize = npages << GOMEM_PAGE_SHIFT;
	s->nelems = 1;
	s->alloc_count = 1;
	s->spanclass = 0;
	trace_gomem_span_alloc(s);
	/* publish the state last: a racing bogus free must not see it early */
	smp_store_release(&s->state, GOMEM_SPAN_LARGE);
	if (want_init_on_alloc(gfp) && s->needzero)
		memset(s->start, 0, s->elemsize);
	return s->start;
}

/**
 * gomem_large_free() - free a large object
 * @s: its span (state GOMEM_SPAN_LARGE)
 * @p: the object; must be the span's start
 */
void gomem_large_free(struct gomem_span *s, const void *p)
{
	if (want_init_on_free())
		memset(s->start, 0, s->elemsize);
	heap_free_span(s, true, true);
}

/**
 * gomem_heap_snapshot() - a consistent copy of one node's figures
 * @h: the node's heap
 * @st: filled with its counters
 * @held: gomem pages held from the buddy allocator
 * @free: of which free
 */
void gomem_heap_snapshot(struct gomem_heap *h, struct gomem_heap_stats *st,
			 unsigned long *held, unsigned long *free)
{
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	*st = h->st;
	st->hot_pages = h->hot_pages;
	*held = h->pa.held_pages;
	*free = h->pa.free_pages + h->hot_pages;
	spin_unlock_irqrestore(&h->lock, flags);
}

/**
 * gomem_heap_exit() - release every node's memory and metadata
 *
 * Every span must have been freed; pages still in use are reported and
 * leaked rather than handed back to the buddy allocator while in use.
 */
void gomem_heap_exit(void)
{
	struct gomem_heap *h;
	int node;

	for_each_node(node) {
		h = gomem_heaps[node];
		if (!h)
			continue;
		gomem_heap_release(h, 0);
		if (h->pa.held_pages > h->pa.free_pages)
			pr_err("gomem: node %d: %lu pages still in use at exit, leaked\n",
			       node, h->pa.held_pages - h->pa.free_pages);
		/* what a full release leaves free: kept pages */
		if (h->pa.free_pages)
			pr_err("gomem: node %d: %lu KiB never given back: pages with references gomem did not take, leaked\n",
			       node, h->pa.free_pages << (GOMEM_PAGE_SHIFT - 10));
		gomem_fixalloc_destroy(&h->spanalloc);
		gomem_pagealloc_destroy(&h->pa);
		kfree(h);
		gomem_heaps[node] = NULL;
	}
}
