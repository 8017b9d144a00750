// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/gomem: what gomem is doing, in a stable, versioned text format.
 * Documentation/proc-gomem.rst is the reference. One record per line: a
 * record type, then key=value fields; new fields are only ever appended,
 * and a change that breaks parsers bumps the version. No kernel addresses.
 *
 *   version 1
 *   total   key=value ...          the whole allocator
 *   node    id=N key=value ...     one per NUMA node with a heap
 *   class   id=N key=value ...     one per size class (1..67)
 *   cache   name=NAME key=value ...   one per cache
 *
 * Counters are per-CPU and summed while the file is read: reading is safe
 * and cheap under load; the figures are then a snapshot, not a cut.
 * Writing "shrink" drains every CPU's caches and releases free blocks.
 */
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/string.h>
#include <gomem.h>
#include "procfs.h"
#include "cache.h"
#include "class.h"
#include "drain.h"
#include "mcentral.h"
#include "mheap.h"
#include "stats.h"
#include "debug.h"

#define PG(n)	((unsigned long)(n) << GOMEM_PAGE_SHIFT)

/* escaped in cache names, as octal \ooo: they would break a record */
#define GOMEM_PROC_ESCAPE	" \t\n\\="

static void show_flags(struct seq_file *m, unsigned long f)
{
	static const char * const names[] = { "hwcache_align", "noscan", "no_merge",
					      "typesafe_by_rcu", "poison", "red_zone",
					      "store_user", "consistency_checks" };
	bool first = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(f & BIT(i)))
			continue;
		seq_printf(m, "%s%s", first ? "" : ",", names[i]);
		first = false;
	}
	if (first)
		seq_puts(m, "-");
}

/*
 * a global class's figures, with its debug class's under gomem.debug= and
 * its merged caches' class (class.c: gomem_class_merged())
 */
static void class_sum(struct gomem_class *cls, unsigned long *a, unsigned long *f,
		      unsigned long *c)
{
	unsigned long ra, rf, rc;

	gomem_class_sum(cls, a, f, c);
	if (cls->redirect) {
		gomem_class_sum(cls->redirect, &ra, &rf, &rc);
		*a += ra;
		*f += rf;
		*c += rc;
	}
	if (READ_ONCE(cls->merged)) {
		gomem_class_sum(cls->merged, &ra, &rf, &rc);
		*a += ra;
		*f += rf;
		*c += rc;
	}
}

static int gomem_proc_show(struct seq_file *m, void *v)
{
	unsigned long held = 0, idle = 0, released = 0, spans = 0, large_in = 0;
	unsigned long large_allocs = 0, large_frees = 0, small_allocs = 0, small_frees = 0;
	unsigned long small_bytes = 0, cached_objs = 0;
	unsigned long a, f, c, cspans, cobjs, h_held, h_free;
	struct gomem_heap_stats st;
	struct gomem_cache *cache;
	unsigned int sc, spc;
	int node;

	/* classes first: their sums feed the totals */
	for (spc = 2; spc < GOMEM_NUM_SPAN_CLASSES; spc++) {
		class_sum(&gomem_classes[spc], &a, &f, &c);
		small_allocs += a;
		small_frees += f;
		cached_objs += c;
		small_bytes += (a - f) * gomem_classes[spc].elemsize;
	}
	for_each_node(node) {
		if (!gomem_heaps[node])
			continue;
		gomem_heap_snapshot(gomem_heaps[node], &st, &h_held, &h_free);
		held += h_held;
		idle += h_free;
		released += st.released_pages;
		spans += st.spans_inuse;
		large_in += st.large_pages_inuse;
		large_allocs += st.large_allocs;
		large_frees += st.large_frees;
	}
	seq_puts(m, "version 1\n");
	seq_printf(m, "total held_bytes=%lu inuse_bytes=%lu idle_bytes=%lu released_bytes=%lu",
		   PG(held), PG(held - idle), PG(idle), PG(released));
	seq_printf(m, " spans_inuse=%lu small_allocs=%lu small_frees=%lu small_objects_inuse=%lu",
		   spans, small_allocs, small_frees, small_allocs - small_frees);
	seq_printf(m, " small_objects_cached=%lu small_bytes_inuse=%lu", cached_objs, small_bytes);
	seq_printf(m, " large_allocs=%lu large_frees=%lu large_objects_inuse=%lu large_bytes_inuse=%lu",
		   large_allocs, large_frees, large_allocs - large_frees, PG(large_in));
	seq_printf(m, " tiny_allocs=%lu tiny_frees=%lu tiny_blocks=%lu",
		   gomem_stat_sum(GOMEM_STAT_TINY_ALLOCS), gomem_stat_sum(GOMEM_STAT_TINY_FREES),
		   gomem_stat_sum(GOMEM_STAT_TINY_BLOCKS));
	seq_printf(m, " vmalloc_allocs=%lu vmalloc_frees=%lu remote_node_frees=%lu",
		   gomem_stat_sum(GOMEM_STAT_VMALLOC_ALLOCS),
		   gomem_stat_sum(GOMEM_STAT_VMALLOC_FREES),
		   gomem_stat_sum(GOMEM_STAT_REMOTE_NODE_FREES));
	seq_printf(m, " bad_frees=%lu double_frees=%lu failed_allocs=%lu foreign_frees=%lu\n",
		   gomem_stat_sum(GOMEM_STAT_BAD_FREES), gomem_stat_sum(GOMEM_STAT_DOUBLE_FREES),
		   gomem_stat_sum(GOMEM_STAT_FAILED_ALLOCS),
		   gomem_stat_sum(GOMEM_STAT_FOREIGN_FREES));

	for_each_node(node) {
		if (!gomem_heaps[node])
			continue;
		gomem_heap_snapshot(gomem_heaps[node], &st, &h_held, &h_free);
		seq_printf(m, "node id=%d held_bytes=%lu inuse_bytes=%lu idle_bytes=%lu",
			   node, PG(h_held), PG(h_held - h_free), PG(h_free));
		seq_printf(m, " released_bytes=%lu grown_blocks=%lu fallback_blocks=%lu",
			   PG(st.released_pages), st.grown_blocks, st.fallback_blocks);
		seq_printf(m, " released_blocks=%lu grow_failures=%lu spans_inuse=%lu",
			   st.released_blocks, st.grow_failures, st.spans_inuse);
		seq_printf(m, " large_objects_inuse=%lu large_bytes_inuse=%lu",
			   st.large_allocs - st.large_frees, PG(st.large_pages_inuse));
		seq_printf(m, " split_blocks=%lu split_released_bytes=%lu kept_bytes=%lu",
			   st.split_blocks, PG(st.split_released_pages), PG(st.kept_pages));
		seq_printf(m, " hot_bytes=%lu hot_hits=%lu\n", PG(st.hot_pages), st.hot_hits);
	}

	for (sc = 1; sc < GOMEM_NUM_SIZE_CLASSES; sc++) {
		unsigned long allocs = 0, frees = 0, cached = 0, nspans = 0, moved = 0;

		for (spc = sc << 1; spc <= ((sc << 1) | 1); spc++) {
			class_sum(&gomem_classes[spc], &a, &f, &c);
			allocs += a;
			frees += f;
			cached += c;
			gomem_mcentral_count(&gomem_classes[spc], &cspans, &cobjs);
			nspans += cspans;
			if (gomem_classes[spc].redirect) {
				gomem_mcentral_count(gomem_classes[spc].redirect, &cspans, &cobjs);
				nspans += cspans;
			}
			if (gomem_classes[spc].merged) {
				gomem_mcentral_count(gomem_classes[spc].merged, &cspans, &cobjs);
				nspans += cspans;
				moved += gomem_mcentral_transferred(gomem_classes[spc].merged);
			}
			moved += gomem_mcentral_transferred(&gomem_classes[spc]);
		}
		seq_printf(m, "class id=%u object_size=%u span_bytes=%lu objects_per_span=%u",
			   sc, gomem_class_to_size[sc], PG(gomem_class_to_npages[sc]),
			   gomem_class_to_nelems[sc]);
		seq_printf(m, " spans=%lu objects_inuse=%lu objects_cached=%lu allocs=%lu frees=%lu",
			   nspans, allocs - frees, cached, allocs, frees);
		seq_printf(m, " objects_transferred=%lu\n", moved);
	}

	mutex_lock(&gomem_cache_mutex);
	list_for_each_entry(cache, &gomem_caches, list) {
		unsigned long ca, cf;

		if (cache->cls != &cache->own)
			gomem_cache_settle(cache->cls);
		gomem_cache_counts(cache, &ca, &cf);
		seq_puts(m, "cache name=");
		seq_escape(m, cache->name, GOMEM_PROC_ESCAPE);
		seq_printf(m, " object_size=%u align=%u spanclass=%u slot_size=%u",
			   cache->size, cache->align, cache->cls->spanclass, cache->cls->elemsize);
		if (cache->cls == &cache->own) {
			seq_puts(m, " merged_with=-private");
		} else if (cache->merged_with) {
			seq_puts(m, " merged_with=");
			seq_escape(m, cache->merged_with->name, GOMEM_PROC_ESCAPE);
		} else {
			seq_printf(m, " merged_with=kmalloc-%u%s", cache->cls->elemsize,
				   gomem_spanclass_noscan(cache->cls->spanclass) ? "-noscan" : "");
		}
		if (cache->cls == &cache->own) {
			gomem_mcentral_count(&cache->own, &cspans, &cobjs);
			seq_printf(m, " spans=%lu", cspans);
		} else {
			seq_puts(m, " spans=-");
		}
		seq_printf(m, " active_objects=%lu allocs=%lu frees=%lu flags=", ca - cf, ca, cf);
		show_flags(m, cache->flags | (cache->cls->debug ? cache->cls->debug->flags : 0));
		seq_printf(m, " ctor=%d isolated=%lu", !!cache->ctor,
			   gomem_debug_isolated(cache->cls));
		seq_printf(m, " span_bytes=%lu objects_per_span=%u\n",
			   PG(cache->cls->npages), cache->cls->nelems);
	}
	mutex_unlock(&gomem_cache_mutex);
	return 0;
}

static int gomem_proc_open(struct inode *inode, struct file *file)
{
	return single_open_size(file, gomem_proc_show, NULL, 64 * 1024);
}

static ssize_t gomem_proc_write(struct file *file, const char __user *ubuf, size_t len,
				loff_t *ppos)
{
	char buf[16];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (strcmp(strim(buf), "shrink"))
		return -EINVAL;
	gomem_shrink_all();
	return len;
}

static const struct proc_ops gomem_proc_ops = {
	.proc_open = gomem_proc_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
	.proc_write = gomem_proc_write,
};

/**
 * gomem_procfs_init() - create /proc/gomem
 *
 * Return: 0 or -ENOMEM.
 */
int gomem_procfs_init(void)
{
	/* root only, as /proc/slabinfo (0400): per-cache counts help heap grooming */
	return proc_create("gomem", 0600, NULL, &gomem_proc_ops) ? 0 : -ENOMEM;
}

/**
 * gomem_procfs_exit() - remove /proc/gomem
 */
void gomem_procfs_exit(void)
{
	remove_proc_entry("gomem", NULL);
}
