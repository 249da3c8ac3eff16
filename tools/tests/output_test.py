#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse the cowstat CLI's JSON and Prometheus outputs of the synthetic
fixture (format_test --emit ...) with real parsers and check the values.
Prints TAP.

    output_test.py PATH/TO/format_test
"""
import codecs
import json
import os
import re
import subprocess
import sys

n = 0
failed = 0


def ok(cond, name, diag=None):
    global n, failed
    n += 1
    print(('ok %d %s' if cond else 'not ok %d %s') % (n, name))
    if not cond:
        failed += 1
        if diag is not None:
            for line in str(diag).splitlines():
                print('#   ' + line)
    return cond


def emit(what):
    try:
        return subprocess.run([sys.argv[1], '--emit', what], check=True,
                              stdout=subprocess.PIPE).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        ok(False, 'format_test --emit %s' % what, e)
        return b''


def latin1_fallback(err):
    # The documented rule: a byte outside well-formed UTF-8 is U+00XX.
    return (''.join(chr(b) for b in err.object[err.start:err.end]), err.end)


codecs.register_error('cowstat', latin1_fallback)


def want_str(raw):
    return raw.decode('utf-8', errors='cowstat')


ODD = [b'with space', b'quote"d', b'back\\slash', b'new\nline\ttab\r',
       b'\x01\x1b[31m\x7f', b'caf\xc3\xa9 \xe2\x82\xac', b'bad\xff\xfe',
       b'\xc0\xaf\xed\xa0\x80', b'trunc\xe2\x82']



def doc_fields():
    """The per-process counts, as the table of cowstat.rst, "What is
    counted", lists them: the order --json must follow."""
    rst = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       '../../Documentation/admin-guide/mm/cowstat.rst')
    fields, borders = [], 0
    for line in open(rst):
        if re.match(r'^=+  =+$', line):
            borders += 1
        elif borders == 1:
            m = re.match(r'^``([a-z_]+)``', line)
            if m:
                fields.append(m.group(1))
    return fields


FIELDS = doc_fields()
PAGE_FIELDS = [f for f in FIELDS if f not in ('cow_faults', 'skipped_vmas')]

# JSON ----------------------------------------------------------------------

out = emit('json')
try:
    doc = json.loads(out.decode('utf-8'))
except ValueError as e:
    doc = None
    ok(False, 'json: parses as strict UTF-8 JSON', e)
else:
    ok(True, 'json: parses as strict UTF-8 JSON')
if doc:
    ok(doc['root'] == 100 and doc['page_size'] == 4096, 'json: root and page_size')
    ok([p['pid'] for p in doc['processes']] == [100, 101, 102, 103, 104],
       'json: rows in tree order')
    ok([p['depth'] for p in doc['processes']] == [0, 1, 2, 1, 1] and
       [p['ppid'] for p in doc['processes']] == [1, 100, 101, 100, 100], 'json: depth, ppid')
    p = {p['pid']: p for p in doc['processes']}
    ok(list(p[100].keys()) == ['pid', 'ppid', 'depth', 'comm', 'flags', 'mm_shared_with'] + FIELDS,
       'json: field names and order as cowstat.rst, "What is counted"', list(p[100].keys()))
    want = {'rss': 4445, 'anon': 4121, 'file': 324, 'shared': 3214, 'private': 1231,
            'anon_shared': 3082, 'anon_private': 1039, 'cow_broken': 5, 'swap': 0,
            'zero': 0, 'ksm': 0, 'thp': 0, 'cow_faults': None, 'skipped_vmas': 1}
    ok({f: p[100].get(f) for f in want} == want,
       'json: counts of 100, cow_faults null', p[100])
    ok(p[101]['cow_faults'] == 7 and p[101]['thp'] == 512 and p[101]['comm'] == 'worker 1',
       'json: 101 values')
    ok(p[102]['comm'] == 'w"q\\' and p[102]['flags'] == ['mm_shared'] and
       p[102]['mm_shared_with'] == 101, 'json: 102 comm escapes, mm_shared_with')
    ok(p[103]['flags'] == ['not_permitted'] and all(p[103][f] is None for f in FIELDS),
       'json: not_permitted row: every count null')
    ok(p[104]['flags'] == ['no_mm'] and p[104]['rss'] == 0 and p[104]['cow_faults'] is None,
       'json: no_mm row: zeros, cow_faults null')
    ok(p[100]['mm_shared_with'] is None and p[100]['flags'] == [], 'json: no flags: [] and null')
    ok('vmas' not in p[100], 'json: no vmas without --vmas')
    want = {'processes': 5, 'rss': 8695, 'anon': 8240, 'file': 455, 'shared': 6432,
            'private': 2263, 'anon_shared': 6169, 'anon_private': 2071,
            'cow_broken': 1037, 'swap': 3, 'zero': 2, 'ksm': 0, 'thp': 512,
            'cow_faults': 7, 'skipped_vmas': 2, 'unique': 5500, 'saved': 3195}
    ok(list(doc['totals']) == ['processes'] + FIELDS + ['unique', 'saved'] and
       {f: doc['totals'][f] for f in want} == want, 'json: totals', doc['totals'])

out = emit('json-vmas')
try:
    doc = json.loads(out.decode('utf-8'))
    ok(True, 'json --vmas: parses')
except ValueError as e:
    doc = None
    ok(False, 'json --vmas: parses', e)
if doc:
    p = {p['pid']: p for p in doc['processes']}
    v = p[100]['vmas']
    ok(len(v) == 2 and len(p[101]['vmas']) == 1 and p[102]['vmas'] == [] and
       p[103]['vmas'] == [], 'json --vmas: a vmas array on every row')
    ok(v[0]['start'] == '0x55ae6565f000' and v[0]['end'] == '0x55ae65660000' and
       v[0]['offset'] == '0x0' and v[0]['perms'] == 'r--p' and v[0]['name'] == '/usr/bin/server',
       'json --vmas: addresses as hex strings, perms, name', v[0])
    ok(v[1]['name'] is None and v[1]['rss'] == 4096 and v[1]['cow_broken'] == 5 and
       'cow_faults' not in v[1] and 'skipped_vmas' not in v[1],
       'json --vmas: anonymous VMA: name null; page fields only', v[1])
    ok(int(v[1]['start'], 16) < int(v[1]['end'], 16), 'json --vmas: hex parses back')

out = emit('json-odd')
try:
    text = out.decode('utf-8')
    ok(True, 'json odd comms: output is valid UTF-8')
except UnicodeDecodeError as e:
    text = None
    ok(False, 'json odd comms: output is valid UTF-8', e)
ok(not re.search(rb'[\x00-\x1f\x7f]', out.replace(b'\n', b'')),
   'json odd comms: no raw control byte in the output')
ok(b'"bad\\u00ff\\u00fe"' in out, 'json odd comms: invalid bytes as \\u00XX')
ok('caf\u00e9 \u20ac' in (text or ''), 'json odd comms: valid UTF-8 passes through raw')
if text:
    try:
        doc = json.loads(text)
        ok(True, 'json odd comms: parses')
    except ValueError as e:
        doc = None
        ok(False, 'json odd comms: parses', e)
    if doc:
        got = [p['comm'] for p in doc['processes']]
        want = [want_str(c) for c in ODD]
        for i, (g, w) in enumerate(zip(got, want)):
            ok(g == w, 'json odd comm %d %r' % (i, ODD[i]), '%r != %r' % (g, w))
        ok(len(got) == len(want), 'json odd comms: every row')

# Prometheus ----------------------------------------------------------------

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r'^(%s)(?:\{((?:%s)(?:,%s)*)\})? (\S+)$' % (NAME, LABEL, LABEL))


def unescape(v):
    return re.sub(r'\\(.)', lambda m: {'\\': '\\', '"': '"', 'n': '\n'}[m.group(1)], v)


def parse_prom(text):
    """Check the exposition format; return ({name: type}, [(name, labels, value)])."""
    errors, types, helps, samples, done = [], {}, {}, [], set()
    current = None
    if not text.endswith('\n'):
        errors.append('no final newline')
    for i, line in enumerate(text.split('\n')[:-1], 1):
        m = re.match(r'^# (HELP|TYPE) (%s) (.*)$' % NAME, line)
        if m:
            kind, name, rest = m.groups()
            table = helps if kind == 'HELP' else types
            if name in table:
                errors.append('line %d: second %s for %s' % (i, kind, name))
            if name in done:
                errors.append('line %d: %s after the samples of %s' % (i, kind, name))
            if kind == 'TYPE' and rest not in ('gauge', 'counter'):
                errors.append('line %d: type %s' % (i, rest))
            if kind == 'TYPE' and name not in helps:
                errors.append('line %d: TYPE before HELP' % i)
            table[name] = rest
            if current and current != name:
                done.add(current)
            current = name
            continue
        m = SAMPLE.match(line)
        if not m:
            errors.append('line %d: not a sample: %r' % (i, line))
            continue
        name = m.group(1)
        if name not in types:
            errors.append('line %d: %s without TYPE' % (i, name))
        if name in done or (current and current != name):
            errors.append('line %d: samples of %s not together' % (i, name))
        current = name
        labels = dict((k, unescape(v)) for k, v in re.findall(LABEL, m.group(2) or ''))
        try:
            value = float(m.group(len(m.groups())))
        except ValueError:
            errors.append('line %d: value' % i)
            continue
        samples.append((name, labels, value))
    for name, t in types.items():
        if t == 'counter' and not name.endswith('_total'):
            errors.append('counter %s without _total' % name)
    return errors, types, samples


out = emit('prometheus')
try:
    text = out.decode('utf-8')
    ok(True, 'prometheus: valid UTF-8')
except UnicodeDecodeError as e:
    text = ''
    ok(False, 'prometheus: valid UTF-8', e)
errors, types, samples = parse_prom(text)
ok(not errors, 'prometheus: exposition format (HELP/TYPE once, before samples, grouped)',
   '\n'.join(errors))
ok(types.get('cowstat_cow_faults_total') == 'counter' and
   types.get('cowstat_rss_pages') == 'gauge' and types.get('cowstat_tree_cow_faults') == 'gauge',
   'prometheus: types')
by = {(s[0], s[1].get('pid')): s for s in samples}
ok(by.get(('cowstat_rss_pages', '101'), (0, {}, 0))[2] == 4250 and
   by[('cowstat_rss_pages', '101')][1] == {'root': '100', 'pid': '101', 'comm': 'worker 1'},
   'prometheus: a process sample and its labels')
ok(('cowstat_rss_pages', '103') not in by, 'prometheus: no counts for the not-permitted row')
ok(('cowstat_cow_faults_total', '100') not in by and
   by.get(('cowstat_cow_faults_total', '101'), (0, 0, 0))[2] == 7,
   'prometheus: cow_faults only where available')
ok(by.get(('cowstat_tree_saved_pages', None), (0, 0, 0))[2] == 3195 and
   by.get(('cowstat_tree_unique_pages', None), (0, 0, 0))[2] == 5500 and
   by.get(('cowstat_tree_processes', None), (0, 0, 0))[2] == 5 and
   by.get(('cowstat_page_size_bytes', None), (0, 0, 0))[2] == 4096,
   'prometheus: tree metrics')
info = by.get(('cowstat_process_info', '102'), (0, {}, 0))
ok(info[1] == {'root': '100', 'pid': '102', 'ppid': '101', 'depth': '2', 'comm': 'w"q\\',
               'flags': 'mm_shared_with=101'} and info[2] == 1,
   'prometheus: process_info labels, escaped comm', info)
ok(len(set(s[0] for s in samples)) == len(types), 'prometheus: no family without samples')
pages = {(s[0][:-len('_pages')], tuple(sorted(s[1].items()))): s[2]
         for s in samples if s[0].endswith('_pages')}
nbytes = {(s[0][:-len('_bytes')], tuple(sorted(s[1].items()))): s[2]
          for s in samples if s[0].endswith('_bytes') and s[0] != 'cowstat_page_size_bytes'}
# the page fields of the four rows with counts, and of the tree with unique and saved
ok(len(pages) == 5 * len(PAGE_FIELDS) + 2 and pages.keys() == nbytes.keys() and
   all(nbytes[k] == 4096 * v for k, v in pages.items()),
   'prometheus: every _pages sample has a _bytes twin, 4096 times its value',
   sorted(set(pages) ^ set(nbytes)))

out = emit('prometheus-odd')
try:
    text = out.decode('utf-8')
    ok(True, 'prometheus odd comms: valid UTF-8')
except UnicodeDecodeError as e:
    text = ''
    ok(False, 'prometheus odd comms: valid UTF-8', e)
errors, types, samples = parse_prom(text)
ok(not errors, 'prometheus odd comms: exposition format', '\n'.join(errors))
got = [s[1]['comm'] for s in samples if s[0] == 'cowstat_rss_pages']
want = [want_str(c) for c in ODD]
ok(got == want, 'prometheus odd comms: label values decode to the comm', '%r\n%r' % (got, want))

print('1..%d' % n)
sys.exit(1 if failed else 0)
