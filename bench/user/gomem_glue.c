// SPDX-License-Identifier: GPL-2.0
/*
 * gomem's userspace benchmark build: what differs from the host tests'.
 *
 * The test shim's is_vmalloc_addr() takes a global mutex and walks a list
 * of vmalloc'ed blocks: right for tests, but gomem_kfree() asks it on every
 * free, which would serialise every thread and cost a lock round trip per
 * free. The kernel's is_vmalloc_addr() is two compares. The benchmark links
 * with --wrap for the vmalloc calls and answers "no" without the lock while
 * nothing is vmalloc'ed (the benchmarks never allocate above 4 MiB), as
 * cheaply as the kernel does.
 *
 * The shim's page allocator fills every new block with a poison pattern, to
 * catch tests that read memory they never wrote: 4 MiB of writes each time
 * gomem's heap grows, which no other allocator here pays (they get untouched
 * pages from mmap(), as gomem gets pages from the buddy allocator in the
 * kernel). The benchmark replaces alloc_pages_node(), __free_pages() and
 * page_to_nid() by the same mmap()-based allocator without the poison, and
 * with it the page reference counts the page heap sets and checks
 * (page_ref_count(), set_page_count(), put_page(): one int per page, as
 * the kernel's struct page has one).
 *
 * Everything else is the shim as the tests use it.
 */
#include "shim.h"
#include <stdatomic.h>
#include <sys/mman.h>

static atomic_long vmalloc_blocks;

bool __real_is_vmalloc_addr(const void *p);
void *__real_vmalloc(size_t size);
void *__real_vzalloc(size_t size);
void *__real_vmalloc_node(size_t size, int node);
void __real_vfree(const void *p);

bool __wrap_is_vmalloc_addr(const void *p);
void *__wrap_vmalloc(size_t size);
void *__wrap_vzalloc(size_t size);
void *__wrap_vmalloc_node(size_t size, int node);
void __wrap_vfree(const void *p);

bool __wrap_is_vmalloc_addr(const void *p)
{
	if (!atomic_load_explicit(&vmalloc_blocks, memory_order_relaxed))
		return false;
	return __real_is_vmalloc_addr(p);
}

static void *counted(void *p)
{
	if (p)
		atomic_fetch_add(&vmalloc_blocks, 1);
	return p;
}

void *__wrap_vmalloc(size_t size)
{
	return counted(__real_vmalloc(size));
}

void *__wrap_vzalloc(size_t size)
{
	return counted(__real_vzalloc(size));
}

void *__wrap_vmalloc_node(size_t size, int node)
{
	return counted(__real_vmalloc_node(size, node));
}

void __wrap_vfree(const void *p)
{
	if (!p)
		return;
	__real_vfree(p);
	atomic_fetch_sub(&vmalloc_blocks, 1);
}

/* ---- pages: naturally aligned mmap() blocks, recorded for page_to_nid() ---- */

struct bench_block {
	unsigned long addr;
	unsigned int order;
	int nid;
	unsigned long live;	/* pages still held, once split_page() ran */
	int *ref;		/* each page's reference count */
	struct bench_block *next;
};

#define BLOCK_REGION	22	/* a block of order <= 10 lies in one 4 MiB region */
#define BLOCK_HASH	4096
static struct bench_block *blocks[BLOCK_HASH];
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;

struct page *__wrap_alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
void __wrap___free_pages(struct page *page, unsigned int order);
int __wrap_page_to_nid(const struct page *page);
void __wrap_split_page(struct page *page, unsigned int order);
void __wrap_free_pages_exact(void *virt, size_t size);
int __wrap_page_ref_count(const struct page *page);
void __wrap_set_page_count(struct page *page, int v);
void __wrap_put_page(struct page *page);

static unsigned int block_hash(unsigned long addr)
{
	return (addr >> BLOCK_REGION) % BLOCK_HASH;
}

struct page *__wrap_alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	size_t size = PAGE_SIZE << order;
	struct bench_block *b;
	char *p;

	if (nid == NUMA_NO_NODE)
		nid = numa_node_id();
	BUG_ON(order > BLOCK_REGION - PAGE_SHIFT);
	p = shim_mmap_aligned(size);
	if (!p)
		return NULL;
	/* fresh anonymous memory reads as zeroes: __GFP_ZERO costs nothing */
	b = malloc(sizeof(*b));
	BUG_ON(!b);
	b->addr = (unsigned long)p;
	b->order = order;
	b->nid = nid;
	b->live = 0;
	/* as the buddy allocator gives a block: 1 on its first page */
	b->ref = calloc(1UL << order, sizeof(*b->ref));
	BUG_ON(!b->ref);
	b->ref[0] = 1;
	pthread_mutex_lock(&blocks_lock);
	b->next = blocks[block_hash(b->addr)];
	blocks[block_hash(b->addr)] = b;
	pthread_mutex_unlock(&blocks_lock);
	return (struct page *)p;
}

void __wrap___free_pages(struct page *page, unsigned int order)
{
	unsigned long addr = (unsigned long)page;
	struct bench_block **pp, *b;

	pthread_mutex_lock(&blocks_lock);
	for (pp = &blocks[block_hash(addr)]; (b = *pp); pp = &b->next)
		if (b->addr == addr)
			break;
	BUG_ON(!b || b->order != order || b->live);
	*pp = b->next;
	pthread_mutex_unlock(&blocks_lock);
	munmap(page, PAGE_SIZE << order);
	free(b->ref);
	free(b);
}

int __wrap_page_to_nid(const struct page *page)
{
	unsigned long addr = (unsigned long)page;
	struct bench_block *b;
	int nid = -1;

	pthread_mutex_lock(&blocks_lock);
	for (b = blocks[block_hash(addr)]; b; b = b->next) {
		if (addr >= b->addr && addr < b->addr + (PAGE_SIZE << b->order)) {
			nid = b->nid;
			break;
		}
	}
	pthread_mutex_unlock(&blocks_lock);
	BUG_ON(nid < 0);
	return nid;
}

/* the block that holds @addr; blocks_lock held */
static struct bench_block *block_of(unsigned long addr)
{
	struct bench_block *b;

	for (b = blocks[block_hash(addr)]; b; b = b->next)
		if (addr >= b->addr && addr < b->addr + (PAGE_SIZE << b->order))
			return b;
	return NULL;
}

/* the page heap's partial release: a block becomes single pages */
void __wrap_split_page(struct page *page, unsigned int order)
{
	struct bench_block *b;
	unsigned long i;

	pthread_mutex_lock(&blocks_lock);
	b = block_of((unsigned long)page);
	BUG_ON(!b || b->addr != (unsigned long)page || b->order != order || b->live);
	b->live = 1UL << order;
	/* as the kernel's: every page now holds a reference of its own */
	for (i = 1; i < b->live; i++) {
		BUG_ON(b->ref[i]);
		b->ref[i] = 1;
	}
	pthread_mutex_unlock(&blocks_lock);
}

/* pages of a split block go back; the block's record with its last page */
void __wrap_free_pages_exact(void *virt, size_t size)
{
	unsigned long addr = (unsigned long)virt, n = DIV_ROUND_UP(size, PAGE_SIZE);
	struct bench_block **pp, *b;

	pthread_mutex_lock(&blocks_lock);
	b = block_of(addr);
	BUG_ON(!b || !b->live || b->live < n ||
	       addr + n * PAGE_SIZE > b->addr + (PAGE_SIZE << b->order));
	b->live -= n;
	if (!b->live) {
		for (pp = &blocks[block_hash(b->addr)]; *pp != b; pp = &(*pp)->next)
			;
		*pp = b->next;
		free(b->ref);
		free(b);
	}
	pthread_mutex_unlock(&blocks_lock);
	munmap(virt, n * PAGE_SIZE);
}

/* the reference count of the page at @addr; blocks_lock held */
static int *page_ref(unsigned long addr)
{
	struct bench_block *b = block_of(addr);

	BUG_ON(!b || addr % PAGE_SIZE);
	return &b->ref[(addr - b->addr) / PAGE_SIZE];
}

int __wrap_page_ref_count(const struct page *page)
{
	int v;

	pthread_mutex_lock(&blocks_lock);
	v = *page_ref((unsigned long)page);
	pthread_mutex_unlock(&blocks_lock);
	return v;
}

void __wrap_set_page_count(struct page *page, int v)
{
	pthread_mutex_lock(&blocks_lock);
	*page_ref((unsigned long)page) = v;
	pthread_mutex_unlock(&blocks_lock);
}

/* no benchmark frees gomem's pages this way: the last reference is a bug */
void __wrap_put_page(struct page *page)
{
	pthread_mutex_lock(&blocks_lock);
	BUG_ON(--*page_ref((unsigned long)page) <= 0);
	pthread_mutex_unlock(&blocks_lock);
}
