// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints' switch (gomem/trace.c) in userspace: while an allocation
 * or free event is enabled, every allocation and free, whichever entry
 * point and however warm the caches were, reaches a full path and fires
 * exactly one event, with the caller's address; no magazine fills; when
 * the events are off again the fast paths come back. The shim counts the
 * events (shim.h); the kernel's tracefs run is selftests/guest/tests/46-trace.
 */
#include "gomem_host.h"
#include "cache.h"
#include "drain.h"
#include "kselftest_harness.h"

/* what gomem_trace_reg() and gomem_trace_unreg() do, in userspace */
static void trace_on(void)
{
	WRITE_ONCE(shim_tracing, true);
	gomem_classes_set_fastpath(false);
	atomic_long_inc(&gomem_span_gen);
	gomem_drain_all();
	memset(&shim_trace, 0, sizeof(shim_trace));
}

static void trace_off(void)
{
	WRITE_ONCE(shim_tracing, false);
	gomem_classes_set_fastpath(true);
}

static unsigned long cached_objects(void)
{
	unsigned long a, f, c, n = 0;
	unsigned int spc;

	for (spc = 2; spc < GOMEM_NUM_SPAN_CLASSES; spc++) {
		gomem_class_sum(&gomem_classes[spc], &a, &f, &c);
		n += c;
		if (gomem_classes[spc].merged) {	/* ttrace's objects */
			gomem_class_sum(gomem_classes[spc].merged, &a, &f, &c);
			n += c;
		}
	}
	return n;
}

FIXTURE(tr) {
	struct gomem_cache *c;
};

FIXTURE_SETUP(tr)
{
	ASSERT_EQ(0, gomem_host_init());
	self->c = gomem_cache_create("ttrace", 200, 0, 0, NULL);
	ASSERT_NE(NULL, self->c);
}

FIXTURE_TEARDOWN(tr)
{
	trace_off();
	gomem_cache_destroy(self->c);
	EXPECT_EQ(0, gomem_host_check());
	EXPECT_EQ(0, gomem_host_exit());
}

static noinline void *site_alloc(struct gomem_cache *c)
{
	void *p = gomem_cache_alloc(c, GFP_KERNEL);

	barrier();
	return p;
}

TEST_F(tr, every_operation_one_event)
{
	void *o[64], *b[40], *k[64];
	int i;

	/* warm: magazines and the free hint full of this cache's objects */
	for (i = 0; i < 64; i++)
		o[i] = gomem_cache_alloc(self->c, GFP_KERNEL);
	for (i = 0; i < 64; i++)
		gomem_cache_free(self->c, o[i]);
	EXPECT_LT(0, cached_objects());

	trace_on();
	EXPECT_EQ(0, cached_objects());		/* drained */
	for (i = 0; i < 64; i++)
		o[i] = gomem_cache_alloc(self->c, GFP_KERNEL);
	EXPECT_EQ(64, shim_trace.allocs);
	EXPECT_STREQ("ttrace", shim_trace.last_cache);
	EXPECT_EQ(200, shim_trace.last_req);
	for (i = 0; i < 64; i++)
		/* the constant-size path, then the run-time one */
		k[i] = i < 32 ? gomem_kmalloc(100, GFP_KERNEL) :
				gomem_kmalloc(1000 + i, GFP_KERNEL);
	EXPECT_EQ(128, shim_trace.allocs);
	EXPECT_STREQ("kmalloc", shim_trace.last_cache);
	EXPECT_EQ(1063, shim_trace.last_req);
	EXPECT_EQ(1152, shim_trace.last_alloc_bytes);
	EXPECT_EQ(k[63], shim_trace.last_alloc);
	EXPECT_EQ(40, gomem_cache_alloc_bulk(self->c, GFP_KERNEL, 40, b));
	EXPECT_EQ(168, shim_trace.allocs);
	for (i = 0; i < 64; i++)
		gomem_cache_free(self->c, o[i]);
	for (i = 0; i < 64; i++)
		gomem_kfree(k[i]);
	gomem_cache_free_bulk(self->c, 40, b);
	EXPECT_EQ(168, shim_trace.frees);
	EXPECT_EQ(b[39], shim_trace.last_free);
	EXPECT_EQ(0, cached_objects());		/* nothing went to a magazine */
	/* the call site is the caller's */
	site_alloc(self->c);
	EXPECT_GE(shim_trace.last_alloc_site, (unsigned long)site_alloc);
	EXPECT_LT(shim_trace.last_alloc_site, (unsigned long)site_alloc + 64);
	gomem_cache_free(self->c, (void *)shim_trace.last_alloc);

	trace_off();
	for (i = 0; i < 16; i++)
		o[i] = gomem_cache_alloc(self->c, GFP_KERNEL);
	for (i = 0; i < 16; i++)
		gomem_cache_free(self->c, o[i]);
	EXPECT_LT(0, cached_objects());		/* the fast paths are back */
}

/* misuse while tracing is still found and refused */
TEST_F(tr, misuse_while_tracing)
{
	unsigned long dbl = gomem_stat_sum(GOMEM_STAT_DOUBLE_FREES);
	void *p;

	trace_on();
	p = gomem_cache_alloc(self->c, GFP_KERNEL);
	gomem_cache_free(self->c, p);
	shim_quiet = 1;
	gomem_cache_free(self->c, p);
	shim_quiet = 0;
	EXPECT_EQ(1, gomem_stat_sum(GOMEM_STAT_DOUBLE_FREES) - dbl);
	EXPECT_EQ(2, shim_trace.frees);		/* the refused free is an event too */
}

TEST_HARNESS_MAIN
