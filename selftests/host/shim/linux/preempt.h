/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/preempt.h>)
#include_next <linux/preempt.h>
#endif
#include "../shim.h"
