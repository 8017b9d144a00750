// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the drop-in layer. This file is written against the kernel's
 * slab API only (kmem_cache_*(), kmalloc(), kfree(), SLAB_* flags,
 * mempool_create_slab_pool(), kfree_link, kfree_rcu(), alloc_inode_sb()):
 * its Kbuild's one line, `include gomem.mk`, serves all of it from gomem.
 * Each case checks where the memory came from (gomem_owns()) and where it
 * went back: a gomem object's free is seen in its cache's active_objects in
 * /proc/gomem, a kernel object's free in foreign_frees, and the counts
 * must match exactly. The guest test 48-dropin runs it and checks the log.
 *
 * No pr_fmt of its own: gomem_slab.h includes printk.h first, so a pr_fmt
 * defined here would be a redefinition (porting.rst, "The one line").
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/mempool.h>
#include <linux/delayed_call.h>
#include <linux/vmalloc.h>
#include <linux/rcupdate.h>
#include "kselftest_module.h"
#include "proc_parse.h"

KSTM_MODULE_GLOBALS();

#define SNAP_SIZE	(256 << 10)

struct rec {
	u64 id;
	char name[40];
	struct rcu_head rcu;
	char payload[130];
};

static char *snap;

static void rec_ctor(void *p)
{
	memset(p, 0, sizeof(struct rec));
}

/* a numeric field of /proc/gomem, read now; ULONG_MAX when missing */
static unsigned long proc_num(const char *rec, const char *key)
{
	unsigned long long v;

	if (gomem_proc_read(snap, SNAP_SIZE) < 0 || gomem_proc_get(snap, rec, key, &v)) {
		pr_err(KBUILD_MODNAME ": /proc/gomem: no %s in \"%s\"\n", key, rec);
		return ULONG_MAX;
	}
	return v;
}

static unsigned long inuse(const char *cache)
{
	char rec[64];

	snprintf(rec, sizeof(rec), "cache name=%s", cache);
	return proc_num(rec, "active_objects");
}

#define EXPECT(cond, fmt, ...) ({					\
	bool __ok = (cond);						\
	if (!__ok)							\
		pr_err(KBUILD_MODNAME ": line %d: " __stringify(cond)	\
		       ": " fmt "\n", __LINE__, ##__VA_ARGS__);		\
	__ok ? 0 : 1;							\
})

/* SLAB_* flags, KMEM_CACHE(), the kmalloc family: all gomem's */
static int __init renamed_api(void)
{
	struct kmem_cache *c, *hw, *acct, *dma;
	void *o[16], *p, *q, *q2;
	char *s;
	int i, bad = 0;

	c = kmem_cache_create("tgd_rec", sizeof(struct rec), 0, SLAB_PANIC, rec_ctor);
	hw = kmem_cache_create("tgd_hw", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	acct = KMEM_CACHE(rec, SLAB_ACCOUNT | SLAB_RECLAIM_ACCOUNT | SLAB_MEM_SPREAD);
	if (!c || !hw || !acct)
		return 1;
	pr_info(KBUILD_MODNAME ": expected refusal: SLAB_CACHE_DMA\n");
	dma = kmem_cache_create("tgd_dma", 64, 0, SLAB_CACHE_DMA, NULL);
	bad += EXPECT(!dma, "a SLAB_CACHE_DMA cache was created");
	for (i = 0; i < 16; i++) {
		o[i] = kmem_cache_alloc(hw, GFP_KERNEL);
		if (!o[i])
			return 1;
		bad += EXPECT(gomem_owns(o[i]) && IS_ALIGNED((unsigned long)o[i], 64),
			      "hw object %p", o[i]);
	}
	bad += EXPECT(kmem_cache_size(hw) >= 100, "size %u", kmem_cache_size(hw));
	for (i = 0; i < 16; i++)
		kmem_cache_free(hw, o[i]);
	p = kmem_cache_alloc(acct, GFP_KERNEL);
	bad += EXPECT(p && gomem_owns(p), "KMEM_CACHE object %p", p);
	kmem_cache_free(acct, p);

	p = kmalloc(300, GFP_KERNEL);
	q = kzalloc(5000, GFP_KERNEL);
	s = kstrdup("gomem drop-in", GFP_KERNEL);
	if (!p || !q || !s)
		return 1;
	bad += EXPECT(gomem_owns(p) && gomem_owns(q) && gomem_owns(s), "kmalloc family not gomem's");
	bad += EXPECT(!memchr_inv(q, 0, 5000), "kzalloc not zeroed");
	bad += EXPECT(ksize(p) >= 300, "ksize %zu", ksize(p));
	memset(p, 0x5a, 300);
	q2 = krealloc(p, 3000, GFP_KERNEL);
	bad += EXPECT(q2 && gomem_owns(q2) && !memchr_inv(q2, 0x5a, 300),
		      "krealloc lost the contents");
	kfree(q2 ?: p);
	kvfree(q);
	kfree(s);
	p = kvmalloc(8 << 20, GFP_KERNEL);
	bad += EXPECT(p && gomem_owns(p), "kvmalloc 8 MiB %p", p);
	kvfree(p);
	kmem_cache_destroy(acct);
	kmem_cache_destroy(hw);
	kmem_cache_destroy(c);
	return bad;
}

/* the kernel's memory, freed, measured and resized by the module */
static int __init kernel_memory(void)
{
	unsigned long f0 = proc_num("total", "foreign_frees");
	struct rec *r;
	char *s, *t;
	void *v;
	int bad = 0;

	s = kasprintf(GFP_KERNEL, "%s-%d", "core string", 42);	/* the kernel's */
	v = vmalloc(3 * PAGE_SIZE);
	/* the kernel's, sized as a rec */
	r = (struct rec *)kasprintf(GFP_KERNEL, "%*s", (int)sizeof(*r), "");
	if (!s || !v || !r)
		return 1;
	bad += EXPECT(!gomem_owns(s) && !gomem_owns(v) && !gomem_owns(r), "kernel memory owned");
	bad += EXPECT(ksize(s) >= strlen(s) + 1, "ksize of a kernel string %zu", ksize(s));
	t = krealloc(s, 4000, GFP_KERNEL);		/* the kernel's krealloc */
	bad += EXPECT(t && !gomem_owns(t) && !strcmp(t, "core string-42"),
		      "krealloc of a kernel string: %p", t);
	kfree(t);					/* 1 */
	kvfree(v);					/* 2 */
	kfree_rcu(r, rcu);				/* 3 */
	s = kasprintf(GFP_KERNEL, "secret");
	kfree_sensitive(s);				/* 4 */
	s = kasprintf(GFP_KERNEL, "const");
	kfree_const(s);					/* 5 */
	rcu_barrier();
	bad += EXPECT(proc_num("total", "foreign_frees") - f0 == 5, "foreign_frees +%lu, expected +5",
		      proc_num("total", "foreign_frees") - f0);
	/* __getname() is the core's names_cachep */
	s = __getname();
	bad += EXPECT(s && !gomem_owns(s), "__getname %p", s);
	__putname(s);
	return bad;
}

/* gomem's memory, freed by core code through the callbacks it was given */
static int __init core_frees(void)
{
	unsigned long f0 = proc_num("total", "foreign_frees");
	struct super_block *sb;
	struct kmem_cache *c;
	DEFINE_DELAYED_CALL(done);
	mempool_t *pool, *kpool;
	struct rec *r, *e[8];
	void *buf, *k;
	int i, bad = 0;

	c = kmem_cache_create("tgd_core", sizeof(struct rec), 0, 0, rec_ctor);
	sb = kzalloc(sizeof(*sb), GFP_KERNEL);
	if (!c || !sb)
		return 1;

	pool = mempool_create_slab_pool(4, c);
	kpool = mempool_create_kmalloc_pool(2, 700);
	if (!pool || !kpool)
		return 1;
	bad += EXPECT(inuse("tgd_core") == 4, "pool reserve: %lu objects", inuse("tgd_core"));
	for (i = 0; i < 8; i++) {
		e[i] = mempool_alloc(pool, GFP_KERNEL);
		bad += EXPECT(e[i] && gomem_owns(e[i]), "mempool element %p", e[i]);
	}
	for (i = 0; i < 8; i++)
		mempool_free(e[i], pool);
	k = mempool_alloc(kpool, GFP_KERNEL);
	bad += EXPECT(k && gomem_owns(k) && ksize(k) >= 700, "kmalloc pool element %p", k);
	mempool_free(k, kpool);
	mempool_destroy(kpool);
	mempool_destroy(pool);
	bad += EXPECT(inuse("tgd_core") == 0, "after mempool_destroy: %lu objects", inuse("tgd_core"));

	/* a symlink body: the VFS calls kfree_link when the walk is done */
	buf = kmem_cache_alloc(c, GFP_KERNEL);
	set_delayed_call(&done, kfree_link, buf);
	bad += EXPECT(inuse("tgd_core") == 1, "%lu objects", inuse("tgd_core"));
	do_delayed_call(&done);
	bad += EXPECT(inuse("tgd_core") == 0, "after kfree_link: %lu objects", inuse("tgd_core"));

	r = kmem_cache_alloc(c, GFP_KERNEL);
	kfree_rcu(r, rcu);
	r = alloc_inode_sb(sb, c, GFP_KERNEL);
	bad += EXPECT(r && gomem_owns(r), "alloc_inode_sb %p", r);
	bad += EXPECT(inuse("tgd_core") == 2, "%lu objects", inuse("tgd_core"));
	kmem_cache_free(c, r);
	rcu_barrier();
	bad += EXPECT(inuse("tgd_core") == 0, "after kfree_rcu: %lu objects", inuse("tgd_core"));
	{
		struct rec *auto_r __free(kfree) = kmem_cache_alloc(c, GFP_KERNEL);

		bad += EXPECT(auto_r && inuse("tgd_core") == 1, "%lu objects", inuse("tgd_core"));
	}
	bad += EXPECT(inuse("tgd_core") == 0, "after __free(kfree): %lu objects", inuse("tgd_core"));
	bad += EXPECT(proc_num("total", "foreign_frees") == f0, "gomem frees counted as foreign");
	kfree(sb);
	kmem_cache_destroy(c);
	return bad;
}

static void __init selftest(void)
{
	snap = vmalloc(SNAP_SIZE);
	if (!snap) {
		failed_tests++;
		return;
	}
	KSTM_CHECK_ZERO(renamed_api());
	KSTM_CHECK_ZERO(kernel_memory());
	KSTM_CHECK_ZERO(core_frees());
	vfree(snap);
}

KSTM_MODULE_LOADERS(test_gomem_dropin);
MODULE_DESCRIPTION("gomem drop-in layer (gomem.mk) selftest");
MODULE_LICENSE("GPL");
