/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/sched.h>)
#include_next <linux/sched.h>
#endif
#include "../shim.h"
