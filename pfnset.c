// SPDX-License-Identifier: GPL-2.0
/*
 * A set of page frame numbers, allocated in proportion to what is inserted
 * (pfnset.h).  Memory: a pointer per CS_PFNSET_LEAF_BITS page frames up to
 * the highest node end (384 bytes for 6 GiB, 64 KiB for 1 TiB), the
 * pending list (one page table's worth of runs), and a page of bits for
 * each CS_PFNSET_LEAF_BITS-aligned range of frames that holds an inserted
 * frame: at most a bit per page frame, and no leaf for a hole.  All of it
 * is charged to the caller and freed by cs_pfnset_free().
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/slab.h>

#include "cowstat.h"
#include "pfnset.h"

/**
 * cs_pfnset_init() - make an empty set for the page frames of this machine
 * @set: the set, zeroed
 *
 * Covers the frames below the highest end of an online node, which is
 * where the frames that have a struct page end.  Allocates no leaf.
 *
 * Return: 0; -ENOMEM; -E2BIG when the machine has too many page frames
 * for one allocation of leaf pointers (no request past INT_MAX bytes).
 */
int cs_pfnset_init(struct cs_pfnset *set)
{
	unsigned long nr = 0, nr_leaves;
	int nid;

	for_each_online_node(nid)
		nr = max(nr, node_end_pfn(nid));
	nr_leaves = DIV_ROUND_UP(nr, CS_PFNSET_LEAF_BITS);
	if (cs_too_big(nr_leaves, sizeof(*set->leaves))) {
		pr_warn_ratelimited("cowstat: %lu page frames: too many for the unique set\n",
				    nr);
		return -E2BIG;
	}
	set->leaves = kvcalloc(nr_leaves, sizeof(*set->leaves),
			       GFP_KERNEL_ACCOUNT);
	set->pending = kmalloc_array(CS_PFNSET_PENDING, sizeof(*set->pending),
				     GFP_KERNEL_ACCOUNT);
	if (!set->leaves || !set->pending) {
		cs_pfnset_free(set);
		return -ENOMEM;
	}
	set->nr_leaves = nr_leaves;
	set->nr_pfns = nr;
	set->count = 0;
	set->nr_pending = 0;
	return 0;
}

/**
 * cs_pfnset_flush() - insert the page frames put aside
 * @set: the set
 *
 * Allocates the leaves that the frames inserted since the last flush
 * needed, and inserts them.  Sleeps: called with no spinlock held (mmap_lock
 * held for read is fine).
 *
 * Return: 0, or -ENOMEM (the frames not inserted are then lost: the caller
 * gives the walk up).
 */
int cs_pfnset_flush(struct cs_pfnset *set)
{
	unsigned int i, n = set->nr_pending;
	unsigned long **slot;

	set->nr_pending = 0;
	for (i = 0; i < n; i++) {
		const struct cs_pfnset_run *r = &set->pending[i];

		slot = &set->leaves[r->pfn / CS_PFNSET_LEAF_BITS];
		if (!*slot) {
			*slot = (unsigned long *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!*slot)
				return -ENOMEM;
		}
		/* A run never straddles a leaf: cs_pfnset_insert_range(). */
		cs_pfnset_set_bits(set, *slot, r->pfn % CS_PFNSET_LEAF_BITS,
				   r->n);
	}
	return 0;
}

/**
 * cs_pfnset_free() - free a set's memory
 * @set: the set, or one that cs_pfnset_init() failed or never made
 *
 * Leaves @set empty, covering no page frame.
 */
void cs_pfnset_free(struct cs_pfnset *set)
{
	unsigned long i;

	if (set->leaves)
		for (i = 0; i < set->nr_leaves; i++)
			if (set->leaves[i])
				free_page((unsigned long)set->leaves[i]);
	kvfree(set->leaves);
	kfree(set->pending);
	set->leaves = NULL;
	set->pending = NULL;
	set->nr_leaves = 0;
	set->nr_pfns = 0;
	set->nr_pending = 0;
}
