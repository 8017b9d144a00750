// SPDX-License-Identifier: GPL-2.0
/*
 * The chunk index: address -> struct gomem_chunk, two levels of pointer
 * pages, the lower level allocated when a chunk in its range is first
 * inserted and kept until module exit. See arena.h for the locking rules.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/rcupdate.h>
#include "arena.h"
#include "faultinject.h"

#define L2_BITS		GOMEM_ARENA_L2_BITS
#define L2_ENTRIES	GOMEM_ARENA_L2_ENTRIES
#define L1_ENTRIES	GOMEM_ARENA_L1_ENTRIES

struct gomem_chunk __rcu ***gomem_arena_l1;
static DEFINE_SPINLOCK(gomem_arena_lock);

int gomem_arena_init(void)
{
	gomem_arena_l1 = gomem_meta_alloc(kvcalloc(L1_ENTRIES, sizeof(*gomem_arena_l1),
						   GFP_KERNEL));
	return gomem_arena_l1 ? 0 : -ENOMEM;
}

void gomem_arena_exit(void)
{
	unsigned long i;

	if (!gomem_arena_l1)
		return;
	for (i = 0; i < L1_ENTRIES; i++)
		kfree(gomem_arena_l1[i]);
	kvfree(gomem_arena_l1);
	gomem_arena_l1 = NULL;
}

/**
 * gomem_arena_prepare() - make sure the index can take a chunk at an address
 * @base: chunk-aligned address
 * @gfp: allocation context (may sleep when it allows)
 *
 * Allocates the index page that covers @base, if missing. Index pages stay
 * until module exit, so a later gomem_chunk_insert() needs no memory.
 *
 * Return: 0, -ERANGE when @base lies beyond GOMEM_ADDR_BITS, or -ENOMEM.
 */
int gomem_arena_prepare(unsigned long base, gfp_t gfp)
{
	unsigned long idx = gomem_chunk_index(base);
	struct gomem_chunk __rcu **fresh;

	if (idx >= L1_ENTRIES * L2_ENTRIES)
		return -ERANGE;
	/* pairs with the cmpxchg below: a published page is zeroed */
	if (smp_load_acquire(&gomem_arena_l1[idx >> L2_BITS]))
		return 0;
	fresh = gomem_meta_alloc(kcalloc(L2_ENTRIES, sizeof(*fresh), gfp & ~__GFP_ZERO));
	if (!fresh)
		return -ENOMEM;
	if (cmpxchg(&gomem_arena_l1[idx >> L2_BITS], NULL, fresh))
		kfree(fresh);	/* another CPU won */
	return 0;
}

/**
 * gomem_chunk_insert() - publish a new chunk in the index
 * @chunk: fully initialised chunk; its base must be chunk aligned and
 *	gomem_arena_prepare() must have succeeded for it
 *
 * Return: 0, or -EEXIST when the chunk number is taken.
 */
int gomem_chunk_insert(struct gomem_chunk *chunk)
{
	unsigned long idx = gomem_chunk_index(chunk->base);
	struct gomem_chunk __rcu **l2;
	unsigned long flags;
	int ret = 0;

	l2 = gomem_arena_l1[idx >> L2_BITS];
	if (WARN_ON(!l2))
		return -ENOMEM;
	spin_lock_irqsave(&gomem_arena_lock, flags);
	if (rcu_dereference_protected(l2[idx & (L2_ENTRIES - 1)], 1))
		ret = -EEXIST;
	else
		rcu_assign_pointer(l2[idx & (L2_ENTRIES - 1)], chunk);
	spin_unlock_irqrestore(&gomem_arena_lock, flags);
	return ret;
}

/**
 * gomem_chunk_remove() - unpublish a chunk
 * @chunk: a chunk in the index
 *
 * The caller frees the struct after a grace period (kfree_rcu).
 */
void gomem_chunk_remove(struct gomem_chunk *chunk)
{
	unsigned long idx = gomem_chunk_index(chunk->base);
	unsigned long flags;

	spin_lock_irqsave(&gomem_arena_lock, flags);
	WARN_ON(rcu_dereference_protected(gomem_arena_l1[idx >> L2_BITS][idx & (L2_ENTRIES - 1)],
					  1) != chunk);
	RCU_INIT_POINTER(gomem_arena_l1[idx >> L2_BITS][idx & (L2_ENTRIES - 1)], NULL);
	spin_unlock_irqrestore(&gomem_arena_lock, flags);
}
