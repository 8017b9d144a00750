// SPDX-License-Identifier: GPL-2.0
/*
 * gomem_kvmalloc()'s vmalloc fallback (malloc.c): every object above
 * GOMEM_MAX_LARGE_SIZE (4 MiB), and smaller ones (over a page) the page
 * heap did not serve. Each is vmalloc'ed and recorded in gomem's own list
 * of them (struct gomem_vobj: address and size, kmalloc'ed beside the
 * object). A free, ksize() or kfree_rcu() recognises such an
 * object only by finding its address in that list: nothing that the caller
 * can write, in the object or around it, makes gomem vfree() an address.
 *
 * The list is an RCU list: lookups walk it locklessly (rcu_read_lock()),
 * insertions and removals take gomem_vobj_lock for O(1) work. A walk visits
 * at most one record per live vmalloc'ed object: few, as each is over
 * 4 MiB or a fallback under memory pressure. Removal is claimed by
 * clearing the record's address under the lock, so of two racing frees of one object exactly one vfree()s it; the
 * record itself is freed after a grace period.
 *
 * The addresses of the last GOMEM_VFREED objects freed are kept too, under
 * the same lock, so that a second free of one is reported as a double free
 * (gomem_vmalloc_freed()); an address leaves that ring when gomem
 * vmalloc()s it again. Another vmalloc user may get the area meanwhile: a
 * free of its pointer through gomem is then called a double free rather
 * than "not a gomem object", refused either way.
 *
 * Context: allocation needs a GFP that may sleep (vmalloc does), and fails
 * with a warning otherwise; the lookups and the free may be called from any
 * context in which vfree() may.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include "vmalloc.h"
#include "stats.h"
#include "faultinject.h"

struct gomem_vobj {
	struct list_head link;		/* on gomem_vobjs */
	void *addr;			/* the object; NULL once its free is claimed */
	size_t size;			/* bytes requested */
	struct rcu_head rcu;
};

static LIST_HEAD(gomem_vobjs);
static DEFINE_SPINLOCK(gomem_vobj_lock);

#define GOMEM_VFREED	16
static const void *gomem_vfreed[GOMEM_VFREED];	/* recently freed; gomem_vobj_lock */
static unsigned int gomem_vfreed_next;

/* forget @p as a freed object; gomem_vobj_lock held */
static void vfreed_forget(const void *p)
{
	unsigned int i;

	for (i = 0; i < GOMEM_VFREED; i++)
		if (gomem_vfreed[i] == p)
			gomem_vfreed[i] = NULL;
}

/**
 * gomem_vmalloc_alloc() - a vmalloc'ed object
 * @size: bytes
 * @flags: GFP flags; must allow blocking
 * @ip: the caller, for the warning
 *
 * Return: the object (page aligned), or NULL.
 */
void *gomem_vmalloc_alloc(size_t size, gfp_t flags, unsigned long ip)
{
	struct gomem_vobj *r;
	unsigned long irqflags;
	void *p;

	if (!gfpflags_allow_blocking(flags)) {
		if (!(flags & __GFP_NOWARN))
			pr_warn("gomem: %pS: %zu bytes need vmalloc, which an atomic GFP forbids\n",
				(void *)ip, size);
		return NULL;
	}
	if (gomem_should_fail(GOMEM_FAULT_VMALLOC))
		r = NULL;
	else
		r = kmalloc(sizeof(*r), (flags & GFP_KERNEL) | __GFP_NOWARN);
	p = r ? __vmalloc(size, (flags & GFP_KERNEL) | (flags & __GFP_ZERO) | __GFP_NOWARN) : NULL;
	if (!p) {
		kfree(r);
		if (!(flags & __GFP_NOWARN))
			pr_warn("gomem: %pS: vmalloc of %zu bytes failed\n", (void *)ip, size);
		return NULL;
	}
	r->addr = p;
	r->size = size;
	spin_lock_irqsave(&gomem_vobj_lock, irqflags);
	vfreed_forget(p);
	list_add_rcu(&r->link, &gomem_vobjs);
	spin_unlock_irqrestore(&gomem_vobj_lock, irqflags);
	gomem_stat_add(GOMEM_STAT_VMALLOC_ALLOCS, 1);
	return p;
}

/*
 * The record of the object that starts at @p (@inside: that contains @p),
 * or NULL. Under rcu_read_lock().
 */
static struct gomem_vobj *vobj_find(const void *p, bool inside)
{
	unsigned long a = (unsigned long)p, start;
	struct gomem_vobj *r;

	list_for_each_entry_rcu(r, &gomem_vobjs, link) {
		start = (unsigned long)READ_ONCE(r->addr);
		if (start && (a == start || (inside && a - start < r->size)))
			return r;
	}
	return NULL;
}

/**
 * gomem_vmalloc_free() - free a vmalloc'ed object
 * @p: a pointer
 *
 * Return: false when @p is not a live vmalloc'ed gomem object (nothing
 * done).
 */
bool gomem_vmalloc_free(const void *p)
{
	struct gomem_vobj *r;
	unsigned long flags;
	bool mine = false;

	rcu_read_lock();
	r = vobj_find(p, false);
	if (r) {
		spin_lock_irqsave(&gomem_vobj_lock, flags);
		if (r->addr == p) {	/* not claimed by a racing free */
			WRITE_ONCE(r->addr, NULL);
			list_del_rcu(&r->link);
			vfreed_forget(p);
			gomem_vfreed[gomem_vfreed_next] = p;
			gomem_vfreed_next = (gomem_vfreed_next + 1) % GOMEM_VFREED;
			mine = true;
		}
		spin_unlock_irqrestore(&gomem_vobj_lock, flags);
	}
	rcu_read_unlock();
	if (!mine)
		return false;
	gomem_stat_add(GOMEM_STAT_VMALLOC_FREES, 1);
	vfree(p);
	kfree_rcu(r, rcu);
	return true;
}

/**
 * gomem_vmalloc_size() - the size of a vmalloc'ed object
 * @p: a pointer
 *
 * Return: its size, or 0 when @p is not a vmalloc'ed gomem object.
 */
size_t gomem_vmalloc_size(const void *p)
{
	struct gomem_vobj *r;
	size_t size = 0;

	rcu_read_lock();
	r = vobj_find(p, false);
	if (r)
		size = r->size;
	rcu_read_unlock();
	return size;
}

/**
 * gomem_vmalloc_start() - the start of a vmalloc'ed object, from inside it
 * @p: an address inside the object
 *
 * Used by gomem_kfree_rcu().
 *
 * Return: the object, or NULL.
 */
void *gomem_vmalloc_start(const void *p)
{
	struct gomem_vobj *r;
	void *start = NULL;

	rcu_read_lock();
	r = vobj_find(p, true);
	if (r)
		start = READ_ONCE(r->addr);
	rcu_read_unlock();
	return start;
}

/**
 * gomem_vmalloc_freed() - was @p a vmalloc'ed object, freed since?
 * @p: a pointer that gomem_vmalloc_free() refused
 *
 * Return: true when @p is one of the last GOMEM_VFREED vmalloc'ed objects
 * gomem freed, and gomem has not vmalloc()ed it again: a double free.
 */
bool gomem_vmalloc_freed(const void *p)
{
	unsigned long flags;
	bool freed = false;
	unsigned int i;

	spin_lock_irqsave(&gomem_vobj_lock, flags);
	for (i = 0; i < GOMEM_VFREED; i++)
		if (gomem_vfreed[i] == p)
			freed = true;
	spin_unlock_irqrestore(&gomem_vobj_lock, flags);
	return freed;
}
