/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel interfaces gomem's core uses, in the
 * spirit of tools/testing/radix-tree: the same gomem sources compile here
 * and run under ASan, UBSan and TSan.
 *
 * Per-CPU data is really per-CPU: every thread that touches gomem gets a CPU
 * slot of its own (smp_processor_id()), and per-CPU memory is laid out as the
 * kernel lays it out, one unit per CPU at a fixed stride, so this_cpu_ptr()
 * from two threads gives two different objects and ThreadSanitizer sees the
 * same sharing that the kernel has. A slot is never shared by two live
 * threads, so preemption and interrupt exclusion need no emulation: the
 * local_irq_*()/preempt_*() calls only track nesting and assert that the
 * code under test balances them.
 *
 * RCU is liburcu's default flavour; threads register on their first use of a
 * CPU slot, call_rcu() callbacks run on liburcu's thread (which gets a slot
 * of its own, so callbacks exercise gomem's remote-free path).
 *
 * Pages come from mmap(), naturally aligned to their order, tagged with a
 * NUMA node (emulated: nodes are assigned by the caller's request; CPUs map
 * to nodes round-robin). Freed blocks of 64 KiB and up stay mapped, hidden
 * (ASan-poisoned, else PROT_NONE), and are handed out again (shim.c,
 * SHIM_POOL_BYTES). Tests steer page allocation failures and the
 * largest order that succeeds through shim_pages_*.
 */
#ifndef _GOMEM_SHIM_H
#define _GOMEM_SHIM_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <urcu.h>
#include <urcu/call-rcu.h>

/* ---- types ---- */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef unsigned int gfp_t;
typedef unsigned int slab_flags_t;
typedef unsigned long phys_addr_t;
typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
typedef struct { s64 counter; } atomic64_t;

/* ---- compiler ---- */
#undef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#define noinline		__attribute__((noinline))
#define __maybe_unused		__attribute__((unused))
#define __cold			__attribute__((cold))
#define __aligned(x)		__attribute__((aligned(x)))
#define __packed		__attribute__((packed))
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __must_check		__attribute__((warn_unused_result))
#define __init
#define __exit
#define __initdata
#define __read_mostly
#define __rcu
#define __percpu
#define __user
#define __iomem
#define __force
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define ____cacheline_aligned_in_smp	__attribute__((aligned(64)))
#define ____cacheline_aligned	__attribute__((aligned(64)))
#define SMP_CACHE_BYTES		64
#define L1_CACHE_BYTES		64
#define cache_line_size()	64
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define barrier()		__asm__ __volatile__("" ::: "memory")
/* as the kernel's: a memset() that the compiler may not drop */
static inline void memzero_explicit(void *s, size_t count)
{
	memset(s, 0, count);
	__asm__ __volatile__("" : : "r" (s) : "memory");
}
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define data_race(x)		READ_ONCE(x)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb__before_atomic()	smp_mb()
#define smp_mb__after_atomic()	smp_mb()
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(c)		_Static_assert(!(c), #c)
#undef static_assert
#define static_assert(c, ...)	_Static_assert(c, #c)
#define container_of(p, t, m)	((t *)((char *)(p) - offsetof(t, m)))
#define fallthrough		__attribute__((fallthrough))
#define __stringify_1(x)	#x
#define __stringify(x)		__stringify_1(x)
#define IS_ENABLED(x)		0
#define KBUILD_MODNAME		"gomem"
#define THIS_MODULE		((void *)0)
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#define MODULE_LICENSE(s)
#define MODULE_AUTHOR(s)
#define MODULE_DESCRIPTION(s)
#define module_param(n, t, p)
#define MODULE_PARM_DESC(n, d)
#define __builtin_return_address0()	__builtin_return_address(0)
#define _RET_IP_		((unsigned long)__builtin_return_address(0))
#define _THIS_IP_		({ __label__ __here; __here: (unsigned long)&&__here; })

/* ---- math ---- */
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)
#define swap(a, b)		do { typeof(a) __t = (a); (a) = (b); (b) = __t; } while (0)
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ALIGN(x, a)		(((x) + ((typeof(x))(a) - 1)) & ~((typeof(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((typeof(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define PTR_ALIGN(p, a)		((typeof(p))ALIGN((unsigned long)(p), (a)))
#define round_up(x, y)		((((x) - 1) | ((typeof(x))(y) - 1)) + 1)
#define round_down(x, y)	((x) & ~((typeof(x))(y) - 1))
#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define BITS_PER_LONG		64
#define BITS_PER_BYTE		8
#define BITS_TO_LONGS(n)	DIV_ROUND_UP(n, BITS_PER_LONG)
#define GENMASK_ULL(h, l)	(((~0ULL) << (l)) & (~0ULL >> (63 - (h))))
#define GENMASK(h, l)		GENMASK_ULL(h, l)
#define U64_MAX			UINT64_MAX
#define U32_MAX			UINT32_MAX
#define U16_MAX			UINT16_MAX
#define U8_MAX			UINT8_MAX
#define S64_MAX			INT64_MAX
#define SIZE_MAX_		SIZE_MAX
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)
#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define is_power_of_2(n)	((n) != 0 && (((n) & ((n) - 1)) == 0))
#define ilog2(n)		((int)(63 - __builtin_clzll((u64)(n))))
#define order_base_2(n)		((n) > 1 ? ilog2((n) - 1) + 1 : 0)
#define roundup_pow_of_two(n)	(1UL << order_base_2(n))
#define div_u64(a, b)		((u64)(a) / (u32)(b))
#define div64_u64(a, b)		((u64)(a) / (u64)(b))
#define do_div(n, b)		({ u32 __r = (n) % (b); (n) /= (b); __r; })
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline unsigned long __ffs64(u64 x) { return __builtin_ctzll(x); }
static inline unsigned long __ffs(unsigned long x) { return __builtin_ctzl(x); }
static inline unsigned long __fls(unsigned long x) { return 63 - __builtin_clzl(x); }
static inline unsigned long ffz(unsigned long x) { return __builtin_ctzl(~x); }
static inline unsigned int hweight64(u64 x) { return __builtin_popcountll(x); }
static inline unsigned int hweight32(u32 x) { return __builtin_popcount(x); }
static inline unsigned int hweight_long(unsigned long x) { return __builtin_popcountl(x); }

/* ---- bitops (non-atomic __ and atomic) ---- */
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
static inline void __set_bit(unsigned long nr, volatile unsigned long *a)
{ a[BIT_WORD(nr)] |= BIT_MASK(nr); }
static inline void __clear_bit(unsigned long nr, volatile unsigned long *a)
{ a[BIT_WORD(nr)] &= ~BIT_MASK(nr); }
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
/* as the kernel's variable_test_bit(): one BT (the benchmarks count instructions) */
static inline bool test_bit(unsigned long nr, const volatile unsigned long *a)
{
	bool old;

	asm volatile("btq %2, %1" : "=@ccc" (old) : "m" (*(const volatile long *)a), "r" (nr)
		     : "memory");
	return old;
}
#else
static inline bool test_bit(unsigned long nr, const volatile unsigned long *a)
{ return (__atomic_load_n(&a[BIT_WORD(nr)], __ATOMIC_RELAXED) >> (nr % BITS_PER_LONG)) & 1; }
#endif
static inline void set_bit(unsigned long nr, volatile unsigned long *a)
{ __atomic_fetch_or(&a[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED); }
static inline void clear_bit(unsigned long nr, volatile unsigned long *a)
{ __atomic_fetch_and(&a[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELAXED); }
#define LOCK_PREFIX		"lock; "
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
/* as the kernel's: one locked BTS (the benchmarks count instructions) */
static inline bool test_and_set_bit(unsigned long nr, volatile unsigned long *a)
{
	bool old;

	asm volatile(LOCK_PREFIX "btsq %2, %1" : "=@ccc" (old), "+m" (*a) : "r" (nr) : "memory");
	return old;
}
#else
static inline bool test_and_set_bit(unsigned long nr, volatile unsigned long *a)
{ return __atomic_fetch_or(&a[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr); }
#endif
static inline void clear_bit_unlock(unsigned long nr, volatile unsigned long *a)
{ __atomic_fetch_and(&a[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELEASE); }
static inline bool test_and_clear_bit(unsigned long nr, volatile unsigned long *a)
{ return __atomic_fetch_and(&a[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr); }
static inline bool __test_and_set_bit(unsigned long nr, volatile unsigned long *a)
{ bool o = test_bit(nr, a); __set_bit(nr, a); return o; }
static inline bool __test_and_clear_bit(unsigned long nr, volatile unsigned long *a)
{ bool o = test_bit(nr, a); __clear_bit(nr, a); return o; }
unsigned long find_next_bit(const unsigned long *a, unsigned long size, unsigned long off);
unsigned long find_next_zero_bit(const unsigned long *a, unsigned long size, unsigned long off);
#define find_first_bit(a, s)		find_next_bit(a, s, 0)
#define find_first_zero_bit(a, s)	find_next_zero_bit(a, s, 0)
#define for_each_set_bit(b, a, s) \
	for ((b) = find_first_bit(a, s); (b) < (s); (b) = find_next_bit(a, s, (b) + 1))
static inline void bitmap_zero(unsigned long *a, unsigned int n)
{ memset(a, 0, BITS_TO_LONGS(n) * sizeof(long)); }
static inline void bitmap_fill(unsigned long *a, unsigned int n)
{ memset(a, 0xff, BITS_TO_LONGS(n) * sizeof(long)); }
static inline unsigned int bitmap_weight(const unsigned long *a, unsigned int n)
{
	unsigned int i, w = 0;

	for (i = 0; i < n / BITS_PER_LONG; i++)
		w += hweight_long(a[i]);
	if (n % BITS_PER_LONG)
		w += hweight_long(a[i] & (BIT_MASK(n) - 1));
	return w;
}
static inline void bitmap_set(unsigned long *a, unsigned int start, unsigned int n)
{
	while (n--)
		__set_bit(start++, a);
}
static inline void bitmap_clear(unsigned long *a, unsigned int start, unsigned int n)
{
	while (n--)
		__clear_bit(start++, a);
}
#define DECLARE_BITMAP(n, bits)	unsigned long n[BITS_TO_LONGS(bits)]

/* ---- atomics ---- */
#define ATOMIC_INIT(i)		{ (i) }
#define atomic_read(v)		__atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_set(v, i)	__atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_add(i, v)	((void)__atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_sub(i, v)	((void)__atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_inc(v)		atomic_add(1, v)
#define atomic_dec(v)		atomic_sub(1, v)
#define atomic_add_return(i, v)	__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_sub_return(i, v)	__atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_inc_return(v)	atomic_add_return(1, v)
#define atomic_dec_return(v)	atomic_sub_return(1, v)
#define atomic_dec_and_test(v)	(atomic_sub_return(1, v) == 0)
#define atomic_sub_and_test(i, v) (atomic_sub_return(i, v) == 0)
#define atomic_xchg(v, n)	__atomic_exchange_n(&(v)->counter, (n), __ATOMIC_SEQ_CST)
#define atomic_cmpxchg(v, o, n)	({ typeof((v)->counter) __o = (o); \
	__atomic_compare_exchange_n(&(v)->counter, &__o, (n), false, \
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); __o; })
#define atomic_long_read	atomic_read
#define atomic_long_set		atomic_set
#define atomic_long_add		atomic_add
#define atomic_long_sub		atomic_sub
#define atomic_long_inc		atomic_inc
#define atomic_long_dec		atomic_dec
#define atomic_long_add_return	atomic_add_return
#define atomic_long_sub_return	atomic_sub_return
#define atomic_long_inc_return	atomic_inc_return
#define atomic_long_xchg	atomic_xchg
#define atomic_long_cmpxchg	atomic_cmpxchg
#define atomic64_read		atomic_read
#define atomic64_set		atomic_set
#define atomic64_add		atomic_add
#define atomic64_sub		atomic_sub
#define atomic64_inc		atomic_inc
#define atomic64_dec		atomic_dec
#define xchg(p, n)		__atomic_exchange_n((p), (n), __ATOMIC_SEQ_CST)
#define cmpxchg(p, o, n)	({ typeof(*(p)) __o = (o); \
	__atomic_compare_exchange_n((p), &__o, (n), false, \
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); __o; })
#define try_cmpxchg(p, po, n)	__atomic_compare_exchange_n((p), (po), (n), false, \
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)

/* ---- randomness ---- */
#include <sys/random.h>
static inline unsigned long get_random_long(void);
static inline u64 get_random_u64(void)
{
	return get_random_long();
}

static inline unsigned long get_random_long(void)
{
	unsigned long v = 0x9e3779b97f4a7c15UL;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v ^= (unsigned long)&v;
	return v;
}

/* ---- printk / bugs ---- */
#define KERN_ERR	""
#define KERN_WARNING	""
#define KERN_INFO	""
#define KERN_CONT	""
extern int shim_quiet;		/* tests that provoke warnings set it */
/*
 * The log, kept for tests that check report texts: shim_log_capture(true)
 * empties it and starts keeping every printed line; shim_log() is the text.
 */
void shim_log_capture(bool on);
const char *shim_log(void);
/*
 * alloc_pages_node() fills a block with 0xa5 unless it zeroes it (__GFP_ZERO,
 * init_on_alloc: the buddy allocator's rule); set, only
 * the first and last 64 bytes of each kernel page (the fuzzer: speed)
 */
extern int shim_page_fill_sparse;
extern unsigned long shim_warnings;	/* every WARN and pr_warn/pr_err counts */
void shim_printk(const char *lvl, const char *fmt, ...) __printf(2, 3);
#define printk(fmt, ...)	shim_printk("", fmt, ##__VA_ARGS__)
#define pr_fmt(fmt)		fmt
#define pr_err(fmt, ...)	shim_printk("E", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	shim_printk("W", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn_ratelimited	pr_warn
#define pr_err_ratelimited	pr_err
#define pr_info(fmt, ...)	shim_printk("I", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)	shim_printk("C", fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	do { if (0) printf(fmt, ##__VA_ARGS__); } while (0)
#define pr_warn_once		pr_warn
#define WARN(c, fmt, ...)	({ bool __c = !!(c); \
	if (unlikely(__c)) shim_printk("W", "WARNING: %s:%d: " fmt "\n", \
				       __FILE__, __LINE__, ##__VA_ARGS__); unlikely(__c); })
#define WARN_ON(c)		WARN(c, "%s", #c)
#define WARN_ONCE		WARN
#define WARN_ON_ONCE		WARN_ON
#define panic(fmt, ...)		do { shim_printk("E", "Kernel panic - not syncing: " fmt, \
					     ##__VA_ARGS__); abort(); } while (0)
#define BUG()			do { fprintf(stderr, "BUG at %s:%d\n", __FILE__, __LINE__); \
				     abort(); } while (0)
#define BUG_ON(c)		do { if (unlikely(c)) BUG(); } while (0)
#define VM_BUG_ON(c)		BUG_ON(c)
#define might_sleep()		do { } while (0)
#define cond_resched()		do { } while (0)
#define dump_stack()		do { } while (0)

/* ---- errno helpers ---- */
#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long e) { return (void *)e; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p) { return IS_ERR_VALUE((unsigned long)p); }
static inline bool IS_ERR_OR_NULL(const void *p) { return !p || IS_ERR(p); }

/* ---- CPUs and per-CPU memory ---- */
#define NR_CPUS			64
#define SHIM_PCPU_UNIT		(1UL << 22)	/* per-CPU unit stride */
extern unsigned int nr_cpu_ids;
extern __thread int shim_my_cpu;	/* this thread's CPU slot, or -1 */
extern __thread long shim_my_cpu_off;	/* shim_my_cpu * SHIM_PCPU_UNIT, or -1 */
int shim_cpu_id_slow(void);		/* takes a slot on first use */
long shim_cpu_off_slow(void);

/* this thread's CPU slot: a thread-local load, as the kernel's %gs read */
static inline int shim_cpu_id(void)
{
	return __builtin_expect(shim_my_cpu >= 0, 1) ? shim_my_cpu : shim_cpu_id_slow();
}

/*
 * This thread's per-CPU offset, as the kernel's this_cpu_off: a thread-local
 * load and a sign test. The first use on a thread takes a slot out of line,
 * through shim_cpu_off_thunk (shim.c), which preserves every register but
 * %rax: a C call here would make every fast path that reaches a per-CPU
 * variable save and restore callee-saved registers, which the kernel's
 * single %gs-relative add never costs.
 */
#ifdef __x86_64__
static __always_inline long shim_cpu_off(void)
{
	long off;

	asm("movq %1, %0\n\t"
	    "testq %0, %0\n\t"
	    "js 2f\n"
	    "1:\n\t"
	    ".pushsection .text.unlikely, \"ax\"\n"
	    "2:\tleaq -128(%%rsp), %%rsp\n\t"	/* step over the red zone */
	    "call shim_cpu_off_thunk\n\t"
	    "leaq 128(%%rsp), %%rsp\n\t"
	    "jmp 1b\n\t"
	    ".popsection"
	    : "=a" (off) : "m" (shim_my_cpu_off) : "cc");
	return off;
}
#else
static inline long shim_cpu_off(void)
{
	long off = shim_my_cpu_off;

	return __builtin_expect(off >= 0, 1) ? off : shim_cpu_off_slow();
}
#endif
void shim_cpu_release(void);		/* give the slot back (thread exit) */
bool cpu_online(unsigned int cpu);
bool cpu_possible(unsigned int cpu);
#define smp_processor_id()	shim_cpu_id()
#define raw_smp_processor_id()	shim_cpu_id()
#define get_cpu()		shim_cpu_id()
#define put_cpu()		do { } while (0)
#define for_each_possible_cpu(c) for ((c) = 0; (c) < nr_cpu_ids; (c)++)
#define for_each_online_cpu(c)	for ((c) = 0; (c) < nr_cpu_ids; (c)++) if (cpu_online(c))
#define num_online_cpus()	nr_cpu_ids
#define cpus_read_lock()	do { } while (0)
#define cpus_read_unlock()	do { } while (0)
#define num_possible_cpus()	nr_cpu_ids
#define num_present_cpus()	nr_cpu_ids
extern char *shim_pcpu_base;
void *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp);
#define __alloc_percpu(s, a)	__alloc_percpu_gfp(s, a, 0)
#define alloc_percpu(type)	((type *)__alloc_percpu(sizeof(type), __alignof__(type)))
#define alloc_percpu_gfp(type, gfp) ((type *)__alloc_percpu_gfp(sizeof(type), \
							  __alignof__(type), gfp))
void free_percpu(void *p);
#define per_cpu_ptr(p, cpu)	((typeof(p))((char *)(p) + (size_t)(cpu) * SHIM_PCPU_UNIT))
#define raw_cpu_ptr(p)		this_cpu_ptr(p)
#define this_cpu_ptr(p)		((typeof(p))((char *)(p) + shim_cpu_off()))
#define per_cpu(var, cpu)	(*per_cpu_ptr(&(var), cpu))
#define __this_cpu_read(pcp)	(*this_cpu_ptr(&(pcp)))
#define this_cpu_read(pcp)	(*this_cpu_ptr(&(pcp)))
#define __this_cpu_write(pcp, v) (*this_cpu_ptr(&(pcp)) = (v))
#define this_cpu_write(pcp, v)	(*this_cpu_ptr(&(pcp)) = (v))
/* one instruction in the kernel: a relaxed load and store here */
#define __this_cpu_add(pcp, v)	this_cpu_add(pcp, v)
#define this_cpu_add(pcp, v)	do { typeof(&(pcp)) __p = this_cpu_ptr(&(pcp)); \
				     WRITE_ONCE(*__p, READ_ONCE(*__p) + (v)); } while (0)
#define __this_cpu_inc(pcp)	__this_cpu_add(pcp, 1)
#define this_cpu_inc(pcp)	this_cpu_add(pcp, 1)
#define __this_cpu_sub(pcp, v)	__this_cpu_add(pcp, -(v))
#define this_cpu_sub(pcp, v)	this_cpu_add(pcp, -(v))
#define __this_cpu_dec(pcp)	__this_cpu_sub(pcp, 1)
#define this_cpu_dec(pcp)	this_cpu_sub(pcp, 1)

/*
 * Interrupt and preemption exclusion: each thread is its own CPU, so there
 * is nothing to exclude. The tests track nesting and assert that the code
 * balances it, as lockdep would. The benchmark build (NDEBUG) drops the
 * tracking, as a production kernel has no lockdep: what remains is the
 * compiler barrier that local_irq_save() also is.
 */
extern __thread int shim_irq_depth, shim_preempt_depth;
#ifndef NDEBUG
#define local_irq_save(f)	do { (f) = shim_irq_depth++; } while (0)
#define local_irq_restore(f)	do { BUG_ON(--shim_irq_depth != (int)(f)); } while (0)
#define local_irq_disable()	do { shim_irq_depth++; } while (0)
#define local_irq_enable()	do { --shim_irq_depth; } while (0)
#define irqs_disabled()		(shim_irq_depth > 0)
#define preempt_disable()	do { shim_preempt_depth++; } while (0)
#define preempt_enable()	do { BUG_ON(--shim_preempt_depth < 0); } while (0)
#define lockdep_assert_irqs_disabled()	BUG_ON(!irqs_disabled())
#define in_task()		(shim_irq_depth == 0)
#else
#define local_irq_save(f)	do { (f) = 0; barrier(); } while (0)
#define local_irq_restore(f)	do { (void)(f); barrier(); } while (0)
#define local_irq_disable()	barrier()
#define local_irq_enable()	barrier()
#define preempt_disable()	barrier()
#define preempt_enable()	barrier()
#define lockdep_assert_irqs_disabled()	do { } while (0)
#endif
#define migrate_disable()	preempt_disable()
#define migrate_enable()	preempt_enable()
#define in_interrupt()		0
#define in_nmi()		0

/* ---- locks ---- */
/*
 * Spinlocks and mutexes are pthread mutexes that record their owner (a
 * per-thread token), so lockdep_assert_held() is a real check in the tests,
 * as lockdep makes it in a debug kernel. The benchmark build (NDEBUG) keeps
 * neither, as a production kernel has no lockdep.
 */
extern __thread char shim_lock_token;
#define SHIM_ME			((void *)&shim_lock_token)
typedef struct { pthread_mutex_t m; void *owner; } spinlock_t;
typedef spinlock_t raw_spinlock_t;
#define __SPIN_LOCK_UNLOCKED(n)	{ PTHREAD_MUTEX_INITIALIZER, NULL }
#define DEFINE_SPINLOCK(n)	spinlock_t n = __SPIN_LOCK_UNLOCKED(n)
#define spin_lock_init(l)	do { pthread_mutex_init(&(l)->m, NULL); (l)->owner = NULL; } while (0)
#define raw_spin_lock_init	spin_lock_init
#ifndef NDEBUG
#define shim_owner_set(l, v)	__atomic_store_n(&(l)->owner, (v), __ATOMIC_RELAXED)
#define shim_owned(l)		(__atomic_load_n(&(l)->owner, __ATOMIC_RELAXED) == SHIM_ME)
#define lockdep_assert_held(l)	BUG_ON(!shim_owned(l))
#define lockdep_assert_not_held(l) BUG_ON(shim_owned(l))
#else
#define shim_owner_set(l, v)	do { } while (0)
#define lockdep_assert_held(l)	do { (void)(l); } while (0)
#define lockdep_assert_not_held(l) do { (void)(l); } while (0)
#endif
#define spin_lock(l)		do { pthread_mutex_lock(&(l)->m); shim_owner_set(l, SHIM_ME); } while (0)
#define spin_unlock(l)		do { shim_owner_set(l, NULL); pthread_mutex_unlock(&(l)->m); } while (0)
#define spin_trylock(l)		(pthread_mutex_trylock(&(l)->m) == 0 ? \
				 ({ shim_owner_set(l, SHIM_ME); 1; }) : 0)
#define spin_lock_irqsave(l, f)	do { local_irq_save(f); spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f) do { spin_unlock(l); local_irq_restore(f); } while (0)
#define spin_lock_irq(l)	do { local_irq_disable(); spin_lock(l); } while (0)
#define spin_unlock_irq(l)	do { spin_unlock(l); local_irq_enable(); } while (0)
#define raw_spin_lock		spin_lock
#define raw_spin_unlock		spin_unlock
#define raw_spin_lock_irqsave	spin_lock_irqsave
#define raw_spin_unlock_irqrestore spin_unlock_irqrestore
struct mutex { pthread_mutex_t m; void *owner; };
#define DEFINE_MUTEX(n)		struct mutex n = { PTHREAD_MUTEX_INITIALIZER, NULL }
#define mutex_init(l)		do { pthread_mutex_init(&(l)->m, NULL); (l)->owner = NULL; } while (0)
#define mutex_lock(l)		do { pthread_mutex_lock(&(l)->m); shim_owner_set(l, SHIM_ME); } while (0)
#define mutex_unlock(l)		do { shim_owner_set(l, NULL); pthread_mutex_unlock(&(l)->m); } while (0)

/*
 * The CPU section's local lock: each thread is its own CPU, so it is the
 * interrupt-off tracking above and nothing else.
 */
typedef struct { int unused; } local_lock_t;
#define INIT_LOCAL_LOCK(n)		{ 0 }
#define local_lock_init(l)		((void)(l))
#define DEFINE_PER_CPU(type, name)	type name
#define DECLARE_PER_CPU(type, name)	extern type name
#define local_lock_irqsave(l, f)	do { (void)(l); local_irq_save(f); } while (0)
#define local_unlock_irqrestore(l, f)	do { (void)(l); local_irq_restore(f); } while (0)

/*
 * Work items: queue_work_on() runs the work at once, as CPU @cpu (the
 * caller's thread impersonates it, as on_each_cpu() does): valid only while
 * no other thread is inside gomem.
 */
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct { work_func_t func; };
struct workqueue_struct;
#define INIT_WORK(w, f)			((w)->func = (f))
#define WQ_MEM_RECLAIM			(1 << 3)
struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max, ...);
void destroy_workqueue(struct workqueue_struct *wq);
bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work);
#define flush_work(w)			((void)(w), true)

/* ---- shrinker and CPU hotplug: recorded, so that tests can call them ---- */
struct shrink_control {
	gfp_t gfp_mask;
	int nid;
	unsigned long nr_to_scan;
	unsigned long nr_scanned;
};
struct shrinker {
	unsigned long (*count_objects)(struct shrinker *sh, struct shrink_control *sc);
	unsigned long (*scan_objects)(struct shrinker *sh, struct shrink_control *sc);
	long batch;
	int seeks;
};
#define DEFAULT_SEEKS		2
#define SHRINK_STOP		(~0UL)
#define SHRINK_EMPTY		(~0UL - 1)
int register_shrinker(struct shrinker *s, const char *fmt, ...);
void unregister_shrinker(struct shrinker *s);
extern struct shrinker *shim_shrinker;	/* the registered one, or NULL */
enum cpuhp_state { CPUHP_INVALID = -1, CPUHP_BP_PREPARE_DYN = 10 };
int cpuhp_setup_state_nocalls(enum cpuhp_state st, const char *name,
			      int (*startup)(unsigned int cpu), int (*teardown)(unsigned int cpu));
void cpuhp_remove_state_nocalls(enum cpuhp_state st);
extern int (*shim_cpu_dead)(unsigned int cpu);	/* the registered teardown, or NULL */

/* ---- RCU (liburcu) ---- */
/*
 * call_rcu() goes through a trampoline: it tells shim_cpu_id() that liburcu's
 * callback thread is registered with RCU already, and, under TSan (liburcu
 * is not instrumented), annotates the call -> callback ordering.
 */
void shim_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *));
void shim_rcu_barrier(void);
void shim_synchronize_rcu(void);
/*
 * Set before the first call_rcu() by a single-threaded user (the fuzzer):
 * callbacks are queued and run by the next rcu_barrier(), on the calling
 * thread in CPU 1's slot (the one liburcu's thread would take), and
 * synchronize_rcu() returns at once (no other thread can be a reader).
 * liburcu's grace periods slept for milliseconds per cache destroy.
 */
extern int shim_rcu_inline;
#undef synchronize_rcu
#define synchronize_rcu()	shim_synchronize_rcu()
#undef call_rcu
#define call_rcu(h, f)		shim_call_rcu(h, f)
#undef rcu_barrier
#define rcu_barrier()		shim_rcu_barrier()
#define rcu_dereference_check(p, c)	rcu_dereference(p)
#define rcu_dereference_protected(p, c)	(p)
#define rcu_dereference_raw(p)		rcu_dereference(p)
#define RCU_INIT_POINTER(p, v)		WRITE_ONCE(p, v)
#define rcu_read_lock_held()		1
void shim_kfree_rcu_cb(struct rcu_head *h);
void shim_kfree_rcu(void *obj, struct rcu_head *h);
#define kfree_rcu(obj, field)	shim_kfree_rcu((obj), &(obj)->field)

/* ---- memory ---- */
#define ___GFP_DIRECT_RECLAIM	0x400u
#define ___GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_HIGH		0x20u
#define __GFP_IO		0x40u
#define __GFP_FS		0x80u
#define __GFP_ZERO		0x100u
#define __GFP_NOWARN		0x2000u
#define __GFP_RETRY_MAYFAIL	0x4000u
#define __GFP_NOFAIL		0x8000u
#define __GFP_NORETRY		0x10000u
#define __GFP_COMP		0x40000u
#define __GFP_THISNODE		0x200000u
#define __GFP_ACCOUNT		0x400000u
#define __GFP_NOMEMALLOC	0x80000u
#define __GFP_DIRECT_RECLAIM	___GFP_DIRECT_RECLAIM
#define __GFP_KSWAPD_RECLAIM	___GFP_KSWAPD_RECLAIM
#define __GFP_RECLAIM		(___GFP_DIRECT_RECLAIM | ___GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define gfpflags_allow_blocking(g)	(!!((g) & __GFP_DIRECT_RECLAIM))

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_OFFSET		0UL	/* "physical" = virtual in userspace */
#define MAX_ORDER		11
#define MAX_PHYSMEM_BITS	47
#define NUMA_NO_NODE		(-1)
#define MAX_NUMNODES		64
extern unsigned int nr_node_ids;
struct page;			/* opaque: a page pointer is its address */
struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
void __free_pages(struct page *page, unsigned int order);
void split_page(struct page *page, unsigned int order);
void free_pages_exact(void *virt, size_t size);
/* reference counts, as the kernel's: 1 on a block's first page, 0 on the others */
int page_ref_count(const struct page *page);
void set_page_count(struct page *page, int v);
void put_page(struct page *page);
#define page_address(p)		((void *)(p))
#define virt_to_page(a)		((struct page *)((unsigned long)(a) & PAGE_MASK))
#define __pa(a)			((unsigned long)(a))
#define __va(a)			((void *)(unsigned long)(a))
#define virt_addr_valid(a)	true

int page_to_nid(const struct page *page);
int numa_node_id(void);
int cpu_to_node(int cpu);
bool node_online(int nid);
bool node_has_memory(int nid);
#define for_each_node(n)	for ((n) = 0; (n) < (int)nr_node_ids; (n)++)
#define for_each_online_node(n)	for_each_node(n)
#define for_each_node_with_memory(n) for_each_node(n)
#define num_online_nodes()	nr_node_ids
#define N_MEMORY		1
#define N_POSSIBLE		0
#define node_state(n, s)	node_online(n)
#define numa_mem_id()		numa_node_id()
extern bool shim_init_on_alloc, shim_init_on_free;
#define want_init_on_alloc(gfp)	(shim_init_on_alloc || ((gfp) & __GFP_ZERO))
#define want_init_on_free()	shim_init_on_free

void *kmalloc(size_t size, gfp_t gfp);
void *kmalloc_node(size_t size, gfp_t gfp, int node);
void *kzalloc(size_t size, gfp_t gfp);
void *kzalloc_node(size_t size, gfp_t gfp, int node);
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void *kvzalloc(size_t size, gfp_t gfp);
void *kvmalloc_array(size_t n, size_t size, gfp_t gfp);
void *kvcalloc(size_t n, size_t size, gfp_t gfp);
void *vmalloc(size_t size);
void *vzalloc(size_t size);
void *vmalloc_node(size_t size, int node);
void kfree(const void *p);
void kvfree(const void *p);
void vfree(const void *p);
char *kstrdup(const char *s, gfp_t gfp);
bool is_vmalloc_addr(const void *p);
struct page *vmalloc_to_page(const void *p);
size_t shim_vmalloc_size(const void *p);

#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)
#define PAGE_ALIGNED(a)		IS_ALIGNED((unsigned long)(a), PAGE_SIZE)
#define __vmalloc(size, gfp)	(((gfp) & __GFP_ZERO) ? vzalloc(size) : vmalloc(size))
#define kmemleak_alloc(p, s, c, g)	do { } while (0)
#define kmemleak_free(p)		do { } while (0)
#define kmemleak_not_leak(p)		do { } while (0)
#define kmemleak_no_scan(p)		do { } while (0)
struct ratelimit_state { int dummy; };
#define DEFINE_RATELIMIT_STATE(n, i, b)	struct ratelimit_state n = { 0 }
#define __ratelimit(rs)			((void)(rs), 1)
/*
 * on_each_cpu(): runs @fn once as every CPU slot in turn, on the calling
 * thread, with "interrupts off". Only valid while no other thread is inside
 * gomem (tests call it when their workers are parked or joined).
 */
void on_each_cpu(void (*fn)(void *), void *info, int wait);
void shim_cpu_impersonate(int cpu);	/* -1: back to our own slot */

/* ---- debug classes (gomem/debug.c): owners, reports ---- */
typedef unsigned int depot_stack_handle_t;
unsigned int stack_trace_save(unsigned long *store, unsigned int size, unsigned int skip);
int stack_depot_init(void);
depot_stack_handle_t stack_depot_save(unsigned long *entries, unsigned int nr, gfp_t gfp);
unsigned int stack_depot_fetch(depot_stack_handle_t handle, unsigned long **entries);
void stack_depot_print(depot_stack_handle_t handle);
#define TAINT_PROPRIETARY_MODULE	0
static inline int test_taint(unsigned int flag) { (void)flag; return 0; }
enum { DUMP_PREFIX_NONE, DUMP_PREFIX_ADDRESS, DUMP_PREFIX_OFFSET };
void print_hex_dump(const char *level, const char *prefix, int type, int rowsize,
		    int groupsize, const void *buf, size_t len, bool ascii);
void *memchr_inv(const void *start, int c, size_t bytes);
void *krealloc(const void *p, size_t size, gfp_t gfp);
char *kstrndup(const char *s, size_t max, gfp_t gfp);
ssize_t strscpy(char *dst, const char *src, size_t size);
#define scnprintf(buf, len, ...)	({ int __n = snprintf(buf, len, __VA_ARGS__);	\
	__n < 0 ? 0 : (size_t)__n >= (len) ? (int)(len) - 1 : __n; })
struct shim_task { int pid; };
struct shim_task *shim_current(void);
#define current			shim_current()
/* seq_file: text into a malloc()ed buffer (tests read m->buf) */
struct seq_file {
	char *buf;
	size_t count, size;
	void *private;
};
void seq_printf(struct seq_file *m, const char *fmt, ...) __printf(2, 3);
void seq_puts(struct seq_file *m, const char *s);
void seq_putc(struct seq_file *m, char c);

/* ---- tracepoints (gomem/trace.h): counted, for tests ---- */
struct shim_trace {
	long allocs, frees, spans_made, spans_freed, grows, releases;
	const void *last_alloc, *last_free;
	unsigned long last_alloc_site, last_free_site;
	size_t last_req, last_alloc_bytes;
	const char *last_cache;
};
extern struct shim_trace shim_trace;
extern bool shim_tracing;		/* gomem_tracing_on(): trace.c's switch */
void shim_trace_alloc(unsigned long site, const void *p, size_t req, size_t bytes,
		      const char *cache);
void shim_trace_free(unsigned long site, const void *p);
#define gomem_tracing_on()		READ_ONCE(shim_tracing)
#define trace_gomem_alloc_enabled()	READ_ONCE(shim_tracing)
#define trace_gomem_alloc(site, p, req, bytes, gfp, node, cache) \
	do { if (READ_ONCE(shim_tracing)) shim_trace_alloc(site, p, req, bytes, cache); } while (0)
#define trace_gomem_free(site, p, cache) \
	do { if (READ_ONCE(shim_tracing)) shim_trace_free(site, p); } while (0)
#define shim_trace_count(field)	__atomic_fetch_add(&shim_trace.field, 1, __ATOMIC_RELAXED)
#define trace_gomem_span_alloc(s)		shim_trace_count(spans_made)
#define trace_gomem_span_free(s)		shim_trace_count(spans_freed)
#define trace_gomem_heap_grow(node, n)		shim_trace_count(grows)
#define trace_gomem_heap_release(node, n)	shim_trace_count(releases)

/* ---- shim controls for tests ---- */
struct shim_page_stats {
	long blocks;		/* alloc_pages_node() blocks outstanding */
	long pages;		/* 4 KiB pages outstanding */
	long calls, failures;
	long splits;		/* split_page() calls */
};
void shim_pages_stats(struct shim_page_stats *st);
bool shim_page_allocated(unsigned long addr);	/* is that kernel page allocated? */
extern int shim_pages_max_order;	/* larger orders fail (fragmentation) */
extern long shim_pages_fail_after;	/* fail every allocation after N more (-1 off) */
extern long shim_pages_limit;		/* at most this many 4 KiB pages outstanding (-1) */
extern int shim_pages_fail_node;	/* every allocation on this node fails (-1 off) */
/* the last SHIM_PAGE_CALLS alloc_pages_node() calls, as asked, in order */
struct shim_page_call {
	int nid;
	gfp_t gfp;
	unsigned int order;
	bool ok;
};
#define SHIM_PAGE_CALLS		256
extern struct shim_page_call shim_page_calls[SHIM_PAGE_CALLS];
extern long shim_page_ncalls;		/* calls recorded; a test may reset it */
void shim_set_nodes(unsigned int n);
void *shim_mmap_aligned(size_t size);	/* naturally aligned, zeroed */

/* ---- misc ---- */
struct list_head { struct list_head *next, *prev; };
#define LIST_HEAD_INIT(n)	{ &(n), &(n) }
#define LIST_HEAD(n)		struct list_head n = LIST_HEAD_INIT(n)
#define init_llist_head(h)	do { } while (0)
static inline void INIT_LIST_HEAD(struct list_head *l) { WRITE_ONCE(l->next, l); l->prev = l; }
static inline void __list_add(struct list_head *n, struct list_head *p, struct list_head *x)
{ x->prev = n; n->next = x; n->prev = p; WRITE_ONCE(p->next, n); }
static inline void list_add(struct list_head *n, struct list_head *h)
{ __list_add(n, h, h->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{ __list_add(n, h->prev, h); }
static inline void list_del(struct list_head *e)
{ e->next->prev = e->prev; WRITE_ONCE(e->prev->next, e->next); e->next = e->prev = NULL; }
static inline void list_del_init(struct list_head *e)
{ e->next->prev = e->prev; WRITE_ONCE(e->prev->next, e->next); INIT_LIST_HEAD(e); }
static inline bool list_empty(const struct list_head *h) { return READ_ONCE(h->next) == h; }
static inline void list_move(struct list_head *e, struct list_head *h)
{ list_del(e); list_add(e, h); }
static inline void list_move_tail(struct list_head *e, struct list_head *h)
{ list_del(e); list_add_tail(e, h); }
#define list_entry(p, t, m)		container_of(p, t, m)
#define list_first_entry(h, t, m)	list_entry((h)->next, t, m)
#define list_first_entry_or_null(h, t, m) (list_empty(h) ? NULL : list_first_entry(h, t, m))
#define list_next_entry(p, m)		list_entry((p)->m.next, typeof(*(p)), m)
#define list_for_each_entry(p, h, m) \
	for (p = list_entry((h)->next, typeof(*p), m); &p->m != (h); p = list_next_entry(p, m))
/* RCU lists: readers see a fully linked entry or none (liburcu readers) */
static inline void list_add_rcu(struct list_head *n, struct list_head *h)
{
	struct list_head *x = h->next;

	n->next = x;
	n->prev = h;
	smp_store_release(&h->next, n);
	x->prev = n;
}
static inline void list_add_tail_rcu(struct list_head *n, struct list_head *h)
{
	struct list_head *prev = h->prev;

	n->next = h;
	n->prev = prev;
	smp_store_release(&prev->next, n);
	h->prev = n;
}
static inline void list_del_rcu(struct list_head *e)
{
	e->next->prev = e->prev;
	WRITE_ONCE(e->prev->next, e->next);
	e->prev = NULL;		/* e->next stays: a reader may be on it */
}
#define list_for_each_entry_rcu(p, h, m) \
	for (p = list_entry(smp_load_acquire(&(h)->next), typeof(*p), m); &p->m != (h); \
	     p = list_entry(smp_load_acquire(&p->m.next), typeof(*p), m))
#define list_for_each_entry_safe(p, n, h, m) \
	for (p = list_entry((h)->next, typeof(*p), m), n = list_next_entry(p, m); \
	     &p->m != (h); p = n, n = list_next_entry(n, m))

static inline u64 shim_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}
#define ktime_get_ns()	shim_ns()
#define jiffies		(shim_ns() / 4000000ull)
#define HZ		250

#endif /* _GOMEM_SHIM_H */
