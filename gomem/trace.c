// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoints (trace.h): defined here, and the switch that makes the
 * allocation and free events cost the fast paths nothing while off.
 *
 * The events fire on the full paths only: the exported functions' slow
 * branches, where the call site, the size asked for and the cache are
 * known (cache.c, malloc.c), and the page heap (mheap.c). The inline fast
 * paths have no tracepoint, not even a disabled one's NOP. Instead,
 * enabling gomem:gomem_alloc or gomem:gomem_free (tracefs, perf, bpftrace:
 * the events' reg callback, gomem_trace_reg()) turns the static key
 * gomem_tracing on and every class's fastpath flag off (class.c), then
 * invalidates every CPU's free hint and drains every CPU's magazines and
 * cached spans (gomem_drain_all()). A class without fastpath is served as a
 * debug class is (debug.c): an allocation takes one object from a span
 * under its mcentral lock without caching the span (mcache.c), no free
 * hint is taken, the indexed free and the bulk runs decline, and a full
 * free goes to the span (gomem_tracing in mcache.c's free_irqoff()). So
 * every allocation and free reaches a full path, and its event, with no
 * test added to the inline paths: they already test fastpath or find the
 * caches empty. When the last of the two events is disabled, the key and
 * the flags go back and the caches fill again.
 *
 * Operations in flight while the drain runs are not traced: events are
 * complete from the moment the event is enabled (its reg callback returns
 * after the drain).
 *
 * Context: reg and unreg run in process context (tracefs, perf), under the
 * tracepoints mutex; they sleep (the drain).
 */
#include <linux/kernel.h>
#include <linux/mutex.h>
#include "drain.h"
#include "class.h"
#include "span.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

DEFINE_STATIC_KEY_FALSE(gomem_tracing);

static DEFINE_MUTEX(gomem_trace_mutex);
static unsigned int gomem_trace_users;

/**
 * gomem_trace_reg() - an allocation or free event is being enabled
 *
 * Return: 0.
 */
int gomem_trace_reg(void)
{
	mutex_lock(&gomem_trace_mutex);
	if (!gomem_trace_users++) {
		static_branch_enable(&gomem_tracing);
		gomem_classes_set_fastpath(false);
		/* no free hint matches from here on (mcache.h) */
		atomic_long_inc(&gomem_span_gen);
		gomem_drain_all();
	}
	mutex_unlock(&gomem_trace_mutex);
	return 0;
}

/**
 * gomem_trace_unreg() - an allocation or free event was disabled
 */
void gomem_trace_unreg(void)
{
	mutex_lock(&gomem_trace_mutex);
	if (!--gomem_trace_users) {
		static_branch_disable(&gomem_tracing);
		gomem_classes_set_fastpath(true);
	}
	mutex_unlock(&gomem_trace_mutex);
}
