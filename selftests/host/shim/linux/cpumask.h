/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/cpumask.h>)
#include_next <linux/cpumask.h>
#endif
#include "../shim.h"
