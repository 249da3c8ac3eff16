// SPDX-License-Identifier: GPL-2.0
/*
 * The anonymous VMAs' pages: every page field, and COW-broken pages exactly as
 * cowstat.rst, "COW-broken, exactly" defines them, in one read of each page
 * table.
 *
 * A position is (root anon_vma, page index).  The tree's anonymous VMAs
 * (walk.c's members) are grouped into families: VMAs of one lineage (same
 * root anon_vma) whose page-index ranges overlap.  A family with members
 * in two or more mms is read position by position, one chunk of CS_CHUNK
 * positions (a page table's worth) at a time, across all its members.
 * Each member's page table there is read once, and that one read both
 * counts its pages (walk.c's cs_pass_ptes()) and ranks its anonymous
 * pages of the lineage: per member, a bitmap of its copies for each rank
 * it has in the chunk (a few: struct cs_rank_slot), and one of those that
 * are private; a PMD-mapped huge page sets 512 bits a word at a time.
 * Once every member has been read, the original of each position is the
 * copy of the best rank there, found by walking the members' rank bitmaps
 * from the best rank on (drop_originals()), and each private copy at a
 * position with several copies that is not the original is cow_broken
 * for its member.  A private copy is a page that no other member maps, so
 * a position with a private copy and another copy holds two different
 * pages; a chunk where no member has a private copy needs no ranking.  A cow_broken page is
 * therefore always one that the same read counted in anon_private:
 * cow_broken <= anon_private holds by construction, whatever the tree did
 * meanwhile.  A family with members in one mm only, and a chunk where only
 * one member has a page table, are read for their counts alone: one member
 * cannot hold two copies of a position.
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
 * Each member is exactly the address range that walk.c found for it, and
 * it is read only there, in the VMAs that now map that range with the same
 * lineage and the same page indices, so that a VMA split or merged
 * meanwhile is never counted twice.
 *
 * Cost: each member's page tables are searched for its next populated PMD,
 * skipping empty upper levels whole, so a terabyte MAP_NORESERVE
 * reservation costs what its page tables cost.  Memory: a rank slot
 * (about 360 bytes: CS_NR_CLASSES bitmaps of a chunk) per member of the
 * largest family, and CS_CHUNK positions for the ranks that do not fit in
 * a slot.  In a family of several mms each member's mmap_lock is taken for
 * read once per populated chunk (the search for its next populated PMD is
 * made under the same hold); a family of one mm is read as walk.c reads a
 * VMA, yielding between page tables.
 */
#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "compat.h"
#include "pagewalk.h"

/*
 * @slots: a struct cs_rank_slot per member of the family being read, the
 * first being member @first; @order: room to sort their classes.
 */
struct cow_scan {
	struct cs_walk *cw;
	struct cs_pass pass;
	struct cs_rank_slot *slots;
	u32 *order;
	u32 nr_slots, first;
	DECLARE_BITMAP(pos_used, CS_CHUNK);
	DECLARE_BITMAP(once, CS_CHUNK);
	DECLARE_BITMAP(multi, CS_CHUNK);
	DECLARE_BITMAP(covered, CS_CHUNK);
	DECLARE_BITMAP(tmp, CS_CHUNK);
};

/* The address of position @idx in member @m's range. */
static unsigned long member_addr(const struct cs_member *m, unsigned long idx)
{
	return m->start + ((idx - m->pgoff) << PAGE_SHIFT);
}

/*
 * Whether @vma still maps @m's positions where @m found them: same
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

/* Add what the pass counted in member @m to its process's and VMA's rows. */
static void add_counts(struct cs_snapshot *snap, const struct cs_member *m,
		       const struct cs_counts *c)
{
	struct cs_proc *p = &snap->procs[m->proc];

	cs_counts_add(&p->c, c);
	if (m->vma >= 0)
		cs_counts_add(&p->vmas[m->vma].c, c);
}

/*
 * Read member @mi's pages at positions [@lo, @hi), only within the range
 * walk.c found for it, in whatever VMAs map that range now; rank them when
 * @rank (then [@lo, @hi) is the chunk whose copies its slot holds).  With
 * @whole, the range is the member's whole range, read with a yield between
 * page tables (the lock may be dropped there); otherwise it is one chunk,
 * read in one hold of mmap_lock, after which the member's next populated
 * position is searched for under the same hold.
 */
static int scan_member(struct cow_scan *s, u32 mi, unsigned long lo,
		       unsigned long hi, bool rank, bool whole)
{
	struct cs_member *m = &s->cw->members[mi];
	struct mm_struct *mm = s->cw->mms[m->proc];
	unsigned long m_end = m->pgoff + m->nr_pages, chunk = lo;
	unsigned long addr, end;
	struct cs_pass *ps = &s->pass;
	struct vm_area_struct *vma;
	bool unlocked = false;
	int ret = 0;

	lo = max(lo, m->pgoff);
	hi = min(hi, m_end);
	m->next = m_end;
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
	memset(&ps->vc, 0, sizeof(ps->vc));
	ps->rank = rank;
	ps->key = m->key;
	ps->lo = chunk;
	ps->member = mi;
	ps->holder_rank = s->cw->snap->procs[m->proc].rank;
	ps->priv = m->priv;
	if (rank) {
		ps->slot = &s->slots[mi - s->first];
		ps->cls_last = 0;
	}
	ps->av_cached = NULL;
	vma = NULL;
	while (addr < end) {
		/* Looked up again only past its end, or after a yield. */
		if (!vma || addr >= vma->vm_end) {
			vma = find_vma(mm, addr);
			if (!vma || vma->vm_start >= end)
				break;
			addr = max(addr, vma->vm_start);
			if (!member_vma(m, vma)) {
				addr = min(vma->vm_end, end);
				continue;
			}
		}
		ret = cs_walk_step(vma, &addr, min(vma->vm_end, end), ps);
		if (ret)
			break;
		if (!whole)
			continue;
		ret = cs_yield(s->cw, mm, &unlocked);
		if (ret < 0)
			break;
		if (ret) {	/* another hold: @vma and anon_vmas may be others */
			vma = NULL;
			ps->av_cached = NULL;
		}
		ret = 0;
	}
	if (!whole && !ret && hi < m_end) {
		/* The next populated position, searched for under this hold. */
		addr = cs_skip_empty(mm, member_addr(m, hi), member_addr(m, m_end));
		m->next = m->pgoff + ((addr - m->start) >> PAGE_SHIFT);
	}
	add_counts(s->cw->snap, m, &ps->vc);
	if (!unlocked)
		mmap_read_unlock(mm);
	mmput(mm);
	if (!ret && cs_should_stop(s->cw))
		ret = -EINTR;
	cond_resched();		/* a family can have thousands of members */
	return ret;
}

/*
 * Move @m->next to the first of its positions from @m->next on whose PMD
 * maps something (or to where the search stopped, or to its end).
 */
static int probe_member(struct cow_scan *s, struct cs_member *m)
{
	struct mm_struct *mm = s->cw->mms[m->proc];
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
	if (cs_should_stop(s->cw))
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

/* Sort order of classes: by rank, then by member (the first read wins). */
static int cmp_class(const void *a, const void *b, const void *slots)
{
	const struct cs_rank_slot *sl = slots;
	u32 x = *(const u32 *)a, y = *(const u32 *)b;
	u64 kx = sl[x / CS_NR_CLASSES].cls[x % CS_NR_CLASSES].key;
	u64 ky = sl[y / CS_NR_CLASSES].cls[y % CS_NR_CLASSES].key;

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * The original of each position where some member has a private copy that
 * may be COW-broken: walk the members' classes from the best rank on; the
 * first class that covers a position holds the best copy there, unless a
 * copy ranked position by position (in @s->pass.pos) is better.  The
 * original's member loses the position from its @priv.
 */
static void drop_originals(struct cow_scan *s, u32 first, u32 last)
{
	struct cs_member *members = s->cw->members;
	struct cs_position *pos = s->pass.pos;
	u32 i, c, n = 0, e, mi;
	unsigned int k;

	for (i = first; i < last; i++)
		for (c = 0; c < s->slots[i - first].nr_cls; c++)
			s->order[n++] = (i - first) * CS_NR_CLASSES + c;
	sort_r(s->order, n, sizeof(*s->order), cmp_class, NULL, s->slots);
	bitmap_zero(s->covered, CS_CHUNK);
	for (e = 0; e < n; e++) {
		const struct cs_rank_class *cl;

		mi = s->order[e] / CS_NR_CLASSES;
		cl = &s->slots[mi].cls[s->order[e] % CS_NR_CLASSES];
		mi += first;
		/* tmp: the positions where this class is the best so far */
		bitmap_andnot(s->tmp, cl->bits, s->covered, CS_CHUNK);
		bitmap_or(s->covered, s->covered, cl->bits, CS_CHUNK);
		for_each_set_bit(k, s->pos_used, CS_CHUNK) {
			if (!test_bit(k, s->tmp))
				continue;
			if (cl->key < pos[k].best_key ||
			    (cl->key == pos[k].best_key && mi < pos[k].best_member)) {
				pos[k].best_key = cl->key;
				pos[k].best_member = mi;
			}
		}
		bitmap_andnot(s->tmp, s->tmp, s->pos_used, CS_CHUNK);
		bitmap_andnot(members[mi].priv, members[mi].priv, s->tmp, CS_CHUNK);
	}
	for_each_set_bit(k, s->pos_used, CS_CHUNK)
		__clear_bit(k, members[pos[k].best_member].priv);
}

/*
 * Once every member [first, last) has been read in the chunk: each
 * member's private copies at positions with several copies, the original
 * excepted, are cow_broken.  A private copy is a page that no other member
 * maps, so a position with a private copy and another copy holds two
 * different pages.  Then the slots are emptied for the next chunk.
 */
static void count_broken(struct cow_scan *s, u32 first, u32 last)
{
	struct cs_member *members = s->cw->members;
	struct cs_counts c = { };
	bool candidates = false;
	u32 i, j;

	for (i = first; i < last && !candidates; i++)
		candidates = !bitmap_empty(members[i].priv, CS_CHUNK);
	if (!candidates)	/* no private copy: nothing can be broken */
		goto reset;

	/* multi: positions where two or more members have a copy */
	bitmap_zero(s->once, CS_CHUNK);
	bitmap_zero(s->multi, CS_CHUNK);
	for (i = first; i < last; i++) {
		struct cs_rank_slot *sl = &s->slots[i - first];

		bitmap_copy(s->tmp, sl->ovf, CS_CHUNK);
		for (j = 0; j < sl->nr_cls; j++)
			bitmap_or(s->tmp, s->tmp, sl->cls[j].bits, CS_CHUNK);
		bitmap_and(s->covered, s->once, s->tmp, CS_CHUNK);
		bitmap_or(s->multi, s->multi, s->covered, CS_CHUNK);
		bitmap_or(s->once, s->once, s->tmp, CS_CHUNK);
	}
	candidates = false;
	for (i = first; i < last; i++)
		candidates |= bitmap_and(members[i].priv, members[i].priv,
					 s->multi, CS_CHUNK);
	if (!candidates)
		goto reset;

	drop_originals(s, first, last);
	for (i = first; i < last; i++) {
		struct cs_member *m = &members[i];

		c.v[CS_COW_BROKEN] = bitmap_weight(m->priv, CS_CHUNK);
		if (c.v[CS_COW_BROKEN])
			add_counts(s->cw->snap, m, &c);
	}
reset:
	for (i = first; i < last; i++) {
		s->slots[i - first].nr_cls = 0;
		bitmap_zero(s->slots[i - first].ovf, CS_CHUNK);
		bitmap_zero(members[i].priv, CS_CHUNK);
	}
	bitmap_zero(s->pos_used, CS_CHUNK);
}

/* Room for the rank slots of a family of @n members. */
static int grow_slots(struct cow_scan *s, u32 n)
{
	struct cs_rank_slot *slots;
	u32 *order;

	if (n <= s->nr_slots)
		return 0;
	if (cs_too_big(n, sizeof(*slots)) ||
	    cs_too_big((size_t)n * CS_NR_CLASSES, sizeof(*order)))
		return -E2BIG;
	slots = kvmalloc_array(n, sizeof(*slots), GFP_KERNEL_ACCOUNT);
	order = kvmalloc_array((size_t)n * CS_NR_CLASSES, sizeof(*order),
			       GFP_KERNEL_ACCOUNT);
	if (!slots || !order) {
		kvfree(slots);
		kvfree(order);
		return -ENOMEM;
	}
	kvfree(s->slots);
	kvfree(s->order);
	s->slots = slots;
	s->order = order;
	s->nr_slots = n;
	return 0;
}

/*
 * Members [first, last) are one family with members in several mms.  Only
 * the chunks where some member has a page table are read; each member's
 * next populated position is searched for in its page tables, skipping
 * empty ranges.
 */
static int count_family(struct cow_scan *s, u32 first, u32 last)
{
	struct cs_member *members = s->cw->members;
	unsigned long chunk;
	u32 i, present;
	bool rank;
	int ret;

	ret = grow_slots(s, last - first);
	if (ret)
		return ret;
	s->first = first;
	for (i = first; i < last; i++) {
		s->slots[i - first].nr_cls = 0;
		bitmap_zero(s->slots[i - first].ovf, CS_CHUNK);
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
		chunk &= ~(CS_CHUNK - 1UL);

		present = 0;
		for (i = first; i < last; i++)
			present += members[i].next < chunk + CS_CHUNK &&
				   members[i].next < members[i].pgoff + members[i].nr_pages;
		/* One member alone holds at most one copy of a position. */
		rank = present >= 2;
		for (i = first; i < last; i++) {
			struct cs_member *m = &members[i];

			if (m->next >= chunk + CS_CHUNK ||
			    m->next >= m->pgoff + m->nr_pages)
				continue;
			ret = scan_member(s, i, chunk, chunk + CS_CHUNK, rank,
					  false);
			if (ret)
				return ret;
		}
		if (rank)
			count_broken(s, first, last);
	}
}

/*
 * A row that shares an mm shows the owner's counts, cow_broken included:
 * copied only once they are complete (cowstat.rst, "What is counted").
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
 * cs_cow_count() - count the anonymous VMAs' pages, cow_broken included
 * @cw: a walk that cs_walk_tree() filled
 *
 * Reads each member's page tables once, adding every page field and
 * cow_broken to its rows.  Then gives the rows that share an mm that mm's
 * counts: this is the last step that changes a row's counts.
 *
 * Return: 0, -ENOMEM, or -EINTR on a fatal signal.
 */
int cs_cow_count(struct cs_walk *cw)
{
	struct cs_member *members = cw->members;
	struct cow_scan *s;
	u32 i, j, k, n = cw->nr_members;
	int ret = 0;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->cw = cw;
	s->pass.cw = cw;
	s->pass.pos_used = s->pos_used;
	s->pass.pos = kvmalloc_array(CS_CHUNK, sizeof(*s->pass.pos),
				     GFP_KERNEL_ACCOUNT);
	if (!s->pass.pos) {
		kfree(s);
		return -ENOMEM;
	}
	sort(members, n, sizeof(*members), cmp_member, NULL);
	for (i = 0; i < n && !ret; i = j) {
		unsigned long hi = members[i].pgoff + members[i].nr_pages;
		bool several_mms = false;

		for (j = i + 1; j < n && members[j].key == members[i].key &&
		     members[j].pgoff < hi; j++) {
			hi = max(hi, members[j].pgoff + members[j].nr_pages);
			several_mms |= members[j].proc != members[i].proc;
		}
		if (several_mms) {
			ret = count_family(s, i, j);
			continue;
		}
		for (k = i; k < j && !ret; k++)
			ret = scan_member(s, k, members[k].pgoff,
					  members[k].pgoff + members[k].nr_pages,
					  false, true);
	}
	kvfree(s->pass.pos);
	kvfree(s->slots);
	kvfree(s->order);
	kfree(s);
	if (ret)
		return ret;
	share_counts(cw->snap);
	return 0;
}
