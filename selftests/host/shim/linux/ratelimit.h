/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/ratelimit.h>)
#include_next <linux/ratelimit.h>
#endif
#include "../shim.h"
