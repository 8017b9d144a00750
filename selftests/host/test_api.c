// SPDX-License-Identifier: GPL-2.0
/*
 * gomem's public API in userspace: the common suite
 * (selftests/common/api_tests.h), one TEST_F per case, each on a freshly
 * initialised gomem. The kernel runs the same cases in test_gomem_cache.ko.
 *
 * What the kernel reads from /proc/gomem is read here from gomem's internal
 * counters, computed as gomem/procfs.c computes them.
 */
#include <sys/wait.h>
#include "gomem_host.h"
#include "kselftest_harness.h"

#define API_CTX		struct __test_metadata
#define API_ARGS	struct __test_metadata *_metadata
#define API_PASS	_metadata
/* a failing case exits with its step: at least 1, which the harness reports */
#define API_FAIL(fmt, ...) do {						\
	_metadata->passed = 0;						\
	if (!_metadata->step)						\
		_metadata->step = 1;					\
	TH_LOG(fmt, ##__VA_ARGS__);					\
} while (0)

#define API_NOTE(fmt, ...)	TH_LOG(fmt, ##__VA_ARGS__)

#include "api_tests.h"
#include "fit.h"

/* a thread keeps its CPU slot: nothing to pin */
static void api_pin(void)
{
}

static void api_unpin(void)
{
}

static void api_quiet(bool on)
{
	shim_quiet = on;
}

static void api_section(const char *name)
{
}

static void api_counts(struct api_counts *c)
{
	unsigned long la = 0, lf = 0, h, f;
	struct gomem_heap_stats st;
	int node;

	for_each_node(node) {
		gomem_heap_snapshot(gomem_heaps[node], &st, &h, &f);
		la += st.large_allocs;
		lf += st.large_frees;
	}
	c->bad_frees = gomem_stat_sum(GOMEM_STAT_BAD_FREES);
	c->double_frees = gomem_stat_sum(GOMEM_STAT_DOUBLE_FREES);
	c->small_inuse = gomem_host_small_inuse();
	c->large_inuse = la - lf;
	c->vmalloc_inuse = gomem_stat_sum(GOMEM_STAT_VMALLOC_ALLOCS) -
			   gomem_stat_sum(GOMEM_STAT_VMALLOC_FREES);
	c->tiny_inuse = gomem_stat_sum(GOMEM_STAT_TINY_ALLOCS) -
			gomem_stat_sum(GOMEM_STAT_TINY_FREES);
}

static void api_cache_stat(const char *name, struct api_cache_stat *s)
{
	struct gomem_cache *c;
	unsigned long objs;
	int cpu;

	memset(s, 0, sizeof(*s));
	mutex_lock(&gomem_cache_mutex);
	list_for_each_entry(c, &gomem_caches, list) {
		if (strcmp(c->name, name))
			continue;
		s->listed = true;
		for_each_possible_cpu(cpu) {
			s->allocs += READ_ONCE(per_cpu_ptr(c->pcpu, cpu)->allocs);
			s->frees += READ_ONCE(per_cpu_ptr(c->pcpu, cpu)->frees);
		}
		s->active = s->allocs - s->frees;
		s->spans = -1;
		if (c->cls == &c->own) {
			unsigned long spans;

			gomem_mcentral_count(&c->own, &spans, &objs);
			s->spans = spans;
		}
		s->per_span = c->cls->nelems;
		s->span_bytes = (unsigned long)c->cls->npages << GOMEM_PAGE_SHIFT;
		break;
	}
	mutex_unlock(&gomem_cache_mutex);
}

static char api_foreign_data[64];
static void *api_foreign_heap;

/* memory gomem does not own: libc's, and program data */
static int api_foreign(void **p, int max)
{
	api_foreign_heap = malloc(64);
	p[0] = api_foreign_heap;
	p[1] = api_foreign_data;
	return 2;
}

static void api_foreign_put(void)
{
	free(api_foreign_heap);
	api_foreign_heap = NULL;
}

/*
 * No SLUB here: its slot as mm/slub.c's calculate_sizes() makes it for
 * these flags (8-byte aligned; the free pointer after the object for a
 * constructor, typesafe-by-RCU or poison; then the alignment), and its
 * slab as calculate_order() picks it (fit.c's gomem_slub_slab(), for as
 * many CPUs as gomem's). The kernel's run compares with SLUB's own caches.
 */
static bool api_slub_geometry(const char *name, unsigned int size, unsigned int align,
			      unsigned long flags, void (*ctor)(void *), struct api_slub *out)
{
	unsigned long slot = ALIGN((unsigned long)size, 8);
	struct gomem_slub_slab sl;

	if (ctor || (flags & (GOMEM_TYPESAFE_BY_RCU | GOMEM_POISON)))
		slot += sizeof(void *);
	slot = ALIGN(slot, max(align, 8U));
	if (slot > UINT_MAX || gomem_slub_slab(slot, nr_cpu_ids, &sl))
		return false;
	out->size = slot;
	out->slab_bytes = 4096UL << sl.order;
	out->objects = sl.objects;
	return true;
}

/*
 * One harness test per case of api_tests[]: registered here, in the
 * table's order, as TEST() would register them one by one. Each brings a
 * fresh gomem up and checks that every page went back.
 */
static struct __test_metadata api_meta[ARRAY_SIZE(api_tests)];

static void api_host_run(struct __test_metadata *_metadata,
			 struct __fixture_variant_metadata *variant)
{
	const struct api_test *t = &api_tests[_metadata - api_meta];
	struct shim_page_stats ps;
	unsigned long held;
	unsigned int bad;

	shim_pages_max_order = MAX_ORDER - 1;
	shim_pages_fail_after = -1;
	shim_pages_limit = -1;
	if (API_EXPECT(!gomem_host_init(), "gomem_host_init() failed"))
		return;
	t->fn(_metadata);
	shim_quiet = 0;
	bad = gomem_host_check();	/* the span-state table as the case left it */
	API_EXPECT(!bad, "%s: %u span-state violations", t->name, bad);
	held = gomem_host_exit();
	API_EXPECT(!held, "%s: %lu pages held after exit", t->name, held);
	shim_pages_stats(&ps);
	API_EXPECT(!ps.blocks, "%s: %lu page blocks not given back", t->name,
		   (unsigned long)ps.blocks);
}

static void __attribute__((constructor)) api_register(void)
{
	unsigned int i, n = ARRAY_SIZE(api_tests);

	for (i = 0; i < n; i++) {
		/* the list is built backwards until the order is known */
		unsigned int k = __constructor_order == _CONSTRUCTOR_ORDER_FORWARD ? i : n - 1 - i;

		api_meta[k].name = api_tests[k].name;
		api_meta[k].fn = api_host_run;
		api_meta[k].fixture = &_fixture_global;
		api_meta[k].termsig = -1;
		api_meta[k].timeout = TEST_TIMEOUT_DEFAULT;
		__register_test(&api_meta[k]);
	}
}

/*
 * GOMEM_PANIC: a cache that cannot be created (size 0) panics instead of
 * returning NULL, as SLAB_PANIC does: the shim's panic() aborts, in a child
 * (the harness takes SIGABRT for a failed assertion).
 */
TEST(panic_flag)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		if (gomem_host_init())
			_exit(2);
		gomem_cache_create("tgc_panic_bad", 0, 0, GOMEM_PANIC, NULL);
		_exit(0);	/* it returned: no panic */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT)
		TH_LOG("status %#x: the child did not panic", status);
}

TEST_HARNESS_MAIN

