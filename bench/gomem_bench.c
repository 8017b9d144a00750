// SPDX-License-Identifier: GPL-2.0
/*
 * gomem_bench: the same workloads through gomem and through SLUB, in one
 * boot, for Documentation/benchmarks.rst and scripts/bench.sh.
 *
 * Workloads (module parameter run=, a comma-separated list, or "all"):
 *
 *   pair    alloc+free pairs with hot reuse, 8 B .. 4 KiB: a dedicated
 *           cache (gomem_cache_* / kmem_cache_*) and the kmalloc family
 *           (constant sizes, as callers write them)
 *   nn      allocate N, then free N (FIFO), N = 100, 10,000, 1,000,000
 *           (at most nn_max), 256 B, both APIs: refill, flush and
 *           page-heap paths; in steady state (after a warm-up round) and
 *           as "nn_cold", every round starting with both allocators
 *           shrunk
 *   mixed   kmalloc sizes from a kernel-like histogram with lifetimes (three
 *           tables of live objects, replaced at random: short, medium and
 *           long lives), from a fixed-seed PRNG: both allocators see the
 *           same sequence
 *   mem     the mixed generator with a large live set: memory taken from
 *           the page allocator per byte requested at the peak, after 90 %
 *           of the objects are freed, and after all are freed
 *   bulk    *_alloc_bulk() + *_free_bulk() of 1 .. 256 objects of 64 B .. 4 KiB
 *   large   alloc+free pairs of 64 KiB .. 4 MiB
 *   debug   alloc+free pairs, 256 B, of debug caches: gomem's with
 *           GOMEM_DEBUG_FLAGS (FZPU), SLUB's "bench_slub_dbg", which the
 *           kernel command line must make FZPU (slub_debug=FZPU,
 *           bench_slub_dbg: scripts/bench.sh; without it the figure is
 *           not emitted)
 *   tiny    short strings: gomem_kmalloc_noscan() (tiny-packed) against
 *           gomem_kmalloc() (and kmalloc() for reference): span-layer
 *           allocations and heap bytes, from /proc/gomem
 *   xcpu    objects allocated on one CPU and freed on another (a ring);
 *           also across NUMA nodes when there are two ("xnode"); besides
 *           the wall time, the mean cost of the producer's allocations and
 *           of the consumer's frees (calls stretched 50-fold by a host
 *           preemption left out)
 *   churn   every online CPU churns mixed sizes at once
 *
 * Timing: rdtsc_ordered() around each operation or phase. Under QEMU with
 * -icount shift=0,sleep=off and one CPU the TSC advances once per guest
 * instruction, so the figures are instruction counts (units=instr);
 * otherwise they are TSC ticks (units=tsc), good for ratios only. Each
 * measurement is also run with a null allocator (returns a static buffer,
 * frees nothing) through the same harness; its cost is subtracted, so a
 * figure is what the allocator call costs its caller. Single-CPU figures
 * are medians over rounds; multi-CPU ones (xcpu, churn) are wall-clock
 * nanoseconds per object, one line per round, gomem and SLUB back to back
 * (alternating which goes first).
 *
 * Memory: free pages, exactly (buddy free pages plus every CPU's per-CPU
 * page lists), before and during each allocator's run, both allocators
 * shrunk (gomem_cache_shrink(), kmem_cache_shrink() of every kmalloc cache)
 * before each reading but the peak one.
 *
 * Output: one line per figure in /sys/kernel/debug/gomem_bench/results,
 *   bench name=pair api=cache size=256 n=2000 alloc=gomem round=- \
 *         metric=pair unit=instr value=87.0
 * Everything runs in module init; the results stay readable until rmmod.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/vmstat.h>
#include <linux/sort.h>
#include <linux/ktime.h>
#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/cpumask.h>
#include <linux/topology.h>
#include <linux/string.h>
#include <linux/sizes.h>
#include <asm/msr.h>
#include <gomem.h>
#include "bench_workload.h"
#include "proc_parse.h"

static char *run = "all";
module_param(run, charp, 0444);
MODULE_PARM_DESC(run, "workloads: all, or a comma-separated list of pair,nn,mixed,mem,bulk,large,tiny,xcpu,churn,debug");
static char *units = "tsc";
module_param(units, charp, 0444);
MODULE_PARM_DESC(units, "what a TSC tick is: instr (QEMU -icount shift=0) or tsc");
static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "rounds per measurement (medians are taken) (5)");
static unsigned long nn_max = 1000000;
module_param(nn_max, ulong, 0444);
MODULE_PARM_DESC(nn_max, "largest N for allocate-N-then-free-N (1000000)");
static unsigned int nn_big_rounds = 3;
module_param(nn_big_rounds, uint, 0444);
MODULE_PARM_DESC(nn_big_rounds, "rounds for N > 10000 (3)");
static unsigned int scale = 100;
module_param(scale, uint, 0444);
MODULE_PARM_DESC(scale, "percent of the default operation counts (100)");

enum { A_GOMEM, A_SLUB, A_NULL, NR_A };
static const char * const alloc_name[NR_A] = { "gomem", "slub", "null" };
enum { API_KMALLOC, API_CACHE, API_NOSCAN };

#define OUT_SIZE	SZ_1M
#define PROCBUF_SIZE	SZ_256K
#define MAX_ROUNDS	32

static char *out;
static size_t out_len;
static char *procbuf;
static struct dentry *bench_dir;
static char bench_dummy[64] __aligned(64);
static struct gomem_cache *shrink_handle;	/* any gomem cache, for gomem_cache_shrink() */
/* per-round figures of the measurement running (one at a time, from init) */
static s64 va[NR_A][MAX_ROUNDS], vf[NR_A][MAX_ROUNDS], vm[NR_A][MAX_ROUNDS];

/* ---- output ---- */

static __printf(1, 2) void out_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_len += vscnprintf(out + out_len, OUT_SIZE - out_len, fmt, ap);
	va_end(ap);
}

/* one figure; @v10 is the value times ten (one decimal) */
static void emit(const char *name, const char *api, unsigned long size, unsigned long n,
		 int a, int round, const char *metric, const char *unit, s64 v10)
{
	char sz[24], rd[12];
	u64 m = abs(v10);

	if (size)
		snprintf(sz, sizeof(sz), "%lu", size);
	else
		strscpy(sz, "mixed", sizeof(sz));
	if (round >= 0)
		snprintf(rd, sizeof(rd), "%d", round);
	else
		strscpy(rd, "-", sizeof(rd));
	out_printf("bench name=%s api=%s size=%s n=%lu alloc=%s round=%s ",
		   name, api, sz, n, a >= 0 ? alloc_name[a] : "-", rd);
	out_printf("metric=%s unit=%s value=%s%llu.%llu\n",
		   metric, unit, v10 < 0 ? "-" : "", m / 10, m % 10);
}

static void emit_error(const char *name, const char *api, unsigned long size, int a, int err)
{
	out_printf("bench name=%s api=%s size=%lu n=0 alloc=%s round=- ",
		   name, api, size, alloc_name[a]);
	out_printf("metric=error unit=errno value=%d\n", err);
	pr_warn("gomem_bench: %s/%s size %lu (%s) failed: %d\n", name, api, size,
		alloc_name[a], err);
}

static bool want(const char *name)
{
	const char *p = run;
	size_t len = strlen(name);

	if (!strcmp(run, "all"))
		return true;
	while ((p = strstr(p, name))) {
		if ((p == run || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/* ---- small helpers ---- */

static __always_inline u64 tsc(void)
{
	return rdtsc_ordered();
}

static int cmp_s64(const void *a, const void *b)
{
	s64 x = *(const s64 *)a, y = *(const s64 *)b;

	return x < y ? -1 : x > y;
}

static s64 median(const s64 *v, unsigned int n)
{
	s64 tmp[MAX_ROUNDS];

	if (!n)
		return 0;
	memcpy(tmp, v, n * sizeof(*v));
	sort(tmp, n, sizeof(*tmp), cmp_s64, NULL);
	return n & 1 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static unsigned int nrounds(unsigned int want_rounds)
{
	return clamp(want_rounds, 1U, (unsigned int)MAX_ROUNDS);
}

static unsigned long scaled(unsigned long n)
{
	return max(1UL, n * scale / 100);
}

/* ---- the allocators, selected at compile time inside timed loops ---- */

static __always_inline void *do_alloc(const int a, const int api, void *cache, size_t size)
{
	void *p;

	if (a == A_NULL) {
		p = bench_dummy;
		OPTIMIZER_HIDE_VAR(p);
		return p;
	}
	if (api == API_CACHE)
		return a == A_GOMEM ? gomem_cache_alloc(cache, GFP_KERNEL) :
				      kmem_cache_alloc(cache, GFP_KERNEL);
	if (api == API_NOSCAN && a == A_GOMEM)
		return gomem_kmalloc_noscan(size, GFP_KERNEL);
	return a == A_GOMEM ? gomem_kmalloc(size, GFP_KERNEL) : kmalloc(size, GFP_KERNEL);
}

static __always_inline void do_free(const int a, const int api, void *cache, void *p)
{
	if (a == A_NULL) {
		barrier();
		return;
	}
	if (api == API_CACHE) {
		if (a == A_GOMEM)
			gomem_cache_free(cache, p);
		else
			kmem_cache_free(cache, p);
		return;
	}
	if (a == A_GOMEM)
		gomem_kfree(p);
	else
		kfree(p);
}

/* the same, chosen at run time (multi-CPU workloads: wall-clock timing) */
static void *rt_alloc(int a, size_t size)
{
	return a == A_GOMEM ? gomem_kmalloc(size, GFP_KERNEL) : kmalloc(size, GFP_KERNEL);
}

static void rt_free(int a, void *p)
{
	if (a == A_GOMEM)
		gomem_kfree(p);
	else
		kfree(p);
}

/* ---- memory accounting ---- */

/* free pages, exactly: the buddy lists plus every CPU's per-CPU lists */
static long bench_free_pages(void)
{
	long total = 0;
	int nid, z, cpu;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			total += zone_page_state_snapshot(zone, NR_FREE_PAGES);
			for_each_online_cpu(cpu)
				total += READ_ONCE(per_cpu_ptr(zone->per_cpu_pageset, cpu)->count);
		}
	}
	return total;
}

static long slab_bytes(void)
{
	return global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) << PAGE_SHIFT;
}

static void shrink_slub(void)
{
	int i;

	for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
		if (kmalloc_caches[KMALLOC_NORMAL][i])
			kmem_cache_shrink(kmalloc_caches[KMALLOC_NORMAL][i]);
}

static void shrink_both(void)
{
	if (shrink_handle)
		gomem_cache_shrink(shrink_handle);
	shrink_slub();
}

struct gomem_totals {
	unsigned long held_bytes, inuse_bytes, small_allocs, small_bytes_inuse;
	unsigned long tiny_allocs, tiny_blocks;
};

/* a field of the "total" record, 0 when it is missing */
static unsigned long total_field(const char *rec, const char *key)
{
	unsigned long long v;

	return gomem_proc_u64(rec, key, &v) ? 0 : v;
}

/* the "total" record of /proc/gomem (parsed by selftests/common/proc_parse.h) */
static int gomem_totals(struct gomem_totals *t)
{
	const char *rec;
	ssize_t n;

	memset(t, 0, sizeof(*t));
	n = gomem_proc_read(procbuf, PROCBUF_SIZE);
	if (n < 0)
		return n;
	rec = gomem_proc_find(procbuf, "total");
	if (!rec)
		return -EINVAL;
	t->held_bytes = total_field(rec, "held_bytes");
	t->inuse_bytes = total_field(rec, "inuse_bytes");
	t->small_allocs = total_field(rec, "small_allocs");
	t->small_bytes_inuse = total_field(rec, "small_bytes_inuse");
	t->tiny_allocs = total_field(rec, "tiny_allocs");
	t->tiny_blocks = total_field(rec, "tiny_blocks");
	return 0;
}

/* ---- calibration: what an empty timed region costs ---- */

static u64 tsc_empty;

static void calibrate(void)
{
	s64 v[MAX_ROUNDS];
	unsigned int r, i;
	u64 t0, t1, best;

	for (r = 0; r < 9; r++) {
		best = U64_MAX;
		for (i = 0; i < 1000; i++) {
			t0 = tsc();
			barrier();
			t1 = tsc();
			best = min(best, t1 - t0);
		}
		v[r] = best;
	}
	tsc_empty = median(v, 9);
}

/* ---- (a) alloc+free pairs, hot reuse; (g) large objects ---- */

struct pair_res {
	u64 alloc, free, min;	/* sums over the iterations; cheapest pair */
};

/*
 * Live objects of the class being measured, not timed, so that the loop's
 * one object never leaves its span or slab empty (a span or slab going
 * empty and being reused on every pair is not the fast path).
 */
#define PAIR_BALLAST	16

static __always_inline int pair_body(const int a, const int api, void *cache, const size_t size,
				     unsigned int warm, unsigned int iters, struct pair_res *r)
{
	u64 t0, t1, t2, sa = 0, sf = 0, mn = U64_MAX;
	void *ballast[PAIR_BALLAST];
	unsigned int i, nb = 0;
	int err = 0;
	void *p;

	for (; nb < PAIR_BALLAST && a != A_NULL && size <= PAGE_SIZE; nb++) {
		ballast[nb] = do_alloc(a, api, cache, size);
		if (!ballast[nb]) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < warm; i++) {
		p = do_alloc(a, api, cache, size);
		if (unlikely(!p)) {
			err = -ENOMEM;
			goto out;
		}
		do_free(a, api, cache, p);
	}
	for (i = 0; i < iters; i++) {
		t0 = tsc();
		p = do_alloc(a, api, cache, size);
		t1 = tsc();
		if (unlikely(!p)) {
			err = -ENOMEM;
			goto out;
		}
		do_free(a, api, cache, p);
		t2 = tsc();
		sa += t1 - t0;
		sf += t2 - t1;
		mn = min(mn, t2 - t0);
	}
	r->alloc = sa;
	r->free = sf;
	r->min = mn;
out:
	while (nb)
		do_free(a, api, cache, ballast[--nb]);
	return err;
}

#define PAIR_WARM	256
#define PAIR_ITERS	2000

typedef int (*pair_fn)(int a, void *cache, size_t size, unsigned int warm, unsigned int iters,
		       struct pair_res *r);

#define DEFINE_PAIR_KMALLOC(sz)							\
static noinline int pair_kmalloc_##sz(int a, void *cache, size_t size,		\
				      unsigned int warm, unsigned int iters,	\
				      struct pair_res *r)			\
{										\
	if (a == A_GOMEM)							\
		return pair_body(A_GOMEM, API_KMALLOC, NULL, sz, warm, iters, r); \
	if (a == A_SLUB)							\
		return pair_body(A_SLUB, API_KMALLOC, NULL, sz, warm, iters, r); \
	return pair_body(A_NULL, API_KMALLOC, NULL, sz, warm, iters, r);	\
}

DEFINE_PAIR_KMALLOC(8)
DEFINE_PAIR_KMALLOC(16)
DEFINE_PAIR_KMALLOC(32)
DEFINE_PAIR_KMALLOC(64)
DEFINE_PAIR_KMALLOC(128)
DEFINE_PAIR_KMALLOC(256)
DEFINE_PAIR_KMALLOC(512)
DEFINE_PAIR_KMALLOC(1024)
DEFINE_PAIR_KMALLOC(2048)
DEFINE_PAIR_KMALLOC(4096)

static const struct {
	unsigned int size;
	pair_fn fn;
} pair_sizes[] = {
	{ 8, pair_kmalloc_8 }, { 16, pair_kmalloc_16 }, { 32, pair_kmalloc_32 },
	{ 64, pair_kmalloc_64 }, { 128, pair_kmalloc_128 }, { 256, pair_kmalloc_256 },
	{ 512, pair_kmalloc_512 }, { 1024, pair_kmalloc_1024 }, { 2048, pair_kmalloc_2048 },
	{ 4096, pair_kmalloc_4096 },
};

/* a dedicated cache: the size is the cache's */
static noinline int pair_cache(int a, void *cache, size_t size, unsigned int warm,
			       unsigned int iters, struct pair_res *r)
{
	if (a == A_GOMEM)
		return pair_body(A_GOMEM, API_CACHE, cache, 0, warm, iters, r);
	if (a == A_SLUB)
		return pair_body(A_SLUB, API_CACHE, cache, 0, warm, iters, r);
	return pair_body(A_NULL, API_CACHE, NULL, 0, warm, iters, r);
}

/* the kmalloc family with a size known only at run time (large objects) */
static noinline int pair_kmalloc_var(int a, void *cache, size_t size, unsigned int warm,
				     unsigned int iters, struct pair_res *r)
{
	if (a == A_GOMEM)
		return pair_body(A_GOMEM, API_KMALLOC, NULL, size, warm, iters, r);
	if (a == A_SLUB)
		return pair_body(A_SLUB, API_KMALLOC, NULL, size, warm, iters, r);
	return pair_body(A_NULL, API_KMALLOC, NULL, size, warm, iters, r);
}

/*
 * Runs one pair measurement for both allocators and the null one, @nr
 * rounds, and emits medians: alloc, free and pair per operation, and the
 * cheapest pair seen (the fast path, exactly, under icount).
 */
static void pair_measure(const char *name, const char *api, pair_fn fn, void *gcache,
			 void *scache, size_t size, unsigned int warm, unsigned int iters,
			 unsigned int nr)
{
	s64 ma[NR_A], mf[NR_A], mm[NR_A];
	static const int order[2][NR_A] = {
		{ A_GOMEM, A_SLUB, A_NULL }, { A_SLUB, A_GOMEM, A_NULL },
	};
	struct pair_res r;
	unsigned int rd, k;
	int a, err;

	for (rd = 0; rd < nr; rd++) {
		for (k = 0; k < NR_A; k++) {
			a = order[rd & 1][k];
			err = fn(a, a == A_GOMEM ? gcache : scache, size, warm, iters, &r);
			if (err) {
				emit_error(name, api, size, a, err);
				return;
			}
			va[a][rd] = div64_u64(r.alloc * 10, iters);
			vf[a][rd] = div64_u64(r.free * 10, iters);
			vm[a][rd] = r.min * 10;
		}
		cond_resched();
	}
	for (a = 0; a < NR_A; a++) {
		ma[a] = median(va[a], nr);
		mf[a] = median(vf[a], nr);
		mm[a] = median(vm[a], nr);
	}
	for (a = A_GOMEM; a <= A_SLUB; a++) {
		emit(name, api, size, iters, a, -1, "alloc", units, ma[a] - ma[A_NULL]);
		emit(name, api, size, iters, a, -1, "free", units, mf[a] - mf[A_NULL]);
		emit(name, api, size, iters, a, -1, "pair", units,
		     ma[a] + mf[a] - ma[A_NULL] - mf[A_NULL]);
		emit(name, api, size, iters, a, -1, "pair_min", units, mm[a] - mm[A_NULL]);
	}
}

static struct gomem_cache *gcaches[ARRAY_SIZE(pair_sizes)];
static struct kmem_cache *scaches[ARRAY_SIZE(pair_sizes)];
static char cache_names[2][ARRAY_SIZE(pair_sizes)][24];

static int caches_create(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pair_sizes); i++) {
		snprintf(cache_names[0][i], 24, "bench_gomem_%u", pair_sizes[i].size);
		snprintf(cache_names[1][i], 24, "bench_slub_%u", pair_sizes[i].size);
		gcaches[i] = gomem_cache_create(cache_names[0][i], pair_sizes[i].size, 0, 0, NULL);
		scaches[i] = kmem_cache_create(cache_names[1][i], pair_sizes[i].size, 0, 0, NULL);
		if (!gcaches[i] || !scaches[i])
			return -ENOMEM;
	}
	shrink_handle = gcaches[0];
	return 0;
}

static void caches_destroy(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pair_sizes); i++) {
		gomem_cache_destroy(gcaches[i]);
		kmem_cache_destroy(scaches[i]);
	}
}

static int cache_index(unsigned int size)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pair_sizes); i++)
		if (pair_sizes[i].size == size)
			return i;
	return -1;
}

static void bench_pair(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pair_sizes); i++) {
		pair_measure("pair", "cache", pair_cache, gcaches[i], scaches[i],
			     pair_sizes[i].size, PAIR_WARM, PAIR_ITERS, nrounds(rounds));
		pair_measure("pair", "kmalloc", pair_sizes[i].fn, NULL, NULL,
			     pair_sizes[i].size, PAIR_WARM, PAIR_ITERS, nrounds(rounds));
	}
}

static void bench_large(void)
{
	size_t size;
	unsigned int iters;

	for (size = 64 << 10; size <= (4 << 20); size <<= 1) {
		iters = max_t(unsigned int, 4, 64 / (size >> 16));
		pair_measure("large", "kmalloc", pair_kmalloc_var, NULL, NULL, size, 2, iters,
			     nrounds(rounds));
	}
}

/*
 * Whether slub_debug= gave SLUB's cache red zones: the 8 bytes after a
 * live object are SLUB_RED_ACTIVE then (struct kmem_cache is SLUB's own
 * in 6.1). Reads past the object, inside the slab; never on a KASAN kernel.
 */
static bool slub_red_zoned(struct kmem_cache *s, unsigned int size)
{
	u8 *p = kmem_cache_alloc(s, GFP_KERNEL);
	bool red;

	if (!p)
		return false;
	red = !memchr_inv(p + size, SLUB_RED_ACTIVE, 8);
	kmem_cache_free(s, p);
	return red;
}

/* the pair on debug caches, both with red zones, poison, owners, checks */
static void bench_debug(void)
{
	struct gomem_cache *g;
	struct kmem_cache *s;

	g = gomem_cache_create("bench_gomem_dbg", 256, 0, GOMEM_DEBUG_FLAGS, NULL);
	s = kmem_cache_create("bench_slub_dbg", 256, 0, 0, NULL);
	if (!g || !s)
		emit_error("debugpair", "cache", 256, A_GOMEM, -ENOMEM);
	else if (IS_ENABLED(CONFIG_KASAN) || !slub_red_zoned(s, 256))
		emit_error("debugpair", "cache", 256, A_SLUB, -EINVAL);	/* no slub_debug= */
	else
		pair_measure("debugpair", "cache", pair_cache, g, s, 256, PAIR_WARM,
			     PAIR_ITERS / 10, nrounds(rounds));
	gomem_cache_destroy(g);
	kmem_cache_destroy(s);
}

/* ---- (b) allocate N, then free N ---- */

#define NN_SIZE		256

static __always_inline int nn_body(const int a, const int api, void *cache, const size_t size,
				   void **ptrs, unsigned long n, u64 *ta, u64 *tf)
{
	unsigned long i;
	u64 t0, t1, t2;
	int err = 0;

	t0 = tsc();
	for (i = 0; i < n; i++) {
		ptrs[i] = do_alloc(a, api, cache, size);
		if (unlikely(!ptrs[i])) {
			err = -ENOMEM;
			n = i;
			break;
		}
		if (unlikely(!(i & 8191)))
			cond_resched();
	}
	t1 = tsc();
	for (i = 0; i < n; i++) {
		do_free(a, api, cache, ptrs[i]);
		if (unlikely(!(i & 8191)))
			cond_resched();
	}
	t2 = tsc();
	*ta = t1 - t0;
	*tf = t2 - t1;
	return err;
}

typedef int (*nn_fn)(int a, void *cache, void **ptrs, unsigned long n, u64 *ta, u64 *tf);

static noinline int nn_kmalloc(int a, void *cache, void **ptrs, unsigned long n, u64 *ta,
			       u64 *tf)
{
	if (a == A_GOMEM)
		return nn_body(A_GOMEM, API_KMALLOC, NULL, NN_SIZE, ptrs, n, ta, tf);
	if (a == A_SLUB)
		return nn_body(A_SLUB, API_KMALLOC, NULL, NN_SIZE, ptrs, n, ta, tf);
	return nn_body(A_NULL, API_KMALLOC, NULL, NN_SIZE, ptrs, n, ta, tf);
}

static noinline int nn_cache(int a, void *cache, void **ptrs, unsigned long n, u64 *ta,
			     u64 *tf)
{
	if (a == A_GOMEM)
		return nn_body(A_GOMEM, API_CACHE, cache, 0, ptrs, n, ta, tf);
	if (a == A_SLUB)
		return nn_body(A_SLUB, API_CACHE, cache, 0, ptrs, n, ta, tf);
	return nn_body(A_NULL, API_CACHE, NULL, 0, ptrs, n, ta, tf);
}

/*
 * @cold: both allocators are shrunk before every round (each round starts
 * from the page allocator); else a first, untimed round warms them up and
 * the rounds follow one another without a shrink (steady state).
 */
static void nn_measure(const char *name, const char *api, nn_fn fn, void *gcache,
		       void *scache, void **ptrs, unsigned long n, unsigned int nr, bool cold)
{
	s64 ma[NR_A], mf[NR_A];
	unsigned int rd, k;
	u64 ta, tf;
	int a, err;

	shrink_both();
	for (rd = 0; rd < nr + !cold; rd++) {
		for (k = 0; k < NR_A; k++) {
			a = (rd & 1) && k < 2 ? 1 - k : k;	/* alternate who goes first */
			if (cold)
				shrink_both();
			err = fn(a, a == A_GOMEM ? gcache : scache, ptrs, n, &ta, &tf);
			if (err) {
				emit_error(name, api, NN_SIZE, a, err);
				shrink_both();
				return;
			}
			if (!cold && !rd)
				continue;	/* the warm-up round */
			va[a][rd - !cold] = div64_u64(ta * 10, n);
			vf[a][rd - !cold] = div64_u64(tf * 10, n);
		}
		cond_resched();
	}
	shrink_both();
	for (a = 0; a < NR_A; a++) {
		ma[a] = median(va[a], nr);
		mf[a] = median(vf[a], nr);
	}
	for (a = A_GOMEM; a <= A_SLUB; a++) {
		emit(name, api, NN_SIZE, n, a, -1, "alloc", units, ma[a] - ma[A_NULL]);
		emit(name, api, NN_SIZE, n, a, -1, "free", units, mf[a] - mf[A_NULL]);
		emit(name, api, NN_SIZE, n, a, -1, "op", units,
		     (ma[a] + mf[a] - ma[A_NULL] - mf[A_NULL]) / 2);
	}
}

static void bench_nn(void)
{
	static const unsigned long ns[] = { 100, 10000, 1000000 };
	int ci = cache_index(NN_SIZE);
	unsigned int i, nr;
	void **ptrs;

	ptrs = vmalloc(array_size(nn_max, sizeof(void *)));
	if (!ptrs || ci < 0) {
		emit_error("nn", "-", NN_SIZE, A_GOMEM, -ENOMEM);
		vfree(ptrs);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(ns); i++) {
		unsigned long n = min(ns[i], nn_max);

		if (i && n == min(ns[i - 1], nn_max))
			break;
		nr = n <= 100 ? 3 * rounds : n <= 10000 ? rounds : nn_big_rounds;
		nr = nrounds(nr);
		nn_measure("nn", "cache", nn_cache, gcaches[ci], scaches[ci], ptrs, n, nr, false);
		nn_measure("nn", "kmalloc", nn_kmalloc, NULL, NULL, ptrs, n, nr, false);
		nn_measure("nn_cold", "kmalloc", nn_kmalloc, NULL, NULL, ptrs, n, nr, true);
	}
	vfree(ptrs);
}

/* ---- (c) mixed sizes with lifetimes; the "mem" variant ---- */

/*
 * Live objects sit in three tables; each operation picks a table (by
 * weight), frees the object in a random slot and allocates a new one
 * there: lifetimes are geometric, with means of about size/weight
 * operations per table.
 */
struct mix_tab {
	void **slot;
	u32 *size;
	u32 n;
};

struct mix {
	struct mix_tab t[3];
	u32 pct[3];
	u64 rng;
	u64 live_bytes;
	unsigned long live;
};

static int mix_init(struct mix *m, const u32 *n, const u32 *pct)
{
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 3; i++) {
		m->t[i].n = n[i];
		m->pct[i] = pct[i];
		m->t[i].slot = vzalloc(array_size(n[i], sizeof(void *)));
		m->t[i].size = vzalloc(array_size(n[i], sizeof(u32)));
		if (!m->t[i].slot || !m->t[i].size)
			return -ENOMEM;
	}
	return 0;
}

static void mix_destroy(struct mix *m)
{
	int i;

	for (i = 0; i < 3; i++) {
		vfree(m->t[i].slot);
		vfree(m->t[i].size);
	}
}

static void mix_reset(struct mix *m)
{
	int i;

	for (i = 0; i < 3; i++) {
		memset(m->t[i].slot, 0, m->t[i].n * sizeof(void *));
		memset(m->t[i].size, 0, m->t[i].n * sizeof(u32));
	}
	m->rng = BENCH_SEED;
	m->live_bytes = 0;
	m->live = 0;
}

struct mix_res {
	u64 talloc, tfree;
	unsigned long nalloc, nfree;
};

/* @ops operations, each timed; then (if @drain) every survivor freed, timed */
static __always_inline int mix_body(const int a, struct mix *m, unsigned long ops, bool drain,
				    struct mix_res *res)
{
	unsigned long op, i;
	struct mix_tab *t;
	u64 r, t0, t1;
	u32 size, idx;
	void *p;
	int k;

	for (op = 0; op < ops; op++) {
		r = bench_rng(&m->rng);
		k = bench_mix_table(r, m->pct);
		t = &m->t[k];
		idx = (r >> 8) % t->n;
		size = bench_size(bench_rng(&m->rng));
		if (t->slot[idx]) {
			t0 = tsc();
			do_free(a, API_KMALLOC, NULL, t->slot[idx]);
			t1 = tsc();
			res->tfree += t1 - t0;
			res->nfree++;
			m->live_bytes -= t->size[idx];
			m->live--;
		}
		t0 = tsc();
		p = do_alloc(a, API_KMALLOC, NULL, size);
		t1 = tsc();
		res->talloc += t1 - t0;
		res->nalloc++;
		t->slot[idx] = p;
		t->size[idx] = size;
		if (unlikely(!p))
			return -ENOMEM;
		m->live_bytes += size;
		m->live++;
		if (unlikely(!(op & 1023)))
			cond_resched();
	}
	if (!drain)
		return 0;
	for (k = 0; k < 3; k++) {
		t = &m->t[k];
		for (i = 0; i < t->n; i++) {
			if (!t->slot[i])
				continue;
			t0 = tsc();
			do_free(a, API_KMALLOC, NULL, t->slot[i]);
			t1 = tsc();
			res->tfree += t1 - t0;
			res->nfree++;
			t->slot[i] = NULL;
			if (unlikely(!(i & 1023)))
				cond_resched();
		}
	}
	m->live_bytes = 0;
	m->live = 0;
	return 0;
}

static noinline int mix_run(int a, struct mix *m, unsigned long ops, bool drain,
			    struct mix_res *res)
{
	memset(res, 0, sizeof(*res));
	if (a == A_GOMEM)
		return mix_body(A_GOMEM, m, ops, drain, res);
	if (a == A_SLUB)
		return mix_body(A_SLUB, m, ops, drain, res);
	return mix_body(A_NULL, m, ops, drain, res);
}

/* frees whatever is left (after an error, or for the mem workload) */
static void mix_free_all(int a, struct mix *m, bool (*keep)(int k, u32 idx))
{
	struct mix_tab *t;
	u32 i;
	int k;

	for (k = 0; k < 3; k++) {
		t = &m->t[k];
		for (i = 0; i < t->n; i++) {
			if (!t->slot[i] || (keep && keep(k, i)))
				continue;
			if (a != A_NULL)
				rt_free(a, t->slot[i]);
			t->slot[i] = NULL;
			m->live_bytes -= t->size[i];
			m->live--;
			if (!(i & 1023))
				cond_resched();
		}
	}
}

static void bench_mixed(void)
{
	s64 ma[NR_A], mf[NR_A];
	unsigned long ops = scaled(200000);
	unsigned int rd, k, nr = nrounds(min(rounds, 3U));
	struct mix_res res;
	struct mix m;
	int a, err;

	if (mix_init(&m, bench_mix_slots, bench_mix_pct)) {
		emit_error("mixed", "kmalloc", 0, A_GOMEM, -ENOMEM);
		goto out;
	}
	for (rd = 0; rd < nr; rd++) {
		for (k = 0; k < NR_A; k++) {
			a = (rd & 1) && k < 2 ? 1 - k : k;
			shrink_both();
			mix_reset(&m);
			err = mix_run(a, &m, ops, true, &res);
			if (err) {
				mix_free_all(a, &m, NULL);
				emit_error("mixed", "kmalloc", 0, a, err);
				goto out;
			}
			va[a][rd] = div64_u64(res.talloc * 10, res.nalloc);
			vf[a][rd] = div64_u64(res.tfree * 10, res.nfree);
		}
	}
	for (a = 0; a < NR_A; a++) {
		ma[a] = median(va[a], nr);
		mf[a] = median(vf[a], nr);
	}
	for (a = A_GOMEM; a <= A_SLUB; a++) {
		emit("mixed", "kmalloc", 0, ops, a, -1, "alloc", units, ma[a] - ma[A_NULL]);
		emit("mixed", "kmalloc", 0, ops, a, -1, "free", units, mf[a] - mf[A_NULL]);
		emit("mixed", "kmalloc", 0, ops, a, -1, "op", units,
		     (ma[a] + mf[a] - ma[A_NULL] - mf[A_NULL]) / 2);
	}
out:
	shrink_both();
	mix_destroy(&m);
}

/* "after frees": one long-lived object in ten survives */
static bool mem_keep(int k, u32 idx)
{
	return k == 2 && idx % 10 == 0;
}

static void mem_point(int a, const char *point, long base, u64 req, unsigned long objs,
		      long slab0, unsigned long gheld0)
{
	struct gomem_totals gt;
	char metric[32];

	snprintf(metric, sizeof(metric), "%s_held", point);
	emit("mem", "kmalloc", 0, objs, a, -1, metric, "bytes",
	     (s64)(base - bench_free_pages()) * PAGE_SIZE * 10);
	snprintf(metric, sizeof(metric), "%s_requested", point);
	emit("mem", "kmalloc", 0, objs, a, -1, metric, "bytes", (s64)req * 10);
	snprintf(metric, sizeof(metric), "%s_slab", point);
	emit("mem", "kmalloc", 0, objs, a, -1, metric, "bytes", (s64)(slab_bytes() - slab0) * 10);
	if (a == A_GOMEM && !gomem_totals(&gt)) {
		snprintf(metric, sizeof(metric), "%s_gomem_held", point);
		emit("mem", "kmalloc", 0, objs, a, -1, metric, "bytes",
		     ((s64)gt.held_bytes - (s64)gheld0) * 10);
	}
}

static void bench_mem(void)
{
	u32 n[3] = { bench_mem_slots[0], bench_mem_slots[1], scaled(bench_mem_slots[2]) };
	unsigned long ops = scaled(600000), objs;
	struct gomem_totals gt;
	struct mix_res res;
	struct mix m;
	long base, slab0;
	int a, err;

	if (mix_init(&m, n, bench_mem_pct)) {
		emit_error("mem", "kmalloc", 0, A_GOMEM, -ENOMEM);
		goto out;
	}
	for (a = A_GOMEM; a <= A_SLUB; a++) {
		mix_reset(&m);
		shrink_both();
		msleep(20);
		shrink_both();
		base = bench_free_pages();
		slab0 = slab_bytes();
		gomem_totals(&gt);
		err = mix_run(a, &m, ops, false, &res);
		if (err) {
			mix_free_all(a, &m, NULL);
			emit_error("mem", "kmalloc", 0, a, err);
			break;
		}
		mem_point(a, "peak", base, m.live_bytes, m.live, slab0, gt.held_bytes);
		mix_free_all(a, &m, mem_keep);
		objs = m.live;
		shrink_both();
		mem_point(a, "after", base, m.live_bytes, objs, slab0, gt.held_bytes);
		mix_free_all(a, &m, NULL);
		shrink_both();
		mem_point(a, "end", base, 0, 0, slab0, gt.held_bytes);
	}
out:
	shrink_both();
	mix_destroy(&m);
}

/* ---- (d) bulk ---- */

struct bulk_res {
	u64 alloc, free;
};

static __always_inline int bulk_body(const int a, void *cache, void **p, unsigned int n,
				     unsigned int iters, struct bulk_res *r)
{
	u64 t0, t1, t2, sa = 0, sf = 0;
	unsigned int i;
	int got;

	for (i = 0; i < iters + 2; i++) {
		t0 = tsc();
		if (a == A_GOMEM)
			got = gomem_cache_alloc_bulk(cache, GFP_KERNEL, n, p);
		else if (a == A_SLUB)
			got = kmem_cache_alloc_bulk(cache, GFP_KERNEL, n, p);
		else
			got = n;
		t1 = tsc();
		if (unlikely(got != n))
			return -ENOMEM;
		if (a == A_GOMEM)
			gomem_cache_free_bulk(cache, n, p);
		else if (a == A_SLUB)
			kmem_cache_free_bulk(cache, n, p);
		else
			barrier();
		t2 = tsc();
		if (i >= 2) {	/* two warm-up rounds */
			sa += t1 - t0;
			sf += t2 - t1;
		}
	}
	r->alloc = sa;
	r->free = sf;
	return 0;
}

static noinline int bulk_run(int a, void *cache, void **p, unsigned int n, unsigned int iters,
			     struct bulk_res *r)
{
	if (a == A_GOMEM)
		return bulk_body(A_GOMEM, cache, p, n, iters, r);
	if (a == A_SLUB)
		return bulk_body(A_SLUB, cache, p, n, iters, r);
	return bulk_body(A_NULL, cache, p, n, iters, r);
}

/* objects per call: powers of two, and the sizes around span boundaries */
static const unsigned int bulk_counts[] = {
	1, 2, 3, 4, 8, 16, 30, 32, 34, 48, 64, 128, 158, 250, 256
};
static const unsigned int bulk_sizes[] = { 64, 256, 1024, 4096 };

/* one object size: "bulk-SIZE", size= the objects per call */
static int bench_bulk_size(unsigned int objsize, void **p)
{
	s64 ma[NR_A], mf[NR_A];
	unsigned int i, n, iters, rd, k, nr = nrounds(rounds);
	int ci = cache_index(objsize), a, err;
	struct bulk_res r;
	char name[16];

	if (ci < 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "bulk-%u", objsize);
	for (i = 0; i < ARRAY_SIZE(bulk_counts); i++) {
		n = bulk_counts[i];
		iters = max(8U, 4096 / n);
		for (rd = 0; rd < nr; rd++) {
			for (k = 0; k < NR_A; k++) {
				a = (rd & 1) && k < 2 ? 1 - k : k;
				err = bulk_run(a, a == A_GOMEM ? (void *)gcaches[ci] :
					       (void *)scaches[ci], p, n, iters, &r);
				if (err) {
					emit_error(name, "cache", n, a, err);
					return err;
				}
				va[a][rd] = div64_u64(r.alloc * 10, (u64)iters * n);
				vf[a][rd] = div64_u64(r.free * 10, (u64)iters * n);
			}
			cond_resched();
		}
		for (a = 0; a < NR_A; a++) {
			ma[a] = median(va[a], nr);
			mf[a] = median(vf[a], nr);
		}
		for (a = A_GOMEM; a <= A_SLUB; a++) {
			emit(name, "cache", n, iters, a, -1, "alloc", units, ma[a] - ma[A_NULL]);
			emit(name, "cache", n, iters, a, -1, "free", units, mf[a] - mf[A_NULL]);
			emit(name, "cache", n, iters, a, -1, "pair", units,
			     ma[a] + mf[a] - ma[A_NULL] - mf[A_NULL]);
		}
	}
	return 0;
}

static void bench_bulk(void)
{
	unsigned int i;
	void **p;

	p = kcalloc(256, sizeof(void *), GFP_KERNEL);
	if (!p)
		return;
	for (i = 0; i < ARRAY_SIZE(bulk_sizes); i++)
		if (bench_bulk_size(bulk_sizes[i], p))
			break;
	kfree(p);
}

/* ---- tiny: short strings ---- */

static __always_inline void tiny_body(const int a, const int api, void **ptrs, const u8 *len,
				      unsigned long n, u64 *ta, u64 *tf)
{
	unsigned long i;
	u64 t0;

	t0 = tsc();
	for (i = 0; i < n; i++)
		ptrs[i] = do_alloc(a, api, NULL, len[i]);
	*ta = tsc() - t0;
	/* the caller looks at the heap here, then frees */
	*tf = 0;
}

static __always_inline void tiny_free_body(const int a, void **ptrs, unsigned long n, u64 *tf)
{
	unsigned long i;
	u64 t0;

	t0 = tsc();
	for (i = 0; i < n; i++)
		do_free(a, API_KMALLOC, NULL, ptrs[i]);
	*tf = tsc() - t0;
}

enum { TINY_NOSCAN, TINY_GOMEM, TINY_SLUB, TINY_NULL, NR_TINY };

static noinline void tiny_alloc_run(int v, void **ptrs, const u8 *len, unsigned long n,
				    u64 *ta, u64 *tf)
{
	if (v == TINY_NOSCAN)
		tiny_body(A_GOMEM, API_NOSCAN, ptrs, len, n, ta, tf);
	else if (v == TINY_GOMEM)
		tiny_body(A_GOMEM, API_KMALLOC, ptrs, len, n, ta, tf);
	else if (v == TINY_SLUB)
		tiny_body(A_SLUB, API_KMALLOC, ptrs, len, n, ta, tf);
	else
		tiny_body(A_NULL, API_KMALLOC, ptrs, len, n, ta, tf);
}

static noinline void tiny_free_run(int v, void **ptrs, unsigned long n, u64 *tf)
{
	if (v == TINY_SLUB)
		tiny_free_body(A_SLUB, ptrs, n, tf);
	else if (v == TINY_NULL)
		tiny_free_body(A_NULL, ptrs, n, tf);
	else
		tiny_free_body(A_GOMEM, ptrs, n, tf);
}

static void bench_tiny(void)
{
	static const char * const vname[NR_TINY] = { "noscan", "kmalloc", "kmalloc", "-" };
	static const int valloc[NR_TINY] = { A_GOMEM, A_GOMEM, A_SLUB, A_NULL };
	unsigned long n = scaled(400000), i, req = 0, heap;
	struct gomem_totals g0, g1;
	u64 ta[NR_TINY], tf[NR_TINY];
	long base;
	void **ptrs;
	u8 *len;
	u64 rng = BENCH_SEED;
	int v;

	ptrs = vmalloc(array_size(n, sizeof(void *)));
	len = vmalloc(n);
	if (!ptrs || !len)
		goto out;
	/* strings of 1 to 23 characters and their NUL: 2 to 24 bytes */
	for (i = 0; i < n; i++) {
		len[i] = bench_strlen(bench_rng(&rng));
		req += len[i];
	}
	for (v = NR_TINY - 1; v >= 0; v--) {
		shrink_both();
		base = bench_free_pages();
		if (gomem_totals(&g0))
			memset(&g0, 0, sizeof(g0));
		tiny_alloc_run(v, ptrs, len, n, &ta[v], &tf[v]);
		for (i = 0; i < n; i++)
			if (!ptrs[i])
				break;
		if (i < n) {
			emit_error("tiny", vname[v], 0, valloc[v], -ENOMEM);
			n = i;	/* free what we have */
		}
		if (v != TINY_NULL) {
			emit("tiny", vname[v], 0, n, valloc[v], -1, "held", "bytes",
			     (s64)(base - bench_free_pages()) * PAGE_SIZE * 10);
			emit("tiny", vname[v], 0, n, valloc[v], -1, "requested", "bytes",
			     (s64)req * 10);
		}
		if (v == TINY_SLUB) {
			for (heap = 0, i = 0; i < n; i++)
				heap += ksize(ptrs[i]);
			emit("tiny", vname[v], 0, n, valloc[v], -1, "span_allocs", "count", n * 10);
			emit("tiny", vname[v], 0, n, valloc[v], -1, "heap", "bytes", heap * 10);
		} else if (v != TINY_NULL && !gomem_totals(&g1)) {
			emit("tiny", vname[v], 0, n, valloc[v], -1, "span_allocs", "count",
			     (s64)(g1.small_allocs - g0.small_allocs) * 10);
			emit("tiny", vname[v], 0, n, valloc[v], -1, "heap", "bytes",
			     ((s64)g1.small_bytes_inuse - (s64)g0.small_bytes_inuse) * 10);
			emit("tiny", vname[v], 0, n, valloc[v], -1, "gomem_held", "bytes",
			     ((s64)g1.held_bytes - (s64)g0.held_bytes) * 10);
			emit("tiny", vname[v], 0, n, valloc[v], -1, "span_bytes", "bytes",
			     ((s64)g1.inuse_bytes - (s64)g0.inuse_bytes) * 10);
			emit("tiny", vname[v], 0, n, valloc[v], -1, "tiny_blocks", "count",
			     (s64)(g1.tiny_blocks - g0.tiny_blocks) * 10);
		}
		tiny_free_run(v, ptrs, n, &tf[v]);
		if (v != TINY_NULL) {
			emit("tiny", vname[v], 0, n, valloc[v], -1, "alloc", units,
			     div64_u64((ta[v] - min(ta[v], ta[TINY_NULL])) * 10, n));
			emit("tiny", vname[v], 0, n, valloc[v], -1, "free", units,
			     div64_u64((tf[v] - min(tf[v], tf[TINY_NULL])) * 10, n));
		}
		cond_resched();
	}
out:
	shrink_both();
	vfree(ptrs);
	vfree(len);
}

/* ---- multi-CPU workloads: kthreads bound to CPUs, one start line ---- */

struct mt_ctx {
	atomic_t ready, running;
	int go;
	struct completion done;
};

struct mt_worker {
	struct mt_ctx *ctx;
	struct task_struct *task;
	int (*prep)(struct mt_worker *w);
	int (*fn)(struct mt_worker *w);
	void (*post)(struct mt_worker *w);
	void *priv;
	int cpu, a, err;
	u64 end_ns;
};

static int mt_thread(void *arg)
{
	struct mt_worker *w = arg;
	struct mt_ctx *ctx = w->ctx;

	w->err = w->prep ? w->prep(w) : 0;
	atomic_inc(&ctx->ready);
	/* pairs with the coordinator's release: the workload is set up */
	while (!smp_load_acquire(&ctx->go))
		cond_resched();
	if (!w->err)
		w->err = w->fn(w);
	w->end_ns = ktime_get_ns();
	if (w->post)
		w->post(w);
	if (atomic_dec_and_test(&ctx->running))
		complete(&ctx->done);
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Runs @n workers; returns the wall time from the start line to the last one's end. */
static int mt_run(struct mt_worker *w, int n, u64 *wall_ns)
{
	struct mt_ctx ctx;
	u64 t0, end = 0;
	int i, err = 0, started = 0;

	atomic_set(&ctx.ready, 0);
	atomic_set(&ctx.running, n);
	ctx.go = 0;
	init_completion(&ctx.done);
	for (i = 0; i < n; i++) {
		w[i].ctx = &ctx;
		w[i].err = 0;
		w[i].task = kthread_create_on_cpu(mt_thread, &w[i], w[i].cpu, "gomem_bench/%u");
		if (IS_ERR(w[i].task)) {
			err = PTR_ERR(w[i].task);
			break;
		}
		started++;
	}
	if (err) {
		/* none has been woken: stop the ones made */
		for (i = 0; i < started; i++)
			kthread_stop(w[i].task);
		return err;
	}
	for (i = 0; i < n; i++)
		wake_up_process(w[i].task);
	while (atomic_read(&ctx.ready) < n)
		usleep_range(1000, 2000);
	t0 = ktime_get_ns();
	/* the start line: every worker's set-up happened before */
	smp_store_release(&ctx.go, 1);
	while (!wait_for_completion_timeout(&ctx.done, HZ))
		;
	for (i = 0; i < n; i++) {
		end = max(end, w[i].end_ns);
		if (w[i].err)
			err = w[i].err;
		kthread_stop(w[i].task);
	}
	*wall_ns = end - t0;
	return err;
}

/* (e) cross-CPU free: a single-producer, single-consumer ring */
#define XRING_SIZE	1024
#define XCPU_SIZE	256

struct xring {
	void **slot;
	u32 *talloc, *tfree;	/* TSC ticks of each call, producer and consumer */
	unsigned long n;
	unsigned long head ____cacheline_aligned_in_smp;
	unsigned long tail ____cacheline_aligned_in_smp;
};

static u32 tsc_delta(u64 t0, u64 t1)
{
	return min_t(u64, t1 - t0, U32_MAX);
}

static int xcpu_producer(struct mt_worker *w)
{
	struct xring *r = w->priv;
	unsigned long i, spins = 0;
	int err = 0;
	void *p;

	for (i = 0; i < r->n; i++) {
		u64 t0 = tsc();

		p = rt_alloc(w->a, XCPU_SIZE);
		r->talloc[i] = tsc_delta(t0, tsc());
		if (unlikely(!p))
			err = -ENOMEM;	/* passes NULL on: frees of NULL are no-ops */
		while (i - READ_ONCE(r->tail) >= XRING_SIZE) {
			cpu_relax();
			if (!(++spins & 4095))
				cond_resched();
		}
		r->slot[i & (XRING_SIZE - 1)] = p;
		/* publishes the slot; pairs with the consumer's acquire */
		smp_store_release(&r->head, i + 1);
	}
	return err;
}

static int xcpu_consumer(struct mt_worker *w)
{
	struct xring *r = w->priv;
	unsigned long i, spins = 0;

	for (i = 0; i < r->n; i++) {
		/* the slot is written before head moves (producer's release) */
		while (smp_load_acquire(&r->head) == i) {
			cpu_relax();
			if (!(++spins & 4095))
				cond_resched();
		}
		u64 t0 = tsc();

		rt_free(w->a, r->slot[i & (XRING_SIZE - 1)]);
		r->tfree[i] = tsc_delta(t0, tsc());
		/* the slot is read before the producer may reuse it */
		smp_store_release(&r->tail, i + 1);
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The mean cost of a call, in TSC ticks, without the calls that took more
 * than 50 times the median: under TCG a vCPU thread the host preempts
 * stretches the one call it was in by milliseconds. Sorts @t.
 */
static u64 call_mean10(u32 *t, unsigned long n)
{
	unsigned long i;
	u64 sum = 0, lim;

	sort(t, n, sizeof(*t), cmp_u32, NULL);
	lim = (u64)t[n / 2] * 50;
	for (i = 0; i < n && t[i] <= lim; i++)
		sum += t[i];
	return i ? div64_u64(sum * 10, i) : 0;
}

static void xcpu_measure(const char *name, int cpu_a, int cpu_b, struct xring *r)
{
	struct mt_worker w[2];
	unsigned int rd, k, nr = nrounds(rounds);
	u64 wall;
	int a, err;

	for (rd = 0; rd < nr; rd++) {
		for (k = 0; k < 2; k++) {
			a = (rd & 1) ? 1 - k : k;
			memset(w, 0, sizeof(w));
			r->head = 0;
			r->tail = 0;
			w[0].cpu = cpu_a;
			w[0].fn = xcpu_producer;
			w[1].cpu = cpu_b;
			w[1].fn = xcpu_consumer;
			w[0].priv = r;
			w[1].priv = r;
			w[0].a = a;
			w[1].a = a;
			shrink_both();
			err = mt_run(w, 2, &wall);
			if (err) {
				emit_error(name, "kmalloc", XCPU_SIZE, a, err);
				return;
			}
			emit(name, "kmalloc", XCPU_SIZE, r->n, a, rd, "ns_op", "ns",
			     div64_u64(wall * 10, r->n));
			/* where it goes: the producer's allocations, the consumer's frees */
			emit(name, "kmalloc", XCPU_SIZE, r->n, a, rd, "alloc_call", units,
			     call_mean10(r->talloc, r->n));
			emit(name, "kmalloc", XCPU_SIZE, r->n, a, rd, "free_call", units,
			     call_mean10(r->tfree, r->n));
		}
	}
}

static void bench_xcpu(void)
{
	int a = cpumask_first(cpu_online_mask), b = -1, c = -1, cpu;
	struct xring *r;

	for_each_online_cpu(cpu) {
		if (cpu == a)
			continue;
		if (b < 0 && cpu_to_node(cpu) == cpu_to_node(a))
			b = cpu;
		if (c < 0 && cpu_to_node(cpu) != cpu_to_node(a))
			c = cpu;
	}
	if (b < 0 && c < 0) {
		out_printf("bench name=xcpu api=kmalloc size=%d n=0 alloc=- round=- ", XCPU_SIZE);
		out_printf("metric=skipped unit=- value=1\n");
		return;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return;
	r->n = scaled(50000);
	r->slot = kcalloc(XRING_SIZE, sizeof(void *), GFP_KERNEL);
	r->talloc = vmalloc(array_size(r->n, sizeof(u32)));
	r->tfree = vmalloc(array_size(r->n, sizeof(u32)));
	if (!r->slot || !r->talloc || !r->tfree)
		goto out;
	if (b >= 0)
		xcpu_measure("xcpu", a, b, r);
	if (c >= 0)
		xcpu_measure("xnode", a, c, r);
out:
	kfree(r->slot);
	vfree(r->talloc);
	vfree(r->tfree);
	kfree(r);
	shrink_both();
}

/* (f) all CPUs churning at once */
#define CHURN_SLOTS	1024

struct churn_priv {
	void *slot[CHURN_SLOTS];
	unsigned long ops;
	u64 rng;
};

static int churn_prep(struct mt_worker *w)
{
	struct churn_priv *c = w->priv;
	unsigned int i;

	c->rng = BENCH_SEED + w->cpu;
	for (i = 0; i < CHURN_SLOTS; i++) {
		c->slot[i] = rt_alloc(w->a, bench_size(bench_rng(&c->rng)));
		if (!c->slot[i])
			return -ENOMEM;
	}
	return 0;
}

static int churn_fn(struct mt_worker *w)
{
	struct churn_priv *c = w->priv;
	unsigned long op;
	unsigned int idx;
	u64 r;

	for (op = 0; op < c->ops; op++) {
		r = bench_rng(&c->rng);
		idx = r % CHURN_SLOTS;
		rt_free(w->a, c->slot[idx]);
		c->slot[idx] = rt_alloc(w->a, bench_size(bench_rng(&c->rng)));
		if (unlikely(!c->slot[idx]))
			return -ENOMEM;
		if (unlikely(!(op & 4095)))
			cond_resched();
	}
	return 0;
}

static void churn_post(struct mt_worker *w)
{
	struct churn_priv *c = w->priv;
	unsigned int i;

	for (i = 0; i < CHURN_SLOTS; i++) {
		rt_free(w->a, c->slot[i]);
		c->slot[i] = NULL;
	}
}

static void bench_churn(void)
{
	int ncpu = num_online_cpus(), i, cpu, a, err;
	unsigned int rd, k, nr = nrounds(rounds);
	unsigned long ops = scaled(50000);
	struct churn_priv *priv;
	struct mt_worker *w;
	u64 wall;

	if (ncpu < 2) {
		out_printf("bench name=churn api=kmalloc size=mixed n=0 alloc=- round=- ");
		out_printf("metric=skipped unit=- value=1\n");
		return;
	}
	w = kcalloc(ncpu, sizeof(*w), GFP_KERNEL);
	priv = vzalloc(array_size(ncpu, sizeof(*priv)));
	if (!w || !priv)
		goto out;
	for (rd = 0; rd < nr; rd++) {
		for (k = 0; k < 2; k++) {
			a = (rd & 1) ? 1 - k : k;
			memset(w, 0, ncpu * sizeof(*w));
			i = 0;
			for_each_online_cpu(cpu) {
				if (i == ncpu)
					break;
				w[i].cpu = cpu;
				w[i].a = a;
				w[i].prep = churn_prep;
				w[i].fn = churn_fn;
				w[i].post = churn_post;
				w[i].priv = &priv[i];
				priv[i].ops = ops;
				i++;
			}
			shrink_both();
			err = mt_run(w, i, &wall);
			if (err) {
				emit_error("churn", "kmalloc", 0, a, err);
				goto out;
			}
			emit("churn", "kmalloc", 0, ops * i, a, rd, "ns_op", "ns",
			     div64_u64(wall * 10, ops));
		}
	}
out:
	shrink_both();
	kfree(w);
	vfree(priv);
}

/* ---- module ---- */

static ssize_t results_read(struct file *file, char __user *buf, size_t len, loff_t *pos)
{
	return simple_read_from_buffer(buf, len, pos, out, out_len);
}

static const struct file_operations results_fops = {
	.owner = THIS_MODULE,
	.read = results_read,
	.llseek = default_llseek,
};

static const struct {
	const char *name;
	void (*fn)(void);
} workloads[] = {
	{ "pair", bench_pair }, { "nn", bench_nn }, { "mixed", bench_mixed },
	{ "bulk", bench_bulk }, { "large", bench_large }, { "tiny", bench_tiny },
	{ "mem", bench_mem }, { "xcpu", bench_xcpu }, { "churn", bench_churn },
	{ "debug", bench_debug },
};

static int __init gomem_bench_init(void)
{
	unsigned int i;
	u64 t0;

	out = vzalloc(OUT_SIZE);
	procbuf = vmalloc(PROCBUF_SIZE);
	if (!out || !procbuf)
		goto nomem;
	if (caches_create())
		goto nomem;
	calibrate();
	out_printf("bench name=info units=%s cpus=%u nodes=%u init_on_alloc=%d init_on_free=%d",
		   units, num_online_cpus(), num_online_nodes(),
		   want_init_on_alloc(GFP_KERNEL), want_init_on_free());
	out_printf(" rounds=%u scale=%u nn_max=%lu tsc_empty=%llu page_size=%lu\n",
		   rounds, scale, nn_max, tsc_empty, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		if (!want(workloads[i].name))
			continue;
		pr_info("gomem_bench: %s\n", workloads[i].name);
		t0 = ktime_get_ns();
		workloads[i].fn();
		out_printf("bench name=time workload=%s ms=%llu\n", workloads[i].name,
			   div64_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	}
	out_printf("bench name=done\n");
	bench_dir = debugfs_create_dir("gomem_bench", NULL);
	debugfs_create_file("results", 0444, bench_dir, NULL, &results_fops);
	pr_info("gomem_bench: done, %zu bytes of results\n", out_len);
	return 0;
nomem:
	caches_destroy();
	vfree(out);
	vfree(procbuf);
	return -ENOMEM;
}

static void __exit gomem_bench_exit(void)
{
	debugfs_remove(bench_dir);
	caches_destroy();
	vfree(out);
	vfree(procbuf);
}

module_init(gomem_bench_init);
module_exit(gomem_bench_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("gomem developers");
MODULE_DESCRIPTION("gomem against SLUB: the same workloads in the same boot");
