/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/mm.h>)
#include_next <linux/mm.h>
#endif
#include "../shim.h"
