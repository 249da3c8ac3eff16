/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The independent oracle: what userspace computes on its own from
 * /proc/PID/maps, /proc/PID/pagemap, /proc/kpagecount and /proc/kpageflags
 * (root only: pagemap shows PFNs to CAP_SYS_ADMIN).  Used by the oracle
 * test and by the cowstat_pagemap tool that the demo runs.
 */
#ifndef COWSTAT_PAGEMAP_H
#define COWSTAT_PAGEMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "cowstat_util.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define KPF_ANON	12
#define KPF_THP		22
#define KPF_ZERO_PAGE	24

static inline int pread_u64(int fd, uint64_t idx, uint64_t *v)
{
	return pread(fd, v, 8, idx * 8) == 8 ? 0 : -1;
}

/* The oracle's counts for @pid; pfns of its rss go to @pfns (deduplicated later). */
static inline int oracle(pid_t pid, struct cs_pages *o, uint64_t **pfns, size_t *npfns,
		  size_t *cap)
{
	char path[64], line[512];
	unsigned long s = 0, e = 0;
	bool gate = false;
	FILE *maps;
	int pm, kc, kf;
	size_t ps = getpagesize();

	memset(o, 0, sizeof(*o));
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm = open(path, O_RDONLY);
	kc = open("/proc/kpagecount", O_RDONLY);
	kf = open("/proc/kpageflags", O_RDONLY);
	if (!maps || pm < 0 || kc < 0 || kf < 0)
		return -1;

	/*
	 * smaps, for each VMA's VmFlags (its last line): the VMAs cowstat
	 * skips are those that say pf (VM_PFNMAP), io or ht (hugetlb), never
	 * a name: [vvar] is a PFN map on 6.1 and 6.12 and maps pages with a
	 * struct page on 7.3 (the vDSO data store, VM_MIXEDMAP), which count.
	 * The gate area ([vsyscall]) is no VMA of the mm.
	 */
	while (fgets(line, sizeof(line), maps)) {
		unsigned long a, ls, le;

		/* Into temporaries: "Anonymous:" scans as the number 0xa. */
		if (sscanf(line, "%lx-%lx", &ls, &le) == 2) {
			s = ls;
			e = le;
			gate = strstr(line, "[vsyscall]") != NULL;
			continue;
		}
		if (strncmp(line, "VmFlags:", 8) || gate || strstr(line, " pf") ||
		    strstr(line, " io") || strstr(line, " ht"))
			continue;
		for (a = s; a < e; a += ps) {
			uint64_t ent, cnt, fl, pfn;

			if (pread_u64(pm, a / ps, &ent))
				return -1;
			if (ent & PM_SWAP) {
				o->v[F_SWAP]++;
				continue;
			}
			if (!(ent & PM_PRESENT))
				continue;
			pfn = ent & PM_PFN_MASK;
			if (pread_u64(kf, pfn, &fl) || pread_u64(kc, pfn, &cnt))
				return -1;
			if (fl & (1ULL << KPF_ZERO_PAGE)) {
				o->v[F_ZERO]++;
				continue;
			}
			o->v[F_RSS]++;
			if (fl & (1ULL << KPF_ANON)) {
				o->v[F_ANON]++;
				o->v[cnt >= 2 ? F_ANON_SHARED : F_ANON_PRIVATE]++;
			} else {
				o->v[F_FILE]++;
			}
			o->v[cnt >= 2 ? F_SHARED : F_PRIVATE]++;
			if (fl & (1ULL << KPF_THP))
				o->v[F_THP]++;
			if (*npfns == *cap) {
				*cap = *cap ? *cap * 2 : 4096;
				*pfns = realloc(*pfns, *cap * sizeof(**pfns));
			}
			(*pfns)[(*npfns)++] = pfn;
		}
	}
	fclose(maps);
	close(pm);
	close(kc);
	close(kf);
	return 0;
}

#endif /* COWSTAT_PAGEMAP_H */
