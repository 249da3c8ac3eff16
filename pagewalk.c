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
 *  - vm_normal_page()'s rules pick the pages: special PTEs are skipped but
 *    for the zero page, which is reported apart.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "compat.h"
#include "cowstat.h"

static void walk_pte(struct vm_area_struct *vma, unsigned long addr, pte_t pte,
		     const struct cs_pt_ops *ops, void *priv)
{
	unsigned long pfn;
	struct page *page;

	if (pte_none(pte))
		return;
	if (pte_present(pte)) {
		pfn = pte_pfn(pte);
		if (is_zero_pfn(pfn))
			ops->zero(priv, 1);
		else if (!pte_special(pte) && pfn_valid(pfn))
			ops->page(priv, vma, addr, pfn_to_page(pfn), false);
		return;
	}
	if (cs_pte_is_swapped(pte)) {
		ops->swapped(priv, 1);
		return;
	}
	page = cs_pte_migration_page(pte);
	if (page)
		/* Being migrated: the page is still the process's, as in smaps. */
		ops->page(priv, vma, addr, page, false);
}

/*
 * A PMD-level mapping.  Returns false when the PMD is no longer huge (it
 * was split meanwhile) and must be read again as a PTE table.
 */
static bool walk_huge_pmd(struct vm_area_struct *vma, pmd_t *pmdp,
			  unsigned long addr, unsigned long end,
			  const struct cs_pt_ops *ops, void *priv)
{
	unsigned long i = (addr & ~PMD_MASK) >> PAGE_SHIFT;
	unsigned long n = (end - addr) >> PAGE_SHIFT;
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
	if (vma_is_anonymous(vma) && !PageAnon(page)) {
		ops->zero(priv, n);
	} else {
		for (; n; n--, i++, addr += PAGE_SIZE)
			ops->page(priv, vma, addr, cs_nth_page(page, i), true);
	}
	spin_unlock(ptl);
	return true;
}

/**
 * cs_walk_pmd_range() - report the pages mapped in [@addr, @end) of @vma
 * @vma: the VMA; its mm's mmap_lock is held for read
 * @addr: start, page aligned, inside @vma
 * @end: end, inside @vma and inside the same PMD as @addr
 * @ops: what to call for each entry
 * @priv: passed to @ops
 *
 * Holds one page-table lock at a time and calls @ops->unlocked after
 * dropping it.
 *
 * Return: 0, or the error of @ops->unlocked.
 */
int cs_walk_pmd_range(struct vm_area_struct *vma, unsigned long addr,
		      unsigned long end, const struct cs_pt_ops *ops, void *priv)
{
	struct mm_struct *mm = vma->vm_mm;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmdp, pmd;
	pte_t *ptep;
	spinlock_t *ptl;	/* the PTE table's lock */

	pgd = pgd_offset(mm, addr);
	if (pgd_none(*pgd) || unlikely(pgd_bad(*pgd)))
		return 0;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || unlikely(p4d_bad(*p4d)))
		return 0;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_leaf(*pud) || unlikely(pud_bad(*pud)))
		return 0;
	pmdp = pmd_offset(pud, addr);

again:
	rcu_read_lock();
	pmd = cs_pmd_read(pmdp);
	if (pmd_none(pmd) || cs_pmd_devmap(pmd)) {
		rcu_read_unlock();
		return 0;
	}
	if (pmd_trans_huge(pmd)) {
		rcu_read_unlock();
		if (!walk_huge_pmd(vma, pmdp, addr, end, ops, priv))
			goto again;
		return ops->unlocked(priv);
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
	for (; addr < end; addr += PAGE_SIZE, ptep++)
		walk_pte(vma, addr, ptep_get(ptep), ops, priv);
	spin_unlock(ptl);
	rcu_read_unlock();
	return ops->unlocked(priv);
}
