#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A multiprocessing pool over a preloaded data set, with or without
gc.freeze() before the fork: the workload of selftests/cowstat_python.c and
of the demo.

    cowstat_python_workload.py [--freeze] [--objects N] [--workers W]
    cowstat_python_workload.py --list-modules

The parent builds N small lists ([i, 'item-i']: each a GC-tracked
container holding an int and a str), then forks a Pool of W workers.  Each
worker takes exactly one task (a barrier holds every worker until all W
have one): it reads its 1/W slice of the data set, which writes the
reference counts of the objects it touches, then runs one full
collection, as a long-lived worker's allocations make the collector do
sooner or later (here explicitly, so that every run does the same work).
Without --freeze that collection walks every tracked object of the data
set and writes its GC header; with --freeze (gc.disable() at start,
gc.freeze() before the fork, gc.enable() in each worker, as the gc
module's documentation says) the data set is in the permanent generation
and the collector leaves it alone.

When every worker is done the parent prints "ready PID" (its own PID; the
workers stay alive and idle) and waits for a line on stdin (or its end)
before it closes the pool.  --list-modules runs a tiny pool and prints the
files of every module loaded (source, byte code, extension), for the VM
runner to copy into the guest.
"""
import gc
import multiprocessing
import os
import sys

data = []
barrier = None


def init(b, freeze):
    global barrier
    barrier = b
    if freeze:
        gc.enable()


def task(args):
    i, workers = args
    barrier.wait()
    n = len(data)
    lo, hi = i * n // workers, (i + 1) * n // workers
    total = 0
    for x in data[lo:hi]:
        total += x[0] + len(x[1])
    gc.collect()
    return os.getpid(), total


def main(argv):
    global data
    freeze = '--freeze' in argv
    objects, workers = 300000, 4
    for k, a in enumerate(argv):
        if a == '--objects':
            objects = int(argv[k + 1])
        elif a == '--workers':
            workers = int(argv[k + 1])
    listing = '--list-modules' in argv
    if listing:
        objects, workers = 1000, 2

    if freeze:
        gc.disable()
    data = [[i, 'item-%d' % i] for i in range(objects)]
    ctx = multiprocessing.get_context('fork')
    b = ctx.Barrier(workers)
    if freeze:
        gc.freeze()
    pool = ctx.Pool(workers, initializer=init, initargs=(b, freeze))
    res = pool.map(task, [(i, workers) for i in range(workers)], chunksize=1)
    if listing:
        pool.close()
        pool.join()
        for m in list(sys.modules.values()):
            for f in (getattr(m, '__file__', None), getattr(m, '__cached__', None)):
                if f and os.path.exists(f):
                    print(os.path.realpath(f))
        return 0
    pids = sorted(set(p for p, _ in res))
    print('workers %s' % ' '.join(str(p) for p in pids))
    print('frozen %d' % gc.get_freeze_count())
    print('ready %d' % os.getpid(), flush=True)
    sys.stdin.readline()
    pool.close()
    pool.join()
    return 0 if len(pids) == workers else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
