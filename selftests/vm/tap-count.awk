# SPDX-License-Identifier: GPL-2.0
#
# The one TAP counter: the VM runner, scripts/check.sh (host tests) and
# selftests/host/cli_test.sh (the CLI's unit tests) count results with it.
#
# Input: TAP as the kernel's kselftest/runner.sh prints it, each program's
# own TAP indented by "# " between "# selftests: DIR: PROG" and the
# runner's result line for PROG:
#
#     1..2
#     # selftests: cowstat: cowstat_tree
#     # 1..3
#     # ok 1 tree.one
#     # not ok 2 tree.two
#     # ok 3 tree.three # SKIP no THP
#     not ok 1 selftests: cowstat: cowstat_tree # exit=1
#     ...
#
# or plain TAP (a host test), or a mix.  A program's own results are what
# is counted (its result line in the runner's list is not counted again),
# and a program counts one failure more when its results do not match its
# plan (it crashed, or stopped early), when it failed (exit status,
# TIMEOUT) without a failed result, or when it never finished.  Plain
# results count as they are; a top-level plan must match them too.
#
# Variables (-v):
#   out      file that receives "passed failed skipped" (required)
#   rc       exit status of the program whose output this is (optional):
#            non-zero without a failed result is one failure
#   done     a line that must appear (the VM's COWSTAT-VM-DONE), else one
#            failure (optional), with qemu_rc in its message
#   klog     a kernel log that must hold no warning, BUG, oops, sanitizer or
#            lockdep report, RCU stall or lockup, else one failure
#            (optional; a clean log is one pass)
function fail(msg) {
	printf "not ok - %s\n", msg
	failed++
}

# A result line (without its indentation): count it.
function count(line) {
	if (line ~ /^ok /) {
		if (line ~ /# *[Ss][Kk][Ii][Pp]/) skipped++; else passed++
		return 0
	}
	failed++
	return 1
}

# PROG's result in the runner's list ends its block.
function close_prog(line) {
	if (prog == "") return
	if (plan < 0 || seen != plan) {
		fail(sprintf("%s: %d of %s results (%s)", prog, seen, plan < 0 ? "no plan of" : plan, \
		     line ~ /^ok / ? "finished" : line == "" ? "did not finish" : line))
	} else if (line !~ /^ok / && progfail == 0) {
		fail(sprintf("%s failed without a failed test: %s", prog, line == "" ? "did not finish" : line))
	} else if (seen == 0 && line ~ /# *SKIP/) {
		skipped++	# skipped whole: one skip, so that it shows
	}
	prog = ""
}

/^# selftests: / { close_prog(""); prog = $NF; plan = -1; seen = 0; progfail = 0; next }
prog != "" && /^# / {
	line = substr($0, 3)
	if (line ~ /^1\.\.[0-9]+/) plan = substr(line, 4) + 0
	else if (line ~ /^(not )?ok /) { seen++; progfail += count(line) }
	next
}
/^1\.\.[0-9]+/ { topplan = substr($1, 4) + 0; next }
/^(not )?ok / {
	topseen++
	if (prog != "") close_prog($0)
	else count($0)
	next
}
done != "" && $0 == done { finished = 1 }
END {
	close_prog("")
	# (A guest that did not finish says so below.)
	if (topplan != "" && topseen != topplan && (done == "" || finished))
		fail(sprintf("%d of %d results in the list", topseen, topplan))
	if (rc != "" && rc != 0 && failed == 0)
		fail(sprintf("exit status %s without a failed test", rc))
	if (done != "" && !finished)
		fail(sprintf("guest did not finish (qemu exit %s)", qemu_rc))
	if (klog != "") {
		bad = 0
		# Reports, not the boot banners of the debug options.
		pat = "WARNING:|BUG:|Oops|KASAN:|UBSAN:|DEBUG_LOCKS_WARN_ON|suspicious RCU usage|" \
		      "possible (recursive|circular) locking|inconsistent lock state|" \
		      "rcu: INFO|rcu_.* detected stalls|soft lockup|hard LOCKUP|blocked for more than|" \
		      "general protection|Kernel panic|Call Trace"
		while ((getline l < klog) > 0)
			if (l ~ pat) { if (bad < 5) print "# kernel: " l; bad++ }
		if (bad) fail(sprintf("kernel log clean: %d suspicious lines", bad))
		else { print "ok - kernel log clean"; passed++ }
	}
	printf "%d %d %d\n", passed, failed, skipped > out
	printf "# result: %d passed, %d failed, %d skipped\n", passed, failed, skipped
}
