/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic trees for the host tests, shaped like what the kernel sends.
 * fixture():
 *
 *   100 server            (2 VMAs; cow_faults unavailable)
 *    \_ 101 worker 1      (1 VMA; cow_faults 7)
 *        \_ 102 w"q\      (shares 101's mm)
 *    \_ 103 secret        (not permitted: no counts)
 *    \_ 104 zombie        (no mm)
 */
#ifndef COWSTAT_FIXTURE_H
#define COWSTAT_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "model.h"

#define NA	UINT64_MAX	/* an unavailable count */

static void fx_counts(struct cs_counts *c, int n, const uint64_t *v)
{
	int f;

	for (f = 0; f < n; f++)
		if (v[f] != NA)
			cs_set(c, f, v[f]);
}

static struct cs_proc *fx_proc(struct cs_tree *t, uint32_t pid, uint32_t ppid,
			       uint32_t depth, const char *comm, uint32_t flags,
			       const uint64_t *v)
{
	struct cs_proc *p = cs_tree_add_proc(t, pid);

	if (!p)
		abort();
	p->ppid = ppid;
	p->depth = depth;
	free(p->comm);
	p->comm = strdup(comm);
	p->flags = flags;
	if (v)
		fx_counts(&p->c, CS_NR_PROC_FIELDS, v);
	return p;
}

static void fx_vma(struct cs_proc *p, uint64_t start, uint64_t end, uint64_t offset,
		   const char *perms, const char *name, const uint64_t *v)
{
	struct cs_vma *m = cs_proc_add_vma(p);

	if (!m)
		abort();
	m->start = start;
	m->end = end;
	m->offset = offset;
	free(m->perms);
	m->perms = strdup(perms);
	m->name = name ? strdup(name) : NULL;
	if (v)
		fx_counts(&m->c, CS_NR_PAGE_FIELDS, v);
}

/*
 * Counts by field; a field not named is 0 (so a field added to the spec is
 * 0 everywhere, and no value moves to another field); NA: unavailable.
 */
static const uint64_t fx_100[CS_NR_PROC_FIELDS] = {
	[CS_RSS] = 4445, [CS_ANON] = 4121, [CS_FILE] = 324, [CS_SHARED] = 3214,
	[CS_PRIVATE] = 1231, [CS_ANON_SHARED] = 3082, [CS_ANON_PRIVATE] = 1039,
	[CS_COW_BROKEN] = 5, [CS_COW_FAULTS] = NA, [CS_SKIPPED_VMAS] = 1,
};
static const uint64_t fx_101[CS_NR_PROC_FIELDS] = {
	[CS_RSS] = 4250, [CS_ANON] = 4119, [CS_FILE] = 131, [CS_SHARED] = 3218,
	[CS_PRIVATE] = 1032, [CS_ANON_SHARED] = 3087, [CS_ANON_PRIVATE] = 1032,
	[CS_COW_BROKEN] = 1032, [CS_SWAP] = 3, [CS_ZERO] = 2, [CS_THP] = 512,
	[CS_COW_FAULTS] = 7, [CS_SKIPPED_VMAS] = 1,
};
static const uint64_t fx_102[CS_NR_PROC_FIELDS] = {
	[CS_RSS] = 4250, [CS_ANON] = 4119, [CS_FILE] = 131, [CS_SHARED] = 3218,
	[CS_PRIVATE] = 1032, [CS_ANON_SHARED] = 3087, [CS_ANON_PRIVATE] = 1032,
	[CS_COW_BROKEN] = 1032, [CS_SWAP] = 3, [CS_ZERO] = 2, [CS_THP] = 512,
	[CS_SKIPPED_VMAS] = 1,
};
static const uint64_t fx_104[CS_NR_PROC_FIELDS] = {
	[CS_COW_FAULTS] = NA,
};
static const uint64_t fx_totals[CS_NR_FIELDS] = {
	[CS_RSS] = 8695, [CS_ANON] = 8240, [CS_FILE] = 455, [CS_SHARED] = 6432,
	[CS_PRIVATE] = 2263, [CS_ANON_SHARED] = 6169, [CS_ANON_PRIVATE] = 2071,
	[CS_COW_BROKEN] = 1037, [CS_SWAP] = 3, [CS_ZERO] = 2, [CS_THP] = 512,
	[CS_COW_FAULTS] = 7, [CS_SKIPPED_VMAS] = 2, [CS_UNIQUE] = 5500, [CS_SAVED] = 3195,
};
static const uint64_t fx_v1[CS_NR_PAGE_FIELDS] = {
	[CS_RSS] = 1, [CS_FILE] = 1, [CS_SHARED] = 1,
};
static const uint64_t fx_v2[CS_NR_PAGE_FIELDS] = {
	[CS_RSS] = 4096, [CS_ANON] = 4096, [CS_SHARED] = 3072, [CS_PRIVATE] = 1024,
	[CS_ANON_SHARED] = 3072, [CS_ANON_PRIVATE] = 1024, [CS_COW_BROKEN] = 5,
};
static const uint64_t fx_v3[CS_NR_PAGE_FIELDS] = {
	[CS_RSS] = 4096, [CS_ANON] = 4096, [CS_SHARED] = 3072, [CS_PRIVATE] = 1024,
	[CS_ANON_SHARED] = 3072, [CS_ANON_PRIVATE] = 1024, [CS_COW_BROKEN] = 1024,
	[CS_SWAP] = 3, [CS_ZERO] = 2, [CS_THP] = 512,
};

static void fixture(struct cs_tree *t)
{
	struct cs_proc *p;

	memset(t, 0, sizeof(*t));
	t->root = 100;
	t->page_size = 4096;
	p = fx_proc(t, 100, 1, 0, "server", 0, fx_100);
	fx_vma(p, 0x55ae6565f000, 0x55ae65660000, 0, "r--p", "/usr/bin/server", fx_v1);
	fx_vma(p, 0x7f7139000000, 0x7f713a000000, 0, "rw-p", NULL, fx_v2);
	p = fx_proc(t, 101, 100, 1, "worker 1", 0, fx_101);
	fx_vma(p, 0x7f7139000000, 0x7f713a000000, 0, "rw-p", NULL, fx_v3);
	p = fx_proc(t, 102, 101, 2, "w\"q\\", CS_F_MM_SHARED, fx_102);
	p->mm_shared_with = 101;
	fx_proc(t, 103, 100, 1, "secret", CS_F_NOT_PERMITTED, NULL);
	fx_proc(t, 104, 100, 1, "zombie", CS_F_NO_MM, fx_104);
	fx_counts(&t->totals, CS_NR_FIELDS, fx_totals);
	t->processes = 5;
	t->have_totals = true;
}

/*
 * The sample after fixture(), 2 s later: 100 wrote (rss +10, shared -6,
 * private +16, cow_broken +4) and mapped a new VMA, 101 and 103 did not
 * change, 102 and 104 exited, 105 is new.
 */
static const uint64_t fx2_100[CS_NR_PROC_FIELDS] = {
	[CS_RSS] = 4455, [CS_ANON] = 4131, [CS_FILE] = 324, [CS_SHARED] = 3208,
	[CS_PRIVATE] = 1247, [CS_ANON_SHARED] = 3076, [CS_ANON_PRIVATE] = 1055,
	[CS_COW_BROKEN] = 9, [CS_COW_FAULTS] = NA, [CS_SKIPPED_VMAS] = 1,
};
static const uint64_t fx2_105[CS_NR_PROC_FIELDS] = {
	[CS_RSS] = 100, [CS_ANON] = 100, [CS_PRIVATE] = 100, [CS_ANON_PRIVATE] = 100,
	[CS_COW_FAULTS] = NA,
};
static const uint64_t fx2_totals[CS_NR_FIELDS] = {
	[CS_RSS] = 8805, [CS_ANON] = 8350, [CS_FILE] = 455, [CS_SHARED] = 6426,
	[CS_PRIVATE] = 2379, [CS_ANON_SHARED] = 6163, [CS_ANON_PRIVATE] = 2187,
	[CS_COW_BROKEN] = 1041, [CS_SWAP] = 3, [CS_ZERO] = 2, [CS_THP] = 512,
	[CS_COW_FAULTS] = 7, [CS_SKIPPED_VMAS] = 2, [CS_UNIQUE] = 5610, [CS_SAVED] = 3195,
};
static const uint64_t fx2_v2[CS_NR_PAGE_FIELDS] = {
	[CS_RSS] = 4096, [CS_ANON] = 4096, [CS_SHARED] = 3068, [CS_PRIVATE] = 1028,
	[CS_ANON_SHARED] = 3068, [CS_ANON_PRIVATE] = 1028, [CS_COW_BROKEN] = 9,
};
static const uint64_t fx2_v3[CS_NR_PAGE_FIELDS] = {
	[CS_RSS] = 10, [CS_ANON] = 10, [CS_PRIVATE] = 10, [CS_ANON_PRIVATE] = 10,
};

static void __attribute__((unused)) fixture2(struct cs_tree *t)
{
	struct cs_proc *p;

	memset(t, 0, sizeof(*t));
	t->root = 100;
	t->page_size = 4096;
	p = fx_proc(t, 100, 1, 0, "server", 0, fx2_100);
	fx_vma(p, 0x55ae6565f000, 0x55ae65660000, 0, "r--p", "/usr/bin/server", fx_v1);
	fx_vma(p, 0x7f7139000000, 0x7f713a000000, 0, "rw-p", NULL, fx2_v2);
	fx_vma(p, 0x7f7200000000, 0x7f720000a000, 0, "rw-p", NULL, fx2_v3);
	p = fx_proc(t, 101, 100, 1, "worker 1", 0, fx_101);
	fx_vma(p, 0x7f7139000000, 0x7f713a000000, 0, "rw-p", NULL, fx_v3);
	fx_proc(t, 103, 100, 1, "secret", CS_F_NOT_PERMITTED, NULL);
	fx_proc(t, 105, 100, 1, "worker 2", 0, fx2_105);
	fx_counts(&t->totals, CS_NR_FIELDS, fx2_totals);
	t->processes = 4;
	t->have_totals = true;
}

#endif /* COWSTAT_FIXTURE_H */
