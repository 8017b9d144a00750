/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/percpu.h>)
#include_next <linux/percpu.h>
#endif
#include "../shim.h"
