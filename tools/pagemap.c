// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat CLI: --backend=pagemap, for hosts where the module cannot be
 * loaded (Secure Boot lockdown, a managed host).
 *
 * The tree comes from /proc/PID/task/TID/children (or, on a kernel without
 * CONFIG_PROC_CHILDREN, from every process's parent in /proc/PID/stat), the
 * VMAs from /proc/PID/maps, the pages from /proc/PID/pagemap, read a chunk of
 * entries at a time, and each page's mapcount and flags from
 * /proc/kpagecount and /proc/kpageflags, read 512 PFNs at a time and kept
 * for the whole dump (a tree's processes map the same pages).  It fills the
 * same struct cs_tree as the netlink client, so every output format works
 * unchanged.  What cannot be known without the module is left unavailable:
 * cow_broken (which copy of a position is the original needs the anon_vma
 * chain) and cow_faults (delay accounting).  The approximations, each
 * documented in cowstat(8) and the README:
 *   - thp: PMD-mapped pages are those PAGEMAP_SCAN reports as PAGE_IS_HUGE
 *     (exact, Linux >= 6.7); before 6.7, a naturally aligned 2 MiB range
 *     that maps 512 contiguous PFNs of one THP, starting at a 512-aligned
 *     PFN, is taken as PMD-mapped (a THP that is PTE-mapped whole in place,
 *     e.g. after mprotect() of part of it and back, counts too);
 *   - ksm: /proc/kpageflags's KSM bit, unless the process's
 *     /proc/PID/ksm_merging_pages disagrees (6.12 sets that bit on every
 *     anonymous page); then the process's count is ksm_merging_pages, and
 *     its VMAs' come from the "KSM:" lines of /proc/PID/smaps;
 *   - skipped_vmas: [vvar]/[vvar_vclock] where they are PFN maps (6.1,
 *     6.12; 7.3's [vvar] maps pages, which count), hugetlbfs files and
 *     MAP_HUGETLB memory, and mapped character devices other than /dev/zero
 *     whose smaps VmFlags say pf, io or ht;
 *   - mm_shared_with: rows whose mms kcmp(KCMP_VM) says are one (without
 *     kcmp every row counts its own mm).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pagemap.h"

/* Pagemap entries read per pread(): 512 KiB, a multiple of CS_PMD_PAGES. */
#define CHUNK		65536
/* PFNs of kpagecount/kpageflags cached per block. */
#define BLK		512
/* At most this many PFNs per read of kpage*, bridging gaps of RUN_GAP PFNs. */
#define RUN_MAX		4096
#define RUN_GAP		16
/* Populated ranges asked of PAGEMAP_SCAN at a time. */
#define NREG		512

#define HUGETLBFS_MAGIC	0x958458f6
#define PF_KTHREAD	0x00200000
#define KCMP_VM		1

/* PAGEMAP_SCAN (Linux 6.7, include/uapi/linux/fs.h), declared here so that
 * the tool builds against older headers too.
 */
struct cs_page_region {
	uint64_t start, end, categories;
};

struct cs_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};

#define CS_PAGEMAP_SCAN		_IOWR('f', 16, struct cs_pm_scan_arg)
#define CS_PAGE_IS_PRESENT	(1 << 3)
#define CS_PAGE_IS_SWAPPED	(1 << 4)
#define CS_PAGE_IS_PFNZERO	(1 << 5)
#define CS_PAGE_IS_HUGE		(1 << 6)

/* kpageflags and kpagecount of BLK PFNs: which are loaded, which unique has seen. */
struct blk {
	uint32_t flags[BLK];
	uint32_t count[BLK];
	uint64_t loaded[BLK / 64];
	uint64_t seen[BLK / 64];
};

/* What a file-backed VMA's file is, looked up once per (device, inode). */
struct file_kind {
	unsigned int major, minor;
	uint64_t inode;
	int kind;		/* FK_* */
};

enum { FK_PLAIN, FK_HUGETLB, FK_DEVICE };

/* A process of the tree, while it is being collected. */
struct node {
	uint32_t pid, ppid, depth;
	uint32_t holder;	/* the thread whose mm is read; 0: no mm */
	bool kthread;
};

struct pm {
	int kc, kf;
	uint64_t ps;
	struct blk **blk;
	size_t nblk;
	uint64_t *ent;		/* a chunk of pagemap entries */
	uint32_t *fl;		/* their kpageflags (0 when not present) */
	uint64_t *need;		/* their PFNs whose kpage* entries are not cached */
	uint64_t raw[RUN_MAX], raw2[RUN_MAX];	/* a run of kpage* as read */
	struct cs_page_region reg[NREG];	/* PAGEMAP_SCAN's answer */
	uint64_t unique;
	int scan;		/* PAGEMAP_SCAN: 1 works, 0 does not, -1 untried */
	bool pfn_hidden;	/* a present page with PFN 0: no CAP_SYS_ADMIN */
	struct file_kind *files;
	size_t nfiles, capfiles;
};

static int set_err(struct cs_nl_err *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int set_err(struct cs_nl_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	e->stage = CS_STAGE_DUMP;
	e->err = err;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* A small /proc file, NUL-terminated, into @buf; its length or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	ssize_t n, off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)off < len - 1) {
		n = read(fd, buf + off, len - 1 - off);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		off += n;
	}
	close(fd);
	buf[off] = '\0';
	return off;
}

/* A whole /proc file into a malloc'ed, NUL-terminated buffer, or NULL (errno). */
static char *read_all(const char *path)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap), *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0 || !buf) {
		err = fd < 0 ? errno : ENOMEM;
		free(buf);
		if (fd >= 0)
			close(fd);
		errno = err;
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				err = ENOMEM;
				goto fail;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			err = errno;
			goto fail;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	close(fd);
	free(buf);
	errno = err;
	return NULL;
}

/* ---- /proc/PID/maps ---- */

/**
 * cs_pm_parse_maps_line() - parse one line of /proc/PID/maps
 * @line: the line, without its newline; modified (the name is cut out)
 * @m: filled in; @m->name points into @line
 *
 * "start-end perms offset major:minor inode   name".  The name starts after
 * the padding that show_map_vma() prints and runs to the end of the line;
 * maps escapes a newline in a path as "\012", which is undone, so that the
 * name reads as the module sends it.
 *
 * Return: 0, or -1 when the line is not a maps line.
 */
int cs_pm_parse_maps_line(char *line, struct cs_pm_maps_line *m)
{
	unsigned long long start, end, off, ino;
	char *name, *w, *r;
	int n = -1;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu%n", &start, &end, m->perms, &off,
		   &m->major, &m->minor, &ino, &n) != 7 || n < 0 || start >= end)
		return -1;
	m->start = start;
	m->end = end;
	m->offset = off;
	m->inode = ino;
	name = line + n;
	while (*name == ' ')
		name++;
	for (r = w = name; *r; ) {
		if (!strncmp(r, "\\012", 4)) {
			*w++ = '\n';
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	m->name = name;
	return 0;
}

/*
 * The kind of a file-backed VMA's file, looked up through map_files (which
 * only the process's directory has, not a thread's: @pid).
 */
static int file_kind(struct pm *pm, uint32_t pid, const struct cs_pm_maps_line *m)
{
	char path[128];
	struct statfs sf;
	struct stat st;
	size_t i;
	int kind = FK_PLAIN;

	for (i = 0; i < pm->nfiles; i++)
		if (pm->files[i].major == m->major && pm->files[i].minor == m->minor &&
		    pm->files[i].inode == m->inode)
			return pm->files[i].kind;
	snprintf(path, sizeof(path), "/proc/%u/map_files/%" PRIx64 "-%" PRIx64, pid, m->start,
		 m->end);
	if (!statfs(path, &sf) && sf.f_type == HUGETLBFS_MAGIC)
		kind = FK_HUGETLB;
	else if (!stat(path, &st) && S_ISCHR(st.st_mode) &&
		 st.st_rdev != makedev(1, 5))	/* /dev/zero is plain memory */
		kind = FK_DEVICE;
	if (pm->nfiles == pm->capfiles) {
		size_t cap = pm->capfiles ? 2 * pm->capfiles : 16;
		struct file_kind *f = realloc(pm->files, cap * sizeof(*f));

		if (!f)
			return kind;
		pm->files = f;
		pm->capfiles = cap;
	}
	pm->files[pm->nfiles++] = (struct file_kind){ m->major, m->minor, m->inode, kind };
	return kind;
}

/*
 * The VmFlags of the VMA at @start in /proc/PID/smaps say pf, io or ht.
 * Only asked for a mapped character device, which maps cannot tell apart.
 */
static bool smaps_says_skipped(const char *dir, uint64_t start)
{
	char path[96], *s, *line, *flags;
	unsigned long long a;
	bool in = false, skip = false;

	snprintf(path, sizeof(path), "%s/smaps", dir);
	s = read_all(path);
	if (!s)
		return false;
	for (line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		if (sscanf(line, "%llx-", &a) == 1 && strchr(line, '-') &&
		    strspn(line, "0123456789abcdef") == (size_t)(strchr(line, '-') - line)) {
			in = a == start;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			flags = line + 8;
			skip = strstr(flags, " pf") || strstr(flags, " io") || strstr(flags, " ht");
			break;
		}
	}
	free(s);
	return skip;
}

/*
 * Whether the kernel's [vvar] (or [vvar_vclock]) mappings are ones the
 * module skips: PFN maps on 6.1 and 6.12, but on 7.3 [vvar] is the vDSO
 * data store, pages with a struct page (VM_MIXEDMAP), which count.  The
 * same for every process of a kernel, so asked once, of our own smaps
 * (a small process's); without such a VMA of ours, skipped.
 */
static bool special_skipped(const char *name)
{
	static int vvar = -1, vclock = -1;
	int *known = strcmp(name, "[vvar]") ? &vclock : &vvar;
	char *s, *line, *end;
	uint64_t start = 0;
	bool found = false;

	if (*known >= 0)
		return *known;
	s = read_all("/proc/self/smaps");
	for (line = s ? strtok(s, "\n") : NULL; line && !found; line = strtok(NULL, "\n")) {
		end = line + strlen(line) - strlen(name);
		if (end > line && end[-1] == ' ' && !strcmp(end, name) &&
		    sscanf(line, "%" SCNx64 "-", &start) == 1)
			found = true;
	}
	free(s);
	*known = found ? smaps_says_skipped("/proc/self", start) : 1;
	return *known;
}

/* Is this VMA one that the module skips (hugetlb, VM_PFNMAP, VM_IO)? */
static bool vma_skipped(struct pm *pm, uint32_t pid, const char *dir,
			const struct cs_pm_maps_line *m)
{
	int kind;

	if (!strcmp(m->name, "[vvar]") || !strcmp(m->name, "[vvar_vclock]"))
		return special_skipped(m->name);
	if (!m->inode)
		return false;
	if (strstr(m->name, "anon_hugepage"))
		return true;
	kind = file_kind(pm, pid, m);
	return kind == FK_HUGETLB || (kind == FK_DEVICE && smaps_says_skipped(dir, m->start));
}

/* ---- kpagecount and kpageflags ---- */

/* The cache block of @pfn, allocated on first use (not yet read); NULL: no memory. */
static struct blk *get_blk(struct pm *pm, uint64_t pfn)
{
	size_t b = pfn / BLK;

	if (b >= pm->nblk) {
		size_t nn = b + 1 > 2 * pm->nblk ? b + 1 : 2 * pm->nblk;
		struct blk **nb = realloc(pm->blk, nn * sizeof(*nb));

		if (!nb)
			return NULL;
		memset(nb + pm->nblk, 0, (nn - pm->nblk) * sizeof(*nb));
		pm->blk = nb;
		pm->nblk = nn;
	}
	if (!pm->blk[b])
		pm->blk[b] = calloc(1, sizeof(struct blk));
	return pm->blk[b];
}

static inline bool pfn_loaded(const struct blk *b, uint64_t pfn)
{
	return b->loaded[pfn % BLK / 64] & (1ULL << (pfn % 64));
}

/* kpageflags and kpagecount of [@first, @first + @n) into the cache. */
static int load_run(struct pm *pm, uint64_t first, size_t n)
{
	ssize_t nf, nc;
	uint64_t pfn;
	size_t i;

	nf = pread(pm->kf, pm->raw, n * 8, (off_t)(first * 8));
	nc = pread(pm->kc, pm->raw2, n * 8, (off_t)(first * 8));
	for (i = 0; i < n; i++) {
		struct blk *b;

		pfn = first + i;
		b = get_blk(pm, pfn);
		if (!b)
			return -ENOMEM;
		/* Past the end of memory a read is short: those PFNs are holes. */
		b->flags[pfn % BLK] = nf >= (ssize_t)((i + 1) * 8) ? (uint32_t)pm->raw[i]
								 : 1u << CS_KPF_NOPAGE;
		b->count[pfn % BLK] = nc >= (ssize_t)((i + 1) * 8) ?
			(pm->raw2[i] > UINT32_MAX ? UINT32_MAX : (uint32_t)pm->raw2[i]) : 0;
		b->loaded[pfn % BLK / 64] |= 1ULL << (pfn % 64);
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Load the kpage* entries of the PFNs in @pfn[0..@n) that are not cached:
 * sorted, and read in runs, a run spanning gaps of up to RUN_GAP PFNs, so
 * that contiguous memory costs one read per RUN_MAX pages and scattered
 * pages cost no read of the PFNs between them.
 */
static int load_pfns(struct pm *pm, uint64_t *pfn, size_t n)
{
	size_t i, k = 0;
	uint64_t first;
	int err;

	qsort(pfn, n, sizeof(*pfn), cmp_u64);
	for (i = 0; i < n; i = k) {
		first = pfn[i];
		for (k = i + 1; k < n && pfn[k] - pfn[k - 1] <= RUN_GAP &&
		     pfn[k] - first < RUN_MAX; k++)
			;
		err = load_run(pm, first, pfn[k - 1] - first + 1);
		if (err)
			return err;
	}
	return 0;
}

/* ---- THP ---- */

/**
 * cs_pm_pmd_mapped_guess() - does this 2 MiB range look PMD-mapped?
 * @ent: the CS_PMD_PAGES pagemap entries of the range
 * @flags: their kpageflags
 * @vaddr_page: the virtual page number of the first
 *
 * For kernels without PAGEMAP_SCAN (before 6.7), which report a PMD mapping
 * in pagemap exactly as 512 PTEs of the same pages.  A PMD maps a naturally
 * aligned 2 MiB range onto one THP, whose PFNs are contiguous and start at a
 * 512-aligned PFN; a range that maps anything else cannot be PMD-mapped.
 * The converse is a guess: a THP that is PTE-mapped whole and in place
 * passes too.
 *
 * Return: true when the range is aligned, every page present, not a zero
 * page, part of a THP, and the PFNs run from a 512-aligned one upwards.
 */
bool cs_pm_pmd_mapped_guess(const uint64_t *ent, const uint32_t *flags, uint64_t vaddr_page)
{
	uint64_t pfn0 = ent[0] & CS_PM_PFN_MASK;
	size_t i;

	if (vaddr_page % CS_PMD_PAGES || pfn0 % CS_PMD_PAGES || !pfn0)
		return false;
	for (i = 0; i < CS_PMD_PAGES; i++) {
		if (!(ent[i] & CS_PM_PRESENT) || (ent[i] & CS_PM_PFN_MASK) != pfn0 + i)
			return false;
		if (!(flags[i] & (1u << CS_KPF_THP)) || (flags[i] & (1u << CS_KPF_ZERO_PAGE)))
			return false;
	}
	return true;
}

/* ---- walking ---- */

static inline void add(struct cs_counts *c, enum cs_field f, uint64_t n)
{
	c->val[f] += n;
}

/*
 * Count the pages of [@idx, @last) (virtual page numbers) into @c; @ksm
 * gets the pages whose KSM bit is set, @any_thp whether one is part of a
 * THP, and with @guess, @guessed the pages that cs_pm_pmd_mapped_guess()
 * takes for PMD-mapped.
 */
static int walk_range(struct pm *pm, int fd, uint64_t idx, uint64_t last, struct cs_counts *c,
		      uint64_t *ksm, bool *any_thp, bool guess, uint64_t *guessed)
{
	uint64_t n, i, nneed;
	ssize_t got;
	int err;

	while (idx < last) {
		/* Chunks start at multiples of CHUNK, so a 2 MiB range is never cut. */
		n = CHUNK - idx % CHUNK;
		if (n > last - idx)
			n = last - idx;
		got = pread(fd, pm->ent, n * 8, (off_t)(idx * 8));
		if (got < 0)
			got = 0;	/* the mm went away: nothing more to count */
		memset((char *)pm->ent + got, 0, n * 8 - got);
		/* The PFNs whose kpage* entries are not cached yet, read at once. */
		for (i = 0, nneed = 0; i < n; i++) {
			uint64_t e = pm->ent[i], pfn = e & CS_PM_PFN_MASK;
			struct blk *b;

			if (!(e & CS_PM_PRESENT) || !pfn)
				continue;
			b = pfn / BLK < pm->nblk ? pm->blk[pfn / BLK] : NULL;
			if (!b || !pfn_loaded(b, pfn))
				pm->need[nneed++] = pfn;
		}
		if (nneed) {
			err = load_pfns(pm, pm->need, nneed);
			if (err)
				return err;
		}
		for (i = 0; i < n; i++) {
			uint64_t e = pm->ent[i], pfn;
			uint32_t fl, cnt;
			struct blk *b;

			pm->fl[i] = 0;
			if (!(e & CS_PM_PRESENT)) {
				if (e & CS_PM_SWAP)
					add(c, CS_SWAP, 1);
				continue;
			}
			pfn = e & CS_PM_PFN_MASK;
			if (!pfn) {
				pm->pfn_hidden = true;
				continue;
			}
			b = pm->blk[pfn / BLK];
			fl = b->flags[pfn % BLK];
			cnt = b->count[pfn % BLK];
			pm->fl[i] = fl;
			if (fl & (1u << CS_KPF_ZERO_PAGE)) {
				add(c, CS_ZERO, 1);
				continue;
			}
			add(c, CS_RSS, 1);
			if (fl & (1u << CS_KPF_ANON)) {
				add(c, CS_ANON, 1);
				add(c, cnt >= 2 ? CS_ANON_SHARED : CS_ANON_PRIVATE, 1);
				*ksm += !!(fl & (1u << CS_KPF_KSM));
			} else {
				add(c, CS_FILE, 1);
			}
			add(c, cnt >= 2 ? CS_SHARED : CS_PRIVATE, 1);
			*any_thp |= !!(fl & (1u << CS_KPF_THP));
			if (!(b->seen[pfn % BLK / 64] & (1ULL << (pfn % 64)))) {
				b->seen[pfn % BLK / 64] |= 1ULL << (pfn % 64);
				pm->unique++;
			}
		}
		if (guess && *any_thp)
			for (i = (CS_PMD_PAGES - idx % CS_PMD_PAGES) % CS_PMD_PAGES;
			     i + CS_PMD_PAGES <= n; i += CS_PMD_PAGES)
				if (cs_pm_pmd_mapped_guess(pm->ent + i, pm->fl + i, idx + i))
					*guessed += CS_PMD_PAGES;
		idx += n;
	}
	return 0;
}

/*
 * Count the pages of one VMA into @c (the caller marks which fields are
 * available); @ksm gets the pages whose KSM bit is set.
 *
 * With PAGEMAP_SCAN (Linux 6.7), the kernel first lists the populated
 * ranges of the VMA (present or swapped pages), so that an empty or sparse
 * range (a thread stack, a MAP_NORESERVE reservation of terabytes) costs
 * what its populated pages cost, and says which pages a PMD maps (thp).
 * Without it, pagemap is read over the whole VMA and thp is guessed.
 */
static int walk_vma(struct pm *pm, int fd, const struct cs_pm_maps_line *m,
		    struct cs_counts *c, uint64_t *ksm)
{
	struct cs_pm_scan_arg a = {
		.size = sizeof(a), .start = m->start, .end = m->end,
		.vec = (uintptr_t)pm->reg, .vec_len = NREG,
		.category_anyof_mask = CS_PAGE_IS_PRESENT | CS_PAGE_IS_SWAPPED,
		.return_mask = CS_PAGE_IS_PRESENT | CS_PAGE_IS_SWAPPED | CS_PAGE_IS_HUGE |
			       CS_PAGE_IS_PFNZERO,
	};
	uint64_t guessed = 0, thp = 0;
	bool any_thp = false;
	long n, i;
	int err;

	while (pm->scan != 0 && a.start < m->end) {
		n = ioctl(fd, CS_PAGEMAP_SCAN, &a);
		if (n < 0 && (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP) &&
		    pm->scan < 0) {
			pm->scan = 0;	/* before Linux 6.7 */
			break;
		}
		if (n < 0)
			return 0;	/* the mm went away: nothing to count */
		pm->scan = 1;
		for (i = 0; i < n; i++) {
			const struct cs_page_region *r = &pm->reg[i];
			uint64_t cat = r->categories;

			if ((cat & CS_PAGE_IS_HUGE) && (cat & CS_PAGE_IS_PRESENT) &&
			    !(cat & CS_PAGE_IS_PFNZERO))
				thp += (r->end - r->start) / pm->ps;
			err = walk_range(pm, fd, r->start / pm->ps, r->end / pm->ps, c, ksm,
					 &any_thp, false, &guessed);
			if (err)
				return err;
		}
		if (a.walk_end <= a.start)
			break;
		a.start = a.walk_end;
	}
	if (pm->scan == 1) {
		c->val[CS_THP] = thp;
		return 0;
	}
	err = walk_range(pm, fd, m->start / pm->ps, m->end / pm->ps, c, ksm, &any_thp, true,
			 &guessed);
	c->val[CS_THP] = guessed;
	return err;
}

/* The "KSM:" line (kB) of each VMA in /proc/PID/smaps, into its VMA row. */
static void ksm_from_smaps(const char *dir, struct cs_proc *p, uint64_t ps)
{
	char path[96], *s, *line;
	unsigned long long a, e, kb;
	struct cs_vma *cur = NULL;
	size_t j;

	snprintf(path, sizeof(path), "%s/smaps", dir);
	s = read_all(path);
	if (!s)
		return;
	for (line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		if (sscanf(line, "%llx-%llx ", &a, &e) == 2 &&
		    line[strspn(line, "0123456789abcdef")] == '-') {
			cur = NULL;
			for (j = 0; j < p->nr_vmas; j++)
				if (p->vmas[j].start == a)
					cur = &p->vmas[j];
		} else if (cur && sscanf(line, "KSM: %llu kB", &kb) == 1) {
			cur->c.val[CS_KSM] = kb * 1024 / ps;
		}
	}
	free(s);
}

/*
 * The page fields this backend computes.  Any other (cow_broken, and a
 * field added to the spec until it is computed here) stays unavailable,
 * never 0.
 */
static const enum cs_field pm_fields[] = {
	CS_RSS, CS_ANON, CS_FILE, CS_SHARED, CS_PRIVATE, CS_ANON_SHARED, CS_ANON_PRIVATE,
	CS_SWAP, CS_ZERO, CS_KSM, CS_THP,
};

static void mark_page_fields(struct cs_counts *c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pm_fields); i++)
		c->have |= 1u << pm_fields[i];
}

/*
 * Walk the mm of @n (read through /proc/PID/task/HOLDER) into @p.
 * Return: 0; -EACCES when its pagemap may not be read (the row becomes
 * not_permitted); -ENOMEM.
 */
static int walk_proc(struct pm *pm, const struct node *n, struct cs_proc *p, bool want_vmas)
{
	char dir[64], path[96], *maps, *line, *next, buf[32];
	struct cs_pm_maps_line m;
	uint64_t ksm_bits = 0, f;
	long long merging = -1;
	struct cs_vma *v;
	int fd, err = 0;
	size_t j;

	snprintf(dir, sizeof(dir), "/proc/%u/task/%u", n->pid, n->holder);
	snprintf(path, sizeof(path), "%s/pagemap", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES || errno == EPERM ? -EACCES : 0;
	snprintf(path, sizeof(path), "%s/maps", dir);
	maps = read_all(path);
	if (!maps) {
		err = errno == EACCES || errno == EPERM ? -EACCES : 0;
		close(fd);
		return err;
	}
	mark_page_fields(&p->c);
	cs_set(&p->c, CS_SKIPPED_VMAS, 0);
	for (line = maps; line && *line; line = next) {
		struct cs_counts c = { 0 };
		uint64_t ksm = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (cs_pm_parse_maps_line(line, &m) || !strcmp(m.name, "[vsyscall]"))
			continue;	/* the gate area is no VMA */
		mark_page_fields(&c);
		if (vma_skipped(pm, n->pid, dir, &m)) {
			p->c.val[CS_SKIPPED_VMAS]++;
		} else {
			err = walk_vma(pm, fd, &m, &c, &ksm);
			if (err)
				break;
		}
		c.val[CS_KSM] = ksm;
		ksm_bits += ksm;
		for (f = 0; f < CS_NR_PAGE_FIELDS; f++)
			p->c.val[f] += c.val[f];
		if (!want_vmas)
			continue;
		v = cs_proc_add_vma(p);
		if (!v) {
			err = -ENOMEM;
			break;
		}
		v->start = m.start;
		v->end = m.end;
		v->offset = m.inode || *m.name == '/' ? m.offset : 0;
		free(v->perms);
		v->perms = strdup(m.perms);
		v->name = *m.name ? strdup(m.name) : NULL;
		if (!v->perms || (*m.name && !v->name)) {
			err = -ENOMEM;
			break;
		}
		v->c = c;
	}
	free(maps);
	close(fd);
	if (err)
		return err;

	/*
	 * KSM: the kpageflags bit, checked against the kernel's own count of
	 * the process's merged pages (6.12 sets the bit on every anonymous
	 * page).
	 */
	snprintf(path, sizeof(path), "%s/ksm_merging_pages", dir);
	if (read_small(path, buf, sizeof(buf)) > 0)
		merging = strtoll(buf, NULL, 10);
	if (merging >= 0 && (uint64_t)merging != ksm_bits) {
		p->c.val[CS_KSM] = merging;
		for (j = 0; j < p->nr_vmas; j++)
			p->vmas[j].c.val[CS_KSM] = 0;
		if (merging && p->nr_vmas)
			ksm_from_smaps(dir, p, pm->ps);
	}
	return 0;
}

/* ---- the tree ---- */

struct nodes {
	struct node *v;
	size_t n, cap;
};

static struct node *add_node(struct nodes *ns, uint32_t pid, uint32_t ppid, uint32_t depth)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? 2 * ns->cap : 64;
		struct node *v = realloc(ns->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n] = (struct node){ .pid = pid, .ppid = ppid, .depth = depth };
	return &ns->v[ns->n++];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct pids {
	uint32_t *v;
	size_t n, cap;
};

static int push_pid(struct pids *p, uint32_t pid)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		uint32_t *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = pid;
	return 0;
}

/*
 * The children of @pid, appended to @out: from each thread's children file,
 * or, when @scan holds every process's (ppid, pid) sorted (no
 * CONFIG_PROC_CHILDREN), from there.  Return: 0, -ENOENT when the kernel has
 * no children files, -ENOMEM.
 */
static int children(uint32_t pid, const struct pids *scan, struct pids *out)
{
	char path[96], *s, *tok;
	struct dirent *d;
	uint32_t tid;
	DIR *dir;
	size_t i;

	if (scan->n) {
		size_t lo = 0, hi = scan->n / 2, mid;

		while (lo < hi) {	/* the first pair of ppid @pid */
			mid = (lo + hi) / 2;
			if (scan->v[2 * mid] < pid)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (i = lo; i < scan->n / 2 && scan->v[2 * i] == pid; i++)
			if (push_pid(out, scan->v[2 * i + 1]))
				return -ENOMEM;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;	/* gone: no children */
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		tid = strtoul(d->d_name, NULL, 10);
		snprintf(path, sizeof(path), "/proc/%u/task/%u/children", pid, tid);
		s = read_all(path);
		if (!s) {
			/* The thread is there but its children file is not. */
			snprintf(path, sizeof(path), "/proc/%u/task/%u", pid, tid);
			if (errno == ENOENT && !access(path, F_OK)) {
				closedir(dir);
				return -ENOENT;	/* no CONFIG_PROC_CHILDREN */
			}
			continue;
		}
		for (tok = strtok(s, " \n"); tok; tok = strtok(NULL, " \n"))
			if (push_pid(out, strtoul(tok, NULL, 10))) {
				free(s);
				closedir(dir);
				return -ENOMEM;
			}
		free(s);
	}
	closedir(dir);
	return 0;
}

/* Fields 3 (state), 4 (ppid) and 9 (flags) of /proc/PID/stat. */
static int read_stat(uint32_t pid, char *state, uint32_t *ppid, unsigned long *flags)
{
	char path[64], buf[1024], *p;
	unsigned int pp;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')');	/* comm may hold anything, ')' too */
	if (!p || sscanf(p + 1, " %c %u %*d %*d %*d %*d %lu", state, &pp, flags) != 3)
		return -1;
	*ppid = pp;
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Every process's (ppid, pid), sorted: the tree on a kernel without children files. */
static int scan_proc(struct pids *scan)
{
	struct dirent *d;
	unsigned long fl;
	uint32_t *pairs;
	DIR *dir = opendir("/proc");
	uint32_t pid, ppid;
	char st;

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		pid = strtoul(d->d_name, NULL, 10);
		if (read_stat(pid, &st, &ppid, &fl))
			continue;
		if (push_pid(scan, ppid) || push_pid(scan, pid)) {
			closedir(dir);
			return -ENOMEM;
		}
	}
	closedir(dir);
	pairs = scan->v;
	qsort(pairs, scan->n / 2, 2 * sizeof(*pairs), cmp_pair);
	return 0;
}

/*
 * The thread through which @n's mm is read: the main thread, or when it has
 * exited (pthread_exit()) while others run, a live one; 0 for no mm
 * (kernel thread, zombie, gone).
 */
static uint32_t find_holder(const struct node *n, char state)
{
	char path[96], buf[1024], *p;
	struct dirent *d;
	uint32_t tid = 0;
	DIR *dir;

	if (n->kthread)
		return 0;
	if (state != 'Z' && state != 'X')
		return n->pid;
	snprintf(path, sizeof(path), "/proc/%u/task", n->pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!tid && (d = readdir(dir))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%u/task/%lu/stat", n->pid,
			 strtoul(d->d_name, NULL, 10));
		if (read_small(path, buf, sizeof(buf)) <= 0)
			continue;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X')
			tid = strtoul(d->d_name, NULL, 10);
	}
	closedir(dir);
	return tid;
}

/* Rows by mm (kcmp's order), then by row: one mm's rows end up together. */
static int cmp_mm(const void *a, const void *b, void *arg)
{
	const struct node *v = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	long r = syscall(SYS_kcmp, v[x].holder, v[y].holder, KCMP_VM, 0, 0);

	if (r == 1)
		return -1;
	if (r == 2)
		return 1;
	return x < y ? -1 : x > y;	/* the same mm (0), or kcmp failed */
}

/*
 * Rows that share one mm (CLONE_VM without CLONE_THREAD): the first in tree
 * order counts it, the others are flagged and point to it (@owner[i]).
 */
static int mark_shared_mms(struct nodes *ns, struct cs_tree *t, uint32_t *owner)
{
	uint32_t *idx, n = 0, i;

	for (i = 0; i < ns->n; i++)
		owner[i] = i;
	idx = malloc(ns->n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < ns->n; i++)
		if (ns->v[i].holder)
			idx[n++] = i;
	if (n > 1 && syscall(SYS_kcmp, ns->v[idx[0]].holder, ns->v[idx[0]].holder, KCMP_VM,
			     0, 0) == 0) {
		qsort_r(idx, n, sizeof(*idx), cmp_mm, ns->v);
		for (i = 1; i < n; i++)
			if (!syscall(SYS_kcmp, ns->v[idx[i - 1]].holder, ns->v[idx[i]].holder,
				     KCMP_VM, 0, 0)) {
				owner[idx[i]] = owner[idx[i - 1]];
				t->procs[idx[i]].flags |= CS_F_MM_SHARED;
				t->procs[idx[i]].mm_shared_with = ns->v[owner[idx[i]]].pid;
			}
	}
	free(idx);
	return 0;
}

/* The row @dst shows the counts and VMAs of the mm that row @src counted. */
static int copy_row(struct cs_proc *dst, const struct cs_proc *src)
{
	size_t j;

	dst->c = src->c;
	for (j = 0; j < src->nr_vmas; j++) {
		const struct cs_vma *s = &src->vmas[j];
		struct cs_vma *v = cs_proc_add_vma(dst);

		if (!v)
			return -ENOMEM;
		free(v->perms);
		v->start = s->start;
		v->end = s->end;
		v->offset = s->offset;
		v->perms = strdup(s->perms);
		v->name = s->name ? strdup(s->name) : NULL;
		v->c = s->c;
		if (!v->perms || (s->name && !v->name))
			return -ENOMEM;
	}
	return 0;
}

/* The rows of the tree of @root, parents before children, children by PID. */
static int collect(uint32_t root, struct nodes *ns)
{
	struct pids stack = { 0 }, kids = { 0 }, scan = { 0 };
	unsigned long flags;
	uint32_t pid, ppid, depth, i;
	struct node *n;
	char state;
	int err = 0;

	if (read_stat(root, &state, &ppid, &flags))
		return -ESRCH;
	if (push_pid(&stack, root) || push_pid(&stack, ppid) || push_pid(&stack, 0))
		return -ENOMEM;
	while (stack.n) {
		depth = stack.v[--stack.n];
		ppid = stack.v[--stack.n];
		pid = stack.v[--stack.n];
		n = add_node(ns, pid, ppid, depth);
		if (!n) {
			err = -ENOMEM;
			break;
		}
		if (read_stat(pid, &state, &ppid, &flags)) {
			state = 'X';	/* gone meanwhile: a no_mm row */
			flags = 0;
		}
		n->kthread = flags & PF_KTHREAD;
		n->holder = find_holder(n, state);
		kids.n = 0;
		err = children(pid, &scan, &kids);
		if (err == -ENOENT && !scan.n) {
			err = scan_proc(&scan);
			if (!err)
				err = children(pid, &scan, &kids);
		}
		if (err)
			break;
		qsort(kids.v, kids.n, sizeof(*kids.v), cmp_u32);
		for (i = kids.n; i > 0; i--)
			if (push_pid(&stack, kids.v[i - 1]) || push_pid(&stack, pid) ||
			    push_pid(&stack, depth + 1)) {
				err = -ENOMEM;
				break;
			}
		if (err)
			break;
	}
	free(stack.v);
	free(kids.v);
	free(scan.v);
	return err;
}

/* The process of @pid (a thread ID names its process, as /proc/TID does). */
static int resolve_root(uint32_t pid, uint32_t *root)
{
	char path[64], buf[4096], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n == -EACCES || n == -EPERM ? -EPERM : -ESRCH;
	p = strstr(buf, "\nTgid:");
	*root = p ? strtoul(p + 6, NULL, 10) : pid;
	return *root ? 0 : -ESRCH;
}

static int open_kpage(const char *path, struct cs_nl_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == EACCES || errno == EPERM)
		return set_err(e, EPERM, "%s is readable by root only", path);
	if (errno == ENOENT)
		return set_err(e, EOPNOTSUPP, "this kernel has no %s (CONFIG_PROC_PAGE_MONITOR)",
			       path);
	return set_err(e, errno, "cannot open %s", path);
}

static void free_pm(struct pm *pm)
{
	size_t i;

	for (i = 0; i < pm->nblk; i++)
		free(pm->blk[i]);
	free(pm->blk);
	free(pm->ent);
	free(pm->fl);
	free(pm->need);
	free(pm->files);
	if (pm->kc >= 0)
		close(pm->kc);
	if (pm->kf >= 0)
		close(pm->kf);
}

/**
 * cs_pm_dump() - read a tree without the module
 * @pid: the tree's root (a thread ID means its process)
 * @want_vmas: fill each row's VMAs
 * @t: filled in, as cs_nl_dump() fills it (cow_broken and cow_faults
 *	unavailable); the caller frees it, also on failure
 * @e: on failure, why: ESRCH (no such process), EPERM (not root, or no
 *	CAP_SYS_ADMIN: pagemap hides the PFNs), anything else; cs_nl_explain()
 *	turns it into the message and exit status the module backend gives
 *
 * Return: 0, or -1 with @e filled in.
 */
int cs_pm_dump(uint32_t pid, bool want_vmas, struct cs_tree *t, struct cs_nl_err *e)
{
	static struct pm pm;	/* large (its read buffers): not on the stack */
	struct nodes ns = { 0 };
	uint32_t root, *owner = NULL;
	size_t i;
	char path[64];
	ssize_t len;
	int err, ret = -1, f;

	memset(e, 0, sizeof(*e));
	memset(&pm, 0, sizeof(pm));
	pm.kc = pm.kf = pm.scan = -1;
	pm.ps = sysconf(_SC_PAGESIZE);
	err = resolve_root(pid, &root);
	if (err)
		return set_err(e, -err, "%s", err == -EPERM ? "cannot read /proc/PID/status" : "");
	pm.kf = open_kpage("/proc/kpageflags", e);
	if (pm.kf < 0)
		goto out;
	pm.kc = open_kpage("/proc/kpagecount", e);
	if (pm.kc < 0)
		goto out;
	pm.ent = malloc(CHUNK * sizeof(*pm.ent));
	pm.fl = malloc(CHUNK * sizeof(*pm.fl));
	pm.need = malloc(CHUNK * sizeof(*pm.need));
	if (!pm.ent || !pm.fl || !pm.need) {
		set_err(e, ENOMEM, "%s", "");
		goto out;
	}
	err = collect(root, &ns);
	if (err) {
		set_err(e, -err, "%s", "");
		goto out;
	}
	t->root = root;
	t->page_size = pm.ps;
	for (i = 0; i < ns.n; i++) {
		struct cs_proc *p = cs_tree_add_proc(t, ns.v[i].pid);

		if (!p) {
			set_err(e, ENOMEM, "%s", "");
			goto out;
		}
		p->ppid = ns.v[i].ppid;
		p->depth = ns.v[i].depth;
		snprintf(path, sizeof(path), "/proc/%u/comm", ns.v[i].pid);
		free(p->comm);
		p->comm = malloc(64);
		if (!p->comm) {
			set_err(e, ENOMEM, "%s", "");
			goto out;
		}
		len = read_small(path, p->comm, 64);
		if (len < 0)
			len = 0;
		if (len && p->comm[len - 1] == '\n')
			len--;
		p->comm[len] = '\0';
		if (!ns.v[i].holder) {
			p->flags |= CS_F_NO_MM;
			mark_page_fields(&p->c);
			cs_set(&p->c, CS_SKIPPED_VMAS, 0);
		}
	}
	owner = malloc(ns.n * sizeof(*owner));
	if (!owner || mark_shared_mms(&ns, t, owner)) {
		set_err(e, ENOMEM, "%s", "");
		goto out;
	}
	for (i = 0; i < ns.n; i++) {
		struct cs_proc *p = &t->procs[i];

		if (!ns.v[i].holder || owner[i] != i)
			continue;
		err = walk_proc(&pm, &ns.v[i], p, want_vmas);
		if (err == -EACCES && !i) {
			set_err(e, EPERM, "cannot read /proc/%u/pagemap", ns.v[i].pid);
			goto out;
		}
		if (err == -EACCES) {
			/* As the module shows a row it may not read: no comm, no counts. */
			p->flags |= CS_F_NOT_PERMITTED;
			p->comm[0] = '\0';
			p->c.have = 0;
		} else if (err) {
			set_err(e, -err, "%s", "");
			goto out;
		}
	}
	if (pm.pfn_hidden) {
		set_err(e, EPERM, "/proc/PID/pagemap shows page frame numbers only to %s",
			"CAP_SYS_ADMIN");
		goto out;
	}
	for (i = 0; i < ns.n; i++) {
		struct cs_proc *p = &t->procs[i];

		if (owner[i] != i) {
			if (copy_row(p, &t->procs[owner[i]])) {
				set_err(e, ENOMEM, "%s", "");
				goto out;
			}
			continue;
		}
		if (p->flags & CS_F_NOT_PERMITTED)
			continue;
		for (f = 0; f < CS_NR_PROC_FIELDS; f++)
			t->totals.val[f] += p->c.val[f];
	}
	mark_page_fields(&t->totals);
	cs_set(&t->totals, CS_SKIPPED_VMAS, t->totals.val[CS_SKIPPED_VMAS]);
	cs_set(&t->totals, CS_UNIQUE, pm.unique);
	cs_set(&t->totals, CS_SAVED, t->totals.val[CS_RSS] - pm.unique);
	t->processes = t->nr_procs;
	t->have_totals = true;
	ret = 0;
out:
	free(owner);
	free(ns.v);
	free_pm(&pm);
	return ret;
}
