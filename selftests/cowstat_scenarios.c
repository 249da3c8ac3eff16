// SPDX-License-Identifier: GPL-2.0
/*
 * The expected results of spec section 4, exactly: a dedicated anonymous
 * region of N pages that the parent (the test process, root of the walked
 * tree) wrote in full before forking, read back from the vmas file.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"

#define N 64

static char *region;
static size_t ps;

/* The counts of @pid's VMA at @start, from one walk of our tree. */
static int counts(pid_t pid, const void *start, struct cs_pages *out)
{
	char *vmas;
	int ret;

	if (cs_select(getpid()))
		return -1;
	vmas = cs_read(CS_DIR "/vmas");
	if (!vmas)
		return -1;
	ret = cs_find_vma(vmas, pid, start, out);
	free(vmas);
	return ret;
}

/* Check anon_shared, anon_private and cow_broken of @pid over the region. */
static void expect_asb(struct __test_metadata *_metadata, pid_t pid,
		       unsigned long long shared, unsigned long long private,
		       unsigned long long broken)
{
	struct cs_pages p;

	ASSERT_EQ(0, counts(pid, region, &p));
	if (p.v[F_ANON_SHARED] != shared || p.v[F_ANON_PRIVATE] != private ||
	    p.v[F_COW_BROKEN] != broken)
		TH_LOG("pid %d: anon_shared %llu anon_private %llu cow_broken %llu",
		       pid, p.v[F_ANON_SHARED], p.v[F_ANON_PRIVATE], p.v[F_COW_BROKEN]);
	EXPECT_EQ(shared, p.v[F_ANON_SHARED]);
	EXPECT_EQ(private, p.v[F_ANON_PRIVATE]);
	EXPECT_EQ(broken, p.v[F_COW_BROKEN]);
	EXPECT_EQ(p.v[F_ANON], p.v[F_RSS]);
	EXPECT_EQ(0, p.v[F_ZERO]);
}

FIXTURE(region) {
	pid_t kids[4];
};

FIXTURE_SETUP(region)
{
	ps = getpagesize();
	region = cs_region(N, 0);
	ASSERT_NE(NULL, region);
	cs_touch(region, 0, N, 1);
	memset(self->kids, 0, sizeof(self->kids));
}

FIXTURE_TEARDOWN(region)
{
	int i;

	for (i = 0; i < 4; i++)
		cs_reap(self->kids[i]);
}

static void write_some(void *arg)
{
	long spec = (long)arg;	/* first page << 16 | count */

	cs_touch(region, spec >> 16, spec & 0xffff, 2);
}

#define SPEC(first, n) ((void *)(((long)(first) << 16) | (n)))

TEST_F(region, fork_nobody_writes)
{
	int i;

	for (i = 0; i < 3; i++)
		self->kids[i] = cs_spawn(NULL, NULL);
	expect_asb(_metadata, getpid(), N, 0, 0);
	for (i = 0; i < 3; i++)
		expect_asb(_metadata, self->kids[i], N, 0, 0);
}

TEST_F(region, children_write)
{
	int w[3] = { 3, 10, 20 }, i;

	/* Child j writes w[j] pages of its own part of the region. */
	for (i = 0; i < 3; i++)
		self->kids[i] = cs_spawn(write_some, SPEC(i * 21, w[i]));
	for (i = 0; i < 3; i++)
		expect_asb(_metadata, self->kids[i], N - w[i], w[i], w[i]);
	/* The parent's pages are still mapped by the other two children. */
	expect_asb(_metadata, getpid(), N, 0, 0);
}

TEST_F(region, parent_writes_after_fork)
{
	self->kids[0] = cs_spawn(NULL, NULL);
	cs_touch(region, 5, 7, 3);
	expect_asb(_metadata, getpid(), N - 7, 7, 7);
	expect_asb(_metadata, self->kids[0], N - 7, 7, 0);
}

TEST_F(region, every_child_writes_page_p)
{
	int i;

	for (i = 0; i < 3; i++)
		self->kids[i] = cs_spawn(write_some, SPEC(9, 1));
	expect_asb(_metadata, getpid(), N - 1, 1, 0);
	for (i = 0; i < 3; i++)
		expect_asb(_metadata, self->kids[i], N - 1, 1, 1);
}

static char *new_region;

static void map_and_write(void *arg)
{
	new_region = cs_region(16, 0);
	if (new_region)
		cs_touch(new_region, 0, 16, 5);
}

/* The child's VMA of 16 pages that we do not have: its new region. */
static int count_new_regions(struct __test_metadata *_metadata, pid_t kid)
{
	const char *line;
	char *vmas;
	struct cs_pages p;
	unsigned long s, e;
	int pid, found = 0;

	if (cs_select(getpid()))
		return -1;
	vmas = cs_read(CS_DIR "/vmas");
	if (!vmas)
		return -1;
	for (line = vmas; line; line = cs_next_line(line)) {
		if (sscanf(line, "%d %lx-%lx", &pid, &s, &e) != 3 || pid != kid ||
		    e - s != 16 * ps || !cs_find_vma(vmas, getpid(), (void *)s, &p))
			continue;
		cs_find_vma(vmas, kid, (void *)s, &p);
		EXPECT_EQ(16, p.v[F_ANON_PRIVATE]);
		EXPECT_EQ(0, p.v[F_COW_BROKEN]);
		found++;
	}
	free(vmas);
	return found;
}

TEST_F(region, child_maps_new_region)
{
	pid_t kid;

	kid = self->kids[0] = cs_spawn(map_and_write, NULL);
	ASSERT_LT(0, kid);
	EXPECT_EQ(1, count_new_regions(_metadata, kid));
	expect_asb(_metadata, kid, N, 0, 0);
}

static void fork_grandchild(void *arg)
{
	pid_t *gc = arg;

	/* The grandchild writes 4 pages, then the child writes 6 others. */
	*gc = cs_spawn(write_some, SPEC(0, 4));
	cs_touch(region, 30, 6, 7);
	/* Tell the grandparent the grandchild's PID through the region. */
	memcpy(region + (N - 1) * ps, gc, sizeof(*gc));
}

/* The PID of the one row of depth 2 whose parent is @kid, or 0. */
static pid_t find_grandchild(pid_t kid)
{
	struct cs_tree_row r;
	pid_t gc = 0;
	const char *line;
	char *tree;

	if (cs_select(getpid()))
		return 0;
	tree = cs_read(CS_DIR "/tree");
	for (line = tree; line; line = cs_next_line(line))
		if (!cs_parse_tree_row(line, &r) && r.depth == 2 && r.ppid == kid)
			gc = r.pid;
	free(tree);
	return gc;
}

TEST_F(region, grandchildren)
{
	pid_t gc = 0, kid;

	kid = self->kids[0] = cs_spawn(fork_grandchild, &gc);
	ASSERT_LT(0, kid);
	gc = find_grandchild(kid);
	ASSERT_LT(0, gc);
	/* Child: 6 + 1 pages written (one holds the PID): all broken. */
	expect_asb(_metadata, kid, N - 7, 7, 7);
	/* Grandchild: its 4 writes are breaks. */
	expect_asb(_metadata, gc, N - 4, 4, 4);
	/* The root's copies of the child's 7 pages are still shared with the
	 * grandchild, and of the grandchild's 4 with the child.
	 */
	expect_asb(_metadata, getpid(), N, 0, 0);
}

static void *thread_writer(void *arg)
{
	write_some(arg);
	return NULL;
}

static void threaded_writes(void *arg)
{
	pthread_t t[4];
	int i;

	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, thread_writer, SPEC(i * 10, 3 + i));
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void threaded_writes_and_stay(void *arg)
{
	pthread_t t;

	threaded_writes(arg);
	/* Keep threads alive while the tree is read: still one row. */
	pthread_create(&t, NULL, sleeper, NULL);
	pthread_create(&t, NULL, sleeper, NULL);
}

TEST_F(region, child_with_threads_is_one_row)
{
	const char *line;
	char *tree;
	struct cs_tree_row r;
	int rows = 0;
	pid_t kid;

	kid = self->kids[0] = cs_spawn(threaded_writes_and_stay, NULL);
	expect_asb(_metadata, kid, N - 18, 18, 18);
	ASSERT_EQ(0, cs_select(getpid()));
	tree = cs_read(CS_DIR "/tree");
	ASSERT_NE(NULL, tree);
	for (line = tree; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		rows += !cs_parse_tree_row(line, &r);
	free(tree);
	EXPECT_EQ(2, rows);
}

static void drop_write_read(void *arg)
{
	volatile char sink;
	int i;

	madvise(region, 10 * ps, MADV_DONTNEED);
	cs_touch(region, 0, 5, 9);
	for (i = 5; i < 8; i++)
		sink = region[i * ps];
	(void)sink;
}

TEST_F(region, dontneed_write_read)
{
	struct cs_pages p;
	pid_t kid;

	kid = self->kids[0] = cs_spawn(drop_write_read, NULL);
	ASSERT_EQ(0, counts(kid, region, &p));
	EXPECT_EQ(5, p.v[F_COW_BROKEN]);	/* the known limit */
	EXPECT_EQ(5, p.v[F_ANON_PRIVATE]);
	EXPECT_EQ(3, p.v[F_ZERO]);
	EXPECT_EQ(N - 10, p.v[F_ANON_SHARED]);
	EXPECT_EQ(N - 10 + 5, p.v[F_RSS]);
	expect_asb(_metadata, getpid(), N - 10, 10, 0);
}

TEST_F(region, parent_then_child_write_same_pages)
{
	struct cs_pages pp, pc;
	int go[2], done[2];
	pid_t kid;
	char c;

	/* One pipe each way: a shared one let the parent read its own cue. */
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* Wait for the parent's writes, then write the same pages. */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		cs_touch(region, 20, 5, 8);
		if (write(done[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	self->kids[0] = kid;
	cs_touch(region, 20, 5, 4);
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_EQ(0, counts(getpid(), region, &pp));
	ASSERT_EQ(0, counts(kid, region, &pc));
	/* Five breaks in the tree; the kernel moved the child's reused pages
	 * to its own anon_vma, so the child is charged (third known limit). */
	EXPECT_EQ(5, pp.v[F_COW_BROKEN] + pc.v[F_COW_BROKEN]);
	EXPECT_EQ(0, pp.v[F_COW_BROKEN]);
	EXPECT_EQ(5, pc.v[F_COW_BROKEN]);
	EXPECT_EQ(5, pp.v[F_ANON_PRIVATE]);
	EXPECT_EQ(5, pc.v[F_ANON_PRIVATE]);
}

TEST(read_never_written_is_zero)
{
	volatile char sink;
	struct cs_pages p;
	char *r;
	int i;

	ps = getpagesize();
	r = cs_region(N, 0);
	ASSERT_NE(NULL, r);
	for (i = 0; i < N; i++)
		sink = r[i * ps];
	(void)sink;
	ASSERT_EQ(0, counts(getpid(), r, &p));
	EXPECT_EQ(N, p.v[F_ZERO]);
	EXPECT_EQ(0, p.v[F_RSS]);
}

static int thp_available(void)
{
	char *s = cs_read("/sys/kernel/mm/transparent_hugepage/enabled");
	int ok = s && !strstr(s, "[never]");

	free(s);
	return ok;
}

TEST(thp_read_never_written_is_huge_zero)
{
	volatile char sink;
	struct cs_pages p;
	char *r;
	int i;

	if (!thp_available())
		SKIP(return, "transparent huge pages are disabled");
	ps = getpagesize();
	r = cs_region(512, 1);
	ASSERT_NE(NULL, r);
	for (i = 0; i < 512; i++)
		sink = r[i * ps];
	(void)sink;
	ASSERT_EQ(0, counts(getpid(), r, &p));
	if (p.v[F_ZERO] == 512 && p.v[F_THP] == 0 && p.v[F_RSS] == 0)
		return;
	/* use_zero_page may be off: then the read faulted in a real THP. */
	if (p.v[F_THP] == 512)
		SKIP(return, "the huge zero page is not in use");
	EXPECT_EQ(512, p.v[F_ZERO]);
	EXPECT_EQ(0, p.v[F_THP]);
	EXPECT_EQ(0, p.v[F_RSS]);
}

static char *thp;

static void write_one_byte(void *arg)
{
	thp[100 * ps + 17] = 42;
}

TEST(thp_child_writes_one_byte)
{
	struct cs_pages p, c;
	pid_t kid;

	if (!thp_available())
		SKIP(return, "transparent huge pages are disabled");
	ps = getpagesize();
	thp = cs_region(512, 1);
	ASSERT_NE(NULL, thp);
	cs_touch(thp, 0, 512, 1);
	ASSERT_EQ(0, counts(getpid(), thp, &p));
	if (p.v[F_THP] != 512)
		SKIP(return, "no PMD-mapped THP could be allocated (thp=%llu)", p.v[F_THP]);

	kid = cs_spawn(write_one_byte, NULL);
	ASSERT_LT(0, kid);
	ASSERT_EQ(0, counts(getpid(), thp, &p));
	ASSERT_EQ(0, counts(kid, thp, &c));
	cs_reap(kid);
	EXPECT_EQ(511, p.v[F_SHARED]);
	EXPECT_EQ(1, p.v[F_PRIVATE]);
	EXPECT_EQ(0, p.v[F_COW_BROKEN]);
	EXPECT_EQ(512, p.v[F_THP]);
	EXPECT_EQ(511, c.v[F_SHARED]);
	EXPECT_EQ(1, c.v[F_PRIVATE]);
	EXPECT_EQ(1, c.v[F_COW_BROKEN]);
	EXPECT_EQ(0, c.v[F_THP]);
}

TEST_HARNESS_MAIN
