#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side test of the netlink spec check (scripts/ynl.sh): the real spec
# validates and matches every generated file (the uapi header, the counts
# X-macro, the kernel's policies and ops); a spec that breaks the genetlink
# schema, or generated files that no longer match the spec, are caught.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
spec=$top/Documentation/netlink/specs/cowstat.yaml
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

# stale WHAT FILE...: the check failed, naming exactly these files as stale
stale() {
	local what=$1 f
	shift
	n=$((n + 1))
	for f in "$@"; do
		grep -q "ynl: ./$f does not match" "$tmp/out" || {
			echo "not ok $n $what: $f not reported stale"
			sed 's/^/# /' "$tmp/out" | grep '^# ynl' | tail -5
			fails=$((fails + 1))
			return
		}
	done
	echo "ok $n $what: $* reported stale"
}

echo "1..9"
expect spec_validates_and_generated_files_match 0 "$top/scripts/ynl.sh" check

sed 's/type: u64/type: u65/' "$spec" >"$tmp/bad.yaml"
expect schema_violation_is_caught 1 env COWSTAT_YNL_SPEC="$tmp/bad.yaml" "$top/scripts/ynl.sh" check

sed 's/page-size/page-bytes/g' "$spec" >"$tmp/changed.yaml"
expect stale_header_is_caught 1 env COWSTAT_YNL_SPEC="$tmp/changed.yaml" "$top/scripts/ynl.sh" check
stale "a renamed attribute" uapi/linux/cowstat.h

# A new count field: appended to the counts set, it changes the uapi
# header and the X-macro that every per-field table is built from.
python3 - "$spec" "$tmp/field.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read()
anchor = "        doc: of rss, mapped by a PMD\n"
assert s.count(anchor) == 1
s = s.replace(anchor, anchor + "      -\n        name: mlocked\n        type: u64\n        doc: of rss, mlocked\n")
open(sys.argv[2], "w").write(s)
PY
expect new_count_field_is_caught 1 env COWSTAT_YNL_SPEC="$tmp/field.yaml" "$top/scripts/ynl.sh" check
stale "a new count field" uapi/linux/cowstat.h uapi/linux/cowstat_counts.h

# ... and, generated, it is a field of the CLI with no other edit: a copy
# of tools/ builds against the new headers, and names it after thp.
mkdir -p "$tmp/new/uapi/linux"
cp -r "$top/tools" "$tmp/new/tools"
make -s -C "$tmp/new/tools" clean >/dev/null 2>&1
cat >"$tmp/names.c" <<'C'
#include <stdio.h>
#include "model.h"
int main(void)
{
	for (int f = 0; f < CS_NR_FIELDS; f++)
		printf("%s%s", f ? " " : "", cs_field_names[f]);
	printf(" %d\n", COWSTAT_A_COUNTS_MLOCKED - COWSTAT_A_COUNTS_RSS);
	return 0;
}
C
new_field_in_cli() {
	COWSTAT_YNL_SPEC="$tmp/field.yaml" COWSTAT_YNL_OUT="$tmp/new" "$top/scripts/ynl.sh" gen &&
	make -s -C "$tmp/new/tools" cowstat &&
	cc -std=gnu11 -I"$tmp/new/uapi" -I"$tmp/new/tools" -include linux/cowstat.h \
		-o "$tmp/names" "$tmp/names.c" "$tmp/new/tools/model.c" &&
	"$tmp/names" | tee /dev/stderr | grep -qx "rss anon file shared private anon_shared anon_private cow_broken swap zero ksm thp mlocked cow_faults skipped_vmas unique saved 12"
}
expect new_count_field_reaches_the_cli 0 new_field_in_cli

# A request attribute taken from the dump: the generated policy changes.
python3 - "$spec" "$tmp/op.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read()
old = "          attributes:\n            - pid\n            - vmas\n"
assert s.count(old) == 1
open(sys.argv[2], "w").write(s.replace(old, "          attributes:\n            - pid\n"))
PY
expect changed_request_is_caught 1 env COWSTAT_YNL_SPEC="$tmp/op.yaml" "$top/scripts/ynl.sh" check
stale "a changed request" netlink-gen.c
exit $((fails > 0))
