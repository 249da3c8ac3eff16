#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run inside the demo VM: start a forked tree, point cowstat at it and show
# every debugfs file, then the CLI's view.
D=/sys/kernel/debug/cowstat
/tests/cowstat_workload 16 3 >/tmp/workload.out &
while ! grep -q ready /tmp/workload.out 2>/dev/null; do sleep 0.2; done
pid=$(sed -n 's/^ready //p' /tmp/workload.out)
echo "== workload: a parent (PID $pid) that wrote 16 MiB and forked 3 children;"
echo "== child i then rewrote i/4 of it."
echo "$pid" >$D/pid
for f in version pid tree summary vmas; do
	[ -e $D/$f ] || continue
	echo "== cat $D/$f"
	cat $D/$f
done
echo "== the same processes by the pagemap + kpagecount + kpageflags oracle"
/tests/cowstat_pagemap $(awk '!/^#/ { print $1 }' $D/tree)
if [ -x /bin/cowstat ]; then
	echo "== cowstat $pid"
	cowstat "$pid"
fi
kill -9 "$pid"
