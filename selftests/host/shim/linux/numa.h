/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/numa.h>)
#include_next <linux/numa.h>
#endif
#include "../shim.h"
