#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tools/cowstat-textfile, the fleet side, without the kernel module: the
# script runs a stub cowstat (a shell script over tools/tests/cli_fake_test,
# main() on the fake kernel's fixture trees) for trees found by pid, name,
# command line and pidfile; its files must be complete at every instant
# (temporary file and rename), labelled tree="NAME", accepted by promtool,
# and served by Debian's prometheus-node-exporter (on 127.0.0.1 only) with
# node_textfile_scrape_error 0.  Bad configs are refused before anything is
# written.  Prints TAP.  Every wait is bounded; the exporter and the helper
# processes are killed at the end.
. "$(dirname "$0")/lib.sh"
tools=$top/tools
script=$tools/cowstat-textfile
exporter=
sleeper=
cleanup() {
	[ -n "$exporter" ] && kill "$exporter" 2>/dev/null && wait "$exporter" 2>/dev/null
	[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null && wait "$sleeper" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if command -v shellcheck >/dev/null; then
	shellcheck -s sh "$script" >"$tmp/log" 2>&1
	result $? "shellcheck -s sh is silent on tools/cowstat-textfile" "$tmp/log"
else
	skip "shellcheck -s sh is silent on tools/cowstat-textfile" "no shellcheck"
fi
dash -n "$script" >"$tmp/log" 2>&1
result $? "tools/cowstat-textfile is POSIX sh (dash -n)" "$tmp/log"

make -C "$tools" tests/cli_fake_test >"$tmp/log" 2>&1
result $? "the fake CLI builds" "$tmp/log"
[ "$fails" -eq 0 ] || { echo "1..$n"; exit 1; }

# The stub cowstat: logs its arguments, fails for $STUB_FAIL_PID as cowstat
# does for a vanished root, and with $STUB_GATE pauses in mid-output until
# the file $STUB_GATE exists (having created $STUB_GATE.half).
mkdir -p "$tmp/bin" "$tmp/out"
cat >"$tmp/bin/cowstat" <<EOF
#!/bin/sh
echo "\$*" >>"$tmp/stub.log"
[ "\$1" = --prometheus ] && [ \$# -eq 2 ] || { echo "stub: bad arguments: \$*" >&2; exit 64; }
if [ "\$2" = "\${STUB_FAIL_PID:-}" ]; then
	echo "cowstat: no such process: \$2" >&2
	exit 3
fi
if [ -n "\${STUB_GATE:-}" ]; then
	COWSTAT_FAKE=tree "$tools/tests/cli_fake_test" "\$@" >"$tmp/slow.out" || exit
	head -n 30 "$tmp/slow.out"
	: >"\$STUB_GATE.half"
	i=0
	while [ ! -e "\$STUB_GATE" ] && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i + 1)); done
	tail -n +31 "$tmp/slow.out"
	exit
fi
COWSTAT_FAKE=tree exec "$tools/tests/cli_fake_test" "\$@"
EOF
chmod +x "$tmp/bin/cowstat"

# A process with a name of its own, for name:, cmdline: and pidfile:.
cp "$(command -v sleep)" "$tmp/cstest-sleeper"
"$tmp/cstest-sleeper" 300 &
sleeper=$!
echo "$sleeper" >"$tmp/sleeper.pid"

cat >"$tmp/conf" <<EOF
# the trees of this test
self     pid:$$
byname   name:cstest-sleeper     # a comment after a tree
bycmd    cmdline:cstest-sleeper.300

pf       pidfile:$tmp/sleeper.pid
gone     name:cstest-notthere
failing  pid:1
EOF
echo 'other_metric 1' >"$tmp/out/other.prom"
echo 'cowstat_textfile_success{tree="old"} 1' >"$tmp/out/cowstat-old.prom"

runit() {	# runit ARGS...: the script, at most 30 s, status in $rc
	timeout 30 "$script" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	{ echo "status $rc; stdout:"; cat "$tmp/stdout"; echo "stderr:"; cat "$tmp/stderr"; } \
		>"$tmp/log"
}

: >"$tmp/stub.log"
COWSTAT=$tmp/bin/cowstat STUB_FAIL_PID=1 runit -c "$tmp/conf" -d "$tmp/out"
[ "$rc" -eq 0 ] && [ ! -s "$tmp/stdout" ] &&
	grep -qx 'cowstat-textfile: gone: no process for name:cstest-notthere' "$tmp/stderr" &&
	grep -qx "cowstat-textfile: failing: '$tmp/bin/cowstat --prometheus 1' failed" \
		"$tmp/stderr" && [ "$(grep -vc '^cowstat: no such process: 1$' "$tmp/stderr")" -eq 2 ]
result $? "a run with six trees: status 0, one line on stderr per failed tree" "$tmp/log"

sort "$tmp/stub.log" >"$tmp/got"
printf -- '--prometheus %s\n' 1 $$ "$sleeper" "$sleeper" "$sleeper" | sort >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" >"$tmp/log"
result $? "roots found by pid:, name:, cmdline: and pidfile:, cowstat run once each" "$tmp/log"

(cd "$tmp/out" && ls -A) >"$tmp/got"
printf '%s\n' cowstat-bycmd.prom cowstat-byname.prom cowstat-failing.prom cowstat-gone.prom \
	cowstat-pf.prom cowstat-self.prom other.prom >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" >"$tmp/log"
result $? "a file per tree; the stale cowstat-old.prom removed, other.prom kept, no temp files" \
	"$tmp/log"

f=$tmp/out/cowstat-self.prom
{ cat "$f"; stat -c %a "$f"; } >"$tmp/log"
grep -qx 'cowstat_rss_bytes{tree="self",root="100",pid="101",comm="worker 1"} 17408000' "$f" &&
	grep -qx 'cowstat_tree_saved_bytes{tree="self",root="100"} 13086720' "$f" &&
	[ "$(grep -v '^#' "$f" | grep -vc '^cowstat_[a-z_]*{tree="self"[,}]')" -eq 0 ] &&
	[ "$(tail -n 1 "$f")" = 'cowstat_textfile_success{tree="self"} 1' ] &&
	[ "$(stat -c %a "$f")" = 644 ]
result $? "cowstat-self.prom: cowstat's samples, each labelled tree=\"self\", success 1, mode 644" \
	"$tmp/log"
for t in gone failing; do
	grep -v '^#' "$tmp/out/cowstat-$t.prom" >"$tmp/log"
	[ "$(cat "$tmp/log")" = "cowstat_textfile_success{tree=\"$t\"} 0" ]
	result $? "cowstat-$t.prom: only cowstat_textfile_success 0" "$tmp/log"
done

if command -v promtool >/dev/null; then
	for f in "$tmp"/out/cowstat-*.prom; do
		timeout 60 promtool check metrics <"$f" >"$tmp/log" 2>&1
		result $? "promtool check metrics: ${f##*/}" "$tmp/log"
	done
else
	skip "promtool check metrics on the files" "no promtool"
fi

# Atomic: while cowstat is stopped in mid-output, the old file stays whole;
# the new one appears whole.  The stub waits at a gate that the test opens
# after looking, so the look is certain to fall inside the write, however
# fast or slow the host is.  The new file must be a new inode (renamed
# into place): a file rewritten in place can be read half-written.
cp "$tmp/out/cowstat-self.prom" "$tmp/before"
ino=$(stat -c %i "$tmp/out/cowstat-self.prom")
printf 'self pid:%s\n' $$ >"$tmp/conf1"
gate=$tmp/gate
rm -f "$gate" "$gate.half"
COWSTAT=$tmp/bin/cowstat STUB_GATE=$gate timeout 60 "$script" -c "$tmp/conf1" -d "$tmp/out" \
	2>"$tmp/stderr" &
bg=$!
for _ in $(seq 1200); do
	[ -e "$gate.half" ] || ! kill -0 "$bg" 2>/dev/null && break
	sleep 0.05
done
during=bad
[ -e "$gate.half" ] && cmp -s "$tmp/before" "$tmp/out/cowstat-self.prom" && during=whole
: >"$gate"
wait "$bg"
rc=$?
echo "status $rc, old file while cowstat was stopped in mid-output: $during," \
	"inode $ino before, $(stat -c %i "$tmp/out/cowstat-self.prom") after" >"$tmp/log"
[ "$rc" -eq 0 ] && [ "$during" = whole ] &&
	[ "$(stat -c %i "$tmp/out/cowstat-self.prom")" != "$ino" ] &&
	tail -n 1 "$tmp/out/cowstat-self.prom" | grep -qx 'cowstat_textfile_success{tree="self"} 1' &&
	cmp -s "$tmp/before" "$tmp/out/cowstat-self.prom" && [ ! -e "$tmp/out/cowstat-pf.prom" ]
result $? "atomic: the old file whole while cowstat is stopped in mid-output, the new one whole and renamed into place; trees gone from the config removed" \
	"$tmp/log"

# A bad config is refused with status 64 before any file is touched.
: >"$tmp/stub.log"
(cd "$tmp/out" && ls -l --time-style=full-iso) >"$tmp/before"
while IFS='|' read -r line want; do
	printf 'ok pid:1\n%s\n' "$line" >"$tmp/bad"
	COWSTAT=$tmp/bin/cowstat runit -c "$tmp/bad" -d "$tmp/out"
	[ "$rc" -eq 64 ] && [ "$(cat "$tmp/stderr")" = "cowstat-textfile: $tmp/bad:2: $want" ]
	result $? "config '$line': status 64, '$want'" "$tmp/log"
done <<'EOF'
lonely|expected NAME ROOT, got 'lonely'
a pid:1 extra|expected NAME ROOT, got 'a pid:1 extra'
bad/name pid:1|NAME 'bad/name' may hold only A-Z a-z 0-9 _ . -
n pid:12x|'pid:12x': pid: takes a decimal PID
n pid:|'pid:': pid: takes a decimal PID
n comm:x|ROOT 'comm:x' is not pid:N, name:COMM, cmdline:REGEX or pidfile:PATH
n pidfile:run/x.pid|ROOT 'pidfile:run/x.pid' is not pid:N, name:COMM, cmdline:REGEX or pidfile:PATH
ok name:x|NAME 'ok' is listed twice
EOF
(cd "$tmp/out" && ls -l --time-style=full-iso) >"$tmp/after"
diff -u "$tmp/before" "$tmp/after" >"$tmp/log" && [ ! -s "$tmp/stub.log" ]
result $? "bad configs: no file touched, cowstat never run" "$tmp/log"

runit -h
[ "$rc" -eq 0 ] && grep -q '^Usage: cowstat-textfile ' "$tmp/stdout"
result $? "-h: usage, status 0" "$tmp/log"
runit -x
[ "$rc" -eq 64 ]
result $? "an unknown option: status 64" "$tmp/log"
runit -c "$tmp/none" -d "$tmp/out"
[ "$rc" -eq 64 ] && grep -q 'cannot read the config file' "$tmp/stderr"
result $? "a missing config: status 64" "$tmp/log"
runit -c "$tmp/conf" -d "$tmp/nodir"
[ "$rc" -eq 1 ] && grep -q 'cannot write to the directory' "$tmp/stderr"
result $? "a missing directory: status 1" "$tmp/log"

# node_exporter serves the files: every tree, no scrape error.
COWSTAT=$tmp/bin/cowstat STUB_FAIL_PID=1 runit -c "$tmp/conf" -d "$tmp/out"
ne=$(command -v prometheus-node-exporter || command -v node_exporter)
if [ -z "$ne" ]; then
	skip "node_exporter serves the textfile metrics" "no prometheus-node-exporter"
	echo "1..$n"
	exit $((fails > 0))
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0));
print(s.getsockname()[1])')
# timeout: the exporter dies within 2 minutes even if this script is killed.
timeout 120 "$ne" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$tmp/out" >"$tmp/ne.log" 2>&1 &
exporter=$!
fetch() {	# the exposition, tried for at most 10 s
	python3 - "$port" >"$tmp/metrics" 2>>"$tmp/ne.log" <<'EOF'
import sys, time, urllib.request
url = 'http://127.0.0.1:%s/metrics' % sys.argv[1]
for _ in range(100):
    try:
        sys.stdout.write(urllib.request.urlopen(url, timeout=2).read().decode())
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}
fetch
rc=$?
cp "$tmp/ne.log" "$tmp/log"
result $rc "node_exporter on 127.0.0.1:$port answers /metrics" "$tmp/log"
python3 - "$tmp/metrics" "$tmp/out" >"$tmp/log" 2>&1 <<'EOF'
import re, sys
series = {}
for line in open(sys.argv[1]):
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$', line.strip())
    if m and not line.startswith('#'):
        labels = dict(re.findall(r'([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"', m.group(2) or ''))
        series[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(3))

def get(name, **labels):
    return series.get((name, tuple(sorted(labels.items()))))

errors = []
def want(got, value, what):
    if got != value:
        errors.append('%s: %r, want %r' % (what, got, value))

want(get('node_textfile_scrape_error'), 0, 'node_textfile_scrape_error')
for t in ('self', 'byname', 'bycmd', 'pf'):
    want(get('cowstat_textfile_success', tree=t), 1, 'success of ' + t)
    want(get('cowstat_tree_saved_bytes', tree=t, root='100'), 13086720, 'saved of ' + t)
    want(get('cowstat_rss_bytes', tree=t, root='100', pid='101', comm='worker 1'), 17408000,
         'rss of 101 in ' + t)
    want(get('cowstat_cow_faults_total', tree=t, root='100', pid='101', comm='worker 1'), 7,
         'cow_faults of 101 in ' + t)
for t in ('gone', 'failing'):
    want(get('cowstat_textfile_success', tree=t), 0, 'success of ' + t)
want(get('other_metric'), 1, 'other.prom')
files = [dict(k[1]).get('file', '') for k in series if k[0] == 'node_textfile_mtime_seconds']
if sorted(f.rsplit('/', 1)[-1] for f in files) != sorted(
        ['cowstat-%s.prom' % t for t in ('self', 'byname', 'bycmd', 'pf', 'gone', 'failing')]
        + ['other.prom']):
    errors.append('node_textfile_mtime_seconds files: %r' % files)
cowstat = [k for k in series if k[0].startswith('cowstat_') and k[0] != 'cowstat_textfile_success']
if len(cowstat) < 4 * 100:
    errors.append('only %d cowstat series' % len(cowstat))
print('\n'.join(errors) or '%d series, %d of cowstat' % (len(series), len(cowstat)))
sys.exit(1 if errors else 0)
EOF
result $? "node_exporter serves every tree's series, success gauges, node_textfile_scrape_error 0" \
	"$tmp/log"
kill "$exporter"
wait "$exporter" 2>/dev/null
exporter=

echo "1..$n"
exit $((fails > 0))
