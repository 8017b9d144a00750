// SPDX-License-Identifier: GPL-2.0
/*
 * From an address to its owner: the full free path, and the lookups that
 * krealloc(), ksize() and kfree_rcu() need.
 *
 * Every small or large gomem object is found through the chunk index
 * (arena.h: address -> chunk -> span in O(1)); a span says what it holds:
 * objects of one class (a tiny class packs several objects per block), or
 * one large object. Anything not found there is not gomem's: the caller
 * (malloc.c) tries the vmalloc'ed objects (vmalloc.c) before it refuses.
 *
 * The inline frees (mcache.h) handle the common case; this path is taken
 * for everything they decline: another class or cache than the hint's,
 * a full magazine, tiny and debug classes, large objects, misuse.
 *
 * Context: any (each lookup runs inside the CPU section, locking.h, which
 * makes it an RCU reader of the chunk index). Calls the tiny allocator, the mcache
 * paths and the page heap.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/rcupdate.h>
#include "free.h"
#include "mcache.h"
#include "mheap.h"
#include "tiny.h"
#include "vmalloc.h"
#include "report.h"
#include "stats.h"
#include "debug.h"

/*
 * kfree() of an object of a merged cache (a tagged class, class.h): credit
 * the cache whose id it carries, unless that cache is gone. Inside the CPU
 * section, an RCU reader: a destroy waits for it before it frees the
 * counters (cache.c).
 */
static void credit_tag(struct gomem_class *cls, u8 tag)
{
	struct gomem_counts __percpu *counts = READ_ONCE(cls->tag_counts[tag]);

	if (counts)
		this_cpu_inc(counts->frees);
}

/**
 * gomem_free_by_address() - free any small or large gomem object, checked
 * @name: the cache the caller names, or NULL (kfree), for reports
 * @want: that cache's class, or NULL (kfree: any class)
 * @p: the object
 * @ip: the caller, for reports
 *
 * Finds the span from the address; refuses, with a report, a pointer that
 * gomem does not own, a pointer into the middle of an object, an object of
 * another cache and a double free: of a small object (its queued mark,
 * span.h, and its span's alloc bits, mcache.c), of a large object (its span's state), of any
 * object whose span went back to the page heap while gomem still holds the
 * pages (a free of gomem memory that no span covers), and of a recently
 * freed vmalloc'ed object (gomem_vmalloc_freed()).
 *
 * Return: true when the object was freed, false when the free was refused.
 */
bool gomem_free_by_address(const char *name, struct gomem_class *want, const void *p,
			   unsigned long ip)
{
	struct gomem_span *s = NULL;
	struct gomem_class *cls;
	unsigned long flags;
	const char *bad;
	long gen;
	unsigned int idx;
	u8 tag;
	bool ok;

	if (!name)
		name = "kmalloc";
	gomem_cpu_lock(flags);
	s = gomem_span_lookup_gen(p, &gen);
	if (unlikely(!s)) {
		/* a page gomem holds, in no span: freed already (its span went back) */
		if (gomem_page_held(gomem_heap_addr(p))) {
			gomem_cpu_unlock(flags);
			goto double_free;
		}
		bad = "not a gomem object";
		goto refuse;
	}
	if (likely(READ_ONCE(s->state) == GOMEM_SPAN_SMALL)) {
		cls = s->cls;
		/* a merged cache's class and the kmalloc class it merges with are one */
		if (unlikely(want && cls != want && !(want->tagged && cls->merged == want))) {
			bad = "object of another cache";
			goto refuse;
		}
		if (unlikely(cls->debug)) {
			/* checked and freed by debug.c, which leaves the section */
			ok = gomem_debug_free_unlock(cls, s, p, ip, flags);
			if (ok && !want && cls->cache_counts)
				this_cpu_inc(cls->cache_counts->frees);
			return ok;
		}
		if (cls->tiny) {
			ok = gomem_tiny_free_irqoff(name, s, (void *)p, ip);
		} else if (likely(gomem_span_obj_index(s, p, &idx))) {
			/* a merged cache's object: the cache that allocated it */
			tag = !want && s->tags ? READ_ONCE(s->tags[idx]) : 0;
			/* before the free, which may release the span */
			gomem_free_hint_set_irqoff(s, gen);
			ok = gomem_class_free_irqoff(cls, s, (void *)p, ip);
			/* kfree() of a private cache's object: credit its cache */
			if (ok && !want && cls->cache_counts)
				this_cpu_inc(cls->cache_counts->frees);
			else if (ok && tag)
				credit_tag(cls, tag);
		} else {
			bad = "not the start of an object";
			goto refuse;
		}
		gomem_cpu_unlock(flags);
		return ok;
	}
	gomem_cpu_unlock(flags);
	if (s->state == GOMEM_SPAN_LARGE && p == s->start && !want &&
	    cmpxchg(&s->state, GOMEM_SPAN_LARGE, GOMEM_SPAN_FREEING) == GOMEM_SPAN_LARGE) {
		gomem_large_free(s, p);
		return true;
	}
	if (s->state != GOMEM_SPAN_LARGE)
		goto double_free;	/* being freed, or freed */
	gomem_report_bad_free(name, p, ip, want ? "a large object, not of this cache" :
			      "not the start of an object");
	return false;
double_free:
	gomem_stat_add(GOMEM_STAT_DOUBLE_FREES, 1);
	gomem_report_bad_free(name, p, ip, "double free");
	return false;
refuse:
	gomem_cpu_unlock(flags);
	/* a vmalloc'ed object freed already, where vmalloc is not told by address */
	if (!s && gomem_vmalloc_freed(p))
		goto double_free;
	gomem_report_bad_free(name, p, ip, bad);
	return false;
}

/**
 * gomem_obj_start() - the start of the object that contains an address
 * @p: an address inside a live gomem object
 *
 * Return: the object's start, or NULL when gomem does not own @p.
 */
void *gomem_obj_start(const void *p)
{
	struct gomem_span *s = NULL;
	unsigned long flags, off;
	void *start = NULL;

	gomem_cpu_lock(flags);
	s = gomem_ptr_to_span(p);
	if (s && s->state == GOMEM_SPAN_SMALL && s->cls->debug) {
		start = gomem_debug_obj_start(s, p);
	} else if (s && s->state == GOMEM_SPAN_SMALL && !s->cls->tiny) {
		off = (unsigned long)p - (unsigned long)s->start;
		start = (char *)s->start +
			gomem_class_obj_containing(s->cls, off) * s->elemsize;
	} else if (s && s->state == GOMEM_SPAN_LARGE) {
		start = s->start;
	}
	gomem_cpu_unlock(flags);
	if (!start && is_vmalloc_addr(p))
		start = gomem_vmalloc_start(p);
	return start;
}

/* a tiny object's size: from its first byte to the next end in its block's mask */
static size_t tiny_size(struct gomem_span *s, const void *p)
{
	unsigned long off = (unsigned long)p - (unsigned long)s->start;
	unsigned int ends;

	if (off >= (unsigned long)s->nelems * GOMEM_TINY_SIZE)
		return 0;
	ends = READ_ONCE(*gomem_tiny_ends(s, p)) >> (off % GOMEM_TINY_SIZE);
	return ends ? __ffs(ends) + 1 : 0;
}

/**
 * gomem_heap_owns() - is @p in a page of gomem's heap?
 * @p: any pointer
 *
 * Return: true when @p lies in a span gomem has handed objects out of
 * (small, tiny or large; any byte of it), or in a page gomem holds from the
 * buddy allocator and keeps free in its page heap (a stale pointer to a
 * freed large object is still gomem's to refuse, never the kernel's to
 * free). Lockless: the chunk index is read under rcu_read_lock() (chunk
 * structs are freed after a grace period, arena.c; the span pointer is only
 * tested), so the answer is exact for memory the caller holds and a hint
 * for memory being freed meanwhile.
 */
bool gomem_heap_owns(const void *p)
{
	unsigned long addr = gomem_heap_addr(p);
	bool owns;

	rcu_read_lock();
	owns = gomem_addr_to_span(addr) || gomem_page_held(addr);
	rcu_read_unlock();
	return owns;
}

/**
 * gomem_obj_size() - usable size of a small or large object
 * @p: the object
 *
 * Return: its usable size: the class's object size, the large object's
 * span, or for a tiny-packed object the size it was allocated with (its
 * block's end mask, span.h); 0 when gomem does not own @p.
 */
size_t gomem_obj_size(const void *p)
{
	struct gomem_span *s = NULL;
	unsigned long flags;
	unsigned int idx;
	size_t size = 0;

	gomem_cpu_lock(flags);
	s = gomem_ptr_to_span(p);
	if (s && s->state == GOMEM_SPAN_SMALL && s->cls->debug)
		size = gomem_debug_obj_index(s, p, &idx) ? s->cls->objsize : 0;
	else if (s && s->state == GOMEM_SPAN_SMALL && s->cls->tiny)
		size = tiny_size(s, p);
	else if (s && s->state == GOMEM_SPAN_SMALL && gomem_span_obj_index(s, p, &idx))
		size = s->cls->objsize;
	else if (s && s->state == GOMEM_SPAN_LARGE && p == s->start)
		size = s->elemsize;
	gomem_cpu_unlock(flags);
	return size;
}
