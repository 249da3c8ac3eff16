// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of --backend=pagemap (tools/pagemap.c): the maps parser and the
 * PMD-mapping guess on synthetic input, then cs_pm_dump() on a real tree
 * built here, whose counts are known: R wrote a 64-page region
 * (MADV_NOHUGEPAGE) and a 2 MiB MADV_HUGEPAGE region, read 4 never-written
 * pages, then forked A (rewrote 16 pages and one byte of the THP), B (wrote
 * nothing), a CLONE_VM child V and a zombie Z.  The live part needs root
 * with CAP_SYS_ADMIN (pagemap's PFNs, /proc/kpage*), else it is skipped.
 * Prints TAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nl.h"
#include "options.h"
#include "pagemap.h"
#include "tap.h"

#define NR	64
#define PS	4096UL

static void test_option(void)
{
	char *a1[] = { "cowstat", "--backend=pagemap", "--json", "12", NULL };
	char *a2[] = { "cowstat", "--backend", "module", "12", NULL };
	char *a3[] = { "cowstat", "--backend=kpage", "12", NULL };
	char *a4[] = { "cowstat", "12", NULL };
	struct cs_opts o;
	char err[256];

	tap_ok(!cs_parse_args(4, a1, &o, err, sizeof(err)) && o.backend == CS_BACKEND_PAGEMAP &&
	       o.json && o.pid == 12, "--backend=pagemap");
	tap_ok(!cs_parse_args(4, a2, &o, err, sizeof(err)) && o.backend == CS_BACKEND_MODULE,
	       "--backend module");
	tap_ok(cs_parse_args(3, a3, &o, err, sizeof(err)) == -1 &&
	       !strcmp(err, "invalid --backend 'kpage': expected module or pagemap"),
	       "--backend with an unknown name is a usage error");
	tap_ok(!cs_parse_args(2, a4, &o, err, sizeof(err)) && o.backend == CS_BACKEND_MODULE,
	       "the module is the default backend");
}

static void test_maps_lines(void)
{
	struct cs_pm_maps_line m;
	char l1[] = "7f2e72e00000-7f2e73e00000 rw-p 00000000 00:00 0 ";
	char l2[] = "55d087deb000-55d087ded000 r--p 00002000 fe:00 247134"
		    "                     /usr/bin/my cat (deleted)";
	char l3[] = "7ffdbed3c000-7ffdbed5d000 rw-p 00000000 00:00 0"
		    "                          [stack]";
	char l4[] = "00400000-00401000 r--p 00000000 08:01 12 /tmp/a\\012b";
	char l5[] = "garbage";
	char l6[] = "00401000-00400000 r--p 00000000 08:01 12 /tmp/backwards";

	tap_ok(!cs_pm_parse_maps_line(l1, &m) && m.start == 0x7f2e72e00000ULL &&
	       m.end == 0x7f2e73e00000ULL && !strcmp(m.perms, "rw-p") && !m.inode &&
	       !strcmp(m.name, ""), "maps: anonymous memory has no name");
	tap_ok(!cs_pm_parse_maps_line(l2, &m) && m.offset == 0x2000 && m.major == 0xfe &&
	       m.inode == 247134 && !strcmp(m.name, "/usr/bin/my cat (deleted)"),
	       "maps: a path with spaces, offset, device and inode");
	tap_ok(!cs_pm_parse_maps_line(l3, &m) && !strcmp(m.name, "[stack]"),
	       "maps: [stack]");
	tap_ok(!cs_pm_parse_maps_line(l4, &m) && !strcmp(m.name, "/tmp/a\nb"),
	       "maps: \\012 in a path is a newline, as the module sends the name");
	tap_ok(cs_pm_parse_maps_line(l5, &m) == -1, "maps: a line that is not a VMA");
	tap_ok(cs_pm_parse_maps_line(l6, &m) == -1, "maps: start after end");
}

static void test_pmd_guess(void)
{
	static uint64_t ent[CS_PMD_PAGES];
	static uint32_t fl[CS_PMD_PAGES];
	uint64_t pfn0 = 0x40000;
	size_t i;

	for (i = 0; i < CS_PMD_PAGES; i++) {
		ent[i] = CS_PM_PRESENT | (pfn0 + i);
		fl[i] = 1u << CS_KPF_THP | 1u << CS_KPF_ANON;
	}
	tap_ok(cs_pm_pmd_mapped_guess(ent, fl, 0x7f0000000ULL / PS),
	       "THP guess: 512 contiguous PFNs of a THP at 2 MiB alignment");
	tap_ok(!cs_pm_pmd_mapped_guess(ent, fl, 0x7f0000000ULL / PS + 1),
	       "THP guess: not at a 2 MiB virtual boundary");
	ent[100] = CS_PM_PRESENT | 0x99999;
	tap_ok(!cs_pm_pmd_mapped_guess(ent, fl, 0),
	       "THP guess: one page replaced by a copy (a split mapping)");
	ent[100] = CS_PM_PRESENT | (pfn0 + 100);
	ent[511] = 0;
	tap_ok(!cs_pm_pmd_mapped_guess(ent, fl, 0), "THP guess: one page not present");
	ent[511] = CS_PM_PRESENT | (pfn0 + 511);
	fl[3] = 1u << CS_KPF_ANON;
	tap_ok(!cs_pm_pmd_mapped_guess(ent, fl, 0), "THP guess: a page that is no THP");
	for (i = 0; i < CS_PMD_PAGES; i++)
		fl[i] = 1u << CS_KPF_THP | 1u << CS_KPF_ZERO_PAGE;
	tap_ok(!cs_pm_pmd_mapped_guess(ent, fl, 0), "THP guess: the huge zero page");
	for (i = 0; i < CS_PMD_PAGES; i++) {
		ent[i] = CS_PM_PRESENT | (pfn0 + 1 + i);
		fl[i] = 1u << CS_KPF_THP;
	}
	tap_ok(!cs_pm_pmd_mapped_guess(ent, fl, 0), "THP guess: PFNs not 512-aligned");
}

/* ---- the live tree ---- */

static char *region, *huge;

static pid_t child(void (*fn)(void), int *fds)
{
	pid_t pid = fork();
	char c;

	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fn)
			fn();
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (pid > 0 && read(fds[0], &c, 1) != 1)
		return -1;
	return pid;
}

static void a_writes(void)
{
	size_t i;

	for (i = 0; i < 16; i++)
		region[i * PS] = 3;
	if (huge)
		huge[5 * PS + 1] = 3;
}

static int vm_child(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

/* A VMA of its own: between PROT_NONE guards, so that it merges with nothing. */
static char *aligned_map(size_t len, size_t align)
{
	char *p = mmap(NULL, len + 2 * align + 2 * PS, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), *r;

	if (p == MAP_FAILED)
		return NULL;
	r = (char *)(((uintptr_t)p + PS + align - 1) & ~(align - 1));
	return mprotect(r, len, PROT_READ | PROT_WRITE) ? NULL : r;
}

static const struct cs_vma *vma_at(const struct cs_proc *p, const void *start)
{
	size_t j;

	for (j = 0; j < p->nr_vmas; j++)
		if (p->vmas[j].start <= (uintptr_t)start && (uintptr_t)start < p->vmas[j].end)
			return &p->vmas[j];
	return NULL;
}

static uint64_t rollup_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	unsigned long long v = 0;
	size_t k = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, k) && line[k] == ':')
			v = strtoull(line + k + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static bool thp_mapped(const char *addr)
{
	/* AnonHugePages of our own smaps_rollup: was the region PMD-mapped? */
	return rollup_kb(getpid(), "AnonHugePages") >= 2048 && addr;
}

static void test_live(void)
{
	static char stack[64 * 1024];
	struct cs_tree t = { 0 };
	struct cs_nl_err e;
	const struct cs_proc *r, *a, *b, *v, *z;
	const struct cs_vma *rv, *av, *bv, *zv, *hv, *ahv;
	pid_t pa, pb, pv, pz, me = getpid();
	int fds[2], sum = 0, i, f, status;
	bool thp, cow_na = true, sums = true;
	char *zero, msg[512];
	uint64_t rss = 0;
	siginfo_t si;

	region = aligned_map(NR * PS, PS);
	zero = aligned_map(4 * PS, PS);
	huge = aligned_map(2UL << 20, 2UL << 20);
	if (!region || !zero || !huge || pipe(fds))
		abort();
	madvise(region, NR * PS, MADV_NOHUGEPAGE);
	madvise(zero, 4 * PS, MADV_NOHUGEPAGE);
	madvise(huge, 2UL << 20, MADV_HUGEPAGE);
	memset(region, 1, NR * PS);
	memset(huge, 1, 2UL << 20);
	for (i = 0; i < 4; i++)
		sum += zero[i * PS];
	thp = thp_mapped(huge);
	if (!thp)
		huge = NULL;	/* no THP here: A leaves it alone */
	pa = child(a_writes, fds);
	pb = child(NULL, fds);
	pv = clone(vm_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);
	pz = fork();
	if (!pz)
		_exit(0);
	if (pa < 0 || pb < 0 || pv < 0 || pz < 0 || sum ||
	    waitid(P_PID, pz, &si, WEXITED | WNOWAIT))
		abort();

	tap_is_int(cs_pm_dump(me, true, &t, &e), 0, "cs_pm_dump() of a live tree");
	tap_is_int(t.nr_procs, 5, "five rows: R, A, B, V and Z");
	if (t.nr_procs != 5)
		tap_diag_text("comm of row 0", t.nr_procs ? t.procs[0].comm : NULL);
	if (t.nr_procs != 5)
		goto out;
	r = &t.procs[0];
	a = cs_tree_find(&t, pa);
	b = cs_tree_find(&t, pb);
	v = cs_tree_find(&t, pv);
	z = cs_tree_find(&t, pz);
	tap_ok(r->pid == (uint32_t)me && r->depth == 0 && a && b && v && z && a->depth == 1 &&
	       a->ppid == (uint32_t)me && t.procs[1].pid < t.procs[2].pid &&
	       t.procs[2].pid < t.procs[3].pid, "rows: root first, children by PID, depth 1");
	if (!a || !b || !v || !z)
		goto out;
	rv = vma_at(r, region);
	av = vma_at(a, region);
	bv = vma_at(b, region);
	tap_ok(rv && av && bv && rv->start == (uintptr_t)region &&
	       rv->end == (uintptr_t)region + NR * PS, "the region is one VMA row");
	if (!rv || !av || !bv)
		goto out;
	tap_ok(rv->c.val[CS_RSS] == NR && rv->c.val[CS_ANON] == NR &&
	       rv->c.val[CS_ANON_SHARED] == NR && rv->c.val[CS_ANON_PRIVATE] == 0,
	       "R: 64 anonymous pages, all shared (B holds every one)");
	tap_ok(av->c.val[CS_ANON_SHARED] == NR - 16 && av->c.val[CS_ANON_PRIVATE] == 16 &&
	       av->c.val[CS_SHARED] == NR - 16 && av->c.val[CS_PRIVATE] == 16,
	       "A: rewrote 16: 16 private, 48 shared");
	tap_ok(bv->c.val[CS_ANON_SHARED] == NR && bv->c.val[CS_ANON_PRIVATE] == 0,
	       "B: wrote nothing: 64 shared");
	zv = vma_at(r, zero);
	tap_ok(zv && zv->c.val[CS_ZERO] == 4 && zv->c.val[CS_RSS] == 0,
	       "4 pages read, never written: zero 4, rss 0");
	for (i = 0; i < (int)t.nr_procs; i++) {
		const struct cs_proc *p = &t.procs[i];
		size_t j;

		cow_na &= !cs_have(&p->c, CS_COW_BROKEN) && !cs_have(&p->c, CS_COW_FAULTS);
		for (j = 0; j < p->nr_vmas; j++) {
			cow_na &= !cs_have(&p->vmas[j].c, CS_COW_BROKEN);
			cow_na &= cs_have(&p->vmas[j].c, CS_RSS) && cs_have(&p->vmas[j].c, CS_THP);
		}
		for (f = 0; f < CS_NR_PAGE_FIELDS; f++) {
			uint64_t s = 0;

			for (j = 0; j < p->nr_vmas; j++)
				s += p->vmas[j].c.val[f];
			sums &= s == p->c.val[f];
		}
		sums &= p->c.val[CS_ANON] + p->c.val[CS_FILE] == p->c.val[CS_RSS];
		sums &= p->c.val[CS_SHARED] + p->c.val[CS_PRIVATE] == p->c.val[CS_RSS];
		sums &= p->c.val[CS_ANON_SHARED] + p->c.val[CS_ANON_PRIVATE] == p->c.val[CS_ANON];
	}
	cow_na &= !cs_have(&t.totals, CS_COW_BROKEN) && !cs_have(&t.totals, CS_COW_FAULTS);
	tap_ok(cow_na, "cow_broken and cow_faults unavailable everywhere, the rest available");
	tap_ok(sums, "VMA rows add up to process rows; anon+file, shared+private, anon_*");
	tap_ok(z->flags == CS_F_NO_MM && z->c.val[CS_RSS] == 0 && !z->nr_vmas &&
	       cs_have(&z->c, CS_RSS), "the zombie: no_mm, zero counts");
	tap_ok(v->flags == CS_F_MM_SHARED && v->mm_shared_with == (uint32_t)me &&
	       !memcmp(&v->c, &r->c, sizeof(v->c)) && v->nr_vmas == r->nr_vmas,
	       "the CLONE_VM child: mm_shared_with R, R's counts and VMAs");
	for (i = 0; i < (int)t.nr_procs; i++)
		if (!(t.procs[i].flags & CS_F_MM_SHARED))
			rss += t.procs[i].c.val[CS_RSS];
	tap_ok(t.have_totals && t.totals.val[CS_RSS] == rss && t.processes == 5 &&
	       t.totals.val[CS_SAVED] == rss - t.totals.val[CS_UNIQUE] &&
	       t.totals.val[CS_UNIQUE] >= NR + 16 && t.totals.val[CS_UNIQUE] < rss,
	       "totals: rss over distinct mms, unique, saved = rss - unique");
	/* Not R's: R is this process, whose memory the walk itself changes. */
	tap_is_int(a->c.val[CS_RSS] * (PS / 1024), rollup_kb(pa, "Rss"),
		   "A's rss is its smaps_rollup Rss");
	tap_is_int(a->c.val[CS_ANON] * (PS / 1024), rollup_kb(pa, "Anonymous"),
		   "A's anon is its smaps_rollup Anonymous");
	tap_is_int(b->c.val[CS_THP] * (PS / 1024), rollup_kb(pb, "AnonHugePages"),
		   "B's thp is its smaps_rollup AnonHugePages");
	if (thp) {
		hv = vma_at(r, huge);
		ahv = vma_at(a, huge);
		tap_ok(hv && hv->c.val[CS_THP] == 512 && hv->c.val[CS_ANON_SHARED] == 512,
		       "THP: R maps it with a PMD (thp 512), all shared (B maps it too)");
		tap_ok(ahv && ahv->c.val[CS_THP] == 0 && ahv->c.val[CS_ANON_PRIVATE] == 1 &&
		       ahv->c.val[CS_ANON_SHARED] == 511,
		       "THP: A wrote a byte: PTE-mapped (thp 0), one private copy");
	} else {
		printf("ok %d THP # SKIP no PMD-mapped THP on this host\n", ++tap_n);
		printf("ok %d THP split # SKIP no PMD-mapped THP on this host\n", ++tap_n);
	}
out:
	cs_tree_free(&t);
	kill(pa, SIGKILL);
	kill(pb, SIGKILL);
	kill(pv, SIGKILL);
	waitpid(pa, NULL, 0);
	waitpid(pb, NULL, 0);
	waitpid(pv, NULL, 0);
	waitpid(pz, NULL, 0);

	/* Errors, with the module backend's statuses. */
	memset(&t, 0, sizeof(t));
	tap_ok(cs_pm_dump(2147483647, false, &t, &e) == -1 && e.err == ESRCH &&
	       cs_nl_explain(&e, 2147483647, msg, sizeof(msg)) == CS_EXIT_NO_PROCESS,
	       "no such process: ESRCH, exit status 3 (%s)", msg);
	cs_tree_free(&t);
	pa = fork();
	if (!pa) {
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(2);
		_exit(cs_pm_dump(getpid(), false, &t, &e) == -1 && e.err == EPERM &&
		      cs_nl_explain(&e, 1, msg, sizeof(msg)) == CS_EXIT_PERMISSION &&
		      strstr(msg, "root") ? 0 : 1);
	}
	waitpid(pa, &status, 0);
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status),
	       "an unprivileged user: EPERM, exit status 4, the message names root");
}

int main(void)
{
	uint64_t ent = 0;
	int fd;

	test_option();
	test_maps_lines();
	test_pmd_guess();
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0) {
		if (pread(fd, &ent, 8, ((uintptr_t)&ent / PS) * 8) != 8)
			ent = 0;
		close(fd);
	}
	if (geteuid() || access("/proc/kpageflags", R_OK) || !(ent & CS_PM_PFN_MASK))
		printf("ok %d live tree # SKIP needs root with CAP_SYS_ADMIN\n", ++tap_n);
	else
		test_live();
	return tap_done();
}
