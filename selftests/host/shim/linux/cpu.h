/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/cpu.h>)
#include_next <linux/cpu.h>
#endif
#include "../shim.h"
