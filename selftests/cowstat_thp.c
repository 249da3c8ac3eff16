// SPDX-License-Identifier: GPL-2.0
/*
 * Transparent huge pages where PMD- and PTE-mapped pieces of one folio
 * meet, exactly.  The walker counts a PMD-mapped folio in one step when
 * every page of it has the same mapcount (no PTE maps any page of it
 * anywhere) and page by page otherwise; these trees take each side of that
 * test and both at once, and check every count of the THP region against
 * numbers known in advance, and every process and the tree's unique/saved
 * against the pagemap + kpagecount + kpageflags oracle.
 *
 * Each tree is built by a root process that the test spawns (so that the
 * test process, which reads and compares, is no part of it): the root maps
 * a 512-page MADV_HUGEPAGE region, writes it (one PMD-mapped THP), forks
 * children that do what the test says, and everyone sleeps.
 */
#include <fcntl.h>
#include <stdint.h>

#include "kselftest_harness.h"
#include "cowstat_pagemap.h"

#define HP	512		/* pages of one PMD-mapped THP */
#define MAX_KIDS 4

static size_t ps;
static char *thp;		/* the region, in the root and its children */
static int report[2];		/* root -> test: region address, kids, THP? */

struct shape {
	void (*kid[MAX_KIDS])(void *arg);
	int nkids;
	void (*root_after_fork)(void);
	int misaligned;		/* page indices not 2 MiB aligned */
};

struct built {
	char *thp;
	int huge;		/* the root's region was one PMD-mapped THP */
	pid_t kids[MAX_KIDS];
};

/* Whether the calling process maps @r with a PMD (AnonHugePages). */
static int pmd_mapped(char *r)
{
	char path[64], line[256];
	unsigned long s, e, kb = 0;
	int in = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", getpid());
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2)
			in = s <= (unsigned long)r && (unsigned long)r < e;
		else if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb >= 2048;
}

/*
 * A 512-page region at a 2 MiB aligned address.  With @misaligned, its
 * page indices are 64 pages off that alignment: it is mapped where the
 * address is 64 pages off (an anonymous VMA's page index is its address
 * then), between mappings it cannot merge with (MADV_NOHUGEPAGE), then
 * moved (mremap keeps page indices); an anonymous THP needs only its
 * address aligned.  Its THP then straddles two of the walker's
 * 512-position chunks.  (maps prints 0 as an anonymous VMA's offset, so
 * the test cannot read the page index back.)
 */
static char *thp_region(int misaligned)
{
	char *r = cs_region(HP, 1), *area, *src;
	size_t k;

	if (!r || !misaligned)
		return r;
	area = cs_region(2 * HP, 0);
	if (!area)
		return NULL;
	k = (64 + HP - ((uintptr_t)area / ps) % HP) % HP;
	src = mmap(area + k * ps, HP * ps, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (src == MAP_FAILED)
		return NULL;
	r = mremap(src, HP * ps, HP * ps, MREMAP_MAYMOVE | MREMAP_FIXED, r);
	if (r == MAP_FAILED)
		return NULL;
	madvise(r, HP * ps, MADV_HUGEPAGE);
	return r;
}

static void build(void *arg)
{
	const struct shape *sh = arg;
	struct built b = { 0 };
	int i;

	thp = thp_region(sh->misaligned);
	if (thp) {
		cs_touch(thp, 0, HP, 1);
		b.huge = pmd_mapped(thp);
	}
	b.thp = thp;
	for (i = 0; thp && i < sh->nkids; i++)
		b.kids[i] = cs_spawn(sh->kid[i], NULL);
	if (thp && sh->root_after_fork)
		sh->root_after_fork();
	if (write(report[1], &b, sizeof(b)) != sizeof(b))
		_exit(1);
}

static void write_page_100(void *arg)
{
	thp[100 * ps + 17] = 42;
}

static void write_page_300(void)
{
	thp[300 * ps + 5] = 7;
}

/* Page 0 read-only: the child's PMD is split, its VMA cut in two. */
static void mprotect_page_0_write_page_300(void *arg)
{
	if (mprotect(thp, ps, PROT_READ))
		_exit(1);
	write_page_300();
}

static void mprotect_page_0(void *arg)
{
	if (mprotect(thp, ps, PROT_READ))
		_exit(1);
}

FIXTURE(thp) {
	pid_t root;
	struct built b;
	char *tree, *vmas, *summary;
	int skip;
};

FIXTURE_SETUP(thp)
{
	char *s = cs_read("/sys/kernel/mm/transparent_hugepage/enabled");

	ps = getpagesize();
	self->root = 0;
	self->tree = self->vmas = self->summary = NULL;
	self->skip = !s || strstr(s, "[never]");
	free(s);
	ASSERT_EQ(0, pipe(report));
}

FIXTURE_TEARDOWN(thp)
{
	/* Killing the root takes its descendants with it (PDEATHSIG). */
	if (self->root > 0)
		cs_reap(self->root);
	free(self->tree);
	free(self->vmas);
	free(self->summary);
	close(report[0]);
	close(report[1]);
}

/* Build the tree of @sh; false when no PMD-mapped THP could be made. */
static int build_tree(struct __test_metadata *_metadata,
		      FIXTURE_DATA(thp) *self, const struct shape *sh)
{
	self->root = cs_spawn(build, (void *)sh);
	if (self->root <= 0 || read(report[0], &self->b, sizeof(self->b)) != sizeof(self->b))
		return -1;
	if (!self->b.thp || !self->b.huge)
		return 0;
	thp = self->b.thp;	/* the same address in the tree */
	if (cs_select(self->root))
		return -1;
	/*
	 * Fault in (and un-share, for writable ones) every page this process
	 * maps, now: a page of libc that the checks below would fault in
	 * later raises the mapcount of the tree's copy after cowstat read it
	 * and before the oracle does.
	 */
	if (mlockall(MCL_CURRENT))
		TH_LOG("mlockall: %s", strerror(errno));
	/* Each file is one walk; the tree holds still meanwhile. */
	self->tree = cs_read(CS_DIR "/tree");
	self->vmas = cs_read(CS_DIR "/vmas");
	self->summary = cs_read(CS_DIR "/summary");
	return self->tree && self->vmas && self->summary ? 1 : -1;
}

/* The sum of @pid's vmas rows that lie inside the region. */
static void region_counts(const char *vmas, pid_t pid, struct cs_pages *out)
{
	unsigned long lo = (unsigned long)thp, hi = lo + HP * ps, s, e;
	const char *line;
	struct cs_pages p;
	int pid2, n, f;

	memset(out, 0, sizeof(*out));
	for (line = vmas; line && *line; line = cs_next_line(line)) {
		if (sscanf(line, "%d %lx-%lx %*s %*s%n", &pid2, &s, &e, &n) != 3 ||
		    pid2 != pid || s < lo || e > hi || !cs_parse_pages(line + n, &p))
			continue;
		for (f = 0; f < F_NR; f++)
			out->v[f] += p.v[f];
	}
}

/* Expected counts of the region in one process. */
struct expect {
	int shared, private, broken, thp;
};

static void expect_region(struct __test_metadata *_metadata, const char *vmas,
			  pid_t pid, struct expect x)
{
	struct cs_pages p;

	region_counts(vmas, pid, &p);
	TH_LOG("pid %d region: rss %llu shared %llu private %llu anon_private %llu cow_broken %llu thp %llu",
	       pid, p.v[F_RSS], p.v[F_SHARED], p.v[F_PRIVATE], p.v[F_ANON_PRIVATE],
	       p.v[F_COW_BROKEN], p.v[F_THP]);
	EXPECT_EQ(HP, p.v[F_RSS]);
	EXPECT_EQ(HP, p.v[F_ANON]);
	EXPECT_EQ(0, p.v[F_FILE]);
	EXPECT_EQ(x.shared, p.v[F_SHARED]);
	EXPECT_EQ(x.private, p.v[F_PRIVATE]);
	EXPECT_EQ(x.shared, p.v[F_ANON_SHARED]);
	EXPECT_EQ(x.private, p.v[F_ANON_PRIVATE]);
	EXPECT_EQ(x.broken, p.v[F_COW_BROKEN]);
	EXPECT_EQ(x.thp, p.v[F_THP]);
	EXPECT_EQ(0, p.v[F_ZERO]);
	EXPECT_EQ(0, p.v[F_SWAP]);
	EXPECT_EQ(0, p.v[F_KSM]);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t count_unique(uint64_t *pfns, size_t n)
{
	size_t i, u = 0;

	qsort(pfns, n, sizeof(*pfns), cmp_u64);
	for (i = 0; i < n; i++)
		u += !i || pfns[i] != pfns[i - 1];
	return u;
}

/* The distinct pages that the tree's processes map in the region. */
static size_t region_unique(pid_t *pids, int n)
{
	uint64_t *pfns = malloc(n * HP * sizeof(*pfns)), ent;
	size_t np = 0, i, u;
	char path[64];
	int k, fd;

	for (k = 0; k < n; k++) {
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pids[k]);
		fd = open(path, O_RDONLY);
		for (i = 0; fd >= 0 && i < HP; i++)
			if (!pread_u64(fd, (uintptr_t)thp / ps + i, &ent) &&
			    (ent & PM_PRESENT))
				pfns[np++] = ent & PM_PFN_MASK;
		if (fd >= 0)
			close(fd);
	}
	u = count_unique(pfns, np);
	free(pfns);
	return u;
}

/* Where a process's shared count differs from the oracle's, VMA by VMA. */
static void dump_vma_diff(const char *vmas, pid_t pid)
{
	unsigned long s, e, a;
	uint64_t ent, cnt;
	char path[64], line[512];
	struct cs_pages p;
	FILE *maps;
	int pm, kc;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm = open(path, O_RDONLY);
	kc = open("/proc/kpagecount", O_RDONLY);
	while (maps && pm >= 0 && kc >= 0 && fgets(line, sizeof(line), maps)) {
		unsigned long sh = 0, pr = 0;

		if (sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		for (a = s; a < e; a += ps) {
			if (pread_u64(pm, a / ps, &ent) || !(ent & PM_PRESENT) ||
			    pread_u64(kc, ent & PM_PFN_MASK, &cnt))
				continue;
			if (cnt >= 2)
				sh++;
			else
				pr++;
		}
		if (cs_find_vma(vmas, pid, (void *)s, &p))
			memset(&p, 0, sizeof(p));
		if (sh != p.v[F_SHARED] || pr != p.v[F_PRIVATE])
			printf("# %d %lx-%lx: oracle shared %lu private %lu, cowstat %llu %llu: %s",
			       pid, s, e, sh, pr, p.v[F_SHARED], p.v[F_PRIVATE], line);
	}
	if (maps)
		fclose(maps);
	close(pm);
	close(kc);
}

static unsigned long long summary_value(const char *summary, const char *key)
{
	char v[64];

	return cs_summary_get(summary, key, v, sizeof(v)) ? ~0ULL : strtoull(v, NULL, 10);
}

/*
 * Every row against the oracle, the tree's unique and saved against the
 * oracle's, and the region's distinct pages against @region_pages.
 */
static void check_oracle(struct __test_metadata *_metadata,
			 FIXTURE_DATA(thp) *self, int nrows, size_t region_pages)
{
	/*
	 * Not thp: kpageflags flags every page of a THP, PMD- or PTE-mapped
	 * (expect_region() checks thp exactly).
	 */
	static const int fields[] = {
		F_RSS, F_ANON, F_FILE, F_SHARED, F_PRIVATE, F_ANON_SHARED,
		F_ANON_PRIVATE, F_SWAP, F_ZERO,
	};
	uint64_t *pfns = NULL;
	size_t npfns = 0, cap = 0, unique;
	unsigned long long rss = 0;
	struct cs_tree_row r;
	pid_t pids[MAX_KIDS + 1];
	const char *line;
	int rows = 0, f;

	for (line = self->tree; line && *line; line = cs_next_line(line)) {
		struct cs_pages o;

		if (cs_parse_tree_row(line, &r))
			continue;
		ASSERT_GT(MAX_KIDS + 1, rows);
		pids[rows++] = r.pid;
		ASSERT_EQ(0, oracle(r.pid, &o, &pfns, &npfns, &cap));
		for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			int k = fields[f];

			if (o.v[k] != r.p.v[k])
				TH_LOG("pid %d %s: cowstat %llu, oracle %llu",
				       r.pid, cs_fields[k], r.p.v[k], o.v[k]);
			EXPECT_EQ(o.v[k], r.p.v[k]);
		}
		if (o.v[F_SHARED] != r.p.v[F_SHARED])
			dump_vma_diff(self->vmas, r.pid);
		EXPECT_LE(r.p.v[F_COW_BROKEN], r.p.v[F_ANON_PRIVATE]);
		rss += o.v[F_RSS];
	}
	ASSERT_EQ(nrows, rows);
	unique = count_unique(pfns, npfns);
	free(pfns);
	EXPECT_EQ(unique, summary_value(self->summary, "unique"));
	EXPECT_EQ(rss - unique, summary_value(self->summary, "saved"));
	EXPECT_EQ(region_pages, region_unique(pids, rows));
}

#define SKIP_IF_NO_THP(ret) do {					\
	if (self->skip)							\
		SKIP(return, "transparent huge pages are disabled");	\
	ASSERT_LE(0, ret);						\
	if (!ret)							\
		SKIP(return, "no PMD-mapped THP could be allocated");	\
} while (0)

/* Nobody writes: every page has mapcount 3, the folio counted whole. */
TEST_F(thp, pmd_mapped_everywhere)
{
	static const struct shape sh = { .nkids = 2 };
	int ret = build_tree(_metadata, self, &sh);

	SKIP_IF_NO_THP(ret);
	expect_region(_metadata, self->vmas, self->root, (struct expect){ HP, 0, 0, HP });
	expect_region(_metadata, self->vmas, self->b.kids[0], (struct expect){ HP, 0, 0, HP });
	expect_region(_metadata, self->vmas, self->b.kids[1], (struct expect){ HP, 0, 0, HP });
	check_oracle(_metadata, self, 3, HP);
}

/*
 * The parent PMD-maps, a child rewrites one page: the child's PMD is
 * split and its page 100 copied; the parent's folio has 511 pages of
 * mapcount 2 and one of mapcount 1 (cowstat.rst, "What is counted").
 */
TEST_F(thp, parent_pmd_child_rewrites_one_page)
{
	static const struct shape sh = { .kid = { write_page_100 }, .nkids = 1 };
	int ret = build_tree(_metadata, self, &sh);

	SKIP_IF_NO_THP(ret);
	expect_region(_metadata, self->vmas, self->root, (struct expect){ HP - 1, 1, 0, HP });
	expect_region(_metadata, self->vmas, self->b.kids[0], (struct expect){ HP - 1, 1, 1, 0 });
	check_oracle(_metadata, self, 2, HP + 1);
}

/*
 * Two PMD mappings and a PTE-mapped one of the same folio: the child that
 * keeps its PMD and the parent share every page (page 100's original is
 * still mapped by both), the writer has one broken copy.
 */
static void two_pmds_and_a_split_copy(struct __test_metadata *_metadata,
				      FIXTURE_DATA(thp) *self, int misaligned)
{
	static const struct shape sh[] = {
		{ .kid = { NULL, write_page_100 }, .nkids = 2 },
		{ .kid = { NULL, write_page_100 }, .nkids = 2, .misaligned = 1 },
	};
	int ret = build_tree(_metadata, self, &sh[misaligned]);

	SKIP_IF_NO_THP(ret);
	expect_region(_metadata, self->vmas, self->root, (struct expect){ HP, 0, 0, HP });
	expect_region(_metadata, self->vmas, self->b.kids[0], (struct expect){ HP, 0, 0, HP });
	expect_region(_metadata, self->vmas, self->b.kids[1], (struct expect){ HP - 1, 1, 1, 0 });
	check_oracle(_metadata, self, 3, HP + 1);
}

TEST_F(thp, two_pmds_and_a_split_copy)
{
	two_pmds_and_a_split_copy(_metadata, self, 0);
}

/*
 * A child mprotects one page of the THP: its PMD is split, its VMA cut in
 * two, every page still shared; the parent keeps its PMD.
 */
TEST_F(thp, child_mprotect_splits_its_pmd)
{
	static const struct shape sh = { .kid = { mprotect_page_0 }, .nkids = 1 };
	int ret = build_tree(_metadata, self, &sh);

	SKIP_IF_NO_THP(ret);
	expect_region(_metadata, self->vmas, self->root, (struct expect){ HP, 0, 0, HP });
	expect_region(_metadata, self->vmas, self->b.kids[0], (struct expect){ HP, 0, 0, 0 });
	check_oracle(_metadata, self, 2, HP);
}

/* The same, and the child then writes page 300: one broken copy. */
TEST_F(thp, child_mprotect_then_write)
{
	static const struct shape sh = {
		.kid = { mprotect_page_0_write_page_300, NULL }, .nkids = 2,
	};
	int ret = build_tree(_metadata, self, &sh);

	SKIP_IF_NO_THP(ret);
	expect_region(_metadata, self->vmas, self->root, (struct expect){ HP, 0, 0, HP });
	expect_region(_metadata, self->vmas, self->b.kids[0], (struct expect){ HP - 1, 1, 1, 0 });
	expect_region(_metadata, self->vmas, self->b.kids[1], (struct expect){ HP, 0, 0, HP });
	check_oracle(_metadata, self, 3, HP + 1);
}

/*
 * The parent writes a page after fork: its PMD is split and its copy is
 * the broken one; the child keeps the PMD and the original, now private.
 */
TEST_F(thp, parent_writes_after_fork)
{
	static const struct shape sh = {
		.kid = { NULL }, .nkids = 1, .root_after_fork = write_page_300,
	};
	int ret = build_tree(_metadata, self, &sh);

	SKIP_IF_NO_THP(ret);
	expect_region(_metadata, self->vmas, self->root, (struct expect){ HP - 1, 1, 1, 0 });
	expect_region(_metadata, self->vmas, self->b.kids[0], (struct expect){ HP - 1, 1, 0, HP });
	check_oracle(_metadata, self, 2, HP + 1);
}

/*
 * Page indices 64 off the address's 2 MiB alignment: each PMD-mapped folio
 * is read as two pieces, one per 512-position chunk, counted whole (nobody
 * writes) or page by page (one child writes).
 */
TEST_F(thp, misaligned_page_indices)
{
	two_pmds_and_a_split_copy(_metadata, self, 1);
}

TEST_F(thp, misaligned_page_indices_nobody_writes)
{
	static const struct shape sh = { .nkids = 1, .misaligned = 1 };
	int ret = build_tree(_metadata, self, &sh);

	SKIP_IF_NO_THP(ret);
	expect_region(_metadata, self->vmas, self->root, (struct expect){ HP, 0, 0, HP });
	expect_region(_metadata, self->vmas, self->b.kids[0], (struct expect){ HP, 0, 0, HP });
	check_oracle(_metadata, self, 2, HP);
}

TEST_HARNESS_MAIN
