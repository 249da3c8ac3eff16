# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # $top, $tmp, $n are for the tests
# Sourced by the host-side tests (selftests/host/*_test.sh): $top, the
# repository; $tmp, a scratch directory removed on exit (a test that sets
# its own EXIT trap removes it there); TAP counters, result() and skip().
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0

# result 0|1 NAME [LOG]: one TAP line; a failure shows the end of LOG.
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
		[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/#   /' "$3" | tail -n 30
	fi
}

# skip NAME WHY: one TAP line for a test that could not run, and why.
skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# stop PID SIG: send SIG to the background job PID and give it 5 s to end
# (then SIGKILL); returns its exit status.
stop() {
	kill "-$2" "$1"
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1"
}
