# SPDX-License-Identifier: GPL-2.0
#
# The one line that serves a module's slab API from gomem, unmodified:
#
#	include $(GOMEM)/gomem.mk	# in the module's Kbuild or Makefile
#
# (or, without touching the module: make ... KBUILD_EXTRA_SYMBOLS=<gomem's
# Module.symvers> KCFLAGS="-I$GOMEM/include -include $GOMEM/include/gomem_slab.h").
# Every file of the module is compiled with include/gomem_slab.h
# force-included: kmem_cache_*(), kmalloc() and their kin become gomem's,
# and every crossing between gomem's memory and the kernel's is handled
# (Documentation/porting.rst, "The one line").
#
# GOMEM is the directory of this file: a gomem checkout, or the installed
# /usr/src/gomem-VERSION (make install, DKMS). The module links against
# gomem's exports through GOMEM_SYMVERS, found here when not given: the
# installed $(GOMEM)/<kernel release>/Module.symvers, or a build's
# $(GOMEM)/Module.symvers or $(GOMEM)/gomem/Module.symvers. A module built
# in the same kbuild run as gomem.ko needs none.
GOMEM		?= $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
GOMEM_SYMVERS	?= $(firstword $(wildcard $(GOMEM)/$(KERNELRELEASE)/Module.symvers \
					 $(GOMEM)/gomem/Module.symvers $(GOMEM)/Module.symvers))

ccflags-y		+= -I$(GOMEM)/include -include $(GOMEM)/include/gomem_slab.h
override KBUILD_EXTRA_SYMBOLS += $(GOMEM_SYMVERS)
