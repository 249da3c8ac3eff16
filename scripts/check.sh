#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: install what is missing, then every check and test of the
# project: builds and static checks against 6.1 and 6.12, host tests, and
# the VM suite on 6.1, 6.12 and the debug kernel.  Each check prints a TAP-style line; VM and host tests print
# their own TAP.  Ends with one line "N passed, N failed, N skipped" summed
# over everything, and exits non-zero when anything failed.
set -uo pipefail

top=$(dirname "$(readlink -f "$0")")/..
cd "$top" && top=$(pwd)
logs=$top/build/check
mkdir -p "$logs"
passed=0 failed=0 skipped=0

result() {	# result 0|1 DESCRIPTION [LOG]
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
		passed=$((passed + 1))
	else
		echo "not ok - $2"
		[ -n "${3:-}" ] && sed 's/^/#   /' "$3" | tail -n 40
		failed=$((failed + 1))
	fi
}

finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

scripts/deps.sh >"$logs/deps.log" 2>&1
result $? "dependencies installed" "$logs/deps.log"
ksrc=$(scripts/ksrc.sh 2>"$logs/ksrc.log")
result $? "kernel source unpacked (kselftest harness, checkpatch)" "$logs/ksrc.log"
kernels=$(scripts/kernels.sh 2>"$logs/kernels.log")
result $? "kernels 6.1 and 6.12 installed: $(echo $kernels)" "$logs/kernels.log"
[ "$failed" -eq 0 ] || finish

for k in $kernels; do
	# W=1 build from scratch, so that every file is compiled and seen.
	rm -rf "build/$k"
	make module KVER="$k" W=1 >"$logs/build-$k.log" 2>&1
	rc=$?
	grep -qiE 'warning:|error:' "$logs/build-$k.log" && rc=1
	result $rc "module builds warning-free with W=1 against $k" "$logs/build-$k.log"

	make module KVER="$k" C=2 >"$logs/sparse-$k.log" 2>&1
	rc=$?
	grep -qiE 'warning:|error:' "$logs/sparse-$k.log" && rc=1
	result $rc "sparse (C=2) is silent against $k" "$logs/sparse-$k.log"
done

srcs=$(ls ./*.c ./*.h)
perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --show-types --no-summary \
	-f $srcs >"$logs/checkpatch.log" 2>&1
rc=$?
grep -qE '^(ERROR|WARNING|CHECK):' "$logs/checkpatch.log" && rc=1
result $rc "checkpatch --strict is silent on $(echo $srcs)" "$logs/checkpatch.log"

# Host-side tests print TAP; count their lines.
for t in selftests/host/*_test.sh; do
	"$t" >"$logs/host.log" 2>&1
	rc=$?
	cat "$logs/host.log"
	p=$(grep -cE '^ok ' "$logs/host.log")
	f=$(grep -cE '^not ok ' "$logs/host.log")
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		result 1 "$t exited $rc"
	fi
done

# The third kernel: 6.12 with KASAN, lockdep, UBSAN, KFENCE and DEBUG_VM.
scripts/debug-kernel.sh >"$logs/debug-kernel.log" 2>&1
rc=$?
result $rc "debug kernel built ($(cat build/debug-kernel/release 2>/dev/null))" "$logs/debug-kernel.log"
[ "$rc" -eq 0 ] && kernels="$kernels debug"

for k in $kernels; do
	selftests/vm/run.sh "$k"
	if [ -f "build/vm/$k/result" ]; then
		read -r p f s <"build/vm/$k/result"
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	else
		result 1 "VM run on $k produced no result"
	fi
done

finish
