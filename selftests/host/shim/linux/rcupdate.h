/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/rcupdate.h>)
#include_next <linux/rcupdate.h>
#endif
#include "../shim.h"
