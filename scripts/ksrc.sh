#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unpack the parts of Debian's linux-source-6.12 that cowstat uses at build
# and check time: the kselftest harness and lib.mk, checkpatch, and the
# genetlink YNL schemas.  Prints the unpacked tree's path.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "ksrc: linux-source-6.12 is not installed; run 'make deps'" >&2; exit 1; }
dest=$top/build/ksrc
stamp=$dest/.stamp

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(stat -c %Y "$tarball")" ]; then
	rm -rf "$dest"
	mkdir -p "$dest"
	tar -C "$dest" --strip-components=1 -xf "$tarball" \
		--wildcards '*/tools/testing/selftests/lib.mk' \
		'*/tools/testing/selftests/kselftest*' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' \
		'*/Documentation/netlink/*' '*/tools/net/ynl/*' \
		'*/tools/include/*' '*/tools/scripts/*' '*/Makefile' >/dev/null
	stat -c %Y "$tarball" > "$stamp"
fi
echo "$dest"
