// SPDX-License-Identifier: GPL-2.0
/*
 * The expected results of cowstat.rst, "COW-broken, exactly", exactly, as a
 * matrix: every scenario runs over a dedicated anonymous region of N pages that
 * the parent (the test process, root of the walked tree) wrote in full before
 * forking, backed four ways, as tools/testing/selftests/mm/cow.c runs its
 * cases:
 *
 *   base            base pages (MADV_NOHUGEPAGE)
 *   thp             one PMD-mapped THP (MADV_HUGEPAGE, 2 MiB aligned)
 *   pte_mapped_thp  the same THP, its PMD split by mprotect() of one page
 *   swapped         base pages swapped out (MADV_PAGEOUT to zram swap)
 *
 * Each process's row for the region is checked field by field (all twelve
 * page counts) against the value the spec gives, and, for every field but
 * cow_broken and ksm, against the oracle: /proc/PID/pagemap,
 * /proc/kpagecount and /proc/kpageflags for the region's pages, and smaps'
 * AnonHugePages for thp (kpageflags' THP bit is set on PTE-mapped pieces
 * too, which thp does not count).
 *
 * How each backing changes the answer, from the spec's section 3:
 *  - thp counts the pages a process maps by PMD.  A write fault on a
 *    shared PMD-mapped THP splits the writer's PMD and copies one base
 *    page; the other holders keep their PMD.  So a writer's thp is 0 and
 *    everyone else's is N.  pte_mapped_thp is never thp.
 *  - A copied page of a THP leaves the other holders' mapcount of that
 *    page one lower: the counts of shared and private pages are those of
 *    base pages.  A large folio is never reused in place by a write fault
 *    (it is copied), which for the parent-then-child scenario gives the
 *    same attribution as base pages' reuse-and-move.
 *  - Swapped-out pages are swap, not rss.  A write swaps the page in and
 *    copies it (another process still holds its swap entry); the copy is
 *    then the only page mapped at its position, so it is private and not
 *    cow_broken: section 4 ranks the physical pages that the tree maps, and
 *    a swap entry is none.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#include "kselftest_harness.h"
#include "cowstat_pagemap.h"

#define N 512			/* pages: one PMD of 4 KiB pages */

enum backing { BASE, THP, PTE_THP, SWAPPED };

static size_t ps;
static char *region;
static enum backing backing;	/* the variant's, for the children */

/* Messages from children: addresses and PIDs, outside any region. */
struct mailbox {
	char *new_region;
	pid_t grandchild;
	char why[128];
};

FIXTURE(region) {
	pid_t kids[4];
	struct mailbox *box;
	int swap_owned;
};

FIXTURE_VARIANT(region) {
	enum backing mem;
};

FIXTURE_VARIANT_ADD(region, base) { .mem = BASE };
FIXTURE_VARIANT_ADD(region, thp) { .mem = THP };
FIXTURE_VARIANT_ADD(region, pte_mapped_thp) { .mem = PTE_THP };
FIXTURE_VARIANT_ADD(region, swapped) { .mem = SWAPPED };

/* ---- the oracle for one region ---- */

/* smaps' AnonHugePages of the VMA at @start, in pages, or -1. */
static long anon_huge_pages(pid_t pid, const char *start)
{
	char path[64], perms[5], *smaps, *p;
	unsigned long s, e;
	long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	smaps = cs_read(path);
	for (p = smaps; p && *p; p = (char *)cs_next_line(p)) {
		if (sscanf(p, "%lx-%lx %4s", &s, &e, perms) == 3)
			kb = s == (unsigned long)start ? 0 : -1;
		else if (kb == 0 && sscanf(p, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	free(smaps);
	return kb < 0 ? -1 : kb / (long)(ps / 1024);
}

/*
 * What pagemap, kpagecount and kpageflags say of @pid's @n pages from
 * @start (section 3's rules), and smaps of its PMD mappings.
 */
static int oracle_region(pid_t pid, const char *start, size_t n, struct cs_pages *o)
{
	int pm, kc, kf, ret = 0;
	char path[64];
	size_t i;
	long thp;

	memset(o, 0, sizeof(*o));
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm = open(path, O_RDONLY);
	kc = open("/proc/kpagecount", O_RDONLY);
	kf = open("/proc/kpageflags", O_RDONLY);
	for (i = 0; i < n && pm >= 0 && kc >= 0 && kf >= 0 && !ret; i++) {
		uint64_t ent, cnt, fl, pfn;

		ret = pread_u64(pm, (uintptr_t)start / ps + i, &ent);
		if (ret || !(ent & (PM_PRESENT | PM_SWAP)))
			continue;
		if (ent & PM_SWAP) {
			o->v[F_SWAP]++;
			continue;
		}
		pfn = ent & PM_PFN_MASK;
		ret = pread_u64(kf, pfn, &fl) || pread_u64(kc, pfn, &cnt);
		if (ret)
			break;
		if (fl & (1ULL << KPF_ZERO_PAGE)) {
			o->v[F_ZERO]++;
			continue;
		}
		o->v[F_RSS]++;
		o->v[(fl & (1ULL << KPF_ANON)) ? F_ANON : F_FILE]++;
		o->v[cnt >= 2 ? F_SHARED : F_PRIVATE]++;
		if (fl & (1ULL << KPF_ANON))
			o->v[cnt >= 2 ? F_ANON_SHARED : F_ANON_PRIVATE]++;
	}
	if (pm < 0 || kc < 0 || kf < 0)
		ret = -1;
	thp = anon_huge_pages(pid, start);
	if (thp < 0)
		ret = -1;
	o->v[F_THP] = thp;
	if (pm >= 0)
		close(pm);
	if (kc >= 0)
		close(kc);
	if (kf >= 0)
		close(kf);
	return ret ? -1 : 0;
}

/* Pages of @r (N of them) that pagemap shows swapped out. */
static size_t swapped_pages(const char *r)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	size_t i, n = 0;
	uint64_t ent;

	for (i = 0; pm >= 0 && i < N; i++)
		n += !pread_u64(pm, (uintptr_t)r / ps + i, &ent) && (ent & PM_SWAP);
	if (pm >= 0)
		close(pm);
	return n;
}

/* ---- making a region ---- */

static bool thp_available(void)
{
	char *s = cs_read("/sys/kernel/mm/transparent_hugepage/enabled");
	bool ok = s && !strstr(s, "[never]");

	free(s);
	return ok;
}

static bool huge_zero_page_in_use(void)
{
	char *s = cs_read("/sys/kernel/mm/transparent_hugepage/use_zero_page");
	bool ok = s && *s == '1';

	free(s);
	return ok;
}

/*
 * Run on this CPU only (until unpin()): a page just faulted in waits in
 * this CPU's LRU batch, which MADV_PAGEOUT and MADV_COLD drain (their own
 * CPU's only), and holds a reference there that changes what a write
 * fault does with a swapped-in page.
 */
static void pin(cpu_set_t *old)
{
	cpu_set_t one;

	sched_getaffinity(0, sizeof(*old), old);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one);
}

static void unpin(const cpu_set_t *old)
{
	sched_setaffinity(0, sizeof(*old), old);
}

/*
 * Map N pages backed as @mem, and write them all (@write) or only read
 * them.  Returns 0 and the region in @out; 1 when the backing cannot be
 * had here, or -1 when making it failed, with the reason in @why.
 */
static int make_region(enum backing mem, bool write, char **out, char *why, size_t len)
{
	bool huge = mem == THP || mem == PTE_THP;
	volatile char sink;
	cpu_set_t cpus;
	size_t i;
	long thp;
	char *r;
	int k;

	*out = NULL;
	if (huge && !thp_available()) {
		snprintf(why, len, "transparent huge pages are not available");
		return 1;
	}
	if (huge && !write && !huge_zero_page_in_use()) {
		snprintf(why, len, "the huge zero page is not in use (use_zero_page is 0)");
		return 1;
	}
	r = cs_region(N, huge);
	if (!r) {
		snprintf(why, len, "mmap: %s", strerror(errno));
		return -1;
	}
	if (mem == SWAPPED)
		pin(&cpus);
	if (write)
		cs_touch(r, 0, N, 1);
	for (i = 0; !write && i < N; i++)
		sink = r[i * ps];
	(void)sink;

	if (huge) {
		thp = anon_huge_pages(getpid(), r);
		if (write && thp != N) {
			snprintf(why, len, "no PMD-mapped THP could be allocated (%ld pages)", thp);
			return 1;
		}
	}
	if (mem == PTE_THP) {
		/* Split the PMD: one page read-only for a moment, as cow.c does. */
		if (mprotect(r + ps, ps, PROT_READ) ||
		    mprotect(r + ps, ps, PROT_READ | PROT_WRITE)) {
			snprintf(why, len, "mprotect: %s", strerror(errno));
			return -1;
		}
		/* Keep khugepaged from collapsing it again while the test runs. */
		madvise(r, N * ps, MADV_NOHUGEPAGE);
		if (anon_huge_pages(getpid(), r) != 0) {
			snprintf(why, len, "mprotect() left the PMD mapped");
			return -1;
		}
	}
	if (mem == SWAPPED) {
		/*
		 * Written on this CPU, so MADV_PAGEOUT finds every page on the
		 * LRU (seen without: 489 of 512 swapped out on the debug
		 * kernel); ask again a bounded number of times all the same.
		 * A read-only region maps only the zero page: nothing to swap.
		 */
		for (k = 0; k < 10 && (k == 0 || (write && swapped_pages(r) < N)); k++)
			madvise(r, N * ps, MADV_PAGEOUT);
		unpin(&cpus);
		if (write && swapped_pages(r) != N) {
			snprintf(why, len, "MADV_PAGEOUT swapped out %zu of %d pages (is swap full?)",
				 swapped_pages(r), N);
			return 1;
		}
	}
	*out = r;
	return 0;
}

FIXTURE_SETUP(region)
{
	char why[128];
	int ret;

	ps = getpagesize();
	backing = variant->mem;
	memset(self->kids, 0, sizeof(self->kids));
	self->swap_owned = 0;
	self->box = mmap(NULL, sizeof(*self->box), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->box);
	memset(self->box, 0, sizeof(*self->box));
	if (variant->mem == SWAPPED) {
		ret = cs_swap_on();
		if (ret < 0)
			SKIP(return, "no swap: zram0 could not be set up");
		self->swap_owned = ret;
	}
	ret = make_region(variant->mem, true, &region, why, sizeof(why));
	if (ret > 0)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, ret) TH_LOG("%s", why);
}

FIXTURE_TEARDOWN(region)
{
	int i;

	for (i = 0; i < 4; i++)
		cs_reap(self->kids[i]);
	cs_reap(self->box->grandchild);
	munmap(self->box, sizeof(*self->box));
	/* Our swapped pages go with us; the children's went with them. */
	if (region)
		munmap(region, N * ps);
	if (self->swap_owned == 1)
		cs_swap_off();
	cs_select(1);
}

/* ---- what is expected ---- */

/*
 * A process's expected counts over a region, all anonymous: @as pages
 * shared and @ap private in rss, @broken of them COW-broken, @swap swap
 * entries, @zero pages of the zero page, @thp mapped by PMD.
 */
struct want {
	unsigned long long as, ap, broken, swap, zero, thp;
};

/* A holder that never wrote the region since it was made: all of it shared. */
static struct want untouched(const FIXTURE_VARIANT(region) *variant)
{
	if (variant->mem == SWAPPED)
		return (struct want){ .swap = N };
	return (struct want){ .as = N, .thp = variant->mem == THP ? N : 0 };
}

/*
 * A holder that wrote @w pages after fork, @broken of them COW-broken,
 * and whose other pages are still shared.  Its PMD, if any, was split by
 * the first write.
 */
static struct want wrote(const FIXTURE_VARIANT(region) *variant,
			 unsigned long long w, unsigned long long broken)
{
	if (variant->mem == SWAPPED)
		return (struct want){ .ap = w, .broken = 0, .swap = N - w };
	return (struct want){ .as = N - w, .ap = w, .broken = broken };
}

/*
 * A holder that did not write, but whose copies of @w pages nobody else
 * maps any more (a relative wrote them): those @w are private, not broken.
 */
static struct want left_alone(const FIXTURE_VARIANT(region) *variant, unsigned long long w)
{
	struct want x = untouched(variant);

	if (variant->mem != SWAPPED) {
		x.as = N - w;
		x.ap = w;
	}
	return x;
}

/* One walk of our tree: its vmas file. */
static char *walk(void)
{
	return cs_select(getpid()) ? NULL : cs_read(CS_DIR "/vmas");
}

static const char * const backing_name[] = {
	[BASE] = "base", [THP] = "thp", [PTE_THP] = "pte_mapped_thp", [SWAPPED] = "swapped",
};

/*
 * Check @who's (@pid's) row of the region at @start in the walk @vmas
 * against @w, every field, and against the oracle, every field it has.
 */
static void expect_region(struct __test_metadata *_metadata,
			  const FIXTURE_VARIANT(region) *variant, const char *vmas,
			  const char *who, pid_t pid, const char *start, struct want w)
{
	struct cs_pages got, exp = { 0 }, orc;
	int f;

	exp.v[F_RSS] = w.as + w.ap;
	exp.v[F_ANON] = w.as + w.ap;
	exp.v[F_SHARED] = w.as;
	exp.v[F_PRIVATE] = w.ap;
	exp.v[F_ANON_SHARED] = w.as;
	exp.v[F_ANON_PRIVATE] = w.ap;
	exp.v[F_COW_BROKEN] = w.broken;
	exp.v[F_SWAP] = w.swap;
	exp.v[F_ZERO] = w.zero;
	exp.v[F_THP] = w.thp;

	ASSERT_EQ(0, cs_find_vma(vmas, pid, start, &got))
		TH_LOG("%s: no vmas row of %s (pid %d) at %p", backing_name[variant->mem],
		       who, pid, start);
	ASSERT_EQ(0, oracle_region(pid, start, N, &orc));
	for (f = 0; f < F_NR; f++) {
		if (got.v[f] != exp.v[f])
			TH_LOG("%s: %s (pid %d) %s: cowstat %llu, the spec %llu",
			       backing_name[variant->mem], who, pid, cs_fields[f],
			       got.v[f], exp.v[f]);
		EXPECT_EQ(exp.v[f], got.v[f]);
		if (f == F_COW_BROKEN || f == F_KSM)
			continue;	/* no oracle */
		if (got.v[f] != orc.v[f])
			TH_LOG("%s: %s (pid %d) %s: cowstat %llu, the oracle %llu",
			       backing_name[variant->mem], who, pid, cs_fields[f],
			       got.v[f], orc.v[f]);
		EXPECT_EQ(orc.v[f], got.v[f]);
	}
}

#define EXPECT_REGION(vmas, who, pid, start, w) \
	expect_region(_metadata, variant, vmas, who, pid, start, w)

/* ---- the scenarios ---- */

static void write_some(void *arg)
{
	long spec = (long)arg;	/* first page << 16 | count */

	cs_touch(region, spec >> 16, spec & 0xffff, 2);
}

#define SPEC(first, n) ((void *)(((long)(first) << 16) | (n)))

static const char * const kid_name[] = { "child 0", "child 1", "child 2", "child 3" };

TEST_F(region, fork_nobody_writes)
{
	char *vmas;
	int i;

	for (i = 0; i < 3; i++)
		self->kids[i] = cs_spawn(NULL, NULL);
	vmas = walk();
	ASSERT_NE(NULL, vmas);
	EXPECT_REGION(vmas, "parent", getpid(), region, untouched(variant));
	for (i = 0; i < 3; i++)
		EXPECT_REGION(vmas, kid_name[i], self->kids[i], region, untouched(variant));
	free(vmas);
}

TEST_F(region, children_write)
{
	int w[3] = { 3, 10, 20 }, i;
	char *vmas;

	/* Child j writes w[j] pages of its own part of the region. */
	for (i = 0; i < 3; i++)
		self->kids[i] = cs_spawn(write_some, SPEC(i * 21, w[i]));
	vmas = walk();
	ASSERT_NE(NULL, vmas);
	for (i = 0; i < 3; i++)
		EXPECT_REGION(vmas, kid_name[i], self->kids[i], region, wrote(variant, w[i], w[i]));
	/* The parent's pages are still mapped by the other two children. */
	EXPECT_REGION(vmas, "parent", getpid(), region, untouched(variant));
	free(vmas);
}

TEST_F(region, parent_writes_after_fork)
{
	char *vmas;

	self->kids[0] = cs_spawn(NULL, NULL);
	cs_touch(region, 5, 7, 3);
	vmas = walk();
	ASSERT_NE(NULL, vmas);
	EXPECT_REGION(vmas, "parent", getpid(), region, wrote(variant, 7, 7));
	EXPECT_REGION(vmas, "child", self->kids[0], region, left_alone(variant, 7));
	free(vmas);
}

TEST_F(region, every_child_writes_page_p)
{
	struct want w;
	char *vmas;
	int i, first = 0;

	for (i = 0; i < 3; i++)
		self->kids[i] = cs_spawn(write_some, SPEC(9, 1));
	for (i = 1; i < 3; i++)
		if (self->kids[i] < self->kids[first])
			first = i;
	vmas = walk();
	ASSERT_NE(NULL, vmas);
	EXPECT_REGION(vmas, "parent", getpid(), region, left_alone(variant, 1));
	for (i = 0; i < 3; i++) {
		w = wrote(variant, 1, 1);
		/*
		 * Swapped: the parent maps no page at p, so the children's
		 * three copies are all there is; they tie but for rule 3,
		 * which makes the child with the lowest PID's the original.
		 */
		if (variant->mem == SWAPPED)
			w.broken = i != first;
		EXPECT_REGION(vmas, kid_name[i], self->kids[i], region, w);
	}
	free(vmas);
}

static void map_and_write(void *arg)
{
	struct mailbox *box = arg;
	int ret;

	ret = make_region(backing, true, &box->new_region, box->why, sizeof(box->why));
	if (ret > 0)
		box->new_region = NULL;	/* why says why */
	else if (ret < 0)
		box->new_region = MAP_FAILED;
}

TEST_F(region, child_maps_new_region)
{
	struct want fresh = { .ap = N };
	char *vmas, *fresh_region;
	struct cs_pages p;
	pid_t kid;

	kid = self->kids[0] = cs_spawn(map_and_write, self->box);
	ASSERT_LT(0, kid);
	fresh_region = self->box->new_region;
	ASSERT_NE(MAP_FAILED, fresh_region) TH_LOG("child: %s", self->box->why);
	if (!fresh_region)
		SKIP(return, "child: %s", self->box->why);
	if (variant->mem == SWAPPED)
		fresh = (struct want){ .swap = N };
	else if (variant->mem == THP)
		fresh.thp = N;
	vmas = walk();
	ASSERT_NE(NULL, vmas);
	/* Those pages are the child's alone: private, never broken. */
	EXPECT_EQ(-1, cs_find_vma(vmas, getpid(), fresh_region, &p));
	EXPECT_REGION(vmas, "child's new region", kid, fresh_region, fresh);
	EXPECT_REGION(vmas, "child", kid, region, untouched(variant));
	EXPECT_REGION(vmas, "parent", getpid(), region, untouched(variant));
	free(vmas);
}

static void fork_grandchild(void *arg)
{
	struct mailbox *box = arg;

	/* The grandchild writes 4 pages, then the child writes 6 others. */
	box->grandchild = cs_spawn(write_some, SPEC(0, 4));
	cs_touch(region, 30, 6, 7);
}

TEST_F(region, grandchildren)
{
	char *vmas;
	pid_t kid;

	kid = self->kids[0] = cs_spawn(fork_grandchild, self->box);
	ASSERT_LT(0, kid);
	ASSERT_LT(0, self->box->grandchild);
	vmas = walk();
	ASSERT_NE(NULL, vmas);
	/* Child: its 6 writes are breaks; grandchild: its 4. */
	EXPECT_REGION(vmas, "child", kid, region, wrote(variant, 6, 6));
	EXPECT_REGION(vmas, "grandchild", self->box->grandchild, region, wrote(variant, 4, 4));
	/* The root's copies of the child's 6 pages are still shared with the
	 * grandchild, and of the grandchild's 4 with the child.
	 */
	EXPECT_REGION(vmas, "parent", getpid(), region, untouched(variant));
	free(vmas);
}

static void *thread_writer(void *arg)
{
	write_some(arg);
	return NULL;
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/* Four threads write 3 + 4 + 5 + 6 pages; two more stay while we look. */
static void threaded_writes_and_stay(void *arg)
{
	pthread_t t[4];
	int i;

	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, thread_writer, SPEC(i * 10, 3 + i));
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	pthread_create(&t[0], NULL, sleeper, NULL);
	pthread_create(&t[1], NULL, sleeper, NULL);
}

TEST_F(region, child_with_threads_is_one_row)
{
	struct cs_tree_row r;
	const char *line;
	char *tree, *vmas;
	int rows = 0;
	pid_t kid;

	kid = self->kids[0] = cs_spawn(threaded_writes_and_stay, NULL);
	ASSERT_LT(0, kid);
	vmas = walk();
	ASSERT_NE(NULL, vmas);
	EXPECT_REGION(vmas, "child", kid, region, wrote(variant, 18, 18));
	EXPECT_REGION(vmas, "parent", getpid(), region, left_alone(variant, 18));
	free(vmas);
	tree = cs_read(CS_DIR "/tree");
	ASSERT_NE(NULL, tree);
	for (line = tree; line && *line; line = cs_next_line(line))
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
	struct want kid_w, parent_w;
	char *vmas;
	pid_t kid;

	kid = self->kids[0] = cs_spawn(drop_write_read, NULL);
	ASSERT_LT(0, kid);
	if (variant->mem == SWAPPED) {
		/* The parent's pages are in swap: nothing to break (see top). */
		kid_w = (struct want){ .ap = 5, .swap = N - 10, .zero = 3 };
		parent_w = untouched(variant);
	} else {
		/* 5 broken: the known limit; 3 zero.  The child's PMD is split. */
		kid_w = (struct want){ .as = N - 10, .ap = 5, .broken = 5, .zero = 3 };
		parent_w = left_alone(variant, 10);
	}
	vmas = walk();
	ASSERT_NE(NULL, vmas);
	EXPECT_REGION(vmas, "child", kid, region, kid_w);
	EXPECT_REGION(vmas, "parent", getpid(), region, parent_w);
	free(vmas);
}

static void write_one_byte(void *arg)
{
	region[100 * ps + 17] = 42;
}

/* Spec section 4's THP row: 511 shared, 1 private, the child's broken. */
TEST_F(region, one_child_writes_one_byte)
{
	char *vmas;

	self->kids[0] = cs_spawn(write_one_byte, NULL);
	ASSERT_LT(0, self->kids[0]);
	vmas = walk();
	ASSERT_NE(NULL, vmas);
	EXPECT_REGION(vmas, "parent", getpid(), region, left_alone(variant, 1));
	EXPECT_REGION(vmas, "child", self->kids[0], region, wrote(variant, 1, 1));
	free(vmas);
}

TEST_F(region, read_never_written_is_zero)
{
	struct want w = { .zero = N };
	char why[128], *r, *vmas;
	int ret;

	/*
	 * thp: the huge zero page (zero 512, thp 0); pte_mapped_thp: its
	 * PMD split into PTEs of the zero page; swapped: the zero page is
	 * never swapped out.
	 */
	ret = make_region(variant->mem, false, &r, why, sizeof(why));
	if (ret > 0)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, ret) TH_LOG("%s", why);
	vmas = walk();
	ASSERT_NE(NULL, vmas);
	EXPECT_REGION(vmas, "parent", getpid(), r, w);
	free(vmas);
}

/* Drain this CPU's LRU batches (MADV_COLD drains them first). */
static void drain_lru_batches(void)
{
	char *scratch = mmap(NULL, ps, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (scratch == MAP_FAILED)
		return;
	madvise(scratch, ps, MADV_COLD);
	munmap(scratch, ps);
}

TEST_F(region, parent_then_child_write_same_pages)
{
	struct want pw, cw;
	int go[2], done[2];
	cpu_set_t cpus;
	char c, *vmas;
	pid_t kid;

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
	/*
	 * Swapped: the parent's write fault swaps each page in and copies
	 * it; the swapped-in page stays in the swap cache, where the child
	 * finds it.  Whether the child then reuses it depends on a reference
	 * that a CPU's LRU batch may hold: write on one CPU and drain it, so
	 * that the child's fault takes the page over in place (do_swap_page()
	 * does not move it to the child's anon_vma), every time.
	 */
	pin(&cpus);
	cs_touch(region, 20, 5, 4);
	drain_lru_batches();
	unpin(&cpus);
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(1, read(done[0], &c, 1));

	vmas = walk();
	ASSERT_NE(NULL, vmas);
	if (variant->mem == SWAPPED) {
		struct cs_pages p;

		/*
		 * When the child's fault takes the swapped-in page over in
		 * do_swap_page() (6.1, 6.12), the page stays filed under the
		 * parent's anon_vma: the child's pages are the originals,
		 * inherited (rule 2), the parent's copies the breaks, and the
		 * third known limit does not apply.  When the kernel maps it
		 * read-only first and the write reuses it in do_wp_page()
		 * (7.3), it is moved to the child's anon_vma, as for base
		 * pages: the third known limit, the child's five.  Nothing
		 * that userspace can read tells which path a kernel took, so
		 * either whole attribution passes: five breaks in the tree,
		 * all in one process, every other count exact.
		 */
		pw = (struct want){ .ap = 5, .broken = 5, .swap = N - 5 };
		cw = (struct want){ .ap = 5, .swap = N - 5 };
		ASSERT_EQ(0, cs_find_vma(vmas, getpid(), region, &p));
		if (p.v[F_COW_BROKEN] == 0) {
			TH_LOG("swapped: the child's page was moved to its anon_vma (third known limit)");
			pw.broken = 0;
			cw.broken = 5;
		}
	} else {
		/*
		 * Five breaks in the tree, the child's: base pages, the kernel
		 * reused the child's and moved them to its anon_vma (the third
		 * known limit); a THP's pages are never reused, the child
		 * copied them, and its copies are younger than the parent's.
		 */
		pw = wrote(variant, 5, 0);
		cw = wrote(variant, 5, 5);
	}
	EXPECT_REGION(vmas, "parent", getpid(), region, pw);
	EXPECT_REGION(vmas, "child", kid, region, cw);
	free(vmas);
}

TEST_HARNESS_MAIN
