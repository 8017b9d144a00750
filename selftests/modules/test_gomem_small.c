// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest module: small and tiny objects under stress.
 *
 * Workers (one per online CPU, or unbound ones for a fixed time when
 * seconds= is set, so that CPUs can go offline under them) allocate
 * objects of 1 B to 64 KiB (a quarter of them noscan, tiny-packed below
 * 16 B), fill them with their owner's pattern and, for about a third of
 * the frees, hand them to another worker, which checks and frees them.
 * Meanwhile a timer (softirq) and an hrtimer (hardirq) allocate and free
 * with GFP_ATOMIC on whatever CPU they fire. Two live objects that overlap
 * would break each other's pattern.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/timer.h>
#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/jiffies.h>
#include <linux/delay.h>
#include "kselftest_module.h"
#include "gomem_test.h"

KSTM_MODULE_GLOBALS();

static unsigned int ops = 60000;
module_param(ops, uint, 0444);
MODULE_PARM_DESC(ops, "operations per worker (without seconds=)");
static unsigned int seconds;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "run unbound workers for this long instead (CPU hotplug tests)");

#define MAX_WORKERS	64
#define SLOTS		256
#define MBOX		256

struct tobj {
	void *p;
	u32 size;
	u32 tag;
};

struct mbox {
	spinlock_t lock;
	unsigned int n;
	struct tobj o[MBOX];
};

static struct mbox *mboxes;
static unsigned int nworkers;
static atomic_long_t cross_frees, all_frees, all_allocs;

static u32 pick_size(bool *noscan)
{
	u32 r = prandom_u32_max(1000);

	*noscan = !prandom_u32_max(4);
	if (r < 700)
		return 1 + prandom_u32_max(256);
	if (r < 900)
		return 257 + prandom_u32_max(4096 - 256);
	if (r < 985)
		return 4097 + prandom_u32_max(32768 - 4096);
	return 32769 + prandom_u32_max(65536 - 32768);
}

static int release(struct tobj *o)
{
	int bad = gt_check(o->p, o->size, o->tag);

	gomem_kfree(o->p);
	o->p = NULL;
	atomic_long_inc(&all_frees);
	return bad;
}

static int drain_mbox(unsigned int me)
{
	struct mbox *mb = &mboxes[me];
	struct tobj o;
	int bad = 0;

	for (;;) {
		spin_lock_bh(&mb->lock);
		if (!mb->n) {
			spin_unlock_bh(&mb->lock);
			return bad;
		}
		o = mb->o[--mb->n];
		spin_unlock_bh(&mb->lock);
		bad += release(&o);
		atomic_long_inc(&cross_frees);
	}
}

struct worker_arg {
	unsigned int id;
	unsigned long deadline;
	struct completion *done;
	atomic_t *running;
	atomic_t *errors;
};

static int worker(unsigned int me, unsigned long deadline)
{
	struct tobj *live = kcalloc(SLOTS, sizeof(*live), GFP_KERNEL);
	unsigned long op;
	unsigned int to;
	struct tobj *o;
	bool noscan;
	int bad = 0;

	if (!live)
		return 1;
	for (op = 0; deadline ? time_before(jiffies, deadline) : op < ops; op++) {
		o = &live[prandom_u32_max(SLOTS)];
		if (!o->p) {
			o->size = pick_size(&noscan);
			o->tag = me << 24 | (op & 0xffffff);
			o->p = noscan ? gomem_kmalloc_noscan(o->size, GFP_KERNEL) :
					gomem_kmalloc(o->size, GFP_KERNEL);
			if (!o->p) {
				bad++;
				continue;
			}
			atomic_long_inc(&all_allocs);
			gt_fill(o->p, o->size, o->tag);
		} else if (nworkers > 1 && !prandom_u32_max(3)) {
			to = (me + 1 + prandom_u32_max(nworkers - 1)) % nworkers;
			spin_lock_bh(&mboxes[to].lock);
			if (mboxes[to].n < MBOX) {
				mboxes[to].o[mboxes[to].n++] = *o;
				o->p = NULL;
			}
			spin_unlock_bh(&mboxes[to].lock);
			if (o->p)
				bad += release(o);
		} else {
			bad += release(o);
		}
		if (!(op & 63)) {
			bad += drain_mbox(me);
			cond_resched();
		}
	}
	for (to = 0; to < SLOTS; to++)
		if (live[to].p)
			bad += release(&live[to]);
	kfree(live);
	return bad;
}

static int worker_bound(void *arg, int cpu)
{
	return worker(cpu, 0);
}

static int worker_thread(void *data)
{
	struct worker_arg *a = data;

	atomic_add(worker(a->id, a->deadline), a->errors);
	if (atomic_dec_and_test(a->running))
		complete(a->done);
	return 0;
}

/* ---- atomic context: a timer (softirq) and an hrtimer (hardirq) ---- */
#define ARING	32

struct atomic_ring {
	struct tobj o[ARING];
	unsigned int next;
	unsigned long allocs, failures;
	int errors;
};

static struct atomic_ring softirq_ring, hardirq_ring;
static struct timer_list tick;
static struct hrtimer htick;
static bool ticking;

static void atomic_churn(struct atomic_ring *r)
{
	struct tobj *o = &r->o[r->next++ % ARING];

	if (o->p) {
		r->errors += gt_check(o->p, o->size, o->tag);
		gomem_kfree(o->p);
		o->p = NULL;
	}
	o->size = 1 + prandom_u32_max(2048);
	o->tag = 0xa70000 + r->next;
	o->p = (r->next & 3) ? gomem_kmalloc(o->size, GFP_ATOMIC | __GFP_NOWARN) :
			       gomem_kmalloc_noscan(o->size, GFP_ATOMIC | __GFP_NOWARN);
	if (!o->p) {
		r->failures++;
		return;
	}
	r->allocs++;
	gt_fill(o->p, o->size, o->tag);
}

static void tick_fn(struct timer_list *t)
{
	atomic_churn(&softirq_ring);
	if (READ_ONCE(ticking))
		mod_timer(&tick, jiffies + 1);
}

static enum hrtimer_restart htick_fn(struct hrtimer *t)
{
	atomic_churn(&hardirq_ring);
	if (!READ_ONCE(ticking))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ms_to_ktime(2));
	return HRTIMER_RESTART;
}

/*
 * The hrtimer fires in hard interrupt context, except on PREEMPT_RT: there
 * no allocator may be called from hard interrupt context (SLUB neither:
 * its locks sleep), so it runs as a soft hrtimer, in the softirq thread.
 */
#define HTICK_MODE	(IS_ENABLED(CONFIG_PREEMPT_RT) ? HRTIMER_MODE_REL_SOFT : \
			 HRTIMER_MODE_REL_HARD)

static void atomic_start(void)
{
	WRITE_ONCE(ticking, true);
	timer_setup(&tick, tick_fn, 0);
	mod_timer(&tick, jiffies + 1);
	hrtimer_init(&htick, CLOCK_MONOTONIC, HTICK_MODE);
	htick.function = htick_fn;
	hrtimer_start(&htick, ms_to_ktime(2), HTICK_MODE);
}

static int atomic_stop(struct atomic_ring *r)
{
	unsigned int i;

	for (i = 0; i < ARING; i++) {
		if (r->o[i].p) {
			r->errors += gt_check(r->o[i].p, r->o[i].size, r->o[i].tag);
			gomem_kfree(r->o[i].p);
			r->o[i].p = NULL;
		}
	}
	return r->errors;
}

static int __init run_stress(void)
{
	struct completion done;
	atomic_t running, errors;
	struct worker_arg *args;
	struct task_struct *t;
	unsigned int i;
	int bad = 0;

	nworkers = min_t(unsigned int, num_possible_cpus(), MAX_WORKERS);
	mboxes = kcalloc(nworkers, sizeof(*mboxes), GFP_KERNEL);
	args = kcalloc(nworkers, sizeof(*args), GFP_KERNEL);
	if (!mboxes || !args)
		return 1;
	for (i = 0; i < nworkers; i++)
		spin_lock_init(&mboxes[i].lock);
	atomic_start();
	if (!seconds) {
		nworkers = num_online_cpus();
		bad = gt_run_on_each_cpu(worker_bound, NULL);
	} else {
		init_completion(&done);
		atomic_set(&running, 1);
		atomic_set(&errors, 0);
		for (i = 0; i < nworkers; i++) {
			args[i] = (struct worker_arg){ i, jiffies + seconds * HZ, &done,
						       &running, &errors };
			t = kthread_run(worker_thread, &args[i], "gomem_stress/%u", i);
			if (IS_ERR(t))
				bad++;
			else
				atomic_inc(&running);
		}
		if (atomic_dec_and_test(&running))
			complete(&done);
		wait_for_completion(&done);
		bad += atomic_read(&errors);
	}
	WRITE_ONCE(ticking, false);
	del_timer_sync(&tick);
	hrtimer_cancel(&htick);
	for (i = 0; i < nworkers; i++)
		bad += drain_mbox(i);
	bad += atomic_stop(&softirq_ring) + atomic_stop(&hardirq_ring);
	pr_info("%u workers: %ld allocations, %ld frees (%ld on another worker); atomic: softirq %lu allocs, hardirq %lu allocs, %lu failures\n",
		nworkers, atomic_long_read(&all_allocs), atomic_long_read(&all_frees),
		atomic_long_read(&cross_frees), softirq_ring.allocs, hardirq_ring.allocs,
		softirq_ring.failures + hardirq_ring.failures);
	if (atomic_long_read(&all_allocs) != atomic_long_read(&all_frees))
		bad++;
	if (!softirq_ring.allocs || !hardirq_ring.allocs)
		bad++;		/* the atomic contexts must have run */
	kfree(args);
	kfree(mboxes);
	return bad;
}

static void __init selftest(void)
{
	KSTM_CHECK_ZERO(run_stress());
}

KSTM_MODULE_LOADERS(test_gomem_small);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kselftest: gomem small objects, cross-CPU frees, atomic context, hotplug");
