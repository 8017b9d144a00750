// SPDX-License-Identifier: GPL-2.0
/*
 * The tiny allocator: noscan requests under 16 bytes packed into 16-byte
 * blocks, with Go's placement rules (align to 8, 4 or 2 by the size's
 * divisibility; a new block replaces the current one when it has more room
 * left).
 *
 * Go reclaims a block when the GC finds every part dead. gomem frees
 * explicitly, so each block has a one-byte count of the objects packed in it
 * that are still live, stored in the tail of its span (tiny spans give up
 * 1/17 of their objects for the counts: 481 blocks in an 8 KiB span). The
 * block goes back to its span when the count reaches zero.
 *
 * While a block is a CPU's current block, its count carries a bias of 0x80
 * and the CPU counts its allocations privately, so the allocation fast path
 * does no atomic read-modify-write. Retiring the block (replaced, or the CPU
 * drained) adds the allocations and removes the bias in one atomic step;
 * frees decrement atomically from any CPU. The count can reach zero only
 * after retirement, and reaching zero is seen by exactly one CPU, which
 * frees the block. A free that finds the count at zero is a double free.
 *
 * Per-CPU rules as in mcache.c: the state is touched by its CPU with
 * interrupts off, or by a control CPU after its CPU died.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/mm.h>
#include "gomem_internal.h"

#define TINY_BIAS	0x80

struct gomem_tiny {
	char *block;			/* current block, or NULL */
	unsigned int off;		/* first free byte in it */
	unsigned int nallocs;		/* objects placed in it */
};

static struct gomem_tiny __percpu *gomem_tiny_pcpu;

/**
 * gomem_tiny_nelems() - blocks in a tiny span, after room for their counts
 * @npages: the span's gomem pages
 *
 * Return: the number of 16-byte blocks.
 */
unsigned int gomem_tiny_nelems(unsigned int npages)
{
	return ((unsigned long)npages << GOMEM_PAGE_SHIFT) / (GOMEM_TINY_SIZE + 1);
}

static u8 *tiny_count(struct gomem_span *s, const void *block)
{
	unsigned long idx = ((unsigned long)block - (unsigned long)s->start) / GOMEM_TINY_SIZE;

	return (u8 *)s->start + s->nelems * GOMEM_TINY_SIZE + idx;
}

/**
 * gomem_tiny_span_init() - clear a fresh tiny span's block counts
 * @s: the span
 */
void gomem_tiny_span_init(struct gomem_span *s)
{
	memset((char *)s->start + s->nelems * GOMEM_TINY_SIZE, 0, s->nelems);
}

/* Add @delta to a block's count unless it is zero; returns the old count. */
static unsigned int tiny_count_add(u8 *c, int delta)
{
	u8 old = READ_ONCE(*c);

	do {
		if (!old)
			return 0;
	} while (!try_cmpxchg(c, &old, (u8)(old + delta)));
	return old;
}

/* Retire this CPU's current block. Interrupts off, or @t's CPU dead. */
static void tiny_retire(struct gomem_tiny *t)
{
	struct gomem_span *s = gomem_ptr_to_span(t->block);
	unsigned int old;

	old = tiny_count_add(tiny_count(s, t->block), (int)t->nallocs - TINY_BIAS);
	if ((u8)(old + t->nallocs - TINY_BIAS) == 0)
		gomem_class_free(s->cls, s, t->block, _RET_IP_);
	t->block = NULL;
	t->off = 0;
	t->nallocs = 0;
}

/**
 * gomem_tiny_alloc() - a noscan object under 16 bytes, packed
 * @size: 1 to 15 bytes
 * @gfp: allocation context
 *
 * Return: the object, or NULL.
 */
void *gomem_tiny_alloc(size_t size, gfp_t gfp)
{
	struct gomem_class *cls = &gomem_classes[GOMEM_TINY_SPANCLASS];
	struct gomem_tiny *t;
	unsigned long flags;
	unsigned int off;
	struct gomem_span *s;
	char *p;

	local_irq_save(flags);
	t = this_cpu_ptr(gomem_tiny_pcpu);
	off = t->off;
	if (!(size & 7))
		off = ALIGN(off, 8);
	else if (!(size & 3))
		off = ALIGN(off, 4);
	else if (!(size & 1))
		off = ALIGN(off, 2);
	if (likely(t->block && off + size <= GOMEM_TINY_SIZE)) {
		p = t->block + off;
		t->off = off + size;
		t->nallocs++;
		goto out;
	}
	p = gomem_mcache_alloc_locked(cls, gfp, &flags);
	if (unlikely(!p)) {
		local_irq_restore(flags);
		gomem_stat_add(GOMEM_STAT_FAILED_ALLOCS, 1);
		return NULL;
	}
	t = this_cpu_ptr(gomem_tiny_pcpu);	/* we may have moved */
	s = gomem_ptr_to_span(p);
	gomem_stat_add(GOMEM_STAT_TINY_BLOCKS, 1);
	if (!t->block || size < t->off) {
		if (t->block)
			tiny_retire(t);
		WRITE_ONCE(*tiny_count(s, p), TINY_BIAS);
		t->block = p;
		t->off = size;
		t->nallocs = 1;
	} else {
		WRITE_ONCE(*tiny_count(s, p), 1);	/* not current: just this object */
	}
out:
	gomem_stat_add(GOMEM_STAT_TINY_ALLOCS, 1);
	local_irq_restore(flags);
	if (want_init_on_alloc(gfp))
		memset(p, 0, size);
	return p;
}

/**
 * gomem_tiny_free() - free a tiny-packed object
 * @cache: the cache the caller named, or NULL, for reports
 * @s: its span (a tiny span)
 * @p: the object
 * @ip: the caller, for reports
 *
 * Interrupts are off.
 *
 * Return: false when the free was refused.
 */
bool gomem_tiny_free(struct gomem_cache *cache, struct gomem_span *s, void *p,
		     unsigned long ip)
{
	unsigned long off = (unsigned long)p - (unsigned long)s->start;
	char *block = (char *)s->start + ALIGN_DOWN(off, GOMEM_TINY_SIZE);
	unsigned int old;

	if (unlikely(off >= (unsigned long)s->nelems * GOMEM_TINY_SIZE)) {
		gomem_report_bad_free(cache, p, ip, "not a tiny object");
		return false;
	}
	old = tiny_count_add(tiny_count(s, block), -1);
	if (unlikely(!old)) {
		gomem_stat_add(GOMEM_STAT_DOUBLE_FREES, 1);
		gomem_report_bad_free(cache, p, ip, "double free of a tiny object");
		return false;
	}
	gomem_stat_add(GOMEM_STAT_TINY_FREES, 1);
	if (old == 1)
		gomem_class_free(s->cls, s, block, ip);
	return true;
}

/**
 * gomem_tiny_extent() - bytes from a tiny object to the end of its block
 * @p: a pointer
 *
 * Return: that count when @p is a tiny-packed object, else 0. The object is
 * no longer than this (its own size is not recorded).
 */
size_t gomem_tiny_extent(const void *p)
{
	struct gomem_span *s = NULL;
	unsigned long flags;
	size_t n = 0;

	local_irq_save(flags);
	s = gomem_ptr_to_span(p);
	if (s && s->state == GOMEM_SPAN_SMALL && s->cls->tiny &&
	    (unsigned long)p - (unsigned long)s->start < (unsigned long)s->nelems * GOMEM_TINY_SIZE)
		n = GOMEM_TINY_SIZE - ((unsigned long)p & (GOMEM_TINY_SIZE - 1));
	local_irq_restore(flags);
	return n;
}

/**
 * gomem_tiny_drain_cpu() - retire a CPU's current block
 * @cpu: the CPU (the current one with interrupts off, or a dead one)
 */
void gomem_tiny_drain_cpu(int cpu)
{
	struct gomem_tiny *t = per_cpu_ptr(gomem_tiny_pcpu, cpu);

	if (t->block)
		tiny_retire(t);
}

/**
 * gomem_tiny_init() - per-CPU tiny state
 *
 * Return: 0 or -ENOMEM.
 */
int gomem_tiny_init(void)
{
	gomem_tiny_pcpu = alloc_percpu(struct gomem_tiny);
	return gomem_tiny_pcpu ? 0 : -ENOMEM;
}

/**
 * gomem_tiny_exit() - free the per-CPU tiny state (every CPU drained)
 */
void gomem_tiny_exit(void)
{
	free_percpu(gomem_tiny_pcpu);
	gomem_tiny_pcpu = NULL;
}
