/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/align.h>)
#include_next <linux/align.h>
#endif
#include "../shim.h"
