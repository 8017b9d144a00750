/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/export.h>)
#include_next <linux/export.h>
#endif
#include "../shim.h"
