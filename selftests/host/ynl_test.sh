#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side test of the netlink spec check (scripts/ynl.sh): the real spec
# validates and matches the uapi header; a spec that breaks the genetlink
# schema, or a header that no longer matches the spec, is caught.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0

expect() {	# expect NAME WANT_RC CMD...
	local name=$1 want=$2 rc
	shift 2
	n=$((n + 1))
	"$@" >"$tmp/out" 2>&1
	rc=$?
	if { [ "$want" = 0 ] && [ $rc -eq 0 ]; } || { [ "$want" != 0 ] && [ $rc -ne 0 ]; }; then
		echo "ok $n $name"
	else
		echo "not ok $n $name # exit $rc"
		sed 's/^/# /' "$tmp/out" | tail -5
		fails=$((fails + 1))
	fi
}

echo "1..3"
expect spec_validates_and_header_matches 0 "$top/scripts/ynl.sh" check

sed 's/type: u64/type: u65/' "$top/netlink/cowstat.yaml" >"$tmp/bad.yaml"
expect schema_violation_is_caught 1 env COWSTAT_YNL_SPEC="$tmp/bad.yaml" "$top/scripts/ynl.sh" check

sed 's/name: page-size/name: page-bytes/' "$top/netlink/cowstat.yaml" >"$tmp/changed.yaml"
expect stale_header_is_caught 1 env COWSTAT_YNL_SPEC="$tmp/changed.yaml" "$top/scripts/ynl.sh" check
exit $((fails > 0))
