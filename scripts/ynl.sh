#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netlink family's YNL spec, netlink/cowstat.yaml, is the source of
# truth; uapi/linux/cowstat.h is generated from it by the kernel's own
# ynl-gen-c.py.
#
#   scripts/ynl.sh gen     regenerate uapi/linux/cowstat.h
#   scripts/ynl.sh check   validate the spec against the genetlink schema
#                          and fail if the header differs from the spec's
#
# COWSTAT_YNL_SPEC and COWSTAT_YNL_HEADER name other files (for the tests).
set -euo pipefail

top=$(dirname "$(readlink -f "$0")")/..
cd "$top"
spec_src=${COWSTAT_YNL_SPEC:-netlink/cowstat.yaml}
header=${COWSTAT_YNL_HEADER:-uapi/linux/cowstat.h}
ksrc=$(scripts/ksrc.sh)
# ynl-gen-c.py finds the schema and the kernel root from the spec's path:
# lay out a tiny tree shaped like the kernel's.
tree=$(mktemp -d "${TMPDIR:-/tmp}/cowstat-ynl.XXXXXX")
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/Documentation/netlink/specs"
touch "$tree/MAINTAINERS"
cp "$ksrc/Documentation/netlink/genetlink.yaml" "$tree/Documentation/netlink/"
cp "$spec_src" "$tree/Documentation/netlink/specs/cowstat.yaml"
spec=$tree/Documentation/netlink/specs/cowstat.yaml

gen() {
	python3 "$ksrc/tools/net/ynl/ynl-gen-c.py" --mode uapi --header --spec "$spec"
}

case ${1:-check} in
gen)
	gen >"$header"
	echo "ynl: wrote $header"
	;;
check)
	python3 - "$tree/Documentation/netlink/genetlink.yaml" "$spec" <<'PY'
import sys, yaml, jsonschema
schema = yaml.safe_load(open(sys.argv[1]))
spec = yaml.safe_load(open(sys.argv[2]))
jsonschema.validate(spec, schema)
print("ynl: netlink/cowstat.yaml validates against the genetlink schema")
PY
	gen >"$tree/cowstat.h"
	if ! diff -u "$header" "$tree/cowstat.h"; then
		echo "ynl: $header does not match $spec_src; run scripts/ynl.sh gen" >&2
		exit 1
	fi
	echo "ynl: $header matches the spec"
	;;
*)
	echo "usage: $0 gen|check" >&2
	exit 2
	;;
esac
