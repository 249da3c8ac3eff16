#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side test of selftests/vm/tap-count.awk, the one TAP counter: it
# must count passes, failures and skips right, in the nested TAP of
# kselftest's runner.sh (the VM) and in plain TAP (host tests), and must
# turn every way a run can go wrong (a crash, a truncated program, a
# timeout, a guest that never finished, a kernel warning, an exit status
# without a failed test) into a failure.  Prints TAP.
. "$(dirname "$0")/lib.sh"

# check NAME INPUT KLOG EXPECTED("p f s") [AWK-ASSIGNMENT...]: INPUT and
# KLOG are printf %b strings; a non-empty KLOG is a VM run (done marker,
# kernel log).
check() {
	local name=$1 input=$2 klog=$3 want=$4 got
	shift 4
	n=$((n + 1))
	printf '%b' "$input" >"$tmp/input"
	printf '%b' "$klog" >"$tmp/klog"
	if [ -n "$klog" ]; then
		set -- -v klog="$tmp/klog" -v done=COWSTAT-VM-DONE -v qemu_rc=0 "$@"
	fi
	awk -v out="$tmp/out" "$@" -f "$top/selftests/vm/tap-count.awk" "$tmp/input" >"$tmp/log"
	got=$(cat "$tmp/out")
	if [ "$got" = "$want" ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name # got '$got', want '$want'"
		sed 's/^/#   /' "$tmp/log"
		fails=$((fails + 1))
	fi
}

# One program t under the runner, ending with RESULT; then the VM's marker.
prog() {	# prog TAP RESULT
	printf '1..1\n# timeout set to 45\n# selftests: cowstat: t\n%s%s\n' "$1" "$2"
}
ok='ok 1 selftests: cowstat: t'
nok='not ok 1 selftests: cowstat: t'
done_='COWSTAT-VM-DONE\n'
boot='[ 0.0] Linux version\n'

echo "1..22"
check all_pass "$(prog '# 1..2\n# ok 1 a\n# ok 2 b\n' "$ok")\n$done_" "$boot" "3 0 0"
check one_fail "$(prog '# 1..2\n# ok 1 a\n# not ok 2 b\n' "$nok # exit=1")\n$done_" "$boot" "2 1 0"
check skip "$(prog '# 1..2\n# ok 1 a\n# ok 2 b # SKIP no THP\n' "$ok")\n$done_" "$boot" "2 0 1"
check whole_program_skipped "$(prog '# 1..0 # SKIP no module\n' "$ok # SKIP")\n$done_" "$boot" "1 0 1"
check truncated "$(prog '# 1..3\n# ok 1 a\n' "$nok # exit=139")\n$done_" "$boot" "2 1 0"
check crash_without_fail "$(prog '# 1..1\n# ok 1 a\n' "$nok # exit=139")\n$done_" "$boot" "2 1 0"
check timeout "$(prog '# 1..2\n# ok 1 a\n#\n' "$nok # TIMEOUT 45 seconds")\n$done_" "$boot" "2 1 0"
check no_plan "$(prog '# ok 1 a\n' "$ok")\n$done_" "$boot" "2 1 0"
check guest_did_not_finish "1..2\n# selftests: cowstat: t\n# 1..1\n# ok 1 a\n$ok\n" "$boot" "2 1 0"
check guest_died_inside_a_program "1..1\n# selftests: cowstat: t\n# 1..2\n# ok 1 a\n" "$boot" "2 2 0"
check program_missing_from_the_list "1..2\n# selftests: cowstat: t\n# 1..1\n# ok 1 a\n$ok\n$done_" "$boot" "2 1 0"
check kernel_warning "$(prog '# 1..1\n# ok 1 a\n' "$ok")\n$done_" \
	"[ 1.0] WARNING: CPU: 0 PID: 1 at mm/x.c:1 f+0x1\n" "1 1 0"
check lockdep_splat "$(prog '# 1..1\n# ok 1 a\n' "$ok")\n$done_" \
	"[ 1.0] WARNING: possible circular locking dependency detected\n" "1 1 0"
check debug_banners_are_not_reports "$(prog '# 1..1\n# ok 1 a\n' "$ok")\n$done_" \
	"[ 1.4] rcu: \tRCU lockdep checking is enabled.\n[ 0.1] Lock dependency validator: Copyright (c) 2006 Red Hat\n[ 0.2] kasan: KernelAddressSanitizer initialized\n" "2 0 0"
check kasan_report "$(prog '# 1..1\n# ok 1 a\n' "$ok")\n$done_" \
	"[ 9.0] BUG: KASAN: slab-use-after-free in cs_walk_tree+0x1\n" "1 1 0"
check rcu_stall "$(prog '# 1..1\n# ok 1 a\n' "$ok")\n$done_" \
	"[ 9.0] rcu: INFO: rcu_preempt self-detected stall on CPU\n" "1 1 0"
check diagnostics_are_not_results "$(prog '# 1..1\n# # ok 7 not a result\n# ok 1 a\n' "$ok")\n# ok 9 nor this\n$done_" "$boot" "2 0 0"
# Host tests: plain TAP, with the exit status.
check host_pass "1..2\nok 1 a\nok 2 b # SKIP no promtool\n" "" "1 0 1" -v rc=0
check host_exit_without_failure "1..1\nok 1 a\n" "" "1 1 0" -v rc=2
check host_plan_mismatch "ok 1 a\n1..3\n" "" "1 1 0" -v rc=0
check host_failure "1..2\nok 1 a\nnot ok 2 b\n" "" "1 1 0" -v rc=1
# cli_test.sh: unit tests as programs of its own list, then its own results.
check host_nested_unit_tests "# selftests: tools: format_test\n# 1..2\n# ok 1 x\n# not ok 2 y\nnot ok 1 selftests: tools: format_test # exit=1\nok 2 own\n1..2\n" "" "2 1 0" -v rc=1
exit $((fails > 0))
