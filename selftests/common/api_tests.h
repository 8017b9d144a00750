/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomem's public API (include/gomem.h) tested once, for both runtimes, as
 * the kernel's radix-tree tests include lib/test_xarray.c: this file is
 * included by selftests/host/test_api.c (kselftest_harness.h, one TEST_F per
 * case, under ASan+UBSan and TSan) and by
 * selftests/modules/test_gomem_cache.c (kselftest_module.h, in QEMU).
 *
 * The includer defines, before including it:
 *
 *   API_CTX              the type of a case's context
 *   API_ARGS, API_PASS   a case's parameter list (an API_CTX pointer) and the
 *                        argument that passes it on to helpers
 *   API_FAIL(fmt, ...)   record one failure with a message (no newline)
 *
 * and, anywhere in the file, the runtime's side of these (declared below):
 *
 *   api_pin(), api_unpin()   stay on one CPU in between (a LIFO magazine,
 *                        one current tiny block, one node); the case may
 *                        sleep in between (migrate_disable() in the kernel)
 *   api_quiet(on)        misuse reports are expected until api_quiet(false)
 *   api_section(name)    a misuse section starts (the kernel marks the log
 *                        for selftests/guest/tests/40-caches)
 *   api_counts(&c)       what /proc/gomem's total record says (struct
 *                        api_counts below), or its equivalent on the host
 *   api_cache_stat(name, &s)   a cache's row (struct api_cache_stat)
 *   api_foreign(p, max)  pointers gomem does not own; api_foreign_put()
 *                        releases them
 *   api_slub_geometry(...)  the slab SLUB makes for a cache of the same
 *                        parameters (struct api_slub below): in the kernel
 *                        SLUB's own cache, on the host mm/slub.c's
 *                        calculate_sizes() and calculate_order() as
 *                        computed in userspace; false when SLUB refuses it
 *
 * and may define API_NOTE(fmt, ...) to log figures a case measured.
 *
 * Every count is compared as a difference against a snapshot taken in the
 * test: in the kernel, gomem is shared with what ran before. api_tests[]
 * lists the cases; each is `static void api_test_NAME(API_ARGS)`, checks
 * with API_EXPECT() (which evaluates to true when the check failed, so that
 * `if (API_EXPECT(...)) return;` ends a case) and leaves gomem as it found it.
 */
#ifndef _GOMEM_API_TESTS_H
#define _GOMEM_API_TESTS_H

#include <gomem.h>

struct api_counts {
	unsigned long bad_frees, double_frees;
	unsigned long small_inuse;	/* small objects of the global classes */
	unsigned long large_inuse, vmalloc_inuse, tiny_inuse;
};

struct api_cache_stat {
	bool listed;			/* the cache exists */
	unsigned long allocs, frees, active;
	long spans;			/* a private cache's spans; -1 when merged */
	unsigned long per_span;		/* objects per span of its class */
	unsigned long span_bytes;	/* bytes of one span of its class */
};

/* SLUB's slab for a cache */
struct api_slub {
	unsigned int size;		/* its slot: kmem_cache->size */
	unsigned long slab_bytes;	/* PAGE_SIZE << its order */
	unsigned int objects;		/* objects per slab */
};

#ifndef API_NOTE
#define API_NOTE(fmt, ...) do { } while (0)
#endif

/* the runtime's side */
static void api_pin(void);
static void api_unpin(void);
static void api_quiet(bool on);
static void api_section(const char *name);
static void api_counts(struct api_counts *c);
static void api_cache_stat(const char *name, struct api_cache_stat *s);
static int api_foreign(void **p, int max);
static void api_foreign_put(void);
static bool api_slub_geometry(const char *name, unsigned int size, unsigned int align,
			      unsigned long flags, void (*ctor)(void *), struct api_slub *out);

/* evaluates to true when @cond failed (and records the failure) */
#define API_EXPECT(cond, fmt, ...) ({					\
	bool __api_ok = !!(cond);					\
	if (!__api_ok)							\
		API_FAIL("%s:%d: " fmt, __func__, __LINE__, ##__VA_ARGS__);	\
	!__api_ok;							\
})

#define API_EXPECT_DELTA(before, after, field, want)			\
	API_EXPECT((after).field - (before).field == (unsigned long)(want),	\
		   #field " moved by %ld, expected %ld",			\
		   (long)((after).field - (before).field), (long)(want))

/* ---------------- helpers ---------------- */

/* an address-independent pattern, for objects that move or are compared */
static inline u8 api_byte(unsigned long tag, size_t i)
{
	return (u8)(i * 31 + (i >> 8) + tag * 77 + 1);
}

static inline void api_fill(void *p, size_t n, unsigned long tag)
{
	u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = api_byte(tag, i);
}

static inline bool api_intact(const void *p, size_t n, unsigned long tag)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != api_byte(tag, i))
			return false;
	return true;
}

static inline bool api_all_zero(const void *p, size_t n)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* @n objects of @size bytes: none NULL, no two overlapping (sorts @objs) */
static inline bool api_distinct(void **objs, unsigned int n, size_t size)
{
	unsigned int gap, i, j;
	void *t;

	for (gap = n / 2; gap; gap /= 2) {	/* shell sort: no sort() on the host */
		for (i = gap; i < n; i++) {
			t = objs[i];
			for (j = i; j >= gap && (unsigned long)objs[j - gap] > (unsigned long)t;
			     j -= gap)
				objs[j] = objs[j - gap];
			objs[j] = t;
		}
	}
	for (i = 0; i < n; i++) {
		if (!objs[i])
			return false;
		if (i + 1 < n && (unsigned long)objs[i] + size > (unsigned long)objs[i + 1])
			return false;
	}
	return true;
}

/* a cache's row shows exactly @allocs and @frees; Return: true when it does not */
static inline bool api_expect_row(API_ARGS, const char *name, unsigned long allocs,
				  unsigned long frees)
{
	struct api_cache_stat s;

	api_cache_stat(name, &s);
	return API_EXPECT(s.listed && s.allocs == allocs && s.frees == frees &&
			  s.active == allocs - frees,
			  "%s: listed %d allocs %lu frees %lu active %lu, expected %lu/%lu/%lu",
			  name, s.listed, s.allocs, s.frees, s.active, allocs, frees,
			  allocs - frees);
}

/* ---------------- the kmalloc family ---------------- */

/*
 * Every size up to 70,000 bytes: usable size, exactly the size class's for
 * small objects (the largest size of the same class, per the header's
 * table), natural alignment of powers of two (all of them up to 4 MiB:
 * natural_alignment), the whole usable size writable; zero-size and NULL
 * rules; nothing left in use.
 */
static void api_test_kmalloc_sizes(API_ARGS)
{
	struct api_counts c0, c1;
	size_t size, ks;
	u8 *p;

	api_counts(&c0);
	for (size = 1; size <= 70000; size += (size < 2048 ? 1 : 61)) {
		p = gomem_kmalloc(size, GFP_KERNEL);
		if (API_EXPECT(p, "gomem_kmalloc(%zu) failed", size))
			return;
		ks = gomem_ksize(p);
		API_EXPECT(ks >= size, "size %zu: ksize %zu", size, ks);
		if (size <= GOMEM_MAX_SMALL_SIZE)
			API_EXPECT(gomem_const_size_class(ks) == gomem_const_size_class(size) &&
				   (ks == GOMEM_MAX_SMALL_SIZE ||
				    gomem_const_size_class(ks + 1) != gomem_const_size_class(size)),
				   "size %zu: ksize %zu is not its class's size", size, ks);
		else
			API_EXPECT(ks % 8192 == 0 && ks - size < 8192,
				   "large size %zu: ksize %zu is not in whole 8 KiB pages", size, ks);
		if (is_power_of_2(size))
			API_EXPECT((unsigned long)p % size == 0, "size %zu at %p", size, p);
		API_EXPECT((unsigned long)p % 8 == 0, "size %zu at %p", size, p);
		api_fill(p, ks, size);
		API_EXPECT(api_intact(p, ks, size), "size %zu: pattern", size);
		gomem_kfree(p);
	}
	API_EXPECT(gomem_kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR, "kmalloc(0)");
	gomem_kfree(ZERO_SIZE_PTR);
	gomem_kfree(NULL);
	API_EXPECT(!gomem_ksize(NULL) && !gomem_ksize(ZERO_SIZE_PTR), "ksize(NULL)");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, small_inuse, 0);
	API_EXPECT_DELTA(c0, c1, large_inuse, 0);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
}

/*
 * Allocate API_ALIGN_PER objects of every power of two from 8 B to 4 MiB
 * (@round tells the kinds of allocation apart: kmalloc, kzalloc,
 * kmalloc_node, kvmalloc), each aligned to its size and, once all are
 * allocated, its whole size still holding its own pattern (no two
 * overlap). Return: true when a check failed.
 */
#define API_ALIGN_SHIFTS	20	/* 2^3 .. 2^22 bytes */
#define API_ALIGN_PER		3

static bool api_align_round(API_ARGS, void *objs[API_ALIGN_SHIFTS][API_ALIGN_PER],
			    unsigned int round)
{
	unsigned int i, k;
	size_t size;
	void *p;

	for (i = 0; i < API_ALIGN_SHIFTS; i++) {
		size = (size_t)8 << i;
		for (k = 0; k < API_ALIGN_PER; k++) {
			switch (round % 4) {
			case 0:
				p = gomem_kmalloc(size, GFP_KERNEL);
				break;
			case 1:
				p = gomem_kzalloc(size, GFP_KERNEL);
				API_EXPECT(!p || api_all_zero(p, size), "kzalloc(%zu) not zeroed",
					   size);
				break;
			case 2:
				p = gomem_kmalloc_node(size, GFP_KERNEL, NUMA_NO_NODE);
				break;
			default:
				p = gomem_kvmalloc(size, GFP_KERNEL);
				API_EXPECT(!p || !is_vmalloc_addr(p), "kvmalloc(%zu) vmalloc'ed",
					   size);
			}
			objs[i][k] = p;
			if (API_EXPECT(p, "round %u: %zu bytes failed", round, size))
				return true;
			API_EXPECT((unsigned long)p % size == 0, "round %u: %zu bytes at %p",
				   round, size, p);
			api_fill(p, size, i * API_ALIGN_PER + k + round);
		}
	}
	for (i = 0; i < API_ALIGN_SHIFTS; i++)
		for (k = 0; k < API_ALIGN_PER; k++)
			API_EXPECT(api_intact(objs[i][k], (size_t)8 << i,
					      i * API_ALIGN_PER + k + round),
				   "round %u: %zu bytes at %p: pattern", round, (size_t)8 << i,
				   objs[i][k]);
	return false;
}

/*
 * Natural alignment, as the kernel's kmalloc() guarantees: every power of
 * two from 8 B to 4 MiB, through kmalloc, kzalloc, kmalloc_node and
 * kvmalloc's kmalloc part; again after the heap was fragmented with objects
 * of sizes that are not powers of two (24 KiB, 40 KiB, 200 KiB, every other
 * one freed); krealloc to a power of two (smaller and larger) aligned too.
 * Nothing left in use.
 */
static void api_test_natural_alignment(API_ARGS)
{
	static const size_t frag_sizes[] = { 24576, 40960, 204800, 12288 };
	void *objs[API_ALIGN_SHIFTS][API_ALIGN_PER], *frag[64];
	struct api_counts c0, c1;
	unsigned int i, k, round, nfrag = 0;
	size_t ks;
	void *p, *q;

	api_counts(&c0);
	for (round = 0; round < 8; round++) {
		if (round == 4) {
			/* holes of odd sizes at odd places */
			for (i = 0; i < ARRAY_SIZE(frag); i++) {
				frag[i] = gomem_kmalloc(frag_sizes[i % ARRAY_SIZE(frag_sizes)],
							GFP_KERNEL);
				if (API_EXPECT(frag[i], "fragment %u", i))
					break;
				nfrag = i + 1;
			}
			for (i = 0; i < nfrag; i += 2) {
				gomem_kfree(frag[i]);
				frag[i] = NULL;
			}
		}
		if (api_align_round(API_PASS, objs, round)) {
			/* free what the failed round got */
			for (i = 0; i < API_ALIGN_SHIFTS; i++)
				for (k = 0; k < API_ALIGN_PER; k++)
					objs[i][k] = NULL;
			break;
		}
		for (i = 0; i < API_ALIGN_SHIFTS; i++)
			for (k = 0; k < API_ALIGN_PER; k++)
				gomem_kvfree(objs[i][k]);
	}
	for (i = 0; i < nfrag; i++)
		gomem_kfree(frag[i]);

	/* krealloc: 24 KiB kept for 16 KiB only if 16 KiB aligned; 3000 B grown */
	for (i = 0; i < 8; i++) {
		p = gomem_kmalloc(24576, GFP_KERNEL);
		if (API_EXPECT(p, "kmalloc(24576)"))
			break;
		api_fill(p, 16384, i);
		q = gomem_krealloc(p, 16384, GFP_KERNEL);
		if (API_EXPECT(q, "krealloc(24576 -> 16384)")) {
			gomem_kfree(p);
			break;
		}
		API_EXPECT((unsigned long)q % 16384 == 0 && api_intact(q, 16384, i),
			   "krealloc(24576 -> 16384) at %p", q);
		p = gomem_krealloc(q, 3000, GFP_KERNEL);
		if (API_EXPECT(p, "krealloc(16384 -> 3000)")) {
			gomem_kfree(q);
			break;
		}
		q = gomem_krealloc(p, 65536 << (i % 4), GFP_KERNEL);
		if (API_EXPECT(q, "krealloc(3000 -> %u)", 65536 << (i % 4))) {
			gomem_kfree(p);
			break;
		}
		ks = gomem_ksize(q);
		API_EXPECT((unsigned long)q % (65536 << (i % 4)) == 0 && ks >= 65536U << (i % 4) &&
			   api_intact(q, 3000, i), "krealloc(3000 -> %u) at %p, ksize %zu",
			   65536 << (i % 4), q, ks);
		gomem_kfree(q);
	}
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, small_inuse, 0);
	API_EXPECT_DELTA(c0, c1, large_inuse, 0);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 0);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
}

/* the object just freed is the next one handed out (LIFO magazine) */
static void api_test_lifo_reuse(API_ARGS)
{
	struct gomem_cache *c = gomem_cache_create("api_lifo", 200, 0, GOMEM_NO_MERGE, NULL);
	void *p, *q, *r, *s;

	if (API_EXPECT(c, "cannot create api_lifo"))
		return;
	api_pin();
	p = gomem_kmalloc(256, GFP_KERNEL);
	gomem_kfree(p);
	q = gomem_kmalloc(256, GFP_KERNEL);
	r = gomem_cache_alloc(c, GFP_KERNEL);
	gomem_cache_free(c, r);
	s = gomem_cache_alloc(c, GFP_KERNEL);
	api_unpin();
	API_EXPECT(p && p == q, "kmalloc: %p freed, %p handed out", p, q);
	API_EXPECT(r && r == s, "cache: %p freed, %p handed out", r, s);
	gomem_kfree(q);
	gomem_cache_free(c, s);
	api_expect_row(API_PASS, "api_lifo", 2, 2);
	gomem_cache_destroy(c);
}

/*
 * Zeroing: kzalloc and kcalloc of every path (small, large, vmalloc'ed)
 * and gomem_cache_zalloc() of caches of every kind, each given the dirty
 * object freed just before (LIFO).
 */
static void api_test_zeroing(API_ARGS)
{
	static const struct { unsigned int size, align; unsigned long flags; } kinds[] = {
		{ 7, 0, GOMEM_NOSCAN }, { 40, 0, 0 }, { 200, 0, GOMEM_NO_MERGE },
		{ 700, 0, GOMEM_POISON }, { 1000, 0, GOMEM_NOSCAN },
		{ 2048, 2048, GOMEM_TYPESAFE_BY_RCU }, { 6000, 8, GOMEM_POISON | GOMEM_NOSCAN },
	};
	struct gomem_cache *c;
	size_t size, ks;
	unsigned int k;
	u8 *p, *q;

	for (size = 8; size <= GOMEM_MAX_LARGE_SIZE; size = size * 5 / 2) {
		p = gomem_kmalloc(size, GFP_KERNEL);
		if (API_EXPECT(p, "kmalloc(%zu)", size))
			return;
		memset(p, 0xee, gomem_ksize(p));
		gomem_kfree(p);
		p = gomem_kzalloc(size, GFP_KERNEL);
		if (API_EXPECT(p, "kzalloc(%zu)", size))
			return;
		ks = gomem_ksize(p);
		API_EXPECT(ks >= size && api_all_zero(p, ks), "kzalloc(%zu): dirty", size);
		gomem_kfree(p);
	}
	p = gomem_kmalloc(800, GFP_KERNEL);
	if (API_EXPECT(p, "kmalloc(800)"))
		return;
	memset(p, 0xff, 800);
	gomem_kfree(p);
	p = gomem_kcalloc(100, 8, GFP_KERNEL);
	API_EXPECT(p && gomem_ksize(p) >= 800 && api_all_zero(p, 800), "kcalloc(100, 8)");
	gomem_kfree(p);
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		c = gomem_cache_create("api_zalloc", kinds[k].size, kinds[k].align,
				       kinds[k].flags, NULL);
		if (API_EXPECT(c, "cannot create a cache of %u bytes", kinds[k].size))
			return;
		api_pin();
		p = gomem_cache_alloc(c, GFP_KERNEL);
		if (p) {
			memset(p, 0xff, kinds[k].size);
			gomem_cache_free(c, p);
		}
		q = gomem_cache_zalloc(c, GFP_KERNEL);
		api_unpin();
		API_EXPECT(p && q && api_all_zero(q, kinds[k].size),
			   "%u-byte cache, flags %#lx: a dirty object", kinds[k].size,
			   kinds[k].flags);
		gomem_cache_free(c, q);
		gomem_cache_destroy(c);
	}
}

static void api_test_overflow_and_limits(API_ARGS)
{
	struct api_counts c0, c1;
	u8 *p;

	api_counts(&c0);
	api_quiet(true);
	API_EXPECT(!gomem_kmalloc_array(SIZE_MAX / 2, 3, GFP_KERNEL), "kmalloc_array overflow");
	API_EXPECT(!gomem_kcalloc(1UL << 62, 8, GFP_KERNEL), "kcalloc overflow");
	API_EXPECT(!gomem_kmalloc_array(SIZE_MAX, SIZE_MAX, GFP_KERNEL), "kmalloc_array max");
	API_EXPECT(!gomem_kmalloc((size_t)INT_MAX + 1, GFP_KERNEL | __GFP_NOWARN),
		   "kmalloc of 2 GiB");
	API_EXPECT(!gomem_kmalloc(SIZE_MAX, GFP_KERNEL | __GFP_NOWARN), "kmalloc(SIZE_MAX)");
	/* kmalloc memory is contiguous: nothing above 4 MiB, as the kernel's */
	API_EXPECT(!gomem_kmalloc((4 << 20) + 1, GFP_KERNEL | __GFP_NOWARN),
		   "kmalloc of 4 MiB + 1");
	API_EXPECT(!gomem_kmalloc_node(5 << 20, GFP_KERNEL | __GFP_NOWARN, NUMA_NO_NODE),
		   "kmalloc_node of 5 MiB");
	/* vmalloc cannot serve an atomic request: kvmalloc is kmalloc then */
	API_EXPECT(!gomem_kvmalloc(5 << 20, GFP_ATOMIC | __GFP_NOWARN), "atomic kvmalloc 5 MiB");
	API_EXPECT(!gomem_kvmalloc_array(SIZE_MAX / 2, 3, GFP_KERNEL), "kvmalloc_array overflow");
	API_EXPECT(!gomem_kvmalloc((size_t)INT_MAX + 1, GFP_KERNEL | __GFP_NOWARN),
		   "kvmalloc of 2 GiB");
	api_quiet(false);
	p = gomem_kmalloc_array(1000, 40, GFP_KERNEL);
	API_EXPECT(p && gomem_ksize(p) >= 40000, "kmalloc_array(1000, 40)");
	gomem_kfree(p);
	/* kvmalloc up to 4 MiB: the kmalloc path, contiguous */
	p = gomem_kvmalloc(100000, GFP_KERNEL);
	API_EXPECT(p && !is_vmalloc_addr(p) && gomem_ksize(p) >= 100000, "kvmalloc(100000)");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, large_inuse, 1);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 0);
	gomem_kvfree(p);
	p = gomem_kvcalloc(3000, 1000, GFP_KERNEL);	/* 3 MB, zeroed */
	API_EXPECT(p && !is_vmalloc_addr(p) && api_all_zero(p, 3000000), "kvcalloc(3000, 1000)");
	gomem_kvfree(p);
	p = gomem_kvmalloc(5 << 20, GFP_KERNEL);	/* vmalloc'ed */
	if (API_EXPECT(p && is_vmalloc_addr(p), "kvmalloc of 5 MiB"))
		return;
	API_EXPECT(gomem_ksize(p) == 5 << 20, "5 MiB: ksize %zu", gomem_ksize(p));
	api_fill(p + (5 << 20) - 8192, 8192, 7);
	API_EXPECT(api_intact(p + (5 << 20) - 8192, 8192, 7), "5 MiB: pattern");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 1);
	/* kvrealloc: grown, the old bytes kept, the old object freed */
	p = gomem_kvrealloc(p, 5 << 20, 6 << 20, GFP_KERNEL);
	if (API_EXPECT(p, "kvrealloc 5 -> 6 MiB"))
		return;
	API_EXPECT(api_intact(p + (5 << 20) - 8192, 8192, 7), "kvrealloc: the old bytes");
	API_EXPECT(gomem_kvrealloc(p, 6 << 20, 4096, GFP_KERNEL) == p, "kvrealloc shrink: same");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 1);
	gomem_kvfree(p);
	p = gomem_kvzalloc(6 << 20, GFP_KERNEL);
	API_EXPECT(p && is_vmalloc_addr(p) && api_all_zero(p + (6 << 20) - 65536, 65536),
		   "kvzalloc of 6 MiB");
	gomem_kvfree(p);
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 0);
	API_EXPECT_DELTA(c0, c1, large_inuse, 0);
	API_EXPECT_DELTA(c0, c1, small_inuse, 0);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
}

/*
 * krealloc keeps the contents through small, large and vmalloc'ed sizes,
 * growing and shrinking; a failing krealloc leaves the object alone; a
 * tiny-packed string grows into a real object.
 */
static void api_test_krealloc(API_ARGS)
{
	static const size_t steps[] = { 100, 5000, 100000, 4 << 20, 40000, 3000, 50, 16, 8 };
	struct api_counts c0, c1;
	size_t prev, i;
	u8 *p, *q;

	api_counts(&c0);
	p = gomem_krealloc(NULL, 20, GFP_KERNEL);
	if (API_EXPECT(p && gomem_ksize(p) >= 20, "krealloc(NULL, 20)"))
		return;
	api_fill(p, 20, 0);
	prev = 20;
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		q = gomem_krealloc(p, steps[i], GFP_KERNEL);
		if (API_EXPECT(q, "krealloc to %zu failed", steps[i]))
			break;
		API_EXPECT(gomem_ksize(q) >= steps[i], "krealloc(%zu): ksize %zu", steps[i],
			   gomem_ksize(q));
		API_EXPECT(api_intact(q, min(prev, steps[i]), 0),
			   "krealloc %zu -> %zu lost the contents", prev, steps[i]);
		p = q;
		api_fill(p, steps[i], 0);
		prev = steps[i];
	}
	API_EXPECT(gomem_ksize(p) == 8, "krealloc to 8: ksize %zu", gomem_ksize(p));
	api_quiet(true);
	q = gomem_krealloc(p, (size_t)INT_MAX + 1, GFP_KERNEL | __GFP_NOWARN);
	API_EXPECT(!gomem_krealloc(p, (4 << 20) + 1, GFP_KERNEL | __GFP_NOWARN),
		   "krealloc above 4 MiB succeeded");
	api_quiet(false);
	API_EXPECT(!q, "krealloc to 2 GiB succeeded");
	API_EXPECT(api_intact(p, prev, 0), "a failed krealloc changed the object");
	API_EXPECT(gomem_krealloc(p, 0, GFP_KERNEL) == ZERO_SIZE_PTR, "krealloc(p, 0)");
	/* a tiny string */
	p = (u8 *)gomem_kstrdup("tiny", GFP_KERNEL);
	if (API_EXPECT(p && !strcmp((char *)p, "tiny"), "kstrdup"))
		return;
	q = gomem_krealloc(p, 100, GFP_KERNEL);
	API_EXPECT(q && !strcmp((char *)q, "tiny") && gomem_ksize(q) >= 100,
		   "krealloc of a tiny string");
	gomem_kfree(q ?: p);
	API_EXPECT(!gomem_kstrdup(NULL, GFP_KERNEL), "kstrdup(NULL)");
	gomem_cache_shrink(NULL);	/* retire the current tiny block */
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, small_inuse, 0);
	API_EXPECT_DELTA(c0, c1, large_inuse, 0);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 0);
	API_EXPECT_DELTA(c0, c1, tiny_inuse, 0);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
}

/*
 * A tiny-packed object has a size of its own: ksize is exactly what was
 * asked for, and krealloc copies those bytes only, never the neighbour
 * that shares its 16-byte block (into a zeroed buffer, a neighbour's bytes
 * would show).
 */
static void api_test_tiny_ksize_krealloc(API_ARGS)
{
	struct api_counts c0, c1;
	u8 *a = NULL, *b = NULL, *q, *extra[8];
	unsigned int i, n = 0, bad = 0;
	void *p;

	api_counts(&c0);
	for (i = 1; i < 16; i++) {
		p = gomem_kmalloc_noscan(i, GFP_KERNEL);
		if (API_EXPECT(p, "kmalloc_noscan(%u)", i))
			continue;
		bad += gomem_ksize(p) != i;
		gomem_kfree(p);
	}
	API_EXPECT(!bad, "%u tiny objects whose ksize is not their size", bad);
	p = gomem_kstrdup("tiny", GFP_KERNEL);
	API_EXPECT(p && gomem_ksize(p) == 5, "kstrdup(\"tiny\"): ksize %zu", gomem_ksize(p));
	gomem_kfree(p);

	/* two 4-byte objects side by side in one block */
	api_pin();
	while (n < ARRAY_SIZE(extra)) {
		a = gomem_kmalloc_noscan(4, GFP_KERNEL);
		b = gomem_kmalloc_noscan(4, GFP_KERNEL);
		if (!a || !b || b == a + 4)
			break;
		extra[n++] = a;		/* a block ended between them: again */
		gomem_kfree(b);
		b = NULL;
	}
	api_unpin();
	if (API_EXPECT(a && b == a + 4, "no two adjacent tiny objects"))
		goto out;
	memset(a, 0x11, 4);
	memset(b, 0xb7, 4);
	API_EXPECT(gomem_ksize(a) == 4, "ksize of a 4-byte tiny object: %zu", gomem_ksize(a));
	q = gomem_krealloc(a, 8, GFP_KERNEL | __GFP_ZERO);
	if (!API_EXPECT(q && q != a, "krealloc(4 -> 8) of a tiny object")) {
		API_EXPECT(q[0] == 0x11 && q[3] == 0x11, "krealloc lost the object's bytes");
		API_EXPECT(api_all_zero(q + 4, 4),
			   "krealloc copied its neighbour's bytes: %02x %02x %02x %02x",
			   q[4], q[5], q[6], q[7]);
		a = q;
	}
	API_EXPECT(b[0] == 0xb7 && b[3] == 0xb7, "the neighbour changed");
out:
	gomem_kfree(a);
	gomem_kfree(b);
	for (i = 0; i < n; i++)
		gomem_kfree(extra[i]);
	gomem_cache_shrink(NULL);	/* retire the current tiny block */
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, tiny_inuse, 0);
	API_EXPECT_DELTA(c0, c1, small_inuse, 0);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
}

/* each side of every limit: classes, 32 KiB, gomem pages, 4 MiB */
static const size_t api_roundup_sizes[] = {
	1, 7, 8, 9, 100, 1000, 4096, 4097, 32767, 32768, 32769, 40000, 65536,
	100000, (4 << 20) - 1, 4 << 20, (4 << 20) + 1,
};

/*
 * The slab.h helpers built on the kmalloc family: contents, termination,
 * truncation, overflow, NULL, zeroing, and nothing left allocated.
 */
/* a struct for GOMEM_KMEM_CACHE() */
struct api_kmem {
	u64 a;
	u32 b[5];
} __aligned(32);

static void api_test_slab_helpers(API_ARGS)
{
	static const char str[] = "a string of thirty characters";
	struct gomem_cache *kc, *uc;
	const char *cs;
	size_t huge = SIZE_MAX / 2;
	struct api_counts c0, c1;
	int node = numa_mem_id();
	unsigned int i, bad = 0;
	char *s, *t;
	u8 *p, *q;

	api_counts(&c0);
	p = gomem_kmemdup(str, sizeof(str), GFP_KERNEL);
	API_EXPECT(p && (void *)p != (void *)str && !memcmp(p, str, sizeof(str)), "kmemdup");
	gomem_kfree(p);
	/* kmemdup_nul: @len bytes and a NUL, where the source has none */
	s = gomem_kmemdup_nul(str, 5, GFP_KERNEL);
	API_EXPECT(s && !strcmp(s, "a str"), "kmemdup_nul(str, 5): \"%s\"", s ?: "(null)");
	gomem_kfree(s);
	API_EXPECT(!gomem_kmemdup_nul(NULL, 5, GFP_KERNEL), "kmemdup_nul(NULL)");
	/* kstrndup: cut at @max, or the whole string when it is shorter */
	s = gomem_kstrndup(str, 8, GFP_KERNEL);
	t = gomem_kstrndup(str, 1000, GFP_KERNEL);
	API_EXPECT(s && !strcmp(s, "a string") && gomem_ksize(s) == 9,
		   "kstrndup(str, 8): \"%s\", ksize %zu", s ?: "(null)", gomem_ksize(s));
	API_EXPECT(t && !strcmp(t, str), "kstrndup(str, 1000)");
	gomem_kfree(s);
	gomem_kfree(t);
	s = gomem_kstrndup(str, 0, GFP_KERNEL);
	API_EXPECT(s && !s[0], "kstrndup(str, 0) is not an empty string");
	gomem_kfree(s);
	API_EXPECT(!gomem_kstrndup(NULL, 8, GFP_KERNEL), "kstrndup(NULL)");

	/* arrays on a node: overflow refused, kcalloc_node zeroed */
	API_EXPECT(!gomem_kmalloc_array_node(huge, 3, GFP_KERNEL, node), "kmalloc_array_node overflow");
	API_EXPECT(!gomem_kcalloc_node(huge, 3, GFP_KERNEL, node), "kcalloc_node overflow");
	p = gomem_kcalloc_node(100, 3, GFP_KERNEL, node);
	if (API_EXPECT(p && gomem_ksize(p) >= 300, "kcalloc_node(100, 3)"))
		return;
	API_EXPECT(api_all_zero(p, 300), "kcalloc_node: not zeroed");
	/* krealloc_array: grows with the contents; on overflow @p is untouched */
	memset(p, 0x5a, 300);
	q = gomem_krealloc_array(p, 1000, 3, GFP_KERNEL);
	if (!API_EXPECT(q && gomem_ksize(q) >= 3000, "krealloc_array(p, 1000, 3)"))
		p = q;
	API_EXPECT(!gomem_krealloc_array(p, huge, 3, GFP_KERNEL), "krealloc_array overflow");
	for (i = 0; i < 300; i++)
		bad += p[i] != 0x5a;
	API_EXPECT(!bad, "krealloc_array: %u bytes changed", bad);
	gomem_kfree(p);

	/* kmalloc_size_roundup: what ksize says of the object kmalloc gives */
	API_EXPECT(!gomem_kmalloc_size_roundup(0), "kmalloc_size_roundup(0)");
	for (i = 0; i < ARRAY_SIZE(api_roundup_sizes); i++) {
		size_t size = api_roundup_sizes[i], r = gomem_kmalloc_size_roundup(size);

		p = gomem_kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		if (size > GOMEM_MAX_LARGE_SIZE) {
			/* refused, as the kernel's kmalloc() above KMALLOC_MAX_SIZE */
			API_EXPECT(!p && r == size, "kmalloc(%zu): %p, roundup %zu", size, p, r);
			continue;
		}
		if (API_EXPECT(p, "kmalloc(%zu)", size))
			continue;
		API_EXPECT(r >= size && r == gomem_ksize(p),
			   "kmalloc_size_roundup(%zu) = %zu, ksize %zu", size, r, gomem_ksize(p));
		gomem_kfree(p);
	}

	/* kfree_sensitive: the same object, handed out next (LIFO), reads zero */
	api_pin();
	p = gomem_kmalloc(256, GFP_KERNEL);
	if (p)
		memset(p, 0xa5, 256);
	gomem_kfree_sensitive(p);
	q = gomem_kmalloc(256, GFP_KERNEL);
	api_unpin();
	if (!API_EXPECT(p && q == p, "kfree_sensitive: %p freed, %p handed out", p, q))
		API_EXPECT(api_all_zero(q, 256), "kfree_sensitive did not zero the object");
	gomem_kfree(q);
	gomem_kfree_sensitive(gomem_kstrdup("tiny", GFP_KERNEL));
	gomem_kfree_sensitive(NULL);
	gomem_kfree_sensitive(ZERO_SIZE_PTR);

	/* kstrdup_const: a copy, always; kfree_const frees it */
	cs = gomem_kstrdup_const(str, GFP_KERNEL);
	API_EXPECT(cs && cs != str && !strcmp(cs, str), "kstrdup_const");
	gomem_kfree_const(cs);
	gomem_kfree_const(NULL);
	/* kmalloc_track_caller: an object as kmalloc's */
	p = gomem_kmalloc_track_caller(100, GFP_KERNEL);
	API_EXPECT(p && gomem_ksize(p) >= 100, "kmalloc_track_caller(100)");
	gomem_kfree(p);
	p = gomem_kmalloc_node_track_caller(40000, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE);
	API_EXPECT(p && api_all_zero(p, 40000), "kmalloc_node_track_caller(40000, zero)");
	gomem_kfree(p);
	/* one-argument kfree_rcu and kvfree_rcu: freed after a grace period */
	gomem_kfree_rcu(gomem_kmalloc(200, GFP_KERNEL));
	gomem_kvfree_rcu(gomem_kvmalloc(5 << 20, GFP_KERNEL));
	gomem_kfree_rcu((void *)NULL);
	/* KMEM_CACHE, the usercopy and lru variants */
	kc = GOMEM_KMEM_CACHE(api_kmem, 0);
	uc = gomem_cache_create_usercopy("api_usercopy", 100, 8, GOMEM_NO_MERGE, 8, 16, NULL);
	if (!API_EXPECT(kc && uc, "KMEM_CACHE, cache_create_usercopy")) {
		p = gomem_cache_alloc_lru(kc, NULL, GFP_KERNEL);
		q = gomem_cache_alloc_lru(uc, NULL, GFP_KERNEL);
		API_EXPECT(p && q && !((unsigned long)p % __alignof__(struct api_kmem)) &&
			   !((unsigned long)q % 8), "cache_alloc_lru: %p, %p", p, q);
		if (p)
			memset(p, 1, sizeof(struct api_kmem));
		if (q)
			memset(q, 2, 100);
		gomem_cache_free(kc, p);
		gomem_cache_free(uc, q);
		/* named after the struct */
		api_expect_row(API_PASS, "api_kmem", 1, 1);
		api_expect_row(API_PASS, "api_usercopy", 1, 1);
	}
	gomem_cache_destroy(kc);
	gomem_cache_destroy(uc);
	gomem_cache_shrink(NULL);	/* retire the current tiny block */
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, small_inuse, 0);
	API_EXPECT_DELTA(c0, c1, large_inuse, 0);
	API_EXPECT_DELTA(c0, c1, tiny_inuse, 0);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 0);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
}

/*
 * A vmalloc'ed object is gomem's by gomem's own record, never by bytes a
 * caller can write: a page-aligned pointer inside one, behind a forged copy
 * of the in-band header gomem once trusted ({size, magic, self}), is refused
 * as a bad free and not vfree()d; the object stays whole and still frees,
 * and ksize and kvrealloc still work on it.
 */
static void api_test_vmalloc_forged_header(API_ARGS)
{
	const size_t size = 5 << 20;
	struct api_counts c0, c1;
	unsigned long *h;
	u8 *p, *q, *inner;

	api_counts(&c0);
	p = gomem_kvmalloc(size, GFP_KERNEL);
	if (API_EXPECT(p, "kvmalloc(5 MiB)"))
		return;
	api_fill(p, 8192, 3);
	h = (unsigned long *)(p + 2 * PAGE_SIZE);
	inner = p + 3 * PAGE_SIZE;
	h[0] = PAGE_SIZE;
	h[1] = 0x676f6d656d766d61UL;	/* "gomemvma" */
	h[2] = (unsigned long)h;
	API_EXPECT(!gomem_ksize(inner), "ksize of a forged object: %zu", gomem_ksize(inner));
	api_section("vmalloc-forged");
	api_quiet(true);
	gomem_kfree(inner);
	api_quiet(false);
	api_section("end");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 1);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 1);
	API_EXPECT(gomem_ksize(p) == size, "ksize %zu after the forged free", gomem_ksize(p));
	API_EXPECT(api_intact(p, 8192, 3), "the object changed");
	q = gomem_kvrealloc(p, size, size + 8192, GFP_KERNEL);
	if (!API_EXPECT(q, "kvrealloc(5 MiB + 8 KiB)")) {
		API_EXPECT(gomem_ksize(q) == size + 8192, "ksize %zu after kvrealloc",
			   gomem_ksize(q));
		API_EXPECT(api_intact(q, 8192, 3), "kvrealloc lost the contents");
		p = q;
	}
	gomem_kvfree(p);
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 0);
	API_EXPECT_DELTA(c0, c1, bad_frees, 1);
}

/*
 * Noscan kmalloc and kstrdup of every length 1..64: contents kept, each
 * frees cleanly (16-byte requests are not tiny-packed: they must not be
 * taken for tiny objects at free); tiny objects balance.
 */
static void api_test_noscan_strings(API_ARGS)
{
	struct api_counts c0, c1;
	char *s[64], str[65];
	unsigned int i;
	void *p;

	api_counts(&c0);
	for (i = 0; i < 64; i++) {
		memset(str, 'a' + i % 26, i);
		str[i] = 0;
		s[i] = gomem_kstrdup(str, GFP_KERNEL);	/* i + 1 bytes */
		API_EXPECT(s[i] && !strcmp(s[i], str), "kstrdup of %u chars", i);
	}
	for (i = 0; i < 64; i++) {
		memset(str, 'a' + i % 26, i);
		str[i] = 0;
		API_EXPECT(s[i] && !strcmp(s[i], str), "string of %u chars changed", i);
		gomem_kfree(s[i]);
	}
	for (i = 1; i <= 64; i++) {
		p = gomem_kmalloc_noscan(i, GFP_KERNEL);
		API_EXPECT(p, "kmalloc_noscan(%u)", i);
		if (p)
			memset(p, 0x5a, i);
		gomem_kfree(p);
	}
	gomem_cache_shrink(NULL);
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
	API_EXPECT_DELTA(c0, c1, tiny_inuse, 0);
	API_EXPECT_DELTA(c0, c1, small_inuse, 0);
}

/* where Go's tiny allocator puts @size bytes after @off bytes of a block */
static inline unsigned int api_tiny_off(unsigned int off, unsigned int size)
{
	unsigned int al = !(size & 7) ? 8 : !(size & 3) ? 4 : !(size & 1) ? 2 : 1;

	return (off + al - 1) & ~(al - 1);
}

/*
 * Tiny packing: noscan objects under 16 bytes share 16-byte blocks, each
 * aligned to what its size allows, as Go places them. An object that does
 * not fit the current block gets a new block, which becomes the current one
 * when it has more room left. The first object, of 1 byte, lands in the
 * current block (or starts one): from there every placement is known.
 */
static void api_test_tiny_packing(API_ARGS)
{
	static const unsigned int sizes[] = { 1, 5, 3, 8, 1, 2, 4, 15, 6, 6, 6, 12, 7, 1, 9 };
	struct api_counts c0, c1;
	void *p[ARRAY_SIZE(sizes)];
	unsigned int i, off, want;
	unsigned long base, a;

	api_counts(&c0);
	api_pin();
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		p[i] = gomem_kmalloc_noscan(sizes[i], GFP_KERNEL);
	api_unpin();
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (API_EXPECT(p[i], "kmalloc_noscan(%u)", sizes[i]))
			return;
		memset(p[i], i, sizes[i]);
	}
	base = (unsigned long)p[0] & ~15UL;
	off = (unsigned long)p[0] - base + sizes[0];
	for (i = 1; i < ARRAY_SIZE(sizes); i++) {
		a = (unsigned long)p[i];
		want = api_tiny_off(off, sizes[i]);
		if (want + sizes[i] <= 16) {
			API_EXPECT(a == base + want,
				   "object %u (%u bytes) at %#lx, expected block %#lx + %u", i,
				   sizes[i], a, base, want);
			off = want + sizes[i];
			continue;
		}
		API_EXPECT((a & 15) == 0 && a != base,
			   "object %u (%u bytes) at %#lx does not start a new block", i, sizes[i], a);
		if (sizes[i] < off) {
			base = a;
			off = sizes[i];
		}
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *b = p[i];
		unsigned int k;

		for (k = 0; k < sizes[i]; k++)
			API_EXPECT(b[k] == i, "object %u overwritten", i);
		gomem_kfree(p[i]);
	}
	gomem_cache_shrink(NULL);	/* retire the current block */
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, tiny_inuse, 0);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
}

/* ---------------- caches ---------------- */

/*
 * Caches of every kind: alignment (requested, cache line, at least 8 but
 * for tiny-packed caches), usable size, distinct objects, patterns intact;
 * the cache's row counts them exactly; gone after destroy.
 */
static void api_test_cache_objects(API_ARGS)
{
	static const struct {
		const char *name;
		unsigned int size, align;
		unsigned long flags;
		unsigned int min_align;
	} kinds[] = {
		{ "api_obj_1", 1, 0, 0, 8 },
		{ "api_obj_12n", 12, 0, GOMEM_NOSCAN, 4 },
		{ "api_obj_24a16", 24, 16, 0, 16 },
		{ "api_obj_64a64", 64, 64, 0, 64 },
		{ "api_obj_100hw", 100, 0, GOMEM_HWCACHE_ALIGN, 64 },
		{ "api_obj_200nm", 200, 0, GOMEM_NO_MERGE, 8 },
		{ "api_obj_700p", 700, 0, GOMEM_POISON, 8 },
		{ "api_obj_3000a4k", 3000, 4096, 0, 4096 },
		{ "api_obj_5000rcu", 5000, 0, GOMEM_TYPESAFE_BY_RCU, 8 },
		{ "api_obj_20000n", 20000, 0, GOMEM_NOSCAN, 8 },
		{ "api_obj_32k", 32768, 0, 0, 8 },
	};
	unsigned int i, k, n, bad;
	struct api_cache_stat st;
	struct gomem_cache *c;
	void **objs = kcalloc(600, sizeof(void *), GFP_KERNEL);
	void **sorted = kcalloc(600, sizeof(void *), GFP_KERNEL);

	if (API_EXPECT(objs && sorted, "no memory"))
		goto out;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		c = gomem_cache_create(kinds[i].name, kinds[i].size, kinds[i].align,
				       kinds[i].flags, NULL);
		if (API_EXPECT(c, "cannot create %s", kinds[i].name))
			continue;
		API_EXPECT(gomem_cache_size(c) == kinds[i].size, "%s: gomem_cache_size %u",
			   kinds[i].name, gomem_cache_size(c));
		n = clamp(262144 / kinds[i].size, 32U, 600U);
		for (k = 0; k < n; k++) {
			objs[k] = gomem_cache_alloc(c, GFP_KERNEL);
			if (API_EXPECT(objs[k], "%s: allocation %u failed", kinds[i].name, k))
				break;
			api_fill(objs[k], kinds[i].size, k);
		}
		n = k;
		bad = 0;
		for (k = 0; k < n; k++) {
			size_t ks = gomem_ksize(objs[k]);

			bad += (unsigned long)objs[k] % kinds[i].min_align != 0;
			/* a tiny-packed object's ksize is its size */
			bad += ks < kinds[i].size;
			bad += !api_intact(objs[k], kinds[i].size, k);
		}
		API_EXPECT(!bad, "%s: %u bad objects (alignment %u, size, pattern)",
			   kinds[i].name, bad, kinds[i].min_align);
		memcpy(sorted, objs, n * sizeof(void *));
		API_EXPECT(api_distinct(sorted, n, kinds[i].size), "%s: objects overlap",
			   kinds[i].name);
		api_expect_row(API_PASS, kinds[i].name, n, 0);
		for (k = 0; k < n; k++)
			gomem_cache_free(c, objs[k]);
		api_expect_row(API_PASS, kinds[i].name, n, n);
		gomem_cache_destroy(c);
		rcu_barrier();	/* typesafe-by-RCU caches go after a grace period */
		api_cache_stat(kinds[i].name, &st);
		API_EXPECT(!st.listed, "%s: listed after destroy", kinds[i].name);
	}
out:
	kfree(objs);
	kfree(sorted);
}

/*
 * Tiny caches that ask for an alignment get it even when the CPU's current
 * tiny block was just started by another small noscan allocation: two
 * 3-byte strings before each object leave the current block at offset 6.
 * A 12-byte noscan cache that asks for nothing is 4-byte aligned (Go's
 * placement by size), the same with an alignment of 8 is 8-byte aligned.
 */
static void api_test_tiny_cache_alignment(API_ARGS)
{
	static const struct {
		const char *name;
		unsigned int size, align;
		unsigned long flags;
		unsigned int want;
	} kinds[] = {
		{ "api_t12a8n", 12, 8, GOMEM_NOSCAN, 8 },
		{ "api_t2hwn", 2, 0, GOMEM_NOSCAN | GOMEM_HWCACHE_ALIGN, 2 },
		{ "api_t12n", 12, 0, GOMEM_NOSCAN, 4 },
		{ "api_t7n", 7, 0, GOMEM_NOSCAN, 1 },
	};
	void *objs[32], *odd[64];
	struct gomem_cache *c;
	unsigned int w, k, bad;

	for (w = 0; w < ARRAY_SIZE(kinds); w++) {
		c = gomem_cache_create(kinds[w].name, kinds[w].size, kinds[w].align,
				       kinds[w].flags, NULL);
		if (API_EXPECT(c, "cannot create %s", kinds[w].name))
			return;
		bad = 0;
		api_pin();	/* one CPU: one current tiny block */
		for (k = 0; k < ARRAY_SIZE(objs); k++) {
			odd[2 * k] = gomem_kmalloc_noscan(3, GFP_KERNEL);
			odd[2 * k + 1] = gomem_kmalloc_noscan(3, GFP_KERNEL);
			objs[k] = gomem_cache_alloc(c, GFP_KERNEL);
		}
		api_unpin();
		for (k = 0; k < ARRAY_SIZE(objs); k++) {
			bad += !objs[k] || (unsigned long)objs[k] % kinds[w].want;
			gomem_cache_free(c, objs[k]);
			gomem_kfree(odd[2 * k]);
			gomem_kfree(odd[2 * k + 1]);
		}
		API_EXPECT(!bad, "%s: %u of %zu objects not aligned to %u", kinds[w].name, bad,
			   ARRAY_SIZE(objs), kinds[w].want);
		api_expect_row(API_PASS, kinds[w].name, ARRAY_SIZE(objs), ARRAY_SIZE(objs));
		gomem_cache_destroy(c);
	}
}

#define API_CTOR_BYTE	0xc7

static void api_ctor_fill(void *p, unsigned int size)
{
	memset(p, API_CTOR_BYTE, size);
	*(u32 *)p = 0x0c7c70c7 ^ size;
}

static bool api_ctor_intact(const void *p, unsigned int size)
{
	const u8 *b = p;
	unsigned int i;

	if (*(const u32 *)p != (0x0c7c70c7 ^ size))
		return false;
	for (i = 4; i < size; i++)
		if (b[i] != API_CTOR_BYTE)
			return false;
	return true;
}

static atomic_t api_ctor_calls;

static void api_ctor_300(void *p)
{
	api_ctor_fill(p, 300);
	atomic_inc(&api_ctor_calls);
}

static void api_ctor_500(void *p)
{
	api_ctor_fill(p, 500);
	atomic_inc(&api_ctor_calls);
}

static void api_ctor_9000(void *p)
{
	api_ctor_fill(p, 9000);
	atomic_inc(&api_ctor_calls);
}

/*
 * Constructors run once per object when a span is made, and only then: a
 * fresh cache's three spans of objects took exactly three spans' worth of
 * calls; objects freed in constructed state come back in it, and reusing
 * them runs no constructor.
 */
static void api_ctor_case(API_ARGS, const char *name, unsigned int size, unsigned long flags,
			  void (*ctor)(void *))
{
	struct gomem_cache *c = gomem_cache_create(name, size, 0, flags, ctor);
	unsigned int n, k, calls0, calls;
	struct api_cache_stat st;
	void **objs = NULL;

	if (API_EXPECT(c, "cannot create %s", name))
		return;
	atomic_set(&api_ctor_calls, 0);
	api_cache_stat(name, &st);
	API_EXPECT(st.spans == 0 && st.per_span > 0, "%s: a new cache: %ld spans of %lu", name,
		   st.spans, st.per_span);
	n = 3 * st.per_span;
	if (n)
		objs = kcalloc(n, sizeof(void *), GFP_KERNEL);
	if (API_EXPECT(objs, "no memory"))
		goto out;
	/*
	 * One CPU: spans fill one after another, and the reuse below runs on
	 * the same node (objects come from the allocating CPU's node: on
	 * another node the reuse would make new spans there)
	 */
	api_pin();
	for (k = 0; k < n; k++) {
		objs[k] = gomem_cache_alloc(c, GFP_KERNEL);
		if (!objs[k])
			break;
	}
	if (API_EXPECT(k == n, "%s: allocation %u failed", name, k)) {
		api_unpin();
		while (k--)
			gomem_cache_free(c, objs[k]);
		goto out;
	}
	api_cache_stat(name, &st);
	calls = atomic_read(&api_ctor_calls);
	API_EXPECT(st.spans == 3 && calls == 3 * st.per_span,
		   "%s: %u constructor calls for %u objects in %ld spans of %lu", name, calls, n,
		   st.spans, st.per_span);
	for (k = 0; k < n; k++) {
		API_EXPECT(api_ctor_intact(objs[k], size), "%s: object %u not constructed", name,
			   k);
		memset((char *)objs[k] + 4, 0x11, size - 4);	/* used, then put back */
		api_ctor_fill(objs[k], size);
	}
	/* free every other object: every span keeps some, so none is remade */
	for (k = 1; k < n; k += 2)
		gomem_cache_free(c, objs[k]);
	gomem_cache_shrink(c);
	for (k = 1; k < n; k += 2)
		objs[k] = gomem_cache_alloc(c, GFP_KERNEL);
	api_unpin();
	calls0 = atomic_read(&api_ctor_calls);
	for (k = 0; k < n; k++)
		API_EXPECT(objs[k] && api_ctor_intact(objs[k], size),
			   "%s: object %u not in constructed state after reuse", name, k);
	API_EXPECT(calls0 == calls, "%s: the constructor ran %u more times on reuse", name,
		   calls0 - calls);
	api_cache_stat(name, &st);
	API_EXPECT(st.spans == 3, "%s: %ld spans after reuse", name, st.spans);
	api_expect_row(API_PASS, name, n + n / 2, n / 2);
	for (k = 0; k < n; k++)
		if (objs[k])
			gomem_cache_free(c, objs[k]);
	api_expect_row(API_PASS, name, n + n / 2, n + n / 2);
out:
	kfree(objs);
	gomem_cache_destroy(c);
}

static void api_test_constructors(API_ARGS)
{
	api_ctor_case(API_PASS, "api_ctor_300", 300, 0, api_ctor_300);
	api_ctor_case(API_PASS, "api_ctor_500rcu", 500, GOMEM_TYPESAFE_BY_RCU, api_ctor_500);
	api_ctor_case(API_PASS, "api_ctor_9000hw", 9000, GOMEM_HWCACHE_ALIGN, api_ctor_9000);
	rcu_barrier();
}

/* bulk: 1 to 256 objects, all or nothing, distinct, aligned, freed in bulk */
static void api_test_bulk(API_ARGS)
{
	static const unsigned int counts[] = { 1, 2, 3, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65,
					       127, 128, 129, 200, 255, 256 };
	static const struct {
		const char *name;
		unsigned int size;
		unsigned long flags;
	} kinds[] = {
		{ "api_bulk_1", 1, 0 }, { "api_bulk_7n", 7, GOMEM_NOSCAN },
		{ "api_bulk_40", 40, 0 }, { "api_bulk_200nm", 200, GOMEM_NO_MERGE },
		{ "api_bulk_700p", 700, GOMEM_POISON }, { "api_bulk_1000n", 1000, GOMEM_NOSCAN },
		{ "api_bulk_2048rcu", 2048, GOMEM_TYPESAFE_BY_RCU }, { "api_bulk_5000", 5000, 0 },
		{ "api_bulk_20000n", 20000, GOMEM_NOSCAN },
	};
	void **p = kcalloc(257, sizeof(void *), GFP_KERNEL);
	void **s = kcalloc(257, sizeof(void *), GFP_KERNEL);
	unsigned long allocs;
	struct gomem_cache *c;
	unsigned int w, i, k, n;
	int got;

	if (API_EXPECT(p && s, "no memory"))
		goto out;
	for (w = 0; w < ARRAY_SIZE(kinds); w++) {
		c = gomem_cache_create(kinds[w].name, kinds[w].size, 0, kinds[w].flags, NULL);
		if (API_EXPECT(c, "cannot create a cache of %u bytes", kinds[w].size))
			continue;
		allocs = 0;
		for (i = 0; i < ARRAY_SIZE(counts); i++) {
			n = counts[i];
			memset(p, 0, 257 * sizeof(void *));
			got = gomem_cache_alloc_bulk(c, GFP_KERNEL, n, p);
			if (API_EXPECT(got == n, "%u bytes: bulk of %u gave %d", kinds[w].size, n,
				       got))
				continue;
			allocs += n;
			API_EXPECT(!p[n], "bulk of %u wrote past the end", n);
			memcpy(s, p, n * sizeof(void *));
			API_EXPECT(api_distinct(s, n, kinds[w].size), "%u bytes: bulk of %u overlaps",
				   kinds[w].size, n);
			for (k = 0; k < n; k++)
				api_fill(p[k], kinds[w].size, k);
			for (k = 0; k < n; k++)
				API_EXPECT(api_intact(p[k], kinds[w].size, k),
					   "%u bytes: bulk object %u overwritten", kinds[w].size, k);
			gomem_cache_free_bulk(c, n, p);
		}
		/* in atomic context too */
		api_pin();
		got = gomem_cache_alloc_bulk(c, GFP_ATOMIC, 64, p);
		if (got == 64)
			gomem_cache_free_bulk(c, 64, p);
		api_unpin();
		API_EXPECT(got == 64, "%u bytes: atomic bulk of 64 gave %d", kinds[w].size, got);
		allocs += got == 64 ? 64 : 0;
		api_expect_row(API_PASS, kinds[w].name, allocs, allocs);
		gomem_cache_destroy(c);
	}
out:
	kfree(p);
	kfree(s);
}

struct api_rcu_obj {
	u64 id;
	struct rcu_head rcu;
	u8 data[];
};

/*
 * gomem_kfree_rcu() of objects of private caches, of a merged cache, and
 * of the kmalloc family (small, large, vmalloc'ed, with the rcu_head inside
 * the object): after rcu_barrier() all are freed and counted, none refused.
 */
static void api_test_kfree_rcu(API_ARGS)
{
	static const size_t ksizes[] = { 64, 700, 100000, 5 << 20 };
	struct gomem_cache *cp, *cn;
	struct api_counts c0, c1;
	struct api_rcu_obj *o;
	unsigned int k;
	u8 *big;

	cp = gomem_cache_create("api_rcufree", 96, 0, GOMEM_TYPESAFE_BY_RCU, NULL);
	/* a private cache (merged ones: merged_kfree) */
	cn = gomem_cache_create("api_rcufree_nm", 152, 0, GOMEM_NO_MERGE, NULL);
	if (API_EXPECT(cp && cn, "cannot create caches"))
		goto out;
	rcu_barrier();
	api_counts(&c0);
	for (k = 0; k < 2000; k++) {
		o = gomem_cache_alloc(k < 100 ? cp : cn, GFP_KERNEL);
		if (API_EXPECT(o, "no memory"))
			break;
		o->id = k;
		gomem_kfree_rcu(o, rcu);
	}
	for (k = 0; k < 2000; k++) {
		o = gomem_kmalloc(sizeof(*o) + 40, GFP_KERNEL);
		if (API_EXPECT(o, "no memory"))
			break;
		o->id = k;
		gomem_kfree_rcu(o, rcu);
	}
	for (k = 0; k < ARRAY_SIZE(ksizes); k++) {
		big = gomem_kvmalloc(ksizes[k], GFP_KERNEL);
		if (API_EXPECT(big, "gomem_kvmalloc(%zu)", ksizes[k]))
			continue;
		/* the rcu_head anywhere inside the object */
		o = (struct api_rcu_obj *)(big + (ksizes[k] > 8192 ? ksizes[k] / 2 : 0));
		gomem_kfree_rcu(o, rcu);
	}
	/* NULL is skipped, as kfree_rcu() skips it: no dereference, nothing freed */
	o = NULL;
	gomem_kfree_rcu(o, rcu);
	rcu_barrier();
	gomem_cache_shrink(NULL);
	api_counts(&c1);
	api_expect_row(API_PASS, "api_rcufree", 100, 100);
	api_expect_row(API_PASS, "api_rcufree_nm", 1900, 1900);
	API_EXPECT_DELTA(c0, c1, small_inuse, 0);
	API_EXPECT_DELTA(c0, c1, large_inuse, 0);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 0);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
out:
	gomem_cache_destroy(cp);
	gomem_cache_destroy(cn);
}

static void api_rec_ctor(void *p)
{
	api_ctor_fill(p, 256);
	atomic_inc(&api_ctor_calls);
}

/*
 * Typesafe-by-RCU with a constructor: objects freed while a reader holds
 * RCU are still objects of the cache, in constructed state, with their
 * size; after the grace period and a shrink the cache holds nothing.
 */
static void api_test_typesafe_by_rcu(API_ARGS)
{
	struct gomem_cache *c = gomem_cache_create("api_typesafe", 256, 0,
						   GOMEM_TYPESAFE_BY_RCU, api_rec_ctor);
	struct api_cache_stat st;
	void *r[100];
	unsigned int i, bad = 0;

	if (API_EXPECT(c, "cannot create api_typesafe"))
		return;
	atomic_set(&api_ctor_calls, 0);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		r[i] = gomem_cache_alloc(c, GFP_KERNEL);
		if (API_EXPECT(r[i], "no memory"))
			return;
		bad += !api_ctor_intact(r[i], 256);
	}
	API_EXPECT(!bad, "%u objects not constructed", bad);
	rcu_read_lock();
	for (i = 0; i < ARRAY_SIZE(r); i++)
		gomem_cache_free(c, r[i]);
	for (i = 0; i < ARRAY_SIZE(r); i++)
		bad += !api_ctor_intact(r[i], 256) || gomem_ksize(r[i]) != 256;
	rcu_read_unlock();
	API_EXPECT(!bad, "%u freed objects lost their type under a reader", bad);
	API_EXPECT(atomic_read(&api_ctor_calls) >= (int)ARRAY_SIZE(r), "%d constructor calls",
		   atomic_read(&api_ctor_calls));
	rcu_barrier();
	gomem_cache_shrink(c);
	rcu_barrier();
	api_cache_stat("api_typesafe", &st);
	API_EXPECT(st.active == 0 && st.spans == 0, "after free and shrink: %lu active, %ld spans",
		   st.active, st.spans);
	gomem_cache_destroy(c);
}

/* gomem_kfree() of private caches' objects: allowed, and counted for their cache */
static void api_test_kfree_of_cache_objects(API_ARGS)
{
	struct gomem_cache *m, *p;
	struct api_counts c0, c1;
	void *objs[2][50];
	unsigned int k;

	m = gomem_cache_create("api_kfree_m", 88, 0, GOMEM_NO_MERGE | GOMEM_HWCACHE_ALIGN, NULL);
	p = gomem_cache_create("api_kfree_p", 88, 0, GOMEM_NO_MERGE, NULL);
	if (API_EXPECT(m && p, "cannot create caches"))
		goto out;
	api_counts(&c0);
	for (k = 0; k < 50; k++) {
		objs[0][k] = gomem_cache_alloc(m, GFP_KERNEL);
		objs[1][k] = gomem_cache_alloc(p, GFP_KERNEL);
		if (API_EXPECT(objs[0][k] && objs[1][k], "no memory"))
			return;
	}
	for (k = 0; k < 50; k++) {
		gomem_kfree(objs[0][k]);
		gomem_kfree(objs[1][k]);
	}
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
	api_expect_row(API_PASS, "api_kfree_m", 50, 50);
	api_expect_row(API_PASS, "api_kfree_p", 50, 50);
out:
	gomem_cache_destroy(m);	/* empty: no report */
	gomem_cache_destroy(p);
}

/*
 * gomem_kfree() of merged caches' objects is credited to the cache that
 * allocated them, as SLUB's kfree() of an alias's object: two merged caches
 * of one size class and kmalloc objects of that class, allocated through
 * every path (inline, node, bulk), all freed with gomem_kfree() (and
 * gomem_kfree_rcu()): each cache's row exactly balanced, nothing left in
 * use, no bad free, and both destroyed without a report (a cache destroyed
 * with live objects stays listed). An object freed through one cache and
 * handed out again through the other is credited to the second, one by one
 * or in a bulk allocation over several spans; frees
 * between the merged caches and of kmalloc objects through a merged cache
 * stay legal.
 */
static void api_test_merged_kfree(API_ARGS)
{
	enum { N = 48, K = 16, BULK = 300 };	/* the small arrays stay on a kernel stack */
	struct gomem_cache *m1, *m2;
	struct api_counts c0, c1;
	struct api_cache_stat st;
	void *o1[N], *o2[N], *k[N], *b[K], *p, *q, **v;
	unsigned int i;

	m1 = gomem_cache_create("api_mkfree1", 88, 0, 0, NULL);
	m2 = gomem_cache_create("api_mkfree2", 90, 0, 0, NULL);
	if (API_EXPECT(m1 && m2, "cannot create caches"))
		goto out;
	api_counts(&c0);
	for (i = 0; i < N; i++) {
		o1[i] = i % 3 ? gomem_cache_alloc(m1, GFP_KERNEL) :
				gomem_cache_alloc_node(m1, GFP_KERNEL, NUMA_NO_NODE);
		o2[i] = gomem_cache_alloc(m2, GFP_KERNEL);
		k[i] = gomem_kmalloc(96, GFP_KERNEL);
		if (API_EXPECT(o1[i] && o2[i] && k[i], "no memory at %u", i))
			return;
		api_fill(o1[i], 88, 1);
		api_fill(o2[i], 90, 2);
		api_fill(k[i], 96, 3);
	}
	if (API_EXPECT(gomem_cache_alloc_bulk(m2, GFP_KERNEL, K, b) == K, "bulk"))
		return;
	api_expect_row(API_PASS, "api_mkfree1", N, 0);
	api_expect_row(API_PASS, "api_mkfree2", N + K, 0);
	for (i = 0; i < N; i++) {
		API_EXPECT(api_intact(o1[i], 88, 1) && api_intact(o2[i], 90, 2) &&
			   api_intact(k[i], 96, 3), "object %u overwritten", i);
		gomem_kfree(k[i]);
		gomem_kfree(o2[i]);
		gomem_kfree(o1[i]);
	}
	for (i = 0; i < K; i++)
		gomem_kfree(b[i]);
	api_expect_row(API_PASS, "api_mkfree1", N, N);
	api_expect_row(API_PASS, "api_mkfree2", N + K, N + K);

	/* a slot freed through m1, handed out through m2: m2's now */
	api_pin();
	p = gomem_cache_alloc(m1, GFP_KERNEL);
	gomem_cache_free(m1, p);
	q = gomem_cache_alloc(m2, GFP_KERNEL);
	api_unpin();
	API_EXPECT(p && p == q, "merged caches share a class: %p freed, %p handed out", p, q);
	gomem_kfree(q);
	api_expect_row(API_PASS, "api_mkfree1", N + 1, N + 1);
	api_expect_row(API_PASS, "api_mkfree2", N + K + 1, N + K + 1);

	/*
	 * A bulk allocation over several spans (the tag is written once per
	 * run of one span's objects) into the slots m2 just had: each one
	 * freed with gomem_kfree() is m1's.
	 */
	v = gomem_kmalloc_array(BULK, sizeof(*v), GFP_KERNEL);
	if (API_EXPECT(v, "no memory"))
		goto out;
	if (!API_EXPECT(gomem_cache_alloc_bulk(m2, GFP_KERNEL, BULK, v) == BULK, "bulk m2")) {
		gomem_cache_free_bulk(m2, BULK, v);
		if (!API_EXPECT(gomem_cache_alloc_bulk(m1, GFP_KERNEL, BULK, v) == BULK,
				"bulk m1")) {
			for (i = 0; i < BULK; i++) {
				api_fill(v[i], 88, i);
				gomem_kfree(v[i]);
			}
		}
	}
	gomem_kfree(v);
	api_expect_row(API_PASS, "api_mkfree1", N + 1 + BULK, N + 1 + BULK);
	api_expect_row(API_PASS, "api_mkfree2", N + K + 1 + BULK, N + K + 1 + BULK);
	/* legal between merged caches, and for kmalloc objects of the class */
	p = gomem_cache_alloc(m2, GFP_KERNEL);
	q = gomem_kmalloc(88, GFP_KERNEL);
	if (!API_EXPECT(p && q, "no memory")) {
		gomem_cache_free(m1, p);
		gomem_cache_free(m1, q);
	}
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, small_inuse, 0);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
	API_EXPECT_DELTA(c0, c1, double_frees, 0);
out:
	gomem_cache_destroy(m1);	/* settles m1's two extra frees on m2 */
	gomem_cache_destroy(m2);
	api_cache_stat("api_mkfree1", &st);
	API_EXPECT(!st.listed, "api_mkfree1 kept: destroyed with objects it did not hold");
	api_cache_stat("api_mkfree2", &st);
	API_EXPECT(!st.listed, "api_mkfree2 kept: destroyed with objects it did not hold");
}

/* ---------------- every size and alignment SLUB accepts ---------------- */

#define API_CTOR_WORD	0x5ac7c75ac7c75ac7ULL

static void api_ctor_word(void *p)
{
	*(u64 *)p = API_CTOR_WORD;
}

/* the kinds of cache the size and memory cases make */
enum { API_MERGED, API_NO_MERGE, API_RCU, API_CTOR, API_NKINDS };

static const struct {
	const char *tag;
	unsigned long flags;
	void (*ctor)(void *obj);
} api_kinds[API_NKINDS] = {
	[API_MERGED] = { "m", 0, NULL },
	[API_NO_MERGE] = { "nm", GOMEM_NO_MERGE, NULL },
	[API_RCU] = { "rcu", GOMEM_TYPESAFE_BY_RCU, NULL },
	[API_CTOR] = { "ctor", 0, api_ctor_word },
};

/*
 * @n objects of a cache: each aligned to @align, constructed when @ctor,
 * with a usable size of at least @size; all distinct and keeping their
 * contents while the others are written; counted; all freed.
 */
static void api_cache_objs(API_ARGS, struct gomem_cache *c, const char *name,
			   unsigned int size, unsigned int align, bool ctor, unsigned int n)
{
	unsigned int k, bad = 0;
	void *objs[16], *sorted[16];

	n = min_t(unsigned int, n, ARRAY_SIZE(objs));
	for (k = 0; k < n; k++) {
		objs[k] = gomem_cache_alloc(c, GFP_KERNEL);
		if (API_EXPECT(objs[k], "%s: allocation %u failed", name, k))
			break;
		bad += (unsigned long)objs[k] % align != 0;
		bad += ctor && size >= 8 && *(u64 *)objs[k] != API_CTOR_WORD;
		bad += gomem_ksize(objs[k]) < size;
		api_fill(objs[k], size, k);
	}
	n = k;
	for (k = 0; k < n; k++)
		bad += !api_intact(objs[k], size, k);
	API_EXPECT(!bad, "%s: %u bad objects (alignment %u, constructed, ksize, contents)", name,
		   bad, align);
	memcpy(sorted, objs, n * sizeof(void *));
	API_EXPECT(api_distinct(sorted, n, size), "%s: objects overlap", name);
	api_expect_row(API_PASS, name, n, 0);
	for (k = 0; k < n; k++)
		gomem_cache_free(c, objs[k]);
	api_expect_row(API_PASS, name, n, n);
}

/* a cache created (or refused) as SLUB creates (or refuses) it, then used and destroyed */
static void api_size_case(API_ARGS, unsigned int size, unsigned int align, unsigned long flags,
			  void (*ctor)(void *), const char *tag)
{
	struct api_cache_stat st;
	struct gomem_cache *c;
	struct api_slub sl;
	bool slub;
	char name[48];

	snprintf(name, sizeof(name), "api_sz_%u_a%u_%s", size, align, tag);
	slub = api_slub_geometry(name, size, align, flags, ctor, &sl);
	api_quiet(!slub);
	c = gomem_cache_create(name, size, align, flags, ctor);
	api_quiet(false);
	if (API_EXPECT(!c == !slub, "%s: SLUB %s it, gomem %s it", name,
		       slub ? "accepts" : "refuses", c ? "accepts" : "refuses") || !c)
		goto out;
	API_EXPECT(gomem_cache_size(c) == size, "%s: gomem_cache_size %u", name,
		   gomem_cache_size(c));
	api_cache_objs(API_PASS, c, name, size, max(align, 8U), ctor,
		       clamp_t(unsigned int, (2U << 20) / size, 2, 16));
	api_cache_stat(name, &st);
	API_EXPECT(st.per_span && st.span_bytes >= st.per_span * (unsigned long)size,
		   "%s: spans of %lu bytes for %lu objects", name, st.span_bytes, st.per_span);
out:
	gomem_cache_destroy(c);
	if (flags & GOMEM_TYPESAFE_BY_RCU)
		rcu_barrier();
	api_cache_stat(name, &st);
	API_EXPECT(!st.listed, "%s: listed after destroy", name);
}

/*
 * Caches of 1 byte to 4 MiB, merged, no-merge, typesafe-by-RCU and with a
 * constructor: what SLUB accepts is created (objects aligned, distinct,
 * kept, counted, freed; the cache destroyed clean), what it refuses (a
 * slot over 4 MiB: 4 MiB and the free pointer after it) is refused.
 */
static void api_test_cache_sizes(API_ARGS)
{
	static const unsigned int sizes[] = {
		1, 8, 200, 1184, 3000, 5000, 32760, 32768, 32769, 40000, 65536, 100000,
		1U << 20, (1U << 20) + 1, 4U << 20,
	};
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (k = 0; k < API_NKINDS; k++)
			api_size_case(API_PASS, sizes[i], 0, api_kinds[k].flags, api_kinds[k].ctor,
				      api_kinds[k].tag);
}

/*
 * Alignments of 16 bytes to 1 MiB, for small, page-sized and large objects:
 * above a gomem page the spans keep it (mcentral.c: span_align()), also for
 * a slot that is not a power of two (40000 B at 16 KiB: 48 KiB) and when
 * the page heap's lowest free run is unaligned: before each case 2 MiB of
 * free pages, the first 5 held by a large object.
 */
static void api_test_cache_aligns(API_ARGS)
{
	static const unsigned int sizes[] = { 1, 100, 3000, 40000, 70000 };
	static const unsigned int aligns[] = {
		16, 64, 512, 4096, 8192, 16384, 65536, 1U << 20,
	};
	unsigned int i, k;
	void *pin;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (k = 0; k < ARRAY_SIZE(aligns); k++) {
			gomem_kfree(gomem_kmalloc(2U << 20, GFP_KERNEL));
			pin = gomem_kmalloc(5 * 8192, GFP_KERNEL);	/* 5 gomem pages */
			api_size_case(API_PASS, sizes[i], aligns[k], 0, NULL, "m");
			api_size_case(API_PASS, sizes[i], aligns[k], GOMEM_NO_MERGE, NULL, "nm");
			gomem_kfree(pin);
		}
	}
}

/*
 * A private cache holds its objects in no more memory than SLUB's slab for
 * the same object: span bytes per object <= slab bytes per object, for
 * object sizes of real caches (ext4_inode_cache: 1184 B with a
 * constructor), with a constructor, no-merge or typesafe-by-RCU.
 */
static void api_test_cache_memory(API_ARGS)
{
	static const struct { unsigned int size, kind; } objs[] = {
		{ 1184, API_CTOR }, { 1184, API_RCU }, { 1192, API_NO_MERGE },
		{ 1000, API_NO_MERGE }, { 200, API_NO_MERGE }, { 200, API_CTOR },
		{ 96, API_RCU }, { 700, API_CTOR }, { 3000, API_NO_MERGE },
		{ 5000, API_NO_MERGE }, { 5000, API_RCU }, { 40000, API_NO_MERGE },
		{ 65536, API_CTOR }, { 1U << 20, API_NO_MERGE },
	};
	struct api_cache_stat st;
	struct gomem_cache *c;
	struct api_slub sl;
	unsigned long flags;
	unsigned int i;
	char name[48];

	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		flags = api_kinds[objs[i].kind].flags;
		snprintf(name, sizeof(name), "api_mem_%u_%s", objs[i].size,
			 api_kinds[objs[i].kind].tag);
		if (API_EXPECT(api_slub_geometry(name, objs[i].size, 0, flags,
						 api_kinds[objs[i].kind].ctor, &sl) && sl.objects,
			       "%s: SLUB refuses it", name))
			continue;
		c = gomem_cache_create(name, objs[i].size, 0, flags, api_kinds[objs[i].kind].ctor);
		if (API_EXPECT(c, "cannot create %s", name))
			continue;
		api_cache_stat(name, &st);
		API_NOTE("%s: gomem %lu B per object (%lu in %lu B), SLUB %lu (%u of %u B in %lu B)",
			 name, st.per_span ? st.span_bytes / st.per_span : 0, st.per_span,
			 st.span_bytes, sl.slab_bytes / sl.objects, sl.objects, sl.size,
			 sl.slab_bytes);
		API_EXPECT(st.per_span && st.span_bytes * sl.objects <= sl.slab_bytes * st.per_span,
			   "%s: %lu objects in %lu B, SLUB's slab %u in %lu B", name, st.per_span,
			   st.span_bytes, sl.objects, sl.slab_bytes);
		gomem_cache_destroy(c);
		if (flags & GOMEM_TYPESAFE_BY_RCU)
			rcu_barrier();
	}
}

/* ---------------- misuse: refused, reported, counted ---------------- */

/* impossible create parameters: refused, nothing listed */
static void api_test_bad_create(API_ARGS)
{
	static const struct { unsigned int size, align; unsigned long flags; } bad[] = {
		{ 0, 0, 0 }, { GOMEM_MAX_LARGE_SIZE + 1, 0, 0 }, { UINT_MAX, 0, 0 },
		{ 64, 3, 0 }, { 64, 24, 0 }, { 64, 8U << 20, 0 }, { 64, 0, 0x1000 },
		{ 0, 8, GOMEM_NO_MERGE },
		/* 4 MiB and its link after it: SLUB's slab would need order 11 */
		{ GOMEM_MAX_LARGE_SIZE, 0, GOMEM_TYPESAFE_BY_RCU },
	};
	struct api_cache_stat st;
	unsigned int i;

	api_section("create");
	api_quiet(true);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		API_EXPECT(!gomem_cache_create("tgc_bad", bad[i].size, bad[i].align,
					       bad[i].flags, NULL),
			   "created a cache of size %u align %u flags %#lx", bad[i].size,
			   bad[i].align, bad[i].flags);
	API_EXPECT(!gomem_cache_create(NULL, 64, 0, 0, NULL), "created a cache without a name");
	api_quiet(false);
	api_section("end");
	api_cache_stat("tgc_bad", &st);
	API_EXPECT(!st.listed, "a refused cache is listed");
}

/*
 * The slab flags gomem accepts without effect (GOMEM_ACCOUNT,
 * GOMEM_RECLAIM_ACCOUNT, GOMEM_MEM_SPREAD) change nothing: the cache is
 * created, merges as the same cache without them would (a shared class:
 * no spans of its own), and serves objects; a GOMEM_NO_MERGE cache with
 * them still has spans of its own. GOMEM_PANIC on a cache that can be
 * created is a plain create. (Its panic on failure is a host test of its
 * own: test_api's panic_flag.)
 */
static void api_test_slab_flags(API_ARGS)
{
	static const struct { const char *name; unsigned long flags; long spans; } k[] = {
		{ "tgc_acct", GOMEM_IGNORED_FLAGS, -1 },	/* merged: -1 */
		{ "tgc_panic", GOMEM_PANIC, -1 },
		{ "tgc_acct_nm", GOMEM_IGNORED_FLAGS | GOMEM_NO_MERGE, 1 },	/* its own */
	};
	struct gomem_cache *c[ARRAY_SIZE(k)] = { NULL };
	void *o[ARRAY_SIZE(k)] = { NULL };
	struct api_cache_stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(k); i++) {
		c[i] = gomem_cache_create(k[i].name, 100, 0, k[i].flags, NULL);
		o[i] = c[i] ? gomem_cache_alloc(c[i], GFP_KERNEL) : NULL;
		if (!API_EXPECT(o[i], "%s (flags %#lx): refused, or no memory", k[i].name,
				k[i].flags))
			api_fill(o[i], 100, i + 5);
	}
	for (i = 0; i < ARRAY_SIZE(k); i++) {
		if (!o[i])
			continue;
		api_cache_stat(k[i].name, &st);
		API_EXPECT(st.listed && st.spans == k[i].spans && st.active == 1,
			   "%s: listed %d, spans %ld (want %ld), active %lu", k[i].name, st.listed,
			   st.spans, k[i].spans, st.active);
		API_EXPECT(gomem_ksize(o[i]) >= 100 && api_intact(o[i], 100, i + 5),
			   "%s: its object", k[i].name);
	}
	for (i = 0; i < ARRAY_SIZE(k); i++) {
		if (o[i])
			gomem_cache_free(c[i], o[i]);
		gomem_cache_destroy(c[i]);
	}
}

/*
 * A NULL cache: every call refused or harmless, the object stays allocated.
 * The refusals are reported, not counted: no object was misfreed.
 */
static void api_test_null_cache(API_ARGS)
{
	struct gomem_cache *c = gomem_cache_create("tgc_null", 200, 0, GOMEM_NO_MERGE, NULL);
	struct api_counts c0, c1;
	void *p, *arr[2];

	if (API_EXPECT(c, "cannot create tgc_null"))
		return;
	p = gomem_cache_alloc(c, GFP_KERNEL);
	if (API_EXPECT(p, "no memory"))
		return;
	api_fill(p, 200, 42);
	api_counts(&c0);
	api_section("null-cache");
	api_quiet(true);
	API_EXPECT(!gomem_cache_alloc(NULL, GFP_KERNEL), "alloc from NULL");
	API_EXPECT(!gomem_cache_alloc_node(NULL, GFP_KERNEL, 0), "alloc_node from NULL");
	API_EXPECT(!gomem_cache_alloc_bulk(NULL, GFP_KERNEL, 2, arr), "bulk from NULL");
	API_EXPECT(!gomem_cache_size(NULL), "size of NULL");
	API_EXPECT(!gomem_cache_shrink(NULL), "shrink NULL");
	gomem_cache_destroy(NULL);
	gomem_cache_free(NULL, p);		/* refused: p stays allocated */
	gomem_cache_free(c, NULL);		/* allowed, nothing */
	api_quiet(false);
	api_section("end");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 0);
	API_EXPECT(api_intact(p, 200, 42), "a refused free changed the object");
	api_expect_row(API_PASS, "tgc_null", 1, 0);
	gomem_cache_free(c, p);
	api_expect_row(API_PASS, "tgc_null", 1, 1);
	gomem_cache_destroy(c);
}

/*
 * Frees of pointers gomem does not own (the runtime's api_foreign(): another
 * allocator's, a page, program data; and the stack) and of pointers into
 * objects (small, large, vmalloc'ed): each refused and counted once as a
 * bad free, none as a double free; ksize 0 for the foreign ones; the
 * objects intact and freeable after.
 */
static void api_test_refused_frees(API_ARGS)
{
	struct gomem_cache *nm = gomem_cache_create("tgc_200nm", 200, 0, GOMEM_NO_MERGE, NULL);
	struct gomem_cache *mg = gomem_cache_create("tgc_40", 40, 0, 0, NULL);
	u8 *p = NULL, *q = NULL, *l = NULL, *v = NULL;
	struct api_counts c0, c1;
	void *foreign[8];
	u64 onstack = 0;
	int nf = 0, i;

	if (API_EXPECT(nm && mg, "cannot create caches"))
		goto out;
	p = gomem_cache_alloc(nm, GFP_KERNEL);
	q = gomem_cache_alloc(mg, GFP_KERNEL);
	l = gomem_kmalloc(100000, GFP_KERNEL);
	v = gomem_kvmalloc(5 << 20, GFP_KERNEL);
	nf = api_foreign(foreign, ARRAY_SIZE(foreign));
	if (API_EXPECT(p && q && l && v && nf >= 2, "no memory"))
		goto out;
	api_fill(p, 200, 1);
	api_fill(q, 40, 2);
	api_fill(l, 100000, 3);
	api_fill(v + (5 << 20) - 4096, 4096, 4);
	for (i = 0; i < nf; i++)
		API_EXPECT(!gomem_ksize(foreign[i]), "ksize of foreign pointer %d", i);
	API_EXPECT(!gomem_ksize(&onstack), "ksize of a stack address");
	api_counts(&c0);
	api_section("foreign");
	api_quiet(true);
	gomem_cache_free(mg, foreign[0]);
	gomem_cache_free(nm, foreign[1]);
	for (i = 0; i < nf; i++)
		gomem_kfree(foreign[i]);
	gomem_kfree(&onstack);
	gomem_cache_free(nm, &onstack);
	API_EXPECT(!gomem_krealloc(foreign[0], 100, GFP_KERNEL), "krealloc of a foreign pointer");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, nf + 5);
	api_section("interior");
	gomem_cache_free(nm, p + 8);
	gomem_kfree(p + 1);
	gomem_cache_free(mg, q + 16);
	gomem_kfree(l + 8192);
	gomem_kfree(l + 100);
	gomem_kfree(v + 8);
	gomem_kfree(v + PAGE_SIZE);
	api_quiet(false);
	api_section("end");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, nf + 5 + 7);
	API_EXPECT_DELTA(c0, c1, double_frees, 0);
	API_EXPECT(api_intact(p, 200, 1) && api_intact(q, 40, 2) && api_intact(l, 100000, 3) &&
		   api_intact(v + (5 << 20) - 4096, 4096, 4), "a refused free changed an object");
	api_expect_row(API_PASS, "tgc_200nm", 1, 0);
	api_expect_row(API_PASS, "tgc_40", 1, 0);
out:
	if (nf)
		api_foreign_put();
	if (p)
		gomem_cache_free(nm, p);
	if (q)
		gomem_cache_free(mg, q);
	gomem_kfree(l);
	gomem_kfree(v);
	if (p && q) {
		api_expect_row(API_PASS, "tgc_200nm", 1, 1);
		api_expect_row(API_PASS, "tgc_40", 1, 1);
	}
	gomem_cache_destroy(nm);
	gomem_cache_destroy(mg);
}

/*
 * gomem_owns(): true for every kind of gomem memory, at its start and
 * inside it (a small object, a tiny one, a cache's, a large object, a
 * vmalloc'ed one); false for NULL, ZERO_SIZE_PTR, other allocators' memory,
 * program data and the stack, and for a vmalloc'ed object once freed.
 */
static void api_test_owns(API_ARGS)
{
	struct gomem_cache *c = gomem_cache_create("tgc_owns", 72, 0, GOMEM_NO_MERGE, NULL);
	u8 *s = gomem_kmalloc(64, GFP_KERNEL), *t = gomem_kmalloc_noscan(6, GFP_KERNEL);
	u8 *l = gomem_kmalloc(100000, GFP_KERNEL), *v = gomem_kvmalloc(5 << 20, GFP_KERNEL);
	u8 *o = c ? gomem_cache_alloc(c, GFP_KERNEL) : NULL;
	static const u64 api_static = 1;
	void *foreign[8];
	u64 onstack = 0;
	int nf, i;

	nf = api_foreign(foreign, ARRAY_SIZE(foreign));
	if (API_EXPECT(c && s && t && l && v && o && nf >= 2, "no memory"))
		goto out;
	API_EXPECT(gomem_owns(s) && gomem_owns(s + 63), "a small object");
	API_EXPECT(gomem_owns(t) && gomem_owns(t + 5), "a tiny object");
	API_EXPECT(gomem_owns(o) && gomem_owns(o + 71), "a cache's object");
	API_EXPECT(gomem_owns(l) && gomem_owns(l + 8192) && gomem_owns(l + 99999),
		   "a large object");
	API_EXPECT(gomem_owns(v) && gomem_owns(v + (5 << 20) - 1), "a vmalloc'ed object");
	API_EXPECT(!gomem_owns(NULL) && !gomem_owns(ZERO_SIZE_PTR), "NULL, ZERO_SIZE_PTR");
	API_EXPECT(gomem_kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR, "kmalloc(0)");
	for (i = 0; i < nf; i++)
		API_EXPECT(!gomem_owns(foreign[i]), "foreign pointer %d", i);
	API_EXPECT(!gomem_owns(&onstack), "a stack address");
	API_EXPECT(!gomem_owns(&api_static), "program data");
	gomem_kvfree(v);
	API_EXPECT(!gomem_owns(v), "a vmalloc'ed object, freed");
	v = NULL;
out:
	if (nf > 0)
		api_foreign_put();
	gomem_kfree(s);
	gomem_kfree(t);
	gomem_kfree(l);
	gomem_kvfree(v);
	if (o)
		gomem_cache_free(c, o);
	gomem_cache_destroy(c);
}

/*
 * A double free that reaches the span: free, shrink, free again, shrink;
 * another live object keeps the span. Reported and counted once; the
 * cache's counts stay true; the object is never handed out twice.
 */
static void api_double_free_span(API_ARGS, const char *name, unsigned int size,
				 unsigned long flags)
{
	struct gomem_cache *c = gomem_cache_create(name, size, 0, flags, NULL);
	struct api_counts c0, c1;
	void *a, *b, *x, *y;

	if (API_EXPECT(c, "cannot create %s", name))
		return;
	api_counts(&c0);
	api_pin();
	a = gomem_cache_alloc(c, GFP_KERNEL);
	b = gomem_cache_alloc(c, GFP_KERNEL);
	api_unpin();
	if (API_EXPECT(a && b, "no memory"))
		return;
	api_fill(b, size, 9);
	gomem_cache_free(c, a);
	gomem_cache_shrink(c);
	gomem_cache_free(c, a);		/* reaches the span at the next shrink */
	gomem_cache_shrink(c);
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 1);
	API_EXPECT_DELTA(c0, c1, double_frees, 1);
	api_expect_row(API_PASS, name, 2, 1);
	API_EXPECT(api_intact(b, size, 9), "%s: a double free changed a live object", name);
	api_pin();
	x = gomem_cache_alloc(c, GFP_KERNEL);
	y = gomem_cache_alloc(c, GFP_KERNEL);
	api_unpin();
	API_EXPECT(x && y && x != y && x != b && y != b, "%s: an object handed out twice", name);
	gomem_cache_free(c, x);
	gomem_cache_free(c, y);
	gomem_cache_free(c, b);
	api_expect_row(API_PASS, name, 4, 4);
	gomem_cache_destroy(c);	/* empty: no report */
}

/*
 * "a, b, a" on one CPU: the second free of a is refused at once although a
 * is not the magazine's top; the next three objects are all different.
 */
static void api_aba(API_ARGS, struct gomem_cache *c)
{
	void *a, *b, *x[3];
	int i;

	api_pin();
	a = gomem_cache_alloc(c, GFP_KERNEL);
	b = gomem_cache_alloc(c, GFP_KERNEL);
	if (a && b) {
		gomem_cache_free(c, a);
		gomem_cache_free(c, b);
		gomem_cache_free(c, a);
	}
	for (i = 0; i < 3; i++)
		x[i] = gomem_cache_alloc(c, GFP_KERNEL);
	api_unpin();
	if (API_EXPECT(a && b && x[0] && x[1] && x[2], "no memory"))
		return;
	API_EXPECT(x[0] != x[1] && x[1] != x[2] && x[0] != x[2], "an object handed out twice");
	for (i = 0; i < 3; i++)
		gomem_cache_free(c, x[i]);
}

/*
 * Double frees, each refused at the second free with the caller: of the
 * object just freed on this CPU, of an object deeper in the magazine ("a,
 * b, a"), of a tiny object, of objects whose first free reached the span
 * (a private and a merged cache), of a large and of a vmalloc'ed object
 * (known by the ring of recently freed ones, vmalloc.c). Each counted once
 * as a bad free and as a double free.
 */
static void api_test_double_frees(API_ARGS)
{
	struct gomem_cache *nm = gomem_cache_create("tgc_200nm", 200, 0, GOMEM_NO_MERGE, NULL);
	struct gomem_cache *tiny = gomem_cache_create("tgc_7n", 7, 0, GOMEM_NOSCAN, NULL);
	struct api_counts c0, c1;
	void *a;

	if (API_EXPECT(nm && tiny, "cannot create caches"))
		goto out;
	api_counts(&c0);
	api_quiet(true);
	api_section("double-immediate");
	api_pin();
	a = gomem_cache_alloc(nm, GFP_KERNEL);
	if (a) {
		gomem_cache_free(nm, a);
		gomem_cache_free(nm, a);
	}
	api_unpin();
	API_EXPECT(a, "no memory");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 1);
	API_EXPECT_DELTA(c0, c1, double_frees, 1);
	api_expect_row(API_PASS, "tgc_200nm", 1, 1);

	/* "a, b, a": a is not the magazine's top; its first copy still sits there */
	api_section("double-aba");
	api_aba(API_PASS, nm);
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 2);
	API_EXPECT_DELTA(c0, c1, double_frees, 2);
	api_expect_row(API_PASS, "tgc_200nm", 6, 6);

	api_section("double-tiny");
	gomem_cache_shrink(tiny);
	api_pin();
	a = gomem_cache_alloc(tiny, GFP_KERNEL);
	if (a) {
		gomem_cache_shrink(tiny);	/* retire the block: a is alone in it */
		gomem_cache_free(tiny, a);
		gomem_cache_free(tiny, a);
	}
	api_unpin();
	API_EXPECT(a, "no memory");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 3);
	API_EXPECT_DELTA(c0, c1, double_frees, 3);
	api_expect_row(API_PASS, "tgc_7n", 1, 1);

	api_section("double-span-private");
	api_double_free_span(API_PASS, "tgc_df", 64, GOMEM_NO_MERGE);
	api_section("double-span-merged");
	api_double_free_span(API_PASS, "tgc_dfm", 136, 0);
	api_section("end");

	api_section("double-large");
	a = gomem_kmalloc(100000, GFP_KERNEL);
	gomem_kfree(a);
	gomem_kfree(a);
	a = gomem_kvmalloc(5 << 20, GFP_KERNEL);
	gomem_kvfree(a);
	gomem_kvfree(a);	/* its pages are unmapped: must not be read */
	api_quiet(false);
	api_section("end");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 7);
	API_EXPECT_DELTA(c0, c1, double_frees, 7);
	API_EXPECT_DELTA(c0, c1, tiny_inuse, 0);
	API_EXPECT_DELTA(c0, c1, large_inuse, 0);
	API_EXPECT_DELTA(c0, c1, vmalloc_inuse, 0);
out:
	gomem_cache_destroy(nm);
	gomem_cache_destroy(tiny);
}

/*
 * Frees to the wrong cache: a constructor cache's object to a no-merge
 * cache, a private object to a merged cache, a kmalloc object to a private
 * cache, a tiny object to a private cache, a 48-byte-class object to a tiny
 * cache, a large object to a cache. Each refused and counted; every object
 * stays its owner's, unchanged.
 */
/*
 * A bulk free with misuse inside: a NULL is skipped, a double free and an
 * object of another cache are each refused with one report naming the
 * caller, every other object is freed, and none is handed out twice.
 */
static void api_test_bulk_misuse(API_ARGS)
{
	struct gomem_cache *c = gomem_cache_create("tgc_bulk", 96, 0, GOMEM_NO_MERGE, NULL);
	struct gomem_cache *o = gomem_cache_create("tgc_bulk_other", 96, 0, GOMEM_NO_MERGE, NULL);
	void *p[8], *q[40], *b = NULL;
	struct api_counts c0, c1;

	if (API_EXPECT(c && o, "cannot create caches"))
		goto out;
	b = gomem_cache_alloc(o, GFP_KERNEL);
	if (API_EXPECT(b && gomem_cache_alloc_bulk(c, GFP_KERNEL, 5, p) == 5, "no memory"))
		goto out;
	/* p: a0 a1 NULL a1 b a2 a3 a4 */
	p[7] = p[4];
	p[6] = p[3];
	p[5] = p[2];
	p[4] = b;
	p[3] = p[1];
	p[2] = NULL;
	api_counts(&c0);
	api_section("bulk-misuse");
	api_quiet(true);
	gomem_cache_free_bulk(c, 8, p);
	api_quiet(false);
	api_section("end");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 2);
	API_EXPECT_DELTA(c0, c1, double_frees, 1);
	api_expect_row(API_PASS, "tgc_bulk", 5, 5);
	api_expect_row(API_PASS, "tgc_bulk_other", 1, 0);
	/* the double-freed object comes back once */
	if (!API_EXPECT(gomem_cache_alloc_bulk(c, GFP_KERNEL, 40, q) == 40, "bulk of 40")) {
		API_EXPECT(api_distinct(q, 40, 96), "a bulk after a refused double free overlaps");
		gomem_cache_free_bulk(c, 40, q);
	}
out:
	if (b)
		gomem_cache_free(o, b);
	gomem_cache_destroy(o);
	gomem_cache_destroy(c);
}

static void api_test_wrong_cache(API_ARGS)
{
	struct gomem_cache *nm = gomem_cache_create("tgc_200nm", 200, 0, GOMEM_NO_MERGE, NULL);
	struct gomem_cache *ct = gomem_cache_create("tgc_300c", 300, 0, 0, api_ctor_300);
	struct gomem_cache *mg = gomem_cache_create("tgc_40", 40, 0, 0, NULL);
	struct gomem_cache *tiny = gomem_cache_create("tgc_7n", 7, 0, GOMEM_NOSCAN, NULL);
	struct gomem_cache *big = gomem_cache_create("tgc_5000", 5000, 0, 0, NULL);
	void *a = NULL, *b = NULL, *k = NULL, *x = NULL, *y = NULL, *l = NULL;
	struct api_counts c0, c1;

	if (API_EXPECT(nm && ct && mg && tiny && big, "cannot create caches"))
		goto out;
	a = gomem_cache_alloc(ct, GFP_KERNEL);
	b = gomem_cache_alloc(nm, GFP_KERNEL);
	k = gomem_kmalloc(200, GFP_KERNEL);
	x = gomem_cache_alloc(tiny, GFP_KERNEL);
	y = gomem_cache_alloc(mg, GFP_KERNEL);
	l = gomem_kmalloc(100000, GFP_KERNEL);
	if (API_EXPECT(a && b && k && x && y && l, "no memory"))
		goto out;
	api_fill(b, 200, 1);
	api_fill(k, 200, 2);
	api_fill(y, 40, 3);
	api_counts(&c0);
	api_section("wrong-cache");
	api_quiet(true);
	gomem_cache_free(nm, a);
	gomem_cache_free(mg, b);
	gomem_cache_free(nm, k);
	gomem_cache_free(ct, x);
	gomem_cache_free(tiny, y);
	gomem_cache_free(big, l);
	api_quiet(false);
	api_section("end");
	api_counts(&c1);
	API_EXPECT_DELTA(c0, c1, bad_frees, 6);
	API_EXPECT_DELTA(c0, c1, double_frees, 0);
	API_EXPECT(api_ctor_intact(a, 300), "a refused free changed the constructed object");
	API_EXPECT(api_intact(b, 200, 1) && api_intact(k, 200, 2) && api_intact(y, 40, 3),
		   "a refused free changed an object");
	api_expect_row(API_PASS, "tgc_200nm", 1, 0);
	api_expect_row(API_PASS, "tgc_300c", 1, 0);
	api_expect_row(API_PASS, "tgc_40", 1, 0);
	api_expect_row(API_PASS, "tgc_7n", 1, 0);
	api_expect_row(API_PASS, "tgc_5000", 0, 0);
out:
	if (a)
		gomem_cache_free(ct, a);
	if (b)
		gomem_cache_free(nm, b);
	if (x)
		gomem_cache_free(tiny, x);
	if (y)
		gomem_cache_free(mg, y);
	gomem_kfree(k);
	gomem_kfree(l);
	if (a && b && x && y) {
		api_expect_row(API_PASS, "tgc_200nm", 1, 1);
		api_expect_row(API_PASS, "tgc_300c", 1, 1);
		api_expect_row(API_PASS, "tgc_7n", 1, 1);
		api_expect_row(API_PASS, "tgc_40", 1, 1);
	}
	gomem_cache_destroy(nm);
	gomem_cache_destroy(ct);
	gomem_cache_destroy(mg);
	gomem_cache_destroy(tiny);
	gomem_cache_destroy(big);
}

/* destroy with live objects: refused, cache kept and usable; destroyable once empty */
static void api_destroy_live(API_ARGS, const char *name, unsigned int size,
			     unsigned long flags, unsigned int live)
{
	struct gomem_cache *c = gomem_cache_create(name, size, 0, flags, NULL);
	struct api_cache_stat st;
	void *objs[4];
	unsigned int k;

	if (API_EXPECT(c && live <= ARRAY_SIZE(objs), "cannot create %s", name))
		return;
	for (k = 0; k < live; k++) {
		objs[k] = gomem_cache_alloc(c, GFP_KERNEL);
		if (API_EXPECT(objs[k], "no memory"))
			return;
		api_fill(objs[k], size, k);
	}
	api_quiet(true);
	gomem_cache_destroy(c);	/* "destroyed with N objects still allocated" */
	api_quiet(false);
	api_cache_stat(name, &st);
	API_EXPECT(st.listed, "%s: gone after a refused destroy", name);
	api_expect_row(API_PASS, name, live, 0);
	for (k = 0; k < live; k++) {
		API_EXPECT(api_intact(objs[k], size, k), "%s: object %u changed", name, k);
		gomem_cache_free(c, objs[k]);
	}
	objs[0] = gomem_cache_alloc(c, GFP_KERNEL);
	API_EXPECT(objs[0], "%s: unusable after a refused destroy", name);
	gomem_cache_free(c, objs[0]);
	gomem_cache_destroy(c);
	api_cache_stat(name, &st);
	API_EXPECT(!st.listed, "%s: still listed after destroy", name);
}

static void api_test_destroy_live(API_ARGS)
{
	api_section("destroy-live");
	api_destroy_live(API_PASS, "tgc_live", 128, GOMEM_NO_MERGE, 3);
	api_destroy_live(API_PASS, "tgc_live_m", 72, 0, 2);
	api_section("end");
}

/*
 * GOMEM_POISON: a write after free is found when the object would be handed
 * out again; the object is then isolated (never handed out again) and the
 * allocation gets another one. A kept object holds the span.
 */
static void api_test_poison(API_ARGS)
{
	struct gomem_cache *c = gomem_cache_create("tgc_700p", 700, 0, GOMEM_POISON, NULL);
	struct api_cache_stat st;
	u8 *keep, *p, *q[8];
	bool reused = false;
	int i;

	if (API_EXPECT(c, "cannot create tgc_700p"))
		return;
	keep = gomem_cache_alloc(c, GFP_KERNEL);
	p = gomem_cache_alloc(c, GFP_KERNEL);
	if (API_EXPECT(keep && p, "no objects from tgc_700p"))
		goto out;
	api_section("poison");
	api_quiet(true);
	gomem_cache_free(c, p);
	API_EXPECT(p[0] == 0x6b && p[698] == 0x6b && p[699] == 0xa5,
		   "a free object is not poisoned (%#x %#x %#x)", p[0], p[698], p[699]);
	p[3] = 0x42;	/* write after free */
	/* the span's free objects, lowest first: p's slot is reached at once */
	for (i = 0; i < 8; i++) {
		q[i] = gomem_cache_alloc(c, GFP_KERNEL);
		reused |= q[i] == p;
	}
	api_quiet(false);
	api_section("end");
	API_EXPECT(!reused, "the damaged object was handed out again");
	api_cache_stat("tgc_700p", &st);
	API_EXPECT(st.active == 9, "tgc_700p shows %lu objects, expected 9", st.active);
	for (i = 0; i < 8; i++)
		gomem_cache_free(c, q[i]);
out:
	gomem_cache_free(c, keep);
	api_expect_row(API_PASS, "tgc_700p", 10, 10);
	gomem_cache_destroy(c);
	api_cache_stat("tgc_700p", &st);
	API_EXPECT(!st.listed, "tgc_700p not destroyed: its isolated object was not released");
}

/* every case, in the order both runtimes run them */
static const struct api_test {
	void (*fn)(API_CTX *ctx);
	const char *name;
} api_tests[] = {
	{ api_test_kmalloc_sizes, "kmalloc_sizes" },
	{ api_test_natural_alignment, "natural_alignment" },
	{ api_test_lifo_reuse, "lifo_reuse" },
	{ api_test_zeroing, "zeroing" },
	{ api_test_overflow_and_limits, "overflow_and_limits" },
	{ api_test_krealloc, "krealloc" },
	{ api_test_tiny_ksize_krealloc, "tiny_ksize_krealloc" },
	{ api_test_slab_helpers, "slab_helpers" },
	{ api_test_vmalloc_forged_header, "vmalloc_forged_header" },
	{ api_test_noscan_strings, "noscan_strings" },
	{ api_test_tiny_packing, "tiny_packing" },
	{ api_test_cache_objects, "cache_objects" },
	{ api_test_tiny_cache_alignment, "tiny_cache_alignment" },
	{ api_test_constructors, "constructors" },
	{ api_test_bulk, "bulk" },
	{ api_test_kfree_rcu, "kfree_rcu" },
	{ api_test_typesafe_by_rcu, "typesafe_by_rcu" },
	{ api_test_kfree_of_cache_objects, "kfree_of_cache_objects" },
	{ api_test_merged_kfree, "merged_kfree" },
	{ api_test_cache_sizes, "cache_sizes" },
	{ api_test_cache_aligns, "cache_aligns" },
	{ api_test_cache_memory, "cache_memory" },
	{ api_test_bad_create, "bad_create" },
	{ api_test_slab_flags, "slab_flags" },
	{ api_test_null_cache, "null_cache" },
	{ api_test_refused_frees, "refused_frees" },
	{ api_test_owns, "owns" },
	{ api_test_double_frees, "double_frees" },
	{ api_test_bulk_misuse, "bulk_misuse" },
	{ api_test_wrong_cache, "wrong_cache" },
	{ api_test_destroy_live, "destroy_live" },
	{ api_test_poison, "poison" },
};

#endif /* _GOMEM_API_TESTS_H */
