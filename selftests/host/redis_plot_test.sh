#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cowstat plot on a real recording: selftests/cowstat_redis.jsonl.xz is
# `cowstat --record --interval 1` of make demo's Redis run in the VM (a
# BGSAVE child and a parent rewriting every 16th key; gnuplot is not in
# the guest, so the drawing is checked here).  The fixture must still be
# what the recorder writes (every line a JSON document, numbered samples,
# the tree's rows with their VMAs, the VMA rows adding up to their
# process), the erosion must be in it (the parent's cow_broken grows while
# the child's stays small), and cowstat plot must draw it as a valid PNG
# (every chunk's CRC, IHDR first, IEND last, the image data inflating to
# the size IHDR says) and as an SVG that parses as XML.  Prints TAP.
. "$(dirname "$0")/lib.sh"
fixture=$top/selftests/cowstat_redis.jsonl.xz

make -C "$top/tools" cowstat >"$tmp/log" 2>&1
result $? "the CLI builds" "$tmp/log"
xz -dc "$fixture" >"$tmp/redis.jsonl" 2>"$tmp/log"
result $? "the fixture decompresses" "$tmp/log"

python3 - "$tmp/redis.jsonl" >"$tmp/log" 2>&1 <<'EOF'
import json, sys
lines = open(sys.argv[1], 'rb').read().decode('utf-8').split('\n')
assert lines[-1] == '', 'the last line is not whole'
cb = []
for i, line in enumerate(lines[:-1], 1):
    d = json.loads(line)
    assert d['sample'] == i, (i, d['sample'])
    assert list(d)[:7] == ['time', 'elapsed', 'sample', 'root', 'page_size', 'processes',
                           'totals'], list(d)
    procs = d['processes']
    assert procs[0]['pid'] == d['root'] and procs[0]['comm'] == 'redis-server', procs[0]
    for p in procs:
        for f in ('rss', 'anon_private', 'cow_broken'):
            assert sum(v[f] for v in p['vmas']) == p[f], (i, p['pid'], f)
    if len(procs) == 2:
        cb.append((procs[0]['cow_broken'], procs[1]['cow_broken']))
assert len(cb) >= 10, '%d samples with the BGSAVE child' % len(cb)
# The last rows with the child may be of the exiting child (no_mm, zero).
parent, child = max(cb)
print('%d samples, %d with the child; parent cow_broken %d -> %d, child %d' %
      (len(lines) - 1, len(cb), cb[0][0], parent, child))
assert parent > 20 * child and parent - cb[0][0] > 1000, (parent, child)
EOF
result $? "the fixture is a recording of Redis's erosion" "$tmp/log"
sed 's/^/# /' "$tmp/log"

"$top/tools/cowstat" plot "$tmp/redis.jsonl" -o "$tmp/redis.png" >"$tmp/log" 2>&1
result $? "cowstat plot draws it as PNG" "$tmp/log"
python3 - "$tmp/redis.png" >"$tmp/log" 2>&1 <<'EOF'
import struct, sys, zlib
b = open(sys.argv[1], 'rb').read()
assert b[:8] == b'\x89PNG\r\n\x1a\n', 'no PNG signature'
pos, chunks, idat = 8, [], b''
while pos < len(b):
    n, kind = struct.unpack('>I4s', b[pos:pos + 8])
    data = b[pos + 8:pos + 8 + n]
    crc, = struct.unpack('>I', b[pos + 8 + n:pos + 12 + n])
    assert zlib.crc32(kind + data) == crc, 'bad CRC in %r' % kind
    chunks.append(kind)
    if kind == b'IDAT':
        idat += data
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', data[:10])
    pos += 12 + n
assert chunks[0] == b'IHDR' and chunks[-1] == b'IEND', chunks
assert pos == len(b), 'bytes after IEND'
channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
row = (w * channels * depth + 7) // 8 + 1
assert len(zlib.decompress(idat)) == row * h, 'image data does not fill %dx%d' % (w, h)
assert w >= 400 and h >= 400, (w, h)
print('%dx%d, %d chunks' % (w, h, len(chunks)))
EOF
result $? "the PNG is valid (CRCs, IHDR, IDAT size, IEND)" "$tmp/log"
"$top/tools/cowstat" plot "$tmp/redis.jsonl" -o "$tmp/redis.svg" >"$tmp/log" 2>&1 &&
	python3 -c 'import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
assert r.tag.endswith("svg"), r.tag' "$tmp/redis.svg" >>"$tmp/log" 2>&1
result $? "cowstat plot draws it as SVG (parsed as XML)" "$tmp/log"

echo "1..$n"
[ "$fails" -eq 0 ]
