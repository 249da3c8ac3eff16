#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the installed Debian kernels that cowstat supports, newest point
# release of each series and flavour, one version per line, 6.1 first.
#
#   scripts/kernels.sh [--flavour cloud|generic|rt|all] [SERIES...]
#
# SERIES is 6.1 or 6.12 (default: both); the flavour defaults to cloud, and
# "all" prints cloud, generic and rt of each series.  Fails, saying which,
# when one is missing (image and headers are both needed).
set -euo pipefail

flavours=cloud
if [ "${1:-}" = --flavour ]; then
	flavours=${2:?usage: $0 [--flavour cloud|generic|rt|all] [SERIES...]}
	shift 2
fi
[ "$flavours" = all ] && flavours="cloud generic rt"
series=("${@:-6.1 6.12}")
for s in ${series[*]}; do
	for f in $flavours; do
		case $f in
		cloud|rt) pat="$s.*-$f-amd64" ;;
		generic) pat="$s.*-amd64" ;;
		*) echo "kernels: unknown flavour $f" >&2; exit 2 ;;
		esac
		v=$(ls -d /lib/modules/$pat 2>/dev/null | sed 's|.*/||' |
			grep -vE -- "$( [ "$f" = generic ] && echo '-(cloud|rt)-amd64$' || echo '^$')" |
			sort -V | tail -n 1 || true)
		if [ -z "$v" ] || [ ! -f "/boot/vmlinuz-$v" ] || [ ! -d "/lib/modules/$v/build" ]; then
			echo "kernels: no complete $s $f kernel (image + headers) installed; run 'make deps'" >&2
			exit 1
		fi
		echo "$v"
	done
done
