/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/log2.h>)
#include_next <linux/log2.h>
#endif
#include "../shim.h"
