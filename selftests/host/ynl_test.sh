#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side test of the netlink spec check (scripts/ynl.sh): the real spec
# validates and matches every generated file (the uapi header, the counts
# X-macro, the kernel's policies and ops); a spec that breaks the genetlink
# schema, or generated files that no longer match the spec, are caught.
# And a count field added to the spec of a copy of the tree, with nothing
# else edited, reaches every output of the CLI and builds into the module.
. "$(dirname "$0")/lib.sh"
spec=$top/Documentation/netlink/specs/cowstat.yaml

# expect NAME WANT_RC CMD...: CMD succeeds (WANT_RC 0) or fails (else);
# its output is left in $tmp/out.
expect() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>&1
	rc=$?
	echo "exit $rc" >>"$tmp/out"
	if [ "$want" = 0 ]; then [ $rc -eq 0 ]; else [ $rc -ne 0 ]; fi
	result $? "$name" "$tmp/out"
}

# stale WHAT FILE...: the check failed, naming each of these files as stale
stale() {
	local what=$1 f missing=
	shift
	for f in "$@"; do
		grep -q "ynl: ./$f does not match" "$tmp/out" || missing="$missing $f"
	done
	grep '^ynl' "$tmp/out" >"$tmp/stale.log"
	[ -z "$missing" ]
	result $? "$what: $* reported stale${missing:+ (not:$missing)}" "$tmp/stale.log"
}

expect spec_validates_and_generated_files_match 0 "$top/scripts/ynl.sh" check

sed 's/type: u64/type: u65/' "$spec" >"$tmp/bad.yaml"
expect schema_violation_is_caught 1 env COWSTAT_YNL_SPEC="$tmp/bad.yaml" "$top/scripts/ynl.sh" check

sed 's/page-size/page-bytes/g' "$spec" >"$tmp/changed.yaml"
expect stale_header_is_caught 1 env COWSTAT_YNL_SPEC="$tmp/changed.yaml" "$top/scripts/ynl.sh" check
stale "a renamed attribute" uapi/linux/cowstat.h

# A new count field: appended to the counts set, it changes the uapi
# header and the X-macro that every per-field table is built from.
doc="of rss, pages of VM_LOCKED VMAs"
python3 - "$spec" "$tmp/field.yaml" "$doc" <<'PY'
import sys
s = open(sys.argv[1]).read()
anchor = "  -\n    name: proc\n"	# the set after counts
assert s.count(anchor) == 1
field = f"      -\n        name: mlocked\n        type: u64\n        doc: {sys.argv[3]}\n"
open(sys.argv[2], "w").write(s.replace(anchor, field + anchor))
PY
expect new_count_field_is_caught 1 env COWSTAT_YNL_SPEC="$tmp/field.yaml" "$top/scripts/ynl.sh" check
stale "a new count field" uapi/linux/cowstat.h uapi/linux/cowstat_counts.h

# A count's doc is its Prometheus HELP: one that needs escaping is refused.
sed "s|doc: $doc|doc: of rss, a\\\\b pages|" "$tmp/field.yaml" >"$tmp/baddoc.yaml"
mkdir -p "$tmp/o/uapi/linux"
expect doc_with_a_backslash_is_refused 1 env COWSTAT_YNL_SPEC="$tmp/baddoc.yaml" \
	COWSTAT_YNL_OUT="$tmp/o" "$top/scripts/ynl.sh" gen
grep -q 'mlocked needs a doc' "$tmp/out" && grep -q 'doc: of rss, a\\b pages' "$tmp/baddoc.yaml"
result $? "the refusal names the field" "$tmp/out"

# ... and, generated, it is a field everywhere with no other edit: in a copy
# of the tree where only the spec changed and `scripts/ynl.sh gen` ran, the
# CLI builds and shows it in --list-fields (and so the bash completion),
# --json and --prometheus (with its doc as HELP), its parser takes it, and
# the module builds with it.
new=$tmp/new
mkdir -p "$new/build"
git -C "$top" ls-files -z --cached --others --exclude-standard |
	(cd "$top" && while IFS= read -r -d '' f; do
		[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
	done) | tar -C "$top" --null -T - -cf - | tar -C "$new" -xf -
ln -s "$(readlink -f "$top/build/ksrc")" "$new/build/ksrc"
cp "$tmp/field.yaml" "$new/Documentation/netlink/specs/cowstat.yaml"
expect "copy: scripts/ynl.sh gen" 0 "$new/scripts/ynl.sh" gen
expect "copy: scripts/ynl.sh check" 0 "$new/scripts/ynl.sh" check
expect "copy: the CLI builds" 0 make -s -C "$new/tools" cowstat tests/cli_fake_test tests/nl_test
expect "copy: the netlink parser's tests pass, the new field too" 0 "$new/tools/tests/nl_test"

"$new/tools/cowstat" --list-fields >"$tmp/out" 2>&1
grep -A1 -x thp "$tmp/out" | grep -qx mlocked
result $? "copy: --list-fields names mlocked after thp" "$tmp/out"

COWSTAT_FAKE=tree "$new/tools/tests/cli_fake_test" --json 100 >"$tmp/json" 2>&1
python3 - "$tmp/json" >"$tmp/out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for row in d['processes'][:1] + [d['totals']]:
    keys = list(row)
    assert keys[keys.index('thp') + 1] == 'mlocked', keys
    assert row['mlocked'] == 0, row
PY
result $? "copy: --json has mlocked after thp, in a row and the totals" "$tmp/out"

COWSTAT_FAKE=tree "$new/tools/tests/cli_fake_test" --prometheus 100 >"$tmp/prom" 2>&1
grep -qx "# HELP cowstat_mlocked_bytes $doc, in bytes" "$tmp/prom" &&
	grep -qx '# TYPE cowstat_mlocked_bytes gauge' "$tmp/prom" &&
	grep -qx 'cowstat_mlocked_bytes{root="100",pid="100",comm="server"} 0' "$tmp/prom" &&
	grep -qx "# HELP cowstat_tree_mlocked_pages $doc, in pages (deprecated: see the _bytes metric)" \
		"$tmp/prom" &&
	grep -qx 'cowstat_tree_mlocked_bytes{root="100"} 0' "$tmp/prom"
result $? "copy: --prometheus has mlocked, with its doc as HELP" "$tmp/prom"

# The pagemap backend does not compute it: unavailable there, never 0.
if [ "$(id -u)" -eq 0 ] && [ -r /proc/kpagecount ]; then
	"$new/tools/cowstat" --backend=pagemap --json $$ >"$tmp/json" 2>&1
	python3 - "$tmp/json" >"$tmp/out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for row in d['processes'] + [d['totals']]:
    assert 'mlocked' in row and row['mlocked'] is None, row
assert d['totals']['rss'], d['totals']
PY
	result $? "copy: --backend=pagemap shows mlocked unavailable (null)" "$tmp/out"
else
	skip "copy: --backend=pagemap shows mlocked unavailable (null)" "not root"
fi

PATH=$new/tools:$PATH bash --norc --noprofile -c '
	source "$1" || exit 1
	COMP_WORDS=(cowstat --sort ml); COMP_CWORD=2
	_cowstat && echo "${COMPREPLY[*]}"' _ "$new/tools/completion/cowstat" >"$tmp/out" 2>&1
grep -qx mlocked "$tmp/out"
result $? "copy: the bash completion offers --sort mlocked" "$tmp/out"

kver=
for d in /lib/modules/6.12*-cloud-amd64/build; do
	[ -d "$d" ] && kver=$(basename "$(dirname "$d")")
done
if [ -n "$kver" ]; then
	expect "copy: the module builds for $kver" 0 make -C "$new" module KVER="$kver"
	# cs_field_names[], debugfs's column names and summary keys
	strings "$new/build/$kver/cowstat.ko" >"$tmp/out" 2>&1
	grep -qx mlocked "$tmp/out"
	result $? "copy: the module names the field (debugfs's columns)" "$tmp/out"
else
	skip "copy: the module builds" "no 6.12 cloud kernel headers"
fi

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
echo "1..$n"
exit $((fails > 0))
