// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest module: gomem's cache API as a client module uses it.
 *
 *  - 29 caches of 1 B to 32 KiB, alignments 0 to 4096, every flag and a
 *    constructor: alignment and usable size of every object, distinct
 *    objects, patterns intact;
 *  - what /proc/gomem says about each cache (read from here): span class,
 *    slot size, merged_with (merged caches share the class kmalloc uses for
 *    their size; constructor, no-merge, typesafe-by-RCU and poison caches are
 *    private), flags, per-cache allocs/frees/active_objects;
 *  - constructors run once per object when a span is made, and constructed
 *    state survives free and reallocation;
 *  - the bulk API (1 to 256 objects), the node API (every node with memory,
 *    from every CPU), atomic and hardirq context, the kmalloc family's
 *    overflow and krealloc rules;
 *  - typesafe-by-RCU: a freed object whose span was emptied stays memory of
 *    its cache while a reader holds RCU; gomem_kfree_rcu();
 *  - every misuse: wrong cache, foreign pointer, interior pointer, double
 *    free (at the magazine and at the span), impossible create parameters,
 *    NULL cache: each refused with a report counted in /proc/gomem
 *    (bad_frees, double_frees exactly), and the allocator consistent after;
 *  - destroy with live objects: reported, cache kept, usable, destroyable
 *    once empty. The reports themselves are checked in the kernel log by
 *    selftests/guest/tests/40-caches.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/irq_work.h>
#include <linux/rcupdate.h>
#include "kselftest_module.h"
#include "gomem_test.h"
#include "proc_parse.h"

KSTM_MODULE_GLOBALS();

static unsigned int failures;

/* report a failed expectation (the first 200); evaluates to 1 when it failed */
#define EXPECT(cond, fmt, ...) ({					\
	bool __ok = (cond);						\
	if (!__ok && ++failures <= 200)					\
		pr_err("%s:%d: " fmt "\n", __func__, __LINE__, ##__VA_ARGS__);	\
	!__ok;								\
})

/* ---------------- /proc/gomem, read from the module ---------------- */

#define SNAP_SIZE	(512 << 10)

struct snap {
	char *buf;
	size_t len;
};

static struct snap snap_a, snap_b;

static int __init snap_take(struct snap *s)
{
	ssize_t n;

	if (!s->buf)
		s->buf = vmalloc(SNAP_SIZE);
	if (!s->buf)
		return 1;
	n = gomem_proc_read(s->buf, SNAP_SIZE);
	if (n < 0) {
		pr_err("cannot read /proc/gomem: %zd\n", n);
		s->len = 0;
		s->buf[0] = 0;
		return 1;
	}
	s->len = n;
	return 0;
}

/* the line of record @rec ("total", "class id=5", "cache name=x"), or NULL */
static const char *snap_line(const struct snap *s, const char *rec)
{
	return gomem_proc_find(s->buf, rec);
}

static bool snap_str(const struct snap *s, const char *rec, const char *key, char *out,
		     size_t size)
{
	return !gomem_proc_str(snap_line(s, rec), key, out, size);
}

/* a numeric field; ULONG_MAX (and a message) when it is missing */
static unsigned long snap_num(const struct snap *s, const char *rec, const char *key)
{
	unsigned long long v;

	if (gomem_proc_get(s->buf, rec, key, &v)) {
		pr_err("/proc/gomem: no numeric %s in record \"%s\"\n", key, rec);
		return ULONG_MAX;
	}
	return v;
}

static unsigned long cache_num(const struct snap *s, const char *name, const char *key)
{
	char rec[64];

	snprintf(rec, sizeof(rec), "cache name=%s", name);
	return snap_num(s, rec, key);
}

/* a field of a cache's row as a string, "" when missing */
static void cache_str(const struct snap *s, const char *name, const char *key, char *out,
		      size_t size)
{
	char rec[64];

	snprintf(rec, sizeof(rec), "cache name=%s", name);
	if (!snap_str(s, rec, key, out, size))
		out[0] = 0;
}

static bool cache_listed(const struct snap *s, const char *name)
{
	char rec[64];

	snprintf(rec, sizeof(rec), "cache name=%s", name);
	return snap_line(s, rec);
}

static unsigned long total(const struct snap *s, const char *key)
{
	return snap_num(s, "total", key);
}

/* the cache's row says allocs, frees and active_objects are these */
static int __init expect_row(const struct snap *s, const char *name, unsigned long allocs,
			     unsigned long frees)
{
	unsigned long a = cache_num(s, name, "allocs"), f = cache_num(s, name, "frees");
	unsigned long act = cache_num(s, name, "active_objects");

	return EXPECT(a == allocs && f == frees && act == allocs - frees,
		      "%s: /proc/gomem says allocs=%lu frees=%lu active_objects=%ld, expected %lu/%lu/%ld",
		      name, a, f, (long)act, allocs, frees, (long)(allocs - frees));
}

/* misuse counters moved by exactly this much since @before */
static int __init expect_reports(const struct snap *before, unsigned long bad,
				 unsigned long dbl, const char *what)
{
	unsigned long b, d;

	if (snap_take(&snap_b))
		return 1;
	b = total(&snap_b, "bad_frees") - total(before, "bad_frees");
	d = total(&snap_b, "double_frees") - total(before, "double_frees");
	return EXPECT(b == bad && d == dbl, "%s: bad_frees +%lu double_frees +%lu, expected +%lu +%lu",
		      what, b, d, bad, dbl);
}

/*
 * Misuse cases are grouped in sections of the kernel log: the guest script
 * (40-caches) checks each section's reports.
 */
static void section(const char *name)
{
	pr_info("misuse: %s\n", name);
}

/* ---------------- the caches ---------------- */

#define CTOR_BYTE	0xc7

/* constructed state: every byte CTOR_BYTE except a magic word */
static void ctor_fill(void *p, unsigned int size)
{
	memset(p, CTOR_BYTE, size);
	*(u32 *)p = 0x0c7c70c7 ^ size;
}

static bool ctor_intact(const void *p, unsigned int size)
{
	const u8 *b = p;
	unsigned int i;

	if (*(const u32 *)p != (0x0c7c70c7 ^ size))
		return false;
	for (i = 4; i < size; i++)
		if (b[i] != CTOR_BYTE)
			return false;
	return true;
}

static atomic_t ctor_calls_300, ctor_calls_500, ctor_calls_9000;

static void ctor_300(void *p)
{
	ctor_fill(p, 300);
	atomic_inc(&ctor_calls_300);
}

static void ctor_500(void *p)
{
	ctor_fill(p, 500);
	atomic_inc(&ctor_calls_500);
}

static void ctor_9000(void *p)
{
	ctor_fill(p, 9000);
	atomic_inc(&ctor_calls_9000);
}

struct tc {
	const char *name;
	unsigned int size;
	unsigned int align;
	unsigned long flags;
	void (*ctor)(void *obj);
	atomic_t *ctor_calls;
	struct gomem_cache *c;
	bool tiny;			/* on span class 5 (test_proc_rows()) */
	unsigned long allocs, frees;	/* what this module did */
};

#define F_HW	GOMEM_HWCACHE_ALIGN
#define F_NS	GOMEM_NOSCAN
#define F_NM	GOMEM_NO_MERGE
#define F_RCU	GOMEM_TYPESAFE_BY_RCU
#define F_PSN	GOMEM_POISON

static struct tc tcs[] = {
	{ "tgc_1",	 1,	0,	0 },
	{ "tgc_1n",	 1,	0,	F_NS },
	{ "tgc_7n",	 7,	0,	F_NS },
	{ "tgc_12n",	 12,	0,	F_NS },
	{ "tgc_12a8n",	 12,	8,	F_NS },
	{ "tgc_2hwn",	 2,	0,	F_HW | F_NS },
	{ "tgc_8",	 8,	8,	0 },
	{ "tgc_16n",	 16,	0,	F_NS },
	{ "tgc_15hw",	 15,	0,	F_HW },
	{ "tgc_24a16",	 24,	16,	0 },
	{ "tgc_40",	 40,	0,	0 },
	{ "tgc_40b",	 40,	0,	0 },
	{ "tgc_64a64",	 64,	64,	0 },
	{ "tgc_100hw",	 100,	0,	F_HW },
	{ "tgc_200nm",	 200,	0,	F_NM },
	{ "tgc_256a256", 256,	256,	0 },
	{ "tgc_300c",	 300,	0,	0,	ctor_300,  &ctor_calls_300 },
	{ "tgc_500rcu",	 500,	0,	F_RCU,	ctor_500,  &ctor_calls_500 },
	{ "tgc_700p",	 700,	0,	F_PSN },
	{ "tgc_1000n",	 1000,	0,	F_NS },
	{ "tgc_2048rcu", 2048,	2048,	F_RCU },
	{ "tgc_3000a4k", 3000,	4096,	0 },
	{ "tgc_4096nm",	 4096,	4096,	F_NM },
	{ "tgc_5000",	 5000,	0,	0 },
	{ "tgc_6000pn",	 6000,	8,	F_PSN | F_NS },
	{ "tgc_9000c",	 9000,	0,	F_HW,	ctor_9000, &ctor_calls_9000 },
	{ "tgc_20000n",	 20000,	0,	F_NS },
	{ "tgc_32k",	 32768,	0,	0 },
	{ "tgc_32knm",	 32760,	0,	F_NM },	/* private: 8-byte link after */
};

enum { T_1 = 0, T_1N, T_7N, T_12N, T_12A8N, T_2HWN, T_8, T_16N, T_15HW, T_24A16, T_40, T_40B,
	T_64A64, T_100HW, T_200NM, T_256A256, T_300C, T_500RCU, T_700P, T_1000N, T_2048RCU,
	T_3000A4K, T_4096NM, T_5000, T_6000PN, T_9000C, T_20000N, T_32K, T_32KNM };

static bool tc_private(const struct tc *t)
{
	return t->ctor || (t->flags & (F_NM | F_RCU | F_PSN));
}

/*
 * The design: a noscan cache of objects under 16 bytes that asks for no
 * alignment is tiny-packed.
 */
static bool tc_must_tiny(const struct tc *t)
{
	return !tc_private(t) && (t->flags & F_NS) && t->size < 16 && !t->align &&
	       !(t->flags & F_HW);
}

/* the cache is tiny-packed: /proc/gomem shows it on span class 5 */
static bool tc_tiny(const struct tc *t)
{
	return t->tiny;
}

/* Go's tiny placement: aligned to 8, 4 or 2 by the size's divisibility */
static unsigned int tiny_natural(unsigned int size)
{
	return !(size & 7) ? 8 : !(size & 3) ? 4 : !(size & 1) ? 2 : 1;
}

/*
 * The alignment every object must have: the requested one, the cache-line
 * alignment GOMEM_HWCACHE_ALIGN computes as SLUB does, at least 8 bytes;
 * tiny-packed objects of a cache that asked for nothing are naturally
 * aligned (Documentation/api.rst).
 */
static unsigned int tc_align(const struct tc *t)
{
	unsigned int a = t->align, cl = cache_line_size();

	if (t->flags & F_HW) {
		while (t->size <= cl / 2)
			cl /= 2;
		a = max(a, cl);
	}
	if (tc_tiny(t) && !a)
		return tiny_natural(t->size);
	return max(a, 8U);
}

static int cmp_ptr(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* @n objects of @size bytes: none NULL, none overlapping another */
static int __init check_distinct(void **objs, unsigned int n, unsigned int size,
				 const char *name)
{
	void **s = kmalloc_array(n, sizeof(*s), GFP_KERNEL);
	unsigned int i;
	int err = 0;

	if (!s)
		return 1;
	memcpy(s, objs, n * sizeof(*s));
	sort(s, n, sizeof(*s), cmp_ptr, NULL);
	for (i = 0; i < n && !err; i++) {
		err += EXPECT(s[i], "%s: NULL object", name);
		if (i + 1 < n)
			err += EXPECT((char *)s[i] + size <= (char *)s[i + 1],
				      "%s: objects %p and %p overlap", name, s[i], s[i + 1]);
	}
	kfree(s);
	return err;
}

static int __init create_caches(void)
{
	int i, err = 0;

	for (i = 0; i < ARRAY_SIZE(tcs); i++) {
		tcs[i].c = gomem_cache_create(tcs[i].name, tcs[i].size, tcs[i].align,
					      tcs[i].flags, tcs[i].ctor);
		err += EXPECT(tcs[i].c, "cannot create %s (size %u align %u flags %#lx%s)",
			      tcs[i].name, tcs[i].size, tcs[i].align, tcs[i].flags,
			      tcs[i].ctor ? " ctor" : "");
		if (tcs[i].c)
			err += EXPECT(gomem_cache_size(tcs[i].c) == tcs[i].size,
				      "%s: gomem_cache_size %u", tcs[i].name,
				      gomem_cache_size(tcs[i].c));
	}
	return err;
}

/* objects per span of the size class serving span class @spc */
static unsigned long class_objects(const struct snap *s, unsigned long spc)
{
	char rec[32];

	snprintf(rec, sizeof(rec), "class id=%lu", spc >> 1);
	return snap_num(s, rec, "objects_per_span");
}

/*
 * What /proc/gomem shows of the caches: object size, alignment, span class
 * and slot, flags, constructor, merging. A merged cache uses the class that
 * gomem_kmalloc() of its size uses (when its alignment asks for no more)
 * and names the first cache on that class, or kmalloc-SLOT; tiny caches
 * share the tiny blocks' class; private caches say -private.
 */
static int __init test_proc_rows(void)
{
	char val[64], want[64];
	int i, j, err = 0;

	if (snap_take(&snap_a))
		return 1;
	for (i = 0; i < ARRAY_SIZE(tcs); i++) {
		struct tc *t = &tcs[i];
		unsigned long spc, slot, palign;

		if (!t->c)
			continue;
		spc = cache_num(&snap_a, t->name, "spanclass");
		slot = cache_num(&snap_a, t->name, "slot_size");
		t->tiny = spc == 5;
		palign = cache_num(&snap_a, t->name, "align");
		err += EXPECT(cache_num(&snap_a, t->name, "object_size") == t->size,
			      "%s: object_size", t->name);
		err += EXPECT(palign != ULONG_MAX && !(palign & (palign - 1)) &&
			      palign >= max(t->align, 1U),
			      "%s: align=%lu for a requested %u", t->name, palign, t->align);
		/*
		 * noscan caches use noscan span classes, but for 16-byte objects
		 * (span class 5 holds the tiny blocks; they use class 4)
		 */
		err += EXPECT((spc & 1) == !!(t->flags & F_NS) ||
			      (spc == 4 && (t->flags & F_NS) && !tc_tiny(t)),
			      "%s: spanclass %lu, noscan %d", t->name, spc, !!(t->flags & F_NS));
		err += EXPECT(slot >= t->size && slot < ULONG_MAX && !(slot % tc_align(t)),
			      "%s: slot_size %lu", t->name, slot);
		err += EXPECT(!tc_must_tiny(t) || tc_tiny(t), "%s: not tiny-packed (span class %lu)",
			      t->name, spc);
		if (!tc_private(t) && !tc_tiny(t) && t->align <= 8 && !(t->flags & F_HW) &&
		    (t->size >= 16 || !(t->flags & F_NS))) {
			void *k = (t->flags & F_NS) ? gomem_kmalloc_noscan(t->size, GFP_KERNEL) :
						    gomem_kmalloc(t->size, GFP_KERNEL);

			err += EXPECT(k && gomem_ksize(k) == slot,
				      "%s: slot %lu, but gomem_kmalloc(%u) has %zu bytes",
				      t->name, slot, t->size, gomem_ksize(k));
			gomem_kfree(k);
		}
		/* merged_with */
		if (tc_private(t)) {
			strscpy(want, "-private", sizeof(want));
		} else {
			snprintf(want, sizeof(want), "kmalloc-%lu%s", slot,
				 (spc & 1) ? "-noscan" : "");
			for (j = 0; j < i; j++) {
				if (tcs[j].c && !tc_private(&tcs[j]) &&
				    cache_num(&snap_a, tcs[j].name, "spanclass") == spc) {
					strscpy(want, tcs[j].name, sizeof(want));
					break;
				}
			}
		}
		cache_str(&snap_a, t->name, "merged_with", val, sizeof(val));
		err += EXPECT(!strcmp(val, want), "%s: merged_with=%s, expected %s", t->name,
			      val, want);
		/* spans: counted for private caches only */
		cache_str(&snap_a, t->name, "spans", val, sizeof(val));
		err += EXPECT(tc_private(t) ? strcmp(val, "-") != 0 : !strcmp(val, "-"),
			      "%s: spans=%s", t->name, val);
		err += EXPECT(cache_num(&snap_a, t->name, "ctor") == !!t->ctor, "%s: ctor", t->name);
		cache_str(&snap_a, t->name, "flags", val, sizeof(val));
		err += EXPECT(!!strstr(val, "noscan") == !!(t->flags & F_NS) &&
			      !!strstr(val, "no_merge") == !!(t->flags & F_NM) &&
			      !!strstr(val, "typesafe_by_rcu") == !!(t->flags & F_RCU) &&
			      !!strstr(val, "poison") == !!(t->flags & F_PSN) &&
			      !!strstr(val, "hwcache_align") == !!(t->flags & F_HW) &&
			      (t->flags || !strcmp(val, "-")), "%s: flags=%s", t->name, val);
		err += expect_row(&snap_a, t->name, 0, 0);
	}
	/* two merged caches of one size: one class, and objects cross freely */
	if (tcs[T_40].c && tcs[T_40B].c) {
		void *p = gomem_cache_alloc(tcs[T_40].c, GFP_KERNEL);
		void *q = gomem_cache_alloc(tcs[T_40B].c, GFP_KERNEL);

		err += EXPECT(p && q, "tgc_40/tgc_40b: no memory");
		err += EXPECT(cache_num(&snap_a, "tgc_40", "spanclass") ==
			      cache_num(&snap_a, "tgc_40b", "spanclass"), "merged span classes differ");
		/* each freed through the other: merged caches share their spans */
		gomem_cache_free(tcs[T_40B].c, p);
		gomem_cache_free(tcs[T_40].c, q);
		err += expect_reports(&snap_a, 0, 0, "frees across merged caches");
		err += expect_row(&snap_b, "tgc_40", 1, 1);
		err += expect_row(&snap_b, "tgc_40b", 1, 1);
		tcs[T_40].allocs++;
		tcs[T_40].frees++;
		tcs[T_40B].allocs++;
		tcs[T_40B].frees++;
	}
	return err;
}

/*
 * Every cache: a few spans' worth of objects, each aligned, with its usable
 * size, distinct; patterns (or constructed state) intact; the cache's row
 * counts them exactly.
 */
static int __init test_objects(void)
{
	void **objs = kmalloc_array(600, sizeof(void *), GFP_KERNEL);
	unsigned int i, k, n, al, misaligned, misreported, badsize, unconstructed;
	int err = 0;

	if (!objs)
		return 1;
	for (i = 0; i < ARRAY_SIZE(tcs); i++) {
		struct tc *t = &tcs[i];
		unsigned long palign;
		size_t ks;

		if (!t->c)
			continue;
		if (snap_take(&snap_a))
			break;
		palign = cache_num(&snap_a, t->name, "align");
		n = clamp(262144 / t->size, 32U, 600U);
		al = tc_align(t);
		for (k = 0; k < n; k++) {
			objs[k] = gomem_cache_alloc(t->c, GFP_KERNEL);
			if (EXPECT(objs[k], "%s: allocation %u failed", t->name, k)) {
				err++;
				break;
			}
		}
		n = k;
		t->allocs += n;
		misaligned = 0;
		misreported = 0;
		badsize = 0;
		unconstructed = 0;
		for (k = 0; k < n; k++) {
			unsigned long a = (unsigned long)objs[k];
			bool ok;

			ks = gomem_ksize(objs[k]);
			misaligned += !IS_ALIGNED(a, al);
			misreported += !IS_ALIGNED(a, palign);
			ok = tc_tiny(t) ? ks == 0 : tc_private(t) ? ks == t->size : ks >= t->size;
			if (!ok && !badsize++)
				pr_err("%s: ksize %zu for objects of %u bytes\n", t->name, ks, t->size);
			if (t->ctor)
				unconstructed += !ctor_intact(objs[k], t->size);
			else
				gt_fill(objs[k], t->size, i * 1000 + k);
		}
		err += EXPECT(!misaligned, "%s: %u of %u objects not aligned to %u", t->name,
			      misaligned, n, al);
		err += EXPECT(!misreported, "%s: %u of %u objects not aligned to %lu, the align /proc/gomem shows",
			      t->name, misreported, n, palign);
		err += EXPECT(!badsize, "%s: %u objects with a wrong ksize", t->name, badsize);
		err += EXPECT(!unconstructed, "%s: %u objects not in constructed state", t->name,
			      unconstructed);
		err += check_distinct(objs, n, t->size, t->name);
		for (k = 0; k < n && !t->ctor; k++) {
			if (gt_check(objs[k], t->size, i * 1000 + k)) {
				err++;
				break;
			}
		}
		if (!snap_take(&snap_b))
			err += expect_row(&snap_b, t->name, t->allocs, t->frees);
		for (k = 0; k < n; k++)
			gomem_cache_free(t->c, objs[k]);
		t->frees += n;
		if (!snap_take(&snap_b))
			err += expect_row(&snap_b, t->name, t->allocs, t->frees);
	}
	kfree(objs);
	return err;
}

/*
 * Constructors: on a fresh cache, the constructor has run exactly once for
 * every object of every span the cache holds; objects freed in constructed
 * state come back in it (gomem keeps its free-list link outside them), and
 * reusing them runs no constructor.
 */
static int __init ctor_case(struct tc *t)
{
	unsigned long spans, per_span, calls0, calls;
	unsigned int n, k;
	void **objs;
	int err = 0;

	if (!t->c)
		return 1;
	/* the cache was used already: start from one that holds no span */
	gomem_cache_shrink(t->c);
	rcu_barrier();
	if (snap_take(&snap_a))
		return 1;
	err += EXPECT(cache_num(&snap_a, t->name, "spans") == 0, "%s: spans left", t->name);
	per_span = class_objects(&snap_a, cache_num(&snap_a, t->name, "spanclass"));
	if (per_span == ULONG_MAX)
		return 1;
	n = 3 * per_span;
	objs = kmalloc_array(n, sizeof(void *), GFP_KERNEL);
	if (!objs)
		return 1;
	calls0 = atomic_read(t->ctor_calls);
	migrate_disable();	/* one CPU: spans fill one after another */
	for (k = 0; k < n; k++) {
		objs[k] = gomem_cache_alloc(t->c, GFP_KERNEL);
		if (!objs[k])
			break;
	}
	migrate_enable();
	if (EXPECT(k == n, "%s: allocation failed", t->name)) {
		while (k--)
			gomem_cache_free(t->c, objs[k]);
		kfree(objs);
		return 1;
	}
	t->allocs += n;
	snap_take(&snap_a);
	spans = cache_num(&snap_a, t->name, "spans");
	calls = atomic_read(t->ctor_calls) - calls0;
	err += EXPECT(spans == 3 && calls == spans * per_span,
		      "%s: %lu constructor calls for %u objects, %lu spans of %lu", t->name, calls,
		      n, spans, per_span);
	for (k = 0; k < n; k++) {
		err += EXPECT(ctor_intact(objs[k], t->size), "%s: object %u not constructed",
			      t->name, k);
		/* use it, then put it back in constructed state, as the contract says */
		memset((char *)objs[k] + 4, 0x11, t->size - 4);
		ctor_fill(objs[k], t->size);
	}
	/* free every other object: every span keeps some, so none is remade */
	for (k = 1; k < n; k += 2)
		gomem_cache_free(t->c, objs[k]);
	t->frees += n / 2;
	gomem_cache_shrink(t->c);
	for (k = 1; k < n; k += 2)
		objs[k] = gomem_cache_alloc(t->c, GFP_KERNEL);
	t->allocs += n / 2;
	for (k = 0; k < n; k++)
		err += EXPECT(objs[k] && ctor_intact(objs[k], t->size),
			      "%s: object %u not in constructed state after reuse", t->name, k);
	err += check_distinct(objs, n, t->size, t->name);
	calls0 += calls;
	err += EXPECT(atomic_read(t->ctor_calls) == calls0,
		      "%s: constructor ran %lu more times on reuse", t->name,
		      atomic_read(t->ctor_calls) - calls0);
	snap_take(&snap_b);
	err += EXPECT(cache_num(&snap_b, t->name, "spans") == spans, "%s: spans %lu -> %lu",
		      t->name, spans, cache_num(&snap_b, t->name, "spans"));
	err += expect_row(&snap_b, t->name, t->allocs, t->frees);
	for (k = 0; k < n; k++)
		gomem_cache_free(t->c, objs[k]);
	t->frees += n;
	kfree(objs);
	return err;
}

static int __init test_ctors(void)
{
	return ctor_case(&tcs[T_300C]) + ctor_case(&tcs[T_500RCU]) + ctor_case(&tcs[T_9000C]);
}

/* bulk: 1 to 256 objects, all or nothing, distinct, aligned, freed in bulk */
static int __init test_bulk(void)
{
	static const unsigned int counts[] = { 1, 2, 3, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65,
					       127, 128, 129, 200, 255, 256 };
	static const unsigned int which[] = { T_1, T_7N, T_40, T_200NM, T_300C, T_700P,
					      T_1000N, T_2048RCU, T_5000, T_20000N };
	void **p = kmalloc_array(257, sizeof(void *), GFP_KERNEL);
	unsigned int w, i, k, n;
	int err = 0, got;

	if (!p)
		return 1;
	for (w = 0; w < ARRAY_SIZE(which); w++) {
		struct tc *t = &tcs[which[w]];

		if (!t->c)
			continue;
		for (i = 0; i < ARRAY_SIZE(counts); i++) {
			n = counts[i];
			memset(p, 0, 257 * sizeof(void *));
			got = gomem_cache_alloc_bulk(t->c, GFP_KERNEL, n, p);
			if (EXPECT(got == n, "%s: bulk of %u gave %d", t->name, n, got)) {
				err++;
				continue;
			}
			t->allocs += n;
			err += EXPECT(!p[n], "%s: bulk of %u wrote past the end", t->name, n);
			err += check_distinct(p, n, t->size, t->name);
			for (k = 0; k < n; k++) {
				err += EXPECT(IS_ALIGNED((unsigned long)p[k], tc_align(t)),
					      "%s: bulk object misaligned", t->name);
				if (t->ctor)
					err += EXPECT(ctor_intact(p[k], t->size),
						      "%s: bulk object not constructed", t->name);
				else
					gt_fill(p[k], t->size, k);
			}
			for (k = 0; k < n && !t->ctor; k++)
				err += gt_check(p[k], t->size, k);
			gomem_cache_free_bulk(t->c, n, p);
			t->frees += n;
		}
		/* in atomic context too */
		preempt_disable();
		got = gomem_cache_alloc_bulk(t->c, GFP_ATOMIC, 64, p);
		if (got == 64)
			gomem_cache_free_bulk(t->c, 64, p);
		preempt_enable();
		err += EXPECT(got == 64, "%s: atomic bulk of 64 gave %d", t->name, got);
		if (got == 64) {
			t->allocs += 64;
			t->frees += 64;
		}
		if (!snap_take(&snap_b))
			err += expect_row(&snap_b, t->name, t->allocs, t->frees);
	}
	kfree(p);
	return err;
}

/*
 * __GFP_ZERO (gomem_cache_zalloc()) zeroes every object of a cache without
 * a constructor, whatever its flags: the object freed just before, dirty,
 * comes back (LIFO magazine) and must be all zero.
 */
static int __init test_zalloc(void)
{
	static const unsigned int which[] = { T_7N, T_40, T_200NM, T_700P, T_1000N,
					      T_2048RCU, T_6000PN };
	unsigned int w;
	int err = 0;
	u8 *p, *q;

	for (w = 0; w < ARRAY_SIZE(which); w++) {
		struct tc *t = &tcs[which[w]];

		if (!t->c)
			continue;
		migrate_disable();
		p = gomem_cache_alloc(t->c, GFP_KERNEL);
		if (p) {
			memset(p, 0xff, t->size);
			gomem_cache_free(t->c, p);
		}
		q = gomem_cache_zalloc(t->c, GFP_KERNEL);
		migrate_enable();
		err += EXPECT(p && q && !memchr_inv(q, 0, t->size),
			      "%s: gomem_cache_zalloc() gave a dirty object", t->name);
		gomem_cache_free(t->c, q);
		t->allocs += 2;
		t->frees += 2;
	}
	return err;
}

/* ---------------- node API, from every CPU ---------------- */

#define NODE_OBJS	48

static int node_cpu(void *arg, int cpu)
{
	static const unsigned int which[] = { T_40, T_200NM, T_300C, T_5000, T_32K };
	void **objs = kcalloc(NODE_OBJS, sizeof(void *), GFP_KERNEL);
	unsigned int w, k;
	int node, err = 0;
	void *p;

	if (!objs)
		return 1;
	for_each_node_state(node, N_MEMORY) {
		for (w = 0; w < ARRAY_SIZE(which); w++) {
			struct tc *t = &tcs[which[w]];
			gfp_t gfp = GFP_KERNEL | ((w & 1) ? __GFP_THISNODE : 0);

			if (!t->c)
				continue;
			for (k = 0; k < NODE_OBJS; k++) {
				p = gomem_cache_alloc_node(t->c, gfp, node);
				objs[k] = p;
				if (!p) {
					err++;
					pr_err("cpu %d: %s: no object on node %d\n", cpu, t->name,
					       node);
					break;
				}
				if (page_to_nid(virt_to_page(p)) != node) {
					err++;
					pr_err("cpu %d: %s: object for node %d is on node %d\n", cpu,
					       t->name, node, page_to_nid(virt_to_page(p)));
				}
				if (!t->ctor)
					gt_fill(p, t->size, cpu * 1000 + k);
			}
			for (k = 0; k < NODE_OBJS && objs[k]; k++) {
				if (!t->ctor)
					err += gt_check(objs[k], t->size, cpu * 1000 + k);
				gomem_cache_free(t->c, objs[k]);
				objs[k] = NULL;
			}
		}
		p = gomem_kmalloc_node(700, GFP_KERNEL, node);
		if (!p || page_to_nid(virt_to_page(p)) != node) {
			err++;
			pr_err("cpu %d: gomem_kmalloc_node(700, %d) gave %p\n", cpu, node, p);
		}
		gomem_kfree(p);
	}
	kfree(objs);
	return err;
}

static int __init test_nodes(void)
{
	static const unsigned int which[] = { T_40, T_200NM, T_300C, T_5000, T_32K };
	int err, nodes = 0, cpus = num_online_cpus(), node, w;

	for_each_node_state(node, N_MEMORY)
		nodes++;
	err = gt_run_on_each_cpu(node_cpu, NULL);
	pr_info("node API checked on %d nodes from %d CPUs\n", nodes, cpus);
	for (w = 0; w < ARRAY_SIZE(which); w++) {
		if (!tcs[which[w]].c)
			continue;
		tcs[which[w]].allocs += (unsigned long)cpus * nodes * NODE_OBJS;
		tcs[which[w]].frees += (unsigned long)cpus * nodes * NODE_OBJS;
	}
	if (!snap_take(&snap_b))
		for (w = 0; w < ARRAY_SIZE(which); w++)
			if (tcs[which[w]].c)
				err += expect_row(&snap_b, tcs[which[w]].name,
						  tcs[which[w]].allocs, tcs[which[w]].frees);
	return err;
}

/* ---------------- atomic and hardirq context ---------------- */

#define IRQ_OBJS	16

struct irq_test {
	struct irq_work work;
	bool do_free;
	bool in_hardirq;
	void *objs[4][IRQ_OBJS];
};

static const unsigned int irq_caches[] = { T_40, T_200NM, T_7N };

static void irq_test_fn(struct irq_work *w)
{
	struct irq_test *it = container_of(w, struct irq_test, work);
	unsigned int c, k;

	it->in_hardirq = in_hardirq();
	for (k = 0; k < IRQ_OBJS; k++) {
		for (c = 0; c < ARRAY_SIZE(irq_caches); c++) {
			struct tc *t = &tcs[irq_caches[c]];

			if (it->do_free)
				gomem_cache_free(t->c, it->objs[c][k]);
			else
				it->objs[c][k] = gomem_cache_alloc(t->c, GFP_ATOMIC);
		}
		if (it->do_free)
			gomem_kfree(it->objs[3][k]);
		else
			it->objs[3][k] = gomem_kmalloc(64 << (k % 8), GFP_ATOMIC);
	}
}

static int __init test_irq_context(void)
{
	struct irq_test *it = kzalloc(sizeof(*it), GFP_KERNEL);
	unsigned int c, k;
	int err = 0;

	if (!it)
		return 1;
	for (c = 0; c < ARRAY_SIZE(irq_caches); c++)
		if (!tcs[irq_caches[c]].c)
			goto out;
	init_irq_work(&it->work, irq_test_fn);
	irq_work_queue(&it->work);
	irq_work_sync(&it->work);
	err += EXPECT(it->in_hardirq, "irq_work did not run in hardirq context");
	for (c = 0; c < ARRAY_SIZE(irq_caches) + 1; c++) {
		for (k = 0; k < IRQ_OBJS; k++) {
			size_t size = c < ARRAY_SIZE(irq_caches) ? tcs[irq_caches[c]].size :
					64 << (k % 8);

			err += EXPECT(it->objs[c][k], "hardirq allocation %u/%u failed", c, k);
			if (it->objs[c][k])
				gt_fill(it->objs[c][k], size, c * 100 + k);
		}
		if (c < ARRAY_SIZE(irq_caches)) {
			tcs[irq_caches[c]].allocs += IRQ_OBJS;
			tcs[irq_caches[c]].frees += IRQ_OBJS;
		}
	}
	for (c = 0; c < ARRAY_SIZE(irq_caches) + 1; c++) {
		for (k = 0; k < IRQ_OBJS; k++) {
			size_t size = c < ARRAY_SIZE(irq_caches) ? tcs[irq_caches[c]].size :
					64 << (k % 8);

			if (it->objs[c][k])
				err += gt_check(it->objs[c][k], size, c * 100 + k);
		}
	}
	/* freed in hardirq context, from another CPU when it migrated */
	it->do_free = true;
	irq_work_queue(&it->work);
	irq_work_sync(&it->work);
	if (!snap_take(&snap_b))
		for (c = 0; c < ARRAY_SIZE(irq_caches); c++)
			err += expect_row(&snap_b, tcs[irq_caches[c]].name,
					  tcs[irq_caches[c]].allocs, tcs[irq_caches[c]].frees);
out:
	kfree(it);
	return err;
}

/* ---------------- the kmalloc family ---------------- */

/* an address-independent pattern, for objects that move */
static void fill_bytes(u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(i * 31 + (i >> 8) + 77);
}

static bool bytes_ok(const u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (u8)(i * 31 + (i >> 8) + 77))
			return false;
	return true;
}

static int __init test_kmalloc_family(void)
{
	static const size_t steps[] = { 100, 5000, 100000, 5 << 20, 40000, 3000, 50, 8 };
	size_t prev = 0, i;
	int err = 0;
	u8 *p, *q;

	/* overflow: NULL, no allocation, no warning */
	err += EXPECT(!gomem_kmalloc_array(SIZE_MAX / 2, 3, GFP_KERNEL), "kmalloc_array overflow");
	err += EXPECT(!gomem_kcalloc(1UL << 62, 8, GFP_KERNEL), "kcalloc overflow");
	err += EXPECT(!gomem_kmalloc_array(SIZE_MAX, SIZE_MAX, GFP_KERNEL), "kmalloc_array max");
	err += EXPECT(!gomem_kmalloc((size_t)INT_MAX + 1, GFP_KERNEL | __GFP_NOWARN),
		      "kmalloc of 2 GiB");
	err += EXPECT(!gomem_kmalloc(SIZE_MAX, GFP_KERNEL | __GFP_NOWARN), "kmalloc(SIZE_MAX)");
	err += EXPECT(gomem_kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR, "kmalloc(0)");
	gomem_kfree(ZERO_SIZE_PTR);
	gomem_kfree(NULL);
	err += EXPECT(!gomem_ksize(NULL) && !gomem_ksize(ZERO_SIZE_PTR), "ksize(NULL)");

	/* kcalloc zeroes, kmalloc_array gives the full size */
	p = gomem_kmalloc(800, GFP_KERNEL);
	if (p) {
		memset(p, 0xff, 800);
		gomem_kfree(p);
	}
	p = gomem_kcalloc(100, 8, GFP_KERNEL);
	err += EXPECT(p && gomem_ksize(p) >= 800 && !memchr_inv(p, 0, 800), "kcalloc(100, 8)");
	gomem_kfree(p);
	p = gomem_kmalloc_array(1000, 40, GFP_KERNEL);
	err += EXPECT(p && gomem_ksize(p) >= 40000, "kmalloc_array(1000, 40)");
	gomem_kfree(p);

	/* krealloc: contents kept through small, large and vmalloc'ed sizes */
	p = gomem_krealloc(NULL, 20, GFP_KERNEL);
	err += EXPECT(p && gomem_ksize(p) >= 20, "krealloc(NULL, 20)");
	if (p)
		fill_bytes(p, 20);
	prev = 20;
	for (i = 0; p && i < ARRAY_SIZE(steps); i++) {
		q = gomem_krealloc(p, steps[i], GFP_KERNEL);
		if (EXPECT(q, "krealloc to %zu failed", steps[i])) {
			err++;
			break;
		}
		err += EXPECT(gomem_ksize(q) >= steps[i], "krealloc(%zu): ksize %zu", steps[i],
			      gomem_ksize(q));
		err += EXPECT(bytes_ok(q, min(prev, steps[i])),
			      "krealloc %zu -> %zu lost the contents", prev, steps[i]);
		p = q;
		fill_bytes(p, steps[i]);
		prev = steps[i];
	}
	/* a failing krealloc leaves the object alone */
	if (p) {
		q = gomem_krealloc(p, (size_t)INT_MAX + 1, GFP_KERNEL | __GFP_NOWARN);
		err += EXPECT(!q, "krealloc to 2 GiB succeeded");
		err += EXPECT(bytes_ok(p, prev), "failed krealloc changed the object");
		q = gomem_krealloc(p, 0, GFP_KERNEL);	/* frees */
		err += EXPECT(q == ZERO_SIZE_PTR, "krealloc(p, 0)");
	}
	/* a tiny string grows into a real object */
	p = gomem_kstrdup("tiny", GFP_KERNEL);
	err += EXPECT(p && !strcmp(p, "tiny"), "kstrdup");
	q = gomem_krealloc(p, 100, GFP_KERNEL);
	err += EXPECT(q && !strcmp(q, "tiny") && gomem_ksize(q) >= 100, "krealloc of a tiny string");
	gomem_kfree(q ?: p);
	err += EXPECT(!gomem_kstrdup(NULL, GFP_KERNEL), "kstrdup(NULL)");
	return err;
}

/*
 * Noscan kmalloc and kstrdup of every length 1..64: each frees cleanly
 * (16-byte requests are not tiny-packed: they must not be taken for tiny
 * objects at free).
 */
static int __init test_noscan(void)
{
	char *s[64], str[65];
	unsigned int i;
	int err = 0;

	if (snap_take(&snap_a))
		return 1;
	for (i = 0; i < 64; i++) {
		memset(str, 'a' + i % 26, i);
		str[i] = 0;
		s[i] = gomem_kstrdup(str, GFP_KERNEL);	/* i + 1 bytes */
		err += EXPECT(s[i] && !strcmp(s[i], str), "kstrdup of %u chars", i);
	}
	for (i = 0; i < 64; i++) {
		memset(str, 'a' + i % 26, i);
		str[i] = 0;
		err += EXPECT(s[i] && !strcmp(s[i], str), "string of %u chars changed", i);
		gomem_kfree(s[i]);
	}
	for (i = 1; i <= 64; i++) {
		void *p = gomem_kmalloc_noscan(i, GFP_KERNEL);

		err += EXPECT(p, "kmalloc_noscan(%u)", i);
		if (p)
			memset(p, 0x5a, i);
		gomem_kfree(p);
	}
	err += expect_reports(&snap_a, 0, 0, "noscan allocations freed");
	return err;
}

/*
 * Tiny caches that ask for an alignment get it even when the CPU's current
 * tiny block was just started by another small noscan allocation: two 3-byte
 * strings before each object leave the current block at offset 3.
 */
static int __init test_tiny_align(void)
{
	static const unsigned int which[] = { T_12A8N, T_2HWN, T_12N, T_7N };
	void *objs[32], *odd[64];
	unsigned int w, k;
	int err = 0;

	for (w = 0; w < ARRAY_SIZE(which); w++) {
		struct tc *t = &tcs[which[w]];
		unsigned int al = tc_align(t), bad = 0;

		if (!t->c)
			continue;
		migrate_disable();	/* one CPU: one current tiny block */
		for (k = 0; k < ARRAY_SIZE(objs); k++) {
			odd[2 * k] = gomem_kmalloc_noscan(3, GFP_KERNEL);
			odd[2 * k + 1] = gomem_kmalloc_noscan(3, GFP_KERNEL);
			objs[k] = gomem_cache_alloc(t->c, GFP_KERNEL);
		}
		migrate_enable();
		for (k = 0; k < ARRAY_SIZE(objs); k++) {
			bad += !objs[k] || !IS_ALIGNED((unsigned long)objs[k], al);
			gomem_cache_free(t->c, objs[k]);
			gomem_kfree(odd[2 * k]);
			gomem_kfree(odd[2 * k + 1]);
		}
		err += EXPECT(!bad, "%s: %u of %zu objects not aligned to %u", t->name, bad,
			      ARRAY_SIZE(objs), al);
		t->allocs += ARRAY_SIZE(objs);
		t->frees += ARRAY_SIZE(objs);
	}
	return err;
}

/* ---------------- typesafe-by-RCU and gomem_kfree_rcu() ---------------- */

struct rcu_reader {
	void **objs;
	unsigned int n, size;
	struct completion inside, done;
	atomic_t go;
	int err;
};

static int rcu_reader_fn(void *arg)
{
	struct rcu_reader *r = arg;
	unsigned int k;

	rcu_read_lock();
	complete(&r->inside);
	while (!atomic_read(&r->go))
		cpu_relax();
	/*
	 * Every object was freed and the cache shrunk: their spans are empty,
	 * yet while this reader holds RCU they are still memory of the cache,
	 * in its type (constructed state) and known to gomem as such.
	 */
	for (k = 0; k < r->n; k++) {
		if (!ctor_intact(r->objs[k], r->size) || gomem_ksize(r->objs[k]) != r->size) {
			pr_err("typesafe-by-RCU object %u lost its type under a reader (ksize %zu)\n",
			       k, gomem_ksize(r->objs[k]));
			r->err++;
			break;
		}
	}
	rcu_read_unlock();
	complete(&r->done);
	return 0;
}

static int __init test_typesafe_rcu(void)
{
	struct tc *t = &tcs[T_500RCU];
	struct task_struct *task;
	struct rcu_reader r = { .size = 500 };
	unsigned long spans;
	unsigned int k;
	int err = 0;

	if (!t->c)
		return 1;
	r.n = 64;
	r.objs = kmalloc_array(r.n, sizeof(void *), GFP_KERNEL);
	if (!r.objs)
		return 1;
	init_completion(&r.inside);
	init_completion(&r.done);
	atomic_set(&r.go, 0);
	gomem_cache_shrink(t->c);
	for (k = 0; k < r.n; k++) {
		r.objs[k] = gomem_cache_alloc(t->c, GFP_KERNEL);
		if (!r.objs[k])
			break;
	}
	if (EXPECT(k == r.n, "no memory")) {
		while (k--)
			gomem_cache_free(t->c, r.objs[k]);
		kfree(r.objs);
		return 1;
	}
	t->allocs += r.n;
	/* the reader spins on another CPU than this thread's */
	migrate_disable();
	task = kthread_create(rcu_reader_fn, &r, "tgc_rcu_reader");
	if (IS_ERR(task)) {
		err++;
		atomic_set(&r.go, 1);
	} else {
		unsigned int cpu = cpumask_any_but(cpu_online_mask, smp_processor_id());

		if (cpu < nr_cpu_ids)
			kthread_bind(task, cpu);
		wake_up_process(task);
		wait_for_completion(&r.inside);
	}
	for (k = 0; k < r.n; k++)
		gomem_cache_free(t->c, r.objs[k]);
	t->frees += r.n;
	gomem_cache_shrink(t->c);	/* the spans empty: released after a GP */
	snap_take(&snap_b);
	spans = cache_num(&snap_b, t->name, "spans");
	err += EXPECT(spans == 0, "%s: %lu spans after every object was freed", t->name, spans);
	atomic_set(&r.go, 1);
	if (!IS_ERR(task))
		wait_for_completion(&r.done);
	migrate_enable();
	err += r.err;
	rcu_barrier();
	err += expect_row(&snap_b, t->name, t->allocs, t->frees);
	kfree(r.objs);
	return err;
}

struct rcu_obj {
	u64 id;
	struct rcu_head rcu;
	u8 data[];
};

/*
 * gomem_kfree_rcu() of objects of a private cache, a merged cache, and the
 * kmalloc family (small, large, vmalloc'ed): after rcu_barrier() all are
 * freed and counted, nothing refused.
 */
static int __init test_kfree_rcu(void)
{
	static const size_t ksizes[] = { 64, 700, 100000, 5 << 20 };
	struct gomem_cache *cp, *cm;
	unsigned long l0, v0, v1;
	struct rcu_obj *o;
	unsigned int k;
	int err = 0;

	cp = gomem_cache_create("tgc_rcufree", 96, 0, GOMEM_TYPESAFE_BY_RCU, NULL);
	/* private: kfree_rcu() of a merged cache's object is not credited to it */
	cm = gomem_cache_create("tgc_rcufree_m", 152, 0, GOMEM_NO_MERGE, NULL);
	if (EXPECT(cp && cm, "cannot create caches")) {
		gomem_cache_destroy(cp);
		gomem_cache_destroy(cm);
		return 1;
	}
	rcu_barrier();
	if (snap_take(&snap_a))
		return 1;
	for (k = 0; k < 100; k++) {
		o = gomem_cache_alloc(cp, GFP_KERNEL);
		if (o) {
			o->id = k;
			gomem_kfree_rcu(o, rcu);
		}
		err += EXPECT(o, "no memory");
		o = gomem_cache_alloc(cm, GFP_KERNEL);
		if (o) {
			o->id = k;
			gomem_kfree_rcu(o, rcu);
		}
		err += EXPECT(o, "no memory");
	}
	for (k = 0; k < ARRAY_SIZE(ksizes); k++) {
		o = gomem_kmalloc(ksizes[k], GFP_KERNEL);
		err += EXPECT(o, "gomem_kmalloc(%zu)", ksizes[k]);
		if (o)
			gomem_kfree_rcu(o, rcu);
	}
	rcu_barrier();
	if (snap_take(&snap_b))
		return 1;
	err += expect_row(&snap_b, "tgc_rcufree", 100, 100);
	err += expect_row(&snap_b, "tgc_rcufree_m", 100, 100);
	l0 = total(&snap_a, "large_objects_inuse");
	err += EXPECT(total(&snap_b, "large_objects_inuse") == l0,
		      "large objects in use %lu -> %lu", l0, total(&snap_b, "large_objects_inuse"));
	v0 = total(&snap_a, "vmalloc_allocs") - total(&snap_a, "vmalloc_frees");
	v1 = total(&snap_b, "vmalloc_allocs") - total(&snap_b, "vmalloc_frees");
	err += EXPECT(v0 == v1, "vmalloc'ed objects in use %lu -> %lu after gomem_kfree_rcu()",
		      v0, v1);
	err += expect_reports(&snap_a, 0, 0, "gomem_kfree_rcu()");
	gomem_cache_destroy(cp);
	gomem_cache_destroy(cm);
	return err;
}

/* ---------------- misuse ---------------- */

/*
 * After a refused call: the cache still hands out distinct, writable
 * objects (none overlapping @live, an object the caller still holds), and
 * frees them. Return: errors.
 */
static int __init consistent(struct tc *t, void *live)
{
	unsigned int n = 200, k;
	void **objs;
	int err = 0;

	objs = kmalloc_array(n + 1, sizeof(void *), GFP_KERNEL);
	if (!objs)
		return 1;
	for (k = 0; k < n; k++) {
		objs[k] = gomem_cache_alloc(t->c, GFP_KERNEL);
		if (!objs[k])
			break;
		if (!t->ctor)
			gt_fill(objs[k], t->size, 5000 + k);
	}
	err += EXPECT(k == n, "%s: allocation failed after misuse", t->name);
	n = k;
	t->allocs += n;
	if (live)
		objs[n] = live;
	err += check_distinct(objs, n + !!live, t->size, t->name);
	for (k = 0; k < n; k++) {
		if (t->ctor)
			err += EXPECT(ctor_intact(objs[k], t->size), "%s: not constructed", t->name);
		else
			err += gt_check(objs[k], t->size, 5000 + k);
		gomem_cache_free(t->c, objs[k]);
	}
	t->frees += n;
	kfree(objs);
	return err;
}

static int __init test_bad_create(void)
{
	static const struct { unsigned int size, align; unsigned long flags; } bad[] = {
		{ 0, 0, 0 }, { GOMEM_MAX_SMALL_SIZE + 1, 0, 0 }, { UINT_MAX, 0, 0 },
		{ 64, 3, 0 }, { 64, 24, 0 }, { 64, 16384, 0 }, { 64, 0, 0x100 },
		{ 0, 8, GOMEM_NO_MERGE },
	};
	unsigned int i;
	int err = 0;

	section("create");
	snap_take(&snap_a);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		err += EXPECT(!gomem_cache_create("tgc_bad", bad[i].size, bad[i].align,
						  bad[i].flags, NULL),
			      "created a cache of size %u align %u flags %#lx", bad[i].size,
			      bad[i].align, bad[i].flags);
	err += EXPECT(!gomem_cache_create(NULL, 64, 0, 0, NULL), "created a cache without a name");
	snap_take(&snap_b);
	err += EXPECT(!cache_listed(&snap_b, "tgc_bad"), "a refused cache is listed");
	return err;
}

static int __init test_null_cache(void)
{
	struct tc *t = &tcs[T_200NM];
	void *p, *arr[2];
	int err = 0;

	section("null-cache");
	if (!t->c || snap_take(&snap_a))
		return 1;
	err += EXPECT(!gomem_cache_alloc(NULL, GFP_KERNEL), "alloc from NULL");
	err += EXPECT(!gomem_cache_alloc_node(NULL, GFP_KERNEL, 0), "alloc_node from NULL");
	err += EXPECT(!gomem_cache_alloc_bulk(NULL, GFP_KERNEL, 2, arr), "bulk from NULL");
	err += EXPECT(!gomem_cache_size(NULL), "size of NULL");
	err += EXPECT(!gomem_cache_shrink(NULL), "shrink NULL");
	gomem_cache_destroy(NULL);
	p = gomem_cache_alloc(t->c, GFP_KERNEL);
	if (!p)
		return 1;
	t->allocs++;
	gt_fill(p, t->size, 42);
	gomem_cache_free(NULL, p);		/* refused: p stays allocated */
	gomem_cache_free(t->c, NULL);		/* allowed, nothing */
	err += gt_check(p, t->size, 42);
	snap_take(&snap_b);
	err += expect_row(&snap_b, t->name, t->allocs, t->frees);
	err += consistent(t, p);
	gomem_cache_free(t->c, p);
	t->frees++;
	return err;
}

/* free to the wrong cache: refused, the object stays its owner's */
static int __init test_wrong_cache(void)
{
	struct tc *nm = &tcs[T_200NM], *ct = &tcs[T_300C], *mg = &tcs[T_40];
	struct tc *tiny = &tcs[T_7N], *big = &tcs[T_5000];
	void *a, *b, *k, *x, *y, *l;
	int err = 0;

	if (!nm->c || !ct->c || !mg->c || !tiny->c || !big->c || snap_take(&snap_a))
		return 1;
	a = gomem_cache_alloc(ct->c, GFP_KERNEL);
	b = gomem_cache_alloc(nm->c, GFP_KERNEL);
	k = gomem_kmalloc(200, GFP_KERNEL);
	x = gomem_cache_alloc(tiny->c, GFP_KERNEL);
	y = gomem_cache_alloc(mg->c, GFP_KERNEL);
	l = gomem_kmalloc(100000, GFP_KERNEL);
	if (!a || !b || !k || !x || !y || !l)
		return 1;
	ct->allocs++;
	nm->allocs++;
	tiny->allocs++;
	mg->allocs++;
	section("wrong-cache");
	gt_fill(b, nm->size, 1);
	gt_fill(k, 200, 2);
	gt_fill(y, mg->size, 3);
	gomem_cache_free(nm->c, a);	/* a constructor cache's object to a no-merge cache */
	gomem_cache_free(mg->c, b);	/* a private object to a merged cache */
	gomem_cache_free(nm->c, k);	/* a kmalloc object to a private cache */
	gomem_cache_free(ct->c, x);	/* a tiny object to a private cache */
	gomem_cache_free(tiny->c, y);	/* a 48-byte-class object to a tiny cache */
	gomem_cache_free(big->c, l);	/* a large object to a cache */
	err += expect_reports(&snap_a, 6, 0, "frees to the wrong cache");
	err += EXPECT(ctor_intact(a, ct->size), "refused free changed the object");
	err += gt_check(b, nm->size, 1) + gt_check(k, 200, 2) + gt_check(y, mg->size, 3);
	err += expect_row(&snap_b, nm->name, nm->allocs, nm->frees);
	err += expect_row(&snap_b, ct->name, ct->allocs, ct->frees);
	err += expect_row(&snap_b, mg->name, mg->allocs, mg->frees);
	err += expect_row(&snap_b, tiny->name, tiny->allocs, tiny->frees);
	err += expect_row(&snap_b, big->name, big->allocs, big->frees);
	err += consistent(nm, b) + consistent(ct, a) + consistent(mg, y);
	gomem_cache_free(ct->c, a);
	gomem_cache_free(nm->c, b);
	gomem_cache_free(tiny->c, x);
	gomem_cache_free(mg->c, y);
	gomem_kfree(k);
	gomem_kfree(l);
	ct->frees++;
	nm->frees++;
	tiny->frees++;
	mg->frees++;
	err += expect_reports(&snap_a, 6, 0, "the owners' frees");
	return err;
}

/* pointers gomem does not own, and pointers into objects */
static int __init test_foreign_and_interior(void)
{
	struct tc *nm = &tcs[T_200NM], *mg = &tcs[T_40];
	u8 *slub, *page, *p, *q, *l, *v, *vm;
	u64 onstack = 0;
	struct page *pg;
	int err = 0;

	if (!nm->c || !mg->c || snap_take(&snap_a))
		return 1;
	slub = kmalloc(64, GFP_KERNEL);
	pg = alloc_page(GFP_KERNEL);
	page = pg ? page_address(pg) : NULL;
	p = gomem_cache_alloc(nm->c, GFP_KERNEL);
	q = gomem_cache_alloc(mg->c, GFP_KERNEL);
	l = gomem_kmalloc(100000, GFP_KERNEL);
	v = gomem_kmalloc(5 << 20, GFP_KERNEL);
	vm = vmalloc(PAGE_SIZE);	/* page aligned, a guard page in front */
	if (!slub || !page || !p || !q || !l || !v || !vm) {
		err++;
		goto out;
	}
	nm->allocs++;
	mg->allocs++;
	gt_fill(p, nm->size, 1);
	gt_fill(q, mg->size, 2);
	gt_fill(l, 100000, 3);
	gt_fill(v + (5 << 20) - 4096, 4096, 4);
	err += EXPECT(!gomem_ksize(slub) && !gomem_ksize(page) && !gomem_ksize(&onstack) &&
		      !gomem_ksize(&total_tests) && !gomem_ksize(vm),
		      "ksize of memory gomem does not own");
	section("foreign");
	gomem_kfree(slub);			/* SLUB's */
	gomem_cache_free(mg->c, slub);
	gomem_kfree(page);			/* the page allocator's */
	gomem_cache_free(nm->c, page);
	gomem_kfree(&onstack);			/* a (vmapped) stack */
	gomem_cache_free(nm->c, &onstack);
	gomem_kfree(&total_tests);		/* module data */
	gomem_kfree(vm);			/* vmalloc's */
	err += EXPECT(!gomem_krealloc(slub, 100, GFP_KERNEL), "krealloc of SLUB memory");
	err += expect_reports(&snap_a, 9, 0, "frees of foreign pointers");
	section("interior");
	gomem_cache_free(nm->c, p + 8);		/* interior pointers */
	gomem_kfree(p + 1);
	gomem_cache_free(mg->c, q + 16);
	gomem_kfree(l + 8192);
	gomem_kfree(l + 100);
	gomem_kfree(v + 8);
	gomem_kfree(v + PAGE_SIZE);
	err += expect_reports(&snap_a, 16, 0, "frees of interior pointers");
	err += gt_check(p, nm->size, 1) + gt_check(q, mg->size, 2) + gt_check(l, 100000, 3);
	err += gt_check(v + (5 << 20) - 4096, 4096, 4);
	err += expect_row(&snap_b, nm->name, nm->allocs, nm->frees);
	err += expect_row(&snap_b, mg->name, mg->allocs, mg->frees);
	section("end");
	err += consistent(nm, p) + consistent(mg, q);
out:
	kfree(slub);
	vfree(vm);
	if (pg)
		__free_page(pg);
	if (p) {
		gomem_cache_free(nm->c, p);
		nm->frees++;
	}
	if (q) {
		gomem_cache_free(mg->c, q);
		mg->frees++;
	}
	gomem_kfree(l);
	gomem_kfree(v);
	return err;
}

/*
 * Double frees: the one SLUB's naive check also sees (the object just
 * freed on this CPU), and the one a span sees when the magazine reaches it
 * (free, shrink, free again, shrink: another live object keeps the span).
 * Each reported and counted once; the cache's counts stay true; the object
 * is never handed out twice.
 */
static int __init double_free_span(struct gomem_cache *c, const char *name, unsigned int size)
{
	struct tc t = { .name = name, .size = size, .c = c };
	void *a, *b;
	int err = 0;

	snap_take(&snap_a);
	migrate_disable();
	a = gomem_cache_alloc(c, GFP_KERNEL);
	b = gomem_cache_alloc(c, GFP_KERNEL);
	migrate_enable();
	if (!a || !b)
		return 1;
	gt_fill(b, size, 9);
	gomem_cache_free(c, a);
	gomem_cache_shrink(c);
	gomem_cache_free(c, a);		/* double free: reaches the span at the shrink */
	gomem_cache_shrink(c);
	err += expect_reports(&snap_a, 1, 1, "double free at the span");
	err += expect_row(&snap_b, name, 2, 1);
	err += gt_check(b, size, 9);
	err += consistent(&t, b);
	gomem_cache_free(c, b);
	gomem_cache_shrink(c);
	snap_take(&snap_b);
	err += expect_row(&snap_b, name, 2 + t.allocs, 2 + t.frees);
	return err;
}

static int __init test_double_free(void)
{
	struct tc *nm = &tcs[T_200NM], *tiny = &tcs[T_7N];
	struct gomem_cache *df, *dfm;
	void *a;
	int err = 0;

	if (!nm->c || !tiny->c)
		return 1;
	/* the last object freed on this CPU, freed again at once */
	section("double-immediate");
	snap_take(&snap_a);
	migrate_disable();
	a = gomem_cache_alloc(nm->c, GFP_KERNEL);
	if (a) {
		gomem_cache_free(nm->c, a);
		gomem_cache_free(nm->c, a);
	}
	migrate_enable();
	if (!a)
		return 1;
	nm->allocs++;
	nm->frees++;
	err += expect_reports(&snap_a, 1, 1, "immediate double free");
	err += expect_row(&snap_b, nm->name, nm->allocs, nm->frees);
	err += consistent(nm, NULL);

	/* a tiny object alone in its block, freed twice */
	section("double-tiny");
	gomem_cache_shrink(tiny->c);
	snap_take(&snap_a);
	migrate_disable();
	a = gomem_cache_alloc(tiny->c, GFP_KERNEL);
	if (a) {
		gomem_cache_shrink(tiny->c);	/* retire the block: a is alone in it */
		gomem_cache_free(tiny->c, a);
		gomem_cache_free(tiny->c, a);
	}
	migrate_enable();
	if (!a)
		return 1;
	tiny->allocs++;
	tiny->frees++;
	err += expect_reports(&snap_a, 1, 1, "double free of a tiny object");
	err += expect_row(&snap_b, tiny->name, tiny->allocs, tiny->frees);
	err += consistent(tiny, NULL);

	/* reaching the span: a private cache, then a merged one */
	df = gomem_cache_create("tgc_df", 64, 0, GOMEM_NO_MERGE, NULL);
	dfm = gomem_cache_create("tgc_dfm", 136, 0, 0, NULL);
	if (EXPECT(df && dfm, "cannot create caches")) {
		err++;
	} else {
		section("double-span-private");
		err += double_free_span(df, "tgc_df", 64);
		section("double-span-merged");
		err += double_free_span(dfm, "tgc_dfm", 136);
		section("end");
	}
	gomem_cache_destroy(df);	/* both empty: no report */
	gomem_cache_destroy(dfm);

	/* a large and a vmalloc'ed object freed twice */
	section("double-large");
	snap_take(&snap_a);
	a = gomem_kmalloc(100000, GFP_KERNEL);
	gomem_kfree(a);
	gomem_kfree(a);
	a = gomem_kmalloc(5 << 20, GFP_KERNEL);
	gomem_kfree(a);
	gomem_kfree(a);		/* its pages are unmapped: must not be read */
	err += expect_reports(&snap_a, 2, 0, "double free of a large and a vmalloc'ed object");
	section("end");
	return err;
}

/* gomem_kfree() of cache objects: allowed, and counted for their cache */
static int __init test_kfree_of_cache_objects(void)
{
	struct gomem_cache *m, *p;
	void *objs[2][50];
	unsigned int k;
	int err = 0;

	/*
	 * Both private: gomem_kfree() of a merged cache's object frees it but is
	 * not credited to the cache (Documentation/api.rst).
	 */
	m = gomem_cache_create("tgc_kfree_m", 88, 0, GOMEM_NO_MERGE | GOMEM_HWCACHE_ALIGN, NULL);
	p = gomem_cache_create("tgc_kfree_p", 88, 0, GOMEM_NO_MERGE, NULL);
	if (EXPECT(m && p, "cannot create caches")) {
		gomem_cache_destroy(m);
		gomem_cache_destroy(p);
		return 1;
	}
	snap_take(&snap_a);
	for (k = 0; k < 50; k++) {
		objs[0][k] = gomem_cache_alloc(m, GFP_KERNEL);
		objs[1][k] = gomem_cache_alloc(p, GFP_KERNEL);
		err += EXPECT(objs[0][k] && objs[1][k], "no memory");
	}
	for (k = 0; k < 50; k++) {
		gomem_kfree(objs[0][k]);
		gomem_kfree(objs[1][k]);
	}
	err += expect_reports(&snap_a, 0, 0, "gomem_kfree() of cache objects");
	err += expect_row(&snap_b, "tgc_kfree_m", 50, 50);
	err += expect_row(&snap_b, "tgc_kfree_p", 50, 50);
	gomem_cache_destroy(m);	/* empty: no report */
	gomem_cache_destroy(p);
	return err;
}

/* GOMEM_POISON: a write after free is reported when the object is reused */
static int __init test_poison(void)
{
	struct tc *t = &tcs[T_700P];
	u8 *p, *q;

	if (!t->c)
		return 1;
	section("poison");
	migrate_disable();
	p = gomem_cache_alloc(t->c, GFP_KERNEL);
	if (p) {
		gomem_cache_free(t->c, p);
		p[3] = 0x42;	/* the object sits in this CPU's magazine, poisoned */
	}
	q = gomem_cache_alloc(t->c, GFP_KERNEL);	/* the same object: reported */
	migrate_enable();
	if (!p || !q)
		return 1;
	t->allocs += 2;
	t->frees++;
	gomem_cache_free(t->c, q);
	t->frees++;
	section("end");
	return EXPECT(p == q, "the magazine did not hand the object back");
}

/* destroy with live objects: reported, kept and usable; destroyable once empty */
static int __init destroy_live(const char *name, unsigned int size, unsigned long flags,
			       unsigned int live)
{
	struct gomem_cache *c = gomem_cache_create(name, size, 0, flags, NULL);
	void *objs[4];
	unsigned int k;
	int err = 0;

	if (!c)
		return 1;
	for (k = 0; k < live; k++) {
		objs[k] = gomem_cache_alloc(c, GFP_KERNEL);
		if (!objs[k])
			return 1;
		gt_fill(objs[k], size, k);
	}
	gomem_cache_destroy(c);	/* "destroyed with N objects still allocated" */
	snap_take(&snap_b);
	err += EXPECT(cache_listed(&snap_b, name), "%s: gone after a refused destroy", name);
	err += expect_row(&snap_b, name, live, 0);
	for (k = 0; k < live; k++) {
		err += gt_check(objs[k], size, k);
		gomem_cache_free(c, objs[k]);
	}
	objs[0] = gomem_cache_alloc(c, GFP_KERNEL);	/* still a working cache */
	err += EXPECT(objs[0], "%s: unusable after a refused destroy", name);
	gomem_cache_free(c, objs[0]);
	gomem_cache_destroy(c);
	snap_take(&snap_b);
	err += EXPECT(!cache_listed(&snap_b, name), "%s: still listed after destroy", name);
	return err;
}

static int __init test_destroy_live(void)
{
	int err;

	section("destroy-live");
	err = destroy_live("tgc_live", 128, GOMEM_NO_MERGE, 3) +
	      destroy_live("tgc_live_m", 72, 0, 2);
	section("end");
	return err;
}

static int __init destroy_caches(void)
{
	int i, err = 0;

	for (i = 0; i < ARRAY_SIZE(tcs); i++) {
		if (!tcs[i].c)
			continue;
		gomem_cache_destroy(tcs[i].c);
		tcs[i].c = NULL;
	}
	rcu_barrier();
	if (snap_take(&snap_b))
		return 1;
	for (i = 0; i < ARRAY_SIZE(tcs); i++)
		err += EXPECT(!cache_listed(&snap_b, tcs[i].name), "%s: listed after destroy",
			      tcs[i].name);
	return err;
}

static void __init selftest(void)
{
	KSTM_CHECK_ZERO(create_caches());
	KSTM_CHECK_ZERO(test_proc_rows());
	KSTM_CHECK_ZERO(test_objects());
	KSTM_CHECK_ZERO(test_tiny_align());
	KSTM_CHECK_ZERO(test_ctors());
	KSTM_CHECK_ZERO(test_bulk());
	KSTM_CHECK_ZERO(test_zalloc());
	KSTM_CHECK_ZERO(test_nodes());
	KSTM_CHECK_ZERO(test_irq_context());
	KSTM_CHECK_ZERO(test_kmalloc_family());
	KSTM_CHECK_ZERO(test_noscan());
	KSTM_CHECK_ZERO(test_typesafe_rcu());
	KSTM_CHECK_ZERO(test_kfree_rcu());
	KSTM_CHECK_ZERO(test_bad_create());
	KSTM_CHECK_ZERO(test_null_cache());
	KSTM_CHECK_ZERO(test_wrong_cache());
	KSTM_CHECK_ZERO(test_foreign_and_interior());
	KSTM_CHECK_ZERO(test_double_free());
	KSTM_CHECK_ZERO(test_kfree_of_cache_objects());
	KSTM_CHECK_ZERO(test_poison());
	KSTM_CHECK_ZERO(test_destroy_live());
	KSTM_CHECK_ZERO(destroy_caches());
	vfree(snap_a.buf);
	vfree(snap_b.buf);
}

KSTM_MODULE_LOADERS(test_gomem_cache);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kselftest: gomem's cache API, merging, misuse and /proc/gomem rows");
