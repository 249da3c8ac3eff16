/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels cowstat supports (6.1 and 6.12),
 * in one place.  Everything here is inline: on 6.12 the kernel's own
 * page-table helpers (pte_offset_map*, vm_normal_page, walk_page_range)
 * are not exported to modules, so walk.c reads page tables with the
 * primitives below.
 */
#ifndef _COWSTAT_COMPAT_H
#define _COWSTAT_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <net/genetlink.h>

/*
 * The CS_HAVE_* macros come from Kbuild, which looks for each feature in
 * the headers of the kernel being built against.
 */

/*
 * The page's own mapcount, the number /proc/kpagecount reports: its PTE
 * mappings plus, for a large folio, the folio's PMD mappings.
 */
static inline int cs_page_mapcount(struct page *page)
{
#ifndef CS_HAVE_PAGE_MAPCOUNT
	/* folio_precise_page_mapcount() of fs/proc/internal.h (6.12) */
	struct folio *folio = page_folio(page);
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (page_mapcount_is_type(mapcount))
		mapcount = 0;
	if (folio_test_large(folio))
		mapcount += folio_entire_mapcount(folio);
	return mapcount;
#else
	return page_mapcount(page);
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

/* The attributes of a dump request, parsed by the family's policy. */
static inline struct nlattr **cs_dump_attrs(struct netlink_callback *cb)
{
#ifdef CS_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _COWSTAT_COMPAT_H */
