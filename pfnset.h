/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A set of page frame numbers, for the tree's "unique" count: a bit per
 * page frame, in leaves of one page (CS_PFNSET_LEAF_BITS frames each) that
 * are allocated, zeroed, only when a frame of theirs is first inserted, so
 * that a walk costs what it inserts rather than what the machine has.
 *
 * Inserting is a bit test in an allocated leaf: no lock, no call, no
 * allocation.  The walk inserts with a page-table lock held, where nothing
 * may sleep, so a frame whose leaf is not allocated yet is put aside in a
 * small pending list instead; cs_pfnset_flush(), called once the lock is
 * dropped, allocates those leaves (GFP_KERNEL_ACCOUNT: charged to the
 * reader) and inserts the frames.  One lock hold reads one page table (or
 * one PMD-mapped huge page), at most CS_PFNSET_PENDING entries.
 */
#ifndef _COWSTAT_PFNSET_H
#define _COWSTAT_PFNSET_H

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/mm.h>
#include <linux/types.h>

/* Page frames per leaf: the bits of one page (32,768 with 4 KiB pages). */
#define CS_PFNSET_LEAF_BITS	(PAGE_SIZE * BITS_PER_BYTE)

/* Entries put aside per lock hold at most: one page table's pages. */
#define CS_PFNSET_PENDING	PTRS_PER_PTE

/* A run of page frames waiting for its leaf (cs_pfnset_flush()). */
struct cs_pfnset_run {
	unsigned long pfn;
	unsigned long n;
};

/**
 * struct cs_pfnset - a set of page frame numbers
 * @leaves: CS_PFNSET_LEAF_BITS bits each, or NULL where nothing was inserted
 * @nr_pfns: the frames that @leaves can hold: those below the highest node
 *	end when the set was made; a frame above it (memory hot-added since)
 *	is counted each time it is inserted, without being told apart
 * @nr_leaves: entries of @leaves
 * @count: distinct frames inserted
 * @pending: runs whose leaf is not allocated yet
 * @nr_pending: used entries of @pending
 */
struct cs_pfnset {
	unsigned long **leaves;
	unsigned long nr_pfns;
	unsigned long nr_leaves;
	u64 count;
	struct cs_pfnset_run *pending;
	unsigned int nr_pending;
};

int cs_pfnset_init(struct cs_pfnset *set);
int cs_pfnset_flush(struct cs_pfnset *set);
void cs_pfnset_free(struct cs_pfnset *set);

/*
 * Put a run aside until its leaf exists.  More than one page table's worth
 * between two flushes is a bug of the caller: the run is then counted as
 * distinct, so that the count can be too high but memory is never
 * overrun.
 */
static inline void cs_pfnset_defer(struct cs_pfnset *set, unsigned long pfn,
				   unsigned long n)
{
	if (WARN_ON_ONCE(set->nr_pending >= CS_PFNSET_PENDING)) {
		set->count += n;
		return;
	}
	set->pending[set->nr_pending].pfn = pfn;
	set->pending[set->nr_pending].n = n;
	set->nr_pending++;
}

/**
 * cs_pfnset_insert() - add a page frame to a set
 * @set: the set
 * @pfn: the page frame
 *
 * Never sleeps; may be called with a spinlock held.  The frame is in
 * cs_pfnset_count() once cs_pfnset_flush() has run.
 */
static __always_inline void cs_pfnset_insert(struct cs_pfnset *set,
					     unsigned long pfn)
{
	unsigned long *leaf;

	if (unlikely(pfn >= set->nr_pfns)) {
		set->count++;
		return;
	}
	leaf = set->leaves[pfn / CS_PFNSET_LEAF_BITS];
	if (unlikely(!leaf)) {
		cs_pfnset_defer(set, pfn, 1);
		return;
	}
	if (!__test_and_set_bit(pfn % CS_PFNSET_LEAF_BITS, leaf))
		set->count++;
}

/*
 * Set the @n bits from @bit on in @leaf, a word at a time, counting those
 * that were clear.
 */
static __always_inline void cs_pfnset_set_bits(struct cs_pfnset *set,
					       unsigned long *leaf,
					       unsigned long bit,
					       unsigned long n)
{
	unsigned long end = bit + n, cnt, mask, *w;

	for (; bit < end; bit += cnt) {
		cnt = min(end - bit, BITS_PER_LONG - bit % BITS_PER_LONG);
		mask = GENMASK(bit % BITS_PER_LONG + cnt - 1, bit % BITS_PER_LONG);
		w = &leaf[BIT_WORD(bit)];
		set->count += hweight_long(mask & ~*w);
		*w |= mask;
	}
}

/**
 * cs_pfnset_insert_range() - add consecutive page frames to a set
 * @set: the set
 * @pfn: the first page frame
 * @n: how many, at most one page table's worth (a PMD-mapped huge page)
 *
 * As cs_pfnset_insert(), a word of bits at a time.
 */
static __always_inline void cs_pfnset_insert_range(struct cs_pfnset *set,
						   unsigned long pfn,
						   unsigned long n)
{
	unsigned long *leaf, bit = pfn % CS_PFNSET_LEAF_BITS;

	/* The frames of a huge page never straddle a leaf: it is aligned. */
	if (unlikely(pfn + n > set->nr_pfns ||
		     bit + n > CS_PFNSET_LEAF_BITS)) {
		for (; n; n--, pfn++)
			cs_pfnset_insert(set, pfn);
		return;
	}
	leaf = set->leaves[pfn / CS_PFNSET_LEAF_BITS];
	if (unlikely(!leaf)) {
		cs_pfnset_defer(set, pfn, n);
		return;
	}
	cs_pfnset_set_bits(set, leaf, bit, n);
}

/**
 * cs_pfnset_count() - the distinct page frames of a set
 * @set: the set, flushed (cs_pfnset_flush())
 *
 * Return: how many distinct frames were inserted.
 */
static inline u64 cs_pfnset_count(const struct cs_pfnset *set)
{
	return set->count;
}

/*
 * Whether @pfn is below the highest node end the set was made for: there,
 * every page frame that a normal PTE maps has a struct page.
 */
static inline bool cs_pfnset_covers(const struct cs_pfnset *set,
				    unsigned long pfn)
{
	return pfn < set->nr_pfns;
}

#endif /* _COWSTAT_PFNSET_H */
