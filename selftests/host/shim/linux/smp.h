/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/smp.h>)
#include_next <linux/smp.h>
#endif
#include "../shim.h"
