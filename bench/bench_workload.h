/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the in-kernel (gomem_bench.c) and the userspace (user/bench.c)
 * benchmarks share, so that both run the same workloads: the PRNG, its
 * seed, the kmalloc size histogram and the mixed workload's lifetimes.
 */
#ifndef _GOMEM_BENCH_WORKLOAD_H
#define _GOMEM_BENCH_WORKLOAD_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/kernel.h>
#else
#include <stdint.h>
typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
#endif

#define BENCH_SEED	0x676f6d656d626e63ULL	/* "gomembnc" */

/* xorshift64*: fast, and the same sequence everywhere */
static inline u64 bench_rng(u64 *s)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * A kernel-like kmalloc size histogram (per mille, uniform within each
 * bucket): mostly 8 to 256 bytes, some 512 B to 4 KiB, rare 8 to 32 KiB.
 * Its mean is about 410 bytes.
 */
static const struct {
	u16 permille;
	u32 lo, hi;
} bench_size_dist[] = {
	{ 100, 1, 16 }, { 150, 17, 32 }, { 200, 33, 64 }, { 180, 65, 128 },
	{ 150, 129, 256 }, { 80, 257, 512 }, { 60, 513, 1024 }, { 40, 1025, 2048 },
	{ 30, 2049, 4096 }, { 6, 4097, 8192 }, { 4, 8193, 32768 },
};

#ifdef __KERNEL__
#define BENCH_NR_BUCKETS	ARRAY_SIZE(bench_size_dist)
#else
#define BENCH_NR_BUCKETS	(sizeof(bench_size_dist) / sizeof(*bench_size_dist))
#endif

static inline u32 bench_size(u64 r)
{
	u32 pm = r % 1000, i;

	r /= 1000;
	for (i = 0; i < BENCH_NR_BUCKETS - 1; i++) {
		if (pm < bench_size_dist[i].permille)
			break;
		pm -= bench_size_dist[i].permille;
	}
	return bench_size_dist[i].lo + r % (bench_size_dist[i].hi - bench_size_dist[i].lo + 1);
}

/*
 * The mixed workload keeps its live objects in three tables; each
 * operation picks a table by weight, frees the object in a random slot of
 * it and allocates a new one there. Lifetimes are geometric, with a mean
 * of about slots * 100 / weight operations: short (~100), medium (~14,000)
 * and long (~650,000) lives.
 */
static const u32 bench_mix_slots[3] = { 64, 4096, 65536 };
static const u32 bench_mix_pct[3] = { 60, 30, 10 };

/* the "mem" variant: a large, long-lived population (peak about 70 MB) */
static const u32 bench_mem_slots[3] = { 64, 4096, 1 << 20 };
static const u32 bench_mem_pct[3] = { 40, 30, 30 };

/* which table an operation's random number picks */
static inline int bench_mix_table(u64 r, const u32 *pct)
{
	u32 x = r % 100;

	return x < pct[0] ? 0 : x < pct[0] + pct[1] ? 1 : 2;
}

/* the small-string workload: 1 to 23 characters and their NUL */
static inline u32 bench_strlen(u64 r)
{
	return 2 + r % 23;
}

#endif /* _GOMEM_BENCH_WORKLOAD_H */
