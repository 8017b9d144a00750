/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Class instances: see class.c. A "class" (struct gomem_class) is one
 * instance of Go's span class: its per-CPU caches (struct gomem_mcache,
 * mcache.c), its per-node central lists (struct gomem_mcentral, mcentral.c)
 * and the spans they share. The kmalloc family uses the 136 global
 * instances, gomem_classes[spanclass]; caches that may not share spans
 * (constructor, no-merge, typesafe-by-RCU, debug flags) get an instance of
 * their own. Every instance is in one registry (class.c). Locks: locking.h.
 */
#ifndef _GOMEM_CLASS_H
#define _GOMEM_CLASS_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include "locking.h"
#include "sizeclasses.h"
#include "span.h"

/* per-CPU magazine: at most this many objects, and at most MAG_BYTES */
#define GOMEM_MAG_MAX		32
#define GOMEM_MAG_BYTES		(32 * 1024)
/* per-CPU batch of other nodes' objects: at most this many, and mag_limit */
#define GOMEM_REMOTE_MAX	16
/* per-node transfer cache of a class: at most this many magazines' worth */
#define GOMEM_XFER_MAGS		4
#define GOMEM_XFER_MAX		(GOMEM_XFER_MAGS * GOMEM_MAG_MAX)
/* spans taken off a central list per lock hold when releasing them */
#define GOMEM_RELEASE_BATCH	16
/*
 * empty spans a class keeps per node for its next refills (mcentral.c):
 * the larger of this many spans and this many bytes of them
 */
#define GOMEM_KEEP_EMPTY_MIN	2
#define GOMEM_KEEP_EMPTY_BYTES	(64 * 1024)

/* mcache: one CPU's state for one class (Go's mcache.alloc[spc] and more) */
struct gomem_mcache {
	struct gomem_span *span;	/* span being allocated from, or NULL */
	unsigned int nmag;		/* objects in the magazine */
	unsigned int limit;		/* the class's mag_limit */
	unsigned long allocs, frees;	/* objects, as the callers see them */
	unsigned long refills, flushes;
	/*
	 * The magazine: recently freed objects, LIFO, in slot[1..nmag], each
	 * marked queued (span.h). slot[0] stays NULL, so slot[nmag] is the
	 * top or NULL.
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

/*
 * mcentral: one node's spans of one class, and its transfer cache: free
 * objects that CPUs flushed from their magazines, kept as pointers for the
 * next CPU that runs dry (see mcentral.c). Everything under @lock; nxfer is
 * also read without it, as a hint and by the statistics.
 */
struct gomem_mcentral {
	spinlock_t lock;
	struct list_head partial;	/* uncached spans, 0 < alloc_count < nelems */
	struct list_head full;		/* uncached spans, alloc_count == nelems */
	struct list_head empty;		/* uncached spans, alloc_count == 0 */
	unsigned long nr_partial, nr_full, nr_cached, nr_empty;
	unsigned long partial_objs;	/* objects allocated in partial spans */
	unsigned long spans_made, spans_freed;
	unsigned long xfer_taken;	/* objects CPUs took from the transfer cache */
	unsigned int nxfer;		/* objects in it: xfer[0..nxfer-1] */
	void *xfer[GOMEM_XFER_MAX];	/* each marked queued (span.h) */
};

/* a cache's per-CPU figures (objects allocated and freed through it) */
struct gomem_counts {
	unsigned long allocs, frees;
};

struct gomem_cache;

struct gomem_class {
	u8 spanclass;			/* noscan bit only for an exact-fit class */
	u8 sizeclass;			/* Go's size class, 0 for an exact-fit class */
	bool tiny;			/* the tiny allocator's blocks */
	bool rcu;			/* typesafe-by-RCU: spans freed after a GP */
	bool keep_contents;		/* ctor or RCU: never zeroed by gomem */
	/*
	 * The inline paths apply: not tiny, not a debug class, not redirected
	 * to one, and the tracepoints off (trace.c changes it at run time:
	 * READ_ONCE() and WRITE_ONCE())
	 */
	bool fastpath;
	/*
	 * The merged caches' class of a span class (gomem_class_merged()):
	 * each object carries the id of the cache that allocated it
	 * (span->tags), so that gomem_kfree() credits that cache
	 */
	bool tagged;
	u16 npages;			/* gomem pages per span */
	u16 nelems;
	u16 mag_limit;
	u32 elemsize;			/* slot: object stride */
	u32 objsize;			/* usable bytes (ksize) */
	u32 link_off;			/* where a free object's link goes */
	u32 divmagic;			/* offset -> index, at object starts */
	void (*ctor)(void *obj);
	/* the owner of a private class (identity only), else NULL */
	struct gomem_cache *cache;
	const char *name;		/* the owner's name, for reports; else NULL */
	struct gomem_counts __percpu *cache_counts;	/* the owner's figures */
	struct gomem_mcache __percpu *pcpu;
	struct gomem_mcentral *central;	/* [nr_node_ids] */
	struct list_head registry;	/* every instance, under gomem_class_mutex */
	/* a debug class's state (debug.c), else NULL */
	struct gomem_debug *debug;
	/*
	 * A global class that gomem.debug= turned into a debug class: the
	 * debug class that serves its allocations (debug.c), else NULL.
	 */
	struct gomem_class *redirect;
	/* a global class: the merged caches' class of its span class, or NULL */
	struct gomem_class *merged;
	/* a tagged class: cache id -> that cache's figures (NULL: none) */
	struct gomem_counts __percpu **tag_counts;
	/*
	 * To 128 bytes: a power-of-two size makes the inline paths' index
	 * into gomem_classes[] one shift (class.c checks the size).
	 */
};

#define GOMEM_CLASS_SIZE	128

/* cache ids of a tagged class: 1..GOMEM_TAGS - 1 (0: no cache) */
#define GOMEM_TAGS		256

extern struct gomem_class gomem_classes[GOMEM_NUM_SPAN_CLASSES];

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

/* a class's name in reports: its cache's, or "kmalloc" */
static inline const char *gomem_class_name(const struct gomem_class *cls)
{
	return cls->name ?: "kmalloc";
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
 * The same for the inline fast paths, which count every operation: one add
 * to memory, as this_cpu_inc() or local_inc() is, through the mcache pointer
 * the path already holds (WRITE_ONCE() costs a load, an add and a store).
 * The asm is one untorn store, invisible to KCSAN like this_cpu_inc(). The
 * userspace build uses it too (make bench's callgrind pair), except under
 * TSan, which must see the counters to check them.
 */
static __always_inline void gomem_count_inc(unsigned long *c)
{
#if (defined(CONFIG_X86_64) && !defined(GOMEM_HOST)) || \
	(defined(GOMEM_HOST) && defined(__x86_64__) && !defined(__SANITIZE_THREAD__))
	asm volatile("incq %0" : "+m" (*c));
#else
	WRITE_ONCE(*c, *c + 1);
#endif
}

/*
 * The index of the object that starts at span offset @off, or a value whose
 * slot does not start at @off (the caller compares): one multiply.
 */
static __always_inline unsigned int gomem_class_obj_index(const struct gomem_class *cls,
							  unsigned long off)
{
	return ((u64)(u32)off * cls->divmagic) >> 32;
}

/*
 * The index of the slot that contains span offset @off: Go's table-checked
 * divMagic for a size class, a division for an exact-fit class (fit.c).
 * Not for the fast paths.
 */
static inline unsigned int gomem_class_obj_containing(const struct gomem_class *cls,
						      unsigned long off)
{
	return cls->sizeclass ? gomem_obj_index(off, cls->sizeclass) : off / cls->elemsize;
}

struct gomem_geom;

int gomem_class_init(struct gomem_class *cls, unsigned int spanclass,
		     struct gomem_cache *cache, unsigned int objsize, unsigned int link_off);
int gomem_class_init_geom(struct gomem_class *cls, unsigned int spanclass,
			  const struct gomem_geom *geom, struct gomem_cache *cache,
			  unsigned int objsize, unsigned int link_off);
unsigned long gomem_class_destroy(struct gomem_class *cls);
int gomem_classes_init(void);
void gomem_classes_exit(void);
struct gomem_class *gomem_class_merged(unsigned int spanclass);
void gomem_class_for_each(void (*fn)(struct gomem_class *cls, void *arg), void *arg);
void gomem_classes_set_fastpath(bool on);
unsigned long gomem_classes_idle_bytes(void);

#endif /* _GOMEM_CLASS_H */
