#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: install what is missing, then every check and test of the
# project: builds and static checks against Debian's 6.1 and 6.12 (cloud,
# generic, rt), the newest trixie-backports kernel (built from source) and
# the debug kernels; host tests; DKMS and install checks; and the VM suite
# on 6.1, 6.12, 6.12-rt and the debug kernels of 6.12 and of the newest
# kernel.  Each check prints a TAP-style line; VM and host tests print
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

timed() {	# timed LOG COMMAND...: run, output to LOG; sets $secs
	local start=$SECONDS rc
	"${@:2}" >"$1" 2>&1
	rc=$?
	secs=$((SECONDS - start))
	return $rc
}

timed "$logs/deps.log" scripts/deps.sh
result $? "dependencies installed (${secs}s)" "$logs/deps.log"
ksrc=$(scripts/ksrc.sh 2>"$logs/ksrc.log")
result $? "kernel source unpacked (kselftest harness, checkpatch)" "$logs/ksrc.log"
kernels=$(scripts/kernels.sh --flavour all 2>"$logs/kernels.log")
result $? "Debian kernels 6.1 and 6.12, cloud, generic and rt, installed: $(echo $kernels)" "$logs/kernels.log"
[ "$failed" -eq 0 ] || finish

# module_checks NAME KDIR: a W=1 build from scratch (so that every file is
# compiled and seen) and sparse, against one kernel tree.
module_checks() {
	local rc
	rm -rf "build/$1"
	timed "$logs/build-$1.log" make module KVER="$1" KDIR="$2" W=1
	rc=$?
	grep -qiE 'warning:|error:' "$logs/build-$1.log" && rc=1
	result $rc "module builds warning-free with W=1 against $1 (${secs}s)" "$logs/build-$1.log"

	timed "$logs/sparse-$1.log" make module KVER="$1" KDIR="$2" C=2
	rc=$?
	grep -qiE 'warning:|error:' "$logs/sparse-$1.log" && rc=1
	result $rc "sparse (C=2) is silent against $1 (${secs}s)" "$logs/sparse-$1.log"
}

# Kernel trees built from source (scripts/debug-kernel.sh): the newest
# linux-source-X.Y of trixie-backports with Debian's cloud config (a
# modules_prepare tree, compile only), and the debug kernels (KASAN,
# lockdep, UBSAN, KFENCE, DEBUG_VM) of 6.12 and of X.Y, which boot.
newest=$(scripts/debug-kernel.sh --source newest --print-name 2>"$logs/newest.log")
result $? "newest linux-source of trixie-backports: ${newest#debug-}" "$logs/newest.log"
specs="cloud:newest debug:linux-source-6.12 debug:newest"
if [ "${COWSTAT_NEWEST_DEBUG:-1}" = 0 ]; then
	specs="cloud:newest debug:linux-source-6.12"
	echo "ok - the newest debug kernel # SKIP COWSTAT_NEWEST_DEBUG=0: not built, no VM suite on it"
	skipped=$((skipped + 1))
fi
trees=""	# SPEC=NAME: how scripts/debug-kernel.sh builds it, and its name
for spec in $specs; do
	name=$(scripts/debug-kernel.sh --source "${spec#*:}" --config "${spec%%:*}" \
		--print-name 2>/dev/null) || name=${spec/:/-}
	trees="$trees $spec=$name"
done

# The trees build one after the other in the background, in the idle
# scheduling class (SCHED_IDLE), while the checks and the first VM suites
# run: a build gets only the CPU time they leave (a 2-vCPU guest under TCG
# leaves about a third of two cores idle), and slows them only through the
# caches and memory they share (0-15%).  Each tree's result is awaited
# where it is first needed: in a clean clone's run, make check waited 11
# of the builds' 49 minutes (README, "Tests").
build_trees() {
	local tree spec name rc
	for tree in $trees; do
		spec=${tree%%=*} name=${tree#*=}
		timed "$logs/kernel-$name.log" chrt --idle 0 \
			scripts/debug-kernel.sh --source "${spec#*:}" --config "${spec%%:*}"
		rc=$?
		echo "$rc $secs" >"$logs/kernel-$name.rc"
	done
}
rm -f "$logs"/kernel-*.rc
build_trees &
builder=$!
kill_tree() {	# kill_tree PID: PID and all its descendants
	local c
	for c in $(pgrep -P "$1"); do kill_tree "$c"; done
	kill "$1" 2>/dev/null
}
trap 'kill_tree $builder' EXIT
trap 'exit 130' INT TERM HUP	# so that the EXIT trap runs

# await_tree NAME: wait for the background build of NAME, report it, then
# check the module against it.  Fails if the tree did not build.
await_tree() {
	local rc s start=$SECONDS
	while [ ! -f "$logs/kernel-$1.rc" ] && kill -0 "$builder" 2>/dev/null; do
		sleep 5
	done
	read -r rc s <"$logs/kernel-$1.rc" 2>/dev/null || rc=1 s=0
	result "$rc" "kernel $1 built from source ($(cat "build/kernel/$1/release" 2>/dev/null), ${s}s in the background, $((SECONDS - start))s waited for)" \
		"$logs/kernel-$1.log"
	[ "$rc" -eq 0 ] || return 1
	module_checks "$1" "$top/build/kernel/$1/linux"
}

for k in $kernels; do
	module_checks "$k" "/lib/modules/$k/build"
done

# A kernel outside the supported range stops the build with one line,
# before the compiler runs: pretend the range excludes 6.1 and 6.12.
k61=$(echo $kernels | cut -d' ' -f1)
for range in "COWSTAT_KERNEL_MIN=6.2" "COWSTAT_KERNEL_MIN=5.10 COWSTAT_KERNEL_MAX=6.0"; do
	rm -rf "build/range-test"
	# shellcheck disable=SC2086 # $range is one or two make variables
	make module KVER=range-test KDIR="/lib/modules/$k61/build" $range \
		>"$logs/range.log" 2>&1
	rc=$?
	n=$(grep -c 'cowstat supports Linux .* to .*(this kernel is ' "$logs/range.log")
	[ $rc -ne 0 ] && [ "$n" -eq 1 ] && ! grep -qE 'error:|warning:|CC \[M\]' "$logs/range.log"
	result $? "a kernel outside the range ($range, $k61) fails with one line: $(grep -o 'cowstat supports.*)' "$logs/range.log")" "$logs/range.log"
done
rm -rf build/range-test

srcs=$(ls ./*.c ./*.h)
perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --show-types --no-summary \
	-f $srcs >"$logs/checkpatch.log" 2>&1
rc=$?
grep -qE '^(ERROR|WARNING|CHECK):' "$logs/checkpatch.log" && rc=1
result $rc "checkpatch --strict is silent on $(echo $srcs)" "$logs/checkpatch.log"

# count LOG RC: add the results of the TAP in LOG, printed by a program that
# exited RC, with the one TAP counter that the VM runner and cli_test.sh use.
count() {
	local p f s
	awk -v rc="$2" -v out="$logs/count" -f selftests/vm/tap-count.awk "$1"
	read -r p f s <"$logs/count"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

# Host-side tests print TAP.
for t in selftests/host/*_test.sh; do
	"$t" >"$logs/host.log" 2>&1
	rc=$?
	cat "$logs/host.log"
	count "$logs/host.log" "$rc"
done

# DKMS: dkms build for two kernels, modinfo of what it built, and the
# autoinstall that a newly installed kernel (6.12 generic) triggers.
k612=$(echo $kernels | tr ' ' '\n' | grep -- '^6\.12\..*-cloud-amd64$')
k612rt=$(echo $kernels | tr ' ' '\n' | grep -- '^6\.12\..*-rt-amd64$')
start=$SECONDS
k612g=$(echo $kernels | tr ' ' '\n' | grep -- '^6\.12\..*-amd64$' | grep -vE -- '-(cloud|rt)-amd64$')
scripts/dkms-check.sh "$k61" "$k612rt" --new "$k612g" >"$logs/dkms.log" 2>&1
rc=$?
cat "$logs/dkms.log"
count "$logs/dkms.log" "$rc"
echo "# dkms checks took $((SECONDS - start))s"

# make install / make uninstall, staged under DESTDIR.
dest=$top/build/install-test
rm -rf "$dest"
files="lib/modules/$k612/updates/cowstat.ko usr/local/sbin/cowstat usr/local/share/man/man8/cowstat.8"
make install KVER="$k612" DESTDIR="$dest" >"$logs/install.log" 2>&1
rc=$?
for f in $files; do [ -s "$dest/$f" ] || { echo "missing $f" >>"$logs/install.log"; rc=1; }; done
modinfo -F version "$dest/lib/modules/$k612/updates/cowstat.ko" >>"$logs/install.log" 2>&1 || rc=1
result $rc "make install (DESTDIR) puts the module under updates/, the CLI and man page under /usr/local" "$logs/install.log"
make uninstall KVER="$k612" DESTDIR="$dest" >"$logs/uninstall.log" 2>&1
rc=$?
for f in $files; do [ -e "$dest/$f" ] && { echo "left $f" >>"$logs/uninstall.log"; rc=1; }; done
result $rc "make uninstall removes them" "$logs/uninstall.log"

# vm_suite KVER: the VM suite on one kernel (selftests/vm/run.sh).
vm_suite() {
	local k=$1 start=$SECONDS p f s
	selftests/vm/run.sh "$k"
	if [ -f "build/vm/$k/result" ]; then
		read -r p f s <"build/vm/$k/result"
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	else
		result 1 "VM run on $k produced no result"
	fi
	echo "# VM suite on $k took $((SECONDS - start))s"
	# Where the time went (run.sh times each binary; README, "Tests").
	[ -s "build/vm/$k/times" ] &&
		echo "# slowest on $k: $(sort -rn "build/vm/$k/times" | head -n 5 |
			awk '{ printf "%s%s %ss", (NR > 1 ? ", " : ""), $2, $1 }')"
}

# The VM suite: 6.1, 6.12 and 6.12 PREEMPT_RT (Debian's), then each tree
# built from source as it is ready: the compile-only cloud tree is
# checked, the debug kernels (6.12 and the newest) run the suite.
for k in "$k61" "$k612" "$k612rt"; do
	vm_suite "$k"
done
for tree in $trees; do
	name=${tree#*=}
	await_tree "$name" || continue
	case $name in
	debug-6.12) vm_suite debug ;;	# the runner's name for it
	debug-*) vm_suite "$name" ;;
	esac
done
wait "$builder"

finish
