/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/mutex.h>)
#include_next <linux/mutex.h>
#endif
#include "../shim.h"
