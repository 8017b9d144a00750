// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace implementation of the kernel stand-ins declared in shim.h.
 */
#include "shim.h"
#include <stdarg.h>
#include <sys/mman.h>
#include <sanitizer/asan_interface.h>
#include <malloc.h>

int shim_quiet;
int shim_page_fill_sparse;
bool shim_init_on_alloc, shim_init_on_free;
unsigned long shim_warnings;
unsigned int nr_cpu_ids = NR_CPUS;
unsigned int nr_node_ids = 2;
__thread int shim_irq_depth, shim_preempt_depth;

static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t shim_log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *shim_log_buf;
static size_t shim_log_len, shim_log_size;
static bool shim_log_on;

void shim_log_capture(bool on)
{
	pthread_mutex_lock(&shim_log_lock);
	shim_log_on = on;
	if (on) {
		shim_log_len = 0;
		if (shim_log_buf)
			shim_log_buf[0] = 0;
	}
	pthread_mutex_unlock(&shim_log_lock);
}

const char *shim_log(void)
{
	return shim_log_buf ? shim_log_buf : "";
}

static void shim_log_add(const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	pthread_mutex_lock(&shim_log_lock);
	if (!shim_log_on)
		goto out;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n > 0 && shim_log_len + n + 1 > shim_log_size) {
		shim_log_size = (shim_log_len + n + 1) * 2;
		shim_log_buf = realloc(shim_log_buf, shim_log_size);
		if (!shim_log_buf)
			abort();
	}
	if (n > 0) {
		vsnprintf(shim_log_buf + shim_log_len, n + 1, fmt, ap);
		shim_log_len += n;
	}
out:
	pthread_mutex_unlock(&shim_log_lock);
}

void shim_printk(const char *lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	shim_log_add(fmt, ap);
	va_end(ap);
	if (lvl[0] == 'W' || lvl[0] == 'E')
		__atomic_fetch_add(&shim_warnings, 1, __ATOMIC_RELAXED);
	if (shim_quiet && lvl[0] != 'E')
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/*
 * A word at a time, as the kernel's _find_next_bit(): profiles of the
 * userspace build (callgrind) then weigh bitmap searches as the kernel's.
 */
static unsigned long find_next(const unsigned long *a, unsigned long size, unsigned long off,
			       unsigned long invert)
{
	unsigned long w;

	if (off >= size)
		return size;
	w = (a[off / BITS_PER_LONG] ^ invert) & (~0UL << (off % BITS_PER_LONG));
	off -= off % BITS_PER_LONG;
	while (!w) {
		off += BITS_PER_LONG;
		if (off >= size)
			return size;
		w = a[off / BITS_PER_LONG] ^ invert;
	}
	off += __builtin_ctzl(w);
	return off < size ? off : size;
}

unsigned long find_next_bit(const unsigned long *a, unsigned long size, unsigned long off)
{
	return find_next(a, size, off, 0);
}

unsigned long find_next_zero_bit(const unsigned long *a, unsigned long size, unsigned long off)
{
	return find_next(a, size, off, ~0UL);
}

/* ---- CPU slots: one per live thread ---- */
static unsigned long cpu_used[BITS_TO_LONGS(NR_CPUS)];
__thread int shim_my_cpu = -1;
__thread long shim_my_cpu_off = -1;
static __thread bool in_rcu_callback;	/* liburcu's thread: registered already */
static pthread_key_t cpu_key;
static pthread_once_t cpu_key_once = PTHREAD_ONCE_INIT;

/*
 * A thread that exits leaves RCU and gives its slot back, like a CPU going
 * offline; whatever the slot's per-CPU state still caches is for the test
 * to drain (gomem_drain_cpu()), as the kernel's hotplug callback would.
 */
static void cpu_key_destroy(void *arg)
{
	shim_cpu_release();
}

static void cpu_key_init(void)
{
	pthread_key_create(&cpu_key, cpu_key_destroy);
}

static void shim_set_cpu(int cpu)
{
	shim_my_cpu = cpu;
	shim_my_cpu_off = cpu >= 0 ? (long)cpu * SHIM_PCPU_UNIT : -1;
}

long shim_cpu_off_slow(void)
{
	return (long)shim_cpu_id_slow() * SHIM_PCPU_UNIT;
}

/*
 * shim_cpu_off()'s slow path: shim_cpu_off_slow() with every register the
 * C ABI lets it clobber saved around it (all but %rax, the result), on a
 * 16-byte aligned stack.
 */
#ifdef __x86_64__
#define SHIM_XMM_SAVE(n) "movdqu %xmm" #n ", " #n "*16(%rsp)\n\t"
#define SHIM_XMM_LOAD(n) "movdqu " #n "*16(%rsp), %xmm" #n "\n\t"
asm(".pushsection .text\n"
    ".globl shim_cpu_off_thunk\n"
    ".type shim_cpu_off_thunk, @function\n"
    "shim_cpu_off_thunk:\n\t"
    "pushq %rbp\n\t"
    "movq %rsp, %rbp\n\t"
    "andq $-16, %rsp\n\t"
    "subq $256, %rsp\n\t"
    SHIM_XMM_SAVE(0) SHIM_XMM_SAVE(1) SHIM_XMM_SAVE(2) SHIM_XMM_SAVE(3)
    SHIM_XMM_SAVE(4) SHIM_XMM_SAVE(5) SHIM_XMM_SAVE(6) SHIM_XMM_SAVE(7)
    SHIM_XMM_SAVE(8) SHIM_XMM_SAVE(9) SHIM_XMM_SAVE(10) SHIM_XMM_SAVE(11)
    SHIM_XMM_SAVE(12) SHIM_XMM_SAVE(13) SHIM_XMM_SAVE(14) SHIM_XMM_SAVE(15)
    "pushq %rdi\n\tpushq %rsi\n\tpushq %rdx\n\tpushq %rcx\n\t"
    "pushq %r8\n\tpushq %r9\n\tpushq %r10\n\tpushq %r11\n\t"
    "call shim_cpu_off_slow\n\t"
    "popq %r11\n\tpopq %r10\n\tpopq %r9\n\tpopq %r8\n\t"
    "popq %rcx\n\tpopq %rdx\n\tpopq %rsi\n\tpopq %rdi\n\t"
    SHIM_XMM_LOAD(0) SHIM_XMM_LOAD(1) SHIM_XMM_LOAD(2) SHIM_XMM_LOAD(3)
    SHIM_XMM_LOAD(4) SHIM_XMM_LOAD(5) SHIM_XMM_LOAD(6) SHIM_XMM_LOAD(7)
    SHIM_XMM_LOAD(8) SHIM_XMM_LOAD(9) SHIM_XMM_LOAD(10) SHIM_XMM_LOAD(11)
    SHIM_XMM_LOAD(12) SHIM_XMM_LOAD(13) SHIM_XMM_LOAD(14) SHIM_XMM_LOAD(15)
    "leave\n\t"
    "ret\n"
    ".size shim_cpu_off_thunk, .-shim_cpu_off_thunk\n"
    ".popsection");
#endif

int shim_cpu_id_slow(void)
{
	int cpu;

	if (shim_my_cpu >= 0)
		return shim_my_cpu;
	pthread_mutex_lock(&shim_lock);
	cpu = find_first_zero_bit(cpu_used, NR_CPUS);
	if (cpu >= NR_CPUS) {
		fprintf(stderr, "shim: more than %d threads use gomem at once\n", NR_CPUS);
		abort();
	}
	__set_bit(cpu, cpu_used);
	pthread_mutex_unlock(&shim_lock);
	shim_set_cpu(cpu);
	if (!in_rcu_callback) {
		rcu_register_thread();
		pthread_once(&cpu_key_once, cpu_key_init);
		pthread_setspecific(cpu_key, (void *)1);
	}
	return cpu;
}

void shim_cpu_release(void)
{
	if (shim_my_cpu < 0)
		return;
	if (!in_rcu_callback)
		rcu_unregister_thread();
	pthread_mutex_lock(&shim_lock);
	__clear_bit(shim_my_cpu, cpu_used);
	pthread_mutex_unlock(&shim_lock);
	shim_set_cpu(-1);
}

static __thread int saved_cpu = -2;

void shim_cpu_impersonate(int cpu)
{
	if (cpu >= 0) {
		if (saved_cpu == -2)
			saved_cpu = shim_my_cpu;
		shim_set_cpu(cpu);
	} else {
		shim_set_cpu(saved_cpu);
		saved_cpu = -2;
	}
}

void on_each_cpu(void (*fn)(void *), void *info, int wait)
{
	unsigned int cpu;

	shim_cpu_id();		/* make sure we are registered with RCU */
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		shim_cpu_impersonate(cpu);
		shim_irq_depth++;
		fn(info);
		shim_irq_depth--;
	}
	shim_cpu_impersonate(-1);
}

bool cpu_possible(unsigned int cpu)
{
	return cpu < nr_cpu_ids;
}

bool cpu_online(unsigned int cpu)
{
	return cpu < nr_cpu_ids;
}

int cpu_to_node(int cpu)
{
	return cpu % nr_node_ids;
}

int numa_node_id(void)
{
	return cpu_to_node(shim_cpu_id());
}

bool node_online(int nid)
{
	return nid >= 0 && nid < (int)nr_node_ids;
}

bool node_has_memory(int nid)
{
	return node_online(nid);
}

void shim_set_nodes(unsigned int n)
{
	nr_node_ids = n;
}

/*
 * ---- per-CPU memory ----
 * NR_CPUS units of SHIM_PCPU_UNIT bytes each, reserved once; an allocation
 * takes the same offset in every unit, so per_cpu_ptr() is pointer arithmetic
 * as in the kernel. First fit over 64-byte granules of unit 0.
 */
#define PCPU_GRANULE	64
#define PCPU_GRANULES	(SHIM_PCPU_UNIT / PCPU_GRANULE)
char *shim_pcpu_base;
static unsigned long pcpu_used[BITS_TO_LONGS(PCPU_GRANULES)];
static u32 pcpu_len[PCPU_GRANULES];

void *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp)
{
	size_t n = DIV_ROUND_UP(size, PCPU_GRANULE), start, i, cpu;
	void *p = NULL;

	(void)align;	/* granules are 64-byte aligned */
	(void)gfp;
	pthread_mutex_lock(&shim_lock);
	if (!shim_pcpu_base) {
		shim_pcpu_base = mmap(NULL, NR_CPUS * SHIM_PCPU_UNIT, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		BUG_ON(shim_pcpu_base == MAP_FAILED);
	}
	for (start = 0; start + n <= PCPU_GRANULES; start++) {
		for (i = 0; i < n && !test_bit(start + i, pcpu_used); i++)
			;
		if (i == n)
			break;
		start += i;
	}
	if (start + n <= PCPU_GRANULES) {
		for (i = 0; i < n; i++)
			__set_bit(start + i, pcpu_used);
		pcpu_len[start] = n;
		p = shim_pcpu_base + start * PCPU_GRANULE;
		for (cpu = 0; cpu < NR_CPUS; cpu++)
			memset((char *)p + cpu * SHIM_PCPU_UNIT, 0, n * PCPU_GRANULE);
	}
	pthread_mutex_unlock(&shim_lock);
	return p;
}

void free_percpu(void *p)
{
	size_t start, i;

	if (!p)
		return;
	start = ((char *)p - shim_pcpu_base) / PCPU_GRANULE;
	pthread_mutex_lock(&shim_lock);
	for (i = 0; i < pcpu_len[start]; i++)
		__clear_bit(start + i, pcpu_used);
	pcpu_len[start] = 0;
	pthread_mutex_unlock(&shim_lock);
}

/*
 * ---- pages ----
 * Blocks are mmap()ed naturally aligned; each is recorded with its node and
 * order so that page_to_nid() works and frees are checked. split_page()
 * gives a block a bitmap of its kernel pages still allocated: each of them
 * is then freed on its own (order 0), and unmapped at once, so a touch of a
 * released page faults; a page freed twice, or a split block freed whole,
 * aborts. The record goes when its last page does.
 * Each kernel page has a reference count, as the kernel's struct page: 1 on
 * the first page of a block, 0 on the others, 1 on each page once split.
 * __free_pages() and put_page() drop one and free when it reaches 0; a
 * count that goes below 0, a split of a block whose later pages are not 0,
 * and a whole block freed while a later page is not 0 abort ("Bad page
 * state").
 */
struct shim_block {
	unsigned long addr;
	unsigned int order;
	int nid;
	int *ref;		/* per kernel page */
	unsigned long *live;	/* split: 1 = kernel page still allocated */
	struct shim_block *next;
};

#define BLOCK_HASH	4096
static struct shim_block *blocks[BLOCK_HASH];
static long st_blocks, st_pages, st_calls, st_failures, st_splits;
int shim_pages_max_order = MAX_ORDER - 1;
long shim_pages_fail_after = -1;
long shim_pages_limit = -1;
int shim_pages_fail_node = -1;
struct shim_page_call shim_page_calls[SHIM_PAGE_CALLS];
long shim_page_ncalls;

/* shim_lock held */
static void record_call(int nid, gfp_t gfp, unsigned int order, bool ok)
{
	struct shim_page_call *c = &shim_page_calls[shim_page_ncalls++ % SHIM_PAGE_CALLS];

	c->nid = nid;
	c->gfp = gfp;
	c->order = order;
	c->ok = ok;
}

static unsigned int block_hash(unsigned long addr)
{
	return (addr >> 22) % BLOCK_HASH;
}

#define HPAGE_BYTES	(2UL << 20)

/* @size bytes of fresh (zeroed) memory, naturally aligned to @size */
void *shim_mmap_aligned(size_t size)
{
	char *raw, *p;
	size_t head;

	raw = mmap(NULL, size * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)ALIGN((unsigned long)raw, size);
	head = p - raw;
	if (head)
		munmap(raw, head);
	munmap(p + size, size - head);
	/*
	 * Transparent huge pages where they fit: one fault per 2 MiB instead
	 * of 512 (a fault costs tens of microseconds on a virtual machine)
	 */
	if (size >= HPAGE_BYTES)
		madvise(p, size, MADV_HUGEPAGE);
	return p;
}

/*
 * Freed blocks of SHIM_POOL_MIN_ORDER and up are kept mapped, up to
 * SHIM_POOL_BYTES, and handed out again: a fresh mapping costs a page fault
 * per page on first touch, which made growing gomem's heap (4 MiB at a time)
 * the costliest step of the fuzzer and of several host tests. A pooled block
 * is hidden (hide()) until it is handed out again, so a use after free
 * still faults or is reported, as an unmapped one would; alloc_pages_node()
 * fills it again.
 */
#define SHIM_POOL_MIN_ORDER	4
#define SHIM_POOL_ORDERS	14	/* vmalloc blocks go past MAX_ORDER */

#if defined(__SANITIZE_ADDRESS__)
#define SHIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHIM_ASAN 1
#endif
#endif

/*
 * Make free memory that stays mapped inaccessible, and accessible again.
 * Under ASan by poisoning it (a use is reported as use-after-poison, and no
 * page table changes: on a VM with shadow paging, mprotect() churn made
 * every later touch of the range fault in the hypervisor), else with
 * mprotect().
 */
static void hide(void *p, size_t len)
{
#ifdef SHIM_ASAN
	ASAN_POISON_MEMORY_REGION(p, len);
#else
	BUG_ON(mprotect(p, len, PROT_NONE));
#endif
}

static void show(void *p, size_t len)
{
#ifdef SHIM_ASAN
	ASAN_UNPOISON_MEMORY_REGION(p, len);
#else
	BUG_ON(mprotect(p, len, PROT_READ | PROT_WRITE));
#endif
}
#define SHIM_POOL_BYTES		(1024UL << 20)

struct shim_pooled {
	struct shim_pooled *next;	/* kept in a malloc()ed node, not in the block */
	void *addr;
};

static struct shim_pooled *pool[SHIM_POOL_ORDERS];
static unsigned long pool_bytes;

static void *pool_take(unsigned int order)
{
	struct shim_pooled *e;
	void *p = NULL;

	if (order < SHIM_POOL_MIN_ORDER)
		return NULL;
	pthread_mutex_lock(&shim_lock);
	e = pool[order];
	if (e) {
		pool[order] = e->next;
		pool_bytes -= PAGE_SIZE << order;
	}
	pthread_mutex_unlock(&shim_lock);
	if (e) {
		p = e->addr;
		free(e);
		show(p, PAGE_SIZE << order);
	}
	return p;
}

/* keep a freed block for reuse; false: the caller unmaps it */
static bool pool_put(void *p, unsigned int order)
{
	size_t size = PAGE_SIZE << order;
	struct shim_pooled *e;

	if (order < SHIM_POOL_MIN_ORDER)
		return false;
	e = malloc(sizeof(*e));
	BUG_ON(!e);
	e->addr = p;
	hide(p, size);
	pthread_mutex_lock(&shim_lock);
	if (pool_bytes + size <= SHIM_POOL_BYTES) {
		e->next = pool[order];
		pool[order] = e;
		pool_bytes += size;
		e = NULL;
	}
	pthread_mutex_unlock(&shim_lock);
	if (!e)
		return true;
	free(e);
	return false;
}

static void fill_sparse(char *p, size_t size)
{
	size_t off;

	for (off = 0; off < size; off += PAGE_SIZE) {
		memset(p + off, 0xa5, 64);
		memset(p + off + PAGE_SIZE - 64, 0xa5, 64);
	}
}

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	size_t size = PAGE_SIZE << order;
	struct shim_block *b;
	char *p;

	if (nid == NUMA_NO_NODE)
		nid = numa_node_id();
	BUG_ON(nid < 0 || nid >= (int)nr_node_ids);
	BUG_ON(order >= MAX_ORDER);
	pthread_mutex_lock(&shim_lock);
	st_calls++;
	if ((int)order > shim_pages_max_order || shim_pages_fail_after == 0 ||
	    nid == shim_pages_fail_node ||
	    (shim_pages_limit >= 0 && st_pages + (1L << order) > shim_pages_limit)) {
		st_failures++;
		record_call(nid, gfp, order, false);
		pthread_mutex_unlock(&shim_lock);
		return NULL;
	}
	if (shim_pages_fail_after > 0)
		shim_pages_fail_after--;
	record_call(nid, gfp, order, true);
	pthread_mutex_unlock(&shim_lock);

	p = pool_take(order);
	if (!p)
		p = shim_mmap_aligned(size);
	if (!p)
		return NULL;
	if (want_init_on_alloc(gfp))
		memset(p, 0, size);	/* as the buddy allocator (post_alloc_hook()) */
	else if (!shim_page_fill_sparse)
		memset(p, 0xa5, size);	/* catch users of uninitialised memory */
	else
		fill_sparse(p, size);

	b = malloc(sizeof(*b));
	BUG_ON(!b);
	b->addr = (unsigned long)p;
	b->order = order;
	b->nid = nid;
	b->live = NULL;
	b->ref = calloc(1UL << order, sizeof(int));
	BUG_ON(!b->ref);
	b->ref[0] = 1;
	pthread_mutex_lock(&shim_lock);
	b->next = blocks[block_hash(b->addr)];
	blocks[block_hash(b->addr)] = b;
	st_blocks++;
	st_pages += 1L << order;
	pthread_mutex_unlock(&shim_lock);
	return (struct page *)p;
}

static struct shim_block *find_block(unsigned long addr, bool unlink)
{
	unsigned int h;
	struct shim_block **pp, *b;

	/* a block of order <= 10 lies in one 4 MiB-aligned region or starts it */
	for (h = 0; h < 2; h++) {
		pp = &blocks[block_hash(addr - h * (1UL << 22))];
		for (; (b = *pp); pp = &b->next) {
			if (addr >= b->addr && addr < b->addr + (PAGE_SIZE << b->order)) {
				if (unlink)
					*pp = b->next;
				return b;
			}
		}
	}
	return NULL;
}

void split_page(struct page *page, unsigned int order)
{
	unsigned long addr = (unsigned long)page, n = 1UL << order, i;
	struct shim_block *b;

	pthread_mutex_lock(&shim_lock);
	b = find_block(addr, false);
	if (!b || b->addr != addr || b->order != order || b->live) {
		fprintf(stderr, "shim: split_page(%#lx, %u) of a block not allocated whole\n",
			addr, order);
		abort();
	}
	for (i = 1; i < n; i++) {
		if (b->ref[i]) {
			fprintf(stderr, "shim: split_page(%#lx, %u): page %lu has count %d\n",
				addr, order, i, b->ref[i]);
			abort();
		}
		b->ref[i] = 1;
	}
	b->live = malloc(BITS_TO_LONGS(n) * sizeof(long));
	BUG_ON(!b->live);
	bitmap_zero(b->live, n);
	bitmap_set(b->live, 0, n);
	st_splits++;
	pthread_mutex_unlock(&shim_lock);
}

/*
 * Free pages of a split block: hidden, still mapped, when the block is
 * of a size the pool keeps (freeing its last page pools the whole block),
 * else unmapped
 */
static void unmap_pages(unsigned long addr, size_t len)
{
	struct shim_block *b;
	bool keep;

	pthread_mutex_lock(&shim_lock);
	b = find_block(addr, false);
	keep = b && b->order >= SHIM_POOL_MIN_ORDER;
	pthread_mutex_unlock(&shim_lock);
	if (keep)
		hide((void *)addr, len);
	else
		munmap((void *)addr, len);
}

/*
 * Free one kernel page of a split block (or an order-0 block). @unmap: make
 * it inaccessible here; false when the caller did, for a longer range. The
 * pages of a pooled-size block stay mapped, hidden, and the block goes to
 * the pool once its last page is free.
 */
static void free_one_page(unsigned long addr, bool unmap)
{
	unsigned long i, base = 0;
	struct shim_block *b;
	unsigned int order = 0;
	bool keep;

	pthread_mutex_lock(&shim_lock);
	b = find_block(addr, false);
	if (unmap && b && !b->live && b->order == 0 && b->addr == addr) {
		pthread_mutex_unlock(&shim_lock);
		__free_pages((struct page *)addr, 0);
		return;
	}
	i = b ? (addr - b->addr) / PAGE_SIZE : 0;
	if (!b || !b->live || addr % PAGE_SIZE || !test_bit(i, b->live)) {
		fprintf(stderr, "shim: free of page %#lx: not an allocated page%s\n", addr,
			b && b->live ? " (freed twice?)" : b ? " (block not split)" : "");
		abort();
	}
	/* decided now: the block may be gone when the page is unmapped below */
	keep = b->order >= SHIM_POOL_MIN_ORDER;
	__clear_bit(i, b->live);
	st_pages--;
	if (find_next_bit(b->live, 1UL << b->order, 0) >= 1UL << b->order) {
		find_block(addr, true);
		st_blocks--;
		base = b->addr;
		order = b->order;
		free(b->live);
		free(b->ref);
		free(b);
	}
	pthread_mutex_unlock(&shim_lock);
	/*
	 * A pooled-size block's page stays mapped, hidden: unmap_pages() would
	 * no longer find the block when this was its last page, and unmap a
	 * page of a block the pool then hands out again (a SEGV in a later
	 * alloc_pages_node(), seen once in heap.random_ops)
	 */
	if (unmap && keep)
		hide((void *)addr, PAGE_SIZE);
	else if (unmap)
		munmap((void *)addr, PAGE_SIZE);
	if (base && order >= SHIM_POOL_MIN_ORDER && !pool_put((void *)base, order))
		munmap((void *)base, PAGE_SIZE << order);
}

/*
 * Drop one reference on the kernel page at @addr (shim_lock held).
 * Returns true when that was the last: the caller frees it. Aborts on a
 * page with no reference, or a later page of a block not split (the
 * kernel would free that page alone out of its block).
 */
static bool ref_put(unsigned long addr, unsigned int order)
{
	struct shim_block *b = find_block(addr, false);
	unsigned long i;

	if (!b)
		return true;	/* the callers report it */
	i = (addr - b->addr) / PAGE_SIZE;
	if (b->ref[i] <= 0) {
		fprintf(stderr, "shim: put of page %#lx with count %d (Bad page state)\n",
			addr, b->ref[i]);
		abort();
	}
	if (--b->ref[i])
		return false;
	if (!b->live && i) {
		fprintf(stderr, "shim: page %#lx, inside an unsplit block, freed alone\n", addr);
		abort();
	}
	if (!b->live && order == b->order)
		for (i = 1; i < 1UL << order; i++)
			if (b->ref[i]) {
				fprintf(stderr, "shim: block %#lx freed with page %lu at count %d (Bad page state)\n",
					addr, i, b->ref[i]);
				abort();
			}
	return true;
}

int page_ref_count(const struct page *page)
{
	unsigned long addr = (unsigned long)page;
	struct shim_block *b;
	int v;

	pthread_mutex_lock(&shim_lock);
	b = find_block(addr, false);
	BUG_ON(!b || addr % PAGE_SIZE);
	v = b->ref[(addr - b->addr) / PAGE_SIZE];
	pthread_mutex_unlock(&shim_lock);
	return v;
}

void set_page_count(struct page *page, int v)
{
	unsigned long addr = (unsigned long)page;
	struct shim_block *b;

	pthread_mutex_lock(&shim_lock);
	b = find_block(addr, false);
	BUG_ON(!b || addr % PAGE_SIZE);
	b->ref[(addr - b->addr) / PAGE_SIZE] = v;
	pthread_mutex_unlock(&shim_lock);
}

void put_page(struct page *page)
{
	__free_pages(page, 0);
}

void free_pages_exact(void *virt, size_t size)
{
	unsigned long addr = (unsigned long)virt, end = addr + ALIGN(size, PAGE_SIZE), a;
	bool all = true;

	pthread_mutex_lock(&shim_lock);
	for (a = addr; a < end; a += PAGE_SIZE) {
		struct shim_block *b = find_block(a, false);

		if (b && b->ref[(a - b->addr) / PAGE_SIZE] != 1)
			all = false;
	}
	pthread_mutex_unlock(&shim_lock);
	if (!all) {		/* some stay: page by page, as the kernel */
		for (a = addr; a < end; a += PAGE_SIZE)
			__free_pages((struct page *)a, 0);
		return;
	}
	/* each page's last reference: one call (page by page is slow under TSan) */
	pthread_mutex_lock(&shim_lock);
	for (a = addr; a < end; a += PAGE_SIZE)
		ref_put(a, 0);
	pthread_mutex_unlock(&shim_lock);
	unmap_pages(addr, end - addr);
	for (a = addr; a < end; a += PAGE_SIZE)
		free_one_page(a, false);
}

bool shim_page_allocated(unsigned long addr)
{
	struct shim_block *b;
	bool ret;

	pthread_mutex_lock(&shim_lock);
	b = find_block(addr & PAGE_MASK, false);
	ret = b && (!b->live || test_bit((addr - b->addr) / PAGE_SIZE, b->live));
	pthread_mutex_unlock(&shim_lock);
	return ret;
}

void __free_pages(struct page *page, unsigned int order)
{
	unsigned long addr = (unsigned long)page;
	struct shim_block *b;

	pthread_mutex_lock(&shim_lock);
	if (!ref_put(addr, order)) {
		pthread_mutex_unlock(&shim_lock);
		return;		/* other references remain */
	}
	b = find_block(addr, false);
	if (b && b->live && order == 0) {
		pthread_mutex_unlock(&shim_lock);
		free_one_page(addr, true);
		return;
	}
	if (b && b->live) {
		fprintf(stderr, "shim: __free_pages(%#lx, %u) of a split block\n", addr, order);
		abort();
	}
	if (!b || b->addr != addr || b->order != order) {
		fprintf(stderr, "shim: __free_pages(%#lx, %u) of a block not allocated\n",
			addr, order);
		abort();
	}
	find_block(addr, true);
	st_blocks--;
	st_pages -= 1L << order;
	pthread_mutex_unlock(&shim_lock);
	if (!pool_put(page, order))
		munmap(page, PAGE_SIZE << order);
	free(b->ref);
	free(b);
}

int page_to_nid(const struct page *page)
{
	struct shim_block *b;
	int nid;

	pthread_mutex_lock(&shim_lock);
	b = find_block((unsigned long)page, false);
	BUG_ON(!b);
	nid = b->nid;
	pthread_mutex_unlock(&shim_lock);
	return nid;
}

void shim_pages_stats(struct shim_page_stats *st)
{
	pthread_mutex_lock(&shim_lock);
	st->blocks = st_blocks;
	st->pages = st_pages;
	st->calls = st_calls;
	st->failures = st_failures;
	st->splits = st_splits;
	pthread_mutex_unlock(&shim_lock);
}

/* ---- kmalloc family: libc, so ASan checks gomem's own metadata ---- */
void *kmalloc(size_t size, gfp_t gfp)
{
	void *p = malloc(size ? size : 1);

	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, size);
	return p;
}

void *kmalloc_node(size_t size, gfp_t gfp, int node)
{
	(void)node;
	return kmalloc(size, gfp);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

void *kzalloc_node(size_t size, gfp_t gfp, int node)
{
	return kmalloc_node(size, gfp | __GFP_ZERO, node);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	(void)gfp;
	return calloc(n, size);
}

/* vmalloc'ed blocks are tracked so is_vmalloc_addr() answers truthfully */
struct shim_vblock {
	void *p;
	size_t size;
	int order;		/* a pool-sized block, or -1: from aligned_alloc() */
	struct shim_vblock *next;
};
static struct shim_vblock *vblocks;

/*
 * From 64 KiB up, vmalloc memory comes from the page pool (a naturally
 * aligned block of the next order, its tail past the last page hidden);
 * smaller blocks from aligned_alloc(), so ASan's heap checks them
 */
void *vmalloc(size_t size)
{
	struct shim_vblock *v = malloc(sizeof(*v));
	size_t len = ALIGN(size ? size : 1, PAGE_SIZE);
	int order = -1;
	void *p;

	if (len >= (PAGE_SIZE << SHIM_POOL_MIN_ORDER))
		order = order_base_2(len / PAGE_SIZE);
	if (order >= SHIM_POOL_ORDERS)
		order = -1;
	if (order < 0) {
		p = aligned_alloc(PAGE_SIZE, len);	/* as vmalloc */
	} else {
		p = pool_take(order);
		if (!p)
			p = shim_mmap_aligned(PAGE_SIZE << order);
	}
	if (!v || !p) {
		free(v);
		if (order < 0)
			free(p);
		else if (p && !pool_put(p, order))
			munmap(p, PAGE_SIZE << order);
		return NULL;
	}
	if (order >= 0 && (PAGE_SIZE << order) > len)
		hide((char *)p + len, (PAGE_SIZE << order) - len);
	v->p = p;
	v->size = size;
	v->order = order;
	pthread_mutex_lock(&shim_lock);
	v->next = vblocks;
	vblocks = v;
	pthread_mutex_unlock(&shim_lock);
	return p;
}

void *vzalloc(size_t size)
{
	void *p = vmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *vmalloc_node(size_t size, int node)
{
	(void)node;
	return vmalloc(size);
}

static struct shim_vblock *find_vblock(const void *p, bool unlink)
{
	struct shim_vblock **pp, *v;

	for (pp = &vblocks; (v = *pp); pp = &v->next) {
		if ((const char *)p >= (char *)v->p && (const char *)p < (char *)v->p + v->size) {
			if (unlink)
				*pp = v->next;
			return v;
		}
	}
	return NULL;
}

bool is_vmalloc_addr(const void *p)
{
	bool r;

	pthread_mutex_lock(&shim_lock);
	r = find_vblock(p, false) != NULL;
	pthread_mutex_unlock(&shim_lock);
	return r;
}

size_t shim_vmalloc_size(const void *p)
{
	struct shim_vblock *v;
	size_t s = 0;

	pthread_mutex_lock(&shim_lock);
	v = find_vblock(p, false);
	if (v)
		s = v->size;
	pthread_mutex_unlock(&shim_lock);
	return s;
}

void vfree(const void *p)
{
	struct shim_vblock *v;

	if (!p)
		return;
	pthread_mutex_lock(&shim_lock);
	v = find_vblock(p, true);
	pthread_mutex_unlock(&shim_lock);
	BUG_ON(!v || v->p != p);
	if (v->order < 0)
		free(v->p);
	else if (!pool_put(v->p, v->order))
		munmap(v->p, PAGE_SIZE << v->order);
	free(v);
}

void *kvzalloc(size_t size, gfp_t gfp)
{
	return kzalloc(size, gfp);
}

void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t b;

	if (check_mul_overflow(n, size, &b))
		return NULL;
	return kmalloc(b, gfp);
}

void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	(void)gfp;
	return calloc(n, size);
}

void kfree(const void *p)
{
	free((void *)p);
}

void kvfree(const void *p)
{
	free((void *)p);
}

char *kstrdup(const char *s, gfp_t gfp)
{
	(void)gfp;
	return s ? strdup(s) : NULL;
}

struct shim_rcu_free {
	void *obj;
};

void shim_kfree_rcu_cb(struct rcu_head *h)
{
	(void)h;
}

/* kfree_rcu(): free the object after a grace period, on liburcu's thread */
struct shim_kfree_rcu {
	struct rcu_head rcu;
	void *obj;
};

static void shim_kfree_rcu_fn(struct rcu_head *h)
{
	struct shim_kfree_rcu *k = container_of(h, struct shim_kfree_rcu, rcu);

	free(k->obj);
	free(k);
}

void shim_kfree_rcu(void *obj, struct rcu_head *h)
{
	struct shim_kfree_rcu *k = malloc(sizeof(*k));

	(void)h;
	BUG_ON(!k);
	k->obj = obj;
	call_rcu(&k->rcu, shim_kfree_rcu_fn);
}

#if defined(__SANITIZE_THREAD__)
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#else
#define __tsan_acquire(a)	do { } while (0)
#define __tsan_release(a)	do { } while (0)
#endif

struct shim_rcu_tramp {
	struct rcu_head rcu;
	struct rcu_head *head;
	void (*fn)(struct rcu_head *);
	struct shim_rcu_tramp *next;	/* shim_rcu_inline's queue */
};

int shim_rcu_inline;
static struct shim_rcu_tramp *inline_head, **inline_tail = &inline_head;

/* shim_rcu_inline: run the queued callbacks, those they queue included */
static void rcu_run_inline(void)
{
	int cpu = shim_my_cpu;
	struct shim_rcu_tramp *t;

	while ((t = inline_head)) {
		inline_head = t->next;
		if (!inline_head)
			inline_tail = &inline_head;
		shim_set_cpu(nr_cpu_ids > 1 ? 1 : 0);
		in_rcu_callback = true;
		t->fn(t->head);
		in_rcu_callback = false;
		shim_set_cpu(cpu);
		free(t);
	}
}

static int rcu_barrier_token __maybe_unused;

#undef rcu_barrier
void shim_rcu_barrier(void)
{
	if (shim_rcu_inline) {
		rcu_run_inline();
		return;
	}
	urcu_memb_barrier();
	__tsan_acquire(&rcu_barrier_token);
}

static void shim_rcu_tramp_fn(struct rcu_head *h)
{
	struct shim_rcu_tramp *t = container_of(h, struct shim_rcu_tramp, rcu);

	__tsan_acquire(t);
	in_rcu_callback = true;
	t->fn(t->head);
	in_rcu_callback = false;
	free(t);
	__tsan_release(&rcu_barrier_token);	/* rcu_barrier() waits for us */
}

#undef call_rcu
void shim_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *))
{
	struct shim_rcu_tramp *t = malloc(sizeof(*t));

	BUG_ON(!t);
	t->head = head;
	t->fn = fn;
	if (shim_rcu_inline) {
		t->next = NULL;
		*inline_tail = t;
		inline_tail = &t->next;
		return;
	}
	__tsan_release(t);
	urcu_memb_call_rcu(&t->rcu, shim_rcu_tramp_fn);
}

#undef synchronize_rcu
void shim_synchronize_rcu(void)
{
	if (shim_rcu_inline)
		barrier();	/* no reader but us, and we are not reading */
	else
		urcu_memb_synchronize_rcu();
}

/* a mapped page of a vmalloc'ed block, or NULL (as for a guard page) */
struct page *vmalloc_to_page(const void *p)
{
	return is_vmalloc_addr(p) ? (struct page *)((unsigned long)p & PAGE_MASK) : NULL;
}

/* ---- lock owners, the shrinker and CPU hotplug ---- */
__thread char shim_lock_token;
struct shrinker *shim_shrinker;
int (*shim_cpu_dead)(unsigned int cpu);

int register_shrinker(struct shrinker *s, const char *fmt, ...)
{
	BUG_ON(shim_shrinker);
	shim_shrinker = s;
	return 0;
}

void unregister_shrinker(struct shrinker *s)
{
	BUG_ON(shim_shrinker != s);
	shim_shrinker = NULL;
}

int cpuhp_setup_state_nocalls(enum cpuhp_state st, const char *name,
			      int (*startup)(unsigned int cpu), int (*teardown)(unsigned int cpu))
{
	BUG_ON(shim_cpu_dead);
	shim_cpu_dead = teardown;
	return st + 1;		/* a dynamic state */
}

void cpuhp_remove_state_nocalls(enum cpuhp_state st)
{
	shim_cpu_dead = NULL;
}

/* ---- work items ---- */
struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max, ...)
{
	return malloc(1);
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	free(wq);
}

bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work)
{
	shim_cpu_id();		/* make sure we are registered with RCU */
	shim_cpu_impersonate(cpu);
	work->func(work);
	shim_cpu_impersonate(-1);
	return true;
}

/* ---- debug classes: owners and reports ---- */
#include <execinfo.h>
#include <sys/syscall.h>
#include <unistd.h>

unsigned int stack_trace_save(unsigned long *store, unsigned int size, unsigned int skip)
{
	void *frames[64];
	int n = backtrace(frames, 64), i, k = 0;

	for (i = skip + 1; i < n && k < (int)size; i++)
		store[k++] = (unsigned long)frames[i];
	return k;
}

/* the stack depot: stacks kept whole, forever, found again by content */
#define SHIM_DEPOT_MAX	4096
#define SHIM_DEPOT_DEPTH 16
static struct { unsigned int n; unsigned long e[SHIM_DEPOT_DEPTH]; } shim_depot[SHIM_DEPOT_MAX];
static unsigned int shim_depot_n;
static pthread_mutex_t shim_depot_lock = PTHREAD_MUTEX_INITIALIZER;

int stack_depot_init(void)
{
	return 0;
}

depot_stack_handle_t stack_depot_save(unsigned long *entries, unsigned int nr, gfp_t gfp)
{
	unsigned int i, h = 0;

	(void)gfp;
	if (nr > SHIM_DEPOT_DEPTH)
		nr = SHIM_DEPOT_DEPTH;
	pthread_mutex_lock(&shim_depot_lock);
	for (i = 0; i < shim_depot_n; i++)
		if (shim_depot[i].n == nr && !memcmp(shim_depot[i].e, entries, nr * sizeof(long)))
			break;
	if (i == shim_depot_n && shim_depot_n < SHIM_DEPOT_MAX) {
		shim_depot[i].n = nr;
		memcpy(shim_depot[i].e, entries, nr * sizeof(long));
		shim_depot_n++;
	}
	if (i < shim_depot_n)
		h = i + 1;
	pthread_mutex_unlock(&shim_depot_lock);
	return h;
}

unsigned int stack_depot_fetch(depot_stack_handle_t handle, unsigned long **entries)
{
	if (!handle || handle > shim_depot_n)
		return 0;
	*entries = shim_depot[handle - 1].e;
	return shim_depot[handle - 1].n;
}

void stack_depot_print(depot_stack_handle_t handle)
{
	unsigned long *e;
	unsigned int i, n = stack_depot_fetch(handle, &e);

	for (i = 0; i < n; i++)
		shim_printk("E", " %p\n", (void *)e[i]);
}

void print_hex_dump(const char *level, const char *prefix, int type, int rowsize,
		    int groupsize, const void *buf, size_t len, bool ascii)
{
	const unsigned char *p = buf;
	char line[128];
	size_t i, j;
	int n;

	(void)level; (void)type; (void)groupsize; (void)ascii;
	for (i = 0; i < len; i += rowsize) {
		n = snprintf(line, sizeof(line), "%s%p:", prefix, (void *)(p + i));
		for (j = i; j < len && j < i + rowsize; j++)
			n += snprintf(line + n, sizeof(line) - n, " %02x", p[j]);
		shim_printk("E", "%s\n", line);
	}
}

void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

void *krealloc(const void *p, size_t size, gfp_t gfp)
{
	(void)gfp;
	return realloc((void *)p, size ? size : 1);
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	(void)gfp;
	return s ? strndup(s, max) : NULL;
}

ssize_t strscpy(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size);

	if (!size)
		return -E2BIG;
	if (n == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = 0;
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return n;
}

struct shim_task *shim_current(void)
{
	static __thread struct shim_task t;

	if (!t.pid)
		t.pid = (int)syscall(SYS_gettid);
	return &t;
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(m->buf + m->count, m->size - m->count, fmt, ap);
		va_end(ap);
		if (n >= 0 && m->count + n < m->size)
			break;
		m->size = (m->size + n + 1) * 2;
		m->buf = realloc(m->buf, m->size);
		if (!m->buf)
			abort();
	}
	m->count += n;
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_printf(m, "%s", s);
}

void seq_putc(struct seq_file *m, char c)
{
	seq_printf(m, "%c", c);
}

/* ---- tracepoints ---- */
struct shim_trace shim_trace;
bool shim_tracing;

void shim_trace_alloc(unsigned long site, const void *p, size_t req, size_t bytes,
		      const char *cache)
{
	__atomic_fetch_add(&shim_trace.allocs, 1, __ATOMIC_RELAXED);
	shim_trace.last_alloc = p;
	shim_trace.last_alloc_site = site;
	shim_trace.last_req = req;
	shim_trace.last_alloc_bytes = bytes;
	shim_trace.last_cache = cache;
}

void shim_trace_free(unsigned long site, const void *p)
{
	__atomic_fetch_add(&shim_trace.frees, 1, __ATOMIC_RELAXED);
	shim_trace.last_free = p;
	shim_trace.last_free_site = site;
}
