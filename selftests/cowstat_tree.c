// SPDX-License-Identifier: GPL-2.0
/*
 * The tree itself (cowstat.rst, "What is counted") and the walk's behaviour:
 * rows without an mm, rows that share an mm, a reaped root, comm escaping,
 * delay accounting (never for a row without an mm), a process whose main thread
 * has exited, PID namespaces, a 10,000-process chain, swap, and a reader killed
 * in the middle of a walk.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <time.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"

static char *read_tree(pid_t root)
{
	if (cs_select(root))
		return NULL;
	return cs_read(CS_DIR "/tree");
}

static int count_rows(const char *tree)
{
	struct cs_tree_row r;
	const char *line;
	int n = 0;

	for (line = tree; line; line = cs_next_line(line))
		n += !cs_parse_tree_row(line, &r);
	return n;
}

TEST(zombie_child_is_a_no_mm_row)
{
	struct cs_tree_row r;
	pid_t kid = fork();
	char *tree;
	int i;

	ASSERT_LE(0, kid);
	if (!kid)
		_exit(0);
	ASSERT_EQ(0, cs_wait_zombie(kid));	/* a zombie until we reap it */
	tree = read_tree(getpid());
	ASSERT_NE(NULL, tree);
	ASSERT_EQ(0, cs_find_tree_row(tree, kid, &r));
	EXPECT_STREQ("no_mm", r.flags);
	EXPECT_EQ(-1, r.cow_faults);
	for (i = 0; i < F_NR; i++)
		EXPECT_EQ(0, r.p.v[i]);
	free(tree);
	waitpid(kid, NULL, 0);
}

TEST(zombie_root_is_one_no_mm_row_and_reaped_root_is_esrch)
{
	pid_t kid = fork();
	char *tree;

	ASSERT_LE(0, kid);
	if (!kid)
		_exit(0);
	ASSERT_EQ(0, cs_wait_zombie(kid));
	tree = read_tree(kid);
	ASSERT_NE(NULL, tree);
	EXPECT_EQ(1, count_rows(tree));
	EXPECT_NE(NULL, strstr(tree, " no_mm "));
	free(tree);

	waitpid(kid, NULL, 0);
	/* The selection stays; reading it now fails with ESRCH, for each file. */
	errno = 0;
	EXPECT_EQ(NULL, cs_read(CS_DIR "/tree"));
	EXPECT_EQ(ESRCH, errno);
	errno = 0;
	EXPECT_EQ(NULL, cs_read(CS_DIR "/summary"));
	EXPECT_EQ(ESRCH, errno);
	errno = 0;
	EXPECT_EQ(NULL, cs_read(CS_DIR "/vmas"));
	EXPECT_EQ(ESRCH, errno);
	cs_select(1);
}

TEST(kernel_thread_root)
{
	char *tree = read_tree(2);	/* kthreadd and its kernel threads */
	struct cs_tree_row r;

	ASSERT_NE(NULL, tree);
	ASSERT_EQ(0, cs_find_tree_row(tree, 2, &r));
	EXPECT_STREQ("no_mm", r.flags);
	EXPECT_EQ(0, r.p.v[F_RSS]);
	EXPECT_LT(1, count_rows(tree));
	EXPECT_EQ(0, cs_summary_value(NULL, "rss"));
	free(tree);
	cs_select(1);
}

static void clone_vm(void *arg)
{
	if (cs_clone_vm() < 0)
		_exit(1);
}

TEST(clone_vm_child_shares_the_mm)
{
	struct cs_tree_row p, kid_row;
	char flag[64], *tree;
	pid_t parent;

	/* A paused parent, so that its mm does not change between reads. */
	parent = cs_spawn(clone_vm, NULL);
	ASSERT_LT(0, parent);
	tree = read_tree(parent);
	ASSERT_NE(NULL, tree);
	ASSERT_EQ(2, count_rows(tree));
	ASSERT_EQ(0, cs_find_tree_row(tree, parent, &p));
	ASSERT_EQ(0, cs_parse_tree_row(strchr(strchr(strchr(tree, '\n') + 1, '\n') + 1, '\n') + 1, &kid_row));
	snprintf(flag, sizeof(flag), "mm_shared_with=%d", parent);
	EXPECT_STREQ(flag, kid_row.flags);
	EXPECT_STREQ("-", p.flags);
	/* Both rows show the mm; the totals count it once. */
	EXPECT_EQ(p.p.v[F_RSS], kid_row.p.v[F_RSS]);
	EXPECT_LT(0, p.p.v[F_RSS]);
	EXPECT_EQ(p.p.v[F_RSS], cs_summary_value(NULL, "rss"));
	EXPECT_EQ(p.p.v[F_ANON], cs_summary_value(NULL, "anon"));
	EXPECT_EQ(p.skipped_vmas, cs_summary_value(NULL, "skipped_vmas"));
	EXPECT_EQ(2, cs_summary_value(NULL, "processes"));
	free(tree);
	cs_select(1);
	/* Its CLONE_VM child dies with it (SIGKILL to the group's members). */
	kill(kid_row.pid, SIGKILL);
	cs_reap(parent);
}

TEST(comm_is_escaped)
{
	const char name[] = "a b\\c\n\001\377";
	struct cs_tree_row r;
	char *tree, c;
	int fds[2];
	pid_t kid;

	ASSERT_EQ(0, pipe(fds));
	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid) {
		prctl(PR_SET_NAME, name);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(fds[0], &c, 1));	/* named */
	tree = read_tree(getpid());
	ASSERT_NE(NULL, tree);
	ASSERT_EQ(0, cs_find_tree_row(tree, kid, &r));
	EXPECT_STREQ("a b\\134c\\012\\001\\377", r.comm);
	free(tree);
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
}

static void write_pages(void *arg)
{
	char *r = arg;

	cs_touch(r, 0, 20, 2);
}

TEST(cow_faults_from_delay_accounting)
{
	const char *knob = "/proc/sys/kernel/task_delayacct";
	struct cs_tree_row me, kid_row;
	char *r, *tree;
	pid_t kid;

	if (access(knob, W_OK))
		SKIP(return, "no %s", knob);
	r = cs_region(32, 0);
	ASSERT_NE(NULL, r);
	cs_touch(r, 0, 32, 1);
	/* Only tasks forked while delay accounting is on keep counts. */
	ASSERT_EQ(0, cs_write_str(knob, "1"));
	kid = cs_spawn(write_pages, r);
	cs_write_str(knob, "0");
	ASSERT_LT(0, kid);

	tree = read_tree(getpid());
	ASSERT_NE(NULL, tree);
	ASSERT_EQ(0, cs_find_tree_row(tree, getpid(), &me));
	ASSERT_EQ(0, cs_find_tree_row(tree, kid, &kid_row));
	EXPECT_EQ(-1, me.cow_faults);
	EXPECT_LE(20, kid_row.cow_faults);
	EXPECT_EQ(kid_row.cow_faults, cs_summary_value(NULL, "cow_faults"));
	free(tree);
	cs_reap(kid);
}

/* A zombie's threads keep their delay counters; the row shows none (spec 2). */
TEST(zombie_has_no_cow_faults)
{
	const char *knob = "/proc/sys/kernel/task_delayacct";
	struct cs_tree_row row;
	char *r, *tree;
	int fds[2];
	pid_t kid;
	char c;

	if (access(knob, W_OK))
		SKIP(return, "no %s", knob);
	r = cs_region(32, 0);
	ASSERT_NE(NULL, r);
	cs_touch(r, 0, 32, 1);
	ASSERT_EQ(0, pipe(fds));
	ASSERT_EQ(0, cs_write_str(knob, "1"));
	kid = fork();
	cs_write_str(knob, "0");
	ASSERT_LE(0, kid);
	if (!kid) {
		write_pages(r);		/* 20 COW copies, counted */
		_exit(write(fds[1], "x", 1) != 1);
	}
	close(fds[1]);
	ASSERT_EQ(1, read(fds[0], &c, 1));
	close(fds[0]);
	ASSERT_EQ(0, cs_wait_zombie(kid));	/* exited, not reaped */
	tree = read_tree(getpid());
	ASSERT_NE(NULL, tree);
	ASSERT_EQ(0, cs_find_tree_row(tree, kid, &row));
	EXPECT_STREQ("no_mm", row.flags);
	EXPECT_EQ(-1, row.cow_faults) TH_LOG("a no_mm row reported cow_faults");
	free(tree);
	waitpid(kid, NULL, 0);
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/* Write 40 pages, start a thread, and end the main thread. */
static void leader_exits(void *arg)
{
	char *r = cs_region(40, 0);
	pthread_t t;

	if (!r || pthread_create(&t, NULL, sleeper, NULL))
		_exit(1);
	cs_touch(r, 0, 40, 3);
	/* The thread alone (pthread_exit() would need libgcc_s in the VM). */
	syscall(SYS_exit, 0);
}

static long long rollup_rss_kb(pid_t pid, pid_t tid)
{
	char path[64], *s, *rss;
	long long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/smaps_rollup", pid, tid);
	s = cs_read(path);
	rss = s ? strstr(s, "\nRss:") : NULL;
	if (rss)
		kb = atoll(rss + 5);
	free(s);
	return kb;
}

/*
 * A process whose main thread called pthread_exit() while another runs is
 * walked through that thread's mm, never no_mm (cowstat.rst, "What is
 * counted").
 */
TEST(process_whose_leader_exited_is_walked)
{
	struct cs_tree_row row;
	pid_t kid, tid = 0;
	char path[64], *tree;
	long long kb;
	int i;

	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid) {
		leader_exits(NULL);
		_exit(2);
	}
	/* Until the leader is a zombie and the other thread is listed. */
	for (i = 0; i < 1000 && !tid; i++) {
		char *st;
		DIR *d;
		struct dirent *e;

		snprintf(path, sizeof(path), "/proc/%d/stat", kid);
		st = cs_read(path);
		if (st && strstr(st, ") Z ")) {
			snprintf(path, sizeof(path), "/proc/%d/task", kid);
			d = opendir(path);
			while (d && (e = readdir(d)))
				if (atoi(e->d_name) > 0 && atoi(e->d_name) != kid)
					tid = atoi(e->d_name);
			if (d)
				closedir(d);
		}
		free(st);
		if (!tid)
			usleep(10000);
	}
	ASSERT_NE(0, tid) TH_LOG("the leader did not exit");
	/*
	 * The live thread's smaps_rollup sees the same mm.  The thread may
	 * still fault a page on its way into pause() (its stack, a lazily
	 * bound symbol): compare with a walk that the same rss was seen
	 * before and after, as often as it takes for one to fall in a still
	 * moment.
	 */
	for (i = 0, tree = NULL; i < 100; i++) {
		free(tree);
		kb = rollup_rss_kb(kid, tid);
		tree = read_tree(kid);
		ASSERT_NE(NULL, tree);
		if (rollup_rss_kb(kid, tid) == kb)
			break;
	}
	ASSERT_EQ(0, cs_find_tree_row(tree, kid, &row));
	EXPECT_STREQ("-", row.flags);
	EXPECT_LE(40, row.p.v[F_ANON_PRIVATE]);
	EXPECT_EQ(kb * 1024, (long long)row.p.v[F_RSS] * getpagesize());
	free(tree);
	cs_select(1);
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
}

static void pidns_child(void *arg)
{
	int *out = arg;

	/* We are PID 1 of a new namespace; fork a child there and read. */
	out[0] = cs_spawn(NULL, NULL);
}

TEST(pid_namespace)
{
	struct cs_tree_row r;
	int fds[2], st;
	char buf[4096], *tree;
	ssize_t n;
	pid_t kid;

	ASSERT_EQ(0, pipe(fds));
	if (unshare(CLONE_NEWPID))
		SKIP(return, "unshare(CLONE_NEWPID): %s", strerror(errno));
	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid) {
		int inner[1];

		pidns_child(inner);
		tree = read_tree(getpid());
		n = tree ? strlen(tree) : 0;
		if (write(fds[1], tree ? tree : "", n) != n)
			_exit(1);
		_exit(getpid() == 1 && inner[0] == 2 ? 0 : 2);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	/* Inside: the namespace's PIDs; its init's parent is not visible. */
	ASSERT_EQ(0, cs_find_tree_row(buf, 1, &r));
	EXPECT_EQ(0, r.ppid);
	EXPECT_EQ(0, r.depth);
	ASSERT_EQ(0, cs_find_tree_row(buf, 2, &r));
	EXPECT_EQ(1, r.ppid);
	EXPECT_EQ(1, r.depth);
	EXPECT_EQ(2, count_rows(buf));
	cs_select(1);
}

/*
 * The chain's length: 10,000 processes, or COWSTAT_CHAIN_LEN (2 to 10,000).
 * The VM runner shortens it on the KASAN/lockdep kernels, where building
 * and reaping 10,000 processes is most of the suite's time; any recursion
 * over the tree would still overflow a kernel stack at 2,000.
 */
#define CHAIN_MAX 10000
#define CHAIN_STACK 16384

static char *chain_stacks;
static int chain_pipe;
static long chain_len = CHAIN_MAX;

static int chain_link(void *arg)
{
	long i = (long)arg;

	if (!i)		/* a process group of its own, to kill it whole */
		syscall(SYS_setpgid, 0, 0);
	if (i + 1 < chain_len) {
		if (clone(chain_link, chain_stacks + (i + 2) * CHAIN_STACK,
			  CLONE_VM | SIGCHLD, (void *)(i + 1)) < 0)
			syscall(SYS_write, chain_pipe, "e", 1);
	} else {
		syscall(SYS_write, chain_pipe, "x", 1);
	}
	for (;;)
		syscall(SYS_pause);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

FIXTURE(chain) {
	pid_t first;
};

FIXTURE_SETUP(chain)
{
	const char *len = getenv("COWSTAT_CHAIN_LEN");
	char *s = cs_read("/proc/sys/kernel/threads-max");

	if (len && atol(len) >= 2 && atol(len) <= CHAIN_MAX)
		chain_len = atol(len);
	/* A KASAN kernel's larger stacks make the default limit ~8,000. */
	if (s && atoi(s) < 2 * CHAIN_MAX)
		cs_write_str("/proc/sys/kernel/threads-max", "20000");
	free(s);
	self->first = 0;
}

/* Whatever is left of the chain (after a failure): kill and reap it. */
FIXTURE_TEARDOWN(chain)
{
	if (self->first > 0)
		kill(-self->first, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

/* Building 10,000 processes under emulation takes a while. */
TEST_F_TIMEOUT(chain, of_many_processes, 600)
{
	double t0 = now();
	struct cs_tree_row r, last = { 0 };
	const char *line;
	char c, *tree;
	int fds[2], rows = 0, chained = 1;
	pid_t first, prev = 0;
	static pid_t pids[CHAIN_MAX];

	chain_stacks = mmap(NULL, (chain_len + 2UL) * CHAIN_STACK, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, chain_stacks);
	ASSERT_EQ(0, pipe(fds));
	chain_pipe = fds[1];
	/* Orphans come back to us, so that we can reap them all. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	first = clone(chain_link, chain_stacks + CHAIN_STACK, CLONE_VM | SIGCHLD, (void *)0L);
	ASSERT_LT(0, first);
	self->first = first;
	ASSERT_EQ(1, read(fds[0], &c, 1));
	ASSERT_EQ('x', c) TH_LOG("the chain could not be built");
	TH_LOG("chain of %ld built in %.1f s", chain_len, now() - t0);
	t0 = now();
	tree = read_tree(first);
	TH_LOG("tree read in %.2f s", now() - t0);
	ASSERT_NE(NULL, tree);
	for (line = tree; line; line = cs_next_line(line)) {
		if (cs_parse_tree_row(line, &r))
			continue;
		if (rows && (r.ppid != prev || r.depth != rows))
			chained = 0;
		prev = r.pid;
		last = r;
		if (rows < chain_len)
			pids[rows] = r.pid;
		rows++;
	}
	EXPECT_EQ(chain_len, rows);
	EXPECT_TRUE(chained);
	EXPECT_EQ(chain_len - 1, last.depth);
	EXPECT_EQ(0, strncmp(last.flags, "mm_shared_with=", 15));
	EXPECT_EQ(chain_len, cs_summary_value(NULL, "processes"));
	free(tree);
	cs_select(1);

	/*
	 * Kill from the leaf up, one at a time: each death then reparents at
	 * most one zombie, where killing the whole group at once makes the
	 * kernel reparent thousands under tasklist_lock and, under emulation,
	 * stalls RCU.
	 */
	t0 = now();
	while (rows-- > 0) {
		kill(pids[rows < chain_len ? rows : chain_len - 1], SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	self->first = 0;
	TH_LOG("chain reaped in %.1f s", now() - t0);
}

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static char *swap_region;

static void write_and_page_out(void *arg)
{
	cs_touch(swap_region, 0, 256, 6);
	madvise(swap_region, 256 * getpagesize(), MADV_PAGEOUT);
}

/* Pages of @pid in [@start, @start + @n pages) that pagemap says are swapped. */
static int pagemap_swapped(pid_t pid, char *start, int n)
{
	char path[64];
	uint64_t e;
	int fd, i, swapped = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++) {
		off_t off = ((uintptr_t)start / getpagesize() + i) * 8;

		if (pread(fd, &e, 8, off) != 8)
			return -1;
		swapped += !!(e & (1ULL << 62));
	}
	close(fd);
	return swapped;
}

FIXTURE(zram) {
	int on;
};

FIXTURE_SETUP(zram)
{
	self->on = 0;
	if (access("/sys/block/zram0/disksize", W_OK))
		SKIP(return, "no zram device");
	cs_write_str("/sys/block/zram0/reset", "1");
	ASSERT_EQ(0, cs_write_str("/sys/block/zram0/disksize", "64M"));
	ASSERT_EQ(0, system("mkswap /dev/zram0 >/dev/null 2>&1"));
	ASSERT_EQ(0, swapon("/dev/zram0", 0));
	self->on = 1;
}

FIXTURE_TEARDOWN(zram)
{
	if (self->on)
		swapoff("/dev/zram0");
}

TEST_F(zram, swapped_out_pages_count_as_swap)
{
	struct cs_pages p;
	char *vmas;
	pid_t kid;
	int want;

	swap_region = cs_region(256, 0);
	ASSERT_NE(NULL, swap_region);
	cs_touch(swap_region, 0, 256, 1);
	kid = cs_spawn(write_and_page_out, NULL);
	ASSERT_LT(0, kid);
	ASSERT_EQ(0, cs_select(getpid()));
	vmas = cs_read(CS_DIR "/vmas");
	ASSERT_NE(NULL, vmas);
	ASSERT_EQ(0, cs_find_vma(vmas, kid, swap_region, &p));
	free(vmas);
	want = pagemap_swapped(kid, swap_region, 256);
	cs_reap(kid);
	ASSERT_LT(0, want) TH_LOG("MADV_PAGEOUT swapped nothing out");
	EXPECT_EQ(want, p.v[F_SWAP]);
	EXPECT_EQ(256 - want, p.v[F_RSS]);
	cs_select(1);
}

static char *big;

FIXTURE(killed) {};
FIXTURE_SETUP(killed) {}
FIXTURE_TEARDOWN(killed) {}

/*
 * A reader killed in the middle of a walk returns promptly: the walk
 * checks for a fatal signal after every page table.
 */
TEST_F_TIMEOUT(killed, reader_returns_promptly, 300)
{
	const int pages = 65536, kids = 32;
	pid_t kid[32], reader, root = getpid();
	double t0, walk, died;
	int i, fds[2];
	char c, *s;

	big = cs_region(pages, 0);
	ASSERT_NE(NULL, big);
	cs_touch(big, 0, pages, 1);
	for (i = 0; i < kids; i++)
		kid[i] = cs_spawn(NULL, NULL);

	ASSERT_EQ(0, cs_select(root));
	t0 = now();
	s = cs_read(CS_DIR "/vmas");
	walk = now() - t0;
	ASSERT_NE(NULL, s);
	free(s);
	TH_LOG("a whole walk takes %.2f s", walk);

	ASSERT_EQ(0, pipe(fds));
	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		s = cs_read(CS_DIR "/vmas");
		_exit(s ? 0 : 1);
	}
	ASSERT_EQ(1, read(fds[0], &c, 1));
	usleep(walk * 1e6 / 5);
	t0 = now();
	kill(reader, SIGKILL);
	waitpid(reader, NULL, 0);
	died = now() - t0;
	TH_LOG("killed at 1/5 of the walk, it was gone after %.3f s", died);
	for (i = 0; i < kids; i++)
		cs_reap(kid[i]);
	if (walk < 0.3)
		SKIP(return, "a walk of %.2f s is too quick to interrupt reliably", walk);
	EXPECT_GT(walk / 2, died);
}

static long read_long(const char *path)
{
	char *s = cs_read(path);
	long v = s ? atol(s) : -1;

	free(s);
	return v;
}

FIXTURE(ksm) {
	int on;
};

FIXTURE_SETUP(ksm)
{
	self->on = 0;
	if (access("/sys/kernel/mm/ksm/run", W_OK) || access("/proc/self/ksm_merging_pages", R_OK))
		SKIP(return, "no KSM");
	cs_write_str("/sys/kernel/mm/ksm/pages_to_scan", "1000");
	cs_write_str("/sys/kernel/mm/ksm/sleep_millisecs", "10");
	ASSERT_EQ(0, cs_write_str("/sys/kernel/mm/ksm/run", "1"));
	self->on = 1;
}

FIXTURE_TEARDOWN(ksm)
{
	if (self->on)
		cs_write_str("/sys/kernel/mm/ksm/run", "2");	/* unmerge all */
}

/* Identical pages merged by ksmd: counted in ksm, as the kernel counts them. */
TEST_F_TIMEOUT(ksm, merged_pages_count_as_ksm, 120)
{
	size_t ps = getpagesize();
	struct cs_pages p;
	long merged = 0;
	char *r, *vmas;
	int i;

	r = cs_region(64, 0);
	ASSERT_NE(NULL, r);
	memset(r, 0x5a, 64 * ps);
	ASSERT_EQ(0, madvise(r, 64 * ps, MADV_MERGEABLE));
	for (i = 0; i < 600 && merged < 64; i++) {
		usleep(100000);
		merged = read_long("/proc/self/ksm_merging_pages");
	}
	if (merged <= 0)
		SKIP(return, "ksmd merged nothing in 60 s");
	ASSERT_EQ(0, cs_select(getpid()));
	vmas = cs_read(CS_DIR "/vmas");
	ASSERT_NE(NULL, vmas);
	ASSERT_EQ(0, cs_find_vma(vmas, getpid(), r, &p));
	free(vmas);
	merged = read_long("/proc/self/ksm_merging_pages");
	EXPECT_EQ(merged, p.v[F_KSM]);
	EXPECT_EQ(64, p.v[F_RSS]);
	/* One KSM page mapped 64 times: all shared, none COW-broken. */
	EXPECT_EQ(64, p.v[F_SHARED]);
	EXPECT_EQ(0, p.v[F_COW_BROKEN]);
	cs_select(1);
}

FIXTURE(yield) {};
FIXTURE_SETUP(yield) {}
FIXTURE_TEARDOWN(yield) {}

/*
 * A writer of the walked mm waits for one page table, not for the walk:
 * the walker drops mmap_lock when a writer is queued, as smaps_rollup does.
 * Counted, not timed, so that the host's speed does not matter: a walk
 * that never yielded would let through only what opening and reading the
 * file and finding the tree let through, the count measured on a tree
 * without the writer's mm; one that yields between its 4,096 page tables
 * lets many more through.
 */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

TEST_F_TIMEOUT(yield, walk_yields_to_mmap_writers, 300)
{
	/*
	 * 2M PTEs of the zero page: a long walk of one mm, in 16 MiB of RAM
	 * (8M took the debug kernel past the timeout to populate).
	 */
	const size_t len = 8UL << 30;
	struct cs_writer w;
	long base, during;
	pid_t idle;
	char *r;

	/* Forked first, so that it has none of the mapping below. */
	idle = cs_spawn(NULL, NULL);
	ASSERT_LT(0, idle);
	r = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	madvise(r, len, MADV_NOHUGEPAGE);
	if (madvise(r, len, MADV_POPULATE_READ)) {
		cs_reap(idle);
		SKIP(return, "MADV_POPULATE_READ: %s", strerror(errno));
	}

	ASSERT_EQ(0, cs_writer_start(&w));
	base = cs_mmaps_baseline(&w, idle);
	/*
	 * A walk that never yields lets about @base through; 10 more is a
	 * margin against noise, not a rate (2 * base + 20 failed once on a
	 * loaded host: 33 during against 13).  The best of up to five walks
	 * (cs_mmaps_during_reads()).
	 */
	during = base < 0 ? -1 : cs_mmaps_during_reads(&w, getpid(), base + 10);
	TH_LOG("the writer's mmap()s completed: %ld while a tree without its mm was read, %ld during one walk of its 2M PTEs (the best of up to five)",
	       base, during);
	cs_writer_stop(&w);
	munmap(r, len);
	cs_reap(idle);
	cs_select(1);
	ASSERT_LE(0, base);
	EXPECT_LE(base + 10, during);
}

TEST_HARNESS_MAIN
