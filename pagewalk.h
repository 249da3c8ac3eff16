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

/*
 * Distinct ranks (cow.c) of one member's copies in one chunk kept as
 * bitmaps; more are ranked position by position (struct cs_position).
 * A member's copies of a lineage rank by their anon_vma's depth and whether
 * it created them: the pages of its own anon_vma, of its parent's, and
 * those it created make three.
 */
#define CS_NR_CLASSES	4

/**
 * struct cs_rank_class - a member's copies of one rank in a chunk
 * @key: the rank (lowest is the original)
 * @bits: the chunk's positions where the member has a copy of that rank
 */
struct cs_rank_class {
	u64 key;
	DECLARE_BITMAP(bits, CS_CHUNK);
};

/**
 * struct cs_rank_slot - one member's ranked copies in the chunk being read
 * @cls: its copies, by rank
 * @nr_cls: used entries of @cls
 * @ovf: positions of its copies whose rank did not fit in @cls (ranked in
 *	the chunk's struct cs_position array instead)
 */
struct cs_rank_slot {
	struct cs_rank_class cls[CS_NR_CLASSES];
	unsigned int nr_cls;
	DECLARE_BITMAP(ovf, CS_CHUNK);
};

/**
 * struct cs_position - the best copy at a position, where a member had more
 *	ranks than CS_NR_CLASSES
 * @best_key: its rank
 * @best_member: the member that holds it
 */
struct cs_position {
	u64 best_key;
	u32 best_member;
};

/**
 * struct cs_pass - one read of a range of page tables and what it counts
 * @cw: the walk (its unique set, @pfns)
 * @vc: the counts of the range read so far
 * @rank: rank the anonymous pages of lineage @key into @slot (cow.c)
 * @key: the root anon_vma of the member being read
 * @lo: the chunk's first position; @pos[i] is position @lo + i
 * @member: index of the member being read
 * @holder_rank: the rank of the member's process (rule 3 of "COW-broken, exactly")
 * @slot: the member's ranked copies
 * @cls_last: the @slot class that the last page went to
 * @pos: CS_CHUNK positions, for ranks that did not fit in a slot
 * @pos_used: the positions of @pos in use
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
	struct cs_rank_slot *slot;
	unsigned int cls_last;
	struct cs_position *pos;
	unsigned long *pos_used;
	unsigned long *priv;
	const struct anon_vma *av_cached;
	bool av_in_lineage;
	u32 av_depth;
};

/* pagewalk.c */
unsigned long cs_skip_empty(struct mm_struct *mm, unsigned long addr,
			    unsigned long end);
int cs_walk_step(struct vm_area_struct *vma, unsigned long *addrp,
		 unsigned long end, struct cs_pass *ps);

/* walk.c */
void cs_pass_ptes(struct cs_pass *ps, struct vm_area_struct *vma,
		  unsigned long addr, unsigned long end, pte_t *ptep);
void cs_pass_pmd(struct cs_pass *ps, struct vm_area_struct *vma,
		 unsigned long addr, unsigned long end, struct page *page);
int cs_yield(struct cs_walk *cw, struct mm_struct *mm, bool *unlocked);

#endif /* _COWSTAT_PAGEWALK_H */
