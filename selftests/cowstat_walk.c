// SPDX-License-Identifier: GPL-2.0
/*
 * The walk on trees that do not hold still, and its cost (issue 9): a
 * CLONE_VM row shows the owner's cow_broken, VMAs split when walked and
 * merged before the COW pass are counted once, a sparse 16 TiB
 * reservation costs what its page tables cost, and an mm of 65,000 VMAs
 * lets a writer in between VMAs.  And the walk's data structures on the
 * shapes that reach their rare paths (issue 10): a unique set spread over
 * several of its leaves, and a member with more ranks in one chunk than
 * it keeps as bitmaps.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_pagemap.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The vmas text of our tree, or NULL. */
static char *read_vmas(void)
{
	if (cs_select(getpid()))
		return NULL;
	return cs_read(CS_DIR "/vmas");
}

static void expect_row_invariants(struct __test_metadata *_metadata,
				  const struct cs_pages *p)
{
	EXPECT_EQ(p->v[F_RSS], p->v[F_SHARED] + p->v[F_PRIVATE]);
	EXPECT_EQ(p->v[F_RSS], p->v[F_ANON] + p->v[F_FILE]);
	EXPECT_EQ(p->v[F_ANON], p->v[F_ANON_SHARED] + p->v[F_ANON_PRIVATE]);
	EXPECT_GE(p->v[F_ANON_PRIVATE], p->v[F_COW_BROKEN]);
}

FIXTURE(walk) {};
FIXTURE_SETUP(walk) {}
FIXTURE_TEARDOWN(walk) {}

/* ---- defect 1: a CLONE_VM row shows cow_broken ---- */

#define CV_PAGES 64
#define CV_WRITTEN 24

static char *cv_region;

static void write_then_clone_vm(void *arg)
{
	cs_touch(cv_region, 0, CV_WRITTEN, 7);
	if (cs_clone_vm() < 0)
		_exit(1);
}

/*
 * A child that broke 24 shared pages shares its mm with a CLONE_VM child
 * of its own: both rows show the same counts, cow_broken included (spec
 * section 2), and the totals count the mm once.
 */
TEST(clone_vm_row_shows_cow_broken)
{
	struct cs_tree_row kid_row, vm_row;
	struct cs_pages reg;
	char flag[64], *tree, *vmas;
	const char *line;
	pid_t kid, vm_kid = 0;
	int i;

	cv_region = cs_region(CV_PAGES, 0);
	ASSERT_NE(NULL, cv_region);
	cs_touch(cv_region, 0, CV_PAGES, 1);
	kid = cs_spawn(write_then_clone_vm, NULL);
	ASSERT_LT(0, kid);

	vmas = read_vmas();
	ASSERT_NE(NULL, vmas);
	ASSERT_EQ(0, cs_find_vma(vmas, kid, cv_region, &reg));
	free(vmas);
	EXPECT_EQ(CV_WRITTEN, reg.v[F_COW_BROKEN]);

	tree = cs_read(CS_DIR "/tree");
	ASSERT_NE(NULL, tree);
	snprintf(flag, sizeof(flag), "mm_shared_with=%d", kid);
	ASSERT_EQ(0, cs_find_tree_row(tree, kid, &kid_row));
	for (line = tree; line; line = cs_next_line(line))
		if (!cs_parse_tree_row(line, &vm_row) && !strcmp(vm_row.flags, flag))
			vm_kid = vm_row.pid;
	ASSERT_LT(0, vm_kid) TH_LOG("no row flagged %s", flag);
	ASSERT_EQ(0, cs_find_tree_row(tree, vm_kid, &vm_row));
	free(tree);
	TH_LOG("owner row cow_broken %llu, CLONE_VM row cow_broken %llu",
	       kid_row.p.v[F_COW_BROKEN], vm_row.p.v[F_COW_BROKEN]);
	EXPECT_LE(CV_WRITTEN, kid_row.p.v[F_COW_BROKEN]);
	for (i = 0; i < F_NR; i++) {
		if (kid_row.p.v[i] != vm_row.p.v[i])
			TH_LOG("%s: owner %llu, CLONE_VM row %llu", cs_fields[i],
			       kid_row.p.v[i], vm_row.p.v[i]);
		EXPECT_EQ(kid_row.p.v[i], vm_row.p.v[i]);
	}
	expect_row_invariants(_metadata, &vm_row.p);
	cs_select(1);
	kill(vm_kid, SIGKILL);
	cs_reap(kid);
}

/* ---- defect 2: VMAs that merge during the walk are counted once ---- */

#define MG_PAGES 64
#define MG_HALF (MG_PAGES / 2)
#define MG_WRITTEN 10

static char *mg_region;
static int mg_cmd[2], mg_ack[2];

/* In the kid: split ('s') or merge ('m') the region's halves when told. */
static void *split_merge_thread(void *arg)
{
	size_t ps = getpagesize();
	char c;

	while (read(mg_cmd[0], &c, 1) == 1) {
		mprotect(mg_region + MG_HALF * ps, MG_HALF * ps,
			 c == 's' ? PROT_READ : PROT_READ | PROT_WRITE);
		if (write(mg_ack[1], &c, 1) != 1)
			break;
	}
	return NULL;
}

static void write_and_serve(void *arg)
{
	pthread_t t;

	cs_touch(mg_region, 0, MG_WRITTEN, 9);
	if (pthread_create(&t, NULL, split_merge_thread, NULL))
		_exit(1);
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

/*
 * A long walk: 2M PTEs of the zero page in a process of their own (more
 * would take minutes to populate on a KASAN kernel under emulation).
 */
static void map_zero_ptes(void *arg)
{
	const size_t len = 8UL << 30;
	char *r;

	r = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		_exit(1);
	madvise(r, len, MADV_NOHUGEPAGE);
	if (madvise(r, len, MADV_POPULATE_READ))
		_exit(1);
}

struct reader {
	pthread_t t;
	char *vmas;
};

static void *read_vmas_thread(void *arg)
{
	struct reader *r = arg;

	r->vmas = cs_read(CS_DIR "/vmas");
	return NULL;
}

static int kid_command(char cmd)
{
	char c;

	if (write(mg_cmd[1], &cmd, 1) != 1 || read(mg_ack[0], &c, 1) != 1)
		return -1;
	return 0;
}

/*
 * A kid that wrote 10 pages of the region's first half has it split in
 * two VMAs when it is walked; they merge again while a later sibling's
 * long walk runs, before the COW pass.  The first VMA's row has the 10
 * broken pages, the second none: no page counted twice.
 */
TEST_F_TIMEOUT(walk, vmas_merged_during_walk_count_once, 600)
{
	size_t ps = getpagesize();
	struct cs_pages a, b;
	struct reader rd;
	double t0, walk;
	int attempt, seen = 0;
	pid_t kid, big;
	char c;

	mg_region = cs_region(MG_PAGES, 0);
	ASSERT_NE(NULL, mg_region);
	cs_touch(mg_region, 0, MG_PAGES, 1);
	ASSERT_EQ(0, pipe(mg_cmd));
	ASSERT_EQ(0, pipe(mg_ack));
	kid = cs_spawn(write_and_serve, NULL);
	ASSERT_LT(0, kid);
	/* Walked after the kid: children come in PID order. */
	big = cs_spawn(map_zero_ptes, NULL);
	ASSERT_LT(kid, big) TH_LOG("the zero-page process could not be set up");
	ASSERT_EQ(0, cs_select(getpid()));

	for (attempt = 0; attempt < 5 && !seen; attempt++) {
		ASSERT_EQ(0, kid_command('s'));
		t0 = now();
		free(cs_read(CS_DIR "/summary"));
		walk = now() - t0;

		rd.vmas = NULL;
		ASSERT_EQ(0, pthread_create(&rd.t, NULL, read_vmas_thread, &rd));
		usleep(walk * 1e6 / 2);
		c = 'm';
		ASSERT_EQ(1, write(mg_cmd[1], &c, 1));
		pthread_join(rd.t, NULL);
		ASSERT_EQ(1, read(mg_ack[0], &c, 1));
		ASSERT_NE(NULL, rd.vmas);
		/* Walked split: both halves have rows. */
		if (!cs_find_vma(rd.vmas, kid, mg_region, &a) &&
		    !cs_find_vma(rd.vmas, kid, mg_region + MG_HALF * ps, &b)) {
			seen = 1;
			TH_LOG("attempt %d: walk %.3f s; rows: cow_broken %llu + %llu, anon_private %llu + %llu",
			       attempt, walk, a.v[F_COW_BROKEN], b.v[F_COW_BROKEN],
			       a.v[F_ANON_PRIVATE], b.v[F_ANON_PRIVATE]);
			EXPECT_EQ(MG_WRITTEN, a.v[F_COW_BROKEN]);
			EXPECT_EQ(MG_WRITTEN, a.v[F_ANON_PRIVATE]);
			EXPECT_EQ(0, b.v[F_COW_BROKEN]);
			EXPECT_EQ(0, b.v[F_ANON_PRIVATE]);
			expect_row_invariants(_metadata, &a);
			expect_row_invariants(_metadata, &b);
		}
		free(rd.vmas);
	}
	cs_reap(big);
	cs_reap(kid);
	cs_select(1);
	ASSERT_TRUE(seen) TH_LOG("the merge never landed after the kid's walk");
}

/* ---- defect 3: cost grows with page tables, not with the address span ---- */

#define SPARSE_LEN	(16ULL << 40)
#define SPARSE_KIDS	4

static char *sparse;

/* Shared with the test: whether to map the region, and where it is. */
struct sparse_arg {
	int with_region;
	char *region;
};

/* Offsets of the touched pages: both ends and two points between. */
static const unsigned long long sparse_off[] = {
	0, 4ULL << 40, 9ULL << 40, SPARSE_LEN - 4096,
};

static void write_first(void *arg)
{
	sparse[0] = 2;
}

/* A tree of a parent and four children; returns the seconds one walk takes. */
static double walk_tree_of(pid_t root, char **vmas)
{
	double t0;

	if (cs_select(root))
		return -1;
	t0 = now();
	*vmas = cs_read(CS_DIR "/vmas");
	return *vmas ? now() - t0 : -1;
}

static void sparse_parent(void *arg)
{
	struct sparse_arg *sa = arg;
	int i;

	if (sa->with_region) {
		sparse = mmap(NULL, SPARSE_LEN, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (sparse == MAP_FAILED)
			_exit(1);
		madvise(sparse, SPARSE_LEN, MADV_NOHUGEPAGE);
		for (i = 0; i < 4; i++)
			sparse[sparse_off[i]] = 1;
	}
	for (i = 0; i < SPARSE_KIDS; i++)
		if (cs_spawn(sa->with_region ? write_first : NULL, NULL) < 0)
			_exit(1);
	sa->region = sparse;
}

/*
 * A parent with a 16 TiB MAP_NORESERVE region, four touched pages and four
 * forked children that each wrote the first page, against the same tree
 * without the region.  The walk must cost about the same; before, it
 * stepped through 8M PMDs per process in the walk and 8M chunks per
 * member in the COW pass.
 */
TEST_F_TIMEOUT(walk, sparse_16tib_costs_its_page_tables, 200)
{
	struct sparse_arg *arg;
	struct cs_tree_row r;
	struct cs_pages p;
	double plain, sparse_t;
	char *vmas, *tree;
	const char *line;
	pid_t root0, root1;
	int kids = 0;

	/* The region's address comes back through shared memory. */
	arg = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, arg);
	arg->with_region = 0;
	root0 = cs_spawn(sparse_parent, arg);
	ASSERT_LT(0, root0);
	arg->with_region = 1;
	root1 = cs_spawn(sparse_parent, arg);
	ASSERT_LT(0, root1);

	plain = walk_tree_of(root0, &vmas);
	ASSERT_LE(0, plain);
	free(vmas);
	sparse_t = walk_tree_of(root1, &vmas);
	TH_LOG("walk of the tree without the region %.3f s, with the 16 TiB region %.3f s",
	       plain, sparse_t);
	ASSERT_LE(0, sparse_t);
	EXPECT_GT(20.0, sparse_t);

	/* Known answers over the region: the children each broke page 0. */
	tree = cs_read(CS_DIR "/tree");
	ASSERT_NE(NULL, tree);
	ASSERT_EQ(0, cs_find_vma(vmas, root1, arg->region, &p));
	EXPECT_EQ(4, p.v[F_ANON]);
	EXPECT_EQ(3, p.v[F_ANON_SHARED]);
	EXPECT_EQ(1, p.v[F_ANON_PRIVATE]);
	EXPECT_EQ(0, p.v[F_COW_BROKEN]);
	for (line = tree; line; line = cs_next_line(line)) {
		if (cs_parse_tree_row(line, &r) || r.pid == root1)
			continue;
		kids++;
		ASSERT_EQ(0, cs_find_vma(vmas, r.pid, arg->region, &p));
		EXPECT_EQ(4, p.v[F_ANON]);
		EXPECT_EQ(3, p.v[F_ANON_SHARED]);
		EXPECT_EQ(1, p.v[F_ANON_PRIVATE]);
		EXPECT_EQ(1, p.v[F_COW_BROKEN]);
	}
	EXPECT_EQ(SPARSE_KIDS, kids);
	free(tree);
	free(vmas);
	cs_select(1);
	cs_reap(root0);
	cs_reap(root1);
}

/* ---- defect 4: mmap_lock is yielded between VMAs ---- */


#define NR_VMAS 65000

/*
 * 65,000 one-page VMAs (alternating protections, so that they never
 * merge) and no page tables: a walk that yields only inside a VMA holds
 * mmap_lock for all of them; one that yields between VMAs lets the
 * writer's mmap()s through while it runs.  Counted, not timed: against
 * the mmap()s that complete while a tree without the writer's mm is read
 * (what opening and reading the file and finding the tree let through),
 * so that the host's speed does not matter.  Before the fix: 112 against
 * about as many; after: about 2,000.
 */
TEST_F_TIMEOUT(walk, walk_yields_between_vmas, 300)
{
	size_t ps = getpagesize();
	struct cs_writer w;
	long base, during;
	pid_t idle;
	char *r;
	int i;

	/* Forked first, so that it has none of the VMAs below. */
	idle = cs_spawn(NULL, NULL);
	ASSERT_LT(0, idle);
	cs_write_str("/proc/sys/vm/max_map_count", "200000");
	r = mmap(NULL, (size_t)NR_VMAS * ps, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	for (i = 1; i < NR_VMAS; i += 2)
		ASSERT_EQ(0, mprotect(r + (size_t)i * ps, ps, PROT_NONE));

	ASSERT_EQ(0, cs_writer_start(&w));
	base = cs_mmaps_baseline(&w, idle);
	/* The best of up to five walks (cs_mmaps_during_reads()). */
	during = base < 0 ? -1 :
		 cs_mmaps_during_reads(&w, getpid(),
				       2 * base + 20 > NR_VMAS / 200 ?
				       2 * base + 20 : NR_VMAS / 200);
	cs_writer_stop(&w);
	/*
	 * A few hundred VMAs per call: munmap() of all 65,000 at once runs
	 * for seconds without rescheduling on a debug kernel (soft lockup).
	 */
	for (i = 0; i < NR_VMAS; i += 512)
		munmap(r + (size_t)i * ps, (size_t)(NR_VMAS - i < 512 ? NR_VMAS - i : 512) * ps);
	cs_reap(idle);
	cs_select(1);
	TH_LOG("the writer's mmap()s completed: %ld while a tree without its mm was read, %ld during one walk of its %d VMAs (the best of up to five)",
	       base, during, NR_VMAS);
	ASSERT_LE(0, base);
	EXPECT_LE(2 * base + 20, during);
	/* And in proportion to the walk: at least one per 200 of its VMAs. */
	EXPECT_LE(NR_VMAS / 200, during);
}

/* ---- issue 10: the unique set across leaves ---- */

#define LEAF_PAGES	32768		/* page frames per leaf (4 KiB pages) */
#define UL_PAGES	(73728UL)	/* 288 MiB: more than two leaves' worth */

static char *ul_region;

static void rewrite_every_third(void *arg)
{
	size_t i, ps = getpagesize();

	for (i = 0; i < UL_PAGES; i += 3)
		ul_region[i * ps] = 2;
}

static void touch_and_fork(void *arg)
{
	cs_touch(ul_region, 0, UL_PAGES, 1);
	if (cs_spawn(rewrite_every_third, NULL) < 0)
		_exit(1);
}

/* Where @pid's rss differs from the pagemap oracle's, VMA by VMA. */
static void dump_rss_diff(const char *vmas, pid_t pid)
{
	size_t ps = getpagesize();
	unsigned long s, e, a, n;
	char path[64], line[512];
	struct cs_pages p;
	uint64_t ent;
	FILE *maps;
	int pm;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm = open(path, O_RDONLY);
	while (maps && pm >= 0 && fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		for (n = 0, a = s; a < e; a += ps)
			n += !pread_u64(pm, a / ps, &ent) && (ent & PM_PRESENT);
		if (cs_find_vma(vmas, pid, (void *)s, &p))
			memset(&p, 0, sizeof(p));
		if (n != p.v[F_RSS] + p.v[F_ZERO])
			printf("# %d: present %lu, cowstat rss %llu zero %llu: %s",
			       pid, n, p.v[F_RSS], p.v[F_ZERO], line);
	}
	if (maps)
		fclose(maps);
	if (pm >= 0)
		close(pm);
}

static int cmp_pfn(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A root with 288 MiB of base pages and a child that rewrote every third
 * one: their page frames cannot all lie in two leaves of the unique set
 * (32,768 frames each), so several leaves are allocated while the walk
 * holds page-table locks (the pending list).  unique and saved against the
 * pagemap oracle over both processes.  And the region's rows exactly: in
 * every page table the child's copies alternate, one private (COW-broken)
 * then two shared, so each page starts or ends a rank run (walk.c).
 */
TEST_F_TIMEOUT(walk, unique_across_leaves, 600)
{
	uint64_t *pfns = NULL;
	size_t npfns = 0, cap = 0, i, unique = 0, leaves = 0;
	unsigned long long rss = 0;
	struct cs_tree_row r;
	struct cs_pages o;
	const char *line;
	char *tree, *summary, *vmas;
	pid_t root, pids[2];
	int rows = 0;

	ul_region = cs_region(UL_PAGES, 0);
	ASSERT_NE(NULL, ul_region);
	root = cs_spawn(touch_and_fork, NULL);
	ASSERT_LT(0, root);
	ASSERT_EQ(0, cs_select(root));
	tree = cs_read(CS_DIR "/tree");
	summary = cs_read(CS_DIR "/summary");
	vmas = cs_read(CS_DIR "/vmas");
	ASSERT_NE(NULL, tree);
	ASSERT_NE(NULL, summary);
	ASSERT_NE(NULL, vmas);
	for (line = tree; line && *line; line = cs_next_line(line)) {
		if (cs_parse_tree_row(line, &r))
			continue;
		ASSERT_GT(2, rows);
		pids[rows++] = r.pid;
		ASSERT_EQ(0, oracle(r.pid, &o, &pfns, &npfns, &cap));
		EXPECT_EQ(o.v[F_RSS], r.p.v[F_RSS]);
		if (o.v[F_RSS] != r.p.v[F_RSS])
			dump_rss_diff(vmas, r.pid);
		rss += o.v[F_RSS];
	}
	ASSERT_EQ(2, rows);
	EXPECT_EQ(root, pids[0]);
	for (i = 0; i < 2; i++) {
		struct cs_pages p;
		const unsigned long long rewritten = UL_PAGES / 3;

		ASSERT_EQ(0, cs_find_vma(vmas, pids[i], ul_region, &p));
		EXPECT_EQ(UL_PAGES, p.v[F_ANON]);
		EXPECT_EQ(UL_PAGES - rewritten, p.v[F_ANON_SHARED]);
		EXPECT_EQ(rewritten, p.v[F_ANON_PRIVATE]);
		/* The root's are the originals, the child's the copies. */
		EXPECT_EQ(i ? rewritten : 0, p.v[F_COW_BROKEN]);
	}
	qsort(pfns, npfns, sizeof(*pfns), cmp_pfn);
	for (i = 0; i < npfns; i++) {
		unique += !i || pfns[i] != pfns[i - 1];
		leaves += !i || pfns[i] / LEAF_PAGES != pfns[i - 1] / LEAF_PAGES;
	}
	TH_LOG("%zu distinct pages in %zu leaves of the unique set, highest frame %llu",
	       unique, leaves, npfns ? (unsigned long long)pfns[npfns - 1] : 0ULL);
	EXPECT_LE(3, leaves);
	EXPECT_EQ(unique, cs_summary_value(summary, "unique"));
	EXPECT_EQ(rss - unique, cs_summary_value(summary, "saved"));
	free(pfns);
	free(tree);
	free(summary);
	free(vmas);
	cs_select(1);
	cs_reap(root);
	munmap(ul_region, UL_PAGES * getpagesize());
}

/* ---- issue 10: more ranks in a chunk than a member keeps as bitmaps ---- */

#define CH_GENS	6	/* generations: the last holds pages of six ranks */
#define CH_K	16	/* pages per block */

static char *ch_region;
static int ch_gen;

/*
 * Generation g of a chain (0 is the root): the root writes blocks 0-5,
 * generation g >= 1 rewrites block 5 - g and forks the next; once the
 * chain is built, generations 1-4 drop block 5 and the root rewrites it,
 * so that the last generation alone holds the root's original pages
 * there (private, inherited) while the root holds private copies.
 */
static void chain_gen(void *arg)
{
	size_t ps = getpagesize();
	int g = ch_gen;

	if (!g)
		cs_touch(ch_region, 0, CH_GENS * CH_K, 1);
	else
		cs_touch(ch_region, (CH_GENS - 1 - g) * CH_K, CH_K, g + 1);
	if (g + 1 < CH_GENS) {
		ch_gen = g + 1;
		if (cs_spawn(chain_gen, NULL) < 0)
			_exit(1);
	}
	if (g && g + 1 < CH_GENS &&
	    madvise(ch_region + (CH_GENS - 1) * CH_K * ps, CH_K * ps, MADV_DONTNEED))
		_exit(1);
	if (!g)
		cs_touch(ch_region, (CH_GENS - 1) * CH_K, CH_K, 9);
}

/*
 * The last generation's pages in the region have six ranks in one chunk
 * (its own copies, four ancestors' and the root's originals, read in that
 * order), two more than it keeps as bitmaps: the root's originals, read
 * last, are ranked position by position, and they are the originals of
 * block 5, where the root's copies are COW-broken.  Known answers:
 * cow_broken is 16 for the root (block 5) and for the last generation
 * (block 0, its own copies), 0 for the others; the rows against the
 * oracle.
 */
TEST_F_TIMEOUT(walk, member_with_more_ranks_than_bitmaps, 300)
{
	size_t ps = getpagesize();
	struct cs_tree_row r;
	struct cs_pages p, o;
	uint64_t *pfns = NULL;
	size_t npfns = 0, cap = 0;
	char *vmas, *tree, *base;
	const char *line;
	pid_t root;
	int gen = 0;

	/* A chunk-aligned block of the region: all six blocks in one chunk. */
	base = cs_region(1024, 0);
	ASSERT_NE(NULL, base);
	ch_region = (char *)(((uintptr_t)base + (2UL << 20) - 1) & ~((2UL << 20) - 1));
	ch_gen = 0;
	root = cs_spawn(chain_gen, NULL);
	ASSERT_LT(0, root);
	ASSERT_EQ(0, cs_select(root));
	tree = cs_read(CS_DIR "/tree");
	vmas = cs_read(CS_DIR "/vmas");
	ASSERT_NE(NULL, tree);
	ASSERT_NE(NULL, vmas);
	/* Rows are depth-first: generation by generation. */
	for (line = tree; line && *line; line = cs_next_line(line)) {
		if (cs_parse_tree_row(line, &r))
			continue;
		ASSERT_GT(CH_GENS, gen);
		ASSERT_EQ(0, cs_find_vma(vmas, r.pid, base, &p));
		TH_LOG("generation %d: anon %llu anon_private %llu cow_broken %llu",
		       gen, p.v[F_ANON], p.v[F_ANON_PRIVATE], p.v[F_COW_BROKEN]);
		EXPECT_EQ(gen == 0 || gen == CH_GENS - 1 ? CH_K : 0, p.v[F_COW_BROKEN]);
		/* The root's originals of block 4: gen 1 rewrote them. */
		EXPECT_EQ(gen == 0 || gen == CH_GENS - 1 ? 2 * CH_K : 0,
			  p.v[F_ANON_PRIVATE]);
		EXPECT_EQ(gen == 0 || gen == CH_GENS - 1 ? CH_GENS * CH_K :
			  (CH_GENS - 1) * CH_K, p.v[F_ANON]);
		ASSERT_EQ(0, oracle(r.pid, &o, &pfns, &npfns, &cap));
		EXPECT_EQ(o.v[F_ANON_PRIVATE], r.p.v[F_ANON_PRIVATE]);
		EXPECT_EQ(o.v[F_ANON_SHARED], r.p.v[F_ANON_SHARED]);
		gen++;
	}
	EXPECT_EQ(CH_GENS, gen);
	free(pfns);
	free(tree);
	free(vmas);
	cs_select(1);
	cs_reap(root);
	munmap(base, 1024 * ps);
}

TEST_HARNESS_MAIN
