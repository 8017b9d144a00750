/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/build_bug.h>)
#include_next <linux/build_bug.h>
#endif
#include "../shim.h"
