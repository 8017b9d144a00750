/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/module.h>)
#include_next <linux/module.h>
#endif
#include "../shim.h"
