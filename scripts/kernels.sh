#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the installed Debian kernels that cowstat supports, newest point
# release of each series, one version per line: the 6.1 series first.
# With a series argument (6.1 or 6.12) print only that one.
set -euo pipefail

series=("${@:-6.1 6.12}")
for s in ${series[*]}; do
	v=$(ls -d /lib/modules/"$s".*-cloud-amd64 2>/dev/null | sed 's|.*/||' |
		sort -V | tail -n 1)
	if [ -z "$v" ] || [ ! -f "/boot/vmlinuz-$v" ] || [ ! -d "/lib/modules/$v/build" ]; then
		echo "kernels: no complete $s kernel (image + headers) installed; run 'make deps'" >&2
		exit 1
	fi
	echo "$v"
done
