// SPDX-License-Identifier: GPL-2.0
/*
 * COW-broken pages, exactly as spec section 4 defines them.
 *
 * A position is (root anon_vma, page index).  The tree's anonymous VMAs are
 * grouped into families: VMAs of one lineage (same root anon_vma) whose
 * page-index ranges overlap.  A family with members in two or more mms is
 * walked position by position, one chunk of CHUNK positions at a time,
 * across all its members, in two passes:
 *
 *  1. every member's pages in the chunk are ranked, and for each position
 *     the best-ranked copy (the original) and whether more than one
 *     physical page is there are kept;
 *  2. every member's private pages that are not the original of a position
 *     with several copies are counted as cow_broken.
 *
 * A copy's rank is (anon_vma depth, not inherited, holder's rank): fewest
 * ->parent hops to the root anon_vma first, then inherited before created,
 * then the holder nearest the tree's root.  "Inherited" must hold for the
 * copy when any holder inherited it; a holder that created the page (its
 * VMA's own anon_vma is the page's) sees that another holder exists
 * exactly when the page's mapcount is 2 or more, since every other holder
 * of that page inherited it.  So every holder computes the same first two
 * rank fields for a copy, and the minimum over holders is the copy's rank.
 *
 * Memory: CHUNK positions of state, whatever the size of the family; each
 * member's mmap_lock is taken for read once per chunk and pass.
 */
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "compat.h"
#include "cowstat.h"

#define CHUNK		PTRS_PER_PTE	/* positions: one page table */
#define NO_PFN		ULONG_MAX

struct position {
	u64 best_key;
	unsigned long best_pfn;
	unsigned long first_pfn;
	bool multi;
};

struct cow_scan {
	struct cs_snapshot *snap;
	struct position *pos;
	const struct cs_member *m;
	unsigned long lo;		/* first position of the chunk */
	bool count;			/* pass 2 */
	u64 broken;
	/* last anon_vma whose depth was computed, and that depth */
	const struct anon_vma *av_cached;
	u32 depth_cached;
};

/*
 * ->parent hops from @av to its root.  The holder's mmap_lock and the
 * page-table lock keep the chain alive: the VMA links all its ancestors.
 */
static u32 anon_vma_depth(struct cow_scan *s, const struct anon_vma *av)
{
	const struct anon_vma *a = av;
	u32 depth = 0;

	if (av == s->av_cached)
		return s->depth_cached;
	while (a->parent != a && depth < U32_MAX)
		a = a->parent, depth++;
	s->av_cached = av;
	s->depth_cached = depth;
	return depth;
}

static void scan_page(void *priv, struct vm_area_struct *vma,
		      unsigned long addr, struct page *page, bool pmd_mapped)
{
	struct cow_scan *s = priv;
	unsigned long pfn, idx;
	const struct anon_vma *av;
	struct position *p;
	int mapcount;
	bool inherited;
	u64 key;

	if (!PageAnon(page) || folio_test_ksm(page_folio(page)))
		return;
	av = cs_page_anon_vma(page);
	if (!av || av->root != s->m->key)
		return;
	idx = linear_page_index(vma, addr) - s->lo;
	if (WARN_ON_ONCE(idx >= CHUNK))
		return;
	p = &s->pos[idx];
	pfn = page_to_pfn(page);
	mapcount = cs_page_mapcount(page);

	if (s->count) {
		if (mapcount <= 1 && p->multi && pfn != p->best_pfn)
			s->broken++;
		return;
	}

	inherited = av != vma->anon_vma || mapcount >= 2;
	key = (u64)min_t(u32, anon_vma_depth(s, av), S32_MAX) << 33 |
	      (u64)!inherited << 32 | s->snap->procs[s->m->proc].rank;
	if (p->first_pfn == NO_PFN)
		p->first_pfn = pfn;
	else if (pfn != p->first_pfn)
		p->multi = true;
	if (key < p->best_key) {
		p->best_key = key;
		p->best_pfn = pfn;
	}
}

static void scan_nothing(void *priv, unsigned long nr)
{
}

static int scan_unlocked(void *priv)
{
	return 0;
}

static const struct cs_pt_ops scan_ops = {
	.page		= scan_page,
	.zero		= scan_nothing,
	.swapped	= scan_nothing,
	.unlocked	= scan_unlocked,
};

/* One member's pages at positions [s->lo, s->lo + CHUNK). */
static int scan_member(struct cow_scan *s, const struct cs_member *m)
{
	struct cs_proc *p = &s->snap->procs[m->proc];
	struct mm_struct *mm = p->mm;
	struct vm_area_struct *vma;
	unsigned long lo, hi, addr, end, next;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return 0;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	/* The VMA as it is now: it may have moved or gone since the walk. */
	vma = find_vma(mm, m->start);
	if (!vma || vma->vm_start > m->start || !vma->anon_vma ||
	    vma->anon_vma->root != m->key)
		goto out;
	lo = max(s->lo, vma->vm_pgoff);
	hi = min(s->lo + CHUNK, vma->vm_pgoff + vma_pages(vma));
	if (lo >= hi)
		goto out;
	addr = vma->vm_start + ((lo - vma->vm_pgoff) << PAGE_SHIFT);
	end = vma->vm_start + ((hi - vma->vm_pgoff) << PAGE_SHIFT);

	s->m = m;
	s->broken = 0;
	for (; addr < end && !ret; addr = next) {
		next = pmd_addr_end(addr, end);
		ret = cs_walk_pmd_range(vma, addr, next, &scan_ops, s);
	}
	if (s->count && s->broken) {
		p->c.v[CS_COW_BROKEN] += s->broken;
		if (m->vma >= 0)
			p->vmas[m->vma].c.v[CS_COW_BROKEN] += s->broken;
	}
out:
	mmap_read_unlock(mm);
	mmput(mm);
	return ret;
}

static int cmp_member(const void *a, const void *b)
{
	const struct cs_member *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->pgoff != y->pgoff)
		return x->pgoff < y->pgoff ? -1 : 1;
	return x->proc < y->proc ? -1 : x->proc > y->proc;
}

/* One pass (@count: pass 2) over the members [first, last) in the chunk. */
static int scan_chunk(struct cow_scan *s, u32 first, u32 last, bool count)
{
	const struct cs_member *members = s->snap->members;
	u32 i;
	int ret;

	s->count = count;
	for (i = first; i < last; i++) {
		const struct cs_member *m = &members[i];

		if (m->pgoff >= s->lo + CHUNK || m->pgoff + m->nr_pages <= s->lo)
			continue;
		ret = scan_member(s, m);
		if (ret)
			return ret;
	}
	return 0;
}

/* Members [first, last) are one family spanning positions [lo, hi). */
static int count_family(struct cow_scan *s, u32 first, u32 last,
			unsigned long lo, unsigned long hi)
{
	unsigned long chunk;
	bool any_multi;
	u32 k;
	int ret;

	for (chunk = lo & ~(CHUNK - 1UL); chunk < hi; chunk += CHUNK) {
		for (k = 0; k < CHUNK; k++) {
			s->pos[k].best_key = U64_MAX;
			s->pos[k].first_pfn = NO_PFN;
			s->pos[k].best_pfn = NO_PFN;
			s->pos[k].multi = false;
		}
		s->lo = chunk;
		ret = scan_chunk(s, first, last, false);
		if (ret)
			return ret;
		any_multi = false;
		for (k = 0; k < CHUNK && !any_multi; k++)
			any_multi = s->pos[k].multi;
		/* Pass 2 only where some position has several copies. */
		if (any_multi) {
			ret = scan_chunk(s, first, last, true);
			if (ret)
				return ret;
		}
		if (cs_should_stop(s->snap))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/**
 * cs_cow_count() - add cow_broken to the rows of a walked snapshot
 * @snap: a snapshot that cs_walk_tree() filled
 *
 * Return: 0, -ENOMEM, or -EINTR on a fatal signal.
 */
int cs_cow_count(struct cs_snapshot *snap)
{
	struct cs_member *members = snap->members;
	struct cow_scan s = { .snap = snap };
	u32 i, j, n = snap->nr_members;
	int ret = 0;

	if (n < 2)
		return 0;
	s.pos = kvmalloc_array(CHUNK, sizeof(*s.pos), GFP_KERNEL_ACCOUNT);
	if (!s.pos)
		return -ENOMEM;
	sort(members, n, sizeof(*members), cmp_member, NULL);

	for (i = 0; i < n && !ret; i = j) {
		unsigned long lo = members[i].pgoff;
		unsigned long hi = lo + members[i].nr_pages;
		bool several_mms = false;

		for (j = i + 1; j < n && members[j].key == members[i].key &&
		     members[j].pgoff < hi; j++) {
			hi = max(hi, members[j].pgoff + members[j].nr_pages);
			several_mms |= members[j].proc != members[i].proc;
		}
		if (several_mms)
			ret = count_family(&s, i, j, lo, hi);
	}
	kvfree(s.pos);
	return ret;
}
