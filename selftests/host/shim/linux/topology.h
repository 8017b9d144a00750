/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/topology.h>)
#include_next <linux/topology.h>
#endif
#include "../shim.h"
