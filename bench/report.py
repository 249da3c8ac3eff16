#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py DATA.tsv KVER DATE OUTDIR

Turn cowstat_bench's records (bench/cowstat_bench.c) into bench/results/:
table.txt (printed too), bench.png (gnuplot: time against mapped pages, per
method) and the last line of make bench:

  bench: cowstat/smaps_rollup=R1 cowstat/pagemap=R2 thp=R3 stall=R4 memory_per_process=B

R1  tree read / smaps_rollup of every process, parent 64 MiB + 64 children
R2  cowstat --json / cowstat --backend=pagemap --json, the same tree, each
    less what running the binary costs (cowstat --version, method exec)
R3  tree read / smaps_rollup, parent 512 MiB THP + 8 children (10% rewritten)
R4  worst mmap()/munmap() iteration in the root while tree reads loop /
    the same while smaps_rollup reads loop, the 64-child tree
B   kernel memory of one tree read, per process, on the 500-child tree (the
    largest, where memory.peak's batch resolution matters least)
"""
import os
import subprocess
import sys

METHODS = ['tree', 'vmas', 'cli', 'rollup', 'smaps', 'pagemap', 'exec']
STALLS = ['tree', 'vmas', 'cli', 'rollup', 'smaps', 'pagemap']
LABEL = {
    'tree': 'debugfs tree', 'vmas': 'debugfs vmas', 'cli': 'cowstat --json',
    'rollup': 'smaps_rollup (all)', 'smaps': 'smaps (all)',
    'pagemap': 'cowstat --backend=pagemap --json', 'none': 'nothing',
    'exec': 'cowstat --version (exec cost)',
}
KIDS64 = '64M+64k'
KIDS500 = '32M+500k'
THPTREE = '512M-THP+8k/10%'


def main():
    data, kver, date, outdir = sys.argv[1:5]
    shapes, times, mem, stall, order, notes = {}, {}, {}, {}, [], []
    for line in open(data):
        f = line.rstrip('\n').split('\t')
        if f[0] == 'shape':
            shapes[f[1]] = (int(f[2]), int(f[3]), int(f[4]))
            order.append(f[1])
        elif f[0] == 'time':
            times[(f[1], f[3])] = (int(f[2]), int(f[4]), int(f[5]), int(f[6]))
        elif f[0] == 'mem':
            mem[f[1]] = tuple(int(x) for x in f[2:8])
        elif f[0] == 'stall':
            stall[(f[1], f[2])] = (int(f[3]), int(f[4]), int(f[5]))
        elif line.startswith('# bench: ') and 'runs per method' in line:
            notes.append(line[9:].strip())

    out = []
    w = out.append
    w(f'cowstat bench, {date}: kernel {kver}, one boot of QEMU TCG (-smp 2),')
    w(f'{"; ".join(notes)}.')
    w('Absolute times are those of software emulation on a shared host; read the ratios.')
    w('')
    w('Median time of one read of the whole tree (ms), and ns per mapped page (rss summed')
    w('over the processes, from the module\'s summary):')
    w('')
    head = f'{"shape":<17}{"procs":>6}{"pages":>9}{"thp":>8}'
    for m in METHODS:
        head += f'{m:>16}'
    w(head)
    for s in order:
        if s not in shapes:
            continue
        procs, pages, thp = shapes[s]
        row = f'{s:<17}{procs:>6}{pages:>9}{thp:>8}'
        for m in METHODS:
            t = times.get((s, m))
            row += f'{"-":>16}' if not t else \
                f'{t[1] / 1e6:>9.1f}/{t[1] / max(pages, 1):>6.0f}'
        w(row)
    w('')
    w('Ratios: tree/rollup (the module against smaps_rollup of every process), cli/pagemap')
    w('(the CLI through the module against the CLI with --backend=pagemap, each less the')
    w('exec column: both run the same binary and print the same JSON), vmas/smaps, and')
    w('pagemap/rollup (the backend, less exec, against smaps_rollup):')
    w('')
    w(f'{"shape":<17}{"tree/rollup":>12}{"cli/pagemap":>12}{"vmas/smaps":>12}{"pagemap/rollup":>15}')

    def t(s, m, less_exec=False):
        v = times[(s, m)][1] if (s, m) in times else float('nan')
        if less_exec and (s, 'exec') in times:
            v = max(v - times[(s, 'exec')][1], 1)
        return v

    def ratio(s, a, b, less_exec=False):
        return t(s, a, less_exec) / t(s, b, less_exec)

    def cli_pm(s):
        return ratio(s, 'cli', 'pagemap', True)

    def pm_rollup(s):
        return t(s, 'pagemap', True) / t(s, 'rollup')
    for s in order:
        w(f'{s:<17}{ratio(s, "tree", "rollup"):>12.2f}{cli_pm(s):>12.2f}'
          f'{ratio(s, "vmas", "smaps"):>12.2f}{pm_rollup(s):>15.2f}')
    w('')
    w('Kernel memory of one tree read: memory.peak of a fresh memory cgroup holding only the')
    w('reader (open + read; the walk\'s own state included), minus the same for a reader that')
    w('reads nothing.  The memcg page counter is charged in batches (64 pages), so small')
    w('values are resolved to about 256 KiB.  (The memory.current growth over N reads held')
    w('open, in data.tsv, came out negative at times: not used.)')
    w('')
    w(f'{"shape":<17}{"procs":>6}{"peak KiB":>10}{"B/process":>10}')
    for s in order:
        if s in mem:
            p, peak, base = mem[s][:3]
            w(f'{s:<17}{p:>6}{(peak - base) / 1024:>10.0f}{(peak - base) / max(p, 1):>10.0f}')
    w('')
    w('mmap()+munmap() latency in a thread of the root while each method reads the tree')
    w('in a loop (worst / 99th percentile, microseconds; "none": nothing reads):')
    w('')
    head = f'{"shape":<17}'
    for m in ['none'] + STALLS:
        head += f'{m:>16}'
    w(head)
    for s in order:
        if not any((s, m) in stall for m in STALLS):
            continue
        row = f'{s:<17}'
        for m in ['none'] + STALLS:
            st = stall.get((s, m))
            row += f'{"-":>16}' if not st else f'{st[0] / 1e3:>9.0f}/{st[1] / 1e3:>6.0f}'
        w(row)
    w('')

    def r(a):
        return 'nan' if a != a else f'{a:.2f}'
    r1 = ratio(KIDS64, 'tree', 'rollup')
    r2 = cli_pm(KIDS64)
    r3 = ratio(THPTREE, 'tree', 'rollup')
    r4 = float('nan')
    if (KIDS64, 'tree') in stall and (KIDS64, 'rollup') in stall:
        r4 = stall[(KIDS64, 'tree')][0] / max(stall[(KIDS64, 'rollup')][0], 1)
    b = 'nan'
    if KIDS500 in mem:
        p, peak, base = mem[KIDS500][:3]
        b = str(round((peak - base) / p))
    w('Targets (issue 10): R1 <= 1.0, R2 <= 0.3, R3 <= 1.0, R4 <= 1.0, memory independent')
    w('of mapped pages, cost per page flat from 128 MiB to 2 GiB (the flat-* and 1x512M rows).')
    w('')
    w(f'bench: cowstat/smaps_rollup={r(r1)} cowstat/pagemap={r(r2)} thp={r(r3)} '
      f'stall={r(r4)} memory_per_process={b}')
    text = '\n'.join(out) + '\n'
    open(os.path.join(outdir, 'table.txt'), 'w').write(text)

    # The plot: median time against mapped pages, one series per method.
    dat = os.path.join(outdir, 'plot.dat')
    with open(dat, 'w') as f:
        for m in METHODS:
            f.write(f'# {m}\n')
            pts = sorted((shapes[s][1], times[(s, m)][1], s) for s in order if (s, m) in times)
            for pages, t, s in pts:
                f.write(f'{pages} {t / 1e6} {s}\n')
            f.write('\n\n')
    png = os.path.join(outdir, 'bench.png')
    gp = f'''set terminal pngcairo size 1100,700 noenhanced
set output "{png}"
set title "cowstat bench {date}, {kver}, QEMU TCG: one read of the whole tree"
set xlabel "mapped pages (rss summed over the tree's processes)"
set ylabel "median time (ms)"
set logscale xy
set key top left
set grid
plot '''
    gp += ', '.join(f'"{dat}" index {i} using 1:2 with points pt {i + 4} ps 1.5 title "{LABEL[m]}"'
                    for i, m in enumerate(METHODS) if m != 'exec')
    subprocess.run(['gnuplot'], input=gp + '\n', text=True, check=True)
    sys.stdout.write(text)


if __name__ == '__main__':
    main()
