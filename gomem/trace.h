/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomem's allocation tracepoints: gomem:gomem_alloc and gomem:gomem_free
 * (as kmem:kmalloc and kmem:kfree: call site, pointer, bytes requested and
 * allocated, GFP flags, node, cache). trace.c says how enabling them costs
 * the fast paths nothing while they are off. The page heap's events are in
 * trace_heap.h. The userspace build replaces them with counters
 * (selftests/host/shim).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM gomem

#ifndef _GOMEM_TRACE_DECLS
#define _GOMEM_TRACE_DECLS
#ifdef GOMEM_HOST
#include "shim.h"
#else
#include <linux/jump_label.h>

int gomem_trace_reg(void);
void gomem_trace_unreg(void);

DECLARE_STATIC_KEY_FALSE(gomem_tracing);

/* while gomem_alloc or gomem_free is enabled, everything takes the full paths */
static __always_inline bool gomem_tracing_on(void)
{
	return static_branch_unlikely(&gomem_tracing);
}
#endif
#endif /* _GOMEM_TRACE_DECLS */

#if !defined(GOMEM_HOST) && (!defined(_GOMEM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ))
#define _GOMEM_TRACE_H

#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>

TRACE_EVENT_FN(gomem_alloc,
	TP_PROTO(unsigned long call_site, const void *ptr, size_t bytes_req,
		 size_t bytes_alloc, gfp_t gfp_flags, int node, const char *cache),
	TP_ARGS(call_site, ptr, bytes_req, bytes_alloc, gfp_flags, node, cache),
	TP_STRUCT__entry(
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__field(size_t, bytes_req)
		__field(size_t, bytes_alloc)
		__field(unsigned long, gfp_flags)
		__field(int, node)
		__string(cache, cache)
	),
	TP_fast_assign(
		__entry->call_site = call_site;
		__entry->ptr = ptr;
		__entry->bytes_req = bytes_req;
		__entry->bytes_alloc = bytes_alloc;
		__entry->gfp_flags = (__force unsigned long)gfp_flags;
		__entry->node = node;
		__assign_str(cache, cache);
	),
	TP_printk("call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d cache=%s",
		  (void *)__entry->call_site, __entry->ptr, __entry->bytes_req,
		  __entry->bytes_alloc, show_gfp_flags(__entry->gfp_flags),
		  __entry->node, __get_str(cache)),
	gomem_trace_reg, gomem_trace_unreg
);

TRACE_EVENT_FN(gomem_free,
	TP_PROTO(unsigned long call_site, const void *ptr, const char *cache),
	TP_ARGS(call_site, ptr, cache),
	TP_STRUCT__entry(
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__string(cache, cache)
	),
	TP_fast_assign(
		__entry->call_site = call_site;
		__entry->ptr = ptr;
		__assign_str(cache, cache);
	),
	TP_printk("call_site=%pS ptr=%p cache=%s", (void *)__entry->call_site,
		  __entry->ptr, __get_str(cache)),
	gomem_trace_reg, gomem_trace_unreg
);

#endif /* _GOMEM_TRACE_H */

#ifndef GOMEM_HOST
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
#endif
