// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a process's page tables from a module.
 *
 * On 6.12 the kernel's own walkers (walk_page_range, pte_offset_map*,
 * vm_normal_page) are not exported, so this file does what they do, with
 * inline primitives only:
 *
 *  - The caller holds mmap_lock for read, so the upper levels (PGD to PUD)
 *    are stable.  A PTE table can still be freed under us since 6.5
 *    (khugepaged's retract_page_tables() frees it by RCU), so the PMD is
 *    read locklessly inside rcu_read_lock(), its PTE lock taken, and the PMD
 *    re-checked under that lock before any PTE is read, as
 *    __pte_offset_map_lock() does.
 *  - One lock, for one page table, is held at a time, and for no longer
 *    than it takes to read that table.
 *  - What each entry counts as is decided in walk.c (cs_pass_ptes(),
 *    cs_pass_pmd()), which is handed a whole locked page table at a time.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>

#include "compat.h"
#include "pagewalk.h"

/*
 * A PMD-level mapping.  Returns false when the PMD is no longer huge (it
 * was split meanwhile) and must be read again as a PTE table.
 */
static bool walk_huge_pmd(struct vm_area_struct *vma, pmd_t *pmdp,
			  unsigned long addr, unsigned long end,
			  struct cs_pass *ps)
{
	unsigned long i = (addr & ~PMD_MASK) >> PAGE_SHIFT;
	struct page *page;
	spinlock_t *ptl;	/* the PMD's page-table lock */
	pmd_t pmd;

	ptl = pmd_lock(vma->vm_mm, pmdp);
	pmd = *pmdp;
	if (!pmd_trans_huge(pmd)) {
		spin_unlock(ptl);
		return pmd_none(pmd) || cs_pmd_devmap(pmd) || !pmd_present(pmd);
	}
	page = pmd_page(pmd);
	/*
	 * The huge zero page is the only page without PageAnon that a PMD of
	 * an anonymous VMA maps; its symbol is not exported to modules.
	 */
	if (vma_is_anonymous(vma) && !PageAnon(page))
		ps->vc.v[CS_ZERO] += (end - addr) >> PAGE_SHIFT;
	else
		cs_pass_pmd(ps, vma, addr, end, cs_nth_page(page, i));
	spin_unlock(ptl);
	return true;
}

/*
 * The PMD entry of @addr, each upper level read once (as the kernel's
 * walkers read them), or NULL when an upper level maps nothing there;
 * then *@next is where the empty upper-level range ends (at most @end).
 * The caller holds mmap_lock for read, so no upper-level table that is
 * found can be freed; an entry can only go from none to a table.
 */
static pmd_t *find_pmd(struct mm_struct *mm, unsigned long addr,
		       unsigned long end, unsigned long *next)
{
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;

	pgdp = pgd_offset(mm, addr);
	pgd = cs_pgdp_get(pgdp);
	if (pgd_none(pgd) || unlikely(pgd_bad(pgd))) {
		*next = pgd_addr_end(addr, end);
		return NULL;
	}
	p4dp = p4d_offset_lockless(pgdp, pgd, addr);
	p4d = cs_p4dp_get(p4dp);
	if (p4d_none(p4d) || unlikely(p4d_bad(p4d))) {
		*next = p4d_addr_end(addr, end);
		return NULL;
	}
	pudp = pud_offset_lockless(p4dp, p4d, addr);
	pud = cs_pudp_get(pudp);
	if (pud_none(pud) || pud_leaf(pud) || unlikely(pud_bad(pud))) {
		*next = pud_addr_end(addr, end);
		return NULL;
	}
	return pmd_offset_lockless(pudp, pud, addr);
}

/*
 * After a page-table lock is dropped: the page frames whose leaf of the
 * unique set did not exist yet (it is allocated here, where sleeping is
 * allowed).
 */
static int end_hold(struct cs_pass *ps)
{
	struct cs_pfnset *set = &ps->cw->pfns;

	return unlikely(set->nr_pending) ? cs_pfnset_flush(set) : 0;
}

/* PMD entries that cs_skip_empty() reads before it lets its caller yield. */
#define SKIP_BUDGET	PTRS_PER_PMD

/*
 * The first PMD entry from @addr on (before @end) that maps something,
 * reading at most SKIP_BUDGET of them: empty PGD, P4D and PUD entries are
 * skipped whole, and the PMD entries of one PMD table are read in turn
 * without walking the upper levels again.  Returns it with *@addrp at its
 * address, or NULL with *@addrp where the search stopped (at most @end).
 */
static pmd_t *next_pmd(struct mm_struct *mm, unsigned long *addrp,
		       unsigned long end)
{
	unsigned long addr = *addrp, next, pud_end;
	unsigned int budget = SKIP_BUDGET;
	pmd_t *pmdp;

	while (addr < end && budget) {
		pmdp = find_pmd(mm, addr, end, &next);
		if (!pmdp) {
			addr = next;
			budget--;
			continue;
		}
		/* The rest of this PMD table. */
		pud_end = pud_addr_end(addr, end);
		for (; addr < pud_end && budget; budget--, pmdp++) {
			if (!pmd_none(cs_pmd_read(pmdp))) {
				*addrp = addr;
				return pmdp;
			}
			addr = pmd_addr_end(addr, end);
		}
	}
	*addrp = addr;
	return NULL;
}

/**
 * cs_skip_empty() - skip the part of a range that maps nothing
 * @mm: the mm; its mmap_lock is held for read
 * @addr: start, page aligned
 * @end: end of the range
 *
 * Empty PGD, P4D and PUD entries are skipped whole, and empty PMD entries
 * one PMD at a time, so that a sparse range (a MAP_NORESERVE reservation of
 * terabytes) costs what its page tables cost.  At most SKIP_BUDGET PMD
 * entries are read per call, so that the caller can reschedule, check for
 * a signal and yield mmap_lock between calls.
 *
 * Return: @addr when the PMD entry of @addr maps something (a page table,
 * a huge page or a migration entry); otherwise an address past @addr, up
 * to @end, before which nothing is mapped.
 */
unsigned long cs_skip_empty(struct mm_struct *mm, unsigned long addr,
			    unsigned long end)
{
	next_pmd(mm, &addr, end);
	return addr;
}

/*
 * Count the pages mapped in [@addr, @end) of @vma, a range inside the PMD
 * of entry @pmdp (mmap_lock held for read).  Takes the lock of the one
 * page table (or huge PMD) that maps the range, hands the whole table to
 * cs_pass_ptes() (or the huge mapping to cs_pass_pmd()) in one direct
 * call, and drops the lock: the per-page work is inlined there, with no
 * call, lock or lookup per page.  Then inserts
 * into the unique set what had to wait for the lock to be dropped.
 * Returns 0 or -ENOMEM.
 */
static int walk_pmd(struct vm_area_struct *vma, pmd_t *pmdp,
		    unsigned long addr, unsigned long end, struct cs_pass *ps)
{
	struct mm_struct *mm = vma->vm_mm;
	pmd_t pmd;
	pte_t *ptep;
	spinlock_t *ptl;	/* the PTE table's lock */

again:
	rcu_read_lock();
	pmd = cs_pmd_read(pmdp);
	if (pmd_none(pmd) || cs_pmd_devmap(pmd)) {
		rcu_read_unlock();
		return 0;
	}
	if (pmd_trans_huge(pmd)) {
		rcu_read_unlock();
		if (!walk_huge_pmd(vma, pmdp, addr, end, ps))
			goto again;
		return end_hold(ps);
	}
	/* A THP under migration is missed for that instant. */
	if (!pmd_present(pmd) || unlikely(pmd_bad(pmd))) {
		rcu_read_unlock();
		return 0;
	}

	ptep = (pte_t *)pmd_page_vaddr(pmd) + pte_index(addr);
	ptl = pte_lockptr(mm, &pmd);
	spin_lock(ptl);
	if (unlikely(!pmd_same(pmd, cs_pmd_read(pmdp)))) {
		spin_unlock(ptl);
		rcu_read_unlock();
		goto again;
	}
	cs_pass_ptes(ps, vma, addr, end, ptep);
	spin_unlock(ptl);
	rcu_read_unlock();
	return end_hold(ps);
}

/**
 * cs_walk_step() - read the next populated page table of a range
 * @vma: the VMA; its mm's mmap_lock is held for read
 * @addrp: in, where to start (page aligned, inside @vma); out, where the
 *	next step starts
 * @end: end of the range, inside @vma
 * @ps: the pass that counts the pages
 *
 * Skips what maps nothing as cs_skip_empty() does (at most SKIP_BUDGET PMD
 * entries), then reads the first populated PMD's part of the range: one
 * page table (or huge PMD), under its lock, handed whole to walk.c.  The
 * caller yields between steps.
 *
 * Return: 0, or -ENOMEM.
 */
int cs_walk_step(struct vm_area_struct *vma, unsigned long *addrp,
		 unsigned long end, struct cs_pass *ps)
{
	unsigned long addr = *addrp, next;
	pmd_t *pmdp;

	pmdp = next_pmd(vma->vm_mm, &addr, end);
	if (!pmdp) {
		*addrp = addr;
		return 0;
	}
	next = pmd_addr_end(addr, end);
	*addrp = next;
	return walk_pmd(vma, pmdp, addr, next, ps);
}
