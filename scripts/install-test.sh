#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installing gomem, as a user would: `make install DESTDIR=` (the module,
# the client header and Module.symvers in their places), then DKMS: `dkms add` of the module's sources (what
# dkms.conf names: dkms.conf, gomem/, include/), `dkms build` and
# `dkms install` for the pinned kernel (build/kernel-release) against its
# installed headers, then `dkms remove`. Everything goes to a private tree
# (--sourcetree, --dkmstree, --installtree, a signing key of its own): the
# machine's /usr/src, /var/lib/dkms and /lib/modules are not touched. The module DKMS built
# then boots in QEMU (the default kernel) in place of make's gomem.ko and
# passes the guest tests 20-small and 40-caches.
# Ends with "install: N passed, N failed"; exits non-zero when one failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
no() { echo "not ok - $*"; fail=$((fail + 1)); }
finish() {
	echo "install: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
kver=$(cat "$top/build/kernel-release" 2>/dev/null)
if ! command -v dkms > /dev/null || [ -z "$kver" ] || [ -z "$ver" ]; then
	no "dkms installed, a pinned kernel, a version in dkms.conf (run make setup)"
	finish
fi
tmp=$(mktemp -d /tmp/gomem-dkms.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trees=(--sourcetree "$tmp/src" --dkmstree "$tmp/dkms" --installtree "$tmp/lib")
mkdir -p "$tmp/src" "$tmp/dkms" "$tmp/lib" "$tmp/stage/gomem-$ver/gomem"
# make install, staged
kdir=/usr/src/linux-headers-$kver
if make -s -C "$top" install KDIR="$kdir" DESTDIR="$tmp/inst" > "$tmp/make-install.log" 2>&1; then
	ok "make install DESTDIR=... KDIR=$kdir"
else
	cat "$tmp/make-install.log"
	no "make install"
fi
for f in "lib/modules/$kver/extra/gomem.ko" "usr/src/gomem-$ver/include/gomem.h" \
	 "usr/src/gomem-$ver/$kver/Module.symvers"; do
	[ -s "$tmp/inst/$f" ] && ok "make install: /$f" || no "make install: no /$f"
done
[ -s "$tmp/inst/usr/src/gomem-$ver/gomem.mk" ] && [ -s "$tmp/inst/usr/src/gomem-$ver/include/gomem_slab.h" ] &&
	ok "make install: the drop-in layer (gomem.mk, include/gomem_slab.h)" ||
	no "make install: no gomem.mk or gomem_slab.h"
grep -qE '\sgomem_cache_create\s.*gomem/gomem\s+EXPORT_SYMBOL' \
	"$tmp/inst/usr/src/gomem-$ver/$kver/Module.symvers" 2>/dev/null &&
	ok "make install: Module.symvers exports gomem_cache_create" ||
	no "make install: gomem_cache_create not in the installed Module.symvers"
[ "$(modinfo -F vermagic "$tmp/inst/lib/modules/$kver/extra/gomem.ko" 2>/dev/null | cut -d' ' -f1)" = "$kver" ] &&
	ok "make install: the module is for $kver" || no "make install: vermagic"

# a client of the installed gomem, written for the slab API, built with the
# one line of Documentation/porting.rst against the installed tree
mkdir -p "$tmp/client"
cat > "$tmp/client/client.c" <<'CLIENT'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/slab.h>

struct client_rec { long a[5]; };
static struct kmem_cache *c;

static int __init client_init(void)
{
	void *o, *p;

	c = KMEM_CACHE(client_rec, SLAB_HWCACHE_ALIGN);
	if (!c)
		return -ENOMEM;
	o = kmem_cache_alloc(c, GFP_KERNEL);
	p = kmalloc(100, GFP_KERNEL);
	kfree(p);
	kmem_cache_free(c, o);
	return 0;
}

static void __exit client_exit(void)
{
	kmem_cache_destroy(c);
}

module_init(client_init);
module_exit(client_exit);
MODULE_LICENSE("GPL");
CLIENT
printf 'obj-m += client.o\ninclude %s/gomem.mk\n' "$tmp/inst/usr/src/gomem-$ver" > "$tmp/client/Kbuild"
if make -C "$kdir" M="$tmp/client" modules > "$tmp/client.log" 2>&1 &&
   ! grep -E 'warning:|error:' "$tmp/client.log"; then
	ok "a slab-API client builds against the installed gomem.mk, no warnings"
	[ "$(modinfo -F depends "$tmp/client/client.ko")" = gomem ] &&
		ok "the client depends on gomem" || no "client depends: '$(modinfo -F depends "$tmp/client/client.ko")'"
	bash "$top/scripts/slab-escapes.sh" "$tmp/client/client.ko" &&
		ok "the client calls no slab function of the kernel's" || no "slab calls escaped gomem.mk"
else
	cat "$tmp/client.log"
	no "a slab-API client with the installed gomem.mk"
fi

# the sources a user's tarball or checkout has: no build output
cp "$top/dkms.conf" "$tmp/stage/gomem-$ver/"
cp -r "$top/include" "$tmp/stage/gomem-$ver/"
cp "$top"/gomem/Kbuild "$top"/gomem/*.[ch] "$tmp/stage/gomem-$ver/gomem/"
rm -f "$tmp/stage/gomem-$ver/gomem/"*.mod.c

# DKMS signs what it builds, with a key it makes on first use
# (/var/lib/dkms/mok.key unless /etc/dkms/framework.conf names one): here a
# key of the test's own
export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub

dkms "${trees[@]}" add "$tmp/stage/gomem-$ver" > "$tmp/add.log" 2>&1 &&
	[ -f "$tmp/src/gomem-$ver/dkms.conf" ] &&
	ok "dkms add: gomem/$ver" || { cat "$tmp/add.log"; no "dkms add"; finish; }

start=$(date +%s)
if dkms "${trees[@]}" build "gomem/$ver" -k "$kver" > "$tmp/build.log" 2>&1; then
	ok "dkms build -k $kver ($(($(date +%s) - start)) s)"
else
	cat "$tmp/build.log" "$tmp/dkms/gomem/$ver/build/make.log" 2>/dev/null
	no "dkms build -k $kver"
	finish
fi
ko=$(find "$tmp/dkms/gomem/$ver/$kver" -name 'gomem.ko*' | head -n 1)
[ -n "$ko" ] && ok "the module DKMS keeps: ${ko#"$tmp"/}" || { no "no gomem.ko in DKMS's tree"; finish; }
[ "$(modinfo -F version "$ko")" = "$ver" ] && ok "modinfo version: $ver" ||
	no "modinfo version: '$(modinfo -F version "$ko")', expected $ver"
[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ] && ok "vermagic: $kver" ||
	no "vermagic: '$(modinfo -F vermagic "$ko")', expected $kver"
[ "$(modinfo -F signer "$ko")" = "DKMS module signing key" ] && ok "signed with DKMS's key" ||
	no "signer: '$(modinfo -F signer "$ko")'"
log=$tmp/dkms/gomem/$ver/$kver/$(uname -m)/log/make.log
if [ -s "$log" ]; then
	if grep -E 'warning:|error:' "$log"; then
		no "the build warns"
	else
		ok "the build has no warnings"
	fi
	# only the module: no test, example or benchmark module
	mods=$(grep -E '^ +LD \[M\] .*\.ko$' "$log" | sed 's|.*/||' | tr '\n' ' ')
	[ "$mods" = "gomem.ko " ] && ok "DKMS built gomem.ko alone" ||
		no "DKMS linked: '$mods', expected gomem.ko alone"
else
	no "no build log at ${log#"$tmp"/}"
fi

# the kernel's module directory, as an installed kernel has it
mkdir -p "$tmp/lib/$kver"
if dkms "${trees[@]}" install "gomem/$ver" -k "$kver" > "$tmp/install.log" 2>&1 &&
   [ -n "$(find "$tmp/lib/$kver" -name 'gomem.ko*' 2>/dev/null)" ]; then
	ok "dkms install: $(find "$tmp/lib/$kver" -name 'gomem.ko*' | sed "s|$tmp/lib/||")"
else
	cat "$tmp/install.log"
	no "dkms install into the private tree"
fi
dkms "${trees[@]}" status gomem 2>/dev/null | grep -q "gomem/$ver, $kver, .*: installed" &&
	ok "dkms status: installed for $kver" ||
	no "dkms status: '$(dkms "${trees[@]}" status gomem 2>&1)'"

# the module DKMS built, in QEMU, in place of make's
if flock "$top/build/.kbuild.lock" bash "$top/scripts/kernel.sh" --modules default \
	> "$tmp/modules.log" 2>&1; then
	cp -r "$top/build/mods-default" "$tmp/mods"
	cp "$ko" "$tmp/mods/gomem/gomem.ko"
	GOMEM_MODULES_DIR=$tmp/mods GOMEM_QEMU_DIR=$tmp/qemu GOMEM_TESTS="20-small|40-caches" \
		bash "$top/scripts/qemu.sh" test default > "$tmp/qemu.log" 2>&1
	rc=$?
	strip --strip-debug -o "$tmp/dkms-stripped.ko" "$ko"
	if cmp -s "$tmp/dkms-stripped.ko" "$tmp/qemu/initramfs/mods/gomem.ko" && [ $rc -eq 0 ]; then
		ok "DKMS's gomem.ko boots: $(tail -n 1 "$tmp/qemu.log")"
	else
		grep -E '^(not ok|ok|qemu)' "$tmp/qemu.log"
		no "DKMS's gomem.ko in QEMU (status $rc)"
	fi
else
	cat "$tmp/modules.log"
	no "the test modules for the default kernel"
fi

dkms "${trees[@]}" remove "gomem/$ver" --all > "$tmp/remove.log" 2>&1 &&
	[ -z "$(find "$tmp/lib" -name 'gomem.ko*')" ] && ok "dkms remove --all" ||
	{ cat "$tmp/remove.log"; no "dkms remove --all"; }
finish
