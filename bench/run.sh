#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot one kernel (the newest installed Debian 6.12 cloud kernel,
# or BENCH_KVER) under QEMU with 6 GiB of memory, run bench/cowstat_bench
# inside (every shape in that one boot), then print and save the table and
# the plot under bench/results/, and end with the one summary line
#
#   bench: cowstat/smaps_rollup=R1 cowstat/pagemap=R2 thp=R3 stall=R4 memory_per_process=B
#
# Environment: BENCH_KVER (a kernel of scripts/kernels.sh, or debug),
# BENCH_MEM (MiB, default 6144), BENCH_ARGS (for cowstat_bench: --runs N,
# --stall-ms MS, --quick), BENCH_OUT (default bench/results).
# A benchmark, not a test: it is not part of make check.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kver=${BENCH_KVER:-$(scripts/kernels.sh 6.12)}
out=${BENCH_OUT:-$top/bench/results}
mkdir -p "$out"

echo "bench: booting $kver (QEMU TCG, -smp 2, -m ${BENCH_MEM:-6144}); about 15 minutes"
COWSTAT_VM_MEM=${BENCH_MEM:-6144} COWSTAT_VM_TIMEOUT=${BENCH_TIMEOUT:-3600} \
	COWSTAT_BENCH_ARGS=${BENCH_ARGS:-} \
	selftests/vm/run.sh "$kver" bench >/dev/null || true
console=$top/build/vm/$kver/console.log
if ! grep -q '^BENCH-DONE' "$console"; then
	tail -n 30 "$console" >&2
	echo "bench: the guest did not finish (see $console)" >&2
	exit 1
fi
grep -P '^(time|mem|stall|shape)\t|^# bench' "$console" >"$out/data.tsv"
python3 bench/report.py "$out/data.tsv" "$kver" "$(date -u +%Y-%m-%d)" "$out"
