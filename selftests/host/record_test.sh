#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cowstat --record and cowstat plot, on the host: main() over the fake
# kernel (tools/tests/cli_fake_test, which serves the fixture trees)
# records JSON lines until SIGINT or SIGTERM; every line is a whole JSON
# document while it runs (flushed per sample); then tools/cowstat plot
# (tools/cowstat-plot, python3 and gnuplot) draws the recording as a PNG
# (signature and IHDR checked) and an SVG (parsed as XML).  Prints TAP.
. "$(dirname "$0")/lib.sh"
tools=$top/tools
fake=$tools/tests/cli_fake_test
bg=
cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

make -C "$tools" cowstat tests/cli_fake_test >"$tmp/log" 2>&1
result $? "the CLI and the fake CLI build" "$tmp/log"
[ "$fails" -eq 0 ] || { echo "1..$n"; exit 1; }
export COWSTAT_FAKE=tree

# check_lines FILE MIN: every line a sample, numbered from 1, in order.
check_lines() {
	python3 - "$1" "$2" <<'EOF'
import json, sys, time
raw = open(sys.argv[1], 'rb').read()
assert raw.endswith(b'\n'), 'the last line is not whole'
lines = raw.decode('utf-8').split('\n')[:-1]
assert len(lines) >= int(sys.argv[2]), '%d lines' % len(lines)
prev = None
for i, line in enumerate(lines, 1):
    d = json.loads(line)
    assert list(d)[:7] == ['time', 'elapsed', 'sample', 'root', 'page_size', 'processes',
                           'totals'], list(d)
    assert d['sample'] == i, (i, d['sample'])
    assert abs(d['time'] - time.time()) < 60, d['time']
    assert all('vmas' in p for p in d['processes']), 'a process without vmas'
    pids = [p['pid'] for p in d['processes']]
    assert pids == ([100, 101, 102, 103, 104] if i % 2 else [100, 101, 103, 105]), pids
    if prev:
        assert d['elapsed'] > prev['elapsed'] and d['time'] >= prev['time'], 'time order'
    else:
        assert d['elapsed'] == 0, d['elapsed']
    prev = d
print('%d samples' % len(lines))
EOF
}

# record SIG: --record every 0.1 s, read the file while it runs, then SIG.
record() {
	local rc mid=1
	"$fake" --record "$tmp/rec.jsonl" --interval 0.1 100 >"$tmp/out" 2>"$tmp/err" &
	bg=$!
	sleep 0.55
	check_lines "$tmp/rec.jsonl" 3 >"$tmp/mid.log" 2>&1 && mid=0
	sleep 0.3
	stop "$bg" "$1"
	rc=$?
	bg=
	{ echo "status $rc; while running:"; cat "$tmp/mid.log"; echo "stdout:"; cat "$tmp/out"
	  echo "stderr:"; cat "$tmp/err"; } >"$tmp/log"
	[ "$rc" -eq 0 ] && [ "$mid" -eq 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] &&
		check_lines "$tmp/rec.jsonl" 6 >>"$tmp/log" 2>&1
}
record INT
result $? "--record: whole JSON lines while it runs, samples in order; SIGINT ends it with 0" \
	"$tmp/log"
cp "$tmp/rec.jsonl" "$tmp/keep.jsonl"
record TERM
result $? "--record: SIGTERM ends it with 0" "$tmp/log"

timeout 10 "$fake" --record - --interval 0.05 100 >"$tmp/out" 2>"$tmp/err" &
bg=$!
sleep 0.4
kill -INT "$bg"
wait "$bg"
rc=$?
bg=
{ echo "status $rc"; cat "$tmp/err"; } >"$tmp/log"
[ "$rc" -eq 0 ] && check_lines "$tmp/out" 3 >>"$tmp/log" 2>&1
result $? "--record -: the lines on stdout" "$tmp/log"

COWSTAT_FAKE=esrch-later timeout 10 "$fake" --record "$tmp/r2" --interval 0.05 100 \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
{ echo "status $rc"; cat "$tmp/err"; } >"$tmp/log"
[ "$rc" -eq 3 ] && [ "$(wc -l <"$tmp/r2")" -eq 2 ] &&
	[ "$(cat "$tmp/err")" = "cowstat: no such process: 100 (fake: no such process)" ]
result $? "--record: the root gone after 2 samples: 2 lines, status 3" "$tmp/log"
timeout 10 "$fake" --record "$tmp/no/such/dir/r" --interval 1 100 >"$tmp/out" 2>"$tmp/err"
rc=$?
{ echo "status $rc"; cat "$tmp/err"; } >"$tmp/log"
[ "$rc" -eq 1 ] && grep -qx "cowstat: cannot create $tmp/no/such/dir/r: No such file or directory" \
	"$tmp/err"
result $? "--record into a missing directory: one message, status 1" "$tmp/log"
for args in "--record r 1" "--interval 1 1" "--record r --interval 1 --json 1" \
	    "--record r --interval 0 1"; do
	# shellcheck disable=SC2086
	timeout 10 "$fake" $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	{ echo "status $rc"; cat "$tmp/err"; } >"$tmp/log"
	[ "$rc" -eq 64 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 2 ]
	result $? "usage error, status 64: $args" "$tmp/log"
done
unset COWSTAT_FAKE

# cowstat plot: the recording as PNG and SVG.
if ! command -v gnuplot >/dev/null; then
	skip "cowstat plot" "no gnuplot (scripts/deps.sh installs gnuplot-nox)"
	echo "1..$n"
	exit $((fails > 0))
fi
timeout 120 "$tools/cowstat" plot "$tmp/keep.jsonl" -o "$tmp/out.png" >"$tmp/log" 2>&1
rc=$?
python3 - "$tmp/out.png" >>"$tmp/log" 2>&1 <<'EOF'
import struct, sys, zlib
b = open(sys.argv[1], 'rb').read()
assert b[:8] == b'\x89PNG\r\n\x1a\n', 'PNG signature'
length, kind = struct.unpack('>I4s', b[8:16])
assert kind == b'IHDR' and length == 13, (kind, length)
w, h, depth, color = struct.unpack('>IIBB', b[16:26])
assert (w, h) == (1000, 1400) and depth == 8, (w, h, depth)
assert struct.unpack('>I', b[29:33])[0] == zlib.crc32(b[12:29]), 'IHDR CRC'
assert b.endswith(b'IEND\xaeB`\x82'), 'IEND'
print('PNG %dx%d, %d bytes' % (w, h, len(b)))
EOF
py=$?
[ "$rc" -eq 0 ] && [ "$py" -eq 0 ]
result $? "cowstat plot -o out.png: a PNG (signature, IHDR 1000x1400, IEND)" "$tmp/log"
timeout 120 "$tools/cowstat" plot "$tmp/keep.jsonl" -o "$tmp/out.svg" >"$tmp/log" 2>&1
rc=$?
python3 - "$tmp/out.svg" >>"$tmp/log" 2>&1 <<'EOF'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == '{http://www.w3.org/2000/svg}svg', root.tag
text = ' '.join(''.join(t.itertext()) for t in root.iter('{http://www.w3.org/2000/svg}text'))
for want in ('the tree', 'COW-broken per process', 'shared (solid) and private (dashed)',
             'COW-broken per mapping', '101 worker 1', 'unique', 'saved', '[anon]'):
    assert want in text, want
paths = sum(1 for _ in root.iter('{http://www.w3.org/2000/svg}path'))
assert paths > 20, paths
print('SVG with %d paths' % paths)
EOF
py=$?
[ "$rc" -eq 0 ] && [ "$py" -eq 0 ]
result $? "cowstat plot -o out.svg: valid SVG with the four panels, processes, mappings" \
	"$tmp/log"
# A --backend=pagemap recording: cow_broken is null everywhere.
sed -E 's/"cow_broken": [0-9]+/"cow_broken": null/g' "$tmp/keep.jsonl" >"$tmp/pm.jsonl"
timeout 120 "$tools/cowstat" plot "$tmp/pm.jsonl" -o "$tmp/pm.svg" >"$tmp/log" 2>&1 &&
	grep -q 'COW-broken per process: unavailable' "$tmp/pm.svg"
result $? "cowstat plot of a recording without cow_broken (--backend=pagemap)" "$tmp/log"

# plot's errors.
head -c 300 "$tmp/keep.jsonl" >"$tmp/cut.jsonl"
head -n 2 "$tmp/keep.jsonl" >"$tmp/cut2.jsonl"
head -c 300 "$tmp/keep.jsonl" >>"$tmp/cut2.jsonl"
echo 'not json' >"$tmp/bad.jsonl"
while IFS='|' read -r want args msg; do
	# shellcheck disable=SC2086
	timeout 120 "$tools/cowstat" plot $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	{ echo "status $rc, want $want"; cat "$tmp/err"; } >"$tmp/log"
	[ "$rc" -eq "$want" ] && grep -qF -- "$msg" "$tmp/err"
	result $? "cowstat plot ${args//$tmp\//}: status $want" "$tmp/log"
done <<EOF
64|$tmp/keep.jsonl|missing -o OUT.png or -o OUT.svg
64|$tmp/keep.jsonl -o $tmp/x.jpg|must end in .png or .svg
64|-o $tmp/x.png|missing the recording FILE
1|$tmp/none.jsonl -o $tmp/x.png|cannot read $tmp/none.jsonl
1|$tmp/bad.jsonl -o $tmp/x.png|$tmp/bad.jsonl:1: not a cowstat --record sample
1|$tmp/cut.jsonl -o $tmp/x.png|$tmp/cut.jsonl:1: not a cowstat --record sample
0|$tmp/cut2.jsonl -o $tmp/x.svg|$tmp/cut2.jsonl:3: incomplete last line ignored
EOF
COWSTAT_PLOT=/bin/echo "$tools/cowstat" plot a -o b.png >"$tmp/out" 2>&1
echo "got: $(cat "$tmp/out")" >"$tmp/log"
[ "$(cat "$tmp/out")" = "a -o b.png" ]
result $? "cowstat plot runs \$COWSTAT_PLOT with its arguments" "$tmp/log"

echo "1..$n"
exit $((fails > 0))
