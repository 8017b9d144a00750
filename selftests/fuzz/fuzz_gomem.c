// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzz target over gomem's userspace core (the sources selftests/host
 * builds, over the same shim). An input is a sequence of API calls, one
 * opcode byte each followed by its arguments (bytes past the end read as
 * zero): cache create and destroy with any size, alignment, flags and name;
 * every allocation and free kind (cache, kmalloc/kzalloc/kcalloc, noscan,
 * krealloc, kstrdup, bulk, kfree_rcu, large and vmalloc sizes); CPU
 * switches and CPU death; drain and shrink; and the misuse kinds: foreign,
 * interior, double and wrong-cache frees.
 *
 * A shadow map records what the input owns: each live object's extent,
 * filled with a pattern of its own. Checked: every new object is disjoint
 * from every live one (an overlap is an object handed out twice), a
 * constructed cache's objects come back constructed, zeroed allocations are
 * zero, contents are intact up to the free and across krealloc(); a
 * misuse free is refused and counted (bad_frees, double_frees) and changes
 * nothing. Once an input's objects are freed and its caches destroyed
 * (fz_check_state(): after every input on replay, every 8th under
 * libFuzzer): the span-state table (gomem_host_check()) and the page heaps'
 * summaries (gomem_pagealloc_check()) hold, nothing is in use, every misuse
 * was reported, and now and then a shrink gives every page back.
 *
 * Speed (Documentation/testing.rst, Fuzzing): the shim runs RCU inline,
 * the heap retains FZ_RETAIN between inputs, big objects live at once stay
 * under FZ_BIG_BUDGET.
 *
 * A failed check aborts (libFuzzer saves the input). Built two ways:
 * with libFuzzer (selftests/fuzz/Makefile, `make fuzz`), and into the host
 * suite's test_fuzz_corpus, which replays selftests/fuzz/corpus/.
 *
 * FUZZ_DOUBLE_FREE (default 1) enables the double and wrong-cache frees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "../host/gomem_host.h"
#include "drain.h"

#ifndef FUZZ_DOUBLE_FREE
#define FUZZ_DOUBLE_FREE 1
#endif

#define FZ_CPUS		4	/* CPU 1 is left to liburcu's callback thread */
#define FZ_CACHES	6
#define FZ_OBJS		384
#define FZ_FREED	16
#define FZ_BULK		40
#define FZ_CTOR_BYTE	0xc7
#define FZ_SAMPLE	4096	/* bigger objects are filled at both ends only */
#define FZ_BIG_BUDGET	(16UL << 20)	/* live large and vmalloc bytes */

enum fz_kind { FZ_CACHE, FZ_KMALLOC, FZ_NOSCAN };

struct fz_obj {
	unsigned char *p;
	size_t size;		/* bytes the pattern covers */
	int cache;		/* FZ_CACHE: index in fz_caches[] */
	enum fz_kind kind;
	unsigned char tag;
};

struct fz_cache {
	struct gomem_cache *c;
	unsigned int size;
	unsigned long flags;
	bool ctor;
	long live;
};

struct fz_freed {		/* freed since the last allocation */
	void *p;
	int cache;		/* -1: freed with kfree() */
};

static struct fz_obj fz_objs[FZ_OBJS];
static unsigned int fz_nobjs;
static struct fz_cache fz_caches[FZ_CACHES];
static struct fz_freed fz_freed[FZ_FREED];
static unsigned int fz_nfreed;
static unsigned char fz_tag;
static unsigned long fz_misuse;		/* misuse frees done this input */
static bool fz_rcu_pending;
static int fz_cpu;
static bool fz_trace;		/* FUZZ_TRACE=1: each operation on stderr */
static char fz_foreign_data[256];

struct fz_in {
	const uint8_t *d;
	size_t n, i;
};

static unsigned int in_u8(struct fz_in *in)
{
	return in->i < in->n ? in->d[in->i++] : 0;
}

static unsigned int in_u16(struct fz_in *in)
{
	return in_u8(in) | in_u8(in) << 8;
}

static const char *fz_input;	/* the replayed input's name, for failures */

static unsigned int fz_check_every = 1;
static unsigned long fz_rep0;		/* reports() at the check period's start */

#define fz_fail(fmt, ...) do {						\
	fprintf(stderr, "fuzz_gomem: %s%s" fmt "\n", fz_input ?: "",	\
		fz_input ? ": " : "", ##__VA_ARGS__);			\
	if (fz_check_every > 1)						\
		fprintf(stderr, "fuzz_gomem: state checked every %u inputs: "	\
			"FUZZ_CHECK_EVERY=1 pins it on one\n", fz_check_every); \
	abort();							\
} while (0)

/* constructed caches are at least 8 bytes: the ctor writes 8 */
static void fz_ctor(void *p)
{
	memset(p, FZ_CTOR_BYTE, 8);
}

/* ---- the shadow map ---- */

static void fill(unsigned char *p, size_t n, unsigned char tag)
{
	size_t off;

	if (n <= 2 * FZ_SAMPLE) {
		memset(p, tag, n);
		return;
	}
	memset(p, tag, FZ_SAMPLE);
	memset(p + n - FZ_SAMPLE, tag, FZ_SAMPLE);
	for (off = FZ_SAMPLE; off < n - FZ_SAMPLE; off += 4096)
		p[off] = tag;
}

/* Return: the offset of the first byte that is not @tag, or -1 */
static long check(const unsigned char *p, size_t n, unsigned char tag)
{
	size_t i, off;

	if (n <= 2 * FZ_SAMPLE) {
		for (i = 0; i < n; i++)
			if (p[i] != tag)
				return i;
		return -1;
	}
	for (i = 0; i < FZ_SAMPLE; i++) {
		if (p[i] != tag)
			return i;
		if (p[n - FZ_SAMPLE + i] != tag)
			return n - FZ_SAMPLE + i;
	}
	for (off = FZ_SAMPLE; off < n - FZ_SAMPLE; off += 4096)
		if (p[off] != tag)
			return off;
	return -1;
}

/* check() of the first @keep bytes of what fill(p, n, tag) wrote */
static long check_prefix(const unsigned char *p, size_t n, size_t keep, unsigned char tag)
{
	size_t i, off;

	if (keep >= n)
		return check(p, n, tag);
	if (n <= 2 * FZ_SAMPLE)
		return check(p, keep, tag);
	for (i = 0; i < FZ_SAMPLE && i < keep; i++)
		if (p[i] != tag)
			return i;
	for (i = n - FZ_SAMPLE; i < keep; i++)
		if (p[i] != tag)
			return i;
	for (off = FZ_SAMPLE; off < n - FZ_SAMPLE && off < keep; off += 4096)
		if (p[off] != tag)
			return off;
	return -1;
}

static void check_obj(const struct fz_obj *o, const char *when)
{
	long bad = check(o->p, o->size, o->tag);

	if (bad >= 0)
		fz_fail("%s: object %p (%zu B) byte %ld is %#x, expected %#x",
			when, o->p, o->size, bad, o->p[bad], o->tag);
}

static void check_disjoint(const unsigned char *p, size_t n)
{
	unsigned int i;

	for (i = 0; i < fz_nobjs; i++) {
		const struct fz_obj *o = &fz_objs[i];

		if (p < o->p + (o->size ?: 1) && o->p < p + (n ?: 1))
			fz_fail("%p (%zu B) overlaps live object %p (%zu B): handed out twice",
				p, n, o->p, o->size);
	}
}

/* a new object: check it against the shadow map, record it, fill it */
static void own(void *ptr, size_t size, enum fz_kind kind, int cache)
{
	struct fz_obj *o;

	if (ZERO_OR_NULL_PTR(ptr))
		return;
	fz_nfreed = 0;		/* an address freed before may be live again */
	check_disjoint(ptr, size);
	if (fz_nobjs == FZ_OBJS) {
		/* no room to track it: give it back at once */
		if (kind == FZ_CACHE)
			gomem_cache_free(fz_caches[cache].c, ptr);
		else
			gomem_kfree(ptr);
		return;
	}
	o = &fz_objs[fz_nobjs++];
	o->p = ptr;
	o->size = size;
	o->kind = kind;
	o->cache = cache;
	o->tag = ++fz_tag ?: ++fz_tag;
	if (kind == FZ_CACHE)
		fz_caches[cache].live++;
	fill(o->p, o->size, o->tag);
}

/* take object @i off the shadow map, checked; Return: its pointer */
static void *disown(unsigned int i)
{
	struct fz_obj *o = &fz_objs[i];
	void *p = o->p;

	check_obj(o, "before free");
	if (o->kind == FZ_CACHE) {
		fz_caches[o->cache].live--;
		/* a constructed object goes back constructed */
		if (fz_caches[o->cache].ctor)
			memset(o->p, FZ_CTOR_BYTE, 8);
	}
	*o = fz_objs[--fz_nobjs];
	return p;
}

static void remember_freed(void *p, int cache)
{
	if (fz_nfreed < FZ_FREED)
		fz_freed[fz_nfreed++] = (struct fz_freed){ p, cache };
}

static unsigned long reports(void)
{
	return gomem_stat_sum(GOMEM_STAT_BAD_FREES) + gomem_stat_sum(GOMEM_STAT_DOUBLE_FREES);
}

static gfp_t gfp_of(unsigned int b)
{
	static const gfp_t g[] = { GFP_KERNEL, GFP_ATOMIC | __GFP_NOWARN, GFP_NOWAIT | __GFP_NOWARN,
				   GFP_KERNEL | __GFP_NOWARN, GFP_NOFS };

	return g[b % ARRAY_SIZE(g)];
}

/* the size an input asks for */
static size_t size_of_raw(unsigned int b, unsigned int v)
{
	switch (b & 7) {
	case 0:
		return v & 15;				/* tiny and zero */
	case 1: case 2: case 3:
		return v % 1025;
	case 4: case 5:
		return v % (GOMEM_MAX_SMALL_SIZE + 1);
	case 6:
		return GOMEM_MAX_SMALL_SIZE + 1 + (size_t)v * 64;	/* large */
	default:
		return (b & 0x38) ? v % 4097 :
		       GOMEM_MAX_LARGE_SIZE - 2048 + (v & 8191);	/* kvmalloc: vmalloc */
	}
}

/* bytes of the live objects bigger than a small object */
static size_t big_live(void)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < fz_nobjs; i++)
		if (fz_objs[i].size > GOMEM_MAX_SMALL_SIZE)
			n += fz_objs[i].size;
	return n;
}

/*
 * Object sizes: mostly small, some large, few vmalloc. Large and vmalloc
 * objects live at once stay under FZ_BIG_BUDGET (a bigger one becomes a
 * small one): an input that held hundreds of MiB spent its time faulting
 * fresh pages in, and found nothing a few MiB do not.
 */
static size_t size_of(struct fz_in *in)
{
	unsigned int b = in_u8(in), v = in_u16(in);
	size_t size = size_of_raw(b, v);

	if (size > GOMEM_MAX_SMALL_SIZE && big_live() + size > FZ_BIG_BUDGET)
		size = v % (GOMEM_MAX_SMALL_SIZE + 1);
	return size;
}

static int pick_cache(struct fz_in *in)
{
	unsigned int i, start = in_u8(in);

	for (i = 0; i < FZ_CACHES; i++) {
		unsigned int k = (start + i) % FZ_CACHES;

		if (fz_caches[k].c)
			return k;
	}
	return -1;
}

static int pick_obj(struct fz_in *in)
{
	return fz_nobjs ? (int)(in_u16(in) % fz_nobjs) : -1;
}

/*
 * Before on_each_cpu() (drains, shrinks, cache destruction) or a CPU's
 * death: back on our own CPU (the shim does not nest impersonations), and
 * liburcu's callback thread idle.
 */
static void quiesce(void)
{
	if (fz_cpu)
		shim_cpu_impersonate(-1);
	fz_cpu = 0;
	if (fz_rcu_pending) {
		rcu_barrier();
		fz_rcu_pending = false;
	}
}

/* ---- operations ---- */

static void op_cache_create(struct fz_in *in)
{
	static const unsigned int aligns[] = { 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 4096, 3, 24 };
	unsigned int k, size, align, i, len;
	unsigned long flags;
	bool ctor;
	char name[24];

	for (k = 0; k < FZ_CACHES && fz_caches[k].c; k++)
		;
	size = in_u16(in);
	if (!(size & 0x8000))
		size &= 0x3ff;		/* mostly small */
	else
		size &= 0x7fff;
	align = aligns[in_u8(in) % ARRAY_SIZE(aligns)];
	flags = in_u8(in);
	ctor = flags & 0x80;
	flags &= 0x7f;
	if (flags == 0x7f)
		flags = 0x1000;		/* an unknown flag */
	else if (flags & GOMEM_STORE_USER)
		flags |= GOMEM_CONSISTENCY_CHECKS;	/* debug classes: F with U */
	len = in_u8(in) % sizeof(name);
	for (i = 0; i < len; i++)
		name[i] = in_u8(in) ?: ' ';
	name[len] = 0;
	if (k == FZ_CACHES)
		return;
	if (ctor && size < 8)
		size = 8;
	fz_caches[k].c = gomem_cache_create(name, size, align, flags, ctor ? fz_ctor : NULL);
	if (fz_trace && fz_caches[k].c)
		fprintf(stderr, "cache %d: size %u align %u flags %#lx%s: class %p (%s)\n",
			k, size, align, flags, ctor ? " ctor" : "", fz_caches[k].c->cls,
			fz_caches[k].c->cls == &fz_caches[k].c->own ? "own" : "shared");
	if (!fz_caches[k].c)
		return;
	fz_caches[k].size = size;
	fz_caches[k].flags = flags;
	if (flags & GOMEM_TYPESAFE_BY_RCU)
		fz_rcu_pending = true;	/* its spans are freed after a grace period */
	fz_caches[k].ctor = ctor;
	fz_caches[k].live = 0;
	if (gomem_cache_size(fz_caches[k].c) < size)
		fz_fail("cache of %u B: gomem_cache_size() %u", size,
			gomem_cache_size(fz_caches[k].c));
}

static void free_obj(unsigned int i, bool rcu, unsigned int off);

/* kfree() and kfree_rcu() credit only a private cache's counts */
static bool cache_private(int k)
{
	return fz_caches[k].c->cls == &fz_caches[k].c->own;
}

static bool cache_listed(struct gomem_cache *c)
{
	struct gomem_cache *x;
	bool found = false;

	mutex_lock(&gomem_cache_mutex);
	list_for_each_entry(x, &gomem_caches, list)
		found |= x == c;
	mutex_unlock(&gomem_cache_mutex);
	return found;
}

static void destroy_cache(int k)
{
	struct gomem_cache *c = fz_caches[k].c;

	quiesce();		/* kfree_rcu() of its objects */
	if (fz_trace) {
		int j;

		for (j = 0; j < FZ_CACHES; j++)
			if (fz_caches[j].c)
				fprintf(stderr, "destroy %d: cache %d active %ld\n", k, j,
					gomem_cache_active(fz_caches[j].c));
	}
	gomem_cache_destroy(c);
	if (cache_listed(c))
		fz_fail("cache %d refused to be destroyed with its objects freed", k);
	memset(&fz_caches[k], 0, sizeof(fz_caches[k]));
	fz_nfreed = 0;
}

static void op_cache_destroy(struct fz_in *in)
{
	int k = pick_cache(in);
	unsigned int i;

	if (k < 0)
		return;
	for (i = fz_nobjs; i-- > 0;)
		if (fz_objs[i].kind == FZ_CACHE && fz_objs[i].cache == k)
			free_obj(i, false, 0);
	destroy_cache(k);
}

static void got_cache_obj(int k, void *p, bool zero)
{
	struct fz_cache *c = &fz_caches[k];

	if (!p)
		return;
	if (c->ctor && check(p, 8, FZ_CTOR_BYTE) >= 0)
		fz_fail("cache object %p (%u B) not constructed", p, c->size);
	if (zero && check(p, c->size, 0) >= 0)
		fz_fail("zeroed cache object %p (%u B) is not zero", p, c->size);
	own(p, c->size, FZ_CACHE, k);
}

static void op_cache_alloc(struct fz_in *in)
{
	int k = pick_cache(in);
	unsigned int b = in_u8(in);
	bool zero = (b & 8) && !fz_caches[k < 0 ? 0 : k].ctor;
	gfp_t gfp = gfp_of(b) | (zero ? __GFP_ZERO : 0);
	void *p;

	if (k < 0)
		return;
	if (b & 16)
		p = gomem_cache_alloc_node(fz_caches[k].c, gfp, (b >> 5) & 1);
	else
		p = gomem_cache_alloc(fz_caches[k].c, gfp);
	got_cache_obj(k, p, zero);
}

static void op_bulk_alloc(struct fz_in *in)
{
	int k = pick_cache(in);
	unsigned int b = in_u8(in), n = in_u8(in) % FZ_BULK + 1, i;
	bool zero = (b & 8) && !fz_caches[k < 0 ? 0 : k].ctor;
	void *p[FZ_BULK];
	int got;

	if (k < 0)
		return;
	got = gomem_cache_alloc_bulk(fz_caches[k].c, gfp_of(b) | (zero ? __GFP_ZERO : 0), n, p);
	if (got != 0 && got != (int)n)
		fz_fail("bulk allocation of %u returned %d", n, got);
	for (i = 0; i < (unsigned int)got; i++)
		got_cache_obj(k, p[i], zero);
}

static void op_bulk_free(struct fz_in *in)
{
	int k = pick_cache(in);
	unsigned int n = in_u8(in) % FZ_BULK + 1, got = 0, i;
	void *p[FZ_BULK];

	if (k < 0)
		return;
	for (i = fz_nobjs; i-- > 0 && got < n;)
		if (fz_objs[i].kind == FZ_CACHE && fz_objs[i].cache == k)
			p[got++] = disown(i);
	gomem_cache_free_bulk(fz_caches[k].c, got, p);
	for (i = 0; i < got; i++)
		remember_freed(p[i], k);
}

static void op_kmalloc(struct fz_in *in)
{
	unsigned int b = in_u8(in);
	size_t size = size_of(in), ks;
	gfp_t gfp = gfp_of(b);
	bool zero = false, kv = false;
	void *p;

	switch ((b >> 3) & 7) {
	case 0:
		p = gomem_kmalloc(size, gfp);
		break;
	case 1:
		p = gomem_kzalloc(size, gfp);
		zero = true;
		break;
	case 2:
		p = gomem_kmalloc_node(size, gfp, (b >> 6) & 1);
		break;
	case 3:
		p = gomem_kcalloc(size ? size / 8 + 1 : 0, 8, gfp);
		size = size ? (size / 8 + 1) * 8 : 0;
		zero = true;
		break;
	case 4:
		p = gomem_kmalloc_noscan(size, gfp);
		if (!ZERO_OR_NULL_PTR(p) && size < 16) {
			own(p, size, FZ_NOSCAN, -1);
			return;
		}
		break;
	case 5:
		p = gomem_kzalloc_node(size, gfp, NUMA_NO_NODE);
		zero = true;
		break;
	default:
		p = gomem_kvmalloc(size, gfp);
		kv = true;
		break;
	}
	if (!size && p != ZERO_SIZE_PTR)
		fz_fail("kmalloc(0) returned %p", p);
	if (size > GOMEM_MAX_LARGE_SIZE && !kv && p)
		fz_fail("kmalloc of %zu bytes, above 4 MiB, returned %p", size, p);
	if (ZERO_OR_NULL_PTR(p))
		return;
	if (zero && check(p, size, 0) >= 0)
		fz_fail("zeroed allocation %p (%zu B) is not zero", p, size);
	ks = gomem_ksize(p);
	if (ks < size)
		fz_fail("ksize(%p) %zu < %zu requested", p, ks, size);
	/* the whole usable size is the caller's */
	own(p, ks, FZ_KMALLOC, -1);
}

static void op_kstrdup(struct fz_in *in)
{
	unsigned int len = in_u8(in) % 64, i;
	char s[64];
	char *p;

	for (i = 0; i < len; i++)
		s[i] = in_u8(in) | 1;
	s[len] = 0;
	p = gomem_kstrdup(s, GFP_KERNEL);
	if (!p)
		fz_fail("kstrdup of %u bytes failed", len + 1);
	if (strcmp(p, s))
		fz_fail("kstrdup copy differs");
	own(p, len + 1, FZ_NOSCAN, -1);
}

static void op_krealloc(struct fz_in *in)
{
	int i = pick_obj(in);
	size_t size = size_of(in), keep, ks;
	struct fz_obj o;
	unsigned char *p;

	if (i < 0 || fz_objs[i].kind == FZ_CACHE)
		return;
	o = fz_objs[i];
	if (!size)
		size = 1;	/* krealloc(p, 0) is a free, done elsewhere */
	check_obj(&o, "before krealloc");
	/* off the map while krealloc() may move it */
	fz_objs[i] = fz_objs[--fz_nobjs];
	p = gomem_krealloc(o.p, size, GFP_KERNEL | __GFP_NOWARN);
	if (!p) {
		fz_objs[fz_nobjs++] = o;	/* untouched */
		return;
	}
	fz_nfreed = 0;
	keep = min(o.size, size);
	if (check_prefix(p, o.size, keep, o.tag) >= 0)
		fz_fail("krealloc(%p, %zu) -> %p lost contents", o.p, size, p);
	ks = gomem_ksize(p);
	if (ks < size && !(o.kind == FZ_NOSCAN && p == o.p))
		fz_fail("krealloc(%p, %zu) -> %p of ksize %zu", o.p, size, p, ks);
	/* kept in place, it keeps its kind: a tiny-packed one stays tiny-packed */
	own(p, ks ?: keep, p == o.p ? o.kind : FZ_KMALLOC, -1);
}

/* free object @i the way it was allocated (or with kfree()/kfree_rcu()) */
static void free_obj(unsigned int i, bool rcu, unsigned int off)
{
	struct fz_obj o = fz_objs[i];
	bool by_kfree = o.kind != FZ_CACHE || ((off & 1) && cache_private(o.cache));
	void *p;

	if (o.kind == FZ_CACHE && !cache_private(o.cache))
		rcu = false;
	if (rcu && o.size >= sizeof(struct rcu_head) + 8) {
		off = (off % ((o.size - sizeof(struct rcu_head)) / 8 + 1)) * 8;
		p = disown(i);
		__gomem_kfree_rcu((struct rcu_head *)((char *)p + off));
		fz_rcu_pending = true;
		return;
	}
	p = disown(i);
	if (by_kfree)
		gomem_kfree(p);	/* kfree() of a cache object is allowed */
	else
		gomem_cache_free(fz_caches[o.cache].c, p);
	remember_freed(p, by_kfree ? -1 : o.cache);
}

static void op_free(struct fz_in *in)
{
	unsigned int b = in_u8(in);
	int i = pick_obj(in);

	if (i < 0)
		return;
	if ((b & 3) == 3 && fz_objs[i].kind == FZ_KMALLOC) {
		/* krealloc(p, 0) frees */
		void *p = disown(i);

		if (gomem_krealloc(p, 0, GFP_KERNEL) != ZERO_SIZE_PTR)
			fz_fail("krealloc(%p, 0) did not return ZERO_SIZE_PTR", p);
		remember_freed(p, -1);
		return;
	}
	free_obj(i, (b & 3) == 2, b >> 2);
}

/* a misuse free: refused, reported once, nothing changed */
static void expect_refused(unsigned long before, const char *what, const void *p)
{
	unsigned long after = reports();

	if (after != before + 1)
		fz_fail("%s of %p: %lu reports, expected 1", what, p, after - before);
	fz_misuse++;
}

static void op_misuse(struct fz_in *in)
{
	unsigned int b = in_u8(in), arg = in_u16(in);
	unsigned long before;
	struct gomem_span *sp;
	void *p, *mem;
	int i, k;

	switch (b % 4) {
	case 0:		/* foreign: libc's heap, program data, the stack */
		before = reports();
		switch ((b >> 2) % 3) {
		case 0:
			mem = malloc(64);
			gomem_kfree(mem);
			expect_refused(before, "kfree of malloc()ed memory", mem);
			free(mem);
			break;
		case 1:
			p = fz_foreign_data + (arg & 127);
			k = pick_cache(in);
			if (k >= 0 && (b & 0x80))
				gomem_cache_free(fz_caches[k].c, p);
			else
				gomem_kfree(p);
			expect_refused(before, "free of program data", p);
			break;
		default:
			p = &arg;
			gomem_kfree(p);
			expect_refused(before, "kfree of a stack address", p);
			break;
		}
		break;
	case 1:		/* interior: inside a live object */
		i = pick_obj(in);
		/*
		 * Not into a tiny-packed object: any byte of a tiny block
		 * may start an object, so gomem cannot tell (api.rst, Misuse)
		 */
		if (i < 0 || fz_objs[i].size < 2 || fz_objs[i].kind == FZ_NOSCAN ||
		    (fz_objs[i].kind == FZ_CACHE && fz_caches[fz_objs[i].cache].c->cls->tiny))
			break;
		p = fz_objs[i].p + 1 + arg % (fz_objs[i].size - 1);
		if (fz_trace)
			fprintf(stderr, "interior free %p of %p (%zu B, kind %d, cache %d)\n", p,
				fz_objs[i].p, fz_objs[i].size, fz_objs[i].kind, fz_objs[i].cache);
		before = reports();
		if (fz_objs[i].kind == FZ_CACHE && (b & 4))
			gomem_cache_free(fz_caches[fz_objs[i].cache].c, p);
		else
			gomem_kfree(p);
		expect_refused(before, "interior free", p);
		check_obj(&fz_objs[i], "after an interior free");
		break;
#if FUZZ_DOUBLE_FREE
	case 2:		/* double: again, with no allocation since */
		if (!fz_nfreed)
			break;
		i = arg % fz_nfreed;
		p = fz_freed[i].p;
		if (fz_trace)
			fprintf(stderr, "double free of %p (cache %d)\n", p, fz_freed[i].cache);
		if (fz_freed[i].cache >= 0 && (b & 4))
			gomem_cache_free(fz_caches[fz_freed[i].cache].c, p);
		else
			gomem_kfree(p);
		/* found now or at the next flush: counted at the input's end */
		fz_misuse++;
		break;
	case 3:		/* wrong cache: another cache's object, or kmalloc's */
		i = pick_obj(in);
		k = pick_cache(in);
		if (i < 0 || k < 0 || (fz_objs[i].kind == FZ_CACHE && fz_objs[i].cache == k))
			break;
		if (fz_objs[i].kind == FZ_CACHE &&
		    gomem_cache_size(fz_caches[fz_objs[i].cache].c) == gomem_cache_size(fz_caches[k].c) &&
		    !(b & 8))
			break;
		sp = gomem_ptr_to_span(fz_objs[i].p);
		if (sp && sp->state == GOMEM_SPAN_SMALL && sp->cls == fz_caches[k].c->cls) {
			/*
			 * Both merged on one class (or a kmalloc object of the
			 * merged cache's class): accepted and freed, the counts
			 * settled at destroy (smallobjects.rst, Accounting)
			 */
			before = reports();
			if (fz_trace)
				fprintf(stderr, "object %p (kind %d, cache %d) through cache %d\n",
					fz_objs[i].p, fz_objs[i].kind, fz_objs[i].cache, k);
			p = disown(i);
			gomem_cache_free(fz_caches[k].c, p);
			if (reports() != before)
				fz_fail("free of %p through merged cache %d: %lu reports, expected 0",
					p, k, reports() - before);
			remember_freed(p, k);
			break;
		}
		before = reports();
		gomem_cache_free(fz_caches[k].c, fz_objs[i].p);
		expect_refused(before, "free into the wrong cache", fz_objs[i].p);
		check_obj(&fz_objs[i], "after a wrong-cache free");
		break;
#endif
	}
}

static void op_cpu(struct fz_in *in)
{
	static const int cpus[] = { 0, 2, 3 };
	unsigned int b = in_u8(in);
	int cpu = cpus[b % ARRAY_SIZE(cpus)];

	if (b & 0x80) {
		/* that CPU goes offline: its caches are drained */
		if (cpu == fz_cpu)
			return;
		quiesce();
		gomem_host_cpu_dead(cpu);
		return;
	}
	if (fz_cpu)
		shim_cpu_impersonate(-1);
	if (cpu)
		shim_cpu_impersonate(cpu);
	fz_cpu = cpu;
}

/* free pages a heap keeps: 0, gomem's default (one chunk), more */
#define FZ_RETAIN	(16 * GOMEM_CHUNK_PAGES)
static const unsigned long fz_retains[] = {
	0, GOMEM_CHUNK_PAGES, 4 * GOMEM_CHUNK_PAGES, FZ_RETAIN,
};

static void op_shrink(struct fz_in *in)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned int b = in_u8(in);
	int k;

	switch (b % 4) {
	case 0:
		k = pick_cache(in);
		quiesce();
		if (k >= 0)
			gomem_cache_shrink(fz_caches[k].c);
		break;
	case 1:
		quiesce();
		gomem_drain_all();
		break;
	case 2:
		quiesce();
		sc.nr_to_scan = in_u8(in) * 8 + 1;
		if (shim_shrinker && shim_shrinker->count_objects(shim_shrinker, &sc))
			shim_shrinker->scan_objects(shim_shrinker, &sc);
		break;
	default:
		/*
		 * The heap keeps FZ_RETAIN free pages between inputs (growing
		 * it again is the costliest step here); this input trims
		 * with another threshold from now on
		 */
		gomem_retain_pages = fz_retains[(b >> 2) % ARRAY_SIZE(fz_retains)];
		quiesce();
		gomem_shrink_all();
		break;
	}
}

static void (*const fz_ops[])(struct fz_in *in) = {
	op_cache_create, op_cache_alloc, op_cache_alloc, op_bulk_alloc,
	op_bulk_free, op_kmalloc, op_kmalloc, op_kstrdup, op_krealloc,
	op_free, op_free, op_free, op_misuse, op_cpu, op_shrink, op_cache_destroy,
};

/* ---- one input ---- */

static int fz_ready;
static unsigned long fz_runs;

static void fz_init(void)
{
	nr_cpu_ids = FZ_CPUS;
	fz_trace = getenv("FUZZ_TRACE");
	shim_quiet = !fz_trace;	/* refused creates, atomic vmallocs: expected */
	shim_page_fill_sparse = 1;	/* whole 4 MiB fills were most of the time */
	shim_rcu_inline = 1;		/* liburcu's grace periods: most of the rest */
	if (gomem_host_init())
		fz_fail("gomem_host_init() failed");
	gomem_retain_pages = FZ_RETAIN;
#ifdef FUZZ_LIBFUZZER
	fz_check_every = 8;
#endif
	if (getenv("FUZZ_CHECK_EVERY"))
		fz_check_every = max(1, atoi(getenv("FUZZ_CHECK_EVERY")));
	fz_rep0 = reports();
	if (shim_cpu_id() != 0)
		fz_fail("the fuzzing thread is not CPU 0");
	fz_ready = 1;
}

static long inuse(void)
{
	unsigned long la = 0, lf = 0, h, f;
	struct gomem_heap_stats st;
	int node;

	for_each_node(node) {
		gomem_heap_snapshot(gomem_heaps[node], &st, &h, &f);
		la += st.large_allocs;
		lf += st.large_frees;
	}
	return gomem_host_small_inuse() + (la - lf) +
	       gomem_stat_sum(GOMEM_STAT_VMALLOC_ALLOCS) - gomem_stat_sum(GOMEM_STAT_VMALLOC_FREES) +
	       gomem_stat_sum(GOMEM_STAT_TINY_ALLOCS) - gomem_stat_sum(GOMEM_STAT_TINY_FREES);
}

/*
 * The state checks, after every fz_check_every-th input (every input when
 * the corpus is replayed; every 8th under libFuzzer, where they were half
 * the run time: FUZZ_CHECK_EVERY=1 pins a failure on one input)
 */

static void fz_check_state(void)
{
	unsigned long bad;
	int node;
	long live;

	gomem_drain_all();	/* the current tiny blocks */
	bad = gomem_host_check();
	if (bad)
		fz_fail("%lu span-state violations", bad);
	for_each_node(node) {
		struct gomem_heap *h = gomem_heaps[node];
		unsigned long flags;
		int err;

		spin_lock_irqsave(&h->lock, flags);
		err = gomem_pagealloc_check(&h->pa);
		spin_unlock_irqrestore(&h->lock, flags);
		if (err)
			fz_fail("node %d: the page heap's summaries and counts disagree", node);
	}
	live = inuse();
	if (live)
		fz_fail("%ld objects still in use with every object freed", live);
	if (reports() - fz_rep0 < fz_misuse)
		fz_fail("%lu misuse frees, %lu reported", fz_misuse, reports() - fz_rep0);
	fz_rep0 = reports();
	fz_misuse = 0;
}

int gomem_fuzz_one(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size, 0 };
	unsigned int k;

	if (!fz_ready)
		fz_init();
	fz_nfreed = 0;
	while (in.i < in.n) {
		unsigned int op = in_u8(&in) % ARRAY_SIZE(fz_ops);

		if (fz_trace)
			fprintf(stderr, "op %u at %zu: cpu %d, %u objects\n", op, in.i - 1, fz_cpu,
				fz_nobjs);
		fz_ops[op](&in);
	}

	/* everything back */
	gomem_retain_pages = FZ_RETAIN;
	while (fz_nobjs)
		free_obj(fz_nobjs - 1, false, 0);
	for (k = 0; k < FZ_CACHES; k++) {
		if (!fz_caches[k].c)
			continue;
		destroy_cache(k);
	}
	quiesce();		/* kfree_rcu(), typesafe-by-RCU spans */
	if (++fz_runs % fz_check_every)
		return 0;
	fz_check_state();
	/*
	 * Now and then (growing the heap again is this target's main cost):
	 * with nothing retained, a shrink gives every page back.
	 */
	if (!(fz_runs & 63)) {
		gomem_retain_pages = 0;
		gomem_shrink_all();
		fz_rcu_pending = true;
		quiesce();
		gomem_shrink_all();
		gomem_retain_pages = FZ_RETAIN;
		if (gomem_host_held_pages())
			fz_fail("%lu pages held after a full shrink", gomem_host_held_pages());
	}
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return gomem_fuzz_one(data, size);
}
#endif
