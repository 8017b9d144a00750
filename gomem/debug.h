/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Debug classes: red zones, poison, owner tracking and consistency checks
 * for the caches and kmalloc classes that ask for them. See debug.c.
 */
#ifndef _GOMEM_DEBUG_H
#define _GOMEM_DEBUG_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/atomic.h>

struct gomem_class;
struct gomem_span;
struct seq_file;
struct dentry;

/* a debug class's state: cls->debug */
struct gomem_debug {
	unsigned long flags;		/* GOMEM_DEBUG_FLAGS that apply */
	unsigned int left;		/* the object's offset in its slot */
	unsigned int meta;		/* the metadata's offset */
	atomic_long_t isolated;		/* objects isolated, not yet released */
	atomic_long_t reports;		/* faults reported */
	struct dentry *dir;		/* its debugfs directory (debugfs.c), or NULL */
	/*
	 * gomem_debug_prepare_span(), for span.c, which sits below this file
	 * in the call graph and calls it through here
	 */
	void (*prepare_span)(struct gomem_class *cls, struct gomem_span *s);
};

/* where a debug class puts things in its slot (debug.c's layout) */
struct gomem_debug_layout {
	unsigned int left;		/* left red zone: the object's offset */
	unsigned int meta;		/* the metadata: mark, state, owners */
	unsigned int need;		/* bytes a slot needs */
};

/* what a walk over a debug class found (gomem_debug_validate()) */
struct gomem_debug_census {
	unsigned long spans, objects, allocated, free, isolated, errors;
	unsigned long reported;		/* faults reported since creation */
};

int gomem_debug_setup(const char *str);
void gomem_debug_teardown(void);
unsigned long gomem_debug_flags_for(const char *name);
void gomem_debug_layout(unsigned int size, unsigned int align, unsigned long flags,
			struct gomem_debug_layout *l);
int gomem_debug_class_init(struct gomem_class *cls, unsigned long flags,
			   const struct gomem_debug_layout *l);
void gomem_debug_class_exit(struct gomem_class *cls);
void gomem_debug_prepare_span(struct gomem_class *cls, struct gomem_span *s);
void *gomem_debug_alloc(struct gomem_class *cls, gfp_t gfp, int node);
bool gomem_debug_free_unlock(struct gomem_class *cls, struct gomem_span *s, const void *p,
			     unsigned long ip, unsigned long flags);
void *gomem_debug_obj_start(struct gomem_span *s, const void *p);
bool gomem_debug_obj_index(struct gomem_span *s, const void *p, unsigned int *idx);
void gomem_debug_validate(struct gomem_class *cls, struct gomem_debug_census *c);
int gomem_debug_traces(struct gomem_class *cls, bool freed, struct seq_file *m);
void gomem_debug_report_leaks(struct gomem_class *cls);
void gomem_debug_release_isolated(struct gomem_class *cls);
unsigned long gomem_debug_isolated(struct gomem_class *cls);
const char *gomem_debug_flag_letters(unsigned long flags, char *buf);
int gomem_debug_kmalloc_init(void);
void gomem_debug_kmalloc_exit(void);
void gomem_debug_kmalloc_for_each(void (*fn)(struct gomem_class *cls, void *arg), void *arg);

#endif /* _GOMEM_DEBUG_H */
