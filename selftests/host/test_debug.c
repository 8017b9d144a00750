// SPDX-License-Identifier: GPL-2.0
/*
 * Debug classes (gomem/debug.c) in userspace, under ASan and UBSan: each
 * kind of caller bug in a debug cache and in a kmalloc class under
 * gomem.debug=, with the report's text (the shim keeps the log), the
 * isolation of the damaged object, validate, the owner traces, the leak
 * report at destroy, and the gomem.debug= parser. The kernel runs the same
 * faults in selftests/guest/tests/45-debug.
 */
#include "gomem_host.h"
#include "cache.h"
#include "debug.h"
#include "kselftest_harness.h"

#define FZPU	(GOMEM_CONSISTENCY_CHECKS | GOMEM_RED_ZONE | GOMEM_POISON | GOMEM_STORE_USER)

static bool log_has(const char *s)
{
	return strstr(shim_log(), s) != NULL;
}

static int log_count(const char *s)
{
	const char *p = shim_log();
	int n = 0;

	while ((p = strstr(p, s))) {
		n++;
		p++;
	}
	return n;
}

FIXTURE(dbg) {
	struct gomem_cache *c;
	unsigned long dbl0;
};

FIXTURE_SETUP(dbg)
{
	shim_pages_fail_after = -1;
	ASSERT_EQ(0, gomem_host_init());
	self->c = gomem_cache_create("tdbg", 100, 0, FZPU, NULL);
	ASSERT_NE(NULL, self->c);
	ASSERT_NE(NULL, self->c->cls->debug);
	self->dbl0 = gomem_stat_sum(GOMEM_STAT_DOUBLE_FREES);
	shim_quiet = 1;
	shim_log_capture(true);
}

FIXTURE_TEARDOWN(dbg)
{
	shim_log_capture(false);
	shim_quiet = 0;
	if (self->c)
		gomem_cache_destroy(self->c);
	EXPECT_EQ(0, gomem_host_check());
	EXPECT_EQ(0, gomem_host_exit());
}

/* @n objects of the cache, none of them @avoid; freed again */
static bool never_handed_out(struct gomem_cache *c, void *avoid, int n)
{
	void **o = calloc(n, sizeof(void *));
	bool ok = true;
	int i;

	for (i = 0; i < n; i++) {
		o[i] = gomem_cache_alloc(c, GFP_KERNEL);
		ok &= o[i] && o[i] != avoid;
	}
	for (i = 0; i < n; i++)
		gomem_cache_free(c, o[i]);
	free(o);
	return ok;
}

/* the layout: object aligned, red zones and poison in place, metadata after */
TEST_F(dbg, layout)
{
	struct gomem_debug *d = self->c->cls->debug;
	u8 *p = gomem_cache_alloc(self->c, GFP_KERNEL);
	int i;

	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, (unsigned long)p % 8);
	EXPECT_EQ(16, d->left);
	EXPECT_EQ(16 + 104 + 16, d->meta);
	EXPECT_EQ(100, gomem_ksize(p));
	for (i = 1; i <= 16; i++)
		EXPECT_EQ(0xcc, p[-i]);
	for (i = 100; i < 120; i++)
		EXPECT_EQ(0xcc, p[i]);
	EXPECT_EQ(p, gomem_obj_start(p + 57));
	memset(p, 0x5a, 100);		/* the whole object is the caller's */
	gomem_cache_free(self->c, p);
	EXPECT_EQ(0, log_count("gomem: BUG"));
	for (i = 0; i < 99; i++)
		EXPECT_EQ(0x6b, p[i]);
	EXPECT_EQ(0xa5, p[99]);
	for (i = 1; i <= 16; i++)
		EXPECT_EQ(0xbb, p[-i]);
	EXPECT_EQ(0xbb, p[100]);
}

TEST_F(dbg, right_redzone)
{
	void *keep = gomem_cache_alloc(self->c, GFP_KERNEL);
	u8 *p = gomem_cache_alloc(self->c, GFP_KERNEL);

	ASSERT_NE(NULL, p);
	p[100] = 0x11;			/* one byte past the object */
	gomem_cache_free(self->c, p);
	EXPECT_TRUE(log_has("gomem: BUG tdbg (Not tainted): Right Redzone overwritten"));
	EXPECT_TRUE(log_has("First byte 0x11 instead of 0xcc"));
	EXPECT_TRUE(log_has("First bad byte at object+100 (object size 100)"));
	EXPECT_TRUE(log_has("Allocated in "));
	EXPECT_TRUE(log_has("Freed in "));
	EXPECT_TRUE(log_has("FIX tdbg: Restoring Right Redzone"));
	EXPECT_TRUE(log_has("is never handed out again"));
	EXPECT_EQ(1, log_count("gomem: BUG"));
	EXPECT_EQ(1, gomem_debug_isolated(self->c->cls));
	EXPECT_EQ(1, gomem_cache_active(self->c));	/* the free counted */
	EXPECT_TRUE(never_handed_out(self->c, p, 300));
	gomem_cache_free(self->c, keep);
}

TEST_F(dbg, left_redzone)
{
	u8 *p = gomem_cache_alloc(self->c, GFP_KERNEL);

	ASSERT_NE(NULL, p);
	p[-1] = 0x22;			/* one byte before it */
	gomem_cache_free(self->c, p);
	EXPECT_TRUE(log_has("gomem: BUG tdbg (Not tainted): Left Redzone overwritten"));
	EXPECT_TRUE(log_has("First bad byte at object-1 (object size 100)"));
	EXPECT_EQ(1, gomem_debug_isolated(self->c->cls));
	EXPECT_TRUE(never_handed_out(self->c, p, 300));
}

TEST_F(dbg, write_after_free)
{
	void *keep = gomem_cache_alloc(self->c, GFP_KERNEL);
	u8 *p = gomem_cache_alloc(self->c, GFP_KERNEL);
	void *q;

	ASSERT_NE(NULL, p);
	gomem_cache_free(self->c, p);
	EXPECT_EQ(0, log_count("gomem: BUG"));
	p[10] = 0x33;
	q = gomem_cache_alloc(self->c, GFP_KERNEL);	/* reaches p's slot: isolated */
	EXPECT_NE(p, q);
	EXPECT_TRUE(log_has("gomem: BUG tdbg (Not tainted): Poison overwritten"));
	EXPECT_TRUE(log_has("First byte 0x33 instead of 0x6b"));
	EXPECT_TRUE(log_has("First bad byte at object+10 (object size 100)"));
	EXPECT_TRUE(log_has("isolated at allocation"));
	EXPECT_EQ(1, gomem_debug_isolated(self->c->cls));
	EXPECT_TRUE(never_handed_out(self->c, p, 300));
	/* a free of the isolated object is a double free, refused */
	gomem_cache_free(self->c, p);
	EXPECT_TRUE(log_has("Object already freed (isolated)"));
	gomem_cache_free(self->c, q);
	gomem_cache_free(self->c, keep);
}

TEST_F(dbg, double_free)
{
	void *keep = gomem_cache_alloc(self->c, GFP_KERNEL);
	u8 *p = gomem_cache_alloc(self->c, GFP_KERNEL);

	gomem_cache_free(self->c, p);
	gomem_cache_free(self->c, p);
	EXPECT_TRUE(log_has("gomem: BUG tdbg (Not tainted): Object already free"));
	EXPECT_TRUE(log_has("refused"));
	EXPECT_EQ(1, gomem_stat_sum(GOMEM_STAT_DOUBLE_FREES) - self->dbl0);
	EXPECT_EQ(0, gomem_debug_isolated(self->c->cls));
	EXPECT_EQ(1, gomem_cache_active(self->c));
	/* a write over the mark does not hide it: the span's bit does */
	memset(p + 120 - 16, 0, 16 + 8 + 16);
	gomem_cache_free(self->c, p);
	EXPECT_EQ(2, gomem_stat_sum(GOMEM_STAT_DOUBLE_FREES) - self->dbl0);
	gomem_cache_free(self->c, keep);
}

TEST_F(dbg, interior_pointer_refused)
{
	u8 *p = gomem_cache_alloc(self->c, GFP_KERNEL);

	gomem_cache_free(self->c, p + 8);
	EXPECT_TRUE(log_has("not the start of an object"));
	EXPECT_EQ(1, gomem_cache_active(self->c));
	gomem_cache_free(self->c, p);
	EXPECT_EQ(0, log_count("gomem: BUG"));
}

TEST_F(dbg, leak_at_destroy)
{
	void *o[3];
	int i;

	for (i = 0; i < 3; i++)
		o[i] = gomem_cache_alloc(self->c, GFP_KERNEL);
	gomem_cache_destroy(self->c);
	EXPECT_TRUE(log_has("destroyed with 3 objects still allocated"));
	EXPECT_TRUE(log_has("gomem: BUG tdbg (Not tainted): Objects remaining in tdbg on destroy"));
	EXPECT_EQ(3, log_count("Allocated in "));
	EXPECT_TRUE(log_has("gomem: tdbg: 3 objects remaining (3 shown)"));
	for (i = 0; i < 3; i++)
		gomem_cache_free(self->c, o[i]);
}

/* an isolated object does not keep its cache from being destroyed */
TEST_F(dbg, isolated_released_at_destroy)
{
	u8 *p = gomem_cache_alloc(self->c, GFP_KERNEL);

	p[100] = 1;
	gomem_cache_free(self->c, p);
	EXPECT_EQ(1, gomem_debug_isolated(self->c->cls));
	shim_log_capture(true);
	gomem_cache_destroy(self->c);
	self->c = NULL;
	/* and its memory goes back: the teardown finds no page held */
	EXPECT_FALSE(log_has("destroyed with"));
}

TEST_F(dbg, validate)
{
	struct gomem_debug_census c;
	void *o[40];
	u8 *p;
	int i;

	for (i = 0; i < 40; i++)
		o[i] = gomem_cache_alloc(self->c, GFP_KERNEL);
	for (i = 0; i < 40; i += 2)
		gomem_cache_free(self->c, o[i]);
	gomem_debug_validate(self->c->cls, &c);
	EXPECT_EQ(20, c.allocated);
	EXPECT_EQ(0, c.errors);
	EXPECT_EQ(0, c.isolated);
	EXPECT_EQ(0, c.reported);
	EXPECT_EQ(c.objects, c.allocated + c.free);
	EXPECT_EQ(self->c->cls->nelems * c.spans, c.objects);
	/* damage: a live object's red zone, a free object's poison */
	p = o[1];
	p[103] = 7;
	p = o[2];
	p[50] = 7;
	gomem_debug_validate(self->c->cls, &c);
	EXPECT_EQ(2, c.errors);
	EXPECT_EQ(2, c.reported);
	EXPECT_TRUE(log_has("Right Redzone overwritten"));
	EXPECT_TRUE(log_has("Poison overwritten"));
	/* reported and repaired: a second walk is clean */
	gomem_debug_validate(self->c->cls, &c);
	EXPECT_EQ(0, c.errors);
	EXPECT_EQ(2, c.reported);
	for (i = 1; i < 40; i += 2)
		gomem_cache_free(self->c, o[i]);
}

/* validate while another thread allocates and frees: never a false fault */
struct churn_arg {
	struct gomem_cache *c;
	bool stop;
	long ops;
};

static void *churn(void *a)
{
	struct churn_arg *ca = a;
	void *o[64] = { };
	unsigned int i = 0;

	while (!READ_ONCE(ca->stop)) {
		if (o[i % 64])
			gomem_cache_free(ca->c, o[i % 64]);
		o[i % 64] = gomem_cache_alloc(ca->c, GFP_KERNEL);
		i = i * 7 + 3;
		WRITE_ONCE(ca->ops, ca->ops + 1);
	}
	for (i = 0; i < 64; i++)
		if (o[i])
			gomem_cache_free(ca->c, o[i]);
	return NULL;
}

TEST_F(dbg, validate_under_churn)
{
	struct churn_arg ca = { .c = self->c };
	struct gomem_debug_census c;
	unsigned long errors = 0;
	u64 t0;
	pthread_t t;
	int i;

	ASSERT_EQ(0, pthread_create(&t, NULL, churn, &ca));
	while (READ_ONCE(ca.ops) < 100)
		sched_yield();
	/*
	 * Walks until the churn has done 5000 operations (at most 60 s): a
	 * walk holds the debug lock the churn needs, so each yields after
	 * it (walking back to back, one CI run's churn got 724 operations in
	 * 100000 walks)
	 */
	t0 = shim_ns();
	for (i = 0; READ_ONCE(ca.ops) < 5000 && shim_ns() - t0 < 60000000000ULL; i++) {
		gomem_debug_validate(self->c->cls, &c);
		errors += c.errors;
		sched_yield();
	}
	WRITE_ONCE(ca.stop, true);
	pthread_join(t, NULL);
	EXPECT_EQ(0, errors);
	EXPECT_LT(1000, ca.ops);
	EXPECT_LT(10, i);		/* walks that ran while it churned */
	EXPECT_EQ(0, log_count("gomem: BUG"));
	EXPECT_EQ(0, gomem_cache_active(self->c));
}

static noinline void *alloc_here(struct gomem_cache *c)
{
	return gomem_cache_alloc(c, GFP_KERNEL);
}

static noinline void *alloc_there(struct gomem_cache *c)
{
	return gomem_cache_alloc(c, GFP_KERNEL);
}

TEST_F(dbg, traces)
{
	struct seq_file m = { };
	void *o[8];
	char *first, *second;
	int i;

	for (i = 0; i < 5; i++)
		o[i] = alloc_here(self->c);
	for (; i < 8; i++)
		o[i] = alloc_there(self->c);
	gomem_debug_traces(self->c->cls, false, &m);
	ASSERT_NE(NULL, m.buf);
	/* two stacks, the one with 5 objects first */
	first = strstr(m.buf, "      5 ");
	second = strstr(m.buf, "      3 ");
	EXPECT_NE(NULL, first);
	EXPECT_NE(NULL, second);
	EXPECT_LT(first, second);
	free(m.buf);
	memset(&m, 0, sizeof(m));
	for (i = 0; i < 2; i++)		/* one call site */
		gomem_cache_free(self->c, o[i]);
	gomem_debug_traces(self->c->cls, true, &m);
	EXPECT_NE(NULL, strstr(m.buf, "      2 "));
	free(m.buf);
	for (i = 2; i < 8; i++)
		gomem_cache_free(self->c, o[i]);
}

/* debug flags on a cache with a constructor: the constructor sees the object */
static void ctor_fill(void *p)
{
	memset(p, 0x3c, 48);
}

TEST(ctor_sees_object)
{
	struct gomem_cache *c;
	u8 *p;
	int i;

	ASSERT_EQ(0, gomem_host_init());
	c = gomem_cache_create("tdbg_ctor", 48, 0, FZPU, ctor_fill);
	ASSERT_NE(NULL, c);
	p = gomem_cache_alloc(c, GFP_KERNEL);
	for (i = 0; i < 48; i++)
		ASSERT_EQ(0x3c, p[i]);
	EXPECT_EQ(0xcc, p[-1]);
	EXPECT_EQ(0xcc, p[48]);
	gomem_cache_free(c, p);
	for (i = 0; i < 48; i++)	/* constructed objects are not poisoned */
		ASSERT_EQ(0x3c, p[i]);
	gomem_cache_destroy(c);
	EXPECT_EQ(0, gomem_host_exit());
}

/* alignment: the left red zone keeps objects aligned */
TEST(aligned_objects)
{
	struct gomem_cache *c;
	void *o[20];
	int i;

	ASSERT_EQ(0, gomem_host_init());
	c = gomem_cache_create("tdbg_al", 200, 256, GOMEM_RED_ZONE, NULL);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(256, c->cls->debug->left);
	for (i = 0; i < 20; i++) {
		o[i] = gomem_cache_alloc(c, GFP_KERNEL);
		EXPECT_EQ(0, (unsigned long)o[i] % 256);
	}
	for (i = 0; i < 20; i++)
		gomem_cache_free(c, o[i]);
	gomem_cache_destroy(c);
	EXPECT_EQ(0, gomem_host_exit());
}

TEST(parse)
{
	ASSERT_EQ(0, gomem_debug_setup("FZPU,kmalloc-256;U,my_records,other*;Z"));
	/* the last rule that names it wins: "Z" names everything */
	EXPECT_EQ(GOMEM_RED_ZONE, gomem_debug_flags_for("kmalloc-256"));
	ASSERT_EQ(0, gomem_debug_setup("FZPU,kmalloc-256;U,my_records,other*"));
	EXPECT_EQ(FZPU, gomem_debug_flags_for("kmalloc-256"));
	EXPECT_EQ(GOMEM_STORE_USER, gomem_debug_flags_for("my_records"));
	EXPECT_EQ(GOMEM_STORE_USER, gomem_debug_flags_for("other_cache"));
	EXPECT_EQ(0, gomem_debug_flags_for("kmalloc-512"));
	EXPECT_EQ(0, gomem_debug_flags_for("my_records2"));
	ASSERT_EQ(0, gomem_debug_setup("P"));
	EXPECT_EQ(GOMEM_POISON, gomem_debug_flags_for("anything"));
	ASSERT_EQ(0, gomem_debug_setup(",a;-,b"));
	EXPECT_EQ(FZPU, gomem_debug_flags_for("a"));
	EXPECT_EQ(0, gomem_debug_flags_for("b"));
	ASSERT_EQ(0, gomem_debug_setup("fz,,x,"));
	EXPECT_EQ(GOMEM_CONSISTENCY_CHECKS | GOMEM_RED_ZONE, gomem_debug_flags_for("x"));
	ASSERT_EQ(0, gomem_debug_setup(""));
	EXPECT_EQ(0, gomem_debug_flags_for("x"));
	gomem_debug_teardown();
}

/* gomem.debug= on a kmalloc class and a cache name: set up at load */
FIXTURE(kdbg) {
	int dummy;
};

FIXTURE_SETUP(kdbg)
{
	ASSERT_EQ(0, gomem_debug_setup("FZPU,kmalloc-256,named_cache"));
	ASSERT_EQ(0, gomem_host_init());
	shim_quiet = 1;
	shim_log_capture(true);
}

FIXTURE_TEARDOWN(kdbg)
{
	shim_log_capture(false);
	shim_quiet = 0;
	EXPECT_EQ(0, gomem_host_check());
	EXPECT_EQ(0, gomem_host_exit());
	gomem_debug_teardown();
}

TEST_F(kdbg, kmalloc_class)
{
	struct gomem_class *g = &gomem_classes[gomem_size_to_class(256) << 1];
	u8 *keep, *p, *q;

	ASSERT_NE(NULL, g->redirect);
	EXPECT_EQ(NULL, gomem_classes[gomem_size_to_class(512) << 1].redirect);
	keep = gomem_kmalloc(200, GFP_KERNEL);
	p = gomem_kmalloc(256, GFP_KERNEL);	/* the constant-size path too */
	ASSERT_NE(NULL, p);
	EXPECT_EQ(256, gomem_ksize(p));
	EXPECT_EQ(g->redirect, gomem_ptr_to_span(p)->cls);
	p[256] = 0x44;
	gomem_kfree(p);
	EXPECT_TRUE(log_has("gomem: BUG kmalloc-256 (Not tainted): Right Redzone overwritten"));
	EXPECT_TRUE(log_has("First bad byte at object+256 (object size 256)"));
	gomem_kfree(p);
	EXPECT_TRUE(log_has("BUG kmalloc-256 (Not tainted): Object already freed (isolated)"));
	q = gomem_kmalloc(256, GFP_KERNEL);
	q[-3] = 1;
	gomem_kfree(q);
	EXPECT_TRUE(log_has("Left Redzone overwritten"));
	EXPECT_EQ(2, gomem_debug_isolated(g->redirect));
	/* other sizes are untouched */
	p = gomem_kmalloc(512, GFP_KERNEL);
	EXPECT_EQ(&gomem_classes[gomem_size_to_class(512) << 1], gomem_ptr_to_span(p)->cls);
	gomem_kfree(p);
	gomem_kfree(keep);
}

TEST_F(kdbg, named_and_merged_caches)
{
	struct gomem_cache *named = gomem_cache_create("named_cache", 64, 0, 0, NULL);
	struct gomem_cache *merged = gomem_cache_create("m256", 256, 0, 0, NULL);
	u8 *p;

	ASSERT_NE(NULL, named);
	ASSERT_NE(NULL, merged);
	EXPECT_EQ(&named->own, named->cls);
	EXPECT_NE(NULL, named->cls->debug);
	EXPECT_EQ(FZPU, named->flags & FZPU);
	/* a cache that would merge onto kmalloc-256 gets its debug class */
	EXPECT_EQ(gomem_classes[gomem_size_to_class(256) << 1].redirect, merged->cls);
	p = gomem_cache_alloc(merged, GFP_KERNEL);
	p[256] = 9;
	gomem_cache_free(merged, p);
	EXPECT_TRUE(log_has("gomem: BUG kmalloc-256 (Not tainted): Right Redzone overwritten"));
	EXPECT_EQ(0, gomem_cache_active(merged));
	p = gomem_cache_alloc(named, GFP_KERNEL);
	p[64] = 9;
	gomem_kfree(p);				/* kfree() of a debug cache's object */
	EXPECT_TRUE(log_has("gomem: BUG named_cache (Not tainted): Right Redzone overwritten"));
	EXPECT_EQ(0, gomem_cache_active(named));
	gomem_cache_destroy(named);
	gomem_cache_destroy(merged);
}

TEST_HARNESS_MAIN
