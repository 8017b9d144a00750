/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by gomem's files (not for client modules: they use
 * include/gomem.h).
 *
 * A "class" (struct gomem_class) is one instance of Go's span class: the
 * per-CPU caches (mcache.c), the per-node central lists (mcentral.c) and the
 * spans they share. The kmalloc family uses the 136 global instances,
 * gomem_classes[spanclass]; caches that may not share spans (constructor,
 * no-merge, typesafe-by-RCU, ...) get an instance of their own.
 */
#ifndef _GOMEM_INTERNAL_H
#define _GOMEM_INTERNAL_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/mutex.h>
#include <linux/mm.h>
#include <linux/kmemleak.h>
#include "sizeclasses.h"
#include "span.h"
#include "mheap.h"

/* per-CPU magazine: at most this many objects, and at most MAG_BYTES */
#define GOMEM_MAG_MAX		32
#define GOMEM_MAG_BYTES		(32 * 1024)
/* per-CPU batch of other nodes' objects: at most this many, and mag_limit */
#define GOMEM_REMOTE_MAX	16
/* per-node transfer cache of a class: at most this many magazines' worth */
#define GOMEM_XFER_MAGS		2
#define GOMEM_XFER_MAX		(GOMEM_XFER_MAGS * GOMEM_MAG_MAX)

/* mcache: one CPU's state for one class (Go's mcache.alloc[spc] and more) */
struct gomem_mcache {
	struct gomem_span *span;	/* span being allocated from, or NULL */
	unsigned int nmag;		/* objects in the magazine */
	unsigned int limit;		/* the class's mag_limit */
	unsigned long allocs, frees;	/* objects, as the callers see them */
	unsigned long refills, flushes;
	/*
	 * The magazine: recently freed objects, LIFO, in slot[1..nmag].
	 * slot[0] stays NULL, so slot[nmag] is the top or NULL, and the
	 * free path's "same object as the top" check needs no test of nmag.
	 */
	void *slot[GOMEM_MAG_MAX + 1];
	/*
	 * Objects of another node, freed here: they never enter the magazine
	 * (it hands out local memory only) and go to their mcentral in
	 * batches of one node (remote_node), one lock round trip per batch.
	 */
	unsigned int nremote;
	int remote_node;
	void *remote[GOMEM_REMOTE_MAX];
};

/* the magazine's objects, oldest first */
static inline void **gomem_mag(struct gomem_mcache *mc)
{
	return &mc->slot[1];
}

/*
 * A per-CPU counter update by its own CPU (interrupts off): one store, so
 * that readers summing over CPUs (/proc/gomem) see whole values.
 */
static inline void gomem_count(unsigned long *c, long n)
{
	WRITE_ONCE(*c, *c + n);
}

/*
 * mcentral: one node's spans of one class, and its transfer cache: free
 * objects that CPUs flushed from their magazines, kept as pointers for the
 * next CPU that runs dry (see mcentral.c). Everything under @lock; nxfer is
 * also read without it, as a hint and by the statistics.
 */
struct gomem_mcentral {
	spinlock_t lock;
	struct list_head partial;	/* uncached spans with a free object */
	struct list_head full;		/* uncached spans without */
	unsigned long nr_partial, nr_full, nr_cached;
	unsigned long spans_made, spans_freed;
	unsigned long xfer_taken;	/* objects CPUs took from the transfer cache */
	unsigned int nxfer;		/* objects in it: xfer[0..nxfer-1] */
	void *xfer[GOMEM_XFER_MAX];
};

#define GOMEM_TINY_SPANCLASS	((GOMEM_TINY_SIZE_CLASS << 1) | 1)

/*
 * The span class for noscan objects of a size class. Span class 5 (16 B
 * noscan) holds only tiny blocks, so 16-byte noscan objects use the scan
 * spans of their class (the two differ only for kmemleak).
 */
static inline unsigned int gomem_noscan_spanclass(unsigned int sizeclass)
{
	unsigned int spc = (sizeclass << 1) | 1;

	return spc == GOMEM_TINY_SPANCLASS ? spc - 1 : spc;
}

struct gomem_cache;

struct gomem_class {
	u8 spanclass;
	u8 sizeclass;
	u8 npages;
	bool tiny;			/* the tiny allocator's blocks */
	bool poison;			/* GOMEM_POISON: free objects poisoned */
	bool rcu;			/* typesafe-by-RCU: spans freed after a GP */
	bool keep_contents;		/* ctor or RCU: never zeroed by gomem */
	bool fastpath;			/* no tiny, no poison: the inline paths apply */
	u16 nelems;
	u16 mag_limit;
	u32 elemsize;			/* size class: object stride */
	u32 objsize;			/* usable bytes (ksize) */
	u32 link_off;			/* where a free object's link goes */
	void (*ctor)(void *obj);
	struct gomem_cache *cache;	/* owner of a private class, else NULL */
	struct gomem_mcache __percpu *pcpu;
	struct gomem_mcentral *central;	/* [nr_node_ids] */
};

extern struct gomem_class gomem_classes[GOMEM_NUM_SPAN_CLASSES];

int gomem_class_init(struct gomem_class *cls, unsigned int spanclass,
		     struct gomem_cache *cache, unsigned int objsize, unsigned int link_off);
unsigned long gomem_class_destroy(struct gomem_class *cls);
int gomem_classes_init(void);
void gomem_classes_exit(void);
void gomem_class_sum(struct gomem_class *cls, unsigned long *allocs, unsigned long *frees,
		     unsigned long *cached);

/* cache.c */
struct gomem_cache_pcpu {
	unsigned long allocs, frees;
};

struct gomem_cache {
	const char *name;
	unsigned int size;		/* object size asked for */
	unsigned int align;
	unsigned int objsize;		/* usable size: size rounded to align */
	unsigned long flags;
	void (*ctor)(void *obj);
	struct gomem_class *cls;	/* a global class, or &own */
	struct gomem_class own;
	struct gomem_cache *merged_with;	/* first cache on a shared class */
	struct gomem_cache_pcpu __percpu *pcpu;
	struct list_head list;		/* gomem_caches, under gomem_cache_mutex */
};

static inline struct gomem_class *gomem_cache_class(struct gomem_cache *c)
{
	return c->cls;
}

static inline const char *gomem_cache_name(struct gomem_cache *c)
{
	return c->name;
}

void gomem_class_construct(struct gomem_class *cls, struct gomem_span *s);
void gomem_caches_drain_cpu(int cpu);
extern struct list_head gomem_caches;
extern struct mutex gomem_cache_mutex;

#define GOMEM_POISON_FREE	0x6b

/* mcache.c: the per-CPU paths */
void *gomem_class_alloc(struct gomem_class *cls, gfp_t gfp, int node);
bool gomem_class_free(struct gomem_class *cls, struct gomem_span *s, void *p,
		      unsigned long ip);
void gomem_release_empty_spans(void);
void gomem_drain_transfer(void);
unsigned long gomem_mcentral_release_empty(struct gomem_class *cls);
void gomem_class_drain_cpu(struct gomem_class *cls, int cpu);
void gomem_drain_cpu(int cpu);
void gomem_drain_all(void);
void *gomem_small_alloc(unsigned int spanclass, size_t size, gfp_t gfp, int node);
bool gomem_free(struct gomem_cache *cache, const void *p, unsigned long ip);
void *gomem_obj_start(const void *p);
void *gomem_vmalloc_start(const void *p);
unsigned long gomem_shrink_all(void);
unsigned long gomem_shrink_reclaim(void);
void gomem_drain_online(void);
long gomem_cache_active(struct gomem_cache *c);
size_t gomem_obj_size(const void *p);

/* irqs disabled, this CPU's mcache */
void *gomem_mcache_alloc_locked(struct gomem_class *cls, gfp_t gfp,
				unsigned long *flags);
void gomem_mcache_free_locked(struct gomem_class *cls, struct gomem_span *s, void *p);

/* mcentral.c */
struct gomem_span *gomem_mcentral_cache_span(struct gomem_class *cls, int node,
					     struct gomem_span *old, int cpu);
void gomem_mcentral_adopt_span(struct gomem_class *cls, struct gomem_span *s, int cpu);
void gomem_mcentral_uncache_span(struct gomem_class *cls, struct gomem_span *s);
void gomem_mcentral_free_objs(struct gomem_class *cls, void **objs, unsigned int n);
void gomem_mcentral_flush_objs(struct gomem_class *cls, void **objs, unsigned int n,
			       int node);
unsigned int gomem_mcentral_take_objs(struct gomem_class *cls, int node, void **objs,
				      unsigned int max);
unsigned long gomem_mcentral_drain_xfer(struct gomem_class *cls);
unsigned long gomem_mcentral_transferred(struct gomem_class *cls);
void gomem_mcentral_add_span(struct gomem_class *cls, struct gomem_span *s);
struct gomem_span *gomem_mcentral_new_span(struct gomem_class *cls, int node, gfp_t gfp);
void *gomem_mcentral_alloc_node(struct gomem_class *cls, int node, gfp_t gfp);
unsigned int gomem_mcentral_count(struct gomem_class *cls, unsigned long *spans,
				  unsigned long *objs);
void gomem_mcentral_init(struct gomem_mcentral *c);
unsigned long gomem_mcentral_leftover(struct gomem_class *cls);

/* span.c */
void gomem_span_init_small(struct gomem_span *s, struct gomem_class *cls);
void *gomem_span_next_free(struct gomem_span *s);
bool gomem_span_obj_index(struct gomem_span *s, const void *p, unsigned int *idx);

/**
 * gomem_span_next_free_fast() - Go's nextFreeFast: one ctz, no lock
 * @s: a span owned by this CPU's mcache
 *
 * Return: the next free object, or NULL when the 64-object cache window is
 * exhausted (gomem_span_next_free() moves on).
 */
static __always_inline void *gomem_span_next_free_fast(struct gomem_span *s)
{
	unsigned int bit, idx;

	if (!s->alloc_cache)
		return NULL;
	bit = __ffs64(s->alloc_cache);
	idx = s->freeindex + bit;
	s->alloc_cache = (s->alloc_cache >> bit) >> 1;
	s->freeindex = idx + 1;
	s->alloc_count++;
	return (char *)s->start + idx * s->elemsize;
}

/*
 * The free hint: each CPU remembers the span it last freed a small object
 * into, with what the inline free needs to check a pointer against it, so
 * that a run of frees into one span skips the chunk-index walk (three
 * dependent loads). A hint is taken only for a span of the CPU's own node
 * whose class allows the inline paths, by the full free path
 * (gomem_free_hint_set()).
 *
 * Validity: gomem_span_gen counts spans given back to the page heap.
 * gomem_heap_free_span() unmaps a span and then bumps it, before the pages
 * can be reused; a hint records the generation read before its chunk-index
 * lookup. So a hint whose generation is current names a span that was still
 * mapped after the last release, and a legitimate free of an object in a
 * later span at the same address (allocated after the release, so after the
 * bump) never matches a stale hint. A stray pointer is no worse off than
 * with the index walk (the span is read, never freed through).
 *
 * Per-CPU rules: read and written by its own CPU, interrupts off.
 */
struct gomem_free_hint {
	unsigned long start;		/* the span's first object */
	unsigned long size;		/* nelems * elemsize: valid offsets are below */
	long gen;			/* gomem_span_gen when taken */
	struct gomem_span *span;
	struct gomem_class *cls;	/* its class */
	struct gomem_class *kcls;	/* the class if gomem_kfree() may free inline */
	u32 divmagic;			/* offset -> index: (offset * divmagic) >> 32 */
	u32 elemsize;
};

extern struct gomem_free_hint __percpu *gomem_free_hints;
void *gomem_zero_obj(void *p, unsigned int size);
void gomem_free_hint_set(struct gomem_span *s, long gen);
bool gomem_free_indexed(struct gomem_cache *cache, const void *p);

/*
 * The fast paths, inlined into the exported entry points: a magazine pop
 * (or one ctz in the CPU's span) to allocate, a magazine push to free.
 * Everything else (refills, flushes, other nodes, misuse, debug features)
 * falls through to the full paths in mcache.c. Interrupts are off inside.
 * Each operation counts itself once, with one per-CPU increment.
 */
static __always_inline void *gomem_alloc_fast(struct gomem_class *cls)
{
	struct gomem_mcache *mc;
	unsigned long flags;
	unsigned int n;
	void *p;

	local_irq_save(flags);
	mc = this_cpu_ptr(cls->pcpu);
	n = mc->nmag;
	if (likely(n)) {
		p = mc->slot[n];
		WRITE_ONCE(mc->nmag, n - 1);
	} else if (likely(mc->span)) {
		p = gomem_span_next_free_fast(mc->span);
		if (unlikely(!p))
			goto out;
	} else {
		p = NULL;
		goto out;
	}
	mc->allocs++;	/* one instruction: readers see whole values */
out:
	local_irq_restore(flags);
	return p;
}

/*
 * The inline free's last step: push @p on this CPU's magazine unless it is
 * full, @p is its top object (a double free) or init_on_free wants the
 * full path. Interrupts off. Return: true when pushed.
 */
static __always_inline bool gomem_mag_push(struct gomem_mcache *mc, const void *p)
{
	unsigned int n = mc->nmag;

	if (unlikely(n >= mc->limit || mc->slot[n] == p || want_init_on_free()))
		return false;
	kmemleak_free(p);
	mc->slot[n + 1] = (void *)p;
	WRITE_ONCE(mc->nmag, n + 1);
	mc->frees++;
	return true;
}

/*
 * Return: true when freed; false to take the full path (nothing done).
 * @cache is the cache named by gomem_cache_free(), NULL for gomem_kfree():
 * a constant at each call site, so one of the two class checks remains.
 */
static __always_inline bool gomem_free_fast(struct gomem_cache *cache, const void *p)
{
	struct gomem_free_hint *h;
	struct gomem_class *cls;
	struct gomem_span *s;
	unsigned long flags, off;
	unsigned int idx;

	local_irq_save(flags);
	h = this_cpu_ptr(gomem_free_hints);
	off = (unsigned long)p - h->start;
	/* a miss takes gomem_free_indexed(), which points the hint here */
	if (unlikely(off >= h->size || h->gen != atomic_long_read(&gomem_span_gen)))
		goto slow;
	/*
	 * Fast only for plain classes, freed through a matching entry point:
	 * the cache's own class, or kfree() of a shared class (a private
	 * class's objects freed by kfree() must be credited to their cache).
	 */
	if (cache) {
		cls = h->cls;
		if (unlikely(cls != cache->cls))
			goto slow;
	} else {
		cls = h->kcls;
		if (unlikely(!cls))
			goto slow;
	}
	idx = ((u64)(u32)off * h->divmagic) >> 32;
	if (unlikely(idx * h->elemsize != off))
		goto slow;
	s = h->span;
	/*
	 * In a span no CPU owns, a clear bit means already free (acquire:
	 * pairs with the release after an uncaching sweep).
	 */
	if (unlikely(smp_load_acquire(&s->cpu) < 0 && !test_bit(idx, s->alloc_bits)))
		goto slow;
	if (unlikely(!gomem_mag_push(this_cpu_ptr(cls->pcpu), p)))
		goto slow;
	local_irq_restore(flags);
	return true;
slow:
	local_irq_restore(flags);
	return false;
}

/* tiny.c */
int gomem_tiny_init(void);
void gomem_tiny_exit(void);
void *gomem_tiny_alloc(size_t size, gfp_t gfp);
bool gomem_tiny_free(struct gomem_cache *cache, struct gomem_span *s, void *p,
		     unsigned long ip);
void gomem_tiny_drain_cpu(int cpu);
void gomem_tiny_span_init(struct gomem_span *s);
unsigned int gomem_tiny_nelems(unsigned int npages);
size_t gomem_tiny_extent(const void *p);

/* stats.c: per-CPU event counters, summed on read */
enum gomem_stat_item {
	GOMEM_STAT_TINY_ALLOCS,
	GOMEM_STAT_TINY_FREES,
	GOMEM_STAT_TINY_BLOCKS,		/* blocks taken for tiny packing */
	GOMEM_STAT_VMALLOC_ALLOCS,
	GOMEM_STAT_VMALLOC_FREES,
	GOMEM_STAT_REMOTE_NODE_FREES,
	GOMEM_STAT_BAD_FREES,
	GOMEM_STAT_DOUBLE_FREES,
	GOMEM_STAT_FAILED_ALLOCS,
	GOMEM_NR_STATS
};

struct gomem_stats {
	unsigned long v[GOMEM_NR_STATS];
};

extern struct gomem_stats __percpu *gomem_pcpu_stats;

static inline void gomem_stat_add(enum gomem_stat_item item, long n)
{
	this_cpu_add(gomem_pcpu_stats->v[item], n);
}

int gomem_stats_init(void);
void gomem_stats_exit(void);
unsigned long gomem_stat_sum(enum gomem_stat_item item);

/* procfs.c */
int gomem_procfs_init(void);
void gomem_procfs_exit(void);

/* report.c: misuse reports */
void gomem_report_bad_free(struct gomem_cache *cache, const void *p, unsigned long ip,
			   const char *what);

#endif /* _GOMEM_INTERNAL_H */
