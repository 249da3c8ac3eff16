#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side test of selftests/vm/tap-count.awk: the VM runner must count
# passes, failures and skips right and must turn every way a run can go
# wrong (a crash, a truncated binary, a guest that never finished, a kernel
# warning) into a failure.  Prints TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0

# check NAME CONSOLE KLOG EXPECTED("p f s")
check() {
	local got
	n=$((n + 1))
	printf '%b' "$2" >"$tmp/console"
	printf '%b' "$3" >"$tmp/klog"
	awk -v klog="$tmp/klog" -v qemu_rc=0 -v out="$tmp/out" \
		-f "$top/selftests/vm/tap-count.awk" "$tmp/console" >/dev/null
	got=$(cat "$tmp/out")
	if [ "$got" = "$4" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 # got '$got', want '$4'"
		fails=$((fails + 1))
	fi
}

run='# cowstat-vm: running t\n'
done_='COWSTAT-VM-DONE\n'
echo "1..11"
check all_pass "${run}1..2\nok 1 a\nok 2 b\n# cowstat-vm: t rc=0\n$done_" "" "3 0 0"
check one_fail "${run}1..2\nok 1 a\nnot ok 2 b\n# cowstat-vm: t rc=1\n$done_" "" "2 1 0"
check skip "${run}1..2\nok 1 a\nok 2 b # SKIP no THP\n# cowstat-vm: t rc=0\n$done_" "" "2 0 1"
check truncated "${run}1..3\nok 1 a\n# cowstat-vm: t rc=139\n$done_" "" "2 1 0"
check crash_without_fail "${run}1..1\nok 1 a\n# cowstat-vm: t rc=139\n$done_" "" "2 1 0"
check guest_did_not_finish "${run}1..1\nok 1 a\n# cowstat-vm: t rc=0\n" "" "2 1 0"
check kernel_warning "${run}1..1\nok 1 a\n# cowstat-vm: t rc=0\n$done_" \
	"[ 1.0] WARNING: CPU: 0 PID: 1 at mm/x.c:1 f+0x1\n" "1 1 0"
check lockdep_splat "${run}1..1\nok 1 a\n# cowstat-vm: t rc=0\n$done_" \
	"[ 1.0] WARNING: possible circular locking dependency detected\n" "1 1 0"
check debug_banners_are_not_reports "${run}1..1\nok 1 a\n# cowstat-vm: t rc=0\n$done_" \
	"[ 1.4] rcu: \tRCU lockdep checking is enabled.\n[ 0.1] Lock dependency validator: Copyright (c) 2006 Red Hat\n[ 0.2] kasan: KernelAddressSanitizer initialized\n" "2 0 0"
check kasan_report "${run}1..1\nok 1 a\n# cowstat-vm: t rc=0\n$done_" \
	"[ 9.0] BUG: KASAN: slab-use-after-free in cs_walk_tree+0x1\n" "1 1 0"
check rcu_stall "${run}1..1\nok 1 a\n# cowstat-vm: t rc=0\n$done_" \
	"[ 9.0] rcu: INFO: rcu_preempt self-detected stall on CPU\n" "1 1 0"
exit $((fails > 0))
