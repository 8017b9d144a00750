/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/bitops.h>)
#include_next <linux/bitops.h>
#endif
#include "../shim.h"
