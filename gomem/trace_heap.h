/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page heap's tracepoints: gomem:gomem_span_alloc, gomem:gomem_span_free
 * (a span's node, base address, pages and span class: 0 for a large
 * object), gomem:gomem_heap_grow and gomem:gomem_heap_release (a node's
 * pages taken from and given back to the buddy allocator). Defined in
 * trace_heap.c, a leaf: mheap.c and span.c, at the bottom, call them. The
 * userspace build replaces them with counters (selftests/host/shim).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM gomem

#ifdef GOMEM_HOST
#include "shim.h"
#elif !defined(_GOMEM_TRACE_HEAP_H) || defined(TRACE_HEADER_MULTI_READ)
#define _GOMEM_TRACE_HEAP_H

#include <linux/tracepoint.h>
#include "span.h"

/* the span is passed whole: its fields are read only when the event is on */
DECLARE_EVENT_CLASS(gomem_span,
	TP_PROTO(const struct gomem_span *s),
	TP_ARGS(s),
	TP_STRUCT__entry(
		__field(int, node)
		__field(unsigned long, base)
		__field(unsigned int, npages)
		__field(unsigned int, spanclass)
	),
	TP_fast_assign(
		__entry->node = s->node;
		__entry->base = s->base;
		__entry->npages = s->npages;
		__entry->spanclass = s->spanclass;
	),
	TP_printk("node=%d base=%#lx pages=%u spanclass=%u", __entry->node, __entry->base,
		  __entry->npages, __entry->spanclass)
);

DEFINE_EVENT(gomem_span, gomem_span_alloc,
	TP_PROTO(const struct gomem_span *s),
	TP_ARGS(s)
);

DEFINE_EVENT(gomem_span, gomem_span_free,
	TP_PROTO(const struct gomem_span *s),
	TP_ARGS(s)
);

DECLARE_EVENT_CLASS(gomem_heap,
	TP_PROTO(int node, unsigned long pages),
	TP_ARGS(node, pages),
	TP_STRUCT__entry(
		__field(int, node)
		__field(unsigned long, pages)
	),
	TP_fast_assign(
		__entry->node = node;
		__entry->pages = pages;
	),
	TP_printk("node=%d pages=%lu", __entry->node, __entry->pages)
);

DEFINE_EVENT(gomem_heap, gomem_heap_grow,
	TP_PROTO(int node, unsigned long pages),
	TP_ARGS(node, pages)
);

DEFINE_EVENT(gomem_heap, gomem_heap_release,
	TP_PROTO(int node, unsigned long pages),
	TP_ARGS(node, pages)
);

#endif /* _GOMEM_TRACE_HEAP_H */

#ifndef GOMEM_HOST
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace_heap
#include <trace/define_trace.h>
#endif
