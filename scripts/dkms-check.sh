#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build cowstat through DKMS, as `make dkms-install` does, for the kernels
# given, in private DKMS trees under build/dkms/ (the machine's own DKMS
# state is not touched), and check that modinfo of each built module shows
# version (= dkms.conf's PACKAGE_VERSION = COWSTAT_VERSION), description,
# license and srcversion.  Prints one TAP line per check.
#
#   scripts/dkms-check.sh KVER... [--new KVER]
#
# With --new KVER, the module is first installed (dkms install, into a
# private install tree) for the other kernels, as `make dkms-install` does,
# and then KVER is handled the way Debian's kernel and header postinst hooks
# handle a newly installed kernel (/etc/kernel/header_postinst.d/dkms runs
# `dkms autoinstall --kernelver KVER`): the module must be built and
# installed for it because dkms.conf says AUTOINSTALL.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ver=$(sed -n 's/^#define COWSTAT_VERSION[[:space:]]*"\(.*\)"/\1/p' cowstat.h)
confver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
d=$top/build/dkms
fail=0
kernels=() new=""
while [ $# -gt 0 ]; do
	case $1 in
	--new) new=${2:?--new needs a kernel version}; shift 2 ;;
	*) kernels+=("$1"); shift ;;
	esac
done
ok() { if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fail=1; fi; }

[ "$ver" = "$confver" ]
ok $? "dkms.conf PACKAGE_VERSION ($confver) is COWSTAT_VERSION ($ver)"

rm -rf "$d" && mkdir -p "$d/src/cowstat-$ver" "$d/tree"
# The private install tree has each kernel's directory, as a kernel
# package creates /lib/modules/KVER.
for k in "${kernels[@]}" $new; do mkdir -p "$d/install/$k"; done
cp -r Kbuild Makefile dkms.conf ./*.c ./*.h uapi "$d/src/cowstat-$ver/"
trees=(--sourcetree "$d/src" --dkmstree "$d/tree" --installtree "$d/install" --no-depmod)
dkms add -m cowstat -v "$ver" "${trees[@]}" >"$d/add.log" 2>&1
ok $? "dkms add cowstat/$ver"

for k in "${kernels[@]}"; do
	start=$SECONDS
	dkms build -m cowstat -v "$ver" -k "$k" "${trees[@]}" >"$d/build-$k.log" 2>&1
	rc=$?
	ok $rc "dkms build for $k ($((SECONDS - start))s)"
	if [ $rc -ne 0 ]; then
		sed 's/^/#   /' "$d/build-$k.log" | tail -n 20
		cat "$d/tree/cowstat/$ver/build/make.log" 2>/dev/null | sed 's/^/#   /' | tail -n 20
		continue
	fi
	ko=$(ls "$d/tree/cowstat/$ver/$k"/*/module/cowstat.ko* 2>/dev/null | head -n 1)
	info=$(modinfo "$ko" 2>&1)
	bad=""
	[ "$(echo "$info" | sed -n 's/^version: *//p')" = "$ver" ] || bad+=" version"
	grep -qE '^description: +[^ ]' <<<"$info" || bad+=" description"
	[ "$(echo "$info" | sed -n 's/^license: *//p')" = GPL ] || bad+=" license"
	grep -qE '^srcversion: +[0-9A-F]{16,}$' <<<"$info" || bad+=" srcversion"
	[ "$(echo "$info" | sed -n 's/^vermagic: *\([^ ]*\).*/\1/p')" = "$k" ] || bad+=" vermagic"
	[ -z "$bad" ]
	ok $? "modinfo of the DKMS-built module for $k: version $ver, description, license GPL, srcversion, vermagic${bad:+ (wrong or missing:$bad)}"
done

if [ -n "$new" ]; then
	rc=0
	for k in "${kernels[@]}"; do
		dkms install -m cowstat -v "$ver" -k "$k" "${trees[@]}" >>"$d/install.log" 2>&1 || rc=1
		ls "$d/install/$k/updates/dkms"/cowstat.ko* >/dev/null 2>&1 || rc=1
	done
	ok $rc "dkms install for ${kernels[*]} puts cowstat.ko under updates/dkms of each"
	start=$SECONDS
	! ls "$d/install/$new/updates/dkms"/cowstat.ko* >/dev/null 2>&1 &&
		dkms autoinstall --kernelver "$new" "${trees[@]}" >"$d/autoinstall.log" 2>&1
	rc=$?
	# Debian's 6.12 kernels compress modules, so DKMS installs .ko.xz.
	ko=$(ls "$d/install/$new/updates/dkms"/cowstat.ko* 2>/dev/null | head -n 1)
	[ $rc -eq 0 ] && [ -n "$ko" ] &&
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$new" ]
	rc=$?
	ok $rc "a newly installed kernel ($new): dkms autoinstall, as the kernel's postinst hook runs it, builds and installs cowstat for it ($((SECONDS - start))s)"
	[ $rc -eq 0 ] || sed 's/^/#   /' "$d/autoinstall.log" | tail -n 20
fi
exit $fail
