/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/bits.h>)
#include_next <linux/bits.h>
#endif
#include "../shim.h"
