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
 * Each member is exactly the address range that walk.c counted, and it is
 * scanned again only there, in the VMAs that now map that range with the
 * same lineage and the same page indices, so that a VMA split or merged
 * meanwhile is never counted twice.  The tree can change between the two
 * walks (a page's mapcount can drop when a relative writes or exits), so a
 * member's cow_broken is capped at the anon_private that walk.c counted
 * in it: cow_broken <= anon_private holds in every row, whatever ran.
 *
 * Cost: only chunks where two or more members have a page table are
 * scanned (a member with no page table there holds no copy; one member
 * alone cannot hold two copies of a position).  Before each chunk, each
 * member's page tables are searched for its next populated PMD, skipping
 * empty upper levels whole, so a terabyte MAP_NORESERVE reservation costs
 * what its page tables cost.  Memory: CHUNK positions of state, whatever
 * the size of the family; each member's mmap_lock is taken for read once
 * per populated chunk and pass, and once per search.
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
	struct cs_member *m;
	unsigned long lo;		/* first position of the chunk */
	bool count;			/* pass 2 */
	u64 broken;
	/*
	 * The last anon_vma whose depth was computed, and that depth; valid
	 * only for one hold of one mm's mmap_lock (scan_member() resets it):
	 * anon_vmas are SLAB_TYPESAFE_BY_RCU, so once the lock is dropped the
	 * same address can be another anon_vma.
	 */
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

/* A page under migration: its mapcount must not be read, so it is not ranked. */
static void scan_migrating(void *priv, struct vm_area_struct *vma,
			   unsigned long addr, struct page *page)
{
}

static int scan_unlocked(void *priv)
{
	return 0;
}

static const struct cs_pt_ops scan_ops = {
	.page		= scan_page,
	.migrating	= scan_migrating,
	.zero		= scan_nothing,
	.swapped	= scan_nothing,
	.unlocked	= scan_unlocked,
};

/* The address of position @idx in member @m's counted range. */
static unsigned long member_addr(const struct cs_member *m, unsigned long idx)
{
	return m->start + ((idx - m->pgoff) << PAGE_SHIFT);
}

/*
 * Whether @vma still maps @m's positions where @m counted them: same
 * lineage, same page index at each address, and walked at all.
 */
static bool member_vma(const struct cs_member *m, struct vm_area_struct *vma)
{
	/* Set without mmap_lock held for write by the first fault. */
	struct anon_vma *av = READ_ONCE(vma->anon_vma);

	return av && av->root == m->key &&
	       !cs_skip_vma(vma) &&
	       vma->vm_pgoff - (vma->vm_start >> PAGE_SHIFT) ==
	       m->pgoff - (m->start >> PAGE_SHIFT);
}

/*
 * One member's pages at positions [s->lo, s->lo + CHUNK): only within the
 * range walk.c counted for it, in whatever VMAs map that range now.
 */
static int scan_member(struct cow_scan *s, struct cs_member *m)
{
	struct cs_proc *p = &s->snap->procs[m->proc];
	struct mm_struct *mm = p->mm;
	struct vm_area_struct *vma;
	unsigned long lo, hi, addr, end, vend, next;
	int ret = 0;

	lo = max(s->lo, m->pgoff);
	hi = min(s->lo + CHUNK, m->pgoff + m->nr_pages);
	if (lo >= hi)
		return 0;
	addr = member_addr(m, lo);
	end = member_addr(m, hi);

	if (!mmget_not_zero(mm))
		return 0;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	s->m = m;
	s->broken = 0;
	s->av_cached = NULL;
	while (!ret && addr < end && (vma = find_vma(mm, addr)) &&
	       vma->vm_start < end) {
		addr = max(addr, vma->vm_start);
		vend = min(vma->vm_end, end);
		if (!member_vma(m, vma)) {
			addr = vend;
			continue;
		}
		for (; addr < vend && !ret; addr = next) {
			next = pmd_addr_end(addr, vend);
			ret = cs_walk_pmd_range(vma, addr, next, &scan_ops, s);
		}
	}
	if (s->count)
		m->broken += s->broken;
	mmap_read_unlock(mm);
	mmput(mm);
	cond_resched();		/* a family can have thousands of members */
	return ret;
}

/*
 * Move @m->next to the first of its positions from @m->next on whose PMD
 * maps something (or to where the search stopped, or to its end).
 */
static int probe_member(struct cow_scan *s, struct cs_member *m)
{
	struct mm_struct *mm = s->snap->procs[m->proc].mm;
	unsigned long end = m->pgoff + m->nr_pages, addr;

	if (m->next >= end)
		return 0;
	if (!mmget_not_zero(mm)) {
		m->next = end;
		return 0;
	}
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	addr = cs_skip_empty(mm, member_addr(m, m->next), member_addr(m, end));
	mmap_read_unlock(mm);
	mmput(mm);
	m->next = m->pgoff + ((addr - m->start) >> PAGE_SHIFT);
	if (cs_should_stop(s->snap))
		return -EINTR;
	cond_resched();
	return 0;
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

/* One pass (@count: pass 2) over the members [first, last) present in the chunk. */
static int scan_chunk(struct cow_scan *s, u32 first, u32 last, bool count)
{
	struct cs_member *members = s->snap->members;
	u32 i;
	int ret;

	s->count = count;
	for (i = first; i < last; i++) {
		struct cs_member *m = &members[i];

		if (m->next >= s->lo + CHUNK || m->next >= m->pgoff + m->nr_pages)
			continue;
		ret = scan_member(s, m);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Members [first, last) are one family.  Only the chunks where two or more
 * members have page tables are scanned; each member's next populated
 * position is searched for in its page tables, skipping empty ranges.
 */
static int count_family(struct cow_scan *s, u32 first, u32 last)
{
	struct cs_member *members = s->snap->members;
	unsigned long chunk;
	bool any_multi;
	u32 i, k, present;
	int ret;

	for (i = first; i < last; i++) {
		members[i].next = members[i].pgoff;
		ret = probe_member(s, &members[i]);
		if (ret)
			return ret;
	}
	for (;;) {
		chunk = ULONG_MAX;
		for (i = first; i < last; i++)
			if (members[i].next < members[i].pgoff + members[i].nr_pages)
				chunk = min(chunk, members[i].next);
		if (chunk == ULONG_MAX)
			return 0;
		chunk &= ~(CHUNK - 1UL);
		s->lo = chunk;

		present = 0;
		for (i = first; i < last; i++)
			present += members[i].next < chunk + CHUNK &&
				   members[i].next < members[i].pgoff + members[i].nr_pages;
		/* One member alone holds at most one copy of a position. */
		if (present >= 2) {
			for (k = 0; k < CHUNK; k++) {
				s->pos[k].best_key = U64_MAX;
				s->pos[k].first_pfn = NO_PFN;
				s->pos[k].best_pfn = NO_PFN;
				s->pos[k].multi = false;
			}
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
		}
		for (i = first; i < last; i++) {
			struct cs_member *m = &members[i];

			if (m->next >= chunk + CHUNK)
				continue;
			m->next = chunk + CHUNK;
			ret = probe_member(s, m);
			if (ret)
				return ret;
		}
		if (cs_should_stop(s->snap))
			return -EINTR;
		cond_resched();
	}
}

/*
 * Add each member's cow_broken to its rows, at most the anon_private that
 * walk.c counted in it (the tree may have changed in between).
 */
static void add_broken(struct cs_snapshot *snap)
{
	u32 i;

	for (i = 0; i < snap->nr_members; i++) {
		struct cs_member *m = &snap->members[i];
		struct cs_proc *p = &snap->procs[m->proc];
		u64 b = min(m->broken, m->anon_private);

		p->c.v[CS_COW_BROKEN] += b;
		if (m->vma >= 0)
			p->vmas[m->vma].c.v[CS_COW_BROKEN] += b;
	}
}

/*
 * A row that shares an mm shows the owner's counts, cow_broken included:
 * copied only once they are complete (spec section 2).
 */
static void share_counts(struct cs_snapshot *snap)
{
	u32 i;

	for (i = 0; i < snap->nr_procs; i++) {
		struct cs_proc *p = &snap->procs[i];
		struct cs_proc *o = &snap->procs[p->mm_owner];

		if (p->mm_owner == i)
			continue;
		p->c = o->c;
		p->skipped_vmas = o->skipped_vmas;
		p->flags |= o->flags & CS_NO_MM;
	}
}

/**
 * cs_cow_count() - add cow_broken to the rows of a walked snapshot
 * @snap: a snapshot that cs_walk_tree() filled
 *
 * Then gives the rows that share an mm that mm's counts, cow_broken
 * included: this is the last step that changes a row's counts.
 *
 * Return: 0, -ENOMEM, or -EINTR on a fatal signal.
 */
int cs_cow_count(struct cs_snapshot *snap)
{
	struct cs_member *members = snap->members;
	struct cow_scan s = { .snap = snap };
	u32 i, j, n = snap->nr_members;
	int ret = 0;

	if (n >= 2) {
		s.pos = kvmalloc_array(CHUNK, sizeof(*s.pos), GFP_KERNEL_ACCOUNT);
		if (!s.pos)
			return -ENOMEM;
		sort(members, n, sizeof(*members), cmp_member, NULL);
	}
	for (i = 0; i + 1 < n && !ret; i = j) {
		unsigned long hi = members[i].pgoff + members[i].nr_pages;
		bool several_mms = false;

		for (j = i + 1; j < n && members[j].key == members[i].key &&
		     members[j].pgoff < hi; j++) {
			hi = max(hi, members[j].pgoff + members[j].nr_pages);
			several_mms |= members[j].proc != members[i].proc;
		}
		if (several_mms)
			ret = count_family(&s, i, j);
	}
	kvfree(s.pos);
	if (ret)
		return ret;
	add_broken(snap);
	share_counts(snap);
	return 0;
}
