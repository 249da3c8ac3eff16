#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side test of the selftests' JSON parser (selftests/cowstat_json.h),
# which the VM test of the CLI uses to validate `cowstat --json`: it must
# build warning-free, accept valid JSON and refuse every kind of invalid
# JSON.  Prints TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! gcc -O2 -Wall -Wextra -Werror -o "$tmp/json_test" "$top/selftests/host/json_test.c" \
	>"$tmp/cc.log" 2>&1; then
	echo "not ok 1 json_test.c builds warning-free"
	sed 's/^/#   /' "$tmp/cc.log"
	echo "1..1"
	exit 1
fi
"$tmp/json_test"
