// SPDX-License-Identifier: GPL-2.0
/*
 * The tiny allocator: noscan requests under 16 bytes packed into 16-byte
 * blocks, with Go's placement rules (align to 8, 4 or 2 by the size's
 * divisibility; a new block replaces the current one when it has more room
 * left).
 *
 * Go reclaims a block when the GC finds every part dead. gomem frees
 * explicitly, so each block has a one-byte count of the objects packed in it
 * that are still live, stored in the tail of its span. The block goes back
 * to its span when the count reaches zero. Two 16-bit masks per block sit
 * there too (span.h): the end mask marks the last byte of each object
 * placed in the block, which gives ksize() and krealloc() a tiny object's
 * size; the freed mask marks the byte offsets whose object was freed since
 * the block was handed out. Tiny spans give up 5/21 of their bytes for the
 * three: 390 blocks in an 8 KiB span.
 *
 * While a block is a CPU's current block, its count carries a bias of 0x80
 * and the CPU counts its allocations privately, so the allocation fast path
 * does no atomic read-modify-write. Retiring the block (replaced, or the CPU
 * drained) adds the allocations and removes the bias in one atomic step;
 * frees decrement atomically from any CPU. The count can reach zero only
 * after retirement, and reaching zero is seen by exactly one CPU, which
 * frees the block. A free whose bit is set in the freed mask (set with a
 * compare-and-exchange: frees come from any CPU) is a double free, seen
 * while other objects of the block are live; so is a free that finds the
 * count at zero. Offsets are never reused within a block's life (the
 * current block only grows), so the mask is exact until the block is
 * handed out again, when its new owner clears it.
 *
 * Per-CPU rules: locking.h. Blocks come from the tiny class's mcache
 * (mcache.c); this file calls nothing else above the leaves.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/mm.h>
#include <linux/kmemleak.h>
#include "tiny.h"
#include "mcache.h"
#include "report.h"
#include "stats.h"
#include "faultinject.h"

#define TINY_BIAS	0x80

struct gomem_tiny {
	char *block;			/* current block, or NULL */
	unsigned int off;		/* first free byte in it */
	unsigned int nallocs;		/* objects placed in it */
	u16 *ends;			/* its end mask (span.h) */
};

static struct gomem_tiny __percpu *gomem_tiny_pcpu;

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

/*
 * Set @bit in a block's freed mask, atomically (frees of a block's other
 * objects come from any CPU). Returns false when it was set already.
 */
static bool tiny_mask_test_and_set(u16 *m, u16 bit)
{
	u16 old = READ_ONCE(*m);

	do {
		if (old & bit)
			return false;
	} while (!try_cmpxchg(m, &old, old | bit));
	return true;
}

/* Retire a CPU's current block: this CPU's, or a dead one's; irqs off */
static void retire_irqoff(struct gomem_tiny *t)
{
	struct gomem_span *s = gomem_ptr_to_span(t->block);
	unsigned int old;

	gomem_assert_cpu_locked();
	old = tiny_count_add(gomem_tiny_count(s, t->block), (int)t->nallocs - TINY_BIAS);
	if ((u8)(old + t->nallocs - TINY_BIAS) == 0)
		gomem_class_free_irqoff(s->cls, s, t->block, _RET_IP_);
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

	gomem_cpu_lock(flags);
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
		/* this CPU alone writes a current block's mask: a plain update */
		WRITE_ONCE(*t->ends, *t->ends | BIT(off + size - 1));
		goto out;
	}
	p = gomem_mcache_alloc_irqoff(cls, gfp, &flags);
	if (unlikely(!p)) {
		gomem_cpu_unlock(flags);
		gomem_stat_add(GOMEM_STAT_FAILED_ALLOCS, 1);
		return NULL;
	}
	t = this_cpu_ptr(gomem_tiny_pcpu);	/* we may have moved */
	s = gomem_ptr_to_span(p);
	gomem_stat_add(GOMEM_STAT_TINY_BLOCKS, 1);
	WRITE_ONCE(*gomem_tiny_ends(s, p), BIT(size - 1));
	WRITE_ONCE(*gomem_tiny_freed(s, p), 0);	/* a new life: nothing freed yet */
	if (!t->block || size < t->off) {
		if (t->block)
			retire_irqoff(t);
		WRITE_ONCE(*gomem_tiny_count(s, p), TINY_BIAS);
		t->block = p;
		t->off = size;
		t->nallocs = 1;
		t->ends = gomem_tiny_ends(s, p);
	} else {
		WRITE_ONCE(*gomem_tiny_count(s, p), 1);	/* not current: just this object */
	}
out:
	gomem_stat_add(GOMEM_STAT_TINY_ALLOCS, 1);
	gomem_cpu_unlock(flags);
	return gomem_alloc_hook(cls, p, size, gfp, true);
}

/**
 * gomem_tiny_free_irqoff() - free a tiny-packed object
 * @name: the cache the caller named, or "kmalloc", for reports
 * @s: its span (a tiny span)
 * @p: the object
 * @ip: the caller, for reports
 *
 * Return: false when the free was refused.
 */
bool gomem_tiny_free_irqoff(const char *name, struct gomem_span *s, void *p,
			    unsigned long ip)
{
	unsigned long off = (unsigned long)p - (unsigned long)s->start;
	char *block = (char *)s->start + ALIGN_DOWN(off, GOMEM_TINY_SIZE);
	u16 bit = BIT(off % GOMEM_TINY_SIZE), *freed;
	unsigned int old;

	gomem_assert_cpu_locked();
	if (unlikely(off >= (unsigned long)s->nelems * GOMEM_TINY_SIZE)) {
		gomem_report_bad_free(name, p, ip, "not a tiny object");
		return false;
	}
	/* the object's bit in its block's freed mask: set means freed already */
	freed = gomem_tiny_freed(s, block);
	if (unlikely(!tiny_mask_test_and_set(freed, bit)))
		goto double_free;
	old = tiny_count_add(gomem_tiny_count(s, block), -1);
	if (unlikely(!old))
		goto double_free;	/* an empty block */
	kmemleak_free(p);
	gomem_stat_add(GOMEM_STAT_TINY_FREES, 1);
	if (old == 1)
		gomem_class_free_irqoff(s->cls, s, block, ip);
	return true;
double_free:
	gomem_stat_add(GOMEM_STAT_DOUBLE_FREES, 1);
	gomem_report_bad_free(name, p, ip, "double free of a tiny object");
	return false;
}

/**
 * gomem_tiny_drain_cpu() - retire a CPU's current block
 * @cpu: the current CPU, or a dead one; interrupts off either way
 */
void gomem_tiny_drain_cpu(int cpu)
{
	struct gomem_tiny *t = per_cpu_ptr(gomem_tiny_pcpu, cpu);

	if (t->block)
		retire_irqoff(t);
}

/**
 * gomem_tiny_cpu_holds() - does a CPU have a current tiny block?
 * @cpu: the CPU
 *
 * Return: a hint, read without the CPU's cooperation (for drains).
 */
bool gomem_tiny_cpu_holds(int cpu)
{
	return READ_ONCE(per_cpu_ptr(gomem_tiny_pcpu, cpu)->block);
}

/**
 * gomem_tiny_init() - per-CPU tiny state
 *
 * Return: 0 or -ENOMEM.
 */
int gomem_tiny_init(void)
{
	gomem_tiny_pcpu = gomem_meta_alloc(alloc_percpu(struct gomem_tiny));
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
