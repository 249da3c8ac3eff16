// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the address spaces of a tree: its VMAs, and every page field of
 * cowstat.rst, "What is counted" but cow_broken in the VMAs that no anonymous
 * lineage shares (cow.c reads the others), per VMA, per process and for the
 * tree; and the per-page counting of both, inlined in the loop over a locked
 * page table (cs_pass_ptes()).
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
 * anonymous VMA for cow.c, and for "unique" the set of pfnset.h, allocated
 * for the walk and freed at its end, in which adding a page is one bit
 * test.  Nothing grows with the number of mapped pages.
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
#include "pagewalk.h"

struct walk {
	struct cs_pass pass;		/* the current VMA's counts */
	s32 member;			/* its cs_member, or -1 */
	unsigned long reached;		/* the walk counted it up to here */
	bool unlocked;			/* mmap_lock lost and not retaken */
};

/*
 * ->parent hops from @av to its root.  The holder's mmap_lock and the
 * page-table lock keep the chain alive: the VMA links all its ancestors.
 */
static u32 anon_vma_depth(const struct anon_vma *av)
{
	u32 depth = 0;

	while (av->parent != av && depth < S32_MAX)
		av = av->parent, depth++;
	return depth;
}

/* The member's class of copies of rank @key, or NULL when its classes are full. */
static __always_inline struct cs_rank_class *rank_class(struct cs_pass *ps,
							u64 key)
{
	struct cs_rank_slot *slot = ps->slot;
	unsigned int i = ps->cls_last;

	if (likely(i < slot->nr_cls && slot->cls[i].key == key))
		return &slot->cls[i];
	for (i = 0; i < slot->nr_cls; i++)
		if (slot->cls[i].key == key)
			goto found;
	if (i == CS_NR_CLASSES)
		return NULL;
	slot->nr_cls++;
	slot->cls[i].key = key;
	bitmap_zero(slot->cls[i].bits, CS_CHUNK);
found:
	ps->cls_last = i;
	return &slot->cls[i];
}

/* Rank @n copies of rank @key position by position (see rank_pages()). */
static void rank_positions(struct cs_pass *ps, unsigned long idx,
			   unsigned long n, u64 key)
{
	struct cs_position *p = &ps->pos[idx];

	bitmap_set(ps->slot->ovf, idx, n);
	for (; n; n--, idx++, p++) {
		/* Members are read in index order: on a tie the first wins. */
		if (!__test_and_set_bit(idx, ps->pos_used) || key < p->best_key) {
			p->best_key = key;
			p->best_member = ps->member;
		}
	}
}

/*
 * Rank @n copies at positions @idx.. of the chunk, all of anon_vma @av,
 * and all @private (mapcount 1) or none (spec section 4): each goes, as a
 * bit, to the member's class of its rank, and the private ones to the
 * member's @priv; cow.c finds the original of each position from the
 * classes once every member has been read, and counts the private copies
 * that are not the original, at positions with several copies, as
 * cow_broken.
 */
static __always_inline void rank_pages(struct cs_pass *ps,
				       struct vm_area_struct *vma,
				       const struct anon_vma *av,
				       unsigned long idx, unsigned long n,
				       bool private)
{
	bool inherited;
	struct cs_rank_class *c;
	u64 key;

	if (av != ps->av_cached) {
		ps->av_cached = av;
		ps->av_in_lineage = av->root == ps->key;
		ps->av_depth = ps->av_in_lineage ? anon_vma_depth(av) : 0;
	}
	if (!ps->av_in_lineage)
		return;
	if (WARN_ON_ONCE(idx >= CS_CHUNK || n > CS_CHUNK - idx))
		return;
	/*
	 * A holder that created the page (its VMA's own anon_vma is the
	 * page's) sees that another holder, who inherited it, exists exactly
	 * when the mapcount is 2 or more: all holders agree on the rank.
	 */
	inherited = av != vma->anon_vma || !private;
	key = (u64)ps->av_depth << 33 | (u64)!inherited << 32 | ps->holder_rank;
	c = rank_class(ps, key);
	if (n == 1) {
		if (private)
			__set_bit(idx, ps->priv);
		if (likely(c))
			__set_bit(idx, c->bits);
		else
			rank_positions(ps, idx, 1, key);
		return;
	}
	if (private)
		bitmap_set(ps->priv, idx, n);
	if (likely(c))
		bitmap_set(c->bits, idx, n);	/* a PMD: a few words */
	else
		rank_positions(ps, idx, n, key);
}

/*
 * The counts of one locked page table, kept in registers by the hot loop
 * (the other fields follow from them) and added to the pass's once.
 */
struct run_counts {
	unsigned long rss, anon, shared, anon_shared, ksm;
};

static __always_inline void add_run_counts(struct cs_pass *ps,
					   const struct run_counts *rc)
{
	u64 *v = ps->vc.v;

	v[CS_RSS] += rc->rss;
	v[CS_ANON] += rc->anon;
	v[CS_FILE] += rc->rss - rc->anon;
	v[CS_SHARED] += rc->shared;
	v[CS_PRIVATE] += rc->rss - rc->shared;
	v[CS_ANON_SHARED] += rc->anon_shared;
	v[CS_ANON_PRIVATE] += rc->anon - rc->anon_shared;
	v[CS_KSM] += rc->ksm;
}

/*
 * Consecutive positions whose copies rank alike (same anon_vma, all
 * private or none), kept in registers by the hot loop and ranked as one
 * range once the run ends: most pages of a page table continue the last
 * page's run, and a run costs rank_pages() once, a few words of bitmap.
 */
struct rank_run {
	const struct anon_vma *av;
	unsigned long idx, n;
	bool private;
};

static __always_inline void rank_flush(struct cs_pass *ps,
				       struct rank_run *rr,
				       struct vm_area_struct *vma)
{
	if (rr->n)
		rank_pages(ps, vma, rr->av, rr->idx, rr->n, rr->private);
	rr->n = 0;
}

/* Rank @n copies at positions @idx.. of anon_vma @av: extend the run, or start one. */
static __always_inline void rank_add(struct cs_pass *ps, struct rank_run *rr,
				     struct vm_area_struct *vma,
				     const struct anon_vma *av,
				     unsigned long idx, unsigned long n,
				     bool private)
{
	if (av == rr->av && private == rr->private && idx == rr->idx + rr->n) {
		rr->n += n;
		return;
	}
	rank_flush(ps, rr, vma);
	rr->av = av;
	rr->private = private;
	rr->idx = idx;
	rr->n = n;
}

/*
 * @n mapped pages from page frame @pfn on, at chunk positions @idx.. (when
 * ranking), all of one folio and all of mapcount @mapcount, counted in
 * @rc and ranked into @rr.  @anon: the folio is anonymous; @ksm: a KSM
 * page; @av: its anon_vma when its pages are to be ranked, else NULL.
 */
static __always_inline void count_run(struct cs_pass *ps,
				      struct run_counts *rc,
				      struct rank_run *rr,
				      struct vm_area_struct *vma, bool anon,
				      bool ksm, const struct anon_vma *av,
				      unsigned long pfn, unsigned long idx,
				      unsigned long n, int mapcount)
{
	bool shared = mapcount >= 2;

	rc->rss += n;
	rc->anon += anon ? n : 0;
	rc->shared += shared ? n : 0;
	if (anon) {
		rc->anon_shared += shared ? n : 0;
		if (ksm)
			rc->ksm += n;	/* KSM pages belong to no lineage */
		else if (av)
			rank_add(ps, rr, vma, av, idx, n, !shared);
	}
	if (n == 1)
		cs_pfnset_insert(&ps->cw->pfns, pfn);
	else
		cs_pfnset_insert_range(&ps->cw->pfns, pfn, n);
}

/*
 * What the pages of one folio share, read once for a run of its pages
 * (a PTE-mapped large folio maps up to 512 consecutive PTEs).
 */
struct folio_info {
	struct folio *folio;
	const struct anon_vma *av;	/* its anon_vma, when ranking */
	int base;			/* cs_folio_mapcount_base(), if @large */
	bool anon, ksm, large;
};

/* @folio's shared state, its ->mapping read once. */
static __always_inline void get_folio_info(const struct cs_pass *ps,
					   struct folio_info *fi,
					   struct folio *folio)
{
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);
	unsigned long flags = mapping & CS_MAPPING_FLAGS;

	fi->folio = folio;
	fi->anon = mapping & CS_MAPPING_ANON;
	fi->ksm = flags == CS_MAPPING_KSM;
	/* Only an anonymous, non-KSM folio's mapping is an anon_vma. */
	fi->av = ps->rank && flags == CS_MAPPING_ANON ?
		(const struct anon_vma *)(mapping - CS_MAPPING_ANON) : NULL;
	fi->large = folio_test_large(folio);
	fi->base = fi->large ? cs_folio_mapcount_base(folio) : 0;
}

/*
 * A mapped page at position @idx of the chunk (when ranking), whose
 * folio's shared state @fi holds if it is the same folio as last time.
 */
static __always_inline void count_page(struct cs_pass *ps,
				       struct run_counts *rc,
				       struct rank_run *rr,
				       struct vm_area_struct *vma,
				       struct folio_info *fi,
				       struct page *page, unsigned long pfn,
				       unsigned long idx)
{
	struct folio *folio = page_folio(page);

	if (folio != fi->folio)
		get_folio_info(ps, fi, folio);
	count_run(ps, rc, rr, vma, fi->anon, fi->ksm, fi->av, pfn, idx, 1,
		  fi->large ? cs_large_page_mapcount(page, fi->base) :
			      cs_small_page_mapcount(page));
}

/*
 * A page under migration: in rss, as smaps counts it, and shared, as
 * smaps treats every non-present entry ("maybe shared"), since its
 * mapcount is not safe to read; nor is it ranked.
 */
static void count_migrating(struct cs_pass *ps, struct page *page)
{
	u64 *v = ps->vc.v;
	bool anon = PageAnon(page);

	v[CS_RSS]++;
	v[anon ? CS_ANON : CS_FILE]++;
	v[CS_SHARED]++;
	v[CS_ANON_SHARED] += anon;
	v[CS_KSM] += anon && folio_test_ksm(page_folio(page));
	cs_pfnset_insert(&ps->cw->pfns, page_to_pfn(page));
}

/*
 * Whether the page frame of a present PTE that is not special has a struct
 * page.  Where special PTEs exist, every other one maps a page that has
 * one (vm_normal_page() assumes it), so only a frame past the highest node
 * end (memory hot-added since the walk began) is looked up.
 */
static __always_inline bool pfn_has_page(const struct cs_pass *ps,
					 unsigned long pfn)
{
#ifdef CONFIG_ARCH_HAS_PTE_SPECIAL
	return likely(cs_pfnset_covers(&ps->cw->pfns, pfn)) || pfn_valid(pfn);
#else
	return pfn_valid(pfn);
#endif
}

/**
 * cs_pass_ptes() - count the entries of a locked page table
 * @ps: the pass
 * @vma: the VMA
 * @addr: the address of *@ptep
 * @end: the end of the range, in the same page table
 * @ptep: the first entry; its page-table lock is held
 *
 * The hot loop: every page's work is inlined here.  vm_normal_page()'s
 * rules pick the pages: special PTEs are skipped but for the zero page,
 * which is counted apart.
 */
void cs_pass_ptes(struct cs_pass *ps, struct vm_area_struct *vma,
		  unsigned long addr, unsigned long end, pte_t *ptep)
{
	unsigned long idx = ps->rank ? linear_page_index(vma, addr) - ps->lo : 0;
	struct folio_info fi = { };
	struct run_counts rc = { };
	struct rank_run rr = { };
	unsigned long pfn;
	struct page *page;
	pte_t pte;

	for (; addr < end; addr += PAGE_SIZE, ptep++, idx++) {
		pte = ptep_get(ptep);
		if (pte_none(pte))
			continue;
		if (likely(pte_present(pte))) {
			pfn = pte_pfn(pte);
			if (unlikely(is_zero_pfn(pfn)))
				ps->vc.v[CS_ZERO]++;
			else if (likely(!pte_special(pte) && pfn_has_page(ps, pfn)))
				count_page(ps, &rc, &rr, vma, &fi,
					   pfn_to_page(pfn), pfn, idx);
			continue;
		}
		if (cs_pte_is_swapped(pte)) {
			ps->vc.v[CS_SWAP]++;
			continue;
		}
		page = cs_pte_migration_page(pte);
		if (page)
			count_migrating(ps, page);
	}
	rank_flush(ps, &rr, vma);
	add_run_counts(ps, &rc);
}

/**
 * cs_pass_pmd() - count the pages of a locked PMD-level mapping
 * @ps: the pass
 * @vma: the VMA
 * @addr: the first address to count
 * @end: the end of the range, in the same PMD
 * @page: the page mapped at @addr
 *
 * When every page of the folio has the same mapcount (no page of it is
 * mapped by a PTE anywhere), the range is counted, added to the unique set
 * and ranked as a whole, without reading its pages; otherwise page by
 * page, reading only each page's own mapcount: what the folio's pages
 * share (anonymous, KSM, anon_vma, PMD mappings) is read once.
 */
void cs_pass_pmd(struct cs_pass *ps, struct vm_area_struct *vma,
		 unsigned long addr, unsigned long end, struct page *page)
{
	unsigned long n = (end - addr) >> PAGE_SHIFT, pfn = page_to_pfn(page);
	unsigned long idx = ps->rank ? linear_page_index(vma, addr) - ps->lo : 0;
	struct folio *folio = page_folio(page);
	int mapcount = cs_folio_pmd_mapcount(folio);
	struct run_counts rc = { };
	struct rank_run rr = { };
	struct folio_info fi;

	get_folio_info(ps, &fi, folio);
	ps->vc.v[CS_THP] += n;
	if (mapcount >= 0) {
		count_run(ps, &rc, &rr, vma, fi.anon, fi.ksm, fi.av, pfn, idx,
			  n, mapcount);
	} else {
		for (; n; n--, pfn++, idx++)
			count_run(ps, &rc, &rr, vma, fi.anon, fi.ksm, fi.av,
				  pfn, idx, 1,
				  cs_large_page_mapcount(pfn_to_page(pfn), fi.base));
	}
	rank_flush(ps, &rr, vma);
	add_run_counts(ps, &rc);
}

/* A copy of @name cut to @cw->q.name_max bytes, flagging a cut in @v. */
static char *keep_name(const struct cs_walk *cw, struct cs_vma *v,
		       const char *name)
{
	size_t len = strlen(name);

	if (len > cw->q.name_max) {
		len = cw->q.name_max;
		v->name_truncated = true;
	}
	return kmemdup_nul(name, len, GFP_KERNEL_ACCOUNT);
}

/* The name /proc/PID/maps prints for @vma, or NULL for anonymous memory. */
static char *vma_name(const struct cs_walk *cw, struct cs_vma *v,
		      struct vm_area_struct *vma)
{
	const char *name = NULL;
	char *path;

	if (vma->vm_file) {
		path = d_path(cs_file_path(vma->vm_file), cw->path_buf, PATH_MAX);
		return IS_ERR(path) ? NULL : keep_name(cw, v, path);
	}
	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (!name && cs_vma_is_heap(vma))
		name = "[heap]";
	if (!name && vma->vm_start <= vma->vm_mm->start_stack &&
	    vma->vm_end >= vma->vm_mm->start_stack)
		name = "[stack]";
	return name ? keep_name(cw, v, name) : NULL;
}

/*
 * Start a VMA found at @addr: its row (if wanted) and, if it is anonymous,
 * its cow.c member, which starts at @addr: what the walk counted before
 * @addr belongs to the member that was open then.
 */
static int begin_vma(struct cs_walk *cw, u32 row,
		     struct vm_area_struct *vma, unsigned long addr,
		     s32 *vma_idx, struct walk *w)
{
	struct cs_proc *p = &cw->snap->procs[row];
	struct cs_member *m;

	*vma_idx = -1;
	w->member = -1;
	w->reached = addr;
	if (cw->q.want_vmas) {
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
		v->name = vma_name(cw, v, vma);
		*vma_idx = p->nr_vmas++;
	}

	if (!vma->anon_vma || cs_skip_vma(vma))
		return 0;
	if (cw->nr_members == cw->max_members) {
		size_t cap = cw->max_members ? 2 * (size_t)cw->max_members : 64;

		if (cap > U32_MAX || cs_too_big(cap, sizeof(*m)))
			return -E2BIG;
		m = cs_grow(cw->members, cw->nr_members, cap, sizeof(*m));
		if (!m)
			return -ENOMEM;
		cw->members = m;
		cw->max_members = cap;
	}
	m = &cw->members[cw->nr_members];
	memset(m, 0, sizeof(*m));
	m->proc = row;
	m->vma = *vma_idx;
	m->start = addr;
	m->pgoff = linear_page_index(vma, addr);
	m->nr_pages = (vma->vm_end - addr) >> PAGE_SHIFT;
	m->key = READ_ONCE(vma->anon_vma)->root;
	w->member = cw->nr_members++;
	return 0;
}

static void end_vma(struct cs_walk *cw, u32 row, s32 vma_idx,
		    struct walk *w)
{
	struct cs_proc *p = &cw->snap->procs[row];

	cs_counts_add(&p->c, &w->pass.vc);
	if (vma_idx >= 0)
		p->vmas[vma_idx].c = w->pass.vc;
	if (w->member >= 0) {
		struct cs_member *m = &cw->members[w->member];

		/* Exactly the range found, so that members never overlap. */
		m->nr_pages = (w->reached - m->start) >> PAGE_SHIFT;
	}
	memset(&w->pass.vc, 0, sizeof(w->pass.vc));
}

/**
 * cs_yield() - the walk's yield point, between page tables and VMAs
 * @cw: the walk
 * @mm: the mm whose mmap_lock the caller holds for read
 * @unlocked: set when the lock could not be taken again
 *
 * Stops on a fatal signal, reschedules, and lets a waiting writer of @mm
 * in by dropping mmap_lock and taking it again.
 *
 * Return: 0; 1 when mmap_lock was dropped and taken again (VMAs must be
 * looked up again); -EINTR, with *@unlocked set when the lock is no longer
 * held.
 */
int cs_yield(struct cs_walk *cw, struct mm_struct *mm, bool *unlocked)
{
	if (cs_should_stop(cw))
		return -EINTR;
	cond_resched();
	if (!mmap_lock_is_contended(mm))
		return 0;
	mmap_read_unlock(mm);
	if (mmap_read_lock_killable(mm)) {
		*unlocked = true;
		return -EINTR;
	}
	return 1;
}

/*
 * Walk every VMA of row @row's mm.  mmap_lock is held on entry, and on exit
 * unless @w->unlocked says it could not be taken again.  The VMA is looked
 * up again past its end and after a page table where the lock was dropped;
 * finding one that starts where the open row's VMA started continues that
 * row.  The page tables of a VMA that is a cs_member are
 * not read here: cs_cow_count() counts them, in the same read that ranks
 * their COW copies.
 */
static int walk_vmas(struct cs_walk *cw, u32 row, struct mm_struct *mm,
		     struct walk *w)
{
	struct cs_proc *p = &cw->snap->procs[row];
	struct vm_area_struct *vma;
	unsigned long addr = 0, row_start = 0;
	s32 vma_idx = -1;
	bool open = false;
	int ret;

	vma = NULL;
	for (;;) {
		/* Looked up again only past its end, or after a yield. */
		if (!vma || addr >= vma->vm_end) {
			vma = find_vma(mm, addr);
			if (!vma)
				break;
		}
		if (!open || vma->vm_start != row_start) {
			if (open)
				end_vma(cw, row, vma_idx, w);
			addr = max(addr, vma->vm_start);
			ret = begin_vma(cw, row, vma, addr, &vma_idx, w);
			if (ret)
				return ret;
			open = true;
			row_start = vma->vm_start;
		}
		addr = max(addr, vma->vm_start);
		if (cs_skip_vma(vma)) {
			p->skipped_vmas++;
			addr = vma->vm_end;
		} else if (w->member >= 0) {
			addr = vma->vm_end;	/* read by cs_cow_count() */
		} else {
			ret = cs_walk_step(vma, &addr, vma->vm_end, &w->pass);
			if (ret)
				return ret;
		}
		w->reached = max(w->reached, addr);
		ret = cs_yield(cw, mm, &w->unlocked);
		if (ret < 0)
			return ret;
		if (ret)	/* mmap_lock was dropped: @vma may be gone */
			vma = NULL;
	}
	if (open)
		end_vma(cw, row, vma_idx, w);
	return 0;
}

/* Walk one mm; on an mm that is already gone, the row becomes no_mm. */
static int walk_mm(struct cs_walk *cw, u32 row, struct walk *w)
{
	struct cs_proc *p = &cw->snap->procs[row];
	struct mm_struct *mm = cw->mms[row];
	int ret;

	if (!mmget_not_zero(mm)) {
		p->flags |= CS_NO_MM;
		return 0;
	}
	ret = mmap_read_lock_killable(mm);
	if (!ret) {
		w->unlocked = false;
		ret = walk_vmas(cw, row, mm, w);
		if (!w->unlocked)
			mmap_read_unlock(mm);
	}
	mmput(mm);
	return ret;
}

/**
 * cs_walk_tree() - find the VMAs of each mm, count those cow.c does not
 * @cw: a walk whose rows cs_tree_collect() filled
 *
 * Only the row that owns an mm is walked; cs_cow_count() gives the rows
 * that share it its counts once they are complete.  Every page field of
 * the VMAs that are no cs_member is counted here, and @cw->members is
 * filled with the others, which cs_cow_count() counts.  Allocates the set
 * of distinct pages, @cw->unique's, for the whole walk.
 *
 * Return: 0, -ENOMEM, -E2BIG when the tree has more VMAs than one
 * allocation can describe (or the machine more pages than the unique set),
 * or -EINTR on a fatal signal.
 */
int cs_walk_tree(struct cs_walk *cw)
{
	struct walk *w;
	u32 i;
	int ret;

	ret = cs_pfnset_init(&cw->pfns);
	if (ret)
		return ret;
	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		return -ENOMEM;
	w->pass.cw = cw;
	if (cw->q.want_vmas) {
		cw->path_buf = kmalloc(PATH_MAX, GFP_KERNEL_ACCOUNT);
		if (!cw->path_buf) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < cw->snap->nr_procs && !ret; i++) {
		struct cs_proc *p = &cw->snap->procs[i];

		if (cw->mms[i] && p->mm_owner == i)
			ret = walk_mm(cw, i, w);
	}
out:
	kfree(w);
	return ret;
}

/**
 * cs_walk_drop_scratch() - free what only the walk needed
 * @cw: the walk, once cs_cow_count() is done with it
 *
 * The set of distinct pages, the members and the path buffer; the rows,
 * which are the result's, stay.
 */
void cs_walk_drop_scratch(struct cs_walk *cw)
{
	cs_pfnset_free(&cw->pfns);
	kvfree(cw->members);
	cw->members = NULL;
	cw->nr_members = 0;
	cw->max_members = 0;
	kfree(cw->path_buf);
	cw->path_buf = NULL;
}

/**
 * cs_walk_release() - free the VMA rows that cs_walk_tree() added to a result
 * @snap: the result
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
}
