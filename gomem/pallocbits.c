// SPDX-License-Identifier: GPL-2.0
/*
 * pallocBits: one chunk's page bitmap (see pallocbits.h), after Go's
 * runtime/mpallocbits.go.
 *
 * Everything here works on 64-bit words: runs of free pages are found and
 * measured with count-trailing-zeros, count-leading-zeros and shift-and-mask
 * tricks (findBitRange64 and the run shrinking in summarize), so the cost of
 * a search is a handful of operations per 64 pages. gomem is 64-bit only,
 * which lets the chunk bitmap's unsigned long words be used as Go's uint64.
 */
#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include "pallocbits.h"

static_assert(BITS_PER_LONG == 64);

/* Trailing and leading zero counts that are defined (64) for 0. */
static inline unsigned int ctz64(u64 x)
{
	return x ? __ffs64(x) : 64;
}

static inline unsigned int clz64(u64 x)
{
	return 64 - fls64(x);
}

/* Bits [lo, hi] of a word, 0 <= lo <= hi < 64. */
static inline u64 word_mask(unsigned int lo, unsigned int hi)
{
	return (~0ULL << lo) & (~0ULL >> (63 - hi));
}

/*
 * The longest run of zeros strictly inside a word of a bitmap whose global
 * longest run so far is @max, or @max if there is none longer. @x is
 * non-zero: the runs touching the word's ends were already counted.
 *
 * Go's strategy: shift ones down into the top of every run of zeros until
 * all runs shorter than or equal to @max are gone, doubling the shift as the
 * minimum run of ones doubles; whatever zeros remain extend the maximum.
 */
static unsigned int inner_max_run(u64 x, unsigned int max)
{
	unsigned int p, k, j;

	/* The trailing zeros are no longer than max: drop them. */
	x >>= ctz64(x) & 63;
	if (!(x & (x + 1)))	/* no zeros left, except at the top */
		return max;

	p = max;	/* zeros still to shave off each run */
	k = 1;		/* current minimum length of the runs of ones */
	for (;;) {
		while (p > 0) {
			if (p <= k) {
				x |= x >> (p & 63);
				if (!(x & (x + 1)))
					return max;
				break;
			}
			x |= x >> (k & 63);
			if (!(x & (x + 1)))
				return max;
			p -= k;
			k *= 2;
		}
		/* The lowest remaining run of zeros beats max by its length. */
		j = ctz64(~x);
		x >>= j & 63;
		j = ctz64(x);
		x >>= j & 63;
		max += j;
		if (!(x & (x + 1)))
			return max;
		p = j;
	}
}

/**
 * gomem_pallocbits_summarize() - pallocSum of a chunk bitmap
 * @b: chunk bitmap (GOMEM_CHUNK_WORDS words)
 *
 * Return: the packed (start, max, end) lengths of free runs: free pages at
 * the start of the chunk, the longest free run, free pages at the end.
 */
gomem_psum_t gomem_pallocbits_summarize(const unsigned long *b)
{
	unsigned int start = GOMEM_PALLOC_NONE, max = 0, cur = 0, i;

	for (i = 0; i < GOMEM_CHUNK_WORDS; i++) {
		u64 x = b[i];

		if (!x) {
			cur += 64;
			continue;
		}
		/* finish the run that spans into this word */
		cur += ctz64(x);
		if (start == GOMEM_PALLOC_NONE)
			start = cur;
		if (cur > max)
			max = cur;
		/* the run that may continue into the next word */
		cur = clz64(x);
	}
	if (start == GOMEM_PALLOC_NONE)
		return gomem_psum_pack(GOMEM_CHUNK_PAGES, GOMEM_CHUNK_PAGES,
				       GOMEM_CHUNK_PAGES);
	if (cur > max)
		max = cur;
	/* No run inside a word can beat 62. */
	if (max >= 64 - 2)
		return gomem_psum_pack(start, max, cur);
	/* Every word is non-zero here, or the first loop would have ended. */
	for (i = 0; i < GOMEM_CHUNK_WORDS; i++)
		max = inner_max_run(b[i], max);
	return gomem_psum_pack(start, max, cur);
}

/**
 * gomem_find_bit_range64() - first run of @n consecutive ones in a word
 * @c: the word
 * @n: run length, 1 <= n <= 64
 *
 * Removes the top n - 1 ones of every run of ones by shifting the word onto
 * itself (doubling the shift each round), then takes the first one left.
 *
 * Return: the index of the lowest bit of the first such run, or 64 (or more)
 * when there is none.
 */
unsigned int gomem_find_bit_range64(u64 c, unsigned int n)
{
	unsigned int p = n - 1;	/* ones to remove from the top of each run */
	unsigned int k = 1;	/* minimum length of the runs of zeros */

	while (p > 0) {
		if (p <= k) {
			c &= c >> (p & 63);
			break;
		}
		c &= c >> (k & 63);
		if (!c)
			return 64;
		p -= k;
		k *= 2;
	}
	return ctz64(c);
}

static unsigned int find1(const unsigned long *b, unsigned int search_idx)
{
	unsigned int i;

	for (i = search_idx / 64; i < GOMEM_CHUNK_WORDS; i++) {
		u64 x = b[i];

		if (~x)
			return i * 64 + ctz64(~x);
	}
	return GOMEM_PALLOC_NONE;
}

/* 2 <= npages <= 64: a fit crosses at most one word boundary. */
static unsigned int find_small(const unsigned long *b, unsigned int npages,
			       unsigned int search_idx, unsigned int *first_free)
{
	unsigned int end = 0, i, start, j;

	*first_free = GOMEM_PALLOC_NONE;
	for (i = search_idx / 64; i < GOMEM_CHUNK_WORDS; i++) {
		u64 x = b[i];

		if (!~x) {
			end = 0;
			continue;
		}
		if (*first_free == GOMEM_PALLOC_NONE)
			*first_free = i * 64 + ctz64(~x);
		/* the previous word's free top plus this word's free bottom */
		start = ctz64(x);
		if (end + start >= npages)
			return i * 64 - end;
		/* inside this word */
		j = gomem_find_bit_range64(~x, npages);
		if (j < 64)
			return i * 64 + j;
		end = clz64(x);
	}
	return GOMEM_PALLOC_NONE;
}

/* npages > 64: a fit crosses at least one word boundary. */
static unsigned int find_large(const unsigned long *b, unsigned int npages,
			       unsigned int search_idx, unsigned int *first_free)
{
	unsigned int start = GOMEM_PALLOC_NONE, size = 0, i, s;

	*first_free = GOMEM_PALLOC_NONE;
	for (i = search_idx / 64; i < GOMEM_CHUNK_WORDS; i++) {
		u64 x = b[i];

		if (!~x) {
			size = 0;
			continue;
		}
		if (*first_free == GOMEM_PALLOC_NONE)
			*first_free = i * 64 + ctz64(~x);
		if (!size) {
			/* a run can only start at the top of a word */
			size = clz64(x);
			start = i * 64 + 64 - size;
			continue;
		}
		s = ctz64(x);
		if (s + size >= npages)
			return start;
		if (s < 64) {
			size = clz64(x);
			start = i * 64 + 64 - size;
			continue;
		}
		size += 64;
	}
	return size >= npages ? start : GOMEM_PALLOC_NONE;
}

/**
 * gomem_pallocbits_find() - lowest run of free pages in a chunk bitmap
 * @b: chunk bitmap
 * @npages: run length, 1..GOMEM_CHUNK_PAGES
 * @search_idx: no page below this index is free; the search starts at the
 *	word that holds it
 * @first_free: set to the index of the first free page the search met (the
 *	new search index, as in Go), or GOMEM_PALLOC_NONE. Meaningful only
 *	when a run was found; for @npages == 1 it equals the result.
 *
 * Return: the index of the first page of the lowest run of @npages free
 * pages that lies inside the chunk, or GOMEM_PALLOC_NONE.
 */
unsigned int gomem_pallocbits_find(const unsigned long *b, unsigned int npages,
				   unsigned int search_idx,
				   unsigned int *first_free)
{
	unsigned int r;

	if (unlikely(!npages || npages > GOMEM_CHUNK_PAGES ||
		     search_idx >= GOMEM_CHUNK_PAGES)) {
		*first_free = GOMEM_PALLOC_NONE;
		return GOMEM_PALLOC_NONE;
	}
	if (npages == 1) {
		r = find1(b, search_idx);
		*first_free = r;
		return r;
	}
	if (npages <= 64)
		return find_small(b, npages, search_idx, first_free);
	return find_large(b, npages, search_idx, first_free);
}

/**
 * gomem_pallocbits_find_aligned() - lowest aligned run of free pages
 * @b: chunk bitmap
 * @npages: run length, 1..GOMEM_CHUNK_PAGES
 * @align: alignment of the run's first page, in pages: a power of two,
 *	1..GOMEM_CHUNK_PAGES (a chunk's page 0 is chunk-aligned, so an
 *	index aligned in the chunk is an address aligned as much)
 *
 * Walks the free runs, a word at a time (find_next_zero_bit() and
 * find_next_bit()), and takes the first whose first aligned page leaves
 * room for @npages before the run ends: at most 256 runs in a chunk.
 *
 * Return: the index of the first page of the lowest run of @npages free
 * pages that starts at a multiple of @align and lies inside the chunk, or
 * GOMEM_PALLOC_NONE.
 */
unsigned int gomem_pallocbits_find_aligned(const unsigned long *b,
					   unsigned int npages,
					   unsigned int align)
{
	unsigned int s, e = 0, a;

	if (unlikely(!npages || npages > GOMEM_CHUNK_PAGES || !align ||
		     align > GOMEM_CHUNK_PAGES || (align & (align - 1))))
		return GOMEM_PALLOC_NONE;
	for (s = find_next_zero_bit(b, GOMEM_CHUNK_PAGES, 0);
	     s + npages <= GOMEM_CHUNK_PAGES;
	     s = find_next_zero_bit(b, GOMEM_CHUNK_PAGES, e)) {
		e = find_next_bit(b, GOMEM_CHUNK_PAGES, s);
		a = ALIGN(s, align);
		if (a + npages <= e)
			return a;
	}
	return GOMEM_PALLOC_NONE;
}

/**
 * gomem_pallocbits_set_range() - mark pages in use
 * @b: chunk bitmap
 * @i: first page
 * @n: number of pages, i + n <= GOMEM_CHUNK_PAGES
 */
void gomem_pallocbits_set_range(unsigned long *b, unsigned int i,
				unsigned int n)
{
	unsigned int j = i + n - 1, k;

	if (!n)
		return;
	if (i / 64 == j / 64) {
		b[i / 64] |= word_mask(i % 64, j % 64);
		return;
	}
	b[i / 64] |= word_mask(i % 64, 63);
	for (k = i / 64 + 1; k < j / 64; k++)
		b[k] = ~0UL;
	b[j / 64] |= word_mask(0, j % 64);
}

/**
 * gomem_pallocbits_clear_range() - mark pages free
 * @b: chunk bitmap
 * @i: first page
 * @n: number of pages, i + n <= GOMEM_CHUNK_PAGES
 */
void gomem_pallocbits_clear_range(unsigned long *b, unsigned int i,
				  unsigned int n)
{
	unsigned int j = i + n - 1, k;

	if (!n)
		return;
	if (i / 64 == j / 64) {
		b[i / 64] &= ~word_mask(i % 64, j % 64);
		return;
	}
	b[i / 64] &= ~word_mask(i % 64, 63);
	for (k = i / 64 + 1; k < j / 64; k++)
		b[k] = 0;
	b[j / 64] &= ~word_mask(0, j % 64);
}

/**
 * gomem_pallocbits_count_set() - number of set bits in a range
 * @b: chunk bitmap (or any bitmap of GOMEM_CHUNK_PAGES bits)
 * @i: first bit
 * @n: number of bits, i + n <= GOMEM_CHUNK_PAGES
 *
 * Return: how many of the bits [i, i + n) are set.
 */
unsigned int gomem_pallocbits_count_set(const unsigned long *b, unsigned int i,
					unsigned int n)
{
	unsigned int j = i + n - 1, k, s;

	if (!n)
		return 0;
	if (i / 64 == j / 64)
		return hweight64(b[i / 64] & word_mask(i % 64, j % 64));
	s = hweight64(b[i / 64] & word_mask(i % 64, 63));
	for (k = i / 64 + 1; k < j / 64; k++)
		s += hweight64(b[k]);
	return s + hweight64(b[j / 64] & word_mask(0, j % 64));
}
