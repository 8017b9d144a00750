/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/compiler.h>)
#include_next <linux/compiler.h>
#endif
#include "../shim.h"
