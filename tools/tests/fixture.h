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
	fx_counts(&m->c, CS_NR_PAGE_FIELDS, v);
}

/*
 * Counts in the order of enum cs_field: rss, anon, file, shared, private,
 * anon_shared, anon_private, cow_broken, swap, zero, ksm, thp, cow_faults,
 * skipped_vmas (, unique, saved); NA: unavailable.
 */
static const uint64_t fx_100[] = {
	4445, 4121, 324, 3214, 1231, 3082, 1039, 5, 0, 0, 0, 0, NA, 1
};
static const uint64_t fx_101[] = {
	4250, 4119, 131, 3218, 1032, 3087, 1032, 1032, 3, 2, 0, 512, 7, 1
};
static const uint64_t fx_102[] = {
	4250, 4119, 131, 3218, 1032, 3087, 1032, 1032, 3, 2, 0, 512, 0, 1
};
static const uint64_t fx_104[] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NA, 0
};
static const uint64_t fx_totals[] = {
	8695, 8240, 455, 6432, 2263, 6169, 2071, 1037, 3, 2, 0, 512, 7, 2, 5500, 3195
};
static const uint64_t fx_v1[] = { 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint64_t fx_v2[] = { 4096, 4096, 0, 3072, 1024, 3072, 1024, 5, 0, 0, 0, 0 };
static const uint64_t fx_v3[] = { 4096, 4096, 0, 3072, 1024, 3072, 1024, 1024, 3, 2, 0, 512 };

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
static const uint64_t fx2_100[] = {
	4455, 4131, 324, 3208, 1247, 3076, 1055, 9, 0, 0, 0, 0, NA, 1
};
static const uint64_t fx2_105[] = {
	100, 100, 0, 0, 100, 0, 100, 0, 0, 0, 0, 0, NA, 0
};
static const uint64_t fx2_totals[] = {
	8805, 8350, 455, 6426, 2379, 6163, 2187, 1041, 3, 2, 0, 512, 7, 2, 5610, 3195
};
static const uint64_t fx2_v2[] = { 4096, 4096, 0, 3068, 1028, 3068, 1028, 9, 0, 0, 0, 0 };
static const uint64_t fx2_v3[] = { 10, 10, 0, 0, 10, 0, 10, 0, 0, 0, 0, 0 };

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
