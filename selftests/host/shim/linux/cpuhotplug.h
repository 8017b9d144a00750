/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/cpuhotplug.h>)
#include_next <linux/cpuhotplug.h>
#endif
#include "../shim.h"
