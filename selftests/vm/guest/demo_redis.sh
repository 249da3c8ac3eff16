#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run inside the demo VM (from demo.sh): Redis's BGSAVE child and the
# parent that keeps serving writes.  100,000 keys of 1000 bytes (about
# 100 MB), a BGSAVE slowed by rdb-key-save-delay, ten batches of SETs that
# rewrite every 16th key while the child saves, cowstat --watch on the tree
# while sharing erodes, then Redis's own copy-on-write figures beside
# cowstat's for the same fork.  cowstat --record samples the whole run; the
# recording is printed (gzip, base64) between COWSTAT-RECORD-BEGIN/END
# lines for the host to plot (scripts/demo.sh).
#
# DEMO_REDIS_KEYS and DEMO_REDIS_DELAY (microseconds per key saved) change
# the sizes.
D=/sys/kernel/debug/cowstat
R=/tmp/demo-redis
keys=${DEMO_REDIS_KEYS:-100000}
delay=${DEMO_REDIS_DELAY:-400}
page=4096

command -v redis-server >/dev/null || {
	echo "== no redis-server in this VM (make deps installs it): Redis demo skipped"
	exit 0
}
cli() { redis-cli -s $R.sock "$@"; }
# "field: value" of INFO persistence
info() { cli INFO persistence | tr -d '\r' | sed -n "s/^$1://p"; }
# The debugfs tree row of $2 in the tree of $1: field number $3
# (10 anon_private, 11 cow_broken).
field() {
	echo "$1" >$D/pid
	awk -v p="$2" -v f="$3" '!/^#/ && $1 == p { print $f }' $D/tree
}

redis-server --port 0 --unixsocket $R.sock --save "" --appendonly no \
	--dir /tmp --dbfilename demo.rdb --logfile $R.log \
	--enable-debug-command yes --rdb-key-save-delay "$delay" \
	--daemonize yes --pidfile $R.pid
until cli PING 2>/dev/null | grep -q PONG; do sleep 0.2; done
cli DEBUG POPULATE "$keys" key 1000 >/dev/null
pid=$(cat $R.pid)
echo
echo "== Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') (PID $pid): $keys keys of 1000 bytes"
cowstat "$pid"

cowstat --record /tmp/redis.jsonl --interval 1 "$pid" &
rec=$!
sleep 2
echo
echo "== BGSAVE, each key's save slowed by $delay us: the child saves the fork's snapshot"
cli BGSAVE
sleep 1
child=$(awk -v p="$pid" '!/^#/ && $2 == p { print $1 }' $D/tree)
echo "== cowstat --watch 3 $pid, while a client rewrites every 16th key in 10 batches"
cowstat --watch 3 "$pid" &
watch=$!
b=0
while [ $b -lt 10 ]; do
	# RESP through redis-cli --pipe: one batch in one go, not a round
	# trip per key.
	awk -v b=$b -v n="$keys" 'BEGIN {
		v = sprintf("%1000s", ""); gsub(/ /, "y", v)
		for (k = 16 * b; k < n; k += 160) {
			key = "key:" k
			printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1000\r\n%s\r\n",
				length(key), key, v
		}
	}' | cli --pipe >/dev/null
	sleep 2
	b=$((b + 1))
done
sleep 3
kill -INT $watch
wait $watch

# Redis's child reads its smaps every 1024 keys (at most once a second)
# and the parent collects the figure once a second: wait for a reading
# taken after the rewrites (its age, in seconds, goes back down), at most
# a minute.
fresh=0 t=0 prev=$(info current_cow_size_age)
while [ $fresh -lt 1 ] && [ $t -lt 120 ]; do
	sleep 0.5
	[ "$(info rdb_bgsave_in_progress)" = 1 ] || break
	age=$(info current_cow_size_age)
	[ "$age" -lt "$prev" ] && fresh=$((fresh + 1))
	prev=$age t=$((t + 1))
done
echo
echo "== the same fork, both ways, after the rewrites (the save still runs: $(info rdb_bgsave_in_progress))"
cow=$(info current_cow_size)
ap=$(field "$pid" "$child" 10)
pcb=$(field "$pid" "$pid" 11)
ccb=$(field "$pid" "$child" 11)
# A save that ended already (a very slow VM) leaves no child to read.
cow=${cow:-0} ap=${ap:-0} pcb=${pcb:-0} ccb=${ccb:-0}
echo "   Redis INFO persistence current_cow_size: $cow bytes = $((cow / page)) pages"
echo "   cowstat, the child (PID $child) anon_private:  $((ap * page)) bytes = $ap pages"
echo "   cowstat cow_broken: parent $pcb pages, child $ccb pages"
echo "== Redis books the pages the parent's writes left to the child as the child's"
echo "== copy-on-write; cowstat charges the $pcb copies to the parent, who broke them,"
echo "== and $ccb to the child."

# Wait for the save to finish, remembering the child's last reading.
while [ "$(info rdb_bgsave_in_progress)" = 1 ]; do
	v=$(field "$pid" "$child" 10)
	[ -n "$v" ] && last_ap=$v
	sleep 1
done
sleep 2
kill -INT $rec
wait $rec
echo
echo "== the save is done: Redis's log, and its last figure for the fork"
grep -h 'Fork CoW for RDB\|Background saving terminated' $R.log | sed 's/^/   /'
echo "   rdb_last_cow_size: $(info rdb_last_cow_size) bytes"
last_ap=${last_ap:-0}
echo "   cowstat's last reading of the child's anon_private: $((last_ap * page)) bytes ($((last_ap * page / 1048576)) MB)"
echo "== cowstat --record wrote $(wc -l </tmp/redis.jsonl) samples"
# gzip and base64: the emulated serial console is slow.
echo "COWSTAT-RECORD-BEGIN"
gzip -9 -c /tmp/redis.jsonl | base64
echo "COWSTAT-RECORD-END"
cli SHUTDOWN NOSAVE >/dev/null 2>&1
