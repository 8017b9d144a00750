/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/random.h>)
#include_next <linux/random.h>
#endif
#include "../shim.h"
