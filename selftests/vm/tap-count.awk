# SPDX-License-Identifier: GPL-2.0
#
# Count the results of one VM run.  Input: the guest's console, in which
# each test binary's TAP stands between "# cowstat-vm: running BIN" and
# "# cowstat-vm: BIN rc=N", and which ends with COWSTAT-VM-DONE when the
# guest finished.  Variables: klog, the guest's kernel log; qemu_rc; out, a
# file that receives "passed failed skipped".
#
# A binary whose TAP lines do not match its plan, or that exited non-zero
# without a failed test, counts one failure more; so do a guest that did not
# finish and a kernel log with a warning, BUG, oops, sanitizer or lockdep
# report, RCU stall or lockup.
function close_bin() {
	if (bin == "") return
	if (plan < 0 || seen != plan) {
		printf "not ok - %s: %d of %d results (rc %s)\n", bin, seen, plan, rc; failed++
	} else if (rc != 0 && rc != 4 && binfail == 0) {
		printf "not ok - %s: exit status %s without a failed test\n", bin, rc; failed++
	}
	bin = ""
}
/^# cowstat-vm: running / { close_bin(); bin = $4; plan = -1; seen = 0; binfail = 0; rc = "none"; next }
/^# cowstat-vm: .* rc=/ { split($0, a, "rc="); rc = a[2]; close_bin(); next }
bin != "" && /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
bin != "" && /^ok / { seen++; if ($0 ~ /# [Ss][Kk][Ii][Pp]/) skipped++; else passed++; next }
bin != "" && /^not ok / { seen++; failed++; binfail++; next }
/^COWSTAT-VM-DONE/ { done = 1 }
END {
	close_bin()
	if (!done) { printf "not ok - guest did not finish (qemu exit %s)\n", qemu_rc; failed++ }
	bad = 0
	# Reports, not the boot banners of the debug options.
	pat = "WARNING:|BUG:|Oops|KASAN:|UBSAN:|DEBUG_LOCKS_WARN_ON|suspicious RCU usage|" \
	      "possible (recursive|circular) locking|inconsistent lock state|" \
	      "rcu: INFO|rcu_.* detected stalls|soft lockup|hard LOCKUP|blocked for more than|" \
	      "general protection|Kernel panic|Call Trace"
	while ((getline line < klog) > 0)
		if (line ~ pat) { if (bad < 5) print "# kernel: " line; bad++ }
	if (bad) { printf "not ok - kernel log clean: %d suspicious lines\n", bad; failed++ }
	else { print "ok - kernel log clean"; passed++ }
	printf "%d %d %d\n", passed, failed, skipped > out
	printf "# vm result: %d passed, %d failed, %d skipped\n", passed, failed, skipped
}
