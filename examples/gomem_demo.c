// SPDX-License-Identifier: GPL-2.0
/*
 * gomem_demo: a client of gomem written as a module would use SLUB.
 *
 * A hash table of records keyed by a number. Each record lives in a gomem
 * cache; its name is a gomem_kstrdup() string (short names are tiny-packed
 * by gomem); its payload is a gomem_kmalloc() blob of varying size that is
 * replaced under RCU and the old one freed with gomem_kfree_rcu(). Lookups
 * run under rcu_read_lock() only; writers take a spinlock; a deleted record
 * is freed after a grace period (call_rcu(), then gomem_cache_free() and
 * gomem_kfree() of its name).
 *
 * For churn_ms after loading (2 s by default) a delayed work item churns the
 * table on each CPU in turn: inserts, lookups, payload updates, deletions.
 * Then it stops, leaving the table populated, so /proc/gomem shows the
 * gomem_demo_rec cache and the size classes the payloads use. Unloading
 * frees everything: gomem is then back where it was.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/hashtable.h>
#include <linux/spinlock.h>
#include <linux/rculist.h>
#include <linux/workqueue.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/cpumask.h>
#include <gomem.h>

static unsigned int churn_ms = 2000;
module_param(churn_ms, uint, 0444);
MODULE_PARM_DESC(churn_ms, "how long to churn the table after loading, ms (2000)");

static unsigned int nr_keys = 4096;
module_param(nr_keys, uint, 0444);
MODULE_PARM_DESC(nr_keys, "key space of the table (4096)");

struct demo_blob {
	struct rcu_head rcu;
	size_t len;
	u8 data[];
};

struct demo_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	u32 key;
	const char *name;			/* gomem_kstrdup() */
	struct demo_blob __rcu *blob;		/* gomem_kmalloc(), replaced under RCU */
};

#define DEMO_HASH_BITS	10

static DEFINE_HASHTABLE(demo_table, DEMO_HASH_BITS);
static DEFINE_SPINLOCK(demo_lock);		/* writers */
static struct gomem_cache *demo_cache;
static struct delayed_work demo_work;
static unsigned long demo_until;
static unsigned int demo_records;
static bool demo_stopping;

static struct {
	unsigned long inserts, deletes, updates, lookups, hits;
} demo_stats;

static struct demo_blob *blob_new(u32 key, gfp_t gfp)
{
	/* 16 bytes to 4 KiB: payloads spread over many size classes */
	size_t len = 16 << prandom_u32_max(9);
	struct demo_blob *b = gomem_kmalloc(sizeof(*b) + len, gfp);

	if (b) {
		b->len = len;
		memset(b->data, (u8)key, len);
	}
	return b;
}

static struct demo_rec *rec_lookup_rcu(u32 key)
{
	struct demo_rec *r;

	hash_for_each_possible_rcu(demo_table, r, node, key)
		if (r->key == key)
			return r;
	return NULL;
}

static void rec_free_rcu(struct rcu_head *head)
{
	struct demo_rec *r = container_of(head, struct demo_rec, rcu);

	/* no reader can see the record any more: free it all */
	gomem_kfree(rcu_dereference_protected(r->blob, true));
	gomem_kfree(r->name);
	gomem_cache_free(demo_cache, r);
}

static int rec_insert(u32 key)
{
	struct demo_rec *r;
	char name[32];

	r = gomem_cache_alloc(demo_cache, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	snprintf(name, sizeof(name), "rec-%u", key);
	r->key = key;
	r->name = gomem_kstrdup(name, GFP_KERNEL);
	RCU_INIT_POINTER(r->blob, blob_new(key, GFP_KERNEL));
	if (!r->name || !rcu_access_pointer(r->blob)) {
		gomem_kfree(rcu_access_pointer(r->blob));
		gomem_kfree(r->name);
		gomem_cache_free(demo_cache, r);
		return -ENOMEM;
	}
	spin_lock(&demo_lock);
	if (rec_lookup_rcu(key)) {		/* somebody was first */
		spin_unlock(&demo_lock);
		rec_free_rcu(&r->rcu);		/* never published: free at once */
		return -EEXIST;
	}
	hash_add_rcu(demo_table, &r->node, key);
	demo_records++;
	demo_stats.inserts++;
	spin_unlock(&demo_lock);
	return 0;
}

static void rec_delete(u32 key)
{
	struct demo_rec *r;

	spin_lock(&demo_lock);
	r = rec_lookup_rcu(key);
	if (r) {
		hash_del_rcu(&r->node);
		demo_records--;
		demo_stats.deletes++;
	}
	spin_unlock(&demo_lock);
	if (r)
		call_rcu(&r->rcu, rec_free_rcu);
}

/* replace a record's payload; the old one goes after a grace period */
static void rec_update(u32 key)
{
	struct demo_blob *nb = blob_new(key, GFP_KERNEL), *old = NULL;
	struct demo_rec *r;

	if (!nb)
		return;
	spin_lock(&demo_lock);
	r = rec_lookup_rcu(key);
	if (r) {
		old = rcu_dereference_protected(r->blob, lockdep_is_held(&demo_lock));
		rcu_assign_pointer(r->blob, nb);
		demo_stats.updates++;
	}
	spin_unlock(&demo_lock);
	if (old)
		gomem_kfree_rcu(old, rcu);
	else
		gomem_kfree(nb);
}

/* a reader: no lock, only RCU */
static bool rec_check(u32 key)
{
	struct demo_blob *b;
	struct demo_rec *r;
	bool ok = true;

	rcu_read_lock();
	r = rec_lookup_rcu(key);
	if (r) {
		b = rcu_dereference(r->blob);
		ok = b && b->data[0] == (u8)key && b->data[b->len - 1] == (u8)key;
	}
	rcu_read_unlock();
	demo_stats.lookups++;
	demo_stats.hits += !!r;
	return ok;
}

static void demo_churn(struct work_struct *work)
{
	unsigned int i, key, cpu;

	for (i = 0; i < 256; i++) {
		key = prandom_u32_max(nr_keys);
		switch (prandom_u32_max(4)) {
		case 0:
			rec_insert(key);
			break;
		case 1:
			rec_delete(key);
			break;
		case 2:
			rec_update(key);
			break;
		default:
			if (!rec_check(key))
				pr_err("record %u: payload corrupted\n", key);
		}
	}
	if (READ_ONCE(demo_stopping))
		return;
	if (time_before(jiffies, demo_until)) {
		/* next round on the next CPU: objects are freed far from home */
		cpu = cpumask_next(raw_smp_processor_id(), cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		queue_delayed_work_on(cpu, system_wq, &demo_work, 1);
		return;
	}
	pr_info("churned for %u ms: %lu inserts, %lu deletes, %lu payload updates, %lu lookups (%lu hits); %u records kept\n",
		churn_ms, demo_stats.inserts, demo_stats.deletes, demo_stats.updates,
		demo_stats.lookups, demo_stats.hits, demo_records);
}

static int __init demo_init(void)
{
	unsigned int i;

	demo_cache = gomem_cache_create("gomem_demo_rec", sizeof(struct demo_rec), 0,
					GOMEM_HWCACHE_ALIGN, NULL);
	if (!demo_cache)
		return -ENOMEM;
	if (!nr_keys)
		nr_keys = 1;
	/* start half full */
	for (i = 0; i < nr_keys / 2; i++)
		rec_insert(prandom_u32_max(nr_keys));
	demo_until = jiffies + msecs_to_jiffies(churn_ms);
	INIT_DELAYED_WORK(&demo_work, demo_churn);
	queue_delayed_work(system_wq, &demo_work, 0);
	pr_info("loaded: %u records, churning for %u ms\n", demo_records, churn_ms);
	return 0;
}

static void __exit demo_exit(void)
{
	struct hlist_node *tmp;
	struct demo_rec *r;
	unsigned int bkt;

	WRITE_ONCE(demo_stopping, true);
	cancel_delayed_work_sync(&demo_work);
	spin_lock(&demo_lock);
	hash_for_each_safe(demo_table, bkt, tmp, r, node) {
		hash_del_rcu(&r->node);
		demo_records--;
		call_rcu(&r->rcu, rec_free_rcu);
	}
	spin_unlock(&demo_lock);
	rcu_barrier();		/* every rec_free_rcu() and gomem_kfree_rcu() has run */
	gomem_cache_destroy(demo_cache);	/* empty: no report */
	pr_info("unloaded: %lu inserts, %lu deletes in all\n", demo_stats.inserts,
		demo_stats.deletes);
}

module_init(demo_init);
module_exit(demo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gomem demo: an RCU hash table of records in gomem caches");
