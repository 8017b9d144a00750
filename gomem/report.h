/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Misuse reports. See report.c.
 */
#ifndef _GOMEM_REPORT_H
#define _GOMEM_REPORT_H

void gomem_report_bad_free(const char *name, const void *p, unsigned long ip,
			   const char *what);

#endif /* _GOMEM_REPORT_H */
