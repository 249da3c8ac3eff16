#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: install what is missing, build, boot the newest supported
# kernel in a VM, run Redis and a forking C workload there and show
# cowstat on them; then draw the Redis run's recording (cowstat --record
# in the VM) with cowstat plot into build/demo/redis-erosion.png.
set -euo pipefail
top=$(dirname "$(readlink -f "$0")")/..
cd "$top"
scripts/deps.sh
scripts/ksrc.sh >/dev/null
kver=$(scripts/kernels.sh 6.12)
# The recording travels on the console between two marker lines: keep it
# off the screen.
selftests/vm/run.sh "$kver" demo |
	sed -u '/^COWSTAT-RECORD-BEGIN/,/^COWSTAT-RECORD-END/d; /^COWSTAT-VM-DONE/d'
out=build/demo
mkdir -p "$out"
# No recording when the VM had no redis-server (its demo says so).
if grep -q '^COWSTAT-RECORD-END' "build/vm/$kver/console.log"; then
	sed -n '/^COWSTAT-RECORD-BEGIN/,/^COWSTAT-RECORD-END/p' "build/vm/$kver/console.log" |
		sed '1d;$d' | base64 -d | gunzip >"$out/redis.jsonl"
	tools/cowstat plot "$out/redis.jsonl" -o "$out/redis-erosion.png"
	echo "== the erosion picture: $out/redis-erosion.png ($(wc -l <"$out/redis.jsonl") samples in $out/redis.jsonl)"
fi
