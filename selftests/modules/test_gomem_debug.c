// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest module: a client's bugs in debug caches (Documentation/
 * debugging.rst). Each fault runs in a section of the kernel log that
 * selftests/guest/tests/45-debug reads ("test_gomem_debug: fault: NAME"),
 * made through two named functions, tgd_alloc_record() and
 * tgd_free_record(), so that the reports' stacks can be checked for them.
 *
 *   mode=cache    a cache created with GOMEM_CONSISTENCY_CHECKS,
 *                 GOMEM_RED_ZONE, GOMEM_POISON and GOMEM_STORE_USER
 *                 ("tgd_records", 100 B): one byte past an object, one byte
 *                 before it, a write after free, a double free, and a
 *                 second cache destroyed with 3 objects live
 *   mode=kmalloc  the same faults on gomem_kmalloc(256) objects, with gomem
 *                 loaded as debug=FZPU,kmalloc-256 (only the parameter
 *                 makes kmalloc-256 a debug class)
 *   mode=leak     two gomem_kmalloc(256) objects never freed: gomem's
 *                 unload reports them (kmalloc classes have no destroy)
 *   mode=trace    no fault: a known sequence for the tracepoints
 *                 (selftests/guest/tests/46-trace), its pointers logged
 *                 with %p, hashed as the trace output hashes them
 *
 * Checked here: each damaged object is never handed out again (a span's
 * worth of allocations later), the allocations after a fault work, and a
 * double free is refused. Then 40 objects are allocated and 5 of them freed
 * again: 35 stay allocated until the module is removed, for the script's
 * debugfs checks (validate, alloc_traces, free_traces).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include "kselftest_module.h"
#include <gomem.h>

KSTM_MODULE_GLOBALS();

static char *mode = "cache";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "cache, kmalloc, leak or trace");

#define OBJ_SIZE	100
#define LIVE		40
#define FREED		5
#define TRIES		600	/* more than a span's objects */

static struct gomem_cache *records;
static bool kmalloc_mode;
static unsigned int obj_size;
static void *live[LIVE];
static unsigned long calls;

/* no tail calls: each stays a frame of the stacks the reports show */
static noinline u8 *tgd_alloc_record(void)
{
	u8 *p;

	if (kmalloc_mode)
		p = gomem_kmalloc(256, GFP_KERNEL);
	else
		p = gomem_cache_alloc(records, GFP_KERNEL);
	WRITE_ONCE(calls, calls + 1);
	return p;
}

static noinline void tgd_free_record(void *p)
{
	if (kmalloc_mode)
		gomem_kfree(p);
	else
		gomem_cache_free(records, p);
	WRITE_ONCE(calls, calls + 1);
}

/*
 * Return: 0 when @bad is among TRIES fresh objects exactly @want times (all
 * freed again): TRIES is more than the free objects of every span there is.
 */
static int handed_out(void *bad, int want)
{
	void **o = kcalloc(TRIES, sizeof(void *), GFP_KERNEL);
	int i, n = 0, hits = 0;

	if (!o)
		return 1;
	for (i = 0; i < TRIES; i++) {
		o[i] = tgd_alloc_record();
		n += !o[i];
		hits += o[i] == bad;
	}
	for (i = 0; i < TRIES; i++)
		tgd_free_record(o[i]);
	kfree(o);
	if (n || hits != want)
		pr_err("after the fault: %d failed allocations, object %p handed out %d times, expected %d\n",
		       n, bad, hits, want);
	return n || hits != want;
}

static int never_handed_out(void *bad)
{
	return handed_out(bad, 0);
}

static void section(const char *name)
{
	pr_info("fault: %s\n", name);
}

static noinline int fault_overflow(void)
{
	u8 *p = tgd_alloc_record();

	if (!p)
		return 1;
	section("overflow");
	p[obj_size] = 0x11;		/* one byte past the object */
	tgd_free_record(p);
	section("end");
	return never_handed_out(p);
}

static noinline int fault_underflow(void)
{
	u8 *p = tgd_alloc_record();

	if (!p)
		return 1;
	section("underflow");
	p[-1] = 0x22;			/* one byte before it */
	tgd_free_record(p);
	section("end");
	return never_handed_out(p);
}

/*
 * The faults on a freed object need its span to stay: a span whose last
 * object is freed goes back to the page heap, and the object with it. So
 * the object is the middle one of NEIGH consecutive allocations (a span
 * is used until it is full: a neighbour shares its span), freed last.
 */
#define NEIGH	8

static int neighbours(u8 **o)
{
	int i, n = 0;

	for (i = 0; i < NEIGH; i++)
		n += !(o[i] = tgd_alloc_record());
	return n;
}

static void neighbours_free(u8 **o, int skip)
{
	int i;

	for (i = 0; i < NEIGH; i++)
		if (i != skip && o[i])
			tgd_free_record(o[i]);
}

static noinline int fault_use_after_free(void)
{
	u8 *o[NEIGH], *p;
	int bad;

	bad = neighbours(o);
	p = o[NEIGH / 2];
	if (!bad) {
		section("use-after-free");
		tgd_free_record(p);
		p[10] = 0x33;			/* a write after free */
		bad = never_handed_out(p);	/* the first of these finds it */
		section("end");
	}
	neighbours_free(o, NEIGH / 2);
	return bad;
}

static noinline int fault_double_free(void)
{
	u8 *o[NEIGH], *p;
	int bad;

	bad = neighbours(o);
	p = o[NEIGH / 2];
	if (!bad) {
		section("double-free");
		tgd_free_record(p);
		tgd_free_record(p);		/* refused */
		section("end");
		/* p is free once: handed out again, once */
		bad = handed_out(p, 1);
	}
	neighbours_free(o, NEIGH / 2);
	return bad;
}

static noinline int fault_leak(void)
{
	struct gomem_cache *c;
	void *o[3];
	int i;

	if (kmalloc_mode)
		return 0;	/* kmalloc classes are destroyed at unload only */
	c = gomem_cache_create("tgd_leaky", OBJ_SIZE, 0, GOMEM_DEBUG_FLAGS, NULL);
	if (!c)
		return 1;
	for (i = 0; i < 3; i++) {
		o[i] = gomem_cache_alloc(c, GFP_KERNEL);
		if (!o[i])
			return 1;
	}
	section("leak");
	gomem_cache_destroy(c);		/* reported; the cache is kept */
	section("end");
	for (i = 0; i < 3; i++)
		gomem_cache_free(c, o[i]);
	gomem_cache_destroy(c);		/* now it goes */
	return 0;
}

/*
 * The sequence 46-trace expects: 3 objects of a 64-byte cache, a 300-byte
 * and a 100 KiB kmalloc, a bulk of 4, then every one freed; the cache's
 * objects come warm (freed just before, into this CPU's magazine), so only
 * the tracepoints' switch can send them to the full paths.
 */
static noinline int tgd_trace_sequence(void)
{
	struct gomem_cache *c = gomem_cache_create("tgd_trace", 64, 0, 0, NULL);
	void *o[3], *k, *big, *b[4];
	int i;

	if (!c)
		return 1;
	for (i = 0; i < 3; i++)
		o[i] = gomem_cache_alloc(c, GFP_KERNEL);
	for (i = 0; i < 3; i++)
		gomem_cache_free(c, o[i]);
	pr_info("trace: start\n");
	for (i = 0; i < 3; i++) {
		o[i] = gomem_cache_alloc(c, GFP_KERNEL);
		pr_info("trace: cache object %p\n", o[i]);
	}
	k = gomem_kmalloc(300, GFP_KERNEL);
	pr_info("trace: kmalloc(300) %p\n", k);
	big = gomem_kmalloc(100 << 10, GFP_KERNEL);
	pr_info("trace: kmalloc(102400) %p\n", big);
	if (gomem_cache_alloc_bulk(c, GFP_KERNEL, 4, b) != 4)
		return 1;
	for (i = 0; i < 3; i++)
		gomem_cache_free(c, o[i]);
	gomem_kfree(k);
	gomem_kfree(big);
	gomem_cache_free_bulk(c, 4, b);
	pr_info("trace: end\n");
	gomem_cache_destroy(c);
	return !o[0] || !o[1] || !o[2] || !k || !big;
}

static noinline int run_faults(void)
{
	int bad = 0, i;

	kmalloc_mode = !strcmp(mode, "kmalloc");
	if (!kmalloc_mode && strcmp(mode, "cache"))
		return 1;
	obj_size = kmalloc_mode ? 256 : OBJ_SIZE;
	if (!kmalloc_mode) {
		records = gomem_cache_create("tgd_records", OBJ_SIZE, 0, GOMEM_DEBUG_FLAGS, NULL);
		if (!records)
			return 1;
	}
	bad += fault_overflow();
	bad += fault_underflow();
	bad += fault_use_after_free();
	bad += fault_double_free();
	bad += fault_leak();
	for (i = 0; i < LIVE; i++) {
		live[i] = tgd_alloc_record();
		bad += !live[i];
	}
	/*
	 * and FREED of them free again, for free_traces: every other one, so
	 * that no span empties (an empty span goes back, with its traces)
	 */
	for (i = 0; i < 2 * FREED; i += 2) {
		tgd_free_record(live[i]);
		live[i] = NULL;
	}
	return bad;
}

/* mode=leak: two objects that the module's exit leaves allocated */
static noinline int tgd_leak(void)
{
	kmalloc_mode = true;
	live[0] = tgd_alloc_record();
	live[1] = tgd_alloc_record();
	return !live[0] || !live[1];
}

static void __init selftest(void)
{
	if (!strcmp(mode, "leak"))
		KSTM_CHECK_ZERO(tgd_leak());
	else if (!strcmp(mode, "trace"))
		KSTM_CHECK_ZERO(tgd_trace_sequence());
	else
		KSTM_CHECK_ZERO(run_faults());
}

static int __init test_gomem_debug_init(void)
{
	pr_info("loaded.\n");
	selftest();
	return kstm_report(total_tests, failed_tests, skipped_tests);
}
module_init(test_gomem_debug_init);

static void __exit test_gomem_debug_exit(void)
{
	int i;

	if (!strcmp(mode, "leak"))
		return;		/* the leak: gomem reports it when it unloads */
	for (i = 0; i < LIVE; i++)
		if (live[i])
			tgd_free_record(live[i]);
	gomem_cache_destroy(records);
	pr_info("unloaded.\n");
}
module_exit(test_gomem_debug_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kselftest: gomem debug caches find a client's bugs");
