/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels cowstat supports (6.1, 6.12 and 7.x),
 * in one place, but for genetlink's, which the netlink files keep in a
 * header of their own so that the page walker does not include
 * <net/genetlink.h>.  Everything here is inline: the kernel's own
 * page-table helpers (pte_offset_map*, vm_normal_page, walk_page_range)
 * are exported to modules on none of these kernels, 6.1 included, so
 * pagewalk.c reads page tables with the primitives below.
 */
#ifndef _COWSTAT_COMPAT_H
#define _COWSTAT_COMPAT_H

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#ifdef CS_HAVE_SOFTLEAF
#include <linux/leafops.h>
#endif
#ifdef CS_HAVE_TASK_EXEC_STATE
#include <linux/sched/exec_state.h>
#endif

/*
 * The CS_HAVE_* macros come from Kbuild, which looks for each feature in
 * the headers of the kernel being built against.
 */

#ifdef CONFIG_NO_PAGE_MAPCOUNT
#error "cowstat needs per-page mapcounts: build the kernel without CONFIG_NO_PAGE_MAPCOUNT"
#endif

/*
 * The mapcount that every page of a large @folio mapped by a PMD has, when
 * it is the same for all of them because no page of the folio is mapped by
 * a PTE anywhere: then each page's mapcount is the folio's PMD mappings.
 * -1 when the pages' mapcounts may differ (read each one then), or when
 * this kernel cannot tell cheaply.  The caller holds the lock of a PMD that
 * maps @folio, so it stays a large folio; like any mapcount read it is a
 * snapshot of mappings that other processes may be changing.
 */
static inline int cs_folio_pmd_mapcount(struct folio *folio)
{
#if defined(CS_HAVE_FOLIO_LARGE_MAPCOUNT)
	/* _large_mapcount counts every PTE and PMD mapping of the folio. */
	int entire = folio_entire_mapcount(folio);

	return folio_large_mapcount(folio) == entire ? entire : -1;
#elif defined(CS_HAVE_PAGE_DOUBLE_MAP)
	/*
	 * PG_double_map is set on an anonymous THP once a PMD mapping of it
	 * is split while others remain (each page's _mapcount then carries
	 * an offset); a file THP's pages count its PMD mappings one by one.
	 */
	if (!folio_test_anon(folio) || PageDoubleMap(&folio->page))
		return -1;
	return folio_entire_mapcount(folio);
#else
	return -1;
#endif
}

/*
 * What the pages of a large @folio have in their mapcount besides their
 * own PTE mappings (its PMD mappings), read once for the whole folio and
 * given to cs_large_page_mapcount() for each of its pages.
 */
static inline int cs_folio_mapcount_base(struct folio *folio)
{
#ifdef CS_HAVE_PAGE_DOUBLE_MAP
	return 0;	/* unused: 6.1's page_mapcount() is asked per page */
#else
	return folio_entire_mapcount(folio);
#endif
}

/* cs_page_mapcount() of a page of a large folio, given its folio's base. */
static inline int cs_large_page_mapcount(struct page *page, int base)
{
#ifdef CS_HAVE_PAGE_DOUBLE_MAP
	return page_mapcount(page);
#else
	return atomic_read(&page->_mapcount) + 1 + base;
#endif
}

/* A PMD read without the page-table lock, as pte_offset_map() does. */
static inline pmd_t cs_pmd_read(pmd_t *pmdp)
{
#ifdef CS_HAVE_PMDP_GET_LOCKLESS
	return pmdp_get_lockless(pmdp);
#else
	return READ_ONCE(*pmdp);
#endif
}

/*
 * The upper page-table levels, each read once into a local value, as the
 * kernel's walkers read them (pgdp_get() and friends where they exist).
 */
static inline pgd_t cs_pgdp_get(pgd_t *pgdp)
{
#ifdef CS_HAVE_PGDP_GET
	return pgdp_get(pgdp);
#else
	return READ_ONCE(*pgdp);
#endif
}

static inline p4d_t cs_p4dp_get(p4d_t *p4dp)
{
#ifdef CS_HAVE_P4DP_GET
	return p4dp_get(p4dp);
#else
	return READ_ONCE(*p4dp);
#endif
}

static inline pud_t cs_pudp_get(pud_t *pudp)
{
#ifdef CS_HAVE_PUDP_GET
	return pudp_get(pudp);
#else
	return READ_ONCE(*pudp);
#endif
}

/* The path /proc/PID/maps prints for a file mapping. */
static inline const struct path *cs_file_path(struct file *file)
{
#ifdef CS_HAVE_FILE_USER_PATH
	return file_user_path(file);
#else
	return &file->f_path;
#endif
}

/* Whether /proc/PID/maps calls this VMA [heap]. */
static inline bool cs_vma_is_heap(struct vm_area_struct *vma)
{
#ifdef CS_HAVE_VMA_IS_INITIAL_HEAP
	return vma_is_initial_heap(vma);
#else
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
#endif
}

/* Whether a non-present PTE holds a swap entry (a page swapped out). */
static inline bool cs_pte_is_swapped(pte_t pte)
{
#ifdef CS_HAVE_SOFTLEAF
	return softleaf_is_swap(softleaf_from_pte(pte));
#else
	return is_swap_pte(pte) && !non_swap_entry(pte_to_swp_entry(pte));
#endif
}

/* The page a migration entry stands for, or NULL for any other PTE. */
static inline struct page *cs_pte_migration_page(pte_t pte)
{
#ifdef CS_HAVE_SOFTLEAF
	softleaf_t entry = softleaf_from_pte(pte);

	return softleaf_is_migration(entry) ? softleaf_to_page(entry) : NULL;
#else
	swp_entry_t entry;

	if (!is_swap_pte(pte))
		return NULL;
	entry = pte_to_swp_entry(pte);
	return is_migration_entry(entry) ? pfn_swap_entry_to_page(entry) : NULL;
#endif
}

/* A device (DAX) PMD, which maps no struct page cowstat counts. */
static inline bool cs_pmd_devmap(pmd_t pmd)
{
#ifdef CS_HAVE_PMD_DEVMAP
	return pmd_devmap(pmd);
#else
	return false;	/* devmap PMDs are gone */
#endif
}

/* The @i-th page after @page, within one folio. */
static inline struct page *cs_nth_page(struct page *page, unsigned long i)
{
#ifdef CS_HAVE_NTH_PAGE
	return nth_page(page, i);
#else
	return page + i;	/* a folio's pages are always contiguous */
#endif
}

/* The flag bits of a folio's ->mapping: FOLIO_MAPPING_* from 7.x on. */
#ifdef CS_HAVE_FOLIO_MAPPING_FLAGS
#define CS_MAPPING_ANON		FOLIO_MAPPING_ANON
#define CS_MAPPING_KSM		FOLIO_MAPPING_KSM
#define CS_MAPPING_FLAGS	FOLIO_MAPPING_FLAGS
#else
#define CS_MAPPING_ANON		PAGE_MAPPING_ANON
#define CS_MAPPING_KSM		PAGE_MAPPING_KSM
#define CS_MAPPING_FLAGS	PAGE_MAPPING_FLAGS
#endif

/*
 * The mapcount of a page whose folio is not large, the number
 * /proc/kpagecount reports: its PTE mappings.
 */
static inline int cs_small_page_mapcount(struct page *page)
{
#ifndef CS_HAVE_PAGE_MAPCOUNT
	/* folio_precise_page_mapcount() of fs/proc/internal.h (6.12) */
	int mapcount = atomic_read(&page->_mapcount) + 1;

	return page_mapcount_is_type(mapcount) ? 0 : mapcount;
#else
	return page_mapcount(page);
#endif
}

/*
 * The dumpable half of a ptrace read check: @task's memory is dumpable by
 * its owner, or the caller has CAP_SYS_PTRACE in the user namespace that
 * @task's program was executed in.  A task without an mm (a kernel thread,
 * an exiting task) passes, as before 7.x.  Called under task_lock(@task).
 */
static inline bool cs_task_dumpable(struct task_struct *task)
{
#ifdef CS_HAVE_TASK_EXEC_STATE
	const struct task_exec_state *es;
	bool ok;

	if (!task->mm)
		return true;
	rcu_read_lock();
	es = rcu_dereference_check(task->exec_state,
				   lockdep_is_held(&task->alloc_lock));
	ok = !es || READ_ONCE(es->dumpable) == TASK_DUMPABLE_OWNER ||
	     ns_capable(es->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	return ok;
#else
	struct mm_struct *mm = task->mm;

	return !mm || get_dumpable(mm) == SUID_DUMP_USER ||
	       ns_capable(mm->user_ns, CAP_SYS_PTRACE);
#endif
}

#endif /* _COWSTAT_COMPAT_H */
