/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pallocBits: operations on one chunk's page bitmap (runtime/mpallocbits.go).
 *
 * A chunk's bitmap has GOMEM_CHUNK_PAGES (512) bits, one per gomem page,
 * stored as unsigned long words; bit i of the bitmap is bit i % 64 of word
 * i / 64. 1 means "in use, or not held by gomem"; 0 means free. Every
 * operation works a 64-bit word at a time (ctz, clz, popcount) as Go does,
 * never bit by bit.
 *
 * The functions take no locks: the caller owns the bitmap (the page heap's
 * lock in gomem).
 */
#ifndef _GOMEM_PALLOCBITS_H
#define _GOMEM_PALLOCBITS_H

#include <linux/types.h>
#include "pagealloc.h"

/* gomem_pallocbits_find() found nothing */
#define GOMEM_PALLOC_NONE	(~0U)

gomem_psum_t gomem_pallocbits_summarize(const unsigned long *b);
unsigned int gomem_pallocbits_find(const unsigned long *b, unsigned int npages,
				   unsigned int search_idx,
				   unsigned int *first_free);
unsigned int gomem_pallocbits_find_aligned(const unsigned long *b,
					   unsigned int npages,
					   unsigned int align);
unsigned int gomem_find_bit_range64(u64 c, unsigned int n);
void gomem_pallocbits_set_range(unsigned long *b, unsigned int i,
				unsigned int n);
void gomem_pallocbits_clear_range(unsigned long *b, unsigned int i,
				  unsigned int n);
unsigned int gomem_pallocbits_count_set(const unsigned long *b, unsigned int i,
					unsigned int n);

/**
 * gomem_pallocbits_count_free() - number of free (0) bits in a range
 * @b: chunk bitmap
 * @i: first bit
 * @n: number of bits, i + n <= GOMEM_CHUNK_PAGES
 *
 * Return: how many of the bits [i, i + n) are clear.
 */
static inline unsigned int gomem_pallocbits_count_free(const unsigned long *b,
						       unsigned int i,
						       unsigned int n)
{
	return n - gomem_pallocbits_count_set(b, i, n);
}

#endif /* _GOMEM_PALLOCBITS_H */
