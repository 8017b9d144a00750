// SPDX-License-Identifier: GPL-2.0
/*
 * Multi-threaded stress of the whole allocator in userspace: every thread is
 * a CPU; sizes 1 B to 64 KiB (small, tiny-packed noscan, large); about a
 * third of the frees happen on a thread other than the allocating one
 * (objects are passed through mailboxes). Every object carries its owner's
 * pattern, verified before it is freed, and a shadow bitmap with one bit
 * per byte proves that no two live objects ever overlap: marking an object
 * sets its bits with an atomic OR and fails if any was already set.
 *
 * GOMEM_STRESS_OPS (10,000,000) and GOMEM_STRESS_THREADS (4) scale it.
 */
#include "gomem_host.h"
#include "kselftest_harness.h"

#define MAX_THREADS	16
#define SLOTS		2048
#define MAILBOX		1024

struct obj {
	char *p;
	u32 size;
	u32 tag;
};

struct mailbox {
	pthread_mutex_t lock;
	unsigned int n;
	struct obj o[MAILBOX];
};

static struct mailbox mbox[MAX_THREADS];
static unsigned int nthreads;
static unsigned long ops_per_thread;
static long errors_total;
static long cross_frees, local_frees, allocs_total;

/* ---- shadow: 1 bit per byte, per 4 MiB chunk, allocated on first use ---- */
#define SH_CHUNK_SHIFT	22
#define SH_WORDS	((1UL << SH_CHUNK_SHIFT) / 64)
static u64 **shadow;

static u64 *shadow_chunk(unsigned long addr)
{
	u64 **slot = &shadow[addr >> SH_CHUNK_SHIFT], *c = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	u64 *fresh, *expected = NULL;

	if (c)
		return c;
	fresh = calloc(SH_WORDS, sizeof(u64));
	if (__atomic_compare_exchange_n(slot, &expected, fresh, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return fresh;
	free(fresh);
	return expected;
}

/* set (mark) or clear the bits of [p, p + size); Return: 0 or 1 on a clash */
static int shadow_update(const char *p, size_t size, bool mark)
{
	unsigned long a = (unsigned long)p, end = a + size;
	int bad = 0;

	while (a < end) {
		u64 *c = shadow_chunk(a);
		unsigned long bit = a & ((1UL << SH_CHUNK_SHIFT) - 1);
		unsigned long n = min(end - a, 64 - (bit & 63));
		u64 mask = (n == 64 ? ~0ULL : ((1ULL << n) - 1)) << (bit & 63), old;

		if (mark) {
			old = __atomic_fetch_or(&c[bit / 64], mask, __ATOMIC_RELAXED);
			if (old & mask)
				bad = 1;
		} else {
			old = __atomic_fetch_and(&c[bit / 64], ~mask, __ATOMIC_RELAXED);
			if ((old & mask) != mask)
				bad = 1;
		}
		a += n;
	}
	if (bad)
		fprintf(stderr, "shadow: %s of %p + %zu finds %s\n", mark ? "mark" : "clear",
			p, size, mark ? "bytes of another live object" : "bytes not marked");
	return bad;
}

/* ---- owner patterns: head, tail and one word per KiB ---- */
static inline u8 pat(u32 tag, size_t i)
{
	return (u8)(tag * 131 + i * 7 + (i >> 8));
}

static void fill(struct obj *o)
{
	size_t i, head = min_t(size_t, o->size, 256);

	for (i = 0; i < head; i++)
		o->p[i] = pat(o->tag, i);
	for (i = head; i < o->size; i += (i + 64 < o->size ? 1024 : 1))
		o->p[i] = pat(o->tag, i);
}

static int check(struct obj *o)
{
	size_t i, head = min_t(size_t, o->size, 256);

	for (i = 0; i < head; i++)
		if ((u8)o->p[i] != pat(o->tag, i))
			goto bad;
	for (i = head; i < o->size; i += (i + 64 < o->size ? 1024 : 1))
		if ((u8)o->p[i] != pat(o->tag, i))
			goto bad;
	return 0;
bad:
	fprintf(stderr, "object %p size %u owner tag %u corrupted at byte %zu\n",
		o->p, o->size, o->tag, i);
	return 1;
}

static u64 rng(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static u32 pick_size(u64 *s, bool *noscan)
{
	u32 r = rng(s) % 1000;

	*noscan = rng(s) % 4 == 0;
	if (r < 700)
		return 1 + rng(s) % 256;
	if (r < 900)
		return 257 + rng(s) % (4096 - 256);
	if (r < 985)
		return 4097 + rng(s) % (32768 - 4096);
	return 32769 + rng(s) % (65536 - 32768);
}

static int release(struct obj *o)
{
	int bad = check(o) + shadow_update(o->p, o->size, false);

	gomem_kfree(o->p);
	return bad;
}

static int drain_mailbox(unsigned int me)
{
	struct obj local[MAILBOX];
	unsigned int n, i;
	int bad = 0;

	pthread_mutex_lock(&mbox[me].lock);
	n = mbox[me].n;
	memcpy(local, mbox[me].o, n * sizeof(local[0]));
	mbox[me].n = 0;
	pthread_mutex_unlock(&mbox[me].lock);
	for (i = 0; i < n; i++)
		bad += release(&local[i]);
	__atomic_fetch_add(&cross_frees, n, __ATOMIC_RELAXED);
	return bad;
}

static void *worker(void *arg)
{
	unsigned int me = (unsigned long)arg, i, to;
	u64 seed = 0x9e3779b97f4a7c15ULL * (me + 1);
	static __thread struct obj live[SLOTS];
	long bad = 0, nlocal = 0, nalloc = 0;
	unsigned long op;
	bool noscan;
	struct obj *o;

	memset(live, 0, sizeof(live));
	for (op = 0; op < ops_per_thread; op++) {
		o = &live[rng(&seed) % SLOTS];
		if (!o->p) {
			o->size = pick_size(&seed, &noscan);
			o->tag = (u32)(me << 24 | (op & 0xffffff));
			o->p = noscan ? gomem_kmalloc_noscan(o->size, GFP_KERNEL) :
					gomem_kmalloc(o->size, GFP_KERNEL);
			if (!o->p) {
				bad++;
				continue;
			}
			nalloc++;
			bad += shadow_update(o->p, o->size, true);
			fill(o);
		} else if (nthreads > 1 && rng(&seed) % 3 == 0) {
			/* hand it to another thread, which frees it */
			to = (me + 1 + rng(&seed) % (nthreads - 1)) % nthreads;
			pthread_mutex_lock(&mbox[to].lock);
			if (mbox[to].n < MAILBOX) {
				mbox[to].o[mbox[to].n++] = *o;
				o->p = NULL;
			}
			pthread_mutex_unlock(&mbox[to].lock);
			if (o->p) {
				bad += release(o);
				nlocal++;
				o->p = NULL;
			}
		} else {
			bad += release(o);
			nlocal++;
			o->p = NULL;
		}
		if ((op & 255) == 0)
			bad += drain_mailbox(me);
	}
	for (i = 0; i < SLOTS; i++) {
		if (live[i].p) {
			bad += release(&live[i]);
			nlocal++;
		}
	}
	__atomic_fetch_add(&errors_total, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&local_frees, nlocal, __ATOMIC_RELAXED);
	__atomic_fetch_add(&allocs_total, nalloc, __ATOMIC_RELAXED);
	return NULL;
}

/* the last mailbox drain and the CPU going offline, after every worker ended */
static void *finisher(void *arg)
{
	unsigned int me = (unsigned long)arg;

	__atomic_fetch_add(&errors_total, drain_mailbox(me), __ATOMIC_RELAXED);
	gomem_host_cpu_dead(shim_cpu_id());
	shim_cpu_release();
	return NULL;
}

static void *worker_then_park(void *arg)
{
	worker(arg);
	return NULL;
}

FIXTURE(st) {
	int dummy;
};

FIXTURE_SETUP(st)
{
}

FIXTURE_TEARDOWN(st)
{
}

/* 10 million operations take a while under ThreadSanitizer */
TEST_F_TIMEOUT(st, stress, 900)
{
	unsigned long ops = getenv("GOMEM_STRESS_OPS") ? strtoul(getenv("GOMEM_STRESS_OPS"), NULL, 0)
						       : 10000000;
	pthread_t t[MAX_THREADS];
	unsigned long held;
	unsigned int i;
	u64 t0 = shim_ns();

	nthreads = getenv("GOMEM_STRESS_THREADS") ? atoi(getenv("GOMEM_STRESS_THREADS")) : 4;
	ASSERT_GE(nthreads, 1);
	ASSERT_LE(nthreads, MAX_THREADS);
	ops_per_thread = ops / nthreads;
	shadow = mmap(NULL, sizeof(u64 *) << (47 - SH_CHUNK_SHIFT), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, shadow);
	ASSERT_EQ(0, gomem_host_init());
	for (i = 0; i < nthreads; i++)
		pthread_mutex_init(&mbox[i].lock, NULL);

	/*
	 * Workers keep their CPU slot until every worker has finished, so a
	 * finisher can drain the mailboxes; then each slot is drained (its
	 * "CPU" goes offline) by a thread of its own.
	 */
	for (i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker_then_park, (void *)(unsigned long)i);
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < nthreads; i++) {
		pthread_create(&t[i], NULL, finisher, (void *)(unsigned long)i);
		pthread_join(t[i], NULL);
	}
	TH_LOG("%u threads, %lu ops in %.1f s: %ld allocations, %ld local frees, %ld cross-thread frees (%.0f%%)",
	       nthreads, ops_per_thread * nthreads, (shim_ns() - t0) / 1e9, allocs_total,
	       local_frees, cross_frees, 100.0 * cross_frees / (local_frees + cross_frees));
	for (i = 0; i < nr_node_ids; i++) {
		struct gomem_heap_stats hs;
		unsigned long h, f;

		gomem_heap_snapshot(gomem_heaps[i], &hs, &h, &f);
		TH_LOG("node %u: grown %lu blocks, released %lu pages (%lu blocks whole, %lu pages of %lu split blocks), %lu held",
		       i, hs.grown_blocks, hs.released_pages, hs.released_blocks,
		       hs.split_released_pages, hs.split_blocks, h);
	}
	EXPECT_EQ(0, errors_total);
	EXPECT_EQ(allocs_total, local_frees + cross_frees);
	EXPECT_EQ(0, gomem_stat_sum(GOMEM_STAT_BAD_FREES));
	/* worker threads exited without draining: they are offline CPUs now */
	for (i = 0; i < NR_CPUS; i++)
		gomem_host_cpu_dead(i);
	EXPECT_EQ(0, gomem_host_check());
	EXPECT_EQ(0, gomem_host_small_inuse());
	EXPECT_EQ(gomem_stat_sum(GOMEM_STAT_TINY_ALLOCS), gomem_stat_sum(GOMEM_STAT_TINY_FREES));
	held = gomem_host_exit();
	EXPECT_EQ(0, held);
}

TEST_HARNESS_MAIN
