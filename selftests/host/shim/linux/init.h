/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/init.h>)
#include_next <linux/init.h>
#endif
#include "../shim.h"
