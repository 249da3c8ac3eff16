#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netlink family's YNL spec, Documentation/netlink/specs/cowstat.yaml,
# is the source of truth.  Generated from it:
#   uapi/linux/cowstat.h          the uapi header (ynl-gen-c.py --mode uapi)
#   uapi/linux/cowstat_counts.h   the counts attribute set as an X-macro,
#                                 COWSTAT_COUNTS(X), which the module, the
#                                 CLI and the tests build their per-field
#                                 tables from: names, attributes and the
#                                 Prometheus HELP texts (this script)
#   netlink-gen.c, netlink-gen.h  the family's policies, split ops and
#                                 family struct (ynl-gen-c.py --mode kernel)
#
#   scripts/ynl.sh gen     regenerate them
#   scripts/ynl.sh check   validate the spec against the genetlink schema
#                          and fail if a generated file differs from what
#                          the spec gives
#
# COWSTAT_YNL_SPEC names another spec, and COWSTAT_YNL_OUT another directory
# holding the generated files (for the tests).
set -euo pipefail

top=$(dirname "$(readlink -f "$0")")/..
cd "$top"
spec_src=${COWSTAT_YNL_SPEC:-Documentation/netlink/specs/cowstat.yaml}
out=${COWSTAT_YNL_OUT:-.}
files="uapi/linux/cowstat.h uapi/linux/cowstat_counts.h netlink-gen.c netlink-gen.h"
ksrc=$(scripts/ksrc.sh)
ynl=$ksrc/tools/net/ynl/ynl-gen-c.py
# ynl-gen-c.py finds the schema and the kernel root from the spec's path,
# and names the spec by its path from that root: lay out a tiny tree
# shaped like the kernel's.
tree=$(mktemp -d "${TMPDIR:-/tmp}/cowstat-ynl.XXXXXX")
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/Documentation/netlink/specs" "$tree/gen/uapi/linux"
touch "$tree/MAINTAINERS"
cp "$ksrc/Documentation/netlink/genetlink.yaml" "$tree/Documentation/netlink/"
cp "$spec_src" "$tree/Documentation/netlink/specs/cowstat.yaml"
spec=Documentation/netlink/specs/cowstat.yaml

# The X-macro of the counts set: X(NAME, "name", "doc") per attribute but
# the pad.  "doc" is the attribute's doc on one line: the CLI prints it as
# the HELP of the field's Prometheus metrics.
counts_h() {
	python3 - "$spec" <<'PY'
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
sets = {s['name']: s for s in spec['attribute-sets']}
attrs = [a for a in sets['counts']['attributes'] if a.get('type') != 'pad']


def c_string(a):
    doc = ' '.join(a.get('doc', '').split())
    # Printable ASCII without a backslash or a quote: a C string as it is,
    # and a Prometheus HELP text that needs no escaping.
    if not doc or any(c in '\\"' or not ' ' <= c <= '~' for c in doc):
        sys.exit(f"ynl: counts attribute {a['name']} needs a doc (its Prometheus HELP) "
                 "of printable ASCII without a backslash or a double quote")
    return f'"{doc}"'


for a in attrs:
    if a.get('type') != 'u64':
        sys.exit(f"ynl: counts attribute {a['name']} is {a.get('type')}, not u64")
print(f"""/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	{sys.argv[1]} */
/* by scripts/ynl.sh from its counts attribute set */

#ifndef _UAPI_LINUX_COWSTAT_COUNTS_H
#define _UAPI_LINUX_COWSTAT_COUNTS_H

/*
 * COWSTAT_COUNTS(X) calls X(NAME, "name", "doc") for each count of the
 * counts attribute set, in attribute order: COWSTAT_A_COUNTS_##NAME is its
 * attribute, "name" its name with '_' for '-', "doc" its doc on one line.
 */
#define COWSTAT_COUNTS(X) \\""")
for i, a in enumerate(attrs):
    end = " \\" if i + 1 < len(attrs) else ""
    name = a['name'].replace('-', '_')
    print(f"\tX({name.upper()}, \"{name}\", \\\n\t  {c_string(a)}){end}")
print("""
#endif /* _UAPI_LINUX_COWSTAT_COUNTS_H */""")
PY
}

gen() {	# gen DIR: write every generated file under DIR
	(
		cd "$tree"
		python3 "$ynl" --mode uapi --header --spec "$spec" >"$1/uapi/linux/cowstat.h"
		counts_h >"$1/uapi/linux/cowstat_counts.h"
		# -o names the files: the source includes "netlink-gen.h".
		python3 "$ynl" --mode kernel --header --spec "$spec" -o "$1/netlink-gen.h"
		python3 "$ynl" --mode kernel --source --spec "$spec" -o "$1/netlink-gen.c"
	)
}

case ${1:-check} in
gen)
	gen "$tree/gen"
	for f in $files; do
		cp "$tree/gen/$f" "$out/$f"
		echo "ynl: wrote $out/$f"
	done
	;;
check)
	python3 - "$tree/Documentation/netlink/genetlink.yaml" "$tree/$spec" "$spec_src" <<'PY'
import sys, yaml, jsonschema
schema = yaml.safe_load(open(sys.argv[1]))
spec = yaml.safe_load(open(sys.argv[2]))
jsonschema.validate(spec, schema)
print(f"ynl: {sys.argv[3]} validates against the genetlink schema")
PY
	gen "$tree/gen"
	stale=0
	for f in $files; do
		if ! diff -u "$out/$f" "$tree/gen/$f"; then
			echo "ynl: $out/$f does not match $spec_src; run scripts/ynl.sh gen" >&2
			stale=1
		fi
	done
	[ $stale -eq 0 ] || exit 1
	echo "ynl: $files match the spec"
	;;
*)
	echo "usage: $0 gen|check" >&2
	exit 2
	;;
esac
