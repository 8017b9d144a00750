/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/atomic.h>)
#include_next <linux/atomic.h>
#endif
#include "../shim.h"
