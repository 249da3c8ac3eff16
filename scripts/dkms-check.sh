#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build cowstat through DKMS, as `make dkms-install` does, for the kernels
# given, in private DKMS trees under build/dkms/ (the machine's own DKMS
# state is not touched), and check that modinfo of each built module shows
# version (= dkms.conf's PACKAGE_VERSION = COWSTAT_VERSION), description,
# license and srcversion.  Prints one TAP line per check.
#
#   scripts/dkms-check.sh KVER...
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ver=$(sed -n 's/^#define COWSTAT_VERSION[[:space:]]*"\(.*\)"/\1/p' cowstat.h)
confver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
d=$top/build/dkms
fail=0
ok() { if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fail=1; fi; }

[ "$ver" = "$confver" ]
ok $? "dkms.conf PACKAGE_VERSION ($confver) is COWSTAT_VERSION ($ver)"

rm -rf "$d" && mkdir -p "$d/src/cowstat-$ver" "$d/tree"
cp -r Kbuild Makefile dkms.conf ./*.c ./*.h uapi "$d/src/cowstat-$ver/"
trees=(--sourcetree "$d/src" --dkmstree "$d/tree")
dkms add -m cowstat -v "$ver" "${trees[@]}" >"$d/add.log" 2>&1
ok $? "dkms add cowstat/$ver"

for k in "$@"; do
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
exit $fail
