/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cowstat CLI: what one dump of a process tree holds, independent of how it
 * was read (netlink, or a test's synthetic data) and of how it is printed.
 */
#ifndef COWSTAT_MODEL_H
#define COWSTAT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/cowstat_counts.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The fields of the counts, in the spec's order.  A VMA has the page
 * fields, the counts attribute set of the YNL spec (from which they are
 * generated), a process adds cow_faults and skipped_vmas, and the tree's
 * totals add unique and saved, so one array with a presence mask serves all
 * three.
 */
#define CS_FIELD(NAME, ...)	CS_##NAME,
enum cs_field {
	COWSTAT_COUNTS(CS_FIELD)
	CS_NR_PAGE_FIELDS,
	CS_COW_FAULTS = CS_NR_PAGE_FIELDS,
	CS_SKIPPED_VMAS,
	CS_NR_PROC_FIELDS,
	CS_UNIQUE = CS_NR_PROC_FIELDS,
	CS_SAVED,
	CS_NR_FIELDS
};
#undef CS_FIELD

/* struct cs_counts keeps one presence bit per field. */
_Static_assert(CS_NR_FIELDS <= 32, "cs_counts.have has 32 bits");

/* The spec's field names ("rss", "anon_shared", ...), used by every format. */
extern const char *const cs_field_names[CS_NR_FIELDS];

/**
 * struct cs_counts - counts of a VMA, a process or the tree
 * @val: the values, in pages (skipped_vmas: in VMAs; cow_faults: in events)
 * @have: bit f is set when field f was reported; a field the kernel did not
 *	send is "unavailable", which every format shows as such, never as 0
 */
struct cs_counts {
	uint64_t val[CS_NR_FIELDS];
	uint32_t have;
};

static inline bool cs_have(const struct cs_counts *c, enum cs_field f)
{
	return c->have & (1u << f);
}

static inline void cs_set(struct cs_counts *c, enum cs_field f, uint64_t v)
{
	c->val[f] = v;
	c->have |= 1u << f;
}

/* Process flags: the bits of enum cowstat_proc_flags. */
#define CS_F_NO_MM		1u
#define CS_F_MM_SHARED		2u
#define CS_F_NOT_PERMITTED	4u

/**
 * struct cs_vma - one VMA of a process
 * @start: first address
 * @end: address past the end
 * @offset: file offset in bytes
 * @perms: as /proc/PID/maps prints them, e.g. "rw-p" (never NULL)
 * @name: the name maps prints, or NULL for anonymous memory
 * @name_truncated: the module cut @name to COWSTAT_VMA_NAME_MAX bytes
 * @c: its page counts (page fields only)
 */
struct cs_vma {
	uint64_t start, end, offset;
	char *perms;
	char *name;
	bool name_truncated;
	struct cs_counts c;
};

/**
 * struct cs_proc - one row of the tree
 * @pid: the process, in the reader's PID namespace
 * @ppid: its parent, 0 when not visible
 * @depth: below the root (0)
 * @flags: CS_F_* bits (unknown bits are kept, and shown as "bitN")
 * @mm_shared_with: with CS_F_MM_SHARED, the row that counts the mm
 * @comm: the raw bytes of the kernel's comm, NUL-terminated (never NULL)
 * @c: its counts; empty for a not-permitted row
 * @vmas: its VMAs, in address order, when they were asked for
 * @nr_vmas: number of @vmas
 * @cap_vmas: allocated entries of @vmas
 */
struct cs_proc {
	uint32_t pid, ppid, depth, flags, mm_shared_with;
	char *comm;
	struct cs_counts c;
	struct cs_vma *vmas;
	size_t nr_vmas, cap_vmas;
};

/**
 * struct cs_tree - one dump: the rows, parents before children, and totals
 * @root: the tree's root
 * @page_size: bytes per page (from the totals)
 * @processes: number of rows, as the totals say
 * @procs: the rows
 * @nr_procs: number of @procs
 * @cap_procs: allocated entries of @procs
 * @totals: the tree's totals (all CS_NR_FIELDS fields)
 * @have_totals: the totals message arrived (a complete dump)
 */
struct cs_tree {
	uint32_t root, page_size, processes;
	struct cs_proc *procs;
	size_t nr_procs, cap_procs;
	struct cs_counts totals;
	bool have_totals;
};

struct cs_proc *cs_tree_add_proc(struct cs_tree *t, uint32_t pid);
struct cs_vma *cs_proc_add_vma(struct cs_proc *p);
struct cs_proc *cs_tree_find(const struct cs_tree *t, uint32_t pid);
void cs_tree_free(struct cs_tree *t);

/* The flag words of a row, "-" for none, as debugfs prints them. */
#define CS_FLAGS_LEN	256
void cs_flags_text(char *buf, size_t len, const struct cs_proc *p);

#endif /* COWSTAT_MODEL_H */
