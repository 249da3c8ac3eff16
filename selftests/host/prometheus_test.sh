#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cowstat --prometheus checked by Prometheus's own parser and linter,
# `promtool check metrics` (Debian package prometheus, from scripts/deps.sh):
# the formatter's outputs of the synthetic fixtures (tools/tests/format_test
# --emit), odd comms included, and main()'s output over the fake kernel
# (tools/tests/cli_fake_test).  promtool must accept each with status 0 and
# print nothing: no parse error and no lint problem (base units, _total on
# counters, HELP on every family).  A control proves that promtool does
# reject what it should.  Prints TAP.
. "$(dirname "$0")/lib.sh"
tools=$top/tools

if ! command -v promtool >/dev/null; then
	echo "ok 1 promtool check metrics # SKIP no promtool (scripts/deps.sh installs it)"
	echo "1..1"
	exit 0
fi
echo "# $(promtool --version 2>&1 | head -n 1)"

make -C "$tools" tests/format_test tests/cli_fake_test >"$tmp/build.log" 2>&1
result $? "the formatter's test programs build" "$tmp/build.log"
[ "$fails" -eq 0 ] || { echo "1..$n"; exit 1; }

# check NAME FILE: promtool accepts FILE silently.
check() {
	timeout 60 promtool check metrics <"$2" >"$tmp/log" 2>&1
	local rc=$?
	{ echo "promtool status $rc"; head -n 20 "$2"; } >>"$tmp/log"
	[ "$rc" -eq 0 ] && [ "$(head -n 1 "$tmp/log")" = "promtool status 0" ]
	result $? "promtool check metrics: $1" "$tmp/log"
}

for what in prometheus prometheus-odd; do
	"$tools/tests/format_test" --emit "$what" >"$tmp/$what.prom"
	check "format_test --emit $what" "$tmp/$what.prom"
done
COWSTAT_FAKE=tree timeout 10 "$tools/tests/cli_fake_test" --prometheus 100 >"$tmp/cli.prom"
check "cowstat --prometheus over the fake kernel" "$tmp/cli.prom"

# The naming rules, over the real output: memory in _bytes, each with its
# deprecated _pages twin; _total on the one counter and nowhere else.
types=$(grep '^# TYPE ' "$tmp/cli.prom")
bad=$(echo "$types" | awk '($4 == "counter") != ($3 ~ /_total$/)')
echo "$bad" >"$tmp/log"
[ -z "$bad" ] && echo "$types" | grep -qx '# TYPE cowstat_cow_faults_total counter'
result $? "only counters end in _total (cowstat_cow_faults_total)" "$tmp/log"
missing=
for f in rss anon file shared private anon_shared anon_private cow_broken swap zero ksm thp; do
	for m in "cowstat_${f}_bytes" "cowstat_${f}_pages" "cowstat_tree_${f}_bytes" \
		 "cowstat_tree_${f}_pages"; do
		echo "$types" | grep -qx "# TYPE $m gauge" || missing="$missing $m"
	done
done
for m in cowstat_tree_unique_bytes cowstat_tree_saved_bytes cowstat_page_size_bytes; do
	echo "$types" | grep -qx "# TYPE $m gauge" || missing="$missing $m"
done
echo "missing:$missing" >"$tmp/log"
[ -z "$missing" ]
result $? "every memory figure as a _bytes gauge (and its _pages twin)" "$tmp/log"

# Controls: promtool is not a rubber stamp.
printf '# HELP x_faults x\n# TYPE x_faults counter\nx_faults 1\n' >"$tmp/bad1.prom"
printf '# HELP x x\n# TYPE x gauge\nx 1\n# HELP x x\n' >"$tmp/bad2.prom"
printf '# HELP x_kilobytes x\n# TYPE x_kilobytes gauge\nx_kilobytes 1\n' >"$tmp/bad3.prom"
for b in 1 2 3; do
	timeout 60 promtool check metrics <"$tmp/bad$b.prom" >"$tmp/log" 2>&1
	[ $? -ne 0 ]
	result $? "control: promtool rejects bad input $b ($(head -c 60 "$tmp/log" | tr '\n' ' '))" \
		"$tmp/log"
done

echo "1..$n"
exit $((fails > 0))
