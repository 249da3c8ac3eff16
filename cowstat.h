/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cowstat - shared, private and COW-broken pages of a process tree.
 *
 * Declarations shared between the module's files.  A read of cowstat is a
 * snapshot: tree.c finds the processes, walk.c walks their VMAs and the
 * page tables of those that no lineage shares, cow.c reads the anonymous
 * VMAs' page tables once, counting them and attributing COW breaks, and
 * the front ends (debugfs.c, netlink.c) print the result.  This header is
 * the data model and what the files call across; the page-table walk's
 * interface is in pagewalk.h, the netlink callers' walks in request.h.
 */
#ifndef _COWSTAT_H
#define _COWSTAT_H

#include <linux/bitmap.h>
#include <linux/hugetlb_inline.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

#include "pfnset.h"
#include "uapi/linux/cowstat_counts.h"

#define COWSTAT_VERSION		"0.2.0"

struct cred;
struct cs_user;
struct mem_cgroup;
struct mm_struct;
struct page;
struct pid;
struct pid_namespace;
struct vm_area_struct;

/*
 * The page fields, in the order of the YNL spec's counts attribute set
 * (Documentation/netlink/specs/cowstat.yaml), from which they are generated.
 */
#define CS_FIELD(NAME, ...)	CS_##NAME,
enum cs_field {
	COWSTAT_COUNTS(CS_FIELD)
	CS_NR_FIELDS
};

#undef CS_FIELD

extern const char * const cs_field_names[CS_NR_FIELDS];

/** struct cs_counts - page counts, in base pages */
struct cs_counts {
	u64 v[CS_NR_FIELDS];
};

static inline void cs_counts_add(struct cs_counts *to, const struct cs_counts *c)
{
	int i;

	for (i = 0; i < CS_NR_FIELDS; i++)
		to->v[i] += c->v[i];
}

/**
 * struct cs_vma - one VMA's row of the vmas file
 * @start: first address
 * @end: address past the end
 * @pgoff: vm_pgoff, in pages
 * @flags: vm_flags
 * @has_file: the VMA maps a file (its offset is printed)
 * @name_truncated: @name is cut to the snapshot's @name_max bytes
 * @name: what /proc/PID/maps prints as the name, or NULL
 * @c: the VMA's page counts
 */
struct cs_vma {
	unsigned long start, end, pgoff;
	unsigned long flags;
	bool has_file;
	bool name_truncated;
	char *name;
	struct cs_counts c;
};

#define CS_NO_MM	BIT(0)	/* no mm: kernel thread, zombie, exiting */
#define CS_MM_SHARED	BIT(1)	/* shares the mm of row @mm_owner */
#define CS_NOT_PERMITTED BIT(2)	/* the reader may not read it: not walked */

/**
 * struct cs_proc - one process (thread group) of the tree
 * @nr: PID in the reader's PID namespace
 * @ppid: parent's PID there (0 when the parent is not visible)
 * @depth: 0 for the root
 * @rank: position in (depth, PID) order; breaks COW ties (spec 4, rule 3)
 * @comm: the process's comm (empty when not permitted)
 * @mm_owner: index of the row that counts the process's mm: this row's own
 *	index, or an earlier row's when the mm is shared (printed as
 *	mm_shared_with, and the owner's @vmas are listed for this row)
 * @flags: CS_NO_MM, CS_MM_SHARED, CS_NOT_PERMITTED
 * @cow_faults: COW copies of the process's threads (delay accounting)
 * @cow_faults_valid: delay accounting kept them for at least one thread
 * @skipped_vmas: hugetlb, VM_PFNMAP and VM_IO VMAs
 * @c: page counts of the mm
 * @vmas: per-VMA rows when the reader asked for them
 * @nr_vmas: number of @vmas
 */
struct cs_proc {
	pid_t nr, ppid;
	u32 depth, rank;
	char comm[TASK_COMM_LEN];
	u32 mm_owner;
	u32 flags;
	u64 cow_faults;
	bool cow_faults_valid;
	u64 skipped_vmas;
	struct cs_counts c;
	struct cs_vma *vmas;
	u32 nr_vmas;
};

/* Positions (page indices) of a family that cow.c reads at a time. */
#define CS_CHUNK	PTRS_PER_PTE

/**
 * struct cs_member - an anonymous VMA's range, which cow.c reads: its pages
 *	are counted (every field) and ranked there, in one pass
 * @proc: row index of the mm's owner
 * @vma: index into that row's @vmas, or -1
 * @start: first address
 * @pgoff: its page index (the VMA's linear_page_index() there)
 * @nr_pages: pages from @start on
 * @key: the root anon_vma of its lineage (compared, never dereferenced)
 * @next: cow.c's next position to look at
 * @priv: in the chunk being read, the positions where it maps a private
 *	page of its lineage (a candidate COW copy)
 *
 * The members of one mm never overlap: a VMA found again after mmap_lock
 * was dropped becomes a new member from the address the walk had reached.
 */
struct cs_member {
	u32 proc;
	s32 vma;
	unsigned long start, pgoff, nr_pages;
	const void *key;
	unsigned long next;
	DECLARE_BITMAP(priv, CS_CHUNK);
};

/**
 * struct cs_reader - whom a walk is for
 * @ns: the PID namespace in which PIDs are read and printed
 * @tgid: the reader's thread group, which ptrace's rule lets it read
 * @task: the task that asked; a fatal signal to it ends the walk
 * @cancel: set when nobody wants the answer any more
 *
 * A walk runs either in the reader's own context (debugfs) or on cowstat's
 * workqueue with the reader's credentials (netlink, request.c); both find
 * the reader here rather than in current.
 */
struct cs_reader {
	struct pid_namespace *ns;
	struct pid *tgid;
	struct task_struct *task;
	bool cancel;
};

/**
 * struct cs_snapshot - the result of one walk of a tree: what debugfs prints
 *	and netlink sends, nothing else
 * @procs: rows, parents before children (depth-first, children by PID)
 * @nr_procs: number of rows
 * @total: page fields summed over distinct mms
 * @skipped_vmas: skipped VMAs summed over distinct mms
 * @cow_faults: summed over the rows where available
 * @cow_faults_valid: available for at least one row
 * @unique: distinct physical pages in the tree's rss
 *
 * It holds no reference on any task, pid or mm and no scratch of the walk
 * (struct cs_walk), so that a result waiting to be read (an open debugfs
 * file, an unfinished dump) costs its rows only, as smaps keeps its
 * mem_size_stats apart from the mm_walk that fills them.
 */
struct cs_snapshot {
	struct cs_proc *procs;
	u32 nr_procs;
	struct cs_counts total;
	u64 skipped_vmas;
	u64 cow_faults;
	bool cow_faults_valid;
	u64 unique;
};

/**
 * struct cs_query - what a walk is asked for
 * @reader: whom the walk is for
 * @want_vmas: keep per-VMA rows
 * @check_perm: walk only processes the reader may read (README, "Who may
 *	read what")
 * @unprivileged_read: the ptrace-read rule is enough (module parameter,
 *	read once per walk)
 * @name_max: longest VMA name kept, in bytes; longer ones are cut
 */
struct cs_query {
	const struct cs_reader *reader;
	bool want_vmas;
	bool check_perm;
	bool unprivileged_read;
	size_t name_max;
};

/**
 * struct cs_walk - the state of one walk, from its start to its end
 * @q: what the walk is asked for
 * @snap: the result being filled
 * @mms: per row of @snap, the mm that the walk reads, held with mmgrab()
 *	from cs_tree_collect() to cs_tree_drop_mms(), or NULL
 * @pfns: the set of the result's @unique pages (pfnset.h)
 * @members: anonymous VMAs of the tree, for cow.c
 * @nr_members: used entries of @members
 * @max_members: allocated entries of @members
 * @path_buf: PATH_MAX scratch for VMA names
 *
 * Lives in cs_snapshot_take()'s frame; everything it points to but @snap
 * and @q.reader is allocated by the walk (charged to the active memory
 * cgroup) and freed, and every mm dropped, before cs_snapshot_take()
 * returns.
 */
struct cs_walk {
	struct cs_query q;
	struct cs_snapshot *snap;
	struct mm_struct **mms;
	struct cs_pfnset pfns;
	struct cs_member *members;
	u32 nr_members, max_members;
	char *path_buf;
};

/*
 * Whether an array of @n elements of @size bytes is too big to ask
 * kvmalloc() for: past INT_MAX bytes it WARNs (a panic with
 * panic_on_warn) and fails.
 */
static inline bool cs_too_big(size_t n, size_t size)
{
	return n > INT_MAX / size;
}

/*
 * Grow an array from @old_n to @new_n elements of @size bytes.  On failure
 * (including @new_n past cs_too_big()) @p is left as it was and NULL is
 * returned.
 */
static inline void *cs_grow(void *p, size_t old_n, size_t new_n, size_t size)
{
	void *q;

	if (cs_too_big(new_n, size))
		return NULL;
	q = kvmalloc_array(new_n, size, GFP_KERNEL_ACCOUNT);
	if (!q)
		return NULL;
	if (p)
		memcpy(q, p, old_n * size);
	kvfree(p);
	return q;
}

/* VMAs that are not walked: counted in skipped_vmas. */
static inline bool cs_skip_vma(struct vm_area_struct *vma)
{
	return is_vm_hugetlb_page(vma) || (vma->vm_flags & (VM_PFNMAP | VM_IO));
}

/* cowstat.c */
extern bool cs_unprivileged_read;
extern unsigned int cs_max_dumps_per_user;
struct pid *cs_find_process(struct pid_namespace *ns, u32 nr);
#define CS_WANT_VMAS	BIT(0)
#define CS_CHECK_PERM	BIT(1)
int cs_snapshot_take(const struct cs_reader *reader, struct pid *root,
		     unsigned int how, size_t name_max,
		     struct cs_snapshot **snapp);
void cs_snapshot_free(struct cs_snapshot *snap);
bool cs_should_stop(const struct cs_walk *cw);
void cs_reader_init_current(struct cs_reader *reader);

/* tree.c */
int cs_tree_collect(struct cs_walk *cw, struct pid *root);
void cs_tree_drop_mms(struct cs_walk *cw);
void cs_tree_release(struct cs_snapshot *snap);
bool cs_may_read_quick(struct pid *pid, bool unprivileged_read);

/* walk.c */
int cs_walk_tree(struct cs_walk *cw);
void cs_walk_drop_scratch(struct cs_walk *cw);
void cs_walk_release(struct cs_snapshot *snap);

/* cow.c */
int cs_cow_count(struct cs_walk *cw);

/* netlink.c */
int cs_netlink_init(void);
void cs_netlink_exit(void);

/* debugfs.c */
int cs_debugfs_init(void);
void cs_debugfs_exit(void);

#endif /* _COWSTAT_H */
