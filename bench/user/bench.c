// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace benchmarks: the workloads of the in-kernel benchmark (see
 * ../bench_workload.h) through gomem's core built for userspace (over the
 * test shim, selftests/host/shim/) and through malloc: glibc's, jemalloc,
 * tcmalloc and mimalloc, one binary per allocator from this one source.
 *
 *   bench-ALLOC [all]      every workload; result lines on stdout
 *   bench-ALLOC WORKLOAD   one of them (pair, nn, mixed, xthread, churn), for
 *                          profiling
 *   bench-ALLOC fastpath N N alloc+free pairs of 256 B, after a warm-up,
 *                          in fastpath_loop() (for callgrind --toggle-collect;
 *                          64 allocations of its ballast are counted too:
 *                          negligible against N = 1,000,000)
 *   bench-ALLOC empty N    the same loop with no allocator (the baseline)
 *
 * Workloads: pair (alloc+free, hot reuse, 8 B .. 4 KiB), nn (allocate N,
 * free N, 256 B), mixed (the kernel-like size histogram with lifetimes),
 * xthread (allocated on one thread, freed on another through a ring) and
 * churn (every thread churning mixed sizes at once). Every allocated
 * object's first byte is written, as a caller would. Timings are wall-clock
 * nanoseconds per operation on this machine, medians over BENCH_REPS
 * repetitions (environment, default 5).
 *
 * Output lines, as the kernel module's:
 *   bench name=pair api=malloc size=256 n=1000000 alloc=glibc round=- \
 *         metric=pair unit=ns value=14.2
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include "bench_workload.h"

#ifdef BENCH_GOMEM
#include "gomem_host.h"
#define ALLOC_NAME	"gomem"
#define API_NAME	"kmalloc"

static inline void *b_alloc(size_t n)
{
	return gomem_kmalloc(n, GFP_KERNEL);
}

static inline void b_free(void *p)
{
	gomem_kfree(p);
}

static void b_init(void)
{
	shim_set_nodes(1);	/* this machine's topology, not the tests' two nodes */
	if (gomem_host_init()) {
		fprintf(stderr, "bench: gomem_host_init failed\n");
		exit(1);
	}
}

/* a thread is a CPU to gomem: it goes away, its caches are drained */
static void b_thread_exit(void)
{
	gomem_drain_cpu(smp_processor_id(), false);	/* as the hotplug callback */
}
#else
#ifndef ALLOC_NAME
#define ALLOC_NAME	"glibc"
#endif
#define API_NAME	"malloc"

static inline void *b_alloc(size_t n)
{
	return malloc(n);
}

static inline void b_free(void *p)
{
	free(p);
}

static void b_init(void)
{
}

static void b_thread_exit(void)
{
}
#endif

#define NOINLINE	__attribute__((__noinline__))
#define MAX_REPS	64
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int reps = 5;
static char dummy_obj[64];

/* keep the compiler from eliding or merging allocations */
#define ESCAPE(p)	({ __asm__ volatile("" : "+r"(p) : : "memory"); })

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-%s: %s failed\n", ALLOC_NAME, what);
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	double t[MAX_REPS];

	memcpy(t, v, n * sizeof(*v));
	qsort(t, n, sizeof(*t), cmp_double);
	return n & 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void emit(const char *name, unsigned long size, unsigned long n, int round,
		 const char *metric, const char *unit, double v)
{
	char sz[24], rd[12];

	if (size)
		snprintf(sz, sizeof(sz), "%lu", size);
	else
		snprintf(sz, sizeof(sz), "mixed");
	if (round >= 0)
		snprintf(rd, sizeof(rd), "%d", round);
	else
		snprintf(rd, sizeof(rd), "-");
	printf("bench name=%s api=%s size=%s n=%lu alloc=%s round=%s metric=%s unit=%s value=%.2f\n",
	       name, API_NAME, sz, n, ALLOC_NAME, rd, metric, unit, v);
	fflush(stdout);
}

/* ---- the allocator or nothing, chosen at compile time in timed loops ---- */

static inline __attribute__((__always_inline__)) void *x_alloc(const int null, size_t n)
{
	void *p;

	if (null) {
		p = dummy_obj;
		ESCAPE(p);
		return p;
	}
	p = b_alloc(n);
	ESCAPE(p);
	if (__builtin_expect(!p, 0))
		die("allocation");
	return p;
}

static inline __attribute__((__always_inline__)) void x_free(const int null, void *p)
{
	ESCAPE(p);
	if (!null)
		b_free(p);
}

/* ---- pair ---- */

/*
 * Live objects of the size being measured, so that the loop's one object
 * never leaves its span, slab or page empty: an allocator that retires
 * empty pages would otherwise pay for it on every free, which is not the
 * fast path (every allocator here has other live objects in practice).
 */
#define BALLAST		64

static inline __attribute__((__always_inline__)) void pair_body(const int null, size_t size,
							     unsigned long n)
{
	void *ballast[BALLAST];
	unsigned long i;
	char *p;

	if (!null)
		for (i = 0; i < BALLAST; i++)
			ballast[i] = x_alloc(0, size);
	for (i = 0; i < n; i++) {
		p = x_alloc(null, size);
		*(volatile char *)p = 1;
		x_free(null, p);
	}
	if (!null)
		for (i = 0; i < BALLAST; i++)
			x_free(0, ballast[i]);
}

static NOINLINE void pair_run(int null, size_t size, unsigned long n)
{
	if (null)
		pair_body(1, size, n);
	else
		pair_body(0, size, n);
}

/* callgrind: only this function (and what it calls) is counted */
NOINLINE void fastpath_loop(unsigned long n)
{
	pair_body(0, 256, n);
}

NOINLINE void empty_loop(unsigned long n)
{
	pair_body(1, 256, n);
}

static void bench_pair(void)
{
	static const unsigned int sizes[] = { 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096 };
	const unsigned long n = 4000000;
	double v[MAX_REPS], base[MAX_REPS];
	unsigned int i;
	uint64_t t0;
	int r;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		pair_run(0, sizes[i], 10000);
		for (r = 0; r < reps; r++) {
			t0 = now_ns();
			pair_run(0, sizes[i], n);
			v[r] = (double)(now_ns() - t0) / n;
			t0 = now_ns();
			pair_run(1, sizes[i], n);
			base[r] = (double)(now_ns() - t0) / n;
		}
		emit("pair", sizes[i], n, -1, "pair", "ns", median(v, reps) - median(base, reps));
	}
}

/* ---- allocate N, then free N ---- */

static inline __attribute__((__always_inline__)) void nn_body(const int null, void **p,
							   unsigned long n, uint64_t *ta,
							   uint64_t *tf)
{
	unsigned long i;
	uint64_t t0, t1;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		p[i] = x_alloc(null, 256);
		*(volatile char *)p[i] = 1;
	}
	t1 = now_ns();
	for (i = 0; i < n; i++)
		x_free(null, p[i]);
	*ta += t1 - t0;
	*tf += now_ns() - t1;
}

static NOINLINE void nn_run(int null, void **p, unsigned long n, unsigned long cycles,
			    uint64_t *ta, uint64_t *tf)
{
	unsigned long c;

	*ta = 0;
	*tf = 0;
	for (c = 0; c < cycles; c++) {
		if (null)
			nn_body(1, p, n, ta, tf);
		else
			nn_body(0, p, n, ta, tf);
	}
}

static void bench_nn(void)
{
	static const unsigned long ns[] = { 100, 10000, 1000000 };
	double va[MAX_REPS], vf[MAX_REPS], ba[MAX_REPS], bf[MAX_REPS];
	uint64_t ta, tf;
	unsigned long n, cycles, ops;
	unsigned int i;
	void **p;
	int r;

	p = calloc(1000000, sizeof(*p));
	if (!p)
		die("calloc");
	for (i = 0; i < 3; i++) {
		n = ns[i];
		cycles = 1000000 / n;
		ops = n * cycles;
		nn_run(0, p, n, 1, &ta, &tf);	/* warm-up */
		for (r = 0; r < reps; r++) {
			nn_run(0, p, n, cycles, &ta, &tf);
			va[r] = (double)ta / ops;
			vf[r] = (double)tf / ops;
			nn_run(1, p, n, cycles, &ta, &tf);
			ba[r] = (double)ta / ops;
			bf[r] = (double)tf / ops;
		}
		emit("nn", 256, n, -1, "alloc", "ns", median(va, reps) - median(ba, reps));
		emit("nn", 256, n, -1, "free", "ns", median(vf, reps) - median(bf, reps));
		emit("nn", 256, n, -1, "op", "ns",
		     (median(va, reps) + median(vf, reps) - median(ba, reps) - median(bf, reps)) / 2);
	}
	free(p);
}

/* ---- mixed sizes with lifetimes ---- */

struct mix {
	void **slot[3];
	u32 n[3];
	u64 rng;
};

static inline __attribute__((__always_inline__)) void mix_body(const int null, struct mix *m,
							    unsigned long ops)
{
	unsigned long op;
	u32 idx, size;
	char *p;
	u64 r;
	int k;

	for (op = 0; op < ops; op++) {
		r = bench_rng(&m->rng);
		k = bench_mix_table(r, bench_mix_pct);
		idx = (r >> 8) % m->n[k];
		size = bench_size(bench_rng(&m->rng));
		if (m->slot[k][idx])
			x_free(null, m->slot[k][idx]);
		p = x_alloc(null, size);
		*(volatile char *)p = 1;
		m->slot[k][idx] = p;
	}
	for (k = 0; k < 3; k++) {
		for (idx = 0; idx < m->n[k]; idx++) {
			if (m->slot[k][idx])
				x_free(null, m->slot[k][idx]);
			m->slot[k][idx] = NULL;
		}
	}
}

static NOINLINE void mix_run(int null, struct mix *m, unsigned long ops)
{
	m->rng = BENCH_SEED;
	if (null)
		mix_body(1, m, ops);
	else
		mix_body(0, m, ops);
}

static void bench_mixed(void)
{
	const unsigned long ops = 1000000;
	double v[MAX_REPS], base[MAX_REPS];
	struct mix m;
	uint64_t t0;
	int k, r;

	for (k = 0; k < 3; k++) {
		m.n[k] = bench_mix_slots[k];
		m.slot[k] = calloc(m.n[k], sizeof(void *));
		if (!m.slot[k])
			die("calloc");
	}
	mix_run(0, &m, ops / 10);	/* warm-up */
	for (r = 0; r < reps; r++) {
		t0 = now_ns();
		mix_run(0, &m, ops);
		v[r] = (double)(now_ns() - t0) / ops;
		t0 = now_ns();
		mix_run(1, &m, ops);
		base[r] = (double)(now_ns() - t0) / ops;
	}
	/* per operation: one allocation and (almost always) one free */
	emit("mixed", 0, ops, -1, "op", "ns", (median(v, reps) - median(base, reps)) / 2);
	for (k = 0; k < 3; k++)
		free(m.slot[k]);
}

/* ---- threads: a common start line ---- */

struct start_line {
	atomic_int ready, go;
};

static void start_wait(struct start_line *s)
{
	atomic_fetch_add(&s->ready, 1);
	while (!atomic_load_explicit(&s->go, memory_order_acquire))
		sched_yield();
}

static uint64_t start_all(struct start_line *s, int n)
{
	uint64_t t0;

	while (atomic_load(&s->ready) < n)
		;
	t0 = now_ns();
	atomic_store_explicit(&s->go, 1, memory_order_release);
	return t0;
}

/* cross-thread free: a single-producer, single-consumer ring */
#define RING	1024

struct xring {
	struct start_line start;
	void *slot[RING];
	unsigned long n;
	_Alignas(64) atomic_ulong head;
	_Alignas(64) atomic_ulong tail;
	uint64_t end;
};

static void *producer(void *arg)
{
	struct xring *x = arg;
	unsigned long i;
	char *p;

	start_wait(&x->start);
	for (i = 0; i < x->n; i++) {
		p = x_alloc(0, 256);
		*(volatile char *)p = 1;
		while (i - atomic_load_explicit(&x->tail, memory_order_acquire) >= RING)
			sched_yield();
		x->slot[i % RING] = p;
		atomic_store_explicit(&x->head, i + 1, memory_order_release);
	}
	b_thread_exit();
	return NULL;
}

static void *consumer(void *arg)
{
	struct xring *x = arg;
	unsigned long i;

	start_wait(&x->start);
	for (i = 0; i < x->n; i++) {
		while (atomic_load_explicit(&x->head, memory_order_acquire) == i)
			sched_yield();
		x_free(0, x->slot[i % RING]);
		atomic_store_explicit(&x->tail, i + 1, memory_order_release);
	}
	x->end = now_ns();
	b_thread_exit();
	return NULL;
}

static void bench_xthread(void)
{
	double v[MAX_REPS];
	pthread_t a, b;
	struct xring *x;
	uint64_t t0;
	int r;

	x = aligned_alloc(64, sizeof(*x));
	if (!x)
		die("aligned_alloc");
	for (r = 0; r < reps; r++) {
		memset(x, 0, sizeof(*x));
		x->n = 1000000;
		if (pthread_create(&a, NULL, producer, x) || pthread_create(&b, NULL, consumer, x))
			die("pthread_create");
		t0 = start_all(&x->start, 2);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		v[r] = (double)(x->end - t0) / x->n;
		emit("xthread", 256, x->n, r, "ns_op", "ns", v[r]);
	}
	emit("xthread", 256, x->n, -1, "ns_op", "ns", median(v, reps));
	free(x);
}

/* every thread churning mixed sizes */
#define CHURN_SLOTS	1024

struct churner {
	struct start_line *start;
	void *slot[CHURN_SLOTS];
	unsigned long ops;
	u64 rng;
	uint64_t end;
	pthread_t t;
};

static void *churn_thread(void *arg)
{
	struct churner *c = arg;
	unsigned long op;
	unsigned int i;
	char *p;
	u64 r;

	for (i = 0; i < CHURN_SLOTS; i++)
		c->slot[i] = x_alloc(0, bench_size(bench_rng(&c->rng)));
	start_wait(c->start);
	for (op = 0; op < c->ops; op++) {
		r = bench_rng(&c->rng);
		i = r % CHURN_SLOTS;
		x_free(0, c->slot[i]);
		p = x_alloc(0, bench_size(bench_rng(&c->rng)));
		*(volatile char *)p = 1;
		c->slot[i] = p;
	}
	c->end = now_ns();
	for (i = 0; i < CHURN_SLOTS; i++)
		x_free(0, c->slot[i]);
	b_thread_exit();
	return NULL;
}

static void bench_churn(int nthreads)
{
	struct start_line start;
	double v[MAX_REPS];
	struct churner *c;
	uint64_t t0, end;
	int r, i;

	c = calloc(nthreads, sizeof(*c));
	if (!c)
		die("calloc");
	for (r = 0; r < reps; r++) {
		atomic_store(&start.ready, 0);
		atomic_store(&start.go, 0);
		for (i = 0; i < nthreads; i++) {
			c[i].start = &start;
			c[i].ops = 1000000;
			c[i].rng = BENCH_SEED + i;
			if (pthread_create(&c[i].t, NULL, churn_thread, &c[i]))
				die("pthread_create");
		}
		t0 = start_all(&start, nthreads);
		end = 0;
		for (i = 0; i < nthreads; i++) {
			pthread_join(c[i].t, NULL);
			end = c[i].end > end ? c[i].end : end;
		}
		v[r] = (double)(end - t0) / c[0].ops;
	}
	printf("bench name=churn api=%s size=mixed n=%lu alloc=%s round=- metric=ns_op unit=ns value=%.2f threads=%d\n",
	       API_NAME, c[0].ops * nthreads, ALLOC_NAME, median(v, reps), nthreads);
	free(c);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000000;
	const char *e = getenv("BENCH_REPS");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool all;

	if (e)
		reps = atoi(e);
	if (reps < 1 || reps > MAX_REPS)
		reps = 5;
	b_init();
	if (!strcmp(mode, "fastpath") || !strcmp(mode, "empty")) {
		pair_run(0, 256, 100000);	/* warm-up, not counted */
		if (!strcmp(mode, "fastpath"))
			fastpath_loop(n);
		else
			empty_loop(n);
		return 0;
	}
	all = !strcmp(mode, "all");
	if (!all && !strstr("pair nn mixed xthread churn", mode)) {
		fprintf(stderr, "usage: %s [all | pair | nn | mixed | xthread | churn | fastpath N | empty N]\n",
			argv[0]);
		return 2;
	}
	printf("bench name=info alloc=%s reps=%d cpus=%ld\n", ALLOC_NAME, reps, ncpu);
	if (all || !strcmp(mode, "pair"))
		bench_pair();
	if (all || !strcmp(mode, "nn"))
		bench_nn();
	if (all || !strcmp(mode, "mixed"))
		bench_mixed();
	if (all || !strcmp(mode, "xthread"))
		bench_xthread();
	if (all || !strcmp(mode, "churn")) {
		bench_churn(1);
		bench_churn(ncpu > 1 ? (int)ncpu : 2);
	}
	return 0;
}
