#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run inside the demo VM: first Redis (demo_redis.sh), then a small C
# workload: start a forked tree, show the cowstat CLI on it, then the
# debugfs files it comes from, and the independent oracle's view.
D=/sys/kernel/debug/cowstat
sh /tests/demo_redis.sh
echo
echo "== the second demo: a C workload"
/tests/cowstat_workload 16 3 >/tmp/workload.out &
while ! grep -q ready /tmp/workload.out 2>/dev/null; do sleep 0.2; done
pid=$(sed -n 's/^ready //p' /tmp/workload.out)
echo "== workload: a parent (PID $pid) that wrote 16 MiB and forked 3 children;"
echo "== child i then rewrote i/4 of it."
echo "== cowstat $pid"
cowstat "$pid"
echo "== cowstat --pages $pid"
cowstat --pages "$pid"
echo "== cowstat --json $pid"
cowstat --json "$pid"
echo "== cowstat --prometheus $pid (the process rows of one field, and the tree's)"
cowstat --prometheus "$pid" | grep -E '^# (HELP|TYPE) cowstat_cow_broken_bytes |^cowstat_cow_broken_bytes|^cowstat_tree_(unique|saved)_bytes'
echo "== the debugfs files: echo $pid > $D/pid"
echo "$pid" >$D/pid
for f in version tree summary; do
	echo "== cat $D/$f"
	cat $D/$f
done
echo "== cat $D/vmas, the root's rows ($(wc -l <$D/vmas) rows in all)"
grep "^$pid " $D/vmas
echo "== the same processes by the pagemap + kpagecount + kpageflags oracle"
/tests/cowstat_pagemap $(awk '!/^#/ { print $1 }' $D/tree)
kill -9 "$pid"
