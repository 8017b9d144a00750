// SPDX-License-Identifier: GPL-2.0
/*
 * Debug classes: finding the caller's bug, as SLUB's slub_debug does.
 *
 * A cache created with any of GOMEM_RED_ZONE (Z), GOMEM_POISON (P),
 * GOMEM_STORE_USER (U) or GOMEM_CONSISTENCY_CHECKS (F), or named with them
 * in the gomem.debug= module parameter (slub_debug='s syntax, below), gets
 * a class of its own whose slots hold more than the object:
 *
 *   | left red zone | object (size) | right red zone | metadata            |
 *   ^ slot          ^ what the caller gets             ^ mark, state, owners
 *
 *  - red zones (Z): 0xcc while the object is allocated, 0xbb while it is
 *    free; the left one is at least 16 bytes and a multiple of the
 *    alignment, the right one 16 bytes plus the object's rounding to 8;
 *  - poison (P): a free object holds 0x6b, its last byte 0xa5, checked when
 *    it is handed out again (not for constructed or typesafe-by-RCU caches,
 *    whose free objects keep their contents);
 *  - metadata: the queued mark (span.h: the double-free check), the
 *    object's state (free, allocated, isolated: F checks it at every alloc
 *    and free), and with U the last allocation and the last free: stack
 *    (stack depot), CPU, pid and jiffies.
 *
 * A kmalloc class named in gomem.debug= (kmalloc-256, kmalloc-256-noscan)
 * gets such a debug class too, at load time, before any allocation: the
 * global class keeps its place in gomem_classes[] and its ->redirect points
 * at the debug class, which serves every allocation the global class would
 * have served (its magazines and spans stay empty, so its inline paths
 * always miss and reach gomem_class_alloc(), which redirects).
 *
 * Debug classes never use the per-CPU magazines, cached spans, transfer
 * caches or free hints (fastpath is false): every object is taken from and
 * returned to its span under the node's mcentral lock, checked both ways.
 * A fault is reported in SLUB's format (the "BUG cache (taint): what" line
 * prefixed "gomem: ", then the first bad byte, both owners with their
 * stacks, the slot's hexdump and the stack of the call that found it).
 * The damaged object is then isolated: never handed out again, counted,
 * and given back to its span only when its cache is destroyed. The system
 * keeps running: nothing is tainted, nothing is WARNed.
 *
 * gomem.debug= syntax: blocks separated by ';', each "flags[,name...]":
 * the flags are letters among F, Z, P, U (or '-' for none), the names
 * caches or kmalloc classes, each exact or ending in '*' (a prefix). A
 * block without names applies to every cache and kmalloc class (not the
 * tiny one). "gomem.debug=FZPU,kmalloc-256;U,my_records" is an example.
 *
 * Locking (locking.h): gomem_debug_lock serialises the debug classes'
 * checks and state changes with the walks and the reports. An allocation
 * takes its slot from the span (the mcentral lock, which it may have to
 * leave to grow the heap), then, under gomem_debug_lock, checks it and
 * arms it; a walk that meanwhile finds a slot allocated in its span but
 * still free in its state word counts it as an allocation in progress. A
 * free, once its queued mark (set with an exchange: it decides which of two
 * racing frees owns the object) says the object is its own, checks it,
 * disarms it and gives it back to its span under gomem_debug_lock. The
 * walks (validate, traces, leaks) hold gomem_debug_lock and one node's
 * mcentral lock across that node's spans of the class: debugging only, like
 * gomem_mcentral_check(). So a walk never sees an object half-armed.
 *
 * Context: allocation and free as the class's callers (any context; owner
 * tracking saves stacks with GFP_NOWAIT). Set-up, tear-down and the walks:
 * process context.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <linux/stackdepot.h>
#include <linux/seq_file.h>
#include <linux/module.h>
#include <linux/poison.h>
#include <linux/nodemask.h>
#include <gomem.h>
#include "debug.h"
#include "class.h"
#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "report.h"
#include "stats.h"

/* SLUB's values (poison.h): 0xcc, 0xbb, 0x6b, 0xa5 */
#define ZONE_ACTIVE	SLUB_RED_ACTIVE
#define ZONE_INACTIVE	SLUB_RED_INACTIVE

#define RED_LEFT_MIN	16
#define RED_RIGHT_MIN	16
#define TRACK_DEPTH	16

/* an object's state word: values a stray write is unlikely to produce */
#define STATE_FREE	0xf4eef4eeU
#define STATE_ALLOC	0xa110ca7eU
#define STATE_ISOLATED	0x150dead0U

enum { TRACK_ALLOC, TRACK_FREE };

struct gomem_track {
	unsigned long addr;		/* the first caller outside gomem */
	unsigned long when;		/* jiffies */
	depot_stack_handle_t handle;	/* the stack, or 0 */
	int cpu;
	int pid;
};

/* at the slot's meta offset; link_off points at the mark */
struct gomem_debug_meta {
	unsigned long mark;		/* the queued mark (span.h) */
	u32 state;
	u32 pad;
	struct gomem_track track[];	/* [2] with GOMEM_STORE_USER */
};

static DEFINE_SPINLOCK(gomem_debug_lock);

/* ---- gomem.debug= ---- */

struct debug_rule {
	unsigned long flags;
	char *name;			/* NULL: every cache and kmalloc class */
	bool prefix;
};

static struct debug_rule *rules;
static unsigned int nr_rules;

static unsigned long parse_flags(const char *s, size_t len)
{
	unsigned long f = 0;
	size_t i;

	if (!len)	/* slub_debug=,name: every debug option */
		return GOMEM_DEBUG_FLAGS;
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case 'f': case 'F':
			f |= GOMEM_CONSISTENCY_CHECKS;
			break;
		case 'z': case 'Z':
			f |= GOMEM_RED_ZONE;
			break;
		case 'p': case 'P':
			f |= GOMEM_POISON;
			break;
		case 'u': case 'U':
			f |= GOMEM_STORE_USER;
			break;
		case '-':
			break;
		default:
			pr_warn("gomem: debug: unknown option '%c' ignored\n", s[i]);
		}
	}
	return f;
}

static int add_rule(unsigned long flags, const char *name, size_t len)
{
	struct debug_rule *r = krealloc(rules, (nr_rules + 1) * sizeof(*r), GFP_KERNEL);

	if (!r)
		return -ENOMEM;
	rules = r;
	r += nr_rules;
	r->flags = flags;
	r->name = NULL;
	r->prefix = false;
	if (name) {
		r->prefix = len && name[len - 1] == '*';
		r->name = kstrndup(name, len - r->prefix, GFP_KERNEL);
		if (!r->name)
			return -ENOMEM;
	}
	nr_rules++;
	return 0;
}

/**
 * gomem_debug_setup() - parse gomem.debug=
 * @str: the parameter, or NULL or "" for none
 *
 * Context: process context, before gomem_core_init().
 * Return: 0, or -ENOMEM (then no rule is kept).
 */
int gomem_debug_setup(const char *str)
{
	const char *block, *end, *comma, *name;
	unsigned long flags;
	int err = 0;

	gomem_debug_teardown();
	for (block = str; block && *block && !err; block = *end ? end + 1 : end) {
		end = strchrnul(block, ';');
		comma = memchr(block, ',', end - block);
		flags = parse_flags(block, (comma ?: end) - block);
		if (!comma) {
			err = add_rule(flags, NULL, 0);
			continue;
		}
		for (name = comma + 1; name < end && !err; name = comma + 1) {
			comma = memchr(name, ',', end - name) ?: end;
			if (comma > name)
				err = add_rule(flags, name, comma - name);
		}
	}
	if (err)
		gomem_debug_teardown();
	return err;
}

/**
 * gomem_debug_teardown() - forget the gomem.debug= rules
 */
void gomem_debug_teardown(void)
{
	unsigned int i;

	for (i = 0; i < nr_rules; i++)
		kfree(rules[i].name);
	kfree(rules);
	rules = NULL;
	nr_rules = 0;
}

/**
 * gomem_debug_flags_for() - the debug flags gomem.debug= gives a name
 * @name: a cache's or a kmalloc class's name
 *
 * The last rule that names it wins, as with slub_debug=.
 *
 * Return: GOMEM_DEBUG_FLAGS bits, 0 for none.
 */
unsigned long gomem_debug_flags_for(const char *name)
{
	unsigned long flags = 0;
	unsigned int i;

	for (i = 0; i < nr_rules; i++) {
		const struct debug_rule *r = &rules[i];

		if (!r->name || (r->prefix ? !strncmp(name, r->name, strlen(r->name)) :
				 !strcmp(name, r->name)))
			flags = r->flags;
	}
	return flags;
}

/* ---- layout ---- */

static unsigned int meta_size(unsigned long flags)
{
	return sizeof(struct gomem_debug_meta) +
	       (flags & GOMEM_STORE_USER ? 2 * sizeof(struct gomem_track) : 0);
}

/**
 * gomem_debug_layout() - a debug slot's layout
 * @size: the object's size
 * @align: its alignment (a power of two, at least 8)
 * @flags: the debug flags
 * @l: set to the layout
 */
void gomem_debug_layout(unsigned int size, unsigned int align, unsigned long flags,
			struct gomem_debug_layout *l)
{
	bool rz = flags & GOMEM_RED_ZONE;

	l->left = rz ? ALIGN(RED_LEFT_MIN, align) : 0;
	l->meta = l->left + ALIGN(size, 8) + (rz ? RED_RIGHT_MIN : 0);
	l->need = l->meta + meta_size(flags);
}

static inline struct gomem_debug_meta *slot_meta(struct gomem_class *cls, void *slot)
{
	return (struct gomem_debug_meta *)((char *)slot + cls->debug->meta);
}

static inline void *slot_obj(struct gomem_class *cls, void *slot)
{
	return (char *)slot + cls->debug->left;
}

static bool poisons(struct gomem_class *cls)
{
	return (cls->debug->flags & GOMEM_POISON) && !cls->keep_contents;
}

/**
 * gomem_debug_class_init() - make a class a debug class
 * @cls: a private class set up by gomem_class_init() with link_off at
 *	@l->meta, nothing allocated from it yet
 * @flags: its debug flags
 * @l: its layout (gomem_debug_layout())
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int gomem_debug_class_init(struct gomem_class *cls, unsigned long flags,
			   const struct gomem_debug_layout *l)
{
	struct gomem_debug *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return -ENOMEM;
	if ((flags & GOMEM_STORE_USER) && stack_depot_init())
		pr_warn("gomem: %s: no stack depot: owners are kept without stacks\n",
			gomem_class_name(cls));
	d->flags = flags & GOMEM_DEBUG_FLAGS;
	d->left = l->left;
	d->meta = l->meta;
	d->prepare_span = gomem_debug_prepare_span;
	cls->debug = d;
	WRITE_ONCE(cls->fastpath, false);
	return 0;
}

/**
 * gomem_debug_class_exit() - free a debug class's state
 * @cls: the class, destroyed
 */
void gomem_debug_class_exit(struct gomem_class *cls)
{
	kfree(cls->debug);
	cls->debug = NULL;
}

/**
 * gomem_debug_isolated() - objects a debug class has isolated
 * @cls: a class
 *
 * Return: how many are isolated now (0 for a class without debugging).
 */
unsigned long gomem_debug_isolated(struct gomem_class *cls)
{
	return cls->debug ? atomic_long_read(&cls->debug->isolated) : 0;
}

/**
 * gomem_debug_flag_letters() - a debug class's flags as slub_debug= letters
 * @flags: debug flags
 * @buf: at least 5 bytes
 *
 * Return: @buf ("-" for none).
 */
const char *gomem_debug_flag_letters(unsigned long flags, char *buf)
{
	char *p = buf;

	if (flags & GOMEM_CONSISTENCY_CHECKS)
		*p++ = 'F';
	if (flags & GOMEM_RED_ZONE)
		*p++ = 'Z';
	if (flags & GOMEM_POISON)
		*p++ = 'P';
	if (flags & GOMEM_STORE_USER)
		*p++ = 'U';
	if (p == buf)
		*p++ = '-';
	*p = 0;
	return buf;
}

/* a free slot's bytes: red zones inactive, the object poisoned */
static void slot_set_free(struct gomem_class *cls, void *slot)
{
	struct gomem_debug *d = cls->debug;
	u8 *obj = slot_obj(cls, slot);

	if (d->flags & GOMEM_RED_ZONE) {
		memset(slot, ZONE_INACTIVE, d->left);
		memset(obj + cls->objsize, ZONE_INACTIVE, d->meta - d->left - cls->objsize);
	}
	if (poisons(cls)) {
		memset(obj, POISON_FREE, cls->objsize - 1);
		obj[cls->objsize - 1] = POISON_END;
	}
	slot_meta(cls, slot)->state = STATE_FREE;
}

/**
 * gomem_debug_prepare_span() - lay a fresh span's slots out as free
 * @cls: a debug class
 * @s: its fresh span (the constructor, if any, runs after this)
 */
void gomem_debug_prepare_span(struct gomem_class *cls, struct gomem_span *s)
{
	unsigned int i, msize = meta_size(cls->debug->flags);
	char *slot;

	for (i = 0; i < s->nelems; i++) {
		slot = (char *)s->start + i * s->elemsize;
		memset(slot_meta(cls, slot), 0, msize);
		slot_set_free(cls, slot);
	}
}

/* ---- owners ---- */

static bool gomem_text(unsigned long addr)
{
#ifdef MODULE
	return within_module(addr, THIS_MODULE);
#else
	return false;
#endif
}

static void track_set(struct gomem_class *cls, void *slot, int which)
{
	struct gomem_track *t = &slot_meta(cls, slot)->track[which];
	unsigned long entries[TRACK_DEPTH];
	unsigned int n, skip = 0;

	n = stack_trace_save(entries, ARRAY_SIZE(entries), 1);
	while (skip < n && gomem_text(entries[skip]))
		skip++;
	t->addr = skip < n ? entries[skip] : 0;
	t->handle = skip < n ? stack_depot_save(entries + skip, n - skip, GFP_NOWAIT) : 0;
	t->cpu = raw_smp_processor_id();
	t->pid = current->pid;
	t->when = jiffies;
}

static void print_track(const char *what, const struct gomem_track *t, unsigned long now)
{
	if (!t->addr)
		return;
	pr_err("%s in %pS age=%lu cpu=%d pid=%d\n", what, (void *)t->addr,
	       now - t->when, t->cpu, t->pid);
	if (t->handle)
		stack_depot_print(t->handle);
	else
		pr_err("object allocation/free stack trace missing\n");
}

/* ---- reports ---- */

/* print_tainted()'s text (not exported): "Not tainted", "Tainted: G     W  OE" */
static const char *taint_string(char *buf, size_t len)
{
	static const char letters[] = "PFSRMBUDAWCIOELKXTN";
	bool any = false;
	size_t i, n;

	n = scnprintf(buf, len, "Tainted: ");
	for (i = 0; i < sizeof(letters) - 1 && n < len - 1; i++) {
		any |= test_taint(i);
		buf[n++] = test_taint(i) ? letters[i] : i ? ' ' : 'G';
	}
	buf[n] = 0;
	return any ? buf : "Not tainted";
}

static void report_begin(struct gomem_class *cls, const char *what)
{
	char taint[40];

	atomic_long_inc(&cls->debug->reports);
	pr_err("=============================================================================\n");
	pr_err("gomem: BUG %s (%s): %s\n", gomem_class_name(cls),
	       taint_string(taint, sizeof(taint)), what);
	pr_err("-----------------------------------------------------------------------------\n\n");
}

/* the owners, the span, the slot's hexdump, the stack that found it */
static void report_slot(struct gomem_class *cls, struct gomem_span *s, void *slot)
{
	struct gomem_debug *d = cls->debug;
	struct gomem_debug_meta *m = slot_meta(cls, slot);
	u8 *obj = slot_obj(cls, slot);

	if (d->flags & GOMEM_STORE_USER) {
		unsigned long now = jiffies;

		print_track("Allocated", &m->track[TRACK_ALLOC], now);
		print_track("Freed", &m->track[TRACK_FREE], now);
	}
	pr_err("Slab 0x%p objects=%u used=%u span=%u pages node=%u\n",
	       s->start, s->nelems, READ_ONCE(s->alloc_count), s->npages, s->node);
	pr_err("Object 0x%p @offset=%tu size=%u state=%s\n\n", obj,
	       obj - (u8 *)s->start, cls->objsize,
	       m->state == STATE_ALLOC ? "allocated" : m->state == STATE_FREE ? "free" :
	       m->state == STATE_ISOLATED ? "isolated" : "corrupt");
	if (d->left)
		print_hex_dump(KERN_ERR, "Redzone  ", DUMP_PREFIX_ADDRESS, 16, 1, slot,
			       d->left, true);
	print_hex_dump(KERN_ERR, "Object   ", DUMP_PREFIX_ADDRESS, 16, 1, obj,
		       min_t(unsigned int, cls->objsize, PAGE_SIZE), true);
	if (d->flags & GOMEM_RED_ZONE)
		print_hex_dump(KERN_ERR, "Redzone  ", DUMP_PREFIX_ADDRESS, 16, 1,
			       obj + cls->objsize, d->meta - d->left - cls->objsize, true);
	dump_stack();
}

/*
 * Check that @len bytes at @start all hold @value; report the first bad
 * byte (SLUB's check_bytes_and_report()) and restore them. Called with
 * the report lock held.
 */
static bool check_bytes(struct gomem_class *cls, struct gomem_span *s, void *slot,
			const char *what, u8 *start, u8 value, unsigned int len)
{
	u8 *fault = memchr_inv(start, value, len), *end = start + len;
	u8 *obj = slot_obj(cls, slot);
	char title[64];

	if (!fault)
		return true;
	while (end > fault && end[-1] == value)
		end--;
	snprintf(title, sizeof(title), "%s overwritten", what);
	report_begin(cls, title);
	pr_err("0x%p-0x%p @offset=%tu. First byte 0x%x instead of 0x%x\n",
	       fault, end - 1, fault - (u8 *)s->start, fault[0], value);
	pr_err("First bad byte at object%+td (object size %u)\n", fault - obj, cls->objsize);
	report_slot(cls, s, slot);
	pr_err("FIX %s: Restoring %s 0x%p-0x%p=0x%x\n", gomem_class_name(cls), what,
	       fault, end - 1, value);
	memset(fault, value, end - fault);
	return false;
}

/* a slot's red zones hold @red, and, free and poisoned, the poison */
static bool check_slot(struct gomem_class *cls, struct gomem_span *s, void *slot, u8 red,
		       bool poison)
{
	struct gomem_debug *d = cls->debug;
	u8 *obj = slot_obj(cls, slot);
	bool ok = true;

	if (d->flags & GOMEM_RED_ZONE) {
		ok &= check_bytes(cls, s, slot, "Left Redzone", slot, red, d->left);
		ok &= check_bytes(cls, s, slot, "Right Redzone", obj + cls->objsize, red,
				  d->meta - d->left - cls->objsize);
	}
	if (poison) {
		ok &= check_bytes(cls, s, slot, "Poison", obj, POISON_FREE, cls->objsize - 1);
		ok &= check_bytes(cls, s, slot, "End Poison", obj + cls->objsize - 1,
				  POISON_END, 1);
	}
	return ok;
}

/* a report that is not about bytes: a state, a double free (lock held) */
static void report_state_locked(struct gomem_class *cls, struct gomem_span *s, void *slot,
				const char *what)
{
	lockdep_assert_held(&gomem_debug_lock);
	report_begin(cls, what);
	report_slot(cls, s, slot);
}

static void isolate(struct gomem_class *cls, void *slot, const char *when)
{
	slot_meta(cls, slot)->state = STATE_ISOLATED;
	atomic_long_inc(&cls->debug->isolated);
	pr_err("FIX %s: Object at 0x%p isolated %s: it is never handed out again\n",
	       gomem_class_name(cls), slot_obj(cls, slot), when);
}

/* ---- allocation and free ---- */

/**
 * gomem_debug_alloc() - allocate from a debug class, checked
 * @cls: the debug class
 * @gfp: allocation context
 * @node: a valid NUMA node with memory (the caller resolves NUMA_NO_NODE)
 *
 * Takes a free slot from a span of @node, checks
 * its red zones, poison and state, isolating and skipping a damaged one,
 * arms the red zones and records the owner.
 *
 * Return: the object, or NULL.
 */
void *gomem_debug_alloc(struct gomem_class *cls, gfp_t gfp, int node)
{
	struct gomem_debug *d = cls->debug;
	struct gomem_debug_meta *m;
	struct gomem_span *s;
	unsigned long flags;
	void *slot;
	bool ok;

	for (;;) {
		slot = gomem_mcentral_alloc_node(cls, node, gfp);
		if (!slot)
			return NULL;
		s = gomem_ptr_to_span(slot);
		m = slot_meta(cls, slot);
		spin_lock_irqsave(&gomem_debug_lock, flags);
		ok = check_slot(cls, s, slot, ZONE_INACTIVE, poisons(cls));
		if (ok && (d->flags & GOMEM_CONSISTENCY_CHECKS) && m->state != STATE_FREE) {
			report_state_locked(cls, s, slot, "Free object's state corrupt");
			ok = false;
		}
		if (ok)
			break;
		isolate(cls, slot, "at allocation");
		/* a later free of it is a double free: it stays marked */
		gomem_queued_test_and_set(slot, cls->link_off);
		spin_unlock_irqrestore(&gomem_debug_lock, flags);
	}
	if (d->flags & GOMEM_RED_ZONE) {
		memset(slot, ZONE_ACTIVE, d->left);
		memset((char *)slot_obj(cls, slot) + cls->objsize, ZONE_ACTIVE,
		       d->meta - d->left - cls->objsize);
	}
	m->state = STATE_ALLOC;
	spin_unlock_irqrestore(&gomem_debug_lock, flags);
	if (d->flags & GOMEM_STORE_USER)
		track_set(cls, slot, TRACK_ALLOC);
	gomem_cpu_lock(flags);
	gomem_count(&this_cpu_ptr(cls->pcpu)->allocs, 1);
	gomem_cpu_unlock(flags);
	return slot_obj(cls, slot);
}

/**
 * gomem_debug_obj_index() - the index of the object a caller's pointer is
 * @s: a span of a debug class
 * @p: the pointer
 * @idx: set to the index
 *
 * Return: false when @p is not where an object of the span starts.
 */
bool gomem_debug_obj_index(struct gomem_span *s, const void *p, unsigned int *idx)
{
	return gomem_span_obj_index(s, (const char *)p - s->cls->debug->left, idx);
}

/**
 * gomem_debug_obj_start() - the object that contains an address
 * @s: a span of a debug class
 * @p: an address inside it
 *
 * Return: the start of the object whose slot holds @p.
 */
void *gomem_debug_obj_start(struct gomem_span *s, const void *p)
{
	unsigned long off = (unsigned long)p - (unsigned long)s->start;

	return (char *)s->start + gomem_class_obj_containing(s->cls, off) * s->elemsize +
	       s->cls->debug->left;
}

/**
 * gomem_debug_free_unlock() - free an object of a debug class, checked
 * @cls: the debug class (its span's)
 * @s: the object's span
 * @p: the caller's pointer
 * @ip: the caller, for reports
 * @flags: the CPU section the full free path took (locking.h): the mark
 *	and the span are checked inside it; it is left before the rest
 *
 * Refuses a pointer that is not an object's and a double free (the mark,
 * then the span's bit). Then checks the red zones and, with F, the state:
 * a damaged object is reported and isolated (the free is not refused: the
 * caller is done with it). A sound one is poisoned, its red zones
 * disarmed, its owner recorded, and it goes back to its span.
 *
 * Return: false when the free was refused.
 */
bool gomem_debug_free_unlock(struct gomem_class *cls, struct gomem_span *s, const void *p,
			     unsigned long ip, unsigned long flags)
{
	struct gomem_debug *d = cls->debug;
	struct gomem_debug_meta *m;
	unsigned long lflags;
	unsigned int idx;
	void *slot;
	bool ok;

	if (!gomem_debug_obj_index(s, p, &idx)) {
		gomem_cpu_unlock(flags);
		gomem_report_bad_free(gomem_class_name(cls), p, ip, "not the start of an object");
		return false;
	}
	slot = (char *)s->start + idx * s->elemsize;
	m = slot_meta(cls, slot);
	if (gomem_queued_test_and_set(slot, cls->link_off) ||
	    !test_bit(idx, s->alloc_bits)) {
		/* marked, or free in its span (a write wiped the mark) */
		gomem_cpu_unlock(flags);
		gomem_stat_add(GOMEM_STAT_DOUBLE_FREES, 1);
		gomem_stat_add(GOMEM_STAT_BAD_FREES, 1);
		spin_lock_irqsave(&gomem_debug_lock, lflags);
		report_state_locked(cls, s, slot, m->state == STATE_ISOLATED ?
				    "Object already freed (isolated)" : "Object already free");
		pr_err("FIX %s: free of 0x%p by %pS refused\n", gomem_class_name(cls), p,
		       (void *)ip);
		spin_unlock_irqrestore(&gomem_debug_lock, lflags);
		return false;
	}
	/* ours now: a racing free of it finds the mark */
	gomem_cpu_unlock(flags);
	if (d->flags & GOMEM_STORE_USER)
		track_set(cls, slot, TRACK_FREE);
	kmemleak_free(p);
	spin_lock_irqsave(&gomem_debug_lock, lflags);
	ok = check_slot(cls, s, slot, ZONE_ACTIVE, false);
	if (ok && (d->flags & GOMEM_CONSISTENCY_CHECKS) && m->state != STATE_ALLOC) {
		report_state_locked(cls, s, slot, "Object's state corrupt at free");
		ok = false;
	}
	if (!ok) {
		isolate(cls, slot, "at free");
	} else {
		slot_set_free(cls, slot);
		/* back in its span before a walk can see it free */
		gomem_mcentral_free_objs(cls, &slot, 1);
	}
	spin_unlock_irqrestore(&gomem_debug_lock, lflags);
	gomem_cpu_lock(flags);
	gomem_count(&this_cpu_ptr(cls->pcpu)->frees, 1);
	gomem_cpu_unlock(flags);
	return true;
}

/* ---- walks ---- */

/* a walk's visit of one slot: false stops the walk */
typedef bool (*slot_fn)(struct gomem_class *cls, struct gomem_span *s, unsigned int idx,
			void *arg);

/*
 * Call @fn on every slot of every span of @cls, gomem_debug_lock held (by
 * the caller) and one node's mcentral lock across that node's spans (debug
 * classes cache no span on a CPU, so every span is on a list).
 */
static void walk_slots_locked(struct gomem_class *cls, slot_fn fn, void *arg)
{
	struct list_head *lists[3];
	struct gomem_mcentral *c;
	struct gomem_span *s;
	unsigned int i, idx;
	int node;

	lockdep_assert_held(&gomem_debug_lock);
	for (node = 0; node < nr_node_ids; node++) {
		c = &cls->central[node];
		lists[0] = &c->partial;
		lists[1] = &c->full;
		lists[2] = &c->empty;
		spin_lock(&c->lock);
		for (i = 0; i < ARRAY_SIZE(lists); i++) {
			list_for_each_entry(s, lists[i], list) {
				for (idx = 0; idx < s->nelems; idx++) {
					if (!fn(cls, s, idx, arg)) {
						spin_unlock(&c->lock);
						return;
					}
				}
			}
		}
		spin_unlock(&c->lock);
	}
}

static void walk_slots(struct gomem_class *cls, slot_fn fn, void *arg)
{
	unsigned long flags;

	spin_lock_irqsave(&gomem_debug_lock, flags);
	walk_slots_locked(cls, fn, arg);
	spin_unlock_irqrestore(&gomem_debug_lock, flags);
}

static bool validate_slot(struct gomem_class *cls, struct gomem_span *s, unsigned int idx,
			  void *arg)
{
	struct gomem_debug_census *c = arg;
	void *slot = (char *)s->start + idx * s->elemsize;
	u32 state = slot_meta(cls, slot)->state;
	bool allocated = test_bit(idx, s->alloc_bits), ok = true;

	if (!idx)
		c->spans++;
	c->objects++;
	if (state == STATE_ISOLATED && allocated) {
		c->isolated++;
	} else if (state == STATE_ALLOC && allocated) {
		c->allocated++;
		ok = check_slot(cls, s, slot, ZONE_ACTIVE, false);
	} else if (state == STATE_FREE && !allocated) {
		c->free++;
		ok = check_slot(cls, s, slot, ZONE_INACTIVE, poisons(cls));
	} else if (state == STATE_FREE && allocated) {
		c->allocated++;	/* taken from its span, not yet armed: in progress */
	} else {
		report_state_locked(cls, s, slot, allocated ? "Allocated object's state corrupt" :
				    "Free object's state corrupt");
		c->errors++;
	}
	c->errors += !ok;
	return true;
}

/**
 * gomem_debug_validate() - check every object of a debug class
 * @cls: the class
 * @c: set to what was found, and the faults reported since the class was
 *     created (this walk's included)
 *
 * Every slot's state against its span's alloc bit, the red zones of every
 * allocated and free object, the poison of every free one. Each fault is
 * reported (and repaired); a free object found damaged is isolated when
 * an allocation reaches it.
 *
 * Context: process context.
 */
void gomem_debug_validate(struct gomem_class *cls, struct gomem_debug_census *c)
{
	memset(c, 0, sizeof(*c));
	walk_slots(cls, validate_slot, c);
	c->reported = atomic_long_read(&cls->debug->reports);
}

/* one stack's figures, as SLUB's struct location */
struct trace_loc {
	unsigned long addr;
	depot_stack_handle_t handle;
	unsigned long count, sum_age, min_age, max_age;
	int min_pid, max_pid;
	unsigned long cpus;		/* CPUs 0..BITS_PER_LONG-1 */
};

struct trace_walk {
	struct trace_loc *loc;
	unsigned int n, max;
	unsigned long dropped, now;
	bool freed;
};

static bool trace_slot(struct gomem_class *cls, struct gomem_span *s, unsigned int idx,
		       void *arg)
{
	struct trace_walk *w = arg;
	void *slot = (char *)s->start + idx * s->elemsize;
	struct gomem_debug_meta *m = slot_meta(cls, slot);
	const struct gomem_track *t;
	struct trace_loc *l;
	unsigned long age;
	unsigned int i;

	/* allocated objects' allocations; free objects' frees (as SLUB's) */
	if (test_bit(idx, s->alloc_bits) != !w->freed)
		return true;
	if (m->state != (w->freed ? STATE_FREE : STATE_ALLOC))
		return true;
	t = &m->track[w->freed ? TRACK_FREE : TRACK_ALLOC];
	if (!t->addr)
		return true;
	age = w->now - t->when;
	for (i = 0; i < w->n; i++)
		if (w->loc[i].addr == t->addr && w->loc[i].handle == t->handle)
			break;
	if (i == w->n) {
		if (w->n == w->max) {
			w->dropped++;
			return true;
		}
		l = &w->loc[w->n++];
		memset(l, 0, sizeof(*l));
		l->addr = t->addr;
		l->handle = t->handle;
		l->min_age = age;
		l->min_pid = t->pid;
		l->max_pid = t->pid;
	}
	l = &w->loc[i];
	l->count++;
	l->sum_age += age;
	l->min_age = min(l->min_age, age);
	l->max_age = max(l->max_age, age);
	l->min_pid = min(l->min_pid, t->pid);
	l->max_pid = max(l->max_pid, t->pid);
	if (t->cpu < BITS_PER_LONG)
		l->cpus |= BIT(t->cpu);
	return true;
}

/**
 * gomem_debug_traces() - SLUB's alloc_traces and free_traces
 * @cls: a debug class with GOMEM_STORE_USER
 * @freed: false: where the allocated objects were allocated; true: where
 *	the free objects were freed
 * @m: where to print, most frequent stack first
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int gomem_debug_traces(struct gomem_class *cls, bool freed, struct seq_file *m)
{
	struct trace_walk w = { .max = 4096, .freed = freed, .now = jiffies };
	struct trace_loc tmp;
	unsigned long *entries;
	unsigned int i, j, nr;

	if (!(cls->debug->flags & GOMEM_STORE_USER)) {
		seq_puts(m, "No data (the cache does not track owners: U)\n");
		return 0;
	}
	w.loc = kvmalloc_array(w.max, sizeof(*w.loc), GFP_KERNEL);
	if (!w.loc)
		return -ENOMEM;
	walk_slots(cls, trace_slot, &w);
	for (i = 1; i < w.n; i++)	/* by count, most first: insertion sort */
		for (j = i; j > 0 && w.loc[j - 1].count < w.loc[j].count; j--) {
			tmp = w.loc[j];
			w.loc[j] = w.loc[j - 1];
			w.loc[j - 1] = tmp;
		}
	for (i = 0; i < w.n; i++) {
		const struct trace_loc *l = &w.loc[i];

		seq_printf(m, "%7lu %pS", l->count, (void *)l->addr);
		if (l->min_age != l->max_age)
			seq_printf(m, " age=%lu/%lu/%lu", l->min_age, l->sum_age / l->count,
				   l->max_age);
		else
			seq_printf(m, " age=%lu", l->min_age);
		if (l->min_pid != l->max_pid)
			seq_printf(m, " pid=%d-%d", l->min_pid, l->max_pid);
		else
			seq_printf(m, " pid=%d", l->min_pid);
		seq_puts(m, " cpus=");
		for (j = 0, nr = 0; j < BITS_PER_LONG; j++)
			if (l->cpus & BIT(j))
				seq_printf(m, "%s%u", nr++ ? "," : "", j);
		seq_putc(m, '\n');
		nr = l->handle ? stack_depot_fetch(l->handle, &entries) : 0;
		for (j = 0; j < nr; j++)
			seq_printf(m, "        %pS\n", (void *)entries[j]);
		seq_putc(m, '\n');
	}
	if (w.dropped)
		seq_printf(m, "(%lu objects of further stacks not shown)\n", w.dropped);
	if (!w.n)
		seq_puts(m, "No data\n");
	kvfree(w.loc);
	return 0;
}

struct leak_walk {
	unsigned long found, shown, now;
};

static bool leak_slot(struct gomem_class *cls, struct gomem_span *s, unsigned int idx,
		      void *arg)
{
	struct leak_walk *w = arg;
	void *slot = (char *)s->start + idx * s->elemsize;
	struct gomem_debug_meta *m = slot_meta(cls, slot);

	if (!test_bit(idx, s->alloc_bits) || m->state != STATE_ALLOC)
		return true;
	w->found++;
	if (w->shown >= 16)	/* the first 16 are named: enough to find the leak */
		return true;
	w->shown++;
	pr_err("Object 0x%p @offset=%tu\n", slot_obj(cls, slot),
	       (char *)slot_obj(cls, slot) - (char *)s->start);
	if (cls->debug->flags & GOMEM_STORE_USER)
		print_track("Allocated", &m->track[TRACK_ALLOC], w->now);
	return true;
}

/**
 * gomem_debug_report_leaks() - name a debug class's live objects
 * @cls: a debug class being destroyed with objects still allocated
 *
 * As SLUB's "Objects remaining on __kmem_cache_shutdown()": the objects,
 * the first 16 of them with their allocation stacks.
 *
 * Context: process context; every CPU drained.
 */
void gomem_debug_report_leaks(struct gomem_class *cls)
{
	struct leak_walk w = { .now = jiffies };
	unsigned long flags;
	char what[96];

	snprintf(what, sizeof(what), "Objects remaining in %s on destroy",
		 gomem_class_name(cls));
	spin_lock_irqsave(&gomem_debug_lock, flags);
	report_begin(cls, what);
	walk_slots_locked(cls, leak_slot, &w);
	pr_err("gomem: %s: %lu objects remaining (%lu shown)\n", gomem_class_name(cls),
	       w.found, w.shown);
	spin_unlock_irqrestore(&gomem_debug_lock, flags);
}

struct isolated_walk {
	void *slot[32];
	unsigned int n;
};

static bool isolated_slot(struct gomem_class *cls, struct gomem_span *s, unsigned int idx,
			  void *arg)
{
	struct isolated_walk *w = arg;
	void *slot = (char *)s->start + idx * s->elemsize;

	if (!test_bit(idx, s->alloc_bits) || slot_meta(cls, slot)->state != STATE_ISOLATED)
		return true;
	w->slot[w->n++] = slot;
	return w->n < ARRAY_SIZE(w->slot);
}

/**
 * gomem_debug_release_isolated() - give a class's isolated objects back
 * @cls: a debug class about to be destroyed, with no object allocated
 *
 * Context: process context.
 */
void gomem_debug_release_isolated(struct gomem_class *cls)
{
	struct isolated_walk w;
	unsigned int i;

	if (!cls->debug)
		return;
	do {
		w.n = 0;
		walk_slots(cls, isolated_slot, &w);
		for (i = 0; i < w.n; i++)
			slot_meta(cls, w.slot[i])->state = STATE_FREE;
		gomem_mcentral_free_objs(cls, w.slot, w.n);
		atomic_long_sub(w.n, &cls->debug->isolated);
	} while (w.n);
}

/* ---- kmalloc classes under gomem.debug= ---- */

struct kmalloc_debug {
	struct gomem_class cls;
	char name[32];
};

static struct kmalloc_debug *kmalloc_debug[GOMEM_NUM_SPAN_CLASSES];

/**
 * gomem_debug_kmalloc_init() - give the kmalloc classes gomem.debug= names
 *	their debug classes
 *
 * Context: process context, at load, after the global classes are set up
 * and before anything is allocated.
 * Return: 0 or -ENOMEM.
 */
int gomem_debug_kmalloc_init(void)
{
	struct gomem_debug_layout l;
	struct kmalloc_debug *k;
	unsigned int spc, sc, size;
	unsigned long flags;
	char name[32], letters[8];

	for (spc = 2; spc < GOMEM_NUM_SPAN_CLASSES && nr_rules; spc++) {
		if (spc == GOMEM_TINY_SPANCLASS)
			continue;
		size = gomem_class_to_size[spc >> 1];
		snprintf(name, sizeof(name), "kmalloc-%u%s", size,
			 gomem_spanclass_noscan(spc) ? "-noscan" : "");
		flags = gomem_debug_flags_for(name);
		if (!flags)
			continue;
		gomem_debug_layout(size, 8, flags, &l);
		for (sc = gomem_size_to_class(l.need); sc && sc < GOMEM_NUM_SIZE_CLASSES; sc++)
			if (!(gomem_class_to_size[sc] % 8))
				break;
		if (!sc || sc >= GOMEM_NUM_SIZE_CLASSES) {
			pr_warn("gomem: debug: %s: no size class fits its red zones and owners\n",
				name);
			continue;
		}
		k = kzalloc(sizeof(*k), GFP_KERNEL);
		if (!k)
			return -ENOMEM;
		strscpy(k->name, name, sizeof(k->name));
		if (gomem_class_init(&k->cls, (sc << 1) | (spc & 1), NULL, size, l.meta)) {
			kfree(k);
			return -ENOMEM;
		}
		k->cls.name = k->name;
		if (gomem_debug_class_init(&k->cls, flags, &l)) {
			gomem_class_destroy(&k->cls);
			kfree(k);
			return -ENOMEM;
		}
		kmalloc_debug[spc] = k;
		gomem_classes[spc].redirect = &k->cls;
		/* its inline paths would bypass the redirect: gomem_class_alloc() */
		WRITE_ONCE(gomem_classes[spc].fastpath, false);
		pr_info("gomem: debug: %s: %s (slot %u bytes)\n", name,
			gomem_debug_flag_letters(flags, letters), k->cls.elemsize);
	}
	return 0;
}

/**
 * gomem_debug_kmalloc_exit() - destroy the kmalloc debug classes
 *
 * Objects left allocated are reported (with their owners) and their class
 * kept, as the global classes keep leaked objects.
 *
 * Context: process context, at unload, every CPU drained.
 */
void gomem_debug_kmalloc_exit(void)
{
	struct kmalloc_debug *k;
	unsigned int spc;

	for (spc = 0; spc < GOMEM_NUM_SPAN_CLASSES; spc++) {
		k = kmalloc_debug[spc];
		if (!k)
			continue;
		gomem_classes[spc].redirect = NULL;
		WRITE_ONCE(gomem_classes[spc].fastpath, true);
		kmalloc_debug[spc] = NULL;
		gomem_debug_release_isolated(&k->cls);
		if (gomem_mcentral_leftover(&k->cls)) {
			gomem_debug_report_leaks(&k->cls);
			continue;	/* leaked, with its memory */
		}
		gomem_class_destroy(&k->cls);
		gomem_debug_class_exit(&k->cls);
		kfree(k);
	}
}

/**
 * gomem_debug_kmalloc_for_each() - visit the kmalloc debug classes
 * @fn: called with each
 * @arg: passed on
 */
void gomem_debug_kmalloc_for_each(void (*fn)(struct gomem_class *cls, void *arg), void *arg)
{
	unsigned int spc;

	for (spc = 0; spc < GOMEM_NUM_SPAN_CLASSES; spc++)
		if (kmalloc_debug[spc])
			fn(&kmalloc_debug[spc]->cls, arg);
}
