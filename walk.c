// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the address spaces of a tree: every page field of spec section 3
 * but cow_broken (cow.c), per VMA, per process and for the tree.
 *
 * Each distinct mm is walked once, with mmap_lock held for read only.  As
 * smaps_rollup does, the lock is dropped and taken again between VMAs and
 * between page tables when a writer waits, so that a reader of cowstat
 * never stalls the processes it measures for longer than one page table
 * (or one VMA's row) takes to read.  Empty upper-level page-table ranges
 * are skipped whole, so a sparse address space costs what its page tables
 * cost.  A fatal signal ends the walk.
 *
 * Memory: one row per VMA when the reader asked for VMAs, one member per
 * anonymous VMA for cow.c, and for "unique" a set of PFNs kept as bitmap
 * pages allocated as they are first touched: at most one bit per page of
 * RAM.  Nothing grows with the number of mapped pages.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pgtable.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "compat.h"
#include "cowstat.h"

#define PFNSET_SHIFT	(PAGE_SHIFT + 3)	/* PFNs per bitmap page, log2 */

struct walk {
	struct cs_snapshot *snap;
	struct cs_counts vc;		/* the current VMA */
	s32 member;			/* its cs_member, or -1 */
	unsigned long reached;		/* the walk counted it up to here */
	bool unlocked;			/* mmap_lock lost and not retaken */
	unsigned int nr_pfns;
	unsigned long pfns[PTRS_PER_PTE];
};

static void count_page(void *priv, struct vm_area_struct *vma,
		       unsigned long addr, struct page *page, bool pmd_mapped)
{
	struct walk *w = priv;
	u64 *v = w->vc.v;
	bool anon = PageAnon(page);

	v[CS_RSS]++;
	v[anon ? CS_ANON : CS_FILE]++;
	if (cs_page_mapcount(page) >= 2) {
		v[CS_SHARED]++;
		v[CS_ANON_SHARED] += anon;
	} else {
		v[CS_PRIVATE]++;
		v[CS_ANON_PRIVATE] += anon;
	}
	v[CS_KSM] += anon && folio_test_ksm(page_folio(page));
	v[CS_THP] += pmd_mapped;
	if (!WARN_ON_ONCE(w->nr_pfns >= ARRAY_SIZE(w->pfns)))
		w->pfns[w->nr_pfns++] = page_to_pfn(page);
}

/*
 * A page under migration: in rss, as smaps counts it, and shared, as
 * smaps treats every non-present entry ("maybe shared"), since its
 * mapcount is not safe to read.
 */
static void count_migrating(void *priv, struct vm_area_struct *vma,
			    unsigned long addr, struct page *page)
{
	struct walk *w = priv;
	u64 *v = w->vc.v;
	bool anon = PageAnon(page);

	v[CS_RSS]++;
	v[anon ? CS_ANON : CS_FILE]++;
	v[CS_SHARED]++;
	v[CS_ANON_SHARED] += anon;
	v[CS_KSM] += anon && folio_test_ksm(page_folio(page));
	if (!WARN_ON_ONCE(w->nr_pfns >= ARRAY_SIZE(w->pfns)))
		w->pfns[w->nr_pfns++] = page_to_pfn(page);
}

static void count_zero(void *priv, unsigned long nr)
{
	((struct walk *)priv)->vc.v[CS_ZERO] += nr;
}

static void count_swap(void *priv, unsigned long nr)
{
	((struct walk *)priv)->vc.v[CS_SWAP] += nr;
}

/* Add the PFNs seen in the last page table to the tree's set. */
static int flush_pfns(void *priv)
{
	struct walk *w = priv;
	struct xarray *xa = &w->snap->pfns;
	unsigned int i;

	for (i = 0; i < w->nr_pfns; i++) {
		unsigned long pfn = w->pfns[i];
		unsigned long *bm = xa_load(xa, pfn >> PFNSET_SHIFT);

		if (!bm) {
			bm = (unsigned long *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!bm)
				return -ENOMEM;
			if (xa_err(xa_store(xa, pfn >> PFNSET_SHIFT, bm, GFP_KERNEL_ACCOUNT))) {
				free_page((unsigned long)bm);
				return -ENOMEM;
			}
		}
		if (!__test_and_set_bit(pfn & ((1UL << PFNSET_SHIFT) - 1), bm))
			w->snap->unique++;
	}
	w->nr_pfns = 0;
	return 0;
}

static const struct cs_pt_ops count_ops = {
	.page		= count_page,
	.migrating	= count_migrating,
	.zero		= count_zero,
	.swapped	= count_swap,
	.unlocked	= flush_pfns,
};

/* A copy of @name cut to @snap->name_max bytes, flagging a cut in @v. */
static char *keep_name(const struct cs_snapshot *snap, struct cs_vma *v,
		       const char *name)
{
	size_t len = strlen(name);

	if (len > snap->name_max) {
		len = snap->name_max;
		v->name_truncated = true;
	}
	return kmemdup_nul(name, len, GFP_KERNEL_ACCOUNT);
}

/* The name /proc/PID/maps prints for @vma, or NULL for anonymous memory. */
static char *vma_name(const struct cs_snapshot *snap, struct cs_vma *v,
		      struct vm_area_struct *vma)
{
	const char *name = NULL;
	char *path;

	if (vma->vm_file) {
		path = d_path(cs_file_path(vma->vm_file), snap->path_buf, PATH_MAX);
		return IS_ERR(path) ? NULL : keep_name(snap, v, path);
	}
	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (!name && cs_vma_is_heap(vma))
		name = "[heap]";
	if (!name && vma->vm_start <= vma->vm_mm->start_stack &&
	    vma->vm_end >= vma->vm_mm->start_stack)
		name = "[stack]";
	return name ? keep_name(snap, v, name) : NULL;
}

/*
 * Start a VMA found at @addr: its row (if wanted) and, if it is anonymous,
 * its cow.c member, which starts at @addr: what the walk counted before
 * @addr belongs to the member that was open then.
 */
static int begin_vma(struct cs_snapshot *snap, u32 row,
		     struct vm_area_struct *vma, unsigned long addr,
		     s32 *vma_idx, struct walk *w)
{
	struct cs_proc *p = &snap->procs[row];
	struct cs_member *m;

	*vma_idx = -1;
	w->member = -1;
	w->reached = addr;
	if (snap->want_vmas) {
		struct cs_vma *v;

		if (!(p->nr_vmas & (p->nr_vmas + 1))) {	/* 0, 1, 3, 7, ... */
			if (cs_too_big(2 * (size_t)p->nr_vmas + 1, sizeof(*v)))
				return -E2BIG;
			v = cs_grow(p->vmas, p->nr_vmas, 2 * p->nr_vmas + 1,
				    sizeof(*v));
			if (!v)
				return -ENOMEM;
			p->vmas = v;
		}
		v = &p->vmas[p->nr_vmas];
		memset(v, 0, sizeof(*v));
		v->start = vma->vm_start;
		v->end = vma->vm_end;
		v->pgoff = vma->vm_pgoff;
		v->flags = vma->vm_flags;
		v->has_file = vma->vm_file;
		v->name = vma_name(snap, v, vma);
		*vma_idx = p->nr_vmas++;
	}

	if (!vma->anon_vma || cs_skip_vma(vma))
		return 0;
	if (snap->nr_members == snap->max_members) {
		size_t cap = snap->max_members ? 2 * (size_t)snap->max_members : 64;

		if (cap > U32_MAX || cs_too_big(cap, sizeof(*m)))
			return -E2BIG;
		m = cs_grow(snap->members, snap->nr_members, cap, sizeof(*m));
		if (!m)
			return -ENOMEM;
		snap->members = m;
		snap->max_members = cap;
	}
	m = &snap->members[snap->nr_members];
	memset(m, 0, sizeof(*m));
	m->proc = row;
	m->vma = *vma_idx;
	m->start = addr;
	m->pgoff = linear_page_index(vma, addr);
	m->nr_pages = (vma->vm_end - addr) >> PAGE_SHIFT;
	m->key = READ_ONCE(vma->anon_vma)->root;
	w->member = snap->nr_members++;
	return 0;
}

static void end_vma(struct cs_snapshot *snap, u32 row, s32 vma_idx,
		    struct walk *w)
{
	struct cs_proc *p = &snap->procs[row];

	cs_counts_add(&p->c, &w->vc);
	if (vma_idx >= 0)
		p->vmas[vma_idx].c = w->vc;
	if (w->member >= 0) {
		struct cs_member *m = &snap->members[w->member];

		/* Exactly the range counted, so that members never overlap. */
		m->nr_pages = (w->reached - m->start) >> PAGE_SHIFT;
		m->anon_private = w->vc.v[CS_ANON_PRIVATE];
	}
	memset(&w->vc, 0, sizeof(w->vc));
}

/*
 * Between page tables and between VMAs: stop on a fatal signal,
 * reschedule, and let a waiting writer of @mm in.  Return: 0, 1 when
 * mmap_lock was dropped and taken again (VMAs must be looked up again),
 * -EINTR (with @w->unlocked set when the lock is no longer held).
 */
static int yield_point(struct cs_snapshot *snap, struct mm_struct *mm,
		       struct walk *w)
{
	if (cs_should_stop(snap))
		return -EINTR;
	cond_resched();
	if (!mmap_lock_is_contended(mm))
		return 0;
	mmap_read_unlock(mm);
	if (mmap_read_lock_killable(mm)) {
		w->unlocked = true;
		return -EINTR;
	}
	return 1;
}

/*
 * Walk every VMA of row @row's mm.  mmap_lock is held on entry, and on exit
 * unless @w->unlocked says it could not be taken again.  The VMA is looked
 * up again after every page table, since the lock may have been dropped
 * there; finding one that starts where the open row's VMA started
 * continues that row.
 */
static int walk_vmas(struct cs_snapshot *snap, u32 row, struct mm_struct *mm,
		     struct walk *w)
{
	struct cs_proc *p = &snap->procs[row];
	struct vm_area_struct *vma;
	unsigned long addr = 0, next, row_start = 0;
	s32 vma_idx = -1;
	bool open = false;
	int ret;

	while ((vma = find_vma(mm, addr))) {
		if (!open || vma->vm_start != row_start) {
			if (open)
				end_vma(snap, row, vma_idx, w);
			addr = max(addr, vma->vm_start);
			ret = begin_vma(snap, row, vma, addr, &vma_idx, w);
			if (ret)
				return ret;
			open = true;
			row_start = vma->vm_start;
		}
		addr = max(addr, vma->vm_start);
		if (cs_skip_vma(vma)) {
			p->skipped_vmas++;
			addr = vma->vm_end;
		} else {
			/* Nothing mapped before @next: skip it whole. */
			next = cs_skip_empty(mm, addr, vma->vm_end);
			if (next == addr) {
				next = pmd_addr_end(addr, vma->vm_end);
				ret = cs_walk_pmd_range(vma, addr, next,
							&count_ops, w);
				if (ret)
					return ret;
			}
			addr = next;
		}
		w->reached = max(w->reached, addr);
		ret = yield_point(snap, mm, w);
		if (ret < 0)
			return ret;
	}
	if (open)
		end_vma(snap, row, vma_idx, w);
	return 0;
}

/* Walk one mm; on an mm that is already gone, the row becomes no_mm. */
static int walk_mm(struct cs_snapshot *snap, u32 row, struct walk *w)
{
	struct cs_proc *p = &snap->procs[row];
	struct mm_struct *mm = p->mm;
	int ret;

	if (!mmget_not_zero(mm)) {
		p->flags |= CS_NO_MM;
		return 0;
	}
	ret = mmap_read_lock_killable(mm);
	if (!ret) {
		w->unlocked = false;
		ret = walk_vmas(snap, row, mm, w);
		if (!w->unlocked)
			mmap_read_unlock(mm);
	}
	mmput(mm);
	return ret;
}

/**
 * cs_walk_tree() - count every page field but cow_broken for each mm
 * @snap: a snapshot whose rows cs_tree_collect() filled
 *
 * Only the row that owns an mm is walked; cs_cow_count() gives the rows
 * that share it its counts once they are complete.  Also fills
 * @snap->unique and, for cs_cow_count(), @snap->members.
 *
 * Return: 0, -ENOMEM, -E2BIG when the tree has more VMAs than one
 * allocation can describe, or -EINTR on a fatal signal.
 */
int cs_walk_tree(struct cs_snapshot *snap)
{
	struct walk *w;
	u32 i;
	int ret = 0;

	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		return -ENOMEM;
	w->snap = snap;
	if (snap->want_vmas) {
		snap->path_buf = kmalloc(PATH_MAX, GFP_KERNEL_ACCOUNT);
		if (!snap->path_buf) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < snap->nr_procs && !ret; i++) {
		struct cs_proc *p = &snap->procs[i];

		if (p->mm && p->mm_owner == i)
			ret = walk_mm(snap, i, w);
	}
out:
	kfree(w);
	return ret;
}

/**
 * cs_walk_drop_scratch() - free what only the walk needed
 * @snap: the snapshot, once cs_cow_count() is done with it
 *
 * The PFN set, the members and the path buffer; the rows stay.
 */
void cs_walk_drop_scratch(struct cs_snapshot *snap)
{
	unsigned long idx;
	void *bm;

	xa_for_each(&snap->pfns, idx, bm)
		free_page((unsigned long)bm);
	xa_destroy(&snap->pfns);
	kvfree(snap->members);
	snap->members = NULL;
	snap->nr_members = 0;
	snap->max_members = 0;
	kfree(snap->path_buf);
	snap->path_buf = NULL;
}

/**
 * cs_walk_release() - free what cs_walk_tree() allocated
 * @snap: the snapshot
 */
void cs_walk_release(struct cs_snapshot *snap)
{
	u32 i, j;

	for (i = 0; i < snap->nr_procs; i++) {
		struct cs_proc *p = &snap->procs[i];

		for (j = 0; j < p->nr_vmas; j++)
			kfree(p->vmas[j].name);
		kvfree(p->vmas);
		p->vmas = NULL;
		p->nr_vmas = 0;
	}
	cs_walk_drop_scratch(snap);
}
