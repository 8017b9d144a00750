// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest module: gomem's cache API as a client module uses it.
 *
 * Kernel-only cases first, on 29 caches of 1 B to 32 KiB, alignments 0 to
 * 4096, every flag and constructors:
 *  - what /proc/gomem says about each cache (read from here): span class,
 *    slot size, merged_with (merged caches share the class kmalloc uses for
 *    their size; constructor, no-merge, typesafe-by-RCU and poison caches are
 *    private), flags, per-cache allocs/frees/active_objects;
 *  - every object of every cache aligned as requested and as /proc/gomem
 *    says, with its usable size, distinct, patterns intact;
 *  - the node API (every node with memory, from every CPU), hardirq context;
 *  - typesafe-by-RCU: a freed object whose span was emptied stays memory of
 *    its cache while a reader on another CPU holds RCU.
 *
 * Then the common suite, selftests/common/api_tests.h, which the host runs
 * too (selftests/host/test_api.c): the kmalloc family, krealloc, noscan and
 * tiny packing, caches, constructors, bulk, zeroing, gomem_kfree_rcu(),
 * typesafe-by-RCU, poison, and every misuse: refused, counted in
 * /proc/gomem exactly, and reported in the kernel log sections that
 * selftests/guest/tests/40-caches checks (misuse: NAME).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/irq_work.h>
#include <linux/rcupdate.h>
#include <linux/fs.h>
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

static int snap_take(struct snap *s)
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

/*
 * What /proc/gomem shows of the caches: object size, alignment, span class
 * and slot, flags, constructor, merging. A merged cache uses the class that
 * gomem_kmalloc() of its size uses (when its alignment asks for no more)
 * and names the first cache on that class, or kmalloc-SLOT; tiny caches
 * share the tiny blocks' class; private caches say -private.
 */
/*
 * Cache names are escaped in /proc/gomem (whitespace, backslash and '=' as
 * octal, as /proc/slabinfo's users expect of seq_escape()): a name with a
 * space or a newline must not break the record format, and a second cache
 * merged with it names it escaped too.
 */
static int __init test_proc_escaped_names(void)
{
	static const char name[] = "tgc esc\\tab\tname=1\n";
	static const char want[] = "cache name=tgc\\040esc\\134tab\\011name\\0751\\012 object_size=";
	static const char merged[] = " merged_with=tgc\\040esc\\134tab\\011name\\0751\\012 ";
	struct gomem_cache *c, *c2;
	const char *line;
	int err = 0;

	c = gomem_cache_create(name, 424, 0, 0, NULL);
	c2 = gomem_cache_create("tgc_esc_peer", 424, 0, 0, NULL);
	if (EXPECT(c && c2, "cannot create the caches"))
		goto out;
	if (snap_take(&snap_b)) {
		err++;
		goto out;
	}
	line = strstr(snap_b.buf, want);
	err += EXPECT(line && (line == snap_b.buf || line[-1] == '\n'),
		      "no escaped row for a cache named with a space, a tab, '=' and a newline");
	/* unescaped, the name's newline would start a line with " object_size=" */
	err += EXPECT(!strstr(snap_b.buf, "\n "), "the name broke a record");
	line = snap_line(&snap_b, "cache name=tgc_esc_peer");
	err += EXPECT(line && strstr(line, merged), "the merged cache does not name it escaped");
out:
	gomem_cache_destroy(c2);
	gomem_cache_destroy(c);
	return err;
}

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
			ok = tc_tiny(t) || tc_private(t) ? ks == t->size : ks >= t->size;
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
	/*
	 * On PREEMPT_RT an irq_work runs in its thread: no allocator may be
	 * called from hard interrupt context there (SLUB neither).
	 */
	err += EXPECT(it->in_hardirq != IS_ENABLED(CONFIG_PREEMPT_RT),
		      "irq_work ran in the wrong context (hardirq: %d)", it->in_hardirq);
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

/* ---------------- typesafe-by-RCU, a reader on another CPU ---------------- */

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

/* ---------------- the common API suite (selftests/common/api_tests.h) ---------------- */

struct api_ctx {
	unsigned int failures;
};

#define API_CTX		struct api_ctx
#define API_ARGS	struct api_ctx *_api
#define API_PASS	_api
#define API_FAIL(fmt, ...) do {						\
	if (++_api->failures <= 50)					\
		pr_err(fmt "\n", ##__VA_ARGS__);			\
} while (0)

#define API_NOTE(fmt, ...)	pr_info(fmt "\n", ##__VA_ARGS__)

#include "api_tests.h"

static struct snap snap_c;
static unsigned int api_proc_errors;	/* /proc/gomem unreadable: a failure */

static void api_pin(void)
{
	migrate_disable();
}

static void api_unpin(void)
{
	migrate_enable();
}

/* the reports go to the kernel log: 40-caches checks them */
static void api_quiet(bool on)
{
}

/* misuse sections of the kernel log, for 40-caches */
static void api_section(const char *name)
{
	pr_info("misuse: %s\n", name);
}

static unsigned long api_total(const char *key)
{
	unsigned long long v;

	if (gomem_proc_get(snap_c.buf, "total", key, &v)) {
		api_proc_errors++;
		pr_err("/proc/gomem: no total %s\n", key);
		return 0;
	}
	return v;
}

static void api_counts(struct api_counts *c)
{
	memset(c, 0, sizeof(*c));
	if (snap_take(&snap_c)) {
		api_proc_errors++;
		return;
	}
	c->bad_frees = api_total("bad_frees");
	c->double_frees = api_total("double_frees");
	c->small_inuse = api_total("small_objects_inuse");
	c->large_inuse = api_total("large_objects_inuse");
	c->vmalloc_inuse = api_total("vmalloc_allocs") - api_total("vmalloc_frees");
	c->tiny_inuse = api_total("tiny_allocs") - api_total("tiny_frees");
}

/* a numeric field of a cache's row; a failure when it is missing */
static unsigned long api_row_num(const char *rec, const char *key)
{
	unsigned long long v;

	if (gomem_proc_u64(rec, key, &v)) {
		api_proc_errors++;
		pr_err("/proc/gomem: no %s in a cache row\n", key);
		return 0;
	}
	return v;
}

static void api_cache_stat(const char *name, struct api_cache_stat *s)
{
	char sel[80], val[32];
	const char *rec;

	memset(s, 0, sizeof(*s));
	if (snap_take(&snap_c)) {
		api_proc_errors++;
		return;
	}
	snprintf(sel, sizeof(sel), "cache name=%s", name);
	rec = gomem_proc_find(snap_c.buf, sel);
	if (!rec)
		return;
	s->listed = true;
	s->allocs = api_row_num(rec, "allocs");
	s->frees = api_row_num(rec, "frees");
	s->active = api_row_num(rec, "active_objects");
	s->spans = -1;
	if (!gomem_proc_str(rec, "spans", val, sizeof(val)) && strcmp(val, "-"))
		s->spans = api_row_num(rec, "spans");
	s->per_span = api_row_num(rec, "objects_per_span");
	s->span_bytes = api_row_num(rec, "span_bytes");
}

/* a number in SLUB's sysfs directory of cache @cache: /sys/kernel/slab/@cache/@key */
static bool api_slub_attr(const char *cache, const char *key, unsigned int *v)
{
	char path[96], buf[32] = "";
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/%s", cache, key);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return false;
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	return n > 0 && !kstrtouint(strim(buf), 10, v);
}

/*
 * SLUB's own cache of the same parameters, made and destroyed: its slot
 * and slab, as /sys/kernel/slab shows them. A usercopy region keeps SLUB
 * from merging it into another cache (whose slab it would report).
 */
static bool api_slub_geometry(const char *name, unsigned int size, unsigned int align,
			      unsigned long flags, void (*ctor)(void *), struct api_slub *out)
{
	unsigned int order = 0, slot = 0, objs = 0;
	slab_flags_t sf = 0;
	struct kmem_cache *s;
	char sname[64];
	bool ok;

	if (flags & GOMEM_TYPESAFE_BY_RCU)
		sf |= SLAB_TYPESAFE_BY_RCU;
	if (flags & GOMEM_HWCACHE_ALIGN)
		sf |= SLAB_HWCACHE_ALIGN;
	if (flags & GOMEM_POISON)
		sf |= SLAB_POISON;
	snprintf(sname, sizeof(sname), "slub_%s", name);
	s = kmem_cache_create_usercopy(sname, size, align, sf, 0, size, ctor);
	if (!s)
		return false;
	ok = api_slub_attr(sname, "order", &order) && api_slub_attr(sname, "slab_size", &slot) &&
	     api_slub_attr(sname, "objs_per_slab", &objs);
	kmem_cache_destroy(s);
	if (!ok) {
		pr_err("%s: no /sys/kernel/slab/%s/{order,slab_size,objs_per_slab}\n", name, sname);
		memset(out, 0, sizeof(*out));
		return true;	/* accepted; the figures' absence fails the case */
	}
	out->size = slot;
	out->objects = objs;
	out->slab_bytes = PAGE_SIZE << order;
	return true;
}

static u64 api_module_data[4];
static void *api_slub, *api_vm;
static struct page *api_page;

/* SLUB's, the page allocator's, module data, vmalloc's */
static int api_foreign(void **p, int max)
{
	api_slub = kmalloc(64, GFP_KERNEL);
	api_page = alloc_page(GFP_KERNEL);
	api_vm = vmalloc(PAGE_SIZE);	/* page aligned, a guard page in front */
	if (!api_slub || !api_page || !api_vm || max < 4) {
		api_foreign_put();
		return 0;
	}
	p[0] = api_slub;
	p[1] = page_address(api_page);
	p[2] = api_module_data;
	p[3] = api_vm;
	return 4;
}

static void api_foreign_put(void)
{
	kfree(api_slub);
	vfree(api_vm);
	if (api_page)
		__free_page(api_page);
	api_slub = NULL;
	api_vm = NULL;
	api_page = NULL;
}

static int __init api_run(const struct api_test *t)
{
	struct api_ctx ctx = { 0 };

	api_proc_errors = 0;
	t->fn(&ctx);
	ctx.failures += api_proc_errors;
	if (ctx.failures)
		pr_err("common test %s: %u failure(s)\n", t->name, ctx.failures);
	return ctx.failures;
}

static void __init selftest(void)
{
	unsigned int i;

	KSTM_CHECK_ZERO(create_caches());
	KSTM_CHECK_ZERO(test_proc_rows());
	KSTM_CHECK_ZERO(test_proc_escaped_names());
	KSTM_CHECK_ZERO(test_objects());
	KSTM_CHECK_ZERO(test_nodes());
	KSTM_CHECK_ZERO(test_irq_context());
	KSTM_CHECK_ZERO(test_typesafe_rcu());
	KSTM_CHECK_ZERO(destroy_caches());
	/* the common suite, on caches of its own */
	for (i = 0; i < ARRAY_SIZE(api_tests); i++)
		KSTM_CHECK_ZERO(api_run(&api_tests[i]));
	vfree(snap_a.buf);
	vfree(snap_b.buf);
	vfree(snap_c.buf);
}

KSTM_MODULE_LOADERS(test_gomem_cache);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kselftest: gomem's cache API, merging, misuse and /proc/gomem rows");
