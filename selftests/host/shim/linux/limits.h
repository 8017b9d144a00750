/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/limits.h>)
#include_next <linux/limits.h>
#endif
#include "../shim.h"
