// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat against an independent oracle, and its invariants.
 *
 * The oracle is what userspace can compute on its own from
 * /proc/PID/maps, /proc/PID/pagemap, /proc/kpagecount and /proc/kpageflags
 * for a paused tree: per process rss, anon, file, shared, private,
 * anon_shared, anon_private, zero, thp and swap, and the tree's unique
 * pages.  (cow_broken has no oracle: the kernel keeps no record of it; the
 * scenario tests pin it down.)
 */
#include <fcntl.h>
#include <stdint.h>

#include "kselftest_harness.h"
#include "cowstat_pagemap.h"

#define MAX_PIDS	16

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The paused tree: a root that fills a region and maps a file, three
 * children that write parts of the region, one of which forked a
 * grandchild; everyone then sleeps.
 */
static char *region;

static void child_writes(void *arg)
{
	long n = (long)arg;

	cs_touch(region, 0, n, 3);
	if (n == 40)
		cs_spawn(NULL, NULL);	/* a grandchild */
}

static void build_tree(void *arg)
{
	volatile char sink;
	int fd, i;
	char *f;

	region = cs_region(256, 0);
	cs_touch(region, 0, 256, 1);
	fd = open("/proc/self/exe", O_RDONLY);
	f = mmap(NULL, 8 * getpagesize(), PROT_READ, MAP_PRIVATE, fd, 0);
	if (f != MAP_FAILED)
		for (i = 0; i < 8; i++)
			sink = f[i * getpagesize()];
	(void)sink;
	cs_spawn(child_writes, (void *)10L);
	cs_spawn(child_writes, (void *)40L);
	cs_spawn(child_writes, (void *)100L);
}

FIXTURE(tree) {
	pid_t root;
	char *tree, *vmas, *summary;
	struct cs_tree_row rows[MAX_PIDS];
	int nrows;
};

FIXTURE_SETUP(tree)
{
	const char *line;

	/*
	 * Fault in every page this process maps, now: the tree maps pages of
	 * this binary, and a page of its code first run after cowstat's read
	 * and before the oracle's raised the mapcount of the tree's copy in
	 * between (2 pages private in cowstat, shared in the oracle, on
	 * 6.12-rt).
	 */
	if (mlockall(MCL_CURRENT))
		TH_LOG("mlockall: %s", strerror(errno));
	self->root = cs_spawn(build_tree, NULL);
	ASSERT_LT(0, self->root);
	ASSERT_EQ(0, cs_select(self->root));
	self->tree = cs_read(CS_DIR "/tree");
	self->vmas = cs_read(CS_DIR "/vmas");
	self->summary = cs_read(CS_DIR "/summary");
	ASSERT_NE(NULL, self->tree);
	ASSERT_NE(NULL, self->vmas);
	ASSERT_NE(NULL, self->summary);
	self->nrows = 0;
	for (line = self->tree; line; line = cs_next_line(line))
		if (self->nrows < MAX_PIDS && !cs_parse_tree_row(line, &self->rows[self->nrows]))
			self->nrows++;
}

FIXTURE_TEARDOWN(tree)
{
	/* Killing the root takes its descendants with it (PDEATHSIG). */
	cs_reap(self->root);
	free(self->tree);
	free(self->vmas);
	free(self->summary);
}

TEST_F(tree, shape)
{
	ASSERT_EQ(5, self->nrows);
	EXPECT_EQ(self->root, self->rows[0].pid);
	EXPECT_EQ(0, self->rows[0].depth);
	/* Depth-first: the grandchild follows its parent, the 40-page writer. */
	EXPECT_EQ(1, self->rows[1].depth);
	EXPECT_EQ(1, self->rows[2].depth);
	EXPECT_EQ(2, self->rows[3].depth);
	EXPECT_EQ(self->rows[2].pid, self->rows[3].ppid);
	EXPECT_EQ(1, self->rows[4].depth);
	EXPECT_LT(self->rows[1].pid, self->rows[2].pid);
	EXPECT_LT(self->rows[2].pid, self->rows[4].pid);
	EXPECT_STREQ("cowstat_oracle", self->rows[0].comm);
	EXPECT_STREQ("-", self->rows[0].flags);
}

TEST_F(tree, matches_pagemap_oracle)
{
	uint64_t *pfns = NULL;
	size_t npfns = 0, cap = 0, i, unique = 0;
	static const int fields[] = {
		F_RSS, F_ANON, F_FILE, F_SHARED, F_PRIVATE, F_ANON_SHARED,
		F_ANON_PRIVATE, F_SWAP, F_ZERO, F_THP,
	};
	int r, f;
	char *s;

	for (r = 0; r < self->nrows; r++) {
		struct cs_pages o;

		ASSERT_EQ(0, oracle(self->rows[r].pid, &o, &pfns, &npfns, &cap));
		for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			int k = fields[f];

			if (o.v[k] != self->rows[r].p.v[k])
				TH_LOG("pid %d %s: cowstat %llu, oracle %llu",
				       self->rows[r].pid, cs_fields[k],
				       self->rows[r].p.v[k], o.v[k]);
			EXPECT_EQ(o.v[k], self->rows[r].p.v[k]);
		}
	}
	qsort(pfns, npfns, sizeof(*pfns), cmp_u64);
	for (i = 0; i < npfns; i++)
		unique += !i || pfns[i] != pfns[i - 1];
	free(pfns);
	s = strstr(self->summary, "\nunique: ");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(unique, strtoull(s + 9, NULL, 10));
}

TEST_F(tree, row_invariants)
{
	int r;

	for (r = 0; r < self->nrows; r++) {
		const unsigned long long *v = self->rows[r].p.v;

		EXPECT_EQ(v[F_RSS], v[F_SHARED] + v[F_PRIVATE]);
		EXPECT_EQ(v[F_RSS], v[F_ANON] + v[F_FILE]);
		EXPECT_EQ(v[F_ANON], v[F_ANON_SHARED] + v[F_ANON_PRIVATE]);
		EXPECT_LE(v[F_COW_BROKEN], v[F_ANON_PRIVATE]);
		EXPECT_LE(v[F_KSM], v[F_RSS]);
		EXPECT_LE(v[F_THP], v[F_RSS]);
	}
	/*
	 * The children's writes to the region are COW breaks; the 40-page
	 * writer's copies are shared with its child, so they are not.
	 */
	ASSERT_EQ(5, self->nrows);
	EXPECT_LE(10, self->rows[1].p.v[F_COW_BROKEN]);
	EXPECT_GT(40, self->rows[2].p.v[F_COW_BROKEN]);
	EXPECT_LE(100, self->rows[4].p.v[F_COW_BROKEN]);
}

TEST_F(tree, vma_rows_add_up_to_process_rows)
{
	int r, f;

	for (r = 0; r < self->nrows; r++) {
		struct cs_pages sum = { 0 }, p;
		const char *line;
		int pid, n;

		for (line = self->vmas; line; line = cs_next_line(line)) {
			if (sscanf(line, "%d %*s %*s %*s%n", &pid, &n) != 1 || pid != self->rows[r].pid)
				continue;
			ASSERT_NE(NULL, cs_parse_pages(line + n, &p));
			EXPECT_EQ(p.v[F_RSS], p.v[F_SHARED] + p.v[F_PRIVATE]);
			EXPECT_EQ(p.v[F_ANON], p.v[F_ANON_SHARED] + p.v[F_ANON_PRIVATE]);
			EXPECT_LE(p.v[F_COW_BROKEN], p.v[F_ANON_PRIVATE]);
			for (f = 0; f < F_NR; f++)
				sum.v[f] += p.v[f];
		}
		for (f = 0; f < F_NR; f++) {
			if (self->rows[r].p.v[f] != sum.v[f])
				TH_LOG("pid %d field %d", self->rows[r].pid, f);
			EXPECT_EQ(self->rows[r].p.v[f], sum.v[f]);
		}
	}
}

TEST_F(tree, summary_is_the_sum_of_rows)
{
	unsigned long long sum, skipped = 0;
	int r, f;

	EXPECT_EQ(self->nrows, cs_summary_value(self->summary, "processes"));
	EXPECT_EQ(getpagesize(), cs_summary_value(self->summary, "page_size"));
	EXPECT_EQ(0, strncmp(self->summary, "root: ", 6));
	for (f = 0; f < F_NR; f++) {
		for (sum = 0, r = 0; r < self->nrows; r++)
			sum += self->rows[r].p.v[f];
		EXPECT_EQ(sum, cs_summary_value(self->summary, cs_fields[f]));
	}
	for (r = 0; r < self->nrows; r++)
		skipped += self->rows[r].skipped_vmas;
	EXPECT_EQ(skipped, cs_summary_value(self->summary, "skipped_vmas"));
	EXPECT_EQ(cs_summary_value(self->summary, "rss") - cs_summary_value(self->summary, "unique"),
		  cs_summary_value(self->summary, "saved"));
	/* Delay accounting is off in the test VM unless a test turns it on. */
	EXPECT_NE(NULL, strstr(self->summary, "\ncow_faults: -\n"));
}

TEST_HARNESS_MAIN
