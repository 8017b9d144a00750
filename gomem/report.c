// SPDX-License-Identifier: GPL-2.0
/*
 * Misuse reports: one line that names the cache, the problem and the
 * caller. The call that provoked it is refused and gomem's metadata is left
 * as it was. Reports are rate limited (a burst of 100 per 5 s); every one is
 * counted in /proc/gomem (bad_frees, double_frees) whether printed or not.
 */
#include <linux/kernel.h>
#include <linux/ratelimit.h>
#include "report.h"
#include "stats.h"

/**
 * gomem_report_bad_free() - report a refused free
 * @name: the cache the caller named, or the class's name ("kmalloc" for the
 *	kmalloc family)
 * @p: the pointer
 * @ip: the caller's address, or 0 when the free was found later (a batch
 *	flush or a sweep)
 * @what: the problem
 */
void gomem_report_bad_free(const char *name, const void *p, unsigned long ip,
			   const char *what)
{
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 100);

	gomem_stat_add(GOMEM_STAT_BAD_FREES, 1);
	if (!__ratelimit(&rs))
		return;
	if (ip)
		pr_warn("gomem: %s: %s: free of %p by %pS refused\n",
			name, what, p, (void *)ip);
	else
		pr_warn("gomem: %s: %s: free of %p refused\n",
			name, what, p);
}
