/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by gomem's kselftest modules: owner patterns written over
 * whole objects and verified before free, and a runner that starts one
 * kthread per online CPU and waits for them all.
 */
#ifndef _GOMEM_TEST_H
#define _GOMEM_TEST_H

#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/cpu.h>
#include <linux/atomic.h>
#include <gomem.h>

/* the pattern of object @p owned by @tag: every word depends on both */
static inline u64 gt_word(const void *p, unsigned long tag, size_t i)
{
	return ((unsigned long)p * 0x9e3779b97f4a7c15ULL) ^ (tag << 32) ^ (i * 0x100000001b3ULL);
}

static inline void gt_fill(void *p, size_t size, unsigned long tag)
{
	u64 *w = p;
	u8 *b = p;
	size_t i;

	for (i = 0; i < size / 8; i++)
		w[i] = gt_word(p, tag, i);
	for (i = size & ~7UL; i < size; i++)
		b[i] = (u8)(tag + i);
}

/* Return: 0 when intact, else 1 (and a message naming the first bad byte) */
static inline int gt_check(const void *p, size_t size, unsigned long tag)
{
	const u64 *w = p;
	const u8 *b = p;
	size_t i;

	for (i = 0; i < size / 8; i++) {
		if (w[i] != gt_word(p, tag, i)) {
			pr_err("object %p (size %zu, owner %lu) corrupted at word %zu\n",
			       p, size, tag, i);
			return 1;
		}
	}
	for (i = size & ~7UL; i < size; i++) {
		if (b[i] != (u8)(tag + i)) {
			pr_err("object %p (size %zu) corrupted at byte %zu\n", p, size, i);
			return 1;
		}
	}
	return 0;
}

struct gt_runner {
	int (*fn)(void *arg, int cpu);	/* returns the number of errors */
	void *arg;
	atomic_t errors;
	atomic_t running;
	struct completion done;
};

struct gt_thread {
	struct gt_runner *r;
	int cpu;
};

static int gt_thread_fn(void *data)
{
	struct gt_thread *t = data;
	struct gt_runner *r = t->r;

	atomic_add(r->fn(r->arg, t->cpu), &r->errors);
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
	kfree(t);
	return 0;
}

/* Run @fn on a kthread bound to each online CPU. Return: errors counted. */
static inline int gt_run_on_each_cpu(int (*fn)(void *arg, int cpu), void *arg)
{
	struct gt_runner r = { .fn = fn, .arg = arg };
	struct task_struct *task;
	struct gt_thread *t;
	int cpu;

	atomic_set(&r.errors, 0);
	atomic_set(&r.running, 1);
	init_completion(&r.done);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		t = kmalloc(sizeof(*t), GFP_KERNEL);
		if (!t)
			break;
		t->r = &r;
		t->cpu = cpu;
		task = kthread_create_on_cpu(gt_thread_fn, t, cpu, "gomem_test/%u");
		if (IS_ERR(task)) {
			kfree(t);
			atomic_inc(&r.errors);
			continue;
		}
		atomic_inc(&r.running);
		wake_up_process(task);
	}
	cpus_read_unlock();
	if (atomic_dec_and_test(&r.running))
		complete(&r.done);
	wait_for_completion(&r.done);
	return atomic_read(&r.errors);
}

#endif /* _GOMEM_TEST_H */
