#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side tests of the cowstat CLI (tools/), which need no cowstat module:
# the CLI and its unit tests build warning-free; the unit tests (options,
# sizes, table, --watch changes, JSON, Prometheus, netlink reply parsing)
# pass; the binary's exit statuses and messages are right (this host has no
# cowstat family, so the CLI must say that the module is not loaded); the
# man page renders without warnings.  Prints TAP: the unit tests' results
# are renumbered into this one stream, so that every result line is
# top-level and counted once.
. "$(dirname "$0")/lib.sh"
tools=$top/tools
cli=$tools/cowstat

# run_tap NAME COMMAND...: run a TAP-printing test as one program of our
# list, shown as the kernel's kselftest/runner.sh shows a program: its TAP
# indented by "# " after "# selftests: tools: NAME", then our result for
# it.  The one TAP counter (selftests/vm/tap-count.awk) counts the
# program's results, here and in scripts/check.sh: a crash, a non-zero
# exit without a failed result, or a result count that differs from the
# plan is a failure.
run_tap() {
	local name=$1 rc p f s
	shift
	"$@" >"$tmp/tap" 2>&1
	rc=$?
	echo "# selftests: tools: $name"
	sed 's/^/# /' "$tmp/tap"
	awk -v rc="$rc" -v out="$tmp/count" -f "$top/selftests/vm/tap-count.awk" \
		"$tmp/tap" >"$tmp/count.log"
	read -r p f s <"$tmp/count"
	n=$((n + 1))
	if [ "$f" -eq 0 ]; then
		echo "ok $n selftests: tools: $name"
	else
		echo "not ok $n selftests: tools: $name # exit=$rc"
		fails=$((fails + 1))
		grep '^not ok - ' "$tmp/count.log" | sed 's/^/# /'
	fi
}

# Build everything from scratch, so that every file is compiled and seen.
make -B -C "$tools" cowstat tests/format_test tests/nl_test tests/cli_fake_test tests/pagemap_test \
	>"$tmp/build.log" 2>&1
built=$?
rc=$built
grep -qiE 'warning:|error:' "$tmp/build.log" && rc=1
result $rc "tools/cowstat and its unit tests build warning-free (-Wall -Wextra)" "$tmp/build.log"
if [ "$built" -ne 0 ]; then
	echo "1..$n"	# nothing else to test; old binaries may be stale
	exit 1
fi

run_tap format_test "$tools/tests/format_test"
run_tap nl_test "$tools/tests/nl_test"
run_tap pagemap_test "$tools/tests/pagemap_test"
if command -v python3 >/dev/null; then
	run_tap output_test python3 "$tools/tests/output_test.py" "$tools/tests/format_test"
else
	skip "output_test: JSON and Prometheus parsed by python3" "no python3"
fi

# cli NAME WANT_RC ARGS...: run the CLI (at most 10 s), check its status.
# With bin=$fake, the CLI over the fake kernel of tools/tests/fake_nl.c.
bin=$cli
cli() {
	local name=$1 want=$2 rc
	shift 2
	timeout 10 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	{ echo "status $rc, want $want; stdout:"; cat "$tmp/out"; echo "stderr:"; cat "$tmp/err"; } \
		>"$tmp/log"
	[ "$rc" -eq "$want" ]
}

cli help 0 --help && grep -q '^Usage: cowstat \[OPTIONS\] PID$' "$tmp/out" && [ ! -s "$tmp/err" ]
result $? "cowstat --help: usage on stdout, status 0" "$tmp/log"
cli version 0 -V && grep -qE '^cowstat [0-9.]+ \(generic netlink family "cowstat", version 1\)$' \
	"$tmp/out"
result $? "cowstat -V: version, status 0" "$tmp/log"
# --list-fields: the per-process counts of cowstat.rst's table, in its order
# (the bash completion and scripts read them).
awk '/^=+  =+$/ { t++; next } t == 1 && match($0, /^``[a-z_]+``/) {
	print substr($0, 3, RLENGTH - 4) }' "$top/Documentation/admin-guide/mm/cowstat.rst" \
	>"$tmp/want"
cli list-fields 0 --list-fields && [ -s "$tmp/want" ] && diff -u "$tmp/want" "$tmp/out" >>"$tmp/log"
result $? "cowstat --list-fields: the counts of cowstat.rst's table, status 0" "$tmp/log"

# Usage errors: status 64, nothing on stdout, one message and a hint.
usage() {
	local name=$1
	shift
	cli "$name" 64 "$@" && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 2 ] &&
		grep -q '^cowstat: ' "$tmp/err" &&
		grep -qx "Try 'cowstat --help' for more information." "$tmp/err"
	result $? "usage error, status 64: $name" "$tmp/log"
}
usage "no PID"
usage "PID 12abc" 12abc
usage "PID 0" 0
usage "PID -1" -1
usage "empty PID" ""
usage "PID 1.5" 1.5
usage "PID 2147483648" 2147483648
usage "two PIDs" 1 2
usage "unknown option" --bogus 1
usage "--watch 0" --watch 0 1
usage "--watch -1" --watch -1 1
usage "--watch junk" --watch soon 1
usage "--watch without a value" 1 --watch
usage "--json --prometheus" --json --prometheus 1
usage "--watch --json" --watch 1 --json 1
usage "--vmas --prometheus" --vmas --prometheus 1
usage "--sort with an unknown field" --sort comm 1
usage "--sort without a field" 1 --sort
usage "--top 0" --top 0 1
usage "--top junk" --top ten 1
usage "--sort --json" --sort rss --json 1
usage "--top --prometheus" --top 5 --prometheus 1
usage "--backend with an unknown name" --backend=kpage 1

# No cowstat family on this host: every mode must say so, with status 2.
not_loaded='cowstat: the cowstat kernel module is not loaded (no generic netlink family "cowstat")'
if ! python3 -c 'import socket; socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)' \
	2>/dev/null; then
	skip "cowstat PID without the module: status 2" "no generic netlink sockets here"
elif [ -d /sys/module/cowstat ]; then
	skip "cowstat PID without the module: status 2" "the cowstat module is loaded here"
else
	for args in "1" "--json 1" "--prometheus 1" "--vmas --pages 1" "--watch 0.2 1"; do
		# shellcheck disable=SC2086
		cli "$args" 2 $args && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "$not_loaded" ]
		result $? "cowstat $args without the module: one message, status 2" "$tmp/log"
	done
fi

# main() over a fake kernel (tools/tests/fake_nl.c): every output, every
# error status, and --watch until a signal or an error.
fake=$tools/tests/cli_fake_test
bin=$fake
export COWSTAT_FAKE=tree
cli "fake table" 0 100 && [ ! -s "$tmp/err" ] &&
	head -n 1 "$tmp/out" | grep -qx '  PID   RSS  ANON SHARED PRIVATE COW-BROKEN  SWAP ZERO FLAGS  *COMM' &&
	grep -q '^  101 16.6M .*   \\_ worker 1$' "$tmp/out" &&
	tail -n 1 "$tmp/out" | grep -q '^total 34.0M .* 5 processes, unique 21.5M, saved 12.5M (36.7%)$'
result $? "fake kernel: the table, status 0" "$tmp/log"
cli "fake sort" 0 --sort cow_broken --top 3 --pages 100 && [ ! -s "$tmp/err" ] &&
	[ "$(sed -n '2,4s/^ *\([0-9]*\) .*/\1/p' "$tmp/out" | tr '\n' ' ')" = "101 102 100 " ] &&
	[ "$(wc -l <"$tmp/out")" -eq 5 ] &&
	tail -n 1 "$tmp/out" | grep -q ' 5 processes (top 3 shown), unique 5500, saved 3195 (36.7%)$'
result $? "fake kernel: --sort cow_broken --top 3, status 0" "$tmp/log"
cli "fake json" 0 --json --vmas 100 && python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert [p["pid"] for p in d["processes"]] == [100, 101, 102, 103, 104]
assert d["processes"][0]["vmas"][1]["cow_broken"] == 5 and d["totals"]["saved"] == 3195
' "$tmp/out" 2>>"$tmp/log"
result $? "fake kernel: --json --vmas is one valid document" "$tmp/log"
cli "fake prometheus" 0 --prometheus 100 &&
	grep -qx 'cowstat_tree_saved_pages{root="100"} 3195' "$tmp/out"
result $? "fake kernel: --prometheus" "$tmp/log"
for c in "esrch 3 cowstat: no such process: 100 (fake: no such process)" \
	 "eperm 4 cowstat: permission denied: cannot read process 100" \
	 "enoent 2 $not_loaded"; do
	read -r mode st msg <<<"$c"
	COWSTAT_FAKE=$mode cli "fake $mode" "$st" 100 && [ ! -s "$tmp/out" ] &&
		[ "$(cat "$tmp/err")" = "$msg" ]
	result $? "fake kernel: $mode: one message, status $st" "$tmp/log"
done

# watch_signal SIG: --watch until SIG; it must end at once, with status 0.
watch_signal() {
	local pid rc
	"$fake" --watch 0.1 --pages 100 >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	sleep 0.8
	stop "$pid" "$1"
	rc=$?
	{ echo "status $rc; stdout:"; head -n 40 "$tmp/out"; echo "stderr:"; cat "$tmp/err"; } \
		>"$tmp/log"
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]
}
watch_signal INT && [ "$(grep -c '^cowstat 100, every 0.1s: sample ' "$tmp/out")" -ge 3 ] &&
	grep -q '^cowstat 100, every 0.1s: sample 2 at [0-9:]*, 0\.[0-9]*s after the previous$' \
		"$tmp/out" &&
	grep -q '^  105  100  new ' "$tmp/out" && grep -qx 'exited: 102 w"q\\134, 104 zombie' "$tmp/out" &&
	! grep -q $'\033' "$tmp/out"
result $? "fake kernel: --watch samples, changes, new, exited; SIGINT ends it with 0" "$tmp/log"
watch_signal TERM
result $? "fake kernel: --watch ends with status 0 on SIGTERM" "$tmp/log"
COWSTAT_FAKE=esrch-later cli "watch esrch" 3 --watch 0.05 100 &&
	[ "$(grep -c '^cowstat 100, every 0.05s: sample ' "$tmp/out")" -eq 2 ] &&
	[ "$(cat "$tmp/err")" = "cowstat: no such process: 100 (fake: no such process)" ]
result $? "fake kernel: --watch stops with status 3 when the root goes away" "$tmp/log"
unset COWSTAT_FAKE
bin=$cli

# The man page renders without a warning, and documents every option.
if command -v groff >/dev/null; then
	groff -man -ww -z "$tools/cowstat.8" >"$tmp/log" 2>&1 && [ ! -s "$tmp/log" ]
	result $? "groff -man -ww is silent on tools/cowstat.8" "$tmp/log"
else
	skip "groff -man -ww is silent on tools/cowstat.8" "no groff"
fi
if command -v man >/dev/null; then
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$tools/cowstat.8" 2>"$tmp/log" >"$tmp/out" &&
		[ ! -s "$tmp/log" ] && grep -q 'EXIT STATUS' "$tmp/out"
	result $? "man -l tools/cowstat.8 renders without warnings" "$tmp/log"
else
	skip "man -l tools/cowstat.8 renders without warnings" "no man"
fi
missing=
for opt in $("$cli" --help | grep -oE -- '--[a-z]+' | sort -u); do
	grep -qF -- "\\-\\${opt#-}" "$tools/cowstat.8" || missing="$missing $opt"
done
for st in 0 1 2 3 4 64; do
	grep -qx "\\.B $st" "$tools/cowstat.8" || missing="$missing status-$st"
done
echo "missing:$missing" >"$tmp/log"
[ -z "$missing" ]
result $? "the man page documents every option and exit status" "$tmp/log"
missing=
for f in $("$cli" --list-fields); do
	grep -qx "\\.B $f" "$tools/cowstat.8" || missing="$missing $f"
done
echo "missing:$missing" >"$tmp/log"
[ -z "$missing" ]
result $? "the man page describes every field of --list-fields" "$tmp/log"

# Kernel style, as far as a grep can tell: lines of at most 100 columns,
# tabs for indentation, no trailing white space.
: >"$tmp/log"
for f in "$tools"/*.[ch] "$tools"/tests/*.[ch]; do
	awk -v f="${f#"$top"/}" '
		function expand(s,  out, i, c) {	# tabs to the next multiple of 8
			out = ""
			for (i = 1; i <= length(s); i++) {
				c = substr(s, i, 1)
				if (c != "\t")
					out = out c
				else
					do out = out " "; while (length(out) % 8)
			}
			return out
		}
		length(expand($0)) > 100 { print f ":" FNR ": longer than 100 columns" }
		/[ \t]$/ { print f ":" FNR ": trailing white space" }
		/^ +[^ *]/ { print f ":" FNR ": indented with spaces" }' "$f" >>"$tmp/log"
done
[ ! -s "$tmp/log" ]
result $? "tools/ C sources: <= 100 columns, tab indentation, no trailing blanks" "$tmp/log"

echo "1..$n"
exit $((fails > 0))
