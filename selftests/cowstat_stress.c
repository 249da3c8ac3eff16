// SPDX-License-Identifier: GPL-2.0
/*
 * A storm: readers walk one tree in parallel through debugfs (tree, vmas,
 * summary) for 60 seconds (COWSTAT_STRESS_SECS; the VM runner shortens it on
 * the debug kernels) while the tree forks and exits, execs, creates
 * and ends threads, mmaps, munmaps, mremaps (moving and growing),
 * mprotects (splitting and merging VMAs), madvises (DONTNEED, HUGEPAGE,
 * NOHUGEPAGE, COLLAPSE, MERGEABLE with ksmd running, PAGEOUT to zram swap)
 * and splits THPs, and memory is compacted (migration entries).  Every snapshot keeps the per-row invariants; once the
 * tree settles, every row matches the pagemap oracle, the VMA rows add up
 * to the process rows and the summary to the rows.  The VM runner checks
 * that the kernel log stays clean.
 *
 * The tree's root is this binary exec'd again (COWSTAT_STRESS_ROOT), so
 * that it shares no anonymous page with the test process, whose readers
 * allocate as they go.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/swap.h>
#include <time.h>

#include "kselftest_harness.h"
#include "cowstat_pagemap.h"

/*
 * The storm's length; COWSTAT_STRESS_SECS sets another (selftests/vm/run.sh
 * passes a shorter one to the KASAN/lockdep kernels, whose suites are most
 * of make check's time).
 */
#define STORM_SECONDS	60
#define WORKERS		3
#define READERS		2
#define MAX_PROCS	256

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double storm_seconds(void)
{
	const char *s = getenv("COWSTAT_STRESS_SECS");

	return s && atof(s) > 0 ? atof(s) : STORM_SECONDS;
}

/* ---- the tree: runs in the exec'd root and its descendants ---- */

#define SHARED_PAGES	1024
#define THP_SIZE	(2UL << 20)
#define MAX_REGIONS	8
#define MAX_KIDS	4
#define MAX_THREADS	4

static size_t ps;
static char *shared;		/* written by the root before forking */
static char *thp;		/* 2 THPs written by the root before forking */
static volatile sig_atomic_t stop;

struct region {
	char *p;
	size_t pages;
};

struct worker {
	unsigned int seed;
	struct region r[MAX_REGIONS];
	pid_t kids[MAX_KIDS];
	pthread_t threads[MAX_THREADS];
	int nthreads;
};

static unsigned int rnd(struct worker *w, unsigned int n)
{
	return rand_r(&w->seed) % n;
}

static void on_stop(int sig)
{
	stop = 1;
}

/* A thread that writes a few pages of the shared region and ends. */
static void *writer_thread(void *arg)
{
	unsigned int seed = (uintptr_t)arg;
	int i;

	for (i = 0; i < 8; i++)
		shared[(rand_r(&seed) % SHARED_PAGES) * ps] = 5;
	return NULL;
}

/* A short-lived child: writes, maybe forks a grandchild or execs, exits. */
static void transient_child(struct worker *w, int how)
{
	char *envp[] = { "COWSTAT_STRESS_EXEC=1", NULL };
	char *argv[] = { "cowstat_stress", NULL };
	int i;

	for (i = 0; i < 16; i++)
		shared[rnd(w, SHARED_PAGES) * ps] = 6;
	if (how == 1) {
		execve("/proc/self/exe", argv, envp);
		_exit(1);
	}
	if (how == 2 && fork() == 0) {
		shared[rnd(w, SHARED_PAGES) * ps] = 7;
		usleep(rnd(w, 20000));
		_exit(0);
	}
	usleep(rnd(w, 30000));
	_exit(0);
}

static void reap_kids(struct worker *w, int all)
{
	int i;

	for (i = 0; i < MAX_KIDS; i++) {
		if (!w->kids[i])
			continue;
		if (all)
			kill(w->kids[i], SIGKILL);
		if (waitpid(w->kids[i], NULL, all ? 0 : WNOHANG) == w->kids[i])
			w->kids[i] = 0;
	}
	/* Grandchildren whose parent exited come back to the subreaper. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void touch_region(struct worker *w, struct region *r)
{
	size_t i, n = 1 + rnd(w, r->pages);

	for (i = 0; i < n; i++)
		r->p[rnd(w, r->pages) * ps] = 1;
}

/* One random operation on the worker's own regions and the shared ones. */
static void storm_op(struct worker *w)
{
	struct region *r = &w->r[rnd(w, MAX_REGIONS)];
	size_t len = r->pages * ps, off;
	void *p;
	int i;

	switch (rnd(w, 14)) {
	case 0: case 1:		/* fork (and exit), exec, grandchildren */
		for (i = 0; i < MAX_KIDS && w->kids[i]; i++)
			;
		if (i == MAX_KIDS)
			break;
		w->kids[i] = fork();
		if (!w->kids[i])
			transient_child(w, rnd(w, 3));
		if (w->kids[i] < 0)
			w->kids[i] = 0;
		break;
	case 2:			/* threads come and go */
		if (w->nthreads == MAX_THREADS) {
			while (w->nthreads)
				pthread_join(w->threads[--w->nthreads], NULL);
		} else if (!pthread_create(&w->threads[w->nthreads], NULL, writer_thread,
					   (void *)(uintptr_t)rand_r(&w->seed))) {
			w->nthreads++;
		}
		break;
	case 3:			/* mmap or munmap */
		if (r->p) {
			munmap(r->p, len);
			r->p = NULL;
			break;
		}
		r->pages = 16 + rnd(w, 512);
		r->p = mmap(NULL, r->pages * ps, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r->p == MAP_FAILED)
			r->p = NULL;
		else
			touch_region(w, r);
		break;
	case 4:			/* mremap: grow (maybe moving) or move */
		if (!r->p)
			break;
		if (rnd(w, 2)) {
			p = mremap(r->p, len, 2 * len, MREMAP_MAYMOVE);
			if (p != MAP_FAILED) {
				r->p = p;
				r->pages *= 2;
				if (r->pages > 4096) {
					munmap(r->p, r->pages * ps);
					r->p = NULL;
				}
			}
		} else {
			p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p != MAP_FAILED) {
				p = mremap(r->p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, p);
				if (p != MAP_FAILED)
					r->p = p;
			}
		}
		break;
	case 5:			/* mprotect: split, then merge again */
		if (!r->p || r->pages < 4)
			break;
		off = (1 + rnd(w, r->pages - 2)) * ps;
		mprotect(r->p + off, ps, PROT_READ);
		usleep(rnd(w, 2000));
		mprotect(r->p + off, ps, PROT_READ | PROT_WRITE);
		break;
	case 6:			/* MADV_DONTNEED, then write again */
		if (!r->p)
			break;
		off = rnd(w, r->pages) * ps;
		madvise(r->p + off, ps * (1 + rnd(w, 8)) > len - off ? len - off :
			ps * (1 + rnd(w, 8)), MADV_DONTNEED);
		touch_region(w, r);
		break;
	case 7:			/* THP on and off, collapse */
		if (!r->p)
			break;
		madvise(r->p, len, rnd(w, 2) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		madvise(thp, 2 * THP_SIZE, MADV_COLLAPSE);
		break;
	case 8:			/* split a THP: protect or drop one of its pages */
		off = rnd(w, 2 * THP_SIZE / ps) * ps;
		if (rnd(w, 2)) {
			mprotect(thp + off, ps, PROT_READ);
			mprotect(thp + off, ps, PROT_READ | PROT_WRITE);
		} else {
			madvise(thp + off, ps, MADV_DONTNEED);
		}
		thp[off] = 8;
		break;
	case 9:			/* KSM */
		if (r->p) {
			memset(r->p, 0x5a, len);
			madvise(r->p, len, rnd(w, 3) ? MADV_MERGEABLE : MADV_UNMERGEABLE);
		}
		break;
	case 10:		/* swap out to zram */
		madvise(shared + rnd(w, SHARED_PAGES / 2) * ps, 64 * ps, MADV_PAGEOUT);
		if (r->p)
			madvise(r->p, len, MADV_PAGEOUT);
		break;
	default:		/* COW breaks and faults */
		for (i = 0; i < 32; i++)
			shared[rnd(w, SHARED_PAGES) * ps] = 9;
		if (r->p)
			touch_region(w, r);
		break;
	}
	reap_kids(w, 0);
}

/* A worker of the storm: random operations until told to stop, then settles. */
static void worker_main(int id, int ack)
{
	struct worker w = { .seed = getpid() * 2654435761u + id };
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	while (!stop)
		storm_op(&w);
	/*
	 * Settle: no transient child, grandchild (they come back to us, the
	 * subreaper) or thread left, khugepaged kept off.
	 */
	reap_kids(&w, 1);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	while (w.nthreads)
		pthread_join(w.threads[--w.nthreads], NULL);
	for (i = 0; i < MAX_REGIONS; i++)
		if (w.r[i].p)
			madvise(w.r[i].p, w.r[i].pages * ps, MADV_NOHUGEPAGE);
	madvise(thp, 2 * THP_SIZE, MADV_NOHUGEPAGE);
	madvise(shared, SHARED_PAGES * ps, MADV_NOHUGEPAGE);
	if (write(ack, "w", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/*
 * The root of the storm: the shared region and two THPs written before
 * forking the workers; then commands from the test on @cmd ('s': settle),
 * answers on @ack ('r' ready, 'd' settled).
 */
static void storm_root(int cmd, int ack)
{
	struct sigaction sa = { .sa_handler = on_stop };
	pid_t workers[WORKERS];
	int wp[2], i;
	char *base, c;

	ps = getpagesize();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigaction(SIGUSR1, &sa, NULL);
	shared = mmap(NULL, SHARED_PAGES * ps, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	base = mmap(NULL, 3 * THP_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || base == MAP_FAILED || pipe(wp))
		_exit(1);
	madvise(shared, SHARED_PAGES * ps, MADV_NOHUGEPAGE);
	thp = (char *)(((uintptr_t)base + THP_SIZE - 1) & ~(THP_SIZE - 1));
	madvise(thp, 2 * THP_SIZE, MADV_HUGEPAGE);
	memset(shared, 1, SHARED_PAGES * ps);
	memset(thp, 1, 2 * THP_SIZE);
	for (i = 0; i < WORKERS; i++) {
		workers[i] = fork();
		if (!workers[i]) {
			close(wp[0]);
			worker_main(i, wp[1]);
		}
	}
	if (write(ack, "r", 1) != 1 || read(cmd, &c, 1) != 1)
		_exit(1);
	for (i = 0; i < WORKERS; i++)
		kill(workers[i], SIGUSR1);
	for (i = 0; i < WORKERS; i++)
		if (read(wp[0], &c, 1) != 1)
			_exit(1);
	madvise(thp, 2 * THP_SIZE, MADV_NOHUGEPAGE);
	if (write(ack, "d", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/* Runs before the harness: the exec'd root, or an exec'd transient child. */
__attribute__((constructor)) static void stress_exec_modes(void)
{
	const char *root = getenv("COWSTAT_STRESS_ROOT");
	int cmd, ack;
	char *p;

	if (getenv("COWSTAT_STRESS_EXEC")) {
		/* A transient child after exec: fault some memory and go. */
		p = malloc(64 * 4096);
		if (p)
			memset(p, 3, 64 * 4096);
		usleep(20000);
		_exit(0);
	}
	if (root && sscanf(root, "%d,%d", &cmd, &ack) == 2)
		storm_root(cmd, ack);
}

/* ---- the test: readers, then the settled comparison ---- */

struct readers {
	volatile int stop;
	pid_t root;
	long snapshots, bad_rows, failed_reads;
	char first_bad[256];
	pthread_mutex_t lock;
};

static int row_ok(const struct cs_pages *p)
{
	return p->v[F_SHARED] + p->v[F_PRIVATE] == p->v[F_RSS] &&
	       p->v[F_ANON] + p->v[F_FILE] == p->v[F_RSS] &&
	       p->v[F_ANON_SHARED] + p->v[F_ANON_PRIVATE] == p->v[F_ANON] &&
	       p->v[F_COW_BROKEN] <= p->v[F_ANON_PRIVATE];
}

static void bad(struct readers *rd, const char *what, const char *line)
{
	pthread_mutex_lock(&rd->lock);
	if (!rd->bad_rows++)
		snprintf(rd->first_bad, sizeof(rd->first_bad), "%s: %.*s", what,
			 (int)strcspn(line, "\n"), line);
	pthread_mutex_unlock(&rd->lock);
}

static void check_tree(struct readers *rd, const char *text)
{
	struct cs_tree_row r;
	const char *line;

	for (line = text; line && *line; line = cs_next_line(line))
		if (!cs_parse_tree_row(line, &r) && !row_ok(&r.p))
			bad(rd, "tree", line);
}

static void check_vmas(struct readers *rd, const char *text)
{
	const char *line, *rest;

	for (line = text; line && *line; line = cs_next_line(line)) {
		unsigned long s, e;
		unsigned long long off;
		struct cs_pages p;
		char perms[8];
		int pid, n;

		if (sscanf(line, "%d %lx-%lx %7s %llx%n", &pid, &s, &e, perms, &off, &n) != 5)
			continue;
		rest = cs_parse_pages(line + n, &p);
		if (!rest || !row_ok(&p))
			bad(rd, "vmas", line);
	}
}

static void check_summary(struct readers *rd, const char *text)
{
	struct cs_pages p;
	char v[64];
	int i;

	for (i = 0; i < F_NR; i++) {
		if (cs_summary_get(text, cs_fields[i], v, sizeof(v))) {
			bad(rd, "summary lacks a field", cs_fields[i]);
			return;
		}
		p.v[i] = strtoull(v, NULL, 10);
	}
	if (!row_ok(&p))
		bad(rd, "summary", text);
}

static void *reader_main(void *arg)
{
	static const char * const files[] = { "tree", "vmas", "summary" };
	struct readers *rd = arg;
	unsigned int k = 0;

	while (!rd->stop) {
		const char *f = files[k++ % 3];
		char path[64], *text;

		snprintf(path, sizeof(path), CS_DIR "/%s", f);
		text = cs_read(path);
		pthread_mutex_lock(&rd->lock);
		if (text)
			rd->snapshots++;
		else
			rd->failed_reads++;
		pthread_mutex_unlock(&rd->lock);
		if (!text)
			continue;
		if (*f == 't')
			check_tree(rd, text);
		else if (*f == 'v')
			check_vmas(rd, text);
		else
			check_summary(rd, text);
		free(text);
	}
	return NULL;
}

/*
 * Compaction now and then during the storm: it migrates pages, so the
 * walks meet migration entries.
 */
static void *compactor_main(void *arg)
{
	struct readers *rd = arg;
	int i;

	while (!rd->stop) {
		cs_write_str("/proc/sys/vm/compact_memory", "1");
		for (i = 0; i < 20 && !rd->stop; i++)
			usleep(100000);
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

FIXTURE(storm) {
	int swap_on, ksm_on;
	pid_t root;
};

FIXTURE_SETUP(storm)
{
	self->ksm_on = 0;
	self->root = 0;
	self->swap_on = cs_swap_on();
	if (!access("/sys/kernel/mm/ksm/run", W_OK)) {
		cs_write_str("/sys/kernel/mm/ksm/pages_to_scan", "1000");
		cs_write_str("/sys/kernel/mm/ksm/sleep_millisecs", "10");
		self->ksm_on = !cs_write_str("/sys/kernel/mm/ksm/run", "1");
	}
	TH_LOG("swap %s, ksm %s", self->swap_on >= 0 ? "on" : "off",
	       self->ksm_on ? "on" : "off");
}

FIXTURE_TEARDOWN(storm)
{
	if (self->root > 0) {
		kill(self->root, SIGKILL);
		waitpid(self->root, NULL, 0);
	}
	if (self->ksm_on)
		cs_write_str("/sys/kernel/mm/ksm/run", "2");
	if (self->swap_on == 1)
		cs_swap_off();
	cs_select(1);
}

/* Compare one settled process with the oracle. */
static void expect_oracle(struct __test_metadata *_metadata,
			  const struct cs_tree_row *r, uint64_t **pfns,
			  size_t *npfns, size_t *cap)
{
	static const int fields[] = {
		F_RSS, F_ANON, F_FILE, F_SHARED, F_PRIVATE, F_ANON_SHARED,
		F_ANON_PRIVATE, F_SWAP, F_ZERO,
	};
	struct cs_pages o;
	size_t i;

	ASSERT_EQ(0, oracle(r->pid, &o, pfns, npfns, cap)) TH_LOG("oracle of %d", r->pid);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int f = fields[i];

		if (o.v[f] != r->p.v[f])
			TH_LOG("pid %d %s: oracle %llu, cowstat %llu", r->pid,
			       cs_fields[f], o.v[f], r->p.v[f]);
		EXPECT_EQ(o.v[f], r->p.v[f]);
	}
}

TEST_F_TIMEOUT(storm, readers_during_a_storm_then_oracle, 600)
{
	struct readers rd = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct cs_tree_row rows[MAX_PROCS], r;
	int cmd[2], ack[2], i, j, nrows = 0;
	uint64_t *pfns = NULL;
	size_t npfns = 0, cap = 0, uniq;
	pthread_t t[READERS], compactor;
	char env[64], c, v[64], *tree, *vmas, *summary;
	const char *line;
	double t0, secs = storm_seconds();

	ASSERT_EQ(0, pipe(cmd));
	ASSERT_EQ(0, pipe(ack));
	self->root = fork();
	ASSERT_LE(0, self->root);
	if (!self->root) {
		char *argv[] = { "cowstat_stress", NULL };
		char *envp[] = { env, NULL };

		snprintf(env, sizeof(env), "COWSTAT_STRESS_ROOT=%d,%d", cmd[0], ack[1]);
		execve("/proc/self/exe", argv, envp);
		_exit(1);
	}
	ASSERT_EQ(1, read(ack[0], &c, 1));
	ASSERT_EQ('r', c);
	ASSERT_EQ(0, cs_select(self->root));

	rd.root = self->root;
	for (i = 0; i < READERS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, reader_main, &rd));
	ASSERT_EQ(0, pthread_create(&compactor, NULL, compactor_main, &rd));
	t0 = now();
	while (now() - t0 < secs)
		sleep(1);
	rd.stop = 1;
	for (i = 0; i < READERS; i++)
		pthread_join(t[i], NULL);
	pthread_join(compactor, NULL);
	TH_LOG("%ld snapshots read in %.0f s, %ld failed reads, %ld rows breaking an invariant",
	       rd.snapshots, now() - t0, rd.failed_reads, rd.bad_rows);
	if (rd.bad_rows)
		TH_LOG("first: %s", rd.first_bad);
	EXPECT_EQ(0, rd.bad_rows);
	EXPECT_EQ(0, rd.failed_reads);
	EXPECT_LE(3, rd.snapshots);	/* a debug kernel reads about 15 */

	/* Settle: workers stop, their transient children and threads end. */
	ASSERT_EQ(1, write(cmd[1], "s", 1));
	ASSERT_EQ(1, read(ack[0], &c, 1));
	ASSERT_EQ('d', c);
	if (self->ksm_on)	/* ksmd would keep merging: unmerge and stop it */
		cs_write_str("/sys/kernel/mm/ksm/run", "2");

	tree = cs_read(CS_DIR "/tree");
	vmas = cs_read(CS_DIR "/vmas");
	summary = cs_read(CS_DIR "/summary");
	ASSERT_NE(NULL, tree);
	ASSERT_NE(NULL, vmas);
	ASSERT_NE(NULL, summary);
	for (line = tree; line && *line; line = cs_next_line(line))
		if (!cs_parse_tree_row(line, &r) && nrows < MAX_PROCS)
			rows[nrows++] = r;
	EXPECT_EQ(1 + WORKERS, nrows);

	for (i = 0; i < nrows; i++) {
		struct cs_pages sum = { 0 };

		EXPECT_STREQ("-", rows[i].flags);
		EXPECT_TRUE(row_ok(&rows[i].p));
		expect_oracle(_metadata, &rows[i], &pfns, &npfns, &cap);
		/* The VMA rows add up to the process row. */
		for (line = vmas; line && *line; line = cs_next_line(line)) {
			unsigned long s, e;
			unsigned long long off;
			struct cs_pages p;
			char perms[8];
			int pid, n;

			if (sscanf(line, "%d %lx-%lx %7s %llx%n", &pid, &s, &e, perms,
				   &off, &n) != 5 || pid != rows[i].pid ||
			    !cs_parse_pages(line + n, &p))
				continue;
			for (j = 0; j < F_NR; j++)
				sum.v[j] += p.v[j];
		}
		for (j = 0; j < F_NR; j++) {
			if (rows[i].p.v[j] != sum.v[j])
				TH_LOG("pid %d %s: row %llu, its VMAs %llu", rows[i].pid,
				       cs_fields[j], rows[i].p.v[j], sum.v[j]);
			EXPECT_EQ(rows[i].p.v[j], sum.v[j]);
		}
	}
	/* The summary is the sum of the rows, and unique the oracle's. */
	for (j = 0; j < F_NR; j++) {
		unsigned long long total = 0;

		for (i = 0; i < nrows; i++)
			total += rows[i].p.v[j];
		ASSERT_EQ(0, cs_summary_get(summary, cs_fields[j], v, sizeof(v)));
		if (total != strtoull(v, NULL, 10))
			TH_LOG("summary %s %s, rows %llu", cs_fields[j], v, total);
		EXPECT_EQ(total, strtoull(v, NULL, 10));
	}
	qsort(pfns, npfns, sizeof(*pfns), cmp_u64);
	for (uniq = 0, i = 0; i < (int)npfns; i++)
		uniq += !i || pfns[i] != pfns[i - 1];
	ASSERT_EQ(0, cs_summary_get(summary, "unique", v, sizeof(v)));
	EXPECT_EQ(uniq, strtoull(v, NULL, 10));
	free(pfns);
	free(tree);
	free(vmas);
	free(summary);
}

TEST_HARNESS_MAIN
