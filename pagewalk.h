/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page-table walk's interface: one read of a range of page tables
 * (pagewalk.c) and the per-page counting and ranking it calls directly
 * (walk.c), shared by walk.c and cow.c.
 */
#ifndef _COWSTAT_PAGEWALK_H
#define _COWSTAT_PAGEWALK_H

#include <linux/pgtable.h>

#include "cowstat.h"

struct anon_vma;

/**
 * struct cs_position - one position of a family's chunk, as cow.c ranks it
 * @best_key: the rank of the best copy seen (lowest is the original)
 * @best_pfn: that copy
 * @first_pfn: the first copy seen, or ULONG_MAX
 * @best_member: the member that holds @best_pfn with @best_key
 * @best_private: @best_pfn is private (mapcount 1)
 * @multi: two or more different physical pages are at the position
 */
struct cs_position {
	u64 best_key;
	unsigned long best_pfn;
	unsigned long first_pfn;
	u32 best_member;
	bool best_private;
	bool multi;
};

/**
 * struct cs_pass - one read of a range of page tables and what it counts
 * @cw: the walk (its @pfn_bits and @unique)
 * @vc: the counts of the range read so far
 * @rank: rank the anonymous pages of lineage @key into @pos (cow.c)
 * @key: the root anon_vma of the member being read
 * @lo: the chunk's first position; @pos[i] is position @lo + i
 * @member: index of the member being read
 * @holder_rank: the rank of the member's process (rule 3 of "COW-broken, exactly")
 * @pos: CS_CHUNK positions
 * @priv: the member's @priv
 * @av_cached: the last anon_vma looked at, valid for one hold of
 *	mmap_lock only (anon_vmas are SLAB_TYPESAFE_BY_RCU: once the lock is
 *	dropped the same address can be another anon_vma)
 * @av_in_lineage: @av_cached's root is @key
 * @av_depth: @av_cached's ->parent hops to its root
 */
struct cs_pass {
	struct cs_walk *cw;
	struct cs_counts vc;
	bool rank;
	const void *key;
	unsigned long lo;
	u32 member;
	u32 holder_rank;
	struct cs_position *pos;
	unsigned long *priv;
	const struct anon_vma *av_cached;
	bool av_in_lineage;
	u32 av_depth;
};

/* pagewalk.c */
unsigned long cs_skip_empty(struct mm_struct *mm, unsigned long addr,
			    unsigned long end);
void cs_walk_pmd_range(struct vm_area_struct *vma, unsigned long addr,
		       unsigned long end, struct cs_pass *ps);

/* walk.c */
void cs_pass_ptes(struct cs_pass *ps, struct vm_area_struct *vma,
		  unsigned long addr, unsigned long end, pte_t *ptep);
void cs_pass_pmd(struct cs_pass *ps, struct vm_area_struct *vma,
		 unsigned long addr, unsigned long end, struct page *page);
int cs_yield(struct cs_walk *cw, struct mm_struct *mm, bool *unlocked);

#endif /* _COWSTAT_PAGEWALK_H */
